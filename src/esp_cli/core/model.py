"""The words every command shares, defined once (pure: no I/O).

Who an agent is and where their row is (AgentRef), a cell esp changes (CellChange) or a
column it adds (AddedColumn), the Citrix TBT Access values and which of them SPOC handles,
the SPOC phone, and Yes/No as a column's drop-down spells it. Services, renderers and the
rules import these from here, so each is typed once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esp_cli.core.refs import address, col_letter
from esp_cli.core.shape import as_json, exported

# -- the client's helpdesk and the Citrix TBT Access drop-down (seed, docs/rules.md) -------------

SPOC_PHONE = "(888) 905-9500"  # the default; esp.toml [spoc] phone overrides it

# esp round: the statuses a TBT SME types most, by number (esp.toml [round] phrases replaces
# them), in the words of the TBT SME Team Expectations; {spoc_phone} is esp.toml's [spoc] phone.
ROUND_PHRASES = (
    "Working on TBTs; no issues.",
    "Waiting on a Certifier for Call Certs; working on TBTs meanwhile.",
    "Call Certs done; finishing the TBTs today.",
    "All TBTs done; sending the proof (First Last TBT.pdf) to the Cert Coordinator.",
    "Cannot get into Citrix: to call SPOC at {spoc_phone}, get an Incident Number and "
    "be ready to answer the callback.",
    "Cannot locate a TBT: to send screenshots of the search by course number and name.",
    "Equipment issue: sent the steps for the external Learning Hub link.",
    "Failed a TBT: invited to the SME breakout room to retake it.",
    "No status today; reached out to the agent.",
)

NO_ISSUES = "No Issues"
PASSWORD_RESET = "Password Reset"
NO_CITRIX_APPS = "No Citrix Apps Showing"
LEARNING_HUB = "Learning Hub Issue"
CANNOT_LOCATE = "Cannot Locate TBT"
EQUIPMENT = "Equipment Issue"
OTHER = "Other"
ACCESS_VALUES: tuple[str, ...] = (
    NO_ISSUES,
    PASSWORD_RESET,
    NO_CITRIX_APPS,
    LEARNING_HUB,
    CANNOT_LOCATE,
    EQUIPMENT,
    OTHER,
)
# The issues SPOC handles: SPOC is called, and after 10 business days the agent is advised.
SPOC_ISSUES: frozenset[str] = frozenset({PASSWORD_RESET, NO_CITRIX_APPS, LEARNING_HUB})

_NON_WORD = re.compile(r"[\W_]+")


def access_key(text: str) -> str:
    """'password-reset', ' Password  Reset ' and 'PASSWORD_RESET' are the same value."""
    return " ".join(_NON_WORD.sub(" ", text).split()).casefold()


_SPOC_KEYS = frozenset(access_key(v) for v in SPOC_ISSUES)


def is_spoc_issue(text: str | None) -> bool:
    return text is not None and access_key(text) in _SPOC_KEYS


def is_issue(text: str | None, value: str) -> bool:
    """Does a Citrix TBT Access cell say `value` (case, spacing, punctuation ignored)?"""
    return text is not None and access_key(text) == access_key(value)


def access_category(value: object, known: Iterable[str]) -> str | None:
    """The access issue a Citrix TBT Access cell names, in the spelling of `known` when it
    matches one, else as typed; None for a blank cell or No Issues."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or access_key(text) == access_key(NO_ISSUES):
        return None
    for spelling in known:
        if access_key(spelling) == access_key(text):
            return spelling
    return text


def spell_yes_no(options: Iterable[str] | None, value: bool) -> str:
    """Yes or No as a drop-down's options spell it (Y/N, TRUE/FALSE...), else Yes/No."""
    from esp_cli.core.values import Unreadable, parse_yes_no

    for option in options or ():
        try:
            if parse_yes_no(option) is value:
                return option
        except Unreadable:
            continue
    return "Yes" if value else "No"


# -- agents and cells --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentRef:
    """Who and where: enough to find the agent's row in Excel."""

    # Who and where, first in every one-agent command's JSON: agent, class, sheet, row.
    name: str = field(metadata=as_json(key="agent"))
    cls: str = field(metadata=as_json(key="class"))
    sheet: str
    row: int
    agent_id: str = field(metadata=as_json(hidden=True))
    email: str = field(metadata=as_json(hidden=True))
    # With the ID and e-mail, tells namesakes apart.
    n_number: str = field(default="", metadata=as_json(hidden=True))


@dataclass(frozen=True, slots=True)
class CellChange:
    """One cell esp writes (or, with --dry-run, would write): where, whose, old and new."""

    # As JSON and CSV: sheet, cell, agent, column, old, new.
    sheet: str
    row: int = field(metadata=as_json(hidden=True))
    col: int = field(metadata=as_json(hidden=True))
    agent: str
    cls: str = field(metadata=as_json(hidden=True))
    column: str
    old: Any
    new: Any
    # The agent's Agent ID, e-mail and N Number (maybe empty) for a cell of an agent's row,
    # recorded so the row can be found again; None for a cell written by address.
    agent_id: str | None = field(default=None, metadata=as_json(hidden=True))
    email: str | None = field(default=None, metadata=as_json(hidden=True))
    n_number: str | None = field(default=None, metadata=as_json(hidden=True))

    @property
    @exported(after="sheet")
    def cell(self) -> str:
        return f"{col_letter(self.col)}{self.row}"

    @property
    def address(self) -> str:
        return address(self.sheet, self.row, self.col)


