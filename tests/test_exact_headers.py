"""Of two headers naming one column, the one naming it most exactly is the column: the
column's own header (or one esp.toml maps) over a common variant (`Name`, `Agent`), a
variant over a question. A sheet holding another table left of the tracker (a pivot's
source data with its own `Name` column) is read by the tracker's own headers, and a write
says which header it set aside. Workbooks built here as plain XML."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.core import columns
from esp_cli.mail.selfreports import find_layout
from esp_cli.services.progress import _name_headers
from esp_cli.services.proofs import read_tracking
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook

from .factories import headers

DAY = "2026-11-24"


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _sheet(rows: list[list[Any]]) -> str:
    out = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_col(c)}{r}"><v>{v}</v></c>'
            if isinstance(v, (int, float))
            else f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            for c, v in enumerate(row, start=1)
            if v not in (None, "")
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(out)}</sheetData></worksheet>"
    )


def book(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook of these sheets (name -> rows of values; text as inline strings)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            + "".join(
                f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, n in enumerate(names, start=1)
            )
            + "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{rel}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Relationships>",
        )
        for i, n in enumerate(names, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(sheets[n]))
    return path


def cells(path: Path) -> dict[str, str]:
    """Every text cell of the first sheet: address -> text."""
    import re

    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    return dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*t="inlineStr"[^>]*><is><t[^>]*>([^<]*)', xml))


TRACKER = list(
    headers("class", "agent_name", "esp_start", "call_cert_complete", "tbts_complete", "notes")
)
AGENTS = [
    ["AET-1", "Ana Pruitt", "11/16/2026", "No", "No", ""],
    ["AET-1", "Ben Quill", "11/16/2026", "Yes", "Yes", ""],
]


def _beside(path: Path, left: list[list[Any]], right: list[list[Any]]) -> Path:
    """One sheet: the `left` table (columns A..), an empty column, then the `right` one."""
    width = max(len(r) for r in left) + 1
    rows = []
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else []
        b = right[i] if i < len(right) else []
        rows.append([*a, *[None] * (width - len(a)), *b])
    return book(path, {"DataSheet": rows})


# A pivot's source data: its own Name column, ten rows (more than the tracker has agents).
PIVOT = [["Id", "Name", "Category"], *[[i, chr(96 + i), "x"] for i in range(1, 11)]]


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


# -- the rank of a header ---------------------------------------------------------------------


def test_a_header_is_ranked_by_how_exactly_it_names_its_column() -> None:
    Rank, header_match, spellings = columns.Rank, columns.header_match, columns.spellings
    table = columns.alias_table({"Agent Name": ["Rep Name"], "All TBTs Complete?": ["Finished?"]})
    assert header_match("Agent Name", table) == ("agent_name", Rank.EXACT)
    assert header_match("agent_name", table) == ("agent_name", Rank.EXACT)
    assert header_match("AgentName", table) == ("agent_name", Rank.EXACT)
    assert header_match("Rep Name", table) == ("agent_name", Rank.MAPPED)
    assert header_match("Name", table) == ("agent_name", Rank.VARIANT)
    assert header_match("Employee Name", table) == ("agent_name", Rank.VARIANT)
    assert header_match("All TBTs Complete?", table) == ("tbts_complete", Rank.EXACT)
    assert header_match("Finished?", table) == ("tbts_complete", Rank.MAPPED)
    assert header_match("TBT Complete?", table) == ("tbts_complete", Rank.VARIANT)
    assert header_match("All TBTs Completed?", table) == ("tbts_complete", Rank.LOOSE)
    # A plain mapping without esp's marks still knows the column's own header.
    assert header_match("Agent Name", {"agent name": "agent_name"})[1] is Rank.EXACT
    assert spellings("agent_name", table)[:4] == ("rep name", "repname", "agent name", "agentname")


def test_the_most_exact_header_is_the_column_and_the_first_of_equal_ones() -> None:
    found = [(2, "agent_name", 1), (3, "agent_name", 1), (5, "agent_name", 2), (6, "notes", 2)]
    found += [(7, "notes", 2)]
    picked, aside = columns.pick_columns(found)
    assert picked == {"agent_name": 5, "notes": 6}
    assert aside == [("agent_name", 5, 2), ("agent_name", 5, 3), ("notes", 6, 7)]


# -- the tracker ------------------------------------------------------------------------------


def test_the_trackers_agent_name_beats_a_name_column_left_of_it(tmp_path: Path) -> None:
    path = _beside(tmp_path / "T.xlsx", PIVOT, [TRACKER, *AGENTS])
    table = read_table(Workbook.open(path), keys=None)
    (sheet,) = table.sheets
    assert sheet.columns["agent_name"] == 6  # F, the tracker's own header, not B
    assert sheet.duplicate_headers == [("agent_name", 6, 2)]
    assert [r.name for r in sheet.rows] == ["Ana Pruitt", "Ben Quill"]


def test_a_note_reaches_the_agent_beside_another_tables_name_column(tmp_path: Path) -> None:
    path = _beside(tmp_path / "T.xlsx", PIVOT, [TRACKER, *AGENTS])
    res = run("note", "add", "Ana Pruitt", "Called", "--by", "Jo", "--date", DAY, "-t", str(path))
    assert res.exit_code == 0, res.output
    assert cells(path)["J2"] == "11/24/2026 - Jo - Called"
    said = [line for line in res.stderr.splitlines() if "both name" in line]
    assert said == [
        "warning: DataSheet!B1 'Name' and DataSheet!F1 'Agent Name' both name the Agent Name "
        "column; esp reads DataSheet!F1 and sets DataSheet!B1 aside. Fix: rename the one that "
        "does not hold the Agent Name, or map the team's spelling of it in esp.toml [columns] "
        "(a header mapped there is read first)"
    ]


def test_escalations_write_only_the_trackers_agents(tmp_path: Path) -> None:
    path = _beside(tmp_path / "T.xlsx", PIVOT, [TRACKER, *AGENTS])
    res = run("escalations", "--write", "-t", str(path))
    assert res.exit_code == 0, res.output
    written = {ref for ref in cells(path) if ref.startswith(("K", "L", "M"))}
    # The computed columns' headers and the two agents' rows: nothing on the pivot's rows.
    assert {int(ref[1:]) for ref in written} <= {1, 2, 3}, written
    assert sum("both name the Agent Name column" in line for line in res.stderr.splitlines()) == 1


def test_agent_name_left_of_name_is_read_as_before(tmp_path: Path) -> None:
    path = _beside(tmp_path / "T.xlsx", [TRACKER, *AGENTS], PIVOT)
    (sheet,) = read_table(Workbook.open(path), keys=None).sheets
    assert sheet.columns["agent_name"] == 2
    assert sheet.duplicate_headers == [("agent_name", 2, 9)]


def test_a_sheet_with_no_duplicate_says_nothing_on_a_write(tmp_path: Path) -> None:
    path = book(tmp_path / "T.xlsx", {"ESP Tracker": [TRACKER, *AGENTS]})
    res = run("note", "add", "Ana Pruitt", "Called", "--by", "Jo", "--date", DAY, "-t", str(path))
    assert res.exit_code == 0, res.output
    assert "both name" not in res.stderr


def test_a_spelling_mapped_in_esp_toml_beats_a_variant(tmp_path: Path) -> None:
    path = book(
        tmp_path / "T.xlsx",
        {"ESP Tracker": [["Class", "Agent", "Rep Name", "ESP Start Date"], ["A", "x", "Ana", ""]]},
    )
    (sheet,) = read_table(Workbook.open(path), {"Agent Name": ["Rep Name"]}, keys=None).sheets
    assert sheet.columns["agent_name"] == 3
    # Without the mapping, the first of the two variants stays.
    (sheet,) = read_table(Workbook.open(path), keys=None).sheets
    assert sheet.columns["agent_name"] == 2


def test_a_variant_mapped_in_esp_toml_is_as_exact_as_the_header(tmp_path: Path) -> None:
    """The team maps its `Name` column: it and an `Agent Name` right of it are alike, and
    the first stays, as with two columns of one header."""
    path = _beside(tmp_path / "T.xlsx", PIVOT, [TRACKER, *AGENTS])
    (sheet,) = read_table(Workbook.open(path), {"agent_name": ["Name"]}, keys=None).sheets
    assert sheet.columns["agent_name"] == 2


# -- the Master N Number Tracker -------------------------------------------------------------


def test_the_masters_agent_name_beats_a_name_column_left_of_it(tmp_path: Path) -> None:
    """The Master's `Name` (here who asked for the N Number) left of its `Agent Name`: the
    agents are matched by the Agent Name."""
    tracker = book(
        tmp_path / "T.xlsx",
        {
            "ESP Tracker": [
                ["Class", "Agent Name", "Agent ID", "Email", "N Number"],
                ["A", "Ana Pruitt"],
            ]
        },
    )
    master = book(
        tmp_path / "M.xlsx",
        {
            "Master": [
                ["Wave", "Name", "Agent Name", "Emp ID", "E-mail", "N#", "Date Requested"],
                ["A", "Dana Whitfield", "Ana Pruitt", "", "", "N77", "11/09/2026"],
            ]
        },
    )
    res = run("sync-nnumbers", "-t", str(tracker), "--from", str(master), "-f", "json")
    assert res.exit_code == 0, res.output
    assert cells(tracker).get("E2") == "N77", res.output


# -- the TBT Tracking Sheet ------------------------------------------------------------------


def test_the_tracking_sheets_agent_beats_a_name_column_left_of_it(tmp_path: Path) -> None:
    path = book(
        tmp_path / "S.xlsx",
        {
            "TBT Tracking": [
                ["Name", "Agent", "Class", "File", "Date", "Received"],
                ["Dana", "Ana Pruitt", "A", "a.pdf", "x", "11/20/2026"],
            ]
        },
    )
    (sheet,) = read_tracking(Workbook.open(path)).sheets
    assert sheet.columns["agent"] == 2
    assert sheet.columns["received"] == 6
    assert [(name, read[0], aside[0]) for name, read, aside, _why in sheet.set_aside] == [
        ("Agent", "'TBT Tracking'!B1", "'TBT Tracking'!A1"),
        ("Received", "'TBT Tracking'!F1", "'TBT Tracking'!E1"),
    ]


# -- a progress report -----------------------------------------------------------------------


def test_a_progress_reports_mapped_name_column_beats_a_variant() -> None:
    rows = [["Timestamp", "Name", "Rep Name", "Update"], ["11/20/2026", "Dana", "Ana", "ok"]]
    config = Config(columns={"agent_name": ["Rep Name"]})
    layout = find_layout(rows, "r.csv", _name_headers(config))
    assert not isinstance(layout, type(None)) and getattr(layout, "name", None) == 2
    layout = find_layout(rows, "r.csv", _name_headers(Config()))
    assert getattr(layout, "name", None) == 1


# -- another table beside the tracker ----------------------------------------------------------

# The team's tracker, its own headers common variants ("Employee Name", "E-mail Address").
OWN = [
    ["Class", "Employee Name", "E-mail Address", "ESP Start Date", "Call Cert Complete?"]
    + ["All TBTs Complete (Y/N)", "Notes"],
    ["AET-1", "Maria Gonzalez", "maria@x.com", "11/16/2026", "No", "No", ""],
    ["AET-1", "Kevin Tran", "kevin@x.com", "11/16/2026", "Yes", "Yes", ""],
    ["AET-1", "Ana Pruitt", "ana@x.com", "11/16/2026", "Yes", "Yes", ""],
]


def test_a_list_beside_the_tracker_never_takes_its_columns(tmp_path: Path) -> None:
    """A pairing list right of the tracker, with the exact 'Agent Name' and 'Email' headers
    the tracker spells otherwise: the tracker's own columns are read, and a note reaches the
    agent's own row, not the row where the list happens to name them."""
    side = [["Agent Name", "Email", "Backup SME"], ["Kevin Tran", "pat@x.com", "Pat"]]
    path = _beside(tmp_path / "T.xlsx", OWN, side)
    (sheet,) = read_table(Workbook.open(path), keys=None).sheets
    assert sheet.columns["agent_name"] == 2 and sheet.columns["email"] == 3
    assert [r.name for r in sheet.rows] == ["Maria Gonzalez", "Kevin Tran", "Ana Pruitt"]
    res = run("note", "add", "Kevin Tran", "Called", "--by", "Jo", "--date", DAY, "-t", str(path))
    assert res.exit_code == 0, res.output
    assert cells(path)["G3"] == "11/24/2026 - Jo - Called"
    assert "G2" not in cells(path)


