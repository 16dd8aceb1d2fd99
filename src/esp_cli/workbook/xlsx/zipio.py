"""Rewrite a zip package, copying untouched entries' compressed bytes as they are.

Python's zipfile cannot copy an entry without recompressing it, and it resets flags and
extras. Writing the few headers ourselves keeps every untouched part bit-for-bit (same
compressed bytes, CRC, timestamp, order), is faster than recompressing, and writes no
ZIP64 extras or data descriptors, which Excel is strict about (XLSX-NOTES §7).
"""

from __future__ import annotations

import io
import itertools
import queue
import struct
import sys
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_UTF8_FLAG = 0x800
_LIMIT32 = 0xFFFFFFFF
BIG_PART = 1024 * 1024


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
    level 1, three times faster than the default for a slightly larger file; pieces are
    held only until that size is passed. From there on the pieces are compressed on a
    worker thread while the next ones are made: zlib lets other threads run while it
    compresses, so the splicer's Python and the compression overlap (same bytes, same
    order, one compressor). `idle` is called while the worker has pieces enough to
    compress, and at least once as it compresses the last ones, until it returns False:
    other work of the write that would otherwise wait for the compression to end."""
    pieces: Iterable[bytes | memoryview] = (data,) if isinstance(data, bytes) else data
    held: list[bytes | memoryview] = []
    size = 0
    source = iter(pieces)
    for piece in source:
        held.append(piece)
        size += len(piece)
        if size > BIG_PART:
            return _deflate_behind(held, source, out, idle)
    crc = 0
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    for p in held:
        crc = zlib.crc32(p, crc)
        out.write(comp.compress(p))
    out.write(comp.flush())
    return crc, size


# Pieces made ahead of the compressor at most (each about a megabyte, or a view of the old
# bytes): the new part is never held whole.
_AHEAD = 1
_SWITCH_SECONDS = 0.0002


def _deflate_behind(
    held: list[bytes | memoryview],
    rest: Iterator[bytes | memoryview],
    out: io.BytesIO,
    idle: Callable[[], bool] | None,
) -> tuple[int, int]:
    """Level-1 compression of `held` then `rest`, on a worker thread fed as the pieces are
    made; `out` is written by the worker alone until it has finished. An error making a
    piece stops the worker before it is raised; one compressing is raised here."""
    todo: queue.Queue[bytes | memoryview | None] = queue.Queue(_AHEAD)
    result: list[tuple[int, int]] = []
    failed: list[BaseException] = []

    def work() -> None:
        comp = zlib.compressobj(1, zlib.DEFLATED, -15)
        crc = size = 0
        try:
            while (piece := todo.get()) is not None:
                crc = zlib.crc32(piece, crc)
                size += len(piece)
                out.write(comp.compress(piece))
            if not failed:
                out.write(comp.flush())
                result.append((crc, size))
        except BaseException as exc:  # raised again on the caller's thread
            failed.append(exc)
            while todo.get() is not None:  # drained: the maker never waits on a full queue
                pass

    worker = threading.Thread(target=work, name="esp-deflate", daemon=True)
    # zlib takes the GIL back between output blocks: by default the worker would wait up to
    # 5 ms each time for the splicer's Python to let go, and the two would hardly overlap.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_SECONDS)
    worker.start()
    ended = False
    try:
        for piece in _slices(itertools.chain(held, rest)):
            if failed:
                break
            while idle is not None and todo.full() and not failed:
                idle = idle if idle() else None
            todo.put(piece)
        todo.put(None)
        ended = True
        # The worker's last pieces: at least one step, then more while it still works.
        while idle is not None and not failed:
            idle = idle if idle() and worker.is_alive() else None
    finally:
        if not ended:
            todo.put(None)
        worker.join()
        sys.setswitchinterval(interval)
    if failed:
        raise failed[0]
    return result[0]


def _slices(pieces: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
    """The pieces, a long one (a view of the old bytes, 10 MB of shared strings) cut into
    views of a megabyte: what the worker compresses at a time, and so what its compressed
    output holds at a time, stays small (deflate's output does not depend on the cuts)."""
    for piece in pieces:
        if len(piece) <= BIG_PART:
            yield piece
            continue
        view = memoryview(piece)
        for at in range(0, len(view), BIG_PART):
            yield view[at : at + BIG_PART]


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
    a header filled in once its sizes are known. `idle`: see _deflate."""
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
        local = _LOCAL.pack(
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
            (_sig, _v, _f, _m, _t, _d, _crc, _cs, _us, nlen, elen) = _LOCAL.unpack_from(
                src, info.header_offset
            )
            start = info.header_offset + _LOCAL.size + nlen + elen
            emit(
                name,
                view[start : start + info.compress_size],
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
    out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), cd_offset, 0))
    out.truncate()  # what is left of the room made at first
    return out.getvalue()  # the buffer itself, not a copy of it
