"""A write's log entry with its cells' JSON made ahead, while the new workbook is compressed
(history.PreparedCells, zipio's `idle`): the very line the log would hold otherwise."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from esp_cli.core import oplog
from esp_cli.core.model import CellChange
from esp_cli.workbook import history
from esp_cli.workbook.xlsx import zipio

from .factories import logged_write


def _changes(n: int) -> list[CellChange]:
    out = []
    for i in range(n):
        new: Any = date(2026, 11, 24) if i % 3 == 2 else ("Coaching" if i % 3 else f"Stage {i}")
        if i == 700:
            new = "caf\udce9"  # bytes that were not UTF-8: a batch that encodes cell by cell
        out.append(
            CellChange(
                "ESP Tracker",
                5 + i // 3,
                41 + i % 3,
                f"Agent {i}",
                "AET-1",
                "Next Action",
                None,
                new,
                f"E{i}",
                f"a{i}@x.com",
                "",
            )  # fmt: skip
        )
    return out


def _entry(cells: Any) -> oplog.Operation:
    return logged_write(
        cells, op="1a2b3c4d", signer="Jordan", backup="t.2026-11-24_093000.op-1a2b3c4d.xlsx"
    )


def _xml(sheet: str, row: int, col: int) -> bytes | None:
    return b'<c r="X%d" s="3"/>' % row if row % 2 else None


@pytest.mark.parametrize("n", [0, 1, 511, 512, 1500, 5000])
@pytest.mark.parametrize("steps", [0, 1, 2, 100])
def test_cells_made_ahead_make_the_same_line(n: int, steps: int) -> None:
    changes = _changes(n)
    expected = history._encode(_entry(history.cell_entries(changes, _xml)))
    prepared = history.PreparedCells(history.cell_entries(changes, _xml))
    for _ in range(steps):
        prepared.step()
    assert history._encode(_entry(prepared)) == expected


def test_no_more_than_the_limit_is_made_ahead() -> None:
    prepared = history.PreparedCells(history.cell_entries(_changes(6000), _xml), limit=100_000)
    while prepared.step():
        pass
    made = sum(map(len, prepared.made))
    assert 100_000 <= made < 100_000 + 200_000  # the batch that reached it, no further
    assert next(iter(prepared))["agent"] == f"Agent {512 * len(prepared.made)}"


def _big_pieces(n: int = 24) -> list[bytes]:
    return [b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) * 2000 for i in range(n)]


@pytest.mark.parametrize("steps", [1, 5, 1000])
def test_the_compressor_gives_its_waiting_time_to_other_work(steps: int) -> None:
    """Other work is done a step at a time, at least once and never after it said it had
    nothing more to do (how many steps fit depends on the machine); the bytes are the same."""
    calls: list[int] = []

    def idle() -> bool:
        calls.append(1)
        return len(calls) < steps

    pieces = _big_pieces()
    out = io.BytesIO()
    crc, size = zipio._deflate(iter(pieces), out, idle)
    assert 1 <= len(calls) <= steps
    reference = io.BytesIO()
    assert zipio._deflate(iter(pieces), reference) == (crc, size)
    assert out.getvalue() == reference.getvalue()


def test_a_small_part_is_compressed_without_other_work() -> None:
    called: list[int] = []
    zipio._deflate(b"<small/>", io.BytesIO(), lambda: bool(called.append(1)))
    assert called == []


def test_an_error_in_the_other_work_stops_the_compressor() -> None:
    def idle() -> bool:
        raise RuntimeError("the log's cells cannot be made")

    def pieces() -> Iterator[bytes]:
        yield from _big_pieces(60)

    with pytest.raises(RuntimeError, match="cannot be made"):
        zipio._deflate(pieces(), io.BytesIO(), idle)
    assert not [t for t in threading.enumerate() if t.name.startswith("esp-deflate")]
