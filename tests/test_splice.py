"""Property: the one-pass splice of a sheet writes exactly the cells asked, wherever they are.

A write of a whole column edits thousands of rows in one pass over the sheet's bytes. The
sheets here are spelled every way the format allows and writes touch them every way: many
cells across many rows, new rows among the old, cells replaced and added before, between
and after the others, rows whose cells are out of column order or lack `r`, self-closing
rows, comments between rows and cells, an extension after a row's cells, spans that the
new cells fall outside of. The new sheet must be well-formed, hold every cell it held
(untouched ones byte for byte) plus the new ones, keep rows ascending and a row in column
order when it was, and leave every untouched row as it was.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from esp_cli.core.refs import col_letter
from esp_cli.workbook.xlsx.sheetxml import SheetXml, Splicer
from esp_cli.workbook.xlsx.xmlbytes import FragmentCheck

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REF = re.compile(r"([A-Z]+)(\d+)")


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@st.composite
def sheets(draw: st.DrawFn) -> tuple[bytes, dict[int, dict[int, bytes]]]:
    """A sheet's XML and the cells to write: row -> col -> a new <c> element."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    comments = draw(st.booleans())
    nums = sorted(rng.sample(range(1, 60), draw(st.integers(0, 25))))
    rows: list[bytes] = []
    held: dict[int, list[int]] = {}
    for num in nums:
        cols = sorted(rng.sample(range(1, 30), rng.randint(0, 8)))
        held[num] = cols
        form = rng.random()
        cells: list[bytes] = []
        prev = 0
        for col in cols:
            ref = f' r="{col_letter(col)}{num}"'
            if col == prev + 1 and form < 0.2 and rng.random() < 0.5:
                ref = ""  # placed by position, after the cell before it
            value = f"<v>{num * 100 + col}</v>"
            cell = f"<c{ref}/>" if rng.random() < 0.2 else f'<c{ref} t="n">{value}</c>'
            if comments and rng.random() < 0.2:
                cell = "<!-- <c r='ZZ1'/> -->" + cell
            cells.append(cell.encode())
            prev = col
        if 0.2 <= form < 0.35 and all(b' r="' in c for c in cells):
            rng.shuffle(cells)  # out of column order, each cell naming itself
        attrs = f' r="{num}"' if form < 0.85 or not rows else ""
        if attrs and rng.random() < 0.5 and cols:
            attrs += f' spans="{cols[0]}:{cols[-1]}"'
        if not attrs:
            # A row without r follows the one before it: only where it is that row.
            prev_num = nums[nums.index(num) - 1]
            if prev_num != num - 1:
                attrs = f' r="{num}"'
        inner = b"".join(cells)
        if rng.random() < 0.1:
            inner += b'<extLst><ext uri="{x}"><c r="A1"/></ext></extLst>'
        if not inner and rng.random() < 0.5:
            rows.append(f"<row{attrs}/>".encode())
        else:
            rows.append(f"<row{attrs}>".encode() + inner + b"</row>")
        if comments and rng.random() < 0.2:
            rows[-1] += b"<!-- <row r='1'> -->"
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="'
        + MAIN.encode()
        + b'"><dimension ref="A1"/><sheetData>'
        + b"".join(rows)
        + b"</sheetData></worksheet>"
    )
    changes: dict[int, dict[int, bytes]] = {}
    targets = [(r, c) for r, cs in held.items() for c in cs]
    for r, c in rng.sample(targets, min(len(targets), draw(st.integers(0, 40)))):
        changes.setdefault(r, {})[c] = b""
    for _ in range(draw(st.integers(0, 40))):
        changes.setdefault(rng.randint(1, 60), {})[rng.randint(1, 32)] = b""
    for r, cells_of in changes.items():
        for c in cells_of:
            cells_of[c] = f'<c r="{col_letter(c)}{r}" t="n"><v>{-(r * 100 + c)}</v></c>'.encode()
    return sheet, changes


