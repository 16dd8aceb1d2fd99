"""A replayed day reads Citrix TBT Access and the SPOC columns as they were at its end: a
later `esp access set` changes neither the evening report of that day, nor its escalations,
nor how explain judges it, nor the KPIs of a period ending that day (services.replay,
docs/rules.md's replay rule)."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.services.eod import eod_report
from tests import factories
from tests.support.paths import SAMPLE_DATA
from tests.test_waiting import open_in_excel

DAY = "2026-11-24"
LATER = datetime(2026, 12, 5, 10, 0)  # a Saturday, after the sample's day
REPLAYS = [
    ["report", "eod", "--date", DAY, "-f", "json"],
    ["escalations", "--as-of", DAY, "-f", "json"],
    ["escalations", "--today", "--as-of", DAY],
    ["explain", "Kayla Brooks", "--as-of", DAY],
    ["explain", "Marcus Lee", "--as-of", DAY],
    ["explain", "Priyanka Shah", "--as-of", DAY],
    ["advise", "--due", "--as-of", DAY, "-n"],
    ["report", "kpi", "--to", DAY, "-f", "json"],
]


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    return tmp_path


# A SPOC Called Date is a dated column: one after the day is not a call yet, and the replay
# says so (docs/rules.md); that remark is the one difference a later call makes.
LATER_CALL = "SPOC Called Date 12/05/2026 is after 11/24/2026: not called yet."


def _without_the_later_call(text: str) -> str:
    if text.startswith(("[", "{")):
        return json.dumps(_drop(json.loads(text)))
    # (explain's table of the cells shows the SPOC Called Date cell as it is)
    text = text.split("Cells read", 1)[0]
    return "\n".join(line for line in text.splitlines() if LATER_CALL not in line)


def _drop(value: Any) -> Any:
    if isinstance(value, list):
        return [_drop(v) for v in value if v != LATER_CALL]
    if isinstance(value, dict):
        return {k: _drop(v) for k, v in value.items()}
    return value


def _replays() -> list[str]:
    with time_machine.travel(LATER, tick=False):
        runs = [CliRunner().invoke(app, args) for args in REPLAYS]
    for args, got in zip(REPLAYS, runs, strict=True):
        assert got.exit_code in (0, 1), (args, got.output)
    return [_without_the_later_call(got.stdout) for got in runs]


@pytest.mark.parametrize(
    "change",
    [
        # an issue (and the SPOC call, incident and phone) recorded after the day
        [
            "Kayla Brooks", "Password Reset", "--spoc-called", "today",
            "--incident", "INC0099999", "--phone", "5135550000",
        ],
        # an incident number and phone that came in after the day, for an existing issue
        ["Priyanka Shah", "No Citrix Apps Showing", "--incident", "INC0012345", "--phone",
         "5135550101"],
        # an issue closed after the day
        ["Marcus Lee", "No Issues"],
        # an issue recorded after the day, SPOC called (so it says) before it
        ["Kayla Brooks", "Password Reset", "--spoc-called", "2026-11-23",
         "--incident", "INC0099998", "--phone", "5135550000"],
    ],
)  # fmt: skip
def test_a_later_access_change_leaves_a_replayed_day_as_it_was(
    sample: Path, change: list[str]
) -> None:
    before = _replays()
    with time_machine.travel(LATER, tick=False):
        done = CliRunner().invoke(app, ["access", "set", *change, "--by", "Tom Alvarez"])
    assert done.exit_code == 0, done.output
    after = _replays()
    for args, was, now in zip(REPLAYS, before, after, strict=True):
        assert now == was, args
    eod = json.loads(after[0])
    assert eod["date"] == DAY


# -- the KPIs of a past period and the evening e-mail's KPI section agree ------------------------

KPI_KEYS = ("class", "agent_name", "agent_id", "esp_start", "n_number_requested",
            "call_cert_complete", "call_cert_date", "tbts_complete", "citrix_access",
            "spoc_called", "incident_number", "callback_phone", "tbt_sme")  # fmt: skip
FRI = date(2026, 12, 4)
SUNDAY = datetime(2026, 12, 6, 10, 0)  # after the Friday the KPIs are asked for


def _spoc_agent(access: str) -> dict[str, Any]:
    return dict(zip(factories.headers(*KPI_KEYS), (
        "AET-1", "Kim Spoc", "E1", date(2026, 11, 30), date(2026, 11, 16), "Yes",
        date(2026, 11, 30), "No", access, date(2026, 12, 1) if access != "No Issues" else None,
        "INC1" if access != "No Issues" else None,
        "(614) 555-0101" if access != "No Issues" else None, "Dana Whitfield",
    ), strict=True))  # fmt: skip


def _spoc_figures(tracker: Path) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """(spoc_open, spoc_oldest_days) of `esp report kpi --to` Friday, and of the evening
    report's KPI section for Friday."""
    with time_machine.travel(SUNDAY, tick=False):
        got = CliRunner().invoke(
            app, ["report", "kpi", "--to", FRI.isoformat(), "-t", str(tracker), "-f", "json"]
        )
        assert got.exit_code == 0, got.output
        eod = eod_report(tracker, Config(), FRI, datetime.combine(FRI, time(23, 59)), kpis=True)
    overall = json.loads(got.stdout)["overall"]
    assert eod.kpi is not None
    section = eod.kpi.overall
    return (overall["spoc_open"], overall["spoc_oldest_days"]), (
        section.spoc_open,
        section.spoc_oldest_days,
    )


