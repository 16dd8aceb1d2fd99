"""The shipped sample (src/esp_cli/sample/): no drift from its script, and it is what it claims.

The claims about agents (who is behind, what is due, which SPOC field is missing, what the
Master sync finds) are checked with a small independent reading of docs/rules.md's rules here,
so later features can rely on the sample's comments.
"""

from __future__ import annotations

import email
import re
import tomllib
import zipfile
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import holidays
import numpy as np
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook
from scripts.sample_builder.sample import (
    ACCESS_OPTIONS,
    COLUMN_LETTERS,
    COORDINATOR,
    COORDINATOR_EMAIL,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LISTS_SHEET,
    MASTER_HEADER_ROW,
    MASTER_SHEET,
    PROGRESS_SHEET,
    PROOFS_DIR,
    REFERENCE_DATE,
    SELF_REPORTS_DIR,
    TRACKER_SHEET,
    SampleFiles,
    build_sample,
    sample_paths,
    write_proofs,
)

from esp_cli.config import load_config
from esp_cli.core import columns
from tests.sample_facts import SYNC_CONFLICTS, SYNC_FILLS, SYNC_UNMATCHED
from tests.support.libreoffice import convert_all_sheets
from tests.support.marks import needs_schemas, needs_soffice
from tests.support.ooxml import validate_package
from tests.support.packages import MAIN_NS, zip_parts
from tests.support.paths import SAMPLE_DATA

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = SAMPLE_DATA  # the package data esp demo copies
TODAY = REFERENCE_DATE
NS = {"m": MAIN_NS}
X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
XM = "{http://schemas.microsoft.com/office/excel/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    return build_sample(tmp_path_factory.mktemp("sample"))


# ----------------------------------------------------------------------------- no drift


def test_shipped_sample_is_byte_identical_to_a_rebuild(built: SampleFiles, tmp_path: Path) -> None:
    proofs = write_proofs(tmp_path)
    made = {SHIPPED / p.relative_to(built.root): p for p in sample_paths(built)}
    made |= {SHIPPED / p.relative_to(tmp_path): p for p in proofs.iterdir()}
    for checked_in, path in made.items():
        assert checked_in.exists(), f"{checked_in} missing: run scripts/make_fixtures.py"
        if checked_in.read_bytes() == path.read_bytes():
            continue
        detail = ""
        if path.suffix == ".xlsx":
            old, new = zip_parts(checked_in), zip_parts(path)
            changed = sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))
            detail = f" (parts differing: {changed or 'none: only the compression'})"
        pytest.fail(f"{checked_in} differs from a rebuild{detail}: run scripts/make_fixtures.py")
    shipped = sorted(p for p in SHIPPED.rglob("*") if p.is_file())
    assert shipped == sorted(made), f"stale files in {SHIPPED}"
    assert {p.parent.name for p in made} >= {SELF_REPORTS_DIR, PROOFS_DIR}


def test_building_twice_gives_the_same_bytes(built: SampleFiles, tmp_path: Path) -> None:
    again = build_sample(tmp_path)
    for a, b in zip(sample_paths(built), sample_paths(again), strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


# ----------------------------------------------------------------------- reading helpers


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)  # type: ignore[no-any-return]


def norm_name(value: object) -> str:
    text = " ".join(str(value).split())
    if "," in text:
        last, first = (p.strip() for p in text.split(",", 1))
        text = f"{first} {last}"
    return text.casefold()


