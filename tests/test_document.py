"""esp document: the ladder's documents as Word files — their dates against numpy's busday
functions, every placeholder filled, the team's own templates checked by name, the e-mail
with the very same bytes attached, never over a file, and the step recorded naming it."""

from __future__ import annotations

import email
import email.policy
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import openpyxl
import pytest
import time_machine
from docx import Document as WordDocument
from hypothesis import given, settings
from hypothesis import strategies as st
from scripts.make_templates import build_templates
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.calendar import BusinessCalendar, CalendarConfig
from esp_cli.core.documents import PLACEHOLDERS, TEMPLATE_FILES, ladder_dates
from esp_cli.core.rules import LADDER, Step
from esp_cli.errors import ExitCode
from esp_cli.services.document import built_in_template, read_template
from tests.factories import headers, tracker
from tests.support.libreoffice import convert_document
from tests.support.marks import needs_soffice
from tests.support.windows import excel_owner_file

KEYS = (
    "class",
    "agent_name",
    "agent_id",
    "email",
    "tbt_sme",
    "esp_start",
    "call_cert_complete",
    "tbt_hours",
    "tbts_complete",
    "citrix_access",
    "coaching_date",
    "written_cap_date",
    "final_cap_date",
    "term_review_date",
    "notes",
)
H = dict(zip(KEYS, headers(*KEYS), strict=True))
START = date(2026, 11, 20)  # a Friday: coaching due Wed 11/25 (Thanksgiving is Thu 11/26)
WED, FRI = date(2026, 11, 25), date(2026, 11, 27)
TODAY = "2026-11-25 17:00"
KAYLA = "2026-11-25 Kayla Brooks - Documented coaching"


def agent(name: str, agent_id: str | None, **values: Any) -> dict[str, Any]:
    row = {
        H["class"]: "AET-1109",
        H["agent_name"]: name,
        H["agent_id"]: agent_id,
        H["email"]: name.lower().replace(" ", ".") + "@vendorcx.com",
        H["tbt_sme"]: "Priya Natarajan",
        H["esp_start"]: START,
        H["call_cert_complete"]: "No",
        H["tbts_complete"]: "No",
    }
    row.update({H[k]: v for k, v in values.items()})
    return row


AGENTS = [
    agent("Kayla Brooks", "E10342", tbt_hours=3.5, citrix_access="Password Reset"),
    agent("Ana Ruiz", "E10343", coaching_date=date(2026, 11, 24), notes="11/24/2026 - Jo - hi"),
    agent("Bo Chen", "E10344", call_cert_complete="Yes", tbts_complete="Yes"),
    agent("Cy Dunn", None),  # no Agent ID: a document needs it
    agent("Dee Early", "E10346", esp_start=date(2026, 11, 23)),  # coaching due Fri 11/27
]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=tuple(H.values()))


