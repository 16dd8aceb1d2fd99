"""Canonical tracker columns, their common spellings, and header matching (pure)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from enum import Enum, IntEnum
from typing import Any, NamedTuple

from esp_cli.core.values import Unreadable, is_blank, parse_date, parse_yes_no


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
    # Spellings that name the column only as a question: a trailing "?" or "(Y/N)".
    questions: tuple[str, ...] = ()


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
    Column(
        "call_cert_complete",
        "Call Cert Complete?",
        Kind.YESNO,
        ("Call Certs Complete",),
        # A date or a count by another name: the column only when asked as a question.
        questions=(
            "Call Cert Completed",
            "Call Certs Completed",
            "Call Cert Done",
            "Call Certs Done",
        ),
    ),
    Column("call_cert_date", "Call Cert Complete Date", Kind.DATE, ("Call Cert Date",)),
    Column("tbt_hours", "TBT Hours", Kind.NUMBER),
    Column(
        "tbts_complete",
        "All TBTs Complete?",
        Kind.YESNO,
        ("TBTs Complete", "TBT Complete"),
        # "TBTs Completed" is also how many (the progress report's column), "All TBTs
        # Completed" may hold the day they were: the flag only when asked as a question,
        # "All TBTs Completed?" or "TBTs Completed (Y/N)". "TBT's" reads as "TBTs"
        # (punctuation and spaces are ignored).
        questions=(
            "All TBT Complete",
            "All TBTs Completed",
            "All TBT Completed",
            "All TBTs Done",
            "All TBT Done",
            "TBTs Completed",
            "TBT Completed",
            "TBTs Done",
            "TBT Done",
        ),
    ),
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

# The columns the rules read whose absence would change every agent's result: without ESP
# Start Date nobody is evaluated, without a completion flag nobody is complete. A command
# whose result follows the rules stops when a sheet of agents lacks one (never guessing).
RULES_NEED: tuple[str, ...] = ("esp_start", "call_cert_complete", "tbts_complete")

# The columns only a sheet of agents to follow keeps: every column but those that say who
# the agents are (names, IDs, class, contact, N Number, certifier, a start date, notes):
# the two steps, access and SPOC, the ladder, the computed columns, the TBT SME and the TBT
# Notes. A sheet with none of them is a roster or a summary of the agents.
TRACKER_OWN = frozenset(c.key for c in COLUMNS) - {
    "class",
    "agent_name",
    "agent_id",
    "email",
    "phone",
    "n_number",
    "n_number_requested",
    "certifier",
    "esp_start",
    "notes",
}


def roster_beside(
    columns: Iterable[str], others: Mapping[str, Iterable[str]], needed: Iterable[str]
) -> str | None:
    """The sheet of agents beside which a sheet with these column keys is a roster or a
    summary of them, not a sheet of agents to follow (None: it is one). A roster has none of
    the tracker's own columns (TRACKER_OWN: a "Start Date" beside the names makes no sheet
    of agents), and another sheet (`others`: name -> its column keys) has some, with every
    column of `needed`. A sheet with any of them — a class sheet made before its completion
    flags — is a sheet of agents: its fix is to map, rename or add the columns, never to
    hide it."""
    if TRACKER_OWN & set(columns):
        return None
    wanted = set(needed)
    return next(
        (name for name, cols in others.items() if TRACKER_OWN & set(cols) and wanted <= set(cols)),
        None,
    )


# The columns esp computes from the others on every write that brings an agent up to date
# (esp escalations --write, a ladder step, a round's answers): what is typed there is
# esp's to overwrite.
COMPUTED = frozenset({"escalation_stage", "next_action", "next_action_due"})

# Headers of a column that numbers the rows of a list (`#`, `No.`, `Row`), normalised: its
# numbers are no part of a note.
INDEX_HEADERS = frozenset({"#", "no", "no #", "row", "row #", "index"})

# What Microsoft Forms writes before the questions of every response, normalised: the
# response (ID, its times) and who filled it in (Email, Name).
FORMS_HEADERS = ("id", "start time", "completion time", "email", "name", "last modified time")
_FORMS_MARKS = ("id", "start time", "completion time")  # no hand-made sheet has all three


def is_forms_export(norms: Sequence[str]) -> bool:
    """Whether a header row (normalised: normalise_header) is a Microsoft Forms export's."""
    return all(h in norms for h in _FORMS_MARKS)


def forms_columns(norms: Sequence[str]) -> dict[int, str]:
    """The columns Forms writes before the questions (index -> normalised header): from
    its ID on, each of FORMS_HEADERS once; a question after them headed `Name` or `Email`
    is not one. Empty when the header row is no Forms export's."""
    if not is_forms_export(norms):
        return {}
    found: dict[int, str] = {}
    for i in range(norms.index("id"), len(norms)):
        if norms[i] not in FORMS_HEADERS or norms[i] in found.values():
            break
        found[i] = norms[i]
    return found


