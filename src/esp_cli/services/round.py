"""esp round: the day's status from many agents in one sitting, written in one write.

The tracker is read once, without esp's lock (the person may take an hour; Excel and the
other esp commands must not wait), with the changes already waiting beside it counted.
Each outstanding agent of the class or SME is shown from that reading; what is typed
becomes an answer (esp_cli.core.answers), and each agent's answers are kept at once as a
waiting operation beside the tracker (esp_cli.workbook.waiting), each answer a unit — a
change and the note line that documents it go in both or neither. So Ctrl-C, a crash or a
busy tracker loses nothing, and every teammate's esp counts the answers as they are typed.
At the end every waiting change is written in ONE write_session, each cell checked against
what was shown: a cell changed meanwhile is a conflict, shown and not overwritten, and its
agent's answers wait on. When the file has not changed since it was read, the write uses
that reading (no second read).

`esp round --resume` writes what waits (as esp apply does); `esp round --discard` drops the
signer's round answers still waiting. A journal an older esp left beside the tracker
(`.Name.xlsx.esp-round.jsonl`) becomes waiting operations the first time esp round runs.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from esp_cli import system
from esp_cli.config import Config
from esp_cli.core import answers as A
from esp_cli.core.answers import AgentAnswers, Answer, Effect, Key, Op, Typed
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.columns import BY_KEY, alias_table
from esp_cli.core.model import AgentRef, is_issue, is_spoc_issue
from esp_cli.core.notes import NoteKind, appended, format_line, lines_of, parse_line
from esp_cli.core.oplog import Facts
from esp_cli.core.refs import address
from esp_cli.core.rules import (
    ACTION_LABELS,
    END_OF_DAY,
    LADDER,
    ActionKind,
    Evaluation,
    done_by,
    evaluate,
    fmt,
    ladder_conflicts,
    recorded_after,
    recorded_later_than,
    recorded_later_words,
    step_order_error,
)
from esp_cli.core.values import Unreadable, text_of
from esp_cli.core.waiting import APPEND, ROUND_WHY, SET, WaitingCell, WaitingOp, note_text
from esp_cli.core.words import overdue_words
from esp_cli.errors import EspError, InputFileError, UsageError
from esp_cli.results.round import AgentCard, NotApplied, RoundConflict, RoundResult
from esp_cli.services.access import (
    ACCESS,
    CALLBACK,
    INCIDENT,
    SPOC_CALLED,
    allowed_values,
    match_issue,
)
from esp_cli.services.agents import (
    LOOKUP_KEYS,
    Chosen,
    RowFinder,
    agents_for,
    moved_by_waiting,
    rows_of_sme,
    same_person,
    say_held_for_sme,
    without_agents_twice,
)
from esp_cli.services.computed import REEVALUATE_KEYS
from esp_cli.services.escalations import (
    COMPUTED_KEYS,
    computed_cells,
    partial_computed,
    plan_computed,
)
from esp_cli.services.facts import (
    FACT_KEYS,
    calendar_from,
    facts_from_row,
    need_rule_columns,
    read_keys,
)
from esp_cli.services.smes import SME
from esp_cli.workbook import waiting
from esp_cli.workbook.session import seen_value, write_session
from esp_cli.workbook.tracker import (
    HEADER_SCAN_ROWS,
    IDENTITY_KEYS,
    Row,
    Table,
    answer_over,
    answer_over_refusal,
    answers_refusal,
    find_header,
    read_cell,
    read_table,
)
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.patch import check_cell_text
from esp_cli.workbook.xlsx.workbook import Workbook, workbook_file

log = logging.getLogger("esp")

NOTES = NoteKind.NOTES
TBT = NoteKind.TBT
CALL_CERT_DATE = "call_cert_date"
TBT_DATE = "tbt_complete_date"
# The columns a round writes (and so checks before writing).
WRITE_KEYS = (
    NOTES.column_key,
    TBT.column_key,
    ACCESS,
    SPOC_CALLED,
    INCIDENT,
    CALLBACK,
    "call_cert_complete",
    CALL_CERT_DATE,
    "tbts_complete",
    TBT_DATE,
    *(step.column for step in LADDER),
)
READ_KEYS = (*LOOKUP_KEYS, *FACT_KEYS, SME, *WRITE_KEYS, *COMPUTED_KEYS)
# What every row is parsed for: choosing the agents, and the notes shown.
SELECT_KEYS = (
    *LOOKUP_KEYS,
    SME,
    "call_cert_complete",
    "tbts_complete",
    NOTES.column_key,
    TBT.column_key,
)
DETAIL_KEYS = tuple(dict.fromkeys(k for k in READ_KEYS if k not in SELECT_KEYS))
# Applying a journal: the agents, the cells it writes, and what the computed columns need.
APPLY_KEYS = tuple(dict.fromkeys((*LOOKUP_KEYS, *FACT_KEYS, *WRITE_KEYS, *COMPUTED_KEYS)))
# Answers after which the rules may say something else: the computed columns (Escalation
# Stage, Next Action, Next Action Due), where the sheet has them, are brought up to date.
REEVALUATE = frozenset({Key.STEP, Key.ACCESS, Key.SPOC, Key.CALL_CERT, Key.TBTS})
JOURNAL_VERSION = 1
_STEPS = frozenset(step.value for step in LADDER)


def journal_path(tracker: Path) -> Path:
    """Where an older esp kept a round's answers: `.Name.xlsx.esp-round.jsonl`."""
    return tracker.with_name(f".{tracker.name}.esp-round.jsonl")


