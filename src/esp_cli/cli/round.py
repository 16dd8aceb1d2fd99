"""esp round [--class CLASS] [--sme NAME]: the day's status from many agents, one write."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from esp_cli.cli.base import app
from esp_cli.cli.options import (
    ByOpt,
    ClassOpt,
    ConfigOpt,
    DayOpt,
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
from esp_cli.config import Config
from esp_cli.core.typed import clean
from esp_cli.errors import EspError, ExitCode, UsageError, printable
from esp_cli.render import Format, chosen_with_waiting, say
from esp_cli.system import let_ctrl_c_interrupt, read_typed_line

if TYPE_CHECKING:  # the command's modules load when it runs, not for `esp --help`
    from esp_cli.core.waiting import WaitingOp
    from esp_cli.services.round import Round


def ask(prompt: str) -> str | None:
    """One line from standard input, the prompt on stderr (stdout stays data); None at the
    end. At a terminal the line can be edited as it is typed (arrow keys, Home, End); from
    a pipe it is read as a file of answers (UTF-8, with a byte-order mark or not,
    Windows-1252 or UTF-16: system.read_line). Whatever a terminal's keys or a paste left
    in it that no cell can show (an arrow key's escape code, a bell) is taken out, and the
    person told."""
    person = sys.stdin.isatty()
    line = read_typed_line(prompt)
    if line is None:
        sys.stderr.write("\n")
        return None
    cleaned = clean(line)
    if not person:
        sys.stderr.write(printable(cleaned.text) + "\n")  # a script's answers show too
    if cleaned.removed:
        shown = ", ".join(cleaned.removed)
        say(f"warning: that line held {shown}, which no cell can show; left out.")
    return cleaned.text


# What a person may type at the write prompt by habit when the round is over: the round's
# own commands, asked again rather than taken for "no".
_ROUND_WORDS = frozenset({"q", "quit", "exit", "next", "skip", "/q"})


def confirm(prompt: str) -> bool:
    """y or yes writes; n, no, Enter or the end of input does not. A round command typed
    out of habit (q after the last agent) asks again; so does anything else typed at a
    terminal (from a script, anything else is no)."""
    while True:
        answer = ask(prompt)
        if answer is None:
            return False
        word = answer.strip().casefold()
        if word in ("y", "yes"):
            return True
        if word in ("", "n", "no"):
            return False
        if word in _ROUND_WORDS or sys.stdin.isatty():
            say("  The round is over: y writes the cells shown, n keeps them for later.")
            continue
        return False


@app.command("round")
def round_command(
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    by: ByOpt = None,
    on: DayOpt = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Write the answers still waiting beside the tracker (with every other "
            "waiting change, as esp apply does).",
        ),
    ] = False,
    discard: Annotated[
        bool,
        typer.Option(
            "--discard",
            help="Drop your round answers still waiting beside the tracker, unwritten "
            "(recorded in the history).",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Write at the end without asking.")
    ] = False,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    no_wait: NoWaitOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Walk the outstanding agents of a class or TBT SME: type each one's status (a TBT Notes
    line, or a saved phrase by its number) or a key; every answer is written at the end in
    one write. --date dates a round typed on a later day. Each agent's answers wait beside
    the tracker the moment they are typed, so nothing typed is lost (Ctrl-C, a crash, the
    tracker open in Excel) and every teammate's esp counts them; the next esp write writes
    what is left (esp apply, or --resume)."""
    cfg, path = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render.round import legend_lines, people_width, show_card, show_help, tell
    from esp_cli.services.round import (
        ROUND_COMMAND,
        adopt_journal,
        drop_rounds,
        round_ops,
        start_round,
        waiting_now,
    )

    if resume and discard:
        raise UsageError("--resume and --discard exclude each other.", fix="give one.")
    with waiting_allowed(no_wait):
        if not dry_run:
            adopted = adopt_journal(path, cfg)
            if adopted:
                say(
                    f"The answers of an earlier round for {adopted} agent(s), kept by an "
                    "older esp, now wait beside the tracker."
                )
        if discard:
            signer = cfg.signer(by)
            dropped = drop_rounds(path, cfg, signer)
            if not dropped:
                raise UsageError(
                    f"No round answers of {signer} wait beside {path.name}.",
                    fix="see what waits with: esp pending",
                )
            say(
                f"Dropped {len(dropped)} agent(s)' round answers of {signer}, never written "
                f"({', '.join(dropped)}); recorded in the history."
            )
            return
        if resume:
            waits = waiting_now(path, cfg)
            if not waits:
                raise UsageError(
                    f"No round to resume: nothing waits beside {path.name}.",
                    fix="start one with esp round --class CLASS (or --sme NAME).",
                )
            mine = [o for o in waits if o.command.startswith(ROUND_COMMAND)]
            _finish(path, cfg, mine, None, yes, dry_run, fmt, None)
            return
        person = sys.stdin.isatty()
        if person:
            let_ctrl_c_interrupt()  # Ctrl-C always ends a round typed at a terminal
        day = parse_day(on, cfg, "--date") if on is not None else None
        rnd = start_round(path, cfg, cls=cls, sme=sme, by=by, day=day, dry_run=dry_run)
        if rnd.chosen_waiting:
            say(chosen_with_waiting(rnd.chosen_sme, len(rnd.chosen_waiting)))
        if not rnd.rows:
            say("No outstanding agents to go through.")
            return
        earlier = round_ops(rnd.keeper.store, rnd.by)
        if earlier and not dry_run:
            say(
                f"Answers of an earlier round of yours for {len(earlier)} agent(s) still wait "
                "beside the tracker; this round's write writes them too."
            )
        dated = f", dated {rnd.day:%a %m/%d/%Y}" if on is not None else ""
        say(f"{len(rnd.rows)} outstanding agent(s); signing as {rnd.by}{dated}.")
        if rnd.day_note:
            tell(rnd.day_note)
        say("\n".join(legend_lines(people_width(), len(rnd.phrases))))
        try:
            rnd.run(ask, show_card, tell, show_help)
            if not rnd.answers:
                say("Nothing typed; nothing written.")
                return
            # The earlier round's answers are written by this write too: shown and asked
            # for with this round's.
            mine = rnd.keeper.ops
            ids = {o.op for o in mine}
            if not dry_run:
                mine = [*(o for o in earlier if o.op not in ids), *mine]
            _finish(path, cfg, mine, rnd, yes, dry_run, fmt, rnd.by)
        except KeyboardInterrupt:
            _kept("Interrupted", dry_run)
            raise typer.Exit(130) from None


def _kept(why: str, dry_run: bool = False) -> None:
    if dry_run:
        say(f"{why}: a dry run; nothing was written and nothing kept.")
        return
    say(
        f"{why}: nothing written yet; every answer waits beside the tracker, nothing lost: "
        "the next esp write writes them (esp apply --wait as soon as the tracker is free; "
        "esp pending lists them; esp round --discard drops yours)."
    )


def _finish(
    path: Path,
    cfg: Config,
    mine: list[WaitingOp],
    rnd: Round | None,
    yes: bool,
    dry_run: bool,
    fmt: Format,
    signer: str | None = None,
) -> None:
    """The summary, the confirmation (unless --yes), then one write of what waits (the
    round's answers among it). `rnd`: the round just typed (its reading is reused)."""
    from esp_cli.render.round import print_summary, render_result
    from esp_cli.services.round import finish_round

    read = rnd.table if rnd is not None else None
    if rnd is not None and rnd.overlay is not None:
        rnd.overlay.revert()  # the rows as read: the write puts what waits on them itself
    kept = [] if dry_run else mine
    also = mine if dry_run else []
    shown = False
    if dry_run or not yes:
        preview = finish_round(path, cfg, kept, read=read, dry_run=True, signer=signer, also=also)
        if dry_run:
            render_result(preview, fmt, summary_shown=False)
            _kept("Dry run", dry_run=True)
            return
        shown = fmt is Format.table
        if shown:
            print_summary(preview)
        else:
            say(f"{len(preview.write.changes)} cell(s) will change.")
        if not preview.write.changes:
            # Nothing to ask for, so nothing written: not even what waits, which nobody here
            # confirmed (the next write, or esp apply, writes it).
            waits = " (what waits beside the tracker stays there: esp pending)" if mine else ""
            say(f"Nothing to write{waits}.")
            return
        if not confirm(f"Write {len(preview.write.changes)} cell(s) to {path.name}? [y/N] "):
            _kept("Not confirmed")
            return
    try:
        result = finish_round(path, cfg, kept, read=read, signer=signer)
    except EspError as exc:
        say(f"esp: {exc}")
        _kept("Not written")
        raise typer.Exit(int(exc.exit_code)) from None
    render_result(result, fmt, summary_shown=shown)
    exit_if_waiting(result.write)
    if result.conflicts or result.not_applied:
        raise typer.Exit(int(ExitCode.FINDINGS))
