"""Every command's JSON and CSV, as scripts read them, pinned to files in tests/golden/.

The day's commands run in order on a fresh copy of the sample (as `esp demo` does) and on an
escalation tracker of every state (tests/escalation_tracker.py), each with --format json
and csv (the report also md, text and html). What differs from run to run — the folder,
operation ids, times, digests — is replaced by a placeholder. The commands run on a pinned
day (TODAY), whatever the machine's clock; where an older file says {today}, the output
says that day's date (only there: a tracker's date that falls on it is still compared as a
date). Everything else must be what the file holds, so a key renamed, re-nested or a list
turned into an object fails here. A change that adds a field is made on purpose: rewrite
the files with

    ESP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_output_contract.py

and read the diff: a golden file the output still fits is left as it is.
"""

from __future__ import annotations

import email
import email.policy
import getpass
import json
import os
import re
import shlex
import socket
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.demo import AS_OF, copy_sample
from tests import escalation_tracker as et

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("ESP_UPDATE_GOLDEN"))
DAY = date.fromisoformat(AS_OF)
# The day the outputs are made on, whatever the machine's clock: a date of the trackers'
# after the day replayed is recorded later, or still to come, as it falls before or after
# the day the tracker is read (esp escalations' inconsistencies).
TODAY = date(2026, 12, 7)
NOTE_FILE = "notes-to-import.csv"
NOTES_CSV = (
    "agent,note,column,date\n"
    "Tyrone Jackson,Call Cert booked for Thursday,Notes,11/24/2026\n"
    "Marcus Lee,Citrix works again,TBT Notes,11/24/2026\n"
    "Nobody Known,This row matches no agent,Notes,11/24/2026\n"
)
SCREENSHOTS = ("Amira Hassan course number.png", "hassan amira name.png", "Nobody.png")
ROUND_ANSWERS = "Working on module 2\n\nq\n"


@dataclass(frozen=True)
class Case:
    name: str  # the golden file's name (its suffix is the format)
    argv: tuple[str, ...]  # {dir}: the folder; {op}: the newest operation written
    stdin: str = ""
    tracker: str = "sample"  # or "ladder": the escalation tracker
    mail: str = ""  # the e-mail (.eml, or a folder of them) recorded instead of stdout


def sample(name: str, command: str, stdin: str = "", mail: str = "") -> Case:
    return Case(name, tuple(shlex.split(command)), stdin, mail=mail)


def ladder(name: str, command: str) -> Case:
    return Case(name, tuple(shlex.split(command)), tracker="ladder")


TYRONE = "'Tyrone Jackson'"
NOTE = "--note 'Call Cert delay'"
ACCESS = (
    "'Marcus Lee' 'password reset' --spoc-called {day} --incident INC0049377 "
    "--phone 513.555.0131 --date {day}"
)
SMES = "AET-1116 --sme 'Keisha Grant' --sme 'Marcus Bell'"


