"""esp progress import / missing: the agents' daily self-reports in the tracker's Notes.

import: every report — a row of the ESP Agent Progress Report (xlsx or csv) or an e-mail an
agent sent the coordinator (.msg saved from Outlook, or .eml) — becomes one
`MM/DD/YYYY - Agent Name - Note` line in the agent's Notes, signed with the agent's name as
the tracker spells it. E-mails are matched by sender address to the Email column, else by
the sender's display name; sheet rows by name in either order, within the row's class when
the sheet has a Class column. A report matching
no agent, or several, is listed with the reason — never dropped, never guessed. Lines
already in Notes are not added again, so importing the same files twice adds nothing.
Every file looked at is accounted for (`files`): imported, already imported, matched to
nobody, of another day, unreadable (with the reason), skipped (a message no agent wrote: an
automatic reply, a meeting request, a delivery report), or ignored (system files); and
every sheet of a workbook is read or named with the reason it was not.

missing: the incomplete agents (Call Cert Complete? and All TBTs Complete? not both yes)
with no Notes line dated that day and signed by themselves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from esp_cli.config import Config
from esp_cli.core.busy import QUIET, Busy, Stage, quietly
from esp_cli.core.columns import alias_table, spellings
from esp_cli.core.csvfile import CsvError, CsvTable, read_table
from esp_cli.core.filenames import explorer_order
from esp_cli.core.model import AgentRef
from esp_cli.core.names import AFFILIATION
from esp_cli.core.notes import NoteKind, appended, folded, format_line, lines_of, parse_line
from esp_cli.core.refs import address
from esp_cli.core.reports import (
    EMPTY_FILE,
    Inside,
    KnownAgents,
    RowProblem,
    SelfReport,
    written_otherwise,
)
from esp_cli.core.rules import done_by, fmt
from esp_cli.core.textdates import date_order
from esp_cli.core.values import (
    REPLACEMENT,
    control_characters,
    describe_character,
    email_key,
    id_key,
    text_of,
    without_control_characters,
)
from esp_cli.errors import ConfigError, InputFileError, UnsafeWriteError
from esp_cli.results.progress import (
    FileOutcome,
    Imported,
    ImportResult,
    MissingAgent,
    MissingResult,
    NotImported,
)
from esp_cli.services.agents import (
    agents_for,
    agents_meant,
    class_key,
    closest,
    closest_in,
    count_agents_once,
    describe,
    filled_in_by,
    name_tokens,
    respondent_words,
    same_person,
)
from esp_cli.services.facts import calendar_from, need_rule_columns
from esp_cli.services.imported import ImportedLines
from esp_cli.services.notes import cell_text
from esp_cli.system import is_system_file, real_path
from esp_cli.workbook.session import ChangePlan, write_session
from esp_cli.workbook.tracker import Row, Table
from esp_cli.workbook.tracker import read_table as read_tracker_table
from esp_cli.workbook.waiting import read_counting_waiting
from esp_cli.workbook.xlsx.package import SheetInfo
from esp_cli.workbook.xlsx.patch import check_cell_text
from esp_cli.workbook.xlsx.workbook import SUPPORTED_SUFFIXES, Workbook

if TYPE_CHECKING:
    from esp_cli.mail.selfreports import Layout

NOTES = NoteKind.NOTES
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip package, its parts named xl/…
EMAIL_SUFFIXES = (".msg", ".eml")  # Outlook's saved message; MIME from other clients
CSV_SUFFIX = ".csv"
NO_TEXT = "Self-report (no details given)"
MAX_SUGGESTIONS = 3
# Suggestions cost a pass over every agent each; a wrong file can bring hundreds of unknown
# names, and after this many the reasons say enough.
MAX_SUGGESTED_REPORTS = 25
READ_KEYS = ("agent_name", "agent_id", "email", "class", NOTES.column_key)


# ------------------------------------------------------------------------ reading reports


@dataclass
class SourceFile:
    """One file esp looked at, and what it gave: reports, or why none (unreadable), or
    nothing on purpose (ignored: a system file such as Thumbs.db; skipped: a message no
    agent wrote, such as an automatic reply). `unread` names the sheets of a workbook that
    were not read, and why."""

    path: Path
    reports: list[SelfReport] = field(default_factory=list)
    unreadable: str | None = None
    ignored: str | None = None
    skipped: str | None = None
    unread: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sheet:
    """One table of a report file: a CSV, or a sheet of a workbook."""

    source: str  # "report.csv", "report.xlsx", or "report.xlsx [Sheet2]" when it has several
    rows: Sequence[Sequence[object]]
    visible: bool = True
    csv: CsvTable | None = None  # a CSV's: its delimiter, the rows it cannot take as written
    hidden_columns: frozenset[int] = frozenset()  # a workbook sheet's (indexes from 0)
    formulas: frozenset[tuple[int, int]] = frozenset()  # its formula cells (row, column from 0)

    @property
    def european(self) -> bool:
        """A CSV separated by `;`: its dates are day first when undecided."""
        return self.csv is not None and self.csv.delimiter == ";"


@dataclass
class Reports:
    """What the given files hold: the reports, and what could not be read (with where)."""

    reports: list[SelfReport] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)


def default_sources(config: Config) -> list[Path]:
    """esp.toml's [tracker] progress_report and self_reports, for `esp progress import` with
    no FILE."""
    configured = [
        (key, path)
        for key, path in (
            ("progress_report", config.progress_report),
            ("self_reports", config.self_reports),
        )
        if path is not None
    ]
    if not configured:
        raise ConfigError(
            "No self-reports given.",
            fix="give the files (esp progress import REPORT.xlsx MAIL.msg FOLDER), or set "
            "[tracker] progress_report and self_reports in esp.toml.",
        )
    for key, path in configured:
        if not path.exists():
            raise InputFileError(
                f"{path}: no such file or folder (esp.toml [tracker] {key}).",
                fix=f"correct [tracker] {key} in {config.source}, or give the files instead.",
            )
    return [path for _, path in configured]


def import_progress(
    tracker_path: Path,
    config: Config,
    files: Sequence[Path] | None = None,
    *,
    on: date | None = None,
    dry_run: bool = False,
    stage: Stage = quietly,
) -> ImportResult:
    """esp progress import: the reports of `files` (else esp.toml's, default_sources) put in
    the tracker's Notes (import_reports). A file named that cannot be imported is refused
    before the tracker is read (check_sources); the tracker's agents then tell whose a
    message an e-mail quotes is (known_agents, read_reports). `stage` shows each stage of
    the work while it lasts."""
    sources = list(files) if files else default_sources(config)
    check_sources(sources, config)
    with stage("Reading the self-reports") as busy:
        table = read_tracker(tracker_path, config)
        found = read_reports(sources, config, busy, agents=known_agents(table))
    with stage(f"Putting them in {tracker_path.name}"):
        return import_reports(tracker_path, config, found, on=on, dry_run=dry_run, read=table)


def check_sources(paths: Sequence[Path], config: Config) -> None:
    """Refuse the files named that cannot be imported — missing, empty, of no report's kind
    — before the tracker is read: what the user fixes first. Then every file named is read
    (its folders' files are never refused) to say each that cannot be imported at once."""
    named = [p for p in paths if not p.is_dir()]
    if any(_cannot_be_imported(p) for p in named):
        read_reports(named, config)  # raises InputFileError, naming each


def _cannot_be_imported(path: Path) -> bool:
    """Whether a file named on its own is refused before it is read: missing, of no
    report's kind (_expand), or empty."""
    try:
        _expand(path)
    except InputFileError:
        return True
    return _is_empty(path)


def read_tracker(tracker_path: Path, config: Config) -> Table:
    """The tracker's agents as the import reads them (READ_KEYS): read once, to tell the
    e-mails' quoted messages apart (known_agents) and then to import into (import_reports'
    `read`)."""
    return read_tracker_table(Workbook.open(tracker_path), config.columns, keys=READ_KEYS)


def known_agents(table: Table) -> KnownAgents:
    """The tracker's agents as the e-mail reader tells them apart: each one's name and
    Email (when the tracker has the column and the cell can be read), and the agents a name
    no agent has most likely means, as a report's reason names them (closest)."""
    rows = list(table.rows())

    @lru_cache(maxsize=1)  # made when first asked: most imports never ask
    def finder() -> Callable[[str, int], list[Row]]:
        return closest_in(rows)

    @lru_cache(maxsize=1024)  # asked once to tell whose, once to say so
    def near(name: str) -> tuple[str, ...]:
        return tuple(r.label() for r in finder()(name, MAX_SUGGESTIONS))

    return KnownAgents.of(
        ((row.name, row.text("email") if "email" not in row.unreadable else "") for row in rows),
        near=near,
    )


def read_reports(
    paths: Sequence[Path],
    config: Config,
    busy: Busy = QUIET,
    *,
    agents: KnownAgents | None = None,
) -> Reports:
    """Every report in the given files and folders. A folder's files are all looked at:
    each is read as an e-mail by its content (.msg or .eml, whatever its name), or listed
    as unreadable with the reason, or ignored when it is a system file. `busy` hears of
    each file as it is read. `agents`: the tracker's (known_agents), which tell an e-mail
    quoting a colleague's report from one quoting a notice sent to the agent."""
    name_headers = _name_headers(config)
    zone = config.zone()
    out = Reports()
    seen: set[Path] = set()
    failed: list[InputFileError] = []  # the files named that cannot be read: all said at once
    given: list[tuple[Path, list[tuple[Path, bool]]]] = []
    for path in paths:
        try:
            given.append((path, _expand(path)))
        except InputFileError as exc:
            failed.append(exc)
    total = sum(len(found) for _, found in given)
    done = 0
    for path, found in given:
        if not found:
            out.problems.append(RowProblem(str(path), "an empty folder"))
        for file, in_folder in found:
            busy.step(done, total, file.name)
            done += 1
            try:
                key = real_path(file)
            except OSError:  # a link that leads back to itself: listed as unreadable below
                key = file.absolute()
            if key in seen:  # the same file named twice (or in a folder given too)
                continue
            seen.add(key)
            entry = SourceFile(file)
            out.files.append(entry)
            if file.is_dir():
                entry.ignored = "a folder (esp does not look inside folders within folders)"
                continue
            if is_system_file(file):
                entry.ignored = "a system file"
                continue
            out.sources.append(file)
            try:
                _add_file(out, entry, name_headers, zone, in_folder=in_folder, agents=agents)
            except InputFileError as exc:
                failed.append(exc)
    if len(failed) == 1:
        raise failed[0]
    if failed:
        fixes = dict.fromkeys(exc.fix for exc in failed if exc.fix)
        raise InputFileError(
            f"{len(failed)} of the files named cannot be imported: "
            + " ".join(exc.message for exc in failed),
            fix="; ".join(fix.rstrip(".") for fix in fixes) + "." if fixes else None,
        )
    return out


def _add_file(
    out: Reports,
    entry: SourceFile,
    name_headers: tuple[str, ...],
    zone: tzinfo | None,
    *,
    in_folder: bool,
    agents: KnownAgents | None = None,
) -> None:
    """The reports one file holds, into `out`; InputFileError when a file named on its own
    cannot be read (one in a folder is listed as unreadable instead)."""
    file = entry.path
    if _is_empty(file):
        if not in_folder:
            raise InputFileError(f"{file}: {EMPTY_FILE}.", fix=_AGAIN)
        entry.unreadable = EMPTY_FILE
        out.problems.append(RowProblem(file.name, EMPTY_FILE))
        return
    suffix = file.suffix.lower()
    if in_folder or suffix in EMAIL_SUFFIXES:
        _add_mail(out, entry, zone, in_folder=in_folder, agents=agents)
    elif suffix == CSV_SUFFIX:
        table = read_csv_file(file)
        sheets = [Sheet(file.name, table.rows, csv=table)]
        _add_rows(out, entry, sheets, name_headers, zone)
    else:
        _add_rows(out, entry, _workbook_sheets(file), name_headers, zone)


def _add_mail(
    out: Reports,
    entry: SourceFile,
    zone: tzinfo | None,
    *,
    in_folder: bool,
    agents: KnownAgents | None = None,
) -> None:
    """The report an e-mail file holds; or why none: skipped (no person wrote it) or
    unreadable. A file named on its own that cannot be read is an error."""
    # Here: reading self-reports (e-mails, the report's sheets) loads only for the commands
    # that import them; esp report eod counts who did not report without it.
    from esp_cli.mail.inbox import read_mail
    from esp_cli.mail.selfreports import NotAReport, UnreadableMail

    try:
        report = read_mail(entry.path.read_bytes(), entry.path.name, zone, agents=agents)
    except NotAReport as exc:
        entry.skipped = str(exc) if str(exc).startswith(exc.kind) else f"{exc.kind}: {exc}"
    except UnreadableMail as exc:
        why = str(exc) if str(exc).startswith(exc.kind) else f"{exc.kind}: {exc}"
        if not in_folder and exc.kind == "not an e-mail":
            raise InputFileError(
                f"{entry.path}: not an e-mail ({exc}).",
                fix="give e-mails as .msg files saved from Outlook or .eml files, and the "
                "progress report as .xlsx or .csv.",
            ) from exc
        if not in_folder:  # named on purpose: a failed input, not "nothing to do"
            raise InputFileError(
                f"{entry.path}: not a usable e-mail ({why}).",
                fix="save it again from Outlook, or ask the agent to send it again (in a "
                "folder such a file is listed and the others imported).",
            ) from exc
        if in_folder and entry.path.suffix.lower() in (CSV_SUFFIX, *SUPPORTED_SUFFIXES):
            why += " (name it on the command line to import it as a progress report)"
        entry.unreadable = why
        out.problems.append(RowProblem(entry.path.name, f"not a usable e-mail: {why}"))
    except OSError as exc:
        entry.unreadable = f"cannot be read ({exc.strerror or exc})"
        out.problems.append(RowProblem(entry.path.name, entry.unreadable))
    else:
        if report.warning:
            out.problems.append(RowProblem(entry.path.name, report.warning))
        report = _showable(report, out.problems)
        entry.reports.append(report)
        out.reports.append(report)


def _showable(report: SelfReport, problems: list[RowProblem]) -> SelfReport:
    """The report without the characters no cell can show (a stray control in an e-mail,
    an escape code pasted into a form), which are said in `problems`: one report should
    not stop the import. Characters its sender's mail could not be read in (U+FFFD) are
    kept, and said."""
    if unread := report.text.count(REPLACEMENT):
        problems.append(
            RowProblem(
                report.source,
                f"{unread} character{'s' if unread > 1 else ''} of the report could not be "
                f"read (its bytes do not fit its character set): shown as {REPLACEMENT}; "
                "check the original",
            )
        )
    found = control_characters(report.text)
    if not found:
        return report
    shown = ", ".join(describe_character(ch) for ch in found)
    problems.append(
        RowProblem(
            report.source,
            f"the report holds {shown}, which no cell can show: left out of its note",
        )
    )

    def clean(text: str) -> str:
        return " ".join(without_control_characters(text).split())

    return replace(
        report,
        text=clean(report.text),
        update=None if report.update is None else clean(report.update),
        others=tuple(map(clean, report.others)),
    )


_AGAIN = "copy or save it again (a OneDrive file: open it once so it downloads), then import it."


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:  # a dangling link: read below, where its error is said
        return False


def _expand(path: Path) -> list[tuple[Path, bool]]:
    """The files to read, each with whether it came from a folder."""
    if path.is_dir():
        return [(p, True) for p in sorted(path.iterdir(), key=explorer_order)]
    if not path.exists():
        raise InputFileError(f"{path}: no such file or folder.", fix="check the path.")
    if path.suffix.lower() in (*EMAIL_SUFFIXES, CSV_SUFFIX, *SUPPORTED_SUFFIXES):
        return [(path, False)]
    raise InputFileError(
        f"{path}: not a progress report (.xlsx, .csv) nor an e-mail (.msg, .eml).",
        fix="give the ESP Agent Progress Report as .xlsx or .csv, and e-mails as .msg or .eml "
        "files (or the folder they are in).",
    )


def _name_headers(config: Config) -> tuple[str, ...]:
    """Every spelling of the Agent Name header esp knows (and esp.toml adds), normalised,
    the exact ones first: a report's `Agent Name` (or the team's mapped header) is its
    name column over a `Name` beside it."""
    return spellings("agent_name", alias_table(config.columns))


def read_csv_file(path: Path) -> CsvTable:
    """A CSV's rows (csvfile: RFC 4180 quoting, the delimiter guessed; a `;` is European,
    so its dates are day first unless they say otherwise); InputFileError naming the file
    and how to save it when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
    if data.startswith(ZIP_MAGIC) and b"xl/workbook" in data:
        raise InputFileError(
            f"{path}: this is an Excel workbook named .csv, not a text CSV.",
            fix=f"rename it to '{path.stem}.xlsx'.",
        )
    try:
        return read_table(data)
    except CsvError as exc:
        raise InputFileError(
            f"{path}: {exc}",
            fix="open it in Excel and save it as 'CSV UTF-8 (Comma delimited) (*.csv)'.",
        ) from exc


def _workbook_sheets(path: Path) -> list[Sheet]:
    wb = Workbook.open(path)
    several = sum(1 for info in wb.sheets if info.visible) > 1
    out = []
    for info in wb.sheets:
        values = wb.values(info)  # its hidden columns found by the same scan
        out.append(
            Sheet(
                f"{path.name} [{info.name}]" if several or not info.visible else path.name,
                values.rows,
                info.visible,
                hidden_columns=frozenset(
                    c - 1 for lo, hi in values.hidden_cols for c in range(lo, hi + 1)
                ),
                formulas=_formula_cells(wb, info),
            )
        )
    return out


def _formula_cells(wb: Workbook, info: SheetInfo) -> frozenset[tuple[int, int]]:
    """The sheet's cells holding a formula (row, column from 0): a helper column's result
    is no agent's words."""
    rows = range(1, len(wb.values(info).rows) + 1)
    return frozenset(
        (row - 1, col - 1) for row, cols in wb.formulas(info, rows).items() for col in cols
    )


def _add_rows(
    out: Reports,
    entry: SourceFile,
    sheets: list[Sheet],
    name_headers: tuple[str, ...],
    zone: tzinfo | None,
) -> None:
    """Reports from every sheet of a file; a sheet that cannot be read is named, with the
    reason, in `problems` and in the file's outcome. The dates of all the sheets decide
    their day/month order together (textdates.date_order). A file none of whose sheets is a
    progress report is an error naming what is missing, since it was named on purpose."""
    from esp_cli.mail.selfreports import find_layout, read_rows

    readable: list[tuple[Sheet, Layout]] = []
    unread: list[RowProblem] = []
    filled = [s for s in sheets if any(text_of(v).strip() for row in s.rows for v in row)]
    for sheet in filled:  # an empty sheet (Excel's Sheet2) holds nothing to pass over
        layout = find_layout(sheet.rows, sheet.source, name_headers)
        if not sheet.visible:
            # A hidden sheet of drop-down lists is no report; hidden report rows are named.
            if not isinstance(layout, RowProblem):
                unread.append(
                    RowProblem(sheet.source, "a hidden sheet with report rows",
                               "unhide it in Excel to import its reports.")
                )  # fmt: skip
        elif isinstance(layout, RowProblem):
            unread.append(layout)
        else:
            readable.append((sheet, layout))
    if not readable:
        reasons = "; ".join(
            p.message if p.source == entry.path.name else f"{p.source}: {p.message}" for p in unread
        )
        reasons = reasons or ("every sheet is hidden" if filled else "it is empty")
        raise InputFileError(
            f"{entry.path}: not a progress report: {reasons}.",
            fix=next((p.fix for p in unread if p.fix), "")
            or "give the ESP Agent Progress Report (columns such as Timestamp, Agent Name, "
            "Update).",
        )
    order = date_order(
        (v for sheet, layout in readable for v in layout.when_values(sheet.rows)),
        day_first=any(sheet.european for sheet in sheets),
    )
    for sheet, layout in readable:
        reports, problems = read_rows(
            sheet.rows,
            layout,
            sheet.source,
            order=order,
            tz=zone,
            csv=sheet.csv,
            hidden=sheet.hidden_columns,
            formulas=sheet.formulas,
        )
        reports = [_showable(report, problems) for report in reports]
        entry.reports += reports
        out.reports += reports
        out.problems += problems
    for problem in unread:
        name = problem.source.removeprefix(f"{entry.path.name} [").removesuffix("]")
        entry.unread.append(f"sheet {name} not read: {problem.message}")
        out.problems.append(
            replace(problem, message=f"{problem.message}: not read ({problem.fix})")
            if problem.fix
            else problem
        )


# ----------------------------------------------------------------------------- matching


@dataclass
class _Index:
    by_email: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    by_id: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    by_name: dict[tuple[str, ...], list[Row]] = field(default_factory=lambda: defaultdict(list))
    by_class_name: dict[tuple[str, tuple[str, ...]], list[Row]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _index(rows: Iterable[Row]) -> _Index:
    """One pass over the tracker, so each report is matched by lookups, not a rescan."""
    idx = _Index()
    for row in rows:
        if row.get("email") and "email" not in row.unreadable:
            idx.by_email[email_key(row.text("email"))].append(row)
        for key in dict.fromkeys(_ids(row)):
            idx.by_id[key].append(row)
        tokens = name_tokens(row.name)
        if tokens:
            idx.by_name[tokens].append(row)
            idx.by_class_name[(class_key(row.cls), tokens)].append(row)
    return idx


def _several(rows: Sequence[Row]) -> str:
    return "; ".join(describe(r) for r in rows)


def _tokens(name: str, idx: _Index) -> tuple[str, ...]:
    """The name's tokens; without a company after it ("Hassan, Amira (VendorCX)") when only
    so it names an agent."""
    tokens = name_tokens(name)
    if tokens not in idx.by_name and (bare := name_tokens(AFFILIATION.sub("", name))):
        return bare if bare in idx.by_name else tokens
    return tokens


def _whose(row: Row) -> str:
    return f"{row.label()}'s ({row.sheet}!row {row.row})"


def _match(report: SelfReport, idx: _Index) -> tuple[Row | None, str]:
    """The agent a report is from and how it was matched, or None and why not. A message
    sent on an agent's behalf is that agent's, unless who sent it is another agent: then
    which of the two reported is for a person to say."""
    row, how = _match_one(report, idx)
    if not (report.sender_name or report.sender_email):
        return row, how
    by, _ = _match_one(replace(report, name=report.sender_name, email=report.sender_email), idx)
    if by is None or by is row:
        return row, how
    sender = report.sender_name or report.sender_email
    mailbox = report.name or report.email
    sent = f"sent by {sender} ({_where(by, sender)}) on behalf of {mailbox}"
    whose = f" ({_where(row, mailbox)})" if row is not None else f", whom esp cannot match ({how})"
    return None, f"{sent}{whose}; which of them reported is for a person to say"


def _where(row: Row, given: str) -> str:
    """Where the agent `given` names is: their row, and their name when spelt otherwise."""
    at = f"{row.sheet}!row {row.row}"
    return at if name_tokens(given) == name_tokens(row.label()) else f"{row.label()}, {at}"


def _match_one(report: SelfReport, idx: _Index) -> tuple[Row | None, str]:
    """The agent a report is from: its sender (_match_sender), with the sheet row's Agent
    ID, which finds the agent when the name is blank, chooses among namesakes, and must not
    be another agent's than the name's (nor differ from the agent's own)."""
    row, how = _match_sender(report, idx)
    if not report.agent_id:
        return row, how
    given = f"the Agent ID {report.agent_id}"
    by_id = idx.by_id.get(id_key(report.agent_id), [])
    whose = " or ".join(_whose(r) for r in by_id)
    if not (report.name or report.email):  # the name left blank: the ID finds the agent
        if len(by_id) == 1:
            return by_id[0], "Agent ID"
        if by_id:
            return None, f"{len(by_id)} agents have {given}: {_several(by_id)}"
        return None, f"no name, and no agent has {given}"
    sender = report.name or report.email
    if row is not None:
        if not by_id and not _ids(row):
            return row, how  # the tracker has no ID to check it against
        if not any(r is row for r in by_id):
            theirs = f"{given} is {whose}" if by_id else f"no agent has {given}"
            return None, (
                f"{theirs}, but {sender} is {_whose(row)}; which of them reported is for a "
                "person to say"
            )
        return row, how
    # The name finds no one agent: the ID may only choose among its namesakes.
    among = [r for r in idx.by_name.get(_tokens(report.name, idx), []) if r in by_id]
    if len(among) == 1:
        return among[0], "name and Agent ID"
    if by_id:
        return None, (
            f"{how}; {given} is {whose}: correct the name, or leave it blank for the Agent ID "
            "to find the agent"
        )
    return None, how


def _ids(row: Row) -> list[str]:
    """The agent's Agent ID, as compared."""
    return [k for k in (id_key(row.text("agent_id")),) if k]


def _match_sender(report: SelfReport, idx: _Index) -> tuple[Row | None, str]:
    """The agent a report's sender (its From) is, by e-mail, else by name."""
    tried: list[str] = []
    if report.email:
        found = idx.by_email.get(email_key(report.email), [])
        if len(found) == 1:
            named = idx.by_name.get(_tokens(report.name, idx), [])
            if named and not any(r is found[0] for r in named):
                # Typed on a shared PC, or a colleague's mailbox: the two disagree.
                return None, (
                    f"the e-mail {report.email} is {_whose(found[0])}, but the name "
                    f"{report.name} is {' or '.join(_whose(r) for r in named)}; which of them "
                    "reported is for a person to say"
                )
            return found[0], "e-mail"
        if found:
            return None, f"{len(found)} agents have the e-mail {report.email}: {_several(found)}"
        tried.append(f"no agent has the e-mail {report.email}")
    tokens = _tokens(report.name, idx)
    if not tokens:
        return None, "; ".join(tried) or "no agent name given"
    if report.cls:
        found = idx.by_class_name.get((class_key(report.cls), tokens), [])
        if len(found) == 1:
            return found[0], "name and class"
        if found:
            return None, f"{len(found)} agents of class {report.cls} are named {report.name}: " + (
                _several(found)
            )
        elsewhere = idx.by_name.get(tokens, [])
        if elsewhere:
            found_in = sorted({" ".join(r.cls.split()) or "no class" for r in elsewhere})
            classes = ", ".join(found_in)
            near = [c for c in found_in if _bare_class(c) == _bare_class(report.cls)]
            if near:
                return None, (
                    f"{report.name} is in class {classes} in the tracker; the report's class "
                    f"{report.cls!r} is written otherwise than {near[0]} (classes match "
                    "ignoring case and spaces only): correct the report's Class"
                )
            return None, f"{report.name} is in class {classes} in the tracker, not {report.cls}"
        tried.append(f"no agent of class {report.cls} is named {report.name}")
        return None, "; ".join(tried)
    found = idx.by_name.get(tokens, [])
    if len(found) == 1:
        return found[0], "name"
    if found:
        return None, f"{len(found)} agents are named {report.name}: {_several(found)}"
    tried.append(f"no agent is named {report.name}")
    return None, "; ".join(tried)


def _bare_class(cls: str) -> str:
    """A class's letters and digits alone: `aet 1201` and `AET-1201` are written alike."""
    return "".join(ch for ch in cls.casefold() if ch.isalnum())


def _closest(rows: Sequence[Row], name: str) -> list[str]:
    """Names a misspelt report might have meant, to put in its reason (never used to match)."""
    return [r.label() for r in closest(rows, name, MAX_SUGGESTIONS)]


# ------------------------------------------------------------------------------ import


def import_reports(
    tracker_path: Path,
    config: Config,
    found: Reports,
    *,
    on: date | None = None,
    dry_run: bool = False,
    today: date | None = None,
    read: Table | None = None,
) -> ImportResult:
    """Put each report in `found` (of day `on`, when given) in its agent's Notes. A report
    refused as read, or dated after `today`, is listed as not imported. `read`: the
    tracker as read_tracker read it, used as is when the file has not changed since."""
    now = today or config.today()
    wanted = [r for r in found.reports if on is None or r.day == on]
    # Oldest first, so each agent's lines land in date order; a stable sort keeps the files'
    # order within a day (and in_order then an agent's e-mails' sent order).
    wanted.sort(key=lambda r: r.day)
    with write_session(tracker_path, config, keys=READ_KEYS, dry_run=dry_run, read=read) as s:
        rows = list(s.table.rows())
        idx = _index(rows)
        # The rows holding a report a quote closed too late swallowed, however it is dated:
        # never imported as they read (the first agent's note with the other's in it).
        swallowed = {
            id(r): inside for r in found.reports if (inside := _agents_inside(r, rows, idx))
        }
        problems = found.problems + [
            RowProblem(i.source, f"{i.refused}: {i.name or i.email}'s report, not imported")
            for inside in swallowed.values()
            for i in inside
        ]
        unmatched: list[NotImported] = []
        by_row: dict[tuple[str, int], list[tuple[SelfReport, Row, str]]] = defaultdict(list)
        for report in wanted:
            caught = swallowed.get(id(report))
            if refused := report.refused or (caught and caught[0].why) or _after(report.day, now):
                unmatched.append(NotImported(report, refused))
                continue
            row, how = _match(report, idx)
            about, named = _about(report, row, idx)
            if about:
                unmatched.append(NotImported(report, about, named.ref() if named else None))
                continue
            if row is None:
                unknown = report.name and name_tokens(report.name) not in idx.by_name
                if unknown and len(unmatched) < MAX_SUGGESTED_REPORTS:
                    near = _closest(rows, report.name)
                    how += f" (closest: {', '.join(near)})" if near else ""
                if report.carries:  # an SME's forward of an agent's report: whose it is
                    how += f"; {report.carries}"
                unmatched.append(NotImported(report, how))
            else:
                if report.carries:  # her own words, and another's report she forwards
                    problems.append(RowProblem(report.source, report.carries))
                by_row[(row.sheet, row.row)].append((report, row, how))
        _refuse_note_forms(found.files, unmatched)
        groups = [in_order(group) for group in by_row.values()]
        files = {id(r): f.path for f in found.files for r in f.reports}
        configured = (config.progress_report, config.self_reports)
        given = [p for p in configured if p is not None]  # read when no FILE is given
        logged = ImportedLines(s.path, config.backup_dir, "progress import", given)

        def by_earlier_esp(line: str, report: SelfReport) -> bool:
            source = files.get(id(report))
            return source is not None and logged.wrote(line, source)

        imported = _plan_lines(s.plan, groups, unmatched, by_earlier_esp)
    return ImportResult(
        on=on,
        sources=found.sources,
        imported=imported,
        unmatched=unmatched,
        problems=problems,
        other_days=len(found.reports) - len(wanted),
        findings=s.table.findings,
        write=s.report,
        files=file_outcomes(found.files, imported, unmatched, on),
        several_sheets=len({row.sheet for row in rows}) > 1,
    )


NOTE_FORM_FIX = "use esp note import for notes about an agent."


def _about(report: SelfReport, row: Row | None, idx: _Index) -> tuple[str, Row | None]:
    """Why a Forms response is no self-report ('' when it may be one), and the agent it names:
    someone other than that agent filled it in (the agent found by its name alone when who
    filled it in is another agent: Forms' Email is theirs)."""
    if not report.respondent:
        return "", None
    if row is None and report.name:
        row, _ = _match(replace(report, email=""), idx)
    if row is None or filled_in_by(row, report.respondent):
        return "", None
    return (
        f"filled in by {respondent_words(report.respondent)}, not by {row.label()}: a note "
        f"about the agent, not the agent's own report; {NOTE_FORM_FIX}"
    ), row


def _refuse_note_forms(files: Iterable[SourceFile], unmatched: Sequence[NotImported]) -> None:
    """InputFileError for a Forms export every response of which someone other than its
    agent filled in: the team's note form, not the agents' self-reports."""
    about = {id(u.report) for u in unmatched if u.reason.endswith(NOTE_FORM_FIX)}
    for f in files:
        if f.reports and all(id(r) in about for r in f.reports):
            raise InputFileError(
                f"{f.path}: every response was filled in by someone other than the agent it "
                f"names (e.g. {f.reports[0].source}: {respondent_words(f.reports[0].respondent)} "
                f"about {f.reports[0].name}): a form of notes about the agents, not their "
                "self-reports; nothing was imported.",
                fix=NOTE_FORM_FIX,
            )


def _agents_inside(report: SelfReport, rows: Sequence[Row], idx: _Index) -> list[Inside]:
    """The lines inside a CSV report row that are reports of their own, whatever their date
    says: their name finds an agent as a name typed to esp does, or their e-mail is an
    agent's. A line break typed in an answer seldom names one."""
    return [
        i
        for i in report.inside
        if (i.email and idx.by_email.get(email_key(i.email))) or agents_meant(rows, i.name)
    ]


def _after(day: date, today: date) -> str:
    """Why a report dated `day` cannot be one yet ('' when it can): a future date is a
    misread (a day-first 12/11 read month first) or a typo, never a report."""
    if day <= today:
        return ""
    return (
        f"dated {fmt(day)}, after today ({fmt(today)}): no report is sent before its day; "
        "check the date in the file"
    )


def in_order(
    group: Sequence[tuple[SelfReport, Row, str]],
) -> list[tuple[SelfReport, Row, str]]:
    """One agent's reports (in date order) with each day's e-mails in the order they were
    sent (Outlook names a later save `ESP (2).msg` whatever its time), each in a place an
    e-mail held; the rest stay in the files' order."""
    out = list(group)
    timed = [i for i, (report, _, _) in enumerate(out) if report.sent is not None]
    by_time = sorted((out[i] for i in timed), key=lambda item: (item[0].day, item[0].sent))
    for i, item in zip(timed, by_time, strict=True):
        out[i] = item
    return out


def file_outcomes(
    files: Iterable[SourceFile],
    imported: Iterable[Imported],
    unmatched: Iterable[NotImported],
    on: date | None,
) -> list[FileOutcome]:
    """What became of each file: its reports' fates summed up in one status and reason."""
    fate: dict[int, tuple[str, str]] = {}
    for i in imported:
        how = f"to {i.agent.name} ({i.agent.sheet}!row {i.agent.row}), matched by {i.matched_by}"
        if i.added:
            fate[id(i.report)] = ("added", how)
        elif i.same_as is not None:
            fate[id(i.report)] = ("already", f"the same report as {i.same_as}, added by it ({how})")
        elif i.in_notes_as is not None:
            fate[id(i.report)] = ("already", f"already in Notes as {i.in_notes_as!r} ({how})")
        else:
            fate[id(i.report)] = ("already", f"already in Notes ({how})")
    for u in unmatched:
        fate[id(u.report)] = ("unmatched", u.reason)
    out = []
    for f in files:
        if f.ignored is not None:
            out.append(FileOutcome(f.path, "ignored", f.ignored))
            continue
        if f.unreadable is not None:
            out.append(FileOutcome(f.path, "unreadable", f.unreadable))
            continue
        if f.skipped is not None:
            out.append(FileOutcome(f.path, "skipped", f.skipped))
            continue
        unread = "".join(f"; {why}" for why in f.unread)
        if not f.reports:
            out.append(FileOutcome(f.path, "no_reports", "no report rows" + unread))
            continue
        fates = [fate.get(id(r)) or ("other_day", _other_day(r.day, on)) for r in f.reports]
        counts = Counter(kind for kind, _ in fates)
        status = next(
            s for k, s in (("added", "imported"), ("already", "already_imported"),
                           ("unmatched", "unmatched"), ("other_day", "other_day"))
            if counts[k]
        )  # fmt: skip
        if len(fates) == 1:
            reason = fates[0][1]
        else:
            words = {"added": "added", "already": "already in Notes",
                     "unmatched": "not imported", "other_day": "of other days"}  # fmt: skip
            reason = f"{len(fates)} reports: " + ", ".join(
                f"{counts[k]} {w}" for k, w in words.items() if counts[k]
            )
        out.append(FileOutcome(f.path, status, reason + unread))
    return out


def _other_day(day: date, on: date | None) -> str:
    return f"dated {day:%m/%d/%Y}, not {on:%m/%d/%Y} (--date)" if on else ""


def _plan_lines(
    plan: ChangePlan,
    groups: Iterable[list[tuple[SelfReport, Row, str]]],
    unmatched: list[NotImported],
    by_earlier_esp: Callable[[str, SelfReport], bool],
) -> list[Imported]:
    """Each agent's new lines appended to their Notes in one cell write. `by_earlier_esp`:
    whether an earlier esp import of the report's file wrote a line there."""
    imported: list[Imported] = []
    for group in groups:
        row = group[0][1]
        sheet = plan.table.sheet(row.sheet)
        try:
            before = cell_text(row, NOTES.column_key, sheet)
        except UnsafeWriteError as exc:
            unmatched += [NotImported(report, exc.message, row.ref()) for report, _, _ in group]
            continue
        text, mine = before, []
        earlier = [(ln, p) for ln in lines_of(before) if (p := parse_line(NOTES, ln))]
        added_by: dict[str, str] = {}  # a line this import adds -> the report's source
        for report, _, how in group:
            body = report.text or NO_TEXT
            line = format_line(NOTES, report.day, row.label(), body)
            # Typed by hand the same report may read '11/24/26 - price, devon - ...': the same
            # day, person and words are the same line. So is the same update with its other
            # columns written otherwise (another header, or none by an earlier esp).
            same = [
                (ln, folded(e.text) == folded(body))
                for ln, e in earlier
                if e.day == report.day
                and same_person(e.author, row.label())
                and (
                    folded(e.text) == folded(body)
                    or written_otherwise(e.text, report, by_earlier_esp=False)
                    or (
                        written_otherwise(e.text, report, by_earlier_esp=True)
                        and by_earlier_esp(ln, report)
                    )
                )
            ]
            as_written = next((ln for ln, exact in same if exact), None)
            otherwise = None if as_written or not same else " ".join(same[0][0].split())
            new = None if same else appended(text, line)
            twin = added_by.get(line) if new is None else None
            mine.append(Imported(report, row.ref(), how, line, new is not None, twin, otherwise))
            if new is not None:
                added_by.setdefault(line, report.source)
            text = new if new is not None else text
        if text != before:
            col = sheet.col(NOTES.column_key)
            where = address(row.sheet, row.row, col) if col else f"{row.sheet}!row {row.row}"
            try:
                check_cell_text(text, where)
            except UnsafeWriteError as exc:
                # One agent's full cell should not stop everyone else's reports.
                unmatched += [NotImported(i.report, exc.message, i.agent) for i in mine if i.added]
                imported += [i for i in mine if not i.added]
                continue
            for item in mine:
                if item.added:
                    with plan.unit():  # each report on its own, should it wait
                        plan.append(row, NOTES.column_key, item.line, before)
        imported += mine
    return imported


# ----------------------------------------------------------------------------- missing


MISSING_KEYS = (
    "call_cert_complete",
    "call_cert_date",
    "tbts_complete",
    "tbt_complete_date",
    "esp_start",
    "tbt_sme",
    NOTES.column_key,
)


def _self_reports(row: Row) -> list[date]:
    """The days of the agent's own lines in Notes."""
    raw = row.raw.get(NOTES.column_key)
    if not isinstance(raw, str):
        return []
    days = []
    for text in lines_of(raw):
        line = parse_line(NOTES, text)
        if line is not None and same_person(line.author, row.name):
            days.append(line.day)
    return days


def missing_reports(
    tracker_path: Path,
    config: Config,
    on: date,
    *,
    cls: str | None = None,
    sme: str | None = None,
) -> MissingResult:
    """The incomplete agents (of a class, of a TBT SME) with no self-report line dated `on`
    in their Notes; on a day off, why it is one (nobody self-reports on it)."""
    cal = calendar_from(config)  # a bad [calendar] fails before the workbook is opened
    wb = Workbook.open(tracker_path)
    table, counted = read_counting_waiting(wb, config, MISSING_KEYS)
    chosen = agents_for(table, cls, sme, counted)
    need_rule_columns(table, config, rows=chosen.rows if cls or sme else None)
    # An agent on two sheets (a copy of the tab) is one agent: counted once, said.
    once = count_agents_once(
        chosen.rows, table.path.name, "esp progress missing", among=table.rows()
    )
    return replace(
        missing_in(table, on, once),
        cls=cls,
        sme=chosen.sme,
        waiting=chosen.counted_in(counted),
        not_a_business_day=cal.why_closed(on),
        business_day_before=cal.add(on, 0) if cal.why_closed(on) else None,
    )


def missing_in(table: Table, on: date, rows: Iterable[Row] | None = None) -> MissingResult:
    """missing_reports on a table already read (with MISSING_KEYS among its keys), for
    `rows` (default: every agent). Complete means complete on `on`: a completion dated
    after it does not count yet."""
    incomplete = reported = 0
    missing: list[MissingAgent] = []
    not_started: list[tuple[AgentRef, date]] = []
    for row in table.rows() if rows is None else rows:
        if done_by(row.get("call_cert_complete"), row.get("call_cert_date"), on) and done_by(
            row.get("tbts_complete"), row.get("tbt_complete_date"), on
        ):
            continue
        start = row.get("esp_start")
        if isinstance(start, date) and start > on:
            # Not in certification yet that day: nothing to report. Listed apart, not dropped.
            not_started.append((row.ref(), start))
            continue
        incomplete += 1
        days = _self_reports(row)
        if on in days:
            reported += 1
            continue
        earlier = [d for d in days if d < on]
        missing.append(MissingAgent(row.ref(), row.text("tbt_sme"), max(earlier, default=None)))
    return MissingResult(table.path, on, incomplete, reported, missing, not_started, table.findings)
