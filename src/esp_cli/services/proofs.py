"""esp tbt proofs: record the agents' TBT completion proofs and flag All TBTs Complete?.

Every file in the folder is checked in turn. It must be a real PDF (by its content: the
`%PDF-` header at the start and `%%EOF` near the end, so a Word file renamed .pdf or a
half-copied download is caught), named `First Last TBT.pdf` exactly as the agent's name is
spelt in the tracker (a close miss — case, underscores, no ` TBT`, `Last, First` — is
rejected with the name it should have), and name exactly one agent. A good file gets a row in
the TBT Tracking Sheet (Agent, Class, File, Received, Recorded By, SHA-256; the workbook is
created when absent; of a workbook with several sheets of proofs, every one is read, and the
rows go to the one `tracking_tab` chooses) unless the same file — the same SHA-256 — is
already there for that agent (recorded for another agent, it is not this one's proof:
rejected, naming whose it is; come as two agents' transcripts in one run, recorded for
neither, it is neither's: both rejected, naming each other — also when one copy is
refused for something else, its name or its day), and its agent gets All TBTs
Complete? = Yes (spelt as the column's drop-down spells it) and TBT Complete Date = the day
the file was received (its modification date), where not already set. Rejected files change
nothing.

The agents e-mail their transcript: an e-mail saved in the folder (.eml, or Outlook's .msg)
gives the PDFs attached to it (in a forwarded message, or an e-mail attached as a saved
.msg or .eml file, too), each checked and recorded exactly as a file would be. A good one is
saved into the folder under its own name — never over another file: a different file of
that name already there refuses it — dated the day the e-mail was sent, which is also the
day it was received (one found in an e-mail forwarded as an attachment: the day that
e-mail, the agent's, was sent, when it says; else the nearest forward around it that says,
one forwarded twice read from the innermost e-mail out). A day that cannot be the day it was
sent is not written (`dated`): an agent's e-mail dated after the forward carrying it is
dated the forward's day, anything dated after today is dated today, and one dated before the agent's
ESP Start Date is said and dated the forward's day when it came forwarded on or after the
start, else today (not recorded while today is before the start too). The sender's
address is checked against the agent's Email column: a mismatch is said (another agent's
address, one the tracker does not know, an Exchange user's name with no address stored that
is not the agent's, none at all, sent on the agent's behalf by another agent), never used to
guess whose proof it is — only to tell apart two agents the file's name fits alike
(namesakes in two classes): the one whose address in the tracker sent it.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core.columns import (
    Rank,
    header_blocks,
    normalise_header,
    pick_columns,
    set_aside_words,
)
from esp_cli.core.filenames import explorer_order
from esp_cli.core.model import AgentRef, class_aside
from esp_cli.core.names import (
    MAX_NAME_IN_FILE,
    PROOF_SUFFIX,
    close_name,
    display_name,
    file_safe,
    has_comma,
    name_in_file,
    name_key,
    people_meant,
    proof_file_key,
    proof_file_name,
    same_spelling,
    unaccented,
    uncut_proof_file_name,
    unjoined_key,
    unsafe_in_file,
)
from esp_cli.core.records import ListTable, Placement, place_rows, rows_text, totals_under
from esp_cli.core.refs import address, col_letter
from esp_cli.core.reports import EMPTY_FILE
from esp_cli.core.rules import fmt
from esp_cli.core.values import Unreadable, is_blank, parse_date, text_of
from esp_cli.errors import InputFileError, UsageError, WriteFailedError
from esp_cli.mail.attachments import Attached, Hop, read_files
from esp_cli.mail.selfreports import UnreadableMail, local_day
from esp_cli.results.proofs import Proof, ProofsResult, Rejected
from esp_cli.services.advise import email_addresses
from esp_cli.services.agents import (
    LOOKUP_KEYS,
    describe,
    find_agents,
    name_tokens,
    same_person,
)
from esp_cli.services.escalations import FOLLOW_SCAN, follow_computed, partial_computed
from esp_cli.services.facts import calendar_from, need_rule_columns
from esp_cli.system import (
    MAX_FILE_NAME,
    create_file_atomically,
    file_name_length,
    is_system_file,
    real_path,
)
from esp_cli.workbook.inputs import check_not_lock_file
from esp_cli.workbook.session import ChangePlan, write_session
from esp_cli.workbook.tracker import Row, Table
from esp_cli.workbook.xlsx.package import SheetInfo
from esp_cli.workbook.xlsx.safety import refuse_long_name
from esp_cli.workbook.xlsx.workbook import Workbook

log = logging.getLogger("esp")

PDF_HEADER = b"%PDF-"
PDF_EOF = b"%%EOF"
# Readers accept the header a little way in and the end marker a little before the end
# (trailing blank lines, a stray byte from a mail client): the PDF spec's 1024 bytes.
PDF_SLACK = 1024
MAIL_SUFFIXES = (".eml", ".msg")  # the agent's e-mail, its PDF attached
NEVER_OVER = "esp never saves over another file: compare the two and keep one"
TRACKING_SHEET = "TBT Tracking"
SHA256_TEXT = re.compile(r"[0-9a-f]{64}")
YEAR_TEXT = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
READ_KEYS = (*LOOKUP_KEYS, "esp_start", "tbts_complete", "tbt_complete_date")
HEADER_SCAN_ROWS = 20
# The tracking sheet's columns: key -> (header written, other spellings accepted).
TRACKING_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "agent": ("Agent", ("agent name", "name")),
    "class": ("Class", ("class id", "wave")),
    "file": ("File", ("file name", "proof", "pdf")),
    "received": (
        "Received",
        (
            "date received",
            "received date",
            "date",
            "received on",
            "date rec d",
            "date recd",
            "rec d",
            "recd",
            "date submitted",
        ),
    ),
    "recorded_by": ("Recorded By", ("uploaded by", "by")),
    "sha256": ("SHA-256", ("sha256", "sha 256", "checksum")),
}


# ------------------------------------------------------------------------- pure checks


def pdf_problem(data: bytes) -> str | None:
    """Why `data` is not a complete PDF, or None when it is one."""
    if not data:
        return EMPTY_FILE
    if PDF_HEADER not in data[:PDF_SLACK]:
        return "not a PDF (its content does not start with %PDF-)"
    if PDF_EOF not in data[-PDF_SLACK:]:
        return "an incomplete PDF (no %%EOF at the end: cut short while copying or saving?)"
    return None


# The marks a second copy's name carries, at its end: Windows' and the browsers' '(1)' (with
# or without a space before it), Explorer's ' - Copy' and ' - Copy (2)', the Mac's ' copy'
# and ' copy 2'; and a '.pdf' typed into a Save-as box that adds its own ('X.pdf.pdf').
_COPY_MARK = re.compile(
    r"(?:\s*\(\d+\)|\s+-\s+copy(?:\s*\(\d+\))?|\s+copy(?:\s+\d+)?|\.pdf)$", re.I
)


def copy_mark(file_name: str) -> tuple[str, str]:
    """A file name without the marks of a copy's name, and those marks ('' when none):
    'Carmen Ortiz TBT (1).pdf' -> ('Carmen Ortiz TBT.pdf', ' (1)')."""
    name = file_name.strip()
    ext = re.search(r"\.pdf$", name, flags=re.I)
    if ext is not None:
        name = name[: ext.start()]
    marks = ""
    while (mark := _COPY_MARK.search(name)) is not None and mark.start() > 0:
        marks = mark.group(0) + marks
        name = name[: mark.start()]
    return name + (ext.group(0) if ext is not None else ""), marks


def name_in(file_name: str) -> str:
    """The agent name a file name gives, forgivingly: 'vargas,_hector_tbt.PDF' -> 'hector
    vargas' words ('Last, First' turned round; the ' TBT' and '.pdf' left out, and a copy's
    marks: ' (1)', ' - Copy')."""
    stem = re.sub(r"\.pdf$", "", copy_mark(file_name)[0], flags=re.I)
    words = re.sub(r"[_\s]+", " ", stem).strip()
    words = re.sub(r"[\s-]*\btbt\b\s*$", "", words, flags=re.I).strip(" -")
    return display_name(words)


def misnaming(file_name: str, expected: str, agent: str = "") -> str:
    """What is wrong with a file name that names the right agent (`agent`, as the tracker
    spells it), in a person's words."""
    file_name, marks = copy_mark(file_name)
    wrong = [f"a copy's name ('{marks.strip()}')"] if marks else []
    if "_" in file_name:
        wrong.append("underscores for spaces")
    if has_comma(file_name):
        wrong.append("'Last, First' order")
    pdf = file_name.lower().endswith(".pdf")
    if not re.search(r"\btbt\s*(\.pdf)?$", file_name.replace("_", " "), flags=re.I):
        wrong.append("no ' TBT' before .pdf" if pdf else "no ' TBT' and no '.pdf' at the end")
    elif not pdf:
        wrong.append("no '.pdf' at the end")
    name_case = f"{name_in(file_name)}{PROOF_SUFFIX}"
    tbt_case = re.search(r"tbt\s*\.pdf$", file_name, flags=re.I)
    if (name_case != expected and name_case.casefold() == expected.casefold()) or (
        tbt_case and not tbt_case.group(0).endswith("TBT.pdf")
    ):
        wrong.append("capitals differ")
    named, meant = name_key(name_in(file_name)), name_key(expected.removesuffix(PROOF_SUFFIX))
    if named != meant and unjoined_key(name_in(file_name)) == unjoined_key(
        agent or expected.removesuffix(PROOF_SUFFIX)
    ):
        wrong.append("a zero-width joiner or non-joiner differs (U+200C, U+200D)")
    elif named != meant and unaccented(named) == unaccented(meant):
        wrong.append("accents differ")
    if "..." in file_name and "…" in expected and "…" not in file_name:
        wrong.append("three dots for the ellipsis '…', typed Alt+0133 on Windows")
    unsafe = unsafe_in_file(file_name) or unsafe_in_file(agent)
    if unsafe and not wrong:
        wrong.append(f"the agent's name without its {unsafe} (no Windows file name can hold it)")
    return ", ".join(wrong) or "not the 'First Last TBT.pdf' form"


def check_name(
    file_name: str, rows: Sequence[Row], tracker: str, hints: Sequence[Row] = ()
) -> Row | Rejected:
    """The one agent a well-named file belongs to, or why the file is rejected. The name is
    the agent's as a Windows file name can hold it (proof_file_name): two agents whose names
    make the same file name (namesakes in two classes) are both named, never guessed
    between — unless one of them is told by `hints`, tried in turn: the agent whose address
    in the tracker alone sent the e-mail it came in (_address_agent), the one agent the
    same file is recorded for (_recorded_agent)."""
    row, refused = _named(file_name, rows, tracker, hints)
    if refused is not None:
        return refused
    assert row is not None  # _named gives one or the other
    return row


def _named(
    file_name: str, rows: Sequence[Row], tracker: str, hints: Sequence[Row] = ()
) -> tuple[Row | None, Rejected | None]:
    """check_name's answer as (the one agent the file is named for, why it is rejected):
    a file badly named for one agent ('Kim_Lee_TBT.pdf') gives both — it came as her
    transcript, even though it cannot be taken so named."""
    wanted = name_in(file_name)
    if not name_tokens(wanted):
        why = "badly named: no agent name in it; name it 'First Last TBT.pdf'"
        return None, Rejected(file_name, why)
    found = find_agents(rows, wanted)
    if not found and wanted.endswith(("…", "...")):  # a very long name, cut as esp tells it
        found = [
            r for r in rows if _cut_name(r.name) and name_key(_cut_name(r.name)) == name_key(wanted)
        ]
    # Typed without the tracker's accents (a US keyboard has none): close, never taken.
    bare = [] if found else people_meant(rows, wanted, _name_of, by_start=False)
    found, bare = _told_by(found, hints), _told_by(bare, hints)
    if len(bare) > 1:
        return None, _not_guessed(file_name, bare, f"are named {wanted!r} without accents")
    if not found and not bare:
        shape_ok = (
            file_name.endswith(PROOF_SUFFIX) and "_" not in file_name and not has_comma(file_name)
        )
        what = "matches no agent" if shape_ok else "badly named, and names no agent"
        return None, Rejected(
            file_name, f"{what} in {tracker} ({wanted!r}); name it 'First Last TBT.pdf'"
        )
    if len(found) > 1:
        return None, _not_guessed(file_name, found, f"are named {wanted!r}")
    row = (found or bare)[0]
    expected = proof_file_name(row.name) or f"{row.name}{PROOF_SUFFIX}"
    # Windows takes a file name whatever its case: two names differing only so are one file.
    key = proof_file_key(row.name)
    same = [r for r in rows if proof_file_key(r.name) == key] if key is not None else [row]
    same = _told_by(same, hints)
    if len(same) > 1:
        return None, _not_guessed(file_name, same, f"have transcripts named {expected!r}")
    # macOS names files in NFD ('José' as 'Jose' + an accent), and any apostrophe may be
    # typed: the same name to a person.
    # A very long name told whole before esp cut it: the file is the agent's where it exists.
    uncut = uncut_proof_file_name(row.name)
    if not same_spelling(file_name, expected) and not (uncut and same_spelling(file_name, uncut)):
        return row, Rejected(
            file_name,
            f"badly named ({misnaming(file_name, expected, row.name)}): rename it to '{expected}'",
            expected,
            agent=row.ref(),
        )
    return row, None


def _told_by(agents: list[Row], hints: Sequence[Row]) -> list[Row]:
    """Of the agents a file's name fits, the first of `hints` (the agent whose own address
    sent it, the one it is recorded for) that is one of them; else all of them."""
    if len(agents) < 2:
        return agents
    for hint in hints:
        told = [a for a in agents if _row_key(a) == _row_key(hint)]
        if told:
            return told
    return agents


def _cut_name(name: str) -> str:
    """The agent's name as a file name holds it when it is cut there (name_in_file); ""
    for a name a file holds whole."""
    return name_in_file(name) if len(file_safe(name)) > MAX_NAME_IN_FILE else ""