_NON_ALNUM = re.compile(r"[^0-9a-z#]+")
# A yes/no question's answer key after its words ("TBTs Complete (Y/N)", "... Yes/No"),
# as normalise_header leaves it.
_ANSWERS_SUFFIX = re.compile(r" (?:y n|yes no)$")
# How alike (difflib's ratio) a header must read to a column's spelling to be named as the
# one to rename or map, once it holds one of the column's own words (_MARKS).
_CLOSE = 0.5
# The words a header for one of the rules' columns holds, however else it is spelt.
_MARKS: dict[str, tuple[str, ...]] = {
    "esp_start": ("esp", "start"),
    "call_cert_complete": ("cert",),
    "tbts_complete": ("tbt",),
}
# Marks a question-only spelling in an alias table (no normalised header holds it).
_QUESTION = "?"
# Marks a spelling that names its column exactly in an alias table: the column's header or
# key, or a spelling esp.toml maps (no normalised header holds it either).
_EXACT = "="
# Marks a spelling esp.toml [columns] maps: the team saying which header is the column.
_MAPPED = "!"


class Rank(IntEnum):
    """How exactly a header names its column. Of two headers naming one column, the one
    ranked higher is the column; of two ranked alike, the first (leftmost)."""

    LOOSE = 0  # only as a question, or once its "(Y/N)" is set aside
    VARIANT = 1  # a built-in spelling: Name, Agent, Employee Name for Agent Name
    EXACT = 2  # the column's own header or key
    MAPPED = 3  # a spelling esp.toml [columns] maps: the team's word for its column


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
        for spelling in (col.header, col.key):
            norm = normalise_header(spelling)
            table.setdefault(_EXACT + norm, col.key)
            table.setdefault(_EXACT + _compact(norm), col.key)
        for spelling in col.questions:
            norm = normalise_header(spelling)
            table.setdefault(_QUESTION + norm, col.key)
            table.setdefault(_QUESTION + _compact(norm), col.key)
    for target, spellings in (extra or {}).items():
        key = resolve_key(target)
        if key is None:
            continue
        for spelling in spellings:
            norm = normalise_header(spelling)
            table[norm] = key
            table[_compact(norm)] = key
            table[_EXACT + norm] = key
            table[_EXACT + _compact(norm)] = key
            table[_MAPPED + norm] = key
            table[_MAPPED + _compact(norm)] = key
            if _asked(spelling):
                # The team's own question names the column, whatever it holds.
                table[_QUESTION + norm] = key
                table[_QUESTION + _compact(norm)] = key
    return table


def _asked(text: object) -> bool:
    """Whether a header is spelt as a question: it ends with '?'."""
    return text is not None and str(text).strip().endswith("?")


def asks_yes_no(text: object) -> bool:
    """Whether a header asks for a Yes or a No: it ends with '?', '(Y/N)' or 'Yes/No'."""
    return _asked(text) or bool(_ANSWERS_SUFFIX.search(normalise_header(text)))


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
    """The column key a header names (None: no known column). A "(Y/N)" or "(Yes/No)" after
    a header's words is no part of a yes/no column's name: "TBTs Complete (Y/N)" is "TBTs
    Complete"; it and a trailing "?" make the header a question, which a column's
    `questions` name. Such a header names no date, text or number column ("SPOC Called?"
    and "SPOC Called (Y/N)" hold a yes or a no, not the SPOC Called Date) unless esp.toml
    [columns] maps that question to it."""
    return header_match(text, table)[0]


def header_match(text: object, table: Mapping[str, str]) -> tuple[str | None, Rank]:
    """The column key a header names (as match_header) and how exactly (Rank): by the
    column's own header or key or a spelling esp.toml maps (EXACT), by a built-in spelling
    (VARIANT), or only as a question or once its "(Y/N)" is set aside (LOOSE). Of two
    headers naming one column, the more exact one is the column: "Agent Name" over a "Name"
    left of it, "TBTs Complete?" over an "All TBTs Completed?" (pick_columns)."""
    norm = normalise_header(text)
    if not norm:
        return None, Rank.LOOSE
    found = table.get(norm) or table.get(_compact(norm))
    if found is not None:
        if BY_KEY[found].kind is Kind.YESNO or not _asked(text):
            return found, _rank(norm, found, table)
        # A date, text or number column's spelling asked as a question: a yes or a no, not
        # the column, unless esp.toml maps the question itself.
        mapped = table.get(_QUESTION + norm) or table.get(_QUESTION + _compact(norm))
        if mapped is not None and BY_KEY[mapped].kind is not Kind.YESNO:
            return mapped, Rank.MAPPED
        return None, Rank.LOOSE
    bare = _ANSWERS_SUFFIX.sub("", norm)
    if bare != norm:
        found = table.get(bare) or table.get(_compact(bare))
    elif not str(text).strip().endswith("?"):
        return None, Rank.LOOSE
    found = found or table.get(_QUESTION + bare) or table.get(_QUESTION + _compact(bare))
    if found is not None and bare != norm and BY_KEY[found].kind is not Kind.YESNO:
        # "SPOC Called (Y/N)" holds a yes or a no: never the SPOC Called Date.
        return None, Rank.LOOSE
    return found, Rank.LOOSE


