"""Windows' behaviours that differ where esp works, reproduced on Linux.

CI has no Windows runner, so the tests run esp's real commands with these in place:

- a descriptor opened without ``os.O_BINARY`` is in text mode: every LF written through it
  (``os.write``, or a file object made on it with ``os.fdopen``/``open(fd)``) lands as CR LF.
  ``os.O_BINARY`` exists, and ``tempfile`` opens with it, as on Windows;
- ``ctypes.CDLL(None)`` raises ``TypeError`` (Windows' LoadLibrary needs a name);
- ``fcntl`` cannot be imported;
- ``FakeExcel`` holds a workbook as Excel does: an owner file ``~$Name.xlsx`` naming the
  user, and a sharing violation (``PermissionError``, winerror 32) for a rename over the
  file, a delete, a write, and (``share_read=False``) a read.

``install(setattr_)`` applies the first three through ``setattr_`` — pytest's
``monkeypatch.setattr`` in a test, plain ``setattr`` in a subprocess's ``sitecustomize``
(see ``windows_site/``). Like the rest of ``tests.support``, nothing here imports esp_cli.
"""

from __future__ import annotations

import builtins
import ctypes
import errno
import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Windows' value; Linux has no such flag, so one bit no Linux flag uses stands in for it.
O_BINARY: int = getattr(os, "O_BINARY", 0x8000_0000)

SITE_DIR = Path(__file__).resolve().parent / "windows_site"
REPO_ROOT = Path(__file__).resolve().parents[2]

_WRITING = os.O_WRONLY | os.O_RDWR


class _TextModeRaw(io.RawIOBase):
    """A text-mode descriptor under a file object: LF goes out as CR LF, as Windows' C
    runtime does for a descriptor opened without O_BINARY."""

    def __init__(self, fd: int, write: Callable[[int, bytes], int], closefd: bool) -> None:
        self._fd = fd
        self._write = write
        self._closefd = closefd

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        data = bytes(b)
        self._write(self._fd, data)
        return len(data)

    def fileno(self) -> int:
        return self._fd

    def close(self) -> None:
        if not self.closed and self._closefd:
            os.close(self._fd)
        super().close()


