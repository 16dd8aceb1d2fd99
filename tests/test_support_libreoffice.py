"""The LibreOffice CSV reader in tests/support/libreoffice.py."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support import libreoffice
from tests.support.libreoffice import (
    LibreOfficeError,
    Rows,
    cell,
    convert_all_sheets,
    convert_to_csv,
    convert_workbooks,
    read_csv,
    soffice_available,
)
from tests.support.marks import needs_corpus, needs_soffice
from tests.support.paths import corpus_dir

# Real files from the shared corpus: only the tests marked needs_corpus open them.
TRACKER = corpus_dir() / "libreoffice__lo_tracker.xlsx"  # sheets Tracker, Lists
AUTOFILTER = corpus_dir() / "xlsxwriter__autofilter01.xlsx"  # one sheet, Sheet1

Batch = dict[Path, dict[str, Rows]]

SHEETS = ["Dates", "Ünïcode sheet", "Hidden", "Empty"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook with known dates, numbers and texts, a hidden and an empty sheet."""
    path = tmp_path_factory.mktemp("made") / "made.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEETS[0]
    ws["A1"] = dt.date(2026, 11, 23)
    ws["A1"].number_format = "m/d/yyyy"  # built-in 14
    ws["B1"] = dt.date(2026, 11, 23)
    ws["B1"].number_format = "mm/dd/yy"
    ws["C1"] = dt.date(2026, 11, 23)
    ws["C1"].number_format = "yyyy-mm-dd"
    ws["D1"] = dt.datetime(2026, 11, 23, 14, 5)
    ws["D1"].number_format = "m/d/yyyy h:mm"
    ws["E1"] = 46349  # the same day as a bare serial: shows as a number
    ws["A2"] = 1234.5678
    ws["A2"].number_format = "0.00"
    ws["B2"] = True
    ws["C2"] = 'comma, "quote"\nsecond line'
    ws["D2"] = "  spaced  "
    other = wb.create_sheet(SHEETS[1])
    other["B7"] = "b7 ✓"
    hidden = wb.create_sheet(SHEETS[2])
    hidden["A1"] = "hidden"
    hidden.sheet_state = "hidden"
    wb.create_sheet(SHEETS[3])
    wb.save(path)
    return path


# --------------------------------------------------------------------------- no soffice needed


def test_filter_options_match_the_documented_string() -> None:
    assert libreoffice.filter_options(3) == "44,34,76,1,,0,false,true,false,false,false,3"
    assert libreoffice.filter_options(-1, as_shown=True) == (
        "44,34,76,1,,0,false,true,true,false,false,-1"
    )


def test_read_csv_pads_and_parses(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b'a,"b,\n""c"""\n\nd,\n')
    assert read_csv(path) == [["a", 'b,\n"c"'], ["", ""], ["d", ""]]
    path.write_bytes(b"\n")
    assert read_csv(path) == []
    path.write_bytes("\ufeffé\n".encode())
    assert read_csv(path) == [["é"]]


def test_cell() -> None:
    rows = [["a", "b"], ["c", "d"]]
    assert cell(rows, "A1") == "a"
    assert cell(rows, "B2") == "d"
    assert cell(rows, "C1") == ""
    assert cell(rows, "A3") == ""
    assert cell([], "A1") == ""
    with pytest.raises(ValueError):
        cell(rows, "b2")


FAKE_SOFFICE = """#!/bin/sh
# Exits 77 on its first start, as soffice does when it cannot determine its language.
echo "$@" >> "{log}"
[ -e "{log}.started" ] && exit 0
touch "{log}.started"
echo "The user interface language cannot be determined." >&2
exit 77
"""


def test_a_start_that_exits_77_is_retried_in_a_fresh_profile(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE.format(log=log))
    fake.chmod(0o755)
    code, said = libreoffice.run_soffice(str(fake), tmp_path / "run", "--version", timeout=30)
    assert code == 0 and "language cannot be determined" in said
    calls = log.read_text().splitlines()
    assert len(calls) == 2
    profiles = [call.split()[0] for call in calls]
    assert profiles[0] != profiles[1]
    for call, profile in zip(calls, profiles, strict=True):
        assert call.endswith("--headless --norestore --nologo --language=en-US --version")
        folder = Path(profile.removeprefix("-env:UserInstallation=file://"))
        settings = (folder / "user" / "registrymodifications.xcu").read_text()
        assert '<prop oor:name="ooLocale" oor:op="fuse"><value>en-US</value></prop>' in settings


def test_a_second_exit_77_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 77\n")
    fake.chmod(0o755)
    code, _ = libreoffice.run_soffice(str(fake), tmp_path / "run", "--version", timeout=30)
    assert code == 77
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["profile-1", "profile-2"]


