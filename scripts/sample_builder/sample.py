"""The realistic sample: an ESP Tracker and the files around it, for Tuesday 2026-11-24.

`build_sample(dest)` writes the team's tracker (three classes on one sheet), the client's
Master N Number Tracker, the agents' progress-report sheet, four self-report e-mails and an
esp.toml. The data below is written out by hand, value by value as the team would have typed
it: real dates next to text dates and bare serial numbers, `Y`/`TRUE`/`x`/`Complete` for yes,
stray spaces, a `Last, First` name, an `#N/A`, an impossible date. Every agent is placed on
the calendar (US holidays: Veterans Day Wed 11-11, Thanksgiving Thu 11-26) so that on the
reference date each rule of docs/rules.md has someone to fire for; the comment beside an agent
says what the tool should find. Nothing is random, so the output is identical on every run.
"""

from __future__ import annotations

import base64
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TypedDict

from scripts.sample_builder.build import (
    HEADER,
    TITLE,
    WRAP,
    Cell,
    ConditionalFormat,
    DataValidation,
    DefinedName,
    ErrorValue,
    Formula,
    Highlight,
    Scalar,
    SheetSpec,
    WorkbookSpec,
    X14ListValidation,
    column_letter,
    write_workbook,
)

REFERENCE_DATE = date(2026, 11, 24)  # the sample's "today": Tuesday before Thanksgiving
COORDINATOR = "Jordan Reyes"
COORDINATOR_EMAIL = "jordan.reyes@vendorcx.com"
EMAIL_DOMAIN = "vendorcx.com"

TRACKER_FILE = "ESP Tracker.xlsx"
MASTER_FILE = "Master N Number Tracker.xlsx"
PROGRESS_FILE = "ESP Agent Progress Report.xlsx"
SELF_REPORTS_DIR = "self-reports"
PROOFS_DIR = "tbt-proofs"  # written by write_proofs: only the demo uses them
CONFIG_FILE = "esp.toml"
# Where the sample ships: esp's package data, copied into its folder by `esp demo`.
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "src" / "esp_cli" / "sample"

TRACKER_SHEET = "ESP Tracker"
LISTS_SHEET = "Lists"
TITLE_ROW = 1
UPDATED_ROW = 2
HEADER_ROW = 4
FIRST_DATA_ROW = 5
VALIDATION_LAST_ROW = 200  # the team applied drop-downs and formats well past the data

ACCESS_OPTIONS = (
    "No Issues",
    "Password Reset",
    "No Citrix Apps Showing",
    "Learning Hub Issue",
    "Cannot Locate TBT",
    "Equipment Issue",
    "Other",
)


def d(month: int, day: int) -> date:
    """A 2026 date: the whole sample lives in autumn 2026."""
    return date(2026, month, day)


def dt(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute)


def serial(month: int, day: int) -> int:
    """The Excel serial number of a 2026 date, as someone typing a bare number gets it."""
    return (d(month, day) - date(1899, 12, 30)).days


# ------------------------------------------------------------------------------ tracker


class _Inherit(Enum):
    """Marks a tracker field that takes its class's value (or is derived from the name)."""

    CLASS = "class"


INHERIT = _Inherit.CLASS
Field = Scalar | _Inherit


@dataclass(frozen=True)
class Agent:
    """One tracker row; each value is the cell's content exactly as typed."""

    name: str
    agent_id: str
    n_number: Scalar = None
    requested: Field = INHERIT  # Date of N Number Request; INHERIT: the class's request date
    start: Field = INHERIT  # ESP Start Date; INHERIT: the class's usual start
    cert_start: Scalar = None
    cert_done: Scalar = None
    cert_date: Scalar = None
    tbt_hours: Scalar = None
    tbts_done: Scalar = None
    tbt_date: Scalar = None
    access: Scalar = None
    spoc_called: Scalar = None
    incident: Scalar = None
    callback: Scalar = None
    searched: Scalar = None
    coaching: Scalar = None
    written_cap: Scalar = None
    final_cap: Scalar = None
    term_review: Scalar = None
    notes: tuple[str, ...] = ()
    tbt_notes: tuple[str, ...] = ()
    # Identity cells; INHERIT derives them: e-mail first.last@vendorcx.com, the class's
    # certifier and SME by position, phone (614) 555-01NN by tracker position.
    email: Field = INHERIT
    phone: Field = INHERIT
    certifier: Field = INHERIT
    sme: Field = INHERIT
    class_cell: Field = INHERIT  # to type the class with a stray space


class _Progress(TypedDict, total=False):
    cert_start: Scalar
    cert_done: Scalar
    cert_date: Scalar
    tbt_hours: Scalar
    tbts_done: Scalar
    tbt_date: Scalar
    access: Scalar


def done(
    cert_day: int,
    tbt_day: int,
    hours: float,
    cert: Scalar = "Yes",
    tbts: Scalar = "Yes",
    *,
    cert_date: Scalar = None,
    tbt_date: Scalar = None,
    access: str = "No Issues",
) -> _Progress:
    """A fully complete agent: Call Certs passed on `cert_day` and all TBTs done on `tbt_day`
    of November; cert_date/tbt_date replace the real dates when the cell was typed otherwise."""
    return {
        "cert_start": dt(11, cert_day, 9, 30),
        "cert_done": cert,
        "cert_date": d(11, cert_day) if cert_date is None else cert_date,
        "tbt_hours": hours,
        "tbts_done": tbts,
        "tbt_date": d(11, tbt_day) if tbt_date is None else tbt_date,
        "access": access,
    }


@dataclass(frozen=True)
class ClassBlock:
    name: str
    requested: Scalar  # the usual Date of N Number Request
    start: Scalar  # the usual ESP Start Date
    certifiers: tuple[str, ...]
    smes: tuple[str, ...]
    agents: tuple[Agent, ...]


