"""Write the ladder documents' default Word templates into src/esp_cli/templates/.

esp ships them as package data: `esp document` fills one in for each step (the documented
coaching, the written CAP, the final CAP, the term review), and `esp config templates DIR`
copies them for the team to edit in Word. Each is an ordinary .docx whose placeholders are
Jinja tags (docxtpl): `{{ agent_name }}`, a paragraph `{%p for line in missing %}`, a table
row `{%tr for s in ahead %}`; core/documents.py lists them. Run this after changing the
wording below, and commit what changed: `python scripts/make_templates.py`.
tests/test_document.py rebuilds them and fails if the shipped files differ by a byte.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Length, Pt, RGBColor
from docx.table import Table

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src" / "esp_cli" / "templates"
# Fixed, so a rebuild gives the same bytes: the zip entries' times and the core properties.
STAMP = (2026, 1, 1, 0, 0, 0)
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
GREY = RGBColor(0x59, 0x59, 0x59)


@dataclass(frozen=True)
class Wording:
    """One step's own words; the rest of the document is the same for every step."""

    file: str
    title: str
    why: str  # the opening paragraph: why this step is delivered today
    expectation: str  # the sentence before the list of what follows
    follows: Sequence[str]  # the seed's expectation, one line a step still ahead


COACHING = Wording(
    "coaching.docx",
    "Documented Coaching",
    "{{ first_name }}'s {{ not_complete }} are not complete. Call Certs and TBTs should take "
    "no more than 2 days: the target passed on {{ target_passed }}. This documented coaching "
    "is delivered on {{ step_date }}.",
    "This documented coaching sets the expectation that:",
    (
        "Should the agent not complete within one more business day, a written CAP will be "
        "delivered ({{ written_cap_date }}).",
        "If not completed after one more business day, a Final CAP will be delivered "
        "({{ final_cap_date }}).",
        "If not completed after one more business day, the agent may be termed "
        "({{ term_review_date }}).",
    ),
)
WRITTEN_CAP = Wording(
    "written-cap.docx",
    "Written Corrective Action Plan (CAP)",
    "{{ first_name }}'s {{ not_complete }} are still not complete after the documented "
    "coaching of {{ coaching_date }}, which set one more business day to complete them. "
    "This written CAP is delivered on {{ step_date }}.",
    "This written CAP sets the expectation that:",
    (
        "Should the agent not complete within one more business day, a Final CAP will be "
        "delivered ({{ final_cap_date }}).",
        "If not completed after one more business day, the agent may be termed "
        "({{ term_review_date }}).",
    ),
)
FINAL_CAP = Wording(
    "final-cap.docx",
    "Final Corrective Action Plan (Final CAP)",
    "{{ first_name }}'s {{ not_complete }} are still not complete after the written CAP of "
    "{{ written_cap_date }}, which set one more business day to complete them. This final "
    "CAP is delivered on {{ step_date }}.",
    "This final CAP sets the expectation that:",
    (
        "If not completed after one more business day, the agent may be termed "
        "({{ term_review_date }}).",
    ),
)
TERM_REVIEW = Wording(
    "term-review.docx",
    "Term Review",
    "{{ first_name }}'s {{ not_complete }} are still not complete after the final CAP of "
    "{{ final_cap_date }}. As the documented coaching, the written CAP and "
    "the final CAP set out, the agent may be termed. This review of {{ step_date }} "
    "records the decision.",
    "",
    (),
)
WORDINGS = (COACHING, WRITTEN_CAP, FINAL_CAP, TERM_REVIEW)


def _cell_text(table: Table, row: int, col: int, text: str, *, bold: bool = False) -> None:
    paragraph = table.cell(row, col).paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold


def _shade(table: Table, row: int, fill: str) -> None:
    """A header row's background, as Word writes it (w:shd in each cell's properties)."""
    for cell in table.rows[row].cells:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shading)


def _widths(table: Table, widths: Sequence[Length]) -> None:
    """Column widths both ways Word and LibreOffice read them (the grid and each cell)."""
    table.autofit = False
    for c, width in enumerate(widths):
        table.columns[c].width = width
        for cell in table.columns[c].cells:
            cell.width = width


def _rule(doc: DocumentObject, text: str) -> None:
    """A section heading: bold, in the accent colour, with space above."""
    doc.add_heading(text, level=2)


def _agent_block(doc: DocumentObject) -> None:
    rows = (
        ("Agent", "{{ agent_name }}", "Agent ID", "{{ agent_id }}"),
        ("Class", "{{ class_name }}", "TBT SME", "{{ tbt_sme }}"),
        ("ESP Start Date", "{{ esp_start }}", "2-day target passed", "{{ target_passed }}"),
        ("Delivered on", "{{ step_date }}", "Delivered by", "{{ deliverer }}"),
    )
    table = doc.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            _cell_text(table, r, c, text, bold=c % 2 == 0)
    for r in range(len(rows)):
        for c in (0, 2):
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:color"), "auto")
            shading.set(qn("w:fill"), "E8EEF4")
            table.cell(r, c)._tc.get_or_add_tcPr().append(shading)
    _widths(table, (Inches(1.35), Inches(1.9), Inches(1.45), Inches(1.8)))


def _missing(doc: DocumentObject) -> None:
    _rule(doc, "Still not complete")
    doc.add_paragraph("{%p for line in missing %}")
    doc.add_paragraph("{{ line }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")


