"""The TBT SMEs of a class as assigned (esp sme assign) and each class's load (esp sme list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esp_cli.core.model import AgentRef, Finding, WriteReport
from esp_cli.core.names import name_key
from esp_cli.core.shape import as_json, exported


def sme_key(text: str | None) -> str:
    """'Priya Natarajan', ' priya  natarajan' and 'Natarajan, Priya' are the same SME."""
    return name_key(text or "")


@dataclass(frozen=True)
class Assignment:
    # As JSON and CSV: agent, sheet, row, before (null when blank), sme, changed.
    agent: AgentRef = field(metadata=as_json(flat=True, drop=("class",)))
    # The TBT SME cell as it was ('' when blank).
    before: str = field(metadata=as_json(none_if_empty=True))
    sme: str  # the SME the agent has now (as given, or as already typed when kept)
    changed: bool


@dataclass
class AssignResult:
    cls: str = field(metadata=as_json(key="class"))
    smes: tuple[str, ...] = field(metadata=as_json(hidden=True))
    assignments: list[Assignment]
    write: WriteReport = field(metadata=as_json(flat=True))
    # The SMEs given whom no TBT SME cell nor [people] sme_emails names: written as typed.
    new: tuple[str, ...] = field(default=(), metadata=as_json(hidden=True))
    # Every TBT SME esp knows, those given too (for a new name that may be a slip of one).
    known: tuple[str, ...] = field(default=(), metadata=as_json(hidden=True))

    @property
    @exported(after="")
    def tracker(self) -> Path:
        return self.write.tracker

    @property
    @exported(key="smes", after="class")
    def counts(self) -> list[SmeCount]:
        """Each SME assigned and how many of the class's agents it has now."""
        return [SmeCount(sme, n) for sme, n in self.load().items()]

    def load(self) -> dict[str, int]:
        counts = dict.fromkeys(self.smes, 0)
        for a in self.assignments:
            for sme in self.smes:
                if sme_key(sme) == sme_key(a.sme):
                    counts[sme] += 1
        return counts


@dataclass(frozen=True)
class SmeCount:
    sme: str
    agents: int


@dataclass
class SmeLoad:
    sme: str  # '' for the agents with no TBT SME
    agents: int = 0
    outstanding: int = 0
    # The changes waiting beside the tracker (their operations) counted in this load: not
    # yet in the workbook. Left out when none.
    waiting: list[str] = field(
        default_factory=list, metadata=as_json(omit_none=True, none_if_empty=True)
    )


@dataclass
class ClassLoad:
    # The class as typed; "" for the agents whose Class is blank (named False).
    cls: str = field(metadata=as_json(key="class"))
    agents: int = 0
    outstanding: int = 0
    smes: list[SmeLoad] = field(default_factory=list)  # in order of first appearance
    unassigned: SmeLoad = field(
        default_factory=lambda: SmeLoad(""), metadata=as_json(drop=("sme",))
    )
    named: bool = field(default=True, metadata=as_json(hidden=True))
    # Of the agents with no class, those with no TBT SME either: no class to assign one by.
    unplaced: list[AgentRef] = field(default_factory=list, metadata=as_json(hidden=True))


@dataclass
class SmeListResult:
    tracker: Path
    classes: list[ClassLoad]
    findings: list[Finding] = field(metadata=as_json(hidden=True))
    # The changes waiting beside the tracker counted in the loads (their operations, oldest
    # first): not yet in the workbook. Left out when none.
    waiting: list[str] = field(
        default_factory=list, metadata=as_json(omit_none=True, none_if_empty=True)
    )
