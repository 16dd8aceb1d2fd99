"""esp sync-nnumbers: N Number request dates (and N Numbers) from the Master tracker.

Matching, per Master row: agent ID, then e-mail, then the normalised name within the class.
A class-level row (a class and no agent) applies to every agent of that class that no
other row matched; two class rows of one class with different dates are a conflict for
each of those agents, and neither is applied; an agent on two sheets (a copy of the tab)
gets it on neither row, said once. A different date already in the ESP Tracker
is a conflict: listed and kept unless --overwrite. Master rows that match nobody are listed.

A Master sheet without a Class column is one class only when its name is a class of the
ESP Tracker (a workbook of one sheet per class); otherwise its rows have no class and are
matched across the whole tracker (by ID, e-mail, then a name only one agent has).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from esp_cli.config import Config
from esp_cli.core.columns import BY_KEY
from esp_cli.core.refs import col_letter
from esp_cli.core.values import email_key, id_key, name_key, text_of
from esp_cli.errors import EspError, UsageError
from esp_cli.results.sync import Conflict, MasterRef, SyncResult, Unmatched
from esp_cli.services.agents import agents_twice, without_agents_twice
from esp_cli.services.escalations import FOLLOW_SCAN, follow_computed, partial_computed
from esp_cli.services.facts import calendar_from, need_rule_columns
from esp_cli.workbook.inputs import check_workbook
from esp_cli.workbook.session import ChangePlan, write_session
from esp_cli.workbook.tracker import Row, Sheet, Table, read_table
from esp_cli.workbook.xlsx.early import worth_a_head_start
from esp_cli.workbook.xlsx.workbook import Workbook

ROLE = "Master N Number Tracker"
DATE_KEY = "n_number_requested"
NNUM_KEY = "n_number"


@dataclass
class _Proposal:
    source: MasterRef
    requested: date | None
    n_number: str | None
    how: str


@dataclass
class _Index:
    by_id: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    by_email: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    by_class_name: dict[tuple[str, str], list[Row]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_name: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    by_class: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))


def _class_key(text: str) -> str:
    return " ".join(text.lower().split())


def _index(tracker: Table) -> _Index:
    idx = _Index()
    by_id, by_email, by_name = idx.by_id, idx.by_email, idx.by_name
    by_class_name, by_class = idx.by_class_name, idx.by_class
    classes: dict[str, str] = {}  # a class as read -> its key (a class has many agents)
    for row in tracker.rows():
        get = row.values.get
        typed = get("agent_id")
        if typed:
            by_id[id_key(str(typed))].append(row)
        mail = get("email")
        if mail:
            by_email[email_key(str(mail))].append(row)
        cls = row.cls
        ckey = classes.get(cls)
        if ckey is None:
            ckey = classes[cls] = _class_key(cls)
        name = get("agent_name")
        if name:
            key = name_key(str(name))
            by_class_name[(ckey, key)].append(row)
            by_name[key].append(row)
        if cls:
            by_class[ckey].append(row)
    return idx


def _classless(sheet: Sheet, idx: _Index) -> bool:
    """Whether the rows of a Master sheet give no class: a Master row's class is its Class
    cell, else its sheet's name when that names a class of the ESP Tracker (one sheet per
    class), else none ("Sheet1", "N Numbers")."""
    return sheet.class_from_sheet and _class_key(sheet.name) not in idx.by_class


class _MasterRow(NamedTuple):
    """A Master row as the plan takes it: where it is, its request date and N Number, and
    who it says it is — its Agent ID, e-mail and name as typed and the keys they are
    matched by, each worked out once (all blank when `named` is not: a class row, or a row
    naming no one). One flat tuple a row: a 50,000-row Master holds 50,000 of them."""

    row: Row
    source: MasterRef
    requested: date | None
    n_number: str | None
    named: bool
    agent_id: str
    email: str
    name: str
    id_key: str
    email_key: str
    name_key: str


def _master_row(m: Row) -> _MasterRow:
    requested = m.get(DATE_KEY) if DATE_KEY not in m.unreadable else None
    nnum = m.text(NNUM_KEY) or None
    if not m.has_identity:
        return _MasterRow(m, MasterRef(m.sheet, m.row), requested, nnum, False, *_BLANKS)
    mid, mail, name = m.text("agent_id"), m.text("email"), m.name
    return _MasterRow(
        m,
        MasterRef(m.sheet, m.row),
        requested,
        nnum,
        True,
        mid,
        mail,
        name,
        _same_or(mid, id_key(mid)) if mid else "",
        _same_or(mail, email_key(mail)) if mail else "",
        name_key(name) if name else "",
    )


_BLANKS = ("",) * 6


def _same_or(typed: str, key: str) -> str:
    """The key, held as the text typed when it is that (most IDs and e-mails): the Master's
    rows then hold no second copy of it."""
    return typed if key == typed else key


def _master_rows(master: Table) -> list[_MasterRow]:
    """Every Master row, worked out as far as the tracker is not needed: done beside the
    tracker's reading (see sync_nnumbers)."""
    return [_master_row(m) for m in master.rows()]