# AET-1102: N Numbers requested Mon 11-02 (15 business days before 11-24, past the 10-day
# SPOC point since Tue 11-17); ESP started Mon 11-16: behind target from Wed 11-18, coaching
# due Thu 11-19. Mostly complete; the rest walk the escalation ladder.
AET_1102 = ClassBlock(
    name="AET-1102",
    requested=d(11, 2),
    start=d(11, 16),
    certifiers=("Dana Whitfield", "Marcus Bell"),
    smes=("Dana Whitfield",),
    agents=(
        Agent("Maria Gonzalez", "E10201", "N482913", **done(17, 18, 6.5)),
        # Complete by the tool's reading; the sheet's Status formula says "Open" (Y != Yes).
        Agent("James Whitaker", "E10202", "N482914", **done(17, 17, 5, cert="Y", tbts="Y")),
        Agent("Aaliyah Johnson", "E10203", "N482915", **done(17, 18, 7, cert=True)),
        Agent("Kevin Tran", "E10204", "N482916", **done(18, 18, 6, cert="x", tbts="Complete")),
        Agent(
            "Sofia Rossi",
            "E10205",
            "N482917",
            email="Sofia.Rossi@VendorCX.com ",  # capitals and a trailing space
            **done(17, 19, 7.5, cert="yes "),
        ),
        Agent("Darnell Price", "E10206", "N482918", **done(17, 18, 6)),
        Agent(
            "Emily Chen",
            "E10207",
            "N482919",
            **done(17, 18, 5.5, cert_date="11/17/2026"),  # a text date
        ),
        Agent(
            "Rachel Adams",
            "E10208",
            "N482920",
            **done(17, 18, 6, tbt_date=serial(11, 18)),  # a bare serial number
        ),
        Agent("Brandon Lee", "E10209", "N482921", start=d(11, 17), **done(18, 19, 7)),
        Agent("Hannah Schmidt", "E10210", "N482922", **done(18, 18, 4.5)),
        # Complete after a coaching: a recorded step, no further action.
        Agent(
            "Luis Ramirez",
            "E10211",
            "N482923",
            coaching=d(11, 19),
            notes=(
                "11/19/2026 - Jordan Reyes - Documented coaching: finish TBTs by EOD 11/20.",
                "11/20/2026 - Jordan Reyes - All TBTs complete; proofs uploaded.",
            ),
            **done(18, 20, 7.5),
        ),
        # Complete; a password issue was solved through SPOC last week.
        Agent(
            "Tiffany Moore",
            "E10212",
            "N482924",
            spoc_called=d(11, 17),
            incident="INC0047731",
            callback="(614) 555-0190",
            tbt_notes=(
                "Dana Whitfield - 11/17/2026 - Password reset loop in Citrix; SPOC called.",
                "Dana Whitfield - 11/18/2026 - Reset worked, agent back in the Learning Hub.",
            ),
            **done(18, 19, 6.5, access="Password Reset"),
        ),
        Agent("Omar Haddad", "E10213", "N482925", requested=None, **done(17, 18, 6)),
        Agent("Grace Kim", "E10214", "N482926", requested=None, **done(17, 17, 5)),
        Agent("Jasmine Carter", "E10215", "N482927", **done(18, 19, 8)),
        Agent("Victor Nunez", "E10216", "N482928", **done(17, 18, 6)),
        # Term review recorded today: the ladder is finished (red row in the sheet).
        Agent(
            "Derek Simmons",
            "E10217",
            "N482929",
            cert_start=dt(11, 17, 13),
            cert_done="Yes",
            cert_date=d(11, 17),
            tbt_hours=3,
            tbts_done="No",
            access="No Issues",
            coaching=d(11, 19),
            written_cap=d(11, 20),
            final_cap=d(11, 23),
            term_review=d(11, 24),
            notes=(
                "11/19/2026 - Jordan Reyes - Documented coaching delivered; TBTs due by EOD.",
                "11/20/2026 - Jordan Reyes - Written CAP delivered.",
                "11/23/2026 - Jordan Reyes - Final CAP delivered.",
                "11/24/2026 - Jordan Reyes - Sent to term review with HR.",
            ),
        ),
        # Term review due today (final CAP recorded 11-23); TBT Hours over the 8 h timebox;
        # Learning Hub Issue with every SPOC column filled.
        Agent(
            "Monique Dubois",
            "E10218",
            "N482930",
            cert_start=dt(11, 17, 10),
            cert_done="Yes",
            cert_date=d(11, 17),
            tbt_hours=9.5,
            tbts_done="No",
            access="Learning Hub Issue",
            spoc_called=d(11, 17),
            incident="INC0048213",
            callback="(380) 555-0143",
            coaching=d(11, 19),
            written_cap=d(11, 20),
            final_cap=d(11, 23),
            notes=(
                "11/19/2026 - Jordan Reyes - Documented coaching delivered.",
                "11/20/2026 - Jordan Reyes - Written CAP delivered.",
                "11/23/2026 - Jordan Reyes - Final CAP delivered; term review if not done 11/24.",
            ),
            tbt_notes=(
                "Dana Whitfield - 11/17/2026 - Learning Hub shows a blank page after login.",
                "Dana Whitfield - 11/17/2026 - SPOC called, INC0048213, callback (380) 555-0143.",
                "Dana Whitfield - 11/23/2026 - Still waiting on SPOC callback.",
            ),
        ),
        # Final CAP due today: coaching typed as a bare serial, written CAP as text.
        # Cannot Locate TBT with the course-number search done.
        Agent(
            "Ethan Brooks",
            "E10219",
            "N482931",
            cert_start=dt(11, 18, 9),
            cert_done="Yes",
            cert_date=d(11, 18),
            tbt_hours=6,
            tbts_done="No",
            access="Cannot Locate TBT",
            searched="Yes",
            coaching=serial(11, 19),
            written_cap="11/23/2026",
            notes=(
                "11/19/2026 - Jordan Reyes - Documented coaching delivered.",
                "11/23/2026 - Jordan Reyes - Written CAP delivered.",
            ),
            tbt_notes=(
                "Dana Whitfield - 11/20/2026 - Cannot find TBT 'Appeals & Grievances'.",
                "Dana Whitfield - 11/20/2026 - Screenshots of course number and name searches "
                "sent to Torrey, Amanda and Danielle.",
            ),
        ),
        # Written CAP overdue 2 business days (due Fri 11-20). No Citrix Apps Showing: SPOC
        # called but no Incident Number, past the 10-day point. The Master conflicts with
        # this agent's request date (11/02 here, 11/03 there).
        Agent(
            "Priyanka Shah",
            "E10220",
            "N482932",
            tbt_hours=2,
            tbts_done="No",
            access="No Citrix Apps Showing",
            spoc_called=d(11, 18),
            coaching=d(11, 19),
            notes=("11/19/2026 - Jordan Reyes - Documented coaching delivered.",),
            tbt_notes=(
                "Dana Whitfield - 11/18/2026 - No Citrix apps after login; SPOC called, "
                "no ticket given.",
            ),
        ),
        # Coaching overdue 3 business days (due Thu 11-19, nothing recorded); the Call Cert
        # started yesterday and is still open: far over the 4 h timebox.
        Agent(
            "Tyrone Jackson",
            "E10221",
            "N482933",
            cert_start=dt(11, 23, 10, 15),
            cert_done="No",
            tbt_hours=7,
            tbts_done="Yes",
            tbt_date=d(11, 18),
            access="No Issues",
            notes=("11/23/2026 - Jordan Reyes - Call Cert started with Marcus Bell.",),
        ),
        # Written CAP due today (coaching late, recorded 11-23 as a date-time). Password
        # Reset with an Incident Number but no Callback Phone.
        Agent(
            "Natalie Ford",
            "E10222",
            "N482934",
            tbt_hours=4,
            tbts_done="N",
            access="Password Reset",
            spoc_called=d(11, 17),
            incident="INC0048377",
            coaching=dt(11, 23, 14, 30),
            notes=("11/23/2026 - Jordan Reyes - Documented coaching delivered (late).",),
            tbt_notes=("Dana Whitfield - 11/17/2026 - SPOC called for password reset.",),
        ),
        # Final CAP overdue 1 business day (written CAP 11-20). Equipment Issue.
        Agent(
            "Samuel Okoye",
            "E10223",
            "N482935",
            cert_start=dt(11, 17, 11),
            cert_done="Yes",
            cert_date=d(11, 17),
            tbt_hours=5,
            tbts_done="No",
            access="Equipment Issue",
            coaching=d(11, 19),
            written_cap=d(11, 20),
            notes=(
                "11/19/2026 - Jordan Reyes - Documented coaching delivered.",
                "11/20/2026 - Jordan Reyes - Written CAP delivered.",
            ),
            tbt_notes=(
                "Dana Whitfield - 11/19/2026 - Laptop will not launch Citrix; told agent to "
                "print the Learning Hub transcript to PDF and e-mail it.",
            ),
        ),
        # Started Tue 11-17 (coaching due Fri 11-20, recorded then); written CAP 11-23:
        # final CAP due today. Access "Other".
        Agent(
            "Carmen Ortiz",
            "E10224",
            "N482936",
            start=d(11, 17),
            tbt_hours=6,
            tbts_done="No",
            access="Other",
            coaching=d(11, 20),
            written_cap=d(11, 23),
            notes=(
                "11/20/2026 - Jordan Reyes - Documented coaching delivered.",
                "11/23/2026 - Jordan Reyes - Written CAP delivered.",
            ),
            tbt_notes=("Dana Whitfield - 11/20/2026 - TBT video freezes at 80%; retrying.",),
        ),
    ),
)

