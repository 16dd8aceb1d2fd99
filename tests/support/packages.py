"""Read an xlsx package the way a fidelity test needs: zip entries, parts, exact cell XML.

Everything here reads, except :func:`copy_with_parts` and :func:`write_raw_zip`, which craft
(broken or odd) test inputs.
Part names follow the zip: no leading slash (``xl/worksheets/sheet1.xml``), exactly as stored.
"""

from __future__ import annotations

import functools
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from lxml import etree

StrPath = str | PathLike[str]
Parts = Mapping[str, bytes]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT_REL = REL_NS + "/officeDocument"

MAX_ROW = 1_048_576
MAX_COL = 16_384

# --------------------------------------------------------------------------- zip level


@dataclass(frozen=True)
class ZipEntryInfo:
    """What a lossless rewriter must keep per zip entry (central-directory view)."""

    name: str
    compress_type: int
    date_time: tuple[int, int, int, int, int, int]
    flag_bits: int
    extra: bytes
    external_attr: int
    crc: int
    compress_size: int
    order: int


def zip_infos(path: StrPath) -> list[ZipEntryInfo]:
    """Every entry of the zip in central-directory order (duplicates included)."""
    with zipfile.ZipFile(path) as zf:
        return [
            ZipEntryInfo(
                name=info.filename,
                compress_type=info.compress_type,
                date_time=info.date_time,
                flag_bits=info.flag_bits,
                extra=info.extra,
                external_attr=info.external_attr,
                crc=info.CRC,
                compress_size=info.compress_size,
                order=index,
            )
            for index, info in enumerate(zf.infolist())
        ]


_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


def stored_bytes(path: StrPath) -> dict[str, bytes]:
    """Every entry's data exactly as stored (still compressed), by name, in zip order.

    Two entries with equal stored bytes, CRC and method were copied, not recompressed.
    """
    data = Path(path).read_bytes()
    stored: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            fields = _LOCAL_HEADER.unpack_from(data, info.header_offset)
            if fields[0] != b"PK\x03\x04":
                raise ValueError(f"{path}: no local header for {info.filename!r}")
            start = info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10]
            stored[info.filename] = data[start : start + info.compress_size]
    return stored


def zip_parts(path: StrPath) -> dict[str, bytes]:
    """Uncompressed bytes of every entry, in zip order. Raises ValueError on duplicate names."""
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename in parts:
                raise ValueError(f"{path}: duplicate zip entry {info.filename!r}")
            parts[info.filename] = zf.read(info)
    return parts


def _as_parts(source: Parts | StrPath) -> Parts:
    if isinstance(source, Mapping):
        return source
    return zip_parts(source)


def diff_parts(before: Parts | StrPath, after: Parts | StrPath) -> set[str]:
    """Names of parts whose bytes differ, plus names present on one side only.

    Either side may be a path to a zip or a mapping from :func:`zip_parts`.
    """
    old, new = _as_parts(before), _as_parts(after)
    changed = {name for name in old.keys() & new.keys() if old[name] != new[name]}
    return changed | (old.keys() ^ new.keys())


