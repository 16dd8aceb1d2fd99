"""The table renderer: every value shown, columns aligned, wrapping only to fit a terminal."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pytest

from esp_cli.render import csv_safe, format_table, print_table


def test_columns_align_and_every_value_is_shown() -> None:
    text = format_table("Due: 2", ["Agent", "Due"], [["Ann Lee", "11/24/2026"], ["Bo", "—"]])
    lines = text.splitlines()
    assert lines[0] == "Due: 2"
    assert lines[2] == "┃ Agent   ┃ Due        ┃"
    assert lines[4] == "│ Ann Lee │ 11/24/2026 │"
    assert lines[5] == "│ Bo      │ —          │"
    assert len({len(line) for line in lines[1:]}) == 1


def test_piped_output_never_wraps() -> None:
    long = "deliver the documented coaching " * 5
    text = format_table("T", ["Detail"], [[long]])
    assert long in text


def test_a_terminal_width_wraps_the_widest_column_at_spaces() -> None:
    text = format_table("T", ["Agent", "Detail"], [["Ann", "one two three four five six"]], 30)
    body = text.splitlines()
    assert all(len(line) <= 30 for line in body)
    assert len(body) > 6  # the detail wrapped onto more than one line
    words = " ".join(line.strip("│ ").split("│")[-1].strip() for line in body[4:-1])
    assert words.split() == "one two three four five six".split()


def test_wide_characters_take_two_columns() -> None:
    lines = format_table("T", ["Name"], [["王小明"], ["Li"]]).splitlines()
    assert lines[4] == "│ 王小明 │"
    assert lines[5] == "│ Li     │"


def test_wide_characters_wrap_by_the_columns_they_take() -> None:
    lines = format_table("T", ["Name"], [["王小明王小明王小明王小明王小明"]], 16).splitlines()
    body = lines[4:-1]
    assert len(body) > 1
    assert all(len(line) + sum(1 for ch in line if ord(ch) > 0x3000) <= 16 for line in body)
    assert "".join(line.strip("│ ") for line in body) == "王小明王小明王小明王小明王小明"


def test_multi_line_cells_become_several_lines() -> None:
    lines = format_table("T", ["Note"], [["first\nsecond"]]).splitlines()
    assert lines[4:6] == ["│ first  │", "│ second │"]


def test_empty_table_prints_the_empty_message(capsys: pytest.CaptureFixture[str]) -> None:
    print_table("Due", ["A"], [], empty="nothing is due")
    assert capsys.readouterr().out == "Due: nothing is due\n"


def test_values_are_shown_the_way_the_team_reads_them(capsys: pytest.CaptureFixture[str]) -> None:
    print_table("T", ["Due", "Count", "Blank"], [(date(2026, 11, 24), 3.0, None)])
    assert "│ 11/24/2026 │ 3     │ —     │" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_csv_cells_that_spreadsheets_would_run_are_neutralised(value: str) -> None:
    assert csv_safe(value) == "'" + value


# -- fitting a terminal: 80 and 120 columns, never a word cut -----------------------------------

DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
DETAIL = "deliver the written CAP (the business day after the coaching recorded 11/19/2026)"
TODO = [
    ["Christopher Montgomery-Blake", "AET-1102", "24", "11/20/2026", "2", DETAIL],
    ["Ana Ruiz", "AET-1109", "43", "11/24/2026", "0", "term review: the agent may be termed"],
]
COLUMNS = ["Agent", "Class", "Row", "Due", "Overdue", "Detail"]


def cells_of(text: str) -> list[str]:
    """Every cell fragment of a table's body lines."""
    return [part.strip() for line in text.splitlines() for part in line.split("│")[1:-1]]


