"""Drop-down lists of a worksheet: classic <dataValidations> and Excel 2010's x14 ones.

Excel stores a list whose source is on another sheet as an x14 data validation in the
sheet's extLst (`<x14:formula1><xm:f>Lists!$A$2:$A$8</xm:f>`); older lists are in
`<dataValidations>`. Both are read here, and the list's values resolved: a literal
`"Yes,No"`, a range (on this or another sheet) or a defined name pointing at one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from esp_cli.core.refs import parse_area
from esp_cli.errors import InputFileError
from esp_cli.workbook.xlsx.package import NS_MAIN, Package, SheetInfo, element_text
from esp_cli.workbook.xlsx.reader import WorkbookReader
from esp_cli.workbook.xlsx.sheetxml import SheetXml

if TYPE_CHECKING:
    from lxml.etree import _Element

_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
_XM = "http://schemas.microsoft.com/office/excel/2006/main"


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
            out.append(parse_area(part))
        except ValueError:
            continue
    return tuple(out)


def list_validations(
    pkg: Package,
    sheet: SheetInfo,
    reader: WorkbookReader | None = None,
    skeleton: _Element | None = None,
) -> list[ListValidation]:
    """The sheet's list validations, read as XML from the sheet without its rows (any
    prefix, any quoting, comments anywhere); `skeleton`: that XML, when it was read."""
    try:
        root = SheetXml(pkg.read_xml(sheet.part)).skeleton if skeleton is None else skeleton
    except ValueError:
        return []  # a sheet esp cannot follow: its drop-downs are not read (and not written)
    main = root.tag[1 : root.tag.index("}")] if str(root.tag).startswith("{") else ""
    found: list[tuple[str, str]] = []  # (sqref, formula)
    for el in root.iter(f"{{{main}}}dataValidation"):
        f1 = el.find(f"{{{main}}}formula1")
        formula = element_text(f1) if f1 is not None else ""
        if (el.get("type") or "").strip() == "list" and formula.strip():
            found.append((str(el.get("sqref", "")), formula))
    for el in root.iter(f"{{{_X14}}}dataValidation"):
        f1 = el.find(f"{{{_X14}}}formula1/{{{_XM}}}f")
        sq = el.find(f"{{{_XM}}}sqref")
        formula = element_text(f1) if f1 is not None else ""
        if (el.get("type") or "").strip() == "list" and formula.strip() and sq is not None:
            found.append((element_text(sq), formula))
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
            r"\$?[A-Za-z]{1,3}\$?\d+(:\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}",
            ref,
        ):
            target = self._defined_name(ref)
            return self.values(target, depth + 1) if target else None
        name = sheet_name.strip("'").replace("''", "'") if sheet_name else self.sheet.name
        try:
            info = self.pkg.sheet(name)
            r1, c1, r2, c2 = parse_area(ref.replace("$", ""))
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
        for el in self.pkg.workbook_root.iter(f"{{{NS_MAIN}}}definedName"):
            text = element_text(el)
            if str(el.get("name", "")).strip().lower() == name.lower() and text.strip():
                return text
        return None
