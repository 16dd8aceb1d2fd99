"""What a write adds for the waiting changes it writes, registered from above this layer.

The computed columns of a round's answers (Escalation Stage, Next Action, Next Action Due)
need the rules, which this layer does not know: `esp_cli.services` registers a loader here,
and the write session calls it only when a write writes waiting changes, so a command
with none to write never imports what the follow-up needs (see session.FollowUp).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# (wanted, load): `wanted(ops)` says, cheaply, whether waiting changes `ops` call for the
# follow-up; `load()` gives its session.FollowUp, imported only then.
LOADERS: list[tuple[Callable[[Sequence[Any]], bool], Callable[[], Any]]] = []


def loaded(ops: Sequence[Any]) -> list[Any]:
    """The follow-ups waiting changes `ops` call for, each loaded only then."""
    return [load() for wanted, load in LOADERS if ops and wanted(ops)]


def worked_out(follow_ups: Sequence[Any], op: Any) -> frozenset[str]:
    """The columns of waiting change `op` that a follow-up works out itself when the change
    is written (session.FollowUp.works_out): neither written as they wait nor judged
    against what the cell holds now — by a write, nor by a report counting what waits."""
    return frozenset().union(*(f.works_out for f in follow_ups if f.recomputes(op)))
