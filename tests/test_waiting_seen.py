"""A waiting change whose note line names a value it does not write (the Citrix TBT Access
of `esp access set` that did not change, the date of a step recorded again) keeps that
cell as seen, not written: a teammate's change to it meanwhile is a conflict of the line
and of what the line documents — never a line written beside a cell that says otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from esp_cli.errors import ExitCode
from esp_cli.workbook.waiting import Store
from tests.test_waiting_skip import (
    DAY,
    TRACKER,
    cells,
    copy_sample,
    edit_cell,
    log,
    open_in_excel,
    run,
)

# Xavier Dunn, row 46: Citrix TBT Access is Password Reset already.
ACCESS = (
    "access",
    "set",
    "Xavier Dunn",
    "Password Reset",
    "--spoc-called",
    DAY,
    "--incident",
    "INC0012345",
    "--phone",
    "5135550100",
)


def _access_that_waits(folder: Path) -> str:
    copy_sample(folder)
    config = str(folder / "esp.toml")
    assert cells(folder / TRACKER)["Q46"] == "Password Reset"
    owner = open_in_excel(folder)
    ran = run(*ACCESS, "--config", config)
    assert ran.exit_code == ExitCode.WAITING, ran.output
    owner.unlink()
    return config


def test_a_waiting_access_line_is_held_when_the_issue_it_names_changed_meanwhile(
    tmp_path: Path,
) -> None:
    """The SME corrects Xavier Dunn's issue to Learning Hub Issue in Excel while esp access
    set (Password Reset unchanged, SPOC called) waits: esp apply writes nothing of it and
    says the conflict; esp pending says it too, and the cell as seen, not written."""
    config = _access_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "Q46", "Learning Hub Issue")
    before = cells(tmp_path / TRACKER)
    pending = run("pending", "--config", config, "--format", "json")
    assert pending.exit_code == 0, pending.output
    (op,) = json.loads(pending.stdout)["operations"]
    assert op["writable"] is False
    assert [c["cell"] for c in op["seen_not_written"]] == ["Q46"]
    assert "Q46" not in {c["cell"] for c in op["cells"]}
    (conflict,) = op["conflicts"]
    assert (conflict["cell"], conflict["kind"]) == ("Q46", "changed")
    assert conflict["seen"] == "Password Reset" and conflict["now"] == "Learning Hub Issue"
    assert conflict["wanted"] is None
    table = run("pending", "--config", config)
    assert "seen, not written: Password Reset" in table.stdout, table.output
    assert "it now holds Learning Hub Issue" in table.stderr, table.output
    done = run("apply", "--config", config, "--format", "json")
    assert done.exit_code == ExitCode.FINDINGS, done.output
    assert json.loads(done.stdout)["changes"] == []
    assert "ESP Tracker!Q46 (Citrix TBT Access, Xavier Dunn): esp saw Password Reset" in (
        done.stderr
    )
    assert cells(tmp_path / TRACKER) == before
    assert len(Store(tmp_path / TRACKER).unwritten().ops) == 1


def test_skip_conflicts_leaves_out_the_line_and_what_it_documents_saying_why(
    tmp_path: Path,
) -> None:
    """--skip-conflicts: the TBT Notes line naming Password Reset stays out, and so do the
    SPOC columns it documents (both or neither), each said as left out with Q46."""
    config = _access_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "Q46", "Learning Hub Issue")
    before = cells(tmp_path / TRACKER)
    done = run("apply", "--skip-conflicts", "--config", config, "--format", "json")
    assert done.exit_code == 0, done.output
    (applied,) = json.loads(done.stdout)["applied"]
    assert applied["changes"] == []
    skipped = {s["cell"]: s for s in applied["skipped"]}
    assert skipped["Q46"]["kind"] == "changed"
    for cell in ("R46", "S46", "T46", "AA46"):
        assert skipped[cell]["kind"] == "with", skipped
        assert "left out with ESP Tracker!Q46 (Citrix TBT Access)" in skipped[cell]["reason"]
    assert cells(tmp_path / TRACKER) == before
    assert "Citrix TBT Access: Password Reset" not in cells(tmp_path / TRACKER).get("AA46", "")
    entry = log(tmp_path)[-1]
    assert "Q46 (Citrix TBT Access) left out" in entry["note"]
    assert "AA46 (TBT Notes) left out" in entry["note"]


def test_a_waiting_access_line_is_written_when_the_issue_it_names_is_still_there(
    tmp_path: Path,
) -> None:
    """Nobody touched Citrix TBT Access: the change is written whole, the cell seen left
    as it was (and never counted as a cell written)."""
    config = _access_that_waits(tmp_path)
    (op,) = Store(tmp_path / TRACKER).unwritten().ops
    assert [c.cell for c in op.seen_cells or ()] == ["Q46"]
    done = run("apply", "--config", config, "--format", "json")
    assert done.exit_code == 0, done.output
    written = {c["cell"] for c in json.loads(done.stdout)["changes"]}
    assert {"R46", "S46", "T46", "AA46"} <= written and "Q46" not in written
    now = cells(tmp_path / TRACKER)
    assert now["Q46"] == "Password Reset"
    assert "Citrix TBT Access: Password Reset; SPOC called 11/24/2026" in now["AA46"]


def test_a_waiting_change_kept_before_cells_were_seen_still_applies(tmp_path: Path) -> None:
    """A waiting file an earlier esp kept (format 1, no cell seen, not written) is written
    as before; a change without such a cell is still kept as format 1 (every esp reads
    it), one with one as format 2 (an older esp leaves it for this one, saying so)."""
    config = _access_that_waits(tmp_path)
    (op,) = Store(tmp_path / TRACKER).unwritten().ops
    file = Store(tmp_path / TRACKER).folder / op.file
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["esp_waiting"] == 2
    data["esp_waiting"] = 1
    for unit in data["units"]:
        unit["cells"] = [c for c in unit["cells"] if c["action"] != "seen"]
    file.write_text(json.dumps(data), encoding="utf-8")
    edit_cell(tmp_path / TRACKER, "Q46", "Learning Hub Issue")
    done = run("apply", "--config", config)
    assert done.exit_code == 0, done.output
    assert "SPOC called 11/24/2026" in cells(tmp_path / TRACKER)["AA46"]
    owner = open_in_excel(tmp_path)
    ran = run("note", "add", "Xavier Dunn", "Called back", "--config", config)
    assert ran.exit_code == ExitCode.WAITING, ran.output
    owner.unlink()
    (note,) = Store(tmp_path / TRACKER).unwritten().ops
    kept = json.loads((Store(tmp_path / TRACKER).folder / note.file).read_text("utf-8"))
    assert kept["esp_waiting"] == 1


def test_a_waiting_step_recorded_again_is_held_when_its_date_changed_meanwhile(
    tmp_path: Path,
) -> None:
    """Marcus Lee's coaching date is typed in Excel (11/24/2026) without a line; esp
    record-step writes only the line naming the coaching, and waits. A teammate corrects
    the date to 11/20/2026 meanwhile: the line is held, never written under another date."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    edit_cell(tmp_path / TRACKER, "V44", "11/24/2026")
    owner = open_in_excel(tmp_path)
    step = run("record-step", "Marcus Lee", "coaching", "--date", DAY, "--config", config)
    assert step.exit_code == ExitCode.WAITING, step.output
    owner.unlink()
    (op,) = Store(tmp_path / TRACKER).unwritten().ops
    assert "V44" not in {c.cell for c in op.cells}
    assert [c.cell for c in op.seen_cells or ()] == ["V44"]
    edit_cell(tmp_path / TRACKER, "V44", "11/20/2026")
    done = run("apply", "--config", config)
    assert done.exit_code == ExitCode.FINDINGS, done.output
    assert "Documented coaching" not in cells(tmp_path / TRACKER).get("Z44", "")
