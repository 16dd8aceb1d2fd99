"""esp escalations: the outstanding agents, the day's to-do list, the computed cells written."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from esp_cli.core.model import AgentRef, class_shown
from esp_cli.core.rules import (
    ACTION_ORDER,
    TARGET_CLOCK_DAY,
    ActionKind,
    Stage,
    Step,
    fmt_day,
    recorded_later_words,
)
from esp_cli.core.words import (
    LADDER_RANK,
    action_words,
    overdue_words,
    plural,
    status_words,
    step_words,
)
from esp_cli.render import (
    Format,
    Styled,
    early_step_lines,
    ladder_date_lines,
    plain,
    print_table,
    say,
    say_findings,
    scope_note,
    show,
    style,
    write_csv,
    write_json,
    write_lines,
)
from esp_cli.render.changes import (
    CHANGE_COLUMNS,
    change_rows,
    changed_verb,
    print_changes,
    say_written,
)
from esp_cli.render.style import overdue_style
from esp_cli.results.escalations import AgentStatus, EscalationsResult, TodoItem

RECORDED_LATER_COLUMNS = ("recorded_later_step", "recorded_later_date")

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
    # Last, so that the columns before keep their places: the agent's rules that could not
    # be checked, and why ("; " between them); a day replayed, the step of the line
    # recorded on a day after it (or a step after it), and that day.
    "unchecked",
    *RECORDED_LATER_COLUMNS,
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
    "unchecked",  # last, as in TODO_COLUMNS
    *RECORDED_LATER_COLUMNS,
]


# Columns a narrow window leaves out (first named first) rather than cut a date or a name.
TODO_OPTIONAL = ("Class", "Row")
URGENT_OPTIONAL = ("Row", "Due", "Class")


STATUS_OPTIONAL = ("Next step if recorded today", "Status", "Pending step", "Row", "Class")


_TOKEN = re.compile(r"[()]|[^\s()]+")
_UNITS = frozenset({"h", "hour", "hours", "day", "days", "business", "min", "%"})


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
    # A unit stays with its number: "… 37.7 h (limit 4 h)" keeps "37.7 h" in the row.
    while tail and head < shortest - tail and words[0][-tail] in _UNITS:
        tail -= 1
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


def render(
    result: EscalationsResult,
    fmt: Format,
    today: bool,
    *,
    group: str = "agent",
    verbose: bool = False,
) -> None:
    say_findings(
        result.findings,
        verbose,
        ladder=[
            ladder_date_lines(s.agent.name, s.agent.sheet, s.agent.row, s.evaluation.conflicts)
            for s in result.statuses
        ],
        early=[
            early_step_lines(s.agent.name, s.agent.sheet, s.agent.row, s.evaluation.early)
            for s in result.statuses
        ],
    )
    if result.not_a_business_day and result.business_day_before is not None:
        before = result.business_day_before
        again = "esp escalations --today" if today else "esp escalations"
        say(
            f"warning: {result.as_of:%a %m/%d/%Y} is not a business day "
            f"({result.not_a_business_day}): what fell due on {before:%A} still reads as due "
            f"today. For {before:%A}'s list: {again} --as-of {before.isoformat()}"
        )
    if result.wrote and fmt is not Format.table:
        # A write's data is its cells, as every writing command's: the JSON holds the list
        # too; the CSV is the cells.
        if fmt is Format.json:
            write_json(result.written(today))
        else:
            write_csv(change_rows(result.write), CHANGE_COLUMNS)
    elif today:
        _render_todo(result, fmt, group)
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


def headline(text: str) -> None:
    """The headline above a table: on standard output with it, in bold on a terminal."""
    write_lines(text, style.HEADER)


def _render_todo(result: EscalationsResult, fmt: Format, group: str) -> None:
    items = result.listed
    if fmt is Format.json:
        write_json(items)
        return
    if fmt is Format.csv:
        write_csv([{**plain(i), "unchecked": "; ".join(i.unchecked)} for i in items], TODO_COLUMNS)
        return
    if group == "step":
        _render_by_step(result)
    else:
        _render_by_agent(result)
    _say_recorded_later(result, today=True)
    _say_unchecked(result)


def _say_recorded_later(result: EscalationsResult, today: bool) -> None:
    """Under the table, a day replayed: each agent listed whose pending ladder step (or one
    after it) is recorded on a later day, as esp round's card for that day says it: due
    then, delivered later. With `today`, the agents whose step is on the day's list or
    falls due next."""
    many = _many_sheets(result)
    if today:
        shown = [(i.agent, i.action, i.due, i.recorded_later) for i in result.listed]
    else:
        shown = [
            (s.agent, ActionKind(ev.pending_step.value), ev.pending_due, ev.recorded_later)
            for s in result.outstanding
            if (ev := s.evaluation).pending_step is not None and ev.pending_due is not None
        ]
    for agent, action, due, later in shown:
        if later is None:
            continue
        words = recorded_later_words(later, result.as_of, Step(action.value))
        write_lines(
            f"{agent.name} (row {_where(agent, many)}): {action_words(action, capital=True)} "
            f"due {show(due)} ({words})."
        )


def _say_unchecked(result: EscalationsResult) -> None:
    """Under the table: each outstanding agent with a rule that could not be checked (a
    timebox whose Complete? cell cannot be read, ...), and why."""
    many = _many_sheets(result)
    for s in result.unchecked:
        where = f"row {_where(s.agent, many)}"
        write_lines(f"Unchecked: {s.agent.name} ({where}): {'; '.join(s.evaluation.unchecked)}.")


@dataclass(frozen=True, slots=True)
class Urgent:
    """One agent's line of the day's list: what to do first, how late it is, what else."""

    agent: AgentRef
    first: TodoItem
    others: tuple[TodoItem, ...]

    @property
    def overdue(self) -> int:
        return self.first.business_days_overdue

    @property
    def kind(self) -> str:
        """ "late", "today", "behind" (behind the target, nothing else due) or "check" (the
        rules could not evaluate the agent)."""
        action = self.first.action
        if action is ActionKind.BEHIND_TARGET:
            return "behind"
        if action is ActionKind.NOT_EVALUATED:
            return "check"
        return "late" if self.overdue > 0 else "today"

    @property
    def key(self) -> tuple[Any, ...]:
        """Something to do before being behind or to check; then the most overdue first;
        then the one furthest up the ladder; then the rules' order."""
        a = self.first
        return (
            self.kind in ("behind", "check"),
            -a.business_days_overdue,
            -LADDER_RANK.get(a.action, 0),
            ACTION_ORDER[a.action],
            self.agent.cls.casefold(),
            self.agent.sheet,
            self.agent.row,
        )


