"""Validate SpreadsheetML parts and whole xlsx packages, independently of esp.

Three layers, all returning lists of human-readable error strings (empty = valid):

- :func:`validate_part`: one part against the ECMA-376 transitional schemas (``sml.xsd``),
  after the markup-compatibility preprocessing described in ``shared/ooxml-schemas/README.md``.
- :func:`semantic_errors`: what the schema cannot see in a worksheet (row/cell order, refs,
  inline strings, shared-string, style and dxf indexes, dimension, spans).
- :func:`styles_errors`: what the schema cannot see in ``styles.xml`` (font, fill, border,
  cell-style and number-format references of every ``<xf>``).
- :func:`validate_package`: every SpreadsheetML part of an xlsx, the semantic checks on every
  worksheet, cross-part counts, OPC invariants (content types, relationships) and zip-level
  invariants (duplicates, data descriptors, ZIP64).

One deliberate deviation from the unmodified schemas: the wildcard in ``CT_Schema`` (the XML
schema embedded in ``xmlMaps.xml``) is made ``lax`` in memory. As written it is ``strict``, which
would need the W3C schema-for-schemas to validate the embedded ``xsd:schema``; no SpreadsheetML
markup is under that wildcard.
"""

from __future__ import annotations

import functools
import io
import math
import re
import struct
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import cast
from urllib.parse import unquote

from lxml import etree

from . import packages
from .packages import MAIN_NS, REL_NS, StrPath
from .paths import schemas_dir

MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The namespaces a validating consumer "understands" (ECMA's own; README step 1).
UNDERSTOOD = frozenset(
    {
        MAIN_NS,
        REL_NS,
        "http://schemas.openxmlformats.org/drawingml/2006/main",
        "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
        "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    }
)
_MC_ALTERNATE = f"{{{MC_NS}}}AlternateContent"
_MC_CHOICE = f"{{{MC_NS}}}Choice"
_MC_FALLBACK = f"{{{MC_NS}}}Fallback"
_MC_IGNORABLE = f"{{{MC_NS}}}Ignorable"
_MC_PROCESS = f"{{{MC_NS}}}ProcessContent"
_MC_MUST = f"{{{MC_NS}}}MustUnderstand"
_MAIN_EXT = f"{{{MAIN_NS}}}ext"

_XSD_NS = "http://www.w3.org/2001/XMLSchema"
_schema: etree.XMLSchema | None = None


def schemas_available() -> bool:
    """Whether ``sml.xsd`` is where :func:`schema` looks for it."""
    return (schemas_dir() / "sml.xsd").is_file()


def schema() -> etree.XMLSchema:
    """The ``sml.xsd`` schema object, built once per process (about 0.2 s)."""
    global _schema
    if _schema is None:
        path = schemas_dir() / "sml.xsd"
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found: the shared folder must sit beside the repository "
                "or be named by ESP_SHARED_DIR"
            )
        doc = etree.parse(str(path))
        for any_el in doc.iterfind(
            f".//{{{_XSD_NS}}}complexType[@name='CT_Schema']//{{{_XSD_NS}}}any"
        ):
            any_el.set("processContents", "lax")
        _schema = etree.XMLSchema(doc)
    return _schema


# --------------------------------------------------------------------------- MCE preprocessing


class _McError(Exception):
    pass


def _prefixes_to_namespaces(element: etree._Element, value: str) -> set[str]:
    namespaces = set()
    for prefix in value.split():
        uri = element.nsmap.get(prefix)
        if uri is None:
            raise _McError(f"undeclared prefix {prefix!r} in markup-compatibility attribute")
        namespaces.add(uri)
    return namespaces


def _qnames(element: etree._Element, value: str) -> set[tuple[str, str]]:
    names = set()
    for qname in value.split():
        prefix, _, local = qname.rpartition(":")
        uri = element.nsmap.get(prefix or None)
        if uri is None:
            raise _McError(f"undeclared prefix in ProcessContent {qname!r}")
        names.add((uri, local))
    return names


def _namespace(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def _remove_keep_tail(element: etree._Element) -> None:
    parent = element.getparent()
    assert parent is not None
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _replace_with_children(element: etree._Element, children: list[etree._Element]) -> None:
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    tail = element.tail
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + tail
        else:
            element.tail = tail
            parent.insert(index, element)
            _remove_keep_tail(element)


def _select_alternate(alternate: etree._Element) -> list[etree._Element]:
    """Children of the first understood Choice, else of the Fallback, else nothing."""
    for branch in alternate:
        if branch.tag == _MC_CHOICE:
            required = _prefixes_to_namespaces(branch, branch.get("Requires", ""))
            if required <= UNDERSTOOD:
                return list(branch)
        elif branch.tag == _MC_FALLBACK:
            return list(branch)
    return []


# Elements whose own tag or attributes the preprocessing may have to change. Only these and
# their ancestors are visited: most of a big sheet (cells, values) is plain main namespace.
_INTERESTING = etree.XPath(
    "descendant-or-self::*[namespace-uri() != $main or @*[namespace-uri() != '']]"
)


def _process(
    element: etree._Element,
    ignorable: frozenset[str],
    process: frozenset[tuple[str, str]],
    needs: set[etree._Element],
) -> None:
    """Apply MCE to ``element``'s own attributes and, recursively, to its children."""
    attrib = element.attrib
    if attrib:
        value = attrib.get(_MC_IGNORABLE)
        if value is not None:
            ignorable = ignorable | _prefixes_to_namespaces(element, value)
        value = attrib.get(_MC_PROCESS)
        if value is not None:
            process = process | _qnames(element, value)
        value = attrib.get(_MC_MUST)
        if value is not None:
            not_understood = _prefixes_to_namespaces(element, value) - UNDERSTOOD
            if not_understood:
                raise _McError(f"MustUnderstand names {sorted(not_understood)}")
        for name in [str(key) for key in attrib]:
            if name[0] != "{":
                continue
            ns = _namespace(name)
            if ns == MC_NS or name == XML_SPACE or (ns in ignorable and ns not in UNDERSTOOD):
                del attrib[name]
    if element.tag == _MAIN_EXT:
        return  # application-defined extension: the lax wildcard takes it as it is
    pending = [child for child in element if child in needs]
    index = 0
    while index < len(pending):
        child = pending[index]
        index += 1
        tag = child.tag
        if not isinstance(tag, str):  # comment or processing instruction
            continue
        if tag == _MC_ALTERNATE:
            inner_ignorable = ignorable
            value = child.get(_MC_IGNORABLE)
            if value is not None:
                inner_ignorable = ignorable | _prefixes_to_namespaces(child, value)
            selected = _select_alternate(child)
            _replace_with_children(child, selected)
            for grandchild in selected:
                if grandchild in needs:
                    _process(grandchild, inner_ignorable, process, needs)
            continue
        ns = _namespace(tag)
        if ns is not None and ns in ignorable and ns not in UNDERSTOOD:
            local = tag.split("}", 1)[1]
            if (ns, local) in process or (ns, "*") in process:
                grandchildren = list(child)
                _replace_with_children(child, grandchildren)
                pending[index:index] = [g for g in grandchildren if g in needs]
            else:
                _remove_keep_tail(child)
            continue
        _process(child, ignorable, process, needs)


def preprocess(root: etree._Element) -> None:
    """Markup-compatibility preprocessing in place (README steps 1-5). Raises ValueError."""
    needs: set[etree._Element] = set()
    for element in cast(list[etree._Element], _INTERESTING(root, main=MAIN_NS)):
        node: etree._Element | None = element
        while node is not None and node not in needs:
            needs.add(node)
            node = node.getparent()
    if root not in needs:
        return
    try:
        _process(root, frozenset(), frozenset(), needs)
    except _McError as exc:
        raise ValueError(str(exc)) from exc


# --------------------------------------------------------------------------- schema validation

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def validate_part(name: str, xml: bytes) -> list[str]:
    """Schema errors of one SpreadsheetML part, each ``"<name>:<line>: <message>"``."""
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"{name}: not well-formed XML: {exc}"]
    try:
        preprocess(root)
    except ValueError as exc:
        return [f"{name}: markup compatibility: {exc}"]
    xsd = schema()
    if xsd.validate(root):
        return []
    log = cast(Iterable[etree._LogEntry], xsd.error_log)
    return [f"{name}:{error.line}: {error.message}" for error in log]


# --------------------------------------------------------------------------- semantic checks

_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]*)")
_RANGE_REF = re.compile(r"([A-Z]{1,3}[1-9][0-9]*)(?::([A-Z]{1,3}[1-9][0-9]*))?")
_UINT = re.compile(r"[0-9]+")
_M = f"{{{MAIN_NS}}}"


