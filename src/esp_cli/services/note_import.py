"""esp note import FILE: many note lines from a CSV or XLSX, in one write.

The file has a header row with `agent` and `note` columns, and optionally `column` (Notes
or TBT Notes), `by` (who signs), `date` and `class`. Each row is matched like `esp note add`
(Agent ID, N Number, e-mail or name in either order; a typo suggests names, an ambiguous
name lists the agents); a row that matches no one agent, or cannot be read, is not applied
and is listed with its reason — the others are. Every line goes in ONE write, after the
cell's earlier lines, and a line already there is not added again, so importing the same
file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core.columns import (
    BY_KEY,
    INDEX_HEADERS,
    alias_table,
    forms_columns,
    match_header,
    normalise_header,
)
from esp_cli.core.csvfile import CsvTable
from esp_cli.core.notes import NoteKind, appended, format_line
from esp_cli.core.refs import address, col_letter
from esp_cli.core.rules import fmt
from esp_cli.core.textdates import DateOrder, date_order, read_day
from esp_cli.core.values import (
    Unreadable,
    control_characters,
    describe_character,
    is_blank,
    is_tick,
    text_of,
    typed_text,
)
from esp_cli.errors import EspError, InputFileError, UnsafeWriteError
from esp_cli.results.note_import import ImportedNote, NoteImportResult, Status
from esp_cli.services.agents import (
    LOOKUP_KEYS,
    AgentLookupError,
    agents_in_class,
    agents_meant,
    filled_in_by,
    find_agent,
    find_agents,
    respondent_words,
)
from esp_cli.services.imported import ImportedLines
from esp_cli.services.notes import cell_text
from esp_cli.services.progress import CSV_SUFFIX, read_csv_file
from esp_cli.workbook.session import WriteSession, write_session
from esp_cli.workbook.tracker import Row, Table
from esp_cli.workbook.xlsx.patch import check_cell_text
from esp_cli.workbook.xlsx.workbook import SUPPORTED_SUFFIXES, Workbook

READ_KEYS = (*LOOKUP_KEYS, NoteKind.NOTES.column_key, NoteKind.TBT.column_key)
HEADER_SCAN_ROWS = 10
# The file's headers, normalised (columns.normalise_header), and what each means.
FIELDS: dict[str, tuple[str, ...]] = {
    "agent": ("agent", "agent name", "name", "agent id", "employee", "employee name", "email"),
    "note": ("note", "notes", "text", "status", "update", "note text"),
    "column": ("column", "notes column", "note column", "kind"),
    "by": ("by", "signed by", "author", "written by", "sme", "who"),
    "date": ("date", "day", "note date"),
    "class": ("class", "wave"),
}
_HEADERS = {alias: field for field, aliases in FIELDS.items() for alias in aliases}
_TRACKER = alias_table()  # the tracker's columns as esp spells them, for a file read alone
_KINDS = {
    "notes": NoteKind.NOTES,
    "note": NoteKind.NOTES,
    "tbt notes": NoteKind.TBT,
    "tbt note": NoteKind.TBT,
    "tbt": NoteKind.TBT,
}


@dataclass(frozen=True)
class Named:
    """A row's cell naming its agent: the column's header, the text, and whether it is the
    name (else an Agent ID, N Number or e-mail)."""

    label: str
    text: str
    is_name: bool


@dataclass
class NoteFile:
    """The note rows of a file: (line or row number, field -> value) each, where they came
    from, whether its dates are in the 1904 system, and the other sheets that have note
    rows too but were not read, or the columns not read, with why. `european`: a CSV
    separated by `;`, whose dates are day first unless they say otherwise. `refused`: the
    rows that cannot be taken as written (row number -> why): a CSV row with more fields
    than its header, a row with text in a column esp does not read."""

    source: str
    rows: list[tuple[int, dict[str, Any]]]
    date1904: bool = False
    unread: list[tuple[str, str]] = field(default_factory=list)
    european: bool = False
    refused: dict[int, str] = field(default_factory=dict)
    # A CSV row's later lines that read as rows of their own (line, its fields, why the row
    # holding them is not taken as written): rows a quote closed too late swallowed, when
    # they name an agent.
    inner: dict[int, list[tuple[int, dict[str, Any], str]]] = field(default_factory=dict)
    # Of `refused`, the rows refused only for words in a column esp does not read: a line
    # an earlier esp wrote of one without them is already there, not refused.
    words_unread: set[int] = field(default_factory=set)


def read_rows(path: Path, known: Mapping[str, str] | None = None) -> NoteFile:
    """The note rows of the first sheet with a header row naming agent and note. Raises
    InputFileError for a file without one. `known`: the tracker's column spellings
    (columns.alias_table): the agent's Class and TBT SME copied beside the note are no note
    text; every column naming the agent (the agent column, Agent ID, Email) is kept, as
    `who`, the name first."""
    suffix = path.suffix.lower()
    date1904 = False
    table: CsvTable | None = None
    if suffix == CSV_SUFFIX:
        table = read_csv_file(path)
        sheets: list[tuple[str, Sequence[Sequence[object]]]] = [(path.name, table.rows)]
    elif suffix in SUPPORTED_SUFFIXES:
        wb = Workbook.open(path)
        date1904 = wb.date1904
        sheets = [(f"{path.name} [{i.name}]", wb.values(i).rows) for i in wb.sheets if i.visible]
    else:
        raise InputFileError(
            f"{path}: esp imports notes from a .csv or .xlsx file.",
            fix="save the list as CSV UTF-8 or as an Excel workbook.",
        )
    found: NoteFile | None = None
    for source, rows in sheets:
        header = _header(rows, known or {})
        if header is None:
            continue
        if found is not None:  # one sheet per import: the others are named, not dropped
            found.unread.append(
                (source, f"has agent and note columns too, but only {found.source} was read: "
                 "import this sheet saved as a file of its own")
            )  # fmt: skip
            continue
        at, fields, forms = header
        labels = [text_of(v) for v in rows[at]]
        if forms and (unclear := _forms_unclear(labels, fields, forms)):
            raise InputFileError(f"{path}: {unclear}.", fix=_FORMS_FIX)
        european = table is not None and table.delimiter == ";"
        found = NoteFile(source, [], date1904, european=european)
        kinds = {c: _column_kind(label, known or {}) for c, label in enumerate(labels)}
        kinds |= {c: "forms" for c in forms if c not in fields}
        # Every column naming the agent: the agent field's first, then the others.
        who = [c for c, f in fields.items() if f == "agent"]
        who += [c for c, kind in kinds.items() if kind == "agent" and c not in fields]
        named = {c: _names_by_name(labels[c], known or {}) for c in who}
        respondent = [c for c, header in forms.items() if header in ("name", "email")]
        # A question left empty (an optional Date or By) falls back on what Forms gives.
        fallback = {
            f: c
            for c, header in forms.items()
            if (f := _FORMS_FIELDS.get(header)) and c not in fields
        }
        unread = [c for c, kind in kinds.items() if kind == "unknown" and c not in fields]
        if unread:
            found.unread.append((source, _unread_columns(labels, unread, fields)))
        for i, line in enumerate(rows[at + 1 :], start=at + 1):
            # A CSV's row is numbered by the line of the file it starts on.
            n = table.line(i) if table is not None else i + 1
            values = {f: line[c] if c < len(line) else None for c, f in fields.items()}
            for f, c in fallback.items():
                if is_blank(values.get(f)) and c < len(line):
                    values[f] = line[c]
            values["who"] = [
                Named(labels[c], _text(line[c]), named[c])
                for c in who
                if c < len(line) and _text(line[c])
            ]
            values["respondent"] = tuple(
                t
                for c in respondent
                if c < len(line) and (t := _text(line[c])) and t.lower() != "anonymous"
            )
            why = table.misread(i, at) if table is not None else None
            if table is not None and (inner := _inner_rows(table, i, fields)):
                found.inner[n] = inner
            if why is None and (why := _left_out(line, fields, labels, kinds)) is not None:
                found.words_unread.add(n)
            if why is not None:
                found.refused[n] = why
            if why is not None or not all(is_blank(v) for f, v in values.items() if f != "who"):
                found.rows.append((n, values))
    if found is None:
        raise InputFileError(
            f"{path}: no header row with an agent and a note column in its first rows.",
            fix="put a header row first, e.g. agent,note,column,by,date.",
        )
    return found


def _inner_rows(
    table: CsvTable, index: int, fields: dict[int, str]
) -> list[tuple[int, dict[str, Any], str]]:
    """The later lines of a CSV row (a note over several lines) that read as a row of the
    file: an agent and a note (import_notes says whether the agent is one), each with why
    the row holding it is not taken as written."""
    found = []
    for line, parts in table.inner(index):
        # An agent and a note are a row, its empty last fields left out or not (as the
        # reader takes a row shorter than its header): a hand-typed file leaves them out.
        values = {f: parts[c] if c < len(parts) else "" for c, f in fields.items()}
        if _text(values["agent"]) and _text(values["note"]):
            found.append((line, values, table.swallowed(index, line)))
    return found


def _unread_columns(labels: Sequence[str], unread: Sequence[int], fields: dict[int, str]) -> str:
    """The warning naming the columns of the header row esp does not read; another column
    of a field read (`Day` beside `Date`, left or right of it) with the one read."""

    def shown_as(c: int) -> str:
        field = _HEADERS.get(normalise_header(labels[c]))
        read = next((r for r, f in fields.items() if f == field), None)
        named = f"{col_letter(c + 1)} {labels[c]!r}"
        if read is None:
            return named
        return (
            f"{named} (another {field} column, set aside: {col_letter(read + 1)} "
            f"{labels[read]!r} is read)"
        )

    shown = ", ".join(shown_as(c) for c in unread)
    return (
        f"column{'s' if len(unread) > 1 else ''} {shown} not read (esp reads "
        f"{', '.join(FIELDS)}, and passes over the agent's ID, e-mail, class and TBT SME): "
        "a row with words "
        "there is not applied; put them in the note column, or delete the column"
    )


# The tracker's columns that name the agent: another way to find the row's agent.
_AGENT_KEYS = frozenset({"agent_name", "agent_id", "email", "n_number"})
_ID_KEYS = frozenset({"agent_id", "email", "n_number"})
# The tracker's columns copied beside the agents that hold no note: who the agent is is
# told by the others; any other (Next Action, SPOC Incident #) holds words of its own.
_COPIED_KEYS = frozenset({"class", "tbt_sme"})
_NOTE_KEYS = frozenset({NoteKind.NOTES.column_key, NoteKind.TBT.column_key})


def _names_by_name(label: str, known: Mapping[str, str]) -> bool:
    """Whether a column naming the agent gives the name (not an Agent ID, N Number or
    e-mail)."""
    key = match_header(label, known) or match_header(label, _TRACKER)
    return key not in _ID_KEYS and normalise_header(label) not in ("agent id", "email")


def _column_kind(label: str, known: Mapping[str, str]) -> str:
    """What a column not taken as one of the file's fields is: `agent` (another column
    naming the agent: Agent ID, Email), `tracker` (the agent's Class or TBT SME, copied
    from the tracker — never note text), `index` (row numbers), `unknown` (a header esp
    does not read: any other, the tracker's Next Action or SPOC Incident # too), or `none`
    (no header). A second note column is unknown: its words are a note's; so is a second
    date, by or column column (`Day` beside `Date`: the day a note is for, in words)."""
    norm = normalise_header(label)
    if not norm:
        return "none"
    if norm in INDEX_HEADERS:
        return "index"
    key = match_header(label, known) or match_header(label, _TRACKER)
    field = _HEADERS.get(norm)
    if field == "agent" or key in _AGENT_KEYS:
        return "agent"
    if field == "note" or key in _NOTE_KEYS:
        return "unknown"
    if field == "class" or key in _COPIED_KEYS:
        return "tracker"
    return "unknown"


def _left_out(
    line: Sequence[object], fields: dict[int, str], labels: Sequence[str], kinds: dict[int, str]
) -> str | None:
    """Why a row cannot be applied as it is: words in a column esp does not read (under a
    header it does not know, or under none), which the note would be written without. A
    whole number (a row number), an error value, or a tick under a header (`Done?`: x, ✓,
    TRUE) are no words; a column of the tracker's holds none of the note's."""
    for c, value in enumerate(line):
        kind = kinds.get(c, "none")
        if c in fields or kind in ("agent", "tracker", "forms") or not typed_text(value):
            continue
        if kind == "unknown" and is_tick(value):
            continue
        label = labels[c] if c < len(labels) else ""
        under = f"({label!r})" if label.strip() else "(no header)"
        named = f"column {col_letter(c + 1)} {under}"
        return (
            f"{named} holds {_text(value)!r}, which esp does not read: put it in the note "
            "column, or delete it"
        )
    return None


def _header(
    rows: Sequence[Sequence[object]], known: Mapping[str, str]
) -> tuple[int, dict[int, str], dict[int, str]] | None:
    """The header row, the column of each field and, in a Microsoft Forms export, the
    columns Forms writes (columns.forms_columns). Of two headers naming one field, the one
    FIELDS lists first (`Agent Name` over a form's `Name`, which is often whoever filled it
    in), else the leftmost. Forms' own columns name no agent (its Email and Name are who
    filled the form in); its Completion time dates the note and its Name signs it when no
    question does. A Forms export with a note but no agent is its header row all the same:
    read_rows says why it cannot be read. A header FIELDS does not list that names the
    agent as the tracker spells it (`known`: esp.toml's [columns] spellings too) is the
    agent column, after every spelling FIELDS lists."""
    for r, line in enumerate(rows[:HEADER_SCAN_ROWS]):
        norms = [normalise_header(v) if isinstance(v, str) else "" for v in line]
        forms = forms_columns(norms)
        best: dict[str, tuple[int, int]] = {}  # field -> (rank of its alias, column)
        for c, header in enumerate(norms):
            field = _HEADERS.get(header) if c not in forms else None
            rank = FIELDS[field].index(header) if field is not None else len(FIELDS["agent"])
            if field is None and c not in forms and header:
                field = "agent" if match_header(str(line[c]), known) in _AGENT_KEYS else None
            if field is None:
                continue
            if field not in best or rank < best[field][0]:
                best[field] = (rank, c)
        for c, header in forms.items():
            field = _FORMS_FIELDS.get(header)
            if field is not None and field not in best:
                best[field] = (len(FIELDS[field]), c)
        if {"agent", "note"} <= best.keys() or forms and "note" in best:
            ordered = sorted(best.items(), key=lambda f: f[1][1])
            return r, {c: field for field, (_, c) in ordered}, forms
    return None


# What the columns Forms writes give a note when no question does: its day, who signs it.
_FORMS_FIELDS = {"completion time": "date", "name": "by"}
_FORMS_FIX = (
    "head the question that names the agent 'Agent' (the agent's name, Agent ID or e-mail), "
    "in the form or in the file, and import again"
)


def _forms_unclear(labels: Sequence[str], fields: dict[int, str], forms: dict[int, str]) -> str:
    """Why a Microsoft Forms export cannot say which column is the agent ('' when it can):
    a question headed as Forms heads who filled the form in (`Name`, `Email`), or no
    question naming the agent, only who filled it in."""

    def named(c: int) -> str:
        return f"column {col_letter(c + 1)} {labels[c]!r}"

    theirs = {header: c for c, header in forms.items() if header in ("name", "email")}
    for c, label in enumerate(labels):
        header = normalise_header(label)
        if c not in forms and header in ("name", "email"):
            also = f" (as {named(theirs[header])})" if header in theirs else ""
            return (
                f"a Microsoft Forms export whose {named(c)} may be who filled the form in"
                f"{also} or the agent"
            )
    if "agent" not in fields.values():
        who = " and ".join(named(c) for c in sorted(theirs.values(), reverse=True))
        return "a Microsoft Forms export with no question naming the agent" + (
            f": {who} {'is' if len(theirs) == 1 else 'are'} who filled the form in" if who else ""
        )
    return ""


def _text(value: Any) -> str:
    return "" if is_blank(value) else " ".join(text_of(value).split())


def import_notes(
    tracker_path: Path,
    config: Config,
    source: Path,
    *,
    by: str | None = None,
    tbt: bool = False,
    dry_run: bool = False,
    today: date | None = None,
) -> NoteImportResult:
    """Append every row's note line to its agent's Notes or TBT Notes, in one write."""
    now = today or config.today()
    file = read_rows(source, alias_table(config.columns))
    name, rows, date1904 = file.source, file.rows, file.date1904
    # One day/month order for the whole file's dates, a zoned timestamp on the team's day.
    order = date_order((v.get("date") for _, v in rows), day_first=file.european)
    zone = config.zone()
    default_kind = NoteKind.TBT if tbt else NoteKind.NOTES
    try:
        default_by: str | None = config.signer(by)
    except EspError:
        default_by = None
    results: list[ImportedNote] = []
    # (sheet, row, kind) -> the rows' lines, in file order
    planned: dict[tuple[str, int, NoteKind], tuple[Row, list[ImportedNote]]] = {}
    with write_session(
        tracker_path, config, keys=READ_KEYS, dry_run=dry_run, signer=default_by
    ) as s:
        for n, values in rows:
            text = _text(values.get("note"))
            who: list[Named] = values.get("who") or []
            # The name when given (an Agent ID or e-mail only chooses among its agents),
            # else the first Agent ID or e-mail.
            who.sort(key=lambda n: not n.is_name)
            query = who[0].text if who else ""
            item = ImportedNote(line_number=n, query=query, note=text)
            results.append(item)
            swallowed = _swallowed(s.table, file.inner.get(n, []), n in file.refused)
            if swallowed:
                item.refuse(file.refused.get(n) or swallowed[0][2])
                results += [
                    ImportedNote(line, _text(values["agent"]), _text(values["note"]))
                    for line, values, _ in swallowed
                ]
                for other in results[-len(swallowed) :]:
                    other.refuse(f"read inside row {n} of the file (see its reason)")
                continue
            if n in file.refused and n not in file.words_unread:
                item.refuse(file.refused[n])
                continue
            try:
                kind = _kind(values.get("column"), default_kind)
                signer = _text(values.get("by")) or default_by
                day = _day(values.get("date"), now, date1904, order, zone)
            except Unreadable as exc:
                item.refuse(str(exc))
                continue
            if not query or not text:
                item.refuse("no agent given" if not query else "no note given")
                continue
            if signer is None:
                item.refuse(
                    "no name to sign the note: give a 'by' column, --by, or "
                    "[people] user in esp.toml"
                )
                continue
            cls = _text(values.get("class")) or None
            row = _agent_of(s.table, who, cls)
            if isinstance(row, str):
                item.refuse(row)
                continue
            if filled_in_by(row, values.get("respondent", ())):
                item.refuse(
                    f"filled in by {respondent_words(values['respondent'])}, the agent "
                    f"{row.label()}: the agent's own self-report, not a note about them; use "
                    "esp progress import"
                )
                continue
            item.agent = row.ref()
            item.column = BY_KEY[kind.column_key].header
            item.line = format_line(kind, day, signer, text)
            if found := control_characters(item.line):
                # One row's stray character should not stop the others.
                shown = ", ".join(describe_character(ch) for ch in found)
                item.refuse(
                    f"the line holds {shown}, which no cell can show: remove it from {name}"
                )
                continue
            planned.setdefault((row.sheet, row.row, kind), (row, []))[1].append(item)
        # A row with words in a column not read is refused, unless the line an earlier esp
        # wrote of it (without them, importing this file) is there already.
        unread = {n: why for n, why in file.refused.items() if n in file.words_unread}
        logged = ImportedLines(s.path, config.backup_dir, "note import")
        kept = {id(i) for _, items in planned.values() for i in items}
        for item in results:  # refused before its cell was read: for those words first
            if item.line_number in unread and id(item) not in kept:
                item.refuse(unread[item.line_number])
        for (_sheet, _row, kind), (row, items) in planned.items():
            _plan_cell(s, row, kind, items, unread, lambda line: logged.wrote(line, source))
        for (_sheet, _row, kind), (row, items) in planned.items():
            # Where each line went, once every column a row needed is placed.
            col = s.table.sheet(row.sheet).col(kind.column_key)
            if col is None and any(i.status is Status.ADDED for i in items):
                col = s.plan.column(s.table.sheet(row.sheet), kind.column_key)
            if col is not None:
                for item in items:
                    if item.status is not Status.NOT_APPLIED:
                        item.cell = address(row.sheet, row.row, col)
        s.plan.sort()
    return NoteImportResult(
        tracker=s.report.tracker, source=name, notes=results, write=s.report, unread=file.unread
    )


def _swallowed(
    table: Table, inner: list[tuple[int, dict[str, Any], str]], refused: bool
) -> list[tuple[int, dict[str, Any], str]]:
    """The rows a quote closed too late read into a row: its later lines that read as a row
    naming an agent as a row's agent cell finds one (`Hector`, `Vargas, Hector`: a line
    break typed in a note seldom does); every such line of a row refused already (a `"`
    typed as text, then more text, closed the quote)."""
    if not inner:
        return []
    rows = list(table.rows())
    return [i for i in inner if refused or agents_meant(rows, _text(i[1]["agent"]))]


def _agent_of(table: Table, who: Sequence[Named], cls: str | None) -> Row | str:
    """The one agent a row's cells naming it agree on, or why there is none. The first
    (the name, when given) finds the agent; each other (an Agent ID, an e-mail) chooses
    among the name's namesakes, and must not be another agent's."""
    first, others = who[0], who[1:]
    try:
        row = find_agent(table, first.text, cls)
    except AgentLookupError as exc:
        among = [r for r in exc.candidates if all(_is(r, o.text) for o in others)]
        if exc.ambiguous and len(among) == 1:
            return among[0]
        if not others:
            return exc.message
        given = "; ".join(_whose(table, o, cls) for o in others)
        what = "is two agents or more" if exc.ambiguous else "is no agent's name"
        return (
            f"{first.text!r} {what}, and {given}: correct the name, or leave it blank for "
            f"the {others[0].label} to find the agent"
        )
    except EspError as exc:
        return exc.message
    against = [o for o in others if not _is(row, o.text) and _contradicts(table, row, o, cls)]
    if not against:
        return row
    given = "; ".join(_whose(table, o, cls) for o in against)
    return (
        f"{first.text!r} is {_at(row)}, but {given}: correct the one that is wrong "
        "(esp does not choose)"
    )


def _is(row: Row, text: str) -> bool:
    """Whether the Agent ID, N Number or e-mail `text` is the agent's of `row`."""
    return bool(find_agents([row], text))


