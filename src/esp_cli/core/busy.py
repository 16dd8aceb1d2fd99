"""What long work tells whoever watches it: how far it has come (pure: an interface only).

A service that works through many things (the files of a folder of self-reports, a wait
for a tracker to be closed) takes a `Busy` and calls `step` as it goes; the command line
hands it one that draws a line on a terminal (render.busy), anything else `QUIET`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Busy(Protocol):
    def step(self, done: int, total: int | None = None, what: str = "") -> None:
        """`done` of `total` things are done (`what`: the one being worked on)."""


class _Quiet:
    def step(self, done: int, total: int | None = None, what: str = "") -> None:
        return None


QUIET: Busy = _Quiet()


# A stage of a command's work, shown while it lasts: the words saying what is being done
# in, the Busy hearing how far it has come out (render.busy.working; quietly: nothing shown).
Stage = Callable[[str], AbstractContextManager[Busy]]


@contextmanager
def quietly(what: str) -> Iterator[Busy]:
    """A Stage that shows nothing."""
    yield QUIET