def copy_with_parts(source: StrPath, target: StrPath, changes: Mapping[str, bytes | None]) -> None:
    """Write a copy of a zip with some parts replaced (bytes), removed (None) or appended.

    Entry order, timestamps, compression and attributes of the kept entries are preserved;
    new names are appended at the end. For crafting test inputs, not a lossless writer.
    """
    pending = dict(changes)
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            if info.filename in pending:
                data = pending.pop(info.filename)
                if data is None:
                    continue
            else:
                data = src.read(info)
            fresh = zipfile.ZipInfo(info.filename, info.date_time)
            fresh.compress_type = info.compress_type
            fresh.external_attr = info.external_attr
            dst.writestr(fresh, data)
        for name, data in pending.items():
            if data is not None:
                dst.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class RawEntry:
    """One entry as :func:`write_raw_zip` writes it, headers spelled field by field, so a test
    can write what other zip programs write (or a damaged file): a data descriptor, extras
    of their own in each header, a local header that says otherwise than the directory."""

    data: bytes  # uncompressed
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0  # in both headers (bit 3: set `descriptor` instead)
    local_flags: int = 0  # or-ed into the local header's flags only
    # Bit 3: the local header's CRC and sizes are 0, and follow the data, signed
    # (PK\x07\x08) or not, with 8-byte sizes when `zip64_descriptor`.
    descriptor: bool = False
    signed_descriptor: bool = True
    zip64_descriptor: bool = False
    local_name: bytes | None = None  # the local header's name, when not the directory's
    local_method: int | None = None  # the local header's method, when not `method`
    local_crc: int | None = None  # the local header's CRC-32, when not the data's
    local_extra: bytes = b""
    central_extra: bytes = b""
    offset_shift: int = 0  # the directory's offset of the local header, off by this much
    size_shift: int = 0  # the directory's compressed size, off by this much


def raw_entries(source: StrPath) -> dict[str, RawEntry]:
    """A package's entries, in order, as plain :class:`RawEntry` values (each part's bytes
    and compression method), for :func:`write_raw_zip` to write otherwise."""
    with zipfile.ZipFile(source) as zf:
        return {i.filename: RawEntry(zf.read(i), i.compress_type) for i in zf.infolist()}


def write_raw_zip(
    target: StrPath,
    entries: Mapping[str, RawEntry],
    *,
    prefix: bytes = b"",
    comment: bytes = b"",
    trailer: bytes = b"",
    offsets_from_prefix: bool = True,
) -> Path:
    """Write a zip of `entries` (names in UTF-8, flagged so when not ASCII, dated
    1980-01-01), after `prefix` (a self-extractor's program) and ending with `comment`
    and then `trailer` (bytes after the end record). `offsets_from_prefix`: offsets count
    the prefix, as `zip -A` writes them; else they count from the zip's first entry."""
    out = bytearray(prefix)
    central = bytearray()
    base = 0 if offsets_from_prefix else len(prefix)
    dos_date = (0 << 9) | (1 << 5) | 1
    for name, e in entries.items():
        name_b = name.encode("utf-8")
        flags = e.flags | (0 if name.isascii() else 0x800) | (0x08 if e.descriptor else 0)
        crc = zlib.crc32(e.data)
        if e.method == zipfile.ZIP_DEFLATED:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            raw = packer.compress(e.data) + packer.flush()
        elif e.method == zipfile.ZIP_STORED:
            raw = e.data
        else:
            raise ValueError(f"write_raw_zip writes stored or deflated entries, not {e.method}")
        offset = len(out) - base
        method = e.local_method if e.local_method is not None else e.method
        local_crc = e.local_crc if e.local_crc is not None else crc
        sizes = (0, 0, 0) if e.descriptor else (local_crc, len(raw), len(e.data))
        local_name = e.local_name if e.local_name is not None else name_b
        out += _LOCAL_HEADER.pack(
            b"PK\x03\x04", 20, flags | e.local_flags, method, 0, dos_date, *sizes,
            len(local_name), len(e.local_extra),
        )  # fmt: skip
        out += local_name + e.local_extra + raw
        if e.descriptor:
            out += b"PK\x07\x08" if e.signed_descriptor else b""
            form = "<IQQ" if e.zip64_descriptor else "<III"
            out += struct.pack(form, local_crc, len(raw), len(e.data))
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, e.method, 0, dos_date, crc,
            len(raw) + e.size_shift, len(e.data), len(name_b), len(e.central_extra), 0, 0, 0,
            0, offset + e.offset_shift,
        )  # fmt: skip
        central += name_b + e.central_extra
    start = len(out) - base
    out += central
    out += struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), start,
        len(comment),
    )  # fmt: skip
    out += comment + trailer
    path = Path(target)
    path.write_bytes(bytes(out))
    return path


# --------------------------------------------------------------------------- OPC level


