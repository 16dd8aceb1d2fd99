"""Understanding cell values as the team types them (pure: no I/O).

Each parser returns the value or raises `Unreadable` with a short reason; the tracker
layer turns that into a finding with the cell's address and goes on with the rest.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

# Names are cell values too: the one matcher for them lives in names.py (re-exported here,
# where the readers of the tracker and the Master look for it).
from esp_cli.core.names import display_name as display_name
from esp_cli.core.names import name_key as name_key

_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_EPOCH_1904 = date(1904, 1, 1)
_MIN_YEAR, _MAX_YEAR = 1990, 2100  # a tracker date outside this is a typo, not a date

_YES = {"yes", "y", "true", "x", "complete", "completed", "done", "1", "✓", "✔", "yes!"}
_NO = {"no", "n", "false", "0", "incomplete", "not complete", "pending", "-", "in progress"}

_TEXT_DATE_FORMATS = (
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y-%m-%d",
    "%m-%d-%Y",
    "%m-%d-%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%m.%d.%Y",
    "%Y/%m/%d",
    "%a %m/%d/%Y",
    "%A %m/%d/%Y",
    "%a, %b %d, %Y",
)
_TEXT_DATETIME_FORMATS = (
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M%p",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%y %H:%M",
    "%m/%d/%y %I:%M %p",
)


# dateutil reads what the formats above miss (`11/23/2026 3:00:00 PM`, `23-Nov-2026`,
# `Nov. 23, 2026`), and its reading is kept only when the text alone decides it: the same
# under two defaults that differ in day, month and year, so `Monday`, `Nov 2026` or `8 hours`
# (which dateutil completes from its default) stay unreadable. US order: month first.
_LOOSE_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
# A date has numbers (its day and year) and a separator or a month name: not `TBD`, `1 2 3`.
_DIGIT = re.compile(r"\d")
_DATE_SHAPE = re.compile(r"[/.,-]|[A-Za-z]{3}")
# Numbers in month-day-year (or year-month-day) order: dateutil swaps day and month when the
# month would be over 12 (`13/01/2026`); a US tracker's 13th month is a typo, not a day.
_NUMERIC_MDY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")
_NUMERIC_YMD = re.compile(r"\b\d{4}[/.-](\d{1,2})[/.-](\d{1,2})\b")


# The formats that match digits and separators only (no month or day name, no AM/PM, no
# letter such as the T of 2026-11-23T09:00): text with a letter in it is none of them.
_NUMBERS_ONLY = frozenset(
    f
    for f in (*_TEXT_DATE_FORMATS, *_TEXT_DATETIME_FORMATS)
    if not re.search(r"%[aAbBp]", f) and not re.search(r"[^\W\d_]", re.sub(r"%.", "", f))
)
_LETTER = re.compile(r"[^\W\d_]")
# The shapes of _TEXT_DATE_FORMATS' first three, ASCII digits only (%m and %d take one or two).
_QUICK_DATE = re.compile(
    r"([0-9]{1,2})/([0-9]{1,2})/(?:([0-9]{4})|([0-9]{2}))|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
)
# The shape of `%b %d, %Y` (Nov 23, 2026), the first format a text with a letter is tried
# with, and %b's month abbreviations in any case, as strptime reads them in the C locale
# (Python never sets LC_TIME: esp runs in it).
_QUICK_WORDED = re.compile(r"([A-Za-z]{3}) ([0-9]{1,2}), ([0-9]{4})")
_MONTH_ABBREVIATIONS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


class Unreadable(ValueError):
    """A value that cannot be understood; the message says what was expected."""


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error value such as #N/A, kept distinct from text."""

    code: str

    def __str__(self) -> str:
        return self.code


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Excel's error values: what a formula that failed shows (and a CSV saved from it holds).
ERROR_CODES = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)  # fmt: skip
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
# A mark ticking a row off (a "Done?" column): no words of a note.
TICKS = frozenset({"✓", "✔", "☑", "✅", "✗", "✘", "☒", "❌", "x", "y", "n", "yes", "no"})


def typed_text(value: Any) -> bool:
    """Whether a cell's value is words a person typed: not blank, not a whole number (a row
    number, a count), not TRUE/FALSE, not an Excel error value (`#N/A`: a formula that
    failed)."""
    if is_blank(value) or isinstance(value, ErrorValue | bool):
        return False
    if isinstance(value, int | float):
        return not float(value).is_integer()
    if isinstance(value, str):
        text = value.strip()
        return not (_WHOLE_NUMBER.fullmatch(text) or text.upper() in ERROR_CODES)
    return True


