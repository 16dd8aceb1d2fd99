"""The one name matcher (names.py): every spelling a person reads as the same name is one
key, in any order, case, Unicode form, apostrophe or dash; different names stay apart. And
the e-mail sender reader gives that name back, however the From header encodes it."""

from __future__ import annotations

import unicodedata
from email.utils import formataddr

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from esp_cli.core.names import (
    close_name,
    display_name,
    name_key,
    name_tokens,
    name_words,
    same_person,
)
from esp_cli.mail.selfreports import parse_email

LETTERS = "abcdefghijklmnopqrstuvwxyzéèñüöøçãåßĳ"  # ĳ: NFKC makes it "ij"
APOSTROPHES = ("'", "’", "‘", "ʼ")
DASHES = ("-", "‐", "‑", "–", "—")


@st.composite
def name_part(draw: st.DrawFn) -> str:
    """A first or last name: letters, maybe two parts joined by an apostrophe or a dash
    ("O'Connor", "Garcia-Lopez"), capitalised as people type them."""
    parts = draw(st.lists(st.text(LETTERS, min_size=1, max_size=8), min_size=1, max_size=2))
    joiner = draw(st.sampled_from(["'", "-"]))
    word = joiner.join(p.capitalize() for p in parts)
    return word


def reading(first: str, last: str) -> list[str]:
    """The words a person reads in a name, written independently of names.py: the letters
    of each part, apostrophes closed up, dashes as spaces, case and Unicode form ignored."""
    text = unicodedata.normalize("NFKC", f"{first} {last}").casefold().replace("'", "")
    return sorted(unicodedata.normalize("NFC", text).replace("-", " ").split())


def as_typed(draw: st.DrawFn, first: str, last: str) -> str:
    """The same name as some person, program or file system wrote it."""
    order = draw(st.sampled_from(["{f} {l}", "{l}, {f}", "{l},{f}", "{l} {f}", " {f}  {l} "]))
    text = order.format(f=first, l=last)
    text = text.replace("'", draw(st.sampled_from(APOSTROPHES)))
    text = text.replace("-", draw(st.sampled_from(DASHES)))
    text = draw(st.sampled_from([str.upper, str.lower, str.title, str]))(text)
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"])), text)


@given(st.data(), name_part(), name_part())
def test_every_spelling_of_a_name_is_one_key(data: st.DataObject, first: str, last: str) -> None:
    typed = as_typed(data.draw, first, last)
    assert name_key(typed) == name_key(f"{first} {last}")
    assert list(name_tokens(typed)) == reading(first, last)
    assert same_person(typed, f"{first} {last}")


@given(name_part(), name_part(), name_part(), name_part())
def test_different_names_are_different_keys(a: str, b: str, c: str, d: str) -> None:
    assume(reading(a, b) != reading(c, d))
    assert name_key(f"{a} {b}") != name_key(f"{c} {d}")


