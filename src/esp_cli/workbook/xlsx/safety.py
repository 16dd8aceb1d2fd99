"""Putting new bytes in place of the team's workbook without ever losing it.

The sequence for every write:
1. refuse while Excel (`~$Name.xlsx`) or LibreOffice (`.~lock.Name.xlsx#`) has the file open,
   naming the user from that file;
2. hold an exclusive lock beside the file so two esp processes take turns (and remove the
   temporary files of an esp run that was killed mid-write);
3. refuse if the file on disk is no longer the bytes esp read (someone saved in between);
4. copy the original to a timestamped backup;
5. write the new bytes to a temporary file in the same folder, flush it to disk, look at
   the workbook once more (Excel's owner file, and its bytes: step 3 again, right before
   the rename), and atomically rename the new file over it. A save that landed while the
   backup, the operation log or the temporary file was written is never replaced: nothing
   is written, the backup made for the write is removed, and the change waits. A crash at
   any point leaves either the old file or the complete new one. Windows refusing the
   rename because Excel holds the file is "busy" (exit 4), not a failed write.

How each step is done on each system lives in esp_cli.system.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from esp_cli import system
from esp_cli.errors import EspError, WorkbookBusyError, WriteFailedError

log = logging.getLogger("esp")

LOCK_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Retention:
    """Which backups are kept: every one younger than `days`, and at least the newest
    `count` (esp.toml [backup] keep_days, keep_count), so a day's work can be rolled back."""

    days: int = 14
    count: int = 30
    # Told which backups are about to be removed, before they are: returns those that may
    # be (the operation log works out what it still needs of them first).
    before_removing: Callable[[list[Path]], list[Path]] | None = None


def owner_files(path: Path) -> list[Path]:
    """Lock files that mean someone has the workbook open."""
    candidates = [
        path.with_name("~$" + path.name),
        path.with_name(".~lock." + path.name + "#"),
    ]
    # Word-style truncated owner names are also seen for long names (XLSX-NOTES §8).
    if len(path.stem) > 7:
        candidates.append(path.with_name("~$" + path.name[2:]))
    return [c for c in candidates if _exists(c)]


def _exists(path: Path) -> bool:
    """Whether `path` exists; a name no file can have (too long) does not."""
    try:
        return path.exists()
    except OSError:
        return False


def holder(owner_file: Path) -> str:
    """Who has the workbook open, as a message says it: "Excel by Jo Smith"."""
    app = "LibreOffice" if owner_file.name.startswith(".~lock.") else "Excel"
    return f"{app} by {system.owner_name(owner_file) or 'someone'}"


def refuse_if_open(path: Path) -> None:
    found = owner_files(path)
    if found:
        raise WorkbookBusyError(
            f"{path} is open in {holder(found[0])} ({found[0].name} is beside it); "
            "nothing was written.",
            fix=f"close the workbook and run the command again (if nobody has it open, "
            f"delete {found[0].name}).",
            holder=f"open in {holder(found[0])}",
        )


def warn_if_synced(path: Path) -> None:
    """OneDrive and SharePoint co-authoring (Excel on the web, AutoSave) leaves no `~$` file,
    so esp cannot see who has the file open there: say so before writing."""
    where = system.synced_folder(path)
    if where is not None:
        log.warning(
            "%s is in a %s folder: someone editing it online leaves no ~$ file, so esp cannot "
            "tell; if they save after esp, one of the changes may be lost (or kept as a copy "
            "by OneDrive).",
            path,
            where,
        )


def held_error(path: Path, exc: OSError) -> WorkbookBusyError:
    """Windows refused the workbook because a program has it open (a sharing violation that
    outlasted esp's retries): name who has it, from Excel's owner file when there is one."""
    found = owner_files(path)
    who = holder(found[0]) if found else "Excel by someone"
    return WorkbookBusyError(
        f"{path} is open in {who} (Windows refused it: {exc.strerror or exc}); "
        "nothing was written.",
        fix="close the workbook in Excel (or wait for OneDrive to finish syncing it) and run "
        "the command again.",
        holder=f"open in {who}" if found else "held by a program (Excel or OneDrive)",
    )


