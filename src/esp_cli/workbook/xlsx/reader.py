"""Cell values of a worksheet, fast.

Values come from python-calamine (Rust), which reads a 10,000-row tracker in a fraction of
a second and returns cached formula results, dates for date-formatted numbers and text for
shared strings. calamine shows error cells (#N/A) as blanks, so error cells are found with
a byte scan of the sheet part and put back: a `#N/A` must be reported, not read as empty.
The same scan notices a date-formatted cell holding a number that is no date (NaN, -inf, a
negative number), which calamine would read as a wrong date or not at all: the sheet is then
read from a copy in which such a cell is a plain number, as it is when calamine fails on one.
"""

from __future__ import annotations

import contextlib
import functools
import io
import operator
import re
import threading
from array import array
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from xml.parsers import expat

from esp_cli.core.refs import MAX_COL, col_number, parse_range
from esp_cli.core.values import ErrorValue
from esp_cli.errors import InputFileError
from esp_cli.system import keep_large_blocks_apart
from esp_cli.workbook.xlsx.early import take_early_parse, worth_a_head_start
from esp_cli.workbook.xlsx.package import (
    REL_SST,
    REL_STYLES,
    Package,
    SheetInfo,
    part_key,
    relationships,
)
from esp_cli.workbook.xlsx.sheetxml import SheetXml
from esp_cli.workbook.xlsx.styles import Styles
from esp_cli.workbook.xlsx.xmlbytes import (
    after_declaration,
    char_refs_resolved,
    col_hidden,
    has_markup,
    parse_attrs,
    start_tag,
    without_cdata,
)

T = TypeVar("T")
CellValue = str | float | int | bool | date | datetime | time | timedelta | None


@dataclass
class SheetValues:
    info: SheetInfo
    rows: list[list[Any]]  # rows[0] is row 1, rows[r][0] is column A
    last_col: int = 0  # the rightmost column holding a value anywhere on the sheet
    # (row, col) -> the number format of each cell holding a number (no type, or t="n")
    # formatted to show a whole number as text (`0000000`: an ID typed as a number); see
    # numfmt. A text cell so formatted is not listed: it is read as the text it holds.
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    # The sheet's merged ranges, (row1, col1, row2, col2): Excel shows the value of a
    # range's first cell over all of it, and stores nothing in its other cells.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # (row, col) of each cell holding a formula whose result is not saved in the file (a
    # workbook written by a program, never saved by Excel): read as empty, which it is not.
    uncalculated: frozenset[tuple[int, int]] = frozenset()
    # The columns the sheet hides (its `<col hidden="1">` ranges, and those of width 0 that
    # Excel shows hidden too: see xmlbytes.col_hidden; first and last column),
    # found by the same scan: see col_hidden.
    hidden_cols: tuple[tuple[int, int], ...] = ()

    def col_hidden(self, col: int) -> bool:
        """Whether column `col` (from 1) is hidden in Excel."""
        return any(lo <= col <= hi for lo, hi in self.hidden_cols)

    def get(self, row: int, col: int) -> Any:
        """Value at 1-based (row, col); None when empty."""
        if row - 1 >= len(self.rows):
            return None
        r = self.rows[row - 1]
        if col - 1 >= len(r):
            return None
        v = r[col - 1]
        return None if v == "" else v


