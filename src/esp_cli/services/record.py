"""esp record-step: record that an escalation step was delivered to an agent.

Writes the step's date column (Coaching Date, Written CAP Date, Final CAP Date or Term Review
Date) and appends `MM/DD/YYYY - Name - Note` to Notes, keeping every earlier line exactly as
it was and never adding the same line twice. A step out of order (the one before it not
recorded, or recorded later than this date) is refused with the rules' reason, and so is a
date that would overwrite a different recorded one: the ladder is documentation, and esp
never rewrites it silently. When the sheet already has the computed columns (Escalation
Stage, Next Action, Next Action Due), the agent's are brought up to date in the same write.
With --document, the Notes line names the step's Word document (esp document makes one).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.columns import BY_KEY
from esp_cli.core.documents import (
    Identity,
    heading,
    in_text,
    names_agent,
    read_file_name,
    read_stamp,
    row_tag,
)
from esp_cli.core.names import file_stem, name_in_file, name_key
from esp_cli.core.notes import NoteKind, format_line
from esp_cli.core.rules import (
    DEFAULT_NOTES,
    END_OF_DAY,
    LADDER,
    NOTE_PREFIX,
    AgentFacts,
    Evaluation,
    LadderConflict,
    Step,
    clock_start,
    early_mark,
    evaluate,
    fmt,
    fmt_day,
    ladder_conflicts,
    recorded_after,
    step_due,
    step_due_basis,
    step_order_error,
)
from esp_cli.core.values import ErrorValue, shown_value
from esp_cli.errors import EarlyStepError, InputFileError, StepOrderError, UsageError
from esp_cli.results.record import RecordResult
from esp_cli.services.agents import agent_words, class_key, describe, find_agent
from esp_cli.services.escalations import COMPUTED_KEYS, computed_missing, keep_computed
from esp_cli.services.facts import FACT_KEYS, calendar_from, facts_from_row, need_rule_columns
from esp_cli.services.notes import plan_note, refuse_future
from esp_cli.system import shell_quote
from esp_cli.workbook.session import ChangePlan, write_session
from esp_cli.workbook.tracker import Row, Table

START = "esp_start"  # what tells a namesake's row apart in a document esp made

NOTES_KEY = "notes"
# What record-step reads: the rules' facts, the agent's IDs, Notes and the computed columns.
READ_KEYS = (*FACT_KEYS, "n_number", NOTES_KEY, *COMPUTED_KEYS)

# What a person may type for a step: its name with any case, spaces, dashes or underscores,
# and the short words the team uses.
_STEP_WORDS: dict[str, Step] = {
    "coaching": Step.COACHING,
    "documentedcoaching": Step.COACHING,
    "coach": Step.COACHING,
    "writtencap": Step.WRITTEN_CAP,
    "cap": Step.WRITTEN_CAP,
    "written": Step.WRITTEN_CAP,
    "finalcap": Step.FINAL_CAP,
    "final": Step.FINAL_CAP,
    "termreview": Step.TERM_REVIEW,
    "term": Step.TERM_REVIEW,
}
# A completion flag and the column that dates it.
_COMPLETION_DATES = (
    ("call_cert_complete", "call_cert_date"),
    ("tbts_complete", "tbt_complete_date"),
)


def parse_step(text: str) -> Step:
    """A ladder step from what a person types ("written CAP", "written-cap", "final")."""
    key = re.sub(r"[\s_\-]+", "", text).casefold()
    step = _STEP_WORDS.get(key)
    if step is None:
        raise UsageError(
            f"{text!r} is not an escalation step.",
            fix='use coaching, "written CAP", "final CAP" or "term review" (any case; '
            "written-cap unquoted).",
        )
    return step


def note_line(
    on: date,
    by: str,
    step: Step,
    note: str | None,
    *,
    early: tuple[date, str] | None = None,
    document: str | None = None,
) -> str:
    """`MM/DD/YYYY - Name - Note`, the step named in the note so the line says what it
    documents; for a step recorded before it was due, `early` = (due date, reason); the
    step's document named last, `(document: 2026-11-25 Kayla Brooks - Documented coaching.docx)`."""
    text = " ".join((note or "").split())
    body = f"{NOTE_PREFIX[step]}: {text}" if text else DEFAULT_NOTES[step]
    if early is not None:
        due, reason = early
        body += early_mark(due, reason)
    if document:
        body += f" (document: {' '.join(document.split())})"
    return format_line(NoteKind.NOTES, on, by, body)