_COLUMN_CACHE: dict[str, int] = {}


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference within the sheet limits, else None."""
    match = _CELL_REF.fullmatch(ref)
    if match is None:
        return None
    letters = match.group(1)
    col = _COLUMN_CACHE.get(letters)
    if col is None:
        col = _COLUMN_CACHE[letters] = packages.column_number(letters)
    row = int(match.group(2))
    if row > packages.MAX_ROW or col > packages.MAX_COL:
        return None
    return row, col


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _is_number(text: str) -> bool:
    """xsd:double lexical form without INF/NaN (what a numeric ``<v>`` must hold)."""
    return _NUMBER.fullmatch(text) is not None and math.isfinite(float(text))


def _index_error(what: str, value: str | None, limit: int | None, where: str) -> str | None:
    if value is None:
        return None
    if not _UINT.fullmatch(value):
        return f"{where}: {what} {value!r} is not a non-negative integer"
    if limit is not None and int(value) >= limit:
        return f"{where}: {what} {value} is out of range (count {limit})"
    return None


def semantic_errors(
    sheet_xml: bytes, sst_count: int | None, xf_count: int, dxf_count: int | None = None
) -> list[str]:
    """Worksheet checks the schema cannot make.

    ``sst_count`` is the number of ``<si>`` in the shared-string table (None: the workbook has
    none, so any ``t="s"`` cell is an error); ``xf_count`` the number of ``<xf>`` in
    ``cellXfs``. Checks: rows strictly increasing in 1..1048576 (r-less = previous + 1); cell
    refs well-formed, on their row, columns strictly increasing (r-less = previous + 1);
    ``t="inlineStr"`` iff ``<is>``, and then no ``<v>``; ``t="s"`` has an integer ``<v>`` below
    ``sst_count``; ``t="b"`` is 0/1; a numeric cell's ``<v>`` is a finite number; every
    ``c/@s``, ``row/@s`` and ``col/@style`` below ``xf_count``; ``<dimension>`` covers every cell;
    ``spans`` well-formed and covering the row's cells; with ``dxf_count`` (the number of
    ``<dxf>`` in ``dxfs``), every conditional-format ``cfRule/@dxfId`` below it.
    """
    try:
        root = etree.fromstring(sheet_xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    return _semantic_errors(root, sst_count, xf_count, dxf_count)


_ROW_TAG = f"{_M}row"
_C_TAG = f"{_M}c"
_V_TAG = f"{_M}v"
_IS_TAG = f"{_M}is"


def _semantic_errors(
    root: etree._Element, sst_count: int | None, xf_count: int, dxf_count: int | None = None
) -> list[str]:
    errors: list[str] = []
    for col in root.iterfind(f"{_M}cols/{_M}col"):
        where = f"col {col.get('min')}:{col.get('max')}"
        error = _index_error("style", col.get("style"), xf_count, where)
        if error:
            errors.append(error)
    if dxf_count is not None:
        for cf in root.iterfind(f"{_M}conditionalFormatting"):
            for rule in cf.iterfind(f"{_M}cfRule"):
                where = f"conditionalFormatting {cf.get('sqref')} cfRule"
                error = _index_error("dxfId", rule.get("dxfId"), dxf_count, where)
                if error:
                    errors.append(error)

    valid_styles = {str(index) for index in range(xf_count)}
    min_row = min_col = max_row = max_col = 0
    sheet_data = root.find(f"{_M}sheetData")
    rows = sheet_data.iterchildren(_ROW_TAG) if sheet_data is not None else iter(())
    previous_row = 0
    for row in rows:
        row_attr = row.get("r")
        if row_attr is None:
            row_number = previous_row + 1
        elif _UINT.fullmatch(row_attr) and 1 <= int(row_attr) <= packages.MAX_ROW:
            row_number = int(row_attr)
        else:
            errors.append(f"row r={row_attr!r}: not a row number in 1..{packages.MAX_ROW}")
            row_number = previous_row + 1
        if row_number <= previous_row:
            errors.append(f"row {row_number}: after row {previous_row} (rows must increase)")
        previous_row = max(previous_row, row_number)
        error = _index_error("style", row.get("s"), xf_count, f"row {row_number}")
        if error:
            errors.append(error)

        columns: list[int] = []
        previous_col = 0
        for c in row.iterchildren(_C_TAG):
            ref = c.get("r")
            if ref is None:
                col_number = previous_col + 1
            else:
                parsed = _parse_ref(ref)
                if parsed is None:
                    errors.append(f"cell {ref}: not a cell reference in A1..XFD1048576")
                    col_number = previous_col + 1
                else:
                    ref_row, col_number = parsed
                    if ref_row != row_number:
                        errors.append(f"cell {ref}: inside row {row_number}")
            if col_number <= previous_col or col_number > packages.MAX_COL:
                where = _cell_where(ref, row_number, col_number)
                if col_number <= previous_col:
                    errors.append(f"{where}: after column {previous_col} (cells must increase)")
                else:
                    errors.append(f"{where}: column beyond XFD")
            previous_col = max(previous_col, col_number)
            columns.append(col_number)
            if _cell_suspect(c, valid_styles):
                errors.extend(
                    _cell_value_errors(c, ref, row_number, col_number, sst_count, xf_count)
                )

        if columns:
            lo, hi = min(columns), max(columns)
            min_row = min(min_row or row_number, row_number)
            max_row = max(max_row, row_number)
            min_col = min(min_col or lo, lo)
            max_col = max(max_col, hi)
        spans = row.get("spans")
        if spans is not None:
            errors.extend(_spans_errors(spans, columns, f"row {row_number}"))

    if min_row:
        errors.extend(_dimension_errors(root, min_row, min_col, max_row, max_col))
    return errors


def _cell_suspect(c: etree._Element, valid_styles: set[str]) -> bool:
    """Fast pre-check: False for the common plain numeric/empty cell with a valid style."""
    style = c.get("s")
    if style is not None and style not in valid_styles:
        return True
    if c.get("t") not in (None, "n"):
        return True
    v = c.find(_V_TAG)
    return (v is not None and not _is_number(v.text or "")) or c.find(_IS_TAG) is not None


def _cell_where(ref: str | None, row: int, col: int) -> str:
    if ref is not None:
        return f"cell {ref}"
    return f"r-less cell (column {col}) in row {row}"


def _cell_value_errors(
    c: etree._Element,
    ref: str | None,
    row: int,
    col: int,
    sst_count: int | None,
    xf_count: int,
) -> list[str]:
    where = _cell_where(ref, row, col)
    errors = []
    error = _index_error("style", c.get("s"), xf_count, where)
    if error:
        errors.append(error)
    kind = c.get("t", "n")
    v = c.find(_V_TAG)
    has_is = c.find(_IS_TAG) is not None
    if kind == "inlineStr":
        if not has_is:
            errors.append(f'{where}: t="inlineStr" without <is>')
        if v is not None:
            errors.append(f'{where}: t="inlineStr" with <v>')
    elif has_is:
        errors.append(f'{where}: <is> on a cell with t="{kind}"')
    if v is None:
        return errors
    text = v.text or ""
    if kind == "s":
        if sst_count is None:
            errors.append(f'{where}: t="s" but the workbook has no shared-string table')
        else:
            error = _index_error("shared-string index", text, sst_count, where)
            if error:
                errors.append(error)
    elif kind == "b" and text not in {"0", "1"}:
        errors.append(f'{where}: t="b" with value {text!r}')
    elif kind == "n" and not _is_number(text):
        errors.append(f"{where}: numeric cell with value {text!r}")
    return errors


@functools.lru_cache(maxsize=256)
def _parse_spans(spans: str) -> tuple[tuple[int, int], ...] | str:
    """The (min, max) column ranges of a ``spans`` value, or an error message."""
    ranges = []
    for item in spans.split():
        lo_text, sep, hi_text = item.partition(":")
        if not (sep and _UINT.fullmatch(lo_text) and _UINT.fullmatch(hi_text)):
            return 'is not a list of "min:max"'
        lo, hi = int(lo_text), int(hi_text)
        if not 1 <= lo <= hi <= packages.MAX_COL:
            return f"has an invalid range {item}"
        ranges.append((lo, hi))
    return tuple(ranges)


def _spans_errors(spans: str, columns: list[int], where: str) -> list[str]:
    ranges = _parse_spans(spans)
    if isinstance(ranges, str):
        return [f'{where}: spans="{spans}" {ranges}']
    outside = [col for col in columns if not any(lo <= col <= hi for lo, hi in ranges)]
    if outside:
        refs = ", ".join(packages.column_letters(col) for col in outside[:5])
        return [f'{where}: spans="{spans}" does not cover column(s) {refs}']
    return []


def _dimension_errors(
    root: etree._Element, min_row: int, min_col: int, max_row: int, max_col: int
) -> list[str]:
    dimension = root.find(f"{_M}dimension")
    if dimension is None:
        return []
    ref = dimension.get("ref", "")
    match = _RANGE_REF.fullmatch(ref)
    first = _parse_ref(match.group(1)) if match else None
    last = _parse_ref(match.group(2) or match.group(1)) if match else None
    if first is None or last is None:
        return [f"dimension ref={ref!r} is not a cell range"]
    used = f"{packages.make_ref(min_row, min_col)}:{packages.make_ref(max_row, max_col)}"
    if not (
        first[0] <= min_row and first[1] <= min_col and last[0] >= max_row and last[1] >= max_col
    ):
        return [f"dimension ref={ref!r} does not cover the cells ({used})"]
    return []


# --------------------------------------------------------------------------- styles

#: Number formats 0..163 are built in (ECMA-376 §18.8.30); custom ones need a <numFmt>.
FIRST_CUSTOM_NUMFMT = 164


def styles_errors(styles_xml: bytes) -> list[str]:
    """Cross-references in ``styles.xml`` that the schema cannot check.

    Every ``<xf>`` of ``cellStyleXfs`` and ``cellXfs``: ``fontId``, ``fillId`` and ``borderId``
    below the number of fonts, fills and borders, and a ``numFmtId`` from 164 up defined by a
    ``<numFmt>``; every ``cellXfs/xf/@xfId`` below the number of ``cellStyleXfs``.
    """
    try:
        root = etree.fromstring(styles_xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    return _styles_errors(root)


def _styles_errors(root: etree._Element) -> list[str]:
    def number(path: str) -> int:
        return sum(1 for _ in root.iterfind(path))

    limits = {
        "fontId": number(f"{_M}fonts/{_M}font"),
        "fillId": number(f"{_M}fills/{_M}fill"),
        "borderId": number(f"{_M}borders/{_M}border"),
    }
    style_xfs = number(f"{_M}cellStyleXfs/{_M}xf")
    custom = {fmt.get("numFmtId") for fmt in root.iterfind(f"{_M}numFmts/{_M}numFmt")}
    errors: list[str] = []
    for list_name in ("cellStyleXfs", "cellXfs"):
        for index, xf in enumerate(root.iterfind(f"{_M}{list_name}/{_M}xf")):
            where = f"{list_name} xf {index}"
            for attr, limit in limits.items():
                error = _index_error(attr, xf.get(attr), limit, where)
                if error:
                    errors.append(error)
            if list_name == "cellXfs":
                error = _index_error("xfId", xf.get("xfId"), style_xfs, where)
                if error:
                    errors.append(error)
            fmt = xf.get("numFmtId")
            error = _index_error("numFmtId", fmt, None, where)
            if error:
                errors.append(error)
            elif fmt is not None and int(fmt) >= FIRST_CUSTOM_NUMFMT and fmt not in custom:
                errors.append(f"{where}: numFmtId {fmt} has no <numFmt>")
    return errors


# --------------------------------------------------------------------------- package checks

_COUNTED = {
    # element local name -> child local name whose number its @count must equal
    "numFmts": "numFmt",
    "fonts": "font",
    "fills": "fill",
    "borders": "border",
    "cellStyleXfs": "xf",
    "cellXfs": "xf",
    "cellStyles": "cellStyle",
    "dxfs": "dxf",
    "tableStyles": "tableStyle",
    "tableStyle": "tableStyleElement",
    "mergeCells": "mergeCell",
    "dataValidations": "dataValidation",
    "tableParts": "tablePart",
    "tableColumns": "tableColumn",
}


def root_namespace(xml: bytes) -> str | None:
    """Namespace of the root element, reading no further than its start tag."""
    try:
        for _event, element in etree.iterparse(
            io.BytesIO(xml), events=("start",), resolve_entities=False, no_network=True
        ):
            return _namespace(element.tag)
    except etree.XMLSyntaxError:
        return None
    return None


def _count_errors(name: str, root: etree._Element) -> list[str]:
    errors = []
    for element in root.iter(*(f"{_M}{local}" for local in _COUNTED)):
        declared = element.get("count")
        if declared is None:
            continue
        local = element.tag.split("}", 1)[1]
        actual = sum(1 for _ in element.iterfind(f"{_M}{_COUNTED[local]}"))
        if declared != str(actual):
            errors.append(f"{name}: <{local} count={declared!r}> has {actual} children")
    return errors


#: Root namespaces of the parts :func:`validate_package` checks against the schemas: sml.xsd
#: imports the DrawingML schemas, so drawings, charts and themes validate as well (all corpus
#: ones do).
SCHEMA_NAMESPACES = frozenset(
    {
        MAIN_NS,
        "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
        "http://schemas.openxmlformats.org/drawingml/2006/chart",
        "http://schemas.openxmlformats.org/drawingml/2006/main",
    }
)


def validate_package(path: StrPath) -> list[str]:
    """Everything this module can check about one xlsx/xlsm file.

    - zip structure (:func:`zip_errors`) and OPC invariants (:func:`opc_errors`);
    - every part whose content type is XML is well-formed;
    - every SpreadsheetML, DrawingML drawing/chart/theme part is schema-valid
      (:func:`validate_part`);
    - in SpreadsheetML parts: ``count`` attributes of counted lists equal their number of
      children, and every ``r:*`` attribute names a relationship of the part;
    - every worksheet passes :func:`semantic_errors` against the real shared-string,
      ``cellXfs`` and ``dxfs`` counts; ``styles.xml`` passes :func:`styles_errors`; sst
      ``uniqueCount``/``count`` (when present) are exact; every ``<sheet>`` resolves to a part.
    """
    errors = zip_errors(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return errors
    parts: dict[str, bytes] = {}
    with zf:
        for info in zf.infolist():
            if info.is_dir() or info.filename in parts:
                continue
            try:
                parts[info.filename] = zf.read(info)
            except (zipfile.BadZipFile, OSError) as exc:
                errors.append(f"{info.filename}: cannot be read: {exc}")
    errors.extend(opc_errors(parts))
    content_types = part_content_types(parts)

    roots: dict[str, etree._Element] = {}
    for name, data in parts.items():
        content_type = content_types.get(name, "")
        if not content_type.endswith("xml") or name.endswith(".rels"):
            continue  # .rels are checked by opc_errors; VML is not XML-typed
        namespace = root_namespace(data)
        if namespace in SCHEMA_NAMESPACES:
            errors.extend(validate_part(name, data))
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as exc:
            if namespace not in SCHEMA_NAMESPACES:  # validate_part reported it already
                errors.append(f"{name}: not well-formed XML: {exc}")
            continue
        if namespace == MAIN_NS:
            roots[name] = root
            errors.extend(_count_errors(name, root))
            errors.extend(_rid_errors(parts, name, root))

    errors.extend(_workbook_errors(parts, roots))
    return errors


_REL_ATTRS = etree.XPath("//@*[namespace-uri() = $ns]")


def _rid_errors(parts: dict[str, bytes], name: str, root: etree._Element) -> list[str]:
    """Every ``r:*`` attribute must name a relationship of the part."""
    try:
        ids = {rel.id for rel in packages.part_relationships(parts, name)}
    except etree.XMLSyntaxError:
        return []  # reported by opc_errors
    errors = []
    for value in cast(list[etree._ElementUnicodeResult], _REL_ATTRS(root, ns=REL_NS)):
        if value and value not in ids:
            local = etree.QName(value.attrname).localname
            errors.append(f"{name}: r:{local}={str(value)!r} names no relationship")
    return errors


def _workbook_errors(parts: dict[str, bytes], roots: dict[str, etree._Element]) -> list[str]:
    try:
        wb = packages.workbook_part(parts)
    except (ValueError, etree.XMLSyntaxError) as exc:
        return [f"package: {exc}"]
    if wb not in roots:
        return [f"{wb}: workbook part missing or not SpreadsheetML"]
    errors: list[str] = []
    sst = packages.related_part(parts, wb, "/sharedStrings")
    styles = packages.related_part(parts, wb, "/styles")

    sst_count: int | None = None
    sst_root = roots.get(sst) if sst else None
    if sst_root is not None:
        sst_count = sum(1 for _ in sst_root.iterfind(f"{_M}si"))
        unique = sst_root.get("uniqueCount")
        if unique is not None and unique != str(sst_count):
            errors.append(f"{sst}: uniqueCount={unique!r} but {sst_count} <si>")
    xf_count = 1  # without a styles part only the implicit default style 0 exists
    dxf_count = 0
    styles_root = roots.get(styles) if styles else None
    if styles_root is not None:
        cell_xfs = styles_root.find(f"{_M}cellXfs")
        xf_count = 0 if cell_xfs is None else sum(1 for _ in cell_xfs.iterfind(f"{_M}xf"))
        dxf_count = sum(1 for _ in styles_root.iterfind(f"{_M}dxfs/{_M}dxf"))
        errors.extend(f"{styles}: {error}" for error in _styles_errors(styles_root))

    string_refs = 0
    for entry in packages.workbook_sheets(parts):
        if entry.part is None:
            errors.append(f"{wb}: sheet {entry.name!r} has no resolvable r:id")
            continue
        root = roots.get(entry.part)
        if root is None or root.tag != f"{_M}worksheet":
            continue
        errors.extend(
            f"{entry.part}: {error}"
            for error in _semantic_errors(root, sst_count, xf_count, dxf_count)
        )
        string_refs += sum(
            1 for c in root.iterfind(f"{_M}sheetData/{_M}row/{_M}c") if c.get("t") == "s"
        )
    if sst_root is not None:
        total = sst_root.get("count")
        if total is not None and total != str(string_refs):
            errors.append(f'{sst}: count={total!r} but the sheets have {string_refs} t="s" cells')
    return errors


# --------------------------------------------------------------------------- OPC


def _content_type_maps(xml: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """(Default by lower-case extension, Override by PartName as written)."""
    root = etree.fromstring(xml, _PARSER)
    ct = f"{{{packages.CT_NS}}}"
    defaults = {
        item.get("Extension", "").lower(): item.get("ContentType", "")
        for item in root.iterfind(f"{ct}Default")
    }
    overrides = {
        item.get("PartName", ""): item.get("ContentType", "")
        for item in root.iterfind(f"{ct}Override")
    }
    return defaults, overrides


def _override_key(part_name: str) -> str:
    """``/xl/Workbook.xml`` -> ``xl/workbook.xml`` (part names compare case-insensitively)."""
    return unquote(part_name).lstrip("/").lower()


def _extension(name: str) -> str:
    base = name.rpartition("/")[2]
    return base.rpartition(".")[2].lower() if "." in base else ""


def part_content_types(parts: Mapping[str, bytes]) -> dict[str, str]:
    """Content type of every part that has one (Override first, then Default)."""
    try:
        defaults, overrides = _content_type_maps(parts["[Content_Types].xml"])
    except (KeyError, etree.XMLSyntaxError):
        return {}
    by_name = {_override_key(name): value for name, value in overrides.items()}
    types = {}
    for name in parts:
        content_type = by_name.get(name.lower()) or defaults.get(_extension(name))
        if content_type:
            types[name] = content_type
    return types


def opc_errors(parts: dict[str, bytes]) -> list[str]:
    """Package invariants: content types, relationship parts and their targets."""
    errors: list[str] = []
    names_lower = {name.lower(): name for name in parts}
    ct_xml = parts.get("[Content_Types].xml")
    if ct_xml is None:
        return ["package: no [Content_Types].xml"]
    try:
        defaults, overrides = _content_type_maps(ct_xml)
    except etree.XMLSyntaxError as exc:
        return [f"[Content_Types].xml: not well-formed XML: {exc}"]
    for part_name, content_type in overrides.items():
        if not part_name.startswith("/") or _override_key(part_name) not in names_lower:
            errors.append(f"[Content_Types].xml: Override {part_name!r} names no part")
        if not content_type:
            errors.append(f"[Content_Types].xml: Override {part_name!r} has no ContentType")
    overridden = {_override_key(part_name) for part_name in overrides}
    for name in parts:
        if name == "[Content_Types].xml":
            continue
        if name.lower() not in overridden and _extension(name) not in defaults:
            errors.append(f"{name}: no content type (no Override, no Default for its extension)")

    if len(names_lower) != len(parts):
        errors.append("package: part names that differ only in case")

    for name, xml in parts.items():
        source = packages.rels_source(name)
        if source is None:
            continue
        if source and source.lower() not in names_lower:
            errors.append(f"{name}: relationships of a missing part {source!r}")
        try:
            rels = packages.parse_rels(xml)
        except etree.XMLSyntaxError as exc:
            errors.append(f"{name}: not well-formed XML: {exc}")
            continue
        seen: set[str] = set()
        for rel in rels:
            if not rel.id or rel.id in seen:
                errors.append(f"{name}: missing or duplicate relationship Id {rel.id!r}")
            seen.add(rel.id)
            if rel.external:
                continue
            target = packages.resolve_target(source, rel.target)
            if target.lower() not in names_lower:
                errors.append(f"{name}: {rel.id} target {rel.target!r} ({target}) does not exist")
    return errors


# --------------------------------------------------------------------------- zip structure

_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_DESCRIPTOR_SIG = b"PK\x07\x08"
_ZIP64_EXTRA = 0x0001


def _extra_ids(extra: bytes) -> Iterable[int]:
    pos = 0
    while pos + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, pos)
        yield header_id
        pos += 4 + size


def zip_errors(path: StrPath) -> list[str]:
    """Zip-level problems Excel is known to reject (XLSX-NOTES section 7).

    Duplicate entry names; a local header that disagrees with the central directory; flag
    bit 3 (data descriptor) without a matching descriptor after the data; ZIP64 extra fields
    in local or central headers, and ZIP64 end-of-central-directory records; overlapping
    entries.
    """
    data = Path(path).read_bytes()
    errors: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        return [f"zip: {exc}"]
    with zf:
        infos = zf.infolist()
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            errors.append(f"zip: duplicate entry {info.filename!r}")
        seen.add(info.filename)

    eocd = data.rfind(b"PK\x05\x06")
    start_of_central = struct.unpack_from("<I", data, eocd + 16)[0] if eocd >= 0 else len(data)
    if eocd >= 20 and data[eocd - 20 : eocd - 16] == b"PK\x06\x07":
        errors.append("zip: ZIP64 end-of-central-directory locator present")

    extents: list[tuple[int, int, str]] = []
    for info in infos:
        name = info.filename
        if _ZIP64_EXTRA in _extra_ids(info.extra):
            errors.append(f"zip: {name}: ZIP64 extra field in the central directory")
        offset = info.header_offset
        if offset + _LOCAL_HEADER.size > len(data):
            errors.append(f"zip: {name}: local header beyond end of file")
            continue
        (sig, _version, flags, method, _time, _date, crc, csize, usize, name_len, extra_len) = (
            _LOCAL_HEADER.unpack_from(data, offset)
        )
        if sig != b"PK\x03\x04":
            errors.append(f"zip: {name}: no local header at offset {offset}")
            continue
        local_extra = data[offset + 30 + name_len : offset + 30 + name_len + extra_len]
        if _ZIP64_EXTRA in _extra_ids(local_extra):
            errors.append(f"zip: {name}: ZIP64 extra field in the local header")
        if (flags & 0x8) != (info.flag_bits & 0x8) or method != info.compress_type:
            errors.append(f"zip: {name}: local header flags/method differ from central directory")
        data_start = offset + 30 + name_len + extra_len
        data_end = data_start + info.compress_size
        if flags & 0x8:
            expected = struct.pack("<III", info.CRC, info.compress_size, info.file_size)
            if data[data_end : data_end + 4] == _DESCRIPTOR_SIG and (
                data[data_end + 4 : data_end + 16] == expected
            ):
                data_end += 16
            elif data[data_end : data_end + 12] == expected:
                data_end += 12
            else:
                errors.append(f"zip: {name}: flag bit 3 set but no matching data descriptor")
        elif (crc, csize, usize) != (info.CRC, info.compress_size, info.file_size):
            errors.append(f"zip: {name}: local header CRC/sizes differ from central directory")
        extents.append((offset, data_end, name))

    extents.sort()
    for (_, end, name), (next_start, _, next_name) in zip(extents, extents[1:], strict=False):
        if end > next_start:
            errors.append(f"zip: {name} overlaps {next_name}")
    if extents and extents[-1][1] > start_of_central:
        errors.append(f"zip: {extents[-1][2]} runs into the central directory")
    return errors
