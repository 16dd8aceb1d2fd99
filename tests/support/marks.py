"""Skip marks for tests that need the shared schemas, the shared corpus or LibreOffice.

Both skip on a developer machine that lacks the thing and fail in CI (``$CI`` set) instead of
passing vacuously (see :func:`.paths.skip_unless_in_ci`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .libreoffice import soffice_available
from .ooxml import schemas_available, validate_part
from .packages import zip_parts
from .paths import corpus_dir, skip_unless_in_ci

needs_soffice = pytest.mark.skipif(
    skip_unless_in_ci(soffice_available()),
    reason="LibreOffice (soffice) not installed; in CI this fails instead",
)

needs_corpus = pytest.mark.skipif(
    skip_unless_in_ci(corpus_dir().is_dir()),
    reason="shared/corpus (the real workbooks) not found; in CI this fails instead",
)

needs_schemas = pytest.mark.skipif(
    skip_unless_in_ci(schemas_available()),
    reason="shared/ooxml-schemas not found; in CI this fails instead",
)


def checks_schemas() -> bool:
    """Whether a test validates what esp wrote against the schemas as one of its checks:
    always in CI (where missing schemas fail it), elsewhere when they are there — the rest
    of the test runs either way."""
    return not skip_unless_in_ci(schemas_available())


def assert_schema_valid(path: Path, *names: str) -> None:
    """The parts `names` of the workbook at `path` are valid against the schemas, when this
    run checks them (checks_schemas)."""
    if not checks_schemas():
        return
    parts = zip_parts(path)
    for name in names:
        assert validate_part(name, parts[name]) == [], name