def test_a_summary_beside_the_tracker_is_not_its_completion_column(tmp_path: Path) -> None:
    """A class summary's 'TBTs Complete' count right of the team's 'All TBTs Complete (Y/N)':
    the team's column is read (complete agents stay complete)."""
    side = [["Class", "Agents", "TBTs Complete"], ["AET-1", 3, 2]]
    path = _beside(tmp_path / "T.xlsx", OWN, side)
    (sheet,) = read_table(Workbook.open(path), keys=None).sheets
    assert sheet.columns["tbts_complete"] == 6 and sheet.columns["class"] == 1
    assert [r.get("tbts_complete") for r in sheet.rows] == [False, True, True]


def test_a_header_esp_toml_maps_beats_the_columns_own_header_left_of_it(tmp_path: Path) -> None:
    rows = [["Class", "Agent Name", "Notes", "ESP Start Date", "Comments"], ["A", "Ana"]]
    path = book(tmp_path / "T.xlsx", {"ESP Tracker": rows})
    (sheet,) = read_table(Workbook.open(path), {"Notes": ["Comments"]}, keys=None).sheets
    assert sheet.columns["notes"] == 5
    assert sheet.duplicate_headers == [("notes", 5, 3)]


def test_a_list_beside_the_masters_own_columns_never_takes_them(tmp_path: Path) -> None:
    """The Master's own headers are all variants; a reissue list right of it spells 'Agent
    ID' and 'N Number' exactly: the Master's own columns are matched."""
    tracker = book(
        tmp_path / "T.xlsx",
        {
            "ESP Tracker": [
                ["Class", "Agent Name", "Agent ID", "Email", "N Number"],
                ["A", "Ana Pruitt", "E1", "ana@x.com"],
                ["A", "Ben Quill", "E2", "ben@x.com"],
            ]
        },
    )
    master = book(
        tmp_path / "M.xlsx",
        {
            "Master": [
                ["Wave", "Employee Name", "Emp ID", "E-mail", "N#", "Date Requested", None]
                + ["Agent ID", "N Number", "Reissued"],
                ["A", "Ana Pruitt", "E1", "ana@x.com", "N11", "11/09/2026", None]
                + ["E2", "N99", "yes"],
                ["A", "Ben Quill", "E2", "ben@x.com", "N22", "11/09/2026"],
            ]
        },
    )
    res = run("sync-nnumbers", "-t", str(tracker), "--from", str(master), "-f", "json")
    assert res.exit_code == 0, res.output
    assert (cells(tracker).get("E2"), cells(tracker).get("E3")) == ("N11", "N22"), res.output


