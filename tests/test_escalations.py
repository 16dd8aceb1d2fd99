"""esp escalations through the command line: the to-do list against an independent numpy
computation of docs/rules.md's rules, the status list, and --write."""

from __future__ import annotations

import csv
import io
import json
import shutil
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.core.rules import ActionKind
from esp_cli.errors import ExitCode
from esp_cli.services.escalations import run_escalations
from tests import escalation_tracker as et
from tests import test_sample as sample_checks
from tests.support.paths import SAMPLE_DATA

ACTION_ORDER = [kind.value for kind in ActionKind]
COMPUTED = ("Escalation Stage", "Next Action", "Next Action Due")
# Around Thanksgiving (Thu 11-26) and Christmas (Fri 12-25) / New Year (Fri 1-1), weekends too.
AS_OF_DATES = [
    date(2026, 11, 20),
    date(2026, 11, 24),
    date(2026, 11, 25),
    date(2026, 11, 26),
    date(2026, 11, 27),
    date(2026, 11, 29),
    date(2026, 11, 30),
    date(2026, 12, 23),
    date(2026, 12, 24),
    date(2026, 12, 25),
    date(2026, 12, 28),
    date(2026, 12, 31),
    date(2027, 1, 4),
]


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def agents() -> list[et.Agent]:
    return et.make_agents()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, agents: list[et.Agent]) -> Path:
    return et.build(tmp_path_factory.mktemp("esc") / "ESP Tracker.xlsx", agents)


@pytest.fixture
def tracker(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(built, tmp_path / "ESP Tracker.xlsx"))


def test_the_built_tracker_covers_every_action(agents: list[et.Agent]) -> None:
    """The independent tracker is only a good check if every rule fires somewhere in it."""
    seen = {
        action
        for day in AS_OF_DATES
        for _, action, _, _, ahead in et.expected_actions(agents, day)
        if not ahead
    }
    assert seen == set(ACTION_ORDER)


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_today_json_agrees_with_an_independent_numpy_computation(
    built: Path, agents: list[et.Agent], as_of: date
) -> None:
    res = run(
        "escalations", "--tracker", str(built), "--today", "--as-of", str(as_of), "-f", "json"
    )
    assert res.exit_code == 0, res.output
    items = json.loads(res.stdout)
    assert isinstance(items, list)
    got = sorted(
        (i["agent"], i["action"], i["due"], i["business_days_overdue"], i["lookahead"])
        for i in items
    )
    want = sorted(
        (agent, action, due.isoformat(), overdue, ahead)
        for agent, action, due, overdue, ahead in et.expected_actions(agents, as_of)
    )
    assert got == want
    # Every object carries the contract's keys; each action is one of the documented names.
    for item in items:
        assert {
            "agent",
            "class",
            "sheet",
            "row",
            "action",
            "due",
            "business_days_overdue",
            "detail",
        } <= set(item)
        assert item["action"] in ACTION_ORDER and item["sheet"] == "ESP Tracker"
        assert item["row"] >= et.FIRST_ROW and item["detail"]


@pytest.mark.parametrize("as_of", [date(2026, 11, 27), date(2026, 12, 28)], ids=str)
def test_today_is_grouped_by_action_most_overdue_first_lookahead_last(
    built: Path, as_of: date
) -> None:
    res = run("escalations", "-t", str(built), "--today", "--as-of", str(as_of), "-f", "json")
    items = json.loads(res.stdout)
    due = [i for i in items if not i["lookahead"]]
    ahead = [i for i in items if i["lookahead"]]
    assert items == due + ahead and ahead
    keys = [(ACTION_ORDER.index(i["action"]), -i["business_days_overdue"]) for i in due]
    assert keys == sorted(keys)
    assert all(i["business_days_overdue"] < 0 for i in ahead)
    assert {i["due"] for i in ahead} <= {str(as_of), str(et.next_business_day(as_of))}


def test_rows_and_classes_point_at_the_agents(built: Path, agents: list[et.Agent]) -> None:
    res = run("escalations", "-t", str(built), "--today", "--as-of", "2026-11-30", "-f", "json")
    by_name = {a.name: (row, a) for row, a in enumerate(agents, start=et.FIRST_ROW)}
    for item in json.loads(res.stdout):
        row, agent = by_name[item["agent"]]
        assert (item["row"], item["class"], item["agent_id"]) == (row, agent.cls, agent.agent_id)


