"""[calendar] timezone: every command's "today" and "now" are the team's.

The machine's clock is pinned at 2026-12-07 01:30 UTC; the team works in Chicago, where it is
still Sunday 12/06 19:30. Every command that dates, counts or judges against today takes the
team's day; without a timezone, the machine's."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from tests import factories
from tests.support.windows import excel_owner_file

MACHINE = datetime(2026, 12, 7, 1, 30, tzinfo=ZoneInfo("UTC"))
TEAM_DAY = date(2026, 12, 6)  # 19:30 in America/Chicago
MACHINE_DAY = date(2026, 12, 7)
AGENTS: list[dict[str, Any]] = [
    {
        "Class": "AET-1",
        "Agent Name": "Sam Lee",
        "Email": "sam.lee@x.com",
        "ESP Start Date": date(2026, 11, 2),
    },
]
NOTES = "K"  # factories.TRACKER_HEADERS: Notes is the 11th column


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def machine_clock() -> Iterator[None]:
    with time_machine.travel(MACHINE, tick=False):
        yield


def _config(folder: Path, zone: str | None) -> Path:
    factories.tracker(folder / "ESP Tracker.xlsx", AGENTS)
    path = folder / "esp.toml"
    calendar = f'[calendar]\ntimezone = "{zone}"\n' if zone else ""
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[people]\nuser = "Jordan Reyes"\n' + calendar,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config(tmp_path: Path, machine_clock: None) -> Path:
    return _config(tmp_path, "America/Chicago")


def notes_of_sam(config: Path) -> str:
    ws = openpyxl.load_workbook(config.parent / "ESP Tracker.xlsx")["ESP Tracker"]
    return str(ws[f"{NOTES}3"].value or "")


def test_the_clock_is_the_team_s() -> None:
    with time_machine.travel(MACHINE, tick=False):
        assert Config(timezone="America/Chicago").today() == TEAM_DAY
        assert Config(timezone="America/Chicago").now() == datetime(2026, 12, 6, 19, 30)
        assert Config().today() == MACHINE_DAY


def test_a_note_is_dated_the_team_s_day(config: Path) -> None:
    res = run("note", "add", "Sam Lee", "Called", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert notes_of_sam(config) == "12/06/2026 - Jordan Reyes - Called"


@pytest.mark.parametrize("phrase", ["today", "2026-12-06", "12/06"])
def test_a_note_dated_the_team_s_today_is_not_in_the_future(config: Path, phrase: str) -> None:
    res = run("note", "add", "Sam Lee", "Called", "--date", phrase, "--config", str(config))
    assert res.exit_code == 0, res.output
    assert notes_of_sam(config) == "12/06/2026 - Jordan Reyes - Called"


def test_the_machine_s_day_is_the_team_s_tomorrow(config: Path) -> None:
    res = run("note", "add", "Sam Lee", "Called", "--date", "2026-12-07", "--config", str(config))
    assert res.exit_code == 2 and "future" in res.stderr, res.output
    assert notes_of_sam(config) == ""


def test_access_set_dates_its_note_the_team_s_day(config: Path) -> None:
    res = run("access", "set", "Sam Lee", "No Issues", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert notes_of_sam(config) == ""  # the access line goes in TBT Notes
    ws = openpyxl.load_workbook(config.parent / "ESP Tracker.xlsx")["ESP Tracker"]
    assert ws["L3"].value == "Jordan Reyes - 12/06/2026 - Citrix TBT Access: No Issues"


def overdue(config: Path, *extra: str) -> list[int]:
    """The business days each action of the to-do list is overdue."""
    res = run("escalations", "--today", "--config", str(config), "-f", "json", *extra)
    assert res.exit_code == 0, res.output
    return [action["business_days_overdue"] for action in json.loads(res.stdout)]


def test_escalations_count_to_the_team_s_day(config: Path) -> None:
    """Sunday 12/06 for the team: Monday 12/07, the machine's day, is not counted yet."""
    assert overdue(config) == [19, 20]
    assert overdue(config, "--as-of", "today") == [19, 20]


