"""esp document: the ladder's documents as Word files, from the team's own templates.

`document_one` makes the document of one step for one agent (AGENT STEP, on --date D);
`document_due` makes one for every agent whose pending step is due on the day. Each is a
.docx filled in from the step's template (core/documents.py says with what), optionally an
unsent e-mail to the agent with it attached, and optionally the step recorded in the tracker
naming it (as `esp record-step --document` does), in one write.

Choices made where the issue is silent:

- D is --date, else the step's recorded date when it is recorded (the document of a step
  already delivered, made again), else today. With --due it is the day (--as-of).
- A step is documented only on a day the ladder would record it (record-step's checks:
  the steps before it recorded, not before it falls due, never over a different recorded
  date); an agent complete by D, or whose ladder cannot be evaluated, gets none.
- The templates a run uses are read and checked — placeholders, Jinja tags, a trial fill —
  before anything is written: a template the team broke stops the run, not halfway. Each is
  compiled then, once: every document of the run is filled from it (services/word_template).
- A dry run fills each agent's template in — what the run would refuse, it refuses — and
  puts no Word file together.
- A document is `YYYY-MM-DD First Last - Documented coaching.docx` in --out (default: the
  folder esp runs in), its drafts beside it under the same name. esp never writes over a
  file: for one agent that is an error; --due lists the agent as already made, so running
  it again makes nothing new.
- The e-mail: To the agent's Email, Cc the class's TBT SMEs at their [people] sme_emails
  addresses (an SME without one is listed and left out, as esp advise does), From [report]
  from else [people] user_email; saved, never sent: the deliverer reads it first.
- --record writes every step of the run in one write, after the documents are saved;
  should that write fail (the tracker open in Excel), the documents stay and the message
  says how to record them.
"""

from __future__ import annotations

import functools
import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

from esp_cli.config import Config
from esp_cli.core import documents as docs
from esp_cli.core.advice import to_html
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.columns import BY_KEY, Kind
from esp_cli.core.documents import (
    MissingFactError,
    StepDocument,
    TemplateError,
    check_placeholders,
    filled,
    heading,
    ladder_dates,
)
from esp_cli.core.filenames import explorer_order
from esp_cli.core.model import Letter, Signer
from esp_cli.core.names import file_stem
from esp_cli.core.notes import NoteKind
from esp_cli.core.refs import address
from esp_cli.core.rules import (
    LADDER,
    Evaluation,
    RecordedLater,
    Step,
    as_of,
    evaluate,
    fmt,
    fmt_day,
    recorded_later_words,
    step_due,
)
from esp_cli.errors import (
    ConfigError,
    EarlyStepError,
    EspError,
    UsageError,
    WorkbookBusyError,
    WriteFailedError,
)
from esp_cli.mail import outgoing as mail
from esp_cli.results.document import DaySource, Document, DocumentResult, NotMade
from esp_cli.services.advise import address_problem, email_addresses
from esp_cli.services.agents import (
    LOOKUP_KEYS,
    TrackerNow,
    agents_for,
    class_key,
    command_for,
    find_agent,
    sme_names,
    without_agents_twice,
)
from esp_cli.services.escalations import COMPUTED_KEYS
from esp_cli.services.facts import FACT_KEYS, calendar_from, facts_from_row, need_rule_columns
from esp_cli.services.notes import refuse_future
from esp_cli.services.record import (
    Planned,
    check_document,
    check_step,
    file_tag,
    names_in_files,
    plan_step,
    read_document,
    refuse_closed_ladder,
)
from esp_cli.services.replay import rows_as_of
from esp_cli.services.smes import SME, class_smes, sme_addresses, sme_cc
from esp_cli.services.word import word_problem
from esp_cli.services.word_template import PartError, PartSyntaxError, WordTemplate
from esp_cli.system import command_lines, create_file_atomically, shell_quote
from esp_cli.workbook.session import ChangePlan, WriteSession, write_session
from esp_cli.workbook.tracker import Row, Table

READ_KEYS = (*FACT_KEYS, *LOOKUP_KEYS, SME, NoteKind.NOTES.column_key, *COMPUTED_KEYS)
DOCX = ".docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DRAFT_KINDS = ("eml", "msg")
_END_OF_DAY = time(23, 59)
# A document dated more than this many business days after today is said (a date typed
# wrong); the next day's, prepared the day before, is not.
FAR_AHEAD = 3


# -- the templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTemplate:
    """One step's Word template, read, checked and compiled."""

    step: Step
    data: bytes
    source: str  # 'built-in' or the file
    names: frozenset[str]  # the placeholders it uses
    word: WordTemplate = field(repr=False, compare=False)  # what each document is filled from


def built_in_template(step: Step) -> bytes:
    """The template esp ships for `step` (package data, made by scripts/make_templates.py)."""
    return resources.files("esp_cli").joinpath("templates", docs.TEMPLATE_FILES[step]).read_bytes()


