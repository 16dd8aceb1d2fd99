"""Of two headers naming a yes/no column (All TBTs Complete?, Call Cert Complete?, Searched
by Course Number), the headers decide (esp.toml mapping, the tracker's block, how exactly
each names it, a header naming a count below every other, then the first); the agents'
cells set that pick aside only when it cannot be the flag: it holds counts or dates, or it
is empty in every agent's row while another holds Yes or No in half of them or more. Every
command makes the same choice and says it in the same words, once; a Yes or No written
takes the form of the column's own Yes or No cells, and a value its drop-down allows."""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from esp_cli.core import columns
from esp_cli.core.values import ErrorValue, Unreadable
from esp_cli.workbook.tracker import read_cell, read_table
from esp_cli.workbook.xlsx.workbook import Workbook

from .test_exact_headers import run

# The sample's All TBTs Complete? and the column right of its last header (AC).
FLAG, EXTRA = 15, 29
_HEADER = 4


def _agents(ws: Any) -> list[int]:
    return [r for r in range(_HEADER + 1, ws.max_row + 1) if ws.cell(r, 2).value is not None]


def _done_first(ws: Any, n: int, flag: Any = "Yes", other: Any = None) -> None:
    """All TBTs Complete? holding `flag` for the first `n` agents done, `other` for the rest
    (Yes typed as each is done: blank until then)."""
    k = 0
    for r in _agents(ws):
        v = ws.cell(r, FLAG).value
        if isinstance(v, str) and v.strip().lower() == "yes" and k < n:
            k += 1
            ws.cell(r, FLAG).value = flag
        else:
            ws.cell(r, FLAG).value = other


def _column(ws: Any, c: int, header: str, value: Callable[[int], Any]) -> None:
    ws.cell(_HEADER, c).value = header
    for i, r in enumerate(_agents(ws)):
        ws.cell(r, c).value = value(i)


