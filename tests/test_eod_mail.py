"""The end-of-day e-mail as Outlook for Windows (Word's engine), Outlook on the web and a
phone show it: the HTML's rules checked on the parsed tree, and, where headless Chromium
is installed, a rendering at 400 and 800 px that must not scroll sideways."""

from __future__ import annotations

import email
import re
import shutil
import struct
import subprocess
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from html import escape
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import factories

DAY = "2026-11-24"
LONG_NOTE = "Sent the transcript: https://learninghub.example.com/" + "x" * 120
AGENTS: list[dict[str, Any]] = [
    {"Class": "AET-1102", "Agent Name": "Ana Ruiz", "ESP Start Date": date(2026, 11, 16),
     "Citrix TBT Access": "Password Reset",
     "Notes": f"11/23/2026 - Jordan Reyes - {LONG_NOTE}",
     "TBT Notes": "Priya Natarajan - 11/24/2026 - Reset done, SME check at 3 pm"},
    {"Class": "AET-1102", "Agent Name": "Bo Chen", "ESP Start Date": date(2026, 11, 23),
     "Notes": "11/24/2026 - Bo Chen - one TBT left",
     "TBT Notes": "Priya Natarajan - 11/20/2026 - older SME note"},
    {"Class": "AET-1102", "Agent Name": "Cara Diaz", "ESP Start Date": "11/31/2026"},
    {"Class": "AET-1109-EVENING-WAVE", "Agent Name": "Dev Patel", "Call Cert Complete?": "Yes",
     "All TBTs Complete?": "Yes"},
    {"Class": "AET-1109-EVENING-WAVE", "Agent Name": "Eve Long-Name-Without-Spaces",
     "ESP Start Date": date(2026, 11, 23), "Notes": f"11/24/2026 - Jordan Reyes - {LONG_NOTE}"},
]  # fmt: skip


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    path = factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)
    (tmp_path / "esp.toml").write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[report]\nto = ["lead@example.com"]\n'
        'from = "Jordan Reyes <jordan.reyes@vendorcx.com>"\n',
        encoding="utf-8",
    )
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def eod_html(tracker: Path) -> str:
    res = run("report", "eod", "-t", str(tracker), "--date", DAY, "-f", "html")
    assert res.exit_code == 0, res.output
    return str(res.stdout)