def _environment(*, escaped: bool = True) -> Any:
    """Jinja as the documents use it: a value esp does not have is an error, never a blank
    (StrictUndefined), and values are escaped for the document's XML (`escaped`; not in
    its properties, plain text that python-docx escapes itself)."""
    from jinja2 import Environment, StrictUndefined

    return Environment(undefined=StrictUndefined, autoescape=escaped)


_WRITE_TAGS = (
    "write a placeholder as {{ agent_name }}, a repeated paragraph as "
    "{%p for line in missing %} ... {%p endfor %} (see esp config templates)"
)


def read_template(step: Step, data: bytes, source: str, *, trial: bool = True) -> StepTemplate:
    """A template checked: a Word document, its Jinja tags readable, every placeholder one
    esp knows (core/documents.PLACEHOLDERS), and (`trial`) a trial fill that goes through (a
    typo in `{{ s.dat }}` shows here, before anything is written)."""
    from jinja2 import TemplateSyntaxError, meta

    problem = word_problem(data)
    if problem is not None:
        raise TemplateError(
            f"{source}: not a Word document esp can read ({problem}).",
            fix="open it in Word and Save As Word Document (.docx).",
        )
    env = _environment()
    try:
        word = WordTemplate(data)  # parsed once for the run
        names = word.placeholders(env)
        props = word.properties
        for text in (props["title"], props["subject"], props["author"], props["comments"]):
            if text:
                names |= meta.find_undeclared_variables(env.parse(text))
        known = check_placeholders(names, source)
        # Compiled once for the run: every document of the step is filled from it.
        word.compile(env, _environment(escaped=False))
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"{source}: a placeholder cannot be read ({exc.message}).", fix=_WRITE_TAGS + "."
        ) from exc
    except PartSyntaxError as exc:
        raise TemplateError(
            f"{source}: a placeholder in {exc.where} cannot be read ({exc.message}).",
            fix=f"{_WRITE_TAGS}; an {{% if %}} or {{% for %}} ends in the part it starts in "
            "(the body, a header, a footer, the footnotes, the endnotes, the comments).",
        ) from exc
    except PartError as exc:
        raise TemplateError(f"{source}: {exc.message}.", fix=exc.fix) from exc
    checked = StepTemplate(step, data, source, known, word)
    if trial:
        example = _example(step)
        fill(checked, docs.values(example), "esp", docs.stamp(example))
    # The template parsed to be checked and compiled leaves cycles of XML objects behind
    # (megabytes of styles); esp collects rarely (cli.main): they go now.
    gc.collect(1)
    return checked


def load_templates(config: Config, steps: Sequence[Step]) -> dict[Step, StepTemplate]:
    """The templates of `steps`: each the [documents] templates folder's file when it has
    one, else the built-in one; every one checked before any document is made."""
    folder = config.document_templates
    if folder is not None and not folder.is_dir():
        raise ConfigError(
            f"{config.source or 'esp.toml'}: [documents] templates: {folder} is not a folder.",
            fix="create it (esp config templates FOLDER copies the built-in templates into "
            "it), or correct the path.",
        )
    out: dict[Step, StepTemplate] = {}
    for step in dict.fromkeys(steps):
        path = folder / docs.TEMPLATE_FILES[step] if folder is not None else None
        if path is not None and path.is_file():
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise TemplateError(f"{path}: cannot be read ({exc.strerror}).") from exc
            out[step] = read_template(step, data, str(path))
        else:
            # The built-in ones are filled by the tests: no trial fill on every run.
            out[step] = read_template(step, built_in_template(step), "built-in", trial=False)
    return out


def stray_templates(config: Config, used: dict[Step, StepTemplate]) -> list[str]:
    """What to say of the .docx files in the templates folder whose name is no step's: a
    template saved as 'Written CAP.docx' is never read, its step uses the built-in one."""
    folder = config.document_templates
    if folder is None or not folder.is_dir():
        return []
    from esp_cli.services.record import parse_step

    files = docs.TEMPLATE_FILES
    said = []
    for path in sorted(folder.iterdir(), key=explorer_order):
        if path.suffix.lower() != DOCX or path.name.startswith("~$") or path.name in files.values():
            continue
        try:
            step = parse_step(path.stem)
        except UsageError:
            said.append(
                f"{path}: no step's template (esp reads {', '.join(files.values())}): not used."
            )
            continue
        wanted = folder / files[step]
        if wanted.is_file() and path.samefile(wanted):
            continue  # a folder that ignores case (Windows): it is the one read
        source = used[step].source if step in used else "built-in"
        shown = "the built-in one" if source == "built-in" else source
        said.append(
            f"{path}: not read; the {docs.in_text(step)}'s template is {wanted.name} (this run "
            f"used {shown}): rename it {wanted.name} to use it."
        )
    return said


