"""esp doctor finds planted problems by rule ID, and nothing on a clean tracker."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from tests import factories
from tests.support.packages import copy_with_parts, zip_parts
from tests.support.paths import SAMPLE_DATA

HEADERS = factories.headers(
    "class",
    "agent_name",
    "agent_id",
    "email",
    "n_number",
    "n_number_requested",
    "tbt_sme",
    "esp_start",
    "call_cert_complete",
    "tbts_complete",
    "citrix_access",
    "spoc_called",
    "incident_number",
    "callback_phone",
    "searched_course",
    "coaching_date",
    "written_cap_date",
    "final_cap_date",
    "term_review_date",
    "notes",
    "tbt_notes",
)


def agent(i: int, **over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "Class": "AET-1",
        "Agent Name": f"Agent{i} Person",
        "Agent ID": f"E{i}",
        "Email": f"a{i}@x.com",
        "N Number": f"N{i}",
        "Date of N Number Request": date(2026, 11, 2),
        "TBT SME": "Sam Lead",
        "ESP Start Date": date(2026, 11, 16),
        "Call Cert Complete?": "Yes",
        "All TBTs Complete?": "No",
        "Citrix TBT Access": "No Issues",
        "Notes": "11/20/2026 - Jordan Reyes - Started TBTs",
        "TBT Notes": "Sam Lead - 11/20/2026 - On module 3",
    }
    base.update(over)
    return base


def build(path: Path, agents: list[dict[str, object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(list(HEADERS))
    for a in agents:
        ws.append([a.get(h) for h in HEADERS])
    lists = wb.create_sheet("Lists")
    for i, v in enumerate(("No Issues", "Password Reset", "Cannot Locate TBT", "Other"), 1):
        lists.cell(i, 1, v)
    lists.sheet_state = "hidden"
    dv = DataValidation(type="list", formula1="Lists!$A$1:$A$4")
    dv.add("K2:K100")
    ws.add_data_validation(dv)
    yn = DataValidation(type="list", formula1='"Yes,No"')
    yn.add("I2:J100")
    ws.add_data_validation(yn)
    wb.save(path)
    return path


def run(path: Path) -> tuple[int, dict[str, object]]:
    res = CliRunner().invoke(app, ["doctor", "--tracker", str(path), "--format", "json"])
    return res.exit_code, json.loads(res.stdout)


def test_clean_tracker_has_no_findings(tmp_path: Path) -> None:
    code, data = run(build(tmp_path / "t.xlsx", [agent(1), agent(2)]))
    assert code == 0, data
    assert data["findings"] == [] and data["ok"] is True and data["agents"] == 2


def test_planted_problems_are_found_by_rule(tmp_path: Path) -> None:
    agents = [
        agent(1, **{"ESP Start Date": "11/31/2026"}),  # ESP002 H2
        agent(2, **{"Call Cert Complete?": "maybe"}),  # ESP003 + ESP007 I3
        agent(3, **{"Agent ID": "E1"}),  # ESP005 row 4
        agent(4, **{"Citrix TBT Access": "Password Reset"}),  # ESP006 L5 M5 N5
        agent(5, **{"Citrix TBT Access": "Broken laptop"}),  # ESP007 K6
        agent(6, **{"Notes": "called him today"}),  # ESP008 T7
        agent(7, Class="AET-2", **{"TBT SME": None}),  # ESP009 AET-2
    ]
    code, data = run(build(tmp_path / "t.xlsx", agents))
    assert code == ExitCode.FINDINGS
    got = {(f["rule"], f["cell"]) for f in data["findings"]}  # type: ignore[index]
    assert got == {
        ("ESP002", "'ESP Tracker'!H2"),
        ("ESP003", "'ESP Tracker'!I3"),
        ("ESP007", "'ESP Tracker'!I3"),
        ("ESP005", "'ESP Tracker'!A4"),
        ("ESP006", "'ESP Tracker'!L5"),
        ("ESP006", "'ESP Tracker'!M5"),
        ("ESP006", "'ESP Tracker'!N5"),
        ("ESP007", "'ESP Tracker'!K6"),
        ("ESP008", "'ESP Tracker'!T7"),
        ("ESP009", "class AET-2"),
    }
    for f in data["findings"]:  # type: ignore[union-attr]
        assert f["fix"] and f["name"]


def test_missing_columns_and_sme_overload(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "AET-7"  # one sheet per class: no Class column needed
    ws.append(["Agent Name", "ESP Start Date", "TBT SME"])
    for i, sme in enumerate(("A One", "B Two", "C Three")):
        ws.append([f"Agent{i} X", date(2026, 11, 16), sme])
    wb.save(path)
    code, data = run(path)
    assert code == ExitCode.FINDINGS
    missing = [f["message"] for f in data["findings"] if f["rule"] == "ESP001"]  # type: ignore
    assert any("Call Cert Complete?" in m and "needed by the rules" in m for m in missing)
    assert not any("'Class'" in m for m in missing)
    sme = [f for f in data["findings"] if f["rule"] == "ESP009"]  # type: ignore
    assert sme and "3 TBT SMEs" in sme[0]["message"]


def test_sample_tracker_findings_are_stable() -> None:
    code, data = run(SAMPLE_DATA / "ESP Tracker.xlsx")
    assert code == ExitCode.FINDINGS
    cells = {f["cell"] for f in data["findings"]}  # type: ignore[union-attr]
    assert {"'ESP Tracker'!J51", "'ESP Tracker'!J70", "'ESP Tracker'!F70"} <= cells


def _typed_in_xml(path: Path, placeholder: bytes, typed: bytes) -> None:
    """The cell whose value is `placeholder` given the value `typed` in the sheet's XML, as a
    program other than Excel may write it (`<v>NaN</v>`)."""
    sheet = zip_parts(path)[SHEET]
    edited = sheet.replace(b"<v>" + placeholder + b"</v>", b"<v>" + typed + b"</v>")
    _with_sheet(path, edited)


SHEET = "xl/worksheets/sheet1.xml"


def _with_sheet(path: Path, sheet: bytes) -> None:
    """`path` made again with its first sheet's part `sheet` (the rest as it was)."""
    copy = path.with_name(path.name + ".copy")
    copy_with_parts(path, copy, {SHEET: sheet})
    copy.replace(path)


