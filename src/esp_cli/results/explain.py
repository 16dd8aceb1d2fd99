"""One agent's evaluation with every cell it was read from (esp explain)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from esp_cli.core.model import AgentRef
from esp_cli.core.rules import Evaluation
from esp_cli.results.escalations import ComputedCells


@dataclass(frozen=True)
class CellView:
    """One tracker cell as typed and as esp understood it."""

    key: str
    header: str  # as typed in the sheet (the canonical header when the column is missing)
    address: str | None  # None: the sheet has no such column
    raw: Any  # the value as stored (text, number, date, ErrorValue) or None
    value: Any  # the parsed value, None when empty or unreadable
    unreadable: bool


@dataclass
class Explanation:
    tracker: Path
    agent: AgentRef
    as_of: date
    now: datetime
    lines: list[str]
    evaluation: Evaluation
    computed: ComputedCells
    cells: list[CellView]
