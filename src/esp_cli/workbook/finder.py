"""Finding the row of an agent recorded earlier (the operation log, a waiting change)
after the rows may have moved: by who the agent is, never by where the row was — and for
namesakes nothing tells apart by who they are, by what esp saw in their row (`facts`)."""

from __future__ import annotations

import bisect
import collections
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator
from typing import Any, NamedTuple

from esp_cli.core.columns import BY_KEY, Kind
from esp_cli.core.model import AgentRef
from esp_cli.core.names import name_key
from esp_cli.core.oplog import NAMESAKES, Facts, same_value
from esp_cli.core.values import (
    ErrorValue,
    Unreadable,
    conflict_shown,
    email_key,
    id_key,
    parse_date,
    parse_datetime,
)
from esp_cli.core.words import listed
from esp_cli.workbook.tracker import Row, Table
from esp_cli.workbook.xlsx.reader import SheetValues

_LISTED = 5  # rows named when several answer to one agent
_KINDS = ("agent_id", "email", "n_number", "name")

# What tells namesakes apart for good: columns esp writes for no step and a person seldom
# changes (an ESP Start Date, a phone number). Other columns tell them apart only while
# nobody changes them; some never do, being what esp and the team add to all day, or who
# the agent is (found by it already).
STABLE_FACTS = ("esp_start", "call_cert_start", "phone", "certifier", "n_number_requested")
_NOT_FACTS = frozenset(
    {"agent_name", "agent_id", "email", "n_number", "class", "notes", "tbt_notes",
     "escalation_stage", "next_action", "next_action_due"}
)  # fmt: skip
_COUNT = {2: "two", 3: "three", 4: "four"}
# Lasting cells one person's alone: one filled in since with the agent's value is hers.
_PERSONAL = frozenset({"phone"})


class Found(NamedTuple):
    """The agent's row (None: not found, and `why`); `namesakes`: several agents of the
    name answer and nothing recorded tells which is the agent."""

    row: Row | None
    why: str = ""
    namesakes: bool = False
    # The agent's row is on several sheets now (a copy of the tab, agents_twice), and
    # nothing recorded tells which: `why` names the rows and the fix.
    twice: bool = False
    # Found by name alone, for an agent recorded with an Agent ID, e-mail or N Number that
    # no row holds now, and the row holds none of them where its sheet has their columns
    # (a new hire of the name, nothing typed yet?): not surely the agent; `why` says so.
    unsure: bool = False
    # The one row left of namesakes holds other lasting facts than esp saw in the agent's
    # row (the agent's row deleted since, or those cells retyped?); `why` names them.
    differs: bool = False


class _Searched(NamedTuple):
    """What _search found: the rows answering to the agent, and what they share; or none,
    and why. `doubt`: the rows were found by name alone and hold none of the agent's
    recorded IDs (Found.unsure), and why that leaves them in doubt."""

    rows: list[Row]
    what: str
    doubt: str = ""


def class_key(text: str) -> str:
    """A class as typed ('AET-1109 ', 'aet-1109') -> one key."""
    return " ".join(text.split()).casefold()