# AET-1109: N Numbers requested Mon 11-09 (with Veterans Day, the 10-day SPOC point is today,
# Tue 11-24); ESP starts Wed 11-18 .. Sat 11-21. Two TBT SMEs.
AET_1109 = ClassBlock(
    name="AET-1109",
    requested=d(11, 9),
    start=d(11, 18),
    certifiers=("Priya Natarajan", "Tom Alvarez"),
    smes=("Priya Natarajan", "Tom Alvarez"),
    agents=(
        Agent("Andre Williams", "E10301", "N519204", **done(19, 19, 6)),
        Agent("Bianca Morales", "E10302", "N519205", **done(19, 20, 7)),
        Agent("Chloe Bennett", "E10303", "N519206", **done(19, 19, 5.5)),
        Agent(
            "Daniel Kowalski",
            "E10304",
            "N519207",
            start=dt(11, 18, 8),  # a date-time in the start column
            **done(19, 20, 6),
        ),
        Agent("Fatima Ali", "E10305", "N519208", **done(20, 20, 6.5)),
        Agent("Gabriel Santos", "E10306", "N519209", **done(19, 20, 7, tbts="yes")),
        Agent("Isabel Cruz", "E10307", "N519210", class_cell="AET-1109 ", **done(19, 19, 5)),
        Agent("Julian Pierce", "E10308", "N519211", **done(20, 23, 7.5)),
        Agent("Leah Goldberg", "E10309", "N519212", **done(19, 20, 6)),
        Agent(
            "Malik Robinson",
            "E10310",
            "N519213",
            **done(19, 20, 6, cert="Complete", tbts="Complete"),
        ),
        Agent("Nina Petrova", "E10311", "N519214", start=d(11, 19), **done(20, 23, 7)),
        Agent("Oscar Mendoza", "E10312", "N519215", start=d(11, 19), **done(20, 20, 5)),
        Agent("Paige Sullivan", "E10313", "N519216", start=d(11, 20), **done(23, 23, 8)),
        # Started Wed 11-18: coaching recorded Mon 11-23, so the written CAP is due today.
        # Self-reports by e-mail.
        Agent(
            "Kayla Brooks",
            "E10314",
            "N519217",
            tbt_hours=4,
            tbts_done="No",
            access="No Issues",
            coaching=d(11, 23),
            notes=(
                "11/23/2026 - Jordan Reyes - Documented coaching delivered.",
                "11/23/2026 - Kayla Brooks - 5 of 8 TBTs done, waiting on a Certifier.",
            ),
        ),
        # Started 11-18, coaching due Mon 11-23 and not recorded: 1 business day overdue.
        # E-mails from a personal address (display name only).
        Agent(
            "Marcus Lee",
            "E10315",
            "N519218",
            tbt_hours=1,
            tbts_done="No",
            tbt_notes=("Tom Alvarez - 11/23/2026 - Agent says Citrix login fails; checking.",),
        ),
        # Started Thu 11-19: behind target since Mon 11-23; coaching due today.
        Agent(
            "Rebecca Stone",
            "E10316",
            "N519219",
            start=d(11, 19),
            tbt_hours=5,
            tbts_done="No",
            access="No Issues",
        ),
        # Started 11-19 (coaching due today). Password Reset with no SPOC column filled, at
        # the 10-day point today: call SPOC, get an Incident Number, leave a callback.
        Agent(
            "Xavier Dunn",
            "E10317",
            "N519220",
            start=d(11, 19),
            tbt_hours=0,
            tbts_done="No",
            access="Password Reset",
        ),
        # docs/rules.md's worked example: started Fri 11-20, behind target from today, coaching
        # due Wed 11-25. Request date left blank for the Master sync to fill.
        Agent(
            "Yasmin Farouk",
            "E10318",
            "N519221",
            requested=None,
            start=d(11, 20),
            tbt_hours=6,
            tbts_done="No",
            access="No Issues",
        ),
        # Started Sat 11-21: the clock starts Mon 11-23; coaching due Fri 11-27. Not behind.
        Agent(
            "Zachary Holt",
            "E10319",
            "N519222",
            requested=None,
            start=d(11, 21),
            tbt_hours=3,
            tbts_done="No",
            access="No Issues",
        ),
        # Cannot Locate TBT without the course-number search yet.
        Agent(
            "Amira Hassan",
            "E10320",
            "N519223",
            start=d(11, 20),
            tbt_hours=5,
            tbts_done="No",
            access="Cannot Locate TBT",
            searched="No",
            tbt_notes=("Priya Natarajan - 11/23/2026 - Cannot find 'Pharmacy Overview' by name.",),
        ),
        # No Citrix Apps Showing with every SPOC column filled; coaching due today.
        Agent(
            "Brian O'Connor",
            "E10321",
            "N519224",
            start=d(11, 19),
            tbt_hours=1,
            tbts_done="No",
            access="No Citrix Apps Showing",
            spoc_called=d(11, 23),
            incident="INC0049102",
            callback="(937) 555-0188",
            tbt_notes=(
                "Tom Alvarez - 11/23/2026 - No apps in StoreFront. SPOC called, INC0049102, "
                "callback (937) 555-0188.",
            ),
        ),
        # An impossible ESP Start Date: the tool must name the cell and go on.
        Agent(
            "Celeste Moreau",
            "E10322",
            "N519225",
            start="11/31/2026",
            tbt_hours=2,
            tbts_done="No",
            access="No Issues",
        ),
        # Learning Hub Issue at the 10-day point: SPOC called, no Incident Number.
        Agent(
            "Diego Fernandez",
            "E10323",
            "N519226",
            start=d(11, 20),
            tbt_hours=2,
            tbts_done="No",
            access="Learning Hub Issue",
            spoc_called=d(11, 23),
        ),
        # Call Cert started this morning and still open (over 4 h by the afternoon).
        Agent(
            "Erin Walsh",
            "E10324",
            "N519227",
            start=d(11, 19),
            cert_start=dt(11, 24, 8, 30),
            tbt_hours=8,
            tbts_done="Yes",
            tbt_date=d(11, 23),
            access="No Issues",
        ),
        # Coaching 11-23 and written CAP today: the final CAP is not due until Wed 11-25.
        Agent(
            "Farah Siddiqui",
            "E10325",
            "N519228",
            tbt_hours=6,
            tbts_done="No",
            access="No Issues",
            coaching=d(11, 23),
            written_cap=d(11, 24),
            notes=(
                "11/23/2026 - Jordan Reyes - Documented coaching delivered.",
                "11/24/2026 - Jordan Reyes - Written CAP delivered.",
            ),
        ),
        # Equipment Issue; e-mails the transcript PDF. Request date blank (sync fills it).
        Agent(
            "Hector Vargas",
            "E10326",
            "N519229",
            requested=None,
            start=d(11, 20),
            cert_start=dt(11, 23, 13),
            cert_done="Yes",
            cert_date=d(11, 23),
            tbt_hours=7,
            tbts_done="No",
            access="Equipment Issue",
            tbt_notes=(
                "Tom Alvarez - 11/23/2026 - Work laptop cannot run Citrix; sent the external "
                "Learning Hub steps.",
            ),
        ),
    ),
)

