"""Leadership KPIs of a period as data (esp report kpi, and the evening e-mail's section)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from esp_cli.core.kpi import KpiFigures, KpiFinding, Kpis, TrendDay
from esp_cli.core.model import Finding
from esp_cli.core.shape import as_json


@dataclass
class KpiReport:
    """As JSON: {"from", "to", "overall": {...}, "classes": [{"class", ...}], "trend":
    [{"date", "open", "completed", "behind_target"}], "findings": [{"agent", "class",
    "cell", "kind", "message"}]} (and "scope" after "to" for one class's or one TBT SME's
    agents)."""

    tracker: Path = field(metadata=as_json(hidden=True))
    start: date = field(metadata=as_json(key="from"))
    end: date = field(metadata=as_json(key="to"))
    overall: KpiFigures = field(metadata=as_json(drop=("class",)))
    classes: list[KpiFigures]
    trend: list[TrendDay]
    findings: list[KpiFinding]
    # Cells of the tracker that could not be read (for the team, on stderr).
    cell_findings: list[Finding] = field(default_factory=list, metadata=as_json(hidden=True))
    scope: str | None = field(
        default=None, metadata=as_json(omit_none=True, none_if_empty=True, after="to")
    )

    @classmethod
    def of(
        cls,
        tracker: Path,
        figures: Kpis,
        cell_findings: list[Finding],
        scope: str | None = None,
    ) -> KpiReport:
        return cls(
            tracker,
            figures.start,
            figures.end,
            figures.overall,
            figures.classes,
            figures.trend,
            figures.findings,
            cell_findings,
            scope,
        )

    @property
    def business_days(self) -> int:
        return len(self.trend)
