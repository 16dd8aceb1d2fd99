"""esp apply --skip-conflicts writes every cell of a waiting change that does not conflict
and leaves out only what cannot go without a conflicting cell, each cell said and in the
history: an undo's cells each on their own (as esp undo --skip-conflicts puts them back);
an agent's values each on their own, but the note line documenting them and the computed
columns worked out from them only with them; a row added whole, whole. The computed
columns (Escalation Stage, Next Action, Next Action Due) of a waiting step are worked out
when it is written, from the row as it then stands: a teammate's edit of one is no
conflict, and they are written only with the step."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.services.demo import copy_sample
from esp_cli.workbook.waiting import Store
from tests.support.windows import excel_owner_file

DAY = "2026-11-24"
TRACKER = "ESP Tracker.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def run(*argv: str) -> Any:
    return CliRunner().invoke(app, list(argv))


def open_in_excel(folder: Path) -> Path:
    owner = folder / f"~${TRACKER}"
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    return owner


def edit_cell(path: Path, ref: str, text: str) -> None:
    """A teammate types `text` into `ref` of the tracker's first sheet and saves, as Excel
    does: the cell an inline string, its style kept, nothing else touched."""
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == SHEET:
                xml = data.decode()
                m = re.search(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', xml, re.S)
                if m is None:  # an empty cell: put where Excel puts it, in column order
                    xml = _with_empty(xml, ref)
                    m = re.search(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', xml, re.S)
                assert m is not None
                style = re.search(r' s="\d+"', m.group(1))
                cell = (
                    f'<c r="{ref}"{style.group(0) if style else ""} t="inlineStr"><is><t>'
                    f"{escape(text)}</t></is></c>"
                )
                data = xml.replace(m.group(0), cell).encode()
            out.writestr(info, data)


def _with_empty(xml: str, ref: str) -> str:
    letters, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()  # type: ignore[union-attr]

    def number(col: str) -> int:
        n = 0
        for ch in col:
            n = n * 26 + ord(ch) - 64
        return n

    m = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', xml, re.S)
    assert m is not None
    for c in re.finditer(r'<c r="([A-Z]+)\d+"', m.group(1)):
        if number(c.group(1)) > number(letters):
            at = m.start(1) + c.start()
            return f'{xml[:at]}<c r="{ref}"/>{xml[at:]}'
    return f'{xml[: m.end(1)]}<c r="{ref}"/>{xml[m.end(1) :]}'


def proofs_that_wait(folder: Path, config: str, busy: str = TRACKER) -> Path:
    """esp tbt proofs records Marcus Lee's transcript while `busy` (the tracker, or the TBT
    Tracking Sheet) is open in Excel: its change waits (exit 7); Excel is closed after.
    The folder of the proof."""
    proofs = folder / "tp"
    proofs.mkdir()
    (proofs / "Marcus Lee TBT.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    )
    owner = folder / f"~${busy}"
    owner.write_bytes(excel_owner_file("Keisha Grant"))
    ran = run("tbt", "proofs", str(proofs), "--config", config)
    assert ran.exit_code == ExitCode.WAITING, ran.output
    owner.unlink()
    return proofs


def coaching_that_waits(folder: Path, computed: bool = False) -> str:
    """The sample in `folder` (after a first esp escalations --write when `computed`):
    Marcus Lee's coaching is recorded while the tracker is open in Excel, so it waits
    (exit 7); Excel is closed after. The esp.toml to run esp with."""
    copy_sample(folder)
    config = str(folder / "esp.toml")
    if computed:
        wrote = run("escalations", "--write", "--write-past", "--as-of", DAY, "--config", config)
        assert wrote.exit_code == 0, wrote.output
    owner = open_in_excel(folder)
    step = run("record-step", "Marcus Lee", "coaching", "--date", DAY, "--config", config)
    assert step.exit_code == ExitCode.WAITING, step.output
    owner.unlink()
    return config


def cells(path: Path) -> dict[str, str]:
    """Every cell of the tracker's first sheet, as text."""
    with warnings.catch_warnings():  # the sample's x14 drop-down: openpyxl only warns
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path).worksheets[0]
    return {c.coordinate: str(c.value) for row in ws.iter_rows() for c in row if c.value}