# AET-1116: N Numbers requested Mon 11-16 (6 business days ago: no SPOC escalation yet);
# ESP started Mon 11-23 or today, or not at all yet. Start dates typed every way.
AET_1116 = ClassBlock(
    name="AET-1116",
    requested=d(11, 16),
    start=d(11, 23),
    certifiers=("Keisha Grant", "Marcus Bell"),
    smes=("Keisha Grant",),
    agents=(
        Agent("Abigail Turner", "E10401", "N560311", **done(23, 24, 6)),
        Agent("Benjamin Cole", "E10402", "N560312", **done(24, 24, 5.5)),
        Agent("Camila Ortega", "E10403", "N560313", **done(23, 23, 6)),
        # A "Last, First" name and a two-digit-year text start date.
        Agent(
            "Nguyen, Thao",
            "E10404",
            "N560314",
            start="11/23/26",
            tbt_hours=3,
            tbts_done="No",
            access="No Issues",
        ),
        Agent(
            "Dylan Foster",
            "E10405",
            "N560315",
            start="2026-11-23",
            cert_done="No",
            tbt_hours=4,
            tbts_done="N",
            access="No Issues",
        ),
        Agent(
            "Elena Vasquez",
            "E10406",
            "N560316",
            start="Nov 23, 2026",
            tbt_hours=2.5,
            tbts_done="No",
            access="No Issues",
        ),
        Agent(
            "Felix Wagner",
            "E10407",
            "N560317",
            start=serial(11, 23),  # typed as a bare number
            tbt_hours=5,
            tbts_done="No",
            access="No Issues",
        ),
        # Password Reset, SPOC called today; 6 business days since the request: no advice yet.
        Agent(
            "Gianna Russo",
            "E10408",
            "N560318",
            start="11/23/2026",
            tbt_hours=0,
            tbts_done="No",
            access="Password Reset",
            spoc_called=d(11, 24),
            tbt_notes=(
                "Keisha Grant - 11/24/2026 - Password expired on first login; SPOC called.",
            ),
        ),
        # Equipment Issue on day one; request date left for the Master's name-only row.
        Agent(
            "Hassan Karimi",
            "E10409",
            "N560319",
            requested=None,
            start=d(11, 24),
            access="Equipment Issue",
        ),
        Agent("Ivy Lin", "E10410", "N560320", start=d(11, 24), tbt_hours=2, tbts_done="No"),
        # Call Cert running since 9:00 today.
        Agent(
            "Jamal Wright",
            "E10411",
            "N560321",
            start=d(11, 24),
            cert_start=dt(11, 24, 9),
            tbt_hours=1,
        ),
        # Not started yet: no ESP Start Date, no N Number, no request date.
        Agent("Kendra Hayes", "E10412", requested=None, start=None),
        Agent("Lucas Moreno", "E10413", requested=None, start=None),
        # "TBD" as a start date, and a pasted #N/A where the N Number lookup failed.
        Agent("Mei Tanaka", "E10414", ErrorValue("#N/A"), requested=None, start="TBD"),
        Agent("Noah Fischer", "E10415", requested=None, start=None),
        Agent(
            "Olivia Harper",
            "E10416",
            "N560322",
            tbt_hours=3,
            tbts_done="No",
            access="Other",
            tbt_notes=("Keisha Grant - 11/24/2026 - Headset not recognised; IT ticket opened.",),
        ),
        Agent(
            "Pedro Alves",
            "E10417",
            "N560323",
            cert_start=dt(11, 23, 11),
            cert_done="Yes",
            cert_date=d(11, 23),
            tbt_hours=3,
            tbts_done="No",
            access="No Issues",
        ),
        Agent("Quinn Murphy", "E10418", "N560324", start=d(11, 24), tbts_done="No"),
        Agent("Riya Patel", "E10419", "N560325", **done(23, 24, 6.5, cert="Y", tbts=True)),
        Agent("Sean Gallagher", "E10420", "N560326", start=d(11, 24), tbt_hours=0.5),
        Agent(
            "Tamara Wells",
            "E10421",
            "N560327",
            tbt_hours=4,
            tbts_done="No",
            access="Cannot Locate TBT",
        ),
        Agent("Uriel Castillo", "E10422", "N560328", start=d(11, 24), tbts_done="No"),
    ),
)

CLASSES: tuple[ClassBlock, ...] = (AET_1102, AET_1109, AET_1116)

# (Agent field or computed key, header, width). Order = the sheet's columns, A..AB.
TRACKER_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("class_cell", "Class", 10),
    ("name", "Agent Name", 20),
    ("agent_id", "Agent ID", 10),
    ("email", "Email", 30),
    ("phone", "Phone", 15),
    ("n_number", "N Number", 11),
    ("requested", "Date of N Number Request", 13),
    ("certifier", "Certifier", 16),
    ("sme", "TBT SME", 16),
    ("start", "ESP Start Date", 12),
    ("cert_start", "Call Cert Start", 16),
    ("cert_done", "Call Cert Complete?", 11),
    ("cert_date", "Call Cert Complete Date", 12),
    ("tbt_hours", "TBT Hours", 8),
    ("tbts_done", "All TBTs Complete?", 11),
    ("tbt_date", "TBT Complete Date", 12),
    ("access", "Citrix TBT Access", 22),
    ("spoc_called", "SPOC Called Date", 12),
    ("incident", "SPOC Incident Number", 14),
    ("callback", "Callback Phone", 15),
    ("searched", "Searched by Course Number", 12),
    ("coaching", "Coaching Date", 12),
    ("written_cap", "Written CAP Date", 12),
    ("final_cap", "Final CAP Date", 12),
    ("term_review", "Term Review Date", 12),
    ("notes", "Notes", 60),
    ("tbt_notes", "TBT Notes", 60),
    ("status", "Status", 10),
)
COLUMN_LETTERS: dict[str, str] = {
    header: column_letter(i) for i, (_, header, _) in enumerate(TRACKER_COLUMNS, start=1)
}
_COL = {key: column_letter(i) for i, (key, _, _) in enumerate(TRACKER_COLUMNS, start=1)}


def _email_for(name: str) -> str:
    if "," in name:  # "Last, First"
        last, first = (part.strip() for part in name.split(",", 1))
        name = f"{first} {last}"
    local = ".".join(name.lower().replace("'", "").split())
    return f"{local}@{EMAIL_DOMAIN}"


def _excel_equals(value: Scalar, text: str) -> bool | ErrorValue:
    """`cell="Yes"` as Excel computes it: case-insensitive text equality, no trimming; a
    boolean or number never equals text; an error propagates."""
    if isinstance(value, ErrorValue):
        return value
    if value is None:
        return text == ""
    return isinstance(value, str) and value.casefold() == text.casefold()


