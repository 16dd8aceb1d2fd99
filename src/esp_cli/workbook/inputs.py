"""Workbooks named by an option or a setting, checked before they are opened.

A missing one is reported naming the option or setting it came from (so the fix is where the
name was typed) and any similarly named workbook beside it (`Master N Number Tracker (1).xlsx`
downloaded twice, a renamed copy). Excel's lock file (`~$ster N Number Tracker.xlsx`, which
Excel keeps beside a workbook while it is open, and which a file picker or Tab completion
offers first) is told apart from the workbook it stands for.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from esp_cli.errors import InputFileError, UsageError
from esp_cli.system import put_refusal

LOCK_PREFIX = "~$"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".csv", ".ods")


def _siblings(folder: Path) -> list[Path]:
    try:
        return sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() in WORKBOOK_SUFFIXES
            and not p.name.startswith((LOCK_PREFIX, "."))
            and p.is_file()
        )
    except OSError:
        return []


def locked_workbook(lock: Path) -> Path | None:
    """The workbook beside `lock` that Excel's lock file stands for: Excel names it after
    the workbook with its first two characters replaced by ~$ (or, for a short name,
    prefixed)."""
    rest = lock.name[len(LOCK_PREFIX) :]
    for p in _siblings(lock.parent):
        if p.name[2:] == rest or p.name == rest:
            return p
    return None


def similar_workbook(path: Path, other: Path | None = None) -> Path | None:
    """A workbook beside `path` whose name is close to its name, or None; never `other`
    (the tracker, when the Master is missing: sync would be refused with it anyway)."""
    siblings = {
        p.name.casefold(): p for p in _siblings(path.parent) if other is None or not _same(p, other)
    }
    found = difflib.get_close_matches(path.name.casefold(), list(siblings), n=1, cutoff=0.6)
    return siblings[found[0]] if found else None


def workbook_in(folder: Path, role: str, other: Path | None = None) -> Path | None:
    """The workbook in `folder` that is likely the `role` ("ESP Tracker"): the one named
    most like it, else the only workbook there; never `other`. None when there is none."""
    found = [
        p
        for p in _siblings(folder)
        if p.suffix.lower() in (".xlsx", ".xlsm") and (other is None or not _same(p, other))
    ]
    names = {p.stem.casefold(): p for p in found}
    near = difflib.get_close_matches(role.casefold(), list(names), n=1, cutoff=0.6)
    if near:
        return names[near[0]]
    return found[0] if len(found) == 1 else None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.absolute() == b.absolute()


def check_workbook(path: Path, role: str, source: str, other: Path | None = None) -> None:
    """Refuse, in one line naming `source` (the option or setting `path` came from), a
    `path` that is Excel's lock file or that does not exist. `other` is the workbook of the
    other role (the tracker for the Master, the Master for the tracker), never suggested."""
    check_not_lock_file(path, role, source)
    if path.is_dir():
        inside = workbook_in(path, role, other)
        raise InputFileError(
            f"{path} is a folder, not a workbook (the {role}, from {source})"
            + (f"; in it is '{inside.name}'." if inside else "."),
            fix=f"check {source}"
            + (f": did you mean '{inside}'?" if inside else ": give the workbook's file."),
        )
    if path.exists() or path.is_symlink():
        return  # a link to nothing is named as such when the workbook is opened
    if not path.parent.is_dir():
        raise InputFileError(
            f"{path}: no such file: the folder {path.parent} does not exist (the {role}, "
            f"from {source}).",
            fix=f"check {source}.",
        )
    near = similar_workbook(path, other)
    raise InputFileError(
        f"{path}: no such file (the {role}, from {source})"
        + (f"; beside it is '{near.name}'." if near else "."),
        fix=f"check {source}" + (f": did you mean '{near.name}'?" if near else "."),
    )


def check_not_lock_file(path: Path, role: str, source: str) -> None:
    """Refuse Excel's lock file (`~$…`) given for a workbook, naming the workbook it stands
    for when it is beside it."""
    if not path.name.startswith(LOCK_PREFIX):
        return
    target = locked_workbook(path)
    give = f"'{target.name}'" if target else "the workbook itself"
    raise InputFileError(
        f"{path}: this is Excel's lock file, which Excel keeps beside a workbook while it "
        f"is open, not the {role}.",
        fix=f"give {give} with {source} (names starting with ~$ are never workbooks).",
    )


def check_new_workbook(path: Path, option: str, *keep: Path | None) -> None:
    """Refuse, before any work, an output workbook (`option`, e.g. --xlsx) that could not be
    opened in Excel as one (not .xlsx), that is one of the workbooks `keep` (the tracker,
    the Master), a folder, in no folder, or any file already there (the team's other
    workbooks, esp's backups, last week's KPIs): a new workbook never replaces a file."""
    if path.suffix.lower() != ".xlsx":
        raise UsageError(
            f"{option} {path}: a new workbook's name must end in .xlsx.",
            fix=f"give {option} a file name such as 'KPIs.xlsx'.",
        )
    for other in keep:
        if other is not None and (path.exists() or path.is_symlink()) and _same(path, other):
            raise UsageError(
                f"{option} {path} is the workbook the figures are read from; esp never "
                "replaces it.",
                fix=f"give {option} a new file name, such as 'KPIs.xlsx'.",
            )
    refused = put_refusal(path, option)
    if refused is not None:
        raise UsageError(refused[0], fix=refused[1])
