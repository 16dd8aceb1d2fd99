"""People's names, compared the way a person reads them (pure: no I/O).

Every input that names a person — the tracker, the Master, a self-report's sheet row or
e-mail sender, a TBT SME cell, a proof's file name, a note's author — is compared through
`name_key`, so one name matches in all of them or in none:

- Unicode-normalised (NFKC): `José` typed on Windows and `Jose` + a combining accent from a
  macOS file name are one name; full-width letters are letters;
- case-folded;
- characters no one sees or types left out (`visible`): a zero-width space, a direction
  mark, a soft hyphen pasted with a name from a web page;
- apostrophes of every kind dropped (`O'Connor`, `O’Connor`, `OʼConnor`, `OConnor`);
- dashes of every kind, periods and other punctuation between words are spaces
  (`Garcia-Lopez` = `Garcia Lopez`, `J. Smith` = `J Smith`);
- `Last, First` turned round, and then the words in any order (`Price Devon`).

Accents are kept: `Jose` and `José` are different spellings a person would correct in the
tracker, not a match to make silently.

A name typed on the command line — an agent's, a TBT SME's, a signer's — picks its person by
one rule, `people_meant`: exactly, else without accents (a US keyboard has none), else by the
start of each word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

T = TypeVar("T")

# Apostrophes and the marks typed for one (a smart quote, a modifier letter, a prime, a
# backtick, an acute accent on its own).
_APOSTROPHES = re.compile(r"['’‘ʼʻʹ`´′ꞌ]")


# The joiners a script needs between its letters (Persian's ZWNJ, an emoji sequence's ZWJ).
_JOINERS = "\u200c\u200d"
_NO_JOINERS = str.maketrans(dict.fromkeys(_JOINERS))


def visible(text: str) -> str:
    """`text` without the characters no one sees or can type (Unicode's format characters,
    Cf: a zero-width space, a left-to-right mark, a soft hyphen, a byte order mark), as a
    person reads and types it: 'Kayla Brooks\u200b' is 'Kayla Brooks'. A zero-width joiner
    or non-joiner between two letters beyond ASCII (a script that needs it) is kept."""
    if text.isascii():  # nearly every text: the quick way
        return text
    out = []
    for i, char in enumerate(text):
        if unicodedata.category(char) != "Cf":
            out.append(char)
        elif char in _JOINERS and 0 < i < len(text) - 1:
            before, after = text[i - 1], text[i + 1]
            if not before.isascii() and not after.isascii() and not before.isspace():
                out.append(char)
    return "".join(out)


def invisible_characters(text: str) -> list[str]:
    """The characters of `text` no one sees or types (those `visible` leaves out), each
    once, in order."""
    if text.isascii():
        return []
    kept = set(visible(text))
    return list(dict.fromkeys(c for c in text if unicodedata.category(c) == "Cf" and c not in kept))


def _is_word_char(char: str) -> bool:
    """Letters, marks (an accent NFC cannot compose, an Indic vowel sign) and digits; all
    else — spaces, hyphens and dashes of every width, periods, slashes — parts words."""
    return unicodedata.category(char)[0] in "LMN"


# The commas 'Last, First' is typed with: the Arabic comma of Arabic script ('فاروق، ياسمين')
# and the full-width one of East Asian keyboards, as the ASCII one.
_COMMA = re.compile("[,\u060c\uff0c]")


def has_comma(text: str) -> bool:
    """`text` holds a comma 'Last, First' may be typed with (see _COMMA)."""
    return "," in text or "\u060c" in text or "\uff0c" in text


def display_name(raw: str) -> str:
    """'Smith,  John ' -> 'John Smith' (any comma of _COMMA); 'john smith' stays as typed
    apart from spaces."""
    text = " ".join(raw.split())
    parts = _COMMA.split(text, maxsplit=1)
    if len(parts) == 2:
        # The characters no one sees at a part's ends go with the comma (a direction mark
        # around a right-to-left name).
        last, first = (_trimmed(part) for part in parts)
        if first and last:
            return f"{first} {last}"
    return text


def _trimmed(text: str) -> str:
    """`text` without spaces, nor characters no one sees (see visible), at its ends."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start]) == "Cf"):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1]) == "Cf"):
        end -= 1
    return text[start:end]


def name_words(raw: str) -> list[str]:
    """The name's words, folded, in reading order ('Price, Devon' -> ['devon', 'price'])."""
    if raw.isascii() and raw.replace(" ", "").isalpha():  # nearly every name: the quick way
        return raw.casefold().split()
    text = unicodedata.normalize("NFKC", display_name(visible(raw))).casefold()
    # NFKC composes what it can; casefold may decompose again ('İ'), so compose once more.
    text = unicodedata.normalize("NFC", _APOSTROPHES.sub("", text))
    return "".join(c if _is_word_char(c) else " " for c in text).split()


# A company or a note after a display name: "Hassan, Amira (VendorCX)", "Sam Lee [Vendor]".
AFFILIATION = re.compile(r"(\s*(\([^()]*\)|\[[^\[\]]*\]))+\s*$")