def _name_of(row: Row) -> str:
    return row.name


def _not_guessed(file_name: str, agents: Sequence[Row], what: str) -> Rejected:
    """A file more than one agent's name fits: each named, to record by hand."""
    named = "; ".join(describe(r) for r in agents)
    return Rejected(file_name, f"{len(agents)} agents {what}: {named}; record this one by hand")


# ------------------------------------------------------------------ the tracking sheet


@dataclass(frozen=True)
class HandRow:
    """A row typed by hand naming a file with its Received day: the agent as typed, the
    row's Class and the Agent cell."""

    agent: str
    cls: str
    cell: str


@dataclass
class TrackingSheet:
    """The TBT Tracking Sheet as read: where its columns are and the proofs it holds."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # key of TRACKING_COLUMNS -> 1-based column
    last_header_col: int
    last_row: int
    last_used_col: int = 0  # the rightmost column holding a value, header or not
    used: set[int] = field(default_factory=set)  # the rows under the header holding a value
    files: set[int] = field(default_factory=set)  # ... a value in the File column
    # SHA-256 -> whom the file was recorded for, the day it was received (as typed) and
    # the row's Class.
    hashes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # (agent key, file) of the rows typed by hand (no SHA-256, a Received day) -> the rows
    # (namesakes in two classes each have theirs).
    names: dict[tuple[str, str], list[HandRow]] = field(default_factory=dict)
    # (agent key, file) of the rows typed by hand whose Received looks like a day esp cannot
    # read ('11/23', 'Nov 23': no year) -> (cell, text): no proof, but said.
    unread_days: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # The same for the rows under a plain 'Date' on a sheet not known by its name or columns
    # to hold recorded proofs: they count when esp records proofs on this sheet
    # (`count_dated`), and hold no proof on another (a reminder tab).
    dated: dict[tuple[str, str], list[HandRow]] = field(default_factory=dict)
    dated_unread: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # The headers set aside for another naming their column as exactly or more: (the
    # column's header as esp writes it, (cell, text) of the one read, of the one set aside).
    # ... and why, when not the headers: the one set aside is empty in every row.
    set_aside: list[tuple[str, tuple[str, str], tuple[str, str], str]] = field(default_factory=list)
    # The cells of those headers (of the one read too) in a column Excel hides -> its letter.
    hidden_headers: dict[str, str] = field(default_factory=dict)
    visible: bool = True
    state: str = "visible"  # visible | hidden | veryHidden, as Excel keeps it


@dataclass
class TrackingBook:
    """Every sheet of the TBT Tracking Sheet workbook with the Agent and File headers,
    visible or hidden (a sheet per month or per class, an archive, a list of the files
    expected), in tab order, and the proofs all of them hold: a file recorded on any of
    them is recorded."""

    sheets: list[TrackingSheet]
    # SHA-256 -> whom the file was recorded for, the day it was received (as typed), the
    # sheet it is on, and the row's Class.
    hashes: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    # (agent key, file) of the rows typed by hand -> the sheet each is on, and the row.
    names: dict[tuple[str, str], list[tuple[str, HandRow]]] = field(default_factory=dict)
    # (agent key, file) of hand rows with a Received esp cannot read as a day -> (cell, text).
    unread_days: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # The tracker's agents: a row names one by her name or Agent ID, or by a looser name
    # (a middle name on one side) when she alone can be meant (`_meant`).
    agents: tuple[Row, ...] = ()
    # The tracker's classes, stripped and in small letters: a tab's name cut short is one
    # class's only when no other class is cut to it.
    classes: frozenset[str] = frozenset()
    # (agent key, file) of the rows typed by hand under a plain 'Date' on a sheet esp does
    # not record proofs on (`count_dated`) -> the sheet, and the row:
    # no proof, but said when the file is recorded again.
    uncounted: dict[tuple[str, str], list[tuple[str, HandRow]]] = field(default_factory=dict)
    # The tracker's Class cells, by agent row (sheet, row): named when a class spelt alike
    # with another is likely a slip in them (`_misspelt`).
    class_cells: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def several(self) -> bool:
        return len(self.sheets) > 1


def _tracking_key(header: object) -> tuple[str, Rank] | None:
    """The tracking sheet's column a header names, and how exactly (its own header, or
    another spelling): none when it asks a question ('Received?' holds a yes or a no, and
    the sheet has no yes/no column)."""
    if str(header).strip().endswith("?"):
        return None
    norm = normalise_header(header)
    for key, (title, others) in TRACKING_COLUMNS.items():
        if norm == normalise_header(title):
            return key, Rank.EXACT
        if norm in others:
            return key, Rank.VARIANT
    return None


def _cell(record: list[Any], columns: dict[str, int], key: str) -> str:
    c = columns.get(key)
    return text_of(record[c - 1]) if c and c <= len(record) else ""


def read_tracking(
    wb: Workbook, waiting: Callable[[str], Mapping[tuple[int, int], Any]] | None = None
) -> TrackingBook:
    """Every sheet with Agent and File headers in its first rows, visible or hidden: the
    proofs of all of them are the proofs recorded. `waiting`: the cells of a sheet the
    changes waiting beside it leave, by (row, column) — they are written first, in the same
    write — so the proofs are judged on the sheet as those changes leave it (the rows a
    waiting undo empties are no longer there; rows a waiting run adds are). Its header row
    is read as it is."""
    book = TrackingBook([])
    for info in wb.sheets:
        found = _read_sheet(wb, info, waiting(info.name) if waiting is not None else {})
        if found is not None:
            book.sheets.append(found)
    if not book.sheets:
        raise InputFileError(
            f"{wb.path}: no sheet has the TBT Tracking Sheet's 'Agent' and 'File' headers.",
            fix="add them to the header row, or give another file with --tracking-sheet.",
        )
    for found in book.sheets:
        for digest, (agent, day, cls) in found.hashes.items():
            book.hashes.setdefault(digest, (agent, day, found.sheet, cls))
        for key, hands in found.names.items():
            book.names.setdefault(key, []).extend((found.sheet, hand) for hand in hands)
        for key, said in found.unread_days.items():
            book.unread_days.setdefault(key, said)
    return book


# Headers that say the day received in other words (Date Rec'd, Date Submitted).
RECEIVED_SAID = frozenset({"date rec d", "date recd", "rec d", "recd", "date submitted"})


def _holds_received(header: list[Any], columns: dict[str, int]) -> bool:
    """Whether the sheet's Received column holds the day a proof came, so a row typed by
    hand with a day there is a proof: a header that says so ('Received', 'Date Received');
    a 'Date' on a sheet of recorded proofs — one with the Recorded By or SHA-256 column esp
    writes beside it — where esp itself writes the day received. A 'Date' on another sheet
    (a reminder tab: Agent | File | Date, the day the reminder went out) is no day received
    — unless esp records proofs on that sheet (`count_dated`), whatever it is called: a tab
    named TBT Tracking, as esp names the sheet it creates, is no other."""
    heard = columns.get("received")
    if heard is None:
        return False
    said = normalise_header(header[heard - 1])
    if "received" in said or said in RECEIVED_SAID:
        return True
    return "recorded_by" in columns or "sha256" in columns


def _read_sheet(
    wb: Workbook, info: SheetInfo, left: Mapping[tuple[int, int], Any]
) -> TrackingSheet | None:
    """The sheet's proofs, when it has Agent and File headers in its first rows."""
    values = wb.values(info)
    rows = values.rows
    last_col = values.last_col
    for r, line in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        # Of two headers naming one column, the one in the sheet's block of headers (not
        # a list beside it), then its own header ('Agent' over a 'Name' left of it),
        # else the first.
        named = [
            (c, *hit)
            for c, value in enumerate(line, start=1)
            if isinstance(value, str) and (hit := _tracking_key(value)) is not None
        ]
        keys = {c: key for c, key, _ in named}
        blocks = None
        if len(set(keys.values())) < len(keys):  # a column named twice: which block?
            heads = [c for c, value in enumerate(line, start=1) if not is_blank(value)]
            below = rows[r : r + HEADER_SCAN_ROWS]
            blocks = header_blocks(
                {c: keys.get(c) for c in heads},
                {
                    c: sum(1 for ln in below if c <= len(ln) and not is_blank(ln[c - 1]))
                    for c in heads
                },
            )
        columns, aside = pick_columns(named, blocks)
        if "agent" not in columns or "file" not in columns:
            continue
        last_header = max(c for c, v in enumerate(line, start=1) if not is_blank(v))
        if left:
            rows, last_col = _as_left(rows, r, left, last_col)
        columns, aside, emptied = _filled_first(columns, aside, rows[r:])
        found = TrackingSheet(info.name, r, columns, last_header, r, last_col)
        found.visible, found.state = info.visible, info.state
        received_said = _holds_received(line, columns)
        found.set_aside = [
            (
                TRACKING_COLUMNS[key][0],
                (address(info.name, r, read), text_of(line[read - 1])),
                (address(info.name, r, other), text_of(line[other - 1])),
                f"'{text_of(line[other - 1])}' is empty in every row" if other in emptied else "",
            )
            for key, read, other in aside
        ]
        found.hidden_headers = {
            address(info.name, r, c): col_letter(c)
            for _, read, other in aside
            for c in (read, other)
            if values.col_hidden(c)
        }
        for number, record in enumerate(rows[r:], start=r + 1):
            if any(not is_blank(v) for v in record):
                found.last_row = number
                found.used.add(number)
            if _cell(record, columns, "file").strip():
                found.files.add(number)
            digest = _cell(record, columns, "sha256").strip().lower()
            file = _cell(record, columns, "file").strip()
            if SHA256_TEXT.fullmatch(digest) is None:
                digest = ""  # '-', 'n/a', 'typed by hand': no SHA-256, a row typed by hand
            if digest:
                found.hashes.setdefault(
                    digest,
                    (
                        _cell(record, columns, "agent"),
                        _day_text(record, columns),
                        _cell(record, columns, "class"),
                    ),
                )
            elif file:
                # A proof typed by hand has the day it came; a row naming an agent and a
                # file with none (a list of the files expected, a reminder list; `No`,
                # `Pending` or `TBD` where the day goes) is no proof. One with a day esp
                # cannot read ('11/23': no year) is none either, but said.
                agent = " ".join(name_tokens(_cell(record, columns, "agent")))
                typed = _cell(record, columns, "received")
                names, unread = (
                    (found.names, found.unread_days)
                    if received_said
                    else (found.dated, found.dated_unread)
                )
                if _received_day(record, columns):
                    hand = HandRow(
                        _cell(record, columns, "agent"),
                        _cell(record, columns, "class"),
                        address(info.name, number, columns["agent"]),
                    )
                    names.setdefault((agent, _file_key(file)), []).append(hand)
                elif any(ch.isdigit() for ch in typed):
                    cell = address(info.name, number, columns["received"])
                    unread.setdefault((agent, _file_key(file)), (cell, typed.strip()))
        return found
    return None


def _filled_first(
    columns: dict[str, int], aside: list[tuple[str, int, int]], below: Sequence[list[Any]]
) -> tuple[dict[str, int], list[tuple[str, int, int]], set[int]]:
    """Of two headers naming one column (pick_columns' pick, `columns`, and those it set
    `aside`), the one picked empty in every row under them while another holds values: the
    one the team fills is read ('Date' beside a 'Received' left empty), and esp writes its
    rows there too. Returns the columns, those set aside (as pick_columns gives them), and
    the columns set aside for being empty."""

    def filled(c: int) -> bool:
        return any(c <= len(record) and not is_blank(record[c - 1]) for record in below)

    columns = dict(columns)
    emptied: set[int] = set()
    candidates: dict[str, list[int]] = {}
    for key, read, other in aside:
        candidates.setdefault(key, [read]).append(other)
    for key, found in candidates.items():
        if filled(columns[key]):
            continue
        full = [c for c in found if filled(c)]
        if full:
            emptied.add(columns[key])
            columns[key] = full[0]
    again = [(key, columns[key], c) for key, found in candidates.items() for c in found]
    return columns, sorted((a for a in again if a[1] != a[2]), key=lambda a: a[2]), emptied


def said_switches(book: TrackingBook) -> None:
    """Say, for each sheet, the headers set aside for being empty in every row while
    another of the same column is filled ('Received' left empty beside the 'Date' the team
    fills): which is read decides which rows are proofs recorded, so it is said on every
    run, whether or not a proof is recorded."""
    for found in book.sheets:
        for name, read, aside, why in found.set_aside:
            if why:
                hidden = (found.hidden_headers.get(read[0]), found.hidden_headers.get(aside[0]))
                log.warning(
                    "%s", set_aside_words(name, read, aside, why, mapped=False, hidden=hidden)
                )


def count_dated(book: TrackingBook, records_on: Sequence[TrackingSheet]) -> None:
    """Take the rows typed by hand under a plain 'Date' as recorded proofs on the sheets esp
    records proofs on (`records_on`: the --tracking-tab sheet, else each class's tab and the
    first visible sheet) — esp itself writes the day received under that 'Date' there —
    whatever the sheet is called. On any other sheet they hold none, however it is laid
    out: a reminder tab and last month's tab may be headed alike, and the day of a reminder
    is no day received. They are kept, to be said when the file they name is recorded
    again (`_uncounted_row`)."""
    for found in book.sheets:
        if any(found is t for t in records_on):
            for key, hands in found.dated.items():
                book.names.setdefault(key, []).extend((found.sheet, hand) for hand in hands)
            for key, said in found.dated_unread.items():
                book.unread_days.setdefault(key, said)
        else:
            for key, hands in found.dated.items():
                book.uncounted.setdefault(key, []).extend((found.sheet, hand) for hand in hands)


