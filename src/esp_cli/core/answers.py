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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

# ------------------------------------------------------------------------- what is typed


class Key(StrEnum):
    """What a line typed at the round's prompt means."""

    TBT_NOTE = "tbt_note"  # any text: today's status, a TBT Notes line
    NOTE = "note"  # /n TEXT: a Notes line instead
    NEXT = "next"  # an empty line: on to the next agent (skips one with no answers)
    STEP = "step"  # /s [NOTE]: the due ladder step delivered today
    ACCESS = "access"  # /a [ISSUE]: the Citrix TBT Access issue
    CALL_CERT = "call_cert"  # /c: Call Cert complete
    TBTS = "tbts"  # /t: All TBTs complete
    UNDO = "undo"  # /u: forget this agent's answers (to type them again)
    BACK = "back"  # /b: the previous agent
    QUIT = "quit"  # q or /q: stop, and apply what was typed
    HELP = "help"  # ?


_SLASH = {
    "n": Key.NOTE,
    "s": Key.STEP,
    "a": Key.ACCESS,
    "c": Key.CALL_CERT,
    "t": Key.TBTS,
    "u": Key.UNDO,
    "b": Key.BACK,
    "q": Key.QUIT,
    "h": Key.HELP,
    "?": Key.HELP,
}

HELP_LINE = (
    "text: TBT note and next · /n text: Notes · /s [note]: due step delivered today · "
    "/a [issue]: Citrix access · /c: Call Cert complete · /t: All TBTs complete · "
    "/u: undo agent · /b: back · Enter: next · q: quit and apply · ?: help"
)
# Keys that stay on the agent (so a note can follow); a note and Enter move on.
STAYS = frozenset({Key.STEP, Key.ACCESS, Key.CALL_CERT, Key.TBTS, Key.UNDO, Key.HELP})


@dataclass(frozen=True)
class Typed:
    key: Key
    text: str = ""


class UnknownKey(ValueError):
    """A line starting with / that names no key."""


def parse_typed(line: str) -> Typed:
    """What a typed line means. Text is a TBT note; `/x [text]` is a key; `q` alone quits
    and `?` alone asks for help. Raises UnknownKey for an unknown `/x`."""
    text = " ".join(line.split())
    if not text:
        return Typed(Key.NEXT)
    if text.casefold() == "q":
        return Typed(Key.QUIT)
    if text == "?":
        return Typed(Key.HELP)
    if text.startswith("/"):
        word, _, rest = text[1:].partition(" ")
        key = _SLASH.get(word.casefold())
        if key is None:
            raise UnknownKey(f"/{word} is not a key")
        if key is Key.NOTE and not rest.strip():
            raise UnknownKey("/n needs the note's text: /n TEXT")
        return Typed(key, rest.strip())
    return Typed(Key.TBT_NOTE, text)


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
