"""A daily round's answers, and the cells they become (pure: no I/O).

`esp round` shows the agents one by one; for each the person types a status or a key. What
is typed becomes an `Answer`: what it reads as, and its effects on the agent's cells (a line
appended to Notes or TBT Notes, a value set). The effects are fixed when the answer is typed
(the note line with its date and signer, Yes as the column spells it), so an answer that
waits beside the tracker and is written an hour later writes exactly what was typed (each
answer one unit of the agent's waiting operation: esp_cli.core.waiting). The journal an
older esp kept of a round (one JSON line per agent) is read here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from esp_cli.core.dayphrase import FORMS, NotADay, parse_day_phrase
from esp_cli.core.model import ROUND_PHRASES as ROUND_PHRASES
from esp_cli.core.values import Unreadable, us_phone

# ------------------------------------------------------------------------- what is typed


class Key(StrEnum):
    """What a line typed at the round's prompt means."""

    TBT_NOTE = "tbt_note"  # any text: today's status, a TBT Notes line
    NOTE = "note"  # /n TEXT: a Notes line instead
    PHRASE = "phrase"  # N, or /p N [TEXT]: saved phrase N as the TBT Notes line
    NEXT = "next"  # an empty line, next, skip: on to the next agent
    STEP = "step"  # /s [NOTE]: the due ladder step delivered today
    ACCESS = "access"  # /a [ISSUE]: the Citrix TBT Access issue
    SPOC = "spoc"  # /i [INCIDENT PHONE DATE]: the SPOC columns, in any order
    CALL_CERT = "call_cert"  # /c: Call Cert complete
    TBTS = "tbts"  # /t: All TBTs complete
    UNDO = "undo"  # u, /u: forget this agent's answers (or the last agent's)
    BACK = "back"  # b, /b: the previous agent
    QUIT = "quit"  # q, quit, exit, /q: stop, and show what to write
    HELP = "help"  # ?, help, /h: the keys


_SLASH = {
    "n": Key.NOTE,
    "p": Key.PHRASE,
    "s": Key.STEP,
    "a": Key.ACCESS,
    "i": Key.SPOC,
    "c": Key.CALL_CERT,
    "t": Key.TBTS,
    "u": Key.UNDO,
    "b": Key.BACK,
    "q": Key.QUIT,
    "h": Key.HELP,
    "?": Key.HELP,
}
# Words typed alone that are the round's commands, never a status: a person who types
# `help` or `quit` at a prompt means it.
COMMAND_WORDS = {
    "q": Key.QUIT,
    "quit": Key.QUIT,
    "exit": Key.QUIT,
    "?": Key.HELP,
    "h": Key.HELP,
    "help": Key.HELP,
    "next": Key.NEXT,
    "skip": Key.NEXT,
    "u": Key.UNDO,
    "undo": Key.UNDO,
    "b": Key.BACK,
    "back": Key.BACK,
}
# The keys in a few words, shown when the round starts (wrapped between entries).
LEGEND = (
    "text: TBT note",
    "1-{last}: saved phrase",  # as many as there are phrases (left out when none)
    "/n text: Notes",
    "/s: due step done",
    "/a issue: Citrix access",
    "/i INC phone date: SPOC",
    "/c: Call Cert done",
    "/t: TBTs done",
    "u: undo",
    "b: back",
    "Enter: next",
    "q: quit",
    "?: help",
)
# What `?` shows: each key and what it does.
HELP = (
    ("text", "today's status, a TBT Notes line signed by you; then the next agent"),
    ("1, 2 ...", "a saved phrase as the TBT Notes line (/p lists them; /p 2 more words adds)"),
    ("/n text", "a Notes line instead; then the next agent"),
    ("/s [note]", "the due ladder step delivered: its date and a Notes line"),
    ("/a issue", "Citrix TBT Access: a number from the list, or any word of it (/a locate)"),
    (
        "/i ...",
        "SPOC: the incident number, the callback phone (10 digits) and the day SPOC was "
        "called, in any order, any of them: /i INC0049311 513-555-0142 11/23 (no day: "
        "the round's day, when the cell is empty)",
    ),
    ("/c, /t", "Call Cert complete, All TBTs complete (and their date)"),
    ("u", "undo: forget this agent's answers, or the last agent's and go back to it"),
    ("b", "back to the previous agent"),
    ("Enter", "next agent (next, skip)"),
    ("q", "stop here (quit, exit): esp shows every cell and asks before writing"),
)
# Keys that stay on the agent (so a note can follow); a note and Enter move on.
STAYS = frozenset({Key.STEP, Key.ACCESS, Key.SPOC, Key.CALL_CERT, Key.TBTS, Key.UNDO, Key.HELP})


