"""Text a person typed, made fit for a cell (pure: no I/O).

What the keys of a terminal left in a line is taken out. At a prompt that does not edit
lines, an arrow key arrives as an escape sequence (`ESC [ D` for Left), Home and End,
Delete and the function keys too; pasted text may carry a bell or a form feed. No cell can
show such characters (Excel keeps them as `_x001B_`), and the letters of a sequence (`[D`)
read as garbage. `clean` takes every sequence out whole, and every other control character
but the tab (core.values says which); `refusal` says so for a setting, which is refused
rather than changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from esp_cli.core.values import (
    control_characters,
    describe_character,
    without_control_characters,
)

# A terminal's escape sequences (ECMA-48): CSI `ESC [ params intermediates final` (arrows,
# Home, End, Delete, F5...), SS3 `ESC O x` (arrows and F1-F4 in application mode), OSC and
# the other string commands up to their terminator, and the two-byte `ESC x` ones; the
# 8-bit CSI (U+009B) too. A lone ESC at the end is taken out as well.
_SEQUENCE = re.compile(
    r"""
    (?: \x1b\[ | \x9b ) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?   # CSI
    | \x1b O [\x20-\x7e]?                                       # SS3
    | \x1b [\]PX^_] .*? (?: \x07 | \x1b\\ | \x9c | $ )          # OSC, DCS, SOS, PM, APC
    | \x1b [\x20-\x7e]?                                         # ESC x, or a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
_ERASE = "\x08\x7f"  # backspace and DEL, as a terminal without line editing passes them
_KEYS = {
    "A": "Up",
    "B": "Down",
    "C": "Right",
    "D": "Left",
    "F": "End",
    "H": "Home",
    "1~": "Home",
    "2~": "Insert",
    "3~": "Delete",
    "4~": "End",
    "5~": "Page Up",
    "6~": "Page Down",
}


@dataclass(frozen=True)
class Cleaned:
    """A typed line as a cell may hold it, and what was taken out (each kind once, as a
    person names it: 'the Left arrow key', 'U+0007 (BEL)')."""

    text: str
    removed: tuple[str, ...] = ()


def _key_name(sequence: str) -> str:
    body = sequence.lstrip("\x1b\x9b").removeprefix("[").removeprefix("O")
    body = re.sub(r"^1;\d+", "", body)  # a modifier (Ctrl, Shift): ESC [ 1 ; 5 D
    name = _KEYS.get(body) or _KEYS.get(body[-1:] if body[-1:] in "ABCDFH" else "")
    if name is None:
        return "a terminal key code"
    return f"the {name} arrow key" if name in ("Up", "Down", "Left", "Right") else f"the {name} key"


def clean(line: str) -> Cleaned:
    """`line` without the escape sequences and control characters a terminal or a paste
    left in it: a backspace erases the character before it, as it did on the screen."""
    removed: dict[str, None] = {}

    def sequence(m: re.Match[str]) -> str:
        removed[_key_name(m.group())] = None
        return ""

    text = _SEQUENCE.sub(sequence, line)
    if any(ch in text for ch in _ERASE):
        kept: list[str] = []
        for ch in text:
            if ch in _ERASE:
                if kept:
                    kept.pop()
                removed["backspace"] = None
            else:
                kept.append(ch)
        text = "".join(kept)
    for ch in control_characters(text):
        removed[describe_character(ch)] = None
    return Cleaned(without_control_characters(text), tuple(removed))


def refusal(text: str, what: str) -> str | None:
    """Why `text`, given as `what` (a setting, an argument), cannot become a cell's text, or
    None when it can (line breaks and tabs can)."""
    bad = control_characters(text)
    if not bad:
        return None
    return f"{what} holds {', '.join(map(describe_character, bad))}, which no cell can show"
