"""The operation log stays the tracker's own, whole and true: whatever bytes the system gives
esp (a file name, an argument or a path that is not UTF-8), whichever trackers share a
backups folder, and whoever shares an agent's name.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.demo import copy_sample
from tests.support.processes import DEADLINE_SECONDS

ROOT = Path(__file__).resolve().parents[1]

DAY = "2026-11-24"


def esp(*args: str, cwd: Path | None = None) -> Any:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        os.chdir(old)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """esp as the system starts it: arguments as bytes (a name that is not UTF-8 reaches
    it as such), output as the console takes it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONIOENCODING": ""}
    return subprocess.run(
        [sys.executable, "-m", "esp_cli", *args], cwd=cwd, env=env, capture_output=True,
        timeout=DEADLINE_SECONDS,
    )  # fmt: skip


def log_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_bytes().splitlines() if line.strip()]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy_sample(tmp_path / "s")
    return tmp_path / "s"


# -- bytes that are not UTF-8 ----------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_recorded_and_the_write_can_be_undone(
    folder: Path,
) -> None:
    """`notes-été.csv` saved by an old program in Latin-1: its name reaches esp as bytes that
    are not UTF-8 (kept by Python as lone surrogates)."""
    name = os.fsdecode(b"notes-\xe9t\xe9.csv")
    (folder / name).write_text("agent,note\nTyrone Jackson,from a latin-1 named file\n")
    res = run("note", "import", name, "--by", "X", cwd=folder)
    assert res.returncode == 0, res.stderr
    (entry,) = log_lines(folder / "esp-backups" / "ESP Tracker.xlsx.history.jsonl")
    # The very bytes, escaped in the log (JSON's \\udce9) and read back as they were.
    assert entry["command"] == shlex.join(["esp", "note", "import", name, "--by", "X"])
    assert entry["state"] == "written"
    assert run("undo", cwd=folder).returncode == 0
    res = run("history", "--format", "json", cwd=folder)
    assert res.returncode == 0, res.stderr


def test_an_agent_argument_that_is_not_utf8_is_recorded(folder: Path) -> None:
    """`esp note add $'Tyrone\\xa0Jackson' ...` in a terminal that is not UTF-8: the name
    is found (its words), the note written, and the command recorded as typed."""
    query = os.fsdecode(b"Tyrone\xa0Jackson")
    res = run("note", "add", query, "next", "--by", "X", "--date", DAY, cwd=folder)
    assert res.returncode == 0, res.stderr
    (entry,) = log_lines(folder / "esp-backups" / "ESP Tracker.xlsx.history.jsonl")
    assert entry["command"].startswith(f"esp note add '{query}' next")
    assert run("undo", cwd=folder).returncode == 0


