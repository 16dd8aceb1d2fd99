"""Files that are not usable trackers: one clear line, a documented exit code, no change."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode

from .factories import master, tracker

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def _cases(tmp: Path) -> dict[str, tuple[Path, str]]:
    good = tracker(tmp / "good.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    cases: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, expect: str) -> None:
        p = tmp / name
        p.write_bytes(data)
        cases[name] = (p, expect)

    put("empty.xlsx", b"", "the file is empty")
    put("random.xlsx", bytes(range(256)) * 8, "not an Excel workbook")
    put("legacy.xls", CFB + "Workbook".encode("utf-16-le"), "legacy Excel 97-2003")
    put("legacy-renamed.xlsx", CFB + "Workbook".encode("utf-16-le"), "legacy Excel 97-2003")
    put("locked.xlsx", CFB + "EncryptedPackage".encode("utf-16-le"), "password-protected")
    put("data.xlsx", b"Class,Agent Name\nA,Ann Lee\n", "text (CSV) file")
    put("data.csv", b"Class,Agent Name\nA,Ann Lee\n", "a CSV file")
    data = good.read_bytes()
    put("truncated.xlsx", data[: len(data) // 2], "damaged")
    corrupt = bytearray(data)
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    corrupt[start : start + 8] = b"\xff" * 8
    put("crc.xlsx", bytes(corrupt), "damaged")
    nozip = tmp / "nowb.xlsx"
    with zipfile.ZipFile(nozip, "w") as z:
        z.writestr("hello.txt", "hi")
    cases["nowb.xlsx"] = (nozip, "not an Excel workbook")
    xlsb = tmp / "bin.xlsb"
    with zipfile.ZipFile(xlsb, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x00")
    cases["bin.xlsb"] = (xlsb, "binary (.xlsb)")
    folder = tmp / "folder.xlsx"
    folder.mkdir()
    cases["folder.xlsx"] = (folder, "is a folder")
    cases["missing.xlsx"] = (tmp / "missing.xlsx", "no such file")
    return cases


@pytest.mark.parametrize(
    "name",
    [
        "empty.xlsx",
        "random.xlsx",
        "legacy.xls",
        "legacy-renamed.xlsx",
        "locked.xlsx",
        "data.xlsx",
        "data.csv",
        "truncated.xlsx",
        "crc.xlsx",
        "nowb.xlsx",
        "bin.xlsb",
        "folder.xlsx",
        "missing.xlsx",
    ],
)
def test_bad_tracker_is_one_clear_line(tmp_path: Path, name: str) -> None:
    path, expect = _cases(tmp_path)[name]
    mst = master(tmp_path / "m.xlsx", [("A", "Ann Lee", None, None, None, "11/09/2026")])
    before = path.read_bytes() if path.is_file() else None
    res = CliRunner().invoke(app, ["sync-nnumbers", "--tracker", str(path), "--from", str(mst)])
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert expect in res.stderr
    assert res.stderr.count("\n") == 1
    assert "Traceback" not in res.output and res.stdout == ""
    if before is not None:
        assert path.read_bytes() == before
