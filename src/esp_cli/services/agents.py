"""Finding one agent in the tracker from what a person types: a name, an ID, an e-mail.

Used by every command that acts on one agent (`esp explain`, `esp record-step`, notes,
access). A query matches by Agent ID, N Number, e-mail, or name in either order ("Devon
Price", "price, devon", "PRICE  Devon"); failing that, by part of the name: a first name, a
last name or the start of each word ("Devon", "Pri", "dev pr"), when only one agent has it.
Exactly one agent must match: an unknown or ambiguous query raises AgentLookupError (an
AgentNotFoundError) naming the candidates with their sheet, row and class — esp never picks
one of several on a person's behalf.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.model import AgentRef
from esp_cli.core.names import name_key, name_words
from esp_cli.core.names import name_tokens as name_tokens
from esp_cli.core.names import same_person as same_person
from esp_cli.core.values import email_key, id_key
from esp_cli.errors import AgentNotFoundError, UsageError
from esp_cli.workbook.tracker import Row, Table

# The columns find_agent looks at: read them (read_table(keys=...)) before calling it.
LOOKUP_KEYS = ("agent_name", "agent_id", "email", "n_number", "class")
MAX_CANDIDATES = 5
# difflib ratio below which a name is not worth suggesting ("Devn Price" ~ "Devon Price" is
# 0.95; unrelated names of similar length sit around 0.3-0.5).
SIMILARITY_CUTOFF = 0.6
# The fewest letters a partial name ("Devon", "Pri") must have to choose an agent.
MIN_PARTIAL = 2


class AgentLookupError(AgentNotFoundError):
    """No agent, or more than one, matches the query. `candidates` are the agents a person
    might have meant (for an ambiguous query: every agent that matched)."""

    def __init__(
        self, query: str, candidates: Sequence[Row], *, ambiguous: bool, tracker: str
    ) -> None:
        self.query = query
        self.candidates = tuple(candidates)
        self.ambiguous = ambiguous
        self.tracker = tracker
        super().__init__(self._message(), fix=self._fix())

    def _message(self) -> str:
        if self.ambiguous:
            head = f"{self.query!r} matches {len(self.candidates)} agents in {self.tracker}:"
        elif self.candidates:
            head = f"No agent matches {self.query!r} exactly in {self.tracker}. Closest:"
        else:
            return f"No agent matches {self.query!r} in {self.tracker}, nor any name like it."
        return head + "".join(f"\n  {describe(row)}" for row in self.candidates)

    def _fix(self) -> str:
        if self.ambiguous:
            return "give the Agent ID, N Number or e-mail instead (or --class)."
        return "give the agent's name as in the tracker, or the Agent ID, N Number or e-mail."

    def __str__(self) -> str:
        # The candidates are a list; the fix reads better on a line of its own after it.
        return f"{self.message}\nFix: {self.fix}"


def describe(row: Row) -> str:
    """One line that tells agents apart: name, class, where, and the IDs a person can type."""
    ids = [
        f"{label} {row.text(key)}"
        for label, key in (("ID", "agent_id"), ("N Number", "n_number"), ("e-mail", "email"))
        if row.text(key) and key not in row.unreadable
    ]
    where = f"{row.sheet}!row {row.row}"
    cls = f"class {row.cls}" if row.cls else "no class"
    return f"{row.label()} — {cls}, {where}" + (f" ({', '.join(ids)})" if ids else "")


def class_key(text: str) -> str:
    """A class as typed ('AET-1109 ', 'aet-1109') -> one key."""
    return " ".join(text.split()).casefold()


def scope_words(cls: str | None, sme_name: str | None) -> str | None:
    """Whose agents a report covers, for its title: "class AET-1109, TBT SME Keisha Grant";
    None for every agent."""
    parts = [
        f"class {' '.join(cls.split())}" if cls else "",
        f"TBT SME {sme_name}" if sme_name else "",
    ]
    return ", ".join(p for p in parts if p) or None


def _exact(rows: Sequence[Row], query: str) -> list[Row]:
    """Rows the query names exactly, trying the most specific identifiers first."""
    wanted_id, wanted_mail, wanted_name = id_key(query), email_key(query), name_key(query)
    tries: list[tuple[str, Callable[[Row], str]]] = [
        (wanted_id, lambda r: id_key(r.text("agent_id"))),
        (wanted_id, lambda r: id_key(r.text("n_number"))),
        (wanted_mail if "@" in wanted_mail else "", lambda r: email_key(r.text("email"))),
        # names.name_key: any order ("Price Devon"), any Unicode form, any apostrophe
        (wanted_name, lambda r: name_key(r.name)),
    ]
    for wanted, key in tries:
        if wanted:
            found = [r for r in rows if key(r) == wanted]
            if found:
                return found
    return []


def _covers(wanted: Sequence[str], tokens: Sequence[str]) -> bool:
    """Does each wanted word start a different word of the name ("dev pr" ~ "devon price")?"""
    if not wanted:
        return True
    first, rest = wanted[0], wanted[1:]
    for i, token in enumerate(tokens):
        if token.startswith(first) and _covers(rest, (*tokens[:i], *tokens[i + 1 :])):
            return True
    return False


def _partial(rows: Sequence[Row], query: str) -> list[Row]:
    """Rows whose name has every word of the query as a word or the start of one: a first
    name, a last name, or prefixes. A single letter is too little to go on."""
    wanted = name_key(query).split()
    if not wanted or max(map(len, wanted)) < MIN_PARTIAL:
        return []
    return [r for r in rows if r.name and _covers(wanted, name_key(r.name).split())]


def closest(rows: Sequence[Row], query: str, limit: int) -> list[Row]:
    """The agents a misspelt or partial query most likely meant, best first."""
    wanted = " ".join(name_words(query))
    wanted_tokens = set(name_tokens(query))
    if not wanted:
        return []
    matcher = difflib.SequenceMatcher(a=wanted)
    scored: list[tuple[float, int, Row]] = []
    for index, row in enumerate(rows):
        # The name as written and its words sorted: a typo in a first or a last name
        keys = {" ".join(name_words(row.name)), name_key(row.name)} if row.name else set()
        keys |= {
            k for k in (id_key(row.text("agent_id")).lower(), email_key(row.text("email"))) if k
        }
        best = 0.0
        for key in keys:
            matcher.set_seq2(key)
            # The cheap upper bounds first, as difflib.get_close_matches does.
            if matcher.real_quick_ratio() >= SIMILARITY_CUTOFF and (
                matcher.quick_ratio() >= SIMILARITY_CUTOFF
            ):
                best = max(best, matcher.ratio())
        # A partial name ("Devon", "price") suggests every agent who has all its words.
        if wanted_tokens and wanted_tokens <= set(name_tokens(row.name)):
            best = max(best, 0.9)
        if best >= SIMILARITY_CUTOFF:
            scored.append((-best, index, row))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in scored[:limit]]


def agents_in_class(table: Table, cls: str | None) -> list[Row]:
    """Every agent row, or those of one class (case and spacing ignored); an unknown class
    is a usage error listing the classes there are."""
    rows = list(table.rows())
    if cls is None:
        return rows
    wanted = class_key(cls)
    found = [r for r in rows if class_key(r.cls) == wanted]
    if not found:
        known = sorted({" ".join(r.cls.split()) for r in rows if r.cls})
        raise UsageError(
            f"No class {cls!r} in {table.path.name} (classes: {', '.join(known) or 'none'}).",
            fix="pass --class with one of those.",
        )
    return found


SME_KEY = "tbt_sme"


def agents_for(
    table: Table, cls: str | None = None, sme: str | None = None
) -> tuple[list[Row], str | None]:
    """The agents of a class and/or a TBT SME (--class, --sme; every agent without them), and
    the SME's name as the tracker spells it. Read SME_KEY with the table to filter by SME."""
    rows = agents_in_class(table, cls)
    if sme is None:
        return rows, None
    where = table.path.name + (f" class {' '.join(cls.split())}" if cls else "")
    return agents_of_sme(rows, sme, where)


