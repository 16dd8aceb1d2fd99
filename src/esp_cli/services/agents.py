"""Finding one agent in the tracker from what a person types: a name, an ID, an e-mail.

Used by every command that acts on one agent (`esp explain`, `esp record-step`, notes,
access, undo). A query matches by Agent ID, N Number or e-mail, else by name as every name
typed is taken (core.names.people_meant: in either order, without its accents, a first name,
a last name or the start of each word). Exactly one agent must match: an unknown or
ambiguous query raises AgentLookupError (an AgentNotFoundError) naming the candidates with
their sheet, row and class — esp never picks one of several on a person's behalf. A TBT SME
(--sme) is named by the same rule (agents_of_sme).
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from esp_cli.config import Config
from esp_cli.core.columns import BY_KEY
from esp_cli.core.model import AgentRef
from esp_cli.core.names import name_key, name_words, names_meant, people_meant
from esp_cli.core.names import name_tokens as name_tokens
from esp_cli.core.names import same_person as same_person
from esp_cli.core.values import email_key, id_key
from esp_cli.core.words import listed
from esp_cli.errors import AgentNotFoundError, EspError, InputFileError, UsageError
from esp_cli.system import shell_quote
from esp_cli.workbook.finder import BY_NAME
from esp_cli.workbook.finder import RowFinder as RowFinder
from esp_cli.workbook.finder import agents_twice as agents_twice
from esp_cli.workbook.finder import class_key as class_key
from esp_cli.workbook.tracker import Row, Table

if TYPE_CHECKING:
    from esp_cli.workbook.waiting import Overlay

log = logging.getLogger("esp")

# The columns find_agent looks at: read them (read_table(keys=...)) before calling it.
LOOKUP_KEYS = ("agent_name", "agent_id", "email", "n_number", "class")
MAX_CANDIDATES = 5
# difflib ratio below which a name is not worth suggesting ("Devn Price" ~ "Devon Price" is
# 0.95; unrelated names of similar length sit around 0.3-0.5).
SIMILARITY_CUTOFF = 0.6


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
            return self._ambiguous_fix()
        return "give the agent's name as in the tracker, or the Agent ID, N Number or e-mail."

    def __str__(self) -> str:
        # The candidates are a list; the fix reads better on a line of its own after it.
        return f"{self.message}\nFix: {self.fix}"

    def _ambiguous_fix(self) -> str:
        """What tells the matching agents apart: only what differs from row to row (an
        Agent ID they share does not); rows alike in every way are one agent twice."""
        rows = self.candidates

        def apart(key: str) -> bool:
            seen = {" ".join(r.text(key).split()).casefold() for r in rows}
            return "" not in seen and len(seen) == len(rows)

        ways = [w for k, w in (("agent_id", "Agent ID"), ("n_number", "N Number"),
                               ("email", "e-mail")) if apart(k)]  # fmt: skip
        classes = len({" ".join(r.cls.split()).casefold() for r in rows}) > 1
        if ways:
            named = ways[0] if len(ways) == 1 else f"{', '.join(ways[:-1])} or {ways[-1]}"
            return f"give the {named} instead" + (" (or --class)." if classes else ".")
        if classes:
            return "give --class CLASS as well."
        if all(not r.text("agent_id").strip() for r in rows):
            # Nothing to mark: a name still finds both rows.
            keep = "remove the old row, or give the new row an Agent ID of its own and type that"
        else:
            keep = "remove the old row, or mark its Agent ID (e.g. add -old) and type the Agent ID"
        first = rows[0]
        # The sheet too when another of them is on the same row of another sheet.
        sheet = first.sheet if sum(r.row == first.row for r in rows) > 1 else None
        tag = row_form(first.name, sheet, first.row)
        return (
            "these rows are one agent twice (a re-hire's new row beside the old one?): keep one "
            f"row per agent — {keep} — then run the command again; esp doctor lists rows like "
            f"these. Two people of one name: give the row with the name, {shell_quote(tag)}."
        )


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


def filled_in_by(row: Row, respondent: Sequence[str]) -> bool:
    """Whether who filled a Microsoft Forms response in (its own Email and Name, as given)
    is the agent of `row`: the agent's e-mail, or the agent's name (a middle name on one
    side only, either order). An empty `respondent` (an anonymous response) is no one."""
    email = email_key(row.text("email")) if "email" not in row.unreadable else ""
    for given in respondent:
        if "@" in given:
            if email and email_key(given) == email:
                return True
        elif same_person(given, row.name) or same_person(given, row.label()):
            return True
    return False


def respondent_words(respondent: Sequence[str]) -> str:
    """Who filled a Forms response in, as said: `Tom Alvarez (tom.alvarez@x.com)`."""
    names = [r for r in respondent if "@" not in r]
    mails = [r for r in respondent if "@" in r]
    if names and mails:
        return f"{', '.join(names)} ({', '.join(mails)})"
    return ", ".join(names or mails)


NO_CLASS = "(no class)"
CLASS_MARK = " (class)"


def class_label(cls: str, overall: str = "") -> tuple[str, str]:
    """(key, name) a report lists a class under: agents with no class under NO_CLASS, and
    a class typed as the report's overall row (`overall`: "All", "Total"; none when "") or
    as NO_CLASS marked " (class)", so a reader (or a CSV reader) never takes it for another
    row."""
    name = " ".join(cls.split())
    if not name:
        return "", NO_CLASS
    key = name.casefold()
    if key == NO_CLASS or (overall and key == overall.casefold()):
        name += CLASS_MARK
        key += CLASS_MARK
    return key, name


def scope_words(cls: str | None, sme_name: str | None) -> str | None:
    """Whose agents a report covers, for its title: "class AET-1109, TBT SME Keisha Grant";
    None for every agent."""
    parts = [
        f"class {' '.join(cls.split())}" if cls else "",
        f"TBT SME {sme_name}" if sme_name else "",
    ]
    return ", ".join(p for p in parts if p) or None


def _by_id(rows: Sequence[Row], query: str) -> list[Row]:
    """Rows the query names by Agent ID, else N Number, else e-mail."""
    wanted_id, wanted_mail = id_key(query), email_key(query)
    tries: list[tuple[str, Callable[[Row], str]]] = [
        (wanted_id, lambda r: id_key(r.text("agent_id"))),
        (wanted_id, lambda r: id_key(r.text("n_number"))),
        (wanted_mail if "@" in wanted_mail else "", lambda r: email_key(r.text("email"))),
    ]
    for wanted, key in tries:
        if wanted:
            found = [r for r in rows if key(r) == wanted]
            if found:
                return found
    return []


def _name_of(row: Row) -> str:
    return row.name


def closest(rows: Sequence[Row], query: str, limit: int) -> list[Row]:
    """The agents a misspelt or partial query most likely meant, best first."""
    return closest_in(rows)(query, limit)


def closest_in(rows: Sequence[Row]) -> Callable[[str, int], list[Row]]:
    """closest, for many queries of the same rows: each row's keys are worked out once."""
    keyed = [(_closest_keys(row), set(name_tokens(row.name)), row) for row in rows]

    def find(query: str, limit: int) -> list[Row]:
        wanted = " ".join(name_words(query))
        wanted_tokens = set(name_tokens(query))
        if not wanted:
            return []
        # The query as the second sequence, each key the first: what difflib works out of
        # the second once is then worked out once per query, as get_close_matches does.
        matcher = difflib.SequenceMatcher(b=wanted)
        scored: list[tuple[float, int, Row]] = []
        for index, (keys, tokens, row) in enumerate(keyed):
            best = 0.0
            for key in keys:
                matcher.set_seq1(key)
                # The cheap upper bounds first, as difflib.get_close_matches does.
                if matcher.real_quick_ratio() >= SIMILARITY_CUTOFF and (
                    matcher.quick_ratio() >= SIMILARITY_CUTOFF
                ):
                    best = max(best, matcher.ratio())
            # A partial name ("Devon", "price") suggests every agent who has all its words.
            if wanted_tokens and wanted_tokens <= tokens:
                best = max(best, 0.9)
            if best >= SIMILARITY_CUTOFF:
                scored.append((-best, index, row))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [row for _, _, row in scored[:limit]]

    return find