@pytest.mark.parametrize("typed", [b"NaN", b"inf", b"-inf", b"1e400"])
def test_a_number_that_is_no_number_is_an_unreadable_cell(tmp_path: Path, typed: bytes) -> None:
    path = build(tmp_path / "t.xlsx", [agent(1), agent(2, **{"ESP Start Date": 77777})])
    _typed_in_xml(path, b"77777", typed)
    res = CliRunner().invoke(app, ["doctor", "--tracker", str(path), "--format", "json"])
    assert res.exit_code == ExitCode.FINDINGS, res.output
    data = json.loads(res.stdout, parse_constant=_not_json)
    assert [f["rule"] for f in data["findings"] if f["cell"] == "'ESP Tracker'!H3"] == ["ESP002"]


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def sample_holding(tmp_path: Path, **typed: bytes) -> Path:
    """The sample tracker with cells of its sheet holding the values `typed` as written in
    its XML, each cell keeping its format (a date's, for a date column)."""
    import re
    import shutil

    path = Path(shutil.copy(SAMPLE_DATA / "ESP Tracker.xlsx", tmp_path / "ESP Tracker.xlsx"))
    data = zip_parts(path)[SHEET]
    for ref, value in typed.items():
        cell = re.compile(rb'(<c r="' + ref.encode() + rb'" s="\d+">)<v>[^<]*</v>')
        data, n = cell.subn(rb"\1<v>" + value + rb"</v>", data)
        assert n == 1, ref
    _with_sheet(path, data)
    return path


