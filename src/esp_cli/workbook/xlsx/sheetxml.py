"""Byte-level access to one worksheet part: find rows and cells, splice new cells in.

The sheet is never re-serialised. Rows are located with one scan of their start tags;
only the rows esp writes are split into cells. Everything between the changed cells, and
everything outside <sheetData>, is copied byte for byte.

Tags are searched in a copy of the part whose comments, processing instructions and CDATA
sections are blanked (xmlbytes.blank_markup), with attributes read in any quoting. A row as
Excel, LibreOffice and openpyxl write it (every cell starting `<c r="..."`, in column
order) is split by reference alone; any other row esp writes (cells without `r`, out of
column order, attributes quoted or spaced otherwise) is parsed as XML by expat, which says
exactly where each of its cells starts and ends.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from xml.parsers import expat

from esp_cli.core.formulas import shifted
from esp_cli.core.refs import MAX_COL, col_letter, col_number, parse_area, parse_range
from esp_cli.workbook.xlsx.package import element_text
from esp_cli.workbook.xlsx.xmlbytes import (
    MAIN_NS,
    FragmentCheck,
    attr_value,
    blank_markup,
    drop_attr,
    end_tag,
    namespace_declarations,
    parse_attrs,
    start_tag,
    unescape,
)

if TYPE_CHECKING:
    from lxml.etree import _Element

_XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
_ROW_NUMBER = re.compile(rb"(?:^|\s)r\s*=\s*[\"'](\d+)[\"']")
_NEXT_ROW = re.compile(rb"\s*<row r=\"(\d+)\"")  # the row after, as Excel writes it


@functools.lru_cache(maxsize=16)
def _row_numbers(prefix: bytes) -> re.Pattern[bytes]:
    """Every row start tag, its number captured (b"" for a row without one, or whose
    number the pattern cannot see: an attribute value holding '>' before it)."""
    return re.compile(rb"<" + re.escape(prefix) + rb"row(?=[\s/>])(?:[^>]*?\sr\s*=\s*[\"'](\d+))?")


_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = b"0123456789"
_ROW_BITS = 21  # Excel's rows, 1..1,048,576, fit in 21 bits (the splicer's plan packs them)
_ENDS = (b" ", b"\t", b"\n", b"\r", b">", b"/")
_ROOT = re.compile(rb"<(?:([^\s:<>/!?]+):)?worksheet(?=[\s/>])")
# A sheetData, row or cell start tag in any prefix (group 1, with its colon).
_ANY_SHEET_DATA = re.compile(rb"<((?:[^\s:<>/!?]+:)?)sheetData(?=[\s/>])")
_ANY_ROW = re.compile(rb"<((?:[^\s:<>/!?]+:)?)row(?=[\s/>])")
_ANY_ROW_OR_CELL = re.compile(rb"<((?:[^\s:<>/!?]+:)?)(?:row|c)(?=[\s/>])")
_XMLNS_ITEM = re.compile(rb"\sxmlns(?::([^\s=/>]+))?\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class CellLoc:
    """One <c> element of a row: its column and where its bytes are in the row."""

    __slots__ = ("col", "start", "end", "attrs", "body", "has_r")

    def __init__(
        self, col: int, start: int, end: int, attrs: bytes, body: bytes | None, has_r: bool
    ) -> None:
        self.col = col
        self.start = start  # offsets within the row's inner bytes
        self.end = end
        self.attrs = attrs
        self.body = body  # None for <c .../>; comments and CDATA blanked
        self.has_r = has_r

    def attr(self, name: bytes) -> bytes | None:
        # Read from the attributes each time, nothing kept: a write asks each cell it
        # changes for its t and vm (50,000 cells kept with their dicts: 14 MB).
        return attr_value(self.attrs, name)

    @property
    def style(self) -> int | None:
        s = self.attr(b"s")
        return int(s) if s is not None and s.strip().isdigit() else None

    @property
    def has_formula(self) -> bool:
        return self.body is not None and _FORMULA_TAG.search(self.body) is not None


_FORMULA_TAG = re.compile(rb"<(?:[^\s:<>/!?]+:)?f(?=[\s/>])")
_VALUE_TAG = re.compile(rb"<(?:[^\s:<>/!?]+:)?(?:v|is|f)(?=[\s/>])")


@dataclass(slots=True)  # not frozen: made for each of 50,000 rows, at a third of the cost
class RowLoc:
    num: int
    start: int  # offset of '<row'
    tag_end: int  # offset just after the start tag's '>'
    inner_end: int  # offset of the end tag (== tag_end when self-closing)
    end: int  # offset just after the end tag (== tag_end when self-closing)
    self_closing: bool
    has_r: bool
    attrs: bytes


class SheetXml:
    """`prefix` is the namespace prefix (with its colon) of the rows and cells, `sd_prefix`
    that of <sheetData>, `root_prefix` that of <worksheet> and the elements around the
    rows: Excel writes one prefix (none) for all, other programs may not."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.scan = scan = blank_markup(data)  # the bytes searched; `data` is what is copied
        root = _ROOT.search(scan)
        self.root_prefix = (root.group(1) + b":") if root and root.group(1) else b""
        root_tag = scan[root.start() : scan.find(b">", root.end()) + 1] if root else b""
        sd = start_tag(self.root_prefix, b"sheetData").search(scan)
        if sd is None:
            any_sd = _ANY_SHEET_DATA.search(scan)
            if any_sd is not None:
                sd = start_tag(any_sd.group(1), b"sheetData").match(scan, any_sd.start())
        if sd is None:
            raise ValueError("worksheet has no sheetData")
        self.sd_prefix = sd_prefix = sd.group(0)[1 : sd.group(0).index(b"sheetData")]
        self.declarations = namespace_declarations(root_tag, sd.group(0))
        self.sd_selfclosing: tuple[int, int] | None
        self.sd_open_end = sd.end()
        if sd.group(2):
            # <sheetData/>: open it up so rows can be added.
            self.sd_selfclosing = (sd.start(), sd.end())
            self.sd_close = sd.end()
        else:
            self.sd_selfclosing = None
            close = _close_after(
                scan,
                b"</" + sd_prefix + b"sheetData",
                end_tag(sd_prefix, b"sheetData"),
                sd.end(),
                len(scan),
            )
            if close is None:
                raise ValueError("worksheet sheetData is not closed")
            self.sd_close = close.start()
        self.prefix = self._rows_prefix(scan, root_tag, sd)
        p = re.escape(self.prefix)
        self._row_start = start_tag(self.prefix, b"row")
        self._row_close = end_tag(self.prefix, b"row")
        self._row_end = b"</" + self.prefix + b"row"
        self._cell_end = b"</" + self.prefix + b"c"
        self._cell_open = start_tag(self.prefix, b"c")
        self._cell_close = end_tag(self.prefix, b"c")
        # Excel, LibreOffice and openpyxl write r first on every cell: then a row's columns
        # come from one findall, and only the cells esp touches are parsed.
        self._r_first = re.compile(rb"<" + p + rb"c r=\"([A-Z]{1,3}[0-9]+)\"")
        self._fast: dict[int, int] = {}  # row -> its last column when fast, else -1
        self._orders: dict[bytes, int] = {}  # a row's column letters -> the same, for any row
        self._columns_of: dict[bytes, tuple[list[int], list[bytes]]] = {}  # see fast_columns
        self._styles: dict[bytes, int | None] = {}  # a cell's attributes after r -> its style
        self._check_prefixes(root_tag, sd.group(0))
        self._rows: list[RowLoc] | None = None
        # The index worked out ahead (made_ahead): what `rows` takes, or the error it raises.
        self._ahead: tuple[list[RowLoc], dict[int, RowLoc], set[int]] | ValueError | None = None
        self._by_num: dict[int, RowLoc] = {}
        self._twice: set[int] = set()
        self.ordered = True  # rows ascend (as they must; some programs write them otherwise)
        self._direct: dict[int, RowLoc] = {}
        self._direct_nums: list[int] = []  # the rows found by reference, in order
        self._scanned = 0  # bytes those searches have looked through
        self._budget = 2 * len(data)  # ... before the rows are indexed instead
        self._cells: dict[int, list[CellLoc]] = {}
        # Whether a formula's tag may hold attributes, once _formula_rows has passed over
        # them all (None: not known).
        self._formula_attrs: bool | None = None
        self._formulas_ahead: tuple[dict[int, int], bool] | None = None  # see made_ahead
        # A write asks for its cell (and its neighbour's) several times: look it up once.
        self._cell_cache: dict[tuple[int, int], CellLoc | None] = {}

    def _rows_prefix(self, scan: bytes, root_tag: bytes, sd: re.Match[bytes]) -> bytes:
        """The prefix the rows are written with: the first row's (they share one: see
        _check_prefixes), else, with no row yet, the sheetData's."""
        if sd.group(2):
            return self.sd_prefix
        first = _ANY_ROW.search(scan, sd.end(), self.sd_close)
        return first.group(1) if first is not None else self.sd_prefix

    def _check_prefixes(self, root_tag: bytes, sd_tag: bytes) -> None:
        """Raise ValueError, saying what it is, for a sheetData whose rows or cells esp could
        not find or add one of rightly: written in another namespace than SpreadsheetML's,
        or with more than one prefix. As Excel writes a sheet (one prefix throughout,
        declared on <worksheet>), nothing is searched."""
        same = self.prefix == self.sd_prefix == self.root_prefix
        if same and b"xmlns" not in sd_tag:
            return
        for name, prefix in ((b"sheetData", self.sd_prefix), (b"row", self.prefix)):
            uri = _namespace_of(prefix, root_tag, sd_tag)
            if uri != MAIN_NS.encode():
                shown = (prefix + name).decode("utf-8", "replace")
                raise ValueError(
                    f"its <{shown}> is not declared in the worksheet namespace on <worksheet> "
                    "or <sheetData>"
                )
        if self.sd_selfclosing is not None:
            return
        found = {
            m.group(1)
            for m in _ANY_ROW_OR_CELL.finditer(self.scan, self.sd_open_end, self.sd_close)
        }
        if len(found) > 1:
            shown = ", ".join(
                sorted(p.decode("utf-8", "replace").rstrip(":") or "none" for p in found)
            )
            raise ValueError(
                f"its rows and cells are written with more than one namespace prefix ({shown})"
            )

    def _row_at(self, m: re.Match[bytes], num: int, has_r: bool) -> RowLoc:
        tag_end = m.end()
        if m.group(2):
            return RowLoc(num, m.start(), tag_end, tag_end, tag_end, True, has_r, m.group(1))
        scan, name = self.scan, self._row_end
        at = scan.find(name, tag_end, self.sd_close)
        if at >= 0 and scan[at + len(name) : at + len(name) + 1] == b">":
            # </row> as Excel writes it: what the end tag's pattern would match there.
            ends = (at, at + len(name) + 1)
        else:
            close = _close_after(scan, name, self._row_close, tag_end, self.sd_close)
            if close is None:
                raise ValueError(f"row {num} is not closed")
            ends = close.span()
        return RowLoc(num, m.start(), tag_end, ends[0], ends[1], False, has_r, m.group(1))

    @property
    def rows(self) -> list[RowLoc]:
        if self._rows is None:
            ahead, self._ahead = self._ahead, None
            if isinstance(ahead, ValueError):
                raise ahead  # as the index would be made now: the same row, the same words
            rows, self._by_num, self._twice = ahead if ahead is not None else self._index()
            self.ordered = all(a.num < b.num for a, b in zip(rows, rows[1:], strict=False))
            self._rows = rows
            self._direct.clear()  # the index answers from now on
            self._direct_nums.clear()
        return self._rows

    def _index(self) -> tuple[list[RowLoc], dict[int, RowLoc], set[int]]:
        """Every row in order, the row of each number, and the numbers rows share."""
        rows: list[RowLoc] = []
        prev = 0
        pos = self.sd_open_end
        while True:
            m = self._row_start.search(self.scan, pos, self.sd_close)
            if m is None:
                break
            given = _row_number(m.group(1))
            num = given if given is not None else prev + 1
            loc = self._row_at(m, num, given is not None)
            rows.append(loc)
            pos = loc.end
            prev = num
        by_num: dict[int, RowLoc] = {}
        twice: set[int] = set()
        for loc in rows:
            if loc.num in by_num:
                twice.add(loc.num)
            else:
                by_num[loc.num] = loc
        return rows, by_num, twice

    def made_ahead(self, every_row: bool = False) -> None:
        """Work out ahead, on a thread of its own, what a write will ask of the sheet, each
        answer as the write would work it out then (a fault is left for the write to meet
        and say): whether it holds formulas and the ranges that refuse a cell (merged cells,
        array formulas, a protected sheet); for a write of a few rows, the row numbers
        written twice (see twice_among); for a write of every row, the index of its rows
        (taken once the write asks for it), each row's last column (at once, when no two
        rows share a number: the row of a number is then the same however it is found) and
        where formulas are (asked of each column the write adds)."""
        self.has_formulas  # noqa: B018 - worked out now
        with contextlib.suppress(ValueError):
            self.protected  # noqa: B018
            self.merged_ranges  # noqa: B018
        self.filled_ranges  # noqa: B018
        if not every_row:
            self._numbered_twice  # noqa: B018
            return
        try:
            rows, _by_num, twice = self._ahead = self._index()
        except ValueError as exc:
            self._ahead = exc
            return
        if not twice:
            for loc in rows:
                self.last_col(loc)
        self._formulas_ahead = self._formula_rows_by_reference()

    def expect_rows(self, count: int) -> None:
        """A write is about to look up `count` rows: when that is more than two thirds of
        the rows the sheet's XML numbers (its last row's number: formatted blank rows below
        the agents count too), every row is indexed now, which costs a third less than
        finding each by its reference. A row the index cannot follow is left for the
        lookups to report, as they would without it; so is a sheet whose last row has no
        number (the lookups index the rows themselves when they must)."""
        last = self._last_row_number()
        if self._rows is None and last and count * 3 > last * 2:
            with contextlib.suppress(ValueError):
                self.rows  # noqa: B018 - builds the index

    def _last_row_number(self) -> int:
        """The number of the sheet's last row element (0: no row, or it has no number)."""
        at = self.scan.rfind(b"<" + self.prefix + b"row", self.sd_open_end, self.sd_close)
        m = self._row_start.match(self.scan, at) if at >= 0 else None
        rm = _ROW_NUMBER.search(m.group(1)) if m is not None else None
        return int(rm.group(1)) if rm is not None else 0

    @cached_property
    def row_numbers(self) -> list[int]:
        return [r.num for r in self.rows]

    def row(self, num: int) -> RowLoc | None:
        if self._rows is not None:  # indexed: asked for each cell a write plans and splices
            if num in self._twice:
                raise ValueError(f"row {num} appears twice in the sheet's XML")
            return self._by_num.get(num)
        if self._scanned <= self._budget:
            got = self._direct.get(num)  # a write asks for each of its rows several times
            if got is not None:
                return got
            # Excel writes r on every row: rows are found by reference, each search starting
            # at the nearest row already found, without indexing all 50,000 — until the
            # searches have cost as much as two passes (a search is a byte search in C, a
            # tenth of what indexing costs), when the rows are indexed instead.
            found = self._row_by_reference(num)
            if found is not None:
                return found
        self.rows  # noqa: B018 - builds the index
        if num in self._twice:
            raise ValueError(f"row {num} appears twice in the sheet's XML")
        return self._by_num.get(num)

    def _row_by_reference(self, num: int) -> RowLoc | None:
        got = self._direct.get(num)
        if got is not None:
            return got
        scan = self.scan
        nums = self._direct_nums
        i = bisect.bisect_left(nums, num)
        above, start = (nums[i - 1], self._direct[nums[i - 1]].end) if i else (0, self.sd_open_end)
        needle = b"<" + self.prefix + b'row r="%d"' % num
        backwards = False
        if i < len(nums):
            # Between two rows found already: searched from the nearer one, as the numbers
            # tell (rows asked from the bottom up — the newest agents first — each cost the
            # distance to the row found below it, not a pass from the top).
            below_num, below = nums[i], self._direct[nums[i]].start
            backwards = (num - above) * 2 > below_num - above
            if backwards:
                at = scan.rfind(needle, start, below)
                self._scanned += below - (at if at >= 0 else start)
            else:
                at = scan.find(needle, start, below)
                self._scanned += (at if at >= 0 else below) - start
        else:
            at = scan.find(needle, start, self.sd_close)
            self._scanned += (at if at >= 0 else self.sd_close) - start
        m = self._row_start.match(scan, at) if at >= 0 else None
        if m is None:
            return None  # no such row, or rows out of order: the index will tell
        if backwards and not self._numbered_before(num, start, at):
            self._scanned = self._budget + 1
            return None
        got = self._row_at(m, num, True)
        later = _NEXT_ROW.match(scan, got.end, self.sd_close) if not self.prefix else None
        if later is None:
            after = self._row_start.search(scan, got.end, self.sd_close)
            later = _ROW_NUMBER.search(after.group(1)) if after else None
        if later is not None and int(later.group(1)) <= num:
            # The next row is numbered before this one (rows out of order, or this row
            # written twice): only the index of every row can say which row is which.
            self._scanned = self._budget + 1
            return None
        self._direct[num] = got
        bisect.insort(self._direct_nums, num)
        return got

    def twice_among(self, nums: Iterable[int]) -> int | None:
        """The first of `nums` that more than one row element of the sheet carries (None:
        none). A row found by reference was checked against the rows next to it only, and
        its twin may be far away: the write asks before it splices."""
        twice = self._twice if self._rows is not None else self._numbered_twice
        return next((n for n in sorted(nums) if n in twice), None) if twice else None

    @cached_property
    def _numbered_twice(self) -> frozenset[int]:
        """The numbers more than one row element of the sheet carries, anywhere in it (a
        row without r numbered by its place, as the index numbers it): a row found by
        reference is checked against the rows next to it only, and its twin may be far
        away. One pass in C over the sheet, once."""
        found = _row_numbers(self.prefix).findall(self.scan, self.sd_open_end, self.sd_close)
        if b"" in found and self.scan.find(b"&#", self.sd_open_end, self.sd_close) >= 0:
            # A number the pattern cannot see (r="&#51;"): the index reads each row's r.
            try:
                return frozenset(self._index()[2])
            except ValueError:
                pass  # the index says what is wrong when the write asks for it
        if b"" in found:
            nums, prev = [], 0
            for number in found:
                prev = int(number) if number else prev + 1
                nums.append(prev)
        else:
            nums = list(map(int, found))
        if len(set(nums)) == len(nums):
            return frozenset()
        return frozenset(n for n, times in Counter(nums).items() if times > 1)

    def _numbered_before(self, num: int, start: int, at: int) -> bool:
        """Whether the row just before offset `at` (if any after `start`) is numbered
        before `num`: found searching back, the row must be checked against the one above
        it as a forward search checks it against the one after."""
        before = self.scan.rfind(b"<" + self.prefix + b"row", start, at)
        if before < 0:
            return True
        m = self._row_start.match(self.scan, before)
        rm = _ROW_NUMBER.search(m.group(1)) if m is not None else None
        return rm is not None and int(rm.group(1)) < num

    def cells(self, row: RowLoc) -> list[CellLoc]:
        """The row's cells in document order, found by parsing the row as XML."""
        cached = self._cells.get(row.num)
        if cached is not None:
            return cached
        out: list[CellLoc] = []
        if not row.self_closing and self._cell_open.search(self.scan, row.tag_end, row.inner_end):
            out = self._parse_cells(row)
        self._cells[row.num] = out
        return out

    def _parse_cells(self, row: RowLoc) -> list[CellLoc]:
        opening = b"<esp-row" + self.declarations + namespace_declarations(row.attrs) + b">"
        parser = expat.ParserCreate(namespace_separator=" ")
        children: list[tuple[str, int, int]] = []  # (name, start event, end event)
        open_at: list[int] = []
        depth = 0

        def start(name: str, _attrs: object) -> None:
            nonlocal depth
            depth += 1
            if depth == 2:
                open_at.append(parser.CurrentByteIndex)

        def end(name: str) -> None:
            nonlocal depth
            if depth == 2:
                children.append((name, open_at.pop(), parser.CurrentByteIndex))
            depth -= 1

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            parser.Parse(opening + self.data[row.tag_end : row.inner_end] + b"</esp-row>", True)
        except expat.ExpatError as exc:
            raise ValueError(
                f"row {row.num} is not well-formed XML ({expat.ErrorString(exc.code)})"
            ) from None
        cell_names = {f"{MAIN_NS} c", "c"}
        base = row.tag_end - len(opening)
        out: list[CellLoc] = []
        prev = 0
        for name, opened, closed in children:
            if name not in cell_names:
                continue  # <extLst>, or an element of another namespace
            m = self._cell_open.match(self.scan, base + opened, row.inner_end)
            if m is None:
                raise ValueError(f"a cell in row {row.num} cannot be read")
            if m.group(2):
                body, end_at = None, m.end()
            else:
                close = self._cell_close.match(self.scan, base + closed, row.inner_end)
                if close is None:
                    raise ValueError(f"a cell in row {row.num} cannot be read")
                body, end_at = self.scan[m.end() : close.start()], close.end()
            ref = parse_attrs(m.group(1)).get(b"r")
            if ref is not None:
                got = _CELL_REF.fullmatch(ref.strip())
                if got is None:
                    raise ValueError(f"a cell in row {row.num} has the reference {ref!r}")
                if int(got.group(2)) != row.num:
                    raise ValueError(
                        f"cell {ref.decode('ascii', 'replace')} is written inside row {row.num}"
                    )
                col = col_number(got.group(1).decode())
            else:
                col = prev + 1
            if col > MAX_COL:
                raise ValueError(f"row {row.num} has more cells than Excel's columns")
            out.append(
                CellLoc(
                    col,
                    m.start() - row.tag_end,
                    end_at - row.tag_end,
                    m.group(1),
                    body,
                    ref is not None,
                )
            )
            prev = col
        return out

    def inner(self, row: RowLoc) -> bytes:
        """The bytes between a row's start and end tags."""
        return self.data[row.tag_end : row.inner_end]

    def is_fast(self, row: RowLoc) -> bool:
        """Whether every cell of the row carries r first, naming this row, in column order
        and each column once (as Excel, LibreOffice and openpyxl write them): then a cell
        is found by its reference alone, and a new one after the last goes at the end.
        Only the row's last column is kept, so a write to every row of a 50,000-row sheet
        holds no copies of them. (Any other row is parsed as XML and spliced the careful
        way: see cells.)"""
        return self.last_col(row) >= 0

    def last_col(self, row: RowLoc) -> int:
        """The last column of a fast row (0: it has no cells); -1 when it is not fast."""
        got = self._fast.get(row.num)
        if got is None:
            got = self._fast_last(row)
            self._fast[row.num] = got
        return got

    def _fast_last(self, row: RowLoc) -> int:
        start, end, scan, p = row.tag_end, row.inner_end, self.scan, self.prefix
        if scan.find(b"extLst", start, end) >= 0:
            return -1  # an extension (of the row or a cell) may hold anything, a <c> too
        refs = self._r_first.findall(scan, start, end)
        # Every <c> start tag, however its name ends (a space, a line break, > or />): as
        # many as there are references. Counted at once when no other element's name in
        # the row starts with "c" (Excel writes none), else ending by ending.
        opened = b"<" + p + b"c"
        cells = scan.count(opened, start, end)
        if cells != len(refs):
            cells = sum(scan.count(opened + end_of_name, start, end) for end_of_name in _ENDS)
        if len(refs) != cells:
            return -1
        if not refs:
            return 0
        # Every reference names this row: strip the letters and compare, all in C.
        joined = b"|".join(refs) + b"|"
        if joined.translate(None, _LETTERS) != (str(row.num).encode() + b"|") * len(refs):
            return -1  # a cell naming another row: read it the slow, careful way
        # The row's columns, as one string ("A|B|...|AN|"): rows of a sheet mostly hold the
        # same columns, so whether they are in order is worked out once per such string.
        letters = joined.translate(None, _DIGITS)
        got = self._orders.get(letters)
        if got is None:
            cols = list(map(_col_of, letters.split(b"|")[:-1]))
            got = cols[-1] if len(cols) < 2 or cols == sorted(set(cols)) else -1
            if len(self._orders) < 4096:
                self._orders[letters] = got
        return got

    def fast_columns(self, row: RowLoc) -> tuple[list[int], list[bytes]] | None:
        """(columns, column letters) of a fast row; else None. Rows mostly hold the same
        columns: each such set is worked out once, and its lists are shared (read only)."""
        if not self.is_fast(row):
            return None
        refs = self._r_first.findall(self.scan, row.tag_end, row.inner_end)
        if not refs:
            return [], []
        joined = b"|".join(refs).translate(None, _DIGITS)
        got = self._columns_of.get(joined)
        if got is None:
            letters = joined.split(b"|")
            got = (list(map(_col_of, letters)), letters)
            if len(self._columns_of) < 4096:
                self._columns_of[joined] = got
        return got

    def cell_in(self, row: RowLoc, col: int) -> CellLoc | None:
        last = self.last_col(row)
        if last < 0:
            found = [c for c in self.cells(row) if c.col == col]
            if len(found) > 1:
                raise ValueError(f"cell {col_letter(col)}{row.num} appears twice in its row")
            return found[0] if found else None
        if col > last:
            return None  # after the row's last cell: nothing to look for
        start = self.start_of(row, col_letter(col).encode())
        return None if start < 0 else self._parse_at(row, col, start)

    def start_of(self, row: RowLoc, letters: bytes) -> int:
        """Offset (within the row's inner bytes) of the cell with these column letters in a
        fast row, or -1 when the row has no such cell."""
        needle = b"<" + self.prefix + b'c r="' + letters + str(row.num).encode() + b'"'
        pos = self.scan.find(needle, row.tag_end, row.inner_end)
        return pos - row.tag_end if pos >= 0 else -1

    def _parse_at(self, row: RowLoc, col: int, start: int) -> CellLoc:
        scan, base, end = self.scan, row.tag_end, row.inner_end
        m = self._cell_open.match(scan, base + start, end)
        if m is None:
            raise ValueError(f"cell {col_letter(col)}{row.num} cannot be read")
        if m.group(2):
            return CellLoc(col, start, m.end() - base, m.group(1), None, True)
        close = _close_after(scan, self._cell_end, self._cell_close, m.end(), end)
        if close is None:
            raise ValueError(f"cell {col_letter(col)}{row.num} is not closed")
        return CellLoc(
            col, start, close.end() - base, m.group(1), scan[m.end() : close.start()], True
        )

    def cell(self, row: int, col: int) -> CellLoc | None:
        key = (row, col)
        if key in self._cell_cache:
            return self._cell_cache[key]
        loc = self.row(row)
        if loc is not None and col > self.last_col(loc) >= 0:
            return None  # after a fast row's last cell: known at once, nothing kept
        found = None if loc is None else self.cell_in(loc, col)
        self._cell_cache[key] = found
        return found

    def style_of(self, row: int, col: int) -> tuple[bool, int | None]:
        """(whether the cell exists, its style), looked up without keeping the cell: asked
        of the left neighbour of every cell of a column esp adds (50,000 of them)."""
        key = (row, col)
        if key in self._cell_cache:
            found = self._cell_cache[key]
            return found is not None, (found.style if found is not None else None)
        loc = self.row(row)
        if loc is None:
            return False, None
        last = self.last_col(loc)
        if last < 0:
            found = self.cell_in(loc, col)
            return found is not None, (found.style if found is not None else None)
        if col > last:
            return False, None
        letters = col_letter(col).encode()
        start = self.start_of(loc, letters)
        tag = self._cell_open.match(self.scan, loc.tag_end + start) if start >= 0 else None
        if tag is None:
            return False, None
        # The attributes after the reference (' r="AN5"', first in a fast row): the same few
        # spellings down a column (' s="12"'), each read once.
        rest = tag.group(1)[len(b' r=""') + len(letters) + len(str(row)) :]
        style = self._styles.get(rest, -1)
        if style == -1:
            s = parse_attrs(rest).get(b"s")
            style = int(s) if s is not None and s.strip().isdigit() else None
            if len(self._styles) < 4096:
                self._styles[rest] = style
        return True, style

    def column_styles(self, col: int, limit: int = 400, from_row: int = 1) -> Iterator[int]:
        """Styles of the first `limit` styled cells of a column from row `from_row` down, top
        to bottom, found as they are asked for (scanning the sheet; for choosing a date or a
        Wrap Text format: the scan stops at the first one that will do)."""
        letters = col_letter(col).encode()
        p = re.escape(self.prefix)
        pattern = re.compile(
            rb"<" + p + rb"c(?=[\s/>])([^>]*?\sr\s*=\s*[\"']" + letters + rb"(\d+)[\"'][^>]*)>"
        )
        found = 0
        for m in pattern.finditer(self.scan, self.sd_open_end, self.sd_close):
            if int(m.group(2)) < from_row:
                continue
            s = parse_attrs(m.group(1)).get(b"s")
            if s is not None and s.isdigit():
                yield int(s)
                found += 1
                if found >= limit:
                    return

    def formulas(self) -> list[tuple[int, int, str]]:
        """Every formula of the sheet as (row, column, its text without the '='; "" for a
        shared formula's member, which holds none of its own)."""
        if not self.has_formulas:
            return []
        f_open, f_close = start_tag(self.prefix, b"f"), end_tag(self.prefix, b"f")
        out = []
        for loc in self.rows:
            for cell in self.cells(loc):
                if cell.body is None or not cell.has_formula:
                    continue
                m = f_open.search(cell.body)
                close = f_close.search(cell.body, m.end()) if m and not m.group(2) else None
                text = cell.body[m.end() : close.start()] if m and close else b""
                out.append((loc.num, cell.col, unescape(text.decode("utf-8", "replace"))))
        return out

    def row_is_blank(self, num: int, but: Container[int] = ()) -> bool:
        """Whether the row holds nothing: no row element, or only cells without a value or
        a formula (a format alone); the cells of the columns `but` left out."""
        loc = self.row(num)
        if loc is None:
            return True
        return all(
            cell.col in but or cell.body is None or _VALUE_TAG.search(cell.body) is None
            for cell in self.cells(loc)
        )

    def holds(self, row: RowLoc, col: int) -> bool:
        """Whether the row's cell in column `col` holds a value or a formula (a format alone
        is nothing)."""
        cell = self.cell_in(row, col)
        return cell is not None and cell.body is not None and bool(_VALUE_TAG.search(cell.body))

    def first_formula_row(self, col: int) -> int | None:
        """The first row whose cell in column `col` holds a formula — one whose result is
        empty (="") or a shared formula's member included, which a value scan misses."""
        return self._formula_rows.get(col)

    @cached_property
    def _formula_rows(self) -> dict[int, int]:
        """Column -> the first row with a formula in it: one pass over the formulas' tags
        (a few byte searches each), the rows parsed only where a cell has no reference."""
        found = self._formulas_ahead or self._formula_rows_by_reference()
        if found is None:
            return self._formula_rows_parsed()  # a cell without its reference
        out, self._formula_attrs = found
        return out

    def _formula_rows_by_reference(self) -> tuple[dict[int, int], bool] | None:
        """(_formula_rows, whether any formula's tag may hold attributes) from the cells'
        references; None when a formula's cell has none (only the rows' parse places it)."""
        out: dict[int, int] = {}
        if not self.has_formulas:
            return out, False
        attrs = False  # whether any formula's tag may hold attributes (t="array", ...)
        scan, p = self.scan, self.prefix
        needle = b"<" + p + b"f"
        cell_tag = b"<" + p + b"c"
        excel = cell_tag + b' r="'  # a cell as Excel writes it: its reference first
        first = self.sd_open_end
        at = scan.find(needle, first, self.sd_close)
        while at >= 0:
            after = scan[at + len(needle) : at + len(needle) + 1]
            if after in (b">", b"/", b" ", b"\t", b"\n", b"\r"):
                attrs = attrs or after not in (b">", b"/")
                start = scan.rfind(cell_tag, first, at)
                if scan.startswith(excel, start):
                    ref = scan[start + len(excel) : scan.find(b'"', start + len(excel), at)]
                else:
                    cell = self._cell_open.match(scan, start) if start >= 0 else None
                    ref = parse_attrs(cell.group(1)).get(b"r", b"") if cell else b""
                got = _CELL_REF.fullmatch(ref.strip())
                if got is None:
                    return None
                row, col = int(got.group(2)), _col_of(got.group(1))
                if row < out.get(col, row + 1):
                    out[col] = row
            at = scan.find(needle, at + 1, self.sd_close)
        return out, attrs

    def _formula_rows_parsed(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for loc in self.rows:
            for cell in self.cells(loc):
                if cell.has_formula:
                    out[cell.col] = min(out.get(cell.col, loc.num), loc.num)
        return out

    def formulas_in(self, num: int) -> dict[int, str]:
        """The formulas of row `num` by column, their text as stored (no '='); a shared
        formula's member as its own cell holds it (its first cell's text, moved)."""
        loc = self.row(num)
        if loc is None:
            return {}
        out: dict[int, str] = {}
        for cell in self.cells(loc):
            if cell.body is None or not cell.has_formula:
                continue
            tag = start_tag(self.prefix, b"f").search(cell.body)
            if tag is None:
                continue
            attrs = parse_attrs(tag.group(1))
            text = b""
            if not tag.group(2):
                close = end_tag(self.prefix, b"f").search(cell.body, tag.end())
                text = cell.body[tag.end() : close.start()] if close else b""
            if text.strip():
                out[cell.col] = _unescaped(text)
                continue
            si = attrs.get(b"si", b"").strip()
            if attrs.get(b"t", b"").strip() == b"shared" and si in self._shared_formulas:
                row, col, first = self._shared_formulas[si]
                out[cell.col] = shifted(first, num - row, cell.col - col)
        return out

    @cached_property
    def _shared_formulas(self) -> dict[bytes, tuple[int, int, str]]:
        """Each shared formula's first cell and text, by its `si`: one pass over the
        formulas' tags, asked only for a member whose formula is needed."""
        out: dict[bytes, tuple[int, int, str]] = {}
        scan, first, last = self.scan, self.sd_open_end, self.sd_close
        for m in start_tag(self.prefix, b"f").finditer(scan, first, last):
            attrs = parse_attrs(m.group(1))
            si = attrs.get(b"si", b"").strip()
            if m.group(2) or attrs.get(b"t", b"").strip() != b"shared" or b"ref" not in attrs:
                continue
            close = end_tag(self.prefix, b"f").search(scan, m.end(), last)
            start = scan.rfind(b"<" + self.prefix + b"c", first, m.start())
            cell = self._cell_open.match(scan, start) if start >= 0 and close else None
            ref = parse_attrs(cell.group(1)).get(b"r", b"") if cell else b""
            got = _CELL_REF.fullmatch(ref.strip())
            if got is not None and close is not None and si not in out:
                text = _unescaped(self.data[m.end() : close.start()])
                out[si] = (int(got.group(2)), _col_of(got.group(1)), text)
        return out

    # -- what surrounds the rows ------------------------------------------------------

    @cached_property
    def skeleton(self) -> _Element:
        """The sheet without its rows, parsed as XML: everything esp reads outside
        <sheetData> (merged cells, validations, protection, columns) comes from here."""
        from lxml import etree

        if self.sd_selfclosing is not None:
            text = self.data
        else:
            text = self.data[: self.sd_open_end] + self.data[self.sd_close :]
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
        )
        try:
            return etree.fromstring(text, parser)
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"its XML is not well-formed ({exc})") from None

    def _ranges_of(self, refs: list[str]) -> list[tuple[int, int, int, int]]:
        out = []
        for ref in refs:
            for part in ref.split():
                try:
                    out.append(parse_area(part))
                except ValueError:
                    continue
        return out

    @cached_property
    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        ns = self._ns
        return self._ranges_of(
            [str(el.get("ref", "")) for el in self.skeleton.iter(f"{{{ns}}}mergeCell")]
        )

    @cached_property
    def validation_ranges(self) -> list[tuple[int, int, int, int]]:
        """Every range a data validation (a drop-down or another rule) applies to, the
        classic ones and Excel 2010's in extLst."""
        ns = self._ns
        refs = [str(el.get("sqref", "")) for el in self.skeleton.iter(f"{{{ns}}}dataValidation")]
        refs += [element_text(el) for el in self.skeleton.iter(f"{{{_XM_NS}}}sqref")]
        return self._ranges_of(refs)

    @cached_property
    def _ns(self) -> str:
        tag = self.skeleton.tag
        return tag[1 : tag.index("}")] if isinstance(tag, str) and tag.startswith("{") else ""

    @cached_property
    def array_ranges(self) -> list[tuple[int, int, int, int]]:
        """Ranges filled by array and dynamic-array (spill) formulas, and by What-If data
        tables (`<f t="dataTable" ref>` on the table's first result cell)."""
        return [rng for rng, _kind in self.filled_ranges]

    @cached_property
    def filled_ranges(self) -> list[tuple[tuple[int, int, int, int], str]]:
        """array_ranges, each with what fills it: "array" or "dataTable"."""
        out: list[tuple[tuple[int, int, int, int], str]] = []
        if self._formula_attrs is False:
            return out  # the formulas' pass saw no formula tag with attributes: no t= either
        scan, first, last = self.scan, self.sd_open_end, self.sd_close
        if scan.find(b"array", first, last) < 0 and scan.find(b"dataTable", first, last) < 0:
            return out  # no formula of either kind: its t attribute would say so
        for m in start_tag(self.prefix, b"f").finditer(scan, first, last):
            attrs = parse_attrs(m.group(1))
            kind = attrs.get(b"t", b"").strip()
            if kind not in (b"array", b"dataTable"):
                continue
            ref = attrs.get(b"ref")
            if ref:
                try:
                    out.append((parse_range(ref.decode().strip()), kind.decode()))
                except (ValueError, UnicodeDecodeError):
                    continue
        return out

    @cached_property
    def protected(self) -> bool:
        return is_protected(self.skeleton)

    @cached_property
    def has_formulas(self) -> bool:
        return start_tag(self.prefix, b"f").search(self.scan) is not None

    @cached_property
    def col_specs(self) -> list[tuple[int, int, dict[bytes, bytes], int, int]]:
        """(min, max, attributes, start, end) of every <col> in the head, parsed once: a
        write of a whole column asks for its spec once per cell."""
        head = self.scan[: self.sd_open_end]
        cols = start_tag(self.root_prefix, b"cols").search(head)
        if cols is None or cols.group(2):
            return []
        close = end_tag(self.root_prefix, b"cols").search(head, cols.end())
        if close is None:
            return []
        out = []
        for m in start_tag(self.root_prefix, b"col").finditer(head, cols.end(), close.start()):
            attrs = parse_attrs(m.group(1))
            lo, hi = attrs.get(b"min", b""), attrs.get(b"max", b"")
            if lo.isdigit() and hi.isdigit():
                end = m.end()
                if not m.group(2):
                    col_close = end_tag(self.root_prefix, b"col").search(head, end, close.start())
                    end = col_close.end() if col_close else end
                out.append((int(lo), int(hi), attrs, m.start(), end))
        return out

    def col_spec(self, col: int) -> dict[bytes, bytes] | None:
        """The attributes of the <col> element covering a column, if any."""
        for lo, hi, attrs, _start, _end in self.col_specs:
            if lo <= col <= hi:
                return attrs
        return None

    def fragment_check(self) -> FragmentCheck:
        """A check for rows as they are written into this sheet's <sheetData>."""
        return FragmentCheck(self.declarations)


