"""Whole numbers as Excel shows them under a number format that makes them text-like.

A team types an N Number or an Agent ID as a number and formats the column `0000000` or
`"E"0000`, so Excel shows `0048290` or `E0042`. Reading the bare number (48290) would
match nothing and write the wrong ID. Only the formats such columns use are rendered here:
digit placeholders (0 # ?), literal text (quoted, escaped, or the characters Excel shows as
they are), sections (positive;negative;zero) and conditions (Excel's Phone Number format
`[<=9999999]###-####;(###) ###-####`). Anything else (decimals, thousands separators,
percent, exponents, fractions, dates, text placeholders) is not this module's to show:
`shown_integer` returns None and the value is read as it is.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Characters Excel shows as they are, without quotes.
_LITERAL = set(" $-+():!^&'~{}<>=")
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d+)?)\]")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "<>": operator.ne,
}


@dataclass(frozen=True)
class _Section:
    tokens: tuple[tuple[str, str], ...]  # ("digit", "0"|"#"|"?") or ("text", literal)
    condition: tuple[str, float] | None


def _split_sections(code: str) -> list[str]:
    out, part, quoted, bracket = [], [], False, False
    i = 0
    while i < len(code):
        ch = code[i]
        if ch == "\\" and not quoted and i + 1 < len(code):
            part.append(code[i : i + 2])
            i += 2
            continue
        if ch == '"' and not bracket:
            quoted = not quoted
        elif ch == "[" and not quoted:
            bracket = True
        elif ch == "]" and not quoted:
            bracket = False
        if ch == ";" and not quoted and not bracket:
            out.append("".join(part))
            part = []
        else:
            part.append(ch)
        i += 1
    out.append("".join(part))
    return out


def _section(text: str) -> _Section | None:
    tokens: list[tuple[str, str]] = []
    condition = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                return None
            tokens.append(("text", text[i + 1 : end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(text):
            tokens.append(("text", text[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < len(text):
            tokens.append(("text", " "))  # space as wide as the next character
            i += 2
        elif ch == "*" and i + 1 < len(text):
            i += 2  # fill with the next character: nothing to show in text
        elif ch == "[":
            end = text.find("]", i)
            if end < 0:
                return None
            inner = text[i + 1 : end]
            cond = _CONDITION.fullmatch(text[i : end + 1])
            if cond:
                condition = (cond.group(1), float(cond.group(2)))
            elif inner.startswith("$"):
                symbol = inner[1:].split("-", 1)[0]  # [$€-407]: the symbol, then a locale
                if symbol:
                    tokens.append(("text", symbol))
            elif not re.fullmatch(r"[A-Za-z]+\d*", inner):  # [Red], [Color10]
                return None
            i = end + 1
        elif ch in "0#?":
            tokens.append(("digit", ch))
            i += 1
        elif ch in _LITERAL:
            tokens.append(("text", ch))
            i += 1
        else:
            return None  # . , % E @ / d m y h s G...: not a whole-number text format
    return _Section(tuple(tokens), condition)


@functools.lru_cache(maxsize=256)
def _parse(code: str) -> tuple[_Section, ...] | None:
    sections = [_section(s) for s in _split_sections(code)]
    if not sections or any(s is None for s in sections) or len(sections) > 4:
        return None
    parsed = tuple(s for s in sections if s is not None)
    if not any(t[0] == "digit" for t in parsed[0].tokens):
        return None
    return parsed


def text_like(code: str) -> bool:
    """Whether the format shows a whole number otherwise than as its plain digits
    (leading zeros, literal text): a column formatted so holds IDs, not quantities."""
    sections = _parse(code)
    if sections is None:
        return False
    first = sections[0].tokens
    zeros = sum(1 for kind, ch in first if kind == "digit" and ch in "0?")
    return zeros > 1 or any(kind == "text" for kind, _ in first) or len(sections) > 1


def _pick(sections: tuple[_Section, ...], value: float) -> tuple[_Section, bool]:
    """The section that shows `value`, and whether a minus sign goes before it."""
    if any(s.condition for s in sections):
        for s in sections:
            if s.condition is None or _OPS[s.condition[0]](value, s.condition[1]):
                return s, value < 0 and s.condition is None and s is sections[0]
        return sections[-1], value < 0
    if len(sections) == 1 or value > 0 or (value == 0 and len(sections) < 3):
        return sections[0], value < 0
    if value < 0:
        return sections[1], False
    return sections[2], False


def shown_integer(value: float, code: str) -> str | None:
    """The text Excel shows for `value` under `code`, or None when this module does not
    render that format (the caller then keeps the value as it is)."""
    sections = _parse(code)
    if sections is None:
        return None
    section, minus = _pick(sections, value)
    digits = str(Decimal(abs(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if digits == "0":
        digits = ""
    places = [i for i, (kind, _) in enumerate(section.tokens) if kind == "digit"]
    if not places:
        return "".join(text for _, text in section.tokens)
    shown: dict[int, str] = {}
    rest = digits
    for i in reversed(places):
        ch = section.tokens[i][1]
        if rest:
            shown[i], rest = rest[-1], rest[:-1]
        else:
            shown[i] = "0" if ch == "0" else " " if ch == "?" else ""
    if rest:  # more digits than places: they go before the first
        shown[places[0]] = rest + shown[places[0]]
    out = "".join(
        shown[i] if kind == "digit" else text for i, (kind, text) in enumerate(section.tokens)
    )
    return ("-" if minus else "") + out