ROUND_COMMAND = "esp round"


# ------------------------------------------------------------- answers kept as they are typed


def namesake_facts(finder: RowFinder, row: Row, agent: AgentAnswers, table: Table) -> Facts | None:
    """For an agent (`row`, a row of the table `finder` reads) with namesakes nothing of who
    they are tells apart, what does (an ESP Start Date), the cells the answers write aside:
    recorded with each answer, as every other write records it, so that the answers find
    the agent's row again, and never a namesake's."""
    if not finder.has_namesakes(row):
        return None
    sheet = table.sheet(row.sheet)
    written = {sheet.col(e.key) for a in agent.answers for e in a.effects}
    return finder.facts(row, {c for c in written if c is not None})


def answer_units(
    agent: AgentAnswers, row: Row, table: Table, facts: Facts | None = None
) -> list[list[WaitingCell]]:
    """An agent's answers as a waiting operation's units, one per answer: each effect a
    cell of the agent's row, with the value it held when shown (and `facts`: see
    namesake_facts)."""
    sheet = table.sheet(row.sheet)
    who = row.ref()
    units: list[list[WaitingCell]] = []
    for answer in agent.answers:
        cells = []
        for effect in answer.effects:
            col = sheet.col(effect.key) or 0
            append = effect.op is Op.APPEND
            cells.append(
                WaitingCell(
                    row.sheet,
                    row.row,
                    col,
                    row.label(),
                    " ".join(row.cls.split()),
                    sheet.headers.get(col, BY_KEY[effect.key].header),
                    effect.key,
                    APPEND if append else SET,
                    row.raw.get(effect.key) if append else seen_value(row, effect.key),
                    effect.value,
                    who.agent_id,
                    who.email,
                    who.n_number,
                    facts,
                )
            )
        units.append(cells)
    return units


class Keeper:
    """Each agent's answers, kept beside the tracker the moment they are typed: one waiting
    operation per agent, made anew when the answers change (the new one kept before the
    old one goes, so nothing is ever lost). A dry run keeps them in memory only."""

    def __init__(
        self,
        store: waiting.Store,
        signer: str,
        digest: str,
        *,
        dry_run: bool = False,
        dated: date | None = None,
    ) -> None:
        self.store = store
        self.signer = signer
        self.digest = digest
        self.dry_run = dry_run
        self.dated = dated  # a round typed for an earlier day (--date): its answers' day
        self.kept: dict[tuple[str, int], WaitingOp] = {}
        self.written_meanwhile: list[str] = []  # ops another write wrote during the round
        # The answers each kept operation holds, and those another write has written
        # (kept by identity: an answer undone and typed again is a new one).
        self._held: dict[tuple[str, int], list[Answer]] = {}
        self._written: dict[tuple[str, int], list[Answer]] = {}
        self._finding: tuple[Table, RowFinder] | None = None

    @property
    def ops(self) -> list[WaitingOp]:
        return list(self.kept.values())

    def _finder(self, table: Table) -> RowFinder:
        """The finder of `table`'s rows (one per reading of the tracker)."""
        if self._finding is None or self._finding[0] is not table:
            self._finding = (table, RowFinder(table))
        return self._finding[1]

    def record(self, agent: AgentAnswers, row: Row, table: Table) -> None:
        """Keep the agent's answers anew, but for those another write has written during
        the round (a teammate's write writes what waits): kept again, they would be
        judged against the first reading of the row and conflict with themselves."""
        key = (agent.sheet, agent.row)
        old = self.kept.pop(key, None)
        if old is not None and not self.dry_run and self.store.recorded([old]):
            self._written.setdefault(key, []).extend(self._held.get(key, []))
            self.written_meanwhile.append(old.op)
        written = self._written.get(key, [])
        fresh = [a for a in agent.answers if not any(a is w for w in written)]
        fresh_agent = replace(agent, answers=fresh)
        facts = namesake_facts(self._finder(table), row, fresh_agent, table)
        units = answer_units(fresh_agent, row, table, facts)
        self._held[key] = fresh
        if any(units):
            op = waiting.new_op(
                self.store,
                units,
                signer=self.signer,
                why=ROUND_WHY,
                digest=self.digest,
                taken=[o.op for o in self.kept.values()],
                dated=self.dated,
            )
            self.kept[key] = op if self.dry_run else self.store.keep(op)
        if old is not None and not self.dry_run:
            self.store.remove(old)


def adopt_journal(tracker: Path, config: Config) -> int:
    """Turn a round's journal an older esp left beside the tracker into waiting operations
    (one per agent), then set the journal aside in the backups folder. Returns how many
    agents' answers now wait (0: no journal)."""
    path = journal_path(tracker)
    if not path.exists():
        return 0
    kept = read_journal(path)
    if kept.agents:
        wb = Workbook.open(tracker)
        table = read_table(wb, config.columns, keys=APPLY_KEYS)
        store = waiting.Store(wb.path, config.backup_dir)
        finder = RowFinder(table)
        for agent in kept.agents:
            row, _why = finder.find(_ref(agent))
            facts = namesake_facts(finder, row, agent, table) if row is not None else None
            if row is None:
                row = Row(agent.sheet, agent.row, agent.cls, {}, {})
                row.values["agent_name"] = agent.agent
            # The values shown then, as the journal kept them, are what esp saw.
            for key, shown in agent.shown.items():
                if shown is not None:
                    row = _with_shown(row, key, shown, wb.date1904)
            units = answer_units(agent, row, table, facts) if row.sheet in _sheets(table) else []
            if units:
                op = waiting.new_op(
                    store, units, signer=kept.by or None, why=ROUND_WHY, digest=wb.pkg.digest
                )
                store.keep(replace(op, command=f"{ROUND_COMMAND} (kept by an older esp)"))
    archive_journal(path, tracker, config)
    return len(kept.agents)


