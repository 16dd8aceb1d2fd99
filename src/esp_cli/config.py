"""esp.toml: where the trackers are, column spellings, the calendar, people, recipients.

Found by --config PATH, else ./esp.toml, else the esp.toml beside the tracker (--tracker or
ESP_TRACKER), else the user's own esp.toml (user_config_path()). Relative paths inside it
are relative to the file. Who signs is the person's own business: see Config.signer.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from esp_cli.config_file import CONFIG_NAME as CONFIG_NAME
from esp_cli.config_file import TRACKER_ENV as TRACKER_ENV
from esp_cli.config_file import env_tracker, path_in, unquoted
from esp_cli.config_file import find_config as find_config
from esp_cli.config_file import parse_toml as parse_toml
from esp_cli.config_file import read_toml_text as read_toml_text
from esp_cli.config_file import user_config_path as user_config_path
from esp_cli.core.columns import COLUMNS, resolve_key
from esp_cli.core.model import ACCESS_VALUES, ROUND_PHRASES, SPOC_PHONE, Signer
from esp_cli.core.typed import refusal
from esp_cli.errors import ConfigError, NoSignerError, UsageError, WriteFailedError, printable
from esp_cli.system import CONFIG_DIR_ENV, MachineZone, real_path, write_file_atomically

DEFAULT_ACCESS_VALUES = ACCESS_VALUES
log = logging.getLogger("esp")
USER_ENV = "ESP_USER"
# The external Learning Hub link of the seed's "How to Complete TBTs for Agents with
# Equipment Issues".
LEARNING_HUB_LINK = "http://cvshealth.sabacloud.com"


@dataclass(frozen=True)
class AdviceConfig:
    """esp.toml [advice]: what `esp advise` fills into the team's messages."""

    learning_hub_link: str = LEARNING_HUB_LINK
    templates: Path | None = None  # a folder of <kind>.txt overriding the built-in texts
    breakout: str | None = None  # the SMEs' breakout room: a link or a time


@dataclass(frozen=True)
class Config:
    source: Path | None = None
    tracker: Path | None = None
    master: Path | None = None
    tbt_tracking_sheet: Path | None = None
    tbt_tracking_tab: str | None = None  # the sheet of it new proof rows go to
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
    round_phrases: tuple[str, ...] = ROUND_PHRASES  # esp round: statuses typed by number
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
    # A folder of the ladder documents' Word templates (coaching.docx, written-cap.docx,
    # final-cap.docx, term-review.docx) overriding the built-in ones ([documents] templates).
    document_templates: Path | None = None
    backup_keep_days: int = 14  # every backup younger than this is kept
    backup_keep_count: int = 30  # and at least this many of the newest
    warnings: tuple[str, ...] = ()  # sections and keys esp does not know (likely typos)
    # The warnings of the person's own esp.toml said so far, when it is not this one.
    _said: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    def tracker_path(self, given: Path | None) -> Path:
        """--tracker, else ESP_TRACKER, else esp.toml's [tracker] path."""
        if given is not None:
            return given
        env = env_tracker()
        if env is not None:
            return env
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
        tries: list[tuple[Callable[[], str | None], str]] = [
            (lambda: by, "--by"),
            (lambda: os.environ.get(USER_ENV), USER_ENV),
            (lambda: self._own_user(own), str(own)),
            (lambda: self.user, _shown(self.source) if self.source else CONFIG_NAME),
        ]
        for name_of, source in tries:
            name = name_of()
            if name is not None and unquoted_name(name):
                _check_name(name, source)
                return Signer(unquoted_name(name), source)
        raise NoSignerError(
            "No name for the note: every note line says who wrote it.",
            fix=f'pass --by "Your Name", set {USER_ENV}, or run esp config user "Your Name" '
            f"once (it writes [people] user to {own}).",
        )

    def _own_user(self, own: Path) -> str | None:
        """[people] user of the person's own esp.toml `own`, when there is one. Its warnings
        (a typo in a section or key) are said here, once, unless it is the esp.toml in use,
        whose warnings are said as it is read: a name left unread must not go unseen."""
        if not own.is_file():
            return None
        mine = load_config(own)
        if self.source is None or not _same_file(own, self.source):
            warnings = list(mine.warnings)
            if isinstance(mine.user, str) and not unquoted_name(mine.user):
                # A template's `user = ""` left unfilled: the next name found signs.
                warnings.append(
                    f"{own}: [people] user is empty, so your notes are signed with another "
                    'name; run esp config user "Your Name" to sign with yours'
                )
            for warning in warnings:
                self.warn_once(warning)
        return mine.user if isinstance(mine.user, str) else None

    def warn_once(self, warning: str) -> None:
        """Say a warning about the settings on stderr, once however often it is found."""
        if warning not in self._said:
            self._said.add(warning)
            log.warning("%s", printable(warning))

    def zone(self) -> tzinfo | None:
        """The team's time zone ([calendar] timezone), None for the machine's own."""
        if self.timezone is None:
            return None  # zoneinfo is loaded only for a team that names its zone
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def clock(self) -> tzinfo:
        """The team's clock: [calendar] timezone, else the machine's own zone (daylight
        saving included), on which the tracker's times are wall-clock times."""
        zone = self.zone()
        return MachineZone() if zone is None else zone

    def now(self) -> datetime:
        """Now on the team's clock ([calendar] timezone, else the machine's), as a wall-clock
        time without its zone, as the tracker's own times are: the moment clock-hour
        timeboxes are measured at. Every command's "now" and "today" come from here (the
        machine's clock stays for what is about the machine: backups, the history log)."""
        zone = self.zone()
        return datetime.now() if zone is None else datetime.now(zone).replace(tzinfo=None)

    def today(self) -> date:
        """Today on the team's clock ([calendar] timezone, else the machine's): the day a
        note, a letter or a report made now is dated, what "today", "yesterday" and
        "monday" name, and the day business days are counted to."""
        return self.now().date()

    def tracking_sheet(self, tracker: Path, given: Path | None = None) -> Path:
        """The TBT Tracking Sheet esp tbt proofs writes for `tracker`: `given`
        (--tracking-sheet), else [tracker] tbt_tracking_sheet, else the one beside it."""
        return given or self.tbt_tracking_sheet or tracker.parent / TRACKING_FILE