class Relationship(NamedTuple):
    id: str
    type: str
    target: str
    external: bool


def rels_name(part: str) -> str:
    """Name of the relationships part of ``part`` (``""`` means the package itself)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def rels_source(rels_part: str) -> str | None:
    """Inverse of :func:`rels_name`: the part a ``.rels`` part describes (``""`` = package).

    None if ``rels_part`` is not in a ``_rels`` folder or does not end in ``.rels``.
    """
    folder, base = posixpath.split(rels_part)
    parent, rels_folder = posixpath.split(folder)
    if rels_folder != "_rels" or not base.endswith(".rels"):
        return None
    return posixpath.join(parent, base[: -len(".rels")])


def parse_rels(xml: bytes) -> list[Relationship]:
    """The relationships of a ``.rels`` part, in document order."""
    root = etree.fromstring(xml)
    return [
        Relationship(
            id=rel.get("Id", ""),
            type=rel.get("Type", ""),
            target=rel.get("Target", ""),
            external=rel.get("TargetMode") == "External",
        )
        for rel in root.iterfind(f"{{{PKG_REL_NS}}}Relationship")
    ]


def resolve_target(source_part: str, target: str) -> str:
    """Zip name of an internal relationship target, relative to ``source_part``.

    Percent-escapes are decoded and a ``#fragment`` is dropped, as for a URI reference; a
    fragment-only target (``#Sheet1!A1``) is the source part itself.
    """
    target = unquote(target.split("#", 1)[0])
    if not target:
        return source_part
    if target.startswith("/"):
        joined = target
    else:
        joined = posixpath.join("/" + posixpath.dirname(source_part), target)
    return posixpath.normpath(joined).lstrip("/")


def part_relationships(parts: Parts, part: str) -> list[Relationship]:
    """Relationships of ``part`` (``""`` for the package); empty if it has no ``.rels``."""
    xml = parts.get(rels_name(part))
    return parse_rels(xml) if xml is not None else []


def workbook_part(parts: Parts) -> str:
    """Zip name of the workbook part, found through the package's officeDocument relation."""
    for rel in part_relationships(parts, ""):
        if rel.type == OFFICE_DOCUMENT_REL and not rel.external:
            return resolve_target("", rel.target)
    raise ValueError("package has no officeDocument relationship")


def related_part(parts: Parts, source: str, rel_type_suffix: str) -> str | None:
    """First internal target of ``source`` whose relationship type ends with the suffix."""
    for rel in part_relationships(parts, source):
        if rel.type.endswith(rel_type_suffix) and not rel.external:
            return resolve_target(source, rel.target)
    return None


class SheetEntry(NamedTuple):
    name: str
    sheet_id: str
    state: str
    part: str | None


def workbook_sheets(source: Parts | StrPath) -> list[SheetEntry]:
    """The workbook's ``<sheet>`` list in tab order, each with the part its ``r:id`` names.

    ``state`` is ``visible``, ``hidden`` or ``veryHidden``; ``part`` is None when the id does
    not resolve. Chart sheets and dialog sheets are included: they are tabs too.
    """
    parts = _as_parts(source)
    wb = workbook_part(parts)
    targets = {
        rel.id: resolve_target(wb, rel.target)
        for rel in part_relationships(parts, wb)
        if not rel.external
    }
    root = etree.fromstring(parts[wb])
    return [
        SheetEntry(
            name=sheet.get("name", ""),
            sheet_id=sheet.get("sheetId", ""),
            state=sheet.get("state", "visible"),
            part=targets.get(sheet.get(f"{{{REL_NS}}}id", "")),
        )
        for sheet in root.iterfind(f"{{{MAIN_NS}}}sheets/{{{MAIN_NS}}}sheet")
    ]


def sheet_names(source: Parts | StrPath) -> list[str]:
    """Tab names in workbook order."""
    return [entry.name for entry in workbook_sheets(source)]


def sheet_part(source: Parts | StrPath, sheet: str) -> str:
    """Zip name of the part holding the sheet named ``sheet``; KeyError if there is none."""
    for entry in workbook_sheets(source):
        if entry.name == sheet and entry.part is not None:
            return entry.part
    raise KeyError(sheet)


# --------------------------------------------------------------------------- cell references

_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


def column_number(letters: str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384 (no range check)."""
    number = 0
    for char in letters:
        number = number * 26 + (ord(char) - 64)
    return number


def column_letters(number: int) -> str:
    """1 -> ``A``, 16384 -> ``XFD``."""
    if number < 1:
        raise ValueError(f"column number must be >= 1, got {number}")
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_ref(ref: str) -> tuple[int, int]:
    """``B7`` -> (row 7, column 2). ValueError unless it is an in-range A1 reference."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    row, col = int(match.group(2)), column_number(match.group(1))
    if row > MAX_ROW or col > MAX_COL:
        raise ValueError(f"cell reference out of range: {ref!r}")
    return row, col


def make_ref(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


# --------------------------------------------------------------------------- worksheet XML

# One XML markup token. Text never contains "<", and attribute values never contain "<",
# so a tag ends at the first ">" outside quotes.
_TOKEN = re.compile(
    rb"<!--.*?-->"
    rb"|<!\[CDATA\[.*?\]\]>"
    rb"|<\?.*?\?>"
    rb"|<!DOCTYPE"
    rb"|<(/?)([^\s/>!?]+)(?:\s+[^\s=>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>",
    re.S,
)


_ROW_PATH = [b"sheetData", b"row"]
_ATTRS = rb"(?:\s+[^\s=>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*"


@functools.lru_cache(maxsize=8)
def _fast_patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(end of sheetData, whole cell) for markup without comments, CDATA or PIs."""
    p = re.escape(prefix)
    end = re.compile(rb"</" + p + rb"sheetData\s*>")
    cell = re.compile(
        rb"<" + p + rb"c(?=[\s/>])" + _ATTRS + rb"(?:/>|>(.*?)</" + p + rb"c\s*>)", re.S
    )
    return end, cell


class _Span(NamedTuple):
    start: int
    end: int


class _SheetScan(NamedTuple):
    before_end: int  # offset of "<sheetData"
    after_start: int  # offset just past "</sheetData>" (or past "<sheetData/>")
    cell_inner: list[_Span]  # content between <c ...> and </c>, document order


def _local(name: bytes) -> bytes:
    return name.rpartition(b":")[2]


def _scan_sheet(xml: bytes, fast: bool = True) -> _SheetScan:
    """Byte spans of sheetData and of every cell's content, found by a markup tokenizer.

    Scanning stops at the end of sheetData: what follows is left to the XML parser. With
    ``fast``, a sheetData without comments, CDATA or processing instructions is scanned with
    one cell pattern (every ``<c`` there is a cell); callers cross-check with a parser.
    """
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 worksheets are not supported by the byte scanner")
    stack: list[bytes] = []
    sd_start: int | None = None
    sd_end: int | None = None
    inner: list[_Span] = []
    open_cell: int | None = None
    for match in _TOKEN.finditer(xml):
        name = match.group(2)
        if name is None:
            if match.group(0) == b"<!DOCTYPE":
                raise ValueError("worksheet has a DOCTYPE")
            continue
        local = _local(name)
        if match.group(1):  # end tag
            if not stack or _local(stack[-1]) != local:
                raise ValueError(f"unbalanced </{name.decode()}> at byte {match.start()}")
            stack.pop()
            depth = len(stack)
            if depth == 3 and local == b"c" and open_cell is not None:
                inner.append(_Span(open_cell, match.start()))
                open_cell = None
            elif depth == 1 and local == b"sheetData":
                sd_end = match.end()
                break  # the rest is not needed; well-formedness is the parser's job
            continue
        depth = len(stack)
        self_closing = bool(match.group(3))
        if depth == 1 and local == b"sheetData":
            sd_start = match.start()
            if self_closing:
                sd_end = match.end()
                break
            if fast:
                end_pattern, cell_pattern = _fast_patterns(name[: -len(b"sheetData")])
                end = end_pattern.search(xml, match.end())
                if end is not None:
                    region = xml[match.end() : end.start()]
                    if b"<!" not in region and b"<?" not in region:
                        inner = [
                            _Span(*cell.span(1))
                            if cell.group(1) is not None
                            else _Span(cell.end(), cell.end())
                            for cell in cell_pattern.finditer(xml, match.end(), end.start())
                        ]
                        return _SheetScan(sd_start, end.end(), inner)
        elif depth == 3 and local == b"c" and [_local(n) for n in stack[1:]] == _ROW_PATH:
            if self_closing:
                inner.append(_Span(match.end(), match.end()))
            else:
                open_cell = match.end()
        if not self_closing:
            stack.append(name)
    if sd_start is None:
        raise ValueError("worksheet has no sheetData")
    if sd_end is None:
        raise ValueError("sheetData is not closed")
    return _SheetScan(sd_start, sd_end, inner)


class CellXml(NamedTuple):
    """A cell as stored: its attributes (``r`` only if it was written) and exact content."""

    attrs: dict[str, str]
    inner: bytes


def iter_cell_positions(sheet_root: etree._Element) -> Iterator[tuple[int, int, etree._Element]]:
    """(row, column, ``<c>`` element) for every cell, resolving r-less rows and cells.

    An r-less ``<row>`` is previous row + 1 (row 1 if first); an r-less ``<c>`` is one column
    right of the previous cell in its row, column A if first (MS-OI29500 2.1.590). Values of
    ``r`` are trusted as written (use ``ooxml.semantic_errors`` to check them).
    """
    sheet_data = sheet_root.find(f"{{{MAIN_NS}}}sheetData")
    if sheet_data is None:
        return
    row_number = 0
    for row in sheet_data.iterfind(f"{{{MAIN_NS}}}row"):
        row_r = row.get("r")
        row_number = int(row_r) if row_r is not None else row_number + 1
        col = 0
        for c in row.iterfind(f"{{{MAIN_NS}}}c"):
            ref = c.get("r")
            if ref is not None:
                _, col = split_ref(ref)
            else:
                col += 1
            yield row_number, col, c


def sheet_cells(sheet_xml: bytes) -> dict[str, CellXml]:
    """Every cell of a worksheet keyed by its (resolved) reference, in document order.

    ``attrs`` are the attributes as parsed (namespaced ones in ``{uri}name`` form), without
    adding a missing ``r``; ``inner`` is the exact bytes between ``<c ...>`` and ``</c>``
    (``b""`` for ``<c .../>``), so two versions of a sheet can be compared cell by cell.
    Raises ValueError for a duplicate reference.
    """
    root = etree.fromstring(sheet_xml)
    positions = list(iter_cell_positions(root))
    spans = _scan_sheet(sheet_xml).cell_inner
    if len(positions) != len(spans):
        spans = _scan_sheet(sheet_xml, fast=False).cell_inner
    if len(positions) != len(spans):
        raise ValueError(
            f"scanner found {len(spans)} cells but the parser {len(positions)}; "
            "cells in a foreign namespace or prefix trickery?"
        )
    cells: dict[str, CellXml] = {}
    for (row, col, element), span in zip(positions, spans, strict=True):
        ref = make_ref(row, col)
        if ref in cells:
            raise ValueError(f"duplicate cell {ref}")
        attrs = {str(key): str(value) for key, value in element.attrib.items()}
        cells[ref] = CellXml(attrs, sheet_xml[span.start : span.end])
    return cells


def sheet_parts_outside_sheetdata(sheet_xml: bytes) -> bytes:
    """The worksheet bytes before ``<sheetData`` followed by those after ``</sheetData>``.

    For a self-closing ``<sheetData/>`` the split is around that tag.
    """
    scan = _scan_sheet(sheet_xml)
    return sheet_xml[: scan.before_end] + sheet_xml[scan.after_start :]
