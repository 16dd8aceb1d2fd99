"""Lossless writes: set cells (and add columns) by patching the package in place.

Only the parts that must change are rewritten: the touched worksheets (only their touched
rows), the shared strings (appended to), styles (a date or Wrap Text format appended when
the column has none), a table part when a new column extends a table or a row joins one,
and the workbook part, asking Excel to recalculate on open, when the workbook holds
formulas. Every other zip entry is copied as its original compressed bytes (see zipio). A
write that would damage the workbook — over a formula, inside a merged range, on a
protected sheet — is refused before anything is written, naming the cell.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from esp_cli.core.oplog import GrownRange
from esp_cli.core.refs import MAX_COL, address, col_letter, col_number, parse_range
from esp_cli.core.values import as_checkbox
from esp_cli.core.words import PROTECTED_FIX, SIGNED_FIX, listed
from esp_cli.errors import InputFileError, UnsafeWriteError, UsageError, WriteFailedError
from esp_cli.workbook.xlsx import zipio
from esp_cli.workbook.xlsx.package import (
    REL_CALCCHAIN,
    REL_DRAWING,
    REL_PIVOT_TABLE,
    REL_SST,
    REL_STYLES,
    REL_TABLE,
    Package,
    parse_xml,
    relationships,
)
from esp_cli.workbook.xlsx.sheetxml import CellLoc, SheetXml, Splicer
from esp_cli.workbook.xlsx.styles import (
    DATE_FMT_ID,
    DATETIME_FMT_ID,
    STYLES_CONTENT_TYPE,
    Styles,
)
from esp_cli.workbook.xlsx.xmlbytes import (
    FragmentCheck,
    NotWellFormed,
    attr_value,
    blank_markup,
    check_document,
    col_hidden,
    col_width,
    end_tag,
    namespace_declarations,
    parse_attrs,
    root_attrs,
    set_attr,
    start_tag,
    unescape,
)

if TYPE_CHECKING:
    from lxml.etree import _Element

Value = str | date | datetime | float | int | bool | None

# A part this small is parsed whole before it is written; a larger one (a sheet of
# thousands of rows) has what esp wrote parsed where it goes (Patcher._guarded).
WHOLE_CHECK_BYTES = 1 << 20
EXCEL_CELL_LIMIT = 32767
EXCEL_LINE_LIMIT = 253

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_SPECIAL = re.compile("[_\r&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Occupant:
    """Something that holds columns of a sheet besides values (merged cells, a table, a
    drop-down, a chart): why a column is not free, as a message says it, how to free it,
    and its cells (row, col, row, col)."""

    why: str
    free: str
    cells: tuple[int, int, int, int]


@dataclass(frozen=True)
class SheetTable:
    """An Excel table of a sheet: its name, its part, its cells (row, col, row, col; the
    header row first), how many totals rows end it, whether a query fills it."""

    name: str
    part: str
    ref: tuple[int, int, int, int]
    totals: int = 0
    query: bool = False

    @property
    def data_end(self) -> int:
        """The table's last row above its totals row."""
        return self.ref[2] - self.totals


class _Where:
    """A cell's Sheet!A1 address, spelled out only when a message needs it (a write of
    10,000 cells names none of them)."""

    __slots__ = ("sheet", "row", "col")

    def __init__(self, sheet: str, row: int, col: int) -> None:
        self.sheet, self.row, self.col = sheet, row, col

    def __str__(self) -> str:
        return address(self.sheet, self.row, self.col)


def check_cell_text(text: str, where: object) -> None:
    """Excel's limits for one cell (XLSX-NOTES §2): refuse rather than let Excel truncate."""
    if len(text) <= EXCEL_LINE_LIMIT and text.isascii():
        return  # short plain text (most cells): within both limits, nothing to encode
    try:
        n = utf16_len(text)
    except UnicodeEncodeError as exc:  # bytes that were not UTF-8, kept as lone surrogates
        bad = text[exc.start : exc.end].encode("utf-8", "surrogateescape")
        raise UsageError(
            f"{where}: the text holds bytes that are not UTF-8 ({bad!r}); nothing was written.",
            fix="set the terminal to UTF-8 (e.g. LANG=C.UTF-8) and type the text again.",
        ) from exc
    if n > EXCEL_CELL_LIMIT:
        raise UnsafeWriteError(
            f"{where}: the text would be {n:,} characters; Excel allows {EXCEL_CELL_LIMIT:,} "
            "in one cell.",
            fix="shorten the text, or move older lines out of the cell first.",
        )
    if text.count("\n") > EXCEL_LINE_LIMIT:
        raise UnsafeWriteError(
            f"{where}: the text would have {text.count(chr(10))} line breaks; Excel shows at "
            f"most {EXCEL_LINE_LIMIT} in one cell.",
            fix="move older lines out of the cell first.",
        )


def xml_text(text: str) -> bytes:
    """ST_Xstring: escape markup, keep `_xHHHH_`-looking text literal, encode illegal chars."""
    if _SPECIAL.search(text) is None:
        return text.encode("utf-8")  # most text: nothing to escape
    s = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
    # Every CR kept, as Excel keeps one: an earlier note line ending CR LF stays CR LF.
    s = s.replace("\r", "_x000D_")
    s = _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.encode("utf-8")


_MARCH_1900 = datetime(1900, 3, 1)


def excel_serial(value: date | datetime, date1904: bool) -> float:
    """The serial Excel stores for a date. In the 1900 system Excel counts 02/29/1900, a
    day that never was (Lotus 1-2-3's leap-year bug, kept for compatibility): serials from
    03/01/1900 on count from 12/30/1899, the ones before it from 12/31/1899."""
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    dt = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    dt = dt.replace(tzinfo=None)
    delta = dt - epoch
    serial = delta.days + delta.seconds / 86400
    return serial - 1 if not date1904 and dt < _MARCH_1900 else serial


def first_date(date1904: bool) -> date:
    """The first day a workbook's date system can store."""
    return date(1904, 1, 1) if date1904 else date(1900, 1, 1)


def _num(v: float) -> bytes:
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v)).encode()
    return repr(float(v)).encode()


@dataclass(frozen=True)
class Change:
    """One cell esp will write, with what it holds now (for --dry-run and reports)."""

    sheet: str
    row: int
    col: int
    new: Value

    @property
    def address(self) -> str:
        return address(self.sheet, self.row, self.col)


@functools.lru_cache(maxsize=16)
def _closing_last(prefix: bytes) -> re.Pattern[bytes]:
    """A cell's end tag that ends the bytes it is searched in."""
    return re.compile(rb"</" + re.escape(prefix) + rb"c\s*>\Z")


class ColumnWriter:
    """Writes cells of one column as `Patcher.set` does, with the same values and the same
    refusals: a cell plainly fine (no formula, picture or TRUE/FALSE in it, in none of the
    column's merged, filled, table-header or PivotTable ranges, a value within Excel's
    limits) is planned at once; any other goes through `Patcher.set`, which says why."""

    __slots__ = ("patcher", "sheet", "col", "sx", "ranges", "first", "_writes")

    def __init__(self, patcher: Patcher, sheet: str, col: int) -> None:
        self.patcher, self.sheet, self.col = patcher, sheet, col
        self.sx = sx = patcher.sheet_xml(sheet)
        self._writes: dict[tuple[int, int], Value] | None = None  # the sheet's, once written
        self.first = first_date(patcher.pkg.date1904)
        # The rows in which a range over the column may refuse a cell; None: every cell goes
        # the careful way (a protected sheet, or parts that cannot be read: it says so).
        self.ranges: list[tuple[int, int]] | None = None
        try:
            if sx.protected:
                return
            ranges = [(r1, r2) for r1, c1, r2, c2 in sx.merged_ranges if c1 <= col <= c2]
            ranges += [(r1, r2) for (r1, c1, r2, c2), _k in sx.filled_ranges if c1 <= col <= c2]
            if col not in patcher._new_cols.get(sheet, {}):
                tables = patcher._table_refs(sheet)
                ranges += [(r1, r1) for _n, (r1, c1, _r2, c2) in tables if c1 <= col <= c2]
            pivots = patcher._pivot_ranges(sheet)
            ranges += [(r1, r2) for _n, (r1, c1, r2, c2) in pivots if c1 <= col <= c2]
        except ValueError:
            return
        self.ranges = ranges

    def set(self, row: int, value: Value) -> Value:
        """Plan the cell; the value as it will be written (see Patcher.set)."""
        if not self._plain(row, value):
            return self.patcher.set(self.sheet, row, self.col, value)  # the careful way
        writes = self._writes
        if writes is None:
            writes = self._writes = self.patcher._writes.setdefault(self.sheet, {})
        writes[(row, self.col)] = value
        raw = self.patcher._raw.get(self.sheet)
        if raw:
            raw.pop((row, self.col), None)
        return value

    def _plain(self, row: int, value: Value) -> bool:
        """Whether `Patcher._checked` would take the value as it is, seen at once."""
        ranges = self.ranges
        if ranges is None or (ranges and any(r1 <= row <= r2 for r1, r2 in ranges)):
            return False
        try:
            cell = self.sx.cell(row, self.col)
        except ValueError:
            return False  # said with the cell's address by the careful way
        if cell is not None and (
            cell.has_formula
            or cell.attr(b"vm") is not None
            or (isinstance(value, str) and cell.attr(b"t") == b"b")
        ):
            return False
        if value is None or isinstance(value, (bool, int)):
            return True
        if isinstance(value, str):
            return len(value) <= EXCEL_LINE_LIMIT and value.isascii()
        if isinstance(value, float):
            return math.isfinite(value)
        if isinstance(value, date):
            return (value.date() if isinstance(value, datetime) else value) >= self.first
        return False


