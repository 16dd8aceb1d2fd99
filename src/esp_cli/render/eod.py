"""The end-of-day report as JSON-ready data, CSV rows, plain text, Markdown and HTML (pure).

The HTML is for Outlook, whose Word engine ignores most CSS: a table-based layout, inline
styles only, no scripts, images or external assets; the bar chart is table cells with a
background colour and a width. Every value from the tracker is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from esp_cli.results.eod import ClassSummary, EodReport, ordered_actions, ordered_issues
from esp_cli.rules import ACTION_LABELS, ActionKind

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
    "access_issues",
    "escalations_due",
]
SUMMARY_HEADERS = ["Class", "Agents", "Call Certs", "All TBTs", "Complete", "Outstanding", "%"]
OUTSTANDING_HEADERS = ["Agent", "Class", "Missing", "Pending action", "Due", "Latest note"]
BAR_CELLS = 20  # the chart's width in cells: 5 % a cell
BAR_DONE = "#2e7d32"
BAR_LEFT = "#e0e0e0"
FONT = "font-family:Segoe UI,Calibri,Arial,sans-serif;font-size:13px;color:#222222"


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


def summary_dict(summary: ClassSummary, with_class: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"class": summary.cls} if with_class else {}
    out.update(
        agents=summary.agents,
        call_certs_complete=summary.call_certs_complete,
        tbts_complete=summary.tbts_complete,
        fully_complete=summary.fully_complete,
        outstanding=summary.outstanding,
        access_issues=dict(ordered_issues(summary.access_issues, ())),
        escalations_due=dict(ordered_actions(summary.escalations_due)),
        not_reported=summary.not_reported,
    )
    return out


def report_dict(report: EodReport) -> dict[str, Any]:
    """The JSON contract: {"date", "classes": [...], "totals": {...}}."""
    scope = {"scope": report.scope} if report.scope else {}
    return {
        "date": report.day.isoformat(),
        **scope,
        "classes": [summary_dict(c) for c in report.classes],
        "totals": summary_dict(report.totals, with_class=False),
    }


def csv_rows(report: EodReport) -> list[dict[str, Any]]:
    """One row a class, then the totals (class "Total")."""
    rows = []
    for summary in [*report.classes, report.totals]:
        row = summary_dict(summary)
        row["percent_complete"] = summary.percent_complete
        row["access_issues"] = "; ".join(f"{k}: {n}" for k, n in row["access_issues"].items())
        row["escalations_due"] = "; ".join(f"{k}: {n}" for k, n in row["escalations_due"].items())
        rows.append(row)
    return rows


def summary_row(summary: ClassSummary) -> list[str]:
    return [
        summary.cls,
        str(summary.agents),
        str(summary.call_certs_complete),
        str(summary.tbts_complete),
        str(summary.fully_complete),
        str(summary.outstanding),
        f"{summary.percent_complete:g}%",
    ]


def outstanding_row(report: EodReport, index: int) -> list[str]:
    a = report.outstanding[index]
    return [
        a.name,
        a.cls,
        _missing(a.call_cert_complete, a.tbts_complete),
        a.pending_action or "",
        _fmt_day(a.pending_due),
        a.latest_note or "",
    ]


def access_lines(report: EodReport, known: Sequence[str]) -> list[tuple[str, int]]:
    return ordered_issues(report.totals.access_issues, known)


def escalation_lines(report: EodReport) -> list[tuple[str, int]]:
    return [(action_label(k), n) for k, n in ordered_actions(report.totals.escalations_due)]


def headline(report: EodReport) -> str:
    t = report.totals
    return (
        f"{t.fully_complete} of {t.agents} agents fully complete ({t.percent_complete:g}%); "
        f"{t.outstanding} outstanding; {t.not_reported} did not self-report."
    )


# -- plain text -----------------------------------------------------------------------------------


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render_text(report: EodReport, known_access: Sequence[str]) -> str:
    """The plain-text part: reads well in a terminal and in a mail client without HTML."""
    title = subject(report.day, report.scope)
    out = [title, "=" * len(title), "", headline(report), ""]
    out += _text_table(SUMMARY_HEADERS, [summary_row(c) for c in [*report.classes, report.totals]])
    out += ["", "Access issues (outstanding agents)"]
    out += [f"  {k}: {n}" for k, n in access_lines(report, known_access)] or ["  none"]
    out += ["", "Escalation steps due"]
    out += [f"  {k}: {n}" for k, n in escalation_lines(report)] or ["  none"]
    out += ["", f"Did not self-report: {len(report.not_reported)}"]
    out += [f"  {name} ({cls})" for name, cls in report.not_reported] or ["  everyone reported"]
    out += ["", f"Outstanding agents: {len(report.outstanding)}", *outstanding_lines(report)]
    return "\n".join(out) + "\n"


def outstanding_lines(report: EodReport) -> list[str]:
    """The outstanding agents as a list (a table is too narrow for the notes)."""
    out = []
    for i, a in enumerate(report.outstanding):
        row = outstanding_row(report, i)
        pending = f"{row[3]}, due {row[4]}" if row[4] else (row[3] or "nothing pending")
        out.append(f"- {a.name} ({a.cls}): missing {row[2]}; next: {pending}")
        if a.latest_note:
            out.append(f"    Latest note: {a.latest_note}")
    return out or ["  every agent is complete"]


# -- Markdown -------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    return out


def render_markdown(report: EodReport, known_access: Sequence[str]) -> str:
    out = [f"# {subject(report.day, report.scope)}", "", headline(report), ""]
    rows = [summary_row(c) for c in report.classes]
    rows.append([f"**{c}**" for c in summary_row(report.totals)])
    out += _md_table(SUMMARY_HEADERS, rows)
    out += ["", "## Access issues (outstanding agents)", ""]
    out += [f"- {_md_cell(k)}: {n}" for k, n in access_lines(report, known_access)] or ["none"]
    out += ["", "## Escalation steps due", ""]
    out += [f"- {k}: {n}" for k, n in escalation_lines(report)] or ["none"]
    out += ["", f"## Did not self-report: {len(report.not_reported)}", ""]
    out += [f"- {_md_cell(n)} ({_md_cell(c)})" for n, c in report.not_reported] or [
        "everyone reported"
    ]
    out += ["", f"## Outstanding agents: {len(report.outstanding)}", ""]
    if report.outstanding:
        out += _md_table(
            OUTSTANDING_HEADERS,
            [outstanding_row(report, i) for i in range(len(report.outstanding))],
        )
    else:
        out.append("every agent is complete")
    return "\n".join(out) + "\n"


# -- HTML (Outlook) -------------------------------------------------------------------------------

_TH = (
    "padding:6px 8px;border:1px solid #c8c8c8;background-color:#1f3864;color:#ffffff;"
    "font-weight:bold;text-align:left"
)
_TD = "padding:5px 8px;border:1px solid #d9d9d9"
_TOTAL = f"{_TD};font-weight:bold;background-color:#f2f2f2"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], total_last: bool) -> str:
    head = "".join(f'<th style="{_TH}">{escape(h)}</th>' for h in headers)
    body = []
    for n, r in enumerate(rows):
        style = _TOTAL if total_last and n == len(rows) - 1 else _TD
        cells = "".join(f'<td style="{style}">{escape(c)}</td>' for c in r)
        body.append(f"<tr>{cells}</tr>")
    # A data table (no role="presentation"): screen readers keep its rows and columns.
    return (
        '<table cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;{FONT}"><tr>{head}</tr>{"".join(body)}</table>'
    )


def _bar(summary: ClassSummary) -> str:
    """One row of the chart: the class, BAR_CELLS cells coloured by completion, the %."""
    done = round(summary.percent_complete * BAR_CELLS / 100)
    # bgcolor as well as the style: Outlook's Word engine honours the attribute; a 1px font
    # keeps &nbsp; from making the cell taller than the bar.
    cells = "".join(
        f'<td width="12" height="14" bgcolor="{colour}" style="width:12px;height:14px;'
        f"padding:0;font-size:1px;line-height:14px;background-color:{colour};"
        'border-right:1px solid #ffffff">&nbsp;</td>'
        for colour in (BAR_DONE if i < done else BAR_LEFT for i in range(BAR_CELLS))
    )
    label = f"{summary.percent_complete:g}% ({summary.fully_complete}/{summary.agents})"
    return (
        f'<tr><td style="padding:3px 8px 3px 0;{FONT};white-space:nowrap">'
        f"{escape(summary.cls)}</td>"
        f'<td style="padding:3px 0"><table role="presentation" cellpadding="0" cellspacing="0" '
        f'border="0"><tr>{cells}</tr></table></td>'
        f'<td style="padding:3px 0 3px 8px;{FONT};white-space:nowrap">{escape(label)}</td></tr>'
    )


def _heading(text: str) -> str:
    return (
        f'<tr><td style="padding:18px 0 6px 0;{FONT};font-size:16px;font-weight:bold;'
        f'color:#1f3864">{escape(text)}</td></tr>'
    )


def _block(inner: str) -> str:
    return f'<tr><td style="padding:0;{FONT}">{inner}</td></tr>'


def _list(items: Sequence[tuple[str, int]], empty: str) -> str:
    if not items:
        return _block(escape(empty))
    return _block(_table(["", "Agents"], [[k, str(n)] for k, n in items], total_last=False))


def render_html(report: EodReport, known_access: Sequence[str]) -> str:
    """A complete HTML document for Outlook (and any other mail client or browser)."""
    parts = [
        f'<tr><td style="padding:0 0 4px 0;{FONT};font-size:20px;font-weight:bold;'
        f'color:#1f3864">{escape(subject(report.day, report.scope))}</td></tr>',
        _block(escape(headline(report))),
        _heading("Completion by class"),
        _block(
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0">'
            + "".join(_bar(c) for c in [*report.classes, report.totals])
            + "</table>"
        ),
        _heading("Summary"),
        _block(
            _table(
                SUMMARY_HEADERS,
                [summary_row(c) for c in [*report.classes, report.totals]],
                total_last=True,
            )
        ),
        _heading("Access issues (outstanding agents)"),
        _list(access_lines(report, known_access), "None."),
        _heading("Escalation steps due"),
        _list(escalation_lines(report), "None."),
        _heading(f"Did not self-report: {len(report.not_reported)}"),
        _block(
            escape(", ".join(f"{n} ({c})" for n, c in report.not_reported)) or "Everyone reported."
        ),
        _heading(f"Outstanding agents: {len(report.outstanding)}"),
        _block(
            _table(
                OUTSTANDING_HEADERS,
                [outstanding_row(report, i) for i in range(len(report.outstanding))],
                total_last=False,
            )
            if report.outstanding
            else "Every agent is complete."
        ),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(subject(report.day, report.scope))}</title></head>"
        '<body style="margin:0;padding:16px;background-color:#ffffff">'
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;{FONT}">{"".join(parts)}</table>'
        "</body></html>\n"
    )