def _cells(sheet: bytes) -> dict[int, tuple[list[int], dict[int, bytes]]]:
    """row -> (its columns in document order, col -> the cell's value and kind)."""
    root = etree.fromstring(sheet)
    out: dict[int, tuple[list[int], dict[int, bytes]]] = {}
    num = 0
    for row in root.iter(f"{{{MAIN}}}row"):
        num = int(row.get("r")) if row.get("r") else num + 1
        order: list[int] = []
        found: dict[int, bytes] = {}
        col = 0
        for c in row.findall(f"{{{MAIN}}}c"):
            ref = c.get("r")
            if ref:
                m = REF.fullmatch(ref)
                assert m is not None and int(m.group(2)) == num, ref
                col = _col(m.group(1))
            else:
                col += 1
            v = c.find(f"{{{MAIN}}}v")
            order.append(col)
            found[col] = (
                (c.get("t") or "").encode() + b":" + (v.text or "").encode()
                if v is not None
                else b"-"
            )
        assert num not in out, f"row {num} twice"
        out[num] = (order, found)
    return out


@settings(max_examples=300, deadline=None)
@given(case=sheets())
def test_a_splice_writes_exactly_the_cells_asked(
    case: tuple[bytes, dict[int, dict[int, bytes]]],
) -> None:
    sheet, changes = case
    sx = SheetXml(sheet)
    for r, cols in changes.items():
        for c in cols:
            sx.cell(r, c)  # as a write plans them
    check = FragmentCheck(sx.declarations)
    new = Splicer(sx, check).splice(changes)
    check.close()
    before, after = _cells(sheet), _cells(new)
    nums = [int(m) for m in re.findall(rb"<row[^>]* r=\"(\d+)\"", new)]
    assert nums == sorted(nums)
    assert set(after) == set(before) | set(changes)
    for num, (order, cells) in after.items():
        old_order, old = before.get(num, ([], {}))
        wanted = dict(old)
        for c in changes.get(num, {}):
            wanted[c] = b"n:" + str(-(num * 100 + c)).encode()
        assert cells == wanted, num
        assert len(order) == len(set(order)), num
        if num not in changes:
            assert order == old_order
        elif old_order == sorted(old_order):
            assert order == sorted(order), num
    # Every row esp did not touch is in the new sheet byte for byte.
    for row in re.findall(rb"<row(?=[\s/>])(?:[^>]*/>|.*?</row>)", sheet.split(b"<sheetData>")[1]):
        m = re.match(rb"<row[^>]* r=\"(\d+)\"", row)
        if m and int(m.group(1)) not in changes:
            assert row in new


def _as_written(sx: SheetXml, changes: dict[int, dict[int, bytes]], indexed: bool) -> list[object]:
    """What a write asks of the sheet and what it makes of it: each planned cell found (or
    not), then the spliced sheet, or the words of the first refusal."""
    seen: list[object] = []
    try:
        # A column esp adds is checked for formulas first (ChangePlan._column_use).
        seen.append([sx.first_formula_row(c) for c in range(1, 7)])
        seen.append((sx.filled_ranges, sx.has_formulas, sx.protected, sx.merged_ranges))
        if indexed:
            sx.expect_rows(10**6)  # a write down every row: the rows indexed at once
        for r, cols in changes.items():
            for c in cols:
                cell = sx.cell(r, c)
                seen.append((r, c, sx.row(r), None if cell is None else (cell.start, cell.end)))
        seen.append(sx.twice_among(changes))
        seen.append(Splicer(sx, FragmentCheck(sx.declarations)).splice(changes))
    except ValueError as exc:
        seen.append(str(exc))
    return seen


@settings(max_examples=200, deadline=None)
@given(case=sheets(), indexed=st.booleans(), every_row=st.booleans())
def test_a_sheet_made_ready_ahead_is_written_as_one_made_then(
    case: tuple[bytes, dict[int, dict[int, bytes]]], indexed: bool, every_row: bool
) -> None:
    """A sheet made ready for a write of every row before the write asks (its rows indexed
    and each row's last column worked out, on another thread: SheetXml.made_ahead) finds
    the same cells and splices the same bytes as one made when the write asks."""
    sheet, changes = case
    ahead = SheetXml(sheet)
    ahead.made_ahead(every_row)
    assert _as_written(ahead, changes, indexed) == _as_written(SheetXml(sheet), changes, indexed)


