from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.support import paths
from tests.support.clock import steady_day
from tests.support.processes import describe_timeout


def pytest_configure(config: pytest.Config) -> None:
    # esp keeps holiday tables in the user's cache folder; tests (and the esp processes
    # they start, which inherit the environment) use a folder of their own.
    if "ESP_CACHE_DIR" not in os.environ:
        os.environ["ESP_CACHE_DIR"] = tempfile.mkdtemp(prefix="esp-test-cache-")
    # Nor is a developer's own esp.toml (in the user's config folder) or name used by them.
    if "ESP_CONFIG_DIR" not in os.environ:
        os.environ["ESP_CONFIG_DIR"] = tempfile.mkdtemp(prefix="esp-test-config-")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="esp-test-xdg-")
    os.environ.pop("ESP_USER", None)
    # The sample's esp.toml puts the team on New York's clock ([calendar] timezone), which
    # is every command's today; the tests take today from this machine's clock. On New
    # York's clock too, both are one day whatever the hour (in UTC, from 00:00 to 05:00
    # the team's day is still yesterday).
    os.environ["TZ"] = "America/New_York"
    if hasattr(time, "tzset"):
        time.tzset()
    # In CI the generated examples are the same on every run: a run is green or red for
    # the change it tests, not for the examples it happened to draw. A developer's runs
    # draw new ones (and find what a fixed set never would).
    if os.environ.get("CI"):
        settings.register_profile("ci", derandomize=True)
        settings.load_profile("ci")


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled sample (what `esp demo` copies) in a folder of its own, as the current
    folder, with no tracker, config or user named by the environment."""
    folder = tmp_path / "sample"
    shutil.copytree(paths.SAMPLE_DATA, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(folder)
    for name in ("ESP_TRACKER", "ESP_USER", "ESP_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The read-only corpus folder; skips the test (or module fixture) when it is absent,
    except in CI (``$CI`` set), where a missing corpus is a failure."""
    corpus = paths.corpus_dir()
    if paths.skip_unless_in_ci(corpus.is_dir()):
        pytest.skip(f"{corpus} not found (beside the repository, or in $ESP_SHARED_DIR)")
    if not corpus.is_dir():
        pytest.fail(f"{corpus} not found: in CI the corpus tests must run")
    return corpus


@pytest.fixture(autouse=True)
def today() -> date:
    """Today's date, one day for the whole test: a test starting just before midnight waits
    for the new day (tests/support/clock.py). A test comparing what esp wrote with today
    takes today from here (or during the test), never at import."""
    return steady_day()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """A test whose subprocess.run(..., timeout=) timed out shows what the process wrote
    before it was stopped, not only that time ran out."""
    outcome: Any = yield
    report = outcome.get_result()
    exc = call.excinfo.value if call.excinfo is not None else None
    if isinstance(exc, subprocess.TimeoutExpired):
        report.sections.append(("what the process wrote", describe_timeout(exc)))
