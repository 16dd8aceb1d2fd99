"""The computed columns of the agents whose waiting changes a write writes.

A change that writes a cell the rules read (a step's date, access, a completion, N Number
Requested) brings the agent's computed columns (Escalation Stage, Next Action, Next Action
Due) up to date. When it waits beside the tracker, the row may change before it is
written (the team records the next step in Excel, marks the TBTs complete): whichever
write writes it (esp apply, or any write that finds it waiting) works the three out again
from the row as it then stands, planned with that change (in its own entry of the log),
where the sheet has the three columns — never the values worked out when the change was
made. esp round's answers wait without them; the other commands' changes (esp record-step,
esp access set, esp tbt proofs, esp sync-nnumbers) wait with them, and those cells are not
written as they wait. Left as they wait: an undo (it puts back exactly what was there), and
a change of the computed cells alone (esp escalations --write, as of the day it was asked).
"""

from __future__ import annotations

import logging

from esp_cli.config import Config
from esp_cli.core.columns import BY_KEY, RULES_NEED
from esp_cli.core.rules import LADDER
from esp_cli.core.waiting import ROUND_WHY, NotWorkedOut, WaitingOp
from esp_cli.errors import MissingColumnsError
from esp_cli.services.escalations import COMPUTED_KEYS, keep_computed
from esp_cli.services.facts import (
    EARLY_NOTES_KEY,
    FACT_KEYS,
    calendar_from,
    need_rule_columns,
)
from esp_cli.workbook import waiting
from esp_cli.workbook.finder import RowFinder
from esp_cli.workbook.session import FollowUp, WriteSession
from esp_cli.workbook.tracker import Row, Table

log = logging.getLogger("esp")

# The columns esp round's answers write after which the rules may say something else (a
# step, access, the SPOC, a completion: round.REEVALUATE): with them, the computed columns
# are brought up to date. Here, not in round, so that a write finding a round's answers
# waiting loads none of round's code.
REEVALUATE_KEYS = frozenset(
    {
        "citrix_access",
        "spoc_called",
        "incident_number",
        "callback_phone",
        "call_cert_complete",
        "tbts_complete",
        *(step.column for step in LADDER),
    }
)
# The cells the rules read, whose change a command's computed columns follow.
RULES_READ = frozenset(FACT_KEYS) - {EARLY_NOTES_KEY}
# Those whose change alone brings them up to date: esp locate records Searched by Course
# Number and leaves the computed columns as they are (esp access set, which records it
# with an access issue, carries them).
FOLLOWED = RULES_READ - {"searched_course"}


def recomputes(op: WaitingOp) -> bool:
    """Whether a waiting change gets its computed columns worked out at write time: a
    round's answers, and a change of a cell the rules read (with its computed cells, or
    none where they did not change when it was made); never an undo."""
    if op.puts_back is not None:
        return False
    if op.why == ROUND_WHY:
        return True
    keys = {c.key for c in op.cells if c.key is not None}  # written (seen cells aside)
    return bool(keys & FOLLOWED) or (bool(keys & set(COMPUTED_KEYS)) and bool(keys & RULES_READ))


def _rows_changed(outcome: waiting.Outcome, finder: RowFinder) -> list[Row]:
    """The agent rows whose cells the rules read the change wrote (a round's answers: a
    step, access, a completion, as the round itself judges it), each once, in order: one
    change may write many agents (esp sync-nnumbers, esp document --record)."""
    keys = REEVALUATE_KEYS if outcome.op.why == ROUND_WHY else RULES_READ
    rows: dict[tuple[str, int], Row] = {}
    for cell, _new in outcome.written:
        if cell.key not in keys:
            continue
        placed = outcome.places.get((cell.sheet, cell.row, cell.col))
        row = finder.at(placed[0], placed[1]) if placed is not None else None
        if row is not None:
            rows.setdefault((row.sheet, row.row), row)
    return list(rows.values())