@pytest.mark.parametrize("typed", [b"NaN", b"-inf", b"-1e400", b"-5", b"0", b"1", b"367"])
@pytest.mark.parametrize(
    ("ref", "column"), [("K25", "Call Cert Start"), ("J30", "ESP Start Date")]
)  # fmt: skip
def test_a_date_cell_holding_a_number_that_is_no_date_is_named(
    tmp_path: Path, typed: bytes, ref: str, column: str
) -> None:
    """NaN or -inf in a date-formatted cell (a program other than Excel may write them), a
    negative number, 0, or a serial of 1900 or 1901 typed by mistake: the cell is named and
    shown as a person reads it, in a date column and in Call Cert Start (a date and time)."""
    path = sample_holding(tmp_path, **{ref: typed})
    res = CliRunner().invoke(app, ["doctor", "--tracker", str(path), "--format", "json"])
    assert res.exit_code == ExitCode.FINDINGS, res.output
    data = json.loads(res.stdout, parse_constant=_not_json)
    (found,) = [f for f in data["findings"] if f["cell"] == f"'ESP Tracker'!{ref}"]
    assert found["rule"] in ("ESP002", "ESP004")
    assert found["message"].startswith(f"{column}: ")
    assert "datetime." not in found["message"]


def test_ladder_dates_the_ladder_cannot_hold_are_found(tmp_path: Path) -> None:
    # ESP Start Date Mon 11/16/2026: the coaching is due Thu 11/19.
    agents = [
        agent(1, **{"Coaching Date": date(2025, 11, 19)}),  # a year typed wrong: P2
        agent(2, **{"Coaching Date": date(2026, 11, 24), "Written CAP Date": date(2026, 11, 20)}),
        agent(3, **{"Coaching Date": date(2026, 11, 19), "Written CAP Date": date(2026, 11, 20)}),
        # A re-hire: the earlier enrolment's steps are left in the row.
        agent(
            4,
            **{
                "ESP Start Date": date(2026, 12, 31),
                "Coaching Date": date(2026, 11, 19),
                "Written CAP Date": date(2026, 11, 20),
            },
        ),  # fmt: skip
    ]
    code, data = run(build(tmp_path / "t.xlsx", agents))
    assert code == ExitCode.FINDINGS
    found = [(f["cell"], f["message"]) for f in data["findings"] if f["rule"] == "ESP011"]  # type: ignore
    assert found == [
        (
            "'ESP Tracker'!P2",
            "Agent1 Person: Coaching Date 11/19/2025 is before the clock start, Mon 11/16/2026 "
            "(ESP Start Date); the other date is in 'ESP Tracker'!H2",
        ),
        (
            "'ESP Tracker'!Q3",
            "Agent2 Person: Written CAP Date 11/20/2026 is before Coaching Date 11/24/2026; the "
            "other date is in 'ESP Tracker'!P3",
        ),
        (
            "'ESP Tracker'!P5",
            "Agent4 Person: Coaching Date 11/19/2026 is before the clock start, Thu 12/31/2026 "
            "(ESP Start Date); the other date is in 'ESP Tracker'!H5",
        ),
        (
            "'ESP Tracker'!Q5",
            "Agent4 Person: Written CAP Date 11/20/2026 is before the clock start, Thu 12/31/2026 "
            "(ESP Start Date); the other date is in 'ESP Tracker'!H5",
        ),
    ]
    assert "earlier enrolment" in data["findings"][0]["fix"]  # type: ignore[index]


def test_a_ladder_date_still_to_come_is_found(tmp_path: Path) -> None:
    """A step dated after today is not counted (a year typed wrong): said at its cell."""
    agents = [agent(1, **{"Coaching Date": date(2099, 11, 19)})]
    code, data = run(build(tmp_path / "t.xlsx", agents))
    assert code == ExitCode.FINDINGS
    (found,) = [f for f in data["findings"] if f["rule"] == "ESP011"]  # type: ignore
    assert found["cell"] == "'ESP Tracker'!P2"
    assert found["message"] == (
        f"Agent1 Person: Coaching Date 11/19/2099 is after today ({date.today():%m/%d/%Y}): "
        "a day still to come, not counted as delivered"
    )
    assert "typed wrong" in found["fix"]


