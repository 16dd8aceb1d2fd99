"""The operation log: every write esp makes to a tracker, recorded beside it.

The log lives in the tracker's backups folder as `<tracker name>.history.jsonl`, one JSON
object a line (JSON Lines), oldest first. The write session (esp_cli.workbook.session) appends one
entry per write, under the same lock as the write and flushed to disk before the command
reports success: who (the note signer, the OS login, the machine), the command as typed,
the tracker's digest before and after, the backup, and every cell changed with its value
before and after — and the cell's XML as it was, so an undo can put the very cell back.

When the tracker at the start of a write is not what the previous esp write left, someone
saved it in between: an entry of kind `outside` is recorded first, with the cells that
differ when the previous write's backup still lets esp rebuild what it left.

Reading never fails on a damaged line: it is skipped, with a warning naming its number.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import mmap
import os
import platform
import re
import secrets
import shlex
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from esp_cli import __version__, system
from esp_cli.core.model import CellChange
from esp_cli.core.oplog import OUTSIDE, CellRecord, Operation, command_line, same_value, tag
from esp_cli.core.refs import col_letter
from esp_cli.errors import WriteFailedError
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.workbook import Workbook

LOG_SUFFIX = ".history.jsonl"
OP_ID_LENGTH = 8
# A change made outside esp lists at most this many cells (a re-sort in Excel changes them
# all); the entry says how many more there were.
OUTSIDE_CELL_LIMIT = 1000

_SECRET_OPTION = re.compile(r"^--?[\w-]*(password|passwd|secret|token|api-?key)[\w-]*$", re.I)


def log_path(tracker: Path, backup_dir: Path | None = None) -> Path:
    """Where the tracker's operation log is: in its backups folder."""
    return safety.backup_dir_for(tracker, backup_dir) / f"{tracker.stem}{LOG_SUFFIX}"


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
    try:
        return getpass.getuser()
    except Exception:  # no login name on this system (getpass raises several kinds)
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def machine_name() -> str:
    with contextlib.suppress(OSError):
        name = socket.gethostname()
        if name:
            return name
    return platform.node() or "unknown"


def _encode(op: Operation) -> bytes:
    return json.dumps(op.to_json(), ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


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
) -> Log:
    """Every readable entry of the log at `path` (none when there is no log yet). A line
    that is not a whole entry is skipped with a warning naming it. `keep` looks at a line's
    bytes first: a line it refuses is not parsed; `cell_filter` keeps only the cells it
    accepts (both to find one agent's cells quickly)."""
    ops: list[Operation] = []
    warnings: list[str] = []
    bad: list[int] = []
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Log(path, ops, warnings)
    except OSError as exc:
        warnings.append(f"{path}: cannot be read ({exc.strerror}); no history shown.")
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
    return Log(path, ops, warnings, bad)


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return "cut short or damaged"
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r}"
    return str(exc) or type(exc).__name__


def _reverse_lines(fh: IO[bytes], block: int = 1 << 16) -> Iterator[bytes]:
    fh.seek(0, os.SEEK_END)
    pos = fh.tell()
    tail = b""
    while pos > 0:
        step = min(block, pos)
        pos -= step
        fh.seek(pos)
        parts = (fh.read(step) + tail).split(b"\n")
        tail = parts[0]
        yield from reversed(parts[1:])
    yield tail


_DIGEST_AFTER = re.compile(rb'"digest_after":"([0-9a-f]*)"')


