"""The dates of one file read one way (pure: no I/O).

A file of self-reports or notes comes from one place: a European PC writes every date day
first (`24.11.2026`), a US one month first (`11/24/2026`). `date_order` decides the order once
for the whole file from all its values — a first number over 12 can only be a day, a second
one over 12 only a day in month-first order — and, when no value decides it, day first for a
file whose dates are all dotted (no US program writes `05.11.2026`) or that the caller knows
is European (a CSV separated by `;`), else month first (the US default docs/rules.md names). A
file holding both kinds reads each of those values the only way it can be read, and refuses
the ones that could be either, rather than guess.

A timestamp with a zone (`2026-11-25T03:30:00Z`, `…-05:00`, `… 03:30:00 UTC`) counts for the
team's calendar day in `[calendar] timezone`, as an e-mail's Date does; one without keeps its
own date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from esp_cli.core.values import Unreadable, parse_date

# A date of three numbers with one separator, at the start of the text (a time may follow).
_NUMERIC = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?=$|[\sT,])")
# An ISO 8601 date and time with a zone: 'Z' or an offset.
_ZONED = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2}| ?(UTC|GMT|Z))$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateOrder:
    """How a file's numeric dates read. `day_first` None: the file has both kinds, each
    shown by one of its values (`day_first_sample`, `month_first_sample`)."""

    day_first: bool | None = False
    day_first_sample: str = ""
    month_first_sample: str = ""

    def describe(self) -> str:
        return (
            f"day first ({self.day_first_sample!r}) and month first ({self.month_first_sample!r})"
        )


MONTH_FIRST = DateOrder()


def _parts(value: object) -> tuple[int, int, str] | None:
    """The first two numbers of a numeric text date and its separator, or None for anything
    else."""
    if not isinstance(value, str):
        return None
    found = _NUMERIC.match(value.strip())
    return (int(found.group(1)), int(found.group(3)), found.group(2)) if found else None


def date_order(values: Iterable[object], day_first: bool = False) -> DateOrder:
    """The order of all of a file's numeric dates, decided by the values that can only be
    read one way; when none can, day first if every one is dotted or `day_first` (the file
    is European), else month first."""
    european = day_first
    day_first_seen = month_first = ""
    dotted = undotted = False
    for value in values:
        parts = _parts(value)
        if parts is None:
            continue
        first, second, separator = parts
        dotted |= separator == "."
        undotted |= separator != "."
        if first > 12 and second <= 12 and not day_first_seen:
            day_first_seen = str(value).strip()
        elif second > 12 and first <= 12 and not month_first:
            month_first = str(value).strip()
        if day_first_seen and month_first:
            return DateOrder(None, day_first_seen, month_first)
    if not day_first_seen and not month_first:
        return DateOrder(european or (dotted and not undotted))
    return DateOrder(bool(day_first_seen), day_first_seen, month_first)


def _as_month_first(text: str, month: int, day: int) -> str:
    """A numeric date as 'M/D/YYYY' (or '/YY'), whatever its separator and whatever
    follows it (a time)."""
    found = _NUMERIC.match(text)
    assert found is not None
    return f"{month}/{day}/{found.group(4)}{text[found.end() :]}"


def read_day(
    value: Any, order: DateOrder = MONTH_FIRST, tz: tzinfo | None = None, date1904: bool = False
) -> date | None:
    """The calendar day a cell or CSV field gives, in the file's order and the team's zone
    (`tz`; None: this computer's). Raises Unreadable, saying why."""
    if not isinstance(value, str):
        return parse_date(value, date1904)
    text = " ".join(value.split())
    if zoned := _ZONED.match(text):
        if zoned.group("zone").strip().upper() in ("UTC", "GMT", "Z"):
            text = text[: zoned.start("zone")].rstrip() + "+00:00"
        try:
            when = datetime.fromisoformat(text)
        except ValueError as exc:
            raise Unreadable(f"{value!r} is not a date and time") from exc
        return parse_date(when.astimezone(tz).replace(tzinfo=None))
    parts = _parts(text)
    if parts is not None:
        first, second, _ = parts
        if order.day_first is None and first <= 12 and second <= 12 and first != second:
            raise Unreadable(
                f"{value!r} could be read day first or month first, and the file has both: "
                f"{order.describe()}; write it as YYYY-MM-DD"
            )
        day_first = (order.day_first is None and first > 12) or (
            order.day_first is True and second <= 12
        )
        text = _as_month_first(text, *((second, first) if day_first else (first, second)))
    return parse_date(text, date1904)
