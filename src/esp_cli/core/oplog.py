"""The operation log's entries as data (pure): each write esp makes to a tracker is an
Operation with the CellRecords it changed; both read and write their JSON form here, so the
log (workbook/history.py), `esp history` and `esp undo` share one shape. Cell values keep
their type in JSON: a date is {"date": ...}, an error cell {"error": "#N/A"}.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from esp_cli.core.model import AddedColumn, AgentRef
from esp_cli.core.refs import cell_or_row
from esp_cli.core.shape import as_json, exported
from esp_cli.core.values import ErrorValue, Unreadable, parse_yes_no

WRITE, UNDO, OUTSIDE = "write", "undo", "outside"
# A change that waited beside a busy tracker and was discarded unwritten (esp pending drop).
DROPPED = "dropped"
WRITTEN, PENDING = "written", "pending"  # the same length: one is written over the other
# How an older esp said an outside entry's cells could not be listed (its cells: none).
_NOT_LISTED = "the cells that changed cannot be listed"

# The command line as typed, set once by the CLI for the command being run; the write
# session records it with each operation.
command_line: ContextVar[tuple[str, ...] | None] = ContextVar("command_line", default=None)


# -- values in JSON: dates keep their type ------------------------------------------------


def tag(value: Any) -> Any:
    """A cell value as JSON that reads back as the same value (`untag`): dates and times
    as {"date": ...}, {"datetime": ...}, {"time": ...}, error cells as {"error": "#N/A"}."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, time):
        return {"time": value.isoformat()}
    if isinstance(value, ErrorValue):
        return {"error": value.code}
    return str(value)


