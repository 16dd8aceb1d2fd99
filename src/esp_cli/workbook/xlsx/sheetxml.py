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
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from xml.parsers import expat

from esp_cli.core.refs import MAX_COL, col_letter, col_number, parse_area, parse_range
from esp_cli.workbook.xlsx.package import element_text
from esp_cli.workbook.xlsx.xmlbytes import (
    MAIN_NS,
    FragmentCheck,
    blank_markup,
    drop_attr,
    end_tag,
    namespace_declarations,
    parse_attrs,
    start_tag,
)

if TYPE_CHECKING:
    from lxml.etree import _Element

_XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
_ROW_NUMBER = re.compile(rb"(?:^|\s)r\s*=\s*[\"'](\d+)[\"']")
_NEXT_ROW = re.compile(rb"\s*<row r=\"(\d+)\"")  # the row after, as Excel writes it
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)")
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ENDS = (b" ", b"\t", b"\n", b"\r", b">", b"/")
_ROOT = re.compile(rb"<(?:([^\s:<>/!?]+):)?worksheet(?=[\s/>])")


class CellLoc:
    """One <c> element of a row: its column and where its bytes are in the row."""

    __slots__ = ("col", "start", "end", "attrs", "body", "has_r", "_parsed")

    def __init__(
        self, col: int, start: int, end: int, attrs: bytes, body: bytes | None, has_r: bool
    ) -> None:
        self.col = col
        self.start = start  # offsets within the row's inner bytes
        self.end = end
        self.attrs = attrs
        self.body = body  # None for <c .../>; comments and CDATA blanked
        self.has_r = has_r
        self._parsed: dict[bytes, bytes] | None = None

    def attr(self, name: bytes) -> bytes | None:
        if self._parsed is None:
            self._parsed = parse_attrs(self.attrs)
        return self._parsed.get(name)

    @property
    def style(self) -> int | None:
        s = self.attr(b"s")
        return int(s) if s is not None and s.strip().isdigit() else None

    @property
    def has_formula(self) -> bool:
        return self.body is not None and _FORMULA_TAG.search(self.body) is not None


_FORMULA_TAG = re.compile(rb"<(?:[^\s:<>/!?]+:)?f(?=[\s/>])")