def as_date(value: object) -> date | None:
    """A date cell as docs/rules.md lists them; None when blank or unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return date(1899, 12, 30) + timedelta(days=int(value))
    if isinstance(value, str) and value.strip():
        for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%b %d, %Y"):
            try:
                return datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                pass
    return None


def is_yes(value: object) -> bool:
    if value is True:
        return True
    return isinstance(value, str) and value.strip().casefold() in {"yes", "y", "x", "complete"}


class Tracker:
    """The agent rows of the sample tracker, by canonical column key, read with calamine."""

    def __init__(self, path: Path) -> None:
        rows = sheet_rows(path, TRACKER_SHEET)
        table = columns.alias_table()
        self.header = rows[HEADER_ROW - 1]
        self.keys = [columns.match_header(h, table) for h in self.header]
        self.agents: list[dict[str, object]] = []
        for number, row in enumerate(rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
            if not any(v not in ("", None) for v in row):
                continue
            record: dict[str, object] = {"row": number, "status": row[-1]}
            record.update({k: v for k, v in zip(self.keys, row, strict=True) if k})
            self.agents.append(record)

    def by_name(self, name: str) -> dict[str, object]:
        (found,) = [a for a in self.agents if norm_name(a["agent_name"]) == norm_name(name)]
        return found


@pytest.fixture(scope="module")
def tracker(built: SampleFiles) -> Tracker:
    return Tracker(built.tracker)


# ------------------------------------------------------------------------ tracker layout

EXPECTED_LETTERS = {
    "Class": "A",
    "Agent Name": "B",
    "Agent ID": "C",
    "Email": "D",
    "Phone": "E",
    "N Number": "F",
    "Date of N Number Request": "G",
    "Certifier": "H",
    "TBT SME": "I",
    "ESP Start Date": "J",
    "Call Cert Start": "K",
    "Call Cert Complete?": "L",
    "Call Cert Complete Date": "M",
    "TBT Hours": "N",
    "All TBTs Complete?": "O",
    "TBT Complete Date": "P",
    "Citrix TBT Access": "Q",
    "SPOC Called Date": "R",
    "SPOC Incident Number": "S",
    "Callback Phone": "T",
    "Searched by Course Number": "U",
    "Coaching Date": "V",
    "Written CAP Date": "W",
    "Final CAP Date": "X",
    "Term Review Date": "Y",
    "Notes": "Z",
    "TBT Notes": "AA",
    "Status": "AB",
}


def test_header_row_and_column_letters(built: SampleFiles, tracker: Tracker) -> None:
    assert COLUMN_LETTERS == EXPECTED_LETTERS
    assert tracker.header == list(EXPECTED_LETTERS)
    rows = sheet_rows(built.tracker, TRACKER_SHEET)
    assert rows[0][0] == "ESP Tracker — Aetna Onboarding"
    assert rows[1][0] == "Updated 11/23/2026" and not any(rows[2])


def test_every_header_but_status_is_a_canonical_column(tracker: Tracker) -> None:
    by_header = dict(zip(tracker.header, tracker.keys, strict=True))
    assert by_header.pop("Status") is None
    for header, key in by_header.items():
        assert key is not None and columns.BY_KEY[key].header == header
    tool_added = {"escalation_stage", "next_action", "next_action_due"}
    assert tool_added.isdisjoint(tracker.keys)


def test_three_classes_of_20_to_30_agents(tracker: Tracker) -> None:
    counts = Counter(str(a["class"]).strip() for a in tracker.agents)
    assert counts == {"AET-1102": 24, "AET-1109": 26, "AET-1116": 22}
    assert all(20 <= n <= 30 for n in counts.values())
    ids = [a["agent_id"] for a in tracker.agents]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"E\d{5}", str(i)) for i in ids)


def test_identity_values_look_real(tracker: Tracker) -> None:
    for agent in tracker.agents:
        assert re.fullmatch(r"[a-z.]+@vendorcx\.com", str(agent["email"]).strip().lower())
        assert re.fullmatch(r"\(614\) 555-01\d\d", str(agent["phone"]))
        n = agent["n_number"]
        assert n in ("", "#N/A") or re.fullmatch(r"N\d{6}", str(n)), n
    # calamine reads Mei Tanaka's #N/A as "" (see test_an_error_cell_is_stored_as_one).
    blank_n = [a["agent_name"] for a in tracker.agents if a["n_number"] == ""]
    assert blank_n == ["Kendra Hayes", "Lucas Moreno", "Mei Tanaka", "Noah Fischer"]
    blank_requests = Counter(
        str(a["class"]).strip() for a in tracker.agents if a["n_number_requested"] == ""
    )
    assert blank_requests == {"AET-1102": 2, "AET-1109": 3, "AET-1116": 5}


def test_values_are_typed_every_way(tracker: Tracker) -> None:
    yes_no = {repr(a[k]) for a in tracker.agents for k in ("call_cert_complete", "tbts_complete")}
    for variant in ("Yes", "Y", "yes ", True, "x", "Complete", "No", "N", ""):
        assert repr(variant) in yes_no, variant
    starts = [a["esp_start"] for a in tracker.agents]
    for text in ("11/23/26", "2026-11-23", "Nov 23, 2026", "11/23/2026", "11/31/2026", "TBD"):
        assert text in starts, text
    assert any(isinstance(v, datetime) for v in starts)  # a date-time
    assert 46349.0 in starts  # a bare serial number (General format)
    assert starts.count("") == 3  # not started yet
    assert any(str(a["agent_name"]) == "Nguyen, Thao" for a in tracker.agents)
    assert any(str(a["class"]) != str(a["class"]).strip() for a in tracker.agents)
    assert any(str(a["email"]) != str(a["email"]).strip() for a in tracker.agents)
    assert {a["citrix_access"] for a in tracker.agents} >= set(ACCESS_OPTIONS)


def test_an_error_cell_is_stored_as_one(built: SampleFiles, tracker: Tracker) -> None:
    sheet = etree.fromstring(parts_of(built.tracker)["xl/worksheets/sheet1.xml"])
    cells = sheet.iter(f"{{{NS['m']}}}c")
    errors = {c.get("r"): c.findtext("m:v", namespaces=NS) for c in cells if c.get("t") == "e"}
    row = tracker.by_name("Mei Tanaka")["row"]
    assert errors == {f"F{row}": "#N/A"}


def test_unreadable_dates_are_exactly_two(tracker: Tracker) -> None:
    date_keys = [c.key for c in columns.COLUMNS if c.kind is columns.Kind.DATE]
    bad = [
        (a["agent_name"], k)
        for a in tracker.agents
        for k in date_keys
        if k in a and a[k] not in ("", None) and as_date(a[k]) is None
    ]
    assert bad == [("Celeste Moreau", "esp_start"), ("Mei Tanaka", "esp_start")]


NOTE_LINE = re.compile(r"\d{2}/\d{2}/\d{4} - [A-Z][A-Za-z' ]+ - \S.*")
TBT_NOTE_LINE = re.compile(r"[A-Z][A-Za-z' ]+ - \d{2}/\d{2}/\d{4} - \S.*")


def test_notes_follow_the_two_formats(tracker: Tracker) -> None:
    notes = [str(a["notes"]) for a in tracker.agents if a["notes"]]
    tbt_notes = [str(a["tbt_notes"]) for a in tracker.agents if a["tbt_notes"]]
    assert notes and tbt_notes
    assert any("\n" in n for n in notes) and any("\n" in n for n in tbt_notes)
    for cell in notes:
        for line in cell.split("\n"):
            assert NOTE_LINE.fullmatch(line), line
    for cell in tbt_notes:
        for line in cell.split("\n"):
            assert TBT_NOTE_LINE.fullmatch(line), line


# -------------------------------------------------------------------------- xlsx features


def parts_of(path: Path) -> dict[str, bytes]:
    return zip_parts(path)


def test_lists_sheet_is_hidden_and_holds_the_options(built: SampleFiles) -> None:
    workbook = etree.fromstring(parts_of(built.tracker)["xl/workbook.xml"])
    states = {s.get("name"): s.get("state") for s in workbook.iterfind("m:sheets/m:sheet", NS)}
    assert states == {TRACKER_SHEET: None, LISTS_SHEET: "hidden"}
    rows = sheet_rows(built.tracker, LISTS_SHEET)
    assert [r[0] for r in rows[1:8]] == list(ACCESS_OPTIONS)
    assert [r[1] for r in rows[1:3]] == ["Yes", "No"]


def test_access_drop_down_is_an_x14_validation(built: SampleFiles) -> None:
    sheet = etree.fromstring(parts_of(built.tracker)["xl/worksheets/sheet1.xml"])
    ext = sheet.find("m:extLst/m:ext", NS)
    assert ext is not None and ext.get("uri") == "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
    found = {
        dv.findtext(f"{XM}sqref"): dv.findtext(f"{X14}formula1/{XM}f")
        for dv in ext.iter(f"{X14}dataValidation")
    }
    assert found["Q5:Q200"] == "Lists!$A$2:$A$8"
    classic = {
        dv.get("sqref"): (dv.get("type"), dv.findtext("m:formula1", namespaces=NS))
        for dv in sheet.iterfind("m:dataValidations/m:dataValidation", NS)
    }
    assert classic["L5:L200 O5:O200"] == ("list", '"Yes,No"')


def test_status_formulas_have_true_cached_results(built: SampleFiles, tracker: Tracker) -> None:
    sheet = etree.fromstring(parts_of(built.tracker)["xl/worksheets/sheet1.xml"])
    for agent in tracker.agents:
        row = agent["row"]
        cell = sheet.find(f".//m:c[@r='AB{row}']", NS)
        assert cell is not None and cell.get("t") == "str"
        assert cell.findtext("m:f", namespaces=NS) == (
            f'IF(AND(L{row}="Yes",O{row}="Yes"),"Complete","Open")'
        )

        # Excel's "=": case-insensitive, untrimmed, text never equals TRUE.
        def excel_yes(v: object) -> bool:
            return isinstance(v, str) and v.casefold() == "yes"

        expected = (
            "Complete"
            if excel_yes(agent["call_cert_complete"]) and excel_yes(agent["tbts_complete"])
            else "Open"
        )
        assert cell.findtext("m:v", namespaces=NS) == expected == agent["status"]
    statuses = Counter(a["status"] for a in tracker.agents)
    assert statuses["Complete"] > 0 and statuses["Open"] > 0


def test_conditional_formats_frozen_pane_merge_and_shared_strings(built: SampleFiles) -> None:
    parts = parts_of(built.tracker)
    sheet = etree.fromstring(parts["xl/worksheets/sheet1.xml"])
    rules = {
        cf.get("sqref"): cf.findtext("m:cfRule/m:formula", namespaces=NS)
        for cf in sheet.iterfind("m:conditionalFormatting", NS)
    }
    assert rules == {"A5:AB200": '$Y5<>""', "AB5:AB200": '"Open"'}
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    assert (pane.get("ySplit"), pane.get("topLeftCell"), pane.get("state")) == (
        "4",
        "A5",
        "frozen",
    )
    assert [m.get("ref") for m in sheet.iterfind("m:mergeCells/m:mergeCell", NS)] == ["A1:F1"]
    assert "xl/sharedStrings.xml" in parts
    text_cells = [c for c in sheet.iter(f"{{{NS['m']}}}c") if c.get("t") in ("s", "inlineStr")]
    assert text_cells and all(c.get("t") == "s" for c in text_cells)
    note = sheet.find(".//m:c[@r='Z21']", NS)  # Derek Simmons' four-line note
    styles = etree.fromstring(parts["xl/styles.xml"])
    xf = styles.findall("m:cellXfs/m:xf", NS)[int(note.get("s"))]
    assert xf.find("m:alignment", NS).get("wrapText") == "1"


@needs_schemas
def test_every_workbook_part_is_valid(built: SampleFiles) -> None:
    for path in (built.tracker, built.master, built.progress_report):
        assert validate_package(path) == [], path.name


def test_calamine_reads_every_sheet(built: SampleFiles) -> None:
    for path in (built.tracker, built.master, built.progress_report):
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            assert wb.get_sheet_by_name(name).to_python(), (path.name, name)


@pytest.mark.interop
@needs_soffice
def test_libreoffice_converts_the_tracker(built: SampleFiles, tmp_path: Path) -> None:
    sheets = convert_all_sheets(built.tracker, tmp_path, as_shown=True)
    assert set(sheets) == {TRACKER_SHEET, LISTS_SHEET}
    rows = sheets[TRACKER_SHEET]
    assert rows[HEADER_ROW - 1][:2] == ["Class", "Agent Name"]
    first = rows[FIRST_DATA_ROW - 1]
    assert first[:2] == ["AET-1102", "Maria Gonzalez"]
    assert first[9] == "11/16/2026" and first[10] == "11/17/2026 9:30" and first[27] == "Complete"


# ------------------------------------------------------------------- the agents' states

HOLIDAYS = [str(d) for d in holidays.country_holidays("US", years=2026)]


def bday_offset(day: date, n: int, roll: str) -> date:
    return date.fromisoformat(str(np.busday_offset(day, n, roll=roll, holidays=HOLIDAYS)))


def elapsed(a: date, b: date) -> int:
    one = timedelta(days=1)
    return int(np.busday_count(a + one, b + one, holidays=HOLIDAYS))


LADDER = ("coaching_date", "written_cap_date", "final_cap_date", "term_review_date")


def pending_step(agent: dict[str, object]) -> tuple[str, date] | None:
    """docs/rules.md's ladder: the first step without a recorded date and its due date."""
    start = as_date(agent["esp_start"])
    assert start is not None
    due = bday_offset(start, 3, "forward")
    for key in LADDER:
        recorded = as_date(agent[key])
        if recorded is None:
            return key, due
        due = bday_offset(recorded, 1, "backward")  # the business day after it
    return None