def _namespace_of(prefix: bytes, *tags: bytes) -> bytes | None:
    """The namespace `prefix` (with its colon; b"" for the default) is bound to by the
    declarations of these start tags (outermost first, a later one in force), else None."""
    want = prefix[:-1] if prefix else None
    bound: bytes | None = None
    for tag in tags:
        for m in _XMLNS_ITEM.finditer(tag):
            if m.group(1) == want:
                bound = m.group(2) if m.group(2) is not None else m.group(3)
    return bound


def _close_after(
    scan: bytes, name: bytes, close: re.Pattern[bytes], pos: int, end: int
) -> re.Match[bytes] | None:
    """The first end tag `close` (`name` is its start, "</row") from `pos`: found by a plain
    byte search, the end tag's own spaces (`</row >`) checked by the pattern."""
    at = scan.find(name, pos, end)
    while at >= 0:
        got = close.match(scan, at, end)
        if got is not None:
            return got
        at = scan.find(name, at + 1, end)
    return None


def _row_number(attrs: bytes) -> int | None:
    """The number a row's start tag gives it (its attributes), None when it has none."""
    if attrs.startswith(b' r="'):  # as Excel writes it: read without a pattern
        end = attrs.find(b'"', 4)
        if end > 4 and attrs[4:end].isdigit():
            return int(attrs[4:end])
    rm = _ROW_NUMBER.search(attrs)
    if rm is None and b"&" in attrs:  # r="&#51;": a character reference, resolved
        r = attr_value(attrs, b"r")
        return int(r) if r is not None and r.strip().isdigit() else None
    return int(rm.group(1)) if rm else None


