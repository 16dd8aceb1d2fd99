"""One result, several renderers. Data goes to stdout; messages for people go to stderr."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from esp_cli.core.model import class_shown
from esp_cli.core.shape import PLAIN, SHAPE, Shape
from esp_cli.core.values import shown_text
from esp_cli.errors import UsageError, WriteFailedError, printable
from esp_cli.render import busy, style
from esp_cli.system import (
    appeared_refusal,
    can_encode,
    create_file_atomically,
    put_refusal,
    stand_in,
    starts_a_file,
)


class Format(StrEnum):
    """Every output esp can give. A command offers those it can show (cli.options
    format_option): the others are refused when the command line is read."""

    table = "table"  # for people, on a terminal
    json = "json"  # for scripts
    csv = "csv"  # for scripts and spreadsheets
    md = "md"  # to paste (the report)
    html = "html"  # to paste or mail (the report)
    text = "text"  # plain text (the report)


_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# Values JSON takes as they are, by their exact type (a StrEnum, a str too, goes the long way).
_AS_IS = frozenset({type(None), bool, int, float, str})


def plain(value: Any) -> Any:
    """JSON-ready, the one way every command's result becomes JSON (and CSV): a record (a
    dataclass) as the object its fields and core.shape declarations say, ISO dates, enums
    by value, paths as text, nested containers converted; a number that is none (NaN,
    infinity: JSON has no such thing) as null."""
    if value.__class__ in _AS_IS:  # most values of a large result: looked up at once
        return value if value.__class__ is not float or math.isfinite(value) else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes") if value.second == 0 else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return _record(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def _record(record: Any) -> dict[str, Any]:
    """A record's JSON object: its fields in order, then its exported values; those whose
    shape names a key to follow go after it once the others are in."""
    pairs: list[tuple[str, Any]] = []
    in_turn, placed = _plan(type(record))
    for attr, key, shape in in_turn:
        if shape is PLAIN:  # most fields: the value under its name, at the end
            pairs.append((key, plain(getattr(record, attr))))
        else:
            _put(pairs, record, attr, key, shape, len(pairs))
    for attr, key, shape in placed:
        _put(pairs, record, attr, key, shape, _after(pairs, shape.after or ""))
    return dict(pairs)


def _put(
    pairs: list[tuple[str, Any]], record: Any, attr: str, key: str, shape: Shape, at: int
) -> None:
    """Insert the record's value `attr`, as its shape says, at `at`."""
    value = getattr(record, attr)
    if shape.none_if_empty and (value == "" or value == [] or value == ()):
        value = None
    if value is None and (shape.omit_none or shape.flat):
        return
    data = plain(value)
    if shape.drop:
        data = _without(data, shape.drop)
    pairs[at:at] = list(data.items()) if shape.flat else [(key, data)]


def _after(pairs: list[tuple[str, Any]], key: str) -> int:
    if not key:
        return 0
    for i, (k, _) in enumerate(pairs):
        if k == key:
            return i + 1
    return len(pairs)


def _without(data: Any, keys: tuple[str, ...]) -> Any:
    """`data` without `keys` ("changes.agent": without "agent" in each of its "changes")."""
    if isinstance(data, list):
        return [_without(item, keys) for item in data]
    if not isinstance(data, dict):
        return data
    inner: dict[str, list[str]] = {}
    for key in keys:
        head, _, rest = key.partition(".")
        if rest:
            inner.setdefault(head, []).append(rest)
    return {
        k: _without(v, tuple(inner[k])) if k in inner else v
        for k, v in data.items()
        if k not in keys
    }