# Several SMEs in one TBT SME cell: 'Priya Natarajan / Marcus Lee', '... & ...', '...; ...'.
_SME_SPLIT = re.compile(r"\s*(?:/|&|;|\+|\n|\band\b)\s*", re.IGNORECASE)


def sme_names(cell: object) -> list[str]:
    """The SMEs one TBT SME cell names, tidied."""
    if not isinstance(cell, str):
        return []
    return [" ".join(n.split()) for n in _SME_SPLIT.split(cell) if n.strip()]


def rows_of_sme(rows: Iterable[Row], sme: str) -> list[Row]:
    """The rows whose TBT SME cell names `sme` (either name order, any case); each distinct
    cell is split and keyed once (a column of a few names repeated down the sheet)."""
    wanted = name_tokens(sme)
    seen: dict[str, bool] = {}
    mine = []
    for row in rows:
        cell = row.raw.get(SME_KEY)
        if not isinstance(cell, str):
            continue
        hit = seen.get(cell)
        if hit is None:
            hit = seen[cell] = any(name_tokens(n) == wanted for n in sme_names(cell))
        if hit:
            mine.append(row)
    return mine


def agents_of_sme(rows: Sequence[Row], sme: str, where: str) -> tuple[list[Row], str]:
    """The rows whose TBT SME is `sme`, and that SME's name as typed in the tracker: `sme`
    is the full name in either order or, like an agent's, a first name, last name or
    prefix only one SME of those rows has. An unknown or ambiguous name is a usage error
    listing the SMEs there are."""
    names: dict[tuple[str, ...], str] = {}
    for row in rows:
        for text in sme_names(row.raw.get(SME_KEY)):
            names.setdefault(name_tokens(text), text)
    wanted = name_tokens(sme)
    if wanted not in names:
        words = name_key(sme).split()
        found = [k for k in names if words and _covers(words, k)]
        if len(found) != 1:
            listed = ", ".join(sorted(names[k] for k in (found or names))) or "none"
            head = (
                f"{sme!r} matches {len(found)} TBT SMEs in {where}"
                if found
                else f"No TBT SME {sme!r} in {where}"
            )
            raise UsageError(
                f"{head} (TBT SMEs: {listed}).", fix="pass --sme with one of those names."
            )
        wanted = found[0]
    return rows_of_sme(rows, names[wanted]), names[wanted]