TRACKING_FILE = "TBT Tracking Sheet.xlsx"  # the TBT Tracking Sheet's name beside the tracker

# Quotes round a whole name, as cmd.exe keeps them in `set ESP_USER="Priya Natarajan"` or
# as a name is pasted: straight or curly, double or single.
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def unquoted_name(name: str) -> str:
    """A person's name with its spaces tidied and without the quotes round it (no name
    starts and ends with one: `O'Connor`, `Dana 'DW' Whitfield` keep theirs). Only plain
    spaces are tidied inside it: a no-break or ideographic space (`山田\u3000太郎`) is kept
    as typed."""
    text = _tidy_spaces(name)
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = _tidy_spaces(text[1:-1])
    return text


def _tidy_spaces(text: str) -> str:
    return " ".join(name_words(text))


def name_words(name: str) -> list[str]:
    """The words of a name, split where it has a plain space (with any spaces round it); a
    no-break or ideographic space alone between two words is part of them, kept as typed."""
    text = name.strip()
    return _PLAIN_SPACES.split(text) if text else []


# A run of spaces holding a plain space (or a tab or line break, where they are allowed).
_PLAIN_SPACES = re.compile(r"\s*[ \t\n\r\f\v]\s*")


def _check_name(name: str, source: str) -> None:
    """A signer's name esp can write: one from the system (ESP_USER, --by) with bytes that
    are not UTF-8 is refused naming where it came from, and so is one holding a control
    character (see name_refusal)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = name[exc.start : exc.end].encode("utf-8", "surrogateescape")
        how = (
            f"set {USER_ENV} again in a terminal set to UTF-8 (on Windows: setx {USER_ENV} "
            '"Your Name")'
            if source == USER_ENV
            else f"give {source} again in a terminal set to UTF-8 (e.g. LANG=C.UTF-8)"
        )
        raise UsageError(
            f"{source} holds bytes that are not UTF-8 ({bad!r}); the name to sign with "
            "cannot be read, nothing was written.",
            fix=how + ".",
        ) from exc
    why = name_refusal(name, source)
    if why:
        raise UsageError(
            f"{why}; nothing was written.",
            fix=f'set {source} to the name alone, e.g. {source}="Jordan Reyes".'
            if source == USER_ENV
            else f'give the name alone, e.g. {source} "Jordan Reyes".'
            if source.startswith("--")
            else "give the name alone, on one line.",
        )


def name_refusal(name: str, what: str) -> str | None:
    """Why `name`, given as `what`, cannot sign a note or an e-mail: it holds a control
    character — a tab or line break as well (U+2028 and U+2029 too, which mail readers
    and Excel show as a new line), which would break the e-mail's From line and its
    sign-off; None when it can. A no-break or ideographic space is a character of the name,
    kept as typed."""
    from esp_cli.core.values import describe_character

    bad = [ch for ch in dict.fromkeys(name) if _NAME_CONTROL.match(ch)]
    if not bad:
        return None
    shown = ", ".join(map(describe_character, bad))
    return f"{what} holds {shown}, which no note or e-mail can show"


# C0 and C1 control characters, DEL, the line and paragraph separators, and the two
# non-characters no cell can show.
_NAME_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _checked_user(value: Any, where: Path) -> str | None:
    """[people] user as read, refused when it holds a control character."""
    if isinstance(value, str) and (why := name_refusal(value, "[people] user")):
        raise ConfigError(
            f"{where}: {why}.",
            fix='write the name alone, on one line: user = "Jordan Reyes" (or run esp config '
            'user "Your Name").',
        )
    return value if isinstance(value, str) or value is None else None


def _shown(path: Path) -> str:
    """A path as a person reads it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.absolute() == b.absolute()


