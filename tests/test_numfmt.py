"""Whole numbers as Excel shows them under the formats teams give ID columns."""

from __future__ import annotations

import pytest

from esp_cli.workbook.xlsx.numfmt import shown_integer, text_like
from esp_cli.workbook.xlsx.reader import _error_cells


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        (48290, "0000000", "0048290"),
        (42.0, "0000", "0042"),
        (42, '"E"0000', "E0042"),
        (42, "\\N000", "N042"),
        (12345678, "0000", "12345678"),  # more digits than places: all shown
        (5135550131, "[<=9999999]###-####;(###) ###-####", "(513) 555-0131"),
        (5550131, "[<=9999999]###-####;(###) ###-####", "555-0131"),
        (123456789, "000-00-0000", "123-45-6789"),
        (7, "00000-0000", "00000-0007"),
        (-5, "0000", "-0005"),
        (-5, "0000;(0000)", "(0005)"),
        (0, '0000;-0000;"none"', "none"),
        (41.5, "0000", "0042"),  # no decimal places: rounded half up, as Excel does
        (42, "[Red]0000", "0042"),
        (42, "[$€-407]0000", "€0042"),
    ],
)
def test_shown_as_excel_shows_it(value: float, code: str, shown: str) -> None:
    assert shown_integer(value, code) == shown
    assert text_like(code)


@pytest.mark.parametrize("code", ["0.00", "#,##0", "0%", "0.0E+00", "# ?/?", "mm/dd/yyyy", "@"])
def test_other_formats_are_not_rendered(code: str) -> None:
    assert shown_integer(48290, code) is None
    assert not text_like(code)


def test_plain_digit_formats_are_not_text_like() -> None:
    assert not text_like("0") and not text_like("#")


@pytest.mark.parametrize(
    "cell",
    [
        b"<c r='B2' s='1'><v>42</v></c>",
        b'<c s = "1" r = "B2"><v>42</v></c>',
        b'<c s="1"/><c s="1"><v>42</v></c>',
    ],
    ids=["single quotes", "spaces", "no reference"],
)
def test_formatted_cells_are_found_however_they_are_spelled(cell: bytes) -> None:
    xml = (
        b'<?xml version="1.0"?><worksheet><sheetData><row r="1" s="1" customFormat="1">'
        b'<c r="A1"><v>1</v></c></row><row r="2">' + cell + b"</row></sheetData></worksheet>"
    )
    found = _error_cells([xml[i : i + 40] for i in range(0, len(xml), 40)], None, {1: "0000"})
    assert found.formats.get((2, 2)) == "0000"
    assert (1, 1) not in found.formats  # the row's style is not its cells'