class WorkbookReader:
    """Reads visible sheets' values from a Package (one calamine workbook per package)."""

    def __init__(
        self, pkg: Package, early: Future[tuple[Any, dict[str, Any]]] | None = None
    ) -> None:
        """`early`: calamine's workbook and visible sheets read from the package's bytes
        (xlsx.early.EarlyParse), used when it was made without a fault."""
        self.pkg = pkg
        # calamine reads UTF-8 parts only: a package with UTF-16 parts is read as a copy
        # of it whose XML is UTF-8 (and plain: see values).
        # So is one whose shared strings are not where calamine looks for them, and one
        # whose workbook names a part by a path calamine does not follow.
        self._plain = (
            bool(pkg.utf16_parts)
            or _strings_elsewhere(pkg) is not None
            or _targets_made_absolute(pkg) is not None
        )
        self._early = None if self._plain else early
        self._early_sheets: dict[str, Any] = {}
        self._wb: Any = None
        if self._early is None:
            self._wb = _calamine(pkg, _readable(pkg, self._dates) if self._plain else pkg.data)
        self._sheets: dict[str, Any] = {}
        self._errors: dict[str, Future[_ErrorCells]] = {}

    def book(self) -> Any:
        """calamine's workbook: the early one (waited for), else one made here (a fault
        raised as InputFileError)."""
        early, self._early = self._early, None
        if early is not None:
            with contextlib.suppress(Exception):  # made again below, and raised there
                self._wb, self._early_sheets = early.result()
        if self._wb is None:
            self._wb = _calamine(self.pkg, self.pkg.data)
        return self._wb

    @cached_property
    def _styles(self) -> Styles:
        part = self.pkg.workbook_rel_target(REL_STYLES)
        return Styles.parse(self.pkg.read_xml(part) if part else None)

    @cached_property
    def _text_formats(self) -> dict[int, str]:
        """Cell formats that show a whole number as text (an ID typed as a number)."""
        return self._styles.text_formats()

    @cached_property
    def _dates(self) -> frozenset[int]:
        """Cell formats whose numbers calamine reads as dates, times or durations."""
        return self._styles.read_as_dates()

    def scan(self, info: SheetInfo) -> Future[_ErrorCells]:
        """The scan of the sheet for its error cells, started (once) on a thread of its own:
        it runs while calamine parses the sheet (which it does without holding the
        interpreter), and costs no wall time."""
        job = self._errors.get(info.name)
        if job is None:
            job = self._errors[info.name] = in_background(
                "esp-scan",
                _error_cells,
                self.pkg.chunks(info.part),
                functools.partial(self.pkg.chunks, info.part),
                self._text_formats,
                self._dates,
            )
        return job

    def parse(self, info: SheetInfo) -> Any:
        """calamine's reading of the sheet (kept until its values are read), with the scan
        for its error cells started beside it."""
        sheet = self._sheets.get(info.name)
        if sheet is None:
            self.scan(info)
            book = self.book()
            sheet = self._early_sheets.pop(info.name, None)
            if sheet is None:
                sheet = book.get_sheet_by_name(info.name)
            self._sheets[info.name] = sheet
        return sheet

    def values(
        self, info: SheetInfo, nrows: int | None = None, columns: set[int] | None = None
    ) -> SheetValues:
        """The sheet's values. `columns` (1-based) keeps only those columns' values, the
        others read as blank: a command that needs 8 of 40 columns then holds a fifth of the
        Python objects (memory on 50,000-row trackers)."""
        try:
            sheet = self.parse(info)
        except Exception as exc:
            # An error value with spaces around it (<v> #N/A</v>) stops calamine's parse
            # outright: the plain copy is read before the sheet is called unreadable.
            with contextlib.suppress(Exception):
                if not self._plain and self._needs_plain(self._scanned(info)):
                    return self._values_plain(info, nrows, columns)
            raise self._unreadable(info, exc) from exc
        errors = self._scanned(info)
        if not self._plain and self._needs_plain(errors):
            return self._values_plain(info, nrows, columns)
        try:
            last_col = sheet.end[1] + 1 if sheet.end is not None else 0
            if columns is None:
                rows = sheet.to_python(skip_empty_area=False, nrows=nrows)
            else:
                rows = _columns_by_address(sheet, columns, nrows)
        except BaseException as exc:
            # A date-formatted number calamine cannot turn into a date or duration (1E+17
            # as [h]:mm) ends its reading with an error, or a panic of its Rust code (pyo3's
            # PanicException, a BaseException): the plain copy, where it is a number, is
            # read before the sheet is called unreadable.
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            if not self._plain:
                return self._values_plain(info, nrows, columns)
            raise self._unreadable(info, exc) from None
        if nrows is None:
            # The whole sheet has been read: calamine's copy of it (tens of MB on a large
            # tracker) and the error cells are not needed again.
            self._sheets.pop(info.name, None)
            self._errors.pop(info.name, None)
            self.pkg.release_freed_memory()
        _restore_errors(rows, errors, nrows, columns)
        last_col = max(last_col, max(errors.cols, default=0))
        return SheetValues(
            info=info,
            rows=rows,
            last_col=last_col,
            formats=errors.formats,
            merged=errors.merged,
            uncalculated=frozenset(errors.uncalculated),
            hidden_cols=tuple(errors.hidden_cols),
        )

    def _unreadable(self, info: SheetInfo, exc: BaseException) -> InputFileError:
        """The error that says the sheet cannot be read, and why."""
        return InputFileError(
            f"{self.pkg.path}: sheet {info.name!r} cannot be read ({exc}).",
            fix="open it in Excel and save it again as *.xlsx.",
        )

    def _scanned(self, info: SheetInfo) -> _ErrorCells:
        """The sheet's error cells and what else its scan found (see _error_cells)."""
        job = self._errors.get(info.name)
        if job is not None:
            return job.result()
        return _error_cells(
            self.pkg.chunks(info.part),
            functools.partial(self.pkg.chunks, info.part),
            self._text_formats,
            self._dates,
        )

    @staticmethod
    def _needs_plain(errors: _ErrorCells) -> bool:
        # calamine skips text written as CDATA (<v><![CDATA[12]]></v>, valid XML), misreads
        # a value with spaces around it (<v>\n12\n</v>: string #0), a date-formatted
        # number that is no date (NaN: 12/30/1899; -inf: a panic), and a number, index or
        # error spelled with a character reference (<v>&#52;6342</v>: empty).
        return errors.cdata or errors.spaced or errors.odd or errors.charref

    def _values_plain(
        self, info: SheetInfo, nrows: int | None, columns: set[int] | None
    ) -> SheetValues:
        """The sheet's values read from a copy of the package whose CDATA sections are
        plain escaped text, whose values are written without spaces around them and whose
        date-formatted numbers that are no date are plain numbers."""
        self._plain = True
        self._wb = _calamine(self.pkg, _readable(self.pkg, self._dates))
        self._sheets.clear()
        self._early_sheets.clear()
        return self.values(info, nrows, columns)


class ReadAhead:
    """A workbook opened, and its visible sheets parsed by calamine, on a thread of its own
    while the command loads the rest of its code and settings (see read_ahead)."""

    def __init__(self, path: Path, write: bool = False, every_row: bool = False) -> None:
        self.path = path
        # The command writes (every row of) the sheets: they are made ready for it too.
        self.write = write or every_row
        self.every_row = every_row
        self.early = take_early_parse(path)  # started from the command line, if it was
        self.package: Future[Package] = Future()
        self.reader = in_background("esp-read-ahead", self._read)

    def _open(self) -> Package:
        if self.early is not None:
            with contextlib.suppress(Exception):  # opened below, and raised there
                return Package.from_bytes(self.path, self.early.data.result())
        return Package.open(self.path)

    def _read(self) -> WorkbookReader:
        try:
            pkg = self._open()
        except BaseException as exc:  # raised by the command's own open, as without this
            self.package.set_exception(exc)
            raise
        # A write needs the sheet the error scan decompresses: kept (unless it is huge), as
        # locked_for_update would ask, rather than decompressed again; a command that
        # only reads lets it go (Workbook.release_reader).
        pkg.keep_for_now = True
        self.package.set_result(pkg)
        reader = WorkbookReader(pkg, self.early.parsed if self.early is not None else None)
        shown = [info for info in pkg.sheets if info.visible]
        if self.write:
            scans = []
            for info in shown:
                with contextlib.suppress(Exception):  # raised again when it is read
                    scans.append(reader.scan(info))
            pkg.sheets_ahead = in_background(
                "esp-write-ahead", _sheets_ahead, pkg, shown, scans, self.every_row
            )
        for info in shown:
            with contextlib.suppress(Exception):  # raised again when it is read
                reader.parse(info)
        reader.book()  # a workbook calamine cannot read: the command's own reader says so
        return reader

    def package_if_current(self) -> Package | None:
        """The package read, when the file still holds its bytes (else None: the file is
        opened again, and a fault in reading it raised there)."""
        try:
            pkg = self.package.result()
            # Compared byte for byte: cheaper than hashing both (a command that only reads
            # never needs the digest).
            return pkg if self.path.read_bytes() == pkg.data else None
        except Exception:
            return None


