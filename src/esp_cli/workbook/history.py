"""The operation log: every write esp makes to a tracker, recorded beside it.

The log lives in the tracker's backups folder as `<tracker name>.history.jsonl`, one JSON
object a line (JSON Lines), oldest first. The write session (esp_cli.workbook.session) appends one
entry per write, under the same lock as the write and flushed to disk before the command
reports success: who (the note signer, the OS login, the machine), the command as typed,
the tracker's digest before and after, the backup, and every cell changed with its value
before and after — and the cell's XML as it was, so an undo can put the very cell back.

When the tracker at the start of a write is not what the previous esp write left, someone
saved it in between: an entry of kind `outside` is recorded first. Noticing it costs the
write nothing more than comparing the package's parts with those esp wrote; the cells that
differ are worked out from the backups when `esp history` (or `esp undo`) first asks for
them, and kept beside the log from then on.

Reading never fails on a damaged line: it is skipped, with a warning naming its number.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import itertools
import json
import logging
import mmap
import os
import re
import secrets
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO

from esp_cli import __version__, system
from esp_cli.core.model import CellChange
from esp_cli.core.oplog import (
    DROPPED,
    OUTSIDE,
    PENDING,
    WRITTEN,
    CellRecord,
    Diff,
    Facts,
    Operation,
    command_line,
    facts_json,
    namesakes_json,
    same_value,
    tag,
)
from esp_cli.core.refs import col_letter
from esp_cli.errors import EspError, WriteFailedError
from esp_cli.workbook.tracker import Row, Table, read_table
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.package import REL_SST, REL_STYLES
from esp_cli.workbook.xlsx.workbook import Workbook

logger = logging.getLogger("esp")

LOG_SUFFIX = ".history.jsonl"
OP_ID_LENGTH = safety.OP_ID_DIGITS  # in each backup's name too
# A change made outside esp lists at most this many cells (a re-sort in Excel changes them
# all); the entry says how many more there were.
OUTSIDE_CELL_LIMIT = 1000

_SECRET_OPTION = re.compile(r"^--?[\w-]*(password|passwd|secret|token|api-?key)[\w-]*$", re.I)


def log_path(tracker: Path, backup_dir: Path | None = None) -> Path:
    """Where the tracker's operation log is: in its backups folder, named after the
    tracker's file name (`ESP Tracker.xlsx.history.jsonl`: an .xlsm of the same name has its
    own)."""
    return safety.backup_dir_for(tracker, backup_dir) / f"{tracker.name}{LOG_SUFFIX}"


def legacy_log_path(tracker: Path, backup_dir: Path | None = None) -> Path:
    """Where esp kept the log before: named after the name without its suffix, in the
    `[backup] dir` itself (`ESP Tracker.history.jsonl`)."""
    return safety.legacy_backup_dir(tracker, backup_dir) / f"{tracker.stem}{LOG_SUFFIX}"


def _backup_suffix(line: bytes) -> str | None:
    m = _BACKUP_NAME.search(line, 0, _head_end(line))
    return Path(m.group(1).decode("utf-8", "replace")).suffix.lower() if m else None


_BACKUP_NAME = re.compile(rb'"backup":"((?:[^"\\]|\\.)*)"')
_CELLS = b'"cells":['


def _head_end(line: bytes) -> int:
    """Where an entry's line ends its fields before its cells (the last key, the only one
    that may be megabytes). A key can only be found before it: inside a JSON string a
    quote is escaped, so `"digest_after":"` never matches a command or a note's text. An
    entry esp wrote before the digests came first has them after the command as typed,
    which may be of any length."""
    end = line.find(_CELLS)
    return end if end >= 0 else len(line)


def ours(tracker: Path) -> Callable[[bytes], bool]:
    """For a log kept before trackers were told apart: whether a line is this tracker's. A
    write's backup carries the tracker's suffix, so the writes of an .xlsm named like an
    .xlsx (whose log was the same file) are told apart; others cannot be."""
    suffix = tracker.suffix.lower()

    def keep(line: bytes) -> bool:
        found = _backup_suffix(line)
        return found is None or found == suffix

    return keep


def log_to_read(
    tracker: Path, backup_dir: Path | None = None
) -> tuple[Path, Callable[[bytes], bool] | None]:
    """The log to read for the tracker, and which of its lines are the tracker's: its own
    log; until esp first writes it, the log kept under the name esp gave it before."""
    path = log_path(tracker, backup_dir)
    if path.exists():
        return path, None
    legacy = legacy_log_path(tracker, backup_dir)
    if legacy.exists():
        return legacy, ours(tracker)
    return path, None


def migrate(tracker: Path, backup_dir: Path | None = None) -> None:
    """Give the tracker its own log from the one esp kept before (first write since): its
    lines copied, those of another tracker left out (see `ours`). The old log stays as it
    was, for a tracker it may also be the log of. Under the write's lock."""
    path = log_path(tracker, backup_dir)
    legacy = legacy_log_path(tracker, backup_dir)
    if path.exists() or not legacy.is_file():
        return
    try:
        data = legacy.read_bytes()
    except OSError as exc:
        raise _unreadable_log(legacy, exc) from exc
    keep = ours(tracker)
    lines = [line for line in data.split(b"\n") if line.strip() and keep(line)]
    try:
        system.make_folder(path.parent, like=tracker.parent)
        system.write_file_atomically(path, b"".join(line + b"\n" for line in lines), like=None)
        with contextlib.suppress(OSError):
            like = tracker.stat()
            system.take_ownership(path, like, system.shared_mode(like))
    except OSError as exc:
        raise _unwritable_log(path, exc) from exc


def _unreadable_log(path: Path, exc: OSError) -> WriteFailedError:
    return WriteFailedError(
        f"{path}: the history log cannot be read ({exc.strerror}); nothing was written.",
        fix=safety.in_the_way_fix(path.parent)
        or "check the backups folder's permissions ([backup] dir in esp.toml).",
    )


def _unwritable_log(path: Path, exc: OSError) -> WriteFailedError:
    return WriteFailedError(
        f"{path}: the history log cannot be written ({exc.strerror or exc}); nothing was written.",
        fix=safety.in_the_way_fix(path.parent)
        or "check that the backups folder is writable ([backup] dir in esp.toml).",
    )


def typed_command(args: Sequence[str] | None) -> str:
    """`esp …` as typed, with the value of any password-like option replaced by ***."""
    if args is None:
        return ""
    out: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next:
            out.append("***")
            hide_next = False
            continue
        name, eq, _value = arg.partition("=")
        if _SECRET_OPTION.match(name):
            if eq:
                out.append(f"{name}=***")
            else:
                out.append(arg)
                hide_next = True
            continue
        out.append(arg)
    return shlex.join(["esp", *out])


def os_login() -> str:
    return system.login_name()


def machine_name() -> str:
    return system.computer_name()


def _encode(op: Operation) -> bytes:
    """One line of the log (see _pieces)."""
    return b"".join(_pieces(op))


def _json(data: Any) -> bytes:
    """JSON as UTF-8. Text that came from the system with bytes that are not UTF-8 (a file
    name, an argument, a login: Python keeps each such byte as a lone surrogate) cannot be
    written as UTF-8: it is written with every non-ASCII character escaped (\\udce9),
    which JSON reads back as exactly the same text."""
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode()


