"""A waiting change finds its agent by who they are: a row found by the agent's name alone
is not taken for an agent recorded with an Agent ID, e-mail or N Number it does not hold
(a new hire of the same name, nothing typed yet), and a row with the agent's ID that is
another agent's now is named as hers."""

from __future__ import annotations

import json
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.workbook.waiting import Store
from tests import factories
from tests.test_waiting import in_excel, open_in_excel, run

TRACKER = "ESP Tracker.xlsx"
HEADERS = (*factories.TRACKER_HEADERS, *factories.headers("coaching_date"))
START = date(2026, 11, 16)
AGENTS = [
    {"Class": "AET-1", "Agent Name": "Devon Price", "Agent ID": "E101",
     "Email": "devon.price@x.com", "N Number": "N101", "ESP Start Date": START},
    {"Class": "AET-1", "Agent Name": "Dana Cole", "Agent ID": "E102",
     "Email": "dana.cole@x.com", "N Number": "N102", "ESP Start Date": START},
]  # fmt: skip
# A title row, the headers on row 2, Devon on row 3 and Dana on row 4: Agent ID C, Email D,
# N Number E, Notes K.


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return tracker_of(tmp_path, AGENTS)


def tracker_of(folder: Path, agents: list[dict[str, Any]]) -> Path:
    """The tracker of these agents, and the esp.toml saying who signs."""
    (folder / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    return factories.tracker(folder / TRACKER, agents, headers=HEADERS)


def note_waits(path: Path, text: str) -> None:
    """A note for Dana Cole made while Excel has the tracker: it waits. Then Excel closes."""
    owner = open_in_excel(path.parent)
    assert run("note", "add", "Dana Cole", text, "-t", str(path)).exit_code == 7
    owner.unlink()


def cells(path: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path).worksheets[0]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def a_new_hire_in_danas_place(ws: Any) -> None:
    """Dana's row deleted (she left); a new hire of her name added to her class, her Agent
    ID, e-mail and N Number not typed yet."""
    ws.delete_rows(4)
    ws.cell(4, 1).value, ws.cell(4, 2).value = "AET-1", "Dana Cole"


def test_a_change_for_an_agent_recorded_with_an_id_is_held_off_a_namesake_with_none(
    small: Path,
) -> None:
    note_waits(small, "For the first Dana")
    (op,) = Store(small).unwritten().ops
    in_excel(small, a_new_hire_in_danas_place)
    held = run("apply", "-t", str(small))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K4" not in cells(small)  # nothing written to the new hire's row
    assert (
        "esp cannot tell it is Dana Cole: the row found by the name in class AET-1, ESP "
        "Tracker!row 4, holds no Agent ID, e-mail or N Number, and the change was made for "
        "Agent ID E102 (e-mail dana.cole@x.com and N Number N102); if the row is theirs, type "
        f"their Agent ID (E102) in it and run esp apply again, else discard the change (esp "
        f"pending drop {op.op})"
    ) in " ".join(held.stderr.split())
    assert "holds none of the Agent ID, e-mail or N Number" in " ".join(held.stderr.split())
    # Kept waiting, and listed as such.
    listed = run("pending", "-t", str(small), "-f", "json")
    (shown,) = json.loads(listed.stdout)["operations"]
    assert shown["op"] == op.op and not shown["writable"]
    assert {c["kind"] for c in shown["conflicts"]} == {"unsure"}
    table = run("pending", "-t", str(small))
    assert "the row of the agent's name holds none of the IDs it was made for" in " ".join(
        table.stdout.split()
    )
    # Her ID typed back in the row: it is hers, and the change is written there.
    in_excel(small, lambda ws: ws.cell(4, 3, "E102"))
    assert run("apply", "-t", str(small)).exit_code == 0
    assert cells(small)["K4"].endswith("Jordan Reyes - For the first Dana")
    assert Store(small).unwritten().ops == []


def test_a_change_made_before_the_agent_had_an_id_still_finds_her_by_name(
    tmp_path: Path,
) -> None:
    """Dana had no Agent ID, e-mail or N Number when the change was made: her row, found by
    her name in her class after a row is inserted above it, is hers, ID typed since or not."""
    bare = [AGENTS[0], {"Class": "AET-1", "Agent Name": "Dana Cole", "ESP Start Date": START}]
    path = tracker_of(tmp_path, bare)
    note_waits(path, "Before her ID")

    def insert_above(ws: Any) -> None:
        ws.insert_rows(3)
        ws.cell(3, 1).value, ws.cell(3, 2).value, ws.cell(3, 3).value = "AET-1", "Ana Ruiz", "E9"

    in_excel(path, insert_above)
    assert run("apply", "-t", str(path)).exit_code == 0
    assert cells(path)["K5"].endswith("Jordan Reyes - Before her ID")


def test_a_change_made_while_the_agents_id_was_a_placeholder_is_held_off_a_newcomer(
    tmp_path: Path,
) -> None:
    """Dana's Agent ID read `Pending` (typed for every new hire) when the change was made;
    her row is then deleted and another Dana Cole, with a real Agent ID, joins the class: the
    recorded `Pending` is not hers, so the change waits (a word typed for anyone is never
    dropped from what tells the agent's row: the newcomer would get her change)."""
    new_hire = {**AGENTS[1], "Agent ID": "Pending", "N Number": "TBD", "Email": "n/a"}
    path = tracker_of(tmp_path, [AGENTS[0], new_hire])
    note_waits(path, "For the first Dana")

    def another_dana_in_her_place(ws: Any) -> None:
        ws.delete_rows(4)
        ws.cell(4, 1).value, ws.cell(4, 2).value, ws.cell(4, 3).value = "AET-1", "Dana Cole", "E777"

    in_excel(path, another_dana_in_her_place)
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K4" not in cells(path)  # nothing written to the newcomer's row
    assert len(Store(path).unwritten().ops) == 1


def test_the_agent_id_column_deleted_leaves_the_agent_found_by_name(tmp_path: Path) -> None:
    """Dana recorded with her Agent ID alone; the Agent ID column is then deleted in Excel:
    no row can hold an ID, so not holding hers tells nothing — found by name, written."""
    only_id = [{k: v for k, v in a.items() if k not in ("Email", "N Number")} for a in AGENTS]
    path = tracker_of(tmp_path, only_id)
    note_waits(path, "ID column gone")
    in_excel(path, lambda ws: ws.delete_cols(3))  # Agent ID: Notes is J now
    done = run("apply", "-t", str(path))
    assert done.exit_code == 0, done.output
    assert cells(path)["J4"].endswith("Jordan Reyes - ID column gone")


def test_ids_swapped_in_excel_name_the_agent_whose_row_has_the_id_now(small: Path) -> None:
    note_waits(small, "Swapped")

    def swap(ws: Any) -> None:
        ws["C3"], ws["C4"] = "E102", "E101"

    in_excel(small, swap)
    held = run("apply", "-t", str(small))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    said = " ".join(held.stderr.split())
    assert "no row has its Agent ID E102" not in said
    assert (
        "Dana Cole's row is not found (the row with its Agent ID E102, ESP Tracker!row 3, is "
        "Devon Price's now; the row with its e-mail dana.cole@x.com, N Number N102 and name "
        "in class AET-1, ESP Tracker!row 4, has Agent ID E101)"
    ) in said


def test_history_and_undo_never_take_a_new_hire_for_the_agent_she_replaced(
    small: Path,
) -> None:
    """The operation log is read the same way: the first Dana's access change (recorded
    with her Agent ID) is not the new Dana's history, nor undone in her row, which holds
    the same value."""
    t = ["-t", str(small)]
    assert run("access", "set", "Dana Cole", "equipment issue", *t).exit_code == 0

    def replaced(ws: Any) -> None:
        a_new_hire_in_danas_place(ws)
        ws["J4"] = "Equipment Issue"

    in_excel(small, replaced)
    history = run("history", "Dana Cole", *t, "-f", "json")
    assert history.exit_code == 0, history.output
    assert "Equipment Issue" not in history.stdout
    undo = run("undo", *t, "--dry-run")
    assert undo.exit_code != 0
    undo = run("undo", *t)
    assert undo.exit_code != 0
    assert (
        "Dana Cole cannot be found: the row found by the name in class AET-1, ESP Tracker!row "
        "4, holds no Agent ID, e-mail or N Number"
    ) in " ".join(undo.stderr.split())
    assert (
        "Fix: type the agent's Agent ID (as recorded) in their row, if the row is theirs; or "
        "pass --skip-conflicts"
    ) in " ".join(undo.stderr.split())
    assert cells(small)["J4"] == "Equipment Issue"
    # Nor put back in her row when the rest of the operation is asked for.
    run("undo", *t, "--skip-conflicts")
    assert cells(small)["J4"] == "Equipment Issue"


# Two new hires named Dana Cole in AET-1, both with Agent ID `Pending`: what tells them
# apart when a change is made is their ESP Start Date (recorded with the change).
TWO_PENDING_DANAS = [
    AGENTS[0],
    {"Class": "AET-1", "Agent Name": "Dana Cole", "Agent ID": "Pending", "ESP Start Date": START},
    {"Class": "AET-1", "Agent Name": "Dana Cole", "Agent ID": "Pending",
     "ESP Start Date": date(2026, 11, 30)},
]  # fmt: skip


def namesake_note_waits(path: Path, row: int, text: str) -> None:
    owner = open_in_excel(path.parent)
    assert run("note", "add", f"Dana Cole (row {row})", text, "-t", str(path)).exit_code == 7
    owner.unlink()


def test_a_change_for_one_of_two_namesakes_is_held_off_the_other_once_hers_is_deleted(
    tmp_path: Path,
) -> None:
    """The change is for the Dana of row 4 (ESP Start 11/16). Her row is deleted in Excel: the
    one Dana left (ESP Start 11/30) answers to the name alone, but does not hold what told
    the first Dana apart, so nothing is written to her row."""
    path = tracker_of(tmp_path, TWO_PENDING_DANAS)
    namesake_note_waits(path, 4, "For the first Dana")
    in_excel(path, lambda ws: ws.delete_rows(4))
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K4" not in cells(path)  # the other Dana's row: nothing written
    said = " ".join(held.stderr.split())
    assert "ESP Tracker!row 4" in said and "ESP Start Date" in said, said
    assert len(Store(path).unwritten().ops) == 1
    listed = run("pending", "-t", str(path), "-f", "json")
    (shown,) = json.loads(listed.stdout)["operations"]
    assert {c["kind"] for c in shown["conflicts"]} == {"namesake"}


def test_a_change_for_one_of_two_namesakes_finds_hers_once_the_other_is_deleted(
    tmp_path: Path,
) -> None:
    """The other way round: the Dana the change is not for leaves; the change's Dana, who
    still holds her ESP Start Date, is found by her name and gets it."""
    path = tracker_of(tmp_path, TWO_PENDING_DANAS)
    namesake_note_waits(path, 5, "For the second Dana")
    in_excel(path, lambda ws: ws.delete_rows(4))
    done = run("apply", "-t", str(path))
    assert done.exit_code == 0, done.output
    assert cells(path)["K4"].endswith("Jordan Reyes - For the second Dana")


def test_undo_and_history_never_take_the_namesake_left_for_the_agent_whose_row_went(
    tmp_path: Path,
) -> None:
    """The operation log is read the same way: a note written for the Dana of row 4, whose
    row is then deleted in Excel, is not the other Dana's history, nor undone in her row."""
    path = tracker_of(tmp_path, TWO_PENDING_DANAS)
    t = ["-t", str(path)]
    assert run("access", "set", "Dana Cole (row 4)", "equipment issue", *t).exit_code == 0

    def hers_gone_the_other_with_the_same_value(ws: Any) -> None:
        ws.delete_rows(4)
        ws["J4"] = "Equipment Issue"

    in_excel(path, hers_gone_the_other_with_the_same_value)
    history = run("history", "Dana Cole", *t, "-f", "json")
    assert history.exit_code == 0, history.output
    assert "Equipment Issue" not in history.stdout
    undo = run("undo", *t)
    assert undo.exit_code != 0
    said = " ".join(undo.stderr.split())
    assert "holds ESP Start Date 11/30/2026 where the agent's row held 11/16/2026" in said
    assert (
        "Fix: if that row is the agent's, put back its cells yourself in Excel (esp history "
        "--cells lists what the operation wrote); or pass --skip-conflicts"
    ) in said
    run("undo", *t, "--skip-conflicts")
    assert cells(path)["J4"] == "Equipment Issue"


# The two Danas told apart by three lasting facts: ESP Start Date (G), Phone (N), Certifier (O).
FACT_HEADERS = (*HEADERS, *factories.headers("phone", "certifier"))
TWO_DANAS_THREE_FACTS = [
    AGENTS[0],
    {**TWO_PENDING_DANAS[1], "Phone": "(614) 555-0139", "Certifier": "Kim Wu"},
    {**TWO_PENDING_DANAS[2], "Phone": "(614) 555-0177", "Certifier": "Lee Park"},
]


def three_facts_tracker(folder: Path, agents: list[dict[str, Any]] | None = None) -> Path:
    """The tracker of `agents` (the two Danas of three facts) with Phone and Certifier."""
    (folder / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    agents = TWO_DANAS_THREE_FACTS if agents is None else agents
    return factories.tracker(folder / TRACKER, agents, headers=FACT_HEADERS)


@pytest.mark.parametrize(
    "retyped",
    [
        pytest.param(lambda ws: ws.cell(4, 7, date(2026, 11, 17)), id="start-date-corrected"),
        pytest.param(lambda ws: ws.cell(4, 14, "614-555-0139"), id="phone-reformatted"),
        pytest.param(lambda ws: ws.cell(4, 7, "11/16/2026"), id="start-date-typed-as-text"),
        pytest.param(lambda ws: ws.delete_cols(14), id="phone-column-deleted"),
        pytest.param(lambda ws: ws.cell(2, 14, "Cell #"), id="phone-column-renamed"),
    ],
)
def test_the_agents_own_row_left_with_a_fact_retyped_still_gets_the_change(
    tmp_path: Path, retyped: Any
) -> None:
    """The other Dana leaves (her row deleted) while a change for the first waits, and a
    lasting fact of the first Dana's row is corrected or retyped meanwhile: her row still
    holds more of what esp saw than it holds otherwise, so it is hers."""
    path = three_facts_tracker(tmp_path)
    namesake_note_waits(path, 4, "For the first Dana")

    def the_other_leaves(ws: Any) -> None:
        ws.delete_rows(5)
        retyped(ws)

    in_excel(path, the_other_leaves)
    done = run("apply", "-t", str(path))
    assert done.exit_code == 0, done.output
    assert cells(path)["K4"].endswith("Jordan Reyes - For the first Dana")


def test_the_namesake_left_holding_other_facts_gets_no_change_and_the_fix_says_what_to_do(
    tmp_path: Path,
) -> None:
    path = three_facts_tracker(tmp_path)
    namesake_note_waits(path, 4, "For the first Dana")
    (op,) = Store(path).unwritten().ops
    in_excel(path, lambda ws: ws.delete_rows(4))
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K4" not in cells(path)
    said = " ".join(held.stderr.split())
    assert (
        "holds ESP Start Date 11/30/2026 where the agent's row held 11/16/2026, Phone "
        "'(614) 555-0177' where the agent's row held '(614) 555-0139' and Certifier 'Lee Park' "
        "where the agent's row held 'Kim Wu' when the change was made: another agent of the "
        "name, the agent's row deleted since?; if it is, discard the change and make it again "
        f"(esp pending drop {op.op}, then the command, with --date for a day before today)"
    ) in said, said
    assert "esp cannot tell that the one row left of Dana Cole's name is theirs" in said


def _access_set_since(path: Path, access: str = "equipment issue") -> None:
    """The other Dana leaves, the first's phone is retyped, then esp itself changes the
    first's Citrix TBT Access."""

    def the_other_leaves(ws: Any) -> None:
        ws.delete_rows(5)
        ws.cell(4, 14, "614.555.0139")

    in_excel(path, the_other_leaves)
    assert run("access", "set", "Dana Cole", access, "-t", str(path)).exit_code == 0


def _phone_corrected_since(path: Path) -> None:
    """The other Dana leaves, and a typo in the first Dana's phone is corrected."""

    def the_other_leaves(ws: Any) -> None:
        ws.delete_rows(5)
        ws.cell(4, 14, "(614) 555-0193")

    in_excel(path, the_other_leaves)


@pytest.mark.parametrize(
    ("differ", "since"),
    [
        pytest.param(
            {"Citrix TBT Access": ("Password Reset", "No Issues")},
            _access_set_since,
            id="told-apart-by-access-esp-changed-since",
        ),
        pytest.param(
            {"Citrix TBT Access": ("Password Reset", "No Issues")},
            lambda path: _access_set_since(path, "no issues"),
            id="told-apart-by-access-now-reading-as-the-others-did",
        ),
        pytest.param(
            {"Phone": ("(614) 555-0139", "(614) 555-0177")},
            _phone_corrected_since,
            id="told-apart-by-phone-corrected-since",
        ),
    ],
)
def test_history_and_undo_still_find_the_agent_whose_namesake_left(
    tmp_path: Path, differ: dict[str, tuple[str, str]], since: Any
) -> None:
    """The operation log is read as waiting changes are: with the other Dana gone, and the
    cell that told the two apart changed since in the first Dana's row (by esp itself, or a
    typo corrected in Excel: her row holds neither Dana's cell as esp saw it), her note is
    still hers in esp history, and esp undo puts it back — a change already written, whose
    row esp may have written to since, is the likelier."""
    danas = [
        AGENTS[0],
        {**TWO_DANAS_THREE_FACTS[1], **{k: v[0] for k, v in differ.items()}},
        {**TWO_DANAS_THREE_FACTS[1], **{k: v[1] for k, v in differ.items()}},
    ]
    path = three_facts_tracker(tmp_path, danas)
    t = ["-t", str(path)]
    assert run("note", "add", "Dana Cole (row 4)", "Hers", *t).exit_code == 0
    first = json.loads(run("history", *t, "-f", "json").stdout)["operations"][0]["op"]
    since(path)
    history = run("history", "Dana Cole", *t, "-f", "json")
    assert history.exit_code == 0, history.output
    assert "Hers" in history.stdout
    undo = run("undo", first, *t)
    assert undo.exit_code == 0, undo.output
    assert "K4" not in cells(path)


def test_a_round_answer_for_a_namesake_is_held_off_the_other_once_hers_is_deleted(
    tmp_path: Path,
) -> None:
    """esp round keeps each answer beside a busy tracker with what tells namesakes apart,
    as every other write does: the Dana answered for leaves, and her answer is not written
    into the other Dana's row."""
    path = tracker_of(tmp_path, TWO_DANAS_THREE_FACTS[1:])  # the Danas on rows 3 and 4
    owner = open_in_excel(path.parent)
    answered = CliRunner().invoke(
        app,
        ["round", "--class", "AET-1", "--date", "2026-11-24", "-y", "-t", str(path)],
        input="On module 3\nq\n",
    )
    assert answered.exit_code == ExitCode.WAITING, answered.output
    (op,) = Store(path).unwritten().ops
    ((cell,),) = op.units
    assert cell.key == "tbt_notes" and cell.facts, cell
    answered_row = cell.row
    owner.unlink()
    in_excel(path, lambda ws: ws.delete_rows(answered_row))
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert not any(v.endswith("On module 3") for v in cells(path).values() if isinstance(v, str))


def test_a_namesake_told_apart_by_a_phone_only_one_has_is_not_taken_for_the_other(
    tmp_path: Path,
) -> None:
    """The two Danas differ only in a phone the second has not given yet: the first Dana
    leaves, and her change does not go to the Dana whose phone is still empty (what esp saw
    in her row, not in the agent's)."""
    danas = [
        {**TWO_DANAS_THREE_FACTS[1]},
        {**TWO_DANAS_THREE_FACTS[1], "Phone": None},
    ]
    path = three_facts_tracker(tmp_path, danas)
    namesake_note_waits(path, 3, "For the Dana with a phone")
    in_excel(path, lambda ws: ws.delete_rows(3))
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K3" not in cells(path)


def test_of_three_namesakes_the_one_left_is_weighed_against_each(tmp_path: Path) -> None:
    """Three Danas: the first and second share a start date and differ in phone, the
    third started later. The change is for the first; the first and second leave. The
    third holds the first's certifier but everything else of her own: not the first."""
    first = {**TWO_DANAS_THREE_FACTS[1]}
    second = {**first, "Phone": "(614) 555-0155"}
    third = {**TWO_DANAS_THREE_FACTS[2], "Certifier": "Kim Wu"}
    (tmp_path / "esp.toml").write_text('[people]\nuser = "Jordan Reyes"\n', encoding="utf-8")
    path = factories.tracker(tmp_path / TRACKER, [first, second, third], headers=FACT_HEADERS)
    namesake_note_waits(path, 3, "For the first Dana")
    in_excel(path, lambda ws: ws.delete_rows(3, 2))
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K3" not in cells(path)
    listed = json.loads(run("pending", "-t", str(path), "-f", "json").stdout)
    assert {c["kind"] for c in listed["operations"][0]["conflicts"]} == {"namesake"}


def test_a_namesake_whose_empty_cells_were_filled_like_the_agents_gets_no_change(
    tmp_path: Path,
) -> None:
    """The second Dana was added with no ESP Start Date or phone yet; the change is for the
    first. The first Dana leaves, and the second's cells are filled in — the class's start
    date, as the first had. Her row holds the first Dana's start date only where her own
    was empty when esp looked: nothing says she is the first Dana, so nothing is written."""
    danas = [
        {**TWO_DANAS_THREE_FACTS[1]},
        {**TWO_DANAS_THREE_FACTS[1], "ESP Start Date": None, "Phone": None},
    ]
    path = three_facts_tracker(tmp_path, danas)
    namesake_note_waits(path, 3, "For the first Dana")
    (op,) = Store(path).unwritten().ops
    ((cell,),) = op.units
    # Kept as an older esp reads facts (columns only), the namesakes' cells beside them.
    kept = json.loads(Store(path).folder.joinpath(op.file).read_text(encoding="utf-8"))
    (saved,) = kept["units"][0]["cells"]
    assert set(saved["facts"]) == {"esp_start", "phone"}
    assert saved["namesakes"] == [{"esp_start": None, "phone": None}]

    def the_first_leaves_the_second_filled_in(ws: Any) -> None:
        ws.delete_rows(3)
        ws.cell(3, 7, START)
        ws.cell(3, 14, "(614) 555-0188")

    in_excel(path, the_first_leaves_the_second_filled_in)
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K3" not in cells(path)
    said = " ".join(held.stderr.split())
    assert "Phone '(614) 555-0188' where the agent's row held '(614) 555-0139'" in said


def test_a_namesake_told_apart_only_by_progress_gets_no_change_once_it_catches_up(
    tmp_path: Path,
) -> None:
    """Two Danas alike in every lasting cell, told apart by Citrix TBT Access only: the first
    leaves while her change waits, and the second's access comes to read what the first's
    did. A column the team fills in as agents progress says nothing of who the row is."""
    danas = [
        {**TWO_DANAS_THREE_FACTS[1], "Citrix TBT Access": "Password Reset"},
        {**TWO_DANAS_THREE_FACTS[1], "Citrix TBT Access": "No Issues"},
    ]
    path = three_facts_tracker(tmp_path, danas)
    namesake_note_waits(path, 3, "For the first Dana")

    def the_first_leaves_the_second_catches_up(ws: Any) -> None:
        ws.delete_rows(3)
        ws.cell(3, 10, "Password Reset")

    in_excel(path, the_first_leaves_the_second_catches_up)
    held = run("apply", "-t", str(path))
    assert held.exit_code == ExitCode.FINDINGS, held.output
    assert "K3" not in cells(path)


def test_of_one_agent_entered_twice_the_row_with_her_phone_left_gets_the_change(
    tmp_path: Path,
) -> None:
    """One person typed twice, the copy without her phone: the change is made for the row
    with it, and the copy is deleted. A phone is one person's: the row left holding it,
    where the copy's was empty, is hers."""
    twice = [{**TWO_DANAS_THREE_FACTS[1]}, {**TWO_DANAS_THREE_FACTS[1], "Phone": None}]
    path = three_facts_tracker(tmp_path, twice)
    namesake_note_waits(path, 3, "For the Dana with a phone")
    in_excel(path, lambda ws: ws.delete_rows(4))
    done = run("apply", "-t", str(path))
    assert done.exit_code == 0, done.output
    assert cells(path)["K3"].endswith("Jordan Reyes - For the Dana with a phone")