# In the order they run: the reading commands first, each writing one as a dry run (csv)
# and then for real (json), the log and an undo last. {day} is the sample's today.
CASES: tuple[Case, ...] = (
    sample("sync-dry.json", "sync-nnumbers --dry-run -f json"),
    sample("sync-dry.csv", "sync-nnumbers --dry-run -f csv"),
    sample("doctor.json", "doctor -f json"),
    sample("doctor.csv", "doctor -f csv"),
    sample("escalations.json", "escalations --as-of {day} -f json"),
    sample("escalations.csv", "escalations --as-of {day} -f csv"),
    sample("escalations-today.json", "escalations --today --as-of {day} -f json"),
    sample("escalations-today.csv", "escalations --today --as-of {day} -f csv"),
    sample("explain.json", "explain 'Tyrone Jackson' --as-of {day} -f json"),
    sample("missing.json", "progress missing --date {day} -f json"),
    sample("missing.csv", "progress missing --date {day} -f csv"),
    sample("sme-list.json", "sme list -f json"),
    sample("sme-list.csv", "sme list -f csv"),
    sample("eod.json", "report eod --date {day} -f json"),
    sample("eod.csv", "report eod --date {day} -f csv"),
    sample("eod.md", "report eod --date {day} -f md"),
    sample("eod.txt", "report eod --date {day} -f text"),
    sample("eod.html", "report eod --date {day} -f html"),
    sample("eod-class.json", "report eod --date {day} --class AET-1116 -f json"),
    sample("kpi.json", "report kpi --to {day} -f json"),
    sample("kpi.csv", "report kpi --to {day} -f csv"),
    sample(
        "kpi-sme.json", "report kpi --from 2026-11-17 --to {day} --sme 'Priya Natarajan' -f json"
    ),
    sample("locate-dry.json", "report locate --dry-run -f json"),
    sample("locate.json", "report locate --screenshots {dir}/shots -f json"),
    sample("advise-due.json", "advise --due --as-of {day} -f json"),
    sample("advise-due.csv", "advise --due --as-of {day} -f csv"),
    sample(
        "advise-drafts-dry.json", "advise --due --as-of {day} --out {dir}/drafts --dry-run -f json"
    ),
    sample("advise-one.json", "advise 'Tyrone Jackson' self-report --as-of {day} -f json"),
    sample("eod-mail.txt", "report eod --date {day} --eml {dir}/eod.eml", mail="{dir}/eod.eml"),
    sample(
        "locate-mail.txt",
        "report locate --screenshots {dir}/shots --eml {dir}/locate.eml",
        mail="{dir}/locate.eml",
    ),
    sample(
        "advise-drafts.txt", "advise --due --as-of {day} --out {dir}/drafts", mail="{dir}/drafts"
    ),
    sample(
        "document-due-dry.csv",
        "document --due --as-of {day} --out {dir}/documents --dry-run -f csv",
    ),
    sample(
        "document-one.json",
        "document 'Kayla Brooks' written_cap --date {day} --out {dir}/documents --eml -f json",
    ),
    sample(
        "document-mail.txt",
        "document 'Marcus Lee' coaching --date {day} --out {dir}/doc-mail --eml",
        mail="{dir}/doc-mail",
    ),
    sample("sync.json", "sync-nnumbers -f json"),
    sample(
        "record-dry.csv", f"record-step {TYRONE} coaching --date {{day}} {NOTE} --dry-run -f csv"
    ),
    sample("record.json", f"record-step {TYRONE} coaching --date {{day}} {NOTE} -f json"),
    sample(
        "escalations-write-dry.csv",
        "escalations --write --write-past --as-of {day} --dry-run -f csv",
    ),
    sample("escalations-write.json", "escalations --write --write-past --as-of {day} -f json"),
    sample("import-dry.csv", "progress import --date {day} --dry-run -f csv"),
    sample("import.json", "progress import --date {day} -f json"),
    sample("access-dry.csv", f"access set {ACCESS} --dry-run -f csv"),
    sample("access.json", f"access set {ACCESS} -f json"),
    sample(
        "note-dry.csv", f"note add {TYRONE} 'Call Cert on 11/25' --date {{day}} --dry-run -f csv"
    ),
    sample("note.json", f"note add {TYRONE} 'Call Cert on 11/25' --date {{day}} -f json"),
    sample("proofs-dry.csv", "tbt proofs {dir}/tbt-proofs --dry-run -f csv"),
    sample("proofs.json", "tbt proofs {dir}/tbt-proofs -f json"),
    sample("sme-assign-dry.csv", f"sme assign {SMES} --dry-run -f csv"),
    sample("sme-assign.json", f"sme assign {SMES} -f json"),
    sample("note-import-dry.csv", f"note import {{dir}}/{NOTE_FILE} --dry-run -f csv"),
    sample("note-import.json", f"note import {{dir}}/{NOTE_FILE} -f json"),
    sample("round.json", "round --class AET-1116 --yes -f json", stdin=ROUND_ANSWERS),
    sample("history.json", "history -f json"),
    sample("history.csv", "history -f csv"),
    sample("history-agent.json", f"history {TYRONE} -f json"),
    sample("history-agent.csv", f"history {TYRONE} -f csv"),
    sample("history-cells.json", "history --by Jordan --cells -f json"),
    sample("history-cells.csv", "history --by Jordan --cells -f csv"),
    sample("undo-dry.json", "undo {op} --dry-run -f json"),
    sample("undo-dry.csv", "undo {op} --dry-run -f csv"),
    sample("undo.json", "undo {op} -f json"),
    sample("document-due.json", "document --due --as-of {day} --out {dir}/due --record -f json"),
    ladder("ladder-escalations.json", "escalations --as-of {day} -f json"),
    ladder("ladder-escalations.csv", "escalations --as-of {day} -f csv"),
    ladder("ladder-today.json", "escalations --today --as-of {day} -f json"),
    ladder("ladder-today.csv", "escalations --today --as-of {day} -f csv"),
    ladder("ladder-eod.json", "report eod --date {day} -f json"),
    ladder("ladder-eod.csv", "report eod --date {day} -f csv"),
    ladder("ladder-kpi.json", "report kpi --to {day} -f json"),
    ladder("ladder-kpi.csv", "report kpi --to {day} -f csv"),
    ladder("ladder-explain.json", "explain 'Ana Adler' --as-of {day} -f json"),
    ladder("ladder-doctor.json", "doctor -f json"),
)