def test_yesterday_is_the_day_before_the_team_s_today(config: Path) -> None:
    res = run("note", "add", "Sam Lee", "Called", "--date", "yesterday", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert notes_of_sam(config) == "12/05/2026 - Jordan Reyes - Called"


def test_writing_the_team_s_today_is_not_a_past_day(config: Path) -> None:
    res = run("escalations", "--as-of", "2026-12-06", "--dry-run", "--config", str(config))
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("command", [["report", "eod"], ["progress", "missing"]])
def test_reports_default_to_the_team_s_day(config: Path, command: list[str]) -> None:
    res = run(*command, "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["date"] == "2026-12-06"


def test_without_a_timezone_the_day_is_the_machine_s(tmp_path: Path, machine_clock: None) -> None:
    config = _config(tmp_path, None)
    res = run("report", "eod", "--config", str(config), "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["date"] == "2026-12-07"
    assert overdue(config) == [20, 21]
    res = run("note", "add", "Sam Lee", "Called", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert notes_of_sam(config) == "12/07/2026 - Jordan Reyes - Called"


def test_a_past_day_replayed_holds_what_was_set_on_the_team_s_day(config: Path) -> None:
    """The access set on the team's 12/06 (the machine's 12/07) is that day's, replayed later."""
    res = run("access", "set", "Sam Lee", "Password Reset", "--config", str(config))
    assert res.exit_code == 0, res.output
    with time_machine.travel(datetime(2026, 12, 9, 15, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        res = run("explain", "Sam Lee", "--as-of", "2026-12-06", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert "Citrix TBT Access: Password Reset" in res.stdout


def test_a_step_recorded_now_is_dated_the_team_s_day(config: Path) -> None:
    res = run("record-step", "Sam Lee", "coaching", "--config", str(config), "--dry-run")
    assert res.exit_code == 0, res.output
    assert "— → 12/06/2026 - Jordan Reyes - Documented coaching delivered" in res.stdout


def test_a_change_counts_for_the_day_of_the_team_s_clock() -> None:
    """An undated change counts for the day its time falls on in the team's zone; without a
    zone, the day its own recorded time says."""
    op = factories.logged_write([], time=MACHINE)
    assert op.day(ZoneInfo("America/Chicago")) == TEAM_DAY
    assert op.day() == MACHINE_DAY
    dated = factories.logged_write([], time=MACHINE, dated=date(2026, 12, 1))
    assert dated.day(ZoneInfo("America/Chicago")) == dated.day() == date(2026, 12, 1)


@pytest.mark.parametrize("command", [["history"], ["history", "--by", "Jordan"]])
def test_history_since_a_day_is_the_team_s_day(config: Path, command: list[str]) -> None:
    """The note written at 19:30 in Chicago (the machine's 12/07) is among the team's today's
    changes, and not among those since the team's tomorrow."""
    res = run("note", "add", "Sam Lee", "Called", "--config", str(config))
    assert res.exit_code == 0, res.output
    today = run(*command, "--since", "today", "--config", str(config), "--format", "json")
    assert today.exit_code == 0, today.output
    assert "Called" in today.stdout
    later = run(*command, "--since", "2026-12-07", "--config", str(config), "--format", "json")
    assert later.exit_code == 0, later.output
    assert "Called" not in later.stdout


def test_an_operation_was_made_on_the_day_of_the_team_s_clock() -> None:
    """A change dated another day was still made on the day its time falls on."""
    dated = factories.logged_write([], time=MACHINE, dated=date(2026, 12, 1))
    assert dated.made_on(ZoneInfo("America/Chicago")) == TEAM_DAY
    assert dated.made_on() == MACHINE_DAY


# The note is made at 01:30 UTC: 20:30 on the machine's clock (New York, as the tests run),
# 19:30 on the team's (Chicago).
TEAM_TIME = "12/06/2026 19:30"
MACHINE_TIME = "12/06/2026 20:30"


@pytest.mark.parametrize("command", [["history"], ["history", "--cells"], ["history", "Sam Lee"]])
def test_history_shows_when_on_the_team_s_clock(config: Path, command: list[str]) -> None:
    """esp history lists a change at the time the team's clock read when it was made, as
    --since reads a day, whatever the clock of the machine that made it."""
    assert run("note", "add", "Sam Lee", "Called", "--config", str(config)).exit_code == 0
    shown = run(*command, "--config", str(config))
    assert shown.exit_code == 0, shown.output
    assert TEAM_TIME in shown.stdout
    assert MACHINE_TIME not in shown.stdout
    listed = run(*command, "--config", str(config), "--format", "json")
    assert '"2026-12-06T19:30:00-06:00"' in listed.stdout


def test_a_waiting_change_is_listed_on_the_team_s_clock(config: Path) -> None:
    """A change kept beside the tracker while it is open in Excel: pending, apply (still
    busy) and explain say when it was made as the team's clock read it."""
    owner = config.parent / "~$ESP Tracker.xlsx"
    owner.write_bytes(excel_owner_file("Dana Whitfield"))
    kept = run("note", "add", "Sam Lee", "Called", "--config", str(config))
    assert kept.exit_code == 7, kept.output
    for command in (["pending"], ["apply"], ["explain", "Sam Lee"]):
        shown = run(*command, "--config", str(config))
        assert TEAM_TIME in " ".join(shown.stdout.split()), (command, shown.output)
        assert MACHINE_TIME not in shown.stdout, command
    assert (
        '"2026-12-06T19:30:00-06:00"'
        in run("pending", "--config", str(config), "--format", "json").stdout
    )


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="the machine's zone is TZ's on Unix")
@pytest.mark.parametrize(
    ("moment", "said"),
    [
        # 23:45 EST to 03:50 EDT, the night the clocks go forward: 3 h 05 passed.
        (datetime(2026, 3, 8, 7, 50), "3.1 h by 03/08/2026 03:50, within the 4-hour timebox"),
        # 00:30 EDT to 03:45 EST, the night they go back: 4 h 15 passed.
        (datetime(2026, 11, 1, 8, 45), "4.3 h by 11/01/2026 03:45, over the 4-hour timebox"),
    ],
    ids=["forward", "back"],
)
@pytest.mark.parametrize("zone", ["America/New_York", None], ids=["team-zone", "machine-zone"])
def test_the_call_cert_hours_are_those_that_passed_on_the_team_s_clock(
    tmp_path: Path, zone: str | None, moment: datetime, said: str
) -> None:
    """The tracker's times are wall-clock times on the team's clock ([calendar] timezone,
    else the machine's: New York in the tests): the hours since the Call Cert Start are the
    hours that passed, a daylight-saving switch counted."""
    started = datetime(2026, 3, 7, 23, 45) if moment.month == 3 else datetime(2026, 11, 1, 0, 30)
    people = [{**AGENTS[0], "ESP Start Date": started.date(), "Call Cert Start": started,
               "Call Cert Complete?": "No"}]  # fmt: skip
    with_start = (*factories.TRACKER_HEADERS, *factories.headers("call_cert_start"))
    factories.tracker(tmp_path / "ESP Tracker.xlsx", people, headers=with_start)
    config = tmp_path / "esp.toml"
    calendar = f'[calendar]\ntimezone = "{zone}"\n' if zone else ""
    config.write_text('[tracker]\npath = "ESP Tracker.xlsx"\n' + calendar, encoding="utf-8")
    # A destination in New York's zone: the machine's zone is New York's while there.
    there = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("America/New_York"))
    with time_machine.travel(there, tick=False):
        res = run("explain", "Sam Lee", "--config", str(config))
    assert res.exit_code == 0, res.output
    assert f"Call Cert started {started:%m/%d/%Y %H:%M}: {said}." in res.stdout, res.stdout


def test_a_change_that_waited_is_written_with_when_on_the_team_s_clock(config: Path) -> None:
    """The write that writes a change that waited (esp apply, or the next write) says when
    it was made on the team's clock, in its table and its JSON."""
    owner = config.parent / "~$ESP Tracker.xlsx"
    owner.write_bytes(excel_owner_file("Dana Whitfield"))
    assert run("note", "add", "Sam Lee", "Called", "--config", str(config)).exit_code == 7
    owner.unlink()
    dry = run("apply", "--config", str(config), "--dry-run")
    assert TEAM_TIME in dry.stdout and MACHINE_TIME not in dry.stdout, dry.output
    also = run("note", "add", "Sam Lee", "Again", "--config", str(config), "--dry-run")
    assert TEAM_TIME in also.stdout and MACHINE_TIME not in also.stdout, also.output
    applied = run("apply", "--config", str(config), "--format", "json")
    assert applied.exit_code == 0, applied.output
    assert '"2026-12-06T19:30:00-06:00"' in applied.stdout


def test_a_time_no_clock_can_show_is_listed_as_it_is(config: Path) -> None:
    """A damaged waiting file or log line whose time is at the edge of the calendar: listed
    as written, never a traceback."""
    owner = config.parent / "~$ESP Tracker.xlsx"
    owner.write_bytes(excel_owner_file("Dana Whitfield"))
    assert run("note", "add", "Sam Lee", "Called", "--config", str(config)).exit_code == 7
    (kept,) = config.parent.glob("esp-backups/*.waiting/*.json")
    text = kept.read_text(encoding="utf-8")
    kept.write_text(
        re.sub(r'"time": "[^"]*"', '"time": "0001-01-01T00:00:00+00:00"', text), encoding="utf-8"
    )
    for command in (["pending"], ["history"], ["explain", "Sam Lee"]):
        shown = run(*command, "--config", str(config))
        assert shown.exception is None or isinstance(shown.exception, SystemExit), command
        assert shown.exit_code == 0, (command, shown.output)
