"""What the writing commands say and do about changes that wait beside a busy tracker: a
column gone since is a conflict (never a column added anew), every writing command's JSON
names the waiting operation, a line already waiting is not kept twice, a dry run says the
real run would wait, the messages name who has the tracker and why a change is held, and
the answers of a round written by another write are not kept again."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.core.answers import Answer, Effect, Key, Op
from esp_cli.errors import ExitCode
from esp_cli.services.round import finish_round, start_round
from esp_cli.workbook import history
from esp_cli.workbook.waiting import Store
from esp_cli.workbook.xlsx import safety
from tests import factories
from tests.support.processes import python_prints
from tests.support.windows import excel_owner_file
from tests.test_waiting import WRITERS, _argv, sample, values

DAY = "2026-11-24"
TRACKER = "ESP Tracker.xlsx"
HEADERS = (*factories.TRACKER_HEADERS, *factories.headers("coaching_date"))
AGENTS = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E101",
     "ESP Start Date": date(2026, 11, 16)},
    {"Class": "AET-1", "Agent Name": "Dana Cole", "Agent ID": "E102",
     "ESP Start Date": date(2026, 11, 16)},
]  # fmt: skip
# A title row, the headers on row 2, Devon on row 3 and Dana on row 4; Citrix TBT Access J,
# Notes K, TBT Notes L, Coaching Date M.


def run(*argv: str) -> Any:
    return CliRunner().invoke(app, list(argv))


def open_in_excel(folder: Path, user: str = "Keisha Grant") -> Path:
    owner = folder / f"~${TRACKER}"
    owner.write_bytes(excel_owner_file(user))
    return owner


def in_excel(path: Path, edit: Callable[[Any], None]) -> None:
    """Someone edits and saves the tracker in Excel (while esp's change waits)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    edit(wb.worksheets[0])
    wb.save(path)


def headers(path: Path, row: int = 2) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path).worksheets[0]
    return {c.coordinate: c.value for c in ws[row] if c.value is not None}


def log_entries(folder: Path) -> list[dict[str, Any]]:
    log = folder / "esp-backups" / f"{TRACKER}.history.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(tmp_path / TRACKER, AGENTS, headers=HEADERS)


# -- a column renamed or deleted while a change waits -----------------------------------------


def test_a_column_renamed_meanwhile_is_a_conflict_never_a_new_column(small: Path) -> None:
    owner = open_in_excel(small.parent)
    res = run("record-step", "Devon Price", "coaching", "--date", DAY, "-t", str(small))
    assert res.exit_code == ExitCode.WAITING, res.output
    (op,) = Store(small).unwritten().ops
    owner.unlink()
    in_excel(small, lambda ws: ws.__setitem__("M2", "Coaching Delivered"))
    before = headers(small)
    held = run("apply", "-t", str(small))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert headers(small) == before  # no "Coaching Date" column added anew
    assert "'Coaching Date' column is no longer on the sheet" in held.stderr
    assert "M2 now reads 'Coaching Delivered'" in held.stderr
    assert "a column of theirs is no longer there" in held.stderr
    assert "changed since esp saw it" not in held.stderr
    shown = json.loads(run("pending", "-t", str(small), "--format", "json").stdout)
    assert [c["kind"] for c in shown["operations"][0]["conflicts"]] == ["column"]
    assert [o.op for o in Store(small).unwritten().ops] == [op.op]
    # Its header back: written there.
    in_excel(small, lambda ws: ws.__setitem__("M2", "Coaching Date"))
    assert run("apply", "-t", str(small)).exit_code == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(small).worksheets[0]
    assert ws["M3"].value is not None and Store(small).unwritten().ops == []


