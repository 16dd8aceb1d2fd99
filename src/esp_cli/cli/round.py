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
    DryRunOpt,
    FormatOpt,
    SmeOpt,
    TrackerOpt,
    config_and_tracker,
)
from esp_cli.config import Config
from esp_cli.errors import EspError, ExitCode, UsageError
from esp_cli.render import Format, say
from esp_cli.system import let_ctrl_c_interrupt, read_line

if TYPE_CHECKING:  # the command's modules load when it runs, not for `esp --help`
    from esp_cli.core.answers import AgentAnswers
    from esp_cli.services.round import Round


def ask(prompt: str) -> str | None:
    """One line from standard input, the prompt on stderr (stdout stays data). Plain line
    input works alike in Windows Terminal, PowerShell, cmd and a pipe (a file of answers
    in UTF-8, with a byte-order mark or not, or in Windows-1252); None at the end."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    from esp_cli.core.values import (
        control_characters,
        describe_character,
        without_control_characters,
    )

    line = read_line()
    if line is None:
        sys.stderr.write("\n")
        return None
    bad = control_characters(line)
    if bad:
        # Never written to a cell: Excel would show them as garbage (_x0000_).
        line = without_control_characters(line)
    if not sys.stdin.isatty():
        sys.stderr.write(line + "\n")  # a script's answers show in the transcript
    if bad:
        shown = ", ".join(describe_character(ch) for ch in bad)
        sys.stderr.write(f"warning: that line held {shown}, which no cell can show; left out.\n")
    return line


def confirm(prompt: str) -> bool:
    answer = ask(prompt)
    return answer is not None and answer.strip().casefold() in ("y", "yes")


@app.command("round")
def round_command(
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    by: ByOpt = None,
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
    line) or a key; every answer is written at the end in one write. Answers are kept in a
    journal beside the tracker as they are typed: --resume applies it later."""
    from esp_cli.core.answers import HELP_LINE
    from esp_cli.render.round import show_card
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
    rnd = start_round(path, cfg, cls=cls, sme=sme, by=by, durable=person)
    if not rnd.rows:
        say("No outstanding agents to go through.")
        return
    say(f"{len(rnd.rows)} outstanding agent(s); signing as {rnd.by}.\n{HELP_LINE}")
    try:
        rnd.run(ask, show_card, say)
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