@pytest.mark.parametrize(
    "rows",
    [
        b'<row r="2"><c r="A2"><v>1</v></c></row><row r="2"><c r="A2"/><c r="B2"/></row>',
        b'<row r="1"><c r="A1"/></row><row><c r="A2"/><c r="C2"/></row>'
        b'<row r="2"><c r="A2"/></row>',
        b'<row r="1"><c r="A1"/></row><row r="2"><c r="A2"/>',
        b'<row r="3"><c r="A3"/></row><row r="1"><c r="B1"/></row>',
        b'<row r="1"><c r="A1"><f>1</f></c></row><row r="2"><c r="C2"><f t="array" ref="C2">'
        b"2</f></c></row>",
        b'<row r="1"><c r="A1"><f>1</f></c><c><f>2</f><v>2</v></c></row>',
    ],
    ids=[
        "a-number-twice",
        "a-row-without-r-taking-a-number",
        "a-row-not-closed",
        "out-of-order",
        "formulas",
        "a-formula-without-its-reference",
    ],
)
@pytest.mark.parametrize("indexed", [False, True])
@pytest.mark.parametrize("every_row", [False, True])
def test_a_sheet_the_index_cannot_follow_is_refused_alike_when_made_ready_ahead(
    rows: bytes, indexed: bool, every_row: bool
) -> None:
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + rows + b"</sheetData></worksheet>"
    changes = {n: {c: f'<c r="{col_letter(c)}{n}"/>'.encode() for c in (1, 2, 5)} for n in (1, 2)}
    ahead = SheetXml(sheet)
    ahead.made_ahead(every_row)
    assert _as_written(ahead, changes, indexed) == _as_written(SheetXml(sheet), changes, indexed)


def test_a_column_written_down_thousands_of_rows_matches_the_cells_it_replaces() -> None:
    rows = []
    for num in range(1, 3001):
        cells = "".join(
            f'<c r="{col_letter(c)}{num}" s="{c % 3}"><v>{c}</v></c>' for c in range(1, 11)
        )
        rows.append(f'<row r="{num}" spans="1:10">{cells}</row>')
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    ).encode()
    sx = SheetXml(sheet)
    changes = {
        num: {c: f'<c r="{col_letter(c)}{num}"><v>-{num}</v></c>'.encode() for c in (4, 11)}
        for num in range(2, 3001, 2)
    }
    for num, cols in changes.items():
        for c in cols:
            sx.cell(num, c)
    new = Splicer(sx, FragmentCheck(sx.declarations)).splice(changes)
    after = _cells(new)
    assert after[1] == _cells(sheet)[1]
    assert after[2][0] == list(range(1, 12))
    assert after[2][1][4] == b":-2" and after[2][1][11] == b":-2"
    assert b'<row r="2">' in new and b'<row r="3" spans="1:10">' in new


@pytest.mark.parametrize(
    ("row", "want"),
    [
        # a row's extLst may hold anything, a <c> too: the new cell goes before the extLst
        (
            b'<row r="1"><extLst><ext uri="{x}"><c r="A1"/></ext></extLst></row>',
            b'<row r="1"><c r="R1" t="n"><v>-118</v></c><extLst><ext uri="{x}"><c r="A1"/>'
            b"</ext></extLst></row>",
        ),
        # a cell's own extLst is inside the cell: the new cell goes after that cell
        (
            b'<row r="1"><c r="A1"><v>1</v><extLst><ext uri="{y}"/></extLst></c></row>',
            b'<row r="1"><c r="A1"><v>1</v><extLst><ext uri="{y}"/></extLst></c>'
            b'<c r="R1" t="n"><v>-118</v></c></row>',
        ),
        # both: after the last cell, before the row's extLst
        (
            b'<row r="1"><c r="A1"><v>1</v><extLst><ext uri="{y}"/></extLst></c>'
            b'<extLst><ext uri="{x}"><c r="B1"/></ext></extLst></row>',
            b'<row r="1"><c r="A1"><v>1</v><extLst><ext uri="{y}"/></extLst></c>'
            b'<c r="R1" t="n"><v>-118</v></c><extLst><ext uri="{x}"><c r="B1"/></ext></extLst>'
            b"</row>",
        ),
    ],
    ids=["row-extlst-holding-a-c", "cell-extlst", "both"],
)
def test_a_new_cell_goes_between_the_cells_and_the_rows_extlst(row: bytes, want: bytes) -> None:
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxml'
        b'formats.org/spreadsheetml/2006/main"><sheetData>'
    )
    sheet = head + row + b"</sheetData></worksheet>"
    sx = SheetXml(sheet)
    changes = {1: {18: b'<c r="R1" t="n"><v>-118</v></c>'}}
    sx.cell(1, 18)
    check = FragmentCheck(sx.declarations)
    new = Splicer(sx, check).splice(changes)
    check.close()
    assert new == head + want + b"</sheetData></worksheet>"


