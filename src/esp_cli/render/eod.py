"""The end-of-day report as JSON-ready data, CSV rows, plain text, Markdown and HTML (pure).

The HTML is for Outlook (Windows, whose Word engine ignores most CSS; the web; phones): a
table-based single column, inline styles only, no scripts or external assets; the bar
chart is table cells with a background colour and a width. The e-mail's one picture (the
KPI trend) is sent inside the message and shown by its Content-ID. Every value from the tracker
is HTML-escaped. Data problems (an agent the rules cannot evaluate, and why) are not in it:
they go to the team on stderr; the mail says only how many agents are being checked.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from esp_cli.core.figures import percent, percent_text
from esp_cli.core.model import InlineImage, Letter, class_aside, class_shown
from esp_cli.core.reports import day_off_warning
from esp_cli.core.rules import ACTION_LABELS, ActionKind
from esp_cli.render import (
    Format,
    counted_waiting,
    csv_text,
    json_text,
    ladder_date_lines,
    plain,
    print_table,
    put_csv,
    say,
    say_findings,
    style,
    write_lines,
    write_out,
)
from esp_cli.results.eod import (
    ClassSummary,
    EodReport,
    OutstandingAgent,
    ordered_actions,
    ordered_issues,
)

SUBJECT_PREFIX = "TBT Completion Report"
COUNT_KEYS = (
    "agents",
    "call_certs_complete",
    "tbts_complete",
    "fully_complete",
    "outstanding",
)
CSV_COLUMNS = [
    "class",
    *COUNT_KEYS,
    "percent_complete",
    "not_reported",
    "not_evaluated",
    "access_issues",
    "escalations_due",
]
SUMMARY_HEADERS = ["Class", "Agents", "Call Certs", "All TBTs", "Complete", "Outstanding", "%"]
# In the e-mail, the long one-word headers may hyphenate on a phone (a soft hyphen shows
# only where the line breaks), so the summary fits 400 px beside a long class code.
SOFT_HYPHENS = {"Complete": "Com\u00adplete", "Outstanding": "Out\u00adstand\u00ading"}
OUTSTANDING_HEADERS = ["Agent", "Class", "Missing", "Pending action", "Due", "Latest note"]
BAR_CELLS = 20  # the chart's width in cells: 5 % a cell
BAR_DONE = "#2e7d32"
BAR_LEFT = "#e0e0e0"


@dataclass(frozen=True)
class MailSection:
    """A block the e-mail shows after its headline (the leadership KPIs): its plain-text
    lines, its HTML rows (text_row, heading_row...) and the pictures those show."""

    text: tuple[str, ...]
    html: tuple[str, ...]
    images: tuple[InlineImage, ...] = ()


def subject(day: date, scope: str | None = None) -> str:
    """The report's title and e-mail subject; `scope` names whose agents it covers."""
    return f"{SUBJECT_PREFIX} — {day:%a %m/%d/%Y}" + (f" — {scope}" if scope else "")


def action_label(value: str) -> str:
    try:
        return ACTION_LABELS[ActionKind(value)]
    except ValueError:
        return value


def _fmt_day(day: date | None) -> str:
    return "" if day is None else f"{day:%m/%d/%Y}"


def _missing(agent_cert: bool, agent_tbts: bool) -> str:
    parts = [] if agent_cert else ["Call Cert"]
    return ", ".join(parts if agent_tbts else [*parts, "TBTs"])


# -- data ---------------------------------------------------------------------------------------


def csv_rows(report: EodReport) -> list[dict[str, Any]]:
    """One row a class, then the totals (class "Total"): the JSON's counts, the percentage,
    and each count of issues and steps as "name: n; ..." in one cell."""
    return [
        {
            **plain(summary),
            "percent_complete": summary.percent_complete,
            "access_issues": "; ".join(f"{k}: {n}" for k, n in summary.issues.items()),
            "escalations_due": "; ".join(f"{k}: {n}" for k, n in summary.due.items()),
        }
        for summary in [*report.classes, report.totals]
    ]