def set_user_name(name: str, path: Path | None = None) -> Path:
    """Write `[people] user = NAME` into the person's own esp.toml (user_config_path(), or
    `path`), creating it if needed and keeping everything else in it as written (tomlkit
    edits TOML without reformatting it: a `[people]` heading, an inline `people = { … }` or
    dotted `people.user` keys alike); returns the file."""
    import tomllib

    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    tidy = unquoted_name(name)
    if not tidy:
        raise ConfigError("The name is empty.", fix="give your name as notes should show it.")
    _check_name(name, "the name")
    target = path or user_config_path()
    _check_folder(target.parent, named_by_env=path is None)
    text = read_toml_text(target) if target.is_file() else ""
    try:
        tomllib.loads(text)
        doc = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, TOMLKitError) as exc:
        raise ConfigError(
            f"{target}: not valid TOML ({exc}); esp will not change it.",
            fix="correct the file, or delete it and run the command again.",
        ) from exc
    people = doc.get("people")
    if people is None:
        doc["people"] = {"user": tidy}
    elif isinstance(people, dict):
        people["user"] = tidy
    else:
        raise ConfigError(
            f"{target}: people is not a table (it is {_shown_value(people.unwrap())}); esp "
            "will not change it.",
            fix='write it as a [people] heading with user = "Your Name" under it.',
        )
    updated = tomlkit.dumps(doc)
    try:
        tomllib.loads(updated)
    except tomllib.TOMLDecodeError as exc:  # not expected: tomlkit writes valid TOML
        raise ConfigError(
            f"{target}: esp could not set [people] user in it ({exc}); it was not changed.",
            fix='add [people] with user = "Your Name" under it by hand.',
        ) from exc
    try:
        # An esp.toml linked in from elsewhere (a synced folder): the file it links to is
        # written, and the link kept.
        real = real_path(target) if target.is_symlink() else target
        real.parent.mkdir(parents=True, exist_ok=True)
        like = real.stat() if real.is_file() else None
        write_file_atomically(real, updated.encode("utf-8"), like)
    except OSError as exc:
        raise WriteFailedError(
            f"{target}: cannot be written ({exc.strerror}); it was not changed.",
            fix=f"make sure you can write to {target.parent} and that {target.name} is not "
            "read-only (in its Properties on Windows).",
        ) from exc
    return target


