"""Run every `$ esp …` session in README.md and docs/ and compare the output.

The terminal sessions in README.md and in every page under docs/ are the program's real
output: `--check` (the default, and tests/test_readme.py) runs each page's commands, in
order, on its own fresh copy of the bundled sample with the clock at the sample's today
(Tue 11/24/2026, 9:00), tables drawn 100 columns wide as a terminal shows them, and fails on
any difference; `--update` writes the real output into the page. Give pages to run only
those. A line `…` in a session stands for any number of lines (the rest of a long table),
and is kept where it is by `--update`. Paths of the scratch folder and the time stamps in
backup names are compared as shapes, not as text; your own config folder shows as
~/.config/esp.

A page makes the files its sessions use in its own text, where the reader sees them:

- `<!-- file: notes.csv -->` before a fenced block writes the block to that file (a `.csv`
  with CR LF line ends, as Excel saves it);
- `<!-- workbook: ESP Tracker.xlsx | ESP Tracker -->` before a Markdown table writes the
  table as that workbook, its one sheet named after the bar (first row the headers;
  `11/20/2026` and `11/24/2026 8:00 AM` become real dates, whole numbers numbers, empty
  cells empty), replacing the file: the sample's tracker, or an earlier table's;
- `<!-- file: ~$ESP Tracker.xlsx -->` before a block holding a name makes Excel's owner
  file for that name (what Excel puts beside a workbook it has open: the tracker is busy),
  and `<!-- gone: ~$ESP Tracker.xlsx -->` removes a file again (Excel closed it).

A fenced block that starts with `$ make demo` is the demo's own output (`esp demo esp-demo`,
run in the folder above the sample's); one that starts with `$ esp demo` is that command's.
Every `$` line of a session is run, as a shell would run it: `NAME=value esp …` with the
variable set for that command, `printf '…' | esp …` with the text (its `\\n` line ends) as
what is typed. A line esp cannot run that way (another command, another pipe) fails the
check, naming it, rather than being passed over. During the sessions no network is
reached: a connection to a mail server fails as it does for a name no one knows.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shlex
import socket
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
ELLIPSIS = "…"
WIDTH = 100
# 9 am on the sample's today, in its [calendar] timezone: the computer's clock is set to that
# zone too, as the team's own computers are.
CLOCK = datetime(2026, 11, 24, 9, 0, 0, tzinfo=ZoneInfo("America/New_York"))
DEMO_FOLDER = "esp-demo"
CONFIG_SHOWN = "~/.config/esp"  # how your own config folder shows in the pages

# Screenshots for `esp report locate --screenshots shots`: the names say whose they are.
SCREENSHOTS = (
    "Ethan Brooks course number.png",
    "Ethan Brooks course name.png",
    "Amira Hassan course number.png",
    "Amira Hassan course name.png",
    "team photo.png",
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)

# What a person typed at esp round's prompts ("[2/13] Marcus Lee> text") and its question
# ("Write 4 cell(s) to ESP Tracker.xlsx? [y/N] y"): given to the command as its input (esp
# round shows each answer after its prompt when its input is not a terminal).
_TYPED = re.compile(r"^(\[\d+/\d+\] [^>]*> ?|.*\? \[y/N\] ?)(.*)$")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}_\d{6}(?:_\d{6})?")
_OP = re.compile(r"\bop-[0-9a-f]{6,}\b")
_FILE = re.compile(r"^<!--\s*file:\s*(.+?)\s*-->$")
_WORKBOOK = re.compile(r"^<!--\s*workbook:\s*(.+?)\s*\|\s*(.+?)\s*-->$")
_GONE = re.compile(r"^<!--\s*gone:\s*(.+?)\s*-->$")
_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_DATETIME = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2} [AP]M$")


@dataclass
class Command:
    line: int  # 0-based line of the `$ …` line in the page
    text: str  # what follows `$ `
    expected: list[str]  # the lines shown after it


class NotRunnable(ValueError):
    """A session's `$` line that is not `esp …` as a shell runs it (the message says why)."""


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