def name_tokens(raw: str) -> tuple[str, ...]:
    """The name's folded words in sorted order: 'Price Devon', 'price, devon' and 'Devon
    Price' are the same name."""
    return tuple(sorted(name_words(raw)))


def name_key(raw: str) -> str:
    """The one key two spellings of a name share (see the module's rules)."""
    if raw.isascii() and raw.replace(" ", "").isalpha():  # name_words' quick way, inlined:
        return " ".join(sorted(raw.casefold().split()))  # asked for every agent of a sync
    return " ".join(name_tokens(raw))


def same_spelling(a: str, b: str) -> bool:
    """The same text to a person: the same letters in the same Unicode form (NFC) with any
    apostrophe typed ('O’Connor' is 'O'Connor'), the characters no one sees left out
    (visible). Case, spaces and word order still count."""
    return _spelled(a) == _spelled(b)


def _spelled(text: str) -> str:
    """`text` as same_spelling compares it: NFC, every apostrophe typed as ', the
    characters no one sees left out."""
    return _APOSTROPHES.sub("'", unicodedata.normalize("NFC", visible(text)))


def same_person(author: str, name: str) -> bool:
    """Is a note's author this agent? The same key; or a middle name or initial on one side
    only (two words at least must agree)."""
    a, b = name_tokens(author), name_tokens(name)
    if not a or not b:
        return False
    if a == b:
        return True
    small, large = (set(a), set(b)) if len(a) <= len(b) else (set(b), set(a))
    return len(small) >= 2 and small <= large


# Letters that carry their mark in themselves (no accent to set aside), as typed without it.
_PLAIN_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)
# The fewest letters a part of a name ("Dana", "Wh") must have to choose a person.
MIN_PARTIAL = 2


def unaccented(text: str) -> str:
    """`text` (a name_key: case folded) without its accents: NFKD's marks dropped, and the
    letters that have none to drop (ł, ø, đ, ı, æ...) spelled as a US keyboard types them."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bare.translate(_PLAIN_LETTERS)


def unjoined_key(raw: str) -> str:
    """The name_key of `raw` typed without its zero-width joiners and non-joiners (which
    name_key reads as parting words): 'علیرضا احمدی', as the name is often typed, is
    'علی‌رضا احمدی' so — set aside as accents are, never the same name."""
    return name_key(raw.translate(_NO_JOINERS) if not raw.isascii() else raw)


def _bare(key: str) -> list[str]:
    """The words of a name's key without accents, in order again (an accent moves a word in
    name_key's order: "ángel" sorts after "zapata", "angel" before)."""
    return sorted(unaccented(key).split())


def starts_words(wanted: list[str], words: list[str]) -> bool:
    """Does each wanted word start a different one of `words` ("dan wh" ~ "dana whitfield")?"""
    if not wanted:
        return True
    first, rest = wanted[0], wanted[1:]
    return any(
        word.startswith(first) and starts_words(rest, [*words[:i], *words[i + 1 :]])
        for i, word in enumerate(words)
    )


def people_meant(
    people: Sequence[T], query: str, name_of: Callable[[T], str], *, by_start: bool = True
) -> list[T]:
    """Of `people`, those whose name (`name_of`) `query` names. The one rule for a person's
    name typed on the command line — an agent's, a TBT SME's, a signer's — tried in turn:

    1. exactly: the same name_key (any order, case, Unicode form, apostrophe or dash);
    2. else with the accents set aside on both sides, as a US keyboard types them ("Zoe
       Nunez" is Zoë Núñez; "Rene Martin" is René Martin, not Rene Martinez), and a zero-width
       joiner or non-joiner too ("علیرضا" is "علی‌رضا");
    3. else (`by_start`) by the start of words: each word typed starts a different word of
       the name (a first name, a last name, "dan wh"), one of them MIN_PARTIAL letters at
       least — as typed and, for a query typed without accents (or when as typed fits
       nobody), also with the names' accents set aside ("Jose" fits José Ortega as well as
       Jose Ortiz: both; "José" only José Ortega).

    More than one: the query does not say which (the caller asks, never picks); none:
    nobody of `people` has that name. A query without a letter names nobody."""
    wanted = name_key(query)
    if not wanted:
        return []
    keyed = [(i, name_key(name)) for i, p in enumerate(people) if (name := name_of(p))]
    found = [i for i, key in keyed if key == wanted]
    if not found:
        # Accents, and a script's zero-width joiners and non-joiners, set aside.
        bare = _bare(unjoined_key(query))
        bare_keys = [(i, _bare(unjoined_key(name_of(people[i])))) for i, _key in keyed]
        found = [i for i, key in bare_keys if key == bare]
        words = wanted.split()
        if not found and by_start and max(map(len, words)) >= MIN_PARTIAL:
            found = [i for i, key in keyed if starts_words(words, key.split())]
            if unaccented(wanted) == wanted or not found:
                typed = set(found)
                found += [i for i, k in bare_keys if i not in typed and starts_words(bare, k)]
    return [people[i] for i in found]


