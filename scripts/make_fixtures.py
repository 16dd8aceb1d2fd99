"""Write the realistic sample (scripts/sample_builder) into src/esp_cli/sample/.

esp ships those files as package data: `esp demo` copies them into its folder. Run this after
changing the sample or the xlsx builder, and commit what changed: `make fixtures`, or
`python scripts/make_fixtures.py`. tests/test_sample.py rebuilds the sample and fails if
src/esp_cli/sample/ differs by a single byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `scripts.sample_builder` importable
    sys.path.insert(0, str(ROOT))

from scripts.sample_builder.sample import (  # noqa: E402
    SAMPLE_DATA,
    build_sample,
    sample_paths,
    write_proofs,
)


def main() -> int:
    files = build_sample(SAMPLE_DATA)
    proofs = write_proofs(SAMPLE_DATA)
    for path in (*sample_paths(files), *sorted(proofs.iterdir())):
        print(path.relative_to(ROOT), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
