"""How a changed cell is shown (render.changes.before_after): an appended note as the line it
adds, every other change as before → after — a computed cell that grows is no note."""

from __future__ import annotations

import csv
import io
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.model import CellChange
from esp_cli.render import show
from esp_cli.render.changes import MAX_CHANGES_SHOWN, before_after, print_changes
from tests import escalation_tracker as et
from tests.support.windows import excel_owner_file


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _change(column: str, old: object, new: object) -> CellChange:
    return CellChange("ESP Tracker", 43, 30, "Kayla Brooks", "AET-1109", column, old, new)


@pytest.mark.parametrize(
    ("column", "old", "new"),
    [
        ("Next Action", "Written CAP", "Written CAP (+2 more)"),
        ("Escalation Stage", "Coaching", "Coaching recorded"),
        ("Citrix TBT Access", "Password", "Password Reset"),
        # a line break, but what follows is no note line
        ("Next Action", "Call SPOC", "Call SPOC\n(+1 more)"),
    ],
)
def test_a_value_that_starts_with_the_old_one_is_shown_before_and_after(
    column: str, old: str, new: str
) -> None:
    shown = before_after(_change(column, old, new))
    assert "earlier line(s) kept" not in shown
    assert shown.startswith(f"{show(old)} → ")


@pytest.mark.parametrize(
    ("old", "line"),
    [
        ("11/20/2026 - Jordan Lee - Called", "12/05/2026 - Tom Alvarez - No answer"),
        ("Jordan Lee - 11/20/2026 - Password Reset", "Tom Alvarez - 12/05/2026 - On module 2"),
        ("a line typed by hand\n", "12/05/2026 - Tom Alvarez - No answer"),
    ],
)
def test_an_appended_note_shows_only_the_line_it_adds(old: str, line: str) -> None:
    new = old.rstrip("\n") + "\n" + line
    assert before_after(_change("TBT Notes", old, new)) == f"1 earlier line(s) kept; adds: {line}"


# -- a long list of changed cells -------------------------------------------------------------


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("│ ESP Tracker!")]


def test_a_long_write_and_its_undo_show_their_first_cells_and_say_where_the_rest_are(
    tmp_path: Path,
) -> None:
    """A whole-column write (and its undo) of a large tracker changes thousands of cells: a
    people's table shows the first MAX_CHANGES_SHOWN and says so; CSV and JSON list all."""
    path = et.build(tmp_path / "ESP Tracker.xlsx", et.make_agents(count=120))
    write = ("escalations", "-t", str(path), "--as-of", "2026-11-30", "--write", "--write-past")
    planned = _run(*write, "--dry-run", "-f", "csv")
    total = len(list(csv.DictReader(io.StringIO(planned.stdout))))
    assert total > MAX_CHANGES_SHOWN
    wrote = _run(*write)
    assert wrote.exit_code == 0, wrote.output
    assert len(_table_rows(wrote.stdout)) == MAX_CHANGES_SHOWN
    assert f"cell(s) (first {MAX_CHANGES_SHOWN} shown; --format csv lists all {total})" in (
        wrote.stdout
    )
    assert f"Wrote {total} cell(s)" in wrote.stderr

    undo = ("undo", "-t", str(path))
    listed = _run(*undo, "--dry-run", "-f", "csv")
    assert len(list(csv.DictReader(io.StringIO(listed.stdout)))) == total
    undone = _run(*undo)
    assert undone.exit_code == 0, undone.output
    assert len(_table_rows(undone.stdout)) == MAX_CHANGES_SHOWN
    assert f"Put back {total} cell(s) of operation" in undone.stdout
    assert f"(first {MAX_CHANGES_SHOWN} shown; --format csv lists all {total})" in undone.stdout


def test_a_short_list_of_changes_is_shown_whole_with_its_title_as_it_was() -> None:
    changes = [_change("Notes", None, f"line {i}") for i in range(MAX_CHANGES_SHOWN)]
    out = io.StringIO()
    with redirect_stdout(out):
        print_changes("Would change 200 cell(s)", changes)
    text = out.getvalue()
    assert "Would change 200 cell(s)" in text and "shown" not in text
    assert sum("ESP Tracker!" in line for line in text.splitlines()) == MAX_CHANGES_SHOWN


def test_a_long_change_that_waited_is_shown_by_pending_and_apply_as_its_first_cells(
    tmp_path: Path,
) -> None:
    path = et.build(tmp_path / "ESP Tracker.xlsx", et.make_agents(count=120))
    owner = tmp_path / "~$ESP Tracker.xlsx"
    owner.write_bytes(excel_owner_file("Dana Whitfield"))
    write = ("escalations", "-t", str(path), "--as-of", "2026-11-30", "--write", "--write-past")
    kept = _run(*write)
    assert kept.exit_code == 7, kept.output
    listed = _run("pending", "-t", str(path))
    assert len(_table_rows(listed.stdout)) == MAX_CHANGES_SHOWN
    assert f"(first {MAX_CHANGES_SHOWN} shown; --format csv lists all " in listed.stdout
    owner.unlink()
    applied = _run("apply", "-t", str(path))
    assert applied.exit_code == 0, applied.output
    assert len(_table_rows(applied.stdout)) == MAX_CHANGES_SHOWN
    assert f"(first {MAX_CHANGES_SHOWN} shown; --format csv lists all " in applied.stdout