def _sheets(table: Table) -> set[str]:
    return {s.name for s in table.sheets}


def _with_shown(row: Row, key: str, shown: Any, date1904: bool) -> Row:
    raw = A.decode(shown) if isinstance(shown, dict) and set(shown) == {"date"} else shown
    if isinstance(shown, dict) and "datetime" in shown:
        raw = datetime.fromisoformat(shown["datetime"])
    values = dict(row.values)
    bad = set(row.unreadable)
    try:
        parsed = read_cell(key, raw, date1904)
        if parsed is not None:
            values[key] = parsed
        bad.discard(key)
    except Unreadable:
        bad.add(key)
    return Row(
        row.sheet,
        row.row,
        row.cls,
        {**row.raw, key: raw},
        values,
        frozenset(bad),
        row.uncalculated - {key},  # what the card shows for it is a value
    )


def _ref(agent: AgentAnswers) -> AgentRef:
    return AgentRef(
        agent.agent,
        agent.cls,
        agent.sheet,
        agent.row,
        agent.agent_id,
        agent.email,
        agent.n_number,
    )


# ------------------------------------------------------------------- an older esp's journal


@dataclass
class JournalContents:
    path: Path
    started: str
    by: str
    agents: list[AgentAnswers]
    damaged_lines: int  # lines that could not be read (a crash mid-line)

    @property
    def answers(self) -> int:
        return sum(len(a.answers) for a in self.agents)


def read_journal(path: Path) -> JournalContents:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"No round to resume: {path.name} is not beside the tracker.",
            fix="start one with esp round --class CLASS (or --sme NAME).",
        ) from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror}).") from exc
    header: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    damaged = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if "esp_round" in data:
                header = header or data
            else:
                A.agent_from(data)  # checks the shape
                entries.append(data)
        except (ValueError, KeyError, TypeError):
            damaged += 1
    return JournalContents(
        path,
        str(header.get("started", "")),
        str(header.get("by", "")),
        A.latest_answers(entries),
        damaged,
    )


def archive_journal(journal: Path, tracker: Path, config: Config) -> Path:
    """Move an older esp's journal into the backup folder, named by time."""
    folder = safety.backup_dir_for(tracker, config.backup_dir)
    system.make_folder(folder, like=tracker.parent)
    # Named on the machine's clock, as the backups beside it are.
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S_%f")
    target = folder / f"{tracker.name}.round-{stamp}.jsonl"
    os.replace(journal, target)
    # As many as the backups kept by count ([backup] keep_count; the names sort by time),
    # found by the exact name given above: another tracker's (an .xlsm named alike) never
    # match. The one just archived always stays, as the backup a write makes does.
    mine = re.compile(re.escape(tracker.name) + r"\.round-\d{4}-\d\d-\d\d_\d{6}_\d{6}\.jsonl")
    kept = sorted(p for p in folder.iterdir() if mine.fullmatch(p.name))
    for old in kept[: max(len(kept) - config.backup_keep_count, 0)]:
        if old.name != target.name:
            old.unlink(missing_ok=True)
    return target


def drop_rounds(tracker: Path, config: Config, signer: str) -> list[str]:
    """Drop `signer`'s round answers still waiting, unwritten (each recorded)."""
    store = waiting.Store(workbook_file(tracker), config.backup_dir)
    return [store.drop(op.op, signer).op for op in round_ops(store, signer)]


def waiting_now(tracker: Path, config: Config) -> list[WaitingOp]:
    """Every change waiting beside the tracker, oldest first."""
    return waiting.Store(workbook_file(tracker), config.backup_dir).unwritten().ops


def round_ops(store: waiting.Store, signer: str | None = None) -> list[WaitingOp]:
    """The waiting operations made by esp round (by `signer`, when given)."""
    mine = [o for o in store.unwritten().ops if o.command.startswith(ROUND_COMMAND)]
    if signer is not None:
        key = " ".join(signer.split()).casefold()
        mine = [o for o in mine if " ".join((o.signer or "").split()).casefold() == key]
    return mine


# ---------------------------------------------------------------------- reading, cards


def read_for_round(tracker_path: Path, config: Config) -> Table:
    """The tracker as the round reads it: once, without esp's lock. The sheets stay in
    memory so the final write need not read the file again if it has not changed.

    Every row is parsed only for what chooses the agents (class, TBT SME, completion) and
    what is shown (notes); `add_details` parses the rest for the agents chosen, from the
    same scan of the sheet."""
    wb = Workbook.open(tracker_path)
    wb.pkg.keep_scanned = True
    aliases = alias_table(config.columns)
    wanted = {*READ_KEYS, *IDENTITY_KEYS, "class"}
    for info in wb.sheets:
        if not info.visible:
            continue
        found = find_header(wb.values(info, nrows=HEADER_SCAN_ROWS), aliases)
        if found is not None:
            yes_no = found.yes_no(wanted)  # each header naming one: read_table chooses
            wb.preload(
                info,
                {c for k, c in found.columns.items() if k in wanted}
                | {c for cols in yes_no.values() for c in cols},
            )
    return read_table(wb, config.columns, keys=SELECT_KEYS)


