"""A day replayed: a ladder step due then and recorded on a later day is said so — by esp
escalations (table, JSON, CSV), the evening report and esp document --due — in the words
esp round's card for that day uses, never shown as plainly due."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.rules import LADDER, RecordedLater, Step, recorded_later_words
from tests import factories

DAY = date(2026, 11, 25)  # a Wednesday: the coaching of a class started 11/20 is due
STARTED = date(2026, 11, 20)
EVE = "recorded 11/27/2026, after Wed 11/25: not yet then"
CY = "recorded 11/30/2026, after Wed 11/25: not yet then"


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    """Eve's coaching, due 11/25, recorded 11/27; Cy's written CAP, due 11/27, recorded
    11/30; Al's coaching, due 11/25, not recorded at all."""
    keys = (*factories.TRACKER_KEYS, "coaching_date", "written_cap_date")
    rows = [
        {"Class": "AET-1", "Agent Name": "Eve Late", "ESP Start Date": STARTED,
         "Agent ID": "E1", "Coaching Date": date(2026, 11, 27)},
        {"Class": "AET-1", "Agent Name": "Cy Later", "ESP Start Date": STARTED,
         "Agent ID": "E2", "Coaching Date": date(2026, 11, 25),
         "Written CAP Date": date(2026, 11, 30)},
        {"Class": "AET-1", "Agent Name": "Al Open", "Agent ID": "E3", "ESP Start Date": STARTED},
    ]  # fmt: skip
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=factories.headers(*keys))


def run(*args: str) -> Any:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res


def test_the_words_say_which_step_was_recorded_when() -> None:
    later = RecordedLater(Step.WRITTEN_CAP, date(2026, 11, 30))
    assert recorded_later_words(later, DAY, Step.WRITTEN_CAP) == CY
    assert recorded_later_words(later, DAY, LADDER[0]) == f"written CAP {CY}"


