"""esp round: many agents in one sitting, one write, nothing typed ever lost.

Driven as a person would: through a pseudo-terminal and through a pipe, in a real process
(the answers must survive the process: they wait beside the tracker as they are typed),
checking the cells, the backups and the waiting changes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from esp_cli.config import Config
from esp_cli.core import answers as A
from esp_cli.core.answers import Answer, Effect, Key, Op
from esp_cli.services.round import finish_round, journal_path, start_round
from esp_cli.workbook.waiting import Store
from tests import factories
from tests.support.clock import dated
from tests.support.processes import default_sigint, finish, read_until
from tests.test_waiting_recompute import NO_NEXT_ACTION_DUE

SME = "Priya Natarajan"
HEADERS = (*factories.TRACKER_HEADERS, *factories.headers("tbt_sme", "coaching_date"))
# One title row: the header is row 2, agents from row 3. Notes K, TBT Notes L, Coaching N.
NOTES, TBT_NOTES, COACHING, CALL_CERT = "K", "L", "N", "H"
# Set for each test by _dated_today (tests/support/clock.py `dated`), never at import.
TODAY, STAMP, START = date.min, "", date.min
NAMES = ["Devon Price", "Dana Cole", "Sam Lee", "Ana Ruiz", "Kim Ng"]


@pytest.fixture(autouse=True)
def _dated_today(today: date) -> None:
    """TODAY, STAMP, START: the test's own day (conftest's `today`), not the day the module was
    imported, which a suite running across midnight leaves behind."""
    globals().update(dated(today))


def agent(i: int, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "Class": "AET-1",
        "Agent Name": name,
        "Agent ID": f"E10{i}",
        "ESP Start Date": START,
        "TBT SME": SME,
        **extra,
    }


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    agents = [agent(i, n) for i, n in enumerate(NAMES)]
    agents[1]["TBT Notes"] = "Tom Alvarez - 11/23/2026 - Waiting on Citrix."
    complete = {"Call Cert Complete?": "Yes", "All TBTs Complete?": "Y"}
    agents.append(agent(9, "Done Agent", **complete))
    agents.append({**agent(8, "Other Sme"), "TBT SME": "Tom Alvarez"})
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", agents, headers=HEADERS)


def esp(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "esp_cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def cells(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def waiting_agents(tracker: Path) -> list[str]:
    """The agents whose answers wait beside the tracker, oldest first."""
    return [op.cells[0].agent for op in Store(tracker).unwritten().ops]


def backups(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "esp-backups"
    return sorted(folder.glob("*.xlsx")) if folder.is_dir() else []


# The day's answers: a note for Devon, Dana skipped, Sam's coaching then a note, a note for
# Ana, then quit (Kim is not reached) and confirm.
ANSWERS = "On module 3\n\n/s\nCoaching done, back on TBTs\nWaiting on SPOC\nq\n"


def expected_round(before: dict[str, Any]) -> dict[str, Any]:
    after = dict(before)
    after[f"{TBT_NOTES}3"] = f"Jordan Reyes - {STAMP} - On module 3"
    after[f"{COACHING}5"] = TODAY
    after[f"{NOTES}5"] = f"{STAMP} - Jordan Reyes - Documented coaching delivered"
    after[f"{TBT_NOTES}5"] = f"Jordan Reyes - {STAMP} - Coaching done, back on TBTs"
    after[f"{TBT_NOTES}6"] = f"Jordan Reyes - {STAMP} - Waiting on SPOC"
    return after


def _days(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.date() if isinstance(v, datetime) else v) for k, v in values.items()}


def same_cells(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert _days(got) == _days(want)


def test_pipe_round_is_one_write_with_every_cell_as_typed(tracker: Path, tmp_path: Path) -> None:
    before = cells(tracker)
    done = esp(tmp_path, "round", "--class", "aet-1", "-t", str(tracker), stdin=ANSWERS + "y\n")
    assert done.returncode == 0, done.stderr
    same_cells(cells(tracker), expected_round(before))
    assert len(backups(tmp_path)) == 1
    assert waiting_agents(tracker) == []
    # The summary (stdout) lists every cell; the person's talk is on stderr.
    assert done.stdout.count("ESP Tracker!") == 5
    assert "[1/6] Devon Price" in done.stderr  # Done Agent (complete) is not listed
    assert "Done Agent" not in done.stderr
    assert "Wrote 5 cell(s)" in done.stderr


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(b"\xef\xbb\xbf/s\nCaf\xc3\xa9 ok\nq\ny\n", id="utf-8 with a byte-order mark"),
        pytest.param(b"/s\r\nCaf\xe9 ok\r\nq\r\ny\r\n", id="windows-1252"),
    ],
)
def test_answers_piped_from_a_windows_file_are_read_as_typed(
    tracker: Path, tmp_path: Path, answers: bytes
) -> None:
    """Notepad saves UTF-8 with a byte-order mark; Windows' older tools write Windows-1252.
    Either way the first line is the key /s (not a note starting with the mark), and é is é
    (not a traceback)."""
    done = subprocess.run(
        [sys.executable, "-m", "esp_cli", "round", "--class", "AET-1", "-t", str(tracker)],
        input=answers,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, stderr
    got = cells(tracker)
    assert got[f"{COACHING}3"].date() == TODAY
    assert got[f"{NOTES}3"] == f"{STAMP} - Jordan Reyes - Documented coaching delivered"
    # The step keeps Devon on screen: the next line is his TBT note, and the only one.
    assert got[f"{TBT_NOTES}3"] == f"Jordan Reyes - {STAMP} - Café ok"


def test_pipe_without_confirmation_writes_nothing_and_keeps_the_answers(
    tracker: Path, tmp_path: Path
) -> None:
    before = cells(tracker)
    done = esp(tmp_path, "round", "--class", "AET-1", "--tracker", str(tracker), stdin=ANSWERS)
    assert done.returncode == 0, done.stderr
    assert "Not confirmed" in done.stderr
    assert cells(tracker) == before and backups(tmp_path) == []
    assert waiting_agents(tracker) == ["Devon Price", "Sam Lee", "Ana Ruiz"]
    # Every teammate's esp counts them: Sam's coaching is delivered, not due.
    today = esp(tmp_path, "escalations", "--today", "-f", "json", "-t", str(tracker))
    due = [i["agent"] for i in json.loads(today.stdout) if i["action"] == "coaching"]
    assert "Sam Lee" not in due and "Dana Cole" in due
    # A new round says so, and goes on...
    again = esp(tmp_path, "round", "--class", "AET-1", "--tracker", str(tracker), stdin="q\n")
    assert again.returncode == 0, again.stderr
    assert "still wait" in again.stderr
    assert cells(tracker) == before
    # ...and --resume writes them.
    resumed = esp(tmp_path, "round", "--resume", "--yes", "--tracker", str(tracker))
    assert resumed.returncode == 0, resumed.stderr
    same_cells(cells(tracker), expected_round(before))
    assert len(backups(tmp_path)) == 1
    assert waiting_agents(tracker) == []


def test_a_round_asks_for_the_earlier_answers_it_would_write(tracker: Path, tmp_path: Path) -> None:
    """Answers not confirmed wait; a new round by the same person writes them with its own,
    so it shows them and asks for them too — also when it has nothing new of its own (the
    same line typed again): never "nothing to write" and then a write nobody confirmed."""
    before = cells(tracker)
    line = f"{TBT_NOTES}3 │ Devon Price"
    first = esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), stdin="On module 3\nq\n")
    assert "Not confirmed" in first.stderr
    again = esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), stdin="On module 3\nq\n")
    assert again.returncode == 0, again.stderr
    assert "Write 1 cell(s)" in again.stderr and "Not confirmed" in again.stderr
    assert line in again.stdout + again.stderr
    assert "Nothing to write" not in again.stderr and "Also wrote" not in again.stderr
    assert cells(tracker) == before and backups(tmp_path) == []
    assert waiting_agents(tracker) == ["Devon Price", "Devon Price"]
    # Confirmed, the line is written once.
    done = esp(tmp_path, "round", "--resume", "-t", str(tracker), stdin="y\n")
    assert done.returncode == 0, done.stderr
    assert cells(tracker)[f"{TBT_NOTES}3"] == f"Jordan Reyes - {STAMP} - On module 3"
    assert waiting_agents(tracker) == []


def test_yes_applies_without_asking_and_dry_run_writes_nothing(
    tracker: Path, tmp_path: Path
) -> None:
    before = cells(tracker)
    dry = esp(tmp_path, "round", "--class", "AET-1", "-n", "-t", str(tracker), stdin=ANSWERS)
    assert dry.returncode == 0, dry.stderr
    assert "Dry run" in dry.stderr and cells(tracker) == before
    assert waiting_agents(tracker) == []  # a dry run keeps nothing waiting
    assert dry.stdout.count("ESP Tracker!") == 5  # yet shows every cell
    done = esp(tmp_path, "round", "--class", "AET-1", "--yes", "-t", str(tracker), stdin=ANSWERS)
    assert done.returncode == 0, done.stderr
    same_cells(cells(tracker), expected_round(before))


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_pseudo_terminal_round(tracker: Path, tmp_path: Path) -> None:
    before = cells(tracker)
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "esp_cli", "round", "--sme", "natarajan priya", "-t", str(tracker)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        close_fds=True,
    )
    os.close(slave)
    seen = bytearray()
    start = 0
    try:
        for prompt, answer in [
            (b"Devon Price> ", "On module 3"),
            (b"Dana Cole> ", ""),
            (b"Sam Lee> ", "/s"),
            (b"coaching delivered", "Coaching done, back on TBTs"),
            (b"Ana Ruiz> ", "?"),
            (b"Saved phrases", "Waiting on SPOC"),
            (b"Kim Ng> ", "q"),
            (b"[y/N] ", "y"),
        ]:
            read_until(master, prompt, seen, start)
            start = len(seen)
            os.write(master, answer.encode() + b"\r")  # Enter, as a terminal sends it
        read_until(master, b"backup:", seen, start)
        finish(proc, said=bytes(seen))
        assert proc.returncode == 0, seen.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    same_cells(cells(tracker), expected_round(before))
    assert len(backups(tmp_path)) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_ctrl_c_ends_a_round_at_a_terminal_even_when_started_with_it_ignored(
    tracker: Path, tmp_path: Path
) -> None:
    """A launcher or a script's background job may start esp with SIGINT ignored; at a
    terminal, Ctrl-C must still end the round, keeping every answer."""

    def ignore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    before = cells(tracker)
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "esp_cli", "round", "--class", "AET-1", "-t", str(tracker)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        close_fds=True,
        preexec_fn=ignore_sigint,
    )
    os.close(slave)
    seen = bytearray()
    try:
        read_until(master, b"Devon Price> ", seen)
        os.write(master, b"On module 3\r")
        read_until(master, b"Dana Cole> ", seen)
        proc.send_signal(signal.SIGINT)  # what Ctrl-C at the terminal sends
        # A signal that lands after readline has drawn the prompt but before it waits for
        # a key is acted on when the line ends (Python runs its handler then): as a person
        # would, press Enter. The answer is never taken; the round still ends.
        os.write(master, b"\r")
        read_until(master, b"nothing lost", seen)
        finish(proc, said=bytes(seen))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert proc.returncode == 130, seen.decode(errors="replace")
    assert cells(tracker) == before and backups(tmp_path) == []
    assert waiting_agents(tracker) == ["Devon Price"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_round_resumes_with_nothing_lost(
    tracker: Path, tmp_path: Path, how: signal.Signals
) -> None:
    before = cells(tracker)
    proc = subprocess.Popen(
        [sys.executable, "-m", "esp_cli", "round", "--class", "AET-1", "-t", str(tracker)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        preexec_fn=default_sigint,  # as from a terminal, however the suite was started
    )
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.write(b"On module 3\n\n/s\nCoaching done, back on TBTs\n")
    proc.stdin.flush()
    seen = bytearray()
    try:
        read_until(proc.stderr.fileno(), b"[4/6] Ana Ruiz> ", seen)  # three agents answered
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    proc.send_signal(how)
    # Its stdin stays open (finish would close it): the round ends by the signal, not by EOF.
    stdin, proc.stdin = proc.stdin, None
    _, rest = finish(proc, said=bytes(seen))
    stdin.close()
    if how is signal.SIGINT:
        assert proc.returncode == 130
        assert b"every answer waits beside the tracker" in rest
    assert cells(tracker) == before and backups(tmp_path) == []
    resumed = esp(tmp_path, "round", "--resume", "--yes", "-t", str(tracker))
    assert resumed.returncode == 0, resumed.stderr
    want = expected_round(before)
    del want[f"{TBT_NOTES}6"]  # Ana's note was never typed
    same_cells(cells(tracker), want)
    assert len(backups(tmp_path)) == 1


def test_round_refused_while_open_is_applied_by_resume_once_closed(
    tracker: Path, tmp_path: Path
) -> None:
    before = cells(tracker)
    owner = tracker.with_name("~$" + tracker.name)
    owner.write_bytes(b"Priya")
    done = esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), stdin=ANSWERS + "y\n")
    assert done.returncode == 7, done.stderr
    assert "open in Excel" in done.stderr and "nothing lost" in done.stderr
    assert cells(tracker) == before and backups(tmp_path) == []
    assert waiting_agents(tracker) == ["Devon Price", "Sam Lee", "Ana Ruiz"]
    owner.unlink()
    resumed = esp(tmp_path, "round", "--resume", "-t", str(tracker), stdin="y\n")
    assert resumed.returncode == 0, resumed.stderr
    same_cells(cells(tracker), expected_round(before))
    assert len(backups(tmp_path)) == 1
    assert waiting_agents(tracker) == []


def test_a_cell_changed_meanwhile_is_a_conflict_not_overwritten(
    tracker: Path, tmp_path: Path
) -> None:
    esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), stdin=ANSWERS)  # not confirmed
    # Meanwhile, in Excel: Sam's coaching recorded on another day, and a line added to
    # Devon's TBT Notes (lines added are fine: ours goes after).
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws[f"{COACHING}5"] = TODAY - timedelta(days=1)
    ws[f"{COACHING}5"].number_format = "m/d/yyyy"
    ws[f"{TBT_NOTES}3"] = "Tom Alvarez - 11/30/2026 - Called the agent."
    wb.save(tracker)
    resumed = esp(tmp_path, "round", "--resume", "--yes", "-t", str(tracker))
    assert resumed.returncode == 5, resumed.stderr
    yesterday = (TODAY - timedelta(days=1)).strftime("%m/%d/%Y")
    assert f"Conflict: 'ESP Tracker'!{COACHING}5 (Coaching Date, Sam Lee)" in resumed.stderr
    assert f"now {yesterday}); not written: {STAMP}" in resumed.stderr
    got = cells(tracker)
    assert got[f"{COACHING}5"].date() == TODAY - timedelta(days=1)
    assert got[f"{TBT_NOTES}3"] == (
        f"Tom Alvarez - 11/30/2026 - Called the agent.\nJordan Reyes - {STAMP} - On module 3"
    )
    assert got[f"{TBT_NOTES}6"] == f"Jordan Reyes - {STAMP} - Waiting on SPOC"
    # Sam's answers wait on, every one of them, until the conflict is settled.
    assert waiting_agents(tracker) == ["Sam Lee"]
    assert f"{TBT_NOTES}5" not in got


def test_a_journal_an_older_esp_left_is_written_by_resume(tracker: Path, tmp_path: Path) -> None:
    """A round's journal from before answers waited beside the tracker: its answers become
    waiting changes and are written; the journal is set aside in the backups folder."""
    line = f"Jordan Reyes - {STAMP} - From an old round"
    kept = A.AgentAnswers(
        "ESP Tracker",
        3,
        "Devon Price",
        "E100",
        "AET-1",
        shown={"tbt_notes": None},
        answers=[Answer(Key.TBT_NOTE, "TBT note", (Effect(Op.APPEND, "tbt_notes", line),))],
    )
    header = {"esp_round": 1, "tracker": tracker.name, "by": "Jordan Reyes", "day": "x"}
    journal_path(tracker).write_text(
        json.dumps(header) + "\n" + json.dumps(A.agent_fields(kept)) + "\n", encoding="utf-8"
    )
    resumed = esp(tmp_path, "round", "--resume", "--yes", "-t", str(tracker))
    assert resumed.returncode == 0, resumed.stderr
    assert "kept by an older esp" in resumed.stderr
    assert cells(tracker)[f"{TBT_NOTES}3"] == line
    assert not journal_path(tracker).exists()
    assert list((tmp_path / "esp-backups").glob("*.round-*.jsonl"))


def test_an_answer_in_conflict_takes_the_note_documenting_it_along(
    tracker: Path, tmp_path: Path
) -> None:
    """Devon's access answered while the tracker is open, with a TBT note of its own; then
    the access cell is changed in Excel. The access answer is a conflict, and the line that
    documents it ("Citrix TBT Access: Equipment Issue") goes in only with it: both or
    neither. The plain note is written once the conflict is resolved (--skip-conflicts)."""
    owner = tracker.with_name("~$" + tracker.name)
    owner.write_bytes(b"Priya")
    typed = "/a 6\nStill no Citrix on the laptop\nq\ny\n"
    esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), stdin=typed)
    owner.unlink()
    wb = openpyxl.load_workbook(tracker)
    wb["ESP Tracker"]["J3"] = "Learning Hub Issue"  # meanwhile, in Excel
    wb.save(tracker)
    resumed = esp(tmp_path, "round", "--resume", "--yes", "-t", str(tracker))
    assert resumed.returncode == 5, resumed.stderr
    got = cells(tracker)
    assert got["J3"] == "Learning Hub Issue"
    assert "Equipment Issue" not in str(got.get(f"{TBT_NOTES}3"))
    assert "Equipment Issue" in resumed.stderr  # the conflict is shown
    settled = esp(tmp_path, "apply", "--skip-conflicts", "-t", str(tracker))
    assert settled.returncode == 0, settled.stderr
    got = cells(tracker)
    assert got["J3"] == "Learning Hub Issue"
    assert got[f"{TBT_NOTES}3"] == f"Jordan Reyes - {STAMP} - Still no Citrix on the laptop"
    assert esp(tmp_path, "pending", "-t", str(tracker)).stderr.startswith("Nothing waits")


def test_default_agents_are_the_signers_when_a_tbt_sme(tracker: Path, tmp_path: Path) -> None:
    mine = esp(tmp_path, "round", "--by", "Tom Alvarez", "-t", str(tracker), stdin="q\n")
    assert mine.returncode == 0, mine.stderr
    assert "[1/1] Other Sme" in mine.stderr
    assert "Nothing typed" in mine.stderr and waiting_agents(tracker) == []
    nobody = esp(tmp_path, "round", "-t", str(tracker), stdin="q\n")  # Jordan is no SME
    assert nobody.returncode == 2
    assert "--class" in nobody.stderr and "--sme" in nobody.stderr


def test_keys_complete_access_back_and_undo(tracker: Path, tmp_path: Path) -> None:
    typed = "\n".join(
        [
            "/x",  # unknown: said so, nothing recorded
            "/c",  # Call Cert complete (stays)
            "/a password-reset",  # access by name (stays)
            "/b",  # first agent: said so
            "",  # on to Dana
            "Wrong note",
            "/b",  # back to Dana
            "/u",  # her note undone
            "/n Self-report checked",  # a Notes line instead
            "q",
            "y",
        ]
    )
    done = esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), stdin=typed + "\n")
    assert done.returncode == 0, done.stderr
    assert "/x is not a key" in done.stderr
    got = cells(tracker)
    assert got[f"{CALL_CERT}3"] == "Yes"
    assert got["J3"] == "Password Reset"
    assert got[f"{TBT_NOTES}3"] == f"Jordan Reyes - {STAMP} - Citrix TBT Access: Password Reset"
    assert got[f"{NOTES}4"] == f"{STAMP} - Jordan Reyes - Self-report checked"
    assert got[f"{TBT_NOTES}4"] == "Tom Alvarez - 11/23/2026 - Waiting on Citrix."
    # Call Cert Complete Date was not a column: added, with today's date.
    header = {v: k for k, v in got.items() if isinstance(v, str) and k.endswith("2")}
    date_col = header["Call Cert Complete Date"][:-1]
    assert got[f"{date_col}3"].date() == TODAY
    assert len(backups(tmp_path)) == 1


# ------------------------------------------------------------------- the pure parts


def test_parse_typed() -> None:
    assert A.parse_typed("  on  module 3 ") == A.Typed(Key.TBT_NOTE, "on module 3")
    assert A.parse_typed("") == A.Typed(Key.NEXT)
    assert A.parse_typed("Q") == A.Typed(Key.QUIT)
    # a command word with a full stop or a question mark is still that word, never a note
    assert A.parse_typed("quit.") == A.Typed(Key.QUIT)
    assert A.parse_typed("Next?") == A.Typed(Key.NEXT)
    assert A.parse_typed("Help!") == A.Typed(Key.HELP)
    assert A.parse_typed("?") == A.Typed(Key.HELP)
    assert A.parse_typed("quit now.") == A.Typed(Key.TBT_NOTE, "quit now.")
    assert A.parse_typed("/s in person") == A.Typed(Key.STEP, "in person")
    assert A.parse_typed("/N called") == A.Typed(Key.NOTE, "called")
    with pytest.raises(A.UnknownKey):
        A.parse_typed("/zz")
    with pytest.raises(A.UnknownKey):
        A.parse_typed("/n")


def _note(line: str) -> Answer:
    return Answer(Key.TBT_NOTE, line, (Effect(Op.APPEND, "tbt_notes", line),))


def test_journal_round_trip_keeps_the_last_state_of_each_agent() -> None:
    first = A.AgentAnswers("S", 3, "Devon", "E1", "AET-1", {"tbt_notes": None}, [_note("x")])
    second = A.AgentAnswers("S", 4, "Dana", "E2", "AET-1", {"tbt_notes": None}, [_note("y")])
    undone = A.AgentAnswers("S", 4, "Dana", "E2", "AET-1", {}, [])
    again = A.AgentAnswers("S", 3, "Devon", "E1", "AET-1", {"tbt_notes": None}, [_note("z")])
    lines = [A.agent_fields(a) for a in (first, second, undone, again)]
    got = A.latest_answers(lines)
    assert [(a.agent, [x.label for x in a.answers]) for a in got] == [("Devon", ["z"])]
    step = Answer(Key.STEP, "c", (Effect(Op.SET, "coaching_date", date(2026, 11, 24)),))
    assert A.answer_from(A.answer_fields(step)) == step


def test_apply_reads_again_when_the_file_changed_since_the_round_read_it(
    tracker: Path, tmp_path: Path
) -> None:
    config = Config(user="Jordan Reyes")
    rnd = start_round(tracker, config, cls="AET-1")
    rnd.add(0, rnd.answer(0, A.parse_typed("On module 3"), lambda _: None, lambda _: None))
    wb = openpyxl.load_workbook(tracker)
    wb["ESP Tracker"][f"{NOTES}7"] = "edited meanwhile"
    wb.save(tracker)
    result = finish_round(tracker, config, rnd.keeper.ops, read=rnd.table)
    assert [c.cell for c in result.write.changes] == [f"{TBT_NOTES}3"]
    got = cells(tracker)
    assert got[f"{NOTES}7"] == "edited meanwhile"  # the second read kept it
    assert got[f"{TBT_NOTES}3"] == f"Jordan Reyes - {STAMP} - On module 3"


def test_answers_follow_their_agent_after_a_sort_even_between_namesakes(
    tmp_path: Path,
) -> None:
    """Two agents called Sam Lee in one class; Excel sorts them the other way round while the
    round is open. Each answer goes to the Sam it was typed for (by Agent ID), not to the
    Sam now in the row where it was shown."""
    agents = [agent(0, "Sam Lee"), agent(1, "Sam Lee"), agent(2, "Ana Ruiz")]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", agents, headers=HEADERS)
    config = Config(user="Jordan Reyes")
    rnd = start_round(path, config, cls="AET-1")
    shown = [(c.agent.row, c.agent.agent_id) for c in rnd.cards]
    assert shown == [(3, "E100"), (4, "E101"), (5, "E102")]
    rnd.add(0, rnd.answer(0, A.parse_typed("for E100"), lambda _: None, lambda _: None))
    wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    first, second = ([c.value for c in ws[r]] for r in (3, 4))
    for col, (a, b) in enumerate(zip(first, second, strict=True), start=1):
        ws.cell(3, col).value, ws.cell(4, col).value = b, a
    wb.save(path)
    result = finish_round(path, config, rnd.keeper.ops, read=rnd.table)
    assert [c.cell for c in result.write.changes] == [f"{TBT_NOTES}4"]
    got = cells(path)
    assert got["C4"] == "E100" and got[f"{TBT_NOTES}4"].endswith(" - for E100")
    assert f"{TBT_NOTES}3" not in got


def test_cards_show_what_is_due_the_latest_lines_and_todays_self_report(
    tmp_path: Path,
) -> None:
    notes = f"11/20/2026 - Jordan Reyes - Started.\n{STAMP} - Price, Devon - Module 5 done"
    agents = [agent(0, "Devon Price", Notes=notes, **{"TBT Notes": "Tom - 11/23/2026 - ok"})]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", agents, headers=HEADERS)
    rnd = start_round(path, Config(user="Jordan Reyes"), sme="Priya Natarajan")
    card = rnd.cards[0]
    assert card.status == "Coaching due"
    assert card.due[0].startswith("Documented coaching due ")
    assert any(line.startswith("Behind target since ") for line in card.due)
    assert card.latest_note == f"{STAMP} - Price, Devon - Module 5 done"
    assert card.latest_tbt_note == "Tom - 11/23/2026 - ok"
    assert card.self_report == "Module 5 done"
    # The card was made from one reading: the rules' columns are there for this agent.
    assert rnd.rows[0].values["esp_start"] == START


@pytest.mark.parametrize("sme", ["natarajan priya", "Priya", "Natarajan"])
def test_sme_is_named_as_for_every_other_command(tracker: Path, sme: str) -> None:
    """--sme takes what escalations, progress missing, report eod and advise take: the full
    name in either order, or a first or last name only one SME has."""
    rnd = start_round(tracker, Config(user="Jordan Reyes"), sme=sme)
    assert [r.name for r in rnd.rows] == NAMES


def test_an_unknown_sme_lists_the_smes(tracker: Path, tmp_path: Path) -> None:
    done = esp(tmp_path, "round", "--sme", "Nobody Here", "-t", str(tracker), stdin="q\n")
    assert done.returncode == 2
    assert "Priya Natarajan" in done.stderr and "Tom Alvarez" in done.stderr
    assert done.stdout == ""


def test_a_step_brings_the_computed_columns_up_to_date(tmp_path: Path) -> None:
    headers = (*HEADERS, *factories.headers("escalation_stage", "next_action", "next_action_due"))
    rows = [agent(0, "Devon Price", **{"Escalation Stage": "Coaching due"})]
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=headers)
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    done = esp(tmp_path, "round", "--class", "AET-1", "--yes", "-t", str(path), stdin="/s\nq\n")
    assert done.returncode == 0, done.stderr
    got = cells(path)
    assert got[f"{COACHING}3"].date() == TODAY
    assert (got["O3"], got["P3"]) == ("Coaching recorded", "Written CAP")
    assert got["Q3"].date() > TODAY  # due the next business day


def test_windows_line_ends_from_a_pipe(tracker: Path, tmp_path: Path) -> None:
    # PowerShell and cmd pipe lines ending in CR LF.
    before = cells(tracker)
    typed = (ANSWERS + "y\n").replace("\n", "\r\n").encode()
    done = subprocess.run(
        [sys.executable, "-m", "esp_cli", "round", "--class", "AET-1", "-t", str(tracker)],
        input=typed,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    same_cells(cells(tracker), expected_round(before))


def test_a_round_is_one_operation_and_its_answers_are_written_once(
    tracker: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answers wait one agent each as they are typed; the round's write records them
    all in its one entry (so one undo takes the round back), naming the waiting changes it
    wrote: one left behind by a stop before its file went is known as written."""
    before = cells(tracker)
    config = Config(user="Jordan Reyes")
    rnd = start_round(tracker, config, cls="AET-1")
    for i, text in ((0, "On module 3"), (2, "Waiting on SPOC")):
        rnd.add(i, rnd.answer(i, A.parse_typed(text), lambda _: None, lambda _: None))
    kept = {op.op: (Store(tracker).folder / op.file).read_bytes() for op in rnd.keeper.ops}
    assert len(kept) == 2
    result = finish_round(tracker, config, rnd.keeper.ops, read=rnd.table)
    assert result.write.op is not None and len(result.write.changes) == 2
    # As if stopped after the write, before the files went: they are written, not waiting.
    for name, data in zip((o.file for o in rnd.keeper.ops), kept.values(), strict=True):
        (Store(tracker).folder / name).write_bytes(data)
    assert waiting_agents(tracker) == []
    log = (tmp_path / "esp-backups" / f"{tracker.name}.history.jsonl").read_text("utf-8")
    (entry,) = [json.loads(line) for line in log.splitlines()]
    assert sorted(entry["wrote_waiting"]) == sorted(kept)
    undone = esp(tmp_path, "undo", "-t", str(tracker))
    assert undone.returncode == 0, undone.stderr
    assert cells(tracker) == before