def last_line(path: Path) -> tuple[bytes, str] | None:
    """The newest entry's line that reads as one, and its digest after (the line is not
    parsed whole: the entry of a write of 10,000 cells is megabytes)."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteFailedError(
            f"{path}: the history log cannot be read ({exc.strerror}); nothing was written.",
            fix="check the backups folder's permissions ([backup] dir in esp.toml).",
        ) from exc
    with fh:
        for line in _reverse_lines(fh):
            line = line.strip()
            m = _DIGEST_AFTER.search(line, 0, 4096)
            if line.startswith(b"{") and line.endswith(b"}") and m is not None:
                return line, m.group(1).decode()
    return None


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
    """Appends a write's entries to the log. Made before the write (it reads the previous
    entry and picks an unused id); `open` runs once the backup is made and before the
    tracker is replaced — a log that cannot be opened stops the write there; `append`
    runs after the replace, so a write that did not happen is never recorded."""

    def __init__(self, path: Path, tracker: Path | None = None) -> None:
        self.path = path
        self._tracker = tracker  # a new log takes its owner, group and permissions
        self._fh: IO[bytes] | None = None
        self._ids: set[str] = set()
        self._last = last_line(path)

    @property
    def previous_digest(self) -> str | None:
        """The tracker's digest after the previous esp write (None: none recorded)."""
        return self._last[1] if self._last is not None else None

    def previous(self) -> Operation | None:
        """The previous entry, read whole (only when the tracker changed since it)."""
        if self._last is None:
            return None
        try:
            return _decode(self._last[0], 0)
        except (ValueError, KeyError, TypeError, RecursionError):  # cut short: the newest whole one
            return last_operation(self.path)

    def new_id(self) -> str:
        while True:
            op = secrets.token_hex(OP_ID_LENGTH // 2)
            if op not in self._ids and not self._used(op):
                self._ids.add(op)
                return op

    def _used(self, op: str) -> bool:
        try:
            with self.path.open("rb") as fh:
                if os.fstat(fh.fileno()).st_size == 0:
                    return False
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                    return mm.find(b'"op":"' + op.encode() + b'"') >= 0
        except FileNotFoundError:
            return False

    def open(self) -> None:
        try:
            if self._tracker is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            else:
                system.make_folder(self.path.parent, like=self._tracker.parent)
            new = not self.path.exists()
            self._fh = self.path.open("ab")
            if new and self._tracker is not None:
                # Every teammate who writes the tracker appends here too.
                with contextlib.suppress(OSError):
                    like = self._tracker.stat()
                    system.take_ownership(self.path, like, system.shared_mode(like))
        except OSError as exc:
            raise WriteFailedError(
                f"{self.path}: the history log cannot be written ({exc.strerror or exc}); "
                "the workbook is unchanged.",
                fix="check that the backups folder is writable, or set [backup] dir in "
                "esp.toml to a writable folder.",
            ) from exc

    def append(self, ops: Sequence[Operation]) -> None:
        if self._fh is None:
            self.open()
        fh = self._fh
        assert fh is not None
        try:
            data = b"".join(_encode(op) for op in ops)
            if fh.tell() > 0 and not self._ends_with_newline():
                data = b"\n" + data  # a line cut short by a crash stays on its own line
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError as exc:
            raise WriteFailedError(
                f"{self.path}: the workbook was written, but its history entry could not be "
                f"recorded ({exc.strerror or exc}).",
                fix="free some space in the backups folder; the next write records the "
                "change as made outside esp.",
            ) from exc

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


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
    changes: Sequence[CellChange], before_xml: Callable[[str, int, int], bytes | None]
) -> list[dict[str, Any]]:
    """The changes as the log's cells (CellRecord.to_json, built directly: a write of
    10,000 cells records them in a few hundredths of a second); `before_xml` gives a cell's
    XML before the write."""
    out: list[dict[str, Any]] = []
    append = out.append
    letters: dict[int, str] = {}
    for c in changes:
        xml = before_xml(c.sheet, c.row, c.col)
        old, new = c.old, c.new
        letter = letters.get(c.col)
        if letter is None:
            letter = letters[c.col] = col_letter(c.col)
        append(
            {
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
        )
        if c.agent_id is not None:
            out[-1]["agent_id"] = c.agent_id
            out[-1]["email"] = c.email or ""
    return out


# -- changes made outside esp -------------------------------------------------------------


Describe = Callable[[str, int, int], tuple[str, str, str]]  # -> agent, class, column


def outside_operation(
    op: str,
    previous: Operation,
    current: Workbook,
    folder: Path,
    describe: Describe | None = None,
) -> Operation:
    """The entry for a tracker saved by someone between esp's previous write and this one,
    with the cells that differ when the previous write's backup is still kept (`describe`
    names a cell's agent, class and column as the tracker has them now)."""
    cells: list[CellRecord] = []
    note = ""
    omitted = 0
    backup = folder / previous.backup if previous.backup else None
    if backup is None or not backup.is_file():
        note = (
            f"the backup of operation {previous.op} is no longer kept; the cells that "
            "changed cannot be listed"
        )
    else:
        try:
            cells, omitted, note = _diff(Workbook.open(backup), previous, current)
        except Exception as exc:  # a backup esp cannot read: the entry still says it changed
            note = f"the cells that changed cannot be listed ({exc})"
    if describe is not None:
        cells = [
            CellRecord(c.sheet, c.row, c.col, *describe(c.sheet, c.row, c.col), c.before, c.after)
            for c in cells
        ]
    stopped = _unrecorded_write(folder, current.path, previous)
    if stopped is not None:
        note = "; ".join(
            n
            for n in (
                f"esp operation {stopped} wrote the tracker but was stopped before it was recorded",
                note,
            )
            if n
        )
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
        cells=tuple(cells),
        note=note,
        cells_omitted=omitted,
    )


