"""A CSV file as Excel and Google Sheets save it, read into rows (pure: bytes in, rows out).

Quoting is RFC 4180, always: fields are quoted with `"` and a `"` inside one is doubled. Only
the delimiter is guessed — `,`, or `;` (Excel in most of Europe), or a tab ("Unicode Text")
— or taken from Excel's `sep=;` first line. csv.Sniffer is not used: it also guesses the
quote character, and a few updates that quote a course name in single quotes (`'HIPAA 101'`)
make it take `'`, which splits every double-quoted field holding a comma.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import itertools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _csv import Reader as CsvReader
from dataclasses import dataclass, field

ENCODINGS = ("utf-8-sig", "cp1252")  # what Excel and Google Sheets save CSV as
DELIMITERS = (",", ";", "\t")
SAMPLE_ROWS = 50  # enough rows to tell the delimiter; a file may have thousands
_SEP_LINE = re.compile(r"sep=(.)\r?\n")
_LINE_END = re.compile(r"\r\n|\r|\n")


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


def _rows_end_in_cr(data: bytes) -> bool:
    """Whether every line end outside quotes is a CR alone (a line break typed in a cell,
    inside its quotes, is LF whatever the program)."""
    if b"\r" not in data:
        return False
    quoted = cr = False
    for i, byte in enumerate(data):
        if byte == 0x22:  # '"': `""` inside a field turns it off and on again
            quoted = not quoted
        elif quoted:
            continue
        elif byte == 0x0A:
            return False
        elif byte == 0x0D:
            if data[i + 1 : i + 2] == b"\n":
                return False
            cr = True
    return cr


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without its byte-order mark), UTF-16 with one, Mac
    Roman when its rows end in CR alone (Excel for Mac's "CSV (Macintosh)"), or
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
            if encoding == ENCODINGS[0] and _rows_end_in_cr(data):
                # Rows ended by CR alone: Excel for Mac's "CSV (Macintosh)", in Mac Roman
                # (no Windows program ends lines so; every byte is a Mac Roman character).
                return data.decode("mac_roman")
    raise CsvError("not a text CSV in UTF-8 or Windows-1252 (or UTF-16 with a byte-order mark).")


def _reader(text: str, delimiter: str) -> CsvReader:
    """The reader of the text's rows; its `line_num` counts the lines read so far."""
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


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True)
class CsvTable:
    """A CSV's rows, the delimiter that splits them, the line of the file each row starts
    on (`lines`; a `sep=` line counted), the line on which a quote opens that is never
    closed (None when every quote is: the last row's last field then holds the rest of the
    file), and the rows whose quote, opened on one line, a `"` typed as text closes on a
    later one (row index -> the lines it opens and closes on)."""

    rows: list[list[str]]
    delimiter: str
    unclosed: int | None = None
    lines: list[int] = field(default_factory=list)
    stray: dict[int, tuple[int, int, str]] = field(default_factory=dict)
    # The text of each line of the file (from line 1, a `sep=` line counted), the line each
    # row ends on, and each quote that opens on one line and closes on a later one.
    texts: list[str] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    # _Quotes.soft and .crlf (line numbers as `lines`).
    soft: frozenset[int] = frozenset()
    crlf: bool = False

    def inner(self, index: int) -> list[tuple[int, list[str]]]:
        """Each line of the row at `index` after its first (a field over several lines),
        with the fields it holds read as a row of its own: whether one is another row that
        a quote closed too late swallowed is for the caller, who knows the columns, to say
        (a date under the date header, an agent under the agent's)."""
        if index >= len(self.ends) or index >= len(self.lines):
            return []
        first, last = self.lines[index], self.ends[index]
        if self.crlf and all(n in self.soft for n in range(first, last)):
            return []  # a cell's own line breaks, in a file whose rows end otherwise
        # A line that starts by closing the quote opened on an earlier line (`",Maria…`,
        # `","Reyes, Jordan"`: a field that ended in a line break, then the next fields)
        # goes on with that row: read as a row of its own, its first field would be the
        # rest of the one it closes (`,Maria…`), which a loose match may take for a name.
        return [
            (n, next(_reader(text, self.delimiter), []))
            for n in range(first + 1, last + 1)
            if n - 1 < len(self.texts)
            and not (text := self.texts[n - 1]).startswith('"' + self.delimiter)
            and text != '"'
        ]

    def swallowed(self, index: int, line: int) -> str:
        """Why the row at `index` is not taken as written when its `line` (one of inner's)
        is a row of its own: a quote closed too late, by a `"` typed as text."""
        if index in self.stray:
            return self.misread(index, 0) or ""
        opened, closed = next(
            ((o, c) for o, c in self.spans if o < line <= c), (self.lines[index], line)
        )
        shown = _shortened(" ".join(self.texts[line - 1].split()))
        return (
            f'a quote (") opened on line {opened} is closed on line {closed}, so lines '
            f"{opened} to {closed} read as one row, though line {line} is a row of its own "
            f'({shown!r}): a " typed as text closed the quote; close it on line {opened} '
            '(or type that " as ""), or save the file again from Excel'
        )

    def line(self, index: int) -> int:
        """The line of the file (from 1) on which the row at `index` (from 0) starts."""
        return self.lines[index] if index < len(self.lines) else index + 1

    def misread(self, index: int, header: int) -> str | None:
        """Why the row at `index` cannot be taken as written under the header row at
        `header` (indexes from 0), or None. A row with more fields than its header has a
        delimiter typed inside a field that is not in quotes (`Called, no answer`): the
        text after it has no column, and the field before it is only part of what was
        typed. A row holding a quote never closed holds the rest of the file; one whose
        quote a `"` typed as text on a later line closes (`my 24" monitor`) holds the rows
        between. A row with fewer fields is read as it is: the missing ones are the empty
        ones at its end, which hand-made files and some programs leave out."""
        row = self.rows[index]
        if self.unclosed is not None and index == len(self.rows) - 1:
            return (
                f'a quote (") opened on line {self.unclosed} is never closed, so the rest '
                "of the file reads as one field of this row: close the quote, or save the "
                "file again from Excel"
            )
        if index in self.stray:
            opened, closed, shown = self.stray[index]
            return (
                f'a quote (") opened on line {opened} is closed on line {closed} by a " typed '
                f"as text ({shown!r}), so lines {opened} to {closed} read as one row: close "
                f'the quote on line {opened} (or type that " as ""), or save the file again '
                "from Excel"
            )
        width = len(self.rows[header])
        extra = [text for field in row[width:] if (text := field.strip())]
        if not extra:
            return None
        word = _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
        shown = ", ".join(repr(text) for text in extra[:3]) + (", …" if len(extra) > 3 else "")
        return (
            f"{len(row)} fields under a header of {width}: a {word} inside a field that is "
            f"not in quotes leaves {shown} in no column: put that field in double quotes "
            '("Called, no answer"), or save the file again from Excel'
        )


