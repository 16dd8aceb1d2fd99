from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.support import paths


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


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The read-only corpus folder; skips the test (or module fixture) when it is absent,
    except in CI (``$CI`` set), where a missing corpus is a failure."""
    corpus = paths.corpus_dir()
    if paths.skip_unless_in_ci(corpus.is_dir()):
        pytest.skip(f"{corpus} not found (../shared/corpus, or $ESP_SHARED_DIR/corpus)")
    if not corpus.is_dir():
        pytest.fail(f"{corpus} not found: in CI the corpus tests must run")
    return corpus