_PIECE = 1 << 20
# The cells are encoded this many at a time, as one JSON list: one call of the encoder for
# a batch, not one for each of 10,000 cells (the same bytes: the list's items are joined
# by "," as each cell's own JSON would be).
_BATCH = 512


def _cells_json(batch: list[Any]) -> bytes:
    """The cells of `batch` as JSON, comma-separated: those a batch cannot encode as UTF-8
    (text with bytes that were not UTF-8) each on its own, so every other cell is written
    exactly as it would be alone."""
    try:
        return json.dumps(batch, ensure_ascii=False, separators=(",", ":")).encode()[1:-1]
    except UnicodeEncodeError:
        return b",".join(_json(cell) for cell in batch)


def _pieces(op: Operation) -> Iterator[bytes]:
    """One line of the log in pieces of about a megabyte: the entry of a write of 50,000
    cells (tens of megabytes) is never held whole, nor its cells all at once."""
    data = op.to_json()
    cells = data.pop("cells")  # the last key
    head = _json(data)
    yield head[:-1] + b',"cells":['
    held: list[bytes] = []
    size = 0
    first = True
    for piece in _batches(cells):
        held.append(piece if first else b"," + piece)
        first = False
        size += len(piece)
        if size >= _PIECE:
            yield b"".join(held)
            held, size = [], 0
    held.append(b"]}\n")
    yield b"".join(held)


def _batches(cells: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The cells' JSON a batch at a time: those made ahead first (see PreparedCells)."""
    if isinstance(cells, PreparedCells):
        made, cells.made = cells.made, []
        yield from made
    rest = iter(cells)
    while batch := list(itertools.islice(rest, _BATCH)):
        yield _cells_json(batch)


# What a write's cells may have made of them ahead (see PreparedCells), at most.
_AHEAD_BYTES = _PIECE


class PreparedCells:
    """A write's cells (cell_entries) whose JSON is made ahead, a batch at a time, while
    the new workbook is compressed and the interpreter would wait (zipio's `idle`): the
    log's line holds the very bytes it would make of them when written. Iterated, it gives
    the cells not made ahead. At most `limit` bytes are made ahead: what a large write
    holds at its peak (the end of the compression) does not grow."""

    def __init__(self, cells: Iterable[dict[str, Any]], limit: int = _AHEAD_BYTES) -> None:
        self._cells = iter(cells)
        self.made: list[bytes] = []  # each batch's JSON, in order
        self._size = 0
        self._limit = limit

    def step(self) -> bool:
        """Make the next batch's JSON; False when nothing more is to be made ahead."""
        if self._size >= self._limit:
            return False
        batch = list(itertools.islice(self._cells, _BATCH))
        if not batch:
            self._size = self._limit
            return False
        piece = _cells_json(batch)
        self.made.append(piece)
        self._size += len(piece)
        return True

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._cells


def _decode(
    line: bytes, number: int, cell_filter: Callable[[dict[str, Any]], bool] | None = None
) -> Operation:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not an entry")
    return Operation.from_json(data, number, cell_filter)


# -- reading ----------------------------------------------------------------------------


@dataclass
class Log:
    """The entries read from a log (oldest first) and the lines that had to be skipped."""

    path: Path
    operations: list[Operation]
    warnings: list[str]
    bad_lines: list[int] = field(default_factory=list)


def read_log(
    path: Path,
    keep: Callable[[bytes], bool] | None = None,
    cell_filter: Callable[[dict[str, Any]], bool] | None = None,
    current: Callable[[], str] | None = None,
) -> Log:
    """Every readable entry of the log at `path` (none when there is no log yet). A line
    that is not a whole entry is skipped with a warning naming it. `keep` looks at a line's
    bytes first: a line it refuses is not parsed; `cell_filter` keeps only the cells it
    accepts (both to find one agent's cells quickly). `current` gives the tracker's digest
    now: a write stopped before it replaced the tracker (its entry still pending, the
    tracker as it was before it) is no operation; one stopped after, is."""
    ops: list[Operation] = []
    warnings: list[str] = []
    bad: list[int] = []
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Log(path, ops, warnings)
    except OSError as exc:
        fix = safety.in_the_way_fix(path.parent)
        warnings.append(
            f"{path}: cannot be read ({exc.strerror}); no history shown."
            + (f" Fix: {fix}" if fix else "")
        )
        return Log(path, ops, warnings)
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        if keep is not None and not keep(line):
            continue
        try:
            ops.append(_decode(line, number, cell_filter))
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            warnings.append(
                f"{path}: line {number} is not a whole history entry ({_why(exc)}); skipped."
            )
            bad.append(number)
    if ops and ops[-1].state == PENDING and current is not None:
        # A write's entries (the changes that waited, then its own) share its fate.
        if not took_effect(ops[-1], current()):
            while ops and ops[-1].state == PENDING:
                ops.pop()
    return Log(path, ops, warnings, bad)


def took_effect(op: Operation, tracker_digest: str) -> bool:
    """Whether a pending entry's write replaced the tracker: only when the tracker is what
    it made. A tracker that is neither what it was before nor what the write made was saved
    by someone since (Excel, after a write killed before or after its replace): the write
    cannot be told to have happened, so it did not — its changes that waited still wait,
    and are planned again on the tracker as it is (a line already there is not added twice,
    a value already there is no conflict)."""
    return tracker_digest == op.digest_after


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return "cut short or damaged"
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}"
    return str(exc) or type(exc).__name__


def _reverse_lines(fh: IO[bytes], block: int = 1 << 16) -> Iterator[bytes]:
    for _at, line in _lines_from_end(fh, block):
        yield line