def write_config(folder: Path, extra: str = "") -> Path:
    path = folder / "esp.toml"
    path.write_text(
        '[people]\nuser = "Jordan Reyes"\nuser_email = "jordan.reyes@vendorcx.com"\n'
        'sme_emails = { "Priya Natarajan" = "priya.natarajan@vendorcx.com" }\n' + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


def run(book: Path, config: Path, *args: str) -> Any:
    with time_machine.travel(TODAY, tick=False):
        return CliRunner().invoke(
            app, ["document", *args, "--tracker", str(book), "--config", str(config)]
        )


def text_of(path: Path | bytes) -> str:
    """Every paragraph, table cell, header and footer of a .docx, read with python-docx."""
    doc = WordDocument(io.BytesIO(path) if isinstance(path, bytes) else str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def ladder_rows(path: Path) -> dict[str, date]:
    """The escalation ladder table of a document: step -> date, as the document shows it."""
    doc = WordDocument(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Step")
    return {
        row.cells[0].text: datetime.strptime(row.cells[1].text.split()[-1], "%m/%d/%Y").date()
        for row in table.rows[1:]
    }


def np_next(day: date, closed: list[str]) -> date:
    """The business day after `day`, by numpy: the first business day on or after the
    next calendar day."""
    nxt = np.busday_offset(np.datetime64(day + timedelta(days=1)), 0, roll="forward",
                           holidays=closed)  # fmt: skip
    return date.fromisoformat(str(nxt))


def us_holidays(*years: int) -> list[str]:
    return [str(d) for d in holidays.country_holidays("US", years=years)]


# -- the dates, against numpy -------------------------------------------------------------------


def test_the_worked_example_thanksgiving(book: Path, config: Path, tmp_path: Path) -> None:
    res = run(book, config, "Kayla Brooks", "coaching", "--date", "2026-11-25", "--out",
              str(tmp_path / "out"))  # fmt: skip
    assert res.exit_code == 0, res.output
    made = tmp_path / "out" / f"{KAYLA}.docx"
    assert ladder_rows(made) == {
        "Documented coaching": WED,
        "Written CAP": FRI,  # Thanksgiving Thu 11/26 skipped
        "Final CAP": date(2026, 11, 30),
        "Term review": date(2026, 12, 1),
    }


@pytest.mark.parametrize(
    ("day", "why"),
    [("2026-11-26", "Thanksgiving Day"), ("2026-11-28", "a Saturday"), ("2026-11-25", None)],
)
def test_a_document_dated_on_a_day_off_says_so(
    book: Path, config: Path, tmp_path: Path, day: str, why: str | None
) -> None:
    res = run(book, config, "Kayla Brooks", "coaching", "--date", day, "--dry-run",
              "--format", "json", "--out", str(tmp_path / "out"))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout).get("not_a_business_day") == why
    warned = [line for line in res.stderr.splitlines() if "is not a business day" in line]
    if why is None:
        assert warned == []
    else:
        assert len(warned) == 1 and f"({why})" in warned[0], res.stderr


@pytest.mark.parametrize(
    ("calendar", "off", "worked"),
    [
        ('company_days_off = ["2026-11-27", "2026-11-30"]\n', ["2026-11-27", "2026-11-30"], []),
        ('company_workdays = ["2026-11-26"]\n', [], ["2026-11-26"]),
    ],
    ids=["company-days-off", "thanksgiving-worked"],
)
def test_the_documents_dates_are_numpys(
    book: Path, tmp_path: Path, calendar: str, off: list[str], worked: list[str]
) -> None:
    config = write_config(tmp_path, "[calendar]\n" + calendar)
    res = run(book, config, "Kayla Brooks", "coaching", "--date", "2026-11-25", "--out",
              str(tmp_path / "out"), "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    closed = sorted(set(us_holidays(2026, 2027)) - set(worked) | set(off))
    expected = [WED]
    for _ in LADDER[1:]:
        expected.append(np_next(expected[-1], closed))
    shown = ladder_rows(tmp_path / "out" / f"{KAYLA}.docx")
    assert list(shown.values()) == expected
    listed = json.loads(res.stdout)["documents"][0]
    assert [date.fromisoformat(a["date"]) for a in listed["ahead"]] == expected[1:]
    assert listed["dates"] == {
        s.value: d.isoformat() for s, d in zip(LADDER, expected, strict=True)
    }


@settings(max_examples=150, deadline=None)
@given(
    on=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    step=st.sampled_from(LADDER),
    off=st.lists(st.dates(date(2025, 1, 1), date(2028, 2, 1)), max_size=12),
    worked=st.lists(st.sampled_from(us_holidays(2025, 2026, 2027)), max_size=3),
)
def test_steps_ahead_are_each_the_business_day_after_the_one_before(
    on: date, step: Step, off: list[date], worked: list[str]
) -> None:
    cal = BusinessCalendar(CalendarConfig(extra_days_off=tuple(off), working_holidays=tuple(
        date.fromisoformat(w) for w in worked)))  # fmt: skip
    recorded = {s: on - timedelta(days=7 - i) for i, s in enumerate(LADDER)}
    delivered, ahead = ladder_dates(recorded, step, on, cal)
    closed = sorted(set(us_holidays(*range(2024, 2030))) - set(worked) | {str(d) for d in off})
    day, expected = on, []
    for _ in LADDER[LADDER.index(step) + 1 :]:
        day = np_next(day, closed)
        expected.append(day)
    assert [a.day for a in ahead] == expected
    assert [d.step for d in delivered] == list(LADDER[: LADDER.index(step)])
    assert [d.day for d in delivered] == [recorded[s] for s in LADDER[: LADDER.index(step)]]


# -- what a document holds ----------------------------------------------------------------------


def test_a_coaching_holds_every_fact_the_domain_lists(
    book: Path, config: Path, tmp_path: Path
) -> None:
    res = run(book, config, "Kayla Brooks", "coaching", "--date", "2026-11-25", "--out",
              str(tmp_path))  # fmt: skip
    assert res.exit_code == 0, res.output
    text = text_of(tmp_path / f"{KAYLA}.docx")
    for fact in (
        "Kayla Brooks", "E10342", "AET-1109", "Priya Natarajan",
        "Friday 11/20/2026",  # ESP Start Date
        "Tuesday 11/24/2026",  # the 2-day target passed
        "Call Cert: not complete", "TBTs: not complete (TBT Hours so far: 3.5)",
        "Citrix TBT Access issue: Password Reset",
        "Documented coaching | Wednesday 11/25/2026 | Delivered with this document",
        "Written CAP | Friday 11/27/2026", "Final CAP | Monday 11/30/2026",
        "Term review | Tuesday 12/01/2026",
        # The seed's expectation, in its own words.
        "Should the agent not complete within one more business day, a written CAP will be "
        "delivered (Friday 11/27/2026).",
        "If not completed after one more business day, a Final CAP will be delivered",
        "If not completed after one more business day, the agent may be termed",
        "Agent: Kayla Brooks (E10342)", "Delivered by: Jordan Reyes",
    ):  # fmt: skip
        assert fact in text, fact
    assert "{{" not in text and "{%" not in text and "}}" not in text


def test_a_written_cap_lists_the_coaching_delivered(
    book: Path, config: Path, tmp_path: Path
) -> None:
    res = run(book, config, "Ana Ruiz", "written CAP", "--date", "2026-11-25", "--out",
              str(tmp_path))  # fmt: skip
    assert res.exit_code == 0, res.output
    text = text_of(tmp_path / "2026-11-25 Ana Ruiz - Written CAP.docx")
    assert "Documented coaching | Tuesday 11/24/2026 | Delivered" in text
    assert "Written CAP | Wednesday 11/25/2026 | Delivered with this document" in text
    assert "Final CAP | Friday 11/27/2026" in text and "Term review | Monday 11/30/2026" in text
    assert "Written Corrective Action Plan (CAP)" in text
    assert "written CAP will be delivered" not in text  # this one's expectation is the next


@pytest.mark.parametrize("step", LADDER)
def test_every_placeholder_of_every_built_in_template_is_filled(step: Step) -> None:
    template = read_template(step, built_in_template(step), "built-in")
    assert template.names <= PLACEHOLDERS.keys()
    # The domain's facts are in every template.
    assert {"agent_name", "agent_id", "class_name", "esp_start", "target_passed", "missing",
            "step", "step_date", "delivered", "deliverer"} <= template.names  # fmt: skip
    if step is not Step.TERM_REVIEW:
        assert "ahead" in template.names


def test_the_shipped_templates_are_a_rebuild(tmp_path: Path) -> None:
    built = build_templates(tmp_path)
    shipped = Path(__file__).resolve().parents[1] / "src" / "esp_cli" / "templates"
    assert sorted(p.name for p in built) == sorted(TEMPLATE_FILES.values())
    for path in built:
        assert (shipped / path.name).read_bytes() == path.read_bytes(), (
            f"{path.name} differs from a rebuild: run scripts/make_templates.py"
        )


def test_the_document_opens_in_python_docx_with_its_properties(
    book: Path, config: Path, tmp_path: Path
) -> None:
    assert run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path)).exit_code == 0
    doc = WordDocument(str(tmp_path / f"{KAYLA}.docx"))
    assert doc.core_properties.title == "Documented Coaching: Kayla Brooks"
    assert doc.core_properties.author == doc.core_properties.last_modified_by == "Jordan Reyes"
    assert doc.paragraphs[0].style.name == "Title"


@pytest.mark.interop
@needs_soffice
def test_libreoffice_converts_the_document(book: Path, config: Path, tmp_path: Path) -> None:
    assert run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path)).exit_code == 0
    made = tmp_path / f"{KAYLA}.docx"
    pdf = convert_document(made, tmp_path / "pdf", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 10_000
    text = convert_document(made, tmp_path / "txt", "txt:Text (encoded):UTF8").read_text(
        encoding="utf-8-sig"
    )
    assert "Documented Coaching" in text and "Tuesday 12/01/2026" in text
    assert "Kayla Brooks (E10342)" in text and "{{" not in text


# -- the team's own templates ---------------------------------------------------------------------


def team_template(folder: Path, step: Step, replace: tuple[str, str]) -> Path:
    """The built-in template with one text changed, as a person editing it in Word would."""
    folder.mkdir(exist_ok=True)
    source = zipfile.ZipFile(io.BytesIO(built_in_template(step)))
    out = folder / TEMPLATE_FILES[step]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                assert replace[0].encode() in data
                data = data.replace(replace[0].encode(), replace[1].encode())
            dst.writestr(info, data)
    return out


def test_the_teams_template_from_esp_toml_is_used(book: Path, tmp_path: Path) -> None:
    team_template(tmp_path / "tpl", Step.COACHING, ("Documented Coaching", "Coaching Record"))
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path / "out"),
              "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Coaching Record" in text_of(tmp_path / "out" / f"{KAYLA}.docx")
    assert json.loads(res.stdout)["documents"][0]["template"] == str(tmp_path / "tpl" /
                                                                      "coaching.docx")  # fmt: skip
    # A step the folder has no file for keeps the built-in wording.
    res = run(book, config, "Ana Ruiz", "written_cap", "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    ("replace", "said"),
    [
        (("{{ agent_id }}", "{{ agent_idd }}"), "unknown placeholder {{ agent_idd }}"),
        (("{{ s.date }}", "{{ s.dat }}"), "has no attribute 'dat'"),
        (("{{ agent_id }}", "{{ agent_id }"), "a placeholder cannot be read"),
    ],
    ids=["unknown-name", "unknown-attribute", "broken-tag"],
)
def test_a_broken_template_is_refused_by_name_before_anything_is_written(
    book: Path, tmp_path: Path, replace: tuple[str, str], said: str
) -> None:
    path = team_template(tmp_path / "tpl", Step.COACHING, replace)
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    before = book.read_bytes()
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(tmp_path / "out"),
              "--record", "--eml")  # fmt: skip
    assert res.exit_code == ExitCode.USAGE, res.output
    assert said in res.stderr and str(path) in res.stderr
    if "unknown placeholder" in said:
        assert "agent_name, first_name, agent_id" in res.stderr  # the known ones
    assert not (tmp_path / "out").exists() and book.read_bytes() == before