def _sheets_ahead(
    pkg: Package, shown: list[SheetInfo], scans: list[Future[_ErrorCells]], every_row: bool
) -> dict[str, SheetXml]:
    """The visible sheets made ready for a write (of every row: SheetXml.made_ahead) while
    calamine parses them: each once its scan has decompressed it and kept it for the writer
    (one too large to keep is decompressed by the writer, once calamine's copy is gone). A
    sheet that cannot be made is left to the writer, which says why."""
    for job in scans:
        with contextlib.suppress(Exception):
            job.result()
    made: dict[str, SheetXml] = {}
    for info in shown:
        data = pkg.kept_xml(info.part)
        if data is None:
            continue
        try:
            sx = SheetXml(data)
        except Exception:  # noqa: BLE001 - the writer makes it again, and says what is wrong
            continue
        sx.made_ahead(every_row)
        made[info.part] = sx
    return made


_READ_AHEAD: dict[Path, ReadAhead] = {}  # by path (the tracker; a sync's Master too)
_READ_AHEAD_LOCK = threading.Lock()


def read_ahead(path: Path, write: bool = False, every_row: bool = False) -> ReadAhead | None:
    """Start opening the workbook at `path` and parsing its visible sheets in the
    background (taking over the parse started from the command line, xlsx.early, when
    there is one). calamine's parse, most of a read, runs without holding the interpreter:
    it overlaps the command's other start-up work (loading its code, esp.toml's calendar,
    the lock, the waiting changes). The next `Workbook.open(path)` takes what was read when
    the file still holds the same bytes."""
    if not worth_a_head_start(path):
        return None  # a large tracker: read when the command reaches it
    with _READ_AHEAD_LOCK:
        under_way = _READ_AHEAD.get(path)
        if under_way is not None:
            return under_way
        # What the thread runs is loaded here first: two threads loading modules at once
        # could wait on each other.
        import lxml.etree  # noqa: F401
        import python_calamine  # noqa: F401

        keep_large_blocks_apart()
        _READ_AHEAD[path] = started = ReadAhead(path, write, every_row)
        return started


def take_read_ahead(path: Path) -> ReadAhead | None:
    """The read ahead of `path` (once), if one was started."""
    with _READ_AHEAD_LOCK:
        return _READ_AHEAD.pop(path, None)


def _columns_by_address(sheet: Any, columns: set[int], nrows: int | None) -> list[list[Any]]:
    """Only `columns` (1-based) of each row, each value at its own address.

    calamine's row iterator starts each row at the sheet's first used column (a table
    whose column A is empty comes one column short) and, in the versions esp supports,
    pads the rows above the first used row. Both offsets are taken from calamine's own
    `start` and the row it yields, never assumed."""
    if sheet.start is None:
        return []
    first_row, first_col = sheet.start
    width = sheet.width
    keep = sorted(c - 1 for c in columns)
    right = keep[-1] + 1 if keep else 0
    rows: list[list[Any]] = []
    shift: int | None = None
    # A row as wide as the used area (nearly every row) is picked in one call: from each
    # kept column's place in it, or from the blank put after its end.
    pick: Callable[[list[Any]], Any] | None = None
    picks: list[int] = []
    for raw in sheet.iter_rows():
        if shift is None:
            # A row as wide as the used area starts at its first column; one wider
            # (first_col + width) starts at column A.
            shift = first_col if len(raw) == width else 0
            if first_row and any(v != "" for v in raw):
                # The first row yielded holds data: it is the first used row, not row 1.
                rows.extend([] for _ in range(first_row))
            kept = set(keep)
            picks = [
                i - shift if i in kept and 0 <= i - shift < width else width
                for i in range(max(0, min(right, width + shift)))
            ]
            pick = operator.itemgetter(*picks) if len(picks) > 1 else None
        if nrows is not None and len(rows) >= nrows:
            break
        if len(raw) == width and pick is not None:
            raw.append("")
            rows.append(list(pick(raw)))
            continue
        row: list[Any] = [""] * max(0, min(right, len(raw) + shift))
        for i in keep:
            j = i - shift
            if 0 <= j < len(raw):
                row[i] = raw[j]
        rows.append(row)
    return rows[:nrows] if nrows is not None else rows


def _calamine(pkg: Package, data: bytes) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own family; all mean "unreadable"
        raise InputFileError(
            f"{pkg.path}: the workbook cannot be read ({exc}).",
            fix="open it in Excel and save it again as *.xlsx.",
        ) from exc


