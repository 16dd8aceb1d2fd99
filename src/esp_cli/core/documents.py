"""The ladder's documents: what a step's document says, as the facts its template fills in (pure).

Each step of the escalation ladder is documented: the documented coaching, the written CAP,
the final CAP and the term review each have a Word template (the team's wording, see
services/document.py) whose placeholders are the facts below. A document names the agent,
the ESP Start Date and the day the 2-day target passed, what is still missing, the steps
already delivered with their dates, the step delivered and its date D, and the dates of the
steps still ahead — each the business day after the one before it, counted from D by the
ladder's own rule (core/rules.py: next_business_day, holidays and company days included).

- A template names only the placeholders of PLACEHOLDERS; any other is refused by name
  (TemplateError, naming the file and the known ones) before anything is written.
- A placeholder the template uses whose fact is missing (no Agent ID in the tracker, say)
  refuses the document (MissingFactError, naming the fact and the fix): a document is
  never handed over with a hole in it. The facts of OPTIONAL may be empty: a template
  shows them under `{% if ... %}`.

Nothing here reads a file or knows about the command line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from esp_cli.core.advice import first_name
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.names import name_in_file, name_key
from esp_cli.core.rules import ACTION_LABELS, LADDER, ActionKind, Step
from esp_cli.core.shape import as_json, exported
from esp_cli.errors import ConfigError, EspError

# The template of each step: its file name (built in, or in the [documents] templates
# folder) and the words a document's title and file name use.
TEMPLATE_FILES: dict[Step, str] = {
    Step.COACHING: "coaching.docx",
    Step.WRITTEN_CAP: "written-cap.docx",
    Step.FINAL_CAP: "final-cap.docx",
    Step.TERM_REVIEW: "term-review.docx",
}


def heading(step: Step) -> str:
    """'Documented coaching', 'Written CAP', 'Final CAP', 'Term review'."""
    return ACTION_LABELS[ActionKind(step.value)]


def in_text(step: Step) -> str:
    """The step as a sentence names it: 'documented coaching', 'written CAP', ..."""
    return "documented coaching" if step is Step.COACHING else step.label


PLACEHOLDERS: dict[str, str] = {
    "agent_name": "the agent's name, first name first",
    "first_name": "the agent's first name",
    "agent_id": "the agent's Agent ID",
    "n_number": "the agent's N Number (may be empty)",
    "class_name": "the agent's class",
    "tbt_sme": "the class's TBT SMEs named on the agent's row (may be empty)",
    "esp_start": "the ESP Start Date",
    "clock_start": "the first business day on or after the ESP Start Date (the clock starts)",
    "target_passed": "the day the 2-day target passed (2 business days after the clock start: "
    "behind the target from then)",
    "call_cert": "'Complete' or 'Not complete'",
    "tbts": "'Complete' or 'Not complete' (All TBTs Complete?)",
    "tbt_hours": "the TBT Hours so far (may be empty)",
    "access_issue": "the Citrix TBT Access issue (may be empty: no issue)",
    "not_complete": "what is not complete on D, in a sentence: 'Call Certs and TBTs', "
    "'Call Certs' or 'TBTs'",
    "missing": "what is still missing on D, a list of lines (Call Cert, TBTs with TBT Hours, "
    "the access issue)",
    "step": "the step this document delivers: 'Documented coaching', 'Written CAP', ...",
    "step_date": "the day it is delivered (D)",
    "delivered": "the steps delivered before it, a list of {step, date}",
    "ahead": "the steps still ahead, a list of {step, date}: each the business day after "
    "the one before it, counted from D",
    "coaching_date": "the documented coaching's date (delivered, D, or ahead)",
    "written_cap_date": "the written CAP's date (delivered, D, or ahead)",
    "final_cap_date": "the final CAP's date (delivered, D, or ahead)",
    "term_review_date": "the term review's date (D, or ahead)",
    "deliverer": "who delivers the step (--by, else [people] user)",
}
# Facts a document may lack: a template shows them under {% if ... %}.
OPTIONAL = frozenset({"n_number", "tbt_sme", "tbt_hours", "access_issue"})
# What fixes each fact a document needs and the tracker does not give.
MISSING_FIX: dict[str, str] = {
    "agent_name": "fill in the agent's name in the Agent Name column.",
    "first_name": "fill in the agent's name in the Agent Name column.",
    "agent_id": "fill in the agent's Agent ID column.",
    "class_name": "fill in the agent's Class column.",
    "deliverer": 'pass --by "Your Name", or set [people] user in esp.toml.',
    "not_complete": "check Call Cert Complete? and All TBTs Complete?: the agent has "
    "completed both.",
}
_STEP_DATE_KEYS: dict[Step, str] = {step: f"{step.value}_date" for step in LADDER}


class TemplateError(ConfigError):
    """A document template esp cannot use: not a Word document, a placeholder it does not
    know, a Jinja tag it cannot read."""


class MissingFactError(EspError):
    """A document needs a fact the tracker does not give: refused, not made with a hole."""

    def __init__(self, key: str, step: Step, agent: str) -> None:
        self.key = key
        super().__init__(
            f"The {in_text(step)} document for {agent} needs {{{{ {key} }}}} "
            f"({PLACEHOLDERS[key]}), which has no value; the document was not made.",
            fix=MISSING_FIX.get(key, "fill in the value in the tracker."),
        )


def check_placeholders(names: Iterable[str], source: str) -> frozenset[str]:
    """The placeholders a template uses, each one esp knows; an unknown one is a
    TemplateError naming it, `source` and the ones esp knows."""
    found = frozenset(names)
    unknown = sorted(found - PLACEHOLDERS.keys())
    if unknown:
        shown = ", ".join("{{ " + n + " }}" for n in unknown)
        raise TemplateError(
            f"{source}: unknown placeholder{'s' if len(unknown) > 1 else ''} {shown}.",
            fix=f"use only {', '.join(PLACEHOLDERS)}.",
        )
    return found


@dataclass(frozen=True)
class DatedStep:
    """A ladder step and its day: delivered on it, or falling due on it."""

    step: Step
    day: date = field(metadata=as_json(key="date"))


@dataclass(frozen=True)
class StepDocument:
    """The facts of one step's document, before any wording."""

    agent_name: str = field(metadata=as_json(hidden=True))
    agent_id: str = field(metadata=as_json(hidden=True))
    n_number: str = field(metadata=as_json(hidden=True))
    class_name: str = field(metadata=as_json(hidden=True))
    tbt_sme: str = field(metadata=as_json(hidden=True))
    esp_start: date
    clock_start: date
    target_passed: date
    call_cert_complete: bool = field(metadata=as_json(hidden=True))
    tbts_complete: bool = field(metadata=as_json(hidden=True))
    tbt_hours: float | None = field(metadata=as_json(hidden=True))
    access_issue: str | None = field(metadata=as_json(hidden=True))
    step: Step = field(metadata=as_json(hidden=True))
    on: date = field(metadata=as_json(hidden=True))
    delivered: tuple[DatedStep, ...]
    ahead: tuple[DatedStep, ...]
    deliverer: str = field(metadata=as_json(hidden=True))

    @property
    def missing(self) -> list[str]:
        """What the agent has still not done, in a person's words."""
        out = []
        if not self.call_cert_complete:
            out.append("Call Cert: not complete")
        if not self.tbts_complete:
            hours = _hours(self.tbt_hours)
            out.append(
                "TBTs: not complete"
                + (f" (TBT Hours so far: {hours})" if hours else " (no TBT Hours recorded)")
            )
        if self.access_issue:
            out.append(f"Citrix TBT Access issue: {self.access_issue}")
        return out

    @property
    @exported(key="dates", after="ahead")
    def dates(self) -> dict[str, date]:
        """Every step's day, by the step's name: delivered, D, or ahead."""
        out = {d.step.value: d.day for d in self.delivered}
        out[self.step.value] = self.on
        out.update({d.step.value: d.day for d in self.ahead})
        return out


