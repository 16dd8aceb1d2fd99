"""A waiting change that writes a cell the rules read (a step's date, access, a completion)
gets the agent's computed columns (Escalation Stage, Next Action, Next Action Due) worked
out when it is written, from the row as it then stands: a fact the team changed in Excel
meanwhile (All TBTs Complete? Yes) is counted, never the values worked out from the row
as it was when the change was made."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from esp_cli.errors import ExitCode
from esp_cli.workbook.waiting import Store
from tests.test_waiting_skip import (
    DAY,
    TRACKER,
    cells,
    coaching_that_waits,
    copy_sample,
    edit_cell,
    log,
    open_in_excel,
    proofs_that_wait,
    run,
)

COMPUTED = ("AC", "AD", "AE")


def _computed(folder: Path, row: int) -> tuple[str | None, ...]:
    now = cells(folder / TRACKER)
    return tuple(now.get(f"{col}{row}") for col in COMPUTED)


def _as_escalations_says(folder: Path, config: str, row: int) -> tuple[str | None, ...]:
    """The row's computed cells as esp escalations --write makes them: what the rules say
    now (run after the cells are checked: it writes them)."""
    wrote = run("escalations", "--write", "--config", config)
    assert wrote.exit_code in (0, ExitCode.FINDINGS), wrote.output
    return _computed(folder, row)


def _waits_then_tbts_complete(tmp_path: Path, *command: str) -> tuple[str, ...]:
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    computed = run("escalations", "--write", "--write-past", "--as-of", DAY, "--config", config)
    assert computed.exit_code == 0, computed.output
    owner = open_in_excel(tmp_path)
    ran = run(*command, "--config", config)
    assert ran.exit_code == ExitCode.WAITING, ran.output
    (op,) = Store(tmp_path / TRACKER).unwritten().ops
    assert {c.column for c in op.cells} & {"Escalation Stage", "Next Action", "Next Action Due"}
    owner.unlink()
    # The teammate with the file open marks Ethan Brooks's TBTs complete.
    edit_cell(tmp_path / TRACKER, "O23", "Yes")
    return (config,)


def test_a_waiting_step_is_written_with_the_computed_columns_of_the_row_as_it_now_stands(
    tmp_path: Path,
) -> None:
    """esp record-step waits (final CAP for Ethan Brooks); All TBTs Complete? is set Yes in
    Excel meanwhile: esp apply writes the step and Escalation Stage 'Complete' with no Next
    Action — as esp escalations says — never 'Final CAP recorded / Term review'."""
    (config,) = _waits_then_tbts_complete(
        tmp_path, "record-step", "Ethan Brooks", "final CAP", "--date", DAY
    )
    done = run("apply", "--config", config)
    assert done.exit_code == 0, done.output
    assert Store(tmp_path / TRACKER).unwritten().ops == []
    now = cells(tmp_path / TRACKER)
    assert now["X23"].startswith("2026-11-24")  # the step is written
    assert "Final CAP delivered" in now["Z23"]
    written = _computed(tmp_path, 23)
    assert written == ("Complete", None, None)
    assert written == _as_escalations_says(tmp_path, config, 23)


def test_a_waiting_access_change_is_written_with_the_computed_columns_as_they_now_stand(
    tmp_path: Path,
) -> None:
    """The same for esp access set: its computed cells follow the row as it is when written."""
    (config,) = _waits_then_tbts_complete(
        tmp_path, "access", "set", "Ethan Brooks", "password reset"
    )
    done = run("apply", "--config", config)
    assert done.exit_code == 0, done.output
    assert cells(tmp_path / TRACKER)["Q23"] == "Password Reset"
    written = _computed(tmp_path, 23)
    assert written == ("Complete", None, None)
    assert written == _as_escalations_says(tmp_path, config, 23)


def test_a_waiting_proof_is_written_with_the_computed_columns_as_they_now_stand(
    tmp_path: Path,
) -> None:
    """esp tbt proofs waits to mark Marcus Lee's TBTs complete (his call cert not yet
    recorded); a teammate records his call cert complete in Excel meanwhile: esp apply
    writes the completion and Escalation Stage 'Complete', as esp escalations says."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    computed = run("escalations", "--write", "--write-past", "--as-of", DAY, "--config", config)
    assert computed.exit_code == 0, computed.output
    proofs_that_wait(tmp_path, config)
    edit_cell(tmp_path / TRACKER, "L44", "Yes")
    done = run("apply", "--config", config)
    assert done.exit_code == 0, done.output
    assert cells(tmp_path / TRACKER)["O44"] == "Yes"
    written = _computed(tmp_path, 44)
    assert written == ("Complete", None, None)
    assert written == _as_escalations_says(tmp_path, config, 44)