def _check_folder(folder: Path, *, named_by_env: bool) -> None:
    """Refuse a folder for the person's own esp.toml that is a file (ESP_CONFIG_DIR naming
    one, as it says), before anything is written."""
    if not folder.exists() or folder.is_dir():
        return
    if named_by_env and os.environ.get(CONFIG_DIR_ENV):
        raise ConfigError(
            f"{CONFIG_DIR_ENV} names {folder}, a file, not a folder; nothing was written.",
            fix=f"set {CONFIG_DIR_ENV} to a folder (esp makes it if needed), or unset it to "
            "use your usual one.",
        )
    raise WriteFailedError(
        f"{folder} is a file, not a folder: {CONFIG_NAME} cannot be written in it; nothing "
        "was written.",
        fix="move that file away, or keep your settings elsewhere with ESP_CONFIG_DIR.",
    )


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
    text = read_toml_text(path)
    raw = parse_toml(text, path)
    warnings = check_schema(raw, path, text)
    return replace(_from_dict(raw, path), warnings=tuple(warnings))


# ----------------------------------------------------------------------------- the schema
#
# Every key esp reads, with the type it must have. A value of another type is an error that
# names the key and the type, before any of it is used; a section or key not listed here is
# a warning naming the closest known one (a typo must not be silently ignored).


@dataclass(frozen=True)
class _Type:
    what: str  # the expected type, as the error says it
    check: Callable[[Any], bool]


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_strs(v: Any) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v))