def _expectation(doc: DocumentObject, wording: Wording) -> None:
    if not wording.follows:
        return
    _rule(doc, "The expectation")
    doc.add_paragraph(wording.expectation)
    for line in wording.follows:
        doc.add_paragraph(line, style="List Bullet")


def _ladder(doc: DocumentObject) -> None:
    """Every step of the ladder with its date: delivered, this one, still ahead."""
    _rule(doc, "The escalation ladder")
    table = doc.add_table(rows=8, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, text in enumerate(("Step", "Date", "Status")):
        _cell_text(table, 0, c, text, bold=True)
    _shade(table, 0, "1F3A5F")
    for cell in table.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    rows = (
        ("{%tr for s in delivered %}", "", ""),
        ("{{ s.step }}", "{{ s.date }}", "Delivered"),
        ("{%tr endfor %}", "", ""),
        ("{{ step }}", "{{ step_date }}", "Delivered with this document"),
        ("{%tr for s in ahead %}", "", ""),
        ("{{ s.step }}", "{{ s.date }}", "Due if still not complete"),
        ("{%tr endfor %}", "", ""),
    )
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            _cell_text(table, r, c, text, bold=r == 4)
    _widths(table, (Inches(1.9), Inches(1.9), Inches(2.7)))


def _border(element: OxmlElement, tag: str, sides: Sequence[str]) -> None:
    """A single thin line on `sides` of a paragraph (w:pBdr) or a cell (w:tcBorders)."""
    borders = OxmlElement(tag)
    for side in sides:
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "6")
        line.set(qn("w:space"), "1")
        line.set(qn("w:color"), "808080")
        borders.append(line)
    element.append(borders)


def _comments(doc: DocumentObject) -> None:
    """Lines to write on by hand: rows of a table ruled underneath (paragraphs with the
    same border would be drawn as one box)."""
    _rule(doc, "Comments and agreed actions")
    table = doc.add_table(rows=2, cols=1)
    for row in table.rows:
        row.height = Inches(0.32)
        _border(row.cells[0]._tc.get_or_add_tcPr(), "w:tcBorders", ("bottom",))
    _widths(table, (Inches(6.5),))


def _signatures(doc: DocumentObject) -> None:
    """A line to sign on and a line for the date, for the agent and for the deliverer."""
    _rule(doc, "Signatures")
    note = doc.add_paragraph(
        "Signing confirms that this document was delivered and discussed, not agreement."
    )
    note.runs[0].italic = True
    signers = (
        ("Agent: {{ agent_name }} ({{ agent_id }})", "Date"),
        ("Delivered by: {{ deliverer }}", "Date"),
    )
    table = doc.add_table(rows=2 * len(signers), cols=3)
    table.autofit = False
    widths = (Inches(3.9), Inches(0.4), Inches(2.2))
    for r, (who, when) in enumerate(signers):
        line, caption = 2 * r, 2 * r + 1
        table.rows[line].height = Inches(0.4)
        for c in (0, 2):
            _border(table.cell(line, c)._tc.get_or_add_tcPr(), "w:tcBorders", ("bottom",))
        _cell_text(table, caption, 0, who)
        _cell_text(table, caption, 2, when)
        for c in (0, 2):
            table.cell(caption, c).paragraphs[0].runs[0].font.color.rgb = GREY
            table.cell(caption, c).paragraphs[0].runs[0].font.size = Pt(9)
    _widths(table, widths)


def _page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(1))
    section.top_margin = section.bottom_margin = Inches(0.6)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.05
    for name, size in (("Title", 20), ("Heading 2", 12)):
        style = doc.styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT
        style.paragraph_format.space_before = Pt(10)
        style.paragraph_format.space_after = Pt(3)
    header = section.header.paragraphs[0]
    header.text = "ESP certification: Call Certs and TBTs · Confidential"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.runs[0].font.color.rgb = GREY
    header.runs[0].font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.text = "{{ step }} · {{ agent_name }} · {{ class_name }} · {{ step_date }}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.runs[0].font.color.rgb = GREY
    footer.runs[0].font.size = Pt(9)


def build(wording: Wording) -> bytes:
    """One step's template as the bytes of a .docx."""
    doc = Document()
    _page(doc)
    doc.add_paragraph(wording.title, style="Title")
    _agent_block(doc)
    why = doc.add_paragraph(wording.why)
    why.paragraph_format.space_before = Pt(10)
    _missing(doc)
    _expectation(doc, wording)
    _ladder(doc)
    if wording is TERM_REVIEW:
        _rule(doc, "Decision")
        doc.add_paragraph("☐ Termed        ☐ Not termed (say why below)")
    _comments(doc)
    _signatures(doc)
    props = doc.core_properties
    props.title = f"{wording.title}: {{{{ agent_name }}}}"
    props.subject = "ESP certification: {{ class_name }}"
    props.author = "{{ deliverer }}"
    props.last_modified_by = ""
    props.comments = "Made with esp document from the team's template."
    props.created = props.modified = datetime(*STAMP)
    props.revision = 1
    data = io.BytesIO()
    doc.save(data)
    return _stable(data.getvalue())


def _stable(data: bytes) -> bytes:
    """The same package with fixed entry times, so a rebuild is byte-identical."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def build_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for wording in WORDINGS:
        path = folder / wording.file
        path.write_bytes(build(wording))
        written.append(path)
    return written


def main() -> int:
    for path in build_templates(TEMPLATES):
        print(path.relative_to(ROOT), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
