"""Choosing an agent on the command line: part of a name, an ambiguous one, an unquoted one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests import factories
from tests.support.paths import SAMPLE_DATA

AGENTS = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E100"},
    {"Class": "AET-1", "Agent Name": "Dana Price", "Agent ID": "E101"},
    {"Class": "AET-2", "Agent Name": "Marcus Lee", "Agent ID": "E200"},
]
NOTES = "K"  # factories.TRACKER_HEADERS under one title row; agents from row 3


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


def run(tracker: Path, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--tracker", str(tracker)])


def test_a_first_name_only_one_agent_has_is_enough(tracker: Path) -> None:
    res = run(tracker, "note", "add", "devon", "Called", "--by", "Dana", "--date", "2026-11-23")
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    assert ws[f"{NOTES}3"].value == "11/23/2026 - Dana - Called"
    assert ws[f"{NOTES}4"].value is None


def test_a_shared_last_name_lists_the_candidates_and_writes_nothing(tracker: Path) -> None:
    before = tracker.read_bytes()
    res = run(tracker, "note", "add", "Price", "Called", "--by", "Dana")
    assert res.exit_code == ExitCode.BAD_INPUT
    assert res.stdout == ""
    err = res.stderr
    assert "'Price' matches 2 agents" in err
    assert "Devon Price — class AET-1" in err and "Dana Price — class AET-1" in err
    assert tracker.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["note", "add", "Devon", "Price", "Call Cert at 9"], "Devon Price"),
        (["record-step", "Marcus", "Lee", "coaching"], "Marcus Lee"),
        (["record-step", "--note", "late", "Mary", "Ann", "Lee", "coaching"], "Mary Ann Lee"),
        (["access", "set", "Marcus", "Lee", "password reset", "--by", "Dana"], "Marcus Lee"),
    ],
)
def test_an_unquoted_name_gets_a_hint_to_quote_it(
    tracker: Path, args: list[str], name: str
) -> None:
    before = tracker.read_bytes()
    res = run(tracker, *args)
    assert res.exit_code == ExitCode.USAGE
    assert res.stdout == ""
    err = res.stderr
    assert "unexpected extra argument" in err
    assert err.rstrip().endswith(f'Hint: quote the name: "{name}"')
    assert tracker.read_bytes() == before


def test_no_hint_for_a_command_without_an_agent(tracker: Path) -> None:
    res = run(tracker, "escalations", "Devon")
    assert res.exit_code == ExitCode.USAGE
    assert "unexpected extra argument" in res.stderr
    assert "Hint" not in res.stderr


@pytest.mark.parametrize(
    ("typed", "hint", "then"),
    [
        # The note's text unquoted too: the name ends where the tracker's name does.
        (
            ["note", "add", "Devon", "Price", "Called,", "no", "answer"],
            'quote the name and the text: "Devon Price" "Called, no answer"',
            ["note", "add", "Devon Price", "Called, no answer"],
        ),
        (
            ["note", "add", "Marcus", "Lee", "Left", "a", "message"],
            'quote the name and the text: "Marcus Lee" "Left a message"',
            ["note", "add", "Marcus Lee", "Left a message"],
        ),
        (
            ["note", "add", "devon", "Called", "twice"],
            'quote the text: "Called twice"',
            ["note", "add", "devon", "Called twice"],
        ),
        (
            ["record-step", "Marcus", "Lee", "written", "CAP", "--date", "2026-11-23"],
            'quote the name and the step: "Marcus Lee" "written CAP"',
            None,
        ),
    ],
)
def test_the_hint_for_an_unquoted_name_and_text_is_one_that_works(
    tracker: Path, typed: list[str], hint: str, then: list[str] | None
) -> None:
    before = tracker.read_bytes()
    res = run(tracker, *typed, "--by", "Dana")
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.rstrip().endswith(f"Hint: {hint}")
    assert tracker.read_bytes() == before
    if then is not None:
        again = run(tracker, *then, "--by", "Dana")
        assert again.exit_code == 0, again.output


def test_without_a_tracker_the_hint_ends_the_name_before_a_comma(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path / "config"))
    res = CliRunner().invoke(app, ["note", "add", "Kayla", "Brooks", "Called,", "no", "answer"])
    assert res.exit_code == ExitCode.USAGE
    assert res.stderr.rstrip().endswith(
        'Hint: quote the name and the text: "Kayla Brooks" "Called, no answer"'
    )


@pytest.mark.parametrize(
    "typed",
    [
        ["Kayla", "Brooks", "She", "said", '"I', "can't", "log", 'in"'],
        ["Brooks", "Called,", "no"],  # Kayla Brooks and Ethan Brooks: name one of them
        ["Kayla", "Brooks", "Paid", "$20", "for", "`VPN`"],
    ],
)
def test_the_hint_run_in_a_real_shell_does_what_was_meant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: list[str]
) -> None:
    """The command a hint gives, typed into bash as it is shown, adds the note."""
    import shlex
    import subprocess
    import sys

    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    res = CliRunner().invoke(app, ["note", "add", *typed])
    assert res.exit_code == ExitCode.USAGE
    hint = res.stderr.rstrip().rsplit("Hint: ", 1)[1]
    words = hint.split(": ", 1)[1].split(" or ")[0]  # the first agent, when it names several
    esp = shlex.quote(str(Path(sys.executable).parent / "esp"))
    done = subprocess.run(
        ["bash", "-c", f"{esp} note add {words} -n --date 2026-11-24 -f json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, (hint, done.stderr)
    text = " ".join(typed).split(" ", 2 if typed[0] == "Kayla" else 1)[-1]
    assert json.dumps(text)[1:-1] in done.stdout, (hint, done.stdout)


@pytest.mark.parametrize(
    ("windows", "text", "word"),
    [
        (False, "Called, no answer", '"Called, no answer"'),
        (False, "I can't log in", '"I can\'t log in"'),
        (False, 'She said "I can\'t"', "'She said \"I can'\"'\"'t\"'"),
        (False, "Paid $20", "'Paid $20'"),
        # PowerShell's single quotes: nothing inside is expanded, a ' is doubled
        (True, 'She said "I can\'t"', "'She said \"I can''t\"'"),
        (True, "Paid $20", "'Paid $20'"),
        (True, "I can't log in", '"I can\'t log in"'),
        # A Windows path and a sheet's "!" in double quotes, as a Command Prompt takes them
        (True, r"C:\Users\jr\ESP\Ana Lopez.docx", r'"C:\Users\jr\ESP\Ana Lopez.docx"'),
        (True, "Ana Lopez (Wk 1!row 3)", '"Ana Lopez (Wk 1!row 3)"'),
        (True, "costs 20$", '"costs 20$"'),
        (True, "C:\\ESP\\", '"C:\\ESP\\\\"'),  # programs read \" as a quote typed
        (True, "x`y", "'x`y'"),
    ],
)
def test_a_hint_quotes_for_the_shell_of_the_system(
    monkeypatch: pytest.MonkeyPatch, windows: bool, text: str, word: str
) -> None:
    from esp_cli import system

    monkeypatch.setattr(system, "WINDOWS", windows)
    assert system.shell_quote(text) == word


_TYPED = st.text(st.sampled_from(list("aZ0 \\!'\"$`(){}_?^:&|<>.-é")), max_size=12).filter(
    lambda t: not t.endswith("\\")
)


@settings(max_examples=300, deadline=None)
@given(text=_TYPED)
def test_a_hint_on_windows_types_as_given_in_both_shells_where_it_can(text: str) -> None:
    """On Windows a word esp prints in double quotes reads back as the very text in a
    Command Prompt and in PowerShell; only a ", a backtick or a $ PowerShell would expand
    is put in PowerShell's single quotes (which a Command Prompt does not take)."""
    from esp_cli import system
    from tests.support.windows_shells import powershell_word, program_args

    saved, system.WINDOWS = system.WINDOWS, True
    try:
        word = system.shell_quote(text)
    finally:
        system.WINDOWS = saved
    assert powershell_word(word) == text, word
    if word.startswith('"'):
        assert program_args(f"esp note add {word}")[3:] == [text], word
    else:
        assert '"' in text or "`" in text or powershell_word(f'"{text}"') is None, word
