"""esp access set: an agent's Citrix TBT Access issue and the SPOC columns that go with it.

The issue must be one of the Citrix TBT Access column's own drop-down values where the
workbook has a drop-down on that cell (classic or Excel 2010's cross-sheet x14 list), else
one of esp.toml's [access] values; it is matched ignoring case, spacing and punctuation and
written as the list spells it. The SPOC Called Date is written as a real date, the callback
phone in one format ((513) 555-0131), Searched by Course Number as the column's Yes/No. Only
cells whose value changes are written, and the change is documented in TBT Notes
(`Name - MM/DD/YYYY - Citrix TBT Access: ...`), once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from esp_cli.config import DEFAULT_ACCESS_VALUES, Config
from esp_cli.core.columns import BY_KEY
from esp_cli.core.model import (
    CANNOT_LOCATE,
    access_key,
    is_issue,
    is_spoc_issue,
)
from esp_cli.core.notes import NoteKind, format_line
from esp_cli.core.refs import address, col_letter
from esp_cli.core.rules import fmt
from esp_cli.core.values import Unreadable, us_phone
from esp_cli.errors import UsageError
from esp_cli.results.access import AccessResult, Allowed
from esp_cli.services.agents import LOOKUP_KEYS, find_agent
from esp_cli.services.escalations import FOLLOW_SCAN, follow_computed, partial_computed
from esp_cli.services.facts import calendar_from, need_rule_columns
from esp_cli.services.notes import plan_note, refuse_future
from esp_cli.workbook.session import write_session
from esp_cli.workbook.tracker import Row, Sheet, Table, searched_kept
from esp_cli.workbook.xlsx.validations import ListValidation

log = logging.getLogger("esp")

ACCESS = "citrix_access"
SPOC_CALLED = "spoc_called"
INCIDENT = "incident_number"
CALLBACK = "callback_phone"
SEARCHED = "searched_course"
TBT = NoteKind.TBT
READ_KEYS = (*LOOKUP_KEYS, ACCESS, SPOC_CALLED, INCIDENT, CALLBACK, SEARCHED, TBT.column_key)


def parse_phone(text: str) -> str:
    try:
        return us_phone(text)
    except Unreadable as exc:
        raise UsageError(
            f"--phone: {exc}.",
            fix="give the agent's 10-digit US number, e.g. --phone '513-555-0131' or "
            "'+1 (513) 555-0131'.",
        ) from None


def _where(v: ListValidation, sheet: str) -> str:
    ranges = " ".join(
        f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}" if (r1, c1) != (r2, c2) else
        f"{col_letter(c1)}{r1}"
        for r1, c1, r2, c2 in v.ranges
    )  # fmt: skip
    return f"the drop-down on {sheet}!{ranges} ({v.source})"


def allowed_values(table: Table, sheet: Sheet, row: int, config: Config) -> Allowed:
    found = table.dropdown(sheet, row, sheet.col(ACCESS))
    if found is not None and found.values:
        return Allowed(found.values, _where(found, sheet.name))
    if config.access_values != DEFAULT_ACCESS_VALUES:
        return Allowed(config.access_values, "esp.toml [access] values")
    return Allowed(config.access_values, "the standard list (esp.toml [access] values)")


def match_issue(text: str, allowed: Allowed) -> str:
    """The allowed value `text` names: the value itself (any case, spacing, punctuation),
    else the one value it begins (`pass`), else the one whose words begin with its words
    (`cannot locate`, `citrix`, `hub`). Several matching is an error listing them."""
    wanted = access_key(text)
    for value in allowed.values:
        if access_key(value) == wanted:
            return value
    words = wanted.split()
    found = [v for v in allowed.values if wanted and access_key(v).startswith(wanted)] or [
        v
        for v in allowed.values
        if words and all(any(w.startswith(t) for w in access_key(v).split()) for t in words)
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise UsageError(
            f"{text!r} could be any of: " + ", ".join(found) + ".",
            fix="type more of the one you mean.",
        )
    raise UsageError(
        f"{text!r} is not a Citrix TBT Access value. Allowed, from {allowed.source}: "
        + ", ".join(allowed.values)
        + ".",
        fix="give one of those (any case), or a word of it.",
    )


def _differs(row: Row, key: str, new: Any) -> bool:
    """Would writing `new` change what the cell says? A cell esp cannot read always does."""
    if key in row.unreadable:
        return True
    old = row.values.get(key)
    if isinstance(new, str) and isinstance(old, str):
        return " ".join(old.split()) != new
    return bool(old != new)


def set_access(
    tracker_path: Path,
    config: Config,
    query: str,
    issue: str,
    *,
    spoc_called: date | None = None,
    incident: str | None = None,
    phone: str | None = None,
    searched: bool | None = None,
    by: str | None = None,
    on: date | None = None,
    cls: str | None = None,
    dry_run: bool = False,
    today: date | None = None,
) -> AccessResult:
    """Set the agent's Citrix TBT Access (and the SPOC columns given), with a TBT note."""
    now = today or config.today()
    day = on or now
    refuse_future(day, now, "a note is dated the day it is written")
    if spoc_called is not None:
        refuse_future(spoc_called, now, "SPOC is recorded once called")
    callback = parse_phone(phone) if phone is not None else None
    ticket = " ".join(incident.split()) if incident is not None else None
    if ticket == "":
        raise UsageError(
            "--incident is empty.", fix="give SPOC's incident number, e.g. INC0049311."
        )
    signer = config.who_signs(by)
    writer = signer.name
    with write_session(
        tracker_path,
        config,
        keys=READ_KEYS,
        dry_run=dry_run,
        signer=writer,
        dated=day if day != now else None,
        scan_also=FOLLOW_SCAN,
    ) as s:
        row = find_agent(s.table, query, cls)
        # Its computed columns follow what it writes, where the sheet has them.
        need_rule_columns(s.table, config, computed=True, sheets=[row.sheet])
        sheet = s.table.sheet(row.sheet)
        allowed = allowed_values(s.table, sheet, row.row, config)
        value = match_issue(issue, allowed)
        # (column, value to compare with the cell, value to write, words for the note)
        wanted: list[tuple[str, Any, Any, str]] = [
            (ACCESS, value, value, f"Citrix TBT Access: {value}")
        ]
        if spoc_called is not None:
            wanted.append(
                (SPOC_CALLED, spoc_called, spoc_called, f"SPOC called {fmt(spoc_called)}")
            )
        if ticket is not None:
            wanted.append((INCIDENT, ticket, ticket, f"Incident {ticket}"))
        if callback is not None:
            wanted.append((CALLBACK, callback, callback, f"Callback {callback}"))
        kept = searched_kept(sheet, row, s.table.workbook.date1904, now) if searched else None
        if kept is not None:
            # The course or the day searched typed in place of Yes: it says Yes already.
            log.warning("%s", kept)
        elif searched is not None:
            shown = s.table.yes_no(row, SEARCHED, searched)
            # The note says it in a word whatever form the cell takes (1, TRUE).
            word = shown if isinstance(shown, str) else ("Yes" if searched else "No")
            wanted.append((SEARCHED, searched, shown, f"Searched by Course Number: {word}"))
        said = []
        changed: dict[str, Any] = {}
        for key, compared, written, words in wanted:
            if _differs(row, key, compared):
                s.plan.set(row, key, written)
                said.append(words)
                changed[key] = compared
        line = None
        note_added = False
        if said:
            # The issue leads the note even when unchanged: the line says what it is about.
            if not said[0].startswith("Citrix TBT Access"):
                said.insert(0, f"Citrix TBT Access: {value}")
            line = format_line(TBT, day, writer, "; ".join(said))
            note_added = plan_note(s.plan, row, TBT, line)
            if note_added and ACCESS not in changed:
                # The line names the issue it leaves as it is: should the change wait, a
                # teammate's change of it meanwhile holds the line (and what it documents).
                s.plan.see(row, ACCESS)
        if changed:  # the agent's computed columns follow, as in esp round
            moment = datetime.combine(now, config.now().time())
            cal = calendar_from(config)
            follow_computed(s.plan, row, changed, config, moment, cal, read=READ_KEYS)
    return AccessResult(
        agent=row.ref(),
        issue=value,
        allowed=allowed,
        note_line=line,
        note_added=note_added,
        still_empty=_still_empty(row, sheet, value, {w[0] for w in wanted}),
        write=s.report,
        signed_by=signer,
        computed_missing=partial_computed(s.table, [row.sheet] if changed else []).get(row.sheet),
    )


def _still_empty(row: Row, sheet: Sheet, issue: str, given: set[str]) -> list[str]:
    """The columns the seed wants filled at once for this issue that are still empty, each
    with its cell, so the SME knows what to chase."""
    if is_spoc_issue(issue):
        needed: tuple[str, ...] = (SPOC_CALLED, INCIDENT, CALLBACK)
    elif is_issue(issue, CANNOT_LOCATE):
        needed = (SEARCHED,)
    else:
        needed = ()
    out = []
    for k in needed:
        if k in given or k in row.unreadable or row.values.get(k) not in (None, ""):
            continue
        col = sheet.col(k)
        where = address(row.sheet, row.row, col) if col else "no column yet"
        out.append(f"{BY_KEY[k].header} ({where})")
    return out