def _edit(folder: Path, change: Callable[[Any], None]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")
    change(wb.worksheets[0])
    wb.save(folder / "ESP Tracker.xlsx")


def _flag(folder: Path) -> tuple[int, int]:
    """The column read as All TBTs Complete? and how many agents it makes complete."""
    (sheet, *_) = read_table(Workbook.open(folder / "ESP Tracker.xlsx"), keys=None).sheets
    return sheet.columns["tbts_complete"], sum(r.get("tbts_complete") is True for r in sheet.rows)


def _proof_written(folder: Path) -> str:
    """What `esp tbt proofs` would write for Kayla Brooks (row 43): its table line."""
    proofs = folder / "pf"
    proofs.mkdir()
    pdf = (folder / "tbt-proofs" / "Hector Vargas TBT.pdf").read_bytes()
    (proofs / "Kayla Brooks TBT.pdf").write_bytes(pdf.replace(b"Hector Vargas", b"Kayla Brooks"))
    res = run("tbt", "proofs", "pf", "--by", "Jordan Reyes", "-n")
    assert res.exit_code == 0, res.output
    return next(line for line in res.stdout.splitlines() if "Kayla Brooks" in line and "43" in line)


@pytest.mark.parametrize(
    ("header", "value", "hidden"),
    [
        ("All TBTs Complete", "No", True),  # a template column, No everywhere, hidden
        ("TBT Complete", "-", False),  # placeholders
        ("TBT Complete", "Pending", False),
        ("TBT Complete", "Yes", True),  # left over from a finished class
    ],
    ids=["hidden-No", "dashes", "pending", "hidden-Yes"],
)
def test_a_stale_column_of_one_value_never_beats_the_teams_flag_filled_when_done(
    sample: Path, header: str, value: str, hidden: bool
) -> None:
    """The team types Yes as each agent is done (12 so far); another header naming the flag
    holds one value in every row: the team's column is read, and written."""

    def change(ws: Any) -> None:
        _done_first(ws, 12)
        _column(ws, EXTRA, header, lambda _: value)
        ws.column_dimensions["AC"].hidden = hidden

    _edit(sample, change)
    assert _flag(sample) == (FLAG, 12)
    assert "ESP Tracker!O43" in _proof_written(sample)


@pytest.mark.parametrize("done", [12, 0], ids=["some-done", "none-done"])
def test_a_header_naming_a_count_never_beats_the_flag(sample: Path, done: int) -> None:
    """'TBTs Complete' holding 0 and 1 (a count so far) beside the team's 'All TBTs
    Complete' (no '?') holding Yes for those done, or still empty: the flag is read, and no
    Yes is written over the count."""

    def change(ws: Any) -> None:
        _done_first(ws, done)
        ws.cell(_HEADER, FLAG).value = "All TBTs Complete"
        _column(ws, EXTRA, "TBTs Complete", lambda i: 1 if i % 7 == 0 else 0)

    _edit(sample, change)
    assert _flag(sample) == (FLAG, done)
    assert "ESP Tracker!O43" in _proof_written(sample)


@pytest.mark.parametrize("typed", [("Yes", "No"), ("Yes", "Yes")], ids=["yes-and-no", "two-yes"])
def test_the_teams_flag_in_use_beats_a_column_just_added_under_the_exact_header(
    sample: Path, typed: tuple[str, str]
) -> None:
    """The team's flag headed 'TBTs Complete' holds Yes and No for every agent; a new
    'All TBTs Complete?' column right of the tracker holds two answers so far: the team's
    column is read (its words say it is no count), and the proof is written in it."""

    def change(ws: Any) -> None:
        ws.cell(_HEADER, FLAG).value = "TBTs Complete"
        for r in _agents(ws):
            if ws.cell(r, FLAG).value in (None, ""):
                ws.cell(r, FLAG).value = "No"
        ws.cell(_HEADER, EXTRA).value = "All TBTs Complete?"
        first, second = _agents(ws)[:2]
        ws.cell(first, EXTRA).value, ws.cell(second, EXTRA).value = typed

    _edit(sample, change)
    column, done = _flag(sample)
    assert column == FLAG and done > 12
    assert "ESP Tracker!O43" in _proof_written(sample)


def test_a_class_summary_touching_the_tracker_is_not_read_for_an_empty_flag(
    sample: Path,
) -> None:
    """Three Yes/No cells of a class summary in the tracker's header row, the team's flag
    still empty: the flag is read (three answers among 67 agents' rows is no column the
    agents fill), and the proof goes into it."""

    def change(ws: Any) -> None:
        _done_first(ws, 0)
        for c, text in enumerate(["Class Summary", "Agents", "All TBTs Complete?"], start=EXTRA):
            ws.cell(_HEADER, c).value = text
        for i, row in enumerate([("AET-1102", 24, "Yes"), ("AET-1109", 25, "No")]):
            for c, v in enumerate(row, start=EXTRA):
                ws.cell(5 + i, c).value = v

    _edit(sample, change)
    assert _flag(sample) == (FLAG, 0)
    assert "ESP Tracker!O43" in _proof_written(sample)


def test_one_stray_answer_does_not_move_the_flag(sample: Path) -> None:
    def change(ws: Any) -> None:
        _done_first(ws, 0)
        ws.cell(_HEADER, EXTRA).value = "TBT Complete"
        ws.cell(10, EXTRA).value = "No"

    _edit(sample, change)
    assert _flag(sample) == (FLAG, 0)
    assert "ESP Tracker!O43" in _proof_written(sample)


def test_a_flag_of_1s_and_0s_beats_an_empty_question_header(sample: Path) -> None:
    """The team's 'All TBTs Complete' of 1s and 0s and an empty 'TBTs Complete?' at the end
    of the header row: the first of two exact headers, the filled one, is read."""

    def change(ws: Any) -> None:
        ws.cell(_HEADER, FLAG).value = "All TBTs Complete"
        ws.data_validations.dataValidation = []
        for r in _agents(ws):
            v = ws.cell(r, FLAG).value
            ws.cell(r, FLAG).value = 1 if isinstance(v, str) and v.lower() == "yes" else 0
        ws.cell(_HEADER, ws.max_column + 1).value = "TBTs Complete?"

    _edit(sample, change)
    column, complete = _flag(sample)
    assert column == FLAG and complete > 30


@pytest.mark.parametrize(
    ("flags", "count"),
    [
        ("kept", lambda i, done: 2 if i == 40 else (1 if i % 3 == 0 else 0)),  # 0/1 so far
        ("kept", lambda i, done: 5 if done else 2),  # a count beside the flag
        ("empty", lambda i, done: (i % 6) + 2),  # the flag just added, still empty
    ],
    ids=["count-of-0-and-1", "count-beside-flag", "empty-flag-beside-count"],
)
def test_a_count_beside_all_tbts_complete_y_n_is_never_the_flag(
    sample: Path, flags: str, count: Callable[[int, bool], Any]
) -> None:
    def change(ws: Any) -> None:
        ws.cell(_HEADER, FLAG).value = "All TBTs Complete (Y/N)"
        done = [ws.cell(r, FLAG).value == "Yes" for r in _agents(ws)]
        if flags == "empty":
            _done_first(ws, 0)
        _column(ws, EXTRA, "TBTs Complete", lambda i: count(i, done[i]))

    _edit(sample, change)
    (sheet, *_) = read_table(Workbook.open(sample / "ESP Tracker.xlsx"), keys=None).sheets
    assert sheet.columns["tbts_complete"] == FLAG
    assert sheet.not_answers == {}
    assert "ESP Tracker!O43" in _proof_written(sample)


def test_an_empty_pick_beside_a_filled_column_is_set_aside_and_said(sample: Path) -> None:
    """The exact header empty in every agent's row, 'TBT Complete' holding Yes or No in all
    of them: the filled one is read, and the line says why."""

    def change(ws: Any) -> None:
        ws.cell(_HEADER, FLAG).value = "TBT Complete"
        ws.cell(_HEADER, EXTRA).value = "All TBTs Complete?"

    _edit(sample, change)
    column, complete = _flag(sample)
    assert column == FLAG and complete > 30
    res = run("escalations", "--as-of", "2026-11-24", "-f", "json")
    assert "esp reads 'ESP Tracker'!O4 (by what the agents' cells hold — O: a Yes or a No in" in (
        res.stderr
    )
    assert "AC: empty in every agent's row" in res.stderr


def _stale(ws: Any) -> None:
    _done_first(ws, 12)
    _column(ws, EXTRA, "All TBTs Complete", lambda _: "No")
    ws.column_dimensions["AC"].hidden = True


def _chosen_by_cells(ws: Any) -> None:
    ws.cell(_HEADER, FLAG).value = "TBT Complete"
    ws.cell(_HEADER, EXTRA).value = "All TBTs Complete?"


@pytest.mark.parametrize("layout", [_stale, _chosen_by_cells], ids=["headers", "cells"])
@pytest.mark.parametrize(
    "command",
    [
        ("note", "add", "Maria Gonzalez", "test", "-n"),
        ("progress", "import", "-n"),
        ("sync-nnumbers", "-n"),
        ("escalations", "--as-of", "2026-11-24", "-f", "json"),
        ("explain", "Maria Gonzalez", "--as-of", "2026-11-24"),
    ],
    ids=["note-add", "progress-import", "sync-nnumbers", "escalations", "explain"],
)
def test_every_command_makes_the_same_choice_and_says_it_once(
    sample: Path, layout: Callable[[Any], None], command: tuple[str, ...]
) -> None:
    _edit(sample, layout)
    res = run(*command)
    assert res.exit_code in (0, 1), res.output
    said = res.stderr.count("both name the All TBTs Complete? column") + res.stderr.count(
        "another 'All TBTs Complete?' column, set aside"
    )
    # Said once by every command, reading or writing: the column read changes every
    # agent's answer, whichever chose it.
    assert said == 1, res.stderr
    assert "esp reads 'ESP Tracker'!AC4" not in res.stderr
    assert "esp uses column AC" not in res.stderr


# -- the form written ------------------------------------------------------------------------


def test_the_form_of_yes_comes_from_the_yes_cells() -> None:
    ones = columns.tally([*[1] * 10, *["No"] * 62])
    assert (ones.form(True), ones.form(False)) == (1, "No")
    tie = columns.tally([*[1] * 36, *["No"] * 36])
    assert tie.form(True) == 1
    trues = columns.tally([*[True] * 10, *["No"] * 62])
    assert trues.form(True) is True
    words = columns.tally([*["Yes"] * 12, *[0] * 60])
    assert (words.form(True), words.form(False)) == ("Yes", 0)
    # No Yes cell: from the No's form.
    assert columns.tally([0, 0, None]).form(True) == 1
    assert columns.tally([False, False]).form(True) is True
    assert columns.tally(["No", "No"]).form(True) == "Yes"


@pytest.mark.parametrize(
    ("yes", "no", "dropdown", "written"),
    [
        (1, "No", False, "No → 1"),
        (True, "No", False, "No → TRUE"),
        ("Yes", 0, True, "0 → Yes"),  # under the drop-down Yes,No: never 1
        (1, 0, True, "0 → Yes"),  # the drop-down allows no 1
    ],
    ids=["ones-and-No", "TRUEs-and-No", "Yes-and-0s", "1-0-under-drop-down"],
)
def test_tbt_proofs_writes_yes_as_the_yes_cells_and_the_drop_down_have_it(
    sample: Path, yes: Any, no: Any, dropdown: bool, written: str
) -> None:
    def change(ws: Any) -> None:
        _done_first(ws, 10, yes, no)
        if not dropdown:
            ws.data_validations.dataValidation = []

    _edit(sample, change)
    assert written in _proof_written(sample)


# -- a header set aside in a hidden column -----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("escalations", "--as-of", "2026-11-24", "-f", "json"),
        ("note", "add", "Maria Gonzalez", "x"),
    ],
    ids=["escalations", "note-add"],
)
def test_a_flag_header_set_aside_in_a_hidden_column_is_said_hidden(
    sample: Path, command: tuple[str, ...]
) -> None:
    """The stale 'All TBTs Complete' of No in hidden column AC, set aside for the team's
    flag: the line says AC is hidden, and how to see it, or the team cannot find it."""
    _edit(sample, _stale)
    res = run(*command, "-n") if command[0] == "note" else run(*command)
    assert res.exit_code == 0, res.output
    (said,) = [line for line in res.stderr.splitlines() if "both name the All TBTs" in line]
    assert (
        "'ESP Tracker'!AC4 'All TBTs Complete' (column AC, hidden) and 'ESP Tracker'!O4 'All "
        "TBTs Complete?' both name" in said
    ), said
    assert "Fix: unhide column AC to see it (in Excel, type AC1 in the Name Box" in said, said