def complete(agent: dict[str, object]) -> bool:
    return is_yes(agent["call_cert_complete"]) and is_yes(agent["tbts_complete"])


def test_worked_examples_hold_on_this_calendar() -> None:
    assert bday_offset(date(2026, 11, 20), 2, "forward") == date(2026, 11, 24)
    assert bday_offset(date(2026, 11, 20), 3, "forward") == date(2026, 11, 25)
    assert bday_offset(date(2026, 11, 21), 3, "forward") == date(2026, 11, 27)
    assert elapsed(date(2026, 11, 9), TODAY) == 10


EXPECTED_PENDING = {
    # name: (pending step, due date) on Tue 2026-11-24
    "Monique Dubois": ("term_review_date", date(2026, 11, 24)),
    "Ethan Brooks": ("final_cap_date", date(2026, 11, 24)),
    "Carmen Ortiz": ("final_cap_date", date(2026, 11, 24)),
    "Samuel Okoye": ("final_cap_date", date(2026, 11, 23)),
    "Priyanka Shah": ("written_cap_date", date(2026, 11, 20)),
    "Natalie Ford": ("written_cap_date", date(2026, 11, 24)),
    "Kayla Brooks": ("written_cap_date", date(2026, 11, 24)),
    "Farah Siddiqui": ("final_cap_date", date(2026, 11, 25)),
    "Tyrone Jackson": ("coaching_date", date(2026, 11, 19)),
    "Marcus Lee": ("coaching_date", date(2026, 11, 23)),
    "Rebecca Stone": ("coaching_date", date(2026, 11, 24)),
    "Xavier Dunn": ("coaching_date", date(2026, 11, 24)),
    "Yasmin Farouk": ("coaching_date", date(2026, 11, 25)),
    "Zachary Holt": ("coaching_date", date(2026, 11, 27)),
    "Nguyen, Thao": ("coaching_date", date(2026, 11, 27)),
    "Jamal Wright": ("coaching_date", date(2026, 11, 30)),
}


