"""The workbook package: the zip of XML parts, opened defensively.

Everything esp reads or patches starts here. The file is read into memory once, so what is
parsed is exactly what is later patched, and a change on disk in between can be detected
by its digest. Parts are decompressed with a size cap, XML is parsed without DTDs or
entities, and files that are not OOXML workbooks are named for what they are.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esp_cli import system
from esp_cli.errors import InputFileError
from esp_cli.workbook.xlsx import deflate, zipio
from esp_cli.workbook.xlsx.safety import read_workbook
from esp_cli.workbook.xlsx.xmlbytes import transcoded, utf16

# Compression methods zipfile cannot read that other zip programs write.
_METHOD_NAMES = {9: "with Deflate64", 99: "and encrypted with AES"}
# The zip compression methods zipfile reads (Excel writes the first two only).
_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_INFLATE_STEP = 1 << 16  # compressed bytes given to the engine at a time
_ENGINE_ERROR: type[Exception] = deflate.engine.error  # what it raises for damaged data
# What reading a damaged part raises: zipfile's own errors, and those of the decompressors it
# and esp use (zlib, ISA-L; LZMA, a method zipfile reads though Excel never writes it).
_DAMAGED: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    lzma.LZMAError,
    _ENGINE_ERROR,
)
_DAMAGED_OR_MISSING: tuple[type[BaseException], ...] = (
    KeyError,
    *_DAMAGED,
)  # not there, or damaged

if TYPE_CHECKING:
    from concurrent.futures import Future

    from lxml.etree import _Element

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_SST = NS_REL + "/sharedStrings"
REL_STYLES = NS_REL + "/styles"
REL_TABLE = NS_REL + "/table"
REL_PIVOT_TABLE = NS_REL + "/pivotTable"
REL_DRAWING = NS_REL + "/drawing"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def part_key(name: str) -> str:
    """A part's name as OPC compares names: ASCII letters in any case (`Straße.xml` and
    `Strasse.xml` are two names; `Sheet1.xml` and `sheet1.xml` one)."""
    return name.translate(_ASCII_LOWER)


REL_CALCCHAIN = NS_REL + "/calcChain"
# A package's digital signatures (OPC, ECMA-376 Part 2 §13): the origin part the package
# relates to, which relates to each signature part (Office: `_xmlsignatures/sig1.xml`).
REL_SIGNATURE_ORIGIN = (
    "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin"
)
REL_SIGNATURE = (
    "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/signature"
)
REL_OFFICE_DOC = NS_REL + "/officeDocument"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"

# Limits against hostile packages. A real tracker is a few MB; its biggest part tens of MB.
MAX_PART_BYTES = 512 * 1024 * 1024
# A part read whole gets its buffer at its declared size at once, but never more than this
# many times its compressed bytes (a declared size can lie; XML deflates some 7 to 1).
READ_ROOM_RATIO = 32
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 1000  # uncompressed / compressed, checked on parts larger than RATIO_FLOOR
RATIO_FLOOR = 8 * 1024 * 1024
MAX_ENTRIES = 20000
KEEP_SCANNED_BYTES = 32 * 1024 * 1024
# A package larger than this (some 25,000 agents) hands the memory a large step freed back to
# the system as it goes (system.release_freed_memory, a few milliseconds each time), so that
# a 50,000-agent tracker's peak stays low; a smaller one ends long before that matters.
TRIM_FROM_BYTES = 4 << 20

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_PROLOG_SPACE = re.compile(rb"[ \t\r\n]*")


@dataclass(frozen=True)
class SheetInfo:
    name: str
    sheet_id: str
    part: str  # e.g. "xl/worksheets/sheet1.xml"
    state: str  # visible | hidden | veryHidden
    index: int  # 0-based position in the workbook

    @property
    def visible(self) -> bool:
        return self.state == "visible"


def part_digests(zf: zipfile.ZipFile) -> dict[str, str]:
    """Each part's CRC-32 and size as the zip's directory records them ("1a2b3c4d:1234"):
    which parts differ between two packages, told without decompressing either."""
    return {i.filename: f"{i.CRC:08x}:{i.file_size}" for i in zf.infolist()}


def broken_link(path: Path) -> InputFileError:
    """The error for a path that is a symbolic link (or shortcut folder link) to nothing
    esp can open: one that leads back to itself, or to a file that is gone."""
    try:
        system.real_path(path)
        why = "its target does not exist"
    except OSError:
        why = "it leads back to itself"
    return InputFileError(
        f"{path}: a link to a file that cannot be reached ({why}).",
        fix="point the link at the workbook, or give the workbook's own path.",
    )


@dataclass
class Package:
    """An opened .xlsx/.xlsm: its bytes, its zip directory and the workbook's sheet list."""

    path: Path
    data: bytes
    zf: zipfile.ZipFile = field(repr=False)
    _xml: dict[str, bytes] = field(default_factory=dict, repr=False)
    # Set when the workbook is about to be written: a part scanned in pieces is then kept
    # whole, since the writer will need it (decompressing a sheet twice costs more) —
    # unless it is larger than KEEP_SCANNED_BYTES: a 50,000-row sheet (60 MB of XML) is
    # decompressed again when it is written, once calamine's copy of it (twice that) is
    # gone, rather than held beside it.
    keep_scanned: bool = field(default=False, repr=False)
    # Set by a read ahead (reader.read_ahead), which scans before it is known whether the
    # command writes: what it scans is kept as keep_scanned would keep it, until the rows
    # are read (forget_scanned lets it go unless the workbook is then to be written).
    keep_for_now: bool = field(default=False, repr=False)
    _scanned: set[str] = field(default_factory=set, repr=False)
    # The XML parts written in UTF-16 (seen when the package is opened): read as UTF-8.
    utf16_parts: set[str] = field(default_factory=set, repr=False)
    # Sheets made ready, ahead, for a write (reader.read_ahead): each visible sheet's
    # sheetxml.SheetXml by part, the writer's to take.
    sheets_ahead: Future[dict[str, Any]] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, path: Path | str) -> Package:
        p = Path(path)
        if not p.exists():
            if p.is_symlink():
                raise broken_link(p)
            raise InputFileError(
                f"{p}: no such file.", fix="check the path, or set the tracker in esp.toml."
            )
        if p.is_dir():
            raise InputFileError(f"{p} is a folder, not a workbook.", fix="give the .xlsx file.")
        system.keep_large_blocks_apart()
        try:
            data = read_workbook(p)
        except OSError as exc:
            raise InputFileError(f"{p}: cannot be read ({exc.strerror}).") from exc
        return cls.from_bytes(p, data)

    @classmethod
    def from_bytes(cls, path: Path, data: bytes) -> Package:
        _refuse_non_workbooks(path, data)
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise InputFileError(
                f"{path}: the file is damaged (not a readable zip package: {exc}).",
                fix="restore it from a backup or re-save it from Excel.",
            ) from exc
        pkg = cls(path=path, data=data, zf=zf)
        pkg._check_directory()
        return pkg

    # -- package directory ------------------------------------------------------------

    def _check_directory(self) -> None:
        infos = self.zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise InputFileError(f"{self.path}: {len(infos)} parts is more than a workbook has.")
        first = min((i.header_offset for i in infos), default=0)
        if first:
            raise _bytes_before(self.path, first)
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise InputFileError(f"{self.path}: the package lists a part twice; it is damaged.")
        folded = [part_key(n) for n in names]
        if len(set(folded)) != len(folded):
            # Part names are the same in any case (OPC): which of the two a reader takes
            # is anyone's guess — a write could put a cell on another agent's row.
            twins = sorted(n for n, f in zip(names, folded, strict=True) if folded.count(f) > 1)
            raise InputFileError(
                f"{self.path}: the package holds parts whose names differ only in case "
                f"({', '.join(twins)}); it is damaged.",
                fix="open the workbook in Excel and save it again as *.xlsx.",
            )
        total = 0
        for info in infos:
            if info.flag_bits & 0x41:  # encrypted (bit 0), or strongly (bit 6)
                raise InputFileError(
                    f"{self.path}: the package is encrypted.",
                    fix="remove the password in Excel (File > Info > Protect Workbook).",
                )
            if info.compress_type not in _READABLE_METHODS or info.flag_bits & 0x20:
                # Deflate64 (7-Zip's -mm=Deflate64), AES, patched data: zipfile cannot read
                # them, and Excel never writes them.
                how = (
                    "as patched data (zip flag bit 5)"
                    if info.flag_bits & 0x20
                    else _METHOD_NAMES.get(
                        info.compress_type, f"by zip method {info.compress_type}"
                    )
                )
                raise InputFileError(
                    f"{self.path}: part {info.filename} is compressed {how}, which esp cannot "
                    "read and Excel never writes.",
                    fix="open the workbook in Excel and save it again as *.xlsx.",
                )
            if info.file_size > MAX_PART_BYTES or (
                info.file_size > RATIO_FLOOR
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise InputFileError(
                    f"{self.path}: part {info.filename} would expand to "
                    f"{info.file_size:,} bytes; refusing a possible zip bomb."
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise InputFileError(f"{self.path}: the package would expand to {total:,} bytes.")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")) and self._prolog_has_dtd(info):
                raise InputFileError(
                    f"{self.path}: part {info.filename} declares a DTD; refusing a hostile file."
                )
        if "[Content_Types].xml" not in names:
            raise InputFileError(
                f"{self.path}: this zip is not an Excel workbook (no [Content_Types].xml).",
                fix="give the .xlsx file saved by Excel.",
            )
        if self.workbook_part.endswith(".bin") or self.workbook_part not in names:
            if self.workbook_part.endswith(".bin") or any(
                n.endswith(".bin") and n.startswith("xl/workbook") for n in names
            ):
                raise InputFileError(
                    f"{self.path}: this is a binary workbook (.xlsb), which esp cannot read.",
                    fix="in Excel use File > Save As > Excel Workbook (*.xlsx).",
                )
            raise InputFileError(
                f"{self.path}: this zip holds no Excel workbook part.",
                fix="give the .xlsx file saved by Excel.",
            )

    def _prolog_has_dtd(self, info: zipfile.ZipInfo) -> bool:
        """A DTD (entity expansion, external entities) can only come before the root
        element: read the part until its first element, never the whole of it."""
        seen = b""
        try:
            with self.zf.open(info) as fh:
                while len(seen) < 1 << 20:
                    chunk = fh.read(4096)
                    if not seen and utf16(chunk):
                        self.utf16_parts.add(info.filename)
                    seen += chunk
                    found = prolog_dtd(seen, complete=not chunk)
                    if found is not None:
                        return found
        except _DAMAGED as exc:
            raise InputFileError(
                f"{self.path}: part {info.filename} is damaged ({exc}).",
                fix="restore the workbook from a backup or re-save it from Excel.",
            ) from exc
        return True  # a megabyte of prolog is no workbook part

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def part_digests(self) -> dict[str, str]:
        return part_digests(self.zf)

    def names(self) -> list[str]:
        return [i.filename for i in self.zf.infolist()]

    def has(self, name: str) -> bool:
        try:
            self.zf.getinfo(name)
        except KeyError:
            return False
        return True

    def _stored(self, info: zipfile.ZipInfo) -> memoryview | None:
        """The part's compressed bytes in the package, or None when its local header is not
        the one the directory describes (zipfile then reads it, or says what is wrong)."""
        try:
            return zipio.stored(self.data, self.zf, info)
        except zipio.PartNotCarried:
            return None

    def _pieces(self, info: zipfile.ZipInfo, size: int) -> Iterator[bytes]:
        """The part's bytes in pieces of at most `size`, as zipfile reads them. A deflated
        part is decompressed by deflate.engine (ISA-L where it is installed, in less than
        half zlib's time) straight from the package's bytes, as zipfile decompresses it:
        until the stream ends, its compressed bytes run out or the directory's size is
        reached, then checked against the directory's CRC-32. Any other part is read by
        zipfile itself."""
        given = self._stored(info) if info.compress_type == zipfile.ZIP_DEFLATED else None
        if given is None:
            with self.zf.open(info) as fh:
                while chunk := fh.read(size):
                    yield chunk
            return
        engine = deflate.engine
        stream = engine.decompressobj(-15)
        pos = crc = 0
        left = info.file_size
        while True:
            feed: bytes | memoryview = stream.unconsumed_tail
            if not feed and pos < len(given):
                feed = given[pos : pos + _INFLATE_STEP]
                pos += _INFLATE_STEP
            piece = stream.decompress(feed, size)
            # Cut at `size`, the engine may hold more of what it was given: asked again.
            done = stream.eof or (
                pos >= len(given) and not stream.unconsumed_tail and len(piece) < size
            )
            if done:
                piece += stream.flush()
            piece = piece[:left]
            left -= len(piece)
            if piece:
                crc = engine.crc32(piece, crc)
                yield piece
            if done or left <= 0:
                break
        if crc != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")

    def read(self, name: str) -> bytes:
        """A part's bytes, decompressed with a hard cap (declared sizes can lie)."""
        try:
            info = self.zf.getinfo(name)
        except KeyError as exc:
            raise InputFileError(
                f"{self.path}: part {name} is missing; the file is damaged."
            ) from exc
        # Read in pieces into one buffer: zipfile's read() of a 60 MB sheet holds the
        # decompressed data twice while it joins it (60 MB more at the peak). In a large
        # package (TRIM_FROM_BYTES) the buffer is made at the part's size at once
        # (READ_ROOM_RATIO): grown a megabyte at a time, it was grown in place among the
        # small blocks where it could, copied where it could not, and its room kept after
        # it was freed (esp doctor's reading of a 50,000-agent sheet peaked some 20 MB
        # higher). A smaller one is read as it comes, a little faster.
        buf = io.BytesIO()
        room = min(info.file_size, READ_ROOM_RATIO * max(info.compress_size, 1), MAX_PART_BYTES)
        if room and len(self.data) > TRIM_FROM_BYTES:
            buf.seek(room - 1)
            buf.write(b"\0")
            buf.seek(0)
        try:
            for chunk in self._pieces(info, 1 << 20):
                buf.write(chunk)
                if buf.tell() > MAX_PART_BYTES:
                    break
        except _DAMAGED as exc:
            raise InputFileError(
                f"{self.path}: part {name} is damaged ({exc}).",
                fix="restore the workbook from a backup or re-save it from Excel.",
            ) from exc
        if buf.tell() > MAX_PART_BYTES:
            raise InputFileError(f"{self.path}: part {name} is larger than any workbook part.")
        buf.truncate()  # what is left of the room made at first
        return buf.getvalue()

    def chunks(self, name: str, size: int = 1 << 20) -> Iterator[bytes]:
        """A part's bytes in pieces, decompressed as they are needed (a 50,000-row sheet
        is 60 MB of XML; a scan of it need not hold it). A part already read is given whole."""
        cached = self._xml.get(name)
        if cached is None and name in self.utf16_parts:
            cached = self.read_xml(name)  # scanned as UTF-8, whole
        if cached is not None:
            yield cached
            return
        read = 0
        keep = self.keep_scanned or self.keep_for_now
        kept = io.BytesIO() if keep and self._small(name) else None
        try:
            for chunk in self._pieces(self.zf.getinfo(name), size):
                read += len(chunk)
                if read > MAX_PART_BYTES:
                    raise InputFileError(
                        f"{self.path}: part {name} is larger than any workbook part."
                    )
                if kept is not None:
                    kept.write(chunk)
                yield chunk
        except _DAMAGED_OR_MISSING as exc:
            raise InputFileError(
                f"{self.path}: part {name} is damaged ({exc}).",
                fix="restore the workbook from a backup or re-save it from Excel.",
            ) from exc
        if kept is not None:
            data = kept.getvalue()
            check_no_dtd(self.path, name, data)
            if self._xml.setdefault(name, data) is data:
                self._scanned.add(name)

    def forget_scanned(self) -> None:
        """Let go of the parts kept only because a read ahead scanned them (a workbook not
        to be written does not hold its sheets)."""
        self.keep_for_now = False
        if not self.keep_scanned:
            for name in self._scanned:
                self._xml.pop(name, None)
        self._scanned.clear()

    def release_freed_memory(self) -> None:
        """What a large step freed handed back to the system, for a large package only
        (TRIM_FROM_BYTES)."""
        if len(self.data) > TRIM_FROM_BYTES:
            system.release_freed_memory()

    def _small(self, name: str) -> bool:
        try:
            return self.zf.getinfo(name).file_size <= KEEP_SCANNED_BYTES
        except KeyError:
            return False

    def kept_xml(self, name: str) -> bytes | None:
        """The part as read_xml gives it, when it is held already (read, or kept by a scan);
        else None."""
        return self._xml.get(name)

    def read_xml(self, name: str, keep: bool = True) -> bytes:
        """An XML part, checked for DTDs, in UTF-8 (a UTF-16 part transcoded); kept (unless
        `keep` is False), since reader and writer both need the sheet (decompressing a
        50,000-row sheet twice costs more than holding it)."""
        got = self._xml.get(name)
        if got is None:
            got = self.read(name)
            if name in self.utf16_parts or utf16(got):
                try:
                    got = transcoded(got)
                except UnicodeDecodeError as exc:
                    raise InputFileError(
                        f"{self.path}: part {name} is damaged (not valid UTF-16: {exc.reason}).",
                        fix="restore the workbook from a backup or re-save it from Excel.",
                    ) from exc
                self.utf16_parts.add(name)
            check_no_dtd(self.path, name, got)
            if keep:
                self._xml[name] = got
        return got

    def parse(self, name: str) -> _Element:
        return parse_xml(self.path, name, self.read_xml(name))

    # -- relationships and the workbook -----------------------------------------------

    @cached_property
    def workbook_part(self) -> str:
        rels = self.part_named("_rels/.rels")
        if self.has(rels):
            root = parse_xml(self.path, rels, self.read_xml(rels))
            for rel in relationships(root):
                if rel.get("Type", "").endswith("/officeDocument"):
                    target = str(rel.get("Target", ""))
                    return self.part_named(posixpath.normpath(target.lstrip("/")))
        return self.part_named("xl/workbook.xml")

    @cached_property
    def signed(self) -> bool:
        """Whether the workbook carries a digital signature (File > Info > View Signatures):
        a signature the package's signature origin relates to, or a signature part where
        Office keeps them (`_xmlsignatures/sig1.xml`). An origin left without signatures
        signs nothing."""
        for typ, origin in self.rels("").values():
            if typ == REL_SIGNATURE_ORIGIN and any(
                kind == REL_SIGNATURE and self.has(target)
                for kind, target in self.rels(origin).values()
            ):
                return True
        return any(
            key.startswith("_xmlsignatures/") and key.endswith(".xml") for key in self._names_folded
        )

    @cached_property
    def _names_folded(self) -> dict[str, str]:
        """Each part's name by its part_key (no two alike: _check_directory)."""
        return {part_key(info.filename): info.filename for info in self.zf.infolist()}

    def part_named(self, name: str) -> str:
        """The part's name as the package spells it: part names are the same in any case
        (OPC), so a relationship may name `strings/Shared.xml` for `strings/shared.xml`."""
        return name if self.has(name) else self._names_folded.get(part_key(name), name)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part path) for `part` (internal targets only),
        each target as the package spells its name."""
        folder, base = posixpath.split(part)
        rels_name = self.part_named(posixpath.join(folder, "_rels", base + ".rels"))
        if not self.has(rels_name):
            return {}
        root = self.parse(rels_name)
        out: dict[str, tuple[str, str]] = {}
        for rel in relationships(root):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id", "")] = (rel.get("Type", ""), self.part_named(resolved))
        return out

    def rels_part_name(self, part: str) -> str:
        folder, base = posixpath.split(part)
        return posixpath.join(folder, "_rels", base + ".rels")

    @cached_property
    def workbook_xml(self) -> bytes:
        data = self.read_xml(self.workbook_part)
        if STRICT_NS.encode() in data[:2000] and parse_xml(
            self.path, self.workbook_part, data
        ).tag.startswith("{" + STRICT_NS + "}"):
            raise InputFileError(
                f"{self.path}: saved as 'Strict Open XML', which esp does not write.",
                fix="in Excel use File > Save As > Excel Workbook (*.xlsx).",
            )
        return data

    @cached_property
    def workbook_root(self) -> _Element:
        """workbook.xml parsed (comments and instructions are nodes of their own, never
        read as elements or attributes)."""
        return parse_xml(self.path, self.workbook_part, self.workbook_xml)

    @cached_property
    def sheets(self) -> list[SheetInfo]:
        root = self.workbook_root
        rels = self.rels(self.workbook_part)
        out: list[SheetInfo] = []
        sheets_el = root.find(f"{{{NS_MAIN}}}sheets")
        found = sheets_el.iterchildren(f"{{{NS_MAIN}}}sheet") if sheets_el is not None else ()
        for i, el in enumerate(found):
            rid = el.get(f"{{{NS_REL}}}id", "")
            typ, target = rels.get(rid, ("", ""))
            if typ != REL_WORKSHEET:
                continue  # chart sheets and dialog sheets hold no cells
            out.append(
                SheetInfo(
                    name=el.get("name", f"Sheet{i + 1}"),
                    sheet_id=el.get("sheetId", ""),
                    part=target,
                    state=el.get("state", "visible"),
                    index=i,
                )
            )
        return out

    def sheet(self, name: str) -> SheetInfo:
        for info in self.sheets:
            if info.name == name:
                return info
        raise InputFileError(f"{self.path}: no sheet named {name!r}.")

    @cached_property
    def date1904(self) -> bool:
        """The workbook's date system, from <workbookPr date1904> read as XML (either
        quoting, spaces, character references; a comment mentioning it is not it)."""
        pr = self.workbook_root.find(f"{{{NS_MAIN}}}workbookPr")
        flag = pr.get("date1904") if pr is not None else None
        return flag is not None and flag.strip() in ("1", "true")

    def workbook_rel_target(self, rel_type: str) -> str | None:
        for typ, target in self.rels(self.workbook_part).values():
            if typ == rel_type:
                return target
        return None

    def iter_parts(self) -> Iterator[zipfile.ZipInfo]:
        yield from self.zf.infolist()


def element_text(el: _Element) -> str:
    """An element's text as XML means it: its text and CDATA pieces joined, without the
    comments or processing instructions between them (`el.text` stops at the first)."""
    return "".join(el.itertext())


def relationships(root: _Element) -> Iterator[_Element]:
    """The <Relationship> elements of a parsed .rels part (not its comments or
    processing instructions, which are nodes too)."""
    yield from root.iterchildren(f"{{{NS_PKG_REL}}}Relationship")


def _refuse_non_workbooks(path: Path, data: bytes) -> None:
    head = data[:8]
    if not data:
        raise InputFileError(f"{path}: the file is empty.", fix="restore it from a backup.")
    if head == _CFB_MAGIC:
        # An OLE compound file: an encrypted OOXML package or a legacy .xls.
        if (
            "EncryptedPackage".encode("utf-16-le") in data
            or path.suffix.lower() not in (".xls",)
            and "Workbook".encode("utf-16-le") not in data
        ):
            raise InputFileError(
                f"{path}: the workbook is password-protected (encrypted).",
                fix="remove the password in Excel (File > Info > Protect Workbook > Encrypt "
                "with Password) and save a copy.",
            )
        raise InputFileError(
            f"{path}: this is a legacy Excel 97-2003 (.xls) workbook, which esp cannot write.",
            fix="in Excel use File > Save As > Excel Workbook (*.xlsx).",
        )
    if head[:4] != b"PK\x03\x04" and head[:4] != b"PK\x05\x06":
        first = _first_part_at(data)
        if first:
            raise _bytes_before(path, first)
        sample = data[:2048]
        if _looks_like_text(sample):
            raise InputFileError(
                f"{path}: this is a text (CSV) file, not an Excel workbook.",
                fix="open it in Excel and save it as Excel Workbook (*.xlsx).",
            )
        raise InputFileError(
            f"{path}: this is not an Excel workbook (.xlsx/.xlsm).",
            fix="give the tracker saved by Excel as *.xlsx.",
        )


def _first_part_at(data: bytes) -> int | None:
    """Where the first part of the zip package in `data` starts, as its directory says
    (None: no zip package is there)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return min((i.header_offset for i in zf.infolist()), default=None)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None