def add_details(table: Table, rows: Iterable[Row]) -> None:
    """Parse the rules' columns and those a round writes for these rows (in place)."""
    read_keys(table, rows, DETAIL_KEYS)


def _outstanding(row: Row) -> bool:
    return not (row.get("call_cert_complete") is True and row.get("tbts_complete") is True)


def _outstanding_on(row: Row, day: date) -> bool:
    """Outstanding at the end of a past `day`, as `escalations --as-of` replays it: started
    by then, and not complete by then (a completion dated after it was not yet)."""
    start = row.get("esp_start")
    if isinstance(start, date) and start > day:
        return False
    return not (
        done_by(row.get("call_cert_complete"), row.get("call_cert_date"), day)
        and done_by(row.get("tbts_complete"), row.get("tbt_complete_date"), day)
    )


def select_agents(
    table: Table,
    cls: str | None,
    sme: str | None,
    signer: str | None,
    past: date | None = None,
    counted: waiting.Overlay | None = None,
) -> Chosen:
    """The outstanding agents of the class and/or SME; with neither, the signer's agents
    when the signer is a TBT SME in the tracker. `past`: a round for that earlier day —
    the agents outstanding then (their dates read for it). With them, the SME's name and
    the changes waiting beside the tracker (`counted`, on the rows) that gave agents to
    the SME or took them."""
    if sme is None and cls is None:
        rows = list(table.rows())
        mine = rows_of_sme(rows, signer) if signer else []
        if not mine:
            who = f"{signer} is not a TBT SME in {table.path.name}" if signer else "no signer"
            raise UsageError(
                f"Which agents? {who}.",
                fix="pass --class CLASS or --sme NAME (or --by with your name as in TBT SME).",
            )
        assert signer is not None  # mine: the signer's
        say_held_for_sme(rows, signer, counted)
        chosen = Chosen(mine, signer, moved_by_waiting(rows, signer, counted))
    else:
        # The agents chosen as for every command (agents_for): a usage error lists the SMEs.
        chosen = agents_for(table, cls, sme, counted)
    if past is not None:
        add_details(table, chosen.rows)
        return chosen._replace(rows=[r for r in chosen.rows if _outstanding_on(r, past)])
    return chosen._replace(rows=[r for r in chosen.rows if _outstanding(r)])


def last_lines(kind: NoteKind, raw: Any, count: int = 2) -> tuple[str, ...]:
    """The `count` most recent lines of a notes cell, oldest first: by their date where
    they are in the team's format (then by place), else the last ones of the cell."""
    lines = lines_of(raw if isinstance(raw, str) else None)
    dated = [(p.day, i, p) for i, ln in enumerate(lines) if (p := parse_line(kind, ln))]
    if not dated:
        return tuple(" ".join(ln.split()) for ln in lines[-count:])
    newest = sorted(dated, key=lambda t: (t[0], t[1]))[-count:]
    return tuple(format_line(kind, p.day, p.author, p.text) for _, _, p in newest)


def self_report(row: Row, day: date) -> str | None:
    """The agent's own Notes line of `day`, if there is one (the last of them)."""
    raw = row.raw.get(NOTES.column_key)
    found = None
    for text in lines_of(raw if isinstance(raw, str) else None):
        line = parse_line(NOTES, text)
        if line is not None and line.day == day and same_person(line.author, row.name):
            found = line.text
    return found


def due_lines(ev: Evaluation) -> tuple[str, ...]:
    """What is due, one line each: the ladder step and behind target by their date, the
    SPOC chase and timeboxes with what to do."""
    out = []
    for action in ev.actions:
        late = action.business_days_overdue
        when = fmt(action.due) + (f", {overdue_words(late)}" if late > 0 else "")
        label = ACTION_LABELS[action.action]
        if action.action is ActionKind.BEHIND_TARGET:
            out.append(f"{label} since {fmt(action.due)}")
        elif action.action.value in _STEPS:
            out.append(f"{label} due {when}")
        else:
            out.append(f"{label} ({when}): {action.detail}")
    return tuple(out)


def _flag(row: Row, value: bool | None, key: str) -> bool | str | None:
    """A Complete? flag for the card: as read, or as typed when it cannot be read."""
    if value is None and key in row.unreadable:
        return text_of(row.raw.get(key))
    return value


def _with_later(due: tuple[str, ...], ev: Evaluation, day: date) -> tuple[str, ...]:
    """The due lines, the ladder step's saying when it was recorded after `day` (a round for
    an earlier day): due then, done later."""
    later = ev.recorded_later
    if later is None:
        return due
    said = recorded_later_words(later, day, ev.pending_step)
    return tuple(
        f"{line} ({said})" if action.action.value in _STEPS else line
        for line, action in zip(due, ev.actions, strict=True)
    )