def by_urgency(todo: Sequence[TodoItem]) -> list[Urgent]:
    """Each agent with something due, once, the most urgent first (Urgent.key). An agent's
    first thing to do is their most overdue action (the one furthest up the ladder on a
    tie); behind target counts only when nothing else is due (it is why the ladder's steps
    are due)."""
    mine: dict[tuple[str, int], list[TodoItem]] = {}
    for item in todo:
        mine.setdefault((item.agent.sheet, item.agent.row), []).append(item)
    out = []
    for items in mine.values():
        doing = [i for i in items if i.action is not ActionKind.BEHIND_TARGET] or items
        doing.sort(
            key=lambda i: (
                i.action is ActionKind.NOT_EVALUATED,
                -i.business_days_overdue,
                -LADDER_RANK.get(i.action, 0),
                ACTION_ORDER[i.action],
            )
        )
        out.append(Urgent(doing[0].agent, doing[0], tuple(doing[1:])))
    out.sort(key=lambda u: u.key)
    return out


# Access and SPOC actions are marked (an access issue keeps an agent from the TBTs).
_ACCESS = {ActionKind.CALL_SPOC, ActionKind.ADVISE_SPOC, ActionKind.CALLBACK_PHONE}

# The To do column's words, kept short so a line fits 80 columns.
_SHORT = {
    ActionKind.ADVISE_SPOC: "Advise to call SPOC",
    ActionKind.CALLBACK_PHONE: "Get callback phone",
    ActionKind.BEHIND_TARGET: f"Behind {TARGET_CLOCK_DAY}-day target",
    ActionKind.NOT_EVALUATED: "Check the tracker",
}