def eod_mail(tracker: Path, *toml: str) -> tuple[EmailMessage, Any]:
    config = tracker.parent / "esp.toml"
    if toml:
        config.write_text(config.read_text(encoding="utf-8") + "".join(toml), encoding="utf-8")
    out = tracker.parent / "eod.eml"
    out.unlink(missing_ok=True)  # a draft is a new file: esp never writes over one
    res = run("report", "eod", "--config", str(config), "--date", DAY, "--eml", str(out))
    assert res.exit_code == 0, res.output
    msg = email.message_from_bytes(out.read_bytes(), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg, res


def body(msg: EmailMessage, kind: str) -> str:
    part = msg.get_body((kind,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


@pytest.mark.parametrize("where", ["--format html", "the e-mail"])
def test_every_text_cell_carries_its_font_and_exact_line_height(tracker: Path, where: str) -> None:
    html = eod_html(tracker) if where == "--format html" else body(eod_mail(tracker)[0], "html")
    tree = lxml.html.fromstring(html)
    cells = tree.xpath("//td|//th")
    text_cells = [c for c in cells if not c.xpath(".//table") and c.text_content().strip("\xa0 ")]
    assert len(text_cells) > 30
    for cell in text_cells:
        assert "font-family:" in cell.get("style", ""), lxml.html.tostring(cell)[:120]
    styles = [e.get("style") for e in tree.iter() if isinstance(e.tag, str) and e.get("style")]
    with_height = [s for s in styles if "line-height" in s]
    assert with_height and all("mso-line-height-rule:exactly" in s for s in with_height)


def test_the_layout_needs_no_body_padding_and_is_one_600px_column(tracker: Path) -> None:
    html = eod_html(tracker)
    tree = lxml.html.fromstring(html)
    assert "padding:0" in tree.body.get("style")
    assert "max-width:600px" in html
    # Outlook for Windows ignores max-width: it gets a fixed 600 px table of its own.
    assert re.search(r'<!--\[if mso\]><table role="presentation" width="600"', html)
    assert "<![endif]-->" in html


def test_no_empty_header_cells_and_class_codes_never_wrap(tracker: Path) -> None:
    tree = lxml.html.fromstring(eod_html(tracker))
    headers = tree.xpath("//th")
    assert headers and all(th.text_content().strip() for th in headers)
    summary_rows = tree.xpath("//table[tr/th[normalize-space()='Class']]/tr[td]")
    firsts = [row.xpath("./td")[0] for row in summary_rows]
    assert [c.text_content() for c in firsts] == ["AET-1102", "AET-1109-EVENING-WAVE", "Total"]
    # A class code breaks on a phone only after a hyphen before a word: AET-1109-⏎EVENING-WAVE
    # (libxml2 does not know <wbr> is empty, so the markup is checked as written).
    html = eod_html(tracker)
    nowrap = '<span style="white-space:nowrap">'
    assert f">{nowrap}AET-1102</span></td>" in html
    assert (
        f">{nowrap}AET-1109-</span><wbr>{nowrap}EVENING-</span><wbr>{nowrap}WAVE</span></td>"
        in html
    )
    # In running text too (who did not report, the outstanding agents): never "AET-/1102".
    spans = [s.text_content() for s in tree.xpath("//span[contains(@style, 'nowrap')]")]
    assert "(AET-1102)" in spans and "(AET-1109-EVENING-WAVE)" in spans
    for text in tree.xpath("//text()[contains(., 'AET-')]"):
        parent = text.getparent()
        assert "nowrap" in (parent.get("style") or "") + (parent.get("nowrap") or ""), text


def test_the_client_reads_no_internal_wording(tracker: Path) -> None:
    msg, res = eod_mail(tracker)
    for text in (body(msg, "plain"), body(msg, "html")):
        assert "cannot be read" not in text and "Check the tracker" not in text
        assert "Not evaluated" not in text
        # Cara Diaz's start date cannot be read, Dev Patel has none: no clock, in no count.
        assert "Not counted, no ESP Start Date yet (the team is checking): 2" in text
        assert "Cara Diaz" in text and "Dev Patel" in text
    # The team is told on stderr, and gets the reason, with the cell's row, with -v.
    assert "2 agents could not be evaluated; esp doctor lists the cells" in res.stderr
    config = str(tracker.parent / "esp.toml")
    res = run("report", "eod", "--config", config, "--date", DAY, "-v", "-f", "text")
    assert "Cara Diaz (ESP Tracker!row 5) could not be evaluated" in res.stderr
    assert "ESP Start Date cannot be read" in res.stderr


def test_greeting_and_signoff(tracker: Path) -> None:
    msg, _ = eod_mail(tracker)
    text, html = body(msg, "plain"), body(msg, "html")
    assert text.startswith("Hello,\n\nTBT Completion Report")
    assert text.rstrip().endswith("Thank you,\nJordan Reyes")
    assert "Hello," in html and "Thank you,<br>Jordan Reyes" in html
    msg, _ = eod_mail(tracker, 'greeting = "Good evening team,"\nsignoff = "Best,\\nJR"\n')
    text = body(msg, "plain")
    assert text.startswith("Good evening team,") and text.rstrip().endswith("Best,\nJR")


def test_the_latest_note_is_the_newest_of_notes_and_tbt_notes(tracker: Path) -> None:
    msg, _ = eod_mail(tracker)
    text = body(msg, "plain")
    # Ana: the SME's TBT note of 11/24 is newer than the coordinator's Notes line of 11/23.
    assert "Latest note: 11/24/2026 - Priya Natarajan - Reset done, SME check at 3 pm" in text
    # Bo: his own Notes line of 11/24 is newer than the SME's TBT note of 11/20.
    assert "Latest note: 11/24/2026 - Bo Chen - one TBT left" in text


# -- rendering with headless Chromium -----------------------------------------------------------

CHROMIUM = next((p for p in ("chromium", "chromium-browser") if shutil.which(p)), None)
# The e-mail is laid out in a frame exactly `width` px wide: a headless window has a minimum
# width of its own (500 px in Chromium 156), so the window size cannot stand for a phone.
FRAME = (
    '<!DOCTYPE html><html><body style="margin:0">'
    '<iframe id="mail" style="border:0;width:{width}px;height:2000px" srcdoc="{doc}" '
    'onload="var d=this.contentDocument.documentElement;document.body.setAttribute('
    "'data-overflow',String(d.scrollWidth-d.clientWidth));document.body.setAttribute("
    "'data-images',Array.from(this.contentDocument.images).map((i)=>i.naturalWidth+'x'+"
    "Math.round(i.getBoundingClientRect().width)).join(' '))\"></iframe></body></html>"
)


def rendered(html: str, width: int, tmp_path: Path) -> tuple[int, list[tuple[int, int]]]:
    """How many px the page is wider than a `width` px window (0 or less: it fits), and
    each picture's (natural width, shown width) in px (natural 0: it did not load)."""
    assert CHROMIUM is not None
    page = tmp_path / f"eod-{width}.html"
    page.write_text(FRAME.format(width=width, doc=escape(html, quote=True)), encoding="utf-8")
    profile = tmp_path / f"profile-{width}"
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--allow-file-access-from-files", f"--user-data-dir={profile}",
         "--window-size=1200,2000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    found = re.search(r'data-overflow="(-?\d+)"', done.stdout)
    assert found, done.stderr[-2000:]
    images = re.search(r'data-images="([^"]*)"', done.stdout)
    assert images, done.stdout[-2000:]
    sizes = [tuple(int(n) for n in pair.split("x")) for pair in images.group(1).split()]
    return int(found.group(1)), [(a, b) for a, b in sizes]


def overflow(html: str, width: int, tmp_path: Path) -> int:
    return rendered(html, width, tmp_path)[0]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
@pytest.mark.parametrize("width", [400, 800])
def test_the_report_fits_a_phone_and_a_desktop_window(
    tracker: Path, tmp_path: Path, width: int
) -> None:
    html = eod_html(tracker)
    assert LONG_NOTE in html  # a note of 170 characters without a space must wrap
    assert overflow(html, width, tmp_path) <= 0
    # The check can fail: a block 700 px wide does not fit 400 px.
    if width == 400:
        wide = re.sub(r"(<body[^>]*>)", r'\1<div style="width:700px">wide</div>', html)
        assert overflow(wide, width, tmp_path) > 0


def picture(msg: EmailMessage) -> EmailMessage:
    (part,) = [p for p in msg.walk() if p.get_content_maintype() == "image"]
    assert isinstance(part, EmailMessage)
    return part


def mail_html_with_picture(msg: EmailMessage, folder: Path) -> str:
    """The e-mail's HTML as a browser shows it from the message: the cid: picture read
    from the message itself (written to a file; a browser cannot resolve cid: alone)."""
    part = picture(msg)
    cid = str(part["Content-ID"]).strip("<>")
    file = folder / "chart.png"
    file.write_bytes(part.get_content())
    html = body(msg, "html")
    assert f'src="cid:{cid}"' in html
    return html.replace(f"cid:{cid}", file.as_uri())


def test_the_email_leads_with_the_kpis_and_their_chart_inline(tracker: Path) -> None:
    msg, _ = eod_mail(tracker)
    # multipart/alternative: the text, then the HTML with its picture (multipart/related).
    assert msg.get_content_type() == "multipart/alternative"
    plain_part, related = msg.get_payload()  # type: ignore[misc]
    assert plain_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, png = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert png.get_content_type() == "image/png"
    assert png.get_content_disposition() == "inline"
    assert png.get_filename() == "kpi-trend.png"
    cid = str(png["Content-ID"])
    assert cid.startswith("<kpi-trend.20261124@") and cid.endswith(">")
    data = png.get_content()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1120, 480)
    html, text = body(msg, "html"), body(msg, "plain")
    # Never the forms Outlook and Gmail drop: an SVG, a data: URL, a linked picture.
    assert "<svg" not in html and "data:" not in html and "http" not in html.split("<img")[1][:80]
    tree = lxml.html.fromstring(html)
    (img,) = tree.xpath("//img")
    assert img.get("src") == f"cid:{cid.strip('<>')}"
    assert img.get("alt").startswith("Trend chart, 11/10 to 11/24/2026: open agents went from")
    # The section comes first, after the day's headline.
    kpis = html.index("Leadership KPIs: Tue 11/10/2026 – Tue 11/24/2026 (10 business days)")
    assert html.index("agents fully complete") < kpis < html.index("Completion by class")
    assert text.index("Leadership KPIs: Tue 11/10/2026") < text.index("Access issues")
    # The same figures in both parts: each row of the HTML's figures table is a text line.
    figures = tree.xpath("//table[tr/th[normalize-space()='Figure']]/tr[td]")
    assert len(figures) == 6
    for row in figures:
        what, value = (td.text_content() for td in row.xpath("./td"))
        assert f"  {what}: {value}" in text
    # Ana (11/16) and Bo, Eve (11/23) have started; Dev, complete, has no start date.
    assert "  Complete: 0% (0 of the 3 agents who have started)" in text
    # The ladder steps due, as bars of table cells (shown with pictures blocked) and lines.
    bars = [td.text_content() for td in tree.xpath("//td[@nowrap and ../td[1][.='Coaching']]")]
    assert bars == ["1"] and "    Coaching: 1" in text
    assert "    Tue 11/24: 3 / 0 / 1" in text  # open / completed / behind target


def test_the_chart_is_the_same_picture_every_time(tracker: Path) -> None:
    first = picture(eod_mail(tracker)[0]).get_content()
    again = picture(eod_mail(tracker)[0]).get_content()
    assert first == again
    assert b"tEXt" not in first and b"tIME" not in first  # no software or time stamp


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
@pytest.mark.parametrize("width", [400, 800])
def test_the_email_with_its_chart_fits_a_phone_and_a_desktop_window(
    tracker: Path, tmp_path: Path, width: int
) -> None:
    msg, _ = eod_mail(tracker)
    html = mail_html_with_picture(msg, tmp_path)
    spill, images = rendered(html, width, tmp_path)
    assert spill <= 0
    ((natural, shown),) = images
    assert natural == 1120  # the picture loaded
    assert 0 < shown <= min(width, 600) - 16 and shown <= 560  # and it fits the column
    # The check can fail: the cid: as it is (a browser cannot resolve it) loads nothing.
    ((natural, _),) = rendered(body(msg, "html"), width, tmp_path)[1]
    assert natural == 0


def test_a_dry_run_shows_the_message_without_pages_of_base64(tracker: Path) -> None:
    out = tracker.parent / "eod.eml"
    out.unlink(missing_ok=True)  # a draft is a new file: esp never writes over one
    res = run("report", "eod", "-c", str(tracker.parent / "esp.toml"), "--date", DAY,
              "--eml", str(out), "--dry-run")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert not out.exists()
    assert re.search(r"\[image/png, [\d,]+ bytes: not shown\]", res.stdout)
    assert "Leadership KPIs: Tue 11/10/2026" in res.stdout
    assert not re.search(r"^[A-Za-z0-9+/]{76}$", res.stdout, re.MULTILINE)  # no base64 lines


@pytest.mark.parametrize("draft", ["--eml", "--msg", "--send"])
def test_the_email_settings_are_checked_before_any_file_is_written(
    tracker: Path, draft: str
) -> None:
    config = tracker.parent / "esp.toml"
    config.write_text('[tracker]\npath = "ESP Tracker.xlsx"\n', encoding="utf-8")  # no [report]
    out = tracker.parent / "eod.md"
    target = [] if draft == "--send" else [str(tracker.parent / "eod.draft")]
    res = run("report", "eod", "-c", str(config), "--date", DAY, "-f", "md", "-o", str(out),
              draft, *target)  # fmt: skip
    assert res.exit_code == 2
    assert "no sender" in res.stderr and res.stdout == ""
    assert sorted(p.name for p in tracker.parent.iterdir()) == ["ESP Tracker.xlsx", "esp.toml"]