_OP = re.compile(r'"op": "([0-9a-f]{8})"')
_FROM_TODAY = re.compile(r'("next_step_due_if_recorded_today": )"\d{4}-\d\d-\d\d"')


def _normalise(text: str, folder: Path, ops: dict[str, str]) -> str:
    """The output with what differs between runs replaced by placeholders."""
    text = text.replace(str(folder), "{dir}")
    for op in re.findall(r"\b[0-9a-f]{8}\b", text):
        if op in ops:
            text = re.sub(rf"\b{op}\b", ops[op], text)
    text = re.sub(r"\b[0-9a-f]{64}\b", "{digest}", text)
    text = re.sub(r"\d{4}-\d\d-\d\d_\d{6}(_\d+)?", "{stamp}", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "{time}", text)
    for value, name in ((getpass.getuser(), "login"), (socket.gethostname(), "machine")):
        text = re.sub(rf'("{name}": ")({re.escape(value)})"', rf'\1{{{name}}}"', text)
    return text


def _mail(path: Path) -> str:
    """An e-mail as a person reads it: its headers, each part's type and text."""
    out = []
    for file in sorted(path.glob("*.eml")) if path.is_dir() else [path]:
        msg = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
        out.append(f"== {file.name}")
        out += [f"{k}: {msg[k]}" for k in ("Subject", "From", "To", "Cc", "X-Unsent") if msg[k]]
        for part in msg.walk():
            if part.is_multipart():
                continue
            name = part.get_filename()
            out.append(f"-- {part.get_content_type()}" + (f" {name}" if name else ""))
            if part.get_content_maintype() == "text":
                out.append(part.get_content().replace("\r\n", "\n"))
    return "\n".join(out) + "\n"


def _run_all(tmp: Path) -> dict[str, tuple[int, str]]:
    folder = tmp / "sample"
    copy_sample(folder)
    (folder / NOTE_FILE).write_text(NOTES_CSV, encoding="utf-8")
    (folder / "shots").mkdir()
    for shot in SCREENSHOTS:
        (folder / "shots" / shot).write_bytes(b"\x89PNG\r\n")
    ladder_file = et.build(tmp / "Ladder Tracker.xlsx", et.make_agents(40))
    runner = CliRunner()
    ops: dict[str, str] = {}
    newest = ""
    out: dict[str, tuple[int, str]] = {}
    env = {"ESP_USER": "Jordan Reyes"}
    for case in CASES:
        where = folder if case.tracker == "sample" else tmp
        argv = [
            a.replace("{dir}", str(where)).replace("{op}", newest).replace("{day}", AS_OF)
            for a in case.argv
        ]
        if case.tracker == "sample":
            argv += ["--config", str(folder / "esp.toml")]
        else:
            argv += ["--tracker", str(ladder_file)]
        result = runner.invoke(app, argv, input=case.stdin, env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        for op in _OP.findall(result.stdout):
            if op not in ops:
                ops[op] = f"{{op{len(ops) + 1}}}"
            if case.argv[0] != "history":
                newest = op
        text = _mail(Path(case.mail.replace("{dir}", str(where)))) if case.mail else result.stdout
        if "--as-of" not in case.argv:
            # Worked out from the day the command runs (record-step says what is next as
            # of now): a date that moves with the calendar, not a value to pin.
            text = _FROM_TODAY.sub(r'\1"{from today}"', text)
        out[case.name] = (result.exit_code, _normalise(text, where, ops))
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    with time_machine.travel(datetime(TODAY.year, TODAY.month, TODAY.day, 12), tick=True):
        return _run_all(tmp_path_factory.mktemp("contract"))


def _sorted(text: str) -> str:
    return json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False)


def _today_forms() -> tuple[str, ...]:
    """Today as the outputs write it: a note's stamp, an ISO date, a title's day."""
    today = TODAY
    return (f"{today:%a %m/%d/%Y}", today.isoformat(), f"{today:%m/%d/%Y}")