def test_a_column_its_command_meant_to_add_is_added_said_and_recorded(tmp_path: Path) -> None:
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    small = factories.tracker(tmp_path / TRACKER, AGENTS, headers=factories.TRACKER_HEADERS)
    owner = open_in_excel(small.parent)
    res = run("record-step", "Devon Price", "coaching", "--date", DAY, "-t", str(small))
    assert res.exit_code == ExitCode.WAITING, res.output
    (op,) = Store(small).unwritten().ops
    assert any(c.col == 0 for c in op.cells)  # kept as "the column its command adds"
    owner.unlink()
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == 0, applied.output
    assert "Coaching Date" in headers(small).values()
    assert f"{op.op} added column" in applied.stderr
    (entry,) = [e for e in log_entries(small.parent) if e["op"] == op.op]
    assert [a["header"] for a in entry["added_columns"]] == ["Coaching Date"]


# -- every writing command's JSON names the operation that waits ------------------------------


@pytest.mark.parametrize("step", WRITERS, ids=[" ".join(s[:2]) for s in WRITERS])
def test_every_writing_commands_json_names_the_waiting_operation(
    tmp_path: Path, step: list[str]
) -> None:
    config = sample(tmp_path)
    open_in_excel(tmp_path)
    res = run(*_argv(step, tmp_path), "--config", str(config), "--format", "json")
    assert res.exit_code == ExitCode.WAITING, res.output
    (kept,) = Store(tmp_path / TRACKER).unwritten().ops
    data = json.loads(res.stdout)
    if isinstance(data, dict):
        assert data["status"] == "waiting" and data["op"] == kept.op, data
        return
    # esp escalations keeps its list of (outstanding) agents: each whose cells wait names
    # the operation, and no other does.
    listed = {(a["sheet"], a["row"]) for a in data}
    rows = {(c.sheet, c.row) for c in kept.cells} & listed
    named = {(a["sheet"], a["row"]) for a in data if kept.op in a["waiting"]}
    assert rows and named == rows


# -- what the words say of a change that waits ------------------------------------------------

# A table title or a line that says cells or lines were written. (esp tbt proofs records the
# proofs in a TBT Tracking Sheet of its own, which is free: they are recorded there.)
WRITTEN_WORDS = re.compile(
    r"^(Added|Recorded(?! \d+ proof\(s\) in TBT Tracking Sheet)|Put back|Changed|Wrote)\b"
    r"|\bwere added\b|: \d+ added\b",
    re.M,
)


@pytest.mark.parametrize(
    "step", [*WRITERS, ["undo"]], ids=[" ".join(s[:2]) for s in [*WRITERS, ["undo"]]]
)
def test_while_the_change_waits_no_title_or_line_says_it_was_written(
    tmp_path: Path, step: list[str]
) -> None:
    config = sample(tmp_path)
    if step == ["undo"]:
        assert run(*_argv(WRITERS[0], tmp_path), "--config", str(config)).exit_code == 0
    open_in_excel(tmp_path)
    res = run(*_argv(step, tmp_path), "--config", str(config))
    assert res.exit_code == ExitCode.WAITING, res.output
    assert WRITTEN_WORDS.search(res.stdout) is None, res.stdout
    assert WRITTEN_WORDS.search(res.stderr) is None, res.stderr
    assert "Nothing written yet" in res.stderr


# -- the same note typed twice while the first waits ---------------------------------------------


