"""esp round as a person types it: lines edited with the arrow keys, the words a person
types at a prompt, saved phrases, the SPOC columns in one key, access values by a word, the
card, the round's day, and one agent's answers undone before and after the write. And no
control character typed at any command ever reaches a cell."""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import struct
import subprocess
import sys
import termios
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config, load_config
from esp_cli.core import answers as A
from esp_cli.core.answers import Key, Typed
from esp_cli.core.model import ACCESS_VALUES
from esp_cli.core.typed import clean, refusal
from esp_cli.errors import UsageError
from esp_cli.render.round import card_lines, help_lines, legend_lines
from esp_cli.results.access import Allowed
from esp_cli.services.access import match_issue
from esp_cli.services.round import journal_path, start_round
from tests import factories
from tests.support.clock import dated
from tests.support.processes import finish, read_until

SME = "Priya Natarajan"
KEYS = (
    *factories.TRACKER_KEYS,
    "tbt_sme",
    "coaching_date",
    "call_cert_date",
    "tbt_hours",
    "spoc_called",
    "incident_number",
    "callback_phone",
)
HEADERS = factories.headers(*KEYS)
# One title row: the header is row 2, agents from row 3.
COL = {key: chr(ord("A") + i) for i, key in enumerate(KEYS)}
# Set for each test by _dated_today (tests/support/clock.py `dated`), never at import.
TODAY, STAMP, START = date.min, "", date.min
NAMES = ["Devon Price", "Dana Cole", "Sam Lee"]
ESC = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")


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
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", agents, headers=HEADERS)


def esp(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "esp_cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )


def round_(tmp_path: Path, tracker: Path, typed: str, *more: str) -> Any:
    return esp(tmp_path, "round", "--class", "AET-1", "-t", str(tracker), *more, stdin=typed)


def cells(path: Path) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def cell(path: Path, key: str, row: int) -> Any:
    return cells(path).get(f"{COL[key]}{row}")


def backups(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "esp-backups"
    return sorted(folder.glob("*.xlsx")) if folder.is_dir() else []


def no_control_characters(path: Path) -> None:
    for where, value in cells(path).items():
        if isinstance(value, str):
            assert refusal(value, where) is None, (where, value)
            assert "_x001B_" not in value and "[D" not in value, (where, value)


# ------------------------------------------------------------- at a terminal (a pty)


def _spawn(tracker: Path, tmp_path: Path, columns: int) -> tuple[int, subprocess.Popen[bytes]]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "esp_cli", "round", "--class", "AET-1", "-t", str(tracker)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        close_fds=True,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "", "LINES": ""},
    )
    os.close(slave)
    return master, proc


def _screen_lines(seen: bytes) -> list[str]:
    return ESC.sub(b"", seen).decode("utf-8", "replace").split("\n")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_arrow_keys_edit_the_line_and_no_control_character_reaches_the_cell(
    tracker: Path, tmp_path: Path
) -> None:
    """Type `On module 2 of 8`, press Left six times, type `now `, Enter: the terminal
    sends ESC [ D for each Left. The line is edited as a person sees it, and the cell
    holds the words only."""
    master, proc = _spawn(tracker, tmp_path, 80)
    seen = bytearray()
    try:
        read_until(master, b"Devon Price> ", seen)
        os.write(master, b"On module 2 of 8" + b"\x1b[D" * 6 + b"now \r")
        read_until(master, b"Dana Cole> ", seen)
        os.write(master, b"q\r")
        start = len(seen)
        read_until(master, b"[y/N] ", seen, start)
        os.write(master, b"y\r")
        read_until(master, b"backup:", seen, start)
        finish(proc, said=bytes(seen))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert proc.returncode == 0, bytes(seen).decode(errors="replace")
    assert cell(tracker, "tbt_notes", 3) == f"Jordan Reyes - {STAMP} - On module now 2 of 8"
    no_control_characters(tracker)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("columns", [80, 120])
