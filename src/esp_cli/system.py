"""Everything that differs between Windows, macOS and Linux, in one place.

The rest of esp never asks which system it runs on: it writes files, takes its lock, finds
its folders and talks to the console through these functions. A test scans the package and
fails when an OS-specific call appears anywhere else.

What differs, and what is done about it:
- Data is written through binary file objects from `tempfile.mkstemp` (which opens with
  O_BINARY on Windows: a descriptor opened without it turns every LF into CR LF), flushed,
  fsynced and renamed over the target; the folder is fsynced where the system allows it.
  The new file keeps the replaced one's permissions, and on Linux and macOS its owner and
  group as far as the user may set them (a group-shared folder stays open to the group);
  Windows gives a new file the folder's inherited permissions.
- The lock between esp processes is `filelock` (fcntl on Linux and macOS, msvcrt on Windows;
  a lock file with its owner's PID where neither exists). Its file is removed on release and
  hidden on Windows.
- Excel holds an open workbook with a sharing violation (Windows error 32 or 33): reads and
  renames are retried briefly, then reported with the name from Excel's `~$` owner file.
- Folders come from platformdirs (`%LOCALAPPDATA%\\esp` on Windows, `~/.cache/esp` on Linux,
  `~/Library/Caches/esp` on macOS).
- Standard output and error always encode: UTF-8 when piped or redirected, and on a console
  whose code page lacks a character, a readable stand-in rather than a crash. A reader that
  quits early (`| head -1`) ends their delivery, not the command: a closed pipe is
  BrokenPipeError on Linux and macOS, EINVAL on Windows.
- A line typed at a prompt can be edited (arrow keys, Home, End, Delete, history): on Linux
  and macOS through Python's readline (GNU readline or libedit), on Windows by the console
  itself, which edits every line a program reads from it.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import getpass
import os
import re
import shutil
import stat
import sys
import time
import warnings
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

WINDOWS = sys.platform == "win32"
APP_NAME = "esp"

# Temporary files esp writes beside a file it is about to replace: `.NAME.esp-tmp-PID-xxxx`.
TEMP_MARK = ".esp-tmp-"
# A temporary file older than this is left over even if its PID now belongs to a live process.
STALE_AFTER_SECONDS = 3600.0

# How long a file held by another program (Excel) is retried before giving up.
SHARED_WAIT_SECONDS = 2.0
SHARED_POLL_SECONDS = 0.1

_SHARING_VIOLATION = 32  # ERROR_SHARING_VIOLATION
_LOCK_VIOLATION = 33  # ERROR_LOCK_VIOLATION
_FILE_ATTRIBUTE_HIDDEN = 0x2


# -- files ----------------------------------------------------------------------------------


# The longest file name a system takes: 255 UTF-16 units on Windows (NTFS), 255 bytes on
# Linux and macOS.
MAX_FILE_NAME = 255


def file_name_length(name: str) -> int:
    """How long `name` is as this system counts a file name against MAX_FILE_NAME: UTF-16
    units on Windows (one a character, two for the few outside the Basic Multilingual
    Plane, such as an emoji), UTF-8 bytes elsewhere ('x' is 1, 'é' 2, '培' 3)."""
    if name.isascii():
        return len(name)
    if WINDOWS:
        return len(name.encode("utf-16-le", "surrogatepass")) // 2
    return len(name.encode("utf-8", "surrogatepass"))


def file_name_unit() -> str:
    """What file_name_length counts, in words."""
    return "UTF-16 units" if WINDOWS else "bytes"


def write_file_atomically(
    path: Path,
    data: bytes,
    like: os.stat_result | None = None,
    *,
    last_look: Callable[[], None] | None = None,
) -> None:
    """Put `data` at `path` in one step: written in full to a temporary file beside it,
    flushed to disk, then renamed over it. A crash leaves the old file or the complete new
    one, never a part; on failure the temporary file is removed and the error raised.
    `like` is the status of the file replaced (or copied): the new file takes its
    permission bits, owner and group where the system allows (`take_ownership`); without
    it, 0644. A target held by another program is retried for a moment (see
    `retry_shared`). `last_look` runs right before each try of the rename, once the new
    bytes are on disk: the last look at the target, as close to replacing it as the system
    allows (Windows refuses the rename while Excel or OneDrive is saving the file; after
    such a refusal the file is looked at again); an error it raises stops the write."""
    tmp = _written_beside(path, data)

    def rename() -> None:
        if last_look is not None:
            last_look()
        os.replace(tmp, path)

    try:
        if like is None:
            os.chmod(tmp, 0o644)
        else:
            take_ownership(tmp, like)
        retry_shared(rename)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    sync_folder(path.parent)


def create_file_atomically(
    path: Path, data: bytes, like: os.stat_result | None = None, *, hidden: bool = True
) -> bool:
    """Put `data` at `path` in one step, only when no file has that name (False: one has).
    Written in full to a temporary file beside it and flushed, then given its name by a
    hard link, which fails when the name is taken — so two computers writing into one
    network folder at once never replace each other's file, and a reader sees the whole
    file or none. Where the folder takes no hard links: Windows' rename (it refuses a name
    that is taken); elsewhere the name is reserved with an exclusive create first (a reader
    may then see it empty for a moment). The new file is hidden on Windows (`hidden`: one
    of esp's own; a file made for people is not)."""
    tmp = _written_beside(path, data)
    try:
        if like is None:
            os.chmod(tmp, 0o644)
        else:
            take_ownership(tmp, like, shared_mode(like))
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            if not _publish_without_link(tmp, path):
                return False
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    sync_folder(path.parent)
    if hidden:
        hide(path)
    return True


def _written_beside(path: Path, data: bytes) -> Path:
    """A temporary file beside `path` (named so esp knows it for its own) holding `data`,
    flushed to disk; removed again if writing it fails."""
    import tempfile

    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TEMP_MARK}{os.getpid()}-")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def _publish_without_link(tmp: Path, path: Path) -> bool:
    if WINDOWS:
        try:
            os.rename(tmp, path)
        except FileExistsError:
            return False
        return True
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    os.replace(tmp, path)
    return True


