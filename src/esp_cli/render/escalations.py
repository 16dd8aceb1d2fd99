"""esp escalations: the outstanding agents, the day's to-do list, the computed cells written."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import groupby
from typing import Any

from esp_cli.core.model import AgentRef, CellChange
from esp_cli.core.rules import ACTION_LABELS, Stage, fmt_day
from esp_cli.render import Format, plain, print_table, say, scope_note, show, write_csv, write_json
from esp_cli.render.changes import changed_verb, say_written
from esp_cli.results.escalations import AgentStatus, EscalationsResult

# A people's table of cell changes stops here; json/csv and --dry-run on stderr list all.
MAX_CHANGES_SHOWN = 200


TODO_COLUMNS = [
    "agent",
    "class",
    "sheet",
    "row",
    "action",
    "due",
    "business_days_overdue",
    "lookahead",
    "detail",
    "agent_id",
]


STATUS_COLUMNS = [
    "agent",
    "class",
    "sheet",
    "row",
    "status",
    "stage",
    "pending_step",
    "pending_due",
    "business_days_overdue",
    "next_step",
    "next_step_due_if_recorded_today",
    "next_action",
    "next_action_due",
    "actions",
    "not_evaluated_reason",
    "agent_id",
]


# Columns a narrow window leaves out (first named first) rather than cut a date or a name.
TODO_OPTIONAL = ("Class", "Row")


STATUS_OPTIONAL = ("Next step if recorded today", "Status", "Pending step", "Row", "Class")


_TOKEN = re.compile(r"[()]|[^\s()]+")


def shared_part(details: Sequence[str]) -> tuple[str | None, list[str]]:
    """What several rows' details say alike, and what each says of its own.

    ["deliver the written CAP (the business day after the coaching recorded 11/19/2026)",
    "... recorded 11/23/2026)"] -> ("deliver the written CAP (the business day after the
    coaching recorded …)", ["11/19/2026", "11/23/2026"]). Identical details -> (the detail,
    ["", ...]). Fewer than two rows, or nothing alike at either end -> (None, details)."""
    if len(details) < 2:
        return None, list(details)
    spans = [[m.span() for m in _TOKEN.finditer(d)] for d in details]
    words = [[d[a:b] for a, b in sp] for d, sp in zip(details, spans, strict=True)]
    shortest = min(map(len, words))
    head = 0
    while head < shortest and all(w[head] == words[0][head] for w in words):
        head += 1
    tail = 0
    while tail < shortest - head and all(w[-1 - tail] == words[0][-1 - tail] for w in words):
        tail += 1
    if head == 0 and tail == 0:
        return None, list(details)
    first, first_spans = details[0], spans[0]
    if head == shortest and all(len(w) == shortest for w in words):
        return first, [""] * len(details)
    before = first[: first_spans[head - 1][1]] if head else ""
    after = first[first_spans[len(first_spans) - tail][0] :] if tail else ""
    own = [
        d[sp[head][0] : sp[len(sp) - tail - 1][1]] if len(sp) > head + tail else ""
        for d, sp in zip(details, spans, strict=True)
    ]
    joiner_before = "" if before.endswith("(") or not before else " "
    joiner_after = "" if after.startswith(")") or not after else " "
    return f"{before}{joiner_before}…{joiner_after}{after}".strip(), own


def render(result: EscalationsResult, fmt: Format, today: bool) -> None:
    for finding in result.findings:
        say(f"warning: {finding}")
    if today:
        _render_todo(result, fmt)
    else:
        _render_status(result, fmt)
    if result.waiting:
        say(
            f"Counted with {len(result.waiting)} change(s) waiting beside the tracker, not yet "
            "in the workbook (agents marked *; esp pending lists them)."
        )
    _render_write(result, fmt)


def _name(agent: AgentRef, waiting: Sequence[str]) -> str:
    """The agent's name, marked * when changes waiting beside the tracker are counted."""
    return f"{agent.name} *" if waiting else agent.name