def records_on(
    book: TrackingBook, classes: Sequence[str], named: TrackingSheet | None
) -> list[TrackingSheet]:
    """The sheets esp records new proofs on: the one named (--tracking-tab, [tracker]
    tbt_tracking_tab), else the tab each class's proofs go to and the first visible sheet —
    none when every sheet is hidden (esp then refuses the proofs it cannot place)."""
    if named is not None:
        return [named]
    found: list[TrackingSheet] = []
    for cls in ("", *classes):
        try:
            tab = tracking_tab(book, cls)
        except Unplaced:
            continue  # said when a proof of that class is to be written
        if all(tab is not t for t in found):
            found.append(tab)
    return found


def named_tab(book: TrackingBook, tab: str, path: Path, source: str) -> TrackingSheet:
    """The sheet named `tab` (by --tracking-tab or [tracker] tbt_tracking_tab: `source`):
    spelt as its tab is, else in other capitals, else named as esp names a class's tab
    ('AET-1102' for 'AET/1102': class_tab_name), else spelt with its separators otherwise
    ('AET_1102' for 'AET 1102': tab_key) — the best of these wins; refused when the
    workbook has none such with the headers, or two alike at the best."""
    given = " ".join(tab.split()).casefold()
    tiers = [
        [t for t in book.sheets if t.sheet == tab],
        [t for t in book.sheets if _name_key(t.sheet) == given],
        [t for t in book.sheets if _name_key(t.sheet) == _name_key(class_tab_name(tab))],
        [t for t in book.sheets if tab_key(tab) and tab_key(t.sheet) == tab_key(tab)],
    ]
    for chosen in tiers:
        if len(chosen) > 1:
            raise UsageError(
                f"{path}: the sheets {_listed(chosen)} are all spelt as '{tab}'; esp cannot "
                "tell which one is meant, and wrote nothing.",
                fix=f"give the sheet with {source} spelt as its tab is.",
            )
        if chosen:
            return chosen[0]
    names = ", ".join(f"'{t.sheet}'" for t in book.sheets)
    raise UsageError(
        f"{path}: no sheet named '{tab}' has the TBT Tracking Sheet's 'Agent' and 'File' "
        f"headers (those that have: {names}).",
        fix=f"give one of those with {source}, spelt as its tab is.",
    )


# What a class's tab may be spelt with in place of what the class holds: the characters
# Excel refuses in a sheet's name, and those the team writes for one another ('AET-1102',
# 'AET 1102', 'AET_1102', 'AET.1102' for class AET/1102). Each run of them is one
# separator, whichever: never none ('AET-1-102' is not 'AET-11-02', 'Wave 1.2' not 'Wave 12').
_TAB_SEPARATORS = re.compile(r"[\s\-_/\\.?*\[\]:]+")


def tab_key(name: str) -> str:
    """A sheet's or a class's name as a tab is matched to its class: in small letters, each
    run of the characters a tab's name is spelt otherwise with one space ('AET-1102',
    'AET_1102' and 'AET/1102' are 'aet 1102'; 'AET1102' is not)."""
    return _TAB_SEPARATORS.sub(" ", name).strip().casefold()


def _name_key(name: str) -> str:
    """A sheet's or a class's name as named: in small letters, its spaces as one."""
    return " ".join(name.split()).casefold()


def class_tab_name(cls: str) -> str:
    """The tab esp names for a class: the class as it is, each character Excel refuses in a
    sheet's name written '-', cut at Excel's 31 characters ('AET/1102' -> 'AET-1102'); a tab
    so named is the class's (`_own_tab`), before one spelt otherwise."""
    name = "".join("-" if c in SHEET_NAME_BANNED else c for c in " ".join(cls.split()))
    return name[:MAX_SHEET_NAME].strip().strip("'").strip()


def _class_keys(key: str) -> set[str]:
    """The tab_keys a class's tab (class `key`, stripped and in small letters) may have:
    its whole name's, and its first 31 characters' when it is longer."""
    keys = {tab_key(key), tab_key(key[:MAX_SHEET_NAME])}
    return {k for k in keys if k}


def _listed(tabs: Sequence[TrackingSheet]) -> str:
    return " and ".join(f"'{t.sheet}'" for t in tabs)


# What esp tells the team to do with a sheet hidden in Excel, or very hidden (set by a
# macro: Excel's Unhide does not list it).
UNHIDE = "right-click any sheet tab in Excel, choose Unhide, and pick it"
SHOW_VERY_HIDDEN = (
    "in Excel press Alt+F11, select the sheet under the workbook in the Project pane, and "
    "set its Visible property to -1 - xlSheetVisible"
)


def _tab_level(book: TrackingBook, key: str) -> Callable[[TrackingSheet], int | None]:
    """How a sheet is spelt as the class `key` (stripped, its spaces as one, in small
    letters, as book.classes holds it): 2 named as it (in any capitals; a class longer
    than a tab name can be, by its first 31 characters, unless another class has the same
    first 31), 3 named as esp names its tab ('AET-1102' for AET/1102: class_tab_name), 4
    spelt as it with its separators otherwise (tab_key: 'AET 1102', 'AET_1102'); None: not
    spelt as it. A sheet named as another class is that one's, never this one's at 3 or 4."""
    # A class longer than a tab name can be (Excel's 31 characters) has its tab cut short;
    # two classes alike in their first 31 characters: the cut tab is neither's own.
    cut = key[:MAX_SHEET_NAME].strip()
    if any(c != key and c[:MAX_SHEET_NAME].strip() == cut for c in book.classes):
        cut = key
    others = [c for c in book.classes if c != key]
    named = set(others) | {c[:MAX_SHEET_NAME].strip() for c in others}
    safe = _name_key(class_tab_name(key))
    mine = {k for k in {tab_key(key), tab_key(cut)} if k}

    def level(t: TrackingSheet) -> int | None:
        name = _name_key(t.sheet)
        if name in (key, cut):
            return 2
        if name in named:
            return None
        if safe and name == safe:
            return 3
        return 4 if tab_key(t.sheet) in mine else None

    return level


def _best_spelt(
    book: TrackingBook, key: str, tabs: Sequence[TrackingSheet], cls: str = ""
) -> tuple[int, list[TrackingSheet]]:
    """The sheets of `tabs` spelt best as the class `key` (`_tab_level`; 1: named exactly
    as `cls` is typed), and how; (0, []) when none is."""
    level = _tab_level(book, key)
    found = [(1 if cls and t.sheet.strip() == cls.strip() else level(t), t) for t in tabs]
    spelt = [(lv, t) for lv, t in found if lv is not None]
    if not spelt:
        return 0, []
    best = min(lv for lv, _ in spelt)
    return best, [t for lv, t in spelt if lv == best]


def _class_typed(book: TrackingBook, key: str) -> str:
    """A class as the tracker spells it (`key`: as book.classes holds it)."""
    return next((" ".join(r.cls.split()) for r in book.agents if _name_key(r.cls) == key), key)


class Unplaced(Exception):
    """A class's new proof rows have no sheet esp can tell: why (naming the class and the
    sheets), and the fix. Its proofs are refused, each named; the other classes' are
    recorded."""

    def __init__(self, why: str, fix: str) -> None:
        super().__init__(why)
        self.why, self.fix = why, fix


def _spelt_own(
    book: TrackingBook, cls: str, tabs: Sequence[TrackingSheet], seen: Sequence[TrackingSheet]
) -> tuple[list[TrackingSheet], list[str]]:
    """The sheets of `tabs` spelt best as class `cls` (`_best_spelt`), and the other classes
    (as book.classes holds them) that claim the one found just as much: a tab named as esp
    names its tab or spelt as it that is just as much another class's (AET/1102 and AET 1102
    both in the tracker, and 'AET-1102', neither named exactly). A class with a tab of its
    own among `seen` (the visible sheets, when `tabs` are hidden ones) claims none of
    `tabs`."""
    key = _name_key(cls)
    if not key:
        return [], []
    best, spelt = _best_spelt(book, key, tabs, cls)
    if len(spelt) != 1 or best < 3:
        return spelt, []
    rivals = [
        c
        for c in sorted(book.classes)
        if c != key
        and not _best_spelt(book, c, seen)[1]
        and any(spelt[0] is t for t in _best_spelt(book, c, tabs)[1])
    ]
    return spelt, rivals


def _own_tab(book: TrackingBook, cls: str) -> TrackingSheet | None:
    """The visible sheet that is the tab of class `cls` (None: it has none), the best of:
    the one named as the class (as it is, else in any capitals; a class longer than a tab
    name can be, by its first 31 characters), the one named as esp names its tab
    ('AET-1102' for AET/1102: class_tab_name), the one spelt as it with its separators
    otherwise (tab_key: 'AET 1102', 'AET_1102') — never one named as another class.
    Unplaced: two tabs alike at the best, or a tab another class claims just as much — esp
    never files a proof on a tab it only guessed is the class's."""
    spelt, rivals = _spelt_own(book, cls, [t for t in book.sheets if t.visible], ())
    if len(spelt) > 1:
        raise Unplaced(
            f"class '{cls.strip()}': esp cannot tell which sheet its proof rows go to: the "
            f"sheets {_listed(spelt)} are both spelt as it",
            "rename the one that is not its tab in Excel, or give the sheet with "
            "--tracking-tab (or [tracker] tbt_tracking_tab)",
        )
    if rivals:
        raise _claimed_by_two(book, spelt[0], [cls, *(_class_typed(book, c) for c in rivals)])
    return spelt[0] if spelt else None


def _misspelt(book: TrackingBook, classes: Sequence[str]) -> str:
    """Of classes spelt alike (tab_key: 'AET 1102', 'AET_1102'), the one typed in fewer of
    the tracker's rows than another is likely a slip in its Class cells: those cells (the
    first three), to correct — or '' when none is."""
    rows = {c: [r for r in book.agents if _name_key(r.cls) == _name_key(c)] for c in classes}
    for odd in classes:
        others = [c for c in classes if c != odd and tab_key(c) == tab_key(odd)]
        theirs = max(others, key=lambda c: len(rows[c]), default=None)
        if theirs is None or not rows[odd] or len(rows[odd]) >= len(rows[theirs]):
            continue
        cells = [book.class_cells.get((r.sheet, r.row)) for r in rows[odd]]
        where = [c for c in cells if c]
        if not where:
            continue
        more = f" and {len(where) - 3} more" if len(where) > 3 else ""
        listed = ", ".join(where[:3]) + more
        return (
            f"if class '{odd.strip()}' is a slip for '{theirs.strip()}', correct its Class "
            f"cell{'s' if len(where) > 1 else ''} {listed} in the tracker; else "
        )
    return ""


def _claimed_by_two(book: TrackingBook, tab: TrackingSheet, classes: Sequence[str]) -> Unplaced:
    """The refusal of a tab two classes (or more) can claim alike: named as esp names one's
    tab and spelt as the other ('AET-1102' of AET/1102 and AET 1102), or so for both."""
    listed = " and ".join(f"class '{c.strip()}'" for c in classes)
    exact = [c.strip() for c in classes if class_tab_name(c) == " ".join(c.split())]
    inexact = [c.strip() for c in classes if c.strip() not in exact]
    if exact:
        names = " or ".join(f"'{c}'" for c in exact)
        fix = f"rename the tab in Excel to the exact name of the class it belongs to ({names})"
        if inexact:
            # Excel takes no tab named as AET/1102: it keeps 'AET-1102' once AET 1102
            # has a tab of its exact name.
            theirs = " or ".join(f"'{c}'" for c in inexact)
            fix += (
                f"; if it is the tab of class {theirs} (no tab can be named exactly so), keep "
                f"it and add a tab named {names} for the other class"
            )
        fix += "; or give the sheet with --tracking-tab"
    else:
        fix = (
            "no tab can have either class's exact name (Excel refuses its characters): give "
            "the sheet with --tracking-tab, with only that class's proofs in the folder"
        )
    return Unplaced(
        f"sheet '{tab.sheet}' is spelt as {listed} alike: esp cannot tell whose tab it is",
        _misspelt(book, classes) + fix,
    )


def _hidden(t: TrackingSheet) -> bool:
    """Hidden in Excel (Hide; Unhide lists it): not visible, not very hidden."""
    return not t.visible and t.state != "veryHidden"


def _put_away(book: TrackingBook, cls: str) -> tuple[str, list[TrackingSheet]]:
    """Class `cls`'s own tab when it has no visible one: hidden in Excel ('hidden', the
    tabs spelt best as it, two when alike), else very hidden ('veryHidden', ...); esp adds
    no rows to either (the team may have hidden it to retire it), and says so. A tab
    another class claims just as much (one with no visible tab of its own) is none's."""
    visible = [t for t in book.sheets if t.visible]
    hidden = [t for t in book.sheets if _hidden(t)]
    spelt, rivals = _spelt_own(book, cls, hidden, visible)
    if spelt and not rivals:
        return "hidden", spelt
    very = [t for t in book.sheets if t.state == "veryHidden"]
    spelt, rivals = _spelt_own(book, cls, very, visible + hidden)
    if spelt and not rivals:
        return "veryHidden", spelt
    return "", []


def _why_put_away(state: str, unless: str = "") -> str:
    """Why a class's hidden (`unless`: but when) or very hidden tab gets no rows."""
    if state == "hidden":
        return f"esp adds no rows to a hidden tab{unless}"
    return "esp never writes where the team cannot see"


def _put_away_words(state: str, tabs: Sequence[TrackingSheet]) -> tuple[str, str]:
    """(what is said of a class's hidden or very hidden tabs, how to show them)."""
    if state == "hidden":
        if len(tabs) > 1:
            return (
                f"its tabs {_listed(tabs)} (both spelt as it) are hidden in Excel",
                f"unhide the one that is its tab ({UNHIDE}) and rename the other",
            )
        return f"its tab '{tabs[0].sheet}' is hidden in Excel", f"unhide it ({UNHIDE})"
    if len(tabs) > 1:
        return (
            f"its tabs {_listed(tabs)} (both spelt as it) are very hidden (Excel's Unhide "
            "does not list them)",
            f"show the one that is its tab ({SHOW_VERY_HIDDEN}) and rename the other",
        )
    return (
        f"its tab '{tabs[0].sheet}' is very hidden (Excel's Unhide does not list it)",
        f"show it ({SHOW_VERY_HIDDEN})",
    )