def _match(m: _MasterRow, cls: str, idx: _Index) -> tuple[Row | None, str]:
    """The ESP row for a Master row (of class `cls`, or none), or None and why not. A row
    whose Agent ID, e-mail and name point at different agents — another vendor's agent of
    the same name, a colleague's ID typed on the wrong row — matches no one."""
    mid, mail, name = m.agent_id, m.email, m.name
    if mid:
        owners = idx.by_id.get(m.id_key, _NOBODY)
        if len(owners) == 1:
            return _unless_contradicted(m, owners[0], "agent ID", idx)
    if mail:
        owners = idx.by_email.get(m.email_key, _NOBODY)
        if len(owners) == 1:
            return _unless_contradicted(m, owners[0], "e-mail", idx)
    if name:
        key = m.name_key
        found = (
            idx.by_class_name.get((_class_key(cls), key), []) if cls else idx.by_name.get(key, [])
        )
        if len(found) == 1:
            return _unless_contradicted(m, found[0], "name", idx)
        if len(found) > 1:
            return None, f"{len(found)} agents are named {name}" + (
                f" in class {cls}" if cls else ""
            )
        if cls and idx.by_name.get(key):
            other = idx.by_name[key][0].cls
            return None, f"{name} is in class {other} in the ESP Tracker, not {cls}"
    tried = [label for label, v in (("agent ID", mid), ("e-mail", mail), ("name", name)) if v]
    return None, "no agent with this " + " or ".join(tried) if tried else "no agent named"


_NOBODY: list[Row] = []  # what a key no row has gives (never changed)


def _others(rows: list[Row], row: Row) -> bool:
    """Whether `rows` (those a key gives) are someone else's: some, and `row` not among them."""
    return bool(rows) and rows[0] is not row and not any(r is row for r in rows)


def _whose(row: Row) -> str:
    return f"{row.label()}'s ({row.sheet}!row {row.row})"


