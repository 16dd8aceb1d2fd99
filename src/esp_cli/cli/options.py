"""Options every command shares, declared once so every command speaks alike."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from esp_cli.cli.base import _CLICK, choice_type
from esp_cli.cli.complete import complete_agent
from esp_cli.config import TRACKER_ENV, Config, load_config
from esp_cli.config_file import env_tracker
from esp_cli.core import waiting
from esp_cli.core.dayphrase import FORMS, NotADay, is_word, parse_day_phrase
from esp_cli.core.model import WriteReport, is_no_class
from esp_cli.errors import ExitCode, UsageError
from esp_cli.render import Format, say

TrackerOpt = Annotated[
    Path | None,
    typer.Option(
        "--tracker",
        "-t",
        help="The ESP Tracker workbook (else ESP_TRACKER, else esp.toml [tracker] path).",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="esp.toml to use (else ./esp.toml, else the one beside the tracker, else your own).",
        show_default=False,
    ),
]


def format_help(offered: Sequence[Format]) -> str:
    """--format's help, the same words for every command, naming what it offers."""
    scripts = " or ".join(f.value for f in offered if f in (Format.json, Format.csv))
    pasted = [f.value for f in offered if f in (Format.md, Format.html, Format.text)]
    parts = ["table for people"] + ([f"{scripts} for scripts"] if scripts else [])
    if pasted:
        parts.append(f"{', '.join(pasted[:-1])} or {pasted[-1]} to paste or save")
    return "Output: " + "; ".join(parts) + "."


def format_option(*offered: Format, show_default: bool = True) -> Any:
    """The one --format option, with the formats a command offers: Typer lists them in
    --help and refuses any other as a usage error (exit 2)."""
    return typer.Option(
        "--format",
        "-f",
        click_type=choice_type([f.value for f in offered]),
        help=format_help(offered),
        show_default=show_default,
    )


FormatOpt = Annotated[Format, format_option(Format.table, Format.json, Format.csv)]
DRY_RUN_HELP = (
    "Show what would be done (the cells it would change, before → after; every e-mail); "
    "write, save and send nothing."
)
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help=DRY_RUN_HELP)]
# The ladder's steps as a person types them (services.record.parse_step takes any case,
# spacing, - or _).
STEP_NAMES = 'coaching, "written CAP", "final CAP" or "term review" (written-cap unquoted)'


NoWaitOpt = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="When the tracker is busy (open in Excel, held by a program, another esp "
        "writing it), refuse and keep nothing (exit 4) instead of keeping the change to wait "
        "beside it (exit 7).",
    ),
]


@contextlib.contextmanager
def waiting_allowed(no_wait: bool) -> Iterator[None]:
    """The command's writes may wait beside a busy tracker, unless --no-wait."""
    token = waiting.may_wait.set(not no_wait)
    try:
        yield
    finally:
        waiting.may_wait.reset(token)


def exit_if_waiting(*writes: WriteReport | None) -> None:
    """Exit 7 when a change of the command waits beside a busy tracker: nothing written
    yet, nothing lost."""
    if any(w is not None and w.status == "waiting" for w in writes):
        raise typer.Exit(int(ExitCode.WAITING))


# How every date option says what it takes: DATE in its usage, a few forms in its help
# (docs/basics.md lists every form; docs/reference.md says what DATE takes, from DAY_EXAMPLES).
DATE = "DATE"
DAY_FORMS = "2026-11-24, 11/24, today, yesterday, monday"
# What a DATE may be, as the reference shows it; each is a form core.dayphrase reads.
DAY_EXAMPLES = (
    "2026-11-24", "11/24/2026", "11/24", "today", "yesterday", "tomorrow", "monday",
    "last monday",
)  # fmt: skip
DayOpt = Annotated[
    str | None,
    typer.Option(
        "--date", metavar=DATE, help=f"The day ({DAY_FORMS}); default today.", show_default=False
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar=DATE,
        help=f"Evaluate as of this day ({DAY_FORMS}); default today.",
        show_default=False,
    ),
]


class AgentName(_CLICK.types.StringParamType):  # type: ignore[misc]
    """An agent's name, ID, N Number or e-mail: text, which Tab completes with the names
    complete_agent offers. As the type's own completion, not Typer's `autocompletion`:
    Typer keeps of those only the ones that start with what is typed, letter for letter
    ("kay" would not give Kayla Brooks, nor "zoe" Zoë Núñez)."""

    def shell_complete(self, ctx: Any, param: Any, incomplete: str) -> list[Any]:
        found = complete_agent(_tracker_given(ctx), incomplete)
        return [_CLICK.shell_completion.CompletionItem(name) for name in found]


def _tracker_given(ctx: Any) -> list[str]:
    """The --tracker given on the line being completed (as words), if any: the command's
    options as parsed so far."""
    while ctx is not None:
        tracker = ctx.params.get("tracker")
        if tracker is not None:
            return ["--tracker", str(tracker)]
        ctx = ctx.parent
    return []


AGENT_NAME = AgentName()


AGENT_HELP = (
    "The agent: name (either order), Agent ID, N Number or e-mail; a namesake with the row: "
    "'Ana Lopez (row 7)'."
)
AgentArg = Annotated[
    str, typer.Argument(help=AGENT_HELP, show_default=False, click_type=AGENT_NAME)
]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="Who signs the note lines and changes (else ESP_USER, else your own esp.toml, "
        "else esp.toml [people] user).",
        show_default=False,
    ),
]