@given(st.data(), name_part(), name_part())
def test_a_sender_name_is_read_back_in_any_encoding(
    data: st.DataObject, first: str, last: str
) -> None:
    """A From header as mail programs write it (RFC 2047 encoded words, `Last, First`
    quoted) gives the sender's name and address back, and the name matches."""
    name = as_typed(data.draw, first, last).strip()
    assume(name_words(name))
    charset = data.draw(st.sampled_from(["utf-8", "iso-8859-1"]))
    try:
        header = formataddr((name, "agent.7@example.com"), charset=charset)
    except UnicodeEncodeError:
        header = formataddr((name, "agent.7@example.com"), charset="utf-8")
    mail = (
        f"From: {header}\r\nDate: Tue, 24 Nov 2026 17:30:00 -0500\r\nSubject: ESP\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nDid 2 TBTs.\r\n"
    ).encode()
    report = parse_email(mail, "a.eml")
    assert report.email == "agent.7@example.com"
    assert name_key(report.name) == name_key(f"{first} {last}")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Brian O'Connor", "Brian O’Connor"),
        ("Brian O'Connor", "OCONNOR, BRIAN"),
        ("José García", unicodedata.normalize("NFD", "García, José")),
        ("Ana Garcia-Lopez", "Garcia Lopez, Ana"),
        ("Ana Garcia–Lopez", "ana garcia lopez"),
        ("Devon J. Price", "Price, Devon J"),
        ("Price Devon", "Devon Price"),
        ("ＤＥＶＯＮ Price", "devon price"),  # full-width letters (an IME)
    ],
)
def test_the_same_name(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Jose Garcia", "José García"), ("Devon Price", "Devon Prince"), ("Ana Lee", "Ana")],
)
def test_not_the_same_name(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_display_name_turns_last_first_round() -> None:
    assert display_name("Price,  Devon ") == "Devon Price"
    assert display_name("Devon Price") == "Devon Price"
    assert display_name("Price,") == "Price,"
    # The Arabic comma, as Arabic script types it (direction marks around the name), and
    # the full-width one: a comma all the same.
    assert display_name("\u200fفاروق، ياسمين\u200f") == "ياسمين فاروق"
    assert display_name("Lee，Kim") == "Kim Lee"


@given(st.text(alphabet=st.sampled_from("aZ ,.-'’éİß\t\u00a0"), max_size=16))
def test_a_names_key_is_its_sorted_folded_words(raw: str) -> None:
    """name_key's quick way for plain names gives the key its words give."""
    assert name_key(raw) == " ".join(name_tokens(raw))


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("Dana Whitfield", ["Dana Whitfield"]),
        ("whitfield, dana", ["Dana Whitfield"]),
        ("Dana", ["Dana Whitfield", "Dana Ortiz"]),  # ambiguous: both
        ("dan wh", ["Dana Whitfield"]),
        ("Jose", ["José Ortega"]),  # typed without the accent
        ("René L", ["Rene Lam"]),  # no René: the one typed without it
        ("D", []),  # one letter is too little
        ("Sam Lead", []),
    ],
)
def test_the_people_a_name_means(query: str, meant: list[str]) -> None:
    from esp_cli.core.names import names_meant

    assert names_meant(["Dana Whitfield", "Dana Ortiz", "José Ortega", "Rene Lam"], query) == meant


@pytest.mark.parametrize(
    ("raw", "seen"),
    [
        ("Kayla Brooks\u200b", "Kayla Brooks"),  # a zero-width space pasted with the name
        ("\ufeffMarcus Lee\u200e", "Marcus Lee"),  # a BOM, a left-to-right mark
        ("Re\u00adbecca Stone", "Rebecca Stone"),  # a soft hyphen inside a word
        ("Kayla\u200bBrooks", "KaylaBrooks"),  # shown as one word: read as one
        ("\u0645\u06cc\u200c\u0631\u0627", "\u0645\u06cc\u200c\u0631\u0627"),  # ZWNJ a script needs
    ],
)
def test_invisible_characters_are_no_part_of_a_name(raw: str, seen: str) -> None:
    from esp_cli.core.names import file_safe, visible

    assert visible(raw) == seen
    assert file_safe(raw) == seen
    assert name_key(raw) == name_key(seen)


@pytest.mark.parametrize(
    ("written", "close"),
    [
        ("Kayla Brook", True),  # a letter left out
        ("Kayla Brookee", True),  # one added
        ("Kayla Brooek", True),  # two swapped
        ("Kayla Brroke", True),
        ("Kayla Brooke", False),  # her name: no typo
        ("kayla", False),  # her first name alone: a word, not a person
        ("My", False),  # 'My TBT.pdf' is not My Nguyen's
        ("Kayla Brooke TBT", False),  # another word
        ("Brooke", False),  # her surname alone
        ("Kayla Bro", False),  # three letters off
        ("Kayla Anne Brooke", False),  # another word
        ("Rebecca Stone", False),
    ],
)
def test_a_name_close_to_an_agents_is_her_whole_name_a_letter_or_two_off(
    written: str, close: bool
) -> None:
    assert close_name(written, "Brooke, Kayla") is close


@pytest.mark.parametrize("word", ["My", "Al", "Jo", "Joy", "Grace", "Hope"])
def test_a_first_name_alone_is_close_to_no_one(word: str) -> None:
    """Al, Jo, Joy, Grace are words of a file name as well as first names."""
    assert not close_name(word, f"{word} Nguyen")


def test_a_short_word_is_close_only_a_letter_off() -> None:
    """'Lee' two letters off is another name ('Li', 'Lev'…): one letter at most."""
    assert close_name("Kim Le", "Kim Lee") and not close_name("Kim Lo", "Kim Lee")