@functools.lru_cache(maxsize=4096)
def _unescaped(text: bytes) -> str:
    """An element's text as a string (its entities and character references resolved)."""
    return unescape(text.decode("utf-8", "replace"))


@functools.lru_cache(maxsize=4096)
def _col_of(letters: bytes) -> int:
    return col_number(letters.decode())


# A row's new cells: col -> its <c> element, or (col, element) pairs in column order (lighter
# than a dict for each of 50,000 rows).
RowCells = Mapping[int, bytes] | tuple[tuple[int, bytes], ...]


def cells_of(cells: RowCells) -> tuple[tuple[int, bytes], ...]:
    """A row's new cells as (col, element) pairs in column order."""
    if type(cells) is tuple:  # as Patcher gives them
        return cells
    return tuple(sorted(cells.items())) if isinstance(cells, Mapping) else cells


# The new sheet's pieces are joined into blocks of about this size (each compressed in one
# call, not three calls a row); a longer stretch of the old bytes passes as a view, uncopied.
BLOCK_BYTES = 1 << 20
# What the splicer wrote is proven well-formed in batches of about this size.
CHECK_BYTES = 1 << 18


class Splicer:
    """Builds the new sheet bytes from `changes`: row -> its new cells (RowCells), each a
    complete <c> element (already carrying its r attribute and the sheet's namespace
    prefix).

    The sheet is spliced in one pass: every change is an edit of the old bytes (a cell
    replaced or inserted, a row's start tag rewritten, a row the careful way rebuilt
    whole, a new row inserted), and the new sheet is the old bytes between the edits
    joined with what the edits put there. A row as Excel writes it is never copied.

    `check`, when given, is fed everything the splicer writes (each touched row's start
    tag, its new cells and its end tag; a rebuilt or new row whole), so the caller can
    prove it well-formed where it goes."""

    def __init__(self, sheet: SheetXml, check: FragmentCheck | None = None) -> None:
        self.sheet = sheet
        self.check = check
        self._unchecked: list[bytes] = []
        self._unchecked_bytes = 0

    def parts(
        self, changes: Mapping[int, RowCells]
    ) -> tuple[bytes, Iterator[bytes | memoryview], bytes]:
        """The new sheet as (head, body, tail): head runs to the <sheetData> start tag, the
        body yields the rows as pieces (long untouched stretches are views of the old
        bytes; the rest is joined into blocks as it is reached), the tail starts with
        </sheetData>. Head and tail are small, so what follows the rows can be changed
        cheaply, and the body is compressed as it is produced, never held whole."""
        sh = self.sheet
        data = sh.data
        if sh.sd_selfclosing is not None:
            start, end = sh.sd_selfclosing
            return (
                data[:start] + data[start : end - 2] + b">",
                self._new_rows(changes),
                b"</" + sh.sd_prefix + b"sheetData>" + data[end:],
            )
        return data[: sh.sd_open_end], self._body(changes), data[sh.sd_close :]

    def _new_rows(self, changes: Mapping[int, RowCells]) -> Iterator[bytes]:
        for n in sorted(changes):
            row = self._new_row(n, changes[n])
            self._feed(row)
            yield row
        self._flush_check()

    def _feed(self, *pieces: bytes) -> None:
        if self.check is not None:
            self._unchecked += pieces
            self._unchecked_bytes += sum(map(len, pieces))
            if self._unchecked_bytes >= CHECK_BYTES:
                self._flush_check()

    def _flush_check(self) -> None:
        if self.check is not None and self._unchecked:
            self.check.feed(b"".join(self._unchecked))
            self._unchecked = []
            self._unchecked_bytes = 0

    def _body(self, changes: Mapping[int, RowCells]) -> Iterator[bytes | memoryview]:
        sh = self.sheet
        view = memoryview(sh.data)  # slices without copying a sheet that may be 100 MB
        # (where, kind, row) as one int each, sorted as the tuples would be (50,000 rows'
        # tuples would take more memory than the rows' new cells): an existing row is
        # edited (kind 1); a new row is inserted (kind 0) before the first row written
        # after it, so rows stay in ascending order.
        plan: list[int] = []
        for num in changes:
            if not 0 < num < 1 << _ROW_BITS:
                raise ValueError(f"row {num} is outside the sheet")
            loc = sh.row(num)
            if loc is not None:
                plan.append((loc.start << 1 | 1) << _ROW_BITS | num)
                continue
            rows = sh.rows
            if sh.ordered:
                i = bisect.bisect_left(sh.row_numbers, num)
                at = rows[i].start if i < len(rows) else sh.sd_close
            else:
                at = next((r.start for r in rows if r.num > num), sh.sd_close)
            plan.append(at << 1 + _ROW_BITS | num)
        plan.sort()
        block: list[bytes | memoryview] = []
        size = 0
        pos = sh.sd_open_end
        for key in plan:
            at, kind, num = key >> 1 + _ROW_BITS, key >> _ROW_BITS & 1, key & (1 << _ROW_BITS) - 1
            if at < pos:
                raise ValueError(f"row {num} overlaps a row written before it")
            if kind:
                loc = sh.row(num)
                assert loc is not None
                edits = self._row_edits(loc, changes[num])
            else:
                new_row = self._new_row(num, changes[num])
                self._feed(new_row)
                edits = [(at, at, new_row)]
            for start, end, new in edits:
                if start - pos >= BLOCK_BYTES:
                    # A long untouched stretch (a write near the top of a large sheet)
                    # passes as it is: only what is around the edits is joined.
                    if block:
                        yield b"".join(block)
                        block, size = [], 0
                    yield view[pos:start]
                else:
                    block.append(view[pos:start])
                    size += start - pos
                block.append(new)
                size += len(new)
                pos = end
            if size >= BLOCK_BYTES:
                yield b"".join(block)
                block, size = [], 0
        self._flush_check()  # before the last piece: the caller closes the check after it
        if block:
            yield b"".join(block)
        yield view[pos : sh.sd_close]

    def splice(self, changes: Mapping[int, RowCells]) -> bytes:
        """The whole new sheet as one bytes object."""
        head, body, tail = self.parts(changes)
        return b"".join((head, *body, tail))

    def _row_edits(self, loc: RowLoc, new_cells: RowCells) -> list[tuple[int, int, bytes]]:
        """The edits one touched row needs, in order: (start, end, new bytes), offsets into
        the sheet. A fast row (see SheetXml.is_fast) keeps every byte but its start tag
        (given r, or its spans dropped, when it needs) and the cells replaced or added; any
        other row is rebuilt whole, cell by cell."""
        sh = self.sheet
        p = sh.prefix
        pairs = cells_of(new_cells)
        attrs = loc.attrs
        retagged = False
        if not loc.has_r:
            attrs = b' r="%d"' % loc.num + attrs
            retagged = True
        if b"spans" in attrs:
            spans = parse_attrs(attrs).get(b"spans")
            if spans is not None and not _within_spans(spans, tuple(c for c, _ in pairs)):
                # spans is only an optimisation (§18.3.1.73): dropping it beats a wrong one.
                attrs = drop_attr(attrs, b"spans")
                retagged = True
        open_tag = b"<" + p + b"row" + attrs + b">"
        close_tag = b"</" + p + b"row>"
        if loc.self_closing:
            whole = open_tag + b"".join(element for _c, element in pairs) + close_tag
            self._feed(whole)
            return [(loc.start, loc.end, whole)]
        last = sh.last_col(loc)
        if last < 0:
            rebuilt = self._rebuild_slow(loc, sh.inner(loc), open_tag, close_tag, dict(pairs))
            self._feed(rebuilt)
            return [(loc.start, loc.end, rebuilt)]
        # The new cells are checked inside the row's start tag (it may declare a prefix).
        edits = [(loc.start, loc.tag_end, open_tag)] if retagged else []
        base = loc.tag_end
        pos = base
        cells = [open_tag]
        fast: tuple[list[int], list[bytes]] | None = None
        for col, element in pairs:
            cells.append(element)
            cell = sh.cell(loc.num, col) if col <= last else None  # as planned (kept)
            if cell is not None:
                edits.append((base + cell.start, base + cell.end, element))
                pos = base + cell.end
                continue
            if col > last:
                # After the row's last cell: before its end tag (a fast row holds no
                # <extLst>, which would have to stay last: see SheetXml._fast_last).
                at = loc.inner_end
            else:
                # Between two cells: before the first one after it.
                fast = fast or sh.fast_columns(loc)
                assert fast is not None
                cols, letters = fast
                at = base + sh.start_of(loc, letters[bisect.bisect_left(cols, col)])
            at = max(at, pos)
            edits.append((at, at, element))
            pos = at
        cells.append(close_tag)
        self._feed(*cells)
        return edits

    def _new_row(self, num: int, cells: RowCells) -> bytes:
        p = self.sheet.prefix
        body = b"".join(element for _c, element in cells_of(cells))
        return b"<" + p + b'row r="%d">' % num + body + b"</" + p + b"row>"

    def _rebuild_slow(
        self, loc: RowLoc, inner: bytes, open_tag: bytes, close_tag: bytes, new: dict[int, bytes]
    ) -> bytes:
        sh = self.sheet
        cells = sh.cells(loc)
        for col in new:
            if sum(1 for c in cells if c.col == col) > 1:
                raise ValueError(f"cell {col_letter(col)}{loc.num} appears twice in its row")
        if any(a.col >= b.col for a, b in zip(cells, cells[1:], strict=False)):
            return open_tag + self._rebuild_unordered(loc, inner, cells, new) + close_tag
        out: list[bytes] = []
        pos = 0
        pending = sorted(new)
        k = 0
        for cell in cells:
            while k < len(pending) and pending[k] < cell.col:
                out.append(inner[pos : cell.start])
                pos = cell.start
                out.append(new[pending[k]])
                k += 1
            out.append(inner[pos : cell.start])
            if k < len(pending) and pending[k] == cell.col:
                out.append(new[pending[k]])
                k += 1
            else:
                out.append(self._with_r(loc, inner, cell))
            pos = cell.end
        tail = inner[pos:]
        rest = b"".join(new[c] for c in pending[k:])
        return open_tag + b"".join(out) + rest + tail + close_tag

    def _with_r(self, loc: RowLoc, inner: bytes, cell: CellLoc) -> bytes:
        """A cell as it is, given the r it lacks: once a row is touched every cell carries
        r (XLSX-NOTES §1)."""
        text = inner[cell.start : cell.end]
        if cell.has_r:
            return text
        head = b"<" + self.sheet.prefix + b"c"
        ref = (col_letter(cell.col) + str(loc.num)).encode()
        return head + b' r="' + ref + b'"' + text[len(head) :]

    def _rebuild_unordered(
        self, loc: RowLoc, inner: bytes, cells: list[CellLoc], new: dict[int, bytes]
    ) -> bytes:
        """A row whose cells are not in column order (valid XML, written by some programs):
        a cell esp writes replaces the one with its address where it is. A cell the row
        lacks puts the row's cells in column order, each kept as it was (with what comes
        before it, such as a comment), so the new cell has one right place."""
        have = {c.col for c in cells}
        if all(col in have for col in new):
            out: list[bytes] = []
            pos = 0
            for cell in cells:
                out.append(inner[pos : cell.start])
                out.append(new[cell.col] if cell.col in new else self._with_r(loc, inner, cell))
                pos = cell.end
            return b"".join(out) + inner[pos:]
        pieces: list[tuple[int, int, bytes]] = []
        pos = 0
        for i, cell in enumerate(cells):
            kept = new[cell.col] if cell.col in new else self._with_r(loc, inner, cell)
            pieces.append((cell.col, i, inner[pos : cell.start] + kept))
            pos = cell.end
        pieces += [(col, -1, element) for col, element in new.items() if col not in have]
        pieces.sort(key=lambda t: (t[0], t[1]))
        return b"".join(piece for _c, _i, piece in pieces) + inner[pos:]


@functools.lru_cache(maxsize=256)
def _within_spans(spans: bytes, cols: tuple[int, ...]) -> bool:
    """Whether every column is inside the row's spans ("1:40"; a few may be given)."""
    ranges = []
    for part in spans.split():
        lo, _, hi = part.partition(b":")
        if not lo.isdigit() or not hi.isdigit():
            return False
        ranges.append((int(lo), int(hi)))
    return all(any(lo <= c <= hi for lo, hi in ranges) for c in cols)


def is_protected(skeleton: _Element) -> bool:
    """Whether the sheet (its XML without the rows: SheetXml.skeleton) is protected (Review
    > Protect Sheet), which every write refuses."""
    tag = skeleton.tag
    ns = tag[1 : tag.index("}")] if isinstance(tag, str) and tag.startswith("{") else ""
    el = skeleton.find(f"{{{ns}}}sheetProtection")
    return el is not None and str(el.get("sheet", "")).strip() in ("1", "true")
