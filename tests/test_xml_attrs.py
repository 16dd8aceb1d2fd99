"""A start tag's attributes as esp reads them (workbook.xlsx.xmlbytes): one attribute read
alone (attr_value, asked of each cell a write changes) is what reading all of them gives
(parse_attrs), in any form XML allows — either quote, spaces around '=', entities, a
prefix, an empty value, a name inside another's value."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from esp_cli.workbook.xlsx.sheetxml import CellLoc
from esp_cli.workbook.xlsx.xmlbytes import attr_value, parse_attrs
from tests.support.processes import python_prints

NAMES = [b"r", b"s", b"t", b"vm", b"cm", b"x:t", b"ph", b"tt"]
VALUES = [b"", b"s", b"12", b"AO5", b"t", b"a&amp;b", b"&#115;", b"t='s'", b'vm="1"', b" "]


@st.composite
def start_tags(draw: st.DrawFn) -> bytes:
    out = b""
    for name in draw(st.lists(st.sampled_from(NAMES), max_size=5)):
        value = draw(st.sampled_from(VALUES))
        quote = b'"' if b'"' not in value and (b"'" in value or draw(st.booleans())) else b"'"
        space = draw(st.sampled_from([b"", b" ", b"\n\t"]))
        out += draw(st.sampled_from([b" ", b"\t", b"\r\n "])) + name + space + b"=" + space
        out += quote + value + quote
    return out


@settings(max_examples=500, deadline=None)
@given(attrs=start_tags(), name=st.sampled_from(NAMES))
def test_one_attribute_read_alone_is_what_reading_them_all_gives(attrs: bytes, name: bytes) -> None:
    assert attr_value(attrs, name) == parse_attrs(attrs).get(name)
    assert CellLoc(1, 0, 0, attrs, None, True).attr(name) == parse_attrs(attrs).get(name)


def test_examples() -> None:
    assert attr_value(b' r="AO5" s="3" t="s"', b"t") == b"s"
    assert attr_value(b' r="AO5" s="3"', b"t") is None
    assert attr_value(b" t = 'inlineStr' ", b"t") == b"inlineStr"
    assert attr_value(b' t=""', b"t") == b""
    assert attr_value(b' x:t="s"', b"t") is None
    assert attr_value(b' t="&#115;"', b"t") == b"s"
    assert attr_value(b" r=\"t='s'\"", b"t") is None


def test_text_without_an_entity_is_read_without_loading_html() -> None:
    """html.unescape resolves the entities of a workbook's text, and html (its tables of
    entities take milliseconds to load) loads with the first text that has one."""
    code = (
        "import sys\n"
        "from esp_cli.workbook.xlsx import sheetxml, xmlbytes\n"
        "plain = xmlbytes.unescape('Called SPOC; waiting')\n"
        "print(repr(plain), 'html' in sys.modules)\n"
        "print(repr(xmlbytes.unescape('Q&amp;A &#233;&lt;')), 'html' in sys.modules)\n"
    )
    assert python_prints(code) == "'Called SPOC; waiting' False\n'Q&A é<' True\n"
