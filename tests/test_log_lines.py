"""The operation log read from its end (history._lines_from_end: the newest entry first, for
settling a stopped write, finding the previous entry and where the next one starts) gives
every line and its offset as reading the file from its start does, whatever the lengths of
its lines against the block it is read in: an entry of a whole-column write is megabytes."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from esp_cli.workbook import history


def _forward(data: bytes) -> list[tuple[int, bytes]]:
    out, at = [], 0
    for line in data.split(b"\n"):
        out.append((at, line))
        at += len(line) + 1
    return out


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"x")), max_size=12),
    block=st.integers(min_value=1, max_value=50),
    ends_with_newline=st.booleans(),
)
def test_lines_from_the_end_are_the_lines_from_the_start_reversed(
    lines: list[bytes], block: int, ends_with_newline: bool
) -> None:
    data = b"\n".join(lines) + (b"\n" if ends_with_newline and lines else b"")
    got = list(history._lines_from_end(io.BytesIO(data), block))
    assert got == list(reversed(_forward(data)))


def test_a_line_many_blocks_long_is_read_whole_with_its_offset() -> None:
    long = b'{"op":"1a2b3c4d","cells":[' + b"x" * 200_000 + b"]}"
    data = b'{"op":"00000000"}\n' + long + b"\n"
    got = list(history._lines_from_end(io.BytesIO(data), 1 << 10))
    assert got == [(len(data), b""), (18, long), (0, b'{"op":"00000000"}')]


def test_a_long_line_is_held_once_not_as_its_blocks_and_their_join(tmp_path: Path) -> None:
    """The entry of a whole-column write (14 MB at 50,000 agents) is read as the write
    begins, when the tracker's parse holds most of esp's memory: held once, not as the
    blocks read and their join besides (which tripled it)."""
    long = b'{"op":"1a2b3c4d","cells":[' + b"x" * 4_000_000 + b"]}"
    path = tmp_path / "log.jsonl"
    path.write_bytes(b'{"op":"00000000"}\n' + long + b"\n")
    with path.open("rb") as fh:
        tracemalloc.start()
        try:
            lines = history._lines_from_end(fh)
            assert next(lines) == (len(long) + 19, b"")
            assert next(lines)[1] == long
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 1.5 * len(long), f"{peak:,} bytes held at most for a {len(long):,}-byte line"
