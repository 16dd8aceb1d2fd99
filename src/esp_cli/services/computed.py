"""The computed columns of the agents whose waiting changes a write writes.

esp round's answers wait beside the tracker without their computed columns (Escalation
Stage, Next Action, Next Action Due): the round brings them up to date when it writes them
itself. Written by another command (esp apply, or any write that finds them waiting), they
get the same: for each agent whose step, access or completion such a change writes, the
rules are run on the row as it now stands and the computed cells planned with that change
(in its own entry of the log), where the sheet has the three columns. Other commands'
changes are written as their command planned them (esp record-step plans them itself).
"""

from __future__ import annotations

from datetime import datetime

from esp_cli.config import Config
from esp_cli.core.rules import evaluate
from esp_cli.core.waiting import ROUND_WHY
from esp_cli.services.escalations import COMPUTED_KEYS, computed_cells, plan_computed
from esp_cli.services.facts import FACT_KEYS, calendar_from, facts_from_row
from esp_cli.services.round import REEVALUATE_KEYS
from esp_cli.workbook import waiting
from esp_cli.workbook.finder import RowFinder
from esp_cli.workbook.session import FollowUp, WriteSession


def plan_for_waiting(s: WriteSession, config: Config, outcomes: list[waiting.Outcome]) -> None:
    table = s.plan.agent_rows
    if table is None:
        return
    finder: RowFinder | None = None
    cal = None
    now = datetime.now()
    for outcome in outcomes:
        if outcome.op.why != ROUND_WHY or waiting.keys_of([outcome.op]) & set(COMPUTED_KEYS):
            continue  # not a round's answers: written as its command planned them
        finder = finder or RowFinder(table)
        row = outcome.agent_row(finder)
        if row is None:
            continue
        sheet = table.sheet(row.sheet)
        if any(sheet.col(k) is None for k in COMPUTED_KEYS):
            continue
        cal = cal or calendar_from(config)
        ev = evaluate(facts_from_row(row), now.date(), now, cal, spoc_phone=config.spoc_phone)
        with s.plan.on_behalf(outcome.op.op):
            plan_computed(s.plan, row, computed_cells(ev))


FOLLOW_UP = FollowUp(REEVALUATE_KEYS, (*FACT_KEYS, *COMPUTED_KEYS), plan_for_waiting)