def test_the_same_note_again_while_the_first_waits_names_it_and_keeps_nothing(
    small: Path,
) -> None:
    open_in_excel(small.parent)
    first = run("note", "add", "Dana Cole", "first wait", "-t", str(small))
    assert first.exit_code == ExitCode.WAITING, first.output
    (op,) = Store(small).unwritten().ops
    again = run("note", "add", "Dana Cole", "first wait", "-t", str(small), "-f", "json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert data["status"] == "waiting" and data["op"] == op.op, data
    assert data["added"] is False and data["already_waiting"] == op.op
    assert f"already waits as operation {op.op}" in again.stderr
    assert "already holds" not in again.stderr
    assert [o.op for o in Store(small).unwritten().ops] == [op.op]


# -- a dry run while the tracker is busy ----------------------------------------------------------


@pytest.mark.parametrize("step", WRITERS, ids=[" ".join(s[:2]) for s in WRITERS])
def test_a_dry_run_says_the_real_run_would_wait_and_who_has_the_tracker(
    tmp_path: Path, step: list[str]
) -> None:
    config = sample(tmp_path)
    open_in_excel(tmp_path)
    dry = run(*_argv(step, tmp_path), "--config", str(config), "--dry-run")
    assert dry.exit_code == 0, dry.output  # a dry run's exit code, as documented
    said = [line for line in dry.stderr.splitlines() if "real run would" in line]
    assert len(said) == 1 and "open in Excel by Keisha Grant" in said[0], dry.stderr
    assert "exit 7" in said[0]
    as_json = run(*_argv(step, tmp_path), "--config", str(config), "--dry-run", "-f", "json")
    data = json.loads(as_json.stdout)
    if isinstance(data, dict):
        assert data["status"] == "dry_run"
        assert data["would_wait"] == "open in Excel by Keisha Grant"
    refused = run(*_argv(step, tmp_path), "--config", str(config), "--dry-run", "--no-wait")
    assert "would write nothing now and refuse it (--no-wait: exit 4)" in refused.stderr
    assert Store(tmp_path / TRACKER).unwritten().ops == []


# -- a round's answers written by another write meanwhile -----------------------------------------


def test_a_round_never_keeps_again_the_answers_another_write_has_written(small: Path) -> None:
    """Devon's access answered in a round; a teammate's write meanwhile writes it (with
    what waits) and then sets another access issue. Devon's next answer is kept alone: the
    access answer, written already, is not kept again to conflict with the teammate's."""
    config = Config(user="Jordan Reyes")
    rnd = start_round(small, config, cls="AET-1")
    i = next(n for n, r in enumerate(rnd.rows) if r.row == 3)
    access = Effect(Op.SET, "citrix_access", "Password Reset")
    rnd.add(i, Answer(Key.ACCESS, "access: password reset", (access,)))
    (first,) = rnd.keeper.ops
    teammate = run("access", "set", "Devon Price", "equipment issue", "-t", str(small))
    assert teammate.exit_code == 0, teammate.output
    assert first.op in teammate.stderr  # written with the teammate's change
    line = f"{date.today():%m/%d/%Y} - Jordan Reyes - Called him"
    rnd.add(i, Answer(Key.NOTE, "note", (Effect(Op.APPEND, "notes", line),)))
    (kept,) = rnd.keeper.ops
    assert [c.key for c in kept.cells] == ["notes"]
    assert rnd.keeper.written_meanwhile == [first.op]
    result = finish_round(small, config, rnd.keeper.ops, read=rnd.table)
    assert result.write.status == "written", result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(small).worksheets[0]
    assert ws["J3"].value == "Equipment Issue"
    assert ws["K3"].value.endswith("Called him")
    assert Store(small).unwritten().ops == []


@pytest.mark.parametrize(
    "writer",
    [
        ["apply"],
        ["note", "add", "Dana Cole", "Unrelated"],
        ["access", "set", "Dana Cole", "password reset"],
    ],
    ids=["apply", "note add", "access set"],
)
def test_round_answers_written_by_another_command_bring_the_computed_columns_up_to_date(
    tmp_path: Path, writer: list[str]
) -> None:
    """A round's coaching answer waits (the tracker was open at its end); whichever write
    writes it later fills in Stage and Next Action as the round itself would have."""
    for folder in ("direct", "busy"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "esp.toml").write_text(
            '[people]\nuser = "Jordan Reyes"\n', encoding="utf-8"
        )
    computed = factories.headers("escalation_stage", "next_action", "next_action_due")
    start = date.today().replace(day=1)
    agents = [{**a, "ESP Start Date": start} for a in AGENTS]
    direct = factories.tracker(tmp_path / "direct" / TRACKER, agents, headers=(*HEADERS, *computed))
    busy = factories.tracker(tmp_path / "busy" / TRACKER, agents, headers=(*HEADERS, *computed))
    config = Config(user="Jordan Reyes")
    step = Answer(Key.STEP, "coaching", (Effect(Op.SET, "coaching_date", date.today()),))
    for path in (direct, busy):
        rnd = start_round(path, config, cls="AET-1")
        rnd.add(next(n for n, r in enumerate(rnd.rows) if r.row == 3), step)
        if path is busy:
            continue
        assert finish_round(path, config, rnd.keeper.ops, read=rnd.table).write.backup
    res = run(*writer, "-t", str(busy))
    assert res.exit_code == 0, res.output
    assert Store(busy).unwritten().ops == []

    def row3(path: Path) -> list[Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ws = openpyxl.load_workbook(path).worksheets[0]
        return [c.value for c in ws[3]]

    assert row3(busy) == row3(direct)
    assert row3(busy)[len(HEADERS)] is not None  # the stage is filled in


# -- the messages: who holds esp's lock, a backups folder that cannot be written ------------------


def test_a_change_waiting_for_esps_lock_names_who_holds_it(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "exclusive", functools.partial(safety.exclusive, wait=0.2))
    who = f"{history.os_login()} on {history.machine_name()}"
    with safety.exclusive(small):
        res = run("note", "add", "Dana Cole", "hi", "-t", str(small))
        refused = run("note", "add", "Dana Cole", "hi", "-t", str(small), "--no-wait")
    assert res.exit_code == ExitCode.WAITING, res.output
    assert f"being written by another esp command ({who} since " in res.stderr
    (op,) = Store(small).unwritten().ops
    assert op.why.startswith(f"being written by another esp command ({who} since ")
    assert refused.exit_code == ExitCode.BUSY and f"({who} since " in refused.stderr
    # Released: nobody is named any more.
    assert not list(small.parent.glob(".*.who"))


def test_a_backups_folder_that_cannot_be_written_says_the_tracker_is_busy_too(
    small: Path,
) -> None:
    open_in_excel(small.parent)
    (small.parent / "esp-backups").write_text("not a folder", encoding="utf-8")  # even for root
    res = run("note", "add", "Dana Cole", "hi", "-t", str(small))
    assert res.exit_code == ExitCode.WRITE_FAILED, res.output
    assert "is open in Excel by Keisha Grant, and its change cannot be kept" in res.stderr


def test_a_change_for_an_agent_whose_row_was_deleted_says_so(small: Path) -> None:
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "hi", "-t", str(small)).exit_code == ExitCode.WAITING
    owner.unlink()
    in_excel(small, lambda ws: ws.delete_rows(4))
    held = run("apply", "-t", str(small))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "Dana Cole's row is no longer there" in held.stderr
    assert "an agent's row is no longer there" in held.stderr
    assert "a cell of theirs changed" not in held.stderr


# -- a dry run shows the waiting changes the write writes first --------------------------------


def _waiting_sync(folder: Path) -> tuple[Path, str]:
    """The sample with `esp sync-nnumbers` made while Keisha had it open (10 request dates
    waiting beside it), then closed: the waiting change's id."""
    config = sample(folder)
    owner = open_in_excel(folder)
    res = run("sync-nnumbers", "--config", str(config))
    assert res.exit_code == ExitCode.WAITING, res.output
    owner.unlink()
    (kept,) = Store(folder / TRACKER).unwritten().ops
    return config, kept.op


def test_a_dry_run_shows_the_waiting_changes_the_write_writes_first(tmp_path: Path) -> None:
    config, op = _waiting_sync(tmp_path)
    note = ["note", "add", "Tyrone Jackson", "dry", "--date", DAY, "--config", str(config)]
    before = values(tmp_path / TRACKER)

    table = run(*note, "--dry-run")
    assert table.exit_code == 0, table.output
    assert f"Would also write {op} — " in table.stdout and "esp sync-nnumbers" in table.stdout
    assert "ESP Tracker!G17" in table.stdout and "— → 11/02/2026" in table.stdout
    assert "Dry run: 11 cell(s) would change" in table.stderr
    assert f"would first write 10 cell(s) of 1 change(s) waiting beside it: {op}" in table.stderr

    dry = run(*note, "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    shown = json.loads(dry.stdout)
    assert [c["cell"] for c in shown["changes"]] == ["Z25"]
    assert shown["waiting_written"] == [op]
    assert len(shown["waiting_changes"]) == 10
    assert {w["op"] for w in shown["waiting_changes"]} == {op}
    assert shown["waiting_changes"][0] == {
        "op": op, "sheet": "ESP Tracker", "cell": "G17", "agent": "Omar Haddad",
        "column": "Date of N Number Request", "old": None, "new": "2026-11-02",
    }  # fmt: skip

    rows = list(csv.DictReader(io.StringIO(run(*note, "--dry-run", "--format", "csv").stdout)))
    assert [(r["cell"], r["waiting_op"]) for r in rows] == [("Z25", "")] + [
        (w["cell"], op) for w in shown["waiting_changes"]
    ]
    assert values(tmp_path / TRACKER) == before  # a dry run: nothing written

    real = run(*note, "--format", "json")
    assert real.exit_code == 0, real.output
    wrote = json.loads(real.stdout)
    assert wrote["waiting_written"] == [op]
    assert wrote["waiting_changes"] == shown["waiting_changes"]
    assert "Wrote 11 cell(s)" in real.stderr
    assert f"10 cell(s) of 1 change(s) that waited beside it were written first: {op}" in (
        real.stderr
    )
    # The cells the write changed are those the dry run listed, and no other.
    after = values(tmp_path / TRACKER)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    listed = {f"ESP Tracker!{c['cell']}" for c in (*shown["changes"], *shown["waiting_changes"])}
    assert changed == listed


@pytest.mark.parametrize("step", WRITERS, ids=[" ".join(s[:2]) for s in WRITERS])
def test_every_dry_run_lists_the_waiting_changes_its_write_would_write(
    tmp_path: Path, step: list[str]
) -> None:
    config = sample(tmp_path)
    owner = open_in_excel(tmp_path)
    kept = run("note", "add", "Hassan Karimi", "waited", "--date", DAY, "--config", str(config))
    assert kept.exit_code == ExitCode.WAITING, kept.output
    owner.unlink()
    (op,) = [o.op for o in Store(tmp_path / TRACKER).unwritten().ops]
    argv = [*_argv(step, tmp_path), "--config", str(config), "--format", "json"]
    dry = run(*argv, "--dry-run")
    assert dry.exit_code == 0, dry.output
    shown = json.loads(dry.stdout)
    assert shown["waiting_written"] == [op]
    assert [(w["op"], w["cell"], w["agent"]) for w in shown["waiting_changes"]] == [
        (op, "Z65", "Hassan Karimi")
    ]
    assert f"would first write 1 cell(s) of 1 change(s) waiting beside it: {op}" in dry.stderr
    real = run(*argv)
    assert real.exit_code == 0, real.output
    wrote = json.loads(real.stdout)
    assert wrote["waiting_changes"] == shown["waiting_changes"]
    assert "1 cell(s) of 1 change(s) that waited beside it were written" in real.stderr


def test_apply_loads_none_of_the_computed_columns_code_until_a_write_needs_it() -> None:
    """esp apply asks esp pending's module only for what waits beside the TBT Tracking
    Sheet: the code that works out the computed columns (with esp round's and esp
    escalations') loads when a write finds a change that needs it, not with esp apply
    (`make bench` times an apply of 30 waiting notes)."""
    code = (
        "import sys\n"
        "import esp_cli.services.apply\n"
        "heavy = ('esp_cli.services.computed', 'esp_cli.services.round',"
        " 'esp_cli.services.escalations')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    assert python_prints(code) == "[]\n"
