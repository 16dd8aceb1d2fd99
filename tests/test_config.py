"""Who signs (--by, ESP_USER, your own esp.toml, the esp.toml in use) and which esp.toml is
used (--config, ./esp.toml, the tracker's folder, your own)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.cli.options import resolve_config_and_tracker
from esp_cli.config import SCHEMA, Config, load_config, set_user_name, user_config_path
from esp_cli.errors import ConfigError, ExitCode
from tests import factories

AGENTS = [{"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E100"}]
NOTES_CELL = "K3"  # factories.TRACKER_HEADERS under one title row


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The person's config folder (platformdirs follows XDG_CONFIG_HOME on Linux)."""
    folder = tmp_path / "home-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("ESP_CONFIG_DIR", raising=False)
    monkeypatch.delenv("ESP_USER", raising=False)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shared_tracker(tmp_path: Path, agents: list[dict[str, Any]] = AGENTS) -> Path:
    (tmp_path / "shared").mkdir(exist_ok=True)
    return factories.tracker(tmp_path / "shared" / "ESP Tracker.xlsx", agents)


def team_config(tmp_path: Path, user: str = "Team Lead") -> Config:
    return load_config(write(tmp_path / "team" / "esp.toml", f'[people]\nuser = "{user}"\n'))


# -- who signs --------------------------------------------------------------------------------


def test_user_config_is_in_the_platform_config_folder(home: Path) -> None:
    assert user_config_path() == home / "esp" / "esp.toml"


