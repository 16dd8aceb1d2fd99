"""Every agent's escalation status, the day's to-do list and the computed cells
(esp escalations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from esp_cli.core.model import AgentRef, Finding, WriteReport
from esp_cli.core.rules import Action, ActionKind, Evaluation, RecordedLater, Stage, Step
from esp_cli.core.shape import as_json, exported


@dataclass(frozen=True, slots=True)
class ComputedCells:
    """The three columns esp computes for an agent row."""

    stage: str
    next_action: str | None
    next_action_due: date | None
    # What Next Action names (None: nothing, or an agent the rules could not evaluate).
    next_kind: ActionKind | None = None


@dataclass(frozen=True, slots=True)
class AgentStatus:
    """As JSON and CSV: the agent, its status and stage, the ladder's dates, what is due and
    what the tracker lacks (see the exported properties, in their order)."""

    agent: AgentRef = field(metadata=as_json(flat=True))
    evaluation: Evaluation = field(metadata=as_json(hidden=True))
    computed: ComputedCells = field(metadata=as_json(hidden=True))
    as_of: date = field(metadata=as_json(hidden=True))
    # The changes waiting beside the tracker (their operations) counted in this agent's
    # row: not yet in the workbook.
    waiting: tuple[str, ...] = field(default=(), metadata=as_json(after="unchecked"))
    # The day the tracker was read (today): on a day replayed, a date after the as-of day
    # and by this one was recorded later, no contradiction. None: every such date is one.
    read_on: date | None = field(default=None, metadata=as_json(hidden=True))

    @property
    @exported(after="row", none_if_empty=True)
    def agent_id(self) -> str:
        return self.agent.agent_id

    @property
    @exported(after="agent_id", none_if_empty=True)
    def email(self) -> str:
        return self.agent.email

    @property
    @exported(after="email")
    def status(self) -> str:
        """on_track, behind_target, not_started, not_evaluated or complete (stable names)."""
        ev = self.evaluation
        if ev.complete:
            return "complete"
        if not ev.evaluable or ev.clock_start is None:
            return "not_evaluated"
        if self.as_of < ev.clock_start:
            return "not_started"
        return "behind_target" if ev.behind_target else "on_track"

    @property
    @exported(after="status")
    def stage(self) -> Stage:
        return self.evaluation.stage

    @property
    @exported(after="stage")
    def clock_start(self) -> date | None:
        return self.evaluation.clock_start

    @property
    @exported(after="clock_start")
    def target_date(self) -> date | None:
        return self.evaluation.target_date

    @property
    @exported(after="target_date")
    def behind_target(self) -> bool:
        return self.evaluation.behind_target

    @property
    @exported(after="behind_target")
    def pending_step(self) -> Step | None:
        return self.evaluation.pending_step

    @property
    @exported(after="pending_step")
    def pending_due(self) -> date | None:
        return self.evaluation.pending_due

    @property
    @exported(after="pending_due")
    def recorded_later_step(self) -> Step | None:
        """A day replayed: the pending step — or a step after it — recorded on a day after
        it (the step, and recorded_later_date the day), due then, delivered later."""
        later = self.evaluation.recorded_later
        return later.step if later else None

    @property
    @exported(after="recorded_later_step")
    def recorded_later_date(self) -> date | None:
        later = self.evaluation.recorded_later
        return later.on if later else None

    @property
    @exported(after="recorded_later_date")
    def business_days_overdue(self) -> int | None:
        return self.evaluation.business_days_overdue

    @property
    @exported(after="business_days_overdue")
    def next_step(self) -> Step | None:
        projected = self.evaluation.next_step_if_recorded_today
        return projected.step if projected else None

    @property
    @exported(after="next_step")
    def next_step_due_if_recorded_today(self) -> date | None:
        projected = self.evaluation.next_step_if_recorded_today
        return projected.due if projected else None

    @property
    @exported(after="next_step_due_if_recorded_today")
    def next_action(self) -> str | None:
        return self.computed.next_action

    @property
    @exported(after="next_action")
    def next_action_due(self) -> date | None:
        return self.computed.next_action_due

    @property
    @exported(after="next_action_due")
    def actions(self) -> tuple[Action, ...]:
        return tuple(self.evaluation.actions)

    @property
    @exported(after="actions")
    def upcoming(self) -> tuple[Action, ...]:
        return tuple(self.evaluation.upcoming)

    @property
    @exported(after="upcoming")
    def not_evaluated_reason(self) -> str | None:
        ev = self.evaluation
        return None if ev.evaluable else ev.reason

    @property
    @exported(after="not_evaluated_reason")
    def inconsistencies(self) -> tuple[str, ...]:
        """The row's contradictions, for the team to fix: not a date after a day replayed
        that was recorded by the day the tracker was read ("not yet then";
        recorded_later_step and _date give a ladder step's)."""
        return self.evaluation.contradictions(self.read_on)

    @property
    @exported(after="inconsistencies")
    def unchecked(self) -> tuple[str, ...]:
        return tuple(self.evaluation.unchecked)


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One line of the to-do list: an action for an agent, due (or, in the look-ahead,
    falling due on the next business day)."""

    agent: AgentRef = field(metadata=as_json(flat=True))
    action: ActionKind
    due: date
    business_days_overdue: int
    detail: str
    lookahead: bool = field(metadata=as_json(after="business_days_overdue"))
    # The waiting changes counted in the agent's row (not yet in the workbook).
    waiting: tuple[str, ...] = field(default=(), metadata=as_json(after="email"))
    # The agent's rules that could not be checked, and why (AgentStatus.unchecked): a
    # timebox unchecked for a Complete? cell that cannot be read, beside what is due.
    unchecked: tuple[str, ...] = field(default=(), metadata=as_json(after="waiting"))
    # A day replayed, the line of the pending ladder step: that step, or one after it,
    # recorded on a day after it (AgentStatus.recorded_later_step and _date).
    recorded_later: RecordedLater | None = field(default=None, metadata=as_json(hidden=True))

    @property
    @exported(after="detail")
    def recorded_later_step(self) -> Step | None:
        return self.recorded_later.step if self.recorded_later else None

    @property
    @exported(after="recorded_later_step")
    def recorded_later_date(self) -> date | None:
        return self.recorded_later.on if self.recorded_later else None

    @property
    @exported(none_if_empty=True)
    def agent_id(self) -> str:
        return self.agent.agent_id

    @property
    @exported(none_if_empty=True)
    def email(self) -> str:
        return self.agent.email


@dataclass(frozen=True)
class WrittenList:
    """esp escalations --write as JSON: the day, the list the command shows (the
    outstanding agents, or with --today the to-do list and its look-ahead), then the write
    — its cells before and after, as every writing command's JSON ends."""

    as_of: date
    outstanding: list[AgentStatus] | None = field(metadata=as_json(omit_none=True))
    todo: list[TodoItem] | None = field(metadata=as_json(omit_none=True))
    write: WriteReport = field(metadata=as_json(flat=True))


@dataclass
class EscalationsResult:
    as_of: date
    now: datetime
    next_business_day: date
    cls: str | None
    statuses: list[AgentStatus]  # every agent evaluated, complete ones too, in sheet order
    todo: list[TodoItem]  # due as of the as-of date, grouped by action, most overdue first
    lookahead: list[TodoItem]  # falling due by the next business day
    findings: list[Finding]
    write: WriteReport
    wrote: bool  # --write (or --dry-run) was asked for: `write` lists the computed cells
    sme: str | None = None  # --sme: only that TBT SME's agents
    # Why the as-of day is not a business day ("a Saturday", a holiday); None when it is.
    not_a_business_day: str | None = None
    business_day_before: date | None = None  # then: the business day before it
    # --sme: the waiting changes that gave agents to the SME or took them from them (their
    # operations), counted too when no agent listed is theirs.
    chosen_waiting: list[str] = field(default_factory=list)
    # With nothing due nor falling due, an outstanding agent with a rule that could not be
    # checked: its line of the day's list (ActionKind.UNCHECKED), in sheet order.
    unchecked_only: list[TodoItem] = field(default_factory=list)

    @property
    def listed(self) -> list[TodoItem]:
        """The day's list as its JSON and CSV give it: what is due, the agents named only for
        a rule that could not be checked, then what falls due next."""
        return [*self.todo, *self.unchecked_only, *self.lookahead]

    @property
    def waiting(self) -> list[str]:
        """The waiting changes counted (their operations), oldest first."""
        in_rows = (op for s in self.statuses for op in s.waiting)
        return list(dict.fromkeys((*in_rows, *self.chosen_waiting)))

    @property
    def unchecked(self) -> list[AgentStatus]:
        """The outstanding agents with a rule that could not be checked (a timebox whose
        Complete? cell cannot be read, ...): said under the tables too."""
        return [s for s in self.outstanding if s.evaluation.unchecked]

    @property
    def outstanding(self) -> list[AgentStatus]:
        """Every agent not known to be complete (not_evaluated ones included)."""
        return [s for s in self.statuses if not s.evaluation.complete]

    def written(self, today: bool) -> WrittenList:
        """The list shown (with --today, the to-do list) and the write, as one record."""
        return WrittenList(
            as_of=self.as_of,
            outstanding=None if today else self.outstanding,
            todo=self.listed if today else None,
            write=self.write,
        )