@pytest.mark.parametrize(
    "row",
    [
        b'<row r="1"><extLst><ext uri="{x}"><c r="A1"/></ext></extLst></row>',
        b'<row r="1"><c r="B1"/><extLst><ext uri="{x}"><c r="A1"/></ext></extLst></row>',
    ],
    ids=["only-an-extlst", "a-cell-and-an-extlst"],
)
def test_a_c_inside_a_rows_extension_is_not_the_cell(row: bytes) -> None:
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxml'
        b'formats.org/spreadsheetml/2006/main"><sheetData>'
    )
    sheet = head + row + b"</sheetData></worksheet>"
    sx = SheetXml(sheet)
    assert sx.cell(1, 1) is None  # A1 is not on the sheet: the <c> is the extension's
    check = FragmentCheck(sx.declarations)
    new = Splicer(sx, check).splice({1: {1: b'<c r="A1" t="n"><v>5</v></c>'}})
    check.close()
    assert b'<ext uri="{x}"><c r="A1"/></ext>' in new  # the extension as it was
    assert new.count(b'<c r="A1" t="n"><v>5</v></c>') == 1
    assert new.index(b'<c r="A1" t="n">') < new.index(b"<extLst>")


def test_the_style_of_a_neighbour_is_read_from_each_spelling_of_its_attributes() -> None:
    """A column esp adds takes the style of the cell on its left in each row: read from
    that cell's own attributes however they are spelled (quoting, spaces, order, no s),
    the same as parsing the cell, row after row of a column sharing few spellings."""
    cells = [
        '<c r="B{n}" s="3"/>',
        "<c r=\"B{n}\" t='s' s='4'><v>0</v></c>",
        '<c r="B{n}"><v>1</v></c>',
        '<c r="B{n}"  s = "12" t="n"><v>2</v></c>',
        '<c r="B{n}" s="5" />',
        '<c r="B{n}" t="str" s="x"><v>a</v></c>',
        '<c r="B{n}" s="3"/>',
    ]
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c>{cells[n % len(cells)].format(n=n)}</row>'
        for n in range(1, 30)
    )
    data = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    sx = SheetXml(data)
    for n in range(1, 30):
        loc = sx.row(n)
        assert loc is not None and sx.is_fast(loc)
        parsed = next(c for c in sx.cells(loc) if c.col == 2)
        assert sx.style_of(n, 2) == (True, parsed.style), n
    assert sx.style_of(5, 3) == (False, None)


_FORMULA_SHEETS = {
    "plain formulas": b'<c r="A1"><f>B1+1</f><v>2</v></c><c r="B1"><v>1</v></c>',
    "an array formula": b'<c r="A1"><f t="array" ref="A1:A2">B1:B2</f><v>2</v></c>',
    "a data table": b'<c r="A1"><f t="dataTable" ref="A1:B2" dt2D="1"/><v>2</v></c>',
    "attributes after a line break": b'<c r="A1"><f\nt="array"\nref="A1:A3">B1</f></c>',
    "a shared formula": b'<c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f></c>',
    "an empty formula tag": b'<c r="A1"><f/><v>2</v></c>',
    "the word array in text": b'<c r="A1" t="inlineStr"><is><t>array</t></is></c>'
    b'<c r="B1"><f>C1</f></c>',
    "a cell without r": b'<c><f t="array" ref="A1:A2">B1</f></c>',
}


@pytest.mark.parametrize("cells", _FORMULA_SHEETS.values(), ids=_FORMULA_SHEETS.keys())
def test_the_filled_ranges_are_the_same_after_the_formulas_pass(cells: bytes) -> None:
    """A column esp adds is checked for formulas first (one pass over every formula tag);
    that pass tells when no formula can fill a range, and the ranges read after it are the
    ones a sheet read afresh has."""
    xml = (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'.encode()
        + cells
        + b'</row><row r="2"><c r="C2"><f>A2</f></c></row></sheetData></worksheet>'
    )
    fresh = SheetXml(xml).filled_ranges
    after = SheetXml(xml)
    after.first_formula_row(1)
    assert after.filled_ranges == fresh