def fill(template: StepTemplate, values: dict[str, Any], deliverer: str, stamp: str) -> bytes:
    """The document: the template with `values` filled in, as the bytes of a .docx that
    carries `stamp` (whose, which step's and which day's it is: docs.read_stamp)."""
    now = _utc_now()
    # Its properties after the template's own (title, author, ...): the document's.
    properties = {
        "created": now, "modified": now, "last_modified_by": deliverer, "revision": 1,
        "identifier": stamp,
    }  # fmt: skip
    with _template_errors(template):
        return template.word.fill(values, properties)


@contextmanager
def _template_errors(template: StepTemplate) -> Iterator[None]:
    """A value the template asks for that esp does not have, said as the template's error;
    so is a document the template cannot make with this agent's values (a File › Info
    property over Word's 255 characters, a tag whose filled-in part is no longer XML Word
    reads, a cell holding '{{' that the template fills in twice)."""
    from jinja2 import TemplateError as JinjaError
    from jinja2 import UndefinedError

    try:
        yield
    except UndefinedError as exc:
        raise TemplateError(
            f"{template.source}: {exc.message}.",
            fix=f"use only {', '.join(docs.PLACEHOLDERS)}; a step of delivered or ahead "
            "has .step and .date.",
        ) from exc
    except (JinjaError, SyntaxError, ValueError) as exc:  # lxml's XMLSyntaxError: a SyntaxError
        raise TemplateError(
            f"{template.source}: the document cannot be made from it with this agent's "
            f"values ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}).",
            fix="check the template in Word: a File › Info property the values make longer "
            "than 255 characters, an {%p if %} or {%tr %} tag that opens and closes in "
            "different places (a paragraph and a table), or '{{' or '{%' typed in the "
            "agent's cells.",
        ) from exc


def _utc_now() -> datetime:
    """Now in UTC, to the second: a document's created and modified times (Word reads them
    as UTC, and shows them in the reader's own time)."""
    return datetime.now(UTC).replace(microsecond=0)


def _example(step: Step) -> StepDocument:
    """A document with every fact filled in, for the trial fill of a template."""
    day = date(2026, 11, 25)
    recorded = dict.fromkeys(LADDER[: LADDER.index(step)], day)
    delivered, ahead = [], []
    for s in LADDER:
        if s in recorded:
            delivered.append(docs.DatedStep(s, day))
        elif s is not step:
            ahead.append(docs.DatedStep(s, day))
    return StepDocument(
        agent_name="Agent Example", agent_id="E1", n_number="N1", class_name="C1",
        tbt_sme="SME Example", esp_start=day, clock_start=day, target_passed=day,
        call_cert_complete=False, tbts_complete=False, tbt_hours=1.0, access_issue="Other",
        step=step, on=day, delivered=tuple(delivered), ahead=tuple(ahead),
        deliverer="Deliverer Example",
    )  # fmt: skip


def save_templates(folder: Path) -> list[Path]:
    """Copy the built-in templates into `folder` for the team to edit (never over a file
    that is there: the team's own wording is kept)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailedError(
            f"{folder}: the folder cannot be made ({exc.strerror}).",
            fix="give a folder you can write to.",
        ) from exc
    saved = []
    for step in LADDER:
        path = folder / docs.TEMPLATE_FILES[step]
        if path.exists():
            continue
        _write_new(path, built_in_template(step))
        saved.append(path)
    return saved


# -- one document ------------------------------------------------------------------------------


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file atomically; one that is there is never written over, even one
    made while esp wrote this one (a teammate's in a shared folder)."""
    try:
        made = not path.exists() and create_file_atomically(path, data, hidden=False)
    except OSError as exc:
        raise WriteFailedError(
            f"{path}: cannot be written ({exc.strerror}).", fix="check the folder and its rights."
        ) from exc
    if not made:
        raise WriteFailedError(
            f"{path}: already there; esp never writes over a file.",
            fix="move or rename it, or give another --out folder.",
        )


@dataclass
class _Run:
    """What every document of a run shares, and what the run has made so far."""

    config: Config
    signer: Signer
    cal: BusinessCalendar
    out: Path
    drafts: tuple[str, ...]  # eml, msg: the e-mails made with each document
    record: bool
    dry_run: bool
    note: str | None
    sender: str | None = None
    addresses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    made: list[Document] = field(default_factory=list)
    already: list[NotMade] = field(default_factory=list)
    refused: list[NotMade] = field(default_factory=list)
    # --due on a day replayed: the steps due then and recorded on a later day.
    recorded_later: list[NotMade] = field(default_factory=list)
    smes_without_address: list[str] = field(default_factory=list)
    template_warnings: list[str] = field(default_factory=list)
    # --sme: the SME, and the waiting changes that gave agents to them or took them.
    sme: str | None = None
    chosen_waiting: list[str] = field(default_factory=list)
    # How many agents of the tracker have each name as a file name holds it (name_key).
    names_in_files: Counter[str] = field(default_factory=Counter)
    taken: set[str] = field(default_factory=set)  # the file names of this run, folded
    # The tracker as read: what names each agent in a command to run later (agent_words).
    table: Table | None = None
    # Every step of the run planned as the write will plan it, never written (_trial).
    trial: ChangePlan | None = None

    def paths(self, stem: str) -> list[Path]:
        return [self.out / f"{stem}{DOCX}", *(self.out / f"{stem}.{k}" for k in self.drafts)]