def _closest_keys(row: Row) -> set[str]:
    """What a query is compared with: the name as written and its words sorted (a typo in a
    first or a last name), the Agent ID and the e-mail."""
    keys = {" ".join(name_words(row.name)), name_key(row.name)} if row.name else set()
    return keys | {
        k for k in (id_key(row.text("agent_id")).lower(), email_key(row.text("email"))) if k
    }


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


def _sheet_ref(sheet: str, row: int) -> str:
    return f"'{sheet}'!row {row}"


# The other agents on two sheets named after the first, before "and N more".
_TWICE_NAMED = 5


def _twice_words(
    twice: list[tuple[Row, Row, str]], where: str, differ: bool = False
) -> tuple[str, str]:
    """What refuse_agents_twice and count_agents_once say of the agents `twice` found on two
    sheets of the tracker `where`: (what is so, naming the first agent's two rows and the
    others by name, a few; the fix, the copy of a tab deleted or hidden). Rows that `differ`
    are no copy no one changed since (a month's tab copied on from the last and worked on):
    which tab is the stale one is for a person to say, so none is named for deleting."""
    first, again, shared = twice[0]
    more = len(twice) - 1
    copies = list(dict.fromkeys(f"'{r.sheet}'" for _f, r, _s in twice))
    named = [again.label() for _f, again, _s in twice[1 : 1 + _TWICE_NAMED]]
    if more > _TWICE_NAMED:
        named.append(f"{more - _TWICE_NAMED} more")
    others = f", and {more} more agent(s) of these are too ({', '.join(named)})" if more else ""
    it = "them" if len(copies) > 1 else "it"
    said = (
        f"{where}: {first.label()} is on two sheets, {_sheet_ref(first.sheet, first.row)} "
        f"and {_sheet_ref(again.sheet, again.row)} (the same {shared}){others}"
    )
    fix = (
        f"if {listed(copies)} {'are copies' if len(copies) > 1 else 'is a copy'} of "
        f"another tab, delete {listed(copies)} or hide {it} (esp reads the visible sheets "
        "only: in Excel, right-click its tab > Hide); otherwise keep one row per agent (esp "
        "doctor lists such rows: ESP005)."
    )
    if differ:
        tabs = list(dict.fromkeys(f"'{r.sheet}'" for pair in twice for r in pair[:2]))
        fix = (
            f"keep one row per agent: if one of {listed(tabs)} is an old copy no one works "
            "on, hide it (esp reads the visible sheets only: in Excel, right-click its tab > "
            "Hide); otherwise delete the stale row (esp doctor lists such rows: ESP005)."
        )
    return said, fix