def test_escalation_states_match_the_comments(tracker: Tracker) -> None:
    for name, expected in EXPECTED_PENDING.items():
        agent = tracker.by_name(name)
        assert not complete(agent), name
        assert pending_step(agent) == expected, name
    assert pending_step(tracker.by_name("Derek Simmons")) is None  # term review recorded
    assert elapsed(date(2026, 11, 20), TODAY) == 2  # Priyanka's written CAP: 2 days overdue
    assert elapsed(date(2026, 11, 19), TODAY) == 3  # Tyrone's coaching: 3 days overdue


def test_every_class_has_complete_and_outstanding_agents(tracker: Tracker) -> None:
    done = Counter(str(a["class"]).strip() for a in tracker.agents if complete(a))
    assert done == {"AET-1102": 16, "AET-1109": 13, "AET-1116": 4}
    # Complete by the tool's reading but "Open" by the sheet's own formula (Y, TRUE, x...).
    assert any(complete(a) and a["status"] == "Open" for a in tracker.agents)


def test_behind_target(tracker: Tracker) -> None:
    def behind(agent: dict[str, object]) -> bool:
        start = as_date(agent["esp_start"])
        return start is not None and TODAY >= bday_offset(start, 2, "forward")

    outstanding = [a for a in tracker.agents if not complete(a)]
    names = {str(a["agent_name"]) for a in outstanding if behind(a)}
    assert {"Yasmin Farouk", "Rebecca Stone", "Tyrone Jackson"} <= names
    assert "Zachary Holt" not in names and not any(
        str(a["class"]).strip() == "AET-1116" for a in outstanding if behind(a)
    )


