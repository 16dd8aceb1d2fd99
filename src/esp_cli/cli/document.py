"""esp document AGENT STEP / esp document --due: the ladder's documents, as Word files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    AGENT_HELP,
    AGENT_NAME,
    DATE,
    DAY_FORMS,
    STEP_NAMES,
    AsOfOpt,
    ByOpt,
    ClassOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    SmeOpt,
    TrackerOpt,
    config_and_tracker,
    exit_if_waiting,
    parse_day,
    waiting_allowed,
)
from esp_cli.errors import ExitCode, UsageError
from esp_cli.render import Format

STEPS = STEP_NAMES
STEPS_HELP = f"{STEPS}, any case"


@app.command("document")
def document_command(
    agent: Annotated[
        str | None,
        typer.Argument(
            metavar="[AGENT]", help=AGENT_HELP, show_default=False, click_type=AGENT_NAME
        ),
    ] = None,
    step: Annotated[
        str | None,
        typer.Argument(metavar="[STEP]", help=f"The step: {STEPS_HELP}.", show_default=False),
    ] = None,
    due: Annotated[
        bool,
        typer.Option(
            "--due",
            help="A document for every agent whose ladder step is due on the day (--as-of) "
            "and not recorded yet.",
        ),
    ] = False,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar=DATE,
            help=f"The day the step is delivered ({DAY_FORMS}); default the step's recorded "
            "date, else today.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The folder for the documents (and drafts); default the current folder. "
            "Needed with --due.",
            show_default=False,
        ),
    ] = None,
    eml: Annotated[
        bool,
        typer.Option(
            "--eml",
            help="Also an unsent e-mail to the agent (Cc the class's TBT SMEs) with the "
            "document attached, as an .eml beside it.",
        ),
    ] = False,
    as_msg: Annotated[
        bool,
        typer.Option(
            "--msg", help="The same e-mail as an Outlook .msg draft (classic Outlook opens it)."
        ),
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Also record the step (its date column and a Notes line naming the "
            "document), as esp record-step --document does.",
        ),
    ] = False,
    note: Annotated[
        str | None,
        typer.Option(
            "--note",
            help="With --record: what was said or agreed; added to the Notes line.",
            show_default=False,
        ),
    ] = None,
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    by: ByOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """The Word document of a ladder step (documented coaching, written CAP, final CAP, term
    review) from the team's template: the agent, what is missing, the steps delivered and
    the dates of those ahead (each the business day after the one before, holidays
    skipped), and lines to sign. Never over an existing file."""
    if due and (agent is not None or step is not None):
        raise UsageError(
            "--due makes a document for every agent whose step is due; an agent was given too.",
            fix="drop --due to make one agent's document, or drop the agent.",
        )
    if not due and (agent is None or step is None):
        raise UsageError(
            "Which agent, and which step?", fix=f"give AGENT STEP (STEP: {STEPS}), or --due."
        )
    if due and on is not None:
        raise UsageError("--due takes the day as --as-of.", fix="use --as-of instead of --date.")
    if not due and as_of is not None:
        raise UsageError(
            "One agent's document takes its day as --date.", fix="use --date instead of --as-of."
        )
    if sme is not None and not due:
        raise UsageError("--sme goes with --due.", fix="add --due, or drop --sme.")
    if due and out is None:
        raise UsageError("--due needs --out.", fix="give --out FOLDER for the documents.")
    if note is not None and (due or not record):
        raise UsageError(
            "--note goes with one agent's --record.", fix="add --record, or drop --note."
        )
    drafts = [k for k, wanted in (("eml", eml), ("msg", as_msg)) if wanted]
    cfg, path = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.document import render
    from esp_cli.services.document import document_due, document_one
    from esp_cli.services.record import parse_step

    # The day documents are made for may be ahead (prepared the day before): a month/day is
    # the nearest one, not only a past one.
    with waiting_allowed(no_wait):
        if due:
            result = document_due(
                path, cfg, on=parse_day(as_of, cfg, future=True), out=out or Path("."), cls=cls,
                sme=sme, by=by, drafts=drafts, record=record, dry_run=dry_run,
            )  # fmt: skip
        else:
            assert agent is not None and step is not None
            result = document_one(
                path, cfg, agent, parse_step(step),
                parse_day(on, cfg, "--date", future=True) if on else None, out=out or Path("."),
                cls=cls, by=by, drafts=drafts, record=record, note=note, dry_run=dry_run,
            )  # fmt: skip
    render(result, fmt)
    exit_if_waiting(result.write)
    if result.refused:
        raise typer.Exit(int(ExitCode.FAILED))