def _unless_contradicted(m: _MasterRow, row: Row, how: str, idx: _Index) -> tuple[Row | None, str]:
    """`row`, matched by `how`, unless the Master row's other identities say someone else:
    an Agent ID or e-mail of another agent, or one the matched agent's cell contradicts
    (for a match by name); a name only another agent has (for a match by ID or e-mail)."""
    mid, mail, name = m.agent_id, m.email, m.name
    if how != "agent ID" and mid:
        owners = idx.by_id.get(m.id_key, _NOBODY)
        theirs = row.text("agent_id") if "agent_id" not in row.unreadable else ""
        if _others(owners, row):
            return None, f"the {how} gives {_whose(row)}, but Agent ID {mid} is " + (
                " or ".join(_whose(r) for r in owners)
            )
        if theirs and id_key(theirs) != m.id_key:
            return None, (
                f"the {how} gives {_whose(row)}, but the Master's Agent ID {mid} is not "
                f"theirs ({theirs})"
            )
    if how != "e-mail" and mail:
        owners = idx.by_email.get(m.email_key, _NOBODY)
        if _others(owners, row):
            return None, f"the {how} gives {_whose(row)}, but the e-mail {mail} is " + (
                " or ".join(_whose(r) for r in owners)
            )
        theirs = row.text("email") if how == "name" and "email" not in row.unreadable else ""
        if theirs and email_key(theirs) != m.email_key:
            return None, (
                f"the name gives {_whose(row)}, but the Master's e-mail {mail} is not "
                f"theirs ({theirs})"
            )
    if how != "name" and name:
        named = idx.by_name.get(m.name_key, _NOBODY)
        if _others(named, row):
            given = f"Agent ID {mid}" if how == "agent ID" else f"the e-mail {mail}"
            return None, f"{given} is {_whose(row)}, but the name {name} is " + (
                " or ".join(_whose(r) for r in named)
            )
    return row, how


def sync_nnumbers(
    tracker_path: Path,
    master_path: Path,
    config: Config,
    dry_run: bool = False,
    overwrite: bool = False,
    master_source: str = "--from",
) -> SyncResult:
    """`master_source` is where the Master's path came from (--from, or [tracker] master in
    an esp.toml), named by the errors about it."""
    check_workbook(master_path, ROLE, master_source, other=tracker_path)
    if same_file(master_path, tracker_path):
        raise UsageError(
            f"{master_path} is the ESP Tracker itself ({master_source}), not the client's "
            f"{ROLE}: there is nothing to take from it.",
            fix=f"give the {ROLE} with --from MASTER.xlsx (or [tracker] master in esp.toml).",
        )
    after = _AfterTracker()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The Master is read while the tracker is: calamine parses a sheet without holding
        # the interpreter, so the two largest steps of the command overlap. Beside a large
        # tracker (one read without a head start, some 25,000 agents: see
        # xlsx.early.HEAD_START_MAX_BYTES), the Master's rows are made once the tracker's
        # table is read: made at the same time, the two tables' objects sit side by side in
        # memory, and the Master's, let go after the plan, leave holes among the tracker's
        # that the system never gets back (some 25 MB at the peak of a write to 50,000
        # agents). Its calamine parse still runs meanwhile (read ahead: cli.sync).
        wait = None if worth_a_head_start(tracker_path) else after
        master_job = pool.submit(_read_master, master_path, config, wait)
        try:
            return _sync(
                tracker_path,
                master_path,
                master_job,
                after,
                config,
                dry_run,
                overwrite,
                master_source,
            )
        except EspError:
            after.go()
            master_error = master_job.exception()
            if master_error is not None:
                raise master_error from None  # a bad Master is reported first, as it is named
            raise
        finally:
            after.stop()  # stopped otherwise (Ctrl-C): not read at all, the pool waits for it


class _AfterTracker:
    """When a Master held back for the tracker (see sync_nnumbers) is read: once the
    tracker's table is read (go), or never, when the command stops before (stop)."""

    def __init__(self) -> None:
        self._told = threading.Event()
        self._go = False

    def go(self) -> None:
        if not self._told.is_set():
            self._go = True
            self._told.set()

    def stop(self) -> None:
        self._told.set()

    def wait(self) -> bool:
        """Wait to be told; whether to read the Master."""
        self._told.wait()
        return self._go


class _NotRead(Exception):
    """The Master was not read: the command stopped before the tracker was."""


class _Master(NamedTuple):
    table: Table
    rows: list[_MasterRow]


