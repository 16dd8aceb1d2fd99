"""The layers of ARCHITECTURE.md, checked on the source: every module sits in a layer, each
imports only from the layers it may (lazy imports inside functions, `importlib.import_module`
and `__import__` too, and in a package's `__init__.py`), the package's own `__init__.py` and
`__main__.py` import only what they must, and no two modules import each other round a
cycle."""

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
# imported by all. A layer is a folder, or one of the modules at the top: errors (the
# exception family), system (the one OS seam), config (esp.toml), config_file (esp.toml's
# file and the tracker it names, read before the rest loads).
MAY_IMPORT: dict[str, set[str]] = {name: set(below) for name, below in LAYERS.items()}
TOP = {"__init__", "__main__", "launch"}
# The package itself (esp_cli/__init__.py) holds the version and imports nothing of esp_cli;
# the `esp` command starts in esp_cli/launch.py (Ctrl-C quiet before the rest loads), which
# then loads the command line; `python -m esp_cli` (esp_cli/__main__.py) goes through it.
# (A layer's name, or a module above the layers.)
TOP_MAY_IMPORT: dict[str, set[str]] = {
    "esp_cli": set(),
    "esp_cli.__main__": {"esp_cli.launch"},
    "esp_cli.launch": {"cli"},
}
# An import whose module is not written in the source (importlib.import_module(name) with
# a name made at run time): no layer check can see where it goes, so none is allowed.
DYNAMIC = "<a module named at run time>"


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


def _imported_by_call(node: ast.Call) -> str | None:
    """The module `importlib.import_module("...")`, `import_module("...")` or
    `__import__("...")` names: the name written, or the package before the part made at run
    time (`f"esp_cli.cli.{name}"` -> esp_cli.cli); DYNAMIC when none of it is written; None
    for any other call."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        head = arg.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str) and "." in head.value:
            return head.value.rpartition(".")[0]
    return DYNAMIC


@cache
def imports(module: str) -> frozenset[str]:
    """The esp_cli modules `module` imports, at any depth (lazy imports inside functions,
    those only for type checking, `importlib.import_module` and `__import__` too), each as
    the module it names; DYNAMIC for a module named only at run time."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            called = _imported_by_call(node)
            if called is not None:
                found.add(called)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    return frozenset(m for m in found if m in (PACKAGE, DYNAMIC) or m.startswith(PACKAGE + "."))


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
        bad = sorted(m for m in imports(module) if m != PACKAGE and layer_of(m) not in allowed)
        if bad:
            wrong[module] = bad
    assert wrong == {}


@pytest.mark.parametrize("module", TOP_MAY_IMPORT)
def test_the_package_and_its_main_import_only_what_they_must(module: str) -> None:
    wrong = sorted(m for m in imports(module) if (layer_of(m) or m) not in TOP_MAY_IMPORT[module])
    assert wrong == []