def _readable(pkg: Package, dates: frozenset[int] = frozenset()) -> bytes:
    """The package as calamine reads it right: every XML part in UTF-8, its CDATA sections
    written as escaped text and its character references as the characters they stand for,
    the workbook's relationships from the package's root, the sheets' values without spaces
    around them, and their numbers formatted (`dates`) as dates that are no date without
    that format."""
    from esp_cli.workbook.xlsx import zipio

    sheets = {info.part for info in pkg.sheets}
    replace: dict[str, zipio.PartData] = {}
    for name in pkg.names():
        if name.endswith((".xml", ".rels")):
            data = pkg.read_xml(name)
            plain = without_cdata(data) if b"<![CDATA[" in data else data
            plain = char_refs_resolved(plain)  # after CDATA: its text stays as it is
            if name in sheets and _spaced(plain):
                plain = unspaced_values(plain)
            if name in sheets and dates:
                plain = numbers_read_plain(plain, dates)
            if plain is not data or name in pkg.utf16_parts:
                replace[name] = plain
    rels = _targets_made_absolute(pkg)
    if rels is not None:
        replace[pkg.rels_part_name(pkg.workbook_part)] = rels
    strings = _strings_elsewhere(pkg)
    added: tuple[zipio.NewPart, ...] = ()
    if strings is not None:
        # The workbook's shared strings, where calamine looks for them (it does not follow
        # the workbook's relationship): a copy, for reading only — in place of another
        # part of that name, which is not the workbook's strings.
        copy = replace.get(strings, pkg.read_xml(strings))
        assert isinstance(copy, bytes)
        taken = next((n for n in pkg.names() if part_key(n) == part_key(SST_WHERE_READ)), None)
        if taken is not None:
            replace[taken] = copy
        else:
            added = (zipio.NewPart(SST_WHERE_READ, copy),)
    try:
        return zipio.rewrite(pkg.data, pkg.zf, replace, add=added)
    except zipio.PartNotCarried as exc:
        raise InputFileError(
            f"{pkg.path}: part {exc.part} is damaged ({exc.why}).",
            fix="open the workbook in Excel and save it once, then run esp again.",
        ) from exc


SST_WHERE_READ = "xl/sharedStrings.xml"


def _targets_made_absolute(pkg: Package) -> bytes | None:
    """The workbook's relationships with each target written from the package's root, when
    one names its part through a `.` or `..` segment (`../xl/worksheets/sheet1.xml`: valid,
    resolved from the workbook's folder), which calamine does not follow; else None."""
    name = pkg.rels_part_name(pkg.workbook_part)
    if not pkg.has(name):
        return None
    if b"./" not in pkg.read_xml(name):
        return None  # no "./" nor "../": every target is one calamine follows
    from lxml import etree

    root = pkg.parse(name)
    resolved = pkg.rels(pkg.workbook_part)
    changed = False
    for rel in relationships(root):
        target = str(rel.get("Target", ""))
        if rel.get("TargetMode") == "External" or not {".", ".."} & set(target.split("/")):
            continue
        part = resolved.get(str(rel.get("Id", "")))
        if part is not None:
            rel.set("Target", "/" + part[1])
            changed = True
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") if changed else None


def _strings_elsewhere(pkg: Package) -> str | None:
    """The shared strings part, when the workbook keeps it under another name than the
    one calamine reads (`xl/strings/shared.xml`: valid, rare)."""
    target = pkg.workbook_rel_target(REL_SST)
    if target is None or not pkg.has(target):
        return None
    return None if part_key(target) == part_key(SST_WHERE_READ) else target


# A value with spaces (line breaks, tabs) around it: <v>\n\t12\n</v>.
_SPACED_VALUE = re.compile(
    rb"<((?:[^\s:<>/!?]+:)?)v>([ \t\r\n]+[^<]*|[^<]*[ \t\r\n])</\1v[ \t\r\n]*>"
)
_AFTER_VALUE_TAG = re.compile(rb"v>[ \t\r\n]")  # "<v> ", "<x:v>\n" (and "</v>\n")
_BEFORE_END_TAG = re.compile(rb"[ \t\r\n]</")
# The same with a space, as plain patterns: re searches a sheet for them faster than
# bytes.find, whose way of skipping stalls on the spaces and slashes of every tag.
_VALUE_THEN_SPACE = re.compile(rb"v> ")
_SPACE_THEN_END = re.compile(rb" </")


def _spaced(piece: bytes, start: int = 0, value_then_space: bool | None = None) -> bool:
    """Whether a value of the sheet (a piece of it, from `start`) has spaces around it.
    A sheet as Excel writes it has none, nor any line break, tab or carriage return: quick
    byte searches tell (a pattern runs only where those characters are), and only a hint
    is looked at closely. `value_then_space`: whether "v> " is in the piece from `start`,
    when a search has told already."""
    lines = piece.find(b"\n", start) >= 0 or piece.find(b"\r", start) >= 0
    if lines or piece.find(b"\t", start) >= 0:
        hint = (
            _AFTER_VALUE_TAG.search(piece, start) is not None
            or _BEFORE_END_TAG.search(piece, start) is not None
        )
    else:
        if value_then_space is None:
            value_then_space = _VALUE_THEN_SPACE.search(piece, start) is not None
        hint = value_then_space or _SPACE_THEN_END.search(piece, start) is not None
    return hint and _SPACED_VALUE.search(piece, start) is not None


def unspaced_values(sheet: bytes) -> bytes:
    """The sheet with the spaces around its values dropped, as Excel and openpyxl read
    them: a shared string's index, a number, TRUE/FALSE, an error or an ISO date; a
    formula's text result (t="str") keeps them, for they are its text."""

    def strip(m: re.Match[bytes]) -> bytes:
        attrs = _cell_around(sheet, m.start())
        if attrs is not None and attrs.get(b"t", b"").strip() == b"str":
            return m.group(0)
        p = m.group(1)
        return b"<" + p + b"v>" + m.group(2).strip(b" \t\r\n") + b"</" + p + b"v>"

    return _SPACED_VALUE.sub(strip, sheet)


