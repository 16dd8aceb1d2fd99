#!/usr/bin/env python3
"""Time esp on 1k / 10k / 50k-agent ESP Trackers beside a plain openpyxl load+save.

    make bench                                   # 1k, 10k and 50k agents (several minutes)
    python bench/bench.py --quick                # 1k and 10k, 3 runs each
    python bench/bench.py --sizes 10000 --repeat 1

The trackers have the sample's features (scripts/sample_builder/sample.py): title rows above
the header on row 4, the sample's columns A..AB plus twelve columns teams add (40 in all),
shared strings, the x14 drop-down on Citrix TBT Access with its list on the hidden Lists
sheet, the Status formula with cached results, multi-line notes, dates typed every way
docs/rules.md lists, and classes of 20-30 agents, one class starting every business day for
years. The Master N Number Tracker beside each makes `esp sync-nnumbers` do a real day's work:
most agents already have their request date, about 5% get one, about 2% get their N Number,
and a handful conflict or match nobody. Built files are cached in bench/out/, keyed by size
and `build_version()`.

Every measurement is a fresh subprocess (`python -m esp_cli ...`), on a fresh copy of the
tracker for commands that write. The figure is the median wall time over the runs; peak
memory is the child's own ru_maxrss (from os.wait4), the largest over the runs. The baseline
is openpyxl's `load_workbook(T)` + `wb.save(T)` in a subprocess on the same file, in the same
run. Results go to the terminal and to bench/RESULTS.md, which the README links to.

To time another command, add one line to COMMANDS below. A command whose subcommand `esp
--help` does not list yet is skipped with a note.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from esp_cli import __version__ as esp_version

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `scripts.sample_builder` importable
    sys.path.insert(0, str(ROOT))

from scripts.sample_builder.build import (  # noqa: E402
    HEADER,
    Cell,
    CellInput,
    ErrorValue,
    Scalar,
    WorkbookSpec,
    column_letter,
    excel_serial,
    write_workbook,
)
from scripts.sample_builder.sample import (  # noqa: E402
    ACCESS_OPTIONS,
    COORDINATOR,
    FIRST_DATA_ROW,
    HEADER_ROW,
    MASTER_FILE,
    MASTER_HEADER_ROW,
    TRACKER_COLUMNS,
    TRACKER_FILE,
    VALIDATION_LAST_ROW,
    Agent,
    ClassBlock,
    _row_height,
    _tracker_row,
    master_spec,
    tracker_spec,
)

# ------------------------------------------------------------------- what is measured

AS_OF = "2026-11-24"  # the sample's "today"; the trackers are built around it
ROUND = "round (30 agents)"
NOTE_ADD = "note add"
APPLY = "apply (30 waiting notes)"
NOTE_KEPT = "note add (tracker open)"
WAITING_NOTES = 30
EOD = "report eod"
EOD_MAIL = "report eod --eml"
KPI = "report kpi"
UNDO = "undo (escalations --write)"
NOTE_AFTER_COLUMN = "note add (after escalations --write)"
SYNC_AFTER_COLUMN = "sync-nnumbers (after escalations --write)"


@dataclass(frozen=True)
class Command:
    """An esp command line after `esp`, shell-quoted. {tracker}, {master}, {agent_id} and
    {as_of} are filled in. `writes`: run it on a fresh copy of the tracker every time."""

    label: str
    args: str
    writes: bool
    stdin: str = ""  # what is typed (esp round reads one line per agent)
    # Made before each run, not timed: the tracker open in Excel (its `~$` owner file), and
    # this many note lines for as many agents waiting beside it.
    busy: bool = False
    waiting: int = 0
    # Run once, untimed, on each tracker the command starts from: what it works on.
    before: str = ""


COMMANDS: tuple[Command, ...] = (
    Command(
        "sync-nnumbers",
        "sync-nnumbers --tracker {tracker} --from {master} --format json",
        writes=True,
    ),
    Command(
        "escalations --today",
        "escalations --today --format json --as-of {as_of} --tracker {tracker}",
        writes=False,
    ),
    Command(
        "escalations --write",
        "escalations --write --write-past --as-of {as_of} --tracker {tracker}",
        writes=True,
    ),
    Command(
        NOTE_ADD,
        "note add {agent_id} 'Called SPOC; waiting on the callback.' "
        "--by 'Jordan Reyes' --tracker {tracker}",
        writes=True,
    ),
    Command(
        "report eod", "report eod --format json --date {as_of} --tracker {tracker}", writes=False
    ),
    # The evening e-mail: the report, the KPIs of its 10 business days and their chart.
    Command(EOD_MAIL, "report eod --date {as_of} --eml eod.eml --config {config}", writes=False),
    Command(KPI, "report kpi --format json --to {as_of} --tracker {tracker}", writes=False),
    # Every column of every agent read and checked.
    Command("doctor", "doctor --format json --tracker {tracker}", writes=False),
    # The undo of a first escalations --write: every agent's three computed cells put back.
    Command(
        UNDO,
        "undo --tracker {tracker}",
        writes=True,
        before="escalations --write --write-past --as-of {as_of} --tracker {tracker}",
    ),
    # The day's first note after the morning's escalations --write: the log's newest entry
    # is that write's, with every agent's three computed cells.
    Command(
        NOTE_AFTER_COLUMN,
        "note add {agent_id} 'Called SPOC; waiting on the callback.' "
        "--by 'Jordan Reyes' --tracker {tracker}",
        writes=True,
        before="escalations --write --write-past --as-of {as_of} --tracker {tracker}",
    ),
    # The day's sync once the sheet has the computed columns: the agents whose request
    # date it writes have them brought up to date, from the rules' columns read with its own.
    Command(
        SYNC_AFTER_COLUMN,
        "sync-nnumbers --tracker {tracker} --from {master} --format json",
        writes=True,
        before="escalations --write --write-past --as-of {as_of} --tracker {tracker}",
    ),
    # A TBT SME's round: a status for each of 30 agents, then quit; applied in one write.
    Command(
        ROUND,
        "round --sme 'Priya Natarajan' --by 'Priya Natarajan' --yes --tracker {tracker}",
        writes=True,
        stdin="".join(f"On module {i % 8 + 1}; {i} of 30\n" for i in range(30)) + "q\n",
    ),
    # Thirty note lines made while the tracker was open in Excel, written when it is free.
    Command(APPLY, "apply --tracker {tracker}", writes=True, waiting=WAITING_NOTES),
    # A note made while the tracker is open in Excel: kept waiting beside it (exit code 7).
    Command(
        NOTE_KEPT,
        "note add {agent_id} 'Called SPOC; waiting on the callback.' "
        "--by 'Jordan Reyes' --tracker {tracker}",
        writes=True,
        busy=True,
    ),
)

BASELINE = "openpyxl load+save"
HELP = "esp --help"
# Every write is measured twice: on a tracker only esp wrote before (a `note add` on
# another agent, untimed, leaves its log entry and backup), and on that tracker after
# someone changed one cell in Excel and saved (the sheet written again, every part
# compressed anew), which the write first has to notice and record.
OUTSIDE = "after an edit outside esp"
ESP_ONLY = "only esp wrote before"
PRIME = "note add {prime_agent} 'Set up for the benchmark.' --by 'Jordan Reyes' --tracker {tracker}"
EDITED_COLUMN = "Badge Number"  # the cell changed "in Excel": the first agent's badge
EDITED_VALUE = "424242"


def outside_label(label: str) -> str:
    return f"{label} ({OUTSIDE})"


# A plain openpyxl round trip, as a script that uses openpyxl would do it.
OPENPYXL_SAVE = (
    "import sys, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "from openpyxl import load_workbook\n"
    "wb = load_workbook(sys.argv[1])\n"
    "wb.save(sys.argv[1])\n"
)
# 5: the command did its work and found problems; 7: its change waits beside the busy
# tracker (README: Exit codes).
OK_EXIT_CODES = (0, 5, 7)

DEFAULT_SIZES = (1_000, 10_000, 50_000)
QUICK_SIZES = (1_000, 10_000)
QUICK_REPEAT = 3
HELP_REPEAT = 7

# Targets, each checked against measurements of the same run.
TARGET_RATIO_10K = 0.12  # every command <= 0.12x openpyxl load+save at 10k agents
TARGET_WALL_10K_S = 1.5  # "about a second" of wall time at 10k agents
TARGET_GROWTH = 6.0  # time(50k) / time(10k): linear would be 5
TARGET_PEAK_MB_50K = 300.0
TARGET_HELP_S = 0.3
TARGET_ROUND_VS_NOTE = 1.2  # a round of 30 agents costs at most 1.2x one `note add`
TARGET_APPLY_VS_NOTE = 1.2  # writing 30 waiting notes costs at most 1.2x one `note add`
TARGET_KEPT_VS_NOTE = 1.0  # keeping a note waiting costs no more than writing it
TARGET_KPI_VS_EOD = 2.0  # the KPIs of 10 business days cost at most 2x the evening report

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH_DIR / "out"
DEFAULT_RESULTS = BENCH_DIR / "RESULTS.md"


def default_repeat(size: int) -> int:
    return 5 if size <= 10_000 else 3


# ------------------------------------------------------------------ building trackers

BUILD_VERSION = "1"  # bump when the generated data changes in a way the hash cannot see
SEED = 20261124
AS_OF_DATE = date.fromisoformat(AS_OF)
ACTIVE_DAYS = 10  # classes that started fewer business days ago are still in certification
BLANK_REQUEST_SHARE = 0.05  # tracker rows without a request date: sync fills them
BLANK_NNUMBER_SHARE = 0.02  # tracker rows without an N Number: sync fills them
LATE_REQUEST_SHARE = 0.10  # agents added to a class a day after its request went out
CLASS_ROW_EVERY = 50  # every 50th class is in the Master as one class-level row only
SPOC_ISSUES = ACCESS_OPTIONS[1:4]

FIRST_NAMES = (
    "Aaliyah",
    "Aaron",
    "Adriana",
    "Ahmed",
    "Alicia",
    "Andre",
    "Angela",
    "Brandon",
    "Brianna",
    "Caleb",
    "Camila",
    "Carlos",
    "Chloe",
    "Darnell",
    "Deja",
    "Derek",
    "Diana",
    "Elena",
    "Emily",
    "Ethan",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hannah",
    "Hector",
    "Imani",
    "Isaac",
    "Jamal",
    "Jasmine",
    "Javier",
    "Jordan",
    "Julia",
    "Kayla",
    "Kevin",
    "Latoya",
    "Leah",
    "Luis",
    "Malik",
    "Maria",
    "Marcus",
    "Monique",
    "Nadia",
    "Nathan",
    "Nina",
    "Omar",
    "Paige",
    "Priya",
    "Rachel",
    "Ricardo",
    "Samuel",
    "Sofia",
    "Tamara",
    "Tiffany",
    "Tyrone",
    "Uriel",
    "Valerie",
    "Victor",
    "Wei",
    "Xavier",
    "Yasmin",
    "Zachary",
)
LAST_NAMES = (
    "Adams",
    "Ali",
    "Bennett",
    "Brooks",
    "Carter",
    "Chen",
    "Cruz",
    "Dubois",
    "Dunn",
    "Farouk",
    "Fernandez",
    "Ford",
    "Foster",
    "Garcia",
    "Goldberg",
    "Gonzalez",
    "Haddad",
    "Hassan",
    "Hayes",
    "Holt",
    "Jackson",
    "Johnson",
    "Kim",
    "Kowalski",
    "Lee",
    "Mendoza",
    "Moore",
    "Morales",
    "Moreau",
    "Nguyen",
    "Nunez",
    "O'Connor",
    "Okafor",
    "Okoye",
    "Ortiz",
    "Patel",
    "Petrova",
    "Pierce",
    "Price",
    "Ramirez",
    "Robinson",
    "Rossi",
    "Russo",
    "Santos",
    "Schmidt",
    "Shah",
    "Siddiqui",
    "Simmons",
    "Smith",
    "Stone",
    "Sullivan",
    "Tran",
    "Vargas",
    "Vasquez",
    "Walsh",
    "Wells",
    "Whitaker",
    "Williams",
    "Young",
    "Zhang",
)
UNKNOWN_LAST_NAMES = ("Abernathy", "Lindqvist", "Oyelaran", "Prochazka", "Quintero", "Szabo")
CERTIFIERS = (
    "Dana Whitfield",
    "Marcus Bell",
    "Priya Natarajan",
    "Tom Alvarez",
    "Renee Castillo",
    "Grant Holloway",
    "Ines Duarte",
    "Kofi Mensah",
)
SUPERVISORS = ("Alan Brewer", "Beth Ocampo", "Chris Ng", "Dolores Vance", "Evan Pruitt")
TRAINERS = ("Fiona Grady", "Gus Lindholm", "Hope Adeyemi", "Ivan Petrov")
SITES = ("Columbus", "Tampa", "Phoenix", "Remote", "Remote")
SHIFTS = ("8:00a-4:30p", "9:00a-5:30p", "10:30a-7:00p", "12:00p-8:30p")
LANGUAGES = ("English", "English", "English", "Spanish", "Bilingual")
LINES_OF_BUSINESS = ("Medicare", "Commercial", "Medicaid", "Pharmacy")
TIME_ZONES = ("ET", "ET", "CT", "MT", "PT")
# Columns real trackers carry beside the ones esp knows (none matches a known header).
EXTRA_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Site", 11),
    ("Shift", 13),
    ("Supervisor", 16),
    ("Trainer", 16),
    ("Hire Date", 12),
    ("Language", 10),
    ("Line of Business", 13),
    ("Badge Number", 10),
    ("Laptop Asset Tag", 13),
    ("Time Zone", 8),
    ("Nesting Start", 12),
    ("Production Start", 12),
)
FIRST_EXTRA_COL = len(TRACKER_COLUMNS) + 1  # AC


def shift_bdays(day: date, n: int) -> date:
    """`n` weekdays after (before, when negative) `day`; weekends only, as a team's sheet would
    be close enough for test data."""
    step = timedelta(days=1 if n >= 0 else -1)
    for _ in range(abs(n)):
        day += step
        while day.weekday() >= 5:
            day += step
    return day


def agent_id_for(index: int) -> str:
    """The Agent ID of the `index`-th agent (0-based, sheet order)."""
    return f"E{100000 + index}"


def us(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def typed(rng: random.Random, day: date) -> Scalar:
    """A date as someone typed it: mostly real dates, then text dates, serials, date-times."""
    r = rng.random()
    if r < 0.88:
        return day
    if r < 0.91:
        return f"{day.month}/{day.day}/{day.year}"
    if r < 0.93:
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    if r < 0.95:
        return day.isoformat()
    if r < 0.96:
        return f"{day:%b} {day.day}, {day.year}"
    if r < 0.98:
        return excel_serial(day)
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.choice((0, 30)))


def yes(rng: random.Random) -> Scalar:
    return "Yes" if rng.random() < 0.85 else rng.choice(("Y", True, "x", "Complete", "yes "))


def no(rng: random.Random) -> Scalar:
    return "No" if rng.random() < 0.8 else rng.choice(("N", "no", None))


def _note(day: date, text: str) -> str:
    return f"{us(day)} - {COORDINATOR} - {text}"


def _tbt_note(sme: str, day: date, text: str) -> str:
    return f"{sme} - {us(day)} - {text}"


def _access_fields(
    rng: random.Random, issue: str, day: date, sme: str, solved: bool
) -> dict[str, Any]:
    fields: dict[str, Any] = {"access": issue}
    notes: list[str] = []
    if issue in SPOC_ISSUES:
        if solved or rng.random() < 0.7:
            fields["spoc_called"] = typed(rng, day)
            notes.append(_tbt_note(sme, day, f"{issue} in Citrix; SPOC called."))
        if solved or rng.random() < 0.5:
            fields["incident"] = f"INC{rng.randint(40_000, 99_999):07d}"
            if solved or rng.random() < 0.5:
                area = rng.choice((380, 513, 614))
                fields["callback"] = f"({area}) 555-{rng.randint(0, 9999):04d}"
        if solved:
            notes.append(
                _tbt_note(sme, shift_bdays(day, 1), "Fixed; agent back in the Learning Hub.")
            )
    elif issue == "Cannot Locate TBT":
        if solved or rng.random() < 0.6:
            fields["searched"] = "Yes"
        notes.append(
            _tbt_note(
                sme,
                day,
                "Cannot find TBT 'Appeals & Grievances'; screenshots of "
                "the course number and name searches sent.",
            )
        )
    elif issue == "Equipment Issue":
        notes.append(
            _tbt_note(
                sme,
                day,
                "Laptop will not launch Citrix; agent to print the "
                "Learning Hub transcript to PDF and e-mail it.",
            )
        )
    else:
        notes.append(_tbt_note(sme, day, "TBT video freezes at 80%; retrying."))
    fields["tbt_notes"] = tuple(notes)
    return fields


def _complete(rng: random.Random, start: date, age: int, sme: str) -> dict[str, Any]:
    cert_day = shift_bdays(start, rng.randint(0, min(age, 2)))
    tbt_day = shift_bdays(start, rng.randint(0, min(age, 3)))
    fields: dict[str, Any] = {
        "cert_start": datetime(
            cert_day.year,
            cert_day.month,
            cert_day.day,
            rng.randint(8, 15),
            rng.choice((0, 15, 30, 45)),
        ),
        "cert_done": yes(rng),
        "cert_date": typed(rng, cert_day),
        "tbt_hours": rng.choice((4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8)),
        "tbts_done": yes(rng),
        "tbt_date": typed(rng, tbt_day),
        "access": "No Issues",
    }
    if rng.random() < 0.12:
        issue = rng.choice(ACCESS_OPTIONS[1:])
        fields.update(_access_fields(rng, issue, start, sme, solved=True))
    r = rng.random()
    if r < 0.35:
        fields["notes"] = (_note(tbt_day, "All TBTs complete; proofs uploaded."),)
    elif r < 0.5:
        fields["notes"] = (
            _note(cert_day, "Call Cert passed."),
            _note(tbt_day, "All TBTs complete; proofs uploaded to the TBT Tracking Sheet."),
        )
    return fields


def _ladder(start: date, steps: int) -> dict[str, Any]:
    """The first `steps` escalation steps recorded on the day each fell due."""
    keys = ("coaching", "written_cap", "final_cap", "term_review")
    texts = (
        "Documented coaching delivered.",
        "Written CAP delivered.",
        "Final CAP delivered.",
        "Sent to term review with HR.",
    )
    fields: dict[str, Any] = {}
    notes: list[str] = []
    day = shift_bdays(start, 3)
    for key, text in zip(keys[:steps], texts, strict=False):
        if day > AS_OF_DATE:
            break
        fields[key] = day
        notes.append(_note(day, text))
        day = shift_bdays(day, 1)
    fields["notes"] = tuple(notes)
    return fields


def _incomplete(rng: random.Random, start: date, age: int, sme: str, steps: int) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "tbt_hours": rng.choice((0.5, 1, 2, 3, 4, 5, 6, 7, 8.5, 9.5)),
        "tbts_done": no(rng),
        "access": "No Issues",
    }
    if rng.random() < 0.4:
        cert_day = shift_bdays(start, rng.randint(0, min(age, 3)))
        fields["cert_start"] = datetime(
            cert_day.year, cert_day.month, cert_day.day, rng.randint(8, 15), 0
        )
        if rng.random() < 0.5:
            fields.update(cert_done="Yes", cert_date=typed(rng, cert_day))
        else:
            fields["cert_done"] = "No"
    if rng.random() < 0.45:
        issue = rng.choice(ACCESS_OPTIONS[1:])
        fields.update(_access_fields(rng, issue, start, sme, solved=False))
    fields.update(_ladder(start, steps))
    return fields


def _progress(rng: random.Random, start: date, age: int, sme: str) -> dict[str, Any]:
    """An agent's progress `age` business days after the class started."""
    if age >= ACTIVE_DAYS:
        r = rng.random()
        if r < 0.02:  # never finished: the ladder ran to term review
            return _incomplete(rng, start, age, sme, steps=4)
        if r < 0.025:  # left behind: coaching recorded, nothing since
            return _incomplete(rng, start, age, sme, steps=1)
        return _complete(rng, start, age, sme)
    if rng.random() < min(0.85, 0.12 * age):
        return _complete(rng, start, age, sme)
    return _incomplete(rng, start, age, sme, steps=rng.choice((0, 1, 1, 2, 3)))