def is_tick(value: Any) -> bool:
    """Whether a cell's value only ticks its row off: TRUE/FALSE (a checkbox), ✓, x, Yes…"""
    return isinstance(value, bool) or (isinstance(value, str) and value.strip().casefold() in TICKS)


def shown_value(value: Any) -> str:
    """A cell's value as a message shows it: text in quotes, a number, date or time as a
    person reads it (`-5`, `NaN`, `12/30/1899 00:00`, `00:00 (a time)`), never a repr."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return f"{_day(value)} {value:%H:%M}"
    if isinstance(value, date):
        return _day(value)
    if isinstance(value, time):
        return f"{value:%H:%M} (a time)"
    if isinstance(value, timedelta):
        minutes = round(value.total_seconds() / 60)
        sign = "-" if minutes < 0 else ""
        return f"{sign}{abs(minutes) // 60}:{abs(minutes) % 60:02d} (a duration)"
    return str(value)


def _day(d: date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


def _check_year(d: date, raw: Any) -> date:
    if not _MIN_YEAR <= d.year <= _MAX_YEAR:
        raise Unreadable(f"{shown_value(raw)} is not a plausible date (year {d.year})")
    return d


def serial_to_datetime(serial: float, date1904: bool = False) -> datetime:
    if not 0 <= serial <= 2958465:  # 9999-12-31; NaN too, which a non-Excel program may write
        raise Unreadable(f"{shown_value(serial)} is not an Excel date serial")
    epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH
    days = int(serial)
    frac = serial - days
    if not date1904 and days < 60:
        # Excel counts 02/29/1900, a day that never was: before it, serials count from
        # 12/31/1899 (serial 60 itself is read as 02/28/1900, as calamine reads it).
        days += 1
    base = datetime(epoch.year, epoch.month, epoch.day) + timedelta(days=days)
    return base + timedelta(seconds=round(frac * 86400))


def parse_date(value: Any, date1904: bool = False) -> date | None:
    """A date from anything the team types: real dates, date-times, serials, text dates."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise Unreadable(f"{shown_value(value)} is not a date")
    if isinstance(value, datetime):
        return _check_year(value.date(), value)
    if isinstance(value, date):
        return _check_year(value, value)
    if isinstance(value, (int, float)):
        return _check_year(serial_to_datetime(float(value), date1904).date(), value)
    if isinstance(value, str):
        text = " ".join(value.strip().split())
        found = _text_date(text, value, date1904)
        if found is None:
            loose = _loose_datetime(text)
            if loose is None:
                raise Unreadable(f"{value!r} is not a date (expected e.g. 11/23/2026)")
            found = loose.date()
        return found
    raise Unreadable(f"{shown_value(value)} is not a date")


def _text_date(text: str, raw: Any, date1904: bool) -> date | None:
    """A serial typed as text, or a text date in one of the formats the team uses."""
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _check_year(serial_to_datetime(float(text), date1904).date(), raw)
    quick = _quick_date(text)
    if quick is not None and _MIN_YEAR <= quick.year <= _MAX_YEAR:
        return quick  # else the formats and dateutil say it, as for any other text
    worded = _LETTER.search(text) is not None
    for fmt in _TEXT_DATE_FORMATS:
        if worded and fmt in _NUMBERS_ONLY:
            continue  # `Nov 23, 2026` is none of 11/23/2026, 2026-11-23...
        try:
            return _check_year(datetime.strptime(text, fmt).date(), raw)
        except ValueError:
            continue
    for fmt in _TEXT_DATETIME_FORMATS:
        if ":" not in text:
            break  # each of them has a time: HH:MM
        try:
            return _check_year(datetime.strptime(text, fmt).date(), raw)
        except ValueError:
            continue
    return None


def _quick_date(text: str) -> date | None:
    """The text dates typed most (11/23/2026, 11/23/26, 2026-11-23, Nov 23, 2026) read
    without strptime (whose first use loads and compiles its tables), as its first matching
    format reads them; None leaves the text to the formats."""
    m = _QUICK_DATE.fullmatch(text)
    if m is None:
        return _quick_worded(text)
    month, day, year, short, iso_year, iso_month, iso_day = m.groups()
    try:
        if iso_year is not None:
            return date(int(iso_year), int(iso_month), int(iso_day))
        if year is not None:
            return date(int(year), int(month), int(day))
        yy = int(short)
        return date(yy + (2000 if yy < 69 else 1900), int(month), int(day))  # as %y reads it
    except ValueError:
        return None  # no such day: the formats say so