def ladder_dates(
    recorded: Mapping[Step, date], step: Step, on: date, cal: BusinessCalendar
) -> tuple[tuple[DatedStep, ...], tuple[DatedStep, ...]]:
    """(the steps before `step` with their recorded dates, the steps after it with the day
    each falls due if the one before it is delivered when due): the first ahead is the
    business day after `on`, each next one the business day after the one before it."""
    index = LADDER.index(step)
    delivered = tuple(DatedStep(s, recorded[s]) for s in LADDER[:index])
    ahead: list[DatedStep] = []
    day = on
    for later in LADDER[index + 1 :]:
        day = cal.next_business_day(day)
        ahead.append(DatedStep(later, day))
    return delivered, tuple(ahead)


def fmt_long(day: date) -> str:
    """How a document shows a day: 'Wednesday 11/25/2026'."""
    return f"{day:%A} {day:%m/%d/%Y}"


def _hours(hours: float | None) -> str:
    if hours is None:
        return ""
    return f"{hours:g}"


class Lines(list[Any]):
    """A list placeholder (missing, delivered, ahead): looped over line by line, and read
    as text where a template prints it whole (`{{ missing }}`), never as Python's `[...]`."""

    def __str__(self) -> str:
        return "; ".join(str(item) for item in self)


class DatedLine(dict[str, str]):
    """A step of delivered or ahead: `.step` and `.date` in a template, and as text
    'Written CAP Friday 11/27/2026' where it is printed whole (`{{ ahead[0] }}`)."""

    def __str__(self) -> str:
        return f"{self['step']} {self['date']}"


