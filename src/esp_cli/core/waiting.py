"""Changes that wait beside a busy tracker (pure): what a waiting operation holds, and how
each of its cells is written once the tracker is free.

A writing command that cannot write (the tracker open in Excel, held by a program, another
esp writing it) keeps its plan as a WaitingOp: who, when, the command, and for every cell
the agent it belongs to, the column, the value esp saw and what to write there. Its cells
come in units: a change and the note line that documents it are one unit, written both or
neither. When the operation is written (`resolve`, cell by cell): a note line is appended
to whatever the cell holds then, never twice; any other cell is written only where it still
holds what esp saw — else it is a conflict, kept and shown, never overwritten. A cell the
change only names (seen, not written: the Citrix TBT Access its TBT Notes line names and
leaves as it was) is checked the same way: changed since, its unit conflicts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from typing import Any

from esp_cli.core.model import AgentRef
from esp_cli.core.notes import appended
from esp_cli.core.oplog import (
    CellRecord,
    Facts,
    facts_from_json,
    facts_json,
    namesakes_json,
    on_clock,
    same_value,
    tag,
    untag,
)
from esp_cli.core.refs import cell_or_row
from esp_cli.core.shape import as_json, exported
from esp_cli.core.values import ErrorValue, text_of

# Why a round's answers wait: they are written when the round ends (esp round).
ROUND_WHY = "answered in esp round, written at its end"

# The file's "esp_waiting" version: 2 for a change holding a cell seen, not written (SEEN),
# which an esp before it cannot check (it says the file is a newer esp's, and leaves it);
# every other change is kept as 1, which every esp reads.
FORMAT = 2
FINGERPRINT = 16  # hex characters of a change's fingerprint (WaitingOp.fingerprint)
SET, APPEND, RESTORE = "set", "append", "restore"
# A cell a change names but does not write (the Citrix TBT Access value its note line
# names, unchanged): written never, checked when the change is — changed since esp saw
# it, its unit (the note line and what the line documents) conflicts.
SEEN = "seen"

# Whether a write the tracker refuses may wait beside it (False: `--no-wait`, the refusal
# of old, exit 4). Set by the CLI for the command being run, read by the write session.
may_wait: ContextVar[bool] = ContextVar("may_wait", default=True)


@dataclass(frozen=True)
class WaitingCell:
    """One cell of a waiting operation: where esp saw it, whose it is, the value esp saw,
    and what to do there — `set` the value, `append` the note line, or `restore` the value
    an operation found there (an undo: written back as it was, by value — a save in Excel
    meanwhile may renumber what a cell's XML refers to). `key` is the column's key
    (columns.py); None for a cell written by its address (a sheet that is not agent rows).
    `agent_id` None: a cell found by its address, not by its agent. `header`: the header
    of a column an undo gives back to the table or filter its operation grew, emptied
    with its column when the undo is written (see `resolve`)."""

    sheet: str
    row: int = field(metadata=as_json(hidden=True))
    col: int = field(metadata=as_json(hidden=True))
    agent: str
    cls: str = field(metadata=as_json(key="class"))
    column: str
    key: str | None = field(metadata=as_json(hidden=True))
    action: str
    seen: Any = field(metadata=as_json(hidden=True))
    value: Any = field(metadata=as_json(hidden=True))
    agent_id: str | None = field(default=None, metadata=as_json(hidden=True))
    email: str | None = field(default=None, metadata=as_json(hidden=True))
    n_number: str | None = field(default=None, metadata=as_json(hidden=True))
    # For a namesake nothing else tells apart: what esp saw in the row (oplog.Facts).
    facts: Facts | None = field(default=None, metadata=as_json(hidden=True))
    header: bool = field(default=False, metadata=as_json(hidden=True))

    def record(self) -> CellRecord:
        """The cell as the operation log records it: what esp saw there and the value (or
        note line) the operation puts there."""
        return CellRecord(
            self.sheet,
            self.row,
            self.col,
            self.agent,
            self.cls,
            self.column,
            self.seen,
            self.value,
            agent_id=self.agent_id,
            email=self.email,
            n_number=self.n_number,
            facts=self.facts,
        )

    @property
    @exported(after="sheet")
    def cell(self) -> str:
        """A1; a column the sheet did not have yet (esp adds it): the row alone."""
        return cell_or_row(self.row, self.col)

    @property
    @exported(key="seen", after="action")
    def seen_tagged(self) -> Any:
        return tag(self.seen)

    @property
    @exported(key="value", after="seen")
    def value_tagged(self) -> Any:
        return tag(self.value)

    @property
    @exported(key="header", after="value", omit_none=True)
    def header_said(self) -> bool | None:
        """True for the header of a column an undo gives back (absent for other cells)."""
        return True if self.header else None

    @property
    def by_agent(self) -> bool:
        return self.agent_id is not None

    @property
    def who(self) -> AgentRef:
        return AgentRef(
            self.agent,
            self.cls,
            self.sheet,
            self.row,
            self.agent_id or "",
            self.email or "",
            self.n_number or "",
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "col": self.col,
            "agent": self.agent,
            "class": self.cls,
            "key": self.key,
            "column": self.column,
            "action": self.action,
            "seen": tag(self.seen),
            "value": tag(self.value),
        }
        if self.agent_id is not None:
            out.update(agent_id=self.agent_id, email=self.email or "", n_number=self.n_number or "")
        if self.facts:
            out["facts"] = facts_json(self.facts)
            theirs = namesakes_json(self.facts)
            if theirs is not None:
                out["namesakes"] = theirs
        if self.header:
            out["header"] = True
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> WaitingCell:
        action = str(d["action"])
        if action not in (SET, APPEND, RESTORE, SEEN):
            raise ValueError(f"unknown action {action!r}")
        if action == APPEND and not isinstance(d.get("value"), str):
            raise ValueError("a note line to append is not text")
        return cls(
            sheet=str(d["sheet"]),
            row=int(d["row"]),
            col=int(d["col"]),
            agent=str(d.get("agent") or ""),
            cls=str(d.get("class") or ""),
            column=str(d.get("column") or ""),
            key=None if d.get("key") is None else str(d["key"]),
            action=action,
            seen=untag(d.get("seen")),
            value=untag(d.get("value")),
            agent_id=None if d.get("agent_id") is None else str(d["agent_id"]),
            email=None if d.get("agent_id") is None else str(d.get("email") or ""),
            n_number=None if d.get("agent_id") is None else str(d.get("n_number") or ""),
            facts=facts_from_json(d.get("facts"), d.get("namesakes")),
            header=d.get("header") is True,
        )


@dataclass(frozen=True)
class WaitingOp:
    """A change esp could not write yet, as its file beside the tracker holds it."""

    op: str
    time: datetime = field(metadata=as_json(hidden=True))
    signer: str | None
    login: str
    machine: str
    version: str = field(metadata=as_json(key="esp_version"))
    command: str
    why: str  # why it waits: "open in Excel by Keisha Grant"
    units: tuple[tuple[WaitingCell, ...], ...] = field(metadata=as_json(hidden=True))
    tracker: str = field(default="", metadata=as_json(hidden=True))  # the file name
    # The tracker's full path as the computer that made it reaches it (with links followed):
    # which tracker it is for, when trackers of one name share a `[backup] dir`.
    tracker_path: str = field(default="", metadata=as_json(hidden=True))
    digest: str = field(default="", metadata=as_json(hidden=True))  # the tracker esp read
    # Where in the tracker's operation log an entry writing it can be: the log's length
    # then, less its last line (a write stopped then may take that line out again).
    log_from: int = field(default=0, metadata=as_json(hidden=True))
    undoes: str | None = field(default=None, metadata=as_json(hidden=True))
    # The operation whose cells it puts back: an undo's, or one agent's undo's (--agent: a
    # write of its own, which undoes no operation), so that it puts them back, written
    # later, as it would have then (None: none, or kept by an esp before: see `puts_back`).
    restores: str | None = field(default=None, metadata=as_json(hidden=True))
    file: str = field(default="", compare=False, metadata=as_json(hidden=True))
    # The day its command dated it (--date), when not the day it was made (oplog.Operation).
    dated: date | None = field(default=None, metadata=as_json(hidden=True))

    @property
    @exported(key="time", after="op")
    def timestamp(self) -> str:
        return self.time.isoformat(timespec="seconds")

    @property
    @exported(after="why")
    def cells(self) -> tuple[WaitingCell, ...]:
        """The cells it writes (a cell seen, not written, aside: `seen_cells`)."""
        return tuple(c for unit in self.units for c in unit if c.action != SEEN)

    @property
    @exported(key="seen_not_written", after="cells", omit_none=True)
    def seen_cells(self) -> tuple[WaitingCell, ...] | None:
        """The cells it names but does not write, checked when it is written (None: none)."""
        seen = tuple(c for unit in self.units for c in unit if c.action == SEEN)
        return seen or None

    @property
    def who(self) -> str:
        if self.signer and self.signer != self.login:
            return f"{self.signer} ({self.login})" if self.login else self.signer
        return self.signer or self.login or "someone"

    @property
    def puts_back(self) -> str | None:
        """The operation whose cells it puts back (None: not an undo)."""
        return self.restores or self.undoes

    def on_clock(self, zone: tzinfo | None) -> WaitingOp:
        """The change with its time on the clock of `zone` (the team's; None: this
        machine's), as esp lists it."""
        return replace(self, time=on_clock(self.time, zone))

    @property
    def made(self) -> str:
        """Who made it, when, with which command, as a title says it."""
        return f"{self.who}, {self.time:%m/%d/%Y %H:%M}: {self.command or 'esp'}"

    @property
    def fingerprint(self) -> str:
        """What the change holds, in a few characters: the log records it with the id it
        is written (or dropped) under, so a file found later under that id is told apart
        — the very change (a sync service's late copy: written already), or another one
        (a copy edited by hand: a change of its own)."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))  # ASCII
        return hashlib.sha256(text.encode("ascii")).hexdigest()[:FINGERPRINT]

    def to_json(self) -> dict[str, Any]:
        return {
            "esp_waiting": FORMAT if self.seen_cells else 1,
            "op": self.op,
            "time": self.time.isoformat(timespec="seconds"),
            "signer": self.signer,
            "login": self.login,
            "machine": self.machine,
            "esp_version": self.version,
            "command": self.command,
            "tracker": self.tracker,
            "tracker_path": self.tracker_path,
            "digest": self.digest,
            "why": self.why,
            "log_from": self.log_from,
            "undoes": self.undoes,
            **({"restores": self.restores} if self.restores is not None else {}),
            **({"dated": self.dated.isoformat()} if self.dated is not None else {}),
            "units": [{"cells": [c.to_json() for c in unit]} for unit in self.units],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], file: str = "") -> WaitingOp:
        """Raises ValueError (FromNewerEsp: from a newer esp), KeyError or TypeError for a
        file that is not a whole waiting operation: every field is checked here, so a
        file edited by hand never stops a command later."""
        if not isinstance(d, dict) or d.get("esp_waiting") is None:
            raise ValueError("not a waiting operation")
        version = d["esp_waiting"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(f"its format {version!r} is not one esp writes")
        if version > FORMAT:
            raise FromNewerEsp(version)
        if not isinstance(d["units"], list) or not all(
            isinstance(u, dict) and isinstance(u.get("cells"), list) for u in d["units"]
        ):
            raise ValueError("its units are not lists of cells")
        units = tuple(tuple(WaitingCell.from_json(c) for c in unit["cells"]) for unit in d["units"])
        if not units or not all(units):
            raise ValueError("no cells")
        if not isinstance(d["time"], str):
            raise ValueError(f"its time {d['time']!r} is not a time")
        time = datetime.fromisoformat(d["time"])
        if time.tzinfo is None:
            raise ValueError(f"its time {d['time']!r} has no UTC offset")
        return cls(
            op=str(d["op"]),
            time=time,
            signer=None if d.get("signer") is None else str(d["signer"]),
            login=str(d.get("login") or ""),
            machine=str(d.get("machine") or ""),
            version=str(d.get("esp_version") or ""),
            command=str(d.get("command") or ""),
            why=str(d.get("why") or ""),
            units=units,
            tracker=str(d.get("tracker") or ""),
            tracker_path=str(d.get("tracker_path") or ""),
            digest=str(d.get("digest") or ""),
            log_from=int(d.get("log_from") or 0),
            undoes=None if d.get("undoes") is None else str(d["undoes"]),
            restores=None if d.get("restores") is None else str(d["restores"]),
            file=file,
            dated=date.fromisoformat(d["dated"]) if d.get("dated") is not None else None,
        )


class FromNewerEsp(ValueError):
    """A waiting file written by a newer esp, in a format this one cannot read."""

    def __init__(self, version: int) -> None:
        super().__init__(f"written by a newer esp (format {version})")
        self.version = version


# -- writing a cell when the tracker is free ----------------------------------------------


WRITE, ALREADY, CONFLICT = "write", "already", "conflict"
LEFT = "left"  # a header the team changed: left as it is, its column with it
# The kinds of conflict (Conflict.kind), each with its own words and fix.
CHANGED, AGENT, COLUMN, OTHER = "changed", "agent", "column", "other"
# Two agents of the agent's name (and class), and nothing recorded tells which it is.
NAMESAKE = "namesake"
# The agent's row is on two sheets now (a copy of the tab), and nothing tells which it is.
TWICE = "twice"
# A row found by the agent's name alone holds none of the Agent ID, e-mail or N Number the
# change was made for (a new hire of the same name?): it may be another person.
UNSURE = "unsure"
# A ladder step the change records would skip the step before it (dropped, or cleared in
# Excel, since) or come before it: refused as a direct record-step refuses it.
LADDER = "ladder"
# A cell that would write, left out (--skip-conflicts) with a cell of its unit that
# conflicts: a value and the note line documenting it, a row added whole.
WITH = "with"
CHANGED_REASON = "changed since esp saw it"
# A cell seen, not written, changed since: the note line names what esp saw there.
SEEN_REASON = "changed since esp saw it; the note line names what it held"


@dataclass(frozen=True)
class Resolution:
    """What becomes of one waiting cell against the value the cell holds now: `write`
    `new`, nothing to do (`already`: the line or value is there; `left`: a header the team
    changed), or a `conflict` (why)."""

    outcome: str
    new: Any = None
    reason: str = ""


def note_text(current: Any) -> str | None:
    """A notes cell as text to append to (None: it shows an Excel error and is left)."""
    if current is None or current == "":
        return ""
    if isinstance(current, ErrorValue):
        return None
    return current if isinstance(current, str) else text_of(current)


def added_whole(cell: WaitingCell) -> bool:
    """A cell of a row a change adds whole, by address (a proof's row of the TBT Tracking
    Sheet): set where esp saw nothing, with no agent column to find it by."""
    return cell.key is None and cell.action == SET and (cell.seen is None or cell.seen == "")


def resolve(cell: WaitingCell, current: Any) -> Resolution:
    """The domain's rule for one cell: a note line goes after whatever the cell holds now
    (never twice); any other value only where the cell still holds what esp saw — a
    computed column's too (Escalation Stage, Next Action, Next Action Due: what a waiting
    change holds was worked out from the row as it was then, and a teammate may have
    brought it up to date since). The header of a column an undo gives back (`header`) is
    never a conflict: one the team changed is theirs, and is left, and its column with
    it, as an undo written at once leaves it. A cell seen, not written, is never written:
    still what esp saw, nothing to do; else its unit conflicts (the note line names it)."""
    if cell.action == SEEN:
        if same_value(current, cell.seen):
            return Resolution(ALREADY)
        return Resolution(CONFLICT, reason=SEEN_REASON)
    if cell.action == APPEND:
        text = note_text(current)
        if text is None:
            code = current.code if isinstance(current, ErrorValue) else str(current)
            return Resolution(CONFLICT, reason=f"the cell shows the error {code}")
        new = appended(text, str(cell.value))
        return Resolution(ALREADY) if new is None else Resolution(WRITE, new)
    if same_value(current, cell.value):
        return Resolution(ALREADY)
    if same_value(current, cell.seen):
        return Resolution(WRITE, cell.value)
    if cell.header:
        return Resolution(LEFT)
    return Resolution(CONFLICT, reason=CHANGED_REASON)


# -- what became of an operation ------------------------------------------------------------


class OfWaitingCell:
    """What a report says of one waiting cell (a conflict, a computed cell not worked
    out): its sheet, cell, agent and column, after the operation's id."""

    cell: WaitingCell

    @property
    @exported(after="op")
    def sheet(self) -> str:
        return self.cell.sheet

    @property
    @exported(key="cell", after="sheet")
    def cell_ref(self) -> str:
        return self.cell.cell

    @property
    @exported(after="cell")
    def agent(self) -> str:
        return self.cell.agent

    @property
    @exported(after="agent")
    def column(self) -> str:
        return self.cell.column


@dataclass(frozen=True)
class Conflict(OfWaitingCell):
    """A waiting cell that cannot be written as it is: it holds something else than esp
    saw (`now`), or its agent or cell cannot be found (`reason`). Its unit stays waiting."""

    op: str
    cell: WaitingCell = field(metadata=as_json(hidden=True))
    now: Any = field(metadata=as_json(hidden=True))
    reason: str
    address: str = field(default="", metadata=as_json(key="now_at", none_if_empty=True))
    # CHANGED (the cell holds something else), AGENT (the agent's row is no longer
    # there), NAMESAKE (namesakes, and which is the agent cannot be told), TWICE (the
    # agent's row is on two sheets now, a copy of the tab), UNSURE (the row found by the
    # agent's name holds none of the IDs the change was made for), LADDER (the step would
    # skip the one before it), COLUMN (the cell's column is no longer there), WITH (left
    # out with a cell of its unit that conflicts) or OTHER; "": from `reason`.
    cause: str = field(default="", metadata=as_json(hidden=True))

    @property
    @exported(after="reason")
    def kind(self) -> str:
        """What kind of conflict it is, each with its own fix."""
        if self.cause:
            return self.cause
        return CHANGED if self.reason in (CHANGED_REASON, SEEN_REASON) else OTHER

    @property
    @exported(after="column")
    def seen(self) -> Any:
        """What the cell held when the change was made."""
        return tag(self.cell.seen)

    @property
    @exported(key="now", after="seen")
    def now_tagged(self) -> Any:
        return tag(self.now)

    @property
    @exported(after="now")
    def wanted(self) -> Any:
        """What the change would write (a note line, or a value; null for a cell it only
        names, seen, not written)."""
        return None if self.cell.action == SEEN else tag(self.cell.value)


def held_cells(conflicts: Sequence[Conflict]) -> set[tuple[str, int, int]]:
    return {(c.cell.sheet, c.cell.row, c.cell.col) for c in conflicts}


# What to do about computed cells a write could not bring up to date.
NOT_WORKED_OUT_FIX = (
    "give the column its header back (or map it in esp.toml [columns]), then run esp "
    "escalations --write"
)


@dataclass(frozen=True)
class NotWorkedOut(OfWaitingCell):
    """A computed cell of a waiting change (Escalation Stage, Next Action, Next Action Due)
    the write cannot work out from the row as it then stands: its column, or another of
    the three (they are worked out together), is no longer on the sheet (renamed or
    deleted since). The rest of the change is written; the cell is left as it is, said."""

    op: str
    cell: WaitingCell = field(metadata=as_json(hidden=True))
    reason: str
    # What brings the cell up to date (its column's header given back, by default).
    fixed_by: str = field(default=NOT_WORKED_OUT_FIX, metadata=as_json(hidden=True))

    @property
    @exported(after="reason")
    def fix(self) -> str:
        return self.fixed_by


def computed_missing_words(sheet: str, missing: Sequence[str]) -> str:
    """A direct write on a sheet lacking some computed columns: none brought up to date."""
    names = " and ".join(f"'{h}'" for h in missing)
    return (
        f"warning: Escalation Stage, Next Action and Next Action Due were not brought up to "
        f"date: the sheet '{sheet}' has no {names} column (renamed or deleted?), and the "
        f"three are written together; {NOT_WORKED_OUT_FIX}."
    )


def not_worked_out_words(found: Sequence[NotWorkedOut]) -> list[str]:
    """The computed cells of one change not brought up to date, a line per agent: which,
    and why (the first reason naming the column gone, the others follow from it)."""
    by_agent: dict[tuple[str, str], list[NotWorkedOut]] = {}
    for n in found:
        by_agent.setdefault((n.cell.sheet, n.agent), []).append(n)
    out = []
    for (sheet, agent), cells in by_agent.items():
        named = ", ".join(f"{n.cell.cell} ({n.column})" for n in cells)
        why = next((n.reason for n in cells if n.reason.startswith("the '")), cells[0].reason)
        out.append(
            f"{agent}'s computed cells {sheet}!{named} not brought up to date: {why}; "
            f"{cells[0].fix}"
        )
    return out
