"""XML read at the byte level without being fooled by its spelling.

The patcher finds tags in the bytes of a part, so a splice keeps every other byte. These
helpers make that search follow XML itself: a comment, processing instruction or CDATA
section is blanked before searching (so a tag inside one is never taken for a real one),
attributes are read in either quoting, with spaces around `=` and in any order, and
character references in their values are resolved. Excel writes none of these forms;
other programs write all of them.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from xml.parsers import expat

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# One attribute: name, then its value in double or single quotes (group 2 or 3).
_ATTR_ITEM = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*"
_XMLNS = re.compile(rb"\s(xmlns(?::[^\s=/>]+)?)\s*=\s*(\"[^\"]*\"|'[^']*')")
_BLANKED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


@functools.lru_cache(maxsize=64)
def start_tag(prefix: bytes, name: bytes) -> re.Pattern[bytes]:
    """A start tag `<prefix:name ...>` or `<prefix:name .../>`: group 1 the attributes,
    group 2 "/" when it is empty. Attribute values may hold '>'."""
    return re.compile(
        rb"<" + re.escape(prefix) + re.escape(name) + rb"(?=[\s/>])" + _ATTRS + rb"(/?)>"
    )


@functools.lru_cache(maxsize=64)
def end_tag(prefix: bytes, name: bytes) -> re.Pattern[bytes]:
    """An end tag, with the spaces XML allows before its '>'."""
    return re.compile(rb"</" + re.escape(prefix) + re.escape(name) + rb"\s*>")


def parse_attrs(attrs: bytes) -> dict[bytes, bytes]:
    """A start tag's attributes (the bytes after its name) by name, values resolved."""
    out: dict[bytes, bytes] = {}
    for name, double, single in _ATTR_ITEM.findall(attrs):
        value = double or single  # the one that matched ("" when the value is empty)
        out[name] = _resolve(value) if b"&" in value else value
    return out


def attr_value(attrs: bytes, name: bytes) -> bytes | None:
    """`parse_attrs(attrs).get(name)` without the dict (asked of each of 50,000 cells)."""
    found = None
    if name in attrs:  # else not even its letters are there
        for m in _ATTR_ITEM.finditer(attrs):
            if m.group(1) == name:
                double, single = m.group(2), m.group(3)
                value = double if double is not None else single or b""
                found = _resolve(value) if b"&" in value else value
    return found


def set_attr(
    attrs: bytes, name: bytes, value: bytes, follows: tuple[bytes, ...] | None = None
) -> bytes:
    """`attrs` with `name` set to `value` (written in double quotes), in place when the
    attribute is there (whatever its quoting), else added at the end — or, given the names
    the schema lists before it (`follows`), after the last of those present, else first."""
    items = list(_ATTR_ITEM.finditer(attrs))
    for m in items:
        if m.group(1) == name:
            return attrs[: m.start()] + name + b'="' + value + b'"' + attrs[m.end() :]
    added = b" " + name + b'="' + value + b'"'
    if follows is None:
        return attrs + added
    before = [m for m in items if m.group(1) in follows]
    at = before[-1].end() if before else 0
    return attrs[:at] + added + attrs[at:]


def drop_attr(attrs: bytes, name: bytes) -> bytes:
    for m in _ATTR_ITEM.finditer(attrs):
        if m.group(1) == name:
            start = m.start()
            while start > 0 and attrs[start - 1 : start].isspace():
                start -= 1
            return attrs[:start] + attrs[m.end() :]
    return attrs