def refuse_agents_twice(rows: Iterable[Row], where: str, command: str) -> None:
    """Refuse, as the commands for one agent do ("matches 2 agents"), when an agent of
    `rows` (those `command` acts on at once) is on two sheets of the tracker `where`: one
    line naming both rows and the fix — the copy of a tab deleted, or hidden (esp reads the
    visible sheets only). Before anything is written, e-mailed or made."""
    twice = agents_twice(rows)
    if not twice:
        return
    said, fix = _twice_words(twice, where)
    raise InputFileError(
        f"{said}; {command} would take each of them twice.",
        fix=f"{fix} Then run the command again.",
    )


def _first_difference(a: Row, b: Row) -> str | None:
    """The header of the first column the two rows hold differently (None: alike)."""
    for key in dict.fromkeys((*a.raw, *b.raw)):
        if a.raw.get(key) != b.raw.get(key):
            column = BY_KEY.get(key)
            return column.header if column is not None else key
    return None


def _hers(
    pairs: list[tuple[Row, Row, str]], pool: list[Row]
) -> Callable[[tuple[Row, Row, str]], bool]:
    """Whether a pair of agents_twice is surely one agent's two rows, so that one of them
    stands for her: an Agent ID, N Number or e-mail of hers says so, or (her name and class
    alone, BY_NAME) her class on her two sheets is a copy: two agents or more of it, and at
    least three in four of it on the sheet with fewer, on both (a month's tab copied on
    carries the class whole, beside the classes only one month holds). Two namesakes with no
    IDs yet on two SMEs' tabs, a class split between them, are two people."""

    def place(a: Row, b: Row) -> tuple[frozenset[str], str]:
        return frozenset((a.sheet, b.sheet)), class_key(a.cls)

    if not any(shared == BY_NAME for _a, _b, shared in pairs):
        return lambda t: True  # each pair is hers by an ID (or there is none: one sheet)
    size = Counter((row.sheet, class_key(row.cls)) for row in pool)
    shared = Counter(place(a, b) for a, b, _s in pairs)
    copies = {
        (sheets, cls)
        for (sheets, cls), n in shared.items()
        if n >= 2 and 4 * n >= 3 * min(size[(s, cls)] for s in sheets)
    }
    return lambda t: t[2] != BY_NAME or place(t[0], t[1]) in copies


def _rows_in(pair: tuple[Row, Row, str], places: set[tuple[str, int]]) -> int:
    """How many of an agent's two rows (agents_twice) are among `places` (sheet, row)."""
    return sum((row.sheet, row.row) in places for row in pair[:2])


