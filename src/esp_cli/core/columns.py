"""Canonical tracker columns, their common spellings, and header matching (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    YESNO = "yesno"
    NUMBER = "number"
    NAME = "name"


@dataclass(frozen=True)
class Column:
    key: str  # stable snake_case id used in code and JSON
    header: str  # canonical header text, written when esp adds the column
    kind: Kind
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("class", "Class", Kind.TEXT, ("Class ID", "Class Name", "Wave", "Class #")),
    Column("agent_name", "Agent Name", Kind.NAME, ("Name", "Employee Name", "Agent")),
    Column("agent_id", "Agent ID", Kind.TEXT, ("Employee ID", "Emp ID", "EmpID", "Agent #")),
    Column("email", "Email", Kind.TEXT, ("E-mail", "Email Address", "E-mail Address")),
    Column("phone", "Phone", Kind.TEXT, ("Phone Number",)),
    Column("n_number", "N Number", Kind.TEXT, ("N#", "NNumber", "N No", "N Num")),
    Column(
        "n_number_requested",
        "Date of N Number Request",
        Kind.DATE,
        ("N Number Request Date", "Date Requested", "Request Date", "N Number Requested"),
    ),
    Column("certifier", "Certifier", Kind.TEXT),
    Column("tbt_sme", "TBT SME", Kind.TEXT, ("TBT SMEs", "SME")),
    Column("esp_start", "ESP Start Date", Kind.DATE, ("ESP Start", "Start Date")),
    Column("call_cert_start", "Call Cert Start", Kind.DATETIME, ("Call Cert Start Time",)),
    Column("call_cert_complete", "Call Cert Complete?", Kind.YESNO, ("Call Certs Complete",)),
    Column("call_cert_date", "Call Cert Complete Date", Kind.DATE, ("Call Cert Date",)),
    Column("tbt_hours", "TBT Hours", Kind.NUMBER),
    Column("tbts_complete", "All TBTs Complete?", Kind.YESNO, ("TBTs Complete", "TBT Complete")),
    Column("tbt_complete_date", "TBT Complete Date", Kind.DATE, ("TBTs Complete Date",)),
    Column("citrix_access", "Citrix TBT Access", Kind.TEXT, ("Citrix Access", "TBT Access")),
    Column("spoc_called", "SPOC Called Date", Kind.DATE, ("SPOC Called", "Date SPOC Called")),
    Column(
        "incident_number",
        "SPOC Incident Number",
        Kind.TEXT,
        ("Incident Number", "Incident #", "SPOC Incident #"),
    ),
    Column("callback_phone", "Callback Phone", Kind.TEXT, ("Callback Number", "Call Back Phone")),
    Column("searched_course", "Searched by Course Number", Kind.YESNO, ("Searched by Course #",)),
    Column("coaching_date", "Coaching Date", Kind.DATE, ("Documented Coaching Date",)),
    Column("written_cap_date", "Written CAP Date", Kind.DATE, ("CAP Date",)),
    Column("final_cap_date", "Final CAP Date", Kind.DATE),
    Column("term_review_date", "Term Review Date", Kind.DATE, ("Term Date",)),
    Column("escalation_stage", "Escalation Stage", Kind.TEXT),
    Column("next_action", "Next Action", Kind.TEXT),
    Column("next_action_due", "Next Action Due", Kind.DATE),
    Column("notes", "Notes", Kind.TEXT, ("Note", "Coordinator Notes")),
    Column("tbt_notes", "TBT Notes", Kind.TEXT, ("TBT Note", "SME Notes")),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}

# The columns esp computes from the others on every write that brings an agent up to date
# (esp escalations --write, a ladder step, a round's answers): what is typed there is
# esp's to overwrite.
COMPUTED = frozenset({"escalation_stage", "next_action", "next_action_due"})

# Headers of a column that numbers the rows of a list (`#`, `No.`, `Row`), normalised: its
# numbers are no part of a note.
INDEX_HEADERS = frozenset({"#", "no", "no #", "row", "row #", "index"})

_NON_ALNUM = re.compile(r"[^0-9a-z#]+")


def normalise_header(text: object) -> str:
    """Case, spacing, punctuation and a trailing '?' ignored: 'Date of N  Number Request?' ->
    'date of n number request'. '#' is kept because 'N#' and 'Incident #' mean something."""
    if text is None:
        return ""
    s = str(text).strip().lower().rstrip("?").replace("_", " ")
    s = _NON_ALNUM.sub(" ", s)
    return " ".join(s.split())


def _compact(norm: str) -> str:
    return norm.replace(" ", "")


def alias_table(extra: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
    """Map each normalised (and space-free) spelling to a column key.

    `extra` comes from esp.toml `[columns]`: canonical header or key -> list of spellings.
    Configured spellings win over built-in aliases.
    """
    table: dict[str, str] = {}
    for col in COLUMNS:
        for spelling in (col.header, col.key, *col.aliases):
            norm = normalise_header(spelling)
            table.setdefault(norm, col.key)
            table.setdefault(_compact(norm), col.key)
    for target, spellings in (extra or {}).items():
        key = resolve_key(target)
        if key is None:
            continue
        for spelling in spellings:
            norm = normalise_header(spelling)
            table[norm] = key
            table[_compact(norm)] = key
    return table


def resolve_key(name: str) -> str | None:
    """A column key from its key or canonical header (as written in esp.toml)."""
    if name in BY_KEY:
        return name
    norm = normalise_header(name)
    for col in COLUMNS:
        if normalise_header(col.header) == norm or _compact(normalise_header(col.header)) == (
            _compact(norm)
        ):
            return col.key
    return None


def match_header(text: object, table: Mapping[str, str]) -> str | None:
    norm = normalise_header(text)
    if not norm:
        return None
    return table.get(norm) or table.get(_compact(norm))
