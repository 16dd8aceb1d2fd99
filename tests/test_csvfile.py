"""The CSV reader (csvfile.py) against the table a person sees when Excel opens the file:
any delimiter Excel writes, RFC 4180 quoting (minimal or all), UTF-8 with or without its
byte-order mark, Windows-1252, UTF-16, CRLF or LF; and a self-report sheet read from it
gives back each row's name and update whatever order or Unicode form the name is in."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from esp_cli.core.csvfile import (
    CsvError,
    decode,
    guess_delimiter,
    read_csv,
    read_csv_and_delimiter,
    read_table,
)
from esp_cli.core.names import name_key
from esp_cli.core.reports import RowProblem
from esp_cli.mail.selfreports import find_layout, read_rows, reports_from_rows

HEADERS = ("Timestamp", "Agent Name", "Update", "Blockers", "TBTs Completed", "Class")
# Text as agents type it: quotes of both kinds, every delimiter, line breaks, accents,
# Windows-1252's curly quotes and dashes, and letters it cannot encode.
FIELD = st.text(st.sampled_from("ab Z19,;\t\"'\n’—éñ€ễ"), max_size=12)
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")


def to_csv(rows: list[list[str]], delimiter: str, quoting: int, newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows(rows)
    return out.getvalue()


def encoded(text: str, encoding: str) -> bytes:
    """The file's bytes, or nothing to test when the text cannot be saved that way (or a
    line of Windows-1252 bytes would also be valid UTF-8, which no reader could tell
    apart)."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    if encoding == "cp1252":
        for line in data.splitlines():
            try:
                assume(line.isascii() or not line.decode("utf-8"))
            except UnicodeDecodeError:
                pass
    return data


def seen(rows: list[list[str]]) -> list[list[str]]:
    """What a person sees: spaces around a field are not seen."""
    return [[f.strip(" ") for f in r] for r in rows]


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    width = draw(st.integers(2, len(HEADERS)))
    header = list(draw(st.permutations(HEADERS))[:width])
    body = draw(st.lists(st.lists(FIELD, min_size=width, max_size=width), max_size=8))
    return [header, *body]


@given(
    tables(),
    st.sampled_from(",;\t"),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    st.sampled_from(["\r\n", "\n"]),
    st.sampled_from(ENCODINGS),
)
def test_a_csv_reads_as_the_table_that_was_saved(
    table: list[list[str]], delimiter: str, quoting: int, newline: str, encoding: str
) -> None:
    text = to_csv(table, delimiter, quoting, newline)
    data = encoded(text, encoding)
    assert guess_delimiter(decode(data)) == delimiter
    got = [r for r in read_csv(data) if r != []]
    assert seen(got) == seen([r for r in table if r != []])
    # No row of a file a program wrote is refused, and each is numbered by its line.
    read = read_table(data)
    assert [read.misread(i, 0) for i in range(len(read.rows))] == [None] * len(read.rows)
    starts = [
        to_csv(table[:i], delimiter, quoting, newline).count("\n") + 1 for i in range(len(table))
    ]
    assert [read.line(i) for i in range(len(read.rows))] == starts[: len(read.rows)]


@st.composite
def person(draw: st.DrawFn) -> tuple[str, str]:
    word = st.text("abcdefghijklmnopqrstuvwxyzéñøü", min_size=1, max_size=8)
    return draw(word).capitalize(), draw(word).capitalize()


@given(
    st.lists(st.tuples(person(), FIELD), min_size=1, max_size=6),
    st.data(),
    st.sampled_from(",;\t"),
    st.sampled_from(ENCODINGS),
)
def test_a_self_report_csv_gives_each_name_and_update(
    reports: list[tuple[tuple[str, str], str]], data: st.DataObject, delimiter: str, encoding: str
) -> None:
    rows = [["Timestamp", "Agent Name", "Update"]]
    for (first, last), update in reports:
        order = data.draw(st.sampled_from(["{f} {l}", "{l}, {f}", "{l} {f}"]))
        form = data.draw(st.sampled_from(["NFC", "NFD"]))
        name = unicodedata.normalize(form, order.format(f=first, l=last))
        rows.append(["11/24/2026 17:05", name, update])
    text = to_csv(rows, delimiter, csv.QUOTE_MINIMAL, "\r\n")
    got, problems = reports_from_rows(
        list(map(list, read_csv(encoded(text, encoding)))), "r.csv", ("agent name",)
    )
    assert problems == []
    assert [(name_key(r.name), r.text) for r in got] == [
        (name_key(f"{first} {last}"), " ".join(update.split())) for (first, last), update in reports
    ]


def test_excels_sep_line_names_the_delimiter() -> None:
    assert read_csv(b"sep=;\r\na;b,c\r\n1;2,3\r\n") == [["a", "b,c"], ["1", "2,3"]]


