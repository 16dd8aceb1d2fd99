"""esp access set: the drop-down's own values, the SPOC columns, one phone format, a note."""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation
from scripts.sample_builder.sample import ACCESS_OPTIONS, build_sample
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.values import Unreadable, us_phone
from esp_cli.errors import ExitCode
from esp_cli.workbook.xlsx.workbook import Workbook
from tests import factories

HEADERS = list(
    factories.headers(
        "class",
        "agent_name",
        "agent_id",
        "email",
        "call_cert_complete",
        "tbts_complete",
        "citrix_access",
        "spoc_called",
        "incident_number",
        "callback_phone",
        "searched_course",
        "tbt_notes",
    )
)
# Under a title row: headers in row 2, agents from row 3. Columns G..L as above.
ACCESS, CALLED, INCIDENT, PHONE, SEARCHED, TBT = "G", "H", "I", "J", "K", "L"
OPTIONS = ["No Issues", "Password Reset", "Citrix Down", "Cannot Locate TBT", "Other"]
EARLIER_TBT = "Tom Alvarez - 11/23/2026 - Agent says Citrix login fails; checking."


def build(path: Path, *, dropdown: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ESP Tracker"
    ws.append(["ESP Tracker — test"])
    ws.append(HEADERS)
    ws.append(["AET-1", "Devon Price", "E100", "devon@x.com", "No", "No"]
              + [None] * 5 + [EARLIER_TBT])  # fmt: skip
    ws.append(["AET-1", "Ana Ruiz", "E101", "ana@x.com", "Yes", "No", "Password Reset",
               date(2026, 11, 20), "INC0001", "937-555-0188", None, None])  # fmt: skip
    ws["H4"].number_format = "m/d/yyyy"
    if dropdown:
        lists = wb.create_sheet("Lists")
        lists.append(["Citrix TBT Access", "Searched"])
        for option, yn in zip(OPTIONS, ["Y", "N", None, None, None], strict=True):
            lists.append([option, yn])
        lists.sheet_state = "hidden"
        access = DataValidation(type="list", formula1="Lists!$A$2:$A$6", allow_blank=True)
        searched = DataValidation(type="list", formula1="Lists!$B$2:$B$3", allow_blank=True)
        ws.add_data_validation(access)
        ws.add_data_validation(searched)
        access.add("G3:G100")
        searched.add("K3:K100")
    wb.save(path)
    return path


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return build(tmp_path / "ESP Tracker.xlsx")


def access(tracker: Path, *args: str) -> Any:
    return CliRunner().invoke(
        app, ["access", "set", *args, "--tracker", str(tracker), "--by", "Dana Whitfield"]
    )


def cells(path: Path, *refs: str) -> list[Any]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    out = []
    for ref in refs:
        v = ws[ref].value
        out.append(v.date() if isinstance(v, datetime) else v)
    return out


def test_sets_the_issue_and_spoc_columns_with_a_tbt_note(tracker: Path) -> None:
    res = access(
        tracker, "price, devon", "password  RESET", "--spoc-called", "2026-11-24",
        "--incident", " INC123 ", "--phone", "+1 513.555.0131", "--date", "2026-11-24",
        "-f", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["issue"] == "Password Reset"
    assert data["allowed"] == OPTIONS and "Lists!$A$2:$A$6" in data["allowed_from"]
    line = (
        "Dana Whitfield - 11/24/2026 - Citrix TBT Access: Password Reset; SPOC called "
        "11/24/2026; Incident INC123; Callback (513) 555-0131"
    )
    assert data["note"] == line and data["note_added"] is True
    assert cells(tracker, *(f"{c}3" for c in (ACCESS, CALLED, INCIDENT, PHONE, TBT))) == [
        "Password Reset",
        date(2026, 11, 24),
        "INC123",
        "(513) 555-0131",
        EARLIER_TBT + "\n" + line,
    ]
    assert data["still_empty"] == []
    assert [c["column"] for c in data["changes"]] == [
        "Citrix TBT Access", "SPOC Called Date", "SPOC Incident Number", "Callback Phone",
        "TBT Notes",
    ]  # fmt: skip


def test_the_same_again_changes_nothing(tracker: Path) -> None:
    args = ("E100", "Citrix Down", "--phone", "5135550131", "--date", "2026-11-24")
    assert access(tracker, *args).exit_code == 0
    written = tracker.read_bytes()
    res = access(tracker, *args, "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["changes"] == [] and data["note"] is None
    assert "nothing written" in res.stderr
    assert tracker.read_bytes() == written


def test_only_what_changed_is_written_and_noted(tracker: Path) -> None:
    # Ana already has Password Reset and a SPOC date: only the phone's format changes.
    res = access(tracker, "E101", "Password Reset", "--phone", "(937) 555 0188",
                 "--spoc-called", "11/20/2026", "--date", "2026-11-24", "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(c["cell"], c["old"], c["new"]) for c in data["changes"]][0] == (
        f"{PHONE}4",
        "937-555-0188",
        "(937) 555-0188",
    )
    assert cells(tracker, f"{TBT}4") == [
        "Dana Whitfield - 11/24/2026 - Citrix TBT Access: Password Reset; Callback (937) 555-0188"
    ]


def test_a_value_outside_the_drop_down_is_refused(tracker: Path) -> None:
    original = tracker.read_bytes()
    # Learning Hub Issue is in esp's standard list, but not in this workbook's drop-down.
    res = access(tracker, "E100", "Learning Hub Issue")
    assert res.exit_code == ExitCode.USAGE
    assert "'Learning Hub Issue' is not a Citrix TBT Access value" in res.stderr
    assert "No Issues, Password Reset, Citrix Down, Cannot Locate TBT, Other" in res.stderr
    assert res.stdout == ""
    assert tracker.read_bytes() == original


def test_without_a_drop_down_the_configured_list(tmp_path: Path) -> None:
    path = build(tmp_path / "t.xlsx", dropdown=False)
    # Not beside the tracker: there it would be used without --config.
    (tmp_path / "elsewhere").mkdir()
    config = tmp_path / "elsewhere" / "esp.toml"
    config.write_text('[access]\nvalues = ["No Issues", "VPN Down"]\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["access", "set", "E100", "vpn-down", "-t", str(path),
                                   "--by", "Dana", "--config", str(config)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert cells(path, f"{ACCESS}3") == ["VPN Down"]
    res = CliRunner().invoke(app, ["access", "set", "E100", "Password Reset", "-t", str(path),
                                   "--by", "Dana", "--config", str(config)])  # fmt: skip
    assert res.exit_code == 2 and "from esp.toml [access] values: No Issues, VPN Down" in (
        res.stderr
    )
    res = access(path, "E100", "no citrix apps showing")  # no config: the standard list
    assert res.exit_code == 0, res.output
    assert cells(path, f"{ACCESS}3") == ["No Citrix Apps Showing"]


def test_searched_in_the_lists_spelling_and_what_is_still_empty(tracker: Path) -> None:
    res = access(tracker, "E100", "cannot locate tbt", "--searched", "-f", "json")
    assert res.exit_code == 0, res.output
    assert cells(tracker, f"{SEARCHED}3") == ["Y"]  # the drop-down offers Y and N
    assert json.loads(res.stdout)["note"].endswith(
        "Citrix TBT Access: Cannot Locate TBT; Searched by Course Number: Y"
    )
    res = access(tracker, "E100", "cannot locate tbt", "--not-searched", "-f", "json")
    assert res.exit_code == 0, res.output
    (change, _note) = json.loads(res.stdout)["changes"]
    assert (change["old"], change["new"]) == ("Y", "N")  # yes/no shown as typed
    res = access(tracker, "E100", "Password Reset", "--incident", "INC9")
    assert res.exit_code == 0, res.output
    assert (
        "Password Reset also needs: SPOC Called Date ('ESP Tracker'!H3); Callback Phone "
        "('ESP Tracker'!J3)." in res.stderr
    )


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("513-555-0131", "(513) 555-0131"),
        ("(513) 555-0131", "(513) 555-0131"),
        ("+1 513 555 0131", "(513) 555-0131"),
        ("1.513.555.0131", "(513) 555-0131"),
        ("5135550131", "(513) 555-0131"),
        ("513/555-0131", "(513) 555-0131"),
    ],
)
def test_phone_formats(typed: str, written: str) -> None:
    assert us_phone(typed) == written


@pytest.mark.parametrize(
    "typed", ["555-0131", "513-555-01312", "+44 20 7946 0958", "513-555-0131 x12",
              "(013) 555-0131", "(513) 155-0131", "call me", ""],
)  # fmt: skip
def test_bad_phones(typed: str) -> None:
    with pytest.raises(Unreadable):
        us_phone(typed)


def test_a_bad_phone_is_a_clear_error(tracker: Path) -> None:
    original = tracker.read_bytes()
    res = access(tracker, "E100", "Password Reset", "--phone", "555-0131")
    assert res.exit_code == 2
    assert "--phone: '555-0131' is not a 10-digit US phone number" in res.stderr
    assert "Fix:" in res.stderr
    assert tracker.read_bytes() == original


def test_dry_run_and_a_future_spoc_date(tracker: Path) -> None:
    original = tracker.read_bytes()
    res = access(tracker, "E100", "Other", "--dry-run", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dry_run"] is True and len(data["changes"]) == 2
    res = access(tracker, "E100", "Password Reset", "--spoc-called", "2099-01-01")
    assert res.exit_code == 2 and "in the future" in res.stderr
    assert tracker.read_bytes() == original


def _ext_lst(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        xml = z.read(part)
    m = re.search(rb"<extLst>.*</extLst>", xml, re.S)
    assert m is not None
    return m.group(0)


def test_the_samples_x14_drop_down_survives_byte_for_byte(tmp_path: Path) -> None:
    files = build_sample(tmp_path)
    part = "xl/worksheets/sheet1.xml"
    before = _ext_lst(files.tracker, part)
    res = CliRunner().invoke(app, [
        "access", "set", "Xavier Dunn", "no citrix APPS showing", "--spoc-called", "2026-11-24",
        "--incident", "INC0049311", "--phone", "513 555 0164", "--config", str(files.config),
        "-f", "json",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["issue"] == "No Citrix Apps Showing"
    assert data["allowed"] == list(ACCESS_OPTIONS)
    assert "Lists!$A$2:$A$8" in data["allowed_from"]
    assert _ext_lst(files.tracker, part) == before
    wb = Workbook.open(files.tracker)
    (x14,) = [
        v for v in wb.validations(wb.pkg.sheet("ESP Tracker")) if v.source == "Lists!$A$2:$A$8"
    ]
    assert x14.values == ACCESS_OPTIONS
    row = data["row"]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        ws = openpyxl.load_workbook(files.tracker)["ESP Tracker"]
    assert ws[f"Q{row}"].value == "No Citrix Apps Showing"
    assert ws[f"T{row}"].value == "(513) 555-0164"
    assert str(ws[f"AA{row}"].value).endswith(
        "Jordan Reyes - " + date.today().strftime("%m/%d/%Y") + " - Citrix TBT Access: No "
        "Citrix Apps Showing; SPOC called 11/24/2026; Incident INC0049311; Callback "
        "(513) 555-0164"
    )
    res = CliRunner().invoke(
        app, ["access", "set", "Xavier Dunn", "Broken", "--config", str(files.config)]
    )
    assert res.exit_code == 2 and ", ".join(ACCESS_OPTIONS) in res.stderr


@pytest.mark.parametrize(("other", "written"), [(0, 1), (False, True)], ids=["1-0", "TRUE-FALSE"])
def test_searched_noted_in_words_whatever_form_the_cell_takes(
    tmp_path: Path, other: Any, written: Any
) -> None:
    """In a Searched by Course Number of 1s and 0s (or TRUE/FALSE) the cell takes the
    column's form, the TBT Notes line says Yes or No."""
    path = build(tmp_path / "ESP Tracker.xlsx", dropdown=False)
    wb = openpyxl.load_workbook(path)
    wb["ESP Tracker"][f"{SEARCHED}4"] = other
    wb.save(path)
    res = access(path, "E100", "cannot locate tbt", "--searched", "-f", "json")
    assert res.exit_code == 0, res.output
    assert cells(path, f"{SEARCHED}3") == [written]
    assert type(cells(path, f"{SEARCHED}3")[0]) is type(written)
    assert json.loads(res.stdout)["note"].endswith("; Searched by Course Number: Yes")
    res = access(path, "E100", "cannot locate tbt", "--not-searched", "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["note"].endswith("; Searched by Course Number: No")
    assert cells(path, f"{TBT}3")[0].endswith("; Searched by Course Number: No")
