"""esp advise: the messages of a run as a table, JSON or CSV, and what was left out, on stderr."""

from __future__ import annotations

from typing import Any

from esp_cli.render import Format, print_table, say, write_csv, write_json
from esp_cli.render.changes import say_written, write_fields
from esp_cli.results.advise import Advice, AdviseResult, Delivery, Skipped

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


def message_dict(m: Advice) -> dict[str, Any]:
    return {
        **m.agent.fields(),
        "kind": m.kind.value,
        "advice": m.kind.label,
        "to": m.to,
        "cc": list(m.cc),
        "subject": m.subject,
        "file": str(m.file) if m.file else None,
        "sent": m.sent,
        "note": m.note,
        "not_delivered": m.not_delivered,
    }


def skipped_dict(s: Skipped) -> dict[str, Any]:
    out: dict[str, Any] = {**s.agent.fields(), "kind": s.kind.value, "reason": s.reason}
    if s.missing is not None:
        out["missing"] = s.missing
    if s.advised_on is not None:
        out["advised_on"] = s.advised_on
    return out


def as_dict(result: AdviseResult) -> dict[str, Any]:
    return {
        "as_of": result.as_of,
        "delivery": result.delivery.value,
        "messages": [message_dict(m) for m in result.messages],
        "no_address": [skipped_dict(s) for s in result.no_address],
        "refused": [skipped_dict(s) for s in result.refused],
        "already_advised": [skipped_dict(s) for s in result.already_advised],
        "smes_without_address": result.smes_without_address,
        "failure": result.failure,
        **write_fields(result.write),
    }


def _status(m: Advice, result: AdviseResult) -> str:
    dry = result.write.dry_run
    if result.delivery is Delivery.DRAFT and m.file is not None:
        return f"{'would save' if dry else 'saved'} {m.file.name}"
    if result.delivery is Delivery.SEND:
        return "sent" if m.sent else "would send"
    return "listed"


def render(result: AdviseResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(as_dict(result))
    elif fmt is Format.csv:
        rows = []
        for m in result.messages:
            row = message_dict(m)
            row["cc"] = "; ".join(m.cc)
            rows.append(row)
        write_csv(rows, CSV_COLUMNS)
    else:
        print_table(
            f"Advice as of {result.as_of:%a %m/%d/%Y}: {len(result.messages)} message(s)",
            ["Agent", "Class", "Advice", "To", "Cc", "Draft / status"],
            [
                (
                    m.agent.name,
                    m.agent.cls,
                    m.kind.heading,
                    m.to,
                    "\n".join(m.cc),
                    _status(m, result),
                )
                for m in result.messages
            ],
            empty="no advice to give",
        )
    tell(result)


def tell(result: AdviseResult) -> None:
    """What people should know, on stderr: findings, who was left out and why, what was
    saved, sent and noted."""
    for finding in result.findings:
        say(f"warning: {finding}")
    for s in result.no_address:
        say(f"not addressed: {s.agent.name} ({s.agent.cls}, {s.kind.value}): {s.reason}")
    for s in result.refused:
        say(f"refused: {s.agent.name} ({s.agent.cls}, {s.kind.value}): {s.reason}")
    for m in result.messages:
        if m.not_delivered:
            say(f"not delivered to all: {m.agent.name} ({m.kind.value}) has it, but "
                f"{m.not_delivered}")  # fmt: skip
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
    say_written(result.write, done="needs no new note")