def _rank(norm: str, key: str, table: Mapping[str, str]) -> Rank:
    """How exactly a header (normalised) that names column `key` by a spelling names it."""
    if (table.get(_MAPPED + norm) or table.get(_MAPPED + _compact(norm))) == key:
        return Rank.MAPPED
    exact = table.get(_EXACT + norm) or table.get(_EXACT + _compact(norm))
    if exact is None:
        # A table made without alias_table: the column's own header or key still is exact.
        own = {normalise_header(BY_KEY[key].header), normalise_header(key)}
        exact = key if norm in own or norm in {_compact(o) for o in own} else None
    return Rank.EXACT if exact == key else Rank.VARIANT


def spellings(key: str, table: Mapping[str, str]) -> tuple[str, ...]:
    """Every spelling (normalised) of column `key` in an alias table, the exact ones (its
    header and key, those esp.toml maps) first, then the built-in ones: the order in which
    a header row's columns are taken for it when only one is read."""
    own = [s for s, k in table.items() if k == key and s[:1] not in (_EXACT, _QUESTION, _MAPPED)]
    return tuple(sorted(own, key=lambda s: _rank(s, key, table), reverse=True))


def set_aside_words(
    name: str,
    read: tuple[str, str],
    aside: tuple[str, str],
    why: str = "",
    mapped: bool = True,
    hidden: tuple[str | None, str | None] = (None, None),
) -> str:
    """One line for a header set aside because another is read for its column (`name`: its
    header as esp writes it; see pick_columns) (`read`, `aside`: each header's cell
    address and text; `why`: what chose it, when not the headers: see chosen_why): both
    cells, the one esp reads, and the fix (`mapped`: whether esp.toml [columns] can name
    the sheet's spelling of it; `hidden`: the column letter of the one read, of the one
    set aside, when Excel hides it: said, and how to see it, or the team cannot find it)."""
    because = f" ({why})" if why else ""
    fix = f"rename the one that does not hold the {name}"
    if mapped:
        fix += ", or map the team's spelling of it in esp.toml [columns] (a header mapped "
        fix += "there is read first)"
    letters = [h for h in (hidden[1], hidden[0]) if h is not None]
    if letters:
        fix = f"{unhide_words(letters)}, then {fix}"

    def cell(at: tuple[str, str], letter: str | None) -> str:
        return f"{at[0]} '{at[1]}'" + (f" (column {letter}, hidden)" if letter else "")

    return (
        f"{cell(aside, hidden[1])} and {cell(read, hidden[0])} both name the {name} column; "
        f"esp reads {read[0]}{because} and sets {aside[0]} aside. Fix: {fix}"
    )


def unhide_words(letters: Sequence[str]) -> str:
    """How to see columns Excel hides (`letters`: theirs, one or more), as a fix says it."""
    steps = "then Home > Format > Hide & Unhide > Unhide Columns"
    if len(letters) == 1:
        return (
            f"unhide column {letters[0]} to see it (in Excel, type {letters[0]}1 in the Name "
            f"Box, {steps})"
        )
    named = ", ".join(letters[:-1]) + f" and {letters[-1]}"
    cells = ", ".join(f"{c}1" for c in letters)
    return (
        f"unhide columns {named} to see them (in Excel, for each, type its cell of row 1 "
        f"({cells}) in the Name Box, {steps})"
    )


class Holds(Enum):
    """What most of a yes/no column's filled cells hold (cells_hold)."""

    NOTHING = "nothing"  # no cell filled
    ANSWERS = "yes or no"  # Yes, No, Y, N, TRUE, FALSE, 1 and 0... (as parse_yes_no reads)
    COUNTS = "numbers"  # 3, 0 and 1 beside other numbers, "6 of 8", "7/8", "5 TBTs", "75%"
    DATES = "dates"
    TEXT = "text"  # anything else: a course code, a name
    FORMULAS = "formulas"  # formulas whose result is not saved in the file: may be Yes/No


class Held(NamedTuple):
    """What most of a column's cells hold, and the place (among the cells given) of the
    first cell holding it (-1: NOTHING)."""

    holds: Holds
    at: int


# A formula whose result is not saved in the file (read as empty), as cells_hold is given
# it: its result may well be Yes or No.
UNCALCULATED = object()
# A number or text starting with one that is no date: a count ("6 of 8", "7/8", "5 TBTs",
# "75%"). A fraction with one slash is a count, never a day.
_FRACTION = re.compile(r"\d+(?:\.\d+)?\s*(?:/|of|out of)\s*\d+", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"[+-]?\d")
_ZERO_ONE = "0 or 1"  # a No or a Yes, unless the column counts (see Tally)


