"""esp record-step: a step's date and a Notes line, in order or not at all."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.notes import appended
from esp_cli.core.rules import Step
from esp_cli.services.record import note_line, parse_step
from tests import escalation_tracker as et
from tests.factories import headers
from tests.factories import tracker as tracker_of

EARLIER_NOTES = "11/02/2026 - Jordan Reyes - Started AET-1.\n11/03/2026 - Dana Whitfield - TBTs  "


def agent(name: str, agent_id: str, steps: list[date | str | None]) -> et.Agent:
    return et.Agent(
        "AET-1",
        name,
        name,
        agent_id,
        date(2026, 11, 16),
        "No",
        "No",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        steps,
    )


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = et.build(
        tmp_path / "ESP Tracker.xlsx",
        [
            agent("Devon Price", "E100", [None, None, None, None]),
            agent("Ana Ruiz", "E101", [date(2026, 11, 19), None, None, None]),
            agent("Bo Chen", "E102", ["n/a", None, None, None]),
        ],
    )
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"]["T4"] = EARLIER_NOTES  # Devon's Notes: two lines, trailing spaces kept
    wb.save(path)
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "esp.toml"
    path.write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return path


def run(tracker: Path, *args: str, config: Path | None = None) -> Any:
    extra = ["--config", str(config)] if config else []
    return CliRunner().invoke(app, ["record-step", *args, "--tracker", str(tracker), *extra])


def cell(path: Path, ref: str) -> Any:
    value = openpyxl.load_workbook(path)["ESP Tracker"][ref].value
    return value.date() if isinstance(value, datetime) else value


def test_recording_in_order_writes_the_date_and_appends_a_note(tracker: Path, config: Path) -> None:
    res = run(
        tracker,
        "price, devon",
        "coaching",
        "--date",
        "2026-11-19",
        "--by",
        "Dana Whitfield",
        "--note",
        "Talked through  the TBT plan",
        config=config,
    )
    assert res.exit_code == 0, res.output
    assert cell(tracker, "P4") == date(2026, 11, 19)  # Coaching Date, a real date
    assert cell(tracker, "T4") == (
        EARLIER_NOTES + "\n11/19/2026 - Dana Whitfield - Coaching: Talked through the TBT plan"
    )
    assert "Next: the written CAP, due" in res.stderr and "backup:" in res.stderr

    res = run(tracker, "E100", "Written CAP", "--date", "2026-11-20", config=config)
    assert res.exit_code == 0, res.output
    assert cell(tracker, "Q4") == date(2026, 11, 20)
    lines = str(cell(tracker, "T4")).split("\n")
    assert lines[:2] == EARLIER_NOTES.split("\n")  # every earlier line exactly as it was
    assert lines[-1] == "11/20/2026 - Jordan Reyes - Written CAP delivered"  # config user
    # Only the two cells changed: the rest of the sheet is as it was.
    assert cell(tracker, "R4") is None and cell(tracker, "P5") == date(2026, 11, 19)


def test_out_of_order_is_refused_with_the_reason_and_the_file_untouched(tracker: Path) -> None:
    original = tracker.read_bytes()
    res = run(tracker, "Ana Ruiz", "final_cap", "--date", "2026-11-20", "--by", "Dana")
    assert res.exit_code == 1
    assert (
        "final CAP cannot be recorded before the written CAP (Written CAP Date is empty)"
        in res.stderr
    )
    res = run(tracker, "Ana Ruiz", "written_cap", "--date", "2026-11-18", "--by", "Dana")
    assert res.exit_code == 1
    assert "cannot be recorded on 11/18/2026, before the coaching recorded 11/19/2026" in (
        res.stderr
    )
    res = run(tracker, "Bo Chen", "written_cap", "--date", "2026-11-20", "--by", "Dana")
    assert res.exit_code == 1 and "Coaching Date cannot be read" in res.stderr
    res = run(tracker, "Bo Chen", "coaching", "--date", "2026-11-20", "--by", "Dana")
    assert res.exit_code == 1 and "holds 'n/a', which is not a date" in res.stderr
    res = run(tracker, "Ana Ruiz", "coaching", "--date", "2026-11-20", "--by", "Dana")
    assert res.exit_code == 1 and "already recorded on 11/19/2026" in res.stderr
    assert res.stdout == ""
    assert tracker.read_bytes() == original


def test_the_same_step_twice_adds_the_note_line_once(tracker: Path) -> None:
    args = ("Devon Price", "coaching", "--date", "2026-11-19", "--by", "Dana Whitfield")
    assert run(tracker, *args).exit_code == 0
    written = tracker.read_bytes()
    res = run(tracker, *args)
    assert res.exit_code == 0, res.output
    assert "already says so; nothing written" in res.stderr
    assert tracker.read_bytes() == written
    notes = str(cell(tracker, "T4"))
    assert notes.count("11/19/2026 - Dana Whitfield - Documented coaching delivered") == 1


def test_a_date_typed_by_hand_gets_its_note_without_rewriting_the_date(tracker: Path) -> None:
    res = run(tracker, "Ana Ruiz", "coaching", "--date", "2026-11-19", "--by", "Dana", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["date_written"] is False and data["note_added"] is True
    assert [c["column"] for c in data["changes"]] == ["Notes"]


def test_dry_run_shows_the_changes_and_writes_nothing(tracker: Path) -> None:
    original = tracker.read_bytes()
    res = run(
        tracker,
        "E100",
        "coaching",
        "--date",
        "2026-11-19",
        "--by",
        "Dana",
        "--dry-run",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dry_run"] is True and data["backup"] is None
    assert [(c["cell"], c["old"], c["new"]) for c in data["changes"]][0] == (
        "P4",
        None,
        "2026-11-19",
    )
    assert data["changes"][1]["new"].endswith("\n11/19/2026 - Dana - Documented coaching delivered")
    assert tracker.read_bytes() == original


def test_no_author_is_a_clear_error(tracker: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    original = tracker.read_bytes()
    res = run(tracker, "E100", "coaching", "--date", "2026-11-19", config=empty)
    assert res.exit_code == 2
    assert "--by" in res.stderr and "[people] user" in res.stderr
    assert tracker.read_bytes() == original


def test_bad_step_future_date_and_unknown_agent(tracker: Path) -> None:
    res = run(tracker, "E100", "promotion", "--by", "Dana")
    assert (
        res.exit_code == 2 and 'coaching, "written CAP", "final CAP" or "term review"' in res.stderr
    )
    res = run(tracker, "E100", "coaching", "--date", "2099-01-05", "--by", "Dana")
    assert res.exit_code == 2 and "is in the future" in res.stderr
    res = run(tracker, "Devn Price", "coaching", "--by", "Dana")
    assert res.exit_code == 3 and "Devon Price — class AET-1" in res.stderr


def test_recording_refreshes_the_computed_columns_when_the_sheet_has_them(tracker: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["escalations", "-t", str(tracker), "--write"]).exit_code == 0
    res = run(tracker, "E100", "coaching", "--date", "2026-11-19", "--by", "Dana")
    assert res.exit_code == 0, res.output
    # What the sheet says now is what esp escalations computes today.
    status = runner.invoke(app, ["escalations", "-t", str(tracker), "-f", "json"])
    devon = next(s for s in json.loads(status.stdout) if s["agent"] == "Devon Price")
    assert cell(tracker, "V4") == devon["stage"] != "Coaching due"
    assert cell(tracker, "W4") == devon["next_action"]


@pytest.mark.parametrize(
    ("typed", "step"),
    [
        ("coaching", Step.COACHING),
        ("Written CAP", Step.WRITTEN_CAP),
        ("written-cap", Step.WRITTEN_CAP),
        ("FINAL_CAP", Step.FINAL_CAP),
        ("term review", Step.TERM_REVIEW),
        ("term", Step.TERM_REVIEW),
    ],
)
def test_parse_step(typed: str, step: Step) -> None:
    assert parse_step(typed) is step


def test_note_line_format_and_append() -> None:
    line = note_line(date(2026, 11, 5), "  Dana   Whitfield ", Step.FINAL_CAP, " late  again ")
    assert line == "11/05/2026 - Dana Whitfield - Final CAP: late again"
    assert appended("a\nb  ", line) == "a\nb  \n" + line
    assert appended("a\n" + line, line) is None


# -- the ladder's timing ------------------------------------------------------------------------
# Devon's ESP Start Date is Mon 11/16/2026: the coaching is due on clock day 3, Thu 11/19.


def test_a_coaching_before_clock_day_three_is_refused_with_its_due_date(tracker: Path) -> None:
    original = tracker.read_bytes()
    res = run(tracker, "E100", "coaching", "--date", "2026-11-18", "--by", "Dana")
    assert res.exit_code == 1
    assert res.stdout == ""
    assert (
        "the coaching is not due until Thu 11/19/2026 (3 business days after the ESP Start Date); "
        "11/18/2026 is before it." in res.stderr
    )
    assert "--early --reason" in res.stderr
    assert tracker.read_bytes() == original


def test_a_step_on_the_same_day_as_the_one_before_is_refused(tracker: Path) -> None:
    # Ana's coaching is recorded Thu 11/19: the written CAP is due Fri 11/20.
    original = tracker.read_bytes()
    res = run(tracker, "Ana Ruiz", "written_cap", "--date", "2026-11-19", "--by", "Dana")
    assert res.exit_code == 1
    assert (
        "the written CAP is not due until Fri 11/20/2026 (the business day after the coaching "
        "recorded 11/19/2026)" in res.stderr
    )
    assert tracker.read_bytes() == original
    res = run(tracker, "Ana Ruiz", "written_cap", "--date", "2026-11-20", "--by", "Dana")
    assert res.exit_code == 0, res.output
    res = run(tracker, "Ana Ruiz", "final_cap", "--date", "2026-11-20", "--by", "Dana")
    assert res.exit_code == 1
    assert "the final CAP is not due until Mon 11/23/2026" in res.stderr
    assert cell(tracker, "R5") is None


def test_early_with_a_reason_records_it_and_notes_why(tracker: Path) -> None:
    res = run(
        tracker, "E100", "coaching", "--date", "2026-11-18", "--by", "Dana",
        "--early", "--reason", "agent  leaves on Thursday", "-f", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["early"] is True and data["due"] == "2026-11-19"
    assert data["early_reason"] == "agent leaves on Thursday"
    assert "Recorded early: the coaching was due Thu 11/19/2026" in res.stderr
    assert cell(tracker, "P4") == date(2026, 11, 18)
    assert str(cell(tracker, "T4")).endswith(
        "\n11/18/2026 - Dana - Documented coaching delivered; early (due 11/19/2026): "
        "agent leaves on Thursday"
    )


def test_a_step_on_or_after_its_due_date_needs_no_reason(tracker: Path) -> None:
    res = run(tracker, "E100", "coaching", "--date", "2026-11-19", "--by", "Dana", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["early"] is False and data["early_reason"] is None
    assert "early" not in str(cell(tracker, "T4")).split("\n")[-1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--early"], "--early needs a reason"), (["--reason", "x"], "--reason goes with --early")],
)
def test_early_and_reason_go_together(tracker: Path, extra: list[str], message: str) -> None:
    original = tracker.read_bytes()
    res = run(tracker, "E100", "coaching", "--date", "2026-11-18", "--by", "Dana", *extra)
    assert res.exit_code == 2
    assert message in res.stderr
    assert tracker.read_bytes() == original


@pytest.mark.parametrize(
    ("who", "step", "day", "why"),
    [
        ("Devon Price", "coaching", "2026-11-21", "a Saturday"),
        ("Ana Ruiz", "written_cap", "2026-11-26", "Thanksgiving Day"),
        ("Devon Price", "coaching", "2026-11-23", None),
    ],
)
def test_a_step_dated_on_a_weekend_or_holiday_is_recorded_with_a_warning(
    tracker: Path, who: str, step: str, day: str, why: str | None
) -> None:
    res = run(tracker, who, step, "--date", day, "--by", "Dana", "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout).get("not_a_business_day") == why
    if why is None:
        assert "not a business day" not in res.stderr
    else:
        assert f"is not a business day ({why}): the " in res.stderr


# -- a ladder esp cannot add to: dates out of order, before the clock start, an agent complete ---

LADDER_KEYS = (
    "class", "agent_name", "agent_id", "esp_start", "call_cert_complete", "call_cert_date",
    "tbts_complete", "tbt_complete_date", "coaching_date", "written_cap_date", "final_cap_date",
    "term_review_date", "notes",
)  # fmt: skip
LH = dict(zip(LADDER_KEYS, headers(*LADDER_KEYS), strict=True))
NOV20 = date(2026, 11, 20)  # a Friday: coaching due Wed 11/25 (Thanksgiving Thu 11/26)
AFTER = "2026-12-07 17:00"  # the day these tests run on: every date below has passed


def ladder_agent(name: str, agent_id: str, **values: Any) -> dict[str, Any]:
    row = {
        LH["class"]: "AET-4",
        LH["agent_name"]: name,
        LH["agent_id"]: agent_id,
        LH["esp_start"]: NOV20,
        LH["call_cert_complete"]: "No",
        LH["tbts_complete"]: "No",
    }
    row.update({LH[k]: v for k, v in values.items()})
    return row


LADDER_AGENTS = [
    ladder_agent("Rey Versed", "Y4", coaching_date=date(2026, 11, 30),
                 written_cap_date=date(2026, 11, 27)),  # row 3
    ladder_agent("Yara Typo", "Y1", coaching_date=date(2025, 11, 25)),  # row 4
    ladder_agent("Gus Rehire", "Y2", esp_start=date(2026, 12, 31),
                 coaching_date=date(2026, 11, 25), written_cap_date=date(2026, 11, 27)),  # row 5
    ladder_agent("Hal Precoach", "Y3", esp_start=date(2026, 12, 1),
                 coaching_date=date(2026, 11, 25)),  # row 6
    ladder_agent("Lee Late", "L2", call_cert_complete="Yes", call_cert_date=date(2026, 11, 27),
                 tbts_complete="Yes", tbt_complete_date=date(2026, 11, 30),
                 coaching_date=date(2026, 11, 25)),  # row 7
    ladder_agent("Al Done", "N4", call_cert_complete="Yes", tbts_complete="Yes"),  # row 8
    ladder_agent("Nora Start", "N1", esp_start=None),  # row 9
    ladder_agent("Bea Start", "N2", esp_start="TBD"),  # row 10
    ladder_agent("May Done", "N3", call_cert_complete="Perhaps", tbts_complete="Yes"),  # row 11
    ladder_agent("Fern Fresh", "F1"),  # row 12
    ladder_agent("Ona Date", "O1", call_cert_complete="Yes", call_cert_date=date(2026, 11, 24),
                 tbts_complete="Yes"),  # row 13: the TBTs' yes has no date
    ladder_agent("Sam Skip", "S1", coaching_date=date(2026, 11, 25),
                 final_cap_date=date(2026, 11, 30)),  # row 14: the written CAP left empty
    ladder_agent("Sal Skip", "S2", coaching_date=date(2026, 11, 30),
                 final_cap_date=date(2026, 11, 25)),  # row 15: and the final CAP before
    ladder_agent("Kim Ok", "K1", coaching_date=date(2026, 11, 25),
                 written_cap_date=date(2026, 11, 27)),  # row 16: in order
    ladder_agent("Bo Gap", "B1", written_cap_date=date(2026, 11, 25)),  # row 17: no coaching
]  # fmt: skip


@pytest.fixture
def ladder_book(tmp_path: Path) -> Path:
    return tracker_of(tmp_path / "ESP Tracker.xlsx", LADDER_AGENTS, headers=tuple(LH.values()))


def record(book: Path, *args: str) -> Any:
    with time_machine.travel(AFTER, tick=False):
        return run(book, *args, "--by", "Dana")


def test_a_step_on_a_ladder_out_of_order_is_refused_naming_both_cells(ladder_book: Path) -> None:
    original = ladder_book.read_bytes()
    res = record(ladder_book, "Rey Versed", "final_cap", "--date", "2026-11-30")
    assert res.exit_code == 1, res.output
    assert (
        "Rey Versed (ESP Tracker!row 3): Written CAP Date 11/27/2026 is before Coaching Date "
        "11/30/2026: the final CAP cannot be recorded until the ladder's dates are corrected."
    ) in res.stderr
    assert (
        "correct whichever of the Coaching Date and the Written CAP Date is wrong in Excel"
    ) in res.stderr
    assert ladder_book.read_bytes() == original


@pytest.mark.parametrize(
    ("who", "step", "day", "said"),
    [
        # A year typed wrong: the coaching does not count, so no written CAP on it.
        ("Yara Typo", "written_cap", "2026-12-01",
         "Yara Typo (ESP Tracker!row 4): Coaching Date 11/25/2025 is before the clock start, "
         "Fri 11/20/2026 (ESP Start Date): the written CAP cannot be recorded"),
        # A re-hire whose clock has not started: the old enrolment's steps are still there.
        ("Gus Rehire", "final_cap", "2026-12-04",
         "Gus Rehire (ESP Tracker!row 5): Coaching Date 11/25/2026 is before the clock start, "
         "Thu 12/31/2026 (ESP Start Date)"),
        # A coaching dated before the clock start is not changed by recording another date.
        ("Hal Precoach", "coaching", "2026-12-04",
         "Hal Precoach (ESP Tracker!row 6): Coaching Date 11/25/2026 is before the clock start, "
         "Tue 12/01/2026 (ESP Start Date): the coaching cannot be recorded"),
    ],
)  # fmt: skip
def test_a_step_after_one_dated_before_the_clock_start_is_refused(
    ladder_book: Path, who: str, step: str, day: str, said: str
) -> None:
    original = ladder_book.read_bytes()
    res = record(ladder_book, who, step, "--date", day)
    assert res.exit_code == 1, res.output
    assert said in res.stderr
    assert "Fix:" in res.stderr
    assert ladder_book.read_bytes() == original


def test_a_step_dated_before_the_clock_start_is_refused_even_early(ladder_book: Path) -> None:
    original = ladder_book.read_bytes()
    res = record(ladder_book, "Fern Fresh", "coaching", "--date", "2026-11-19",
                 "--early", "--reason", "leaves soon")  # fmt: skip
    assert res.exit_code == 1, res.output
    assert (
        "the coaching cannot be recorded on 11/19/2026, before the clock start, Fri 11/20/2026 "
        "(ESP Start Date)"
    ) in res.stderr
    assert ladder_book.read_bytes() == original


def test_a_step_for_an_agent_complete_on_its_date_is_refused(ladder_book: Path) -> None:
    original = ladder_book.read_bytes()
    res = record(ladder_book, "Lee Late", "written_cap", "--date", "2026-12-01")
    assert res.exit_code == 1, res.output
    assert "Lee Late is complete as of Tue 12/01/2026" in res.stderr
    assert "no ladder step to record" in res.stderr
    res = record(ladder_book, "Al Done", "coaching", "--date", "2026-12-01")
    assert res.exit_code == 1 and "Al Done is complete as of" in res.stderr
    assert ladder_book.read_bytes() == original
    # Recorded late, for a day the agent was still not complete: recorded.
    res = record(ladder_book, "Lee Late", "written_cap", "--date", "2026-11-27")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("command", ["record-step", "document"])
@pytest.mark.parametrize("day", ["2026-12-01", "2026-11-27", "2026-11-20"])
def test_a_step_no_date_can_fit_is_refused_with_the_cells_to_correct(
    ladder_book: Path, tmp_path: Path, command: str, day: str
) -> None:
    original = ladder_book.read_bytes()
    with time_machine.travel(AFTER, tick=False):
        res = CliRunner().invoke(app, [
            command, "Sal Skip", "written_cap", "--date", day, "--tracker", str(ladder_book),
            *(["--out", str(tmp_path)] if command == "document" else []), "--by", "Dana",
        ])  # fmt: skip
    assert res.exit_code == 1, res.output
    said, fix = res.stderr.split("Fix:", 1)
    assert "Sal Skip (ESP Tracker!row 15)" in said
    assert "Final CAP Date 11/25/2026 is before Coaching Date 11/30/2026" in said
    assert "correct whichever of the Coaching Date and the Final CAP Date is wrong in Excel" in fix
    assert "--date" not in fix and "record the earlier step" not in fix
    assert ladder_book.read_bytes() == original


def test_the_step_a_ladder_skipped_is_recorded_and_none_after_it(ladder_book: Path) -> None:
    original = ladder_book.read_bytes()
    res = record(ladder_book, "Sam Skip", "term_review", "--date", "2026-12-01")
    assert res.exit_code == 1, res.output
    said, fix = res.stderr.split("Fix:", 1)
    assert "Final CAP Date 11/30/2026 is recorded but Written CAP Date is empty" in said
    assert "record the written CAP" in fix
    assert ladder_book.read_bytes() == original
    res = record(ladder_book, "Sam Skip", "written_cap", "--date", "2026-11-27")
    assert res.exit_code == 0, res.output
    assert cell(ladder_book, "J14") == date(2026, 11, 27)


@pytest.mark.parametrize("command", ["record-step", "document"])
@pytest.mark.parametrize(
    ("who", "cells"),
    [
        ("Ona Date", "TBT Complete Date (ESP Tracker!row 13)"),
        ("Al Done", "Call Cert Complete Date and TBT Complete Date (ESP Tracker!row 8)"),
    ],
)
def test_a_complete_agent_without_a_complete_date_is_told_to_fill_it_in(
    ladder_book: Path, tmp_path: Path, command: str, who: str, cells: str
) -> None:
    original = ladder_book.read_bytes()
    with time_machine.travel(AFTER, tick=False):
        res = CliRunner().invoke(app, [
            command, who, "coaching", "--date", "2026-11-25", "--tracker", str(ladder_book),
            *(["--out", str(tmp_path)] if command == "document" else []), "--by", "Dana",
        ])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert f"{who} is complete as of Wed 11/25/2026" in res.stderr
    fix = res.stderr.split("Fix:", 1)[1]
    assert "a yes without a date counts as complete on every day" in fix
    assert f"fill in {cells}" in fix, fix
    assert "check Call Cert Complete?" not in fix
    assert ladder_book.read_bytes() == original


@pytest.mark.parametrize(
    ("who", "said"),
    [
        ("Nora Start", "ESP Start Date is empty"),
        ("Bea Start", "ESP Start Date cannot be read"),
        ("May Done", "Call Cert Complete? cannot be read"),
    ],
)
def test_a_step_for_an_agent_whose_ladder_cannot_be_checked_is_refused(
    ladder_book: Path, who: str, said: str
) -> None:
    original = ladder_book.read_bytes()
    res = record(ladder_book, who, "coaching", "--date", "2026-12-01")
    assert res.exit_code == 1, res.output
    assert f"{who}: the escalation ladder cannot be evaluated ({said})" in res.stderr
    assert ladder_book.read_bytes() == original


def test_the_command_and_esp_document_refuse_the_same_steps(
    ladder_book: Path, tmp_path: Path
) -> None:
    config = tmp_path / "esp.toml"
    config.write_text('[people]\nuser = "Dana"\n', encoding="utf-8")
    for who, step in (("Rey Versed", "final_cap"), ("Yara Typo", "written_cap"),
                      ("Lee Late", "written_cap"), ("Nora Start", "coaching"),
                      ("May Done", "coaching")):  # fmt: skip
        args = (who, step, "--date", "2026-12-01", "--tracker", str(ladder_book),
                "--config", str(config))  # fmt: skip
        with time_machine.travel(AFTER, tick=False):
            recorded = CliRunner().invoke(app, ["record-step", *args, "--dry-run"])
            documented = CliRunner().invoke(
                app, ["document", *args, "--out", str(tmp_path / "d"), "--dry-run"]
            )
        assert recorded.exit_code == documented.exit_code == 1, (who, recorded.output)
        assert recorded.stderr.split(":")[:2] == documented.stderr.split(":")[:2], who


def test_a_step_cell_holding_nan_is_named_as_esp_shows_it(tmp_path: Path) -> None:
    """A program other than Excel may write `<v>NaN</v>` in Luis Ramirez's Coaching Date
    (V15): the refusal names the cell as every message does, `NaN`."""
    from tests.test_doctor import sample_holding

    path = sample_holding(tmp_path, V15=b"NaN")
    original = path.read_bytes()
    res = run(path, "Luis Ramirez", "coaching", "--date", "2026-11-20", "--by", "Dana")
    assert res.exit_code == 1
    assert "holds NaN, which is not a date" in res.stderr
    assert path.read_bytes() == original


def test_a_step_before_the_step_recorded_before_it_is_told_to_give_its_own_date(
    ladder_book: Path,
) -> None:
    # The written CAP is recorded: the fix is the final CAP's date, or the written CAP's.
    original = ladder_book.read_bytes()
    res = record(ladder_book, "Kim Ok", "final_cap", "--date", "2026-11-26", "--dry-run")
    assert res.exit_code == 1, res.output
    assert res.stderr == (
        "esp: Kim Ok (ESP Tracker!row 16, Final CAP Date): final CAP cannot be recorded on "
        "11/26/2026, before the written CAP recorded 11/27/2026. Fix: give the date the final "
        "CAP was delivered (--date, on or after 11/27/2026), or correct the Written CAP Date "
        "in Excel if it is wrong.\n"
    )
    assert ladder_book.read_bytes() == original


def test_a_step_after_a_later_step_recorded_names_the_cell_and_the_fix_of_the_ladder(
    ladder_book: Path, tmp_path: Path
) -> None:
    # The written CAP is recorded while the coaching is empty: as escalations -v says it,
    # with the cell, and no --date (which with --due would be every agent's).
    fix = (
        "Fix: record the coaching if it was delivered (on or before 11/25/2026), or correct "
        "the Written CAP Date in Excel."
    )
    res = record(ladder_book, "Bo Gap", "coaching", "--date", "2026-11-30", "--dry-run")
    assert res.exit_code == 1, res.output
    assert res.stderr == (
        "esp: Bo Gap (ESP Tracker!row 17, Coaching Date): the written CAP is recorded on "
        f"11/25/2026, before 11/30/2026: the coaching cannot come after it. {fix}\n"
    )
    with time_machine.travel(AFTER, tick=False):
        res = CliRunner().invoke(app, [
            "document", "--due", "--as-of", "2026-11-30", "--out", str(tmp_path / "d"),
            "--tracker", str(ladder_book), "--by", "Dana",
        ])  # fmt: skip
    (line,) = [line for line in res.stderr.splitlines() if "Bo Gap" in line]
    assert "Bo Gap (ESP Tracker!row 17, Coaching Date): the written CAP is recorded" in line
    assert line.endswith(fix)
    lines = CliRunner().invoke(app, [
        "escalations", "--as-of", "2026-11-30", "-v", "--tracker", str(ladder_book),
    ]).stderr.splitlines()  # fmt: skip
    assert any(ln.startswith("warning: Bo Gap") and ln.endswith(fix) for ln in lines)


def test_a_column_added_by_the_step_is_said_after_the_write_as_in_the_dry_run(
    tmp_path: Path,
) -> None:
    """A tracker with no Coaching Date column: the dry run says it would add it, and the
    write says it added it (as every other write does)."""
    cols = headers(
        "class", "agent_name", "agent_id", "esp_start", "call_cert_complete", "tbts_complete",
        "notes",
    )  # fmt: skip
    values = ["AET-1", "Devon Price", "E100", date(2026, 11, 16), "No", "No", None]
    path = tracker_of(
        tmp_path / "ESP Tracker.xlsx", [dict(zip(cols, values, strict=True))], headers=cols
    )
    args = ("Devon Price", "coaching", "--date", "2026-11-19", "--by", "Dana")
    dry = run(path, *args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would add column ESP Tracker!H 'Coaching Date'." in dry.stderr
    res = run(path, *args)
    assert res.exit_code == 0, res.output
    assert "Added column ESP Tracker!H 'Coaching Date'." in res.stderr
    assert cell(path, "H2") == "Coaching Date" and cell(path, "H3") == date(2026, 11, 19)