def _read_master(master_path: Path, config: Config, wait: _AfterTracker | None) -> _Master:
    """The Master's table and rows; once the tracker's are, when `wait` is given (see
    sync_nnumbers)."""
    workbook = Workbook.open(master_path)
    if wait is not None and not wait.wait():
        raise _NotRead

    table = read_table(
        workbook,
        config.columns,
        required=("agent_name", "agent_id", "email"),
        role=ROLE,
        keep_class_rows=True,
        keys=(DATE_KEY, NNUM_KEY),
    )
    return _Master(table, _master_rows(table))


def _sync(
    tracker_path: Path,
    master_path: Path,
    master_job: Future[_Master],
    after: _AfterTracker,
    config: Config,
    dry_run: bool,
    overwrite: bool,
    master_source: str,
) -> SyncResult:
    with write_session(
        tracker_path, config, keys=(DATE_KEY, NNUM_KEY), dry_run=dry_run, scan_also=FOLLOW_SCAN
    ) as s:
        after.go()
        master, master_rows = master_job.result()
        if master.workbook.pkg.digest == s.workbook.pkg.digest:
            raise UsageError(
                f"{master_path} ({master_source}) is a copy of the ESP Tracker "
                f"{tracker_path}, not the client's {ROLE}: there is nothing to take from it.",
                fix=f"give the {ROLE} with --from MASTER.xlsx (or [tracker] master in esp.toml).",
            )
        conflicts, unmatched, matched, cells = _plan(s.table, master, master_rows, overwrite)
        master_findings = master.findings
        # Matched: the Master's rows are not needed while the tracker's cells are planned
        # and written (the sheet's XML is read for them: on 50,000 agents, the two at once
        # would be some 50 MB more).
        del master, master_rows
        master_job.result().table.sheets.clear()
        master_job.result().rows.clear()
        s.plan.set_many(cells)
        dated = [(row, new) for row, key, new in cells if key == DATE_KEY]
        _keep_computed(s.plan, dated, config)
        s.plan.sort()
    return SyncResult(
        master=master_path,
        conflicts=conflicts,
        unmatched=unmatched,
        # After the write: a header set aside said by it is not said again.
        findings=[*s.table.findings, *master_findings],
        matched_agents=matched,
        write=s.report,
        computed_missing=partial_computed(s.table, (row.sheet for row, _ in dated)) or None,
    )


