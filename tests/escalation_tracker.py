"""An ESP Tracker with many agents in every state, built here with openpyxl, and docs/rules.md's
rules computed again independently with numpy's busday functions.

Shared by the escalation tests. Nothing here imports esp_cli's rules or calendar: the
reference is written from docs/rules.md's text (and the choices rules.py documents), so a slip
in either shows up as a difference.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import openpyxl

from tests.factories import headers

ONE_DAY = timedelta(days=1)
HOLIDAYS = sorted(
    str(d) for d in holidays.country_holidays("US", years=range(2025, 2029)) if d.weekday() < 5
)
SPOC_ISSUES = {"Password Reset", "No Citrix Apps Showing", "Learning Hub Issue"}
ACCESS = [
    None,
    "No Issues",
    "Password Reset",
    "No Citrix Apps Showing",
    "Learning Hub Issue",
    "Cannot Locate TBT",
    "Equipment Issue",
    "Other",
]
HEADERS = [
    *headers(
        "class",
        "agent_name",
        "agent_id",
        "email",
        "n_number",
        "n_number_requested",
        "esp_start",
        "call_cert_start",
        "call_cert_complete",
        "tbt_hours",
        "tbts_complete",
        "citrix_access",
        "spoc_called",
        "incident_number",
        "callback_phone",
        "coaching_date",
        "written_cap_date",
        "final_cap_date",
        "term_review_date",
        "notes",
    ),
    "Status",
]
TITLE_ROWS = 2  # a title and a blank row above the header, as teams keep it
FIRST_ROW = TITLE_ROWS + 2
STEP_HEADERS = headers("coaching_date", "written_cap_date", "final_cap_date", "term_review_date")
STEPS = ("coaching", "written_cap", "final_cap", "term_review")
FIRSTS = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lia"]
LASTS = ["Adler", "Baker", "Cruz", "Diaz", "Eng", "Fox", "Gray", "Hale", "Ito", "Jain", "Kerr"]

YES = {"yes", "y", "x", "true", "complete"}
NO = {"no", "n", "", "false"}


# -- numpy reference ------------------------------------------------------------------------------


def np_day(day: date) -> np.datetime64:
    return np.datetime64(day.isoformat(), "D")


def offset(day: date, n: int, roll: str) -> date:
    result = np.busday_offset(np_day(day), n, roll=roll, holidays=HOLIDAYS)
    return date.fromisoformat(str(result))


def elapsed(a: date, b: date) -> int:
    """Business days after a up to and including b (negative: still to go)."""
    if b < a:
        return -elapsed(b, a)
    return int(np.busday_count(np_day(a + ONE_DAY), np_day(b + ONE_DAY), holidays=HOLIDAYS))


def next_business_day(day: date) -> date:
    return offset(day + ONE_DAY, 0, "forward")


# -- the agents -----------------------------------------------------------------------------------


@dataclass
class Agent:
    cls: str
    name: str  # as the tool shows it (First Last)
    typed_name: str  # as typed in the sheet (sometimes "Last, First")
    agent_id: str
    start: date | str | None  # a str is typed text: a date or something unreadable
    cert: Any
    tbts: Any
    cert_start: datetime | None
    tbt_hours: float | None
    access: str | None
    requested: date | None
    spoc_called: date | None
    incident: str | None
    callback: str | None
    steps: list[date | str | None]

    def cells(self) -> list[Any]:
        return [
            self.cls,
            self.typed_name,
            self.agent_id,
            f"{self.name.lower().replace(' ', '.')}@vendorcx.com",
            f"N{self.agent_id[1:]}",
            self.requested,
            self.start,
            self.cert_start,
            self.cert,
            self.tbt_hours,
            self.tbts,
            self.access,
            self.spoc_called,
            self.incident,
            self.callback,
            *self.steps,
            f"11/02/2026 - Jordan Reyes - Started {self.cls}.",
            None,  # the Status formula is filled in by build()
        ]


def _yes(value: Any) -> bool | None:
    """None: unreadable."""
    if value is True:
        return True
    if value is False or value is None:
        return False
    text = str(value).strip().casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def make_agents(count: int = 180, seed: int = 20261124) -> list[Agent]:
    rng = random.Random(seed)
    agents = []
    first_start, span = date(2026, 11, 12), 55  # into January, across both holidays
    for i in range(count):
        first, last = FIRSTS[i % len(FIRSTS)], LASTS[(i // len(FIRSTS)) % len(LASTS)]
        name = f"{first} {last}{'' if i < len(FIRSTS) * len(LASTS) else i}"
        start_day = first_start + timedelta(days=rng.randrange(span))
        roll = rng.random()
        start: date | str | None
        if roll < 0.05:
            start = None
        elif roll < 0.08:
            start = "TBD"
        elif roll < 0.25:
            start = start_day.strftime("%m/%d/%Y")  # typed as text
        else:
            start = start_day
        cert = rng.choice(["Yes", "No", None, "Y", "x", True, "No", None])
        tbts = rng.choice(["Yes", "No", None, "Complete", "No", None])
        if rng.random() < 0.03:
            tbts = "maybe"  # unreadable: the agent may be complete (if the Call Cert is)
        if i in (13, 18, 91, 135):  # (no draw: the agents drawn stay as they were)
            # Unreadable beside All TBTs Complete? No (13, 91: not complete either way) and
            # beside a yes (18, 135: may be complete).
            cert = "n/a"
        steps: list[date | str | None] = [None, None, None, None]
        if rng.random() < 0.6:
            day = start_day + timedelta(days=rng.randrange(2, 9))
            for k in range(4):
                steps[k] = day
                day += timedelta(days=rng.randrange(0, 5))
                if rng.random() < 0.45:
                    break
        if rng.random() < 0.04:
            steps[rng.randrange(4)] = None  # a gap: a later step recorded, an earlier not
        if i % 23 == 7 and isinstance(steps[0], date) and isinstance(steps[1], date):
            # Out of order: the written CAP dated before the coaching (not counted).
            steps[0], steps[1] = steps[1] + timedelta(days=1), steps[0]
        if rng.random() < 0.02:
            steps[0] = "n/a"  # unreadable step date: the ladder cannot be evaluated
        cert_start = None
        if rng.random() < 0.3:
            cert_start = datetime.combine(
                start_day + timedelta(days=rng.randrange(0, 4)), time(rng.randrange(8, 17))
            )
        access = rng.choice(ACCESS)
        requested = None if rng.random() < 0.1 else start_day - timedelta(rng.randrange(0, 21))
        agents.append(
            Agent(
                cls=f"AET-{1200 + (i % 3)}",
                name=name,
                typed_name=f"{name.split(' ', 1)[1]}, {first}" if i % 7 == 0 else name,
                agent_id=f"E{50000 + i}",
                start=start,
                cert=cert,
                tbts=tbts,
                cert_start=cert_start,
                tbt_hours=rng.choice([None, 3.0, 7.5, 8.0, 8.5, 12.0]),
                access=access,
                requested=requested,
                spoc_called=start_day if rng.random() < 0.5 else None,
                incident=f"INC00{4000 + i}" if rng.random() < 0.4 else None,
                callback=f"(614) 555-{1000 + i}" if rng.random() < 0.5 else None,
                steps=steps,
            )
        )
    return agents


def build(path: Path, agents: list[Agent]) -> Path:
    """The tracker: a title, the header in row 3, one agent a row, a Status formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(["ESP Tracker — test classes"])
    ws.append([])
    ws.append(HEADERS)
    status_col = openpyxl.utils.get_column_letter(len(HEADERS))
    cert_col = openpyxl.utils.get_column_letter(HEADERS.index("Call Cert Complete?") + 1)
    tbts_col = openpyxl.utils.get_column_letter(HEADERS.index("All TBTs Complete?") + 1)
    for row, agent in enumerate(agents, start=FIRST_ROW):
        ws.append(agent.cells())
        ws[f"{status_col}{row}"] = (
            f'=IF(AND({cert_col}{row}="Yes",{tbts_col}{row}="Yes"),"Complete","Open")'
        )
    for line in ws.iter_rows(min_row=FIRST_ROW):
        for cell in line:
            if isinstance(cell.value, datetime):
                cell.number_format = "m/d/yyyy h:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "m/d/yyyy"
    wb.save(path)
    return path