def test_a_hand_typed_space_after_the_delimiter_does_not_break_quoting() -> None:
    assert read_csv(b'agent, note\r\nSam Lee, "Called, no answer"\r\n')[1] == [
        "Sam Lee",
        "Called, no answer",
    ]


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00\x00a\x00\x00\x00", b"a\x00,\x00b\x00", b"\x81\x8d\x90,\x9d"],
    ids=["utf-32", "utf-16 without BOM", "not cp1252"],
)
def test_text_in_another_encoding_is_refused(data: bytes) -> None:
    with pytest.raises(CsvError, match="UTF-8 or Windows-1252"):
        read_csv(data)


def test_a_utf8_file_with_one_windows_1252_line_keeps_its_utf8_lines() -> None:
    """A file two programs appended to: the UTF-8 rows as written, the one row of
    Windows-1252 in it read as Windows-1252."""
    data = (
        "Timestamp,Agent Name,Update\r\n11/24/2026,Zachary Holt,I won’t finish – café module\r\n"
    ).encode() + b"11/24/2026,Sam Lee,Module 3 \x96 done\r\n"
    assert read_csv(data)[1:] == [
        ["11/24/2026", "Zachary Holt", "I won’t finish – café module"],
        ["11/24/2026", "Sam Lee", "Module 3 – done"],
    ]


def test_one_utf8_line_among_windows_1252_ones_keeps_its_characters() -> None:
    """A note file of one UTF-8 line (café) and one of Windows-1252 (curly quotes): each line
    as written, though the Windows-1252 line has more characters beyond ASCII."""
    data = b"agent,note\r\nTyrone Jackson,caf\xc3\xa9\r\nKayla Brooks,\x93quoted\x94 \x96 ok\r\n"
    rows, _ = read_csv_and_delimiter(data)
    assert rows[1] == ["Tyrone Jackson", "café"]
    assert rows[2] == ["Kayla Brooks", "\u201cquoted\u201d \u2013 ok"]
    # A file all in Windows-1252 is read whole as that.
    rows, _ = read_csv_and_delimiter(b"agent,note\r\nAna,caf\xe9\r\n")
    assert rows[1] == ["Ana", "café"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('a,b\r\n1,"x\r\n2,y\r\n', 2),
        ('a,b\r\n1,"x ""q"" y",2\r\n3, "z\n4,5\n', 3),
        ('a,b\r\n1,x "y" z\r\n2,"y"\r\n', None),  # a quote inside a field is text
        ('a,b\r\n1,"two\r\nlines"\r\n2,y\r\n', None),
        ('a;b\r\n1;"x\r\n', 2),
    ],
)
def test_a_quote_never_closed_is_found_on_its_line(text: str, line: int | None) -> None:
    assert read_table(text.encode()).unclosed == line


def test_the_line_of_a_quote_never_closed_counts_excel_s_sep_line() -> None:
    assert read_table(b'sep=,\r\na,b\r\n1,"x\r\n').unclosed == 3


def test_a_row_longer_than_its_header_is_misread_and_a_shorter_one_is_not() -> None:
    table = read_table(b"agent,note,by\r\nSam,Called, no answer,Jo\r\nAna,Done\r\nBo,x,y,,\r\n")
    why = table.misread(1, 0)
    assert why is not None and why.startswith("4 fields under a header of 3: a comma")
    assert "'Jo'" in why
    assert table.misread(2, 0) is None  # the missing fields are the empty ones at its end
    assert table.misread(3, 0) is None  # empty fields past the header hold nothing


def test_a_quote_closed_rows_later_by_an_inch_mark_is_misread_naming_its_line() -> None:
    """A quote left open on line 2 and 'closed' by the `"` of `24" monitor` on line 3: the
    two rows read as one, so that row is misread, naming the line the quote opens on."""
    table = read_table(
        b'Timestamp,Agent Name,Update\r\n11/24/2026,Erin Walsh,"Billing was slow\r\n'
        b'11/24/2026,Zachary Holt,my 24" monitor broke\r\n11/24/2026,Farah Siddiqui,Did 5\r\n'
    )
    assert len(table.rows) == 3
    why = table.misread(1, 0)
    assert why is not None and why.startswith('a quote (") opened on line 2 is closed on line 3')
    assert "lines 2 to 3 read as one row" in why and 'my 24" monitor broke' in why
    assert table.misread(2, 0) is None
    assert table.unclosed is None


@pytest.mark.parametrize(
    "text",
    [
        'a,b\r\n1,"Did 3" of 8\r\n',  # one line: the quote is text, as before
        'a,b\r\n1,"two\r\nlines"\r\n2,y\r\n',  # a field over two lines, closed at its end
        'a,b,c\r\n1,"two\r\nlines",z\r\n',
        'a,b\r\n1,"two ""24"" \r\nlines"\r\n',
    ],
)
def test_a_quote_closed_as_excel_closes_it_is_not_misread(text: str) -> None:
    table = read_table(text.encode())
    assert [table.misread(i, 0) for i in range(1, len(table.rows))] == [None] * (
        len(table.rows) - 1
    )


def test_each_row_is_numbered_by_the_line_of_the_file_it_starts_on() -> None:
    """After a `sep=` line and a note over two lines, a row's line is the file's."""
    table = read_table(b'sep=,\r\na,b\r\n1,"two\r\nlines"\r\n2,y\r\n\r\n3,z\r\n')
    assert [table.line(i) for i in range(len(table.rows))] == [2, 3, 5, 6, 7][: len(table.rows)]


