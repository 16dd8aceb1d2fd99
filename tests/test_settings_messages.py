"""What esp says about the files and settings it is given: never the tracker suggested as the
Master, a Windows path's backslashes read as escapes, control characters never printed raw,
and a person's own esp.toml edited whatever TOML form it is in."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import load_config, set_user_name
from esp_cli.errors import ConfigError, ExitCode
from tests import factories


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


# --------------------------------------------------------------- the missing Master


def test_the_tracker_is_never_suggested_as_the_missing_master(tmp_path: Path) -> None:
    factories.tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ana Ruiz"}])
    config = tmp_path / "esp.toml"
    config.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\nmaster = "Master N Number Tracker.xlsx"\n',
        encoding="utf-8",
    )
    res = run("sync-nnumbers", "-c", str(config), "--dry-run")
    assert res.exit_code == ExitCode.BAD_INPUT
    assert "Master N Number Tracker.xlsx: no such file" in res.stderr
    assert "ESP Tracker.xlsx'" not in res.stderr  # neither "beside it is" nor "did you mean"
    # A real near miss beside it is still suggested.
    factories.master(tmp_path / "Master N Number Tracker (1).xlsx", [])
    res = run("sync-nnumbers", "-c", str(config), "--dry-run")
    assert "did you mean 'Master N Number Tracker (1).xlsx'?" in res.stderr


def test_the_master_is_never_suggested_as_the_missing_tracker(tmp_path: Path) -> None:
    factories.master(tmp_path / "Master Tracker.xlsx", [])
    config = tmp_path / "esp.toml"
    config.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\nmaster = "Master Tracker.xlsx"\n', encoding="utf-8"
    )
    res = run("doctor", "-c", str(config))
    assert res.exit_code == ExitCode.BAD_INPUT
    assert "Master Tracker.xlsx'" not in res.stderr


# ------------------------------------------------------- a folder, empty, in quotes


AGENT = [{"Class": "A", "Agent Name": "Ana Ruiz"}]


@pytest.fixture
def no_tracker_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path / "own"))
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("given", ["ESP_TRACKER", "esp.toml", "--tracker"])
def test_a_folder_given_as_the_tracker_names_where_and_the_workbook_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_tracker_env: None, given: str
) -> None:
    folder = tmp_path / "trackers"
    folder.mkdir()
    factories.tracker(folder / "ESP Tracker.xlsx", AGENT)
    factories.master(folder / "Master N Number Tracker.xlsx", [])
    args = ["doctor"]
    if given == "ESP_TRACKER":
        monkeypatch.setenv("ESP_TRACKER", str(folder))
        source = "from ESP_TRACKER"
    elif given == "esp.toml":
        (tmp_path / "esp.toml").write_text('[tracker]\npath = "trackers"\n', encoding="utf-8")
        source = f"from [tracker] path in {tmp_path / 'esp.toml'}"
    else:
        args += ["--tracker", str(folder)]
        source = "from --tracker"
    res = run(*args)
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert len(res.stderr.splitlines()) == 1, res.stderr
    assert f"{folder} is a folder, not a workbook (the ESP Tracker, {source})" in res.stderr
    assert f"did you mean '{folder / 'ESP Tracker.xlsx'}'?" in res.stderr


@pytest.mark.parametrize("key", ["path", "master", "self_reports"])
def test_an_empty_path_in_esp_toml_is_refused_as_empty(
    tmp_path: Path, no_tracker_env: None, key: str
) -> None:
    (tmp_path / "esp.toml").write_text(f'[tracker]\n{key} = ""\n', encoding="utf-8")
    res = run("doctor")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert f"[tracker] {key} is empty" in res.stderr and "is a folder" not in res.stderr


def test_a_tracker_path_in_double_quotes_is_taken_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_tracker_env: None
) -> None:
    """Explorer's "Copy as path" gives "C:\\…\\ESP Tracker.xlsx", quotes and all: pasted
    into ESP_TRACKER or esp.toml, the quotes stay."""
    tracker = factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENT)
    monkeypatch.setenv("ESP_TRACKER", f'"{tracker}"')
    res = run("escalations")
    assert res.exit_code == 0, res.output
    assert run("config", "where").stdout.splitlines()[-1] == f"tracker: {tracker}"
    monkeypatch.delenv("ESP_TRACKER")
    (tmp_path / "esp.toml").write_text(f"[tracker]\npath = '\"{tracker}\"'\n", encoding="utf-8")
    res = run("escalations")
    assert res.exit_code == 0, res.output


# ------------------------------------------------------------ control characters


@pytest.mark.parametrize("key", ["self_reports", "path", "master", "progress_report"])
def test_a_windows_path_with_single_backslashes_is_refused_with_the_fix(
    tmp_path: Path, key: str
) -> None:
    config = tmp_path / "esp.toml"
    config.write_text(f'[tracker]\n{key} = "S:\\team\\reports"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    text = f"{caught.value} {caught.value.fix}"
    assert "\t" not in text and "\r" not in text
    assert "[tracker] " + key in text
    assert "'S:\\\\team" not in text and "S:\\team" in text  # shown as typed: \t, \r
    assert "\\\\" in str(caught.value.fix) and "'S:\\team\\reports'" in str(caught.value.fix)


@pytest.mark.parametrize(
    ("section", "key", "typed"),
    [
        ("tracker", "path", "S:\\new\\tracker.xlsx"),  # \n: a line break, \t: a tab
        ("backup", "dir", "S:\\backups\\new"),  # \b: a backspace
        ("tracker", "self_reports", "S:\\forms\\reports"),  # \f: a form feed, \r
        ("advice", "templates", "S:\\team\\\\new"),  # \\: one backslash, then \n
    ],
)
def test_a_path_read_with_escapes_is_shown_as_typed_on_one_line(
    tmp_path: Path, section: str, key: str, typed: str
) -> None:
    config = tmp_path / "esp.toml"
    config.write_text(f'[{section}]\n{key} = "{typed}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    said = str(caught.value)
    assert "\n" not in said and "\\x" not in said, said  # one line, no \x08
    meant = typed.replace("\\\\", "\\")  # the path as typed, \\ being one backslash
    assert f'{key} "{typed}"' in said
    assert f"{key} = '{meant}'" in str(caught.value.fix)


@pytest.mark.parametrize(
    ("section", "key", "typed", "meant"),
    [
        ("tracker", "path", "\\\\fs\\team\\reports\\tracker.xlsx",
         "\\\\fs\\team\\reports\\tracker.xlsx"),
        ("backup", "dir", "\\\\nas\\backups\\team", "\\\\nas\\backups\\team"),
        ("tracker", "path", "\\\\fs\\\\team\\new.xlsx", "\\\\fs\\team\\new.xlsx"),
    ],
)  # fmt: skip
def test_a_network_path_read_with_escapes_keeps_both_leading_backslashes(
    tmp_path: Path, section: str, key: str, typed: str, meant: str
) -> None:
    """A network (UNC) path in double quotes: TOML reads its two leading backslashes as one
    (and a backslash then t as a tab); the fix gives the path the person meant, the share's,
    not a folder at the root of the drive."""
    config = tmp_path / "esp.toml"
    config.write_text(f'[{section}]\n{key} = "{typed}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert f'{key} "{typed}"' in str(caught.value)
    assert f"{key} = '{meant}'" in str(caught.value.fix)


def test_a_path_with_an_apostrophe_read_with_escapes_is_given_with_forward_slashes(
    tmp_path: Path,
) -> None:
    """Single quotes cannot hold a ': the fix writes such a path with forward slashes."""
    config = tmp_path / "esp.toml"
    config.write_text('[tracker]\npath = "S:\\new\\fred\'s.xlsx"\n', encoding="utf-8")
    res = run("config", "where", "-c", str(config))
    assert res.exit_code == ExitCode.USAGE
    assert len(res.stderr.splitlines()) == 1, res.stderr
    assert 'path = "S:/new/fred\'s.xlsx"' in res.stderr