def _todo_style(action: ActionKind) -> str | None:
    if action is ActionKind.TERM_REVIEW:
        return style.OVERDUE
    if action in _ACCESS or action is ActionKind.BEHIND_TARGET:
        return style.BEHIND
    return None


def _when(item: TodoItem) -> Styled:
    days = item.business_days_overdue
    if item.action is ActionKind.BEHIND_TARGET:
        text = "newly behind" if days == 0 else f"behind {plural(days, 'day')}"
        return Styled(text, style.BEHIND)
    if item.action is ActionKind.NOT_EVALUATED:
        return Styled("not evaluated", style.TODAY)
    return Styled(overdue_words(days), overdue_style(days))


def _counted(kinds: Counter[ActionKind]) -> str:
    """ "1 term review, 4 final CAPs, 6 documented coachings" in the rules' order."""
    return ", ".join(
        plural(kinds[k], action_words(k), action_words(k) + "s")
        for k in ActionKind
        if kinds[k] and k is not ActionKind.BEHIND_TARGET
    )


def _render_by_agent(result: EscalationsResult) -> None:
    agents = by_urgency(result.todo)
    many = _many_sheets(result)
    kinds = Counter(u.kind for u in agents)
    said = [
        f"{kinds['late']} overdue",
        f"{kinds['today']} due today",
        *(
            [f"{kinds['behind']} behind the {TARGET_CLOCK_DAY}-day target"]
            if kinds["behind"]
            else []
        ),
        *([f"{kinds['check']} not evaluated"] if kinds["check"] else []),
    ]
    headline(
        f"As of {fmt_day(result.as_of)}{_class_note(result)}: "
        + (
            f"{plural(len(agents), 'agent')} with something due: {', '.join(said)}."
            if agents
            else "nothing is due."
        )
    )
    steps = Counter(i.action for i in result.todo if i.action in LADDER_RANK)
    termed = [
        u.agent.name
        for u in agents
        if any(i.action is ActionKind.TERM_REVIEW for i in (u.first, *u.others))
    ]
    if steps:
        line = f"Ladder steps due: {_counted(steps)}."
        if termed:
            line += f" May be termed: {', '.join(termed)}."
        write_lines(line)
    if agents:
        print_table(
            "Most urgent first",
            ["Agent", "Class", "Row", "Due", "When", "To do"],
            [
                (
                    _name(u.agent, u.first.waiting),
                    class_shown(u.agent.cls),
                    _where(u.agent, many),
                    u.first.due,
                    _when(u.first),
                    Styled(_to_do(u), _todo_style(u.first.action)),
                )
                for u in agents
            ],
            optional=URGENT_OPTIONAL,
            one_line=True,
        )
        if any(u.others for u in agents):
            write_lines(
                "+N: that many more things due for the agent (--group step lists every "
                "one; esp explain AGENT says why)."
            )
    ahead = Counter(i.action for i in result.lookahead)
    falling = sum(1 for i in result.lookahead if i.action is ActionKind.BEHIND_TARGET)
    parts = [p for p in (_counted(ahead),) if p]
    if falling:
        parts.append(f"{plural(falling, 'agent')} behind the {TARGET_CLOCK_DAY}-day target")
    write_lines(
        f"Next business day, {fmt_day(result.next_business_day)}: "
        + ("; ".join(parts) + " (--group step lists them)." if parts else NOTHING_FALLS_DUE)
    )


# The look-ahead with nothing in it, in the plain list and --group step alike.
NOTHING_FALLS_DUE = "nothing falls due."


def _to_do(u: Urgent) -> str:
    """ "Written CAP +2": the first thing to do, and how many others."""
    action = u.first.action
    text = _SHORT.get(action) or action_words(action, capital=True)
    return text + (f" +{len(u.others)}" if u.others else "")


