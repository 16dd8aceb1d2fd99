"""How esp round shows each agent (stderr, for the person typing) and what the round wrote."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from esp_cli.core.answers import HELP, LEGEND, Answer
from esp_cli.core.model import NO_ISSUES, class_aside, is_issue
from esp_cli.errors import printable
from esp_cli.render import Format, busy, hanging, say, show, style, write_csv, write_json
from esp_cli.render.changes import (
    CHANGE_COLUMNS,
    change_rows,
    print_changes,
    say_computed_missing,
    say_written,
)
from esp_cli.results.round import AgentCard, RoundResult

LABEL = 13  # "  TBT Notes: ": the values of a card start in this column
Line = tuple[str, "str | None"]  # a line of text and what it is (render.style), if anything


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


def _row(label: str, value: str, width: int | None, mark: str | None = None) -> list[Line]:
    """`label: value`, the value wrapped at words under itself."""
    return [(line, mark) for line in hanging(f"  {label + ':':<10} {value}", width, LABEL - 2)]


def _yes_no(value: bool | str | None, day: date | None, as_of: date | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):  # as typed: neither yes nor no
        return f"{value!r} (cannot be read: Yes or No)"
    if value and day and as_of and day > as_of:
        return f"yes {show(day)}, after {as_of:%a %m/%d}: not yet then"
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


def _due_mark(days: int | None) -> str | None:
    """Overdue in red, due today in yellow; behind target (no days) in its own colour."""
    return style.BEHIND if days is None else style.overdue_style(days)


def card_rows(
    index: int,
    total: int,
    card: AgentCard,
    answers: Sequence[Answer],
    width: int | None = None,
) -> list[Line]:
    """The card's lines, each with what it is (for colour on a terminal)."""
    a = card.agent
    head = f"[{index + 1}/{total}] {a.name} — {class_aside(a.cls)} ({a.sheet}!row {a.row})"
    head += f" · SME {card.sme}" if card.sme else ""
    out: list[Line] = [("", None)]
    out += [(line, style.HEADER) for line in hanging(head, width, 2)]
    days = [d for d in card.due_days if d is not None]
    out += _row("status", card.status, width, style.overdue_style(max(days)) if days else None)
    for i, line in enumerate(card.due):
        out += _row("due", line, width, _due_mark(card.due_days[i]) if card.due_days else None)
    if not card.due:
        out += _row("due", "nothing today", width)
    hours = "—" if card.tbt_hours is None else show(card.tbt_hours)
    done = (
        f"Call Cert {_yes_no(card.call_cert, card.call_cert_date, card.day)} · "
        f"TBTs {_yes_no(card.tbts, card.tbts_date, card.day)} · TBT Hours {hours}"
    )
    out += _row("done", done, width)
    issue = card.access is not None and not is_issue(card.access, NO_ISSUES)
    out += _row("access", _access(card), width, style.BEHIND if issue else None)
    for label, lines in (("Notes", card.notes), ("TBT Notes", card.tbt_notes)):
        out += _row(label, lines[0] if lines else "—", width)
        for line in lines[1:]:
            out += [(text, None) for text in hanging(" " * LABEL + line, width)]
    if card.self_report:
        out += _row("today", card.self_report, width)
    for answer in answers:
        out += _row("typed", answer.label, width, style.DONE)
    return out


def card_lines(
    index: int,
    total: int,
    card: AgentCard,
    answers: Sequence[Answer],
    width: int | None = None,
) -> list[str]:
    return [text for text, _ in card_rows(index, total, card, answers, width)]


def _write(lines: Sequence[Line]) -> None:
    """Lines for the person on standard error, in colour where it shows; what came from a
    cell is written out, never sent to the terminal as a control character."""
    busy.pause()
    on = style.enabled(sys.stderr)
    out = []
    for text, mark in lines:
        text = printable(text)
        if on and mark:
            # A card's row keeps its label plain; a heading is painted whole.
            cut = LABEL if text.startswith("  ") and mark is not style.HEADER else 0
            text = text[:cut] + style.paint(text[cut:], mark)
        out.append(text)
    sys.stderr.write("\n".join(out) + "\n")


def show_card(index: int, total: int, card: AgentCard, answers: Sequence[Answer]) -> None:
    _write(card_rows(index, total, card, answers, people_width()))


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
        out += hanging(f"  {key:<{key_width}}{meaning}", width, key_width)
    out += phrase_lines(phrases, width)
    return out


def phrase_lines(phrases: Sequence[str], width: int | None) -> list[str]:
    if not phrases:
        return ["  No saved phrases ([round] phrases in esp.toml)."]
    out = ["  Saved phrases (type the number):"]
    for n, phrase in enumerate(phrases, 1):
        out += hanging(f"  {n:>3}  {phrase}", width, 5)
    return out


def show_help(phrases: Sequence[str]) -> None:
    say("\n".join(help_lines(phrases, people_width())))


def tell(message: str) -> None:
    """One of the round's remarks (`  + TBT note: ...`), wrapped to the terminal."""
    width = people_width()
    say("\n".join(part for line in message.split("\n") for part in hanging(line, width, 2)))


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
        limit=None,  # the round's answers are confirmed from this table: every one shown
    )
    say_problems(result)


def render_result(result: RoundResult, fmt: Format, *, summary_shown: bool) -> None:
    """The command's data (stdout) and its last words (stderr)."""
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv(change_rows(result.write), CHANGE_COLUMNS)
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
    if result.computed_missing:
        say_computed_missing(result.computed_missing)
    say_written(write, fmt=fmt)
    if write.op is not None and write.changes and not write.dry_run:
        say(f"One agent's cells only: esp undo {write.op} --agent NAME.")
    if result.conflicts or result.not_applied:
        say(
            "The answers of those agents wait on beside the tracker: esp apply "
            "--skip-conflicts writes the rest of them, esp pending drop OP discards them."
        )