def _unrecorded_write(folder: Path, tracker: Path, previous: Operation) -> str | None:
    """The id of an esp write made after `previous` that never reached the log (stopped
    between replacing the tracker and appending its entry): its backup, named after it, is
    the tracker as `previous` left it."""
    since = previous.time.timestamp() - 1
    for candidate, m in sorted(safety.backups_of(tracker, folder), key=lambda found: found[0]):
        op = m.group(2)
        if op is None or op == previous.op:
            continue
        with contextlib.suppress(OSError):
            if candidate.stat().st_mtime >= since and (
                safety.digest_of(candidate) == previous.digest_after
            ):
                return op
    return None


def _diff(
    before_previous: Workbook, previous: Operation, current: Workbook
) -> tuple[list[CellRecord], int, str]:
    """The cells whose values differ between what `previous` left (its backup with its
    cells written) and `current`, sheet by sheet."""
    written: dict[tuple[str, int, int], Any] = {}
    for record in previous.cells:
        written[(record.sheet, record.row, record.col)] = record.after
    old_sheets = {s.name: s for s in before_previous.sheets}
    new_sheets = {s.name: s for s in current.sheets}
    notes = []
    added = [n for n in new_sheets if n not in old_sheets]
    removed = [n for n in old_sheets if n not in new_sheets]
    if added:
        notes.append("sheets added: " + ", ".join(added))
    if removed:
        notes.append("sheets removed: " + ", ".join(removed))
    cells: list[CellRecord] = []
    omitted = 0
    for name, info in new_sheets.items():
        if name not in old_sheets:
            continue
        old = before_previous.values(old_sheets[name], cache=False)
        new = current.values(info, cache=False)
        rows = max(len(old.rows), len(new.rows))
        for r in range(1, rows + 1):
            width = max(
                len(old.rows[r - 1]) if r <= len(old.rows) else 0,
                len(new.rows[r - 1]) if r <= len(new.rows) else 0,
            )
            for c in range(1, width + 1):
                key = (name, r, c)
                was = written[key] if key in written else old.get(r, c)
                now_ = new.get(r, c)
                if now_ == was or same_value(now_, was):
                    continue
                if len(cells) >= OUTSIDE_CELL_LIMIT:
                    omitted += 1
                    continue
                cells.append(CellRecord(name, r, c, "", "", "", was, now_))
    return cells, omitted, "; ".join(notes)