def test_every_module_outside_the_layers_has_its_own_rule() -> None:
    assert sorted(m for m in MODULES if layer_of(m) is None) == sorted(TOP_MAY_IMPORT)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import importlib\nimportlib.import_module('esp_cli.workbook.session')",
         {"esp_cli.workbook.session"}),
        ("from importlib import import_module\nimport_module('esp_cli.mail.outgoing')",
         {"esp_cli.mail.outgoing"}),
        ("__import__('esp_cli.services.eod')", {"esp_cli.services.eod"}),
        ("import importlib\nimportlib.import_module(f'esp_cli.services.{name}')",
         {"esp_cli.services"}),
        ("import importlib\nimportlib.import_module(name)", {DYNAMIC}),
        ("def later():\n    from esp_cli.workbook import session", {"esp_cli.workbook.session"}),
    ],
)  # fmt: skip
def test_imports_are_found_however_they_are_written(
    source: str, found: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks above see an import made by a call, inside a function, in a package's
    __init__.py: each of these is found, so a layer that made it would be refused."""
    module = tmp_path / "__init__.py"
    module.write_text(source, encoding="utf-8")
    monkeypatch.setitem(MODULES, "esp_cli.core.probe", module)
    imports.cache_clear()
    try:
        assert imports("esp_cli.core.probe") == found
        assert all(layer_of(m) not in MAY_IMPORT["core"] | {"core"} for m in found - {DYNAMIC})
    finally:
        imports.cache_clear()


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
# data and plain functions: they import none of it, open no file, read no clock, start no
# process and wait for nothing.
IO_MODULES = (
    "os", "sys", "io.open", "time", "subprocess", "shutil", "socket", "ssl", "select",
    "selectors", "signal", "threading", "multiprocessing", "concurrent", "asyncio", "urllib",
    "http", "ftplib", "smtplib", "imaplib", "poplib", "email.message", "mailbox", "tempfile",
    "zipfile", "tarfile", "gzip", "bz2", "lzma", "mmap", "getpass", "platform", "sqlite3",
    "dbm", "shelve", "pickle", "glob", "fileinput", "logging", "webbrowser", "ctypes",
    "fcntl", "msvcrt", "winreg", "pty", "tty", "termios", "readline", "builtins", "importlib",
    "pathlib.Path.home", "lxml", "python_calamine", "openpyxl", "filelock", "platformdirs",
    "typer", "rich", "aspose", "docxtpl", "requests", "esp_cli.system", "esp_cli.config",
    "esp_cli.config_file",
)  # fmt: skip
# Calls (as a name or as a method) that read or write files, the clock or the terminal, or
# wait (what os, subprocess and time do is refused with their import). str.replace is not
# I/O, and a call on something path-like would be: none of these is allowed, replace excepted.
IO_CALLS = {
    "open", "print", "input", "breakpoint", "exec", "eval", "__import__", "import_module",
    "read_text", "read_bytes", "write_text", "write_bytes", "touch", "exists", "is_file",
    "is_dir", "is_symlink", "iterdir", "glob", "rglob", "mkdir", "rmdir", "unlink", "stat",
    "lstat", "chmod", "rename", "replace", "symlink_to", "hardlink_to", "readlink", "resolve",
    "absolute", "expanduser", "samefile", "home", "cwd", "sleep", "now", "utcnow", "today",
}  # fmt: skip
# Names that are I/O even unless called (`f = open`, `os.environ["X"]`).
IO_NAMES = {"open", "print", "input", "breakpoint", "__import__", "environ", "stdin",
            "stdout", "stderr"}  # fmt: skip
IO_ATTRIBUTES = {"environ", "stdin", "stdout", "stderr"}


def _pure_modules() -> list[str]:
    return [m for m in MODULES if layer_of(m) in ("core", "results")]


def io_used(source: str) -> list[str]:
    """The I/O that `source` imports, calls or names (IO_MODULES, IO_CALLS, IO_NAMES)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        else:
            names = []
        found |= {
            f"import {n}" for n in names if any(n == m or n.startswith(m + ".") for m in IO_MODULES)
        }
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in IO_CALLS - {"replace"}:
                found.add(f"{name}()")
        elif isinstance(node, ast.Name) and node.id in IO_NAMES and isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in IO_ATTRIBUTES:
            found.add(node.attr)  # a field named `open` on a figure is not the builtin
    return sorted(found)


@pytest.mark.parametrize("module", _pure_modules())
def test_the_core_and_the_results_do_no_io(module: str) -> None:
    assert io_used(MODULES[module].read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "open('x.txt').read()",
        "from pathlib import Path\nPath('x').write_text('y')",
        "from pathlib import Path\ndef f(p: Path) -> None:\n    p.unlink()",
        "import os\nos.getcwd()",
        "from os import environ",
        "import subprocess",
        "import socket",
        "import time\ntime.sleep(1)",
        "from time import sleep",
        "from datetime import date\ndate.today()",
        "from datetime import datetime\ndatetime.now()",
        "import sys\nsys.stdout.write('x')",
        "import io\nio.open('x')",
        "from io import open",
        "import importlib\nimportlib.import_module('esp_cli.system')",
        "print('hello')",
        "write = open",
        "from esp_cli import system",
        "from esp_cli.system import write_file_atomically",
    ],
)
def test_the_io_guard_sees_io_however_it_is_written(source: str) -> None:
    """The check above is not vacuous: each of these is I/O and is found."""
    assert io_used(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "import io\nio.StringIO('a,b')",
        "text = 'a-b'.replace('-', ' ')",
        "from datetime import date, time\nEND = time(17, 0)\nday = date(2026, 12, 5)",
        "from pathlib import Path\ndef name(p: Path) -> str:\n    return p.stem + p.suffix",
    ],
)
def test_the_io_guard_lets_plain_computing_be(source: str) -> None:
    assert io_used(source) == []


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
