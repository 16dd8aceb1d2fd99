"""esp doctor: lint the tracker. Every finding has a stable rule ID, a cell and a fix."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.columns import (
    ASKED,
    BY_KEY,
    COMPUTED,
    RULES_NEED,
    SEARCHED,
    Kind,
    a_or_an,
    alias_table,
    asked_column,
    holds,
    roster_beside,
    unhide_words,
)
from esp_cli.core.model import CANNOT_LOCATE, NO_ISSUES, Finding, is_issue, is_spoc_issue
from esp_cli.core.names import invisible_characters, visible
from esp_cli.core.notes import NoteKind, lines_of, parse_line
from esp_cli.core.refs import address, cell_ref, col_letter, quote_sheet
from esp_cli.core.rules import (
    FORMULA_WITHOUT_RESULT,
    LADDER,
    AgentFacts,
    fmt,
    ladder_conflicts,
    ladder_early,
)
from esp_cli.core.values import describe_character, email_key, id_key, name_key
from esp_cli.results.doctor import RULES, DoctorFinding, DoctorResult, SetAside
from esp_cli.services.facts import calendar_from, calendar_warnings, facts_from_row
from esp_cli.services.sync import ROLE as MASTER_ROLE
from esp_cli.services.sync import same_file
from esp_cli.workbook import waiting
from esp_cli.workbook.tracker import (
    Row,
    Sheet,
    Table,
    answers_words,
    columns_fix,
    read_table,
    roster_words,
)
from esp_cli.workbook.xlsx.workbook import Workbook

log = logging.getLogger("esp")

REQUIRED = ("agent_name", "esp_start", "call_cert_complete", "tbts_complete")
EXPECTED = (
    "class",
    "agent_id",
    "email",
    "n_number",
    "n_number_requested",
    "tbt_sme",
    "citrix_access",
    "spoc_called",
    "incident_number",
    "callback_phone",
    "searched_course",
    "coaching_date",
    "written_cap_date",
    "final_cap_date",
    "term_review_date",
    "notes",
    "tbt_notes",
)


# The columns esp sync-nnumbers reads of the Master N Number Tracker (its agents found by
# name, Agent ID or e-mail): a Master lacks the tracker's own columns, and is told only of these.
MASTER_EXPECTED = ("n_number", "n_number_requested")


def diagnose(tracker_path: Path, config: Config) -> DoctorResult:
    wb = Workbook.open(tracker_path)
    # Waiting changes esp cannot write (damaged files, a tracker renamed): said, with the fix.
    for warning in waiting.Store(wb.path, config.backup_dir).unwritten().warnings:
        log.warning("%s", warning)
    master = _is_master(wb.path, config)
    table = read_table(wb, config.columns, role=MASTER_ROLE if master else "ESP Tracker")
    findings: list[DoctorFinding] = []
    aliases = alias_table(config.columns)
    # A sheet that lists the agents with none of the tracker's own columns, beside one that
    # has them: a roster or a summary, said once (its rows are no agents to check).
    rosters = {}
    for sheet in table.sheets:
        others = {o.name: o.columns for o in table.sheets if o is not sheet}
        whole = roster_beside(sheet.columns, others, RULES_NEED)
        if whole is not None:
            rosters[sheet.name] = whole
            findings.append(_roster(sheet, whole))
        else:
            findings += _columns(sheet, config, aliases, master=master)
    if rosters:
        table = Table(
            table.path,
            table.workbook,
            [s for s in table.sheets if s.name not in rosters],
            [f for f in table.findings if f.sheet not in rosters],
        )
    findings += _unreadable(table.findings)
    findings += _duplicates(table)
    cal = calendar_from(config)
    today = config.today()
    for row in table.rows():
        findings += _access(table, row, today)
        findings += _uncalculated(table, row)
        findings += _notes(table, row)
        facts = facts_from_row(row)
        findings += _ladder(table, row, facts, cal, today)
        findings += _early(table, row, facts, cal)
        findings += _classless(table, row)
        findings += _invisible(table, row)
    findings += [
        DoctorFinding("ESP016", where, f"{where} {why}")
        for where, why in calendar_warnings(config, cal)
    ]
    findings += _dropdowns(table, wb, config)
    findings += [] if master else _smes(table)  # a Master names no TBT SME
    findings += _signed(wb)
    findings += _protected(table, wb)
    order = {rid: i for i, rid in enumerate(RULES)}
    # Problems first, then warnings (a rule added later is listed with its kind).
    findings.sort(key=lambda f: (RULES[f.rule].warning, order[f.rule], _natural(f.cell)))
    aside = [
        SetAside(f"{quote_sheet(sheet.name)}!{row}:{row}", reason)
        for sheet in table.sheets
        for row, reason in sheet.set_aside
    ]
    return DoctorResult(tracker_path, sum(len(s.rows) for s in table.sheets), findings, aside)


def _natural(cell: str) -> tuple[str, int, str]:
    """Sort 'Sheet'!L6 before 'Sheet'!L39: by sheet, row number, then column."""
    sheet, _, ref = cell.rpartition("!")
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (sheet, int(digits) if digits else 0, letters.rjust(3))


def _roster(sheet: Sheet, whole: str) -> DoctorFinding:
    """A sheet that may be a roster beside sheet `whole`, as the commands that need its
    columns say it."""
    missing = [k for k in RULES_NEED if k not in sheet.columns]
    message, fix = roster_words(sheet, whole, missing, "the rules need")
    span = f"{quote_sheet(sheet.name)}!{sheet.header_row}:{sheet.header_row}"
    return DoctorFinding("ESP001", span, message, fix)


def _is_master(path: Path, config: Config) -> bool:
    """Whether `path` is the Master N Number Tracker esp.toml names ([tracker] master)."""
    return config.master is not None and same_file(path, config.master)


def _columns(
    sheet: Sheet, config: Config, aliases: Mapping[str, str], *, master: bool = False
) -> list[DoctorFinding]:
    """The columns a sheet lacks, each with the fix the commands that need it give (the
    team's header mapped in esp.toml, with the lines to paste), said at the header of the
    team's that names it as a question ('SPOC Called?' for the SPOC Called Date). Of a
    `master` (the Master N Number Tracker), only those esp sync-nnumbers reads."""
    span = f"{quote_sheet(sheet.name)}!{sheet.header_row}:{sheet.header_row}"
    asked: dict[str, tuple[int, str]] = {}
    for col, header in sheet.headers.items():
        key = asked_column(header, aliases)
        if key is not None and key not in sheet.columns:
            asked.setdefault(key, (col, header))
    out = []
    for key in MASTER_EXPECTED if master else (*REQUIRED, *EXPECTED):
        if key == "class" and sheet.class_from_sheet:
            continue
        if key in sheet.columns:
            continue
        level = (
            "read by esp sync-nnumbers"
            if master
            else "needed by the rules"
            if key in REQUIRED
            else "expected"
        )
        name = BY_KEY[key].header
        if key in asked:
            col, header = asked[key]
            out.append(
                DoctorFinding(
                    "ESP001",
                    address(sheet.name, sheet.header_row, col),
                    f"'{header}' asks a yes or a no, so esp does not read it as the {name} "
                    f"({holds(key)}): the sheet has no {name} column ({level})",
                    _asked_fix(key, header),
                )
            )
            continue
        out.append(
            DoctorFinding(
                "ESP001",
                span,
                f"no '{name}' column ({level}); headers are in row {sheet.header_row}",
                columns_fix([key], sheet.header_row, sheet.headers.values(), config.columns),
            )
        )
    for key in sheet.not_answers:
        # Counts or dates under the flag's only header (or a mapped one): not read as it,
        # and not a cell to retype as Yes or No.
        _, what, fix = answers_words(sheet, key)
        col = sheet.columns[key]
        out.append(
            DoctorFinding(
                "ESP001",
                address(sheet.name, sheet.header_row, col),
                f"{sheet.headers[col]}: {what}, so esp reads no {BY_KEY[key].header} from "
                "it (each agent's cannot be read)",
                fix,
            )
        )
    for key, first, again in sheet.duplicate_headers:
        read, aside = sheet.hidden_letter(first), sheet.hidden_letter(again)
        letters = [h for h in (aside, read) if h is not None]
        out.append(
            DoctorFinding(
                "ESP010",
                address(sheet.name, sheet.header_row, again),
                f"another '{BY_KEY[key].header}' column"
                + (f" (column {aside}, hidden)" if aside else "")
                + f", set aside; esp reads column {col_letter(first)}"
                + (" (hidden)" if read else ""),
                f"{unhide_words(letters)}, then {RULES['ESP010'].fix}" if letters else "",
            )
        )
    return out


def _asked_fix(key: str, header: str) -> str:
    """The fix for a column the team's header names only as a question."""
    name = BY_KEY[key].header
    line = f"[columns]\n{json.dumps(name)} = [{json.dumps(header)}]"
    return (
        f"if '{header}' holds {holds(key)} for every agent, rename it to '{name}', or map it "
        f"in esp.toml with the lines below; if it holds Yes or No, add {a_or_an(name)} "
        f"'{name}' column beside it and fill it in ({holds(key)}). The esp.toml lines:\n{line}"
    )


def _unreadable(found: list[Finding]) -> list[DoctorFinding]:
    out = []
    header_kind = {c.header.lower(): c.kind for c in BY_KEY.values()}
    for f in found:
        if f.message.startswith("another '"):
            continue  # reported as ESP010
        if f.message.startswith(ASKED):
            continue  # reported as ESP001, with the esp.toml lines
        kind = header_kind.get(f.column.lower())
        rule = "ESP004"
        if "not a date" in f.message or "plausible date" in f.message:
            rule = "ESP002"
        elif "not Yes or No" in f.message:
            rule = "ESP003"
        elif kind is Kind.DATE:
            rule = "ESP002"
        out.append(DoctorFinding(rule, f.address, f"{f.column}: {f.message}"))
    return out


def _duplicates(table: Table) -> list[DoctorFinding]:
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in table.rows():
        if row.get("agent_id"):
            groups[("Agent ID", id_key(row.text("agent_id")))].append(row)
        if row.get("email"):
            groups[("Email", email_key(row.text("email")))].append(row)
        if row.name:
            groups[("name in class " + row.cls, name_key(row.name))].append(row)
    out = []
    for (what, _key), rows in groups.items():
        if len(rows) < 2:
            continue
        first = rows[0]
        for again in rows[1:]:
            out.append(
                DoctorFinding(
                    "ESP005",
                    address(again.sheet, again.row, 1),
                    f"{again.label()} has the same {what} as row {first.row} of {first.sheet}",
                )
            )
    return out


def _uncalculated(table: Table, row: Row) -> list[DoctorFinding]:
    """Cells holding a formula whose result is not saved in the file (a workbook written by
    a program and never saved by Excel, which computes the result when it opens it): esp
    reads them as empty, though Excel shows a value."""
    if not row.uncalculated:
        return []
    sheet = table.sheet(row.sheet)
    out = []
    for key in sorted(row.uncalculated, key=lambda k: sheet.columns[k]):
        if key in COMPUTED:
            continue  # esp writes these cells itself
        col = sheet.columns[key]
        out.append(
            DoctorFinding(
                "ESP017",
                address(row.sheet, row.row, col),
                f"{row.label()}: {sheet.headers.get(col, BY_KEY[key].header)} "
                f"{FORMULA_WITHOUT_RESULT}, so esp reads it as empty",
            )
        )
    return out


def _is_yes(row: Row, key: str) -> bool:
    return row.get(key) is True


def _access(table: Table, row: Row, today: date) -> list[DoctorFinding]:
    if _is_yes(row, "call_cert_complete") and _is_yes(row, "tbts_complete"):
        return []
    issue = row.text("citrix_access")
    if not issue.strip() or is_issue(issue, NO_ISSUES):
        return []
    sheet = table.sheet(row.sheet)
    out = []
    if is_spoc_issue(issue):
        needed = ["spoc_called", "incident_number", "callback_phone"]
    elif is_issue(issue, CANNOT_LOCATE):
        needed = [SEARCHED]
    else:
        needed = []
    for key in needed:
        day = row.get(key) if key == SEARCHED else None
        if isinstance(day, date) and day > today and sheet.col(key):  # the day searched
            out.append(
                DoctorFinding(
                    "ESP006",
                    address(row.sheet, row.row, sheet.columns[key]),
                    f"{row.label()} has '{row.text('citrix_access')}' and "
                    f"{BY_KEY[key].header} {fmt(day)}, after today ({fmt(today)}): a day "
                    "still to come, not searched yet",
                    "type the day of the search (a year or month typed wrong?), or Yes",
                )
            )
            continue
        if row.get(key) not in (None, "") or key in row.unreadable:
            continue
        col = sheet.col(key)
        where = address(row.sheet, row.row, col) if col else f"{row.sheet}!row {row.row}"
        out.append(
            DoctorFinding(
                "ESP006",
                where,
                f"{row.label()} has '{row.text('citrix_access')}' but no {BY_KEY[key].header}",
            )
        )
    return out


def _ladder(
    table: Table, row: Row, facts: AgentFacts, cal: BusinessCalendar, today: date
) -> list[DoctorFinding]:
    """Ladder dates the rules cannot hold: a step before the clock start, before a step
    recorded before it, or recorded while a step before it is empty (each is not counted as
    delivered, or puts the ladder out of order), and a step dated after today (a date still
    to come: typed wrong)."""
    conflicts = ladder_conflicts(facts, cal)
    ahead = [(s, d) for s in LADDER if (d := facts.step_date(s)) is not None and d > today]
    if not conflicts and not ahead:
        return []
    sheet = table.sheet(row.sheet)

    def cell(key: str) -> str:
        col = sheet.col(key)
        return address(row.sheet, row.row, col) if col else f"{row.sheet}!row {row.row}"

    return [
        DoctorFinding(
            "ESP011",
            cell(step.column),
            f"{row.label()}: {step.header} {fmt(day)} is after today ({fmt(today)}): a day "
            "still to come, not counted as delivered",
            "type the day the step was delivered (a year or month typed wrong?)",
        )
        for step, day in ahead
    ] + [
        DoctorFinding(
            "ESP011",
            cell(c.step.column),
            f"{row.label()}: {c.text}; "
            f"{'the empty cell is' if c.skipped else 'the other date is in'} {cell(c.earlier_key)}",
        )
        for c in conflicts
    ]


def _early(table: Table, row: Row, facts: AgentFacts, cal: BusinessCalendar) -> list[DoctorFinding]:
    """Ladder steps dated before they were due, counted as delivered early, unless the
    Notes line of esp record-step --early gives the reason."""
    early = ladder_early(facts, cal)
    if not early:
        return []
    sheet = table.sheet(row.sheet)
    out = []
    for e in early:
        col = sheet.col(e.step.column)
        cell = address(row.sheet, row.row, col) if col else f"{row.sheet}!row {row.row}"
        out.append(DoctorFinding("ESP015", cell, f"{row.label()}: {e.text}", e.fix))
    return out


def _classless(table: Table, row: Row) -> list[DoctorFinding]:
    """An agent whose Class cell is blank (in a sheet with a Class column): reports count
    the agent under '(no class)', and no class's SME, round or report reaches them."""
    sheet = table.sheet(row.sheet)
    col = sheet.col("class")
    if row.cls or col is None:
        return []
    where, fix = "", ""
    merged = sheet.merged_at(row.row, col)
    if merged is not None:
        r1, c1, r2, c2 = merged
        first, span = cell_ref(r1, c1), f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
        inside = "the first cell of" if (r1, c1) == (row.row, col) else "inside"
        where = f" (the cell is {inside} the merged cells {span}, which are empty)"
        fix = (
            f"type the class in {first}, the first cell of the merged cells {span}: Excel "
            "shows it on every row of them, and esp reads it so"
        )
    return [
        DoctorFinding(
            "ESP012",
            address(row.sheet, row.row, col),
            f"{row.label()} has no Class{where}: reports count them under '(no class)', and "
            "no class's TBT SME, round or report reaches them",
            fix,
        )
    ]


def _invisible(table: Table, row: Row) -> list[DoctorFinding]:
    """An agent's name holding characters no one sees or types (a zero-width space, a
    direction mark, a soft hyphen pasted with it): esp reads the name without them, but
    Excel's Find and filters, and a copy of the name typed elsewhere, do not."""
    typed = row.raw.get("agent_name")
    name = row.name or (typed if isinstance(typed, str) else "")
    chars = invisible_characters(name)
    col = table.sheet(row.sheet).col("agent_name")
    if not chars or col is None:
        return []
    said = ", ".join(describe_character(c) for c in chars)
    shown = visible(name).strip()
    text = (
        f"the name '{shown}' holds {said}, which no one sees or types; esp reads the name "
        "without it"
        if shown
        else f"the name holds only {said}, which no one sees or types; esp reads it as no "
        f"name (esp names the row {row.label()})"
    )
    return [DoctorFinding("ESP018", address(row.sheet, row.row, col), text)]


def _merged_below_first(sheet: Sheet, row: int, col: int) -> bool:
    """Whether the cell is in a merged range, not as its first cell: it shows that cell's
    value, which is checked once, where it is typed."""
    merged = sheet.merged_at(row, col) if sheet.merged else None
    return merged is not None and merged[:2] != (row, col)


def _notes(table: Table, row: Row) -> list[DoctorFinding]:
    out = []
    sheet = table.sheet(row.sheet)
    for kind in (NoteKind.NOTES, NoteKind.TBT):
        text = row.get(kind.column_key)
        if not text:
            continue
        col = sheet.col(kind.column_key)
        assert col is not None
        if _merged_below_first(sheet, row.row, col):
            continue  # the merged range's first cell is checked, once
        for i, line in enumerate(lines_of(str(text)), start=1):
            if parse_line(kind, line) is None:
                out.append(
                    DoctorFinding(
                        "ESP008",
                        address(row.sheet, row.row, col),
                        f"line {i} '{_clip(line)}' is not '{kind.pattern}'",
                    )
                )
    return out


def _clip(text: str, n: int = 50) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _dropdowns(table: Table, wb: Workbook, config: Config) -> list[DoctorFinding]:
    out = []
    for sheet in table.sheets:
        lists = [v for v in wb.validations(wb.pkg.sheet(sheet.name)) if v.values is not None]
        if not lists:
            continue
        by_col = {c: k for k, c in sheet.columns.items()}
        # Each column's drop-downs (in the sheet's order, the first covering a cell is
        # its own) with what they allow, worked out once.
        on_col = {
            col: [
                (v, {a.casefold() for a in (v.values or ())})
                for v in lists
                if any(c1 <= col <= c2 for _, c1, _, c2 in v.ranges)
            ]
            for col in by_col
        }
        merged = bool(sheet.merged)
        # A column at a time (the findings are sorted by cell in the end).
        for col, here in on_col.items():
            if not here:
                continue
            key = by_col[col]
            # Texts in every list of the column's drop-downs, whichever covers the cell,
            # seen once (a column of 10,000 cells holds a few dozen texts).
            listed: dict[str, bool] = {}
            for row in sheet.rows:
                raw = row.raw.get(key)
                if isinstance(raw, bool):
                    text = "Yes" if raw else "No"
                elif isinstance(raw, str):
                    text = raw
                else:
                    continue  # empty, a number or a date: no text to look up
                ok = listed.get(text)
                if ok is None:
                    folded = text.strip().casefold()
                    ok = listed[text] = all(folded in allowed for _v, allowed in here)
                if ok or (merged and _merged_below_first(sheet, row.row, col)):
                    continue  # (the merged range's first cell is checked, once)
                for v, allowed in here:
                    if not v.covers(row.row, col):
                        continue
                    if text.strip().casefold() not in allowed:
                        out.append(
                            DoctorFinding(
                                "ESP007",
                                address(row.sheet, row.row, col),
                                f"{BY_KEY[by_col[col]].header} '{text.strip()}' is not in the "
                                f"list ({', '.join(v.values or ())})",
                            )
                        )
                    break
    return out


def _signed(wb: Workbook) -> list[DoctorFinding]:
    """A digitally signed workbook, which every write refuses (the same check: a change
    would break its signature)."""
    if not wb.pkg.signed:
        return []
    return [
        DoctorFinding(
            "ESP013",
            wb.path.name,
            "the workbook is digitally signed: a change would break its signature, so esp "
            "writes nothing to it (every writing command refuses it)",
        )
    ]


def _protected(table: Table, wb: Workbook) -> list[DoctorFinding]:
    """An agent sheet that is protected, whose cells every write refuses (the same check)."""
    return [
        DoctorFinding(
            "ESP014",
            quote_sheet(sheet.name),
            f"sheet '{sheet.name}' is protected: esp writes nothing to its cells (every "
            "writing command refuses them)",
        )
        for sheet in table.sheets
        if wb.protected(wb.pkg.sheet(sheet.name))
    ]


def _smes(table: Table) -> list[DoctorFinding]:
    by_class: dict[str, set[str]] = defaultdict(set)
    sheets: dict[str, str] = {}
    for row in table.rows():
        if not row.cls:
            continue
        sheets.setdefault(row.cls, row.sheet)
        sme = row.text("tbt_sme")
        for name in sme.replace("/", ",").replace("&", ",").split(","):
            if name.strip():
                by_class[row.cls].add(" ".join(name.split()))
        by_class.setdefault(row.cls, set())
    out = []
    for cls, smes in sorted(by_class.items()):
        if not smes:
            out.append(DoctorFinding("ESP009", f"class {cls}", f"class {cls} has no TBT SME"))
        elif len(smes) > 2:
            out.append(
                DoctorFinding(
                    "ESP009",
                    f"class {cls}",
                    f"class {cls} has {len(smes)} TBT SMEs ({', '.join(sorted(smes))}); "
                    "the TBT SME Team Expectations say 1-2",
                )
            )
    return out
