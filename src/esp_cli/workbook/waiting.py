"""Changes waiting beside a busy tracker: one file each, counted by every report, written by
the next write that finds the tracker free.

A write the tracker refuses (open in Excel or LibreOffice, held by a program, another esp
writing it) keeps its plan as a waiting operation (esp_cli.core.waiting) in the tracker's
backups folder, where the operation log is and every teammate's esp looks:
`esp-backups/ESP Tracker.xlsx.waiting/20261201T151500123456Z-3f9a1c2b.json` (in a shared
`[backup] dir`, the tracker's own folder there). Each file is created whole under a name no
other can take (system.create_file_atomically), so two computers keeping one at the same
moment on a network share keep both; a file that cannot be read is reported and skipped.

Writing them (`Applier`, from the write session, under esp's lock): oldest first, each cell
placed on its agent's row as the tracker has it now (RowFinder: a sort or an inserted row
moves nothing), each unit written both or neither, an operation with a conflict kept
waiting whole. The write records each one in the operation log under its own id, author,
time and command, in the same synced lines as the write; a file whose id the log records
is written already and is removed, never written again — so a kill at any moment loses
nothing and writes nothing twice, and two computers applying at once (taking turns on the
lock) write each once.

Counting them (`overlay`): the same placing on a tracker read for a report, in memory only,
so today's list, explain and the evening report see a waiting coaching as delivered.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from esp_cli import __version__, system
from esp_cli.core.columns import BY_KEY, COMPUTED, Kind, normalise_header
from esp_cli.core.oplog import DROPPED, CellRecord, Operation
from esp_cli.core.refs import col_letter
from esp_cli.core.rules import LADDER as STEPS
from esp_cli.core.rules import AgentFacts, step_order_error
from esp_cli.core.values import Unreadable, as_checkbox
from esp_cli.core.waiting import (
    AGENT,
    ALREADY,
    APPEND,
    COLUMN,
    CONFLICT,
    LADDER,
    LEFT,
    NAMESAKE,
    OTHER,
    RESTORE,
    SEEN,
    SET,
    TWICE,
    UNSURE,
    WITH,
    Conflict,
    FromNewerEsp,
    NotWorkedOut,
    WaitingCell,
    WaitingOp,
    resolve,
)
from esp_cli.errors import EspError, UsageError, WriteFailedError
from esp_cli.workbook import followups, history
from esp_cli.workbook.finder import RowFinder
from esp_cli.workbook.tracker import Row, Sheet, Table, read_cell, read_table
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.patch import check_cell_text
from esp_cli.workbook.xlsx.workbook import Workbook

if TYPE_CHECKING:
    from esp_cli.config import Config
    from esp_cli.core.model import CellChange


class Plan(Protocol):
    """What the applier asks of a write's plan (esp_cli.workbook.session.ChangePlan)."""

    @property
    def agent_rows(self) -> Table | None: ...

    def on_behalf(self, op: str) -> AbstractContextManager[None]: ...

    def check(self, sheet: str, row: int, col: int, value: Any) -> None: ...

    def set(self, row: Row, key: str, new: Any) -> CellChange: ...

    def set_cell(
        self,
        sheet: str,
        row: int,
        col: int,
        new: Any,
        *,
        agent: str = "",
        cls: str = "",
        column: str = "",
        old: Any = None,
        agent_id: str | None = None,
        email: str | None = None,
        n_number: str | None = None,
        restoring: bool = False,
    ) -> CellChange: ...


log = logging.getLogger("esp")

SUFFIX = ".waiting"
ID_LENGTH = 8
# `20261201T151500123456Z-3f9a1c2b.json`: made then (UTC, to the microsecond), its id.
_NAME = re.compile(r"(\d{8}T\d{12}Z)-([0-9a-f]{8})\.json")
# The same name as a sync service or a person leaves it: a conflict copy
# (`…-3f9a1c2b-DESKTOP-AB12CD.json`, `… (conflicted copy 2026-12-01).json`), a numbered
# copy (`… (1).json`, `….json (1)`), another case (`….JSON`). Read as the change it is.
_RENAMED = re.compile(r"(\d{8}T\d{12}Z)-([0-9a-fA-F]{8})(?![0-9a-fA-F]).*", re.S)
# What Windows and macOS put in any folder.
_SYSTEM_FILES = frozenset({"desktop.ini", "thumbs.db", "icon\r"})
# Keys every placing reads: who the agent is.
IDENTITY = ("agent_name", "agent_id", "email", "n_number", "class")


class _Moved:
    """A copy an earlier write gave an id of its own already (see Store._own_id)."""


_MOVED = _Moved()


def copy_ids(file: str) -> Iterator[str]:
    """The ids a copy of a waiting file (another change under its original's id) may be
    given, in the order they are tried: drawn from the copy's file name, so every esp that
    looks at the folder gives it the same one."""
    for n in itertools.count():
        digest = hashlib.sha256(f"{file}\n{n}".encode()).hexdigest()
        yield digest[:ID_LENGTH]


def folder_for(tracker: Path, backup_dir: Path | None = None) -> Path:
    """Where the tracker's waiting operations are: beside its operation log."""
    return safety.backup_dir_for(tracker, backup_dir) / f"{tracker.name}{SUFFIX}"


class Dropped(NamedTuple):
    """What `esp pending drop` discarded: the change's id, the change (None: a damaged
    file), its file, whether that was a damaged copy of a change that is done, and the id
    the log records the drop under (another than `op` when the log has that id already)."""

    op: str
    change: WaitingOp | None
    file: Path
    done_copy: bool
    logged_as: str


@dataclass
class Waiting:
    """A tracker's waiting operations, oldest first, and the files that had to be skipped:
    `warnings` say why; `unreadable` (id -> files) are those `esp pending drop` removes."""

    ops: list[WaitingOp] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreadable: dict[str, list[Path]] = field(default_factory=dict)
    # Changes made for another tracker that is there, whose folder this is a copy of (a
    # tracker's folder copied elsewhere, the old one kept): said, never written here; `esp
    # pending drop` removes their files here.
    copies: list[WaitingOp] = field(default_factory=list)
    # Changes kept by a newer esp, which this one cannot read: they wait for it.
    newer: list[Path] = field(default_factory=list)
    # Files that could not be read now (a sync client or a virus scanner holding one):
    # skipped, each said in `warnings`, read again by the next command.
    unread: list[Path] = field(default_factory=list)
    # Files cut short (id -> files) under the id of a change the log records as written
    # or dropped: a copy of a change that is done (a sync service's). Nothing in them
    # waits; `esp pending drop` removes them, one a drop, each under an id of its own.
    done_copies: dict[str, list[Path]] = field(default_factory=dict)
    # The files among `unreadable` cut short (empty, or whole JSON up to where they end):
    # what a sync service's or a copy's interrupted transfer leaves, never a hand's edit.
    cut_short: set[Path] = field(default_factory=set)

    @property
    def skipped(self) -> list[Path]:
        """Every waiting file skipped, unreadable now or not a whole change: a change that
        may wait on, not written by this command."""
        return [*self.unread, *(f for files in self.unreadable.values() for f in files)]


