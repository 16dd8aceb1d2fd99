"""The end-of-day TBT Completion report as data (esp report eod)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from esp_cli.core.figures import percent
from esp_cli.core.model import Finding
from esp_cli.core.rules import ACTION_ORDER, LadderConflict
from esp_cli.core.shape import as_json, exported
from esp_cli.results.kpi import KpiReport


@dataclass
class ClassSummary:
    """The counts for one class (or, as `totals`, for all of them)."""

    cls: str = field(metadata=as_json(key="class"))
    agents: int = 0
    call_certs_complete: int = 0
    tbts_complete: int = 0
    fully_complete: int = 0
    access_issues: Counter[str] = field(default_factory=Counter, metadata=as_json(hidden=True))
    escalations_due: Counter[str] = field(default_factory=Counter, metadata=as_json(hidden=True))
    not_reported: int = 0
    not_evaluated: int = 0

    @property
    @exported(after="fully_complete")
    def outstanding(self) -> int:
        return self.agents - self.fully_complete

    @property
    @exported(key="access_issues", after="outstanding")
    def issues(self) -> dict[str, int]:
        """The access issues counted, by name (the tracker's own spellings)."""
        return dict(ordered_issues(self.access_issues, ()))

    @property
    @exported(key="escalations_due", after="access_issues")
    def due(self) -> dict[str, int]:
        """The escalation steps due, by action, the ladder first."""
        return dict(ordered_actions(self.escalations_due))

    @property
    def percent_complete(self) -> float | None:
        """Fully complete agents as a percentage of the class, one decimal; None with no
        agent to count (shown "—", never 0%, as the KPIs show a rate of nothing)."""
        share = percent(self.fully_complete, self.agents)
        return None if share is None else float(share)

    def add(self, other: ClassSummary) -> None:
        self.agents += other.agents
        self.call_certs_complete += other.call_certs_complete
        self.tbts_complete += other.tbts_complete
        self.fully_complete += other.fully_complete
        self.access_issues.update(other.access_issues)
        self.escalations_due.update(other.escalations_due)
        self.not_reported += other.not_reported
        self.not_evaluated += other.not_evaluated


@dataclass(frozen=True)
class OutstandingAgent:
    """An agent not yet fully complete: what is pending and the latest note."""

    name: str
    cls: str
    sheet: str
    row: int
    call_cert_complete: bool
    tbts_complete: bool
    stage: str
    pending_action: str | None
    pending_due: date | None
    access_issue: str | None
    reported: bool
    latest_note: str | None
    evaluated: bool = True
    # The day the term review was delivered, for an agent whose ladder has ended (every
    # step recorded): nothing is pending, and the report says so.
    ladder_ended: date | None = None
    # The ladder dates the rules cannot count (a step before the one before it...): the
    # pending step is due from the last one counted; the team corrects the tracker.
    conflicts: tuple[LadderConflict, ...] = ()
    # A day replayed, the pending action a ladder step recorded on a later day: when, as
    # said beside it ('recorded 11/27/2026, after Wed 11/25: not yet then').
    recorded_later: str | None = None


@dataclass(frozen=True)
class DataProblem:
    """An agent the rules could not evaluate, and why: for the team to fix in the tracker."""

    name: str = field(metadata=as_json(key="agent"))
    cls: str = field(metadata=as_json(key="class"))
    sheet: str
    row: int
    reason: str


@dataclass(frozen=True)
class StartingLater:
    """An agent whose ESP Start Date is after the report's date: not in certification yet,
    so neither complete nor outstanding; listed apart, not counted."""

    name: str = field(metadata=as_json(key="agent"))
    cls: str = field(metadata=as_json(key="class"))
    sheet: str
    row: int
    start: date = field(metadata=as_json(key="esp_start"))


@dataclass(frozen=True)
class NoStartDate:
    """An agent without a readable ESP Start Date: no clock, so in no count of the report
    (nor of the KPIs); listed apart for the team to fill in."""

    name: str = field(metadata=as_json(key="agent"))
    cls: str = field(metadata=as_json(key="class"))
    sheet: str
    row: int


@dataclass
class EodReport:
    """As JSON: {"date", "classes": [...], "totals": {...}, "problems": [...]} (and "scope"
    when the report is for one class's or one TBT SME's agents)."""

    tracker: Path = field(metadata=as_json(hidden=True))
    day: date = field(metadata=as_json(key="date"))
    classes: list[ClassSummary]
    totals: ClassSummary = field(metadata=as_json(drop=("class",)))
    outstanding: list[OutstandingAgent] = field(metadata=as_json(hidden=True))
    # (agent, class), in tracker order.
    not_reported: list[tuple[str, str]] = field(metadata=as_json(hidden=True))
    findings: list[Finding] = field(metadata=as_json(hidden=True))
    problems: list[DataProblem] = field(default_factory=list)
    # The changes waiting beside the tracker counted in the report (their operations): not
    # yet in the workbook.
    waiting: list[str] = field(default_factory=list)
    # "class AET-1109", "TBT SME Keisha Grant": whose agents only.
    scope: str | None = field(
        default=None, metadata=as_json(omit_none=True, none_if_empty=True, after="date")
    )
    # The leadership KPIs of the 10 business days up to the date, for the e-mail's top.
    kpi: KpiReport | None = field(default=None, metadata=as_json(hidden=True))
    # Agents who start after the date, in tracker order: not counted in the classes.
    starting_later: list[StartingLater] = field(default_factory=list)
    # Agents without a readable ESP Start Date, in tracker order: not counted either.
    no_start_date: list[NoStartDate] = field(default_factory=list)
    # Why the date is not a business day ("a Saturday", a holiday), and the business day
    # before it; None when it is one.
    not_a_business_day: str | None = field(
        default=None, metadata=as_json(omit_none=True, after="date")
    )
    business_day_before: date | None = field(
        default=None, metadata=as_json(omit_none=True, after="not_a_business_day")
    )


def ordered_actions(counts: Counter[str]) -> list[tuple[str, int]]:
    """Escalation counts in the rules' action order (the ladder first)."""
    order = {kind.value: i for kind, i in ACTION_ORDER.items()}
    return sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def ordered_issues(counts: Counter[str], known: Iterable[str]) -> list[tuple[str, int]]:
    """Access counts in esp.toml's [access] order, other spellings after, by name."""
    order = {v: i for i, v in enumerate(known)}
    return sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