def in_background(name: str, work: Callable[..., T], *args: Any) -> Future[T]:
    """`work(*args)` on a thread of its own, its result (or error) in the future returned.
    A daemon thread: a command that stops before it needs the result (a mistake in its
    options) does not wait for it to end."""
    done: Future[T] = Future()

    def run() -> None:
        try:
            result = work(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the result
            done.set_exception(exc)
        else:
            done.set_result(result)

    threading.Thread(target=run, name=name, daemon=True).start()
    return done


class _ErrorCells:
    """Where the error cells are, compactly: a sheet with #REF! in every cell of 50,000 rows
    has two million of them."""

    def __init__(self) -> None:
        self.rows = array("l")
        self.cols = array("l")
        self.values: list[ErrorValue] = []
        self._interned: dict[str, ErrorValue] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.cdata = False  # the sheet holds CDATA sections
        self.spaced = False  # a value of the sheet has spaces around it
        self.odd = False  # a date-formatted cell holds a number that is no date (_odd_cell)
        # A value or attribute of the sheet is spelled with a character reference (&#52;):
        # calamine reads such a number, index or error as empty.
        self.charref = False
        self.merged: list[tuple[int, int, int, int]] = []  # the merged ranges (SheetValues)
        # The cells holding a formula with no result saved (SheetValues.uncalculated).
        self.uncalculated: list[tuple[int, int]] = []
        # The hidden columns' ranges, (first, last) (SheetValues.hidden_cols).
        self.hidden_cols: list[tuple[int, int]] = []

    def hidden(self, col: int) -> bool:
        return any(lo <= col <= hi for lo, hi in self.hidden_cols)

    def add(self, row: int, col: int, code: str) -> None:
        value = self._interned.get(code)
        if value is None:
            value = self._interned[code] = ErrorValue(code)
        self.rows.append(row)
        self.cols.append(col)
        self.values.append(value)


def _restore_errors(
    rows: list[list[Any]], errors: _ErrorCells, nrows: int | None, columns: set[int] | None
) -> None:
    """Put error cells back into the rows read (calamine reads them as blank)."""
    for r, c, value in zip(errors.rows, errors.cols, errors.values, strict=True):
        if nrows is not None and r > nrows:
            continue
        if columns is not None and c not in columns:
            continue
        while len(rows) < r:
            rows.append([])
        row = rows[r - 1]
        while len(row) < c:
            row.append("")
        row[c - 1] = value


def _error_cells(
    sheet_xml: Iterable[bytes],
    again: Callable[[], Iterable[bytes]] | None = None,
    text_formats: dict[int, str] | None = None,
    dates: frozenset[int] | None = None,
) -> _ErrorCells:
    """Every error cell, in sheet order, the cells whose format shows a number as text
    (`text_formats`: cell format index -> number format), and whether a cell formatted as
    a date (`dates`: cell format indexes) holds a number that is no date. The sheet's XML
    is scanned in pieces cut at row ends, so a cell is never split and the sheet is never
    held whole. A sheet the scan cannot follow exactly (a comment, CDATA or processing
    instruction in it, a cell it needs without its reference) is parsed as XML instead:
    `again` gives its bytes a second time (else `sheet_xml` is iterated again)."""
    found = _ErrorCells()
    styled = _styled_patterns(text_formats) if text_formats else None
    pending = b""
    first = True

    def parsed() -> _ErrorCells:
        whole = _errors_parsed(again() if again is not None else sheet_xml, text_formats, dates)
        whole.charref = whole.charref or found.charref
        whole.spaced = whole.spaced or found.spaced
        return whole

    for chunk in sheet_xml:
        pending += chunk
        cut = pending.rfind(b"row>")
        if cut < 0:
            continue
        cut += 4
        if not _errors_in(pending[:cut], found, first, styled, text_formats, dates):
            return parsed()
        first = False
        pending = pending[cut:]
    if not _errors_in(pending, found, first, styled, text_formats, dates):
        return parsed()
    # The merged ranges come after the rows, in this last piece; unless something after
    # the rows ends in "row>" too (the pieces are cut there): then they are looked for in
    # the whole sheet, once more.
    if b"sheetData" in pending:
        if b"mergeCell" in pending:
            _merges_in(pending, found)
    else:
        _merges_in(b"".join(again() if again is not None else sheet_xml), found)
    return found


def _styled_patterns(text_formats: dict[int, str]) -> tuple[re.Pattern[bytes], ...]:
    """A style attribute naming one of these formats (the format's index its group 1), in
    any quoting, unless the type of a value that is no number follows it (t="s", as Excel
    writes a text cell: a column formatted as text holds mostly text, passed over at C
    speed): (the pattern for a piece whose only white space is the space, the pattern for
    any piece). The first starts with a space: a search for it runs at C speed from one
    space to the next, where one starting with any white space looks at every byte."""
    ids = b"|".join(b"%d" % i for i in sorted(text_formats))
    attr = rb"s\s*=\s*[\"']\s*(" + ids + rb")\s*[\"'](?!\s*t\s*=\s*[\"']\s*" + _NOT_A_NUMBER + rb")"
    return re.compile(b" " + attr), re.compile(rb"\s" + attr)


# A cell's type when its value is no number (text, a formula's text, inline text, TRUE or
# FALSE, an error, an ISO date): a format showing a number as text does not change it.
_NOT_A_NUMBER = rb"(?:s|str|inlineStr|b|e|d)\s*[\"']"
_NOT_NUMBER_TYPES = {b"s", b"str", b"inlineStr", b"b", b"e", b"d"}


# White space other than the space, as a pattern's \s finds it.
_OTHER_SPACES = (b"\t", b"\n", b"\r", b"\x0b", b"\x0c")


# A cell's start tag as Excel, openpyxl and LibreOffice write it, up to its reference: when
# the style attribute comes right after it, the cell's place is read from these groups.
_PLAIN_CELL_START = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"')


def _cell_around(piece: bytes, pos: int, in_tag: bool = False) -> dict[bytes, bytes] | None:
    """The attributes of the cell whose content (or, `in_tag`, whose start tag) holds
    offset `pos`; None when there is none."""
    tag = _cell_tag(piece, pos, in_tag)
    return None if tag is None else parse_attrs(tag.group(1))


def _cell_tag(piece: bytes, pos: int, in_tag: bool = False) -> re.Match[bytes] | None:
    """The start tag of the cell whose content (or, `in_tag`, whose start tag) holds
    offset `pos` (its attributes are group 1); None when there is none."""
    # Back from `pos`, tag by tag, to the start of the cell (a few tags at most: <f>, <v>).
    at = piece.rfind(b"<", 0, pos)
    cell = None
    while at >= 0 and pos - at < 1 << 16:
        cell = _CELL_START.match(piece, at)
        if cell is not None:
            break
        at = piece.rfind(b"<", 0, at)
    tag = start_tag(cell.group(1), b"c").match(piece, cell.start()) if cell else None
    if tag is None or (in_tag and tag.end() < pos):
        return None
    return tag


def _address(attrs: dict[bytes, bytes]) -> tuple[int, int] | None:
    ref = attrs.get(b"r")
    got = re.fullmatch(rb"\$?([A-Za-z]{1,3})\$?([0-9]+)", ref.strip()) if ref else None
    return (int(got.group(2)), col_number(got.group(1).decode())) if got else None


_CELL_START = re.compile(rb"<((?:[^\s:<>/!?]+:)?)c(?=[\s/>])")
# A <mergeCell> start tag, its attributes group 1 (in any prefix and quoting).
_MERGE_CELL = re.compile(
    rb"<(?:[^\s:<>/!?]+:)?mergeCell(?=[\s/>])((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
)


# ... as Excel writes it: <mergeCell ref="A5:A28"/> (a sheet may hold 50,000 of them).
_PLAIN_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)"/>')


