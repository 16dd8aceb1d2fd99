"""Draw the KPI trend of the bundled sample into docs/images/kpi-trend.png.

The picture in docs/commands/kpi.md is the one the evening e-mail shows, for the sample's
today (Tue 11/24/2026): the same function draws both. Run it after changing the chart or the
sample (`make docs` does), and commit the picture:

    python scripts/kpi_picture.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from esp_cli.config import load_config
from esp_cli.render.chart import trend_png
from esp_cli.services.demo import AS_OF, CONFIG_FILE, TRACKER_FILE, copy_sample
from esp_cli.services.kpi import kpi_report

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "docs" / "images" / "kpi-trend.png"


def draw(target: Path = PICTURE) -> Path:
    with tempfile.TemporaryDirectory(prefix="esp-kpi-picture-") as tmp:
        folder = Path(tmp)
        copy_sample(folder)
        config = load_config(folder / CONFIG_FILE)
        report = kpi_report(folder / TRACKER_FILE, config, date.fromisoformat(AS_OF))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(trend_png(report.trend))
    return target


def main() -> int:
    print(f"wrote {draw().relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