def _status(agent: Agent, row: int) -> Formula:
    cert, tbts = _COL["cert_done"], _COL["tbts_done"]
    text = f'IF(AND({cert}{row}="Yes",{tbts}{row}="Yes"),"Complete","Open")'
    a, b = _excel_equals(agent.cert_done, "Yes"), _excel_equals(agent.tbts_done, "Yes")
    for part in (a, b):
        if isinstance(part, ErrorValue):
            return Formula(text, part)
    return Formula(text, "Complete" if a and b else "Open")


def tracker_agents() -> list[tuple[int, ClassBlock, Agent]]:
    """(row, class, agent) in sheet order: classes one after another, one blank row between."""
    placed = []
    row = FIRST_DATA_ROW
    for block in CLASSES:
        for agent in block.agents:
            placed.append((row, block, agent))
            row += 1
        row += 1  # the team leaves a blank row between classes
    return placed


def _tracker_row(
    row: int, position: int, index: int, block: ClassBlock, agent: Agent
) -> dict[str, Cell | Scalar]:
    derived: dict[str, Scalar] = {
        "class_cell": block.name,
        "requested": block.requested,
        "start": block.start,
        "email": _email_for(agent.name),
        "phone": f"(614) 555-{100 + position:04d}",
        "certifier": block.certifiers[index % len(block.certifiers)],
        "sme": block.smes[index % len(block.smes)],
    }
    cells: dict[str, Cell | Scalar] = {}
    for f in fields(Agent):
        value = getattr(agent, f.name)
        if value is INHERIT:
            value = derived[f.name]
        if f.name in ("notes", "tbt_notes"):
            value = Cell("\n".join(value), WRAP) if value else None
        if value is not None:
            cells[_COL[f.name]] = value
    cells[_COL["status"]] = _status(agent, row)
    return cells


NOTE_CHARS_PER_LINE = 66  # about what a 60-wide Calibri 11 column shows before wrapping
ROW_HEIGHT = 15  # points per line of Calibri 11


def _row_height(agent: Agent) -> float | None:
    """The height Excel's autofit gives a row whose notes wrap (None: the default)."""
    lines = max(
        sum(max(1, math.ceil(len(line) / NOTE_CHARS_PER_LINE)) for line in note)
        for note in (agent.notes, agent.tbt_notes)
    )
    return ROW_HEIGHT * lines if lines > 1 else None


def tracker_spec() -> WorkbookSpec:
    rows: dict[int, dict[str, Cell | Scalar]] = {
        TITLE_ROW: {"A": Cell("ESP Tracker — Aetna Onboarding", TITLE)},
        UPDATED_ROW: {"A": "Updated 11/23/2026"},
        HEADER_ROW: {_COL[key]: Cell(header, HEADER) for key, header, _ in TRACKER_COLUMNS},
    }
    heights: dict[int, float] = {}
    position = 0
    index_in_class: dict[str, int] = {}
    for row, block, agent in tracker_agents():
        position += 1
        index = index_in_class.get(block.name, 0)
        index_in_class[block.name] = index + 1
        rows[row] = _tracker_row(row, position, index, block, agent)
        height = _row_height(agent)
        if height is not None:
            heights[row] = height

    last = VALIDATION_LAST_ROW
    col = _COL
    last_col = col["status"]
    agents = SheetSpec(
        TRACKER_SHEET,
        rows=rows,
        freeze=f"A{FIRST_DATA_ROW}",
        col_widths={col[key]: width for key, _, width in TRACKER_COLUMNS},
        merges=[f"A{TITLE_ROW}:F{TITLE_ROW}"],
        row_heights={HEADER_ROW: 30, **heights},  # headers wrap onto two lines
        validations=[
            DataValidation(
                f"{col['cert_done']}5:{col['cert_done']}{last} "
                f"{col['tbts_done']}5:{col['tbts_done']}{last}",
                "list",
                '"Yes,No"',
            ),
            DataValidation(
                f"{col['tbt_hours']}5:{col['tbt_hours']}{last}",
                "decimal",
                "0",
                "40",
                error_title="TBT Hours",
                error="Enter the hours spent on TBTs (0 to 40).",
            ),
        ],
        x14_list_validations=[
            X14ListValidation(f"{col['access']}5:{col['access']}{last}", "Lists!$A$2:$A$8"),
            X14ListValidation(f"{col['searched']}5:{col['searched']}{last}", "Lists!$B$2:$B$3"),
        ],
        conditional_formats=[
            # Excel's preset "Light Red Fill with Dark Red Text" on the whole row.
            ConditionalFormat(
                f"A5:{last_col}{last}",
                f'${col["term_review"]}5<>""',
                Highlight(fill="FFFFC7CE", font_color="FF9C0006"),
            ),
            # "Yellow Fill with Dark Yellow Text" on open agents' Status.
            ConditionalFormat(
                f"{last_col}5:{last_col}{last}",
                '"Open"',
                Highlight(fill="FFFFEB9C", font_color="FF9C5700"),
                operator="equal",
            ),
        ],
    )
    # Column A: the access drop-down's values; column B: Yes/No beside them.
    list_rows: dict[int, list[Cell | Scalar]] = {
        1: [Cell("Citrix TBT Access", HEADER), Cell("Yes/No", HEADER)]
    }
    for i, option in enumerate(ACCESS_OPTIONS, start=2):
        list_rows[i] = [option, {2: "Yes", 3: "No"}.get(i)]
    lists = SheetSpec(LISTS_SHEET, rows=list_rows, hidden=True, col_widths={"A": 24, "B": 8})
    return WorkbookSpec(
        sheets=[agents, lists],
        defined_names=[
            DefinedName("AccessOptions", "Lists!$A$2:$A$8"),
            DefinedName("_xlnm.Print_Titles", f"'{TRACKER_SHEET}'!$4:$4", sheet=TRACKER_SHEET),
        ],
        title="ESP Tracker",
        creator="Dana Whitfield",
        last_modified_by=COORDINATOR,
        created=datetime(2026, 10, 30, 15, 2),
        modified=datetime(2026, 11, 23, 22, 14),
        company="VendorCX",
    )


# ------------------------------------------------------------------------------- master

MASTER_SHEET = "N Numbers"
MASTER_HEADER_ROW = 2
MASTER_HEADERS = (
    "Wave",
    "Employee Name",
    "Emp ID",
    "E-mail",
    "N#",
    "Date Requested",
    "Date Issued",
    "Requested By",
)

