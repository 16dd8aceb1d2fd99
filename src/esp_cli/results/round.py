"""The daily round as data (esp round): each agent's card, and what the round wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esp_cli.core.model import AgentRef, WriteReport


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
    journal: Path  # where the answers were kept while typed
    agents: int  # agents with answers
    answers: int
    conflicts: list[RoundConflict]
    not_applied: list[NotApplied]
    write: WriteReport
    archived: Path | None = field(default=None)  # the journal, once applied
