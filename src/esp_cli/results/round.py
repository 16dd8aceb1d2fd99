"""The daily round as data (esp round): each agent's card, and what the round wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from esp_cli.core.model import AgentRef, WriteReport
from esp_cli.core.shape import as_json, exported


@dataclass(frozen=True)
class AgentCard:
    """What the round shows for one agent before asking."""

    agent: AgentRef
    sme: str
    status: str  # the escalation stage ("Coaching due", "On track"...)
    due: tuple[str, ...]  # what is due: ladder step, SPOC actions, behind target
    latest_note: str | None  # the latest Notes line
    latest_tbt_note: str | None  # the latest TBT Notes line
    self_report: str | None  # today's Notes line signed by the agent, if any
    # Where the agent stands: completion (None: empty; text: a cell that cannot be read, as
    # typed), the TBT hours logged, the Citrix TBT Access issue and the SPOC columns, those
    # the issue still needs, the last notes.
    call_cert: bool | str | None = None
    call_cert_date: date | None = None
    tbts: bool | str | None = None
    tbts_date: date | None = None
    tbt_hours: float | None = None
    access: str | None = None
    spoc_called: date | None = None
    incident: str | None = None
    callback: str | None = None
    missing: tuple[str, ...] = ()  # SPOC columns the issue wants that are empty
    notes: tuple[str, ...] = ()  # the last two Notes lines, oldest first
    tbt_notes: tuple[str, ...] = ()  # the last two TBT Notes lines
    # Business days overdue of each `due` line (0: today, -1: tomorrow); None: behind target.
    due_days: tuple[int | None, ...] = ()
    day: date | None = None  # the round's day: a completion dated after it was not yet


@dataclass(frozen=True)
class RoundConflict:
    """A cell that changed after it was shown: not written."""

    agent: str
    cell: str  # Sheet!A1
    column: str
    shown: Any
    now: Any
    wanted: Any


@dataclass(frozen=True)
class NotApplied:
    """An agent whose answers could not be applied, and why."""

    agent: str
    where: str  # Sheet!row N as shown
    reason: str


@dataclass
class RoundResult:
    tracker: Path
    # Where the answers wait while typed (the tracker's waiting changes' folder).
    journal: Path = field(metadata=as_json(hidden=True))
    agents: int  # agents with answers
    answers: int
    conflicts: list[RoundConflict]
    not_applied: list[NotApplied]
    write: WriteReport = field(metadata=as_json(flat=True))
    # The sheets of the agents whose step, access or completion was answered that have some
    # of the computed columns but not all, each with the headers it lacks: their computed
    # columns were not brought up to date.
    computed_missing: dict[str, tuple[str, ...]] | None = field(
        default=None, metadata=as_json(omit_none=True)
    )

    @property
    @exported(key="journal", after="not_applied")
    def kept_in(self) -> Path:
        """Where the answers waited as they were typed."""
        return self.journal
