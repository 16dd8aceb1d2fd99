"""esp demo's folder: a fresh copy of the bundled sample, never over the team's own files.

The sample ships as package data (`esp_cli/sample/`); the demo copies it into a folder and
runs the day's commands there. It writes only into a new or empty folder, or one an earlier
demo made: such a folder holds a marker (MARKER) listing the files the demo copied, and
each file the copy would replace must be listed there or be byte for byte a sample file.
Anything else — the team's real tracker, an agent's e-mail in `self-reports/` — stops the
demo before it writes, naming the folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import date, datetime, time
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from esp_cli.errors import UsageError, WriteFailedError

AS_OF = "2026-11-24"  # the sample's today (the sample builder's REFERENCE_DATE; a test checks)
PROOFS_DIR = "tbt-proofs"  # the sample's folder of TBT proofs (the builder's; a test checks)
TRACKER_FILE = "ESP Tracker.xlsx"
CONFIG_FILE = "esp.toml"
SAMPLE = "sample"  # the package data folder holding the sample
PROOFS_RECEIVED = time(17)  # the proofs were saved on the sample's today at 5 PM
MARKER = ".esp-demo.json"  # in a folder the demo made: the files it copied there


def demo_folder(folder: Path | None) -> Path:
    """`folder` (made if need be; a new temporary folder when None) holding a fresh copy of
    the sample, once it is known to be the demo's to write: else UsageError, nothing written."""
    if folder is None:
        target = Path(tempfile.mkdtemp(prefix="esp-demo-"))
    else:
        check_folder(folder)
        target = folder
    try:
        target.mkdir(parents=True, exist_ok=True)
        copied = copy_sample(target)
        (target / MARKER).write_text(
            json.dumps({"made_by": "esp demo", "files": copied}, indent=1) + "\n",
            encoding="utf-8",
        )
    except OSError as exc:
        raise WriteFailedError(
            f"{target}: the sample cannot be copied there ({exc.strerror}).",
            fix="choose another folder for the demo (esp demo FOLDER).",
        ) from exc
    return target


def check_folder(folder: Path) -> None:
    """Refuse, in one line, a folder the demo would write over files it did not make."""
    if not folder.exists() and not folder.is_symlink():
        return
    fix = "choose another folder (esp demo FOLDER, a new one), or leave FOLDER out for a new "
    fix += "temporary one."
    if not folder.is_dir():
        raise UsageError(f"{folder}: is not a folder; the demo copies its sample into a folder.",
                         fix=fix)  # fmt: skip
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise UsageError(f"{folder}: cannot be read ({exc.strerror}).", fix=fix) from exc
    if not entries:
        return
    made = _made_before(folder)
    if made is None:
        raise UsageError(
            f"{folder}: holds files esp demo did not make; the demo writes only into a new or "
            "empty folder, or one it made before, and never over the team's files.",
            fix=fix,
        )
    try:
        theirs = [p for p in _replaced(folder) if p not in made and not _is_sample_file(folder, p)]
    except OSError as exc:
        raise UsageError(f"{folder}: cannot be read ({exc.strerror}).", fix=fix) from exc
    if theirs:
        shown = ", ".join(theirs[:3]) + (f" and {len(theirs) - 3} more" if len(theirs) > 3 else "")
        raise UsageError(
            f"{folder}: the demo would replace {shown}, which esp demo did not make.",
            fix=fix,
        )


def _made_before(folder: Path) -> set[str] | None:
    """The files an earlier demo copied into `folder`, as its marker lists them; None when
    there is no readable marker (the folder is not the demo's)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    listed = data.get("files") if isinstance(data, dict) else None
    if data.get("made_by") != "esp demo" or not isinstance(listed, list):
        return None
    return {name for name in listed if isinstance(name, str)}


def _sample() -> Traversable:
    return files("esp_cli") / SAMPLE


def _replaced(folder: Path) -> list[str]:
    """What copying the sample into `folder` would replace or remove, as paths relative to
    it (with /): each of the sample's files there, and everything in its folders, which are
    replaced whole."""
    found: list[str] = []
    for item in _sample().iterdir():
        path = folder / item.name
        if item.is_dir():
            if path.is_dir():
                found += sorted(
                    p.relative_to(folder).as_posix() for p in path.rglob("*") if not p.is_dir()
                )
            elif path.exists() or path.is_symlink():
                found.append(item.name)
        elif path.exists() or path.is_symlink():
            found.append(item.name)
    return found


def _is_sample_file(folder: Path, relative: str) -> bool:
    """Whether the file at `relative` in `folder` is byte for byte the sample's."""
    path = folder / relative
    item = _sample().joinpath(*relative.split("/"))
    if path.is_symlink() or not path.is_file() or not item.is_file():
        return False
    return path.read_bytes() == item.read_bytes()


def copy_sample(target: Path) -> list[str]:
    """Copy the packaged sample into `target`: its files replace any of the same name, and
    its folders (self-reports, tbt-proofs) are replaced whole, so nothing stale lingers.
    Returns the files copied, as paths relative to `target` (with /)."""
    copied = _copy_tree(_sample(), target, "")
    received = datetime.combine(date.fromisoformat(AS_OF), PROOFS_RECEIVED).timestamp()
    for proof in (target / PROOFS_DIR).iterdir():  # esp reads the received day from it
        os.utime(proof, (received, received))
    return copied


def _copy_tree(source: Traversable, target: Path, prefix: str) -> list[str]:
    target.mkdir(parents=True, exist_ok=True)
    copied: list[str] = []
    for item in sorted(source.iterdir(), key=lambda i: i.name):
        path = target / item.name
        if item.is_dir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
            copied += _copy_tree(item, path, f"{prefix}{item.name}/")
        else:
            path.write_bytes(item.read_bytes())
            copied.append(f"{prefix}{item.name}")
    return copied