class Reproduction:
    """The state behind the patched functions: which descriptors are in text mode."""

    def __init__(self) -> None:
        self.text_fds: set[int] = set()
        self.real_open = os.open
        self.real_write = os.write
        self.real_close = os.close
        self.real_io_open = io.open
        self.real_cdll = ctypes.CDLL

    def open(self, path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        fd = self.real_open(path, flags & ~O_BINARY, mode, dir_fd=dir_fd)
        if flags & _WRITING and not flags & O_BINARY:
            self.text_fds.add(fd)
        else:
            self.text_fds.discard(fd)
        return fd

    def write(self, fd: int, data: Any) -> int:
        if fd in self.text_fds:
            data = bytes(data)
            self.real_write(fd, data.replace(b"\n", b"\r\n"))
            return len(data)
        return self.real_write(fd, data)

    def close(self, fd: int) -> None:
        self.text_fds.discard(fd)
        self.real_close(fd)

    def io_open(self, file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, int) and file in self.text_fds and "b" in mode:
            closefd = kwargs.get("closefd", args[4] if len(args) > 4 else True)
            return io.BufferedWriter(_TextModeRaw(file, self.write, closefd))
        fh = self.real_io_open(file, mode, *args, **kwargs)
        if not isinstance(file, int):
            self.text_fds.discard(fh.fileno())  # a new file on a reused descriptor number
        return fh

    def cdll(self) -> type:
        real = self.real_cdll

        class CDLL(real):  # type: ignore[misc, valid-type]
            def __init__(self, name: Any, *args: Any, **kwargs: Any) -> None:
                if name is None:
                    raise TypeError("LoadLibrary() argument 1 must be str, not None")
                super().__init__(name, *args, **kwargs)

        return CDLL


def install(setattr_: Callable[..., None]) -> Reproduction:
    """Apply the reproduction; `setattr_(target, name, value)` (monkeypatch.setattr works,
    with raising=False for the new os.O_BINARY)."""
    rep = Reproduction()
    try:
        setattr_(os, "O_BINARY", O_BINARY, raising=False)
    except TypeError:
        setattr_(os, "O_BINARY", O_BINARY)
    # tempfile computes its flags at import; on Windows they include O_BINARY.
    setattr_(tempfile, "_bin_openflags", tempfile._bin_openflags | O_BINARY)  # type: ignore[attr-defined]
    setattr_(os, "open", rep.open)
    setattr_(os, "write", rep.write)
    setattr_(os, "close", rep.close)
    setattr_(io, "open", rep.io_open)
    setattr_(builtins, "open", rep.io_open)
    setattr_(ctypes, "CDLL", rep.cdll())
    return rep


def hide_fcntl(setitem: Callable[[dict[str, Any], str, Any], None]) -> None:
    """`import fcntl` fails from now on (sys.modules holding None makes it an ImportError)."""
    setitem(sys.modules, "fcntl", None)


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for an esp subprocess that runs under the reproduction."""
    env = {
        "PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(REPO_ROOT), str(REPO_ROOT / "src")]),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ESP_WINDOWS_REPRODUCTION": "1",
    }
    for key in ("ESP_CACHE_DIR", "HOME", "LANG"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra)
    return env


# -- Excel holding a workbook -----------------------------------------------------------------


def excel_owner_file(user: str) -> bytes:
    """The 165 bytes Excel writes to `~$Name.xlsx`: the name's length, the name in the 8-bit
    code page, spaces to byte 55, the length again as two bytes, the name in UTF-16-LE, then
    space/zero pairs to the end (as LibreOffice's msodocumentlockfile describes it)."""
    name = user[:52]
    out = bytearray([len(name)])
    out += name.encode("cp1252", "replace")
    out += b" " * (55 - len(out))
    out += len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    while len(out) < 165:
        out += b" \x00"
    return bytes(out[:165])


def sharing_violation(path: Path | str, winerror: int = 32) -> PermissionError:
    """Windows' refusal: 32 is a sharing violation; a rename over a file another program has
    open may instead be refused as 5, access denied."""
    text = {
        32: "The process cannot access the file because it is being used by another process",
        5: "Access is denied",
    }[winerror]
    exc = PermissionError(errno.EACCES, text, str(path))
    exc.winerror = winerror  # type: ignore[attr-defined]  # set by Windows, absent elsewhere
    return exc


class FakeExcel:
    """Excel with workbooks open: their `~$` owner files exist and Windows refuses to
    replace, delete or write them (and, with share_read=False, to read them)."""

    def __init__(self, setattr_: Callable[..., None], share_read: bool = True) -> None:
        self.held: dict[Path, str] = {}
        self.share_read = share_read
        self.refusals = 0
        self.release_after: int | None = None  # close every workbook after this many refusals
        self.winerror = 32  # how Windows refuses a rename over a held file
        real_replace, real_unlink = os.replace, os.unlink
        real_io_open = io.open

        def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            self._check(src)
            self._check(dst, winerror=self.winerror)
            real_replace(src, dst, *args, **kwargs)

        def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
            self._check(path)
            real_unlink(path, *args, **kwargs)

        def io_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if not isinstance(file, int) and (
                any(m in mode for m in "wax+") or not self.share_read
            ):
                self._check(file)
            return real_io_open(file, mode, *args, **kwargs)

        setattr_(os, "replace", replace)
        setattr_(os, "rename", replace)
        setattr_(os, "unlink", unlink)
        setattr_(os, "remove", unlink)
        setattr_(io, "open", io_open)
        setattr_(builtins, "open", io_open)

    def open(self, path: Path, user: str) -> Path:
        """Open the workbook as `user`: the owner file appears beside it."""
        owner = path.with_name("~$" + path.name)
        owner.write_bytes(excel_owner_file(user))
        self.held[path.resolve()] = user
        return owner

    def hold(self, path: Path) -> None:
        """Hold the file without an owner file (OneDrive's sync client, a virus scanner)."""
        self.held[path.resolve()] = ""

    def close(self) -> None:
        for path in list(self.held):
            owner = path.with_name("~$" + path.name)
            if owner.exists():
                owner.unlink()
        self.held.clear()

    def _check(self, *paths: Any, winerror: int = 32) -> None:
        for p in paths:
            try:
                full = Path(os.fspath(p)).resolve()
            except (TypeError, OSError):
                continue
            if full in self.held:
                self.refusals += 1
                if self.release_after is not None and self.refusals > self.release_after:
                    self.close()
                    return
                raise sharing_violation(full, winerror)