_Entry = tuple[str, str, Shape]  # attribute, JSON key, shape
_Plan = tuple[tuple[_Entry, ...], tuple[_Entry, ...]]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    """A record type's fields and exported properties with their shapes: those that come in
    their turn, then those placed after another key — each after the one it follows, when
    that one is placed too (worked out once per type)."""
    found = _PLANS.get(cls)
    if found is not None:
        return found
    entries = [
        (f.name, shape.key or f.name, shape)
        for f in fields(cls)
        if not (shape := f.metadata.get(SHAPE, PLAIN)).hidden
    ]
    exports: dict[str, _Entry] = {}
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            shape = getattr(getattr(attr, "fget", None), SHAPE, None)
            if isinstance(attr, property) and isinstance(shape, Shape):
                exports[name] = (name, shape.key or name, shape)
    entries += exports.values()
    in_turn = tuple(e for e in entries if e[2].after is None)
    waiting = [e for e in entries if e[2].after is not None]
    placed: list[_Entry] = []
    while waiting:
        pending = {e[1] for e in waiting}
        ready = [e for e in waiting if e[2].after not in pending] or waiting[:1]
        placed += ready
        waiting = [e for e in waiting if e not in ready]
    found = _PLANS[cls] = (in_turn, tuple(placed))
    return found


def show(value: Any) -> str:
    """How a value reads in a table: US dates, blanks as a dash, a TRUE/FALSE cell (an
    Excel checkbox) as Excel shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def counted_waiting(n: int) -> str:
    """The line of a report counting changes not yet in the workbook (DOMAIN: marked as
    such wherever it is read: table, text, e-mail, workbook, and on stderr beside a CSV)."""
    return (
        f"Counted with {n} change{'s' if n != 1 else ''} still waiting beside the tracker "
        "(it was open or busy): made, not yet in the workbook."
    )


def chosen_with_waiting(sme: str | None, n: int) -> str:
    """The line of a command whose TBT SME's agents are chosen with changes waiting beside
    the tracker that give agents to that SME or take them away (DOMAIN: marked as not yet
    in the workbook)."""
    return (
        f"Agents of TBT SME {sme or 'given'} counted with {n} change{'s' if n != 1 else ''} "
        "to TBT SME cells waiting beside the tracker, not yet in the workbook (esp pending "
        f"lists {'them' if n != 1 else 'it'})."
    )


def json_text(obj: Any) -> str:
    """A result as JSON, the one spelling every command's --format json uses, on stdout and
    in a file (--out) alike."""
    return json.dumps(plain(obj), indent=2, ensure_ascii=False) + "\n"


def write_json(obj: Any) -> None:
    busy.pause()
    sys.stdout.write(json_text(obj))


def csv_safe(value: Any) -> str:
    """Spreadsheet apps run cells starting with = + - @ as formulas: neutralise them. A number
    is left a number (-1 days overdue stays -1, not '-1). A character no cell can show (a
    pasted U+0001) is U+FFFD, as in every output (core.values.shown_text)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value) if math.isfinite(value) else ""
    text = "" if value is None else shown_text(str(plain(value)))
    if text.startswith(_CSV_TRIGGERS):
        return "'" + text
    return text


