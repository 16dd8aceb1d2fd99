"""Byte-level access to one worksheet part: find rows and cells, splice new cells in.

The sheet is never re-serialised. Rows are located with one scan of their start tags;
only the rows esp writes are split into cells. Everything between the changed cells, and
everything outside <sheetData>, is copied byte for byte.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from esp_cli.xlsx.refs import col_letter, col_number, parse_range

_ATTR: dict[bytes, re.Pattern[bytes]] = {}


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
        self.body = body  # None for <c .../>
        self.has_r = has_r

    def attr(self, name: bytes) -> bytes | None:
        pattern = _ATTR.get(name)
        if pattern is None:
            pattern = _ATTR[name] = re.compile(rb"(?:^|\s)" + name + rb"=\"([^\"]*)\"")
        m = pattern.search(self.attrs)
        return m.group(1) if m else None

    @property
    def style(self) -> int | None:
        s = self.attr(b"s")
        return int(s) if s is not None and s.isdigit() else None

    @property
    def has_formula(self) -> bool:
        return self.body is not None and re.search(rb"<(?:\w+:)?f\b", self.body) is not None


@dataclass(frozen=True, slots=True)
class RowLoc:
    num: int
    start: int  # offset of '<row'
    tag_end: int  # offset just after the start tag's '>'
    end: int  # offset just after '</row>' (== tag_end when self-closing)
    self_closing: bool
    has_r: bool
    attrs: bytes


class SheetXml:
    def __init__(self, data: bytes) -> None:
        self.data = data
        root = re.search(rb"<(?:(\w+):)?worksheet\b", data)
        self.prefix = (root.group(1) + b":") if root and root.group(1) else b""
        p = re.escape(self.prefix)
        self._row_start = re.compile(rb"<" + p + rb"row\b([^>]*?)(/?)>")
        self._row_end = b"</" + self.prefix + b"row>"
        self._cell_open = re.compile(rb"<" + p + rb"c\b([^>]*?)(/?)>")
        self._cell_close = b"</" + self.prefix + b"c>"
        # Excel, LibreOffice and openpyxl write r first on every cell: then a row's columns
        # come from one findall, and only the cells esp touches are parsed.
        self._r_first = re.compile(rb"<" + p + rb"c r=\"([A-Z]{1,3}[0-9]+)\"")
        self._fast: dict[int, bool] = {}
        sd = re.search(rb"<" + p + rb"sheetData\b[^>]*?(/?)>", data)
        if sd is None:
            raise ValueError("worksheet has no sheetData")
        self.sd_selfclosing: tuple[int, int] | None
        if sd.group(1):
            # <sheetData/>: open it up so rows can be added.
            self.sd_open_end = sd.end()
            self.sd_selfclosing = (sd.start(), sd.end())
            self.sd_close = sd.end()
        else:
            self.sd_open_end = sd.end()
            self.sd_selfclosing = None
            close = data.find(b"</" + self.prefix + b"sheetData>", sd.end())
            if close < 0:
                raise ValueError("worksheet sheetData is not closed")
            self.sd_close = close
        self._rows: list[RowLoc] | None = None
        self._direct: dict[int, RowLoc] = {}
        self._direct_nums: list[int] = []  # the rows found by reference, in order
        self._scanned = 0  # bytes those searches have looked through
        self._cells: dict[int, list[CellLoc]] = {}
        # A write asks for its cell (and its neighbour's) several times: look it up once.
        self._cell_cache: dict[tuple[int, int], CellLoc | None] = {}

    @property
    def rows(self) -> list[RowLoc]:
        if self._rows is None:
            rows: list[RowLoc] = []
            prev = 0
            pos = self.sd_open_end
            data = self.data
            while True:
                m = self._row_start.search(data, pos, self.sd_close)
                if m is None:
                    break
                attrs = m.group(1)
                rm = _ROW_NUMBER.search(attrs)
                num = int(rm.group(1)) if rm else prev + 1
                if m.group(2):
                    rows.append(
                        RowLoc(num, m.start(), m.end(), m.end(), True, rm is not None, attrs)
                    )
                    pos = m.end()
                else:
                    end = data.find(self._row_end, m.end(), self.sd_close)
                    if end < 0:
                        raise ValueError(f"row {num} is not closed")
                    end += len(self._row_end)
                    rows.append(RowLoc(num, m.start(), m.end(), end, False, rm is not None, attrs))
                    pos = end
                prev = num
            if any(a.num >= b.num for a, b in zip(rows, rows[1:], strict=False)):
                # Not valid (rows must ascend), but seen: finding rows by number, and so
                # splicing them, would go wrong.
                raise ValueError("its rows are not in ascending order")
            self._rows = rows
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
        rows = self.rows
        i = bisect.bisect_left(self.row_numbers, num)
        if i < len(rows) and rows[i].num == num:
            return rows[i]
        return None

    def _row_by_reference(self, num: int) -> RowLoc | None:
        got = self._direct.get(num)
        if got is not None:
            return got
        data = self.data
        i = bisect.bisect_left(self._direct_nums, num)
        start = self._direct[self._direct_nums[i - 1]].end if i else self.sd_open_end
        at = data.find(b"<" + self.prefix + b'row r="%d"' % num, start, self.sd_close)
        self._scanned += (at if at >= 0 else self.sd_close) - start
        m = self._row_start.match(data, at) if at >= 0 else None
        if m is None:
            return None  # no such row, or rows out of order: the index will tell
        if m.group(2):
            got = RowLoc(num, m.start(), m.end(), m.end(), True, True, m.group(1))
        else:
            end = data.find(self._row_end, m.end(), self.sd_close)
            if end < 0:
                raise ValueError(f"row {num} is not closed")
            got = RowLoc(num, m.start(), m.end(), end + len(self._row_end), False, True, m.group(1))
        self._direct[num] = got
        bisect.insort(self._direct_nums, num)
        return got

    def cells(self, row: RowLoc) -> list[CellLoc]:
        cached = self._cells.get(row.num)
        if cached is not None:
            return cached
        out: list[CellLoc] = []
        if not row.self_closing:
            inner = self.inner(row)
            prev = 0
            close_tag = self._cell_close
            pos = 0
            find_open = self._cell_open.search
            while True:
                m = find_open(inner, pos)
                if m is None:
                    break
                attrs = m.group(1)
                if m.group(2):
                    body = None
                    end = m.end()
                else:
                    close = inner.find(close_tag, m.end())
                    if close < 0:
                        raise ValueError(f"a cell in row {row.num} is not closed")
                    body = inner[m.end() : close]
                    end = close + len(close_tag)
                if attrs.startswith(b' r="'):
                    q = attrs.index(b'"', 4)
                    letters: bytes | None = attrs[4:q].rstrip(b"0123456789")
                else:
                    rm = re.search(rb"(?:^|\s)r=\"([A-Z]+)\d+\"", attrs)
                    letters = rm.group(1) if rm else None
                col = col_number(letters.decode()) if letters else prev + 1
                out.append(CellLoc(col, m.start(), end, attrs, body, letters is not None))
                prev = col
                pos = end
        self._cells[row.num] = out
        return out

    def inner(self, row: RowLoc) -> bytes:
        """The bytes between a row's start and end tags."""
        return self.data[row.tag_end : self._inner_end(row)]

    def _inner_end(self, row: RowLoc) -> int:
        return row.tag_end if row.self_closing else row.end - len(self._row_end)

    def is_fast(self, row: RowLoc) -> bool:
        """Whether every cell of the row carries r first, naming this row (as Excel,
        LibreOffice and openpyxl write them): then a cell is found by its reference alone.
        Only this answer is kept per row, so a write to every row of a 50,000-row sheet
        holds no copies of them."""
        got = self._fast.get(row.num)
        if got is None:
            got = self._refs(row) is not None
            self._fast[row.num] = got
        return got

    def _refs(self, row: RowLoc) -> list[bytes] | None:
        """The cells' references ("AO12") when every cell starts with r= naming this row."""
        start, end, data, p = row.tag_end, self._inner_end(row), self.data, self.prefix
        # Every <c> start tag, however its name ends (a space, a line break, > or />).
        cells = sum(data.count(b"<" + p + b"c" + end_of_name, start, end) for end_of_name in _ENDS)
        refs = self._r_first.findall(data, start, end)
        if len(refs) != cells:
            return None
        # Every reference names this row: strip the letters and compare, all in C.
        joined = b"|".join(refs) + b"|"
        if joined.translate(None, _LETTERS) != (str(row.num).encode() + b"|") * len(refs):
            return None  # a cell naming another row: read it the slow, careful way
        return refs

    def fast_columns(self, row: RowLoc) -> tuple[list[int], list[bytes]] | None:
        """(columns, column letters) of a fast row whose cells are in column order; else
        None (the row is then spliced cell by cell)."""
        if not self.is_fast(row):
            return None
        refs = self._r_first.findall(self.data, row.tag_end, self._inner_end(row))
        if not refs:
            return [], []
        letters = b"|".join(refs).translate(None, b"0123456789").split(b"|")
        cols = list(map(_col_of, letters))
        if cols != sorted(set(cols)):
            return None
        return cols, letters

    def cell_in(self, row: RowLoc, col: int) -> CellLoc | None:
        if not self.is_fast(row):
            for c in self.cells(row):
                if c.col == col:
                    return c
            return None
        start = self.start_of(row, col_letter(col).encode())
        return None if start < 0 else self._parse_at(row, col, start)

    def start_of(self, row: RowLoc, letters: bytes) -> int:
        """Offset (within the row's inner bytes) of the cell with these column letters in a
        fast row, or -1 when the row has no such cell."""
        needle = b"<" + self.prefix + b'c r="' + letters + str(row.num).encode() + b'"'
        pos = self.data.find(needle, row.tag_end, self._inner_end(row))
        return pos - row.tag_end if pos >= 0 else -1

    def _parse_at(self, row: RowLoc, col: int, start: int) -> CellLoc:
        data, base, end = self.data, row.tag_end, self._inner_end(row)
        m = self._cell_open.match(data, base + start, end)
        assert m is not None
        if m.group(2):
            return CellLoc(col, start, m.end() - base, m.group(1), None, True)
        close = data.find(self._cell_close, m.end(), end)
        if close < 0:
            raise ValueError(f"cell {col_letter(col)}{row.num} is not closed")
        end_at = close + len(self._cell_close) - base
        return CellLoc(col, start, end_at, m.group(1), data[m.end() : close], True)

    def cell(self, row: int, col: int) -> CellLoc | None:
        key = (row, col)
        if key in self._cell_cache:
            return self._cell_cache[key]
        loc = self.row(row)
        found = None if loc is None else self.cell_in(loc, col)
        self._cell_cache[key] = found
        return found

    def column_styles(self, col: int, limit: int = 400) -> list[int]:
        """Styles of cells in a column (scanning the sheet; for choosing a date format)."""
        letters = col_letter(col).encode()
        p = re.escape(self.prefix)
        pat = re.compile(rb"<" + p + rb"c\b[^>]*?\br=\"" + letters + rb"\d+\"[^>]*?\bs=\"(\d+)\"")
        pat2 = re.compile(rb"<" + p + rb"c\b[^>]*?\bs=\"(\d+)\"[^>]*?\br=\"" + letters + rb"\d+\"")
        out: list[int] = []
        for pattern in (pat, pat2):
            for m in pattern.finditer(self.data, self.sd_open_end, self.sd_close):
                out.append(int(m.group(1)))
                if len(out) >= limit:
                    return out
        return out

    @cached_property
    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        p = re.escape(self.prefix)
        block = re.search(rb"<" + p + rb"mergeCells\b.*?</" + p + rb"mergeCells>", self.data, re.S)
        if not block:
            return []
        return [
            parse_range(m.group(1).decode())
            for m in re.finditer(
                rb"<" + p + rb"mergeCell\b[^>]*?\bref=\"([^\"]+)\"", block.group(0)
            )
        ]

    @cached_property
    def array_ranges(self) -> list[tuple[int, int, int, int]]:
        """Ranges filled by array and dynamic-array (spill) formulas."""
        p = re.escape(self.prefix)
        out = []
        for m in re.finditer(rb"<" + p + rb"f\b([^>]*)>", self.data):
            attrs = m.group(1)
            if b't="array"' not in attrs:
                continue
            ref = re.search(rb"\bref=\"([^\"]+)\"", attrs)
            if ref:
                try:
                    out.append(parse_range(ref.group(1).decode()))
                except ValueError:
                    continue
        return out

    @cached_property
    def protected(self) -> bool:
        p = re.escape(self.prefix)
        m = re.search(rb"<" + p + rb"sheetProtection\b([^>]*)>", self.data[self.sd_close :])
        return m is not None and re.search(rb"\bsheet=\"(1|true)\"", m.group(1)) is not None

    @cached_property
    def has_formulas(self) -> bool:
        return re.search(rb"<" + re.escape(self.prefix) + rb"f\b", self.data) is not None

    @cached_property
    def _col_specs(self) -> list[tuple[int, int, bytes]]:
        """(min, max, element) of every <col>, parsed once: a write of a whole column asks
        for its spec once per cell."""
        p = re.escape(self.prefix)
        cols = re.search(
            rb"<" + p + rb"cols>(.*?)</" + p + rb"cols>", self.data[: self.sd_open_end], re.S
        )
        if not cols:
            return []
        out = []
        for m in re.finditer(rb"<" + p + rb"col\b[^>]*?/?>", cols.group(1)):
            lo = re.search(rb"\bmin=\"(\d+)\"", m.group(0))
            hi = re.search(rb"\bmax=\"(\d+)\"", m.group(0))
            if lo and hi:
                out.append((int(lo.group(1)), int(hi.group(1)), m.group(0)))
        return out

    def col_spec(self, col: int) -> bytes | None:
        """The <col> element covering a column, if any."""
        for lo, hi, element in self._col_specs:
            if lo <= col <= hi:
                return element
        return None