def _merges_in(piece: bytes, found: _ErrorCells) -> None:
    """Adds the merged ranges of a piece of the sheet."""
    plain = _PLAIN_MERGE.findall(piece)
    if len(plain) != piece.count(b"mergeCell") - piece.count(b"mergeCells"):
        for m in _MERGE_CELL.finditer(piece):  # spelled otherwise: each read in full
            _add_merge(found, parse_attrs(m.group(1)).get(b"ref", b""))
        return
    cols: dict[bytes, int] = {}
    add = found.merged.append
    for a, r1, b, r2 in plain:
        c1 = cols.get(a) or cols.setdefault(a, col_number(a.decode()))
        c2 = cols.get(b) or cols.setdefault(b, col_number(b.decode()))
        rng = (min(int(r1), int(r2)), min(c1, c2), max(int(r1), int(r2)), max(c1, c2))
        if rng[:2] != rng[2:]:
            add(rng)


def _add_merge(found: _ErrorCells, ref: bytes) -> None:
    """One merged range, as its `ref` gives it (none when it names no range)."""
    try:
        rng = parse_range(ref.decode("ascii").strip())
    except (ValueError, UnicodeDecodeError):
        return
    if rng[:2] != rng[2:]:
        found.merged.append(rng)


# A <col> start tag (not <cols>), its attributes group 1 (in any prefix and quoting).
_COL_TAG = re.compile(
    rb"<(?:[^\s:<>/!?]+:)?col(?=[\s/>])((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
)


def _hidden_in(piece: bytes, found: _ErrorCells) -> None:
    """Adds the hidden columns of the sheet, from the first piece: its <cols> come before
    its rows."""
    end = piece.find(b"sheetData")
    head = piece if end < 0 else piece[:end]
    if b"hidden" not in head and b"width" not in head:
        return
    for m in _COL_TAG.finditer(head):
        attrs = parse_attrs(m.group(1))
        _add_hidden(found, *(attrs.get(a, b"").decode("latin-1") for a in _COL_ATTRS))


_COL_ATTRS = (b"hidden", b"width", b"min", b"max")


def _add_hidden(found: _ErrorCells, hidden: str, width: str, lo: str, hi: str) -> None:
    """One <col> range (its `hidden`, `width`, `min` and `max`), when Excel shows it hidden:
    hidden ("1" or "true"), or so narrow it draws no pixel (width="0": see col_hidden)."""
    lo, hi = lo.strip(), hi.strip()
    if col_hidden(hidden, width) and lo.isdigit() and hi.isdigit():
        found.hidden_cols.append((int(lo), min(int(hi), MAX_COL)))


_SPACED_ERROR = re.compile(rb"v>[ \t\r\n]+#")


def _errors_in(
    piece: bytes,
    found: _ErrorCells,
    first: bool,
    styled: tuple[re.Pattern[bytes], ...] | None = None,
    text_formats: dict[int, str] | None = None,
    dates: frozenset[int] | None = None,
) -> bool:
    """Adds the piece's error cells (and text-formatted cells); False when the piece needs
    a real XML parse. An error cell's value always starts with '#' (#N/A, #REF!...): `v>#`
    finds every candidate whatever the spelling of its attributes."""
    start = after_declaration(piece) if first else 0
    errors = b"#" in piece
    if errors and b"&#" in piece and _misread_references(piece):
        # A character reference where calamine takes the bytes as they are (&#52;6342,
        # r="&#65;1", &#35;N/A): only a parse resolves it, and calamine reads the sheet right
        # once they are resolved (_readable).
        found.charref = True
        return False
    odd = bool(dates) and not found.odd
    # What follows a value's tag, for the checks below, found in one pass: a space (a value
    # spaced out: see _spaced), a sign, NaN or infinity (see _odd_cell), '#' (an error).
    spaced_at: list[int] | None = None
    odd_at: list[int] | None = None
    error_at: list[int] | None = None
    if not found.spaced or odd or errors:
        spaced_at, odd_at, error_at = [], [], []
        for m in _AFTER_VALUE.finditer(piece):
            after = piece[m.end() - 1]
            (error_at if after == 0x23 else spaced_at if after == 0x20 else odd_at).append(
                m.start()
            )
    if not found.spaced and _spaced(
        piece, start, None if spaced_at is None else any(at >= start for at in spaced_at)
    ):
        found.spaced = True
    if has_markup(piece, start):
        found.cdata = found.cdata or b"<![CDATA[" in piece
        return False
    if first:
        _hidden_in(piece, found)
    if odd:
        assert dates is not None and odd_at is not None
        found.odd = any(_odd_cell(piece, at, dates) for at in odd_at)
    if errors:
        # `v>#`, or on a sheet with values spaced out, `v>` then spaces then '#'.
        assert error_at is not None
        starts: Iterable[int] = error_at
        if found.spaced:
            starts = sorted({*starts, *(m.start() for m in _SPACED_ERROR.finditer(piece))})
        for pos in starts:
            attrs = _cell_around(piece, pos)
            if attrs is None:
                return False
            if attrs.get(b"t") == b"e":
                where = _address(attrs)
                end = piece.find(b"<", pos + 2)
                if where is None or end < 0:
                    return False  # the reference is missing: only its row's parse places it
                code = piece[pos + 2 : end].decode("utf-8", "replace").strip() or "#ERROR"
                found.add(*where, code)
    if not _uncalculated_in(piece, found):
        return False
    if styled is not None and text_formats:
        columns: dict[bytes, int] = {}
        spaces_only = all(piece.find(other) < 0 for other in _OTHER_SPACES)
        for m in styled[0 if spaces_only else 1].finditer(piece):
            # A column formatted as text has thousands of such cells: one written plainly
            # (<c r="K5" s="4" ...>) is placed from the pattern's groups; any other spelling
            # is read attribute by attribute below.
            plain = _PLAIN_CELL_START.match(piece, piece.rfind(b"<", 0, m.start()))
            if plain is not None and plain.end() == m.start():
                letters = plain.group(1)
                col = columns.get(letters)
                if col is None:
                    col = columns[letters] = col_number(letters.decode())
                found.formats[(int(plain.group(2)), col)] = text_formats[int(m.group(1))]
                continue
            attrs = _cell_around(piece, m.end(), in_tag=True)
            if attrs is None:
                continue  # a row's style, not a cell's
            if attrs.get(b"t", b"").strip() in _NOT_NUMBER_TYPES:
                continue  # its type (before its style) says it holds no number
            style = attrs.get(b"s", b"").strip()
            where = _address(attrs)
            if where is None:
                return False
            if style.isdigit() and int(style) in text_formats:
                found.formats[where] = text_formats[int(style)]
    return True


