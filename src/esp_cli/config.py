"""esp.toml: where the trackers are, column spellings, the calendar, people, recipients.

Found by --config PATH, else ./esp.toml, else the esp.toml beside the tracker (--tracker or
ESP_TRACKER), else the user's own esp.toml (user_config_path()). Relative paths inside it
are relative to the file. Who signs is the person's own business: see Config.signer.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from esp_cli.errors import ConfigError, NoSignerError
from esp_cli.model import ACCESS_VALUES, SPOC_PHONE, Signer
from esp_cli.system import user_config_dir

CONFIG_NAME = "esp.toml"
DEFAULT_ACCESS_VALUES = ACCESS_VALUES
USER_ENV = "ESP_USER"
TRACKER_ENV = "ESP_TRACKER"
# The external Learning Hub link of the seed's "How to Complete TBTs for Agents with
# Equipment Issues".
LEARNING_HUB_LINK = "http://cvshealth.sabacloud.com"


@dataclass(frozen=True)
class AdviceConfig:
    """esp.toml [advice]: what `esp advise` fills into the team's messages."""

    learning_hub_link: str = LEARNING_HUB_LINK
    templates: Path | None = None  # a folder of <kind>.txt overriding the built-in texts
    breakout: str | None = None  # the SMEs' breakout room: a link or a time


def user_config_path() -> Path:
    """The person's own esp.toml, in their platform's config folder (on Windows
    %LOCALAPPDATA%\\esp\\esp.toml, on macOS ~/Library/Application Support/esp/esp.toml, on
    Linux ~/.config/esp/esp.toml; ESP_CONFIG_DIR names another folder)."""
    return user_config_dir() / CONFIG_NAME


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
    coordinator: str | None = None
    coordinator_email: str | None = None
    sme_emails: dict[str, str] = field(default_factory=dict)
    spoc_phone: str = SPOC_PHONE
    access_values: tuple[str, ...] = DEFAULT_ACCESS_VALUES
    learning_contacts: tuple[str, ...] = ()
    report_to: tuple[str, ...] = ()
    report_cc: tuple[str, ...] = ()
    report_from: str | None = None
    greeting: str = "Hello,"
    signoff: str | None = None  # None: "Thank you," and the sender's name
    timezone: str | None = None  # IANA name; None: the machine's own zone
    smtp: dict[str, Any] = field(default_factory=dict)
    backup_dir: Path | None = None
    advice: AdviceConfig = field(default_factory=AdviceConfig)
    backup_keep_days: int = 14  # every backup younger than this is kept
    backup_keep_count: int = 30  # and at least this many of the newest

    def tracker_path(self, given: Path | None) -> Path:
        """--tracker, else ESP_TRACKER, else esp.toml's [tracker] path."""
        if given is not None:
            return given
        env = os.environ.get(TRACKER_ENV)
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
        """Who signs a note line or a change (see who_signs)."""
        return self.who_signs(by).name

    def who_signs(self, by: str | None) -> Signer:
        """--by, else ESP_USER, else [people] user of the person's own esp.toml
        (user_config_path()), else [people] user of the esp.toml in use, else a clear error
        (every note line says who wrote it). A shared esp.toml beside a shared tracker is
        the team's, so a person's own name comes first."""
        own = user_config_path()
        tries: list[tuple[str | None, str]] = [(by, "--by"), (os.environ.get(USER_ENV), USER_ENV)]
        tries.append((_user_of(own), str(own)))
        tries.append((self.user, _shown(self.source) if self.source else CONFIG_NAME))
        for name, source in tries:
            if name is not None and name.strip():
                return Signer(" ".join(name.split()), source)
        raise NoSignerError(
            "No name for the note: every note line says who wrote it.",
            fix=f"pass --by 'Your Name', set {USER_ENV}, or run esp config user 'Your Name' "
            f"once (it writes [people] user to {own}).",
        )

    def zone(self) -> tzinfo | None:
        """The team's time zone ([calendar] timezone), None for the machine's own."""
        return None if self.timezone is None else ZoneInfo(self.timezone)


