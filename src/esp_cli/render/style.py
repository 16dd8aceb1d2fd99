"""Colour and emphasis on a terminal: what is overdue in red, what is due today in yellow,
headers in bold — and nothing at all when the output is piped or saved, with NO_COLOR set,
or with `--color never`.

Renderers say what a piece of text is (`OVERDUE`, `TODAY`, `BEHIND`…), never which colour:
this module alone decides, with plain ANSI codes (the table is esp's own, see
render.print_table; rich would cost its import on every command). Whether colour is on:

1. `--color always` or `--color never`, given to esp, decides;
2. else `NO_COLOR` set to anything (https://no-color.org) turns it off;
3. else `FORCE_COLOR` set (and not 0) turns it on, a terminal or not;
4. else colour is on when the stream is a terminal that shows it (on Windows, a console
   switched to take ANSI codes: system.console_takes_colour).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Any

from esp_cli.system import console_takes_colour, is_terminal


class Colour(StrEnum):
    """--color: when esp colours its output."""

    auto = "auto"
    always = "always"
    never = "never"


# What a piece of text is -> its SGR parameters.
OVERDUE = "1;31"  # bold red: overdue
TODAY = "33"  # yellow: due today
BEHIND = "35"  # magenta: behind the 2-day target, an access issue
SOON = "36"  # cyan: falling due on the next business day
DONE = "32"  # green: complete, written
HEADER = "1"  # bold: table headers, titles, the headline
QUIET = "2"  # dim: a blank (—), what matters less

_mode = Colour.auto
_known: dict[int, bool] = {}  # stream id -> colour shown (asked once per stream)


def set_mode(mode: Colour | str) -> None:
    """Set by `esp --color` for the run."""
    global _mode
    _mode = Colour(mode)
    _known.clear()


def enabled(stream: Any = None) -> bool:
    """Whether text written to `stream` (standard output by default) is coloured."""
    stream = sys.stdout if stream is None else stream
    if _mode is Colour.never:
        return False
    if _mode is Colour.always:
        return True
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    key = id(stream)
    found = _known.get(key)
    if found is None:
        found = _known[key] = is_terminal(stream) and console_takes_colour(stream)
    return found


def paint(text: str, style: str | None, on: bool = True) -> str:
    """`text` in `style` when `on` (and there is a style and a text)."""
    if not on or not style or not text:
        return text
    return f"\x1b[{style}m{text}\x1b[0m"


def overdue_style(days: int | None) -> str | None:
    """The style of a number of business days overdue: red past due, yellow due today."""
    if days is None:
        return None
    if days > 0:
        return OVERDUE
    if days == 0:
        return TODAY
    return SOON if days == -1 else None