def test_escalations_of_a_day_replayed_say_a_step_was_recorded_later(tracker: Path) -> None:
    for today in ((), ("--today",), ("--today", "--group", "step")):
        shown = run("escalations", "-t", str(tracker), "--as-of", DAY.isoformat(), *today)
        lines = shown.stdout.splitlines()
        assert f"Eve Late (row 3): Documented coaching due 11/25/2026 ({EVE})." in lines, today
        assert f"Cy Later (row 4): Written CAP due 11/27/2026 ({CY})." in lines, today
        assert not any("Al Open (row 5)" in line for line in lines), today

    data = json.loads(
        run("escalations", "-t", str(tracker), "--as-of", DAY.isoformat(), "-f", "json").stdout
    )
    got = {s["agent"]: (s["recorded_later_step"], s["recorded_later_date"]) for s in data}
    assert got == {
        "Eve Late": ("coaching", "2026-11-27"),
        "Cy Later": ("written_cap", "2026-11-30"),
        "Al Open": (None, None),
    }
    shown = run("escalations", "-t", str(tracker), "--as-of", DAY.isoformat(), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert {r["agent"]: (r["recorded_later_step"], r["recorded_later_date"]) for r in rows} == {
        "Eve Late": ("coaching", "2026-11-27"),
        "Cy Later": ("written_cap", "2026-11-30"),
        "Al Open": ("", ""),
    }

    # The day's list: the step's own line says it, and no other line of the agent.
    args = ("escalations", "-t", str(tracker), "--as-of", DAY.isoformat(), "--today")
    items = json.loads(run(*args, "-f", "json").stdout)
    later = {(i["agent"], i["action"]): (i["recorded_later_step"], i["recorded_later_date"])
             for i in items}  # fmt: skip
    assert later[("Eve Late", "coaching")] == ("coaching", "2026-11-27")
    assert later[("Cy Later", "written_cap")] == ("written_cap", "2026-11-30")
    assert later[("Al Open", "coaching")] == (None, None)
    assert later[("Eve Late", "behind_target")] == (None, None)
    rows = list(csv.DictReader(io.StringIO(run(*args, "-f", "csv").stdout)))
    assert [(r["agent"], r["action"], r["recorded_later_date"]) for r in rows if r[
        "recorded_later_date"]] == [("Eve Late", "coaching", "2026-11-27"),
                                    ("Cy Later", "written_cap", "2026-11-30")]  # fmt: skip


def test_today_a_step_recorded_on_its_day_is_not_said_recorded_later(tracker: Path) -> None:
    """On the day a step was recorded, and after, it counts: nothing is said."""
    shown = run("escalations", "-t", str(tracker), "--as-of", "2026-11-30")
    assert "not yet then" not in shown.stdout


def test_the_evening_report_of_a_day_replayed_says_a_step_was_recorded_later(
    tracker: Path,
) -> None:
    for fmt in ("text", "md", "html"):
        report = run("report", "eod", "-t", str(tracker), "--date", DAY.isoformat(), "-f", fmt)
        assert EVE in report.stdout and CY in report.stdout, fmt
        assert report.stdout.count("not yet then") == 2, fmt
    text = run("report", "eod", "-t", str(tracker), "--date", DAY.isoformat(), "-f", "text")
    assert f"next: Documented coaching, due 11/25/2026 ({EVE})" in text.stdout


def test_document_due_of_a_day_replayed_says_which_step_was_recorded_later(
    tracker: Path, tmp_path: Path
) -> None:
    """No document of a day for a step delivered later (its document is of that day): said,
    with the command that makes it, never silently left out."""
    args = ("document", "--due", "--as-of", DAY.isoformat(), "-t", str(tracker),
            "--out", str(tmp_path / "docs"), "--by", "Jordan Reyes", "--dry-run")  # fmt: skip
    res = run(*args)
    assert (
        f"not made: Eve Late (AET-1, Documented coaching): due 11/25/2026 ({EVE}). Fix: esp "
        'document "E1" coaching makes it for the day it was recorded'
    ) in " ".join(res.stderr.split())
    assert "Cy Later" not in res.stderr  # its written CAP is not due on 11/25
    data = json.loads(run(*args, "-f", "json").stdout)
    assert [(d["agent"], d["step"]) for d in data["documents"]] == [("Al Open", "coaching")]
    assert [(n["agent"], n["step"], n["reason"]) for n in data["recorded_later"]] == [
        ("Eve Late", "coaching", f"due 11/25/2026 ({EVE}).")
    ]


def test_a_step_recorded_later_is_no_inconsistency_of_the_day_replayed(tracker: Path) -> None:
    """A date after the day replayed is expected (not yet then), as esp explain's table says
    it: the JSON gives it as recorded later, not among the row's contradictions."""
    day = ("--as-of", DAY.isoformat())
    data = json.loads(run("escalations", "-t", str(tracker), *day, "-f", "json").stdout)
    assert {s["agent"]: s["inconsistencies"] for s in data} == {
        "Eve Late": [],
        "Cy Later": [],
        "Al Open": [],
    }
    explained = json.loads(
        run("explain", "Cy Later", "-t", str(tracker), *day, "-f", "json").stdout
    )
    assert explained["inconsistencies"] == []
    assert explained["recorded_later_step"] == "written_cap"


@pytest.fixture
def typo(tmp_path: Path) -> Path:
    """Cy's written CAP typed in the year 2099: a date still to come, not a step recorded
    later."""
    keys = (*factories.TRACKER_KEYS, "coaching_date", "written_cap_date")
    rows = [
        {"Class": "AET-1", "Agent Name": "Cy Later", "ESP Start Date": STARTED,
         "Agent ID": "E2", "Coaching Date": date(2026, 11, 25),
         "Written CAP Date": date(2099, 11, 30)},
    ]  # fmt: skip
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=factories.headers(*keys))


def test_a_date_still_to_come_is_said_as_a_date_typed_wrong_not_recorded_later(typo: Path) -> None:
    """Replayed or not, a ladder date after the day the tracker is read is no step recorded
    later: the tables, the JSON and explain all say it is still to come."""
    for day in ((), ("--as-of", DAY.isoformat())):
        table = run("escalations", "-t", str(typo), *day).stdout
        assert "not yet then" not in table, day
        (status,) = json.loads(run("escalations", "-t", str(typo), *day, "-f", "json").stdout)
        assert status["recorded_later_step"] is None, day
        assert status["inconsistencies"] == [
            "Written CAP Date 11/30/2099 is after "
            f"{(date.fromisoformat(day[1]) if day else date.today()):%m/%d/%Y}: "
            "not counted as delivered yet."
        ], day
        said = run("explain", "Cy Later", "-t", str(typo), *day).stdout
        assert "dated Mon 11/30/2099, a day still to come: not counted" in said, day
        assert "Inconsistent: Written CAP Date 11/30/2099 is after" in said, day
        assert "not yet then" not in said, day
