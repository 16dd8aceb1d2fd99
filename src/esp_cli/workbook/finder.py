"""Finding the row of an agent recorded earlier (the operation log, a waiting change)
after the rows may have moved: by who the agent is, never by where the row was."""

from __future__ import annotations

import bisect
from typing import Any

from esp_cli.core.model import AgentRef
from esp_cli.core.names import name_key
from esp_cli.core.values import email_key, id_key
from esp_cli.workbook.tracker import Row, Table

_LISTED = 5  # rows named when several answer to one agent
_KINDS = ("agent_id", "email", "n_number", "name")


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

    def _index(self, kind: str) -> dict[Any, list[Row]]:
        got = self._by.get(kind)
        if got is not None:
            return got
        got = {}
        if kind == "name":
            for row in self.table.rows():
                if row.name:
                    got.setdefault((class_key(row.cls), name_key(row.name)), []).append(row)
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

    def find(self, who: AgentRef) -> tuple[Row | None, str]:
        """The agent's row, or None and why not (a phrase: "no row has it any more")."""
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
            # Several rows with its ID (a row copied in Excel, a typo): the next of what is
            # recorded (e-mail, name and class) may still tell which is the agent's.
            for _, then_kind, then_key in tries[i + 1 :]:
                if len(found) < 2:
                    break
                then = rows_of(then_kind, then_key)
                narrower = [r for r in found if any(r is t for t in then)]
                if narrower:
                    found = narrower
            if len(found) == 1:
                return found[0], ""
            if found:
                where = ", ".join(f"{r.sheet}!row {r.row}" for r in found[:_LISTED])
                return None, f"{len(found)} rows have its {what} ({where})"
        if not tries:
            return None, "nothing recorded tells who the agent is"
        asked = " or ".join(what for what, _, _ in tries)
        return None, f"no row has its {asked} any more"

    def at(self, sheet: str, number: int) -> Row | None:
        """The agent row numbered `number` on `sheet` (None: not an agent row, or no such
        sheet)."""
        try:
            rows = self.table.sheet(sheet).rows
        except KeyError:
            return None
        i = bisect.bisect_left(rows, number, key=lambda r: r.row)
        return rows[i] if i < len(rows) and rows[i].row == number else None


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