def read_workbook(path: Path) -> bytes:
    """The workbook's bytes; a file Excel holds is retried, then refused as busy."""
    try:
        return system.read_file(path)
    except OSError as exc:
        if system.is_sharing_violation(exc):
            raise held_error(path, exc) from exc
        raise


def digest_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def holds(path: Path, digest: str) -> bool:
    """Whether the file at `path` holds the bytes whose SHA-256 is `digest`, and its name
    still leads to the version read once they are read to the end (a save while they were
    read, in place or by renaming a new file over it as Excel saves, is a change)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        read = os.fstat(fh.fileno())
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest() == digest and system.same_version(read, path.stat())


def refuse_if_changed(path: Path, digest: str) -> None:
    """Refuse (busy: the change can wait) when the file is no longer the bytes esp read,
    whose SHA-256 is `digest`: someone saved it in between."""
    try:
        same = system.retry_shared(lambda: holds(path, digest))
    except OSError as exc:
        if system.is_sharing_violation(exc):
            raise held_error(path, exc) from exc
        raise WriteFailedError(
            f"{path}: cannot be read again before writing ({_reason(exc)}); nothing was written.",
            fix="check the file and the folder's permissions, then run again.",
        ) from exc
    if not same:
        raise WorkbookBusyError(
            f"{path} changed on disk after esp read it (someone saved it); nothing was written.",
            fix="run the command again to work on the current file.",
            holder="saved by someone while esp worked",
        )


@contextlib.contextmanager
def exclusive(path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """A lock on a hidden sidecar file, so concurrent esp writes never interleave. Windows'
    lock file goes when the lock is released; on Linux and macOS it stays (see system)."""
    like = None
    with contextlib.suppress(OSError):
        like = path.stat()
    lock = system.ExclusiveLock(path.with_name("." + path.name + ".esp-lock"), wait, like)
    who_file = lock.path.with_name(lock.path.name + ".who")
    try:
        lock.acquire()
    except system.LockTimeout as exc:
        by = _lock_owner(who_file)
        raise WorkbookBusyError(
            f"{path}: another esp command has been writing it for {wait:.0f} s{by}; "
            "nothing was written.",
            fix="wait for it to finish and run the command again.",
            holder=f"being written by another esp command{by}",
        ) from exc
    except OSError as exc:
        if isinstance(exc, PermissionError) and lock.path.exists():
            owner = system.file_owner(lock.path)
            who = owner or "another user"
            raise WriteFailedError(
                f"{lock.path}: esp's lock file for the workbook belongs to {who}, and only "
                f"they may use it ({exc.strerror}); nothing was written.",
                fix=f"ask {owner or 'its owner'} or an administrator to delete "
                f"{lock.path.name} (it is safe to delete while no esp command is running) "
                "or to let the team write it; esp then makes it writable for whoever may "
                "write the workbook.",
            ) from exc
        raise WriteFailedError(
            f"{path.parent}: cannot create the lock file ({exc.strerror}); nothing was written.",
            fix="check that the folder is writable.",
        ) from exc
    _say_lock_owner(who_file)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            who_file.unlink()
        lock.release()


def _say_lock_owner(owner: Path) -> None:
    """Who holds esp's lock (login, machine, since when), beside the lock file, so a
    command that waits for it in vain can name them. Best effort: never stops a write."""
    since = datetime.now().astimezone().strftime("%H:%M")
    with contextlib.suppress(OSError):
        owner.write_text(
            f"{system.login_name()} on {system.computer_name()} since {since}\n", encoding="utf-8"
        )
        system.hide(owner)


def _lock_owner(owner: Path) -> str:
    """ " (LOGIN on MACHINE since HH:MM)" as the lock's holder wrote it, or ""."""
    try:
        text = owner.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    text = " ".join(text.split())[:120]
    return f" ({text})" if text else ""