def _held(value: Any) -> Holds | str:
    """What one filled cell holds (_ZERO_ONE: a 0 or a 1, No or Yes unless counted)."""
    if value is UNCALCULATED:
        return Holds.FORMULAS
    if isinstance(value, bool):
        return Holds.ANSWERS
    if isinstance(value, (int, float)):
        return _ZERO_ONE if value in (0, 1) else Holds.COUNTS
    if isinstance(value, date):
        return Holds.DATES
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return _ZERO_ONE if number in (0, 1) else Holds.COUNTS
    try:
        parse_yes_no(text)
    except Unreadable:
        pass
    else:
        return Holds.ANSWERS
    if _FRACTION.fullmatch(text):
        return Holds.COUNTS
    try:
        parse_date(text)
    except Unreadable:
        return Holds.COUNTS if _LEADING_NUMBER.match(text) else Holds.TEXT
    return Holds.DATES


_PROGRESS = re.compile(
    r"(\d+)\s*(?:/|of|out of)\s*(\d+)|(\d+(?:\.\d+)?)\s*%|\d+(?:\.\d+)?", re.IGNORECASE
)


_MOST_TBTS = 20  # the most TBTs a progress count is of


def is_progress(value: Any) -> bool:
    """Whether one filled cell holds the progress so far and nothing else: a number, a
    count of a total of at most 20 TBTs ("5/8", "6 of 8"; never more than the total, so
    "12/3" or "11/23", which may be days, are not) or a percentage up to 100 ("50%"). Words
    beside it ("5/8 waiting on SPOC") are not."""
    if isinstance(value, bool) or value is UNCALCULATED:
        return False
    if isinstance(value, (int, float)):
        return True
    found = _PROGRESS.fullmatch(str(value).strip())
    if found is None:
        return False
    done, total, percent = found.groups()
    if total is not None:
        return int(done) <= int(total) <= _MOST_TBTS
    return percent is None or float(percent) <= 100


# A completion flag's cell holding the progress so far ("5/8" until done): the Yes that
# says it is done goes over it, as the team types it.
PROGRESS_FLAGS = frozenset({"call_cert_complete", "tbts_complete"})

# The other of a Yes/No pair as teams type it (see Tally.form).
_PAIRS = {
    "no": "yes",
    "yes": "no",
    "n": "y",
    "y": "n",
    "false": "true",
    "true": "false",
    "incomplete": "complete",
    "complete": "incomplete",
}

_OTHERS = (Holds.COUNTS, Holds.DATES, Holds.TEXT, Holds.FORMULAS)  # the first of equal ones


@dataclass(frozen=True)
class Tally:
    """How many of a column's filled cells hold each kind of value, and what most of them
    hold (`held`: Yes/No when more than half the filled cells hold one; else what most of
    the others hold; NOTHING when none is filled). Its 0s and 1s are No and Yes (as esp
    reads them everywhere), unless two cells or more hold other numbers: then they are
    counts too (a count of TBTs done)."""

    filled: int
    kinds: Mapping[Holds, int]
    held: Held
    words: int = 0  # the cells holding a Yes or a No in words or TRUE/FALSE, not as 1 or 0
    # How the column spells Yes (True) and No (False): each one's commonest cell of its own
    # cells' commonest form (TRUE/FALSE, 1/0, words; words of forms as common).
    spelt: Mapping[bool, Any] = field(default_factory=dict)
    rows: int = 0  # the agents' rows looked at, filled or not

    def form(self, value: bool) -> Any:
        """Yes or No as the column's own cells hold it (1 in a column of 1s and 0s, TRUE
        in one of TRUE/FALSE, `Y` where the team types Y and N; the Yes of a column holding
        only No, from its No); None: the column says nothing of it."""
        if self.held.holds is not Holds.ANSWERS:
            return None
        if value in self.spelt:
            return self.spelt[value]
        other = self.spelt.get(not value)
        if isinstance(other, bool):
            return value
        if isinstance(other, (int, float)):
            return int(value)
        if not isinstance(other, str):
            return None
        text = other.strip()
        pair = _PAIRS.get(text.casefold())
        if pair is None:
            return None
        if text.isupper():
            return pair.upper()
        return pair.capitalize() if text[:1].isupper() else pair

    @property
    def zero_one(self) -> bool:
        """Whether the column's Yes and No are 1s and 0s alone (no word, no TRUE/FALSE):
        as well a count of TBTs that has only reached 0 and 1 so far."""
        return self.held.holds is Holds.ANSWERS and not self.words

    @property
    def decided(self) -> bool:
        """Whether what the column holds rests on two cells or more: one stray cell (a
        course number typed once) says nothing of the column."""
        return self.kinds.get(self.held.holds, 0) >= 2