def _contradicts(table: Table, row: Row, other: Named, cls: str | None) -> bool:
    """Whether a cell naming the agent, not `row`'s, is another agent's, or differs from
    what `row` holds for it (an ID typed one digit off)."""
    if find_agents(agents_in_class(table, cls), other.text):
        return True
    if not other.is_name:
        keys = ("email",) if "@" in other.text else ("agent_id", "n_number")
        return any(row.text(key).strip() for key in keys)
    return False


def _whose(table: Table, other: Named, cls: str | None) -> str:
    """`Agent ID E10207 is Emily Chen's (row 9)`, or that it is no agent's."""
    found = find_agents(agents_in_class(table, cls), other.text)
    said = f"{other.label} {other.text}"
    if not found:
        return f"{said} is no agent's"
    return f"{said} is " + " or ".join(_at(r, "'s") for r in found)


def _at(row: Row, whose: str = "") -> str:
    return f"{row.label()}{whose} ({row.sheet}!row {row.row})"


def _plan_cell(
    s: WriteSession,
    row: Row,
    kind: NoteKind,
    items: list[ImportedNote],
    unread: Mapping[int, str],
    by_earlier_esp: Callable[[str], bool],
) -> None:
    """One agent's new lines in one notes cell: appended in file order, once each. A row
    whose words in a column not read (`unread`: row -> why) would be left out is refused
    with why, unless its line is there as an earlier esp wrote it from the file (the same
    words typed by hand hold none of that column's)."""
    sheet = s.table.sheet(row.sheet)
    key = kind.column_key
    col = sheet.col(key)
    for item in items:
        item.cell = address(row.sheet, row.row, col) if col is not None else ""
    try:
        before = cell_text(row, key, sheet)
    except UnsafeWriteError as exc:
        for item in items:
            item.refuse(exc.message)
        return
    text = before
    for item in items:
        assert item.line is not None
        new = appended(text, item.line)
        if item.line_number in unread and (new is not None or not by_earlier_esp(item.line)):
            item.refuse(unread[item.line_number])
        elif new is None:
            item.status = Status.ALREADY_THERE
        else:
            item.status = Status.ADDED
            text = new
    if text == before:
        return
    try:
        if col is not None:
            check_cell_text(text, address(row.sheet, row.row, col))
    except UnsafeWriteError as exc:
        for item in items:
            if item.status is Status.ADDED:
                item.refuse(exc.message)
        return
    for item in items:
        if item.status is Status.ADDED and item.line is not None:
            with s.plan.unit():  # each row of the file on its own, should it wait
                s.plan.append(row, key, item.line, before)


def _kind(value: Any, default: NoteKind) -> NoteKind:
    text = normalise_header(value) if not is_blank(value) else ""
    if not text:
        return default
    kind = _KINDS.get(text)
    if kind is None:
        raise Unreadable(f"column {text_of(value)!r} is neither Notes nor TBT Notes")
    return kind


def _day(value: Any, today: date, date1904: bool, order: DateOrder, zone: tzinfo | None) -> date:
    day = read_day(value, order, zone, date1904)
    if day is None:
        return today
    if day > today:
        raise Unreadable(f"{fmt(day)} is in the future: a note is dated the day it is written")
    return day
