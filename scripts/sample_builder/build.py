"""Build a new .xlsx workbook from a plain spec, deterministically, with the standard library.

This writes the sample esp ships (`src/esp_cli/sample/`, by scripts/make_fixtures.py) and the
large benchmark trackers, so it must be exact (every part valid against ECMA-376, readable by
Excel, LibreOffice, openpyxl and calamine), repeatable (same spec, same bytes: the shipped
sample is compared byte for byte with a rebuild) and fast (10,000 rows x 40 columns in a
second or two).
It never edits an existing workbook; that is the patcher's job.

    spec = WorkbookSpec(sheets=[SheetSpec("Data", rows={1: {"A": Cell("Name", HEADER)},
                                                        2: ["Ana Ruiz", date(2026, 11, 23)]})])
    write_workbook(spec, Path("out.xlsx"))

A row is either a mapping {column: value} (column as letters "AB" or a 1-based int) or a
sequence laid out from column A. A value is a plain Python value or a `Cell` with a `Style`.
Dates get the `m/d/yyyy` format and date-times `m/d/yyyy h:mm` unless the style says
otherwise; text goes through the shared strings table, as Excel saves it.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO, Literal, TypeAlias, cast

__all__ = [
    "HEADER",
    "PLAIN",
    "TITLE",
    "WRAP",
    "Cell",
    "CellInput",
    "ConditionalFormat",
    "DataValidation",
    "DefinedName",
    "ErrorValue",
    "Formula",
    "Highlight",
    "Row",
    "Scalar",
    "SheetSpec",
    "Style",
    "WorkbookSpec",
    "X14ListValidation",
    "column_letter",
    "excel_serial",
    "render_parts",
    "workbook_bytes",
    "write_workbook",
]

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_CELL_CHARS = 32_767  # Excel truncates (and repairs) longer text

DATE_FORMAT = "m/d/yyyy"  # built-in numFmtId 14
# Kept as a custom format (id 164+) on purpose: readers must recognise date codes written
# in <numFmts>, not only the built-in ids, and this exercises that path.
DATETIME_FORMAT = "m/d/yyyy h:mm"

ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


# --------------------------------------------------------------------------- values

_ARGB = re.compile(r"[0-9A-F]{8}")


def _check_argb(colour: str) -> None:
    if not _ARGB.fullmatch(colour):
        raise ValueError(f"colour must be 8 upper-case hex digits (ARGB), got {colour!r}")


@dataclass(frozen=True, slots=True)
class ErrorValue:
    """An Excel error as a cell value or a cached formula result, e.g. ErrorValue("#N/A")."""

    code: str

    def __post_init__(self) -> None:
        if self.code not in ERROR_CODES:
            raise ValueError(f"not an Excel error code: {self.code!r}")


FormulaResult: TypeAlias = str | int | float | bool | date | ErrorValue


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula with the result Excel would have cached for it.

    Readers that do not calculate (calamine, pandas, esp itself) see only the cached result,
    so `result` must be the true one: compute it in Python. `text` has no leading '='.
    """

    text: str
    result: FormulaResult

    def __post_init__(self) -> None:
        if self.text.startswith("="):
            raise ValueError(f"formula text is stored without '=': {self.text!r}")


Scalar: TypeAlias = str | int | float | bool | date | datetime | ErrorValue | Formula | None


@dataclass(frozen=True, slots=True)
class Style:
    """The few cell formats the trackers use. Colours are ARGB hex, e.g. "FFD9E1F2"."""

    bold: bool = False
    font_size: float | None = None  # None: the workbook default, Calibri 11
    wrap: bool = False  # needed for line breaks inside a cell to show
    fill: str | None = None
    num_format: str | None = None  # None: General, or the date formats for date values

    def __post_init__(self) -> None:
        if self.fill is not None:
            _check_argb(self.fill)


PLAIN = Style()
HEADER = Style(bold=True, wrap=True, fill="FFD9E1F2")
TITLE = Style(bold=True, font_size=14)
WRAP = Style(wrap=True)


@dataclass(frozen=True, slots=True)
class Cell:
    value: Scalar
    style: Style = PLAIN


CellInput: TypeAlias = Cell | Scalar
Row: TypeAlias = Mapping[int, CellInput] | Mapping[str, CellInput] | Sequence[CellInput]


# --------------------------------------------------------------------- sheet features


ValidationType = Literal["list", "whole", "decimal", "date", "time", "textLength", "custom"]
Operator = Literal[
    "between",
    "notBetween",
    "equal",
    "notEqual",
    "lessThan",
    "lessThanOrEqual",
    "greaterThan",
    "greaterThanOrEqual",
]