_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ENDS = (b" ", b"\t", b"\n", b"\r", b">", b"/")
_ROW_NUMBER = re.compile(rb"(?:^|\s)r=\"(\d+)\"")


@functools.lru_cache(maxsize=4096)
def _col_of(letters: bytes) -> int:
    return col_number(letters.decode())


class Splicer:
    """Builds the new sheet bytes from `changes`: row -> col -> complete <c> element bytes
    (already carrying its r attribute and the sheet's namespace prefix)."""

    def __init__(self, sheet: SheetXml) -> None:
        self.sheet = sheet

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
                data[:start] + b"<" + p + b"sheetData>",
                (self._new_row(n, changes[n]) for n in sorted(changes)),
                b"</" + p + b"sheetData>" + data[end:],
            )
        return data[: sh.sd_open_end], self._body(changes), data[sh.sd_close :]

    def _body(self, changes: dict[int, dict[int, bytes]]) -> Iterator[bytes | memoryview]:
        sh = self.sheet
        view = memoryview(sh.data)  # slices without copying a sheet that may be 100 MB
        pos = sh.sd_open_end
        for num in sorted(changes):
            loc = sh.row(num)
            if loc is not None:
                at, rebuilt, after = loc.start, self._rebuild_row(loc, changes[num]), loc.end
            else:
                rows, nums = sh.rows, sh.row_numbers
                i = bisect.bisect_left(nums, num)
                at = rows[i].start if i < len(rows) else sh.sd_close
                rebuilt, after = self._new_row(num, changes[num]), at
            if at < pos:
                # Rows out of order (not valid, but seen): splicing could overlap them.
                raise ValueError(f"row {num} comes before the rows above it in the file")
            yield view[pos:at]
            yield rebuilt
            pos = after
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
        spans = re.search(rb"\s+spans=\"([^\"]*)\"", attrs)
        if spans and not _within_spans(spans.group(1), new):
            # spans is only an optimisation (§18.3.1.73): dropping it beats a wrong one.
            attrs = attrs[: spans.start()] + attrs[spans.end() :]
        open_tag = b"<" + p + b"row" + attrs + b">"
        close_tag = b"</" + p + b"row>"
        if loc.self_closing:
            body = b"".join(new[c] for c in sorted(new))
            return open_tag + body + close_tag
        inner = sh.inner(loc)
        fast = sh.fast_columns(loc) if sh.is_fast(loc) else None
        if fast is not None:
            return open_tag + self._splice_fast(loc, inner, fast, new) + close_tag
        cells = sh.cells(loc)
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
            elif not cell.has_r:
                # Once a row is touched every cell carries r (XLSX-NOTES §1).
                text = inner[cell.start : cell.end]
                ref = (col_letter(cell.col) + str(loc.num)).encode()
                head = b"<" + p + b"c"
                out.append(head + b' r="' + ref + b'"' + text[len(head) :])
            else:
                out.append(inner[cell.start : cell.end])
            pos = cell.end
        tail = inner[pos:]
        rest = b"".join(new[c] for c in pending[k:])
        return open_tag + b"".join(out) + rest + tail + close_tag

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
                cell = sh.cell_in(loc, col)
                assert cell is not None
                out.append(inner[pos : cell.start])
                out.append(new[col])
                pos = cell.end
            else:
                at = sh.start_of(loc, letters[i]) if i < len(cols) else len(inner)
                at = max(at, pos)
                out.append(inner[pos:at])
                out.append(new[col])
                pos = at
        out.append(inner[pos:])
        return b"".join(out)


def _within_spans(spans: bytes, new: dict[int, bytes]) -> bool:
    ranges = []
    for part in spans.split():
        lo, _, hi = part.partition(b":")
        if not lo.isdigit() or not hi.isdigit():
            return False
        ranges.append((int(lo), int(hi)))
    return all(any(lo <= c <= hi for lo, hi in ranges) for c in new)
