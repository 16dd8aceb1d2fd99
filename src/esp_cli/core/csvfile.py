"""A CSV file as Excel and Google Sheets save it, read into rows (pure: bytes in, rows out).

Quoting is RFC 4180, always: fields are quoted with `"` and a `"` inside one is doubled. Only
the delimiter is guessed — `,`, or `;` (Excel in most of Europe), or a tab ("Unicode Text")
— or taken from Excel's `sep=;` first line. csv.Sniffer is not used: it also guesses the
quote character, and a few updates that quote a course name in single quotes (`'HIPAA 101'`)
make it take `'`, which splits every double-quoted field holding a comma.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator

ENCODINGS = ("utf-8-sig", "cp1252")  # what Excel and Google Sheets save CSV as
DELIMITERS = (",", ";", "\t")
SAMPLE_ROWS = 50  # enough rows to tell the delimiter; a file may have thousands
_SEP_LINE = re.compile(r"sep=(.)\r?\n")


class CsvError(ValueError):
    """A file that is not a CSV esp can read; the message says why (without the path)."""


class _Rfc4180(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = True  # `a, "b, c"` typed by hand: the field is `b, c`
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


def _mixed(data: bytes) -> str | None:
    """A UTF-8 file with lines of Windows-1252 in it (appended to by another program): each
    line in the one it is written in. None when no line is UTF-8 beyond ASCII (a
    Windows-1252 file: read whole as one) or a line is in neither. (A line of Windows-1252
    that happens to be valid UTF-8 — `Ã©` typed as such — is all this could misread.)"""
    lines: list[str] = []
    utf8 = False
    for line in data.splitlines(keepends=True):
        try:
            text = line.decode("utf-8-sig" if not lines else "utf-8")
            utf8 = utf8 or not text.isascii()
        except UnicodeDecodeError:
            try:
                text = line.decode("cp1252")
            except UnicodeDecodeError:
                return None
        lines.append(text)
    return "".join(lines) if utf8 else None


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without its byte-order mark), UTF-16 with one, or
    Windows-1252; a UTF-8 file with a line of Windows-1252 in it, each line as written.
    Raises CsvError for anything else (UTF-32, UTF-16 without a byte-order mark, a binary
    file), rather than read it as garbage."""
    encodings: tuple[str, ...] = ENCODINGS
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encodings = ()
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)  # Excel's "Unicode Text"
    elif b"\x00" in data:
        encodings = ()  # UTF-16 without its byte-order mark, or not text: cp1252 would take it
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            if encoding == ENCODINGS[0] and (text := _mixed(data)) is not None:
                return text
    raise CsvError("not a text CSV in UTF-8 or Windows-1252 (or UTF-16 with a byte-order mark).")


def _reader(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), _Rfc4180, delimiter=delimiter)


def guess_delimiter(text: str) -> str:
    """The delimiter that reads the file as a table. A header is plain words, so under the
    true delimiter the first row splits into two fields or more (it may not, when a title
    line comes first), and its first rows that do have as many fields as that header; under
    another, the header is one field and only rows whose text happens to hold it split.
    None splits anything: a comma."""
    best, best_score = ",", (False, 0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(itertools.islice(_reader(text, delimiter), SAMPLE_ROWS))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if any(f.strip() for f in r)]
        header = next((w for w in widths if w >= 2), 0)
        if not header:
            continue
        score = (widths[0] >= 2, sum(1 for w in widths if w == header), header)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes) -> list[list[str]]:
    """The file's rows, each a list of its fields as text. Raises CsvError."""
    return read_csv_and_delimiter(data)[0]


def read_csv_and_delimiter(data: bytes) -> tuple[list[list[str]], str]:
    """The file's rows and the delimiter that splits them (`;` is Excel's in most of
    Europe, where dates are written day first). Raises CsvError."""
    text = decode(data)
    sep = _SEP_LINE.match(text)
    if sep is not None:
        delimiter, text = sep.group(1), text[sep.end() :]
    else:
        delimiter = guess_delimiter(text)
    try:
        return [list(row) for row in _reader(text, delimiter)], delimiter
    except csv.Error as exc:
        raise CsvError(f"not a readable CSV ({exc}).") from exc
