"""esp.toml: where the trackers are, column spellings, the calendar, people, recipients.

Found by --config PATH, else ./esp.toml. Relative paths inside it are relative to the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from esp_cli.errors import ConfigError
from esp_cli.model import ACCESS_VALUES, SPOC_PHONE

CONFIG_NAME = "esp.toml"
DEFAULT_ACCESS_VALUES = ACCESS_VALUES


@dataclass(frozen=True)
class Config:
    source: Path | None = None
    tracker: Path | None = None
    master: Path | None = None
    tbt_tracking_sheet: Path | None = None
    progress_report: Path | None = None
    self_reports: Path | None = None
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    country: str = "US"
    subdivision: str | None = None
    extra_days_off: tuple[date, ...] = ()
    working_holidays: tuple[date, ...] = ()
    user: str | None = None
    user_email: str | None = None
    spoc_phone: str = SPOC_PHONE
    access_values: tuple[str, ...] = DEFAULT_ACCESS_VALUES
    learning_contacts: tuple[str, ...] = ()
    report_to: tuple[str, ...] = ()
    report_cc: tuple[str, ...] = ()
    report_from: str | None = None
    smtp: dict[str, Any] = field(default_factory=dict)
    backup_dir: Path | None = None
    backup_keep_days: int = 14  # every backup younger than this is kept
    backup_keep_count: int = 30  # and at least this many of the newest

    def tracker_path(self, given: Path | None) -> Path:
        """--tracker, else ESP_TRACKER, else esp.toml's [tracker] path."""
        if given is not None:
            return given
        env = os.environ.get("ESP_TRACKER")
        if env:
            return Path(env)
        if self.tracker is not None:
            return self.tracker
        raise ConfigError(
            "No tracker given.",
            fix="pass --tracker 'ESP Tracker.xlsx', set ESP_TRACKER, or set [tracker] path "
            "in esp.toml.",
        )

    def signer(self, by: str | None) -> str:
        """Who signs a note line or a change: --by, else esp.toml [people] user, else a
        clear error (every note line says who wrote it)."""
        for name in (by, self.user):
            if name is not None and name.strip():
                return " ".join(name.split())
        raise ConfigError(
            "No name for the note: every note line says who wrote it.",
            fix="pass --by 'Your Name', or set [people] user = \"Your Name\" in esp.toml.",
        )


def load_config(path: Path | None = None, cwd: Path | None = None) -> Config:
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        path = candidate
    elif not path.is_file():
        raise ConfigError(f"{path}: no such config file.", fix="check the --config path.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from exc
    return _from_dict(raw, path)


def _section(raw: dict[str, Any], name: str, where: Path) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table.")
    return value


def _strs(value: Any, key: str, where: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: {key} must be a string or a list of strings.")


def _dates(value: Any, key: str, where: Path) -> tuple[date, ...]:
    out: list[date] = []
    for v in value or []:
        if isinstance(v, date):
            out.append(v)
        elif isinstance(v, str):
            try:
                out.append(date.fromisoformat(v))
            except ValueError as exc:
                raise ConfigError(f"{where}: {key}: {v!r} is not a YYYY-MM-DD date.") from exc
        else:
            raise ConfigError(f"{where}: {key}: {v!r} is not a date.")
    return tuple(out)


def _count(value: Any, default: int, key: str, where: Path) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where}: {key} must be a whole number, 0 or more (got {value!r}).")
    return value


def _path(value: Any, base: Path, key: str, where: Path) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a path string.")
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p


def _from_dict(raw: dict[str, Any], where: Path) -> Config:
    base = where.parent
    tracker = _section(raw, "tracker", where)
    columns = _section(raw, "columns", where)
    cal = _section(raw, "calendar", where)
    people = _section(raw, "people", where)
    access = _section(raw, "access", where)
    report = _section(raw, "report", where)
    smtp = _section(raw, "smtp", where)
    backup = _section(raw, "backup", where)
    spoc = _section(raw, "spoc", where)
    if "password" in smtp:
        raise ConfigError(
            f"{where}: [smtp] password must not be stored in esp.toml.",
            fix="remove it and set the ESP_SMTP_PASSWORD environment variable instead.",
        )
    return Config(
        source=where,
        tracker=_path(tracker.get("path"), base, "[tracker] path", where),
        master=_path(tracker.get("master"), base, "[tracker] master", where),
        tbt_tracking_sheet=_path(
            tracker.get("tbt_tracking_sheet"), base, "[tracker] tbt_tracking_sheet", where
        ),
        progress_report=_path(
            tracker.get("progress_report"), base, "[tracker] progress_report", where
        ),
        self_reports=_path(tracker.get("self_reports"), base, "[tracker] self_reports", where),
        columns={k: _strs(v, f"[columns] {k}", where) for k, v in columns.items()},
        country=str(cal.get("country", "US")),
        subdivision=cal.get("subdivision"),
        extra_days_off=_dates(cal.get("company_days_off"), "[calendar] company_days_off", where),
        working_holidays=_dates(cal.get("company_workdays"), "[calendar] company_workdays", where),
        user=people.get("user"),
        user_email=people.get("user_email"),
        spoc_phone=str(spoc.get("phone", SPOC_PHONE)),
        access_values=_strs(access.get("values"), "[access] values", where)
        or DEFAULT_ACCESS_VALUES,
        learning_contacts=_strs(
            people.get("learning_contacts"), "[people] learning_contacts", where
        ),
        report_to=_strs(report.get("to"), "[report] to", where),
        report_cc=_strs(report.get("cc"), "[report] cc", where),
        report_from=report.get("from"),
        smtp=dict(smtp),
        backup_dir=_path(backup.get("dir"), base, "[backup] dir", where),
        backup_keep_days=_count(backup.get("keep_days"), 14, "[backup] keep_days", where),
        backup_keep_count=_count(backup.get("keep_count"), 30, "[backup] keep_count", where),
    )
