"""Where a command is told to save something (--out, --eml, --msg) is checked before any
work, the same way with --dry-run and without: a dry run never promises a save the real run
then refuses, and the real run refuses before it writes anything."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.demo import AS_OF, copy_sample


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy_sample(tmp_path)
    (tmp_path / "adir").mkdir()
    return tmp_path


def run(folder: Path, *args: str) -> Any:
    argv = [a.replace("{dir}", str(folder)) for a in args]
    return CliRunner().invoke(app, [*argv, "--config", str(folder / "esp.toml")])


def files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


EOD = ("report", "eod", "--date", AS_OF)
ADVISE = ("advise", "--due", "--as-of", AS_OF)
DOCUMENT = ("document", "--due", "--as-of", AS_OF)
CASES = {
    "eod --eml a folder": ((*EOD, "--eml", "{dir}/adir"), "is a folder"),
    "eod --msg a folder": ((*EOD, "--msg", "{dir}/adir"), "is a folder"),
    "eod --eml in no folder": ((*EOD, "--eml", "{dir}/nowhere/r.eml"), "does not exist"),
    "eod --out a folder": ((*EOD, "-f", "md", "--out", "{dir}/adir"), "is a folder"),
    "eod --out in no folder": ((*EOD, "--out", "{dir}/nowhere/r.txt"), "does not exist"),
    "eod --out in a file": ((*EOD, "--out", "{dir}/esp.toml/r.txt"), "not a folder"),
    "locate --eml in no folder": (
        ("report", "locate", "--eml", "{dir}/nowhere/x.eml"),
        "does not exist",
    ),
    "locate --msg a folder": (("report", "locate", "--msg", "{dir}/adir"), "is a folder"),
    "advise --out a file": ((*ADVISE, "--out", "{dir}/esp.toml"), "not a folder"),
    "advise --out under a file": ((*ADVISE, "--out", "{dir}/esp.toml/drafts"), "not a folder"),
    "advise --out a file, .msg": ((*ADVISE, "--out", "{dir}/esp.toml", "--msg"), "not a folder"),
    "document --out a file": ((*DOCUMENT, "--out", "{dir}/esp.toml"), "not a folder"),
    "document --out a file, --record": (
        (*DOCUMENT, "--out", "{dir}/esp.toml", "--record", "--eml"),
        "not a folder",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_dry_run_refuses_what_the_real_run_refuses(folder: Path, case: str) -> None:
    args, why = CASES[case]
    before = files(folder)
    dry = run(folder, *args, "--dry-run")
    real = run(folder, *args)
    assert (dry.exit_code, real.exit_code) == (2, 2), (dry.output, real.output)
    said = [ln for ln in real.stderr.splitlines() if ln.startswith("esp: ")]
    assert len(said) == 1 and why in said[0], real.stderr
    assert said == [ln for ln in dry.stderr.splitlines() if ln.startswith("esp: ")]
    assert "would" not in dry.stderr.lower()
    assert files(folder) == before  # not the tracker, not a draft, not a report


@pytest.mark.parametrize(
    "args",
    [
        (*EOD, "--eml", "{dir}/adir/r.eml", "--msg", "{dir}/r.msg", "-f", "md", "--out",
         "{dir}/new.md"),
        ("report", "locate", "--eml", "{dir}/adir/x.eml"),
        (*ADVISE, "--out", "{dir}/drafts/new"),
        (*DOCUMENT, "--out", "{dir}/documents"),
    ],
)  # fmt: skip
def test_targets_that_can_be_made_are_taken_alike(folder: Path, args: tuple[str, ...]) -> None:
    dry = run(folder, *args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    real = run(folder, *args)
    assert real.exit_code == 0, real.output
