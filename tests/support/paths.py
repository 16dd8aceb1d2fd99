"""Locations of the read-only shared material (ECMA schemas, real-workbook corpus).

The shared folder sits beside the repository (a sibling named ``shared``); in a checkout
where it does not, the environment variable ``ESP_SHARED_DIR`` names it instead.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The sample esp ships as package data (written by scripts/make_fixtures.py).
SAMPLE_DATA = REPO_ROOT / "src" / "esp_cli" / "sample"
_DEFAULT_SHARED = REPO_ROOT.parent / "shared"


def shared_dir() -> Path:
    """The ``shared`` folder beside the repository if it exists, else ``$ESP_SHARED_DIR`` if
    set, else the default.

    The default is returned even when missing so that error messages name the expected place.
    """
    if _DEFAULT_SHARED.is_dir():
        return _DEFAULT_SHARED
    env = os.environ.get("ESP_SHARED_DIR")
    if env:
        return Path(env)
    return _DEFAULT_SHARED


def schemas_dir() -> Path:
    """Folder holding ``sml.xsd`` and the schemas it imports."""
    return shared_dir() / "ooxml-schemas"


def corpus_dir() -> Path:
    """Folder holding the real workbooks (read-only; never write into it)."""
    return shared_dir() / "corpus"


def corpus_files() -> list[Path]:
    """Every ``.xlsx``/``.xlsm`` in the corpus, sorted by name (empty if the corpus is absent)."""
    folder = corpus_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".xlsx", ".xlsm"})


def skip_unless_in_ci(available: bool) -> bool:
    """Whether a test needing something ``available`` may skip: never in CI (``$CI`` set).

    Use as ``pytest.mark.skipif(skip_unless_in_ci(thing_available()), reason=...)`` so that a
    developer without the thing skips, while CI fails loudly instead of passing vacuously.
    """
    return not available and not os.environ.get("CI")