def plan_for_waiting(s: WriteSession, config: Config, outcomes: list[waiting.Outcome]) -> None:
    table = s.plan.agent_rows
    if table is None:
        return
    finder = RowFinder(table)
    cal = None
    now = config.now()
    unruled: dict[str, str] = {}  # sheet -> why its computed columns are left as they are
    for outcome in outcomes:
        for row in _rows_changed(outcome, finder):
            if any(table.sheet(row.sheet).col(k) is None for k in COMPUTED_KEYS):
                continue
            if row.sheet not in unruled:
                unruled[row.sheet] = _unruled(table, config, row)
            if unruled[row.sheet]:
                # The changes' own cells are written; the rules cannot work out the rest.
                continue
            cal = cal or calendar_from(config)
            with s.plan.on_behalf(outcome.op.op):
                # A computed cell the write would refuse (a formula the team keeps there)
                # is left as it is: it never holds back the change's own cells.
                keep_computed(s.plan, row, {}, config, now, cal, only_writable=True)


def _unruled(table: Table, config: Config, row: Row) -> str:
    """Why the rules cannot work out the computed columns of `row`'s sheet (a column they
    need is missing: said once, as a warning), else ''."""
    try:
        need_rule_columns(table, config, sheets=[row.sheet])
    except MissingColumnsError as exc:
        log.warning(
            "%s Escalation Stage, Next Action and Next Action Due of that sheet's agents "
            "are left as they are (the waiting changes' own cells are written). Fix: %s, "
            "then esp escalations --write.",
            exc.message,
            (exc.fix or "").rstrip("."),
        )
        return exc.message
    return ""


def _rules_missing(table: Table, sheet: str) -> str:
    """Why the rules cannot work out a sheet's computed columns (a column they need is not
    on it: plan_for_waiting leaves them, _unruled says why), else ''."""
    gone = [BY_KEY[k].header for k in RULES_NEED if table.sheet(sheet).col(k) is None]
    if not gone:
        return ""
    names = " and ".join(f"'{h}'" for h in gone)
    return f"the sheet '{sheet}' has no {names} column, which the rules need"


# Why a computed cell a waiting change's write works out is left as it is, its columns
# there, and what brings it up to date then.
NOTHING_READ_WRITTEN = (
    "the change writes no cell the rules read on that row now (the row holds its values "
    "already), so they are not worked out again"
)
RUN_ESCALATIONS = "run esp escalations --write to bring them up to date"


def left_as_they_are(table: Table, config: Config, outcome: waiting.Outcome) -> list[NotWorkedOut]:
    """The computed cells of a waiting change, written, that its write works out but will
    leave as they are though their columns are on the sheet (those whose column is gone
    the change's Outcome says already): plan_for_waiting finds no cell the rules read
    written on the row (the row holds the change's values already), or the sheet lacks a
    column the rules need. What esp pending says beforehand, and esp apply after."""
    if outcome.held or not outcome.worked_out or not recomputes(outcome.op):
        return []
    changed = {(r.sheet, r.row) for r in _rows_changed(outcome, RowFinder(table))}
    said = {(n.cell.sheet, n.cell.row, n.cell.col) for n in outcome.not_worked_out}
    missing: dict[str, str] = {}
    out = []
    for cell in outcome.op.cells:
        at = (cell.sheet, cell.row, cell.col)
        placed = outcome.places.get(at)
        if at not in outcome.worked_out or at in said or placed is None:
            continue
        sheet, row = placed[0], placed[1]
        if (sheet, row) not in changed:
            out.append(NotWorkedOut(outcome.op.op, cell, NOTHING_READ_WRITTEN, RUN_ESCALATIONS))
            continue
        if sheet not in missing:
            missing[sheet] = _rules_missing(table, sheet)
        if missing[sheet]:
            out.append(NotWorkedOut(outcome.op.op, cell, missing[sheet]))
    return out


FOLLOW_UP = FollowUp(
    REEVALUATE_KEYS | RULES_READ,
    (*FACT_KEYS, *COMPUTED_KEYS),
    plan_for_waiting,
    works_out=frozenset(COMPUTED_KEYS),
    recomputes=recomputes,
    leaves=left_as_they_are,
)