def _say_rows_differ(twice: list[tuple[Row, Row, str]], column: str, where: str, done: str) -> None:
    """Say, once on stderr, that the agents `twice` found on two sheets have rows that
    differ (the first in `column`), what the command `done` with them, and the fix."""
    said, fix = _twice_words(twice, where, differ=True)
    log.warning(
        "%s; their rows differ (%s), %s: esp cannot tell the team's row from a stale copy. Fix: %s",
        said,
        column,
        done,
        fix,
    )


def count_agents_once(
    rows: Iterable[Row], where: str, command: str, among: Iterable[Row] | None = None
) -> list[Row]:
    """`rows` (those a report counts or lists, chosen from `among`: every agent row of the
    tracker) without an agent's row again on another sheet of the tracker `where`
    (agents_twice: a copy of the tab) when the two rows hold the same in every column read:
    each such agent counted once, from the sheet first in tab order (the other row is the
    same). Two rows that differ are both counted: no telling the team's row from a stale
    copy, and a completion recorded on one is never dropped for the other. An agent only one
    of whose rows is among `rows` (the other not a case, or another SME's) is counted from
    it. Each said once on stderr, one line naming both rows and the fix, as
    refuse_agents_twice says it."""
    rows = list(rows)
    counted = {(r.sheet, r.row) for r in rows}
    pool = rows if among is None else list(among)
    pairs = agents_twice(pool)
    hers = _hers(pairs, pool)
    differs = [(t, _first_difference(t[0], t[1]), n) for t in pairs if (n := _rows_in(t, counted))]
    alike = [t for t, column, n in differs if n == 2 and column is None]
    unlike = [t for t, column, n in differs if n == 2 and column is not None]
    # Only one of her rows counted (the other no case, or another SME's): said when the
    # other is surely hers (_hers).
    one = [(t, column) for t, column, n in differs if n == 1 and column is not None and hers(t)]
    if alike:
        said, fix = _twice_words(alike, where)
        log.warning("%s; %s counts each of them once. Fix: %s", said, command, fix)
    if unlike:
        column = next(column for _t, column, n in differs if n == 2 and column is not None)
        _say_rows_differ(unlike, column, where, f"so {command} counts both")
    if one:
        _say_rows_differ(
            [t for t, _c in one], one[0][1], where, f"and {command} counts the one it reads"
        )
    again = {(r.sheet, r.row) for _f, r, _s in alike}
    return [r for r in rows if (r.sheet, r.row) not in again]


def without_agents_twice(
    rows: Iterable[Row], where: str, doing: str, among: Iterable[Row] | None = None
) -> list[Row]:
    """`rows` (those a daily command acts on at once, chosen from `among`: every agent row
    of the tracker, whatever the command's scope) without either row of an agent on two
    sheets of the tracker `where` (agents_twice: a copy of the tab, a month's tab copied on
    from the last): the command goes on for the others, her two rows are left as they were,
    as the refusal of her own row leaves them. One of her rows is enough: when only one is
    due, the other may be the team's (she finished there) and the one due a stale copy.
    Said once on stderr, one line naming both rows, what `doing` leaves, and the fix, as
    refuse_agents_twice says it; rows that differ on a line of their own, naming the
    column."""
    rows = list(rows)
    writes = {(r.sheet, r.row) for r in rows}
    if not writes:
        return rows
    pool = rows if among is None else list(among)
    pairs = agents_twice(pool)
    hers = _hers(pairs, pool)
    # Both her rows acted on, or one (see _hers).
    twice = [t for t in pairs if (n := _rows_in(t, writes)) == 2 or (n == 1 and hers(t))]
    if not twice:
        return rows
    differs = [(t, _first_difference(t[0], t[1])) for t in twice]
    alike = [t for t, column in differs if column is None]
    unlike = [t for t, column in differs if column is not None]
    if alike:
        said, fix = _twice_words(alike, where)
        log.warning("%s; %s. Fix: %s", said, doing, fix)
    if unlike:
        column = next(column for _t, column in differs if column is not None)
        _say_rows_differ(unlike, column, where, f"so {doing}")
    both = {(r.sheet, r.row) for first, again, _s in twice for r in (first, again)}
    return [r for r in rows if (r.sheet, r.row) not in both]


SME_KEY = "tbt_sme"