@pytest.mark.parametrize("limit", [80, 120])
def test_every_line_fits_and_no_date_or_name_is_cut(limit: int) -> None:
    text = format_table("Written CAP (written_cap): 2 — " + DETAIL, COLUMNS, TODO, limit)
    lines = text.splitlines()
    assert all(len(line) <= limit for line in lines), max(map(len, lines))
    body = cells_of(text)
    for token in ("11/20/2026", "11/24/2026", "11/19/2026)", "Montgomery-Blake", "AET-1102"):
        assert any(token in part.split() for part in body), token
    assert all(DATE.fullmatch(d) for d in re.findall(r"\d+/[\d/]*", text))
    # The header is as wide as the box it heads.
    assert len({len(line) for line in lines if line[:1] in "┏┃┡│└"}) == 1


def test_a_header_wraps_at_spaces_instead_of_overflowing_its_box() -> None:
    text = format_table("T", ["Agent", "Next step if recorded today"], [["Ann", "coaching"]], 28)
    lines = text.splitlines()
    assert all(len(line) <= 28 for line in lines)
    assert len({len(line) for line in lines[1:]}) == 1
    assert "Next step if" in text and "recorded today" in text


def test_columns_are_left_out_before_a_word_is_cut() -> None:
    rows = [["Christopher Montgomery", "AET-1102", "11/20/2026", "Coaching recorded", "in 1"]]
    columns = ["Agent", "Class", "Due", "Stage", "Overdue"]
    text = format_table("T", columns, rows, 52, optional=("Stage", "Class"))
    lines = text.splitlines()
    assert all(len(line) <= 52 for line in lines)
    assert "Stage" not in lines[2] and "Class" in lines[2]
    assert "11/20/2026" in cells_of(text)
    assert "Not shown at this width: Stage;" in " ".join(lines[-2:])


def test_no_column_is_left_out_when_the_table_fits() -> None:
    text = format_table("T", ["Agent", "Class"], [["Ann", "AET-1"]], 80, optional=("Class",))
    assert "Class" in text and "Not shown" not in text


def test_nan_and_infinity_are_null_in_json_and_blank_in_csv() -> None:
    """NaN and infinity (a cell a program other than Excel wrote) are no JSON: null."""
    from esp_cli.render import json_text

    data = {"nan": float("nan"), "inf": float("inf"), "list": [float("-inf"), 1.5]}
    parsed = json.loads(json_text(data), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert parsed == {"nan": None, "inf": None, "list": [None, 1.5]}
    assert [csv_safe(float("nan")), csv_safe(float("inf")), csv_safe(-1.5)] == ["", "", "-1.5"]


# -- CSV for Excel: the byte-order mark in a file, none in a pipe -----------------------------

BOM = b"\xef\xbb\xbf"
ROWS = [{"agent": "Zoë Nguyễn", "class": "AET-1102"}]


def _csv_into(stream: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from esp_cli.render import write_csv

    monkeypatch.setattr(sys, "stdout", stream)
    write_csv(ROWS, ["agent", "class"])
    sys.stdout.flush()


def test_csv_saved_to_a_file_starts_with_the_mark_excel_reads_as_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`esp … --format csv > list.csv`: Excel opens it showing Zoë, not ZoÃ«."""
    path = tmp_path / "list.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        _csv_into(file, monkeypatch)
    data = path.read_bytes()
    assert data.startswith(BOM) and data.count(BOM) == 1
    assert data[3:].decode("utf-8") == "agent,class\nZoë Nguyễn,AET-1102\n"


def test_csv_added_to_a_file_that_has_text_gets_no_second_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`esp … --format csv >> list.csv`: a mark in the middle would be a stray character."""
    path = tmp_path / "list.csv"
    path.write_bytes(BOM + b"agent,class\n")
    with path.open("a", encoding="utf-8", newline="") as file:
        _csv_into(file, monkeypatch)
    assert path.read_bytes().count(BOM) == 1


def test_csv_to_a_pipe_has_no_mark(monkeypatch: pytest.MonkeyPatch) -> None:
    """A script reading the pipe gets plain UTF-8."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w", encoding="utf-8", newline="") as pipe:
        _csv_into(pipe, monkeypatch)
    with os.fdopen(read_end, "rb") as got:
        assert got.read() == "agent,class\nZoë Nguyễn,AET-1102\n".encode()
