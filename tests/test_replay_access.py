"""A replayed day reads Citrix TBT Access and the SPOC columns as they were at its end: a
later `esp access set` changes neither the evening report of that day, nor its escalations,
nor how explain judges it (services.replay, docs/rules.md's replay rule)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from tests.support.paths import SAMPLE_DATA

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
