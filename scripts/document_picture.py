"""Draw docs/images/written-cap.png: the first page of a document `esp document` makes.

The sample's Kayla Brooks, written CAP of Tue 11/24/2026 (the final CAP on Wed 11/25, the
term review on Fri 11/27: Thanksgiving skipped), made on a scratch copy of the sample, turned
into a PDF by LibreOffice Writer and into a PNG by pdftoppm (poppler-utils), as a person
opening it would see it. Run it after changing the built-in templates:
`python scripts/document_picture.py` (needs soffice and pdftoppm; Carlito, the metric twin
of Calibri, from fonts-crosextra-carlito, makes it look as Word shows it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from esp_cli.cli import app  # noqa: E402
from esp_cli.services.demo import copy_sample  # noqa: E402

PICTURE = ROOT / "docs" / "images" / "written-cap.png"
AGENT, STEP, DAY = "Kayla Brooks", "written_cap", "2026-11-24"
RESOLUTION = 80  # pixels per inch: a Letter page 680 pixels wide


def main() -> int:
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed (LibreOffice Writer; poppler-utils).", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="esp-picture-") as tmp:
        folder = Path(tmp) / "sample"
        copy_sample(folder)
        out = folder / "documents"
        done = CliRunner().invoke(app, [
            "document", AGENT, STEP, "--date", DAY, "--out", str(out),
            "--config", str(folder / "esp.toml"),
        ])  # fmt: skip
        if done.exit_code != 0:
            print(done.output, file=sys.stderr)
            return 1
        (document,) = out.glob("*.docx")
        profile = Path(tmp) / "profile"
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(out), str(document)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        pdf = document.with_suffix(".pdf")
        PICTURE.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", "1", "-l", "1", "-singlefile",
             str(pdf), str(PICTURE.with_suffix(""))],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    print(PICTURE.relative_to(ROOT), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