def _plan(
    tracker: Table,
    master: Table,
    master_rows: list[_MasterRow],
    overwrite: bool,
) -> tuple[list[Conflict], list[Unmatched], int, list[tuple[Row, str, Any]]]:
    """What the Master gives the tracker: the conflicts, the Master's rows matched to no
    agent, how many agents were matched, and the cells to write, in the tracker's order."""
    idx = _index(tracker)
    proposals: dict[int, list[_Proposal]] = defaultdict(list)
    unmatched: list[Unmatched] = []
    class_rows: dict[str, list[Row]] = defaultdict(list)
    classless = {s.name: _classless(s, idx) for s in master.sheets}
    for said in master_rows:
        m = said.row
        cls = "" if classless[m.sheet] else m.cls
        if not said.named:
            if cls:
                class_rows[_class_key(cls)].append(m)
            else:
                unmatched.append(_unmatched(m, "no agent and no class on this row", cls))
            continue
        row, how = _match(said, cls, idx)
        if row is None:
            unmatched.append(_unmatched(m, how, cls))
            continue
        proposals[id(row)].append(_Proposal(said.source, said.requested, said.n_number, how))
    conflicts: list[Conflict] = []
    reached = {
        ckey: [r for r in idx.by_class.get(ckey, []) if id(r) not in proposals]
        for ckey in class_rows
    }
    # An agent on a copy of the tab: neither row is hers to fill, as her own Master row
    # matches neither ("2 agents are named…"); the others' dates are written.
    kept = {
        id(r)
        for r in without_agents_twice(
            [r for members in reached.values() for r in members],
            tracker.path.name,
            "esp sync-nnumbers fills neither of their rows from the Master's class row",
            among=tracker.rows(),
        )
    }
    # Their cells a class row would fill, in the JSON as conflicts (a person's to settle):
    # each with the agent's other row.
    twin: dict[int, Row] = {}
    if len(kept) < sum(map(len, reached.values())):
        for first, again, _shared in agents_twice(tracker.rows()):
            twin[id(first)], twin[id(again)] = again, first
    for ckey, rows in class_rows.items():
        members = [r for r in reached[ckey] if id(r) in kept]
        left_out = [r for r in reached[ckey] if id(r) not in kept]
        if not idx.by_class.get(ckey):
            unmatched += [_unmatched(m, f"no class {m.cls} in the ESP Tracker") for m in rows]
            continue
        dated = [(m, m.get(DATE_KEY)) for m in rows if DATE_KEY not in m.unreadable]
        dates = sorted({d for _, d in dated if d is not None})
        if len(dates) > 1:
            # Which of them is the class's is for a person to say: nothing is written.
            sources = ", ".join(f"{MasterRef(m.sheet, m.row)}: {d.isoformat()}" for m, d in dated)
            for row in members:
                conflicts.append(
                    _conflict(
                        tracker,
                        row,
                        DATE_KEY,
                        row.get(DATE_KEY),
                        " / ".join(d.isoformat() for d in dates),
                        MasterRef(rows[0].sheet, rows[0].row),
                        f"the Master's class rows for {rows[0].cls} give different dates "
                        f"({sources})",
                    )
                )
            continue
        first = next((m for m, d in dated if d is not None), rows[0])
        given = first.get(DATE_KEY)
        for row in left_out:
            other = twin.get(id(row))
            current = row.raw.get(DATE_KEY) if DATE_KEY in row.unreadable else row.get(DATE_KEY)
            if other is not None and given is not None and current != given:
                conflicts.append(
                    _conflict(
                        tracker,
                        row,
                        DATE_KEY,
                        current,
                        given,
                        MasterRef(first.sheet, first.row),
                        f"the agent is on two sheets of the tracker (also '{other.sheet}'!row "
                        f"{other.row}): neither row is filled; delete or hide the copied tab",
                    )
                )
        for row in members:
            proposals[id(row)].append(
                _Proposal(MasterRef(first.sheet, first.row), first.get(DATE_KEY), None, "class row")
            )
    # In the tracker's order, whatever the Master's: the rows written are then found in
    # one pass down each sheet, not searched for back and forth; planned at once.
    cells: list[tuple[Row, str, Any]] = []
    for row in tracker.rows():
        props = proposals.get(id(row))
        if props and not _holds_already(row, props):
            _plan_date(row, props, tracker, cells, overwrite, conflicts)
            _plan_nnumber(row, props, tracker, cells, conflicts)
    conflicts.sort(key=lambda c: (c.sheet, _row_of(c.cell)))
    return conflicts, unmatched, len(proposals), cells


def _keep_computed(plan: ChangePlan, dated: list[tuple[Row, date]], config: Config) -> None:
    """The computed columns of the agents whose N Number Requested date is written follow
    it (the SPOC point counts from it), as after esp round's answers."""
    if not dated:
        return
    need_rule_columns(plan.table, config, computed=True, sheets={row.sheet for row, _ in dated})
    now = config.now()
    cal = calendar_from(config)
    for row, day in dated:
        follow_computed(plan, row, {DATE_KEY: day}, config, now, cal, read=(DATE_KEY, NNUM_KEY))


def _holds_already(row: Row, props: list[_Proposal]) -> bool:
    """Whether the agent's row holds already what the one Master row naming them gives (most
    agents of a daily sync): then _plan_date and _plan_nnumber have nothing to do."""
    if len(props) != 1 or row.unreadable:
        return False
    given = props[0]
    values = row.values
    if given.requested is not None and values.get(DATE_KEY) != given.requested:
        return False
    number = given.n_number
    return not number or values.get(NNUM_KEY) == number.strip()


