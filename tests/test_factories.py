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
