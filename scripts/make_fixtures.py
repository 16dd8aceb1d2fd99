"""Write the realistic sample (esp_cli.sample) into fixtures/.

Run it after changing src/esp_cli/sample.py or the xlsx builder, and commit what changed:
`make fixtures`, or `PYTHONPATH=src python scripts/make_fixtures.py`. tests/test_sample.py
rebuilds the sample and fails if fixtures/ differs by a single byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

from esp_cli.sample import build_sample, sample_paths

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    files = build_sample(ROOT / "fixtures")
    for path in sample_paths(files):
        print(path.relative_to(ROOT), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