@dataclass(frozen=True)
class _Quotes:
    """Where the file's quotes go wrong, as the reader reads them: the line a quote never
    closed opens on, and each quote opened on one line and closed on a later one by a `"`
    followed by more text (the open line, the close line, that line's text)."""

    unclosed: int | None
    stray: list[tuple[int, int, str]]
    spans: list[tuple[int, int]]
    # The lines that end inside a quote with a lone LF, and whether every line that ends
    # outside one ends with CR LF: Excel for Windows ends its rows so and a line break
    # typed in a cell with a lone LF, which no row of the file can then be.
    soft: frozenset[int] = frozenset()
    crlf: bool = False


def _quotes(text: str, delimiter: str) -> _Quotes:
    """Scan the quotes as the reader takes them: a quote opens a field only at its start
    (spaces before it allowed), `""` inside is one quote, and a quote followed by anything
    but the delimiter or the line's end closes the field and leaves the rest as text."""
    line, start, opened = 1, True, None
    stray: list[tuple[int, int, str]] = []
    spans: list[tuple[int, int]] = []
    soft: set[int] = set()
    ends_crlf, ends_other = 0, 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if opened is not None and ch == "\n" and (i == 0 or text[i - 1] != "\r"):
            soft.add(line)
        elif opened is None and ch == "\n":
            if i and text[i - 1] == "\r":
                ends_crlf += 1
            else:
                ends_other += 1
        elif opened is None and ch == "\r" and not text.startswith("\r\n", i):
            ends_other += 1
        if opened is not None:
            if ch == '"':
                if text.startswith('""', i):
                    i += 1
                else:
                    after = text[i + 1] if i + 1 < n else ""
                    if after not in (delimiter, "\r", "\n", "") and opened != line:
                        begin = max(text.rfind("\n", 0, i), text.rfind("\r", 0, i)) + 1
                        end = min((j for j in (text.find("\r", i), text.find("\n", i)) if j >= 0),
                                  default=n)  # fmt: skip
                        stray.append((opened, line, _shortened(text[begin:end])))
                    if opened != line:
                        spans.append((opened, line))
                    opened, start = None, False
            elif ch == "\r" and not text.startswith("\r\n", i) or ch == "\n":
                line += 1
        elif ch == '"' and start:
            opened, start = line, False
        elif ch == delimiter:
            start = True
        elif ch in "\r\n":
            if ch == "\n" or not text.startswith("\r\n", i):
                line += 1
            start = True
        elif ch != " ":
            start = False
        i += 1
    return _Quotes(opened, stray, spans, frozenset(soft), ends_crlf > 0 and not ends_other)