@dataclass(frozen=True, slots=True)
class WaitingChange:
    """A cell of a change that waited beside the tracker, which a write writes before the
    command's own (or, with --dry-run, would): its operation, then the cell as CellChange
    has it."""

    # As JSON and CSV: op (the waiting operation's id), then the cell's keys.
    op: str
    change: CellChange = field(metadata=as_json(flat=True))
    # Who made the operation, when, with which command: a table's title for its cells.
    made: str = field(default="", metadata=as_json(hidden=True))


@dataclass(frozen=True, slots=True)
class LeftColumn:
    """A column an undo that waited leaves where it is, written with this write: emptied,
    its header left, as an undo written at once says (its cells or header are the team's
    now, or something keeps it)."""

    op: str  # the undo that waited
    undone: str  # the operation it undoes, which added the column
    column: AddedColumn


@dataclass(frozen=True, slots=True)
class AddedColumn:
    """A column esp adds after a sheet's last header because a write needs it."""

    # As JSON (the operation log's): sheet, column (its letter), col, header.
    sheet: str
    col: int
    header: str
    note: str = field(
        default="", metadata=as_json(hidden=True)
    )  # why not right after the last header
    # The header's row (0: not known, in an entry an older esp recorded).
    row: int = field(default=0, metadata=as_json(hidden=True))
    # The header cell's XML before the write added the column (None: there was no cell, or
    # an entry an older esp recorded): what an undo puts back there, its format and all.
    before_xml: str | None = field(default=None, metadata=as_json(hidden=True))
    # What the write's report says of its width: added visible beside a hidden column, or
    # given the sheet's standard width ("" when it is as wide as the column beside it).
    width_note: str = field(default="", metadata=as_json(hidden=True))

    @property
    def why(self) -> str:
        """Where it is placed and how wide, when either needs saying ("" when neither)."""
        return "; ".join(n for n in (self.note, self.width_note) if n)

    @property
    @exported(key="column", after="sheet")
    def letter(self) -> str:
        return col_letter(self.col)

    def __str__(self) -> str:
        return f"{self.sheet}!{self.letter} '{self.header}'"


@dataclass(frozen=True, slots=True)
class Finding:
    """A cell esp could not understand (or a structural problem), with where and why."""

    # As JSON: cell (Sheet!A1), column, value, problem.
    sheet: str = field(metadata=as_json(hidden=True))
    row: int = field(metadata=as_json(hidden=True))
    col: int = field(metadata=as_json(hidden=True))
    column: str
    value: str
    message: str = field(metadata=as_json(key="problem"))

    @property
    @exported(key="cell", after="")
    def address(self) -> str:
        return address(self.sheet, self.row, self.col)

    def __str__(self) -> str:
        return f"{self.address} ({self.column}): {self.message}"


@dataclass(frozen=True)
class WriteReport:
    """What a write changed (or, with --dry-run, would change), and where the backup is."""

    # What a writing command's JSON ends with: the cells, the columns added (as labels),
    # dry_run, the backup and the operation.
    tracker: Path = field(metadata=as_json(hidden=True))
    changes: list[CellChange]
    added_columns: list[AddedColumn] = field(metadata=as_json(hidden=True))
    dry_run: bool
    backup: Path | None = None  # None: nothing was written
    # The operation recorded in the history log; for a change that waits, the waiting
    # operation's id (the log records it under the same id once it is written).
    op: str | None = None
    # Why the change waits beside the tracker ("open in Excel by Keisha Grant"); None: it
    # did not wait.
    waiting: str | None = field(default=None, metadata=as_json(hidden=True))
    # The changes that waited beside the tracker and were written with this one, first
    # (their operations; with --dry-run, those the write would write), and those still
    # waiting because a cell of theirs conflicts.
    waiting_written: list[str] = field(default_factory=list, metadata=as_json(after="status"))
    waiting_held: list[str] = field(default_factory=list, metadata=as_json(after="waiting_written"))
    # A dry run while the tracker is busy: who has it ("open in Excel by Keisha Grant"),
    # so the real run would write nothing now and keep its change waiting (exit 7).
    would_wait: str | None = field(default=None, metadata=as_json(omit_none=True))
    # The cells of the waiting changes written (or that would be), each with its operation:
    # `changes` holds the command's own.
    waiting_changes: list[WaitingChange] = field(
        default_factory=list, metadata=as_json(after="waiting_held")
    )
    # The columns the undos among those changes leave where they are (emptied, header and
    # all), as each would say written at once.
    waiting_left_columns: list[LeftColumn] = field(
        default_factory=list, metadata=as_json(hidden=True)
    )

    @property
    def cells_written(self) -> int:
        """How many cells the write writes (or would): the command's own and those of the
        changes that waited, a cell both write (a note line each) counted once."""
        if not self.waiting_changes:
            return len(self.changes)
        cells = {(c.sheet, c.row, c.col) for c in self.changes}
        cells.update((w.change.sheet, w.change.row, w.change.col) for w in self.waiting_changes)
        return len(cells)

    @property
    @exported(key="added_columns", after="changes")
    def added_column_labels(self) -> list[str]:
        return [str(a) for a in self.added_columns]

    @property
    @exported(after="op")
    def status(self) -> str:
        """written; waiting (nothing written yet, nothing lost: the change waits beside the
        busy tracker); dry_run; or unchanged (nothing to write)."""
        if self.dry_run:
            return "dry_run"
        if self.waiting is not None:
            return "waiting"
        return "written" if self.backup is not None else "unchanged"