def _is_dates(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(i, date | str) for i in v)


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_port(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 < v < 65536


def _is_seconds(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v > 0


def _is_str_table(v: Any) -> bool:
    return isinstance(v, dict) and all(isinstance(i, str) for i in v.values())


TEXT = _Type("a string", _is_str)
TEXTS = _Type("a string or a list of strings", _is_strs)
DATES = _Type("a list of dates", _is_dates)
COUNT = _Type("a whole number, 0 or more", _is_count)
PORT = _Type("a port number such as 587", _is_port)
SECONDS = _Type("a number of seconds, more than 0", _is_seconds)
BOOL = _Type("true or false", lambda v: isinstance(v, bool))
NAMES_TO_ADDRESSES = _Type("a table of names and addresses", _is_str_table)

# section -> key -> (type, an example value as it is written in esp.toml)
SCHEMA: dict[str, dict[str, tuple[_Type, str]]] = {
    "tracker": {
        "path": (TEXT, '"ESP Tracker.xlsx"'),
        "master": (TEXT, '"Master N Number Tracker.xlsx"'),
        "progress_report": (TEXT, '"ESP Agent Progress Report.xlsx"'),
        "self_reports": (TEXT, '"self-reports"'),
        "tbt_tracking_sheet": (TEXT, '"TBT Tracking Sheet.xlsx"'),
        "tbt_tracking_tab": (TEXT, '"December"'),
    },
    "columns": {},  # any header: a spelling or a list of them (checked by _check_columns)
    "calendar": {
        "country": (TEXT, '"US"'),
        "subdivision": (TEXT, '"TX"'),
        "company_days_off": (DATES, '["2026-12-24"]'),
        "company_workdays": (DATES, '["2026-11-11"]'),
        "timezone": (TEXT, '"America/New_York"'),
    },
    "people": {
        "user": (TEXT, '"Jordan Reyes"'),
        "user_email": (TEXT, '"jordan.reyes@example.com"'),
        "learning_contacts": (TEXTS, '["torrey.lane@example.com"]'),
        "coordinator": (TEXT, '"Jordan Reyes"'),
        "coordinator_email": (TEXT, '"jordan.reyes@example.com"'),
        "sme_emails": (NAMES_TO_ADDRESSES, '{ "Priya Natarajan" = "priya@example.com" }'),
    },
    "access": {"values": (TEXTS, '["Yes", "No", "Cannot Locate TBT"]')},
    "report": {
        "to": (TEXTS, '["leadership@example.com"]'),
        "cc": (TEXTS, '["cert-team@example.com"]'),
        "from": (TEXT, '"Jordan Reyes <jordan.reyes@example.com>"'),
        "greeting": (TEXT, '"Hello,"'),
        "signoff": (TEXT, '"Thank you,\\nJordan Reyes"'),
    },
    "smtp": {
        "host": (TEXT, '"smtp.example.com"'),
        "port": (PORT, "587"),
        "starttls": (BOOL, "true"),
        "username": (TEXT, '"jordan.reyes@example.com"'),
        "timeout": (SECONDS, "120"),
    },
    "backup": {
        "dir": (TEXT, '"esp-backups"'),
        "keep_days": (COUNT, "14"),
        "keep_count": (COUNT, "30"),
    },
    "spoc": {"phone": (TEXT, '"(888) 905-9500"')},
    "round": {"phrases": (TEXTS, '["Working on TBTs; no issues.", "Waiting on a Certifier."]')},
    "advice": {
        "learning_hub_link": (TEXT, '"http://cvshealth.sabacloud.com"'),
        "templates": (TEXT, '"advice"'),
        "breakout": (TEXT, '"https://teams.example.com/tbt-breakout (2pm ET)"'),
    },
    "documents": {"templates": (TEXT, '"document-templates"')},
}


def _closest(word: str, known: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word.lower(), list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def _shown_value(value: Any) -> str:
    if isinstance(value, date | bool | int | float):
        return f"{value}".lower() if isinstance(value, bool) else f"{value}"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def check_schema(raw: dict[str, Any], where: Path, text: str = "") -> list[str]:
    """Every known key's type checked (a ConfigError naming the key and the type it must
    have); the warnings for sections and keys esp does not know. `text`: the file's, for
    the line a heading is on."""
    warnings: list[str] = []
    for name, section in raw.items():
        keys = SCHEMA.get(name)
        if keys is None:
            owner = next((s for s, k in SCHEMA.items() if name in k), None)
            if not isinstance(section, dict):
                where_to = f"it belongs under [{owner}]" if owner else "esp ignores it"
                warnings.append(f"{where}: {name} is outside any [section]; {where_to}")
                continue
            guess = _closest(name, SCHEMA)
            hint = f"did you mean [{guess}]?" if guess else "esp ignores it"
            warnings.append(f"{where}: [{name}] is not a section esp knows; {hint}")
            continue
        if not isinstance(section, dict):
            raise ConfigError(
                f"{where}: [{name}] must be a table (a [{name}] heading with keys under it).",
                fix=f"write it as a heading, [{name}], with its keys on the lines below.",
            )
        if name == "columns":
            warnings += _check_columns(section, where, text)
            continue
        for key, value in section.items():
            spec = keys.get(key)
            if spec is None:
                if name == "smtp" and key == "password":
                    continue  # refused with its own message in _from_dict
                guess = _closest(key, keys)
                hint = f"did you mean {guess}?" if guess else "esp ignores it"
                warnings.append(f"{where}: [{name}] {key} is not a key esp knows; {hint}")
                continue
            kind, example = spec
            if kind is NAMES_TO_ADDRESSES and isinstance(value, dict):
                _check_addresses(value, f"[{name}] {key}", where)
            elif not kind.check(value):
                raise ConfigError(
                    f"{where}: [{name}] {key} must be {kind.what} (got {_shown_value(value)}).",
                    fix=f"write it as {key} = {example}.",
                )
    return warnings


def _check_addresses(table: dict[str, Any], key: str, where: Path) -> None:
    """A table of names and addresses (`[people] sme_emails`): the entry whose address is
    not text is named, with what it holds."""
    for person, address in table.items():
        if not isinstance(address, str):
            raise ConfigError(
                f'{where}: {key} "{person}" must be an address in quotes (got '
                f"{_shown_value(address)}).",
                fix=f'write it as "{person}" = "name@example.com".',
            )


def _check_columns(section: dict[str, Any], where: Path, text: str = "") -> list[str]:
    _settings_taken(section, where, text)
    warnings = []
    headers = [col.header for col in COLUMNS]
    for target, spellings in section.items():
        if not _is_strs(spellings):
            raise ConfigError(
                f"{where}: [columns] {target!r} must be {TEXTS.what} "
                f"(got {_shown_value(spellings)}).",
                fix=f'write it as "{target}" = ["Your Header"].',
            )
        if resolve_key(target) is None:
            guess = difflib.get_close_matches(target, headers, n=1, cutoff=0.6)
            hint = f'did you mean "{guess[0]}"?' if guess else "esp ignores it"
            warnings.append(f"{where}: [columns] {target!r} is not a column esp knows; {hint}")
    return warnings


def _settings_taken(section: dict[str, Any], where: Path, text: str) -> None:
    """Refuse a [columns] section holding another section's settings (path, master...):
    its heading was pasted above them, under that section's heading, and took them from it
    (the tracker would be "not given" while the file visibly gives it)."""
    taken = [
        key
        for key, value in section.items()
        if resolve_key(key) is None or (key == "phone" and _phone_number(value))
    ]
    owner = next((name for key in taken for name, keys in SCHEMA.items() if key in keys), None)
    if owner is None:
        return
    settings = [key for key in taken if key in SCHEMA[owner]]
    line = next(
        (
            f" (its heading on line {at})"
            for at, typed in enumerate(text.splitlines(), start=1)
            if typed.split("#", 1)[0].strip().replace(" ", "") == "[columns]"
        ),
        "",
    )
    which = "a setting" if len(settings) == 1 else "settings"
    raise ConfigError(
        f"{where}: [columns] holds {', '.join(settings)}, {which} of [{owner}]: the [columns] "
        f"lines{line} were put above them, under the [{owner}] heading, so they are read as "
        "columns.",
        fix=f"move the [columns] heading and the lines that map your headers after "
        f"[{owner}]'s settings (below {settings[-1]} = ...), or to the end of the file under "
        "their own [columns] heading.",
    )


def _phone_number(value: Any) -> bool:
    """A [columns] "phone" given a phone number, not headers: [spoc]'s phone, taken by a
    [columns] heading pasted above it (Phone is also a column's name)."""
    return isinstance(value, str) and sum(ch.isdigit() for ch in value) >= 10


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _recipients(value: Any) -> tuple[str, ...]:
    """A list of recipients, each entry split at Outlook's `;` (and `,`): `["a; b"]` is two."""
    from esp_cli.core.addresses import split_addresses  # loaded only when there are some

    return tuple(piece for entry in _strs(value) for piece in split_addresses(entry))


def _tidy(value: Any) -> str | None:
    """A text setting, spaces tidied; None when absent or blank."""
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _untidied(value: Any) -> str | None:
    """A name or address setting as typed but for the spaces round it (a tab or line break
    in it is refused where it is used, not made a space); None when absent or blank."""
    text = "" if value is None else str(value).strip(" ")
    return text or None


def _dates(value: Any, key: str, where: Path) -> tuple[date, ...]:
    out: list[date] = []
    for v in value or []:
        if isinstance(v, date):
            out.append(v)
            continue
        try:
            out.append(date.fromisoformat(v))
        except ValueError as exc:
            raise ConfigError(
                f"{where}: {key}: {v!r} is not a YYYY-MM-DD date.",
                fix=f"write it as {key.split()[-1]} = [2026-12-24].",
            ) from exc
    return tuple(out)


def _zone_name(value: str | None, where: Path) -> str | None:
    """An IANA time zone name esp can use, checked now so a typo fails before any work."""
    if value is None:
        return None
    if not value.strip():
        raise ConfigError(f'{where}: [calendar] timezone must be a name such as "America/Chicago".')
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: [calendar] timezone {value!r} is not a time zone esp knows.",
            fix='give an IANA name such as "America/New_York" or "America/Chicago" '
            "(on Windows, pip install tzdata provides them).",
        ) from exc
    return value.strip()


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# The characters a TOML basic string ("...") writes as a backslash and a letter.
_ESCAPED = {"\b": "b", "\t": "t", "\n": "n", "\f": "f", "\r": "r"}


def _escape(ch: str) -> str:
    return "\\" + _ESCAPED.get(ch, f"u{ord(ch):04X}")


def _as_typed(value: str) -> str:
    """A string TOML read from double quotes, as it was typed between them: a line break
    back to \\n, a backslash to \\\\, a quote to \\"."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    return _CONTROL_CHARS.sub(lambda m: _escape(m.group()), out)


def _meant(value: str) -> str:
    """The path a person meant by a string TOML read escapes in: "S:\\new" typed for the
    folder new, read as S:, a line break and ew, is S:\\new again; "\\\\fs\\team" typed
    for a network share, read with one backslash before fs, starts with two again."""
    meant = _CONTROL_CHARS.sub(lambda m: _escape(m.group()), value)
    if value.startswith("\\") and not value.startswith("\\\\"):
        # A backslash TOML read as such was typed doubled: at the start, a UNC path's two.
        meant = "\\" + meant
    return meant


def _path(value: Any, base: Path, key: str = "", where: Path | None = None) -> Path | None:
    """A path setting (`key`, e.g. "[tracker] path"): relative to the file's folder `base`,
    without the double quotes round it that Windows' "Copy as path" adds; refused when
    empty, or when TOML read a backslash in it as an escape."""
    if value is None:
        return None
    value = unquoted(value)
    if not value.strip():
        section, name = key.strip("[").split("] ")
        raise ConfigError(
            f"{where}: {key} is empty.",
            fix=f"write it as {name} = {SCHEMA[section][name][1]}, or leave the line out.",
        )
    if _CONTROL_CHARS.search(value):
        # "S:\team\new" in double quotes: TOML read \t as a tab and \n as a line break.
        name, meant = key.split()[-1], _meant(value)
        # Single quotes hold any path without a ' in it; one with a ' takes forward slashes.
        slashed = meant.replace("\\", "/")
        written = f"{name} = '{meant}'" if "'" not in meant else f'{name} = "{slashed}"'
        raise ConfigError(
            f'{where}: {key} "{_as_typed(value)}" does not name that path: in esp.toml a '
            'backslash in double quotes starts an escape ("\\n" is a line break, "\\t" a tab).',
            fix=f"write the path in single quotes, {written}, or with each backslash doubled "
            "(\\\\) or as a forward slash (/).",
        )
    return path_in(value, base)


def _phrases(value: Any, where: Path) -> tuple[str, ...]:
    """[round] phrases, spaces tidied; the built-in ones when the key is absent (an empty
    list: none)."""
    if value is None:
        return ROUND_PHRASES
    phrases = []
    for n, text in enumerate(_strs(value), 1):
        why = refusal(text, f"[round] phrases {n}")
        if why:
            raise ConfigError(
                f"{where}: {why}.",
                fix="write it without it (a newline in a phrase: write two phrases).",
            )
        if text.strip():
            phrases.append(" ".join(text.split()))
    return tuple(phrases)


def _from_dict(raw: dict[str, Any], where: Path) -> Config:
    """The Config of a parsed esp.toml whose types check_schema has checked."""
    base = where.parent

    def section(name: str) -> dict[str, Any]:
        value = raw.get(name, {})
        return value if isinstance(value, dict) else {}

    tracker, cal, people = section("tracker"), section("calendar"), section("people")
    report, smtp, backup = section("report"), section("smtp"), section("backup")
    advice, documents = section("advice"), section("documents")
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
        tbt_tracking_tab=_untidied(tracker.get("tbt_tracking_tab")),
        progress_report=_path(
            tracker.get("progress_report"), base, "[tracker] progress_report", where
        ),
        self_reports=_path(tracker.get("self_reports"), base, "[tracker] self_reports", where),
        columns={k: _strs(v) for k, v in section("columns").items()},
        country=cal.get("country", "US"),
        subdivision=_tidy(cal.get("subdivision")),
        extra_days_off=_dates(cal.get("company_days_off"), "[calendar] company_days_off", where),
        working_holidays=_dates(cal.get("company_workdays"), "[calendar] company_workdays", where),
        user=_checked_user(people.get("user"), where),
        user_email=_tidy(people.get("user_email")),
        coordinator=_tidy(people.get("coordinator")),
        coordinator_email=_tidy(people.get("coordinator_email")),
        sme_emails=dict(people.get("sme_emails", {})),
        spoc_phone=section("spoc").get("phone", SPOC_PHONE),
        access_values=_strs(section("access").get("values")) or DEFAULT_ACCESS_VALUES,
        round_phrases=_phrases(section("round").get("phrases"), where),
        learning_contacts=_recipients(people.get("learning_contacts")),
        report_to=_recipients(report.get("to")),
        report_cc=_recipients(report.get("cc")),
        report_from=_untidied(report.get("from")),
        greeting=report.get("greeting", "Hello,"),
        signoff=report.get("signoff"),
        timezone=_zone_name(cal.get("timezone"), where),
        smtp=dict(smtp),
        backup_dir=_path(backup.get("dir"), base, "[backup] dir", where),
        advice=AdviceConfig(
            learning_hub_link=_tidy(advice.get("learning_hub_link")) or LEARNING_HUB_LINK,
            templates=_path(advice.get("templates"), base, "[advice] templates", where),
            breakout=_tidy(advice.get("breakout")),
        ),
        document_templates=_path(documents.get("templates"), base, "[documents] templates", where),
        backup_keep_days=backup.get("keep_days", 14),
        backup_keep_count=backup.get("keep_count", 30),
    )