def _lines_from_end(fh: IO[bytes], block: int = 1 << 16) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of each line, the last first. A line longer than a block (the entry
    of a whole-column write: megabytes) is not gathered block by block: once its start is
    found it is read again in one piece, so it is held once, never as blocks and their
    join besides (at 50,000 agents, 14 MB instead of 41 MB at the moment a write begins)."""
    fh.seek(0, os.SEEK_END)
    pos = end = fh.tell()  # end: where the line being found ends (its newline or the end)
    tail: bytes | None = b""  # its bytes after `pos`; None: longer than a block, not held
    while pos > 0:
        step = min(block, pos)
        pos -= step
        fh.seek(pos)
        chunk = fh.read(step)
        if b"\n" not in chunk:
            tail = None
            continue
        parts = chunk.split(b"\n")
        start = pos + len(chunk) - len(parts[-1])  # where the line ending at `end` starts
        if tail is None:
            fh.seek(start)
            line = fh.read(end - start)
        else:
            line = parts[-1] + tail
        found = [(start, line)]
        at = start
        for part in reversed(parts[1:-1]):
            at -= len(part) + 1
            found.append((at, part))
        yield from found
        tail, end = parts[0], pos + len(parts[0])
    if tail is None:
        fh.seek(0)
        tail = fh.read(end)
    yield 0, tail


_DIGEST_AFTER = re.compile(rb'"digest_after":"([0-9a-f]*)"')
_DIGEST_BEFORE = re.compile(rb'"digest_before":"([0-9a-f]*)"')
_PENDING = b'"state":"' + PENDING.encode() + b'"'


def settle(path: Path, tracker_digest: str) -> None:
    """Settle the entry of a write that was stopped (killed, the power cut) while it was
    replacing the tracker — the log's last entries, still pending: kept as written when the
    tracker is what the write made (see took_effect), else taken out of the log. Taken out
    while the tracker is still the file the write started from, the backup the write made
    of it goes too, and the entry of a save outside esp the write noticed (it names that
    backup; the next write notices the save again): nothing is left of a write that did not
    happen. So is the backup of a write stopped before its entry reached the log
    (_remove_unnamed_copies). Run under the write's lock, before anything else reads the
    log to write."""
    try:
        fh = path.open("r+b")
    except FileNotFoundError:
        return  # no log to tell a stopped write's backup from one a log names: none removed
    except OSError as exc:
        raise _unreadable_log(path, exc) from exc
    with fh:
        # The write's entries at the end of the log, all pending (the changes that waited
        # and were written with it, then its own): one fate for all of them.
        pending: list[int] = []  # offsets of their state values, newest first
        heads: list[bytes] = []  # their fields before the cells
        start = written = None
        above = b""  # the line before them
        for at, line in _lines_from_end(fh):
            if not line.strip():
                continue
            state = line.find(_PENDING, 0, 200)
            head = _head_end(line)
            before, after = (
                _DIGEST_BEFORE.search(line, 0, head),
                _DIGEST_AFTER.search(line, 0, head),
            )
            if state < 0 or before is None or after is None:
                above = line
                break  # a settled entry (or not one esp can read)
            if written is None:  # see took_effect
                written = tracker_digest == after.group(1).decode()
            pending.append(at + state + len(b'"state":"'))
            heads.append(line[:head])
            start = at
        backup = None
        if start is not None:
            backup = None if written else _made_of(path, heads, tracker_digest)
            if backup is not None and _noticed_by(above, heads, backup.name):
                start -= len(above) + 1
            try:
                if written:
                    for offset in pending:
                        fh.seek(offset)
                        fh.write(WRITTEN.encode())
                else:
                    fh.truncate(start)
                fh.flush()
                os.fsync(fh.fileno())
            except OSError as exc:
                raise _unwritable_log(path, exc) from exc
    if backup is not None:
        _remove_stopped_backup(backup)
    else:
        # A write stopped before its entry reached the log left only its backup.
        _remove_unnamed_copies(path, above, _ids_of(heads), tracker_digest)


def _remove_stopped_backup(backup: Path) -> None:
    try:
        system.remove_file(backup)
    except OSError as exc:
        logger.warning(
            "%s: made for a write that was stopped before it changed the tracker, it "
            "could not be removed (%s): it is not a backup of a write; delete it.",
            backup,
            exc.strerror or exc,
        )


_TIME = re.compile(rb'"time":"([^"]*)"')
# How long before the newest entry a stopped write's backup is looked for: the backups
# made since are a few at most, so few are read (a clock that differs more, on a shared
# drive, leaves the copy where it is: nothing is removed on a guess).
_STOPPED_WINDOW_S = 60.0


def _remove_unnamed_copies(log: Path, newest: bytes, known: set[str], tracker_digest: str) -> None:
    """Remove what a write stopped (killed, the power cut) after it saved its backup and
    before its entry reached the log left: a backup named after an operation the log does
    not know, made lately, that is a copy of the tracker as it still is — that write never
    replaced it, and nothing is lost with the copy. `newest`: the log's newest entry;
    `known`: the ids of entries just settled. A backup holding other bytes stays (the
    tracker was saved since: see outside_operation)."""
    if not log.name.endswith(LOG_SUFFIX) or not newest:
        return  # no entry to go by: nothing is guessed
    head = newest[: _head_end(newest)]
    found_id, found_time = _ENTRY_ID.match(head), _TIME.search(head)
    if found_id is None or found_time is None:
        return  # the newest line is not an entry esp can read: nothing is guessed
    tracker = Path(log.name[: -len(LOG_SUFFIX)])
    found = safety.backups_of(tracker, log.parent)
    # When each was made, by the time in its name (local time, as make_backup names it, so
    # the names sort as the moments): nothing but the folder's listing is read for the
    # backups made long before.
    try:
        when = datetime.fromisoformat(found_time.group(1).decode()).astimezone()
        since = (when - timedelta(seconds=_STOPPED_WINDOW_S)).strftime(safety.BACKUP_STAMP)
    except (ValueError, OverflowError, OSError):
        return
    known = {*known, found_id.group(1).decode()}
    for candidate, m in found:
        op = m.group(2)
        if op is None or op in known or m.group(1) < since:
            continue
        with contextlib.suppress(OSError):
            if safety.digest_of(candidate) == tracker_digest and not id_used(log, op):
                _remove_stopped_backup(candidate)


_ENTRY_ID = re.compile(rb'^\{"op":"([0-9a-f]+)"')


def _made_of(log: Path, heads: Sequence[bytes], tracker_digest: str) -> Path | None:
    """The backup the stopped write (its pending entries' `heads`) made, when it is a copy
    of the tracker as it is now, the file the write started from: named as esp names this
    tracker's backups after one of its operations, beside the log, and holding the bytes
    the entries say the tracker had before the write. None otherwise (kept, whatever it
    is)."""
    names = {m.group(1) for h in heads if (m := _BACKUP_NAME.search(h))}
    digests = {m.group(1).decode() for h in heads if (m := _DIGEST_BEFORE.search(h))}
    if len(names) != 1 or digests != {tracker_digest} or not log.name.endswith(LOG_SUFFIX):
        return None
    try:
        name = json.loads(b'"' + names.pop() + b'"')
    except ValueError:
        return None
    tracker = Path(log.name[: -len(LOG_SUFFIX)])
    found = safety.backup_pattern(tracker).fullmatch(name) if isinstance(name, str) else None
    if found is None or found.group(2) not in _ids_of(heads):
        return None
    backup = log.parent / name
    try:
        return backup if safety.digest_of(backup) == tracker_digest else None
    except OSError:
        return None


def _noticed_by(line: bytes, heads: Sequence[bytes], backup: str) -> bool:
    """Whether `line` is the entry of a save outside esp that the stopped write (its
    pending entries' `heads`) noticed: recorded with them, naming its backup."""
    if b'"kind":"' + OUTSIDE.encode() + b'"' not in line[:200]:
        return False
    try:
        entry = _decode(line, 0)
    except (ValueError, KeyError, TypeError, RecursionError):
        return False
    diff = entry.diff
    return diff is not None and diff.after == backup and diff.by in _ids_of(heads)


def _ids_of(heads: Sequence[bytes]) -> set[str]:
    """The operation ids of the entries whose lines start with `heads`."""
    return {m.group(1).decode() for h in heads if (m := _ENTRY_ID.match(h))}


def last_line(path: Path) -> tuple[bytes, str] | None:
    """The newest entry's line that reads as one, and its digest after (the line is not
    parsed whole: the entry of a write of 10,000 cells is megabytes)."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable_log(path, exc) from exc
    with fh:
        for line in _reverse_lines(fh):
            line = line.strip()
            m = _DIGEST_AFTER.search(line, 0, _head_end(line))
            if line.startswith(b"{") and line.endswith(b"}") and m is not None:
                return line, m.group(1).decode()
    return None


def mark(path: Path) -> int:
    """Where an entry appended from now on can start: the log's length, or where the
    write that is replacing the tracker now began its entries (still pending: stopped, it
    takes them out again, and the next entry starts there). 0 when there is no log."""
    try:
        fh = path.open("rb")
    except OSError:
        return 0
    with fh:
        start = os.fstat(fh.fileno()).st_size
        for at, line in _lines_from_end(fh):
            if not line.strip():
                continue
            if line.find(_PENDING, 0, 200) < 0:
                break
            start = at
    return start


# An entry's own id, or the ids of the waiting operations it wrote as its own.
_OP_ID = re.compile(rb'"op":"([0-9a-f]+)"|"wrote_waiting":\[([^\]]*)\]')
_IDS = re.compile(rb"[0-9a-f]+")


def _unwritten(entry: Operation) -> bool:
    """A change that waited and was recorded without a write (the tracker held it already):
    it made no backup, and the tracker is as the write before it left it."""
    return entry.written_at is not None and entry.backup is None


# An entry's waiting files (Operation.waiting_files), near its line's start.
_WAITING_FILES = re.compile(rb'"waiting_files":\{([^}]*)\}')
_WAITING_FILE = re.compile(rb'"([0-9a-f]+)":"([0-9a-f]*)"')
ANY_CONTENT = "*"  # an entry of an esp that did not record what the file held


def waiting_files_among(
    path: Path,
    ids: Sequence[str],
    since: int = 0,
    current: Callable[[], str] | None = None,
) -> dict[str, set[str]]:
    """Which of `ids` an entry of the log records as its operation (a change that waited
    is written, or dropped, under its own id) or as a waiting operation it wrote as its own
    (`wrote_waiting`), each with what the file it wrote held as the entries say
    (WaitingOp.fingerprint; ANY_CONTENT from an entry that does not say), looking from
    offset `since` on: one pass over what was appended since the oldest of them was made,
    however long the log.

    An entry still pending (a write replacing the tracker now, or one stopped while it did
    and not yet settled) records its ids only if its write took effect: the tracker's
    digest (`current`) is what the write made (see took_effect), or a later settled entry
    starts from it. Until then they still wait, and every report counts them."""
    wanted = {i.encode() for i in ids}
    if not wanted:
        return {}
    try:
        fh = path.open("rb")
    except OSError:
        return {}
    found: dict[str, set[str]] = {}
    digest: list[str] = []  # the tracker's, read once, only if a pending entry names one

    def line_at(mm: mmap.mmap, at: int) -> tuple[bytes, int]:
        start = mm.rfind(b"\n", 0, at) + 1
        end = mm.find(b"\n", at)
        return mm[start : end if end >= 0 else len(mm)], end

    def took(line: bytes, end: int, mm: mmap.mmap) -> bool:
        if line.find(_PENDING, 0, 200) < 0:
            return True
        after = _DIGEST_AFTER.search(line, 0, _head_end(line))
        if after is None or not after.group(1):
            return False
        if end >= 0 and mm.find(b'"digest_before":"' + after.group(1) + b'"', end) >= 0:
            return True  # a later write started from what this one made
        if current is None:
            return False
        if not digest:
            digest.append(current())
        return digest[0] == after.group(1).decode()

    def record(line: bytes, named: set[bytes]) -> None:
        files = _WAITING_FILES.search(line, 0, _head_end(line))
        held = dict(_WAITING_FILE.findall(files.group(1))) if files is not None else {}
        for i in named:
            content = held.get(i)
            found.setdefault(i.decode(), set()).add(
                ANY_CONTENT if content is None else content.decode()
            )

    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size <= since:
            return found
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            # Each entry's "op" is its first key: a line's start, then the id.
            for m in _OP_ID.finditer(mm, max(since, 0)):
                if m.group(1) is None:
                    named = {i for i in _IDS.findall(m.group(2)) if i in wanted}
                elif m.group(1) in wanted and (m.start() <= 1 or mm[m.start() - 2] == 0x0A):
                    named = {m.group(1)}
                else:
                    continue
                if named:
                    line, end = line_at(mm, m.start())
                    if took(line, end, mm):
                        record(line, named)
    return found


def unmoved_after(
    log: Log, digest: str, last: Operation | None = None
) -> Callable[[Operation], bool]:
    """Whether only esp has written the tracker (now of digest `digest`) since each entry of
    `log`: no save made outside esp is recorded after it (nor a line that cannot be read,
    which may have been one), and the tracker is what the newest entry (`last`, when `log`
    holds only some of them) left. Then the cells it recorded are where it recorded them:
    esp moves no row."""
    newest = last if last is not None else (log.operations[-1] if log.operations else None)
    if newest is None or newest.digest_after != digest:
        return lambda op: False
    outside = max((o.line for o in log.operations if o.kind == OUTSIDE), default=0)
    since = max([outside, *log.bad_lines])
    return lambda op: op.line > since or (op.kind == OUTSIDE and op.line == outside)


_KIND = re.compile(rb'"kind":"([a-z_]+)"')


def only_esp_since(path: Path, since: int, start: str, now: str) -> bool:
    """Whether only esp has written the tracker since it was the file of digest `start`,
    now the file of digest `now`: the same file, or the log (from offset `since` on)
    records esp writes leading from one to the other and no save made outside esp among
    them. Then its rows are where they were: esp moves no row."""
    if start == now:
        return True
    if not start or not now:
        return False
    try:
        fh = path.open("rb")
    except OSError:
        return False
    digest = start
    with fh:
        fh.seek(max(since, 0))
        for line in fh:
            head = line[: _head_end(line)]
            kind = _KIND.search(head)
            if kind is not None and kind.group(1).decode() == OUTSIDE:
                return False
            before, after = _DIGEST_BEFORE.search(head), _DIGEST_AFTER.search(head)
            if before is not None and after is not None and before.group(1).decode() == digest:
                digest = after.group(1).decode()
    return digest == now


def id_used(path: Path, op: str) -> bool:
    """Whether an entry of the log at `path` has the id `op` (one quick search)."""
    try:
        with path.open("rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return False
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return mm.find(b'"op":"' + op.encode() + b'"') >= 0
    except FileNotFoundError:
        return False


def last_operation(path: Path) -> Operation | None:
    """The newest readable entry, read from the end of the log (a long log is not read)."""
    try:
        fh = path.open("rb")
    except OSError:
        return None
    with fh:
        for line in _reverse_lines(fh):
            if line.strip():
                with contextlib.suppress(ValueError, KeyError, TypeError, RecursionError):
                    return _decode(line, 0)
    return None


# -- writing ----------------------------------------------------------------------------


class Recorder:
    """Appends a write's entries to the log. Made before the write, under its lock (it
    settles a write stopped earlier, reads the previous entry and picks an unused id).
    `append` runs once the backup is made and before the tracker is replaced: the entries
    are written, flushed and synced there, the write's own marked pending — a log that
    cannot be written stops the write, and nothing can fail to be recorded once the tracker
    is replaced. `confirm` marks it written once the tracker is replaced; `withdraw` takes
    it out when the replace failed. A write killed in between is settled by the next
    command (see settle): never a write the log does not know, nor an entry for a write
    that did not happen."""

    def __init__(self, path: Path, tracker: Path | None = None, current: str | None = None) -> None:
        self.path = path
        self._tracker = tracker  # a new log takes its owner, group and permissions
        self._fh: BinaryIO | None = None
        self._ids: set[str] = set()
        if current is not None:
            settle(path, current)
        # The newest entry's digest after (its line, megabytes for a write of a whole
        # column, is not kept).
        found = last_line(path)
        self._last: tuple[str] | None = (found[1],) if found is not None else None
        # The offset of each pending entry's state; the log's length before this write's
        # entries (what taking them out leaves).
        self._pending: list[int] | None = None
        self._began: int | None = None

    @property
    def previous_digest(self) -> str | None:
        """The tracker's digest after the previous esp write (None: none recorded)."""
        return self._last[0] if self._last is not None else None

    def previous(self) -> Operation | None:
        """The previous write's entry, read whole (only when the tracker changed since it).
        A write that also wrote changes that waited has an entry for each: their cells, in
        order, are the previous write's. A change dropped unwritten is no write, nor one
        recorded without a write (the tracker held it already)."""
        if self._last is None:
            return None
        last: Operation | None = None
        cells: list[CellRecord] = []
        with contextlib.suppress(OSError), self.path.open("rb") as fh:
            for line in _reverse_lines(fh):
                if not line.strip():
                    continue
                try:
                    entry = _decode(line, 0)
                except (ValueError, KeyError, TypeError, RecursionError):
                    if last is None:
                        continue  # cut short: the newest whole one
                    break
                if entry.kind == DROPPED or _unwritten(entry):
                    if last is None:
                        continue
                    break
                if last is None:
                    last = entry
                elif entry.backup is None or (entry.backup, entry.digest_after) != (
                    last.backup,
                    last.digest_after,
                ):
                    break
                cells[:0] = entry.cells
                if last.backup is None:
                    break
        if last is None:
            return None
        return replace(last, cells=tuple(cells))

    def new_id(self) -> str:
        while True:
            op = secrets.token_hex(OP_ID_LENGTH // 2)
            if op not in self._ids and not self._used(op):
                self._ids.add(op)
                return op

    def _used(self, op: str) -> bool:
        return id_used(self.path, op)

    def open(self) -> None:
        try:
            if self._tracker is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            else:
                system.make_folder(self.path.parent, like=self._tracker.parent)
            new = not self.path.exists()
            # Unbuffered: what a failed write leaves unwritten is not held to be written
            # later (when the file is closed, after its entries were taken out).
            self._fh = self.path.open("ab", buffering=0)
            if new and self._tracker is not None:
                # Every teammate who writes the tracker appends here too.
                with contextlib.suppress(OSError):
                    like = self._tracker.stat()
                    system.take_ownership(self.path, like, system.shared_mode(like))
        except OSError as exc:
            raise WriteFailedError(
                f"{self.path}: the history log cannot be written ({exc.strerror or exc}); "
                "the workbook is unchanged.",
                fix=safety.in_the_way_fix(self.path.parent)
                or "check that the backups folder is writable, or set [backup] dir in "
                "esp.toml to a writable folder.",
            ) from exc

    def append(self, ops: Sequence[Operation], pending: int | bool = False) -> None:
        """Write `ops`, flushed and synced; the last `pending` of them (True: the last one)
        are the write about to replace the tracker: the changes that waited and are written
        with it, then its own. Should the log not take them all (a full disk), none of them
        stays: the log is left as it was."""
        if self._fh is None:
            self.open()
        fh = self._fh
        assert fh is not None
        first = len(ops) - int(pending)
        states: list[int] = []
        start: int | None = None
        try:
            start = fh.seek(0, os.SEEK_END)
            if start > 0 and not self._ends_with_newline():
                _write_all(fh, b"\n")  # a line cut short by a crash stays on its own line
            for i, op in enumerate(ops):
                mark = i >= first
                at = fh.tell()
                for n, piece in enumerate(_pieces(replace(op, state=PENDING) if mark else op)):
                    if mark and n == 0:
                        states.append(at + piece.index(_PENDING) + len(b'"state":"'))
                    _write_all(fh, piece)
            os.fsync(fh.fileno())
        except OSError as exc:
            if start is not None:
                self._cut(start)
            raise WriteFailedError(
                f"{self.path}: the history log cannot be written ({exc.strerror or exc}); "
                "the workbook is unchanged.",
                fix=safety.backups_fix(exc, self.path.parent),
            ) from exc
        if self._began is None:
            self._began = start
        if states:
            self._pending = [*(self._pending or []), *states]

    def confirm(self) -> None:
        """The tracker is replaced: the pending entry is a write. (Should this fail, the
        next command settles the entry from the tracker's digest.)"""
        if self._pending is None:
            return
        states = self._pending
        with contextlib.suppress(OSError), self.path.open("r+b") as fh:
            for state in states:
                fh.seek(state)
                if fh.read(len(PENDING)) == PENDING.encode():
                    fh.seek(state)
                    fh.write(WRITTEN.encode())
            fh.flush()
            os.fsync(fh.fileno())
        self._pending = None

    def withdraw(self) -> None:
        """The tracker was not replaced: the write's entries are taken out of the log (the
        save outside esp it noticed too: its entry names the write's backup, taken back),
        which is left as it was before them, byte for byte."""
        if self._pending is None or self._began is None:
            return
        self._cut(self._began)
        self._pending = None

    def _cut(self, length: int) -> None:
        """The log back to its first `length` bytes, synced: through the handle that wrote
        it when open (nothing of it is held to be written later). Should that fail, a
        pending entry left is settled by the next command."""
        with contextlib.suppress(OSError):
            if self._fh is not None:
                self._fh.truncate(length)
                os.fsync(self._fh.fileno())
                return
            with self.path.open("r+b") as fh:
                fh.truncate(length)
                fh.flush()
                os.fsync(fh.fileno())

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def close(self) -> None:
        """Done with the log. Everything written was synced (or taken out) already: a
        failure to close it loses nothing, and is not the command's."""
        if self._fh is not None:
            fh, self._fh = self._fh, None
            with contextlib.suppress(OSError):
                fh.close()


def _write_all(fh: BinaryIO, data: bytes) -> None:
    """All of `data` written through an unbuffered file, which may take part of it at a
    time (a disk filling up takes what fits, then refuses the rest)."""
    view = memoryview(data)
    while view:
        done = fh.write(view)
        if not done:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[done:]


def who(signer: str | None) -> dict[str, Any]:
    return {
        "signer": signer,
        "login": os_login(),
        "machine": machine_name(),
        "version": __version__,
        "command": typed_command(command_line.get()),
    }


def now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


def cell_entries(
    changes: Sequence[CellChange],
    before_xml: Callable[[str, int, int], bytes | None],
    touched: set[tuple[str, int, int]] | None = None,
    facts: Callable[[CellChange], Facts | None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The changes as the log's cells (CellRecord.to_json, built directly: a write of
    10,000 cells records them in a few hundredths of a second), one at a time as the entry
    is written; `before_xml` gives a cell's XML before the write. `touched`: the cells an
    earlier entry of the same write changed (updated here): such a cell's XML before is not
    the file's, so it is recorded as `chained`, without XML (an undo writes its value
    back). `facts`: what tells a namesake's row apart, for a cell of an agent's row
    (CellRecord.facts)."""
    letters: dict[int, str] = {}
    for c in changes:
        where = (c.sheet, c.row, c.col)
        chained = touched is not None and where in touched
        xml = None if chained else before_xml(c.sheet, c.row, c.col)
        if touched is not None:
            touched.add(where)
        old, new = c.old, c.new
        letter = letters.get(c.col)
        if letter is None:
            letter = letters[c.col] = col_letter(c.col)
        cell = {
            "sheet": c.sheet,
            "cell": f"{letter}{c.row}",
            "row": c.row,
            "col": c.col,
            "agent": c.agent,
            "class": c.cls,
            "column": c.column,
            "before": old if old is None or type(old) is str else tag(old),
            "after": new if new is None or type(new) is str else tag(new),
            "before_xml": None if xml is None else xml.decode("utf-8", "surrogateescape"),
        }
        if c.agent_id is not None:
            cell["agent_id"] = c.agent_id
            cell["email"] = c.email or ""
            cell["n_number"] = c.n_number or ""
            seen = facts(c) if facts is not None else None
            if seen:
                cell["facts"] = facts_json(seen)
                theirs = namesakes_json(seen)
                if theirs is not None:
                    cell["namesakes"] = theirs
        if chained:
            cell["chained"] = True
        yield cell


# -- changes made outside esp -------------------------------------------------------------


Describe = Callable[[str, int, int], tuple[str, str, str]]  # -> agent, class, column
# Names a workbook's cells as the command reads them (its agents, classes and columns);
# None when it has no agent rows.
Describer = Callable[[Workbook], Describe | None]


def describer(table: Table | None) -> Describe | None:
    """Names a cell's agent, class and column as the table read them."""
    if table is None:
        return None
    rows: dict[tuple[str, int], Row] = {}

    def describe(sheet: str, row: int, col: int) -> tuple[str, str, str]:
        if not rows:
            rows.update(((r.sheet, r.row), r) for r in table.rows())
        found = rows.get((sheet, row))
        try:
            column = table.sheet(sheet).headers.get(col, "")
        except KeyError:
            column = ""
        if found is None:
            return "", "", column
        return found.label(), " ".join(found.cls.split()), column

    return describe


def names(aliases: Mapping[str, Iterable[str]] | None = None) -> Describer:
    """Names a workbook's cells as esp reads the tracker (with esp.toml's [columns])."""

    def describe(wb: Workbook) -> Describe | None:
        try:
            return describer(read_table(wb, aliases, keys=()))
        except EspError:
            return None

    return describe


def outside_operation(
    op: str, previous: Operation, current: Workbook, folders: Sequence[Path], by: str
) -> Operation:
    """The entry for a tracker saved by someone between esp's previous write and this one
    (operation `by`, whose backup holds the tracker as that save left it: see `noticed`).
    Only which parts of the package differ from what esp left is looked at now; the cells
    are worked out when they are asked for (`work_out`), from the backups. `folders`: the
    backups folder, then where esp kept them before."""
    note = ""
    stopped = next(
        (
            found
            for f in dict.fromkeys(folders)
            if (found := _unrecorded_write(f, current.path, previous))
        ),
        None,
    )
    if stopped is not None:
        # Whether it replaced the tracker cannot be told once the tracker was saved since
        # (an older esp recorded a write only after its replace: it did).
        op_id, name = stopped
        note = (
            f"esp operation {op_id} was stopped before it was recorded; the changes below "
            f"include its own if it wrote the tracker (its backup {name} holds the tracker "
            "as it was before it)"
        )
    left = previous.backup if previous.kind != OUTSIDE else _after(previous)
    return Operation(
        op=op,
        kind=OUTSIDE,
        time=now(),
        signer=None,
        login="",
        machine="",
        version=__version__,
        command="",
        digest_before=previous.digest_after,
        digest_after=current.pkg.digest,
        backup=None,
        note=note,
        diff=Diff(previous.op, left, "", by, _changed_sheets(previous, current)),
    )


def noticed(outside: Operation, backup: Path) -> Operation:
    """The outside entry, once the write that noticed it has made its backup."""
    assert outside.diff is not None
    return replace(outside, diff=replace(outside.diff, after=backup.name))


def _after(outside: Operation) -> str | None:
    """The backup holding the tracker as a save outside esp left it."""
    return outside.diff.after if outside.diff is not None and outside.diff.after else None


def _changed_sheets(previous: Operation, current: Workbook) -> tuple[str, ...] | None:
    """The sheets whose parts differ from what the previous write left (by the CRC-32 and
    size the zips' directories record; decompressing nothing). None: any cell may read
    differently (the shared strings, the styles or the workbook's sheet list changed, or
    the previous entry does not say what it wrote)."""
    if not previous.parts:
        return None
    pkg = current.pkg
    now = pkg.part_digests
    changed = {n for n in now.keys() | previous.parts.keys() if now.get(n) != previous.parts.get(n)}
    if not changed:
        return ()
    shared = {
        "[Content_Types].xml",
        pkg.workbook_part,
        pkg.rels_part_name(pkg.workbook_part),
        pkg.workbook_rel_target(REL_SST),
        pkg.workbook_rel_target(REL_STYLES),
    }
    if changed & shared:
        return None
    return tuple(info.name for info in current.sheets if info.part in changed)


def _unrecorded_write(folder: Path, tracker: Path, previous: Operation) -> tuple[str, str] | None:
    """The id and backup name of an esp write made after `previous` that never reached the
    log (stopped after its backup, before its entry was written or settled): its backup,
    named after it, is the tracker as `previous` left it."""
    since = previous.time.timestamp() - 1
    for candidate, m in sorted(safety.backups_of(tracker, folder), key=lambda found: found[0]):
        op = m.group(2)
        if op is None or op == previous.op:
            continue
        with contextlib.suppress(OSError):
            if candidate.stat().st_mtime >= since and (
                safety.digest_of(candidate) == previous.digest_after
            ):
                return op, candidate.name
    return None


# Worked out once, the cells are kept beside the log (a file per entry, written whole):
# `esp history` then shows them at once, and a backup removed later loses nothing.
_WORKED_OUT_VERSION = 1


def worked_out_dir(log: Path) -> Path:
    """Where the cells of the saves made outside esp are kept once worked out."""
    name = log.name[: -len(LOG_SUFFIX)] if log.name.endswith(LOG_SUFFIX) else log.stem
    return log.with_name(f"{name}.outside")


def before_removing(
    log: Path,
    folders: Sequence[Path],
    describe: Describer | None = None,
    noticed: Operation | None = None,
) -> Callable[[list[Path]], list[Path]]:
    """For the backups' retention: before backups are removed, the cells of each save
    made outside esp that needs one of them are worked out and kept, so removing a backup
    never loses what `esp history` shows. The backup an outside entry being recorded
    (`noticed`) needs is kept until the next write (its entry is in the log by then)."""

    def work_out_first(removed: list[Path]) -> list[Path]:
        keep = {noticed.diff.before} if noticed is not None and noticed.diff else set()
        gone = {p.name for p in removed} - keep
        for op in _outside_entries(log):
            diff = op.diff
            if diff is not None and (diff.before in gone or diff.after in gone):
                if _kept(log, op.op) is None:
                    work_out(op, log, folders, describe)
        return [p for p in removed if p.name in gone]

    return work_out_first


def _outside_entries(log: Path) -> list[Operation]:
    """The log's outside entries (short lines, found without reading the others)."""
    found: list[Operation] = []
    try:
        fh = log.open("rb")
    except OSError:
        return found
    needle = b'"kind":"' + OUTSIDE.encode() + b'"'
    with fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return found
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            at = mm.find(needle)
            while at >= 0:
                start = mm.rfind(b"\n", 0, at) + 1
                end = mm.find(b"\n", at)
                end = end if end >= 0 else len(mm)
                with contextlib.suppress(ValueError, KeyError, TypeError, RecursionError):
                    found.append(_decode(mm[start:end], 0))
                at = mm.find(needle, end)
    return found


def pending(op: Operation) -> bool:
    """Whether an entry's cells are still to be worked out (see work_out)."""
    return op.diff is not None


def work_out(
    op: Operation,
    log: Path,
    folders: Sequence[Path],
    describe: Describer | None = None,
    *,
    keep: bool = True,
) -> Operation:
    """An outside entry with its cells: those whose values differ between the tracker as
    esp left it and as the save left it (see oplog.Diff), named as `describe` reads the
    latter. Worked out from the backups the first time they are asked for, then kept
    beside the log (unless not `keep`). Only cells worked out are kept: while a backup
    needed is not there (not synced yet, moved away), the entry says so and stays to be
    worked out (its `diff` kept), so the cells show once it is back. Any other entry is
    returned as it is."""
    diff = op.diff
    if diff is None:
        return op
    got = _kept(log, op.op)
    if got is None:
        got = _work_out(op.op, diff, log, folders, describe)
        if keep and got[3] and _keep(log, op.op, got):
            _let_go(log, op.op)
    cells, omitted, note, final = got
    return replace(
        op,
        cells=tuple(cells),
        cells_omitted=omitted,
        note="; ".join(n for n in (op.note, note) if n),
        diff=None if final else diff,
    )


_Worked = tuple[list[CellRecord], int, str, bool]  # cells, omitted, note, worked out


def _work_out(
    op: str, diff: Diff, log: Path, folders: Sequence[Path], describe: Describer | None
) -> _Worked:
    if diff.sheets == ():
        return [], 0, "", True
    since = entry(log, diff.since)
    if since is None:
        return [], 0, f"operation {diff.since} is not in the log; the cells cannot be listed", False
    if not diff.before:
        return [], 0, f"esp kept no backup of operation {diff.since}; " + _NOT_LISTED, False
    kept = list(dict.fromkeys(folders))
    before = _backup_in(kept, diff.before) or _set_aside_copy(log, op, _FROM, diff.before)
    after = _backup_in(kept, diff.after) or _set_aside_copy(log, op, _TO, diff.after)
    missing = [
        f"{name} (operation {of})"
        for name, of, found in ((diff.before, diff.since, before), (diff.after, diff.by, after))
        if found is None
    ]
    if before is None or after is None:
        where = kept[0] if kept else log.parent
        one = len(missing) == 1
        return (
            [],
            0,
            f"the backup{'' if one else 's'} {' and '.join(missing)} "
            f"{'is' if one else 'are'} not in {where}; the cells that changed will be listed "
            f"once {'it is' if one else 'they are'} there",
            False,
        )
    written = {(c.sheet, c.row, c.col): c.after for c in _write_cells(log, since)}
    # The headers of the columns it added are its own cells too.
    headers: dict[tuple[str, int], str] = {}
    for added in since.added_columns if since.kind != OUTSIDE else ():
        if added.row:
            written.setdefault((added.sheet, added.row, added.col), added.header)
        else:  # recorded without its row: the topmost cell showing it (see _diff)
            headers[(added.sheet, added.col)] = added.header
    try:
        now_ = Workbook.open(after)
        cells, omitted, note = _diff(Workbook.open(before), written, now_, diff.sheets, headers)
        names = describe(now_) if describe is not None and cells else None
    except Exception as exc:  # a backup esp cannot read: the entry still says it changed
        return [], 0, f"{_NOT_LISTED} ({exc})", False
    if names is not None:
        cells = [
            CellRecord(c.sheet, c.row, c.col, *names(c.sheet, c.row, c.col), c.before, c.after)
            for c in cells
        ]
    return cells, omitted, note, True


_NOT_LISTED = "the cells that changed cannot be listed"


def _backup_in(folders: Sequence[Path], name: str | None) -> Path | None:
    if not name:
        return None
    return next((f / name for f in folders if (f / name).is_file()), None)


# The two states an outside entry's cells are worked out from, set aside beside the kept
# cells by the write that noticed the save (a hard link where the disk allows, no copy):
# clearing the backups folder, or a backup removed by hand, loses no cell. Let go once the
# cells are kept.
_FROM, _TO = "from", "to"


def _set_aside_name(log: Path, op: str, which: str, backup: str) -> Path:
    return worked_out_dir(log) / f"{op}.{which}{Path(backup).suffix}"


def _set_aside_copy(log: Path, op: str, which: str, backup: str | None) -> Path | None:
    if not backup:
        return None
    path = _set_aside_name(log, op, which, backup)
    return path if path.is_file() else None


def set_aside(log: Path, outside: Operation, folders: Sequence[Path]) -> None:
    """Keep the two backups the outside entry's cells are worked out from until they are
    (run by the write that noticed the save, once its backup is made). Best effort: the
    backups themselves are still there."""
    diff = outside.diff
    if diff is None:
        return
    kept = list(dict.fromkeys(folders))
    for which, name in ((_FROM, diff.before), (_TO, diff.after)):
        found = _backup_in(kept, name)
        if found is None or name is None:
            continue
        target = _set_aside_name(log, outside.op, which, name)
        with contextlib.suppress(OSError):
            system.make_folder(target.parent, like=log.parent)
            system.link_or_copy(found, target)


def _let_go(log: Path, op: str) -> None:
    """The states set aside for an outside entry, once its cells are kept."""
    for which in (_FROM, _TO):
        for path in worked_out_dir(log).glob(f"{glob.escape(op)}.{which}.*"):
            with contextlib.suppress(OSError):
                path.unlink()


def entry(log: Path, op: str) -> Operation | None:
    """The entry of operation `op`, read whole from the log (None: not there, or damaged)."""
    return _entry(log, op, None)[0]


def entry_since(log: Path, op: str, digest: str) -> tuple[Operation | None, bool]:
    """The entry of operation `op`, as `entry` reads it, and whether only esp has written
    the tracker (now of digest `digest`) since: what `unmoved_after` says of it on the whole
    log, read from the entries after it alone (an undo that waited, written now: the months
    of entries before its operation, whole-column writes among them, are never read)."""
    return _entry(log, op, digest)


def _entry(log: Path, op: str, digest: str | None) -> tuple[Operation | None, bool]:
    try:
        fh = log.open("rb")
    except OSError:
        return None, False
    with fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return None, False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            needle = b'{"op":"' + op.encode() + b'"'
            at = mm.find(needle)
            while at > 0 and mm[at - 1 : at] != b"\n":  # not at a line's start: look on
                at = mm.find(needle, at + 1)
            if at < 0:
                return None, False
            end = mm.find(b"\n", at)
            end = end if end >= 0 else len(mm)
            try:
                found = _decode(mm[at:end], 0)
            except (ValueError, KeyError, TypeError, RecursionError):
                return None, False
            return found, digest is not None and _unmoved_since(mm, end + 1, found, digest)


def _unmoved_since(mm: mmap.mmap, start: int, since: Operation, digest: str) -> bool:
    """`unmoved_after` of the entry `since`, whose line ends right before offset `start`:
    no save made outside esp after it, nor a line that cannot be read (it may have been
    one), and the tracker is what the newest entry left (a write stopped before its
    replace, still pending, is no entry)."""
    ops = [since]
    while start < len(mm):
        stop = mm.find(b"\n", start)
        stop = stop if stop >= 0 else len(mm)
        line = mm[start:stop]
        start = stop + 1
        if not line.strip():
            continue
        try:
            ops.append(_decode(line, 0))
        except (ValueError, KeyError, TypeError, RecursionError):
            return False
    if ops[-1].state == PENDING and not took_effect(ops[-1], digest):
        while ops and ops[-1].state == PENDING:
            ops.pop()
    if not ops or ops[0] is not since or ops[-1].digest_after != digest:
        return False
    return not any(o.kind == OUTSIDE for o in ops[1:])


def _write_cells(log: Path, since: Operation) -> list[CellRecord]:
    """The cells esp wrote in the write of entry `since`: a write that also wrote changes
    that waited has an entry for each (the same backup and digest after), their cells in
    log order."""
    if since.kind == OUTSIDE:
        return []
    if not since.backup:
        return list(since.cells)
    needle = b'"backup":' + _json(since.backup)
    cells: list[CellRecord] = []
    try:
        fh = log.open("rb")
    except OSError:
        return list(since.cells)
    with fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return list(since.cells)
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            at = mm.find(needle)
            while at >= 0:
                start = mm.rfind(b"\n", 0, at) + 1
                end = mm.find(b"\n", at)
                end = end if end >= 0 else len(mm)
                with contextlib.suppress(ValueError, KeyError, TypeError, RecursionError):
                    got = _decode(mm[start:end], 0)
                    if got.kind != OUTSIDE and got.digest_after == since.digest_after:
                        cells += got.cells
                at = mm.find(needle, end)
    return cells or list(since.cells)


def _kept(log: Path, op: str) -> _Worked | None:
    try:
        data = json.loads((worked_out_dir(log) / f"{op}.json").read_bytes())
        if data.get("version") != _WORKED_OUT_VERSION:
            return None
        cells = [CellRecord.from_json(c) for c in data["cells"]]
        return cells, int(data.get("cells_omitted") or 0), str(data.get("note") or ""), True
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _keep(log: Path, op: str, got: _Worked) -> bool:
    """Kept for the next time (a folder that cannot be written: worked out again then).
    Whether it was."""
    cells, omitted, note, _final = got
    data = {
        "version": _WORKED_OUT_VERSION,
        "op": op,
        "cells_omitted": omitted,
        "note": note,
        "cells": [c.to_json() for c in cells],
    }
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode() + b"\n"
    folder = worked_out_dir(log)
    try:
        system.make_folder(folder, like=log.parent)
        system.write_file_atomically(folder / f"{op}.json", text, like=None)
    except OSError:
        return False
    return True


def _diff(
    before_previous: Workbook,
    written: dict[tuple[str, int, int], Any],
    current: Workbook,
    only: tuple[str, ...] | None = None,
    headers: Mapping[tuple[str, int], str] | None = None,
) -> tuple[list[CellRecord], int, str]:
    """The cells whose values differ between what the previous write left (its backup
    with its `written` cells) and `current`, sheet by sheet (`only` these sheets, when
    given: the others' parts are as esp left them). A sheet renamed since is the same
    sheet (its part, else its sheetId, tells it); its cells are named as it is now.
    `headers`: the columns the previous write added whose header row it did not record
    ((sheet, col) -> header): the topmost cell showing the header is its own."""
    old_sheets = {s.name: s for s in before_previous.sheets}
    matched = _match_sheets(before_previous, current)
    notes = []
    renamed = [f"{old} renamed {new}" for new, old in matched.items() if old != new]
    added = [s.name for s in current.sheets if s.name not in matched]
    removed = [n for n in old_sheets if n not in set(matched.values())]
    if renamed:
        notes.append("sheet " + ", ".join(renamed))
    if added:
        notes.append("sheets added: " + ", ".join(added))
    if removed:
        notes.append("sheets removed: " + ", ".join(removed))
    touched: dict[str, set[int]] = {}
    for name, r, _c in written:
        touched.setdefault(name, set()).add(r)
    unplaced = dict(headers or {})
    cells: list[CellRecord] = []
    omitted = 0
    for info in current.sheets:
        name = info.name
        was_name = matched.get(name)
        if was_name is None or (only is not None and name not in only):
            continue
        old = before_previous.values(old_sheets[was_name], cache=False).rows
        new = current.values(info).rows  # kept: `describe` reads the same sheet next
        rows_written = touched.get(was_name, set())
        for r in range(1, max(len(old), len(new)) + 1):
            was_row = old[r - 1] if r <= len(old) else []
            now_row = new[r - 1] if r <= len(new) else []
            if was_row == now_row and r not in rows_written:
                continue  # the same values (compared in one step: most rows are)
            for c in range(1, max(len(was_row), len(now_row)) + 1):
                key = (was_name, r, c)
                if key in written:
                    was = written[key]
                else:
                    was = was_row[c - 1] if c <= len(was_row) else None
                    was = None if was == "" else was
                now_ = now_row[c - 1] if c <= len(now_row) else None
                now_ = None if now_ == "" else now_
                if was is None and now_ is not None and unplaced.get((was_name, c)) == now_:
                    del unplaced[(was_name, c)]  # the header esp added
                    continue
                if now_ == was or same_value(now_, was):
                    continue
                if len(cells) >= OUTSIDE_CELL_LIMIT:
                    omitted += 1
                    continue
                cells.append(CellRecord(name, r, c, "", "", "", was, now_))
    return cells, omitted, "; ".join(notes)


def _match_sheets(before: Workbook, now_: Workbook) -> dict[str, str]:
    """Each sheet of `now_` that was in `before` -> its name there: by name, else (renamed)
    by its part, else by its sheetId — a save renumbering the parts (LibreOffice) keeps
    the names of the sheets it did not rename."""
    old = {s.name: s for s in before.sheets}
    matched = {s.name: s.name for s in now_.sheets if s.name in old}
    left = [s for s in before.sheets if s.name not in matched]
    for key in ("part", "sheet_id"):
        for info in now_.sheets:
            if info.name in matched:
                continue
            found = next((s for s in left if getattr(s, key) == getattr(info, key)), None)
            if found is not None:
                matched[info.name] = found.name
                left.remove(found)
    return matched