def _render_todo(result: EscalationsResult, fmt: Format) -> None:
    items = [*result.todo, *result.lookahead]
    if fmt is Format.json:
        write_json(items)
        return
    if fmt is Format.csv:
        write_csv(items, TODO_COLUMNS)
        return
    many = _many_sheets(result)
    agents = len({(i.agent.sheet, i.agent.row) for i in result.todo})
    say(
        f"As of {fmt_day(result.as_of)}: {len(result.todo)} action(s) due for {agents} "
        f"agent(s){_class_note(result)}."
    )
    if not result.todo:
        print_table("Due", [], [], empty="nothing is due")
    for action, group in groupby(result.todo, key=lambda i: i.action):
        rows = list(group)
        # What every row's detail says goes in the title once; the rows keep the rest.
        said, details = shared_part([i.detail for i in rows])
        with_detail = any(details)
        if said and all(d == show(i.due) for d, i in zip(details, rows, strict=True)):
            # "not complete by clock day 2 (11/18/2026)": the date is the Due column's.
            said, with_detail = said.replace(" (…)", ""), False
        print_table(
            f"{ACTION_LABELS[action]} ({action.value}): {len(rows)}"
            + (f" — {said}" if said else ""),
            ["Agent", "Class", "Row", "Due", "Overdue", *(["Detail"] if with_detail else [])],
            [
                (
                    _name(i.agent, i.waiting),
                    i.agent.cls,
                    _where(i.agent, many),
                    i.due,
                    _overdue(i.business_days_overdue),
                    *([detail] if with_detail else []),
                )
                for i, detail in zip(rows, details, strict=True)
            ],
            optional=TODO_OPTIONAL,
        )
    print_table(
        f"Falling due next business day, {fmt_day(result.next_business_day)}: "
        f"{len(result.lookahead)}",
        ["Action", "Agent", "Class", "Row", "Due", "Detail"],
        [
            (
                i.action.value,
                _name(i.agent, i.waiting),
                i.agent.cls,
                _where(i.agent, many),
                i.due,
                i.detail,
            )
            for i in result.lookahead
        ],
        empty="nothing",
        optional=TODO_OPTIONAL,
    )


def _render_status(result: EscalationsResult, fmt: Format) -> None:
    outstanding = result.outstanding
    if fmt is Format.json:
        write_json(outstanding)
        return
    if fmt is Format.csv:
        # A cell of a spreadsheet holds the actions' names, not their objects.
        rows = [
            {**plain(s), "actions": "; ".join(a.action for a in s.actions)} for s in outstanding
        ]
        write_csv(rows, STATUS_COLUMNS)
        return
    counts = Counter(s.evaluation.stage for s in outstanding)
    summary = ", ".join(f"{counts[stage]} {stage.value}" for stage in Stage if counts[stage])
    complete = len(result.statuses) - len(outstanding)
    say(
        f"As of {fmt_day(result.as_of)}{_class_note(result)}: {len(outstanding)} outstanding "
        f"agent(s) ({summary or 'none'}); {complete} complete."
    )
    many = _many_sheets(result)
    print_table(
        f"Outstanding agents: {len(outstanding)}",
        [
            "Agent",
            "Class",
            "Row",
            "Status",
            "Stage",
            "Pending step",
            "Due",
            "Overdue",
            "Next step if recorded today",
        ],
        [_status_row(s, many) for s in outstanding],
        empty="every agent is complete",
        optional=STATUS_OPTIONAL,
    )


def _status_row(s: AgentStatus, many: bool) -> Sequence[Any]:
    ev = s.evaluation
    projected = ev.next_step_if_recorded_today
    return (
        _name(s.agent, s.waiting),
        s.agent.cls,
        _where(s.agent, many),
        s.status.replace("_", " "),
        ev.stage.value,
        ev.pending_step.label if ev.pending_step else (ev.reason if not ev.evaluable else None),
        ev.pending_due,
        _overdue(ev.business_days_overdue) if ev.business_days_overdue is not None else None,
        f"{projected.step.label}: {show(projected.due)}" if projected else None,
    )


def _render_write(result: EscalationsResult, fmt: Format) -> None:
    if not result.wrote:
        return
    write = result.write
    changes = write.changes
    verb = changed_verb(write)
    if fmt is Format.table:
        shown = changes[:MAX_CHANGES_SHOWN]
        more = len(changes) - len(shown)
        print_table(
            f"{verb} {len(changes)} cell(s)" + (f" (first {len(shown)} shown)" if more else ""),
            ["Cell", "Agent", "Column", "Before → After"],
            [(f"{c.sheet}!{c.cell}", c.agent, c.column, _before_after(c)) for c in shown],
            empty="nothing to change",
        )
    elif write.dry_run:
        for c in changes:
            say(f"would change {c.address} ({c.agent}, {c.column}): {_before_after(c)}")
    say_written(write, "is already up to date")


def _before_after(change: CellChange) -> str:
    return f"{show(change.old)} → {show(change.new)}"


def _where(agent: AgentRef, many_sheets: bool) -> str:
    """The row number; with the sheet when the tracker has one sheet per class."""
    return f"{agent.sheet}!{agent.row}" if many_sheets else str(agent.row)


def _many_sheets(result: EscalationsResult) -> bool:
    return len({s.agent.sheet for s in result.statuses}) > 1


def _overdue(days: int) -> str:
    if days < 0:
        return f"in {-days}"
    return str(days)


def _class_note(result: EscalationsResult) -> str:
    return scope_note(result.cls, result.sme)