def test_the_legend_and_the_card_fit_the_terminal_without_a_word_cut(
    tracker: Path, tmp_path: Path, columns: int
) -> None:
    wb = openpyxl.load_workbook(tracker)
    long = "Waiting on a Certifier since the morning; module 5 of 8 done, the rest after lunch"
    wb["ESP Tracker"][f"{COL['tbt_notes']}3"] = f"Tom Alvarez - 11/23/2026 - {long}"
    wb.save(tracker)
    master, proc = _spawn(tracker, tmp_path, columns)
    seen = bytearray()
    try:
        read_until(master, b"Devon Price> ", seen)
        os.write(master, b"\x04")  # Ctrl-D: the end of input
        finish(proc, said=bytes(seen))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    lines = _screen_lines(bytes(seen))
    assert all(len(line) <= columns for line in lines), "\n".join(lines)
    text = "\n".join(lines)
    for item in A.LEGEND:  # every key's words on one line
        assert item.format(last=9) in text, item
    assert long.split()[-1] in text and "Certifier since" in text.replace("\n ", " ")


# ------------------------------------------------------------------ from a pipe


def test_command_words_are_commands_never_notes(tracker: Path, tmp_path: Path) -> None:
    done = round_(tmp_path, tracker, "help\nnext\nskip\n?\nexit\n")
    assert done.returncode == 0, done.stderr
    assert "Nothing typed; nothing written." in done.stderr
    assert "Saved phrases" in done.stderr and "/i ..." in done.stderr  # help shown twice
    assert done.stderr.count("Saved phrases") == 2
    assert "[3/3] Sam Lee>" in done.stderr  # next and skip moved on
    assert backups(tmp_path) == []
    # A single letter is no status: said so, nothing kept.
    done = round_(tmp_path, tracker, "y\nq\n")
    assert "'y' is not a status or a key" in done.stderr
    assert backups(tmp_path) == []


def test_q_after_the_last_agent_does_not_answer_the_write_prompt(
    tracker: Path, tmp_path: Path
) -> None:
    """Every agent answered, the round is over; `q` typed out of habit, then `y`."""
    done = round_(tmp_path, tracker, "One\nTwo\nThree\nq\ny\n")
    assert done.returncode == 0, done.stderr
    assert "The round is over" in done.stderr
    assert cell(tracker, "tbt_notes", 5) == f"Jordan Reyes - {STAMP} - Three"
    assert not journal_path(tracker).exists()
    assert len(backups(tmp_path)) == 1


def test_saved_phrases_by_number_built_in_and_from_esp_toml(tracker: Path, tmp_path: Path) -> None:
    done = round_(tmp_path, tracker, "1\n/p 2 module 5 of 8\n/p\n12\nq\ny\n")
    assert done.returncode == 0, done.stderr
    assert cell(tracker, "tbt_notes", 3) == f"Jordan Reyes - {STAMP} - {A.ROUND_PHRASES[0]}"
    want = f"Jordan Reyes - {STAMP} - {A.ROUND_PHRASES[1]} module 5 of 8"
    assert cell(tracker, "tbt_notes", 4) == want
    assert "there is no phrase 12 (phrases: 1-9" in done.stderr
    assert "  9: No status today" in done.stderr  # /p listed them
    (tmp_path / "esp.toml").write_text(
        '[people]\nuser = "Jordan Reyes"\n[spoc]\nphone = "(800) 555-0100"\n'
        '[round]\nphrases = ["Logged in fine.", "Call SPOC at {spoc_phone}."]\n',
        encoding="utf-8",
    )
    assert load_config(tmp_path / "esp.toml").round_phrases[0] == "Logged in fine."
    done = round_(tmp_path, tracker, "\n\n2\nq\ny\n")
    assert done.returncode == 0, done.stderr
    assert cell(tracker, "tbt_notes", 5) == f"Jordan Reyes - {STAMP} - Call SPOC at (800) 555-0100."