def _shortened(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def unclosed_quote(text: str, delimiter: str) -> int | None:
    """The line (from 1) on which a quoted field opens that is never closed, as the reader
    reads it (a quote opens a field only at its start, spaces before it allowed; `""`
    inside is one quote), or None."""
    return _quotes(text, delimiter).unclosed


def read_csv(data: bytes) -> list[list[str]]:
    """The file's rows, each a list of its fields as text. Raises CsvError."""
    return read_table(data).rows


def read_csv_and_delimiter(data: bytes) -> tuple[list[list[str]], str]:
    """The file's rows and the delimiter that splits them (`;` is Excel's in most of
    Europe, where dates are written day first). Raises CsvError."""
    table = read_table(data)
    return table.rows, table.delimiter


def read_table(data: bytes) -> CsvTable:
    """The file's rows, its delimiter, the line each row starts on and where a quote goes
    wrong. Raises CsvError."""
    text = decode(data)
    sep = _SEP_LINE.match(text)
    if sep is not None:
        delimiter, text = sep.group(1), text[sep.end() :]
    else:
        delimiter = guess_delimiter(text)
    skipped = 1 if sep is not None else 0  # the file's lines, `sep=` counted
    rows: list[list[str]] = []
    lines: list[int] = []
    ends: list[int] = []
    try:
        reader = _reader(text, delimiter)
        before = 0
        for row in reader:
            rows.append(list(row))
            lines.append(before + 1 + skipped)
            before = reader.line_num
            ends.append(before + skipped)
    except csv.Error as exc:
        raise CsvError(f"not a readable CSV ({exc}).") from exc
    quotes = _quotes(text, delimiter)
    unclosed = quotes.unclosed + skipped if quotes.unclosed is not None else None
    stray: dict[int, tuple[int, int, str]] = {}
    for opened, closed, shown in quotes.stray:
        index = bisect.bisect_right(lines, opened + skipped) - 1
        stray.setdefault(max(index, 0), (opened + skipped, closed + skipped, shown))
    texts = [""] * skipped + _LINE_END.split(text)
    spans = [(o + skipped, c + skipped) for o, c in quotes.spans]
    soft = frozenset(n + skipped for n in quotes.soft)
    return CsvTable(rows, delimiter, unclosed, lines, stray, texts, ends, spans, soft, quotes.crlf)