def test_signer_order(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = team_config(tmp_path)
    team = str(tmp_path / "team" / "esp.toml")
    assert (cfg.who_signs(None).name, cfg.who_signs(None).source) == ("Team Lead", team)
    set_user_name("  Dana   Whitfield ")
    assert cfg.who_signs(None).name == "Dana Whitfield"
    assert cfg.who_signs(None).source == str(user_config_path())
    monkeypatch.setenv("ESP_USER", "Jordan Reyes")
    assert (cfg.who_signs(None).name, cfg.who_signs(None).source) == ("Jordan Reyes", "ESP_USER")
    assert cfg.who_signs("Sam Lee").name == "Sam Lee"
    assert cfg.who_signs("Sam Lee").source == "--by"
    assert cfg.signer(" ") == "Jordan Reyes"  # a blank --by is no name


def test_no_name_anywhere_is_a_clear_error(home: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Config().signer(None)
    assert "esp config user" in str(caught.value)
    assert str(user_config_path()) in str(caught.value)


def test_set_user_keeps_the_rest_of_the_file(home: Path) -> None:
    own = write(
        user_config_path(),
        '# mine\n[calendar]\ncountry = "US"\n\n[people]\nuser_email = "d@x.com"\n'
        'user = "Old Name"\n\n[report]\nto = ["a@x.com"]\n',
    )
    set_user_name('Dana "DW" Whitfield')
    text = own.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert raw["people"] == {"user_email": "d@x.com", "user": 'Dana "DW" Whitfield'}
    assert raw["calendar"] == {"country": "US"} and raw["report"] == {"to": ["a@x.com"]}
    assert text.startswith("# mine\n")
    # A [people] table without a user gets one; a file without [people] gets the table.
    write(own, '[people]\nuser_email = "d@x.com"\n')
    set_user_name("Dana")
    assert tomllib.loads(own.read_text(encoding="utf-8"))["people"]["user"] == "Dana"
    write(own, '[calendar]\ncountry = "US"\n')
    set_user_name("Dana")
    assert tomllib.loads(own.read_text(encoding="utf-8")) == {
        "calendar": {"country": "US"},
        "people": {"user": "Dana"},
    }


def test_set_user_refuses_a_broken_file(home: Path) -> None:
    own = write(user_config_path(), "[people\nuser = 'x'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        set_user_name("Dana")
    assert own.read_text(encoding="utf-8") == "[people\nuser = 'x'\n"


def test_config_user_command_sets_and_shows(home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["config", "user"])
    assert res.exit_code == 1
    assert res.stdout == ""
    assert "No name set" in res.stderr
    res = runner.invoke(app, ["config", "user", "Dana Whitfield"])
    assert res.exit_code == 0, res.output
    assert res.stdout == "Dana Whitfield\n"
    assert f'Saved [people] user = "Dana Whitfield" in {user_config_path()}' in res.stderr
    assert f"Signed: Dana Whitfield (from {user_config_path()})" in res.stderr
    assert runner.invoke(app, ["config", "user"]).stdout == "Dana Whitfield\n"


@pytest.mark.parametrize(
    ("typed", "saved"),
    [('"Tom Alvarez"', '"Tom Alvarez"'), ("  Tom   Alvarez ", '"Tom Alvarez"'),
     ("“Dana O'Connor”", '"Dana O\'Connor"')],
)  # fmt: skip
def test_config_user_says_the_name_as_it_is_saved(home: Path, typed: str, saved: str) -> None:
    """A name pasted with its quotes is saved without them: the message shows the line the
    file holds, not what was typed."""
    res = CliRunner().invoke(app, ["config", "user", typed])
    assert res.exit_code == 0, res.output
    assert f"Saved [people] user = {saved} in {user_config_path()}." in res.stderr
    assert f"user = {saved}" in user_config_path().read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "said"),
    [("Jordan\tReyes", "U+0009 (tab)"), ("Jordan Reyes\r", "U+000D (carriage return)"),
     ("Jordan\x1bReyes", "U+001B (escape)")],
)  # fmt: skip
def test_a_name_with_a_control_character_is_refused_wherever_it_is_read(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, said: str
) -> None:
    """ESP_USER, your own esp.toml, the team's and esp config user: one line naming the
    setting and the fix; the name never signs anything (a tab or line break included)."""
    runner = CliRunner()
    monkeypatch.setenv("ESP_USER", name)
    res = runner.invoke(app, ["config", "user"])
    assert res.exit_code == ExitCode.USAGE, res.output
    (line,) = res.stderr.splitlines()
    assert f"ESP_USER holds {said}" in line and 'ESP_USER="Jordan Reyes"' in line
    monkeypatch.delenv("ESP_USER")
    own = write(user_config_path(), f"[people]\nuser = {json.dumps(name)}\n")
    res = runner.invoke(app, ["config", "user"])
    assert res.exit_code == ExitCode.USAGE, res.output
    (line,) = res.stderr.splitlines()
    assert f"{own}: [people] user holds {said}" in line and "esp config user" in line
    with pytest.raises(ConfigError, match=re.escape(f"[people] user holds {said}")):
        team_config(tmp_path, json.dumps(name)[1:-1])
    res = runner.invoke(app, ["config", "user", name])
    assert res.exit_code == ExitCode.USAGE, res.output
    assert f"holds {said}" in res.stderr and "Saved" not in res.stderr


def test_note_add_signs_with_esp_user_and_says_so(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = shared_tracker(tmp_path)
    write(tmp_path / "shared" / "esp.toml", '[people]\nuser = "Team Lead"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ESP_USER", "Jordan Reyes")
    res = CliRunner().invoke(
        app,
        ["note", "add", "E100", "Called", "--date", "2026-11-23", "-t", str(tracker), "-f", "json"],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["signed_by"] == "Jordan Reyes"
    assert "Signed: Jordan Reyes (from ESP_USER)" in res.stderr
    ws = openpyxl.load_workbook(tracker)["ESP Tracker"]
    assert ws[NOTES_CELL].value == "11/23/2026 - Jordan Reyes - Called"


def test_record_step_signs_from_the_team_config_beside_the_tracker(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agents = [{**AGENTS[0], "ESP Start Date": "2026-11-20"}]
    tracker = shared_tracker(tmp_path, agents)
    write(tmp_path / "shared" / "esp.toml", '[people]\nuser = "Team Lead"\n')
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(
        app, ["record-step", "E100", "coaching", "--date", "2026-11-25", "-t", str(tracker)]
    )
    assert res.exit_code == 0, res.output
    # Shown relative to the working folder.
    assert f"Signed: Team Lead (from {Path('shared', 'esp.toml')})" in res.stderr


@pytest.mark.parametrize(
    ("mine", "warning"),
    [
        ('[peopel]\nuser = "Priya Natarajan"\n', "[peopel] is not a section esp knows; did "
         "you mean [people]?"),
        ('[people]\nusr = "Priya Natarajan"\n', "[people] usr is not a key esp knows; did you "
         "mean user?"),
        ('user = "Priya Natarajan"\n', "user is outside any [section]; it belongs under [people]"),
    ],
)  # fmt: skip
def test_a_typo_in_your_own_esp_toml_is_said_when_a_team_one_signs(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mine: str, warning: str
) -> None:
    """Your own esp.toml is read for the name that signs even when the team's is in use: a
    typo in it is said, not left to sign your notes with the team's name unseen."""
    tracker = shared_tracker(tmp_path)
    write(tmp_path / "shared" / "esp.toml", '[people]\nuser = "Team Lead"\n')
    own = write(user_config_path(), mine)
    monkeypatch.chdir(tmp_path)
    said = f"warning: {own}: {warning}"
    add = ["note", "add", "E100", "Called", "--date", "2026-11-23", "-t", str(tracker)]
    for args in (add, ["config", "user", "-t", str(tracker)]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        assert "Signed: Team Lead" in res.stderr
        assert res.stderr.count(said) == 1, res.stderr
    # Your own esp.toml in use (no team one): said once, as for any esp.toml in use.
    res = CliRunner().invoke(app, ["config", "user"])
    assert res.stderr.count(said) == 1, res.stderr


@pytest.mark.parametrize("mine", ['[people]\nuser = ""\n', "[people]\nuser = '  '\n"])
def test_an_empty_name_in_your_own_esp_toml_is_said_when_a_team_one_signs(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mine: str
) -> None:
    """`user = ""` left in a copied template: the team's name signs your notes, and esp
    says why, once."""
    tracker = shared_tracker(tmp_path)
    write(tmp_path / "shared" / "esp.toml", '[people]\nuser = "Team Lead"\n')
    own = write(user_config_path(), mine)
    monkeypatch.chdir(tmp_path)
    add = ["note", "add", "E100", "Called", "--date", "2026-11-23", "-t", str(tracker), "-n"]
    res = CliRunner().invoke(app, add)
    assert res.exit_code == 0, res.output
    assert "Signed: Team Lead" in res.stderr
    said = f"warning: {own}: [people] user is empty"
    assert res.stderr.count(said) == 1, res.stderr
    assert "esp config user" in res.stderr


@pytest.mark.parametrize(
    "typed", ['"Priya Natarajan"', "'Priya Natarajan'", "“Priya Natarajan”", ' " Priya Natarajan" ']
)
def test_quotes_round_a_name_are_not_part_of_it(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    """cmd.exe keeps the quotes of `set ESP_USER="Priya Natarajan"`: the name signs without
    them, from ESP_USER, --by, an esp.toml and `esp config user` alike."""
    cfg = team_config(tmp_path, user=typed.replace('"', '\\"'))
    assert cfg.signer(None) == "Priya Natarajan"
    assert cfg.signer(typed) == "Priya Natarajan"
    monkeypatch.setenv("ESP_USER", typed)
    assert cfg.signer(None) == "Priya Natarajan"
    monkeypatch.delenv("ESP_USER")
    res = CliRunner().invoke(app, ["config", "user", typed])
    assert res.exit_code == 0, res.output
    assert res.stdout == "Priya Natarajan\n"
    assert tomllib.loads(user_config_path().read_text(encoding="utf-8"))["people"] == {
        "user": "Priya Natarajan"
    }


def test_an_undo_by_a_quoted_name_is_recorded_without_the_quotes(
    home: Path, tmp_path: Path
) -> None:
    tracker = shared_tracker(tmp_path)
    runner = CliRunner()
    add = ["note", "add", "E100", "Called", "--date", "2026-11-23", "--by", "Me"]
    assert runner.invoke(app, [*add, "-t", str(tracker)]).exit_code == 0
    res = runner.invoke(app, ["undo", "--by", '"Priya Natarajan"', "-t", str(tracker)])
    assert res.exit_code == 0, res.output
    history = runner.invoke(app, ["history", "-t", str(tracker), "-f", "json"])
    assert json.loads(history.stdout)["operations"][0]["signer"] == "Priya Natarajan"


def test_quotes_inside_a_name_are_kept(home: Path, tmp_path: Path) -> None:
    assert team_config(tmp_path).signer("Dana 'DW' Whitfield") == "Dana 'DW' Whitfield"
    assert team_config(tmp_path).signer("O'Connor") == "O'Connor"


def test_config_user_writes_through_a_linked_own_esp_toml(home: Path, tmp_path: Path) -> None:
    """Your own esp.toml kept elsewhere (a synced dotfiles folder) and linked in: the file
    it links to gets the name, and the link stays, as a linked tracker is written."""
    real = write(tmp_path / "synced" / "esp.toml", '# synced\n[people]\nuser = "Old"\n')
    link = user_config_path()
    link.parent.mkdir(parents=True, exist_ok=True)
    try:
        link.symlink_to(real)
    except OSError:
        pytest.skip("this system cannot make a symbolic link here")
    res = CliRunner().invoke(app, ["config", "user", "New Name"])
    assert res.exit_code == 0, res.output
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == '# synced\n[people]\nuser = "New Name"\n'


# -- which esp.toml -----------------------------------------------------------------------------


def used(config: Path | None, tracker: Path | None) -> tuple[Path | None, Path]:
    cfg, path, _ = resolve_config_and_tracker(config, tracker)
    return cfg.source, path


def test_config_discovery_order(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work, share = tmp_path / "work", tmp_path / "share"
    tracker = share / "ESP Tracker.xlsx"
    beside = write(share / "esp.toml", '[tracker]\npath = "ESP Tracker.xlsx"\n')
    own = write(user_config_path(), '[tracker]\npath = "Mine.xlsx"\n')
    work.mkdir()
    monkeypatch.chdir(work)
    # Nothing in the working folder: the tracker's folder, then the person's own.
    assert used(None, tracker) == (beside, tracker)
    monkeypatch.setenv("ESP_TRACKER", str(tracker))
    assert used(None, None) == (beside, tracker)
    monkeypatch.delenv("ESP_TRACKER")
    assert used(None, None) == (own, own.parent / "Mine.xlsx")
    # The working folder's comes first; --config before everything.
    here = write(work / "esp.toml", '[tracker]\npath = "sub/Here.xlsx"\n')
    assert used(None, tracker) == (here, tracker)
    assert used(None, None) == (here, work / "sub" / "Here.xlsx")
    assert used(beside, None) == (beside, share / "ESP Tracker.xlsx")


def test_relative_paths_stay_relative_to_the_config_found_beside_the_tracker(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share"
    write(
        share / "esp.toml",
        '[tracker]\nmaster = "master/Master.xlsx"\n[backup]\ndir = "backups"\n',
    )
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    cfg, _, _ = resolve_config_and_tracker(None, share / "ESP Tracker.xlsx")
    assert cfg.master == share / "master" / "Master.xlsx"
    assert cfg.backup_dir == share / "backups"


def test_a_team_config_beside_the_tracker_is_used_by_commands(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # [columns] in the shared esp.toml maps the team's spelling: found without --config.
    tracker = shared_tracker(tmp_path)
    wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    ws["K2"] = "Coordinator Remarks"
    wb.save(tracker)
    write(tmp_path / "shared" / "esp.toml", '[columns]\nnotes = ["Coordinator Remarks"]\n')
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    res: Any = CliRunner().invoke(
        app, ["note", "add", "E100", "Hi", "--by", "Dana", "--date", "2026-11-23",
              "-t", str(tracker)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(tracker)["ESP Tracker"][NOTES_CELL].value == (
        "11/23/2026 - Dana - Hi"
    )


def test_config_user_reports_a_broken_own_config_as_such(home: Path) -> None:
    write(user_config_path(), "[people\n")
    res = CliRunner().invoke(app, ["config", "user"])
    assert res.exit_code == ExitCode.USAGE
    assert "not valid TOML" in res.stderr and "No name set" not in res.stderr


# -- a mistyped esp.toml: one line naming the key and the fix, never a traceback ---------------


def config_where(tmp_path: Path, text: str | bytes) -> Any:
    path = tmp_path / "esp.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        write(path, text)
    return CliRunner().invoke(app, ["config", "where", "--config", str(path)])


@pytest.mark.parametrize(
    ("text", "key", "what"),
    [
        ("[people]\nuser = 5\n", "[people] user", "a string (got 5)"),
        ("[report]\nfrom = 5\n", "[report] from", "a string (got 5)"),
        ("[calendar]\nsubdivision = 5\n", "[calendar] subdivision", "a string (got 5)"),
        (
            "[calendar]\ncompany_days_off = 2026-12-24\n",
            "[calendar] company_days_off",
            "a list of dates (got 2026-12-24)",
        ),
        ("[smtp]\nport = '587'\n", "[smtp] port", "a port number such as 587"),
        ("[backup]\nkeep_days = true\n", "[backup] keep_days", "a whole number"),
        (
            '[people]\nsme_emails = { "Priya" = 5 }\n',
            '[people] sme_emails "Priya"',
            "an address in quotes (got 5)",
        ),
        (
            '[people]\nsme_emails = { "Priya" = "p@x.com", "Tom Alvarez" = { a = 1 } }\n',
            '[people] sme_emails "Tom Alvarez"',
            "an address in quotes (got a table)",
        ),
        (
            '[people]\nsme_emails = "priya@x.com"\n',
            "[people] sme_emails",
            "a table of names and addresses (got 'priya@x.com')",
        ),
    ],
)
def test_a_value_of_the_wrong_type_names_the_key_and_the_type(
    home: Path, tmp_path: Path, text: str, key: str, what: str
) -> None:
    res = config_where(tmp_path, text)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert f"{key} must be {what}" in res.stderr
    assert "Fix: write it as" in res.stderr
    assert "Traceback" not in res.output and res.stdout == ""


# A value no key accepts: a table of numbers (sme_emails takes a table of strings).
WRONG = "{ a = 1 }"


@pytest.mark.parametrize(
    ("section", "key"),
    [(s, k) for s, keys in SCHEMA.items() for k in keys],
)
def test_every_key_refuses_a_wrong_type_with_a_clear_error(
    home: Path, tmp_path: Path, section: str, key: str
) -> None:
    res = config_where(tmp_path, f"[{section}]\n{key} = {WRONG}\n")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert re.search(rf"\[{section}\] {key}( \S+)? must be", res.stderr), res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_a_column_spelling_of_the_wrong_type_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    res = config_where(tmp_path, '[columns]\n"Agent ID" = 5\n')
    assert res.exit_code == ExitCode.USAGE
    assert "[columns] 'Agent ID' must be a string or a list of strings" in res.stderr


def test_a_notepad_byte_order_mark_is_read(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "esp.toml"
    path.write_bytes(b'\xef\xbb\xbf[people]\nuser = "Dana"\n')
    assert load_config(path).user == "Dana"


def test_a_utf16_file_is_read(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "esp.toml"
    path.write_bytes('[people]\nuser = "Zoë Ångström"\n'.encode("utf-16"))
    assert load_config(path).user == "Zoë Ångström"


def test_esp_config_user_keeps_a_file_with_a_byte_order_mark(home: Path) -> None:
    own = user_config_path()
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_bytes(b'\xef\xbb\xbf[calendar]\ncountry = "US"\n')
    set_user_name("Dana")
    assert load_config(own).user == "Dana" and load_config(own).country == "US"


def test_a_file_in_another_encoding_says_to_save_it_as_utf8(home: Path, tmp_path: Path) -> None:
    res = config_where(tmp_path, '[people]\nuser = "Zoë"\n'.encode("cp1252"))
    assert res.exit_code == ExitCode.USAGE
    assert "not UTF-8 text" in res.stderr and "Encoding: UTF-8" in res.stderr


def test_a_windows_path_in_double_quotes_says_how_to_write_it(home: Path, tmp_path: Path) -> None:
    res = config_where(tmp_path, '[tracker]\npath = "C:\\Users\\jr\\ESP Tracker.xlsx"\n')
    assert res.exit_code == ExitCode.USAGE
    assert "line 2" in res.stderr
    assert "single quotes" in res.stderr and "forward slashes" in res.stderr


def test_a_windows_path_in_single_quotes_is_read(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "esp.toml", "[tracker]\npath = 'C:\\Users\\jr\\ESP Tracker.xlsx'\n")
    assert str(load_config(path).tracker).endswith("ESP Tracker.xlsx")


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ('[calender]\ncountry = "US"\n', "[calender] is not a section esp knows; did you mean "
         "[calendar]?"),
        ('[people]\nuser_emial = "a@b.com"\n', "[people] user_emial is not a key esp knows; "
         "did you mean user_email?"),
        ('user = "Dana"\n', "user is outside any [section]; it belongs under [people]"),
        ('[columns]\n"Agnet ID" = ["Associate"]\n', "[columns] 'Agnet ID' is not a column esp "
         'knows; did you mean "Agent ID"?'),
    ],
)  # fmt: skip
def test_an_unknown_section_or_key_is_a_warning_naming_the_closest(
    home: Path, tmp_path: Path, text: str, warning: str
) -> None:
    res = config_where(tmp_path, text)
    assert res.exit_code == 0, res.output
    assert f"warning: {tmp_path / 'esp.toml'}: {warning}" in res.stderr


def test_known_keys_give_no_warning(home: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "src" / "esp_cli" / "sample" / "esp.toml"
    assert load_config(sample).warnings == ()


@pytest.mark.parametrize(
    ("text", "line", "fix"),
    [
        ('[tracker\npath = "x.xlsx"\n', "line 1 reads '[tracker'", "a section heading ends "
         "with ']': [tracker]"),
        ("[tracker]\npath = ESP Tracker.xlsx\n", "line 2 reads 'path = ESP Tracker.xlsx'",
         'text goes in quotes: path = "ESP Tracker.xlsx"'),
        ('[tracker]\npath = "ESP Tracker.xlsx\n', "line 2 reads 'path = \"ESP Tracker.xlsx'",
         'close the quotes: path = "ESP Tracker.xlsx"'),
        ("[people]\nuser = 'A'\nuser = 'B'\n", "line 3 reads 'user = 'B''",
         "user is given twice in its section: keep one."),
        ("[tracker]\npath\n", "line 2 reads 'path'", 'text values go in quotes (path = '
         '"ESP Tracker.xlsx"), section headings in [brackets] ([tracker])'),
    ],
)  # fmt: skip
def test_a_toml_syntax_error_shows_the_line_and_how_to_correct_it(
    tmp_path: Path, text: str, line: str, fix: str
) -> None:
    config = write(tmp_path / "esp.toml", text)
    with pytest.raises(ConfigError) as got:
        load_config(config)
    said = str(got.value)
    assert f"{config}: not valid TOML" in said
    assert line in said
    assert f"Fix: correct line {line.split()[1]} of {config}: {fix}" in said


def test_a_columns_line_pasted_on_its_heading_says_to_split_it(tmp_path: Path) -> None:
    config = write(
        tmp_path / "esp.toml",
        '[tracker]\npath = "x.xlsx"\n[columns] "All TBTs Complete?" = ["All TBTs Finished?"]\n',
    )
    with pytest.raises(ConfigError) as got:
        load_config(config)
    assert (
        f"Fix: correct line 3 of {config}: a section heading goes on a line of its own: "
        '[columns] on this line, then on the next: "All TBTs Complete?" = ["All TBTs Finished?"]'
    ) in str(got.value)


def test_a_section_given_twice_says_where_it_is_already(tmp_path: Path) -> None:
    config = write(
        tmp_path / "esp.toml",
        '[columns]  # spellings\n"ESP Start Date" = ["Go-Live Date"]\n[tracker]\n'
        'path = "x.xlsx"\n\n[columns]\n"All TBTs Complete?" = ["All TBTs Finished?"]\n',
    )
    with pytest.raises(ConfigError) as got:
        load_config(config)
    assert (
        f"Fix: a [columns] section is already in {config} (line 1): add the lines under this "
        "heading to that section, and delete line 6."
    ) in str(got.value)


def test_settings_without_an_esp_toml_nor_a_time_zone_load_no_toml_nor_zoneinfo(
    tmp_path: Path,
) -> None:
    """Where no esp.toml is found, nothing parses TOML; where the team names no time zone,
    the machine's clock is the team's: neither tomllib nor zoneinfo (and the sysconfig it
    reads its paths from) is loaded for nothing, as `make bench` runs every command."""
    code = (
        "import sys\n"
        "from esp_cli.config import load_config\n"
        "config = load_config()\n"
        "print(config.clock(), config.now() is not None)\n"
        "print(sorted(m for m in ('tomllib', 'zoneinfo') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ESP_TRACKER"}
    env["ESP_CONFIG_DIR"] = str(tmp_path / "no-config")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "MachineZone() True\n[]\n"