def test_a_file_that_is_not_a_word_document_is_refused(book: Path, tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "coaching.docx").write_text("not a document", encoding="utf-8")
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path / "out"))
    assert res.exit_code == ExitCode.USAGE
    assert "not a Word document esp can read" in res.stderr and "coaching.docx" in res.stderr


def test_a_missing_fact_is_refused_by_name(book: Path, config: Path, tmp_path: Path) -> None:
    res = run(book, config, "Cy Dunn", "coaching", "--out", str(tmp_path))
    assert res.exit_code == ExitCode.FAILED
    assert "{{ agent_id }}" in res.stderr and "fill in the agent's Agent ID column" in res.stderr
    assert list(tmp_path.glob("*.docx")) == []


def test_config_templates_copies_them_and_keeps_the_teams(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    team = team_template(folder, Step.FINAL_CAP, ("Final Corrective", "Last Corrective"))
    mine = team.read_bytes()
    res = CliRunner().invoke(app, ["config", "templates", str(folder)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(TEMPLATE_FILES.values())
    assert team.read_bytes() == mine  # never over the team's own
    assert (folder / "coaching.docx").read_bytes() == built_in_template(Step.COACHING)
    assert "1 already there, kept" in res.stderr and "[documents]" in res.stderr


# -- the ladder decides ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "step", "said"),
    [
        ("Dee Early", "coaching", "not due until Fri 11/27/2026"),
        ("Kayla Brooks", "written_cap", "before the coaching"),
        ("Bo Chen", "coaching", "complete as of"),
        ("Ana Ruiz", "coaching", "already recorded on 11/24/2026"),
    ],
)
def test_a_step_the_ladder_refuses_makes_no_document(
    book: Path, config: Path, tmp_path: Path, who: str, step: str, said: str
) -> None:
    res = run(book, config, who, step, "--date", "2026-11-25", "--out", str(tmp_path / "out"))
    assert res.exit_code == ExitCode.FAILED
    assert said in res.stderr
    assert not (tmp_path / "out").exists()


def test_a_delivered_steps_document_is_made_again_on_its_date(
    book: Path, config: Path, tmp_path: Path
) -> None:
    res = run(book, config, "Ana Ruiz", "coaching", "--out", str(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["documents"][0]["date"] == "2026-11-24"


# -- --due, never twice, never over a file ---------------------------------------------------------


def test_due_makes_one_for_each_agent_due_and_lists_the_refused(
    book: Path, config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out), "-f", "json")
    assert res.exit_code == ExitCode.FAILED, res.output  # Cy Dunn's was refused
    data = json.loads(res.stdout)
    made = {(d["agent"], d["step"]) for d in data["documents"]}
    assert made == {("Kayla Brooks", "coaching"), ("Ana Ruiz", "written_cap")}
    assert [(r["agent"], r["missing"]) for r in data["refused"]] == [("Cy Dunn", "agent_id")]
    assert sorted(p.name for p in out.iterdir()) == [
        "2026-11-25 Ana Ruiz - Written CAP.docx",
        f"{KAYLA}.docx",
    ]
    # Again: nothing new, nothing written over.
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out), "-f", "json")
    again = json.loads(res.stdout)
    assert again["documents"] == [] and len(again["already_made"]) == 2
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_due_lists_each_agent_whose_ladder_cannot_be_evaluated_with_the_cell(
    tmp_path: Path, config: Path
) -> None:
    """A ladder date esp cannot read: the agent's step due cannot be told, so the agent is
    under "not made" (JSON: refused, step null) with the cell, never left out unnamed. An
    empty ESP Start Date (no clock: nothing due) is not listed."""
    rows = [
        agent("Tx Zero", "T0", esp_start=date(2026, 12, 16), coaching_date=date(2026, 12, 21)),
        agent("Tx One", "T1", esp_start=date(2026, 12, 16), coaching_date="12/21"),
        agent("Tx Two", "T2", esp_start=date(2026, 12, 16), coaching_date="12/21/2026 - coached"),
        agent("Tx Three", "T3", esp_start=None),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=tuple(H.values()))
    out = str(tmp_path / "out")
    res = run(book, config, "--due", "--as-of", "2026-12-22", "--out", out, "-n", "-f", "json")
    assert res.exit_code == ExitCode.FAILED, res.output
    data = json.loads(res.stdout)
    assert [d["agent"] for d in data["documents"]] == ["Tx Zero"]
    refused = {r["agent"]: r for r in data["refused"]}
    assert sorted(refused) == ["Tx One", "Tx Two"]
    col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[KEYS.index("coaching_date")]
    assert refused["Tx One"]["step"] is None
    assert f"'ESP Tracker'!{col}4 ('12/21')" in refused["Tx One"]["reason"]
    assert "Coaching Date cannot be read" in refused["Tx Two"]["reason"]
    assert "MM/DD/YYYY" in refused["Tx Two"]["fix"]
    res = run(book, config, "--due", "--as-of", "2026-12-22", "--out", out, "-n")
    assert "not made (AET-1109): Tx One (ESP Tracker!row 4): " in res.stderr


def test_due_leaves_out_an_agent_whose_clock_has_not_started_and_words_the_fix_by_the_cell(
    tmp_path: Path, config: Path
) -> None:
    """A clock that starts after the day (Mon 01/04/2027, the day Tue 12/22/2026): nothing is
    due, an unreadable Coaching Date or not, so the agent is not listed and the run succeeds.
    An unreadable Complete? cell beside a yes (the agent may be complete) is told to hold
    Yes or No, not a date; beside a No the agent is not complete either way: due as any."""
    later = agent("Dc FutureStart", "D2", esp_start=date(2027, 1, 4), coaching_date="12/21")
    maybe = agent(
        "Dc FlagMaybe",
        "D1",
        esp_start=date(2026, 12, 16),
        call_cert_complete="maybe",
        tbts_complete="Yes",
    )
    open_either_way = agent(
        "Dc FlagNo", "D3", esp_start=date(2026, 12, 16), call_cert_complete="maybe"
    )
    out = str(tmp_path / "out")
    book = tracker(tmp_path / "ESP Tracker.xlsx", [later], headers=tuple(H.values()))
    res = run(book, config, "--due", "--as-of", "2026-12-22", "--out", out, "-n", "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["refused"] == [] and "not made" not in res.stderr
    rows = [later, maybe, open_either_way]
    book = tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=tuple(H.values()))
    res = run(book, config, "--due", "--as-of", "2026-12-22", "--out", out, "-n", "-f", "json")
    assert res.exit_code == ExitCode.FAILED, res.output
    made = json.loads(res.stdout)["documents"]
    assert [(d["agent"], d["step"]) for d in made] == [("Dc FlagNo", "coaching")]
    (refused,) = json.loads(res.stdout)["refused"]
    assert refused["agent"] == "Dc FlagMaybe" and "('maybe')" in refused["reason"]
    assert "(Yes or No;" in refused["fix"] and "MM/DD/YYYY" not in refused["fix"]


def test_one_agents_document_never_goes_over_a_file(
    book: Path, config: Path, tmp_path: Path
) -> None:
    there = tmp_path / f"{KAYLA}.docx"
    there.write_bytes(b"the coordinator's edited copy")
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path))
    assert res.exit_code == ExitCode.WRITE_FAILED
    assert "already there; esp never writes over a file" in res.stderr
    assert there.read_bytes() == b"the coordinator's edited copy"


