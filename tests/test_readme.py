"""README's terminal sessions are esp's real output on the bundled sample.

Each `$ esp …` line of README.md is run, in order, on one fresh copy of the sample (the
clock at the sample's today), and what it prints must match what README shows, `…`
standing for lines left out. `python scripts/readme_sessions.py --update` rewrites them.
"""

from __future__ import annotations

import pytest
from scripts import readme_sessions


def test_every_readme_session_is_what_esp_prints(capsys: pytest.CaptureFixture[str]) -> None:
    failures = readme_sessions.check(update=False)
    assert failures == 0, capsys.readouterr().err


def test_the_sessions_are_found_and_run() -> None:
    lines = readme_sessions.README.read_text(encoding="utf-8").splitlines()
    blocks = readme_sessions.parse(lines)
    commands = [c.text for b in blocks for c in b.commands if c.text.startswith("esp ")]
    # Every command's section shows at least one session; the demo is the first.
    assert commands[0] == f"esp demo {readme_sessions.DEMO_FOLDER}"
    for name in (
        "escalations",
        "record-step",
        "note add",
        "access set",
        "progress import",
        "tbt proofs",
        "sme assign",
        "report eod",
        "advise",
    ):
        assert any(c.startswith(f"esp {name}") for c in commands), name


def test_an_ellipsis_stands_for_any_lines_and_nothing_else() -> None:
    match = readme_sessions.matches
    assert match(["a", "…", "z"], ["a", "b", "c", "z"], {})
    assert match(["a", "…", "z"], ["a", "z"], {})
    assert not match(["a", "…", "z"], ["a", "b", "y"], {})
    assert not match(["a", "b"], ["a", "b", "c"], {})


def test_running_the_sessions_leaves_esp_as_it_was() -> None:
    """The sessions run in the test process with tables 100 columns wide and numbered
    operation ids; a test run after them must see esp as it is (a table wrapped at 100
    columns made another test's output depend on its temporary folder's name)."""
    from esp_cli import render
    from esp_cli.workbook import history

    def state() -> tuple[object, ...]:
        return (render.terminal_width, history.Recorder.new_id, history.os_login)

    before = state()
    for _ in readme_sessions.run_all([]):
        pass
    assert state() == before