def summary_row(summary: ClassSummary) -> list[str]:
    return [
        class_shown(summary.cls),
        str(summary.agents),
        str(summary.call_certs_complete),
        str(summary.tbts_complete),
        str(summary.fully_complete),
        str(summary.outstanding),
        _percent(summary),
    ]


def _percent(summary: ClassSummary) -> str:
    """The share complete as shown: "—" with no agent to count, never 0%."""
    return percent_text(summary.fully_complete, summary.agents)


# After the pending action of an agent whose ladder dates the rules cannot count (the team
# is told which on stderr): the step and its due date are the rules' reading until corrected.
CHECKING_LADDER = "ladder dates being checked"


def _asides(agent: OutstandingAgent) -> str:
    """What is said after the pending action: its ladder dates being checked; a day
    replayed, the step recorded later."""
    said = [CHECKING_LADDER] if agent.conflicts else []
    said += [agent.recorded_later] if agent.recorded_later else []
    return f" ({'; '.join(said)})" if said else ""


def next_words(agent: OutstandingAgent) -> str:
    """What is next for an outstanding agent, in every format alike: the pending action, or
    why there is none (the ladder has ended; the team is checking an agent the rules could
    not evaluate)."""
    if agent.pending_action:
        return agent.pending_action + _asides(agent)
    if not agent.evaluated:
        return "being checked by the team"
    if agent.ladder_ended is not None:
        return f"term review delivered {_fmt_day(agent.ladder_ended)}"
    return "nothing pending"


def next_due_words(agent: OutstandingAgent) -> str:
    """next_words with the pending action's due date: 'Written CAP, due 11/27/2026'."""
    if agent.pending_action and agent.pending_due:
        return f"{agent.pending_action}, due {_fmt_day(agent.pending_due)}{_asides(agent)}"
    return next_words(agent)


def outstanding_row(report: EodReport, index: int) -> list[str]:
    a = report.outstanding[index]
    pending = next_words(a)
    return [
        a.name,
        class_shown(a.cls),
        _missing(a.call_cert_complete, a.tbts_complete),
        pending,
        _fmt_day(a.pending_due),
        a.latest_note or "",
    ]


def access_lines(report: EodReport, known: Sequence[str]) -> list[tuple[str, int]]:
    return ordered_issues(report.totals.access_issues, known)


def escalation_lines(report: EodReport) -> list[tuple[str, int]]:
    return [(action_label(k), n) for k, n in ordered_actions(report.totals.escalations_due)]


def not_evaluated_line(report: EodReport) -> str:
    n = report.totals.not_evaluated
    return f"{n} agent{'s' if n != 1 else ''} could not be evaluated; the team is checking."


def waiting_line(report: EodReport) -> str:
    return counted_waiting(len(report.waiting))


def headline(report: EodReport) -> str:
    t = report.totals
    later, unknown = len(report.starting_later), len(report.no_start_date)
    apart = [f"{later} start{'s' if later == 1 else ''} later"] if later else []
    apart += [f"{unknown} without a start date"] if unknown else []
    if t.agents == 0 and apart:
        return f"No agent counted: {' and '.join(apart)}."
    return (
        f"{t.fully_complete} of {t.agents} agents fully complete ({_percent(t)}); "
        f"{t.outstanding} outstanding; {t.not_reported} did not self-report"
        + (f"; {' and '.join(apart)}, not counted." if apart else ".")
    )


def _none_counted(report: EodReport) -> bool:
    """Every agent of the report left out of its counts (starting later, no start date)."""
    return report.totals.agents == 0 and bool(report.starting_later or report.no_start_date)


def _all_reported(report: EodReport) -> str:
    """What an empty list of who did not self-report says."""
    return "no agent counted" if _none_counted(report) else "everyone reported"


def _all_complete(report: EodReport) -> str:
    """What an empty list of the outstanding agents says."""
    return "no agent counted" if _none_counted(report) else "every agent is complete"


def no_start_title(report: EodReport) -> str:
    return f"Not counted, no ESP Start Date yet (the team is checking): {len(report.no_start_date)}"


