"""Shell completion (Typer's --install-completion): commands, and the agents' names from
the tracker esp.toml or ESP_TRACKER names; nothing, and no error, without one."""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.cli.complete import for_shell, name_at_start, offered
from tests import factories
from tests.support.processes import DEADLINE_SECONDS, read_until


def complete(line: str, shell: str = "zsh", **env: str) -> Any:
    if shell == "zsh":
        env.update(_ESP_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=line)
    else:
        words = shlex.split(line)  # as bash splits the line into COMP_WORDS
        env.update(_ESP_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    return CliRunner().invoke(app, [], env=env, prog_name="esp")


def test_the_install_option_is_offered() -> None:
    got = CliRunner().invoke(app, ["--help"])
    assert "--install-completion" in got.stdout


@pytest.mark.parametrize("command", ["note add", "explain", "record-step", "history"])
def test_an_agent_is_completed_from_the_tracker_esp_toml_names(sample: Path, command: str) -> None:
    got = complete(f"esp {command} Kay")
    assert got.exit_code == 0, got.output
    assert '"Kayla Brooks"' in got.stdout
    assert "Marcus Lee" not in got.stdout


@pytest.mark.parametrize(
    ("typed", "offered_names"),
    [
        ("zoe", ["Zoë\\ Núñez"]),  # typed without its accents
        ("nunez", ["Zoë\\ Núñez"]),  # a last name
        ("Ren", ["René\\ Martin", "Rene\\ Martinez"]),  # both fit: both offered
        ("ren", ["René\\ Martin", "Rene\\ Martinez"]),  # any case
        ("Rene\\ Martin", ["René\\ Martin", "Rene\\ Martinez"]),
    ],
)
def test_tab_offers_the_agents_the_command_would_take_the_name_for(
    tmp_path: Path, typed: str, offered_names: list[str]
) -> None:
    tracker = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "A", "Agent Name": "Zoë Núñez"},
            {"Class": "A", "Agent Name": "René Martin"},
            {"Class": "A", "Agent Name": "Rene Martinez"},
        ],
    )
    got = complete(f"esp explain {typed}", shell="bash", ESP_TRACKER=str(tracker))
    assert got.exit_code == 0, got.output
    assert got.stdout.splitlines() == offered_names


def test_bash_gets_the_space_of_a_name_escaped(sample: Path) -> None:
    got = complete("esp explain Marc", shell="bash")
    assert got.exit_code == 0, got.output
    assert got.stdout.splitlines() == ["Marcus\\ Lee"]


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        ("bash", "Brian\\ O\\'Connor"),
        ("powershell", "'Brian O''Connor'"),
        ("fish", "Brian O'Connor"),  # fish escapes what it inserts
        ("zsh", "Brian O\u2019Connor"),
    ],
)
def test_each_shell_gets_a_name_it_inserts_whole(shell: str, expected: str) -> None:
    assert for_shell("Brian O'Connor", shell) == expected
    assert for_shell("Ana-María Ruiz", "bash") == "Ana-María\\ Ruiz"
    assert for_shell('Ana Ruiz $(x) `y` "z" & a;b|c', "bash") == (
        'Ana\\ Ruiz\\ \\$\\(x\\)\\ \\`y\\`\\ \\"z\\"\\ \\&\\ a\\;b\\|c'
    )


# The shells, driven as a person at a terminal: the script `esp --show-completion` prints
# sourced, `esp explain Bri` and Tab, then the line run as `printf '[%s]' esp explain ...` so
# each word the command would get is shown between brackets.
SHELLS = {
    # (the prompts in two pieces: the line typed is echoed, and must not look like one)
    "bash": (["bash", "--norc", "--noprofile", "-i"], "PS1='RE''ADY> '; PS2='MO''RE> '"),
    "zsh": (
        ["zsh", "-f", "-i"],
        "PS1='RE''ADY> '; PS2='MO''RE> '; autoload -U compinit; compinit -u",
    ),
    "fish": (["fish", "--no-config", "-i"], "function fish_prompt; echo -n 'RE''ADY> '; end"),
}


def _read_some(fd: int, seen: bytearray) -> None:
    ready, _, _ = select.select([fd], [], [], DEADLINE_SECONDS)
    chunk = os.read(fd, 4096) if ready else b""
    if not chunk:
        pytest.fail(f"the shell said nothing more; read:\n{bytes(seen)!r}")
    seen += chunk