def find_agents(rows: Iterable[Row], query: str) -> list[Row]:
    """Every row the query names exactly (by ID, N Number, e-mail or name); may be empty."""
    return _exact(list(rows), query)


def find_agent(table: Table, query: str, cls: str | None = None) -> Row:
    """The one agent `query` names (within class `cls` when given).

    Raises AgentLookupError, listing candidates, when none or several match."""
    if not query.strip():
        raise UsageError("No agent given.", fix="give a name, Agent ID, N Number or e-mail.")
    where = table.path.name + (f" class {' '.join(cls.split())}" if cls else "")
    return pick_agent(agents_in_class(table, cls), query, where)


def pick_agent(rows: Sequence[Row], query: str, where: str) -> Row:
    """The one row of `rows` that `query` names, as find_agent finds it (AgentLookupError,
    listing candidates, naming `where`, when none or several match)."""
    found = _exact(rows, query) or _partial(rows, query)
    if len(found) == 1:
        return found[0]
    if found:
        raise AgentLookupError(query, found, ambiguous=True, tracker=where)
    raise AgentLookupError(
        query, closest(rows, query, MAX_CANDIDATES), ambiguous=False, tracker=where
    )


# -- finding a recorded agent again -----------------------------------------------------------


class RowFinder:
    """Finds the row of an agent recorded earlier (in the operation log, a round's journal)
    after the rows may have moved — a sort in Excel, rows inserted or deleted — by who the
    agent is, never by where the agent was: by Agent ID, else by e-mail, else by name within
    the class, the first of these recorded for the agent that some row has. A row whose own
    Agent ID or e-mail differs from the one recorded is another person, whatever its name.
    When no row, or more than one, answers to the agent, there is no answer: the caller
    refuses rather than guess (values repeat between agents, so a value proves nothing)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._ids: dict[str, list[Row]] | None = None
        self._emails: dict[str, list[Row]] = {}
        self._nnums: dict[str, list[Row]] = {}
        self._names: dict[tuple[str, str], list[Row]] = {}

    def _index(self) -> None:
        self._ids = {}
        for row in self.table.rows():
            if row.text("agent_id") and "agent_id" not in row.unreadable:
                self._ids.setdefault(id_key(row.text("agent_id")), []).append(row)
            if row.text("email") and "email" not in row.unreadable:
                self._emails.setdefault(email_key(row.text("email")), []).append(row)
            if row.text("n_number") and "n_number" not in row.unreadable:
                self._nnums.setdefault(id_key(row.text("n_number")), []).append(row)
            if row.name:
                self._names.setdefault((class_key(row.cls), name_key(row.name)), []).append(row)

    def find(self, who: AgentRef) -> tuple[Row | None, str]:
        """The agent's row, or None and why not (a phrase: "no row has it any more")."""
        if self._ids is None:
            self._index()
        assert self._ids is not None
        wanted_id, wanted_mail = id_key(who.agent_id), email_key(who.email)
        wanted_n = id_key(who.n_number)
        tries: list[tuple[str, list[Row]]] = []
        if wanted_id:
            tries.append((f"Agent ID {who.agent_id.strip()}", self._ids.get(wanted_id, [])))
        if wanted_mail:
            tries.append((f"e-mail {who.email.strip()}", self._emails.get(wanted_mail, [])))
        if wanted_n:
            tries.append((f"N Number {who.n_number.strip()}", self._nnums.get(wanted_n, [])))
        if who.name and name_key(who.name):
            in_class = f" in class {' '.join(who.cls.split())}" if who.cls.strip() else ""
            named = self._names.get((class_key(who.cls), name_key(who.name)), [])
            tries.append((f"name{in_class}", named))
        for i, (what, rows) in enumerate(tries):
            found = [r for r in rows if not _contradicts(r, wanted_id, wanted_mail, wanted_n)]
            # Several rows with its ID (a row copied in Excel, a typo): the next of what is
            # recorded (e-mail, name and class) may still tell which is the agent's.
            for _, then in tries[i + 1 :]:
                narrower = [r for r in found if any(r is t for t in then)]
                if len(found) > 1 and narrower:
                    found = narrower
            if len(found) == 1:
                return found[0], ""
            if found:
                where = ", ".join(f"{r.sheet}!row {r.row}" for r in found[:MAX_CANDIDATES])
                return None, f"{len(found)} rows have its {what} ({where})"
        if not tries:
            return None, "nothing recorded tells who the agent is"
        asked = " or ".join(what for what, _ in tries)
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


def agent_names(tracker_path: Path, config: Config) -> list[str]:
    """Every agent's name in the tracker, once each, in sheet order (shell completion, and
    the hint for a name typed without quotes)."""
    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx.workbook import Workbook

    table = read_table(Workbook.open(tracker_path), config.columns, keys=("agent_name",))
    return list(dict.fromkeys(row.name for row in table.rows() if row.name))
