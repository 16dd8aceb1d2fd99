"""Where the waiting changes are kept, and which tracker each one is for:

- a write killed between its log entries and the replace, then a save in Excel: the
  changes still wait (never counted as written because the tracker changed);
- two trackers of the same name sharing a `[backup] dir`: neither writes the other's;
- a damaged, hand-edited or newer file is reported and skipped, never fatal, and
  `esp pending drop` removes any of them; a file saved by Notepad (BOM, UTF-16) reads;
- a tracker renamed while changes wait: esp says where they are and how to bind them;
- one id in two files is written once, under one id each.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from esp_cli.core.waiting import FORMAT
from esp_cli.workbook import history, waiting
from esp_cli.workbook.waiting import Store
from esp_cli.workbook.xlsx import safety
from tests import factories
from tests.test_waiting import (
    _KILL_SITE,
    AGENTS,
    HEADERS,
    ROOT,
    TRACKER,
    in_excel,
    log_entries,
    open_in_excel,
    run,
    values,
)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The small tracker of test_waiting: Devon on row 3, Dana on row 4, Notes in K."""
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(tmp_path / TRACKER, AGENTS, headers=HEADERS)


def _kill_apply(tracker: Path, tmp_path: Path, point: str) -> None:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_KILL_SITE, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "src")]),
        "ESP_TEST_KILL_AT": point,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "esp_cli", "apply", "-t", str(tracker)],
        env=env,
        cwd=tracker.parent,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 137, proc.stderr.decode()


def _pending_ids(tracker: Path) -> list[str]:
    listed = run("pending", "-t", str(tracker), "-f", "json")
    assert listed.exit_code == 0, listed.output
    return sorted(o["op"] for o in json.loads(listed.stdout)["operations"])


@pytest.mark.skipif(sys.platform == "win32", reason="a process killed as on POSIX")
def test_a_write_killed_before_the_replace_then_a_save_in_excel_loses_nothing(
    small: Path, tmp_path: Path
) -> None:
    """esp apply killed once its pending entries are in the log and before the tracker is
    replaced; then someone saves the tracker in Excel. The tracker changed, but not into
    what the killed write would have made: its changes still wait, and esp apply writes
    them (into the tracker as saved) and records them once."""
    owner = open_in_excel(small.parent)
    for i in range(3):
        assert run("note", "add", "Dana Cole", f"msg-{i}", "-t", str(small)).exit_code == 7
    kept = sorted(o.op for o in Store(small).unwritten().ops)
    owner.unlink()
    _kill_apply(small, tmp_path, "after the log entry")
    assert _pending_ids(small) == kept
    in_excel(small, lambda ws: ws.__setitem__("J3", "Equipment Issue"))
    assert _pending_ids(small) == kept  # still waiting, not "written"
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == 0, applied.output
    got = values(small)
    assert got["ESP Tracker!J3"] == "Equipment Issue"  # the save in Excel kept
    assert [got["ESP Tracker!K4"].count(f"msg-{i}") for i in range(3)] == [1, 1, 1]
    entries = log_entries(small.parent)
    written = sorted(e["op"] for e in entries if e["kind"] == "write")
    assert written == kept and all(e["state"] == "written" for e in entries)
    assert _pending_ids(small) == [] and list(Store(small).folder.glob("*.json")) == []


def test_a_pending_entry_counts_as_written_only_for_its_own_result(tmp_path: Path) -> None:
    """The rule itself: the tracker as the write would leave it, else not written."""
    log = tmp_path / "log.jsonl"
    line = {"op": "aaaa0001", "kind": "write", "state": "pending", "digest_before": "b"}
    line |= {"digest_after": "a", "cells": []}
    log.write_text(json.dumps(line, separators=(",", ":")) + "\n", encoding="utf-8")
    recorded = history.waiting_files_among
    assert recorded(log, ["aaaa0001"], 0, lambda: "a") == {"aaaa0001": {history.ANY_CONTENT}}
    assert recorded(log, ["aaaa0001"], 0, lambda: "b") == {}
    assert recorded(log, ["aaaa0001"], 0, lambda: "saved-in-excel") == {}
    history.settle(log, "saved-in-excel")
    assert log.read_bytes() == b""


# -- two trackers of one name, one shared backups folder -------------------------------------