def test_a_skipped_step_and_a_step_before_an_earlier_recorded_one_are_found(
    tmp_path: Path,
) -> None:
    agents = [
        # The written CAP left empty between a coaching and a final CAP.
        agent(1, **{"Coaching Date": date(2026, 11, 19), "Final CAP Date": date(2026, 11, 25)}),
        # The same, the final CAP dated before the coaching: no written CAP date can fit.
        agent(2, **{"Coaching Date": date(2026, 11, 25), "Final CAP Date": date(2026, 11, 20)}),
        # No coaching nor written CAP, a final CAP.
        agent(3, **{"Final CAP Date": date(2026, 11, 25)}),
    ]
    code, data = run(build(tmp_path / "t.xlsx", agents))
    assert code == ExitCode.FINDINGS
    found = [(f["cell"], f["message"]) for f in data["findings"] if f["rule"] == "ESP011"]  # type: ignore
    assert found == [
        (
            "'ESP Tracker'!R2",
            "Agent1 Person: Final CAP Date 11/25/2026 is recorded but Written CAP Date is empty "
            "(the ladder never skips a step); the empty cell is 'ESP Tracker'!Q2",
        ),
        (
            "'ESP Tracker'!R3",
            "Agent2 Person: Final CAP Date 11/20/2026 is before Coaching Date 11/25/2026; the "
            "other date is in 'ESP Tracker'!P3",
        ),
        (
            "'ESP Tracker'!R3",
            "Agent2 Person: Final CAP Date 11/20/2026 is recorded but Written CAP Date is empty "
            "(the ladder never skips a step); the empty cell is 'ESP Tracker'!Q3",
        ),
        (
            "'ESP Tracker'!R4",
            "Agent3 Person: Final CAP Date 11/25/2026 is recorded but Coaching Date is empty "
            "(the ladder never skips a step); the empty cell is 'ESP Tracker'!P4",
        ),
    ]
    assert "never skips a step" in data["findings"][0]["fix"]  # type: ignore[index]


def test_an_agent_without_a_class_is_found(tmp_path: Path) -> None:
    """A blank Class: the agent is in no class's SME, round or report; said with its cell."""
    code, data = run(build(tmp_path / "t.xlsx", [agent(1), agent(2, Class=None)]))
    assert code == ExitCode.FINDINGS
    found = [(f["rule"], f["cell"], f["message"]) for f in data["findings"]]  # type: ignore
    assert found == [
        (
            "ESP012",
            "'ESP Tracker'!A3",
            "Agent2 Person has no Class: reports count them under '(no class)', and no "
            "class's TBT SME, round or report reaches them",
        )
    ]


def test_a_protected_agent_sheet_is_named_with_the_fix(tmp_path: Path) -> None:
    """Every write refuses the cells of a protected sheet (Review > Protect Sheet): esp
    doctor says so before a write is tried, with the writes' fix. A protected sheet of
    drop-down lists, which esp never writes, is no problem."""
    path = build(tmp_path / "t.xlsx", [agent(1), agent(2)])
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"].protection.sheet = True
    wb["Lists"].protection.sheet = True
    wb.save(path)
    code, data = run(path)
    assert code == ExitCode.FINDINGS
    (found,) = data["findings"]  # type: ignore[misc]
    assert (found["rule"], found["name"], found["cell"]) == (
        "ESP014",
        "protected-sheet",
        "'ESP Tracker'",
    )
    assert "esp writes nothing to its cells" in found["message"]
    assert found["fix"].startswith("unprotect it in Excel (Review > Unprotect Sheet)")
    note = CliRunner().invoke(
        app, ["note", "add", "Agent1 Person", "Called", "--by", "Jo", "--tracker", str(path)]
    )
    assert note.exit_code == ExitCode.FAILED, note.output
    assert f"Fix: {found['fix']}." in note.stderr