def _row_of(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0


def _conflict(
    tracker: Table,
    row: Row,
    key: str,
    current: Any,
    master: Any,
    source: MasterRef,
    reason: str,
    overwrite: bool = False,
) -> Conflict:
    sheet = tracker.sheet(row.sheet)
    col = sheet.col(key)
    cell = f"{col_letter(col)}{row.row}" if col else "(new column)"
    header = sheet.headers.get(col, BY_KEY[key].header) if col else BY_KEY[key].header
    return Conflict(
        row.sheet, cell, row.label(), row.cls, header, current, master, source, reason, overwrite
    )


def _plan_date(
    row: Row,
    props: list[_Proposal],
    tracker: Table,
    cells: list[tuple[Row, str, Any]],
    overwrite: bool,
    conflicts: list[Conflict],
) -> None:
    first = props[0].requested
    distinct: list[date]
    if len(props) == 1:  # nearly every agent: one Master row names them
        dated = props if first is not None else []
        distinct = [first] if first is not None else []
    else:
        dated = [p for p in props if p.requested is not None]
        distinct = sorted({p.requested for p in dated if p.requested is not None})
    if not dated:
        return
    if len(distinct) > 1:
        sources = ", ".join(str(p.source) for p in dated)
        conflicts.append(
            _conflict(
                tracker,
                row,
                DATE_KEY,
                row.get(DATE_KEY),
                " / ".join(d.isoformat() for d in distinct),
                dated[0].source,
                f"the Master lists different dates for this agent ({sources})",
            )
        )
        return
    new = distinct[0]
    if DATE_KEY in row.unreadable:
        current: Any = row.raw.get(DATE_KEY)
        reason = "the tracker's value is not a date"
    else:
        current = row.get(DATE_KEY)
        reason = "the tracker already has a different date"
    if current is None or (current != new and overwrite):
        cells.append((row, DATE_KEY, new))
    elif current != new:
        conflicts.append(
            _conflict(tracker, row, DATE_KEY, current, new, dated[0].source, reason, True)
        )


def _plan_nnumber(
    row: Row,
    props: list[_Proposal],
    tracker: Table,
    cells: list[tuple[Row, str, Any]],
    conflicts: list[Conflict],
) -> None:
    if len(props) == 1:  # nearly every agent: one Master row names them
        number = props[0].n_number
        numbers = [number.strip()] if number else []
    else:
        numbers = sorted({p.n_number.strip() for p in props if p.n_number})
    if not numbers:
        return
    source = props[0].source
    current = row.text(NNUM_KEY)
    if len(numbers) > 1:
        conflicts.append(
            _conflict(
                tracker,
                row,
                NNUM_KEY,
                current or None,
                " / ".join(numbers),
                source,
                "the Master lists different N Numbers for this agent",
            )
        )
        return
    new = numbers[0]
    if NNUM_KEY in row.unreadable:
        conflicts.append(
            _conflict(
                tracker,
                row,
                NNUM_KEY,
                text_for(row.raw.get(NNUM_KEY)),
                new,
                source,
                "the tracker's cell holds an error, not an N Number",
            )
        )
    elif not current:
        cells.append((row, NNUM_KEY, new))
    elif current != new and id_key(current) != id_key(new):
        # N Numbers are only filled where blank: a different one is for a person to check.
        conflicts.append(
            _conflict(
                tracker, row, NNUM_KEY, current, new, source, "the tracker has a different N Number"
            )
        )


def _unmatched(m: Row, reason: str, cls: str | None = None) -> Unmatched:
    shown = m.cls if cls is None else cls
    return Unmatched(m.sheet, m.row, m.name, shown, m.text("agent_id"), m.text("email"), reason)


def same_file(a: Path, b: Path) -> bool:
    """Whether the two paths name one file (a link, another spelling of the path)."""
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


def text_for(value: Any) -> str:
    return text_of(value) if value is not None else ""
