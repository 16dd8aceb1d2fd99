"""The one write path: a service states its plan, the session writes it once (or not at all)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from esp_cli.config import Config
from esp_cli.errors import UsageError
from esp_cli.workbook.session import write_session
from esp_cli.workbook.tracker import read_table
from esp_cli.workbook.xlsx.workbook import Workbook
from tests.factories import tracker

AGENTS = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E1", "Notes": "old line"},
    {"Class": "AET-1", "Agent Name": "Erin Walsh", "Agent ID": "E2"},
]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)


def _backups(path: Path) -> list[Path]:
    return sorted((path.parent / "esp-backups").glob("*.xlsx"))


def _log(path: Path) -> list[str]:
    log = path.parent / "esp-backups" / f"{path.name}.history.jsonl"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def _values(path: Path) -> dict[str, dict[str, object]]:
    table = read_table(Workbook.open(path), keys=("notes", "coaching_date"))
    return {row.name: dict(row.values) for row in table.rows()}


def test_every_planned_cell_lands_in_one_write_with_one_backup(book: Path) -> None:
    with write_session(book, Config(), keys=("notes",)) as s:
        rows = {r.name: r for r in s.table.rows()}
        s.plan.set(rows["Devon Price"], "notes", "old line\nnew line")
        s.plan.set(rows["Erin Walsh"], "coaching_date", date(2026, 11, 24))
    report = s.report
    assert [c.address for c in report.changes] == ["'ESP Tracker'!K3", "'ESP Tracker'!M4"]
    assert [str(a) for a in report.added_columns] == ["ESP Tracker!M 'Coaching Date'"]
    assert report.backup is not None and _backups(book) == [report.backup]
    assert len(_log(book)) == 1  # recorded once, by the session
    after = _values(book)
    assert after["Devon Price"]["notes"] == "old line\nnew line"
    assert after["Erin Walsh"]["coaching_date"] == date(2026, 11, 24)


def test_a_dry_run_plans_the_same_cells_and_writes_nothing(book: Path) -> None:
    before = book.read_bytes()
    with write_session(book, Config(), keys=("notes",), dry_run=True) as s:
        row = next(s.table.rows())
        s.plan.set(row, "notes", "old line\nnew line")
    assert s.report.dry_run and s.report.backup is None
    assert [(c.cell, c.old, c.new) for c in s.report.changes] == [
        ("K3", "old line", "old line\nnew line")
    ]
    assert book.read_bytes() == before and _backups(book) == [] and _log(book) == []


def test_an_error_in_the_plan_writes_nothing(book: Path) -> None:
    before = book.read_bytes()
    with pytest.raises(UsageError), write_session(book, Config(), keys=("notes",)) as s:
        s.plan.set(next(s.table.rows()), "notes", "half of a plan")
        raise UsageError("the service changed its mind")
    assert book.read_bytes() == before and _backups(book) == []


def test_a_plan_with_nothing_to_change_does_not_write(book: Path) -> None:
    before = book.read_bytes()
    with write_session(book, Config(), keys=("notes",)) as s:
        pass
    assert s.report.changes == [] and s.report.backup is None
    assert book.read_bytes() == before and _backups(book) == []


def test_a_read_only_session_never_takes_the_lock_nor_writes(book: Path) -> None:
    lock = book.with_name("." + book.name + ".esp-lock")
    before = book.read_bytes()
    with write_session(book, Config(), keys=("notes",), write=False) as s:
        s.plan.set(next(s.table.rows()), "notes", "shown, not written")
    assert s.report.dry_run and len(s.report.changes) == 1
    assert book.read_bytes() == before and not lock.exists()


def test_the_report_is_only_there_once_the_block_has_ended(book: Path) -> None:
    with write_session(book, Config(), keys=("notes",), dry_run=True) as s:
        with pytest.raises(RuntimeError):
            _ = s.report


def test_a_cell_planned_again_waits_with_its_last_value_and_every_note_line(book: Path) -> None:
    with write_session(book, Config(), keys=("notes", "coaching_date"), dry_run=True) as s:
        rows = {r.name: r for r in s.table.rows()}
        devon, erin = rows["Devon Price"], rows["Erin Walsh"]
        s.plan.set(devon, "coaching_date", date(2026, 11, 23))
        s.plan.append(devon, "notes", "11/23/2026 - JR - first")
        s.plan.set(erin, "coaching_date", date(2026, 11, 23))
        s.plan.set(devon, "coaching_date", date(2026, 11, 24))
        s.plan.append(devon, "notes", "11/24/2026 - JR - second")
        waiting = [(c.row, c.col, c.action, c.value) for _unit, c in s.plan.intents]
    assert waiting == [
        (3, 13, "set", date(2026, 11, 24)),
        (3, 11, "append", "11/23/2026 - JR - first"),
        (4, 13, "set", date(2026, 11, 23)),
        (3, 11, "append", "11/24/2026 - JR - second"),
    ]
