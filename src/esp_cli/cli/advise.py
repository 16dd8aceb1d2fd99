"""esp advise AGENT KIND / esp advise --due: the team's advice e-mails to agents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    AGENT_HELP,
    AGENT_NAME,
    AsOfOpt,
    ByOpt,
    ClassOpt,
    ConfigOpt,
    DryRunOpt,
    FormatOpt,
    NoWaitOpt,
    SendOpt,
    SmeOpt,
    TrackerOpt,
    VerboseOpt,
    as_of_and_now,
    config_and_tracker,
    exit_if_waiting,
    waiting_allowed,
)
from esp_cli.errors import ExitCode, UsageError
from esp_cli.render import Format

KINDS_HELP = "spoc, cannot-locate, equipment, self-report or breakout"


@app.command("advise")
def advise_command(
    agent: Annotated[
        str | None,
        typer.Argument(
            metavar="[AGENT]", help=AGENT_HELP, show_default=False, click_type=AGENT_NAME
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Argument(metavar="[KIND]", help=f"The advice: {KINDS_HELP}.", show_default=False),
    ] = None,
    due: Annotated[
        bool,
        typer.Option(
            "--due",
            help="Every agent whose situation calls for advice on the day and who has not "
            "been advised of it yet.",
        ),
    ] = False,
    as_of: AsOfOpt = None,
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    breakout: Annotated[
        str | None,
        typer.Option(
            "--breakout",
            "--when",
            help="The breakout room, a link or a time such as '2pm ET' (else esp.toml "
            "[advice] breakout).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Save each message as an .eml draft in this folder (Outlook opens it ready "
            "to send).",
            show_default=False,
        ),
    ] = None,
    as_msg: Annotated[
        bool,
        typer.Option(
            "--msg",
            help="With --out: save Outlook .msg drafts (classic Outlook opens them ready to "
            "edit and send) instead of .eml.",
        ),
    ] = False,
    send: SendOpt = False,
    by: ByOpt = None,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """The team's instructions to agents as e-mails, To: the agent, Cc: the class's TBT
    SMEs. Without --out or --send, lists what would go to whom. Each message saved or sent
    is noted in the agent's Notes ('Advised: SPOC steps'), so --due never advises twice."""
    if due and (agent is not None or kind is not None):
        raise UsageError(
            "--due advises every agent whose situation calls for it; an agent was given too.",
            fix="drop --due to advise one agent, or drop the agent.",
        )
    if not due and (agent is None or kind is None):
        raise UsageError(
            "Which agent, and which advice?",
            fix=f"give AGENT KIND (KIND: {KINDS_HELP}), or --due.",
        )
    if as_msg and out is None:
        raise UsageError("--msg goes with --out.", fix="add --out DIR, or drop --msg.")
    if sme is not None and not due:
        raise UsageError("--sme goes with --due.", fix="add --due, or drop --sme.")
    cfg, path = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.core.advice import parse_kind
    from esp_cli.render.advise import render
    from esp_cli.services.advise import advise_agent, advise_due

    day, now = as_of_and_now(as_of, cfg)
    draft = "msg" if as_msg else "eml"
    with waiting_allowed(no_wait):
        if due:
            result = advise_due(
                path, cfg, as_of=day, now=now, cls=cls, sme=sme, by=by, breakout=breakout,
                out=out, send=send, dry_run=dry_run, draft=draft,
            )  # fmt: skip
        else:
            assert agent is not None and kind is not None
            result = advise_agent(
                path, cfg, agent, parse_kind(kind), as_of=day, now=now, cls=cls, by=by,
                breakout=breakout, out=out, send=send, dry_run=dry_run, draft=draft,
            )  # fmt: skip
    render(result, fmt, verbose)
    exit_if_waiting(result.write)
    if result.failure is not None or result.refused:
        raise typer.Exit(int(ExitCode.FAILED))
