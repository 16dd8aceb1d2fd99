"""One agent's evaluation with every cell it was read from (esp explain)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from esp_cli.core.model import AgentRef
from esp_cli.core.oplog import tag
from esp_cli.core.rules import Evaluation
from esp_cli.core.shape import as_json, exported
from esp_cli.core.values import text_of
from esp_cli.core.waiting import WaitingCell
from esp_cli.results.escalations import AgentStatus, ComputedCells


@dataclass(frozen=True)
class CellView:
    """One tracker cell as typed and as esp understood it."""

    # As JSON: column, key, cell, raw (as text), value, unreadable.
    key: str
    # As typed in the sheet (the canonical header when the column is missing).
    header: str = field(metadata=as_json(key="column", after=""))
    # None: the sheet has no such column.
    address: str | None = field(metadata=as_json(key="cell"))
    # The value as stored (text, number, date, ErrorValue) or None.
    raw: Any = field(metadata=as_json(hidden=True))
    value: Any  # the parsed value, None when empty or unreadable
    unreadable: bool
    # The waiting change (its operation) counted in this cell: not yet in the workbook.
    waiting: str | None = None

    @property
    @exported(key="raw", after="cell")
    def typed(self) -> str | None:
        """The value as typed, as text."""
        return text_of(self.raw) if self.raw is not None else None


@dataclass(frozen=True)
class WaitingChange:
    """A change waiting beside the tracker for this agent, counted in the explanation."""

    op: str
    time: datetime = field(metadata=as_json(hidden=True))
    who: str
    command: str
    column: str
    cell: WaitingCell = field(metadata=as_json(hidden=True))

    @property
    @exported(key="time", after="op")
    def made(self) -> str:
        return self.time.isoformat(timespec="seconds")

    @property
    @exported(after="column")
    def action(self) -> str:
        return self.cell.action

    @property
    @exported(after="action")
    def value(self) -> Any:
        """What it writes: the note line appended, or the value set."""
        return tag(self.cell.value)


@dataclass
class Explanation:
    """As JSON: the agent's status as esp escalations gives it, then the day, the moment
    the timeboxes were measured at, the explanation's lines and the cells read."""

    tracker: Path = field(metadata=as_json(hidden=True))
    agent: AgentRef = field(metadata=as_json(hidden=True))
    as_of: date
    now: datetime = field(metadata=as_json(key="timeboxes_measured_at"))
    lines: list[str] = field(metadata=as_json(key="explanation"))
    evaluation: Evaluation = field(metadata=as_json(hidden=True))
    computed: ComputedCells = field(metadata=as_json(hidden=True))
    cells: list[CellView]
    # The changes waiting beside the tracker counted for this agent (not yet in it).
    waiting: list[WaitingChange] = field(default_factory=list)
    # The day the tracker was read (today; AgentStatus.read_on).
    read_on: date | None = field(default=None, metadata=as_json(hidden=True))

    @property
    @exported(after="", flat=True)
    def status(self) -> AgentStatus:
        return AgentStatus(
            self.agent, self.evaluation, self.computed, self.as_of, read_on=self.read_on
        )