def backup_dir_for(path: Path, configured: Path | None = None) -> Path:
    """Where the backups (and the operation log) of the tracker at `path` go: `esp-backups`
    beside it; a `[backup] dir` in its own folder (or below it) as it is; a `[backup] dir`
    elsewhere — a folder several trackers may share, each maybe named "ESP Tracker.xlsx" —
    in a folder of its own there named after the tracker and the folder it is in, which
    every computer reaching the tracker names alike (see system.folder_label):
    `<dir>/ESP Tracker.xlsx (Team A)`."""
    if configured is None:
        return path.parent / "esp-backups"
    if system.is_within(configured, path.parent):
        return configured
    return configured / f"{path.name} ({system.folder_label(path)})"


def legacy_backup_dir(path: Path, configured: Path | None = None) -> Path:
    """Where esp kept them before it told trackers apart: the `[backup] dir` itself."""
    return configured if configured is not None else path.parent / "esp-backups"


# The part of a backup's name after the tracker's stem: `.2026-12-01_101500.op-1a2b3c4d` (the
# operation it was made for), or `.2026-12-01_101500.123456` (microseconds) without one.
# The local time in a backup's name: names sort as the moments they were made.
BACKUP_STAMP = "%Y-%m-%d_%H%M%S"
_BACKUP_TAIL = r"\.(\d{4}-\d\d-\d\d_\d{6})\.(?:op-([0-9a-f]+)|\d{6})"


# The digits of the operation id in a backup's name (history.OP_ID_LENGTH), and the most
# digits of a process id in a temporary file's name (Linux's largest is 4194304; Windows'
# are shorter in practice).
OP_ID_DIGITS = 8
_PID_DIGITS = 7


def longest_name(path: Path) -> str:
    """The longest name esp gives a file of the workbook at `path`: its backup's, while the
    backup is written under a temporary name
    (`.ESP Tracker.2026-12-01_101500.op-1a2b3c4d.xlsx.esp-tmp-<process>-<8 letters>`)."""
    stamp = datetime(2026, 12, 1).strftime(BACKUP_STAMP)
    backup = f"{path.stem}.{stamp}.op-{'0' * OP_ID_DIGITS}{path.suffix}"
    return f".{backup}{system.TEMP_MARK}{'9' * _PID_DIGITS}-{'x' * 8}"


def refuse_long_name(path: Path, what: str = "the tracker", given: str = "") -> None:
    """Refuse, before anything is read or written, a workbook whose file name is too long
    for its backup's (the name with the time and the change after it: see longest_name) to
    be within the longest file name this system takes (system.MAX_FILE_NAME, counted as it
    counts: system.file_name_length). The message counts characters as a person does, and
    says how many to take off; `what` names the workbook, `given` where its name is given."""
    longest = system.file_name_length(longest_name(path))
    if longest <= system.MAX_FILE_NAME:
        return
    own = len(path.name)
    measured = system.file_name_length(path.name)
    # The characters to take off the end of the name (before .xlsx) for the backup's to fit.
    cut = 1
    while cut < len(path.stem) and (
        system.file_name_length(longest_name(path.with_name(path.stem[:-cut] + path.suffix)))
        > system.MAX_FILE_NAME
    ):
        cut += 1
    unit = "characters" if measured == own else system.file_name_unit()
    counted = "" if measured == own else f", {measured} {unit} as this system counts a name"
    raise WriteFailedError(
        f"{path}: its file name ({own} characters{counted}) is too long for the backup esp "
        f"saves before each write (up to {longest} {unit} with the time and the change after "
        f"it; a file name may have {system.MAX_FILE_NAME}); nothing was written.",
        fix=f"rename {what} to at most {own - cut} characters (take {cut} off its name) and "
        f"give that name {given or 'to esp'}.",
    )


def backup_pattern(path: Path) -> re.Pattern[str]:
    """The names esp gives the backups of the workbook at `path`, and no other: another
    file in the folder (`ESP Tracker.2026-09.xlsx`) or another tracker's backups
    (`ESP Tracker 2.…`, `ESP Tracker.2026-09.2026-12-01_101500.op-….xlsx`) never match.
    Group 1 is the time stamp, group 2 the operation id (None for a backup made without)."""
    return re.compile(re.escape(path.stem) + _BACKUP_TAIL + re.escape(path.suffix))


