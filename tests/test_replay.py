"""Replaying a past day (--as-of, report eod --date): a date after that day does not hold yet."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import factories

HEADERS = (
    *factories.TRACKER_HEADERS,
    *factories.headers("spoc_called", "call_cert_date", "tbt_complete_date"),
)
AGENTS = [
    {  # SPOC called on Wed 11/25: on Tue 11/24 it was still to be called
        "Class": "AET-1",
        "Agent Name": "Marcus Lee",
        "Agent ID": "E100",
        "ESP Start Date": date(2026, 11, 20),
        "Call Cert Complete?": "No",
        "All TBTs Complete?": "No",
        "Citrix TBT Access": "Password Reset",
        "SPOC Called Date": date(2026, 11, 25),
    },
    {  # complete on Wed 11/25, not on Tue 11/24
        "Class": "AET-1",
        "Agent Name": "Ana Ruiz",
        "Agent ID": "E101",
        "ESP Start Date": date(2026, 11, 20),
        "Call Cert Complete?": "Yes",
        "Call Cert Complete Date": date(2026, 11, 23),
        "All TBTs Complete?": "Yes",
        "TBT Complete Date": date(2026, 11, 25),
    },
]


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=HEADERS)


def todo(tracker: Path, day: str) -> set[tuple[str, str]]:
    res = CliRunner().invoke(
        app, ["escalations", "--today", "--as-of", day, "-t", str(tracker), "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    return {(i["agent"], i["action"]) for i in json.loads(res.stdout) if not i["lookahead"]}


def test_escalations_replay_the_day_before_the_dates(tracker: Path) -> None:
    before = todo(tracker, "2026-11-24")
    assert ("Marcus Lee", "call_spoc") in before
    assert ("Ana Ruiz", "behind_target") in before
    after = todo(tracker, "2026-11-25")
    assert ("Marcus Lee", "call_spoc") not in after
    assert not any(agent == "Ana Ruiz" for agent, _ in after)


def test_report_eod_counts_completion_from_its_date(tracker: Path) -> None:
    def totals(day: str) -> dict[str, int]:
        res = CliRunner().invoke(
            app, ["report", "eod", "--date", day, "-t", str(tracker), "-f", "json"]
        )
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)["totals"]  # type: ignore[no-any-return]

    day_before = totals("2026-11-24")
    assert (day_before["call_certs_complete"], day_before["tbts_complete"]) == (1, 0)
    assert (day_before["fully_complete"], day_before["outstanding"]) == (0, 2)
    that_day = totals("2026-11-25")
    assert (that_day["fully_complete"], that_day["outstanding"]) == (1, 1)


def test_explain_says_the_later_date_does_not_count_yet(tracker: Path) -> None:
    res = CliRunner().invoke(
        app, ["explain", "Marcus Lee", "--as-of", "2026-11-24", "-t", str(tracker)]
    )
    assert res.exit_code == 0, res.output
    assert "SPOC Called Date 11/25/2026 is after 11/24/2026: not called yet." in res.stdout


# -- the report's notes and access values, as of its day ----------------------------------------


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    from tests.support.paths import SAMPLE_DATA

    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


def _later(*args: str) -> None:
    """A command run on Sat 12/05/2026, after the day the report replays."""
    import time_machine

    with time_machine.travel(datetime(2026, 12, 5, 10, 0), tick=False):
        res = CliRunner().invoke(app, [*args, "--by", "Dana Cole"])
    assert res.exit_code == 0, res.output


def test_a_replayed_report_shows_no_note_written_after_its_day(sample: Path) -> None:
    _later("note", "add", "Marcus Lee", "Called, no answer", "--date", "2026-12-05")
    res = CliRunner().invoke(app, ["report", "eod", "--date", "2026-11-24", "-f", "text"])
    assert res.exit_code == 0, res.output
    marcus = res.stdout.split("- Marcus Lee (AET-1109)")[1].split("\n- ")[0]
    assert "Latest note: 11/23/2026 - Tom Alvarez - Agent says Citrix login fails" in marcus
    assert "12/05/2026" not in res.stdout


def test_a_replayed_report_counts_access_issues_as_they_were_that_day(sample: Path) -> None:
    def issues() -> dict[str, int]:
        res = CliRunner().invoke(app, ["report", "eod", "--date", "2026-11-24", "-f", "json"])
        assert res.exit_code == 0, res.output
        return dict(json.loads(res.stdout)["totals"]["access_issues"])

    before = issues()
    _later("access", "set", "Marcus Lee", "Equipment Issue")
    assert issues() == before
    today = CliRunner().invoke(app, ["report", "eod", "--date", "2026-12-05", "-f", "json"])
    assert json.loads(today.stdout)["totals"]["access_issues"] != before