def _team(root: Path, team: str, shared: Path) -> Path:
    folder = root / team / "Current"
    folder.mkdir(parents=True)
    (folder / "esp.toml").write_text(
        f'[people]\nuser = "Jordan Reyes"\n[backup]\ndir = "{shared.as_posix()}"\n',
        encoding="utf-8",
    )
    return factories.tracker(folder / TRACKER, AGENTS, headers=HEADERS)


def test_a_change_for_another_tracker_of_the_same_name_is_never_written(tmp_path: Path) -> None:
    shared = tmp_path / "bk"
    a, b = _team(tmp_path, "TeamA", shared), _team(tmp_path, "TeamB", shared)
    owner = open_in_excel(a.parent)
    assert run("note", "add", "Dana Cole", "Team A note only", "-t", str(a)).exit_code == 7
    before = b.read_bytes()
    assert _pending_ids(b) == []
    listed = run("pending", "-t", str(b))
    assert "Team A note only" not in listed.output and str(a) not in listed.stderr, listed.output
    applied = run("apply", "-t", str(b))
    assert applied.exit_code == 0, applied.output
    assert b.read_bytes() == before
    owner.unlink()
    (op,) = Store(a, shared).unwritten().ops
    assert op.tracker_path == str(a.resolve())
    assert run("apply", "-t", str(a)).exit_code == 0
    assert values(a)["ESP Tracker!K4"].endswith("Team A note only")
    assert "ESP Tracker!K4" not in values(b)


def test_a_change_in_a_copied_tracker_folder_is_named_for_the_tracker_it_waits_for(
    tmp_path: Path,
) -> None:
    """The tracker's folder copied elsewhere, the old one kept: in the copy, the change made
    for the old tracker (still there) is not written — it is that tracker's — but it is
    said, once, naming the file and the tracker, with the fix; `esp pending drop` removes
    the copy's file (and never the old folder's)."""
    old = tmp_path / "old"
    old.mkdir()
    (old / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    first = factories.tracker(old / TRACKER, AGENTS, headers=HEADERS)
    owner = open_in_excel(old)
    assert run("note", "add", "Dana Cole", "Made in the old place", "-t", str(first)).exit_code == 7
    owner.unlink()
    shutil.copytree(old, tmp_path / "new")
    moved = tmp_path / "new" / TRACKER
    (file,) = Store(moved).folder.glob("*.json")
    for argv in (["pending"], ["apply"], ["escalations", "--today"]):
        res = run(*argv, "-t", str(moved))
        assert res.exit_code == 0, res.output
        said = [line for line in res.stderr.splitlines() if file.name in line]
        assert len(said) == 1, (argv, res.stderr)
        assert str(first.resolve()) in said[0] and "esp pending drop" in said[0], said
    assert "Made in the old place" not in str(values(moved).get("ESP Tracker!K4"))
    dropped = run("pending", "drop", file.name, "-t", str(moved))
    assert dropped.exit_code == 0, dropped.output
    assert not file.exists() and len(list(Store(first).folder.glob("*.json"))) == 1
    assert file.name not in run("pending", "-t", str(moved)).stderr
    res = run("pending", "-t", str(first))
    assert "Made in the old place" in res.stdout and "copy" not in res.stderr, res.output


def test_a_file_in_the_place_of_the_trackers_backups_folder_is_said_with_its_fix(
    tmp_path: Path,
) -> None:
    """In a shared `[backup] dir`, a file of the team's named like the tracker's own folder
    there: nothing written, nothing removed, and the fix says a file has that folder's name
    (not the folder's permissions) — for a write and for a change that would wait."""
    shared = tmp_path / "bk"
    shared.mkdir()
    book = _team(tmp_path, "TeamA", shared)
    mine = safety.backup_dir_for(book, shared)
    mine.write_text("the team's own notes", encoding="utf-8")
    before = book.read_bytes()
    for busy in (False, True):
        if busy:
            open_in_excel(book.parent)
        res = run("note", "add", "Dana Cole", "x", "-t", str(book))
        assert res.exit_code == 6, res.output
        line = res.stderr.strip().splitlines()[-1]
        assert f"{mine} is a file" in line and "Move or rename" in line, line
        assert "permissions" not in line and "writable" not in line, line
    assert mine.read_text(encoding="utf-8") == "the team's own notes"
    assert book.read_bytes() == before
    for argv in (["pending"], ["history"]):
        res = run(*argv, "-t", str(book))
        assert f"{mine} is a file" in res.stderr, (argv, res.output)


# -- damaged, hand-edited and newer files ----------------------------------------------------


def _second(d: dict[str, Any]) -> None:
    """A waiting note's file edited by hand: its line says "Second" for "First"."""
    cell = d["units"][0]["cells"][0]
    cell["value"] = cell["value"].replace("First", "Second")


def _copy_as(tracker: Path, name: str, edit: Any, encode: Any = None) -> Path:
    """A copy of the one waiting file, under `name`, edited (its JSON) and encoded."""
    folder = Store(tracker).folder
    (src,) = sorted(folder.glob("*.json"))[:1]
    data = json.loads(src.read_bytes())
    edit(data)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    target = folder / name
    target.write_bytes(encode(text) if encode else text.encode("utf-8"))
    return target


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time", "2026-12-05T15:00:00"),
        ("time", "2026-12-05"),
        ("time", 20261205),
        ("units", "cells"),
        ("units", [["not a unit"]]),
        ("log_from", "x"),
        ("esp_waiting", "one"),
    ],
)
def test_a_hand_edited_file_is_reported_and_skipped_never_fatal(
    small: Path, field: str, value: Any
) -> None:
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    bad = _copy_as(
        small,
        "20261205T150000000005Z-aaaa0005.json",
        lambda d: d.update({field: value, "op": "aaaa0005"}),
    )
    for argv in (["pending"], ["escalations", "--today"], ["note", "add", "Devon Price", "x"]):
        res = run(*argv, "-t", str(small))
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        assert "aaaa0005" in res.stderr and "skipped" in res.stderr, res.output
    assert len(Store(small).unwritten().ops) == 2
    dropped = run("pending", "drop", "aaaa0005", "-t", str(small))
    assert dropped.exit_code == 0, dropped.output
    assert not bad.exists()