def values(doc: StepDocument) -> dict[str, Any]:
    """Every placeholder's value for `doc` (a missing fact as None)."""
    dates = doc.dates
    out: dict[str, Any] = {
        "agent_name": " ".join(doc.agent_name.split()) or None,
        "first_name": first_name(doc.agent_name),
        "agent_id": doc.agent_id.strip() or None,
        "n_number": doc.n_number.strip(),
        "class_name": " ".join(doc.class_name.split()) or None,
        "tbt_sme": doc.tbt_sme,
        "esp_start": fmt_long(doc.esp_start),
        "clock_start": fmt_long(doc.clock_start),
        "target_passed": fmt_long(doc.target_passed),
        "call_cert": "Complete" if doc.call_cert_complete else "Not complete",
        "tbts": "Complete" if doc.tbts_complete else "Not complete",
        "tbt_hours": _hours(doc.tbt_hours),
        "access_issue": doc.access_issue or "",
        "not_complete": _not_complete(doc),
        "missing": Lines(doc.missing),
        "step": heading(doc.step),
        "step_date": fmt_long(doc.on),
        "delivered": Lines(_dated(d) for d in doc.delivered),
        "ahead": Lines(_dated(d) for d in doc.ahead),
        "deliverer": " ".join(doc.deliverer.split()) or None,
    }
    for step, key in _STEP_DATE_KEYS.items():
        out[key] = fmt_long(dates[step.value])
    return out


def _not_complete(doc: StepDocument) -> str | None:
    """What is not complete, as a sentence names it; None when both are complete."""
    parts = (("Call Certs", doc.call_cert_complete), ("TBTs", doc.tbts_complete))
    return " and ".join(what for what, done in parts if not done) or None


def _dated(d: DatedStep) -> DatedLine:
    return DatedLine(step=heading(d.step), date=fmt_long(d.day))


def filled(doc: StepDocument, used: Iterable[str]) -> dict[str, Any]:
    """The values of every placeholder, once each one `used` that a document needs has a
    value: else MissingFactError naming the first (in PLACEHOLDERS' order)."""
    found = values(doc)
    order = list(PLACEHOLDERS)
    for key in sorted(set(used) - OPTIONAL, key=order.index):
        value = found.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise MissingFactError(key, doc.step, doc.agent_name or "the agent")
    return found