class Chosen(NamedTuple):
    """The agents a command's --class and --sme choose, as the changes waiting beside the
    tracker leave its TBT SME cells."""

    rows: list[Row]
    sme: str | None  # the SME as the tracker (or a waiting change) spells the name
    # The waiting changes (their operations, oldest first) that changed who is chosen: an
    # agent given to the SME, or taken from them, by a change not yet in the workbook. A
    # list they took agents out of says it was counted with them, too.
    waiting: list[str]

    def counted_in(self, counted: Overlay, rows: Iterable[Row] | None = None) -> list[str]:
        """The waiting changes a report counts (their operations, oldest first): those in
        the rows chosen (or in `rows`, the same agents as the report reads them) and those
        that changed who is chosen."""
        found = {*counted.ops_in(self.rows if rows is None else rows), *self.waiting}
        return [op.op for op in counted.ops if op.op in found]


def agents_for(
    table: Table,
    cls: str | None = None,
    sme: str | None = None,
    counted: Overlay | None = None,
    *,
    quiet: bool = False,
) -> Chosen:
    """The agents of a class and/or a TBT SME (--class, --sme; every agent without them),
    the SME's name as the tracker spells it, and the waiting changes that changed the
    choice. Read SME_KEY with the table to filter by SME; `counted`: the changes waiting
    beside the tracker, put on the table as read (workbook.waiting), which every command
    chooses the SME's agents by. A waiting change held by a conflict that would change the
    SME's agents is not counted: said on standard error (say_held_for_sme; not `quiet`)."""
    rows = agents_in_class(table, cls)
    if sme is None:
        return Chosen(rows, None, [])
    where = table.path.name + (f" class {' '.join(cls.split())}" if cls else "")
    mine, name = agents_of_sme(rows, sme, where, counted)
    if not quiet:
        say_held_for_sme(rows, name, counted)
    return Chosen(mine, name, moved_by_waiting(rows, name, counted))


# Agents named in a line before "and N more".
HELD_NAMED = 3


def held_for_sme(among: Sequence[Row], sme: str | None, counted: Overlay | None) -> list[str]:
    """The waiting changes held by a conflict (so not counted) that would give agents of
    `among` to the SME `sme`, or take theirs from them (without `sme`: change the TBT SME of
    any of them): a line each, naming the agents and esp pending (none when nothing is
    held)."""
    held = counted.held if counted is not None else []
    if not held:
        return []
    wanted = name_tokens(sme) if sme is not None else ()
    here = {(r.sheet, r.row): r for r in among}
    classes = {class_key(r.cls) for r in among}
    lines = []
    for outcome in held:
        gives: list[str] = []
        takes: list[str] = []
        for cell in outcome.op.cells:
            if cell.key != SME_KEY:
                continue
            at = (cell.sheet, cell.row, cell.col)
            sheet, row, _col = outcome.places.get(at, at)
            now = here.get((sheet, row))
            if sme is None:
                if now is not None:
                    gives.append(cell.agent)
                continue
            theirs = now is not None and _names(now.raw.get(SME_KEY), wanted)
            if _names(cell.value, wanted):
                if not theirs and class_key(cell.cls) in classes:
                    gives.append(cell.agent)
            elif theirs:
                takes.append(cell.agent)
        said = [
            *([f"would change the TBT SME of {_some(gives)}"] if gives and sme is None else []),
            *([f"would make {sme} the TBT SME of {_some(gives)}"] if gives and sme else []),
            *([f"would give {_some(takes)} another TBT SME than {sme}"] if takes else []),
        ]
        if said:
            lines.append(
                f"{outcome.op.op}, a TBT SME change waiting beside the tracker, "
                f"{' and '.join(said)}, but a conflict holds it: not counted here (esp pending "
                "shows it and what holds it)."
            )
    return lines


def say_held_for_sme(among: Sequence[Row], sme: str | None, counted: Overlay | None) -> None:
    """held_for_sme's lines, as warnings on standard error."""
    for line in held_for_sme(among, sme, counted):
        log.warning("%s", line)


def _some(names: list[str]) -> str:
    """ "A, B and C"; past HELD_NAMED names, "A, B, C and 8 more"."""
    if len(names) <= HELD_NAMED:
        return listed(names)
    return f"{', '.join(names[:HELD_NAMED])} and {len(names) - HELD_NAMED} more"


def moved_by_waiting(among: Sequence[Row], sme: str, counted: Overlay | None) -> list[str]:
    """The waiting changes that give agents of `among` to the SME `sme` or take them from
    them (their operations, oldest first); none without a waiting TBT SME change."""
    wanted = name_tokens(sme)
    ops = [
        op
        for row, before, by in _sme_changes(among, counted)
        if _names(before, wanted) or _names(row.raw.get(SME_KEY), wanted)
        for op in by
    ]
    return list(dict.fromkeys(ops))