def test_a_file_from_a_newer_esp_is_kept_for_it_not_offered_for_dropping(small: Path) -> None:
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    (mine,) = Store(small).folder.glob("*.json")
    _copy_as(
        small,
        "20261205T150000000004Z-aaaa0004.json",
        lambda d: d.update(esp_waiting=FORMAT + 1, op="aaaa0004"),
    )
    mine.unlink()
    (small.parent / f"~${TRACKER}").unlink()
    for argv in (["pending"], ["apply"]):
        res = run(*argv, "-t", str(small))
        assert "newer esp" in res.stderr and "aaaa0004" in res.stderr, res.output
        assert "drop" not in res.stderr and "Nothing waits" not in res.stderr, res.stderr
    assert len(list(Store(small).folder.glob("*.json"))) == 1
    # A change still waits: esp apply's exit code says so, as for one a conflict holds.
    for argv in (["apply"], ["apply", "--format", "json"], ["apply", "--dry-run"]):
        res = run(*argv, "-t", str(small))
        assert res.exit_code == 5, (argv, res.output)


def test_an_empty_waiting_file_nothing_is_writing_is_named_and_droppable(small: Path) -> None:
    """A file of 0 bytes (a publish killed between reserving its name and filling it, a
    sync client or a copy that cut it): no esp is making it, so it is not "being made" —
    it is named like a file cut short, skipped, and `esp pending drop` removes it."""
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    empty = Store(small).folder / "20261201T090000000000Z-aaaa0006.json"
    empty.write_bytes(b"")
    for argv in (["pending"], ["escalations", "--today"]):
        res = run(*argv, "-t", str(small))
        assert empty.name in res.stderr and "not a whole waiting change" in res.stderr, argv
        assert f"esp pending drop {empty.name}" in res.stderr, res.stderr
    owner.unlink()
    applied = run("apply", "-t", str(small))
    assert empty.name in applied.stderr and "empty" in applied.stderr, applied.output
    assert values(small)["ESP Tracker!K4"].endswith("Kept")
    assert empty.exists()  # never removed unasked
    dropped = run("pending", "drop", empty.name, "-t", str(small))
    assert dropped.exit_code == 0, dropped.output
    assert not empty.exists()
    listed = run("pending", "-t", str(small))
    assert "aaaa0006" not in listed.stderr, listed.stderr