def _still_fits(path: Path, code: int, text: str) -> bool:
    """Whether the golden file at `path` still says this output (so an update leaves it as
    it is, and a tracker's date that falls on today is not made {today})."""
    if not path.exists():
        return False
    first, _, body = path.read_text(encoding="utf-8").partition("\n")
    return first == f"exit {code}" and _fits(text, body)


def _fits(text: str, golden: str) -> bool:
    """Whether the output is the golden text, where it says {today} today's date in any of
    its forms. Only there: a date of the tracker's that falls on today stays a date."""
    parts = golden.split("{today}")
    if len(parts) == 1:
        return text == golden
    today = "(?:" + "|".join(map(re.escape, _today_forms())) + ")"
    return re.fullmatch(today.join(map(re.escape, parts)), text, re.S) is not None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_output_is_the_pinned_contract(case: Case, outputs: dict[str, tuple[int, str]]) -> None:
    code, text = outputs[case.name]
    path = GOLDEN / case.name
    recorded = f"exit {code}\n{text}"
    if UPDATE and not _still_fits(path, code, text):  # a golden file still right stays
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(recorded, encoding="utf-8", newline="\n")
    want = path.read_text(encoding="utf-8")
    first, _, body = want.partition("\n")
    assert f"exit {code}" == first
    if case.name.endswith(".json"):
        # The contract is the objects: every key, value, type and nesting (sorted and dumped
        # again, so true is not 1 and 1 is not 1.0).
        if not _fits(_sorted(text), _sorted(body)):
            assert _sorted(text) == _sorted(body)
    # Each key keeps its place among its siblings too, and every other format its bytes.
    if not _fits(text, body):
        assert text == body


def test_every_golden_file_is_a_case() -> None:
    """A golden file left behind by a removed case would pin nothing."""
    names = {c.name for c in CASES}
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(names)


def test_the_cases_cover_every_output_format_of_every_data_command() -> None:
    commands = {c.argv[0] if c.argv[0] not in ("report", "progress", "sme", "note", "tbt",
                                                "access") else " ".join(c.argv[:2])
                for c in CASES}  # fmt: skip
    assert {
        "sync-nnumbers", "doctor", "escalations", "explain", "progress missing",
        "progress import", "sme list", "sme assign", "report eod", "report kpi", "report locate",
        "advise",
        "record-step", "access set", "note add", "note import", "tbt proofs", "round",
        "history", "undo", "document",
    } <= commands  # fmt: skip


# What every write's JSON holds besides its own keys, as scripts read any write: the cells
# (each with these keys), the columns added, and what became of the write.
WRITE_KEYS = ("changes", "added_columns", "dry_run", "backup", "op", "status")
WAITING_KEYS = ("waiting_written", "waiting_held")
CHANGE_KEYS = ("sheet", "cell", "agent", "column", "old", "new")
WRITERS = ("sync-nnumbers", "record-step", "advise", "document", "round", "undo")
WRITING_SUBCOMMANDS = (
    ("report", "locate"), ("progress", "import"), ("access", "set"), ("note", "add"),
    ("note", "import"), ("tbt", "proofs"), ("sme", "assign"),
)  # fmt: skip


def _writes(case: Case) -> bool:
    """Whether the case's command writes the tracker (or, with --dry-run, would)."""
    return (
        case.argv[0] in WRITERS
        or tuple(case.argv[:2]) in WRITING_SUBCOMMANDS
        or "--write" in case.argv
        or "--dry-run" in case.argv
    )


WRITE_CASES = [c for c in CASES if c.name.endswith(".json") and _writes(c)]


@pytest.mark.parametrize("case", WRITE_CASES, ids=[c.name for c in WRITE_CASES])
def test_every_write_gives_its_cells_in_one_shape(case: Case) -> None:
    """escalations --write, report locate, record-step, note add, ...: one shape, so a
    script reads any write the same way."""
    body = (GOLDEN / case.name).read_text(encoding="utf-8").partition("\n")[2]
    data = json.loads(body)
    assert isinstance(data, dict), case.name
    assert [k for k in (*WRITE_KEYS, *WAITING_KEYS) if k not in data] == [], case.name
    assert all(set(CHANGE_KEYS) <= set(c) for c in data["changes"]), case.name


def test_the_writes_checked_for_one_shape_are_every_writing_command() -> None:
    commands = {" ".join(c.argv[:2]) if tuple(c.argv[:2]) in WRITING_SUBCOMMANDS else c.argv[0]
                for c in WRITE_CASES}  # fmt: skip
    assert commands == {*WRITERS, *(" ".join(s) for s in WRITING_SUBCOMMANDS), "escalations"}