# The client's rows: (Wave, Employee Name, Emp ID, E-mail, N#, Date Requested, Date Issued).
# AET-1102 rows carry Emp IDs, AET-1109 rows e-mails only, AET-1116 rows names only plus one
# class-level row. Expected sync results (tests/test_sample.py checks them):
# - the one conflict: E10220 Priyanka Shah, 11/03 here vs 11/02 in the ESP Tracker;
# - fills: Omar Haddad, Grace Kim (11/02 by ID); Yasmin Farouk, Zachary Holt, Hector Vargas
#   (11/09 by e-mail, Zachary's typed as text); Hassan Karimi (11/17 by name); Kendra Hayes,
#   Lucas Moreno, Mei Tanaka, Noah Fischer (11/16 from the class-level row);
# - unmatched: Chidi Okafor (AET-1109), who is in no tracker.
MASTER_ROWS: tuple[tuple[Scalar, ...], ...] = (
    ("AET-1102", "Gonzalez, Maria", "E10201", None, "N482913", d(11, 2), d(11, 5)),
    ("AET-1102", "Whitaker, James", "E10202", None, "N482914", d(11, 2), d(11, 5)),
    ("AET-1102", "Johnson, Aaliyah", "E10203", None, "N482915", d(11, 2), d(11, 5)),
    ("AET-1102", "Tran, Kevin", "E10204", None, "N482916", d(11, 2), d(11, 5)),
    ("AET-1102", "Rossi, Sofia", "E10205", None, "N482917", d(11, 2), d(11, 5)),
    ("AET-1102", "Price, Darnell", "E10206", None, "N482918", d(11, 2), d(11, 5)),
    ("AET-1102", "Chen, Emily", "E10207", None, "N482919", d(11, 2), d(11, 5)),
    ("AET-1102", "Adams, Rachel", "E10208", None, "N482920", d(11, 2), d(11, 5)),
    ("AET-1102", "Lee, Brandon", "E10209", None, "N482921", d(11, 2), d(11, 5)),
    ("AET-1102", "Schmidt, Hannah", " E10210", None, "N482922", d(11, 2), d(11, 5)),
    ("AET-1102", "Ramirez, Luis", "E10211", None, "N482923", d(11, 2), d(11, 5)),
    ("AET-1102", "Moore, Tiffany", "E10212", None, "N482924", d(11, 2), d(11, 5)),
    ("AET-1102", "Haddad, Omar", "E10213", None, "N482925", d(11, 2), d(11, 5)),
    ("AET-1102", "Kim, Grace", "E10214", None, "N482926", d(11, 2), d(11, 5)),
    ("AET-1102", "Carter, Jasmine", "E10215", None, "N482927", d(11, 2), d(11, 5)),
    ("AET-1102", "Nunez, Victor", "E10216", None, "N482928", d(11, 2), d(11, 5)),
    ("AET-1102", "Simmons, Derek", "E10217", None, "N482929", d(11, 2), d(11, 5)),
    ("AET-1102", "Dubois, Monique", "E10218", None, "N482930", d(11, 2), d(11, 5)),
    ("AET-1102", "Brooks, Ethan", "E10219", None, "N482931", d(11, 2), d(11, 5)),
    ("AET-1102", "Shah, Priyanka", "E10220", None, "N482932", d(11, 3), d(11, 6)),
    ("AET-1102", "Jackson, Tyrone", "E10221", None, "N482933", d(11, 2), d(11, 5)),
    ("AET-1102", "Ford, Natalie", "E10222", None, "N482934", d(11, 2), d(11, 5)),
    ("AET-1102", "Okoye, Samuel", "E10223", None, "N482935", d(11, 2), d(11, 5)),
    ("AET-1102", "Ortiz, Carmen", "E10224", None, "N482936", d(11, 2), d(11, 5)),
    ("AET-1109", "Williams, Andre", None, "andre.williams@vendorcx.com", "N519204", d(11, 9), None),
    ("AET-1109", "Morales, Bianca", None, "bianca.morales@vendorcx.com", "N519205", d(11, 9), None),
    ("AET-1109", "Bennett, Chloe", None, "chloe.bennett@vendorcx.com", "N519206", d(11, 9), None),
    (
        "AET-1109",
        "Kowalski, Daniel",
        None,
        "daniel.kowalski@vendorcx.com",
        "N519207",
        d(11, 9),
        None,
    ),
    ("AET-1109", "Ali, Fatima", None, "fatima.ali@vendorcx.com", "N519208", d(11, 9), None),
    ("AET-1109", "Santos, Gabriel", None, "gabriel.santos@vendorcx.com", "N519209", d(11, 9), None),
    ("AET-1109", "Cruz, Isabel", None, "isabel.cruz@vendorcx.com", "N519210", d(11, 9), None),
    ("AET-1109", "Pierce, Julian", None, "julian.pierce@vendorcx.com", "N519211", d(11, 9), None),
    ("AET-1109", "Goldberg, Leah", None, "leah.goldberg@vendorcx.com", "N519212", d(11, 9), None),
    ("AET-1109", "Robinson, Malik", None, "malik.robinson@vendorcx.com", "N519213", d(11, 9), None),
    ("AET-1109", "Petrova, Nina", None, "nina.petrova@vendorcx.com", "N519214", d(11, 9), None),
    ("AET-1109", "Mendoza, Oscar", None, "oscar.mendoza@vendorcx.com", "N519215", d(11, 9), None),
    ("AET-1109", "Sullivan, Paige", None, "paige.sullivan@vendorcx.com", "N519216", d(11, 9), None),
    ("AET-1109", "Brooks, Kayla", None, "kayla.brooks@vendorcx.com", "N519217", d(11, 9), None),
    ("AET-1109", "Lee, Marcus", None, "marcus.lee@vendorcx.com", "N519218", d(11, 9), None),
    ("AET-1109", "Stone, Rebecca", None, "rebecca.stone@vendorcx.com", "N519219", d(11, 9), None),
    ("AET-1109", "Dunn, Xavier", None, "xavier.dunn@vendorcx.com", "N519220", d(11, 9), None),
    ("AET-1109", "Farouk, Yasmin", None, "yasmin.farouk@vendorcx.com", "N519221", d(11, 9), None),
    ("AET-1109", "Holt, Zachary", None, "zachary.holt@vendorcx.com", "N519222", "11/9/2026", None),
    ("AET-1109", "Hassan, Amira", None, "amira.hassan@vendorcx.com", "N519223", d(11, 9), None),
    ("AET-1109", "O'Connor, Brian", None, "brian.oconnor@vendorcx.com", "N519224", d(11, 9), None),
    ("AET-1109", "Moreau, Celeste", None, "celeste.moreau@vendorcx.com", "N519225", d(11, 9), None),
    (
        "AET-1109",
        "Fernandez, Diego",
        None,
        "diego.fernandez@vendorcx.com",
        "N519226",
        d(11, 9),
        None,
    ),
    ("AET-1109", "Walsh, Erin", None, "erin.walsh@vendorcx.com", "N519227", d(11, 9), None),
    (
        "AET-1109",
        "Siddiqui, Farah",
        None,
        "farah.siddiqui@vendorcx.com",
        "N519228",
        d(11, 9),
        None,
    ),
    ("AET-1109", "Vargas, Hector", None, "hector.vargas@vendorcx.com", "N519229", d(11, 9), None),
    ("AET-1109", "Okafor, Chidi", None, "chidi.okafor@vendorcx.com", "N519230", d(11, 9), None),
    ("AET-1116", "Nguyen, Thao", None, None, "N560314", d(11, 16), d(11, 19)),
    ("AET-1116", "Foster, Dylan", None, None, "N560315", d(11, 16), d(11, 19)),
    ("AET-1116", "Vasquez, Elena", None, None, "N560316", d(11, 16), d(11, 19)),
    ("AET-1116", "Karimi, Hassan", None, None, "N560319", d(11, 17), d(11, 19)),
    ("AET-1116", None, None, None, None, d(11, 16), None),  # the whole class
)


