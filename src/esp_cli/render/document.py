"""esp document: the documents made as a table, JSON or CSV, and what was not made, on stderr."""

from __future__ import annotations

from esp_cli.core.documents import heading
from esp_cli.core.model import class_aside, class_shown
from esp_cli.core.rules import LADDER
from esp_cli.render import (
    Format,
    chosen_with_waiting,
    plain,
    print_table,
    say,
    say_findings,
    write_csv,
    write_json,
)
from esp_cli.render.changes import say_written
from esp_cli.results.document import Document, DocumentResult, NotMade

CSV_COLUMNS = [
    "agent",
    "class",
    "sheet",
    "row",
    "step",
    "date",
    "file",
    "drafts",
    "to",
    "cc",
    *(f"{s.value}_date" for s in LADDER),
    "note",
]


def _csv_row(d: Document) -> dict[str, object]:
    data = plain(d)
    dates = data.pop("dates")
    return {
        **data,
        "drafts": "; ".join(data["drafts"]),
        "cc": "; ".join(d.cc),
        **{f"{step}_date": day for step, day in dates.items()},
    }


def render(result: DocumentResult, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(result)
    elif fmt is Format.csv:
        write_csv([_csv_row(d) for d in result.documents], CSV_COLUMNS)
    else:
        verb = "would make" if result.dry_run else "made"
        print_table(
            f"Documents for {result.on:%a %m/%d/%Y}: {len(result.documents)} {verb}",
            ["Agent", "Class", "Step", "Document", "Steps ahead"],
            [
                (
                    d.agent.name,
                    class_shown(d.agent.cls),
                    heading(d.step),
                    d.file.name
                    + (f"\n+ {' '.join(p.suffix for p in d.drafts)}" if d.drafts else ""),
                    "\n".join(f"{heading(a.step)} {a.day:%a %m/%d}" for a in d.facts.ahead) or "—",
                )
                for d in result.documents
            ],
            empty="no document to make",
        )
    tell(result, fmt)


def _where(one: NotMade) -> str:
    """ "(AET-1, Documented coaching)"; "(AET-1)" when the step cannot be told."""
    step = f", {heading(one.step)}" if one.step is not None else ""
    return f"({class_aside(one.agent.cls)}{step})"


def _not_made(refused: NotMade) -> str:
    """'not made: Cy Dunn (AET-1, Documented coaching): why. Fix: what to do', the agent
    named once: a reason that starts with their name (as the ladder's refusals do) follows
    the class and step alone."""
    agent = refused.agent
    where = _where(refused)
    fix = f" Fix: {refused.fix}" if refused.fix else ""
    if refused.reason.startswith(agent.name):
        return f"not made {where}: {refused.reason}{fix}"
    return f"not made: {agent.name} {where}: {refused.reason}{fix}"


def tell(result: DocumentResult, fmt: Format) -> None:
    """What people should know, on stderr: findings, what was not made and why, where the
    documents are, what was recorded."""
    say_findings(result.findings, verbose=False, verbose_flag=None)
    say_day(result)
    if result.chosen_waiting:
        say(chosen_with_waiting(result.sme, len(result.chosen_waiting)))
    for warning in result.template_warnings:
        say(f"warning: {warning}")
    for made in result.already_made:
        where = f": {made.file}" if made.file else ""
        recorded = "; its step recorded with it" if made.note else ""
        if made.note and result.dry_run:
            recorded = "; its step would be recorded with it"
        if made.drafts:
            names = ", ".join(p.name for p in made.drafts)
            verb = "would be made" if result.dry_run else "made now"
            recorded += f"; its e-mail draft, missing, {verb}: {names}"
        whose = f"{made.agent.name} {_where(made)}"
        say(f"already made: {whose}{where}" + recorded)
    for refused in [*result.refused, *result.recorded_later]:
        say(_not_made(refused))
    for name in result.smes_without_address:
        say(
            f"not in Cc: TBT SME {name} has no address in esp.toml [people] sme_emails "
            f'(add "{name}" = "name@example.com").'
        )
    n = len(result.documents)
    if result.dry_run:
        say(f"Dry run: {n} document(s) would be made in {result.folder}; nothing was written.")
    elif n:
        drafts = sum(len(d.drafts) for d in result.documents)
        with_drafts = f" and {drafts} e-mail draft(s)" if drafts else ""
        say(f"Saved {n} document(s){with_drafts} in {result.folder}.")
    kept = sum(len(m.drafts or ()) for m in result.already_made)
    if kept and not result.dry_run:
        say(f"Saved {kept} e-mail draft(s) of documents already made in {result.folder}.")
    if result.recorded:
        say_written(result.write, done="needs no change", fmt=fmt)


# The day named in a warning, by where it came from (DocumentResult.day_from).
_DAY_NAMED = {"today": ", today,", "recorded": ", the step's recorded date,"}


def say_day(result: DocumentResult) -> None:
    """A warning, on stderr, when the documents' day is not a business day or is far ahead
    of today: they are dated on it and the steps ahead are counted from it."""
    day = f"{result.on:%a %m/%d/%Y}{_DAY_NAMED.get(result.day_from, '')}"
    given = " as given" if result.day_from in ("--date", "--as-of") else ""
    dated = f"the documents are dated on it{given}, and the steps ahead are counted from it"
    if result.not_a_business_day:
        say(
            f"warning: {day} is not a business day ({result.not_a_business_day}): {dated} "
            f"({_other_day(result)})."
        )
    if result.business_days_ahead is not None:
        say(
            f"warning: {day} is {result.business_days_ahead} business days after today: "
            f"{dated} ({_other_day(result)})."
        )


def _other_day(result: DocumentResult) -> str:
    """How to date the documents on another day."""
    if result.day_from == "recorded":
        return "correct the step's date in the tracker if that is not when it was delivered"
    option = "--as-of" if result.day_from == "--as-of" else "--date"
    return f"{option} another day if that is not when it is delivered"
