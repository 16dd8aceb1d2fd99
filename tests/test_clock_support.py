"""The guard that gives each test one calendar day (tests/support/clock.py)."""

from __future__ import annotations

import ast
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.support.clock import MARGIN, steady_day, until_new_day


def test_midday_needs_no_wait() -> None:
    assert until_new_day(datetime(2026, 12, 5, 12, 0)) == 0.0


def test_the_last_minutes_wait_until_just_past_midnight() -> None:
    now = datetime(2026, 12, 5, 23, 59, 30)
    assert until_new_day(now) == 30.5
    assert now + timedelta(seconds=until_new_day(now)) > datetime(2026, 12, 6)


def test_the_margin_is_the_line() -> None:
    at_margin = datetime(2026, 12, 6) - MARGIN
    assert until_new_day(at_margin) == MARGIN.total_seconds() + 0.5
    assert until_new_day(at_margin - timedelta(microseconds=1)) == 0.0


def test_steady_day_is_the_new_day_after_waiting() -> None:
    clock = [datetime(2026, 12, 31, 23, 59, 50)]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += timedelta(seconds=seconds)

    assert steady_day(lambda: clock[0], sleep) == date(2027, 1, 1)
    assert slept == [10.5]


def test_steady_day_midday_is_today_without_waiting() -> None:
    slept: list[float] = []
    assert steady_day(lambda: datetime(2026, 12, 5, 9, 0), slept.append) == date(2026, 12, 5)
    assert slept == []


def _clock_calls_at_import(tree: ast.Module) -> list[int]:
    """Lines of `x.today()` / `x.now()` run when the module is imported (outside any def)."""
    found: list[int] = []
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue  # runs when called, not when imported
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"today", "now"}
        ):
            found.append(node.lineno)
        stack.extend(ast.iter_child_nodes(node))
    return sorted(found)


def test_no_test_module_takes_today_when_imported() -> None:
    """A date taken at import is stale for every test run after midnight (the suite is
    collected first): tests take it from the `today` fixture or during the test."""
    here = Path(__file__).parent
    offenders = {
        str(path.relative_to(here)): lines
        for path in sorted(here.rglob("*.py"))
        if (lines := _clock_calls_at_import(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_import_check_sees_a_module_constant() -> None:
    tree = ast.parse(
        "from datetime import date\nTODAY = date.today()\nX = [datetime.now()]\n"
        "def f():\n    return date.today()\nclass C:\n    DAY = date.today()\n"
    )
    assert _clock_calls_at_import(tree) == [2, 3, 7]