def test_an_empty_waiting_file_an_esp_is_making_is_left_alone(small: Path) -> None:
    """Where a folder takes no hard links, esp reserves a change's name (an empty file)
    and then puts its whole file there: meanwhile its temporary file is beside it, and the
    empty file is nothing to report or offer for dropping."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    folder = Store(small).folder
    empty = folder / "20261201T090000000000Z-aaaa0007.json"
    empty.write_bytes(b"")
    (folder / f".{empty.name}.esp-tmp-{os.getpid()}-abcdefgh").write_bytes(b"{")
    res = run("pending", "-t", str(small))
    assert res.exit_code == 0 and "aaaa0007" not in res.stderr, res.output
    found = Store(small).unwritten()
    assert [o.op for o in found.ops] != [] and "aaaa0007" not in found.unreadable


@pytest.mark.parametrize(
    "encode",
    [lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), lambda t: t.encode("utf-16")],
    ids=["utf-8 with a BOM", "utf-16"],
)
def test_a_file_saved_by_notepad_reads(small: Path, encode: Any) -> None:
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Ça va — 確認", "-t", str(small)).exit_code == 7
    (mine,) = Store(small).folder.glob("*.json")
    data = mine.read_text(encoding="utf-8")
    mine.write_bytes(encode(data))
    (op,) = Store(small).unwritten().ops
    assert op.cells[0].value.endswith("Ça va — 确認".replace("确", "確"))
    listed = run("pending", "-t", str(small))
    assert "skipped" not in listed.stderr, listed.stderr


# -- a tracker renamed while changes wait ----------------------------------------------------


def test_changes_waiting_for_a_renamed_tracker_are_named_with_the_fix(small: Path) -> None:
    owner = open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Before the rename", "-t", str(small)).exit_code == 7
    owner.unlink()
    old = Store(small).folder
    renamed = small.rename(small.with_name("ESP Tracker 2026.xlsx"))
    for argv in (["pending"], ["apply"], ["doctor"]):
        res = run(*argv, "-t", str(renamed))
        assert "1 change(s)" in res.stderr and TRACKER in res.stderr, (argv, res.output)
        assert str(Store(renamed).folder.name) in res.stderr, res.stderr
    # The fix the message names: the files moved into the renamed tracker's folder.
    Store(renamed).folder.mkdir(parents=True, exist_ok=True)
    for f in old.glob("*.json"):
        shutil.move(str(f), Store(renamed).folder / f.name)
    assert run("apply", "-t", str(renamed)).exit_code == 0
    assert values(renamed)["ESP Tracker!K4"].endswith("Before the rename")
    res = run("pending", "-t", str(renamed))
    assert TRACKER + ".waiting" not in res.stderr, res.stderr


# -- one id, two files -----------------------------------------------------------------------


def test_one_id_in_two_files_is_logged_once_each_with_its_own_id(small: Path) -> None:
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 7
    (first,) = Store(small).unwritten().ops
    for n, text in ((1, None), (2, "Third, other text")):

        def edit(d: dict[str, Any], text: str | None = text) -> None:
            if text:
                d["units"][0]["cells"][0]["value"] = d["units"][0]["cells"][0]["value"].replace(
                    "First", text
                )

        _copy_as(small, f"2099010{n}T000000000000Z-{first.op}.json", edit)
    listed = run("pending", "-t", str(small))
    assert "same id" in listed.stderr, listed.stderr
    (small.parent / f"~${TRACKER}").unlink()
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == 0, applied.output
    ids = [e["op"] for e in log_entries(small.parent)]
    assert len(ids) == len(set(ids)) and first.op in ids
    got = values(small)["ESP Tracker!K4"]
    assert got.count("First") == 1 and got.count("Third, other text") == 1
    assert list(Store(small).folder.glob("*.json")) == []


def test_a_copy_made_at_the_same_moment_is_written_after_its_original(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy edited by hand holds the same time as its original: given an id of its own
    at the next write, it is still written after the original (its new name sorts first)."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 7
    (first,) = Store(small).unwritten().ops

    stem = first.file.removesuffix(".json")
    _copy_as(small, f"{stem} (1).json", _second)
    monkeypatch.setattr(waiting, "copy_ids", lambda file: iter(["00000000"]))
    (small.parent / f"~${TRACKER}").unlink()
    applied = run("apply", "-t", str(small))
    monkeypatch.undo()
    assert applied.exit_code == 0, applied.output
    got = values(small)["ESP Tracker!K4"]
    assert got.index("First") < got.index("Second"), got
    assert [e["op"] for e in log_entries(small.parent)][-2:] == [first.op, "00000000"]


def _cells(res: Any) -> list[tuple[str, str, str, Any, Any]]:
    """The cells an esp apply --format json wrote (or would), in its order."""
    assert res.exit_code == 0, res.output
    return [
        (o["op"], c["sheet"], c["cell"], c["old"], c["new"])
        for o in json.loads(res.stdout)["applied"]
        for c in o["changes"]
    ]


def test_a_dry_run_shows_a_copy_edited_by_hand_as_the_write_writes_it(small: Path) -> None:
    """A waiting file copied, then the copy edited by hand (another change under the same
    id): the dry run shows both changes, under the ids and in the order the write writes
    them, each cell before → after as written; and esp pending lists both as well."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 7
    assert run("note", "add", "Devon Price", "Other", "-t", str(small)).exit_code == 7
    first = Store(small).unwritten().ops[0]

    _copy_as(small, f"{first.file.removesuffix('.json')} (1).json", _second)
    listed = run("pending", "-t", str(small), "-f", "json")
    assert listed.exit_code == 0 and "same id" in listed.stderr, listed.output
    (small.parent / f"~${TRACKER}").unlink()
    dry = _cells(run("apply", "-t", str(small), "--dry-run", "-f", "json"))
    assert [o["op"] for o in json.loads(listed.stdout)["operations"]] == list(
        dict.fromkeys(op for op, *_ in dry)
    )
    wrote = _cells(run("apply", "-t", str(small), "-f", "json"))
    assert dry == wrote
    assert len({op for op, *_ in wrote}) == 3
    got = values(small)["ESP Tracker!K4"]
    assert got.index("First") < got.index("Second"), got


