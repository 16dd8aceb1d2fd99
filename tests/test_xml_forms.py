"""Property: however a sheet's XML is spelled, every write command changes exactly the cells
it means to, and every part stays well-formed and readable.

The OOXML schema lets a program write a worksheet's rows and cells in many forms: either
quoting, spaces around `=`, attributes in any order, comments and processing instructions
between elements, CDATA text, rows and cells without `r`, cells and rows out of order,
inline and rich-text strings, a namespace prefix on every element. Hypothesis re-spells the
sample tracker's sheet in such forms; every writing command then runs on the sample as Excel
spells it and on the re-spelled copy, and the two must end with the same cells, the same
other parts, and well-formed XML that openpyxl (and, for a few forms, LibreOffice) reads.
A second property builds trackers with empty leading columns and columns of data without a
header, and checks each write lands where it should and nowhere else.
"""

from __future__ import annotations

import random
import re
import shutil
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.demo import copy_sample
from esp_cli.workbook.xlsx.zipio import rewrite
from tests import factories
from tests.support import libreoffice
from tests.support.marks import needs_soffice
from tests.support.packages import iter_cell_positions, make_ref

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"  # the sample's ESP Tracker sheet
DAY = "2026-11-24"

# Every command that writes the tracker, as the team runs them (the clock given).
WRITES: list[tuple[list[str], str]] = [
    (["sync-nnumbers"], ""),
    (["record-step", "Tyrone Jackson", "coaching", "--date", DAY, "--note", "TBT plan"], ""),
    (["escalations", "--write", "--write-past", "--as-of", DAY], ""),
    (["progress", "import", "--date", DAY], ""),
    (["access", "set", "Marcus Lee", "password reset", "--spoc-called", DAY, "--incident",
      "INC0049377", "--phone", "513.555.0131", "--date", DAY], ""),
    (["note", "add", "Tyrone Jackson", "Call Cert -- 9 AM <confirmed> & ok", "--date", DAY], ""),
    (["note", "add", "Tyrone Jackson", "TBT 6 of 8", "--tbt", "--by", "Zoe", "--date", DAY], ""),
    (["tbt", "proofs", "{folder}/tbt-proofs"], ""),
    (["sme", "assign", "AET-1116", "--sme", "Keisha Grant", "--sme", "Marcus Bell"], ""),
    (["undo"], ""),
    (["note", "import", "{folder}/notes.csv", "--by", "Zoe"], ""),
    (["round", "--sme", "Keisha Grant", "--by", "Keisha Grant", "--yes"],
     "Module 3 of 8\n\nOn module 5\nq\n"),
]  # fmt: skip


@dataclass(frozen=True)
class Form:
    """One way of spelling the rows and cells of a sheet."""

    prefix: bool  # <x:row> with xmlns:x instead of a default namespace
    quote: str  # '"', "'" or "mixed"
    space: str  # around '=': "", " " or "\n"
    r_last: bool  # r after the other attributes
    drop_row_r: bool  # no r on a row that follows the one before it
    drop_cell_r: bool  # no r on a cell that follows the one before it
    shuffle_cells: bool  # cells of a row in another order (r kept on each)
    shuffle_rows: bool  # rows in another order (r kept on each)
    comments: bool
    instructions: bool
    cdata: bool
    seed: int
    inline: bool = False  # some shared strings written in the cell, some as rich text


forms = st.builds(
    Form,
    prefix=st.booleans(),
    quote=st.sampled_from(['"', "'", "mixed"]),
    space=st.sampled_from(["", " ", "\n"]),
    r_last=st.booleans(),
    drop_row_r=st.booleans(),
    drop_cell_r=st.booleans(),
    shuffle_cells=st.booleans(),
    shuffle_rows=st.booleans(),
    comments=st.booleans(),
    instructions=st.booleans(),
    cdata=st.booleans(),
    seed=st.integers(0, 2**16),
    inline=st.booleans(),
)


