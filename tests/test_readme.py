"""The terminal sessions in README.md and docs/ are esp's real output on the bundled sample.

Each page's `$ esp …` lines are run, in order, on the page's own fresh copy of the sample
(the clock at the sample's today, the files and small trackers the page makes in its own
text), and what they print must match what the page shows, `…` standing for lines left out.
`python scripts/readme_sessions.py --update` rewrites them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts import cli_reference, readme_sessions


@pytest.mark.parametrize("page", readme_sessions.pages(), ids=readme_sessions.page_name)
def test_every_session_is_what_esp_prints(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    failures = readme_sessions.check_page(page, update=False)
    assert failures == 0, capsys.readouterr().err


def _commands() -> list[str]:
    return [
        c.text
        for page in readme_sessions.pages()
        for b in readme_sessions.blocks(readme_sessions.parse(page.read_text("utf-8").splitlines()))
        for c in b.commands
        if c.text.startswith("esp ")
    ]


def test_every_command_is_shown_at_work() -> None:
    """Each command esp has — read from the app itself, so a new one is not forgotten —
    appears in at least one executed session."""
    commands = _commands()
    missing = [
        leaf.path
        for leaf in cli_reference.leaves(cli_reference.esp_command())
        if not any(c == f"esp {leaf.path}" or c.startswith(f"esp {leaf.path} ") for c in commands)
    ]
    assert not missing, f"commands no session in README.md or docs/ runs: {missing}"


def test_the_readme_opens_with_the_demo() -> None:
    lines = readme_sessions.README.read_text(encoding="utf-8").splitlines()
    first = readme_sessions.blocks(readme_sessions.parse(lines))[0]
    assert first.demo and first.commands[0].text == f"esp demo {readme_sessions.DEMO_FOLDER}"


def test_an_ellipsis_stands_for_any_lines_and_nothing_else() -> None:
    match = readme_sessions.matches
    assert match(["a", "…", "z"], ["a", "b", "c", "z"], {})
    assert match(["a", "…", "z"], ["a", "z"], {})
    assert not match(["a", "…", "z"], ["a", "b", "y"], {})
    assert not match(["a", "b"], ["a", "b", "c"], {})


def test_a_page_makes_its_own_files_and_trackers(tmp_path: Path) -> None:
    """A CSV in a fenced block after `<!-- file: … -->` is written as Excel saves it, and a
    Markdown table after `<!-- workbook: … | sheet -->` becomes that workbook, with real
    dates, numbers and empty cells as the team would type them."""
    page = [
        "<!-- file: notes.csv -->",
        "```csv",
        "agent,note",
        "Ana Ruiz,Called",
        "```",
        "<!-- workbook: ESP Tracker.xlsx | ESP Tracker -->",
        "| Class | Agent Name | ESP Start Date | Call Cert Start | TBT Hours | Notes |",
        "| --- | --- | --- | --- | --- | --- |",
        "| AET-1201 | Ana Ruiz | 11/20/2026 | 11/24/2026 8:00 AM | 9 | a \\| b |",
        "| AET-1201 | Ben Carter | | | | |",
    ]
    steps = readme_sessions.parse(page)
    assert [type(s).__name__ for s in steps] == ["Fixture", "Fixture"]
    for step in steps:
        assert isinstance(step, readme_sessions.Fixture)
        readme_sessions.make_fixture(step, tmp_path)
    assert (tmp_path / "notes.csv").read_bytes() == b"agent,note\r\nAna Ruiz,Called\r\n"

    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "ESP Tracker.xlsx")["ESP Tracker"]
    row = [c.value for c in sheet[2]]
    assert row[2].isoformat() == "2026-11-20T00:00:00"
    assert row[3].isoformat() == "2026-11-24T08:00:00"
    assert row[4] == 9 and row[5] == "a | b"
    assert [c.value for c in sheet[3]][2:] == [None] * 4


def test_your_own_config_folder_shows_as_on_linux(tmp_path: Path) -> None:
    here, config = tmp_path / "sample", tmp_path / "config"
    line = f"Saved [people] user in {config}/esp.toml; tracker {here}/ESP Tracker.xlsx"
    assert readme_sessions.relative(line, here, config) == (
        "Saved [people] user in ~/.config/esp/esp.toml; tracker ESP Tracker.xlsx"
    )


def test_running_the_sessions_leaves_esp_as_it_was() -> None:
    """The sessions run in the test process with tables 100 columns wide and numbered
    operation ids; a test run after them must see esp as it is (a table wrapped at 100
    columns made another test's output depend on its temporary folder's name)."""
    from esp_cli import render
    from esp_cli.workbook import history

    def state() -> tuple[object, ...]:
        return (render.terminal_width, history.Recorder.new_id, history.os_login)

    before = state()
    for _ in readme_sessions.run_page([]):
        pass
    assert state() == before


def _page(tmp_path: Path, *session: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text("\n".join(["```console", *session, "```", ""]), encoding="utf-8")
    return page


def test_a_variable_set_before_esp_is_set_for_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`NAME=value esp ...` runs with the variable set: the session fails when esp's output
    under it differs, as any other does."""
    right = _page(tmp_path, '$ ESP_USER="Dana Cole" esp config user', "Dana Cole",
                  "Signed: Dana Cole (from ESP_USER)")  # fmt: skip
    assert readme_sessions.check_page(right, update=False) == 0, capsys.readouterr().err
    wrong = _page(tmp_path, '$ ESP_USER="Dana Cole" esp config user', "Someone Else")
    assert readme_sessions.check_page(wrong, update=False) == 1
    assert "+Dana Cole" in capsys.readouterr().err


def test_text_piped_into_esp_is_what_it_reads() -> None:
    how = readme_sessions.invocation("printf 'a\\nq\\n' | X=1 esp round --class AET-1 --yes")
    assert (how.args, how.env, how.piped) == (["round", "--class", "AET-1", "--yes"],
                                             {"X": "1"}, "a\nq\n")  # fmt: skip


@pytest.mark.parametrize(
    "line",
    ["$ cat notes.csv | esp note import -", "$ esp doctor | grep AET", "$ sudo esp doctor",
     "$ ESP_USER=x env esp doctor"],
)  # fmt: skip
def test_a_line_esp_cannot_run_fails_loudly(
    line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A session line that runs esp in a way the checker cannot reproduce is an error naming
    it, never a line passed over (as `NAME=value esp ...` once was)."""
    assert readme_sessions.check_page(_page(tmp_path, line), update=False) == 1
    assert "not run" in capsys.readouterr().err
