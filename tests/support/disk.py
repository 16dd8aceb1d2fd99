"""A disk that fails on cue, under the file objects esp writes through.

esp writes data with binary file objects (``os.fdopen`` on a ``tempfile.mkstemp``
descriptor); the C library under them does not call ``os.write``, so a test that wants the
disk to fill up mid-write routes those file objects' writes through a function of its own.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

Write = Callable[[int, Any], int]


class _Raw(io.RawIOBase):
    def __init__(self, fd: int, write: Write) -> None:
        self._fd = fd
        self._write = write

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return self._write(self._fd, b)

    def fileno(self) -> int:
        return self._fd

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def route_writes(setattr_: Callable[..., None], write: Write) -> None:
    """Binary file objects made on a descriptor (``os.fdopen(fd, "wb")``) write through
    `write(fd, data) -> bytes written`, which may write part of it or raise."""
    real = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "b" in mode and any(m in mode for m in "wa+"):
            return io.BufferedWriter(_Raw(fd, write))
        return real(fd, mode, *args, **kwargs)

    setattr_(os, "fdopen", fdopen)