def test_the_spoc_columns_in_one_key_in_any_order(tracker: Path, tmp_path: Path) -> None:
    called = TODAY - timedelta(days=3)
    typed = (
        f"/i {called.month}/{called.day} INC0049311 513-555-0142\n"  # Devon: all three
        "/a pass\n"
        "\n"
        "/i 555-0142\n"  # Dana: no area code: refused, nothing kept
        "/i (513) 555-0199 inc 77120\n"  # no day: the SPOC Called Date is today
        "q\ny\n"
    )
    done = round_(tmp_path, tracker, typed)
    assert done.returncode == 0, done.stderr
    assert "555-0142 has no area code" in done.stderr
    got = cells(tracker)
    assert got[f"{COL['spoc_called']}3"].date() == called
    assert got[f"{COL['incident_number']}3"] == "INC0049311"
    assert got[f"{COL['callback_phone']}3"] == "(513) 555-0142"
    assert got[f"{COL['citrix_access']}3"] == "Password Reset"
    assert got[f"{COL['tbt_notes']}3"].split("\n") == [
        f"Jordan Reyes - {STAMP} - SPOC called {called:%m/%d/%Y}; Incident INC0049311; "
        "Callback (513) 555-0142",
        f"Jordan Reyes - {STAMP} - Citrix TBT Access: Password Reset",
    ]
    assert got[f"{COL['spoc_called']}4"].date() == TODAY
    assert got[f"{COL['incident_number']}4"] == "INC77120"
    assert got[f"{COL['callback_phone']}4"] == "(513) 555-0199"
    assert "names no SPOC issue: /a picks it" in done.stderr  # Dana has none


def test_access_values_by_a_word_or_the_start_of_one(tracker: Path, tmp_path: Path) -> None:
    done = round_(tmp_path, tracker, "/a cannot locate\n\n/a no\n/a citrix\nq\ny\n")
    assert done.returncode == 0, done.stderr
    assert "'no' could be any of: No Issues, No Citrix Apps Showing" in done.stderr
    assert cell(tracker, "citrix_access", 3) == "Cannot Locate TBT"
    assert cell(tracker, "citrix_access", 4) == "No Citrix Apps Showing"
    # esp access set takes the same words.
    res = CliRunner().invoke(
        app, ["access", "set", "Sam Lee", "locate", "-t", str(tracker), "--by", "Jo Ng"]
    )
    assert res.exit_code == 0, res.output
    assert cell(tracker, "citrix_access", 5) == "Cannot Locate TBT"


def test_the_rounds_day_dates_every_note_and_step(tracker: Path, tmp_path: Path) -> None:
    day = TODAY - timedelta(days=7)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    done = round_(tmp_path, tracker, "/s\nOn module 3\nq\ny\n", "--date", day.isoformat())
    assert done.returncode == 0, done.stderr
    assert f"dated {day:%a %m/%d/%Y}" in done.stderr
    got = cells(tracker)
    assert got[f"{COL['coaching_date']}3"].date() == day
    assert (
        got[f"{COL['notes']}3"] == f"{day:%m/%d/%Y} - Jordan Reyes - Documented coaching delivered"
    )
    assert got[f"{COL['tbt_notes']}3"] == f"Jordan Reyes - {day:%m/%d/%Y} - On module 3"


def test_a_round_for_an_earlier_day_goes_through_the_agents_outstanding_then(
    tmp_path: Path,
) -> None:
    """As `escalations --as-of` replays a day: an agent who had not started by then is not
    in it; one complete since (dated after the day) is, as they were outstanding then."""
    keys = (*KEYS, "tbt_complete_date")
    day, started = date(2026, 12, 1), date(2026, 11, 20)
    done = {"Call Cert Complete?": "Yes", "All TBTs Complete?": "Yes"}
    rows = [
        {"Class": "AET-1", "Agent Name": "Not Yet", "ESP Start Date": date(2026, 12, 3)},
        {"Class": "AET-1", "Agent Name": "Done Since", "ESP Start Date": started, **done,
         "Call Cert Complete Date": date(2026, 11, 24), "TBT Complete Date": date(2026, 12, 4)},
        {"Class": "AET-1", "Agent Name": "Done Before", "ESP Start Date": started, **done,
         "Call Cert Complete Date": date(2026, 11, 24), "TBT Complete Date": date(2026, 11, 25)},
        {"Class": "AET-1", "Agent Name": "Still Open", "ESP Start Date": started},
    ]  # fmt: skip
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx", rows, headers=factories.headers(*keys)
    )
    config = Config(user="Jordan Reyes")
    then = start_round(tracker, config, cls="AET-1", now=datetime(2026, 12, 7, 10), day=day)
    assert [r.name for r in then.rows] == ["Done Since", "Still Open"]
    shown = "\n".join(card_lines(0, 2, then.cards[0], [], 200))
    assert "TBTs yes 12/04/2026, after Tue 12/01: not yet then" in shown
    assert "Call Cert yes 11/24/2026 ·" in shown  # complete by then, as the card says
    now = start_round(tracker, config, cls="AET-1", now=datetime(2026, 12, 7, 10))
    assert [r.name for r in now.rows] == ["Not Yet", "Still Open"]


