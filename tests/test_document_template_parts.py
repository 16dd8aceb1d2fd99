"""esp document and the parts of a team's template beyond the body: a block whose tags stand
in different places of Word's structure is refused before anything is written, whichever
branch the trial fill takes (no agent gets a document without its header, footer and page
setup); a document whose filled body is not whole XML is refused, never mended; the
endnotes and comments are filled in; a tag where nothing is filled in (a chart, the
building blocks, a property) is refused naming the part; a notes part written in UTF-16 is
read as XML reads it; a Word template or macro-enabled file is named as what it is."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from esp_cli.core.documents import TEMPLATE_FILES
from esp_cli.core.rules import Step
from esp_cli.errors import ExitCode
from esp_cli.services.document import built_in_template
from tests.factories import tracker
from tests.test_document import H, agent, run, text_of, write_config
from tests.test_document_compiled import AGENTS, DAY, W, edited, team_template, with_part

COACHING = TEMPLATE_FILES[Step.COACHING]
DEE = "2026-11-25 Dee Early - Documented coaching.docx"  # no access issue
KAYLA = "2026-11-25 Kayla Brooks - Documented coaching.docx"  # a Password Reset issue
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml."


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=tuple(H.values()))


def _teams(tmp_path: Path, data: bytes) -> tuple[Path, Path]:
    """(esp.toml naming a folder whose coaching template is `data`, the template)."""
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    path = folder / COACHING
    path.write_bytes(data)
    return write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n"), path


def _refused(book: Path, config: Path, out: Path) -> str:
    """The one line the run and its dry run alike refuse the template with (exit code 2),
    nothing written."""
    said = []
    for dry in ((), ("--dry-run",)):
        res = run(book, config, "--due", "--as-of", DAY, "--out", str(out), *dry)
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        said.append((res.exit_code, res.stderr))
    assert said[0] == said[1]
    code, stderr = said[0]
    assert code == ExitCode.USAGE and stderr.count("\n") == 1, stderr
    assert not out.exists()
    return str(stderr)


def _cell(text: str) -> str:
    return (
        '<w:tc><w:tcPr><w:tcW w:w="4000" w:type="dxa"/></w:tcPr><w:p><w:r>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:tc>'
    )


def _access_table(endif_in_cell: bool) -> str:
    """A paragraph `{%p if access_issue %}`, then a table; its `{%p endif %}` in the table's
    last cell (selected from a paragraph into a table in Word), or after the table."""
    last = "{%p endif %}" if endif_in_cell else "Called the SPOC"
    after = "" if endif_in_cell else "<w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>"
    return (
        "<w:p><w:r><w:t>{%p if access_issue %}</w:t></w:r></w:p>"
        '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>'
        '<w:gridCol w:w="4000"/><w:gridCol w:w="4000"/></w:tblGrid>'
        f"<w:tr>{_cell('Citrix access issue')}{_cell('{{ access_issue }}')}</w:tr>"
        f"<w:tr>{_cell('SPOC')}{_cell(last)}</w:tr></w:tbl>{after}<w:p/>"
    )


def _in_body(data: bytes, xml: str) -> bytes:
    """The built-in template with `xml` at the end of its body, before its section."""
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    at = document.rindex("<w:sectPr")
    return edited(data, ("word/document.xml", document[at:], xml + document[at:]))


@pytest.mark.parametrize(
    ("where", "negated"),
    [("the body", False), ("the body", True), ("a header", False)],
    ids=["body", "body-trial-takes-the-other-branch", "header"],
)
def test_a_block_from_a_paragraph_into_a_table_is_refused_before_anything_is_written(
    book: Path, tmp_path: Path, where: str, negated: bool
) -> None:
    """Dee Early has no access issue: docxtpl's parser mended her body by dropping its
    section (no header, no footer, no page setup), without a word. Whichever branch the
    trial fill takes (its agent has an issue; `not` turns it round), the template is
    refused by name, in one line, before anything is written, by the run and the dry run."""
    block = _access_table(endif_in_cell=True)
    if negated:
        block = block.replace("if access_issue", "if not access_issue")
    data = built_in_template(Step.COACHING)
    if where == "a header":
        data = edited(data, ("word/header1.xml", "</w:hdr>", block + "</w:hdr>"))
    else:
        data = _in_body(data, block)
    config, path = _teams(tmp_path, data)
    out = tmp_path / "out"
    stderr = _refused(book, config, out)
    tag = "{% if not access_issue %}" if negated else "{% if access_issue %}"
    assert stderr.startswith(
        f"esp: {path}: in {where}, {tag} opens between paragraphs and {{% endif %}} closes "
        "in a table cell: an agent the block does not hold for would get a broken document."
    ), stderr
    assert "Fix: put a block's tags in the same place" in stderr


def test_a_block_around_a_whole_table_keeps_every_documents_section(
    book: Path, tmp_path: Path
) -> None:
    """The same block ending after the table: Kayla's document has the table, Dee's has
    not, and both keep the template's section (header, footer, page setup)."""
    config, _path = _teams(tmp_path, _in_body(built_in_template(Step.COACHING),
                                              _access_table(endif_in_cell=False)))  # fmt: skip
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", DAY, "--out", str(out))
    assert res.exit_code == 0, res.output
    for name, table in ((KAYLA, True), (DEE, False)):
        body = zipfile.ZipFile(out / name).read("word/document.xml")
        assert body.count(b"<w:sectPr") == 1 and (b"Password Reset" in body) is table, name
        assert b"headerReference" in body and b"<w:pgSz" in body