def csv_text(rows: Iterable[Any], columns: Sequence[str]) -> str:
    """A CSV table of `columns`: each row a record (as its JSON object) or a mapping; on
    stdout and in a file (--out) alike."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        data = row if isinstance(row, Mapping) else plain(row)
        writer.writerow([csv_safe(data.get(c)) for c in columns])
    return buf.getvalue()


# What starts a CSV file for Excel, which opens one without it in the PC's code page
# (José as JosÃ©); scripts reading a pipe get plain UTF-8.
EXCEL_UTF8 = "\ufeff"


def write_csv(rows: Iterable[Any], columns: Sequence[str]) -> None:
    put_csv(csv_text(rows, columns))


def put_csv(text: str) -> None:
    """CSV on stdout; when stdout is saved as a file (`> list.csv`), after the mark that
    makes Excel read it as UTF-8."""
    busy.pause()
    if starts_a_file(sys.stdout):
        text = EXCEL_UTF8 + text
    sys.stdout.write(text)


def check_out(path: Path, option: str = "--out") -> None:
    """Refuse a file to write the output to that cannot be written where it says (a folder,
    a folder that does not exist, a file already there), with a dry run as without
    (mail/outgoing.check_target says the same of drafts)."""
    refused = put_refusal(path, option)
    if refused is not None:
        raise UsageError(refused[0], fix=refused[1])


def write_out(path: Path, text: str, fmt: Format) -> None:
    """--out: the output saved as a new file (see save_new), in UTF-8 (a CSV file after the
    mark that makes Excel read it so)."""
    if fmt is Format.csv:
        text = EXCEL_UTF8 + text
    save_new(path, text.encode("utf-8"), "--out")


def save_new(
    path: Path, data: bytes, option: str, fix: str = "check the folder and its rights."
) -> None:
    """The file `option` names, saved atomically (never half a file where Excel looks) and
    only as a new file: one made under that name since it was checked is kept, and the
    save refused. `fix`: what to do when the system refuses the write."""
    try:
        made = create_file_atomically(path, data, hidden=False)
    except OSError as exc:
        raise WriteFailedError(f"{path}: cannot be written ({exc.strerror}).", fix=fix) from exc
    if not made:
        why, taken_fix = appeared_refusal(path, option)
        raise WriteFailedError(f"{why}.", fix=taken_fix)


def write_lines(text: str, mark: str | None = None, hang: int = 0) -> None:
    """Text for people on stdout, each line wrapped at spaces to the terminal's width (a
    date or a name is never split), its continuation indented by `hang` more columns than
    the line; piped, as it is. `mark`: its style (render.style)."""
    busy.pause()
    width = terminal_width()
    lines = text.split("\n")
    if width is not None:
        lines = [part for line in lines for part in _hanging(line, width, hang)]
    if mark and style.enabled(sys.stdout):
        lines = [style.paint(line, mark) for line in lines]
    sys.stdout.write("\n".join(lines) + "\n")


def hanging(line: str, width: int | None, hang: int = 0) -> list[str]:
    """`line` wrapped at spaces to `width` (as it is when None), the lines after its first
    indented as it is plus `hang`: how text for people reads when it wraps, on standard
    error too (esp round's cards)."""
    return [line] if width is None else _hanging(line, width, hang)


def _hanging(line: str, width: int, hang: int) -> list[str]:
    """`line` wrapped at `width`, the lines after its first indented as it is plus `hang`."""
    first = _wrap(line, width)
    if len(first) == 1:
        return first
    indent = " " * (len(line) - len(line.lstrip()) + hang)
    rest = _wrap(line[len(first[0]) :].strip(), max(width - len(indent), 10))
    return [first[0], *(indent + part for part in rest)]


def say(message: str) -> None:
    """A line for people, on stderr (never mixed into data); control characters in it (a
    file or a cell's) written out, never sent to the terminal."""
    busy.pause()
    sys.stderr.write(printable(message) + "\n")


@dataclass(frozen=True, slots=True)
class Styled:
    """A table cell's value with what it is (render.style: OVERDUE, TODAY…), coloured on a
    terminal that shows colour and plain everywhere else."""

    value: Any
    style: str | None


def say_findings(
    findings: Sequence[Any],
    verbose: bool,
    *,
    unevaluated: Sequence[str] = (),
    ladder: Sequence[Sequence[str]] = (),
    early: Sequence[Sequence[str]] = (),
    verbose_flag: str | None = "-v",
) -> None:
    """The cells a command could not read (the agents it could not evaluate, and those whose
    ladder dates it cannot count: each agent's ladder_date_lines; those whose steps are
    dated before they were due, counted: early_step_lines), on stderr: each on its
    own line with `verbose`, else one line with their count and where to see them — esp
    doctor, or `verbose_flag` on the same command — so the day's list comes first, not the
    tracker's problems."""
    ladder = [lines for lines in ladder if lines]
    early = [lines for lines in early if lines]
    if verbose or len(findings) + len(unevaluated) + len(ladder) + len(early) <= 1:
        for finding in findings:
            say(f"warning: {finding}")
        for line in [*unevaluated, *(line for lines in [*ladder, *early] for line in lines)]:
            say(f"warning: {line}")
        return
    parts = []
    if findings:
        cells = "1 cell" if len(findings) == 1 else f"{len(findings)} cells"
        parts.append(f"{cells} of the tracker could not be read")
    if unevaluated:
        agents = "1 agent" if len(unevaluated) == 1 else f"{len(unevaluated)} agents"
        parts.append(f"{agents} could not be evaluated")
    if ladder:
        have = "1 agent has" if len(ladder) == 1 else f"{len(ladder)} agents have"
        parts.append(
            f"{have} ladder dates esp cannot count (out of order, a step skipped, before the "
            "clock start), so a step falls due from the last one counted"
        )
    if early:
        have = "1 agent has" if len(early) == 1 else f"{len(early)} agents have"
        parts.append(f"{have} ladder steps dated before they were due, counted as delivered early")
    if parts:
        where = "esp doctor lists the cells"
        say(
            f"warning: {' and '.join(parts)}; {where}"
            + (f" ({verbose_flag} shows them here)." if verbose_flag else ".")
        )


def ladder_date_lines(name: str, sheet: str, row: int, conflicts: Sequence[Any]) -> list[str]:
    """One line per ladder date the rules cannot count (core.rules.LadderConflict): the
    agent and row, the two cells, what the rules make of it and the fix."""
    return [f"{name} ({sheet}!row {row}): {c.text}: {c.effect}. Fix: {c.fix}." for c in conflicts]


def early_step_lines(name: str, sheet: str, row: int, early: Sequence[Any]) -> list[str]:
    """One line per ladder step dated before it was due (core.rules.EarlyStep): counted as
    delivered early, with the fix should the date be wrong."""
    return [f"{name} ({sheet}!row {row}): {e.text}. Fix: {e.fix}." for e in early]


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    empty: str | None = None,
    optional: Sequence[str] = (),
    *,
    one_line: bool = False,
) -> None:
    """A boxed table on stdout. Drawn here rather than with rich: rich measures and wraps
    every cell as an object and took 0.3 s for a 364-row table; this takes milliseconds.
    On a terminal, long columns wrap to fit its width (see format_table); piped, lines are
    never wrapped. A Styled cell is coloured where colour is on (render.style)."""
    busy.pause()
    coloured = style.enabled(sys.stdout)
    cells: list[list[str]] = []
    styles: list[list[str | None]] | None = [] if coloured else None
    for r in rows:
        cells.append([show(v.value if isinstance(v, Styled) else v) for v in r])
        if styles is not None:
            styles.append([v.style if isinstance(v, Styled) else None for v in r])
    if not cells:
        if empty:
            sys.stdout.write(f"{style.paint(title, style.HEADER, coloured)}: {empty}\n")
        return
    plain_ascii = not can_encode(sys.stdout, _BOX)
    sys.stdout.write(
        format_table(
            title,
            columns,
            cells,
            terminal_width(),
            optional,
            ascii_only=plain_ascii,
            styles=styles,
            one_line=one_line,
        )
    )