@dataclass(frozen=True)
class MasterRow:
    """One row of the Master N Number Tracker (Wave .. Date Issued), as the client typed it."""

    wave: str
    name: str | None
    emp_id: str | None
    email: str | None
    n_number: str | None
    requested: Scalar
    issued: Scalar


@dataclass(frozen=True)
class Dataset:
    classes: tuple[ClassBlock, ...]
    master: tuple[MasterRow, ...]
    agents: int
    expected_conflicts: int
    expected_unmatched: int


def _master_date(rng: random.Random, day: date) -> Scalar:
    return day if rng.random() < 0.97 else f"{day.month}/{day.day}/{day.year}"


def generate(n: int, seed: int = SEED) -> Dataset:
    """`n` agents in classes of 20-30 (one class starting each business day, the newest on
    AS_OF) and the client's Master rows for them. Deterministic for a seed."""
    rng = random.Random(seed)
    sizes: list[int] = []
    while (total := sum(sizes)) < n:
        sizes.append(min(rng.randint(20, 30), n - total))
    starts = [AS_OF_DATE]
    for _ in sizes[1:]:
        starts.append(shift_bdays(starts[-1], -1))
    starts.reverse()  # oldest class at the top of the sheet, as it grew over the years
    handful = 3 + n // 2000
    conflicts = set(rng.sample(range(n), min(handful, n)))
    emails: dict[str, int] = {}
    classes: list[ClassBlock] = []
    master: list[MasterRow] = []
    g = 0
    for c, (size, start) in enumerate(zip(sizes, starts, strict=True)):
        age = len(sizes) - 1 - c
        name = f"AET-{start:%y%m%d}"
        requested = shift_bdays(start, -rng.randint(8, 12))
        certifiers = tuple(rng.sample(CERTIFIERS, 2))
        smes = tuple(rng.sample(CERTIFIERS, rng.choice((1, 2))))
        class_row = c % CLASS_ROW_EVERY == CLASS_ROW_EVERY - 1
        if class_row:
            master.append(
                MasterRow(name, None, None, None, None, _master_date(rng, requested), None)
            )
        agents: list[Agent] = []
        for j, pair in enumerate(rng.sample(range(len(FIRST_NAMES) * len(LAST_NAMES)), size)):
            first, last = FIRST_NAMES[pair // len(LAST_NAMES)], LAST_NAMES[pair % len(LAST_NAMES)]
            local = f"{first}.{last}".lower().replace("'", "")
            emails[local] = emails.get(local, 0) + 1
            email = f"{local}{emails[local] if emails[local] > 1 else ''}@vendorcx.com"
            agent_id, n_number = agent_id_for(g), f"N{400000 + g}"
            late = not class_row and rng.random() < LATE_REQUEST_SHARE
            asked = shift_bdays(requested, 1) if late else requested
            if g in conflicts:
                tracker_requested: Scalar = shift_bdays(asked, -1)
            elif rng.random() < BLANK_REQUEST_SHARE:
                tracker_requested = None
            else:
                tracker_requested = typed(rng, asked)
            blank_n = not class_row and rng.random() < BLANK_NNUMBER_SHARE
            sme = smes[j % len(smes)]
            agent_start: Scalar = start
            if rng.random() < 0.05:
                agent_start = typed(rng, shift_bdays(start, rng.choice((0, 0, 1))))
            agents.append(
                Agent(
                    name=f"{last}, {first}" if rng.random() < 0.02 else f"{first} {last}",
                    agent_id=agent_id,
                    n_number=None if blank_n else n_number,
                    requested=tracker_requested,
                    start=agent_start,
                    email=email if rng.random() > 0.01 else f"{email.title()} ",
                    phone=(
                        f"(614) 555-{g % 10_000:04d}" if g % 4999 != 4998 else ErrorValue("#N/A")
                    ),
                    certifier=certifiers[j % len(certifiers)],
                    sme=sme,
                    class_cell=f"{name} " if rng.random() < 0.005 else name,
                    **_progress(rng, start, age, sme),
                )
            )
            if not class_row:
                how = rng.random()
                shown = f"{last}, {first}" if rng.random() < 0.6 else f"{first} {last}"
                issued = shift_bdays(asked, 3)
                master.append(
                    MasterRow(
                        name,
                        shown,
                        agent_id if how < 0.65 else None,
                        email if 0.65 <= how < 0.9 or (how < 0.65 and rng.random() < 0.3) else None,
                        n_number,
                        _master_date(rng, asked),
                        issued if issued <= AS_OF_DATE else None,
                    )
                )
            g += 1
        classes.append(ClassBlock(name, requested, start, certifiers, smes, tuple(agents)))
    # Rows that match nobody: agents who left before their ESP start, and next week's class.
    for k in range(handful):
        cls = rng.choice(classes)
        first = rng.choice(FIRST_NAMES)
        master.insert(
            rng.randrange(len(master) + 1),
            MasterRow(
                cls.name,
                f"{UNKNOWN_LAST_NAMES[k % len(UNKNOWN_LAST_NAMES)]}, {first}",
                f"E{900000 + k}",
                None,
                None,
                cls.requested,
                None,
            ),
        )
    next_class = shift_bdays(AS_OF_DATE, 5)
    master.append(MasterRow(f"AET-{next_class:%y%m%d}", None, None, None, None, AS_OF_DATE, None))
    return Dataset(tuple(classes), tuple(master), n, len(conflicts), handful + 1)


def _stretch(sqref: str, last: int) -> str:
    """The sample's validation ranges end on row VALIDATION_LAST_ROW; end them on `last`."""
    return re.sub(rf"(?<=[A-Z]){VALIDATION_LAST_ROW}\b", str(last), sqref)


def _extra_cells(rng: random.Random, index: int, start: date) -> dict[str, Scalar]:
    nesting, production = shift_bdays(start, 5), shift_bdays(start, 15)
    values: tuple[Scalar, ...] = (
        rng.choice(SITES),
        rng.choice(SHIFTS),
        rng.choice(SUPERVISORS),
        rng.choice(TRAINERS),
        shift_bdays(start, -rng.randint(15, 25)),
        rng.choice(LANGUAGES),
        rng.choice(LINES_OF_BUSINESS),
        20_000 + index,
        f"LT-{rng.randint(10_000, 99_999)}",
        rng.choice(TIME_ZONES),
        nesting if nesting <= AS_OF_DATE else None,
        production if production <= AS_OF_DATE else None,
    )
    return {column_letter(FIRST_EXTRA_COL + i): v for i, v in enumerate(values) if v is not None}


def tracker_spec_for(data: Dataset, seed: int = SEED) -> WorkbookSpec:
    """The sample tracker's workbook (title rows, header, drop-downs, formats, Lists sheet,
    names) with `data`'s agents and the extra columns."""
    base = tracker_spec()
    sheet, lists = base.sheets
    rows: dict[int, Mapping[str, CellInput]] = {
        r: cast(Mapping[str, CellInput], v) for r, v in sheet.rows.items() if r <= HEADER_ROW
    }
    rows[HEADER_ROW] = {
        **rows[HEADER_ROW],
        **{
            column_letter(FIRST_EXTRA_COL + i): Cell(h, HEADER)
            for i, (h, _) in enumerate(EXTRA_COLUMNS)
        },
    }
    heights = {HEADER_ROW: sheet.row_heights.get(HEADER_ROW, 30.0)}
    rng = random.Random(seed + 1)
    row, position = FIRST_DATA_ROW, 0
    for block in data.classes:
        assert isinstance(block.start, date)
        for index, agent in enumerate(block.agents):
            cells = _tracker_row(row, position + 1, index, block, agent)
            cells.update(_extra_cells(rng, position, block.start))
            rows[row] = cells
            height = _row_height(agent)
            if height is not None:
                heights[row] = height
            row += 1
            position += 1
        row += 1  # the team leaves a blank row between classes
    last = row + 200  # drop-downs and formats reach well past the data, as in the sample
    widths = {
        **cast(Mapping[str, float], sheet.col_widths),
        **{column_letter(FIRST_EXTRA_COL + i): w for i, (_, w) in enumerate(EXTRA_COLUMNS)},
    }
    big = replace(
        sheet,
        rows=rows,
        col_widths=widths,
        row_heights=heights,
        validations=[replace(v, sqref=_stretch(v.sqref, last)) for v in sheet.validations],
        x14_list_validations=[
            replace(v, sqref=_stretch(v.sqref, last)) for v in sheet.x14_list_validations
        ],
        conditional_formats=[
            replace(f, sqref=_stretch(f.sqref, last)) for f in sheet.conditional_formats
        ],
    )
    return replace(base, sheets=[big, lists])


def master_spec_for(data: Dataset) -> WorkbookSpec:
    """The sample Master's workbook (title row, header on row 2) with `data`'s rows."""
    base = master_spec()
    sheet = base.sheets[0]
    rows: dict[int, Any] = {r: v for r, v in sheet.rows.items() if r <= MASTER_HEADER_ROW}
    for r, m in enumerate(data.master, start=MASTER_HEADER_ROW + 1):
        rows[r] = [
            m.wave,
            m.name,
            m.emp_id,
            m.email,
            m.n_number,
            m.requested,
            m.issued,
            "Aetna Provisioning",
        ]
    return replace(base, sheets=[replace(sheet, rows=rows)])


def build_tracker(n: int, path: Path, seed: int = SEED) -> Path:
    """Write an `n`-agent ESP Tracker to `path`."""
    return write_workbook(tracker_spec_for(generate(n, seed), seed), path)


def build_master(n: int, path: Path, seed: int = SEED) -> Path:
    """Write the Master N Number Tracker that goes with `build_tracker(n, ..., seed)`."""
    return write_workbook(master_spec_for(generate(n, seed)), path)


def build_version() -> str:
    """BUILD_VERSION plus a hash of the code that shapes the files, so a change to the
    sample or the builder rebuilds the cache."""
    from scripts.sample_builder import build, sample

    digest = hashlib.sha256()
    for module_file in (__file__, sample.__file__, build.__file__):
        digest.update(Path(str(module_file)).read_bytes())
    return f"v{BUILD_VERSION}-{digest.hexdigest()[:10]}"


@dataclass(frozen=True)
class BenchFiles:
    agents: int
    tracker: Path
    master: Path
    note_agent: str  # an Agent ID in the newest class, for `esp note add`


def cached_files(n: int, out_dir: Path, rebuild: bool = False) -> BenchFiles:
    """The n-agent tracker and Master from bench/out/, built when missing or stale."""
    out_dir.mkdir(parents=True, exist_ok=True)
    key = f"{n}-{build_version()}"
    tracker, master = out_dir / f"tracker-{key}.xlsx", out_dir / f"master-{key}.xlsx"
    if rebuild or not (tracker.is_file() and master.is_file()):
        for stale in [*out_dir.glob(f"tracker-{n}-*.xlsx"), *out_dir.glob(f"master-{n}-*.xlsx")]:
            stale.unlink()
        began = time.perf_counter()
        data = generate(n)
        write_workbook(master_spec_for(data), master)
        write_workbook(tracker_spec_for(data), tracker)
        say(
            f"built {n:,}-agent tracker and Master in {time.perf_counter() - began:.1f} s "
            f"({tracker.name})"
        )
    return BenchFiles(n, tracker, master, agent_id_for(n - 1))


# ------------------------------------------------------------------------- measuring


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    code: int
    stdout: bytes
    stderr: bytes


# Every measured process runs under this wrapper, which writes its own peak resident set
# size to $ESP_BENCH_PEAK_FILE at exit. Not ru_maxrss: on Linux a child's ru_maxrss (from
# os.wait4 or its own getrusage) starts at the high-water mark of the process it was forked
# from, so every child of this (large) process would report at least this process's size.
# VmHWM belongs to the child's own address space, which exec starts afresh.
PEAK_WRAPPER = """\
import atexit, os, runpy, sys
def _report():
    mb = None
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    mb = int(line.split()[1]) / 1024
    except OSError:
        import resource
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        mb = rss / 2**20 if sys.platform == 'darwin' else rss / 1024
    with open(os.environ['ESP_BENCH_PEAK_FILE'], 'w') as f:
        f.write(repr(mb))
atexit.register(_report)
mode, target = sys.argv[1], sys.argv[2]
if mode == '-m':
    sys.argv = [target, *sys.argv[3:]]
    runpy.run_module(target, run_name='__main__', alter_sys=True)
else:
    sys.argv = ['-c', *sys.argv[3:]]
    exec(compile(target, '<string>', 'exec'), {'__name__': '__main__'})
"""


def _maxrss_mb(ru_maxrss: int) -> float:
    # Linux reports kilobytes, macOS bytes.
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def run_measured(py_args: Sequence[str], cwd: Path, env: Mapping[str, str], stdin: str = "") -> Run:
    """Run `python *py_args` (`-m MODULE ...` or `-c CODE ...`) to completion under
    PEAK_WRAPPER: its wall time, exit code, output and own peak memory. `stdin` is what it
    reads (from a file, so nothing waits on a pipe)."""
    if py_args[0] not in ("-m", "-c"):
        raise ValueError(f"expected -m or -c, got {py_args[0]!r}")
    with tempfile.TemporaryDirectory(prefix="esp-bench-run-") as tmp:
        peak_file = Path(tmp) / "peak"
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        in_path = Path(tmp) / "stdin"
        in_path.write_text(stdin, encoding="utf-8")
        with out_path.open("wb") as out, err_path.open("wb") as err, in_path.open("rb") as typed:
            began = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-c", PEAK_WRAPPER, *py_args],
                cwd=cwd,
                env={**env, "ESP_BENCH_PEAK_FILE": str(peak_file)},
                stdin=typed,
                stdout=out,
                stderr=err,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        try:
            peak = float(peak_file.read_text())
        except (OSError, ValueError):  # killed before atexit: an upper bound is all there is
            peak = _maxrss_mb(usage.ru_maxrss)
        return Run(seconds, peak, proc.returncode, out_path.read_bytes(), err_path.read_bytes())


def child_env(out: Path) -> dict[str, str]:
    """The environment for every child: esp importable as in this process and byte-compiled
    as `pip install` leaves it (an editable install is not), no ESP_TRACKER, and a holiday
    cache of the benchmark's own, filled before anything is timed (as after a first run)."""
    import esp_cli

    package = Path(str(esp_cli.__file__)).resolve().parent
    compileall.compile_dir(str(package), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "ESP_TRACKER"}
    paths = (str(package.parent), env.get("PYTHONPATH"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["ESP_CACHE_DIR"] = str(out / "cache")
    return env


def warm_holiday_cache(env: Mapping[str, str]) -> None:
    """One untimed `esp escalations` on the sample, with the default [calendar] the timed
    commands use, which fills the holiday cache."""
    with tempfile.TemporaryDirectory(prefix="esp-bench-warm-") as tmp:
        from scripts.sample_builder.sample import build_sample

        files = build_sample(Path(tmp))
        subprocess.run(
            [
                sys.executable,
                *ESP,
                "escalations",
                "--tracker",
                str(files.tracker),
                "--format",
                "json",
            ],
            env=dict(env),
            cwd=tmp,
            capture_output=True,
            check=False,
        )


ESP = ("-m", "esp_cli")  # after `python`


def _subcommands(path: Sequence[str], env: Mapping[str, str], cwd: Path) -> list[str] | None:
    """The commands `esp PATH --help` lists, or None when PATH is not a group."""
    done = subprocess.run(
        [sys.executable, *ESP, *path, "--help"],
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=cwd,
        check=False,
    )
    lines = done.stdout.splitlines()
    if "Commands:" not in lines:
        return None
    found = []
    for line in lines[lines.index("Commands:") + 1 :]:
        m = re.match(r"\s{2}(\S+)", line)
        if m:
            found.append(m.group(1))
        elif line.strip() and not line.startswith(" "):
            break
    return found


def missing_reason(command: Command, env: Mapping[str, str], cwd: Path) -> str | None:
    """Why `command` cannot run yet (its subcommand is not listed), or None."""
    words = shlex.split(command.args)
    path: list[str] = []
    for word in words:
        listed = _subcommands(path, env, cwd)
        if listed is None:  # reached a command: the rest are its arguments
            return None
        if word not in listed:
            where = f"esp {' '.join(path)} --help".replace("  ", " ")
            return f"`{where}` does not list `{word}` yet (it lists: {', '.join(listed)})"
        path.append(word)
    return None


@dataclass
class Measurement:
    size: int | None
    label: str
    shown: str  # the command line, for the report
    runs: list[Run] = field(default_factory=list)
    skipped: str | None = None

    @property
    def failed(self) -> Run | None:
        return next((r for r in self.runs if r.code not in OK_EXIT_CODES), None)

    @property
    def ok(self) -> bool:
        return self.skipped is None and bool(self.runs) and self.failed is None

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    def work(self) -> str:
        """What the command did, from its output (counts of a JSON result's lists)."""
        if self.skipped:
            return "skipped"
        bad = self.failed
        if bad is not None:
            lines = bad.stderr.decode("utf-8", "replace").strip().splitlines()
            return f"FAILED (exit {bad.code}): {lines[-1] if lines else 'no message'}"[:160]
        if self.label == HELP or self.label == BASELINE:
            return ""
        return summarise(self.runs[0].stdout, self.runs[0].stderr)


def summarise(stdout: bytes, stderr: bytes) -> str:
    try:
        data = json.loads(stdout)
    except ValueError:
        # Not JSON: the last message for people (stderr), else the last line with words.
        for stream in (stderr, stdout):
            lines = [s.strip() for s in stream.decode("utf-8", "replace").splitlines()]
            words = [s for s in lines if re.search(r"[A-Za-z]{2}", s)]
            if words:
                # "Wrote 1 cell(s) to /tmp/... (backup: ...)": the count, not the paths.
                return re.sub(r" to /.*$| \(backup:.*$", "", words[-1])[:120]
        return ""
    if isinstance(data, dict):
        parts = [f"{len(v):,} {k}" for k, v in data.items() if isinstance(v, list) and v]
        return ", ".join(parts) or "nothing to report"
    if isinstance(data, list):
        return f"{len(data):,} items"
    return str(data)[:120]


# Excel's owner file for "Keisha Grant": the tracker is open in Excel.
EXCEL_OWNER = (
    bytes([12]) + b"Keisha Grant" + b" " * 42 + (12).to_bytes(2, "little")
    + "Keisha Grant".encode("utf-16-le") + b" \x00" * 43
)[:165]  # fmt: skip


def waiting_notes(
    files: BenchFiles, start: Path, folder: Path, count: int, env: Mapping[str, str]
) -> Path:
    """`count` note lines, one for each of the newest agents, made with `esp note add`
    while the tracker (as in the folder `start`) is open in Excel: the backups folder with
    their waiting files (not timed), copied beside each run's tracker."""
    shutil.copytree(start, folder)
    tracker = folder / TRACKER_FILE
    (folder / f"~${TRACKER_FILE}").write_bytes(EXCEL_OWNER)
    for k in range(count):
        agent = agent_id_for(files.agents - 1 - k)
        argv = [*ESP, "note", "add", agent, f"Waiting note {k + 1} of {count}",
                "--by", "Jordan Reyes", "--tracker", str(tracker)]  # fmt: skip
        done = subprocess.run(
            [sys.executable, *argv], cwd=folder, env=dict(env), capture_output=True, check=False
        )
        if done.returncode != 7:
            raise SystemExit(f"preparing the waiting notes failed: {done.stderr.decode()[-400:]}")
    return folder / "esp-backups"


def rebind_waiting(backups: Path, tracker: Path) -> None:
    """Waiting files copied beside another copy of the tracker name the tracker they were
    kept for, which esp never writes into another (the original still exists): name this
    copy instead, as if they had been kept beside it."""
    for file in backups.glob("*.waiting/*.json"):
        op = json.loads(file.read_text(encoding="utf-8"))
        if op.get("tracker_path"):
            op["tracker_path"] = str(tracker.resolve())
            file.write_text(json.dumps(op, ensure_ascii=False), encoding="utf-8")


def save_as_excel_would(tracker: Path) -> None:
    """Someone changes one cell in Excel and saves: the sheet's part is written again with
    the cell's new value (its style kept), and every part of the package is compressed
    anew (so no part's compressed bytes are as esp left them)."""
    ref = f"{column_letter(edited_col())}{FIRST_DATA_ROW}".encode()
    cell = re.compile(rb'<c r="' + ref + rb'"([^>]*?)(?:/>|>.*?</c>)', re.S)
    style = re.compile(rb'\ss="\d+"')

    def edited(m: re.Match[bytes]) -> bytes:
        kept = style.search(m.group(1))
        s_attr = kept.group(0) if kept else b""
        return b'<c r="' + ref + b'"' + s_attr + b"><v>" + EDITED_VALUE.encode() + b"</v></c>"

    with zipfile.ZipFile(tracker) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    out = tracker.with_suffix(".saving")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = cell.subn(edited, data, count=1)
                if n != 1:
                    raise RuntimeError(f"the bench tracker has no cell {ref.decode()} to edit")
            zout.writestr(info, data, zipfile.ZIP_DEFLATED)
    out.replace(tracker)


def edited_col() -> int:
    return FIRST_EXTRA_COL + [name for name, _w in EXTRA_COLUMNS].index(EDITED_COLUMN)


def bench_size(
    files: BenchFiles, repeat: int, env: Mapping[str, str], skipped: Mapping[str, str | None]
) -> list[Measurement]:
    """Every available command and the openpyxl baseline on one size, interleaved run by run
    so drift on the machine hits them alike; every write twice (see OUTSIDE)."""
    n = files.agents
    with tempfile.TemporaryDirectory(prefix=f"esp-bench-{n}-") as tmp:
        root = Path(tmp)
        shared = root / "read"
        shared.mkdir()
        pristine = shutil.copyfile(files.tracker, shared / TRACKER_FILE)
        master = shutil.copyfile(files.master, shared / MASTER_FILE)

        config = shared / "esp.toml"
        config.write_text(
            f'[tracker]\npath = "{TRACKER_FILE}"\n[report]\nto = ["lead@example.com"]\n'
            'from = "Jordan Reyes <jordan.reyes@example.com>"\n',
            encoding="utf-8",
        )

        def argv_for(command: Command | str, tracker: Path) -> list[str]:
            values = {
                "tracker": str(tracker),
                "master": str(master),
                "agent_id": files.note_agent,
                "prime_agent": agent_id_for(0),
                "as_of": AS_OF,
                "config": str(config),
            }
            args = command if isinstance(command, str) else command.args
            return [*ESP, *(w.format_map(values) for w in shlex.split(args))]

        # The trackers the writes start from, made once: esp wrote it (its log and backup
        # beside it), and the same after an edit outside esp.
        primed = root / "primed"
        primed.mkdir()
        tracker = shutil.copyfile(files.tracker, primed / TRACKER_FILE)
        done = run_measured(argv_for(PRIME, tracker), primed, env)
        if done.code not in OK_EXIT_CODES:
            raise RuntimeError(f"setting up the bench failed: {done.stderr.decode()[-300:]}")
        edited = shutil.copytree(primed, root / "edited")
        save_as_excel_would(edited / TRACKER_FILE)

        def made_before(command: Command, start: Path | None, folder: Path) -> Path:
            """A copy of `start` (the pristine tracker: None) with `command.before` run."""
            if start is None:
                folder.mkdir()
                shutil.copyfile(files.tracker, folder / TRACKER_FILE)
            else:
                shutil.copytree(start, folder)
            done = run_measured(argv_for(command.before, folder / TRACKER_FILE), folder, env)
            if done.code not in OK_EXIT_CODES:
                raise RuntimeError(f"setting up {command.label} failed: {done.stderr[-300:]!r}")
            return folder

        baseline = Measurement(n, BASELINE, "python -c 'load_workbook(T); wb.save(T)'")
        jobs: list[tuple[Measurement, Command | None, Path | None]] = [(baseline, None, None)]
        out = [baseline]
        for listed in COMMANDS:
            m = Measurement(n, listed.label, f"esp {listed.args}", skipped=skipped[listed.label])
            out.append(m)
            cases = [(m, primed if listed.writes else None)]
            if listed.writes:
                o = Measurement(n, outside_label(listed.label), m.shown, skipped=m.skipped)
                out.append(o)
                cases.append((o, edited))
            if listed.before and m.skipped is None:
                cases = [
                    (c, made_before(listed, start, root / f"before-{len(out)}-{k}"))
                    for k, (c, start) in enumerate(cases)
                ]
            if m.skipped is None:
                jobs += [(c, listed, start) for c, start in cases]
        waits = {c.waiting for _m, c, _s in jobs if c is not None and c.waiting}
        kept = {k: waiting_notes(files, primed, root / f"waiting-{k}", k, env) for k in waits}
        for r in range(repeat):
            for i, (m, command, start) in enumerate(jobs):
                work = root / f"run-{r}-{i}"
                if start is not None:
                    shutil.copytree(start, work)
                    tracker = work / TRACKER_FILE
                else:
                    work.mkdir()
                    writes = command is None or command.writes
                    tracker = (
                        shutil.copyfile(files.tracker, work / TRACKER_FILE) if writes else pristine
                    )
                if command is not None and command.waiting:
                    shutil.copytree(kept[command.waiting], work / "esp-backups", dirs_exist_ok=True)
                    rebind_waiting(work / "esp-backups", tracker)
                if command is not None and command.busy:
                    (work / f"~${TRACKER_FILE}").write_bytes(EXCEL_OWNER)
                if command is None:
                    argv = ["-c", OPENPYXL_SAVE, str(tracker)]
                else:
                    argv = argv_for(command, tracker)
                run = run_measured(argv, work, env, command.stdin if command else "")
                m.runs.append(run)
                shutil.rmtree(work)
                flag = "" if run.code in OK_EXIT_CODES else f"  exit {run.code}"
                say(
                    f"  {n:>6,}  {m.label:<48} run {r + 1}/{repeat}: {run.seconds:7.2f} s "
                    f"{run.peak_mb:6.0f} MB{flag}"
                )
    return out


def bench_help(repeat: int, env: Mapping[str, str]) -> Measurement:
    m = Measurement(None, HELP, "esp --help")
    with tempfile.TemporaryDirectory(prefix="esp-bench-help-") as tmp:
        for _ in range(repeat):
            m.runs.append(run_measured([*ESP, "--help"], Path(tmp), env))
    say(f"  {HELP}: {m.median:.3f} s")
    return m


# ---------------------------------------------------------------- history

HISTORY_SIZE = 10_000  # the tracker the history targets are about
HISTORY_OPS = 1_000  # operations in the log `esp history AGENT` reads
TARGET_RECORDING_SHARE = 0.05  # recording adds at most 5 % to a write
TARGET_HISTORY_AGENT_S = 1.0
RECORDED = (
    Command(
        "escalations --write",
        "escalations --write --write-past --as-of {as_of} --tracker {tracker}",
        writes=True,
    ),
    Command(
        "note add",
        "note add {agent_id} 'Called SPOC; waiting on the callback.' "
        "--by 'Jordan Reyes' --tracker {tracker}",
        writes=True,
    ),
)
HISTORY_READS = (
    Command("history AGENT", "history {agent_id} --format json --tracker {tracker}", writes=False),
    Command("history", "history --tracker {tracker}", writes=False),
)

# Runs esp with every step the operation log adds to a write timed (reading the previous
# entry and choosing an id, the cells' records, the new file's digest, opening the log and
# appending the entry, synced), and writes the time they took to $ESP_BENCH_RECORDING_FILE.
RECORDING_DRIVER = """\
import atexit, hashlib, os, sys, time
from esp_cli.workbook import history
from esp_cli.workbook.xlsx import workbook
spent = [0.0]
def timed(f):
    def inner(*args, **kwargs):
        began = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began
    return inner
for name in ('cell_entries', 'who', 'outside_operation'):
    setattr(history, name, timed(getattr(history, name)))
for name in ('__init__', 'new_id', 'open', 'append', 'close'):
    setattr(history.Recorder, name, timed(getattr(history.Recorder, name)))
class _Hashes:
    sha256 = staticmethod(timed(hashlib.sha256))
workbook.hashlib = _Hashes
def _report():
    with open(os.environ['ESP_BENCH_RECORDING_FILE'], 'w') as f:
        f.write(repr(spent[0]))
atexit.register(_report)
from esp_cli.cli import main
sys.argv = ['esp', *sys.argv[1:]]
main()
"""

# Runs esp with the log's reading timed (for `esp history`): the rest of its time is finding
# the agent in the tracker, as every one-agent command does.
READING_DRIVER = """\
import atexit, os, sys, time
from esp_cli.workbook import history
spent = [0.0]
real = history.read_log
def read_log(*args, **kwargs):
    began = time.perf_counter()
    try:
        return real(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - began
history.read_log = read_log
def _report():
    with open(os.environ['ESP_BENCH_RECORDING_FILE'], 'w') as f:
        f.write(repr(spent[0]))
atexit.register(_report)
from esp_cli.cli import main
sys.argv = ['esp', *sys.argv[1:]]
main()
"""


def build_history_log(files: BenchFiles, path: Path, ops: int = HISTORY_OPS) -> int:
    """A month of a team's operations on the tracker (`ops` of them, about 35 a day): notes
    and access changes on one agent each, a daily N Number sync of a few hundred cells, one
    escalations --write over every agent; the last one ends on the tracker as it is (no
    change outside esp). Returns how many cells the log holds."""
    from esp_cli.core import oplog
    from esp_cli.workbook import history
    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx.workbook import Workbook

    rng = random.Random(SEED)
    table = read_table(Workbook.open(files.tracker))
    rows = list(table.rows())
    note_row = next(r for r in rows if r.text("agent_id") == files.note_agent)
    (sheet,) = table.sheets
    notes_col = sheet.col("notes") or 1
    start = datetime(2026, 10, 26, 8, 0).astimezone()
    digest = hashlib.sha256(b"start").hexdigest()
    final = hashlib.sha256(files.tracker.read_bytes()).hexdigest()

    def cell(row: Any, col: int, before: Any, after: Any) -> Any:
        xml = f'<c r="{column_letter(col)}{row.row}" s="7" t="s"><v>{rng.randrange(9999)}</v></c>'
        return oplog.CellRecord(
            row.sheet, row.row, col, row.label(), row.cls, "Notes", before, after, xml
        )

    total = 0
    with path.open("wb") as out:
        for i in range(ops):
            when = start + timedelta(minutes=i * 20)
            if i == ops // 2:
                picked, label = rows, "escalations --write"  # every agent, once
            elif i % 35 == 0:
                picked, label = rng.sample(rows, min(len(rows), 300)), "sync-nnumbers"
            else:
                picked = [note_row if rng.random() < 0.01 else rng.choice(rows)]
                label = "note add"
            cells = tuple(
                cell(
                    r,
                    notes_col,
                    "10/26/2026 - Jordan Reyes - Started TBTs",
                    f"10/26/2026 - Jordan Reyes - Started TBTs\n{when:%m/%d/%Y} - Jordan "
                    f"Reyes - Called SPOC; waiting on the callback.",
                )
                for r in picked
            )
            total += len(cells)
            after = final if i == ops - 1 else hashlib.sha256(b"%d" % i).hexdigest()
            op = oplog.Operation(
                op=f"{i:08x}",
                kind=oplog.WRITE,
                time=when,
                signer="Jordan Reyes",
                login="jreyes",
                machine="CC-LAPTOP-07",
                version=esp_version,
                command=f"esp {label} --tracker 'ESP Tracker.xlsx'",
                digest_before=digest,
                digest_after=after,
                backup=f"ESP Tracker.x.op-{i:08x}.xlsx",
                cells=cells,
            )
            out.write(history._encode(op))
            digest = after
    return total


@dataclass
class RecordingRun:
    seconds: float
    recording: float


@dataclass
class HistoryBench:
    log_mb: float
    log_cells: int
    recorded: dict[str, list[RecordingRun]]
    reads: list[Measurement]
    log_read: dict[str, list[float]] = field(default_factory=dict)  # label -> seconds


def bench_history(files: BenchFiles, repeat: int, env: Mapping[str, str]) -> HistoryBench:
    """The recording's share of a write (with the month's log in place), and `esp history`
    reading that log."""
    with tempfile.TemporaryDirectory(prefix="esp-bench-history-") as tmp:
        root = Path(tmp)
        log = root / "history.jsonl"
        cells = build_history_log(files, log)
        recorded: dict[str, list[RecordingRun]] = {c.label: [] for c in RECORDED}
        reads = [
            Measurement(files.agents, f"{c.label} ({HISTORY_OPS:,} ops)", f"esp {c.args}")
            for c in HISTORY_READS
        ]
        log_read: dict[str, list[float]] = {m.label: [] for m in reads}
        shared = root / "read"
        (shared / "esp-backups").mkdir(parents=True)
        pristine = shutil.copyfile(files.tracker, shared / TRACKER_FILE)
        shutil.copyfile(log, shared / "esp-backups" / f"{Path(TRACKER_FILE).stem}.history.jsonl")
        for r in range(repeat):
            for i, command in enumerate(RECORDED):
                work = root / f"run-{r}-{i}"
                (work / "esp-backups").mkdir(parents=True)
                tracker = shutil.copyfile(files.tracker, work / TRACKER_FILE)
                shutil.copyfile(log, work / "esp-backups" / f"{tracker.stem}.history.jsonl")
                spent = work / "recording"
                args = [
                    w.format_map(
                        {"tracker": str(tracker), "agent_id": files.note_agent, "as_of": AS_OF}
                    )
                    for w in shlex.split(command.args)
                ]
                run = run_measured(
                    ["-c", RECORDING_DRIVER, *args],
                    work,
                    {**env, "ESP_BENCH_RECORDING_FILE": str(spent)},
                )
                if run.code not in OK_EXIT_CODES:
                    raise RuntimeError(f"{command.label} failed: {run.stderr.decode()[-300:]}")
                recorded[command.label].append(RecordingRun(run.seconds, float(spent.read_text())))
                shutil.rmtree(work)
                ms = recorded[command.label][-1].recording * 1000
                say(
                    f"  {files.agents:>6,}  {command.label:<22} run {r + 1}/{repeat}: "
                    f"{run.seconds:7.2f} s, recording {ms:.0f} ms"
                )
            for command, m in zip(HISTORY_READS, reads, strict=True):
                argv = [
                    w.format_map({"tracker": str(pristine), "agent_id": files.note_agent})
                    for w in shlex.split(command.args)
                ]
                spent = root / "reading"
                m.runs.append(
                    run_measured(
                        ["-c", READING_DRIVER, *argv],
                        shared,
                        {**env, "ESP_BENCH_RECORDING_FILE": str(spent)},
                    )
                )
                log_read[m.label].append(float(spent.read_text()))
                say(
                    f"  {files.agents:>6,}  {m.label:<22} run {r + 1}/{repeat}: "
                    f"{m.runs[-1].seconds:7.2f} s, reading the log {log_read[m.label][-1]:.3f} s"
                )
        return HistoryBench(log.stat().st_size / 1e6, cells, recorded, reads, log_read)


def history_verdicts(h: HistoryBench) -> list[Verdict]:
    out = []
    for label, runs in h.recorded.items():
        share = statistics.median(r.recording / r.seconds for r in runs)
        out.append(
            Verdict(
                f"recording adds ≤ {TARGET_RECORDING_SHARE:.0%} to `{label}` at "
                f"{HISTORY_SIZE // 1000}k",
                f"{share:.1%}",
                "PASS" if share <= TARGET_RECORDING_SHARE else "MISS",
            )
        )
    agent = h.reads[0]
    if agent.ok:
        out.append(
            Verdict(
                f"`esp history AGENT` with {HISTORY_OPS:,} operations < "
                f"{TARGET_HISTORY_AGENT_S:g} s",
                f"{agent.median:.2f} s",
                "PASS" if agent.median < TARGET_HISTORY_AGENT_S else "MISS",
            )
        )
    else:
        out.append(Verdict("`esp history AGENT`", agent.work(), "MISS"))
    return out


def history_report(h: HistoryBench, checks: Sequence[Verdict]) -> list[str]:
    out = [
        "## History and undo",
        "",
        f"On the {HISTORY_SIZE:,}-agent tracker, with a month's operation log in place "
        f"({HISTORY_OPS:,} operations, {h.log_cells:,} cells, {h.log_mb:.1f} MB: notes, a "
        "daily sync, one escalations --write over every agent). *recording* is the time "
        "the log's steps took inside the command (reading the previous entry, choosing an "
        "id, the cells' records, the new file's digest, opening the log, appending the "
        "entry and syncing it to disk), timed in the process; *share* is its median share "
        "of the command's wall time. For `esp history`, *log ms* is the time reading the "
        "log took; the rest is starting Python and, for one agent, finding the agent in the "
        "tracker as every one-agent command does (compare `note add`, measured in the same "
        "run: a busy machine slows both alike).",
        "",
        "| command | median s | recording ms | share | log ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, runs in h.recorded.items():
        wall = statistics.median(r.seconds for r in runs)
        rec = statistics.median(r.recording for r in runs)
        share = statistics.median(r.recording / r.seconds for r in runs)
        out.append(f"| {label} | {wall:.2f} | {rec * 1000:.0f} | {share:.1%} | — |")
    for m in h.reads:
        shown = f"{m.median:.2f}" if m.ok else m.work()
        reading = h.log_read.get(m.label)
        log_ms = f"{statistics.median(reading) * 1000:.0f}" if reading else "—"
        out.append(f"| {m.label} | {shown} | — | — | {log_ms} |")
    out += ["", "| target | measured | result |", "| --- | --- | --- |"]
    out += [f"| {v.target} | {v.measured} | **{v.result}** |" for v in checks]
    return out


# -------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    result: str  # PASS, MISS or n/a


def _find(ms: Sequence[Measurement], size: int | None, label: str) -> Measurement | None:
    return next((m for m in ms if m.size == size and m.label == label), None)


def ratio(ms: Sequence[Measurement], m: Measurement) -> float | None:
    base = _find(ms, m.size, BASELINE)
    if m.size is None or base is None or not base.ok or not m.ok or m.label == BASELINE:
        return None
    return m.median / base.median


def verdicts(ms: Sequence[Measurement]) -> list[Verdict]:
    out: list[Verdict] = []

    def check(
        target: str,
        value: float | None,
        limit: float,
        fmt: str,
        why: str = "not measured in this run",
    ) -> None:
        if value is None:
            out.append(Verdict(target, why, "n/a"))
        else:
            out.append(Verdict(target, fmt.format(value), "PASS" if value <= limit else "MISS"))

    labels = [
        label
        for command in COMMANDS
        for label in (
            (command.label, outside_label(command.label)) if command.writes else (command.label,)
        )
    ]
    for label in labels:
        m10, m50 = _find(ms, 10_000, label), _find(ms, 50_000, label)
        any_m = m10 or m50
        if any_m is not None and any_m.skipped:
            out.append(Verdict(f"`{label}`: every target", "skipped: no such command yet", "n/a"))
            continue
        why = "not measured in this run"
        if any_m is not None and any_m.failed is not None:
            why = "the command failed"
        check(
            f"`{label}` ≤ {TARGET_RATIO_10K}× openpyxl at 10k",
            ratio(ms, m10) if m10 else None,
            TARGET_RATIO_10K,
            "{:.3f}×",
            why,
        )
        check(
            f"`{label}` about a second at 10k (≤ {TARGET_WALL_10K_S} s)",
            m10.median if m10 and m10.ok else None,
            TARGET_WALL_10K_S,
            "{:.2f} s",
            why,
        )
        growth = m50.median / m10.median if m10 and m50 and m10.ok and m50.ok else None
        check(
            f"`{label}` grows linearly: time(50k)/time(10k) ≤ {TARGET_GROWTH:g}",
            growth,
            TARGET_GROWTH,
            "{:.2f}",
            why,
        )
        check(
            f"`{label}` peak memory ≤ {TARGET_PEAK_MB_50K:g} MB at 50k",
            m50.peak_mb if m50 and m50.ok else None,
            TARGET_PEAK_MB_50K,
            "{:.0f} MB",
            why,
        )
    note_m, round_m = _find(ms, 10_000, NOTE_ADD), _find(ms, 10_000, ROUND)
    check(
        f"`{ROUND}` ≤ {TARGET_ROUND_VS_NOTE}× `{NOTE_ADD}` at 10k",
        round_m.median / note_m.median if note_m and round_m and note_m.ok and round_m.ok else None,
        TARGET_ROUND_VS_NOTE,
        "{:.2f}×",
    )
    apply_m, kept_m = _find(ms, 10_000, APPLY), _find(ms, 10_000, NOTE_KEPT)
    check(
        f"`{APPLY}` ≤ {TARGET_APPLY_VS_NOTE}× `{NOTE_ADD}` at 10k",
        apply_m.median / note_m.median if note_m and apply_m and note_m.ok and apply_m.ok else None,
        TARGET_APPLY_VS_NOTE,
        "{:.2f}×",
    )
    check(
        f"`{NOTE_KEPT}` ≤ {TARGET_KEPT_VS_NOTE}× `{NOTE_ADD}` at 10k",
        kept_m.median / note_m.median if note_m and kept_m and note_m.ok and kept_m.ok else None,
        TARGET_KEPT_VS_NOTE,
        "{:.2f}×",
    )
    eod_m, kpi_m = _find(ms, 10_000, EOD), _find(ms, 10_000, KPI)
    check(
        f"`{KPI}` ≤ {TARGET_KPI_VS_EOD:g}× `{EOD}` at 10k",
        kpi_m.median / eod_m.median if eod_m and kpi_m and eod_m.ok and kpi_m.ok else None,
        TARGET_KPI_VS_EOD,
        "{:.2f}×",
    )
    help_m = _find(ms, None, HELP)
    check(
        f"`esp --help` ≤ {TARGET_HELP_S} s",
        help_m.median if help_m and help_m.ok else None,
        TARGET_HELP_S,
        "{:.3f} s",
    )
    return out


def table_rows(ms: Sequence[Measurement]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for m in ms:
        size = f"{m.size:,}" if m.size is not None else "—"
        if not m.ok:
            rows.append((size, m.label, "—", "—", "—", m.work()))
            continue
        r = ratio(ms, m)
        shown_ratio = "1" if m.label == BASELINE else ("—" if r is None else f"{r:.3f}")
        rows.append(
            (
                size,
                m.label,
                f"{m.median:.2f}" if m.median >= 0.995 else f"{m.median:.3f}",
                shown_ratio,
                f"{m.peak_mb:.0f}",
                m.work(),
            )
        )
    return rows


HEADERS = ("agents", "command", "median s", "× openpyxl", "peak MB", "work done")


def _figures(ms: Sequence[Measurement], m: Measurement | None) -> str:
    if m is None or not m.ok:
        return "—" if m is None or m.skipped else "failed"
    r = ratio(ms, m)
    shown = f"{m.median:.2f} s" if m.median >= 0.995 else f"{m.median:.3f} s"
    return f"{shown}, {'—' if r is None else f'{r:.3f}×'}, {m.peak_mb:.0f} MB"


def side_by_side(ms: Sequence[Measurement]) -> list[str]:
    """Every write in both cases (see OUTSIDE), beside the targets."""
    out = [
        "## Writes: only esp wrote before, and after an edit outside esp",
        "",
        f"*{ESP_ONLY}*: the tracker as esp's previous write left it (an untimed `esp note "
        f"add` on another agent). *{OUTSIDE}*: the same tracker after someone changed one "
        f"cell ({EDITED_COLUMN} of the first agent) and saved in Excel — the sheet written "
        "again and every part of the package compressed anew — which the write notices and "
        "records first. Each: median wall time, × openpyxl load+save (same size, same run), "
        f"peak MB. Targets: ≤ {TARGET_RATIO_10K}× at 10k, ≤ {TARGET_PEAK_MB_50K:g} MB at 50k.",
        "",
        f"| agents | command | {ESP_ONLY} | {OUTSIDE} | target |",
        "| ---: | --- | ---: | ---: | --- |",
    ]
    sizes = sorted({m.size for m in ms if m.size is not None})
    for size in sizes:
        target = (
            f"≤ {TARGET_RATIO_10K}×"
            if size == 10_000
            else f"≤ {TARGET_PEAK_MB_50K:g} MB"
            if size == 50_000
            else ""
        )
        for command in COMMANDS:
            if not command.writes:
                continue
            m = _find(ms, size, command.label)
            o = _find(ms, size, outside_label(command.label))
            if m is None and o is None:
                continue
            out.append(
                f"| {size:,} | {command.label} | {_figures(ms, m)} | {_figures(ms, o)} | {target} |"
            )
    return out


def text_report(ms: Sequence[Measurement], checks: Sequence[Verdict]) -> str:
    rows = [HEADERS, *table_rows(ms)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS) - 1)]
    lines = []
    for i, r in enumerate(rows):
        cells = [
            r[0].rjust(widths[0]),
            r[1].ljust(widths[1]),
            *(c.rjust(w) for c, w in zip(r[2:5], widths[2:5], strict=True)),
            r[5],
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 9)
    lines.append("")
    for v in checks:
        lines.append(f"{v.result:<4}  {v.target}: {v.measured}")
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    return "RAM unknown"


def _git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=BENCH_DIR, check=False
        )
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # The code measured: the package and this script (not RESULTS.md, which this run writes).
    dirty = git(
        "status", "--porcelain", "--untracked-files=no", "--", "../src", Path(__file__).name
    )
    return f"{commit} (with uncommitted changes)" if dirty else commit


def _openpyxl_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("openpyxl")
    except PackageNotFoundError:
        return "not installed"


def markdown_report(
    ms: Sequence[Measurement],
    checks: Sequence[Verdict],
    files: Sequence[BenchFiles],
    repeats: Mapping[int, int],
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# esp benchmark results",
        "",
        f"Measured {now} by `make bench` (`bench/bench.py`), esp {esp_version} at commit "
        f"{_git_commit()}.",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({_cpu_model()}), {_memory_gb()}, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, openpyxl {_openpyxl_version()}",
        "- Runs: "
        + ", ".join(f"{n:,} agents × {k}" for n, k in repeats.items())
        + f"; `esp --help` × {HELP_REPEAT}",
        "- Files: "
        + "; ".join(
            f"{f.agents:,} agents: tracker {f.tracker.stat().st_size / 1e6:.2f} MB, "
            f"Master {f.master.stat().st_size / 1e6:.2f} MB"
            for f in files
        ),
        "",
        "Each figure is the median wall time of fresh `python -m esp_cli …` subprocesses "
        "(commands that write run on a fresh copy of the tracker each time; esp byte-compiled "
        "as an installed package is, its holiday cache filled, as after a first run; the "
        "runs of all commands take turns, so a slower minute of the machine falls on all of "
        "them); *× openpyxl* "
        "divides it by a plain openpyxl `load_workbook` + `save` of the same file measured in "
        "the same run; *peak MB* is the child process's own maximum resident set size. The "
        "trackers have the sample's features (title rows, 40 columns, shared strings, the x14 "
        "drop-down and its hidden Lists sheet, a formula column with cached results, "
        "multi-line notes, dates typed every way) — see the docstring of `bench/bench.py`.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "| ---: | --- | ---: | ---: | ---: | --- |",
    ]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in table_rows(ms)]
    out += ["", *side_by_side(ms)]
    out += ["", "## Targets", "", "| target | measured | result |", "| --- | --- | --- |"]
    out += [f"| {v.target} | {v.measured} | **{v.result}** |" for v in checks]
    skipped = {m.label: m for m in ms if m.skipped}
    if skipped:
        out += ["", "## Not measured yet", ""]
        out += [f"- `{m.shown}`: {m.skipped}." for m in skipped.values()]
    out += ["", "## Commands", ""]
    out += [f"- `{c.label}`: `esp {c.args}`" for c in COMMANDS]
    out += [
        f"- `{BASELINE}`: `{OPENPYXL_SAVE.strip().splitlines()[-2]}` then "
        f"`{OPENPYXL_SAVE.strip().splitlines()[-1]}` in a fresh interpreter",
        "",
    ]
    return "\n".join(out)


# ------------------------------------------------------------------------------ main


def _sizes(text: str) -> tuple[int, ...]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        scale = 1000 if part.endswith("k") else 1
        try:
            value = int(part.rstrip("k")) * scale
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a size: {part!r} (e.g. 1000,10k)") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"a size must be at least 1: {part!r}")
        sizes.append(value)
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return tuple(sizes)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument(
        "--sizes",
        type=_sizes,
        help="agents per tracker, comma-separated (default 1000,10000,50000)",
    )
    p.add_argument(
        "--repeat",
        type=_positive,
        help="runs per command and size (default 5 up to 10k agents, 3 above)",
    )
    p.add_argument("--quick", action="store_true", help="1k and 10k only, 3 runs each")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache of built trackers")
    p.add_argument(
        "--results",
        type=Path,
        default=DEFAULT_RESULTS,
        help="Markdown results file (default bench/RESULTS.md); '-' for none",
    )
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached trackers")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument(
        "--history-only",
        action="store_true",
        help="measure only the operation log (10k agents) and replace that section "
        "of the results file",
    )
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes: tuple[int, ...] = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    repeats = {n: args.repeat or (QUICK_REPEAT if args.quick else default_repeat(n)) for n in sizes}
    env = child_env(args.out)
    warm_holiday_cache(env)
    if args.history_only:
        return _history_only(args, env)
    with tempfile.TemporaryDirectory(prefix="esp-bench-") as tmp:
        skipped = {c.label: missing_reason(c, env, Path(tmp)) for c in COMMANDS}
    for label, why in skipped.items():
        if why:
            say(f"skipping {label}: {why}")
    files = [cached_files(n, args.out, args.rebuild) for n in sizes]
    measurements = [bench_help(HELP_REPEAT, env)]
    for f in files:
        measurements += bench_size(f, repeats[f.agents], env, skipped)
    checks = verdicts(measurements)
    hist = next((f for f in files if f.agents == HISTORY_SIZE), None)
    history_part: list[str] = []
    history_checks: list[Verdict] = []
    if hist is not None:
        h = bench_history(hist, repeats[hist.agents], env)
        history_checks = history_verdicts(h)
        history_part = ["", *history_report(h, history_checks)]
    print(text_report(measurements, [*checks, *history_checks]))
    if str(args.results) != "-":
        report = markdown_report(measurements, checks, files, repeats)
        args.results.write_text(report + "\n".join(history_part) + "\n", encoding="utf-8")
        say(f"wrote {args.results}")
    missed = any(v.result == "MISS" for v in [*checks, *history_checks])
    return 1 if args.strict and missed else 0


def _history_only(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    files = cached_files(HISTORY_SIZE, args.out, args.rebuild)
    h = bench_history(files, args.repeat or default_repeat(HISTORY_SIZE), env)
    checks = history_verdicts(h)
    part = history_report(h, checks)
    print("\n".join(part))
    if str(args.results) != "-":
        old = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
        head = old.split("\n" + part[0], 1)[0].rstrip("\n")
        args.results.write_text(head + "\n\n" + "\n".join(part) + "\n", encoding="utf-8")
        say(f"wrote {args.results}")
    return 1 if args.strict and any(v.result == "MISS" for v in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