def _decode(data: bytes) -> str:
    """A waiting file's text: UTF-8 as esp writes it, also with the byte-order mark Windows
    Notepad adds, or UTF-16 (Notepad's "Unicode")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if os.path.normcase(system.real_path(a)) == os.path.normcase(system.real_path(b)):
            return True
        return os.path.samefile(a, b)
    return False


class Store:
    """The waiting operations of the tracker at `tracker`."""

    def __init__(self, tracker: Path, backup_dir: Path | None = None) -> None:
        self.tracker = tracker
        self.backup_dir = backup_dir
        self.folder = folder_for(tracker, backup_dir)
        self.log = history.log_path(tracker, backup_dir)

    # -- reading ------------------------------------------------------------------------

    def _entries(self, odd: list[str] | None = None) -> list[tuple[Path, str]]:
        """The folder's waiting files (by their names, also as a sync service renames
        them) and their ids, oldest first. Other files (but esp's temporary ones and the
        system's) are named in `odd`: a change renamed past recognition is never passed
        over in silence."""
        found = []
        for entry in self.folder.iterdir():
            name = entry.name
            m = _NAME.fullmatch(name) or _RENAMED.fullmatch(name)
            if m is not None and entry.is_dir():
                m = None  # a folder named like a change (or a copy of one) is not one
            if m is not None:
                # By when it was made, then its id; a file under esp's own name before a
                # renamed copy of it, which is then the copy.
                order = (m.group(1), m.group(2).lower(), m.re is not _NAME, name)
                found.append((order, entry, m.group(2).lower()))
            elif (
                odd is not None
                and not name.startswith(".")
                and name.casefold() not in (_SYSTEM_FILES)
            ):
                odd.append(name)
        return [(entry, op_id) for _order, entry, op_id in sorted(found)]

    def ours(self, op: WaitingOp) -> bool:
        """Whether `op` is for this tracker: made for it (its full path is this file), or
        for a tracker no longer there (renamed or moved: its files were moved here), or
        by an esp that did not record the path. Never one for another tracker that is
        there — two trackers of one name sharing a `[backup] dir`."""
        if not op.tracker_path:
            return True
        made_for = Path(op.tracker_path)
        if _same_file(made_for, self.tracker):
            return True
        try:
            return not made_for.is_file()
        except OSError:
            return True

    def _copied_here(self, op: WaitingOp) -> bool:
        """Whether `op`, made for another tracker that is there (not ours), is in a copy of
        that tracker's folder of waiting changes: that tracker keeps them elsewhere. Not so
        when the two share this very folder (one `[backup] dir`), where it is simply the
        other's."""
        theirs = folder_for(Path(op.tracker_path), self.backup_dir)
        return theirs != self.folder and not _same_file(theirs, self.folder)

    def _copies_said(self, copies: Sequence[WaitingOp]) -> list[str]:
        """One warning per tracker the copied changes wait for, naming their files."""
        by_tracker: dict[str, list[str]] = {}
        for op in copies:
            by_tracker.setdefault(op.tracker_path, []).append(op.file)
        return [
            f"{self.folder}: {len(files)} change(s) here wait for {made_for}, which is still "
            f"there ({', '.join(files)}): they are that tracker's (this folder a copy of its "
            f"own?) and are not written to {self.tracker.name} here. Run esp apply --tracker "
            f'"{made_for}" to write them there; if they are stale copies, esp pending drop '
            f"{files[0]} removes one here."
            for made_for, files in by_tracker.items()
        ]

    def load(self, clean: bool = False) -> Waiting:
        """Every waiting operation of this tracker, oldest first. A file that is not a
        whole one (cut short, damaged, edited by hand, from a newer esp) is skipped with a
        warning naming it; never fatal. A copy of a file holding the same change (a sync
        service's, under another name) is that change, read once (with `clean`, under
        esp's lock, the copy is removed); one holding another change under the same id is
        skipped with a warning, and with `clean` gets an id of its own. Any other file in
        the folder is named in a warning."""
        odd: list[str] = []
        try:
            entries = self._entries(odd)
        except FileNotFoundError:
            return Waiting()
        except OSError as exc:
            fix = safety.in_the_way_fix(self.folder)
            return Waiting(
                warnings=[
                    f"{self.folder}: cannot be read ({exc.strerror}); the changes waiting "
                    "there are not counted." + (f" Fix: {fix}" if fix else "")
                ]
            )
        found = Waiting()
        for name in sorted(odd):
            if (self.folder / name).is_dir():
                found.warnings.append(
                    f"{self.folder / name}: a folder, not a change esp keeps; left alone. Move "
                    "it out of the folder."
                )
                continue
            found.warnings.append(
                f"{self.folder / name}: not a change esp keeps (its name is not one esp gives); "
                "left alone. If it is one renamed, give it back its name "
                "(`YYYYMMDDTHHMMSSffffffZ-xxxxxxxx.json`), else move it out of the folder."
            )
        seen: dict[str, WaitingOp] = {}
        # Where each change's file came among the entries (its name's time, its id, esp's
        # own name before a copy's): of two changes made at the same moment, the original
        # goes before a copy that has just been given an id of its own (its new name would
        # put it anywhere).
        place: dict[str, int] = {}
        for at, (entry, op_id) in enumerate(entries):
            op = self._read(entry, op_id, found)
            if op is None:
                continue
            if not self.ours(op):
                if self._copied_here(op):
                    found.copies.append(op)
                continue
            if op.op in seen:
                if op == seen[op.op]:
                    # The same change twice (a sync service's copy of its file): one
                    # change, written once under its id; the copy goes with the next write.
                    if clean:
                        with contextlib.suppress(OSError):
                            system.remove_file(entry)
                    continue
                # Another change under the same id (a copy edited by hand): counted, listed
                # and shown by a dry run under the id the next write gives it.
                own = self._as_own(op, seen, clean, found, f"the same id as {seen[op_id].file}")
                if own is None:
                    continue
                op = own
            seen[op.op] = op
            place[op.file] = at
            found.ops.append(op)
        found.ops.sort(key=lambda o: (o.time, place[o.file]))
        found.warnings += self._copies_said(found.copies)
        return found

    def _read(self, entry: Path, op_id: str, found: Waiting) -> WaitingOp | None:
        try:
            data = entry.read_bytes()
        except FileNotFoundError:
            return None  # written and removed meanwhile
        except OSError as exc:
            found.warnings.append(f"{entry}: cannot be read ({exc.strerror}); skipped.")
            found.unread.append(entry)
            return None
        if not data and system.being_made(entry):
            return None  # a folder without hard links reserves its name first
        body = data
        try:
            if not data:
                # Read again: made whole meanwhile, else nothing is making it (a publish
                # killed between the two steps, a sync client or a copy that cut it).
                data = body = entry.read_bytes()
                if not data:
                    raise ValueError("empty: 0 bytes")
            if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                # NUL bytes after the text: room a copy or transfer made for the file and
                # stopped filling (UTF-16 ends in NUL bytes of its own).
                body = data.rstrip(b"\0")
                if not body:
                    raise ValueError("empty: NUL bytes only")
            op = WaitingOp.from_json(json.loads(_decode(body)), entry.name)
            if op.op != op_id:
                raise ValueError("its id is not the one in its name")
            return op
        except FromNewerEsp as exc:
            found.warnings.append(
                f"{entry}: {exc}, which this esp ({__version__}) cannot read; it waits for "
                "that version: update esp, or run esp apply on the computer that made it."
            )
            found.newer.append(entry)
        except FileNotFoundError:
            return None  # written and removed meanwhile
        except OSError as exc:
            found.warnings.append(f"{entry}: cannot be read ({exc.strerror}); skipped.")
            found.unread.append(entry)
            return None
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            if not body or (
                isinstance(exc, json.JSONDecodeError)
                and (exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated str"))
            ):
                found.cut_short.add(entry)  # whole up to where it ends, or in its last text
            if isinstance(exc, json.JSONDecodeError):
                why = "cut short or damaged"
            elif isinstance(exc, UnicodeDecodeError):
                why = "not UTF-8 text"
            elif isinstance(exc, KeyError):
                why = f"no {exc.args[0]!r}"
            else:
                why = str(exc) or type(exc).__name__
            found.warnings.append(
                f"{entry}: not a whole waiting change ({why}); skipped (esp pending drop "
                f"{entry.name} removes it)."
            )
        found.unreadable.setdefault(op_id, []).append(entry)
        return None

    def _as_own(
        self, op: WaitingOp, seen: dict[str, WaitingOp], clean: bool, found: Waiting, has: str
    ) -> WaitingOp | None:
        """`op`, a change whose id is taken (`has` says by what), as a change of its own
        (_own_id), named in a warning until the write gives it that id. None: not to be
        counted now (made already under its own id, or no id can be given: said)."""
        own = self._own_id(op, seen, clean)
        if isinstance(own, _Moved):
            return None
        if own is None:
            found.warnings.append(
                f"{self.folder / op.file}: has {has} and cannot be given an id of its own "
                "now; skipped until the next write."
            )
            return None
        if not clean:
            found.warnings.append(
                f"{self.folder / op.file}: has {has} (a copy edited by hand?); counted as "
                f"change {own.op}, the id the next write gives it."
            )
        return own

    def _own_id(
        self, op: WaitingOp, seen: dict[str, WaitingOp], clean: bool
    ) -> WaitingOp | _Moved | None:
        """A copy of an older file's id, holding another change, under an id of its own:
        each is written, and logged, once under its own id. The id comes from the copy's
        file name (copy_ids), so a dry run, esp pending and the write that gives it (with
        `clean`: its file made again under it, then the copy removed) name the same one.
        _MOVED: a write stopped between the two made that file already (read as its own);
        None: no file can be made for it now."""
        stamp = op.file.split("-", 1)[0]
        taken = set(seen) | set(self.damaged())
        for op_id in copy_ids(op.file):
            name = f"{stamp}-{op_id}.json"
            moved = replace(op, op=op_id, file=name)
            made = self.folder / name
            if op_id in taken or made.exists():
                if self._holds(made, moved):
                    if clean:
                        with contextlib.suppress(OSError):
                            system.remove_file(self.folder / op.file)
                    return _MOVED
                continue
            if history.id_used(self.log, op_id):
                continue
            if not clean:
                return moved
            try:
                if system.create_file_atomically(made, _encode(moved)):
                    system.remove_file(self.folder / op.file)
                    return moved
            except OSError:
                return None
        return None  # pragma: no cover - 2**32 ids all taken

    def _holds(self, file: Path, op: WaitingOp) -> bool:
        """Whether `file` is a whole waiting file holding `op`."""
        try:
            return WaitingOp.from_json(json.loads(_decode(file.read_bytes())), file.name) == op
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return False

    def damaged(self) -> dict[str, Path]:
        """The ids of every waiting file in the folder (by their names)."""
        out: dict[str, Path] = {}
        with contextlib.suppress(OSError):
            for entry, op_id in self._entries():
                out.setdefault(op_id, entry)
        return out

    def _logged(self, ops: Sequence[WaitingOp]) -> dict[str, set[str]]:
        """Of `ops`' ids, those the operation log records (written or dropped), each with
        what the file it wrote or dropped held (history.waiting_files_among)."""
        if not ops:
            return {}
        since = min(o.log_from for o in ops)
        return history.waiting_files_among(self.log, [o.op for o in ops], since, self._digest)

    def _digest(self) -> str:
        """The tracker's digest (asked only when a write's entry is still pending)."""
        try:
            return safety.digest_of(self.tracker)
        except OSError:
            return ""

    def _done_copies(self, found: Waiting) -> None:
        """Moves the files of `found` cut short (Waiting.cut_short) under the id of a change
        the log records as done (written or dropped) to `done_copies`, each said as such: a
        copy of that change's file that a transfer cut. One damaged otherwise (a hand's
        edit, a change of its own under a taken id?) stays skipped. The log is read from
        its start: it holds no hint of when a file it cannot read was made."""
        waiting = {o.op for o in found.ops}
        ids = [
            i
            for i, files in found.unreadable.items()
            if i not in waiting and all(f in found.cut_short for f in files)
        ]
        done = history.waiting_files_among(self.log, ids, 0, self._digest) if ids else {}
        for op_id in [i for i in ids if i in done]:
            files = found.unreadable.pop(op_id)
            found.done_copies[op_id] = files
            said = tuple(f"{f}:" for f in files)
            found.warnings = [w for w in found.warnings if not w.startswith(said)]
            found.newer = [f for f in found.newer if f not in files]
            found.warnings += [
                f"{f}: a damaged copy of change {op_id}, which is done already (esp history "
                f"shows it); nothing in it waits. esp pending drop {f.name} removes it."
                for f in files
            ]

    def recorded(self, ops: Sequence[WaitingOp]) -> set[str]:
        """The ids of `ops` the operation log records as written (or dropped) already: a
        file holding what the log's entry says it held (or an entry that does not say)."""
        logged = self._logged(ops)
        return {o.op for o in ops if _is_logged(o, logged)}

    def unwritten(self, clean: bool = False) -> Waiting:
        """The waiting operations the log does not record yet. With `clean` (under esp's
        lock), the files of those it records — a write stopped after writing them and
        before removing them, a sync service's late copy — are removed, and so are temporary
        files a killed esp left. A file under an id the log records that holds another
        change (a copy edited by hand once its original was written) is not that change: it
        waits under an id of its own, as a copy of a change still waiting does (_own_id).
        The warnings name, too, changes waiting for a tracker renamed or moved (strays)."""
        if clean:
            # First: a change whose publishing was killed is then said as the empty file
            # it left, not taken for one being made.
            system.remove_stale_temps(self.folder, _NAME.fullmatch)
        found = self.load(clean)
        logged = self._logged(found.ops)
        seen = {o.op: o for o in found.ops}
        kept: list[WaitingOp] = []
        for op in found.ops:
            if op.op not in logged:
                kept.append(op)
            elif _is_logged(op, logged):
                if clean:
                    self.remove(op)
            else:
                taken = f"the id of change {op.op}, written already, but holds another change"
                own = self._as_own(op, seen, clean, found, taken)
                if own is not None:
                    seen[own.op] = own
                    kept.append(own)
        found.ops = sorted(kept, key=lambda o: o.time)
        if found.unreadable:
            self._done_copies(found)
        found.warnings += self.strays()
        return found

    def strays(self) -> list[str]:
        """Changes waiting in another tracker's folder beside this one's, for a tracker that
        is no longer there (renamed, or moved without its backups folder): what esp cannot
        know to write, said with the fix — their files moved into this tracker's folder.
        And copies of the operation log beside it (log_copies)."""
        try:
            entries = list(self.folder.parent.iterdir())
        except OSError:
            return []
        out = self.log_copies(entries)
        folders = [f for f in entries if f.name.endswith(SUFFIX) and f != self.folder]
        for folder in sorted(folders):
            try:
                files = sorted(
                    f
                    for f in folder.iterdir()
                    if _NAME.fullmatch(f.name) or _RENAMED.fullmatch(f.name)
                )
            except OSError:
                continue
            if not files:
                continue
            made_for = self._made_for(folder, files[-1])
            if made_for is None:
                continue
            with contextlib.suppress(OSError):
                if made_for.exists():
                    continue
                out.append(
                    f"{folder}: {len(files)} change(s) wait there for {made_for.name}, which is "
                    f"no longer at {made_for} (renamed or moved?). If {self.tracker.name} is "
                    f"that tracker, move the files into {self.folder} and esp apply writes "
                    f"them to it; else give {made_for.name} its old name back."
                )
        return out

    def log_copies(self, entries: Iterable[Path]) -> list[str]:
        """Copies of the operation log beside it, as a sync service leaves one when two
        computers wrote at once (`ESP Tracker.xlsx.history-DESKTOP-AB12CD.jsonl`, `… (1)`):
        the writes only a copy records are in no history esp shows, and cannot be undone —
        said, never passed over."""
        head = f"{self.tracker.name}.history".casefold()
        out = []
        for entry in sorted(entries):
            if entry.name == self.log.name or not entry.name.casefold().startswith(head):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file():
                    out.append(
                        f"{entry}: a second copy of the operation log (a sync service keeps one "
                        "when two computers write at once): esp history shows only "
                        f"{self.log.name}, and esp undo cannot undo a write only the copy "
                        "records. Compare the two (the `op` of each line); keep the copy while "
                        "it records writes the log does not, else delete it."
                    )
        return out

    def _made_for(self, folder: Path, file: Path) -> Path | None:
        """The tracker a waiting folder is for: as its newest file records it; from an esp
        that did not record it, the file of its name beside this tracker (the folder
        beside it, not a shared `[backup] dir`)."""
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            recorded = json.loads(_decode(file.read_bytes())).get("tracker_path")
            if isinstance(recorded, str) and recorded:
                return Path(recorded)
        shared = self.backup_dir is not None and not system.is_within(
            self.backup_dir, self.tracker.parent
        )
        return None if shared else self.tracker.parent / folder.name[: -len(SUFFIX)]

    # -- writing ------------------------------------------------------------------------

    def new_id(self, taken: Iterable[str] = ()) -> str:
        """An id no operation of the log, nor another waiting file, has."""
        avoid = set(taken) | set(self.damaged())
        while True:
            op = secrets.token_hex(ID_LENGTH // 2)
            if op not in avoid and not history.id_used(self.log, op):
                return op

    def keep(self, op: WaitingOp) -> WaitingOp:
        """Keep `op` as its own file, created whole under a name no other file can take; a
        name taken meanwhile (the same id made elsewhere) gives the operation a new id, and
        so does an older file with the same id made at another moment (the older keeps it):
        an id is one file's."""
        try:
            system.make_folder(self.folder, like=self.tracker.parent)
            system.hide(self.folder)
            like = None
            with contextlib.suppress(OSError):
                like = self.tracker.stat()
            while True:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
                name = f"{stamp}-{op.op}.json"
                if system.create_file_atomically(self.folder / name, _encode(op), like):
                    older = [e for e, i in self._entries() if i == op.op and e.name < name]
                    if not older:
                        return replace(op, file=name)
                    system.remove_file(self.folder / name)
                op = replace(op, op=self.new_id([op.op]))
        except OSError as exc:
            raise self.cannot_keep(op.why, exc) from exc

    def cannot_keep(self, why: str, exc: OSError) -> WriteFailedError:
        """A change that can neither be written (the tracker is busy: `why`) nor kept to
        wait: both said, and who has the tracker."""
        busy = f"{self.tracker.name} is {why}" if why else "the tracker is busy"
        return WriteFailedError(
            f"{busy}, and its change cannot be kept to wait beside it in {self.folder} "
            f"({exc.strerror or exc}); nothing was written and nothing kept.",
            fix=safety.in_the_way_fix(self.folder)
            or "check that the backups folder is writable ([backup] dir in esp.toml), "
            "or run the command again once the tracker is free.",
        )

    def drop(self, wanted: str, signer: str | None, min_prefix: int = 4) -> Dropped:
        """Discard the waiting operation whose id starts with `wanted`, unwritten: under
        esp's lock (so a write applying it at that moment goes first, and then there is
        nothing to drop), an entry recording it in the operation log (who dropped what,
        whose change it was), then its file. A file that could not be read can be dropped
        too (its entry says so), by its id or its file name (two files of one id), and so
        can a copy here of another tracker's change (Waiting.copies), and a damaged copy of
        a change that is done (Waiting.done_copies; by its id too when only such copies
        have it: one file a drop). Never a file of another tracker sharing this folder. A
        damaged file under an id the log has already is recorded under an id of its own,
        so that the id still names that operation."""
        key = wanted.strip().lower()
        if len(key) < min_prefix:
            raise UsageError(
                f"{wanted!r} is too short to name a waiting change.",
                fix=f"give at least {min_prefix} characters of its id (esp pending lists them).",
            )
        with safety.exclusive(self.tracker):
            # The tracker's own log first (from the one esp kept before), as a write does:
            # the drop's entry then joins its history, and settling reads the log it has.
            history.migrate(self.tracker, self.backup_dir)
            with contextlib.suppress(OSError):
                history.settle(self.log, safety.digest_of(self.tracker))
            found = self.unwritten(clean=True)
            damaged = {**found.done_copies, **found.unreadable}
            by_name = {f.name.lower(): (i, f) for i, fs in damaged.items() for f in fs}
            # The changes copied here for another tracker too: their files here are copies.
            droppable = [*found.ops, *found.copies]
            by_name.update({o.file.lower(): (o.op, self.folder / o.file) for o in droppable})
            named = by_name.get(key) or by_name.get(f"{key}.json")
            ids = sorted({o.op for o in droppable} | set(found.unreadable))
            matches = [named[0]] if named else [i for i in ids if i.startswith(key)]
            if not matches and not named:
                matches = [i for i in found.done_copies if i.startswith(key)]
            if not matches:
                raise UsageError(
                    f"No change {wanted!r} waits beside {self.tracker.name}.",
                    fix="see what waits with: esp pending",
                )
            if len(matches) > 1:
                raise UsageError(
                    f"{wanted!r} names {len(matches)} waiting changes ({', '.join(matches)}).",
                    fix="give more characters of the id.",
                )
            chosen = matches[0]
            op = next((o for o in droppable if o.op == chosen), None)
            file = self.folder / op.file if op is not None else damaged[chosen][0]
            if named is not None:
                file = named[1]
                op = next((o for o in droppable if self.folder / o.file == file), None)
            entry_id = chosen
            if op is None and history.id_used(self.log, chosen):
                entry_id = self.new_id()
            recorder = history.Recorder(self.log, self.tracker)
            try:
                recorder.append([_dropped_entry(entry_id, op, file, signer, recorder)])
            finally:
                recorder.close()
            with contextlib.suppress(OSError):
                system.remove_file(file)
        done = op is None and any(file in fs for fs in found.done_copies.values())
        return Dropped(chosen, op, file, done, entry_id)

    def remove(self, op: WaitingOp) -> None:
        """Its file goes (written or dropped, as the log records). A file that cannot be
        removed now is removed by the next write: the log says it is done."""
        if op.file:
            with contextlib.suppress(OSError):
                system.remove_file(self.folder / op.file)


def _is_logged(op: WaitingOp, logged: dict[str, set[str]]) -> bool:
    """Whether the log records `op` itself: its id, with what its file holds."""
    held = logged.get(op.op)
    return held is not None and (history.ANY_CONTENT in held or op.fingerprint in held)


def new_op(
    store: Store,
    units: Sequence[Sequence[WaitingCell]],
    *,
    signer: str | None,
    why: str,
    digest: str,
    undoes: str | None = None,
    taken: Iterable[str] = (),
    dated: date | None = None,
    restores: str | None = None,
) -> WaitingOp:
    """A waiting operation of these cells, by `signer` (with the OS login, the machine and
    the command as typed), made now, not yet kept."""
    who = history.who(signer)
    return WaitingOp(
        op=store.new_id(taken),
        time=history.now(),
        signer=who["signer"],
        login=who["login"],
        machine=who["machine"],
        version=who["version"],
        command=who["command"],
        why=why,
        units=tuple(tuple(cells) for cells in units if cells),
        tracker=store.tracker.name,
        tracker_path=_full_path(store.tracker),
        digest=digest,
        log_from=history.mark(store.log),
        undoes=undoes,
        restores=restores if restores != undoes else None,
        dated=dated,
    )


def _full_path(tracker: Path) -> str:
    try:
        return str(system.real_path(tracker))
    except OSError:
        return str(tracker.absolute())


def _encode(op: WaitingOp) -> bytes:
    """The file's bytes: UTF-8 JSON; text with bytes the system gave that are not UTF-8 (a
    file name, an argument) is escaped, which JSON reads back as the very same text."""
    data = op.to_json()
    try:
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(data, ensure_ascii=True, indent=1).encode("utf-8") + b"\n"


def keys_of(ops: Iterable[WaitingOp]) -> set[str]:
    """The column keys the operations' cells are in, those seen, not written, too (what a
    reading must include); for a ladder step one sets, the steps before it too (the
    ladder is checked again when it is written: Applier._off_ladder)."""
    keys = {
        c.key
        for op in ops
        for unit in op.units
        for c in unit
        if c.key is not None and c.key in BY_KEY
    }
    steps = [i for i, step in enumerate(STEPS) if step.column in keys]
    if steps:
        keys.update(step.column for step in STEPS[: max(steps)])
    return keys


# -- placing and writing --------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A cell of an agent's row as a waiting operation makes it (not yet in the workbook)."""

    op: WaitingOp
    cell: WaitingCell
    key: str | None
    new: Any


@dataclass
class Outcome:
    """What became of one waiting operation: the cells it writes (`written`, none when it
    waits on), its conflicts (kept waiting; with skip_conflicts, left out), and whether it
    is held (waits on, whole)."""

    op: WaitingOp
    written: list[tuple[WaitingCell, Any]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    held: bool = False
    # Where each cell found its agent on the tracker as it is now: (sheet, row, col) as
    # made -> (sheet, row, col or None while its column is not there yet).
    places: dict[tuple[str, int, int], tuple[str, int, int | None]] = field(default_factory=dict)
    # The header cells of an undo's columns that the team changed since (core.waiting.
    # resolve: left, and their columns with them): (sheet, row, col) as made -> what each
    # holds now.
    left: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    # The cells (as made) the write works out itself from the row as it then stands (the
    # computed columns of a change the rules read): not written as they wait.
    worked_out: set[tuple[str, int, int]] = field(default_factory=set)
    # Those it cannot work out: a computed column renamed or deleted since (said, left).
    not_worked_out: list[NotWorkedOut] = field(default_factory=list)

    def place(self, cell: WaitingCell, at: _Place | _Unplaced) -> str:
        """Record where the cell's agent is now (its column gone: on their row, no cell):
        the row, as a conflict says it, when it is another than the one the cell was made
        on ("" when it is not, or the agent is not found)."""
        if isinstance(at, _Unplaced):
            if at.row is None:
                return ""
            sheet, row, col = at.row.sheet, at.row.row, None
        else:
            sheet, row, col = at.sheet, at.row, at.col
        self.places[(cell.sheet, cell.row, cell.col)] = (sheet, row, col)
        return f"{sheet}!row {row}" if (sheet, row) != (cell.sheet, cell.row) else ""

    def agent_row(self, finder: RowFinder) -> Row | None:
        """The row its first cell was placed on (a namesake's as the applier told it), else
        its agent found again by who they are."""
        cell = self.op.cells[0]
        placed = self.places.get((cell.sheet, cell.row, cell.col))
        if placed is not None:
            return finder.at(placed[0], placed[1])
        return finder.find(cell.who)[0]


def said_not_worked_out(outcome: Outcome) -> list[NotWorkedOut]:
    """The computed cells of a change written that its write could not work out (none for
    a change that writes nothing: nothing is worked out after it either)."""
    return outcome.not_worked_out if outcome.written and not outcome.held else []


@dataclass(frozen=True)
class _Unplaced:
    """Why a waiting cell cannot be placed on the tracker now, the kind of conflict that is
    (core.waiting.AGENT, NAMESAKE, TWICE, COLUMN, OTHER), and the agent's row where it is found
    (its column gone): the cell is said on that row, never as an agent no longer found."""

    reason: str
    cause: str
    row: Row | None = None


@dataclass(frozen=True)
class _Place:
    sheet: str
    row: int
    col: int | None  # None: the column is not there yet (the write adds it)
    agent_row: Row | None
    key: str | None


_UNKNOWN = object()


class Applier:
    """Waiting operations put on the tracker as read: into the write's `plan` (under esp's
    lock), or only onto the rows in memory (a report: `plan` None). The rows read are
    changed as each one is written, so the next operation (and the command's own change)
    builds on it; `revert` puts them back. `keys`: the columns the table was read with
    (None: all), so a cell of a column not read is not judged from a blank."""

    def __init__(
        self,
        workbook: Workbook,
        table: Table | None,
        plan: Plan | None = None,
        keys: Iterable[str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.workbook = workbook
        self.log = log  # the operation log: what esp wrote since an operation was made
        self.table = table
        self.plan = plan
        self.keys = None if keys is None else frozenset(keys)
        self.finder = RowFinder(table) if table is not None else None
        self.marks: dict[tuple[str, int], list[Mark]] = {}
        self.outcomes: list[Outcome] = []
        self._by_address: dict[tuple[str, int, int], Any] = {}
        self._sheet_values: dict[str, Any] = {}
        self._changed: list[tuple[Row, str, Any, Any, bool]] = []
        # Each cell of the rows read that an operation changed, as read: (sheet, row, key)
        # -> (the row, the cell's raw value before any operation).
        self.read_as: dict[tuple[str, int, str], tuple[Row, Any]] = {}

    # -- the rows in memory -----------------------------------------------------------

    def revert(self) -> None:
        """The rows as they were read, before any operation was put on them."""
        for row, key, raw, value, unreadable in reversed(self._changed):
            _put(row.raw, key, raw)
            _put(row.values, key, value)
            bad = set(row.unreadable)
            (bad.add if unreadable else bad.discard)(key)
            row.unreadable = frozenset(bad)
        self._changed.clear()
        self.read_as.clear()
        self.marks.clear()

    def _update(self, row: Row, key: str, new: Any) -> None:
        if key in IDENTITY and self.finder is not None:
            self.finder.index_all()  # the agents are found as the rows were read
        self._changed.append(
            (row, key, row.raw.get(key), row.values.get(key), key in row.unreadable)
        )
        self.read_as.setdefault((row.sheet, row.row, key), (row, row.raw.get(key)))
        bad = set(row.unreadable)
        _put(row.raw, key, None if new == "" else new)
        try:
            _put(row.values, key, read_cell(key, new, self.workbook.date1904))
            bad.discard(key)
        except Unreadable:
            row.values.pop(key, None)
            bad.add(key)
        row.unreadable = frozenset(bad)

    # -- placing ------------------------------------------------------------------------

    def _unmoved(self, op: WaitingOp) -> bool:
        """Whether only esp has written the tracker since the operation was made (the very
        file, or esp's writes since): its rows are where they were, and a namesake's is
        the row recorded. Asked only for namesakes."""
        now = self.workbook.pkg.digest
        if self.log is None or op.digest == now:
            return bool(op.digest) and op.digest == now
        return history.only_esp_since(self.log, op.log_from, op.digest, now)

    def _place(self, cell: WaitingCell, op: WaitingOp) -> _Place | _Unplaced:
        """Where the cell is in the tracker now, or why it cannot be placed (and the kind
        of conflict that is). A column gone since (renamed or deleted in Excel) is a
        conflict, never a column added anew: only a cell of a column its command added
        itself (col 0) gets it added again."""
        if cell.by_agent:
            if self.table is None or self.finder is None:
                return _Unplaced("the tracker has no agent rows to find the agent in", AGENT)
            found = self.finder.locate(cell.who, cell.facts, self._unmoved(op), strict=True)
            row = found.row
            if row is None:
                if found.namesakes:
                    return _Unplaced(found.why, NAMESAKE)
                if found.twice:
                    return _Unplaced(found.why, TWICE)
                if found.unsure:
                    return _Unplaced(_unsure_words(cell, op, found.why), UNSURE)
                if found.differs:
                    return _Unplaced(
                        f"esp cannot tell that the one row left of {cell.agent or 'the agent'}"
                        f"'s name is theirs: {found.why}; if it is, discard the change and "
                        f"make it again (esp pending drop {op.op}, then the command, with "
                        "--date for a day before today)",
                        NAMESAKE,
                    )
                # No row has what was recorded: gone; else the rows that have some of it
                # are other agents' now (IDs swapped in Excel), said as they are.
                gone = "is no longer there" if found.why.startswith("no row") else "is not found"
                return _Unplaced(f"{cell.agent or 'the agent'}'s row {gone} ({found.why})", AGENT)
            sheet = self.table.sheet(row.sheet)
            key = cell.key if cell.key in BY_KEY else _key_of(sheet, cell.column)
            if key is not None:
                col = sheet.col(key)
                if col is None and cell.col > 0:
                    return _Unplaced(_column_gone(sheet, cell), COLUMN, row)
                return _Place(row.sheet, row.row, col, row, key)
            col = _column(sheet, cell)
            if col is None:
                return _Unplaced(_column_gone(sheet, cell), COLUMN, row)
            return _Place(row.sheet, row.row, col, row, None)
        if cell.sheet not in {s.name for s in self.workbook.sheets}:
            return _Unplaced(f"the sheet '{cell.sheet}' is no longer in the workbook", OTHER)
        return _Place(cell.sheet, cell.row, cell.col, None, None)

    def _current(self, cell: WaitingCell, place: _Place, local: dict[Any, Any]) -> Any:
        spot = (place.sheet, place.row, place.col if place.col is not None else place.key)
        if spot in local:
            return local[spot]
        row, key = place.agent_row, place.key
        if row is not None and key is not None:
            if self.keys is not None and key not in self.keys and key not in IDENTITY:
                if self.plan is None or place.col is None:
                    return _UNKNOWN  # a report that does not read the column: not judged
                return self._value_at(place.sheet, place.row, place.col)
            if cell.action == APPEND:
                return row.raw.get(key)
            as_typed = key in row.unreadable or BY_KEY[key].kind is Kind.YESNO
            return row.raw.get(key) if as_typed else row.values.get(key)
        if place.col is None:
            return None
        at = (place.sheet, place.row, place.col)
        if at in self._by_address:
            return self._by_address[at]
        return self._value_at(place.sheet, place.row, place.col)

    def as_written(self, cell: WaitingCell, sheet: str, row: int, col: int | None) -> WaitingCell:
        """The cell as its write will write it (and report it) at (sheet, row, col): a Yes
        or No for a TRUE/FALSE cell (an Excel checkbox) as TRUE or FALSE, not the text
        typed (see Patcher.set)."""
        flag = as_checkbox(cell.value)
        if cell.action != SET or flag is cell.value or col is None:
            return cell  # not a Yes or No: written as it is, whatever the cell
        if not isinstance(self._value_at(sheet, row, col), bool):
            return cell
        return replace(cell, value=flag)

    def _value_at(self, sheet: str, row: int, col: int) -> Any:
        values = self._sheet_values.get(sheet)
        if values is None:
            info = self.workbook.pkg.sheet(sheet)
            values = self._sheet_values[sheet] = self.workbook.values(info)
        return values.get(row, col)

    def left_at(self, sheet: str) -> dict[tuple[int, int], Any]:
        """The cells of `sheet` outside the agents' rows as the operations put so far leave
        them (those that wait on, whole, leave none), by (row, column)."""
        return {(r, c): v for (s, r, c), v in self._by_address.items() if s == sheet}

    # -- one operation ------------------------------------------------------------------

    def put(
        self, op: WaitingOp, skip_conflicts: bool = False, worked_out: frozenset[str] = frozenset()
    ) -> Outcome:
        """Judge every cell of `op` against the tracker as it is now (and as the
        operations before it leave it); write it, unit by unit, unless a cell conflicts
        (then it waits on, whole). With `skip_conflicts` every cell that does not conflict
        is written and the conflicting ones left out, with the cells that go with them
        (_left_out_with: the note line documenting a value, the computed columns worked
        out from it, a row added whole), each listed as left out (WITH). The cells of the
        columns `worked_out` are neither judged nor written: the write works them out
        itself from the row as it then stands (session.FollowUp)."""
        outcome = Outcome(op)
        nows: dict[int, Any] = {}  # what each cell planned holds now, by id
        ready: list[list[tuple[WaitingCell, _Place, Any]]] = []
        local: dict[Any, Any] = {}
        for unit in op.units:
            planned: list[tuple[WaitingCell, _Place, Any]] = []
            bad: list[Conflict] = []
            mine: dict[Any, Any] = {}
            for cell in unit:
                if cell.key in worked_out:
                    # Worked out when written: where it goes is still said (esp pending),
                    # and why it cannot be, a computed column renamed or deleted since.
                    at = self._place(cell, op)
                    why = self._not_worked_out(at, worked_out)
                    if why is not None:
                        outcome.not_worked_out.append(NotWorkedOut(op.op, cell, why))
                    outcome.place(cell, at)
                    outcome.worked_out.add((cell.sheet, cell.row, cell.col))
                    continue
                place = self._place(cell, op)
                where = outcome.place(cell, place)
                if isinstance(place, _Unplaced):
                    bad.append(Conflict(op.op, cell, None, place.reason, where, place.cause))
                    continue
                spot = _spot(place)
                merged = {**local, **mine}
                current = self._current(cell, place, merged)
                if current is _UNKNOWN:
                    continue  # a column this report does not read: nothing to show there
                got = resolve(cell, current)
                if got.outcome == CONFLICT:
                    bad.append(Conflict(op.op, cell, current, got.reason, where))
                    continue
                if got.outcome == LEFT:
                    outcome.left[(cell.sheet, cell.row, cell.col)] = current
                    continue
                if got.outcome == ALREADY:
                    continue
                problem = self._refusal(place, got.new, cell.column)
                if problem is not None:
                    bad.append(Conflict(op.op, cell, current, problem, where))
                    continue
                problem = self._off_ladder(cell, place, got.new, merged)
                if problem is not None:
                    bad.append(Conflict(op.op, cell, current, problem, where, LADDER))
                    continue
                planned.append((cell, place, got.new))
                nows[id(cell)] = current
                mine[spot] = got.new
            if not bad:
                ready.append(planned)
                local.update(mine)
                continue
            outcome.conflicts.extend(bad)
            if not skip_conflicts:
                continue
            kept, left = _left_out_with(unit, planned, bad)
            if left:
                outcome.conflicts.extend(_left_with(op, left, bad[0], nows))
            ready.append(kept)  # the others are written
            local.update((_spot(place), new) for _cell, place, new in kept)
        if outcome.conflicts and not skip_conflicts:
            outcome.held = True
            self.outcomes.append(outcome)
            return outcome
        for planned in ready:
            for cell, place, new in planned:
                self._write(op, cell, place, new)
                outcome.written.append((cell, new))
        self.outcomes.append(outcome)
        return outcome

    def _not_worked_out(self, at: _Place | _Unplaced, worked_out: frozenset[str]) -> str | None:
        """Why a computed cell cannot be worked out when written (None: it can, or its
        agent is not found: a conflict says that): its column gone since, or another of
        the columns worked out with it."""
        if isinstance(at, _Unplaced):
            return at.reason if at.cause == COLUMN else None
        if self.table is None:
            return None
        sheet = self.table.sheet(at.sheet)
        gone = [c.header for k, c in BY_KEY.items() if k in worked_out and sheet.col(k) is None]
        if not gone:
            return None
        names = " and ".join(f"'{h}'" for h in gone)
        return (
            f"the sheet '{sheet.name}' has no {names} column now (renamed or deleted), and "
            "the three are worked out together"
        )

    def _off_ladder(
        self, cell: WaitingCell, place: _Place, new: Any, local: dict[Any, Any]
    ) -> str | None:
        """Why a ladder step's date a change sets would be refused by a direct esp
        record-step, on the row as it stands now — what the changes written before it
        leave there (`local`: this change's own cells) — (None: the ladder holds it): the
        step before it not recorded (a waiting coaching counted when the step was made,
        dropped since; a Coaching Date cleared in Excel), or recorded after it."""
        step = _STEP_OF.get(place.key or "")
        row = place.agent_row
        if step is None or cell.action != SET or row is None or self.table is None:
            return None
        on = new.date() if isinstance(new, datetime) else new
        if not isinstance(on, date):
            return None
        sheet = self.table.sheet(row.sheet)
        dates: dict[str, Any] = {}
        bad: list[str] = []
        for earlier in STEPS[: STEPS.index(step)]:
            key = earlier.column
            col = sheet.col(key)
            spot = (row.sheet, row.row, col if col is not None else key)
            if spot in local:
                raw = local[spot]
            elif key in row.unreadable:
                bad.append(key)
                continue
            elif key in row.values or col is None or self.keys is None or key in self.keys:
                dates[key] = row.values.get(key)  # as read (and as changes before leave it)
                continue
            elif self.plan is None:
                return None  # a report that does not read the column: not judged
            else:
                raw = self._value_at(row.sheet, row.row, col)
            try:
                dates[key] = read_cell(key, raw, self.workbook.date1904)
            except Unreadable:
                bad.append(key)
        facts = AgentFacts(**dates, unreadable=tuple(bad))
        problem = step_order_error(facts, step, on)
        return None if problem is None else f"{problem.text}; {problem.fix}"

    def _refusal(self, place: _Place, new: Any, column: str) -> str | None:
        """Why the write would refuse this cell (a formula, a merged cell, Excel's cell
        limit): the unit waits on rather than stop the whole write. A cell of a column
        the write is to add meets Excel's limits as any other."""
        if self.plan is None:
            return None
        try:
            if place.col is not None:
                self.plan.check(place.sheet, place.row, place.col, new)
            elif self.plan.agent_rows is not self.table:
                return "its column is not in the sheet (the next write of the tracker adds it)"
            elif isinstance(new, str):
                check_cell_text(new, f"{place.sheet}!row {place.row} ({column})")
        except EspError as exc:
            return exc.message
        return None

    def _write(self, op: WaitingOp, cell: WaitingCell, place: _Place, new: Any) -> None:
        row, key = place.agent_row, place.key
        if self.plan is not None:
            with self.plan.on_behalf(op.op):
                by_rows = self.plan.agent_rows is self.table and self.table is not None
                if row is not None and key is not None and cell.action != RESTORE and by_rows:
                    self.plan.set(row, key, new)
                else:
                    assert place.col is not None
                    who = row.ref() if row is not None else None
                    self.plan.set_cell(
                        place.sheet,
                        place.row,
                        place.col,
                        new,
                        agent=cell.agent if who is None else who.name,
                        cls=cell.cls if who is None else who.cls,
                        column=cell.column,
                        old=self._current(cell, place, {}),
                        agent_id=None if who is None else who.agent_id,
                        email=None if who is None else who.email,
                        n_number=None if who is None else who.n_number,
                        restoring=cell.action == RESTORE,
                    )
        if row is not None:
            if key is None and place.col is not None:
                key = _key_at(self.table, place.sheet, place.col)
            if key is not None:
                self._update(row, key, new)
            shown = self.as_written(cell, place.sheet, place.row, place.col)
            self.marks.setdefault((row.sheet, row.row), []).append(Mark(op, shown, key, new))
        elif place.col is not None:
            self._by_address[(place.sheet, place.row, place.col)] = new


_Planned = tuple[WaitingCell, "_Place", Any]
# The column of each step of the ladder, and the step (checked when a change sets it).
_STEP_OF = {step.column: step for step in STEPS}


def _unsure_words(cell: WaitingCell, op: WaitingOp, why: str) -> str:
    """Why a row found by the agent's name alone is not written: what it lacks, what the
    change was made for, and the fix."""
    agent_id = (cell.agent_id or "").strip()
    typed = f"their Agent ID ({agent_id})" if agent_id else "their e-mail or N Number"
    return (
        f"esp cannot tell it is {cell.agent or 'the agent'}: {why}; if the row is theirs, "
        f"type {typed} in it and run esp apply again, else discard the change (esp pending "
        f"drop {op.op})"
    )


def _spot(place: _Place) -> tuple[str, int, Any]:
    """Where a cell is written, for the cells a change writes before the next is judged."""
    return (place.sheet, place.row, place.col if place.col is not None else place.key)


def _left_out_with(
    unit: Sequence[WaitingCell], planned: list[_Planned], bad: Sequence[Conflict]
) -> tuple[list[_Planned], list[_Planned]]:
    """The cells of a unit with a conflict that are written (--skip-conflicts) and those
    left out with the conflicting ones. An undo's cells are each put back on its own (as
    esp undo --skip-conflicts puts them back). Of an agent's cells, each value is written
    on its own, but a note line (it documents the unit's values) and the computed columns
    (worked out from them) are left out when a value conflicts, and nothing the line
    documents goes in when the line cannot (a conflict there, or in a value the line names
    without writing it, seen: both or neither); a conflict in a computed column alone
    holds back nothing else. Cells written by address (a row
    added whole to the TBT Tracking Sheet) go together: all are left out."""
    if all(c.action == RESTORE for c in unit):
        return planned, []
    if any(c.key is None for c in unit) or any(b.cell.action in (APPEND, SEEN) for b in bad):
        return [], planned  # a row whole; or the line documenting the values cannot go in
    if all(b.cell.key in COMPUTED for b in bad):
        return planned, []
    kept = [p for p in planned if p[0].action != APPEND and p[0].key not in COMPUTED]
    return kept, [p for p in planned if p not in kept]


def _left_with(
    op: WaitingOp,
    planned: Sequence[tuple[WaitingCell, _Place, Any]],
    first: Conflict,
    nows: dict[int, Any],
) -> list[Conflict]:
    """The cells of a unit that would write, left out with its cell that conflicts, each
    with what it holds now (what it would write is the cell's own: a note line, a value)."""
    with_cell = f"{first.cell.sheet}!{first.cell.cell} ({first.cell.column})"
    return [
        Conflict(
            op.op,
            cell,
            nows.get(id(cell)),
            f"left out with {with_cell}, which it goes with",
            cause=WITH,
        )
        for cell, _place, _new in planned
    ]


def _put(d: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        d.pop(key, None)
    else:
        d[key] = value


def _key_of(sheet: Sheet, header: str) -> str | None:
    wanted = normalise_header(header)
    for key, col in sheet.columns.items():
        if normalise_header(sheet.headers.get(col, "")) == wanted:
            return key
    return None


def _key_at(table: Table | None, sheet: str, col: int) -> str | None:
    if table is None:
        return None
    try:
        columns = table.sheet(sheet).columns
    except KeyError:
        return None
    return next((k for k, c in columns.items() if c == col), None)


def _column(sheet: Sheet, cell: WaitingCell) -> int | None:
    """The cell's column on its agent's sheet: where it was while its header is the same,
    else the one column with that header; None when no column has it any more (renamed or
    deleted since: a conflict, never written under another header — an undo's cell too:
    what is where it was may be another column now, inserted or moved)."""
    wanted = normalise_header(cell.column)
    if not wanted or normalise_header(sheet.headers.get(cell.col)) == wanted:
        return cell.col
    same = [c for c, h in sheet.headers.items() if normalise_header(h) == wanted]
    if len(same) == 1:
        return same[0]
    return None


def _column_gone(sheet: Sheet, cell: WaitingCell) -> str:
    """Why a cell's column cannot be found: its header renamed or the column deleted."""
    gone = f"the '{cell.column}' column is no longer on the sheet '{sheet.name}'"
    now = sheet.headers.get(cell.col) if cell.col > 0 else None
    if now is not None and str(now).strip():
        return f"{gone}: {col_letter(cell.col)}{sheet.header_row} now reads '{now}'"
    return f"{gone} (renamed or deleted)"


# -- reading a tracker with its waiting changes counted -----------------------------------


@dataclass
class Overlay:
    """The waiting changes put on a tracker read for a report (in memory only): the cells
    of each agent's row they change (`marks`), what became of each operation, and the
    files skipped."""

    ops: list[WaitingOp] = field(default_factory=list)
    marks: dict[tuple[str, int], list[Mark]] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applier: Applier | None = field(default=None, repr=False)

    def of(self, row: Row) -> list[Mark]:
        """The waiting changes counted in this row."""
        return self.marks.get((row.sheet, row.row), [])

    def ops_of(self, row: Row) -> list[str]:
        """The ids of the waiting operations counted in this row, oldest first."""
        return list(dict.fromkeys(m.op.op for m in self.of(row)))

    def ops_in(self, rows: Iterable[Row]) -> list[str]:
        """The ids of the waiting operations counted in any of these rows, each once, row by
        row (a report's: nothing to look for, row after row, when nothing waits)."""
        if not self.marks:
            return []
        return list(dict.fromkeys(op for row in rows for op in self.ops_of(row)))

    def changed(self, key: str) -> list[tuple[Row, Any, list[str]]]:
        """Each row whose `key` cell the waiting changes change: the row (as they leave
        it), the cell as read, and the ids of the operations that change it, oldest first.
        Nothing to look through when nothing waits."""
        if self.applier is None or not self.marks:
            return []
        return [
            (row, raw, list(dict.fromkeys(m.op.op for m in self.of(row) if m.key == key)))
            for (_sheet, _row, changed), (row, raw) in self.applier.read_as.items()
            if changed == key
        ]

    @property
    def held(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.held]

    def revert(self) -> None:
        if self.applier is not None:
            self.applier.revert()
        self.marks = {}


def reading_keys(keys: Iterable[str] | None, ops: Iterable[WaitingOp]) -> tuple[str, ...] | None:
    """The columns to read for `keys` with the waiting operations' own (and who the agent
    is): None (every column) stays None."""
    if keys is None:
        return None
    return tuple(dict.fromkeys((*keys, *IDENTITY, *sorted(keys_of(ops)))))


def without_extra_findings(table: Table, asked: Iterable[str] | None, read: Iterable[str]) -> None:
    """Findings only for the columns a command asked for: those read for the waiting
    changes alone are theirs to judge (in place)."""
    if asked is None:
        return
    extra = set(read) - set(asked) - {"agent_name", "agent_id", "email", "class"}
    if not extra:
        return
    by_col = {s.name: {c: k for k, c in s.columns.items() if k in extra} for s in table.sheets}
    table.findings = [f for f in table.findings if f.col not in by_col.get(f.sheet, {})]


def overlay(
    table: Table, config: Config, keys: Iterable[str] | None = None, ops: Waiting | None = None
) -> Overlay:
    """Put the tracker's waiting changes on `table` (read with `keys`), in memory."""
    found = ops if ops is not None else Store(table.path, config.backup_dir).unwritten()
    if not found.ops:
        return Overlay(warnings=list(found.warnings))
    store = Store(table.path, config.backup_dir)
    applier = Applier(table.workbook, table, None, keys, store.log)
    follow_ups = followups.loaded(found.ops)
    for op in found.ops:
        applier.put(op, worked_out=followups.worked_out(follow_ups, op))
    return Overlay(found.ops, applier.marks, applier.outcomes, list(found.warnings), applier)


def read_counting_waiting(
    workbook: Workbook,
    config: Config,
    keys: Iterable[str] | None = None,
    *,
    say_warnings: bool = True,
    **options: Any,
) -> tuple[Table, Overlay]:
    """The tracker read for a report (read_table's `keys` and `options`), with its waiting
    changes counted: a coaching that waits is delivered, marked as not yet in the
    workbook. What could not be counted (a file skipped, another file in the folder, a copy
    of the log) is said on standard error, as a write says it (`say_warnings`: unless the
    command shows the warnings itself)."""
    asked = None if keys is None else tuple(keys)
    found = Store(workbook.path, config.backup_dir).unwritten()
    if say_warnings:
        for warning in found.warnings:
            log.warning("%s", warning)
    read = reading_keys(asked, found.ops) if found.ops else asked
    table = read_table(workbook, config.columns, keys=read, **options)
    if read is not None and asked is not None and read != asked:
        without_extra_findings(table, asked, read)
    return table, overlay(table, config, read, found)


def _dropped_entry(
    op_id: str, op: WaitingOp | None, file: Path, signer: str | None, recorder: history.Recorder
) -> Operation:
    """The log's entry for a waiting change discarded unwritten: who dropped it (the
    entry's author and command), whose change it was and its cells (what they would have
    written). The tracker's digests are the previous write's: nothing changed."""
    digest = recorder.previous_digest or ""
    if op is None:
        note = f"dropped unwritten: {file.name} could not be read"
        cells: tuple[CellRecord, ...] = ()
    else:
        note = (
            f"dropped unwritten: {op.who}'s change of "
            f"{op.time.isoformat(timespec='seconds')} ({op.command or 'esp'}), "
            f"which waited: {op.why}"
        )
        cells = tuple(c.record() for c in op.cells)
    return Operation(
        op=op_id,
        kind=DROPPED,
        time=history.now(),
        **history.who(signer),
        digest_before=digest,
        digest_after=digest,
        backup=None,
        cells=cells,
        note=note,
        waiting_files={op_id: op.fingerprint if op is not None else ""},
    )