@dataclass(frozen=True)
class _Candidate:
    """An agent's step to document on `on`: `row` as it is (what is written), `then` as it
    was on `on` (what the document states: the access columns replayed, services.replay)."""

    row: Row
    step: Step
    on: date
    then: Row


def _start(
    config: Config,
    *,
    by: str | None,
    out: Path,
    drafts: Sequence[str],
    record: bool,
    dry_run: bool,
    note: str | None,
) -> _Run:
    unknown = [k for k in drafts if k not in DRAFT_KINDS]
    if unknown:
        raise UsageError(f"{unknown[0]!r} is not a kind of draft.", fix="use eml or msg.")
    run = _Run(
        config=config,
        signer=config.who_signs(by),
        cal=calendar_from(config),
        out=out,
        drafts=tuple(dict.fromkeys(drafts)),
        record=record,
        dry_run=dry_run,
        note=note,
    )
    mail.check_target(out, "--out", folder=True)  # with a dry run too
    if run.drafts:
        run.sender = mail.checked_sender(config)  # a bad setting fails before any work
        run.addresses = sme_addresses(config)
    return run


def _evaluated(row: Row, on: date, run: _Run) -> Evaluation:
    moment = datetime.combine(on, _END_OF_DAY)
    return evaluate(
        facts_from_row(row),
        on,
        moment,
        run.cal,
        spoc_phone=run.config.spoc_phone,
        read_on=run.config.today(),
    )


def _facts(wanted: _Candidate, run: _Run) -> StepDocument:
    """The document's facts, once the ladder allows documenting the step on its day (else an
    error saying why)."""
    row, step, on = wanted.row, wanted.step, wanted.on
    ev = _evaluated(row, on, run)
    refuse_closed_ladder(row, ev, on, "document")
    assert ev.clock_start is not None and ev.target_date is not None  # evaluable
    try:
        check_step(row, step, on, run.cal)
    except EarlyStepError as exc:
        due = step_due(facts_from_row(row), step, run.cal)
        assert run.table is not None  # the agent was found in it
        early = command_for(
            run.table,
            row,
            "esp record-step",
            f'{step.value} --date {on:%Y-%m-%d} --early --reason "why"',
        )
        raise EarlyStepError(
            exc.message,
            fix=(f"give --date {due:%Y-%m-%d} or later, or " if due else "")
            + f"record it early first ({early}), then make its document.",
        ) from exc
    facts = facts_from_row(row)
    recorded = {s: d for s in LADDER if (d := facts.step_date(s)) is not None}
    delivered, ahead = ladder_dates(recorded, step, on, run.cal)
    assert facts.esp_start is not None  # evaluable
    then, _ = as_of(facts, on)  # completion as the ladder saw it on D: a later yes is not yet
    return StepDocument(
        agent_name=row.name if "agent_name" not in row.unreadable else "",
        agent_id=row.text("agent_id") if "agent_id" not in row.unreadable else "",
        n_number=row.text("n_number") if "n_number" not in row.unreadable else "",
        class_name=row.cls,
        tbt_sme=", ".join(sme_names(row.raw.get(SME))) if SME not in row.unreadable else "",
        esp_start=facts.esp_start,
        clock_start=ev.clock_start,
        target_passed=ev.target_date,
        call_cert_complete=then.call_cert_complete is True,
        tbts_complete=then.tbts_complete is True,
        tbt_hours=facts.tbt_hours,
        access_issue=_evaluated(wanted.then, on, run).access_issue,
        step=step,
        on=on,
        delivered=delivered,
        ahead=ahead,
        deliverer=run.signer.name,
    )


def _address(row: Row) -> tuple[str, ...] | None:
    """The agent's address(es) from the Email column, or None when it gives none."""
    if "email" in row.unreadable:
        return None
    found = email_addresses(row.text("email").strip())
    return tuple(found) if found else None


def _exists(path: Path) -> bool:
    """Whether `path` exists; a name the system refuses (too long) does not, and writing
    it says why."""
    try:
        return path.exists()
    except OSError:
        return False


def _tag(run: _Run, s: WriteSession, row: Row) -> str:
    """What the agent's file names carry after the name (file_tag): their Agent ID (else
    row) for namesakes and long names the same once cut; else nothing."""
    if not run.names_in_files:
        run.names_in_files.update(names_in_files(s.table.rows()))
    return file_tag(row, run.names_in_files)


def _stem(run: _Run, s: WriteSession, row: Row, step: Step, on: date) -> str:
    """The document's file name (without its extension): the agent's name and its tag
    (_tag), so every agent has a name of their own in every run; never one already taken
    in this run."""
    stem = base = file_stem(on, row.name, heading(step), _tag(run, s, row))
    n = 2
    while stem.casefold() in run.taken:
        stem = f"{base} ({n})"
        n += 1
    run.taken.add(stem.casefold())
    return stem