def test_a_document_made_by_someone_while_esp_writes_it_is_never_written_over(
    book: Path, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coordinator saves their own copy under that name while esp writes its document
    (a shared folder): theirs stays, and esp says so."""
    from esp_cli import system

    there = tmp_path / f"{KAYLA}.docx"
    real_beside = system._written_beside

    def written_then_theirs_saved(target: Path, data: bytes) -> Path:
        made = real_beside(target, data)
        if target == there:
            there.write_bytes(b"the coordinator's copy")
        return made

    monkeypatch.setattr(system, "_written_beside", written_then_theirs_saved)
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path))
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert "already there; esp never writes over a file" in res.stderr
    assert there.read_bytes() == b"the coordinator's copy"
    assert not list(tmp_path.glob(".*esp-tmp*"))


def test_due_makes_none_for_an_agent_whose_step_is_recorded(
    book: Path, config: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(book)
    sheet = wb.active
    assert sheet is not None
    col = list(H.values()).index(H["coaching_date"]) + 1
    sheet.cell(3, col).value = WED  # Kayla's coaching delivered today
    wb.save(book)
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(tmp_path), "-f", "json")
    assert [d["agent"] for d in json.loads(res.stdout)["documents"]] == ["Ana Ruiz"]


def test_dry_run_lists_and_writes_nothing(book: Path, config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = book.read_bytes()
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out), "--record",
              "--eml", "--dry-run")  # fmt: skip
    assert "2026-11-25 Ana Ruiz - Written CAP.docx" in res.stdout
    assert "Dry run: 2 document(s) would be made" in res.stderr
    assert "cell(s) would change" in res.stderr
    assert not out.exists() and book.read_bytes() == before


# -- the e-mail ------------------------------------------------------------------------------------


def test_the_email_to_the_agent_carries_the_same_bytes(
    book: Path, config: Path, tmp_path: Path
) -> None:
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path), "--eml", "--msg")
    assert res.exit_code == 0, res.output
    document = (tmp_path / f"{KAYLA}.docx").read_bytes()
    msg = email.message_from_bytes(
        (tmp_path / f"{KAYLA}.eml").read_bytes(), policy=email.policy.default
    )
    assert msg["To"] == "kayla.brooks@vendorcx.com"
    assert msg["Cc"] == "priya.natarajan@vendorcx.com"  # the class's TBT SME
    assert msg["X-Unsent"] == "1"
    assert msg["Subject"] == "Documented coaching: Kayla Brooks, Wednesday 11/25/2026"
    body = msg.get_body(("plain",))
    assert body is not None
    assert "a written CAP will be delivered on Friday 11/27/2026" in body.get_content()
    (attached,) = list(msg.iter_attachments())
    assert attached.get_filename() == f"{KAYLA}.docx"
    assert attached.get_content() == document
    # The Outlook draft, read with an independent reader.
    import olefile

    with olefile.OleFileIO(str(tmp_path / f"{KAYLA}.msg")) as ole:
        data = ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read()
        name = ole.openstream("__attach_version1.0_#00000000/__substg1.0_3707001F").read()
    assert data == document
    assert name.decode("utf-16-le").rstrip("\x00") == f"{KAYLA}.docx"


def _kayla_email(book: Path, value: str) -> None:
    """Kayla Brooks's Email cell, typed in Excel."""
    wb = openpyxl.load_workbook(book)
    sheet = wb.active
    assert sheet is not None
    sheet.cell(3, list(H.values()).index(H["email"]) + 1).value = value
    wb.save(book)


def test_no_address_refuses_the_draft_and_the_document(
    book: Path, config: Path, tmp_path: Path
) -> None:
    _kayla_email(book, "not an address")
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path), "--eml")
    assert res.exit_code == ExitCode.FAILED
    # What is wrong with the cell, not that it is empty.
    assert "'not an address' in the Email column is not an e-mail address" in res.stderr
    assert "correct the agent's Email column" in res.stderr
    assert list(tmp_path.glob("*.docx")) == []


def test_an_address_esp_cannot_send_to_refuses_the_draft_in_words(
    book: Path, config: Path, tmp_path: Path
) -> None:
    """One address beyond ASCII among the agent's: named, no traceback, nothing made."""
    _kayla_email(book, "k@x.com; kb@bücher.de")
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path), "--eml")
    assert res.exit_code == ExitCode.FAILED, res.output
    assert "'kb@bücher.de' in the Email column has a domain beyond ASCII" in res.stderr
    assert "Traceback" not in res.output and list(tmp_path.glob("*.docx")) == []


def test_a_run_again_makes_the_draft_a_stopped_run_left_missing(
    book: Path, config: Path, tmp_path: Path
) -> None:
    """A run stopped between a document and its draft: running it again listed the
    document as already made and never made the draft, without a word. Now the draft is
    made, the document there attached (never made again); the dry run says it would be."""
    out = tmp_path / "out"
    due = ("--due", "--as-of", "2026-11-25", "--out", str(out), "--eml", "-f", "json")
    res = run(book, config, *due)
    assert res.exit_code == ExitCode.FAILED, res.output  # Cy Dunn's was refused
    draft = out / f"{KAYLA}.eml"
    draft.unlink()  # the run stopped before Kayla's draft
    document = (out / f"{KAYLA}.docx").read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    res = run(book, config, *due, "--dry-run")
    assert not draft.exists() and "its e-mail draft, missing, would be made" in res.stderr
    res = run(book, config, *due)
    data = json.loads(res.stdout)
    assert data["documents"] == []
    drafts = {a["agent"]: a.get("drafts") for a in data["already_made"]}
    assert drafts == {"Kayla Brooks": [str(draft)], "Ana Ruiz": None}
    assert f"its e-mail draft, missing, made now: {draft.name}" in res.stderr
    assert "Saved 1 e-mail draft(s) of documents already made" in res.stderr
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["To"] == "kayla.brooks@vendorcx.com"
    (attached,) = list(message.iter_attachments())
    assert attached.get_filename() == f"{KAYLA}.docx" and attached.get_content() == document
    assert {p: p.stat().st_mtime_ns for p in out.iterdir() if p != draft} == stamps
    # One agent asked for: the same.
    draft.unlink()
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(out), "--eml")
    assert res.exit_code == 0, res.output
    assert draft.is_file() and (out / f"{KAYLA}.docx").read_bytes() == document
    # Everything there: nothing made, and one agent asked for is refused as before.
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(out), "--eml")
    assert res.exit_code == ExitCode.WRITE_FAILED and "already there" in res.stderr


