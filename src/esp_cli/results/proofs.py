"""The TBT completion proofs esp tbt proofs recorded, already had, or rejected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from esp_cli.core.model import AgentRef, Signer, WriteReport


@dataclass(frozen=True)
class Proof:
    """A good proof file: whose it is, when it came, and its fingerprint."""

    file: str
    agent: AgentRef
    received: date
    sha256: str


@dataclass(frozen=True)
class Rejected:
    file: str
    reason: str
    expected: str | None = None  # the name the file should have, when esp can tell


@dataclass
class ProofsResult:
    folder: Path
    tracking_sheet: Path
    recorded: list[Proof]  # new rows in the tracking sheet
    already: list[Proof]  # good files the tracking sheet already holds
    rejected: list[Rejected]
    created_sheet: bool  # the tracking sheet was (or would be) created
    write: WriteReport  # the ESP Tracker's cells
    sheet_write: WriteReport | None = None  # the rows added to an existing tracking sheet
    signed_by: Signer | None = None
