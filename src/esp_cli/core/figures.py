"""Rounded figures for people, rounded as Excel rounds them (pure: no I/O).

Excel shows 9/16 = 0.5625 with the number format `0.0%` as 56.3%: half away from zero, on
the exact value. Python's `round()` and `f"{x:.1f}"` round half to even on the binary
float (56.2%), so a figure esp prints would differ by 0.1 from the same figure in the
team's workbook. Every percentage or rounded figure esp shows a person is rounded here,
on the exact fraction.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def rounded(value: Fraction | int | float, places: int = 1) -> Decimal:
    """`value` to `places` decimals, half away from zero, computed exactly (a float is
    read as the decimal it prints as: 0.5625, not its binary neighbour)."""
    exact = Fraction(repr(value)) if isinstance(value, float) else value
    if isinstance(exact, Fraction):
        num, den = exact.numerator, exact.denominator  # den > 0
    else:
        num, den = int(exact), 1
    # floor(|num / den| * scale + 1/2), in integers (a report rounds thousands of figures;
    # Fraction arithmetic costs ten times as much).
    units = (2 * abs(num) * 10**places + den) // (2 * den)
    return Decimal(-units if num < 0 else units).scaleb(-places)


def percent(part: int, whole: int, places: int = 1) -> Decimal | None:
    """`part` of `whole` as a percentage to `places` decimals, as Excel shows it (9 of 16:
    56.3) — except that it reads as 100 or 0 only when it is exactly that: 1,999 of 2,000
    is 99.9 (Excel: 100.0), 1 of 2,001 is 0.1 (leadership reads "100%" as nobody left, as
    hours_against_limit never reads a limit not reached); None of nothing."""
    if not whole:
        return None
    shown = rounded(Fraction(100 * part, whole), places)
    if shown == 100 and part != whole:
        return Decimal(100) - Decimal(1).scaleb(-places)
    if shown == 0 and part:
        return Decimal(1).scaleb(-places)
    return shown


def percent_text(part: int, whole: int) -> str:
    """ "56.3%", "50%" (no ".0"), "—" of nothing (never 0%)."""
    value = percent(part, whole)
    if value is None:
        return "—"
    return f"{value}%".replace(".0%", "%")


def hours_against_limit(hours: Fraction, limit: Fraction) -> str:
    """Hours measured against a limit, to one decimal, rounded as Excel rounds (half away
    from zero) — except that a figure on one side of the limit never reads as the limit
    itself: 3 h 59 min within 4 h reads 3.9 (not 4.0, a limit not reached), 4 h 02 min over
    it 4.1 (not 4.0, a limit passed); 37 h 44 min reads 37.7."""
    tenths = rounded(hours, 1).scaleb(1)
    at = limit * 10
    if tenths == at and hours != limit:
        tenths += 1 if hours > limit else -1
    return f"{Decimal(tenths).scaleb(-1):.1f}"
