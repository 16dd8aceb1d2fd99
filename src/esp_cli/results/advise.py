"""The advice e-mails of a run as data (esp advise)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from esp_cli.advice import AdviceKind
from esp_cli.model import AgentRef, Finding, WriteReport


class Delivery(StrEnum):
    """What the run does with the messages."""

    LIST = "list"  # shows what would go to whom; nothing saved, sent or noted
    DRAFT = "draft"  # saves a draft file per message into --out
    SEND = "send"  # sends each message through [smtp]


@dataclass(frozen=True)
class Advice:
    """One message to one agent."""

    agent: AgentRef
    kind: AdviceKind
    to: str
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str
    note: str  # the Notes line recorded for it ('MM/DD/YYYY - Name - Advised: ...')
    file: Path | None = None  # the draft saved (or, with --dry-run, that would be)
    sent: bool = False
    not_delivered: str = ""  # sent, but refused for these (the Cc), and why


@dataclass(frozen=True)
class Skipped:
    """An agent whose advice was not made, and why (no address; a placeholder without a
    value; advised before)."""

    agent: AgentRef
    kind: AdviceKind
    reason: str
    missing: str | None = None  # the placeholder with no value
    advised_on: date | None = None  # the earlier Advised line's day


@dataclass
class AdviseResult:
    as_of: date
    delivery: Delivery
    messages: list[Advice]
    no_address: list[Skipped]
    refused: list[Skipped]
    already_advised: list[Skipped]
    smes_without_address: list[str]
    findings: list[Finding]
    write: WriteReport
    failure: str | None = field(default=None)  # why sending stopped (the rest were kept)