def test_a_weekend_day_warns_and_a_future_day_is_refused(tracker: Path, tmp_path: Path) -> None:
    saturday = TODAY - timedelta(days=TODAY.weekday() + 2 + 7)
    assert saturday.weekday() == 5
    done = round_(tmp_path, tracker, "q\n", "--date", saturday.isoformat())
    assert done.returncode == 0, done.stderr
    friday = saturday - timedelta(days=1)
    assert f"{saturday:%m/%d/%Y} is not a business day (a weekend)" in done.stderr
    assert f"esp round --date {friday.isoformat()}" in done.stderr
    later = TODAY + timedelta(days=2)
    done = round_(tmp_path, tracker, "q\n", "--date", later.isoformat())
    assert done.returncode == 2 and "is after today" in done.stderr


def test_a_round_run_on_a_weekend_or_holiday_says_so(tracker: Path) -> None:
    config = Config(user="Jordan Reyes")
    saturday = start_round(tracker, config, cls="AET-1", now=datetime(2026, 11, 28, 10))
    assert saturday.day == date(2026, 11, 28)
    assert saturday.day_note is not None
    assert "Sat 11/28/2026 is not a business day (a weekend)" in saturday.day_note
    assert "--date 2026-11-27" in saturday.day_note
    thanksgiving = start_round(tracker, config, cls="AET-1", now=datetime(2026, 11, 26, 10))
    assert thanksgiving.day_note is not None and "Thanksgiving" in thanksgiving.day_note
    assert "--date 2026-11-25" in thanksgiving.day_note
    monday = start_round(tracker, config, cls="AET-1", now=datetime(2026, 11, 30, 10))
    assert monday.day_note is None


def test_u_undoes_this_agents_answers_or_the_last_agents(tracker: Path, tmp_path: Path) -> None:
    typed = (
        "Wrong status\n"  # Devon, then on to Dana
        "u\n"  # Dana has none: Devon's undone, back to Devon
        "/c\n"
        "u\n"  # Devon's Call Cert undone, still on Devon
        "Right status\n"
        "q\ny\n"
    )
    done = round_(tmp_path, tracker, typed)
    assert done.returncode == 0, done.stderr
    assert "- undone for Devon Price: TBT note: Wrong status" in done.stderr
    got = cells(tracker)
    assert got[f"{COL['tbt_notes']}3"] == f"Jordan Reyes - {STAMP} - Right status"
    assert f"{COL['call_cert_complete']}3" not in got
    assert f"{COL['tbt_notes']}4" not in got
    done = round_(tmp_path, tracker, "u\nq\n")
    assert "Nothing typed in this round to undo." in done.stderr


def test_one_agents_cells_undone_after_the_write(tracker: Path, tmp_path: Path) -> None:
    before = cells(tracker)
    done = round_(tmp_path, tracker, "/s\nDevon's status\n/c\nDana's status\nq\ny\n")
    assert done.returncode == 0, done.stderr
    op = re.search(r"esp undo ([0-9a-f]{8}) --agent NAME", done.stderr)
    assert op, done.stderr
    written = cells(tracker)
    run = CliRunner()
    res = run.invoke(app, ["undo", op[1], "--agent", "devon", "-t", str(tracker)])
    assert res.exit_code == 0, res.output
    assert "for Devon Price of operation" in res.stdout
    got = cells(tracker)
    for key in ("coaching_date", "notes", "tbt_notes"):
        assert got.get(f"{COL[key]}3") == before.get(f"{COL[key]}3")
    for key in ("call_cert_complete", "tbt_notes"):  # Dana's answers stay
        assert got[f"{COL[key]}4"] == written[f"{COL[key]}4"]
    again = run.invoke(app, ["undo", op[1], "--agent", "Devon Price", "-t", str(tracker)])
    assert again.exit_code == 1
    assert "nothing to undo for this agent" in again.output
    # The command it gives names Devon Price as esp history takes him.
    shown = re.search(r"see the cells' changes with: esp history (.+)$", again.stderr.strip())
    assert shown, again.stderr
    history = run.invoke(app, ["history", *shlex.split(shown[1]), "-t", str(tracker)])
    assert history.exit_code == 0 and "Devon Price" in history.output, history.output
    nobody = run.invoke(app, ["undo", op[1], "--agent", "Sam Lee", "-t", str(tracker)])
    assert nobody.exit_code != 0 and "changed no cell of an agent" in nobody.output
    # The operation itself is not undone: Dana's cells can be put back in turn.
    res = run.invoke(app, ["undo", op[1], "--agent", "E101", "-f", "json", "-t", str(tracker)])
    assert res.exit_code == 0, res.output
    assert '"agent": "Dana Cole"' in res.stdout
    assert _days(cells(tracker)) == _days(before)