@dataclass(frozen=True)
class Typed:
    key: Key
    text: str = ""
    number: int = 0  # a phrase's number (Key.PHRASE); 0 for `/p` alone (list them)


class UnknownKey(ValueError):
    """A line that is neither a status nor a key (`/zz`, a single letter)."""


_NUMBER = re.compile(r"\d{1,3}")


def parse_typed(line: str) -> Typed:
    """What a typed line means. Text is a TBT note; `/x [text]` is a key; a command word
    alone (COMMAND_WORDS) is that command and a number alone a saved phrase. Raises
    UnknownKey for an unknown `/x` or a single character that is no key."""
    text = " ".join(line.split())
    if not text:
        return Typed(Key.NEXT)
    # A command word typed with a full stop or a question mark ("quit.", "Next?") is still
    # that word: never a note reading only "quit."
    folded = text.casefold()
    word = COMMAND_WORDS.get(folded) or COMMAND_WORDS.get(folded.rstrip(".!?"))
    if word is not None:
        return Typed(word)
    if _NUMBER.fullmatch(text):
        return Typed(Key.PHRASE, number=int(text))
    if text.startswith("/"):
        word_, _, rest = text[1:].partition(" ")
        key = _SLASH.get(word_.casefold())
        if key is None:
            raise UnknownKey(f"/{word_} is not a key")
        rest = rest.strip()
        if key is Key.NOTE and not rest:
            raise UnknownKey("/n needs the note's text: /n TEXT")
        if key is Key.PHRASE:
            number, _, more = rest.partition(" ")
            if not number:
                return Typed(Key.PHRASE)
            if not _NUMBER.fullmatch(number):
                raise UnknownKey(f"/p takes a phrase's number, not {number!r}: /p 2 [more words]")
            return Typed(Key.PHRASE, more.strip(), int(number))
        return Typed(key, rest)
    if len(text) == 1:
        raise UnknownKey(f"{text!r} is not a status or a key")
    return Typed(Key.TBT_NOTE, text)


def phrase_text(phrases: Sequence[str], number: int, more: str = "") -> str:
    """Saved phrase `number` (1-based), with more words after it (UnknownKey when there is
    no such phrase)."""
    if not 1 <= number <= len(phrases):
        have = f"1-{len(phrases)}" if phrases else "none"
        raise UnknownKey(f"there is no phrase {number} (phrases: {have}; /p lists them)")
    return " ".join(f"{phrases[number - 1]} {more}".split())


# ------------------------------------------------------------------------------ SPOC


@dataclass(frozen=True)
class SpocTyped:
    """What `/i` was given: any of the three SPOC columns."""

    called: date | None = None
    incident: str | None = None
    phone: str | None = None


# A US phone number, its parts separated by anything a person types between them.
_PHONE = re.compile(
    r"(?<![\w/])(?:\+?1[\s.-]*)?(?:\(\d{3}\)|\d{3})[\s.-]*\d{3}[\s.-]*\d{4}(?![\w/])"
)
_LOCAL_PHONE = re.compile(r"[2-9]\d{2}[.-]?\d{4}")
_INCIDENT = re.compile(r"[A-Za-z]*-?\d[\w-]*")
_DATE_LIKE = re.compile(r"\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?")
# Words a person may put between the values (`/i called 11/23 inc INC0049311`): skipped.
_FILLER = frozenset(
    "spoc called call on incident inc ticket number no # callback cb phone tel at".split()
)


def read_spoc(text: str, today: date, read_day: Callable[[str, date], date | None]) -> SpocTyped:
    """The SPOC values in `text`, in any order: a phone (10 digits, any punctuation), a day
    (`read_day`: a day as typed, or None when the word is not one) and an incident number
    (what is left with a digit in it). Raises UnknownKey naming what it cannot place."""
    phones = _PHONE.findall(text)
    if len(phones) > 1:
        raise UnknownKey(f"two phone numbers ({phones[0].strip()}, {phones[1].strip()})")
    phone = None
    if phones:
        try:
            phone = us_phone(phones[0])
        except Unreadable as exc:
            raise UnknownKey(str(exc)) from None
        text = text.replace(phones[0], " ")
    called: date | None = None
    incident: str | None = None
    words: list[str] = []
    for word in text.split():
        word = word.strip(",;")
        if words and words[-1].casefold() == "inc" and word[:1].isdigit():
            words[-1] = "INC" + word  # `INC 0049311`: the prefix typed apart
        else:
            words.append(word)
    for clean in words:
        if not clean or clean.casefold() in _FILLER:
            continue
        day = read_day(clean, today)
        if day is not None:
            if called is not None:
                raise UnknownKey(f"two days ({fmt_day(called)}, {clean})")
            called = day
        elif _DATE_LIKE.fullmatch(clean) and not _LOCAL_PHONE.fullmatch(clean):
            raise UnknownKey(f"{clean!r} is not a day ({FORMS})")
        elif _LOCAL_PHONE.fullmatch(clean):
            raise UnknownKey(f"{clean} has no area code: give the callback phone's 10 digits")
        elif _INCIDENT.fullmatch(clean):
            if incident is not None:
                raise UnknownKey(f"two incident numbers ({incident}, {clean.upper()})")
            incident = clean.upper()
        else:
            raise UnknownKey(
                f"{clean!r} is not an incident number, a phone or a day "
                "(/i INC0049311 513-555-0142 11/23)"
            )
    return SpocTyped(called, incident, phone)


