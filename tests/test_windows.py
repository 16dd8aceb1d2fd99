"""esp on Windows, proved on Linux: the behaviours that differ are reproduced
(tests/support/windows.py) and the real commands run under them.

- every command reads, and every writing command writes the very bytes it writes without
  the reproduction (text-mode descriptors would turn LF into CR LF);
- concurrent writers take turns without fcntl;
- a workbook Excel holds is exit 4 naming who holds it, and nothing is written;
- a cp1252 pipe or console never crashes the output;
- nothing OS-specific lives outside esp_cli/system.py.
"""

from __future__ import annotations

import ctypes
import email
import email.policy
import json
import os
import pty
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aspose.email_foss.msg import MapiMessage
from typer.testing import CliRunner

from esp_cli import system
from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.services.demo import PROOFS_DIR, copy_sample
from esp_cli.workbook.waiting import Store
from esp_cli.workbook.xlsx import safety

from .support import windows
from .support.processes import finish, read_to_end
from .support.windows import FakeExcel, excel_owner_file

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-11-24"
# Names the system puts in any folder: never proofs, screenshots or self-reports.
SYSTEM_FILES = ("desktop.ini", "Thumbs.db", "~$notes.docx", ".DS_Store", "._Hector Vargas TBT.pdf")


@pytest.fixture
def on_windows(monkeypatch: pytest.MonkeyPatch) -> windows.Reproduction:
    """The rest of the test runs with Windows' behaviours (in this process)."""
    # filelock learns at its import whether fcntl exists, once per process: imported here
    # first, as any esp process has it, a later test without the reproduction is not left
    # with a filelock that thinks this Linux lacks fcntl.
    system._filelock()
    rep = windows.install(monkeypatch.setattr)
    windows.hide_fcntl(monkeypatch.setitem)
    monkeypatch.setattr(system, "_MALLOC_TRIM", None)  # ask ctypes again, as a new process
    return rep


def run(*argv: str) -> Any:
    return CliRunner().invoke(app, list(argv))


# -- the reproduction bites where Windows does ------------------------------------------------


