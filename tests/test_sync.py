"""esp sync-nnumbers on small trackers built here."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.errors import EspError, ExitCode, InputFileError
from esp_cli.render.changes import MAX_CHANGES_SHOWN
from esp_cli.services.sync import sync_nnumbers
from esp_cli.workbook.waiting import Store
from tests import factories
from tests.support.windows import excel_owner_file

from .factories import make_workbook, master, tracker

AGENTS = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E100", "Email": "devon@x.com"},
    {
        "Class": "AET-1",
        "Agent Name": "Price, Sam",
        "Agent ID": "E101",
        "Email": "sam@x.com",
        "Date of N Number Request": date(2026, 11, 2),
        "N Number": "N111",
    },
    {"Class": "AET-1", "Agent Name": "Ana Ruiz", "Agent ID": "E102", "Email": "ana@x.com"},
    {"Class": "AET-2", "Agent Name": "Lee Park", "Email": "lee@x.com"},
    {"Class": "AET-2", "Agent Name": "Kim Ode", "Email": "kim@x.com"},
    {
        "Class": "AET-3",
        "Agent Name": "Bo Chen",
        "Email": "bo@x.com",
        "Date of N Number Request": "TBD",
    },
]
MASTER = [
    ("AET-1", "Price, Devon", "E100", None, "N9", date(2026, 11, 9)),  # by ID
    ("AET-1", "Sam Price", None, None, None, date(2026, 11, 3)),  # conflict
    ("AET-2", "Park, Lee", None, "LEE@X.COM", None, "11/10/2026"),  # by e-mail
    ("AET-2", None, None, None, None, datetime(2026, 11, 11, 0, 0)),  # class row
    ("AET-1", "ana ruiz", None, None, None, date(2026, 11, 12)),  # by name in class
    ("AET-3", "Bo Chen", None, None, None, date(2026, 11, 13)),  # unreadable there
    ("AET-9", "Nobody Here", None, None, None, date(2026, 11, 10)),  # unmatched
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return tracker(tmp_path / "ESP.xlsx", AGENTS), master(tmp_path / "Master.xlsx", MASTER)


def cells(path: Path, col: str) -> list[object]:
    ws = openpyxl.load_workbook(path)["ESP Tracker"]
    out = []
    for r in range(3, 3 + len(AGENTS)):
        v = ws[f"{col}{r}"].value
        out.append(v.date() if isinstance(v, datetime) else v)
    return out


def test_fills_dates_keeps_conflicts_lists_unmatched(files: tuple[Path, Path]) -> None:
    esp, mst = files
    result = sync_nnumbers(esp, mst, Config())
    assert cells(esp, "F") == [
        date(2026, 11, 9),
        date(2026, 11, 2),
        date(2026, 11, 12),
        date(2026, 11, 10),
        date(2026, 11, 11),
        "TBD",
    ]
    assert cells(esp, "E") == ["N9", "N111", None, None, None, None]
    assert [(c.cell, c.reason, c.overwrite) for c in result.conflicts] == [
        ("F4", "the tracker already has a different date", True),
        ("F8", "the tracker's value is not a date", True),
    ]
    assert [u.agent for u in result.unmatched] == ["Nobody Here"]
    assert result.write.backup is not None and result.write.backup.exists()


def test_overwrite_takes_the_masters_date(files: tuple[Path, Path]) -> None:
    esp, mst = files
    result = sync_nnumbers(esp, mst, Config(), overwrite=True)
    assert cells(esp, "F")[1] == date(2026, 11, 3)
    assert cells(esp, "F")[5] == date(2026, 11, 13)
    assert result.conflicts == []


def test_dry_run_leaves_the_file_byte_identical(files: tuple[Path, Path]) -> None:
    esp, mst = files
    before = esp.read_bytes()
    result = sync_nnumbers(esp, mst, Config(), dry_run=True)
    assert esp.read_bytes() == before
    assert len(result.write.changes) == 5
    assert not (esp.parent / "esp-backups").exists()


def test_second_run_changes_nothing(files: tuple[Path, Path]) -> None:
    esp, mst = files
    sync_nnumbers(esp, mst, Config())
    before = esp.read_bytes()
    again = sync_nnumbers(esp, mst, Config())
    assert again.write.changes == [] and again.write.backup is None
    assert esp.read_bytes() == before


def test_missing_date_column_is_added_after_the_last_header(tmp_path: Path) -> None:
    headers = factories.headers("class", "agent_name", "agent_id", "notes")
    esp = tracker(tmp_path / "ESP.xlsx", AGENTS[:1], headers=headers)
    mst = master(tmp_path / "M.xlsx", MASTER[:1])
    result = sync_nnumbers(esp, mst, Config())
    ws = openpyxl.load_workbook(esp)["ESP Tracker"]
    assert ws["E2"].value == "Date of N Number Request"
    assert ws["E3"].value.date() == date(2026, 11, 9)
    assert ws["F2"].value == "N Number" and ws["F3"].value == "N9"
    assert result.write.added_column_labels == [
        "ESP Tracker!E 'Date of N Number Request'",
        "ESP Tracker!F 'N Number'",
    ]


def test_csv_says_which_conflicts_overwrite_would_settle(files: tuple[Path, Path]) -> None:
    esp, mst = files
    res = CliRunner().invoke(
        app, ["sync-nnumbers", "-t", str(esp), "--from", str(mst), "--dry-run", "-f", "csv"]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [(r["cell"], r["overwrite"]) for r in rows if r["kind"] == "conflict"] == [
        ("F4", "yes"),
        ("F8", "yes"),
    ]
    assert {r["overwrite"] for r in rows if r["kind"] != "conflict"} == {""}


def test_json_output_is_the_contract(files: tuple[Path, Path]) -> None:
    esp, mst = files
    res = CliRunner().invoke(
        app,
        [
            "sync-nnumbers",
            "--tracker",
            str(esp),
            "--from",
            str(mst),
            "--dry-run",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) >= {"changes", "conflicts", "unmatched"}
    first = data["changes"][0]
    assert first == {
        "sheet": "ESP Tracker",
        "cell": "E3",
        "agent": "Devon Price",
        "class": "AET-1",
        "column": "N Number",
        "old": None,
        "new": "N9",
    }
    assert {"cell": "F3", "new": "2026-11-09"}.items() <= data["changes"][1].items()
    assert "Dry run" in res.stderr


def test_missing_master_is_one_clear_line(files: tuple[Path, Path], tmp_path: Path) -> None:
    esp, _ = files
    res = CliRunner().invoke(
        app, ["sync-nnumbers", "--tracker", str(esp), "--from", str(tmp_path / "nope.xlsx")]
    )
    assert res.exit_code == ExitCode.BAD_INPUT
    assert res.stderr.count("\n") == 1 and "nope.xlsx: no such file" in res.stderr
    assert "Traceback" not in res.output


def test_sheet_without_needed_columns_names_them(tmp_path: Path) -> None:
    esp = tracker(tmp_path / "ESP.xlsx", [{"Foo": 1}], headers=("Foo", "Bar"))
    mst = master(tmp_path / "M.xlsx", MASTER[:1])
    res = CliRunner().invoke(app, ["sync-nnumbers", "-t", str(esp), "--from", str(mst)])
    assert res.exit_code == ExitCode.BAD_INPUT
    assert "missing column(s) Agent Name" in res.stderr and "Foo, Bar" in res.stderr


def _as_for_a_large_tracker(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """sync-nnumbers as it reads a tracker too large for a head start; what it reads, in
    order: when the tracker's table is read, and when the Master's begins."""
    from esp_cli.services import sync
    from esp_cli.workbook import session

    monkeypatch.setattr(sync, "worth_a_head_start", lambda path: False)
    steps: list[str] = []
    tracker_table, master_table = session.read_table, sync.read_table

    def read_tracker(*args: Any, **kwargs: Any) -> Any:
        table = tracker_table(*args, **kwargs)
        steps.append("tracker read")
        return table

    def read_master(*args: Any, **kwargs: Any) -> Any:
        steps.append("master begun")
        return master_table(*args, **kwargs)

    monkeypatch.setattr(session, "read_table", read_tracker)
    monkeypatch.setattr(sync, "read_table", read_master)
    return steps


def test_beside_a_large_tracker_the_master_is_read_once_the_tracker_is(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read side by side, the two tables' objects would sit among each other in memory, and
    # the Master's, let go after the plan, would leave holes the system never gets back.
    steps = _as_for_a_large_tracker(monkeypatch)
    esp, mst = files
    result = sync_nnumbers(esp, mst, Config())
    assert steps == ["tracker read", "master begun"]
    assert [u.agent for u in result.unmatched] == ["Nobody Here"]
    assert cells(esp, "E") == ["N9", "N111", None, None, None, None]


def test_beside_a_large_tracker_a_bad_tracker_or_master_is_still_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Master's reading waits for the tracker's: a tracker that cannot be read must not
    # leave it waiting, and a bad Master is still reported first.
    steps = _as_for_a_large_tracker(monkeypatch)
    bad_tracker = tracker(tmp_path / "ESP.xlsx", [{"Foo": 1}], headers=("Foo", "Bar"))
    good_master = master(tmp_path / "M.xlsx", MASTER[:1])
    bad_master = tracker(tmp_path / "M2.xlsx", [{"Foo": 1}], headers=("Foo", "Bar"))
    with pytest.raises(EspError) as caught:
        sync_nnumbers(bad_tracker, good_master, Config())
    assert "ESP.xlsx: no sheet looks like the ESP Tracker" in caught.value.message
    assert steps == ["master begun"]
    with pytest.raises(EspError) as caught:
        sync_nnumbers(bad_tracker, bad_master, Config())
    assert "M2.xlsx: no sheet looks like the Master N Number Tracker" in caught.value.message


def test_beside_a_large_tracker_the_master_is_not_read_when_the_command_stops_before(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C (or a bug) while the tracker is read: the command ends without reading the
    # Master it held back.
    from esp_cli.workbook import session

    steps = _as_for_a_large_tracker(monkeypatch)

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(session, "read_table", stopped)
    esp, mst = files
    with pytest.raises(KeyboardInterrupt):
        sync_nnumbers(esp, mst, Config())
    assert steps == []


def test_owner_file_blocks_with_busy_exit(files: tuple[Path, Path]) -> None:
    esp, mst = files
    before = esp.read_bytes()
    (esp.parent / ("~$" + esp.name)).write_bytes(b"someone")
    argv = ["sync-nnumbers", "-t", str(esp), "--from", str(mst)]
    res = CliRunner().invoke(app, [*argv, "--no-wait"])
    assert res.exit_code == ExitCode.BUSY
    assert "open in Excel" in res.stderr
    assert esp.read_bytes() == before
    res = CliRunner().invoke(app, argv)
    assert res.exit_code == ExitCode.WAITING
    assert esp.read_bytes() == before


def test_config_supplies_paths_and_aliases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    headers = (*factories.headers("class", "agent_name"), "Associate Number", "Requested On")
    esp = tracker(
        tmp_path / "ESP.xlsx",
        [{"Class": "AET-1", "Agent Name": "Devon Price", "Associate Number": "E100"}],
        headers=headers,
    )
    master(tmp_path / "M.xlsx", MASTER[:1])
    (tmp_path / "esp.toml").write_text(
        '[tracker]\npath = "ESP.xlsx"\nmaster = "M.xlsx"\n'
        '[columns]\n"Agent ID" = ["Associate Number"]\n'
        '"Date of N Number Request" = ["Requested On"]\n'
    )
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["sync-nnumbers"])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(esp)["ESP Tracker"]
    assert ws["D3"].value.date() == date(2026, 11, 9)


def test_tracker_from_environment(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    esp, mst = files
    monkeypatch.setenv("ESP_TRACKER", str(esp))
    res = CliRunner().invoke(app, ["sync-nnumbers", "--from", str(mst), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "Would change 5 cell(s)" in res.stdout


def test_no_tracker_anywhere_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["sync-nnumbers", "--from", "m.xlsx"])
    assert res.exit_code == ExitCode.USAGE
    assert "No tracker given" in res.stderr and "--tracker" in res.stderr


# -- two class rows, a Master without a Class column, the tracker given as the Master ------------


def run_sync(*args: str) -> Any:
    return CliRunner().invoke(app, ["sync-nnumbers", *args])


def test_two_class_rows_with_different_dates_are_a_conflict_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    esp = tracker(tmp_path / "ESP.xlsx", AGENTS)
    mst = master(
        tmp_path / "Master.xlsx",
        [
            ("AET-2", None, None, None, None, date(2026, 11, 11)),
            ("AET-2", None, None, None, None, date(2026, 11, 12)),
            ("AET-1", "Ana Ruiz", None, None, None, date(2026, 11, 5)),
        ],
    )
    result = sync_nnumbers(esp, mst, Config())
    # AET-2's agents (Lee Park, Kim Ode) keep their blank dates; Ana's own row is applied.
    assert cells(esp, "F")[2:5] == [date(2026, 11, 5), None, None]
    conflicts = {c.agent: c for c in result.conflicts}
    assert sorted(conflicts) == ["Kim Ode", "Lee Park"]
    lee = conflicts["Lee Park"]
    assert (lee.cell, lee.master) == ("F6", "2026-11-11 / 2026-11-12")
    assert "the Master's class rows for AET-2 give different dates" in lee.reason
    assert "Master!row 2: 2026-11-11" in lee.reason and "Master!row 3: 2026-11-12" in lee.reason


def test_two_class_rows_with_the_same_date_are_applied(tmp_path: Path) -> None:
    esp = tracker(tmp_path / "ESP.xlsx", AGENTS)
    row = ("AET-2", None, None, None, None, date(2026, 11, 11))
    mst = master(tmp_path / "Master.xlsx", [row, row])
    result = sync_nnumbers(esp, mst, Config())
    assert cells(esp, "F")[3:5] == [date(2026, 11, 11), date(2026, 11, 11)]
    assert result.conflicts == [] and result.unmatched == []


NO_CLASS_HEADERS = ("Employee Name", "Emp ID", "E-mail", "N#", "Date Requested")


def test_a_master_without_a_class_column_matches_across_the_whole_tracker(tmp_path: Path) -> None:
    esp = tracker(tmp_path / "ESP.xlsx", AGENTS)
    mst = make_workbook(
        tmp_path / "Master.xlsx",
        {
            "Sheet1": [
                NO_CLASS_HEADERS,
                ("Ana Ruiz", None, None, "N5", date(2026, 11, 5)),  # by name, unique
                ("Kim Ode", None, None, None, date(2026, 11, 6)),
                (None, "E100", None, None, date(2026, 11, 7)),  # by ID
                ("Price", None, None, None, date(2026, 11, 8)),  # no one has only this name
            ]
        },
    )
    result = sync_nnumbers(esp, mst, Config())
    assert cells(esp, "F") == [
        date(2026, 11, 7),
        date(2026, 11, 2),
        date(2026, 11, 5),
        None,
        date(2026, 11, 6),
        "TBD",
    ]
    assert cells(esp, "E")[2] == "N5"
    assert [(u.row, u.cls) for u in result.unmatched] == [(5, "")]


def test_a_master_with_a_sheet_per_class_takes_the_class_from_the_sheet(tmp_path: Path) -> None:
    esp = tracker(
        tmp_path / "ESP.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Sam Lee", "Agent ID": "E1"},
            {"Class": "AET-2", "Agent Name": "Sam Lee", "Agent ID": "E2"},
        ],
    )
    mst = make_workbook(
        tmp_path / "Master.xlsx",
        {
            "AET-2": [NO_CLASS_HEADERS, ("Sam Lee", None, None, None, date(2026, 11, 9))],
        },
    )
    result = sync_nnumbers(esp, mst, Config())
    ws = openpyxl.load_workbook(esp)["ESP Tracker"]
    assert (ws["F3"].value, ws["F4"].value.date()) == (None, date(2026, 11, 9))
    assert result.unmatched == []


def test_the_tracker_given_as_the_master_is_said_plainly(files: tuple[Path, Path]) -> None:
    esp, _ = files
    before = esp.read_bytes()
    res = run_sync("-t", str(esp), "--from", str(esp))
    assert res.exit_code == ExitCode.USAGE
    assert "is the ESP Tracker itself (--from)" in res.stderr
    assert "nothing to change" not in res.output
    copy = esp.with_name("ESP copy.xlsx")
    copy.write_bytes(before)
    res = run_sync("-t", str(esp), "--from", str(copy))
    assert res.exit_code == ExitCode.USAGE
    assert "is a copy of the ESP Tracker" in res.stderr
    assert esp.read_bytes() == before


def test_a_missing_master_names_the_option_and_a_similar_file(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    esp, mst = files
    with pytest.raises(InputFileError) as caught:
        sync_nnumbers(esp, tmp_path / "Master .xlsx", Config())
    text = str(caught.value)
    assert "no such file (the Master N Number Tracker, from --from)" in text
    assert "beside it is 'Master.xlsx'" in text
    assert "tracker in esp.toml" not in text
    config = tmp_path / "esp.toml"
    config.write_text('[tracker]\nmaster = "Mastr.xlsx"\n', encoding="utf-8")
    res = run_sync("-t", str(esp), "-c", str(config))
    assert res.exit_code == ExitCode.BAD_INPUT
    stderr = res.stderr
    assert f"from [tracker] master in {config}" in stderr
    assert "did you mean 'Master.xlsx'?" in stderr


def test_excels_lock_file_given_as_the_master_is_named_as_such(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    esp, mst = files
    lock = tmp_path / "~$ster.xlsx"  # Excel's owner file for Master.xlsx while it is open
    lock.write_bytes(b"\x0bJordan Reyes" + b" " * 40)
    res = run_sync("-t", str(esp), "--from", str(lock))
    assert res.exit_code == ExitCode.BAD_INPUT
    stderr = res.stderr
    assert "this is Excel's lock file" in stderr and "CSV" not in stderr
    assert "give 'Master.xlsx' with --from" in stderr


def test_excels_lock_file_given_as_the_tracker_is_named_as_such(files: tuple[Path, Path]) -> None:
    esp, _ = files
    lock = esp.with_name("~$P.xlsx")
    lock.write_bytes(b"\x0bJordan Reyes" + b" " * 40)
    res = CliRunner().invoke(app, ["doctor", "-t", str(lock)])
    assert res.exit_code == ExitCode.BAD_INPUT
    assert (
        "this is Excel's lock file" in res.stderr and "give 'ESP.xlsx' with --tracker" in res.stderr
    )


def test_a_master_in_another_order_is_planned_in_the_trackers_order(tmp_path: Path) -> None:
    """The Master lists its agents in its own order: the cells are planned down the
    tracker's sheet all the same (each row found in one pass), so the same cells are
    written, and a change kept waiting lists them in the tracker's order."""
    rows = [m for m in MASTER if m[1] is not None]  # the agents' rows, no class row
    written = []
    for name, listed in (("in-order", rows), ("reversed", rows[::-1])):
        folder = tmp_path / name
        folder.mkdir()
        esp, mst = tracker(folder / "ESP.xlsx", AGENTS), master(folder / "Master.xlsx", listed)
        result = sync_nnumbers(esp, mst, Config(), dry_run=True)
        written.append([(c.cell, c.new) for c in result.write.changes])
        (folder / "~$ESP.xlsx").write_bytes(excel_owner_file("Keisha Grant"))
        sync_nnumbers(esp, mst, Config())
        (op,) = Store(esp).unwritten().ops
        assert [c.row for c in op.cells] == sorted(c.row for c in op.cells), name
    assert written[0] == written[1] and written[0]