@dataclass(frozen=True, slots=True)
class DataValidation:
    """A classic `<dataValidation>`. For a literal list, formula1 is '"Yes,No"' (quotes
    included, at most 255 characters); otherwise a formula or a same-sheet range."""

    sqref: str
    type: ValidationType
    formula1: str
    formula2: str | None = None
    operator: Operator | None = None  # Excel's default for number/date types: between
    allow_blank: bool = True
    error_title: str | None = None
    error: str | None = None
    prompt_title: str | None = None
    prompt: str | None = None


@dataclass(frozen=True, slots=True)
class X14ListValidation:
    """A drop-down whose list is a range on another sheet, stored the way Excel 2010+ stores
    it: in the worksheet's extLst (x14:dataValidation), not in <dataValidations>."""

    sqref: str
    source: str  # e.g. "Lists!$A$2:$A$8"


@dataclass(frozen=True, slots=True)
class Highlight:
    """The differential format (dxf) a conditional format applies."""

    fill: str | None = None
    font_color: str | None = None
    bold: bool = False

    def __post_init__(self) -> None:
        for colour in (self.fill, self.font_color):
            if colour is not None:
                _check_argb(colour)


@dataclass(frozen=True, slots=True)
class ConditionalFormat:
    """One rule. Without an operator it is an "expression" rule: `formula` is a boolean
    formula written for the top-left cell of sqref (e.g. 'LEN($Y5)>0'). With an operator it
    is a "cellIs" rule comparing each cell with formula (and formula2 for between)."""

    sqref: str
    formula: str
    highlight: Highlight
    operator: Operator | None = None
    formula2: str | None = None
    stop_if_true: bool = False


@dataclass(frozen=True, slots=True)
class DefinedName:
    name: str  # e.g. "AccessOptions" or "_xlnm.Print_Titles"
    refers_to: str  # e.g. "Lists!$A$2:$A$8"
    sheet: str | None = None  # scope: None for the workbook, else a sheet name
    hidden: bool = False


@dataclass(slots=True)
class SheetSpec:
    name: str
    rows: Mapping[int, Row] = field(default_factory=dict)
    hidden: bool = False
    freeze: str | None = None  # first scrolling cell: "A5" freezes rows 1-4
    col_widths: Mapping[int, float] | Mapping[str, float] = field(default_factory=dict)
    validations: Sequence[DataValidation] = ()
    x14_list_validations: Sequence[X14ListValidation] = ()
    conditional_formats: Sequence[ConditionalFormat] = ()
    merges: Sequence[str] = ()  # e.g. "A1:F1"
    # Points. Neither Excel nor LibreOffice grows a row for wrapped text when opening a
    # file, so multi-line notes need their height written, as Excel saves it.
    row_heights: Mapping[int, float] = field(default_factory=dict)


@dataclass(slots=True)
class WorkbookSpec:
    sheets: Sequence[SheetSpec]
    defined_names: Sequence[DefinedName] = ()
    title: str = ""
    creator: str = ""
    last_modified_by: str | None = None  # None: the creator
    created: datetime | None = None  # omitted when None, which keeps output repeatable
    modified: datetime | None = None
    # The trackers stand in for files the team saved with Excel; openpyxl and XlsxWriter
    # write the same name. Change it when the difference matters to a reader.
    application: str = "Microsoft Excel"
    company: str = ""


# ------------------------------------------------------------------------- public helpers


def _build_letters() -> list[str]:
    letters = [""]
    for n in range(1, MAX_COLS + 1):
        s, k = "", n
        while k:
            k, rem = divmod(k - 1, 26)
            s = chr(65 + rem) + s
        letters.append(s)
    return letters


# Index = 1-based column number; built once (about 5 ms) because every cell needs one.
_LETTERS = _build_letters()
_COLUMN_NUMBERS = {s: i for i, s in enumerate(_LETTERS) if i}


def column_letter(n: int) -> str:
    """1 -> "A", 28 -> "AB"."""
    if not 1 <= n <= MAX_COLS:
        raise ValueError(f"column number out of range: {n}")
    return _LETTERS[n]


_EPOCH = date(1899, 12, 30)
_FIRST_EXACT = date(1900, 3, 1)  # before it Excel's fictitious 1900-02-29 shifts serials


def excel_serial(value: date) -> int | float:
    """Serial number of a date or date-time in the 1900 date system (11/23/2026 -> 46349)."""
    day = value.date() if isinstance(value, datetime) else value
    if day < _FIRST_EXACT:
        raise ValueError(f"dates before 1900-03-01 are not supported: {value}")
    days = (day - _EPOCH).days
    if not isinstance(value, datetime):
        return days
    if value.tzinfo is not None:
        raise ValueError(f"Excel has no time zones; pass a naive date-time: {value}")
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return days + seconds / 86400 if seconds else days


