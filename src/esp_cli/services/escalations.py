"""esp escalations: every agent through the rules in one pass, the day's to-do list, and the
three computed columns (Escalation Stage, Next Action, Next Action Due) written back.

The workbook is read once; each agent is evaluated once; the status list, the to-do list,
the look-ahead and the planned cell writes all come from those evaluations.

Choices made where the issue is silent:

- The to-do list is grouped by action, in the rules' fixed action order (the ladder first),
  and within an action the most overdue come first, so a coordinator works down each group.
- Next Action is the most overdue due action (the ladder first on a tie; "behind target" is
  the stage's business, not an action to take), with "(+N more)" when others are due too;
  with nothing due, the pending ladder step and the date it falls due. Next Action Due is
  left blank when the rules could not evaluate the agent: no rule gives it a date.
- Complete agents get Escalation Stage "Complete" and blank Next Action / Due, so a value
  left from before the agent completed does not linger.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.columns import BY_KEY
from esp_cli.core.model import AgentRef, WriteReport
from esp_cli.core.rules import (
    ACTION_LABELS,
    ACTION_ORDER,
    ActionKind,
    Evaluation,
    evaluate,
    evaluate_all,
    fmt,
    fmt_day,
)
from esp_cli.errors import EspError, UsageError
from esp_cli.results.escalations import AgentStatus, ComputedCells, EscalationsResult, TodoItem
from esp_cli.services.agents import SME_KEY, agents_for, count_agents_once
from esp_cli.services.facts import (
    EARLY_NOTES_KEY,
    FACT_KEYS,
    calendar_from,
    facts_from_row,
    need_rule_columns,
    read_keys,
    rule_findings,
)
from esp_cli.services.replay import rows_as_of
from esp_cli.workbook.session import ChangePlan, write_session
from esp_cli.workbook.tracker import Row, Sheet, Table
from esp_cli.workbook.waiting import Overlay

STAGE_KEY = "escalation_stage"
NEXT_ACTION_KEY = "next_action"
NEXT_DUE_KEY = "next_action_due"
COMPUTED_KEYS = (STAGE_KEY, NEXT_ACTION_KEY, NEXT_DUE_KEY)
# The columns esp escalations reads (identity and class are always read): findings are
# reported for these only.
READ_KEYS = (*FACT_KEYS, "n_number", SME_KEY, *COMPUTED_KEYS)


# -- pure parts --------------------------------------------------------------------------------


def computed_cells(ev: Evaluation) -> ComputedCells:
    """Escalation Stage, Next Action and Next Action Due for one evaluation."""
    if ev.complete:
        return ComputedCells(str(ev.stage), None, None)
    due = [a for a in ev.actions if a.action is not ActionKind.BEHIND_TARGET]
    if due:
        first = min(due, key=lambda a: (-a.business_days_overdue, ACTION_ORDER[a.action]))
        if first.action is ActionKind.NOT_EVALUATED:
            text = f"Check the tracker: {ev.reason}" if ev.reason else ACTION_LABELS[first.action]
            when: date | None = None
        else:
            text, when = ACTION_LABELS[first.action], first.due
        if len(due) > 1:
            text += f" (+{len(due) - 1} more)"
        return ComputedCells(str(ev.stage), text, when, first.action)
    if ev.pending_step is not None and ev.pending_due is not None:
        step = ActionKind(ev.pending_step.value)
        return ComputedCells(str(ev.stage), ACTION_LABELS[step], ev.pending_due, step)
    soon = sorted(
        (a for a in ev.upcoming if a.action is not ActionKind.BEHIND_TARGET),
        key=lambda a: (a.due, ACTION_ORDER[a.action]),
    )
    if soon:
        return ComputedCells(
            str(ev.stage), ACTION_LABELS[soon[0].action], soon[0].due, soon[0].action
        )
    return ComputedCells(str(ev.stage), None, None)


def evaluate_rows(
    rows: Iterable[Row],
    as_of: date,
    now: datetime,
    cal: BusinessCalendar,
    spoc_phone: str,
    waiting: Overlay | None = None,
    read_on: date | None = None,
) -> list[tuple[Row, AgentStatus]]:
    """Every row through the rules once, in the order given (`waiting`: the changes waiting
    beside the tracker counted in the rows, each agent's named on its status; `read_on`:
    today, for `evaluate` and AgentStatus.read_on)."""
    rows = list(rows)
    evaluations = evaluate_all(
        map(facts_from_row, rows), as_of, now, cal, spoc_phone=spoc_phone, read_on=read_on
    )
    # Agents alike share an evaluation (evaluate_all), and so its computed cells.
    cells: dict[int, ComputedCells] = {}
    out = []
    for row, ev in zip(rows, evaluations, strict=True):
        computed = cells.get(id(ev))
        if computed is None:
            computed = cells[id(ev)] = computed_cells(ev)
        ops = tuple(waiting.ops_of(row)) if waiting is not None and waiting.marks else ()
        out.append((row, AgentStatus(row.ref(), ev, computed, as_of, ops, read_on)))
    return out


def _class_key(ref: AgentRef) -> str:
    return ref.cls.casefold()


def todo_lists(statuses: Sequence[AgentStatus]) -> tuple[list[TodoItem], list[TodoItem]]:
    """(due, look-ahead) across all agents, each grouped by action in the rules' order; the
    due ones most overdue first within an action, the look-ahead soonest first."""
    due: list[TodoItem] = []
    ahead: list[TodoItem] = []
    for status in statuses:
        ev = status.evaluation
        # A day replayed: the pending step's line says it was recorded later.
        step = ActionKind(ev.pending_step.value) if ev.pending_step else None
        for a in ev.actions:
            due.append(
                TodoItem(
                    status.agent,
                    a.action,
                    a.due,
                    a.business_days_overdue,
                    a.detail,
                    lookahead=False,
                    waiting=status.waiting,
                    unchecked=tuple(ev.unchecked),
                    recorded_later=ev.recorded_later if a.action is step else None,
                )
            )
        for a in ev.upcoming:
            ahead.append(
                TodoItem(
                    status.agent,
                    a.action,
                    a.due,
                    a.business_days_overdue,
                    a.detail,
                    lookahead=True,
                    waiting=status.waiting,
                    unchecked=tuple(ev.unchecked),
                    recorded_later=ev.recorded_later if a.action is step else None,
                )
            )

    def where(item: TodoItem) -> tuple[str, str, int]:
        return _class_key(item.agent), item.agent.sheet, item.agent.row

    due.sort(key=lambda i: (ACTION_ORDER[i.action], -i.business_days_overdue, i.due, where(i)))
    ahead.sort(key=lambda i: (ACTION_ORDER[i.action], i.due, where(i)))
    return due, ahead


def unchecked_only(
    statuses: Sequence[AgentStatus], listed: Iterable[TodoItem], as_of: date
) -> list[TodoItem]:
    """The day's list's line (ActionKind.UNCHECKED, on `as_of`) for each outstanding agent
    with a rule that could not be checked and nothing `listed`, in sheet order: the JSON and
    CSV name every agent the table names under the list."""
    seen = {(i.agent.sheet, i.agent.row) for i in listed}
    return [
        TodoItem(
            s.agent,
            ActionKind.UNCHECKED,
            as_of,
            0,
            "; ".join(s.evaluation.unchecked),
            lookahead=False,
            waiting=s.waiting,
            unchecked=tuple(s.evaluation.unchecked),
        )
        for s in statuses
        if s.evaluation.unchecked
        and not s.evaluation.complete
        and (s.agent.sheet, s.agent.row) not in seen
    ]


def _same(old: Any, new: Any) -> bool:
    """Is the cell's current value already the one esp would write (blank == None)?"""
    if old is None or old == "":
        return new is None or new == ""
    if isinstance(old, datetime):
        old = old.date()
    return bool(old == new)