def _days(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.date() if isinstance(v, datetime) else v) for k, v in values.items()}


def test_control_characters_from_a_pipe_never_reach_a_cell(tracker: Path, tmp_path: Path) -> None:
    typed = "On module 2 of 8\x1b[D\x1b[D\x07 now\n/n Self-report\x1b[3~ checked\nq\ny\n"
    done = round_(tmp_path, tracker, typed)
    assert done.returncode == 0, done.stderr
    want = "that line held the Left arrow key, U+0007 (BEL), which no cell can show; left out"
    assert want in done.stderr
    assert cell(tracker, "tbt_notes", 3) == f"Jordan Reyes - {STAMP} - On module 2 of 8 now"
    assert cell(tracker, "notes", 4) == f"{STAMP} - Jordan Reyes - Self-report checked"
    no_control_characters(tracker)


@pytest.mark.parametrize(
    "args",
    [
        ["note", "add", "Devon Price", "On module 2\x1b[D\x1b[Dnow"],
        ["note", "add", "Devon Price", "ok", "--tbt", "--by", "Jo\x07 Ng"],
        ["record-step", "Devon Price", "coaching", "--note", "by phone\x1b[A"],
        ["access", "set", "Devon Price", "Password Reset", "--incident", "INC1\x1b[C"],
        ["sme", "assign", "AET-1", "--sme", "Tom\x1bOD Alvarez"],
        ["round", "--class", "AET-1", "--by", "Jo\x1b[D Ng"],
    ],
    ids=["note", "signer", "record-step", "access", "sme", "round"],
)
def test_every_command_refuses_control_characters_in_what_it_is_given(
    tracker: Path, args: list[str]
) -> None:
    before = cells(tracker)
    res = CliRunner().invoke(app, [*args, "-t", str(tracker)], input="On module 3\nq\ny\n")
    assert res.exit_code == 2, res.output
    assert re.search(
        r"U\+00(1B|07) \((escape|BEL)\), which (no cell|a note|no note or e-mail) can(not)? show",
        res.output,
    )
    assert cells(tracker) == before
    assert backups(tracker.parent) == []


# ------------------------------------------------------------------- the pure parts


def test_typed_words_numbers_and_keys() -> None:
    for word, key in [("help", Key.HELP), ("?", Key.HELP), ("Quit", Key.QUIT),
                      ("exit", Key.QUIT), ("next", Key.NEXT), ("SKIP", Key.NEXT),
                      ("u", Key.UNDO), ("back", Key.BACK)]:  # fmt: skip
        assert A.parse_typed(word) == Typed(key), word
    assert A.parse_typed(" 3 ") == Typed(Key.PHRASE, number=3)
    assert A.parse_typed("/p 2 module 5") == Typed(Key.PHRASE, "module 5", 2)
    assert A.parse_typed("/p") == Typed(Key.PHRASE)
    assert A.parse_typed("3 of 8 done") == Typed(Key.TBT_NOTE, "3 of 8 done")
    assert A.parse_typed("/i INC1 5135550142") == Typed(Key.SPOC, "INC1 5135550142")
    assert A.parse_typed("help me find TBT 4") == Typed(Key.TBT_NOTE, "help me find TBT 4")
    for bad in ("y", "/p x", "/zz"):
        with pytest.raises(A.UnknownKey):
            A.parse_typed(bad)
    assert A.phrase_text(("A.", "B."), 2, "more") == "B. more"
    with pytest.raises(A.UnknownKey):
        A.phrase_text(("A.",), 2)


