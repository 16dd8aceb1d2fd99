"""Rewrite a zip package, copying untouched entries' compressed bytes as they are.

Python's zipfile cannot copy an entry without recompressing it, and it resets flags and
extras. Writing the few headers ourselves keeps every untouched part bit-for-bit (same
compressed bytes, CRC, timestamp, order), is faster than recompressing, and writes no
ZIP64 extras or data descriptors, which Excel is strict about (XLSX-NOTES §7).

A part is copied only once its local header is proven to be the one the zip's directory
describes (`stored`): a package another program wrote oddly — a data descriptor, extras of
its own in each header — is carried as it is, and one whose copy would be garbage (a header
elsewhere or naming another part, an encrypted part) refuses the write. The package's
comment is kept.
"""

from __future__ import annotations

import collections
import contextlib
import io
import itertools
import struct
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from esp_cli.workbook.xlsx import deflate

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # an entry's local header (30 bytes)
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_UTF8_FLAG = 0x800
_ENCRYPTED = 0x01 | 0x40  # encrypted (bit 0), or strongly (bit 6)
_PATCHED = 0x20  # patched data (bit 5)
_DESCRIBED = 0x08  # CRC-32 and sizes in a data descriptor after the data (bit 3)
_DESCRIPTOR_SIG = b"PK\x07\x08"
# A data descriptor: CRC-32 and sizes, signed or not, with 4- or 8-byte (ZIP64) sizes.
_DESCRIPTORS = (
    (_DESCRIPTOR_SIG, struct.Struct("<III")),
    (b"", struct.Struct("<III")),
    (_DESCRIPTOR_SIG, struct.Struct("<IQQ")),
    (b"", struct.Struct("<IQQ")),
)
_LIMIT32 = 0xFFFFFFFF
BIG_PART = 1024 * 1024


class PartNotCarried(Exception):
    """An untouched part whose stored bytes cannot be copied as they are: its local header
    is not the one the zip's directory describes, or what it holds cannot be copied
    without reading it (encrypted). The write is refused: a copy would be garbage."""

    def __init__(self, part: str, why: str) -> None:
        super().__init__(f"part {part}: {why}")
        self.part = part
        self.why = why


