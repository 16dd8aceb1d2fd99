"""esp's writer on every real workbook of the corpus: only the written cells change.

For each workbook (copied to a temporary folder) four new cells are written just below the
used range of its first worksheet (a text that starts with "=", a text with a line break and
leading spaces, a number and a date) and one existing plain value is overwritten, through the
same calls the commands use. Then, checked with the independent helpers in tests/support:

- every other zip entry is copied as it was stored (same order, compressed bytes, CRC, time),
  but for the workbook part of a workbook holding formulas, whose <calcPr> (made where the
  schema puts it, if missing) gains fullCalcOnLoad="1" and nothing else changes;
- in the sheet, every other cell is byte-identical, and outside <sheetData> only the
  <dimension> ref changes;
- the package gains no validation error;
- esp's reader and LibreOffice (one batched conversion) read the new values back, and
  LibreOffice still shows every other cell of every sheet as before.

Writes the writer refuses (protected sheet, formula, merged cell, PivotTable, picture in a
cell) must raise UnsafeWriteError naming the cell and leave the file byte-identical.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from esp_cli.errors import UnsafeWriteError
from esp_cli.workbook.xlsx.patch import Value
from esp_cli.workbook.xlsx.workbook import Workbook, locked_for_update
from tests.support.libreoffice import Rows, cell, convert_workbooks
from tests.support.marks import needs_schemas, needs_soffice
from tests.support.ooxml import validate_package
from tests.support.packages import (
    MAIN_NS,
    iter_cell_positions,
    make_ref,
    part_relationships,
    related_part,
    resolve_target,
    sheet_cells,
    sheet_part,
    sheet_parts_outside_sheetdata,
    split_ref,
    stored_bytes,
    workbook_part,
    workbook_sheets,
    zip_infos,
    zip_parts,
)
from tests.support.paths import corpus_files

pytestmark = pytest.mark.corpus

# Collected from the shared corpus; without it one placeholder case skips via `corpus_dir`.
NAMES = [path.name for path in corpus_files()] or ["(no corpus)"]

FORMULA_TEXT = "=SUM(A1:A2)"  # text that looks like a formula: must stay text
INDENTED_LINES = "  indented first line\nsecond line"
NUMBER = 1234.5
DAY = date(2026, 3, 5)
OVERWRITE = "overwritten by esp"
NEW_VALUES: tuple[Value, ...] = (FORMULA_TEXT, INDENTED_LINES, NUMBER, DAY)
# How LibreOffice's CSV export (en-US, unformatted) shows each value.
SHOWN: dict[Value, str] = {
    FORMULA_TEXT: FORMULA_TEXT,
    INDENTED_LINES: INDENTED_LINES,
    NUMBER: "1234.5",
    DAY: "03/05/2026",
    OVERWRITE: OVERWRITE,
}

_M = f"{{{MAIN_NS}}}"
_DIMENSION_REF = re.compile(rb'(<(?:\w+:)?dimension\b[^>]*?\bref=")([^"]*)(")')
_CALC_PR = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*>")
PLAIN_TYPES = {None, "n", "s", "inlineStr", "b"}

Range = tuple[int, int, int, int]  # first row, first column, last row, last column
Parts = dict[str, bytes]


def parse_range(ref: str) -> Range:
    first, _, last = ref.partition(":")
    (r1, c1), (r2, c2) = split_ref(first), split_ref(last or first)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def inside(ranges: list[Range], row: int, col: int) -> bool:
    return any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in ranges)


@dataclass
class Plan:
    """What to write into one workbook, worked out from the original with tests/support."""

    sheet: str  # esp's first worksheet
    part: str
    writes: dict[str, Value]  # cell ref -> value, the overwritten cell included
    protected: bool
    formulas: bool  # a formula on any sheet, or a calculation chain
    dimension: Range | None  # the original <dimension ref>


def pivot_locations(parts: Parts, part: str) -> list[tuple[Range, int]]:
    """Each PivotTable of the sheet: its <location ref> and how many report filters it has."""
    found = []
    for rel in part_relationships(parts, part):
        if rel.type.endswith("/pivotTable") and not rel.external:
            pivot = etree.fromstring(parts[resolve_target(part, rel.target)])
            location = pivot.find(f"{_M}location")
            assert location is not None
            filters = int(location.get("rowPageCount", "0"))
            found.append((parse_range(location.get("ref", "")), filters))
    return found


def has_formulas(parts: Parts) -> bool:
    """Whether the workbook holds a formula: a calculation chain, or <f> on any worksheet."""
    wb = workbook_part(parts)
    if related_part(parts, wb, "/calcChain") in parts:
        return True
    for entry in workbook_sheets(parts):
        if entry.part in parts:
            root = etree.fromstring(parts[entry.part])
            if root.tag == f"{_M}worksheet" and next(root.iter(f"{_M}f"), None) is not None:
                return True
    return False


def pivot_zones(parts: Parts, part: str) -> list[Range]:
    """Where the sheet's PivotTables are, with their report filters above and room to grow:
    LibreOffice refreshes pivot tables on load and lays them out with a caption row and
    total rows and columns that Excel's copy may not have. esp refuses to write inside."""
    return [
        (max(1, r1 - filters - 1), c1, r2 + 2, c2 + 1)
        for (r1, c1, r2, c2), filters in pivot_locations(parts, part)
    ]