def test_a_body_a_value_breaks_is_refused_never_mended(book: Path, tmp_path: Path) -> None:
    """`|safe` puts a value in as typed: a class named with a '<' leaves the body no longer
    XML. docxtpl's parser mended it by dropping what followed (the section's properties);
    the document is refused in one line naming the template, and nothing is written."""
    book = tracker(
        tmp_path / "ESP Tracker.xlsx",
        [agent("Kayla Brooks", "E10342", citrix_access="Password Reset",
               **{"class": "AET-1109 <b>"})],
        headers=tuple(H.values()),
    )  # fmt: skip
    data = _in_body(
        built_in_template(Step.COACHING),
        "<w:p><w:r><w:t>Class: {{ class_name|safe }}</w:t></w:r></w:p>",
    )
    config, path = _teams(tmp_path, data)
    out = tmp_path / "out"
    stderr = _refused(book, config, out)
    assert stderr.startswith(f"esp: {path}: the document cannot be made from it with this ")


def _with_part(data: bytes, member: str, content_type: str, reltype: str, xml: str) -> bytes:
    rid = "rId" + "".join(c for c in member if c.isalnum())
    return with_part(data, member, content_type, REL + reltype, xml, rid)


def _notes(kind: str, text: str) -> str:
    author = ' w:author="Jo"' if kind == "comment" else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<w:{kind}s xmlns:w="{W}">'
        f'<w:{kind} w:id="1"{author}><w:p><w:r>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:{kind}></w:{kind}s>'
    )


def test_endnotes_and_comments_are_filled_in(book: Path, tmp_path: Path) -> None:
    """docxtpl left them as typed: an HR document said `{{ agent_name }}`."""
    data = _with_part(
        team_template(Step.COACHING), "word/endnotes.xml", WORD + "endnotes+xml", "endnotes",
        _notes("endnote", "Endnote for {{ agent_name }} ({{ agent_id }}), {{ step_date }}"),
    )  # fmt: skip
    data = _with_part(
        data, "word/comments.xml", WORD + "comments+xml", "comments",
        _notes("comment", "Check {{ first_name }}{% if access_issue %}'s access{% endif %}"),
    )  # fmt: skip
    config, _path = _teams(tmp_path, data)
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", DAY, "--out", str(out))
    assert res.exit_code == 0, res.output
    for name, endnote, comment in (
        (KAYLA, "Endnote for Kayla Brooks (E10342), Wednesday 11/25/2026", "Check Kayla's access"),
        (DEE, "Endnote for Dee Early (E10346), Wednesday 11/25/2026", "Check Dee"),
    ):
        document = zipfile.ZipFile(out / name)
        for member, said in (("word/endnotes.xml", endnote), ("word/comments.xml", comment)):
            assert "".join(etree.fromstring(document.read(member)).itertext()) == said, name


