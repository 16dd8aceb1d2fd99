"""Word documents (.docx) as esp reads them: with python-docx, a damaged one said so."""

from __future__ import annotations

import io


def word_problem(data: bytes) -> str | None:
    """Why `data` is not a Word document python-docx can open (None: it is one).

    python-docx raises whatever its zip and XML readers raise for a file that is not one:
    BadZipFile for text or a cut-short file, zlib.error for a damaged entry, KeyError for a
    missing part, ValueError for another Office file (a workbook renamed .docx), an XML
    syntax error for a broken part. Any of them means the same to the person who gave the
    file, so they are caught together here, around the one call that opens it."""
    from docx import Document

    try:
        Document(io.BytesIO(data))
    except Exception as exc:  # the file, not esp, is at fault: see above
        text = " ".join(str(exc).split()) or type(exc).__name__
        if "not a Word file" in text:
            kind = next((k for part, k in _OTHER_KINDS if part in text), None)
            return f"it is {kind}" if kind else "another kind of Office file, not a Word document"
        return text
    return None


# What an Office file that is no Word document is, by its main part's content type (the
# name it was given may be .docx all the same).
_OTHER_KINDS = (
    ("wordprocessingml.template.main", "a Word template (.dotx)"),
    ("ms-word.document.macroEnabled", "a macro-enabled Word document (.docm)"),
    ("ms-word.template.macroEnabled", "a macro-enabled Word template (.dotm)"),
    ("spreadsheetml", "an Excel workbook"),
    ("ms-excel", "an Excel workbook"),
    ("presentationml", "a PowerPoint presentation"),
    ("ms-powerpoint", "a PowerPoint presentation"),
)


def word_text(data: bytes) -> tuple[str, str]:
    """(every paragraph, table cell, header and footer of a Word document, its core
    `identifier` property: esp's stamp on a document it made). `data` is one word_problem
    found none in."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    props = doc.core_properties
    parts.append(props.title or "")
    return "\n".join(parts), props.identifier or ""