def test_a_flag_column_read_from_a_hidden_column_is_said_hidden(sample: Path) -> None:
    """The team's flag renamed 'TBT Complete' and a hidden 'All TBTs Complete' holding Yes
    and No in every row beside it: the hidden one is read (the headers chose it), said so."""

    def change(ws: Any) -> None:
        ws.cell(_HEADER, FLAG).value = "TBT Complete"
        _column(ws, EXTRA, "All TBTs Complete", lambda i: "Yes" if i % 2 else "No")
        ws.column_dimensions["AC"].hidden = True

    _edit(sample, change)
    res = run("explain", "Maria Gonzalez", "--as-of", "2026-11-24")
    assert res.exit_code == 0, res.output
    (said,) = [line for line in res.stderr.splitlines() if "both name the All TBTs" in line]
    assert "and 'ESP Tracker'!AC4 'All TBTs Complete' (column AC, hidden) both name" in said
    assert "esp reads 'ESP Tracker'!AC4 (by the headers" in said, said
    assert "unhide column AC to see it" in said, said


def _zero_width(folder: Path) -> None:
    """Column AC's <col> of width 0 in place of hidden="1" (dragged shut in Excel, or so
    written by another program): Excel shows it hidden all the same."""
    import zipfile

    path = folder / "ESP Tracker.xlsx"
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i) for i in z.infolist()}
    out = folder / "edited.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'width="0.05"' in data
                data = data.replace(b'width="0.05"', b'width="0"')
            z.writestr(info, data)
    out.replace(path)