def test_spoc_gaps(tracker: Tracker) -> None:
    """Per docs/rules.md's Access and SPOC rule: what is missing for each open SPOC issue."""
    spoc_issues = {"Password Reset", "No Citrix Apps Showing", "Learning Hub Issue"}
    gaps: dict[str, list[str]] = {}
    for agent in tracker.agents:
        if complete(agent) or agent["citrix_access"] not in spoc_issues:
            continue
        missing = []
        if agent["spoc_called"] == "":
            missing.append("spoc_called")
        requested = as_date(agent["n_number_requested"])
        if requested is not None and elapsed(requested, TODAY) >= 10:
            if agent["incident_number"] == "":
                missing.append("incident_number")
            elif agent["callback_phone"] == "":
                missing.append("callback_phone")
        gaps[str(agent["agent_name"])] = missing
    assert gaps == {
        "Monique Dubois": [],
        "Priyanka Shah": ["incident_number"],
        "Natalie Ford": ["callback_phone"],
        "Xavier Dunn": ["spoc_called", "incident_number"],
        "Brian O'Connor": [],
        "Diego Fernandez": ["incident_number"],
        "Gianna Russo": [],  # 6 business days since the request: too early to advise
    }


def test_timeboxes(tracker: Tracker) -> None:
    over_8h = {
        str(a["agent_name"])
        for a in tracker.agents
        if isinstance(a["tbt_hours"], float) and a["tbt_hours"] > 8 and not complete(a)
    }
    assert over_8h == {"Monique Dubois"}
    running = {
        str(a["agent_name"])
        for a in tracker.agents
        if isinstance(a["call_cert_start"], datetime) and not is_yes(a["call_cert_complete"])
    }
    assert running == {"Tyrone Jackson", "Erin Walsh", "Jamal Wright"}