def card_for(row: Row, ev: Evaluation, day: date) -> AgentCard:
    facts = facts_from_row(row)
    access = facts.citrix_access
    if access is None and ACCESS in row.unreadable:
        access = str(row.raw.get(ACCESS))
    notes = last_lines(NOTES, row.raw.get(NOTES.column_key))
    tbt_notes = last_lines(TBT, row.raw.get(TBT.column_key))
    return AgentCard(
        agent=row.ref(),
        sme=" ".join(row.text(SME).split()) if SME not in row.unreadable else "",
        status=str(ev.stage),
        due=_with_later(due_lines(ev), ev, day),
        latest_note=notes[-1] if notes else None,
        latest_tbt_note=tbt_notes[-1] if tbt_notes else None,
        self_report=self_report(row, day),
        call_cert=_flag(row, facts.call_cert_complete, "call_cert_complete"),
        call_cert_date=facts.call_cert_date,
        tbts=_flag(row, facts.tbts_complete, "tbts_complete"),
        tbts_date=facts.tbt_complete_date,
        tbt_hours=facts.tbt_hours,
        access=access,
        spoc_called=facts.spoc_called,
        incident=facts.incident_number,
        callback=facts.callback_phone,
        missing=_spoc_missing(facts),
        notes=notes,
        tbt_notes=tbt_notes,
        due_days=tuple(
            None if a.action is ActionKind.BEHIND_TARGET else a.business_days_overdue
            for a in ev.actions
        ),
        day=day,
    )


def _spoc_missing(facts: Any) -> tuple[str, ...]:
    """The SPOC columns the agent's issue wants filled at once that are still empty."""
    if not is_spoc_issue(facts.citrix_access):
        return ()
    return tuple(
        BY_KEY[key].header
        for key in (SPOC_CALLED, INCIDENT, CALLBACK)
        if getattr(facts, key) is None and key not in facts.unreadable
    )


# -------------------------------------------------------------------------- the round


Ask = Callable[[str], "str | None"]  # a prompt -> the line typed (None at the end of input)
Tell = Callable[[str], None]
Show = Callable[[int, int, AgentCard, Sequence[Answer]], None]
Help = Callable[[Sequence[str]], None]  # the keys and the saved phrases, shown on `?`


