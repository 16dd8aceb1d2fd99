"""Cell formats in xl/styles.xml: which are dates, and adding a date format when needed.

Patched at the byte level: the only change esp ever makes here is appending an `<xf>` to
`<cellXfs>` (a copy of an existing one with a date number format) and bumping its count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from esp_cli.workbook.xlsx.numfmt import text_like
from esp_cli.workbook.xlsx.xmlbytes import blank_markup, end_tag, parse_attrs, set_attr, start_tag

# Built-in number formats that show dates or times (ECMA-376 §18.8.30; OI 2.1.712),
# including the East Asian date ids Excel maps to locale dates.
_BUILTIN_DATE_IDS = frozenset(
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)]
)
_BUILTIN_TIME_ONLY = frozenset([18, 19, 20, 21, 45, 46, 47])
DATE_FMT_ID = 14  # m/d/yyyy
DATETIME_FMT_ID = 22  # m/d/yyyy h:mm

_ROOT = re.compile(rb"<(?:([^\s:<>/!?]+):)?styleSheet(?=[\s/>])")

# The styles part esp adds to a workbook that has none (the part is optional), so a date
# it writes shows as a date: Excel's defaults (Calibri 11, no fill, no border, Normal),
# which is how Excel shows a workbook without one.
MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b"</styleSheet>"
)
STYLES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


def is_date_code(code: str) -> bool:
    """A custom number format shows a date/time if it has d, m, y, h or s outside quotes,
    brackets and escapes ("[h]:mm" elapsed time counts; "[Red]0.00" does not)."""
    s = re.sub(r'"[^"]*"', "", code)
    s = re.sub(r"\\.", "", s)
    s = re.sub(r"\[(?![hms]+\])[^\]]*\]", "", s, flags=re.I)
    s = s.split(";")[0]
    return bool(re.search(r"[dmyhs]", s, re.I)) and "general" not in s.lower()


@dataclass
class Styles:
    data: bytes
    num_fmts: dict[int, str] = field(default_factory=dict)
    xf_fmt: list[int] = field(default_factory=list)  # cellXfs index -> numFmtId
    xf_raw: list[bytes] = field(default_factory=list)
    added: list[bytes] = field(default_factory=list)
    prefix: bytes = b""
    # <cellXfs>: where it starts, where its start tag ends, where its end tag starts
    _xfs: tuple[int, int, int] | None = None
    new_part: bool = False  # the workbook has no styles part: this one is to be added
    # (base xf, numFmtId) -> the date variant found or added (a column of dates asks for
    # the same one for each of its cells)
    _variants: dict[tuple[int, int], int] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: bytes | None) -> Styles:
        st = cls(data=data or b"")
        if not data:
            return st
        scan = blank_markup(data)  # a comment holding an <xf> is not a format
        root = _ROOT.search(scan)
        st.prefix = p = (root.group(1) + b":") if root and root.group(1) else b""
        for m in start_tag(p, b"numFmt").finditer(scan):
            attrs = parse_attrs(m.group(1))
            fid, code = attrs.get(b"numFmtId", b""), attrs.get(b"formatCode")
            if fid.isdigit() and code is not None:
                st.num_fmts.setdefault(int(fid), code.decode("utf-8", "replace"))
        xfs = start_tag(p, b"cellXfs").search(scan)
        if xfs is None or xfs.group(2):
            return st
        close = end_tag(p, b"cellXfs").search(scan, xfs.end())
        if close is None:
            return st
        st._xfs = (xfs.start(), xfs.end(), close.start())
        pos = xfs.end()
        xf_tag, xf_end = start_tag(p, b"xf"), end_tag(p, b"xf")
        while (xf := xf_tag.search(scan, pos, close.start())) is not None:
            end = xf.end()
            if not xf.group(2):
                got = xf_end.search(scan, xf.end(), close.start())
                end = got.end() if got else close.start()
            st.xf_raw.append(data[xf.start() : end])
            fid = parse_attrs(xf.group(1)).get(b"numFmtId", b"0")
            st.xf_fmt.append(int(fid) if fid.isdigit() else 0)
            pos = end
        return st

    @classmethod
    def minimal(cls) -> Styles:
        """The styles of a workbook without a styles part, as a part esp may add."""
        st = cls.parse(MINIMAL_STYLES)
        st.new_part = True
        return st

    @property
    def count(self) -> int:
        return len(self.xf_fmt)

    def is_date_style(self, s: int) -> bool:
        if not 0 <= s < len(self.xf_fmt):
            return False
        fid = self.xf_fmt[s]
        if fid in _BUILTIN_DATE_IDS:
            return fid not in _BUILTIN_TIME_ONLY
        code = self.num_fmts.get(fid)
        return code is not None and is_date_code(code) and bool(re.search(r"[dy]", code, re.I))

    def read_as_dates(self) -> frozenset[int]:
        """The cell formats whose numbers a reader turns into dates, times or durations:
        every date or time format, built in or the workbook's own."""
        return frozenset(
            i
            for i, fid in enumerate(self.xf_fmt)
            if fid in _BUILTIN_DATE_IDS
            or (fid in self.num_fmts and is_date_code(self.num_fmts[fid]))
        )

    def text_formats(self) -> dict[int, str]:
        """Cell format index -> number format, for the formats that show a whole number as
        text (leading zeros, literal text: see numfmt.text_like)."""
        out = {}
        for i, fid in enumerate(self.xf_fmt):
            code = self.num_fmts.get(fid)
            if code is not None and text_like(code):
                out[i] = code
        return out

    def date_variant(self, base: int, fmt_id: int = DATE_FMT_ID) -> int:
        """The index of an xf like `base` but showing a date; appended if none exists."""
        if not self.xf_raw:
            raise LookupError("the workbook has no cell formats to copy")
        if not 0 <= base < len(self.xf_raw):
            base = 0
        known = self._variants.get((base, fmt_id))
        if known is not None:
            return known  # formats are only appended: the first alike is still the first
        self._variants[(base, fmt_id)] = found = self._date_variant(base, fmt_id)
        return found

    def _date_variant(self, base: int, fmt_id: int) -> int:
        raw = self.xf_raw[base]
        m = start_tag(self.prefix, b"xf").match(raw)
        assert m is not None  # xf_raw holds what that pattern found
        attrs = set_attr(m.group(1), b"numFmtId", b"%d" % fmt_id)
        attrs = set_attr(attrs, b"applyNumberFormat", b"1")
        new = raw[: m.start(1)] + attrs + raw[m.end(1) :]
        for i, existing in enumerate(self.xf_raw):
            if existing == new:
                return i
        self.xf_raw.append(new)
        self.xf_fmt.append(fmt_id)
        self.added.append(new)
        return len(self.xf_raw) - 1

    def patched(self) -> bytes | None:
        """styles.xml with the added formats, or None when nothing was added."""
        if not self.added:
            return None
        assert self._xfs is not None  # xf_raw is only non-empty when cellXfs was found
        start, tag_end, close = self._xfs
        data = self.data
        head = start_tag(self.prefix, b"cellXfs").match(data, start)
        assert head is not None
        attrs = set_attr(head.group(1), b"count", b"%d" % len(self.xf_raw))
        return (
            data[:start]
            + b"<"
            + self.prefix
            + b"cellXfs"
            + attrs
            + b">"
            + data[tag_end:close]
            + b"".join(self.added)
            + data[close:]
        )