def tally(cells: Iterable[Any]) -> Tally:
    """What a column's filled cells hold (`cells`: those of the agents' rows, UNCALCULATED
    for a formula whose result is not saved). Each distinct value is looked at once."""
    cells = cells if isinstance(cells, list) else list(cells)
    kind_of: dict[tuple[bool, Any], Holds | str] = {}
    counted: dict[Holds | str, int] = {}
    filled = 0
    # TRUE and 1 are equal to Python: each is looked at as what it is (a TRUE/FALSE cell is a
    # Yes or a No, a 1 may be a count), whichever comes first.
    seen = Counter((v.__class__ is bool, v) for v in cells)
    for (_, value), n in seen.items():
        if value is None or value == "" or (value.__class__ is str and is_blank(value)):
            continue
        kind = kind_of[value.__class__ is bool, value] = _held(value)
        counted[kind] = counted.get(kind, 0) + n
        filled += n
    words = counted.get(Holds.ANSWERS, 0)
    # Each Yes and No cell by its form (TRUE/FALSE, a number, words) and its value: TRUE and
    # 1 kept apart, as `seen` keeps them.
    spelt: dict[bool, Counter[tuple[str, Any]]] = {True: Counter(), False: Counter()}
    for (is_bool, value), n in seen.items():
        answer = kind_of.get((is_bool, value))
        if answer == _ZERO_ONE:
            flag = float(value) == 1
        elif answer is Holds.ANSWERS:
            flag = bool(parse_yes_no(str(value).strip() if not is_bool else value))
        else:
            continue
        shape = _shape(value)
        spelt[flag][shape, value] += n
    forms = _forms(spelt)
    zero_one = counted.pop(_ZERO_ONE, 0)
    if zero_one:
        as_kind = Holds.COUNTS if counted.get(Holds.COUNTS, 0) >= 2 else Holds.ANSWERS
        counted[as_kind] = counted.get(as_kind, 0) + zero_one
    kinds = {k: n for k, n in counted.items() if isinstance(k, Holds)}
    if kinds.get(Holds.ANSWERS, 0) * 2 > filled:
        most = Holds.ANSWERS
    else:
        others = [k for k in _OTHERS if k in kinds]
        if not others:
            return Tally(filled, kinds, Held(Holds.NOTHING, -1), words, forms, len(cells))
        most = max(others, key=lambda k: kinds[k])
    # The first cell holding it (a count's, not a 0's, for a column of counts).
    wanted = {most} if most is Holds.COUNTS else {most, _ZERO_ONE}
    at = next(
        (
            i
            for i, v in enumerate(cells)
            if v is not None and kind_of.get((v.__class__ is bool, v)) in wanted
        ),
        None,
    )
    if at is None:  # a value unequal to itself (NaN): the first filled cell
        at = next(i for i, v in enumerate(cells) if v is not None and v != "")
    return Tally(filled, kinds, Held(most, at), words, forms, len(cells))


def _shape(value: Any) -> str:
    """The form a Yes or No cell takes: TRUE/FALSE, a number (1, 0) or words ("Yes", "1"
    typed as text)."""
    if value.__class__ is bool:
        return "bool"
    return "number" if isinstance(value, (int, float)) else "text"


def _forms(spelt: Mapping[bool, Counter[tuple[str, Any]]]) -> dict[bool, Any]:
    """Yes (True) as the column's Yes cells hold it, No (False) as its No cells do: each
    the commonest cell of its cells' commonest form (Tally.spelt), so a column whose done
    agents are 1 gets 1 whatever its No cells hold. Of forms as common, words."""
    out: dict[bool, Any] = {}
    for flag, found in spelt.items():
        shapes: Counter[str] = Counter()
        for (shape, _), n in found.items():
            shapes[shape] += n
        ranked = shapes.most_common()
        if not ranked:
            continue
        shape = ranked[0][0]
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            shape = "text"
        mine = [(n, value) for (s, value), n in found.items() if s == shape]
        if mine:  # else no word of forms as common: the drop-down's, else Yes/No
            out[flag] = max(mine, key=lambda m: m[0])[1]
    return out


def cells_hold(cells: Iterable[Any]) -> Held:
    """What most of the filled cells among `cells` hold, and where the first of them is
    (see Tally.held)."""
    return tally(cells).held


# What a yes/no column's header holding it is not: a count or the day each was done. Such a
# column is neither read nor written as the flag (the only header naming it, or a mapped
# one) once two cells or more say so.
NOT_ANSWERS = frozenset({Holds.COUNTS, Holds.DATES})


def no_flag_when(key: str) -> frozenset[Holds]:
    """What makes yes/no column `key` no flag at all (see NOT_ANSWERS): counts or dates for
    a completion flag; nothing for Searched by Course Number, where a number is the course
    searched and a date the day of the search, each typed in place of Yes (see
    read_searched)."""
    return NOT_ANSWERS if key in PROGRESS_FLAGS else frozenset()


SEARCHED = "searched_course"