def _tab_in(shell: str, folder: Path, typed: str) -> str:
    """`esp explain TYPED`, Tab, run in the real `shell` in `folder`: the word the command
    gets after explain."""
    argv, setup = SHELLS[shell]
    if shutil.which(argv[0]) is None:
        pytest.skip(f"{argv[0]} is not installed")
    script = folder / f"esp.{shell}"
    env = {
        **os.environ,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
        "TERM": "dumb",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    source = CliRunner().invoke(app, [], env={"_ESP_COMPLETE": f"source_{shell}"}, prog_name="esp")
    script.write_text(source.stdout, encoding="utf-8")
    pid, fd = pty.fork()
    if pid == 0:  # the shell, in the folder
        os.chdir(folder)
        os.execvpe(argv[0], argv, env)
    seen = bytearray()
    try:
        os.write(fd, f"{setup}; source {script}\r".encode())
        read_until(fd, b"READY> ", seen)
        start = len(seen)
        # Tab runs the completion to its end before the keys after it are read.
        os.write(fd, f"esp explain {typed}\t\x01printf '[%s]' \r".encode())
        ran = re.compile(rb"\[explain\]\[([^\]\r\n]*)\]")
        while b"MORE> " not in seen[start:] and not ran.search(seen, start):
            _read_some(fd, seen)
        assert b"MORE> " not in seen[start:], bytes(seen[start:])  # left inside a quote
        found = ran.search(seen, start)
        assert found is not None
        return found[1].decode().replace("\u2019", "'")
    finally:
        os.write(fd, b"\x03\x03exit\r")
        os.close(fd)
        os.waitpid(pid, 0)


@pytest.mark.slow
@pytest.mark.parametrize("shell", list(SHELLS))
def test_a_name_with_an_apostrophe_completes_in_the_real_shell(sample: Path, shell: str) -> None:
    assert _tab_in(shell, sample, "Bri") == "Brian O'Connor"


@pytest.mark.slow
@pytest.mark.parametrize(("typed", "name"), [("zoe", "Zoë Núñez"), ("nunez", "Zoë Núñez")])
def test_a_name_typed_without_its_accents_completes_in_bash(
    sample: Path, typed: str, name: str
) -> None:
    """What the command would take the name for is what Tab puts on the line (bash takes
    a completion that does not start with what is typed; zsh and fish keep to those that
    do)."""
    factories.tracker(sample / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": name}])
    assert _tab_in("bash", sample, typed) == name


@pytest.mark.parametrize("shell", ["bash", "zsh"])
@pytest.mark.parametrize("given", ["--tracker {}", "-t {}", "--tracker={}"])
def test_the_tracker_given_on_the_line_is_the_one_completed_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: str, given: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path / "config"))
    tracker = factories.tracker(tmp_path / "roster.xlsx", [{"Class": "A", "Agent Name": "Ivy Lin"}])
    got = complete(f"esp explain {given.format(tracker)} Iv", shell=shell)
    assert got.exit_code == 0, got.output
    assert "Ivy" in got.stdout


@pytest.mark.parametrize("line", ["esp document Kay", "esp advise Kay", "esp undo --agent Kay"])
def test_every_command_that_takes_an_agent_completes_the_name(sample: Path, line: str) -> None:
    got = complete(line, shell="bash")
    assert got.exit_code == 0, got.output
    assert got.stdout.splitlines() == ["Kayla\\ Brooks"]


def test_esp_tracker_names_the_tracker(
    sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    tracker = sample / "ESP Tracker.xlsx"
    got = CliRunner().invoke(
        app,
        [],
        env={
            "_ESP_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": "esp explain Marc",
            "ESP_TRACKER": str(tracker),
            "PWD": str(elsewhere),
        },
        prog_name="esp",
    )
    assert "Marcus Lee" in got.stdout


def test_no_tracker_completes_nothing_and_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path / "config"))
    got = complete("esp explain Kay")
    assert got.exit_code == 0
    assert "Kayla" not in got.stdout
    assert got.stderr == ""


def test_a_tracker_that_is_not_a_workbook_completes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ESP Tracker.xlsx").write_bytes(b"not a workbook")
    got = complete("esp explain Kay", ESP_TRACKER=str(tmp_path / "ESP Tracker.xlsx"))
    assert got.exit_code == 0
    assert got.stderr == ""


def test_names_match_from_their_start() -> None:
    names = ["Kayla Brooks", "Ethan Brooks", "Marcus Lee"]
    assert offered(names, "kay") == ["Kayla Brooks"]
    assert offered(names, '"Mar') == ["Marcus Lee"]
    assert name_at_start(["Lee", "Marcus", "Called,", "no"], names) == 2
    assert name_at_start(["Called"], names) == 0
