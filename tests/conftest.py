from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # esp keeps holiday tables in the user's cache folder; tests (and the esp processes
    # they start, which inherit the environment) use a folder of their own.
    if "ESP_CACHE_DIR" not in os.environ:
        os.environ["ESP_CACHE_DIR"] = tempfile.mkdtemp(prefix="esp-test-cache-")
    # The person's own esp.toml (platformdirs' config folder) and name: none in tests, unless
    # a test sets them.
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="esp-test-config-")
    os.environ.pop("ESP_USER", None)


SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The read-only corpus folder; skips the test (or module fixture) when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the project")
    return CORPUS