def _render_by_step(result: EscalationsResult) -> None:
    many = _many_sheets(result)
    agents = len({(i.agent.sheet, i.agent.row) for i in result.todo})
    headline(
        f"As of {fmt_day(result.as_of)}: {plural(len(result.todo), 'action')} due for "
        f"{plural(agents, 'agent')}{_class_note(result)}."
    )
    if not result.todo:
        print_table("Due", [], [], empty="nothing is due")
    for action, group in groupby(result.todo, key=lambda i: i.action):
        rows = list(group)
        # What every row's detail says alike goes in the title once; the rows keep the rest.
        said, details = shared_part([i.detail for i in rows])
        with_detail = any(details)
        if said and all(d == show(i.due) for d, i in zip(details, rows, strict=True)):
            # "not complete within the 2-day target (11/18/2026)": the date is Due's.
            said, with_detail = said.replace(" (…)", ""), False
        print_table(
            f"{action_words(action, capital=True)}: {len(rows)}" + (f" — {said}" if said else ""),
            ["Agent", "Class", "Row", "Due", "Overdue", *(["Detail"] if with_detail else [])],
            [
                (
                    _name(i.agent, i.waiting),
                    class_shown(i.agent.cls),
                    _where(i.agent, many),
                    i.due,
                    _when(i),
                    *([detail] if with_detail else []),
                )
                for i, detail in zip(rows, details, strict=True)
            ],
            optional=TODO_OPTIONAL,
        )
    if not result.lookahead:
        write_lines(f"Next business day, {fmt_day(result.next_business_day)}: {NOTHING_FALLS_DUE}")
        return
    print_table(
        f"Falling due next business day, {fmt_day(result.next_business_day)}: "
        f"{len(result.lookahead)}",
        ["To do", "Agent", "Class", "Row", "Due", "Detail"],
        [
            (
                action_words(i.action, capital=True),
                _name(i.agent, i.waiting),
                class_shown(i.agent.cls),
                _where(i.agent, many),
                i.due,
                i.detail,
            )
            for i in result.lookahead
        ],
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
            {
                **plain(s),
                "actions": "; ".join(a.action for a in s.actions),
                "unchecked": "; ".join(s.unchecked),
            }
            for s in outstanding
        ]
        write_csv(rows, STATUS_COLUMNS)
        return
    counts = Counter(s.evaluation.stage for s in outstanding)
    summary = ", ".join(f"{counts[stage]} {stage.value}" for stage in Stage if counts[stage])
    complete = len(result.statuses) - len(outstanding)
    headline(
        f"As of {fmt_day(result.as_of)}{_class_note(result)}: "
        f"{plural(len(outstanding), 'outstanding agent')} ({summary or 'none'}); "
        f"{complete} complete."
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
    _say_recorded_later(result, today=False)
    _say_unchecked(result)


_STATUS_STYLES = {"behind_target": style.BEHIND, "not_evaluated": style.TODAY}


def _status_row(s: AgentStatus, many: bool) -> Sequence[Any]:
    ev = s.evaluation
    projected = ev.next_step_if_recorded_today
    days = ev.business_days_overdue
    return (
        _name(s.agent, s.waiting),
        class_shown(s.agent.cls),
        _where(s.agent, many),
        Styled(status_words(s.status), _STATUS_STYLES.get(s.status)),
        ev.stage.value,
        step_words(ev.pending_step)
        if ev.pending_step
        else (ev.reason if not ev.evaluable else None),
        ev.pending_due,
        Styled(overdue_words(days), overdue_style(days)) if days is not None else None,
        f"{step_words(projected.step)}: {show(projected.due)}" if projected else None,
    )


def _render_write(result: EscalationsResult, fmt: Format) -> None:
    if not result.wrote:
        return
    write = result.write
    changes = write.changes
    verb = changed_verb(write)
    if fmt is Format.table:
        print_changes(f"{verb} {len(changes)} cell(s)", changes, with_agent=True)
    say_written(write, "is already up to date", fmt=fmt)


def _where(agent: AgentRef, many_sheets: bool) -> str:
    """The row number; with the sheet when the tracker has one sheet per class."""
    return f"{agent.sheet}!{agent.row}" if many_sheets else str(agent.row)


def _many_sheets(result: EscalationsResult) -> bool:
    return len({s.agent.sheet for s in result.statuses}) > 1


def _class_note(result: EscalationsResult) -> str:
    return scope_note(result.cls, result.sme)