def backups_of(path: Path, folder: Path) -> list[tuple[Path, re.Match[str]]]:
    """The backups of the workbook at `path` in `folder`, each with its name parsed (by
    the exact name esp gives them; see backup_pattern)."""
    pattern = backup_pattern(path)
    found: list[tuple[Path, re.Match[str]]] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return found
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if m is not None:
            found.append((entry, m))
    return found


def make_backup(
    path: Path,
    original: bytes,
    folder: Path,
    op: str | None = None,
    retention: Retention | None = None,
    like: os.stat_result | None = None,
) -> Path:
    """Save the original under a timestamped name that carries the operation it was made
    for (`ESP Tracker.2026-12-01_101500.op-1a2b3c4d.xlsx`): written in full under a
    temporary name first, so a crash mid-backup never leaves a truncated file named like a
    backup. `like`: the workbook's status, whose owner, group and permissions the backup
    (and a backups folder made for it) take, so teammates sharing the folder can use them."""
    system.make_folder(folder, like=folder.parent)
    moment = datetime.now()
    label = f"op-{op}" if op else moment.strftime("%f")
    target = folder / f"{path.stem}.{moment.strftime(BACKUP_STAMP)}.{label}{path.suffix}"
    system.write_file_atomically(target, original, like=like)
    _prune(folder, path, retention or Retention(), made=target)
    return target


def _prune(folder: Path, path: Path, retention: Retention, made: Path | None = None) -> None:
    """Remove the backups older than `retention.days`, beyond the newest `retention.count`.
    Only files named exactly as esp names this workbook's backups are ever removed, and
    never the backup just `made` (the one the write names), whatever the retention says
    (`keep_count = 0`, `keep_days = 0`) or its time (a share's clock behind this one's)."""
    mine = []
    for p, _m in backups_of(path, folder):
        with contextlib.suppress(OSError):
            mine.append((p.stat().st_mtime, p.name, p))
    mine.sort()
    cutoff = (datetime.now() - timedelta(days=retention.days)).timestamp()
    gone = [
        old
        for mtime, name, old in mine[: max(len(mine) - retention.count, 0)]
        if mtime < cutoff and (made is None or name != made.name)
    ]
    if gone and retention.before_removing is not None:
        gone = retention.before_removing(gone)
    for old in gone:
        with contextlib.suppress(OSError):
            old.unlink()


def _reason(exc: OSError) -> str:
    return "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)


def file_in_the_way(folder: Path) -> Path | None:
    """A file (not a folder) where `folder`, or a folder above it, should be: a file of
    the team's named like the tracker's own folder in a shared `[backup] dir`. None when
    there is none."""
    for p in (folder, *folder.parents):
        try:
            st = p.stat()
        except OSError:
            continue  # not there (or a file above it): look further up
        return None if stat.S_ISDIR(st.st_mode) else p
    return None


def in_the_way_fix(folder: Path) -> str | None:
    """The fix when a file stands where the backups folder `folder` (or one above it)
    should be (None: none does)."""
    found = file_in_the_way(folder)
    if found is None:
        return None
    return (
        f"{found} is a file, not a folder: esp keeps the tracker's backups, history and "
        "waiting changes in a folder of that name. Move or rename that file (esp leaves it "
        "alone), or set [backup] dir in esp.toml to another folder."
    )


def backups_fix(exc: OSError, folder: Path) -> str:
    """The fix for a backup or log that could not be written in `folder`, for the cause:
    a file where the folder should be, space for a full disk, the folder's permissions for
    a refusal (a read-only share)."""
    in_the_way = in_the_way_fix(folder)
    if in_the_way is not None:
        return in_the_way
    elsewhere = "or set [backup] dir in esp.toml to a folder you can write"
    if exc.errno == errno.ENAMETOOLONG:
        return (
            "shorten the tracker's file name, or set [backup] dir in esp.toml to a folder "
            "with a shorter path."
        )
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"free some space on the disk of {folder}, {elsewhere}."
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return f"make {folder} writable for you (a read-only share or folder?), {elsewhere}."
    return f"check that {folder} is writable and its disk has space, {elsewhere}."


