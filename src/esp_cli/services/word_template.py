"""A Word template filled in for many documents: read, parsed and compiled once.

docxtpl fills a .docx by reopening the template, turning each part's XML into one Jinja
template, compiling it and saving the whole package again: some 30 ms a document, most of it
the same work every time. `WordTemplate` does that work once per template — the package
parsed, each part's Jinja compiled, the package saved once — and fills each document from it
with docxtpl's own steps (the same tag clean-up, lists, tables and picture ids): only the
parts a document fills in are made and compressed again, the others copied from the package
saved once. A document is the very file docxtpl makes, byte for byte, but for the times the
zip stores for its parts: when the template was read rather than when the document was made.

What a document fills in: the body, every header and footer, the footnotes (once a section,
as docxtpl does) and the core properties docxtpl fills (title, author, ...), as plain text;
and, beyond docxtpl, the endnotes and the comments when they hold a tag (each once). A tag
anywhere else in the package (a chart, a SmartArt graphic, the building blocks, another
property) would be handed over as typed: the template is refused, naming where it is.
Every part's blocks are checked to end where they start, whichever branch an agent takes
(services/word_blocks), and each document's body and notes are checked to be whole XML
(docxtpl would mend a broken body by dropping what does not fit: its section properties).
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from esp_cli.workbook.xlsx import zipio

# The core properties docxtpl fills in from Jinja (DocxTemplate.render_properties).
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_FOOTNOTES = _WORD + "footnotes+xml"
# The notes filled in besides the footnotes (docxtpl leaves them as typed), as the team
# knows them.
_NOTES = {_WORD + "endnotes+xml": "the endnotes", _WORD + "comments+xml": "the comments"}
_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
# The other parts that hold text the team typed, as the team knows them: a tag there is
# never filled in.
_OFFICE = "application/vnd.openxmlformats-officedocument."
_UNFILLED = {
    _WORD + "document.glossary+xml": "the building blocks (Quick Parts, a content "
    "control's placeholder text)",
    _OFFICE + "drawingml.chart+xml": "a chart",
    _OFFICE + "drawingml.diagramData+xml": "a SmartArt graphic",
    _OFFICE + "drawingml.diagramDrawing+xml": "a SmartArt graphic",
    _OFFICE + "extended-properties+xml": "its properties (File › Info: Company, Manager)",
    _OFFICE + "custom-properties+xml": "its custom properties (File › Info › Properties › "
    "Advanced Properties)",
    _WORD + "settings+xml": "its settings (a document variable)",
}
# The core properties docxtpl leaves as typed.
_UNFILLED_PROPERTIES = ("category", "keywords", "content_status", "version")
# A Jinja tag, once docxtpl's patch_xml has taken out the markup Word put inside its braces.
_TAG = re.compile(r"\{(?:<[^>]*>)*[{%#]")
# docxtpl numbers the pictures of a document's body from here (DocxTemplate.render_init).
_FIRST_PICTURE_ID = 1000


class PartSyntaxError(Exception):
    """A part of the template Jinja cannot read on its own: a tag broken there, or an
    `{% if %}` or `{% for %}` that ends in another part (docxtpl fills each part alone)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where  # 'the body', 'a header', ... as the team knows the document
        self.message = message


class PartError(Exception):
    """A part of the template no document could be made whole from: XML that cannot be
    read, a tag where nothing is filled in, a block whose branches end in different places.
    `message` says what and where, `fix` what to change."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class _Source:
    """A part's XML as docxtpl gives it to Jinja (patch_xml), and where it is."""

    member: str  # its zip member
    where: str  # 'the body', 'a header', ... as the team knows the document
    xml: str
    encoding: str = "utf-8"


@dataclass(frozen=True)
class _Part:
    """A part filled in for each document: its zip member and its compiled Jinja."""

    member: str
    template: Any  # jinja2.Template
    encoding: str = "utf-8"
    again: bool = False  # the footnotes: filled once a section, as docxtpl does


@dataclass(frozen=True)
class Filled:
    """One document's text: each part's XML (and each property) out of Jinja, before the
    document is put together."""

    body: str
    parts: tuple[tuple[_Part, str], ...]  # headers, then footers
    properties: tuple[tuple[str, str], ...]
    notes: tuple[tuple[_Part, str], ...]  # the footnotes, endnotes and comments