def _quick_worded(text: str) -> date | None:
    """`Nov 23, 2026` as `%b %d, %Y` reads it; None leaves the text to the formats."""
    m = _QUICK_WORDED.fullmatch(text)
    if m is None:
        return None
    name, day, year = m.groups()
    month = _MONTH_ABBREVIATIONS.get(name.lower())
    if month is None:
        return None
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None  # no such day (Feb 30, day 0): the formats say so


def _loose_datetime(text: str) -> datetime | None:
    """dateutil's reading of a text date the formats missed, or None unless it is certain:
    the same under both defaults (the text gives day, month and year), a plausible year."""
    if not (_DIGIT.search(text) and _DATE_SHAPE.search(text)):
        return None
    from dateutil import parser  # here: only text the formats missed pays for the import

    try:
        first, second = (
            parser.parse(text, default=default, dayfirst=False, yearfirst=False, ignoretz=True)
            for default in _LOOSE_DEFAULTS
        )
    except (ValueError, OverflowError):
        return None
    if first != second or not _MIN_YEAR <= first.year <= _MAX_YEAR:
        return None
    numeric = _NUMERIC_MDY.search(text) or _NUMERIC_YMD.search(text)
    if numeric and (first.month, first.day) != tuple(map(int, numeric.groups())):
        return None
    found: datetime = first
    return found


def parse_datetime(value: Any, date1904: bool = False) -> datetime | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        _check_year(value.date(), value)
        return value
    if isinstance(value, date):
        _check_year(value, value)
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise Unreadable(f"{shown_value(value)} is not a date and time")
    if isinstance(value, (int, float)):
        dt = serial_to_datetime(float(value), date1904)
        _check_year(dt.date(), value)
        return dt
    if isinstance(value, str):
        text = " ".join(value.strip().split())
        for fmt in _TEXT_DATETIME_FORMATS:
            if ":" not in text:
                break  # each of them has a time: HH:MM
            try:
                dt = datetime.strptime(text.upper() if "%p" in fmt else text, fmt)
                _check_year(dt.date(), value)
                return dt
            except ValueError:
                continue
        d = _text_date(text, text, date1904)
        if d is not None:
            return datetime(d.year, d.month, d.day)
        loose = _loose_datetime(text)  # keeps the time: `11/23/2026 3:00:00 PM`
        if loose is None:
            raise Unreadable(f"{text!r} is not a date (expected e.g. 11/23/2026)")
        return loose
    raise Unreadable(f"{shown_value(value)} is not a date and time")


def parse_yes_no(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value)
        raise Unreadable(f"{shown_value(value)} is not Yes or No")
    text = str(value).strip().lower().rstrip(".")
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise Unreadable(f"{shown_value(value)} is not Yes or No")


def as_checkbox(value: Any) -> Any:
    """What a TRUE/FALSE cell (an Excel 365 checkbox among them) is given for `value`: Yes/No
    text as TRUE/FALSE (text would turn the checkbox into a text cell); anything else as it
    is."""
    if not isinstance(value, str):
        return value
    try:
        flag = parse_yes_no(value)
    except Unreadable:
        return value
    return value if flag is None else flag


def parse_number(value: Any) -> float | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise Unreadable(f"{shown_value(value)} is not a number")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):  # <v>NaN</v>, <v>1e400</v>: no program means a number so
            raise Unreadable(f"{shown_value(value)} is not a number")
        return float(value)
    if isinstance(value, time):
        return value.hour + value.minute / 60 + value.second / 3600
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    text = str(value).strip().lower().replace(",", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|hour|hours)?", text)
    if m:
        return float(m.group(1))
    m = re.fullmatch(r"(\d+):(\d{2})", text)
    if m:
        return int(m.group(1)) + int(m.group(2)) / 60
    raise Unreadable(f"{shown_value(value)} is not a number")


