"""Run every `$ esp …` session in README.md on the bundled sample and compare the output.

README's terminal sessions are the program's real output: `--check` (the default, and
tests/test_readme.py) runs each command, in README order, on one fresh copy of the sample
with the clock at the sample's today (Tue 11/24/2026, 9:00), tables drawn 100 columns wide as
a terminal shows them, and fails on any difference; `--update` writes the real output into
README.md. A line `…` in a session stands for any number of lines (the rest of a long
table), and is kept where it is by `--update`. Paths of the scratch folder and the time
stamps in backup names are compared as shapes, not as text.

A fenced block that starts with `$ make demo` is the demo's own output (`esp demo esp-demo`).
Commands that start with something other than `esp` (an environment variable, `make`) are
shown for reading only.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ELLIPSIS = "…"
WIDTH = 100
CLOCK = datetime(2026, 11, 24, 9, 0, 0)
DEMO_FOLDER = "esp-demo"

# Files the README's sessions use besides the sample: named in the text around them.
EXTRA_FILES: dict[str, bytes] = {
    "notes.csv": (
        b"agent,note,column,by\r\n"
        b"Kayla Brooks,On module 4 of 8,TBT Notes,Priya Natarajan\r\n"
        b"Marcus Le,Called; no answer,,\r\n"
        b"E10316,Coaching booked for tomorrow,,\r\n"
    ),
    "late-reports.csv": (
        b"Timestamp,Class,Agent Name,Update\r\n"
        b"11/24/2026 17:40,AET-1109,Erin Walsh,All 8 TBTs done; Call Cert tomorrow.\r\n"
        b"11/24/2026 17:52,AET-1109,Zach Holt,On TBT 6 of 8.\r\n"
        b"11/24/2026 18:05,AET-1102,Ivy Lin,Learning Hub still not loading.\r\n"
    ),
}
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


@dataclass
class Command:
    line: int  # 0-based line of the `$ …` line in README
    text: str  # what follows `$ `
    expected: list[str]  # the lines shown after it


@dataclass
class Block:
    start: int  # 0-based line of the opening fence
    end: int  # 0-based line of the closing fence
    commands: list[Command]
    demo: bool


def parse(lines: Sequence[str]) -> list[Block]:
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        start = i
        i += 1
        body: list[tuple[int, str]] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append((i, lines[i]))
            i += 1
        end = i
        i += 1
        demo = bool(body) and body[0][1].startswith("$ make demo")
        commands: list[Command] = []
        if demo:
            commands.append(
                Command(body[0][0], "esp demo " + DEMO_FOLDER, [t for _, t in body[1:]])
            )
        else:
            for n, text in body:
                if text.startswith("$ "):
                    commands.append(Command(n, text[2:], []))
                elif commands:
                    commands[-1].expected.append(text)
        if any(c.text.startswith("esp ") for c in commands):
            blocks.append(Block(start, end, commands, demo))
    return blocks


def relative(text: str, folder: Path) -> str:
    """Paths as a person in the sample's folder sees them."""
    for form in {str(folder), str(folder.resolve())}:
        text = text.replace(form + os.sep, "").replace(form, ".")
    return text


def normalise(text: str, folder: Path) -> str:
    """A line as compared: the time stamps of backup names as shapes."""
    text = _STAMP.sub("<stamp>", relative(text, folder))
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
    from esp_cli.cli.demo import copy_sample

    copy_sample(folder)
    for name, data in EXTRA_FILES.items():
        (folder / name).write_bytes(data)
    _outlook_folder(folder / "outlook")
    shots = folder / "shots"
    shots.mkdir(exist_ok=True)
    for name in SCREENSHOTS:
        (shots / name).write_bytes(PNG)


@contextlib.contextmanager
def _as_shown() -> Iterator[None]:
    """While the sessions run: tables as wide as a terminal of WIDTH columns, operation ids
    numbered in order, and one login and computer, so the sessions' output (the history,
    the undo hints) is the same on every run. Put back after, whatever happens: the test
    suite runs in the same process, and a table wrapped at WIDTH there would make a test's
    output depend on the length of its temporary folder's name."""
    from unittest import mock

    from esp_cli import render
    from esp_cli.workbook import history

    counter = iter(range(0x1A2B3C01, 0x1A2B3C01 + 100_000))
    with contextlib.ExitStack() as stack:
        for target, name, value in (
            (render, "terminal_width", lambda: WIDTH),
            (history.Recorder, "new_id", lambda self: f"{next(counter):08x}"),
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


def run_all(blocks: Sequence[Block]) -> Iterator[tuple[Command, list[str], Path]]:
    """Each command's output lines, run in README order in a scratch copy of the sample."""
    import time_machine

    from esp_cli.cli import app

    runner = _TerminalRunner()
    with _as_shown(), tempfile.TemporaryDirectory(prefix="esp-readme-") as tmp:
        here = Path(tmp) / "sample"
        here.mkdir()
        _sample(here)
        env = {"ESP_TRACKER": None, "ESP_USER": None, "COLUMNS": str(WIDTH)}
        old = Path.cwd()
        os.chdir(here)
        try:
            with time_machine.travel(CLOCK.astimezone(), tick=True):
                for block in blocks:
                    for command in block.commands:
                        if not command.text.startswith("esp "):
                            continue
                        folder = Path(tmp) if block.demo else here
                        os.chdir(folder)
                        args = shlex.split(command.text)[1:]
                        typed = [m.group(2) for x in command.expected if (m := _TYPED.match(x))]
                        result = runner.invoke(
                            app,
                            args,
                            input="".join(t + "\n" for t in typed) if typed else None,
                            env=env,
                            catch_exceptions=False,
                        )
                        yield command, result.output.splitlines(), folder
                        os.chdir(here)
        finally:
            os.chdir(old)


def check(update: bool) -> int:
    lines = README.read_text(encoding="utf-8").splitlines()
    blocks = parse(lines)
    failures = 0
    replacements: dict[int, list[str]] = {}
    for command, actual, folder in run_all(blocks):
        got = [normalise(x, folder) for x in actual]
        norm = {x: normalise(x, folder) for x in command.expected}
        placeholders = any("<stamp>" in x or "op-<id>" in x for x in command.expected)
        if matches(command.expected, got, norm) and not (update and placeholders):
            continue
        failures += 1
        if update:
            replacements[command.line] = shown(
                command.expected, [relative(x, folder) for x in actual]
            )
        else:
            print(f"README.md:{command.line + 1}: $ {command.text}", file=sys.stderr)
            for diff in difflib.unified_diff(
                command.expected, got, "README.md", "esp", lineterm="", n=1
            ):
                print("  " + diff, file=sys.stderr)
    if update and replacements:
        out: list[str] = []
        skip_to = -1
        commands = {c.line: c for b in blocks for c in b.commands}
        for n, text in enumerate(lines):
            if n < skip_to:
                continue
            out.append(text)
            if n in replacements:
                out += replacements[n]
                skip_to = n + 1 + len(commands[n].expected)
        README.write_text("\n".join(out) + "\n", encoding="utf-8")
        print(f"Updated {failures} session(s) in README.md.", file=sys.stderr)
        return 0
    if failures:
        print(
            f"{failures} README session(s) differ from esp's output "
            "(python scripts/readme_sessions.py --update).",
            file=sys.stderr,
        )
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the real output in README")
    sys.exit(check(parser.parse_args().update))


if __name__ == "__main__":
    main()
