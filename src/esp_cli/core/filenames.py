"""The order a folder's files are taken in, as Windows Explorer lists them (pure: no I/O).

An original comes before its copies (`Report.msg`, `Report (1).msg`, `Report (2).msg`, ...
`Report (10).msg`, `Report - Copy.msg`): a name is compared without its extension first,
case aside, and runs of digits as numbers. Sorting the plain names instead puts
`Report (1).msg` before `Report.msg` (a space sorts before a dot) and `(10)` before `(2)`,
so a copy would be taken first and its original called the copy.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TypeVar

_DIGITS = re.compile(r"(\d+)")


P = TypeVar("P", bound=PurePath)  # a path, pure or not


def _natural(text: str) -> tuple[str | int, ...]:
    # re.split with a group alternates text and digits, text first: every key holds a str
    # at even places and an int at odd ones, so any two compare.
    parts = _DIGITS.split(text.casefold())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def explorer_order(path: PurePath) -> tuple[tuple[str | int, ...], tuple[str | int, ...], str]:
    """Sort key of a file by its name, as Explorer lists a folder (see the module)."""
    name = path.name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:  # no extension, or a name such as ".hidden"
        stem, suffix = name, ""
    return _natural(stem), _natural(suffix), name


def next_name(path: P) -> P:
    """The name after `path` in a numbered series, as Windows numbers copies: 'Name.eml' ->
    'Name (2).eml' -> 'Name (3).eml'."""
    numbered = re.fullmatch(r"(.*) \((\d+)\)", path.stem)
    stem, n = (numbered.group(1), int(numbered.group(2)) + 1) if numbered else (path.stem, 2)
    return path.with_name(f"{stem} ({n}){path.suffix}")