def no_start_lines(report: EodReport) -> list[str]:
    return [f"{a.name} ({class_aside(a.cls)})" for a in report.no_start_date]


def starting_later_title(report: EodReport) -> str:
    return f"Starting later (not counted above): {len(report.starting_later)}"


def starting_later_lines(report: EodReport) -> list[str]:
    """`Name (Class), starts 12/24/2026`, in tracker order."""
    return [
        f"{a.name} ({class_aside(a.cls)}), starts {a.start:%m/%d/%Y}" for a in report.starting_later
    ]


# -- plain text -----------------------------------------------------------------------------------


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render_text(
    report: EodReport,
    known_access: Sequence[str],
    *,
    greeting: str | None = None,
    signoff: str | None = None,
    top: MailSection | None = None,
) -> str:
    """The plain-text part: reads well in a terminal and in a mail client without HTML."""
    title = subject(report.day, report.scope)
    out = [*greeting.splitlines(), ""] if greeting else []
    out += [title, "=" * len(title), "", headline(report), ""]
    if report.waiting:
        out += [waiting_line(report), ""]
    if top is not None:
        out += [*top.text, ""]
    out += _text_table(SUMMARY_HEADERS, [summary_row(c) for c in [*report.classes, report.totals]])
    out += ["", "Access issues (outstanding agents)"]
    out += [f"  {k}: {n}" for k, n in access_lines(report, known_access)] or ["  none"]
    out += ["", "Escalation steps due"]
    out += [f"  {k}: {n}" for k, n in escalation_lines(report)] or ["  none"]
    if report.totals.not_evaluated:
        out += ["", not_evaluated_line(report)]
    out += ["", f"Did not self-report: {len(report.not_reported)}"]
    out += [f"  {name} ({class_aside(cls)})" for name, cls in report.not_reported] or [
        f"  {_all_reported(report)}"
    ]
    out += ["", f"Outstanding agents: {len(report.outstanding)}", *outstanding_lines(report)]
    if report.starting_later:
        out += ["", starting_later_title(report)]
        out += [f"  {line}" for line in starting_later_lines(report)]
    if report.no_start_date:
        out += ["", no_start_title(report)]
        out += [f"  {line}" for line in no_start_lines(report)]
    if signoff:
        out += ["", *signoff.splitlines()]
    return "\n".join(out) + "\n"


def outstanding_lines(report: EodReport) -> list[str]:
    """The outstanding agents as a list (a table is too narrow for the notes)."""
    out = []
    for i, a in enumerate(report.outstanding):
        row = outstanding_row(report, i)
        pending = next_due_words(a)
        out.append(f"- {a.name} ({class_aside(a.cls)}): missing {row[2]}; next: {pending}")
        if a.latest_note:
            out.append(f"    Latest note: {a.latest_note}")
    return out or [f"  {_all_complete(report)}"]


# -- Markdown -------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    return out


def render_markdown(report: EodReport, known_access: Sequence[str]) -> str:
    out = [f"# {subject(report.day, report.scope)}", "", headline(report), ""]
    if report.waiting:
        out += [waiting_line(report), ""]
    rows = [summary_row(c) for c in report.classes]
    rows.append([f"**{c}**" for c in summary_row(report.totals)])
    out += _md_table(SUMMARY_HEADERS, rows)
    out += ["", "## Access issues (outstanding agents)", ""]
    out += [f"- {_md_cell(k)}: {n}" for k, n in access_lines(report, known_access)] or ["none"]
    out += ["", "## Escalation steps due", ""]
    out += [f"- {k}: {n}" for k, n in escalation_lines(report)] or ["none"]
    if report.totals.not_evaluated:
        out += ["", not_evaluated_line(report)]
    out += ["", f"## Did not self-report: {len(report.not_reported)}", ""]
    out += [f"- {_md_cell(n)} ({_md_cell(class_aside(c))})" for n, c in report.not_reported] or [
        _all_reported(report)
    ]
    out += ["", f"## Outstanding agents: {len(report.outstanding)}", ""]
    if report.outstanding:
        out += _md_table(
            OUTSTANDING_HEADERS,
            [outstanding_row(report, i) for i in range(len(report.outstanding))],
        )
    else:
        out.append(_all_complete(report))
    if report.starting_later:
        out += ["", f"## {starting_later_title(report)}", ""]
        out += [f"- {_md_cell(line)}" for line in starting_later_lines(report)]
    if report.no_start_date:
        out += ["", f"## {no_start_title(report)}", ""]
        out += [f"- {_md_cell(line)}" for line in no_start_lines(report)]
    return "\n".join(out) + "\n"


