"""Hostile packages are refused before any XML is parsed, and nothing outside is read."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode, InputFileError
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.package import NS_MAIN
from esp_cli.workbook.xlsx.workbook import Workbook
from tests.support.paths import SAMPLE_DATA

from .factories import tracker

ROOT = Path(__file__).resolve().parents[1]

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)


def _replace(src: Path, dst: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == name else zin.read(info))
        if name not in zin.namelist():
            zout.writestr(name, data)
    return dst


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return tracker(tmp_path / "good.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])


def test_billion_laughs_is_refused(good: Path, tmp_path: Path) -> None:
    bad = _replace(good, tmp_path / "bad.xlsx", "xl/sharedStrings.xml", LAUGHS)
    with pytest.raises(InputFileError, match="declares a DTD"):
        Workbook.open(bad)


def test_external_entity_is_refused_and_nothing_is_read(good: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (
        b'<?xml version="1.0"?><!-- a long comment first ' + b"x" * 10000 + b" -->"
        b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file://' + str(secret).encode() + b'">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheets/>&xxe;</workbook>"
    )
    bad = _replace(good, tmp_path / "bad.xlsx", "xl/workbook.xml", xxe)
    with pytest.raises(InputFileError, match="declares a DTD") as info:
        read_table(Workbook.open(bad))
    assert "TOP SECRET" not in str(info.value)


def test_declared_zip_bomb_is_refused(good: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        zout.writestr("xl/media/huge.bin", b"\0" * (64 * 1024 * 1024))
    with pytest.raises(InputFileError, match="zip bomb"):
        Workbook.open(bomb)


# -- through the command line: every part, one clear line, bounded memory ----------------------

PARTS = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "docProps/core.xml",
]


@pytest.mark.parametrize("part", PARTS)
def test_an_external_entity_in_any_part_is_refused_by_every_command(
    good: Path, tmp_path: Path, part: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://'
        + str(secret).encode()
        + b'">]><r>&x;</r>'
    )
    bad = _replace(good, tmp_path / "bad.xlsx", part, xxe)
    before = bad.read_bytes()
    for argv in (
        ["escalations", "--today"],
        ["note", "add", "Ann Lee", "hi", "--by", "Jo"],
        ["report", "eod", "-f", "html"],
        ["doctor"],
    ):
        res = CliRunner().invoke(app, [*argv, "--tracker", str(bad)])
        assert res.exit_code == ExitCode.BAD_INPUT, res.output
        assert res.stderr == f"esp: {bad}: part {part} declares a DTD; refusing a hostile file.\n"
        assert res.stdout == "" and "TOP SECRET" not in res.output
        assert bad.read_bytes() == before


def _deflated(head: bytes, unit: bytes, size: int, tail: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of `head`, `unit` repeated to about `size` bytes, and `tail`, made
    in well under a second: a block flushed on its own is repeated as compressed bytes.
    Returns (compressed, CRC-32, uncompressed size)."""
    block = unit * ((1 << 20) // len(unit))
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    middle = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(tail) + co.flush(zlib.Z_FINISH)
    n = size // len(block)
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return first + middle * n + last, crc, len(head) + n * len(block) + len(tail)


def _raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from (name, raw deflate stream, CRC-32, uncompressed size as declared)."""
    out, central = bytearray(), bytearray()
    for name, comp, crc, size in entries:
        n = name.encode()
        offset = len(out)
        fields = (8, 0, 33, crc, len(comp), size, len(n), 0)  # deflate, 1980-01-01
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, *fields) + n + comp
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, offset)
        central += n
    count = len(entries)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + eocd)


def _bomb(good: Path, dst: Path, part: str, *, declared: int | None) -> Path:
    """The good workbook with `part` expanding to 1 GiB; its size declared honestly (None)
    or as the given lie."""
    if part.endswith("sharedStrings.xml"):
        head, unit, tail = b"<sst xmlns='%s'>" % NS_MAIN.encode(), b"<si><t>lol</t></si>", b"</sst>"
    else:
        head = b"<worksheet xmlns='%s'><sheetData>" % NS_MAIN.encode()
        unit, tail = (
            b"<row><c t='inlineStr'><is><t>lol</t></is></c></row>",
            b"</sheetData></worksheet>",
        )
    entries = []
    with zipfile.ZipFile(good) as z:
        for info in z.infolist():
            if info.filename == part:
                comp, crc, size = _deflated(head, unit, 1 << 30, tail)
                entries.append((part, comp, crc, size if declared is None else declared))
            else:
                data = z.read(info)
                co = zlib.compressobj(6, zlib.DEFLATED, -15)
                entries.append(
                    (info.filename, co.compress(data) + co.flush(), zlib.crc32(data), len(data))
                )
    dst.write_bytes(_raw_zip(entries))
    return dst


MAX_RSS_BYTES = 300 * 1024 * 1024  # the part alone would be 1 GiB


@pytest.mark.parametrize(
    ("kind", "part", "expect"),
    [
        ("laughs", "xl/sharedStrings.xml", "declares a DTD"),
        ("honest-bomb", "xl/sharedStrings.xml", "refusing a possible zip bomb"),
        ("honest-bomb", "xl/worksheets/sheet1.xml", "refusing a possible zip bomb"),
        ("lying-bomb", "xl/sharedStrings.xml", "is damaged"),
        ("lying-bomb", "xl/worksheets/sheet1.xml", "is damaged"),
    ],
)
def test_hostile_files_are_refused_with_bounded_memory(
    tmp_path: Path, kind: str, part: str, expect: str
) -> None:
    sample = SAMPLE_DATA / "ESP Tracker.xlsx"  # it has shared strings, as Excel's do
    bad = tmp_path / "ESP Tracker.xlsx"
    if kind == "laughs":
        _replace(sample, bad, part, LAUGHS)
    else:
        _bomb(sample, bad, part, declared=None if kind == "honest-bomb" else 4096)
    before = bad.read_bytes()
    note = ["note", "add", "Yasmin Farouk", "hi", "--by", "Jo"]  # an agent of the sample
    for argv in (["escalations", "--today"], note):
        code, out, err, peak = _run_measured(
            [sys.executable, "-m", "esp_cli", *argv, "--tracker", str(bad)], tmp_path
        )
        assert code == ExitCode.BAD_INPUT, err
        assert err.startswith("esp: ") and err.count("\n") == 1 and expect in err, err
        assert out == ""
        assert peak < MAX_RSS_BYTES, f"{peak:,} bytes"
        assert bad.read_bytes() == before


# Runs a command and writes its peak memory to a file. The command is started from this
# small process, not from pytest: Linux counts a child's memory from the moment it is forked,
# so a child of a large test process would report the test process's size.
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
    "open(sys.argv[1], 'w').write(str(peak))\n"
    "sys.exit(code)\n"
)


def _run_measured(argv: list[str], folder: Path) -> tuple[int, str, str, int]:
    """Run a command; its exit code, stdout, stderr and peak memory in bytes. Killed after
    two minutes rather than hang the suite."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    peak = folder / "peak.txt"
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(peak), *argv],
        env=env,
        capture_output=True,
        timeout=120,
    )
    return (
        proc.returncode,
        proc.stdout.decode("utf-8"),
        proc.stderr.decode("utf-8"),
        int(peak.read_text()),
    )