def _bytes_before(path: Path, first: int) -> InputFileError:
    """The error for a package with bytes before its first part (a self-extracting
    archive's program, or another file joined before it): a write would not carry them,
    and which of the two Excel reads is anyone's guess."""
    return InputFileError(
        f"{path}: {first:,} bytes come before the workbook's zip package (as in a "
        "self-extracting archive); esp neither reads nor writes such a file.",
        fix="open the workbook in Excel and save it as Excel Workbook (*.xlsx), or extract "
        "the workbook from the archive.",
    )


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def prolog_dtd(data: bytes, complete: bool = True) -> bool | None:
    """Whether the XML in `data` declares a DTD: one can only stand in the prolog, before
    the root element, among comments and processing instructions (a `<!DOCTYPE` in a
    comment or in CDATA text is text; one after the root element is not well-formed, and
    every parser refuses it). None when `data` ends before that is known (`complete`
    False: more bytes are coming)."""
    text = transcoded(data, strict=False) if utf16(data) else data
    pos = 3 if text.startswith(b"\xef\xbb\xbf") else 0
    while True:
        m = _PROLOG_SPACE.match(text, pos)
        pos = m.end() if m else pos
        if _DTD.match(text, pos):
            return True
        for opener, closer in ((b"<!--", b"-->"), (b"<?", b"?>")):
            if text.startswith(opener, pos):
                end = text.find(closer, pos + len(opener))
                if end < 0:
                    return None if not complete else False
                pos = end + len(closer)
                break
        else:
            if len(text) - pos < 9 and not complete:
                return None  # "<!DOCTYPE" may be cut
            return False


def check_no_dtd(path: Path, part: str, data: bytes) -> None:
    # OOXML never uses a DTD; one in a part is an entity-expansion or XXE attempt.
    if prolog_dtd(data):
        raise InputFileError(f"{path}: part {part} declares a DTD; refusing a hostile file.")


def parse_xml(path: Path, part: str, data: bytes) -> _Element:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_blank_text=False,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputFileError(f"{path}: part {part} is not well-formed XML ({exc}).") from exc
