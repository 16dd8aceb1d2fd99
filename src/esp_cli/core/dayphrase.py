"""The days people type on a command line: today, yesterday, 11/24, monday (pure: no I/O).

Every `--date`, `--as-of` and `--since` takes these (docs/basics.md, "Dates you can type"):

- `2026-11-24`, `11/24/2026`, `11/24/26`: that day.
- `today`, `yesterday`, `tomorrow`.
- `11/24` (month/day, as the team writes dates): for a day that has happened (a step
  delivered, a note, SPOC called, a day replayed, history since), the most recent 11/24 up
  to today — on 12/05/2026 `6/1` is 06/01/2026 and `12/6` is 12/06/2025. Where a later day
  makes sense (`future=True`: the day a document is for), the one nearest today — this
  year's, unless that is more than six months away, so on 12/30/2026 `1/4` is 01/04/2027.
  A `2/29` is the nearest leap year's in the direction allowed.
- A weekday (`monday`, `mon`): the most recent one, today included — on a Monday, `monday` is
  today. `last monday` is the one before today (a week ago on a Monday).

Today is passed in, never read here, so a test pins it and the rules stay pure.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# The forms, as an error message lists them.
FORMS = "YYYY-MM-DD, MM/DD/YYYY, MM/DD, today, yesterday or a weekday (monday)"

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$")
_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
# Half a year: a month/day further than this from today is the other year's.
_NEAREST_WITHIN = 183


class NotADay(ValueError):
    """The text is not a day in any form esp takes (the message says why)."""


def parse_day_phrase(text: str, today: date, *, future: bool = False) -> date:
    """The day `text` names, as of `today`; NotADay when it names none. A month/day is the
    most recent one up to today, or with `future` the nearest one (this year's unless more
    than six months away)."""
    words = " ".join(text.split()).casefold()
    if words in _WORDS:
        return today + timedelta(days=_WORDS[words])
    weekday = _weekday(words, today)
    if weekday is not None:
        return weekday
    if m := _ISO.match(words):
        return _day(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _US.match(words):
        month, day = int(m[1]), int(m[2])
        if m[3] is None:
            return _nearest(month, day, today, text) if future else _latest(month, day, today, text)
        year = int(m[3])
        return _day(year + 2000 if len(m[3]) == 2 else year, month, day, text)
    raise NotADay(f"{text!r} is not a date")


def is_word(text: str) -> bool:
    """Whether `text` is `today` (a run for today, not a replay of it)."""
    return " ".join(text.split()).casefold() == "today"


def _weekday(words: str, today: date) -> date | None:
    before_today = words.startswith("last ")
    name = words.removeprefix("last ").strip()
    if len(name) < 3:
        return None
    # a weekday's name or its start of three letters or more: "mon", "tues", "thurs"
    matches = [i for i, day in enumerate(WEEKDAYS) if day.startswith(name)]
    if len(matches) != 1:
        return None
    back = (today.weekday() - matches[0]) % 7
    if before_today and back == 0:
        back = 7
    return today - timedelta(days=back)


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise NotADay(f"{text!r} is not a date ({exc})") from None


# A 02/29 is at most 8 years away (1900 and 2100 are not leap years).
_LEAP_SPAN = 8


def _candidates(month: int, day: int, years: range, text: str) -> list[date]:
    found = []
    for year in years:
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    if not found:
        raise NotADay(f"{text!r} is not a date (no such month and day)")
    return found


def _latest(month: int, day: int, today: date, text: str) -> date:
    """The most recent month/day up to today (today included)."""
    years = range(today.year, today.year - _LEAP_SPAN - 1, -1)
    return next(d for d in _candidates(month, day, years, text) if d <= today)


def _nearest(month: int, day: int, today: date, text: str) -> date:
    """This year's month/day, or another year's when that one is nearer."""
    years = range(today.year - _LEAP_SPAN, today.year + _LEAP_SPAN + 1)
    found = _candidates(month, day, years, text)
    this_year = [d for d in found if d.year == today.year]
    if this_year and abs((this_year[0] - today).days) <= _NEAREST_WITHIN:
        return this_year[0]
    return min(found, key=lambda d: (abs((d - today).days), d))