def _class_tab(book: TrackingBook, tab: TrackingSheet) -> bool:
    """Whether a sheet is named or spelt as one of the tracker's classes (a sheet per
    class): no other class's proofs go to it."""
    name = " ".join(tab.sheet.split()).casefold()
    if name in book.classes or any(c[:MAX_SHEET_NAME].strip() == name for c in book.classes):
        return True
    return any(tab_key(tab.sheet) in _class_keys(c) for c in book.classes)


def tracking_tab(book: TrackingBook, cls: str) -> TrackingSheet:
    """The sheet a new proof row of an agent of class `cls` goes to when none is named: the
    visible sheet that is the class's own tab (`_own_tab`: named or spelt as the class; a
    sheet per class), else the first visible sheet with the headers in tab order that is no
    class's tab. A hidden own tab (the team may have hidden it to retire it) and a very
    hidden one (Excel's Unhide does not list it) are never written on, and said
    (`no_own_tab`). Nothing is guessed from what the sheets hold. Unplaced: the class's
    rows have no such sheet — its proofs are refused, naming the sheets and the fix."""
    visible = [t for t in book.sheets if t.visible]
    own = _own_tab(book, cls)
    if own is not None:
        return own
    key = cls.strip().casefold()
    # No tab of its own: not another class's tab (a sheet per class), nor a tab cut to
    # 31 characters that two classes share.
    free = [t for t in visible if not key or not _class_tab(book, t)]
    if free:
        return free[0]
    given = "give the sheet with --tracking-tab (or [tracker] tbt_tracking_tab)"
    if visible:
        names = ", ".join(f"'{t.sheet}'" for t in visible)
        none = f"every visible sheet is another class's ({names})"
    else:
        names = ", ".join(f"'{t.sheet}'" for t in book.sheets)
        none = f"every sheet with the 'Agent' and 'File' headers is hidden ({names})"
    who = f"class '{cls.strip()}'" if key else "agents with no class"
    state, away = _put_away(book, cls) if key else ("", [])
    if state:
        said, show = _put_away_words(state, away)
        why = _why_put_away(state)
        raise Unplaced(f"{who}: {said}, {why}, and {none}", f"{show}; or {given}")
    if visible:
        raise Unplaced(
            f"{who}: esp cannot tell which sheet its proof rows go to: it has no tab of its "
            f"own, and {none}",
            f"add a tab named '{class_tab_name(cls)}' in Excel, or {given}",
        )
    raise Unplaced(
        f"{who}: esp cannot tell which sheet its proof rows go to: {none}",
        f"unhide the sheet to add to in Excel ({UNHIDE}), or {given}",
    )


def no_own_tab(
    book: TrackingBook, placed: Sequence[tuple[Proof, TrackingSheet]], path: Path, dry_run: bool
) -> list[str]:
    """What to say of the classes whose proofs go to a sheet that is not their own tab:
    that its tab is hidden or very hidden, whatever the workbook; else, in a workbook kept
    with a sheet per class (some visible sheet is a class's tab), that the class has none
    — one line each, naming the class and the sheet."""
    per_class = any(t.visible and _class_tab(book, t) for t in book.sheets)
    said: dict[str, str] = {}
    go = "would go" if dry_run else "go"
    for proof, tab in placed:
        cls = " ".join(proof.agent.cls.split())
        if not cls or cls in said or _own_tab(book, cls) is tab:
            continue
        state, away = _put_away(book, cls)
        if state:
            what, show = _put_away_words(state, away)
            why = _why_put_away(state, " while a visible sheet can take them")
            where = f"'{away[0].sheet}'" if len(away) == 1 else "its tab"
            said[cls] = (
                f"{path.name}: class '{cls}': {what}, and {why}; its proof rows {go} to sheet "
                f"'{tab.sheet}'. To have them on {where}, {show}."
            )
        elif per_class:
            said[cls] = (
                f"{path.name}: class '{cls}' has no tab of its own among its sheets per class; "
                f"its proof rows {go} to sheet '{tab.sheet}'. Add a tab named "
                f"'{class_tab_name(cls)}' in Excel for them, or give the sheet with "
                "--tracking-tab."
            )
    return list(said.values())


def hidden_tabs(
    targets: Sequence[TrackingSheet], path: Path, dry_run: bool, source: str | None
) -> list[str]:
    """What to say of the sheets hidden in Excel that new proof rows go to (a class's own
    tab, or the one named with `source`): one line each, with how to see them."""
    go = "would go" if dry_run else "go"
    given = f" (given with {source})" if source else ""
    return [
        f"{path.name}: sheet '{t.sheet}'{given} is hidden in Excel; its new proof rows {go} "
        f"there. To see them, {UNHIDE}."
        for t in targets
        if t.state == "hidden"
    ]


def _as_left(
    rows: list[list[Any]], header_row: int, left: Mapping[tuple[int, int], Any], last_col: int
) -> tuple[list[list[Any]], int]:
    """The sheet's rows under its header row with the cells waiting changes leave (`left`),
    and the rightmost column holding a value then; the rows read are not changed."""
    rows = list(rows)
    for (row, col), value in sorted(left.items()):
        if row <= header_row:
            continue
        while len(rows) < row:
            rows.append([])
        line = rows[row - 1] = list(rows[row - 1])
        if len(line) < col:
            line.extend([None] * (col - len(line)))
        line[col - 1] = value
        if not is_blank(value):
            last_col = max(last_col, col)
    return rows, last_col


def _file_key(name: str) -> str:
    """A file name as a row typed by hand may give it: in any capitals (Windows takes them
    as one name), with or without '.pdf'."""
    # A path copied from Explorer ("C:\Users\pat\TBT Proofs\x.pdf", in quotes): its
    # file name.
    name = name.strip().strip('"').replace("\\", "/").rsplit("/", 1)[-1]
    key = " ".join(name.split()).casefold()
    return key.removesuffix(".pdf").strip()


def _hand_key(proof: Proof) -> tuple[str, str]:
    """The proof's (agent, file) as the rows typed by hand are looked up."""
    return " ".join(name_tokens(proof.agent.name)), _file_key(proof.file)


def _day_text(record: list[Any], columns: dict[str, int]) -> str:
    """The Received cell of a row as the team reads it (MM/DD/YYYY for a date)."""
    c = columns.get("received")
    value = record[c - 1] if c and c <= len(record) else None
    if isinstance(value, datetime):
        value = value.date()
    return fmt(value) if isinstance(value, date) else text_of(value).strip()


def _received_day(record: list[Any], columns: dict[str, int]) -> bool:
    """Whether the Received cell of a row holds a day, as esp reads a date anywhere (a date,
    a serial number, text read as one)."""
    c = columns.get("received")
    try:
        return parse_date(record[c - 1] if c and c <= len(record) else None) is not None
    except Unreadable:
        return False


def _found_on(book: TrackingBook, proof: Proof) -> str | None:
    """The sheet the proof is recorded on for its own agent: the same file (SHA-256)
    recorded for them, or a row typed by hand naming the file, with a Received day and no
    SHA-256, that names her (`_meant`); None: not recorded."""
    if proof.sha256 in book.hashes:
        return book.hashes[proof.sha256][2] if _recorded_for(book, proof) is None else None
    taken = [
        tab
        for tab, hand in book.names.get(_hand_key(proof), [])
        if _meant(book, hand.agent, hand.cls, proof.agent)
    ]
    if taken:
        return taken[0]
    taken = [
        tab
        for tab, hand in _hand_rows(book, proof)
        if _meant(book, hand.agent, hand.cls, proof.agent)
    ]
    return taken[0] if taken else None


def _hand_rows(book: TrackingBook, proof: Proof) -> list[tuple[str, HandRow]]:
    """The rows typed by hand naming the proof's file, on any sheet, by another name than
    its agent's exact one."""
    file = _file_key(proof.file)
    return [found for (_, f), rows in book.names.items() if f == file for found in rows]


def _loose_row(book: TrackingBook, proof: Proof, dry_run: bool = False) -> Proof:
    """The proof recorded again, with a word when a row typed by hand names its file for a
    name that could be its agent's ('Derek Simmons' of Derek James Simmons) but is not
    taken as hers: another class, or another agent could be meant."""
    loose = [
        hand
        for _, hand in _hand_rows(book, proof)
        if same_person(hand.agent, proof.agent.name)
        and not _meant(book, hand.agent, hand.cls, proof.agent)
        and not _namesakes_row(book, hand.agent, hand.cls, proof.agent)
    ]
    if not loose:
        return proof
    hand = loose[0]
    again = "would be recorded again" if dry_run else "is recorded again"
    why = (
        f"{hand.cell}, a row typed by hand, names {' '.join(hand.agent.split())!r} with this "
        f"file: it {again} for {proof.agent.name} — delete one row if it is the same"
    )
    warning = f"{proof.date_warning}; {why}" if proof.date_warning else why
    return replace(proof, date_warning=warning)


def _said_rows(book: TrackingBook, proof: Proof, dry_run: bool) -> Proof:
    """The proof to record again, with a word for each row typed by hand that names its
    file and is not taken for it."""
    proof = _unread_day(book, proof, dry_run)
    proof = _loose_row(book, proof, dry_run)
    return _uncounted_row(book, proof, dry_run)


def _uncounted_row(book: TrackingBook, proof: Proof, dry_run: bool = False) -> Proof:
    """The proof, with a word when a row typed by hand on a sheet esp does not record
    proofs on names its file with a day under a plain 'Date' (`count_dated`): it may be
    the proof typed by hand, or a reminder sent that day."""
    file = _file_key(proof.file)
    rows = [row for (_, f), found in book.uncounted.items() if f == file for row in found]
    if not rows:
        return proof
    tab, hand = rows[0]
    again = "would be recorded again" if dry_run else "is recorded again"
    why = (
        f"{hand.cell}, a row typed by hand with a day under 'Date' on sheet '{tab}', which esp "
        f"does not record proofs on, names this file: it {again} — if that row is this proof, "
        "delete one of the two rows; if that sheet holds proofs, head its column 'Received'"
    )
    warning = f"{proof.date_warning}; {why}" if proof.date_warning else why
    return replace(proof, date_warning=warning)


def _unread_day(book: TrackingBook, proof: Proof, dry_run: bool = False) -> Proof:
    """The proof, with a word when a row typed by hand names its agent and file with a
    Received esp cannot read as a day ('11/23', no year; '23/11/2026', day first): that row
    is not taken for it."""
    said = book.unread_days.get(_hand_key(proof))
    if said is None:
        return proof
    cell, typed = said
    yearless = YEAR_TEXT.search(typed) is None
    hint = " (no year?)" if yearless else ""
    fix = "give that day its year (MM/DD/YYYY)" if yearless else "write that day MM/DD/YYYY"
    again = "would be recorded again" if dry_run else "is recorded again"
    why = (
        f"{cell} names this file by hand with Received {typed!r}, which esp cannot read as a "
        f"day{hint}, so it {again}, dated {fmt(proof.received)}: {fix} and delete one of the "
        "two rows"
    )
    warning = f"{proof.date_warning}; {why}" if proof.date_warning else why
    return replace(proof, date_warning=warning)


def _recorded_for(sheet: TrackingBook, proof: Proof) -> tuple[str, str] | None:
    """Why the proof is not this agent's when the same file (SHA-256) is recorded for
    another agent — a copied or forwarded transcript, the wrong attachment saved under this
    name — or None."""
    return _recorded_words(sheet, proof.sha256, proof.agent)


def _meant(book: TrackingBook, typed: str, cls: str, agent: AgentRef) -> bool:
    """Whether a row naming `typed` (of Class `cls`) is the agent's: her name, as esp
    matches names, or her Agent ID; a looser name ('Kayla Brooks' of Kayla Ann Brooks, a
    middle name on one side) only on a row of her own Class and when no other agent of the
    tracker could be meant by it. Her exact name on a row of the class of another agent of
    that name (namesakes in two classes) is that agent's."""
    if name_key(typed) == name_key(agent.name):
        return not _namesakes_row(book, typed, cls, agent)
    agent_id = agent.agent_id.strip().casefold()
    if agent_id and typed.strip().casefold() == agent_id:
        return True
    if not same_person(typed, agent.name):
        return False
    if not _same_class(cls, agent.cls):
        return False
    return all(
        (r.sheet, r.row) == (agent.sheet, agent.row) or not same_person(typed, r.name)
        for r in book.agents
    )