def _trial(run: _Run, s: WriteSession) -> ChangePlan:
    """The run's trial plan: every step of the run planned on it first, as the write will
    plan it, and never written. What the write would refuse for an agent (a formula in the
    date or Notes cell, merged cells, a protected sheet, ...) is raised there, before any
    cell of theirs is planned: an agent refused has none of their cells written."""
    if run.trial is None:
        run.trial = s.plan.trial()
    return run.trial


def _recorder(run: _Run, wanted: _Candidate, docx: Path) -> Callable[[ChangePlan], Planned]:
    """Plan recording the step (--record) naming its document, on a plan."""
    return functools.partial(
        plan_step, row=wanted.row, step=wanted.step, on=wanted.on, writer=run.signer.name,
        config=run.config, cal=run.cal, moment=run.config.now(), note=run.note,
        document=docx.name,
    )  # fmt: skip


def _made_before(
    run: _Run,
    s: WriteSession,
    smes: dict[str, list[str]],
    wanted: _Candidate,
    paths: Sequence[Path],
    *,
    strict: bool,
) -> _Made | None:
    """The step's document is already there (made earlier; a run stopped before the
    tracker was written, or between the document and its e-mail): once it is checked to be
    this agent's, this step's and this day's, its step recorded naming it (--record) and
    the drafts asked for that are not there made with it attached (returned, to be saved
    with the run's); never made again."""
    row, step, on = wanted.row, wanted.step, wanted.on
    ref, docx = row.ref(), paths[0]
    drafts = tuple(p for p in paths[1:] if not _exists(p))
    note = None
    try:
        given = read_document(docx)
        check_document(given, row, step, on, on, s.table)
        facts = _facts(wanted, run)  # the ladder allows it
        to, cc = _recipients(run, row, smes) if drafts else ((), ())
        data = docx.read_bytes() if drafts else b""
        if run.record:
            record = _recorder(run, wanted, docx)
            record(_trial(run, s))
            note = record(s.plan).line
    except OSError as exc:
        raise WriteFailedError(
            f"{docx}: cannot be read ({exc.strerror}).", fix="check the folder and its rights."
        ) from exc
    except EspError as exc:
        if strict:
            raise
        run.refused.append(NotMade(ref, step, exc.message, file=docx, fix=exc.fix))
        return None
    run.already.append(
        NotMade(ref, step, "already made", file=docx, note=note, drafts=drafts or None)
    )
    if not drafts:
        return None
    document = Document(
        ref, step, on, docx, drafts, ", ".join(to), cc, "", facts, note
    )  # fmt: skip
    return _Made(document, facts, data, docx.stem, to, kept=True)