# -- recording -------------------------------------------------------------------------------------


def notes_and_coaching(book: Path, row: int = 3) -> tuple[Any, Any]:
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    values = [c.value for c in sheet[row]]
    coaching = values[list(H.values()).index(H["coaching_date"])]
    return values[list(H.values()).index(H["notes"])], coaching


def test_record_writes_the_step_naming_the_document_in_one_write(
    book: Path, config: Path, tmp_path: Path
) -> None:
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path), "--record",
              "--note", "Went through the TBT plan")  # fmt: skip
    assert res.exit_code == 0, res.output
    notes, coaching = notes_and_coaching(book)
    assert coaching.date() == WED
    assert notes == (
        f"11/25/2026 - Jordan Reyes - Coaching: Went through the TBT plan (document: {KAYLA}.docx)"
    )
    assert len(list((tmp_path / "esp-backups").glob("ESP Tracker.*.xlsx"))) == 1  # one write


def test_record_refuses_an_early_step_and_makes_no_document(
    book: Path, config: Path, tmp_path: Path
) -> None:
    before = book.read_bytes()
    res = run(book, config, "Dee Early", "coaching", "--out", str(tmp_path / "out"), "--record")
    assert res.exit_code == ExitCode.FAILED
    assert "not due until Fri 11/27/2026" in res.stderr
    assert book.read_bytes() == before and not (tmp_path / "out").exists()


def test_record_step_names_a_document_given(book: Path, config: Path, tmp_path: Path) -> None:
    assert run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path)).exit_code == 0
    with time_machine.travel(TODAY, tick=False):
        res = CliRunner().invoke(app, [
            "record-step", "Kayla Brooks", "coaching", "--document",
            str(tmp_path / f"{KAYLA}.docx"), "--tracker", str(book), "--config", str(config),
            "-f", "json",
        ])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["document"] == f"{KAYLA}.docx"
    notes, _ = notes_and_coaching(book)
    line = f"11/25/2026 - Jordan Reyes - Documented coaching delivered (document: {KAYLA}.docx)"
    assert notes == line


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("missing.docx", None, "no such file"),
        ("coaching.txt", b"typed notes", "not a Word document (.docx) nor a PDF scan"),
        ("coaching.pdf", b"%PDF-1.4", "named .pdf but an incomplete PDF"),
        ("renamed.docx", b"PK\x03\x04 not really", "named .docx but not a Word document"),
    ],
)
def test_record_step_refuses_a_document_that_is_not_one(
    book: Path, config: Path, tmp_path: Path, name: str, content: bytes | None, said: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = book.read_bytes()
    with time_machine.travel(TODAY, tick=False):
        res = CliRunner().invoke(app, [
            "record-step", "Kayla Brooks", "coaching", "--document", str(path),
            "--tracker", str(book), "--config", str(config),
        ])  # fmt: skip
    assert res.exit_code == ExitCode.BAD_INPUT
    assert said in res.stderr and book.read_bytes() == before


def test_a_busy_tracker_with_no_wait_makes_nothing(
    book: Path, config: Path, tmp_path: Path
) -> None:
    (tmp_path / "~$ESP Tracker.xlsx").write_bytes(excel_owner_file("Jo Smith"))
    res = run(
        book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path / "out"), "--record",
        "--no-wait",
    )  # fmt: skip
    assert res.exit_code == ExitCode.BUSY, res.output
    assert "Jo Smith" in res.stderr and not (tmp_path / "out").exists()


def test_a_busy_tracker_makes_the_document_and_its_step_waits(
    book: Path, config: Path, tmp_path: Path
) -> None:
    owner = tmp_path / "~$ESP Tracker.xlsx"
    owner.write_bytes(excel_owner_file("Jo Smith"))
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path / "out"), "--record")
    assert res.exit_code == ExitCode.WAITING, res.output
    assert "open in Excel by Jo Smith" in res.stderr
    assert (tmp_path / "out" / f"{KAYLA}.docx").is_file()
    assert notes_and_coaching(book) == (None, None)
    owner.unlink()
    applied = CliRunner().invoke(app, ["apply", "--tracker", str(book), "--config", str(config)])
    assert applied.exit_code == 0, applied.output
    notes, coaching = notes_and_coaching(book)
    assert f"{KAYLA}.docx" in notes and coaching is not None


def excel_saves_while_writing(monkeypatch: pytest.MonkeyPatch, book: Path) -> None:
    """Someone saves the tracker in Excel while esp document writes its document."""
    from esp_cli.services import document

    write_new = document._write_new

    def and_excel_saves(path: Path, data: bytes) -> None:
        write_new(path, data)
        wb = openpyxl.load_workbook(book)
        wb.save(book)

    monkeypatch.setattr(document, "_write_new", and_excel_saves)