def _class_named(value: str | None) -> str | None:
    """--class as typed; "(no class)", as the reports show the agents whose Class is blank,
    names them (as --class "" does)."""
    return "" if value is not None and is_no_class(value) else value


ClassOpt = Annotated[
    str | None,
    typer.Option(
        "--class",
        help='Only this class (as in the Class column or sheet name; "(no class)": the '
        "agents whose Class is blank).",
        show_default=False,
        callback=_class_named,
    ),
]

SmeOpt = Annotated[
    str | None,
    typer.Option(
        "--sme",
        help="Only the agents of this TBT SME (full name in either order or without its "
        "accents, or a first or last name only one SME has).",
        show_default=False,
    ),
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Every cell of the tracker that could not be read, each on its own line "
        "(else one line counts them; esp doctor lists them too).",
    ),
]
SendOpt = Annotated[
    bool,
    typer.Option(
        "--send",
        help="Send the e-mail through esp.toml [smtp]; the password comes from the "
        "ESP_SMTP_PASSWORD environment variable only.",
    ),
]


def config_for(path: Path | None, tracker: Path | None = None) -> Config:
    """The esp.toml in use: --config, else ./esp.toml, else the one beside the tracker
    (--tracker or ESP_TRACKER), else the person's own (config.find_config)."""
    if path is None and tracker is None:
        tracker = env_tracker()
    cfg = load_config(path, tracker=tracker)
    for warning in cfg.warnings:
        say(f"warning: {warning}")
    return cfg


def resolve_config_and_tracker(
    config: Path | None, tracker: Path | None
) -> tuple[Config, Path, str]:
    """The esp.toml in use, the tracker and where its path came from (--tracker,
    ESP_TRACKER or [tracker] path), resolved together: the tracker given (--tracker,
    ESP_TRACKER) chooses where esp.toml is looked for, and that esp.toml names the tracker
    when none is given."""
    cfg = config_for(config, tracker)
    path = cfg.tracker_path(tracker)
    if tracker is not None:
        source = "--tracker"
    elif env_tracker() is not None:
        source = TRACKER_ENV
    else:
        source = f"[tracker] path in {cfg.source}"
    return cfg, path, source


def config_and_tracker(
    config: Path | None,
    tracker: Path | None,
    *,
    read: bool = True,
    write: bool = False,
    every_row: bool = False,
) -> tuple[Config, Path]:
    """The esp.toml in use and the tracker (resolve_config_and_tracker), which must be a
    workbook that exists: else one line naming where its path came from. With `read` (a
    command that reads the tracker's rows), reading it starts in the background: a command
    loads the rest of its code after this call, meanwhile; `write`: the command is to write
    the tracker (`every_row`: every agent's row), and the sheets are made ready for that
    meanwhile too."""
    from esp_cli.services.inputs import check_tracker, read_ahead

    cfg, path, source = resolve_config_and_tracker(config, tracker)
    check_tracker(path, source, master=cfg.master)
    if read:
        read_ahead(path, write, every_row)
    return cfg, path


_DURATION = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s?)?", re.IGNORECASE)


def parse_duration(text: str, option: str) -> float:
    """Seconds from '90s', '30m', '2h', '1h30m' (a bare number is seconds)."""
    m = _DURATION.fullmatch(text.strip())
    if m is None or not any(m.groups()):
        raise UsageError(
            f"{option} {text!r} is not a duration.", fix=f"use {option} 90s, 30m, 2h or 1h30m."
        )
    hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
    return float(hours * 3600 + minutes * 60 + seconds)


# The days a date option takes: from Excel's first day to a year before Python's (and
# Excel's) last, since esp counts business days ahead of the day it is given.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def parse_day(
    text: str | None, cfg: Config, option: str = "--as-of", *, future: bool = False
) -> date:
    """The day an option names, in any form people type (core.dayphrase: 2026-11-24,
    11/24, today, yesterday, monday); today when it is not given, on the team's clock
    (Config.today: [calendar] timezone, else the machine's). A month/day is the most
    recent one up to today: the options name days that have happened (a step delivered, a
    day replayed); with `future`, one that may be ahead (the nearest)."""
    today = cfg.today()
    if text is None:
        return today
    try:
        day = parse_day_phrase(text, today, future=future)
    except NotADay as exc:
        raise UsageError(f"{option} {exc}.", fix=f"use {option} with {FORMS}.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(
            f"{option} {text}: esp takes days from {FIRST_DAY} to {LAST_DAY} (it counts "
            "business days ahead of the day given).",
            fix=f"use {option} YYYY-MM-DD within those, or leave it out for today.",
        )
    return day


def as_of_and_now(text: str | None, cfg: Config, option: str = "--as-of") -> tuple[date, datetime]:
    """The day to evaluate and the moment to measure clock-hour timeboxes at: today and now
    on the team's clock (Config.now), or the given day and its end (see END_OF_DAY)."""
    if text is None or is_word(text):  # `--as-of today` is today, not a replay of it
        now = cfg.now()
        return now.date(), now
    from esp_cli.core.rules import END_OF_DAY  # loaded by the commands that replay a day

    day = parse_day(text, cfg, option)
    return day, datetime.combine(day, END_OF_DAY)