def replace_atomically(
    path: Path, data: bytes, last_look: Callable[[], None] | None = None
) -> None:
    """The new bytes in place of the workbook's, with its permissions, owner and group
    (where the system lets esp keep them: see system.write_file_atomically). `last_look`
    runs right before the rename: an error it raises stops the write."""
    try:
        system.write_file_atomically(path, data, like=path.stat(), last_look=last_look)
    except OSError as exc:
        # Windows may also refuse a rename over a file open in Excel as "access denied";
        # with Excel's owner file beside it, that is what it is.
        if system.is_sharing_violation(exc) or (
            isinstance(exc, PermissionError) and owner_files(path)
        ):
            raise held_error(path, exc) from exc
        raise WriteFailedError(
            f"{path}: could not write ({_reason(exc)}); the workbook is unchanged.",
            fix="free some space or check the folder's permissions, then run again.",
        ) from exc


def remove_leftovers(path: Path, backup_folder: Path) -> None:
    """Temporary files a killed esp run left beside the workbook or its backups (only those
    of this workbook and of its backups, by their exact names)."""
    system.remove_stale_temps(path.parent, lambda target: target == path.name)
    system.remove_stale_temps(backup_folder, backup_pattern(path).fullmatch)


def commit(
    path: Path,
    original_digest: str,
    original: bytes,
    new: bytes,
    backup_folder: Path,
    op: str | None = None,
    retention: Retention | None = None,
    before_replace: Callable[[Path], None] | None = None,
) -> Path:
    """Checks, backup, atomic replace. Returns the backup's path. Call inside `exclusive`.
    `before_replace(backup)` runs once the backup is made and before the workbook is
    touched (the operation log records the write there): an error it raises stops it.

    The checks are made twice: before the backup, and again once the new bytes are on disk,
    right before the rename — a save (or Excel opening the file) while the backup, the log
    and the temporary file were written refuses the write as busy, its backup removed, so
    nothing of it stays and the other save is never replaced."""

    def last_look() -> None:
        refuse_if_open(path)
        refuse_if_changed(path, original_digest)

    refuse_if_open(path)
    # The owner's write bit is what Windows' read-only attribute maps to; root ignores it
    # in os.access, but the team marked the file read-only on purpose.
    if not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR:
        raise WriteFailedError(
            f"{path} is read-only; nothing was written.",
            fix="clear the read-only attribute (file Properties) and run again.",
        )
    refuse_if_changed(path, original_digest)
    remove_leftovers(path, backup_folder)
    try:
        backup = make_backup(path, original, backup_folder, op, retention, like=path.stat())
    except OSError as exc:
        reason = _reason(exc)
        raise WriteFailedError(
            f"{path}: could not save a backup in {backup_folder} ({reason}); nothing was written.",
            fix=backups_fix(exc, backup_folder),
        ) from exc
    try:
        if before_replace is not None:
            before_replace(backup)
        replace_atomically(path, new, last_look)
    except BaseException as exc:
        # Nothing was written (the operation log takes the write's entry out): neither
        # does its backup stay, named after a write that did not happen.
        take_back(backup, path, hashlib.sha256(new).hexdigest(), exc)
        raise
    return backup


def take_back(backup: Path, path: Path, digest: str, failure: BaseException) -> None:
    """Remove the backup made for a write that failed before the workbook was replaced (a
    busy workbook, a full disk, a log that cannot be written, Ctrl-C), unless the workbook
    holds the new bytes whose SHA-256 is `digest` after all (it failed once replaced: the
    backup is that write's). One that cannot be removed is named in the failure's message,
    so nobody takes it for the backup of a write."""
    try:
        if holds(path, digest):
            return
    except OSError:
        return  # the workbook cannot be read now: its backup is kept, in case it was written
    try:
        system.remove_file(backup)
    except OSError as exc:
        said = (
            f" Its backup {backup} could not be removed ({_reason(exc)}): it is not a backup "
            "of a write; delete it."
        )
        if isinstance(failure, EspError):
            failure.message = failure.message + said
        else:
            log.warning("%s", said.strip())