class Patcher:
    def __init__(self, pkg: Package) -> None:
        if pkg.signed:
            # Any change voids the signature (it covers the sheets' parts): refused, as a
            # protected sheet is; reading commands read it as any workbook.
            raise UnsafeWriteError(
                f"{pkg.path} is digitally signed: a change would break its signature, so esp "
                "does not write it; nothing was written.",
                fix=f"{SIGNED_FIX}.",
            )
        self.pkg = pkg
        self._sheets: dict[str, SheetXml] = {}
        self._writes: dict[str, dict[tuple[int, int], Value]] = {}
        # Cells put back exactly as they were (an undo): their original <c> element, or
        # b"" where there was no cell.
        self._raw: dict[str, dict[tuple[int, int], bytes]] = {}
        # (sheet, col, columns added to the sheet so far) -> what checks a cell put back
        self._restorers: dict[tuple[str, int, int], ColumnWriter] = {}
        self._new_cols: dict[str, dict[int, int]] = {}  # sheet -> new col -> header row
        # sheet -> new col -> the column it is styled like (header, width, cells)
        self._like: dict[str, dict[int, int]] = {}
        self._styles: Styles | None = None
        self._column_date_style: dict[tuple[int, int], int | None] = {}
        self._column_own_style: dict[tuple[int, int], int | None] = {}  # <col style>
        self._column_wrap_style: dict[tuple[int, int], int | None] = {}
        # sheet -> the first row below its header row, where its records are (what a
        # column's cells look like is seen there, never in its header)
        self._records_from: dict[str, int] = {}
        self._tables: dict[str, list[SheetTable]] = {}
        # The ranges the write grows over the rows it starts under them (see build), and
        # those an earlier write grew that it gives back (see shrink), by sheet.
        self.grown: list[GrownRange] = []
        self._shrinks: dict[str, list[GrownRange]] = {}
        # (sheet, kind, name) of a range given back columns it grew over -> its last column
        # then (see give_back_columns).
        self._given_back: dict[tuple[str, str, str], int] = {}
        self._strings: _SharedStrings | None = None  # the shared strings, read (text_of)
        self._pivots: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = {}
        self._drawings: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = {}
        # Other work of the write, done a step at a time while a large sheet is compressed
        # (see zipio._deflate): the history's cells made ahead.
        self.idle: Callable[[], bool] | None = None

    # -- what to write ------------------------------------------------------------------

    def sheet_xml(self, sheet: str) -> SheetXml:
        sx = self._sheets.get(sheet)
        if sx is None:
            info = self.pkg.sheet(sheet)
            sx = self._made_ahead(info.part)
            if sx is None:
                # What the command let go before (a Master's rows after esp sync-nnumbers'
                # plan) handed back first, not held beside the sheet's XML (60 MB at
                # 50,000 agents): the peak of a large write is there.
                self.pkg.release_freed_memory()
                with self._sheet_errors(sheet):
                    sx = SheetXml(self.pkg.read_xml(info.part))
            self._sheets[sheet] = sx
            self.pkg.release_freed_memory()  # what decompressing a large sheet left behind
        return sx

    def _made_ahead(self, part: str) -> SheetXml | None:
        """The sheet made ready ahead for a write of every row (Package.sheets_ahead),
        waited for; None when there is none (or it could not be made: made here instead,
        and any fault said as it is then)."""
        ahead = self.pkg.sheets_ahead
        if ahead is None:
            return None
        try:
            made: SheetXml | None = ahead.result().pop(part, None)
        except Exception:  # noqa: BLE001 - made again by the caller, which says what is wrong
            return None
        return made

    def add_column(
        self, sheet: str, header_row: int, col: int, header: str, like: int | None = None
    ) -> None:
        """A new column at `col` (right after the last header), styled like the column
        `like` — its header like that header, as wide, its cells like that column's when it
        has no style of its own. `like` defaults to the nearest column on the left that
        this write does not add: every column one write adds looks like the same one.

        A hidden column is refused once every column is planned (`check_new_columns`), so
        that one refusal names all the hidden columns the write needs."""
        new_cols = self._new_cols.setdefault(sheet, {})
        if like is None:
            like = col - 1
            while like in new_cols:
                like -= 1
        new_cols[col] = header_row
        self._like.setdefault(sheet, {})[col] = like
        self.set(sheet, header_row, col, header)

    def width_said(self, sheet: str, col: int) -> str:
        """What the write's report says of the width a new column gets ("" when it takes the
        width of the column it is styled like, as it is): added visible beside a hidden
        column, or given the sheet's standard width."""
        like = self._like.get(sheet, {}).get(col)
        return "" if like is None else _new_col_width(self.sheet_xml(sheet), col, like)[1]

    def records_from(self, sheet: str, row: int) -> None:
        """Say where the sheet's records start (the row under its header row)."""
        self._records_from[sheet] = row

    def check_new_columns(self) -> None:
        """Refuse the columns this write adds that are hidden (a `<col hidden>` range, such
        as every column right of the tracker hidden at once), naming all of them, each
        sheet's in one refusal with one fix."""
        for sheet, new_cols in self._new_cols.items():
            sx = self.sheet_xml(sheet)
            hidden = [c for c in sorted(new_cols) if _hidden(sx.col_spec(c))]
            if not hidden:
                self._check_tables_grown(sheet, new_cols)
                continue
            header_row = new_cols[hidden[0]]
            writes = self._writes.get(sheet, {})
            names = [f"'{writes.get((new_cols[c], c), '')}'" for c in hidden]
            runs = _column_runs(hidden)
            one = len(hidden) == 1
            cells = f"{col_letter(hidden[0])}1" + ("" if one else f":{col_letter(hidden[-1])}1")
            raise UnsafeWriteError(
                f"{address(sheet, header_row, hidden[0])}: esp needs to add "
                + (f"the column {names[0]}" if one else f"the columns {listed(names)}")
                + f", but {'column' if one else 'columns'} {runs} "
                + f"{'is' if one else 'are'} hidden; nothing was written.",
                fix=f"unhide {'column' if one else 'columns'} {runs} in Excel (type {cells} in "
                "the Name Box, then Home > Format > Hide & Unhide > Unhide Columns), or add "
                + (f"a {names[0]} header" if one else "those headers")
                + " yourself.",
            )

    def _check_tables_grown(self, sheet: str, new_cols: dict[int, int]) -> None:
        """Refuse new columns that would extend a table esp does not change (one with a
        totals row, or filled by a query), naming every one of them."""
        writes = self._writes.get(sheet, {})
        for table in self.tables(sheet):
            r1, _c1, _r2, c2 = table.ref
            run: list[int] = []
            while new_cols.get(c2 + 1 + len(run)) == r1:
                run.append(c2 + 1 + len(run))
            if not run or not (table.totals or table.query):
                continue
            names = listed([f"'{writes.get((r1, c), '')}'" for c in run])
            one = len(run) == 1
            why = "is filled by a query" if table.query else "has a totals row"
            raise UnsafeWriteError(
                f"{address(sheet, r1, run[0])}: the new {'column' if one else 'columns'} "
                f"{names} would extend the Excel table '{table.name}', which {why}; esp does "
                "not change such a table; nothing was written.",
                fix=f"add the {names} {'column' if one else 'columns'} to the table in Excel "
                "(type the headers right of it), then run esp again.",
            )

    def _occupants(self, sheet: str, from_row: int) -> list[Occupant]:
        """What already holds columns of the sheet besides values: merged cells reaching
        `from_row` or below (a title merged across the top does not hold a column), Excel
        tables, PivotTables, data validations (a rule set on whole rows does not count) and
        charts, pictures or shapes floating over the cells, each as a message names it, with
        how to free its columns and its range."""
        with self._sheet_errors(sheet):
            sx = self.sheet_xml(sheet)
            found = [
                Occupant(
                    f"is inside the merged cells {_range_text(rng)}",
                    "unmerge those cells (Home > Merge & Center)",
                    rng,
                )
                for rng in sx.merged_ranges
                if rng[2] >= from_row
            ]
            found += [
                Occupant(
                    f"is part of the Excel table '{name}'",
                    "make the table end at the last column the agents use (Table Design > "
                    "Resize Table)",
                    rng,
                )
                for name, rng in self._table_refs(sheet)
            ]
            found += [
                Occupant(
                    f"is part of the PivotTable '{name}'",
                    "move the PivotTable to a sheet of its own (PivotTable Analyze > Move "
                    "PivotTable)",
                    rng,
                )
                for name, rng in self._pivot_ranges(sheet)
            ]
            found += [
                Occupant(
                    f"has a drop-down or other data validation ({_range_text(rng)})",
                    "make that drop-down's range end at the last column the agents use (Data "
                    "> Data Validation on its cells)",
                    rng,
                )
                for rng in sx.validation_ranges
                if rng[2] >= from_row and not (rng[1] == 1 and rng[3] == MAX_COL)
            ]
            # A chart or picture floating over the cells hides what is written under it.
            found += [
                Occupant(
                    f"is under the {what} ({_range_text(rng)})",
                    f"move the {what} left, or make it narrower, so it ends before the last column",
                    rng,
                )
                for what, rng in self._drawing_ranges(sheet)
                if rng[2] >= from_row
            ]
        return found

    def _drawing_ranges(self, sheet: str) -> list[tuple[str, tuple[int, int, int, int]]]:
        """The cells each chart, picture or shape of the sheet's drawing lies over: its
        anchor's cells (one anchored by a corner and a size, or by its position, is
        measured in Excel's default cell size: near enough to keep a new column clear)."""
        cached = self._drawings.get(sheet)
        if cached is None:
            cached = []
            for target, data in self._related(sheet, REL_DRAWING):
                with contextlib.suppress(InputFileError):
                    cached += _anchors(parse_xml(self.pkg.path, target, data))
            self._drawings[sheet] = cached
        return cached

    def move_columns(self, sheet: str, moves: dict[int, int]) -> None:
        """Move columns this write adds (`moves`: old column -> new), with every cell
        planned in them; each is checked again where it lands."""
        writes = self._writes.get(sheet, {})
        headers = self._new_cols.get(sheet, {})
        moved = {(r, c): v for (r, c), v in writes.items() if c in moves}
        for key in moved:
            del writes[key]
        rows = {c: headers.pop(c) for c in list(headers) if c in moves}
        likes = self._like.get(sheet, {})
        like = {c: likes.pop(c) for c in rows if c in likes}
        for old, header_row in rows.items():
            header = moved.pop((header_row, old))
            self.add_column(sheet, header_row, moves[old], str(header), like.get(old))
        for (r, c), value in moved.items():
            self.set(sheet, r, moves[c], value)

    def first_formula_row(self, sheet: str, col: int) -> int | None:
        """The first row whose cell in column `col` holds a formula (one showing nothing
        included), as the sheet's XML has it."""
        with self._sheet_errors(sheet):
            return self.sheet_xml(sheet).first_formula_row(col)

    def column_occupant(self, sheet: str, col: int, from_row: int) -> Occupant | None:
        """What keeps column `col` from being free for a new column, values aside (None:
        nothing)."""
        return next(
            (o for o in self._occupants(sheet, from_row) if o.cells[1] <= col <= o.cells[3]),
            None,
        )

    def column_use(self, sheet: str, col: int, from_row: int) -> str | None:
        """Why column `col` is not free for a new column, values aside (None: it is)."""
        occupant = self.column_occupant(sheet, col, from_row)
        return occupant.why if occupant is not None else None

    def structures_end(self, sheet: str, from_row: int) -> int:
        """The rightmost column held by merged cells, tables, validations or drawings (0:
        none)."""
        return max((o.cells[3] for o in self._occupants(sheet, from_row)), default=0)

    @contextlib.contextmanager
    def _sheet_errors(self, sheet: str | None, cell: _Where | None = None) -> Iterator[None]:
        """A sheet whose XML esp cannot follow (a row never closed, a cell written twice)
        is refused, never patched blindly; a part esp would write malformed is never
        written."""
        try:
            yield
        except NotWellFormed as exc:
            raise WriteFailedError(
                f"{self.pkg.path}: part {exc.part or '?'} would not be well-formed XML after "
                f"esp's change ({exc.reason}); nothing was written.",
                fix="open the workbook in Excel, save it, then run esp again (and report it "
                "if it happens again).",
            ) from exc
        except ValueError as exc:
            where = f"sheet '{sheet}'" if sheet else "a sheet"
            at = f"{cell}: " if cell is not None else ""
            raise UnsafeWriteError(
                f"{at}{self.pkg.path}: {where} cannot be changed safely: {exc}.",
                fix="open the workbook in Excel, save it, then run esp again.",
            ) from exc

    def set(self, sheet: str, row: int, col: int, value: Value) -> Value:
        """Plan writing `value` in the cell, once every check has passed; the value as it
        will be written, which is what a report says was written (a Yes to a TRUE/FALSE
        cell, an Excel checkbox, is True)."""
        try:
            written = self._checked(sheet, row, col, value)
        except ValueError:
            with self._sheet_errors(sheet, _Where(sheet, row, col)):
                raise
        self._writes.setdefault(sheet, {})[(row, col)] = written
        self._raw.get(sheet, {}).pop((row, col), None)
        return written

    def cell_xml(self, sheet: str, row: int, col: int) -> bytes | None:
        """The cell's <c> element as it is in the file now (None: the sheet has no such
        cell) — what an undo puts back."""
        sx = self._sheets.get(sheet) or self.sheet_xml(sheet)
        try:
            cell = sx.cell(row, col)  # looked up (and kept) when the cell was planned
            loc = sx.row(row) if cell is not None else None
        except ValueError:
            with self._sheet_errors(sheet, _Where(sheet, row, col)):
                raise
        if cell is None or loc is None:
            return None
        return sx.data[loc.tag_end + cell.start : loc.tag_end + cell.end]

    def text_of(self, sheet: str, row: int, col: int) -> str | None:
        """The text of a cell as the sheet's XML holds it — its string (shared or inline),
        else its value as written; "" for no cell or none — without reading the sheet's
        values (a header's, say). None: it cannot be read that way."""
        from lxml import etree

        element = self.cell_xml(sheet, row, col)
        if element is None:
            return ""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        declarations = self.sheet_xml(sheet).declarations
        try:
            cell = etree.fromstring(
                b"<esp-cell" + declarations + b">" + element + b"</esp-cell>", parser
            )[0]
        except (etree.XMLSyntaxError, IndexError):
            return None
        children = {etree.QName(c).localname: c for c in cell if isinstance(c.tag, str)}
        kind = cell.get("t")
        if kind == "inlineStr":
            return _string_text(children.get("is"))
        held = children.get("v")
        value = (held.text or "") if held is not None else ""
        if kind != "s":
            return value
        if self._strings is None:
            part = self.pkg.workbook_rel_target(REL_SST)
            self._strings = _SharedStrings(self.pkg.read_xml(part) if part else b"")
        inner = self._strings.entry(int(value)) if value.strip().isdigit() else None
        if inner is None:
            return None
        try:
            root = etree.fromstring(
                b"<esp-si" + self._strings.declarations + b">" + inner + b"</esp-si>", parser
            )
        except etree.XMLSyntaxError:
            return None
        return _string_text(root)

    def restore(self, sheet: str, row: int, col: int, element: bytes | None, value: Value) -> None:
        """Put a cell back exactly as `element` (a <c> element this sheet held before; None:
        no cell). Its shared-string and style indexes still hold, because esp only appends
        to those tables. `value` is what it shows, for the same checks as `set`."""
        # The checks of `set`, what is the same down a column worked out once (an undo of a
        # whole-column write puts back 50,000 cells); valid until a column is added.
        key = (sheet, col, len(self._new_cols.get(sheet, ())))
        checker = self._restorers.get(key)
        if checker is None:
            checker = self._restorers[key] = self.column_writer(sheet, col)
        checker.set(row, value)
        raw = b"" if element is None else element
        if raw:
            prefix = checker.sx.prefix
            tag = b"<" + prefix + b"c"
            opening = start_tag(prefix, b"c").match(raw)
            closed = opening is not None and (
                opening.end() == len(raw)
                if opening.group(2)
                else _closing_last(prefix).search(raw, opening.end()) is not None
            )
            if opening is None or not closed:
                raise UnsafeWriteError(
                    f"{address(sheet, row, col)}: the recorded cell cannot be put back as it "
                    "was (it is not a cell of this sheet)."
                )
            if attr_value(opening.group(1), b"r") is None:
                raw = tag + b' r="' + f"{col_letter(col)}{row}".encode() + b'"' + raw[len(tag) :]
        self._raw.setdefault(sheet, {})[(row, col)] = raw

    def shrink(self, grown: GrownRange) -> None:
        """Give back a range an earlier write of esp grew (`grown`, from its log entry: an
        undo), over the rows it grew over that this write leaves empty at its end; only
        while it is the very range that write made (one resized since is the team's). The
        columns it grew over are given back as `give_back_columns` says."""
        self._shrinks.setdefault(grown.sheet, []).append(grown)

    def withdraw(self, grown: GrownRange) -> None:
        """Take back a `shrink` (the undo that asked for it waits on, unwritten)."""
        shrinks = self._shrinks.get(grown.sheet, [])
        if grown in shrinks:
            shrinks.remove(grown)
        self._given_back.pop((grown.sheet, grown.kind, grown.name), None)

    def emptied_columns(
        self, grown: GrownRange, writes: dict[tuple[int, int], Value] | None = None
    ) -> list[int]:
        """The columns `grown` grew its range over (right of where it ended before) that it
        can give back with this write, rightmost first: while it is still the range that
        write made, each column holding nothing under the range's header row once this
        write is made, and no filter or sort of the range set on it (those are the
        team's). Their headers are not looked at (see give_back_columns). `writes`: the
        cells of the range's sheet, by (row, column), of a part of this write only (the
        changes up to an undo): what that part alone would give back."""
        now = self._range_now(grown)
        if now is None:
            return []
        (r1, _c1, _r2, c2), reach = now
        before_right = parse_range(grown.before)[3]
        found = []
        for col in range(c2, before_right, -1):
            if col <= reach or not self._column_empty(grown.sheet, col, r1, writes):
                break
            found.append(col)
        return found

    def emptied_rows(
        self, grown: GrownRange, writes: dict[tuple[int, int], Value] | None = None
    ) -> int | None:
        """The last row the range `grown` keeps once this write (`writes`: a part of it, as
        for emptied_columns) gives back the rows it grew over that it leaves empty at its
        end; None while the range is not the one that write made (the team's: kept)."""
        sx = self.sheet_xml(grown.sheet)
        if grown.kind == "table":
            part = self.pkg.sheet(grown.sheet).part
            ranges = [
                rng
                for _target, _data, (_s, _p, _t, attrs, rng) in self._table_parts(part, {})
                if _table_name(attrs) == grown.name
            ]
        else:
            found = _sheet_filter(sx.data[sx.sd_close :], sx.root_prefix)
            ranges = [found[1]] if found is not None else []
        if not ranges or _a1(*ranges[0]) != grown.after:
            return None
        mine = self._writes.get(grown.sheet, {}) if writes is None else writes
        return _emptied_to(sx, mine, parse_range(grown.before)[2], ranges[0][2])

    def give_back_columns(self, grown: GrownRange, right: int) -> None:
        """Give the range of `grown` back the columns it grew over after column `right`
        (some of emptied_columns): it ends there again (a table's filter and columns too),
        once this write has emptied their headers as well."""
        self._given_back[(grown.sheet, grown.kind, grown.name)] = right

    def unset(self, sheet: str, row: int, col: int) -> None:
        """Take a planned cell out of the write: it stays as the sheet has it."""
        self._writes.get(sheet, {}).pop((row, col), None)
        self._raw.get(sheet, {}).pop((row, col), None)

    def _range_now(self, grown: GrownRange) -> tuple[_Range, int] | None:
        """The range `grown` grew, while it is still the one that write made (a table by its
        name; the sheet's own filter), and the rightmost column a filter or sort set on it
        uses (0: none); None: it is not."""
        if grown.kind == "table":
            part = self.pkg.sheet(grown.sheet).part
            for target, data, (scan, prefix, tag, attrs, rng) in self._table_parts(part, {}):
                if _table_name(attrs) != grown.name:
                    continue
                columns = _table_columns(scan, prefix, tag.end())
                width = rng[3] - rng[1] + 1
                if _a1(*rng) != grown.after or columns is None or len(columns[2]) != width:
                    return None
                if self._table_named(target, data, grown.name):
                    return None  # its columns may be named: none is taken out
                return rng, _filter_reach(scan, prefix, tag.end(), len(scan))
            return None
        if grown.kind == "filter":
            sx = self.sheet_xml(grown.sheet)
            tail = sx.data[sx.sd_close :]
            found = _sheet_filter(tail, sx.root_prefix)
            if found is None or _a1(*found[1]) != grown.after:
                return None
            auto, rng = found
            scan = blank_markup(tail)
            bound = _filter_bound(scan, sx.root_prefix, auto.start())
            return rng, _filter_reach(scan, sx.root_prefix, auto.start(), bound)
        return None

    def _table_named(self, table_part: str, table_xml: bytes, name: str) -> bool:
        """Whether something may name the table's columns, which taking one out would leave
        naming a column the table no longer has (#REF! in Excel): a formula, a defined
        name, a conditional format, a data validation, a chart or a PivotTable naming the
        table (`Agents[Escalation Stage]`, as the file writes `[@Column]` too) in any part;
        the table's own calculated or totals formulas; a slicer; macros, whose code cannot
        be read."""
        if _TABLE_FORMULA.search(table_xml):
            return True
        wanted = name.encode().lower()
        held = {self.pkg.sheet(n).part: sx.data for n, sx in self._sheets.items()}
        for part in self.pkg.names():
            low = part.lower()
            if "slicer" in low or "timeline" in low or low.endswith("vbaproject.bin"):
                return True
            if part == table_part or not low.endswith((".xml", ".rels")):
                continue
            data = held.get(part) or self.pkg.kept_xml(part)
            if data is None:
                data = self.pkg.read_xml(part, keep=False)
            if _names_before_bracket(data, wanted):
                return True
        return False

    def _column_empty(
        self, sheet: str, col: int, below: int, writes: dict[tuple[int, int], Value] | None = None
    ) -> bool:
        """Whether column `col` holds nothing under row `below` once this write (`writes`:
        a part of it) is made."""
        if writes is None:
            writes = self._writes.get(sheet, {})
        for (row, c), value in writes.items():
            if c == col and row > below and value not in (None, ""):
                return False
        sx = self.sheet_xml(sheet)
        with self._sheet_errors(sheet):
            return not any(
                sx.holds(loc, col)
                for loc in sx.rows
                if loc.num > below and (loc.num, col) not in writes
            )

    def _gives_back_header(self, sheet: str, name: str, rng: _Range, col: int) -> bool:
        """Whether an undo may give the table `name` (now `rng`) back column `col`, which the
        write it undoes added to it: the column's header may be emptied then."""
        return any(
            g.kind == "table"
            and g.name == name
            and g.after == _a1(*rng)
            and col > parse_range(g.before)[3]
            for g in self._shrinks.get(sheet, ())
        )

    def column_writer(self, sheet: str, col: int) -> ColumnWriter:
        """`set` for many cells of one column: what is the same for every cell of it (the
        ranges that could refuse one) worked out once. Valid until the column moves."""
        return ColumnWriter(self, sheet, col)

    def check(self, sheet: str, row: int, col: int, value: Value) -> None:
        """Raise what `set` would raise for this cell and value; nothing is planned."""
        try:
            self._checked(sheet, row, col, value)
        except ValueError:
            with self._sheet_errors(sheet, _Where(sheet, row, col)):
                raise

    def _checked(self, sheet: str, row: int, col: int, value: Value) -> Value:
        """The value as it will be written (a Yes to a TRUE/FALSE cell as True), once every
        check has passed."""
        where = _Where(sheet, row, col)
        sx = self.sheet_xml(sheet)
        if sx.protected:
            raise UnsafeWriteError(
                f"{where}: sheet '{sheet}' is protected.",
                fix=f"{PROTECTED_FIX}.",
            )
        cell = sx.cell(row, col)
        if cell is not None:
            if cell.has_formula:
                raise UnsafeWriteError(
                    f"{where} holds a formula; esp will not overwrite it.",
                    fix="move the formula, or map that column to another header in esp.toml.",
                )
            if cell.attr(b"vm") is not None:
                raise UnsafeWriteError(f"{where} holds a picture or rich value; not overwritten.")
            if cell.attr(b"t") == b"b":
                value = as_checkbox(value)  # a TRUE/FALSE cell stays one
        for r1, c1, r2, c2 in sx.merged_ranges:
            if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
                raise UnsafeWriteError(
                    f"{where} is inside the merged cells "
                    f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}.",
                    fix="unmerge those cells in Excel.",
                )
        for (r1, c1, r2, c2), kind in sx.filled_ranges:
            if r1 <= row <= r2 and c1 <= col <= c2:
                span = f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"
                if kind == "dataTable":
                    raise UnsafeWriteError(
                        f"{where} is part of a What-If data table ({span}); Excel fills it, "
                        "esp will not overwrite it.",
                        fix="move the data table (Data > What-If Analysis), or map that column "
                        "to another header in esp.toml.",
                    )
                raise UnsafeWriteError(
                    f"{where} is filled by an array formula ({span}); esp will not overwrite it.",
                    fix="move the formula, or map that column to another header in esp.toml.",
                )
        if col not in self._new_cols.get(sheet, {}):
            for name, rng in self._table_refs(sheet):
                r1, c1, _r2, c2 = rng
                if (
                    row == r1
                    and c1 <= col <= c2
                    and not (value in (None, "") and self._gives_back_header(sheet, name, rng, col))
                ):
                    raise UnsafeWriteError(
                        f"{where} is a header of the Excel table '{name}'; esp does not "
                        "rename table columns.",
                        fix="rename the header in Excel, or map it in esp.toml [columns].",
                    )
        for name, (r1, c1, r2, c2) in self._pivot_ranges(sheet):
            if r1 <= row <= r2 and c1 <= col <= c2:
                raise UnsafeWriteError(
                    f"{where} is part of the PivotTable '{name}'; a refresh would replace what "
                    "esp wrote.",
                    fix="change the pivot table's source data instead, or move the PivotTable.",
                )
        if isinstance(value, str):
            check_cell_text(value, where)
        if isinstance(value, float) and not math.isfinite(value):
            raise UnsafeWriteError(f"{where}: {value} is not a number Excel can store.")
        if isinstance(value, date):
            day = value.date() if isinstance(value, datetime) else value
            first = first_date(self.pkg.date1904)
            if day < first:
                raise UsageError(
                    f"{where}: {day:%m/%d/%Y} is before {first:%m/%d/%Y}, the first date "
                    "Excel can store in this workbook; nothing was written.",
                    fix="check the date given.",
                )
        return value

    def _related(self, sheet: str, rel_type: str) -> list[tuple[str, bytes]]:
        """The sheet's related parts of one type (tables, pivot tables), with their XML."""
        return [
            (target, self.pkg.read_xml(target))
            for typ, target in self.pkg.rels(self.pkg.sheet(sheet).part).values()
            if typ == rel_type and self.pkg.has(target)
        ]

    def tables(self, sheet: str) -> list[SheetTable]:
        """The sheet's Excel tables, as their parts declare them."""
        cached = self._tables.get(sheet)
        if cached is None:
            cached = []
            for target, data in self._related(sheet, REL_TABLE):
                head = root_attrs(data, b"table")
                ref = head.get(b"ref")
                if ref:
                    try:
                        rng = parse_range(ref.decode())
                    except (ValueError, UnicodeDecodeError):
                        continue
                    name = head.get(b"displayName")
                    totals = head.get(b"totalsRowCount", b"").strip()
                    cached.append(
                        SheetTable(
                            name.decode("utf-8", "replace") if name else target,
                            target,
                            rng,
                            int(totals) if totals.isdigit() else 0,
                            head.get(b"tableType", b"").strip() == b"queryTable",
                        )
                    )
            self._tables[sheet] = cached
        return cached

    def formulas(self, sheet: str) -> list[tuple[int, int, str]]:
        """The sheet's formulas as (row, column, text without '=')."""
        with self._sheet_errors(sheet):
            return self.sheet_xml(sheet).formulas()

    def _table_refs(self, sheet: str) -> list[tuple[str, tuple[int, int, int, int]]]:
        return [(t.name, t.ref) for t in self.tables(sheet)]

    def _pivot_ranges(self, sheet: str) -> list[tuple[str, tuple[int, int, int, int]]]:
        """The cells each PivotTable on the sheet owns: its body (`<location ref>`) and its
        report filters, which sit `rowPageCount` rows above it with one blank row between,
        one name and one value column per filter plus a gap column."""
        cached = self._pivots.get(sheet)
        if cached is None:
            cached = []
            for target, data in self._related(sheet, REL_PIVOT_TABLE):
                scan = blank_markup(data)
                head = root_attrs(data, b"pivotTableDefinition")
                found = re.search(rb"<((?:[^\s:<>/!?]+:)?)location(?=[\s/>])", scan)
                loc_tag = (
                    start_tag(found.group(1), b"location").match(scan, found.start())
                    if found
                    else None
                )
                loc = parse_attrs(loc_tag.group(1)) if loc_tag else {}
                ref = loc.get(b"ref")
                if not head or ref is None:
                    continue
                name = head.get(b"name")
                label = name.decode("utf-8", "replace") if name is not None else target
                try:
                    r1, c1, r2, c2 = parse_range(ref.decode())
                except (ValueError, UnicodeDecodeError):
                    continue
                cached.append((label, (r1, c1, r2, c2)))
                pages = loc.get(b"rowPageCount", b"")
                page_cols = loc.get(b"colPageCount", b"1")
                if pages.isdigit() and int(pages) > 0 and r1 > int(pages) + 1:
                    width = 3 * int(page_cols if page_cols.isdigit() else b"1") - 1
                    top = r1 - int(pages) - 1
                    cached.append((label, (top, c1, r1 - 2, c1 + width - 1)))
            self._pivots[sheet] = cached
        return cached

    @property
    def pending(self) -> int:
        return sum(len(w) for w in self._writes.values())

    # -- building the new package -----------------------------------------------------

    @property
    def styles(self) -> Styles:
        if self._styles is None:
            part = self.pkg.workbook_rel_target(REL_STYLES)
            if part is not None and self.pkg.has(part):
                self._styles = Styles.parse(self.pkg.read_xml(part))
            else:
                # No styles part (it is optional): one is added if a date needs a format.
                self._styles = Styles.minimal()
        return self._styles

    def _guarded(
        self,
        sheet: str,
        part: str,
        pieces: Iterator[bytes | memoryview],
        rows: FragmentCheck | None,
        skeleton: bytes,
    ) -> Iterator[bytes | memoryview]:
        """The new sheet's pieces, proven well-formed as they pass: the whole part when it
        is small; else every row the splicer wrote (`rows` is fed them, inside the
        namespaces in scope) and the sheet without its rows (`skeleton`). What lies between
        the written rows is the original's bytes, whole rows and what came between them."""
        # The rows are rebuilt as the zip writer asks for them: errors still name the sheet.
        with self._sheet_errors(sheet), _part_named(part):
            if rows is None:
                whole = FragmentCheck.document()
                for piece in pieces:
                    whole.feed(piece)
                    yield piece
                whole.close()
                return
            yield from pieces
            rows.close()
            check_document(skeleton)

    def build(self) -> bytes:
        """The complete new package bytes (nothing is written to disk here)."""
        with self._sheet_errors(None), self._carried():
            replace, added = self._parts()
            return zipio.rewrite(self.pkg.data, self.pkg.zf, replace, add=added, idle=self.idle)

    def rehearse(self) -> None:
        """What `build` does but compressing the new parts and putting the package
        together: every new part is made (each sheet's rows spliced in and proven
        well-formed as they pass) and every other part is checked as its copy would be, so
        whatever in the workbook would refuse `build` refuses this, in the same words. For
        a dry run."""
        with self._sheet_errors(None), self._carried():
            replace, _added = self._parts()
            for data in replace.values():
                if not isinstance(data, bytes):
                    for _piece in data:
                        pass
            zipio.check_carried(self.pkg.data, self.pkg.zf, replace)

    @contextlib.contextmanager
    def _carried(self) -> Iterator[None]:
        """A part the new package cannot copy as it is (another program wrote the zip
        oddly, or it is damaged) refuses the write: a copy would be garbage."""
        try:
            yield
        except zipio.PartNotCarried as exc:
            raise UnsafeWriteError(
                f"{self.pkg.path}: part {exc.part} cannot be copied into the new file as it "
                f"is ({exc.why}); nothing was written.",
                fix="open the workbook in Excel and save it once, then run esp again.",
            ) from exc

    def _parts(self) -> tuple[dict[str, zipio.PartData], tuple[zipio.NewPart, ...]]:
        """The parts `build` replaces, by name (a large sheet's as pieces made as they are
        asked for), and those it adds."""
        self.check_new_columns()
        sst_part = self.pkg.workbook_rel_target(REL_SST)
        sst = _SharedStrings(self.pkg.read_xml(sst_part)) if sst_part else None
        replace: dict[str, zipio.PartData] = {}
        self.grown = []
        # sheet index -> its filter's range as it was and the last row it now ends at
        filters: dict[int, tuple[_Range, _Range]] = {}
        for sheet, writes in self._writes.items():
            sx = self.sheet_xml(sheet)
            new_cols = self._new_cols.get(sheet, {})
            likes = self._like.get(sheet, {})
            records_from = self._records_from.get(sheet)
            # Each row's new cells as (col, element) pairs, in order: a dict for each of
            # 50,000 rows would hold twice the memory.
            changes: dict[int, tuple[tuple[int, bytes], ...]] = {}
            raw = self._raw.get(sheet, {})
            row = col = 0
            try:
                for (row, col), value in sorted(writes.items()):
                    if (row, col) in raw:
                        element = self._restored(sx, row, col, raw, sst)
                    else:
                        # The cell as the sheet has it, looked up once for its style, its
                        # kind and its text (the splicer finds it again, kept from planning).
                        current = sx.cell(row, col)
                        style = self._style_for(
                            sx,
                            row,
                            col,
                            value,
                            likes.get(col),
                            current,
                            new_cols.get(col) == row,
                            records_from,
                        )
                        element = self._cell_xml(sx, row, col, value, style, sst, current)
                    changes[row] = (*changes.get(row, ()), (col, element))
            except ValueError:
                # Found only now (a row written twice, met once the rows are indexed):
                # said of the cell, as planning says it.
                with self._sheet_errors(sheet, _Where(sheet, row, col)):
                    raise
            twin = sx.twice_among(changes)
            if twin is not None:
                # A row written twice far from its twin (found by reference, never seen).
                with self._sheet_errors(sheet, _Where(sheet, twin, changes[twin][0][0])):
                    raise ValueError(f"row {twin} appears twice in the sheet's XML")
            rows = None if len(sx.data) <= WHOLE_CHECK_BYTES else sx.fragment_check()
            head, body, tail = Splicer(sx, rows).parts(changes)
            if new_cols:
                head = _add_col_widths(head, sx, {c: likes[c] for c in new_cols})
            head = _widen_dimension(head, sx.root_prefix, changes)
            info = self.pkg.sheet(sheet)
            shrinks = self._shrinks.get(sheet, [])
            right = self._given_back.get((sheet, "filter", ""))
            resized = _shrink_sheet_filter(tail, sx, writes, shrinks, right) or _grow_sheet_filter(
                tail, sx, writes, new_cols
            )
            if resized is not None:
                tail, filters[info.index] = resized
                was, now = filters[info.index]
                if now[2] > was[2] or now[3] > was[3]:
                    self.grown.append(GrownRange(sheet, "filter", "", _a1(*was), _a1(*now)))
            replace[info.part] = self._guarded(
                sheet, info.part, itertools.chain((head,), body, (tail,)), rows, head + tail
            )
            # table name -> its range before this write and after
            growth: dict[str, tuple[_Range, _Range]] = {}
            for col, header_row in new_cols.items():
                self._extend_tables(info.part, sheet, header_row, col, writes, replace, growth)
            self._resize_tables(sheet, info.part, sx, writes, replace, shrinks, growth)
            self.grown += [
                GrownRange(sheet, "table", name, _a1(*was), _a1(*now))
                for name, (was, now) in growth.items()
            ]
        workbook = self.pkg.workbook_xml
        for index, (was, now) in filters.items():
            workbook = _resize_filter_name(workbook, index, was, now)
        if replace and self._has_formulas():
            workbook = _full_calc_on_open(workbook) or workbook
        if workbook is not self.pkg.workbook_xml:
            replace[self.pkg.workbook_part] = workbook
        if sst is not None and sst_part is not None and sst.changed:
            replace[sst_part] = sst.patched()
            if len(sst.data) > WHOLE_CHECK_BYTES:
                with _part_named(sst_part):
                    sst.check()
        styles = self.styles.patched()
        added: tuple[zipio.NewPart, ...] = ()
        if styles is not None and self.styles.new_part:
            part = self._free_name("xl/styles.xml")
            added = (zipio.NewPart(part, styles),)
            self._relate(part, REL_STYLES, STYLES_CONTENT_TYPE, replace)
        elif styles is not None:
            existing = self.pkg.workbook_rel_target(REL_STYLES)
            assert existing is not None
            replace[existing] = styles
        for part, data in [*replace.items(), *((p.name, p.data) for p in added)]:
            if isinstance(data, bytes) and (part != sst_part or len(data) <= WHOLE_CHECK_BYTES):
                with _part_named(part):
                    check_document(data)
        return replace, added

    def _has_formulas(self) -> bool:
        """Whether a formula is anywhere in the workbook, whose cached result may depend on
        cells esp writes: told by the calculation chain Excel keeps while it has formulas,
        then by the sheets esp writes (read already), and only then by reading the others
        (a Summary beside the tracker: small) until one holds a formula."""
        chain = self.pkg.workbook_rel_target(REL_CALCCHAIN)
        if chain is not None and self.pkg.has(chain):
            return True
        if any(self.sheet_xml(sheet).has_formulas for sheet in self._writes):
            return True
        return any(
            _holds_formula(self.pkg.chunks(info.part))
            for info in self.pkg.sheets
            if info.name not in self._writes and self.pkg.has(info.part)
        )

    def _free_name(self, wanted: str) -> str:
        """`wanted`, or `wanted` numbered (styles1.xml...) when a part has that name."""
        stem, dot, ext = wanted.rpartition(".")
        name, n = wanted, 0
        while self.pkg.has(name) or any(n_.lower() == name.lower() for n_ in self.pkg.names()):
            n += 1
            name = f"{stem}{n}{dot}{ext}"
        return name

    def _relate(
        self, part: str, rel_type: str, content_type: str, replace: dict[str, zipio.PartData]
    ) -> None:
        """Make a new part of the workbook known: a relationship from the workbook part
        and its content type (both parts patched in place, markup-aware)."""
        wb_part = self.pkg.workbook_part
        rels_name = self.pkg.rels_part_name(wb_part)
        rels = self.pkg.read_xml(rels_name)
        ids = {str(rel.get("Id", "")) for rel in relationships(self.pkg.parse(rels_name))}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        target = posixpath.relpath(part, posixpath.dirname(wb_part) or ".")
        replace[rels_name] = _with_child(
            rels,
            b"Relationships",
            b'Relationship Id="rId%d" Type="' % n
            + xml_attr(rel_type)
            + b'" Target="'
            + xml_attr(target)
            + b'"/',
        )
        types_name = "[Content_Types].xml"
        replace[types_name] = _with_child(
            self.pkg.read_xml(types_name),
            b"Types",
            b'Override PartName="/'
            + xml_attr(part)
            + b'" ContentType="'
            + xml_attr(content_type)
            + b'"/',
        )

    def _restored(
        self,
        sx: SheetXml,
        row: int,
        col: int,
        raw: dict[tuple[int, int], bytes],
        sst: _SharedStrings | None,
    ) -> bytes:
        element = raw[(row, col)]
        if sst is not None:
            existing = sx.cell(row, col)
            if existing is not None and existing.attr(b"t") == b"s":
                sst.released()
            opening = start_tag(sx.prefix, b"c").match(element) if element else None
            if opening is not None and parse_attrs(opening.group(1)).get(b"t") == b"s":
                sst.refs_delta += 1
        return element

    def _style_for(
        self,
        sx: SheetXml,
        row: int,
        col: int,
        value: Value,
        like: int | None,
        existing: CellLoc | None,
        header: bool = False,
        records_from: int | None = None,
    ) -> int | None:
        """A new cell's style: its row's when the row is formatted whole (`<row s="2"
        customFormat="1">`), else the column's own (`<col style>`), as Excel gives a cell
        typed there; in a column esp adds (`like`: the column it is styled like), that
        column's cell in the row when neither has a style of its own, and always for its
        header (a header looks like the headers). A date gets a date format, and text
        holding a line break one that wraps (`records_from`: the sheet's first row under its
        header, when known): in a formatted row, the row's format with that added."""
        new_col = like is not None
        style = existing.style if existing is not None else None
        of_row = None if existing is not None or header else _row_style(sx, row)
        if of_row is not None:
            style = of_row
        elif existing is None:
            own = self._own_style(sx, col)
            beside, neighbour_style = (
                sx.style_of(row, like)
                if like is not None and like >= 1 and (header or not own)
                else (False, None)
            )
            style = neighbour_style if beside else own
        if isinstance(value, str) and "\n" in value and self.styles.count:
            if of_row is not None:
                return of_row if self.styles.wraps(of_row) else self.styles.wrap_variant(of_row)
            return self._wrapping(sx, col, style, existing, records_from)
        if isinstance(value, date) and self.styles.count:
            if style is not None and self.styles.is_date_style(style):
                return style
            key = (id(sx), col)
            if key not in self._column_date_style:
                # A column esp adds has no cells yet: nothing to scan.
                self._column_date_style[key] = (
                    None
                    if new_col
                    else next(
                        (s for s in sx.column_styles(col) if self.styles.is_date_style(s)), None
                    )
                )
            found = self._column_date_style[key]
            if found is not None and of_row is None:
                return found
            fmt = DATETIME_FMT_ID if isinstance(value, datetime) else DATE_FMT_ID
            if found is not None:
                # In a formatted row: the row's format, showing the date as the column's
                # dates do (`mm/dd/yyyy`).
                fmt = self.styles.xf_fmt[found]
            return self.styles.date_variant(style or 0, fmt)
        return style

    def _own_style(self, sx: SheetXml, col: int) -> int | None:
        """The column's own style (`<col style>`), looked up once per column."""
        key = (id(sx), col)
        if key not in self._column_own_style:  # a write of a column asks for every cell
            spec = sx.col_spec(col)
            spec_style = spec.get(b"style", b"") if spec else b""
            self._column_own_style[key] = int(spec_style) if spec_style.isdigit() else None
        return self._column_own_style[key]

    def _wrapping(
        self,
        sx: SheetXml,
        col: int,
        style: int | None,
        existing: CellLoc | None,
        records_from: int | None,
    ) -> int:
        """The style of a cell holding a line break, which Excel shows only with Wrap Text:
        its own when it wraps; else, for a cell without a format of its own (an empty one, or
        one in the column's style), the wrap style most of the column's cells under its
        header use, as the team's notes cells have it; else its format with Wrap Text added
        (a fill or font someone gave that cell is kept)."""
        if style is not None and self.styles.wraps(style):
            return style
        formatted = existing is not None and existing.style not in (
            None,
            0,
            self._own_style(sx, col),
        )
        if not formatted and records_from is not None:
            key = (id(sx), col)
            if key not in self._column_wrap_style:
                counts = Counter(
                    s for s in sx.column_styles(col, from_row=records_from) if self.styles.wraps(s)
                )
                # The most used; of as many, the one met first.
                self._column_wrap_style[key] = counts.most_common(1)[0][0] if counts else None
            found = self._column_wrap_style[key]
            if found is not None:
                return found
        return self.styles.wrap_variant(style or 0)

    def _cell_xml(
        self,
        sx: SheetXml,
        row: int,
        col: int,
        value: Value,
        style: int | None,
        sst: _SharedStrings | None,
        existing: CellLoc | None,
    ) -> bytes:
        p = sx.prefix
        head = b"<" + p + b'c r="' + f"{col_letter(col)}{row}".encode() + b'"'
        if style is not None and style != 0:
            head += b' s="%d"' % style
        if sst is not None and existing is not None and existing.attr(b"t") == b"s":
            sst.released()
        if value is None or value == "":
            return head + b"/>"
        if isinstance(value, bool):
            return (
                head
                + b' t="b"><'
                + p
                + b"v>"
                + (b"1" if value else b"0")
                + b"</"
                + p
                + b"v></"
                + p
                + b"c>"
            )
        if isinstance(value, (date, datetime)):
            serial = excel_serial(value, self.pkg.date1904)
            return head + b"><" + p + b"v>" + _num(serial) + b"</" + p + b"v></" + p + b"c>"
        if isinstance(value, (int, float)):
            return head + b"><" + p + b"v>" + _num(value) + b"</" + p + b"v></" + p + b"c>"
        text = xml_text(value)
        space = b' xml:space="preserve"' if value != value.strip() or "\n" in value else b""
        rich = self._rich_appended(sx, row, value, sst, existing)
        if sst is not None:
            if rich is not None:
                idx = sst.add_entry(rich)
            else:
                idx = sst.add(b"<" + p + b"t" + space + b">" + text + b"</" + p + b"t>", p)
            return head + b' t="s"><' + p + b"v>%d</" % idx + p + b"v></" + p + b"c>"
        if rich is not None:
            inline = b"<" + p + b"is>" + rich + b"</" + p + b"is>"
            return head + b' t="inlineStr">' + inline + b"</" + p + b"c>"
        return (
            head
            + b' t="inlineStr"><'
            + p
            + b"is><"
            + p
            + b"t"
            + space
            + b">"
            + text
            + b"</"
            + p
            + b"t></"
            + p
            + b"is></"
            + p
            + b"c>"
        )

    def _rich_appended(
        self,
        sx: SheetXml,
        row: int,
        value: str,
        sst: _SharedStrings | None,
        existing: CellLoc | None,
    ) -> bytes | None:
        """A cell of rich text (runs with their own fonts: a red bold "URGENT") written with
        text that adds to it (a note line appended): its runs kept as they are and the new
        text as one more run — the inside of the new <si> (or <is>). None otherwise."""
        if existing is None or existing.body is None:
            return None
        kind = (existing.attr(b"t") or b"").strip()
        if kind == b"s" and sst is not None and sst.has_runs:
            value_tag = re.search(rb"<(?:[^\s:<>/!?]+:)?v>([^<]*)<", existing.body)
            index = unescape(value_tag.group(1).decode("utf-8", "replace")) if value_tag else ""
            inner = sst.entry(int(index)) if index.strip().isdigit() else None
            if inner is None:
                return None
            return _with_run(inner, sst.prefix, sst.declarations, value)
        if kind == b"inlineStr" and (sst is None or sst.prefix == sx.prefix):
            loc = sx.row(row)
            assert loc is not None  # the cell was found in it
            raw = sx.data[loc.tag_end + existing.start : loc.tag_end + existing.end]
            scan = blank_markup(raw)
            opening = start_tag(sx.prefix, b"is").search(scan)
            closing = end_tag(sx.prefix, b"is").search(scan, opening.end()) if opening else None
            if opening is None or closing is None or opening.group(2):
                return None
            inner = raw[opening.end() : closing.start()]
            return _with_run(inner, sx.prefix, sx.declarations, value)
        return None

    def _extend_tables(
        self,
        sheet_part: str,
        sheet: str,
        header_row: int,
        col: int,
        writes: dict[tuple[int, int], Value],
        replace: dict[str, zipio.PartData],
        growth: dict[str, tuple[_Range, _Range]],
    ) -> None:
        """The table whose header row the new column `col` starts right of takes it in (its
        range, its filter's, a column more), recorded in `growth`."""
        for target, data, head in self._table_parts(sheet_part, replace):
            scan, prefix, tag, attrs, (r1, c1, r2, c2) = head
            if r1 != header_row or not (c1 <= col <= c2 + 1):
                continue
            if c1 <= col <= c2:
                raise UnsafeWriteError(
                    f"{address(sheet, header_row, col)} is inside table '{target}'."
                )
            # A table with a totals row or a query was refused before (check_new_columns).
            new_ref = f"{col_letter(c1)}{r1}:{col_letter(col)}{r2}".encode()
            edits: list[tuple[int, int, bytes]] = [
                (tag.start(1), tag.end(1), set_attr(tag.group(1), b"ref", new_ref))
            ]
            auto = start_tag(prefix, b"autoFilter").search(scan, tag.end())
            if auto is not None:
                auto_ref = parse_attrs(auto.group(1)).get(b"ref")
                if auto_ref:
                    widened = _widen_ref(auto_ref, col)
                    edits.append(
                        (auto.start(1), auto.end(1), set_attr(auto.group(1), b"ref", widened))
                    )
            found = _table_columns(scan, prefix, tag.end())
            if found is None:
                continue
            cols, cols_end, columns = found
            ids = [
                int(got)
                for m in columns
                if (got := parse_attrs(m.group(1)).get(b"id", b"")).isdigit()
            ]
            header = writes[(header_row, col)]
            new_col = (
                b"<"
                + prefix
                + b'tableColumn id="%d" name="' % (max(ids, default=0) + 1)
                + xml_attr(str(header))
                + b'"/>'
            )
            count = set_attr(cols.group(1), b"count", b"%d" % (len(ids) + 1))
            edits.append((cols.start(1), cols.end(1), count))
            edits.append((cols_end.start(), cols_end.start(), new_col))
            for at, until, text in sorted(edits, reverse=True):
                data = data[:at] + text + data[until:]
            replace[target] = data
            name = _table_name(attrs)
            was = growth[name][0] if name in growth else (r1, c1, r2, c2)
            growth[name] = (was, (r1, c1, r2, col))

    def _table_parts(
        self, sheet_part: str, replace: dict[str, zipio.PartData]
    ) -> Iterator[tuple[str, bytes, _TableHead]]:
        """Each table part of the sheet with a range: its name, its bytes as this write
        has them so far, and its head (see _table_head)."""
        for typ, target in self.pkg.rels(sheet_part).values():
            if typ != REL_TABLE:
                continue
            done = replace.get(target)
            data = done if isinstance(done, bytes) else self.pkg.read_xml(target)
            head = _table_head(data)
            if head is not None:
                yield target, data, head

    def _resize_tables(
        self,
        sheet: str,
        sheet_part: str,
        sx: SheetXml,
        writes: dict[tuple[int, int], Value],
        replace: dict[str, zipio.PartData],
        shrinks: list[GrownRange],
        growth: dict[str, tuple[_Range, _Range]],
    ) -> None:
        """A row esp starts right under an Excel table (the row held nothing; esp writes
        in the table's columns) joins the table, as a row typed there in Excel does: the
        table's range and its filter's grow over it, and over the rows after it alike
        (recorded in `growth`). A table with a totals row or filled by a query is left as
        it is. A table an earlier write grew (`shrinks`: its undo) gives back the rows it
        grew over that this write empties, at its end, and the columns it grew over that
        give_back_columns names, while its range is still the one that write made."""
        wrote = any(value is not None and value != "" for value in writes.values())
        if not wrote and not shrinks:
            return
        for target, data, head in self._table_parts(sheet_part, replace):
            scan, prefix, tag, attrs, (r1, c1, r2, c2) = head
            name = _table_name(attrs)
            gave_back = next(
                (
                    g
                    for g in shrinks
                    if g.kind == "table" and g.name == name and g.after == _a1(r1, c1, r2, c2)
                ),
                None,
            )
            right = c2
            if gave_back is not None:
                end = _emptied_to(sx, writes, parse_range(gave_back.before)[2], r2)
                right = self._given_back.get((sheet, "table", name), c2)
            elif (
                wrote
                and attrs.get(b"tableType", b"").strip() != b"queryTable"
                and attrs.get(b"totalsRowCount", b"0").strip() in (b"0", b"")
            ):
                end = _joined_to(sx, writes, r2, c1, c2)
                if end != r2:
                    was = growth[name][0] if name in growth else (r1, c1, r2, c2)
                    growth[name] = (was, (r1, c1, end, c2))
            else:
                continue
            if (end, right) == (r2, c2):
                continue
            resized = _a1(r1, c1, end, right).encode()
            edits = [(tag.start(1), tag.end(1), set_attr(tag.group(1), b"ref", resized))]
            auto = start_tag(prefix, b"autoFilter").search(scan, tag.end())
            auto_ref = parse_attrs(auto.group(1)).get(b"ref") if auto else None
            if auto is not None and auto_ref:
                a1, ac1, a2, ac2 = parse_range(auto_ref.decode())
                now = (a1, ac1, end if a2 == r2 else a2, min(ac2, right))
                if now != (a1, ac1, a2, ac2):
                    auto_ref = _a1(*now).encode()
                    edits.append(
                        (auto.start(1), auto.end(1), set_attr(auto.group(1), b"ref", auto_ref))
                    )
            if right < c2:
                edits += _fewer_columns(scan, prefix, tag.end(), c2 - right, right)
            for at, until, text in sorted(edits, reverse=True):
                data = data[:at] + text + data[until:]
            replace[target] = data