@dataclass(frozen=True)
class GivenDocument:
    """A step's document given with --document, read: whose, which step's and which day's
    it says it is (esp's stamp in a .docx it made, else esp's file name), and its text."""

    path: Path
    identity: Identity | None
    scan: bool  # a PDF (the signed scan): checked by its file name only
    text: str = ""  # a .docx's text
    stamped: bool = False  # a .docx esp made: its identity is esp's stamp, not its name


def read_document(path: Path) -> GivenDocument:
    """The step's document given with --document, checked to be one: a Word document
    (.docx) filled in, or a PDF (the signed scan of it)."""
    if not path.is_file():
        raise InputFileError(
            f"{path}: no such file." if not path.exists() else f"{path}: not a file.",
            fix="give the .docx the step was delivered with (esp document makes one), or the "
            "PDF scan of it signed.",
        )
    kind = path.suffix.lower()
    if kind not in (".docx", ".pdf"):
        raise InputFileError(
            f"{path}: not a Word document (.docx) nor a PDF scan of one.",
            fix="give the .docx the step was delivered with (esp document makes one), or the "
            "PDF scan of it signed.",
        )
    # Here: the checks of a PDF or Word file load only when a document is given (esp round,
    # which records steps without one, does not load them).
    from esp_cli.services.proofs import pdf_problem
    from esp_cli.services.word import word_problem, word_text

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
    named = read_file_name(path.stem)
    if kind == ".pdf":
        problem = pdf_problem(data)
        if problem is not None:
            raise InputFileError(
                f"{path}: named .pdf but {problem}.", fix="scan or save it again as a PDF."
            )
        return GivenDocument(path, _with_its_docx(path, named), scan=True)
    problem = word_problem(data)
    if problem is not None:
        raise InputFileError(
            f"{path}: named .docx but not a Word document ({problem}).",
            fix="open it in Word and save it as a Word Document (.docx).",
        )
    text, stamp = word_text(data)
    if "{{" in text or "{%" in text:
        raise InputFileError(
            f"{path}: a template, not filled in (it still holds {{{{ placeholders }}}}).",
            fix="give the step's document esp document made from it.",
        )
    stamped = read_stamp(stamp)
    return GivenDocument(path, stamped or named, scan=False, text=text, stamped=stamped is not None)


def names_in_files(rows: Iterable[Row]) -> Counter[str]:
    """How many agents of `rows` have each name as a file name holds it (name_key of
    name_in_file): more than one, namesakes, whose files carry a tag (file_tag)."""
    return Counter(name_key(name_in_file(r.name)) for r in rows if r.has_identity)


def file_tag(row: Row, names: Counter[str]) -> str:
    """What the agent's file names carry after the name: their Agent ID (else their row)
    when another agent (`names`: names_in_files) has a name that makes the same file name
    (namesakes, long names the same once cut); else nothing."""
    if names[name_key(name_in_file(row.name))] <= 1:
        return ""
    agent_id = row.text("agent_id").strip() if "agent_id" not in row.unreadable else ""
    return agent_id or row_tag(row.row)


def _with_its_docx(scan: Path, named: Identity | None) -> Identity | None:
    """A scan named with a namesake's row: with what esp saw of that agent (ESP Start Date,
    class), from the stamp of the document esp made it from when it is beside the scan
    (its name without the words after the step's: '... - Documented coaching.docx')."""
    if named is None or named.row is None:
        return named
    from esp_cli.services.word import word_problem, word_text

    with contextlib.suppress(OSError):
        # The longest name first: '... coaching (2) signed.pdf' is '... coaching (2).docx''s.
        for docx in sorted(scan.parent.glob("*.docx"), key=lambda p: -len(p.stem)):
            if read_file_name(docx.stem) != named or not scan.stem.startswith(docx.stem):
                continue
            data = docx.read_bytes()
            if word_problem(data) is not None:
                continue
            stamped = read_stamp(word_text(data)[1])
            same = stamped is not None and (stamped.step, stamped.day, stamped.row) == (
                named.step,
                named.day,
                named.row,
            )
            if same and stamped is not None:
                return named._replace(start=stamped.start, cls=stamped.cls)
    return named