class RowFinder:
    """Finds the row of an agent recorded earlier (in the operation log, a waiting change)
    after the rows may have moved — a sort in Excel, rows inserted or deleted — by who the
    agent is, never by where the agent was: by Agent ID, else by e-mail, else by name within
    the class, the first of these recorded for the agent that some row has. A row whose own
    Agent ID or e-mail differs from the one recorded is another person, whatever its name.
    When no row, or more than one, answers to the agent, there is no answer: the caller
    refuses rather than guess (values repeat between agents, so a value proves nothing)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        # One index per way of naming an agent, each built the first time a search needs
        # it: finding 30 agents by Agent ID reads one column of the 10,000 rows, not four.
        self._by: dict[str, dict[Any, list[Row]]] = {}
        self._sheet_values: dict[str, SheetValues | None] = {}

    def _index(self, kind: str) -> dict[Any, list[Row]]:
        got = self._by.get(kind)
        if got is not None:
            return got
        got = {}
        if kind == "name":
            for key, row in self._names():
                got.setdefault(key, []).append(row)
        else:
            key_of = email_key if kind == "email" else id_key
            for row in self.table.rows():
                value = row.values.get(kind)
                if value is not None and value != "" and kind not in row.unreadable:
                    got.setdefault(key_of(str(value)), []).append(row)
        self._by[kind] = got
        return got

    def index_all(self) -> None:
        """Every index built now, from the rows as they are: before the rows change in
        memory (a waiting change that fills an N Number), so that every search answers from
        the rows as they were read, whichever index it needs."""
        for kind in _KINDS:
            self._index(kind)

    def _search(self, who: AgentRef) -> _Searched:
        """The rows that answer to the agent: one; several, and what they share ("name in
        class AET-1"); or none, and why ("no row has it any more")."""
        wanted_id, wanted_mail = id_key(who.agent_id), email_key(who.email)
        wanted_n = id_key(who.n_number)
        tries: list[tuple[str, str, Any]] = []  # (what, index, key)
        if wanted_id:
            tries.append((f"Agent ID {who.agent_id.strip()}", "agent_id", wanted_id))
        if wanted_mail:
            tries.append((f"e-mail {who.email.strip()}", "email", wanted_mail))
        if wanted_n:
            tries.append((f"N Number {who.n_number.strip()}", "n_number", wanted_n))
        if who.name and name_key(who.name):
            in_class = f" in class {' '.join(who.cls.split())}" if who.cls.strip() else ""
            named = (class_key(who.cls), name_key(who.name))
            tries.append((f"name{in_class}", "name", named))

        def rows_of(kind: str, key: Any) -> list[Row]:
            return self._index(kind).get(key, [])

        for i, (what, kind, key) in enumerate(tries):
            found = [
                r
                for r in rows_of(kind, key)
                if not _contradicts(r, wanted_id, wanted_mail, wanted_n)
            ]
            if kind == "name" and found:
                # Found by name alone: a row that holds none of the IDs recorded for the
                # agent, where its sheet has their columns, is not surely the agent.
                sure = [r for r in found if not self._holds_none(r, who)]
                if not sure:
                    return _Searched(found, what, self._unsure_words(found, what, who))
                found = sure
            # Several rows with its ID (a row copied in Excel, a typo): the next of what is
            # recorded (e-mail, name and class) may still tell which is the agent's.
            for _, then_kind, then_key in tries[i + 1 :]:
                if len(found) < 2:
                    break
                then = rows_of(then_kind, then_key)
                narrower = [r for r in found if any(r is t for t in then)]
                if narrower:
                    found = narrower
            if found:
                return _Searched(found, what)
        if not tries:
            return _Searched([], "nothing recorded tells who the agent is")
        return _Searched([], self._gone_words(who, tries))

    def _gone_words(self, who: AgentRef, tries: list[tuple[str, str, Any]]) -> str:
        """Why no row answers to the agent: what no row has any more, and each row that has
        some of what was recorded but is another agent's (its name, or the ID it holds)."""
        absent: list[str] = []
        others: dict[tuple[str, int], tuple[Row, list[str]]] = {}
        for what, kind, key in tries:
            rows = self._index(kind).get(key, [])
            if not rows:
                absent.append(what)
            for r in rows:
                others.setdefault((r.sheet, r.row), (r, []))[1].append(what)
        parts = [f"no row has its {' or '.join(absent)} any more"] if absent else []
        for row, whats in list(others.values())[:_LISTED]:
            parts.append(
                f"the row with its {listed(whats)}, {row.sheet}!row {row.row}, {_whose(row, who)}"
            )
        return "; ".join(parts)

    def _holds_none(self, row: Row, who: AgentRef) -> bool:
        """Whether `row`, found by the agent's name, holds none of the Agent ID, e-mail and
        N Number recorded for the agent though its sheet has a column for one of them: a
        row whose sheet has none of those columns (deleted) cannot hold them, and tells
        nothing by not holding them; a word typed for every new hire (`Pending`) recorded
        as the agent's is no ID of theirs."""
        recorded = [
            (key, norm(text))
            for key, _label, norm, text in _recorded(who)
            if _an_id(key, norm(text))
        ]
        sheet = self.table.sheet(row.sheet)
        columns = [(key, wanted) for key, wanted in recorded if sheet.col(key) is not None]
        if not columns:
            return False
        for key, wanted in columns:
            text = row.text(key).strip() if key not in row.unreadable else ""
            if not text and key not in row.values:  # a column not read: as the file has it
                value = self.value(row, key)
                text = "" if value is None or isinstance(value, ErrorValue) else str(value)
            norm = email_key if key == "email" else id_key
            if text.strip() and norm(text.strip()) == wanted:
                return False
        return True

    def _unsure_words(self, rows: list[Row], what: str, who: AgentRef) -> str:
        """Why rows found by the agent's name alone are not surely the agent's."""
        sheet = self.table.sheet(rows[0].sheet)
        recorded = [(key, label, text) for key, label, _n, text in _recorded(who)]
        lacking = [label for key, label, _t in recorded if sheet.col(key) is not None]
        first, *more = [f"{label} {text}" for _key, label, text in recorded]
        made_for = first + (f" ({listed(more)})" if more else "")
        where = ", ".join(f"{r.sheet}!row {r.row}" for r in rows[:_LISTED])
        one = len(rows) == 1
        found_by = f"the {'row' if one else 'rows'} found by the {what}"
        return (
            f"{found_by}, {where}, {'holds' if one else 'hold'} no "
            f"{_or_words(lacking)}, and the change was made for {made_for}"
        )

    def find(self, who: AgentRef) -> tuple[Row | None, str]:
        """The agent's row, or None and why not (a phrase: "no row has it any more")."""
        found = self.locate(who)
        return found.row, found.why

    def locate(
        self,
        who: AgentRef,
        facts: Facts | None = None,
        unmoved: bool = False,
        strict: bool = False,
    ) -> Found:
        """The agent's row, found by who they are. Namesakes nothing recorded of who they
        are tells apart: the row recorded (`who.row`) when the rows have not moved since
        (`unmoved`: only esp has written the tracker since, and esp moves no row), else the
        one row that still holds what esp saw there (`facts`); else none: "two agents named
        Ana Lopez in class AET-1 (...); cannot tell which". One row found by the name alone
        for an agent recorded with IDs it holds none of is the agent only when it holds
        `facts`; else none (`unsure`). The one row left of namesakes (the others deleted)
        is weighed on `facts` (see _one_left_differs; `strict`: a change still to be
        written, which a row matching neither the agent's nor a namesake's cells does not
        get)."""
        found, what, doubt = self._search(who)
        if doubt and len(found) == 1:
            # Found by the name alone, holding none of the IDs recorded: the agent's only
            # when it holds what esp saw there (a namesake's, recorded), else in doubt.
            if facts and self.holds(found[0], facts):
                return Found(found[0])
            return Found(None, doubt, unsure=True)
        if len(found) == 1:
            row = found[0]
            # What esp saw in the row was recorded because the agent had a namesake then
            # (nothing of who they are told them apart): the one row left may be the
            # other's, the agent's row deleted since. It is not taken when it holds other
            # lasting facts than esp saw, more of them than it holds the same.
            if facts and not (unmoved and (row.sheet, row.row) == (who.sheet, who.row)):
                differs = self._one_left_differs(row, facts, strict)
                if differs is not None:
                    return Found(None, self._differs_words(row, what, differs), differs=True)
            return Found(row)
        if not found:
            return Found(None, what)
        if unmoved:
            there = [r for r in found if (r.sheet, r.row) == (who.sheet, who.row)]
            if there:
                return Found(there[0])
        if facts:
            held = [r for r in found if self.holds(r, facts)]
            if len(held) == 1:
                return Found(held[0])
        copies = [copy for _original, copy, _shared in agents_twice(found)]
        if len(copies) == len(found) - 1:  # one agent, on as many sheets (a copy of the tab)
            first = next(r for r in found if all(r is not c for c in copies))
            on = listed([f"'{r.sheet}'!row {r.row}" for r in (first, *copies)])
            tabs = listed(list(dict.fromkeys(f"'{c.sheet}'" for c in copies)))
            return Found(
                None,
                f"{first.label()} is on {_COUNT.get(len(found), str(len(found)))} sheets now: "
                f"{on}; fix: delete or hide the copy, {tabs} (esp reads the visible sheets only)",
                twice=True,
            )
        where = ", ".join(f"{r.sheet}!row {r.row}" for r in found[:_LISTED])
        if not what.startswith("name"):
            return Found(None, f"{len(found)} rows have its {what} ({where})")
        count = _COUNT.get(len(found), str(len(found)))
        named = f"{count} agents named {who.name}{what[len('name') :]}"
        return Found(None, f"{named} ({where}); cannot tell which", namesakes=True)

    # -- what tells namesakes apart --------------------------------------------------------

    def _values(self, sheet: str) -> SheetValues | None:
        got = self._sheet_values.get(sheet)
        if got is None and sheet not in self._sheet_values:
            try:
                cols = set(self.table.sheet(sheet).columns.values())
                info = self.table.workbook.pkg.sheet(sheet)
            except KeyError:
                cols, info = set(), None
            got = self.table.workbook.values(info, columns=cols) if info is not None else None
            self._sheet_values[sheet] = got
        return got

    def value(self, row: Row, key: str) -> Any:
        """What the row's cell of column `key` holds in the workbook (None: no such column)."""
        col = self.table.sheet(row.sheet).col(key)
        values = self._values(row.sheet)
        return values.get(row.row, col) if col is not None and values is not None else None

    def _names(self) -> Iterator[tuple[tuple[str, str], Row]]:
        """Each named row with the key the name index files it under (class, name)."""
        classes: dict[str, str] = {}  # a few classes, down thousands of rows
        for row in self.table.rows():
            name = row.name
            if name:
                cls = classes.get(row.cls)
                if cls is None:
                    cls = classes[row.cls] = class_key(row.cls)
                yield (cls, name_key(name)), row

    def maybe_namesakes(self) -> set[tuple[str, int]]:
        """Where the rows are (sheet, row) that may have namesakes (has_namesakes): those of a
        name another row of their class has, and those without a name. One pass, for a
        write of thousands of cells to skip every other row at once; the name index is
        not kept for it (a tracker without namesakes never needs it: on 50,000 agents it
        holds 10 MB)."""
        first: dict[tuple[str, str], Row] = {}
        out: set[tuple[str, int]] = set()
        for key, row in self._names():
            seen = first.setdefault(key, row)
            if seen is not row:
                out.add((seen.sheet, seen.row))
                out.add((row.sheet, row.row))
        return out | {(r.sheet, r.row) for r in self.table.rows() if not r.name}

    def has_namesakes(self, row: Row) -> bool:
        """Do other rows answer to `row`'s agent as much as it does (namesakes nothing of
        who they are tells apart)?"""
        if (
            row.name
            and len(self._index("name").get((class_key(row.cls), name_key(row.name)), ())) < 2
        ):
            return False  # nobody else of the name in the class: found by it at the least
        found = self._search(row.ref()).rows
        return len(found) > 1 and any(r is row for r in found)

    def facts(self, row: Row, skip: Collection[int] = ()) -> Facts | None:
        """What tells `row` apart from its namesakes — the rows `locate` finds for its agent
        by who they are — as the workbook holds it now: the cells of the columns where they
        differ, of the lasting ones (STABLE_FACTS) first, others only for namesakes these do
        not tell apart; not those of columns `skip` (the cells a change writes there). None
        when `row` has no namesake, or nothing tells them apart."""
        found = self._search(row.ref()).rows
        others = [r for r in found if r is not row]
        if len(others) == len(found):
            return None
        sheet = self.table.sheet(row.sheet)
        keys = [k for k, c in sheet.columns.items() if k not in _NOT_FACTS and c not in skip]
        mine = {k: self.value(row, k) for k in keys}

        def differs(k: str, rows: list[Row]) -> list[Row]:
            return [r for r in rows if not _same_fact(self.value(r, k), mine[k])]

        chosen = [k for k in STABLE_FACTS if k in mine and differs(k, others)]
        left = [r for r in others if not any(differs(k, [r]) for k in chosen)]
        if left:
            chosen += [k for k in keys if k not in STABLE_FACTS and differs(k, left)]
        if not chosen:
            return None
        theirs = tuple(tuple((k, self.value(r, k)) for k in chosen) for r in others)
        return (*((k, mine[k]) for k in chosen), (NAMESAKES, theirs))

    def _one_left_differs(self, row: Row, facts: Facts, strict: bool = False) -> list[str] | None:
        """Why the one row found for an agent recorded beside namesakes is not taken for
        the agent's, as the cells where it holds otherwise than esp saw in the agent's row
        ("ESP Start Date 11/30/2026 where the agent's row held 11/16/2026"; empty: none
        differs, and nothing tells); None: it is taken. Values are compared as they read
        (a phone by its digits, a date typed as text by its day); a column no longer on the
        sheet, or an empty cell, tells nothing.

        With the namesakes' cells recorded (NAMESAKES), cell by cell: the row holding a
        namesake's cell where the agent's held another speaks for the namesake; holding the
        agent's cell where every namesake's held another, not empty, in a lasting column
        (STABLE_FACTS), for the agent — a namesake's empty cell may be filled with the
        agent's value since (but for a phone, one person's), a column the team fills in as
        agents progress come to hold it, so those say nothing.
        A change still to be written (`strict`) is taken only with a word for the agent and
        none for a namesake; a change written already (esp history, esp undo), unless more
        speak for a namesake (none of either: esp has written to the agent's row since, or
        her cells were retyped). Recorded without them (an older esp), the lasting cells
        alone are weighed: not taken when it holds as many of them otherwise as the same."""
        sheet = self.table.sheet(row.sheet)
        date1904 = self.table.workbook.date1904

        def read(key: str, value: Any) -> Hashable | None:
            return _fact_read(key, value, date1904)

        own = [(k, v) for k, v in facts if k != NAMESAKES and sheet.col(k) is not None]
        theirs = next((v for k, v in facts if k == NAMESAKES), None)
        now = {k: read(k, self.value(row, k)) for k, _v in own}
        differs: list[str] = []
        same = for_agent = for_namesake = 0
        for key, seen in own:
            if theirs is None and key not in STABLE_FACTS:
                continue
            held, there = read(key, seen), now[key]
            if held is None or there is None:
                continue
            if held == there:
                same += 1
            else:
                header = sheet.headers.get(sheet.col(key) or 0, BY_KEY[key].header)
                shown = conflict_shown(self.value(row, key))
                differs.append(
                    f"{header} {shown} where the agent's row held {conflict_shown(seen)}"
                )
            if theirs is None:
                continue
            if key not in STABLE_FACTS:
                continue  # filled in as agents progress: one may come to read as another did
            others = [read(k, v) for other in theirs for k, v in other if k == key]
            if any(o is not None and o == there and o != held for o in others):
                for_namesake += 1
            elif held == there and others:
                # Where a namesake's cell was empty, only a phone is one person's: a start
                # date or a certifier filled in since may well be the agent's.
                for_agent += all(o != held and (o is not None or key in _PERSONAL) for o in others)
        if theirs is None:
            return differs if len(differs) >= max(same, 1) else None
        taken = for_agent > 0 and for_namesake == 0 if strict else for_namesake <= for_agent
        return None if taken else differs

    @staticmethod
    def _differs_words(row: Row, what: str, differs: list[str]) -> str:
        """Why the one row found for a namesake's agent is not taken for the agent's: the
        cells where it holds otherwise than the agent's did, else that nothing tells."""
        where = f"the one row found by its {what}, {row.sheet}!row {row.row},"
        if not differs:
            return (
                f"{where} holds nothing that tells it from the namesake esp saw beside it "
                "(the cells that told them apart were empty in one of the rows, or are "
                "filled in as agents progress): the agent's, or the namesake's"
            )
        return (
            f"{where} holds {listed(differs)} when the change was made: another agent of the "
            "name, the agent's row deleted since?"
        )

    def holds(self, row: Row, facts: Facts) -> bool:
        """Does the row hold what esp saw in it (`facts`)?"""
        return all(_same_fact(self.value(row, k), v) for k, v in facts if k != NAMESAKES)

    def at(self, sheet: str, number: int) -> Row | None:
        """The agent row numbered `number` on `sheet` (None: not an agent row, or no such
        sheet)."""
        try:
            rows = self.table.sheet(sheet).rows
        except KeyError:
            return None
        i = bisect.bisect_left(rows, number, key=lambda r: r.row)
        return rows[i] if i < len(rows) and rows[i].row == number else None


# What names one agent, as services/agents.py's pick_agent looks (_by_id); with the name,
# the class and the ESP Start Date, what makes two rows one agent twice (agents_twice).
_SAME_AGENT: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("agent_id", "Agent ID", id_key),
    ("n_number", "N Number", id_key),
    ("email", "e-mail", email_key),
)