def master_spec() -> WorkbookSpec:
    rows: dict[int, list[Cell | Scalar]] = {
        1: [Cell("Aetna Master N Number Tracker — Vendor: VendorCX", TITLE)],
        MASTER_HEADER_ROW: [Cell(h, HEADER) for h in MASTER_HEADERS],
    }
    for row, values in enumerate(MASTER_ROWS, start=MASTER_HEADER_ROW + 1):
        rows[row] = [*values, "Aetna Provisioning"]
    return WorkbookSpec(
        sheets=[
            SheetSpec(
                MASTER_SHEET,
                rows=rows,
                freeze=f"A{MASTER_HEADER_ROW + 1}",
                col_widths={"A": 10, "B": 20, "C": 9, "D": 30, "E": 10, "F": 14, "G": 12, "H": 18},
            )
        ],
        title="Master N Number Tracker",
        creator="Aetna Provisioning",
        created=datetime(2026, 9, 1, 13),
        modified=datetime(2026, 11, 20, 16, 40),
        company="Aetna",
    )


# ------------------------------------------------------------------------ progress report

PROGRESS_SHEET = "Form Responses 1"
PROGRESS_HEADERS = ("Timestamp", "Agent Name", "Class", "Update", "TBTs Completed", "Blockers")

# The shared self-report sheet (as a form exports it). Names as the agents typed them.
PROGRESS_ROWS: tuple[tuple[Scalar, ...], ...] = (
    (dt(11, 23, 17, 2), "Rebecca Stone", "AET-1109", "Finished 3 TBTs.", 3, None),
    (dt(11, 23, 17, 10), "Xavier Dunn", "AET-1109", "Could not log in all day.", 0, "Password"),
    (dt(11, 23, 17, 14), "Amira Hassan", "AET-1109", "Did 4 TBTs, 1 missing.", 4, "Can't find"),
    (dt(11, 23, 17, 31), "erin walsh", "AET-1109", "All TBTs done!", 8, None),
    (dt(11, 23, 17, 45), "Nguyen, Thao", "AET-1116", "Started TBTs.", 1, None),
    (dt(11, 23, 17, 52), "Dylan Foster", "AET-1116", "2 TBTs done.", 2, None),
    (dt(11, 23, 18, 5), "Ethan Brooks", "AET-1102", "Still searching for Appeals TBT.", 7, None),
    (dt(11, 24, 16, 58), "Rebecca Stone", "AET-1109", "2 more TBTs done.", 5, None),
    (
        dt(11, 24, 17, 3),
        "Xavier Dunn",
        "AET-1109",
        "Called SPOC at 2pm, incident INC0049311, callback (513) 555-0164.",
        0,
        "Waiting on SPOC callback",
    ),
    (dt(11, 24, 17, 6), "Yasmin Farouk", "AET-1109", "6 hours of TBTs so far.", 6, None),
    (dt(11, 24, 17, 12), "Amira Hassan ", "AET-1109", "Sent search screenshots.", 6, None),
    (dt(11, 24, 17, 20), "Brian O'Connor", "AET-1109", "Waiting on SPOC.", 1, "No apps"),
    (dt(11, 24, 17, 25), "Diego Fernandez", "AET-1109", "Learning Hub still blank.", 2, "LH"),
    (dt(11, 24, 17, 40), "thao nguyen", "AET-1116", "4 TBTs done.", 4, None),
    (dt(11, 24, 17, 44), "Elena Vasquez", "AET-1116", "3 TBTs done.", 3, None),
    (dt(11, 24, 17, 51), "Felix Wagner", "AET-1116", "Call Cert tomorrow AM.", 5, None),
    (dt(11, 24, 18, 2), "Gianna Russo", "AET-1116", "Password reset pending.", 0, "Password"),
    (dt(11, 24, 18, 9), "Monique Dubois", "AET-1102", "SPOC has not called back.", 7, "LH"),
    (dt(11, 24, 18, 15), "Tyrone Jackson", "AET-1102", "Call Cert scheduled 11/25.", 8, None),
)


def progress_spec() -> WorkbookSpec:
    rows: dict[int, list[Cell | Scalar]] = {1: [Cell(h, HEADER) for h in PROGRESS_HEADERS]}
    for row, values in enumerate(PROGRESS_ROWS, start=2):
        rows[row] = list(values)
    return WorkbookSpec(
        sheets=[
            SheetSpec(
                PROGRESS_SHEET,
                rows=rows,
                freeze="A2",
                col_widths={"A": 17, "B": 18, "C": 10, "D": 50, "E": 10, "F": 24},
            )
        ],
        title="ESP Agent Progress Report",
        creator=COORDINATOR,
        created=datetime(2026, 10, 28, 14),
        modified=datetime(2026, 11, 24, 23, 15),
        company="VendorCX",
    )


# ---------------------------------------------------------------------------- e-mails


def _crlf(text: str) -> bytes:
    """RFC 5322 lines end in CRLF; the sources below are written with LF."""
    return text.replace("\n", "\r\n").encode("utf-8")


def _transcript_pdf(agent: str) -> bytes:
    """A one-page PDF like the Learning Hub transcript an agent prints (valid xref)."""
    stream = f"BT /F1 14 Tf 72 720 Td (Learning Hub Transcript - {agent}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def _base64_lines(data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


SIG = "-- "  # the signature separator, with its trailing space (RFC 3676)

_ASK = (
    "> From: Jordan Reyes <jordan.reyes@vendorcx.com>\n"
    "> Sent: Monday, November 23, 2026 5:01 PM\n"
    "> Subject: ESP daily progress - report before logging off\n"
    ">\n"
    "> Team, please send me your ESP progress before you log off each evening\n"
    "> if you cannot open the ESP Agent Progress Report.\n"
)

# Kayla Brooks (AET-1109): plain text, top-posted reply, signature, quoted request.
EMAIL_KAYLA = f"""From: Kayla Brooks <kayla.brooks@vendorcx.com>
To: Jordan Reyes <jordan.reyes@vendorcx.com>
Subject: RE: ESP daily progress - report before logging off
Date: Tue, 24 Nov 2026 18:42:10 -0500
Message-ID: <20261124234210.4821.kbrooks@vendorcx.com>
In-Reply-To: <20261123220105.1177.jreyes@vendorcx.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

Hi Jordan,

I finished 2 more TBTs today (Privacy and HIPAA, Member Rights), so 7 of 8 are
done. Only Pharmacy Overview is left. Still waiting on a Certifier for my Call Cert.

Thanks,
Kayla

{SIG}
Kayla Brooks
Customer Care Agent | AET-1109
VendorCX

{_ASK}"""

# Marcus Lee (AET-1109) from a personal address nobody has in the tracker: only the
# display name identifies him. Bottom-posted under the quote.
EMAIL_MARCUS = f"""From: "Marcus Lee" <mlee.1990@example.net>
To: jordan.reyes@vendorcx.com
Subject: Re: ESP daily progress - report before logging off
Date: Tue, 24 Nov 2026 19:05:44 -0500
Message-ID: <CAF3x9q2M8aLr0001@mail.example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit

On Mon, Nov 23, 2026 at 5:01 PM Jordan Reyes <jordan.reyes@vendorcx.com> wrote:
> Team, please send me your ESP progress before you log off each evening
> if you cannot open the ESP Agent Progress Report.

Sending this from my personal email because Outlook on the work laptop
will not open. Citrix still says my password is wrong, so no TBTs today.
I can be reached at (513) 555-0131.

{SIG}
Marcus Lee
"""

