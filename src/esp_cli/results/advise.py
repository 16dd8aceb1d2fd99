"""The advice e-mails of a run as data (esp advise)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from esp_cli.core.advice import AdviceKind
from esp_cli.core.model import AgentRef, Finding, WriteReport
from esp_cli.core.shape import as_json, exported


class Delivery(StrEnum):
    """What the run does with the messages."""

    LIST = "list"  # shows what would go to whom; nothing saved, sent or noted
    DRAFT = "draft"  # saves a draft file per message into --out
    SEND = "send"  # sends each message through [smtp]


@dataclass(frozen=True)
class Advice:
    """One message to one agent."""

    agent: AgentRef = field(metadata=as_json(flat=True))
    kind: AdviceKind
    to: str
    cc: tuple[str, ...]
    subject: str
    text: str = field(metadata=as_json(hidden=True))
    html: str = field(metadata=as_json(hidden=True))
    # The Notes line recorded for it ('MM/DD/YYYY - Name - Advised: ...').
    note: str = field(metadata=as_json(after="sent"))
    file: Path | None = None  # the draft saved (or, with --dry-run, that would be)
    sent: bool = False
    not_delivered: str = ""  # sent, but refused for these (the Cc), and why

    @property
    @exported(key="advice", after="kind")
    def label(self) -> str:
        return self.kind.label


@dataclass(frozen=True)
class Skipped:
    """An agent whose advice was not made, and why (no address; a placeholder without a
    value; advised before)."""

    agent: AgentRef = field(metadata=as_json(flat=True))
    kind: AdviceKind
    reason: str
    # The placeholder with no value.
    missing: str | None = field(default=None, metadata=as_json(omit_none=True))
    # The earlier Advised line's day.
    advised_on: date | None = field(default=None, metadata=as_json(omit_none=True))
    # What to do so it can be made.
    fix: str | None = field(default=None, metadata=as_json(omit_none=True))


@dataclass(frozen=True)
class SharedFileName:
    """Agents told to name their TBT transcript one file name, as Windows takes it (case
    aside: 'Lee: Ann Kim' and 'lee ann kim'): esp tbt proofs cannot tell whose such a file
    is. `agents`: every agent of the tracker whose name makes it; `file_names`: the names
    as each is told it."""

    file_names: tuple[str, ...]
    agents: tuple[AgentRef, ...]


@dataclass
class AdviseResult:
    as_of: date
    delivery: Delivery
    messages: list[Advice]
    no_address: list[Skipped]
    refused: list[Skipped]
    already_advised: list[Skipped]
    smes_without_address: list[str]
    findings: list[Finding] = field(metadata=as_json(hidden=True))
    write: WriteReport = field(metadata=as_json(flat=True))
    failure: str | None = field(
        default=None, metadata=as_json(after="smes_without_address")
    )  # why sending stopped (the rest were kept)
    # --sme: the SME, and the changes waiting beside the tracker (their operations) that
    # gave agents to them or took them: the agents are theirs as those changes leave them.
    sme: str | None = field(default=None, metadata=as_json(hidden=True))
    chosen_waiting: list[str] = field(default_factory=list, metadata=as_json(hidden=True))
    # The messages' transcript file names another agent of the tracker is told too.
    shared_file_names: list[SharedFileName] = field(
        default_factory=list, metadata=as_json(hidden=True)
    )