def _joined_to(
    sx: SheetXml, writes: dict[tuple[int, int], Value], last: int, c1: int, c2: int
) -> int:
    """The last row of a range (a table, a filter) ending at row `last` over columns `c1`
    to `c2`, once the rows esp starts right under it join it, as rows typed there in Excel
    do: each held nothing, and esp writes a value in one of those columns."""
    filled = {
        row for (row, col), value in writes.items() if c1 <= col <= c2 and value not in (None, "")
    }
    end = last
    while end + 1 in filled and sx.row_is_blank(end + 1):
        end += 1
    return end


def _emptied_to(sx: SheetXml, writes: dict[tuple[int, int], Value], keep: int, last: int) -> int:
    """The last row of a range ending at row `last` that still holds something once this
    write is made, down to row `keep` (the rows a write grew it over, emptied again)."""
    for row in range(last, keep, -1):
        mine = {c: v for (r, c), v in writes.items() if r == row}
        if any(v not in (None, "") for v in mine.values()) or not sx.row_is_blank(row, mine):
            return row
    return keep


def _a1(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"


def _row_style(sx: SheetXml, row: int) -> int | None:
    """The style of a row formatted whole (`<row s="2" customFormat="1">`), which Excel
    gives a cell typed in it; None for any other row (its `s` means nothing without
    customFormat, ECMA-376 Part 1, 18.3.1.73)."""
    loc = sx.row(row)
    if loc is None or b"customFormat" not in loc.attrs:  # Excel's rows mostly: one search
        return None
    attrs = parse_attrs(loc.attrs)
    if attrs.get(b"customFormat", b"").strip() not in (b"1", b"true"):
        return None
    s = attrs.get(b"s", b"").strip()
    return int(s) if s.isdigit() else None


def _sheet_filter(
    tail: bytes, prefix: bytes
) -> tuple[re.Match[bytes], tuple[int, int, int, int]] | None:
    """The sheet's own filter (Data > Filter on a range, no Excel table: its <autoFilter>
    after the rows, in the sheet's tail from </sheetData>) and its range; None: none."""
    scan = blank_markup(tail)
    auto = start_tag(prefix, b"autoFilter").search(scan)
    if auto is None:
        return None
    # The sheet's own comes before its custom views (which keep filters of their own).
    views = start_tag(prefix, b"customSheetViews").search(scan)
    ext = start_tag(prefix, b"extLst").search(scan)
    if any(m is not None and m.start() < auto.start() for m in (views, ext)):
        return None
    ref = parse_attrs(auto.group(1)).get(b"ref")
    try:
        return auto, parse_range((ref or b"").decode())
    except (ValueError, UnicodeDecodeError):
        return None


_Range = tuple[int, int, int, int]  # first row, first column, last row, last column


def _with_filter_range(
    tail: bytes, auto: re.Match[bytes], was: _Range, now: _Range
) -> tuple[bytes, tuple[_Range, _Range]]:
    ref = _a1(*now).encode()
    new_tail = tail[: auto.start(1)] + set_attr(auto.group(1), b"ref", ref) + tail[auto.end(1) :]
    return new_tail, (was, now)


def _grow_sheet_filter(
    tail: bytes, sx: SheetXml, writes: dict[tuple[int, int], Value], new_cols: dict[int, int]
) -> tuple[bytes, tuple[_Range, _Range]] | None:
    """The sheet's own filter grown over the columns esp adds right of it in its header
    row (`new_cols`: column -> header row), as a table's is (Patcher._extend_tables), and
    over the rows esp starts right under it (see _joined_to): the sheet's tail with the new
    range, and the range as it was and as it is now; None when it has none or it does not
    grow."""
    found = _sheet_filter(tail, sx.root_prefix)
    if found is None:
        return None
    auto, (r1, c1, r2, c2) = found
    right = c2
    while new_cols.get(right + 1) == r1:
        right += 1
    end = _joined_to(sx, writes, r2, c1, right)
    if (end, right) == (r2, c2):
        return None
    return _with_filter_range(tail, auto, (r1, c1, r2, c2), (r1, c1, end, right))


def _shrink_sheet_filter(
    tail: bytes,
    sx: SheetXml,
    writes: dict[tuple[int, int], Value],
    shrinks: list[GrownRange],
    right: int | None,
) -> tuple[bytes, tuple[_Range, _Range]] | None:
    """The sheet's own filter an earlier write grew (`shrinks`), given back the rows this
    write empties at its end, and the columns it grew over after column `right` (see
    Patcher.give_back_columns; None: none), while it is still the range that write made
    (see _grow_sheet_filter); None when nothing is given back."""
    found = _sheet_filter(tail, sx.root_prefix) if shrinks else None
    if found is None:
        return None
    auto, was = found
    r1, c1, r2, c2 = was
    for g in shrinks:
        if g.kind != "filter" or g.after != _a1(*was):
            continue
        end = _emptied_to(sx, writes, parse_range(g.before)[2], r2)
        right = c2 if right is None else min(c2, right)
        if (end, right) == (r2, c2):
            return None
        tail, ranges = _with_filter_range(tail, auto, was, (r1, c1, end, right))
        if right < c2:
            scan = blank_markup(tail)
            bound = _filter_bound(scan, sx.root_prefix, auto.start())
            edits = _narrower_sorts(scan, sx.root_prefix, auto.start(), bound, right)
            for at, until, text in sorted(edits, reverse=True):
                tail = tail[:at] + text + tail[until:]
        return tail, ranges
    return None


_TABLE_FORMULA = re.compile(rb"<(?:[^\s:<>/!?]+:)?(?:calculatedColumnFormula|totalsRowFormula)\b")


def _names_before_bracket(data: bytes, name: bytes) -> bool:
    """Whether `name` (lower case) comes right before a '[' in `data`, in any case: a
    structured reference to the table it names (found by the brackets, which a sheet of
    50,000 rows holds few of, not by a search in every case of the whole part)."""
    n = len(name)
    at = data.find(b"[")
    while at >= 0:
        if at >= n and data[at - n : at].lower() == name:
            return True
        at = data.find(b"[", at + 1)
    return False


def _table_name(attrs: dict[bytes, bytes]) -> str:
    """A table's name as esp records it (its displayName, which formulas use)."""
    return (attrs.get(b"displayName") or attrs.get(b"name") or b"").decode()


_Match = re.Match[bytes]


def _table_columns(
    scan: bytes, prefix: bytes, start: int
) -> tuple[_Match, _Match, list[_Match]] | None:
    """A table part's <tableColumns> start and end tags, and the start tag of each of its
    <tableColumn>s (None: it has none)."""
    cols = start_tag(prefix, b"tableColumns").search(scan, start)
    cols_end = end_tag(prefix, b"tableColumns").search(scan, cols.end()) if cols else None
    if cols is None or cols_end is None or cols.group(2):
        return None
    column_tag = start_tag(prefix, b"tableColumn")
    return cols, cols_end, list(column_tag.finditer(scan, cols.end(), cols_end.start()))


def _fewer_columns(
    scan: bytes, prefix: bytes, start: int, drop: int, right: int
) -> list[tuple[int, int, bytes]]:
    """The edits that take a table part's last `drop` columns out of its <tableColumns>
    (their count too) and end its sort at column `right`."""
    found = _table_columns(scan, prefix, start)
    assert found is not None and len(found[2]) > drop  # see Patcher._range_now
    cols, cols_end, columns = found
    count = set_attr(cols.group(1), b"count", b"%d" % (len(columns) - drop))
    return [
        (cols.start(1), cols.end(1), count),
        (columns[-drop].start(), cols_end.start(), b""),
        *_narrower_sorts(scan, prefix, start, len(scan), right),
    ]


def _narrower_sorts(
    scan: bytes, prefix: bytes, start: int, end: int, right: int
) -> list[tuple[int, int, bytes]]:
    """The edits that end each <sortState> range in scan[start:end] at column `right` (its
    conditions are on columns before it: see _filter_reach)."""
    edits = []
    for m in start_tag(prefix, b"sortState").finditer(scan, start, end):
        ref = parse_attrs(m.group(1)).get(b"ref")
        try:
            r1, c1, r2, c2 = parse_range((ref or b"").decode())
        except (ValueError, UnicodeDecodeError):
            continue
        if c2 > right:
            narrower = _a1(r1, c1, r2, max(c1, right)).encode()
            edits.append((m.start(1), m.end(1), set_attr(m.group(1), b"ref", narrower)))
    return edits


def _filter_reach(scan: bytes, prefix: bytes, start: int, end: int) -> int:
    """The rightmost column the filter and sort in scan[start:end] are set on: a filter's
    criteria (<filterColumn colId>, counted from its first column), a sort's conditions
    (<sortCondition ref>); 0: none."""
    reach = 0
    auto = start_tag(prefix, b"autoFilter").search(scan, start, end)
    if auto is not None:
        try:
            first = parse_range((parse_attrs(auto.group(1)).get(b"ref") or b"").decode())[1]
        except (ValueError, UnicodeDecodeError):
            first = 1
        for m in start_tag(prefix, b"filterColumn").finditer(scan, auto.end(), end):
            col_id = parse_attrs(m.group(1)).get(b"colId", b"").strip()
            reach = max(reach, first + int(col_id) if col_id.isdigit() else MAX_COL)
    for m in start_tag(prefix, b"sortCondition").finditer(scan, start, end):
        ref = parse_attrs(m.group(1)).get(b"ref") or b""
        try:
            reach = max(reach, parse_range(ref.decode())[3])
        except (ValueError, UnicodeDecodeError):
            reach = MAX_COL
    return reach


def _filter_bound(scan: bytes, prefix: bytes, start: int) -> int:
    """Where what belongs to a sheet's own filter (its criteria, its sort) ends in its tail:
    at its custom views (which keep filters of their own) or extensions, else the end."""
    found = [
        m.start()
        for name in (b"customSheetViews", b"extLst")
        if (m := start_tag(prefix, name).search(scan, start)) is not None
    ]
    return min(found, default=len(scan))


# A defined name's range on one sheet: `'TBT Tracking'!$A$1:$F$3` (the sheet may be left out).
_NAMED_RANGE = re.compile(
    rb"(\s*(?:.*!)?\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?)(\d+)(\s*)", re.S
)


def _resize_filter_name(data: bytes, index: int, was: _Range, now: _Range) -> bytes:
    """The workbook part with the hidden name Excel keeps beside a sheet's filter
    (`_xlnm._FilterDatabase`, localSheetId `index`: XLSX-NOTES §6) giving the filter's range
    `now` (its last row and column; its first ones never move); `data` itself when the
    sheet has none, or it names another range than the filter's `was`."""
    scan = blank_markup(data)
    root = re.search(rb"<((?:[^\s:<>/!?]+:)?)workbook(?=[\s/>])", scan)
    prefix = root.group(1) if root is not None else b""
    for tag in start_tag(prefix, b"definedName").finditer(scan):
        attrs = parse_attrs(tag.group(1))
        if (
            tag.group(2)
            or attrs.get(b"name", b"").strip() != b"_xlnm._FilterDatabase"
            or attrs.get(b"localSheetId", b"").strip() != str(index).encode()
        ):
            continue
        close = end_tag(prefix, b"definedName").search(scan, tag.end())
        named = _NAMED_RANGE.fullmatch(data, tag.end(), close.start()) if close else None
        if close is None or named is None:
            return data
        c1, r1, c2, r2 = named.group(2), named.group(3), named.group(4), named.group(5)
        if (int(r1), col_number(c1.decode()), int(r2), col_number(c2.decode())) != was:
            return data
        return (
            data[: named.start(4)]
            + col_letter(now[3]).encode()
            + data[named.end(4) : named.start(5)]
            + str(now[2]).encode()
            + data[named.end(5) :]
        )
    return data


_TableHead = tuple[bytes, bytes, re.Match[bytes], dict[bytes, bytes], tuple[int, int, int, int]]


def _table_head(data: bytes) -> _TableHead | None:
    """A table part's markup-blanked bytes, its prefix, its <table> start tag, that tag's
    attributes and its range (None: no table with a range)."""
    scan = blank_markup(data)
    found = re.search(rb"<(?:[^\s:<>/!?]+:)?table(?=[\s/>])", scan)
    if found is None:
        return None
    prefix = _prefix_of(found.group(0)[1:], b"table")
    tag = start_tag(prefix, b"table").match(scan, found.start())
    attrs = parse_attrs(tag.group(1)) if tag else {}
    ref = attrs.get(b"ref")
    if tag is None or ref is None:
        return None
    return scan, prefix, tag, attrs, parse_range(ref.decode())


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xstring(text: str) -> str:
    """ST_Xstring's `_xHHHH_` escapes resolved, as Excel (and calamine) read the text."""
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


# A string's phonetic guide (the reading Excel shows above Japanese text): its runs, each
# naming characters of the text by position, and their settings. After the text and runs.
_PHONETIC = (b"rPh", b"phoneticPr")


def _with_run(inner: bytes, prefix: bytes, declarations: bytes, value: str) -> bytes | None:
    """The inside of a rich-text string (<si> or <is>) with one run more holding what
    `value` adds to its text; None when it has no runs or `value` does not start with its
    text. Every earlier byte is kept: the runs, their fonts, phonetic runs after them. A
    string of plain text with a phonetic guide: its text lengthened (see _with_text)."""
    from lxml import etree

    scan = blank_markup(inner)
    runs = list(start_tag(prefix, b"r").finditer(scan))
    if not runs:
        return _with_text(inner, scan, prefix, declarations, value)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(b"<esp-rich" + declarations + b">" + inner + b"</esp-rich>", parser)
    except etree.XMLSyntaxError:
        return None
    text = "".join(
        "".join(t.itertext())
        for r in root
        if isinstance(r.tag, str) and etree.QName(r).localname == "r"
        for t in r
        if isinstance(t.tag, str) and etree.QName(t).localname == "t"
    )
    old = _xstring(text)
    if not value.startswith(old) or len(value) == len(old):
        return None
    last = runs[-1]
    at = last.end()
    if not last.group(2):
        close = end_tag(prefix, b"r").search(scan, last.end())
        if close is None:
            return None
        at = close.end()
    run = (
        b"<" + prefix + b"r><" + prefix + b't xml:space="preserve">'
        + xml_text(value[len(old) :])
        + b"</" + prefix + b"t></" + prefix + b"r>"
    )  # fmt: skip
    return inner[:at] + run + inner[at:]


def _with_text(
    inner: bytes, scan: bytes, prefix: bytes, declarations: bytes, value: str
) -> bytes | None:
    """The inside of a string of plain text with a phonetic guide (<t>, then <rPh>s naming
    its characters by position and <phoneticPr>) whose text is `value`, which adds to it:
    the guide kept as it is (appending moves no character it names). None when the string
    has no guide, or `value` does not start with its text."""
    from lxml import etree

    text_tag = start_tag(prefix, b"t").search(scan)
    guide = [m.start() for name in _PHONETIC for m in [start_tag(prefix, name).search(scan)] if m]
    if text_tag is None or not guide or min(guide) < text_tag.start():
        return None
    end = text_tag.end()
    if not text_tag.group(2):
        close = end_tag(prefix, b"t").search(scan, end)
        if close is None or close.start() > min(guide):
            return None
        end = close.end()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        element = etree.fromstring(
            b"<esp-text" + declarations + b">" + inner[text_tag.start() : end] + b"</esp-text>",
            parser,
        )
    except etree.XMLSyntaxError:
        return None
    old = _xstring(_string_text(element))
    if not value.startswith(old) or len(value) == len(old):
        return None
    text = b"<" + prefix + b't xml:space="preserve">' + xml_text(value) + b"</" + prefix + b"t>"
    return inner[: text_tag.start()] + text + inner[end:]


def _string_text(string: _Element | None) -> str:
    """The text of a string element (<si>, <is>): its <t>, or its runs' <t>s (phonetic
    runs, <rPh>, left out), as Excel shows it."""
    if string is None:
        return ""
    from lxml import etree

    def named(element: _Element, name: str) -> bool:
        return isinstance(element.tag, str) and etree.QName(element).localname == name

    parts = []
    for child in string:
        if named(child, "t"):
            parts.append(child.text or "")
        elif named(child, "r"):
            parts += [t.text or "" for t in child if named(t, "t")]
    return _xstring("".join(parts))


def _hidden(spec: dict[bytes, bytes] | None) -> bool:
    """Whether a column's `<col>` makes it hidden in Excel (hidden, or of width 0)."""
    return spec is not None and col_hidden(spec.get(b"hidden", b""), spec.get(b"width", b""))


def _column_runs(cols: list[int]) -> str:
    """Columns as Excel names runs of them: [29, 30, 31, 33] -> "AC:AE and AG"."""
    runs: list[list[int]] = []
    for col in cols:
        if runs and col == runs[-1][-1] + 1:
            runs[-1].append(col)
        else:
            runs.append([col])
    return listed(
        [col_letter(run[0]) + (f":{col_letter(run[-1])}" if len(run) > 1 else "") for run in runs]
    )


def _range_text(rng: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = rng
    return f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"


@contextlib.contextmanager
def _part_named(part: str) -> Iterator[None]:
    try:
        yield
    except NotWellFormed as exc:
        exc.part = exc.part or part
        raise


def _prefix_of(name: bytes, local: bytes) -> bytes:
    """b"x:" for b"x:table", b"" for b"table"."""
    return name[: len(name) - len(local)]


def _with_child(data: bytes, root: bytes, element: bytes) -> bytes:
    """`data` with `<element>` (its name and attributes, ending in "/") added as the last
    child of the root element `root` (any prefix; a self-closing root opened up)."""
    scan = blank_markup(data)
    m = re.search(rb"<((?:[^\s:<>/!?]+:)?)" + root + rb"(?=[\s/>])", scan)
    tag = start_tag(m.group(1), root).match(scan, m.start()) if m else None
    if m is None or tag is None:
        raise NotWellFormed(f"no <{root.decode()}> element")
    prefix = m.group(1)
    child = b"<" + prefix + element + b">"
    if tag.group(2):
        opened = b"<" + prefix + root + tag.group(1) + b">"
        close = b"</" + prefix + root + b">"
        return data[: tag.start()] + opened + child + close + data[tag.end() :]
    closing = list(end_tag(prefix, root).finditer(scan, tag.end()))
    if not closing:
        raise NotWellFormed(f"<{root.decode()}> is not closed")
    at = closing[-1].start()
    return data[:at] + child + data[at:]


def xml_attr(text: str) -> bytes:
    s = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.replace("\n", "_x000a_").replace("\t", "_x0009_")
    return s.encode("utf-8")


def _widen_ref(ref: bytes, col: int) -> bytes:
    r1, c1, r2, c2 = parse_range(ref.decode())
    return f"{col_letter(c1)}{r1}:{col_letter(max(c2, col))}{r2}".encode()


class _SharedStrings:
    """Appends to xl/sharedStrings.xml; indexes are positional, so nothing is reordered."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.scan = blank_markup(data)  # a comment holding "<si>" is not a string
        self.prefix = b""
        m = re.search(rb"<(?:([^\s:<>/!?]+):)?sst(?=[\s/>])", self.scan)
        if m and m.group(1):
            self.prefix = m.group(1) + b":"
        si = b"<" + self.prefix + b"si"
        # Every <si> as Excel writes it ("<si>"): two counts say so; else each way its name
        # can end is counted (a large table's strings are counted in a few passes, not six).
        self.base = self.scan.count(si + b">")
        if self.scan.count(si) != self.base:
            self.base = sum(
                self.scan.count(si + end) for end in (b">", b" ", b"/", b"\n", b"\t", b"\r")
            )
        self.new: list[bytes] = []
        self.index: dict[bytes, int] = {}
        self.refs_delta = 0
        self._starts: list[re.Match[bytes]] | None = None

    @functools.cached_property
    def has_runs(self) -> bool:
        """Whether any string is rich text (runs: <r>) or has a phonetic guide (<rPh>,
        <phoneticPr>): what a string written over it by appending must keep."""
        return any(
            start_tag(self.prefix, name).search(self.scan) is not None
            for name in (b"r", *_PHONETIC)
        )

    @functools.cached_property
    def declarations(self) -> bytes:
        head = start_tag(self.prefix, b"sst").search(self.scan)
        return namespace_declarations(head.group(0)) if head else b""

    def entry(self, index: int) -> bytes | None:
        """The inside of the string at `index` (an <si> of the part, not one added)."""
        if self._starts is None:
            self._starts = list(start_tag(self.prefix, b"si").finditer(self.scan))
        if not 0 <= index < len(self._starts):
            return None
        m = self._starts[index]
        if m.group(2):
            return b""
        close = end_tag(self.prefix, b"si").search(self.scan, m.end())
        return self.data[m.end() : close.start()] if close else None

    def add_entry(self, inner: bytes) -> int:
        """Append a string given as the inside of its <si> (rich text); its index."""
        self.refs_delta += 1
        key = b"<si>" + inner
        got = self.index.get(key)
        if got is not None:
            return got
        idx = self.base + len(self.new)
        self.new.append(b"<" + self.prefix + b"si>" + inner + b"</" + self.prefix + b"si>")
        self.index[key] = idx
        return idx

    @property
    def changed(self) -> bool:
        return bool(self.new) or self.refs_delta != 0

    def released(self) -> None:
        self.refs_delta -= 1

    def add(self, t_elem: bytes, prefix: bytes) -> int:
        self.refs_delta += 1
        got = self.index.get(t_elem)
        if got is not None:
            return got
        idx = self.base + len(self.new)
        self.new.append(
            b"<"
            + self.prefix
            + b"si>"
            + t_elem.replace(b"<" + prefix + b"t", b"<" + self.prefix + b"t").replace(
                b"</" + prefix + b"t>", b"</" + self.prefix + b"t>"
            )
            + b"</"
            + self.prefix
            + b"si>"
        )
        self.index[t_elem] = idx
        return idx

    def patched(self) -> bytes | list[bytes | memoryview]:
        """The new part: whole when it is small, else as pieces around views of the old
        bytes (a 50,000-agent tracker's strings are some 10 MB: never copied)."""
        pieces = self._pieces()
        if len(self.data) <= WHOLE_CHECK_BYTES:
            return b"".join(pieces)
        return pieces

    def _pieces(self) -> list[bytes | memoryview]:
        data, scan = self.data, self.scan
        view = memoryview(data)
        head = start_tag(self.prefix, b"sst").search(scan)
        assert head is not None
        attrs = head.group(1)
        unique = self.base + len(self.new)
        old = parse_attrs(attrs)
        if b"uniqueCount" in old:
            attrs = set_attr(attrs, b"uniqueCount", b"%d" % unique)
        if old.get(b"count", b"").isdigit():
            # count is the number of t="s" cells; an overwritten string's <si> stays (indexes
            # are positional), so count may end up below uniqueCount.
            attrs = set_attr(attrs, b"count", b"%d" % (int(old[b"count"]) + self.refs_delta))
        new_tag = b"<" + self.prefix + b"sst" + attrs + b">"
        body = b"".join(self.new)
        if head.group(2):  # <sst .../>
            close = b"</" + self.prefix + b"sst>"
            return [view[: head.start()], new_tag, body, close, view[head.end() :]]
        closing = list(end_tag(self.prefix, b"sst").finditer(scan, head.end()))
        at = closing[-1].start()
        return [view[: head.start()], new_tag, view[head.end() : at], body, view[at:]]

    def check(self) -> None:
        """The new start tag and the appended strings are well-formed where they go."""
        head = start_tag(self.prefix, b"sst").search(self.scan)
        assert head is not None
        declarations = namespace_declarations(head.group(0))
        patched_head = b"<" + self.prefix + b"sst" + declarations + b">"
        check_document(patched_head + b"</" + self.prefix + b"sst>")
        fragment = FragmentCheck(declarations)
        for si in self.new:
            fragment.feed(si)
        fragment.close()


def _widen_dimension(
    data: bytes, prefix: bytes, changes: dict[int, tuple[tuple[int, bytes], ...]]
) -> bytes:
    scan = blank_markup(data)
    m = start_tag(prefix, b"dimension").search(scan)
    ref = parse_attrs(m.group(1)).get(b"ref") if m else None
    if m is None or not ref:
        return data
    try:
        r1, c1, r2, c2 = parse_range(ref.decode())
    except (ValueError, UnicodeDecodeError):
        return data
    rows = list(changes)
    cols = [c for cells in changes.values() for c, _element in cells]
    nr1, nc1 = min(r1, *rows), min(c1, *cols)
    nr2, nc2 = max(r2, *rows), max(c2, *cols)
    if (nr1, nc1, nr2, nc2) == (r1, c1, r2, c2):
        return data
    new = f"{col_letter(nc1)}{nr1}:{col_letter(nc2)}{nr2}".encode()
    return data[: m.start(1)] + set_attr(m.group(1), b"ref", new) + data[m.end(1) :]


# Excel's standard column width (Calibri 11), given a new column when the one it takes
# after has no width Excel can draw, and the sheet gives none of its own; the widest column
# Excel allows.
_STANDARD_WIDTH = b"8.43"
_WIDEST = 255


def _drawn(width: bytes | None) -> bool:
    """Whether a `<col>` width is one Excel draws: a number, at least a pixel wide, no wider
    than Excel allows."""
    chars = None if width is None else col_width(width)
    return chars is not None and chars <= _WIDEST and not col_hidden(b"", width or b"")


def _standard_width(sx: SheetXml) -> bytes:
    """The width of a column the sheet gives no width of its own: its <sheetFormatPr
    defaultColWidth> when Excel draws it, else Excel's standard width."""
    head = sx.scan[: sx.sd_open_end]
    found = start_tag(sx.root_prefix, b"sheetFormatPr").search(head)
    width = parse_attrs(found.group(1)).get(b"defaultColWidth") if found else None
    return width.strip() if width is not None and _drawn(width) else _STANDARD_WIDTH


def _new_col_width(sx: SheetXml, col: int, model: int) -> tuple[bytes | None, str]:
    """The width a new column `col` gets, styled like the column `model`, and what the
    write's report says of it. None when it gets none: it has a <col> of its own, or the
    model none with a width. The model's width when Excel draws it (a hidden model's too:
    a column esp adds is never hidden with it); else the sheet's standard width."""
    if sx.col_spec(col) is not None:
        return None, ""
    spec = sx.col_spec(model)
    if spec is None:
        return None, ""
    letter = col_letter(model)
    width = spec.get(b"width")
    if _hidden(spec):
        said = f"column {letter} is hidden; this one is visible"
        if width is None or _drawn(width):
            return width, said
        return _standard_width(sx), f"{said}, at the sheet's standard width"
    if width is None or _drawn(width):
        return width, ""
    return _standard_width(sx), (
        f"column {letter}'s width is none Excel can draw; this one has the sheet's standard width"
    )


def _add_col_widths(data: bytes, sx: SheetXml, like: dict[int, int]) -> bytes:
    """Give each new column (`like`: new column -> the column it is styled like) a width
    (_new_col_width). `data` is the sheet's head as read (the <col> offsets are into it);
    each new <col> goes where its column falls among the others, as <col> elements run
    left to right."""
    inserts: dict[int, list[tuple[int, bytes]]] = {}
    specs = sx.col_specs
    for col, model in sorted(like.items()):
        width, _said = _new_col_width(sx, col, model)
        if width is None:
            continue
        new = (
            b"<"
            + sx.root_prefix
            + b'col min="%d" max="%d" width="' % (col, col)
            + xml_attr(width.decode("utf-8", "replace"))
            + b'" customWidth="1"/>'
        )
        before = [s for s in specs if s[1] < col]
        at = max(before, key=lambda s: s[1])[4] if before else min(s[3] for s in specs)
        inserts.setdefault(at, []).append((col, new))
    for at in sorted(inserts, reverse=True):
        data = data[:at] + b"".join(new for _col, new in sorted(inserts[at])) + data[at:]
    return data


# The children of <workbook> that come after <calcPr> (CT_Workbook's sequence).
_AFTER_CALC_PR = (b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr",
                  b"smartTagTypes", b"webPublishing", b"fileRecoveryPr", b"webPublishObjects",
                  b"extLst")  # fmt: skip
# <calcPr>'s attributes before fullCalcOnLoad, in the schema's order (CT_CalcPr).
_BEFORE_FULL_CALC = (b"calcId", b"calcMode")
_WORKSHEET = re.compile(rb"<((?:[^\s:<>/!?]+:)?)worksheet(?=[\s/>])")
_ANY_FORMULA = re.compile(rb"<(?:[^\s:<>/!?]+:)?f[\s/>]")


def _holds_formula(chunks: Iterator[bytes]) -> bool:
    """Whether a sheet's XML, read in pieces, has a formula in a cell (<f> in the sheet's
    own namespace: not a drop-down's or sparkline's <xm:f>); read no further than the first.
    (One inside a comment counts too: it only costs a recalculation.)"""
    pattern: re.Pattern[bytes] | None = None
    tail = b""
    for chunk in chunks:
        if pattern is None:
            root = _WORKSHEET.search(chunk)
            pattern = (
                re.compile(b"<" + re.escape(root.group(1)) + rb"f[\s/>]")
                if root is not None
                else _ANY_FORMULA
            )
        if pattern.search(tail + chunk[:64]) or pattern.search(chunk):
            return True
        tail = chunk[-64:]
    return False


def _full_calc_on_open(data: bytes) -> bytes | None:
    """The workbook part asking Excel to recalculate every formula when the file is next
    opened (`<calcPr fullCalcOnLoad="1">`, for every sheet: XLSX-NOTES §4): a formula on
    any sheet may depend on cells esp wrote, and Excel cannot know its cached result is
    stale. The other attributes of <calcPr> stay as they are, the new one in the schema's
    order; a workbook without <calcPr> gets one where CT_Workbook's sequence puts it. None
    when it asks already."""
    scan = blank_markup(data)
    root = re.search(rb"<((?:[^\s:<>/!?]+:)?)workbook(?=[\s/>])", scan)
    if root is None:
        raise NotWellFormed("no <workbook> element")
    prefix = root.group(1)
    existing = start_tag(prefix, b"calcPr").search(scan, root.end())
    if existing is not None:
        attrs = existing.group(1)
        if parse_attrs(attrs).get(b"fullCalcOnLoad", b"").strip() in (b"1", b"true"):
            return None
        flagged = set_attr(attrs, b"fullCalcOnLoad", b"1", follows=_BEFORE_FULL_CALC)
        return data[: existing.start(1)] + flagged + data[existing.end(1) :]
    later = [
        found.start()
        for name in _AFTER_CALC_PR
        if (found := start_tag(prefix, name).search(scan, root.end())) is not None
    ]
    if later:
        at = min(later)
    else:
        closing = list(end_tag(prefix, b"workbook").finditer(scan, root.end()))
        if not closing:
            raise NotWellFormed("<workbook> is not closed")
        at = closing[-1].start()
    return data[:at] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + data[at:]


_XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
# Excel's default cell, in EMU (914,400 an inch; 96 px an inch): 64 x 20 px.
_COL_EMU, _ROW_EMU = 64 * 9525, 20 * 9525
_KINDS = {"graphicFrame": "chart", "pic": "picture", "sp": "shape", "grpSp": "group of shapes",
          "cxnSp": "connector"}  # fmt: skip


def _anchors(root: _Element) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each anchored object of a drawing part as (what it is, named; its cells, 1-based)."""
    out = []
    for anchor in _anchor_elements(root):
        tag = anchor.tag if isinstance(anchor.tag, str) else ""
        kind = tag.removeprefix(_XDR)
        if kind not in ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor"):
            continue
        try:
            rng = _anchor_cells(anchor, kind)
        except (TypeError, ValueError):
            continue  # an anchor without its numbers: nothing to keep clear of
        obj = next((c for c in anchor if str(c.tag).removeprefix(_XDR) in _KINDS), None)
        what = _KINDS[str(obj.tag).removeprefix(_XDR)] if obj is not None else "drawing"
        props = obj.find(f".//{_XDR}cNvPr") if obj is not None else None
        name = props.get("name") if props is not None else None
        out.append((f"{what} '{name}'" if name else what, rng))
    return out


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _anchor_elements(root: _Element) -> Iterator[_Element]:
    """The drawing's anchors, also those Excel wraps for newer readers (a chart of a newer
    kind, a slicer, a form control: `mc:AlternateContent`, its first choice, else its
    fallback)."""
    for child in root:
        if child.tag != f"{_MC}AlternateContent":
            yield child
            continue
        branches = [b for b in child if b.tag in (f"{_MC}Choice", f"{_MC}Fallback")]
        chosen = next((b for b in branches if len(b)), None)
        if chosen is not None:
            yield from chosen


def _offset(marker: _Element | None, child: str) -> int:
    """A corner's offset into its cell in EMU (0 when not given or not a number)."""
    found = marker.find(f"{_XDR}{child}") if marker is not None else None
    text = (found.text or "").strip() if found is not None else ""
    return int(text) if text.isdigit() else 0


def _anchor_cells(anchor: _Element, kind: str) -> tuple[int, int, int, int]:
    def num(el: _Element | None, child: str) -> int:
        found = el.find(f"{_XDR}{child}") if el is not None else None
        return int(str(found.text if found is not None else None).strip())

    def emu(el: _Element | None, attr: str) -> int:
        return int(str(el.get(attr) if el is not None else None))

    if kind == "absoluteAnchor":
        pos, ext = anchor.find(f"{_XDR}pos"), anchor.find(f"{_XDR}ext")
        c1, r1 = emu(pos, "x") // _COL_EMU, emu(pos, "y") // _ROW_EMU
        c2 = (emu(pos, "x") + emu(ext, "cx")) // _COL_EMU
        r2 = (emu(pos, "y") + emu(ext, "cy")) // _ROW_EMU
    else:
        start = anchor.find(f"{_XDR}from")
        c1, r1 = num(start, "col"), num(start, "row")
        if kind == "twoCellAnchor":
            end = anchor.find(f"{_XDR}to")
            c2, r2 = num(end, "col"), num(end, "row")
        else:
            # From its corner's offset into the cell, as wide and tall as it says.
            ext = anchor.find(f"{_XDR}ext")
            dx, dy = _offset(start, "colOff"), _offset(start, "rowOff")
            c2 = c1 + (dx + emu(ext, "cx")) // _COL_EMU
            r2 = r1 + (dy + emu(ext, "cy")) // _ROW_EMU
    if min(c1, r1, c2, r2) < 0:
        raise ValueError("an anchor before the first cell")
    return (r1 + 1, c1 + 1, max(r1, r2) + 1, min(max(c1, c2) + 1, MAX_COL))