# -- HTML (Outlook) -------------------------------------------------------------------------------

# Outlook for Windows lays HTML out with Word's engine: styles on a table do not reach its
# cells, body padding is dropped and line-height needs mso-line-height-rule. So every text
# cell carries the whole font, the layout is an outer table with cell padding, and a single
# column of fluid tables (at most 600 px wide; Word gets a fixed 600 px table through a
# conditional comment) that fits a 400 px phone screen without scrolling sideways.
FONT = (
    "font-family:Segoe UI,Calibri,Arial,sans-serif;font-size:14px;line-height:20px;"
    "mso-line-height-rule:exactly;color:#222222"
)
SMALL = (
    "font-family:Segoe UI,Calibri,Arial,sans-serif;font-size:12px;line-height:16px;"
    "mso-line-height-rule:exactly;color:#222222"
)
WIDTH = 600
WRAP = "word-wrap:break-word;overflow-wrap:anywhere;word-break:break-word"
_TH = (
    f"{SMALL};padding:5px 4px;border:1px solid #c8c8c8;background-color:#1f3864;"
    "color:#ffffff;font-weight:bold;text-align:left;vertical-align:bottom"
)
_TD = f"{SMALL};padding:5px 4px;border:1px solid #d9d9d9;vertical-align:top"
_TOTAL = f"{_TD};font-weight:bold;background-color:#f2f2f2"
_NOWRAP = "white-space:nowrap"
_TITLE = "font-size:20px;line-height:26px;font-weight:bold;color:#1f3864"


def code_html(code: str) -> str:
    """A class code that never breaks inside a number ("AET-/1102" never happens) but may
    break after a hyphen before a word on a phone: AET-1109-EVENING-WAVE → AET-1109-⏎EVENING-WAVE.
    """
    parts = re.split(r"(?<=-)(?=[^\W\d_])", code)
    return "<wbr>".join(f'<span style="{_NOWRAP}">{escape(p)}</span>' for p in parts)


def _cell(
    tag: str,
    style: str,
    text: str,
    *,
    nowrap: bool = False,
    right: bool = False,
    code: bool = False,
) -> str:
    """A table cell; `nowrap` (a number) never breaks, a `code` (a class code) breaks only as
    `code_html` says, other text wraps only between words (a header such as "Call Certs")."""
    attrs = ' nowrap="nowrap"' if nowrap else ""
    style += f";{_NOWRAP}" if nowrap else ""
    style += ";text-align:right" if right else ""
    body = code_html(text) if code else escape(text)
    return f'<{tag}{attrs} style="{style}">{body}</{tag}>'


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    total_last: bool = False,
    codes: Sequence[int] = (),
    numbers: Sequence[int] = (),
) -> str:
    """A data table (no role="presentation": screen readers keep its rows and columns) as
    wide as the column. Cells of the `codes` columns (a class code) break only between its
    words, the `numbers` columns (right-aligned) never; the others wrap between words."""
    head = "".join(_cell("th", _TH, h, right=i in numbers) for i, h in enumerate(headers))
    body = []
    for n, r in enumerate(rows):
        style = _TOTAL if total_last and n == len(rows) - 1 else _TD
        cells = "".join(
            _cell("td", style, c, nowrap=i in numbers, right=i in numbers, code=i in codes)
            for i, c in enumerate(r)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        '<table width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:100%;border-collapse:collapse"><tr>{head}</tr>{"".join(body)}</table>'
    )


