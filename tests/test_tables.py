"""What is seen every day: `esp escalations` tables at 80 and 120 columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.render.escalations import shared_part
from tests import escalation_tracker as et

DAY = "2026-11-24"
DAY_SHOWN = "Tue 11/24/2026"
DATE_PIECE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2}(?!\d)|(?<![\d/])\d{1,4}/\d{1,2}(?![\d/])")
# The day replayed, said with its weekday and no year beside a step recorded later ("after
# Tue 11/24: not yet then", as esp round says it): a whole date.
REPLAYED_DAY = re.compile(r"after\s[A-Z][a-z]{2}\s\d{2}/\d{2}:\snot\syet\sthen")


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return et.build(tmp_path_factory.mktemp("tables") / "ESP Tracker.xlsx", et.make_agents(120))


def shown(tracker: Path, width: int, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setattr("esp_cli.render.terminal_width", lambda: width)
    res = CliRunner().invoke(app, ["escalations", *args, "--as-of", DAY, "-t", str(tracker)])
    assert res.exit_code == 0, res.output
    return str(res.stdout)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("args", [("--today",), ("--today", "--group", "step"), ()])
def test_escalation_tables_fit_and_never_cut_a_date_or_a_name(
    tracker: Path, width: int, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = shown(tracker, width, monkeypatch, *args)
    lines = text.splitlines()
    assert len(lines) > 10
    too_wide = [line for line in lines if len(line) > width]
    assert not too_wide, too_wide[:3]
    # No date split as "11/24/20" / "26": every date piece in the output is a whole date.
    pieces = DATE_PIECE.findall(REPLAYED_DAY.sub("", text))
    assert not pieces, pieces[:5]
    words = set(et.FIRSTS) | set(et.LASTS)
    for block in text.split("└")[:-1]:
        box = [line for line in block.splitlines() if line[:1] in "┏┃┡│"]
        # Every box is as wide as its header.
        assert len({len(line) for line in box}) == 1
        header = [c.strip() for c in next(ln for ln in box if ln[:1] == "┃").split("┃")[1:-1]]
        agent = header.index("Agent")
        for line in box:
            if line[:1] == "│":
                cell = line.split("│")[1 + agent].split()
                assert set(cell) <= words, cell  # whole first and last names only


def test_today_does_not_repeat_the_group_title_on_each_row(
    tracker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = shown(tracker, 120, monkeypatch, "--today", "--group", "step")
    coaching = text.split("Documented coaching:")[1].split("└")[0]
    assert coaching.count("deliver the documented coaching") == 1  # in the title only
    assert "Detail" not in coaching.splitlines()[2]
    behind = text.split("Behind target:")[1].split("└")[0]
    assert behind.splitlines()[0].endswith("— not complete within the 2-day target")
    assert "2-day target" not in "".join(behind.splitlines()[1:])


def test_shared_part_moves_what_rows_say_alike_to_the_title() -> None:
    details = [
        "deliver the written CAP (the business day after the coaching recorded 11/19/2026)",
        "deliver the written CAP (the business day after the coaching recorded 11/23/2026)",
    ]
    assert shared_part(details) == (
        "deliver the written CAP (the business day after the coaching recorded …)",
        ["11/19/2026", "11/23/2026"],
    )
    same = ["deliver the documented coaching (not complete after 3 business days)"] * 3
    assert shared_part(same) == (same[0], ["", "", ""])
    spoc = [
        "call SPOC (888) 905-9500 about the Password Reset and record the SPOC Called Date",
        "call SPOC (888) 905-9500 about the Learning Hub Issue and record the SPOC Called Date",
    ]
    said, own = shared_part(spoc)
    assert said == "call SPOC (888) 905-9500 about the … and record the SPOC Called Date"
    assert own == ["Password Reset", "Learning Hub Issue"]
    assert shared_part(["only one"]) == (None, ["only one"])
    assert shared_part(["a b", "c d"]) == (None, ["a b", "c d"])


def test_a_unit_stays_with_its_number_when_rows_share_the_rest() -> None:
    details = [
        "Call Cert started 11/23/2026 10:15, not complete after 37.7 h (limit 4 h)",
        "Call Cert started 11/24/2026 08:30, not complete after 15.5 h (limit 4 h)",
    ]
    said, own = shared_part(details)
    assert said == "Call Cert started … (limit 4 h)"
    assert own == [
        "11/23/2026 10:15, not complete after 37.7 h",
        "11/24/2026 08:30, not complete after 15.5 h",
    ]


@pytest.mark.parametrize("width", [80, 120])
def test_the_days_list_is_one_line_an_agent_most_urgent_first(
    tracker: Path, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = shown(tracker, width, monkeypatch, "--today")
    lines = text.splitlines()
    assert lines[0].startswith(f"As of {DAY_SHOWN}: ") and "with something due" in lines[0]
    rows = [line for line in lines if line.startswith("│")]
    header = next(line for line in lines if line.startswith("┃"))
    names = [c.strip() for c in header.split("┃")[1:-1]]
    agents = [r.split("│")[1 + names.index("Agent")].strip() for r in rows]
    assert all(agents), rows[:3]  # no row wraps onto a second line
    assert len(agents) == len(set(zip(agents, range(len(agents)), strict=True)))
    when = [r.split("│")[1 + names.index("When")].strip() for r in rows]
    overdue = [int(w.split()[0]) for w in when if w.endswith("overdue")]
    assert overdue == sorted(overdue, reverse=True) and overdue
    # Overdue before due today, before those only behind target, before those to check.
    order = ["overdue", "due today", "behind", "not evaluated"]

    def rank(w: str) -> int:
        return next(i for i, word in enumerate(order) if word in w)

    assert [rank(w) for w in when] == sorted(rank(w) for w in when)


@pytest.mark.parametrize("width", [80, 120])
def test_the_eod_report_fits_the_window_and_never_splits_a_date(
    width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from tests.support.paths import SAMPLE_DATA

    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setattr("esp_cli.render.terminal_width", lambda: width)
    res = CliRunner().invoke(app, ["report", "eod", "--date", DAY])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("TBT Completion Report — Tue 11/24/2026: ")  # the headline
    assert all(len(line) <= width for line in lines), [ln for ln in lines if len(ln) > width]
    assert not DATE_PIECE.findall(res.stdout), DATE_PIECE.findall(res.stdout)[:5]
    assert "Latest note: 11/23/2026 - Tom Alvarez" in res.stdout
    warned = [line for line in res.stderr.splitlines() if line.startswith("warning:")]
    assert warned == [
        "warning: 3 cells of the tracker could not be read and 5 agents could not be "
        "evaluated; esp doctor lists the cells (-v shows them here)."
    ]
    every = CliRunner().invoke(app, ["report", "eod", "--date", DAY, "-v"])
    assert every.stderr.count("warning:") == 8


@pytest.mark.parametrize(
    ("command", "cells"),
    [
        (["progress", "missing", "--date", DAY], 2),
        (["advise", "--due", "--as-of", DAY, "--dry-run"], 3),
    ],
    ids=["progress missing", "advise"],
)
def test_every_list_counts_the_unreadable_cells_in_one_line(
    command: list[str], cells: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from tests.support.paths import SAMPLE_DATA

    for name in ("ESP Tracker.xlsx", "esp.toml"):
        shutil.copy(SAMPLE_DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ESP_TRACKER", raising=False)
    res = CliRunner().invoke(app, command)
    assert res.exit_code == 0, res.output
    warned = [line for line in res.stderr.splitlines() if line.startswith("warning:")]
    assert warned == [
        f"warning: {cells} cells of the tracker could not be read; esp doctor lists the cells "
        "(-v shows them here)."
    ]
    every = CliRunner().invoke(app, [*command, "-v"])
    assert every.exit_code == 0, every.output
    assert every.stderr.count("warning: 'ESP Tracker'!") == cells


NARROW = {
    "escalations": ["escalations", "--as-of", DAY],
    "today": ["escalations", "--today", "--as-of", DAY],
    "by step": ["escalations", "--group", "step", "--as-of", DAY],
    "doctor": ["doctor"],
    "history": ["history"],
    "history of one": ["history", "Tyrone Jackson"],
    "kpi": ["report", "kpi", "--to", DAY],
    "explain": ["explain", "Tyrone Jackson", "--as-of", DAY],
    "eod": ["report", "eod", "--date", DAY],
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with one write in its history."""
    from esp_cli.services.demo import copy_sample

    folder = tmp_path_factory.mktemp("narrow")
    copy_sample(folder)
    note = ["note", "add", "Tyrone Jackson", "Called", "--date", DAY, "--by", "Jo Smith"]
    res = CliRunner().invoke(app, [*note, "-c", str(folder / "esp.toml")])
    assert res.exit_code == 0, res.output
    return folder


@pytest.mark.parametrize("width", [40, 50])
@pytest.mark.parametrize("command", NARROW)
def test_a_narrow_window_never_cuts_a_date_in_two(
    sample: Path, command: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 40 columns the columns a table can spare are left out first; a date stays whole
    (`11/24/2026`, never `11/24/20` over `26`), as does doctor's `MM/DD/YYYY`."""
    monkeypatch.setattr("esp_cli.render.terminal_width", lambda: width)
    res = CliRunner().invoke(app, [*NARROW[command], "-c", str(sample / "esp.toml")])
    assert res.exit_code in (0, 5), res.output
    assert not DATE_PIECE.findall(res.stdout), DATE_PIECE.findall(res.stdout)[:5]
    assert not re.search(r"MM/DD/YY(?!YY)", res.stdout), res.stdout
