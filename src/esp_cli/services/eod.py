"""esp report eod: the end-of-day TBT Completion report, computed from the tracker.

The workbook is read once; every agent goes through the escalation rules once
(services.escalations) and the self-report check of `esp progress missing`
(services.progress), so the report says what those commands say.

Choices made where the issue is silent:

- Complete means Call Cert Complete? and All TBTs Complete? both read yes; an unreadable
  value is not yes, so such an agent is outstanding, never silently counted as done.
- An agent the rules cannot evaluate (an unreadable ESP Start Date, a completion cell that
  cannot be read) is counted apart (`not_evaluated`), not as an escalation step: the
  reason is a data problem for the team (`problems`: stderr and `esp doctor`), not words
  for leadership's mail.
- The latest note is the newest line across Notes and TBT Notes dated on or before the
  report's day (a TBT Notes line wins a tie of dates: the SMEs write theirs after the
  agents' reports): a report replayed for a past day shows no later note.
- Access issues are as they were at the end of the report's day: a Citrix TBT Access value
  esp changed later is taken from before the change (the operation log).
- Access issues are counted for outstanding agents only (a complete agent's old issue is no
  longer in the way); "No Issues" and blanks are not issues. A value is counted under the
  spelling of esp.toml's [access] values when it matches one (ignoring case, spacing and
  punctuation), else as typed.
- Escalations due are the actions `esp escalations --today` lists as due for the date (not
  the look-ahead), counted by action.
- Not reported: the agents `esp progress missing --date` lists.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.kpi import default_period
from esp_cli.core.model import access_category, class_in_data, class_shown
from esp_cli.core.notes import NoteKind, latest
from esp_cli.core.rules import (
    ActionKind,
    Stage,
    Step,
    done_by,
    recorded_later_words,
    why_missing,
)
from esp_cli.results.eod import (
    ClassSummary,
    DataProblem,
    EodReport,
    NoStartDate,
    OutstandingAgent,
    StartingLater,
)
from esp_cli.results.escalations import AgentStatus
from esp_cli.results.kpi import KpiReport
from esp_cli.services.agents import (
    agents_for,
    class_key,
    class_label,
    count_agents_once,
    scope_words,
)
from esp_cli.services.escalations import (
    READ_KEYS as ESCALATION_KEYS,
)
from esp_cli.services.escalations import evaluate_rows, todo_lists
from esp_cli.services.facts import calendar_from, need_rule_columns
from esp_cli.services.kpi import kpis_of
from esp_cli.services.progress import MISSING_KEYS, missing_in
from esp_cli.services.replay import rows_as_of
from esp_cli.workbook.tracker import Row
from esp_cli.workbook.waiting import read_counting_waiting
from esp_cli.workbook.xlsx.workbook import Workbook

TOTAL = "Total"  # the totals row's class

ACCESS_KEY = "citrix_access"
NOTES = NoteKind.NOTES
TBT_NOTES = NoteKind.TBT
READ_KEYS = (*ESCALATION_KEYS, *MISSING_KEYS, ACCESS_KEY, NOTES.column_key, TBT_NOTES.column_key)


def _pending(status: AgentStatus) -> tuple[str | None, date | None]:
    if not status.evaluation.evaluable:
        return None, None  # the reason goes to the team (problems), not into the report
    return status.computed.next_action, status.computed.next_action_due


def _recorded_later(status: AgentStatus, day: date) -> str | None:
    """A day replayed: when the pending action, a ladder step, was recorded after `day`
    (the words esp round and esp escalations say beside it); None otherwise."""
    ev, next_kind = status.evaluation, status.computed.next_kind
    if ev.recorded_later is None or ev.pending_step is None or not ev.evaluable:
        return None
    if next_kind is not ActionKind(ev.pending_step.value):
        return None  # another action is next: the step's day is not what is said
    return recorded_later_words(ev.recorded_later, day, ev.pending_step)


def _ladder_ended(row: Row, status: AgentStatus) -> date | None:
    """The term review's date when the agent's ladder has ended (every step recorded)."""
    if status.evaluation.stage is not Stage.TERM_REVIEW_RECORDED:
        return None
    day = row.get(Step.TERM_REVIEW.column)
    if isinstance(day, datetime):
        return day.date()
    return day if isinstance(day, date) else None


def _latest_note(row: Row, day: date) -> str | None:
    """The newest line of Notes and TBT Notes dated on or before `day`, as `MM/DD/YYYY -
    Name - Note`."""
    found = []
    for order, kind in enumerate((NOTES, TBT_NOTES)):
        raw = row.raw.get(kind.column_key)
        line = latest(kind, raw if isinstance(raw, str) else None, by=day)
        if line is not None:
            found.append((line.day, order, line))
    if not found:
        return None
    line = max(found, key=lambda t: (t[0], t[1]))[2]
    return f"{line.day:%m/%d/%Y} - {line.author} - {line.text}"


def _done(row: Row, day: date) -> tuple[bool, bool]:
    """Call Cert and all TBTs complete on `day` (a completion dated after it is not yet)."""
    return (
        done_by(row.get("call_cert_complete"), row.get("call_cert_date"), day),
        done_by(row.get("tbts_complete"), row.get("tbt_complete_date"), day),
    )


def eod_report(
    tracker_path: Path,
    config: Config,
    day: date,
    now: datetime,
    *,
    cls: str | None = None,
    sme: str | None = None,
    kpis: bool = False,
) -> EodReport:
    """The report for `day` (for the agents of a class and/or a TBT SME when given), the
    Call Cert timebox measured at `now`; with `kpis`, the leadership KPIs of the 10
    business days up to `day` too (the e-mail's top section)."""
    cal = calendar_from(config)  # a bad [calendar] fails before the workbook is opened
    table, counted = read_counting_waiting(Workbook.open(tracker_path), config, READ_KEYS)
    chosen = agents_for(table, cls, sme, counted)
    need_rule_columns(table, config, rows=chosen.rows if cls or sme else None)
    # An agent on two sheets (a copy of the tab) is one agent: counted once, said.
    once = count_agents_once(chosen.rows, table.path.name, "esp report eod", among=table.rows())
    # Access issues and the SPOC columns as they were at the end of the day (services.replay):
    # the rules and the access tally read the same values.
    rows = rows_as_of(table, config, day, once)
    # An agent who starts after the day is not in certification yet: neither complete nor
    # outstanding (as for the KPIs and the self-reports), listed apart.
    # So is one without a readable ESP Start Date: no clock, no count (the KPIs' rule).
    everyone, rows = rows, []
    later: list[Row] = []
    unknown: list[Row] = []
    starts_after: dict[date, bool] = {}  # by ESP Start Date: a class shares one
    for row in everyone:
        if _no_clock(row):
            unknown.append(row)
            continue
        start = row.get("esp_start")
        assert isinstance(start, date)  # _no_clock: a date
        after = starts_after.get(start)
        if after is None:
            after = starts_after[start] = _starts_after(start, day, cal)
        (later if after else rows).append(row)
    # Agents with both Call Certs and all TBTs complete have nothing due and are only
    # counted: the rules run for the others (on a tracker of past years, a few percent).
    done = [_done(r, day) for r in rows]
    open_rows = [r for r, (cert, tbts) in zip(rows, done, strict=True) if not (cert and tbts)]
    evaluated = {
        (row.sheet, row.row): status
        for row, status in evaluate_rows(
            open_rows,
            day,
            now,
            cal,
            config.spoc_phone,
            counted,
            read_on=config.today(),
        )
    }
    due, _ = todo_lists(list(evaluated.values()))
    missing = missing_in(table, day, open_rows)  # a complete agent has no report to miss
    missing_at = {(m.agent.sheet, m.agent.row) for m in missing.missing}
    due_at: dict[tuple[str, int], list[ActionKind]] = {}
    for item in due:
        due_at.setdefault((item.agent.sheet, item.agent.row), []).append(item.action)

    classes: dict[str, ClassSummary] = {}
    outstanding: list[OutstandingAgent] = []
    problems: list[DataProblem] = []
    for row, (cert, tbts) in zip(rows, done, strict=True):
        where = (row.sheet, row.row)
        key, _ = class_label(row.cls, TOTAL)
        summary = classes.get(key)
        if summary is None:  # made once a class: a summary holds two counters
            summary = classes[key] = ClassSummary(class_in_data(row.cls, TOTAL))
        summary.agents += 1
        summary.call_certs_complete += cert
        summary.tbts_complete += tbts
        summary.fully_complete += cert and tbts
        summary.not_reported += where in missing_at
        for action in due_at.get(where, []):
            if action is not ActionKind.NOT_EVALUATED:
                summary.escalations_due[action.value] += 1
        if cert and tbts:
            continue
        status = evaluated[where]
        if not status.evaluation.evaluable:
            summary.not_evaluated += 1
            reason = status.evaluation.reason or "a cell the rules need cannot be read"
            problems.append(
                DataProblem(status.agent.name, status.agent.cls, row.sheet, row.row, reason)
            )
        issue = access_category(row.get(ACCESS_KEY), config.access_values)
        if issue is not None:
            summary.access_issues[issue] += 1
        pending, when = _pending(status)
        outstanding.append(
            OutstandingAgent(
                name=status.agent.name,
                cls=status.agent.cls,
                sheet=row.sheet,
                row=row.row,
                call_cert_complete=cert,
                tbts_complete=tbts,
                stage=status.evaluation.stage.value,
                pending_action=pending,
                pending_due=when,
                access_issue=issue,
                reported=where not in missing_at,
                latest_note=_latest_note(row, day),
                evaluated=status.evaluation.evaluable,
                ladder_ended=_ladder_ended(row, status),
                conflicts=status.evaluation.conflicts,
                recorded_later=_recorded_later(status, day),
            )
        )
    # Those without a clock are for the team to fix as any agent the rules cannot evaluate.
    for row, status in evaluate_rows(
        unknown, day, now, cal, config.spoc_phone, counted, read_on=config.today()
    ):
        # A complete agent is evaluable without a clock: its reason is the cell's.
        reason = status.evaluation.reason or (
            f"ESP Start Date {why_missing('esp_start', row.unreadable, row.uncalculated)}"
        )
        problems.append(
            DataProblem(status.agent.name, status.agent.cls, row.sheet, row.row, reason)
        )

    ordered = sorted(classes.values(), key=lambda c: class_key(c.cls))
    totals = ClassSummary(TOTAL)
    for summary in ordered:
        totals.add(summary)
    outstanding.sort(key=lambda a: (class_key(a.cls), a.sheet, a.row))
    scope = scope_words(None if cls is None else class_shown(cls), chosen.sme)
    waiting = chosen.counted_in(counted, everyone)
    kpi = None
    if kpis:
        # The 10 business days up to the report's date, as of that date, as esp report kpi
        # --to reads them (its access columns too): the section counts what the report
        # counts. On a weekend or holiday the trend's last business day is the one before,
        # and a completion dated that day counts on the next business day (docs/rules.md).
        start, end = default_period(cal, day)
        figures = kpis_of(table, everyone, config, cal, start, end)
        kpi = KpiReport.of(table.path, figures, [], scope, waiting)
    return EodReport(
        tracker=table.path,
        day=day,
        classes=ordered,
        totals=totals,
        outstanding=outstanding,
        not_reported=[(m.agent.name, m.agent.cls) for m in missing.missing],
        findings=list(table.findings),
        problems=problems,
        scope=scope,
        kpi=kpi,
        waiting=waiting,
        starting_later=[_starting_later(r) for r in later],
        no_start_date=[NoStartDate(r.ref().name, r.ref().cls, r.sheet, r.row) for r in unknown],
        not_a_business_day=cal.why_closed(day),
        business_day_before=cal.add(day, 0) if cal.why_closed(day) else None,
    )


def _no_clock(row: Row) -> bool:
    return "esp_start" in row.unreadable or not isinstance(row.get("esp_start"), date)


def _starts_after(start: date, day: date, cal: BusinessCalendar) -> bool:
    """Whether a clock of this ESP Start Date starts after `day` (the first business day
    on or after it, as the KPIs count it)."""
    if isinstance(start, datetime):
        start = start.date()
    if start > day:
        return True
    # On or before the day: later only when it is a day off whose clock starts after it.
    return not cal.is_business_day(start) and cal.first_business_day_on_or_after(start) > day


def _starting_later(row: Row) -> StartingLater:
    ref = row.ref()
    start = row.get("esp_start")
    assert isinstance(start, date)
    day = start.date() if isinstance(start, datetime) else start
    return StartingLater(ref.name, ref.cls, row.sheet, row.row, day)