def test_notes_without_a_tag_are_kept_as_they_are(book: Path, tmp_path: Path) -> None:
    xml = _notes("endnote", "An endnote the team wrote, {not a tag}")
    data = _with_part(
        team_template(Step.COACHING), "word/endnotes.xml", WORD + "endnotes+xml", "endnotes", xml
    )
    config, _path = _teams(tmp_path, data)
    res = run(book, config, "--due", "--as-of", DAY, "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    assert zipfile.ZipFile(tmp_path / "out" / KAYLA).read("word/endnotes.xml") == xml.encode()


def test_an_unknown_placeholder_in_an_endnote_is_named(book: Path, tmp_path: Path) -> None:
    data = _with_part(
        team_template(Step.COACHING), "word/endnotes.xml", WORD + "endnotes+xml", "endnotes",
        _notes("endnote", "{{ agent_idd }}"),
    )  # fmt: skip
    config, path = _teams(tmp_path, data)
    res = run(book, config, "--due", "--as-of", DAY, "--out", str(tmp_path / "out"))
    assert res.exit_code == ExitCode.USAGE, res.output
    assert res.stderr.startswith(f"esp: {path}: unknown placeholder {{{{ agent_idd }}}}.")


_CHART = (
    '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><c:chart><c:title><c:tx>'
    "<c:rich><a:p><a:r><a:t>TBT hours of {</a:t></a:r><a:r><a:t>{ agent_name }}</a:t></a:r>"
    "</a:p></c:rich></c:tx></c:title></c:chart></c:chartSpace>"
)
_GLOSSARY = (
    f'<w:glossaryDocument xmlns:w="{W}"><w:docParts><w:docPart><w:docPartBody><w:p><w:r>'
    "<w:t>Agent: {{ agent_name }}</w:t></w:r></w:p></w:docPartBody></w:docPart></w:docParts>"
    "</w:glossaryDocument>"
)


def _unfilled(kind: str) -> bytes:
    data = team_template(Step.COACHING)
    if kind == "chart":
        return _with_part(
            data, "word/charts/chart1.xml",
            "application/vnd.openxmlformats-officedocument.drawingml.chart+xml", "chart", _CHART,
        )  # fmt: skip
    if kind == "glossary":
        return _with_part(
            data, "word/glossary/document.xml", WORD + "document.glossary+xml",
            "glossaryDocument", _GLOSSARY,
        )  # fmt: skip
    if kind == "company":
        return edited(
            data, ("docProps/app.xml", "<Company/>", "<Company>{{ class_name }}</Company>")
        )
    keywords = (
        "docProps/core.xml",
        "<cp:keywords/>",
        "<cp:keywords>{{ agent_name }}</cp:keywords>",
    )
    return edited(data, keywords)


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        ("chart", "a chart"),
        ("glossary", "the building blocks (Quick Parts, a content control's placeholder text)"),
        ("company", "its properties (File › Info: Company, Manager)"),
        ("keywords", "its keywords property (File › Info)"),
    ],
)
def test_a_tag_where_nothing_is_filled_in_is_refused_by_name(
    book: Path, tmp_path: Path, kind: str, where: str
) -> None:
    """It went out as typed. Refused in one line naming the part, before anything is
    written (a tag Word split across two runs too)."""
    config, path = _teams(tmp_path, _unfilled(kind))
    out = tmp_path / "out"
    stderr = _refused(book, config, out)
    assert stderr.startswith(f"esp: {path}: {where} holds a placeholder or tag, and esp fills")
    assert "Fix: move it into the body, a header or a footer" in stderr


