"""Putting new bytes in place of the team's workbook without ever losing it.

The sequence for every write:
1. refuse while Excel (`~$Name.xlsx`) or LibreOffice (`.~lock.Name.xlsx#`) has the file open;
2. hold an exclusive lock beside the file so two esp processes take turns;
3. refuse if the file on disk is no longer the bytes esp read (someone saved in between);
4. copy the original to a timestamped backup;
5. write the new bytes to a temporary file in the same folder, flush it to disk, and
   atomically rename it over the original. A crash at any point leaves either the old file
   or the complete new one.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from esp_cli.errors import WorkbookBusyError, WriteFailedError

LOCK_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Retention:
    """Which backups are kept: every one younger than `days`, and at least the newest
    `count` (esp.toml [backup] keep_days, keep_count), so a day's work can be rolled back."""

    days: int = 14
    count: int = 30


def owner_files(path: Path) -> list[Path]:
    """Lock files that mean someone has the workbook open."""
    candidates = [
        path.with_name("~$" + path.name),
        path.with_name(".~lock." + path.name + "#"),
    ]
    # Word-style truncated owner names are also seen for long names (XLSX-NOTES §8).
    if len(path.stem) > 7:
        candidates.append(path.with_name("~$" + path.name[2:]))
    return [c for c in candidates if c.exists()]


def refuse_if_open(path: Path) -> None:
    found = owner_files(path)
    if found:
        raise WorkbookBusyError(
            f"{path} is open in Excel or LibreOffice ({found[0].name} is beside it); "
            "nothing was written.",
            fix=f"close the workbook and run the command again (if nobody has it open, "
            f"delete {found[0].name}).",
        )


def digest_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def exclusive(path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """An advisory lock on a sidecar file, so concurrent esp writes never interleave."""
    lock_path = path.with_name("." + path.name + ".esp-lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteFailedError(
            f"{path.parent}: cannot create the lock file ({exc.strerror}); nothing was written.",
            fix="check that the folder is writable.",
        ) from exc
    try:
        try:
            import fcntl
        except ImportError:  # Windows: Excel's own file lock stops a concurrent write there
            yield
            return
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() >= deadline:
                    raise WorkbookBusyError(
                        f"{path}: another esp command has been writing it for {wait:.0f} s; "
                        "nothing was written.",
                        fix="wait for it to finish and run the command again.",
                    ) from exc
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def backup_dir_for(path: Path, configured: Path | None = None) -> Path:
    return configured if configured is not None else path.parent / "esp-backups"


def make_backup(
    path: Path,
    original: bytes,
    folder: Path,
    op: str | None = None,
    retention: Retention | None = None,
) -> Path:
    """Save the original under a timestamped name that carries the operation it was made
    for (`ESP Tracker.2026-12-01_101500.op-1a2b3c4d.xlsx`): written in full under a
    temporary name first, so a crash mid-backup never leaves a truncated file named like a
    backup."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    label = f"op-{op}" if op else datetime.now().strftime("%f")
    target = folder / f"{path.stem}.{stamp}.{label}{path.suffix}"
    tmp = folder / f".{target.name}.esp-tmp-{os.getpid()}"
    _write_durably(tmp, original, mode=None)
    try:
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _prune(folder, path, retention or Retention())
    return target


def _prune(folder: Path, path: Path, retention: Retention) -> None:
    """Remove the backups older than `retention.days`, beyond the newest `retention.count`."""
    mine = []
    for p in folder.glob(f"{path.stem}.*{path.suffix}"):
        with contextlib.suppress(OSError):
            mine.append((p.stat().st_mtime, p.name, p))
    mine.sort()
    cutoff = (datetime.now() - timedelta(days=retention.days)).timestamp()
    for mtime, _name, old in mine[: max(len(mine) - retention.count, 0)]:
        if mtime < cutoff:
            with contextlib.suppress(OSError):
                old.unlink()


def _write_durably(target: Path, data: bytes, mode: int | None) -> None:
    """Write a new file and flush it to disk; on failure the partial file is removed, so a
    full disk never leaves a truncated backup that looks like a good one."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644 if mode is None else mode)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    os.close(fd)


def replace_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.esp-tmp-{os.getpid()}")
    try:
        mode = path.stat().st_mode & 0o777
        if tmp.exists():
            tmp.unlink()
        _write_durably(tmp, data, mode)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise WriteFailedError(
            f"{path}: could not write ({reason}); the workbook is unchanged.",
            fix="free some space or check the folder's permissions, then run again.",
        ) from exc
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def commit(
    path: Path,
    original_digest: str,
    original: bytes,
    new: bytes,
    backup_folder: Path,
    op: str | None = None,
    retention: Retention | None = None,
    before_replace: Callable[[], None] | None = None,
) -> Path:
    """Checks, backup, atomic replace. Returns the backup's path. Call inside `exclusive`.
    `before_replace` runs once the backup is made and before the workbook is touched (the
    operation log checks it can be written there): an error it raises stops the write."""
    refuse_if_open(path)
    # The owner's write bit is what Windows' read-only attribute maps to; root ignores it
    # in os.access, but the team marked the file read-only on purpose.
    if not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR:
        raise WriteFailedError(
            f"{path} is read-only; nothing was written.",
            fix="clear the read-only attribute (file Properties) and run again.",
        )
    if digest_of(path) != original_digest:
        raise WorkbookBusyError(
            f"{path} changed on disk after esp read it (someone saved it); nothing was written.",
            fix="run the command again to work on the current file.",
        )
    try:
        backup = make_backup(path, original, backup_folder, op, retention)
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise WriteFailedError(
            f"{path}: could not save a backup in {backup_folder} ({reason}); nothing was written.",
            fix="free some space or set [backup] dir in esp.toml to a writable folder.",
        ) from exc
    if before_replace is not None:
        before_replace()
    replace_atomically(path, new)
    return backup