class _Writer:
    """Serialises the rows of a worksheet in one Form (the rest of the part is kept)."""

    def __init__(
        self, form: Form, nsmap: dict[str | None, str], strings: list[str] | None = None
    ) -> None:
        self.strings = strings or []
        self.form = form
        self.rng = random.Random(form.seed)
        self.prefixes = {uri: p for p, uri in nsmap.items() if p}
        self.prefixes["http://www.w3.org/XML/1998/namespace"] = "xml"
        self.main = "x:" if form.prefix else ""

    def name(self, tag: str) -> str:
        uri, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if uri == MAIN:
            return self.main + local
        return f"{self.prefixes[uri]}:{local}" if uri else local

    def attr(self, key: str, value: str) -> str:
        q = self.form.quote if self.form.quote != "mixed" else self.rng.choice(['"', "'"])
        text = escape(value, {q: "&quot;" if q == '"' else "&apos;", "\n": "&#10;"})
        sp = self.form.space
        return f" {self.name(key)}{sp}={sp}{q}{text}{q}"

    def extra(self) -> str:
        out = ""
        if self.form.comments and self.rng.random() < 0.3:
            out += f"<!-- <c r='A1'><v>{self.rng.randint(0, 9)}</v></c> note -->"
        if self.form.instructions and self.rng.random() < 0.2:
            out += "<?producer keep <row r='1'/> ?>"
        return out

    def element(self, el: etree._Element, drop_r: bool = False) -> str:
        v = el.find(f"{{{MAIN}}}v")
        if self.form.inline and el.get("t") == "s" and v is not None and self.rng.random() < 0.5:
            el = self._inline(el, self.strings[int(v.text or "0")])
        items = [(k, v) for k, v in el.attrib.items() if not (drop_r and k == "r")]
        if self.form.r_last:
            items.sort(key=lambda kv: kv[0] == "r")
        attrs = "".join(self.attr(str(k), str(v)) for k, v in items)
        tag = self.name(el.tag)
        children = list(el)
        text = el.text or ""
        if not children and not text:
            return f"<{tag}{attrs}/>"
        body = ""
        if text:
            if self.form.cdata and "]]>" not in text and self.rng.random() < 0.5:
                body = f"<![CDATA[{text}]]>"
            else:
                body = escape(text, {"\r": "&#13;"})
        for child in children:
            body += self.extra() + self.element(child)
        return f"<{tag}{attrs}>{body}</{tag}>"

    def _inline(self, cell: etree._Element, text: str) -> etree._Element:
        """The cell with its shared string written inline: plain, or as two rich runs."""
        new = etree.Element(cell.tag, {k: v for k, v in cell.attrib.items() if k != "t"})
        new.set("t", "inlineStr")
        inline = etree.SubElement(new, f"{{{MAIN}}}is")
        cut = self.rng.randint(0, len(text))
        if len(text) > 1 and self.rng.random() < 0.5:
            for i, part in enumerate((text[:cut], text[cut:])):
                run = etree.SubElement(inline, f"{{{MAIN}}}r")
                if i:
                    etree.SubElement(etree.SubElement(run, f"{{{MAIN}}}rPr"), f"{{{MAIN}}}b")
                t = etree.SubElement(run, f"{{{MAIN}}}t")
                t.text = part
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        else:
            t = etree.SubElement(inline, f"{{{MAIN}}}t")
            t.text = text
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return new

    def rows(self, sheet_data: etree._Element) -> str:
        rows = list(sheet_data)
        shuffle_rows = self.form.shuffle_rows and len(rows) > 2
        if shuffle_rows:
            rows = rows[:]
            self.rng.shuffle(rows)
        out, prev_row = [], 0
        for row in rows:
            num = int(row.get("r", prev_row + 1))
            drop_row = self.form.drop_row_r and not shuffle_rows and num == prev_row + 1
            cells = list(row)
            shuffle = self.form.shuffle_cells and len(cells) > 2 and self.rng.random() < 0.5
            if shuffle:
                cells = cells[:]
                self.rng.shuffle(cells)
            inner, prev_col = "", 0
            for cell in cells:
                col = _col(cell.get("r", "")) or prev_col + 1
                drop = self.form.drop_cell_r and not shuffle and col == prev_col + 1
                inner += self.extra() + self.element(cell, drop_r=drop)
                prev_col = col
            attrs = [(k, v) for k, v in row.attrib.items() if not (drop_row and k == "r")]
            if self.form.r_last:
                attrs.sort(key=lambda kv: kv[0] == "r")
            tag = self.name(row.tag)
            head = "".join(self.attr(str(k), str(v)) for k, v in attrs)
            out.append(self.extra() + f"<{tag}{head}>{inner}</{tag}>")
            prev_row = num
        return "".join(out)