def _recipients(
    run: _Run, row: Row, smes: dict[str, list[str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The drafts' To (the agent's Email) and Cc (the class's TBT SMEs with an address);
    an agent without a usable address is an EspError saying so."""
    found = _address(row)
    typed = row.text("email").strip() if "email" not in row.unreadable else ""
    unusable = address_problem(typed, "the Email column") if typed else None
    if found is None or unusable:
        why = (
            f"{row.name}'s {unusable}: no draft to address"
            if unusable
            else f"{row.name} has no e-mail address in the Email column: no draft to address"
        )
        fix = (
            "correct the agent's Email column: one address, or several separated by ';'."
            if unusable
            else "fill in the agent's Email column, or leave out --eml/--msg."
        )
        raise EspError(f"{why}.", fix=fix)
    cc, without = sme_cc(smes.get(class_key(row.cls), []), run.addresses)
    run.smes_without_address += [n for n in without if n not in run.smes_without_address]
    return found, cc


@dataclass(frozen=True)
class _Made:
    """A document filled in and its step planned, waiting to be saved with the others."""

    document: Document
    facts: StepDocument
    data: bytes  # the .docx (none in a dry run)
    stem: str
    to: tuple[str, ...]  # the agent's address(es), for the drafts
    kept: bool = False  # the .docx was there already: only its drafts are saved


def _make(
    run: _Run,
    s: WriteSession,
    templates: dict[Step, StepTemplate],
    smes: dict[str, list[str]],
    wanted: _Candidate,
    *,
    strict: bool,
) -> _Made | None:
    """Fill one document in and plan recording its step (--record), or say why not (None);
    nothing is saved yet. With `strict` (one agent asked for), a reason not to make it is an
    error instead."""
    row, step, on = wanted.row, wanted.step, wanted.on
    ref = row.ref()
    paths = run.paths(_stem(run, s, row, step, on))
    there = next((p for p in paths if _exists(p)), None)
    if there is not None:
        drafts_wanted = any(not _exists(p) for p in paths[1:])
        if (run.record or drafts_wanted) and paths[0].is_file():
            return _made_before(run, s, smes, wanted, paths, strict=strict)
        if strict:
            raise WriteFailedError(
                f"{there}: already there; esp never writes over a file.",
                fix="move or rename it to make the document again, or give another --out folder.",
            )
        run.already.append(NotMade(ref, step, "already made", file=there))
        return None
    stem = paths[0].stem
    try:
        facts = _facts(wanted, run)
        values = filled(facts, templates[step].names)
        record = _recorder(run, wanted, paths[0])
        if run.record:
            record(_trial(run, s))  # whatever the write would refuse for this agent
    except EspError as exc:
        if strict:
            raise
        missing = exc.key if isinstance(exc, MissingFactError) else None
        run.refused.append(NotMade(ref, step, exc.message, missing=missing, fix=exc.fix))
        return None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    if run.drafts:
        try:
            to, cc = _recipients(run, row, smes)
        except EspError as exc:
            if strict:
                raise
            run.refused.append(NotMade(ref, step, exc.message.rstrip("."), fix=exc.fix))
            return None
    # A namesake without an Agent ID: the stamp carries the row, as the file name does.
    by_row = row.row if _tag(run, s, row) == docs.row_tag(row.row) else None
    stamp = docs.stamp(facts, by_row, row.sheet)
    # Made as the run makes it, in a dry run too (dropped there, nothing saved): what the
    # run would refuse for this agent — a value the template lacks, a property Word cannot
    # hold, a header the filled-in tags leave unreadable — the dry run refuses.
    data = fill(templates[step], values, run.signer.name, stamp)
    if run.dry_run:
        data = b""
    docx_path, draft_paths = paths[0], tuple(paths[1:])
    note = None
    if run.record:
        note = record(s.plan).line
    document = Document(
        ref, step, on, docx_path, draft_paths, ", ".join(to), cc,
        templates[step].source, facts, note,
    )  # fmt: skip
    run.made.append(document)
    return _Made(document, facts, data, stem, to)


def _save(run: _Run, s: WriteSession, made: Sequence[_Made]) -> None:
    """Every document of the run and its drafts, once all are made and their steps planned
    (a run that stops before this saved nothing)."""
    if run.dry_run or not made:
        return
    _prepare_out(run)
    for one in made:
        if not one.kept:
            _write_new(one.document.file, one.data)
        if run.drafts:
            _draft(run, s, one)


def _draft(run: _Run, s: WriteSession, one: _Made) -> None:
    """The unsent e-mail to the agent with the document attached, saved as each draft."""
    assert run.sender is not None
    doc = one.document
    name = doc.file.name
    subject, text = docs.letter_text(one.facts, name)
    env = mail.Envelope(run.sender, one.to, doc.cc)
    letter = Letter(subject, text, to_html(subject, text), one.stem)
    # The Date header carries its offset: the machine's clock says the moment right.
    message = mail.build_message(env, letter, datetime.now())
    mail.attach_data(message, name, one.data, DOCX_TYPE)
    eml = next((p for p in doc.drafts if p.suffix == ".eml"), None)
    msg = next((p for p in doc.drafts if p.suffix == ".msg"), None)
    fallback = mail.fallback_path(s.path, one.stem)
    mail.post(message, env, mail.Outbox(eml, msg), fallback, "The e-mail")


@contextmanager
def _told_if_not_recorded(run: _Run) -> Iterator[None]:
    """Documents saved, then the tracker not written (open in Excel, changed since it was
    read): they stay, and the message says how to record them."""
    try:
        yield
    except EspError as exc:
        saved = [d for d in run.made if d.file.exists()] if run.record and not run.dry_run else []
        if not saved:
            raise
        # Each agent as record-step finds exactly them, a namesake too, in the tracker as
        # it is now (a save meanwhile may have moved the rows).
        assert run.table is not None  # read before any document is made
        now = TrackerNow(run.table, run.config)
        commands = command_lines(
            now.command(
                d.agent, "esp record-step", f"{d.step.value} --document {shell_quote(str(d.file))}"
            )
            for d in saved
        )
        names = ", ".join(d.file.name for d in saved)
        when = " once the workbook is free" if isinstance(exc, WorkbookBusyError) else ""
        raise type(exc)(
            f"Saved {len(saved)} document(s) — {names} — but their steps were not recorded: "
            f"{exc.message}",
            fix=f"record them{when}: run the same esp document command with --record again "
            f"(it records the documents already made), or:{commands}",
        ) from exc


def _prepare_out(run: _Run) -> None:
    if run.dry_run:
        return
    try:
        run.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailedError(
            f"{run.out}: the folder cannot be made ({exc.strerror}).",
            fix="give --out a folder you can write to.",
        ) from exc


def _ahead(cal: BusinessCalendar, today: date, on: date) -> int | None:
    """How many business days after `today` a document dated `on` is, when more than
    FAR_AHEAD (prepared ahead is fine; a year typed wrong is said); else None."""
    ahead = cal.elapsed(today, on)
    return ahead if ahead > FAR_AHEAD else None


def _refuse_day_off(cal: BusinessCalendar, on: date, today: date, record: bool) -> None:
    """--due is for a business day: a step falls due on one, and its document is dated the
    day it is delivered. A day off is refused, naming the business days around it."""
    why = cal.why_closed(on)
    if why is None:
        return
    before, after = cal.add(on, 0), cal.next_business_day(on)

    def offer(day: date) -> str:  # a day still to come is one to prepare
        what = f"to prepare {day:%A}'s" if day > today else f"for {day:%A}'s documents"
        return f"--as-of {day:%Y-%m-%d} {what}"

    fix = f"give {offer(before)}"
    if not record or after <= today:  # a step is never recorded ahead of its day
        fix += f", or {offer(after)}"
    raise UsageError(
        f"{fmt_day(on)} is not a business day ({why}): --due dates each document on the day "
        "it is delivered, a business day.",
        fix=fix + ".",
    )


def _result(
    run: _Run, s: WriteSession, on: date, today: date, day_from: DaySource
) -> DocumentResult:
    """The run's result for day `on`, saying when the day is not a business day or is far
    ahead of `today`."""
    return DocumentResult(
        on=on,
        folder=run.out,
        documents=run.made,
        already_made=run.already,
        refused=run.refused,
        recorded_later=run.recorded_later,
        smes_without_address=run.smes_without_address,
        template_warnings=run.template_warnings,
        recorded=run.record,
        findings=list(s.table.findings),
        # Without --record the tracker is only read: the run is a dry run when asked to be.
        write=s.report if run.record else replace(s.report, dry_run=run.dry_run),
        signed_by=run.signer,
        not_a_business_day=run.cal.why_closed(on),
        business_days_ahead=_ahead(run.cal, today, on),
        sme=run.sme,
        chosen_waiting=run.chosen_waiting,
        day_from=day_from,
    )


def document_one(
    tracker_path: Path,
    config: Config,
    query: str,
    step: Step,
    on: date | None = None,
    *,
    out: Path,
    cls: str | None = None,
    by: str | None = None,
    drafts: Sequence[str] = (),
    record: bool = False,
    note: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
) -> DocumentResult:
    """The document of `step` for the agent `query` names, delivered on `on` (else the
    step's recorded date, else today); a reason it cannot be made is an error."""
    today = today or config.today()
    run = _start(config, by=by, out=out, drafts=drafts, record=record, dry_run=dry_run, note=note)
    if record and on is not None:
        refuse_future(on, today, "a step is recorded once it is delivered")
    templates = load_templates(config, [step])
    run.template_warnings = stray_templates(config, templates)
    with (
        _told_if_not_recorded(run),
        write_session(
            tracker_path, config, keys=READ_KEYS, dry_run=dry_run, write=record,
            signer=run.signer.name,
        ) as s,
    ):  # fmt: skip
        run.table = s.table
        row = find_agent(s.table, query, cls)
        need_rule_columns(s.table, config, rows=[row])
        recorded = row.values.get(step.column)
        day = on or recorded or today
        if record:
            refuse_future(day, today, "a step is recorded once it is delivered")
        smes = class_smes(r for r in s.table.rows() if class_key(r.cls) == class_key(row.cls))
        # a past day: the access columns as they were then (services.replay)
        (then,) = rows_as_of(s.table, config, day, [row], today=today)
        made = _make(run, s, templates, smes, _Candidate(row, step, day, then), strict=True)
        _save(run, s, [made] if made is not None else [])
    day_from: DaySource = "--date" if on else "recorded" if recorded else "today"
    return _result(run, s, day, today, day_from)


def due_steps(rows: Sequence[Row], then: Sequence[Row], on: date, run: _Run) -> list[_Candidate]:
    """The agents of `rows` whose pending ladder step is due on `on` (not yet recorded), each
    with it and the row as it was on `on` (`then`, in the order of `rows`)."""
    found = []
    for row, was in zip(rows, then, strict=True):
        if not row.has_identity:
            continue
        ev = _evaluated(row, on, run)
        step, due = ev.pending_step, ev.pending_due
        if not ev.complete and not ev.evaluable:
            # With a clock started by `on`, a step may be due: said, with the cells.
            # Without one (an ESP Start Date empty or unreadable: listed apart, as the
            # evening report does), or with a clock that starts after `on`, nothing is due.
            started = ev.clock_start is not None and ev.clock_start <= on
            unread = _unread_cells(row, run) if started else []
            if unread:
                cells = ", ".join(shown for shown, _kind in unread)
                run.refused.append(
                    NotMade(
                        row.ref(),
                        None,
                        f"{row.label()} ({row.sheet}!row {row.row}): the escalation ladder "
                        f"cannot be evaluated ({ev.reason}), so esp cannot tell which step is "
                        f"due (the cell{'s' if len(unread) > 1 else ''}: {cells})",
                        fix=f"correct the cell in Excel ({_wanted(k for _s, k in unread)}; esp "
                        "doctor shows what it holds), then make the document.",
                    )
                )
            continue
        if ev.complete or step is None or due is None or due > on:
            continue
        later = _recorded_after(row, step, on)
        if later is not None:
            # A replay: delivered after `on`, its document of that day; said, not made.
            run.recorded_later.append(_made_later(run, row, later, due, on))
            continue
        found.append(_Candidate(row, step, on, was))
    return found


# The cells the ladder reads once there is a clock: one that cannot be read keeps an agent
# from being evaluated.
_LADDER_KEYS = ("call_cert_complete", "tbts_complete", *(s.column for s in LADDER))


def _unread_cells(row: Row, run: _Run) -> list[tuple[str, Kind]]:
    """The cells of `row` the ladder needs that esp cannot read, each as 'Sheet'!G3
    ('12/21') with its column's kind."""
    assert run.table is not None
    sheet = run.table.sheet(row.sheet)
    out = []
    for key in _LADDER_KEYS:
        col = sheet.col(key)
        if key in row.unreadable and col:
            raw = row.raw.get(key)
            typed = f" ({str(raw).strip()!r})" if raw is not None else ""
            out.append((f"{address(row.sheet, row.row, col)}{typed}", BY_KEY[key].kind))
    return out


def _wanted(kinds: Iterable[Kind]) -> str:
    """What the unreadable cells should hold, by their kind: Yes or No in a Complete? cell,
    a date as MM/DD/YYYY in a date cell."""
    seen = set(kinds)
    flags, dates = Kind.YESNO in seen, bool(seen - {Kind.YESNO})
    if flags and dates:
        return "Yes or No in a Complete? cell, a date as MM/DD/YYYY in a date cell"
    return "Yes or No" if flags else "a date as MM/DD/YYYY"


def _recorded_after(row: Row, step: Step, on: date) -> RecordedLater | None:
    """`step` and its day when it is recorded after `on` (replaying a past day), else None.
    A date before the clock start is not: the step is pending, and making its document says
    why it cannot be."""
    day = row.values.get(step.column)
    return RecordedLater(step, day) if isinstance(day, date) and day > on else None


def _made_later(run: _Run, row: Row, later: RecordedLater, due: date, on: date) -> NotMade:
    """The step due on `on` and recorded later: no document of `on`; its own day's is made
    by the command for one agent (the step's recorded date)."""
    assert run.table is not None
    step = later.step.value.replace("_", "-")
    command = command_for(run.table, row, "esp document", step)
    return NotMade(
        row.ref(),
        later.step,
        f"due {fmt(due)} ({recorded_later_words(later, on, later.step)}).",
        fix=f"{command} makes it for the day it was recorded",
    )


def document_due(
    tracker_path: Path,
    config: Config,
    *,
    on: date,
    out: Path,
    cls: str | None = None,
    sme: str | None = None,
    by: str | None = None,
    drafts: Sequence[str] = (),
    record: bool = False,
    dry_run: bool = False,
    today: date | None = None,
) -> DocumentResult:
    """A document for every agent (of `cls`; of the TBT SME `sme`) whose pending step is due
    on `on`; none for an agent whose step is recorded, nor over a document already made."""
    today = today or config.today()
    if record:
        refuse_future(on, today, "a step is recorded once it is delivered", "--as-of")
    run = _start(config, by=by, out=out, drafts=drafts, record=record, dry_run=dry_run, note=None)
    _refuse_day_off(run.cal, on, today, record)
    with (
        _told_if_not_recorded(run),
        write_session(
            tracker_path, config, keys=READ_KEYS, dry_run=dry_run, write=record,
            signer=run.signer.name,
        ) as s,
    ):  # fmt: skip
        run.table = s.table
        rows, run.sme, run.chosen_waiting = agents_for(s.table, cls, sme, s.counted)
        need_rule_columns(s.table, config, rows=rows if cls or sme else None)
        # a past day: the access columns as they were then (services.replay)
        wanted = due_steps(rows, rows_as_of(s.table, config, on, rows, today=today), on, run)
        # An agent on two sheets (a copy of the tab) would get two documents, or one from a
        # stale row when only that one is due: left out, said, before any is made; the
        # others' are made. Her other row is looked for among every agent, whatever --class
        # and --sme chose.
        kept = {
            (r.sheet, r.row)
            for r in without_agents_twice(
                [c.row for c in wanted],
                s.table.path.name,
                "esp document --due makes neither's",
                among=s.table.rows(),
            )
        }
        wanted = [c for c in wanted if (c.row.sheet, c.row.row) in kept]
        templates = load_templates(config, [c.step for c in wanted])
        run.template_warnings = stray_templates(config, templates)
        smes = class_smes(s.table.rows())
        made = [_make(run, s, templates, smes, c, strict=False) for c in wanted]
        _save(run, s, [m for m in made if m is not None])
        if record:
            s.plan.sort()
    return _result(run, s, on, today, "--as-of")