@pytest.mark.parametrize(
    ("text", "called", "incident", "phone"),
    [
        ("11/23 INC0049311 513-555-0142", date(2026, 11, 23), "INC0049311", "(513) 555-0142"),
        ("(513) 555 0142 inc0049311 yesterday", date(2026, 11, 23), "INC0049311",
         "(513) 555-0142"),
        ("called 2026-11-20 incident INC 77120", date(2026, 11, 20), "INC77120", None),
        ("+1 513.555.0142", None, None, "(513) 555-0142"),
        ("mon INC5", date(2026, 11, 23), "INC5", None),  # the day before Tue 11/24/2026
        ("11/20/26 RITM0012345", date(2026, 11, 20), "RITM0012345", None),
    ],
)  # fmt: skip
def test_spoc_values_are_read_in_any_order(
    text: str, called: date | None, incident: str | None, phone: str | None
) -> None:
    got = A.read_spoc(text, date(2026, 11, 24), A.typed_day)
    assert got == A.SpocTyped(called, incident, phone)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("555-0142", "no area code"),
        ("513-555-0142 513-555-0199", "two phone numbers"),
        ("INC1 INC2", "two incident numbers"),
        ("13/45", "is not a day"),
        ("call him back", "'him' is not an incident number, a phone or a day"),
        ("212-055-0142", "area code or exchange starts 0/1"),
    ],
)
def test_spoc_values_esp_cannot_place_are_named(text: str, said: str) -> None:
    with pytest.raises(A.UnknownKey, match=re.escape(said)):
        A.read_spoc(text, date(2026, 11, 24), A.typed_day)


def test_access_values_match_a_word_or_its_start_when_only_one_does() -> None:
    allowed = Allowed(ACCESS_VALUES, "the standard list")
    for typed, value in [("cannot locate", "Cannot Locate TBT"), ("pass", "Password Reset"),
                         ("citrix", "No Citrix Apps Showing"), ("hub", "Learning Hub Issue"),
                         ("EQUIP", "Equipment Issue"), ("no issues", "No Issues")]:  # fmt: skip
        assert match_issue(typed, allowed) == value
    with pytest.raises(UsageError, match="could be any of: No Issues, Learning Hub Issue"):
        match_issue("issue", allowed)
    with pytest.raises(UsageError, match="is not a Citrix TBT Access value"):
        match_issue("printer", allowed)


def test_keys_left_in_a_line_are_taken_out_whole() -> None:
    assert clean("On module 2 of 8\x1b[D\x1b[Dnow ") == (
        type(clean(""))("On module 2 of 8now ", ("the Left arrow key",))
    )
    assert clean("a\x1b[1;5Cb\x1bOHc\x1b[3~d").text == "abcd"
    assert clean("typo\x7f\x7fed").text == "tyed"
    assert clean("tab\tkept").text == "tab\tkept"
    assert clean("bell\x07").removed == ("U+0007 (BEL)",)
    assert refusal("two\nlines", "x") is None
    assert (
        refusal("esc\x1b", "The note") == "The note holds U+001B (escape), which no cell can show"
    )


@pytest.mark.parametrize("width", [40, 80, 120])
def test_the_legend_wraps_between_entries(width: int) -> None:
    lines = legend_lines(width)
    assert all(len(line) <= width for line in lines)
    joined = " ".join(lines).replace(" · ", "|").replace(" ·", "|")
    assert joined.split("|") == [item.format(last=9) for item in A.LEGEND]
    assert "1-3: saved phrase" in " ".join(legend_lines(width, 3))
    assert "saved phrase" not in " ".join(legend_lines(width, 0))
    assert all(len(line) <= width for line in help_lines(A.ROUND_PHRASES, width))