def test_unknown_sheets_fail_before_starting_soffice(made: Path, tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="no sheet 'Nope'"):
        convert_to_csv(made, "Nope", tmp_path)
    with pytest.raises(IndexError):
        convert_to_csv(made, len(SHEETS), tmp_path)
    with pytest.raises(IndexError):
        convert_to_csv(made, -1, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_colliding_batch_outputs_rejected(made: Path, tmp_path: Path) -> None:
    first = tmp_path / "a" / "book.xlsx"
    second = tmp_path / "b" / "book.xlsx"
    for path in (first, second):
        path.parent.mkdir()
        path.write_bytes(made.read_bytes())
    with pytest.raises(ValueError, match="collide"):
        convert_workbooks([first, second], tmp_path / "out")


def test_missing_soffice_is_an_error(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not soffice_available()
    with pytest.raises(LibreOfficeError, match="soffice not found"):
        convert_to_csv(made, 0, tmp_path / "out")


# --------------------------------------------------------------------------- with soffice


@pytest.fixture(scope="module")
def batch(made: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Three workbooks, every sheet, ONE soffice start-up."""
    outdir = tmp_path_factory.mktemp("batch")
    return convert_workbooks([TRACKER, AUTOFILTER, made], outdir)


@pytest.mark.interop
@needs_soffice
@needs_corpus
def test_batch_reads_known_corpus_values(batch: Batch) -> None:
    tracker = batch[TRACKER]
    assert list(tracker) == ["Tracker", "Lists"]
    rows = tracker["Tracker"]
    assert rows[0][:3] == ["ID", "Task", "Owner"]
    assert cell(rows, "B2") == "Write spec"
    assert cell(rows, "D3") == "01/04/2024"  # a text cell that looks like a date
    assert cell(rows, "H3") == "1"  # cached formula result
    assert cell(rows, "I2") == "03/01/2024"  # DATE(2024,3,1), format mm/dd/yy
    assert cell(rows, "G2") == "secret1"  # hidden column still exported
    assert tracker["Lists"] == [["Yes"], ["No"], ["N/A"]]
    autofilter = batch[AUTOFILTER]["Sheet1"]
    assert len(autofilter) == 51
    assert autofilter[:2] == [
        ["Region", "Item", "Volume", "Month"],
        ["East", "Apple", "9000", "July"],
    ]


@pytest.mark.interop
@needs_soffice
@needs_corpus
def test_batch_reads_dates_numbers_and_texts(batch: Batch, made: Path) -> None:
    sheets = batch[made]
    assert list(sheets) == SHEETS
    rows = sheets["Dates"]
    assert rows[0] == ["11/23/2026", "11/23/2026", "2026-11-23", "11/23/2026 14:05:00", "46349"]
    assert rows[1] == ["1234.5678", "TRUE", 'comma, "quote"\nsecond line', "  spaced  ", ""]
    unicode_rows = sheets["Ünïcode sheet"]
    assert len(unicode_rows) == 7 and cell(unicode_rows, "B7") == "b7 ✓"
    assert sheets["Hidden"] == [["hidden"]]
    assert sheets["Empty"] == []


@pytest.mark.interop
@needs_soffice
def test_one_sheet_by_name_as_shown(made: Path, tmp_path: Path) -> None:
    rows = convert_to_csv(made, "Dates", tmp_path, as_shown=True)
    assert rows[0] == ["11/23/2026", "11/23/26", "2026-11-23", "11/23/2026 14:05", "46349"]
    assert cell(rows, "A2") == "1234.57"
    assert [p.name for p in tmp_path.iterdir()] == ["made-Dates.csv"]


@pytest.mark.interop
@needs_soffice
@needs_corpus
def test_one_sheet_by_index_replaces_stale_output(tmp_path: Path) -> None:
    stale = tmp_path / "libreoffice__lo_tracker-Lists.csv"
    stale.write_text("stale\n")
    assert convert_to_csv(TRACKER, 1, tmp_path) == [["Yes"], ["No"], ["N/A"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["libreoffice__lo_tracker-Lists.csv"]


@pytest.mark.interop
@needs_soffice
def test_all_sheets_of_one_workbook(made: Path, tmp_path: Path) -> None:
    sheets = convert_all_sheets(made, tmp_path)
    assert list(sheets) == SHEETS
    assert cell(sheets["Ünïcode sheet"], "B7") == "b7 ✓"


@pytest.mark.interop
@needs_soffice
@needs_corpus
def test_parallel_runs_do_not_collide(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        tracker = pool.submit(convert_to_csv, TRACKER, "Tracker", tmp_path)
        autofilter = pool.submit(convert_to_csv, AUTOFILTER, 0, tmp_path)
        assert cell(tracker.result(), "B2") == "Write spec"
        assert cell(autofilter.result(), "A1") == "Region"


@pytest.mark.interop
@needs_soffice
@needs_corpus
def test_missing_output_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend the workbook's first sheet is called "Nope": soffice writes "...-Tracker.csv".
    monkeypatch.setattr(libreoffice, "sheet_names", lambda _path: ["Nope", "Lists"])
    with pytest.raises(LibreOfficeError, match=r"wrote no libreoffice__lo_tracker-Nope\.csv"):
        convert_to_csv(TRACKER, 0, tmp_path)


@pytest.mark.interop
@needs_soffice
@needs_corpus
def test_timeout_ends_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def remember(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = real_popen(*args, **kwargs)
        started.append(process)
        # Let soffice start what it starts (soffice.bin) before the timeout ends the group,
        # so the test sees the whole group ended, not only the launcher.
        deadline = time.monotonic() + 120
        while (
            Path("/proc").is_dir()
            and process.poll() is None
            and len(_running_in_group(process.pid)) < 2
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        return process

    monkeypatch.setattr(libreoffice.subprocess, "Popen", remember)
    with pytest.raises(LibreOfficeError, match="timed out"):
        convert_to_csv(TRACKER, 0, tmp_path, timeout=0.01)
    assert started
    for process in started:  # soffice is reaped, and nothing it started still runs
        assert process.returncode is not None
        assert _running_in_group(process.pid) == []


def _running_in_group(group: int) -> list[int]:
    """Processes of a process group that still run (zombies awaiting their reaper do not)."""
    proc = Path("/proc")
    if not proc.is_dir():  # no /proc (macOS): any member left, zombie or not, counts
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    running = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (command) "
        if fields[0] != "Z" and int(fields[2]) == group:
            running.append(int(entry.name))
    return running