def _bar(summary: ClassSummary) -> str:
    """One class of the chart: its name and % on a line, then a fluid bar (two cells whose
    widths are the done and the open shares) that shrinks with the screen."""
    label = f"{_percent(summary)} ({summary.fully_complete}/{summary.agents})"
    # bgcolor as well as the style: Outlook's Word engine honours the attribute; a 1px font
    # keeps &nbsp; from making the cell taller than the bar.
    bar_cell = (
        '<td width="{w}%" height="14" bgcolor="{c}" style="width:{w}%;height:14px;padding:0;'
        "font-size:1px;line-height:14px;mso-line-height-rule:exactly;"
        'background-color:{c}">&nbsp;</td>'
    )
    done = int(percent(summary.fully_complete, summary.agents, 0) or 0)
    cells = "".join(
        bar_cell.format(w=w, c=c) for w, c in ((done, BAR_DONE), (100 - done, BAR_LEFT)) if w > 0
    )
    return (
        f'<tr><td style="{FONT};padding:6px 8px 2px 0">{code_html(class_shown(summary.cls))}</td>'
        f'<td nowrap="nowrap" style="{FONT};padding:6px 0 2px 0;text-align:right;{_NOWRAP}">'
        f"{escape(label)}</td></tr>"
        f'<tr><td colspan="2" style="{SMALL};padding:0">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:100%;border-collapse:collapse"><tr>{cells}</tr></table></td></tr>'
    )


def text_row(inner: str, style: str = "", *, raw: bool = False) -> str:
    """A row of the column: `inner` is text (escaped here) or, with `raw`, built HTML."""
    # Wrapping inside words is inherited: only text rows get it, never a table's headers.
    body, wrap = (inner, "") if raw else (escape(inner), f"{WRAP};")
    return f'<tr><td style="{FONT};padding:0 0 8px 0;{wrap}{style}">{body}</td></tr>'


def heading_row(text: str) -> str:
    return (
        f'<tr><td style="{FONT};padding:16px 0 6px 0;font-size:16px;line-height:22px;'
        f'font-weight:bold;color:#1f3864">{escape(text)}</td></tr>'
    )


def _names_and_classes(agents: Sequence[tuple[str, str]]) -> str:
    """`Name (CLASS), …`, the class code kept on one line."""
    return ", ".join(
        f'{escape(n)} <span style="{_NOWRAP}">({escape(class_aside(c))})</span>' for n, c in agents
    )


def _pairs(items: Sequence[tuple[str, int]]) -> list[list[str]]:
    return [[k, str(n)] for k, n in items]


def html_lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.splitlines())


def _outstanding(report: EodReport) -> str:
    """The outstanding agents, one stacked block each: a table of six columns does not fit
    a phone, and a note needs the full width to wrap."""
    rows = []
    for i, a in enumerate(report.outstanding):
        _, _, missing, _, _, note = outstanding_row(report, i)
        step = next_due_words(a)
        lines = [
            f'<span style="font-weight:bold">{escape(a.name)}</span> '
            f'<span style="{_NOWRAP}">({escape(class_aside(a.cls))})</span>',
            f"Missing: {escape(missing)}",
            f"Next: {escape(step)}",
        ]
        if note:
            lines.append(f'<span style="color:#555555">Latest note: {escape(note)}</span>')
        rows.append(
            f'<tr><td style="{SMALL};padding:6px 0;border-bottom:1px solid #e0e0e0;{WRAP}">'
            + "<br>".join(lines)
            + "</td></tr>"
        )
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:100%;border-collapse:collapse">{"".join(rows)}</table>'
    )


