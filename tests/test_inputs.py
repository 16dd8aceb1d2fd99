"""Files that are not usable trackers, and trackers at the edges of what Excel allows.

A bad file gets one clear line on stderr, a documented exit code, nothing on stdout, no
traceback, and is byte-identical afterwards (write commands leave no backup or temporary
file beside it). A file at an edge (duplicate or merged headers, a million-row dimension,
dates past 9999, #REF! everywhere, a full notes cell) gives a clean result or a finding that
names the cell, never a traceback or a damaged file.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode

from .factories import TRACKER_HEADERS, headers, make_workbook, master, tracker
from .support.disk import route_writes
from .support.marks import needs_soffice
from .support.packages import raw_entries, write_raw_zip
from .test_hostile import LAUGHS

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
DAY = "2026-11-24"
ANN = {"Class": "A", "Agent Name": "Ann Lee", "ESP Start Date": date(2026, 11, 16)}
SHEET1 = "xl/worksheets/sheet1.xml"


def _rezip(src: Path, dst: Path, changes: dict[str, Callable[[bytes], bytes] | bytes]) -> Path:
    """A copy of `src` with parts replaced (bytes) or rewritten (a function of the old bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            change = changes.get(info.filename)
            if change is not None:
                data = change if isinstance(change, bytes) else change(data)
            zout.writestr(info.filename, data)
        for name, change in changes.items():
            if name not in zin.namelist() and isinstance(change, bytes):
                zout.writestr(name, change)
    return dst


def _cell(ref: str, xml: bytes) -> Callable[[bytes], bytes]:
    """Rewrite one <c> of the sheet (openpyxl writes every cell with its r=)."""

    def change(data: bytes) -> bytes:
        pattern = rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)'
        new, n = re.subn(pattern, xml, data, count=1)
        assert n == 1, ref
        return new

    return change