def test_steps_dated_before_they_were_due_are_a_warning_unless_noted_early(
    tmp_path: Path,
) -> None:
    """Typed in Excel before they were due (same day as the step before; a coaching before
    clock day 3): counted, pointed out (ESP015, a warning: exit 0), unless the Notes line
    esp record-step --early writes gives the reason."""
    noted = "11/18/2026 - Jo Lead - Documented coaching delivered; early (due 11/19/2026): asked"
    agents = [
        agent(1, **{"Coaching Date": date(2026, 11, 19), "Written CAP Date": date(2026, 11, 19)}),
        agent(2, **{"Coaching Date": date(2026, 11, 18)}),  # clock day 2
        agent(3, **{"Coaching Date": date(2026, 11, 18), "Notes": noted}),
        agent(4, **{"Coaching Date": date(2026, 11, 19), "Written CAP Date": date(2026, 11, 20)}),
    ]
    code, data = run(build(tmp_path / "t.xlsx", agents))
    assert code == 0, data
    found = [(f["cell"], f["message"]) for f in data["findings"]]  # type: ignore[attr-defined]
    assert found == [
        (
            "'ESP Tracker'!Q2",
            "Agent1 Person: Written CAP Date Thu 11/19/2026 is before the written CAP was due, "
            "Fri 11/20/2026 (the business day after the coaching recorded 11/19/2026): counted "
            "as delivered early",
        ),
        (
            "'ESP Tracker'!P3",
            "Agent2 Person: Coaching Date Wed 11/18/2026 is before the coaching was due, Thu "
            "11/19/2026 (3 business days after the clock start): counted as delivered early",
        ),
    ]
    assert data["ok"] is True
    assert "early (due 11/19/2026): why" in data["findings"][1]["fix"]  # type: ignore[index]