# -- which document a file is -----------------------------------------------------------------

# A document esp made says whose, which step's and which day's it is in a core property
# (Word keeps it through edits; it is not shown): what record-step --document checks first.
STAMP = "esp document"
_HEADINGS = {heading(s).casefold(): s for s in LADDER}
# esp's name for a step's document: '2026-11-25 Kayla Brooks - Documented coaching', the
# Agent ID in brackets after a name two agents share (their row, '(row 7)', for agents
# without one); a signed scan may add words after the step ('... - Written CAP signed').
_FILE_NAME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2}) (.+?) - (" + "|".join(map(re.escape, _HEADINGS)) + r")\b",
    re.IGNORECASE,
)
_TAG = re.compile(r"^(.*\S) \(([^()]+)\)$")
_ROW_TAG = re.compile(r"row (\d+)", re.IGNORECASE)


class Identity(NamedTuple):
    """Whose, which step's and which day's document a file says it is: from esp's stamp
    (name, Agent ID, and the row of namesakes without one), or from esp's file name (the
    name as the file holds it, and its bracketed end apart: an Agent ID, a row, or the end
    of the name itself — `bracketed`)."""

    step: Step
    day: date
    name: str
    agent_id: str
    row: int | None = None
    bracketed: bool = False
    # With the row (a stamp's): the agent's ESP Start Date and class as esp saw them, so a
    # row that holds the agent's namesake since (a sort) is not taken for the agent.
    start: date | None = None
    cls: str | None = None
    sheet: str | None = None  # the row's sheet


def row_tag(row: int) -> str:
    """What tells apart, in a file name and a stamp, namesakes without an Agent ID: 'row 7'."""
    return f"row {row}"


def stamp(doc: StepDocument, row: int | None = None, sheet: str = "") -> str:
    """The core property a document esp makes carries (see read_stamp); `row` (on `sheet`)
    for an agent whose file name carries their row (a namesake without an Agent ID), with
    their ESP Start Date and class (what tells the row's agent from a namesake moved
    there)."""
    name = " ".join(doc.agent_name.split())
    agent_id = doc.agent_id.strip()
    where = ""
    if row is not None:
        cls, on = _quote(doc.class_name), _quote(sheet)
        where = f"; row={row}; sheet={on}; start={doc.esp_start:%Y-%m-%d}; class={cls}"
    return (
        f"{STAMP}; step={doc.step.value}; date={doc.on:%Y-%m-%d}; id={agent_id}{where}; name={name}"
    )


# What a class or sheet name cannot hold as typed in a stamp, which parts its fields with.
_ESCAPED = {"%": "%25", ";": "%3B", "=": "%3D"}
_ESCAPE = re.compile("|".join(map(re.escape, _ESCAPED)))
_UNESCAPE = re.compile("|".join(map(re.escape, _ESCAPED.values())))


def _quote(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPED[m.group()], " ".join(text.split()))


def _unquote(text: str) -> str:
    back = {v: k for k, v in _ESCAPED.items()}
    return _UNESCAPE.sub(lambda m: back[m.group()], text)


def read_stamp(text: str | None) -> Identity | None:
    """The document's identity from its stamp; None when it has none (made by hand)."""
    if not text or not text.startswith(STAMP + ";"):
        return None
    head, _, name = text[len(STAMP) + 1 :].partition("; name=")
    fields = {
        key.strip(): value.strip() for key, _, value in (p.partition("=") for p in head.split(";"))
    }
    try:
        row, start, cls = fields.get("row"), fields.get("start"), fields.get("class")
        sheet = fields.get("sheet")
        return Identity(
            Step(fields["step"]),
            date.fromisoformat(fields["date"]),
            name.strip(),
            fields.get("id", ""),
            int(row) if row else None,
            start=date.fromisoformat(start) if start else None,
            cls=_unquote(cls) if cls is not None else None,
            sheet=_unquote(sheet) if sheet else None,
        )
    except (KeyError, ValueError):
        return None