def same_version(read: os.stat_result, now: os.stat_result) -> bool:
    """Whether two looks at a file (`read`: the file as it was opened; `now`: its name looked
    up again) see one version of it: a save since, in place or by renaming a new file over
    it (as Excel saves), gives another size or modification time, and on Linux and macOS
    another file number. Windows' file numbers are left out: on a network share some servers
    give none, or a new one at each look."""
    if (read.st_size, read.st_mtime_ns) != (now.st_size, now.st_mtime_ns):
        return False
    return WINDOWS or (read.st_dev, read.st_ino) == (now.st_dev, now.st_ino)


def remove_file(path: Path) -> bool:
    """Delete a file esp made (a reader holding it open on Windows is waited for a moment);
    False when it was already gone."""
    try:
        retry_shared(path.unlink)
    except FileNotFoundError:
        return False
    return True


def take_ownership(path: Path, like: os.stat_result, mode: int | None = None) -> None:
    """Give `path` the owner, group and permission bits of the file whose status is `like`
    (or the bits `mode`), as far as the system allows: a file esp writes anew in place of
    a teammate's stays theirs to open in a group-shared folder.

    Linux and macOS let anyone keep a group they belong to (not another owner, unless
    root): the owner is asked for, then the group alone; what is refused is left. The
    permission bits come last (changing the owner clears set-id bits). Windows has no
    owner or group here: a new file takes the folder's inherited permissions, and only
    the read-only attribute follows the bits."""
    if not WINDOWS:
        current = path.stat()
        if (current.st_uid, current.st_gid) != (like.st_uid, like.st_gid):
            for uid in (like.st_uid, -1):
                try:
                    os.chown(path, uid, like.st_gid)
                    break
                except OSError:
                    continue
    os.chmod(path, like.st_mode & 0o7777 if mode is None else mode)


def shared_mode(like: os.stat_result) -> int:
    """The permission bits for a file every writer of `like` appends to or locks (esp's
    log and lock): read and write for whoever may read and write `like`, and always for
    its owner."""
    return (like.st_mode & 0o666) | 0o600


def make_folder(folder: Path, like: Path) -> None:
    """Make `folder` (and its parents) if missing; a folder made here takes the group and
    permissions of the folder `like` (the tracker's), so a teammate who can write there
    can write in it too (a group-shared folder made by one is not closed to the rest)."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        take_ownership(folder, like.stat())


def link_or_copy(source: Path, target: Path) -> None:
    """`target` the same file as `source`: a hard link where the disk has them (NTFS, every
    Linux and macOS disk: no second copy of the data), else a copy (FAT, exFAT, some
    network shares)."""
    try:
        os.link(source, target)
    except FileExistsError:
        return
    except OSError:
        shutil.copyfile(source, target)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk. Windows cannot open a folder for this
    and commits renames itself; elsewhere a failure here is not worth failing a write."""
    if WINDOWS:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def real_path(path: Path) -> Path:
    """`path` with every symbolic link (or Windows junction) followed. A link that leads
    back to itself raises OSError (ELOOP) on every Python: 3.11 and 3.12 raise
    RuntimeError there."""
    try:
        return path.resolve()
    except RuntimeError as exc:
        raise OSError(errno.ELOOP, "a link that leads back to itself", str(path)) from exc


def read_file(path: Path) -> bytes:
    """A file's bytes; a read refused because another program holds the file is retried."""
    return retry_shared(path.read_bytes)


def is_sharing_violation(exc: BaseException) -> bool:
    """Windows refused the file because another program (Excel) has it open."""
    return isinstance(exc, OSError) and getattr(exc, "winerror", None) in (
        _SHARING_VIOLATION,
        _LOCK_VIOLATION,
    )


