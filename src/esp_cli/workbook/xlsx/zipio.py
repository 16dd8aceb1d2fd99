"""Rewrite a zip package, copying untouched entries' compressed bytes as they are.

Python's zipfile cannot copy an entry without recompressing it, and it resets flags and
extras. Writing the few headers ourselves keeps every untouched part bit-for-bit (same
compressed bytes, CRC, timestamp, order), is faster than recompressing, and writes no
ZIP64 extras or data descriptors, which Excel is strict about (XLSX-NOTES §7).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
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


def _deflate(data: PartData) -> tuple[bytes, int, int]:
    """(compressed bytes, CRC-32, size) of a part given whole or in pieces. A part over
    1 MB (a big rewritten sheet, a large shared-strings table) is compressed at level 1,
    three times faster than the default for a slightly larger file; pieces are held only
    until that size is passed."""
    pieces: Iterable[bytes | memoryview] = (data,) if isinstance(data, bytes) else data
    held: list[bytes | memoryview] = []
    comp: Any = None
    out = []
    crc = size = 0
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
        size += len(piece)
        if comp is not None:
            out.append(comp.compress(piece))
            continue
        held.append(piece)
        if size > BIG_PART:
            comp = zlib.compressobj(1, zlib.DEFLATED, -15)
            out += [comp.compress(p) for p in held]
            held = []
    if comp is None:
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        out += [comp.compress(p) for p in held]
    out.append(comp.flush())
    return b"".join(out), crc, size


def _joined(data: PartData) -> bytes:
    return data if isinstance(data, bytes) else b"".join(data)


def rewrite(
    src: bytes,
    zf: zipfile.ZipFile,
    replace: Mapping[str, PartData],
    remove: frozenset[str] = frozenset(),
    add: tuple[NewPart, ...] = (),
) -> bytes:
    """A new package: `replace`d parts recompressed, `remove`d dropped, `add`ed inserted,
    every other entry's local record rebuilt around its original compressed bytes."""
    out = bytearray()
    central = bytearray()
    count = 0
    infos = zf.infolist()
    pending_add = {p.after: p for p in add if p.after}
    tail_add = [p for p in add if not p.after]

    def emit(
        name: str,
        raw: bytes,
        crc: int,
        usize: int,
        method: int,
        date_time: tuple[int, int, int, int, int, int],
        ext_attr: int,
        create_system: int,
    ) -> None:
        nonlocal count
        if len(out) > _LIMIT32 or len(raw) > _LIMIT32 or usize > _LIMIT32:
            raise ValueError("package too large for a plain (non-ZIP64) zip")
        name_b = name.encode("utf-8")
        flags = _UTF8_FLAG if not name.isascii() else 0
        t, d = _dos_time(date_time)
        offset = len(out)
        out.extend(
            _LOCAL.pack(
                b"PK\x03\x04", 20, flags, method, t, d, crc, len(raw), usize, len(name_b), 0
            )
        )
        out.extend(name_b)
        out.extend(raw)
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
                len(raw),
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

    def emit_new(name: str, data: PartData, like: zipfile.ZipInfo | None) -> None:
        method = like.compress_type if like is not None else zipfile.ZIP_DEFLATED
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = zipfile.ZIP_DEFLATED
        if method == zipfile.ZIP_DEFLATED:
            raw, crc, size = _deflate(data)
        else:
            raw = _joined(data)
            crc, size = zlib.crc32(raw), len(raw)
        dt = like.date_time if like is not None else (1980, 1, 1, 0, 0, 0)
        ext_attr = like.external_attr if like is not None else 0
        system = like.create_system if like is not None else 0
        emit(name, raw, crc, size, method, dt, ext_attr, system)

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
            raw = src[start : start + info.compress_size]
            emit(
                name,
                raw,
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

    cd_offset = len(out)
    out.extend(central)
    if count > 0xFFFF:
        raise ValueError("too many parts for a plain (non-ZIP64) zip")
    out.extend(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), cd_offset, 0))
    return bytes(out)