@dataclass
class Round:
    """A round in progress: the rows as read (with what waits beside the tracker counted),
    each agent's card and answers, and where they are kept as they are typed."""

    tracker: Path
    config: Config
    table: Table
    rows: list[Row]
    evaluations: list[Evaluation]
    cards: list[AgentCard]
    by: str
    day: date
    keeper: Keeper
    answered: list[AgentAnswers] = field(default_factory=list)
    overlay: waiting.Overlay | None = None  # the waiting changes counted in the rows
    # The round's TBT SME (--sme, or the signer's own agents), and the waiting changes that
    # gave agents to them or took them (their operations): the agents are theirs as those
    # changes leave the TBT SME cells.
    chosen_sme: str | None = None
    chosen_waiting: list[str] = field(default_factory=list)
    # Said once before the first agent: the day is not a business day, and what to do.
    day_note: str | None = None
    # The agents in the order their answers were typed (the last one is what `u` undoes
    # from an agent with no answers).
    typed_order: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.answered:
            self.answered = [
                AgentAnswers(
                    r.sheet,
                    r.row,
                    c.agent.name,
                    c.agent.agent_id,
                    c.agent.cls,
                    email=c.agent.email,
                    n_number=r.ref().n_number,
                )
                for r, c in zip(self.rows, self.cards, strict=True)
            ]

    @property
    def answers(self) -> list[AgentAnswers]:
        return [a for a in self.answered if a.answers]

    @property
    def phrases(self) -> tuple[str, ...]:
        """The saved phrases, with esp.toml's SPOC phone in them."""
        return tuple(
            p.replace("{spoc_phone}", self.config.spoc_phone) for p in self.config.round_phrases
        )

    def run(self, ask: Ask, show: Show, tell: Tell, help: Help | None = None) -> None:
        """Walk the agents until the last one, `q`, or the end of input."""
        i = 0
        total = len(self.rows)
        shown = True
        while i < total:
            if shown:
                show(i, total, self.cards[i], self.answered[i].answers)
            shown = True
            while True:
                line = ask(f"[{i + 1}/{total}] {self.cards[i].agent.name}> ")
                if line is None:
                    return
                try:
                    typed = A.parse_typed(line)
                except A.UnknownKey as exc:
                    tell(f"  {exc}; ? lists the keys.")
                    continue
                if typed.key is Key.QUIT:
                    return
                if typed.key is Key.HELP:
                    (help or (lambda phrases: tell("  " + " · ".join(A.LEGEND))))(self.phrases)
                    continue
                if typed.key is Key.PHRASE and typed.number == 0:
                    tell(self._phrase_list())
                    continue
                if typed.key is Key.NEXT:
                    i += 1
                    break
                if typed.key is Key.BACK:
                    if i == 0:
                        tell("  This is the first agent.")
                        continue
                    i -= 1
                    break
                if typed.key is Key.UNDO:
                    j = self.undo_target(i)
                    if j is None:
                        tell("  Nothing typed in this round to undo.")
                        continue
                    labels = [a.label for a in self.answered[j].answers]
                    self.undo(j)
                    who = "" if j == i else f" for {self.cards[j].agent.name}"
                    tell(f"  - undone{who}: " + "; ".join(labels))
                    if j == i:
                        continue
                    i = j  # back to that agent, to type the answers again
                    break
                try:
                    answer = self.answer(i, typed, ask, tell)
                except (EspError, A.UnknownKey) as exc:
                    tell(f"  {exc}")
                    continue
                if answer is None:
                    continue
                self.add(i, answer)
                tell(f"  + {answer.label}")
                if typed.key not in A.STAYS:
                    i += 1
                    break

    def _phrase_list(self) -> str:
        if not self.phrases:
            return "  No saved phrases ([round] phrases in esp.toml)."
        return "\n".join(f"  {n}: {p}" for n, p in enumerate(self.phrases, 1))

    def undo_target(self, i: int) -> int | None:
        """The agent `u` undoes at agent `i`: this one when it has answers, else the agent
        answered last (None when there is none)."""
        if self.answered[i].answers:
            return i
        for j in reversed(self.typed_order):
            if self.answered[j].answers:
                return j
        return None

    def add(self, i: int, answer: Answer) -> None:
        agent = self.answered[i]
        row = self.rows[i]
        agent.answers.append(answer)
        self.typed_order.append(i)
        self.keeper.record(agent, row, self.table)

    def undo(self, i: int) -> None:
        agent = self.answered[i]
        if agent.answers:
            agent.answers.clear()
            agent.shown.clear()
            self.keeper.record(agent, self.rows[i], self.table)

    def answer(self, i: int, typed: Typed, ask: Ask, tell: Tell) -> Answer | None:
        """The answer a typed key makes for agent `i` (EspError or UnknownKey when it cannot
        be one)."""
        row, day, by = self.rows[i], self.day, self.by
        done = {a.key for a in self.answered[i].answers}
        if typed.key is Key.PHRASE:
            typed = Typed(Key.TBT_NOTE, A.phrase_text(self.phrases, typed.number, typed.text))
        if typed.key in (Key.TBT_NOTE, Key.NOTE):
            kind = TBT if typed.key is Key.TBT_NOTE else NOTES
            line = format_line(kind, day, by, typed.text)
            self._fits(i, kind.column_key, line)
            label = ("TBT note: " if kind is TBT else "Note: ") + typed.text
            return Answer(typed.key, label, (Effect(Op.APPEND, kind.column_key, line),))
        if typed.key in done:
            raise UsageError("Already answered for this agent in this round.", fix="u undoes.")
        if typed.key is Key.STEP:
            return self._step(i, typed.text)
        if typed.key is Key.ACCESS:
            return self._access(i, typed.text, ask, tell)
        if typed.key is Key.SPOC:
            return self._spoc(i, typed.text, tell)
        key, date_key, what = (
            ("call_cert_complete", CALL_CERT_DATE, "Call Cert")
            if typed.key is Key.CALL_CERT
            else ("tbts_complete", TBT_DATE, "All TBTs")
        )
        if row.get(key) is True:
            raise UsageError(f"{BY_KEY[key].header} already says yes for {row.label()}.")
        sheet = self.table.sheet(row.sheet)
        # Refused as it is typed, as the write would refuse it: never left to wait.
        refused: EspError | None = None
        if key in sheet.not_answers:
            refused = answers_refusal(sheet, key)
        elif answer_over(row, key) is not None:
            refused = answer_over_refusal(sheet, row, key)
        if refused is not None:
            raise UsageError(refused.message, fix=refused.fix)
        effects = [Effect(Op.SET, key, self.table.yes_no(row, key, True))]
        if row.get(date_key) is None and date_key not in row.unreadable:
            effects.append(Effect(Op.SET, date_key, day))
        return Answer(typed.key, f"{what} complete {fmt(day)}", tuple(effects))

    def _fits(self, i: int, key: str, line: str) -> None:
        """Refuse, as it is typed, a note line its cell could not take after the lines
        typed before it for the agent (Excel's limits): never an answer left to wait
        for a write that cannot make it. A cell showing an Excel error is judged when
        written."""
        row = self.rows[i]
        text = note_text(row.raw.get(key))
        if text is None:
            return
        for effect in (e for a in self.answered[i].answers for e in a.effects):
            if effect.op is Op.APPEND and effect.key == key:
                text = appended(text, str(effect.value)) or text
        full = appended(text, line)
        if full is not None:
            col = self.table.sheet(row.sheet).col(key)
            header = BY_KEY[key].header
            where = address(row.sheet, row.row, col) if col else f"{row.sheet}!row {row.row}"
            check_cell_text(full, f"{where} ({header})")

    def _step(self, i: int, note: str) -> Answer:
        row, ev = self.rows[i], self.evaluations[i]
        step, due = ev.pending_step, ev.pending_due
        if step is None or due is None:
            why = ev.reason or "no escalation step is pending"
            raise UsageError(f"No step to record for {row.label()}: {why}.")
        facts = facts_from_row(row)
        came = recorded_later_than(facts, step, self.day)
        if came is not None:
            # A round for an earlier day: the row says the step came later, and is right.
            raise UsageError(
                f"{row.label()}: {recorded_after(*came, self.day)} ({came[0].header}); "
                "esp does not change a recorded step."
            )
        if due > self.day:
            raise UsageError(
                f"The {step.label} for {row.label()} is not due until {fmt(due)}.",
                fix="record it on or after that day (esp record-step for an exception).",
            )
        index = LADDER.index(step)
        for conflict in ladder_conflicts(facts, calendar_from(self.config)):
            if LADDER.index(conflict.step) <= index:
                raise UsageError(
                    f"{row.label()}: {conflict.text}: no {step.label} until it is corrected.",
                    fix=f"{conflict.fix}.",
                )
        problem = step_order_error(facts, step, self.day)
        reason = problem.text if problem is not None else None
        later = [s for s in LADDER[index + 1 :] if facts.step_date(s) is not None]
        if reason is None and later:
            reason = f"the {later[0].label} is already recorded ({later[0].header})"
        if reason is None and facts.step_date(step) is not None:
            reason = f"the {step.label} is already recorded ({step.header})"
        if reason is not None:
            raise UsageError(f"{row.label()}: {reason}.", fix="correct the row in Excel first.")
        # Here: esp record-step's code (its documents and their checks) loads only for a
        # round that records a step.
        from esp_cli.services.record import note_line

        effects = (
            Effect(Op.SET, step.column, self.day),
            Effect(Op.APPEND, NOTES.column_key, note_line(self.day, self.by, step, note)),
        )
        return Answer(Key.STEP, f"{step.label} delivered {fmt(self.day)}", effects)

    def _access(self, i: int, text: str, ask: Ask, tell: Tell) -> Answer | None:
        row = self.rows[i]
        allowed = allowed_values(self.table, self.table.sheet(row.sheet), row.row, self.config)
        if not text:
            tell("  " + " · ".join(f"{n}: {v}" for n, v in enumerate(allowed.values, 1)))
            picked = ask("  Citrix TBT Access (number or a word of it; Enter: none)> ")
            if picked is None or not picked.strip():
                return None
            text = picked.strip()
        if text.isdigit() and 1 <= int(text) <= len(allowed.values):
            value = allowed.values[int(text) - 1]
        else:
            value = match_issue(text, allowed)
        now = row.values.get(ACCESS)
        if is_issue(now if isinstance(now, str) else None, value):
            raise UsageError(f"Citrix TBT Access already says {value} for {row.label()}.")
        line = format_line(TBT, self.day, self.by, f"Citrix TBT Access: {value}")
        effects = (Effect(Op.SET, ACCESS, value), Effect(Op.APPEND, TBT.column_key, line))
        return Answer(Key.ACCESS, f"Citrix TBT Access: {value}", effects)

    def _spoc(self, i: int, text: str, tell: Tell) -> Answer | None:
        """SPOC Called Date, Incident Number and Callback Phone from one line, in any order;
        with no day the SPOC Called Date is the round's day when the cell is empty."""
        row = self.rows[i]
        if not text:
            tell(
                "  /i takes the incident number, the callback phone and the day SPOC was "
                "called, in any order: /i INC0049311 513-555-0142 11/23"
            )
            return None
        got = A.read_spoc(text, self.day, A.typed_day)
        if got.called is not None and got.called > self.day:
            raise UsageError(
                f"SPOC cannot have been called on {fmt(got.called)}, after the round's day "
                f"{fmt(self.day)}.",
                fix="give the day the agent called SPOC.",
            )
        called = got.called
        if called is None and row.get(SPOC_CALLED) is None and SPOC_CALLED not in row.unreadable:
            called = self.day
        wanted = [
            (SPOC_CALLED, called, f"SPOC called {fmt(called)}" if called else ""),
            (INCIDENT, got.incident, f"Incident {got.incident}"),
            (CALLBACK, got.phone, f"Callback {got.phone}"),
        ]
        effects: list[Effect] = []
        said: list[str] = []
        for key, value, words in wanted:
            if value is None or (key not in row.unreadable and row.get(key) == value):
                continue
            effects.append(Effect(Op.SET, key, value))
            said.append(words)
        if not effects:
            raise UsageError(f"The SPOC columns of {row.label()} already say so.")
        line = format_line(TBT, self.day, self.by, "; ".join(said))
        effects.append(Effect(Op.APPEND, TBT.column_key, line))
        access = row.values.get(ACCESS)
        if not is_spoc_issue(access if isinstance(access, str) else None) and not any(
            a.key is Key.ACCESS for a in self.answered[i].answers
        ):
            tell("  (Citrix TBT Access names no SPOC issue: /a picks it.)")
        return Answer(Key.SPOC, "; ".join(said), tuple(effects))


