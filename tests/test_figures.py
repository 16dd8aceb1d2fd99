"""Rounded figures for people: half away from zero on the exact value, as Excel shows them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.calendar import BusinessCalendar
from esp_cli.core.figures import hours_against_limit, percent, percent_text, rounded
from esp_cli.core.rules import AgentFacts, explain
from tests import factories


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(9, 16, "56.3%"), (1, 16, "6.3%"), (3, 16, "18.8%"), (5, 16, "31.3%"),
     (13, 16, "81.3%"), (1, 3, "33.3%"), (2, 3, "66.7%"), (1, 2, "50%"), (0, 4, "0%"),
     (4, 4, "100%"), (0, 0, "—"), (1999, 2000, "99.9%"), (1, 2001, "0.1%"),
     (19999, 20000, "99.9%"), (1, 20000, "0.1%")],
)  # fmt: skip
def test_a_percentage_is_shown_as_excel_shows_it(part: int, whole: int, shown: str) -> None:
    assert percent_text(part, whole) == shown


@given(st.integers(0, 10_000), st.integers(1, 10_000), st.integers(0, 6))
def test_rounding_is_half_up_on_the_exact_fraction(part: int, whole: int, places: int) -> None:
    # An independent reference: decimal arithmetic on the exact quotient, precise enough.
    exact = Decimal(100 * part) / Decimal(whole)
    expected = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if exact.as_tuple().exponent >= -20:  # the quotient is exact in Decimal's 28 digits
        if expected == 100 and part != whole:  # never 100% (or 0%) unless it is
            expected = 100 - Decimal(1).scaleb(-places)
        elif expected == 0 and part:
            expected = Decimal(1).scaleb(-places)
        assert percent(part, whole, places) == expected
    assert rounded(Fraction(-part, whole), places) == -rounded(Fraction(part, whole), places)


def test_a_float_is_rounded_as_the_decimal_it_prints() -> None:
    assert rounded(0.5625 * 100, 1) == Decimal("56.3") and rounded(2.675, 2) == Decimal("2.68")


def test_hours_over_the_call_cert_timebox_round_half_up() -> None:
    facts = AgentFacts(esp_start=date(2026, 11, 23), call_cert_start=datetime(2026, 11, 24, 9))
    lines = explain(facts, date(2026, 11, 24), datetime(2026, 11, 24, 13, 15), BusinessCalendar())
    assert any("4.3 h by" in line for line in lines), lines


@pytest.mark.parametrize(
    ("hours", "shown"),
    [(Fraction(121, 30), "4.1"), (Fraction(4), "4.0"), (Fraction(239, 60), "3.9"),
     (Fraction(17, 4), "4.3"), (Fraction(241, 60), "4.1"), (Fraction(41, 10), "4.1"),
     (Fraction(2264, 60), "37.7"), (Fraction(59, 20), "3.0"), (Fraction(1, 60), "0.0")],
)  # fmt: skip
def test_hours_never_read_as_at_the_limit(hours: Fraction, shown: str) -> None:
    """4 h 02 min over a 4-hour limit reads 4.1 h, never 4.0 h; 3 h 59 min within it 3.9 h;
    away from the limit, hours are rounded as Excel rounds (37 h 44 min: 37.7 h)."""
    assert hours_against_limit(hours, Fraction(4)) == shown


def _sixteen(tmp_path: Path) -> Path:
    """16 agents, 9 of them complete."""
    rows = [
        {"Class": "K", "Agent Name": f"Agent {i:02}", "ESP Start Date": date(2026, 12, 14),
         "Call Cert Complete?": "Yes" if i < 9 else "No",
         "All TBTs Complete?": "Yes" if i < 9 else "No"}
        for i in range(16)
    ]  # fmt: skip
    factories.tracker(tmp_path / "ESP Tracker.xlsx", rows)
    return tmp_path / "ESP Tracker.xlsx"


def test_9_of_16_is_56_3_percent_everywhere_esp_prints_it(tmp_path: Path) -> None:
    tracker = str(_sixteen(tmp_path))

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, [*args, "-t", tracker])
        assert result.exit_code == 0, result.output
        return result.stdout

    day = ("--date", "2026-12-30")
    assert "9 of 16 agents complete (56.3%)" in run("report", "kpi", "--to", "2026-12-30")
    assert "│ 56.3% │" in run("report", "eod", *day)
    assert "56.3%" in run("report", "eod", *day, "-f", "text")
    assert "56.3% (9/16)" in run("report", "eod", *day, "-f", "html")
    assert run("report", "eod", *day, "-f", "csv").splitlines()[-1].split(",")[6] == "56.3"
    book = tmp_path / "k.xlsx"
    run("report", "kpi", "--to", "2026-12-30", "--xlsx", str(book))
    ws = openpyxl.load_workbook(book)["KPIs"]
    assert "(56.3%)" in str(ws["A2"].value)
    assert "56.2" not in " ".join(
        run("report", "kpi", "--to", "2026-12-30", "-f", fmt) for fmt in ("table", "csv")
    )