def test_the_cli_never_prints_a_control_character(tmp_path: Path) -> None:
    config = tmp_path / "esp.toml"
    config.write_text('[tracker]\nself_reports = "S:\\team\\reports"\n', encoding="utf-8")
    res = run("progress", "import", "-c", str(config))
    assert res.exit_code == ExitCode.USAGE
    assert not any(ch in res.stderr for ch in "\t\r\x1b"), repr(res.stderr)
    assert "backslash" in res.stderr


def test_an_error_naming_a_file_escapes_its_control_characters(tmp_path: Path) -> None:
    odd = tmp_path / "rep\rorts"
    res = run("doctor", "-t", str(odd / "ESP Tracker.xlsx"))
    assert res.exit_code != 0
    assert "\r" not in res.stderr and "rep\\rorts" in res.stderr


# ------------------------------------------------------------- esp config user


@pytest.mark.parametrize(
    "text",
    [
        'people = { user = "Old Name" }\n',
        'people = { user = "Old Name", user_email = "old@x.com" }\n',
        'people.user = "Old Name"\n',
        '"people" = { user = "Old Name" }\n',
        '[tracker]\npath = "ESP.xlsx"\n\n[people]\nuser = "Old Name"  # me\n',
    ],
)
def test_config_user_edits_any_form_of_people(tmp_path: Path, text: str) -> None:
    path = tmp_path / "esp.toml"
    path.write_text(text, encoding="utf-8")
    set_user_name("Jordan Reyes", path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["people"]["user"] == "Jordan Reyes"
    before = tomllib.loads(text)
    assert {k: v for k, v in data["people"].items() if k != "user"} == {
        k: v for k, v in before["people"].items() if k != "user"
    }
    assert {k: v for k, v in data.items() if k != "people"} == {
        k: v for k, v in before.items() if k != "people"
    }


def test_config_user_through_the_cli_on_an_inline_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "esp.toml").write_text('people = { user = "Old Name" }\n', encoding="utf-8")
    res = run("config", "user", "Jordan Reyes")
    assert res.exit_code == 0, res.output
    assert "not valid TOML" not in res.stderr
    assert res.stdout.strip() == "Jordan Reyes"


