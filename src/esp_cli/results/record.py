"""What esp record-step recorded (or would record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from esp_cli.core.model import AgentRef, Signer, WriteReport
from esp_cli.core.rules import (
    Evaluation,
    Stage,
    Step,
)
from esp_cli.core.shape import as_json, exported


@dataclass
class RecordResult:
    agent: AgentRef = field(metadata=as_json(flat=True))
    step: Step
    on: date = field(metadata=as_json(key="date"))
    by: str
    note_line: str = field(metadata=as_json(key="note"))
    date_written: bool  # False: the same date was already recorded
    note_added: bool  # False: the very same line was already in Notes
    # The agent after recording, as of the day it was run.
    evaluation: Evaluation = field(metadata=as_json(hidden=True))
    write: WriteReport = field(metadata=as_json(flat=True))
    signed_by: Signer | None = field(default=None, metadata=as_json(hidden=True))
    # When the step fell due by the ladder's timing, when known.
    due: date | None = field(default=None, metadata=as_json(after="note"))
    # Recorded before `due`, with --early --reason.
    early_reason: str | None = field(default=None, metadata=as_json(after="early"))
    # The step's document (--document), named in the Notes line.
    document: str | None = field(default=None, metadata=as_json(after="note"))
    # The document is a PDF scan: checked by its file name only (agent, step, date).
    document_scan: bool = field(default=False, metadata=as_json(after="document"))
    # Why the date is not a business day ("a Saturday", "Thanksgiving Day").
    not_a_business_day: str | None = field(
        default=None, metadata=as_json(after="date", omit_none=True)
    )
    # The computed columns the sheet lacks while it has others (renamed or deleted): the
    # three are brought up to date together, so none was (said, with the fix). None (left
    # out of the JSON): the sheet has all three, or none.
    computed_missing: tuple[str, ...] | None = field(default=None, metadata=as_json(omit_none=True))

    @property
    @exported(key="signed_by", after="by", omit_none=True)
    def signer_name(self) -> str | None:
        return self.signed_by.name if self.signed_by else None

    @property
    @exported(after="due")
    def early(self) -> bool:
        return self.early_reason is not None

    @property
    @exported(after="note_added")
    def stage(self) -> Stage:
        return self.evaluation.stage

    @property
    @exported(after="stage")
    def pending_step(self) -> Step | None:
        return self.evaluation.pending_step

    @property
    @exported(after="pending_step")
    def pending_due(self) -> date | None:
        return self.evaluation.pending_due

    @property
    @exported(after="pending_due")
    def next_step_due_if_recorded_today(self) -> date | None:
        projected = self.evaluation.next_step_if_recorded_today
        return projected.due if projected else None