def course_number(key: str, value: Any) -> bool:
    """Whether `value` in yes/no column `key` is a course number typed in Searched by
    Course Number in place of Yes (40118, '40118', '#40118'): the course searched, the
    team's practice. A course number is a whole number above 1: 2.5 or -3 is none (a cell
    that cannot be read). Letters and a number ('CRS-4471') are not one: 'TBD 1042', 'Not
    1042', an incident or an agent's ID typed one column off read the same, so such a cell
    cannot be read (esp doctor names it, with its fix)."""
    if key != SEARCHED or isinstance(value, (bool, date)):
        return False
    if isinstance(value, (int, float)):
        return value == value and value > 1 and float(value).is_integer()
    text = str(value).strip().removeprefix("#").strip()
    return text.isascii() and text.isdigit() and int(text) > 1


def searched_day(value: Any, date1904: bool = False) -> date | None:
    """The day of the search typed in Searched by Course Number in place of Yes (a date,
    a text date: 11/20/2026); None: no day (a number is the course searched, or no
    course: see course_number)."""
    if isinstance(value, date):
        try:
            return parse_date(value, date1904)
        except Unreadable:
            return None
    if not isinstance(value, str):
        return None
    try:
        float(value)
    except ValueError:
        pass
    else:
        return None
    try:
        return parse_date(value, date1904)
    except Unreadable:
        return None


def read_searched(value: Any, date1904: bool = False) -> bool | date | None:
    """A cell of Searched by Course Number as the team types it: Yes or No (as every yes/no
    column reads them), or, typed in place of Yes, the course searched (course_number): yes,
    True; or the day of the search (searched_day): that day, searched from then on (see
    searched_on), so that a day replayed before it reads not searched yet. Anything else
    cannot be read (raises Unreadable)."""
    try:
        return parse_yes_no(value)
    except Unreadable:
        if course_number(SEARCHED, value):
            return True
        day = searched_day(value, date1904)
        if day is not None:
            return day
        raise


def searched_on(value: bool | date | None, day: date) -> bool | None:
    """Whether Searched by Course Number, as read_searched reads it, says searched on `day`:
    the day of the search typed in place of Yes from that day on, not before it (a day after
    `day` is not searched yet); Yes, No or blank as they are."""
    if isinstance(value, date):
        return value <= day
    return value


def searched_as(value: Any, date1904: bool = False) -> str | None:
    """What a Searched by Course Number cell says in place of Yes, in words: 'the course
    searched', 'the day searched'; None: it holds no such value (Yes, No, blank, or what
    cannot be read)."""
    if course_number(SEARCHED, value):
        return "the course searched"
    try:
        parse_yes_no(value)
    except Unreadable:
        if searched_day(value, date1904) is not None:
            return "the day searched"
    return None


def pick_columns(
    found: Iterable[tuple[int, str, int]],
    blocks: Mapping[int, int] | None = None,
    holds: Mapping[int, Tally] | None = None,
    counted: AbstractSet[int] = frozenset(),
) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """The column of each key among a header row's (column, key, rank: how exactly its
    header names it; left to right). The headers decide: a header esp.toml maps first (the
    team has said which is its column); then, by `blocks` (by column, the weight of the
    block of headers it stands in: see header_blocks), never one in a block weighing a third
    or less of another's naming the key (a side list, a class summary beside the tracker);
    then, of a completion flag, never a header that names a count (`counted`: see
    names_count) while another does not; then the most exact header; then the first of
    equal ones. What the agents' cells hold (`holds`: by column, see Tally) sets that pick
    aside only when it cannot be the flag (see _cannot_be_flag): it holds counts or dates,
    or it is empty in every agent's row (or answered in fewer than a quarter of them) while
    another holds Yes or No (both, for the quarter) in half of them or more. And the
    headers set aside, as (key, the column read, the column set aside), in the order of the
    columns set aside."""
    by_key: dict[str, list[tuple[int, int]]] = {}
    for c, key, rank in found:
        by_key.setdefault(key, []).append((c, rank))
    columns: dict[str, int] = {}
    aside: list[tuple[str, int]] = []
    for key, named in by_key.items():
        # A spelling the team mapped in esp.toml first, wherever it stands: the team said so.
        kept = [n for n in named if n[1] == Rank.MAPPED] or named
        if blocks is not None and len(kept) > 1:
            most = max(blocks.get(c, 0) for c, _ in kept)
            kept = [n for n in kept if blocks.get(n[0], 0) * 3 > most]
        order = sorted(kept, key=lambda n: (n[0] not in counted, n[1], -n[0]), reverse=True)
        best = order[0][0]
        if holds and len(order) > 1 and BY_KEY[key].kind is Kind.YESNO:
            # A header naming a count whose cells hold Yes and No in words (or TRUE/FALSE)
            # is the team's flag under a looser name: it may set a column just added aside.
            counts = {c for c in counted if not _in_words(holds.get(c, _EMPTY))}
            best = _flag_column(key, [c for c, _ in order], holds, counts)
        columns[key] = best
        aside += [(key, c) for c, _ in named if c != best]
    aside.sort(key=lambda a: a[1])
    return columns, [(key, columns[key], c) for key, c in aside]