def _utf16(data: bytes, member: str) -> bytes:
    """`data` with `member` written in UTF-16, as its declaration says (Word reads it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == member:
                text = part.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
                assert 'encoding="UTF-16"' in text
                part = text.encode("utf-16")
            dst.writestr(info, part)
    return out.getvalue()


def test_footnotes_in_utf16_are_filled_in(book: Path, tmp_path: Path) -> None:
    """They stopped the run with a UnicodeDecodeError traceback."""
    config, _path = _teams(tmp_path, _utf16(team_template(Step.COACHING), "word/footnotes.xml"))
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", DAY, "--out", str(out))
    assert res.exit_code == 0, res.output
    notes = zipfile.ZipFile(out / KAYLA).read("word/footnotes.xml")
    assert notes.startswith(b"\xff\xfe") or notes.startswith(b"\xfe\xff")
    text = "".join(etree.fromstring(notes).itertext())
    assert "Delivered by Jordan Reyes to AET-1109 on Wednesday 11/25/2026" in text
    assert "Kayla Brooks" in text_of(out / KAYLA)


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        (WORD + "template.main+xml", "a Word template (.dotx)"),
        ("application/vnd.ms-word.document.macroEnabled.main+xml",
         "a macro-enabled Word document (.docm)"),
    ],
    ids=["dotx", "docm"],
)  # fmt: skip
def test_a_word_template_or_macro_document_named_docx_is_named_as_what_it_is(
    book: Path, tmp_path: Path, content_type: str, kind: str
) -> None:
    main = WORD + "document.main+xml"
    data = edited(built_in_template(Step.COACHING), ("[Content_Types].xml", main, content_type))
    config, path = _teams(tmp_path, data)
    res = run(book, config, "--due", "--as-of", DAY, "--out", str(tmp_path / "out"))
    assert res.exit_code == ExitCode.USAGE, res.output
    assert res.stderr == (
        f"esp: {path}: not a Word document esp can read (it is {kind}). "
        "Fix: open it in Word and Save As Word Document (.docx).\n"
    )


@pytest.mark.parametrize(
    "xml",
    [
        "<b><p><t>{% if a %}x{% elif b %}y{% else %}z{% endif %}</t></p></b>",
        "<b><p><t>a {% if a %}b</t></p><p><t>c{% endif %} d</t></p></b>",  # merges two
        "<b>{% if a %}<p>{% else %}<p x='1'>{% endif %}<t/></p></b>",  # same place each way
        "<b>{% for s in ahead %}<p><t>{{ s }}</t></p>{% else %}<p/>{% endfor %}</b>",
        "<b>{% set n = 1 %}<tbl>{% for r in rows %}<tr><tc/></tr>{% endfor %}</tbl></b>",
        '<b><tc><shd fill="{% if a %}red{% else %}blue{% endif %}"/></tc></b>',
        "<?xml version='1.0'?><b><!-- {% if --><p/></b>",
    ],
)
def test_blocks_whose_every_branch_ends_where_it_must_pass(xml: str) -> None:
    from jinja2 import Environment

    from esp_cli.services.word_blocks import check_blocks

    check_blocks(Environment(), xml.replace("<!-- {% if -->", "<!-- x -->"))


@pytest.mark.parametrize(
    ("xml", "said"),
    [
        ("<w:body>{% if a %}<w:tbl><w:tr><w:tc>{% endif %}</w:tc></w:tr></w:tbl></w:body>",
         "{% if a %} opens between paragraphs and {% endif %} closes in a table cell"),
        ("<w:body><w:tbl><w:tr><w:tc>{% for x in y %}</w:tc></w:tr></w:tbl>{% endfor %}</w:body>",
         "{% for x in y %} opens in a table cell and {% endfor %} closes between paragraphs"),
        ("<w:body>{% if a %}<w:p>{% else %}<w:tbl>{% endif %}</w:body>",
         "{% if a %}'s branches end in different places (the one before {% endif %} in a table)"),
        ("<w:body>{% if a %}<w:p><w:r>{% endif %}</w:r></w:p></w:body>",
         "{% if a %} opens between paragraphs and {% endif %} closes in a paragraph"),
    ],
    ids=["if-into-a-cell", "for-out-of-a-cell", "else-elsewhere", "if-into-a-paragraph"],
)  # fmt: skip
def test_a_block_a_branch_of_which_ends_elsewhere_is_named(xml: str, said: str) -> None:
    from jinja2 import Environment

    from esp_cli.services.word_blocks import BlockError, check_blocks

    with pytest.raises(BlockError) as caught:
        check_blocks(Environment(), xml)
    assert caught.value.message == f"{said}: an agent the block does not hold for would get a " + (
        "broken document"
    )


def test_a_dash_tag_that_takes_out_a_tables_end_is_refused(book: Path, tmp_path: Path) -> None:
    """'{%-' takes out the markup between the tag and the text before it: after a table,
    its end. The paragraph went into the table's last cell, without a word."""
    table = (
        '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>'
        f'<w:gridCol w:w="4000"/></w:tblGrid><w:tr>{_cell("TBTs")}</w:tr></w:tbl>'
    )
    xml = table + '<w:p><w:r><w:t xml:space="preserve">A {%- if tbt_hours %} hours{% endif %}'
    data = _in_body(built_in_template(Step.COACHING), xml + "</w:t></w:r></w:p>")
    config, path = _teams(tmp_path, data)
    stderr = _refused(book, config, tmp_path / "out")
    assert stderr.startswith(f"esp: {path}: in the body, its markup after {{% endif %}} no longer ")
    assert "a {%- or -%} takes out the markup between the tag and the text beside it" in stderr