def check_document(
    doc: GivenDocument,
    row: Row,
    step: Step,
    on: date | None,
    today: date,
    table: Table | None = None,
) -> date:
    """The day to record `step` on with `doc`: its own date (`on`, when given, must be the
    same). Refused (InputFileError) when it is another agent's, another step's or another
    day's; a scan is checked by its file name, a .docx made by hand names the agent. A
    namesake's document, naming the row, is taken only while that row holds what esp saw of
    the agent when it made it (ESP Start Date, class): `table` says where they are now."""
    path, found = doc.path.name, doc.identity
    agent_id = row.text("agent_id") if "agent_id" not in row.unreadable else ""
    tag = file_tag(row, names_in_files(table.rows() if table is not None else [row]))
    if found is None:
        if doc.scan:
            day = on or today
            raise InputFileError(
                f"{path}: a scan is checked by its file name, and this one does not say whose, "
                "which step's and which day's document it is.",
                fix=f"rename it as esp names the document, with any words after it: "
                f"'{file_stem(day, row.name, heading(step), tag)} signed.pdf'.",
            )
        words = " ".join(doc.text.split()).casefold()
        ids = [t for t in (agent_id, row.text("n_number")) if t.strip()]
        if " ".join(row.name.split()).casefold() not in words and not any(
            t.strip().casefold() in words for t in ids
        ):
            raise InputFileError(
                f"{path}: does not name {row.label()} (nor their Agent ID): not their document.",
                fix=f"give {row.label()}'s {in_text(step)} document (esp document makes it).",
            )
        return on or today
    if table is not None and not found.agent_id and found.row is None:
        _refuse_a_name_namesakes_share(doc, found, row, step, table, tag)
    on_row = row.row
    if found.row is not None and not agent_id.strip():
        _refuse_a_namesake_moved_there(doc, found, row, step, table)
        if _agent_now(found, table) is row:
            on_row = found.row  # theirs by what esp saw of them, wherever the row is now
        elif found.sheet is not None and found.sheet != row.sheet:
            on_row = 0  # the row of another sheet: another namesake's
    if not names_agent(found, row.name, agent_id, on_row):
        theirs = found.agent_id or (row_tag(found.row) if found.row is not None else "")
        whose = found.name + (f" ({theirs})" if theirs else "")
        fix = f"give {row.label()}'s {in_text(step)} document (esp document makes it)"
        if doc.scan and found.row is not None and not agent_id.strip():
            fix += (
                f"; if it is theirs and the rows moved since it was made, rename it with "
                f"({row_tag(row.row)})"
            )
        raise InputFileError(
            f"{path}: the document of {whose}, not of {row.label()} ({row.sheet}!row {row.row}).",
            fix=f"{fix}.",
        )
    if found.step is not step:
        raise InputFileError(
            f"{path}: a {heading(found.step)} document, not the {step.label}'s.",
            fix=f"record the {found.step.value} step with it, or give the {in_text(step)} "
            "document.",
        )
    if on is not None and on != found.day:
        raise InputFileError(
            f"{path}: the document is dated {fmt(found.day)}, not {fmt(on)}: the step is "
            "recorded on the day its document says.",
            fix=f"leave out --date (or give --date {found.day:%Y-%m-%d}), or make the "
            f"document of {fmt(on)} with esp document.",
        )
    return found.day


def _refuse_a_name_namesakes_share(
    doc: GivenDocument, found: Identity, row: Row, step: Step, table: Table, tag: str
) -> None:
    """A document whose name (or stamp) names the agent without an Agent ID or row is not
    taken when another agent of the tracker has that name too (namesakes): it does not say
    whose, and esp never guesses. Refused naming them all, and the name that says whose
    (esp document names namesakes' documents so)."""
    fits = [r for r in table.rows() if r.has_identity and names_agent(found, r.name, "", r.row)]
    if len(fits) < 2 or (row.sheet, row.row) not in {(r.sheet, r.row) for r in fits}:
        return
    named = "; ".join(describe(r) for r in fits)
    stem = file_stem(found.day, row.name, heading(step), tag)
    if doc.stamped:
        fix = (
            f"make {row.label()}'s document again with esp document (its name and stamp "
            f"then carry ({tag}))"
        )
    else:
        words = " signed" if doc.scan else ""
        fix = (
            f"if it is {row.label()}'s ({tag}), rename it as esp names their document, with "
            f"any words after it: '{stem}{words}{doc.path.suffix.lower()}'"
        )
    raise InputFileError(
        f"{doc.path.name}: names {found.name} only, and {len(fits)} agents have that name: "
        f"{named}; it does not say whose.",
        fix=f"{fix}.",
    )