_EMPTY = Tally(0, {}, Held(Holds.NOTHING, -1))


def _flag_column(
    key: str, order: list[int], tallies: Mapping[int, Tally], counted: AbstractSet[int]
) -> int:
    """Of the headers naming yes/no column `key`, best first by their headers (`order`),
    the column read: the first the cells do not say cannot be the flag (see
    _cannot_be_flag); the headers' pick when every one can't."""
    for c in order:
        others = [tallies.get(o, _EMPTY) for o in order if o != c and o not in counted]
        if not _cannot_be_flag(key, tallies.get(c, _EMPTY), others):
            return c
    return order[0]


def _cannot_be_flag(key: str, t: Tally, others: Iterable[Tally]) -> bool:
    """Whether a column whose agents' cells hold `t` cannot be yes/no column `key` beside
    the others naming it (`others`: their cells, those under a header naming a count left
    out): it holds counts or dates (two cells or more, fewer than two a Yes or a No: see
    no_flag_cells); or no agent's cell is filled while another holds a Yes or a No (1/0,
    TRUE/FALSE, the words) in half of the agents' rows or more; or it holds an answer in
    fewer than a quarter of the agents' rows (a column just added) while another holds both
    Yes and No in half of them or more (the team's flag in use). A column of one value in
    every row (a leftover: all No, all Yes) or one typed only as agents finish (Yes alone)
    never sets another aside."""
    if no_flag_cells(key, t):
        return True
    others = list(others)
    if not t.filled and any(_answered_half(o) for o in others):
        return True
    return t.kinds.get(Holds.ANSWERS, 0) * 4 < t.rows and any(
        _answered_half(o) and True in o.spelt and False in o.spelt for o in others
    )


def _answered_half(t: Tally) -> bool:
    """Whether a column holds a Yes or a No in half of the agents' rows or more."""
    return t.held.holds is Holds.ANSWERS and t.kinds.get(Holds.ANSWERS, 0) * 2 >= t.rows > 0


def _in_words(t: Tally) -> bool:
    """Whether most of a column's filled cells are a Yes or a No in words or TRUE/FALSE
    (not 1 or 0): a flag, whatever its header says."""
    return t.filled > 0 and t.words * 2 > t.filled


def no_flag_cells(key: str, t: Tally) -> bool:
    """Whether yes/no column `key` whose agents' cells hold `t` is no flag at all: two of
    its cells or more hold what makes it none (no_flag_when: counts or dates), and fewer
    than two a Yes or a No."""
    return t.decided and t.kinds.get(Holds.ANSWERS, 0) < 2 and t.held.holds in no_flag_when(key)


# Words of a header that says how many (a per-agent count), never a completion flag's.
_COUNT_WORDS = frozenset({"count", "#", "number", "how", "many", "total", "progress"})
# The steps a completion flag is of, plural: "TBTs Complete" is how many are, "All TBTs
# Complete" and "TBT Complete" whether they are.
_PLURAL_STEPS = ("tbts", "certs")


def chosen_why(read: tuple[str, Tally], aside: tuple[str, Tally], by_cells: bool = True) -> str:
    """Why a yes/no column was read over another naming it (pick_columns): by what the
    agents' cells hold, or by the headers (`by_cells` False), with each one's column letter
    and its cells (Tally), as the column read changes every agent's answer."""

    def cells(t: Tally) -> str:
        if not t.filled:
            return "empty in every agent's row"
        if t.held.holds is Holds.ANSWERS:
            n = t.kinds.get(Holds.ANSWERS, 0)
            return f"a Yes or a No in {n} of {t.rows} agents' rows"
        return f"{t.held.holds.value} in {t.filled} cells"

    by = "by what the agents' cells hold" if by_cells else "by the headers"
    return f"{by} — {read[0]}: {cells(read[1])}; {aside[0]}: {cells(aside[1])}"


def names_count(text: object, key: str) -> bool:
    """Whether a header for completion flag `key` (PROGRESS_FLAGS) may name a per-agent
    count: a word saying how many ('TBT Count', '# TBTs Complete'), or the steps in the
    plural without 'All' ('TBTs Complete', 'Call Certs Complete'). A header asking for a Yes
    or a No names none; nor does one of another column."""
    if key not in PROGRESS_FLAGS or asks_yes_no(text):
        return False
    words = normalise_header(text).split()
    if _COUNT_WORDS & set(words):
        return True
    return bool(words) and words[0] != "all" and any(p in "".join(words) for p in _PLURAL_STEPS)