def _resolve(value: bytes) -> bytes:
    # Only the five XML entities and character references can occur: parts with a DTD
    # are refused when the package is opened.
    return unescape(value.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def unescape(text: str) -> str:
    """XML text with its entities and character references resolved (html.unescape).
    html, whose tables of entities take milliseconds to load, loads with the first text
    that has one: many a workbook's cells and attributes have none."""
    if "&" not in text:
        return text  # as html.unescape returns it
    import html

    return html.unescape(text)


_CHAR_REF = re.compile(rb"&#(?:([0-9]+)|x([0-9a-fA-F]+));")
# Characters a reference must keep spelling: markup, quotes, and the white space a parser
# normalises when it is written as itself (a tab or line break in an attribute value, a
# carriage return anywhere).
_KEPT_AS_REFERENCES = frozenset("&<>\"'\t\n\r")


def _char_ref(m: re.Match[bytes]) -> bytes:
    dec, hexa = m.group(1), m.group(2)
    code = int(dec) if dec is not None else int(hexa, 16)
    if code > 0x10FFFF or (code < 0x20 and code not in (9, 10, 13)) or 0xD800 <= code <= 0xDFFF:
        return m.group(0)  # no character XML allows: the parse that reads it says so
    char = chr(code)
    if char in _KEPT_AS_REFERENCES or code in (0xFFFE, 0xFFFF):
        return m.group(0)
    return char.encode("utf-8")


def char_refs_resolved(data: bytes) -> bytes:
    """UTF-8 XML with each character reference (`&#52;`, `&#x34;`) written as the character
    it stands for, wherever it is (a value, a formula, an attribute): the same document to
    an XML parser, read right by a reader that takes a number's or an attribute's bytes as
    they are. Markup characters, quotes and white space stay references. `data` itself when
    it has none."""
    if b"&#" not in data:
        return data
    return _CHAR_REF.sub(_char_ref, data)


def after_declaration(data: bytes) -> int:
    """The offset just after the XML declaration (and a byte-order mark), else 0."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if data.startswith(b"<?xml", start):
        end = data.find(b"?>", start)
        return end + 2 if end >= 0 else start
    return start


def has_markup(data: bytes, start: int = 0) -> bool:
    """Whether `data` holds "<!" or "<?" from `start` on: found through the rare "!" and
    "?" (a byte search), since a search for "<!" stops at every "<" of the sheet."""
    for mark, opener in ((b"!", b"<!"), (b"?", b"<?")):
        at, seen = data.find(mark, start), 0
        while at >= 0:
            if data[at - 1 : at] == b"<" and at > start:
                return True
            seen += 1
            if seen > 32:  # many of them in text or error values: search the pair
                if data.find(opener, at) >= 0:
                    return True
                break
            at = data.find(mark, at + 1)
    return False


def markup_spans(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(start, end, opener) of every comment, processing instruction and CDATA section
    after the XML declaration, in order (one inside another is part of it)."""
    pos = after_declaration(data)
    if not has_markup(data, pos):
        return
    nxt = {b"<!": data.find(b"<!", pos), b"<?": data.find(b"<?", pos)}
    while True:
        for opener, at in nxt.items():
            if 0 <= at < pos:
                nxt[opener] = data.find(opener, pos)
        found = [at for at in nxt.values() if at >= 0]
        if not found:
            return
        at = min(found)
        for opener, closer in _BLANKED:
            if data.startswith(opener, at):
                end = data.find(closer, at + len(opener))
                if end < 0:
                    what = opener.decode()
                    raise ValueError(f"the markup opened at byte {at} ({what}) is not closed")
                end += len(closer)
                yield at, end, opener
                pos = end
                break
        else:
            pos = at + 2  # "<!" of something else (a DTD is refused when the file is opened)


def blank_markup(data: bytes) -> bytes:
    """`data` with every comment, processing instruction and CDATA section replaced by
    spaces of the same length (offsets hold), so that a search for tags never matches
    inside one. `data` itself when there are none (Excel writes none): one fast pass."""
    out: bytearray | None = None
    for start, end, _opener in markup_spans(data):
        if out is None:
            out = bytearray(data)
        out[start:end] = b" " * (end - start)
    return data if out is None else bytes(out)


def root_attrs(data: bytes, local: bytes) -> dict[bytes, bytes]:
    """The attributes of a part's root element (named `local`, any prefix), else {}."""
    scan = blank_markup(data)
    m = re.search(rb"<((?:[^\s:<>/!?]+:)?)" + local + rb"(?=[\s/>])", scan)
    if m is None:
        return {}
    tag = start_tag(m.group(1), local).match(scan, m.start())
    return parse_attrs(tag.group(1)) if tag else {}


def without_cdata(data: bytes) -> bytes:
    """`data` with each CDATA section written as the escaped text it holds (one inside a
    comment stays as it is)."""
    out, pos = [], 0
    for start, end, opener in markup_spans(data):
        if opener == b"<![CDATA[":
            text = data[start + 9 : end - 3]
            text = text.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
            out += [data[pos:start], text]
            pos = end
    return b"".join([*out, data[pos:]]) if out else data


def namespace_declarations(*tags: bytes) -> bytes:
    """The xmlns attributes of these start tags (outermost first), as attribute bytes to
    put on a wrapper element: a fragment parsed inside it sees the same prefixes."""
    seen: dict[bytes, bytes] = {}
    for tag in tags:
        for m in _XMLNS.finditer(tag):
            seen[m.group(1)] = m.group(2)
    return b"".join(b" " + name + b"=" + value for name, value in seen.items())


class NotWellFormed(ValueError):
    """XML that a conforming parser rejects (`part` names it once known)."""

    def __init__(self, reason: str, part: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.part = part


class FragmentCheck:
    """Parses pieces of XML as they come, inside a wrapper element that declares the
    namespaces in scope where the pieces go: each piece must be well-formed content."""

    def __init__(self, declarations: bytes | None = b"") -> None:
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._wrapped = declarations is not None
        if declarations is not None:
            self._feed(b"<esp-check" + declarations + b">")

    @classmethod
    def document(cls) -> FragmentCheck:
        """A check of one whole document fed in pieces."""
        return cls(None)

    def _feed(self, piece: bytes, final: bool = False) -> None:
        try:
            self._parser.Parse(piece, final)
        except expat.ExpatError as exc:
            where = f" at line {exc.lineno}" if not self._wrapped else ""
            raise NotWellFormed(expat.ErrorString(exc.code) + where) from None

    def feed(self, piece: bytes | memoryview) -> None:
        self._feed(bytes(piece))

    def close(self) -> None:
        self._feed(b"</esp-check>" if self._wrapped else b"", True)


def check_document(pieces: bytes | list[bytes | memoryview]) -> None:
    """Raises NotWellFormed unless the bytes are one well-formed XML document (namespace
    prefixes declared)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    try:
        if isinstance(pieces, bytes):
            parser.Parse(pieces, True)
        else:
            for piece in pieces:
                parser.Parse(bytes(piece), False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise NotWellFormed(f"{expat.ErrorString(exc.code)} at line {exc.lineno}") from None


# -- UTF-16 parts ---------------------------------------------------------------------------
# OPC lets a part be UTF-8 or UTF-16 (ECMA-376 Part 2, §8.1.4): Excel writes UTF-8, other
# programs may not. esp reads, scans and patches UTF-8, so a UTF-16 part is read as its
# UTF-8 transcoding (its declaration saying so); written back, it stays UTF-8.

_DECLARED_ENCODING = re.compile(rb"""(\sencoding\s*=\s*)(["'])[^"']*\2""")


def utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the XML in `data` is UTF-16 (by its byte-order mark,
    or without one by where the NUL bytes of its first '<' fall), else None."""
    head = data[:4]
    if head.startswith(b"\xff\xfe") and not head.startswith(b"\xff\xfe\x00\x00"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    if head[:2] == b"<\x00":
        return "utf-16-le"
    if head[:2] == b"\x00<":
        return "utf-16-be"
    return None


def transcoded(data: bytes, strict: bool = True) -> bytes:
    """UTF-16 XML as UTF-8 XML: the byte-order mark dropped and the declaration's encoding
    made UTF-8. `strict` False: a piece cut anywhere (a prolog being checked) is decoded as
    far as it goes."""
    encoding = utf16(data)
    if encoding is None:
        return data
    start = 2 if data[:2] in (b"\xff\xfe", b"\xfe\xff") else 0
    body = data[start:] if strict else data[start : start + (len(data) - start) // 2 * 2]
    text = body.decode(encoding, "strict" if strict else "replace").encode("utf-8")
    if text.startswith(b"<?xml"):
        end = text.find(b"?>")
        if end > 0:
            declaration = _DECLARED_ENCODING.sub(rb"\1\2UTF-8\2", text[:end])
            text = declaration + text[end:]
    return text


# Excel draws a column this many pixels wide per character of its `width` (the default
# font's widest digit: Calibri 11 at 100%), rounding down, with this many 256ths of a
# character added first (ECMA-376 Part 1, 18.3.1.13): a width that gives no whole pixel
# (under 0.0726 characters, 0 included) is a column Excel shows as hidden.
_DIGIT_PIXELS = 7
_PIXEL_ROUNDING = 128 // _DIGIT_PIXELS


def col_width(width: str | bytes) -> float | None:
    """A `<col>`'s `width` as the number of characters it is, or None when it has none
    that is one: absent (the sheet's default), unreadable, negative, or not finite (inf,
    NaN, or a number too large to be held, 1e400)."""
    if isinstance(width, bytes):
        width = width.decode("latin-1")
    try:
        chars = float(width.strip())
    except ValueError:
        return None
    return chars if math.isfinite(chars) and chars >= 0 else None


def col_hidden(hidden: str | bytes, width: str | bytes) -> bool:
    """Whether a `<col>` range (its `hidden` and `width` attributes) is hidden in Excel:
    hidden="1" (or "true"), or a width that draws no pixel (width="0", which some programs
    write in place of hidden="1", or what dragging a column's border shut leaves). A width
    that is none (see col_width) is not a hidden column."""
    if isinstance(hidden, bytes):
        hidden = hidden.decode("latin-1")
    if hidden.strip() in ("1", "true"):
        return True
    chars = col_width(width)
    if chars is None or chars >= 1:
        return False  # no width (the sheet's default), none that can be read, or wide
    return int((256 * chars + _PIXEL_ROUNDING) / 256 * _DIGIT_PIXELS) == 0
