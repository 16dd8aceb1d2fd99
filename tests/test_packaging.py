"""What a user installs: the sample as package data, no sample-building code, honest deps."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT, SAMPLE_DATA
from tests.support.processes import DEADLINE_SECONDS

PACKAGE = REPO_ROOT / "src" / "esp_cli"
# The builder's entry points: none may be defined or called anywhere in what esp ships.
BUILDER_NAMES = {"build_sample", "write_proofs", "write_workbook", "WorkbookSpec", "SheetSpec"}

RUN_DEMO = """
import sys
import esp_cli
print(esp_cli.__file__, file=sys.stderr)
from esp_cli.cli import main
sys.argv = ["esp", "demo", sys.argv[1]]
main()
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """esp as pip installs it: the wheel built from a copy of the project (so nothing is
    written here) and unpacked, as installing a pure-Python wheel does."""
    base = tmp_path_factory.mktemp("install")
    project = base / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (project / name).write_bytes((REPO_ROOT / name).read_bytes())
    copy_tree(REPO_ROOT / "src", project / "src")
    dist = base / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(project), "--no-deps",
         "--no-build-isolation", "--no-index", "--disable-pip-version-check", "--quiet",
         "--wheel-dir", str(dist)],
        cwd=base, capture_output=True, text=True, check=False, timeout=4 * DEADLINE_SECONDS,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = dist.glob("esp_cli-*.whl")
    lib = base / "lib"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(lib)
    return lib


def copy_tree(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if "__pycache__" in path.parts or path.suffix == ".pyc" or ".egg-info" in str(path):
            continue
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(path.read_bytes())


def test_the_sample_ships_as_package_data(installed: Path) -> None:
    shipped = sorted(p.relative_to(SAMPLE_DATA) for p in SAMPLE_DATA.rglob("*") if p.is_file())
    packaged = installed / "esp_cli" / "sample"
    assert sorted(p.relative_to(packaged) for p in packaged.rglob("*") if p.is_file()) == shipped
    assert {p.parent.name for p in shipped} >= {"self-reports", "tbt-proofs"}


def test_the_document_templates_ship_as_package_data(installed: Path) -> None:
    shipped = sorted(p.name for p in (REPO_ROOT / "src" / "esp_cli" / "templates").glob("*.docx"))
    packaged = installed / "esp_cli" / "templates"
    assert len(shipped) == 4
    assert sorted(p.name for p in packaged.iterdir()) == shipped


def test_no_sample_building_code_ships(installed: Path) -> None:
    modules = sorted(installed.rglob("*.py"))
    assert modules and not [p for p in modules if p.stem in {"sample", "build"}]
    for module in modules:
        names = {
            node.id if isinstance(node, ast.Name) else node.attr if isinstance(
                node, ast.Attribute) else node.name
            for node in ast.walk(ast.parse(module.read_bytes()))
            if isinstance(node, ast.Name | ast.Attribute | ast.FunctionDef | ast.ClassDef)
        }  # fmt: skip
        assert not names & BUILDER_NAMES, module


@pytest.mark.slow
def test_esp_demo_runs_from_an_installed_copy(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(installed)
    demo = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-c", RUN_DEMO, str(demo)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
        timeout=DEADLINE_SECONDS,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert Path(done.stderr.splitlines()[0]).is_relative_to(installed)  # not the source tree
    assert done.stdout.startswith(f"esp demo — sample files in {demo}\n")
    assert "10 cell(s) would change" in done.stdout  # the first step's summary
    assert "(exit code" not in done.stdout  # every step ran
    assert (demo / "TBT Tracking Sheet.xlsx").is_file()
    assert list((demo / "esp-backups").iterdir())


def imported_modules(package: Path) -> set[str]:
    """Top-level names of every module the package's code imports (at any depth)."""
    found: set[str] = set()
    for module in package.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_bytes())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def test_every_run_time_dependency_is_imported_by_esp() -> None:
    """Every dependency this system installs (tzdata is Windows's alone) is imported."""
    from packaging.requirements import Requirement

    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(r) for r in declared["dependencies"]]
    distributions = {
        normal(r.name) for r in requirements if r.marker is None or r.marker.evaluate()
    }
    imported = imported_modules(PACKAGE)
    used = {
        normal(dist)
        for module, dists in packages_distributions().items()
        if module in imported
        for dist in dists
    }
    assert "typer" in used and distributions - used == set()


def test_esp_imports_only_what_it_declares() -> None:
    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    distributions = {normal(re.split(r"[^A-Za-z0-9._-]", r)[0]) for r in declared["dependencies"]}
    owners = packages_distributions()
    third_party = imported_modules(PACKAGE) - set(sys.stdlib_module_names) - {"esp_cli"}
    undeclared = {
        module for module in third_party
        if not {normal(d) for d in owners.get(module, [module])} & distributions
    }  # fmt: skip
    assert third_party and undeclared == set()


def normal(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()