def test_a_copy_moved_by_a_write_stopped_before_removing_it_is_written_once(small: Path) -> None:
    """A write gives a hand-edited copy its own id (its file made again under it), and is
    stopped before it removes the copy: the copy is that change, written once."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 7
    (first,) = Store(small).unwritten().ops

    _copy_as(small, f"{first.file.removesuffix('.json')} (1).json", _second)
    (own,) = [o for o in Store(small).unwritten().ops if o.op != first.op]
    (Store(small).folder / own.file).write_bytes(waiting._encode(own))
    assert sorted(o.op for o in Store(small).unwritten().ops) == sorted([first.op, own.op])
    (small.parent / f"~${TRACKER}").unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"].count("Second") == 1
    assert sorted(e["op"] for e in log_entries(small.parent)) == sorted([first.op, own.op])
    assert list(Store(small).folder.glob("*.json")) == []


def test_a_new_id_is_taken_by_one_file_only(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two computers make a change with the same id at different moments (names differ):
    the later file takes a new id when it is kept."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "One", "-t", str(small)).exit_code == 7
    (first,) = Store(small).unwritten().ops
    ids = iter([first.op, "0000bbbb"])
    monkeypatch.setattr(history, "id_used", lambda path, op: False)
    real = Store.new_id

    def new_id(self: Store, taken: Any = ()) -> str:
        got = next(ids, None)
        return got if got is not None else real(self, taken)

    monkeypatch.setattr(Store, "new_id", new_id)
    assert run("note", "add", "Devon Price", "Two", "-t", str(small)).exit_code == 7
    monkeypatch.undo()
    ops = Store(small).unwritten().ops
    assert sorted(o.op for o in ops) == sorted([first.op, "0000bbbb"])


# -- a waiting file a sync service renamed -----------------------------------------------------


@pytest.mark.parametrize(
    "rename",
    [
        lambda stem: f"{stem}-DESKTOP-AB12CD.json",  # OneDrive's conflict copy
        lambda stem: f"{stem} (Keisha's conflicted copy 2026-12-01).json",  # Dropbox's
        lambda stem: f"{stem} (1).json",
        lambda stem: f"{stem}.json (1)",
        lambda stem: f"{stem}.JSON",
    ],
    ids=["onedrive", "dropbox", "numbered", "numbered after", "upper case"],
)
def test_a_waiting_file_renamed_by_a_sync_service_is_counted_and_written(
    small: Path, rename: Any
) -> None:
    """Renamed, a change still waits: listed, counted, and written by the next write."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Renamed", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    kept = Store(small).folder / op.file
    kept.rename(kept.with_name(rename(kept.name.removesuffix(".json"))))
    assert _pending_ids(small) == [op.op]
    (small.parent / f"~${TRACKER}").unlink()
    applied = run("apply", "-t", str(small))
    assert applied.exit_code == 0, applied.output
    assert values(small)["ESP Tracker!K4"].endswith("Jordan Reyes - Renamed")
    assert [e["op"] for e in log_entries(small.parent)].count(op.op) == 1
    assert list(Store(small).folder.iterdir()) == []