def render_html(
    report: EodReport,
    known_access: Sequence[str],
    *,
    greeting: str | None = None,
    signoff: str | None = None,
    top: MailSection | None = None,
) -> str:
    """A complete HTML document for Outlook (Windows, web, phones) and any other client."""
    access = access_lines(report, known_access)
    steps = escalation_lines(report)
    parts = []
    if greeting:
        parts.append(text_row(html_lines(greeting), "padding:0 0 12px 0", raw=True))
    parts += [
        text_row(subject(report.day, report.scope), _TITLE),
        text_row(headline(report)),
        *([text_row(waiting_line(report))] if report.waiting else []),
        *(top.html if top is not None else ()),
        heading_row("Completion by class"),
        text_row(
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
            'border="0" style="width:100%;border-collapse:collapse">'
            + "".join(_bar(c) for c in [*report.classes, report.totals])
            + "</table>",
            raw=True,
        ),
        heading_row("Summary"),
        text_row(
            data_table(
                [SOFT_HYPHENS.get(h, h) for h in SUMMARY_HEADERS],
                [summary_row(c) for c in [*report.classes, report.totals]],
                total_last=True,
                codes=[0],
                numbers=range(1, len(SUMMARY_HEADERS)),
            ),
            raw=True,
        ),
        heading_row("Access issues (outstanding agents)"),
        text_row(data_table(["Issue", "Agents"], _pairs(access), numbers=[1]), raw=True)
        if access
        else text_row("None."),
        heading_row("Escalation steps due"),
        text_row(data_table(["Step", "Agents"], _pairs(steps), numbers=[1]), raw=True)
        if steps
        else text_row("None."),
    ]
    if report.totals.not_evaluated:
        parts.append(text_row(not_evaluated_line(report)))
    parts += [
        heading_row(f"Did not self-report: {len(report.not_reported)}"),
        text_row(_names_and_classes(report.not_reported), raw=True)
        if report.not_reported
        else text_row(f"{_all_reported(report).capitalize()}."),
        heading_row(f"Outstanding agents: {len(report.outstanding)}"),
        text_row(_outstanding(report), raw=True)
        if report.outstanding
        else text_row(f"{_all_complete(report).capitalize()}."),
    ]
    if report.starting_later:
        later = [
            f'{escape(a.name)} <span style="{_NOWRAP}">({escape(class_aside(a.cls))})</span>, '
            f"starts {a.start:%m/%d/%Y}"
            for a in report.starting_later
        ]
        parts += [heading_row(starting_later_title(report)), text_row("<br>".join(later), raw=True)]
    if report.no_start_date:
        unknown = [(a.name, a.cls) for a in report.no_start_date]
        parts += [
            heading_row(no_start_title(report)),
            text_row(_names_and_classes(unknown), raw=True),
        ]
    if signoff:
        parts.append(text_row(html_lines(signoff), "padding:16px 0 0 0", raw=True))
    return mail_document(subject(report.day, report.scope), parts)