def test_a_flag_header_set_aside_in_a_column_of_width_0_is_said_hidden(sample: Path) -> None:
    def change(ws: Any) -> None:
        _done_first(ws, 12)
        _column(ws, EXTRA, "All TBTs Complete", lambda _: "No")
        ws.column_dimensions["AC"].width = 0.05

    _edit(sample, change)
    _zero_width(sample)
    res = run("escalations", "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    (said,) = [line for line in res.stderr.splitlines() if "both name the All TBTs" in line]
    assert "'ESP Tracker'!AC4 'All TBTs Complete' (column AC, hidden) and" in said, said
    assert "Fix: unhide column AC to see it" in said, said
    res = run("doctor", "-f", "json")
    (found,) = [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "ESP010"]
    assert "(column AC, hidden)" in found["message"], found


def test_doctor_says_a_header_set_aside_is_hidden(sample: Path) -> None:
    _edit(sample, _stale)
    res = run("doctor", "-f", "json")
    (found,) = [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "ESP010"]
    assert found["cell"] == "'ESP Tracker'!AC4", found
    assert "(column AC, hidden)" in found["message"], found
    assert found["fix"].startswith("unhide column AC to see it"), found


def test_a_visible_header_set_aside_says_nothing_of_hiding(sample: Path) -> None:
    def change(ws: Any) -> None:
        _stale(ws)
        ws.column_dimensions["AC"].hidden = False

    _edit(sample, change)
    res = run("escalations", "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    assert "both name the All TBTs Complete? column" in res.stderr
    assert "hidden" not in res.stderr and "unhide" not in res.stderr


# -- a course number in Searched by Course Number ---------------------------------------------


def test_access_set_searched_keeps_a_course_number_and_says_so(sample: Path) -> None:
    def change(ws: Any) -> None:
        ws.cell(49, 21).value = 40118  # Amira Hassan's Searched by Course Number

    _edit(sample, change)
    res = run("access", "set", "Amira Hassan", "locate", "--searched", "-n")
    assert res.exit_code == 0, res.output
    assert (
        "'ESP Tracker'!U49 (Amira Hassan, Searched by Course Number) holds 40118, the course "
        "searched typed in place of Yes: kept as it is." in res.stderr
    )
    assert "move" not in res.stderr


def test_explain_says_an_unreadable_searched_cell_in_plain_words(sample: Path) -> None:
    def change(ws: Any) -> None:
        ws.cell(49, 21).value = "maybe"

    _edit(sample, change)
    res = run("explain", "Amira Hassan", "--as-of", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "Searched by Course Number cannot be read." in res.stdout
    assert "is cannot be read" not in res.stdout


@pytest.mark.parametrize(
    ("typed", "shown", "read_as"),
    [
        (1042, "1042", "yes (the course searched)"),
        ("1042", "1042", "yes (the course searched)"),
        (datetime(2026, 11, 20), "11/20/2026", "yes (the day searched)"),
        ("11/20/2026", "11/20/2026", "yes (the day searched)"),
    ],
    ids=["number", "number-as-text", "date", "date-as-text"],
)
def test_explain_reads_a_course_number_or_a_day_in_searched_as_searched(
    sample: Path, typed: Any, shown: str, read_as: str
) -> None:
    """The course searched, or the day of the search, typed in Searched by Course Number in
    place of Yes: explain shows it read as searched, never as a cell that cannot be read."""

    def change(ws: Any) -> None:
        ws.cell(49, 21).value = typed

    _edit(sample, change)
    res = run("explain", "Amira Hassan", "--as-of", "2026-11-24")
    assert res.exit_code == 0, res.output
    assert "cannot be read" not in res.stdout, res.stdout
    (row,) = [line for line in res.stdout.splitlines() if "'ESP Tracker'!U49" in line]
    assert shown in row and read_as in row, row
    assert "Searched by Course Number is yes." in res.stdout, res.stdout
    res = run("explain", "Amira Hassan", "--as-of", "2026-11-24", "-f", "json")
    (cell,) = [c for c in json.loads(res.stdout)["cells"] if c["cell"] == "'ESP Tracker'!U49"]
    assert (cell["value"], cell["unreadable"]) == (True, False), cell


@pytest.mark.parametrize(
    ("typed", "before"),
    [
        (40118, "40118"),
        (datetime(2026, 11, 20), "11/20/2026"),
        ("11/20/2026", "11/20/2026"),
    ],
    ids=["course-number", "date", "date-as-text"],
)
def test_access_set_not_searched_writes_no_over_a_course_number_or_a_day(
    sample: Path, typed: Any, before: str
) -> None:
    """--not-searched over the course searched (or the day searched) typed in place of Yes:
    written No as over a Yes, the dry run showing before → after."""

    def change(ws: Any) -> None:
        ws.cell(49, 21).value = typed

    _edit(sample, change)
    res = run("access", "set", "Amira Hassan", "locate", "--not-searched", "-n")
    assert res.exit_code == 0, res.output
    (row,) = [line for line in res.stdout.splitlines() if "!U49" in line]
    assert f"{before} → No" in row, res.stdout
    res = run("access", "set", "Amira Hassan", "locate", "--not-searched")
    assert res.exit_code == 0, res.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(sample / "ESP Tracker.xlsx").worksheets[0]
    assert ws.cell(49, 21).value == "No"
    assert "Searched by Course Number: No" in ws.cell(49, 27).value


def test_access_set_searched_keeps_the_day_searched_and_says_so(sample: Path) -> None:
    def change(ws: Any) -> None:
        ws.cell(49, 21).value = datetime(2026, 11, 20)

    _edit(sample, change)
    res = run("access", "set", "Amira Hassan", "locate", "--searched", "-n")
    assert res.exit_code == 0, res.output
    assert (
        "'ESP Tracker'!U49 (Amira Hassan, Searched by Course Number) holds 11/20/2026, the day "
        "searched typed in place of Yes: kept as it is." in res.stderr
    )
    assert "!U49" not in res.stdout


def test_searched_by_course_number_reads_the_course_or_the_day_searched_as_yes() -> None:
    read = functools.partial(read_cell, "searched_course", date1904=False)
    for value in ("Yes", 1, 40118, "#40118"):
        assert read(value) is True, value
    # The day of the search: that day, searched from then on (a day replayed before it not).
    for value in (datetime(2026, 11, 20), "11/20/2026", "Nov 20, 2026"):
        assert read(value) == date(2026, 11, 20), value
    assert read("No") is False and read(0) is False and read(None) is None
    # Letters and a number: a course code, or a No, a 'to do', an ID typed one column off.
    for value in ("maybe", 2.5, -3, "No 1042", "C-1042", "TBD 1042", "Not 1042", "INC0049377"):
        with pytest.raises(Unreadable, match="is not Yes or No"):
            read(value)
    with pytest.raises(Unreadable, match="the cell shows the error #N/A"):
        read(ErrorValue("#N/A"))


def test_a_course_number_is_a_whole_number_above_1() -> None:
    for value in (40118, "40118", 2, 40118.0, "#40118"):
        assert columns.course_number("searched_course", value), value
    for value in (2.5, -3, "-3", 0, 1, "1", True, "2.5", "²", "maybe", "Q1", "No 1042", "5/8"):
        assert not columns.course_number("searched_course", value), value
    for value in ("C-1042", "CRS-4471", "TBD 1042", "Not 1042", "NA 40118", "E10212", "ext 1042"):
        assert not columns.course_number("searched_course", value), value


def test_a_flag_mapped_in_esp_toml_is_read_without_a_word_on_every_command(
    sample: Path,
) -> None:
    """The team keeps a per-agent 'TBTs Complete' count beside its flag and maps the flag's
    spelling in esp.toml, as the set-aside warning's fix says: a reading command reads the
    mapped column and says nothing of the count (esp doctor still lists it)."""

    def change(ws: Any) -> None:
        ws.cell(_HEADER, FLAG).value = "All TBTs Complete (Y/N)"
        _column(ws, EXTRA, "TBTs Complete", lambda i: i % 2)  # 0s and 1s: a flag, maybe

    _edit(sample, change)
    res = run("escalations", "--as-of", "2026-11-24", "-f", "json")
    assert "both name the All TBTs Complete? column" in res.stderr
    config = sample / "esp.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[columns]\n"All TBTs Complete?" = ["All TBTs Complete (Y/N)"]\n',
        encoding="utf-8",
    )
    res = run("escalations", "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    assert "All TBTs Complete" not in res.stderr, res.stderr
    assert _flag(sample)[0] == FLAG


@pytest.mark.parametrize(
    ("header", "value"),
    [("TBTs Complete", lambda i: i % 9), ("All TBTs Complete?", lambda i: None)],
    ids=["counts", "empty"],
)
def test_a_column_set_aside_that_holds_no_answer_is_not_said_on_every_read(
    sample: Path, header: str, value: Callable[[int], Any]
) -> None:
    """A per-agent count of TBTs beside the flag, or an empty column of the flag's name, is
    no doubt about which column is the flag: a reading command says nothing of it, and
    counts no cell of it as one that cannot be read; esp doctor lists it (ESP010)."""
    before = run("escalations", "--as-of", "2026-11-24", "-f", "json").stderr
    _edit(sample, lambda ws: _column(ws, EXTRA, header, value))
    res = run("escalations", "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    assert "All TBTs Complete" not in res.stderr, res.stderr
    assert res.stderr == before
    assert "ESP010" in run("doctor").stdout