def _identities(row: Row) -> list[tuple[str, str, str]]:
    """(key, label, value as compared) of each of _SAME_AGENT the row holds."""
    out = []
    for key, label, norm in _SAME_AGENT:
        text = row.text(key).strip() if key not in row.unreadable else ""
        if text and norm(text):
            out.append((key, label, norm(text)))
    return out


def _who(row: Row) -> dict[str, object]:
    """What tells an agent's row from a namesake's, as compared (agents_twice): the Agent
    ID, N Number and e-mail it holds, and its ESP Start Date when read (`esp document` names
    namesakes apart by it)."""
    who: dict[str, object] = {key: value for key, _label, value in _identities(row)}
    start = row.get("esp_start") if "esp_start" not in row.unreadable else None
    if start is not None:
        who["esp_start"] = start
    return who


# What two rows of an agent on two sheets share when no Agent ID, N Number or e-mail of
# hers tells her apart (none typed, or `Pending` typed for every new hire): her name and
# class alone, which a namesake's rows share too.
BY_NAME = "name and class"


def agents_twice(rows: Iterable[Row]) -> list[tuple[Row, Row, str]]:
    """The rows of `rows` that are an agent's row again on another sheet (Excel's Move or
    Copy of the tab puts every agent on two): (the row on the sheet first in tab order, the
    row again, what they share, e.g. "Agent ID E10409").

    The same agent is the same name in the same class, on another sheet, holding the same
    Agent ID, N Number and e-mail (each on both rows, or on neither) and, when read, the
    same ESP Start Date. Nothing less makes one: different names are different people, so
    are two classes (a re-hire's second class kept on a sheet of its own) and a namesake
    with an Agent ID the other row lacks (a new hire's), and rows of one sheet are left
    alone (a re-hire's rows, esp doctor's ESP005) — a real agent is never dropped or
    refused for another's sake. What they share is said by a value only one row of its
    sheet holds (`Pending`, `TBD`, `n/a` typed for every new hire are no Agent ID)."""
    rows = list(rows)
    if len({row.sheet for row in rows}) < 2:
        return []  # one sheet: no row is on another
    seen: dict[tuple[str, str], list[Row]] = {}
    pairs: list[tuple[Row, Row]] = []
    for row in rows:
        name = name_key(row.name) if row.name else ""
        if not name:
            continue
        earlier = seen.setdefault((class_key(row.cls), name), [])
        # Only a row of the name in the class on another sheet can be the agent again:
        # what tells agents apart is compared for those alone.
        elsewhere = [r for r in earlier if r.sheet != row.sheet]
        earlier.append(row)
        if not elsewhere:
            continue
        mine = _who(row)
        other = next((r for r in elsewhere if _who(r) == mine), None)
        if other is not None:
            pairs.append((other, row))
    if not pairs:
        return []
    on_sheet = collections.Counter(
        (row.sheet, key, value) for row in rows for key, _label, value in _identities(row)
    )
    found: list[tuple[Row, Row, str]] = []
    for other, row in pairs:
        shared = next(
            (
                f"{label} {row.text(key).strip()}"
                for key, label, value in _identities(row)
                if on_sheet[(row.sheet, key, value)] == 1
                and on_sheet[(other.sheet, key, value)] == 1
                and _an_id(key, value)
            ),
            BY_NAME,
        )
        found.append((other, row, shared))
    return found


