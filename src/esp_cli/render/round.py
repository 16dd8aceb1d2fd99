"""How esp round shows each agent (stderr, for the person typing) and what the round wrote."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from esp_cli.core.answers import HELP, LEGEND, Answer
from esp_cli.render import Format, say, show, wrap, write_csv, write_json
from esp_cli.render.changes import CHANGE_COLUMNS, print_changes, say_written
from esp_cli.results.round import AgentCard, RoundResult

LABEL = 13  # "  TBT Notes: ": the values of a card start in this column


def people_width() -> int | None:
    """The width of the terminal the person reads (standard error), None when it is not
    one (a script's transcript: lines are not wrapped)."""
    if not sys.stderr.isatty():
        return None
    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        return None
    return columns or None  # a terminal that does not say its size


def _fit(text: str, width: int | None, indent: int) -> list[str]:
    """`text` (its first line already indented by the caller) wrapped at words to `width`,
    each further line indented by `indent` spaces."""
    if width is None or width <= indent + 20:
        return [text]
    first, *rest = wrap(text, width)
    more = " ".join(rest)
    return [first, *(" " * indent + line for line in wrap(more, width - indent) if more)]


def _row(label: str, value: str, width: int | None) -> list[str]:
    return _fit(f"  {label + ':':<10} {value}", width, LABEL)


def _yes_no(value: bool | None, day: date | None) -> str:
    if value is None:
        return "—"
    return ("yes" + (f" {show(day)}" if day else "")) if value else "no"


def _access(card: AgentCard) -> str:
    parts = [card.access or "—"]
    if card.spoc_called:
        parts.append(f"SPOC called {show(card.spoc_called)}")
    if card.incident:
        parts.append(f"incident {card.incident}")
    if card.callback:
        parts.append(f"callback {card.callback}")
    if card.missing:
        parts.append("no " + ", ".join(card.missing) + " yet (/i)")
    return " · ".join(parts)


def card_lines(
    index: int,
    total: int,
    card: AgentCard,
    answers: Sequence[Answer],
    width: int | None = None,
) -> list[str]:
    a = card.agent
    head = f"[{index + 1}/{total}] {a.name} — {a.cls or 'no class'} ({a.sheet}!row {a.row})"
    out = ["", *_fit(head + (f" · SME {card.sme}" if card.sme else ""), width, 2)]
    out += _row("status", card.status, width)
    for line in card.due or ("nothing today",):
        out += _row("due", line, width)
    hours = "—" if card.tbt_hours is None else show(card.tbt_hours)
    done = (
        f"Call Cert {_yes_no(card.call_cert, card.call_cert_date)} · "
        f"TBTs {_yes_no(card.tbts, card.tbts_date)} · TBT Hours {hours}"
    )
    out += _row("done", done, width)
    out += _row("access", _access(card), width)
    for label, lines in (("Notes", card.notes), ("TBT Notes", card.tbt_notes)):
        out += _row(label, lines[0] if lines else "—", width)
        for line in lines[1:]:
            out += _fit(" " * LABEL + line, width, LABEL)
    if card.self_report:
        out += _row("today", card.self_report, width)
    for answer in answers:
        out += _row("typed", answer.label, width)
    return out


def show_card(index: int, total: int, card: AgentCard, answers: Sequence[Answer]) -> None:
    say("\n".join(card_lines(index, total, card, answers, people_width())))


def legend_lines(width: int | None, phrases: int = 9) -> list[str]:
    """The keys in a few words, wrapped between entries (never inside one) to `width`;
    `phrases`: how many saved phrases there are."""
    sep = " · "
    lines: list[str] = []
    line = ""
    for entry in LEGEND:
        if "{last}" in entry:
            if not phrases:
                continue
            entry = entry.replace("1-{last}", "1" if phrases == 1 else f"1-{phrases}")
        wider = f"{line}{sep}{entry}" if line else entry
        if line and width is not None and len(wider) > width:
            lines.append(line + " ·")
            line = entry
        else:
            line = wider
    return [*lines, line]


def help_lines(phrases: Sequence[str], width: int | None) -> list[str]:
    """What `?` shows: every key with what it does, then the saved phrases by number."""
    key_width = max(len(key) for key, _ in HELP) + 2
    out: list[str] = []
    for key, meaning in HELP:
        out += _fit(f"  {key:<{key_width}}{meaning}", width, 2 + key_width)
    out += phrase_lines(phrases, width)
    return out


def phrase_lines(phrases: Sequence[str], width: int | None) -> list[str]:
    if not phrases:
        return ["  No saved phrases ([round] phrases in esp.toml)."]
    out = ["  Saved phrases (type the number):"]
    for n, phrase in enumerate(phrases, 1):
        out += _fit(f"  {n:>3}  {phrase}", width, 7)
    return out


def show_help(phrases: Sequence[str]) -> None:
    say("\n".join(help_lines(phrases, people_width())))


def tell(message: str) -> None:
    """One of the round's remarks (`  + TBT note: ...`), wrapped to the terminal."""
    width = people_width()
    lines: list[str] = []
    for line in message.split("\n"):
        indent = len(line) - len(line.lstrip()) + 2
        lines += _fit(line, width, indent)
    say("\n".join(lines))


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
    say_written(result.write)
    op = result.write.op
    if op is not None and result.write.changes and not result.write.dry_run:
        say(f"One agent's cells only: esp undo {op} --agent NAME.")
    if result.archived is not None and (result.conflicts or result.not_applied):
        say(f"The round's journal is kept in {result.archived}.")
