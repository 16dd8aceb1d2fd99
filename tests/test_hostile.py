"""Hostile packages are refused before any XML is parsed, and nothing outside is read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from esp_cli.errors import InputFileError
from esp_cli.tracker import read_table
from esp_cli.xlsx.workbook import Workbook

from .factories import tracker

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