def computed_changes(row: Row, cells: ComputedCells) -> Iterator[tuple[Row, str, Any]]:
    """The computed cells of `row` to plan, only those whose value changes, as (row, key,
    new). A cell that held something unreadable is rewritten (its value is not the
    computed one)."""
    for key, new in (
        (STAGE_KEY, cells.stage),
        (NEXT_ACTION_KEY, cells.next_action),
        (NEXT_DUE_KEY, cells.next_action_due),
    ):
        if key in row.unreadable or not _same(row.values.get(key), new):
            yield row, key, new


def plan_computed(plan: ChangePlan, row: Row, cells: ComputedCells) -> None:
    """Plan the three computed cells of `row` (see computed_changes)."""
    plan.set_many(computed_changes(row, cells))


# What the rules and the computed columns read of a row.
RULES_KEYS = (*FACT_KEYS, *COMPUTED_KEYS)


def keep_computed(
    plan: ChangePlan,
    row: Row,
    written: Mapping[str, Any],
    config: Config,
    now: datetime,
    cal: BusinessCalendar,
    *,
    read: Collection[str] = RULES_KEYS,
    only_writable: bool = False,
) -> Evaluation:
    """The rules on `row` as it stands once the cells `written` (key -> value as the rules
    read it) are, with its computed columns (Escalation Stage, Next Action, Next Action
    Due) planned to say it, where the sheet has the three: what esp round and esp
    record-step do after a step, access or a completion, for every command that writes a
    cell the rules read. `read`: the keys the row was read with (the others it needs are
    read now). `only_writable`: a computed cell the write would refuse (a formula the
    team keeps there, a merged cell) is left as it is, not the whole write refused."""
    unread = [k for k in RULES_KEYS if k not in read]
    if unread:
        read_keys(plan.table, [row], unread)
    values = {**row.values, **{k: v for k, v in written.items() if v is not None}}
    for key, value in written.items():
        if value is None:
            values.pop(key, None)
    after = Row(
        row.sheet,
        row.row,
        row.cls,
        dict(row.raw),
        values,
        row.unreadable - set(written),
        row.uncalculated - set(written),
    )
    ev = evaluate(facts_from_row(after), now.date(), now, cal, spoc_phone=config.spoc_phone)
    sheet = plan.table.sheet(row.sheet)
    if all(sheet.col(k) is not None for k in COMPUTED_KEYS):
        need_rule_columns(plan.table, config, sheets=[row.sheet])
        changes = computed_changes(row, computed_cells(ev))
        if only_writable:
            changes = (c for c in changes if _writable(plan, sheet, *c))
        plan.set_many(changes)
    return ev


