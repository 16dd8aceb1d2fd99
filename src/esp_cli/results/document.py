"""The ladder's documents a run made (or would make), and those it did not (esp document)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from esp_cli.core.documents import StepDocument, heading
from esp_cli.core.model import AgentRef, Finding, Signer, WriteReport
from esp_cli.core.rules import Step
from esp_cli.core.shape import as_json, exported

# Where a run's day came from: --date, --as-of, today by default, or the step's recorded date.
DaySource = Literal["--date", "--as-of", "today", "recorded"]


@dataclass(frozen=True)
class Document:
    """One step's document for one agent: the file, the e-mail drafts with it attached, and
    the dates it states."""

    agent: AgentRef = field(metadata=as_json(flat=True))
    step: Step
    on: date = field(metadata=as_json(key="date"))
    file: Path  # the .docx made (or, with --dry-run, that would be)
    drafts: tuple[Path, ...]  # the .eml / .msg drafts to the agent, the .docx attached
    to: str  # the agent's address, when drafts are made
    cc: tuple[str, ...]  # the class's TBT SMEs
    template: str  # 'built-in' or the file it was made from
    # The dates it states: ESP Start Date, clock start, the day the target passed, the steps
    # delivered and those ahead, and every step's day by name.
    facts: StepDocument = field(metadata=as_json(flat=True))
    # The Notes line recorded with it (--record), naming the document.
    note: str | None = None

    @property
    @exported(after="date")
    def label(self) -> str:
        """'Documented coaching', 'Written CAP', ..."""
        return heading(self.step)


@dataclass(frozen=True)
class NotMade:
    """An agent whose document was not made, and why: already made (the file is there), a
    fact the template needs that the tracker lacks, no e-mail address for the draft, a step
    the ladder refuses, a ladder that cannot be evaluated (a cell esp cannot read)."""

    agent: AgentRef = field(metadata=as_json(flat=True))
    step: Step | None  # None: the ladder cannot be evaluated, so its pending step is unknown
    reason: str
    file: Path | None = field(default=None, metadata=as_json(omit_none=True))
    # The placeholder whose fact is missing.
    missing: str | None = field(default=None, metadata=as_json(omit_none=True))
    # --record and the document already made: the Notes line recorded with it, naming it.
    note: str | None = field(default=None, metadata=as_json(omit_none=True))
    # What to do so it can be made (a refusal's fix).
    fix: str | None = field(default=None, metadata=as_json(omit_none=True))
    # Already made without the e-mail drafts asked for (a run stopped between them): the
    # drafts made now, the document attached.
    drafts: tuple[Path, ...] | None = field(default=None, metadata=as_json(omit_none=True))


@dataclass
class DocumentResult:
    on: date = field(metadata=as_json(key="date"))  # D, or the day --due looked at
    folder: Path
    documents: list[Document]
    already_made: list[NotMade]
    refused: list[NotMade]
    # --due on a day replayed: each agent whose step was due then and is recorded on a
    # later day (its document is of that day): not made, said.
    recorded_later: list[NotMade]
    smes_without_address: list[str]
    recorded: bool  # the steps were (or, with --dry-run, would be) recorded (--record)
    findings: list[Finding] = field(metadata=as_json(hidden=True))
    write: WriteReport = field(metadata=as_json(flat=True))
    signed_by: Signer | None = field(default=None, metadata=as_json(hidden=True))
    # .docx files in the templates folder that no step reads (named otherwise), said.
    template_warnings: list[str] = field(default_factory=list)
    # Why the day is not a business day ("a Saturday", "Thanksgiving Day"); None when it is.
    not_a_business_day: str | None = field(
        default=None, metadata=as_json(after="date", omit_none=True)
    )
    # How many business days after today the day is, when more than a few (a year typed
    # wrong); None otherwise.
    business_days_ahead: int | None = field(
        default=None, metadata=as_json(after="not_a_business_day", omit_none=True)
    )
    # Where the day came from: "--date", "--as-of", "today" or "recorded" (the step's
    # recorded date).
    day_from: DaySource = field(default="--date", metadata=as_json(hidden=True))
    # --sme: the SME, and the changes waiting beside the tracker (their operations) that
    # gave agents to them or took them: the agents are theirs as those changes leave them.
    sme: str | None = field(default=None, metadata=as_json(hidden=True))
    chosen_waiting: list[str] = field(default_factory=list, metadata=as_json(hidden=True))

    @property
    def dry_run(self) -> bool:
        """Nothing was saved, sent or recorded: the run only says what it would do."""
        return self.write.dry_run

    @property
    @exported(key="signed_by", after="recorded", omit_none=True)
    def signer_name(self) -> str | None:
        return self.signed_by.name if self.signed_by else None
