"""Shell completion of agent names, and the agents a mistyped command line may name.

`esp --install-completion` (Typer's) sets up the person's shell; then Tab after a command
that takes an AGENT offers the names in the tracker: the one named by --tracker on the
line, else ESP_TRACKER, else esp.toml's [tracker] path. Completion never fails aloud: with
no tracker found, or one that cannot be read, it offers nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from esp_cli.core.names import names_meant


def tracker_on_line(words: Sequence[str]) -> Path | None:
    """The --tracker (-t) given on a command line, if any."""
    for i, word in enumerate(words):
        if word in ("--tracker", "-t") and i + 1 < len(words):
            return Path(words[i + 1])
        if word.startswith("--tracker="):
            return Path(word.split("=", 1)[1])
    return None


def known_names(words: Sequence[str]) -> list[str]:
    """The agents' names in the tracker a command line would use; [] when there is none."""
    try:
        from esp_cli.config import load_config
        from esp_cli.services.agents import agent_names

        given = tracker_on_line(words)
        config = load_config(None, tracker=given)
        return agent_names(config.tracker_path(given), config)
    except Exception:  # noqa: BLE001 - completion and hints offer nothing rather than fail
        return []


def offered(names: Sequence[str], typed: str) -> list[str]:
    """The names Tab offers for what is typed: every name the command would take it for
    (names_meant: "zoe" is Zoë Núñez, "brooks" Kayla Brooks), and every name it is the
    start of, any case (one letter, or "Ana Lee" that starts Ana Leeds too). Each is a
    whole name from the tracker, so the command finds that agent by it."""
    wanted = typed.strip("\"'")
    meant = set(names_meant(names, wanted))
    start = wanted.casefold()
    return [n for n in names if n in meant or n.casefold().startswith(start)]


def complete_agent(words: Sequence[str], incomplete: str) -> list[str]:
    """The completions of an AGENT typed so far, each name as the shell must get it."""
    found = offered(known_names(words), incomplete)
    shell = os.environ.get("_ESP_COMPLETE", "").removeprefix("complete_")
    return [for_shell(name, shell) for name in found]


# What a shell takes as it is in a word: letters, digits and these.
_PLAIN = frozenset("@%+=,./_-")


def for_shell(name: str, shell: str) -> str:
    """A name as `shell` inserts it on the command line, so that the command gets it whole:
    bash inserts a completion as it is (every space and metacharacter escaped with a
    backslash, as bash does for a file name: Brian\\ O\\'Connor); PowerShell too (in single
    quotes, ' doubled); fish escapes what it inserts itself. Typer hands zsh's completions
    to it in single quotes with a ' doubled, which zsh reads as no ' at all: there the
    apostrophe is the typographic one, which finds the same agent (names.name_key)."""
    if shell == "bash":
        return "".join(ch if ch.isalnum() or ch in _PLAIN else "\\" + ch for ch in name)
    if shell in ("powershell", "pwsh"):
        if all(ch.isalnum() or ch in _PLAIN for ch in name):
            return name
        return "'" + name.replace("'", "''") + "'"
    if shell == "zsh":
        return name.replace("'", "\u2019")
    return name


def name_at_start(words: Sequence[str], names: Sequence[str]) -> int:
    """How many of `words` name an agent, as the command takes a name (names_meant): the
    longest run at their start that names one exactly (either order, any case, or without
    its accents), else the longest that names one by the start of its words ("dev",
    "devon pr"); 0 when they start with none."""
    for by_start in (False, True):
        for n in range(len(words), 0, -1):
            if names_meant(names, " ".join(words[:n]), by_start=by_start):
                return n
    return 0
