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
