"""esp document, the paper itself: the day it is dated on (a day off and a day far ahead
said, --due only on a business day), what it says is not complete as of that day, the
e-mail handing it over, the name of its signed scan, and its properties' times.

Every .docx is read back with zipfile and lxml (its text and docProps/core.xml), the .eml
with the e-mail package."""

from __future__ import annotations

import email
import email.policy
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import time_machine
from lxml import etree
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.core.advice import first_name
from esp_cli.core.calendar import BusinessCalendar, CalendarConfig
from esp_cli.core.documents import (
    Identity,
    StepDocument,
    ladder_dates,
    letter_text,
    names_agent,
    read_file_name,
    values,
)
from esp_cli.core.rules import LADDER, Step
from esp_cli.errors import ExitCode
from tests.factories import headers, tracker
from tests.test_document import (
    AGENTS,
    KAYLA,
    TODAY,
    H,
    agent,
    record_step,
    us_holidays,
    write_config,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DATE_KEYS = ("call_cert_date", "tbt_complete_date")
DATES = dict(zip(DATE_KEYS, headers(*DATE_KEYS), strict=True))
WITH_DATES = (*H.values(), *DATES.values())


def paragraphs(path: Path) -> list[str]:
    """Every paragraph of the document's body (tables included), read with zipfile + lxml."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        body = etree.fromstring(z.read("word/document.xml"))
    texts = ("".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p"))
    return [t for t in texts if t.strip()]


def core_property(path: Path, name: str) -> str:
    """A core property of the .docx as written in docProps/core.xml."""
    with zipfile.ZipFile(path) as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
    (found,) = [el.text for el in core if etree.QName(el).localname == name]
    return str(found)


def invoke(book: Path, config: Path, *args: str, when: str | datetime = TODAY) -> Any:
    with time_machine.travel(when, tick=False):
        return CliRunner().invoke(
            app, ["document", *args, "--tracker", str(book), "--config", str(config)]
        )


def sample_book(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=tuple(H.values()))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


# -- the day: a day off said whatever gave it, --due only on a business day ----------------------


@pytest.mark.parametrize(
    ("who", "step", "when", "why"),
    [
        ("Kayla Brooks", "coaching", "2026-11-28 10:00", "a Saturday"),  # today, by default
        ("Kayla Brooks", "coaching", "2026-11-26 10:00", "Thanksgiving Day"),
        ("Ana Ruiz", "written_cap", "2026-12-01 10:00", "a Saturday"),  # its recorded date
    ],
    ids=["today-a-saturday", "today-thanksgiving", "recorded-on-a-saturday"],
)
def test_a_document_dated_on_a_day_off_says_so_however_the_day_came(
    tmp_path: Path, config: Path, who: str, step: str, when: str, why: str
) -> None:
    people = [*AGENTS]
    people[1] = agent("Ana Ruiz", "E10343", coaching_date=date(2026, 11, 25),
                      written_cap_date=date(2026, 11, 28))  # fmt: skip
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    res = invoke(book, config, who, step, "--out", str(tmp_path / "out"), "--dry-run",
                 "-f", "json", when=when)  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["not_a_business_day"] == why
    warned = [line for line in res.stderr.splitlines() if "is not a business day" in line]
    assert len(warned) == 1 and f"({why})" in warned[0], res.stderr
    assert "as given" not in warned[0]  # nobody gave it


@pytest.mark.parametrize(
    ("as_of", "when", "before", "after"),
    [
        (("--as-of", "2026-11-28"), "2026-11-30 10:00", "2026-11-27", "2026-11-30"),
        ((), "2026-11-29 10:00", "2026-11-27", "2026-11-30"),  # today, a Sunday
        (("--as-of", "2026-11-26"), "2026-11-27 10:00", "2026-11-25", "2026-11-27"),
        (("--as-of", "2026-11-28"), "2026-12-06 10:00", "2026-11-27", "2026-11-30"),
        (("--as-of", "2026-11-28"), "2026-11-28 10:00", "2026-11-27", "2026-11-30"),
    ],
    ids=[
        "as-of-a-saturday",
        "today-a-sunday",
        "as-of-thanksgiving",
        "a-past-saturday",
        "today-a-saturday",
    ],
)
@pytest.mark.parametrize("record", [False, True], ids=["made", "recorded"])
def test_due_on_a_day_off_is_refused_naming_the_business_days_around_it(
    tmp_path: Path, config: Path, as_of: tuple[str, ...], when: str, before: str, after: str,
    record: bool,
) -> None:  # fmt: skip
    book = sample_book(tmp_path)
    original = book.read_bytes()
    out = tmp_path / "out"
    extra = ("--record",) if record else ()
    res = invoke(book, config, "--due", *as_of, "--out", str(out), *extra, when=when)
    assert res.exit_code == ExitCode.USAGE, res.output
    message, _, fix = res.stderr.partition("Fix:")
    assert "is not a business day" in message
    assert f"--as-of {before}" in fix
    # The next business day is offered to prepare its documents, never to record them
    # ahead of the day they are delivered.
    offered = f"--as-of {after}" in fix
    assert offered is (not record or after <= when[:10]), fix
    # Only a day still to come is one to prepare.
    assert ("to prepare" in fix) is (offered and after > when[:10]), fix
    assert not out.exists() and book.read_bytes() == original


def test_due_on_a_business_day_says_nothing_of_the_day(tmp_path: Path, config: Path) -> None:
    book = sample_book(tmp_path)
    res = invoke(book, config, "--due", "--out", str(tmp_path / "out"), "--dry-run", "-f", "json")
    assert "not_a_business_day" not in json.loads(res.stdout)
    assert "business day" not in res.stderr


@pytest.mark.parametrize(
    ("args", "far"),
    [
        (("Kayla Brooks", "coaching", "--date", "2027-11-24"), True),  # a year typed wrong
        (("Kayla Brooks", "coaching", "--date", "2026-12-02"), True),
        (("--due", "--as-of", "2026-12-03"), True),
        (("Kayla Brooks", "coaching", "--date", "2026-12-01"), False),
        (("Kayla Brooks", "coaching", "--date", "2026-11-27"), False),  # prepared the day before
    ],
    ids=[
        "a-year-ahead",
        "four-days-ahead",
        "due-five-days-ahead",
        "three-days-ahead",
        "tomorrow",
    ],  # fmt: skip
)
def test_a_document_dated_far_ahead_says_so(
    tmp_path: Path, config: Path, args: tuple[str, ...], far: bool
) -> None:
    book = sample_book(tmp_path)
    res = invoke(book, config, *args, "--out", str(tmp_path / "out"), "-n", "-f", "json")
    assert res.exit_code in (0, ExitCode.FAILED), res.output  # --due: Cy Dunn has no ID
    day = np.datetime64(args[-1])
    ahead = int(np.busday_count(np.datetime64("2026-11-26"), day + 1,
                                holidays=us_holidays(2026, 2027)))  # fmt: skip
    assert json.loads(res.stdout).get("business_days_ahead") == (ahead if far else None)
    warned = [line for line in res.stderr.splitlines() if "business days after today" in line]
    if not far:
        assert warned == [], res.stderr
    else:
        assert len(warned) == 1 and f" {ahead} business days" in warned[0], res.stderr
        assert ("--as-of" if args[0] == "--due" else "--date") in warned[0]


# -- what is not complete, as of the document's day ---------------------------------------------


def dated(name: str, agent_id: str, **values: Any) -> dict[str, Any]:
    """agent(), with the completion dates (call_cert_date, tbt_complete_date) too."""
    row = agent(name, agent_id, **{k: v for k, v in values.items() if k not in DATES})
    row.update({DATES[k]: v for k, v in values.items() if k in DATES})
    return row


LATE = [
    # Call Cert done on 11/27, after the coaching was due (11/25); TBTs not done.
    dated("Lena Cert", "L1", call_cert_complete="Yes", call_cert_date=date(2026, 11, 27)),
    # Both done by 11/30, the coaching delivered on 11/25 (recorded).
    dated(
        "Lou Both",
        "L2",
        call_cert_complete="Yes",
        call_cert_date=date(2026, 11, 27),
        tbts_complete="Yes",
        tbt_complete_date=date(2026, 11, 30),
        tbt_hours=7,
        coaching_date=date(2026, 11, 25),
    ),
    # The same, no coaching recorded.
    dated(
        "Liv Both",
        "L3",
        call_cert_complete="Yes",
        call_cert_date=date(2026, 11, 27),
        tbts_complete="Yes",
        tbt_complete_date=date(2026, 11, 30),
        tbt_hours=7,
    ),
]


@pytest.fixture
def late(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", LATE, headers=WITH_DATES)


def late_documents(late: Path, config: Path, out: Path) -> dict[str, list[str]]:
    """The days' documents, made on 12/01 as the team catches up: name -> paragraphs."""
    when = "2026-12-01 10:00"
    for args in (
        ("--due", "--as-of", "2026-11-25", "--out", str(out), "--eml"),
        ("Lou Both", "coaching", "--out", str(out), "--eml"),  # on its recorded 11/25
        ("Lou Both", "written_cap", "--date", "2026-11-27", "--out", str(out), "--eml"),
    ):
        res = invoke(late, config, *args, when=when)
        assert res.exit_code == 0, res.output
    return {p.stem: paragraphs(p) for p in sorted(out.glob("*.docx"))}


def test_a_past_days_document_says_what_was_not_complete_on_that_day(
    late: Path, config: Path, tmp_path: Path
) -> None:
    made = late_documents(late, config, tmp_path / "out")
    both = ["Call Cert: not complete", "TBTs: not complete (TBT Hours so far: 7)"]
    expected = {
        # On 11/25 nobody had completed anything.
        "2026-11-25 Lena Cert - Documented coaching": (
            "Lena's Call Certs and TBTs are not complete.",
            ["Call Cert: not complete", "TBTs: not complete (no TBT Hours recorded)"],
        ),
        "2026-11-25 Liv Both - Documented coaching": (
            "Liv's Call Certs and TBTs are not complete.", both,
        ),
        "2026-11-25 Lou Both - Documented coaching": (
            "Lou's Call Certs and TBTs are not complete.", both,
        ),
        # On 11/27 the Call Cert was done, the TBTs not yet.
        "2026-11-27 Lou Both - Written CAP": (
            "Lou's TBTs are still not complete", both[1:],
        ),
    }  # fmt: skip
    assert sorted(made) == sorted(expected)
    for stem, (sentence, missing) in expected.items():
        text = made[stem]
        assert any(p.startswith(sentence) for p in text), (stem, text)
        listed = [p for p in text if p.startswith(("Call Cert:", "TBTs:"))]
        assert listed == missing, (stem, text)
    # The e-mail handing each over says the same.
    lou = email.message_from_bytes(
        (tmp_path / "out" / "2026-11-27 Lou Both - Written CAP.eml").read_bytes(),
        policy=email.policy.default,
    )
    body = lou.get_body(("plain",))
    assert body is not None
    said = body.get_content()
    assert "- TBTs: not complete" in said and "- Call Cert" not in said
    assert "complete your TBTs within one more business day" in said


# -- the e-mail, and what its sentences say is not complete --------------------------------------


def ladder_doc(call_cert: bool, tbts: bool, step: Step = Step.COACHING) -> StepDocument:
    day = date(2026, 11, 25)
    recorded = dict.fromkeys(LADDER, date(2026, 11, 24))
    delivered, ahead = ladder_dates(recorded, step, day, BusinessCalendar(CalendarConfig()))
    return StepDocument(
        agent_name="Bad: Name?", agent_id="E5", n_number="", class_name="AET-1", tbt_sme="",
        esp_start=day, clock_start=day, target_passed=day, call_cert_complete=call_cert,
        tbts_complete=tbts, tbt_hours=None, access_issue=None, step=step, on=day,
        delivered=delivered, ahead=ahead, deliverer="Jordan Reyes",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("call_cert", "tbts", "said"),
    [
        (False, False, "Call Certs and TBTs"),
        (True, False, "TBTs"),
        (False, True, "Call Certs"),
        (True, True, None),
    ],  # fmt: skip
)
def test_not_complete_never_names_what_is_done(
    call_cert: bool, tbts: bool, said: str | None
) -> None:
    assert values(ladder_doc(call_cert, tbts))["not_complete"] == said


@pytest.mark.parametrize("step", [Step.COACHING, Step.WRITTEN_CAP, Step.FINAL_CAP])
@pytest.mark.parametrize(
    ("call_cert", "tbts", "said"),
    [(False, False, "Call Certs and TBTs"), (True, False, "TBTs"), (False, True, "Call Certs")],
)
def test_the_email_says_what_is_not_complete_as_the_document_does(
    step: Step, call_cert: bool, tbts: bool, said: str
) -> None:
    _, text = letter_text(ladder_doc(call_cert, tbts, step), "file.docx")
    follow = next(line for line in text.splitlines() if "one more business day" in line)
    assert f"your {said} " in follow, follow
    assert text.startswith("Hi Bad,\n")


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Bad: Name?", "Bad"),
        ("Zoë O'Brien", "Zoë"),
        ("Mary-Jo Lee", "Mary-Jo"),
        ("J.R. Ewing", "J.R."),
        ('"Kim" Lee', "Kim"),
        ("— Ana Ruiz", "Ana"),
        ("?!", None),
        ("", None),
        ("Dr. Rebecca Stone", "Rebecca"),
        ("Mrs Miss Jane Doe", "Jane"),
        ("PROF Ana Ruiz", "Ana"),
        ("Drew Price", "Drew"),
        ("Dr.", "Dr"),
        ("Mrs. Smith", "Mrs. Smith"),  # a title before a surname alone stays with it
        ("Mrs. Smith Jr.", "Mrs. Smith"),  # a suffix after it
        ("Ms. Van Dyke", "Ms. Van Dyke"),  # a surname that begins with a particle
        ("Dr. De La Cruz", "Dr. De La Cruz"),
        ("Ms. Dela Cruz", "Ms. Dela Cruz"),  # the particles of call-center surnames
        ("Mr. Delos Santos", "Mr. Delos Santos"),
        ("Ms. Dos Santos", "Ms. Dos Santos"),
        ("Mr. al Hassan", "Mr. al Hassan"),  # a particle that is a first name too: in
        ("Mr. el Amin", "Mr. el Amin"),  # lower case only
        ("Ms. mac Donald", "Ms. mac Donald"),
        # A first name that begins a surname too ('Al', 'Mac', 'Ben', 'Do'...) before one
        # more word: the first name and a surname, or a surname of two words ('Al Hassan'),
        # no telling which: greeted whole, right either way, never 'Hi Al,'.
        ("Mr. Al Hassan", "Mr. Al Hassan"),
        ("Mr. Mac Tran", "Mr. Mac Tran"),
        ("Mr. Al Green", "Mr. Al Green"),
        ("Dr. Ben Carter", "Dr. Ben Carter"),
        ("Mr. Do Nguyen", "Mr. Do Nguyen"),
        ("Mr. Mac Smith", "Mr. Mac Smith"),
        ("Mr. Lo Chen", "Mr. Lo Chen"),
        ("Mr. Des Walsh", "Mr. Des Walsh"),
        ("Ms. Le Tran", "Ms. Le Tran"),
        ("Mr. Al Hassan Jr.", "Mr. Al Hassan"),  # a generation after them, left out
        ("Mr. Ben C.", "Ben"),  # before an initial: the first name, as ever
        ("Mr. Al H.", "Al"),
        ("Ms. Le T", "Le"),
        ("Mr. Mac D.", "Mac"),
        # A surname cut short, letters and a period, is an initial too: the first name.
        ("Mr. Ben Ch.", "Ben"),
        ("Mr. Al Ch.", "Al"),
        ("Mr. Ben Chr. Jr.", "Ben"),
        ("Mr. Ben Ch. PhD", "Ben"),
        ("Mr. Ben St.", "Ben"),
        ("Ms. Ana Do.", "Ana"),  # no degree: a degree is 'DO' or 'D.O.'
        ("Ms. Mai Vi.", "Mai"),
        ("Dr. Smith D.O.", "Dr. Smith"),
        ("Dr. Smith DO.", "Dr. Smith"),
        ("Ms. Ann-Marie St.", "Ann-Marie"),
        # Only a short stem (three letters at most) is cut short, and none that is a word of
        # a surname in its own right ('Van', 'Le', 'Mac'): a longer word or such a one with
        # a period after it is a surname with a stray period, greeted whole as without it.
        ("Mr. Al Hassan.", "Mr. Al Hassan"),
        ("Mr. Mac Tran.", "Mr. Mac Tran"),
        ("Mrs. Le Van.", "Mrs. Le Van"),
        ("Mr. Ben Van.", "Mr. Ben Van"),
        ("Mr. Ben Mac.", "Mr. Ben Mac"),
        ("Mr. Ben Le.", "Mr. Ben Le"),
        ("Ms. Van.", "Ms. Van"),
        ("Mr. Do.", "Mr. Do"),
        ("Dr. Ben Carter.", "Dr. Ben Carter"),
        ("Mr. Al Chri.", "Mr. Al Chri"),
        # A short surname with a stray period is a surname all the same: only letters with
        # no vowel ('Ch.', 'Chr.', 'St.') are a word cut short ('Ng' is a surname of its own).
        ("Mr. Al Lee.", "Mr. Al Lee"),
        ("Mr. Al Kim.", "Mr. Al Kim"),
        ("Mr. Al Wu.", "Mr. Al Wu"),
        ("Mr. Al Ng.", "Mr. Al Ng"),
        ("Mr. Mac Lee.", "Mr. Mac Lee"),
        ("Mr. Ben Yu.", "Mr. Ben Yu"),
        ("Mr. Al Hassan.,", "Mr. Al Hassan"),
        ("Mr. Ben Chr.", "Ben"),
        ("Mr. Al Kh.", "Al"),
        ("Dr. Lee Jr.", "Dr. Lee"),  # a surname alone and a generation, as 'Mrs. Smith Jr.'
        ("Mr. John Smith Jr.", "John"),
        ("Mrs. O'Neil", "Mrs. O'Neil"),
        ("Mr. Ben Ch", "Mr. Ben Ch"),  # no period: a two-word surname as well, greeted whole
        ("Mr. AL HASSAN", "Mr. AL HASSAN"),
        ("Mr. Al James Green", "Al"),  # a first, a middle and a last name: the first
        ("Mr. John Tran", "John"),  # a plain first name, as ever
        ("Dr. Rebecca MD", "Dr. Rebecca"),  # a name alone and a degree: the name alone
        ("Mr. Bin Laden", "Mr. Bin Laden"),
        ("Dr. Ibn Sina", "Dr. Ibn Sina"),
        ("Mr. Abu Bakr", "Mr. Abu Bakr"),
        ("Dr. Smith PhD", "Dr. Smith"),  # a post-nominal after the surname
        ("Dr. Smith, MD", "Dr. Smith"),
        ("Dr. Smith, M.D.", "Dr. Smith"),
        ("Dr. Jones RN", "Dr. Jones"),
        ("Mr. Smith V", "Mr. Smith V"),  # V, VI, Do: a surname or an initial too
        ("Ms. Ana V", "Ms. Ana V"),  # greeted whole, never 'Ms. Ana'
        ("Ms. Ana Do", "Ms. Ana Do"),
        ("Ms. Mai Vi", "Ms. Mai Vi"),
        ("Dr. Smith, D.O.", "Dr. Smith"),
        ("Dr. Smith DO", "Dr. Smith"),  # in capitals: the degree, the generation
        ("Mr. Smith VI", "Mr. Smith"),
        ("Ms. El Amrani", "Ms. El Amrani"),  # El: a surname's particle, however typed
        ("Mr. El Sayed", "Mr. El Sayed"),
        ("Dr. Rebecca Stone V", "Rebecca"),
        ("Ms. Ana V.", "Ana"),  # an initial, no generation
        ("Mr. Smith Esq.", "Mr. Smith"),
        ("Ms. St. James", "Ms. St. James"),  # the dot kept as typed
        ("Ms. St James", "Ms. St James"),
        ("Dr. Rebecca Stone Jr.", "Rebecca"),
        # A title before an initial or a surname cut short alone: no name to greet by but
        # the one typed, its period kept as an initial's.
        ("Mr. C.", "Mr. C."),
        ("Mr. Ch.", "Mr. Ch."),
        ("Mr. Chr. Jr.", "Mr. Chr."),
        ("Mr. St.", "Mr. St."),
        ("Mr. C", "Mr. C"),
        # A generation is typed in capitals ('IV', 'IV.'): 'Iv.' after a first name that
        # begins a surname too is no generation but a word cut short, or a surname: no
        # telling, greeted whole as 'Mr. Ben Vi.' is.
        ("Mr. Ben Iv.", "Mr. Ben Iv"),
        ("Mr. Al Iii.", "Mr. Al Iii"),
        ("Mr. Ben Vi.", "Mr. Ben Vi"),
        ("Mr. Ben IV.", "Mr. Ben"),
        ("Mr. Ben IV", "Mr. Ben"),
        ("Mr. Smith Iv.", "Mr. Smith"),
        # Nor without the period: not in capitals, no generation after such a first name,
        # whatever the numeral; the name greeted whole as with the period, without it.
        ("Mr. Ben Iv", "Mr. Ben Iv"),
        ("Mr. Al Ii", "Mr. Al Ii"),
        ("Mr. Al Ii.", "Mr. Al Ii"),
        ("Ms. Do Iii", "Ms. Do Iii"),
        ("Ms. Do Iii.", "Ms. Do Iii"),
        ("Mr. Le Ii", "Mr. Le Ii"),
        ("Mr. Ben iv", "Mr. Ben iv"),
        ("Dr. Van Iv", "Dr. Van Iv"),
        ("Dr. Van Iv.", "Dr. Van Iv"),
        ("Dr. Van V.", "Dr. Van V."),  # an initial: its period kept
        # A letter alone, without its period: a surname or an initial as well (as 'Ms. Ana
        # V'), greeted whole in either case.
        ("Mr. Ben v", "Mr. Ben v"),
        ("Ms. Le v", "Ms. Le v"),
        ("Mr. Ben V", "Mr. Ben V"),
        ("Mr. Ben. Iv", "Mr. Ben. Iv"),  # a particle's period kept as typed ('St. James')
        ("Mr. Ben. Iv.", "Mr. Ben. Iv"),  # the last word's stray one left out
        ("Mr. Ben Iv Jr.", "Mr. Ben Iv"),  # a generation after them left out
        ("Mr. Al Ii PhD", "Mr. Al Ii"),
        ("Mr. Al II", "Mr. Al"),  # in capitals: the generation
        ("Ms. Do III.", "Ms. Do"),
        ("Mr. Smith Iv", "Mr. Smith"),  # after a word that begins no surname: the generation
        ("Mr. Smith Ii", "Mr. Smith"),
        ("Mr. Smith Vi", "Mr. Smith Vi"),  # a surname as well, as 'Ms. Mai Vi'
        ("Mr. Smith Vi.", "Smith"),  # a surname cut short, as 'Ms. Mai Vi.' is Mai
        ("De La Cruz Ana", "De"),  # no title: the first word, as a tracker's name is read
        ("Dr.Rebecca Stone", "Rebecca"),  # typed with no space after the title
        ("Dra. Ana Lopez", "Ana"),  # Spanish titles
        ("Sr. Juan Perez", "Juan"),
        ("Srta.Lucia Gomez", "Lucia"),
        # A vowel with an accent is a vowel ('Lê', 'Võ', 'Đỗ'): a short surname with a
        # stray period, as 'Mr. Le.' is; a letter alone stays an initial ('Mr. Ž.').
        ("Ms. Lê.", "Ms. Lê"),
        ("Mr. Sá.", "Mr. Sá"),
        ("Ms. Võ.", "Ms. Võ"),
        ("Mr. Hồ.", "Mr. Hồ"),
        ("Mr. Lý.", "Mr. Lý"),
        ("Mr. Đỗ.", "Mr. Đỗ"),
        ("Ms. Ñú.", "Ms. Ñú"),
        ("Mr. Øst.", "Mr. Øst"),
        ("Mr. Ben Lê.", "Mr. Ben Lê"),
        ("Mr. Al Sá.", "Mr. Al Sá"),
        ("Mr. Ben Đỗ.", "Mr. Ben Đỗ"),
        ("Mr. Ž.", "Mr. Ž."),
        ("Mr. Ben Ž.", "Ben"),
        ("Mr. Ben Đ.", "Ben"),
        ("Mr. Ben Čh.", "Ben"),  # no vowel, accents aside: cut short
        # A word of a script with no capitals and no vowels is a whole word, never an
        # initial: its period is a stray one.
        ("Mr. 王.", "Mr. 王"),
        ("Mr. 王", "Mr. 王"),
        ("Mr. Ben 王.", "Mr. Ben 王"),
        ("Ms. 李娜.", "Ms. 李娜"),
    ],
)
def test_a_first_name_is_a_word_without_the_punctuation_around_it(
    name: str, first: str | None
) -> None:
    assert first_name(name) == first


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Mr. Ben Ch.", "Hi Ben,"),
        ("Mr. Ben C.", "Hi Ben,"),
        ("Mr. Al Hassan", "Hi Mr. Al Hassan,"),
        ("Mr. Al Hassan.", "Hi Mr. Al Hassan,"),
        ("Mrs. Le Van.", "Hi Mrs. Le Van,"),
        ("Mr. Ch.", "Hi Mr. Ch.,"),
        ("Mr. C.", "Hi Mr. C.,"),
        ("Mr. Ben Iv.", "Hi Mr. Ben Iv,"),
        ("Mr. Ben Iv", "Hi Mr. Ben Iv,"),
        ("Mr. Al Ii", "Hi Mr. Al Ii,"),
        ("Ms. Lê.", "Hi Ms. Lê,"),
        ("Mr. 王.", "Hi Mr. 王,"),
    ],
)
def test_the_email_greets_an_agent_whose_surname_is_cut_short_by_the_first_name(
    name: str, greeting: str
) -> None:
    import dataclasses

    doc = dataclasses.replace(ladder_doc(False, False), agent_name=name)
    _, text = letter_text(doc, "file.docx")
    assert text.splitlines()[0] == greeting, text