def test_a_tracker_changed_while_writing_keeps_the_document_and_says_how_to_record_it(
    book: Path, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    excel_saves_while_writing(monkeypatch, book)
    res = run(
        book, config, "Kayla Brooks", "coaching", "--out", str(tmp_path), "--record", "--no-wait"
    )
    assert res.exit_code == ExitCode.BUSY, res.output
    assert (tmp_path / f"{KAYLA}.docx").is_file()
    assert f"Saved 1 document(s) — {KAYLA}.docx — but their steps were not recorded" in res.stderr
    assert "once the workbook is free" in res.stderr
    command = f'esp record-step "E10342" coaching --document "{tmp_path / KAYLA}.docx"'
    assert command in res.stderr and notes_and_coaching(book) == (None, None)
    # The command it gives records it (the date is the document's).
    with time_machine.travel(TODAY, tick=False):
        res = CliRunner().invoke(app, [
            "record-step", "E10342", "coaching", "--document", f"{tmp_path / KAYLA}.docx",
            "--tracker", str(book), "--config", str(config),
        ])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert notes_and_coaching(book)[1].date() == WED


# -- what esp --help pays ------------------------------------------------------------------------


def test_only_esp_document_imports_the_word_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom esp_cli.cli import load_commands\nload_commands()\n"
        "print(sorted(m for m in ('docxtpl', 'docx', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_the_guide_names_every_placeholder() -> None:
    guide = (Path(__file__).resolve().parents[1] / "docs" / "commands" / "document.md").read_text(
        encoding="utf-8"
    )
    table = guide[guide.index("| placeholder | what |") :]
    assert [p for p in PLACEHOLDERS if f"`{p}`" not in table] == []


def test_record_step_with_a_document_still_refuses_an_early_step(
    book: Path, config: Path, tmp_path: Path
) -> None:
    made = tmp_path / "Dee Early coaching.docx"  # made by hand in Word
    handmade = WordDocument()
    handmade.add_paragraph("Documented coaching for Dee Early (E10346)")
    handmade.save(str(made))
    before = book.read_bytes()
    with time_machine.travel(TODAY, tick=False):
        res = CliRunner().invoke(app, [
            "record-step", "Dee Early", "coaching", "--document", str(made),
            "--tracker", str(book), "--config", str(config),
        ])  # fmt: skip
    assert res.exit_code == ExitCode.FAILED
    assert "not due until Fri 11/27/2026" in res.stderr and book.read_bytes() == before


def _error_value(sheet: Any, cell: Any) -> None:
    cell.value = "#N/A"


def _formula(sheet: Any, cell: Any) -> None:
    cell.value = '="11/20/2026 - Jo - "&"hi"'


def _merged(sheet: Any, cell: Any) -> None:
    sheet.merge_cells(
        start_row=cell.row, start_column=cell.column - 1, end_row=cell.row, end_column=cell.column
    )


# Kayla's cell the write could not take: what refuses her, as the write says it. (A
# Coaching Date holding a formula whose result is not saved, as openpyxl writes it, is a
# date the rules cannot read: no step is due, test_a_step_date_formula_without_its_result.)
UNWRITABLE = [
    ("notes", _error_value, "shows the error #N/A; esp will not overwrite it"),
    ("notes", _formula, "holds a formula; esp will not overwrite it"),
    ("notes", _merged, "is inside the merged cells"),
]
UNWRITABLE_IDS = ["notes-error", "notes-formula", "notes-merged"]


def _spoil_kaylas(book: Path, key: str, spoil: Any) -> None:
    wb = openpyxl.load_workbook(book)
    sheet = wb.active
    assert sheet is not None
    spoil(sheet, sheet.cell(3, list(H.values()).index(H[key]) + 1))
    wb.save(book)


@pytest.mark.parametrize(("key", "spoil", "words"), UNWRITABLE, ids=UNWRITABLE_IDS)
def test_due_record_refuses_an_agent_whose_cells_cannot_be_written_and_makes_the_rest(
    book: Path, config: Path, tmp_path: Path, key: str, spoil: Any, words: str
) -> None:
    _spoil_kaylas(book, key, spoil)
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out), "--record",
              "-f", "json")  # fmt: skip
    assert res.exit_code == ExitCode.FAILED, res.output
    data = json.loads(res.stdout)
    assert [d["agent"] for d in data["documents"]] == ["Ana Ruiz"]
    refused = {r["agent"]: r["reason"] for r in data["refused"]}
    assert words in refused["Kayla Brooks"]
    assert sorted(p.name for p in out.iterdir()) == ["2026-11-25 Ana Ruiz - Written CAP.docx"]
    notes, _ = notes_and_coaching(book, row=4)
    assert notes.endswith("(document: 2026-11-25 Ana Ruiz - Written CAP.docx)")
    assert notes_and_coaching(book)[1] in (None, '="11/20/2026 - Jo - "&"hi"')  # not recorded


@pytest.mark.parametrize(("key", "spoil", "words"), UNWRITABLE, ids=UNWRITABLE_IDS)
def test_recording_a_document_already_made_writes_nothing_of_a_step_the_write_refuses(
    book: Path, config: Path, tmp_path: Path, key: str, spoil: Any, words: str
) -> None:
    # Made in the morning; --record later: Kayla's step is refused whole (her Coaching
    # Date is not written without its Notes line), Ana Ruiz's is recorded.
    out = tmp_path / "out"
    args = ("--due", "--as-of", "2026-11-25", "--out", str(out))
    assert run(book, config, *args).exit_code == ExitCode.FAILED  # Cy Dunn: no Agent ID
    _spoil_kaylas(book, key, spoil)
    res = run(book, config, *args, "--record", "-f", "json")
    assert res.exit_code == ExitCode.FAILED, res.output
    data = json.loads(res.stdout)
    assert [a["agent"] for a in data["already_made"]] == ["Ana Ruiz"]
    refused = {r["agent"]: r["reason"] for r in data["refused"]}
    assert words in refused["Kayla Brooks"]
    assert notes_and_coaching(book)[1] in (None, '="11/20/2026 - Jo - "&"hi"')
    assert notes_and_coaching(book, row=4)[0].endswith("Written CAP.docx)")


def test_a_step_date_formula_without_its_result_leaves_the_agent_not_evaluated(
    book: Path, config: Path, tmp_path: Path
) -> None:
    """Kayla's Coaching Date holds a formula whose result is not saved in the file: Excel
    shows a date there, so no coaching is due; she is not evaluated, and nothing of hers is
    made or written."""
    _spoil_kaylas(book, "coaching_date", _formula)
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out), "--record",
              "-f", "json")  # fmt: skip
    data = json.loads(res.stdout)
    assert [d["agent"] for d in data["documents"]] == ["Ana Ruiz"], res.output
    assert "Kayla Brooks" not in {r["agent"] for r in data["refused"]}
    assert notes_and_coaching(book)[1] == '="11/20/2026 - Jo - "&"hi"'
    explained = CliRunner().invoke(
        app, ["explain", "Kayla Brooks", "--as-of", "2026-11-25", "--tracker", str(book),
              "--config", str(config)],
    )  # fmt: skip
    assert "Coaching Date holds a formula whose result is not saved in the file" in (
        explained.stdout
    ), explained.output


# -- what a hostile review found ---------------------------------------------------------------


def record_step(book: Path, config: Path, *args: str, when: str = TODAY) -> Any:
    with time_machine.travel(when, tick=False):
        return CliRunner().invoke(
            app, ["record-step", *args, "--tracker", str(book), "--config", str(config)]
        )


LONG = "Maria Fernanda Alejandra Guadalupe de los Santos Villanueva Rodriguez"


@pytest.mark.parametrize(
    "names",
    [("Ana Lopez", "Ana Lopez"), (LONG + " Jr", LONG + " Sr")],
    ids=["the-same-name", "the-same-once-cut"],
)
def test_two_agents_whose_file_names_would_be_one_each_get_their_own_document(
    tmp_path: Path, config: Path, names: tuple[str, str]
) -> None:
    people = [agent(names[0], "E10315"), agent(names[1], "E10316"), agent("Kayla Brooks", "E3")]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    out = tmp_path / "out"
    args = ("--due", "--as-of", "2026-11-25", "--out", str(out), "-f", "json")
    dry = json.loads(run(book, config, *args, "--dry-run").stdout)["documents"]
    planned = [Path(d["file"]).name for d in dry]
    assert len(planned) == len(set(planned)) == 3, planned
    res = run(book, config, *args)
    assert res.exit_code == 0, res.output
    made = json.loads(res.stdout)["documents"]
    assert [Path(d["file"]).name for d in made] == planned
    assert sorted(p.name for p in out.glob("*.docx")) == sorted(planned)
    for d, person in zip(made, people, strict=True):  # each document is its own agent's
        assert f"({person[H['agent_id']]})" in text_of(Path(d["file"]))
    # Again, recording them: each one is already made, each naming its own file.
    again = json.loads(run(book, config, *args, "--record").stdout)
    assert again["documents"] == []
    assert [Path(a["file"]).name for a in again["already_made"]] == planned
    for row, name in zip((3, 4, 5), planned, strict=True):
        notes, coaching = notes_and_coaching(book, row)
        assert coaching.date() == WED and notes.endswith(f"(document: {name})")


