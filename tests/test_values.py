"""Cell values as the team types them."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esp_cli.columns import alias_table, match_header, normalise_header
from esp_cli.values import (
    Unreadable,
    display_name,
    name_key,
    parse_date,
    parse_datetime,
    parse_number,
    parse_yes_no,
    text_of,
)

NOV23 = date(2026, 11, 23)


@pytest.mark.parametrize(
    "raw",
    [
        NOV23,
        datetime(2026, 11, 23, 14, 5),
        46349,
        46349.6,
        "46349",
        "11/23/2026",
        "11/23/26",
        "2026-11-23",
        "Nov 23, 2026",
        "November 23, 2026",
        " 11/23/2026 ",
        "11/23/2026 2:30 PM",
        "2026-11-23T09:00:00",
    ],
)
def test_dates_typed_every_way(raw: object) -> None:
    assert parse_date(raw) == NOV23


def test_1904_serials() -> None:
    assert parse_date(44887, date1904=True) == NOV23


@pytest.mark.parametrize(
    "raw", ["TBD", "11/31/2026", "13/01/2026", True, 5, "9999-12-31", "12/31/10000"]
)
def test_unreadable_dates_raise(raw: object) -> None:
    with pytest.raises(Unreadable):
        parse_date(raw)


def test_blank_is_none() -> None:
    assert parse_date(None) is None and parse_date("  ") is None


def test_datetime() -> None:
    assert parse_datetime("11/23/2026 2:30 PM") == datetime(2026, 11, 23, 14, 30)
    assert parse_datetime(46349.5) == datetime(2026, 11, 23, 12, 0)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Yes", True),
        ("Y", True),
        ("yes ", True),
        (True, True),
        ("x", True),
        ("Complete", True),
        ("TRUE", True),
        (1, True),
        ("No", False),
        ("N", False),
        (False, False),
        ("no", False),
        (None, None),
        ("", None),
    ],
)
def test_yes_no_variants(raw: object, expected: bool | None) -> None:
    assert parse_yes_no(raw) is expected


def test_yes_no_unreadable() -> None:
    with pytest.raises(Unreadable, match="not Yes or No"):
        parse_yes_no("maybe")


def test_numbers() -> None:
    assert parse_number("6.5 hrs") == 6.5
    assert parse_number("7:30") == 7.5
    assert parse_number(9) == 9.0


def test_names_in_either_order() -> None:
    assert display_name("Price,  Devon ") == "Devon Price"
    assert name_key("PRICE, DEVON") == name_key("devon  price") == "devon price"
    assert name_key("O'Neil, Pat") == name_key("Pat ONeil")


def test_text_of_ids_and_spaces() -> None:
    assert text_of(10234.0) == "10234"
    assert text_of("  N123  ") == "N123"


@pytest.mark.parametrize(
    "header,key",
    [
        ("Agent ID", "agent_id"),
        ("Employee ID", "agent_id"),
        ("Emp ID", "agent_id"),
        ("Date of N Number Request", "n_number_requested"),
        ("N Number Request Date", "n_number_requested"),
        ("Date Requested", "n_number_requested"),
        ("Request Date", "n_number_requested"),
        ("N Number", "n_number"),
        ("N#", "n_number"),
        ("NNumber", "n_number"),
        ("Agent Name", "agent_name"),
        ("Name", "agent_name"),
        ("Employee Name", "agent_name"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("Class", "class"),
        ("Class ID", "class"),
        ("Class Name", "class"),
        ("Wave", "class"),
        ("All TBTs Complete?", "tbts_complete"),
        ("  all tbts  complete ", "tbts_complete"),
        ("Call Cert Complete", "call_cert_complete"),
    ],
)
def test_header_aliases(header: str, key: str) -> None:
    assert match_header(header, alias_table()) == key


def test_configured_alias_wins() -> None:
    table = alias_table({"Agent ID": ["Associate #"]})
    assert match_header("Associate #", table) == "agent_id"
    assert normalise_header("Date of N Number Request?") == "date of n number request"


def _name_key_reference(raw: str) -> str:
    """The name key spelled out step by step, without name_key's shortcut for plain names."""
    text = " ".join(raw.split())
    if "," in text:
        last, _, first = text.partition(",")
        if first.strip() and last.strip():
            text = f"{first.strip()} {last.strip()}"
    text = re.sub(r"[^\w\s'-]", " ", text.lower())
    return " ".join(re.sub(r"[-']", "", text).split())


@given(st.text(alphabet=st.sampled_from("abcXYZéÑ ,.'-\t1_"), max_size=30))
def test_name_key_shortcut_matches_the_full_rules(raw: str) -> None:
    assert name_key(raw) == _name_key_reference(raw)