def terminal_width() -> int | None:
    """The terminal's width when standard output is one; None when it is piped or
    redirected (lines are then never wrapped)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


# Every character a table may draw, to ask the console whether it can show them.
_BOX = "┏┳┓┃┡╇┩━│└┴┘─→—"


def format_table(
    title: str,
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    limit: int | None = None,
    optional: Sequence[str] = (),
    *,
    ascii_only: bool = False,
    styles: Sequence[Sequence[str | None]] | None = None,
    one_line: bool = False,
) -> str:
    """The table as text. With `limit`, every line fits in it: long columns wrap at spaces,
    never inside a word (a date, a name, an action); when that is not enough without
    wrapping the short columns (names, classes, dates), the `optional` columns are left out,
    first named first, and a last line says so. Only a table that still cannot fit has its
    short columns wrapped, and at last its longest words cut. With `ascii_only` (a console
    whose code page lacks box drawing, such as cp1252 or cp437) the borders are +-| and
    arrows ->. With `styles` (a style or None for each cell, render.style), the cells,
    the header and the title are coloured. With `one_line`, the optional columns are left
    out before any row would take two lines (a list read down, one line a row)."""
    if ascii_only:
        title = stand_in(title)
        columns = [stand_in(c) for c in columns]
        cells = [[stand_in(text) for text in row] for row in cells]
    names = list(columns)
    rows = [list(r) for r in cells]
    marks = [list(r) for r in styles] if styles is not None else None
    dropped: list[str] = []
    widths = _natural(names, rows)
    if limit is not None:
        floors = _floors(names, rows)
        dates = _date_floors(names, rows)

        def leave_out(i: int) -> None:
            dropped.append(names[i])
            for column in (names, widths, floors, dates, *rows, *(marks or ())):
                del column[i]

        for name in optional:
            needed = (
                sum(widths)
                if one_line
                else sum(w if w <= _COMFORTABLE else f for w, f in zip(widths, floors, strict=True))
            )
            if needed <= _room(limit, len(names)) or name not in names:
                continue
            leave_out(names.index(name))
        # A date is never cut: when the columns left do not fit even with every other word
        # cut, the last of them are left out as well (never the first).
        while (
            len(names) > 1 and any(dates) and _narrowest(widths, dates) > _room(limit, len(names))
        ):
            leave_out(len(names) - 1)
        _fit(widths, floors, _room(limit, len(names)), dates)
    head = style.HEADER if marks is not None else None
    out = _wrap(title, limit) if limit is not None else [title]
    if head:
        out = [style.paint(line, head) for line in out]
    out.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    out += _lines(
        "┃",
        [_wrap(c, w) for c, w in zip(names, widths, strict=True)],
        widths,
        [head] * len(widths) if head else None,
    )
    out.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for k, row in enumerate(rows):
        out += _lines(
            "│",
            [_wrap(text, w) for text, w in zip(row, widths, strict=True)],
            widths,
            marks[k] if marks is not None else None,
        )
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    if dropped and limit is not None:
        out += _wrap(
            f"(Not shown at this width: {', '.join(dropped)}; a wider window or --format csv "
            "shows every column.)",
            limit,
        )
    text = "\n".join(out) + "\n"
    return stand_in(text) if ascii_only else text


def _room(limit: int, ncols: int) -> int:
    """The columns left for text once a table's borders and padding are drawn."""
    return limit - (3 * ncols + 1)


