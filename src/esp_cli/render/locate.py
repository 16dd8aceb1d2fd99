"""The Cannot Locate TBT cases as plain text and HTML for the learning contacts (pure)."""

from __future__ import annotations

from datetime import date
from html import escape

from esp_cli.render.eod import FONT
from esp_cli.results.locate import LocateCase

SUBJECT_PREFIX = "Cannot Locate TBT"
HEADERS = ["Agent", "Class", "Course searched", "Screenshots"]


def subject(day: date) -> str:
    return f"{SUBJECT_PREFIX} — {day:%a %m/%d/%Y}"


def case_row(case: LocateCase) -> list[str]:
    return [
        case.agent,
        case.cls,
        case.course or "(not noted)",
        ", ".join(p.name for p in case.screenshots) or "none",
    ]


def render_text(cases: list[LocateCase], day: date) -> str:
    out = [
        subject(day),
        "",
        "Hello,",
        "",
        f"These agents cannot locate a TBT in the Learning Hub ({len(cases)}). We searched by "
        "course number and by course name; the screenshots are attached.",
        "",
    ]
    for case in cases:
        agent, cls, course, shots = case_row(case)
        out += [f"- {agent} ({cls}): {course}", f"    Screenshots: {shots}"]
    return "\n".join(out) + "\n"


def render_html(cases: list[LocateCase], day: date) -> str:
    th = "padding:6px 8px;border:1px solid #c8c8c8;background-color:#1f3864;color:#ffffff"
    td = "padding:5px 8px;border:1px solid #d9d9d9"
    head = "".join(f'<th style="{th}">{escape(h)}</th>' for h in HEADERS)
    rows = "".join(
        "<tr>" + "".join(f'<td style="{td}">{escape(c)}</td>' for c in case_row(case)) + "</tr>"
        for case in cases
    )
    intro = (
        f"These agents cannot locate a TBT in the Learning Hub ({len(cases)}). We searched by "
        "course number and by course name; the screenshots are attached."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(subject(day))}</title></head>"
        f'<body style="margin:0;padding:16px;{FONT}"><p style="{FONT}">Hello,</p>'
        f'<p style="{FONT}">{escape(intro)}</p>'
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="border-collapse:collapse;{FONT}"><tr>{head}</tr>{rows}</table>'
        "</body></html>\n"
    )