def test_excel_for_mac_s_csv_macintosh_is_read_as_mac_roman() -> None:
    """Excel for Mac's "CSV (Macintosh)": Mac Roman, lines ended by CR alone (which no
    Windows program writes): curly quotes, dashes, accents and ellipses as typed."""
    rows = [
        "Timestamp,Agent Name,Update",
        "11/24/2026 17:40,Erin Walsh,Didn’t finish – café module",
        "11/24/2026 17:41,Zachary Holt,Done “all” • 3 of 8…",
    ]
    data = ("\r".join(rows) + "\r").encode("mac_roman")
    assert [",".join(r) for r in read_csv(data)] == rows
    # Windows-1252 with CRLF, and a UTF-8 file with CR alone, are read as before.
    assert read_csv("a,b\r\nÓscar,caf\u00e9\r\n".encode("cp1252"))[1] == ["Óscar", "café"]
    assert read_csv("a,b\rÓscar,caf\u00e9\r".encode())[1] == ["Óscar", "café"]


@pytest.mark.parametrize(
    "text",
    [
        # the inch mark ends the line
        'a,b,c\r\n1,x,"slow\r\n2,y,my monitor is 24"\r\n3,z,Did 5\r\n',
        # the inch mark before a comma
        'a,b,c,d\r\n1,x,"slow,none\r\n2,y,Did 2,monitor 24",ok\r\n3,z,Did 5,\r\n',
    ],
)
def test_the_lines_of_a_row_spanning_lines_are_given_with_their_fields(text: str) -> None:
    """What a caller needs to tell a field over two lines from one that swallowed the next
    row: each later line of the row, split as a row of its own."""
    table = read_table(text.encode())
    assert len(table.rows) == 3
    (inner,) = table.inner(1)
    assert inner[0] == 3 and inner[1][:2] == ["2", "y"]
    assert table.inner(2) == []
    assert table.swallowed(1, 3).startswith('a quote (") opened on line 2 is closed on line 3')


ANSWER = st.lists(
    st.sampled_from(["Did 3", ",", "\n", "\r\n", "11/24/2026", " 9:00", "Sam Lee", '24"', "ok"]),
    max_size=10,
).map("".join)


@given(st.lists(st.tuples(ANSWER, ANSWER), min_size=1, max_size=5), st.sampled_from(",;\t"))
# An answer that is a line break alone, then one holding a date and a comma: the line
# between them (`","11/24/2026,Did 3"`) holds a date only after a quote and a comma.
@example(answers=[("\r\n", "11/24/2026,Did 3")], delimiter=",")
@example(answers=[("ok\n", "11/24/2026;Sam Lee")], delimiter=";")
def test_no_answer_over_several_lines_is_refused(
    answers: list[tuple[str, str]], delimiter: str
) -> None:
    """A CSV a program wrote, its answers over several lines holding dates, names, inch
    marks and delimiters: no report is refused unless a line of an answer is a row of its
    own (a date, then a name: its empty last fields left out or not), which only a quote
    closed too late gives in a file a program wrote."""
    header = ["Timestamp", "Agent Name", "Update", "Blockers"]
    rows = [header, *(["11/24/2026 17:05", "Erin Walsh", u, b] for u, b in answers)]
    text = to_csv(rows, delimiter, csv.QUOTE_MINIMAL, "\r\n")
    # Each line of the file that starts no report, as the file has it: an answer's last
    # line goes on with the fields after it ('11/24/2026,' then '",Did 3' is a date, then
    # text: a row of its own).
    for line in re.split(r"\r\n|\n|\r", text)[1:]:
        if not line.startswith("11/24/2026 17:05"):
            date, *rest = line.replace(delimiter, ",").split(",")
            assume(not ("/" in date and rest and any(ch.isalpha() for ch in "".join(rest))))
    table = read_table(text.encode())
    layout = find_layout(table.rows, "r.csv", ("agent name",))
    assert not isinstance(layout, RowProblem)
    got, _ = read_rows(table.rows, layout, "r.csv", csv=table)
    assert [r.refused for r in got] == [""] * len(answers)


def test_a_csv_macintosh_with_a_line_break_in_a_cell_is_still_mac_roman() -> None:
    """Rows end in CR; a line break typed in a cell is LF, inside its quotes."""
    rows = [
        "Timestamp,Agent Name,Update",
        "11/24/2026 17:40,Erin Walsh,Didn’t finish – café module",
        '11/24/2026 17:41,Zachary Holt,"Done “all” • 3 of 8…\nBlocker: can’t log in"',
    ]
    data = ("\r".join(rows) + "\r").encode("mac_roman")
    got = read_csv(data)
    assert got[1][2] == "Didn’t finish – café module"
    assert got[2][2] == "Done “all” • 3 of 8…\nBlocker: can’t log in"
    # Rows ended by LF with a CR typed in a cell: not a Mac file.
    assert read_csv('a,b\n"x\ry",caf\u00e9\n'.encode("cp1252"))[1] == ["x\ry", "café"]