def typo_distance(a: str, b: str) -> int:
    """How many letters one word is typed off another: a letter left out, added or
    changed, or two letters swapped, each one ('brook' is 1 off 'brooke', 'brooek' 1 off
    'brooke')."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        here = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            here[j] = min(row[j] + 1, here[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                here[j] = min(here[j], before[j - 2] + 1)
        before, row = row, here
    return row[-1]


def _typo_of(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with a typo: a letter or two off (one for a word of four
    letters or fewer, where two would make another name: 'Lee', 'Kim'), never the same."""
    most = 2 if len(word) > 4 else 1
    return len(word) >= 3 and 0 < typo_distance(typed, word) <= most


def close_name(written: str, name: str) -> bool:
    """Whether a name as written (in a file name: 'Kayla Brook') is close to a person's
    `name` without being it: every word of her name, one of them typed a letter or two off
    ('Brook' or 'Brooek' for Brooke). Her first name alone is not ('My', 'Al', 'Joy',
    'Grace' are words of a file name too). Only a hint of whom it points to: the caller
    says when it is enough (one person close, and more to go on)."""
    typed, words = name_words(written), name_words(name)
    if len(words) < 2 or len(typed) != len(words):
        return False
    for i, one in enumerate(typed):
        rest = sorted(typed[:i] + typed[i + 1 :])
        for j, word in enumerate(words):
            if rest == sorted(words[:j] + words[j + 1 :]) and _typo_of(one, word):
                return True
    return False


def names_meant(names: Sequence[str], query: str, *, by_start: bool = True) -> list[str]:
    """Of `names`, those `query` names (people_meant's rule)."""
    return people_meant(names, query, str, by_start=by_start)


# The agent's name in a file esp makes for them, at most: the whole name then stays well
# within the 255 characters a file name may have, and Windows' 260 for a path in most folders.
MAX_NAME_IN_FILE = 60
# Characters Windows does not allow in a file name.
_UNSAFE_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
# The agent's transcript, as the agents are told to name it and esp tbt proofs takes it.
PROOF_SUFFIX = " TBT.pdf"


def file_safe(text: str) -> str:
    """`text` as a Windows file name can hold it, as a person types it there: each character
    Windows refuses (<>:"/\\|?* and control characters) left out — a space in its place, the
    spaces run together ('Robert "Bobby" Smith' is 'Robert Bobby Smith', 'Lee: Ann Kim' is
    'Lee Ann Kim') — and the characters no one sees or types dropped (visible: 'Kayla
    Brooks\u200b' is 'Kayla Brooks'). A part of a name: what follows it keeps a dot or space
    at its end off the end of the file's name."""
    return " ".join(_UNSAFE_FILE_CHARS.sub(" ", visible(text)).split())


def unsafe_in_file(text: str) -> str:
    """The characters of `text` a Windows file name cannot hold, each once, in order."""
    return "".join(dict.fromkeys(_UNSAFE_FILE_CHARS.findall(text)))


def proof_file_name(agent: str) -> str | None:
    """'First Last TBT.pdf': the file name of the agent's TBT transcript — the agent's name
    as the tracker has it (first name first), as a file name holds it (name_in_file: a very
    long name cut, as in every file esp names after an agent). None for a name with nothing
    a file name can hold."""
    return f"{name_in_file(agent)}{PROOF_SUFFIX}" if file_safe(agent) else None


def uncut_proof_file_name(agent: str) -> str | None:
    """The agent's transcript file name with the whole name, however long (proof_file_name
    before names were cut): taken too where a file can have it. None as proof_file_name."""
    name = file_safe(agent)
    return f"{name}{PROOF_SUFFIX}" if name else None


def proof_file_key(agent: str) -> str | None:
    """The agent's transcript file name (proof_file_name) as Windows tells files apart,
    whatever their case, and as a person spells it (same_spelling): two agents with one key
    are told one file name ('Lee: Ann Kim' and 'lee ann kim'), and a file of that name is
    either's. None for a name with nothing a file name can hold."""
    name = proof_file_name(agent)
    return None if name is None else _spelled(name.casefold())


def name_in_file(agent: str) -> str:
    """The agent's name as a file name holds it: characters Windows refuses left out
    (file_safe), a very long name cut (two agents may share it: see file_stem's `tag`)."""
    name = file_safe(agent) or "agent"
    if len(name) > MAX_NAME_IN_FILE:
        # A name pasted with a note after it must not make a name no system accepts.
        name = name[:MAX_NAME_IN_FILE].rstrip(" .") + "…"
    return name


def file_stem(day: date, agent: str, what: str, tag: str = "") -> str:
    """'2026-11-24 Ana Lopez - SPOC steps': the name (without its extension) of a file esp
    makes for an agent; `tag` (the Agent ID) tells apart two agents whose names would make
    the same file name: '2026-11-24 Ana Lopez (E10315) - Documented coaching'."""
    tidy = file_safe(tag)
    return f"{day:%Y-%m-%d} {name_in_file(agent)}{f' ({tidy})' if tidy else ''} - {what}"