def log(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "esp-backups" / f"{TRACKER}.history.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def test_a_teammates_edit_of_a_computed_column_is_worked_out_again_not_a_conflict(
    tmp_path: Path,
) -> None:
    """A waiting coaching; meanwhile a teammate types Marcus Lee's Escalation Stage and Next
    Action by hand (no step recorded). The computed columns of a waiting step are esp's,
    worked out when it is written from the row as it then stands (as esp escalations
    --write does): no conflict, the step is written and the computed cells say what the
    rules say of the row — never the values that waited, never a hand-typed stage the row
    does not back. (They were a conflict, kept, when what waited was written as it waited.)"""
    config = coaching_that_waits(tmp_path, computed=True)
    edit_cell(tmp_path / TRACKER, "AC44", "Written CAP recorded")
    edit_cell(tmp_path / TRACKER, "AD44", "Final CAP")
    done = run("apply", "--config", config, "--format", "json")
    assert done.exit_code == 0, done.output
    (applied,) = json.loads(done.stdout)["applied"]
    assert applied["skipped"] == []
    now = cells(tmp_path / TRACKER)
    assert "Documented coaching delivered" in now["Z44"]
    assert now["V44"].startswith("2026-11-24")  # the coaching date
    written = (now["AC44"], now["AD44"])
    assert written[1] == "Written CAP"  # next after the coaching, not the teammate's
    assert Store(tmp_path / TRACKER).unwritten().ops == []
    again = run("escalations", "--write", "--config", config)
    assert again.exit_code in (0, ExitCode.FINDINGS), again.output
    now = cells(tmp_path / TRACKER)
    assert (now["AC44"], now["AD44"]) == written  # what the rules say


def test_skip_conflicts_writes_a_proofs_completion_whose_date_was_typed_meanwhile(
    tmp_path: Path,
) -> None:
    """esp tbt proofs waited (tracker open) to mark Marcus Lee's TBTs complete; a teammate
    typed his TBT Complete Date meanwhile. --skip-conflicts writes All TBTs Complete? Yes
    (it does not conflict) and keeps the teammate's date: never the proof recorded in the
    TBT Tracking Sheet with the agent left not complete."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    proofs_that_wait(tmp_path, config)
    edit_cell(tmp_path / TRACKER, "P44", "12/05/2026")
    done = run("apply", "--skip-conflicts", "--config", config, "--format", "json")
    assert done.exit_code == 0, done.output
    (applied,) = [a for a in json.loads(done.stdout)["applied"] if a["skipped"]]
    assert [s["cell"] for s in applied["skipped"]] == ["P44"]
    now = cells(tmp_path / TRACKER)
    assert (now["O44"], now["P44"]) == ("Yes", "12/05/2026")
    assert Store(tmp_path / TRACKER).unwritten().ops == []


def test_skip_conflicts_puts_back_every_other_cell_of_a_waiting_undo(tmp_path: Path) -> None:
    """A waiting undo of 13 agents' Advised lines, one of them edited meanwhile: esp apply
    --skip-conflicts puts back the 12 others (as esp undo --skip-conflicts does), and says
    and records the one left out."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    out = str(tmp_path / "drafts")
    advised = run("advise", "--due", "--as-of", DAY, "--out", out, "--config", config)
    assert advised.exit_code == 0, advised.output
    written = log(tmp_path)[-1]["cells"]
    assert len(written) > 2
    owner = open_in_excel(tmp_path)
    assert run("undo", "--config", config).exit_code == ExitCode.WAITING
    owner.unlink()
    first = written[0]["cell"]
    edit_cell(tmp_path / TRACKER, first, "Edited by a teammate")
    held = run("apply", "--config", config)
    assert held.exit_code == ExitCode.FINDINGS, held.output
    done = run("apply", "--skip-conflicts", "--config", config)
    assert done.exit_code == 0, done.output
    assert "nothing left to change" not in done.output
    assert f"ESP Tracker!{first}" in done.stderr
    entry = log(tmp_path)[-1]
    assert len(entry["cells"]) == len(written) - 1
    assert first in entry["note"]
    assert Store(tmp_path / TRACKER).unwritten().ops == []
    now = cells(tmp_path / TRACKER)
    assert "Edited by a teammate" in now[first]
    for c in written[1:]:
        assert "Advised" not in now.get(c["cell"], ""), c["cell"]