def _sme_changes(among: Sequence[Row], counted: Overlay | None) -> list[tuple[Row, Any, list[str]]]:
    """The rows of `among` whose TBT SME a waiting change changes (Overlay.changed)."""
    changed = counted.changed(SME_KEY) if counted is not None else []
    if not changed:
        return []
    here = {(r.sheet, r.row) for r in among}
    return [c for c in changed if (c[0].sheet, c[0].row) in here]


def _names(cell: object, wanted: tuple[str, ...]) -> bool:
    """Whether a TBT SME cell names the SME whose name_tokens are `wanted`."""
    return any(name_tokens(n) == wanted for n in sme_names(cell))


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
            hit = seen[cell] = _names(cell, wanted)
        if hit:
            mine.append(row)
    return mine


def _sme_spellings(cells: Iterable[object]) -> dict[str, str]:
    """Each SME the cells name once (by name_key), as first spelled."""
    names: dict[str, str] = {}
    for cell in dict.fromkeys(c for c in cells if isinstance(c, str)):
        for text in sme_names(cell):
            names.setdefault(name_key(text), text)
    return names


def agents_of_sme(
    rows: Sequence[Row], sme: str, where: str, counted: Overlay | None = None
) -> tuple[list[Row], str]:
    """The rows whose TBT SME is `sme`, and that SME's name as typed in the tracker: `sme`
    names one SME of those rows as an agent's name names an agent (people_meant). An
    unknown or ambiguous name is a usage error listing the SMEs there are; one whose every
    agent a waiting change (`counted`) gives to another SME says so."""
    # Each distinct cell once, in the order first seen (a column of a few names repeated
    # down the sheet): the first spelling of each SME is the one shown.
    names = _sme_spellings(row.raw.get(SME_KEY) for row in rows)
    found = names_meant(list(names.values()), sme)
    if len(found) != 1:
        listed = ", ".join(sorted(found or names.values())) or "none"
        taken = "" if found else _taken_off(rows, sme, counted) or _waiting_for(rows, sme, counted)
        head = (
            f"{sme!r} matches {len(found)} TBT SMEs in {where}"
            if found
            else f"No TBT SME {sme!r} in {where}{taken}"
        )
        fix = "pass --sme with one of those names" + (
            " (esp pending lists what waits)." if taken else "."
        )
        raise UsageError(f"{head} (TBT SMEs: {listed}).", fix=fix)
    return rows_of_sme(rows, found[0]), found[0]


def _waiting_for(rows: Sequence[Row], sme: str, counted: Overlay | None) -> str:
    """When no row of `rows` names `sme` but a change waiting beside the tracker makes them
    the TBT SME of an agent of those rows' classes, a change not counted (held by a
    conflict, or its agent not found again): the words saying so ("" otherwise)."""
    if counted is None or not counted.ops:
        return ""
    classes = {class_key(r.cls) for r in rows}
    ops = [
        op.op
        for op in counted.ops
        if any(
            cell.key == SME_KEY
            and class_key(cell.cls) in classes
            and names_meant(list(_sme_spellings([cell.value]).values()), sme)
            for unit in op.units
            for cell in unit
        )
    ]
    if not ops:
        return ""
    one = len(ops) == 1
    held = [o.op.op for o in counted.outcomes if o.held and o.op.op in ops]
    why = "held by a conflict" if len(held) == len(ops) else "not written"
    return (
        f"; the {'change' if one else f'{len(ops)} changes'} waiting beside it "
        f"{', '.join(ops)} {'names' if one else 'name'} {sme!r} as TBT SME ({why}, not yet "
        "in the workbook)"
    )


def _taken_off(rows: Sequence[Row], sme: str, counted: Overlay | None) -> str:
    """When the tracker as read names `sme` and the changes waiting beside it give every
    one of their agents to another SME: the words saying so ("" otherwise)."""
    before = [(raw, ops) for _row, raw, ops in _sme_changes(rows, counted)]
    found = names_meant(list(_sme_spellings(raw for raw, _ in before).values()), sme)
    if len(found) != 1:
        return ""
    wanted = name_tokens(found[0])
    ops = list(dict.fromkeys(op for raw, by in before if _names(raw, wanted) for op in by))
    one = len(ops) == 1
    return (
        f" once the {'change' if one else f'{len(ops)} changes'} waiting beside it "
        f"{'is' if one else 'are'} counted: {', '.join(ops)} {'gives' if one else 'give'} "
        f"each of {found[0]}'s agents another TBT SME, not yet in the workbook"
    )