def untag(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        try:
            if kind == "datetime":
                return datetime.fromisoformat(text)
            if kind == "date":
                return date.fromisoformat(text)
            if kind == "time":
                return time.fromisoformat(text)
        except (TypeError, ValueError):
            return str(text)
        if kind == "error":
            return ErrorValue(str(text))
    return value


def _norm(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        # A serial number read back may be a few microseconds off.
        value = (value.replace(tzinfo=None) + timedelta(microseconds=500_000)).replace(
            microsecond=0
        )
        return value.date() if value.time() == time(0) else value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, ErrorValue):
        return value.code
    return value


def same_value(now: Any, recorded: Any) -> bool:
    """Does a cell read `now` hold the value esp recorded? A date written reads back as a
    date-time at midnight, a number as a float, Yes written to a TRUE/FALSE cell as True."""
    a, b = _norm(now), _norm(recorded)
    if a == b:
        return True
    for flag, text in ((a, b), (b, a)):
        if isinstance(flag, bool) and isinstance(text, str):
            try:
                return parse_yes_no(text) is flag
            except Unreadable:
                return False
    return False


# What esp saw in an agent's row that tells it apart from namesakes nothing else does (an
# ESP Start Date): (column key, value) pairs (workbook.finder.RowFinder.facts). Under the key
# NAMESAKES, what it saw in the same columns of each namesake's row (Facts each): which of
# them the one row left of the name is, when the others are deleted, is weighed on both.
# Kept in a line or file of its own key ("namesakes"), beside "facts", which an esp that
# does not know it reads as before.
Facts = tuple[tuple[str, Any], ...]
NAMESAKES = "~namesakes"


def facts_json(facts: Facts) -> dict[str, Any]:
    """The agent's own facts as JSON (the namesakes' go in namesakes_json)."""
    return {key: tag(value) for key, value in facts if key != NAMESAKES}


def namesakes_json(facts: Facts) -> list[dict[str, Any]] | None:
    """What esp saw in the namesakes' rows (NAMESAKES) as JSON; None: not recorded."""
    theirs = next((value for key, value in facts if key == NAMESAKES), None)
    return None if theirs is None else [facts_json(o) for o in theirs]


def facts_from_json(d: Any, namesakes: Any = None) -> Facts | None:
    """Facts as a log line or a waiting file holds them (None: none recorded, or not facts),
    with the namesakes' (`namesakes`, its "namesakes" key) when recorded."""
    if not isinstance(d, dict) or not d:
        return None
    out = [(str(key), untag(value)) for key, value in d.items()]
    if isinstance(namesakes, list):
        theirs = tuple(
            tuple((str(k), untag(v)) for k, v in o.items()) if isinstance(o, dict) else ()
            for o in namesakes
        )
        out.append((NAMESAKES, theirs))
    return tuple(out)


# -- entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellRecord:
    """One cell an operation changed: where, whose, before and after (typed values), and
    the cell's XML before it (None: there was no cell). A cell of an agent's row also
    records the agent's Agent ID and e-mail as they were (maybe empty), so the row can be
    found again after a sort (workbook.finder.RowFinder); None: a cell written by
    address, or recorded before esp kept them.

    As esp history shows it (JSON): sheet, cell, agent, class, column, before and after
    (typed as in the log); its XML stays in the log (`to_json` is the log's form)."""

    sheet: str
    row: int = field(metadata=as_json(hidden=True))
    col: int = field(metadata=as_json(hidden=True))
    agent: str
    cls: str = field(metadata=as_json(key="class"))
    column: str
    before: Any = field(metadata=as_json(hidden=True))
    after: Any = field(metadata=as_json(hidden=True))
    before_xml: str | None = field(default=None, metadata=as_json(hidden=True))
    agent_id: str | None = field(default=None, metadata=as_json(hidden=True))
    email: str | None = field(default=None, metadata=as_json(hidden=True))
    # With the ID and e-mail, tells namesakes apart; None in an entry recorded before.
    n_number: str | None = field(default=None, metadata=as_json(hidden=True))
    # An earlier entry of the same write (a change that waited) changed the cell first:
    # `before_xml` is not recorded, and an undo writes the value back.
    chained: bool = field(default=False, metadata=as_json(hidden=True))
    # For a namesake nothing else tells apart: what esp saw in the row (Facts).
    facts: Facts | None = field(default=None, metadata=as_json(hidden=True))

    @property
    @exported(key="before", after="column")
    def before_tagged(self) -> Any:
        return tag(self.before)

    @property
    @exported(key="after", after="before")
    def after_tagged(self) -> Any:
        return tag(self.after)

    @property
    def who(self) -> AgentRef:
        """The agent as recorded (where it was, and who)."""
        return AgentRef(
            self.agent,
            self.cls,
            self.sheet,
            self.row,
            self.agent_id or "",
            self.email or "",
            self.n_number or "",
        )

    @property
    @exported(after="sheet")
    def cell(self) -> str:
        """A1; the row alone for a cell of a column still to be added (a waiting change
        dropped unwritten: its column is its header, `column`)."""
        return cell_or_row(self.row, self.col)

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "col": self.col,
            "agent": self.agent,
            "class": self.cls,
            "column": self.column,
            "before": tag(self.before),
            "after": tag(self.after),
            "before_xml": self.before_xml,
            **(
                {"agent_id": self.agent_id, "email": self.email or ""}
                if self.agent_id is not None
                else {}
            ),
            **({"n_number": self.n_number} if self.n_number is not None else {}),
            **({"chained": True} if self.chained else {}),
            **({"facts": facts_json(self.facts)} if self.facts else {}),
            **(
                {"namesakes": namesakes_json(self.facts)}
                if self.facts and namesakes_json(self.facts) is not None
                else {}
            ),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any], same: dict[str, str] | None = None) -> CellRecord:
        """The cell as an entry records it. `same`: the strings read so far, by value: the
        sheet, class and column repeat down an entry (a column of 50,000 cells), and are
        then held once, not once per cell."""
        one = same if same is not None else {}
        get = d.get
        sheet, row, col = d["sheet"], d["row"], d["col"]
        agent, klass, column = get("agent"), get("class"), get("column")
        before, after = get("before"), get("after")
        agent_id, n_number, facts = get("agent_id"), get("n_number"), get("facts")
        if type(sheet) is not str:
            sheet = str(sheet)
        klass = str(klass) if klass and type(klass) is not str else klass or ""
        column = str(column) if column and type(column) is not str else column or ""
        return _record(
            cls,
            {
                "sheet": one.setdefault(sheet, sheet),
                "row": row if type(row) is int else int(row),
                "col": col if type(col) is int else int(col),
                "agent": agent if type(agent) is str else str(agent or ""),
                "cls": one.setdefault(klass, klass),
                "column": one.setdefault(column, column),
                "before": untag(before) if type(before) is dict else before,
                "after": untag(after) if type(after) is dict else after,
                "before_xml": get("before_xml"),
                "agent_id": None if agent_id is None else str(agent_id),
                "email": None if agent_id is None else str(get("email") or ""),
                "n_number": None if n_number is None else str(n_number),
                "chained": bool(get("chained")),
                "facts": facts_from_json(facts, get("namesakes")) if facts else None,
            },
        )