@dataclass(frozen=True)
class Signer:
    """Who signs a note line or a change, and where that name came from ("--by",
    "ESP_USER", or the esp.toml it was read from), for the "Signed:" line."""

    name: str
    source: str


# -- messages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """A message's words: its subject, its body as plain text and as HTML (the two say the
    same), the name a copy of it saved as a file takes, and the pictures the HTML shows."""

    subject: str
    text: str
    html: str
    stem: str  # 'TBT Completion Report 2026-11-24': a saved copy is '<stem>.eml'
    images: tuple[InlineImage, ...] = ()


@dataclass(frozen=True)
class InlineImage:
    """A picture shown inside the HTML (`<img src="cid:{cid}">`), sent with the message: a
    linked or `data:` image is dropped or blocked by Outlook and Gmail."""

    cid: str  # the Content-ID, without its angle brackets
    data: bytes
    subtype: str  # image/<subtype>
    filename: str


@dataclass(frozen=True)
class MailReport:
    """What was done with one e-mail (or, with --dry-run, would be): the drafts saved, the
    recipients it was sent to — the counterpart of WriteReport for a message."""

    subject: str
    eml: Path | None = None  # saved as an .eml draft
    msg: Path | None = None  # saved as an Outlook .msg draft
    sent_to: tuple[str, ...] = ()  # the recipients who got it, when it was sent
    server: str | None = None  # host:port it was sent through
    dry_run: bool = False  # nothing was saved or sent: the rest says what would have been
    text: str = ""  # the whole message, headers and both bodies, as text
    # The recipients the server refused (address -> its reply) when it took the message for
    # the others, and the copy addressed to them only, saved to send by hand.
    refused: dict[str, str] = field(default_factory=dict)
    refused_copy: Path | None = None
    refused_unsaved: str = ""  # why that copy could not be saved (a full disk), if it was not

    @property
    def refused_words(self) -> str:
        """'a@x.com (550 5.1.1 user unknown); b@x.com (…)'."""
        return "; ".join(f"{addr} ({reply})" for addr, reply in self.refused.items())

    @property
    def refused_copy_words(self) -> str:
        """Where the copy for the refused recipients is, or why there is none."""
        if self.refused_copy is not None:
            return f"a copy addressed to them only is saved as {self.refused_copy}"
        return f"a copy addressed to them only could not be saved: {self.refused_unsaved}"

    @property
    def sent(self) -> bool:
        return bool(self.sent_to) and not self.dry_run


# An agent whose Class is blank, where a person reads it (a table, a report's text, its
# e-mail, its workbook): JSON and CSV give the cell's own "", in every command.
NO_CLASS = "(no class)"
# A class typed as one of the words a report uses for a row of its own ("(no class)",
# "Total") is shown marked, so a reader never takes it for that row.
CLASS_MARK = " (class)"


def class_shown(cls: str) -> str:
    """A class as a person reads it: NO_CLASS for a blank one, a class typed as NO_CLASS
    marked (CLASS_MARK)."""
    name = " ".join(cls.split())
    if not name:
        return NO_CLASS
    return name + CLASS_MARK if name.casefold() == NO_CLASS else cls


def class_aside(cls: str) -> str:
    """A class inside brackets after a name, "Ana Ruiz (AET-1102)": class_shown, with
    "no class" for a blank one, whose brackets are the sentence's."""
    return class_shown(cls) if cls.strip() else NO_CLASS.strip("()")


def class_in_data(cls: str, overall: str = "") -> str:
    """A class as a report's JSON and CSV give it: as typed, spaces tidied ("" when blank);
    one typed as the name of the report's overall row (`overall`: "All", "Total"), which
    shares its column, marked (CLASS_MARK)."""
    name = " ".join(cls.split())
    return name + CLASS_MARK if overall and name.casefold() == overall.casefold() else name


def is_no_class(text: str) -> bool:
    """Is `text` (an option's value) the NO_CLASS label, in any case or spacing?"""
    return " ".join(text.split()).casefold() == NO_CLASS