def test_an_answer_not_written_for_a_conflict_leaves_its_note_and_the_computed_columns(
    tmp_path: Path,
) -> None:
    """Devon's access answered (/a with the line documenting it); before the write the
    access cell is changed in Excel. Written with the conflicts skipped: the other value
    stays, no "Citrix TBT Access" line is added, and Next Action / Escalation Stage are not
    worked out again for an answer whose only value was not written."""
    headers = (*HEADERS, *factories.headers("escalation_stage", "next_action", "next_action_due"))
    path = factories.tracker(
        tmp_path / "ESP Tracker.xlsx", [agent(i, n) for i, n in enumerate(NAMES)], headers=headers
    )
    config = Config(user="Jordan Reyes")
    rnd = start_round(path, config, cls="AET-1")
    rnd.add(0, rnd.answer(0, A.parse_typed("/a 6"), lambda _: None, lambda _: None))
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"]["J3"] = "Password Reset"  # meanwhile, in Excel
    wb.save(path)
    before = cells(path)
    result = finish_round(path, config, rnd.keeper.ops, read=rnd.table, skip_conflicts=True)
    assert [c.column for c in result.conflicts] == ["Citrix TBT Access"]
    assert result.write.changes == []
    assert cells(path) == before


def test_a_column_the_round_adds_goes_past_data_without_a_header(tmp_path: Path) -> None:
    """The round reads only the columns it needs; where it adds one (Callback Phone), a
    column of data without a header must still be seen as used, as every other write sees
    it: the new column goes after it, never into it."""
    agents = [agent(i, n) for i, n in enumerate(NAMES)]
    rows: list[list[Any]] = [list(HEADERS)]
    for i, a in enumerate(agents):
        rows.append([*(a.get(h) for h in HEADERS), f"badge {i}" if i else None])
    path = factories.make_workbook(tmp_path / "ESP Tracker.xlsx", {"ESP Tracker": rows}, 1)
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    data = openpyxl.utils.get_column_letter(len(HEADERS) + 1)
    before = cells(path)
    done = esp(
        tmp_path,
        "round", "--class", "aet-1", "-t", str(path),
        stdin="/i INC0050000 513-555-0199\nq\ny\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = cells(path)
    said = f"placed after the last used column: {data} holds data without a header"
    assert said in done.stderr
    added = {v: k[:-1] for k, v in got.items() if k.endswith("2") and k[:-1].isalpha()}
    phone = added["Callback Phone"]
    assert openpyxl.utils.column_index_from_string(phone) > len(HEADERS) + 1
    assert got[f"{phone}3"] == "(513) 555-0199"
    assert {k: v for k, v in got.items() if k.startswith(data)} == {
        k: v for k, v in before.items() if k.startswith(data)
    }


def test_a_round_on_a_sheet_lacking_a_computed_column_says_they_were_not_brought_up_to_date(
    tmp_path: Path,
) -> None:
    """Escalation Stage and Next Action, but no Next Action Due: Sam's coaching is written
    and the round says, as esp record-step does, that the computed columns were not
    brought up to date, and why."""
    headers = (*HEADERS, *factories.headers("escalation_stage", "next_action"))
    agents = [agent(i, n) for i, n in enumerate(NAMES)]
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", agents, headers=headers)
    done = esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), stdin=ANSWERS + "y\n")
    assert done.returncode == 0, done.stderr
    assert cells(tracker)[f"{COACHING}5"] is not None
    said = [line for line in done.stderr.splitlines() if "not brought up to date" in line]
    assert said == [NO_NEXT_ACTION_DUE], done.stderr