def _writable(plan: ChangePlan, sheet: Sheet, row: Row, key: str, new: Any) -> bool:
    col = sheet.col(key)
    try:
        if col is not None:
            plan.check(row.sheet, row.row, col, new)
    except EspError:
        return False
    return True


def computed_missing(sheet: Sheet) -> tuple[str, ...]:
    """The headers of the computed columns (Escalation Stage, Next Action, Next Action
    Due) a sheet that has some of them lacks: the three are written together, so none is
    brought up to date there (a column renamed or deleted). Empty when it has all three,
    or none (a tracker that keeps no computed columns)."""
    missing = tuple(BY_KEY[k].header for k in COMPUTED_KEYS if sheet.col(k) is None)
    return () if len(missing) == len(COMPUTED_KEYS) else missing


def partial_computed(table: Table, sheets: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each of `sheets` (those a command kept the computed columns of an agent on) that has
    some of the computed columns but not all, with the headers it lacks (computed_missing):
    nothing was brought up to date there, said as esp record-step says it."""
    return {
        name: missing
        for name in dict.fromkeys(sheets)
        if (missing := computed_missing(table.sheet(name)))
    }


# What follow_computed reads of a row: the rules' columns but Notes, which tells only
# whether a step recorded early is pointed out (Evaluation.early), never a computed cell
# (a Notes column holds the longest texts of the sheet).
FOLLOW_KEYS = tuple(k for k in RULES_KEYS if k != EARLY_NOTES_KEY)
# For write_session, of a command that calls follow_computed: those columns are scanned
# with its own on a sheet that has the computed columns, so the agents it writes need no
# second scan of the sheet (on 50,000 agents, a second of time and 150 MB).
FOLLOW_SCAN = (FOLLOW_KEYS, COMPUTED_KEYS)


def follow_computed(
    plan: ChangePlan,
    row: Row,
    written: Mapping[str, Any],
    config: Config,
    now: datetime,
    cal: BusinessCalendar,
    *,
    read: Collection[str] = RULES_KEYS,
) -> None:
    """keep_computed for a command whose own cells are what it writes, and which keeps the
    sheet's computed columns beside them: nothing is read or worked out for a sheet without
    them (a write of thousands of dates pays no second read of the tracker for columns
    that are not there), and a computed cell the write would refuse (the team's formula)
    is left as it is, never refusing the command's own cells."""
    if all(plan.table.sheet(row.sheet).col(k) is not None for k in COMPUTED_KEYS):
        read = (*read, EARLY_NOTES_KEY)  # FOLLOW_KEYS: Notes changes no computed cell
        keep_computed(plan, row, written, config, now, cal, read=read, only_writable=True)


# -- the command ---------------------------------------------------------------------------------


def with_own_waiting(statuses: list[AgentStatus], report: WriteReport) -> list[AgentStatus]:
    """The statuses with the command's own waiting operation (--write on a busy tracker)
    among the changes waiting in the rows whose computed cells it keeps: the JSON and CSV
    stay the list of agents, each naming the operation its cells wait in."""
    if report.status != "waiting" or report.op is None:
        return statuses
    rows = {(c.sheet, c.row) for c in report.changes}
    return [
        replace(st, waiting=(*st.waiting, report.op))
        if (st.agent.sheet, st.agent.row) in rows and report.op not in st.waiting
        else st
        for st in statuses
    ]


def refuse_past_write(as_of: date, today: date, write_past: bool, dry_run: bool) -> None:
    """Refuse to write the computed columns of a replayed day (UsageError) unless asked for
    with `write_past`: the team reads them as the tracker's state now, and a replay sets
    them back (a step recorded since counts as not delivered yet). A day still to come is
    refused always: its stage is not the tracker's on any day yet (a date typed wrong)."""
    option = "--dry-run" if dry_run else "--write"
    if as_of > today:
        raise UsageError(
            f"{option} with --as-of {fmt(as_of)}, a day still to come, would put that day's "
            f"Escalation Stage, Next Action and Next Action Due in the tracker before it "
            f"comes (today is {fmt_day(today)}).",
            fix=f"leave out --as-of to write today's; to look ahead, leave out {option}: "
            f"esp escalations --as-of {as_of.isoformat()}",
        )
    if as_of == today or write_past:
        return
    raise UsageError(
        f"{option} with --as-of {fmt(as_of)} would put that day's replayed Escalation Stage, "
        f"Next Action and Next Action Due in the tracker, over today's ({fmt_day(today)}).",
        fix="leave out --as-of to write today's, or add --write-past to write that day's "
        "(a sample, a tracker rebuilt for that day).",
    )


def run_escalations(
    tracker_path: Path,
    config: Config,
    as_of: date,
    now: datetime,
    *,
    cls: str | None = None,
    sme: str | None = None,
    write: bool = False,
    dry_run: bool = False,
    write_past: bool = False,
    today: date | None = None,
) -> EscalationsResult:
    """Evaluate every agent (of `cls`, when given) as of `as_of`, the Call Cert timebox at
    `now`; with `write`, put the computed columns in the tracker (not with `dry_run`): for
    an `as_of` before `today` only with `write_past` (refuse_past_write)."""
    if write:
        refuse_past_write(as_of, today or config.today(), write_past, dry_run)
    cal = calendar_from(config)  # a bad [calendar] fails before the workbook is opened
    with write_session(tracker_path, config, keys=READ_KEYS, dry_run=dry_run, write=write) as s:
        chosen = agents_for(s.table, cls, sme, s.counted)
        need_rule_columns(s.table, config, rows=chosen.rows if cls or sme else None)
        # a past day: the access columns as they were then (services.replay)
        rows = chosen.rows
        if not write:
            # An agent on two sheets (a copy of the tab) is one agent: listed once, said.
            # Written, each row gets its own computed columns.
            rows = count_agents_once(
                rows, s.table.path.name, "esp escalations", among=s.table.rows()
            )
        rows = rows_as_of(s.table, config, as_of, rows)
        evaluated = evaluate_rows(
            rows, as_of, now, cal, config.spoc_phone, s.counted, read_on=config.today()
        )
        if write:
            s.plan.set_many(
                cell for row, status in evaluated for cell in computed_changes(row, status.computed)
            )
            s.plan.sort()
    statuses = with_own_waiting([status for _, status in evaluated], s.report)
    todo, ahead = todo_lists(statuses)
    return EscalationsResult(
        as_of=as_of,
        now=now,
        next_business_day=cal.next_business_day(as_of),
        cls=cls,
        statuses=statuses,
        todo=todo,
        lookahead=ahead,
        unchecked_only=unchecked_only(statuses, [*todo, *ahead], as_of),
        findings=rule_findings(s.table),
        write=s.report,
        wrote=write,
        sme=chosen.sme,
        chosen_waiting=chosen.waiting,
        not_a_business_day=cal.why_closed(as_of),
        business_day_before=cal.add(as_of, 0),
    )