# ------------------------------------------------------------------------------- master


def master_records(path: Path) -> list[dict[str, object]]:
    rows = sheet_rows(path, MASTER_SHEET)
    table = columns.alias_table()
    keys = [columns.match_header(h, table) for h in rows[MASTER_HEADER_ROW - 1]]
    return [
        {k: v for k, v in zip(keys, row, strict=True) if k}
        for row in rows[MASTER_HEADER_ROW:]
        if any(row)
    ]


def test_master_headers_are_known_aliases(built: SampleFiles) -> None:
    rows = sheet_rows(built.master, MASTER_SHEET)
    table = columns.alias_table()
    keys = [columns.match_header(h, table) for h in rows[MASTER_HEADER_ROW - 1]]
    assert keys[:6] == [
        "class",
        "agent_name",
        "agent_id",
        "email",
        "n_number",
        "n_number_requested",
    ]
    spelled = ["Wave", "Employee Name", "Emp ID", "E-mail", "N#", "Date Requested"]
    assert rows[MASTER_HEADER_ROW - 1][:6] == spelled


def sync(tracker: Tracker, master: Iterable[dict[str, object]]) -> tuple[dict[str, date], ...]:
    """docs/rules.md's sync: agent ID, then e-mail, then name within the class; a class-only row
    for every agent of the class no other row matched. Returns (fills, conflicts, unmatched)."""

    def key(value: object) -> str:
        return str(value).strip().casefold()

    matched: dict[int, date] = {}
    class_rows: dict[str, date] = {}
    unmatched: dict[str, date] = {}
    for row in master:
        when = as_date(row["n_number_requested"])
        assert when is not None, row
        wave = key(row["class"])
        in_class = [a for a in tracker.agents if key(a["class"]) == wave]
        if not (row["agent_name"] or row["agent_id"] or row["email"]):
            class_rows[wave] = when
            continue
        hits: list[dict[str, object]] = []
        for field, norm in (("agent_id", key), ("email", key), ("agent_name", norm_name)):
            if row[field]:
                hits = [a for a in in_class if norm(a[field]) == norm(row[field])]
                if hits:
                    break
        if not hits:
            unmatched[str(row["agent_name"])] = when
        for agent in hits:
            matched[int(str(agent["row"]))] = when
    for agent in tracker.agents:
        wave = key(agent["class"])
        if int(str(agent["row"])) not in matched and wave in class_rows:
            matched[int(str(agent["row"]))] = class_rows[wave]
    fills: dict[str, date] = {}
    conflicts: dict[str, date] = {}
    for agent in tracker.agents:
        when = matched.get(int(str(agent["row"])))
        if when is None:
            continue
        current = as_date(agent["n_number_requested"])
        if current is None:
            fills[str(agent["agent_name"])] = when
        elif current != when:
            conflicts[str(agent["agent_name"])] = when
    return fills, conflicts, unmatched