def test_calendar_entries_that_change_nothing_are_a_warning(tmp_path: Path) -> None:
    path = build(tmp_path / "t.xlsx", [agent(1)])
    (tmp_path / "esp.toml").write_text(
        '[calendar]\ncompany_workdays = ["2026-07-04", "2026-07-08"]\n'
        'company_days_off = ["2026-07-11", "2026-11-26", "2026-12-24"]\n',
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app, ["doctor", "-t", str(path), "-c", str(tmp_path / "esp.toml"), "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    found = [f["message"] for f in json.loads(res.stdout)["findings"] if f["rule"] == "ESP016"]
    assert len(found) == 4, found
    assert "2026-07-11 is a Saturday, not a business day already" in found[0]
    assert "2026-11-26 is Thanksgiving Day already" in found[1]
    assert found[2].endswith(
        "[calendar] company_workdays 2026-07-04 is a Saturday (Independence Day), never a "
        "business day; the holiday is observed on Fri 07/03/2026 — did you mean that day?"
    )
    assert "2026-07-08 is no US holiday" in found[3]
    # Said as the settings' other warnings are, once each.
    assert res.stderr.count("company_workdays 2026-07-04") == 1


def test_doctor_reads_only_the_columns_esp_knows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column esp has no header for (Site, Shift…) is never turned into values: on a
    50,000-agent tracker they were a third of what doctor held."""
    from esp_cli.workbook.xlsx.workbook import Workbook

    path = factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "A", "Agent Name": "Ann Lee", "Site": "Tampa", "Shift": "Day"}],
        headers=(*factories.TRACKER_HEADERS, "Site", "Shift"),
    )
    asked: list[set[int] | None] = []
    values = Workbook.values

    def spy(self: Workbook, info: object, *args: object, **kwargs: object) -> object:
        if kwargs.get("nrows") is None:
            asked.append(kwargs.get("columns"))  # type: ignore[arg-type]
        return values(self, info, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Workbook, "values", spy)
    result = CliRunner().invoke(app, ["doctor", "--tracker", str(path)])
    assert result.exit_code in (0, 5), result.output
    headers = [c.value for c in openpyxl.load_workbook(path).active[2]]
    unknown = {headers.index(h) + 1 for h in ("Site", "Shift")}
    (columns,) = asked
    assert columns is not None and columns and not columns & unknown


def test_a_column_with_two_drop_downs_checks_each_cell_against_its_own(tmp_path: Path) -> None:
    """Rows 2-3 of Citrix TBT Access take one list and rows 4-5 another: a text in the first
    list only is off-list in rows 4-5 alone, one in neither list everywhere; a text in both
    is never a finding, and each finding names the list of its own cell."""
    path = build(
        tmp_path / "t.xlsx",
        [
            agent(1, **{"Citrix TBT Access": "Password Reset"}),  # K2: first list: fine
            agent(2, **{"Citrix TBT Access": "Broken"}),  # K3: neither
            agent(3, **{"Citrix TBT Access": "Password Reset"}),  # K4: not in the second
            agent(4, **{"Citrix TBT Access": "No Issues"}),  # K5: in both
        ],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    ws.data_validations.dataValidation = [
        v for v in ws.data_validations.dataValidation if "K2" not in str(v.sqref)
    ]
    first = DataValidation(type="list", formula1='"No Issues,Password Reset"')
    first.add("K2:K3")
    second = DataValidation(type="list", formula1='"No Issues,Other"')
    second.add("K4:K100")
    ws.add_data_validation(first)
    ws.add_data_validation(second)
    wb.save(path)
    _code, data = run(path)
    found = {(f["cell"], f["message"]) for f in data["findings"] if f["rule"] == "ESP007"}  # type: ignore[index, union-attr]
    assert found == {
        (
            "'ESP Tracker'!K3",
            "Citrix TBT Access 'Broken' is not in the list (No Issues, Password Reset)",
        ),
        (
            "'ESP Tracker'!K4",
            "Citrix TBT Access 'Password Reset' is not in the list (No Issues, Other)",
        ),
    }


def test_formula_without_a_saved_result_is_listed(tmp_path: Path) -> None:
    """A formula whose result is not saved in the file (a workbook written by a program,
    never saved by Excel) reads as empty: doctor names the cell, its column, the agent and
    the fix; a formula saved with its result, or with an empty text, is not listed."""
    agents = [
        agent(1, **{"ESP Start Date": "=DATE(2026,11,16)", "Coaching Date": "=TODAY()"}),
        agent(2),
    ]
    made = build(tmp_path / "made.xlsx", agents)
    path = tmp_path / "t.xlsx"
    # Agent 2's ESP Start Date: a formula saved with its result; Notes: one showing "".
    with zipfile.ZipFile(made) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(
        b'<c r="H3" s="1" t="n"><v>46342</v></c>',
        b'<c r="H3" s="1"><f>DATE(2026,11,16)</f><v>46342</v></c>',
    ).replace(
        b'<c r="T3" t="inlineStr"><is><t>11/20/2026 - Jordan Reyes - Started TBTs</t></is></c>',
        b'<c r="T3" t="str"><f>""</f><v></v></c>',
    )
    assert b"<f>DATE(2026,11,16)</f><v>46342" in sheet and b'<f>""</f>' in sheet
    copy_with_parts(made, path, {"xl/worksheets/sheet1.xml": sheet})
    code, data = run(path)
    assert code == ExitCode.FINDINGS
    found = [f for f in data["findings"] if f["rule"] == "ESP017"]  # type: ignore[union-attr]
    assert [f["cell"] for f in found] == ["'ESP Tracker'!H2", "'ESP Tracker'!P2"]
    assert found[0]["message"] == (
        "Agent1 Person: ESP Start Date holds a formula whose result is not saved in the file, "
        "so esp reads it as empty"
    )
    assert "save it" in found[0]["fix"] and "type the value" in found[0]["fix"]
    assert found[0]["name"] == "formula-without-result"


def _pretty(xml: bytes) -> bytes:
    """The sheet's XML as other programs write it: each element on its own line, indented."""
    from lxml import etree

    return etree.tostring(  # type: ignore[no-any-return]
        etree.fromstring(xml), pretty_print=True, xml_declaration=True, encoding="UTF-8"
    )


@pytest.mark.parametrize("pretty", [False, True], ids=["compact", "pretty-printed"])
def test_an_empty_shared_formula_without_a_result_is_listed(tmp_path: Path, pretty: bool) -> None:
    """A shared formula's other cells carry only <f t="shared" si="0"/>: one with no saved
    result reads as empty, whether the sheet's XML is written compact or one element a line
    (as some programs write it); one with its result saved is not listed. A whole formula
    without its result is listed in both forms too."""
    agents = [agent(1, **{"Coaching Date": "=TODAY()"}), agent(2), agent(3)]
    made = build(tmp_path / "made.xlsx", agents)
    with zipfile.ZipFile(made) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    # ESP Start Date (H): H2 holds the shared formula and its result, H3 a member with its
    # result, H4 a member without one.
    for row, cell in (
        (2, b'<f t="shared" ref="H2:H4" si="0">DATE(2026,11,16)</f><v>46342</v>'),
        (3, b'<f t="shared" si="0"/><v>46342</v>'),
        (4, b'<f t="shared" si="0"/>'),
    ):
        plain = b'<c r="H%d" s="1" t="n"><v>46342</v></c>' % row
        assert plain in sheet
        sheet = sheet.replace(plain, b'<c r="H%d" s="1">%s</c>' % (row, cell))
    if pretty:
        sheet = _pretty(sheet)
        assert b'si="0"/>\n' in sheet
    path = tmp_path / "t.xlsx"
    copy_with_parts(made, path, {"xl/worksheets/sheet1.xml": sheet})
    _code, data = run(path)
    found = [f["cell"] for f in data["findings"] if f["rule"] == "ESP017"]  # type: ignore[index, union-attr]
    assert found == ["'ESP Tracker'!P2", "'ESP Tracker'!H4"]


def test_a_date_column_spelt_as_a_question_is_named_at_its_header(tmp_path: Path) -> None:
    """'SPOC Called?' holds a yes or a no, not the day SPOC was called: doctor names the
    header's cell, says the sheet has no SPOC Called Date, and how to fix either way; the
    Yes typed under it is no unreadable date."""
    head = [h if h != "SPOC Called Date" else "SPOC Called?" for h in HEADERS]
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(head)
    for i in (1, 2):
        a = agent(i, **{"Citrix TBT Access": "Password Reset", "SPOC Incident Number": "INC1"})
        a["Callback Phone"] = "555-0100"
        a["SPOC Called?"] = "Yes"
        ws.append([a.get(h) for h in head])
    wb.save(path)
    _code, data = run(path)
    findings = data["findings"]
    assert not [f for f in findings if f["rule"] in ("ESP002", "ESP003", "ESP004")]  # type: ignore[index]
    missing = [f for f in findings if f["rule"] == "ESP001"]  # type: ignore[index]
    assert [f["cell"] for f in missing] == ["'ESP Tracker'!L1"]
    (found,) = missing
    assert found["message"] == (
        "'SPOC Called?' asks a yes or a no, so esp does not read it as the SPOC Called Date "
        "(a day): the sheet has no SPOC Called Date column (expected)"
    )
    assert "rename it to 'SPOC Called Date'" in found["fix"]
    assert '"SPOC Called Date" = ["SPOC Called?"]' in found["fix"]
    assert "add a 'SPOC Called Date' column" in found["fix"]


def test_a_missing_columns_fix_gives_the_esp_toml_lines(tmp_path: Path) -> None:
    """The fix of a missing column is the one every command that needs it gives: map the
    team's header with the esp.toml lines printed as they are pasted."""
    head = [h for h in HEADERS if h != "All TBTs Complete?"] + ["TBTs Finished?"]
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(head)
    ws.append([agent(1).get(h) for h in head])
    wb.save(path)
    _code, data = run(path)
    (found,) = [f for f in data["findings"] if f["rule"] == "ESP001"]  # type: ignore[index]
    assert "'TBTs Finished?' may be All TBTs Complete?" in found["fix"]
    assert found["fix"].endswith('[columns]\n"All TBTs Complete?" = ["Your Header"]')


def test_a_roster_beside_the_tracker_is_said_to_be_one(tmp_path: Path) -> None:
    """A sheet listing the agents without any of the tracker's own columns is a roster:
    doctor says so once, with the fix the other commands give (hide it), not a missing
    column per column."""
    path = build(tmp_path / "t.xlsx", [agent(1), agent(2)])
    wb = openpyxl.load_workbook(path)
    roster = wb.create_sheet("Roster")
    roster.append(["Class", "Agent Name", "Agent ID", "Email", "ESP Start Date"])
    for i in (1, 2):
        roster.append(["AET-1", f"Agent{i} Person", f"E{i}", f"a{i}@x.com", date(2026, 11, 16)])
    wb.save(path)
    _code, data = run(path)
    found = [f for f in data["findings"] if f["cell"].startswith("Roster")]  # type: ignore[index]
    assert [(f["rule"], f["cell"]) for f in found] == [("ESP001", "Roster!1:1")]
    (said,) = found
    assert said["message"].startswith(
        "sheet 'Roster' holds who the agents are but none of the tracker's own columns: no "
        "'Call Cert Complete?' or 'All TBTs Complete?' column, which the rules need and sheet "
        "'ESP Tracker' has"
    )
    assert "hide it" in said["fix"]


def test_a_name_holding_an_invisible_character_is_a_warning_naming_the_cell(
    tmp_path: Path,
) -> None:
    """A name pasted with a zero-width space or a direction mark reads as the name in esp,
    but Excel's search and filters, and a person's copy of it, do not: said, to retype."""
    path = build(
        tmp_path / "t.xlsx",
        [agent(1, **{"Agent Name": "Kayla Brooks\u200b"}), agent(2), agent(3, **{
            "Agent Name": "Re\u00adbecca Stone\u200e"})],
    )  # fmt: skip
    code, data = run(path)
    assert code == 0, data  # a warning: the name is read without it
    found = data["findings"]
    assert [(f["rule"], f["cell"]) for f in found] == [  # type: ignore[union-attr]
        ("ESP018", "'ESP Tracker'!B2"),
        ("ESP018", "'ESP Tracker'!B4"),
    ]
    assert found[0]["message"] == (  # type: ignore[index]
        "the name 'Kayla Brooks' holds U+200B (zero-width space), which no one sees or "
        "types; esp reads the name without it"
    )
    assert "U+00AD (soft hyphen), U+200E (left-to-right mark)" in found[1]["message"]  # type: ignore[index]
    assert found[0]["fix"] == "retype the name"  # type: ignore[index]
    assert found[0]["name"] == "invisible-character"  # type: ignore[index]


def test_a_name_of_invisible_characters_only_is_no_name_and_said_by_code_point(
    tmp_path: Path,
) -> None:
    """A cell holding only a zero-width space and a word joiner shows nothing: the row is
    named as with an empty name cell (by its Agent ID), and the warning names the
    characters, not an empty ''."""
    path = build(tmp_path / "t.xlsx", [agent(1), agent(2, **{"Agent Name": "\u200b\u2060"})])
    code, data = run(path)
    assert code == 0, data
    found = [f for f in data["findings"] if f["rule"] == "ESP018"]  # type: ignore[union-attr,index]
    assert [f["message"] for f in found] == [  # type: ignore[index]
        "the name holds only U+200B (zero-width space), U+2060 (word joiner), which no one "
        "sees or types; esp reads it as no name (esp names the row E2)"
    ]
    res = CliRunner().invoke(
        app, ["escalations", "-t", str(path), "--as-of", "2026-11-24", "-f", "json"]
    )
    names = {item["agent"] for item in json.loads(res.stdout)}
    assert names == {"Agent1 Person", "E2"}, names
    assert "\u200b\u2060" not in res.stdout and "\\u200b" not in res.stdout