def make_plan(path: Path) -> Plan:
    info = Workbook.open(path).sheets[0]
    parts = zip_parts(path)
    part = sheet_part(parts, info.name)
    assert part == info.part, (info.part, part)  # esp and support agree on the sheet
    xml = parts[part]
    root = etree.fromstring(xml)
    cells = sheet_cells(xml)
    merges = [parse_range(m.get("ref", "")) for m in root.iterfind(f"{_M}mergeCells/{_M}mergeCell")]
    avoid = merges + pivot_zones(parts, part)
    protection = root.find(f"{_M}sheetProtection")
    protected = protection is not None and protection.get("sheet") in ("1", "true")
    elements = {make_ref(r, c): el for r, c, el in iter_cell_positions(root)}

    used = [split_ref(ref) for ref in cells]
    row = max((r for r, _ in used), default=0) + 1
    first_col = min((c for _, c in used), default=1)
    targets = [(row, first_col + i) for i in range(len(NEW_VALUES))]
    while any(inside(avoid, r, c) for r, c in targets):  # a merge may reach below the cells
        targets = [(r + 1, c) for r, c in targets]
    writes: dict[str, Value] = {
        make_ref(r, c): value for (r, c), value in zip(targets, NEW_VALUES, strict=True)
    }

    for ref in reversed(list(cells)):  # the last plain value: a data cell, not a header
        el = elements[ref]
        if (
            el.get("t") in PLAIN_TYPES
            and el.find(f"{_M}f") is None
            and el.get("vm") is None
            and el.get("cm") is None
            and (el.find(f"{_M}v") is not None or el.find(f"{_M}is") is not None)
            and not inside(avoid, *split_ref(ref))
        ):
            writes[ref] = OVERWRITE
            break
    dimension = root.find(f"{_M}dimension")
    return Plan(
        sheet=info.name,
        part=part,
        writes=writes,
        protected=protected,
        formulas=has_formulas(parts),
        dimension=parse_range(dimension.get("ref", "")) if dimension is not None else None,
    )


@dataclass
class Outcome:
    plan: Plan
    original: Path
    written: Path
    error: BaseException | None = None  # an unexpected failure of the writer
    refusals: dict[str, UnsafeWriteError] = field(default_factory=dict)


def write_plan(path: Path, plan: Plan) -> dict[str, UnsafeWriteError]:
    """Write every planned cell through esp; on a protected sheet, try each one alone."""
    refusals: dict[str, UnsafeWriteError] = {}
    with locked_for_update(path) as wb:
        sheet = wb.sheets[0]
        patcher = wb.patcher()
        for ref, value in plan.writes.items():
            row, col = split_ref(ref)
            try:
                patcher.set(sheet.name, row, col, value)
            except UnsafeWriteError as exc:
                refusals[ref] = exc
        if not refusals:
            wb.save(patcher, backup_dir=path.parent / "backups")
    return refusals


