"""The package rewritten with untouched entries copied as they are (zipio.rewrite)."""

from __future__ import annotations

import io
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.workbook.xlsx import deflate, zipio
from esp_cli.workbook.xlsx.zipio import rewrite

from .factories import make_workbook, tracker
from .support.packages import (
    RawEntry,
    raw_entries,
    stored_bytes,
    write_raw_zip,
    zip_parts,
)


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


def _big_pieces(n: int = 24) -> list[bytes]:
    """A part over a megabyte in pieces, as a rewritten sheet comes (rows, then blocks)."""
    return [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) * 2000 for i in range(n)]


def _deflated(pieces: Any) -> tuple[bytes, int, int]:
    out = io.BytesIO()
    crc, size = zipio._deflate(pieces, out)
    return out.getvalue(), crc, size


def _no_deflate_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name.startswith("esp-deflate")]


@pytest.mark.parametrize("deflater", ["installed", "zlib"])
def test_a_big_part_in_pieces_is_one_deflate_stream_of_its_bytes(
    deflater: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By ISA-L (installed with esp where it has a wheel) or by zlib (anywhere else)."""
    if deflater == "zlib":
        monkeypatch.setattr(deflate, "engine", zlib)
    pieces = _big_pieces(60)
    whole = b"".join(pieces)
    packed, crc, size = _deflated(iter(pieces))
    assert size == len(whole) > 2 * zipio.BLOCK
    assert crc == zlib.crc32(whole)
    assert zlib.decompress(packed, -15) == whole
    # One stream: a reader that stops at its end finds nothing after it.
    reader = zlib.decompressobj(-15)
    assert reader.decompress(packed) == whole and reader.eof and not reader.unused_data
    # About what one compressor makes of it, for all it is made two blocks at a time.
    single = deflate.engine.compressobj(1, zlib.DEFLATED, -15)
    assert len(packed) <= len(single.compress(whole) + single.flush()) * 1.01
    assert _no_deflate_threads()


def test_the_same_part_compresses_to_the_same_bytes_however_its_pieces_are_cut() -> None:
    """The blocks are cut from the part's bytes, not from its pieces: a rewritten sheet
    comes as views of the old one between its changed rows, wherever those fall."""
    whole = b"".join(_big_pieces(30))
    expected = _deflated([whole])[0]
    cuts = [997, 4096, zipio.BLOCK - 1, zipio.BLOCK, zipio.BLOCK + 3, 3 * zipio.BLOCK // 2]
    for cut in cuts:
        pieces = [memoryview(whole)[i : i + cut] for i in range(0, len(whole), cut)]
        assert _deflated(iter(pieces))[0] == expected, cut
    assert _deflated(iter([whole[:5], memoryview(whole)[5:]]))[0] == expected


def test_an_error_making_a_piece_stops_the_compressor_and_is_raised() -> None:
    def pieces() -> Iterator[bytes]:
        yield from _big_pieces()
        raise ValueError("row 9 overlaps a row written before it")

    with pytest.raises(ValueError, match="row 9 overlaps"):
        zipio._deflate(pieces(), io.BytesIO())
    assert _no_deflate_threads()


def test_a_piece_that_is_no_bytes_is_raised_where_the_part_is_written() -> None:
    pieces: list[Any] = [*_big_pieces(), 12345, *_big_pieces(40)]  # not bytes
    with pytest.raises(TypeError):
        zipio._deflate(iter(pieces), io.BytesIO())
    assert _no_deflate_threads()


def test_an_error_compressing_a_block_is_raised_where_the_part_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = zipio._compressed

    def failing(block: bytes, before: bytes) -> bytes:
        if before:
            raise zlib.error("Error -2 while compressing data")
        return real(block, before)

    monkeypatch.setattr(zipio, "_compressed", failing)
    with pytest.raises(zlib.error, match="while compressing"):
        zipio._deflate(iter(_big_pieces()), io.BytesIO())
    assert _no_deflate_threads()


def test_a_long_piece_is_compressed_a_block_at_a_time() -> None:
    """A view of the old sheet's untouched rows, or the old shared strings, may come as one
    piece of many megabytes: it is cut into blocks like any other bytes."""
    long = b"".join(_big_pieces(8)) * 3
    blocks = list(zipio._blocks([b"<head/>", long, b"<tail/>"]))
    whole = b"<head/>" + long + b"<tail/>"
    assert b"".join(blocks) == whole
    assert [len(b) for b in blocks[:-1]] == [zipio.BLOCK] * (len(blocks) - 1)
    packed, crc, size = _deflated([b"<head/>", long, b"<tail/>"])
    assert (crc, size) == (zlib.crc32(whole), len(whole))
    assert zlib.decompress(packed, -15) == whole


def test_two_compressions_at_once_put_back_the_switch_interval_there_was() -> None:
    """Two workbooks written (or read) on two threads each compress a large part: the one
    that ends first does not put back the other's lowered interval for good."""
    import sys

    before = sys.getswitchinterval()
    first, second = zipio._quick_switches(), zipio._quick_switches()
    first.__enter__()
    second.__enter__()
    assert sys.getswitchinterval() < before
    first.__exit__(None, None, None)
    assert sys.getswitchinterval() < before  # the other one still compresses
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before


# -- packages another program wrote ------------------------------------------------------

IMAGE = "xl/media/image1.png"  # stored, as Excel stores pictures: a bad copy shows at once
SHEET = "xl/worksheets/sheet1.xml"
_UT = b"UT\x05\x00\x01\x00\x00\x00\x00"  # Info-ZIP's timestamp extra field


@pytest.fixture
def entries(tmp_path: Path) -> dict[str, RawEntry]:
    """A workbook with a picture, as plain entries for write_raw_zip to spell otherwise."""
    parts = raw_entries(make_workbook(tmp_path / "book.xlsx", {"S": [["a", "b"], [1, 2]]}))
    parts[IMAGE] = RawEntry(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, zipfile.ZIP_STORED)
    return parts


def _rewritten(path: Path) -> bytes:
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return rewrite(data, zf, {SHEET: zf.read(SHEET).replace(b">1<", b">7<")})


@pytest.mark.parametrize(
    "odd",
    [
        {"descriptor": True},  # LibreOffice, POI: bit 3 on every entry
        {"descriptor": True, "signed_descriptor": False},
        {"descriptor": True, "zip64_descriptor": True},  # POI's ZIP64 descriptors
        {"local_extra": _UT},  # Info-ZIP: an extra field of the local header's own
        {"central_extra": _UT},
        {"local_extra": _UT + _UT, "central_extra": _UT, "descriptor": True},
    ],
    ids=["descriptor", "unsigned descriptor", "zip64 descriptor", "local extra",
         "directory extra", "both"],
)  # fmt: skip
def test_a_package_another_program_wrote_oddly_is_carried_as_it_is(
    entries: dict[str, RawEntry], tmp_path: Path, odd: dict[str, Any]
) -> None:
    odd_entries = {n: replace(e, **odd) for n, e in entries.items()}
    src = write_raw_zip(tmp_path / "odd.xlsx", odd_entries)
    out = tmp_path / "out.xlsx"
    out.write_bytes(_rewritten(src))
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert all(not i.flag_bits & 0x08 and not i.extra for i in zf.infolist())
    before, after = zip_parts(src), zip_parts(out)
    assert list(after) == list(before)
    assert {n for n in before if before[n] != after[n]} == {SHEET}
    old, new = stored_bytes(src), stored_bytes(out)
    assert all(old[n] == new[n] for n in old if n != SHEET)


def test_the_package_comment_is_kept(entries: dict[str, RawEntry], tmp_path: Path) -> None:
    """A zip's comment (after its end record) is the package's own: a write keeps it. Bytes
    after it are no part of the package."""
    src = write_raw_zip(tmp_path / "c.xlsx", entries, comment=b"made by X", trailer=b"\0" * 9)
    out = _rewritten(src)
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert zf.comment == b"made by X" and zf.testzip() is None
    assert out.endswith(b"made by X")


@pytest.mark.parametrize(
    ("odd", "said"),
    [
        ({"offset_shift": 3}, "no local header where the zip's directory places it"),
        ({"local_name": b"xl/media/image2.png"}, "names another part ('xl/media/image2.png')"),
        ({"local_flags": 0x01}, "it is encrypted"),
        ({"local_flags": 0x20}, "patched data"),
        ({"local_method": zipfile.ZIP_DEFLATED}, "compression method 8, the zip's directory 0"),
        ({"local_crc": 0x1234}, "CRC-32 or sizes differ"),
        ({"descriptor": True, "local_crc": 0x1234}, "data descriptor is missing or differs"),
        ({"size_shift": 5}, "runs past"),
    ],
    ids=["elsewhere", "another name", "encrypted", "patched", "method", "crc", "descriptor",
         "size"],
)  # fmt: skip
def test_a_part_whose_copy_would_be_garbage_refuses_the_rewrite(
    entries: dict[str, RawEntry], tmp_path: Path, odd: dict[str, Any], said: str
) -> None:
    """The local header is not the one the directory describes (or what it holds cannot
    be copied): the rewrite names the part and why, and writes nothing."""
    entries[IMAGE] = replace(entries[IMAGE], **odd)
    src = write_raw_zip(tmp_path / "odd.xlsx", entries)
    with pytest.raises(zipio.PartNotCarried, match=re.escape(said)) as refused:
        _rewritten(src)
    assert refused.value.part == IMAGE
    data = src.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf, pytest.raises(zipio.PartNotCarried):
        zipio.check_carried(data, zf, {SHEET})


def test_a_write_that_cannot_copy_a_part_is_refused_in_one_line_dry_run_too(
    tmp_path: Path,
) -> None:
    """esp refuses the write (and the dry run, in the same words) naming the file, the part
    and the fix; the tracker is left as it was."""
    book = tracker(tmp_path / "made.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    parts = raw_entries(book)
    parts[IMAGE] = RawEntry(b"\x89PNG" + bytes(range(256)), zipfile.ZIP_STORED, offset_shift=2)
    target = write_raw_zip(tmp_path / "ESP Tracker.xlsx", parts)
    before = target.read_bytes()
    said = []
    for dry in ([], ["--dry-run"]):
        res = CliRunner().invoke(
            app, ["note", "add", "Ann Lee", "hello", "--by", "Jo Smith", "-t", str(target), *dry]
        )
        assert res.exit_code == ExitCode.FAILED, res.output
        assert res.stderr.count("\n") == 1 and not res.stdout, res.output
        assert str(target) in res.stderr and IMAGE in res.stderr
        assert "open the workbook in Excel and save it once" in res.stderr
        said.append(res.stderr)
    assert said[0] == said[1]
    assert target.read_bytes() == before
    assert not list(tmp_path.glob("esp-backups/*.xlsx"))