@pytest.mark.parametrize(
    ("access", "change", "then"),
    [
        # The issue resolved on Sunday: on Friday the SPOC case was open, 3 business days old.
        ("Password Reset", ["No Issues"], (1, 3)),
        # The issue recorded on Sunday, SPOC called (so it says) on 12/01: none on Friday.
        ("No Issues", ["Password Reset", "--spoc-called", "2026-12-01", "--incident", "INC9",
                       "--phone", "6145550101"], (0, None)),
    ],
)  # fmt: skip
def test_the_kpis_of_a_past_day_read_the_access_columns_as_they_were(
    tmp_path: Path, access: str, change: list[str], then: tuple[Any, Any]
) -> None:
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx", [_spoc_agent(access)], headers=factories.headers(*KPI_KEYS)
    )
    kpi, section = _spoc_figures(tracker)
    assert kpi == section == then
    with time_machine.travel(SUNDAY, tick=False):
        done = CliRunner().invoke(
            app, ["access", "set", "Kim Spoc", *change, "-t", str(tracker), "--by", "Tom Alvarez"]
        )
    assert done.exit_code == 0, done.output
    kpi, section = _spoc_figures(tracker)
    assert kpi == section == then


def test_a_saturday_evening_reports_kpis_read_the_access_columns_of_its_own_day(
    tmp_path: Path,
) -> None:
    # The section's figures are as of the report's date, as the report's are: an issue
    # resolved on the Saturday is no SPOC case in either (on the Friday it still was).
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [_spoc_agent("Password Reset")],
        headers=factories.headers(*KPI_KEYS),
    )
    saturday = FRI + timedelta(days=1)
    with time_machine.travel(datetime.combine(saturday, time(9)), tick=False):
        done = CliRunner().invoke(
            app, ["access", "set", "Kim Spoc", "No Issues", "-t", str(tracker), "--by", "Tom"]
        )
        assert done.exit_code == 0, done.output
    with time_machine.travel(SUNDAY, tick=False):
        eod = eod_report(
            tracker, Config(), saturday, datetime.combine(saturday, time(23, 59)), kpis=True
        )
    assert eod.kpi is not None and eod.kpi.end == saturday
    assert (eod.kpi.overall.spoc_open, eod.kpi.overall.spoc_oldest_days) == (0, None)
    assert eod.totals.access_issues == {}
    assert _spoc_figures(tracker)[0] == (1, 3)  # Friday's


# -- a change its command dated for the day replayed ---------------------------------------------


def _issues_then() -> dict[str, int]:
    """The evening report's access issues of 11/24, asked days later."""
    with time_machine.travel(LATER, tick=False):
        eod = CliRunner().invoke(app, ["report", "eod", "--date", DAY, "-f", "json"])
    assert eod.exit_code == 0, eod.output
    issues: dict[str, int] = json.loads(eod.stdout)["totals"]["access_issues"]
    return issues


@pytest.mark.parametrize("busy", [False, True], ids=["written", "waited"])
def test_an_access_change_dated_for_the_day_replayed_counts_on_it(sample: Path, busy: bool) -> None:
    """`esp access set --date 11/24`, typed days later (as the team catches up): the day it
    is dated for counts it, as the SPOC Called Date it writes — also when it waited beside
    the tracker and was written later still."""
    before = _issues_then().get("Password Reset", 0)
    owner = open_in_excel(sample) if busy else None
    with time_machine.travel(LATER, tick=False):
        done = CliRunner().invoke(
            app,
            ["access", "set", "Kayla Brooks", "Password Reset", "--spoc-called", DAY,
             "--incident", "INC0099999", "--phone", "5135550000", "--date", DAY,
             "--by", "Tom Alvarez"],
        )  # fmt: skip
        assert done.exit_code == (7 if busy else 0), done.output
        if owner is not None:
            owner.unlink()
            applied = CliRunner().invoke(app, ["apply"])
            assert applied.exit_code == 0, applied.output
        explained = CliRunner().invoke(app, ["explain", "Kayla Brooks", "--as-of", DAY])
        eod = CliRunner().invoke(app, ["report", "eod", "--date", DAY, "-f", "json"])
    assert "Citrix TBT Access: Password Reset" in explained.stdout, explained.stdout
    assert json.loads(eod.stdout)["totals"]["access_issues"]["Password Reset"] == before + 1
    # The day before it was dated for does not count it.
    with time_machine.travel(LATER, tick=False):
        earlier = CliRunner().invoke(app, ["explain", "Kayla Brooks", "--as-of", "2026-11-23"])
    assert "Citrix TBT Access: Password Reset" not in earlier.stdout


def test_an_undone_change_dated_for_the_day_is_gone_from_it(sample: Path) -> None:
    """`esp access set --date 11/24` typed days later, then undone: the day replayed shows
    the cells as they were before it, as the tracker does."""
    with time_machine.travel(LATER, tick=False):
        before = CliRunner().invoke(app, ["explain", "Kayla Brooks", "--as-of", DAY])
        done = CliRunner().invoke(
            app,
            ["access", "set", "Kayla Brooks", "Password Reset", "--date", DAY,
             "--by", "Tom Alvarez", "-f", "json"],
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        op = json.loads(done.stdout)["op"]
        undone = CliRunner().invoke(app, ["undo", op, "--by", "Tom Alvarez"])
        assert undone.exit_code == 0, undone.output
        after = CliRunner().invoke(app, ["explain", "Kayla Brooks", "--as-of", DAY])
    line = [ln for ln in after.stdout.splitlines() if ln.startswith("Citrix TBT Access")]
    assert line == [ln for ln in before.stdout.splitlines() if ln.startswith("Citrix TBT Access")]
    assert "Password Reset" not in line[0]