def test_record_records_the_documents_already_made_for_steps_still_unrecorded(
    book: Path, config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ("--due", "--as-of", "2026-11-25", "--out", str(out))
    run(book, config, *args)  # made in the morning, not recorded
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    res = run(book, config, *args, "--record", "-f", "json")
    assert res.exit_code == ExitCode.FAILED, res.output  # Cy Dunn's (no Agent ID) still refused
    data = json.loads(res.stdout)
    assert data["documents"] == []
    recorded = {a["agent"]: a["note"] for a in data["already_made"]}
    assert recorded["Kayla Brooks"].endswith(f"(document: {KAYLA}.docx)")
    assert "needs no change" not in res.stderr and "recorded" in res.stderr
    notes, coaching = notes_and_coaching(book)
    assert coaching.date() == WED and notes.endswith(f"(document: {KAYLA}.docx)")
    assert notes_and_coaching(book, row=4)[0].endswith("Written CAP.docx)")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # never written over
    # One agent's too: the document there is recorded, not refused as already there.
    res = run(book, config, "Dee Early", "coaching", "--date", "2026-11-27", "--out", str(out))
    assert res.exit_code == 0, res.output
    with time_machine.travel("2026-11-27 17:00", tick=False):
        res = CliRunner().invoke(app, [
            "document", "Dee Early", "coaching", "--date", "2026-11-27", "--out", str(out),
            "--record", "--tracker", str(book), "--config", str(config),
        ])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert notes_and_coaching(book, row=7)[0].endswith(
        "(document: 2026-11-27 Dee Early - Documented coaching.docx)"
    )


def test_record_refuses_a_document_there_that_is_another_agents(
    book: Path, config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(book, config, "Ana Ruiz", "written_cap", "--date", "2026-11-25", "--out", str(out))
    (out / "2026-11-25 Ana Ruiz - Written CAP.docx").rename(out / f"{KAYLA}.docx")
    before = book.read_bytes()
    res = run(book, config, "Kayla Brooks", "coaching", "--out", str(out), "--record")
    assert res.exit_code != 0
    assert "Ana Ruiz" in res.stderr and book.read_bytes() == before


def test_an_early_step_is_refused_with_a_fix_this_command_has(
    book: Path, config: Path, tmp_path: Path
) -> None:
    res = run(book, config, "Dee Early", "coaching", "--date", "2026-11-25", "--out", str(tmp_path))
    assert res.exit_code == ExitCode.FAILED
    assert "--early" not in res.stderr.split("Fix:")[-1].split("esp record-step")[0]
    assert "--date 2026-11-27" in res.stderr and "esp record-step" in res.stderr


def test_the_documents_properties_are_not_escaped_twice(tmp_path: Path, config: Path) -> None:
    people = [agent("Brian O'Connor", "E7")]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    res = run(book, config, "Brian O'Connor", "coaching", "--by", "Pat O'Reilly & Co",
              "--out", str(tmp_path))  # fmt: skip
    assert res.exit_code == 0, res.output
    props = WordDocument(
        str(tmp_path / "2026-11-25 Brian O'Connor - Documented coaching.docx")
    ).core_properties
    assert props.title == "Documented Coaching: Brian O'Connor"
    assert props.author == "Pat O'Reilly & Co"


def test_list_placeholders_used_as_text_read_as_lines(book: Path, tmp_path: Path) -> None:
    team_template(tmp_path / "tpl", Step.WRITTEN_CAP,
                  ("{{ agent_id }}", "{{ agent_id }} M: {{ missing }} D: {{ delivered }} "
                   "A: {{ ahead[0] }}"))  # fmt: skip
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    res = run(book, config, "Ana Ruiz", "written_cap", "--date", "2026-11-25", "--out",
              str(tmp_path / "out"))  # fmt: skip
    assert res.exit_code == 0, res.output
    text = text_of(tmp_path / "out" / "2026-11-25 Ana Ruiz - Written CAP.docx")
    assert "[" not in text and "{'" not in text, text
    assert "M: Call Cert: not complete; TBTs: not complete" in text
    assert "D: Documented coaching Tuesday 11/24/2026" in text
    assert "A: Final CAP Friday 11/27/2026" in text


def test_a_template_under_a_near_name_is_named_not_ignored(book: Path, tmp_path: Path) -> None:
    made = team_template(tmp_path / "tpl", Step.WRITTEN_CAP, ("Written Corrective", "Our"))
    made.rename(tmp_path / "tpl" / "Written CAP.docx")
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    res = run(book, config, "Ana Ruiz", "written_cap", "--date", "2026-11-25", "--out",
              str(tmp_path / "out"))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Written CAP.docx" in res.stderr and "written-cap.docx" in res.stderr
    assert "built-in" in res.stderr


def test_config_templates_prints_a_line_toml_reads(tmp_path: Path, monkeypatch: Any) -> None:
    import tomllib

    monkeypatch.chdir(tmp_path)
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jo"\n', encoding="utf-8")
    for folder in ("Jordan's tpl", "document-templates"):
        res = CliRunner().invoke(app, ["config", "templates", folder])
        assert res.exit_code == 0, res.output
        block = res.stderr[res.stderr.index("[documents]") :]
        assert tomllib.loads(block)["documents"]["templates"] == folder  # relative, as given


# -- record-step --document checks the document is this agent's, this step's, this day's ------


@pytest.fixture
def made(book: Path, config: Path, tmp_path: Path) -> Path:
    """The documents of the day, made as esp makes them (not recorded)."""
    out = tmp_path / "d5"
    assert run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out)).exit_code
    return out


@pytest.mark.parametrize(
    ("who", "step", "file", "said"),
    [
        ("Kayla Brooks", "coaching", "2026-11-25 Ana Ruiz - Written CAP.docx", "Ana Ruiz"),
        ("Ana Ruiz", "coaching", "2026-11-25 Ana Ruiz - Written CAP.docx", "Written CAP"),
        ("Kayla Brooks", "coaching", "../tpl/coaching.docx", "not filled in"),
    ],
    ids=["another-agents", "another-steps", "the-template"],
)
def test_record_step_refuses_a_document_that_is_not_this_one(
    book: Path, config: Path, made: Path, tmp_path: Path, who: str, step: str, file: str,
    said: str,
) -> None:  # fmt: skip
    CliRunner().invoke(app, ["config", "templates", str(tmp_path / "tpl")])
    before = book.read_bytes()
    res = record_step(book, config, who, step, "--document", str(made / file))
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert said in res.stderr and "Fix:" in res.stderr
    assert book.read_bytes() == before


def test_record_step_takes_the_documents_date_and_refuses_another(
    book: Path, config: Path, made: Path
) -> None:
    doc = str(made / f"{KAYLA}.docx")
    before = book.read_bytes()
    res = record_step(book, config, "Kayla Brooks", "coaching", "--date", "2026-11-30",
                      "--document", doc, when="2026-12-05 10:00")  # fmt: skip
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert "11/25/2026" in res.stderr and book.read_bytes() == before
    res = record_step(book, config, "Kayla Brooks", "coaching", "--document", doc, "-f", "json",
                      when="2026-12-05 10:00")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["date"] == "2026-11-25"
    assert notes_and_coaching(book)[1].date() == WED


