"""The TBT SMEs of a class as assigned (esp sme assign) and each class's load (esp sme list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esp_cli.core.model import AgentRef, Finding, WriteReport
from esp_cli.core.names import name_key


def sme_key(text: str | None) -> str:
    """'Priya Natarajan', ' priya  natarajan' and 'Natarajan, Priya' are the same SME."""
    return name_key(text or "")


@dataclass(frozen=True)
class Assignment:
    agent: AgentRef
    before: str  # the TBT SME cell as it was ('' when blank)
    sme: str  # the SME the agent has now (as given, or as already typed when kept)
    changed: bool


@dataclass
class AssignResult:
    cls: str
    smes: tuple[str, ...]
    assignments: list[Assignment]
    write: WriteReport

    def load(self) -> dict[str, int]:
        counts = dict.fromkeys(self.smes, 0)
        for a in self.assignments:
            for sme in self.smes:
                if sme_key(sme) == sme_key(a.sme):
                    counts[sme] += 1
        return counts


@dataclass
class SmeLoad:
    sme: str  # '' for the agents with no TBT SME
    agents: int = 0
    outstanding: int = 0


@dataclass
class ClassLoad:
    cls: str
    agents: int = 0
    outstanding: int = 0
    smes: list[SmeLoad] = field(default_factory=list)  # in order of first appearance
    unassigned: SmeLoad = field(default_factory=lambda: SmeLoad(""))


@dataclass
class SmeListResult:
    tracker: Path
    classes: list[ClassLoad]
    findings: list[Finding]