def day_note(day: date, cal: BusinessCalendar) -> str | None:
    """What to say when the round's day is not a business day: its notes and steps are
    dated it all the same, and which day to give instead."""
    if cal.is_business_day(day):
        return None
    closed = cal.holidays_between(day, day)
    why = closed[0][1] if closed else "a weekend"
    before = day - timedelta(days=1)
    while not cal.is_business_day(before):
        before -= timedelta(days=1)
    return (
        f"warning: {day:%a} {fmt(day)} is not a business day ({why}), and every note and "
        f"step of this round is dated it. For {before:%A}'s round: esp round --date "
        f"{before.isoformat()}."
    )


def start_round(
    tracker_path: Path,
    config: Config,
    *,
    cls: str | None = None,
    sme: str | None = None,
    by: str | None = None,
    now: datetime | None = None,
    day: date | None = None,
    dry_run: bool = False,
) -> Round:
    """Read the tracker once, with what waits beside it counted, and line up the
    outstanding agents; each agent's answers are kept beside it as they are typed (in
    memory only for a dry run). `day`: the day the statuses were taken (default today):
    every note and step is dated it, and what was due is as of its end."""
    moment = now or config.now()
    today = moment.date()
    if day is not None and day > today:
        raise UsageError(
            f"--date {day.isoformat()} is after today: a round is dated the day its statuses "
            "were taken.",
            fix="give that day, or leave --date out for today.",
        )
    past = day if day is not None and day != today else None
    if past is not None:
        moment = datetime.combine(past, END_OF_DAY)
    day = moment.date()
    signer = _signer_or_none(config, by)
    table = read_for_round(tracker_path, config)
    overlay = waiting.overlay(table, config, SELECT_KEYS)
    for warning in overlay.warnings:  # said once: the overlay is made again below
        log.warning("%s", warning)
    # The sheets of the class's or the SME's agents, before who is outstanding is read.
    scope = agents_for(table, cls, sme, overlay, quiet=True).rows if cls or sme else None
    need_rule_columns(table, config, rows=scope)
    chosen = select_agents(table, cls, sme, signer, past, overlay)
    # An agent on two sheets (a copy of the tab) would be asked about twice, each answer
    # written to one of the rows, or from a stale row when only that one is outstanding:
    # left out, said, the round goes on for the others. Her other row is looked for among
    # every agent, whatever --class and --sme chose.
    rows = without_agents_twice(
        chosen.rows, table.path.name, "esp round asks about neither of them", among=table.rows()
    )
    if overlay.ops:
        overlay.revert()
        add_details(table, rows)
        overlay = waiting.overlay(table, config, READ_KEYS)
    else:
        add_details(table, rows)
    if signer is None:
        signer = config.signer(by)
    cal = calendar_from(config)
    evaluations = [
        evaluate(
            facts_from_row(r),
            day,
            moment,
            cal,
            spoc_phone=config.spoc_phone,
            read_on=config.today(),
        )
        for r in rows
    ]
    cards = [card_for(r, ev, day) for r, ev in zip(rows, evaluations, strict=True)]
    store = waiting.Store(table.path, config.backup_dir)
    keeper = Keeper(store, signer, table.workbook.pkg.digest, dry_run=dry_run, dated=past)
    rnd = Round(
        table.path,
        config,
        table,
        rows,
        evaluations,
        cards,
        signer,
        day,
        keeper,
        overlay=overlay if overlay.ops else None,
        chosen_sme=chosen.sme,
        chosen_waiting=chosen.waiting,
    )
    rnd.day_note = day_note(day, cal)
    return rnd


