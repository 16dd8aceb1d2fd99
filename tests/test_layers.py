"""The layers of ARCHITECTURE.md, checked on the source: every module sits in a layer, each
imports only from the layers it may (lazy imports inside functions too), and no two modules
import each other round a cycle."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from scripts.architecture_map import LAYERS

SRC = Path(__file__).resolve().parents[1] / "src" / "esp_cli"
PACKAGE = "esp_cli"

# Each layer and what it may import (besides itself), as ARCHITECTURE.md's map states it
# (scripts/architecture_map.py LAYERS). The root package (esp_cli, for __version__) may be
# imported by all. A layer is a folder, or one of the three modules at the top: errors (the
# exception family), system (the one OS seam), config (esp.toml).
MAY_IMPORT: dict[str, set[str]] = {name: set(below) for name, below in LAYERS.items()}
# The CLI reads the command line; it may check that a workbook named by an option exists
# before a command runs, and nothing else of the workbook layer.
CLI_MAY_ALSO = {"esp_cli.workbook.inputs"}
# The package, and the entry points that start it (launch.py: Ctrl-C quiet before the rest
# loads, then esp_cli.cli), sit above every layer.
TOP = {"__init__", "__main__", "launch"}


def _name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(SRC.rglob("*.py"))}


def layer_of(module: str) -> str | None:
    """`esp_cli.core.rules` -> core; `esp_cli.errors` -> errors; esp_cli itself -> None."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in TOP:
        return None
    return parts[1]


@cache
def imports(module: str) -> frozenset[str]:
    """The esp_cli modules `module` imports, at any depth (lazy imports inside functions and
    those only for type checking too), each as the module it names."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    return frozenset(m for m in found if m == PACKAGE or m.startswith(PACKAGE + "."))


def test_the_source_tree_is_where_the_tests_think() -> None:
    assert "esp_cli.workbook.session" in MODULES and "esp_cli.core.rules" in MODULES


def test_every_module_is_in_a_layer() -> None:
    loose = [m for m in MODULES if m != PACKAGE and layer_of(m) not in (*MAY_IMPORT, None)]
    assert loose == []


@pytest.mark.parametrize("layer", MAY_IMPORT)
def test_a_layer_imports_only_the_layers_below_it(layer: str) -> None:
    allowed = MAY_IMPORT[layer] | {layer}
    wrong = {}
    for module in MODULES:
        if layer_of(module) != layer:
            continue
        bad = sorted(
            m
            for m in imports(module)
            if m != PACKAGE
            and layer_of(m) not in allowed
            and not (layer == "cli" and m in CLI_MAY_ALSO)
        )
        if bad:
            wrong[module] = bad
    assert wrong == {}


def test_no_module_imports_itself_round_a_cycle() -> None:
    """A cycle (a module importing one that imports it back, lazily or not) is two modules
    that are really one, or a layer leaking upwards."""
    state: dict[str, int] = {}  # 1: being visited, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for dep in sorted(imports(module)):
            if dep not in MODULES or dep == module or dep == PACKAGE:
                continue
            if state.get(dep) == 1:
                cycles.append([*trail[trail.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module, [module])
    assert cycles == []


# What doing I/O or knowing the outside world takes. The core and the results are plain
# data and plain functions: they import none of it and open no file.
IO_MODULES = (
    "subprocess", "shutil", "socket", "smtplib", "tempfile", "zipfile", "mmap", "getpass",
    "platform", "sqlite3", "lxml", "python_calamine", "openpyxl", "filelock", "platformdirs",
    "typer", "rich", "aspose", "esp_cli.system", "esp_cli.config",
)  # fmt: skip
IO_CALLS = {
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "exists", "is_file",
    "is_dir", "iterdir", "glob", "rglob", "mkdir", "unlink", "stat", "replace", "rename",
}  # fmt: skip


def _pure_modules() -> list[str]:
    return [m for m in MODULES if layer_of(m) in ("core", "results")]


@pytest.mark.parametrize("module", _pure_modules())
def test_the_core_and_the_results_do_no_io(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert sorted(m for m in imported if m.startswith(IO_MODULES)) == []
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
    }
    # str.replace is not I/O: only a call on something path-like would be; none is allowed.
    assert sorted((calls & IO_CALLS) - {"replace"}) == []


def test_only_the_workbook_layer_touches_the_package_and_its_xml() -> None:
    outside = [m for m in MODULES if not m.startswith("esp_cli.workbook.xlsx")]
    used = {
        m: sorted(
            n
            for n in _stdlib_and_libraries(m)
            if n.startswith(("lxml", "python_calamine", "zipfile"))
        )
        for m in outside
    }
    assert {m: n for m, n in used.items() if n} == {}


def _stdlib_and_libraries(module: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_only_the_write_session_writes_a_workbook() -> None:
    """`Workbook.save` and `locked_for_update` are the write path's own: a service that
    called them would be a second copy of open-lock-read-plan-save."""
    callers = []
    for module, path in MODULES.items():
        if module.startswith("esp_cli.workbook.xlsx") or module == "esp_cli.workbook.session":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"locked_for_update|\.patcher\(\)|\.save\(\s*\w*patcher", text):
            callers.append(module)
    assert callers == []


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        # The imports that crossed layers before the folders named them; each must fail.
        ("esp_cli.results.history", "esp_cli.workbook.history"),
        ("esp_cli.results.progress", "esp_cli.mail.selfreports"),
        ("esp_cli.core.model", "esp_cli.workbook.xlsx.refs"),
        ("esp_cli.cli.report", "esp_cli.mail.outgoing"),
        ("esp_cli.core.rules", "esp_cli.services.facts"),
    ],
)
def test_the_rules_refuse_the_imports_that_crossed_layers(module: str, imported: str) -> None:
    """The checks above are not vacuous: each of these imports is refused by them."""
    allowed = MAY_IMPORT[layer_of(module) or ""] | {layer_of(module)}
    assert layer_of(imported) not in allowed


def test_no_layer_above_the_core_extends_a_core_class() -> None:
    """The rules call the objects they are given: a subclass of a core class living in a
    layer above (a calendar that remembers its answers, in services/) is code the pure
    rules call back up into at run time. Such a class belongs in the core."""
    core_classes = {
        node.name
        for module in MODULES
        if layer_of(module) == "core"
        for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    found = []
    for module in MODULES:
        if layer_of(module) in ("core", None):
            continue
        for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                if bases & core_classes:
                    found.append(f"{module}.{node.name}({', '.join(sorted(bases & core_classes))})")
    assert found == []


def test_messages_are_built_saved_and_sent_in_one_place() -> None:
    """mail/outgoing.py builds every message, writes every .eml and .msg draft and talks to
    the SMTP server, for esp report eod, esp report locate and esp advise alike."""
    home = "esp_cli.mail.outgoing"
    pattern = re.compile(r"EmailMessage\(|smtplib|draft_bytes\(|draft_msg_bytes\(|\bMapiMessage\b")
    found = [
        module
        for module, path in MODULES.items()
        if module != home and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