# -- a part's bytes, decompressed by the deflate engine ------------------------------------------


def _one_part_zip(comp: bytes, crc: int, size: int) -> bytes:
    return _raw_zip([("xl/part.xml", comp, crc, size)])


def _raw_deflate(data: bytes) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


PART = b"<x>" + b"".join(b'<c r="A%d"><v>%d</v></c>' % (i, i * 7) for i in range(40_000)) + b"</x>"


def _no_final_block(data: bytes) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(zlib.Z_SYNC_FLUSH)


# (compressed bytes, CRC-32, size the directory records) of the part, as other programs or
# damage leave them; each read as zipfile reads it, or refused as damaged where it refuses.
ODD_PARTS = {
    "whole": lambda: (_raw_deflate(PART), zlib.crc32(PART), len(PART)),
    "flipped": lambda: (
        (lambda c: c[:500] + bytes([c[500] ^ 0x55]) + c[501:])(_raw_deflate(PART)),
        zlib.crc32(PART),
        len(PART),
    ),
    "cut short": lambda: (_raw_deflate(PART)[:2000], zlib.crc32(PART), len(PART)),
    "wrong crc": lambda: (_raw_deflate(PART), zlib.crc32(PART) ^ 1, len(PART)),
    "size a byte short": lambda: (_raw_deflate(PART), zlib.crc32(PART), len(PART) - 1),
    "size a byte long": lambda: (_raw_deflate(PART), zlib.crc32(PART), len(PART) + 1),
    "no final block": lambda: (_no_final_block(PART), zlib.crc32(PART), len(PART)),
    "empty, no bytes": lambda: (b"", 0, 0),
    "empty, one block": lambda: (_raw_deflate(b""), 0, 0),
    "more after the size": lambda: (
        _raw_deflate(PART + b"x" * 3_000_000),
        zlib.crc32(PART),
        len(PART),
    ),
}