def test_skip_conflicts_lists_every_cell_of_a_step_left_out_with_its_date(tmp_path: Path) -> None:
    """The coaching's date conflicts (typed in Excel meanwhile): the Notes line documenting
    it goes with it, and so do its computed cells — each named as left out, in the output
    and the history, never a change consumed with "nothing left to change" unexplained."""
    config = coaching_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "V44", "11/20/2026")
    done = run("apply", "--skip-conflicts", "--config", config, "--format", "json")
    assert done.exit_code == 0, done.output
    (applied,) = json.loads(done.stdout)["applied"]
    assert applied["changes"] == []
    skipped = {s["cell"]: s for s in applied["skipped"]}
    assert skipped["V44"]["kind"] == "changed"
    assert skipped["Z44"]["kind"] == "with"
    assert "left out with ESP Tracker!V44 (Coaching Date)" in skipped["Z44"]["reason"]
    assert "ESP Tracker!Z44 (Notes, Marcus Lee): left out with ESP Tracker!V44" in done.stderr
    # The line it would add, not the Notes cell's text; what the cell holds now in JSON.
    (said,) = [line for line in done.stderr.splitlines() if "ESP Tracker!Z44 (Notes" in line]
    assert "would add " in said and "Documented coaching delivered" in said, said
    notes = cells(tmp_path / TRACKER).get("Z44")
    assert skipped["Z44"].get("now") == notes
    entry = log(tmp_path)[-1]
    assert entry["cells"] == [] and "Z44" in entry["note"] and "V44" in entry["note"]
    # The history names the line left out of the Notes cell, not only the cell.
    assert "(the line '11/24/2026 - " in entry["note"] and "Documented coaching" in entry["note"]
    assert "Documented coaching" not in cells(tmp_path / TRACKER).get("Z44", "")