def test_a_tracker_path_that_is_not_utf8_is_recorded(tmp_path: Path) -> None:
    copy_sample(tmp_path / "s")
    name = os.fsdecode(b"Tr\xe4cker.xlsx")
    shutil.move(tmp_path / "s" / "ESP Tracker.xlsx", tmp_path / "s" / name)
    path = tmp_path / "s" / name
    res = run("note", "add", "Tyrone Jackson", "x", "--by", "X", "--date", DAY, "-t", str(path),
              cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    (entry,) = log_lines(tmp_path / "s" / "esp-backups" / f"{name}.history.jsonl")
    assert entry["backup"].startswith("Tr\udce4cker.") and str(path) in entry["command"]
    assert run("undo", "-t", str(path), cwd=tmp_path).returncode == 0


# -- whose log, whose backups ----------------------------------------------------------------


def team(root: Path, name: str, backup_dir: Path, tracker: str = "ESP Tracker.xlsx") -> Path:
    """A team's folder: the sample tracker (as `tracker`) and an esp.toml that keeps one
    backup, in `backup_dir`."""
    folder = root / name
    copy_sample(folder)
    if tracker != "ESP Tracker.xlsx":
        shutil.copy(folder / "ESP Tracker.xlsx", folder / tracker)
    (folder / "esp.toml").write_text(
        f'[tracker]\npath = "{tracker}"\n[people]\nuser = "Tester {name}"\n'
        f'[backup]\ndir = "{backup_dir.as_posix()}"\nkeep_days = 0\nkeep_count = 1\n'
    )
    return folder


def history_of(folder: Path, *args: str) -> list[dict[str, Any]]:
    res = esp("history", "--format", "json", *args, cwd=folder)
    assert res.exit_code == 0, res.output
    ops: list[dict[str, Any]] = json.loads(res.stdout)["operations"]
    return ops


def test_two_teams_trackers_of_one_name_sharing_a_backup_folder_keep_apart(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "bk"
    a, b = team(tmp_path, "A", shared), team(tmp_path, "B", shared)
    assert esp("note", "add", "Tyrone Jackson", "team A", "--date", DAY, cwd=a).exit_code == 0
    assert esp("note", "add", "Natalie Ford", "team B", "--date", DAY, cwd=b).exit_code == 0
    # Each has its own folder there: B's write prunes none of A's backups.
    mine = shared / "ESP Tracker.xlsx (A)"
    assert len(list(mine.glob("ESP Tracker.*.op-*.xlsx"))) == 1
    assert len(list((shared / "ESP Tracker.xlsx (B)").glob("ESP Tracker.*.op-*.xlsx"))) == 1
    (op,) = history_of(a)
    assert "team A" in op["command"] and op["kind"] == "write"
    res = esp("undo", "--dry-run", cwd=a)
    assert res.exit_code == 0 and op["op"] in res.output, res.output
    assert esp("note", "add", "Tyrone Jackson", "again", "--date", DAY, cwd=a).exit_code == 0
    assert [o["kind"] for o in history_of(a)] == ["write", "write"]  # none "outside esp"


def test_an_xlsx_and_an_xlsm_of_one_name_keep_apart(tmp_path: Path) -> None:
    copy_sample(tmp_path / "s")
    folder = tmp_path / "s"
    shutil.copy(folder / "ESP Tracker.xlsx", folder / "ESP Tracker.xlsm")
    xlsx, xlsm = ("-t", "ESP Tracker.xlsx"), ("-t", "ESP Tracker.xlsm")
    assert (
        esp("note", "add", "Tyrone Jackson", "x", "--date", DAY, *xlsx, cwd=folder).exit_code == 0
    )
    assert esp("note", "add", "Natalie Ford", "m", "--date", DAY, *xlsm, cwd=folder).exit_code == 0
    (op,) = history_of(folder, *xlsx)
    assert "Tyrone" in op["command"]
    (op,) = history_of(folder, *xlsm)
    assert "Natalie" in op["command"]
    logs = sorted(p.name for p in (folder / "esp-backups").glob("*.jsonl"))
    assert logs == ["ESP Tracker.xlsm.history.jsonl", "ESP Tracker.xlsx.history.jsonl"]


def test_one_tracker_reached_by_two_paths_shares_one_history(tmp_path: Path) -> None:
    """OneDrive under each user's profile: C:\\Users\\jo\\OneDrive - Corp\\ESP\\ and
    C:\\Users\\sam\\...\\ESP\\ hold the same tracker; both esp.toml name one shared folder."""
    shared = tmp_path / "share" / "esp-backups"
    jo = team(tmp_path / "jo" / "OneDrive - Corp", "ESP", shared)
    sam = team(tmp_path / "sam" / "OneDrive - Corp", "ESP", shared)
    assert esp("note", "add", "Tyrone Jackson", "by Jo", "--date", DAY, cwd=jo).exit_code == 0
    shutil.copy(jo / "ESP Tracker.xlsx", sam / "ESP Tracker.xlsx")  # OneDrive syncs it
    assert esp("note", "add", "Tyrone Jackson", "by Sam", "--date", DAY, cwd=sam).exit_code == 0
    ops = history_of(jo)
    assert [o["kind"] for o in ops] == ["write", "write"]
    assert [o["signer"] for o in ops] == ["Tester ESP", "Tester ESP"]
    assert esp("undo", cwd=jo).exit_code != 0  # jo's copy has not synced Sam's write yet
    shutil.copy(sam / "ESP Tracker.xlsx", jo / "ESP Tracker.xlsx")
    assert esp("undo", cwd=jo).exit_code == 0  # Sam's write, undone from Jo's computer


def test_a_link_to_the_trackers_folder_is_the_same_tracker(tmp_path: Path) -> None:
    shared = tmp_path / "bk"
    real = team(tmp_path, "Cert", shared)
    link = tmp_path / "S-drive"
    link.symlink_to(real, target_is_directory=True)
    assert esp("note", "add", "Tyrone Jackson", "x", "--date", DAY, cwd=real).exit_code == 0
    (via_real,) = history_of(real)
    (via_link,) = history_of(link)
    assert via_real == via_link


def test_a_log_kept_under_its_old_name_is_read_and_carried_on(tmp_path: Path) -> None:
    copy_sample(tmp_path / "s")
    folder = tmp_path / "s"
    assert esp("note", "add", "Tyrone Jackson", "old", "--date", DAY, cwd=folder).exit_code == 0
    backups = folder / "esp-backups"
    new, old = backups / "ESP Tracker.xlsx.history.jsonl", backups / "ESP Tracker.history.jsonl"
    old.write_bytes(new.read_bytes().replace(b',"state":"written"', b""))  # as esp wrote it
    new.unlink()
    (first,) = history_of(folder)
    assert esp("undo", "--dry-run", cwd=folder).exit_code == 0
    assert esp("note", "add", "Tyrone Jackson", "new", "--date", DAY, cwd=folder).exit_code == 0
    ops = history_of(folder)
    assert [o["op"] for o in ops][1] == first["op"] and len(ops) == 2
    assert old.exists()  # left as it was
    assert esp("undo", cwd=folder).exit_code == 0
    assert esp("undo", cwd=folder).exit_code == 0  # the write recorded in the old log


def test_an_old_log_shared_by_an_xlsx_and_an_xlsm_is_split_by_their_backups(
    tmp_path: Path,
) -> None:
    copy_sample(tmp_path / "s")
    folder = tmp_path / "s"
    shutil.copy(folder / "ESP Tracker.xlsx", folder / "ESP Tracker.xlsm")
    for name, who in (("ESP Tracker.xlsx", "Tyrone Jackson"), ("ESP Tracker.xlsm", "Natalie Ford")):
        res = esp("note", "add", who, "x", "--date", DAY, "-t", name, cwd=folder)
        assert res.exit_code == 0, res.output
    backups = folder / "esp-backups"
    mixed = b"".join((backups / f"{n}.history.jsonl").read_bytes() for n in ("ESP Tracker.xlsx",
                     "ESP Tracker.xlsm"))  # fmt: skip
    for n in ("ESP Tracker.xlsx", "ESP Tracker.xlsm"):
        (backups / f"{n}.history.jsonl").unlink()
    (backups / "ESP Tracker.history.jsonl").write_bytes(mixed)
    (op,) = history_of(folder, "-t", "ESP Tracker.xlsm")
    assert "Natalie" in op["command"]
    (op,) = history_of(folder, "-t", "ESP Tracker.xlsx")
    assert "Tyrone" in op["command"]


# -- namesakes, and conflicts named right ---------------------------------------------------------


def load(path: Path) -> Any:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on the x14 drop-downs it does not keep
        return openpyxl.load_workbook(path)


def namesakes(folder: Path) -> Path:
    """Rows 25 and 26 of class AET-1102 both "Tyrone Jackson", without Agent ID or e-mail
    (a tracker that keeps names only); their N Numbers differ (N482933 is row 25's)."""
    path = folder / "ESP Tracker.xlsx"
    wb = load(path)
    ws = wb["ESP Tracker"]
    for r in (25, 26):
        ws[f"C{r}"] = None
        ws[f"D{r}"] = None
    ws["B26"] = "Tyrone Jackson"
    wb.save(path)
    return path


def cell_value(path: Path, ref: str) -> Any:
    return load(path)["ESP Tracker"][ref].value


def test_an_immediate_undo_between_namesakes_puts_the_cell_back(folder: Path) -> None:
    path = namesakes(folder)
    before = cell_value(path, "Z25"), cell_value(path, "Z26")
    res = esp("note", "add", "N482933", "hello", "--date", DAY, "--by", "T", cwd=folder)
    assert res.exit_code == 0, res.output
    res = esp("undo", cwd=folder)
    assert res.exit_code == 0, res.output
    assert (cell_value(path, "Z25"), cell_value(path, "Z26")) == before


def test_namesakes_are_told_apart_by_their_n_number_after_a_sort(folder: Path) -> None:
    path = namesakes(folder)
    res = esp("note", "add", "N482933", "hello", "--date", DAY, "--by", "T", cwd=folder)
    assert res.exit_code == 0, res.output
    (entry,) = log_lines(folder / "esp-backups" / "ESP Tracker.xlsx.history.jsonl")
    assert entry["cells"][0]["n_number"] == "N482933"
    wb = load(path)
    ws = wb["ESP Tracker"]
    for col in range(1, ws.max_column + 1):  # the two rows swapped (a sort in Excel)
        a, b = ws.cell(25, col), ws.cell(26, col)
        a.value, b.value = b.value, a.value
    wb.save(path)
    assert cell_value(path, "F26") == "N482933"
    res = esp("undo", cwd=folder)
    assert res.exit_code == 0, res.output
    assert "hello" not in str(cell_value(path, "Z26")) and "hello" not in str(
        cell_value(path, "Z25")
    )


def test_namesakes_without_anything_to_tell_them_apart_get_the_right_fix(folder: Path) -> None:
    path = namesakes(folder)
    res = esp("note", "add", "N482933", "hello", "--date", DAY, "--by", "T", cwd=folder)
    assert res.exit_code == 0, res.output
    wb = load(path)
    ws = wb["ESP Tracker"]
    ws["F25"] = ws["F26"] = None  # nothing left to tell them apart
    ws["A1"] = "saved in Excel"
    wb.save(path)
    res = esp("undo", cwd=folder)
    assert res.exit_code == 1
    said = " ".join(res.stderr.split())
    assert "two agents named" in said and "in class AET-1102" in said
    assert "cannot tell which" in said
    assert "undo the later operations" not in res.stderr
    assert "Agent ID, e-mail or N Number" in res.stderr


def test_a_conflict_shows_where_the_two_texts_differ_and_who_changed_it(folder: Path) -> None:
    res = esp("note", "add", "Tyrone Jackson", "esp line", "--date", DAY, "--by", "T", cwd=folder)
    assert res.exit_code == 0, res.output
    path = folder / "ESP Tracker.xlsx"
    wb = load(path)
    c = wb["ESP Tracker"]["Z25"]
    c.value = c.value + "\n11/24/2026 - Dana - typed in Excel"
    wb.save(path)
    res = esp("undo", cwd=folder)
    assert res.exit_code == 1
    (line,) = [x for x in res.stderr.splitlines() if x.startswith("  ESP Tracker!Z25")]
    assert "typed in Excel" in line  # the part that differs is shown
    wrote, _, now = line.partition(", it now holds ")
    assert wrote.split(" wrote ")[1] != now.split(" (")[0]
    assert "changed outside esp" in line
    assert "undo the later operations" not in res.stderr


def test_a_conflict_with_a_later_esp_write_names_it(folder: Path) -> None:
    first = esp("note", "add", "Tyrone Jackson", "one", "--date", DAY, "--by", "T", cwd=folder)
    assert first.exit_code == 0
    later = esp("note", "add", "Tyrone Jackson", "two", "--date", DAY, "--by", "T", cwd=folder)
    assert later.exit_code == 0
    ops = [o["op"] for o in history_of(folder)]
    res = esp("undo", ops[1], cwd=folder)
    assert res.exit_code == 1
    assert f"changed by esp operation {ops[0]}" in res.stderr
    assert f"esp undo {ops[0]}" in res.stderr
