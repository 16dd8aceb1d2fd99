"""esp.toml as a file: where it is found, its text, its TOML, and the tracker it names.

The light half of `config`: the command line reads the tracker's place from here before the
rest of esp loads, so that the tracker's parse starts at once (cli.read_early); `config`
reads everything else the file says, from the same text.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import Any

from esp_cli.errors import ConfigError
from esp_cli.system import user_config_dir

CONFIG_NAME = "esp.toml"
TRACKER_ENV = "ESP_TRACKER"


def user_config_path() -> Path:
    """The person's own esp.toml, in their platform's config folder (on Windows
    %LOCALAPPDATA%\\esp\\esp.toml, on macOS ~/Library/Application Support/esp/esp.toml, on
    Linux ~/.config/esp/esp.toml; ESP_CONFIG_DIR names another folder)."""
    return user_config_dir() / CONFIG_NAME


def find_config(cwd: Path | None = None, tracker: Path | None = None) -> Path | None:
    """The esp.toml to use when --config is not given: the working folder's, else the one
    in the tracker's folder (when the tracker is elsewhere), else the person's own
    (user_config_path()); None when there is none."""
    candidates = [(cwd or Path.cwd()) / CONFIG_NAME]
    if tracker is not None:
        candidates.append(tracker.parent / CONFIG_NAME)
    candidates.append(user_config_path())
    return next((c for c in candidates if c.is_file()), None)


def read_toml_text(path: Path) -> str:
    """The file's text, as Windows editors save it: UTF-8 with or without the byte-order
    mark Notepad writes, or UTF-16 ("Unicode" in Notepad's Save As) with its mark."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start + 1} cannot be read).",
            fix="save it as UTF-8 (in Notepad: File > Save As, Encoding: UTF-8).",
        ) from exc


_TOML_LINE = re.compile(r"line (\d+)")


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """The TOML in `text`; a syntax error names the file and line, shows the line, and says
    how to correct it (a Windows path typed in double quotes, where a backslash starts an
    escape, says how to write it)."""
    import tomllib  # here: a command run where no esp.toml is found never parses TOML

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        lines = text.splitlines()
        number = int(found.group(1)) if found else 0
        if not 0 < number <= len(lines):
            fix = (
                f'correct {path}: text values in quotes (path = "ESP Tracker.xlsx"), '
                "section headings in [brackets] ([tracker])."
            )
            raise ConfigError(f"{path}: not valid TOML ({exc}).", fix=fix) from exc
        line = lines[number - 1]
        again = _heading_again(lines, number, str(exc))
        raise ConfigError(
            f"{path}: not valid TOML ({exc}): line {number} reads '{line.strip()}'.",
            fix=f"a {again[0]} section is already in {path} (line {again[1]}): add the lines "
            f"under this heading to that section, and delete line {number}."
            if again is not None
            else f"correct line {number} of {path}: {_toml_fix(line, str(exc))}",
        ) from exc


def _heading_again(lines: list[str], number: int, error: str) -> tuple[str, int] | None:
    """The section heading on line `number` and the line where the file has it already,
    when the error is a section declared twice ([columns] pasted under another)."""
    if "Cannot declare" not in error:
        return None
    heading = lines[number - 1].split("#", 1)[0].strip()
    name = heading.strip("[] ")
    for at, text in enumerate(lines[: number - 1], start=1):
        if text.split("#", 1)[0].strip().strip("[] ") == name and text.strip().startswith("["):
            return heading, at
    return None


def _toml_fix(line: str, error: str) -> str:
    """How to correct the esp.toml line a TOML error names."""
    text = line.strip()
    if "\\" in text and '"' in text:
        return (
            "a backslash inside double quotes starts an escape (\\U, \\n...): write "
            "Windows paths in single quotes, 'C:\\Users\\you\\ESP Tracker.xlsx', or "
            'with forward slashes, "C:/Users/you/ESP Tracker.xlsx".'
        )
    if text.startswith("[") and "]" not in text:
        return f"a section heading ends with ']': {text}]"
    if text.startswith("[") and not text.startswith("[["):
        heading, _, rest = text.partition("]")
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            return (
                f"a section heading goes on a line of its own: {heading}] on this line, "
                f"then on the next: {rest}"
            )
    key, equals, value = text.partition("=")
    if equals and key.strip():
        value = value.strip()
        if "overwrite" in error:
            return f"{key.strip()} is given twice in its section: keep one."
        if value and value[0] in "\"'" and value.count(value[0]) == 1:
            return f"close the quotes: {key.strip()} = {value}{value[0]}"
        if value and value[0] not in "\"'[{" and not _plain_value(value):
            return f'text goes in quotes: {key.strip()} = "{value}"'
    return (
        'text values go in quotes (path = "ESP Tracker.xlsx"), section headings in '
        "[brackets] ([tracker]), one key = value per line."
    )


def _plain_value(value: str) -> bool:
    """A TOML value that needs no quotes: a number, true/false, a date."""
    import tomllib

    try:
        tomllib.loads(f"v = {value}")
    except tomllib.TOMLDecodeError:
        return False
    return True


def unquoted(text: str) -> str:
    """A path without the double quotes round it that Windows' "Copy as path" adds (and
    that stay when it is pasted into ESP_TRACKER or esp.toml); no file name holds one."""
    inner = text.strip()
    if len(inner) >= 2 and inner[0] == inner[-1] == '"':
        return inner[1:-1]
    return text


def env_tracker() -> Path | None:
    """The tracker ESP_TRACKER names, without quotes round it; None when it is unset or
    empty."""
    value = unquoted(os.environ.get(TRACKER_ENV, ""))
    return Path(value) if value.strip() else None


def path_in(value: str, base: Path) -> Path:
    """A path written in esp.toml: `~` is the home folder; a relative one is relative to
    the file's folder `base`."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p


def configured_tracker(config: Path | None) -> Path | None:
    """The tracker the esp.toml in use names ([tracker] path), as `config.Config` reads it:
    the file at `config` (--config), else the one find_config finds. None when there is no
    such file (a named pipe or a device is none: it is never opened) or entry (ConfigError
    when the file cannot be read as TOML)."""
    path = config if config is not None else find_config()
    if path is None or not path.is_file():
        return None
    section = parse_toml(read_toml_text(path), path).get("tracker")
    value = section.get("path") if isinstance(section, dict) else None
    return path_in(unquoted(value), path.parent) if isinstance(value, str) else None
