"""Cell formats in xl/styles.xml: which are dates, and adding a date format when needed.

Patched at the byte level: the only change esp ever makes here is appending an `<xf>` to
`<cellXfs>` (a copy of an existing one with a date number format) and bumping its count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

# Built-in number formats that show dates or times (ECMA-376 §18.8.30; OI 2.1.712),
# including the East Asian date ids Excel maps to locale dates.
_BUILTIN_DATE_IDS = frozenset(
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)]
)
_BUILTIN_TIME_ONLY = frozenset([18, 19, 20, 21, 45, 46, 47])
DATE_FMT_ID = 14  # m/d/yyyy
DATETIME_FMT_ID = 22  # m/d/yyyy h:mm

_XFS = re.compile(rb"<((?:\w+:)?)cellXfs\b([^>]*?)(/>|>(.*?)</(?:\w+:)?cellXfs>)", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", re.S)
_NUMFMT = re.compile(
    rb"<(?:\w+:)?numFmt\b[^>]*?\bnumFmtId=\"(\d+)\"[^>]*?\bformatCode=\"([^\"]*)\""
)
_NUMFMT_REV = re.compile(
    rb"<(?:\w+:)?numFmt\b[^>]*?\bformatCode=\"([^\"]*)\"[^>]*?\bnumFmtId=\"(\d+)\""
)
_NUMFMT_ID = re.compile(rb"\bnumFmtId=\"(\d+)\"")
_COUNT = re.compile(rb"\bcount=\"\d+\"")


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

    @classmethod
    def parse(cls, data: bytes | None) -> Styles:
        st = cls(data=data or b"")
        if not data:
            return st
        for m in _NUMFMT.finditer(data):
            st.num_fmts[int(m.group(1))] = unescape(m.group(2).decode("utf-8", "replace"))
        for m in _NUMFMT_REV.finditer(data):
            st.num_fmts.setdefault(int(m.group(2)), unescape(m.group(1).decode("utf-8", "replace")))
        xfs = _XFS.search(data)
        if xfs and xfs.group(4):
            for xm in _XF.finditer(xfs.group(4)):
                raw = xm.group(0)
                fm = _NUMFMT_ID.search(raw.split(b">", 1)[0])
                st.xf_raw.append(raw)
                st.xf_fmt.append(int(fm.group(1)) if fm else 0)
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

    def date_variant(self, base: int, fmt_id: int = DATE_FMT_ID) -> int:
        """The index of an xf like `base` but showing a date; appended if none exists."""
        if not self.xf_raw:
            raise LookupError("the workbook has no cell formats to copy")
        if not 0 <= base < len(self.xf_raw):
            base = 0
        raw = self.xf_raw[base]
        head, sep, rest = raw.partition(b">")
        if _NUMFMT_ID.search(head):
            head = _NUMFMT_ID.sub(b'numFmtId="%d"' % fmt_id, head, count=1)
        else:
            head = head.replace(b"xf", b'xf numFmtId="%d"' % fmt_id, 1)
        if b"applyNumberFormat=" in head:
            head = re.sub(rb'applyNumberFormat="[^"]*"', b'applyNumberFormat="1"', head)
        else:
            closing = b"/" if head.endswith(b"/") else b""
            head = head[: len(head) - len(closing)] + b' applyNumberFormat="1"' + closing
        new = head + sep + rest
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
        m = _XFS.search(self.data)
        assert m is not None  # xf_raw is only non-empty when cellXfs was found
        prefix, attrs, _close, inner = m.group(1), m.group(2), m.group(3), m.group(4) or b""
        new_attrs = _COUNT.sub(b'count="%d"' % len(self.xf_raw), attrs)
        body = inner + b"".join(self.added)
        block = b"<" + prefix + b"cellXfs" + new_attrs + b">" + body + b"</" + prefix + b"cellXfs>"
        return self.data[: m.start()] + block + self.data[m.end() :]