_VALUE_START = re.compile(rb"<(?:[^\s:<>/!?]+:)?v>")


def _misread_references(piece: bytes) -> bool:
    """Whether a character reference of the piece is in a value (`<v>&#52;6342</v>`) or a
    tag (an attribute's value), which calamine reads without resolving it; one in text
    (`<t>`, a formula) it reads right."""
    at = piece.find(b"&#")
    while at >= 0:
        opened = piece.rfind(b"<", 0, at)
        if opened > piece.rfind(b">", 0, at) or _VALUE_START.match(piece, opened):
            return True
        at = piece.find(b"&#", at + 2)
    return False


_TEXT_TYPES = ("str", "inlineStr")
# A formula's end tag followed by no value or an empty one (group 1), then the cell's end:
# `</f></c>` (Apache POI), `</f><v></v></c>` (openpyxl), `</f><v/></c>`, in any prefix. It
# starts with text a search finds at C speed ("f><"), a fifth of the cost of the scan.
_P = rb"(?:[^\s:<>/!?]+:)?"
_NO_RESULT = re.compile(
    rb"f><(?:/" + _P + rb"c>|(" + _P + rb"v(?:/>|></" + _P + rb"v>))</" + _P + rb"c>)"
)
# The same, spaced out or ending an empty formula tag: `</f>` or a shared formula's other
# cell, `<f t="shared" si="0"/>` (group 1: which), then spaces, no value or an empty one
# (group 2), and the cell's end, as a program writing one element a line spells it. The
# tag's name is checked where it starts (_formula_tag_ends).
_LOOSE_NO_RESULT = re.compile(
    rb"(f>|/>)\s*(?:(<"
    + _P
    + rb"v\s*/>|<"
    + _P
    + rb"v(?:\s[^<>]*)?>\s*</"
    + _P
    + rb"v>)\s*)?</"
    + _P
    + rb"c>"
)
# What only a sheet needing _LOOSE_NO_RESULT holds (it costs ten times _NO_RESULT's search;
# these, each starting with text a search finds at C speed, a fraction of it): a formula's
# end tag before a space, or an empty tag before a space, the cell's end or an empty value.
# Excel's shared formulas, `<f t="shared" si="0"/><v>1</v>`, are none of these.
_LOOSE_SIGNS = (
    re.compile(rb"f>\s"),
    re.compile(rb"/>(?:\s|</" + _P + rb"c>|<" + _P + rb"v\s*/>|<" + _P + rb"v(?:\s[^<>]*)?>\s*<)"),
)


def _loose(piece: bytes) -> bool:
    """Whether the piece may hold a formula without a result that _NO_RESULT misses."""
    return any(sign.search(piece) is not None for sign in _LOOSE_SIGNS)


_FORMULA_END = re.compile(rb"</" + _P + rb"f>|<" + _P + rb"f(?:\s[^<>]*)?/>")


def _formula_tag_ends(piece: bytes, end: int) -> bool:
    """Whether the tag ending at `end` is a formula's end tag or an empty formula tag."""
    return _FORMULA_END.fullmatch(piece, piece.rfind(b"<", 0, end), end) is not None


def _uncalculated_in(piece: bytes, found: _ErrorCells) -> bool:
    """Adds the piece's cells holding a formula whose result is not saved: no value, or an
    empty one that is no text (a formula showing "" is saved as t="str" with an empty
    value). False when a cell's place needs a real XML parse."""
    loose = _loose(piece)
    for m in (_LOOSE_NO_RESULT if loose else _NO_RESULT).finditer(piece):
        if loose and not _formula_tag_ends(piece, m.end(1)):
            continue  # another tag's end: a value's, a cell's
        empty = m.group(2) if loose else m.group(1)
        attrs = _cell_around(piece, m.start())
        if attrs is None:
            return False
        if empty and attrs.get(b"t", b"").strip().decode("ascii", "replace") in _TEXT_TYPES:
            continue  # an empty text, saved
        where = _address(attrs)
        if where is None:
            return False
        found.uncalculated.append(where)
    return True


