"""One calendar day for a whole test.

esp takes today's date from the clock when a command runs (a note's stamp, a coaching
dated today, a draft's file name); a test compares what esp wrote with a date it takes
itself. Taken at import, that date is stale for every test that runs after midnight;
taken during the test, it still differs from esp's when the test runs across midnight.
``steady_day()`` is the guard ``conftest.py`` runs before every test: a test starting in
the last ``MARGIN`` before midnight first waits for the new day, so the dates the test
and the esp it runs take are the same as long as the test lasts less than the margin.
The wait is about the calendar, never about how fast anything runs.

Like the rest of ``tests.support``, nothing here imports esp_cli.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

# Longer than any test takes on a loaded 2-core machine (the slowest take ~20 s).
MARGIN = timedelta(minutes=2)


def until_new_day(now: datetime, margin: timedelta = MARGIN) -> float:
    """Seconds to wait so that a test starting at `now` starts on a day with at least
    `margin` left: none, or up to just past midnight."""
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    left = midnight - now
    return 0.0 if left > margin else left.total_seconds() + 0.5


def steady_day(
    now: Callable[[], datetime] = datetime.now,
    sleep: Callable[[float], None] = time.sleep,
) -> date:
    """Today, with at least the margin of it left: waits for the next day if need be."""
    wait = until_new_day(now())
    if wait:
        sleep(wait)
    return now().date()


def dated(today: date, start_days_before: int = 30) -> dict[str, object]:
    """What a test module that runs esp on a tracker dated around today sets for each test:
    TODAY, STAMP (MM/DD/YYYY, as note lines are dated) and START (ESP Start Dates far enough
    back for coaching to be due)."""
    return {
        "TODAY": today,
        "STAMP": f"{today:%m/%d/%Y}",
        "START": today - timedelta(days=start_days_before),
    }