class WordTemplate:
    """A .docx template, parsed once (here), compiled once (`compile`): `fill` makes each
    document from it.

    A value missing for one document raises jinja2.UndefinedError from `render` and `fill`
    (with a StrictUndefined environment)."""

    def __init__(self, data: bytes) -> None:
        from docxtpl import DocxTemplate

        self._tpl = tpl = DocxTemplate(io.BytesIO(data))
        tpl.render_init()  # the template parsed, once
        # Read before anything else: a template without core properties gets python-docx's
        # default ones, as when docxtpl fills it in.
        core = tpl.docx.core_properties
        self._core = core._element
        # The template's own core properties docxtpl fills in (title, author, ...).
        self.properties = {p: str(getattr(core, p)) for p in PROPERTIES}
        sources = [_Source(tpl.docx.part.partname.membername, "the body", tpl.get_xml())]
        for uri, where in ((tpl.HEADER_URI, "a header"), (tpl.FOOTER_URI, "a footer")):
            for _key, part in tpl.get_headers_footers(uri):
                xml = tpl.get_part_xml(part)
                encoding = tpl.get_headers_footers_encoding(xml)
                sources.append(_Source(part.partname.membername, where, xml, encoding))
        every = list(tpl.docx.part.package.iter_parts())
        notes = []
        for part in every:
            if part.content_type == _FOOTNOTES:
                where = "the footnotes"
            elif part.content_type in _NOTES:
                where = _NOTES[part.content_type]
            else:
                continue
            xml, encoding = _text(part.blob, where)
            # docxtpl leaves the endnotes and comments as they are: so does a template
            # without a tag there, byte for byte.
            if where == "the footnotes" or _TAG.search(xml):
                notes.append(_Source(part.partname.membername, where, xml, encoding))
        _refuse_unfilled(every, core)
        patched = [replace(s, xml=tpl.patch_xml(s.xml)) for s in (*sources, *notes)]
        self._sources, self._note_sources = patched[: len(sources)], patched[len(sources) :]
        self._core_member = next(p.partname.membername for p in every if p.content_type == _CORE)
        # The template as python-docx saves it: each document is this package with the
        # parts it fills in replaced, the others copied as they are (compressed once, here).
        saved = io.BytesIO()
        tpl.docx.save(saved)
        self._saved = saved.getvalue()
        # What a document needs of the parsed template: its document element (each document
        # puts its own body in it) and its core properties. The rest is let go: the styles
        # of a template parsed take megabytes.
        self._root = tpl.docx.element
        tpl.docx = None
        self._env: Any = None

    def placeholders(self, env: Any) -> set[str]:
        """The names the body, headers and footers use, read as one as docxtpl's
        get_undeclared_template_variables reads them (jinja2.TemplateSyntaxError for a tag
        that cannot be read), and those of the notes, each read alone (PartSyntaxError)."""
        from jinja2 import TemplateSyntaxError, meta

        names = set(
            meta.find_undeclared_variables(env.parse("".join(s.xml for s in self._sources)))
        )
        for note in self._note_sources:
            try:
                names |= meta.find_undeclared_variables(env.parse(note.xml))
            except TemplateSyntaxError as exc:
                raise PartSyntaxError(note.where, exc.message or str(exc)) from exc
        return names

    def compile(self, env: Any, plain: Any) -> None:
        """Each part's Jinja compiled, once: `env` fills the parts' XML (its values escaped
        for XML), `plain` the core properties (plain text, which python-docx escapes
        itself). PartSyntaxError for a part Jinja cannot read on its own."""
        self._env = env
        self._properties = tuple(
            (p, _compile(plain, text, f"its {p} (File › Info)"))
            for p, text in self.properties.items()
        )
        body, *parts = (self._compiled(s) for s in self._sources)
        self._body, self._parts = body, tuple(parts)
        self._notes = tuple(self._compiled(s) for s in self._note_sources)

    def _compiled(self, source: _Source) -> _Part:
        """A part's XML as docxtpl makes it a Jinja template (render_xml_part), compiled,
        once its blocks are checked to end where they start."""
        from esp_cli.services.word_blocks import BlockError, check_blocks

        xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", source.xml)
        template = _compile(self._env, xml, source.where)
        try:
            check_blocks(self._env, source.xml)
        except BlockError as exc:
            raise PartError(
                f"in {source.where}, {exc.message}",
                fix="put a block's tags in the same place: {%p if %} and {%p endif %} "
                "paragraphs both outside a table (around it whole) or both in one cell, "
                "{%tr if %} and {%tr endif %} in rows of the same table; {%- and -%} only "
                "beside text of the same paragraph.",
            ) from exc
        again = source.where == "the footnotes"
        return _Part(source.member, template, source.encoding, again)

    def render(self, values: Mapping[str, Any]) -> Filled:
        """Every part's Jinja with `values` in (what can fail for one document and not
        another), in docxtpl's order: the body, headers, footers, properties, footnotes."""
        return Filled(
            body=self._body.template.render(values),
            parts=tuple((p, p.template.render(values)) for p in self._parts),
            properties=tuple((name, t.render(values)) for name, t in self._properties),
            notes=tuple((p, p.template.render(values)) for p in self._notes),
        )

    def _finished(self, xml: str) -> str:
        """A part's XML out of Jinja as docxtpl's render_xml_part leaves it."""
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        for escaped, tag in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
            xml = xml.replace(escaped, tag)
        return str(self._tpl.resolve_listing(xml))

    def _again(self, xml: str, values: Mapping[str, Any]) -> str:
        """docxtpl filling a part's filled text again (render_xml_part(patch_xml(xml))).
        Without a brace there is nothing for patch_xml or Jinja to find: Jinja only makes
        every line break \\n and drops one at the very end (jinja2.lexer), so that is done
        without compiling the text. With one (a value holding '{{'), as docxtpl does."""
        if "{" in xml or "}" in xml:
            return str(self._tpl.render_xml_part(self._tpl.patch_xml(xml), None, values, self._env))
        lines = re.split(r"\r\n|\r|\n", re.sub(r"<w:p([ >])", r"\n<w:p\1", xml))
        if lines[-1] == "":
            del lines[-1]
        return self._finished("\n".join(lines))

    def fill(self, values: Mapping[str, Any], properties: Mapping[str, Any]) -> bytes:
        """The document: the template with `values` in, then `properties` set (in their
        order) on its core properties, as the bytes of a .docx."""
        return self._document(self.render(values), values, properties)

    def _document(
        self, filled: Filled, values: Mapping[str, Any], properties: Mapping[str, Any]
    ) -> bytes:
        """The .docx of `filled` (`values` what it was filled with)."""
        from docx.opc.coreprops import CoreProperties
        from docx.opc.oxml import serialize_part_xml
        from docx.oxml.parser import parse_xml

        tpl, root = self._tpl, self._root
        body = self._finished(filled.body)
        # Whole XML, for every agent: docxtpl's parser (fix_tables) would mend a broken body
        # by dropping what does not fit, its section properties with it.
        _whole(body)
        tree = tpl.fix_tables(body)
        tpl.docx_ids_index = _FIRST_PICTURE_ID
        tpl.fix_docpr_ids(tree)
        root.replace(root.body, tree)  # the template's document element, this document's body
        out = {self._body.member: serialize_part_xml(root)}
        for part, xml in filled.parts:
            xml = self._finished(xml)
            out[part.member] = serialize_part_xml(parse_xml(xml.encode(part.encoding)))
        core = copy.deepcopy(self._core)
        props = CoreProperties(core)
        for name, value in (*filled.properties, *properties.items()):
            setattr(props, name, value)
        out[self._core_member] = serialize_part_xml(core)
        # docxtpl fills the footnotes in once for each section of the body, each time the
        # text the time before left (never without a section); the endnotes and comments
        # once.
        sections = len(root.sectPr_lst)
        for part, xml in filled.notes:
            if part.again and not sections:
                continue
            xml = self._finished(xml)
            for _again in range(sections - 1 if part.again else 0):
                xml = self._again(xml, values)
            data = xml.encode(part.encoding)
            _whole(data)
            out[part.member] = data
        return zipio.replaced(self._saved, out)


