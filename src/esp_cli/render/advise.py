"""esp advise: the messages of a run as a table, JSON or CSV, and what was left out, on stderr."""

from __future__ import annotations

from esp_cli.core.model import class_aside, class_shown
from esp_cli.render import (
    Format,
    chosen_with_waiting,
    plain,
    print_table,
    say,
    say_findings,
    write_csv,
    write_json,
)
from esp_cli.render.changes import say_written
from esp_cli.results.advise import Advice, AdviseResult, Delivery, SharedFileName, Skipped

CSV_COLUMNS = [
    "agent",
    "class",
    "sheet",
    "row",
    "kind",
    "advice",
    "to",
    "cc",
    "subject",
    "file",
    "sent",
    "note",
]


def _status(m: Advice, result: AdviseResult) -> str:
    dry = result.write.dry_run
    if result.delivery is Delivery.DRAFT and m.file is not None:
        return f"{'would save' if dry else 'saved'} {m.file.name}"
    if result.delivery is Delivery.SEND:
        return "sent" if m.sent else "would send"
    return "listed"


def render(result: AdviseResult, fmt: Format, verbose: bool = False) -> None:
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv([{**plain(m), "cc": "; ".join(m.cc)} for m in result.messages], CSV_COLUMNS)
    else:
        day = f"Advice as of {result.as_of:%a %m/%d/%Y}"
        n, left_out = len(result.messages), len(result.no_address) + len(result.refused)
        title, empty = f"{day}: {n} message(s)", "no advice to give"
        if left_out:
            # What a run could not make counts too: "no advice" would hide it.
            title = f"{day}: {n} of {n + left_out} message(s) can be made"
            empty = f"{left_out} left out (below)"
            if n:
                title += f"; {empty}"
        print_table(
            title,
            ["Agent", "Class", "Advice", "To", "Cc", "Draft / status"],
            [
                (
                    m.agent.name,
                    class_shown(m.agent.cls),
                    m.kind.heading,
                    m.to,
                    "\n".join(m.cc),
                    _status(m, result),
                )
                for m in result.messages
            ],
            empty=empty,
        )
    tell(result, fmt, verbose)


def _skipped(what: str, skipped: list[Skipped]) -> list[str]:
    """'refused: Ana Ruiz (AET-1, equipment): why. Fix: what to do', each agent named once.
    One reason and fix for several messages (a setting of esp.toml, not a cell of theirs)
    is said once, naming every agent it holds back."""
    same: dict[tuple[str, str | None], list[Skipped]] = {}
    for s in skipped:
        same.setdefault((s.reason.rstrip("."), s.fix), []).append(s)
    lines = []
    for (why, fix), group in same.items():
        who = ", ".join(
            f"{s.agent.name} ({class_aside(s.agent.cls)}, {s.kind.value})" for s in group
        )
        lines.append(f"{what}: {who}: {why}." + (f" Fix: {fix}" if fix else ""))
    return lines


def _shared_file_name(shared: SharedFileName) -> str:
    """One line: the agents told one transcript file name, and what to do about it."""
    many = len({a.sheet for a in shared.agents}) > 1
    who = [f"{a.name} ({f'{a.sheet}!' if many else ''}row {a.row})" for a in shared.agents]
    named = " or ".join(f"'{n}'" for n in shared.file_names)
    return (
        f"warning: {', '.join(who[:-1])} and {who[-1]} are told to name their TBT transcript "
        f"{named}, one file name to Windows: esp tbt proofs cannot tell whose such a file is. "
        "Tell them apart in the tracker's Agent Name (a middle initial, say), or ask for "
        "their proofs by other means."
    )


def tell(result: AdviseResult, fmt: Format, verbose: bool = False) -> None:
    """What people should know, on stderr: findings, who was left out and why, what was
    saved, sent and noted."""
    say_findings(result.findings, verbose)
    if result.chosen_waiting:
        say(chosen_with_waiting(result.sme, len(result.chosen_waiting)))
    for line in _skipped("not addressed", result.no_address) + _skipped("refused", result.refused):
        say(line)
    for m in result.messages:
        if m.not_delivered:
            say(f"not delivered to all: {m.agent.name} ({m.kind.value}) has it, but "
                f"{m.not_delivered}")  # fmt: skip
    for shared in result.shared_file_names:
        say(_shared_file_name(shared))
    for name in result.smes_without_address:
        say(
            f"not in Cc: TBT SME {name} has no address in esp.toml [people] sme_emails "
            f'(add "{name}" = "name@example.com").'
        )
    if result.already_advised:
        say(
            f"{len(result.already_advised)} message(s) not made again: the agents' Notes "
            "already say they were advised."
        )
    n = len(result.messages)
    if result.delivery is Delivery.LIST:
        if n:
            say(
                f"Listed {n} message(s); nothing saved, sent or noted. Give --out FOLDER to save "
                "drafts, or --send to send them."
            )
        return
    if result.write.dry_run:
        verb = "would be saved" if result.delivery is Delivery.DRAFT else "would be sent"
        say(f"Dry run: {n} message(s) {verb}.")
    elif result.delivery is Delivery.DRAFT:
        folders = sorted({str(m.file.parent) for m in result.messages if m.file})
        say(f"Saved {n} draft(s) in {', '.join(folders)}." if n else "No draft to save.")
    else:
        say(f"Sent {sum(m.sent for m in result.messages)} message(s).")
    if result.failure is not None:
        what = "Saving drafts" if result.delivery is Delivery.DRAFT else "Sending"
        say(
            f"{what} stopped: {result.failure} The messages before it are noted; the rest wait "
            "for the next run."
        )
    say_written(result.write, done="needs no new note", fmt=fmt)