def _refuse_a_namesake_moved_there(
    doc: GivenDocument, found: Identity, row: Row, step: Step, table: Table | None
) -> None:
    """A document esp made for the namesake on `found.row` is not `row`'s when what esp saw
    of that agent (ESP Start Date, class) is not what the row holds now: the rows moved
    since (a sort), and another agent of that name is on it."""
    start = row.get(START) if START not in row.unreadable else None
    start = start if isinstance(start, date) else None
    seen_start = found.start is not None and start != found.start
    seen_class = found.cls is not None and class_key(found.cls) != class_key(row.cls)
    if not (seen_start or seen_class):
        return
    then = _seen(found.cls, found.start, found.cls is not None, found.start is not None)
    now = _seen(row.cls, start, seen_class, seen_start)
    fix = f"give {row.label()} as the tracker has them now"
    moved = _agent_now(found, table)
    there = agent_words(table, moved) if table is not None and moved is not None else None
    if there is not None:
        fix = (
            f"that agent is {there} now: esp record-step {there} {step.value} --document "
            f"{shell_quote(str(doc.path))}"
        )
    raise InputFileError(
        f"{doc.path.name}: the document of {found.name} ({row_tag(found.row or 0)}), {then}; "
        f"{row.sheet}!row {row.row} holds {row.label()} with {now} (the rows moved since it "
        "was made): not their document.",
        fix=f"{fix}; esp explain {shell_quote(row.label())} lists the rows.",
    )


def _seen(cls: str | None, start: date | None, with_class: bool, with_start: bool) -> str:
    """'class AET-1, ESP Start Date 11/18/2026' (those asked for)."""
    said = [f"class {' '.join((cls or '').split())}"] if with_class else []
    if with_start:
        said.append(f"ESP Start Date {fmt(start) if start else '(none)'}")
    return ", ".join(said)


def _agent_now(found: Identity, table: Table | None) -> Row | None:
    """The one agent of `table` of the document's name, class and ESP Start Date (as esp
    saw them when it made it), if there is one."""
    if table is None or found.start is None:
        return None
    same = [
        r
        for r in table.rows()
        if name_key(r.name) == name_key(found.name)
        and (found.cls is None or class_key(r.cls) == class_key(found.cls))
        and r.get(START) == found.start
    ]
    return same[0] if len(same) == 1 else None


def early_reason(early: bool, reason: str | None) -> str | None:
    """The reason a step is recorded before it is due (--early --reason), checked."""
    tidy = " ".join((reason or "").split())
    if early and not tidy:
        raise UsageError(
            "--early needs a reason.", fix="add --reason 'why it is delivered before its due date'."
        )
    if tidy and not early:
        raise UsageError("--reason goes with --early.", fix="add --early, or leave --reason out.")
    return tidy or None


@dataclass(frozen=True)
class Planned:
    """A step recorded in a write session's plan: the Notes line, whether the date and the
    line are new, and the agent as the rules see them afterwards."""

    line: str
    date_written: bool
    note_added: bool
    evaluation: Evaluation
    due: date | None  # when the step fell due by the ladder's timing, when known
    early_reason: str | None  # recorded before `due`, with this reason


def refuse_closed_ladder(row: Row, ev: Evaluation, on: date, verb: str) -> None:
    """Refuse a step (to `verb`: record, document) for an agent complete as of `on` (a
    complete agent has no further actions), or whose ladder cannot be evaluated then (`ev`,
    the agent as of `on`): StepOrderError."""
    if ev.complete:
        facts = facts_from_row(row)
        undated = [
            BY_KEY[dated].header
            for flag, dated in _COMPLETION_DATES
            if getattr(facts, flag) is True and getattr(facts, dated) is None
        ]
        fix = "check Call Cert Complete? and All TBTs Complete? in the tracker."
        if undated:
            fix = (
                f"a yes without a date counts as complete on every day: fill in "
                f"{' and '.join(undated)} ({row.sheet}!row {row.row}) with the day it was "
                "completed."
            )
        raise StepOrderError(
            f"{row.label()} is complete as of {fmt_day(on)} (Call Cert and All TBTs): there is "
            f"no ladder step to {verb}.",
            fix=fix,
        )
    if not ev.evaluable:
        raise StepOrderError(
            f"{row.label()}: the escalation ladder cannot be evaluated ({ev.reason}).",
            fix="fill in or correct those cells in the tracker (esp doctor lists every cell "
            "esp cannot read).",
        )