def _col(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    n = 0
    for ch in letters.group(0) if letters else "":
        n = n * 26 + ord(ch) - 64
    return n


def respell(xml: bytes, form: Form, strings: list[str] | None = None) -> bytes:
    """The worksheet with its rows written in `form` (and, with a prefix, every element of
    the main namespace prefixed), everything else as it was. `strings`: the shared strings,
    for a form that writes some of them inline."""
    root = etree.fromstring(xml)
    sheet_data = root.find(f"{{{MAIN}}}sheetData")
    assert sheet_data is not None
    writer = _Writer(form, dict(root.nsmap), strings)
    rows = writer.rows(sheet_data)
    for row in list(sheet_data):
        sheet_data.remove(row)
    sheet_data.text = "@@ROWS@@"
    if form.prefix:
        nsmap = {k: v for k, v in root.nsmap.items() if k is not None}
        nsmap["x"] = MAIN
        new_root = etree.Element(root.tag, nsmap=nsmap)
        for k, v in root.attrib.items():
            new_root.set(k, v)
        new_root.extend(root)
        root = new_root
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return text.replace(b"@@ROWS@@", rows.encode("utf-8"))


# -- reading the result independently of esp -----------------------------------------------


def cell_values(path: Path) -> dict[str, tuple[str | None, str]]:
    """Every cell of the tracker sheet: (type, what it holds), strings resolved."""
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(SHEET))
        sst = etree.fromstring(z.read("xl/sharedStrings.xml"))
    strings = ["".join(si.itertext()) for si in sst.iterfind(f"{{{MAIN}}}si")]
    out: dict[str, tuple[str | None, str]] = {}
    for row, col, c in iter_cell_positions(root):
        ref = make_ref(row, col)
        assert ref not in out, f"two cells {ref}"
        t = c.get("t")
        v = c.find(f"{{{MAIN}}}v")
        f = c.find(f"{{{MAIN}}}f")
        if t == "s" and v is not None:
            held = strings[int(v.text or "0")]
            t = "str"
        elif t == "inlineStr":
            held = "".join(c.find(f"{{{MAIN}}}is").itertext())  # type: ignore[union-attr]
            t = "str"
        else:
            held = v.text or "" if v is not None else ""
        if f is not None:
            held = f"={f.text or ''}={held}"
        if held or c.get("s") not in (None, "0"):
            out[ref] = (t, held)
    return out