def test_the_reproduction_turns_lf_into_crlf_without_o_binary(
    tmp_path: Path, on_windows: windows.Reproduction
) -> None:
    text_mode = os.open(tmp_path / "a", os.O_WRONLY | os.O_CREAT)
    os.write(text_mode, b"PK\n\x00\n")
    os.close(text_mode)
    with os.fdopen(os.open(tmp_path / "b", os.O_WRONLY | os.O_CREAT), "wb") as fh:
        fh.write(b"PK\n\x00\n")
    binary = os.open(tmp_path / "c", os.O_WRONLY | os.O_CREAT | os.O_BINARY)  # type: ignore[attr-defined]
    os.write(binary, b"PK\n\x00\n")
    os.close(binary)
    fd, name = tempfile.mkstemp(dir=tmp_path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(b"PK\n\x00\n")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes() == b"PK\r\n\x00\r\n"
    assert (tmp_path / "c").read_bytes() == Path(name).read_bytes() == b"PK\n\x00\n"


def test_the_reproduction_has_no_fcntl_and_no_cdll_none(on_windows: windows.Reproduction) -> None:
    with pytest.raises(ImportError):
        import fcntl  # noqa: F401
    with pytest.raises(TypeError):
        ctypes.CDLL(None)
    system.release_freed_memory()  # what every tracker read calls: no error
    assert system._MALLOC_TRIM is False


# -- every command, byte for byte --------------------------------------------------------------


TRACKER_FILE = "ESP Tracker.xlsx"


def _sample(folder: Path) -> Path:
    copy_sample(folder)
    (folder / "notes.csv").write_bytes(
        "agent,note,column\r\nKayla Brooks,Module 5 of 8 — ça avance,TBT Notes\r\n"
        "E10316,Coaching booked\r\n".encode("cp1252")
    )
    proofs = folder / PROOFS_DIR
    shots = folder / "shots"
    shots.mkdir()
    for name in ("Amira Hassan course number.png", "Ethan Brooks course name.png"):
        (shots / name).write_bytes(b"\x89PNG\r\n\x1a\n" + name.encode())
    # Samuel Okoye's transcript, e-mailed from a personal address, saved from Outlook both ways.
    transcript = EmailMessage()
    transcript["From"] = "Samuel Okoye <sam.okoye@gmail.com>"
    transcript["To"] = "jordan.reyes@vendorcx.com"
    transcript["Subject"] = "My TBTs — transcript"
    transcript["Date"] = "Mon, 23 Nov 2026 22:05:00 +0000"
    transcript.set_content("Attached.\r\n")
    transcript.add_attachment(
        b"%PDF-1.7\r\n%\xe2\xe3\n1 0 obj<<>>endobj\r\n%%EOF\r\n",
        maintype="application", subtype="pdf", filename="Samuel Okoye TBT.pdf",
    )  # fmt: skip
    (proofs / "RE TBTs.eml").write_bytes(transcript.as_bytes())
    del transcript["Subject"]
    transcript["Subject"] = "Fwd: My TBTs"
    (proofs / "Fwd My TBTs.msg").write_bytes(MapiMessage.from_email_message(transcript).to_bytes())
    for where in (proofs, shots, folder / "self-reports"):
        for name in SYSTEM_FILES:
            (where / name).write_bytes(b"[.ShellClassInfo]\r\nIconResource=x\r\n")
    return folder / "esp.toml"


# Every writing command, and the reading ones, as the team runs them (the clock fixed).
STEPS: list[list[str]] = [
    ["sync-nnumbers", "--dry-run"],
    ["sync-nnumbers"],
    ["escalations", "--today", "--as-of", DAY],
    ["explain", "Tyrone Jackson", "--as-of", DAY],
    ["doctor"],
    ["record-step", "Tyrone Jackson", "coaching", "--date", DAY, "--note", "TBT plan\nand CAP"],
    ["escalations", "--write", "--write-past", "--as-of", DAY],
    ["progress", "import", "--date", DAY],
    ["progress", "missing", "--date", DAY],
    ["access", "set", "Marcus Lee", "password reset", "--spoc-called", DAY, "--incident",
     "INC0049377", "--phone", "513.555.0131", "--date", DAY],
    ["note", "add", "Tyrone Jackson", "Call Cert 11/25 → 9 AM; Nguyễn Thị Ánh 確認", "--date", DAY],
    ["note", "add", "Tyrone Jackson", "TBT 6 of 8", "--tbt", "--by", "Zoë Ångström", "--date",
     DAY],
    ["tbt", "proofs", "{folder}/tbt-proofs"],
    ["sme", "assign", "AET-1116", "--sme", "Keisha Grant", "--sme", "Marcus Bell"],
    ["undo"],
    ["sme", "list"],
    ["note", "import", "{folder}/notes.csv", "--by", "Zoë Ångström"],
    ["advise", "--due", "--as-of", DAY, "--out", "{folder}/drafts"],
    ["report", "locate", "--screenshots", "{folder}/shots"],
    ["report", "eod", "--date", DAY],
    ["report", "eod", "--date", DAY, "--format", "json"],
    ["report", "eod", "--date", DAY, "--format", "text", "--out", "{folder}/eod.txt"],
    ["report", "eod", "--date", DAY, "--eml", "{folder}/eod.eml"],
    ["document", "Rebecca Stone", "coaching", "--date", DAY, "--out", "{folder}/documents",
     "--eml", "--msg"],
    ["document", "--due", "--as-of", DAY, "--out", "{folder}/documents", "--record"],
]  # fmt: skip

WRITTEN = (
    "ESP Tracker.xlsx",
    "TBT Tracking Sheet.xlsx",
    "eod.txt",
    "tbt-proofs/Samuel Okoye TBT.pdf",  # saved from the e-mail
    "documents/2026-11-24 Rebecca Stone - Documented coaching.docx",
    "documents/2026-11-24 Monique Dubois - Term review.docx",
    "documents/2026-11-24 Priyanka Shah - Written CAP.docx",
)
# Made new by openpyxl and python-docx, which stamp the time of making in the zip and
# docProps/core.xml: compared part by part (the content), those stamps aside.
CREATED = ("TBT Tracking Sheet.xlsx", *(n for n in WRITTEN if n.endswith(".docx")))
DRAFTS = ("documents/2026-11-24 Rebecca Stone - Documented coaching",)


def _backups(folder: Path) -> list[Path]:
    """The tracker's backups in the order they were made: as the operation log lists them
    (two writes may share a second in the names, or a clock tick in the files' times)."""
    log = folder / "esp-backups" / "ESP Tracker.xlsx.history.jsonl"
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    named = [folder / "esp-backups" / e["backup"] for e in entries if e.get("backup")]
    assert sorted(named) == sorted((folder / "esp-backups").glob("ESP Tracker.*.xlsx"))
    return named


def _parts(data: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def _draft(stem: Path) -> tuple[str, str, bytes, bytes]:
    """An .eml draft's subject and text and the file it carries, and what the .msg beside it
    carries (read with an independent reader)."""
    import olefile

    eml = stem.with_name(stem.name + ".eml").read_bytes()
    assert b"\r\r\n" not in eml
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    body = msg.get_body(("plain",))
    assert body is not None
    (attached,) = msg.iter_attachments()
    with olefile.OleFileIO(str(stem.with_name(stem.name + ".msg"))) as ole:
        in_msg = ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read()
    return str(msg["Subject"]), body.get_content(), attached.get_content(), in_msg


def _run_all(folder: Path) -> list[tuple[int, str, str]]:
    config = _sample(folder)
    out = []
    for step in STEPS:
        argv = [a.replace("{folder}", str(folder)) for a in step]
        res = run(*argv, "--config", str(config))
        out.append((res.exit_code, _masked(res.stdout, folder), _masked(res.stderr, folder)))
    return out


def _masked(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "{folder}")
    text = re.sub(r"\d{4}-\d\d-\d\d_\d{6}(?:_\d{6})?", "{stamp}", text)  # backup names
    # when a change was kept or written ("12/05/2026 15:11"): the two runs may straddle a minute
    text = re.sub(r"\b\d\d/\d\d/\d{4} \d\d:\d\d\b", "{time}", text)
    return re.sub(r"\b[0-9a-f]{8}\b", "{op}", text)  # operation ids


# The two runs' folders: names of one length, so that no output can differ by where a long
# line happens to wrap once the folder is masked.
LINUX, WINDOWS = "posix", "win32"


def test_every_command_writes_the_same_bytes_under_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    linux = _run_all(tmp_path / LINUX)
    with monkeypatch.context() as m:
        windows.install(m.setattr)
        windows.hide_fcntl(m.setitem)
        m.setattr(system, "_MALLOC_TRIM", None)
        under_windows = _run_all(tmp_path / WINDOWS)
    for step, a, b in zip(STEPS, linux, under_windows, strict=True):
        assert a[0] == (ExitCode.FINDINGS if step == ["doctor"] else 0), (step, a)
        assert a == b, step  # exit code, stdout and stderr
    for name in WRITTEN:
        mine = (tmp_path / WINDOWS / name).read_bytes()
        if name in CREATED:
            assert _parts(mine) == _parts((tmp_path / LINUX / name).read_bytes()), name
        else:
            assert mine == (tmp_path / LINUX / name).read_bytes(), name
    assert b"\r\r\n" not in (tmp_path / WINDOWS / "eod.eml").read_bytes()
    # The drafts with the document attached: the same message, the same bytes attached.
    for stem in DRAFTS:
        mine, theirs = (_draft(tmp_path / run / stem) for run in (WINDOWS, LINUX))
        assert mine[:2] == theirs[:2] and _parts(mine[2]) == _parts(theirs[2])
        assert mine[2] == mine[3] == (tmp_path / WINDOWS / f"{stem}.docx").read_bytes()
    assert len(list((tmp_path / WINDOWS / "documents").glob("*.docx"))) == 11
    # Each backup holds the bytes the workbook had before that write, on both.
    for folder in (LINUX, WINDOWS):
        backups = _backups(tmp_path / folder)
        assert len(backups) == 14, backups  # one per write of the tracker
    # In the order they were made.
    linux_backups = _backups(tmp_path / LINUX)
    win_backups = _backups(tmp_path / WINDOWS)
    for a, b in zip(linux_backups, win_backups, strict=True):
        assert a.read_bytes() == b.read_bytes()
    # The system's own files in the scanned folders were passed over without a word.
    for _, stdout, stderr in under_windows:
        for name in SYSTEM_FILES:
            assert name not in stdout and name not in stderr
    # No temporary file is left; the lock file went with the lock.
    leftovers = [p.name for p in (tmp_path / WINDOWS).rglob("*") if "esp-" in p.name]
    assert leftovers == ["esp-backups"]


# -- five esp processes at once, without fcntl -------------------------------------------------


def test_five_concurrent_note_adds_all_land_without_fcntl(tmp_path: Path) -> None:
    config = _sample(tmp_path)
    tracker = tmp_path / TRACKER_FILE
    env = windows.subprocess_env()
    probe = subprocess.run(
        [sys.executable, "-c", "import esp_cli.system as s; print(s._lock_class().__name__)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == "SoftFileLock", probe.stderr  # the reproduction is on
    agents = ["Tyrone Jackson", "Marcus Lee", "Hector Vargas", "Tyrone Jackson", "Marcus Lee"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "esp_cli", "note", "add", agent, f"call {i}", "--by", "Jo",
             "--date", DAY, "--config", str(config), "--format", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i, agent in enumerate(agents)
    ]  # fmt: skip
    for p in procs:
        out, err = finish(p)
        assert p.returncode == 0, err.decode()
        assert json.loads(out)["added"] is True
    res = run("explain", "Tyrone Jackson", "--as-of", DAY, "--config", str(config))
    assert res.exit_code == 0, res.output
    notes = _notes(tracker)
    for i, agent in enumerate(agents):
        assert f"11/24/2026 - Jo - call {i}" in notes[agent], agent
    assert len(_backups(tmp_path)) == 5  # one per writer; the log beside them
    assert not [p.name for p in tmp_path.iterdir() if "esp-lock" in p.name or "esp-tmp" in p.name]


def _openpyxl(path: Path) -> Any:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's x14 drop-down, which openpyxl drops
        return openpyxl.load_workbook(path)


def _notes(tracker: Path) -> dict[str, str]:
    ws = _openpyxl(tracker)["ESP Tracker"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "Agent Name" in r)
    name, notes = rows[header].index("Agent Name"), rows[header].index("Notes")
    return {str(r[name]): str(r[notes] or "") for r in rows[header + 1 :] if r[name]}


# -- Excel holding the workbook ----------------------------------------------------------------


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system, "SHARED_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(system, "SHARED_POLL_SECONDS", 0.001)


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    config = _sample(tmp_path)
    yield tmp_path / TRACKER_FILE, config


NOTE = ["note", "add", "Tyrone Jackson", "Called", "--by", "Jo", "--date", DAY]


def _temps(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*esp-tmp*")]


@pytest.mark.parametrize("winerror", [32, 5], ids=["sharing-violation", "access-denied"])
def test_excel_opening_the_file_during_the_write_is_exit_4_naming_the_user(
    book: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    on_windows: windows.Reproduction,
    quick_retries: None,
    winerror: int,
) -> None:
    """With --no-wait: the refusal of old, and nothing kept."""
    tracker, config = book
    before = tracker.read_bytes()
    excel = FakeExcel(monkeypatch.setattr)
    excel.winerror = winerror
    real_backup = safety.make_backup

    def backup_then_excel_opens(path: Path, *args: Any, **kwargs: Any) -> Path:
        saved = real_backup(path, *args, **kwargs)
        excel.open(path, "Zoë Nguyễn")  # between esp's check and its rename
        return saved

    monkeypatch.setattr(safety, "make_backup", backup_then_excel_opens)
    res = run(*NOTE, "--config", str(config), "--no-wait")
    assert res.exit_code == ExitCode.BUSY, res.output
    assert res.stdout == "" and res.stderr.count("\n") == 1
    assert "is open in Excel by Zoë Nguyễn" in res.stderr and "nothing was written" in res.stderr
    assert excel.refusals == 0  # its owner file, seen at the last look, stops the rename
    assert tracker.read_bytes() == before
    assert _temps(tracker.parent) == []
    assert Store(tracker).unwritten().ops == []


@pytest.mark.parametrize("winerror", [32, 5], ids=["sharing-violation", "access-denied"])
def test_excel_opening_the_file_during_the_write_keeps_the_change_waiting(
    book: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    on_windows: windows.Reproduction,
    quick_retries: None,
    winerror: int,
) -> None:
    """Excel takes the file between esp's check and its rename: the change waits beside
    the tracker (exit 7, naming who has it); once Excel closes it, esp apply writes it."""
    tracker, config = book
    before = tracker.read_bytes()
    excel = FakeExcel(monkeypatch.setattr)
    excel.winerror = winerror
    real_backup = safety.make_backup

    def backup_then_excel_opens(path: Path, *args: Any, **kwargs: Any) -> Path:
        saved = real_backup(path, *args, **kwargs)
        excel.open(path, "Zoë Nguyễn")
        return saved

    monkeypatch.setattr(safety, "make_backup", backup_then_excel_opens)
    res = run(*NOTE, "--config", str(config))
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "is open in Excel by Zoë Nguyễn" in res.stderr and "Nothing written yet" in res.stderr
    assert tracker.read_bytes() == before
    assert _temps(tracker.parent) == []
    (kept,) = Store(tracker).unwritten().ops
    assert kept.why == "open in Excel by Zoë Nguyễn"
    monkeypatch.setattr(safety, "make_backup", real_backup)
    excel.close()
    done = run("apply", "--config", str(config))
    assert done.exit_code == 0, done.output
    assert _notes(tracker)["Tyrone Jackson"].endswith("11/24/2026 - Jo - Called")
    assert Store(tracker).unwritten().ops == []


def test_waiting_and_applying_write_the_same_bytes_under_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel has the tracker while three commands run, then esp apply writes them: the
    waiting files (UTF-8 JSON, LF line ends) and the tracker written are byte for byte what
    they are without the reproduction (times and ids aside)."""

    def day(folder: Path) -> tuple[list[tuple[int, str, str]], list[bytes]]:
        config = _sample(folder)
        owner = folder / f"~${TRACKER_FILE}"
        owner.write_bytes(excel_owner_file("Keisha Grant"))
        out = []
        for step in (NOTE, *WAITING_STEPS):
            res = run(*step, "--config", str(config))
            out.append((res.exit_code, _masked(res.stdout, folder), _masked(res.stderr, folder)))
        kept = sorted((folder / "esp-backups" / f"{TRACKER_FILE}.waiting").glob("*.json"))
        files = [_masked_json(p.read_bytes(), folder) for p in kept]
        owner.unlink()
        for step in (["pending"], ["apply"]):
            res = run(*step, "--config", str(config))
            out.append((res.exit_code, _masked(res.stdout, folder), _masked(res.stderr, folder)))
        return out, files

    linux, linux_files = day(tmp_path / LINUX)
    with monkeypatch.context() as m:
        windows.install(m.setattr)
        windows.hide_fcntl(m.setitem)
        m.setattr(system, "_MALLOC_TRIM", None)
        under_windows, windows_files = day(tmp_path / WINDOWS)
    assert [code for code, _, _ in linux] == [7, 7, 7, 0, 0], linux[-1]
    assert linux == under_windows
    assert len(linux_files) == 3 and linux_files == windows_files
    assert all(b"\r\n" not in f for f in windows_files)
    mine = (tmp_path / WINDOWS / TRACKER_FILE).read_bytes()
    assert mine == (tmp_path / LINUX / TRACKER_FILE).read_bytes()
    assert "Keisha Grant" in linux[0][2]


WAITING_STEPS = [
    ["record-step", "Marcus Lee", "coaching", "--date", DAY, "--note", "Coaching — ça va"],
    ["access", "set", "Marcus Lee", "password reset", "--date", DAY],
]


def _masked_json(data: bytes, folder: Path) -> bytes:
    text = data.decode("utf-8").replace(str(folder), "{folder}")
    text = re.sub(r'"(time|op)": "[^"]*"', r'"\1": "?"', text)
    text = re.sub(r'"(login|machine|log_from)": [^,\n]*', r'"\1": ?', text)
    return text.encode("utf-8")


def test_waiting_files_are_hidden_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden: list[str] = []
    monkeypatch.setattr(system, "hide", lambda path: hidden.append(Path(path).name))
    tracker = tmp_path / TRACKER_FILE
    _sample(tmp_path)
    (tmp_path / f"~${TRACKER_FILE}").write_bytes(excel_owner_file("Keisha Grant"))
    res = run(*NOTE, "--config", str(tmp_path / "esp.toml"))
    assert res.exit_code == ExitCode.WAITING, res.output
    (kept,) = Store(tracker).unwritten().ops
    assert kept.file in hidden and f"{TRACKER_FILE}.waiting" in hidden


def test_excel_letting_go_during_the_retries_lets_the_write_through(
    book: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    on_windows: windows.Reproduction,
    quick_retries: None,
) -> None:
    monkeypatch.setattr(system, "SHARED_WAIT_SECONDS", 60.0)  # released long before
    tracker, config = book
    excel = FakeExcel(monkeypatch.setattr)
    excel.hold(tracker)  # e.g. OneDrive uploading it: no owner file
    excel.release_after = 3
    res = run(*NOTE, "--config", str(config))
    assert res.exit_code == 0, res.output
    assert excel.refusals == 4
    assert _notes(tracker)["Tyrone Jackson"].endswith("11/24/2026 - Jo - Called")
    assert _temps(tracker.parent) == []


def test_a_save_made_while_windows_refused_the_rename_is_never_replaced(
    book: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, quick_retries: None
) -> None:
    """OneDrive holds the tracker while it brings down a teammate's version: Windows refuses
    esp's rename and esp tries again. The file is looked at again before each try, so the
    version saved meanwhile refuses the write (the change waits) rather than being replaced."""
    monkeypatch.setattr(system, "SHARED_WAIT_SECONDS", 60.0)  # esp would try long enough
    tracker, config = book
    theirs = tracker.with_name("theirs.xlsx")
    theirs.write_bytes(tracker.read_bytes())
    wb = _openpyxl(theirs)
    wb.worksheets[0]["A1"] = "Saved by a teammate"
    wb.save(theirs)
    their_bytes = theirs.read_bytes()
    excel = FakeExcel(monkeypatch.setattr)
    excel.release_after = 3
    refuse = excel._check

    def refuse_while_their_version_lands(*paths: Any, winerror: int = 32) -> None:
        try:
            refuse(*paths, winerror=winerror)
        except OSError:
            if excel.refusals == 1:  # written while the file is held (os.write: not refused)
                fd = os.open(tracker, os.O_WRONLY | os.O_TRUNC)
                os.write(fd, their_bytes)
                os.close(fd)
            raise

    monkeypatch.setattr(excel, "_check", refuse_while_their_version_lands)
    real_backup = safety.make_backup

    def backup_then_onedrive_holds_it(path: Path, *args: Any, **kwargs: Any) -> Path:
        made = real_backup(path, *args, **kwargs)
        excel.hold(path)
        return made

    monkeypatch.setattr(safety, "make_backup", backup_then_onedrive_holds_it)
    res = run(*NOTE, "--config", str(config))
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "saved by someone while esp worked" in res.stderr
    assert tracker.read_bytes() == their_bytes
    assert _temps(tracker.parent) == []
    assert not list((tracker.parent / "esp-backups").glob("*.xlsx"))
    excel.close()
    monkeypatch.setattr(safety, "make_backup", real_backup)
    done = run("apply", "--config", str(config))
    assert done.exit_code == 0, done.output
    assert _openpyxl(tracker).worksheets[0]["A1"].value == "Saved by a teammate"
    assert _notes(tracker)["Tyrone Jackson"].endswith("11/24/2026 - Jo - Called")


def test_a_file_held_without_an_owner_file_is_held_by_someone(
    book: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    on_windows: windows.Reproduction,
    quick_retries: None,
) -> None:
    tracker, config = book
    before = tracker.read_bytes()
    excel = FakeExcel(monkeypatch.setattr, share_read=False)
    excel.hold(tracker)
    for argv in (NOTE, ["escalations", "--today", "--as-of", DAY]):
        res = run(*argv, "--config", str(config))
        assert res.exit_code == ExitCode.BUSY, res.output
        assert res.stdout == "" and res.stderr.count("\n") == 1
        assert "is open in Excel by someone" in res.stderr and "Fix:" in res.stderr
    excel.close()
    assert tracker.read_bytes() == before
    assert _temps(tracker.parent) == []


def test_a_file_held_after_esp_read_it_is_exit_4_too(
    book: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    on_windows: windows.Reproduction,
    quick_retries: None,
) -> None:
    tracker, config = book
    before = tracker.read_bytes()
    excel = FakeExcel(monkeypatch.setattr, share_read=False)
    real_check = safety.refuse_if_open
    checks: list[Path] = []

    def check_then_onedrive_takes_it(path: Path) -> None:
        real_check(path)
        checks.append(path)
        if len(checks) == 2:  # the check just before writing: esp has read the file
            excel.hold(path)

    monkeypatch.setattr(safety, "refuse_if_open", check_then_onedrive_takes_it)
    res = run(*NOTE, "--config", str(config), "--no-wait")
    assert res.exit_code == ExitCode.BUSY, res.output
    assert res.stdout == "" and res.stderr.count("\n") == 1
    assert "is open in Excel by someone" in res.stderr
    excel.close()
    assert tracker.read_bytes() == before and not (tracker.parent / "esp-backups").exists()
    assert _temps(tracker.parent) == []
    # Without --no-wait the change read before the program took the file waits.
    checks.clear()
    res = run(*NOTE, "--config", str(config))
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "held by a program" in res.stderr
    excel.close()
    assert tracker.read_bytes() == before
    assert len(Store(tracker).unwritten().ops) == 1


def test_the_owner_file_names_who_has_it_open(
    book: tuple[Path, Path], on_windows: windows.Reproduction
) -> None:
    tracker, config = book
    before = tracker.read_bytes()
    owner = tracker.with_name("~$" + tracker.name)
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    res = run(*NOTE, "--config", str(config), "--no-wait")
    assert res.exit_code == ExitCode.BUSY, res.output
    assert res.stderr.startswith(f"esp: {tracker} is open in Excel by Keisha Grant (~$")
    assert tracker.read_bytes() == before and not (tracker.parent / "esp-backups").exists()
    res = run(*NOTE, "--config", str(config))
    assert res.exit_code == ExitCode.WAITING, res.output
    assert f"{tracker.name} is open in Excel by Keisha Grant" in res.stderr


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (excel_owner_file("Keisha Grant"), "~$Book.xlsx", "Keisha Grant"),
        (excel_owner_file("Zoë Nguyễn"), "~$Book.xlsx", "Zoë Nguyễn"),  # from the UTF-16 copy
        # Word's layout: zeros to byte 54, the UTF-16 copy there.
        (bytes([3]) + b"Ann" + bytes(50) + b"\x03\x00" + "Ann".encode("utf-16-le") + bytes(100),
         "~$Book.docx", "Ann"),
        (excel_owner_file("Jo")[:40], "~$Book.xlsx", "Jo"),  # cut short: the 8-bit copy
        (b"", "~$Book.xlsx", None),
        (b"\xff" * 165, "~$Book.xlsx", None),
        (b"Jordan Reyes,jreyes,PC-042,24.11.2026 09:12,file:///C:/Users/jreyes;",
         ".~lock.Book.xlsx#", "Jordan Reyes"),
    ],
)  # fmt: skip
def test_owner_name(tmp_path: Path, data: bytes, name: str, expected: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert system.owner_name(path) == expected


# -- synced folders ----------------------------------------------------------------------------


def test_a_write_in_a_onedrive_folder_warns_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = tmp_path / "OneDrive - VendorCX" / "ESP"
    config = _sample(synced)
    res = run(*NOTE, "--config", str(config))
    assert res.exit_code == 0, res.output
    first = res.stderr.splitlines()[0]
    assert first.startswith("warning: ") and "is in a OneDrive folder" in first
    assert "no ~$ file" in first
    res = run(*NOTE[:2], "Tyrone Jackson", "Again", "--dry-run", "--config", str(config))
    assert res.exit_code == 0 and "warning" not in res.stderr  # a dry run writes nothing


def test_synced_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        monkeypatch.delenv(var, raising=False)
    assert system.synced_folder(tmp_path / "t.xlsx") is None
    assert system.synced_folder(tmp_path / "OneDrive" / "t.xlsx") == "OneDrive"
    assert system.synced_folder(tmp_path / "VendorCX" / "Team Site - SharePoint" / "t.xlsx") == (
        "SharePoint"
    )
    monkeypatch.setenv("OneDriveCommercial", str(tmp_path / "work"))
    assert system.synced_folder(tmp_path / "work" / "ESP" / "t.xlsx") == "OneDrive"
    assert system.synced_folder(tmp_path / "elsewhere" / "t.xlsx") is None


# -- cp1252 pipes and consoles -----------------------------------------------------------------


def _esp(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "esp_cli", *argv], env=env, capture_output=True, timeout=120
    )


@pytest.mark.parametrize("reproduction", [False, True], ids=["linux", "windows"])
def test_a_cp1252_pipe_never_crashes_and_gets_utf8(tmp_path: Path, reproduction: bool) -> None:
    config = _sample(tmp_path)
    env = windows.subprocess_env(PYTHONIOENCODING="cp1252")
    if not reproduction:
        env.pop("ESP_WINDOWS_REPRODUCTION")
    res = _esp(["--help"], env)
    assert res.returncode == 0, res.stderr
    assert "sync-nnumbers" in res.stdout.decode("utf-8")
    res = _esp(["escalations", "--today", "--as-of", DAY, "--config", str(config)], env)
    assert res.returncode == 0, res.stderr
    table = res.stdout.decode("utf-8")  # strict: UTF-8, whatever the code page
    assert "┏━" in table and "│ Tyrone Jackson" in table
    name = "Nguyễn Thị Ánh"  # ễ and ị are not in cp1252
    argv = ["note", "add", "Tyrone Jackson", "Checked in", "--by", name, "--date", DAY]
    res = _esp([*argv, "--dry-run", "--config", str(config)], env)
    assert res.returncode == 0, res.stderr
    assert f"11/24/2026 - {name} - Checked in" in res.stdout.decode("utf-8")
    assert "→" in res.stdout.decode("utf-8")
    res = _esp([*argv, "--dry-run", "--format", "json", "--config", str(config)], env)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.decode("utf-8"))["note"] == f"11/24/2026 - {name} - Checked in"


def test_a_cp1252_console_gets_a_readable_ascii_table(tmp_path: Path) -> None:
    config = _sample(tmp_path)
    env = windows.subprocess_env(PYTHONIOENCODING="cp1252", COLUMNS="200", LINES="50")
    name = "Nguyễn Thị Ánh"
    argv = ["note", "add", "Tyrone Jackson", "Checked in", "--by", name, "--date", DAY, "--dry-run"]
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "esp_cli", *argv, "--config", str(config)],
            env=env,
            stdout=secondary,
            stderr=subprocess.PIPE,
        )
        os.close(secondary)
        console = read_to_end(primary)
        _, err = finish(proc, said=console)
    finally:
        os.close(primary)
    assert proc.returncode == 0, err.decode()
    # Colour codes aside (a console takes them), the table is drawn in ASCII.
    shown = re.sub(r"\x1b\[[0-9;]*m", "", console.decode("cp1252"))
    assert "\n+-----" in shown and "| Cell " in shown and "| Before -> After " in shown
    assert "11/24/2026 - Nguy?n Th? Ánh - Checked in" in shown  # what cp1252 has, kept


# Standard output as Windows has it once its reader quit (`| Select-Object -First 1`): the C
# runtime fails every write with EINVAL, until the descriptor is pointed elsewhere.
_CLOSED_PIPE = """
import errno, io, os, sys

class ClosedPipe(io.RawIOBase):
    def writable(self):
        return True

    def fileno(self):
        return 1

    def write(self, b):
        if os.path.samestat(os.fstat(1), os.stat(os.devnull)):
            return len(b)
        raise OSError(errno.EINVAL, "Invalid argument")

sys.stdout = io.TextIOWrapper(io.BufferedWriter(ClosedPipe()), encoding="utf-8")
from esp_cli import system
system.WINDOWS = True
sys.argv = ["esp", *sys.argv[1:]]
from esp_cli.launch import main
main()
"""


def test_a_reader_that_quit_early_on_windows_is_no_failure(tmp_path: Path) -> None:
    config = _sample(tmp_path)
    argv = ["note", "add", "Tyrone Jackson", "Checked in", "--by", "Jo Smith", "--date", DAY]
    res = subprocess.run(
        [sys.executable, "-c", _CLOSED_PIPE, *argv, "--format", "json", "--config", str(config)],
        env=windows.subprocess_env(),
        capture_output=True,
        timeout=120,
    )
    said = res.stderr.decode("utf-8")
    assert res.returncode == 0, said
    assert "undo with: esp undo" in said and "Traceback" not in said
    assert res.stdout == b""


def test_format_table_in_ascii_keeps_columns_aligned() -> None:
    from esp_cli.render import format_table

    text = format_table(
        "T", ["Cell", "Before → After"], [["A1", "— → 11/24/2026"]], None, ascii_only=True
    )
    lines = text.splitlines()
    assert lines[1] == "+------+-----------------+"
    assert lines[2] == "| Cell | Before -> After |"
    assert lines[4] == "| A1   | - -> 11/24/2026 |"
    assert len({len(line) for line in lines[1:]}) == 1


# -- files esp leaves, and the folders it uses ---------------------------------------------------


def test_stale_temporary_files_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    names = {
        "killed": f".ESP Tracker.xlsx.esp-tmp-{dead.stdout.strip()}-abc",
        "running": f".ESP Tracker.xlsx.esp-tmp-{os.getpid()}-def",
        "old": f".ESP Tracker.xlsx.esp-tmp-{os.getpid()}-ghi",
        "other workbook": f".Other.xlsx.esp-tmp-{dead.stdout.strip()}-jkl",
        "a longer name": f".ESP Tracker.xlsx.bak.esp-tmp-{dead.stdout.strip()}-mno",
        "not esp's": ".ESP Tracker.xlsx.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"x")
    hours_ago = time.time() - 2 * system.STALE_AFTER_SECONDS
    os.utime(tmp_path / names["old"], (hours_ago, hours_ago))
    removed = system.remove_stale_temps(tmp_path, lambda target: target == "ESP Tracker.xlsx")
    assert sorted(p.name for p in removed) == sorted([names["killed"], names["old"]])
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {names[k] for k in ("running", "other workbook", "a longer name", "not esp's")}


def test_system_files_are_not_the_teams(tmp_path: Path) -> None:
    for name in SYSTEM_FILES:
        assert system.is_system_file(tmp_path / name), name
    for name in ("Hector Vargas TBT.pdf", "desktop.ini.pdf", "thumbs.png", "a~$b.pdf"):
        assert not system.is_system_file(tmp_path / name), name


def test_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESP_CACHE_DIR", str(tmp_path / "cache"))
    assert system.user_cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("ESP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert system.user_cache_dir() == tmp_path / "xdg" / "esp"
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path / "config"))
    assert system.user_config_dir() == tmp_path / "config"
    monkeypatch.delenv("ESP_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert system.user_config_dir() == tmp_path / "cfg" / "esp"


def test_sidecar_files_are_hidden_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str, int]] = []

    class Kernel32:
        def GetFileAttributesW(self, path: str) -> int:  # noqa: N802 (the Windows name)
            calls.append(("get", path, 0))
            return 0x20  # FILE_ATTRIBUTE_ARCHIVE

        def SetFileAttributesW(self, path: str, attributes: int) -> int:  # noqa: N802
            calls.append(("set", path, attributes))
            return 1

    class WinDLL:
        kernel32 = Kernel32()

    monkeypatch.setattr(ctypes, "windll", WinDLL(), raising=False)
    lock = tmp_path / ".ESP Tracker.xlsx.esp-lock"
    system.hide(lock)
    assert calls == []  # not on Windows: the leading dot hides it
    monkeypatch.setattr(system, "WINDOWS", True)
    system.hide(lock)
    assert calls == [("get", str(lock), 0), ("set", str(lock), 0x22)]


def test_pid_alive() -> None:
    assert system.pid_alive(os.getpid())
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert not system.pid_alive(int(done.stdout))
    assert not system.pid_alive(0)


# -- nothing OS-specific outside the seam -------------------------------------------------------

OS_SPECIFIC = re.compile(
    r"\bfcntl\b|\bmsvcrt\b|\bctypes\b|\bwinreg\b|O_BINARY|sys\.platform|os\.name\b|"
    r"malloc_trim|\bplatformdirs\b|\bfilelock\b|\bos\.open\(|\bos\.kill\(|\bwindll\b|"
    r"^\s*(?:import|from) readline\b"
)


def test_nothing_os_specific_outside_system_py() -> None:
    package = ROOT / "src" / "esp_cli"
    found = [
        f"{path.relative_to(package)}:{n}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "system.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OS_SPECIFIC.search(line.split("#")[0])
    ]
    assert found == []


def test_the_scan_would_see_an_os_specific_call(tmp_path: Path) -> None:
    for line in ("import fcntl", "fd = os.open(p, os.O_WRONLY)", "if sys.platform == 'win32':",
                 "ctypes.CDLL(None).malloc_trim(0)", "from filelock import FileLock",
                 "    import readline"):  # fmt: skip
        assert OS_SPECIFIC.search(line), line
    assert not OS_SPECIFIC.search("path.open('rb')")


@pytest.fixture(autouse=True)
def _no_onedrive_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own OneDrive variables must not make every write warn here.
    for var in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        monkeypatch.delenv(var, raising=False)


def test_esp_toml_in_the_user_config_folder_is_read_when_none_is_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from esp_cli.config import load_config

    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    monkeypatch.setenv("ESP_CONFIG_DIR", str(folder))
    here = tmp_path / "work"
    here.mkdir()
    assert load_config(cwd=here).user == "Jordan Reyes"
    (here / "esp.toml").write_text('[people]\nuser = "Kim Lee"\n', encoding="utf-8")
    assert load_config(cwd=here).user == "Kim Lee"  # ./esp.toml first