# -- files that are not a usable tracker --------------------------------------------------------


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    good = tracker(tmp / "good.xlsx", [ANN])
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
    put("latin1.xlsx", "Class;Agent Name\nA;Zoë Müller\n".encode("latin-1"), "text (CSV) file")
    put("sheet.ods", b"PK\x03\x04" + b"\x00" * 60, "OpenDocument (.ods)")
    put("empty-zip.xlsx", b"PK\x05\x06" + b"\x00" * 18, "not an Excel workbook")
    data = good.read_bytes()
    put("truncated.xlsx", data[: len(data) // 2], "damaged")
    corrupt = bytearray(data)
    with zipfile.ZipFile(good) as z:
        info = z.getinfo(SHEET1)
    start = info.header_offset + 30 + len(info.filename) + 10
    corrupt[start : start + 8] = b"\xff" * 8
    put("crc.xlsx", bytes(corrupt), "damaged")
    # The zip's own (legacy ZipCrypto) encryption: every entry flagged encrypted.
    flagged = bytearray(data)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = flagged.find(sig)
        while i >= 0:
            flagged[i + flag_at] |= 1
            i = flagged.find(sig, i + 4)
    put("zip-encrypted.xlsx", bytes(flagged), "the package is encrypted")
    nozip = tmp / "nowb.xlsx"
    with zipfile.ZipFile(nozip, "w") as z:
        z.writestr("hello.txt", "hi")
    cases["nowb.xlsx"] = (nozip, "not an Excel workbook")
    xlsb = tmp / "bin.xlsb"
    with zipfile.ZipFile(xlsb, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x00")
    cases["bin.xlsb"] = (xlsb, "binary (.xlsb)")
    renamed_xlsb = tmp / "binary-renamed.xlsx"
    shutil.copyfile(xlsb, renamed_xlsb)
    cases["binary-renamed.xlsx"] = (renamed_xlsb, "binary workbook (.xlsb)")
    twice = tmp / "twice.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate, as it should
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(twice, "w") as zout:
            for i in zin.infolist():
                zout.writestr(i.filename, zin.read(i))
            zout.writestr(SHEET1, zin.read(SHEET1))
    cases["twice.xlsx"] = (twice, "lists a part twice")
    # Bytes before the package: a self-extracting archive's program (offsets counted from
    # the file's start, as `zip -A` writes them, or from the zip's), another zip joined.
    before = "bytes come before the workbook's zip package"
    parts = raw_entries(good)
    stub = b"MZ" + b"\x00" * 510
    for name, kw in (
        ("self-extracting.xlsx", {"prefix": stub}),
        ("self-extracting-relative.xlsx", {"prefix": stub, "offsets_from_prefix": False}),
        ("joined.xlsx", {"prefix": data}),
    ):
        cases[name] = (write_raw_zip(tmp / name, parts, **kw), before)
    cases["bad-xml.xlsx"] = (
        _rezip(good, tmp / "bad-xml.xlsx", {SHEET1: lambda d: d[: len(d) // 2]}),
        "sheet 'ESP Tracker' cannot be read",
    )
    cases["strict.xlsx"] = (
        _rezip(
            good,
            tmp / "strict.xlsx",
            {
                "xl/workbook.xml": lambda d: d.replace(
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                )
            },
        ),
        "Strict Open XML",
    )
    cases["laughs.xlsx"] = (
        _rezip(good, tmp / "laughs.xlsx", {"xl/sharedStrings.xml": LAUGHS}),
        "declares a DTD",
    )
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b"&x;</Relationships>"
    )
    cases["xxe-rels.xlsx"] = (
        _rezip(good, tmp / "xxe-rels.xlsx", {"xl/_rels/workbook.xml.rels": xxe}),
        "declares a DTD",
    )
    cases["bomb.xlsx"] = (
        _rezip(good, tmp / "bomb.xlsx", {"xl/media/image1.png": b"\0" * (64 * 1024 * 1024)}),
        "zip bomb",
    )
    # The sheet without the needed headers; the header swallowed by a merge; only a hidden
    # tracker sheet.
    cases["no-headers.xlsx"] = (
        make_workbook(tmp / "no-headers.xlsx", {"Data": [["Wave", "Person"], ["A", "Ann Lee"]]}),
        "no sheet looks like the ESP Tracker: missing column(s) Agent Name "
        "(headers found — Data: Wave, Person",
    )
    merged = tracker(tmp / "merged-away.xlsx", [ANN])
    wb = openpyxl.load_workbook(merged)
    wb["ESP Tracker"].merge_cells("A2:B2")  # Excel keeps only the top-left value: "Class"
    wb.save(merged)
    cases["merged-away.xlsx"] = (merged, "missing column(s) Agent Name")
    hidden = tracker(tmp / "hidden.xlsx", [ANN])
    wb = openpyxl.load_workbook(hidden)
    wb.create_sheet("Cover")
    wb["ESP Tracker"].sheet_state = "hidden"
    wb.save(hidden)
    cases["hidden.xlsx"] = (hidden, "no sheet looks like the ESP Tracker")
    folder = tmp / "folder.xlsx"
    folder.mkdir()
    cases["folder.xlsx"] = (folder, "is a folder")
    cases["missing.xlsx"] = (tmp / "missing.xlsx", "no such file")
    return cases


BAD = [
    "empty.xlsx", "random.xlsx", "legacy.xls", "legacy-renamed.xlsx", "locked.xlsx",
    "data.xlsx", "data.csv", "latin1.xlsx", "sheet.ods", "empty-zip.xlsx", "truncated.xlsx",
    "crc.xlsx", "zip-encrypted.xlsx", "nowb.xlsx", "bin.xlsb", "binary-renamed.xlsx",
    "twice.xlsx", "self-extracting.xlsx", "self-extracting-relative.xlsx", "joined.xlsx",
    "bad-xml.xlsx", "strict.xlsx", "laughs.xlsx", "xxe-rels.xlsx", "bomb.xlsx",
    "no-headers.xlsx", "merged-away.xlsx", "hidden.xlsx", "folder.xlsx", "missing.xlsx",
]  # fmt: skip

# Each command reading the tracker; the writing ones (marked) must leave nothing beside it.
COMMANDS: dict[str, tuple[bool, Callable[[Path, Path], list[str]]]] = {
    "sync-nnumbers": (True, lambda t, m: ["sync-nnumbers", "-t", str(t), "--from", str(m)]),
    # -v: every unreadable cell on its own line (else one line counts them).
    "escalations": (False, lambda t, m: ["escalations", "--today", "--as-of", DAY, "-v",
                                         "-t", str(t)]),
    "escalations-write": (True, lambda t, m: ["escalations", "--write", "--write-past",
                                              "--as-of", DAY, "-v", "-t", str(t)]),
    "note": (True, lambda t, m: ["note", "add", "Ann Lee", "Called", "--by", "Jo", "-t", str(t)]),
    "report": (False, lambda t, m: ["report", "eod", "--date", DAY, "-v", "-t", str(t)]),
    "doctor": (False, lambda t, m: ["doctor", "-t", str(t)]),
}  # fmt: skip
# The other commands that read the tracker, for the bad files only.
MORE_COMMANDS: dict[str, tuple[bool, Callable[[Path, Path], list[str]]]] = {
    "record-step": (True, lambda t, m: ["record-step", "Ann Lee", "coaching", "--by", "Jo",
                                        "--date", DAY, "-t", str(t)]),
    "access": (True, lambda t, m: ["access", "set", "Ann Lee", "Password Reset", "--by", "Jo",
                                   "-t", str(t)]),
    "explain": (False, lambda t, m: ["explain", "Ann Lee", "--as-of", DAY, "-t", str(t)]),
    "progress-missing": (False, lambda t, m: ["progress", "missing", "--date", DAY,
                                              "-t", str(t)]),
    "sme-assign": (True, lambda t, m: ["sme", "assign", "A", "--sme", "Kim", "-t", str(t)]),
    "sme-list": (False, lambda t, m: ["sme", "list", "-t", str(t)]),
    "locate": (False, lambda t, m: ["report", "locate", "-t", str(t)]),
}  # fmt: skip


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return _bad_files(tmp_path_factory.mktemp("bad"))


def _copy(src: Path, folder: Path) -> Path:
    dst = folder / src.name
    if src.is_dir():
        shutil.copytree(src, dst)
    elif src.exists():
        shutil.copyfile(src, dst)
    return dst


def _listing(folder: Path) -> set[str]:
    # esp's lock file beside the workbook stays on Linux and macOS (a dot file, hidden): a
    # flock on a file that is then removed would not stop a third process (see esp_cli.system).
    return {
        str(p.relative_to(folder)) for p in folder.rglob("*") if not p.name.endswith(".esp-lock")
    }


def _master(tmp: Path) -> Path:
    """The Master N Number Tracker, in a folder of its own (not beside the tracker)."""
    (tmp / "m").mkdir()
    return master(tmp / "m" / "master.xlsx", [("A", "Ann Lee", None, None, None, "11/09/2026")])


def run(args: list[str]) -> Any:
    return CliRunner().invoke(app, args)


def assert_one_clear_line(res: Any, code: ExitCode, expect: str) -> None:
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.stderr.startswith("esp: ") and res.stderr.count("\n") == 1, res.stderr
    assert expect in res.stderr, res.stderr
    assert "Traceback" not in res.output
    assert res.stdout == ""


def test_the_suite_covers_at_least_thirty_bad_inputs() -> None:
    # The issue asks for 30 or more; these plus the edge cases and the write failures below.
    assert len(BAD) + len(EDGE) + len(WRITE_FAILURES) + len(BAD_CSV) >= 30


@pytest.mark.parametrize("command", [*COMMANDS, *MORE_COMMANDS])
@pytest.mark.parametrize("name", BAD)
def test_bad_tracker_is_one_clear_line(
    bad_files: dict[str, tuple[Path, str]], tmp_path: Path, name: str, command: str
) -> None:
    src, expect = bad_files[name]
    mst = _master(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    path = _copy(src, work)
    before = path.read_bytes() if path.is_file() else None
    listing = _listing(work)
    writes, argv = {**COMMANDS, **MORE_COMMANDS}[command]
    res = run(argv(path, mst))
    assert_one_clear_line(res, ExitCode.BAD_INPUT, expect)
    if before is not None:
        assert path.read_bytes() == before
    if writes:
        assert _listing(work) == listing  # no backup, no temporary file


@pytest.mark.parametrize("name", ["random.xlsx", "locked.xlsx", "data.csv", "missing.xlsx"])
def test_a_bad_master_is_one_clear_line_and_the_tracker_is_untouched(
    bad_files: dict[str, tuple[Path, str]], tmp_path: Path, name: str
) -> None:
    src, expect = bad_files[name]
    path = tracker(tmp_path / "ESP Tracker.xlsx", [ANN])
    before = path.read_bytes()
    bad = _copy(src, tmp_path)
    res = run(["sync-nnumbers", "-t", str(path), "--from", str(bad)])
    assert_one_clear_line(res, ExitCode.BAD_INPUT, expect)
    assert str(bad) in res.stderr
    assert path.read_bytes() == before
    assert not (tmp_path / "esp-backups").exists()


# -- trackers at the edges: a clean result or a finding naming the cell -------------------------


def _dimension(tmp: Path) -> Path:
    src = tracker(tmp / "src.xlsx", [ANN])
    return _rezip(
        src,
        tmp / "dimension.xlsx",
        {SHEET1: lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:L1048576"', d)},
    )


def _duplicate_headers(tmp: Path) -> Path:
    return tracker(
        tmp / "duplicate.xlsx", [ANN], headers=(*TRACKER_HEADERS, *headers("agent_name", "notes"))
    )


def _headers_only(tmp: Path) -> Path:
    return tracker(tmp / "headers-only.xlsx", [])


def _merged_headers(tmp: Path) -> Path:
    # A title merged across the top, and the Notes header merged over the next column.
    path = tracker(
        tmp / "merged.xlsx", [ANN], headers=(*TRACKER_HEADERS[:10], *headers("notes"), "")
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    ws.merge_cells("A1:L1")
    ws.merge_cells("K2:L2")
    wb.save(path)
    return path


def _past_9999(tmp: Path) -> Path:
    # G is ESP Start Date: a date-formatted serial past 12/31/9999 (2,958,465) in row 3, the
    # year 10000 typed as text in row 4.
    src = tracker(tmp / "src.xlsx", [ANN, {**ANN, "Agent Name": "Bo Chen"}])
    src_wb = openpyxl.load_workbook(src)
    src_wb["ESP Tracker"]["G4"] = "1/2/10000"
    src_wb.save(src)
    return _rezip(src, tmp / "past-9999.xlsx", {SHEET1: lambda d: _set_serial(d, "G3", 3000000)})


def _set_serial(data: bytes, ref: str, serial: int) -> bytes:
    m = re.search(rb'<c r="' + ref.encode() + rb'"( s="\d+")?[^>]*?(?:/>|>.*?</c>)', data)
    assert m, ref
    style = m.group(1) or b""
    return data.replace(m.group(0), b'<c r="%s"%s><v>%d</v></c>' % (ref.encode(), style, serial))


def _ref_everywhere(tmp: Path) -> Path:
    # Ann's row: #REF! in every cell but her name; the next row: #REF! in every cell.
    src = tracker(
        tmp / "src.xlsx",
        [dict.fromkeys(TRACKER_HEADERS, "x") | {"Agent Name": "Ann Lee"},
         dict.fromkeys(TRACKER_HEADERS, "x")],
    )  # fmt: skip
    ref = b't="e"><f>#REF!+1</f><v>#REF!</v></c>'
    changes = {}
    for row in (3, 4):
        for i in range(len(TRACKER_HEADERS)):
            cell = f"{chr(ord('A') + i)}{row}"
            if cell != "B3":
                changes[cell] = b'<c r="' + cell.encode() + b'" ' + ref

    def rewrite(data: bytes) -> bytes:
        for cell, xml in changes.items():
            data = _cell(cell, xml)(data)
        return data

    return _rezip(src, tmp / "ref.xlsx", {SHEET1: rewrite})


def _full_notes(tmp: Path) -> Path:
    return tracker(tmp / "full-notes.xlsx", [{**ANN, "Notes": "x" * 32_767}])


# name -> (builder, {command: (exit code, phrase in the output)}); commands not listed exit 0.
EDGE: dict[str, tuple[Callable[[Path], Path], dict[str, tuple[int, str]]]] = {
    "dimension": (_dimension, {"note": (0, "Wrote 1 cell(s)")}),
    "duplicate-headers": (
        _duplicate_headers,
        {
            "escalations": (0, "'ESP Tracker'!M2 (Agent Name): another 'Agent Name' column, "
                               "set aside; esp uses column B"),
            "doctor": (5, "ESP010"),
            "note": (0, "Wrote 1 cell(s)"),
        },
    ),
    "headers-only": (
        _headers_only,
        {
            "sync-nnumbers": (0, "already up to date"),
            "escalations": (0, "As of Tue 11/24/2026: nothing is due."),
            "escalations-write": (0, "already up to date"),
            "note": (3, "No agent matches 'Ann Lee'"),
            "report": (0, "0 of 0 agents"),
        },
    ),
    "merged-headers": (
        _merged_headers,
        {
            "note": (0, "Wrote 1 cell(s)"),
            # Right after the last header is inside the merge: the new columns go after it.
            "escalations-write": (0, "L is inside the merged cells K2:L2"),
        },
    ),
    "past-9999": (
        _past_9999,
        {
            "escalations": (0, "'ESP Tracker'!G3 (ESP Start Date): 3000000 is not an Excel "
                               "date serial"),
            "report": (0, "'ESP Tracker'!G4 (ESP Start Date): '1/2/10000' is not a date"),
            "doctor": (5, "ESP002"),
        },
    ),
    "ref-everywhere": (
        _ref_everywhere,
        {
            "sync-nnumbers": (0, "'ESP Tracker'!A4 (Class): the cell shows the error #REF!"),
            "escalations": (0, "'ESP Tracker'!G3 (ESP Start Date): the cell shows the error #REF!"),
            "escalations-write": (0, "'ESP Tracker'!H3 (Call Cert Complete?): the cell shows"),
            "note": (1, "'ESP Tracker'!K3: the Notes cell shows the error #REF!; esp will not "
                        "overwrite it"),
            "report": (0, "'ESP Tracker'!I3 (All TBTs Complete?): the cell shows the error #REF!"),
            "doctor": (5, "ESP004"),
        },
    ),
    "full-notes": (
        _full_notes,
        {"note": (1, "'ESP Tracker'!K3: the text would be 32,792 characters; Excel allows 32,767")},
    ),
}  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", list(EDGE))
def test_edge_trackers_give_a_clean_result_or_a_finding(
    tmp_path: Path, name: str, command: str
) -> None:
    build, expected = EDGE[name]
    path = build(tmp_path)
    mst = _master(tmp_path)
    before = path.read_bytes()
    writes, argv = COMMANDS[command]
    # esp doctor finds the columns these small trackers lack (ESP001): exit code 5.
    code, phrase = expected.get(command, (5, "ESP001") if command == "doctor" else (0, ""))
    res = run(argv(path, mst))
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    assert phrase in res.output, res.output
    if code not in (ExitCode.OK, ExitCode.FINDINGS):
        assert res.stdout == ""
    if code != 0 or not writes or path.read_bytes() == before:
        assert path.read_bytes() == before
        assert not (tmp_path / "esp-backups").exists()
        return
    # A write happened: the backup is the old file and the new one opens with its rows.
    (backup,) = (tmp_path / "esp-backups").glob("*.xlsx")
    assert backup.read_bytes() == before
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's own warning for the date past 9999
        ws = openpyxl.load_workbook(path)["ESP Tracker"]
    assert ws["B3"].value == "Ann Lee"


def test_a_note_goes_to_the_first_of_two_notes_columns(tmp_path: Path) -> None:
    path = _duplicate_headers(tmp_path)
    res = run(["note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", DAY, "-t", str(path)])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    assert (ws["K3"].value, ws["N3"].value) == ("11/24/2026 - Jo - Called", None)


def test_the_million_row_dimension_reads_the_real_rows(tmp_path: Path) -> None:
    path = _dimension(tmp_path)
    res = run(["escalations", "--as-of", DAY, "-f", "json", "-t", str(path)])
    assert res.exit_code == 0, res.output
    assert [a["agent"] for a in json.loads(res.stdout)] == ["Ann Lee"]


# -- writes that fail: exit 6, one line, the workbook as it was ---------------------------------


def _read_only(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    path.chmod(0o444)


def _disk_full_on_backup(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    real = os.write

    def write(fd: int, data: Any) -> int:
        if len(data) > 512:
            return real(fd, data[:512])  # some bytes land, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    route_writes(monkeypatch.setattr, write)


def _disk_full_on_workbook(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    real_write, real_fsync = os.write, os.fsync
    synced: list[int] = []

    def write(fd: int, data: Any) -> int:
        if synced:  # the backup is on disk; the new workbook does not fit
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(fd)

    route_writes(monkeypatch.setattr, write)
    monkeypatch.setattr(os, "fsync", fsync)


def _fsync_fails(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)


def _folder_not_writable(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    # As root the folder's permissions would not stop the test process, so the refusal the
    # system gives a user is simulated where esp first creates a file there.
    real = os.open

    def open_(file: Any, flags: int, *args: Any) -> int:
        if flags & os.O_CREAT and Path(file).parent == path.parent:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, flags, *args)

    monkeypatch.setattr(os, "open", open_)


WRITE_FAILURES: dict[str, tuple[Callable[[pytest.MonkeyPatch, Path], None], str]] = {
    "read-only": (_read_only, "is read-only; nothing was written"),
    "disk-full-on-backup": (_disk_full_on_backup, "could not save a backup in"),
    "disk-full-on-workbook": (_disk_full_on_workbook, "could not write (the disk is full)"),
    "fsync-fails": (_fsync_fails, "(Input/output error)"),
    "folder-not-writable": (_folder_not_writable, "cannot create the lock file (Permission"),
}


@pytest.mark.parametrize("command", ["note", "sync-nnumbers", "escalations-write"])
@pytest.mark.parametrize("failure", list(WRITE_FAILURES))
def test_a_failed_write_is_exit_6_and_the_workbook_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str, command: str
) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [ANN])
    mst = _master(tmp_path)
    before = path.read_bytes()
    inject, expect = WRITE_FAILURES[failure]
    inject(monkeypatch, path)
    try:
        res = run(COMMANDS[command][1](path, mst))
    finally:
        monkeypatch.undo()
        path.chmod(0o644)
    assert_one_clear_line(res, ExitCode.WRITE_FAILED, expect)
    assert str(path.parent) in res.stderr and "Fix:" in res.stderr
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "esp-tmp" in p.name]
    backups = tmp_path / "esp-backups"
    # No backup stays, named after a write that did not happen.
    assert not (list(backups.glob("*.xlsx")) if backups.exists() else [])
    log = backups / "ESP Tracker.xlsx.history.jsonl"
    assert not log.exists() or log.read_bytes() == b""  # a write that failed is not recorded


# -- self-report CSVs that are not UTF-8 or Windows-1252 ---------------------------------------

REPORT_CSV = "Timestamp,Agent Name,Class,Update\r\n11/24/2026 17:03,Ann Lee,A,Café done\r\n"
BAD_CSV = {
    "utf-16 without its mark": REPORT_CSV.encode("utf-16-le"),
    "utf-32": REPORT_CSV.encode("utf-32"),
    "binary": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", list(BAD_CSV))
def test_a_csv_in_another_encoding_is_one_clear_line(tmp_path: Path, name: str) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [ANN])
    before = path.read_bytes()
    report = tmp_path / "report.csv"
    report.write_bytes(BAD_CSV[name])
    res = run(["progress", "import", str(report), "-t", str(path)])
    assert_one_clear_line(res, ExitCode.BAD_INPUT, "not a text CSV in UTF-8 or Windows-1252")
    assert str(report) in res.stderr
    assert path.read_bytes() == before
    assert report.read_bytes() == BAD_CSV[name]


def test_a_latin1_csv_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [ANN])
    report = tmp_path / "report.csv"
    report.write_bytes(REPORT_CSV.encode("latin-1"))
    res = run(["progress", "import", str(report), "-t", str(path)])
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(path)["ESP Tracker"]["K3"].value == (
        "11/24/2026 - Ann Lee - Café done"
    )


# -- real files from another application --------------------------------------------------------


@pytest.fixture(scope="module")
def other_formats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tracker saved by LibreOffice as a legacy .xls and as .ods, and each renamed .xlsx."""
    from .support.libreoffice import run_soffice, soffice_path

    folder = tmp_path_factory.mktemp("formats")
    src = tracker(folder / "tracker.xlsx", [ANN])
    soffice = soffice_path()
    assert soffice is not None
    for fmt in ("xls", "ods"):
        code, said = run_soffice(
            soffice, folder / f"soffice-{fmt}", "--convert-to", fmt,
            "--outdir", str(folder / "out"), str(src), timeout=120,
        )  # fmt: skip
        assert code == 0, said
    files = {f"tracker.{fmt}": folder / "out" / f"tracker.{fmt}" for fmt in ("xls", "ods")}
    for fmt in ("xls", "ods"):
        renamed = folder / f"{fmt}-renamed.xlsx"
        shutil.copyfile(files[f"tracker.{fmt}"], renamed)
        files[renamed.name] = renamed
    return files


@needs_soffice
@pytest.mark.slow
@pytest.mark.interop
@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("tracker.xls", "legacy Excel 97-2003 (.xls)"),
        ("xls-renamed.xlsx", "legacy Excel 97-2003 (.xls)"),
        ("tracker.ods", "OpenDocument (.ods)"),
        ("ods-renamed.xlsx", "not an Excel workbook"),
    ],
)
@pytest.mark.parametrize("command", ["escalations", "note"])
def test_real_xls_and_ods_files_are_one_clear_line(
    other_formats: dict[str, Path], tmp_path: Path, name: str, expect: str, command: str
) -> None:
    path = _copy(other_formats[name], tmp_path)
    before = path.read_bytes()
    res = run(COMMANDS[command][1](path, path))
    assert_one_clear_line(res, ExitCode.BAD_INPUT, expect)
    assert path.read_bytes() == before
    assert not (tmp_path / "esp-backups").exists()


# -- a tracker reached through a symbolic link ---------------------------------------------------


def test_a_write_through_a_link_changes_the_workbook_it_points_to(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    real = tracker(tmp_path / "shared" / "ESP Tracker.xlsx", [ANN])
    link = tmp_path / "tracker.xlsx"
    link.symlink_to(real)
    # Open in Excel: the owner file is beside the real workbook, and is seen through the link.
    owner = real.with_name("~$" + real.name)
    owner.write_bytes(b"someone")
    before = real.read_bytes()
    argv = ["note", "add", "Ann Lee", "Called", "--by", "Jo", "--date", DAY, "-t", str(link)]
    res = run(argv)
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "is open in Excel by someone" in res.stderr
    assert real.read_bytes() == before and link.is_symlink()
    # The change waits beside the workbook itself, where every teammate's esp looks.
    assert list((real.parent / "esp-backups" / f"{real.name}.waiting").glob("*.json"))
    owner.unlink()
    res = run(argv)
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert openpyxl.load_workbook(real)["ESP Tracker"]["K3"].value == "11/24/2026 - Jo - Called"
    (backup,) = (real.parent / "esp-backups").glob("*.xlsx")
    assert backup.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["escalations"],
        ["note", "add", "Ann Lee", "Called", "--by", "Jo"],
        ["history"],
        ["undo"],
        ["doctor"],
        ["tbt", "proofs", "{proofs}", "--by", "Jo"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_a_link_that_leads_back_to_itself_is_one_clear_line(
    tmp_path: Path, argv: list[str]
) -> None:
    (tmp_path / "proofs").mkdir()
    first, second = tmp_path / "tracker.xlsx", tmp_path / "other.xlsx"
    first.symlink_to(second)
    second.symlink_to(first)
    argv = [a.replace("{proofs}", str(tmp_path / "proofs")) for a in argv]
    res = run([*argv, "-t", str(first)])
    assert_one_clear_line(res, ExitCode.BAD_INPUT, "a link to a file that cannot be reached")
    assert "leads back to itself" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.xlsx", "proofs", "tracker.xlsx"]


def test_a_link_that_loops_among_self_reports_is_listed_as_unreadable(tmp_path: Path) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [ANN])
    folder = tmp_path / "self-reports"
    folder.mkdir()
    (folder / "a.eml").symlink_to(folder / "b.eml")
    (folder / "b.eml").symlink_to(folder / "a.eml")
    res = run(["progress", "import", str(folder), "--date", DAY, "-t", str(path), "-n"])
    assert res.exit_code == 0, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "a.eml: cannot be read" in res.stderr and "b.eml: cannot be read" in res.stderr


# -- dates at the ends of the calendar -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["escalations", "--as-of"],
        ["escalations", "--write", "-n", "--as-of"],
        ["explain", "Ann Lee", "--as-of"],
        ["advise", "--due", "-n", "--as-of"],
        ["report", "eod", "--date"],
        ["progress", "missing", "--date"],
        ["note", "add", "Ann Lee", "x", "--by", "Jo", "--date"],
        ["history", "--since"],
    ],
    ids=lambda argv: " ".join(a for a in argv if not a.startswith("-") or a == "--write"),
)
@pytest.mark.parametrize("day", ["9999-12-31", "12/31/9999", "0001-01-01", "1899-12-31"])
def test_a_day_beyond_what_esp_can_count_is_one_clear_line(
    tmp_path: Path, argv: list[str], day: str
) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [ANN])
    before = path.read_bytes()
    res = run([*argv, day, "-t", str(path)])
    assert_one_clear_line(res, ExitCode.USAGE, "esp takes days from 1900-01-01 to 9998-12-31")
    assert path.read_bytes() == before


@pytest.mark.parametrize("day", ["9998-12-31", "1900-01-01"])
def test_the_last_and_first_days_esp_takes_are_evaluated(tmp_path: Path, day: str) -> None:
    path = tracker(tmp_path / "ESP Tracker.xlsx", [ANN])
    for argv in (["escalations", "--as-of"], ["report", "eod", "--date"]):
        res = run([*argv, day, "-t", str(path)])
        assert res.exit_code == 0, res.output


# -- text that is not UTF-8 on the command line ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        [b"note", b"add", b"Ann Lee", b"Caf\xe9 call", b"--by", b"Jo"],  # typed in Latin-1
        [b"note", b"add", b"Ann Lee", b"Called", b"--tbt", b"--by", b"Zo\xeb"],
        [b"record-step", b"Ann Lee", b"coaching", b"--by", b"Jo", b"--note", b"Caf\xe9"],
        [b"sme", b"assign", b"A", b"--sme", b"Zo\xeb Grant"],
    ],
    ids=["note", "author", "step note", "sme"],
)
def test_text_that_is_not_utf8_is_one_clear_line(tmp_path: Path, args: list[bytes]) -> None:
    path = tracker(
        tmp_path / "ESP Tracker.xlsx", [ANN], headers=(*TRACKER_HEADERS, *headers("tbt_sme"))
    )
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src"), "LC_ALL": "C.UTF-8"}
    res = subprocess.run(
        [sys.executable, "-m", "esp_cli", *args, b"-t", bytes(path)],
        env=env,
        capture_output=True,
        timeout=120,
    )
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode == ExitCode.USAGE, err
    assert err.startswith("esp: ") and err.count("\n") == 1, err
    assert "holds bytes that are not UTF-8" in err and "Traceback" not in err
    assert res.stdout == b""
    assert path.read_bytes() == before
    assert not (tmp_path / "esp-backups").exists()