def test_a_spacer_column_inside_the_tracker_splits_nothing(tmp_path: Path) -> None:
    """An empty header between the tracker's columns (a spacer, a helper column) and a
    roster two columns right of it with the same headers: the tracker's columns are read,
    and a note reaches the agent's own row."""
    own = headers("agent_id", "esp_start", "call_cert_complete", "tbts_complete", "notes")
    roster = headers("agent_name", "agent_id", "class", "email", "tbt_sme")
    head = [*headers("class", "agent_name"), None, *own, None, None, *roster]
    names = ["Maria Gonzalez", "Kevin Tran", "Ana Pruitt", "Ben Quill", "Cy Diaz"]
    rows = [head]
    for i, name in enumerate(names):
        rows.append(["A", name, None, f"E{i}", "11/16/2026", "No", "No", ""])
    rows[1] += [None, None, "Kevin Tran", "E1", "A", "kevin@x.com", "Pat"]
    path = book(tmp_path / "T.xlsx", {"ESP Tracker": rows})
    (sheet,) = read_table(Workbook.open(path), keys=None).sheets
    assert (sheet.columns["agent_name"], sheet.columns["agent_id"]) == (2, 4)
    res = run("note", "add", "Kevin Tran", "Called", "--by", "Jo", "--date", DAY, "-t", str(path))
    assert res.exit_code == 0, res.output
    assert cells(path)["H3"] == "11/24/2026 - Jo - Called"
    assert "H2" not in cells(path)
