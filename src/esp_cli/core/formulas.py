"""A formula's text read for what it does: counting other rows, or moved to another cell
(pure: no I/O).

Whether a formula shows a count or sum of other rows (a totals row's do), and a shared
formula as its other cells hold it. Formula text is as a sheet stores it: no leading '=', functions
in English, references in A1 style, Excel's newer functions prefixed `_xlfn.`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from esp_cli.core.refs import MAX_ROW, col_letter, col_number

# Functions that reduce many cells to one figure: what a totals row calls.
AGGREGATES = frozenset(
    {
        "AGGREGATE",
        "AVERAGE",
        "AVERAGEA",
        "AVERAGEIF",
        "AVERAGEIFS",
        "COUNT",
        "COUNTA",
        "COUNTBLANK",
        "COUNTIF",
        "COUNTIFS",
        "MAX",
        "MAXA",
        "MAXIFS",
        "MEDIAN",
        "MIN",
        "MINA",
        "MINIFS",
        "SUBTOTAL",
        "SUM",
        "SUMIF",
        "SUMIFS",
        "SUMPRODUCT",
    }
)

_TOKEN = re.compile(
    r"""
     (?P<str>"(?:[^"]|"")*"?)
    |(?P<sheet>(?:'(?:[^']|'')*'|[A-Za-z0-9_.\[\]\\]+)!)
    |(?P<func>(?:_xlfn\.|_xlws\.)?[A-Za-z][A-Za-z0-9_.]*)\s*\(
    |(?P<table>(?:[A-Za-z_\\][A-Za-z0-9_.]*)?\[(?:[^\[\]]|\[[^\]]*\])*\])
    |(?P<range>
        \$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?
       |\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}
       |\$?[0-9]+:\$?[0-9]+
     )(?![A-Za-z0-9_.(\[!])
    |(?P<name>[A-Za-z_\\][A-Za-z0-9_.]*)
    |(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)
    |(?P<open>\()
    |(?P<close>\))
    |(?P<space>\s+)
    |(?P<other>.)
    """,
    re.X | re.S,
)
_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)")
_LETTERS = re.compile(r"\$?([A-Za-z]{1,3})")
_ROWS = re.compile(r"\$?([0-9]+)")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    depth: int  # parentheses open around it
    in_aggregate: bool  # inside the arguments of one of AGGREGATES
    qualified: bool  # a reference with a sheet (or workbook) before it


def _tokens(formula: str) -> Iterator[_Token]:
    stack: list[bool] = []  # per open parenthesis: whether it is an aggregate's
    qualified = False
    for m in _TOKEN.finditer(formula):
        kind = m.lastgroup or "other"
        text = m.group(kind)
        inside = any(stack)
        if kind == "sheet":
            qualified = True
            continue
        if kind == "func":
            name = text.upper().removeprefix("_XLFN.").removeprefix("_XLWS.")
            yield _Token(kind, name, len(stack), inside, False)
            stack.append(name in AGGREGATES)
            continue
        if kind == "open":
            stack.append(False)
        elif kind == "close":
            if stack:
                stack.pop()
        elif kind != "space":
            yield _Token(kind, text, len(stack), inside, qualified)
        qualified = False


def _rows_of(ref: str) -> tuple[int, int] | None:
    """The rows an A1 reference spans (None: it names no rows, e.g. a defined name)."""
    first, _, last = ref.partition(":")
    if _LETTERS.fullmatch(first) and (not last or _LETTERS.fullmatch(last)):
        return 1, MAX_ROW  # whole columns
    rows = []
    for part in (first, last or first):
        cell = _CELL.fullmatch(part) or _ROWS.fullmatch(part)
        if cell is None:
            return None
        rows.append(int(cell.group(cell.lastindex or 1)))
    return min(rows), max(rows)


def _other_rows(token: _Token, row: int) -> bool:
    """Whether a reference spans several rows none of which is `row`."""
    if token.qualified:
        return False  # another sheet's rows (or another workbook's)
    if token.kind == "table":
        # A whole table column (Table1[Agent Name]); not the row's own cell ([@Agent Name]).
        return "@" not in token.text and "#this row" not in token.text.lower()
    if token.kind != "range":
        return False
    rows = _rows_of(token.text)
    return rows is not None and rows[0] < rows[1] and not rows[0] <= row <= rows[1]


def is_a_count(formula: str, row: int) -> bool:
    """Whether the formula (in row `row`) shows a count or sum of other rows and nothing
    else: its outermost calls are all AGGREGATES, given a range of several rows without
    `row` (B5:B78 from row 80) or a whole column of an Excel table, joined only to text
    ('="Total: "&COUNTA(B5:B78)'). A running count (=COUNTA($B$5:B9) in row 9) holds its
    own row; a formula that only tests a count
    (=IF(COUNTIF(B$4:B9,C10)>1,C10&" (2)",C10)) or computes from one (=MAX(A$4:A9)+1, the
    next number down a column) shows something else."""
    counted = False
    for t in _tokens(formula):
        if t.depth > 0:
            counted = counted or (t.in_aggregate and _other_rows(t, row))
            continue
        if t.kind == "func":
            if t.text not in AGGREGATES:
                return False
        elif t.kind != "str" and t.text != "&":
            # A reference or a name of its own, or arithmetic (=MAX(A$4:A9)+1 numbers the
            # rows): the cell shows more than a count.
            return False
    return counted


def shifted(formula: str, rows: int, cols: int) -> str:
    """A shared formula as the cell `rows` down and `cols` right of its first cell holds
    it: relative references moved, absolute ($) ones and text in quotes kept."""
    if not rows and not cols:
        return formula
    out: list[str] = []
    for m in _TOKEN.finditer(formula):
        text = m.group(0)
        if m.lastgroup == "range":
            text = _shift_ref(text, rows, cols)
        out.append(text)
    return "".join(out)


def _shift_ref(ref: str, rows: int, cols: int) -> str:
    def one(part: str) -> str:
        cell = _CELL.fullmatch(part)
        if cell is not None:
            col_abs, letters, row_abs, digits = cell.groups()
            col = col_number(letters) + (0 if col_abs else cols)
            row = int(digits) + (0 if row_abs else rows)
            if col < 1 or row < 1:
                return "#REF!"
            return f"{col_abs}{col_letter(col)}{row_abs}{row}"
        letters = _LETTERS.fullmatch(part)
        if letters is not None:
            if part.startswith("$"):
                return part
            col = col_number(letters.group(1)) + cols
            return col_letter(col) if col >= 1 else "#REF!"
        if part.startswith("$"):
            return part
        row = int(part) + rows
        return str(row) if row >= 1 else "#REF!"

    return ":".join(one(p) for p in ref.split(":"))
