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
    SmeOpt,
    TrackerOpt,
    config_and_tracker,
    parse_day,
)
from esp_cli.config import Config
from esp_cli.core.typed import clean
from esp_cli.errors import EspError, ExitCode, UsageError, printable
from esp_cli.render import Format, say
from esp_cli.system import let_ctrl_c_interrupt, read_typed_line

if TYPE_CHECKING:  # the command's modules load when it runs, not for `esp --help`
    from esp_cli.core.answers import AgentAnswers
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
        typer.Option("--resume", help="Apply the answers of a round that was not written."),
    ] = False,
    discard: Annotated[
        bool,
        typer.Option(
            "--discard",
            help="Set aside (in the backup folder) the answers of a round that was not written.",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Write at the end without asking.")
    ] = False,
    tracker: TrackerOpt = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = Format.table,
    config: ConfigOpt = None,
) -> None:
    """Walk the outstanding agents of a class or TBT SME: type each one's status (a TBT Notes
    line, or a saved phrase by its number) or a key; every answer is written at the end in
    one write. --date dates a round typed on a later day. Answers are kept in a journal
    beside the tracker as they are typed: --resume applies it later."""
    from esp_cli.render.round import legend_lines, people_width, show_card, show_help, tell
    from esp_cli.services.round import archive_journal, journal_path, read_journal, start_round

    cfg, path = config_and_tracker(config, tracker)
    journal = journal_path(path)
    if resume and discard:
        raise UsageError("--resume and --discard exclude each other.", fix="give one.")
    if discard:
        read_journal(journal)  # the clear "no round" error when there is none
        say(f"The round's answers are set aside in {archive_journal(journal, path, cfg)}.")
        return
    if resume:
        kept = read_journal(journal)
        _finish(path, cfg, kept.agents, None, journal, yes, dry_run, fmt, kept.by)
        return
    if journal.exists():
        kept = read_journal(journal)
        if not kept.agents:
            journal.unlink()  # a round left before any answer
        else:
            when = kept.started.replace("T", " ")[:16] or "an earlier day"
            what = (
                f"A round of {when} by {kept.by or 'someone'} with "
                f"{kept.answers} answer(s) for {len(kept.agents)} agent(s) was not written"
            )
            if sys.stdin.isatty() and confirm(f"{what}. Apply it now? [y/N] "):
                _finish(path, cfg, kept.agents, None, journal, yes, dry_run, fmt, kept.by)
                return
            raise UsageError(
                f"{what} ({journal}).",
                fix="esp round --resume applies it; esp round --discard sets it aside.",
            )
    person = sys.stdin.isatty()
    if person:
        let_ctrl_c_interrupt()  # Ctrl-C always ends a round typed at a terminal
    # A person's answers are forced to disk one by one; a script's can be given again.
    day = parse_day(on, "--date") if on is not None else None
    rnd = start_round(path, cfg, cls=cls, sme=sme, by=by, day=day, durable=person)
    if not rnd.rows:
        say("No outstanding agents to go through.")
        return
    dated = f", dated {rnd.day:%a %m/%d/%Y}" if on is not None else ""
    say(f"{len(rnd.rows)} outstanding agent(s); signing as {rnd.by}{dated}.")
    if rnd.day_note:
        tell(rnd.day_note)
    say("\n".join(legend_lines(people_width(), len(rnd.phrases))))
    try:
        rnd.run(ask, show_card, tell, show_help)
        if not rnd.answers:
            journal.unlink(missing_ok=True)
            say("Nothing typed; nothing written.")
            return
        _finish(path, cfg, rnd.answers, rnd, journal, yes, dry_run, fmt, rnd.by)
    except KeyboardInterrupt:
        # Applying the journal again is safe even if the write got through: a line already
        # in its cell is not added twice, and a value already there is not rewritten.
        _kept(journal, "Interrupted")
        raise typer.Exit(130) from None


def _kept(journal: Path, why: str) -> None:
    say(
        f"{why}: nothing was written; every answer is kept in {journal}. "
        "esp round --resume applies them."
    )


def _finish(
    path: Path,
    cfg: Config,
    agents: list[AgentAnswers],
    rnd: Round | None,
    journal: Path,
    yes: bool,
    dry_run: bool,
    fmt: Format,
    signer: str | None = None,
) -> None:
    """The summary, the confirmation (unless --yes), then one write; the journal is kept
    until the write has succeeded. `rnd`: the round just typed (its reading is reused)."""
    from esp_cli.render.round import print_summary, render_result
    from esp_cli.services.round import apply_answers, archive_journal

    read = rnd.table if rnd is not None else None
    shown = False
    if dry_run or not yes:
        preview = apply_answers(
            path, cfg, agents, journal=journal, read=read, dry_run=True, signer=signer
        )
        if dry_run:
            render_result(preview, fmt, summary_shown=False)
            _kept(journal, "Dry run")
            return
        shown = fmt is Format.table
        if shown:
            print_summary(preview)
        else:
            say(f"{len(preview.write.changes)} cell(s) will change.")
        if not preview.write.changes:
            say("Nothing to write.")
        elif not confirm(f"Write {len(preview.write.changes)} cell(s) to {path.name}? [y/N] "):
            _kept(journal, "Not confirmed")
            return
    try:
        result = apply_answers(path, cfg, agents, journal=journal, read=read, signer=signer)
    except EspError as exc:
        say(f"esp: {exc}")
        _kept(journal, "Not written")
        raise typer.Exit(int(exc.exit_code)) from None
    result.archived = archive_journal(journal, path, cfg)
    render_result(result, fmt, summary_shown=shown)
    if result.conflicts or result.not_applied:
        raise typer.Exit(int(ExitCode.FINDINGS))