def test_long_lists_show_their_first_rows_and_say_where_the_rest_are(tmp_path: Path) -> None:
    """A first sync of a large class fills thousands of dates, and a Master of another
    wave matches nobody in thousands of rows: a people's table shows the first 200 of each
    and says where all of them are."""
    n = MAX_CHANGES_SHOWN + 5
    agents = [
        {"Class": "AET-1", "Agent Name": f"Agent {i}", "Agent ID": f"E{i}", "Email": f"a{i}@x.com"}
        for i in range(n)
    ]
    rows = [("AET-1", f"Agent {i}", f"E{i}", None, None, date(2026, 11, 9)) for i in range(n)]
    rows += [("AET-9", f"Other {i}", f"X{i}", None, None, date(2026, 11, 9)) for i in range(n)]
    esp = tracker(tmp_path / "ESP.xlsx", agents)
    mst = master(tmp_path / "Master.xlsx", rows)
    res = CliRunner().invoke(app, ["sync-nnumbers", "-t", str(esp), "--from", str(mst)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert sum(line.startswith("│ ESP Tracker!") for line in lines) == MAX_CHANGES_SHOWN
    assert sum(line.startswith("│ Master!") for line in lines) == MAX_CHANGES_SHOWN
    tail = f"(first {MAX_CHANGES_SHOWN} shown; --format csv lists all {n})"
    assert f"Changed {n} cell(s) {tail}" in res.stdout
    assert f"Master rows that match nobody ({n}) {tail}" in res.stdout