def _natural(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width unwrapped: its widest line."""
    widths = [_width(c) for c in columns]
    for row in rows:
        for i, text in enumerate(row):
            w = max(map(_width, text.split("\n"))) if "\n" in text else _width(text)
            if w > widths[i]:
                widths[i] = w
    return widths


def _floors(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's narrowest width without cutting a word: its widest word."""
    floors = [max(map(_width, c.split()), default=0) for c in columns]
    for row in rows:
        for i, text in enumerate(row):
            if " " in text or "\n" in text:
                w = max(map(_width, text.split()), default=0)
            else:
                w = _width(text)
            if w > floors[i]:
                floors[i] = w
    return floors


# A word holding a date (11/24/2026, '11/31/2026', 2026-11-24) or a date's pattern.
_DATE_WORD = re.compile(r"\d{1,4}[/-]\d{1,2}[/-]\d{1,4}|MM/DD/YY")


def _date_floors(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's widest word holding a date (0: none): never cut (format_table)."""
    floors = [0] * len(columns)
    for row in rows:
        for i, text in enumerate(row):
            if "/" in text or "-" in text:
                for word in text.split():
                    if _DATE_WORD.search(word) and _width(word) > floors[i]:
                        floors[i] = _width(word)
    return floors


def _narrowest(widths: Sequence[int], dates: Sequence[int]) -> int:
    """The narrowest a table's columns can be drawn, every word cut but the dates."""
    return sum(min(w, max(_MIN_WIDTH, d)) for w, d in zip(widths, dates, strict=True))


def _lines(
    bar: str,
    wrapped: Sequence[Sequence[str]],
    widths: Sequence[int],
    marks: Sequence[str | None] | None = None,
) -> list[str]:
    height = max(len(w) for w in wrapped)
    if marks is None or not any(marks):
        return [
            bar
            + bar.join(
                " " + _pad(part[k] if k < len(part) else "", w) + " "
                for part, w in zip(wrapped, widths, strict=True)
            )
            + bar
            for k in range(height)
        ]
    # Coloured: the codes go round the text only, so the padding keeps the widths.
    lines = []
    for k in range(height):
        parts = []
        for part, w, mark in zip(wrapped, widths, marks, strict=True):
            text = part[k] if k < len(part) else ""
            parts.append(" " + style.paint(text, mark) + " " * (w - _width(text)) + " ")
        lines.append(bar + bar.join(parts) + bar)
    return lines


# Columns up to this wide are short (names, classes, dates, stages): they keep their width
# while long text columns are narrowed, to this first. Below _MIN_WIDTH a column is not
# narrowed even if it means cutting words: a table too wide for its window is better than
# one no one can read.
_COMFORTABLE = 16
_MIN_WIDTH = 8


def _fit(widths: list[int], floors: Sequence[int], room: int, dates: Sequence[int]) -> None:
    """Narrow columns until they fit in `room`: the long text columns to _COMFORTABLE first
    (the widest first), then each column to its widest word (the widest column first: it
    is the one with the most text to wrap); only if that is not enough, further (words are
    then cut), never below _MIN_WIDTH nor the widest date in the column (`dates`)."""
    over = sum(widths) - room
    natural = list(widths)
    by_size = sorted(range(len(widths)), key=lambda i: -natural[i])
    for target in (lambda i: max(floors[i], _COMFORTABLE), floors.__getitem__):
        for i in by_size:
            if over <= 0:
                return
            cut = min(over, max(0, widths[i] - target(i)))
            widths[i] -= cut
            over -= cut
    least = [max(_MIN_WIDTH, d) for d in dates]
    while over > 0:
        narrower = [i for i in range(len(widths)) if widths[i] > least[i]]
        if not narrower:
            return
        widest = max(narrower, key=widths.__getitem__)
        widths[widest] -= 1
        over -= 1


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, broken at spaces; a word longer than the width is
    cut (format_table keeps columns at least as wide as their words where it can)."""
    out: list[str] = []
    for line in text.split("\n"):
        while _width(line) > width:
            fits = _fitting(line, width)  # characters that fit in the width
            cut = line.rfind(" ", 0, fits + 1)
            cut = cut if cut > 0 else fits
            out.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        out.append(line)
    return out


def _fitting(text: str, width: int) -> int:
    """How many leading characters of `text` fit in `width` columns (at least one)."""
    if text.isascii():
        return max(1, width)
    used = 0
    for i, ch in enumerate(text):
        used += _width(ch)
        if used > width:
            return max(1, i)
    return len(text)


def _width(text: str) -> int:
    """Columns a text takes on a terminal (East Asian wide characters take two)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def scope_note(cls: str | None, sme: str | None) -> str:
    """ ", class AET-1109, TBT SME Keisha Grant" for what a list is limited to ("" for all)."""
    parts = []
    if cls is not None:
        parts.append(f", class {' '.join(class_shown(cls).split())}")
    if sme:
        parts.append(f", TBT SME {' '.join(sme.split())}")
    return "".join(parts)