def _refuse_if_inconsistent(row: Row, step: Step, on: date, cal: BusinessCalendar) -> None:
    """Refuse `step` while it or a step before it holds a date the ladder cannot hold (before
    the clock start, before a step recorded before it, after a step left empty), when no
    date of it can fit between the recorded ones, and a step dated before the clock start."""
    facts = facts_from_row(row)
    index = LADDER.index(step)
    for conflict in ladder_conflicts(facts, cal):
        if LADDER.index(conflict.step) <= index:
            raise StepOrderError(
                f"{row.label()} ({row.sheet}!row {row.row}): {conflict.text}: the {step.label} "
                "cannot be recorded until the ladder's dates are corrected.",
                fix=f"{conflict.fix}.",
            )
    between = _no_date_between(facts, step)
    if between is not None:
        raise StepOrderError(
            f"{row.label()} ({row.sheet}!row {row.row}): {between.text}: no date of the "
            f"{step.label} fits between them.",
            fix=f"{between.fix}.",
        )
    start, typed = clock_start(facts, cal), facts.esp_start
    if start is not None and typed is not None and on < start:
        shown = "" if typed == start else f" {fmt_day(typed)}"
        raise StepOrderError(
            f"{row.label()} ({_where(row, step)}): the {step.label} cannot be recorded on "
            f"{fmt(on)}, before the clock start, {fmt_day(start)} (ESP Start Date{shown}): a "
            "step counts from the clock start on.",
            fix="give the day it was delivered (--date), or correct the ESP Start Date.",
        )


def _no_date_between(facts: AgentFacts, step: Step) -> LadderConflict | None:
    """The two recorded dates no date of `step` can fit between, when there are: the step
    before it is recorded after the first date recorded for a step after it."""
    index = LADDER.index(step)
    before = LADDER[index - 1] if index else None
    prior = facts.step_date(before) if before is not None else None
    later = [(d, s) for s in LADDER[index + 1 :] if (d := facts.step_date(s)) is not None]
    if before is None or prior is None or not later:
        return None
    day, first = min(later, key=lambda found: found[0])
    return LadderConflict(first, day, before, prior) if day < prior else None


def check_step(
    row: Row, step: Step, on: date, cal: BusinessCalendar, early: str | None = None
) -> tuple[date | None, bool]:
    """(the day `step` falls due, whether `on` is before it) once recording it on `on` keeps
    the ladder: never while its recorded dates do not hold (_refuse_if_inconsistent) nor
    before the clock start, never over a different recorded
    date, only for an agent not complete on `on` whose ladder can be evaluated, never out of
    order, never before it is due unless `early` gives the reason (StepOrderError,
    EarlyStepError)."""
    facts = facts_from_row(row)
    _refuse_if_inconsistent(row, step, on, cal)
    _refuse_if_wrong(row, step, on)
    ev = evaluate(facts, on, datetime.combine(on, END_OF_DAY), cal)
    refuse_closed_ladder(row, ev, on, "record")
    problem = step_order_error(facts, step, on)
    if problem is not None:
        raise StepOrderError(
            f"{row.label()} ({_where(row, step)}): {problem.text}.", fix=f"{problem.fix}."
        )
    due = step_due(facts, step, cal)
    is_early = due is not None and on < due and facts.step_date(step) != on
    if is_early and early is None:
        assert due is not None
        raise EarlyStepError(
            f"{row.label()} ({_where(row, step)}): the {step.label} is not due until "
            f"{fmt_day(due)} ({step_due_basis(step, facts)}); {fmt(on)} is before it.",
            fix='record it once it is due, or pass --early --reason "why" to record it '
            "now (the reason goes in the note).",
        )
    return due, is_early