def read_file_name(stem: str) -> Identity | None:
    """The document's identity from a name esp gives it ('2026-11-25 Ana Lopez (E10315) -
    Documented coaching', any extension taken off); None for another name."""
    found = _FILE_NAME.match(" ".join(stem.split()))
    if found is None:
        return None
    try:
        day = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
    step = _HEADINGS[found[5].casefold()]
    tagged = _TAG.match(found[4])
    if tagged is None:
        return Identity(step, day, found[4], "")
    row = _ROW_TAG.fullmatch(tagged[2].strip())
    if row is not None:
        return Identity(step, day, tagged[1], "", int(row[1]))
    return Identity(step, day, tagged[1], tagged[2].strip(), bracketed=True)


def names_agent(identity: Identity, name: str, agent_id: str, row: int) -> bool:
    """Is the document `identity` says this agent's (`name`, `agent_id`, on `row`)? By the
    Agent ID when both have one; by the row for namesakes without one; else by the whole
    name. A file name's bracketed end is the Agent ID only where it is the agent's: 'Ana
    Lopez (Annie)' is Ana Lopez (Annie)'s whatever her Agent ID, and never that of an Ana
    Lopez without one — a document is never taken for an agent whose name it does not
    carry, nor one naming an Agent ID for an agent without it."""
    own_id = agent_id.strip()
    if identity.bracketed and _same_name(f"{identity.name} ({identity.agent_id})", name):
        return True
    if identity.agent_id:
        return bool(own_id) and identity.agent_id.casefold() == own_id.casefold()
    if identity.row is not None:
        return not own_id and identity.row == row and _same_name(identity.name, name)
    return _same_name(identity.name, name)


def _same_name(held: str, name: str) -> bool:
    """Is `held` (a name as a file or stamp holds it) the agent's `name`? A long name is cut
    the same way in every file name: the names are compared as cut."""
    cut = name_in_file(held.rstrip("…")).rstrip("…")
    return name_key(cut) == name_key(name_in_file(name).rstrip("…"))


# -- the e-mail that hands the document over ---------------------------------------------------

# What the agent is told comes next, by the step delivered: the seed's expectation, {what}
# being what is not complete (the document's not_complete).
_NEXT: dict[Step, str] = {
    Step.COACHING: "Should you not complete your {what} within one more business day, a "
    "written CAP will be delivered on {day}.",
    Step.WRITTEN_CAP: "Should you not complete your {what} within one more business day, a "
    "Final CAP will be delivered on {day}.",
    Step.FINAL_CAP: "If your {what} are not completed after one more business day, you may be "
    "termed ({day}).",
}


def letter_text(doc: StepDocument, file_name: str) -> tuple[str, str]:
    """(subject, text) of the e-mail that hands `doc` to the agent, attached as `file_name`."""
    what = heading(doc.step)
    subject = f"{what}: {' '.join(doc.agent_name.split())}, {fmt_long(doc.on)}"
    lines = [
        f"Hi {first_name(doc.agent_name) or 'there'},",
        "",
        f"Attached is your {in_text(doc.step)} of {fmt_long(doc.on)} ({file_name}).",
    ]
    missing = doc.missing
    if missing:
        lines += ["", "Still not complete:", *(f"- {line}" for line in missing)]
    follow, not_complete = _NEXT.get(doc.step), _not_complete(doc)
    if follow is not None and not_complete is not None and doc.ahead:
        lines += ["", follow.format(what=not_complete, day=fmt_long(doc.ahead[0].day))]
    lines += [
        "",
        "Please read it before we go through it together and sign it.",
        "",
        "Thank you,",
        " ".join(doc.deliverer.split()),
    ]
    return subject, "\n".join(lines) + "\n"
