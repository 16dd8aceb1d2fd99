"""A waiting change whose note line names a value it does not write (the Citrix TBT Access
of `esp access set` that did not change, the date of a step recorded again) keeps that
cell as seen, not written: a teammate's change to it meanwhile is a conflict of the line
and of what the line documents — never a line written beside a cell that says otherwise."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from esp_cli.core.waiting import NAMESAKE, SEEN, Conflict, WaitingCell, WaitingOp
from esp_cli.errors import ExitCode
from esp_cli.render import Format
from esp_cli.render.pending import conflict_words, render
from esp_cli.results.pending import PendingOp, PendingResult
from esp_cli.workbook.waiting import Store
from tests.test_waiting_skip import (
    DAY,
    SHEET,
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


def test_a_seen_cells_column_renamed_meanwhile_is_said_so_never_as_emptied(
    tmp_path: Path,
) -> None:
    """Citrix TBT Access renamed in Excel while the access change waits: Q46 still holds
    Password Reset; esp pending and esp apply say its column is gone (and the header it
    has now), never that a teammate emptied it, nor that Xavier Dunn is not found."""
    config = _access_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "Q4", "Remote Issue")
    table = run("pending", "--config", config)
    assert table.exit_code == 0, table.output
    gone = "the 'Citrix TBT Access' column is no longer on the sheet 'ESP Tracker'"
    line = next(x for x in table.stderr.splitlines() if "Q46 (Citrix TBT Access" in x)
    assert gone in line and "Q4 now reads 'Remote Issue'" in line, line
    assert "it now holds" not in line
    assert "the note line names Password Reset, so it waits with what it documents" in line
    assert "Q46 (as made; its column is no longer on the sheet)" in table.stdout, table.stdout
    assert "not found" not in table.stdout
    (op,) = json.loads(run("pending", "--config", config, "-f", "json").stdout)["operations"]
    assert op["moved"] == []  # the column is gone, Xavier Dunn has not moved
    (conflict,) = op["conflicts"]
    assert conflict["kind"] == "column"
    for args in ((), ("-n",)):
        done = run("apply", *args, "--config", config)
        assert done.exit_code == ExitCode.FINDINGS, done.output
        assert gone in done.stderr and "it now holds" not in done.stderr, done.stderr


def test_a_seen_cells_agent_no_longer_found_is_said_so_never_as_emptied(tmp_path: Path) -> None:
    """Xavier Dunn's row renamed and re-keyed meanwhile (name, Agent ID and e-mail): the
    seen cell says his row is no longer there, as the cells the change writes do."""
    config = _access_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "B46", "Xavier Dunne")
    edit_cell(tmp_path / TRACKER, "C46", "E99999")
    edit_cell(tmp_path / TRACKER, "D46", "x.dunne@vendorcx.com")
    for command in (("pending",), ("apply", "-n"), ("apply",)):
        ran = run(*command, "--config", config)
        line = next(x for x in ran.stderr.splitlines() if "Q46 (Citrix TBT Access" in x)
        assert "Xavier Dunn's row is no longer there" in line, line
        assert "it now holds" not in line


def test_skip_conflicts_says_a_seen_cell_is_left_out_not_waiting(tmp_path: Path) -> None:
    """--skip-conflicts writes the change without its line (nothing of it waits after):
    the changed Q46 is said as left out with what the line documents, not as waiting."""
    config = _access_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "Q46", "Learning Hub Issue")
    for args in (("-n",), ()):
        done = run("apply", "--skip-conflicts", *args, "--config", config)
        assert done.exit_code == 0, done.output
        line = next(x for x in done.stderr.splitlines() if "Q46 (Citrix TBT Access" in x)
        assert line.startswith("left out of "), line
        assert "esp saw Password Reset, it now holds Learning Hub Issue" in line
        assert "so it is left out with what it documents" in line
        assert "wait" not in line
    assert Store(tmp_path / TRACKER).unwritten().ops == []


def _swap_rows(path: Path, a: int, b: int) -> None:
    """Rows a and b swapped, as a sort in Excel leaves them (their cells renamed)."""
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]

    def moved(text: str, old: int, new: int) -> str:
        text = re.sub(rf'<row r="{old}"', f'<row r="{new}"', text)
        return re.sub(rf'(<c r="[A-Z]+){old}"', rf'\g<1>{new}"', text)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == SHEET:
                xml = data.decode()
                first, second = (
                    re.search(rf'<row r="{r}"[^>]*>.*?</row>', xml, re.S) for r in (a, b)
                )
                assert first is not None and second is not None
                xml = (
                    xml[: first.start()]
                    + moved(second.group(0), b, a)
                    + xml[first.end() : second.start()]
                    + moved(first.group(0), a, b)
                    + xml[second.end() :]
                )
                data = xml.encode()
            out.writestr(info, data)


def test_pending_json_moved_names_the_seen_cell_after_a_sort(tmp_path: Path) -> None:
    """Rows sorted meanwhile (Xavier Dunn 46 → 45): `moved` names the seen cell too, as the
    table does (Q45, made at Q46), so a script can place every cell of the change."""
    config = _access_that_waits(tmp_path)
    _swap_rows(tmp_path / TRACKER, 45, 46)
    assert cells(tmp_path / TRACKER)["B45"] == "Xavier Dunn"
    table = run("pending", "--config", config)
    assert "ESP Tracker!Q45 (made at Q46)" in table.stdout, table.output
    (op,) = json.loads(run("pending", "--config", config, "-f", "json").stdout)["operations"]
    moved = {m["cell"]: m["now"] for m in op["moved"]}
    assert moved["Q46"] == "Q45" and moved["R46"] == "R45", moved


def test_a_written_cells_column_renamed_meanwhile_is_not_said_as_its_agent_not_found(
    tmp_path: Path,
) -> None:
    """SPOC Called Date renamed while the change waits: esp pending shows R46 as made, its
    column gone — Xavier Dunn is found, and the table does not say otherwise."""
    config = _access_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "R4", "SPOC Call")
    table = run("pending", "--config", config)
    assert "R46 (as made; its column is no longer on the sheet)" in table.stdout, table.output
    assert "not found" not in table.stdout
    assert "the 'SPOC Called Date' column is no longer on the sheet" in table.stderr
    (op,) = json.loads(run("pending", "--config", config, "-f", "json").stdout)["operations"]
    assert op["moved"] == []


def test_a_seen_cell_of_namesakes_esp_cannot_tell_apart_is_said_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A namesake conflict on a seen cell says the namesakes (never `it now holds —`), and
    the table says which agent cannot be told, not that the agent is not found."""
    seen = WaitingCell(
        "ESP Tracker", 46, 17, "Xavier Dunn", "AET-1109", "Citrix TBT Access",
        "citrix_access", SEEN, "Password Reset", "Password Reset", "E10317",
    )  # fmt: skip
    why = "two agents named Xavier Dunn in class AET-1109 (rows 46, 47); cannot tell which"
    conflict = Conflict("1a2b3c4d", seen, None, why, cause=NAMESAKE)
    words = conflict_words(conflict)
    assert words.startswith(why) and "it now holds" not in words, words
    op = WaitingOp(
        "1a2b3c4d", datetime(2026, 11, 24, 9, 0), "Jordan Reyes", "jreyes", "PC", "0.1.0",
        "esp access set", "open in Excel by Keisha Grant", ((seen,),),
    )  # fmt: skip
    pending = PendingOp(op, [conflict], placed=True)
    render(PendingResult(Path("ESP Tracker.xlsx"), Path("w"), None, [pending], []), Format.table)
    out = capsys.readouterr()
    assert "which of two namesakes is the agent cannot be told now" in out.out, out.out
    assert "not found" not in out.out
    assert why in out.err and "it now holds" not in out.err
