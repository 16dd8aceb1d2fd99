"""The package rewritten with untouched entries copied as they are (zipio.rewrite)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from esp_cli.workbook.xlsx.zipio import rewrite

from .factories import make_workbook


def _names(data: bytes) -> list[tuple[bytes, int]]:
    """Each central-directory entry's name bytes and flags, in order."""
    out = []
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        flags = struct.unpack_from("<H", data, at + 8)[0]
        nlen = struct.unpack_from("<H", data, at + 28)[0]
        elen, clen = struct.unpack_from("<HH", data, at + 30)
        out.append((bytes(data[at + 46 : at + 46 + nlen]), flags))
        at = data.find(b"PK\x01\x02", at + 46 + nlen + elen + clen)
    return out


def _local_names(data: bytes) -> list[tuple[bytes, int]]:
    out = []
    zf = zipfile.ZipFile(io.BytesIO(data))
    for info in zf.infolist():
        at = info.header_offset
        flags = struct.unpack_from("<H", data, at + 6)[0]
        nlen = struct.unpack_from("<H", data, at + 26)[0]
        out.append((bytes(data[at + 30 : at + 30 + nlen]), flags))
    return out


def _without_utf8_flag(data: bytes) -> bytes:
    """As older tools write a name: UTF-8 bytes, the UTF-8 flag not set."""
    out = bytearray(data)
    for sig, where in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(sig)
        while at >= 0:
            flags = struct.unpack_from("<H", out, at + where)[0]
            struct.pack_into("<H", out, at + where, flags & ~0x800)
            at = out.find(sig, at + 4)
    return bytes(out)


def test_a_name_without_the_utf8_flag_is_copied_as_its_bytes(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "b.xlsx", {"S": [["a"]]})
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        zout.writestr("docProps/notizen-ü.txt", b"hallo")
    src = _without_utf8_flag(buf.getvalue())
    assert (b"docProps/notizen-\xc3\xbc.txt", 0) in _names(src)
    with zipfile.ZipFile(io.BytesIO(src)) as zf:
        out = rewrite(src, zf, {"xl/worksheets/sheet1.xml": zf.read("xl/worksheets/sheet1.xml")})
    assert _names(out) == _names(src)
    assert _local_names(out) == _local_names(src)
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert zf.testzip() is None