def _whole(xml: str | bytes) -> None:
    """A part's filled XML read strictly (as python-docx reads a part): an XMLSyntaxError
    (a SyntaxError) when a tag or a value left it broken."""
    from docx.oxml.parser import parse_xml

    parse_xml(xml)


def _text(blob: bytes, where: str) -> tuple[str, str]:
    """A part's XML as text and the encoding it is written in, read as an XML parser reads
    it: by its byte order mark, else its declaration (UTF-8 without either). PartError for
    one that cannot be read so."""
    head = blob[:4]
    if head[:3] == b"\xef\xbb\xbf":
        encoding = "utf-8"  # the mark kept, as docxtpl keeps it
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif head == b"<\x00?\x00":
        encoding = "utf-16-le"
    elif head == b"\x00<\x00?":
        encoding = "utf-16-be"
    else:
        declared = re.match(rb"<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"']", blob[:200])
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        return blob.decode(encoding), encoding
    except (LookupError, UnicodeDecodeError) as exc:
        raise PartError(
            f"{where} cannot be read as the text it says it is ({exc})",
            fix="open it in Word and save it again as a Word Document (.docx).",
        ) from exc


def _refuse_unfilled(parts: list[Any], core: Any) -> None:
    """PartError for a tag in a part no document fills in (a chart's title, a SmartArt
    graphic, the building blocks, a property docxtpl does not fill): it would be handed
    over as typed."""
    found: str | None = None
    for name in _UNFILLED_PROPERTIES:
        if _TAG.search(str(getattr(core, name) or "")):
            found = f"its {name.replace('_', ' ')} property (File › Info)"
            break
    for part in parts if found is None else ():
        kind = part.content_type
        where = _UNFILLED.get(kind)
        # Any other XML but Word's own (styles, lists, the parts filled) and custom data.
        if where is None and kind.endswith("xml") and kind != "application/xml":
            if not kind.startswith(_WORD) and kind != _CORE:
                where = f"its part {part.partname.membername}"
        if where is None:
            continue
        try:
            text, _encoding = _text(part.blob, where)
        except PartError:
            continue  # not text esp reads: nor does a person
        if _TAG.search(text):
            found = where
            break
    if found is not None:
        raise PartError(
            f"{found} holds a placeholder or tag, and esp fills in only the body, the "
            "headers and footers, the footnotes, endnotes and comments, and the title, "
            "subject, author, comments and language properties: it would be handed over "
            "as typed",
            fix="move it into the body, a header or a footer, or type the words out there.",
        )


def _compile(env: Any, source: str, where: str) -> Any:
    """`source` compiled by `env`; a tag it cannot read is a PartSyntaxError naming `where`."""
    from jinja2 import TemplateSyntaxError

    try:
        return env.from_string(source)
    except TemplateSyntaxError as exc:
        raise PartSyntaxError(where, exc.message or str(exc)) from exc