def test_esp_pending_shows_no_conflict_for_a_computed_cell_worked_out_at_write_time(
    tmp_path: Path,
) -> None:
    """A teammate types Ethan Brooks's Next Action by hand while a step waits: esp pending
    says the change would be written (esp apply works the computed columns out again),
    not that it is held by a conflict."""
    (config,) = _waits_then_tbts_complete(
        tmp_path, "record-step", "Ethan Brooks", "final CAP", "--date", DAY
    )
    edit_cell(tmp_path / TRACKER, "AD23", "Call him")
    shown = run("pending", "--config", config, "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert "conflict" not in shown.stdout.replace('"conflicts": []', ""), shown.stdout
    done = run("apply", "--config", config)
    assert done.exit_code == 0, done.output
    assert _computed(tmp_path, 23) == ("Complete", None, None)


def test_esp_pending_says_where_the_worked_out_cells_go_and_that_they_are_worked_out(
    tmp_path: Path,
) -> None:
    """A waiting coaching's computed cells are worked out when written: esp pending says so
    (table, JSON, CSV) and where they go — never that the agent is not found now."""
    import json

    config = coaching_that_waits(tmp_path, computed=True)
    table = run("pending", "--config", config)
    assert table.exit_code == 0, table.output
    assert "not found now" not in table.output
    assert "worked out when written" in table.output
    (op,) = json.loads(run("pending", "--config", config, "-f", "json").stdout)["operations"]
    assert op["moved"] == []
    assert {c["cell"] for c in op["worked_out_cells"]} == {"AC44", "AD44", "AE44"}
    rows = list(csv.DictReader(io.StringIO(run("pending", "--config", config, "-f", "csv").stdout)))
    assert sorted(r["cell"] for r in rows if r["worked_out"] == "yes") == ["AC44", "AD44", "AE44"]
    assert not any(r["not_worked_out"] for r in rows)


def _step_that_waits_then_computed_renamed(folder: Path) -> str:
    """Marcus Lee's coaching waits (with his computed cells); meanwhile the team renames
    Next Action to 'Next Step' and Next Action Due to 'Next Action'."""
    config = coaching_that_waits(folder, computed=True)
    edit_cell(folder / TRACKER, "AD4", "Next Step")
    edit_cell(folder / TRACKER, "AE4", "Next Action")
    return config


def test_a_computed_column_renamed_while_a_step_waits_is_said_not_dropped_in_silence(
    tmp_path: Path,
) -> None:
    """The step and its note line are written; the computed cells esp cannot bring up to
    date are said — by esp pending, esp apply (text and JSON) and the history — with why
    (the column's header changed) and the fix."""
    config = _step_that_waits_then_computed_renamed(tmp_path)
    before = cells(tmp_path / TRACKER)
    pending = run("pending", "--config", config, "--format", "json")
    assert pending.exit_code == 0, pending.output
    (op,) = json.loads(pending.stdout)["operations"]
    assert op["writable"] is True
    unworked = {n["cell"]: n for n in op["not_worked_out"]}
    assert set(unworked) == {"AC44", "AD44", "AE44"}
    assert "AE4 now reads 'Next Action'" in unworked["AE44"]["reason"]
    assert "esp escalations --write" in unworked["AE44"]["fix"]
    table = run("pending", "--config", config)
    assert "not brought up to date" in table.stdout + table.stderr, table.output
    assert "AE44 (as made; its column is no longer on the sheet)" in table.stdout, table.stdout
    listed = run("pending", "--config", config, "--format", "csv")
    rows = {r["cell"]: r for r in csv.DictReader(io.StringIO(listed.stdout))}
    for cell in ("AC44", "AD44", "AE44"):  # never `yes`: brought up to date when written
        assert rows[cell]["worked_out"] == "no", rows[cell]
        assert "'Next Action Due'" in rows[cell]["not_worked_out"], rows[cell]
    assert rows["V44"]["worked_out"] == "" and rows["V44"]["not_worked_out"] == ""
    done = run("apply", "--config", config, "--format", "json")
    assert done.exit_code == 0, done.output
    (applied,) = json.loads(done.stdout)["applied"]
    assert {n["cell"] for n in applied["not_worked_out"]} == {"AC44", "AD44", "AE44"}
    assert "Marcus Lee's computed cells ESP Tracker!AC44 (Escalation Stage)" in done.stderr
    assert "not brought up to date" in done.stderr and "esp escalations --write" in done.stderr
    now = cells(tmp_path / TRACKER)
    assert now["V44"].startswith("2026-11-24")  # the step, and its line, are written
    assert "Documented coaching delivered" in now["Z44"]
    for col in COMPUTED:
        assert now.get(f"{col}44") == before.get(f"{col}44")
    entry = log(tmp_path)[-1]
    assert "not brought up to date" in entry["note"] and "AE4 now reads" in entry["note"]


def test_a_direct_step_on_a_sheet_lacking_a_computed_column_says_so(tmp_path: Path) -> None:
    """esp record-step on a tracker whose Next Action Due is renamed: the step is written,
    and esp says the computed columns were not brought up to date, and why."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    computed = run("escalations", "--write", "--write-past", "--as-of", DAY, "--config", config)
    assert computed.exit_code == 0, computed.output
    edit_cell(tmp_path / TRACKER, "AE4", "Due By")
    ran = run("record-step", "Marcus Lee", "coaching", "--date", DAY, "--config", config)
    assert ran.exit_code == 0, ran.output
    assert "were not brought up to date" in ran.stderr, ran.output
    assert "no 'Next Action Due' column" in ran.stderr
    as_json = run(
        "record-step", "Ethan Brooks", "final CAP", "--date", DAY, "--config", config, "-n",
        "--format", "json",
    )  # fmt: skip
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["computed_missing"] == ["Next Action Due"]


def _proof_folder(folder: Path) -> str:
    proofs = folder / "tp"
    proofs.mkdir()
    (proofs / "Marcus Lee TBT.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    return str(proofs)


# What every command that keeps the computed columns says of a sheet lacking Next Action Due.
NO_NEXT_ACTION_DUE = (
    "warning: Escalation Stage, Next Action and Next Action Due were not brought up to date: "
    "the sheet 'ESP Tracker' has no 'Next Action Due' column (renamed or deleted?), and the "
    "three are written together; give the column its header back (or map it in esp.toml "
    "[columns]), then run esp escalations --write."
)

# Every command that keeps an agent's computed columns beside its own cells, and what the
# JSON says of a sheet lacking some of them.
FOLLOWING = {
    "access set": (("access", "set", "Marcus Lee", "password reset"), ["Next Action Due"]),
    "sync-nnumbers": (("sync-nnumbers",), {"ESP Tracker": ["Next Action Due"]}),
    "tbt proofs": (("tbt", "proofs", "{proofs}"), {"ESP Tracker": ["Next Action Due"]}),
}


@pytest.mark.parametrize("command", list(FOLLOWING))
def test_every_command_keeping_computed_columns_says_a_sheet_lacks_one(
    tmp_path: Path, command: str
) -> None:
    """As esp record-step does: on a tracker whose Next Action Due is renamed, esp access
    set, esp sync-nnumbers and esp tbt proofs write their own cells and say, in the same
    words, that the computed columns were not brought up to date, and why; on the whole
    layout they say nothing of it."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    computed = run("escalations", "--write", "--write-past", "--as-of", DAY, "--config", config)
    assert computed.exit_code == 0, computed.output
    argv, in_json = FOLLOWING[command]
    proofs = _proof_folder(tmp_path)
    args = [a.replace("{proofs}", proofs) for a in argv]
    whole = run(*args, "--config", config, "-n", "--format", "json")
    assert whole.exit_code in (0, ExitCode.FINDINGS), whole.output
    assert "not brought up to date" not in whole.stderr
    assert "computed_missing" not in json.loads(whole.stdout)
    edit_cell(tmp_path / TRACKER, "AE4", "Due By")
    as_json = run(*args, "--config", config, "-n", "--format", "json")
    assert json.loads(as_json.stdout)["computed_missing"] == in_json
    ran = run(*args, "--config", config)
    assert ran.exit_code in (0, ExitCode.FINDINGS), ran.output
    said = [line for line in ran.stderr.splitlines() if "not brought up to date" in line]
    assert said == [NO_NEXT_ACTION_DUE], ran.stderr


# What the team does in Excel while Marcus Lee's coaching waits with his computed cells:
# (cell, text) typed, and whether esp apply will work AC44:AE44 out (True), leave them (False)
# or hold the whole change for a conflict (None).
MEANWHILE = {
    "nothing": ([], True),
    "ESP Start Date renamed": ([("J4", "Start")], False),
    "the same coaching date typed": ([("V44", "11/24/2026")], False),
    "a column renamed, and a conflict": ([("AE4", "Due By"), ("V44", "11/20/2026")], None),
}


@pytest.mark.parametrize("meanwhile", list(MEANWHILE))
def test_esp_pending_says_of_the_computed_cells_what_esp_apply_then_does(
    tmp_path: Path, meanwhile: str
) -> None:
    """esp pending, then esp apply, on the same tracker: the computed cells pending says
    are worked out when written are those apply writes; those it says are left (a column
    the rules need renamed, the step's date typed by hand already: nothing the rules read
    is written) apply leaves and says so, as pending did, with the same reason; a change a
    conflict holds is warned of for its conflict only, as apply warns of it."""
    config = coaching_that_waits(tmp_path, computed=True)
    edits, worked = MEANWHILE[meanwhile]
    for ref, text in edits:
        edit_cell(tmp_path / TRACKER, ref, text)
    before = _computed(tmp_path, 44)
    listed = run("pending", "--config", config, "--format", "json")
    assert listed.exit_code == 0, listed.output
    (op,) = json.loads(listed.stdout)["operations"]
    told = run("pending", "--config", config)
    left = {n["cell"]: n["reason"] for n in op["not_worked_out"]}
    done = run("apply", "--config", config, "--format", "json")
    after = _computed(tmp_path, 44)
    if worked is None:
        assert done.exit_code == ExitCode.FINDINGS, done.output
        assert not op["writable"] and left == {}
        assert "will leave" not in told.stderr and "not brought up to date" not in told.output
        assert "not brought up to date" not in done.stderr
        assert after == before
        return
    assert done.exit_code == 0, done.output
    (applied,) = json.loads(done.stdout)["applied"]
    if worked:
        assert left == {} and after != before
        assert "worked out when written" in told.stdout
        assert applied["not_worked_out"] == []
    else:
        assert set(left) == {"AC44", "AD44", "AE44"} and after == before
        assert {n["cell"]: n["reason"] for n in applied["not_worked_out"]} == left
        assert f"{op['op']} will leave Marcus Lee's computed cells" in told.stderr
        assert "Marcus Lee's computed cells ESP Tracker!AC44" in done.stderr
