"""Whose document a file is: esp record-step --document and esp document --record take a
document only for the agent it names — by Agent ID where both have one, by the whole name
(its brackets included) where the agent has none, by row for namesakes without one — and
never for another agent whose name is part of it."""

from __future__ import annotations

import json
import re
import shlex
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document as WordDocument

from esp_cli.core.documents import Identity, names_agent, read_file_name, read_stamp
from esp_cli.core.rules import Step
from esp_cli.errors import ExitCode
from tests.factories import tracker
from tests.test_document import (
    H,
    agent,
    excel_saves_while_writing,
    record_step,
    run,
    team_template,
    write_config,
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


SCAN = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
ANNIE_SCAN = "2026-11-25 Ana Lopez (Annie) - Documented coaching signed"


def make_file(folder: Path, stem: str, suffix: str) -> Path:
    """A signed scan (.pdf), or a Word document made by hand (.docx, no esp stamp), under
    esp's name for a document."""
    path = folder / f"{stem}{suffix}"
    if suffix == ".pdf":
        path.write_bytes(SCAN)
    else:
        doc = WordDocument()
        doc.add_paragraph("Documented coaching of Ana Lopez (Annie), Wednesday 11/25/2026")
        doc.save(str(path))
    return path


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
@pytest.mark.parametrize("same_class", [True, False], ids=["same-class", "another-class"])
def test_a_nicknames_document_is_never_taken_for_an_agent_without_an_agent_id(
    tmp_path: Path, config: Path, suffix: str, same_class: bool
) -> None:
    people = [
        agent("Ana Lopez (Annie)", None, email="annie@x.com"),
        agent("Ana Lopez", None, email="ana@x.com", **({} if same_class else {"class": "AET-2"})),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    given = make_file(tmp_path, ANNIE_SCAN, suffix)
    before = book.read_bytes()
    res = record_step(book, config, "ana@x.com", "coaching", "--document", str(given))
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert "the document of Ana Lopez (Annie), not of Ana Lopez" in res.stderr
    assert "Fix:" in res.stderr and book.read_bytes() == before
    res = record_step(book, config, "annie@x.com", "coaching", "--document", str(given),
                      "-f", "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["document"] == given.name


def test_a_namesakes_row_tag_names_that_row_only(tmp_path: Path, config: Path) -> None:
    people = [
        agent("Ana Lopez", None, email="a3@x.com"),
        agent("Ana Lopez", None, email="a4@x.com"),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    given = make_file(tmp_path, "2026-11-25 Ana Lopez (row 3) - Documented coaching signed", ".pdf")
    before = book.read_bytes()
    res = record_step(book, config, "a4@x.com", "coaching", "--document", str(given))
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert "row 3" in res.stderr and "row 4" in res.stderr and book.read_bytes() == before
    res = record_step(book, config, "a3@x.com", "coaching", "--document", str(given))
    assert res.exit_code == 0, res.output


def test_a_document_naming_an_agent_id_is_not_taken_for_a_namesake_without_one(
    tmp_path: Path, config: Path
) -> None:
    people = [
        agent("Ana Lopez", "E20", email="a3@x.com"),
        agent("Ana Lopez", None, email="a4@x.com", **{"class": "AET-2"}),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    res = run(book, config, "E20", "coaching", "--out", str(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    made = Path(json.loads(res.stdout)["documents"][0]["file"])
    scan = make_file(tmp_path, f"{made.stem} signed", ".pdf")
    before = book.read_bytes()
    for given in (made, scan):  # esp's stamp in the .docx, the scan's file name
        res = record_step(book, config, "a4@x.com", "coaching", "--document", str(given))
        assert res.exit_code == ExitCode.BAD_INPUT, (given, res.output)
        assert "(E20)" in res.stderr and book.read_bytes() == before
    res = record_step(book, config, "E20", "coaching", "--document", str(made))
    assert res.exit_code == 0, res.output


@pytest.fixture
def namesakes(tmp_path: Path) -> tuple[Path, Path]:
    """Two Ana Lopez without an Agent ID (rows 3 and 4) and esp.toml with templates that do
    not need one."""
    team_template(tmp_path / "tpl", Step.COACHING, ("{{ agent_id }}", "{{ n_number }}"))
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    people = [
        agent("Ana Lopez", None, email="a3@x.com"),
        agent("Ana Lopez", None, email="a4@x.com"),
    ]
    return tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values())), config


def test_the_stamp_of_a_namesake_without_an_agent_id_names_the_row(
    namesakes: tuple[Path, Path], tmp_path: Path
) -> None:
    book, config = namesakes
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out), "-f", "json")
    assert res.exit_code == 0, res.output
    made = sorted(Path(d["file"]).name for d in json.loads(res.stdout)["documents"])
    assert made == [f"2026-11-25 Ana Lopez (row {n}) - Documented coaching.docx" for n in (3, 4)]
    third = out / made[0]
    # Renamed as the other one's: the stamp still says row 3.
    moved = third.rename(tmp_path / "2026-11-25 Ana Lopez (row 4) - Documented coaching.docx")
    before = book.read_bytes()
    res = record_step(book, config, "a4@x.com", "coaching", "--document", str(moved))
    assert res.exit_code == ExitCode.BAD_INPUT, res.output
    assert "row 3" in res.stderr and book.read_bytes() == before
    res = record_step(book, config, "a3@x.com", "coaching", "--document", str(moved))
    assert res.exit_code == 0, res.output


def test_record_refuses_a_namesakes_document_there_under_this_agents_name(
    namesakes: tuple[Path, Path], tmp_path: Path
) -> None:
    book, config = namesakes
    out = tmp_path / "out"
    args = ("--due", "--as-of", "2026-11-25", "--out", str(out))
    assert run(book, config, *args).exit_code == 0
    third, fourth = (out / f"2026-11-25 Ana Lopez (row {n}) - Documented coaching.docx"
                     for n in (3, 4))  # fmt: skip
    fourth.unlink()
    third.rename(fourth)  # row 3's document under row 4's name
    before = book.read_bytes()
    res = run(book, config, *args, "--record", "-f", "json")
    assert res.exit_code == ExitCode.FAILED, res.output
    refused = json.loads(res.stdout)["refused"]
    assert [r["agent"] for r in refused] == ["Ana Lopez"] and "row 3" in refused[0]["reason"]
    assert book.read_bytes() != before  # row 3's own made and recorded


def test_which_agent_a_file_name_or_stamp_names() -> None:
    annie = read_file_name(ANNIE_SCAN)
    assert annie is not None
    assert names_agent(annie, "Ana Lopez (Annie)", "", 3)
    assert names_agent(annie, "Ana Lopez (Annie)", "E20", 3)
    assert not names_agent(annie, "Ana Lopez", "", 3)  # the bracket cannot be an Agent ID
    assert not names_agent(annie, "Ana Lopez", "E5", 3)
    e20 = read_file_name("2026-11-25 Ana Lopez (E20) - Documented coaching")
    assert e20 is not None
    assert names_agent(e20, "Ana Lopez", "E20", 9)
    assert not names_agent(e20, "Ana Lopez", "", 9)  # a namesake without an Agent ID
    row = read_file_name("2026-11-25 Ana Lopez (row 7) - Documented coaching")
    assert row is not None and row.row == 7 and row.agent_id == ""
    assert names_agent(row, "Ana Lopez", "", 7)
    assert not names_agent(row, "Ana Lopez", "", 8)
    assert not names_agent(row, "Ana Lopez", "E7", 7)
    plain = read_file_name("2026-11-25 Ana Lopez - Documented coaching")
    assert plain is not None
    assert names_agent(plain, "Ana Lopez", "", 2) and names_agent(plain, "Ana Lopez", "E2", 2)
    assert not names_agent(plain, "Ana Lopez (Annie)", "", 2)
    # A stamp: the Agent ID where it has one, else the row where it has one, else the name.
    stamped = Identity(Step.COACHING, date(2026, 11, 25), "Ana Lopez", "E2")
    assert names_agent(stamped, "Ana Lopez", "E2", 3)
    assert not names_agent(stamped, "Ana Lopez", "", 3)
    assert not names_agent(stamped, "Ana Lopez", "E3", 3)


def test_a_stamp_reads_back_with_its_row_and_an_old_one_without() -> None:
    new = read_stamp("esp document; step=coaching; date=2026-11-25; id=; row=4; name=Ana; Lopez")
    assert new == Identity(Step.COACHING, date(2026, 11, 25), "Ana; Lopez", "", 4)
    old = read_stamp("esp document; step=coaching; date=2026-11-25; id=E2; name=Ana Lopez")
    assert old == Identity(Step.COACHING, date(2026, 11, 25), "Ana Lopez", "E2")
    # With what tells a namesake's row apart: the sheet, ESP Start Date and class (a ";" or
    # "=" in a name escaped).
    full = read_stamp("esp document; step=coaching; date=2026-11-25; id=; row=4; sheet=Wk 1!"
                      "%3Bx; start=2026-11-18; class=A%3DB%25; name=Ana Lopez")  # fmt: skip
    assert full is not None
    assert (full.row, full.sheet, full.start, full.cls) == (4, "Wk 1!;x", date(2026, 11, 18),
                                                            "A=B%")  # fmt: skip


def commands_in(text: str, verb: str) -> list[list[str]]:
    """The `esp VERB ...` commands a message gives, one per line, as their words (as a
    shell would split them)."""
    return [shlex.split(c) for c in re.findall(rf"^ *esp {verb} (.+)$", text, re.MULTILINE)]


@pytest.mark.parametrize("apart", ["e-mail", "start", "nothing"])
def test_the_command_to_record_a_saved_document_names_that_namesake_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apart: str
) -> None:
    # Two Ana Lopez of one class, no Agent ID (one e-mail too: nothing but the row, and
    # maybe the ESP Start Date, tells them apart): the record of row 4's document fails,
    # the tracker saved meanwhile; the command esp gives to record it later records it for
    # row 4, never asks which Ana Lopez — and when nothing esp saw tells them apart after
    # that save, it names no row: which one is theirs must be checked.
    team_template(tmp_path / "tpl", Step.COACHING, ("{{ agent_id }}", "{{ n_number }}"))
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    second = {"email": "a4@x.com"} if apart == "e-mail" else {"email": "a3@x.com"}
    if apart == "start":
        second["esp_start"] = date(2026, 11, 19)
    people = [agent("Ana Lopez", None, email="a3@x.com"), agent("Ana Lopez", None, **second)]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    excel_saves_while_writing(monkeypatch, book)
    out = tmp_path / "out"
    who = "a4@x.com" if apart == "e-mail" else "Ana Lopez (row 4)"
    res = run(book, config, who, "coaching", "--out", str(out), "--record", "--no-wait")
    assert res.exit_code == ExitCode.BUSY, res.output
    (command,) = commands_in(res.stderr, "record-step")
    if apart == "nothing":
        said = " ".join(res.stderr.split())
        assert command[0] == "AGENT" and "which row is theirs must be checked" in said, said
        return
    assert command[1] == "coaching" and "--document" in command, command
    monkeypatch.undo()
    done = record_step(book, config, *command)
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    column = list(H.values()).index(H["coaching_date"]) + 1
    assert [sheet.cell(r, column).value is not None for r in (3, 4)] == [False, True]


def test_an_agent_is_found_by_name_and_row_and_the_ambiguity_says_so(
    namesakes: tuple[Path, Path],
) -> None:
    from esp_cli.services.agents import AgentLookupError, agent_words, find_agent
    from esp_cli.workbook.tracker import read_table
    from esp_cli.workbook.xlsx.workbook import Workbook

    book, _ = namesakes
    table = read_table(Workbook.open(book), {})
    assert find_agent(table, "Ana Lopez (row 4)").row == 4
    assert find_agent(table, "ana lopez ('ESP Tracker'!row 3)").row == 3
    assert agent_words(table, find_agent(table, "a4@x.com")) == '"a4@x.com"'
    with pytest.raises(AgentLookupError):
        find_agent(table, "Ana Lopez (row 5)")  # no Ana Lopez there: never another row
    with pytest.raises(AgentLookupError):
        find_agent(table, "Bo Chen (row 3)")


def excel_sorts_while_writing(monkeypatch: pytest.MonkeyPatch, book: Path) -> None:
    """Someone sorts the tracker by ESP Start Date in Excel and saves it while esp document
    writes its document."""
    from esp_cli.services import document

    write_new = document._write_new
    start = list(H.values()).index(H["esp_start"])

    def and_excel_sorts(path: Path, data: bytes) -> None:
        write_new(path, data)
        wb = openpyxl.load_workbook(book)
        ws = wb.active
        assert ws is not None
        rows = sorted(([c.value for c in r] for r in ws.iter_rows(min_row=3)),
                      key=lambda r: (r[start], r[1]))  # fmt: skip
        for i, values in enumerate(rows, 3):
            for j, v in enumerate(values, 1):
                ws.cell(i, j).value = v
        wb.save(book)

    monkeypatch.setattr(document, "_write_new", and_excel_sorts)


def test_a_sort_while_the_document_was_written_names_the_agents_row_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ana Lopez (started 11/20) on row 3, Bo Chen on row 4, Ana Lopez (11/19) on row 5, one
    # e-mail for both (nothing but the row tells them apart). Sorted by ESP Start Date while
    # row 3's document is written: she is on row 4 now, the other Ana Lopez on row 3.
    team_template(tmp_path / "tpl", Step.COACHING, ("{{ agent_id }}", "{{ n_number }}"))
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    people = [
        agent("Ana Lopez", None, email="ana@x.com"),
        agent("Bo Chen", None),
        agent("Ana Lopez", None, email="ana@x.com", esp_start=date(2026, 11, 19)),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    excel_sorts_while_writing(monkeypatch, book)
    out = tmp_path / "out"
    res = run(book, config, "Ana Lopez (row 3)", "coaching", "--out", str(out), "--record",
              "--no-wait")  # fmt: skip
    assert res.exit_code == ExitCode.BUSY, res.output
    monkeypatch.undo()
    (doc,) = out.glob("*.docx")
    # The document's stamp says row 3; row 3 is the other Ana Lopez now: refused.
    stale = record_step(book, config, "Ana Lopez (row 3)", "coaching", "--document", str(doc))
    assert stale.exit_code == ExitCode.BAD_INPUT, stale.output
    said = " ".join(stale.stderr.split())
    assert "ESP Start Date 11/20/2026" in said and "11/19/2026" in said, said
    assert '"Ana Lopez (row 4)"' in said  # where she is now
    # Her signed scan beside it, named with row 3 too: checked by that document's stamp.
    scan = make_file(out, f"{doc.stem} signed", ".pdf")
    stale = record_step(book, config, "Ana Lopez (row 3)", "coaching", "--document", str(scan))
    assert stale.exit_code == ExitCode.BAD_INPUT, stale.output
    assert "ESP Start Date 11/20/2026" in " ".join(stale.stderr.split())
    # The command esp gave names her row as it is now, and records it there.
    (command,) = commands_in(res.stderr, "record-step")
    assert command[0] == "Ana Lopez (row 4)", command
    done = record_step(book, config, *command)
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    column = list(H.values()).index(H["coaching_date"]) + 1
    starts = list(H.values()).index(H["esp_start"]) + 1
    assert sheet.cell(4, starts).value.date() == date(2026, 11, 20)
    assert [sheet.cell(r, column).value is not None for r in (3, 4, 5)] == [False, True, False]


def test_on_windows_the_commands_to_record_run_in_a_command_prompt_one_per_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two namesakes of one class on two sheets (the sheet names the row: "!"), both
    documents saved and not recorded: on Windows each command is on its own line, every
    word in double quotes, and read as a Command Prompt hands it to esp it records that
    agent's step."""
    from esp_cli import system
    from tests.factories import make_workbook
    from tests.support.windows_shells import program_args

    team_template(tmp_path / "tpl", Step.COACHING, ("{{ agent_id }}", "{{ n_number }}"))
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    header = list(H.values())
    sheets = {
        sheet: [header, [agent("Ana Lopez", None, email="ana@x.com", esp_start=start).get(h)
                         for h in header]]
        for sheet, start in (("Wk 1", date(2026, 11, 19)), ("Wk 2", date(2026, 11, 20)))
    }  # fmt: skip
    book = make_workbook(tmp_path / "ESP Tracker.xlsx", sheets)
    excel_saves_while_writing(monkeypatch, book)

    def as_on_windows(text: str) -> str:
        with monkeypatch.context() as m:
            m.setattr(system, "WINDOWS", True)
            return system.shell_quote(text)

    from esp_cli.services import agents, document

    monkeypatch.setattr(agents, "shell_quote", as_on_windows)
    monkeypatch.setattr(document, "shell_quote", as_on_windows)
    out = tmp_path / "out"
    res = run(book, config, "--due", "--as-of", "2026-11-25", "--out", str(out), "--record",
              "--no-wait")  # fmt: skip
    assert res.exit_code == ExitCode.BUSY, res.output
    lines = [x.strip() for x in res.stderr.splitlines() if x.strip().startswith("esp record")]
    assert len(lines) == 2 and not any(";" in x for x in lines), res.stderr
    assert "'" not in "".join(lines)  # no PowerShell-only quotes
    monkeypatch.undo()
    column = header.index(H["coaching_date"]) + 1
    for line in lines:
        argv = program_args(line)
        assert argv[1] == "record-step" and "!row 2)" in argv[2], argv
        done = record_step(book, config, *argv[2:])
        assert done.exit_code == 0, done.output
    wb = openpyxl.load_workbook(book)
    assert [wb[s].cell(2, column).value is not None for s in ("Wk 1", "Wk 2")] == [True, True]


def test_a_namesakes_document_is_not_taken_for_the_same_row_of_another_sheet(
    tmp_path: Path,
) -> None:
    """Ana Lopez on row 2 of two sheets, alike in all else: the document made for one sheet's
    is refused for the other's (its stamp names the sheet)."""
    from tests.factories import make_workbook

    team_template(tmp_path / "tpl", Step.COACHING, ("{{ agent_id }}", "{{ n_number }}"))
    config = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    header = list(H.values())
    row = [agent("Ana Lopez", None, email="ana@x.com").get(h) for h in header]
    book = make_workbook(tmp_path / "ESP Tracker.xlsx", {s: [header, row] for s in ("A", "B")})
    res = run(book, config, "Ana Lopez (A!row 2)", "coaching", "--out", str(tmp_path), "-f",
              "json")  # fmt: skip
    assert res.exit_code == 0, res.output
    made = json.loads(res.stdout)["documents"][0]["file"]
    other = record_step(book, config, "Ana Lopez (B!row 2)", "coaching", "--document", made)
    assert other.exit_code == ExitCode.BAD_INPUT, other.output
    mine = record_step(book, config, "Ana Lopez (A!row 2)", "coaching", "--document", made)
    assert mine.exit_code == 0, mine.output


NAMESAKE_SCAN = "2026-11-25 Ana Lopez - Documented coaching signed"


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
@pytest.mark.parametrize(
    "names",
    [("Ana Lopez", "Ana Lopez", "AET-2"), ("Ana Lopez", "ANA LOPEZ", "AET-1109")],
    ids=["two-classes", "case-only-one-class"],
)
def test_a_name_two_agents_share_is_no_ones_document(
    tmp_path: Path, config: Path, suffix: str, names: tuple[str, str, str]
) -> None:
    """A scan (or a Word document made by hand) named with a name two agents share, without
    the Agent ID: refused for each of them, naming both and the name that says whose."""
    first, second, cls = names
    people = [
        agent(first, "E10323", email="a3@x.com"),
        agent(second, "E10404", email="a4@x.com", **{"class": cls}),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    given = make_file(tmp_path, NAMESAKE_SCAN, suffix)
    before = book.read_bytes()
    for who, other in (("E10323", "E10404"), ("E10404", "E10323")):
        res = record_step(book, config, who, "coaching", "--document", str(given))
        assert res.exit_code == ExitCode.BAD_INPUT, res.output
        err = " ".join(res.stderr.split())
        assert "2 agents have that name" in err and "it does not say whose" in err, err
        assert f"ID {who}" in err and f"ID {other}" in err, err
        words = " signed" if suffix == ".pdf" else ""
        name = people[0 if who == "E10323" else 1]["Agent Name"]
        told = f"'2026-11-25 {name} ({who}) - Documented coaching{words}{suffix}'"
        assert told in err, err
        assert book.read_bytes() == before
    words = " signed" if suffix == ".pdf" else ""
    renamed = given.rename(
        tmp_path / f"2026-11-25 {second} (E10404) - Documented coaching{words}{suffix}"
    )
    res = record_step(book, config, "E10323", "coaching", "--document", str(renamed))
    assert res.exit_code == ExitCode.BAD_INPUT and "(E10404)" in res.stderr, res.output
    res = record_step(book, config, "E10404", "coaching", "--document", str(renamed))
    assert res.exit_code == 0, res.output


def test_the_name_told_for_a_namesakes_scan_carries_the_agent_id(
    tmp_path: Path, config: Path
) -> None:
    """A scan named otherwise: the name esp tells to give it says whose — a namesake's with
    the Agent ID (else the row), as esp document names the document."""
    people = [
        agent("Ana Lopez", "E10323", email="a3@x.com"),
        agent("Ana Lopez", None, email="a4@x.com", **{"class": "AET-2"}),
        agent("Kayla Brooks", "E10342", email="kb@x.com"),
    ]
    book = tracker(tmp_path / "ESP Tracker.xlsx", people, headers=tuple(H.values()))
    scan = make_file(tmp_path, "scan001", ".pdf")
    told = {
        "a3@x.com": "'2026-11-25 Ana Lopez (E10323) - Documented coaching signed.pdf'",
        "a4@x.com": "'2026-11-25 Ana Lopez (row 4) - Documented coaching signed.pdf'",
        "kb@x.com": "'2026-11-25 Kayla Brooks - Documented coaching signed.pdf'",
    }
    for who, name in told.items():
        res = record_step(book, config, who, "coaching", "--document", str(scan))
        assert res.exit_code == ExitCode.BAD_INPUT, res.output
        assert name in " ".join(res.stderr.split()), res.stderr
        renamed = scan.rename(tmp_path / name.strip("'"))
        res = record_step(book, config, who, "coaching", "--document", str(renamed), "-n")
        assert res.exit_code == 0, res.output
        scan = renamed.rename(scan)