@pytest.mark.parametrize("engine", ["installed", "zlib"])
@pytest.mark.parametrize("odd", list(ODD_PARTS))
def test_a_part_reads_or_is_refused_as_zipfile_reads_or_refuses_it(
    engine: str, odd: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deflated part is decompressed from the package's bytes by ISA-L (or zlib where
    ISA-L is not installed) as zipfile decompresses it: the same bytes where zipfile reads
    the part (a stream without its final block, a directory size one byte long, an empty
    part with no bytes at all, more data than the directory's size), and refused as damaged
    where zipfile refuses it (a flipped byte, a stream cut short, a wrong CRC-32, a size a
    byte short of the data) — never other bytes given as the part's."""
    from esp_cli.workbook.xlsx import deflate
    from esp_cli.workbook.xlsx.package import Package

    if engine == "zlib":
        monkeypatch.setattr(deflate, "engine", zlib)
    data = _one_part_zip(*ODD_PARTS[odd]())
    zf = zipfile.ZipFile(io.BytesIO(data))
    try:
        expected: bytes | None = zf.read("xl/part.xml")
    except (zipfile.BadZipFile, zlib.error):
        expected = None
    pkg = Package(path=tmp_path / "t.xlsx", data=data, zf=zf)
    for size in (4096, 1 << 20):
        if expected is None:
            with pytest.raises(InputFileError, match="is damaged"):
                pkg.read("xl/part.xml")
            with pytest.raises(InputFileError, match="is damaged"):
                b"".join(pkg.chunks("xl/part.xml", size))
        else:
            assert pkg.read("xl/part.xml") == expected
            assert b"".join(pkg.chunks("xl/part.xml", size)) == expected
    assert (expected is None) == (odd in {"flipped", "cut short", "wrong crc", "size a byte short"})


@pytest.mark.parametrize("engine", ["installed", "zlib"])
@pytest.mark.parametrize("size", [7, 4096, 1 << 20])
def test_a_part_decompressed_by_the_engine_is_zipfiles_bytes(
    engine: str, size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every part of the sample workbooks (as Excel and LibreOffice compress them) and a
    part far longer than its compressed bytes (a stream the engine holds back while it
    gives pieces of `size`) read as zipfile reads them."""
    from esp_cli.workbook.xlsx import deflate
    from esp_cli.workbook.xlsx.package import Package

    if engine == "zlib":
        monkeypatch.setattr(deflate, "engine", zlib)
    books = [p.read_bytes() for p in sorted(SAMPLE_DATA.glob("*.xlsx"))]
    books.append(_one_part_zip(_raw_deflate(b"a" * 3_000_000), zlib.crc32(b"a" * 3_000_000),
                               3_000_000))  # fmt: skip
    for data in books:
        zf = zipfile.ZipFile(io.BytesIO(data))
        pkg = Package(path=tmp_path / "t.xlsx", data=data, zf=zf)
        for info in zf.infolist():
            expected = zf.read(info)
            assert pkg.read(info.filename) == expected, info.filename
            pieces = list(pkg.chunks(info.filename, size))
            assert b"".join(pieces) == expected, info.filename
            assert all(len(p) <= size for p in pieces), info.filename


def _refused_in_one_line(bad: Path) -> str:
    """What `esp escalations --today` says of the workbook `bad`: refused as bad input, in
    one line (no traceback)."""
    done = subprocess.run(
        [sys.executable, "-m", "esp_cli", "escalations", "--today", "--tracker", str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        timeout=120,
    )
    assert done.returncode == ExitCode.BAD_INPUT, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr


@pytest.mark.parametrize(
    ("method", "flags", "said"),
    [
        (9, 0, "with Deflate64"),
        (99, 0, "encrypted with AES"),
        (8, 0x20, "patched data (zip flag bit 5)"),
        (8, 0x40, "the package is encrypted"),  # strong encryption, bit 0 not set
    ],
)
def test_a_part_compressed_as_excel_never_does_is_refused_in_one_line(
    good: Path, tmp_path: Path, method: int, flags: int, said: str
) -> None:
    """Deflate64 (7-Zip can write it), AES, patched data: zipfile cannot read them. The
    command says so in one line, naming the part, instead of a traceback."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        local = info.header_offset
    name = info.filename.encode()
    central = bytes(data).index(b"PK\x01\x02")
    while bytes(data[central + 46 : central + 46 + len(name)]) != name:
        central = bytes(data).index(b"PK\x01\x02", central + 4)
    struct.pack_into("<HH", data, local + 6, info.flag_bits | flags, method)
    struct.pack_into("<HH", data, central + 8, info.flag_bits | flags, method)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    assert said in _refused_in_one_line(bad)


def test_a_damaged_part_of_a_method_excel_never_writes_is_refused_in_one_line(
    good: Path, tmp_path: Path
) -> None:
    """zipfile reads LZMA and bzip2 parts, which Excel never writes; one damaged is refused
    in one line as a damaged part, not a traceback of the decompressor's own error."""
    for method in (zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2):
        packed = tmp_path / f"packed-{method}.xlsx"
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(packed, "w") as zout:
            for info in zin.infolist():
                odd = info.filename == "xl/worksheets/sheet1.xml"
                zout.writestr(info, zin.read(info), compress_type=method if odd else 8)
        data = bytearray(packed.read_bytes())
        with zipfile.ZipFile(packed) as z:
            info = z.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for at in range(start + 20, start + info.compress_size - 4, 7):
            data[at] ^= 0xA5
        bad = tmp_path / f"bad-{method}.xlsx"
        bad.write_bytes(bytes(data))
        assert "is damaged" in _refused_in_one_line(bad)