# ----------------------------------------------------------------------------- escaping

# ST_Xstring (<t>, <v>, <f>): markup characters, characters XML 1.0 forbids, CR (which XML
# parsers would turn into LF) and literal text shaped like an escape all need work.
_XSTRING_WORK = re.compile(
    "[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_"
)
_MARKUP = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _xstring_sub(m: re.Match[str]) -> str:
    s = m.group()
    if s in _MARKUP:
        return _MARKUP[s]
    if len(s) > 1:  # literal "_x0041_": escape its underscore so it reads back unchanged
        return "_x005F" + s
    return f"_x{ord(s):04X}_"


def _xstring(s: str) -> str:
    if _XSTRING_WORK.search(s) is None:
        return s
    return _XSTRING_WORK.sub(_xstring_sub, s)


_ATTR_WORK = re.compile('[&<>"\t\n\r]')
_ATTR_MAP = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _attr(s: str) -> str:
    if _XML_ILLEGAL.search(s):
        raise ValueError(f"character not allowed in XML: {s!r}")
    return _ATTR_WORK.sub(lambda m: _ATTR_MAP[m.group()], s)


def _text(s: str) -> str:
    """Plain element text outside SpreadsheetML strings (docProps, formulas in rules)."""
    if _XML_ILLEGAL.search(s):
        raise ValueError(f"character not allowed in XML: {s!r}")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(v: int | float) -> str:
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        raise ValueError(f"Excel cannot store {v!r}")
    r = repr(v)
    return r[:-2] if r.endswith(".0") else r  # 8.0 -> "8", as Excel writes it


_REF = r"[A-Z]{1,3}[1-9][0-9]{0,6}"
_SQREF = re.compile(rf"{_REF}(?::{_REF})?(?: {_REF}(?::{_REF})?)*")
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


def _check_sqref(sqref: str) -> None:
    if not _SQREF.fullmatch(sqref):
        raise ValueError(f"not a cell range list: {sqref!r} (expected e.g. 'A5:A200 C5')")


def _parse_ref(ref: str) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(ref)
    if not m or m.group(1) not in _COLUMN_NUMBERS or int(m.group(2)) > MAX_ROWS:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), _COLUMN_NUMBERS[m.group(1)]


def _parse_range(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    r1, c1 = _parse_ref(first)
    r2, c2 = _parse_ref(last or first)
    if r2 < r1 or c2 < c1:
        raise ValueError(f"range runs backwards: {ref!r}")
    return r1, c1, r2, c2


def _column_number(key: int | str) -> int:
    if isinstance(key, int):
        if 1 <= key <= MAX_COLS:
            return key
    elif key in _COLUMN_NUMBERS:
        return _COLUMN_NUMBERS[key]
    raise ValueError(f"not a column: {key!r} (use letters like 'AB' or 1..{MAX_COLS})")


# ------------------------------------------------------------------ shared state per build


_KIND_PLAIN, _KIND_DATE, _KIND_DATETIME = 0, 1, 2
_BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    DATE_FORMAT: 14,
    "@": 49,
}