def _shown(path: Path) -> str:
    """A path as a person reads it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _user_of(path: Path) -> str | None:
    """[people] user of the esp.toml at `path`, when there is one (else None)."""
    if not path.is_file():
        return None
    people = load_config(path).user
    return people if isinstance(people, str) else None


def set_user_name(name: str, path: Path | None = None) -> Path:
    """Write `[people] user = NAME` into the person's own esp.toml (user_config_path(), or
    `path`), creating it if needed and keeping everything else in it; returns the file."""
    tidy = " ".join(name.split())
    if not tidy:
        raise ConfigError("The name is empty.", fix="give your name as notes should show it.")
    target = path or user_config_path()
    try:
        text = target.read_text(encoding="utf-8") if target.is_file() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: cannot be read ({exc}).") from exc
    updated = _with_user(text, tidy)
    try:
        tomllib.loads(updated)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{target}: not valid TOML ({exc}); esp will not change it.",
            fix="correct the file, or delete it and run the command again.",
        ) from exc
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(target.name + ".tmp")
        temp.write_text(updated, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        raise ConfigError(f"{target}: cannot be written ({exc.strerror}).") from exc
    return target


_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
_USER_KEY = re.compile(r"^\s*user\s*=")


def _with_user(text: str, name: str) -> str:
    """`text` (an esp.toml) with [people] user set to `name`, other lines untouched."""
    entry = f"user = {json.dumps(name, ensure_ascii=False)}"
    lines = text.splitlines()
    section: str | None = None
    people_at: int | None = None
    for i, line in enumerate(lines):
        found = _SECTION.match(line)
        if found:
            section = found.group(1).strip()
            if section == "people":
                people_at = i
            continue
        if section == "people" and _USER_KEY.match(line):
            lines[i] = entry
            return "\n".join(lines) + "\n"
    if people_at is not None:
        lines.insert(people_at + 1, entry)
    else:
        lines += [*([""] if lines else []), "[people]", entry]
    return "\n".join(lines) + "\n"


def find_config(cwd: Path | None = None, tracker: Path | None = None) -> Path | None:
    """The esp.toml to use when --config is not given: the working folder's, else the one
    in the tracker's folder (when the tracker is elsewhere), else the person's own
    (user_config_path()); None when there is none."""
    candidates = [(cwd or Path.cwd()) / CONFIG_NAME]
    if tracker is not None:
        candidates.append(tracker.parent / CONFIG_NAME)
    candidates.append(user_config_path())
    return next((c for c in candidates if c.is_file()), None)


def load_config(
    path: Path | None = None, cwd: Path | None = None, tracker: Path | None = None
) -> Config:
    """The esp.toml at `path` (--config), else the one find_config finds, else defaults."""
    if path is None:
        found = find_config(cwd, tracker)
        if found is None:
            return Config()
        path = found
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


def _str(value: Any, key: str, where: Path) -> str | None:
    """A text setting, spaces tidied; None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string.")
    return " ".join(value.split()) or None


def _str_table(value: Any, key: str, where: Path) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(
            f"{where}: {key} must be a table of names and addresses.",
            fix=f'write it as {key} = {{ "Priya Natarajan" = "priya@example.com" }}.',
        )
    return dict(value)


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


def _text(value: Any, key: str, where: Path) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string.")
    return value


def _zone_name(value: Any, where: Path) -> str | None:
    """An IANA time zone name esp can use, checked now so a typo fails before any work."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'{where}: [calendar] timezone must be a name such as "America/Chicago".')
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: [calendar] timezone {value!r} is not a time zone esp knows.",
            fix='give an IANA name such as "America/New_York" or "America/Chicago" '
            "(on Windows, pip install tzdata provides them).",
        ) from exc
    return value.strip()


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
    advice = _section(raw, "advice", where)
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
        coordinator=_str(people.get("coordinator"), "[people] coordinator", where),
        coordinator_email=_str(
            people.get("coordinator_email"), "[people] coordinator_email", where
        ),
        sme_emails=_str_table(people.get("sme_emails"), "[people] sme_emails", where),
        spoc_phone=str(spoc.get("phone", SPOC_PHONE)),
        access_values=_strs(access.get("values"), "[access] values", where)
        or DEFAULT_ACCESS_VALUES,
        learning_contacts=_strs(
            people.get("learning_contacts"), "[people] learning_contacts", where
        ),
        report_to=_strs(report.get("to"), "[report] to", where),
        report_cc=_strs(report.get("cc"), "[report] cc", where),
        report_from=report.get("from"),
        greeting=_text(report.get("greeting", "Hello,"), "[report] greeting", where),
        signoff=None
        if report.get("signoff") is None
        else _text(report["signoff"], "[report] signoff", where),
        timezone=_zone_name(cal.get("timezone"), where),
        smtp=dict(smtp),
        backup_dir=_path(backup.get("dir"), base, "[backup] dir", where),
        advice=AdviceConfig(
            learning_hub_link=_str(
                advice.get("learning_hub_link"), "[advice] learning_hub_link", where
            )
            or LEARNING_HUB_LINK,
            templates=_path(advice.get("templates"), base, "[advice] templates", where),
            breakout=_str(advice.get("breakout"), "[advice] breakout", where),
        ),
        backup_keep_days=_count(backup.get("keep_days"), 14, "[backup] keep_days", where),
        backup_keep_count=_count(backup.get("keep_count"), 30, "[backup] keep_count", where),
    )