def _record(cls: type[CellRecord], values: dict[str, Any]) -> CellRecord:
    """A CellRecord of `values`, one for each of its fields in their order, made without the frozen
    dataclass's __init__, which sets each of its 14 fields by a call of its own: an undo
    of a column written down 10,000 rows reads as many cells, and their making was most
    of the log's reading."""
    record = object.__new__(cls)
    object.__setattr__(record, "__dict__", values)
    return record


@dataclass(frozen=True)
class Diff:
    """How to work out, when they are asked for, the cells a save made outside esp changed
    (an `outside` entry records this instead of its cells, so the write that notices the
    save does not read the whole workbook twice): the tracker as esp left it is the backup
    `before` with the cells operation `since` wrote; the tracker as the save left it is
    the backup `after`, made by operation `by` (the write that noticed it). `sheets`: the
    sheets whose parts differ (None: any may, as when the shared strings changed)."""

    since: str
    before: str | None
    after: str
    by: str
    sheets: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "from": self.before,
            "to": self.after,
            "by": self.by,
            "sheets": None if self.sheets is None else list(self.sheets),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Diff:
        sheets = d.get("sheets")
        return cls(
            since=str(d["since"]),
            before=None if d.get("from") is None else str(d["from"]),
            after=str(d["to"]),
            by=str(d.get("by") or ""),
            sheets=None if sheets is None else tuple(str(s) for s in sheets),
        )


