"""What esp record-step recorded (or would record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from esp_cli.core.model import AgentRef, Signer, WriteReport
from esp_cli.core.rules import (
    Evaluation,
    Step,
)


@dataclass
class RecordResult:
    agent: AgentRef
    step: Step
    on: date
    by: str
    note_line: str
    date_written: bool  # False: the same date was already recorded
    note_added: bool  # False: the very same line was already in Notes
    evaluation: Evaluation  # the agent after recording, as of the day it was run
    write: WriteReport
    signed_by: Signer | None = None
    due: date | None = None  # when the step fell due by the ladder's timing, when known
    early_reason: str | None = None  # recorded before `due`, with --early --reason