def _signer_or_none(config: Config, by: str | None) -> str | None:
    try:
        return config.signer(by)
    except EspError:
        return None


# ----------------------------------------------------------------------------- applying


def finish_round(
    tracker_path: Path,
    config: Config,
    mine: Sequence[WaitingOp],
    *,
    read: Table | None = None,
    dry_run: bool = False,
    signer: str | None = None,
    also: Sequence[WaitingOp] = (),
    skip_conflicts: bool = False,
) -> RoundResult:
    """Every waiting change in ONE write (the round's answers `mine` among them, and any
    other waiting beside the tracker): each cell checked against what was shown, each
    answer written with the note documenting it or not at all; an agent with a conflict
    waits on. The computed columns of the agents whose step, access or completion was
    answered are brought up to date. `also`: a dry run's answers, kept in memory."""
    now = config.now()
    cal: BusinessCalendar | None = None
    ids = {o.op for o in (*mine, *also)}
    # A round typed for an earlier day (--date): its answers, written in this write's own
    # entry of the log, are that day's (a replay of it counts them).
    dated = next((o.dated for o in (*mine, *also) if o.dated is not None), None)
    with write_session(
        tracker_path,
        config,
        keys=APPLY_KEYS,
        dry_run=dry_run,
        read=read,
        signer=signer,
        also=also,
        skip_conflicts=skip_conflicts,
        own=ids,
        dated=dated,
    ) as s:
        outcomes = [o for o in (s.applier.outcomes if s.applier else []) if o.op.op in ids]
        followed: list[str] = []  # the sheets of the agents whose computed columns follow
        if s.busy is None:
            finder = RowFinder(s.table)
            for outcome in outcomes:
                if outcome.held or not _reevaluates(outcome):
                    continue
                row = outcome.agent_row(finder)
                if row is None:
                    continue
                sheet = s.table.sheet(row.sheet)
                followed.append(row.sheet)
                if all(sheet.col(k) is not None for k in COMPUTED_KEYS):
                    need_rule_columns(s.table, config, sheets=[row.sheet])
                    cal = cal or calendar_from(config)
                    facts = facts_from_row(row)
                    ev = evaluate(facts, now.date(), now, cal, spoc_phone=config.spoc_phone)
                    plan_computed(s.plan, row, computed_cells(ev))
        s.plan.sort()
    conflicts: list[RoundConflict] = []
    not_applied: list[NotApplied] = []
    for outcome in outcomes:
        for c in outcome.conflicts:
            where = f"{c.cell.sheet}!row {c.cell.row}"
            if c.reason == "changed since esp saw it":
                conflicts.append(
                    RoundConflict(
                        agent=c.cell.agent,
                        cell=address(c.cell.sheet, c.cell.row, c.cell.col) if c.cell.col else where,
                        column=c.cell.column,
                        shown=A.token(c.cell.seen),
                        now=A.token(c.now),
                        wanted=c.cell.value,
                    )
                )
            else:
                not_applied.append(NotApplied(c.cell.agent, where, c.reason))
    agents = {(o.op.cells[0].sheet, o.op.cells[0].row) for o in outcomes}
    return RoundResult(
        tracker=s.report.tracker,
        journal=s.store.folder if s.store is not None else tracker_path.parent,
        agents=len(agents),
        answers=sum(len(o.op.units) for o in outcomes),
        conflicts=conflicts,
        not_applied=not_applied,
        write=s.report,
        computed_missing=partial_computed(s.table, followed) or None,
    )


def _reevaluates(outcome: waiting.Outcome) -> bool:
    """Whether an agent's answers, as written, may change what the rules say (a step,
    access, a completion): the computed columns are then brought up to date. An answer
    left out for a conflict changed nothing."""
    keys = {cell.key for cell, _new in outcome.written}
    return bool(keys & REEVALUATE_KEYS)