def fmt_day(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def typed_day(word: str, today: date) -> date | None:
    """A day as the SME types it (core.dayphrase: 11/23, 11/23/2026, 2026-11-23, yesterday,
    monday), or None when `word` is not one."""
    try:
        return parse_day_phrase(word, today)
    except NotADay:
        return None


# ------------------------------------------------------------------ answers and effects


class Op(StrEnum):
    APPEND = "append"  # a note line after the cell's lines
    SET = "set"  # a value in place of what was shown


@dataclass(frozen=True)
class Effect:
    op: Op
    key: str  # column key (columns.py)
    value: Any  # the line for APPEND; a date or text for SET


@dataclass(frozen=True)
class Answer:
    key: Key
    label: str  # how it reads in the round ("TBT note: ...", "coaching delivered 11/24/2026")
    effects: tuple[Effect, ...]


@dataclass
class AgentAnswers:
    """One agent's answers in a round, and what their cells held when shown."""

    sheet: str
    row: int
    agent: str  # the name as the tracker spells it (or its ID / e-mail / row)
    agent_id: str
    cls: str
    shown: dict[str, Any] = field(default_factory=dict)  # column key -> token(raw value)
    answers: list[Answer] = field(default_factory=list)
    email: str = ""  # to find the row again after a sort (with the ID, or the name)
    n_number: str = ""  # and the N Number, which tells namesakes apart

    @property
    def keys(self) -> list[str]:
        """The column keys the answers touch, in the order first touched."""
        seen: dict[str, None] = {}
        for answer in self.answers:
            for effect in answer.effects:
                seen.setdefault(effect.key, None)
        return list(seen)


def token(value: Any) -> Any:
    """A cell's raw value as JSON can keep it and compare it: text as is, numbers as floats,
    dates tagged, an Excel error by its code, an empty cell as None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return value
    code = getattr(value, "code", None)  # an Excel error value (#N/A)
    return {"error": code} if isinstance(code, str) else {"text": str(value)}


def encode(value: Any) -> Any:
    """An effect's value for the journal (dates tagged)."""
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(value["date"])
    return value


def answer_fields(answer: Answer) -> dict[str, Any]:
    """An answer as the journal keeps it."""
    return {
        "key": answer.key.value,
        "label": answer.label,
        "effects": [
            {"op": e.op.value, "key": e.key, "value": encode(e.value)} for e in answer.effects
        ],
    }


def answer_from(data: Mapping[str, Any]) -> Answer:
    """An answer read back from the journal (KeyError/ValueError when it is not one)."""
    effects = tuple(Effect(Op(e["op"]), str(e["key"]), decode(e["value"])) for e in data["effects"])
    return Answer(Key(data["key"]), str(data["label"]), effects)


def agent_fields(agent: AgentAnswers) -> dict[str, Any]:
    keys = agent.keys
    return {
        "sheet": agent.sheet,
        "row": agent.row,
        "agent": agent.agent,
        "agent_id": agent.agent_id,
        "email": agent.email,
        "n_number": agent.n_number,
        "class": agent.cls,
        "shown": {k: agent.shown.get(k) for k in keys},
        "answers": [answer_fields(a) for a in agent.answers],
    }


def agent_from(data: Mapping[str, Any]) -> AgentAnswers:
    return AgentAnswers(
        sheet=str(data["sheet"]),
        row=int(data["row"]),
        agent=str(data["agent"]),
        agent_id=str(data.get("agent_id") or ""),
        cls=str(data.get("class") or ""),
        email=str(data.get("email") or ""),
        n_number=str(data.get("n_number") or ""),
        shown=dict(data.get("shown") or {}),
        answers=[answer_from(a) for a in data["answers"]],
    )


def latest_answers(entries: Sequence[Mapping[str, Any]]) -> list[AgentAnswers]:
    """The journal's agents, each as last written (an agent's line is its whole state), in
    the order first answered; an agent whose answers were undone is left out."""
    found: dict[tuple[str, int], AgentAnswers] = {}
    for data in entries:
        agent = agent_from(data)
        found[(agent.sheet, agent.row)] = agent  # a later line replaces, in the first place
    return [a for a in found.values() if a.answers]
