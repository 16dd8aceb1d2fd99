"""esp advise: the team's advice e-mails to agents, drafted or sent, and noted in the tracker.

`advise_agent` makes one message (an agent and a kind, on demand); `advise_due` makes one for
every agent whose situation calls for it on a day (esp_cli.core.advice.situations) and who has
not been advised of it yet: a Notes line `Advised: <label>` of that kind, written when a
message is saved or sent, means "already advised" — for good (a second run makes nothing).

Choices made where the issue is silent:

- To: the agent's Email column. Cc: the TBT SMEs of the agent's class (every name in the
  class's TBT SME cells), each at the address esp.toml's [people] sme_emails gives it; an
  SME without one is listed and left out of Cc (the tracker has no SME addresses of its own:
  SMEs are Certifiers, not agent rows).
- From: [report] from, else [people] user_email (what `esp report` sends from).
- The Notes line is dated the day the message is made (today), whatever --as-of says: it
  records when the agent was told. It is signed by the signer (--by, else [people] user).
- Without --out or --send, the run only lists what would go to whom (nothing is written,
  no lock is taken). With --dry-run, the same listing plus the draft names and the Notes
  cells that would change.
- When sending fails part-way, the messages already sent are still noted (one write, at
  the end), the one that failed is saved beside the tracker, and the rest are left for the
  next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.addresses import address_spec, not_an_address, split_addresses, unsendable
from esp_cli.core.advice import (
    DUE_KINDS,
    AdviceKind,
    MissingPlaceholderError,
    Template,
    TemplateError,
    advised_on,
    advised_text,
    built_in,
    course_text,
    fill,
    first_name,
    fmt_due,
    parse_template,
    situations,
    to_html,
)
from esp_cli.core.columns import BY_KEY
from esp_cli.core.filenames import next_name
from esp_cli.core.model import AgentRef, Letter
from esp_cli.core.names import file_stem, proof_file_key, proof_file_name
from esp_cli.core.notes import NoteKind, format_line
from esp_cli.core.refs import address
from esp_cli.core.rules import TARGET_CLOCK_DAY, Evaluation, evaluate, why_missing
from esp_cli.errors import (
    ConfigError,
    EspError,
    ExitCode,
    UsageError,
    WriteFailedError,
)
from esp_cli.mail import outgoing as mail
from esp_cli.results.advise import Advice, AdviseResult, Delivery, SharedFileName, Skipped
from esp_cli.results.smes import sme_key
from esp_cli.services.agents import (
    LOOKUP_KEYS,
    TrackerNow,
    agents_for,
    class_key,
    find_agent,
    without_agents_twice,
)
from esp_cli.services.facts import FACT_KEYS, calendar_from, facts_from_row, need_rule_columns
from esp_cli.services.locate import course_searched
from esp_cli.services.notes import plan_note
from esp_cli.services.replay import rows_as_of
from esp_cli.services.smes import class_smes, sme_addresses, sme_cc
from esp_cli.system import command_lines, shell_quote
from esp_cli.workbook.session import ChangePlan, WriteSession, write_session
from esp_cli.workbook.tracker import Row, Table

NOTES = NoteKind.NOTES
SME = "tbt_sme"
READ_KEYS = (*FACT_KEYS, *LOOKUP_KEYS, SME, NOTES.column_key, NoteKind.TBT.column_key)


def load_templates(config: Config) -> dict[AdviceKind, Template]:
    """The built-in templates, each replaced by `<kind>.txt` from [advice] templates when
    that folder has one. Every file is checked now, before any message is made."""
    out = {kind: built_in(kind) for kind in AdviceKind}
    folder = config.advice.templates
    if folder is None:
        return out
    if not folder.is_dir():
        raise ConfigError(
            f"{config.source or 'esp.toml'}: [advice] templates: {folder} is not a folder.",
            fix="create it, or correct the path (one file per kind, e.g. spoc.txt).",
        )
    for kind in AdviceKind:
        path = folder / kind.template_file
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{path}: cannot be read as UTF-8 text ({exc}).") from exc
        out[kind] = parse_template(kind, text, str(path))
    return out


def email_addresses(text: str) -> list[str] | None:
    """Every address in a cell ('ana@x.com', 'Ana <ana@x.com>', 'mailto:ana@x.com'), which
    may hold several (`ana@x.com; ana.l@y.com`, Outlook's way), or None when any of them is
    not a well-formed address (or there is none)."""
    found = [address_spec(piece) for piece in split_addresses(text)]
    if not found or any(a is None for a in found):
        return None
    return [a for a in found if a is not None]


def address_problem(text: str, where: str) -> str | None:
    """Why the addresses of an Email cell (`where` names it) cannot address a message esp
    writes — the one that cannot, when it holds several — else None."""
    pieces = split_addresses(text) or [text]
    found = email_addresses(text)
    why = (
        next(((p, not_an_address(p)) for p in pieces if address_spec(p) is None), None)
        if found is None
        else next(((a, r) for a in found if (r := unsendable(a))), None)
    )
    if why is None:
        return None
    bad, reason = why
    return f"{bad if len(pieces) > 1 else text!r} in {where} {reason}"


@dataclass
class _Run:
    """What every message of a run shares, and what the run has done so far."""

    config: Config
    templates: dict[AdviceKind, Template]
    signer: str
    today: date
    delivery: Delivery
    dry_run: bool
    out: Path | None
    suffix: str  # the drafts' kind: eml or msg (Outlook)
    breakout: str | None
    sender: str | None = None
    server: mail.Server | None = None
    messages: list[Advice] = field(default_factory=list)
    no_address: list[Skipped] = field(default_factory=list)
    refused: list[Skipped] = field(default_factory=list)
    already: list[Skipped] = field(default_factory=list)
    smes_without_address: list[str] = field(default_factory=list)
    failure: str | None = None
    # --sme: the SME, and the waiting changes that gave agents to them or took them.
    sme: str | None = None
    chosen_waiting: list[str] = field(default_factory=list)
    # The tracker as read: what names each agent in a command to run later (agent_words).
    table: Table | None = None
    # Every Advised line of the run planned as the write will plan it, never written: what
    # the write would refuse is refused before a message is made (_check_notes_cell).
    trial: ChangePlan | None = None
    _taken: set[Path] = field(default_factory=set)
    _lines: dict[tuple[str, int], tuple[Row, list[str]]] = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        return self.delivery is not Delivery.LIST

    def coordinator(self) -> tuple[str | None, str | None]:
        """The Cert Coordinator's name and address; without [people] coordinator, the
        signer's own (the one who sends the message)."""
        cfg = self.config
        if cfg.coordinator:
            return cfg.coordinator, cfg.coordinator_email
        return self.signer, cfg.user_email

    def values(self, row: Row, due: date | None) -> dict[str, str | None]:
        name = row.name if "agent_name" not in row.unreadable else ""
        coordinator, coordinator_email = self.coordinator()
        return {
            "first_name": first_name(name),
            "agent_name": " ".join(name.split()) or None,
            "file_name": proof_file_name(name),
            "spoc_phone": self.config.spoc_phone,
            "learning_hub_link": self.config.advice.learning_hub_link,
            "coordinator_name": coordinator,
            "coordinator_email": coordinator_email,
            "course": course_text(course_searched(row.raw.get(NoteKind.TBT.column_key))),
            "due_date": fmt_due(due),
            "breakout": self.breakout or self.config.advice.breakout,
            "signer": self.signer,
        }

    def draft_path(self, stem: str) -> Path:
        """A new file name in --out: never an existing file, nor one taken in this run."""
        assert self.out is not None
        candidate = self.out / f"{stem}.{self.suffix}"
        while _exists(candidate) or candidate in self._taken:
            candidate = next_name(candidate)
        self._taken.add(candidate)
        return candidate


def _exists(path: Path) -> bool:
    """Whether `path` exists; a name the system refuses (too long) does not, and writing
    it says why."""
    try:
        return path.exists()
    except OSError:
        return False


def _cell(s: WriteSession, agent: Row | AgentRef, key: str) -> str:
    """The address of the agent's cell of column `key` ('ESP Tracker'!D4), or of the row
    when the sheet has no such column."""
    col = s.table.sheet(agent.sheet).col(key)
    return address(agent.sheet, agent.row, col) if col else f"{agent.sheet}!row {agent.row}"


def _check_notes_cell(run: _Run, s: WriteSession, row: Row, note: str) -> None:
    """Raise what the write would raise for the message's Advised line (a Notes cell that
    holds a formula or shows an error, merged cells, a protected sheet, Excel's limits with
    the lines of this run before it, ...), before the message is made, so that no message
    goes unnoted: the line is planned as the write plans it, on a trial plan of its own."""
    if run.trial is None:
        run.trial = s.plan.trial()
    with run.trial.unit():
        plan_note(run.trial, row, NOTES, note)


def _no_address(s: WriteSession, row: Row) -> tuple[str, str] | None:
    """Why the agent's Email cell gives no address, and the fix (None: it does)."""
    where = _cell(s, row, "email")
    if s.table.sheet(row.sheet).col("email") is None:
        return (
            f"no e-mail address ({row.sheet} has no Email column)",
            "add an Email column with the agent's address.",
        )
    if "email" in row.unreadable:
        return f"the Email cell {where} cannot be read", f"type the agent's address in {where}."
    text = row.text("email").strip()
    if not text:
        return f"no e-mail address ({where} is empty)", f"type the agent's address in {where}."
    why = address_problem(text, where)
    if why is not None:
        return why, f"correct {where}: one address, or several separated by ';'."
    return None


# The placeholders the agent's row gives, by the column that gives them.
_ROW_VALUES = {
    "first_name": "agent_name",
    "agent_name": "agent_name",
    "file_name": "agent_name",
    "due_date": "esp_start",
}


def _missing(s: WriteSession, row: Row, exc: MissingPlaceholderError) -> tuple[str, str]:
    """Why a message lacks a value, without the agent's name (the line names them), and the
    fix, with the cell when the agent's row gives the value."""
    key = _ROW_VALUES.get(exc.key)
    if key is None:
        return exc.reason, exc.fix or ""
    where = _cell(s, row, key)
    state = why_missing(key, row.unreadable, row.uncalculated)
    header = BY_KEY[key].header
    return f"{exc.reason} ({header} {where} {state})", f"fill in the {header} in {where}."


def _make(
    run: _Run,
    s: WriteSession,
    row: Row,
    kind: AdviceKind,
    due: date | None,
    cc: tuple[str, ...],
    *,
    strict: bool,
) -> None:
    """Make, deliver and note one message (or list it, or say why it cannot be made). With
    `strict` (one agent asked for), a reason not to make it is an error instead."""
    ref = row.ref()
    unaddressed = _no_address(s, row)
    if unaddressed is not None:
        why, fix = unaddressed
        if strict:
            said = f"{ref.name} has {why}" if why.startswith("no ") else f"{ref.name}: {why}"
            raise EspError(f"{said}: the message cannot be addressed.", fix=fix)
        run.no_address.append(Skipped(ref, kind, why, fix=fix))
        return
    note = format_line(NOTES, run.today, run.signer, advised_text(kind))
    try:
        subject, text = fill(run.templates[kind], run.values(row, due), ref.name)
    except MissingPlaceholderError as exc:
        if strict:
            raise
        reason, fix = _missing(s, row, exc)
        run.refused.append(Skipped(ref, kind, reason, missing=exc.key, fix=fix))
        return
    try:
        _check_notes_cell(run, s, row, note)
    except EspError as exc:
        # Whatever the write would refuse for this line refuses only this agent: a part of
        # the workbook the write cannot change is changed for no other agent either.
        if strict:
            raise type(exc)(
                f"{ref.name}'s Advised line cannot be written to Notes, so no message was "
                f"made: {exc.message}",
                fix=exc.fix,
            ) from exc
        run.refused.append(Skipped(ref, kind, exc.message, fix=exc.fix))
        return
    to_all = email_addresses(row.text("email"))
    assert to_all is not None
    to = ", ".join(to_all)
    html = to_html(subject, text)
    advice = Advice(ref, kind, to, cc, subject, text, html, note)
    if run.writes:
        delivered = _deliver(run, s, advice, strict=strict)
        if delivered is None:
            return  # the agent's address was refused: listed, not noted
        advice = delivered
        if advice.file is None and not advice.sent and not run.dry_run:
            return  # sending failed: the message is saved, not noted
    run.messages.append(advice)
    if run.writes:
        run._lines.setdefault((row.sheet, row.row), (row, []))[1].append(note)


def _deliver(run: _Run, s: WriteSession, advice: Advice, *, strict: bool) -> Advice | None:
    """Save or send one message. A draft that cannot be written stops the run (`strict`:
    raises) with the drafts before it still noted, as a failed send does. A message the
    server took but refused for some recipients is sent when the agent (To) has it — who
    did not get it is said — and None (listed as refused) when the agent does not."""
    assert run.sender is not None
    env = mail.Envelope(run.sender, tuple(split_addresses(advice.to)), advice.cc)
    stem = file_stem(run.today, advice.agent.name, advice.kind.heading)
    # The Date header carries its offset: the machine's clock says the moment right.
    message = mail.build_message(
        env, Letter(advice.subject, advice.text, advice.html, stem), datetime.now()
    )
    fallback = mail.fallback_path(s.path, stem)
    if run.delivery is Delivery.DRAFT:
        path = run.draft_path(stem)
        as_msg = run.suffix == "msg"
        box = mail.Outbox(None if as_msg else path, path if as_msg else None, dry_run=run.dry_run)
        try:
            mail.post(message, env, box, fallback, "The message")
        except WriteFailedError as exc:
            if strict:
                raise
            run.failure = f"{advice.agent.name} ({advice.kind.value}): {exc}"
            return advice
        return replace(advice, file=path)
    if run.dry_run:
        return advice
    try:
        done = mail.post(message, env, mail.Outbox(server=run.server), fallback, "The message")
    except mail.SendError as exc:
        run.failure = f"{advice.agent.name} ({advice.kind.value}): {exc}"
        return advice
    if not done.refused:
        return replace(advice, sent=done.sent)
    agent = [a for t in env.to if (a := address_spec(t) or t) not in done.refused]
    words = f"the server refused {done.refused_words}; {done.refused_copy_words}"
    if not agent:
        # The agent was not told: not noted, so the next run tells them (the Cc have it).
        got = ", ".join(done.sent_to)
        where = _cell(s, advice.agent, "email")
        run.refused.append(
            Skipped(
                advice.agent,
                advice.kind,
                f"{words} (sent only to {got})",
                fix=f"check the agent's address in {where}; the next run sends it again.",
            )
        )
        return None
    return replace(advice, sent=True, not_delivered=words)


def _plan_notes(run: _Run, s: WriteSession) -> None:
    """Every Advised line of the run, appended to each agent's Notes in one change."""
    for row, lines in run._lines.values():
        for line in lines:
            with s.plan.unit():  # each message's line on its own, should it wait
                plan_note(s.plan, row, NOTES, line)
    s.plan.sort()


def _start(
    config: Config,
    *,
    by: str | None,
    today: date,
    out: Path | None,
    send: bool,
    dry_run: bool,
    breakout: str | None,
    draft: str,
) -> _Run:
    if out is not None and send:
        raise UsageError("--out and --send both given.", fix="save drafts (--out) or --send.")
    delivery = Delivery.SEND if send else Delivery.DRAFT if out is not None else Delivery.LIST
    run = _Run(
        config=config,
        templates=load_templates(config),
        signer=config.signer(by),
        today=today,
        delivery=delivery,
        dry_run=dry_run or delivery is Delivery.LIST,
        out=out,
        suffix=draft,
        breakout=" ".join(breakout.split()) if breakout else None,
    )
    if delivery is not Delivery.LIST:
        run.sender = mail.checked_sender(config)
    if delivery is Delivery.SEND:
        run.server = mail.server(config)  # a bad [smtp] fails before anything is made
    if delivery is Delivery.DRAFT:
        assert out is not None
        mail.check_target(out, "--out", folder=True)  # with a dry run too
    if delivery is Delivery.DRAFT and not run.dry_run:
        assert out is not None
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteFailedError(
                f"{out}: the drafts folder cannot be made ({exc.strerror}).",
                fix="give --out a folder you can write to.",
            ) from exc
    return run


def _session(tracker_path: Path, config: Config, run: _Run) -> AbstractContextManager[WriteSession]:
    return write_session(
        tracker_path,
        config,
        keys=READ_KEYS,
        dry_run=run.dry_run,
        write=run.delivery is not Delivery.LIST,
        signer=run.signer,
    )


@contextmanager
def _told_if_not_noted(run: _Run) -> Iterator[None]:
    """Messages sent or drafts saved, then the tracker not written (open in Excel, changed
    since it was read): say who was e-mailed (or drafted) and how to record their Advised
    lines without doing it again, since running the command again would."""
    try:
        yield
    except EspError as exc:
        done = [m for m in run.messages if m.sent or m.file is not None] if not run.dry_run else []
        if not done:
            raise
        assert run.table is not None  # read before any message is made
        now = TrackerNow(run.table, run.config)  # a save meanwhile may have moved the rows
        commands = command_lines(
            now.command(
                m.agent,
                "esp note add",
                f"{shell_quote(advised_text(m.kind))} --by {shell_quote(run.signer)}",
            )
            for m in done
        )
        names = ", ".join(f"{m.agent.name} ({m.kind.value})" for m in done)
        when = "once the workbook is closed" if exc.exit_code is ExitCode.BUSY else "then"
        sent = run.delivery is Delivery.SEND
        what = f"Sent {len(done)} message(s)" if sent else f"Saved {len(done)} draft(s)"
        again, twice = ("--send", "e-mailed") if sent else ("--out", "drafted")
        raise type(exc)(
            f"{what} — {names} — but their Advised lines were not written to Notes: {exc.message}",
            fix=f"do not run advise {again} again for them (they would be {twice} twice); "
            f"{when}, record them:{commands}",
        ) from exc


def _shared_file_names(run: _Run, rows: Iterable[Row]) -> list[SharedFileName]:
    """The transcript file names the run's messages tell (their template names
    {file_name}) that another agent of `rows` is told too, Windows taking them as one
    whatever their case (proof_file_key): esp tbt proofs would refuse such a file."""
    told = {
        proof_file_key(m.agent.name)
        for m in run.messages
        if "file_name" in run.templates[m.kind].keys
    } - {None}
    if not told:
        return []
    alike: dict[str, list[Row]] = {}
    for row in rows:
        if not row.has_identity or "agent_name" in row.unreadable:
            continue
        key = proof_file_key(row.name)
        if key is not None and key in told:
            alike.setdefault(key, []).append(row)
    return [
        SharedFileName(
            tuple(dict.fromkeys(proof_file_name(r.name) or "" for r in same)),
            tuple(r.ref() for r in same),
        )
        for same in alike.values()
        if len(same) > 1
    ]


def _result(run: _Run, s: WriteSession, as_of: date) -> AdviseResult:
    return AdviseResult(
        as_of=as_of,
        delivery=run.delivery,
        messages=run.messages,
        no_address=run.no_address,
        refused=run.refused,
        already_advised=run.already,
        smes_without_address=run.smes_without_address,
        findings=list(s.table.findings),
        write=s.report,
        failure=run.failure,
        sme=run.sme,
        chosen_waiting=run.chosen_waiting,
        shared_file_names=_shared_file_names(run, s.table.rows()),
    )


def _cc(
    run: _Run, smes: Sequence[str], addresses: dict[str, tuple[str, ...]], missing: set[str]
) -> tuple[str, ...]:
    cc, without = sme_cc(smes, addresses)
    for name in without:
        if sme_key(name) not in missing:
            missing.add(sme_key(name))
            run.smes_without_address.append(name)
    return cc


def advise_agent(
    tracker_path: Path,
    config: Config,
    query: str,
    kind: AdviceKind,
    *,
    as_of: date,
    now: datetime,
    cls: str | None = None,
    by: str | None = None,
    breakout: str | None = None,
    out: Path | None = None,
    send: bool = False,
    dry_run: bool = False,
    today: date | None = None,
    draft: str = "eml",
) -> AdviseResult:
    """One message of `kind` to the agent `query` names, whatever the day's situation (the
    SME asks for it). A reason it cannot be made is an error naming it."""
    run = _start(
        config,
        by=by,
        today=today or config.today(),
        out=out,
        send=send,
        dry_run=dry_run,
        breakout=breakout,
        draft=draft,
    )
    addresses = sme_addresses(config)
    cal = calendar_from(config)
    with _told_if_not_noted(run), _session(tracker_path, config, run) as s:
        run.table = s.table
        row = find_agent(s.table, query, cls)
        need_rule_columns(s.table, config, rows=[row])
        ev = evaluate(facts_from_row(row), as_of, now, cal, spoc_phone=config.spoc_phone)
        due = cal.clock_day(ev.clock_start, TARGET_CLOCK_DAY - 1) if ev.clock_start else None
        smes = class_smes(r for r in s.table.rows() if class_key(r.cls) == class_key(row.cls))
        cc = _cc(run, smes.get(class_key(row.cls), []), addresses, set())
        _make(run, s, row, kind, due, cc, strict=True)
        if run.writes:
            _plan_notes(run, s)
    result = _result(run, s, as_of)
    if result.failure is not None:
        raise mail.SendError(result.failure)
    return result


def advise_due(
    tracker_path: Path,
    config: Config,
    *,
    as_of: date,
    now: datetime,
    cls: str | None = None,
    sme: str | None = None,
    by: str | None = None,
    breakout: str | None = None,
    out: Path | None = None,
    send: bool = False,
    dry_run: bool = False,
    today: date | None = None,
    draft: str = "eml",
) -> AdviseResult:
    """A message for every agent (of `cls`; of the TBT SME `sme`) whose situation calls for
    advice on `as_of` and whose Notes hold no earlier Advised line of that kind."""
    run = _start(
        config,
        by=by,
        today=today or config.today(),
        out=out,
        send=send,
        dry_run=dry_run,
        breakout=breakout,
        draft=draft,
    )
    addresses = sme_addresses(config)
    cal = calendar_from(config)
    missing: set[str] = set()
    with _told_if_not_noted(run), _session(tracker_path, config, run) as s:
        run.table = s.table
        all_rows = list(s.table.rows())
        smes = class_smes(all_rows)
        rows, run.sme, run.chosen_waiting = agents_for(s.table, cls, sme, s.counted)
        need_rule_columns(s.table, config, rows=rows if cls or sme else None)
        # a past day: the access columns as they were then (services.replay)
        then = {(r.sheet, r.row): r for r in rows_as_of(s.table, config, as_of, rows)}
        calls: list[tuple[Row, Evaluation, list[AdviceKind]]] = []
        for row in rows:
            if not row.has_identity:
                continue
            facts = facts_from_row(then[(row.sheet, row.row)])
            ev = evaluate(facts, as_of, now, cal, spoc_phone=config.spoc_phone)
            kinds = [k for k in situations(facts, ev, as_of) if k in DUE_KINDS]
            if kinds:
                calls.append((row, ev, kinds))
        # An agent on two sheets (a copy of the tab) would be advised twice, or from a stale
        # row when only that one is due: left out, said, before any message is made; the
        # others are advised. Her other row is looked for among every agent, whatever
        # --class and --sme chose.
        kept = {
            (r.sheet, r.row)
            for r in without_agents_twice(
                [row for row, _ev, _k in calls],
                s.table.path.name,
                "esp advise --due advises neither",
                among=all_rows,
            )
        }
        calls = [c for c in calls if (c[0].sheet, c[0].row) in kept]
        for row, ev, kinds in calls:
            notes = row.raw.get(NOTES.column_key)
            todo = []
            for kind in kinds:
                before = advised_on(notes, kind)
                if before is None:
                    todo.append(kind)
                else:
                    run.already.append(
                        Skipped(row.ref(), kind, "advised before", advised_on=before)
                    )
            if not todo or run.failure is not None:
                continue  # after a failed send, the rest wait for the next run
            due = cal.clock_day(ev.clock_start, TARGET_CLOCK_DAY - 1) if ev.clock_start else None
            cc = _cc(run, smes.get(class_key(row.cls), []), addresses, missing)
            for kind in todo:
                if run.failure is None:
                    _make(run, s, row, kind, due, cc, strict=False)
        if run.writes:
            _plan_notes(run, s)
    return _result(run, s, as_of)
