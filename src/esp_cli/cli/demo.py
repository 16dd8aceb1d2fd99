"""esp demo: the day's work on the bundled sample, in a scratch folder.

It runs the real commands, in-process, on a fresh copy of the sample (services/demo.py makes
the folder) and prints each one as the user would type it, so a newcomer sees exactly what a
day with esp looks like: by default each step's title, its command and one line of what it
did; with --verbose, every command's whole output.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli import load_commands
from esp_cli.cli.base import app

# In a step's arguments, filled in when it runs: the demo's folder (shown as the current
# one), the sample's today and its folder of TBT proofs (services/demo.py says which).
FOLDER = "{folder}"
AS_OF = "{today}"
PROOFS = f"{FOLDER}/{{proofs}}"
EOD_EML = f"{FOLDER}/TBT-Completion-Report-{AS_OF}.eml"

# (what the step shows, the command line after `esp`). Every command gets --config.
STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Preview the N Number request dates the Master tracker would fill in",
        ("sync-nnumbers", "--dry-run"),
    ),
    ("Fill them in (a backup is kept in esp-backups/)", ("sync-nnumbers",)),
    ("Run it again: nothing left to do", ("sync-nnumbers",)),
    ("Who needs what today", ("escalations", "--today", "--as-of", AS_OF)),
    (
        "Why is Tyrone Jackson's coaching overdue? Every date and count behind it",
        ("explain", "Tyrone Jackson", "--as-of", AS_OF),
    ),
    (
        "Record the coaching delivered to him today (date column + a line in Notes)",
        (
            "record-step",
            "Tyrone Jackson",
            "coaching",
            "--date",
            AS_OF,
            "--note",
            "Call Cert delay and TBT plan",
        ),
    ),
    (
        "Write Escalation Stage, Next Action and Next Action Due into the tracker",
        ("escalations", "--write", "--as-of", AS_OF, "--write-past"),
    ),
    (
        "Fold today's self-reports (the progress report and the agents' e-mails) into Notes",
        ("progress", "import", "--date", AS_OF),
    ),
    ("Run it again: every report is already there", ("progress", "import", "--date", AS_OF)),
    ("Who has not reported today", ("progress", "missing", "--date", AS_OF)),
    (
        "Marcus Lee cannot log in to Citrix: record the issue, SPOC's ticket and his callback "
        "number (a TBT note documents it)",
        (
            "access",
            "set",
            "Marcus Lee",
            "password reset",
            "--spoc-called",
            AS_OF,
            "--incident",
            "INC0049377",
            "--phone",
            "513.555.0131",
            "--date",
            AS_OF,
        ),
    ),
    (
        "Add a note for Tyrone Jackson",
        ("note", "add", "Tyrone Jackson", "Call Cert confirmed for 11/25 9 AM", "--date", AS_OF),
    ),
    (
        "Record the TBT completion proofs saved to tbt-proofs/ (Hector Vargas's transcript; a "
        "badly named file and a screenshot are refused) and set All TBTs Complete?",
        ("tbt", "proofs", PROOFS),
    ),
    ("Run it again: nothing new to record", ("tbt", "proofs", PROOFS)),
    (
        "AET-1116 has one TBT SME for 22 agents: split the class with a second Certifier",
        ("sme", "assign", "AET-1116", "--sme", "Keisha Grant", "--sme", "Marcus Bell"),
    ),
    ("Each class's TBT SMEs and their load", ("sme", "list")),
    ("The end-of-day TBT Completion report for leadership", ("report", "eod", "--date", AS_OF)),
    (
        "The same report as an e-mail (text and HTML) Outlook opens ready to send",
        ("report", "eod", "--date", AS_OF, "--eml", EOD_EML),
    ),
)


def available_steps() -> list[tuple[str, tuple[str, ...]]]:
    """The steps whose command this version of esp has."""
    load_commands()
    known = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    return [(title, argv) for title, argv in STEPS if argv[0] in known]


@app.command("demo")
def demo_command(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Folder for the sample files: a new or empty one, or one an earlier esp demo "
            "made (default: a new temporary folder).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Show every command's whole output."),
    ] = False,
) -> None:
    """Copy the sample trackers to a scratch folder and run the day's commands on them: each
    step's command and what it did in one line (--verbose: all its output)."""
    from esp_cli.services.demo import AS_OF as TODAY
    from esp_cli.services.demo import CONFIG_FILE, PROOFS_DIR, TRACKER_FILE, demo_folder

    target = demo_folder(folder)
    tracker = target / TRACKER_FILE
    config = target / CONFIG_FILE
    out = sys.stdout
    out.write(f"esp demo — sample files in {target}\n")
    out.write(
        f"The sample's today is {date.fromisoformat(TODAY):%a %m/%d/%Y}; the tracker is "
        f"'{tracker.name}'.\n"
    )
    failures = 0
    for number, (title, step) in enumerate(available_steps(), start=1):
        step = tuple(a.replace(AS_OF, TODAY).replace("{proofs}", PROOFS_DIR) for a in step)
        # Shown as typed inside the demo folder; run with the folder's real path.
        shown = " ".join(_quote(a.replace(FOLDER + "/", "")) for a in step)
        out.write(f"\n── Step {number}: {title}\n$ esp {shown}\n")
        out.flush()
        argv = [a.replace(FOLDER, str(target)) for a in step]
        if verbose:
            code = _run([*argv, "--config", str(config)])
            sys.stderr.flush()
        else:
            code, said, shown_err = _run_quietly([*argv, "--config", str(config)])
            if code:  # a failing step shows everything it said
                out.write(said)
                sys.stderr.write(shown_err)
                sys.stderr.flush()
            else:
                out.write(f"→ {summary(said, shown_err, target)}\n")
        out.flush()
        if code:
            failures += 1
            out.write(f"(exit code {code})\n")
    out.write(
        f"\nDone. Open '{tracker}' in Excel to see the changes; the originals are "
        f"in {target / 'esp-backups'}.\n"
    )
    if not verbose:
        out.write("Run esp demo --verbose to see each command's whole output.\n")
    if failures:
        raise typer.Exit(1)


def _run(argv: list[str]) -> int:
    try:
        result = app(argv, standalone_mode=False, prog_name="esp")
    except SystemExit as exc:  # pragma: no cover - typer may still exit on usage errors
        return int(exc.code or 0)
    return int(result) if isinstance(result, int) else 0


def _run_quietly(argv: list[str]) -> tuple[int, str, str]:
    """Run a step with its output kept: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _run(argv)
    return code, out.getvalue(), err.getvalue()


def summary(out: str, err: str, folder: Path) -> str:
    """One line of what a step did: the last thing it told people on stderr (what it wrote,
    how many are due), else the first line of its data; paths shown inside the demo folder."""
    told = [
        line
        for line in err.splitlines()
        if line.strip() and not line.startswith(("warning:", "Signed:", "would change "))
    ]
    data = [line for line in out.splitlines() if line.strip()]
    line = told[-1] if told else data[0] if data else "(no output)"
    return line.replace(f"{folder}{os.sep}", "").replace(str(folder), ".")


def _quote(arg: str) -> str:
    return f'"{arg}"' if " " in arg else arg
