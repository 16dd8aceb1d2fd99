"""Drop-down lists of a worksheet: classic <dataValidations> and Excel 2010's x14 ones.

Excel stores a list whose source is on another sheet as an x14 data validation in the
sheet's extLst (`<x14:formula1><xm:f>Lists!$A$2:$A$8</xm:f>`); older lists are in
`<dataValidations>`. Both are read here, and the list's values resolved: a literal
`"Yes,No"`, a range (on this or another sheet) or a defined name pointing at one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from esp_cli.errors import InputFileError
from esp_cli.xlsx.package import Package, SheetInfo
from esp_cli.xlsx.reader import WorkbookReader
from esp_cli.xlsx.refs import parse_range

_CLASSIC = re.compile(
    rb"<(?!x14:)(?:\w+:)?dataValidation\b([^>]*)>(.*?)</(?:\w+:)?dataValidation>", re.S
)
_X14 = re.compile(rb"<x14:dataValidation\b([^>]*)>(.*?)</x14:dataValidation>", re.S)
_F1_CLASSIC = re.compile(rb"<(?:\w+:)?formula1>(.*?)</(?:\w+:)?formula1>", re.S)
_F1_X14 = re.compile(rb"<x14:formula1>\s*<xm:f>(.*?)</xm:f>", re.S)
_SQREF_X14 = re.compile(rb"<xm:sqref>(.*?)</xm:sqref>", re.S)
_ATTR = re.compile(rb"(\w+)=\"([^\"]*)\"")
_DEFINED = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)


@dataclass(frozen=True)
class ListValidation:
    ranges: tuple[tuple[int, int, int, int], ...]  # (row1, col1, row2, col2)
    source: str  # the formula as stored, e.g. Lists!$A$2:$A$8 or "Yes,No"
    values: tuple[str, ...] | None  # None when the source cannot be resolved

    def covers(self, row: int, col: int) -> bool:
        return any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in self.ranges)


def _ranges(sqref: str) -> tuple[tuple[int, int, int, int], ...]:
    out = []
    for part in sqref.split():
        try:
            out.append(parse_range(part))
        except ValueError:
            continue
    return tuple(out)


def list_validations(
    pkg: Package, sheet: SheetInfo, reader: WorkbookReader | None = None
) -> list[ListValidation]:
    data = pkg.read_xml(sheet.part)
    found: list[tuple[str, str]] = []  # (sqref, formula)
    for m in _CLASSIC.finditer(data):
        attrs = dict(_ATTR.findall(m.group(1)))
        if attrs.get(b"type") != b"list":
            continue
        f1 = _F1_CLASSIC.search(m.group(2))
        if f1:
            found.append((attrs.get(b"sqref", b"").decode(), unescape(f1.group(1).decode())))
    for m in _X14.finditer(data):
        attrs = dict(_ATTR.findall(m.group(1)))
        if attrs.get(b"type") != b"list":
            continue
        f1 = _F1_X14.search(m.group(2))
        sq = _SQREF_X14.search(m.group(2))
        if f1 and sq:
            found.append((sq.group(1).decode(), unescape(f1.group(1).decode())))
    if not found:
        return []
    resolver = _Resolver(pkg, sheet, reader)
    return [ListValidation(_ranges(sq), f, resolver.values(f)) for sq, f in found]


class _Resolver:
    def __init__(self, pkg: Package, sheet: SheetInfo, reader: WorkbookReader | None) -> None:
        self.pkg = pkg
        self.sheet = sheet
        self._reader = reader

    @property
    def reader(self) -> WorkbookReader:
        if self._reader is None:
            self._reader = WorkbookReader(self.pkg)
        return self._reader

    def values(self, formula: str, depth: int = 0) -> tuple[str, ...] | None:
        f = formula.strip().lstrip("=")
        if f.startswith('"') and f.endswith('"'):
            return tuple(v.strip() for v in f[1:-1].split(",") if v.strip())
        if depth > 3:
            return None
        sheet_name, _, ref = f.rpartition("!")
        if not ref:
            return None
        if not sheet_name and not re.fullmatch(
            r"\$?[A-Za-z]{1,3}\$?\d+(:\$?[A-Za-z]{1,3}\$?\d+)?", ref
        ):
            target = self._defined_name(ref)
            return self.values(target, depth + 1) if target else None
        name = sheet_name.strip("'").replace("''", "'") if sheet_name else self.sheet.name
        try:
            info = self.pkg.sheet(name)
            r1, c1, r2, c2 = parse_range(ref.replace("$", ""))
        except (ValueError, InputFileError):
            return None
        values = self.reader.values(info)
        out: list[str] = []
        for r in range(r1, min(r2, len(values.rows)) + 1):
            for c in range(c1, c2 + 1):
                v = values.get(r, c)
                if v is not None and str(v).strip():
                    out.append(str(v).strip())
        return tuple(out)

    def _defined_name(self, name: str) -> str | None:
        for m in _DEFINED.finditer(self.pkg.workbook_xml):
            attrs = dict(_ATTR.findall(m.group(1)))
            if attrs.get(b"name", b"").decode().lower() == name.lower():
                return unescape(m.group(2).decode())
        return None