@pytest.fixture(scope="module")
def outcomes(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    base = tmp_path_factory.mktemp("corpus")
    result: dict[str, Outcome] = {}
    for name in NAMES:
        original = corpus_dir / name
        folder = base / Path(name).stem
        folder.mkdir()
        written = folder / name
        shutil.copyfile(original, written)
        plan = make_plan(original)
        outcome = Outcome(plan, original, written)
        try:
            outcome.refusals = write_plan(written, plan)
        except Exception as exc:  # reported by this workbook's test, not by the fixture
            outcome.error = exc
        result[name] = outcome
    return result


def outcome_of(outcomes: dict[str, Outcome], name: str) -> Outcome:
    outcome = outcomes[name]
    if outcome.error is not None:
        raise outcome.error
    return outcome


def written(outcomes: dict[str, Outcome], name: str) -> Outcome:
    """The outcome of a workbook esp wrote; a protected first sheet has its own test."""
    outcome = outcome_of(outcomes, name)
    if outcome.plan.protected:
        pytest.skip("protected sheet: the writes are refused (test_protected_first_sheets_refuse)")
    return outcome


# ------------------------------------------------------------------------- the package


# The ranges a row written right under them joins (their last row in group 1): a table's and
# its filter's; a sheet's own filter; the hidden name Excel keeps beside a sheet's filter.
TABLE_REFS = re.compile(rb'<(?:\w+:)?(?:table|autoFilter)\b[^>]*?\sref="[A-Z]+\d+:[A-Z]+(\d+)"')
SHEET_FILTER_REF = re.compile(rb'<(?:\w+:)?autoFilter\b[^>]*?\sref="[A-Z]+\d+:[A-Z]+(\d+)"')
FILTER_NAME_REF = re.compile(rb'name="_xlnm\._FilterDatabase"[^>]*>[^<]*?:\$?[A-Z]+\$?(\d+)<')


def ungrown(before: bytes, after: bytes, row: int, refs: re.Pattern[bytes]) -> bytes | None:
    """`after` with each range of `refs` that now ends at `row` ending where it did in
    `before` again; None when one changed otherwise."""
    olds, news = list(refs.finditer(before)), list(refs.finditer(after))
    if len(olds) != len(news):
        return None
    pieces, pos = [], 0
    for old, new in zip(olds, news, strict=True):
        if new.group(1) != old.group(1) and int(new.group(1)) != row:
            return None
        pieces += [after[pos : new.start(1)], old.group(1)]
        pos = new.end(1)
    return b"".join(pieces) + after[pos:]


def grown_only(before: bytes, after: bytes, row: int) -> bool:
    """Whether a table part changed only by its range and its filter's range now ending at
    `row`."""
    return ungrown(before, after, row, TABLE_REFS) == before


@pytest.mark.parametrize("name", NAMES)
def test_other_parts_are_copied_as_stored(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = written(outcomes, name)
    before, after = zip_parts(outcome.original), zip_parts(outcome.written)
    wb = workbook_part(before)
    changeable = {
        outcome.plan.part,
        related_part(before, wb, "/sharedStrings"),
        related_part(before, wb, "/styles"),
        wb,  # see test_the_workbook_asks_for_recalculation_when_it_holds_formulas
    }
    assert list(after) == list(before)  # nothing added, removed or reordered
    # A row written right under an Excel table joins it, as a row typed there does in
    # Excel: the table part changes, by its range (and its filter's) and nothing else.
    rows = {split_ref(ref)[0] for ref in outcome.plan.writes}
    grown = {
        n
        for rel in part_relationships(before, outcome.plan.part)
        if rel.type.endswith("/table")
        and before[n := resolve_target(outcome.plan.part, rel.target)] != after[n]
    }
    for n in grown:
        assert grown_only(before[n], after[n], max(rows)), n
    assert {n for n in before if before[n] != after[n]} <= changeable | grown
    changeable |= grown
    assert before[outcome.plan.part] != after[outcome.plan.part]

    # Flag bit 3 (data descriptors) and extra fields are dropped on purpose (XLSX-NOTES 7).
    def kept(path: Path) -> dict[str, tuple[object, ...]]:
        return {
            i.name: (i.order, i.compress_type, i.crc, i.compress_size, i.date_time, i.external_attr)
            for i in zip_infos(path)
            if i.name not in changeable
        }

    assert kept(outcome.written) == kept(outcome.original)
    stored_before, stored_after = stored_bytes(outcome.original), stored_bytes(outcome.written)
    assert [n for n in before if n not in changeable and stored_before[n] != stored_after[n]] == []


# ------------------------------------------------------------------------------ the sheet


@pytest.mark.parametrize("name", NAMES)
def test_only_the_written_cells_change(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = written(outcomes, name)
    plan = outcome.plan
    before = zip_parts(outcome.original)[plan.part]
    after = zip_parts(outcome.written)[plan.part]
    old, new = sheet_cells(before), sheet_cells(after)
    changed = {ref for ref in old.keys() | new.keys() if old.get(ref) != new.get(ref)}
    assert changed == set(plan.writes)  # cached formula results (<v>) included


@pytest.mark.parametrize("name", NAMES)
def test_the_workbook_asks_for_recalculation_when_it_holds_formulas(
    outcomes: dict[str, Outcome], name: str
) -> None:
    outcome = written(outcomes, name)
    before, after = zip_parts(outcome.original), zip_parts(outcome.written)
    wb = workbook_part(before)
    old, new = before[wb], after[wb]
    # A sheet's filter grown over a row written right under it: its hidden name with it.
    last = max(split_ref(ref)[0] for ref in outcome.plan.writes)
    new = ungrown(old, new, last, FILTER_NAME_REF) or new
    asked = re.search(rb'fullCalcOnLoad\s*=\s*["\'](1|true)["\']', old) is not None
    if not outcome.plan.formulas or asked:
        assert new == old
        return
    (calc,) = _CALC_PR.findall(new)
    assert etree.fromstring(new).find(f"{_M}calcPr").get("fullCalcOnLoad") == "1"
    if _CALC_PR.search(old):
        assert new.replace(b' fullCalcOnLoad="1"', b"", 1) == old
    else:
        assert calc.endswith(b'calcPr fullCalcOnLoad="1"/>')
        assert new.replace(calc, b"", 1) == old


@pytest.mark.parametrize("name", NAMES)
def test_outside_sheet_data_only_dimension(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = written(outcomes, name)
    plan = outcome.plan
    before = sheet_parts_outside_sheetdata(zip_parts(outcome.original)[plan.part])
    after = sheet_parts_outside_sheetdata(zip_parts(outcome.written)[plan.part])
    # A row written right under the sheet's own filter joins it, as a table's.
    last = max(split_ref(ref)[0] for ref in plan.writes)
    after = ungrown(before, after, last, SHEET_FILTER_REF) or after
    dimension = _DIMENSION_REF.search(after)
    if plan.dimension is None:
        assert dimension is None
    else:
        assert dimension is not None
        boxes = [plan.dimension] + [parse_range(ref) for ref in plan.writes]
        expected = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        assert parse_range(dimension.group(2).decode()) == expected
    assert _DIMENSION_REF.sub(rb"\1\3", after) == _DIMENSION_REF.sub(rb"\1\3", before)


@needs_schemas
@pytest.mark.parametrize("name", NAMES)
def test_no_new_validation_errors(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = written(outcomes, name)
    old = set(validate_package(outcome.original))
    assert [e for e in validate_package(outcome.written) if e not in old] == []


@pytest.mark.parametrize("name", NAMES)
def test_esp_reads_the_new_values(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = written(outcomes, name)
    wb = Workbook.open(outcome.written)
    values = wb.values(wb.sheets[0])
    got = {ref: values.get(*split_ref(ref)) for ref in outcome.plan.writes}
    assert got == outcome.plan.writes


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("name", NAMES)
def test_protected_first_sheets_refuse(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcome_of(outcomes, name)
    if not outcome.plan.protected:
        assert outcome.refusals == {}
        return
    assert set(outcome.refusals) == set(outcome.plan.writes)
    for ref, exc in outcome.refusals.items():
        assert f"!{ref}" in exc.message and "protected" in exc.message
    assert outcome.written.read_bytes() == outcome.original.read_bytes()
    assert not (outcome.written.parent / "backups").exists()


def test_protection_without_the_sheet_flag_is_no_protection(outcomes: dict[str, Outcome]) -> None:
    # poi__56644.xlsx carries <sheetProtection formatCells="0" .../> without sheet="1";
    # CT_SheetProtection's sheet defaults to false, so Excel does not lock it and esp writes.
    outcome = outcome_of(outcomes, "poi__56644.xlsx")
    xml = zip_parts(outcome.original)[outcome.plan.part]
    protection = etree.fromstring(xml).find(f"{_M}sheetProtection")
    assert protection is not None and protection.get("sheet") is None
    assert not outcome.plan.protected and outcome.refusals == {}
    assert outcome.written.read_bytes() != outcome.original.read_bytes()


def _has_formula(parts: Parts, part: str, ref: str) -> bool:
    return b"<f" in sheet_cells(parts[part])[ref].inner


def _inside_a_merge_not_its_first_cell(parts: Parts, part: str, ref: str) -> bool:
    row, col = split_ref(ref)
    merges = etree.fromstring(parts[part]).iterfind(f"{_M}mergeCells/{_M}mergeCell")
    ranges = [parse_range(merge.get("ref", "")) for merge in merges]
    return inside(ranges, row, col) and all((r1, c1) != (row, col) for r1, c1, _, _ in ranges)


def _in_cell_picture(parts: Parts, part: str, ref: str) -> bool:
    return "vm" in sheet_cells(parts[part])[ref].attrs


def _in_a_pivot_table(parts: Parts, part: str, ref: str) -> bool:
    return inside([where for where, _ in pivot_locations(parts, part)], *split_ref(ref))


def _protected(parts: Parts, part: str, ref: str) -> bool:
    protection = etree.fromstring(parts[part]).find(f"{_M}sheetProtection")
    return protection is not None and protection.get("sheet") in ("1", "true")


REFUSED = [
    pytest.param(
        "poi__NewStyleConditionalFormattings.xlsx",
        "CF",
        "C2",
        _has_formula,
        "holds a formula",
        id="formula",
    ),
    pytest.param(
        "poi__NewStyleConditionalFormattings.xlsx",
        "CF",
        "D2",
        _has_formula,
        "holds a formula",
        id="shared-formula-master",
    ),
    pytest.param(
        "poi__NewStyleConditionalFormattings.xlsx",
        "CF",
        "E2",
        _has_formula,
        "holds a formula",
        id="shared-formula-follower",
    ),
    pytest.param(
        "poi__Tables.xlsx",
        "Exp1",
        "B5",
        _inside_a_merge_not_its_first_cell,
        "inside the merged cells A5:J5",
        id="merged",
    ),
    pytest.param(
        "calamine__pivots.xlsx",
        "PivotSheet1",
        "E5",
        _in_a_pivot_table,
        "is part of the PivotTable 'PivotTable1'",
        id="pivot-table",
    ),
    pytest.param(
        "calamine__pictures_in_cell_and_over_cell.xlsx",
        "Sheet1",
        "A1",
        _in_cell_picture,
        "picture",
        id="picture-in-cell",
    ),
    pytest.param(
        "poi__CVLKRA-KYC_Download_File_Structure_V3.1.xlsx",
        "KYC",
        "B2",
        _protected,
        "is protected",
        id="protected-legacy-password",
    ),
]


@pytest.mark.parametrize(("name", "sheet", "ref", "is_case", "reason"), REFUSED)
def test_refused_write_names_the_cell_and_changes_nothing(
    corpus_dir: Path,
    tmp_path: Path,
    name: str,
    sheet: str,
    ref: str,
    is_case: Callable[[Parts, str, str], bool],
    reason: str,
) -> None:
    original = corpus_dir / name
    parts = zip_parts(original)
    assert is_case(parts, sheet_part(parts, sheet), ref)  # the corpus cell is what we claim
    path = tmp_path / name
    shutil.copyfile(original, path)
    with locked_for_update(path) as wb:
        patcher = wb.patcher()
        with pytest.raises(UnsafeWriteError) as refused:
            patcher.set(sheet, *split_ref(ref), "x")
        assert patcher.pending == 0
    assert f"!{ref}" in refused.value.message and reason in refused.value.message
    assert path.read_bytes() == original.read_bytes()
    assert not (tmp_path / "esp-backups").exists()


# ----------------------------------------------------------------------------- LibreOffice

Sheets = dict[str, Rows]


@pytest.fixture(scope="module")
def libreoffice(
    outcomes: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Sheets, Sheets]]:
    """(original, written) CSV rows of every sheet of every written workbook: ONE soffice run."""
    base = tmp_path_factory.mktemp("libreoffice")
    originals = base / "originals"
    originals.mkdir()
    pairs: dict[str, tuple[Path, Path]] = {}
    for name, outcome in outcomes.items():
        if outcome.error is None and not outcome.plan.protected:
            copy = originals / f"original-{name}"  # distinct CSV names within the one run
            shutil.copyfile(outcome.original, copy)
            pairs[name] = (copy, outcome.written)
    rows = convert_workbooks([path for pair in pairs.values() for path in pair], base / "csv")
    return {name: (rows[before], rows[after]) for name, (before, after) in pairs.items()}


@dataclass
class Derived:
    """Cells whose shown value is computed: formulas (esp asks for a recalculation on load)
    and PivotTables (LibreOffice refreshes them on load from possibly changed sources)."""

    formulas: set[str] = field(default_factory=set)
    pivots: list[Range] = field(default_factory=list)

    def __contains__(self, ref: str) -> bool:
        return ref in self.formulas or inside(self.pivots, *split_ref(ref))


def derived_cells(path: Path) -> dict[str, Derived]:
    parts = zip_parts(path)
    found = {}
    for entry in workbook_sheets(parts):
        xml = parts.get(entry.part or "")
        if entry.part and xml and etree.QName(etree.fromstring(xml)).localname == "worksheet":
            formulas = {ref for ref, c in sheet_cells(xml).items() if b"<f" in c.inner}
            found[entry.name] = Derived(formulas, pivot_zones(parts, entry.part))
    return found


def differences(before: Rows, after: Rows, skip: Callable[[str], bool]) -> list[str]:
    height = max(len(before), len(after))
    width = max((len(row) for row in [*before, *after]), default=0)
    found = []
    for row in range(1, height + 1):
        for col in range(1, width + 1):
            ref = make_ref(row, col)
            old, new = cell(before, ref), cell(after, ref)
            if old != new and not skip(ref):
                found.append(f"{ref}: {old!r} -> {new!r}")
    return found


@needs_soffice
@pytest.mark.parametrize("name", NAMES)
def test_libreoffice_shows_the_new_values_and_the_old_ones(
    outcomes: dict[str, Outcome], libreoffice: dict[str, tuple[Sheets, Sheets]], name: str
) -> None:
    outcome = written(outcomes, name)
    plan = outcome.plan
    before, after = libreoffice[name]
    assert list(after) == list(before)
    shown = {ref: cell(after[plan.sheet], ref) for ref in plan.writes}
    assert shown == {ref: SHOWN[value] for ref, value in plan.writes.items()}
    # Every other cell of every sheet shows as before, but for computed ones (see Derived).
    derived = derived_cells(outcome.original)

    def skip(sheet: str) -> Callable[[str], bool]:
        computed = derived.get(sheet, Derived())
        return lambda ref: ref in computed or (sheet == plan.sheet and ref in plan.writes)

    changed = {
        sheet: differences(rows, after[sheet], skip(sheet)) for sheet, rows in before.items()
    }
    assert {sheet: found for sheet, found in changed.items() if found} == {}