def header_blocks(keys: Mapping[int, str | None], filled: Mapping[int, int]) -> dict[int, int]:
    """By column, the weight of the block of headers it stands in: the distinct columns
    its headers name times the rows under them holding a value. The headers of a row that
    follow one another are a block; an empty header between two blocks whose rows are
    filled alike (within a quarter) is a spacer column inside one table, not the edge of
    another (a list beside the tracker holds values on a few rows). `keys`: by column with
    a header, the column it names (None: none); `filled`: by column, how many rows under
    the header hold a value in it."""
    runs: list[list[int]] = []
    for c in sorted(keys):
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])

    def rows(run: list[int]) -> int:
        return max(filled.get(c, 0) for c in run)

    blocks: list[list[int]] = []
    for run in runs:
        last = blocks[-1] if blocks else None
        if last is not None and run[0] - last[-1] == 2:
            a, b = rows(last), rows(run)
            if a and b and min(a, b) * 4 >= max(a, b) * 3:
                last.extend(run)
                continue
        blocks.append(run)
    out: dict[int, int] = {}
    for block in blocks:
        named = len({keys[c] for c in block} - {None})
        out.update(dict.fromkeys(block, named * max(rows(block), 1)))
    return out


def asked_column(text: object, table: Mapping[str, str]) -> str | None:
    """The date, text or number column a header names once its '?' is set aside, when the
    question names no column itself ("SPOC Called?": the SPOC Called Date, which holds a
    day, not a yes or a no): the column the team may have meant. None: no such column."""
    if not _asked(text) or match_header(text, table) is not None:
        return None
    norm = normalise_header(text)
    found = table.get(norm) or table.get(_compact(norm))
    return found if found is not None and BY_KEY[found].kind is not Kind.YESNO else None


# What a column of each kind holds, in a word ("SPOC Called?" asks a yes or a no, not a day).
_HOLDS = {
    Kind.DATE: "a day",
    Kind.DATETIME: "a day and time",
    Kind.NUMBER: "a number",
    Kind.NAME: "a name",
    Kind.TEXT: "a text",
    Kind.YESNO: "a yes or a no",
}


def holds(key: str) -> str:
    """What column `key` holds, in a word: 'a day', 'a number', 'a text'."""
    return _HOLDS[BY_KEY[key].kind]


# What starts the words of a header asked as a question (asked_words).
ASKED = "asks a yes or a no"


def asked_words(key: str, doctor: str = "esp doctor") -> str:
    """What to say of a header that asks column `key` (a date, text or number column the
    sheet lacks) as a question, with the fix: one line (`doctor`: the command that gives
    the esp.toml lines)."""
    name = BY_KEY[key].header
    return (
        f"{ASKED}, so esp does not read it as the {name} ({holds(key)}), and the sheet has no "
        f"{name} column: if it holds {holds(key)} for every agent, rename it to '{name}' or "
        f"map it in esp.toml [columns] ({doctor} gives the lines); if it holds Yes or No, "
        f"add {a_or_an(name)} '{name}' column beside it"
    )


def a_or_an(word: str) -> str:
    """The article before `word` as it is said: 'an' before a vowel ('an ESP Start Date',
    'an N Number': the letter is said 'en'), else 'a'."""
    head = word.split()[0] if word.split() else ""
    letter = len(head) == 1 and head.upper() in "FHLMNRSX"
    return "an" if head[:1].lower() in ("a", "e", "i", "o") or letter else "a"


def closest_header(key: str, headers: Iterable[str], table: Mapping[str, str]) -> str | None:
    """The header among `headers` that names no known column, holds the column's own word
    (_MARKS: TBT, Cert, ESP or Start) and reads most like column `key`'s spellings ("All
    TBTs Finished?" for All TBTs Complete?): a guess at the team's own header for it. A
    yes/no column's guess is a question ("...?", "(Y/N)"), never a header that says how many
    or when (TBTs Completed, a date); a start date's never another step's (Call Cert Start
    Date). None: none is."""
    col = BY_KEY[key]
    marks = _MARKS.get(key, ())
    spellings = [normalise_header(s) for s in (col.header, *col.aliases, *col.questions)]
    best: tuple[float, str] | None = None
    for header in headers:
        if match_header(header, table) is not None or not _may_be(col, header):
            continue
        norm = _ANSWERS_SUFFIX.sub("", normalise_header(header))
        if not any(m in _compact(norm) for m in marks):
            continue
        score = max(SequenceMatcher(None, norm, s).ratio() for s in spellings)
        if score >= _CLOSE and (best is None or score > best[0]):
            best = (score, header)
    return best[1] if best is not None else None


# Words of a header that holds how many or when: never a yes/no column's.
_NOT_YESNO = frozenset({"date", "day", "when", "count", "hours", "number", "#", "how", "many"})
# Words of a header for another step's clock: never the ESP Start Date's.
_OTHER_STEP = ("cert", "tbt", "call", "coach", "cap", "term", "spoc", "request", "hire")


def _may_be(col: Column, header: str) -> bool:
    """Whether `header` may hold column `col` by what its words say it holds."""
    norm = normalise_header(header)
    if col.kind is Kind.YESNO:
        question = str(header).strip().endswith("?") or _ANSWERS_SUFFIX.search(norm) is not None
        return question and not _NOT_YESNO & set(norm.split())
    if col.key == "esp_start":
        return not any(word in _compact(norm) for word in _OTHER_STEP)
    return True