@dataclass(frozen=True, slots=True)
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
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.scan = scan = blank_markup(data)  # the bytes searched; `data` is what is copied
        root = _ROOT.search(scan)
        self.prefix = (root.group(1) + b":") if root and root.group(1) else b""
        p = re.escape(self.prefix)
        self._row_start = start_tag(self.prefix, b"row")
        self._row_close = end_tag(self.prefix, b"row")
        self._cell_open = start_tag(self.prefix, b"c")
        self._cell_close = end_tag(self.prefix, b"c")
        # Excel, LibreOffice and openpyxl write r first on every cell: then a row's columns
        # come from one findall, and only the cells esp touches are parsed.
        self._r_first = re.compile(rb"<" + p + rb"c r=\"([A-Z]{1,3}[0-9]+)\"")
        self._fast: dict[int, bool] = {}
        sd = start_tag(self.prefix, b"sheetData").search(scan)
        if sd is None:
            raise ValueError("worksheet has no sheetData")
        root_tag = scan[root.start() : scan.find(b">", root.end()) + 1] if root else b""
        self.declarations = namespace_declarations(root_tag, sd.group(0))
        self.sd_selfclosing: tuple[int, int] | None
        self.sd_open_end = sd.end()
        if sd.group(2):
            # <sheetData/>: open it up so rows can be added.
            self.sd_selfclosing = (sd.start(), sd.end())
            self.sd_close = sd.end()
        else:
            self.sd_selfclosing = None
            close = end_tag(self.prefix, b"sheetData").search(scan, sd.end())
            if close is None:
                raise ValueError("worksheet sheetData is not closed")
            self.sd_close = close.start()
        self._rows: list[RowLoc] | None = None
        self._by_num: dict[int, RowLoc] = {}
        self._twice: set[int] = set()
        self.ordered = True  # rows ascend (as they must; some programs write them otherwise)
        self._direct: dict[int, RowLoc] = {}
        self._direct_nums: list[int] = []  # the rows found by reference, in order
        self._scanned = 0  # bytes those searches have looked through
        self._cells: dict[int, list[CellLoc]] = {}
        # A write asks for its cell (and its neighbour's) several times: look it up once.
        self._cell_cache: dict[tuple[int, int], CellLoc | None] = {}

    def _row_at(self, m: re.Match[bytes], num: int, has_r: bool) -> RowLoc:
        if m.group(2):
            return RowLoc(num, m.start(), m.end(), m.end(), m.end(), True, has_r, m.group(1))
        close = self._row_close.search(self.scan, m.end(), self.sd_close)
        if close is None:
            raise ValueError(f"row {num} is not closed")
        return RowLoc(num, m.start(), m.end(), close.start(), close.end(), False, has_r, m.group(1))

    @property
    def rows(self) -> list[RowLoc]:
        if self._rows is None:
            rows: list[RowLoc] = []
            prev = 0
            pos = self.sd_open_end
            while True:
                m = self._row_start.search(self.scan, pos, self.sd_close)
                if m is None:
                    break
                rm = _ROW_NUMBER.search(m.group(1))
                num = int(rm.group(1)) if rm else prev + 1
                loc = self._row_at(m, num, rm is not None)
                rows.append(loc)
                pos = loc.end
                prev = num
            for loc in rows:
                if loc.num in self._by_num:
                    self._twice.add(loc.num)
                else:
                    self._by_num[loc.num] = loc
            self.ordered = all(a.num < b.num for a, b in zip(rows, rows[1:], strict=False))
            self._rows = rows
            self._direct.clear()  # the index answers from now on
            self._direct_nums.clear()
        return self._rows

    @cached_property
    def row_numbers(self) -> list[int]:
        return [r.num for r in self.rows]

    def row(self, num: int) -> RowLoc | None:
        if self._rows is None and self._scanned <= len(self.data):
            # Excel writes r on every row: rows are found by reference, each search starting
            # at the nearest row already found above it, without indexing all 50,000 — until
            # the searches have cost as much as one pass, when the rows are indexed instead.
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
        i = bisect.bisect_left(self._direct_nums, num)
        start = self._direct[self._direct_nums[i - 1]].end if i else self.sd_open_end
        at = scan.find(b"<" + self.prefix + b'row r="%d"' % num, start, self.sd_close)
        self._scanned += (at if at >= 0 else self.sd_close) - start
        m = self._row_start.match(scan, at) if at >= 0 else None
        if m is None:
            return None  # no such row, or rows out of order: the index will tell
        got = self._row_at(m, num, True)
        later = _NEXT_ROW.match(scan, got.end, self.sd_close) if not self.prefix else None
        if later is None:
            after = self._row_start.search(scan, got.end, self.sd_close)
            later = _ROW_NUMBER.search(after.group(1)) if after else None
        if later is not None and int(later.group(1)) <= num:
            # The next row is numbered before this one (rows out of order, or this row
            # written twice): only the index of every row can say which row is which.
            self._scanned = len(self.data) + 1
            return None
        self._direct[num] = got
        bisect.insort(self._direct_nums, num)
        return got

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
        """Whether every cell of the row carries r first, naming this row (as Excel,
        LibreOffice and openpyxl write them): then a cell is found by its reference alone.
        Only this answer is kept per row, so a write to every row of a 50,000-row sheet
        holds no copies of them. (A row whose cells are out of order, or name a column
        twice, is spliced the careful way: see fast_columns.)"""
        got = self._fast.get(row.num)
        if got is None:
            got = self._refs(row) is not None
            self._fast[row.num] = got
        return got

    def _refs(self, row: RowLoc) -> list[bytes] | None:
        """The cells' references ("AO12") when every cell starts with r= naming this row."""
        start, end, scan, p = row.tag_end, row.inner_end, self.scan, self.prefix
        refs = self._r_first.findall(scan, start, end)
        # Every <c> start tag, however its name ends (a space, a line break, > or />): as
        # many as there are references. Counted at once when no other element's name in
        # the row starts with "c" (Excel writes none), else ending by ending.
        opened = b"<" + p + b"c"
        cells = scan.count(opened, start, end)
        if cells != len(refs):
            cells = sum(scan.count(opened + end_of_name, start, end) for end_of_name in _ENDS)
        if len(refs) != cells:
            return None
        # Every reference names this row: strip the letters and compare, all in C.
        joined = b"|".join(refs) + b"|"
        if joined.translate(None, _LETTERS) != (str(row.num).encode() + b"|") * len(refs):
            return None  # a cell naming another row: read it the slow, careful way
        return refs

    def fast_columns(self, row: RowLoc) -> tuple[list[int], list[bytes]] | None:
        """(columns, column letters) of a fast row; else None (the row is then parsed and
        spliced cell by cell)."""
        if not self.is_fast(row):
            return None
        refs = self._r_first.findall(self.scan, row.tag_end, row.inner_end)
        if not refs:
            return [], []
        letters = b"|".join(refs).translate(None, b"0123456789").split(b"|")
        cols = list(map(_col_of, letters))
        if cols != sorted(set(cols)):
            return None  # out of column order, or a column twice
        return cols, letters

    def cell_in(self, row: RowLoc, col: int) -> CellLoc | None:
        # A fast row naming this column twice is refused when it is spliced.
        if not self.is_fast(row):
            found = [c for c in self.cells(row) if c.col == col]
            if len(found) > 1:
                raise ValueError(f"cell {col_letter(col)}{row.num} appears twice in its row")
            return found[0] if found else None
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
        close = self._cell_close.search(scan, m.end(), end)
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
        found = None if loc is None else self.cell_in(loc, col)
        self._cell_cache[key] = found
        return found

    def style_of(self, row: int, col: int) -> tuple[bool, int | None]:
        """(whether the cell exists, its style), looked up without keeping the cell: asked
        of the left neighbour of every cell of a column esp adds (50,000 of them)."""
        key = (row, col)
        if key in self._cell_cache:
            found = self._cell_cache[key]
        else:
            loc = self.row(row)
            found = None if loc is None else self.cell_in(loc, col)
        return found is not None, (found.style if found is not None else None)

    def column_styles(self, col: int, limit: int = 400) -> list[int]:
        """Styles of cells in a column (scanning the sheet; for choosing a date format)."""
        letters = col_letter(col).encode()
        p = re.escape(self.prefix)
        pattern = re.compile(
            rb"<" + p + rb"c(?=[\s/>])([^>]*?\sr\s*=\s*[\"']" + letters + rb"\d+[\"'][^>]*)>"
        )
        out: list[int] = []
        for m in pattern.finditer(self.scan, self.sd_open_end, self.sd_close):
            s = parse_attrs(m.group(1)).get(b"s")
            if s is not None and s.isdigit():
                out.append(int(s))
                if len(out) >= limit:
                    break
        return out

    def first_formula_row(self, col: int) -> int | None:
        """The first row whose cell in column `col` holds a formula — one whose result is
        empty (="") or a shared formula's member included, which a value scan misses."""
        return self._formula_rows.get(col)

    @cached_property
    def _formula_rows(self) -> dict[int, int]:
        """Column -> the first row with a formula in it: one pass over the formulas' tags
        (a few byte searches each), the rows parsed only where a cell has no reference."""
        out: dict[int, int] = {}
        if not self.has_formulas:
            return out
        scan, p = self.scan, self.prefix
        needle = b"<" + p + b"f"
        cell_tag = b"<" + p + b"c"
        excel = cell_tag + b' r="'  # a cell as Excel writes it: its reference first
        first = self.sd_open_end
        at = scan.find(needle, first, self.sd_close)
        while at >= 0:
            after = scan[at + len(needle) : at + len(needle) + 1]
            if after in (b">", b"/", b" ", b"\t", b"\n", b"\r"):
                start = scan.rfind(cell_tag, first, at)
                if scan.startswith(excel, start):
                    ref = scan[start + len(excel) : scan.find(b'"', start + len(excel), at)]
                else:
                    cell = self._cell_open.match(scan, start) if start >= 0 else None
                    ref = parse_attrs(cell.group(1)).get(b"r", b"") if cell else b""
                got = _CELL_REF.fullmatch(ref.strip())
                if got is None:
                    return self._formula_rows_parsed()  # a cell without its reference
                row, col = int(got.group(2)), _col_of(got.group(1))
                if row < out.get(col, row + 1):
                    out[col] = row
            at = scan.find(needle, at + 1, self.sd_close)
        return out

    def _formula_rows_parsed(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for loc in self.rows:
            for cell in self.cells(loc):
                if cell.has_formula:
                    out[cell.col] = min(out.get(cell.col, loc.num), loc.num)
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
        out = []
        for m in start_tag(self.prefix, b"f").finditer(self.scan, self.sd_open_end, self.sd_close):
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
        ns = self._ns
        el = self.skeleton.find(f"{{{ns}}}sheetProtection")
        return el is not None and str(el.get("sheet", "")).strip() in ("1", "true")

    @cached_property
    def has_formulas(self) -> bool:
        return start_tag(self.prefix, b"f").search(self.scan) is not None

    @cached_property
    def col_specs(self) -> list[tuple[int, int, dict[bytes, bytes], int, int]]:
        """(min, max, attributes, start, end) of every <col> in the head, parsed once: a
        write of a whole column asks for its spec once per cell."""
        head = self.scan[: self.sd_open_end]
        cols = start_tag(self.prefix, b"cols").search(head)
        if cols is None or cols.group(2):
            return []
        close = end_tag(self.prefix, b"cols").search(head, cols.end())
        if close is None:
            return []
        out = []
        for m in start_tag(self.prefix, b"col").finditer(head, cols.end(), close.start()):
            attrs = parse_attrs(m.group(1))
            lo, hi = attrs.get(b"min", b""), attrs.get(b"max", b"")
            if lo.isdigit() and hi.isdigit():
                end = m.end()
                if not m.group(2):
                    col_close = end_tag(self.prefix, b"col").search(head, end, close.start())
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


@functools.lru_cache(maxsize=4096)
def _col_of(letters: bytes) -> int:
    return col_number(letters.decode())


class Splicer:
    """Builds the new sheet bytes from `changes`: row -> col -> complete <c> element bytes
    (already carrying its r attribute and the sheet's namespace prefix).

    `check`, when given, is fed every row the splicer writes (rebuilt or new), so the
    caller can prove them well-formed where they go."""

    def __init__(self, sheet: SheetXml, check: FragmentCheck | None = None) -> None:
        self.sheet = sheet
        self.check = check

    def parts(
        self, changes: dict[int, dict[int, bytes]]
    ) -> tuple[bytes, Iterator[bytes | memoryview], bytes]:
        """The new sheet as (head, body, tail): head runs to the <sheetData> start tag, the
        body yields the rows as pieces (untouched stretches are views of the old bytes,
        changed rows are rebuilt only as they are reached), the tail starts with
        </sheetData>. Head and tail are small, so what follows the rows can be changed
        cheaply, and the body is compressed as it is produced, never held whole."""
        sh = self.sheet
        data = sh.data
        p = sh.prefix
        if sh.sd_selfclosing is not None:
            start, end = sh.sd_selfclosing
            return (
                data[:start] + data[start : end - 2] + b">",
                self._checked(self._new_row(n, changes[n]) for n in sorted(changes)),
                b"</" + p + b"sheetData>" + data[end:],
            )
        return data[: sh.sd_open_end], self._body(changes), data[sh.sd_close :]

    def _checked(self, rows: Iterator[bytes]) -> Iterator[bytes]:
        for row in rows:
            self._feed(row)
            yield row

    def _feed(self, *pieces: bytes) -> None:
        if self.check is not None:
            for piece in pieces:
                self.check.feed(piece)

    def _body(self, changes: dict[int, dict[int, bytes]]) -> Iterator[bytes | memoryview]:
        sh = self.sheet
        view = memoryview(sh.data)  # slices without copying a sheet that may be 100 MB
        # (where, kind, row): an existing row is replaced (kind 1); a new row is inserted
        # (kind 0) before the first row written after it, so rows stay in ascending order.
        plan: list[tuple[int, int, int]] = []
        for num in changes:
            loc = sh.row(num)
            if loc is not None:
                plan.append((loc.start, 1, num))
                continue
            rows = sh.rows
            if sh.ordered:
                i = bisect.bisect_left(sh.row_numbers, num)
                at = rows[i].start if i < len(rows) else sh.sd_close
            else:
                at = next((r.start for r in rows if r.num > num), sh.sd_close)
            plan.append((at, 0, num))
        plan.sort()
        pos = sh.sd_open_end
        for at, kind, num in plan:
            if at < pos:
                raise ValueError(f"row {num} overlaps a row written before it")
            yield view[pos:at]
            if kind:
                loc = sh.row(num)
                assert loc is not None
                rebuilt = self._rebuild_row(loc, changes[num])
                pos = loc.end
            else:
                rebuilt = self._new_row(num, changes[num])
                self._feed(rebuilt)
                pos = at
            yield rebuilt
        yield view[pos : sh.sd_close]

    def splice(self, changes: dict[int, dict[int, bytes]]) -> bytes:
        """The whole new sheet as one bytes object."""
        head, body, tail = self.parts(changes)
        return b"".join((head, *body, tail))

    def _new_row(self, num: int, cells: dict[int, bytes]) -> bytes:
        p = self.sheet.prefix
        body = b"".join(cells[c] for c in sorted(cells))
        return b"<" + p + b'row r="%d">' % num + body + b"</" + p + b"row>"

    def _rebuild_row(self, loc: RowLoc, new: dict[int, bytes]) -> bytes:
        sh = self.sheet
        p = sh.prefix
        attrs = loc.attrs
        if not loc.has_r:
            attrs = b' r="%d"' % loc.num + attrs
        spans = parse_attrs(attrs).get(b"spans") if b"spans" in attrs else None
        if spans is not None and not _within_spans(spans, new):
            # spans is only an optimisation (§18.3.1.73): dropping it beats a wrong one.
            attrs = drop_attr(attrs, b"spans")
        open_tag = b"<" + p + b"row" + attrs + b">"
        close_tag = b"</" + p + b"row>"
        if loc.self_closing:
            body = b"".join(new[c] for c in sorted(new))
            self._feed(open_tag + body + close_tag)
            return open_tag + body + close_tag
        inner = sh.inner(loc)
        fast = sh.fast_columns(loc)
        if fast is not None:
            # Whole cells replaced by whole cells, found by their tags in a row written
            # as Excel writes it: what is new is the row's tags and the new cells.
            self._feed(open_tag, *new.values(), close_tag)
            return open_tag + self._splice_fast(loc, inner, fast, new) + close_tag
        rebuilt = self._rebuild_slow(loc, inner, open_tag, close_tag, new)
        self._feed(rebuilt)
        return rebuilt

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

    def _splice_fast(
        self, loc: RowLoc, inner: bytes, fast: tuple[list[int], list[bytes]], new: dict[int, bytes]
    ) -> bytes:
        """Splice using only the positions of the touched cells and their right neighbours."""
        sh = self.sheet
        cols, letters = fast
        out: list[bytes] = []
        pos = 0
        for col in sorted(new):
            i = bisect.bisect_left(cols, col)
            if i < len(cols) and cols[i] == col:
                cell = sh.cell(loc.num, col)  # as the write planned it (kept)
                assert cell is not None
                out.append(inner[pos : cell.start])
                out.append(new[col])
                pos = cell.end
            else:
                at = sh.start_of(loc, letters[i]) if i < len(cols) else _cells_end(sh, loc)
                at = max(at, pos)
                out.append(inner[pos:at])
                out.append(new[col])
                pos = at
        out.append(inner[pos:])
        return b"".join(out)


def _cells_end(sh: SheetXml, loc: RowLoc) -> int:
    """Where a cell after a fast row's last cell goes: after that cell, before anything
    that follows the cells (an <extLst>)."""
    if sh.scan.find(b"<" + sh.prefix + b"extLst", loc.tag_end, loc.inner_end) < 0:
        return loc.inner_end - loc.tag_end
    last = None
    for m in sh._cell_open.finditer(sh.scan, loc.tag_end, loc.inner_end):
        last = m
    if last is None:
        ext = re.compile(rb"<[^\s/!?>]").search(sh.scan, loc.tag_end, loc.inner_end)
        return ext.start() - loc.tag_end if ext else loc.inner_end - loc.tag_end
    if last.group(2):
        return last.end() - loc.tag_end
    close = sh._cell_close.search(sh.scan, last.end(), loc.inner_end)
    return (close.end() if close else loc.inner_end) - loc.tag_end


def _within_spans(spans: bytes, new: dict[int, bytes]) -> bool:
    ranges = []
    for part in spans.split():
        lo, _, hi = part.partition(b":")
        if not lo.isdigit() or not hi.isdigit():
            return False
        ranges.append((int(lo), int(hi)))
    return all(any(lo <= c <= hi for lo, hi in ranges) for c in new)