def find_agents(rows: Iterable[Row], query: str) -> list[Row]:
    """Every row the query names exactly (by ID, N Number, e-mail or name: accents count);
    may be empty."""
    rows = list(rows)
    wanted = name_key(query)
    return _by_id(rows, query) or [r for r in rows if wanted and name_key(r.name) == wanted]


def find_agent(table: Table, query: str, cls: str | None = None) -> Row:
    """The one agent `query` names (within class `cls` when given).

    Raises AgentLookupError, listing candidates, when none or several match."""
    if not query.strip():
        raise UsageError("No agent given.", fix="give a name, Agent ID, N Number or e-mail.")
    where = table.path.name + (f" class {' '.join(cls.split())}" if cls else "")
    return pick_agent(agents_in_class(table, cls), query, where)


# An agent named with the row (what tells apart namesakes without an Agent ID, as esp's
# document names do): 'Kim Lee (row 7)', or with the sheet: "Kim Lee ('AET-1'!row 7)". The
# part in parentheses at the very end; the name before it may hold parentheses of its own
# ('Maria (Mia) Soto (Wk 1!row 3)'), a sheet name too ('Wk (2)', 'Q&A!'): every "(" that
# opens such an end is tried (row_forms).
_ROW_PART = re.compile(r"\(\s*(?:(.+)!)?\s*row\s*(\d+)\s*\)", re.IGNORECASE | re.DOTALL)


def row_form(name: str, sheet: str | None, row: int) -> str:
    """An agent named with the row, as esp prints it: 'Kim Lee (row 7)', 'Kim Lee (Wk 1!row
    7)' (row_forms reads it back)."""
    return f"{name} ({sheet}!row {row})" if sheet is not None else f"{name} (row {row})"


def row_forms(query: str) -> list[tuple[str, str | None, int]]:
    """Each way `query` reads as a name with the row — (name, sheet or None, row) — from the
    last "(" to the first: a name or a sheet name may hold parentheses, so the caller keeps
    those that name a row (the name must be that row's, on that sheet)."""
    text = query.strip()
    found = []
    for at in range(len(text) - 1, -1, -1):
        if text[at] != "(":
            continue
        m = _ROW_PART.fullmatch(text, at)
        if m is None:
            continue
        sheet = m.group(1)
        if sheet is not None and len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
            sheet = sheet[1:-1].replace("''", "'")  # quoted as a formula quotes it
        found.append((text[:at].strip(), sheet, int(m.group(2))))
    return found