def test_record_step_accepts_the_signed_scan_checked_by_its_name(
    book: Path, config: Path, tmp_path: Path
) -> None:
    scan = tmp_path / f"{KAYLA} signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
    res = record_step(book, config, "Kayla Brooks", "coaching", "--document", str(scan),
                      "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["document"] == scan.name
    assert "checked by its file name" in res.stderr
    wrong = tmp_path / "signed.pdf"
    wrong.write_bytes(scan.read_bytes())
    res = record_step(book, config, "Ana Ruiz", "written_cap", "--document", str(wrong))
    assert res.exit_code == ExitCode.BAD_INPUT
    assert "2026-11-25 Ana Ruiz - Written CAP" in res.stderr  # the name to give it


def test_the_wording_says_what_is_not_complete_and_fits_a_late_step(
    tmp_path: Path, config: Path
) -> None:
    people = [
        agent(
            "Monique Hart",
            "E8",
            call_cert_complete="Yes",
            coaching_date=date(2026, 11, 24),
            written_cap_date=date(2026, 11, 25),
        ),
        agent("Yasmin Farouk", "E9"),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    res = run(book, config, "Monique Hart", "final_cap", "--date", "2026-11-27", "--out",
              str(tmp_path))  # fmt: skip
    assert res.exit_code == 0, res.output
    text = text_of(tmp_path / "2026-11-27 Monique Hart - Final CAP.docx")
    assert "Monique's TBTs are still not complete after the written CAP" in text
    assert "Call Certs and TBTs are" not in text
    with time_machine.travel("2026-12-03 17:00", tick=False):
        res = CliRunner().invoke(app, [
            "document", "Yasmin Farouk", "coaching", "--date", "2026-12-03", "--out",
            str(tmp_path), "--tracker", str(book), "--config", str(config),
        ])  # fmt: skip
    assert res.exit_code == 0, res.output
    text = text_of(tmp_path / "2026-12-03 Yasmin Farouk - Documented coaching.docx")
    assert "after 3 business days" not in text
    assert "Yasmin's Call Certs and TBTs are not complete." in text


def test_due_refuses_a_future_day_naming_its_own_option(
    book: Path, config: Path, tmp_path: Path
) -> None:
    res = run(book, config, "--due", "--as-of", "2026-12-01", "--out", str(tmp_path), "--record")
    assert res.exit_code == ExitCode.USAGE
    fix = res.stderr.split("Fix:")[-1]
    assert "--as-of" in fix and "--date" not in fix


# -- a ladder whose recorded dates esp cannot hold -----------------------------------------------

ODD_LADDERS = [
    agent("Rey Versed", "Y4", coaching_date=date(2026, 11, 30), written_cap_date=FRI),
    agent("Yara Typo", "Y1", coaching_date=date(2025, 11, 25)),
    agent("Gus Rehire", "Y2", esp_start=date(2026, 12, 31), coaching_date=WED,
          written_cap_date=FRI),
    agent("Sam Sound", "Y5", coaching_date=date(2026, 11, 30)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "step", "said"),
    [
        ("Rey Versed", "final_cap",
         "Rey Versed (ESP Tracker!row 3): Written CAP Date 11/27/2026 is before Coaching Date "
         "11/30/2026: the final CAP cannot be recorded until the ladder's dates are corrected."),
        ("Yara Typo", "written_cap",
         "Yara Typo (ESP Tracker!row 4): Coaching Date 11/25/2025 is before the clock start, "
         "Fri 11/20/2026 (ESP Start Date)"),
        ("Gus Rehire", "final_cap", "Coaching Date 11/25/2026 is before the clock start"),
    ],
)  # fmt: skip
def test_no_document_on_a_ladder_whose_dates_do_not_hold(
    tmp_path: Path, config: Path, who: str, step: str, said: str
) -> None:
    book = tracker(tmp_path / "ESP Tracker.xlsx", ODD_LADDERS, headers=tuple(H.values()))
    out = tmp_path / "out"
    with time_machine.travel("2026-12-04 17:00", tick=False):
        res = CliRunner().invoke(app, ["document", who, step, "--date", "2026-12-01", "--out",
                                       str(out), "--tracker", str(book),
                                       "--config", str(config)])  # fmt: skip
    assert res.exit_code == ExitCode.FAILED, res.output
    assert said in " ".join(res.stderr.split())
    assert not out.exists()


def test_due_lists_an_agent_whose_ladder_dates_do_not_hold_as_refused(
    tmp_path: Path, config: Path
) -> None:
    book = tracker(tmp_path / "ESP Tracker.xlsx", ODD_LADDERS, headers=tuple(H.values()))
    out = tmp_path / "out"
    with time_machine.travel("2026-12-04 17:00", tick=False):
        res = CliRunner().invoke(app, ["document", "--due", "--as-of", "2026-12-01", "--out",
                                       str(out), "--tracker", str(book), "--config", str(config),
                                       "-f", "json"])  # fmt: skip
    data = json.loads(res.stdout)
    assert [(d["agent"], d["step"]) for d in data["documents"]] == [("Sam Sound", "written_cap")]
    refused = {r["agent"]: (r["step"], r["reason"]) for r in data["refused"]}
    # The re-hire has not started: nothing is due for him.
    assert set(refused) == {"Rey Versed", "Yara Typo"}
    assert refused["Rey Versed"][0] == "written_cap"  # not counted: due after the coaching
    assert "is before Coaching Date 11/30/2026" in refused["Rey Versed"][1]
    assert refused["Yara Typo"][0] == "coaching"
    assert "Coaching Date 11/25/2025 is before the clock start" in refused["Yara Typo"][1]


def test_due_says_each_refusal_once_with_its_fix(tmp_path: Path, config: Path) -> None:
    book = tracker(tmp_path / "ESP Tracker.xlsx", ODD_LADDERS, headers=tuple(H.values()))
    out = tmp_path / "out"
    args = ["document", "--due", "--as-of", "2026-12-01", "--out", str(out), "--tracker",
            str(book), "--config", str(config)]  # fmt: skip
    with time_machine.travel("2026-12-04 17:00", tick=False):
        res = CliRunner().invoke(app, args)
        data = json.loads(CliRunner().invoke(app, [*args, "-n", "-f", "json"]).stdout)
    lines = [line for line in res.stderr.splitlines() if line.startswith("not made")]
    assert len(lines) == 2, res.stderr
    for line in lines:
        name = line.split(":", 1)[1].split("(", 1)[0].strip()
        assert name in ("Rey Versed", "Yara Typo") and line.count(name) == 1, line
        assert " Fix: correct " in line and "in Excel" in line, line
    rey = next(r for r in data["refused"] if r["agent"] == "Rey Versed")
    assert rey["reason"].startswith("Rey Versed (ESP Tracker!row 3): Written CAP Date")
    assert rey["fix"].startswith("correct whichever of the Coaching Date and the Written CAP")
