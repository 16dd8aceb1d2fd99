"""The layers of ARCHITECTURE.md, checked on the source: each imports only from below."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "esp_cli"


def _modules(folder: str = "") -> list[Path]:
    base = SRC / folder if folder else SRC
    return sorted(base.rglob("*.py") if folder else base.glob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out = {}
    for path in paths:
        bad = sorted(m for m in _imports(path) if m.startswith(forbidden))
        if bad:
            out[str(path.relative_to(SRC))] = bad
    return out


PURE = [
    SRC / "core" / name
    for name in (
        "model.py",
        "rules.py",
        "calendar.py",
        "notes.py",
        "values.py",
        "columns.py",
        "addresses.py",
        "names.py",
        "textdates.py",
        "csvfile.py",
    )
] + _modules("results")


def test_the_source_tree_is_where_the_tests_think() -> None:
    assert (SRC / "workbook" / "session.py").is_file() and _modules("render") and _modules("services")


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        (
            "render",
            (
                "esp_cli.services",
                "esp_cli.workbook.session",
                "esp_cli.cli",
                "esp_cli.workbook.xlsx.",
            ),
        ),
        ("services", ("typer", "esp_cli.cli", "esp_cli.render", "rich")),
        (
            "results",
            ("esp_cli.services", "esp_cli.workbook.session", "esp_cli.render", "esp_cli.cli"),
        ),
    ],
)
def test_a_layer_never_imports_the_layers_above_it(layer: str, forbidden: tuple[str, ...]) -> None:
    assert _offending(_modules(layer), forbidden) == {}


def test_the_pure_modules_do_no_io_and_know_no_workbook() -> None:
    forbidden = (
        "esp_cli.workbook.xlsx.workbook",
        "esp_cli.workbook.xlsx.reader",
        "esp_cli.workbook.xlsx.patch",
        "esp_cli.workbook.tracker",
        "esp_cli.workbook.session",
        "esp_cli.services",
        "typer",
        "subprocess",
        "shutil",
        "lxml",
    )
    assert _offending(PURE, forbidden) == {}


def test_only_the_workbook_layer_touches_the_package_and_its_xml() -> None:
    outside = [p for p in SRC.rglob("*.py") if "xlsx" not in p.relative_to(SRC).parts]
    assert _offending(outside, ("lxml", "python_calamine", "zipfile")) == {}


def test_only_the_write_session_writes_a_workbook() -> None:
    """`Workbook.save` and `locked_for_update` are the write path's own: a service that
    called them would be a second copy of open-lock-read-plan-save."""
    callers = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if "xlsx" in rel.parts or rel == Path("workbook/session.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"locked_for_update|\.patcher\(\)|\.save\(\s*\w*patcher", text):
            callers.append(str(rel))
    assert callers == []