def test_a_waiting_file_and_its_sync_copies_are_one_change(small: Path) -> None:
    """Copies a sync service made of a waiting file (the same change) are that change:
    listed once, written once under the id the person was given, and gone after."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Once", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    kept = Store(small).folder / op.file
    shutil.copy(kept, kept.with_name(kept.stem + "-LAPTOP-7Q2.json"))
    shutil.copy(kept, kept.with_name(kept.stem + " (1).json"))
    listed = run("pending", "-t", str(small))
    assert "same id" not in listed.stderr, listed.stderr
    assert _pending_ids(small) == [op.op]
    (small.parent / f"~${TRACKER}").unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"].count("Once") == 1
    assert [e["op"] for e in log_entries(small.parent)] == [op.op]
    assert list(Store(small).folder.iterdir()) == []


def test_another_file_among_the_waiting_changes_is_named_never_passed_over(small: Path) -> None:
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Kept", "-t", str(small)).exit_code == 7
    folder = Store(small).folder
    (folder / "change from Keisha.json").write_text("{}", encoding="utf-8")
    (folder / f"{Store(small).unwritten().ops[0].file} (1)").mkdir()  # a folder, named alike
    for quiet in ("desktop.ini", "Thumbs.db", ".DS_Store"):
        (folder / quiet).write_bytes(b"")
    listed = run("pending", "-t", str(small))
    assert listed.exit_code == 0, listed.output
    assert "change from Keisha.json: not a change esp keeps" in listed.stderr
    assert ".json (1): a folder, not a change esp keeps" in listed.stderr
    assert "cannot be read" not in listed.stderr and _pending_ids(small) != []
    for quiet in ("desktop.ini", "Thumbs.db", ".DS_Store"):
        assert quiet not in listed.stderr


@pytest.mark.parametrize(
    "copy_name",
    [
        "ESP Tracker.xlsx.history-DESKTOP-AB12CD.jsonl",
        "ESP Tracker.xlsx.history (1).jsonl",
        "ESP Tracker.xlsx.history.jsonl (1)",
    ],
)
def test_a_copy_of_the_operation_log_is_named_by_every_command(small: Path, copy_name: str) -> None:
    """A sync service's copy of the log holds writes no history shows: said once by every
    command that counts what waits (the reports, esp pending, esp apply, every write), until
    the copy is gone."""
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 0
    log = history.log_path(small)
    shutil.copy(log, log.with_name(copy_name))
    commands = (
        ["history"],
        ["pending"],
        ["escalations", "--today"],
        ["report", "eod"],
        ["report", "kpi"],
        ["explain", "Dana Cole"],
        ["progress", "missing"],
        ["note", "add", "Dana Cole", "x"],
        ["apply"],
        ["round", "--class", "AET-1", "--dry-run"],
    )
    for argv in commands:
        done = run(*argv, "-t", str(small))
        assert done.exit_code in (0, 5), done.output
        assert done.stderr.count(f"{copy_name}: a second copy of the operation log") == 1, argv
    log.with_name(copy_name).unlink()
    assert "copy of the operation log" not in run("pending", "-t", str(small)).stderr


def test_the_log_older_esps_kept_is_not_taken_for_a_copy(small: Path) -> None:
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 0
    log = history.log_path(small)
    (log.parent / "ESP Tracker.history.jsonl").write_bytes(b"")
    (log.parent / "ESP Tracker.xlsx.outside").mkdir()
    assert "copy of the operation log" not in run("pending", "-t", str(small)).stderr


# -- a file under an id written already --------------------------------------------------------


def test_an_edited_copy_of_a_change_written_already_is_a_change_of_its_own(small: Path) -> None:
    """Someone copied a waiting file out to edit it; the original was written meanwhile;
    the edited copy put back holds another change under that id: listed (with a word on
    it), shown by a dry run and written once under an id of its own — never deleted
    unseen."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 7
    (first,) = Store(small).unwritten().ops
    saved = json.loads((Store(small).folder / first.file).read_bytes())
    (small.parent / f"~${TRACKER}").unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"].endswith("Jordan Reyes - First")

    _second(saved)
    copy = Store(small).folder / f"{first.file.removesuffix('.json')} - Copy.json"
    copy.write_text(json.dumps(saved), encoding="utf-8")
    listed = run("pending", "-t", str(small), "-f", "json")
    assert listed.exit_code == 0, listed.output
    (own,) = [o["op"] for o in json.loads(listed.stdout)["operations"]]
    assert own != first.op
    assert first.op in listed.stderr and "written already" in listed.stderr, listed.stderr
    dry = _cells(run("apply", "-t", str(small), "--dry-run", "-f", "json"))
    assert [op for op, *_ in dry] == [own]
    wrote = _cells(run("apply", "-t", str(small), "-f", "json"))
    assert wrote == dry
    got = values(small)["ESP Tracker!K4"]
    assert got.count("First") == 1 and got.count("Second") == 1, got
    assert [e["op"] for e in log_entries(small.parent)] == [first.op, own]
    assert list(Store(small).folder.glob("*.json")) == []
    assert _pending_ids(small) == []