def retry_shared(action: Callable[[], T], wait: float | None = None) -> T:
    """Run `action`; while it fails with a sharing violation, try again for a moment (Excel
    and OneDrive hold a file briefly while saving or syncing it). Other errors, and a
    violation that outlasts the wait, are raised."""
    deadline = time.monotonic() + (SHARED_WAIT_SECONDS if wait is None else wait)
    while True:
        try:
            return action()
        except OSError as exc:
            if not is_sharing_violation(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(SHARED_POLL_SECONDS)


def hide(path: Path) -> None:
    """Hide a sidecar file in Explorer (a leading dot hides it everywhere else)."""
    if not WINDOWS:
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        windll: Any = getattr(ctypes, "windll")  # noqa: B009 (absent off Windows)
        attributes = windll.kernel32.GetFileAttributesW(str(path))
        if attributes != -1 and attributes != 0xFFFFFFFF:
            windll.kernel32.SetFileAttributesW(str(path), attributes | _FILE_ATTRIBUTE_HIDDEN)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine. (On Windows `os.kill(pid, 0)`
    would end the process, so it is asked through OpenProcess instead.)"""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if WINDOWS:
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    kernel32: Any = getattr(ctypes, "WinDLL")("kernel32", use_last_error=True)  # noqa: B009
    query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return bool(ctypes.get_last_error() == access_denied)  # type: ignore[attr-defined]
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


# `.TARGET.esp-tmp-PID-xxxxxxxx`: the target's name, then the writer's PID and mkstemp's letters.
_TEMP_NAME = re.compile(r"\.(.+)" + re.escape(TEMP_MARK) + r"(\d+)-[a-z0-9_]+")


def remove_stale_temps(folder: Path, owns: Callable[[str], object]) -> list[Path]:
    """Remove esp's temporary files in `folder` whose target's name `owns` accepts (the
    workbook's own name, a name esp gives its backups) that a run killed mid-write left
    behind: their process is gone, or they are over an hour old. Nothing named otherwise
    is touched. Call it while holding the file's lock, so no live esp write of that file
    is touched."""
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        found = _TEMP_NAME.fullmatch(entry.name)
        if found is None or not owns(found.group(1)):
            continue
        try:
            left = _left_over(entry, int(found.group(2)), now)
        except OSError:
            continue
        if left:
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


def _left_over(temp: Path, pid: int, now: float) -> bool:
    """Whether esp's temporary file `temp`, made by process `pid`, is left over by a run
    killed mid-write: its process is gone, or it is over STALE_AFTER_SECONDS old."""
    return now - temp.stat().st_mtime > STALE_AFTER_SECONDS or not pid_alive(pid)


def being_made(path: Path) -> bool:
    """Whether an esp is putting a file at `path` now (create_file_atomically, in a folder
    without hard links, reserves the name with an empty file first): its temporary file
    for `path` is beside it, and not left over (remove_stale_temps' rule)."""
    now = time.time()
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return False
    for entry in entries:
        found = _TEMP_NAME.fullmatch(entry.name)
        if found is None or found.group(1) != path.name:
            continue
        with contextlib.suppress(OSError):
            if not _left_over(entry, int(found.group(2)), now):
                return True
    return False


# -- who runs esp -------------------------------------------------------------------------------


def login_name() -> str:
    """The OS login of whoever runs esp ("unknown" where the system has none)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name on this system (getpass raises several kinds)
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def computer_name() -> str:
    """The machine's network name ("unknown" where it has none), as every write records
    it: what socket.gethostname() returns. On Linux and macOS that is the kernel's host
    name, read without loading the socket module (whose enums take milliseconds to build).
    Never platform.node(): on Windows it first asks for the Windows version, a WMI query
    that can take seconds where the user may not run one, while the write holds its lock."""
    if not WINDOWS:
        name = os.uname().nodename
    else:
        import socket

        name = ""
        with contextlib.suppress(OSError):
            name = socket.gethostname()
    return name or "unknown"


# -- the lock between esp processes ---------------------------------------------------------


class LockTimeout(Exception):
    """Another process held the lock for the whole wait."""


class ExclusiveLock:
    """A lock on `lock_path` between processes: `acquire` waits up to `timeout` seconds
    (LockTimeout after that; OSError when the lock file cannot be created)."""

    def __init__(self, lock_path: Path, timeout: float, like: os.stat_result | None = None) -> None:
        self.path = lock_path
        self._like = like
        kind = _lock_class()
        # The lock file stays beside the workbook on Linux and macOS: made with the
        # workbook's read/write bits (and, below, its group), a teammate who may write the
        # workbook may also take the lock. Windows and the soft lock remove it on release.
        self._mode = None if like is None else shared_mode(like)
        shared = self._mode is not None and kind is _filelock().UnixFileLock
        self._lock = kind(
            str(lock_path), timeout=timeout, **({"mode": self._mode} if shared else {})
        )

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except _filelock().Timeout as exc:
            raise LockTimeout(str(self.path)) from exc
        hide(self.path)
        if self._like is not None and not WINDOWS:
            with contextlib.suppress(OSError):  # only its owner may change it
                take_ownership(self.path, self._like, self._mode)

    def release(self) -> None:
        self._lock.release()


def _filelock() -> Any:
    # Where fcntl is missing filelock warns once at import that only its soft lock is left;
    # that is the lock esp then wants (see _lock_class), so the warning is no news.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import filelock
    return filelock


def _lock_class() -> Any:
    """msvcrt's lock on Windows, fcntl's elsewhere; without either (a system or Python build
    lacking fcntl), filelock's soft lock: a lock file holding its owner's PID and host, taken
    with an exclusive create and broken when its owner is gone."""
    filelock = _filelock()
    if WINDOWS:
        return filelock.FileLock
    try:
        import fcntl  # noqa: F401
    except ImportError:
        return filelock.SoftFileLock
    return filelock.UnixFileLock


# -- who holds a workbook -------------------------------------------------------------------


def owner_name(owner_file: Path) -> str | None:
    """The user named in an Office owner file (`~$Book.xlsx`) or LibreOffice lock file
    (`.~lock.Book.xlsx#`), or None when it cannot be read.

    Office's file (165 bytes for Excel, 162 for Word): one byte with the name's length, the
    name in the Windows 8-bit code page, spaces (Excel) or zeros (Word) up to byte 55 (Word:
    54), there the length again as two bytes and the name in UTF-16-LE. The UTF-16 copy is
    preferred (it keeps every letter). LibreOffice's is one CSV line whose first field is
    the user's name."""
    try:
        data = owner_file.read_bytes()[:512]
    except OSError:
        return None
    if owner_file.name.startswith(".~lock."):
        first = data.decode("utf-8", "replace").split(",")
        return _clean(first[0]) if first else None
    return _office_owner(data)


def _office_owner(data: bytes) -> str | None:
    if not data or not 0 < data[0] <= 52 or len(data) < 1 + data[0]:
        return None
    length = data[0]
    for at in (55, 54):  # Excel/PowerPoint, then Word
        if len(data) >= at + 2 + 2 * length and data[at] == length and data[at + 1] == 0:
            text = data[at + 2 : at + 2 + 2 * length].decode("utf-16-le", "replace")
            name = _clean(text)
            if name and "\ufffd" not in name:
                return name
    return _clean(data[1 : 1 + length].decode("cp1252", "replace"))


def _clean(text: str) -> str | None:
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text or None


# -- synced folders -------------------------------------------------------------------------

_SYNC_ENV = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")


def synced_folder(path: Path) -> str | None:
    """'OneDrive' or 'SharePoint' when the file is in a folder those services sync (found by
    the OneDrive environment variables Windows sets, or by the path's names), else None."""
    try:
        full = real_path(path)
    except OSError:
        full = path.absolute()
    for var in _SYNC_ENV:
        root = os.environ.get(var)
        if root and full.is_relative_to(Path(root)):
            return "SharePoint" if "sharepoint" in str(full).casefold() else "OneDrive"
    for part in full.parts[:-1]:
        folded = part.casefold()
        if "sharepoint" in folded:
            return "SharePoint"
        if folded.startswith("onedrive"):
            return "OneDrive"
    return None


def folder_label(path: Path) -> str:
    """The name of the folder a file is in, the same on every computer that reaches it: a
    link followed, a mapped drive (S:) as the share it maps (\\\\server\\cert), so at a
    share's root it is the share's name ("cert"), at a drive's root the drive ("C")."""
    try:
        folder = real_path(path).parent
    except OSError:
        folder = path.absolute().parent
    if folder.name:
        return folder.name
    anchor = folder.anchor.strip("\\/")
    return anchor.replace(":", "").rsplit("\\", 1)[-1].rsplit("/", 1)[-1] or "root"


def file_owner(path: Path) -> str | None:
    """The login of a file's owner (Linux and macOS; None on Windows or when unknown)."""
    if WINDOWS:
        return None
    try:
        import pwd

        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (ImportError, KeyError, OSError):
        return None


def is_within(inner: Path, outer: Path) -> bool:
    """Whether the folder `inner` is `outer` or inside it (links followed)."""
    try:
        a, b = real_path(inner), real_path(outer)
    except OSError:
        a, b = inner.absolute(), outer.absolute()
    return a == b or b in a.parents


OWNER_PREFIX = "~$"


def cannot_put(path: Path, *, folder: bool = False) -> str | None:
    """Why a new file (with `folder`, a folder, made with its parents if need be) cannot be
    put at `path`, as far as can be told without writing; None when nothing stands in the
    way. A file already there is never written over (a report, a draft, a workbook of its
    own: each is a new file; the team's workbook or esp's backup under that name is kept).
    A dry run asks the same as the real run, so it never promises a save that is refused."""
    if folder:
        if path.exists() and not path.is_dir():
            return "is a file, not a folder"
        above = next((p for p in path.parents if p.exists()), None)
        if above is not None and not above.is_dir():
            return f"{above} is a file, not a folder"
        return None
    if path.is_dir():
        return "is a folder; a file name is needed"
    parent = path.parent
    if not parent.exists():
        return f"the folder {parent} does not exist"
    if not parent.is_dir():
        return f"{parent} is a file, not a folder"
    if path.name.startswith(OWNER_PREFIX):
        return "is named as an owner file (~$), which Excel and Word keep beside an open file"
    if is_taken(path):
        owner = owner_file(path)
        open_in = f" (open in Excel or Word: {owner.name} is beside it)" if owner else ""
        return f"is already there{open_in}; esp never writes over a file"
    return None


def is_taken(path: Path) -> bool:
    """Whether a file (or a link, even to nothing) is at `path`: a new file never goes there."""
    return path.is_symlink() or (path.exists() and not path.is_dir())


def put_refusal(path: Path, option: str, *, folder: bool = False) -> tuple[str, str] | None:
    """(why, fix) when `option`'s file (with `folder`, its folder) cannot be put at `path`
    (see `cannot_put`), in the words of a one-line error; None when nothing stands in the
    way. A file already there is never written over: the fix is a new name."""
    why = cannot_put(path, folder=folder)
    if why is None:
        return None
    if folder:
        fix = f"give {option} a folder (a new one is made)."
    elif is_taken(path):
        fix = f"give {option} a new file name, or move or delete '{path.name}' first."
    else:
        fix = f"give {option} a file name in an existing folder."
    return f"{option} {path}: {why}.", fix


def appeared_refusal(path: Path, option: str | None = None) -> tuple[str, str]:
    """(why, fix) when a file appeared at `path` after esp checked the name and before it
    saved its new file there (a teammate's, in a shared folder): theirs is kept, in the
    words of a one-line error. `option`: the option that named the file, if one did."""
    why = (
        f"{path}: appeared while esp was writing it; esp never writes over a file, and "
        "left it as it is"
    )
    if option is None:
        return why, f"move or rename '{path.name}', then run again."
    return why, f"give {option} a new file name, or move or delete '{path.name}' first."


def owner_file(path: Path) -> Path | None:
    """The owner file Excel or Word keeps beside `path` while it is open (`~$` and the name
    less its first two characters, or the whole of a short name), if there is one."""
    for name in (OWNER_PREFIX + path.name[2:], OWNER_PREFIX + path.name):
        owner = path.with_name(name)
        with contextlib.suppress(OSError):
            if owner.is_file():
                return owner
    return None


# -- folders the team fills by hand ---------------------------------------------------------

_SYSTEM_NAMES = frozenset({"desktop.ini", "thumbs.db", "ehthumbs.db", ".ds_store", "icon\r"})


def is_system_file(path: Path) -> bool:
    """Files the system or an editor puts in any folder (Explorer's desktop.ini and
    Thumbs.db, Office's `~$` owner files, macOS's .DS_Store and `._` resource forks, hidden
    dot files): never the team's own documents."""
    name = path.name
    return name.casefold() in _SYSTEM_NAMES or name.startswith(("~$", "."))


# -- user folders ---------------------------------------------------------------------------


def user_cache_dir() -> Path:
    """ESP_CACHE_DIR, else the system's cache folder for esp (`%LOCALAPPDATA%\\esp\\Cache`,
    `~/Library/Caches/esp`, `$XDG_CACHE_HOME/esp` or `~/.cache/esp`)."""
    explicit = os.environ.get("ESP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


CONFIG_DIR_ENV = "ESP_CONFIG_DIR"


def user_config_dir() -> Path:
    """ESP_CONFIG_DIR, else the system's config folder for esp (`%LOCALAPPDATA%\\esp`,
    `~/Library/Application Support/esp`, `$XDG_CONFIG_HOME/esp` or `~/.config/esp`)."""
    explicit = os.environ.get(CONFIG_DIR_ENV)
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


# -- memory ---------------------------------------------------------------------------------

_MALLOC_TRIM: Any = None
_TUNED = False
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8


def keep_large_blocks_apart() -> None:
    """Before reading a workbook (once): glibc is asked to give every block of a megabyte
    or more (a sheet's XML, a package being written) its own mapping, returned to the
    system when freed and grown in place, and to keep one arena for esp's few threads.
    Left to itself it raises that threshold once a large block is freed, and the large
    blocks that follow come from the heap, where growing one copies it and freeing one
    keeps its memory: a write to a 50,000-agent tracker peaked some 30-50 MB higher. The
    tracker is parsed on a thread of its own (read ahead) and that reading freed before
    the write: in an arena of its own, what it freed would not serve the write (30 MB more).
    A no-op elsewhere (macOS and musl have no mallopt; Windows is not asked)."""
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    if WINDOWS or not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError, TypeError):
        mallopt = ctypes.CDLL(None).mallopt
        mallopt(_M_MMAP_THRESHOLD, 1 << 20)  # setting it turns glibc's raising of it off
        mallopt(_M_TRIM_THRESHOLD, 4 << 20)
        mallopt(_M_ARENA_MAX, 1)


def release_freed_memory() -> None:
    """Hand freed memory back to the system where the C library keeps it (glibc's
    malloc_trim); a no-op elsewhere. On Windows `ctypes.CDLL(None)` is a TypeError, and
    macOS and musl have no malloc_trim."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        _MALLOC_TRIM = False
        if not WINDOWS:
            import ctypes

            with contextlib.suppress(OSError, AttributeError, TypeError):
                _MALLOC_TRIM = ctypes.CDLL(None).malloc_trim
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


# -- the console ----------------------------------------------------------------------------

# What a console whose code page lacks a character shows instead (box drawing, arrows).
_STAND_INS = {
    **dict.fromkeys("┏┳┓┡╇┩└┴┘┌┬┐├┼┤╭╮╰╯", "+"),
    **dict.fromkeys("━─═", "-"),
    **dict.fromkeys("┃│║", "|"),
    "→": "->",
    "←": "<-",
    "—": "-",
    "–": "-",
    "…": "...",
    "✓": "v",
    "✗": "x",
    "•": "*",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
}
_ERRORS = "esp-stand-in"


def _stand_in(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_STAND_INS.get(ch, "?") for ch in bad), exc.end


codecs.register_error(_ERRORS, _stand_in)


def can_encode(stream: Any, text: str) -> bool:
    """Whether `stream` can write `text` as it is (its encoding has every character)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        codecs.encode(text, encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def stand_in(text: str) -> str:
    """`text` with box drawing and arrows replaced by ASCII look-alikes."""
    return "".join(_STAND_INS.get(ch, ch) for ch in text) if not text.isascii() else text


def read_line(stream: Any = None) -> str | None:
    """One line from standard input (or `stream`) without its line end; None at the end.

    Read as bytes and decoded here, so what reaches esp is the text typed whatever made
    it: a terminal (UTF-8; Windows' console gives UTF-8 bytes too), or a file piped in —
    UTF-8 with or without Notepad's byte-order mark, Windows-1252, what Windows' own tools
    write (a line that is not UTF-8 is read as Windows-1252, never a crash), or UTF-16
    (Notepad's "Unicode", PowerShell 5's `>` and Out-File), with its byte-order mark or
    without (told by its NUL bytes), decided from the first line for the whole stream."""
    stream = sys.stdin if stream is None else stream
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text stream with no bytes under it
        text = str(stream.readline())
    else:
        encoding = _STREAM_ENCODING.get(buffer)
        raw = buffer.readline()
        if encoding is None:
            encoding = _utf16_of(raw) or "utf-8"
            with contextlib.suppress(TypeError):  # a stream that takes no weak reference
                _STREAM_ENCODING[buffer] = encoding
        if encoding == "utf-8":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
        else:
            text = _utf16_line(buffer, raw, encoding).decode(encoding, errors="replace")
    if not text:
        return None
    return text.removeprefix("\ufeff").rstrip("\r\n")


_STREAM_ENCODING: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def _utf16_of(first: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when a stream's first line is UTF-16."""
    if first.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if first.startswith(b"\xfe\xff"):
        return "utf-16-be"
    if len(first) >= 2 and first[0] and not first[1]:
        return "utf-16-le"  # 'M\x00o\x00...': no byte-order mark
    if len(first) >= 2 and not first[0] and first[1]:
        return "utf-16-be"
    return None


def _utf16_line(buffer: Any, raw: bytes, encoding: str) -> bytes:
    """The rest of a UTF-16 line whose bytes up to a 0x0A byte are `raw` (`readline` stops
    at a byte, so a line ends at the 0x0A that is a whole "\\n": LE `0A 00`, BE `00 0A`),
    without a byte-order mark."""
    data = raw
    start = 2 if data[:2] in (b"\xff\xfe", b"\xfe\xff") else 0
    end = b"\n\x00" if encoding == "utf-16-le" else b"\x00\n"
    while data:
        body = len(data) - start
        if encoding == "utf-16-le" and data.endswith(b"\n") and body % 2:
            data += buffer.read(1)  # the NUL after it
            continue
        if body % 2 == 0 and data.endswith(end):
            break
        more = buffer.readline()
        if not more:
            break
        data += more
    return data[start:]


def read_typed_line(prompt: str) -> str | None:
    """One line a person types at a terminal, the prompt on standard error (standard output
    stays for data); None at the end of input (Ctrl-D, Ctrl-Z).

    The line can be edited as it is typed, so an arrow key moves the cursor instead of
    becoming part of the text: on Windows the console edits it (its own line editing works
    for every program that reads a line); on Linux and macOS readline does, given a
    terminal on standard error to draw on. Readline draws on standard output, so for the
    length of one line standard output is pointed at standard error's terminal (data
    written before is flushed first). Without readline (a Python built without it), the
    line is read as typed; esp_cli.core.typed takes what the keys left in it out."""
    editor = None if WINDOWS else _line_editor()
    if editor is None or not (sys.stdin.isatty() and sys.stderr.isatty()):
        sys.stderr.write(prompt)
        sys.stderr.flush()
        return read_line()
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        return input(prompt)
    except EOFError:
        return None
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_EDITOR: list[Any] = []  # the readline module once set up, or None when there is none


def _line_editor() -> Any:
    """Python's readline, set up for typing answers: Tab types a tab rather than completing
    file names, and nothing is kept in a history file (the answers stay in the process)."""
    if not _EDITOR:
        try:
            import readline
        except ImportError:  # a Python built without it
            _EDITOR.append(None)
            return None
        if "libedit" in (readline.__doc__ or ""):  # macOS's system Python
            readline.parse_and_bind("bind ^I ed-insert")
        else:
            readline.parse_and_bind("tab: tab-insert")
        _EDITOR.append(readline)
    return _EDITOR[0]


# What PowerShell reads inside double quotes: a backtick (its escape), and a $ that starts a
# variable or an expression ($name, $20, ${...}, $(...), $_, $?, $^, $$, $env:X).
_POWERSHELL_EXPANDS = re.compile(r"`|\$(?=[\w{(?^$:])")


def shell_quote(text: str) -> str:
    """`text` as one word to type in the user's shell, for a hint to copy: in double quotes
    where nothing in it needs more ("Called, no answer"). On Windows double quotes whenever
    a Command Prompt and PowerShell both take them as typed — a path (C:\\Users\\...), a
    sheet's "!" — with a backslash before the closing quote doubled, as programs read the
    command line; a " or what PowerShell expands there (a backtick, $name) in PowerShell's
    single quotes, each ' doubled ('Paid $20'), which a Command Prompt does not take
    (docs/windows.md). Elsewhere in single quotes, or as POSIX shells and fish take a '
    (shlex.quote: 'I can'"'"'t')."""
    if WINDOWS:
        if '"' in text or _POWERSHELL_EXPANDS.search(text):
            return "'" + text.replace("'", "''") + "'"
        # Programs read \" as a quote typed: a backslash ending the text is doubled.
        ending = text[len(text.rstrip("\\")) :]
        return f'"{text}{ending}"'
    if not set('"$`\\!') & set(text):
        return f'"{text}"'
    import shlex

    return shlex.quote(text)


def command_lines(commands: Iterable[str]) -> str:
    """Several commands to run, as a message gives them: one per line (a Command Prompt
    does not take `;` between two), each indented under the line that says what they do."""
    return "".join(f"\n  {command}" for command in commands)


def let_ctrl_c_interrupt() -> None:
    """Make Ctrl-C stop esp (KeyboardInterrupt) even when esp was started with it ignored.

    A process inherits an ignored SIGINT: a script's background job, some launchers and
    task runners start programs that way. For a person answering at a terminal that would
    leave Ctrl-C dead, and esp round waiting for a line forever; call this only then (a
    script's esp keeps what its starter chose). Windows passes on no ignored SIGINT this
    way: there it changes nothing."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def reconfigure_output() -> None:
    """Make standard output and error never fail to encode. Piped or redirected (`> out.txt`,
    `| clip`), they write UTF-8, whatever the code page: JSON and CSV stay UTF-8. On a
    console that is not UTF-8 (a legacy Windows code page) the encoding is kept, so the text
    stays readable, and a character it lacks is written as an ASCII stand-in or '?'."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            console = stream.isatty()
        except (ValueError, OSError):
            console = False
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        with contextlib.suppress(ValueError, OSError, LookupError):
            if console and encoding not in ("utf-8", "utf8"):
                reconfigure(errors=_ERRORS)
            else:
                reconfigure(encoding="utf-8", errors="replace")
    sys.stdout = Undelivered.around(sys.stdout)
    sys.stderr = Undelivered.around(sys.stderr)


def output_failure() -> OSError | None:
    """Why standard output could not be written, if it could not, for a reason other than
    its reader quitting (a full disk, a closed descriptor): the command is told so. What it
    still holds is written first (a short output fails only then)."""
    stream = sys.stdout
    with contextlib.suppress(OSError, ValueError, AttributeError):
        stream.flush()
    return getattr(stream, "failed", None)


def reader_gone(exc: OSError) -> bool:
    """Whether a write failed because nobody reads the pipe any more (`| head -1` has its
    line, `| true`): BrokenPipeError, and on Windows EINVAL, which its C runtime gives for
    a write to a pipe whose reading end is closed."""
    return isinstance(exc, BrokenPipeError) or (WINDOWS and exc.errno == errno.EINVAL)


class Undelivered:
    """Standard output (or error) whose reader may quit early: a script's `| head -1`, or
    `| Select-Object -First 1`. That is no failure of the command's work, so from then on
    what is written there is dropped, without an error, and the command carries on: a
    writing command still says on standard error what it wrote and how to undo it, and
    ends with its own exit code. Any other failure to write (a full disk, a closed
    descriptor) stops the delivery the same way and is kept in `failed`, for the command
    to say once its work is done (a write to the tracker is never left half said)."""

    def __init__(self, stream: Any, *, closed: bool = False) -> None:
        self._stream = stream
        self._closed = closed  # no stream at all: what is written cannot be delivered
        self.gone = closed  # nothing more is delivered
        self.failed: OSError | None = None  # why, when it was not the reader quitting

    @classmethod
    def around(cls, stream: Any) -> Any:
        """`stream` kept from failing when its reader quits or it cannot be written; a
        stream Python could not open (its descriptor closed: `esp ... >&-`) fails at the
        first text written to it (a command that writes nothing there ends well)."""
        if stream is None:
            return cls(open(os.devnull, "w", encoding="utf-8"), closed=True)  # noqa: SIM115
        return stream if isinstance(stream, cls) else cls(stream)

    def write(self, text: str) -> int:
        if self._closed and text and self.failed is None:
            self.failed = OSError(errno.EBADF, "it is closed")
        if not self.gone:
            try:
                return int(self._stream.write(text))
            except OSError as exc:
                self._give_up(exc)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            self._give_up(exc)
            with contextlib.suppress(OSError, ValueError):
                self._stream.flush()  # what it still held, into the null device

    def _give_up(self, exc: OSError) -> None:
        """Stop delivering (keeping `exc` unless the reader is gone). The stream's
        descriptor is pointed at the null device, so what its buffer still holds is
        flushed there when the process ends, instead of failing again then."""
        if not reader_gone(exc) and self.failed is None:
            self.failed = exc
        self.gone = True
        try:
            fd = self._stream.fileno()
        except (AttributeError, OSError, ValueError):
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, fd)
        finally:
            os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


# Windows' console takes ANSI colour codes only once asked to (Windows 10 and later, the
# console's ENABLE_VIRTUAL_TERMINAL_PROCESSING mode); an older console (or one that refuses)
# would print them as text, so esp shows no colour there.
_ENABLE_VIRTUAL_TERMINAL_PROCESSING = 0x0004
_STD_HANDLES = {1: -11, 2: -12}  # STD_OUTPUT_HANDLE, STD_ERROR_HANDLE


def starts_a_file(stream: Any) -> bool:
    """Whether what `stream` writes next opens a regular file (`esp … > list.csv`): not a
    pipe, a terminal, or a file that already holds text (`>> list.csv`)."""
    try:
        stream.flush()
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size == 0


def is_terminal(stream: Any) -> bool:
    """Whether `stream` is a terminal (a console window), not a pipe or a file."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def console_takes_colour(stream: Any) -> bool:
    """Whether colour codes written to the terminal `stream` show as colour. Elsewhere than
    Windows a terminal always does (TERM=dumb aside); on Windows the console is switched to
    take them, and a console that cannot be (before Windows 10) gets none."""
    if not WINDOWS:
        return os.environ.get("TERM") != "dumb"
    try:
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
        handle = kernel32.GetStdHandle(_STD_HANDLES.get(stream.fileno(), -11))
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        if mode.value & _ENABLE_VIRTUAL_TERMINAL_PROCESSING:
            return True
        return bool(
            kernel32.SetConsoleMode(handle, mode.value | _ENABLE_VIRTUAL_TERMINAL_PROCESSING)
        )
    except (AttributeError, OSError, ValueError):
        return False


class MachineZone(tzinfo):
    """The machine's own time zone, daylight saving included: a wall-clock time's offset
    from UTC is the one the system gives for that day and hour (a fixed offset, as
    datetime.now().astimezone() gives, would be an hour off across a switch)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None if dt is None else dt.replace(tzinfo=None).astimezone().utcoffset()

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def fromutc(self, dt: datetime) -> datetime:
        """The wall-clock time on the machine's clock of `dt` (a UTC time, tagged self)."""
        return dt.replace(tzinfo=UTC).astimezone().replace(tzinfo=self)

    def tzname(self, dt: datetime | None) -> str | None:
        return None if dt is None else dt.replace(tzinfo=None).astimezone().tzname()

    def __repr__(self) -> str:
        return "MachineZone()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MachineZone)

    def __hash__(self) -> int:
        return hash(MachineZone)
