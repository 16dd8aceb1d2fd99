"""A disk that fails on cue, under the file objects esp writes through.

esp writes data with binary file objects (``os.fdopen`` on a ``tempfile.mkstemp``
descriptor, ``Path.open("ab")`` for the operation log); the C library under them does not
call ``os.write``, so a test that wants the disk to fill up mid-write routes those file
objects' writes through a function of its own.
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

Write = Callable[[int, Any], int]


class _Raw(io.RawIOBase):
    def __init__(self, fd: int, write: Write, closed: Callable[[], None] | None = None) -> None:
        self._fd = fd
        self._write = write
        self._closed = closed

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return self._write(self._fd, b)

    def fileno(self) -> int:
        return self._fd

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(self._fd, offset, whence)

    def tell(self) -> int:
        return self.seek(0, os.SEEK_CUR)

    def truncate(self, size: int | None = None) -> int:
        size = self.tell() if size is None else size
        os.ftruncate(self._fd, size)
        return size

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()
        if self._closed is not None:
            self._closed()


def route_writes(setattr_: Callable[..., None], write: Write) -> None:
    """Binary file objects made on a descriptor (``os.fdopen(fd, "wb")``) write through
    `write(fd, data) -> bytes written`, which may write part of it or raise."""
    real = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "b" in mode and any(m in mode for m in "wa+"):
            return io.BufferedWriter(_Raw(fd, write))
        return real(fd, mode, *args, **kwargs)

    setattr_(os, "fdopen", fdopen)


def route_appends(
    setattr_: Callable[..., None],
    target: Path,
    write: Write = os.write,
    closed: Callable[[], None] | None = None,
) -> None:
    """`target` opened to append (``Path.open("ab")``) writes through `write(fd, data)`, as
    `route_writes` does: buffered unless opened with ``buffering=0``. `closed` runs once it
    is closed (it may raise, as closing a file on a full network disk can)."""
    real = Path.open

    def open_(self: Path, mode: str = "r", buffering: int = -1, *args: Any, **kwargs: Any) -> Any:
        if self != target or "a" not in mode:
            return real(self, mode, buffering, *args, **kwargs)
        fd = os.open(self, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0))
        raw = _Raw(fd, write, closed)
        return raw if buffering == 0 else io.BufferedWriter(raw)

    setattr_(Path, "open", open_)


def filling_at(limit: int) -> Write:
    """A disk with room for a file of `limit` bytes: a write past it writes what fits, the
    next one finds the disk full (ENOSPC). A file made shorter has room again."""

    def write(fd: int, data: Any) -> int:
        room = limit - os.fstat(fd).st_size
        if room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(fd, bytes(data[:room]))

    return write
