"""What a write adds for the waiting changes it writes, registered from above this layer.

The computed columns of a round's answers (Escalation Stage, Next Action, Next Action Due)
need the rules, which this layer does not know: `esp_cli.services` registers a loader here,
and the write session calls it only when a write writes waiting changes, so a command
with none to write never imports what the follow-up needs (see session.FollowUp).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Each gives a session.FollowUp when first asked.
LOADERS: list[Callable[[], Any]] = []
