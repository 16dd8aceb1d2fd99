"""How a changed cell is shown (render.changes.before_after): an appended note as the line it
adds, every other change as before → after — a computed cell that grows is no note."""

from __future__ import annotations

import pytest

from esp_cli.core.model import CellChange
from esp_cli.render import show
from esp_cli.render.changes import before_after


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
