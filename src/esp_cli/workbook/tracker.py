"""The ESP Tracker (and the Master N Number Tracker) as rows of agents.

Finds the header row in the first rows of each visible sheet, maps headers to canonical
columns, and reads every row's values the way the team types them. A value that cannot be
understood becomes a `Finding` with its Sheet!A1 address; the row is still read.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import json
import logging
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from esp_cli.core.columns import (
    BY_KEY,
    PROGRESS_FLAGS,
    SEARCHED,
    UNCALCULATED,
    Holds,
    Kind,
    Rank,
    Tally,
    a_or_an,
    alias_table,
    asked_column,
    asked_words,
    chosen_why,
    closest_header,
    course_number,
    header_blocks,
    header_match,
    holds,
    is_progress,
    match_header,
    names_count,
    no_flag_cells,
    pick_columns,
    read_searched,
    roster_beside,
    searched_as,
    searched_day,
    set_aside_words,
    spellings,
    tally,
)
from esp_cli.core.model import AgentRef, Finding, spell_yes_no
from esp_cli.core.names import has_comma, visible
from esp_cli.core.nonagents import (
    IDENTITY,
    OWN_HEADER_KEYS,
    HeaderText,
    counting_row,
    is_number,
    odd_texts,
    repeats_header,
)
from esp_cli.core.refs import MAX_ROW, address, col_letter
from esp_cli.core.values import (
    ErrorValue,
    Unreadable,
    control_characters,
    describe_character,
    display_name,
    is_blank,
    parse_date,
    parse_datetime,
    parse_number,
    parse_yes_no,
    shown_text,
    text_of,
)
from esp_cli.errors import MissingColumnsError, UnsafeWriteError
from esp_cli.workbook.xlsx.numfmt import shown_integer
from esp_cli.workbook.xlsx.package import SheetInfo
from esp_cli.workbook.xlsx.reader import SheetValues
from esp_cli.workbook.xlsx.validations import ListValidation
from esp_cli.workbook.xlsx.workbook import Workbook

HEADER_SCAN_ROWS = 30
_NONE: frozenset[str] = frozenset()
IDENTITY_KEYS = IDENTITY
# Columns that are one agent's own: a value merged down several rows is not given to each
# (an agent whose row is two rows high is one agent, not two).
ONE_AGENT_KEYS = frozenset({*IDENTITY, "phone", "n_number"})
_NO_ROWS: frozenset[int] = frozenset()
_NO_COLS: frozenset[int] = frozenset()
log = logging.getLogger("esp")


@dataclass(slots=True)
class Row:
    sheet: str
    row: int
    cls: str
    raw: dict[str, Any]
    values: dict[str, Any]
    unreadable: AbstractSet[str] = frozenset()  # keys whose cell could not be read
    # Keys whose cell holds a formula whose result is not saved in the file (read as empty).
    uncalculated: AbstractSet[str] = frozenset()

    @property
    def name(self) -> str:
        v = self.values.get("agent_name")
        return str(v) if v else ""

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def text(self, key: str) -> str:
        v = self.values.get(key)
        return "" if v is None else str(v)

    @property
    def has_identity(self) -> bool:
        v = self.values
        return bool(v.get("agent_name") or v.get("agent_id") or v.get("email"))

    def label(self) -> str:
        return self.name or self.text("agent_id") or self.text("email") or f"row {self.row}"

    def ref(self) -> AgentRef:
        """Who and where, as every result names an agent."""
        name, agent_id, email, n_number = self.identity()
        return AgentRef(
            name=name,
            cls=" ".join(self.cls.split()),
            sheet=self.sheet,
            row=self.row,
            agent_id=agent_id,
            email=email,
            n_number=n_number,
        )

    def identity(self) -> tuple[str, str, str, str]:
        """(label, Agent ID, e-mail, N Number) as `ref` gives them (for each cell planned)."""
        bad = self.unreadable
        return (
            self.label(),
            self.text("agent_id") if "agent_id" not in bad else "",
            self.text("email").strip() if "email" not in bad else "",
            self.text("n_number").strip() if "n_number" not in bad else "",
        )


@dataclass
class Sheet:
    name: str
    header_row: int
    columns: dict[str, int]  # column key -> 1-based column
    headers: dict[int, str]  # 1-based column -> header text as typed
    class_from_sheet: bool
    rows: list[Row]
    duplicate_headers: list[tuple[str, int, int]] = field(default_factory=list)
    last_used_col: int = 0  # the rightmost column holding a value, header or not
    # Merged ranges over the rows under the header (row1, col1, row2, col2): each row of
    # one read the value of its first cell (see read_table).
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Rows with values that are not agents (a totals row, the header row repeated), each
    # with why: no command reads, lists or writes them.
    set_aside: list[tuple[int, str]] = field(default_factory=list)
    # Columns scanned with the rows but not parsed (read_table's `scan_also`): key -> the
    # column's cells as stored, from the row under the header down (services.facts
    # read_keys parses them for the few rows a command reads more of).
    scanned: dict[str, list[Any]] = field(default_factory=dict)
    # The cells of those columns holding a formula whose result is not saved in the file
    # (read as empty), by (row, column).
    scanned_uncalculated: frozenset[tuple[int, int]] = frozenset()
    # The headers that ask as a question for a date, text or number column the sheet lacks
    # ('Notes?' with no Notes column): column key -> the header's column. A write adds no
    # such column beside it (ChangePlan.column refuses).
    asked: dict[str, int] = field(default_factory=dict)
    # The yes/no columns read whose first cells hold counts or dates, not Yes and No (the
    # only header naming the column, or one esp.toml maps): column key -> what they hold,
    # and the row and text of the first. A write puts no Yes or No there (answers_refusal).
    not_answers: dict[str, tuple[Holds, int, str]] = field(default_factory=dict)
    # The yes/no columns read, by key: what their agents' cells hold (how the column spells
    # Yes and No: Table.yes_no writes it so).
    tallies: dict[str, Tally] = field(default_factory=dict)
    # The headers set aside (key, column) for what the agents' cells hold where the
    # headers alone would have read them: said when the sheet is read.
    chosen_aside: frozenset[tuple[str, int]] = frozenset()
    # The columns with a header that Excel hides (from the one scan of the sheet).
    hidden: frozenset[int] = frozenset()

    def hidden_letter(self, col: int) -> str | None:
        """Column `col`'s letter when it is hidden (None: it is not)."""
        return col_letter(col) if col in self.hidden else None

    @property
    def last_header_col(self) -> int:
        return max(self.headers, default=0)

    def col(self, key: str) -> int | None:
        return self.columns.get(key)

    def merged_at(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """The merged range the cell is part of (None: it is in none)."""
        ranges = self._merged_by_col.get(col)
        if not ranges:
            return None
        # Merged ranges never overlap: the one starting last at or above the row is the
        # only one that may hold it.
        at = bisect.bisect_right(ranges, (row, MAX_ROW + 1)) - 1
        if at < 0:
            return None
        r1, r2, rng = ranges[at]
        return rng if r1 <= row <= r2 else None

    def shown_from(self, row: int, col: int, key: str) -> int | None:
        """The row whose cell in `col` the cell shows, as read_table reads it: the first
        row of a merged range running down the column under the header (a column of one
        agent's own, ONE_AGENT_KEYS, aside). None: the cell shows its own value."""
        rng = self.merged_at(row, col)
        if rng is None or key in ONE_AGENT_KEYS:
            return None
        first, c1 = rng[:2]
        return first if self.header_row < first < row and c1 == col else None

    @cached_property
    def _merged_by_col(self) -> dict[int, list[tuple[int, int, tuple[int, int, int, int]]]]:
        """The known columns' merged ranges, by column, in row order."""
        out: dict[int, list[tuple[int, int, tuple[int, int, int, int]]]] = {}
        known = set(self.columns.values())
        for rng in self.merged:
            r1, c1, r2, c2 = rng
            across = range(c1, c2 + 1) if c2 - c1 < len(known) else sorted(known)
            for c in across:
                if c in known and c1 <= c <= c2:
                    out.setdefault(c, []).append((r1, r2, rng))
        for found in out.values():
            found.sort()
        return out


@dataclass
class Table:
    """A workbook read as agent rows: the ESP Tracker or the Master N Number Tracker."""

    path: Path
    workbook: Workbook
    sheets: list[Sheet]
    findings: list[Finding]

    def rows(self) -> Iterator[Row]:
        for sheet in self.sheets:
            yield from sheet.rows

    def sheet(self, name: str) -> Sheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    def dropdown(self, sheet: Sheet, row: int, col: int | None) -> ListValidation | None:
        """The drop-down on a cell, else one on the same column (a list applied to rows
        5-200 still says what the column allows for row 201)."""
        if col is None:
            return None
        lists = [
            v for v in self.workbook.validations(self.workbook.pkg.sheet(sheet.name)) if v.values
        ]
        for v in lists:
            if v.covers(row, col):
                return v
        for v in lists:
            if any(c1 <= col <= c2 for _, c1, _, c2 in v.ranges):
                return v
        return None

    def yes_no(self, row: Row, key: str, value: bool) -> Any:
        """Yes or No in the column's own form: as its Yes cells hold a Yes (1, TRUE, the
        words), its No cells a No; with no such cell, from the other's (1 beside 0s, TRUE
        beside FALSEs, words as its drop-down spells them, else Yes/No). Under a drop-down,
        always a value its list allows, as the list spells it."""
        sheet = self.sheet(row.sheet)
        tallied = sheet.tallies.get(key)
        form = tallied.form(value) if tallied is not None else None
        found = self.dropdown(sheet, row.row, sheet.col(key))
        if found is None:
            return spell_yes_no(None, value) if form is None else form
        if form is not None:
            shown = str(form).upper() if isinstance(form, bool) else str(form)
            for option in found.values or ():
                if option.strip().casefold() == shown.casefold():
                    return option if isinstance(form, str) else form
        return spell_yes_no(found.values, value)


# The kinds as plain names for _parse, which runs for each distinct value of every column
# read: a member looked up on its Enum class costs several times a name's lookup.
_TEXT, _NAME, _DATE, _DATETIME, _YESNO, _NUMBER = (
    Kind.TEXT,
    Kind.NAME,
    Kind.DATE,
    Kind.DATETIME,
    Kind.YESNO,
    Kind.NUMBER,
)


def _parse(kind: Kind, value: Any, date1904: bool) -> Any:
    # Fast paths first: this runs for every used cell of every row.
    cls = type(value)
    if cls is str and (kind is _TEXT or kind is _NAME):
        if value and value[0] != " " != value[-1] and "  " not in value and value.isprintable():
            # No space to tidy (printable: no whitespace but the plain space); a name
            # without a comma is no "Last, First" either.
            if kind is _TEXT or not has_comma(value):
                return value
        if kind is _NAME:
            return display_name(text_of(value)) if not is_blank(value) else None
        text = " ".join(value.split()) if "\n" not in value else value.strip()
        return (value if text == value else text) or None  # unchanged: held once
    if kind is _DATE and cls is date:
        return parse_date(value, date1904)
    if isinstance(value, ErrorValue):
        raise Unreadable(f"the cell shows the error {value.code}")
    if kind is _DATE:
        return parse_date(value, date1904)
    if kind is _DATETIME:
        return parse_datetime(value, date1904)
    if kind is _YESNO:
        return parse_yes_no(value)
    if kind is _NUMBER:
        return parse_number(value)
    if is_blank(value):
        return None
    if kind is _NAME:
        return display_name(text_of(value))
    return text_of(value)


def _parse_searched(kind: Kind, value: Any, date1904: bool) -> Any:
    """A cell of Searched by Course Number: Yes or No, or the course or the day searched
    typed in place of Yes (core/columns read_searched); an error value said as in any
    column."""
    if isinstance(value, ErrorValue):
        return _parse(kind, value, date1904)
    return read_searched(value, date1904)


# One cell as the team typed it -> its value for the column's kind (raises Unreadable).
parse_cell = _parse


def read_cell(key: str, value: Any, date1904: bool) -> Any:
    """One cell of column `key` as the team typed it -> its value (raises Unreadable): as
    read_table reads it, every command alike (Searched by Course Number's own way too)."""
    if key == SEARCHED:
        return _parse_searched(Kind.YESNO, value, date1904)
    return _parse(BY_KEY[key].kind, value, date1904)


def _column(lines: list[list[Any]], top: int, i: int) -> list[Any]:
    """Column `i` (0-based) of the rows from `top` on: picked at C speed (the rows read are
    as wide as the used area), a row too short reading as blank."""
    try:
        return list(map(operator.itemgetter(i), lines[top:]))
    except IndexError:  # a short row: each one asked
        return [line[i] if i < len(line) else None for line in lines[top:]]


class _Columns:
    """The columns read of the rows from `top` on, picked in one pass over the rows: a
    column at a time walks all of them again (10,000 rows, scattered in memory, for each
    of 30 columns). Each asked for is a list of its own, as _column gives it: a caller
    may change its cells (a merged range's value shown down it)."""

    def __init__(self, lines: list[list[Any]], top: int, cols: Iterable[int]) -> None:
        self.lines, self.top = lines, top
        order = sorted(cols)
        self._picked: dict[int, tuple[Any, ...]] = {}
        if len(order) > 1 and len(lines) > top:
            with contextlib.suppress(IndexError):  # a short row: each column picked alone
                rows = map(operator.itemgetter(*(c - 1 for c in order)), lines[top:])
                self._picked = dict(zip(order, zip(*rows, strict=True), strict=True))

    def __call__(self, c: int) -> list[Any]:
        """Column `c` (1-based)."""
        got = self._picked.get(c)
        return list(got) if got is not None else _column(self.lines, self.top, c - 1)


def _stored(column: list[Any]) -> list[Any]:
    """A column's cells kept for later, each distinct value held once (a date or a status
    typed down thousands of rows is one object; non-text keyed by type, as 1 == 1.0)."""
    held: dict[Any, Any] = {}
    out: list[Any] = []
    for v in column:
        if v is None or v == "":
            out.append(None)
            continue
        key = v if v.__class__ is str else (v.__class__, v)
        out.append(held.setdefault(key, v))
    return out


def _shown_line(values: SheetValues, r: int, down: list[tuple[int, int, int, int]]) -> list[Any]:
    """Row `r` of the first rows as Excel shows it: a header merged down from a row above
    (Class typed in A3, merged over A3:A4, in a header of two rows) is in it too. `down`:
    the merged ranges that run down from the first rows."""
    line = values.rows[r - 1]
    for r1, c1, r2, _c2 in down:
        if r1 < r <= r2 and c1 <= len(values.rows[r1 - 1]):
            if line is values.rows[r - 1]:
                line = list(line)  # the sheet's values stay as stored
            line.extend([""] * (c1 - len(line)))
            if line[c1 - 1] in ("", None):
                line[c1 - 1] = values.rows[r1 - 1][c1 - 1]
    return line


class Header(NamedTuple):
    """A sheet's header row (find_header): its columns as its headers and the first rows
    under them say, the headers, those set aside, and what chose them (`named`: each
    header naming a column as (column, key, rank); `blocks`: see header_blocks)."""

    row: int
    columns: dict[str, int]
    headers: dict[int, str]
    duplicates: list[tuple[str, int, int]]
    named: list[tuple[int, str, int]]
    blocks: dict[int, int]

    @property
    def named_twice(self) -> frozenset[str]:
        """The yes/no columns two headers or more name."""
        keys = [key for _, key, _ in self.named if BY_KEY[key].kind is Kind.YESNO]
        return frozenset(k for k in keys if keys.count(k) > 1)

    def yes_no(self, wanted: AbstractSet[str] | None) -> dict[str, list[int]]:
        """By yes/no column among `wanted` (None: all), the columns of the headers naming
        it: read_table chooses among them by what the agents' cells hold."""
        out: dict[str, list[int]] = {}
        for c, key, _ in self.named:
            if BY_KEY[key].kind is Kind.YESNO and (wanted is None or key in wanted):
                out.setdefault(key, []).append(c)
        return out


def find_header(values: SheetValues, table: Mapping[str, str]) -> Header | None:
    """The header row among the first rows: the one naming the most known columns,
    with at least two of them and one identifying an agent or a class."""
    best: tuple[int, int] | None = None
    down = [m for m in values.merged if m[0] < m[2] and m[0] < HEADER_SCAN_ROWS]
    for r in range(1, min(HEADER_SCAN_ROWS, len(values.rows)) + 1):
        keys = {match_header(v, table) for v in _shown_line(values, r, down) if isinstance(v, str)}
        keys.discard(None)
        if len(keys) >= 2 and (keys & {*IDENTITY_KEYS, "class"}):
            score = len(keys)
            if best is None or score > best[1]:
                best = (r, score)
    if best is None:
        return None
    r = best[0]
    headers: dict[int, str] = {}
    named: list[tuple[int, str, int]] = []
    for c, v in enumerate(_shown_line(values, r, down), start=1):
        if is_blank(v) or isinstance(v, ErrorValue):
            continue
        headers[c] = text_of(v)
        key, rank = header_match(v, table)
        if key is not None:
            named.append((c, key, rank))
    # Of two headers naming one column: a spelling esp.toml maps; then the one in the
    # tracker's block of headers, not another table's beside it (a pairing list's "Agent
    # Name" right of the team's "Employee Name"); then the more exact one: the column's own
    # header, a common variant, a question ("TBTs Complete?" over an "All TBTs Completed?"
    # holding dates); then the first of two alike (pick_columns). Of two naming a yes/no
    # column, read_table chooses again by what the agents' cells hold, down the sheet.
    named_by = {c: key for c, key, _ in named}
    below = values.rows[r:]
    filled = {
        c: sum(1 for ln in below if c <= len(ln) and not is_blank(ln[c - 1])) for c in headers
    }
    blocks = header_blocks({c: named_by.get(c) for c in headers}, filled)
    columns, duplicates = pick_columns(named, blocks, counted=_counted(named, headers))
    return Header(r, columns, headers, duplicates, named, blocks)


# How the finding of a header set aside for another naming its column starts.
SET_ASIDE = "another '"


def _counted(named: Iterable[tuple[int, str, int]], headers: Mapping[int, str]) -> set[int]:
    """The columns whose header may name a per-agent count of a completion flag
    (names_count): never read as the flag while another header names it."""
    return {c for c, key, _ in named if names_count(headers[c], key)}


def _asked(
    headers: Mapping[int, str], columns: Mapping[str, int], table: Mapping[str, str]
) -> dict[str, int]:
    """The headers that ask as a question for a date, text or number column the sheet lacks
    ('SPOC Called?' holding Yes, with no SPOC Called Date), by the column each asks: the
    first header asking it (esp reads no such column there, never its Yes as a day)."""
    out: dict[str, int] = {}
    for col, text in headers.items():
        key = asked_column(text, table)
        if key is not None and key not in columns:
            out.setdefault(key, col)
    return out


def asked_finding(sheet: Sheet, key: str, doctor: str = "esp doctor") -> Finding:
    """What to say of the header of `sheet` that asks column `key` as a question, at its
    cell, with the fix (`doctor`: the command that gives the esp.toml lines for it)."""
    col = sheet.asked[key]
    text = sheet.headers[col]
    return Finding(sheet.name, sheet.header_row, col, text, text, asked_words(key, doctor))


def asked_refusal(sheet: Sheet, key: str) -> MissingColumnsError:
    """A write that would add column `key` to a sheet whose header asks it as a question
    ('Notes?' and no Notes column): refused, since the team's values stay under their
    header while esp would start a second, empty column at the sheet's end."""
    col = sheet.asked[key]
    text, name = sheet.headers[col], BY_KEY[key].header
    line = f"[columns] {_toml(name)} = [{_toml(text)}]"
    return MissingColumnsError(
        f"{address(sheet.name, sheet.header_row, col)} ({text}): the sheet has no {name} "
        f"column, and esp adds none beside '{text}', which asks a yes or a no and so is not "
        f"read as the {name}; nothing was written.",
        fix=f"if '{text}' holds {holds(key)} for every agent, rename it to '{name}' or map it "
        f"in esp.toml ({line}); if it holds Yes or No, add {a_or_an(name)} '{name}' column "
        "beside it yourself.",
    )


def _agent_lines(column: _Columns, cols: Iterable[int]) -> list[int]:
    """The rows (by index under the header) with an agent's name, ID or e-mail typed."""
    ids = [column(c) for c in cols]
    if not ids:
        return []
    return list(itertools.compress(range(len(ids[0])), map(any, zip(*ids, strict=True))))


def _tallies(
    values: SheetValues, top: int, agents: list[int], cols: Iterable[int], of: _Columns
) -> dict[int, Tally]:
    """By column, what the agents' cells there hold (a formula whose result is not saved
    as UNCALCULATED): every agent row of the sheet, not the first rows only."""
    formulas: dict[int, set[int]] = {}
    for r, c in values.uncalculated:
        formulas.setdefault(c, set()).add(r - top - 1)
    pick = operator.itemgetter(*agents) if len(agents) > 1 else None
    out: dict[int, Tally] = {}
    for c in cols:
        column = of(c)
        for k in formulas.get(c, ()):
            if 0 <= k < len(column) and column[k] in (None, ""):
                column[k] = UNCALCULATED
        cells = list(pick(column)) if pick is not None else [column[k] for k in agents]
        out[c] = tally(cells)
    return out


def _could_be_flag(t: Tally | None) -> bool:
    """Whether a yes/no column set aside holds what a flag holds (Yes or No, 1 or 0, in
    most of its filled cells): the team may have meant it."""
    return t is not None and t.held.holds is Holds.ANSWERS


def _chosen_line(
    sheet: str,
    header_row: int,
    headers: Mapping[int, str],
    key: str,
    cols: tuple[int, int],
    tallies: Mapping[int, Tally],
    by_cells: bool,
    hidden: AbstractSet[int] = frozenset(),
) -> str:
    """The line said of yes/no column `key` read from cols[0] over cols[1], by what the
    agents' cells hold (the headers alone would read cols[1]) or by the headers (`hidden`:
    the sheet's hidden columns, said)."""
    read, aside = cols
    empty = tally([])
    return set_aside_words(
        BY_KEY[key].header,
        (address(sheet, header_row, read), headers[read]),
        (address(sheet, header_row, aside), headers[aside]),
        chosen_why(
            (col_letter(read), tallies.get(read, empty)),
            (col_letter(aside), tallies.get(aside, empty)),
            by_cells,
        ),
        hidden=_hidden_letters(hidden, read, aside),
    )


def _hidden_letters(
    hidden: AbstractSet[int], read: int, aside: int
) -> tuple[str | None, str | None]:
    """The letters of the column read and of the one set aside when hidden (None: not)."""
    return (
        col_letter(read) if read in hidden else None,
        col_letter(aside) if aside in hidden else None,
    )


def _not_answers(
    lines: list[list[Any]],
    top: int,
    agents: list[int],
    columns: Mapping[str, int],
    tallies: Mapping[int, Tally],
) -> dict[str, tuple[Holds, int, str]]:
    """The yes/no columns read whose agents' cells hold counts or dates, two or more, and
    fewer than two a Yes or a No (Sheet.not_answers), with the row and text of the first
    such cell. A column holding Yes and No in some cells and counts in others ("Yes" once
    done, "5/8" until then) is read for its Yes and No, each count a cell that cannot be
    read."""
    out: dict[str, tuple[Holds, int, str]] = {}
    for key, c in columns.items():
        t = tallies.get(c)
        if t is not None and no_flag_cells(key, t):
            k = agents[t.held.at]
            out[key] = (t.held.holds, top + k + 1, text_of(lines[top + k][c - 1]))
    return out


def answers_words(sheet: Sheet, key: str) -> tuple[str, str, str]:
    """What to say of yes/no column `key` of `sheet` whose cells hold counts or dates
    (Sheet.not_answers): its header's cell, what they hold, and the fix."""
    holds, row, value = sheet.not_answers[key]
    col = sheet.columns[key]
    text = sheet.headers[col]
    name = BY_KEY[key].header
    other = next((sheet.headers[c] for k, _, c in sheet.duplicate_headers if k == key), None)
    example = f" (e.g. '{text} Count')" if holds is Holds.COUNTS else ""
    if other is not None:
        fix = (
            f"map the sheet's Yes/No column for it in esp.toml ([columns] {_toml(name)} = "
            f"[{_toml(other)}]), or rename '{text}' to say what it holds{example}."
        )
    else:  # no other header names the column: renaming this one leaves none
        fix = (
            f"rename '{text}' to say what it holds{example} and add {a_or_an(name)} "
            f"'{name}' column of Yes and No beside it (or map the header of the sheet's "
            "Yes/No column to it in "
            f'esp.toml: [columns] {_toml(name)} = ["…"]).'
        )
    return (
        f"{address(sheet.name, sheet.header_row, col)} ({text})",
        f"its cells hold {holds.value} ({address(sheet.name, row, col)}: {value}), not Yes or No",
        fix,
    )


def answers_unread(sheet: Sheet, key: str) -> str:
    """The line every command that reads the sheet says of such a column: no agent's
    value is read from it (each one's cannot be read)."""
    where, what, fix = answers_words(sheet, key)
    return (
        f"{where}: {what}, so esp reads no {BY_KEY[key].header} from it: each agent's cannot be "
        f"read there. Fix: {fix}"
    )


def answers_refusal(sheet: Sheet, key: str) -> MissingColumnsError:
    """A write of Yes or No into yes/no column `key` of `sheet` whose cells hold counts or
    dates (Sheet.not_answers): refused, since it would write over the team's numbers."""
    where, what, fix = answers_words(sheet, key)
    return MissingColumnsError(
        f"{where}: {what}, so esp writes no Yes or No into the {BY_KEY[key].header} column there; "
        "nothing was written.",
        fix=fix,
    )


def answer_over(row: Row, key: str) -> Any:
    """What the agent's cell of yes/no column `key` holds that is neither blank nor a Yes
    or a No (a course code, a date), which no Yes or No is written over; None: nothing. A
    completion flag's progress so far ("5/8" in All TBTs Complete? until done) is no such
    value: the Yes goes over it, as the team would type it."""
    if BY_KEY[key].kind is not Kind.YESNO or key not in row.unreadable:
        return None
    value = row.raw.get(key)
    if is_blank(value) or (key in PROGRESS_FLAGS and is_progress(value)):
        return None
    return value


def searched_kept(
    sheet: Sheet, row: Row, date1904: bool = False, today: date | None = None
) -> str | None:
    """What is said of an agent's Searched by Course Number holding the course searched or
    the day of the search in place of Yes (core/columns searched_as), which a command asked
    to set it to Yes keeps as it is: one line, no fix (the team's practice). None: the cell
    holds no such value, or a day after `today` (a day still to come, typed wrong: not
    searched yet, so the Yes goes over it)."""
    value = row.raw.get(SEARCHED)
    words = None if SEARCHED in row.unreadable else searched_as(value, date1904)
    if words is None:
        return None
    col = sheet.columns[SEARCHED]
    day = searched_day(value, date1904) if not course_number(SEARCHED, value) else None
    if day is not None and today is not None and day > today:
        return None
    return (
        f"{address(sheet.name, row.row, col)} ({row.label()}, {sheet.headers[col]}) holds "
        f"{text_of(value if day is None else day)}, {words} typed in place of Yes: kept as it is."
    )


def searched_ahead(sheet: Sheet, row: Row, today: date) -> str | None:
    """What is said of an agent's Searched by Course Number holding a day of the search after
    `today` (a year or month typed wrong): not searched yet, one line naming the cell, with
    the fix. None: it holds no such day."""
    value = row.values.get(SEARCHED)
    if not isinstance(value, date) or value <= today or SEARCHED not in sheet.columns:
        return None
    col = sheet.columns[SEARCHED]
    return (
        f"{address(sheet.name, row.row, col)} ({row.label()}, {sheet.headers[col]}) holds "
        f"{value:%m/%d/%Y}, a day after today ({today:%m/%d/%Y}): read as not searched yet. "
        "Fix: type the day of the search (a year or month typed wrong?), or Yes."
    )


def answer_kept(sheet: Sheet, row: Row, key: str) -> str:
    """What is said of an agent's cell of yes/no column `key` holding something else than
    Yes or No (see answer_over) that a command leaves as it is while it writes the other
    agents': one line, with the fix."""
    refused = answer_over_refusal(sheet, row, key)
    kept = refused.message.replace("nothing was written", "kept")
    fix = refused.fix.replace(", then run the command again", "") if refused.fix else None
    return str(type(refused)(kept, fix=fix))


def answer_over_refusal(sheet: Sheet, row: Row, key: str) -> UnsafeWriteError:
    """A write of Yes or No over a cell of a yes/no column that holds something else (see
    answer_over): refused, naming the cell."""
    col = sheet.columns[key]
    text = text_of(row.raw.get(key))
    return UnsafeWriteError(
        f"{address(sheet.name, row.row, col)} ({row.label()}, {sheet.headers[col]}) holds "
        f"{text}, not Yes or No: esp writes no Yes or No over it; nothing was written.",
        fix=f"move '{text}' to a column of its own (or clear the cell), then run the command "
        "again.",
    )


def doctor_for(path: Path, role: str) -> str:
    """The command that checks this workbook: plain `esp doctor` checks the ESP Tracker."""
    return "esp doctor" if role == "ESP Tracker" else f'esp doctor -t "{path.name}"'


def shown_as_text(values: SheetValues, columns: AbstractSet[int]) -> bool:
    """In these (text) columns, a number formatted to show as text (an N Number typed as
    48290 and shown `0048290`) is read as the text Excel shows. Whether any was."""
    rows = values.rows
    changed = False
    for (r, c), code in values.formats.items():
        if c not in columns or r > len(rows) or c > len(rows[r - 1]):
            continue
        v = rows[r - 1][c - 1]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            shown = shown_integer(v, code)
            if shown is not None:
                rows[r - 1][c - 1] = shown
                changed = True
    return changed


def _shown_class(
    cls: str,
    sheet: str,
    row: int,
    col: int | None,
    headers: Mapping[int, str],
    found: list[Finding],
) -> str:
    """A class name holding characters no cell, CSV or terminal can show (a pasted U+0001,
    which Excel keeps as _x0001_): each shown as U+FFFD in every report, and a finding
    naming the cell."""
    shown = shown_text(cls)
    if col is not None:
        chars = ", ".join(describe_character(c) for c in control_characters(cls))
        found.append(
            Finding(
                sheet,
                row,
                col,
                headers.get(col, BY_KEY["class"].header),
                shown,
                f"the class name holds {chars}, which no cell can show; reports show "
                f"'{shown}' (retype the class name to correct it)",
            )
        )
    return shown


def _shown_name(
    name: str, sheet: str, row: int, col: int, headers: Mapping[int, str], found: list[Finding]
) -> str:
    """An agent's name holding characters no cell, CSV or terminal can show: each shown as
    U+FFFD wherever esp names the agent, and a finding naming the cell (as for a class)."""
    shown = shown_text(name)
    chars = ", ".join(describe_character(c) for c in control_characters(name))
    found.append(
        Finding(
            sheet,
            row,
            col,
            headers.get(col, BY_KEY["agent_name"].header),
            shown,
            f"the name holds {chars}, which no cell can show; esp shows '{shown}' (retype "
            "the name to correct it)",
        )
    )
    return shown


def _merged_down(
    merged: list[tuple[int, int, int, int]], header_row: int, columns: AbstractSet[int]
) -> dict[int, list[tuple[int, int]]]:
    """Column -> the rows (first, last) of each merged range that runs down it from under
    the header row, from its first column: its value belongs to the column it is typed in."""
    out: dict[int, list[tuple[int, int]]] = {}
    for r1, c1, r2, _c2 in merged:
        if r2 > r1 > header_row and c1 in columns:
            out.setdefault(c1, []).append((r1, r2))
    return out


def _show_merged(
    column: list[Any], ranges: list[tuple[int, int]], top: int, filled: dict[int, int]
) -> AbstractSet[int]:
    """Every row of each range reads the value of its first cell, as Excel shows it (the
    file keeps the value in the first cell only): the indexes of the rows given it."""
    covered: set[int] = set()
    for r1, r2 in ranges:
        first = r1 - 1 - top
        if not 0 <= first < len(column):
            continue
        value = column[first]
        if value is None or value == "":
            continue  # nothing shows: the rows read as empty (esp doctor names the range)
        for k in range(first + 1, min(r2 - top, len(column))):
            column[k] = value
            covered.add(k)
            filled[k] = filled.get(k, 0) + 1
    return covered


def _not_agents(
    workbook: Workbook,
    info: SheetInfo,
    table: Mapping[str, str],
    top: int,
    columns: Mapping[str, int],
    kept: Mapping[str, tuple[list[Any], dict[Any, tuple[Any, Any]]]],
    raws: list[dict[str, Any]],
) -> dict[int, str]:
    """The rows (by index under the header) that are not agents, with why: an Excel
    table's Totals Row, the header row repeated, a row counting the agents (core.nonagents).
    Only rows whose Class or identity cells look like it (a number or a digit in a name, a
    header's text, "Total") are looked at closely; a sheet with none costs a few searches."""
    out: dict[int, str] = {}
    for r, name in workbook.totals_rows(info).items():
        if 0 <= r - top - 1 < len(raws):
            out[r - top - 1] = f"it is the Totals Row of the Excel table '{name}'"
    suspects = _suspects(kept, table) - out.keys()
    if not suspects:
        return out
    formulas = workbook.formulas(info, [top + k + 1 for k in suspects])
    by_col = {c: k for k, c in columns.items()}
    for k in sorted(suspects):
        r = top + k + 1
        cells = {key: raws[k].get(key) for key in OWN_HEADER_KEYS}
        if repeats_header(cells, table):
            out[k] = f"it repeats the header row (row {top})"
            continue
        found = formulas.get(r, {})
        own = {by_col[c]: f for c, f in found.items() if by_col.get(c) in OWN_HEADER_KEYS}
        why = counting_row(r, cells, own, found.values())
        if why is not None:
            out[k] = why
    return out


def _suspects(
    kept: Mapping[str, tuple[list[Any], dict[Any, tuple[Any, Any]]]], table: Mapping[str, str]
) -> set[int]:
    """Rows whose Class or identity may say they are no agent: a totals label or a header's
    text in the Class column (in the Agent Name column when there is none), a totals label,
    a number or a text starting with a digit in the Agent Name, a number in the Email, an
    Agent ID alone. Each column's distinct values are looked at once."""
    out: set[int] = set()
    for key, (column, seen) in kept.items():
        flagged: set[Any] = set()
        # A value that is no text is held as (type, value) (see read_table): seldom any.
        others = tuple in set(map(type, seen))
        if key in ("class", "agent_name"):
            texts = [v for v in seen if v.__class__ is str] if others else list(seen)
            echo = key == "class" or "class" not in kept
            header = HeaderText.of(spellings(key, table)) if echo else None
            flagged.update(odd_texts(texts, header, numbers=key == "agent_name"))
        if others and key in ("agent_name", "email"):
            flagged.update(v for v in seen if v.__class__ is tuple and is_number(v[1]))
        if flagged:
            out.update(
                k
                for k, v in enumerate(column)
                if (v if v.__class__ is str else (v.__class__, v)) in flagged
            )
    ids = kept.get("agent_id")
    if ids is not None:
        id_of = ids[0]
        names = kept["agent_name"][0] if "agent_name" in kept else None
        emails = kept["email"][0] if "email" in kept else None
        # The rows without a name (blank rows, mostly), picked at C speed.
        nameless = itertools.compress(
            range(len(id_of)), map(operator.not_, names) if names else itertools.repeat(True)
        )
        out.update(
            k
            for k in nameless
            if id_of[k] is not None and id_of[k] != "" and (emails is None or not emails[k])
        )
    return out


def _uncalculated(
    values: SheetValues, top: int, keys: Mapping[int, str], raws: list[dict[str, Any]]
) -> dict[int, frozenset[str]]:
    """The rows (by index under the header) whose cells in the columns read hold a formula
    whose result is not saved in the file (read as empty), with those columns' keys."""
    out: dict[int, set[str]] = {}
    for r, c in values.uncalculated:
        key = keys.get(c)
        k = r - top - 1
        if key is not None and 0 <= k < len(raws) and key not in raws[k]:
            out.setdefault(k, set()).add(key)
    return {k: frozenset(found) for k, found in out.items()}


def read_table(
    workbook: Workbook,
    aliases: Mapping[str, Iterable[str]] | None = None,
    required: tuple[str, ...] = ("agent_name",),
    role: str = "ESP Tracker",
    keep_class_rows: bool = False,
    keys: Iterable[str] | None = None,
    scan_also: Iterable[str] = (),
    scan_also_when: Iterable[str] = (),
) -> Table:
    """Every visible sheet with a recognisable header row, as rows of parsed values.

    `keys` limits parsing (and so findings) to the columns a command uses; identity and
    class columns are always read. None reads every known column (esp doctor).

    `scan_also`: columns scanned with those (not parsed) on a sheet that has every column
    of `scan_also_when`, for a command that reads them later for a few rows (services.facts
    read_keys: the rules' columns of the agents whose computed columns follow a write):
    one scan of the sheet, not a second one then."""
    wanted = None if keys is None else {*keys, *IDENTITY_KEYS, "class"}
    also, also_when = frozenset(scan_also), frozenset(scan_also_when)
    table = alias_table(aliases)
    sheets: list[Sheet] = []
    findings: list[Finding] = []
    seen_headers: dict[str, list[str]] = {}
    date1904 = workbook.date1904
    for info in workbook.sheets:
        if not info.visible:
            continue
        head = workbook.values(info, nrows=HEADER_SCAN_ROWS)
        found = find_header(head, table)
        if found is None:
            first = [
                text_of(v)
                for row in head.rows[:HEADER_SCAN_ROWS]
                for v in row
                if isinstance(v, str) and v.strip()
            ]
            seen_headers[info.name] = first[:12]
            continue
        header_row, columns, headers = found.row, found.columns, found.headers
        # The columns Excel hides, of those with a header: found by the scan of the sheet
        # its first rows were read with.
        hidden = (
            frozenset(c for c in headers if head.col_hidden(c)) if head.hidden_cols else _NO_COLS
        )
        if not any(k in columns for k in required) and not (keep_class_rows and "class" in columns):
            seen_headers[info.name] = list(headers.values())
            continue
        # The yes/no columns read are chosen (of two headers naming one) and judged by what
        # the agents' cells hold down the whole sheet: every header naming one is read.
        # Every yes/no column two headers name too, whether the command reads it or not:
        # which one is read is chosen the same way (and said in the same words) by every
        # command.
        yes_no = found.yes_no(None if wanted is None else wanted | also | found.named_twice)
        late_cols = (
            {c for k, c in columns.items() if k in also}
            if wanted is not None and also and also_when <= columns.keys()
            else set()
        )
        read_cols = {
            *(c for k, c in columns.items() if wanted is None or k in wanted),
            *late_cols,
            *(c for cols in yes_no.values() for c in cols),
        }
        values = workbook.values(info, columns=read_cols, cache=False)
        top = header_row  # rows[top] is the first row under the header
        lines = values.rows
        column_of = _Columns(lines, top, read_cols)
        agents = _agent_lines(column_of, [c for k, c in columns.items() if k in IDENTITY_KEYS])
        tallies = _tallies(
            values, top, agents, {c for cols in yes_no.values() for c in cols}, column_of
        )
        columns, duplicates = pick_columns(
            found.named, found.blocks, tallies, _counted(found.named, headers)
        )
        # A header esp.toml maps: the team has said which is its column.
        mapped = {(c, key) for c, key, rank in found.named if rank == Rank.MAPPED}
        # Of two headers naming a yes/no column, the one read (by what its cells hold where
        # the headers alone would have read another, or by the headers over one whose cells
        # hold Yes or No too): said by every command that reads the sheet, as it changes what
        # each agent's answer is read from. One holding counts or dates, or nothing, is
        # no such doubt (esp doctor and the writes still name it).
        chosen = {
            (key, again): _chosen_line(
                info.name,
                header_row,
                headers,
                key,
                (first_col, again),
                tallies,
                found.columns.get(key) == again,
                hidden,
            )
            for key, first_col, again in duplicates
            if BY_KEY[key].kind is Kind.YESNO
            and (first_col, key) not in mapped
            and (found.columns.get(key) == again or _could_be_flag(tallies.get(again)))
        }
        for line in chosen.values():
            log.warning("%s", line)
        not_answers = _not_answers(lines, top, agents, columns, tallies)
        for key, first_col, again in duplicates:
            if BY_KEY[key].kind is Kind.YESNO:
                # No cell that cannot be read: said above when in doubt; esp doctor and
                # the writes name it.
                continue
            findings.append(
                Finding(
                    info.name,
                    header_row,
                    again,
                    BY_KEY[key].header,
                    headers[again],
                    f"{SET_ASIDE}{BY_KEY[key].header}' column, set aside; esp uses "
                    f"column {col_letter(first_col)}",
                )
            )
        asked = _asked(headers, columns, table)
        class_from_sheet = "class" not in columns
        rows: list[Row] = []
        set_aside: list[tuple[int, str]] = []
        items = [(k, c) for k, c in columns.items() if wanted is None or k in wanted]
        # Only the columns read (a column esp does not know is never parsed: its values
        # would be made and dropped), not kept in the workbook's cache: the rows below hold
        # what is needed of it.
        later = (
            [(k, c) for k, c in columns.items() if k in also and k not in wanted]
            if wanted is not None and also and also_when <= columns.keys()
            else []
        )
        later_cols = {c for _, c in later}
        if values.formats and shown_as_text(
            values, {c for k, c in items if BY_KEY[k].kind is Kind.TEXT}
        ):
            column_of = _Columns(lines, top, read_cols)  # picked again, as now shown
        count = len(lines) - top
        raws: list[dict[str, Any]] = [{} for _ in range(count)]
        parsed: list[dict[str, Any]] = [{} for _ in range(count)]
        bad: dict[int, set[str]] = {}
        # (index of the row, place of the column, finding): sorted into sheet order below.
        late: list[tuple[int, int, Finding]] = []
        # Merged ranges down the rows: Excel shows the first cell's value on every row of
        # one (a class typed once for its block), and the file holds it in that cell only.
        down = _merged_down(values.merged, header_row, {c for k, c in items})
        filled: dict[int, int] = {}  # row index -> its cells showing a merged range's value
        # The Class and identity columns with their distinct values, for _not_agents.
        kept: dict[str, tuple[list[Any], dict[Any, tuple[Any, Any]]]] = {}
        # A column at a time: each distinct value of a column is parsed once (classes, dates
        # and statuses repeat down it; non-text keyed by type too, since 1 == 1.0 == True),
        # and every row then holds that one object (a class, a date, Yes typed down 50,000
        # rows is held once).
        for place, (key, c) in enumerate(items):
            kind = BY_KEY[key].kind
            column = column_of(c)
            if key in not_answers:
                # Counts or dates, not the flag: no agent's is read there (said once, at
                # the header, by answers_unread), 1 no Yes, a count no cell to correct.
                for k, v in enumerate(column):
                    if v is not None and v != "":
                        raws[k][key] = v
                    bad.setdefault(k, set()).add(key)
                continue
            covered: AbstractSet[int] = _NO_ROWS
            if c in down and key not in ONE_AGENT_KEYS:
                covered = _show_merged(column, down[c], top, filled)
            # Each distinct value as (the first cell's object, its parsed value); those
            # that cannot be read apart, so that a cell read before costs two lookups.
            seen: dict[Any, tuple[Any, Any]] = {}
            failed: dict[Any, tuple[Any, Unreadable]] = {}
            parse = _parse_searched if key == SEARCHED else _parse
            memo: Any
            got: tuple[Any, Any] | None
            bad_one: tuple[Any, Unreadable] | None
            for k, v in enumerate(column):
                if v.__class__ is str:
                    if not v:
                        continue
                    memo = v
                elif v is None:
                    continue
                else:
                    memo = (v.__class__, v)
                got = seen.get(memo)
                if got is not None:
                    raws[k][key], parsed[k][key] = got
                    continue
                bad_one = failed.get(memo)
                if bad_one is None:
                    try:
                        seen[memo] = got = (v, parse(kind, v, date1904))
                    except Unreadable as exc:
                        failed[memo] = bad_one = (v, exc)
                if got is not None:
                    raws[k][key], parsed[k][key] = got
                else:
                    assert bad_one is not None
                    v, value = bad_one
                    raws[k][key] = v
                    bad.setdefault(k, set()).add(key)
                    if covered and k in covered:
                        continue  # the range's first cell says it, once
                    late.append(
                        (
                            k,
                            place,
                            Finding(
                                info.name,
                                top + k + 1,
                                c,
                                headers.get(c, BY_KEY[key].header),
                                text_of(v) if not isinstance(v, ErrorValue) else v.code,
                                str(value),
                            ),
                        )
                    )
            if key in OWN_HEADER_KEYS:
                kept[key] = (column, seen)
        scanned = {key: _stored(column_of(c)) for key, c in later}
        late.sort(key=lambda f: (f[0], f[1]))
        uncalculated = _uncalculated(values, top, {c: k for k, c in items}, raws)
        aside = _not_agents(workbook, info, table, top, columns, kept, raws)
        at = 0
        for k, raw in enumerate(raws):
            no_agent = k in aside if aside else False
            # The row's findings first, in column order, then its class's (as read row by row).
            while at < len(late) and late[at][0] == k:
                if not no_agent:
                    findings.append(late[at][2])
                at += 1
            if not raw or (filled and filled.get(k) == len(raw)):
                continue  # nothing typed in the row (a merged range's value shows in it)
            r = top + k + 1
            values_of = parsed[k]
            if no_agent:
                # Said (esp doctor) when the row would have been read as an agent.
                if any(values_of.get(key) for key in IDENTITY_KEYS) or (
                    keep_class_rows and (values_of.get("class") or class_from_sheet)
                ):
                    set_aside.append((r, aside[k]))
                continue
            for key in ("class", "agent_name"):
                typed = values_of.get(key)
                if isinstance(typed, str) and not typed.isascii() and not visible(typed).strip():
                    # Only characters no one sees (a zero-width space pasted alone): none
                    # typed, as an empty cell (esp doctor names them, ESP018).
                    values_of[key] = None
            cls = str(values_of.get("class") or (info.name if class_from_sheet else ""))
            if not cls.isprintable() and control_characters(cls):
                cls = _shown_class(cls, info.name, r, columns.get("class"), headers, findings)
            name = values_of.get("agent_name")
            if isinstance(name, str) and not name.isprintable() and control_characters(name):
                values_of["agent_name"] = _shown_name(
                    name, info.name, r, columns["agent_name"], headers, findings
                )
            row = Row(
                info.name,
                r,
                cls,
                raw,
                values_of,
                frozenset(bad[k]) if k in bad else _NONE,
                uncalculated.get(k, _NONE),
            )
            if row.has_identity or (keep_class_rows and row.cls):
                rows.append(row)
        sheets.append(
            Sheet(
                info.name,
                header_row,
                columns,
                headers,
                class_from_sheet,
                rows,
                duplicates,
                max(values.last_col, head.last_col),
                [rng for rng in values.merged if rng[2] > header_row],
                set_aside,
                scanned,
                frozenset((r, c) for r, c in values.uncalculated if c in later_cols),
                asked,
                not_answers,
                {k: tallies[c] for k, c in columns.items() if c in tallies},
                frozenset(chosen),
                hidden,
            )
        )
        for key in not_answers:
            log.warning("%s", answers_unread(sheets[-1], key))
        # Said at the header's cell by every command that reads the sheet, each time: a
        # header that was read, not a cell that could not be (esp doctor lists it as ESP001).
        for key in asked:
            log.warning("%s", asked_finding(sheets[-1], key, doctor_for(workbook.path, role)))
    if not sheets:
        missing = ", ".join(BY_KEY[k].header for k in required)
        found_text = (
            "; ".join(
                f"{name}: {', '.join(h) if h else '(no headers)'}"
                for name, h in seen_headers.items()
            )
            or "no visible sheets"
        )
        pasted = table.get(_PLACEHOLDER)
        raise MissingColumnsError(
            f"{workbook.path}: no sheet looks like the {role}: missing column(s) {missing} "
            f"(headers found — {found_text}).",
            fix=f"esp.toml still holds the placeholder Your Header ({_toml(BY_KEY[pasted].header)}"
            ' = ["Your Header"]): replace Your Header with the header of your column.'
            if pasted is not None and pasted in required
            else "rename the header, or map it in esp.toml: under its [columns] heading (on a "
            "line of its own; add it if esp.toml has none) add this line, your header in "
            f'place of Your Header: {_toml(BY_KEY[required[0]].header)} = ["Your Header"]',
        )
    workbook.release_reader()  # the rows hold what is needed of it
    return Table(workbook.path, workbook, sheets, findings)


def require_columns(
    table: Table,
    keys: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None = None,
    needed_by: str = "this command needs",
    sheets: Iterable[Sheet] | None = None,
) -> None:
    """Every agent sheet (of `sheets`, default all) must have these columns
    (MissingColumnsError, exit 3, naming the file, the sheet, its header row and headers,
    and the fix: map the team's own header in esp.toml's `[columns]`, rename it, or add the
    column and fill it in). A sheet with none of the tracker's own columns beside one that
    has them may be no sheet of agents at all (a roster, core/columns roster_beside): the fix
    says to hide it. A sheet of agents is named before a roster. On the headers read:
    nothing more is read."""
    wanted = tuple(keys)
    failing = [
        s
        for s in (table.sheets if sheets is None else sheets)
        if any(k not in s.columns for k in wanted)
    ]
    beside = {
        s.name: roster_beside(
            s.columns, {o.name: o.columns for o in table.sheets if o is not s}, wanted
        )
        for s in failing
    }
    for sheet in sorted(failing, key=lambda s: beside[s.name] is not None):
        missing = [k for k in wanted if k not in sheet.columns]
        names = " or ".join(f"'{BY_KEY[k].header}'" for k in missing)
        found = ", ".join(sheet.headers.values()) or "none"
        where = f"{table.path}: sheet '{sheet.name}'"
        whole = beside[sheet.name]
        if whole is not None:
            message, fix = roster_words(sheet, whole, missing, needed_by)
            raise MissingColumnsError(f"{table.path}: {message}.", fix=fix)
        raise MissingColumnsError(
            f"{where} has no {names} column, which {needed_by} "
            f"(headers in row {sheet.header_row}: {found}).",
            fix=columns_fix(missing, sheet.header_row, sheet.headers.values(), aliases),
        )


def roster_words(
    sheet: Sheet, whole: str, missing: Sequence[str], needed_by: str
) -> tuple[str, str]:
    """What to say of a sheet that holds who the agents are but none of the tracker's own
    columns, beside sheet `whole`, which has them (core/columns roster_beside), and its fix:
    hide it when it is a roster or a summary, else add the columns."""
    names = " or ".join(f"'{BY_KEY[k].header}'" for k in missing)
    found = ", ".join(sheet.headers.values()) or "none"
    return (
        f"sheet '{sheet.name}' holds who the agents are but none of the tracker's own columns: "
        f"no {names} column, which {needed_by} and sheet '{whole}' has (headers of "
        f"'{sheet.name}' in row {sheet.header_row}: {found})",
        f"if '{sheet.name}' holds no agents to follow (a roster, a summary), hide "
        "it: esp reads the visible sheets only (in Excel: right-click its tab > "
        f"Hide); if it does, add the columns to it and fill them in for every agent "
        f"(left empty, {_left_empty(missing)}).",
    )


def _left_empty(keys: Iterable[str]) -> str:
    """What an empty column of these would make of every agent."""
    said = []
    if "esp_start" in keys:
        said.append("no agent is evaluated")
    if any(k in keys for k in ("call_cert_complete", "tbts_complete")):
        said.append("nobody is complete")
    return " and ".join(said) or "nothing is read from it"


def columns_fix(
    missing: list[str],
    header_row: int,
    headers: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None,
) -> str:
    """The fix for a sheet without these columns: the team's own header mapped first (a
    look-alike only as a guess), added and filled in only when the team does not keep it;
    the esp.toml lines last, as they are pasted."""
    table = alias_table(aliases)
    shown = list(headers)
    # The team's header that asks a column as a question ('ESP Start Date?'): its own line.
    asked: dict[str, str] = {}
    for header in shown:
        key = asked_column(header, table)
        if key is not None:
            asked.setdefault(key, header)
    guesses = {}
    for key in missing:
        close = asked.get(key) or closest_header(key, shown, table)
        if close is not None:
            guesses[key] = f"'{close}' may be {BY_KEY[key].header}: check what it holds"
    kept = [k for k in missing if table.get(_PLACEHOLDER) == k]
    if kept:
        # The printed lines pasted as they are: the placeholder is the fix.
        rest = [k for k in missing if k not in kept]
        lines = "; ".join(f'{_toml(BY_KEY[k].header)} = ["Your Header"]' for k in kept)
        said = [guesses[k] for k in kept if k in guesses]
        return (
            f"esp.toml still holds the placeholder Your Header ({lines}): replace Your "
            f"Header with the header of your column, as row {header_row} spells it"
            + (f" ({'; '.join(said)})" if said else "")
            + "."
            + (f" Then {columns_fix(rest, header_row, shown, aliases)}" if rest else "")
        )
    it = "it" if len(missing) == 1 else "one"
    named = " and ".join(f"'{BY_KEY[k].header}'" for k in missing)
    lines = "\n".join(
        f"{_toml(BY_KEY[k].header)} = [{_toml(asked.get(k, 'Your Header'))}]" for k in missing
    )
    yours = "" if all(k in asked for k in missing) else "your header in place of Your Header "
    return (
        f"if one of the headers in row {header_row} holds {it} under another name"
        + (f" ({'; '.join(guesses.values())})" if guesses else "")
        + f", map it in esp.toml with the lines below, {yours}"
        "(if esp.toml has a [columns] section already, add only the lines after [columns], "
        "under it), "
        f"or rename it on the sheet to {named}. Only if the team does not keep {it} yet, add "
        f"the column and fill it in for every agent (left empty, {_left_empty(missing)}). "
        f"The esp.toml lines:\n[columns]\n{lines}"
    )


# The placeholder of the esp.toml lines a refusal prints, normalised.
_PLACEHOLDER = "your header"


def _toml(text: str) -> str:
    """A TOML string of `text`, as it is typed into esp.toml."""
    return json.dumps(text, ensure_ascii=False)