def mail_document(title: str, rows: Sequence[str]) -> str:
    """A complete HTML e-mail: `rows` (text_row, heading_row...) in one centred column."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="x-apple-disable-message-reformatting">'
        f"<title>{escape(title)}</title></head>"
        '<body style="margin:0;padding:0;background-color:#ffffff">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="width:100%;border-collapse:collapse;background-color:#ffffff">'
        f'<tr><td align="center" style="{FONT};padding:16px 8px">'
        f'<!--[if mso]><table role="presentation" width="{WIDTH}" cellpadding="0" '
        f'cellspacing="0" border="0" align="center"><tr><td style="{FONT}"><![endif]-->'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:100%;max-width:{WIDTH}px;border-collapse:collapse;text-align:left">'
        f"{''.join(rows)}</table>"
        "<!--[if mso]></td></tr></table><![endif]-->"
        "</td></tr></table></body></html>\n"
    )


def as_text(report: EodReport, known_access: Sequence[str], fmt: Format) -> str:
    """The report as text in `fmt` (table: the plain-text layout, for files)."""
    if fmt is Format.json:
        return json_text(report)
    if fmt is Format.csv:
        return csv_text(csv_rows(report), CSV_COLUMNS)
    if fmt is Format.md:
        return render_markdown(report, known_access)
    if fmt is Format.html:
        return render_html(report, known_access)
    return render_text(report, known_access)


def letter(
    report: EodReport,
    known_access: Sequence[str],
    greeting: str | None = None,
    signoff: str | None = None,
    *,
    top: MailSection | None = None,
) -> Letter:
    """The report as an e-mail's words: the subject, the text and the HTML part (with
    `top`, a section after the headline: the leadership KPIs, and their picture)."""
    return Letter(
        subject(report.day, report.scope),
        render_text(report, known_access, greeting=greeting, signoff=signoff, top=top),
        render_html(report, known_access, greeting=greeting, signoff=signoff, top=top),
        stem=f"{SUBJECT_PREFIX} {report.day:%Y-%m-%d}",
        images=top.images if top is not None else (),
    )


def say_problems(report: EodReport, verbose: bool = False) -> None:
    """The cells that could not be read and the agents that could not be evaluated, for
    the team on stderr (the report itself only counts them): one line counting them, or
    with `verbose` each on its own."""
    apart = {(a.sheet, a.row) for a in report.no_start_date}
    say_findings(
        report.findings,
        verbose,
        unevaluated=[
            f"{problem.name} ({problem.sheet}!row {problem.row}) could not be "
            f"evaluated: {problem.reason}. "
            + (
                "The report counts the agent in nothing until the tracker has it (listed "
                "apart); correct the tracker (esp doctor lists the cells it cannot read)."
                if (problem.sheet, problem.row) in apart
                else "The report only counts the agent as being checked; correct the tracker "
                "(esp doctor lists the cells it cannot read)."
            )
            for problem in report.problems
        ],
        ladder=[ladder_date_lines(a.name, a.sheet, a.row, a.conflicts) for a in report.outstanding],
    )
    if report.not_a_business_day and report.business_day_before is not None:
        say(
            day_off_warning(
                report.day,
                report.not_a_business_day,
                report.business_day_before,
                "report",
                "esp report eod",
            )
        )


def show(
    report: EodReport,
    known_access: Sequence[str],
    fmt: Format,
    out: Path | None = None,
    *,
    dry_run: bool = False,
) -> bool:
    """The report in `fmt`: on stdout, or in the file `out` (with `dry_run`, on stdout
    instead, saying what would be written). True when it went to stdout."""
    if fmt is Format.csv and report.waiting:  # a CSV has no place for it
        say(waiting_line(report))
    if out is not None and not dry_run:
        write_out(out, as_text(report, known_access, fmt), fmt)
        say(f"Wrote the {fmt.value} report to {out}.")
        return False
    if fmt is Format.table and out is None:
        print_report(report, known_access)
    elif fmt is Format.csv:
        put_csv(as_text(report, known_access, fmt))
    else:
        sys.stdout.write(as_text(report, known_access, fmt))
    if out is not None:
        say(f"Dry run: would write the {fmt.value} report to {out}; nothing was written.")
    return True


def print_report(report: EodReport, known_access: Sequence[str]) -> None:
    """The report as tables on a terminal, under its headline."""
    write_lines(f"{subject(report.day, report.scope)}: {headline(report)}", style.HEADER)
    if report.waiting:
        say(waiting_line(report))
    print_table(
        f"TBT completion, {report.day:%a %m/%d/%Y}"
        + (f" — {report.scope}" if report.scope else ""),
        SUMMARY_HEADERS,
        [summary_row(c) for c in [*report.classes, report.totals]],
        empty="no agents in the tracker",
    )
    print_table(
        "Access issues (outstanding agents)",
        ["Issue", "Agents"],
        access_lines(report, known_access),
        empty="none",
    )
    print_table(
        "Escalation steps due", ["Action", "Agents"], escalation_lines(report), empty="none"
    )
    print_table(
        f"Did not self-report: {len(report.not_reported)}",
        ["Agent", "Class"],
        [(name, class_shown(cls)) for name, cls in report.not_reported],
        empty=_all_reported(report),
    )
    write_lines(f"Outstanding agents: {len(report.outstanding)}", style.HEADER)
    write_lines("\n".join(outstanding_lines(report)), hang=2)
    if report.starting_later:
        write_lines(starting_later_title(report), style.HEADER)
        write_lines("\n".join(f"- {line}" for line in starting_later_lines(report)), hang=2)
    if report.no_start_date:
        write_lines(no_start_title(report), style.HEADER)
        write_lines("\n".join(f"- {line}" for line in no_start_lines(report)), hang=2)