def text_of(value: Any) -> str:
    """Text as the cell shows it: numbers typed as IDs lose their '.0', spaces are trimmed;
    a number that is none (`<v>NaN</v>`) reads as every message shows it (shown_value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and not math.isfinite(value):
        return shown_value(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def id_key(raw: str) -> str:
    """An ID as compared: without its spaces (any Unicode space), in capitals."""
    return "".join(raw.split()).upper()


def email_key(raw: str) -> str:
    text = raw.strip().lower()
    if text.startswith("mailto:"):
        text = text[7:]
    return text


def us_phone(text: str) -> str:
    """A US phone number in one format: '513.555.0131', '+1 (513) 555-0131' and
    '5135550131' are all '(513) 555-0131'. Ten digits, an optional leading 1 (+1), any
    punctuation; area code and exchange as the North American plan allows (not 0 or 1 first).
    Raises Unreadable otherwise."""
    if re.search(r"[^\W\d_]", text):  # a letter: an extension or a typo, not a number to call
        raise Unreadable(f"{text!r} is not a phone number (only digits and punctuation)")
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise Unreadable(f"{text!r} is not a 10-digit US phone number")
    if digits[0] in "01" or digits[3] in "01":
        raise Unreadable(f"{text!r} is not a US phone number (area code or exchange starts 0/1)")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


# Characters a cell cannot show: the C0 controls but tab, line feed and carriage return (NUL
# from a UTF-16 file read as bytes, an escape code pasted from a terminal), the C1 controls
# U+0080-U+009F (Windows-1252's quotes and dashes read as Latin-1; U+009B starts a terminal's
# codes as ESC [ does), and the two Unicode non-characters. Excel stores the C0 ones escaped
# (_x0000_) and shows them as garbage; none of them shows as anything a person can read.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x9f\ufffe\uffff]")


def control_characters(text: str) -> list[str]:
    """The characters of `text` a cell cannot show, each once, in order."""
    if _CONTROL.search(text) is None:
        return []
    return list(dict.fromkeys(_CONTROL.findall(text)))


def without_control_characters(text: str) -> str:
    return _CONTROL.sub("", text)


# What a character no cell, CSV reader or terminal can show becomes in esp's output: the
# replacement character, a visible mark where it was (Excel would show _x0001_).
REPLACEMENT = "\ufffd"


def shown_text(text: str) -> str:
    """`text` with each character a cell cannot show as U+FFFD (REPLACEMENT)."""
    if text.isprintable():  # nearly every text: the quick way
        return text
    return _CONTROL.sub(REPLACEMENT, text)


def describe_character(ch: str) -> str:
    """'U+0000 (NUL)': a character named as a person can look it up."""
    names = {0: "NUL", 7: "BEL", 8: "backspace", 9: "tab", 0xA: "line feed",
             0xB: "vertical tab", 0xC: "form feed", 0xD: "carriage return", 0x1B: "escape",
             0x85: "next line", 0x9B: "CSI", 0x2028: "line separator",
             0x2029: "paragraph separator", 0xAD: "soft hyphen", 0x200B: "zero-width space",
             0x200C: "zero-width non-joiner", 0x200D: "zero-width joiner",
             0x200E: "left-to-right mark", 0x200F: "right-to-left mark", 0x2060: "word joiner",
             0xFEFF: "byte order mark"}  # fmt: skip
    name = names.get(ord(ch))
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


# -- a value in a conflict -------------------------------------------------------------------


def conflict_text(value: Any) -> str:
    """A value as one line of a conflict: a date as MM/DD/YYYY, lines joined by ' / '."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    return " / ".join(str(value).splitlines())


CONFLICT_SHOWN = 60  # characters of a value shown in a conflict


def conflict_shown(value: Any, start: int = 0) -> str:
    """A value as a conflict shows it: quoted, cut to CONFLICT_SHOWN characters from
    `start` (with "..." where it is cut)."""
    text = conflict_text(value)
    if not text:
        return "(empty)"
    if isinstance(value, (date, datetime)):
        return text
    space = text.find(" ", start, start + 12) if start else -1
    start = space + 1 if space >= 0 else start  # from the start of a word
    head = "..." if start > 0 else ""
    part = text[start:]
    return repr(
        head + (part if len(part) <= CONFLICT_SHOWN else part[: CONFLICT_SHOWN - 3] + "...")
    )


def conflict_difference(wrote: Any, now: Any) -> tuple[str, str]:
    """The two values as a conflict shows them, where they differ: a text with a line
    added after esp's shows what was added; two texts alike for their first characters
    are shown from just before the first difference."""
    a, b = conflict_text(wrote), conflict_text(now)
    if isinstance(wrote, str) and isinstance(now, str) and a and b != a:
        if b.startswith(a):
            return conflict_shown(
                wrote, max(0, len(a) - 30)
            ), "the same followed by " + conflict_shown(b[len(a) :])
        if b and a.startswith(b):
            return conflict_shown(
                wrote, max(0, len(b) - 30)
            ), "only its start, without " + conflict_shown(a[len(b) :])
        common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)
        if common > 30:
            return conflict_shown(wrote, common - 10), conflict_shown(now, common - 10)
    return conflict_shown(wrote), conflict_shown(now)