def test_the_card_shows_where_the_agent_stands(tmp_path: Path) -> None:
    notes = "\n".join(
        [
            "11/19/2026 - Jordan Reyes - Oldest",
            "11/23/2026 - Devon Price - Module 5 done",
            "11/20/2026 - Jordan Reyes - Middle",
        ]
    )
    row = agent(
        0,
        "Devon Price",
        Notes=notes,
        **{
            "TBT Notes": "Tom - 11/23/2026 - ok",
            "Call Cert Complete?": "Yes",
            "Call Cert Complete Date": date(2026, 11, 20),
            "All TBTs Complete?": "No",
            "TBT Hours": 5.5,
            "Citrix TBT Access": "Password Reset",
            "SPOC Incident Number": "INC0049311",
        },
    )
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", [row], headers=HEADERS)
    rnd = start_round(path, Config(user="Jordan Reyes"), sme=SME)
    card = rnd.cards[0]
    assert (card.call_cert, card.call_cert_date, card.tbts) == (True, date(2026, 11, 20), False)
    assert (card.tbt_hours, card.access, card.incident) == (5.5, "Password Reset", "INC0049311")
    assert card.missing == ("SPOC Called Date", "Callback Phone")
    assert card.notes == (
        "11/20/2026 - Jordan Reyes - Middle",
        "11/23/2026 - Devon Price - Module 5 done",
    )
    assert card.latest_note == "11/23/2026 - Devon Price - Module 5 done"
    text = "\n".join(card_lines(0, 1, card, [], 80))
    assert "done:      Call Cert yes 11/20/2026 · TBTs no · TBT Hours 5.5" in text
    assert "access:    Password Reset · incident INC0049311 · no SPOC Called Date," in text
    assert "             11/23/2026 - Devon Price - Module 5 done" in text
    assert "Oldest" not in text


@pytest.mark.parametrize("typed", ["maybe", "#N/A"])
def test_the_card_shows_a_complete_cell_that_cannot_be_read_as_typed(
    tmp_path: Path, typed: str
) -> None:
    """Beside a No the agent is on the ladder as any (not complete either way): the card
    still shows the cell to correct, never as an empty one."""
    row = agent(0, "Devon Price", **{"Call Cert Complete?": typed, "All TBTs Complete?": "No"})
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", [row], headers=HEADERS)
    card = start_round(path, Config(user="Jordan Reyes"), sme=SME).cards[0]
    text = "\n".join(card_lines(0, 1, card, [], 100))
    assert f"done:      Call Cert '{typed}' (cannot be read: Yes or No) · TBTs no" in text


class _Console:
    """Standard input as a console gives it: a terminal, bytes underneath."""

    def __init__(self, data: bytes) -> None:
        import io

        self.buffer = io.BytesIO(data)

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("platform", ["windows", "no readline"])
def test_a_line_is_read_as_typed_where_readline_is_not_used(
    platform: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Windows' console edits the line itself (readline is never loaded there); a Python
    without readline reads the line as typed, its prompt on standard error."""
    from esp_cli import system

    if platform == "windows":
        monkeypatch.setattr(system, "WINDOWS", True)
        monkeypatch.setattr(system, "_line_editor", lambda: pytest.fail("readline loaded"))
    else:
        monkeypatch.setitem(sys.modules, "readline", None)  # import readline fails
        monkeypatch.setattr(system, "_EDITOR", [])
    monkeypatch.setattr(sys, "stdin", _Console("Café ok\r\n".encode()))
    assert system.read_typed_line("[1/3] Devon Price> ") == "Café ok"
    assert system.read_typed_line("[2/3] Dana Cole> ") is None
    out, err = capsys.readouterr()
    assert out == "" and err == "[1/3] Devon Price> [2/3] Dana Cole> "


def test_no_step_is_answered_on_a_ladder_whose_dates_do_not_hold(tmp_path: Path) -> None:
    """The round refuses the step as esp record-step does: a written CAP dated before the
    coaching, or a coaching dated before the clock start (never written over)."""
    day, started = date(2026, 12, 7), date(2026, 11, 20)
    rows = [
        {"Class": "AET-1", "Agent Name": "Rey Versed", "ESP Start Date": started,
         "Coaching Date": date(2026, 11, 30), "Written CAP Date": date(2026, 11, 27)},
        {"Class": "AET-1", "Agent Name": "Yara Typo", "ESP Start Date": started,
         "Coaching Date": date(2025, 11, 25)},
    ]  # fmt: skip
    _, rnd = _ladder_round(tmp_path, rows, day)
    said = {
        0: "Written CAP Date 11/27/2026 is before Coaching Date 11/30/2026",
        1: "Coaching Date 11/25/2025 is before the clock start, Fri 11/20/2026",
    }
    for i, words in said.items():
        refused = _step_refused(rnd, i)
        assert words in refused.message
        assert "Excel" in (refused.fix or "")


def _ladder_round(tmp_path: Path, rows: list[dict[str, Any]], day: date) -> tuple[Path, Any]:
    """A tracker of these agents with the ladder's dates, and a round for `day` on it."""
    keys = (*KEYS, "written_cap_date")
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx", rows, headers=factories.headers(*keys)
    )
    rnd = start_round(tracker, Config(user="Jordan Reyes"), cls="AET-1",
                      now=datetime(2026, 12, 7, 10), day=day)  # fmt: skip
    return tracker, rnd