@dataclass
class Invocation:
    """What a `$` line runs: esp's arguments, the environment variables set for it, and
    the text piped into it."""

    args: list[str]
    env: dict[str, str]
    piped: str | None


def invocation(text: str) -> Invocation:
    """The esp command a `$` line runs: `[NAME=value ...] esp ARGS`, after an optional
    `printf 'TEXT' |`; NotRunnable for anything else."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise NotRunnable(f"cannot be read as a shell line ({exc})") from None
    piped = None
    if "|" in words:
        at = words.index("|")
        feed, words = words[:at], words[at + 1 :]
        if len(feed) != 2 or feed[0] != "printf" or "|" in words:
            raise NotRunnable("only `printf '...' | esp ...` is run as a pipe")
        piped = feed[1].replace("\\n", "\n")
    env = {}
    while words and _ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if not words or words[0] != "esp":
        raise NotRunnable("not an esp command")
    return Invocation(words[1:], env, piped)


def runs_esp(text: str) -> bool:
    """Whether a `$` line runs esp (how a session block is told from a block of other
    commands, e.g. an install)."""
    try:
        words = shlex.split(text)
    except ValueError:
        return False
    return "esp" in words


@dataclass
class Block:
    start: int  # 0-based line of the opening fence
    end: int  # 0-based line of the closing fence
    commands: list[Command]
    demo: bool


@dataclass
class Fixture:
    """A file a page's sessions use, made from the page's own text."""

    line: int  # 0-based line of the `<!-- file: … -->` or `<!-- workbook: … -->` comment
    name: str  # the file, in the scratch copy of the sample
    text: list[str] = field(default_factory=list)  # a file's lines
    sheet: str = ""  # a workbook's sheet
    rows: list[list[str]] = field(default_factory=list)  # a workbook's table, headers first
    gone: bool = False  # the file is removed


Step = Block | Fixture


def pages() -> list[Path]:
    """README.md, every Markdown page under docs/ and CONTRIBUTING.md, in a stable order."""
    return [README, *sorted(DOCS.rglob("*.md")), ROOT / "CONTRIBUTING.md"]


def page_name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix() if page.is_relative_to(ROOT) else str(page)


def _fence(lines: Sequence[str], i: int) -> tuple[int, list[tuple[int, str]]]:
    """The body of the fenced block opening at line i, and the line after it closes."""
    body: list[tuple[int, str]] = []
    i += 1
    while i < len(lines) and lines[i].strip() != "```":
        body.append((i, lines[i]))
        i += 1
    return i + 1, body


def table_rows(lines: Sequence[str]) -> list[list[str]]:
    """A Markdown table's rows as cell texts, the separator row left out."""
    rows: list[list[str]] = []
    for line in lines:
        inner = line.strip().removeprefix("|").removesuffix("|")
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        rows.append([c.strip("`") for c in cells])
    return rows


def parse(lines: Sequence[str]) -> list[Step]:
    """The page's sessions and fixtures, in the order they appear."""
    steps: list[Step] = []
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        if (m := _FILE.match(text)) is not None:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            after, body = _fence(lines, j)
            steps.append(Fixture(i, m.group(1), text=[t for _, t in body]))
            i = after
            continue
        if (m := _GONE.match(text)) is not None:
            steps.append(Fixture(i, m.group(1), gone=True))
            i += 1
            continue
        if (m := _WORKBOOK.match(text)) is not None:
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("|"):
                j += 1
            k = j
            while k < len(lines) and lines[k].lstrip().startswith("|"):
                k += 1
            steps.append(Fixture(i, m.group(1), sheet=m.group(2), rows=table_rows(lines[j:k])))
            i = k
            continue
        if text != "```console":
            i += 1
            continue
        start = i
        i, body = _fence(lines, i)
        demo = bool(body) and body[0][1].startswith("$ make demo")
        commands: list[Command] = []
        if demo or body and body[0][1].startswith("$ esp demo"):
            # The demo prints the commands it runs: its whole block is its output.
            text = "esp demo " + DEMO_FOLDER if demo else body[0][1][2:]
            commands.append(Command(body[0][0], text, [t for _, t in body[1:]]))
        else:
            for n, line in body:
                if line.startswith("$ "):
                    commands.append(Command(n, line[2:], []))
                elif commands:
                    commands[-1].expected.append(line)
        if any(runs_esp(c.text) for c in commands):
            steps.append(Block(start, i - 1, commands, demo))
    return steps