def _same_class(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _namesakes_row(book: TrackingBook, typed: str, cls: str, agent: AgentRef) -> bool:
    """Whether a row naming `typed` — the agent's own name — is of another agent of that
    name: its Class is not hers, and is that agent's."""
    key = name_key(typed)
    if not cls.strip() or _same_class(cls, agent.cls) or key != name_key(agent.name):
        return False
    return any(
        (r.sheet, r.row) != (agent.sheet, agent.row)
        and name_key(r.name) == key
        and _same_class(r.cls, cls)
        for r in book.agents
    )


def _recorded_words(sheet: TrackingBook, digest: str, agent: AgentRef) -> tuple[str, str] | None:
    """Why the file (SHA-256 `digest`) is not the proof of `agent` when it is recorded for
    another agent, and the fix, or None. The sheet it is on is named when the workbook has
    several; a name that could be hers but is not taken so is said."""
    found = sheet.hashes.get(digest)
    if found is None:
        return None
    recorded, day, tab, cls = found
    if not recorded.strip() or _meant(sheet, recorded, cls, agent):
        return None  # theirs (a row naming nobody is taken as it was before)
    on = f" on {day}" if day else ""
    where = f" (sheet {tab})" if sheet.several else ""
    who = " ".join(recorded.split())
    namesake = _namesakes_row(sheet, recorded, cls, agent)
    if namesake:
        who += f" of class {' '.join(cls.split())}"  # the other agent of her name
    name = agent.name or agent.agent_id
    # Her namesake's file: which of the two to ask.
    ask = f"{name} of class {' '.join(agent.cls.split())}" if namesake and agent.cls else name
    maybe = ""
    if same_person(recorded, agent.name) and not namesake:
        of = f" of class {' '.join(cls.split())}" if cls.strip() else ""
        maybe = (
            f" ({who}{of} could be another agent: if that row is {name}'s, type her name as "
            "the tracker has it there and run esp tbt proofs again)"
        )
    return (
        f"the same file was recorded for {who}{on}{where}: not {name}'s own proof",
        f"ask {ask} for it{maybe}",
    )


def _joined(why: str, fix: str) -> str:
    """A reason and its fix in one text, where a refusal says another's after it."""
    return f"{why}; {fix}"


def _record_values(proof: Proof, by: str) -> dict[str, Any]:
    return {
        "agent": proof.agent.name,
        "class": proof.agent.cls,
        "file": proof.file,
        "received": proof.received,
        "recorded_by": by,
        "sha256": proof.sha256,
    }


TRACKING_WIDTHS = (24, 12, 30, 12, 18, 66)  # characters, in TRACKING_COLUMNS order
TRACKING_DATE_FORMAT = "mm/dd/yyyy"


# What Excel refuses in a sheet's name, and how long one may be.
SHEET_NAME_BANNED = frozenset("[]:*?/\\")
MAX_SHEET_NAME = 31


def _check_new_tab(tab: str, source: str) -> None:
    """Refuses a name (given with `source`) Excel would not take for the sheet esp creates."""
    banned = sorted({c for c in tab if c in SHEET_NAME_BANNED})
    why = (
        "is empty"
        if not tab.strip()
        else f"has {len(tab)} characters (Excel takes {MAX_SHEET_NAME})"
        if len(tab) > MAX_SHEET_NAME
        else f"holds {' '.join(banned)}, which Excel refuses in a sheet's name"
        if banned
        else "begins or ends with an apostrophe, which Excel refuses"
        if tab.startswith("'") or tab.endswith("'")
        else None
    )
    if why is not None:
        raise UsageError(
            f"the sheet name '{tab}' given with {source} for the new TBT Tracking Sheet {why}; "
            "nothing was written.",
            fix=f"give {source} a name Excel takes, such as 'December'.",
        )


def _create_tracking(path: Path, proofs: Sequence[Proof], by: str, title: str) -> None:
    """A new TBT Tracking Sheet (nothing in it to lose, so openpyxl writes it), its one
    sheet named `title`: the header bold and frozen, readable widths, Received as a date.
    Replaced atomically."""
    from openpyxl import Workbook as NewWorkbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    keys = list(TRACKING_COLUMNS)
    book = NewWorkbook()
    sheet = book.worksheets[0]
    sheet.title = title
    sheet.append([TRACKING_COLUMNS[k][0] for k in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(TRACKING_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    received = keys.index("received") + 1
    for number, proof in enumerate(proofs, start=2):
        values = _record_values(proof, by)
        sheet.append([values[k] for k in keys])
        sheet.cell(number, received).number_format = TRACKING_DATE_FORMAT
    book.properties.title = "TBT Tracking Sheet"
    book.properties.creator = by
    data = io.BytesIO()
    book.save(data)
    try:
        made = create_file_atomically(path, data.getvalue(), hidden=False)
    except OSError as exc:
        raise WriteFailedError(
            f"{path}: the TBT Tracking Sheet cannot be created ({exc.strerror or exc}); "
            "nothing was written to it or to the tracker.",
            fix=f"check that the folder {path.parent} exists and you can write to it, or give "
            "another file with --tracking-sheet (or [tracker] tbt_tracking_sheet).",
        ) from exc
    if not made:  # someone made it while esp worked: theirs stays, and esp adds to it next
        raise WriteFailedError(
            f"{path}: the TBT Tracking Sheet was created by someone else while esp was creating "
            "it; theirs is kept, and nothing was written to it or to the tracker.",
            fix="run esp tbt proofs again: it records the proofs in that sheet.",
        )


def _plan_tracking(
    plan: ChangePlan, sheet: TrackingSheet, proofs: Sequence[Proof], by: str
) -> None:
    """The new rows of the tracking sheet (and, on a hand-made sheet, the columns esp
    records that it lacks, after the last one: see ChangePlan.new_column)."""
    columns = dict(sheet.columns)
    for key, (header, _) in TRACKING_COLUMNS.items():
        if key not in columns:
            plan.new_column(
                sheet.sheet,
                sheet.header_row,
                header,
                last_header_col=sheet.last_header_col,
                last_used_col=sheet.last_used_col,
            )
    for key, (header, _) in TRACKING_COLUMNS.items():
        if key not in columns:  # where it went once all of them are placed
            columns[key] = plan.added_column(sheet.sheet, header)
    if not proofs:
        return
    for name, read, aside, why in sheet.set_aside:
        if not why:  # one left empty is said on every run (`said_switches`)
            # esp.toml [columns] names the tracker's columns, not the TBT Tracking Sheet's.
            hidden = (sheet.hidden_headers.get(read[0]), sheet.hidden_headers.get(aside[0]))
            log.warning("%s", set_aside_words(name, read, aside, why, mapped=False, hidden=hidden))
    place = _placement(plan, sheet, columns, len(proofs))
    if place.uncounted is not None:
        total = place.uncounted
        log.warning(
            "%s: its total (=%s) does not count the new %s; widen its range in Excel to "
            "take them in.",
            address(sheet.sheet, total.row, total.col),
            total.formula,
            rows_text(place.first, place.last(len(proofs))),
        )
    for number, proof in enumerate(proofs, start=place.first):
        for key, value in _record_values(proof, by).items():
            plan.set_cell(
                sheet.sheet,
                number,
                columns[key],
                value,
                agent=proof.agent.name,
                cls=proof.agent.cls,
                column=TRACKING_COLUMNS[key][0],
            )


def _placement(
    plan: ChangePlan, sheet: TrackingSheet, columns: dict[str, int], count: int
) -> Placement:
    """Where the new proof rows go: after the last one, inside the Excel table the proofs
    are kept in, above a total under them (see core.records)."""
    formulas = plan.formulas(sheet.sheet)
    cells = {(r, c) for r, c, _text in formulas}
    # A row whose File cell holds a file name (not a formula's result) is a proof.
    records = {r for r in sheet.files if (r, columns["file"]) not in cells}
    agent = columns["agent"]
    table = next(
        (
            ListTable(t.name, t.data_end, t.totals > 0)
            for t in plan.tables(sheet.sheet)
            if t.ref[0] == sheet.header_row and t.ref[1] <= agent <= t.ref[3]
        ),
        None,
    )
    return place_rows(
        sheet.sheet,
        sheet.header_row,
        count,
        sheet.used | {r for r, _c in cells},
        table,
        totals_under(sheet.header_row, formulas, records),
        what="proof rows",
    )


# ------------------------------------------------------------------------------ command


def _same_file(a: Path, b: Path) -> bool:
    try:
        return real_path(a) == real_path(b)
    except OSError:  # a link that loops: the write session says so
        return a.absolute() == b.absolute()


def _received(path: Path, tz: tzinfo | None = None) -> date:
    """The day a file came: its modification time, on the team's calendar ([calendar]
    timezone; else the machine's)."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz).date()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputFileError(
            f"{folder}: no such folder.",
            fix="give the folder the agents' 'First Last TBT.pdf' files (or their e-mails) "
            "were saved to.",
        )
    # The system's own files (desktop.ini, Thumbs.db, ~$ owner files) and sub-folders are
    # not proofs.
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and not is_system_file(p)),
        key=explorer_order,
    )


@dataclass
class Incoming:
    """A proof as it came: a file in the folder, or a PDF attached to an e-mail saved there
    (`mail`), to be saved into the folder under its own name once it is found good."""

    name: str
    data: bytes
    received: date
    mail: str | None = None  # the e-mail file it came in
    sender: str = ""  # that e-mail's sender address ('' when it has none)
    sender_name: str = ""  # its display name
    sent_by: str = ""  # the address of who sent it on the sender's behalf, if another
    sent: datetime | None = None  # when that e-mail was sent
    saved: bool = True  # the file is in the folder already
    # An attachment the folder holds already, byte for byte, under its name (esp saved it
    # on an earlier run): that file, unless it came as another agent's.
    in_folder: bool = False
    # When it came in an e-mail attached to that one: that e-mail's name, and who forwarded
    # it (the outer e-mail's sender); the sender above is that attached e-mail's.
    via: str = ""
    forwarded_by: str = ""
    # ... and both e-mails' senders and days, as said ('sent by … on …, forwarded by …').
    forwarded: str | None = None
    # The forward's day and time (None: it holds none): the latest the agent's e-mail can
    # have been sent.
    forwarded_on: date | None = None
    forward_sent: datetime | None = None
    # Why `received` is not the day the file or e-mail says (None: it is).
    date_warning: str | None = None
    # The agent's own e-mail's day and time when a forward carrying it pulled `received`
    # back (None: none did): a forward dated before her ESP Start Date bounds nothing.
    own_day: date | None = None
    own_sent: datetime | None = None


def _from_mail(
    path: Path, data: bytes, folder: Path, tz: tzinfo | None
) -> tuple[list[Incoming], list[Rejected]]:
    """The PDFs attached to one e-mail file, or why it gives none. An attachment already in
    the folder with the same bytes is that file (not a proof of its own); with other bytes
    it is refused: esp never saves over another file."""
    try:
        found = read_files(data)
    except UnreadableMail as exc:
        return [], [Rejected(path.name, f"an e-mail esp cannot read: {exc}")]
    # A PDF by its name, its type or its content: one named without '.pdf' is checked, and
    # refused as badly named, rather than taken for no PDF at all.
    pdfs = [
        a
        for a in found.files
        if a.name.lower().endswith(".pdf")
        or not a.name
        or a.kind == "application/pdf"
        or PDF_HEADER in a.data[:PDF_SLACK]
    ]
    pdfs = _deepest_copies(pdfs)
    # An attached e-mail esp could not open may hold the PDF: said, whatever else came.
    unopened = [Rejected(name, why, mail=path.name) for name, why in found.unopened]
    if not pdfs:
        if unopened and not found.files:
            return [], unopened
        names = [a.name or "(no name)" for a in found.files]
        names += [f"an e-mail ({e})" if e else "an e-mail" for e in found.emails]
        others = ", ".join(names)
        with_none = " with no PDF in it" if found.emails and not found.files else ""
        what = f"its attachments are {others}{with_none}" if others else "it has no attachment"
        why = f"an e-mail with no PDF attached ({what}): the agent's 'First Last TBT.pdf' is"
        return [], [Rejected(path.name, f"{why} what to send"), *unopened]
    received = found.day(tz) or _received(path, tz)
    incoming: list[Incoming] = []
    rejected = unopened
    for attached in pdfs:
        # Only the name: a sender's path ('C:\\Users\\..\\x.pdf', '../x.pdf') never
        # decides where esp saves it.
        name = attached.name.replace("\\", "/").rsplit("/", 1)[-1].strip()
        attached = replace(attached, name="" if name in (".", "..") else name)
        if not attached.name:
            why = "badly named: no agent name in it; name it 'First Last TBT.pdf'"
            rejected.append(Rejected("(a PDF with no file name)", why, mail=path.name))
            continue
        there = folder / attached.name
        try:
            if file_name_length(attached.name) > MAX_FILE_NAME:  # as this system counts
                raise OSError(errno.ENAMETOOLONG, "File name too long")
            in_folder = False
            if there.exists():
                # Saved by an earlier run: the file in the folder is the proof, and this
                # copy is dropped (`_without_folder_copies`) unless it came as another's.
                in_folder = there.is_file() and there.read_bytes() == attached.data
                if not in_folder:
                    why = f"a different '{attached.name}' is already in the folder; {NEVER_OVER}"
                    rejected.append(Rejected(attached.name, why, mail=path.name))
                    continue
        except OSError as exc:  # a name no file can have (too long), on any system
            why = (
                f"badly named: no file can have this name ({exc.strerror or exc}); "
                "name it 'First Last TBT.pdf'"
            )
            rejected.append(Rejected(_shortened(attached.name), why, mail=path.name))
            continue
        # Found in an attached e-mail: that e-mail's sender sent it (the outer's forwarded
        # it); one with no sender (a draft attached) is taken as the outer's.
        # It is dated by that e-mail, the agent's, when it says when it was sent; else, and
        # never later than, by the nearest forward around it that says.
        hops = (Hop(found.sender_name, found.sender, found.sent_by, found.sent), *attached.hops)
        at = max((i for i, hop in enumerate(hops) if i and hop.who), default=0)
        own = at > 0
        forwards = hops[:at][::-1]  # the e-mails that forwarded the agent's, nearest first
        carrier = next((hop for hop in forwards if hop.sent is not None), None)
        forward_sent = carrier.sent if carrier is not None else None
        forward_day = local_day(forward_sent, tz) if forward_sent is not None else None
        sender = (attached if own else found).sender
        sent = (attached.sent or forward_sent) if own else found.sent
        day = local_day(sent, tz) if own and sent is not None else received
        own_day, own_sent = day, sent
        warning = None
        if own and forward_day is not None and day > forward_day:
            # A wrong clock on the agent's computer: no e-mail is sent after its forward.
            warning = (
                f"the agent's e-mail is dated {fmt(day)}, after the forward that carries it "
                f"({fmt(forward_day)}): a wrong clock on the agent's computer? Dated the "
                "forward's day"
            )
            day, sent = forward_day, forward_sent
        # Every forward further out is a latest day too: one dated after the forward that
        # carries it is a wrong clock on its sender's computer.
        timed = [(local_day(hop.sent, tz), hop) for hop in forwards if hop.sent is not None]
        earliest = min(timed, key=lambda t: t[0], default=None)
        if own and earliest is not None and carrier is not None and day > earliest[0]:
            low_day, low = earliest
            late = (
                f"{carrier.who or 'an e-mail with no sender'}'s forward is dated "
                f"{fmt(local_day(carrier.sent, tz)) if carrier.sent else ''}, after the forward "
                f"that carries it ({low.who or 'no sender'}, {fmt(low_day)}): a wrong clock on "
                f"that computer? Dated {fmt(low_day)}"
            )
            warning = f"{warning}; {late}" if warning else late
            day, sent = low_day, low.sent
        incoming.append(
            Incoming(
                attached.name,
                attached.data,
                day,
                mail=path.name,
                sender=sender,
                sender_name=(attached if own else found).sender_name,
                sent_by=(attached if own else found).sent_by,
                sent=sent,
                saved=in_folder,
                in_folder=in_folder,
                via=attached.via[at - 1] if own else "",
                forwarded_by=next((hop.who for hop in forwards if hop.who), ""),
                forwarded=_forwarded(attached, forwards, tz) if own else None,
                forwarded_on=forward_day,
                forward_sent=forward_sent,
                date_warning=warning,
                own_day=own_day if day != own_day else None,
                own_sent=own_sent if day != own_day else None,
            )
        )
    return incoming, rejected


def _deepest_copies(files: Sequence[Attached]) -> list[Attached]:
    """The files of one e-mail, one attached again with the same name and bytes (an SME's
    copy of the transcript beside the agent's own e-mail, which holds it too) taken once, in
    the place of the first: the copy in the deepest e-mail, the agent's own."""
    deepest: dict[tuple[str, bytes], Attached] = {}
    for file in files:
        key = (file.name, file.data)
        if key not in deepest or len(file.via) > len(deepest[key].via):
            deepest[key] = file
    return [deepest[key] for key in dict.fromkeys((f.name, f.data) for f in files)]


def _forwarded(attached: Attached, forwards: Sequence[Hop], tz: tzinfo | None) -> str | None:
    """Who sent the e-mail a PDF came in, and who forwarded it, each with the day, the
    nearest forward first: 'sent by ana@… on 11/23/2026, forwarded by pat@… on 11/24/2026,
    then by lee@… on 11/30/2026'; None when one forward is of the agent's e-mail's day. A
    forward in the chain that names no sender and no time is left out (the outermost, the
    e-mail saved, never)."""

    def on(when: datetime | None) -> str:
        return f" on {fmt(local_day(when, tz))}" if when is not None else " (no time in it)"

    shown = [
        hop
        for i, hop in enumerate(forwards)
        if hop.who or hop.sent is not None or i == len(forwards) - 1
    ]
    # One person forwarding their own forward again the same day is said once.
    said = (f"{hop.who or 'an e-mail with no sender'}{on(hop.sent)}" for hop in shown)
    by = list(dict.fromkeys(said))
    sent_on = on(attached.sent)
    if len(by) == 1 and attached.sent is not None and on(shown[0].sent) == sent_on:
        return None
    then = "".join(f", then by {one}" for one in by[1:])
    return f"sent by {attached.sender or attached.sender_name}{sent_on}, forwarded by {by[0]}{then}"


def _shortened(name: str, most: int = 80) -> str:
    """A name as short as a person reads it in a list: its start, '…', and its end."""
    return name if len(name) <= most else f"{name[: most - 21]}…{name[-20:]}"


def incoming_proofs(
    files: Sequence[Path], folder: Path, tz: tzinfo | None = None
) -> tuple[list[Incoming], list[Rejected]]:
    """Every proof the folder holds: its files, and the PDFs attached to its e-mails."""
    incoming: list[Incoming] = []
    rejected: list[Rejected] = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            rejected.append(Rejected(path.name, f"cannot be read ({exc.strerror})"))
            continue
        if path.suffix.lower() in MAIL_SUFFIXES and pdf_problem(data) is not None:
            got, refused = _from_mail(path, data, folder, tz)
            incoming += got
            rejected += refused
        else:
            incoming.append(Incoming(path.name, data, _received(path, tz)))
    return incoming, rejected


def _addresses(row: Row) -> list[str]:
    """The agent's addresses in the Email column, lower case."""
    if "email" in row.unreadable:
        return []
    return [a.lower() for a in email_addresses(row.text("email")) or []]


def sender_check(
    row: Row, sender: str, rows: Sequence[Row], *, name: str = "", sent_by: str = ""
) -> str | None:
    """Why the e-mail's sender (address `sender`, display name `name`) is not the agent's
    address in the tracker (None: it is, or the agent sent it on that sender's behalf, as a
    member of a shared mailbox), said as it is: another agent's address, an address the
    tracker does not know, an Exchange user's name with no address stored that is not the
    agent's, no sender at all; and sent on its behalf (`sent_by`) by another agent. Never a
    guess at whose proof it is."""
    if sent_by and sent_by in _addresses(row):
        return None  # the agent sent it, on behalf of a shared mailbox
    why = _sender_problem(row, sender, rows, name)
    other = _owner(sent_by, row, rows)
    if other is None:
        return why
    behalf = f"sent by {sent_by}, the address of {_agent(other)}, on behalf of {sender or name}"
    return behalf if why is None else f"{why}; {behalf}"


def _sender_problem(row: Row, sender: str, rows: Sequence[Row], name: str) -> str | None:
    if not sender:
        if not name:
            return "the e-mail has no sender (a draft?): check who sent it"
        if same_person(name, row.name):
            return None  # an Exchange user's display name, with no address stored
        return (
            f"sent by {name}, an Exchange user whose e-mail address the message does not "
            "hold: check who sent it"
        )
    if sender in _addresses(row):
        return None
    other = _owner(sender, row, rows)
    if other is not None:
        return f"sent by {sender}, the address of {_agent(other)}"
    own = email_addresses(row.text("email")) or []
    has = f"the tracker has {', '.join(own)}" if own else "the tracker has no address for them"
    return f"sent by {sender}, not the agent's address ({has})"


def _owner(address: str, row: Row, rows: Sequence[Row]) -> Row | None:
    """The other agent whose address this is (None: none, or it is the agent's own)."""
    if not address or address in _addresses(row):
        return None
    return next((r for r in rows if r is not row and address in _addresses(r)), None)


def _agent(row: Row) -> str:
    return f"{row.label()} ({class_aside(row.cls)}, row {row.row})"


def _sender_agent(item: Incoming, rows: Sequence[Row]) -> Row | None:
    """The agent whose own e-mail a copy came in, whatever its file is called (None: not an
    agent's e-mail, or not one agent's): the one whose address sent it; for an address no
    agent has (a personal account at any service or her ISP, an alias) or none (an Exchange
    user's name alone), the one agent the sender's display name is, as progress import
    matches it."""
    if item.mail is None:
        return None
    return _agent_by(item.sender, item.sender_name, rows)


def _agent_by(address: str, name: str, rows: Sequence[Row]) -> Row | None:
    """The one agent a sender is (`_sender_agent`'s rule), or None."""
    sender = address.lower()
    if sender:
        by_address = [r for r in rows if sender in _addresses(r)]
        if by_address:
            return by_address[0] if len(by_address) == 1 else None
    named = [r for r in rows if name and same_person(name, r.name)]
    return named[0] if len(named) == 1 else None


def _address_agent(item: Incoming, rows: Sequence[Row]) -> Row | None:
    """The one agent whose address in the tracker sent the e-mail a copy came in (None: no
    e-mail, or no agent's address, or more than one agent's): what tells namesakes apart."""
    sender = item.sender.lower()
    if item.mail is None or not sender:
        return None
    by_address = [r for r in rows if sender in _addresses(r)]
    return by_address[0] if len(by_address) == 1 else None


def _recorded_agent(sheet: TrackingBook | None, digest: str, rows: Sequence[Row]) -> Row | None:
    """The one agent the TBT Tracking Sheet has the file (SHA-256 `digest`) recorded for,
    by its row's name and Class (`_meant`: of namesakes in two classes, the one of its
    Class); None: not recorded, or its row could be more than one agent's."""
    found = sheet.hashes.get(digest) if sheet is not None else None
    if sheet is None or found is None or not found[0].strip():
        return None
    recorded, _, _, cls = found
    theirs = [r for r in rows if _meant(sheet, recorded, cls, r.ref())]
    return theirs[0] if len(theirs) == 1 else None


def dated(item: Incoming, row: Row, today: date | None) -> Incoming:
    """The proof with the day to write when the day it says cannot be the day it was sent,
    and why (`date_warning`): after today (a wrong clock on the sender's computer: today,
    the day it is read, is the latest it came), or, for an agent's e-mail a forward carries,
    before the agent's ESP Start Date (a wrong clock, or a transcript of an earlier
    enrolment: the forward's day, when it is not before the start too; else today, the day
    it is read, as for a day after today). No day before the start is written: a completion
    before the clock started is no day the rules can count from (held_before_start)."""
    what = "the agent's e-mail" if item.via else "the e-mail" if item.mail else "the file"
    if today is not None and item.received > today:
        why = (
            f"{what} is dated {fmt(item.received)}, after today: a wrong clock on the sender's "
            "computer? Dated today"
        )
        # Saved without the wrong time: a later run dates the file by the day it was saved.
        return replace(item, received=today, sent=None, date_warning=why)
    start = _esp_start(row)
    if start is None or item.received >= start:
        return item
    own = item.own_day
    if own is not None and own >= start and (today is None or own <= today):
        # Pulled back by a forward carrying it, dated before her start: a wrong clock on the
        # forwarder's computer, not the agent's; her e-mail keeps its day.
        why = (
            f"the forward that carries the agent's e-mail is dated {fmt(item.received)}, "
            f"before {row.label()}'s ESP Start Date ({fmt(start)}): a wrong clock on the "
            "forwarder's computer? Dated by the agent's e-mail"
        )
        return replace(item, received=own, sent=item.own_sent, date_warning=why)
    why = (
        f"{what} is dated {fmt(item.received)}, before {row.label()}'s ESP Start Date "
        f"({fmt(start)}): a wrong clock, or a transcript of an earlier enrolment?"
    )
    on = item.forwarded_on
    if on is not None and on >= start and (today is None or on <= today):
        why += " Dated the forward's day; check the transcript"
        return replace(item, received=on, sent=item.forward_sent, date_warning=why)
    if today is not None and today >= start:
        # Saved without the early time: a later run dates the file by the day it was saved.
        why += " Dated today, the day it is read; check the transcript"
        return replace(item, received=today, sent=None, date_warning=why)
    return replace(item, date_warning=why)


def held_before_start(item: Incoming, row: Row) -> tuple[str, str] | None:
    """Why a proof `dated` could give no day on or after the agent's ESP Start Date (today
    is before the start too) is not recorded, and the fix, or None: no day before the start
    is written."""
    start = _esp_start(row)
    if start is None or item.received >= start:
        return None
    return (
        f"{item.date_warning} Not recorded: today is before the start too, and no day before "
        "it is written",
        f"check the transcript, and run esp tbt proofs again from {fmt(start)}",
    )


def _esp_start(row: Row) -> date | None:
    start = row.get("esp_start") if "esp_start" not in row.unreadable else None
    start = start.date() if isinstance(start, datetime) else start
    return start if isinstance(start, date) else None


def check_files(
    incoming: Sequence[Incoming],
    table: Table,
    sheet: TrackingBook | None = None,
    today: date | None = None,
) -> tuple[list[Proof], list[Rejected], dict[str, Incoming]]:
    """The good proofs, those rejected and why, and the attachments to save into the folder
    (by file name) once recorded. Of the same file come in more than once, the one of the
    agent the TBT Tracking Sheet (`sheet`) has it recorded for is taken, else one from its
    agent's own e-mail, whatever the order of the names; the others are the copies (a copy
    the SME renamed is dated by the agent's own e-mail holding it). The same file come as
    two agents' transcripts, recorded for neither, says nothing of whose it is: neither is
    taken, whatever else is wrong with either copy, each naming the other (two copies of
    one agent's are one proof). Each is dated as `dated` says
    (`today`: the latest day a proof can have come)."""
    rows = list(table.rows())
    incoming = _without_folder_copies(incoming, rows, table, sheet)
    good: list[Proof] = []
    rejected: list[Rejected] = []
    seen: dict[str, str] = {}
    to_save: dict[str, Incoming] = {}
    digests = [hashlib.sha256(item.data).hexdigest() for item in incoming]
    owners = [_sender_agent(item, rows) for item in incoming]
    # What tells namesakes apart: the address that sent a copy, else the one of them the
    # same file is recorded for (the copy esp saved of her e-mail's, on the next run).
    hints = [
        tuple(
            hint
            for hint in (_address_agent(item, rows), _recorded_agent(sheet, digest, rows))
            if hint is not None
        )
        for item, digest in zip(incoming, digests, strict=True)
    ]
    claims = _claims(incoming, digests, owners, hints, rows, table)
    order = _owners_first(incoming, digests, owners, hints, rows, table, sheet, today)
    disputed = _disputed(incoming, digests, claims, order, sheet)
    own_copies = _own_copies(incoming, digests, owners, today)
    for i in order:
        item, digest, owner, claimant = incoming[i], digests[i], owners[i], claims[i]
        problem = pdf_problem(item.data)
        if problem is not None:
            rejected.append(Rejected(item.name, problem, mail=item.mail))
            continue
        found, misnamed = _named(item.name, rows, table.path.name, hints[i])
        if claimant is not None and digest in disputed:
            # Never taken, whatever else is wrong with it: that is said after whose it is.
            agents = disputed[digest]
            at = next(
                (j for j, (a, _) in enumerate(agents) if _row_key(a) == _row_key(claimant)), None
            )
            # A copy whose claim was set aside (recorded for another agent) is refused so.
            elsewhere = (
                _recorded_words(sheet, digest, claimant.ref())
                if at is None and sheet is not None
                else None
            )
            whose = replace(_whose(agents, at), file=item.name, mail=item.mail)
            if elsewhere is not None:
                # Come as the claimant's, recorded for another: refused so; hers only when
                # its name names her (come in her e-mail alone, it is the other's file).
                why, fix = elsewhere
                hers = claimant.ref() if _names_her(found, claimant) else None
                whose = replace(whose, reason=why, fix=fix, agent=hers)
            own = misnamed.reason if misnamed is not None else None
            if own is None and found is not None:
                held = held_before_start(dated(item, found, today), found)
                own = _joined(*held) if held is not None else None
            besides = f"; besides, {own}" if own else ""
            rejected.append(replace(whose, reason=whose.reason + besides))
            continue
        if misnamed is not None:
            recorded = sheet is not None and digest in sheet.hashes
            others = (
                _recorded_words(sheet, digest, claimant.ref())
                if sheet is not None and claimant is not None
                else None
            )
            if others is not None:
                # Recorded for another: renamed as told, it would be refused for that. The
                # claimant's only when its name names her: a file that names no agent, come
                # in her e-mail (or a display name's), is the other agent's file.
                assert claimant is not None  # others is said of her
                why, fix = others
                rejected.append(
                    Rejected(
                        item.name,
                        f"{why}; besides, {misnamed.reason}",
                        mail=item.mail,
                        fix=fix,
                        agent=claimant.ref() if _names_her(found, claimant) else None,
                    )
                )
            elif digest in seen and not recorded:
                # A copy of the proof taken in this run, under another name (or none): the
                # same file, not one to rename.
                same = f"the same file as {seen[digest]}"
                rejected.append(replace(misnamed, reason=same, expected=None, mail=item.mail))
            else:
                rejected.append(replace(misnamed, mail=item.mail))
            continue
        assert found is not None  # _named gives one or the other
        if digest in seen:
            words = _recorded_words(sheet, digest, found.ref()) if sheet is not None else None
            why, fix = words if words is not None else (f"the same file as {seen[digest]}", "")
            rejected.append(
                Rejected(item.name, why, mail=item.mail, fix=fix or None, agent=found.ref())
            )
            continue
        if not item.saved and item.name in to_save:
            why, fix = _other_copy(item, to_save[item.name])
            rejected.append(Rejected(item.name, why, mail=item.mail, fix=fix, agent=found.ref()))
            continue
        theirs = own_copies.get((digest, _row_key(found)))
        mine = owner is not None and _row_key(owner) == _row_key(found)
        if theirs is not None and (not mine or theirs is not incoming[i]):
            # Her first sending of the file, under any name (her `transcript.pdf` before
            # the resend she renamed, or her SME did): her day, her address.
            item = _sent_as(item, theirs)
        if mine or theirs is not None:
            item = _forwarded_after(item, found, incoming, digests, owners, today)
        item = dated(item, found, today)
        held = held_before_start(item, found)
        if held is not None:
            why, fix = held
            rejected.append(Rejected(item.name, why, mail=item.mail, fix=fix, agent=found.ref()))
            continue
        seen[digest] = item.name + (f" (in {item.mail})" if item.mail else "")
        check = (
            sender_check(found, item.sender, rows, name=item.sender_name, sent_by=item.sent_by)
            if item.mail is not None
            else None
        )
        if check is not None and item.via:
            check += f", in {item.via} forwarded by {item.forwarded_by}"
        sender = item.sender if item.mail is not None else None
        good.append(
            Proof(
                item.name,
                found.ref(),
                item.received,
                digest,
                item.mail,
                sender,
                check,
                item.forwarded,
                item.date_warning,
            )
        )
        if not item.saved:
            to_save[item.name] = item
    return good, rejected, to_save


def _without_folder_copies(
    incoming: Sequence[Incoming], rows: Sequence[Row], table: Table, sheet: TrackingBook | None
) -> list[Incoming]:
    """The proofs to check, but the attachments the folder holds already, byte for byte,
    under their name (esp saved them on an earlier run): the file in the folder is the
    proof. One that came as another agent's than that file is — a namesake's e-mail, from
    her own address, with the file recorded for her namesake (their names make one file
    name) — is kept, to be refused for whose file it is: her e-mail is named. One whose
    agent its e-mail tells (a namesake's, from her own address) while the file in the folder
    alone cannot (saved by hand, or by a run stopped before it recorded) is kept in its
    place: the e-mail says whose proof it is."""

    def agent(item: Incoming) -> Row | None:
        digest = hashlib.sha256(item.data).hexdigest()
        told = (_address_agent(item, rows), _recorded_agent(sheet, digest, rows))
        return _named(item.name, rows, table.path.name, tuple(h for h in told if h))[0]

    kept: list[Incoming] = []
    stood_for: list[Incoming] = []  # the files in the folder an e-mail kept says whose
    for item in incoming:
        if item.in_folder:
            key = item.name.casefold()
            there = next((o for o in incoming if o.mail is None and o.name.casefold() == key), None)
            mine, its = agent(item), agent(there) if there is not None else None
            if mine is not None and there is not None and its is None:
                stood_for.append(there)
            elif mine is None or its is None or _row_key(mine) == _row_key(its):
                continue
        kept.append(item)
    return [k for k in kept if all(k is not s for s in stood_for)]


def _own_copies(
    incoming: Sequence[Incoming],
    digests: Sequence[str],
    owners: Sequence[Row | None],
    today: date | None,
) -> dict[tuple[str, tuple[str, int]], Incoming]:
    """The first sending of each file (SHA-256) in an agent's own e-mails (`owners`),
    whatever its name, by file and agent: the earliest day that can be (`_sent_first`),
    whatever the e-mail files' names."""
    found: dict[tuple[str, tuple[str, int]], Incoming] = {}
    for item, digest, owner in zip(incoming, digests, owners, strict=True):
        if owner is None:
            continue
        key = (digest, _row_key(owner))
        was = found.get(key)
        if was is None or _sent_first(item, owner, today) < _sent_first(was, owner, today):
            found[key] = item
    return found


def _sent_first(item: Incoming, agent: Row, today: date | None) -> tuple[bool, date]:
    """How early a copy was sent, to take the first of one file's copies: a day that can be
    (on or after the agent's ESP Start Date, not after today) before one that cannot (a
    wrong clock), then the earlier day."""
    start = _esp_start(agent)
    wrong = (start is not None and item.received < start) or (
        today is not None and item.received > today
    )
    return wrong, item.received


def _forwarded_after(
    item: Incoming,
    agent: Row,
    incoming: Sequence[Incoming],
    digests: Sequence[str],
    owners: Sequence[Row | None],
    today: date | None,
) -> Incoming:
    """The agent's own e-mail's copy `item`, dated no later than the earliest e-mail of the
    run that forwarded the same file (SHA-256): another's e-mail holding it, or the forward
    carrying another of her e-mails that holds it. Dated after it is a wrong clock on her
    computer: dated the forward's day, and said. Dated before her ESP Start Date with such
    a forward on or after it, it is dated the forward's day too, as inside one e-mail. Only
    a forward whose own day can be (on or after her ESP Start Date, not after today) bounds
    her e-mail: one dated otherwise is a wrong clock on the forwarder's computer."""
    digest = hashlib.sha256(item.data).hexdigest()
    start = _esp_start(agent)
    forwards: list[tuple[date, datetime | None, str, Incoming]] = []
    for other, its, owner in zip(incoming, digests, owners, strict=True):
        if its != digest or other.mail is None:
            continue
        if owner is not None and _row_key(owner) == _row_key(agent):
            if other.forwarded_on is not None:
                who = other.forwarded_by
                forwards.append((other.forwarded_on, other.forward_sent, who, other))
        else:
            who = other.sender or other.sender_name
            forwards.append((other.received, other.sent, who, other))
    forwards = [
        f for f in forwards if (start is None or f[0] >= start) and (today is None or f[0] <= today)
    ]
    if not forwards:
        return item
    day, sent, who, first = min(forwards, key=lambda f: f[0])
    by = f"{who or 'an e-mail with no sender'}'s forward of the same file"
    by += f" ({first.mail}, {fmt(day)})"
    if item.mail is not None and item.sent is None and first is not item:
        # No time in her e-mail: the file's own time (a copy's) is no day it was sent.
        why = f"the agent's e-mail holds no date (no time in it): dated by {by}"
    elif start is not None and item.received < start:
        if first is item:
            return item  # the forward carrying it: `dated` says so
        why = (
            f"the agent's e-mail is dated {fmt(item.received)}, before {agent.label()}'s ESP "
            f"Start Date ({fmt(start)}): a wrong clock, or a transcript of an earlier "
            f"enrolment? Dated the day of {by}; check the transcript"
        )
    elif item.received > day:
        why = (
            f"the agent's e-mail is dated {fmt(item.received)}, after {by}: a wrong clock on "
            "the agent's computer? Dated the forward's day"
        )
    else:
        return item
    warning = f"{item.date_warning}; {why}" if item.date_warning else why
    return replace(item, received=day, sent=sent, date_warning=warning)


def _sent_as(item: Incoming, theirs: Incoming) -> Incoming:
    """The copy `item` as the agent's own e-mail `theirs`, holding the same file under
    another name (one her SME renamed), sent it: her day, her address, the forwards."""
    return replace(
        item,
        received=theirs.received,
        sender=theirs.sender,
        sender_name=theirs.sender_name,
        sent_by=theirs.sent_by,
        sent=theirs.sent,
        via=theirs.via,
        forwarded_by=theirs.forwarded_by,
        forwarded=theirs.forwarded,
        forwarded_on=theirs.forwarded_on,
        forward_sent=theirs.forward_sent,
        date_warning=theirs.date_warning,
        own_day=theirs.own_day,
        own_sent=theirs.own_sent,
    )


def _claims(
    incoming: Sequence[Incoming],
    digests: Sequence[str],
    owners: Sequence[Row | None],
    hints: Sequence[tuple[Row, ...]],
    rows: Sequence[Row],
    table: Table,
) -> list[Row | None]:
    """Whose transcript each copy came as: the agent its name names; else, for a name that
    names no agent ('transcript.pdf'), the agent whose own e-mail it came in. The same bytes
    in two agents' own e-mails are both agents' claims, whatever either file is called: a
    colleague's copy of Kayla's file and Rebecca's own transcript that Kayla copied look
    alike, so neither is taken (`_disputed`) and the team is asked — unless the colleague's
    copy points to Kayla, whose own e-mail holds the same bytes (`_points_to`: a name close
    to hers, or her e-mail forwarded with her file under its own name): it came as Kayla's,
    not as the colleague's own."""
    named = [
        _named(item.name, rows, table.path.name, hint)[0]
        for item, hint in zip(incoming, hints, strict=True)
    ]
    claims = [found or owner for found, owner in zip(named, owners, strict=True)]
    for i, item in enumerate(incoming):
        colleague = owners[i]
        if named[i] is not None or colleague is None:
            continue
        pointed = _points_to(item, rows)
        if not pointed or any(_row_key(hers) == _row_key(colleague) for hers, _ in pointed):
            continue  # points to no one, or to the colleague herself: may be her own
        hers_too = [
            hers
            for hers, same_name in pointed
            if any(
                digest == digests[i]
                and owner is not None
                and claim is not None
                and _row_key(owner) == _row_key(hers) == _row_key(claim)
                and (not same_name or theirs.name.casefold() == item.name.casefold())
                for theirs, digest, owner, claim in zip(
                    incoming, digests, owners, claims, strict=True
                )
            )
        ]
        if hers_too and len({_row_key(hers) for hers in hers_too}) == 1:
            claims[i] = hers_too[0]
    return claims


def _points_to(item: Incoming, rows: Sequence[Row]) -> list[tuple[Row, bool]]:
    """The agents a copy named for no agent points to, each with whether it points to her
    only beside her own copy of the same file name: the one agent its file name is close to
    (her whole name typed a letter or two off: close_name). Never enough on its own: only
    beside her own e-mail holding the same bytes (`_claims`). A colleague's Outlook Forward
    of her e-mail points to no one: the file in it keeps the name the training site gave
    it (`Transcript.pdf`), which the colleague's own transcript has too."""
    found: list[tuple[Row, bool]] = []
    close = [r for r in rows if close_name(name_in(item.name), r.name)]
    if len(close) == 1:
        found.append((close[0], False))
    return found


def _disputed(
    incoming: Sequence[Incoming],
    digests: Sequence[str],
    claims: Sequence[Row | None],
    order: Sequence[int],
    sheet: TrackingBook | None,
) -> dict[str, list[tuple[Row, Incoming]]]:
    """The files (by SHA-256) come as more than one agent's transcript in this run and
    recorded for none of them, with each agent and her first copy: whose it is cannot be
    told. A copy counts whatever else is wrong with it — a bad name that still names her
    ('Kayla_Brooks_TBT.pdf'), a day before her ESP Start Date, a name that names no agent
    in her own e-mail ('transcript.pdf' sent from her address; `_claims`): it came as hers."""
    disputes: dict[str, list[tuple[Row, Incoming]]] = {}
    for i in order:
        item, digest, found = incoming[i], digests[i], claims[i]
        if pdf_problem(item.data) is not None:
            continue
        if found is None:
            continue
        if sheet is not None and _recorded_words(sheet, digest, found.ref()) is not None:
            continue  # recorded for another: this copy is refused so, and claims nothing
        agents = disputes.setdefault(digest, [])
        if all(_row_key(found) != _row_key(a) for a, _ in agents):
            agents.append((found, item))
    return {digest: agents for digest, agents in disputes.items() if len(agents) > 1}


def _row_key(row: Row) -> tuple[str, int]:
    return row.sheet, row.row


def _names_her(found: Row | None, claimant: Row) -> bool:
    """Whether the agent a file's name names (`found`) is the one it came as: a refused file
    carries its agent only then when it is a copy of another agent's recorded file."""
    return found is not None and _row_key(found) == _row_key(claimant)


def _shown(item: Incoming) -> str:
    """A proof's file as a person finds it: its name, and the e-mail it came in."""
    return item.name + (f" in {item.mail}" if item.mail else "")


def _whose(agents: Sequence[tuple[Row, Incoming]], i: int | None) -> Rejected:
    """The file of `agents[i]`, the same file as the other agents' in one run and recorded
    for none of them: rejected, naming the others — esp never guesses whose it is (`i`
    None: a copy of none of them, naming them all)."""
    item = agents[i if i is not None else 0][1]
    others = " and ".join(
        f"{a.label()}'s ({_shown(other)})" for j, (a, other) in enumerate(agents) if j != i
    )
    which = "either" if len(agents) == 2 and i is not None else "any of them"
    why = f"the same file as {others}: whose transcript is it? Nothing is recorded for {which}"
    fix = "ask them, and run esp tbt proofs again with only its own agent's file"
    return Rejected(item.name, why, mail=item.mail, fix=fix)


def _other_copy(item: Incoming, taken: Incoming) -> tuple[str, str]:
    """Why an attachment is refused when another file of its name, with other bytes, was
    taken from an e-mail of this run: which copy each is, and that the other was taken;
    and the fix."""
    if taken.mail != item.mail:
        where = f"came in {taken.mail}"
    else:  # the SME's copy and the agent's own e-mail's, in one e-mail: which is which
        where = f"came in the same e-mail ({_copy_place(taken)}; this one {_copy_place(item)})"
    return (
        f"a different '{item.name}' {where} and is the one taken; esp never saves over "
        "another file",
        "compare the two, and if this one is the transcript, record it by hand",
    )


def _copy_place(item: Incoming) -> str:
    """Where in its e-mail an attachment came: in the agent's e-mail attached to it, or
    attached to the e-mail itself, each with its sender."""
    who = item.sender or item.sender_name or "no sender"
    return f"in the attached e-mail {item.via!r} from {who}" if item.via else f"attached by {who}"


def _owners_first(
    incoming: Sequence[Incoming],
    digests: Sequence[str],
    owners: Sequence[Row | None],
    hints: Sequence[tuple[Row, ...]],
    rows: Sequence[Row],
    table: Table,
    sheet: TrackingBook | None,
    today: date | None,
) -> list[int]:
    """The order to check the files in: as they come, but where the same file comes in more
    than once, the copy to take first (in the place of the first of them): the one of the
    agent the TBT Tracking Sheet has it recorded for; else one sent from its agent's own
    address (her e-mail, not her SME's forward of it: her day, her address); of two such,
    the one sent first (`_sent_first`: her resend, her SME's second forward, is a copy),
    whatever the e-mail files' names."""
    order = list(range(len(incoming)))
    places: dict[str, list[int]] = {}
    for i, digest in enumerate(digests):
        places.setdefault(digest, []).append(i)
    for digest, where in places.items():
        if len(where) < 2:
            continue
        owner = sheet.hashes.get(digest) if sheet is not None else None

        def rank(i: int, owner: tuple[str, str, str, str] | None = owner) -> tuple[int, bool, date]:
            found = check_name(incoming[i].name, rows, table.path.name, hints[i])
            if isinstance(found, Rejected):
                return 3, False, date.min
            first = _sent_first(incoming[i], found, today)
            if (
                owner is not None
                and sheet is not None
                and _meant(sheet, owner[0], owner[3], found.ref())
            ):
                return 0, *first
            hers = owners[i]
            own = hers is not None and _row_key(hers) == _row_key(found)
            return 1 if own else 2, *first

        for place, i in zip(where, sorted(where, key=lambda i: (rank(i), i)), strict=True):
            order[place] = i
    return order


def save_attachments(folder: Path, items: Sequence[Incoming]) -> None:
    """Each attachment into the folder under its own name, dated the day its e-mail was
    sent (a later run reads that date from the file); never over a file that is there."""
    for item in items:
        path = folder / item.name
        try:
            # Made only under a free name, even one taken while esp wrote it.
            made = not path.exists() and create_file_atomically(path, item.data, hidden=False)
            if made and item.sent is not None:
                stamp = item.sent.timestamp()
                os.utime(path, (stamp, stamp))
        except OSError as exc:
            raise WriteFailedError(
                f"{path}: the attachment of {item.mail} cannot be saved ({exc.strerror}); "
                "nothing was recorded.",
                fix=f"check that you can write to {folder}.",
            ) from exc
        if not made:
            raise WriteFailedError(
                f"{path}: appeared while esp was recording it; esp never saves over another "
                "file, and recorded nothing.",
                fix="run esp tbt proofs again.",
            )


def _plan_tracker(
    plan: ChangePlan, rows: dict[tuple[str, int], Row], proofs: list[Proof], config: Config
) -> list[str]:
    """All TBTs Complete? = Yes and TBT Complete Date where not set already (a date already
    there is the coordinator's and is kept); the agent's computed columns then follow.
    Returns the sheets of the agents written."""
    now = config.now()
    cal = None
    sheets: list[str] = []
    for proof in proofs:
        row = rows[(proof.agent.sheet, proof.agent.row)]
        written: dict[str, Any] = {}
        if row.get("tbts_complete") is not True:
            plan.set(row, "tbts_complete", plan.table.yes_no(row, "tbts_complete", True))
            written["tbts_complete"] = True
        if row.get("tbt_complete_date") is None and "tbt_complete_date" not in row.unreadable:
            plan.set(row, "tbt_complete_date", proof.received)
            written["tbt_complete_date"] = proof.received
        if written:
            cal = cal or calendar_from(config)
            follow_computed(plan, row, written, config, now, cal, read=READ_KEYS)
            sheets.append(row.sheet)
    return sheets


def _class_cells(table: Table) -> dict[tuple[str, int], str]:
    """Each agent row's Class cell (the first of merged cells it is in), by (sheet, row):
    none in a sheet whose class is its name (no Class column)."""
    cells: dict[tuple[str, int], str] = {}
    for row in table.rows():
        sheet = table.sheet(row.sheet)
        col = sheet.col("class")
        if col is None:
            continue
        merged = sheet.merged_at(row.row, col)
        r, c = (merged[0], merged[1]) if merged is not None else (row.row, col)
        cells[(row.sheet, row.row)] = address(row.sheet, r, c)
    return cells


def _placed(
    book: TrackingBook,
    fresh: Sequence[Proof],
    named: TrackingSheet | None,
    rejected: list[Rejected],
    to_save: dict[str, Incoming],
) -> tuple[list[tuple[Proof, TrackingSheet]], list[Proof]]:
    """The sheet each new proof goes to (`named`, else its class's: tracking_tab), and the
    proofs placed; those of a class whose rows have no sheet esp can tell are refused, in
    `rejected` (in its order) with why and the fix, their attachments not saved."""
    placed: list[tuple[Proof, TrackingSheet]] = []
    for proof in fresh:
        try:
            placed.append((proof, named or tracking_tab(book, proof.agent.cls)))
        except Unplaced as exc:
            rejected.append(
                Rejected(proof.file, exc.why, mail=proof.mail, fix=exc.fix, agent=proof.agent)
            )
            if proof.mail is not None:
                to_save.pop(proof.file, None)
    rejected.sort(key=lambda r: (r.mail or r.file).casefold())
    return placed, [p for p, _ in placed]


def _not_others(
    sheet: TrackingBook, good: list[Proof], rejected: list[Rejected], to_save: dict[str, Incoming]
) -> list[Proof]:
    """The good proofs but those whose file is recorded for another agent: those rejected
    (in place, in `rejected`'s order), their attachments not saved, nothing flagged."""
    kept: list[Proof] = []
    for proof in good:
        words = _recorded_for(sheet, proof)
        if words is None:
            kept.append(proof)
            continue
        why, fix = words
        rejected.append(Rejected(proof.file, why, mail=proof.mail, fix=fix, agent=proof.agent))
        if proof.mail is not None:
            to_save.pop(proof.file, None)
    rejected.sort(key=lambda r: (r.mail or r.file).casefold())
    return kept


def record_proofs(
    folder: Path,
    tracker_path: Path,
    config: Config,
    *,
    tracking_sheet: Path | None = None,
    tab: str | None = None,
    by: str | None = None,
    dry_run: bool = False,
) -> ProofsResult:
    files = _files(folder)
    sheet_path = config.tracking_sheet(tracker_path, tracking_sheet)
    from_config = tracking_sheet is None and config.tbt_tracking_sheet is not None
    source = "[tracker] tbt_tracking_sheet" if from_config else "--tracking-sheet"
    check_not_lock_file(sheet_path, "TBT Tracking Sheet", source)
    # Refused before either workbook is written, when created as when added to.
    given = f"in esp.toml {source}" if from_config else f"with {source}"
    refuse_long_name(sheet_path, "the TBT Tracking Sheet", given)
    if _same_file(sheet_path, tracker_path):
        raise UsageError(
            f"{sheet_path} is the ESP Tracker itself.",
            fix="give the TBT Tracking Sheet workbook with --tracking-sheet.",
        )
    tab_name = tab if tab is not None else config.tbt_tracking_tab
    tab_source = "--tracking-tab" if tab is not None else "[tracker] tbt_tracking_tab"
    if tab_name is not None and not sheet_path.exists():
        _check_new_tab(tab_name, tab_source)
    signer = config.who_signs(by)
    writer = signer.name
    incoming, refused = incoming_proofs(files, folder, config.zone())
    today = config.today()
    with write_session(
        tracker_path, config, keys=READ_KEYS, dry_run=dry_run, signer=writer, scan_also=FOLLOW_SCAN
    ) as s:
        # The computed columns follow each completion, where a sheet has them: before the
        # TBT Tracking Sheet or a proof is written.
        need_rule_columns(s.table, config, computed=True)
        created = not sheet_path.exists()
        sheet_write = None
        by_row = {(r.sheet, r.row): r for r in s.table.rows()}
        into = [tab_name or TRACKING_SHEET]
        several = tab_name is not None  # the sheet created is named as asked: said
        if created:
            good, rejected, to_save = check_files(incoming, s.table, today=today)
            rejected = sorted(refused + rejected, key=lambda r: (r.mail or r.file).casefold())
            recorded, already = good, []
            # The tracker's cells first: what its write refuses stops the command before
            # the TBT Tracking Sheet or a proof is written.
            followed = _plan_tracker(s.plan, by_row, good, config)
            if good and not dry_run:
                save_attachments(folder, list(to_save.values()))
                _create_tracking(sheet_path, good, writer, into[0])
        else:
            with write_session(
                sheet_path, config, rows=False, dry_run=dry_run, signer=writer
            ) as sheet_s:
                book = read_tracking(sheet_s.workbook, sheet_s.waiting_cells)
                said_switches(book)
                book.agents = tuple(s.table.rows())
                book.classes = frozenset(" ".join(r.cls.split()).casefold() for r in s.table.rows())
                named = named_tab(book, tab_name, sheet_path, tab_source) if tab_name else None
                book.class_cells = _class_cells(s.table)
                count_dated(book, records_on(book, sorted(book.classes), named))
                good, rejected, to_save = check_files(incoming, s.table, book, today)
                rejected = sorted(refused + rejected, key=lambda r: (r.mail or r.file).casefold())
                good = _not_others(book, good, rejected, to_save)
                on = [_found_on(book, p) for p in good]
                shown = book.several  # the sheet of each proof is said
                already = [
                    replace(p, tab=t if shown else None) for p, t in zip(good, on, strict=True) if t
                ]
                # Not recorded yet: said when a row typed by hand names its file.
                fresh = [p for p, t in zip(good, on, strict=True) if t is None]
                if named is not None and fresh and named.state == "veryHidden":
                    raise UsageError(
                        f"{sheet_path}: the sheet '{named.sheet}' given with {tab_source} is "
                        "very hidden (Excel's Unhide does not list it); esp never writes where "
                        "the team cannot see, and wrote nothing.",
                        fix=f"show it: {SHOW_VERY_HIDDEN}; or give another sheet with "
                        f"{tab_source}.",
                    )
                # The proofs of a class whose rows have no sheet esp can tell are refused,
                # each named with why; the other classes' are recorded.
                placed, fresh = _placed(book, fresh, named, rejected, to_save)
                good = [p for p, t in zip(good, on, strict=True) if t or any(p is f for f in fresh)]
                new = [_said_rows(book, p, dry_run) for p in fresh]
                placed = [(p, t) for p, (_, t) in zip(new, placed, strict=True)]
                # Already-recorded proofs are flagged too: a run stopped between the two
                # workbooks is finished by the next one. The tracker's cells first: what
                # its write refuses stops the command before the TBT Tracking Sheet is.
                followed = _plan_tracker(s.plan, by_row, good, config)
                for line in no_own_tab(book, placed, sheet_path, dry_run) if not named else []:
                    log.warning("%s", line)
                recorded = [replace(p, tab=t.sheet if shown else None) for p, t in placed]
                targets: dict[str, tuple[TrackingSheet, list[Proof]]] = {}
                for proof, (_, target) in zip(recorded, placed, strict=True):
                    targets.setdefault(target.sheet, (target, []))[1].append(proof)
                if not targets:
                    # Nothing to add: the sheet that would be added to is still read for
                    # the columns esp records that it lacks, when there is one.
                    # Never a very hidden one named: nothing is written there.
                    try:
                        default = named or tracking_tab(book, "")
                        if default.state != "veryHidden":
                            targets[default.sheet] = (default, [])
                    except Unplaced:
                        pass
                into, several = [t.sheet for t in book.sheets if t.sheet in targets], shown
                getting = [target for target, proofs in targets.values() if proofs]
                given_by = tab_source if named else None
                for line in hidden_tabs(getting, sheet_path, dry_run, given_by):
                    log.warning("%s", line)
                for target, proofs in targets.values():
                    _plan_tracking(sheet_s.plan, target, proofs, writer)
                sheet_s.plan.check_new_columns()  # before the attachments are saved
                if not dry_run:
                    save_attachments(folder, list(to_save.values()))
            sheet_write = sheet_s.report
    return ProofsResult(
        folder=folder,
        tracking_sheet=sheet_path,
        recorded=recorded,
        already=already,
        rejected=rejected,
        created_sheet=created and bool(good),
        tabs=into if recorded else [],
        several_tabs=several,
        write=s.report,
        sheet_write=sheet_write,
        signed_by=signer,
        computed_missing=partial_computed(s.table, followed) or None,
    )