@pytest.mark.parametrize(
    "name", ["{stem}-LAPTOP-7Q2.json", "{stem}.json"], ids=["sync-copy", "not-removed"]
)
def test_a_late_copy_of_a_change_written_already_is_that_change_and_goes(
    small: Path, name: str
) -> None:
    """A copy a sync service delivers after the change was written, or the file a write
    stopped before removing: the very change the log records, written once, removed."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "Once", "-t", str(small)).exit_code == 7
    (op,) = Store(small).unwritten().ops
    data = (Store(small).folder / op.file).read_bytes()
    (small.parent / f"~${TRACKER}").unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    late = Store(small).folder / name.format(stem=op.file.removesuffix(".json"))
    late.write_bytes(data)
    listed = run("pending", "-t", str(small))
    assert listed.exit_code == 0 and "same id" not in listed.stderr, listed.output
    assert _pending_ids(small) == []
    assert run("note", "add", "Devon Price", "Next", "-t", str(small)).exit_code == 0
    assert values(small)["ESP Tracker!K4"].count("Once") == 1
    assert list(Store(small).folder.glob("*.json")) == []


def test_an_edited_copy_of_a_change_dropped_is_a_change_of_its_own(small: Path) -> None:
    """Dropped unwritten, a change is gone; a copy of it put back unchanged is that change
    (gone with the next write), one edited by hand is another change: listed, written."""
    open_in_excel(small.parent)
    assert run("note", "add", "Dana Cole", "First", "-t", str(small)).exit_code == 7
    (first,) = Store(small).unwritten().ops
    data = (Store(small).folder / first.file).read_bytes()
    assert run("pending", "drop", first.op, "-t", str(small)).exit_code == 0
    stem = first.file.removesuffix(".json")
    (Store(small).folder / f"{stem} (1).json").write_bytes(data)
    assert _pending_ids(small) == []
    (small.parent / f"~${TRACKER}").unlink()
    assert run("apply", "-t", str(small)).exit_code == 0
    assert list(Store(small).folder.glob("*.json")) == []
    assert "First" not in values(small).get("ESP Tracker!K4", "")
    edited = json.loads(data)
    _second(edited)
    (Store(small).folder / f"{stem} - Copy.json").write_text(json.dumps(edited), "utf-8")
    (own,) = _pending_ids(small)
    assert own != first.op
    assert run("apply", "-t", str(small)).exit_code == 0
    got = values(small)["ESP Tracker!K4"]
    assert "Second" in got and "First" not in got, got
    assert list(Store(small).folder.glob("*.json")) == []