def plan_step(
    plan: ChangePlan,
    row: Row,
    step: Step,
    on: date,
    *,
    writer: str,
    config: Config,
    cal: BusinessCalendar,
    moment: datetime,
    note: str | None = None,
    early: str | None = None,
    document: str | None = None,
) -> Planned:
    """Plan recording `step` for `row` on `on` (check_step's checks first): its date column,
    the Notes line (naming `document`, when given), and the computed columns where the
    sheet has them."""
    due, is_early = check_step(row, step, on, cal, early)
    early_note = (due, early) if is_early and due is not None and early else None
    line = note_line(on, writer, step, note, early=early_note, document=document)
    date_written = row.values.get(step.column) != on
    if date_written:
        plan.set(row, step.column, on)
    note_added = plan_note(plan, row, NoteKind.NOTES, line)
    if note_added and not date_written:
        # The line records the step on the date the row holds already: should the change
        # wait, a teammate's change of that date meanwhile holds the line.
        plan.see(row, step.column)
    # Keep the computed columns true for this agent, where the sheet has them.
    ev = keep_computed(plan, row, {step.column: on}, config, moment, cal)
    return Planned(
        line, date_written, note_added, ev, due, early if early_note is not None else None
    )


def record_step(
    tracker_path: Path,
    config: Config,
    query: str,
    step: Step,
    on: date | None,
    *,
    by: str | None = None,
    note: str | None = None,
    cls: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    early: str | None = None,
    document: Path | None = None,
) -> RecordResult:
    """Record `step` for the agent `query` names, delivered on `on` (else the date of its
    `document`, else today) by `by`. A step before its due date is refused, unless `early`
    gives the reason (it goes in the note); `document`, the step's .docx (or the signed
    scan), is checked to be this agent's, this step's and this day's, and named in the
    Notes line."""
    moment = now or config.now()
    if on is not None:
        refuse_future(on, moment.date(), "a step is recorded once it is delivered")
    given = read_document(document) if document is not None else None
    signer = config.who_signs(by)
    writer = signer.name
    cal = calendar_from(config)
    with write_session(tracker_path, config, keys=READ_KEYS, dry_run=dry_run, signer=writer) as s:
        row = find_agent(s.table, query, cls)
        need_rule_columns(s.table, config, rows=[row])
        day = on or moment.date()
        if given is not None:
            day = check_document(given, row, step, on, moment.date(), s.table)
            refuse_future(day, moment.date(), "a step is recorded once it is delivered")
        done = plan_step(
            s.plan,
            row,
            step,
            day,
            writer=writer,
            config=config,
            cal=cal,
            moment=moment,
            note=note,
            early=early,
            document=given.path.name if given is not None else None,
        )
    return RecordResult(
        agent=row.ref(),
        step=step,
        on=day,
        by=writer,
        note_line=done.line,
        date_written=done.date_written,
        note_added=done.note_added,
        evaluation=done.evaluation,
        write=s.report,
        signed_by=signer,
        due=done.due,
        early_reason=done.early_reason,
        document=given.path.name if given is not None else None,
        not_a_business_day=cal.why_closed(day),
        document_scan=given is not None and given.scan,
        computed_missing=computed_missing(s.table.sheet(row.sheet)) or None,
    )


def _where(row: Row, step: Step) -> str:
    return f"{row.sheet}!row {row.row}, {step.header}"


def _refuse_if_wrong(row: Row, step: Step, on: date) -> None:
    """Refuse to overwrite what the ladder already says, and to record out of order after a
    later step (rules.step_order_error checks the steps before)."""
    if step.column in row.unreadable:
        raw = row.raw.get(step.column)
        shown = repr(raw.code) if isinstance(raw, ErrorValue) else shown_value(raw)
        raise StepOrderError(
            f"{row.label()} ({_where(row, step)}): the cell holds {shown}, which is not a "
            "date; esp will not overwrite it.",
            fix="correct or clear that cell in Excel, then record the step again.",
        )
    current = row.values.get(step.column)
    if current is not None and current != on:
        said = (
            recorded_after(step, current, on)
            if current > on
            else f"the {step.label} is already recorded on {fmt(current)}"
        )
        raise StepOrderError(
            f"{row.label()}: {said} ({_where(row, step)}); esp does not change a recorded step.",
            fix="if that date is wrong, correct the cell in Excel.",
        )
    for later in LADDER[LADDER.index(step) + 1 :]:
        day = row.values.get(later.column)
        if later.column in row.unreadable or day is None:
            continue
        if day < on:
            # As the ladder's check says it of the recorded dates (ladder_conflicts): the
            # step is delivered on or before the later one, or that one is typed wrong.
            conflict = LadderConflict(later, day, step, None)
            raise StepOrderError(
                f"{row.label()} ({_where(row, step)}): the {later.label} is recorded on "
                f"{fmt(day)}, before {fmt(on)}: the {step.label} cannot come after it.",
                fix=f"{conflict.fix}.",
            )
