"""Formats esp adds to styles.xml: a copy of a cell's format with a date number format or
with Wrap Text, every other setting kept, reused when the workbook has one that says the
same, counted, and valid against the schema."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from esp_cli.workbook.xlsx.styles import Styles
from tests.support.marks import checks_schemas
from tests.support.ooxml import styles_errors, validate_part

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XFS = [
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
    '<xf numFmtId="14" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyFont="1" applyAlignment="1"><alignment horizontal="left" vertical="top" indent="1"/>'
    "</xf>",
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyProtection="1">'
    '<protection locked="0"/></xf>',
    # What a wrapping copy of the first says, spelled another way.
    '<xf applyAlignment=\'1\' xfId="0" borderId="0" fillId="0" fontId="0" numFmtId=\'0\'>'
    "<alignment wrapText='1'></alignment></xf>",
]


def styles_xml(xfs: list[str], prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    body = (
        '<fonts count="2"><font><sz val="11"/></font><font><b/><sz val="11"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    )
    if p:
        body = re.sub(r"<(/?)([a-zA-Z])", rf"<\1{p}\2", body)
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<{p}styleSheet {xmlns}>{body}</{p}styleSheet>"
    ).encode()


def cell_xfs(data: bytes) -> etree._Element:
    found = etree.fromstring(data).find(f"{{{MAIN}}}cellXfs")
    assert found is not None
    return found


def valid(data: bytes) -> None:
    assert styles_errors(data) == []
    if checks_schemas():
        assert validate_part("xl/styles.xml", data) == []


def test_wrap_text_is_added_to_a_copy_keeping_every_other_setting() -> None:
    st = Styles.parse(styles_xml(XFS))
    assert [st.wraps(i) for i in range(4)] == [False, False, False, True]
    # The plain format's wrapping copy exists already, spelled otherwise: reused.
    assert st.wrap_variant(0) == 3 and st.patched() is None
    dated, locked = st.wrap_variant(1), st.wrap_variant(2)
    assert (dated, locked) == (4, 5)
    # Asked again, for every cell of a column: the same two, nothing more added.
    assert [st.wrap_variant(1) for _ in range(1000)] == [4] * 1000 and st.wrap_variant(2) == 5
    data = st.patched()
    assert data is not None
    valid(data)
    xfs = cell_xfs(data)
    assert xfs.get("count") == "6" == str(len(xfs))
    new = xfs[4]
    assert {k: new.get(k) for k in ("numFmtId", "fontId", "applyNumberFormat", "applyFont")} == {
        "numFmtId": "14",
        "fontId": "1",
        "applyNumberFormat": "1",
        "applyFont": "1",
    }
    assert new.get("applyAlignment") == "1"
    (align,) = new
    assert dict(align.attrib) == {
        "horizontal": "left",
        "vertical": "top",
        "indent": "1",
        "wrapText": "1",
    }
    # The alignment goes before the protection, as the schema orders them.
    assert [etree.QName(c).localname for c in xfs[5]] == ["alignment", "protection"]
    assert xfs[5][1].get("locked") == "0" and xfs[5].get("applyProtection") == "1"
    # The workbook's own formats are untouched, byte for byte.
    assert b"".join(x.encode() for x in XFS) in data
    reread = Styles.parse(data)
    assert [reread.wraps(i) for i in range(6)] == [False, False, False, True, True, True]


def test_a_date_copy_is_reused_however_it_is_spelled() -> None:
    dated = "<xf applyNumberFormat='1' numFmtId='14' fontId='0' fillId='0' borderId='0' xfId='0'/>"
    st = Styles.parse(styles_xml([XFS[0], dated]))
    assert st.date_variant(0) == 1 and st.patched() is None
    assert st.is_date_style(st.date_variant(2))  # out of range: a copy of the first


@pytest.mark.parametrize("prefix", ["", "x"])
def test_a_prefixed_styles_part_gets_prefixed_elements(prefix: str) -> None:
    st = Styles.parse(styles_xml(XFS[:1], prefix))
    assert st.wrap_variant(0) == 1
    data = st.patched()
    assert data is not None
    p = f"{prefix}:" if prefix else ""
    assert f'<{p}alignment wrapText="1"/></{p}xf></{p}cellXfs>'.encode() in data
    valid(data)