def _step_refused(rnd: Any, i: int) -> UsageError:
    """Why the round refuses /s for its `i`th agent."""
    with pytest.raises(UsageError) as refused:
        rnd.answer(i, A.parse_typed("/s"), lambda _: None, lambda _: None)
    return refused.value


def test_access_answered_in_a_round_for_an_earlier_day_counts_on_that_day(
    tracker: Path, tmp_path: Path
) -> None:
    """A round typed with --date for an earlier day: the access it records belongs to that
    day, so that day replayed (explain --as-of, the evening report) counts it."""
    day = TODAY - timedelta(days=7)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    done = round_(tmp_path, tracker, "/a password-reset\nq\ny\n", "--date", day.isoformat())
    assert done.returncode == 0, done.stderr
    assert cell(tracker, "citrix_access", 3) == "Password Reset"
    name = cell(tracker, "agent_name", 3)
    explained = esp(tmp_path, "explain", name, "-t", str(tracker), "--as-of", day.isoformat())
    assert "Citrix TBT Access: Password Reset" in explained.stdout, explained.stdout
    before = day - timedelta(days=1)
    earlier = esp(tmp_path, "explain", name, "-t", str(tracker), "--as-of", before.isoformat())
    assert "Citrix TBT Access: Password Reset" not in earlier.stdout


def test_a_step_recorded_after_the_rounds_earlier_day_is_said_so_not_sent_to_excel(
    tmp_path: Path,
) -> None:
    """A round for an earlier day: a coaching recorded on a later day is shown as recorded
    then, and /s says so — the row is right, nothing to correct — as esp record-step --date
    that day does."""
    day, started = date(2026, 11, 25), date(2026, 11, 20)
    rows = [
        {"Class": "AET-1", "Agent Name": "Eve Late", "ESP Start Date": started,
         "Coaching Date": date(2026, 11, 27)},
        {"Class": "AET-1", "Agent Name": "Cy Later", "ESP Start Date": started,
         "Coaching Date": date(2026, 11, 25), "Written CAP Date": date(2026, 11, 30)},
    ]  # fmt: skip
    tracker, rnd = _ladder_round(tmp_path, rows, day)
    eve = "\n".join(card_lines(0, 2, rnd.cards[0], [], 200))
    assert "Documented coaching due 11/25/2026" in eve
    assert "recorded 11/27/2026, after Wed 11/25: not yet then" in eve
    said = {
        0: "the coaching is already recorded on 11/27/2026, after Wed 11/25/2026",
        1: "the written CAP is already recorded on 11/30/2026, after Wed 11/25/2026",
    }
    for i, words in said.items():
        refused = _step_refused(rnd, i)
        assert words in refused.message
        assert "esp does not change a recorded step" in refused.message
        assert "correct" not in refused.message and refused.fix is None
    before = cells(tracker)
    res = CliRunner().invoke(
        app, ["record-step", "Eve Late", "coaching", "--date", day.isoformat(), "-t",
              str(tracker), "--by", "Jordan Reyes"],
    )  # fmt: skip
    assert res.exit_code == 1
    assert said[0] in res.stderr and "esp does not change a recorded step" in res.stderr
    assert cells(tracker) == before
