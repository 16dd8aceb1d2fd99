"""How esp round shows each agent (stderr, for the person typing) and what the round wrote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from esp_cli.core.answers import Answer
from esp_cli.render import Format, say, show, write_csv, write_json
from esp_cli.render.changes import CHANGE_COLUMNS, print_changes, say_written
from esp_cli.results.round import AgentCard, RoundResult


def card_lines(index: int, total: int, card: AgentCard, answers: Sequence[Answer]) -> list[str]:
    a = card.agent
    head = f"[{index + 1}/{total}] {a.name} — {a.cls or 'no class'} ({a.sheet}!row {a.row})"
    out = ["", head + (f" · SME {card.sme}" if card.sme else ""), f"  status:    {card.status}"]
    out += [f"  due:       {line}" for line in card.due] or ["  due:       nothing today"]
    out.append(f"  Notes:     {card.latest_note or '—'}")
    out.append(f"  TBT Notes: {card.latest_tbt_note or '—'}")
    if card.self_report:
        out.append(f"  today:     {card.self_report}")
    out += [f"  typed:     {answer.label}" for answer in answers]
    return out


def show_card(index: int, total: int, card: AgentCard, answers: Sequence[Answer]) -> None:
    say("\n".join(card_lines(index, total, card, answers)))


def _value(value: Any) -> str:
    """A conflict's token as it reads (a tagged date or error as its text)."""
    if isinstance(value, dict):
        text = str(next(iter(value.values()), ""))
        if set(value) == {"date"}:
            return show(date.fromisoformat(text))
        return text
    return show(value)


def say_problems(result: RoundResult) -> None:
    for c in result.conflicts:
        say(
            f"Conflict: {c.cell} ({c.column}, {c.agent}) changed since it was shown "
            f"({_value(c.shown)!s:.60} → now {_value(c.now)!s:.60}); not written: "
            f"{_value(c.wanted)}"
        )
    for n in result.not_applied:
        say(f"Not applied: {n.agent} ({n.where}): {n.reason}")


def print_summary(result: RoundResult) -> None:
    """The cells the round will write (before → after), before it asks to write them."""
    changes = result.write.changes
    agents = len({(c.sheet, c.row) for c in changes})
    print_changes(
        f"The round: {len(changes)} cell(s) for {agents} agent(s) in {result.tracker.name}",
        changes,
        with_agent=True,
    )
    say_problems(result)


def render_result(result: RoundResult, fmt: Format, *, summary_shown: bool) -> None:
    """The command's data (stdout) and its last words (stderr)."""
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(result.write.changes, CHANGE_COLUMNS)
    elif not summary_shown:
        print_summary(result)
    if fmt is not Format.table:
        say_problems(result)
    write = result.write
    if write.status == "waiting":
        say(
            f"Nothing written yet: {result.tracker.name} is {write.waiting}; the round's "
            f"answers for {result.agents} agent(s) wait beside it, nothing lost. The next esp "
            "write that finds it free writes them (esp apply --wait as soon as it is)."
        )
        return
    say_written(write)
    if result.conflicts or result.not_applied:
        say(
            "The answers of those agents wait on beside the tracker: esp apply "
            "--skip-conflicts writes the rest of them, esp pending drop OP discards them."
        )