# -- the reference ------------------------------------------------------------------------------


def _as_date(value: date | str | None) -> date | None | str:
    """A typed date cell: a date, None when blank, "unreadable" otherwise."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(value, "%m/%d/%Y").date()
    except ValueError:
        return "unreadable"


def expected_actions(
    agents: list[Agent], today: date
) -> Iterator[tuple[str, str, date, int, bool]]:
    """(agent, action, due, business_days_overdue, lookahead) for every action docs/rules.md's
    rules give as of `today`, the Call Cert timebox measured at the end of that day."""
    now = datetime.combine(today, time(23, 59))
    next_day = next_business_day(today)

    def filed(action: str, due: date, is_due: bool | None = None) -> Iterator[tuple[Any, ...]]:
        due_now = due <= today if is_due is None else is_due
        if due_now:
            yield action, due, elapsed(due, today), False
        elif due <= next_day:
            yield action, due, elapsed(due, today), True

    for a in agents:
        out: list[tuple[Any, ...]] = []
        cert, tbts = _yes(a.cert), _yes(a.tbts)
        if cert is not False and tbts is not False and (cert is None or tbts is None):
            # A flag that cannot be read beside a yes: the agent may be complete. Beside a
            # flag that is not yes, the agent is not complete either way (complete is both).
            out.append(("not_evaluated", today, 0, False))
        elif not (cert and tbts):
            start = _as_date(a.start)
            steps = [_as_date(s) for s in a.steps]
            if isinstance(start, date):
                out += filed("behind_target", offset(start, 2, "forward"))
            if not isinstance(start, date) or "unreadable" in steps:
                out.append(("not_evaluated", today, 0, False))
            else:
                # A step counts from the day recorded, never before the clock start nor the
                # step before it; the first one not counted is pending.
                floor = offset(start, 0, "forward")
                pending = None
                for k, s in enumerate(steps):
                    if not (isinstance(s, date) and floor <= s <= today):
                        pending = k
                        break
                    floor = s
                if pending == 0:
                    out += filed("coaching", offset(start, 3, "forward"))
                elif pending is not None:
                    before = steps[pending - 1]
                    assert isinstance(before, date)
                    out += filed(STEPS[pending], next_business_day(before))
            if a.access in SPOC_ISSUES:
                # Like every dated column, a call dated after the day is not made yet.
                if a.spoc_called is None or a.spoc_called > today:
                    out.append(("call_spoc", today, 0, False))
                if a.requested is not None and not a.incident:
                    out += filed("advise_spoc", offset(a.requested, 10, "backward"))
                if a.incident and not a.callback:
                    out.append(("callback_phone", today, 0, False))
            # A Call Cert started after the day has not started yet (a dated column).
            # A timebox concerns a Call Cert / TBTs not complete: unchecked when its flag
            # cannot be read.
            if cert is False and a.cert_start is not None and a.cert_start.date() <= today:
                limit = a.cert_start + timedelta(hours=4)
                out += filed("call_cert_over_4h", limit.date(), is_due=now > limit)
            if tbts is False and a.tbt_hours is not None and a.tbt_hours > 8:
                out.append(("tbt_over_8h", today, 0, False))
            # Nothing else listed: the day's list names an agent whose timebox is unchecked.
            unchecked = (
                cert is None and a.cert_start is not None and a.cert_start.date() <= today
            ) or (tbts is None and a.tbt_hours is not None and a.tbt_hours > 8)
            if unchecked and not out:
                out.append(("unchecked", today, 0, False))
        for action, due, overdue, ahead in out:
            yield a.name, action, due, overdue, ahead