def test_config_user_says_why_it_cannot_edit_people_that_is_no_table(tmp_path: Path) -> None:
    path = tmp_path / "esp.toml"
    path.write_text('people = "Old Name"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        set_user_name("Jordan Reyes", path)
    assert "people is not a table" in str(caught.value)
    assert "[people]" in str(caught.value.fix)
    assert path.read_text(encoding="utf-8") == 'people = "Old Name"\n'


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Zo\udceb Latin1", "holds bytes that are not UTF-8"),  # a terminal set to Latin-1
        ("Bad\x01Name", "holds U+0001"),
        ("Bad\tName", "holds U+0009 (tab)"),
        ("Bad\nName", "holds U+000A (line feed)"),
    ],
)
def test_config_user_refuses_a_name_no_note_can_show_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, said: str
) -> None:
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Old Name"\n', encoding="utf-8")
    res = run("config", "user", name)
    assert res.exit_code == ExitCode.USAGE, res.output
    assert len(res.stderr.splitlines()) == 1 and said in res.stderr, res.stderr
    assert "Saved" not in res.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["esp.toml"]  # no temporary file either
    assert (tmp_path / "esp.toml").read_text(encoding="utf-8") == '[people]\nuser = "Old Name"\n'


def test_config_user_that_cannot_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """esp.toml read-only (Windows' Read-only attribute, a synced file): writing failed."""
    monkeypatch.setenv("ESP_CONFIG_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Old Name"\n', encoding="utf-8")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(1, "Operation not permitted", str(dst))

    monkeypatch.setattr("os.replace", refuse)
    res = run("config", "user", "New Name")
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert len(res.stderr.splitlines()) == 1, res.stderr
    assert "cannot be written (Operation not permitted)" in res.stderr and "Fix:" in res.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["esp.toml"]
    assert (tmp_path / "esp.toml").read_text(encoding="utf-8") == '[people]\nuser = "Old Name"\n'


def test_config_user_says_esp_config_dir_names_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ESP_CONFIG_DIR", str(afile))
    monkeypatch.chdir(tmp_path)
    res = run("config", "user", "New Name")
    assert res.exit_code == ExitCode.USAGE, res.output
    assert len(res.stderr.splitlines()) == 1, res.stderr
    assert f"ESP_CONFIG_DIR names {afile}, a file, not a folder" in res.stderr
    assert afile.read_text(encoding="utf-8") == "not a folder"
