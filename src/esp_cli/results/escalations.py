"""Every agent's escalation status, the day's to-do list and the computed cells
(esp escalations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from esp_cli.core.model import AgentRef, Finding, WriteReport
from esp_cli.core.rules import ActionKind, Evaluation


@dataclass(frozen=True, slots=True)
class ComputedCells:
    """The three columns esp computes for an agent row."""

    stage: str
    next_action: str | None
    next_action_due: date | None


@dataclass(frozen=True, slots=True)
class AgentStatus:
    agent: AgentRef
    evaluation: Evaluation
    computed: ComputedCells
    as_of: date

    @property
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


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One line of the to-do list: an action for an agent, due (or, in the look-ahead,
    falling due on the next business day)."""

    agent: AgentRef
    action: ActionKind
    due: date
    business_days_overdue: int
    detail: str
    lookahead: bool


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

    @property
    def outstanding(self) -> list[AgentStatus]:
        """Every agent not known to be complete (not_evaluated ones included)."""
        return [s for s in self.statuses if not s.evaluation.complete]