def test_class_filter(built: Path, agents: list[et.Agent]) -> None:
    res = run(
        "escalations",
        "-t",
        str(built),
        "--as-of",
        "2026-11-30",
        "--class",
        " aet-1201",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    statuses = json.loads(res.stdout)
    assert statuses and {s["class"] for s in statuses} == {"AET-1201"}
    unknown = run("escalations", "-t", str(built), "--class", "AET-9999")
    assert unknown.exit_code == 2
    assert "AET-1200, AET-1201, AET-1202" in unknown.stderr


def test_status_list_covers_every_outstanding_agent(built: Path, agents: list[et.Agent]) -> None:
    as_of = date(2026, 11, 25)
    res = run("escalations", "-t", str(built), "--as-of", str(as_of), "-f", "json")
    assert res.exit_code == 0, res.output
    statuses = {s["agent"]: s for s in json.loads(res.stdout)}
    outstanding = {a.name for a in agents if not (et._yes(a.cert) and et._yes(a.tbts))}
    assert set(statuses) == outstanding  # the unreadable "maybe" ones included
    for a in agents:
        if a.name not in statuses:
            continue
        s = statuses[a.name]
        start = et._as_date(a.start)
        cert, tbts = et._yes(a.cert), et._yes(a.tbts)
        # A flag that cannot be read beside a yes: may be complete, not evaluated.
        unsure = None in (cert, tbts) and False not in (cert, tbts)
        if unsure or not isinstance(start, date) or "n/a" in a.steps:
            assert s["status"] == "not_evaluated" and s["not_evaluated_reason"]
            continue
        clock = et.offset(start, 0, "forward")
        target = et.offset(start, 2, "forward")
        assert s["clock_start"] == str(clock) and s["target_date"] == str(target)
        expected = (
            "not_started" if as_of < clock else "behind_target" if as_of >= target else "on_track"
        )
        assert s["status"] == expected
        if s["pending_step"] is not None and s["next_step"] is not None:
            # "when the next step would fall due if this one were recorded today"
            assert s["next_step_due_if_recorded_today"] == str(et.next_business_day(as_of))


def test_thanksgiving_worked_example_in_the_status_list(tmp_path: Path) -> None:
    agent = et.Agent(
        "AET-1",
        "Devon Price",
        "Devon Price",
        "E1",
        date(2026, 11, 20),
        "No",
        "No",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        [date(2026, 11, 25), None, None, None],
    )
    path = et.build(tmp_path / "t.xlsx", [agent])
    res = run("escalations", "-t", str(path), "--as-of", "2026-11-25", "-f", "json")
    (status,) = json.loads(res.stdout)
    assert status["stage"] == "Coaching recorded"
    assert (status["pending_step"], status["pending_due"]) == ("written_cap", "2026-11-27")
    assert status["next_step_due_if_recorded_today"] == "2026-11-27"  # Thanksgiving skipped
    assert (status["next_action"], status["next_action_due"]) == ("Written CAP", "2026-11-27")


def test_csv_today_neutralises_formula_triggers(tmp_path: Path) -> None:
    agent = et.Agent(
        "+AET-1",
        "@Devon Price",
        "@Devon Price",
        "E1",
        date(2026, 11, 20),
        "No",
        "No",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        [None, None, None, None],
    )
    path = et.build(tmp_path / "t.xlsx", [agent])
    res = run("escalations", "-t", str(path), "--today", "--as-of", "2026-11-30", "-f", "csv")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("agent,class,sheet,row,action,due,business_days_overdue")
    assert any(line.startswith("'@Devon Price,'+AET-1,") for line in lines[1:])


def test_an_unchecked_timebox_is_said_in_the_tables_and_the_csv(tmp_path: Path) -> None:
    """Call Cert Complete? 'maybe' beside TBTs not complete: the agent is evaluated, but the
    4-hour Call Cert timebox is unchecked: every table and CSV says so (the CSV's new column
    last, so the columns before keep their places), as explain and the JSON do."""
    samuel = et.Agent(
        "AET-1",
        "Samuel Okoye",
        "Samuel Okoye",
        "E1",
        date(2026, 11, 20),
        "maybe",
        "No",
        datetime(2026, 11, 20, 11, 0),
        None,
        None,
        None,
        None,
        None,
        None,
        [None, None, None, None],
    )
    devon = et.Agent(
        "AET-1", "Devon Price", "Devon Price", "E2", date(2026, 11, 20), "No", "No",
        None, None, None, None, None, None, None, [None, None, None, None],
    )  # fmt: skip
    path = et.build(tmp_path / "t.xlsx", [samuel, devon])
    said = "Call Cert Complete? cannot be read: the 4-hour timebox is unchecked"
    for today in ([], ["--today"], ["--today", "--group", "step"]):
        res = run("escalations", "-t", str(path), "--as-of", "2026-11-25", *today)
        assert res.exit_code == 0, res.output
        assert f"Unchecked: Samuel Okoye (row {et.TITLE_ROWS + 2}): {said}." in res.stdout
        assert "Devon Price (" not in res.stdout.split("Unchecked")[-1]
    for today in ([], ["--today"]):
        res = run("escalations", "-t", str(path), "--as-of", "2026-11-25", "-f", "csv", *today)
        rows = list(csv.DictReader(io.StringIO(res.stdout)))
        # Columns added since come after: those before keep their places.
        assert next(iter(rows[0])) == "agent"
        assert list(rows[0])[-4:-2] == ["agent_id", "unchecked"]
        assert {r["agent"]: r["unchecked"] for r in rows} == {
            "Samuel Okoye": said,
            "Devon Price": "",
        }


def test_an_agent_with_only_an_unchecked_timebox_is_in_every_form_of_the_days_list(
    tmp_path: Path,
) -> None:
    """Samuel Okoye started today, his Call Cert Complete? 'maybe': nothing is due, but his
    4-hour timebox is unchecked. The --today table names him under the list; its JSON and
    CSV name him too (action `unchecked`), as the plain list's do — the same agents in each."""
    samuel = et.Agent(
        "AET-1", "Samuel Okoye", "Samuel Okoye", "E1", date(2026, 11, 25), "maybe", "No",
        datetime(2026, 11, 25, 9, 0), None, None, None, None, None, None, [None] * 4,
    )  # fmt: skip
    devon = et.Agent(
        "AET-1", "Devon Price", "Devon Price", "E2", date(2026, 11, 20), "No", "No",
        None, None, None, None, None, None, None, [None] * 4,
    )  # fmt: skip
    path = et.build(tmp_path / "t.xlsx", [samuel, devon])
    said = "Call Cert Complete? cannot be read: the 4-hour timebox is unchecked"
    args = ("escalations", "-t", str(path), "--as-of", "2026-11-25", "--today")
    table = run(*args)
    assert table.exit_code == 0, table.output
    assert f"Unchecked: Samuel Okoye (row {et.TITLE_ROWS + 2}): {said}." in table.stdout
    rows = list(csv.DictReader(io.StringIO(run(*args, "-f", "csv").stdout)))
    items = json.loads(run(*args, "-f", "json").stdout)
    for listed in (rows, items):
        assert {r["agent"] for r in listed} == {"Samuel Okoye", "Devon Price"}
        (mine,) = [r for r in listed if r["agent"] == "Samuel Okoye"]
        assert (mine["action"], mine["due"], mine["detail"]) == ("unchecked", "2026-11-25", said)
    assert {r["agent"] for r in json.loads(run(*args[:-1], "-f", "json").stdout)} == {
        "Samuel Okoye",
        "Devon Price",
    }
    wrote = run(*args, "--dry-run", "--write-past", "-f", "json")
    assert wrote.exit_code == 0, wrote.output
    assert "Samuel Okoye" in {i["agent"] for i in json.loads(wrote.stdout)["todo"]}


def test_group_step_keeps_a_table_per_action_with_counts(built: Path) -> None:
    args = ("-t", str(built), "--today", "--as-of", "2026-11-30", "--group", "step")
    res = run("escalations", *args)
    assert res.exit_code == 0, res.output
    assert "Documented coaching: " in res.stdout
    assert "Falling due next business day, Tue 12/01/2026: " in res.stdout
    assert "actions due for" in res.stdout.splitlines()[0]  # the headline, with the table


# -- findings ---------------------------------------------------------------------------------


def test_unreadable_cells_are_warnings_on_stderr_and_agents_are_not_dropped(built: Path) -> None:
    res = run(
        "escalations", "-t", str(built), "--today", "--as-of", "2026-11-30", "-f", "json", "-v"
    )
    assert "warning: 'ESP Tracker'!G" in res.stderr and "'TBD' is not a date" in res.stderr
    assert "'maybe' is not Yes or No" in res.stderr
    items = json.loads(res.stdout)  # stdout stays pure JSON
    not_evaluated = [i for i in items if i["action"] == "not_evaluated"]
    assert any("cannot be read" in i["detail"] for i in not_evaluated)


def test_unreadable_cells_are_one_line_that_says_where_to_see_them(built: Path) -> None:
    res = run("escalations", "-t", str(built), "--today", "--as-of", "2026-11-30")
    assert res.exit_code == 0, res.output
    warned = [line for line in res.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1, res.stderr
    assert "cells of the tracker could not be read and " in warned[0]
    assert "agents have ladder dates esp cannot count" in warned[0]  # gaps, out of order
    assert "; esp doctor lists the cells" in warned[0]
    assert "-v shows them here" in warned[0]
    assert "'TBD' is not a date" not in res.stderr


# -- --write ----------------------------------------------------------------------------------


def sheet_cells(path: Path, header_row: int = et.TITLE_ROWS + 1) -> dict[str, dict[str, Any]]:
    """Every cell value by header (the computed ones apart) and address."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    headers = {c.column: c.value for c in ws[header_row]}
    out: dict[str, dict[str, Any]] = {"other": {}, **{h: {} for h in COMPUTED}}
    for line in ws.iter_rows():
        for cell in line:
            header = headers.get(cell.column)
            bucket = header if header in COMPUTED and cell.row > header_row else "other"
            if cell.value is not None:
                out[bucket][cell.coordinate] = cell.value
    return out


def test_write_changes_only_the_three_computed_columns(tracker: Path) -> None:
    before = sheet_cells(tracker)
    res = run(
        "escalations",
        "-t",
        str(tracker),
        "--as-of",
        "2026-11-30",
        "--write",
        "--write-past",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    after = sheet_cells(tracker)
    added = {k: v for k, v in after["other"].items() if k not in before["other"]}
    assert added == {"V3": "Escalation Stage", "W3": "Next Action", "X3": "Next Action Due"}
    assert {k: v for k, v in after["other"].items() if k not in added} == before["other"]
    assert "Added column ESP Tracker!V 'Escalation Stage'." in res.stderr
    # The cells hold what the status list says, the due date as a real date.
    statuses = {s["row"]: s for s in json.loads(res.stdout)["outstanding"]}
    for cell, value in after["Escalation Stage"].items():
        row = int(cell[1:])
        if row in statuses:
            assert value == statuses[row]["stage"]
            assert after["Next Action"].get(f"W{row}") == statuses[row]["next_action"]
            due = after["Next Action Due"].get(f"X{row}")
            expected = statuses[row]["next_action_due"]
            assert (due.date().isoformat() if isinstance(due, datetime) else due) == expected
        else:
            assert value == "Complete"
    assert len(after["Escalation Stage"]) == len(et.make_agents())
    assert all(isinstance(v, datetime) for v in after["Next Action Due"].values())


def test_write_again_writes_nothing_and_a_later_day_only_what_changed(tracker: Path) -> None:
    assert (
        run(
            "escalations", "-t", str(tracker), "--as-of", "2026-11-30", "--write", "--write-past"
        ).exit_code
        == 0
    )
    first = tracker.read_bytes()
    again = run(
        "escalations", "-t", str(tracker), "--as-of", "2026-11-30", "--write", "--write-past"
    )
    assert again.exit_code == 0, again.output
    assert "already up to date; nothing written" in again.stderr
    assert tracker.read_bytes() == first
    before = sheet_cells(tracker)
    later = run(
        "escalations",
        "-t",
        str(tracker),
        "--as-of",
        "2026-12-01",
        "--write",
        "--write-past",
        "-f",
        "json",
    )
    assert later.exit_code == 0, later.output
    after = sheet_cells(tracker)
    assert after["other"] == before["other"]
    changed = {
        (col, cell)
        for col in COMPUTED
        for cell in before[col].keys() | after[col].keys()
        if before[col].get(cell) != after[col].get(cell)
    }
    assert changed and "Wrote" in later.stderr
    assert f"Wrote {len(changed)} cell(s)" in later.stderr  # only cells whose value changed


def test_write_dry_run_leaves_the_file_byte_identical(tracker: Path) -> None:
    original = tracker.read_bytes()
    res = run(
        "escalations",
        "-t",
        str(tracker),
        "--as-of",
        "2026-11-30",
        "--dry-run",
        "--write-past",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    assert tracker.read_bytes() == original
    assert "Dry run:" in res.stderr
    assert "V4" in [c["cell"] for c in json.loads(res.stdout)["changes"]]


# What every writing command's JSON ends with (note add, sync-nnumbers, record-step, ...).
WRITE_KEYS = ("changes", "added_columns", "dry_run", "backup", "op", "status")
CHANGE_KEYS = ["sheet", "cell", "agent", "column", "old", "new"]


def test_write_json_and_csv_carry_the_cells_as_every_writing_command_does(
    tracker: Path,
) -> None:
    """--write's JSON is the list shown and then the write, as every writing command's JSON
    ends: the cells before → after (a dry run's are the write's), the status, the backup
    and the operation; its CSV is the cells."""
    argv = ("escalations", "-t", str(tracker), "--as-of", "2026-11-30", "--write-past")
    listed = run(*argv[:-1], "-f", "json")
    dry = run(*argv, "--dry-run", "-f", "json")
    dry_csv = run(*argv, "--dry-run", "-f", "csv")
    dry_today = run(*argv, "--dry-run", "--today", "-f", "json")
    wrote = run(*argv, "--write", "-f", "json")
    for res in (listed, dry, dry_csv, dry_today, wrote):
        assert res.exit_code == 0, res.output
    done, shown = json.loads(wrote.stdout), json.loads(dry.stdout)
    assert all(key in done for key in WRITE_KEYS), list(done)
    assert done["status"] == "written" and done["op"] and done["backup"]
    assert shown["status"] == "dry_run" and shown["backup"] is None
    assert done["changes"] and done["changes"] == shown["changes"]
    assert all(list(c) == CHANGE_KEYS for c in done["changes"])
    assert done["added_columns"] == [
        f"ESP Tracker!{col} '{name}'" for col, name in zip("VWX", COMPUTED, strict=True)
    ]
    after = sheet_cells(tracker)
    for c in done["changes"]:
        value = after[c["column"]].get(c["cell"])
        assert (value.date().isoformat() if isinstance(value, datetime) else value) == c["new"]
    assert done["as_of"] == "2026-11-30"
    assert done["outstanding"] == json.loads(listed.stdout) and "todo" not in done
    today = json.loads(dry_today.stdout)
    assert today["todo"] and "outstanding" not in today
    assert today["changes"] == shown["changes"]
    rows = list(csv.DictReader(io.StringIO(dry_csv.stdout)))
    assert [(r["cell"], r["column"], r["new"]) for r in rows] == [
        (c["cell"], c["column"], c["new"] or "") for c in shown["changes"]
    ]


def test_write_keeps_computed_values_that_are_already_right(tracker: Path) -> None:
    result = run_escalations(
        tracker,
        Config(),
        date(2026, 11, 30),
        datetime(2026, 11, 30, 23, 59),
        write=True,
        write_past=True,
    )
    written = len(result.write.changes)
    # A person overwrites one computed cell: only that one is put back.
    wb = openpyxl.load_workbook(tracker)
    wb["ESP Tracker"]["V5"] = "Something else"
    wb.save(tracker)
    again = run_escalations(
        tracker,
        Config(),
        date(2026, 11, 30),
        datetime(2026, 11, 30, 23, 59),
        write=True,
        write_past=True,
    )
    assert written > 100
    assert [(c.cell, c.old) for c in again.write.changes] == [("V5", "Something else")]


# -- the sample -------------------------------------------------------------------------------


def test_sample_today_gives_what_the_sample_documents(tmp_path: Path) -> None:
    """The bundled sample on its "today": the actions tests/test_sample.py documents."""
    sample = Path(shutil.copy(SAMPLE_DATA / "ESP Tracker.xlsx", tmp_path / "t.xlsx"))
    res = run("escalations", "-t", str(sample), "--today", "--as-of", "2026-11-24", "-f", "json")
    assert res.exit_code == 0, res.output
    items = json.loads(res.stdout)
    due = {(i["agent"], i["action"], i["due"]) for i in items if not i["lookahead"]}
    ahead = {(i["agent"], i["action"], i["due"]) for i in items if i["lookahead"]}
    today = sample_checks.TODAY

    def shown(name: str) -> str:  # the tool shows "Nguyen, Thao" as "Thao Nguyen"
        return " ".join(reversed(name.split(", "))) if ", " in name else name

    # test_sample's own reading of the ladder, for every outstanding agent with a start date.
    rows = sample_checks.Tracker(sample).agents
    ladder = set()
    for agent in rows:
        if sample_checks.complete(agent) or sample_checks.as_date(agent["esp_start"]) is None:
            continue
        pending = sample_checks.pending_step(agent)
        if pending is not None:
            name = shown(str(agent["agent_name"]))
            ladder.add((name, pending[0].removesuffix("_date"), pending[1].isoformat()))
    documented = {
        (shown(name), key.removesuffix("_date"), when.isoformat())
        for name, (key, when) in sample_checks.EXPECTED_PENDING.items()
    }
    assert documented <= ladder
    assert {t for t in due if t[1] in et.STEPS} == {t for t in ladder if t[2] <= str(today)}
    tomorrow = str(et.next_business_day(today))
    assert {t for t in ahead if t[1] in et.STEPS} == {t for t in ladder if t[2] == tomorrow}

    gaps = {
        "spoc_called": "call_spoc",
        "incident_number": "advise_spoc",
        "callback_phone": "callback_phone",
    }
    spoc = {
        (name, gaps[missing])
        for name, missing_list in {
            "Priyanka Shah": ["incident_number"],
            "Natalie Ford": ["callback_phone"],
            "Xavier Dunn": ["spoc_called", "incident_number"],
            "Diego Fernandez": ["incident_number"],
        }.items()
        for missing in missing_list
    }
    assert {(a, k) for a, k, _ in due if k in gaps.values()} == spoc
    assert {a for a, k, _ in due if k == "tbt_over_8h"} == {"Monique Dubois"}
    # Measured at the end of 11-24, every open Call Cert started by then is over 4 hours.
    assert {a for a, k, _ in due if k == "call_cert_over_4h"} == {
        "Tyrone Jackson",
        "Erin Walsh",
        "Jamal Wright",
    }
    behind = {a for a, k, _ in due if k == "behind_target"}
    assert {"Yasmin Farouk", "Rebecca Stone", "Tyrone Jackson"} <= behind
    assert "Zachary Holt" not in behind
    assert not any(a in behind for a in ("Kendra Hayes", "Thao Nguyen", "Dylan Foster"))
    unevaluated = {a for a, k, _ in due if k == "not_evaluated"}
    assert {"Celeste Moreau", "Mei Tanaka"} <= unevaluated  # the two unreadable start dates
    assert "Derek Simmons" not in {a for a, k, _ in due if k in et.STEPS}  # ladder finished


def test_write_on_the_sample_keeps_everything_else(tmp_path: Path) -> None:
    sample = Path(shutil.copy(SAMPLE_DATA / "ESP Tracker.xlsx", tmp_path / "t.xlsx"))
    header_row = sample_checks.HEADER_ROW
    before = sheet_cells(sample, header_row)
    parts_before = sample_checks.parts_of(sample)
    res = run(
        "escalations",
        "-t",
        str(sample),
        "--write",
        "--write-past",
        "--as-of",
        "2026-11-24",
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    after = sheet_cells(sample, header_row)
    added = {k: v for k, v in after["other"].items() if k not in before["other"]}
    assert added == {"AC4": "Escalation Stage", "AD4": "Next Action", "AE4": "Next Action Due"}
    assert {k: v for k, v in after["other"].items() if k not in added} == before["other"]
    assert after["Escalation Stage"]["AC25"] == "Coaching due"  # Tyrone Jackson
    assert after["Next Action"]["AD25"] == "Documented coaching (+1 more)"
    assert after["Next Action Due"]["AE25"] == datetime(2026, 11, 19)
    assert after["Escalation Stage"]["AC5"] == "Complete"  # Maria Gonzalez
    # Only the sheet, its shared strings and styles are rewritten, and the workbook asks
    # Excel to recalculate the sample's formulas on open; the drop-down lists, the hidden
    # Lists sheet and everything else are the same bytes.
    parts_after = sample_checks.parts_of(sample)
    changed = {n for n in parts_before if parts_before[n] != parts_after.get(n)}
    assert changed <= {
        "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"
    }  # fmt: skip
    workbook = parts_after["xl/workbook.xml"]
    assert workbook.replace(b' fullCalcOnLoad="1"', b"") == parts_before["xl/workbook.xml"]
    assert b"x14:dataValidation" in parts_after["xl/worksheets/sheet1.xml"]


# -- --write for a replayed day -------------------------------------------------------------------


def test_write_for_a_past_day_is_refused_unless_asked_for(tracker: Path) -> None:
    """A replay written to the tracker would set the computed columns back to that day (a row
    with every step recorded since labelled 'Coaching recorded'): --write-past asks for it."""
    original = tracker.read_bytes()
    with time_machine.travel("2026-12-07 09:00", tick=False):
        for extra in (["--write"], ["--dry-run"], ["--write", "--dry-run"]):
            res = run("escalations", "-t", str(tracker), "--as-of", "2026-11-30", *extra)
            assert res.exit_code == 2, (extra, res.output)
            assert "11/30/2026" in res.stderr and "Mon 12/07/2026" in res.stderr
            assert "--write-past" in res.stderr.split("Fix:")[-1]
            assert res.stdout == ""
        assert tracker.read_bytes() == original
        res = run("escalations", "-t", str(tracker), "--as-of", "2026-11-30", "--write-past")
        assert res.exit_code == 2 and "--write-past goes with --write" in res.stderr
        assert tracker.read_bytes() == original
        # Today's, with or without --as-of naming it.
        res = run("escalations", "-t", str(tracker), "--as-of", "2026-12-07", "--dry-run")
        assert res.exit_code == 0, res.output
        # A day still to come: never written (a date typed wrong), --write-past or not.
        for extra in (["--write"], ["--dry-run"], ["--write", "--write-past"]):
            res = run("escalations", "-t", str(tracker), "--as-of", "2026-12-17", *extra)
            assert res.exit_code == 2, (extra, res.output)
            assert "a day still to come" in res.stderr and "12/17/2026" in res.stderr
            assert "esp escalations --as-of 2026-12-17" in res.stderr.split("Fix:")[-1]
        assert tracker.read_bytes() == original
        res = run("escalations", "-t", str(tracker), "--as-of", "2026-11-30", "--write",
                  "--write-past")  # fmt: skip
        assert res.exit_code == 0, res.output
    assert tracker.read_bytes() != original


def test_group_step_says_nothing_falls_due_as_the_plain_list_does(tmp_path: Path) -> None:
    """Nothing new falls due on the next business day: no "…: 0: nothing" line."""
    from tests import factories

    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "K", "Agent Name": "Al One", "ESP Start Date": date(2026, 11, 20)}],
    )
    for group in ((), ("--group", "step")):
        res = run("escalations", "-t", str(tmp_path / "ESP Tracker.xlsx"), "--today",
                  "--as-of", "2026-12-10", *group)  # fmt: skip
        assert res.exit_code == 0, res.output
        assert "Next business day, Fri 12/11/2026: nothing falls due." in res.stdout
        assert ": 0" not in res.stdout and "nothing\n" not in res.stdout


def test_steps_typed_before_they_were_due_are_one_line_and_named_with_v(tmp_path: Path) -> None:
    """Coaching, written and final CAP all dated Thu 11/19: the term review is due (they
    count), and stderr says they were dated before they were due, as for other ladder
    dates: one line counting them, -v naming each."""
    from tests import factories

    keys = ("class", "agent_name", "agent_id", "esp_start", "call_cert_complete",
            "tbts_complete", "coaching_date", "written_cap_date", "final_cap_date")  # fmt: skip
    day = date(2026, 11, 19)
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "K", "Agent Name": "Sk Two", "Agent ID": "S2",
             "ESP Start Date": date(2026, 11, 16), "Coaching Date": day,
             "Written CAP Date": day, "Final CAP Date": day},
            {"Class": "K", "Agent Name": "Sk Four", "Agent ID": "S4",
             "ESP Start Date": date(2026, 11, 16), "Coaching Date": date(2026, 11, 18)},
        ],
        headers=factories.headers(*keys),
    )  # fmt: skip
    args = ("-t", str(tmp_path / "ESP Tracker.xlsx"), "--today", "--as-of", "2026-11-24")
    res = run("escalations", *args)
    assert res.exit_code == 0, res.output
    assert "May be termed: Sk Two" in " ".join(res.stdout.split())
    assert (
        "2 agents have ladder steps dated before they were due, counted as delivered early"
        in res.stderr
    )
    res = run("escalations", *args, "-v")
    early = [line for line in res.stderr.splitlines() if "counted as delivered early" in line]
    assert len(early) == 3 and early[0].startswith("warning: Sk Two (ESP Tracker!row 3): ")
    assert "Sk Four (ESP Tracker!row 4): Coaching Date Wed 11/18/2026 is before" in early[2]


def test_a_calendar_entry_that_changes_nothing_is_a_warning_of_every_command(
    tmp_path: Path,
) -> None:
    from tests import factories

    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "C", "Agent Name": "Cal One", "ESP Start Date": date(2026, 7, 1)}],
    )
    (tmp_path / "esp.toml").write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[calendar]\ncompany_workdays = ["2026-07-04"]\n',
        encoding="utf-8",
    )
    res = run("escalations", "-c", str(tmp_path / "esp.toml"), "--as-of", "2026-07-09")
    assert res.exit_code == 0, res.output
    assert res.stderr.count("warning: ") >= 1
    assert (
        res.stderr.count(
            "[calendar] company_workdays 2026-07-04 is a Saturday (Independence Day), never a "
            "business day; the holiday is observed on Fri 07/03/2026 — did you mean that day?"
        )
        == 1
    )
    # Which days are business days does not change: 07/03 stays closed.
    res = run("explain", "Cal One", "-c", str(tmp_path / "esp.toml"), "--as-of", "2026-07-09")
    assert "Fri 07/03/2026 Independence Day (observed)" in res.stdout


def test_a_notes_cell_showing_an_error_raises_nothing_in_escalations_or_the_kpis(
    tmp_path: Path,
) -> None:
    """The rules read Notes only for the line of a step recorded early: a Notes cell showing
    #DIV/0! (a formula in the column) is no warning of escalations or the KPIs, complete
    agent or not (esp doctor names the cell)."""
    from tests import factories

    headers = factories.headers(
        "class", "agent_name", "agent_id", "esp_start", "call_cert_complete", "tbts_complete",
        "coaching_date", "notes",
    )  # fmt: skip
    start = date(2026, 11, 16)
    rows = [
        {"Class": "T", "Agent Name": "Ne One", "Agent ID": "N1", "ESP Start Date": start,
         "Call Cert Complete?": "No", "All TBTs Complete?": "No",
         "Coaching Date": date(2026, 11, 17), "Notes": "#DIV/0!"},
        {"Class": "T", "Agent Name": "Ne Two", "Agent ID": "N2", "ESP Start Date": start,
         "Call Cert Complete?": "Yes", "All TBTs Complete?": "Yes", "Notes": "#N/A"},
    ]  # fmt: skip
    book = str(factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=headers))
    for args in (
        ("escalations", "--as-of", "2026-11-24"),
        ("escalations", "--today", "--as-of", "2026-11-24", "-f", "json"),
        ("report", "kpi", "--to", "2026-11-24"),
    ):
        res = run(*args, "-t", book)
        assert res.exit_code == 0, res.output
        assert "(Notes)" not in res.stderr and "could not be read" not in res.stderr, res.stderr
    # The coaching typed a day before it was due, with no readable reason, is still early.
    res = run("escalations", "--as-of", "2026-11-24", "-v", "-t", book)
    assert "Ne One" in res.stderr and "early" in res.stderr, res.stderr
    res = run("doctor", "-t", book)
    assert "'ESP Tracker'!H3" in res.stdout and "'ESP Tracker'!H4" in res.stdout, res.stdout


# -- esp undo of --write, on a tracker kept as an Excel table or under a filter ---------------


def _structured(path: Path, structure: str) -> Path:
    """The tracker's agent rows as an Excel table 'Agents' (or under a plain filter), from
    the header row to the last agent, every column the tracker has."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        wb = openpyxl.load_workbook(path)
    ws = wb["ESP Tracker"]
    ref = f"A{et.TITLE_ROWS + 1}:{get_column_letter(ws.max_column)}{ws.max_row}"
    if structure == "table":
        table = Table(displayName="Agents", ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = ref
    wb.save(path)
    return path


def _range(path: Path, structure: str) -> tuple[str, list[str]]:
    """The table's range and its columns, each the header in its cell as Excel requires
    (or the filter's range and the header row)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        ws = openpyxl.load_workbook(path)["ESP Tracker"]
    headers = [c.value for c in ws[et.TITLE_ROWS + 1] if c.value is not None]
    if structure == "table":
        table = ws.tables["Agents"]
        assert table.autoFilter.ref == table.ref
        names = [c.name for c in table.tableColumns]
        first, top, last, _bottom = openpyxl.utils.range_boundaries(table.ref)
        assert [ws.cell(top, col).value for col in range(first, last + 1)] == names
        return table.ref, names
    return str(ws.auto_filter.ref), headers


def _write_computed(tracker: Path) -> str:
    argv = ("-t", str(tracker), "--as-of", "2026-11-30", "--write", "--write-past")
    res = run("escalations", *argv)
    assert res.exit_code == 0, res.output
    undo = res.stderr.rsplit("undo with: esp undo ", 1)[1].split(")")[0]
    return undo


@pytest.mark.parametrize("structure", ["table", "filter"])
def test_undoing_the_computed_columns_gives_the_table_back_its_columns(
    tracker: Path, structure: str
) -> None:
    """--write added its three columns right of a table (or a filter), which took them in;
    esp undo gives it back the range and the columns it had, their headers going with
    them, schema-valid."""
    from tests.support.marks import checks_schemas
    from tests.support.ooxml import validate_part
    from tests.support.packages import zip_parts

    before = _range(_structured(tracker, structure), structure)
    _write_computed(tracker)
    grown, columns = _range(tracker, structure)
    assert grown == before[0].replace(":U", ":X") and columns == [*before[1], *COMPUTED]
    res = run("undo", "-t", str(tracker))
    assert res.exit_code == 0, res.output
    assert _range(tracker, structure) == before
    assert "header is left" not in res.stderr
    if checks_schemas():
        parts = zip_parts(tracker)
        names = [n for n in parts if n.startswith(("xl/tables/", "xl/worksheets/sheet"))]
        for name in [*names, "xl/workbook.xml"]:
            assert validate_part(name, parts[name]) == [], name


@pytest.mark.parametrize("structure", ["table", "filter"])
def test_one_agents_undo_leaves_the_columns_the_others_still_fill(
    tracker: Path, structure: str, agents: list[et.Agent]
) -> None:
    """esp undo OP --agent NAME empties that agent's computed cells only: the other agents
    still fill the columns, so the table (or filter) keeps them, headers and all."""
    _structured(tracker, structure)
    _write_computed(tracker)
    grown = _range(tracker, structure)
    log = tracker.parent / "esp-backups" / f"{tracker.name}.history.jsonl"
    target = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])["op"]
    name = next(c["agent"] for c in json.loads(log.read_text().splitlines()[-1])["cells"])
    res = run("undo", target, "--agent", name, "-t", str(tracker))
    assert res.exit_code == 0, res.output
    assert _range(tracker, structure) == grown


def test_an_undo_that_waited_leaves_the_columns_a_write_with_it_fills_again(
    tracker: Path,
) -> None:
    """esp undo of --write waited (the tracker open in Excel); the next --write writes it
    first, then fills the computed columns again in the same write: the table keeps the
    columns, and their headers, which a table never loses — schema-valid. The columns are
    filled, not left empty: nothing says to delete them."""
    from tests.support.marks import checks_schemas
    from tests.support.ooxml import validate_part
    from tests.support.packages import zip_parts

    _structured(tracker, "table")
    _write_computed(tracker)
    grown = _range(tracker, "table")
    owner = _open_in_excel(tracker)
    assert run("undo", "-t", str(tracker)).exit_code == 7
    owner.unlink()
    argv = ("-t", str(tracker), "--as-of", "2026-11-30", "--write", "--write-past")
    res = run("escalations", *argv)
    assert res.exit_code == 0, res.output
    assert "that waited beside it were written first" in res.stderr
    assert "header is left" not in res.stderr
    assert _range(tracker, "table") == grown
    log = tracker.parent / "esp-backups" / f"{tracker.name}.history.jsonl"
    kinds = [json.loads(line)["kind"] for line in log.read_text(encoding="utf-8").splitlines()]
    assert kinds == ["write", "undo", "write"]
    if checks_schemas():
        part = "xl/tables/table1.xml"
        assert validate_part(part, zip_parts(tracker)[part]) == []


@pytest.mark.parametrize("structure", ["table", "filter"])
def test_a_write_after_an_undo_that_waited_is_undone_as_after_a_direct_undo(
    tracker: Path, tmp_path: Path, structure: str
) -> None:
    """esp undo of --write waited (the tracker open in Excel); the next --write writes it
    first and fills the columns again. Its entry records what it records after a direct
    undo — the three columns added, the range grown over them — so its own undo gives the
    table (or filter) back its range and takes the columns out, headers and all, as it
    does there: the same values, range and headers."""
    _structured(tracker, structure)
    before = _range(tracker, structure)
    _write_computed(tracker)
    direct = tmp_path / "direct" / tracker.name
    shutil.copytree(tracker.parent, direct.parent, ignore=shutil.ignore_patterns("direct"))
    assert run("undo", "-t", str(direct)).exit_code == 0
    _write_computed(direct)
    owner = _open_in_excel(tracker)
    assert run("undo", "-t", str(tracker)).exit_code == 7
    owner.unlink()
    _write_computed(tracker)
    entries = {}
    for path in (direct, tracker):
        log = path.parent / "esp-backups" / f"{path.name}.history.jsonl"
        entries[path] = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    recorded = entries[tracker]
    assert [a["header"] for a in recorded["added_columns"]] == list(COMPUTED)
    assert recorded["added_columns"] == entries[direct]["added_columns"]
    assert recorded["grown"] == entries[direct]["grown"]
    for path in (direct, tracker):
        res = run("undo", "-t", str(path))
        assert res.exit_code == 0, res.output
        assert "header is left" not in res.stderr
    assert _range(tracker, structure) == _range(direct, structure) == before

    def values(path: Path) -> list[list[Any]]:
        """Each row's values up to its last one (an emptied cell may stay, holding none)."""
        rows = _sheet_values(path)
        return [row[: max((i + 1 for i, v in enumerate(row) if v is not None), default=0)]
                for row in rows]  # fmt: skip

    assert values(tracker) == values(direct)


def _open_in_excel(tracker: Path) -> Path:
    from tests.support.windows import excel_owner_file

    owner = tracker.with_name(f"~${tracker.name}")
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    return owner


def _edited_in_excel(tracker: Path, edit: str) -> None:
    """The team's change to the columns --write added (I3 is Next Action Due's header, X3
    on this tracker), saved outside esp."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    header = et.TITLE_ROWS + 1
    assert ws.cell(header, 24).value == "Next Action Due"
    if edit == "typed in it":
        ws.cell(header + 1, 24).value = "ask Dana"
    else:
        ws.cell(header, 24).value = {
            "header re-cased": "next action due",
            "header with a trailing space": "Next Action Due ",
            "header renamed": "Due By",
        }[edit]
    wb.save(tracker)


def _undone_twice(tracker: Path, edit: str) -> tuple[Path, Any, Path, Any]:
    """After --write (the tracker a table), the same edit in Excel, and the undo: written at
    once (`direct`), and made while the tracker was open, the edit saved meanwhile, then
    written by esp apply (`waited`). Both trackers and what each command said."""
    _structured(tracker, "table")
    _write_computed(tracker)
    waited = tracker.parent / "waited" / tracker.name
    waited.parent.mkdir()
    shutil.copytree(tracker.parent / "esp-backups", waited.parent / "esp-backups")
    shutil.copy(tracker, waited)
    _edited_in_excel(tracker, edit)
    direct = run("undo", "-t", str(tracker))
    assert direct.exit_code == 0, direct.output
    owner = _open_in_excel(waited)
    assert run("undo", "-t", str(waited)).exit_code == 7
    _edited_in_excel(waited, edit)
    owner.unlink()
    return tracker, direct, waited, run("apply", "-t", str(waited))


def _table_ref(path: Path) -> str:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        return str(openpyxl.load_workbook(path)["ESP Tracker"].tables["Agents"].ref)


def _undo_waiting_over(tracker: Path, edit: str) -> str:
    """After --write (the tracker a table), its undo made while the tracker is open in
    Excel, and `edit` saved there meanwhile; the tracker closed. The operation undone."""
    _structured(tracker, "table")
    undone = _write_computed(tracker)
    owner = _open_in_excel(tracker)
    assert run("undo", "-t", str(tracker)).exit_code == 7
    _edited_in_excel(tracker, edit)
    owner.unlink()
    return undone


EDITS = ["header re-cased", "header with a trailing space", "typed in it"]


@pytest.mark.parametrize("edit", EDITS)
def test_an_undo_that_waited_keeps_the_columns_the_team_changed_as_a_direct_undo(
    tracker: Path, edit: str
) -> None:
    """The team changed a column --write added while its undo waited (the tracker open in
    Excel): a header re-cased, given a trailing space or renamed, or a value typed in the
    column. Written by esp apply, the undo is written as a direct undo after the same edit
    is — never held as a conflict on a header it leaves — the sheet and the table byte for
    byte; the columns stay, headers and all, and esp says so of each, as the direct undo
    does."""
    from tests.support.packages import zip_parts

    direct_path, direct, waited_path, applied = _undone_twice(tracker, edit)
    assert applied.exit_code == 0, applied.output
    assert "would write" not in applied.stderr
    said = [line for line in applied.stderr.splitlines() if "its header is left" in line]
    assert len(said) == len(COMPUTED) and said == [
        line for line in direct.stderr.splitlines() if "its header is left" in line
    ]
    direct_parts, waited_parts = zip_parts(direct_path), zip_parts(waited_path)
    for part in ("xl/worksheets/sheet1.xml", "xl/tables/table1.xml"):
        assert waited_parts[part] == direct_parts[part], part
    kept = openpyxl.utils.range_boundaries(_table_ref(waited_path))
    assert kept[2] == 21 + len(COMPUTED)  # U, then the three columns: kept


@pytest.mark.parametrize("inserted", [False, True])
def test_an_undo_that_waited_writes_nothing_under_a_header_renamed_meanwhile(
    tracker: Path, inserted: bool
) -> None:
    """While the undo waits, the team renames Next Action Due (after inserting a column
    before the three, say): what is in the renamed column's place may be another column
    now, so the undo's cells there are conflicts, written nowhere — never in the column
    that moved into their place — and the renamed header is no conflict of its own."""
    _structured(tracker, "table")
    _write_computed(tracker)
    owner = _open_in_excel(tracker)
    assert run("undo", "-t", str(tracker)).exit_code == 7
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    header = et.TITLE_ROWS + 1
    if inserted:
        ws.insert_cols(22)  # before Escalation Stage (V): the three move right by one
    due = 25 if inserted else 24
    assert ws.cell(header, due).value == "Next Action Due"
    ws.cell(header, due).value = "Due By"
    wb.save(tracker)
    owner.unlink()
    before = _sheet_values(tracker)
    applied = run("apply", "-t", str(tracker))
    assert applied.exit_code == ExitCode.FINDINGS, applied.output
    assert "would write —" not in applied.stderr
    assert "the 'Next Action Due' column is no longer on the sheet 'ESP Tracker'" in (
        applied.stderr
    )
    assert _sheet_values(tracker) == before  # nothing written, nowhere


def _sheet_values(path: Path) -> list[list[Any]]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        ws = openpyxl.load_workbook(path)["ESP Tracker"]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_esp_pending_shows_a_header_an_undo_may_leave_and_no_conflict_on_it(
    tracker: Path,
) -> None:
    """While the undo waits, the team re-cases a header --write added: esp pending holds no
    conflict on it (the undo leaves a header the team changed, and its column with it), and
    says a header goes only with its column; esp apply --format json names the columns the
    undo leaves, as esp undo's JSON does (emptied_columns)."""
    from esp_cli.render.pending import wanted
    from esp_cli.workbook.waiting import Store

    undone = _undo_waiting_over(tracker, "header re-cased")
    shown = run("pending", "-t", str(tracker))
    assert shown.exit_code == 0, shown.output
    assert "conflict" not in shown.stderr
    listed = json.loads(run("pending", "-t", str(tracker), "-f", "json").stdout)
    (op,) = listed["operations"]
    assert op["writable"] is True and op["conflicts"] == []
    assert [c["cell"] for c in op["cells"] if c.get("header")] == ["V3", "W3", "X3"]
    (kept,) = Store(tracker).unwritten().ops
    assert [wanted(c) for c in kept.cells if c.header] == [
        f"{c} → — (with its column; left if it stays)" for c in COMPUTED
    ]
    applied = run("apply", "-t", str(tracker), "-f", "json")
    assert applied.exit_code == 0, applied.output
    (written,) = json.loads(applied.stdout)["applied"]
    assert written["emptied_columns"] == [
        f"ESP Tracker!{letter} '{header}'" for letter, header in zip("VWX", COMPUTED, strict=True)
    ]
    assert applied.stderr.count(f"was added by operation {undone}") == len(COMPUTED)


def test_esp_pending_shows_a_header_the_team_renamed_as_left_with_what_it_holds_now(
    tracker: Path,
) -> None:
    """While the undo waits, the team renames a header --write added: esp pending shows
    the header's value now and that it is left, its column with it — never '→ —' — in the
    table, in JSON (headers_left) and in CSV (now, and the header column, last)."""
    _undo_waiting_over(tracker, "header renamed")
    from esp_cli.render.pending import wanted
    from esp_cli.results.pending import PendingOp
    from esp_cli.services.pending import list_pending

    (pending,) = list_pending(tracker, Config()).operations
    assert isinstance(pending, PendingOp)
    header = next(c for c in pending.op.cells if c.cell == "X3")
    assert wanted(header, pending.left_now(header)) == (
        "Next Action Due → left: now Due By, the team's; its column stays"
    )
    listed = json.loads(run("pending", "-t", str(tracker), "-f", "json").stdout)
    (op,) = listed["operations"]
    assert op["headers_left"] == [
        {"sheet": "ESP Tracker", "cell": "X3", "column": "Next Action Due", "now": "Due By"}
    ]
    rows = list(csv.DictReader(io.StringIO(run("pending", "-t", str(tracker), "-f", "csv").stdout)))
    assert list(rows[0])[-3:] == ["header", "worked_out", "not_worked_out"]  # new ones at the end
    marks = {r["cell"]: (r["header"], r["now"]) for r in rows if r["header"]}
    assert marks == {"V3": ("with_column", ""), "W3": ("with_column", ""), "X3": ("left", "Due By")}


def test_a_waited_undo_written_by_another_command_says_the_columns_it_leaves(
    tracker: Path,
) -> None:
    """Any write that finds the tracker free writes the undo that waited first: a note
    added says, as esp apply and the direct undo do, each column the undo leaves."""
    undone = _undo_waiting_over(tracker, "typed in it")
    log = tracker.parent / "esp-backups" / f"{tracker.name}.history.jsonl"
    name = next(c["agent"] for c in json.loads(log.read_text().splitlines()[0])["cells"])
    res = run("note", "add", name, "Called about Call Cert", "--by", "Tom", "-t", str(tracker))
    assert res.exit_code == 0, res.output
    assert "that waited beside it were written first" in res.stderr
    assert res.stderr.count(f"was added by operation {undone}") == len(COMPUTED)
    assert res.stderr.count("its header is left") == len(COMPUTED)


def _header_row_formatted(tracker: Path) -> None:
    """The header row's fill and font carried on past the last header (to Z), as teams
    format it: the cells --write will head are there already, empty and formatted."""
    from openpyxl.styles import Font, PatternFill

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        wb = openpyxl.load_workbook(tracker)
    ws = wb["ESP Tracker"]
    for letter in "VWXYZ":
        cell = ws[f"{letter}{et.TITLE_ROWS + 1}"]
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        cell.font = Font(bold=True, color="FFFFFF")
    wb.save(tracker)


@pytest.mark.parametrize("structure", ["table", "filter"])
def test_an_exact_undo_gives_the_header_cells_back_their_format(
    tracker: Path, tmp_path: Path, structure: str
) -> None:
    """The header row was formatted past its last header: --write heads three of those
    cells. Its undo, written at once or after it waited, gives each back as it was before
    the write — the sheet byte for byte — never as no cell."""
    from tests.support.packages import zip_parts

    _header_row_formatted(_structured(tracker, structure))
    part = "xl/worksheets/sheet1.xml"
    before = zip_parts(tracker)[part]
    _write_computed(tracker)
    log = tracker.parent / "esp-backups" / f"{tracker.name}.history.jsonl"
    added = json.loads(log.read_text().splitlines()[-1])["added_columns"]
    assert [a["before_xml"].startswith(f'<c r="{a["column"]}3"') for a in added] == [True] * 3
    waited = tmp_path / "waited" / tracker.name
    shutil.copytree(tracker.parent, waited.parent, ignore=shutil.ignore_patterns("waited"))
    res = run("undo", "-t", str(tracker))
    assert res.exit_code == 0, res.output
    assert zip_parts(tracker)[part] == before
    owner = _open_in_excel(waited)
    assert run("undo", "-t", str(waited)).exit_code == 7
    owner.unlink()
    applied = run("apply", "-t", str(waited))
    assert applied.exit_code == 0, applied.output
    assert zip_parts(waited)[part] == before


@pytest.mark.parametrize("named_by", ["formula", "defined name", "calculated column"])
def test_undo_keeps_a_table_column_that_something_names(tracker: Path, named_by: str) -> None:
    """After --write added its columns to the table, the team names one in a formula on
    another sheet (`agents[Escalation Stage]`: any case), in a defined name, or in a
    calculated column of the table: the undo keeps the columns in the table, headers and
    all, as it did before it gave columns back — else those names would point at a column
    the table no longer has (#REF! in Excel)."""
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.table import TableFormula

    _structured(tracker, "table")
    _write_computed(tracker)
    grown = _range(tracker, "table")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Data Validation extension", UserWarning)
        wb = openpyxl.load_workbook(tracker)
    if named_by == "formula":
        wb.create_sheet("Summary")["A1"] = '=COUNTIF(agents[Escalation Stage],"Coaching due")'
    elif named_by == "defined name":
        wb.defined_names["Stages"] = DefinedName("Stages", attr_text="Agents[Next Action]")
    else:
        table = wb["ESP Tracker"].tables["Agents"]
        formula = TableFormula(attr_text="Agents[[#This Row],[Next Action]]")
        table.tableColumns[0].calculatedColumnFormula = formula
    wb.save(tracker)
    res = run("undo", "-t", str(tracker))
    assert res.exit_code == 0, res.output
    assert _range(tracker, "table") == grown
    assert res.stderr.count("its header is left") == len(COMPUTED)
