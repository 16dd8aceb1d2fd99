"""esp report kpi: the leadership KPIs as tables, JSON, CSV and an Excel workbook with a
native line chart of the trend; and the KPI section at the top of the evening e-mail.

The e-mail's section follows the evening report's rules for Outlook and phones
(render/eod.py): the figures in a table, the ladder steps due as bars drawn with table
cells (they show when pictures are blocked), and the trend as a PNG sent inside the message
and shown by its Content-ID, with alt text that says what it shows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from esp_cli.core.figures import percent, percent_text
from esp_cli.core.kpi import ON_TIME_DAYS, FindingKind, KpiFigures, TrendDay
from esp_cli.core.model import InlineImage, class_shown
from esp_cli.core.rules import LADDER, Step
from esp_cli.core.values import shown_text
from esp_cli.render import (
    Format,
    counted_waiting,
    plain,
    print_table,
    save_new,
    say,
    style,
    write_csv,
    write_json,
    write_lines,
)
from esp_cli.render.eod import (
    FONT,
    SMALL,
    MailSection,
    data_table,
    heading_row,
    text_row,
)
from esp_cli.results.kpi import KpiReport

CSV_COLUMNS = [
    "class",
    "agents",
    "complete",
    "completion_rate",
    "open",
    "behind_target",
    "completed_in_period",
    "on_time",
    "on_time_rate",
    "median_days_to_complete",
    "p90_days_to_complete",
    *(f"overdue_{step.value}" for step in LADDER),
    "spoc_open",
    "spoc_oldest_days",
]
STEP_LABELS = {
    Step.COACHING: "Coaching",
    Step.WRITTEN_CAP: "Written CAP",
    Step.FINAL_CAP: "Final CAP",
    Step.TERM_REVIEW: "Term review",
}
STATUS_HEADERS = ["Class", "Agents", "Complete", "Rate", "Open", "Behind target", "SPOC open",
                  "Oldest SPOC"]  # fmt: skip
PERIOD_HEADERS = ["Class", "Completed", "On time", "On-time rate", "Median days",
                  "90th pct days"]  # fmt: skip
STAGE_HEADERS = ["Class", *STEP_LABELS.values()]
TREND_HEADERS = ["Date", "Open", "Completed", "Behind target"]
CHART_CID_PREFIX = "kpi-trend"
CHART_FILE = "kpi-trend.png"
BAR = "#c55a11"  # the chart's "behind target" orange: steps overdue
BAR_REST = "#e0e0e0"

# Every figure in words, for the people who read them (the workbook's Definitions sheet
# and docs/rules.md say the same).
DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Period", "From and to, both included; by default the 10 business days up to today "
     "(Monday to Friday, less holidays and the company's days off)."),
    ("Clock start", "The first business day on or after the ESP Start Date. Only agents "
     "whose clock has started count anywhere."),
    ("Agents", "Agents whose clock started on or before the period's last day."),
    ("Complete", "Of them, agents with Call Cert Complete? and All TBTs Complete? both yes "
     "on the last day (a completion dated later is not counted yet)."),
    ("Completion rate", "Complete divided by Agents."),
    ("Open", "Agents minus Complete."),
    ("Behind target", "Open agents on or past clock day 2 on the last day: not complete "
     "within the 2-business-day target."),
    ("Completion date", "The later of Call Cert Complete Date and TBT Complete Date."),
    ("Completed in the period", "Agents whose completion date falls within the period."),
    ("Business days to complete", "Business days from the clock start to the completion "
     "date, the first day counting 1."),
    ("On time", f"Completed within {ON_TIME_DAYS} business days; the on-time rate is on "
     "time divided by completed in the period."),
    ("Median / 90th percentile", "Of the business days to complete of the period's "
     "completions; the 90th percentile is the smallest number of business days within "
     "which at least 90% of them completed (nearest rank: of 10, the 9th smallest)."),
    ("Due on the ladder", "Open agents whose next escalation step is due on or before the "
     "last day, by step: coaching, written CAP, final CAP, term review."),
    ("SPOC open", "Open agents with a SPOC issue (Password Reset, No Citrix Apps Showing, "
     "Learning Hub Issue) whose SPOC Called Date is on or before the last day; the oldest "
     "is the business days since its SPOC Called Date."),
    ("Trend", "Each business day of the period, replayed as of that day: open agents, "
     "completions that day (one dated on a weekend or holiday counts on the next business "
     "day) and agents behind target."),
    ("Findings", "A complete agent without both completion dates, or completed before the "
     "clock start, counts as complete but in no day figure; an agent without a readable "
     "ESP Start Date is in no figure. Each names the cell to correct."),
)  # fmt: skip


# -- words and numbers ---------------------------------------------------------------------------


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


def days(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g} business day" + ("" if value == 1 else "s")


def period(report: KpiReport) -> str:
    n = report.business_days
    return (
        f"{report.start:%a %m/%d/%Y} – {report.end:%a %m/%d/%Y} "
        f"({n} business day{'' if n == 1 else 's'})"
    )


def title(report: KpiReport) -> str:
    return f"Leadership KPIs, {period(report)}" + (f" — {report.scope}" if report.scope else "")


def waiting_line(report: KpiReport) -> str:
    return counted_waiting(len(report.waiting))


def headline(report: KpiReport) -> str:
    o = report.overall
    on_time = percent_text(o.on_time, o.completed_in_period)
    done = (
        f"{o.completed_in_period} completed in the period, {on_time} on time "
        f"(within {ON_TIME_DAYS} business days), median {days(o.median_days_to_complete)}"
        if o.completed_in_period
        else "no completion in the period"
    )
    return (
        f"{o.complete} of {o.agents} agents complete ({percent_text(o.complete, o.agents)}); "
        f"{o.open} open, {o.behind_target} behind target; {done}."
    )


def status_row(fig: KpiFigures) -> list[str]:
    return [
        class_shown(fig.cls),
        str(fig.agents),
        str(fig.complete),
        percent_text(fig.complete, fig.agents),
        str(fig.open),
        str(fig.behind_target),
        str(fig.spoc_open),
        days(fig.spoc_oldest_days) if fig.spoc_oldest_days is not None else "—",
    ]


def period_row(fig: KpiFigures) -> list[str]:
    return [
        class_shown(fig.cls),
        str(fig.completed_in_period),
        str(fig.on_time),
        percent_text(fig.on_time, fig.completed_in_period),
        number(fig.median_days_to_complete),
        number(fig.p90_days_to_complete),
    ]


def stage_row(fig: KpiFigures) -> list[str]:
    return [class_shown(fig.cls), *(str(fig.overdue_by_stage.count(step)) for step in LADDER)]


def trend_row(point: TrendDay) -> list[str]:
    return [
        f"{point.day:%a %m/%d/%Y}",
        str(point.open),
        str(point.completed),
        str(point.behind_target),
    ]


def csv_row(fig: KpiFigures) -> dict[str, Any]:
    data = plain(fig)
    stages = data.pop("overdue_by_stage")
    return {**data, **{f"overdue_{k}": v for k, v in stages.items()}}


# -- the command's output --------------------------------------------------------------------------


def say_findings(report: KpiReport, verbose: bool = False, *, no_clock: bool = True) -> None:
    """The cells esp could not read, and the agents the figures leave out, for the team on
    stderr: each on its own line with `verbose` (or when there is one), else one line
    counting them, so the figures come first (without `no_clock`, not the agents without a
    clock start: the evening report names them itself)."""
    left = [f for f in report.findings if no_clock or f.kind is not FindingKind.NO_CLOCK]
    cells = report.cell_findings
    if verbose or len(cells) + len(left) <= 1:
        for finding in cells:
            say(f"warning: {finding}")
        for kpi_finding in left:
            say(f"warning: {kpi_finding}")
        return
    parts = []
    if cells:
        parts.append(f"{_count(len(cells), 'cell')} of the tracker could not be read")
    if left:
        are = "is" if len(left) == 1 else "are"
        parts.append(f"{_count(len(left), 'agent')} {are} left out of some figures")
    say(f"warning: {' and '.join(parts)} (-v shows them here, each with its cell).")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def show(report: KpiReport, fmt: Format) -> None:
    if fmt is Format.json:
        write_json(report)
    elif fmt is Format.csv:
        write_csv([csv_row(f) for f in [*report.classes, report.overall]], CSV_COLUMNS)
        if report.waiting:  # a CSV has no place for it
            say(waiting_line(report))
    else:
        print_report(report)


def print_report(report: KpiReport) -> None:
    """The KPIs as tables on a terminal, under their headline."""
    write_lines(f"{title(report)}: {headline(report)}", style.HEADER)
    if report.waiting:
        write_lines(waiting_line(report))
    rows = [*report.classes, report.overall]
    print_table(f"As of {report.end:%a %m/%d/%Y}", STATUS_HEADERS, [status_row(f) for f in rows])
    print_table(
        f"Completed in the period (on time: within {ON_TIME_DAYS} business days)",
        PERIOD_HEADERS,
        [period_row(f) for f in rows],
    )
    print_table(
        f"Due on the ladder, by step, {report.end:%a %m/%d/%Y}",
        STAGE_HEADERS,
        [stage_row(f) for f in rows],
    )
    last = report.trend[-1].day if report.trend else report.end
    print_table(
        "Trend, each business day"
        + (f" (to {last:%a %m/%d/%Y}, the last up to --to)" if last != report.end else ""),
        TREND_HEADERS,
        [trend_row(p) for p in report.trend],
        empty="no business day in the period",
    )
    note = trend_note(report)
    if note:
        write_lines(note)


# -- the workbook ----------------------------------------------------------------------------------

XLSX_HEADERS = [
    "Class", "Agents", "Complete", "Completion rate", "Open", "Behind target",
    "Completed in period", "On time", "On-time rate", "Median days to complete",
    "90th percentile days", *(f"Due: {label}" for label in STEP_LABELS.values()),
    "SPOC open", "Oldest SPOC (business days)",
]  # fmt: skip
_RATE_COLUMNS = (4, 9)  # 1-based, in XLSX_HEADERS
_HEADER_FILL = "1F3864"


def _xlsx_row(fig: KpiFigures) -> list[Any]:
    return [
        class_shown(fig.cls),
        fig.agents,
        fig.complete,
        fig.completion_rate,
        fig.open,
        fig.behind_target,
        fig.completed_in_period,
        fig.on_time,
        fig.on_time_rate,
        fig.median_days_to_complete,
        fig.p90_days_to_complete,
        *(fig.overdue_by_stage.count(step) for step in LADDER),
        fig.spoc_open,
        fig.spoc_oldest_days,
    ]


def xlsx_bytes(report: KpiReport) -> bytes:
    """A new workbook for leadership: the KPIs (a row a class, then All), the trend with a
    native Excel line chart of it, what each figure means, and the findings."""
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")

    def put(ws: Any, row: int, col: int, value: Any) -> Any:
        """A cell; text stays text even when it starts with = (a class or a name from the
        tracker: openpyxl would write it as a formula, which Excel would run), and a
        character no cell can show is U+FFFD (openpyxl refuses it)."""
        text = isinstance(value, str)
        cell = ws.cell(row=row, column=col, value=shown_text(value) if text else value)
        if text:
            cell.data_type = "s"
        return cell

    def header(ws: Any, row: int, names: Sequence[str]) -> None:
        for col, name in enumerate(names, start=1):
            cell = put(ws, row, col, name)
            cell.font, cell.fill, cell.alignment = head_font, head_fill, wrap

    wb = Workbook()
    ws = wb.active
    ws.title = "KPIs"
    put(ws, 1, 1, title(report)).font = Font(bold=True, size=14)
    put(ws, 2, 1, headline(report))
    if report.waiting:
        put(ws, 3, 1, waiting_line(report)).font = Font(italic=True)
    header(ws, 4, XLSX_HEADERS)
    rows = [*report.classes, report.overall]
    for r, fig in enumerate(rows, start=5):
        for c, value in enumerate(_xlsx_row(fig), start=1):
            cell = put(ws, r, c, value)
            if c in _RATE_COLUMNS:
                cell.number_format = "0.0%"
            if fig is report.overall:
                cell.font = bold
    ws.freeze_panes = "B5"
    ws.column_dimensions["A"].width = 24
    for col in range(2, len(XLSX_HEADERS) + 1):
        ws.column_dimensions[ws.cell(row=4, column=col).column_letter].width = 15
    ws.row_dimensions[4].height = 45

    trend = wb.create_sheet("Trend")
    put(trend, 1, 1, f"Trend, each business day: {period(report)}").font = Font(bold=True, size=14)
    note = trend_note(report)
    if note:
        put(trend, 2, 1, note)
    header(trend, 3, TREND_HEADERS)
    for r, point in enumerate(report.trend, start=4):
        trend.cell(row=r, column=1, value=point.day).number_format = "ddd mm/dd/yyyy"
        trend.cell(row=r, column=2, value=point.open)
        trend.cell(row=r, column=3, value=point.completed)
        trend.cell(row=r, column=4, value=point.behind_target)
    trend.column_dimensions["A"].width = 16
    for letter in "BCD":
        trend.column_dimensions[letter].width = 13
    trend.row_dimensions[3].height = 30  # "Behind target" wraps onto a second line
    if report.trend:
        last = 3 + len(report.trend)
        chart = LineChart()
        chart.title = "Open, completed and behind target, each business day"
        chart.y_axis.title = "Agents"
        chart.height, chart.width = 9, 20
        data = Reference(trend, min_col=2, max_col=4, min_row=3, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(trend, min_col=1, min_row=4, max_row=last))
        # A text axis: business days only, evenly spaced (a date axis leaves weekend gaps).
        chart.x_axis.auto = False
        chart.x_axis.number_format = "ddd mm/dd"
        chart.x_axis.delete = False  # openpyxl hides axes unless told (Excel then shows none)
        chart.y_axis.delete = False
        for series, colour in zip(chart.series, ("1F3864", "2E7D32", "C55A11"), strict=True):
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 22000  # EMU: 1.75 pt
            series.smooth = False
        trend.add_chart(chart, "F3")

    notes = wb.create_sheet("Definitions")
    header(notes, 1, ["Figure", "What it counts"])
    for r, (name, words) in enumerate(DEFINITIONS, start=2):
        put(notes, r, 1, name).font = bold
        put(notes, r, 2, words).alignment = wrap
        notes.row_dimensions[r].height = _height(words, 100)
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 100

    if report.findings:
        found = wb.create_sheet("Findings")
        header(found, 1, ["Cell", "Agent", "Class", "Kind", "Finding"])
        for r, f in enumerate(report.findings, start=2):
            for c, value in enumerate(
                (f.cell, f.agent, class_shown(f.cls), f.kind.value, f.message), 1
            ):
                put(found, r, c, value).alignment = wrap
            found.row_dimensions[r].height = _height(f.message, 100)
        for letter, width in zip("ABCDE", (22, 24, 16, 24, 100), strict=True):
            found.column_dimensions[letter].width = width
    for sheet in wb.worksheets:
        # Printed (or saved as PDF) a page wide, in landscape: the 17 columns of KPIs and
        # the chart beside the trend are not cut across pages.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _height(text: str, width: int) -> float:
    """The points a row of wrapped `text` needs in a column `width` characters wide: Excel
    and LibreOffice keep a row's stored height, and openpyxl stores none of its own."""
    lines = max(1, -(-len(text) // (width - 5)))
    return 15.0 * lines


def write_xlsx(report: KpiReport, path: Path) -> None:
    """--xlsx: the workbook saved as a new file (see save_new)."""
    save_new(
        path, xlsx_bytes(report), "--xlsx", "close it in Excel, or check the folder and its rights."
    )
    say(f"Wrote the KPI workbook to {path}.")


# -- the evening e-mail's section ------------------------------------------------------------------


def chart_cid(day: date) -> str:
    """The picture's Content-ID: the same for the same report, so a saved draft compares."""
    return f"{CHART_CID_PREFIX}.{day:%Y%m%d}@esp-cli"


def summary_lines(report: KpiReport) -> list[tuple[str, str]]:
    """The headline figures, as (what, how much) pairs: the e-mail's and the text's."""
    o = report.overall
    oldest = f", the oldest {days(o.spoc_oldest_days)}" if o.spoc_oldest_days is not None else ""
    return [
        ("Complete", f"{percent_text(o.complete, o.agents)} ({o.complete} of the {o.agents} agents "
                     "who have started)"),
        ("Open", f"{o.open}, of them {o.behind_target} behind target"),
        ("Completed in the period", str(o.completed_in_period)),
        (f"On time (within {ON_TIME_DAYS} business days)",
         percent_text(o.on_time, o.completed_in_period)
         + (f" ({o.on_time} of {o.completed_in_period})" if o.completed_in_period else "")),
        ("Business days to complete",
         f"median {number(o.median_days_to_complete)}, "
         f"90th percentile {number(o.p90_days_to_complete)}"),
        ("SPOC cases open", f"{o.spoc_open}{oldest}"),
    ]  # fmt: skip


def trend_note(report: KpiReport) -> str | None:
    """Why the trend's completions are not the period's, when they are not: a completion
    dated on a weekend or holiday is on the trend's next business day (docs/rules.md), so
    one dated on the days off before the period is on its first day, and one dated after
    its last business day (a period ending on a Saturday) on none. None when they agree."""
    shown = sum(p.completed for p in report.trend)
    total = report.overall.completed_in_period
    if shown == total:
        return None
    parts = []
    if report.trend_before:
        first = report.trend[0].day
        parts.append(
            f"{report.trend_before} dated on the days off before {report.start:%a %m/%d} "
            f"{'is' if report.trend_before == 1 else 'are'} on {first:%a %m/%d}"
        )
    if report.after_trend:
        after = f"after {report.trend[-1].day:%a %m/%d}" if report.trend else "on days off"
        parts.append(
            f"{report.after_trend} dated {after} {'is' if report.after_trend == 1 else 'are'} "
            "on no business day of the period"
        )
    return (
        f"The trend counts {shown} completion{'' if shown == 1 else 's'} and the period "
        f"{total}: one dated on a weekend or holiday counts on the next business day; "
        + "; ".join(parts)
        + "."
    )


def trend_words(report: KpiReport) -> str:
    """The chart in words (its alt text): where each line starts and ends."""
    t = report.trend
    if not t:
        return "No business day in the period."
    first, last = t[0], t[-1]
    peak = max(t, key=lambda p: (p.open, p.day))
    done = sum(p.completed for p in t)
    note = trend_note(report)
    return (
        f"Trend chart, {first.day:%m/%d} to {last.day:%m/%d/%Y}: open agents went from "
        f"{first.open} to {last.open} (most: {peak.open} on {peak.day:%m/%d}); behind target "
        f"from {first.behind_target} to {last.behind_target}; {done} completions on these "
        "days." + (f" {note}" if note else "")
    )


def as_of_words(report: KpiReport, asked: date | None = None) -> str:
    """The day the section's figures are as of (saying so when it is not the report's date
    `asked`), and the trend's last business day when that is another (a weekend or holiday,
    whose completions the trend counts on the next business day: trend_note says so)."""
    words = f"As of {report.end:%a %m/%d/%Y}"
    if asked is not None and asked != report.end:
        words += f", not the report's date, {asked:%a %m/%d/%Y}"
    last = report.trend[-1].day if report.trend else None
    if last is not None and last != report.end:
        words += f" (not a business day: the trend below ends on {last:%a %m/%d/%Y})"
    return words


def mail_section(report: KpiReport, asked: date | None = None) -> MailSection:
    """The KPI block at the top of the evening e-mail (the report's date `asked`): text
    lines, HTML rows, the picture. Its figures and its chart are as of one day."""
    from esp_cli.render.chart import SHOWN_HEIGHT, SHOWN_WIDTH, trend_png

    heading = f"Leadership KPIs: {period(report)}"
    as_of = as_of_words(report, asked)
    note = trend_note(report)
    o = report.overall
    text = [heading, f"  {as_of}.", ""]
    text += [f"  {what}: {value}" for what, value in summary_lines(report)]
    text += ["", "  Due on the ladder, by step:"]
    text += [f"    {STEP_LABELS[s]}: {o.overdue_by_stage.count(s)}" for s in LADDER]
    text += ["", "  Each business day (open / completed / behind target):"]
    text += [
        f"    {p.day:%a %m/%d}: {p.open} / {p.completed} / {p.behind_target}" for p in report.trend
    ]
    if note:
        text += [f"  {note}"]
    cid = chart_cid(report.end)
    image = InlineImage(cid, trend_png(report.trend), "png", CHART_FILE)
    html = [
        heading_row(heading),
        text_row(f"{as_of}.", "font-size:12px;line-height:16px;color:#555555"),
        text_row(
            data_table(["Figure", "Value"], [list(p) for p in summary_lines(report)]),
            raw=True,
        ),
        heading_row("Due on the ladder, by step"),
        text_row(_stage_bars(o), raw=True),
        heading_row("Each business day"),
        text_row(
            # Outlook for Windows sizes the picture by its attributes; others by the style,
            # which lets it shrink with a phone's screen.
            f'<img src="cid:{escape(cid)}" width="{SHOWN_WIDTH}" height="{SHOWN_HEIGHT}" '
            f'alt="{escape(trend_words(report))}" '
            f'style="display:block;width:100%;max-width:{SHOWN_WIDTH}px;height:auto;border:0;'
            'outline:none;text-decoration:none">',
            raw=True,
        ),
        text_row("Open agents, agents behind target and completions, each business day."
                 + (f" {note}" if note else ""),
                 "font-size:12px;line-height:16px;color:#555555"),
    ]  # fmt: skip
    return MailSection(tuple(text), tuple(html), (image,))


def _stage_bars(fig: KpiFigures) -> str:
    """One row a ladder step: its name and count, then a bar as wide as its share of the
    largest count, drawn with two table cells (they show with pictures blocked)."""
    top = max((fig.overdue_by_stage.count(s) for s in LADDER), default=0)
    cell = (
        '<td width="{w}%" height="12" bgcolor="{c}" style="width:{w}%;height:12px;padding:0;'
        "font-size:1px;line-height:12px;mso-line-height-rule:exactly;"
        'background-color:{c}">&nbsp;</td>'
    )
    rows = []
    for step in LADDER:
        n = fig.overdue_by_stage.count(step)
        share = int(percent(n, top, 0) or 0)
        cells = "".join(
            cell.format(w=w, c=c) for w, c in ((share, BAR), (100 - share, BAR_REST)) if w > 0
        )
        rows.append(
            f'<tr><td style="{FONT};padding:4px 8px 2px 0">{escape(STEP_LABELS[step])}</td>'
            f'<td nowrap="nowrap" style="{FONT};padding:4px 0 2px 0;text-align:right;'
            f'white-space:nowrap">{n}</td></tr>'
            f'<tr><td colspan="2" style="{SMALL};padding:0">'
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            f'style="width:100%;border-collapse:collapse"><tr>{cells}</tr></table></td></tr>'
        )
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:100%;border-collapse:collapse">{"".join(rows)}</table>'
    )