def _an_id(key: str, value: str) -> bool:
    """Whether a value of an identity column is one person's: an e-mail address, or an
    Agent ID or N Number with three digits or more, not all the same (`Pending`, `TBD`,
    `n/a`, `0`, `000000`, typed for a new hire, are none, even when only one row of a sheet
    holds them)."""
    if key == "email":
        return "@" in value
    digits = [ch for ch in value if ch.isdigit()]
    return len(digits) >= 3 and len(set(digits)) > 1  # not `000000`, `999`


def _recorded(who: AgentRef) -> list[tuple[str, str, Callable[[str], str], str]]:
    """(key, label, how compared, as recorded) of each Agent ID, e-mail and N Number
    recorded for the agent."""
    out: list[tuple[str, str, Callable[[str], str], str]] = []
    recorded: tuple[tuple[str, str, Callable[[str], str], str], ...] = (
        ("agent_id", "Agent ID", id_key, who.agent_id),
        ("email", "e-mail", email_key, who.email),
        ("n_number", "N Number", id_key, who.n_number),
    )
    for key, label, norm, text in recorded:
        if text and norm(text):
            out.append((key, label, norm, text.strip()))
    return out


def _or_words(words: list[str]) -> str:
    """'Agent ID', 'Agent ID or e-mail', 'Agent ID, e-mail or N Number'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _whose(row: Row, who: AgentRef) -> str:
    """What makes `row` another agent's than `who`: its name, else the ID it holds that
    differs from the one recorded."""
    if row.name and name_key(row.name) != name_key(who.name):
        return f"is {row.label()}'s now"
    for key, label, norm, text in _recorded(who):
        held = row.text(key).strip() if key not in row.unreadable else ""
        if held and norm(held) != norm(text):
            return f"has {label} {held}"
    return "is another agent's"


def _contradicts(row: Row, wanted_id: str, wanted_mail: str, wanted_n: str = "") -> bool:
    """Does the row name someone else: its Agent ID, e-mail or N Number differs from the
    recorded one?"""
    if wanted_id and row.text("agent_id") and "agent_id" not in row.unreadable:
        if id_key(row.text("agent_id")) != wanted_id:
            return True
    if wanted_mail and row.text("email") and "email" not in row.unreadable:
        if email_key(row.text("email")) != wanted_mail:
            return True
    if wanted_n and row.text("n_number") and "n_number" not in row.unreadable:
        return id_key(row.text("n_number")) != wanted_n
    return False


def _fact_read(key: str, value: Any, date1904: bool) -> Hashable | None:
    """A lasting fact's value as it reads, for comparing (None: nothing to compare): a date
    or date and time by its value however typed, a phone by its digits, text by its words
    whatever their case and spacing."""
    if value is None or isinstance(value, ErrorValue):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    kind = BY_KEY[key].kind
    try:
        if kind is Kind.DATE:
            return parse_date(value, date1904)
        if kind is Kind.DATETIME:
            return parse_datetime(value, date1904)
    except Unreadable:
        pass
    if key == "phone":
        typed = int(value) if isinstance(value, float) and value.is_integer() else value
        digits = "".join(ch for ch in str(typed) if ch.isdigit())
        return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits or None
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value if isinstance(value, Hashable) else str(value)


def _same_fact(now: Any, seen: Any) -> bool:
    """The same value, text compared as a person reads it (case and spaces aside)."""
    if same_value(now, seen):
        return True
    if isinstance(now, str) and isinstance(seen, str):
        return " ".join(now.split()).casefold() == " ".join(seen.split()).casefold()
    return False