@dataclass(frozen=True)
class GrownRange:
    """A range a write grew over the rows it started right under it, as Excel does (an
    Excel table's, `kind` "table" with its name; a sheet's own filter, "filter"): from
    `before` to `after` (A1 ranges), so that its undo gives it back what it had."""

    sheet: str
    kind: str
    name: str
    before: str
    after: str

    def to_json(self) -> dict[str, str]:
        return {
            "sheet": self.sheet,
            "kind": self.kind,
            "name": self.name,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GrownRange:
        return cls(
            str(d["sheet"]), str(d["kind"]), str(d.get("name") or ""), str(d["before"]),
            str(d["after"]),
        )  # fmt: skip


@dataclass(frozen=True)
class Operation:
    """One entry of the log. As esp history shows it (JSON): the log's keys (`to_json`),
    each cell as CellRecord shows it."""

    op: str
    kind: str  # write, undo or outside
    time: datetime = field(metadata=as_json(hidden=True))
    signer: str | None
    login: str
    machine: str
    version: str = field(metadata=as_json(key="esp_version"))
    command: str
    digest_before: str
    digest_after: str
    backup: str | None
    cells: tuple[CellRecord, ...] = field(default=(), metadata=as_json(after="added_columns"))
    added_columns: tuple[AddedColumn, ...] = field(
        default=(), metadata=as_json(after="cells_omitted")
    )
    undoes: str | None = None
    note: str = ""
    cells_omitted: int = 0
    # "written"; "pending" while the tracker is being replaced (see workbook.history's
    # Recorder), and for a write stopped right then until the next command settles it.
    state: str = field(default=WRITTEN, metadata=as_json(hidden=True))
    # Where it is in the log (1-based).
    line: int = field(default=0, compare=False, metadata=as_json(hidden=True))
    # A new entry's cells already in their JSON form (cell_entries), written as they are
    # (one at a time: read once, as the entry is written).
    cell_json: Iterable[dict[str, Any]] | None = field(
        default=None, compare=False, repr=False, metadata=as_json(hidden=True)
    )
    # A change that waited beside the busy tracker: when it was written (`time` is when it
    # was made); None for a change written when it was made.
    written_at: datetime | None = field(default=None, metadata=as_json(hidden=True))
    # The waiting operations this write wrote as its own (esp round's answers, kept as they
    # were typed): written once, as the log says.
    wrote_waiting: tuple[str, ...] = field(default=(), metadata=as_json(hidden=True))
    # Each waiting operation the entry writes or drops (its own id, or `wrote_waiting`'s)
    # -> what its file held (WaitingOp.fingerprint; "" for a file that could not be read):
    # a file found later under that id is that change only if it holds the same.
    waiting_files: dict[str, str] = field(
        default_factory=dict, compare=False, repr=False, metadata=as_json(hidden=True)
    )
    # A write's: each part of the package it wrote, as "CRC-32:size" (from the zip's
    # directory), so the next write tells which parts a save outside esp changed.
    parts: dict[str, str] = field(
        default_factory=dict, compare=False, repr=False, metadata=as_json(hidden=True)
    )
    # An outside entry's cells still to be worked out (see Diff); None once they are.
    diff: Diff | None = field(default=None, metadata=as_json(hidden=True))
    # The day the command dated its change (`esp access set --date`, `esp round --date`),
    # when it was not the day it was made: a replay of that day counts the change.
    dated: date | None = field(default=None, metadata=as_json(hidden=True))
    # The ranges (tables, filters) the write grew over the rows it started under them.
    grown: tuple[GrownRange, ...] = field(default=(), metadata=as_json(hidden=True))

    @property
    @exported(key="time", after="kind")
    def timestamp(self) -> str:
        """When, to the second, with its zone (the team's, as esp history lists it)."""
        return self.time.isoformat(timespec="seconds")

    @property
    @exported(key="written_at", after="time")
    def written_stamp(self) -> str | None:
        return None if self.written_at is None else self.written_at.isoformat(timespec="seconds")

    @property
    def cells_known(self) -> bool:
        """Whether `cells` (with `cells_omitted`) are all the cells it changed: not for a
        save outside esp whose cells are still to be worked out (see Diff), nor for one an
        older esp recorded as not listable (it said so in the note)."""
        if self.kind != OUTSIDE:
            return True
        return self.diff is None and not (not self.cells and _NOT_LISTED in self.note)

    @property
    def who(self) -> str:
        if self.signer and self.signer != self.login:
            return f"{self.signer} ({self.login})"
        return self.signer or self.login

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "kind": self.kind,
            "state": self.state,  # right after the kind: changed in place (see Recorder)
            # Before the fields of any length (the command as typed): found near the
            # line's start without parsing it (see workbook.history).
            "digest_before": self.digest_before,
            "digest_after": self.digest_after,
            "backup": self.backup,
            # Also near the start: found without parsing the line (workbook.history).
            **({"waiting_files": self.waiting_files} if self.waiting_files else {}),
            "time": self.time.isoformat(timespec="seconds"),
            **(
                {"written_at": self.written_at.isoformat(timespec="seconds")}
                if self.written_at is not None
                else {}
            ),
            "signer": self.signer,
            "login": self.login,
            "machine": self.machine,
            "esp_version": self.version,
            "command": self.command,
            "undoes": self.undoes,
            **({"wrote_waiting": list(self.wrote_waiting)} if self.wrote_waiting else {}),
            "note": self.note,
            "cells_omitted": self.cells_omitted,
            "added_columns": [
                {
                    "sheet": a.sheet,
                    "column": a.letter,
                    "col": a.col,
                    "header": a.header,
                    **({"row": a.row} if a.row else {}),
                    **({"before_xml": a.before_xml} if a.before_xml is not None else {}),
                }
                for a in self.added_columns
            ],
            **({"grown": [g.to_json() for g in self.grown]} if self.grown else {}),
            **({"parts": self.parts} if self.parts else {}),
            **({"diff": self.diff.to_json()} if self.diff is not None else {}),
            **({"dated": self.dated.isoformat()} if self.dated is not None else {}),
            "cells": (
                self.cell_json if self.cell_json is not None else [c.to_json() for c in self.cells]
            ),
        }

    @classmethod
    def from_json(
        cls,
        d: dict[str, Any],
        line: int = 0,
        cell_filter: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Operation:
        cells = d.get("cells") or ()
        if cell_filter is not None:
            cells = [c for c in cells if cell_filter(c)]
        same: dict[str, str] = {}  # the entry's repeated strings, held once (CellRecord)
        return cls(
            op=str(d["op"]),
            kind=str(d["kind"]),
            time=datetime.fromisoformat(d["time"]),
            signer=d.get("signer"),
            login=str(d.get("login") or ""),
            machine=str(d.get("machine") or ""),
            version=str(d.get("esp_version") or ""),
            command=str(d.get("command") or ""),
            digest_before=str(d.get("digest_before") or ""),
            digest_after=str(d.get("digest_after") or ""),
            backup=d.get("backup"),
            cells=tuple(CellRecord.from_json(c, same) for c in cells),
            added_columns=tuple(
                AddedColumn(
                    str(a["sheet"]),
                    int(a["col"]),
                    str(a["header"]),
                    row=int(a.get("row") or 0),
                    before_xml=a["before_xml"] if isinstance(a.get("before_xml"), str) else None,
                )
                for a in d.get("added_columns") or ()
            ),
            undoes=d.get("undoes"),
            note=str(d.get("note") or ""),
            cells_omitted=int(d.get("cells_omitted") or 0),
            state=str(d.get("state") or WRITTEN),
            line=line,
            written_at=(
                None if d.get("written_at") is None else datetime.fromisoformat(d["written_at"])
            ),
            wrote_waiting=tuple(str(i) for i in d.get("wrote_waiting") or ()),
            waiting_files={str(k): str(v) for k, v in (d.get("waiting_files") or {}).items()},
            parts={str(k): str(v) for k, v in (d.get("parts") or {}).items()},
            diff=Diff.from_json(d["diff"]) if d.get("diff") else None,
            dated=_day_or_none(d.get("dated")),
            grown=tuple(GrownRange.from_json(g) for g in d.get("grown") or ()),
        )

    def day(self, zone: tzinfo | None = None) -> date:
        """The day the change counts for: the day its command dated it, else the day it
        was made (made_on)."""
        if self.dated is not None:
            return self.dated
        return self.made_on(zone)

    def on_clock(self, zone: tzinfo | None) -> Operation:
        """The entry with its times on the clock of `zone` (the team's; None: this
        machine's), as esp lists it: the same moments, read on the team's clock whatever
        the clock of the machine that made it."""
        return replace(
            self,
            time=on_clock(self.time, zone),
            written_at=None if self.written_at is None else on_clock(self.written_at, zone),
        )

    def made_on(self, zone: tzinfo | None = None) -> date:
        """The day the change was made, on the clock of `zone` (the team's; None: as the
        machine that made it recorded its time)."""
        return self.time.date() if zone is None else self.time.astimezone(zone).date()


def on_clock(moment: datetime, zone: tzinfo | None) -> datetime:
    """`moment` on the clock of `zone` (the team's; None: this machine's); as it is when
    that clock cannot show it (a time at the edge of the calendar, in a damaged file)."""
    try:
        return moment.astimezone(zone)
    except (OverflowError, ValueError, OSError):
        return moment


def _day_or_none(text: object) -> date | None:
    """A day as the log records it (ISO), or None (absent, or not a day: never fatal)."""
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