def stored(src: bytes | memoryview, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> memoryview:
    """The part's compressed bytes as the package stores them, once its local header is
    proven to be the one the directory describes: there (signed), naming the same entry
    (as zipfile compares names), neither encrypted nor patched, the same compression
    method, and the same CRC-32 and sizes — in the header, or in the data descriptor after
    the data when the header defers them (bit 3, as LibreOffice writes every entry). The
    header's own extra field may differ from the directory's (Info-ZIP's timestamps do);
    its name and extra lengths place the data. Anything else raises PartNotCarried."""
    at = info.header_offset
    end_of_data = zf.start_dir  # the data of every entry lies before the directory
    if at < 0 or at + LOCAL_HEADER.size > end_of_data:
        raise PartNotCarried(info.filename, "the zip's directory places it outside the package")
    (sig, _v, flags, method, _t, _d, crc, csize, usize, nlen, elen) = LOCAL_HEADER.unpack_from(
        src, at
    )
    if sig != b"PK\x03\x04":
        raise PartNotCarried(
            info.filename, f"no local header where the zip's directory places it (byte {at:,})"
        )
    raw_name = bytes(src[at + LOCAL_HEADER.size : at + LOCAL_HEADER.size + nlen])
    try:
        name = raw_name.decode("utf-8" if flags & _UTF8_FLAG else "cp437")
    except UnicodeDecodeError:
        name = None
    if name != info.orig_filename:
        raise PartNotCarried(
            info.filename,
            f"the local header at byte {at:,} names another part "
            f"({raw_name.decode('utf-8', 'replace')!r})",
        )
    if (flags | info.flag_bits) & _ENCRYPTED:
        raise PartNotCarried(info.filename, "it is encrypted")
    if (flags | info.flag_bits) & _PATCHED:
        raise PartNotCarried(info.filename, "it is stored as patched data (zip flag bit 5)")
    if method != info.compress_type:
        raise PartNotCarried(
            info.filename,
            f"its local header says compression method {method}, the zip's directory "
            f"{info.compress_type}",
        )
    start = at + LOCAL_HEADER.size + nlen + elen
    end = start + info.compress_size
    if end > end_of_data:
        raise PartNotCarried(info.filename, "its data runs past the end of the package's parts")
    said = (info.CRC, info.compress_size, info.file_size)
    described = bool(flags & _DESCRIBED)
    # The header's own values: the directory's, or 0 when a data descriptor holds them (a
    # program may write them there too); a size of 0xFFFFFFFF is in a ZIP64 extra.
    zero = {0} if described else set()
    if (
        crc not in {info.CRC, *zero}
        or csize not in {info.compress_size, _LIMIT32, *zero}
        or usize not in {info.file_size, _LIMIT32, *zero}
    ):
        raise PartNotCarried(
            info.filename, "its local header's CRC-32 or sizes differ from the zip's directory"
        )
    if described and not _described(src, end, end_of_data, said):
        raise PartNotCarried(
            info.filename, "its data descriptor is missing or differs from the zip's directory"
        )
    return memoryview(src)[start:end]


def check_carried(src: bytes, zf: zipfile.ZipFile, touched: Iterable[str]) -> None:
    """What `rewrite` checks of every part it copies (all but `touched`), without writing:
    PartNotCarried for the first that cannot be copied as it is."""
    skip = set(touched)
    for info in zf.infolist():
        if info.filename not in skip:
            stored(src, zf, info)


def _described(src: bytes | memoryview, at: int, limit: int, said: tuple[int, int, int]) -> bool:
    """Whether a data descriptor at `at` (before `limit`) holds `said`, in any of its forms."""
    for sig, form in _DESCRIPTORS:
        stop = at + len(sig) + form.size
        if stop <= limit and bytes(src[at : at + len(sig)]) == sig:
            if form.unpack_from(src, at + len(sig)) == said:
                return True
    return False


# A part's new bytes, whole or as pieces (a rewritten sheet: views of the old sheet between
# the changed rows), which are compressed one after another as they come, never joined.
PartData = bytes | Iterable[bytes | memoryview]


@dataclass(frozen=True)
class NewPart:
    name: str
    data: bytes
    after: str | None = None  # place it after this entry (else at the end)


def _dos_time(dt: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = dt
    y = max(y, 1980)
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def _deflate(
    data: PartData, out: io.BytesIO, idle: Callable[[], bool] | None = None
) -> tuple[int, int]:
    """Compress a part given whole or in pieces into `out` as they come: (CRC-32, size).
    A part over 1 MB (a big rewritten sheet, a large shared-strings table) is compressed at
    level 1, three times faster than the default for a slightly larger file, a megabyte at
    a time on two worker threads while the next pieces are made (see _deflate_behind);
    pieces are held only until that size is passed. `idle` is called while the workers
    have blocks enough to compress, and at least once as they compress the last ones,
    until it returns False: other work of the write that would otherwise wait for the
    compression to end."""
    pieces: Iterable[bytes | memoryview] = (data,) if isinstance(data, bytes) else data
    held: list[bytes | memoryview] = []
    size = 0
    source = iter(pieces)
    for piece in source:
        held.append(piece)
        size += len(piece)
        if size > BIG_PART:
            return _deflate_behind(itertools.chain(held, source), out, idle)
    crc = 0
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    for p in held:
        crc = zlib.crc32(p, crc)
        out.write(comp.compress(p))
    out.write(comp.flush())
    return crc, size


BLOCK = BIG_PART  # the input compressed at a time by one worker
_WINDOW = 32 * 1024  # what deflate looks back over: a block is primed with as much before it
_WORKERS = 2
_IN_FLIGHT = 2 * _WORKERS  # blocks made ahead of the writing at most
_SWITCH_SECONDS = 0.0002  # see _quick_switches
# A deflate stream's last block: empty, marked final (what a compressor's flush ends with).
_FINAL_BLOCK = zlib.compressobj(1, zlib.DEFLATED, -15).flush()


def _deflate_behind(
    pieces: Iterator[bytes | memoryview], out: io.BytesIO, idle: Callable[[], bool] | None
) -> tuple[int, int]:
    """Level-1 compression of the pieces in blocks of BLOCK bytes, each on one of two
    worker threads while the next blocks are made: zlib lets other threads run while it
    compresses, so the splicer's Python and the compression overlap, and two blocks are
    compressed at once. Each block is compressed on its own, primed with the 32 KB before
    it (all a single stream would look back over) and ended on a byte boundary: joined in
    order and closed by an empty final block they are one deflate stream, as pigz makes
    them — the same bytes decompressed, about the same size, and the same compressed bytes
    for the same part however its pieces were cut. The part is never held whole: a few
    blocks at most. An error making a piece is raised once the workers have stopped, one
    compressing where the part is written."""
    crc = size = 0
    before = b""
    pending: collections.deque[Future[bytes]] = collections.deque()
    with _quick_switches(), ThreadPoolExecutor(_WORKERS, thread_name_prefix="esp-deflate") as pool:
        try:
            for block in _blocks(pieces):
                crc = deflate.engine.crc32(block, crc)
                size += len(block)
                pending.append(pool.submit(_compressed, block, before))
                before = block[-_WINDOW:]
                while len(pending) >= _IN_FLIGHT:
                    idle = _while_busy(pending[0], idle)
                    out.write(pending.popleft().result())
            while pending:
                idle = _while_busy(pending[0], idle)
                out.write(pending.popleft().result())
        finally:
            for job in pending:  # an error: the blocks not yet begun are not compressed
                job.cancel()
    out.write(_FINAL_BLOCK)
    return crc, size


_switches = threading.Lock()
_lowered = 0  # compressions under way that asked for quick switches
_interval = 0.0  # the interval to put back when the last of them ends


@contextlib.contextmanager
def _quick_switches() -> Iterator[None]:
    """The interpreter switches threads every 0.2 ms instead of 5 ms while a part is
    compressed: zlib takes the GIL back between output blocks, and by default a worker
    would wait up to 5 ms each time for the splicer's Python to let go, so the two would
    hardly overlap. Two compressions at once (two workbooks written or read on two
    threads) put back the interval there was before the first."""
    global _lowered, _interval
    with _switches:
        if _lowered == 0:
            _interval = sys.getswitchinterval()
            sys.setswitchinterval(_SWITCH_SECONDS)
        _lowered += 1
    try:
        yield
    finally:
        with _switches:
            _lowered -= 1
            if _lowered == 0:
                sys.setswitchinterval(_interval)


def _compressed(block: bytes, before: bytes) -> bytes:
    """One block compressed at level 1 as a stream would compress it after `before`, ended
    on a byte boundary without ending the stream (Z_SYNC_FLUSH), by ISA-L where it is
    installed, else by zlib."""
    d = deflate.engine
    raw = (1, d.DEFLATED, -15)  # level 1, a raw deflate stream (a zip entry's)
    comp = d.compressobj(*raw, zdict=before) if before else d.compressobj(*raw)
    return bytes(comp.compress(block) + comp.flush(d.Z_SYNC_FLUSH))


def _while_busy(job: Future[bytes], idle: Callable[[], bool] | None) -> Callable[[], bool] | None:
    """Run `idle` a step at a time while `job` is under way (at least one step), until it
    returns False; what is left of it for the next wait."""
    while idle is not None:
        idle = idle if idle() else None
        if job.done():
            break
    return idle


def _blocks(pieces: Iterable[bytes | memoryview]) -> Iterator[bytes]:
    """The pieces' bytes cut into blocks of BLOCK bytes (the last one shorter), wherever
    the pieces begin and end: what a worker compresses at a time."""
    parts: list[memoryview] = []
    filled = 0
    for piece in pieces:
        view = memoryview(piece).cast("B")
        while len(view):
            take = min(BLOCK - filled, len(view))
            parts.append(view[:take])
            filled += take
            view = view[take:]
            if filled == BLOCK:
                yield b"".join(parts)
                parts, filled = [], 0
    if filled:
        yield b"".join(parts)


def _encoded(name: str) -> tuple[bytes, int]:
    """A new entry's name as bytes, and its flags (the UTF-8 flag when it needs it)."""
    return name.encode("utf-8"), (_UTF8_FLAG if not name.isascii() else 0)


def _original_name(info: zipfile.ZipInfo) -> tuple[bytes, int]:
    """An entry's name bytes and its UTF-8 flag as the package has them (zipfile decodes a
    name without the flag as code page 437, which encodes back to the very bytes)."""
    if info.flag_bits & _UTF8_FLAG:
        return info.orig_filename.encode("utf-8"), _UTF8_FLAG
    try:
        return info.orig_filename.encode("cp437"), 0
    except UnicodeEncodeError:  # decoded otherwise (a name zipfile was given as text)
        return _encoded(info.orig_filename)


def _joined(data: PartData) -> bytes:
    return data if isinstance(data, bytes) else b"".join(data)


def rewrite(
    src: bytes,
    zf: zipfile.ZipFile,
    replace: Mapping[str, PartData],
    remove: frozenset[str] = frozenset(),
    add: tuple[NewPart, ...] = (),
    idle: Callable[[], bool] | None = None,
) -> bytes:
    """A new package: `replace`d parts recompressed, `remove`d dropped, `add`ed inserted,
    every other entry's local record rebuilt around its original compressed bytes. The
    package is written once, into one buffer: a part is compressed straight into it behind
    a header filled in once its sizes are known. `idle`: see _deflate. PartNotCarried:
    a part cannot be copied as it is (see `stored`)."""
    out = io.BytesIO()
    # The buffer made about the old package's size at once: grown by reallocation as the
    # parts come, it may be copied on the way (a second 10 MB at the peak of a large write).
    out.seek(len(src) + len(src) // 8)
    out.write(b"\0")
    out.seek(0)
    central = bytearray()
    count = 0
    infos = zf.infolist()
    # An entry of the package keeps its name's bytes and how they are flagged: a name
    # another tool wrote as UTF-8 without the UTF-8 flag reads as code page 437, and
    # written back as that text it would be another name.
    names = {info.filename: _original_name(info) for info in infos}
    pending_add = {p.after: p for p in add if p.after}
    tail_add = [p for p in add if not p.after]

    def header(
        name: str, raw_size: int, crc: int, usize: int, method: int, date_time: Any
    ) -> tuple[bytes, bytes, int]:
        if out.tell() > _LIMIT32 or raw_size > _LIMIT32 or usize > _LIMIT32:
            raise ValueError("package too large for a plain (non-ZIP64) zip")
        name_b, flags = names.get(name) or _encoded(name)
        t, d = _dos_time(date_time)
        local = LOCAL_HEADER.pack(
            b"PK\x03\x04", 20, flags, method, t, d, crc, raw_size, usize, len(name_b), 0
        )
        return local + name_b, name_b, flags

    def record(
        name: str,
        offset: int,
        raw_size: int,
        crc: int,
        usize: int,
        method: int,
        date_time: tuple[int, int, int, int, int, int],
        ext_attr: int,
        create_system: int,
    ) -> None:
        nonlocal count
        local, name_b, flags = header(name, raw_size, crc, usize, method, date_time)
        t, d = _dos_time(date_time)
        central.extend(
            _CENTRAL.pack(
                b"PK\x01\x02",
                (create_system << 8) | 20,
                20,
                flags,
                method,
                t,
                d,
                crc,
                raw_size,
                usize,
                len(name_b),
                0,
                0,
                0,
                0,
                ext_attr,
                offset,
            )
        )
        central.extend(name_b)
        count += 1

    def emit(
        name: str,
        raw: bytes | memoryview,
        crc: int,
        usize: int,
        method: int,
        date_time: tuple[int, int, int, int, int, int],
        ext_attr: int,
        create_system: int,
    ) -> None:
        offset = out.tell()
        out.write(header(name, len(raw), crc, usize, method, date_time)[0])
        out.write(raw)
        record(name, offset, len(raw), crc, usize, method, date_time, ext_attr, create_system)

    def emit_new(name: str, data: PartData, like: zipfile.ZipInfo | None) -> None:
        method = like.compress_type if like is not None else zipfile.ZIP_DEFLATED
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = zipfile.ZIP_DEFLATED
        dt = like.date_time if like is not None else (1980, 1, 1, 0, 0, 0)
        ext_attr = like.external_attr if like is not None else 0
        system = like.create_system if like is not None else 0
        if method != zipfile.ZIP_DEFLATED:
            raw = _joined(data)
            emit(name, raw, zlib.crc32(raw), len(raw), method, dt, ext_attr, system)
            return
        # The header first with sizes to come, the part compressed behind it, then the
        # header again with its sizes (the same length: it is written over in place).
        offset = out.tell()
        placeholder = header(name, 0, 0, 0, method, dt)[0]
        out.write(placeholder)
        crc, size = _deflate(data, out, idle)
        end = out.tell()
        raw_size = end - offset - len(placeholder)
        out.seek(offset)
        out.write(header(name, raw_size, crc, size, method, dt)[0])
        out.seek(end)
        record(name, offset, raw_size, crc, size, method, dt, ext_attr, system)

    view = memoryview(src)
    for info in infos:
        name = info.filename
        if name in remove:
            pass
        elif name in replace:
            emit_new(name, replace[name], info)
        else:
            emit(
                name,
                stored(view, zf, info),
                info.CRC,
                info.file_size,
                info.compress_type,
                info.date_time,
                info.external_attr,
                info.create_system,
            )
        if name in pending_add:
            p = pending_add.pop(name)
            emit_new(p.name, p.data, info)
    for p in [*pending_add.values(), *tail_add]:
        emit_new(p.name, p.data, None)

    cd_offset = out.tell()
    if cd_offset > _LIMIT32:
        raise ValueError("package too large for a plain (non-ZIP64) zip")
    out.write(central)
    if count > 0xFFFF:
        raise ValueError("too many parts for a plain (non-ZIP64) zip")
    comment = zf.comment  # the package's own comment, after the end record, kept
    out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), cd_offset, len(comment)))
    out.write(comment)
    out.truncate()  # what is left of the room made at first
    return out.getvalue()  # the buffer itself, not a copy of it


def replaced(src: bytes, replace: Mapping[str, PartData]) -> bytes:
    """The zip package `src` (in memory) with the `replace`d parts: see rewrite."""
    with zipfile.ZipFile(io.BytesIO(src)) as zf:
        return rewrite(src, zf, replace)