def test_skip_conflicts_csv_lists_the_cells_left_out_after_those_written(tmp_path: Path) -> None:
    """esp apply --skip-conflicts --format csv: the cells written, then each cell left out
    with status left_out and why, in columns after the usual ones (their places kept): a
    script can tell that a change was written in part."""
    config = coaching_that_waits(tmp_path)
    edit_cell(tmp_path / TRACKER, "V44", "11/20/2026")
    done = run("apply", "--skip-conflicts", "--config", config, "--format", "csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0])[:7] == ["sheet", "cell", "agent", "column", "old", "new", "waiting_op"]
    assert list(rows[0])[7:] == ["status", "reason"]
    left = {r["cell"]: r for r in rows if r["status"] == "left_out"}
    assert {"V44", "Z44"} <= set(left)
    # Unchanged, as the cell is now: a script reading only old and new sees no change;
    # what esp would have written is in the reason.
    now = cells(tmp_path / TRACKER)
    assert (left["V44"]["old"], left["V44"]["new"]) == ("2026-11-20", "2026-11-20")
    assert left["Z44"]["old"] == left["Z44"]["new"] == now.get("Z44", "")
    assert left["V44"]["waiting_op"]
    assert left["V44"]["reason"].startswith("esp saw ")
    assert left["V44"]["reason"].endswith("would write 11/24/2026"), left["V44"]["reason"]
    assert left["Z44"]["reason"].startswith("left out with ESP Tracker!V44 (Coaching Date)")
    assert "would add " in left["Z44"]["reason"]
    assert "Documented coaching" in left["Z44"]["reason"]
    assert all(r["status"] in ("changed", "left_out") for r in rows)


def test_a_note_line_that_cannot_go_in_holds_back_the_values_it_documents(
    tmp_path: Path,
) -> None:
    """A waiting coaching; meanwhile a teammate fills Marcus Lee's Notes near Excel's
    32,767 characters, so the coaching's line cannot go in: --skip-conflicts leaves out the
    coaching's date with it (both or neither), each listed, and its computed cells are
    left as they are — never a coaching recorded without the line documenting it."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    computed = run("escalations", "--write", "--write-past", "--as-of", DAY, "--config", config)
    assert computed.exit_code == 0, computed.output
    before = cells(tmp_path / TRACKER)
    owner = open_in_excel(tmp_path)
    step = run("record-step", "Marcus Lee", "coaching", "--date", DAY, "--config", config)
    assert step.exit_code == ExitCode.WAITING, step.output
    owner.unlink()
    edit_cell(tmp_path / TRACKER, "Z44", "x" * 32_740)
    done = run("apply", "--skip-conflicts", "--config", config, "--format", "json")
    assert done.exit_code == 0, done.output
    (applied,) = json.loads(done.stdout)["applied"]
    assert applied["changes"] == []
    # The computed cells are worked out only after a step written: none here, none listed.
    assert {s["cell"] for s in applied["skipped"]} == {"V44", "Z44"}
    now = cells(tmp_path / TRACKER)
    assert now.get("V44") == before.get("V44")  # no coaching date without its line
    assert (now["AC44"], now["AD44"]) == (before["AC44"], before["AD44"])


def test_a_proofs_row_whose_place_a_teammate_took_says_how_to_add_it_after_all(
    tmp_path: Path,
) -> None:
    """esp tbt proofs waited beside the TBT Tracking Sheet (open in Excel) to add Marcus
    Lee's row; meanwhile a teammate typed another proof on that row. --skip-conflicts
    leaves the row out whole — and says the proof is not recorded and the command that
    records it on the next free row, which does."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    assert run("tbt", "proofs", str(tmp_path / "tbt-proofs"), "--config", config).exit_code == 0
    sheet = tmp_path / "TBT Tracking Sheet.xlsx"
    proofs = proofs_that_wait(tmp_path, config, busy=sheet.name)
    row = (
        '<row r="3"><c r="A3" t="inlineStr"><is><t>Kayla Brooks</t></is></c>'
        '<c r="C3" t="inlineStr"><is><t>Kayla emailed cert.pdf</t></is></c></row>'
    )
    with zipfile.ZipFile(sheet) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(sheet, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == SHEET:
                data = data.replace(b"</row></sheetData>", f"</row>{row}</sheetData>".encode())
            out.writestr(info, data)
    done = run("apply", "--skip-conflicts", "-t", str(sheet), "--config", config)
    assert done.exit_code == 0, done.output
    assert "TBT Tracking!row 3) were not added: another row is there now" in done.stderr
    assert "again to add them on the next free row" in done.stderr
    again = run("tbt", "proofs", str(proofs), "--config", config, "-n")
    assert again.exit_code == 0, again.output
    assert "Would record 1 proof(s)" in again.stderr + again.stdout


def test_a_waited_undos_notes_cell_changed_meanwhile_is_said_where_it_differs(
    tmp_path: Path,
) -> None:
    """A waiting undo of a coaching; a teammate added a line to Marcus Lee's Notes
    meanwhile: the cell left out is said as esp undo says it — the line added — not as
    three whole multi-line texts."""
    copy_sample(tmp_path)
    config = str(tmp_path / "esp.toml")
    step = run("record-step", "Marcus Lee", "coaching", "--date", DAY, "--config", config)
    assert step.exit_code == 0, step.output
    owner = open_in_excel(tmp_path)
    assert run("undo", "--config", config).exit_code == ExitCode.WAITING
    owner.unlink()
    notes = cells(tmp_path / TRACKER)["Z44"]
    added = "11/25/2026 - Tom Alvarez - Marcus acknowledged the coaching by phone."
    edit_cell(tmp_path / TRACKER, "Z44", f"{notes}\n{added}")
    done = run("apply", "-n", "--skip-conflicts", "--config", config)
    assert done.exit_code == 0, done.output
    (said,) = [line for line in done.stderr.splitlines() if "!Z44 (Notes" in line]
    assert f"it now holds the same followed by ' / {added[:40]}" in said, said
    assert len(said) < 400