# Samuel Okoye (AET-1102): Outlook HTML mail with a quoted-printable text/plain part.
EMAIL_SAMUEL = """From: Samuel Okoye <samuel.okoye@vendorcx.com>
To: Jordan Reyes <jordan.reyes@vendorcx.com>
Subject: ESP update 11/24 - Samuel Okoye
Date: Tue, 24 Nov 2026 17:58:31 -0500
Message-ID: <MN2PR11MB4711A2B0C3D4E5F6@vendorcx.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="_000_MN2PR11MB4711_"

--_000_MN2PR11MB4711_
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Hi Jordan,

I printed my Learning Hub transcript from my personal laptop like Dana said=
, but it only shows 5 of 8 TBTs. I=E2=80=99ll redo the last 3 tomorrow mor=
ning and send the PDF.

Samuel

--=20
Samuel Okoye
AET-1102

> From: Jordan Reyes
> Sent: Monday, November 23, 2026 5:01 PM
> Please send me your ESP progress before you log off each evening.

--_000_MN2PR11MB4711_
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

<html><body><p>Hi Jordan,</p><p>I printed my Learning Hub transcript from m=
y personal laptop like Dana said, but it only shows 5 of 8 TBTs. I&#8217;ll=
 redo the last 3 tomorrow morning and send the PDF.</p><p>Samuel</p><p>-- <=
br>Samuel Okoye<br>AET-1102</p></body></html>

--_000_MN2PR11MB4711_--
"""


def _email_hector() -> str:
    pdf = _base64_lines(_transcript_pdf("Hector Vargas"))
    return f"""From: Hector Vargas <hector.vargas@vendorcx.com>
To: Jordan Reyes <jordan.reyes@vendorcx.com>
Subject: Hector Vargas TBT transcript
Date: Tue, 24 Nov 2026 20:17:03 -0500
Message-ID: <20261125011703.9931.hvargas@vendorcx.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==esp-sample-hvargas=="

--==esp-sample-hvargas==
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

Hi Jordan,

Attached is my transcript from the external Learning Hub. All 8 TBTs show
as completed. My work laptop still cannot run Citrix.

Hector

{SIG}
Hector Vargas | AET-1109

> From: Tom Alvarez
> Sent: Monday, November 23, 2026 2:12 PM
> Print the transcript to PDF as "First Last TBT.pdf" and e-mail it to Jordan.

--==esp-sample-hvargas==
Content-Type: application/pdf; name="Hector Vargas TBT.pdf"
Content-Disposition: attachment; filename="Hector Vargas TBT.pdf"
Content-Transfer-Encoding: base64

{pdf}

--==esp-sample-hvargas==--
"""


def email_sources() -> dict[str, str]:
    """File name -> message source (LF line ends; written with CRLF)."""
    return {
        "kayla-brooks-2026-11-24.eml": EMAIL_KAYLA,
        "marcus-lee-2026-11-24.eml": EMAIL_MARCUS,
        "samuel-okoye-2026-11-24.eml": EMAIL_SAMUEL,
        "hector-vargas-2026-11-24.eml": _email_hector(),
    }


# ----------------------------------------------------------------------------- config

CONFIG_TOML = """\
# esp configuration for the sample trackers (the sample's "today" is Tue 2026-11-24:
# try `esp ... --as-of 2026-11-24`). Paths are relative to this file.

[tracker]
path = "ESP Tracker.xlsx"
master = "Master N Number Tracker.xlsx"
progress_report = "ESP Agent Progress Report.xlsx"
self_reports = "self-reports"
tbt_tracking_sheet = "TBT Tracking Sheet.xlsx"

[people]
user = "Jordan Reyes"            # who signs notes and sends the report: the Cert Coordinator
user_email = "jordan.reyes@vendorcx.com"
# who gets the Cannot Locate TBT cases (esp report locate)
learning_contacts = [
    "torrey.hughes@example.com",
    "amanda.li@example.com",
    "danielle.ortiz@example.com",
]

[calendar]
country = "US"                   # the holidays package's calendar, observed dates
company_days_off = []            # extra days off, e.g. ["2026-12-24"]
company_workdays = []            # holidays the company works, e.g. ["2026-11-11"]
timezone = "America/New_York"    # the team's clock: every command's today (default: this PC's)

[spoc]
phone = "(888) 905-9500"

[report]
to = ["aetna-esp-leadership@example.com"]
cc = ["cert-team@example.com"]
from = "Jordan Reyes <jordan.reyes@vendorcx.com>"
greeting = "Hello,"
signoff = "Thank you,\\nJordan Reyes"

[smtp]
host = "smtp.example.com"
port = 587
starttls = true
username = "jordan.reyes@vendorcx.com"
# No password here: keep it out of files that get copied and shared.

# [columns]                      # other spellings of a column's header, if a tracker uses them
# "Date of N Number Request" = ["N# Req Date"]
"""


# ------------------------------------------------------------------------------ build


@dataclass(frozen=True)
class SampleFiles:
    root: Path
    tracker: Path
    master: Path
    progress_report: Path
    self_reports: Path
    emails: tuple[Path, ...]
    config: Path


def build_sample(dest: Path) -> SampleFiles:
    """Write the whole sample into `dest` (created if needed; the sample's files replaced)."""
    dest.mkdir(parents=True, exist_ok=True)
    reports = dest / SELF_REPORTS_DIR
    if reports.exists():
        shutil.rmtree(reports)  # so a renamed or dropped e-mail cannot linger
    reports.mkdir()
    emails = []
    for name, source in email_sources().items():
        path = reports / name
        path.write_bytes(_crlf(source))
        emails.append(path)
    config = dest / CONFIG_FILE
    config.write_text(CONFIG_TOML, encoding="utf-8", newline="\n")
    return SampleFiles(
        root=dest,
        tracker=write_workbook(tracker_spec(), dest / TRACKER_FILE),
        master=write_workbook(master_spec(), dest / MASTER_FILE),
        progress_report=write_workbook(progress_spec(), dest / PROGRESS_FILE),
        self_reports=reports,
        emails=tuple(emails),
        config=config,
    )


def sample_paths(files: SampleFiles) -> Sequence[Path]:
    """Every file the sample consists of, for comparisons and listings."""
    return (files.tracker, files.master, files.progress_report, *files.emails, files.config)


def write_proofs(dest: Path) -> Path:
    """A folder of TBT completion proofs as the coordinator saves them from e-mail: Hector
    Vargas's transcript (the attachment of his e-mail), one saved under a wrong name, and a
    screenshot that is not a PDF. Received on the sample's today at 5 PM."""
    folder = dest / PROOFS_DIR
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = {
        "Hector Vargas TBT.pdf": _transcript_pdf("Hector Vargas"),
        "malik_robinson_tbt.pdf": _transcript_pdf("Malik Robinson"),
        "Kayla Brooks TBT.pdf": b"\x89PNG\r\n\x1a\n a screenshot saved with a .pdf name",
    }
    received = datetime.combine(REFERENCE_DATE, datetime.min.time()).replace(hour=17).timestamp()
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        os.utime(path, (received, received))
    return folder