def _same_sheet(typed: str, sheet: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(sheet.split()).casefold()


def _by_row(rows: Sequence[Row], query: str) -> list[Row]:
    """The rows `query` names with the row ('Kim Lee (row 7)'): the row of that number (on
    that sheet, when named) whose agent has that name; [] when the query names no row."""
    found: list[Row] = []
    for name, sheet, number in row_forms(query):
        at = [r for r in rows if r.row == number and (sheet is None or _same_sheet(sheet, r.sheet))]
        if name_key(name):
            named = people_meant(at, name, _name_of, by_start=False)
        else:  # a name without a letter ('', '?'): as typed
            named = [r for r in at if " ".join(r.name.split()) == " ".join(name.split())]
        found += [r for r in named if not any(r is f for f in found)]
    return found


def agents_meant(rows: Sequence[Row], query: str) -> list[Row]:
    """Every row `query` may name, as pick_agent looks (by ID, a namesake with its row, the
    name exactly or without accents, by the start of words): empty when it names none."""
    return _by_id(rows, query) or _by_row(rows, query) or people_meant(rows, query, _name_of)


def pick_agent(rows: Sequence[Row], query: str, where: str) -> Row:
    """The one row of `rows` that `query` names, as find_agent finds it (AgentLookupError,
    listing candidates, naming `where`, when none or several match)."""
    # By ID; else a namesake named with the row ('Kim Lee (row 7)': that row's name, the
    # parentheses read as typed where a name's would not be); else the name exactly or
    # without accents, else by the start of words (core.names.people_meant).
    found = _by_id(rows, query) or _by_row(rows, query) or people_meant(rows, query, _name_of)
    if len(found) == 1:
        return found[0]
    if found:
        raise AgentLookupError(query, found, ambiguous=True, tracker=where)
    raise AgentLookupError(
        query, closest(rows, query, MAX_CANDIDATES), ambiguous=False, tracker=where
    )


def agent_words(table: Table, who: Row | AgentRef) -> str | None:
    """The agent of `who`'s row, as a command esp prints to run later names them, quoted
    for the shell: the first of the Agent ID, N Number, e-mail and name that find_agent
    takes for exactly this row (with --class when the class tells namesakes apart), else
    the name with the row: '"Kim Lee (row 7)"'. Never a name a namesake shares, nor any
    words find_agent does not take for this row: None when nothing typed finds it alone
    (see command_for)."""
    rows = list(table.rows())
    mine = (who.sheet, who.row)
    row = next(r for r in rows if (r.sheet, r.row) == mine)

    def names_it(query: str, cls: str | None) -> bool:
        pool = rows if cls is None else [r for r in rows if class_key(r.cls) == class_key(cls)]
        try:
            found = pick_agent(pool, query, table.path.name)
        except AgentLookupError:
            return False
        return (found.sheet, found.row) == mine

    readable = [
        row.text(key).strip()
        for key in ("agent_id", "n_number", "email")
        if key not in row.unreadable
    ]
    queries = [q for q in (*readable, row.name) if q]
    queries += [row_form(row.name, None, row.row), row_form(row.name, row.sheet, row.row)]
    cls = " ".join(row.cls.split())
    for query in queries:
        if names_it(query, None):
            return shell_quote(query)
        if cls and names_it(query, cls):
            return f"{shell_quote(query)} --class {shell_quote(cls)}"
    return None


def command_for(table: Table, who: Row | AgentRef, command: str, rest: str = "") -> str:
    """`command`, the words that name `who`'s agent (agent_words), then `rest`: a command
    to run later; when nothing typed finds that row alone, what to do instead."""
    words = agent_words(table, who)
    tail = f" {rest}" if rest else ""
    if words is not None:
        return f"{command} {words}{tail}"
    return (
        f"{command} AGENT{tail}, AGENT being the Agent ID of {who.sheet}!row {who.row} (no "
        "name esp takes finds that row alone: give it an Agent ID of its own in Excel first)"
    )


class TrackerNow:
    """The tracker as it is now, for the commands a message gives to run later once a write
    failed: read again when it changed on disk since `table` was read (a save in Excel, a
    sort), each agent found again there by who they are — a namesake by what esp saw in
    their row (RowFinder.locate) — so a command never names a row another agent is on now."""

    def __init__(self, table: Table, config: Config) -> None:
        from esp_cli.workbook import history
        from esp_cli.workbook.tracker import read_table
        from esp_cli.workbook.xlsx import safety
        from esp_cli.workbook.xlsx.workbook import Workbook

        self.then = table
        self.now: Table | None = table
        self.unmoved = True
        then = table.workbook.pkg.digest
        try:
            now = safety.digest_of(table.path)
        except OSError:
            now = ""
        if now == then:
            return
        try:
            self.now = read_table(Workbook.open(table.path), config.columns, keys=LOOKUP_KEYS)
        except (EspError, OSError):
            self.now = None
        log = history.log_path(table.path, config.backup_dir)
        self.unmoved = bool(now) and history.only_esp_since(log, 0, then, now)

    def row(self, who: AgentRef) -> Row | None:
        """The agent of `who` (as read then) in the tracker now; None: not found alone."""
        if self.now is None:
            return None
        if self.now is self.then:
            return RowFinder(self.then).at(who.sheet, who.row)
        before = RowFinder(self.then)
        seen = before.at(who.sheet, who.row)
        facts = before.facts(seen) if seen is not None else None
        return RowFinder(self.now).locate(who, facts, self.unmoved).row

    def command(self, who: AgentRef, command: str, rest: str = "") -> str:
        """`command` naming the agent as the tracker has them now (command_for), else what
        to do: the row must be checked."""
        row = self.row(who)
        if row is not None and self.now is not None:
            return command_for(self.now, row, command, rest)
        tail = f" {rest}" if rest else ""
        return (
            f"{command} AGENT{tail}, AGENT being {who.name} as the tracker has them now: it "
            f"changed since esp read it, and which row is theirs must be checked (esp explain "
            f"{shell_quote(who.name)} lists the rows)"
        )


def agent_names(tracker_path: Path, config: Config) -> list[str]:
    """Every agent's name in the tracker, once each, in sheet order (shell completion, and
    the hint for a name typed without quotes)."""
    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx.workbook import Workbook

    table = read_table(Workbook.open(tracker_path), config.columns, keys=("agent_name",))
    return list(dict.fromkeys(row.name for row in table.rows() if row.name))
