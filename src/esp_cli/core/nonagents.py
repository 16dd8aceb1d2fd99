"""Rows of an agent sheet that hold no agent: a totals row, the header row repeated
(pure: no I/O).

One row per agent: a row is set aside only on evidence no agent's row carries — its
identity cells read as the headers of their columns, or its Agent Name is a number or a
count that a formula computes, or it reads "Total" and counts other rows. An Excel table's
own Totals Row is set aside as the table declares it (workbook.tracker).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from esp_cli.core.columns import BY_KEY, match_header
from esp_cli.core.formulas import is_a_count
from esp_cli.core.values import is_blank

IDENTITY = ("agent_name", "agent_id", "email")
# The cells that say who or which class a row is: a repeated header row repeats them all.
OWN_HEADER_KEYS = ("class", *IDENTITY)

# The whole cell, but for punctuation and figures: Total, TOTALS:, Grand Total, Sub-total,
# Sum, Count, Total: 72. A word more ("Count Basie", "Total Care") and it is no label.
_TOTALS_LABEL = re.compile(
    r"^[^a-z\n]*(?:grand[^a-z\n]*total|sub[^a-z\n]*totals?|totals?|sum|count)[^a-z\n]*$",
    re.I | re.M,
)


def is_totals_label(text: object) -> bool:
    """Whether a cell reads as a totals row's label: Total, Totals:, Grand Total, Subtotal,
    Sum, Count (with punctuation or figures only)."""
    return isinstance(text, str) and _TOTALS_LABEL.fullmatch(text) is not None


@dataclass(frozen=True)
class HeaderText:
    """The texts that read as one column's header (normalised as columns.normalise_header
    does: case, spacing and punctuation aside), found in one search over many texts."""

    lines: re.Pattern[str]  # a line reading as one of the spellings
    words: tuple[str, ...]  # a word of each spelling, lower case: a text without any is none

    @classmethod
    def of(cls, spellings: Iterable[str]) -> HeaderText:
        """From normalised spellings ('agent name', 'agentname', 'name')."""
        words = sorted({tuple(s.split()) for s in spellings if s.strip()}, key=len, reverse=True)
        gap = r"[^0-9a-z#\n]*"
        alternatives = "|".join(gap.join(re.escape(part) for part in w) for w in words)
        return cls(
            re.compile(rf"^{gap}(?:{alternatives}){gap}$", re.I | re.M),
            tuple(sorted({max(w, key=len) for w in words})),
        )


def odd_texts(texts: list[str], header: HeaderText | None, numbers: bool = False) -> set[str]:
    """Those of `texts` (a column's distinct texts) that read as a totals label or as the
    column's `header`, or, with `numbers`, that start with a digit (no agent's name does;
    a count does: '74 agents'). When none does, as in nearly every column, a few byte
    searches over them all tell."""
    blob = "\n".join(texts)
    low = blob.lower()
    label = any(word in low for word in ("total", "sum", "count"))
    echo = header is not None and any(word in low for word in header.words)
    digit = numbers and any(d in blob for d in "0123456789")
    if not (label or echo or digit):
        return set()
    return {
        t
        for t in texts
        if (label and _TOTALS_LABEL.fullmatch(t))
        or (echo and header is not None and header.lines.fullmatch(t))
        or (digit and _LEADING_DIGIT.match(t))
    }


_LEADING_DIGIT = re.compile(r"\s*[0-9]")


def repeats_header(cells: Mapping[str, Any], table: Mapping[str, str]) -> bool:
    """Whether a row repeats the header row: each of its Class, Agent Name, Agent ID and
    Email cells that is filled reads as its own column's header (`table`: header spellings
    -> column key, columns.alias_table), and at least one is filled."""
    seen = False
    for key in OWN_HEADER_KEYS:
        value = cells.get(key)
        if value is None or is_blank(value):
            continue
        if not isinstance(value, str) or match_header(value, table) != key:
            return False
        seen = True
    return seen


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def counting_row(
    row: int, cells: Mapping[str, Any], formulas: Mapping[str, str], others: Iterable[str]
) -> str | None:
    """Why row `row` is a totals row, not an agent (None: nothing says so).

    `cells`: its Class and identity cells as read (a formula's cached result); `formulas`:
    the formulas of those cells (text without '='), by column key; `others`: every formula
    of the row. A totals row is one whose Agent Name (or Email) is a number or a count a
    formula computes (=COUNTA(B5:B78) shows 74), whose only identity is an Agent ID so
    computed, or which reads "Total" in its Class or identity and has a cell that shows a
    count of other rows (=COUNTIF(L5:L78,"Yes"))."""
    for key in ("agent_name", "email"):
        text = formulas.get(key)
        if text is not None and (is_number(cells.get(key)) or is_a_count(text, row)):
            return f"its {BY_KEY[key].header} is a count a formula makes (={text})"
    text = formulas.get("agent_id")
    alone = is_blank(cells.get("agent_name")) and is_blank(cells.get("email"))
    if text is not None and alone and is_a_count(text, row):
        return f"its only identity is an Agent ID a formula counts (={text})"
    label = next((cells[k] for k in OWN_HEADER_KEYS if is_totals_label(cells.get(k))), None)
    if label is not None:
        counting = next((f for f in others if is_a_count(f, row)), None)
        if counting is not None:
            return f"it reads '{' '.join(str(label).split())}' and counts other rows (={counting})"
    return None
