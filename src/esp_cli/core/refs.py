"""A1 references: column letters <-> numbers (1-based), and cell addresses for messages."""

from __future__ import annotations

import re
from functools import lru_cache

MAX_COL = 16384  # XFD
MAX_ROW = 1048576

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")


@lru_cache(maxsize=4096)
def col_letter(col: int) -> str:
    if not 1 <= col <= MAX_COL:
        raise ValueError(f"column {col} is outside A..XFD")
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@lru_cache(maxsize=4096)
def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        if not "A" <= ch <= "Z":
            raise ValueError(f"{letters!r} is not a column name")
        n = n * 26 + (ord(ch) - 64)
    if not 1 <= n <= MAX_COL:
        raise ValueError(f"column {letters} is outside A..XFD")
    return n


def cell_ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def cell_or_row(row: int, col: int) -> str:
    """A1; for a cell of a column the sheet does not have yet (col 0: the write adds it),
    the row alone ("row 7"): its column is said by its header."""
    return f"{col_letter(col)}{row}" if col > 0 else f"row {row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """'B7' -> (7, 2)."""
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(f"{ref!r} is not a cell reference")
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A1:C9' -> (row1, col1, row2, col2); a single cell is a 1x1 range."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


_WHOLE_COLS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
_WHOLE_ROWS = re.compile(r"^\$?([0-9]+):\$?([0-9]+)$")


def parse_area(ref: str) -> tuple[int, int, int, int]:
    """Like parse_range, and whole columns ('A:A', '$L:$N') or rows ('4:4') too, as a
    drop-down's list or where it applies may be given."""
    text = ref.strip()
    cols = _WHOLE_COLS.match(text)
    if cols:
        c1, c2 = col_number(cols.group(1)), col_number(cols.group(2))
        return 1, min(c1, c2), MAX_ROW, max(c1, c2)
    rows = _WHOLE_ROWS.match(text)
    if rows:
        r1, r2 = int(rows.group(1)), int(rows.group(2))
        if not (1 <= r1 <= MAX_ROW and 1 <= r2 <= MAX_ROW):
            raise ValueError(f"{ref!r} is not a range of rows")
        return min(r1, r2), 1, max(r1, r2), MAX_COL
    return parse_range(text)


def quote_sheet(name: str) -> str:
    """How Excel writes a sheet name in a reference: 'ESP Tracker'!A1."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def address(sheet: str, row: int, col: int) -> str:
    return f"{quote_sheet(sheet)}!{cell_ref(row, col)}"