def other_parts(path: Path) -> dict[str, bytes]:
    """Every part but the tracker sheet; the shared strings as their texts and uniqueCount
    (cells written inline hold no reference to count, and a note appended to a cell written
    as rich text keeps its runs: the same text in another form)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist() if n != SHEET}
    sst = "xl/sharedStrings.xml"
    root = etree.fromstring(parts[sst])
    texts = ["".join(si.itertext()) for si in root.iterfind(f"{{{MAIN}}}si")]
    parts[sst] = repr((root.get("uniqueCount"), texts)).encode()
    return parts


def well_formed_and_readable(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))  # raises when not well-formed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on extensions it does not keep
        openpyxl.load_workbook(path)


def _mask(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "{folder}")
    text = re.sub(r"\d{4}-\d\d-\d\d_\d{6}(?:_\d{6})?", "{stamp}", text)
    return re.sub(r"\b[0-9a-f]{8}\b", "{op}", text)


def setup(folder: Path) -> Path:
    copy_sample(folder)
    (folder / "notes.csv").write_text(
        "agent,note,column\nKayla Brooks,Module 5 of 8,TBT Notes\nE10316,Coaching booked\n",
        encoding="utf-8",
    )
    return folder / "esp.toml"


def run_all(folder: Path, config: Path) -> list[tuple[int, str]]:
    out = []
    for argv, typed in WRITES:
        args = [a.replace("{folder}", str(folder)) for a in argv]
        res = CliRunner().invoke(app, [*args, "--config", str(config)], input=typed)
        out.append((res.exit_code, _mask(res.stdout, folder)))
    return out


@dataclass(frozen=True)
class Canonical:
    """The sample as Excel spells it, after every write command: the tracker and what
    each command printed."""

    tracker: Path
    results: list[tuple[int, str]]

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"Canonical({self.tracker})"


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> Canonical:
    folder = tmp_path_factory.mktemp("canonical")
    results = run_all(folder, setup(folder))
    assert [code for code, _ in results] == [0] * len(WRITES), results
    return Canonical(folder / "ESP Tracker.xlsx", results)


def respelled_sample(folder: Path, form: Form) -> Path:
    config = setup(folder)
    tracker = folder / "ESP Tracker.xlsx"
    with zipfile.ZipFile(tracker) as z:
        sst = etree.fromstring(z.read("xl/sharedStrings.xml"))
        strings = ["".join(si.itertext()) for si in sst.iterfind(f"{{{MAIN}}}si")]
        new = respell(z.read(SHEET), form, strings)
        tracker.write_bytes(rewrite(tracker.read_bytes(), z, {SHEET: new}))
    return config


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=forms)
def test_every_write_changes_the_same_cells_however_the_sheet_is_spelled(
    form: Form, canonical: Canonical, tmp_path_factory: pytest.TempPathFactory
) -> None:
    expected_path, expected_results = canonical.tracker, canonical.results
    folder = tmp_path_factory.mktemp("form")
    config = respelled_sample(folder, form)
    tracker = folder / "ESP Tracker.xlsx"
    before = cell_values(tracker)
    assert before == cell_values(
        expected_path.parent / "esp-backups" / _first_backup(expected_path)
    )
    results = run_all(folder, config)
    assert results == expected_results
    well_formed_and_readable(tracker)
    assert cell_values(tracker) == cell_values(expected_path)
    assert other_parts(tracker) == other_parts(expected_path)


def _first_backup(tracker: Path) -> str:
    """The backup made by the first write: the sample as it was."""
    backups = sorted((tracker.parent / "esp-backups").glob("ESP Tracker.*.xlsx"))
    return min(backups, key=lambda p: p.stat().st_mtime_ns).name


# A few forms, opened by LibreOffice after every write (soffice is slow: keep this small).
LIBREOFFICE_FORMS = [
    Form(True, "'", " ", True, True, True, False, False, True, True, True, 1, inline=True),
    Form(False, "mixed", "\n", False, False, False, True, True, True, False, False, 2),
]


@pytest.mark.interop
@needs_soffice
@pytest.mark.parametrize("form", LIBREOFFICE_FORMS, ids=["prefixed r-less", "shuffled"])
def test_libreoffice_reads_what_every_write_left(
    form: Form, canonical: Canonical, tmp_path: Path
) -> None:
    expected_path = canonical.tracker
    folder = tmp_path / "form"
    folder.mkdir()
    run_all(folder, respelled_sample(folder, form))
    got = libreoffice.convert_to_csv(folder / "ESP Tracker.xlsx", "ESP Tracker", tmp_path / "a")
    shutil.copy(expected_path, tmp_path / "expected.xlsx")
    want = libreoffice.convert_to_csv(tmp_path / "expected.xlsx", "ESP Tracker", tmp_path / "b")
    assert got == want


# -- trackers with empty leading columns and columns of data without a header -------------


HEADERS = factories.headers("class", "agent_name", "agent_id", "notes")


@st.composite
def layouts(draw: Any) -> tuple[int, list[int], Form, int]:
    """(empty leading columns, columns of unlabelled data after the headers (offsets),
    the spelling, the agent rows)."""
    margin = draw(st.integers(0, 3))
    unlabelled = draw(st.lists(st.integers(1, 3), max_size=2, unique=True))
    return margin, sorted(unlabelled), draw(forms), draw(st.integers(1, 4))


def _layout_book(path: Path, margin: int, unlabelled: list[int], form: Form, agents: int) -> None:
    width = len(HEADERS)
    rows: list[list[Any]] = [[None] * margin + list(HEADERS)]
    for i in range(agents):
        row: list[Any] = [None] * margin + [
            "AET-1",
            f"Agent {i}",
            f"E{100 + i}",
            f"11/20/2026 - Jo - n{i}",
        ]
        for off in unlabelled:
            row += [None] * (margin + width + off - len(row))
            row[margin + width + off - 1] = f"data {i}-{off}"
        rows.append(row)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    for r in rows:
        ws.append(r)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        new = respell(z.read(SHEET), form)
        path.write_bytes(rewrite(path.read_bytes(), z, {SHEET: new}))


def _plain_values(path: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(layout=layouts())
def test_writes_land_in_their_own_cells_on_any_layout(
    layout: tuple[int, list[int], Form, int], tmp_path_factory: pytest.TempPathFactory
) -> None:
    margin, unlabelled, form, agents = layout
    folder = tmp_path_factory.mktemp("layout")
    path = folder / "ESP Tracker.xlsx"
    _layout_book(path, margin, unlabelled, form, agents)
    before = _plain_values(path)
    res = CliRunner().invoke(
        app,
        ["note", "add", "E100", "Called", "--by", "Jo", "--date", DAY, "-t", str(path)],
    )
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(
        app,
        [
            "note",
            "add",
            "E100",
            "On module 2",
            "--tbt",
            "--by",
            "Jo",
            "--date",
            DAY,
            "-t",
            str(path),
        ],
    )
    assert res.exit_code == 0, res.output
    well_formed_and_readable(path)
    after = _plain_values(path)
    notes = make_ref(2, margin + 4)
    last_used = margin + len(HEADERS) + (max(unlabelled) if unlabelled else 0)
    # Right after the last header when that column is empty, else after the last used one.
    tbt_col = margin + len(HEADERS) + 1 if 1 not in unlabelled else last_used + 1
    tbt_header, tbt_cell = make_ref(1, tbt_col), make_ref(2, tbt_col)
    assert after[notes] == f"{before[notes]}\n11/24/2026 - Jo - Called"
    assert after[tbt_header] == "TBT Notes"
    assert after[tbt_cell] == "Jo - 11/24/2026 - On module 2"
    changed = {k for k in {*before, *after} if before.get(k) != after.get(k)}
    assert changed == {notes, tbt_header, tbt_cell}