def test_master_sync_finds_one_conflict_the_fills_and_one_stranger(
    built: SampleFiles, tracker: Tracker
) -> None:
    records = master_records(built.master)
    fills, conflicts, unmatched = sync(tracker, records)
    assert conflicts == SYNC_CONFLICTS
    assert as_date(tracker.by_name("Priyanka Shah")["n_number_requested"]) == date(2026, 11, 2)
    assert fills == SYNC_FILLS
    assert unmatched == SYNC_UNMATCHED


def test_master_mixes_identifiers_and_date_types(built: SampleFiles) -> None:
    records = master_records(built.master)
    with_id = [r for r in records if r["agent_id"]]
    email_only = [r for r in records if r["email"] and not r["agent_id"]]
    name_only = [r for r in records if r["agent_name"] and not (r["agent_id"] or r["email"])]
    class_only = [r for r in records if not (r["agent_name"] or r["agent_id"] or r["email"])]
    assert with_id and email_only and name_only and len(class_only) == 1
    assert all("," in str(r["agent_name"]) for r in records if r["agent_name"])  # Last, First
    text_dates = [
        r["n_number_requested"] for r in records if isinstance(r["n_number_requested"], str)
    ]
    assert text_dates == ["11/9/2026"]


# ------------------------------------------------------------- progress report, e-mails


def test_progress_report_rows_match_tracker_agents(built: SampleFiles, tracker: Tracker) -> None:
    rows = sheet_rows(built.progress_report, PROGRESS_SHEET)
    assert rows[0] == ["Timestamp", "Agent Name", "Class", "Update", "TBTs Completed", "Blockers"]
    known = {norm_name(a["agent_name"]) for a in tracker.agents}
    days = Counter()
    for row in rows[1:]:
        assert isinstance(row[0], datetime)
        days[row[0].date()] += 1
        assert norm_name(row[1]) in known, row[1]
    assert set(days) == {date(2026, 11, 23), date(2026, 11, 24)}


def read_email(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_self_report_emails(built: SampleFiles, tracker: Tracker) -> None:
    addresses = {str(a["email"]).strip().casefold(): a for a in tracker.agents}
    names = {norm_name(a["agent_name"]) for a in tracker.agents}
    strangers = []
    assert 3 <= len(built.emails) <= 4
    for path in built.emails:
        raw = path.read_bytes()
        assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "CRLF line ends"
        message = read_email(path)
        display, address = parseaddr(str(message["From"]))
        if address.casefold() not in addresses:
            strangers.append(address)
            assert norm_name(display) in names  # identifiable by display name only
        assert parseaddr(str(message["To"]))[1] == COORDINATOR_EMAIL
        sent = message["Date"].datetime
        assert sent.date() == TODAY and 17 <= sent.hour <= 21
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content().replace("\r\n", "\n")
        assert "\n-- \n" in text, path.name  # signature separator
        assert any(line.startswith(">") for line in text.splitlines()), path.name
    assert strangers == ["mlee.1990@example.net"]


def test_transcript_attachment_is_a_pdf(built: SampleFiles) -> None:
    (path,) = [p for p in built.emails if "hector" in p.name]
    (attachment,) = list(read_email(path).iter_attachments())
    assert attachment.get_filename() == "Hector Vargas TBT.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    # The xref offsets point at the objects (a reader that checks them accepts the file).
    xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    entries = pdf[xref_at:].split(b"\n")[3:8]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split()[0])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)


def test_config_is_valid_toml_pointing_at_the_sample(built: SampleFiles) -> None:
    raw = tomllib.loads(built.config.read_text(encoding="utf-8"))
    assert set(raw["smtp"]) == {"host", "port", "starttls", "username"}  # no password
    config = load_config(built.config)
    assert config.tracker == built.tracker
    assert config.master == built.master
    assert config.progress_report == built.progress_report
    assert config.self_reports == built.self_reports
    assert config.user == COORDINATOR
    assert config.country == "US"
    assert config.report_to and config.report_cc and config.report_from
    assert config.spoc_phone == "(888) 905-9500"


def test_fixture_xlsx_files_are_plain_zip_packages() -> None:
    for path in sorted(SHIPPED.glob("*.xlsx")):
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
            assert zf.namelist()[0] == "[Content_Types].xml"