# A value that may be a number no date is (see _odd_cell): signed, NaN or infinity, written
# with an exponent or of eight digits and more. Excel writes a date as its serial, 46349 or
# 46349.427083333336: no date of a tracker is any of these.
_ODD_CANDIDATE = re.compile(rb"v>[ \t\r\n]*(?:[-+nNiI]|[0-9]{8}|[0-9]*\.?[0-9]*[eE])")
# What the scan looks for after a value's tag (_errors_in), in one pass: what starts the
# numbers calamine misreads without a word (NaN, a negative number) or stops at (-inf), at a
# tenth of the cost of _ODD_CANDIDATE (a huge duration, 1E+17 as [h]:mm, which calamine
# refuses, is found when the sheet is read again after it failed: see values); a space (a
# value spaced out, see _spaced); '#' (an error value).
_AFTER_VALUE = re.compile(rb"v>[-+nNiI #]")
# Serials of the days Excel shows, 01/00/1900 (0) to 12/31/9999.
_PAST_LAST_SERIAL = 2958466


def _odd_cell(piece: bytes, pos: int, dates: frozenset[int]) -> re.Match[bytes] | None:
    """The start tag of the cell whose `<v>` starts at `pos` when it is formatted as a date
    (`dates`) and holds a number that is none of Excel's dates: NaN (which calamine reads as
    12/30/1899), infinity, a negative number (00:00, or with a large one, a panic that ends
    the read) or one past 12/31/9999; else None."""
    if pos == 0 or piece[pos - 1 : pos] not in (b"<", b":"):
        return None  # the end of some other tag's name
    tag = _cell_tag(piece, pos)
    if tag is None:
        return None
    attrs = parse_attrs(tag.group(1))
    style = attrs.get(b"s", b"").strip()
    if attrs.get(b"t", b"n").strip() != b"n" or not style.isdigit() or int(style) not in dates:
        return None
    start = pos + 2
    end = piece.find(b"<", start)
    try:
        number = float(piece[start:end].strip()) if end >= 0 else 0.0
    except ValueError:
        return None  # no number: calamine reads it as what it is
    return None if 0 <= number < _PAST_LAST_SERIAL else tag


_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')""")


def numbers_read_plain(sheet: bytes, dates: frozenset[int]) -> bytes:
    """The sheet with each cell formatted as a date (`dates`) that holds a number no date is
    (see _odd_cell) without its format: read as the number it holds."""
    out: list[bytes] = []
    done = 0
    for m in _ODD_CANDIDATE.finditer(sheet):
        tag = _odd_cell(sheet, m.start(), dates)
        if tag is None or tag.start() < done:
            continue
        start, end = tag.span(1)
        named = (a for a in _ATTRIBUTE.finditer(sheet, start, end) if a.group(1) == b"s")
        style = next(named, None)
        if style is None:
            continue
        out += [sheet[done : style.start()], sheet[style.end() : tag.end()]]
        done = tag.end()
    return b"".join([*out, sheet[done:]]) if out else sheet


def _errors_parsed(
    sheet_xml: Iterable[bytes],
    text_formats: dict[int, str] | None = None,
    dates: frozenset[int] | None = None,
) -> _ErrorCells:
    """Every error cell, from a full XML parse (rows and cells without `r` placed after
    the one before them, as Excel does); whether a cell formatted as a date (`dates`)
    holds a number that is no date."""
    found = _ErrorCells()
    parser = expat.ParserCreate(namespace_separator=" ")
    row = col = 0
    error = False
    dated = False  # the cell is a number formatted as a date
    text: list[str] = []
    depth_of_v = 0
    depth = 0
    # The cell holds a formula; its type; its value (None: no <v> yet) when it does.
    formula = False
    kind = ""
    result: list[str] | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, col, error, dated, depth_of_v, depth, formula, kind, result
        depth += 1
        local = name.rsplit(" ", 1)[-1]
        if local == "f":
            formula = True
        elif local == "v" and formula:
            result = []
        if local == "row":
            r = attrs.get("r", "")
            row = int(r) if r.strip().isdigit() else row + 1
            col = 0
        elif local == "c":
            ref = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?([0-9]+)", attrs.get("r", "").strip())
            col = col_number(ref.group(1)) if ref else col + 1
            error = attrs.get("t", "").strip() == "e"
            formula, kind, result = False, attrs.get("t", "").strip(), None
            style = attrs.get("s", "").strip()
            numeric = attrs.get("t", "").strip().encode() not in _NOT_NUMBER_TYPES
            if text_formats and numeric and style.isdigit() and int(style) in text_formats:
                found.formats[(row, col)] = text_formats[int(style)]
            number = attrs.get("t", "n").strip() == "n"
            dated = bool(dates) and number and style.isdigit() and int(style) in (dates or ())
        elif local == "mergeCell":
            _add_merge(found, attrs.get("ref", "").encode("utf-8"))
        elif local == "col" and depth == 3:  # <worksheet><cols><col>
            _add_hidden(found, *(attrs.get(a, "") for a in ("hidden", "width", "min", "max")))
        elif local == "v" and (error or dated):
            depth_of_v = depth
            text.clear()

    def end(name: str) -> None:
        nonlocal error, dated, depth_of_v, depth, formula
        if formula and name.rsplit(" ", 1)[-1] == "c":
            formula = False
            if result is None or (not "".join(result).strip() and kind not in _TEXT_TYPES):
                found.uncalculated.append((row, col))
        if depth_of_v and depth == depth_of_v:
            if error:
                found.add(row, col, "".join(text).strip() or "#ERROR")
            elif not found.odd:
                try:
                    number = float("".join(text).strip())
                except ValueError:
                    number = 0.0
                found.odd = not 0 <= number < _PAST_LAST_SERIAL
            depth_of_v = 0
            error = dated = False
        depth -= 1

    def chars(data: str) -> None:
        if depth_of_v:
            text.append(data)
        if result is not None:
            result.append(data)

    def cdata() -> None:
        found.cdata = True

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartCdataSectionHandler = cdata
    try:
        for chunk in sheet_xml:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        pass  # a damaged sheet: calamine has read what it could; keep the errors found
    return found