class _Styles:
    """Cell formats in first-use order (so output is a pure function of the spec)."""

    def __init__(self) -> None:
        self.xfs: dict[Style, int] = {PLAIN: 0}
        self._attr_cache: dict[tuple[Style, int], str] = {}
        self.dxfs: dict[Highlight, int] = {}

    def attr(self, style: Style, kind: int) -> str:
        """The ` s="n"` attribute for a value of this kind in this style ("" for 0)."""
        key = (style, kind)
        cached = self._attr_cache.get(key)
        if cached is None:
            effective = style
            if style.num_format is None and kind != _KIND_PLAIN:
                fmt = DATE_FORMAT if kind == _KIND_DATE else DATETIME_FORMAT
                effective = replace(style, num_format=fmt)
            index = self.xfs.setdefault(effective, len(self.xfs))
            cached = f' s="{index}"' if index else ""
            self._attr_cache[key] = cached
        return cached

    def dxf(self, highlight: Highlight) -> int:
        return self.dxfs.setdefault(highlight, len(self.dxfs))

    def xml(self) -> str:
        custom: dict[str, int] = {}
        fonts: dict[tuple[bool, float | None], int] = {(False, None): 0}
        fills: dict[str, int] = {}
        xf_parts = []
        for style in self.xfs:
            fmt = style.num_format or "General"
            if fmt in _BUILTIN_FORMATS:
                fmt_id = _BUILTIN_FORMATS[fmt]
            else:
                fmt_id = custom.setdefault(fmt, 164 + len(custom))
            font_id = fonts.setdefault((style.bold, style.font_size), len(fonts))
            fill_id = 0 if style.fill is None else 2 + fills.setdefault(style.fill, len(fills))
            applies = (
                (' applyNumberFormat="1"' if fmt_id else "")
                + (' applyFont="1"' if font_id else "")
                + (' applyFill="1"' if fill_id else "")
            )
            head = (
                f'<xf numFmtId="{fmt_id}" fontId="{font_id}" fillId="{fill_id}" '
                f'borderId="0" xfId="0"{applies}'
            )
            if style.wrap:
                xf_parts.append(f'{head} applyAlignment="1"><alignment wrapText="1"/></xf>')
            else:
                xf_parts.append(f"{head}/>")

        out = [_XML_DECL, f'<styleSheet xmlns="{NS_MAIN}">']
        if custom:
            out.append(f'<numFmts count="{len(custom)}">')
            out.extend(
                f'<numFmt numFmtId="{i}" formatCode="{_attr(code)}"/>' for code, i in custom.items()
            )
            out.append("</numFmts>")
        out.append(f'<fonts count="{len(fonts)}">')
        for bold, size in fonts:
            sz = _number(size if size is not None else 11)
            out.append(
                f'<font>{"<b/>" if bold else ""}<sz val="{sz}"/>'
                '<name val="Calibri"/><family val="2"/></font>'
            )
        out.append(f'</fonts><fills count="{2 + len(fills)}">')
        # Fills 0 and 1 are reserved: Excel expects none and gray125 there.
        out.append(
            '<fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
        )
        out.extend(
            f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
            for rgb in fills
        )
        out.append(
            '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
            '</border></borders><cellStyleXfs count="1">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        )
        out.append(f'<cellXfs count="{len(xf_parts)}">')
        out.extend(xf_parts)
        out.append(
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles>"
        )
        out.append(f'<dxfs count="{len(self.dxfs)}">')
        for h in self.dxfs:
            out.append("<dxf>")
            if h.bold or h.font_color:
                colour = f'<color rgb="{h.font_color}"/>' if h.font_color else ""
                out.append(f"<font>{'<b/>' if h.bold else ''}{colour}</font>")
            if h.fill:
                # In a dxf the solid colour is the pattern's bgColor (the reverse of cell fills).
                out.append(f'<fill><patternFill><bgColor rgb="{h.fill}"/></patternFill></fill>')
            out.append("</dxf>")
        out.append("</dxfs></styleSheet>")
        return "".join(out)


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0  # references, which the count attribute must equal

    def ref(self, text: str, where: str) -> int:
        """The index of `text`, counting one more reference to it."""
        if len(text) > MAX_CELL_CHARS:
            raise ValueError(f"{where}: text longer than Excel's {MAX_CELL_CHARS} characters")
        self.count += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        out = [
            _XML_DECL,
            f'<sst xmlns="{NS_MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">',
        ]
        for s in self.index:
            # Excel drops leading/trailing whitespace unless told to keep it.
            space = ' xml:space="preserve"' if s != s.strip() else ""
            out.append(f"<si><t{space}>{_xstring(s)}</t></si>")
        out.append("</sst>")
        return "".join(out)


# ------------------------------------------------------------------------------ sheets

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
X14_DATA_VALIDATIONS_URI = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"


def _row_items(cells: Row) -> list[tuple[int, CellInput]]:
    if isinstance(cells, Mapping):
        items = sorted(((_column_number(k), v) for k, v in cells.items()), key=_first)
        for (a, _), (b, _) in zip(items, items[1:], strict=False):
            if a == b:
                raise ValueError(f"column {_LETTERS[a]} given twice in one row")
        return items
    if isinstance(cells, str):  # a str is a Sequence too, and always a mistake here
        raise TypeError("a row is a mapping or a list of values, not a string")
    if len(cells) > MAX_COLS:
        raise ValueError(f"row has more than {MAX_COLS} columns")
    return [(i, v) for i, v in enumerate(cells, start=1)]


def _first(item: tuple[int, CellInput]) -> int:
    return item[0]


def _sheet_data(
    sheet: SheetSpec, sst: _SharedStrings, styles: _Styles
) -> tuple[list[str], tuple[int, int, int, int] | None]:
    """The <sheetData> element as string pieces, and the used range (r1, c1, r2, c2)."""
    out: list[str] = ["<sheetData>"]
    append = out.append
    letters = _LETTERS
    string_ref = sst.ref
    style_attr = styles.attr
    min_c, max_c = MAX_COLS + 1, 0
    first_row = last_row = 0
    name = sheet.name
    heights = sheet.row_heights
    numbers = sorted(set(sheet.rows) | set(heights)) if heights else sorted(sheet.rows)
    no_cells: Row = ()

    for r in numbers:
        if not 1 <= r <= MAX_ROWS:
            raise ValueError(f"{sheet.name}: row number out of range: {r}")
        cells: list[str] = []
        rs = str(r)
        for c, raw in _row_items(sheet.rows.get(r, no_cells)):
            value: Scalar
            if isinstance(raw, Cell):
                value, style = raw.value, raw.style
            else:
                value, style = raw, PLAIN
            ref = letters[c] + rs
            cls = type(value)
            # Exact-type checks first: this loop runs for every cell of a 50k-row tracker.
            if cls is str:
                idx = string_ref(cast(str, value), f"{name}!{ref}")
                cells.append(f'<c r="{ref}"{style_attr(style, 0)} t="s"><v>{idx}</v></c>')
            elif cls is int or cls is float:
                number = _number(cast(int | float, value))
                cells.append(f'<c r="{ref}"{style_attr(style, 0)}><v>{number}</v></c>')
            elif value is None:
                if style is PLAIN:
                    continue
                cells.append(f'<c r="{ref}"{style_attr(style, 0)}/>')
            else:
                cells.append(_other_cell(ref, value, style, styles, sst, name))
            if c < min_c:
                min_c = c
            if c > max_c:
                max_c = c
        height = heights.get(r) if heights else None
        if cells:
            if not first_row:
                first_row = r
            last_row = r
        elif height is None:
            continue
        if height is None:
            append(f'<row r="{rs}">')
        else:
            if not 0 <= height <= 409:
                raise ValueError(f"{sheet.name}: row {r} height out of range (0-409): {height}")
            append(f'<row r="{rs}" ht="{_number(float(height))}" customHeight="1">')
        append("".join(cells))
        append("</row>")
    append("</sheetData>")
    used = (first_row, min_c, last_row, max_c) if first_row else None
    return out, used


def _other_cell(
    ref: str, value: Scalar, style: Style, styles: _Styles, sst: _SharedStrings, sheet: str
) -> str:
    """Cells of the less common types (and subclasses of str/int/float)."""
    if isinstance(value, bool):
        return f'<c r="{ref}"{styles.attr(style, 0)} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        s = styles.attr(style, _KIND_DATETIME)
        return f'<c r="{ref}"{s}><v>{_number(excel_serial(value))}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{styles.attr(style, _KIND_DATE)}><v>{excel_serial(value)}</v></c>'
    if isinstance(value, ErrorValue):
        return f'<c r="{ref}"{styles.attr(style, 0)} t="e"><v>{value.code}</v></c>'
    if isinstance(value, Formula):
        res = value.result
        kind = _KIND_PLAIN
        if isinstance(res, bool):
            t, v = ' t="b"', str(int(res))
        elif isinstance(res, str):
            t, v = ' t="str"', _xstring(res)
        elif isinstance(res, ErrorValue):
            t, v = ' t="e"', res.code
        elif isinstance(res, date):
            kind = _KIND_DATETIME if isinstance(res, datetime) else _KIND_DATE
            t, v = "", _number(excel_serial(res))
        else:
            t, v = "", _number(res)
        s = styles.attr(style, kind)
        return f'<c r="{ref}"{s}{t}><f>{_xstring(value.text)}</f><v>{v}</v></c>'
    if isinstance(value, str):  # a str subclass such as a StrEnum member: store its text
        idx = sst.ref(str(value), f"{sheet}!{ref}")
        return f'<c r="{ref}"{styles.attr(style, 0)} t="s"><v>{idx}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{styles.attr(style, 0)}><v>{_number(value)}</v></c>'
    raise TypeError(f"{sheet}!{ref}: cannot store a {type(value).__name__} in a cell")


def _sheet_view(freeze: str | None, selected: bool) -> str:
    tab = ' tabSelected="1"' if selected else ""
    if freeze is None:
        return f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>'
    row, col = _parse_ref(freeze)
    x_split, y_split = col - 1, row - 1
    if not (x_split or y_split):
        raise ValueError(f"freeze {freeze!r} freezes nothing; use e.g. 'A5' for rows 1-4")
    pane = "bottomRight" if x_split and y_split else "bottomLeft" if y_split else "topRight"
    splits = (f' xSplit="{x_split}"' if x_split else "") + (
        f' ySplit="{y_split}"' if y_split else ""
    )
    return (
        f'<sheetViews><sheetView{tab} workbookViewId="0">'
        f'<pane{splits} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>'
        f'<selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>'
        "</sheetView></sheetViews>"
    )


def _cols(widths: Mapping[int, float] | Mapping[str, float]) -> str:
    if not widths:
        return ""
    items = sorted((_column_number(k), float(w)) for k, w in widths.items())
    out = ["<cols>"]
    for c, w in items:
        if not 0 <= w <= 255:
            raise ValueError(f"column width out of range (0-255): {w}")
        out.append(f'<col min="{c}" max="{c}" width="{_number(w)}" customWidth="1"/>')
    out.append("</cols>")
    return "".join(out)


def _merges(merges: Sequence[str]) -> str:
    if not merges:
        return ""
    rects: list[tuple[str, tuple[int, int, int, int]]] = []
    for ref in merges:
        r1, c1, r2, c2 = _parse_range(ref)
        if (r1, c1) == (r2, c2):
            raise ValueError(f"a merge needs at least two cells: {ref!r}")
        for other_ref, (o1, p1, o2, p2) in rects:
            if r1 <= o2 and o1 <= r2 and c1 <= p2 and p1 <= c2:
                # Overlapping merges make Excel repair the file.
                raise ValueError(f"merged ranges overlap: {other_ref} and {ref}")
        rects.append((ref, (r1, c1, r2, c2)))
    body = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
    return f'<mergeCells count="{len(merges)}">{body}</mergeCells>'


def _conditional_formats(rules: Sequence[ConditionalFormat], styles: _Styles) -> str:
    out = []
    for priority, rule in enumerate(rules, start=1):
        _check_sqref(rule.sqref)
        dxf = styles.dxf(rule.highlight)
        stop = ' stopIfTrue="1"' if rule.stop_if_true else ""
        if rule.operator is None:
            head = f'<cfRule type="expression" dxfId="{dxf}" priority="{priority}"{stop}>'
        else:
            head = (
                f'<cfRule type="cellIs" dxfId="{dxf}" priority="{priority}"{stop} '
                f'operator="{rule.operator}">'
            )
        formulas = f"<formula>{_text(rule.formula)}</formula>"
        if rule.operator in ("between", "notBetween"):
            if rule.formula2 is None:
                raise ValueError(f"{rule.operator} rule on {rule.sqref} needs formula2")
            formulas += f"<formula>{_text(rule.formula2)}</formula>"
        out.append(
            f'<conditionalFormatting sqref="{rule.sqref}">{head}{formulas}</cfRule>'
            "</conditionalFormatting>"
        )
    return "".join(out)


def _data_validations(items: Sequence[DataValidation]) -> str:
    if not items:
        return ""
    out = [f'<dataValidations count="{len(items)}">']
    for dv in items:
        _check_sqref(dv.sqref)
        if dv.type == "list" and dv.formula1.startswith('"') and len(dv.formula1) > 257:
            # Excel's limit on a literal list is 255 characters (quotes not counted).
            raise ValueError(f"list validation on {dv.sqref} is longer than 255 characters")
        attrs = [f'type="{dv.type}"']
        if dv.operator is not None and dv.type not in ("list", "custom"):
            attrs.append(f'operator="{dv.operator}"')
        if dv.allow_blank:
            attrs.append('allowBlank="1"')
        attrs.append('showInputMessage="1" showErrorMessage="1"')
        for name, text in (
            ("errorTitle", dv.error_title),
            ("error", dv.error),
            ("promptTitle", dv.prompt_title),
            ("prompt", dv.prompt),
        ):
            if text is not None:
                attrs.append(f'{name}="{_attr(text)}"')
        attrs.append(f'sqref="{dv.sqref}"')
        body = f"<formula1>{_text(dv.formula1)}</formula1>"
        needs_second = dv.type not in ("list", "custom") and dv.operator in (
            None,
            "between",
            "notBetween",
        )
        if needs_second:
            if dv.formula2 is None:
                raise ValueError(f"{dv.type} validation on {dv.sqref} (between) needs formula2")
            body += f"<formula2>{_text(dv.formula2)}</formula2>"
        out.append(f"<dataValidation {' '.join(attrs)}>{body}</dataValidation>")
    out.append("</dataValidations>")
    return "".join(out)


def _ext_lst(items: Sequence[X14ListValidation]) -> str:
    if not items:
        return ""
    out = [
        f'<extLst><ext uri="{X14_DATA_VALIDATIONS_URI}" xmlns:x14="{NS_X14}">'
        f'<x14:dataValidations count="{len(items)}" xmlns:xm="{NS_XM}">'
    ]
    for dv in items:
        _check_sqref(dv.sqref)
        out.append(
            '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" '
            f'showErrorMessage="1"><x14:formula1><xm:f>{_text(dv.source)}</xm:f>'
            f"</x14:formula1><xm:sqref>{dv.sqref}</xm:sqref></x14:dataValidation>"
        )
    out.append("</x14:dataValidations></ext></extLst>")
    return "".join(out)


def _worksheet_xml(sheet: SheetSpec, selected: bool, sst: _SharedStrings, styles: _Styles) -> bytes:
    data, used = _sheet_data(sheet, sst, styles)
    if used is None:
        dimension = "A1"
    else:
        r1, c1, r2, c2 = used
        dimension = f"{_LETTERS[c1]}{r1}"
        if (r1, c1) != (r2, c2):
            dimension += f":{_LETTERS[c2]}{r2}"
    # Children in the order CT_Worksheet requires (XLSX-NOTES §1); Excel repairs others.
    head = (
        f'{_XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        f'<dimension ref="{dimension}"/>'
        f"{_sheet_view(sheet.freeze, selected)}"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"{_cols(sheet.col_widths)}"
    )
    tail = (
        _merges(sheet.merges)
        + _conditional_formats(sheet.conditional_formats, styles)
        + _data_validations(sheet.validations)
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/>' + _ext_lst(sheet.x14_list_validations) + "</worksheet>"
    )
    return (head + "".join(data) + tail).encode("utf-8")


# ---------------------------------------------------------------------------- workbook

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_DEFINED_NAME = re.compile(r"(?:_xlnm\.)?[A-Za-z_\\][A-Za-z0-9_.\\]*")


def _check_workbook(spec: WorkbookSpec) -> None:
    if not spec.sheets:
        raise ValueError("a workbook needs at least one sheet")
    seen: set[str] = set()
    for sheet in spec.sheets:
        name = sheet.name
        if not 1 <= len(name) <= 31 or _BAD_SHEET_CHARS.search(name):
            raise ValueError(f"invalid sheet name {name!r}: 1-31 characters, none of []:*?/\\")
        if name.startswith("'") or name.endswith("'") or name.casefold() == "history":
            raise ValueError(f"Excel does not allow the sheet name {name!r}")
        if name.casefold() in seen:
            raise ValueError(f"two sheets named {name!r} (Excel ignores case)")
        seen.add(name.casefold())
    if all(s.hidden for s in spec.sheets):
        raise ValueError("at least one sheet must be visible")
    for dn in spec.defined_names:
        if not _DEFINED_NAME.fullmatch(dn.name):
            raise ValueError(f"invalid defined name {dn.name!r}")
        if dn.sheet is not None and dn.sheet.casefold() not in seen:
            raise ValueError(f"defined name {dn.name!r} is scoped to a missing sheet {dn.sheet!r}")


def _workbook_xml(spec: WorkbookSpec, active: int) -> bytes:
    out = [
        _XML_DECL,
        f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">',
        f'<bookViews><workbookView activeTab="{active}"/></bookViews><sheets>',
    ]
    for i, sheet in enumerate(spec.sheets, start=1):
        state = ' state="hidden"' if sheet.hidden else ""
        out.append(f'<sheet name="{_attr(sheet.name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
    out.append("</sheets>")
    if spec.defined_names:
        positions = {s.name.casefold(): i for i, s in enumerate(spec.sheets)}
        out.append("<definedNames>")
        for dn in spec.defined_names:
            scope = (
                f' localSheetId="{positions[dn.sheet.casefold()]}"' if dn.sheet is not None else ""
            )
            hidden = ' hidden="1"' if dn.hidden else ""
            out.append(
                f'<definedName name="{dn.name}"{scope}{hidden}>{_text(dn.refers_to)}</definedName>'
            )
        out.append("</definedNames>")
    out.append('<calcPr calcId="191029"/></workbook>')
    return "".join(out).encode("utf-8")


def _rels(targets: Sequence[tuple[str, str]]) -> bytes:
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_XML_DECL}<Relationships xmlns="{NS_PKG_R}">{body}</Relationships>'.encode()


_REL_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"


def _content_types(n_sheets: int, has_sst: bool) -> bytes:
    overrides = [("/xl/workbook.xml", f"{_CT}.spreadsheetml.sheet.main+xml")]
    overrides += [
        (f"/xl/worksheets/sheet{i}.xml", f"{_CT}.spreadsheetml.worksheet+xml")
        for i in range(1, n_sheets + 1)
    ]
    overrides.append(("/xl/styles.xml", f"{_CT}.spreadsheetml.styles+xml"))
    if has_sst:
        overrides.append(("/xl/sharedStrings.xml", f"{_CT}.spreadsheetml.sharedStrings+xml"))
    overrides += [
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{_CT}.extended-properties+xml"),
    ]
    body = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
    return (
        f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{body}</Types>"
    ).encode()


def _w3cdtf(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _core_xml(spec: WorkbookSpec) -> bytes:
    out = [
        _XML_DECL,
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    ]
    if spec.title:
        out.append(f"<dc:title>{_text(spec.title)}</dc:title>")
    if spec.creator:
        out.append(f"<dc:creator>{_text(spec.creator)}</dc:creator>")
    modified_by = spec.last_modified_by if spec.last_modified_by is not None else spec.creator
    if modified_by:
        out.append(f"<cp:lastModifiedBy>{_text(modified_by)}</cp:lastModifiedBy>")
    for tag, moment in (("created", spec.created), ("modified", spec.modified)):
        if moment is not None:
            out.append(
                f'<dcterms:{tag} xsi:type="dcterms:W3CDTF">{_w3cdtf(moment)}</dcterms:{tag}>'
            )
    out.append("</cp:coreProperties>")
    return "".join(out).encode("utf-8")


def _app_xml(spec: WorkbookSpec) -> bytes:
    # HeadingPairs must agree with TitlesOfParts or Excel repairs the file: list the
    # worksheets only (a "Named Ranges" pair is optional and easy to get wrong).
    n = len(spec.sheets)
    titles = "".join(f"<vt:lpstr>{_text(s.name)}</vt:lpstr>" for s in spec.sheets)
    company = f"<Company>{_text(spec.company)}</Company>" if spec.company else ""
    return (
        f'{_XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'docPropsVTypes"><Application>{_text(spec.application)}</Application>'
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets'
        f"</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant></vt:vector>"
        f'</HeadingPairs><TitlesOfParts><vt:vector size="{n}" baseType="lpstr">{titles}'
        f"</vt:vector></TitlesOfParts>{company}<LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "<AppVersion>16.0300</AppVersion></Properties>"
    ).encode()


def render_parts(spec: WorkbookSpec) -> list[tuple[str, bytes]]:
    """Every part of the package, in the order Excel writes them, as (name, bytes)."""
    _check_workbook(spec)
    sst = _SharedStrings()
    styles = _Styles()
    active = next(i for i, s in enumerate(spec.sheets) if not s.hidden)
    sheets = [
        _worksheet_xml(sheet, i == active, sst, styles) for i, sheet in enumerate(spec.sheets)
    ]
    has_sst = bool(sst.index)  # Excel writes no sharedStrings part for a workbook without text

    n = len(sheets)
    wb_targets = [(f"{_REL_DOC}/worksheet", f"worksheets/sheet{i}.xml") for i in range(1, n + 1)]
    wb_targets.append((f"{_REL_DOC}/styles", "styles.xml"))
    if has_sst:
        wb_targets.append((f"{_REL_DOC}/sharedStrings", "sharedStrings.xml"))
    root_targets = [
        (f"{_REL_DOC}/officeDocument", "xl/workbook.xml"),
        (
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
        (f"{_REL_DOC}/extended-properties", "docProps/app.xml"),
    ]
    parts = [
        ("[Content_Types].xml", _content_types(n, has_sst)),
        ("_rels/.rels", _rels(root_targets)),
        ("docProps/app.xml", _app_xml(spec)),
        ("docProps/core.xml", _core_xml(spec)),
        ("xl/workbook.xml", _workbook_xml(spec, active)),
        ("xl/_rels/workbook.xml.rels", _rels(wb_targets)),
    ]
    parts += [(f"xl/worksheets/sheet{i}.xml", xml) for i, xml in enumerate(sheets, start=1)]
    parts.append(("xl/styles.xml", styles.xml().encode("utf-8")))
    if has_sst:
        parts.append(("xl/sharedStrings.xml", sst.xml().encode("utf-8")))
    return parts


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # what Excel writes; also the zip format's earliest


def _write_zip(parts: Sequence[tuple[str, bytes]], target: Path | BinaryIO) -> None:
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in parts:
            # A fresh ZipInfo with fixed fields: no timestamps, no host-dependent
            # create_system, no extras, so the bytes depend on the spec alone. (zipfile
            # turns external_attr 0 into 0o600 << 16 anyway; say so rather than hide it.)
            info = zipfile.ZipInfo(name, _ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            zf.writestr(info, data, compresslevel=6)


def workbook_bytes(spec: WorkbookSpec) -> bytes:
    """The .xlsx file as bytes."""
    buf = io.BytesIO()
    _write_zip(render_parts(spec), buf)
    return buf.getvalue()


def write_workbook(spec: WorkbookSpec, path: Path) -> Path:
    """Write the workbook to `path` (replacing it atomically) and return the path."""
    parts = render_parts(spec)  # any error in the spec surfaces before a file is touched
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        _write_zip(parts, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
