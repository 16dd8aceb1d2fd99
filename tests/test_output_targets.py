"""Where a command is told to save something (--out, --eml, --msg) is checked before any
work, the same way with --dry-run and without: a dry run never promises a save the real run
then refuses, and the real run refuses before it writes anything."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli import system
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


# Every option that saves one new file, each given a file that is already there: the team's
# workbooks (the tracker, the Master, the progress report), esp's backup, last week's output
# (open in Excel, its ~$ owner file beside it) and a folder named like a file.
NEW_FILE_OPTIONS = {
    "eod --out": (*EOD, "-f", "md", "--out"),
    "eod --eml": (*EOD, "--eml"),
    "eod --msg": (*EOD, "--msg"),
    "locate --eml": ("report", "locate", "--eml"),
    "locate --msg": ("report", "locate", "--msg"),
    "kpi --xlsx": ("report", "kpi", "--to", AS_OF, "--xlsx"),
}
TAKEN = {
    "the tracker": ("ESP Tracker.xlsx", "already there"),
    "the Master": ("Master N Number Tracker.xlsx", "already there"),
    "the progress report": ("ESP Agent Progress Report.xlsx", "already there"),
    "a backup": ("esp-backups/ESP Tracker.20261124-170000.xlsx", "already there"),
    "a file open in Excel": ("last week.xlsx", "~$st week.xlsx is beside it"),
    "a folder": ("adir.xlsx", "is a folder"),
}


@pytest.mark.parametrize("taken", TAKEN)
@pytest.mark.parametrize("option", NEW_FILE_OPTIONS)
def test_a_new_file_never_goes_over_a_file_that_is_there(
    folder: Path, option: str, taken: str
) -> None:
    (folder / "esp-backups").mkdir()
    (folder / "esp-backups/ESP Tracker.20261124-170000.xlsx").write_bytes(b"a backup")
    (folder / "last week.xlsx").write_bytes(b"last week's file")
    (folder / "~$st week.xlsx").write_bytes(b"owner")
    (folder / "adir.xlsx").mkdir()
    name, why = TAKEN[taken]
    read_from = taken in ("the tracker", "the Master") and option == "kpi --xlsx"
    if read_from:
        why = "is the workbook the figures are read from; esp never replaces it"
    before = files(folder)
    res = run(folder, *NEW_FILE_OPTIONS[option], f"{{dir}}/{name}")
    assert res.exit_code == 2, res.output
    said = [ln for ln in res.stderr.splitlines() if ln.startswith("esp: ")]
    assert len(said) == 1 and why in said[0], res.stderr
    if taken == "a folder":
        assert "a file name is needed" in said[0] and "close it in Excel" not in said[0]
    elif not read_from:
        assert "esp never writes over a file" in said[0]
        assert f"move or delete '{Path(name).name}' first" in said[0]
    assert "Counting" not in res.stderr  # refused before the tracker is read
    assert files(folder) == before


# A file someone makes under the name after esp checked it, before esp saves there: theirs
# is kept, and the save refused in one line.
@pytest.mark.parametrize("option", NEW_FILE_OPTIONS)
def test_a_file_made_under_the_name_meanwhile_is_never_written_over(
    folder: Path, option: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = folder / ("new output.xlsx" if option == "kpi --xlsx" else "new output")
    real = system._written_beside

    def meanwhile(path: Path, data: bytes) -> Path:
        if path == target and not path.exists():
            path.write_bytes(b"a teammate's file")
        return real(path, data)

    monkeypatch.setattr(system, "_written_beside", meanwhile)
    res = run(folder, *NEW_FILE_OPTIONS[option], str(target))
    assert res.exit_code == 6, res.output
    said = [ln for ln in res.stderr.splitlines() if ln.startswith("esp: ")]
    assert len(said) == 1 and "appeared while esp was writing it" in said[0], res.stderr
    assert "esp never writes over a file" in said[0]
    assert target.read_bytes() == b"a teammate's file"
    assert not [p for p in folder.iterdir() if "esp-tmp" in p.name]


def test_a_draft_made_under_its_name_meanwhile_is_never_written_over(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafts = folder / "drafts"
    real = system._written_beside
    taken: list[Path] = []

    def meanwhile(path: Path, data: bytes) -> Path:
        if path.parent == drafts and not taken:
            path.write_bytes(b"a teammate's draft")
            taken.append(path)
        return real(path, data)

    monkeypatch.setattr(system, "_written_beside", meanwhile)
    res = run(folder, *ADVISE, "--out", str(drafts))
    assert res.exit_code == 1, res.output  # the drafts stop there, as on a full disk
    assert taken and taken[0].read_bytes() == b"a teammate's draft"
    assert f"{taken[0]}: appeared while esp was writing it" in res.stderr


def test_a_copy_saved_after_a_failed_send_takes_the_next_free_name(tmp_path: Path) -> None:
    """The copy of a message esp could not send is saved whatever name is taken meanwhile:
    under the next free one, never over another file."""
    from esp_cli.mail import outgoing

    first = tmp_path / "Report.eml"
    first.write_bytes(b"theirs")
    (tmp_path / "Report (2).eml").write_bytes(b"theirs too")
    saved = outgoing.write_new(first, b"the message", renumber=True)
    assert saved == tmp_path / "Report (3).eml" and saved.read_bytes() == b"the message"
    assert first.read_bytes() == b"theirs"
