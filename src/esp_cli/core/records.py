"""Where new rows go in a list kept under a header row (pure: no I/O).

A list (the TBT Tracking Sheet's proofs) may be kept as an Excel table, whose rows end at
its last row or above its Total Row, or end with a total typed below it (`Total proofs | |
=COUNTA(C2:C5)`). A new row goes where a person would type it: after the last row in use,
inside the table (which grows over the row when the row is right under it), above the
total. When there is no room above the total, or the rows under a full table are in use,
nothing is placed: moving rows would move what refers to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from esp_cli.core.refs import address, col_number
from esp_cli.errors import UnsafeWriteError

# An A1 range of rows on the formula's own sheet: C2:C5, $C$2:$C$5 (not Sheet2!C2:C5).
_RANGE = re.compile(
    r"(?<![A-Za-z0-9_.!'\]$])\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)(?![A-Za-z0-9_(])"
)
_QUOTED = re.compile(r'"[^"]*"')


@dataclass(frozen=True)
class ListTable:
    """The Excel table that holds the list: its name, its last row above its Total Row
    (its last row when it has none) and whether it has a Total Row."""

    name: str
    data_end: int
    has_totals: bool


@dataclass(frozen=True)
class Total:
    """A total typed under the list: its cell, its formula, and the rows of each range of
    the list it adds up."""

    row: int
    col: int
    formula: str
    ranges: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Placement:
    """Where the new rows go: from `first` on; `uncounted`: a total under them whose
    ranges stop before their last row (it will not count them)."""

    first: int
    uncounted: Total | None = None

    def last(self, count: int) -> int:
        return self.first + count - 1


def ranges_in(formula: str) -> list[tuple[int, int, int, int]]:
    """The A1 ranges a formula names on its own sheet, as (row, col, row, col)."""
    out = []
    for m in _RANGE.finditer(_QUOTED.sub('""', formula)):
        c1, r1, c2, r2 = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
        out.append((min(r1, r2), col_number(c1), max(r1, r2), col_number(c2)))
    return out


def totals_under(
    header_row: int, formulas: Iterable[tuple[int, int, str]], records: set[int]
) -> list[Total]:
    """The totals typed under a list: formulas in a row below the header that add up a
    range of the rows above them (from the header row down), in a row that is not a record
    (`records`: the rows that hold one, such as a file name typed as text). By row."""
    found: dict[int, Total] = {}
    for row, col, text in sorted(formulas):
        if row <= header_row or row in records or row in found:
            continue
        ranges = tuple(
            (r1, r2) for r1, _c1, r2, _c2 in ranges_in(text) if header_row <= r1 < r2 < row
        )
        if ranges:
            found[row] = Total(row, col, text, ranges)
    return [found[r] for r in sorted(found)]


def place_rows(
    sheet: str,
    header_row: int,
    count: int,
    used: Iterable[int],
    table: ListTable | None = None,
    totals: Sequence[Total] = (),
    what: str = "rows",
) -> Placement:
    """Where `count` new rows go in the list under `header_row` (`used`: the rows holding
    a value; `table`: the Excel table the list is kept in; `totals`: see totals_under).
    Raises UnsafeWriteError, naming the row and the fix, when they do not fit."""
    in_use = sorted(r for r in set(used) if r > header_row)
    total = next((t for t in totals if t.row > header_row), None)
    limits = [total.row] if total is not None else []
    if table is not None:
        if table.has_totals:
            limits.append(table.data_end + 1)  # its Total Row
        else:  # the rows under the table are its room, up to the first one in use
            limits += [r for r in in_use if r > table.data_end][:1]
    stop = min(limits, default=0)
    last = max(
        (r for r in in_use if (not stop or r < stop) and (table is None or r <= table.data_end)),
        default=header_row,
    )
    place = Placement(last + 1)
    end = place.last(count)
    if not stop or end < stop:
        if total is not None and total.row > end:
            if any(r1 <= place.first and r2 < end for r1, r2 in total.ranges):
                return Placement(place.first, total)
        return place
    need = end - stop + 1
    free = stop - place.first  # the blank rows there are
    left = f"{free or 'no'} blank row{'' if free == 1 else 's'} left"
    new = f"the {count} new {what}" if count > 1 else f"the new {what.removesuffix('s')}"
    if table is not None and table.has_totals and stop == table.data_end + 1:
        raise UnsafeWriteError(
            f"{address(sheet, stop, 1)}: {new} go above the Total Row of the Excel table "
            f"'{table.name}', which has {left} above it; esp does not move rows; nothing was "
            "written.",
            fix="in Excel, right-click a cell of the Total Row and choose Insert > Table Rows "
            f"Above{f' ({need} times)' if need > 1 else ''}, then run esp again.",
        )
    rows = f"{need} blank row{'s' if need > 1 else ''}"
    if total is not None and total.row == stop:
        raise UnsafeWriteError(
            f"{address(sheet, total.row, total.col)}: {new} go above the total in row {stop} "
            f"(={total.formula}), which has {left} above it; esp does not move rows; nothing "
            "was written.",
            fix=f"insert {rows} above row {stop} in Excel (and check that the total counts "
            "them), then run esp again.",
        )
    assert table is not None  # without a table or a total nothing stops the rows
    raise UnsafeWriteError(
        f"{address(sheet, stop, 1)}: {new} go at the end of the Excel table '{table.name}' "
        f"(rows {header_row + 1} to {table.data_end}), but row {stop} under it is in use; "
        "nothing was written.",
        fix=f"move what is in row {stop} down by {need} row{'s' if need > 1 else ''}, or "
        "make the table take in blank rows (Table Design > Resize Table), then run esp again.",
    )


def rows_text(first: int, last: int) -> str:
    """ "row 4", "rows 4 to 5"."""
    return f"row {first}" if first == last else f"rows {first} to {last}"
