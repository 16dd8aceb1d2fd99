"""The table renderer: every value shown, columns aligned, wrapping only to fit a terminal."""

from __future__ import annotations

from datetime import date

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
