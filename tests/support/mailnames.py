"""How a test tells that a mail reader read back the names esp wrote."""

from __future__ import annotations

import re

# Two encoded words in a row, a fold between them (RFC 2047 6.2: read as one run of text).
ADJACENT_WORDS = re.compile(r"\?=\s+=\?")


def same_names(got: list[tuple[str, str]], want: list[tuple[str, str]], header: str) -> bool:
    """The names and addresses Python's newer parser reads (`got`) are the ones typed;
    where the `header` as written holds encoded words in a row, that parser reads a space
    between them (CPython gh-128110; RFC 2047, Outlook and the compat32 reader read none):
    the name is then the typed one give or take spaces, never another."""
    if got == want:
        return True
    if not ADJACENT_WORDS.search(str(header)) or len(got) != len(want):
        return False
    return all(
        ga == wa and "".join(gn.split()) == "".join(wn.split())
        for (gn, ga), (wn, wa) in zip(got, want, strict=True)
    )