def blocks(steps: Sequence[Step]) -> list[Block]:
    return [s for s in steps if isinstance(s, Block)]


def relative(text: str, folder: Path, config: Path | None = None) -> str:
    """Paths as a person in the sample's folder sees them."""
    if config is not None:
        for form in {str(config), str(config.resolve())}:
            text = text.replace(form, CONFIG_SHOWN)
    for form in {str(folder), str(folder.resolve())}:
        text = text.replace(form + os.sep, "").replace(form, ".")
    return text


def normalise(text: str, folder: Path, config: Path | None = None) -> str:
    """A line as compared: the time stamps of backup names as shapes."""
    text = _STAMP.sub("<stamp>", relative(text, folder, config))
    return _OP.sub("op-<id>", text)


def matches(expected: Sequence[str], actual: Sequence[str], norm: dict[str, str]) -> bool:
    """Do the lines match, `…` standing for any number of lines?"""
    want = [norm.get(x, x) for x in expected]
    got = [norm.get(x, x) for x in actual]

    def from_(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if want[i] == ELLIPSIS:
            return any(from_(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and want[i] == got[j] and from_(i + 1, j + 1)

    return from_(0, 0)


def shown(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    """What --update writes: the real output, with each `…` kept where it stood. The lines
    before the first `…` are the real first lines, those after the last the real last ones;
    a run of lines between two `…` is taken where the real output has the line most like
    the run's first (a table's title, say), as many lines as before."""
    if ELLIPSIS not in expected:
        return list(actual)
    runs: list[list[str]] = [[]]
    for line in expected:
        if line == ELLIPSIS:
            runs.append([])
        else:
            runs[-1].append(line)
    out: list[str] = []
    pos, end = 0, len(actual)
    for i, run in enumerate(runs):
        if i == 0:
            start = 0
        elif i == len(runs) - 1:
            start = max(pos, end - len(run)) if run else end
        elif run and pos < end:
            start = max(
                range(pos, end),
                key=lambda j: difflib.SequenceMatcher(a=run[0], b=actual[j]).ratio(),
            )
        else:
            start = pos
        take = list(actual[start : start + len(run)])
        if i > 0:
            out.append(ELLIPSIS)
        out += take
        pos = start + len(take)
    return out


def _outlook_folder(folder: Path) -> None:
    """Messages dragged out of classic Outlook into a folder: a report from an Exchange
    sender (its SMTP address stored beside the X.500 one), a draft with no sender, and the
    Thumbs.db Explorer leaves there."""
    from datetime import UTC

    from aspose.email_foss.msg import MapiMessage, PropertyTypeCode

    folder.mkdir(exist_ok=True)
    text = PropertyTypeCode.PTYP_STRING
    report = MapiMessage.create("RE: ESP progress", "Finished 3 TBTs; Privacy module left for "
                                "tomorrow.\r\n\r\nThanks,\r\nTyrone")  # fmt: skip
    report.set_property(0x0C1A, text, "Jackson, Tyrone")
    report.set_property(0x0C1E, text, "EX")
    report.set_property(0x0C1F, text, "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP "
                        "(FYDIBOHF23SPDLT)/CN=RECIPIENTS/CN=4f1c-tjackson")  # fmt: skip
    report.set_property(0x5D01, text, "tyrone.jackson@vendorcx.com")
    sent = datetime(2026, 11, 24, 22, 40, tzinfo=UTC)  # 5:40 pm in New York
    report.set_property(0x0039, PropertyTypeCode.PTYP_TIME, sent)
    report.save(folder / "RE ESP progress.msg")
    draft = MapiMessage.create("ESP progress", "Did 2 TBTs")
    draft.save(folder / "Draft - ESP progress.msg")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))


def _sample(folder: Path) -> None:
    from esp_cli.services.demo import copy_sample

    copy_sample(folder)
    _outlook_folder(folder / "outlook")
    shots = folder / "shots"
    shots.mkdir(exist_ok=True)
    for name in SCREENSHOTS:
        (shots / name).write_bytes(PNG)


def _cell_value(text: str) -> Any:
    """A table cell as the team would have typed it in Excel."""
    if not text:
        return None
    if _DATE.match(text):
        return datetime.strptime(text, "%m/%d/%Y")
    if _DATETIME.match(text):
        return datetime.strptime(text, "%m/%d/%Y %I:%M %p")
    if text.isdigit() and not text.startswith("0"):
        return int(text)
    return text


def make_fixture(fixture: Fixture, folder: Path) -> None:
    """Write a page's file or workbook into the scratch folder."""
    path = folder / fixture.name
    if fixture.gone:
        path.unlink()
        return
    if path.name.startswith("~$"):
        path.write_bytes(excel_owner_file(" ".join(fixture.text).strip()))
        return
    if not fixture.rows:
        newline = "\r\n" if path.suffix.lower() == ".csv" else "\n"
        path.write_bytes((newline.join(fixture.text) + newline).encode("utf-8"))
        return
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = fixture.sheet
    for r, row in enumerate(fixture.rows, start=1):
        for c, text in enumerate(row, start=1):
            value = _cell_value(text) if r > 1 else text
            cell = sheet.cell(r, c, value)
            if isinstance(value, datetime):
                timed = value.hour or value.minute
                cell.number_format = "mm/dd/yyyy h:mm AM/PM" if timed else "mm/dd/yyyy"
    book.save(path)


def excel_owner_file(user: str) -> bytes:
    """The 165 bytes Excel writes to `~$Name.xlsx` for `user`: the name's length, the name
    in the 8-bit code page, spaces to byte 55, the length again as two bytes, the name in
    UTF-16-LE, then space/zero pairs."""
    name = user[:52]
    out = bytearray([len(name)])
    out += name.encode("cp1252", "replace")
    out += b" " * (55 - len(out))
    out += len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    while len(out) < 165:
        out += b" \x00"
    return bytes(out[:165])


@contextlib.contextmanager
def _as_shown() -> Iterator[None]:
    """While the sessions run: tables as wide as a terminal of WIDTH columns, operation ids
    numbered in order, and one login and computer, so the sessions' output (the history,
    the undo hints) is the same on every run. Put back after, whatever happens: the test
    suite runs in the same process, and a table wrapped at WIDTH there would make a test's
    output depend on the length of its temporary folder's name."""
    from unittest import mock

    from esp_cli import render
    from esp_cli.workbook import history, waiting

    counter = iter(range(0x1A2B3C01, 0x1A2B3C01 + 100_000))

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with contextlib.ExitStack() as stack:
        for target, name, value in (
            (socket, "create_connection", no_network),
            (render, "terminal_width", lambda: WIDTH),
            (history.Recorder, "new_id", lambda self: f"{next(counter):08x}"),
            (waiting.Store, "new_id", lambda self, taken=(): f"{next(counter):08x}"),
            (history, "os_login", lambda: "jreyes"),
            (history, "machine_name", lambda: "CERT-PC-07"),
        ):
            stack.enter_context(mock.patch.object(target, name, value))
        yield


class _TerminalRunner(CliRunner):
    """Standard output and error interleaved line by line, as a terminal shows them."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            for stream in (sys.stdout, sys.stderr):
                if isinstance(stream, io.TextIOWrapper):
                    stream.reconfigure(line_buffering=True)
            yield streams


@dataclass
class Ran:
    command: Command
    output: list[str]  # its lines, as printed
    folder: Path  # where it ran
    config: Path  # your own config folder while it ran
    refused: str | None = None  # why the line was not run (NotRunnable)


def run_page(steps: Sequence[Step]) -> Iterator[Ran]:
    """Each command's output lines, run in the page's order in a scratch copy of the sample
    (its own operation ids and clock, so a page never depends on another)."""
    import time_machine

    from esp_cli.cli import app

    runner = _TerminalRunner()
    with _as_shown(), tempfile.TemporaryDirectory(prefix="esp-docs-") as tmp:
        here = Path(tmp) / "sample"
        here.mkdir()
        config = Path(tmp) / "config"
        _sample(here)
        env = {
            "ESP_TRACKER": None,
            "ESP_USER": None,
            "ESP_CONFIG_DIR": str(config),
            "COLUMNS": str(WIDTH),
        }
        old = Path.cwd()
        os.chdir(here)
        try:
            with time_machine.travel(CLOCK, tick=True):
                for step in steps:
                    if isinstance(step, Fixture):
                        make_fixture(step, here)
                        continue
                    for command in step.commands:
                        folder = Path(tmp) if step.demo else here
                        try:
                            how = invocation(command.text)
                        except NotRunnable as exc:
                            yield Ran(command, [], folder, config, refused=str(exc))
                            continue
                        os.chdir(folder)
                        typed = [m.group(2) for x in command.expected if (m := _TYPED.match(x))]
                        if how.piped is not None:
                            typed_in: str | None = how.piped
                        else:
                            typed_in = "".join(t + "\n" for t in typed) if typed else None
                        result = runner.invoke(
                            app,
                            how.args,
                            input=typed_in,
                            env={**env, **how.env},
                            catch_exceptions=False,
                        )
                        yield Ran(command, result.output.splitlines(), folder, config)
                        os.chdir(here)
        finally:
            os.chdir(old)


def check_page(page: Path, update: bool) -> int:
    """The number of sessions of the page that differ from esp's output (with --update:
    rewritten in the page)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    steps = parse(lines)
    name = page_name(page)
    failures = 0
    replacements: dict[int, list[str]] = {}
    for ran in run_page(steps):
        command = ran.command
        if ran.refused is not None:
            failures += 1
            print(
                f"{name}:{command.line + 1}: $ {command.text}: not run: {ran.refused}; a "
                "session shows `esp ...` as a shell runs it (NAME=value esp ..., printf '...' "
                "| esp ...).",
                file=sys.stderr,
            )
            continue
        got = [normalise(x, ran.folder, ran.config) for x in ran.output]
        norm = {x: normalise(x, ran.folder, ran.config) for x in command.expected}
        placeholders = any("<stamp>" in x or "op-<id>" in x for x in command.expected)
        if matches(command.expected, got, norm) and not (update and placeholders):
            continue
        failures += 1
        if update:
            replacements[command.line] = shown(
                command.expected, [relative(x, ran.folder, ran.config) for x in ran.output]
            )
        else:
            print(f"{name}:{command.line + 1}: $ {command.text}", file=sys.stderr)
            for diff in difflib.unified_diff(command.expected, got, name, "esp", lineterm="", n=1):
                print("  " + diff, file=sys.stderr)
    if update and replacements:
        out: list[str] = []
        skip_to = -1
        commands = {c.line: c for b in blocks(steps) for c in b.commands}
        for n, text in enumerate(lines):
            if n < skip_to:
                continue
            out.append(text)
            if n in replacements:
                out += replacements[n]
                skip_to = n + 1 + len(commands[n].expected)
        page.write_text("\n".join(out) + "\n", encoding="utf-8", newline="\n")
        print(f"Updated {failures} session(s) in {name}.", file=sys.stderr)
    return 0 if update else failures


def check(update: bool, only: Sequence[Path] = ()) -> int:
    """The number of sessions that differ, over every page (or the pages given)."""
    failures = sum(check_page(page, update) for page in (only or pages()))
    if failures:
        print(
            f"{failures} session(s) differ from esp's output "
            "(python scripts/readme_sessions.py --update).",
            file=sys.stderr,
        )
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the real output in the pages")
    parser.add_argument("pages", nargs="*", type=Path, help="only these pages (default: all)")
    args = parser.parse_args()
    only = [p.resolve() for p in args.pages]
    sys.exit(1 if check(args.update, only) else 0)


if __name__ == "__main__":
    main()
