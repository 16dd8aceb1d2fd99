"""Test trackers are built from the column definitions, never from header lists typed again
in each test file (a header renamed in columns.py would leave copies behind)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from esp_cli.core.columns import COLUMNS, alias_table, match_header
from tests import factories

TESTS = Path(__file__).resolve().parent
CANONICAL = {c.header for c in COLUMNS}


def test_headers_are_the_canonical_spellings_read_back_as_their_keys() -> None:
    table = alias_table()
    keys = factories.TRACKER_KEYS
    assert [match_header(h, table) for h in factories.headers(*keys)] == list(keys)
    with pytest.raises(KeyError):
        factories.headers("no_such_column")


def test_no_test_types_a_trackers_header_row_again() -> None:
    """A list or tuple of four or more canonical headers assigned to a name is a header row
    copied by hand: build it with factories.headers(...) instead. (Expected values in an
    assertion may spell headers out: they check what esp prints.)"""
    copies = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Assign) or not isinstance(
                node.value, (ast.List, ast.Tuple)
            ):
                continue
            texts = [
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
            if sum(t in CANONICAL for t in texts) >= 4:
                copies.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    assert copies == []


def _spelled_headers(source: str) -> list[int]:
    """Lines where a tracker's headers given to `tracker(..., headers=...)` (directly or
    through a name assigned in the same module) spell a canonical header out."""
    tree = ast.parse(source)
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name != "tracker":
            continue
        for kw in node.keywords:
            if kw.arg != "headers":
                continue
            values = [kw.value]
            values += [v for n in ast.walk(kw.value) if isinstance(n, ast.Name)
                       for v in assigned.get(n.id, [])]  # fmt: skip
            texts = {
                c.value
                for v in values
                for c in ast.walk(v)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            }
            if texts & CANONICAL:
                found.append(kw.value.lineno)
    return found


def test_no_test_spells_out_a_header_it_adds_to_a_tracker() -> None:
    """Columns added to a test tracker (`headers=(*TRACKER_HEADERS, "TBT SME")`) come from
    factories.headers(...) too, so a renamed header changes every test tracker at once; only
    a header esp does not know (an alias a test is about) is typed out."""
    copies = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in _spelled_headers(path.read_text(encoding="utf-8"))
    ]
    assert copies == []


def test_the_header_guard_sees_a_header_added_by_hand() -> None:
    source = (
        "HEADERS = (*factories.TRACKER_HEADERS, 'TBT SME')\n"
        "factories.tracker(path, rows, headers=HEADERS)\n"
        "tracker(path, rows, headers=(*TRACKER_HEADERS, 'Notes'))\n"
        "tracker(path, rows, headers=(*factories.headers('tbt_sme'), 'Associate Number'))\n"
    )
    assert _spelled_headers(source) == [2, 3]