def test_the_email_to_john_jr_asks_only_for_his_tbts(tmp_path: Path, config: Path) -> None:
    people = [agent("Bad: Name?", "E5", tbts_complete="Yes", email="bad@vendorcx.com"),
              agent("John Smith Jr.", "E6", call_cert_complete="Yes")]  # fmt: skip
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    res = invoke(book, config, "--due", "--as-of", "2026-11-25", "--out", str(tmp_path), "--eml")
    assert res.exit_code == 0, res.output
    bodies = {}
    for path in tmp_path.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = msg.get_body(("plain",))
        assert body is not None
        bodies[path.stem] = body.get_content()
    john = bodies["2026-11-25 John Smith Jr. - Documented coaching"]
    assert "Should you not complete your TBTs within one more business day" in john
    assert "Call Certs" not in john
    bad = bodies["2026-11-25 Bad Name - Documented coaching"]
    assert bad.startswith("Hi Bad,\r\n") and "complete your Call Certs within" in bad
    text = paragraphs(tmp_path / "2026-11-25 Bad Name - Documented coaching.docx")
    assert any(p.startswith("Bad's Call Certs are not complete.") for p in text), text


# -- the signed scan of an agent whose name ends in brackets ------------------------------------


@pytest.mark.parametrize(
    ("name", "agent_id"),
    [("Ana Lopez (Annie)", "E20"), ("Lee, Kim (KJ)", "E21"), ("Ana Lopez (Annie)", None)],
    ids=["nickname", "last-first-nickname", "no-agent-id"],
)
def test_the_signed_scan_of_an_agent_whose_name_ends_in_brackets_is_accepted(
    tmp_path: Path, config: Path, name: str, agent_id: str | None
) -> None:
    people = [agent(name, agent_id)]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    who = agent_id or name
    res = invoke(book, config, who, "coaching", "--out", str(tmp_path), "-f", "json")
    if agent_id is None:  # the document needs the Agent ID: the scan of one made by hand
        assert res.exit_code == ExitCode.FAILED
        stem = f"2026-11-25 {name} - Documented coaching"
    else:
        assert res.exit_code == 0, res.output
        stem = Path(json.loads(res.stdout)["documents"][0]["file"]).stem
    scan = tmp_path / f"{stem} signed.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
    res = record_step(book, config, who, "coaching", "--document", str(scan), "-f", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["document"] == scan.name


def test_a_bracketed_tag_is_still_checked_as_an_agent_id_where_it_is_one() -> None:
    e2 = read_file_name("2026-11-25 Ana Lopez (E2) - Documented coaching signed")
    assert e2 is not None
    assert names_agent(e2, "Ana Lopez", "E2", 3)
    assert not names_agent(e2, "Ana Lopez", "E3", 3)  # the namesake's
    annie = read_file_name("2026-11-25 Ana Lopez (Annie) (E20) - Documented coaching")
    assert annie is not None
    assert names_agent(annie, "Ana Lopez (Annie)", "E20", 3)
    assert not names_agent(annie, "Ana Lopez (Annie)", "E22", 3)
    # A stamp names the agent by Agent ID: a namesake's copy is refused.
    stamp = Identity(Step.COACHING, date(2026, 11, 25), "Ana Lopez", "E2")
    assert not names_agent(stamp, "Ana Lopez", "E3", 3)
    nickname = read_file_name("2026-11-25 Ana Lopez (Annie) - Documented coaching")
    assert nickname is not None
    assert not names_agent(nickname, "Ana Lopez", "E5", 3)  # another Ana Lopez


# -- the properties -------------------------------------------------------------------------------


def test_created_and_modified_are_the_utc_time(tmp_path: Path, config: Path) -> None:
    book = sample_book(tmp_path)
    evening = datetime(2026, 11, 25, 22, 30, 15, tzinfo=ZoneInfo("America/New_York"))
    res = invoke(book, config, "Kayla Brooks", "coaching", "--date", "2026-11-25", "--out",
                 str(tmp_path), when=evening)  # fmt: skip
    assert res.exit_code == 0, res.output
    made = tmp_path / f"{KAYLA}.docx"
    assert core_property(made, "created") == "2026-11-26T03:30:15Z"
    assert core_property(made, "modified") == "2026-11-26T03:30:15Z"


# -- the access issue, as it was on the document's day -------------------------------------------


def test_a_past_days_document_states_the_access_issue_as_it_was_on_that_day(
    tmp_path: Path, config: Path
) -> None:
    people = [agent("Ada Later", "A1"), agent("Cy Cleared", "A2", citrix_access="Equipment Issue")]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    when = "2026-12-01 10:00"  # the team catches up on 11/25's documents
    for change in (("Ada Later", "Equipment Issue"), ("Cy Cleared", "No Issues")):
        with time_machine.travel("2026-12-01 09:00", tick=False):
            res = CliRunner().invoke(app, ["access", "set", *change, "--tracker", str(book),
                                           "--config", str(config)])  # fmt: skip
        assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    for args in (("Ada Later", "coaching", "--date", "2026-11-25"),
                 ("--due", "--as-of", "2026-11-25")):  # fmt: skip
        res = invoke(book, config, *args, "--out", str(out), "--eml", when=when)
        assert res.exit_code == 0, res.output
    said = {}
    for stem in ("Ada Later", "Cy Cleared"):
        name = f"2026-11-25 {stem} - Documented coaching"
        message = email.message_from_bytes((out / f"{name}.eml").read_bytes(),
                                           policy=email.policy.default)  # fmt: skip
        body = message.get_body(("plain",))
        assert body is not None
        lines = [*paragraphs(out / f"{name}.docx"), *body.get_content().splitlines()]
        said[stem] = [line.lstrip("- ") for line in lines if "Citrix TBT Access" in line]
    assert said["Ada Later"] == []  # recorded on 12/01: no issue on 11/25
    assert said["Cy Cleared"] == ["Citrix TBT Access issue: Equipment Issue"] * 2, said
