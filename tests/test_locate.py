"""esp report locate: Cannot Locate TBT cases, screenshots matched by file name, Searched by
Course Number set, the e-mail to the learning contacts with the screenshots attached."""

from __future__ import annotations

import email
import json
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.locate import course_searched
from tests import factories

HEADERS = (*factories.TRACKER_HEADERS, *factories.headers("searched_course"))
CL = "Cannot Locate TBT"
CONTACTS = ["Torrey Lane <torrey@example.com>", "amanda@example.com"]
SEARCHED_COL = len(HEADERS)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return make_folder(tmp_path)


def make_folder(tmp_path: Path) -> Path:
    """The tracker (three open cases, one closed, one agent of another issue), the
    screenshots and esp.toml."""
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Brooks, Ethan", "Citrix TBT Access": CL,
             "TBT Notes": "Dana W - 11/20/2026 - Cannot find TBT 'Appeals & Grievances'.",
             "Searched by Course Number": "No"},
            {"Class": "AET-1", "Agent Name": "Amira Hassan", "Citrix TBT Access": CL.lower(),
             "TBT Notes": "Priya N - 11/23/2026 - Cannot find 'Pharmacy Overview' by name."},
            {"Class": "AET-2", "Agent Name": "Tamara Wells", "Citrix TBT Access": CL},
            {"Class": "AET-2", "Agent Name": "Done Agent", "Citrix TBT Access": CL,
             "Call Cert Complete?": "Yes", "All TBTs Complete?": "Yes"},
            {"Class": "AET-2", "Agent Name": "Ana Ruiz", "Citrix TBT Access": "Password Reset"},
        ],
        headers=HEADERS,
    )  # fmt: skip
    shots = tmp_path / "shots"
    shots.mkdir()
    for name in ("Ethan Brooks course number.png", "brooks_ethan-name.png", "amira-hassan.jpg",
                 "ana ruiz.png", "notes.txt"):  # fmt: skip
        (shots / name).write_bytes(b"\x89PNG " + name.encode())
    (tmp_path / "esp.toml").write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[people]\n'
        f"learning_contacts = {json.dumps(CONTACTS)}\n"
        '[report]\nfrom = "Jordan Reyes <jordan@vendorcx.com>"\n',
        encoding="utf-8",
    )
    return tmp_path


def searched(folder: Path) -> list[Any]:
    ws = openpyxl.load_workbook(folder / "ESP Tracker.xlsx").active
    assert ws is not None
    return [ws.cell(r, SEARCHED_COL).value for r in range(3, 8)]


def test_cases_screenshots_and_searched_by_course_number(folder: Path) -> None:
    eml = folder / "locate.eml"
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--eml", str(eml),
                 "-c", str(folder / "esp.toml"), "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    cases = {c["agent"]: c for c in got["cases"]}
    assert list(cases) == ["Ethan Brooks", "Amira Hassan", "Tamara Wells"]
    assert cases["Ethan Brooks"]["course"] == "Appeals & Grievances"
    assert cases["Amira Hassan"]["course"] == "Pharmacy Overview"
    assert cases["Tamara Wells"]["course"] is None
    assert [Path(p).name for p in cases["Ethan Brooks"]["screenshots"]] == [
        "Ethan Brooks course number.png",
        "brooks_ethan-name.png",
    ]
    assert [Path(p).name for p in cases["Amira Hassan"]["screenshots"]] == ["amira-hassan.jpg"]
    # Ana Ruiz has no Cannot Locate TBT case: her file is not attached to anyone.
    assert {Path(u["file"]).name for u in got["unmatched_files"]} == {"ana ruiz.png"}
    assert "no screenshot for Tamara Wells" in result.stderr
    assert searched(folder) == ["Yes", "Yes", None, None, None]

    msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    assert [a.addr_spec for a in msg["To"].addresses] == [
        "torrey@example.com",
        "amanda@example.com",
    ]
    assert msg["Subject"].startswith("Cannot Locate TBT — ")
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == ["Ethan Brooks course number.png", "brooks_ethan-name.png", "amira-hassan.jpg"]
    body = msg.get_body(("plain",))
    assert body is not None and "Ethan Brooks (AET-1): Appeals & Grievances" in body.get_content()


def test_dry_run_writes_nothing(folder: Path) -> None:
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--dry-run",
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Would set" in result.stderr
    assert searched(folder) == ["No", None, None, None, None]


def test_dry_run_saves_no_draft_and_keeps_stdout_data(folder: Path) -> None:
    """--dry-run writes nothing: not the tracker, not the .eml it would save."""
    eml = folder / "locate.eml"
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--dry-run",
                 "--eml", str(eml), "-f", "json", "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not eml.exists()
    assert json.loads(result.stdout)["dry_run"] is True
    assert f"Dry run: would save the e-mail as {eml}" in result.stderr
    assert searched(folder) == ["No", None, None, None, None]


@pytest.mark.parametrize("draft", ["--eml", "--msg", "--send"])
def test_the_email_settings_are_checked_before_the_tracker_is_written(
    folder: Path, draft: str
) -> None:
    """No learning contacts: nothing is written (Searched by Course Number stays as it was),
    not the tracker and not a draft, whichever e-mail was asked for."""
    config = folder / "esp.toml"
    config.write_text('[report]\nfrom = "j@x.com"\n', encoding="utf-8")
    tracker = folder / "ESP Tracker.xlsx"
    before = tracker.read_bytes()
    out = [] if draft == "--send" else [str(folder / f"x{draft.replace('--', '.')}")]
    result = run("report", "locate", "-t", str(tracker), "--screenshots", str(folder / "shots"),
                 draft, *out, "-c", str(config))  # fmt: skip
    assert result.exit_code == 2
    assert "[people] learning_contacts" in result.stderr
    assert result.stdout == ""
    assert tracker.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["ESP Tracker.xlsx", "esp.toml", "shots"]


def test_send_without_smtp_settings_writes_nothing(folder: Path) -> None:
    tracker = folder / "ESP Tracker.xlsx"
    before = tracker.read_bytes()
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--send",
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 2 and "[smtp] host" in result.stderr
    assert tracker.read_bytes() == before


def test_non_ascii_screenshot_names_reach_outlook(folder: Path) -> None:
    """Outlook reads an attachment's name from Content-Type name= (RFC 2047); the standard
    puts it in Content-Disposition filename*= (RFC 2231): both are there, and decode alike."""
    shots = folder / "shots"
    name = "Ethan Brooks — numéro de cours (recherche très détaillée) écran 2.png"
    (shots / name).write_bytes(b"\x89PNG accents")
    eml = folder / "locate.eml"
    result = run("report", "locate", "--screenshots", str(shots), "--eml", str(eml),
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    raw = eml.read_bytes()
    assert b'name="=?utf-8?b?' in raw and b"filename*0*=utf-8''" in raw
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    msg = email.message_from_bytes(raw, policy=default_policy)
    (part,) = [p for p in msg.iter_attachments() if "accents" in str(p.get_content())]
    assert part.get_filename() == name  # filename*= (RFC 2231)
    assert part.get_param("name") == name  # name= (RFC 2047), as Outlook reads it
    assert part.get_content() == b"\x89PNG accents"


@pytest.mark.parametrize(
    ("notes", "course"),
    [
        ("Dana - 11/20/2026 - Cannot find TBT 'Appeals & Grievances'.", "Appeals & Grievances"),
        ('Dana - 11/20/2026 - "Medicare 101" not found\nDana - 11/21/2026 - \u2018Part D\u2019 too',
         "Part D"),
        ("Dana - 11/20/2026 - can't find it", None),
        (None, None),
    ],
)  # fmt: skip
def test_course_searched(notes: str | None, course: str | None) -> None:
    assert course_searched(notes) == course


# -- the e-mail first, the tracker last ------------------------------------------------------


def test_an_email_that_cannot_be_saved_leaves_the_tracker_unchanged(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = folder / "ESP Tracker.xlsx"
    before = tracker.read_bytes()
    (folder / "a folder.eml").mkdir()  # --eml names a folder: refused before any work
    result = run("report", "locate", "--screenshots", str(folder / "shots"),
                 "--eml", str(folder / "a folder.eml"), "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "is a folder" in result.stderr

    def disk_full(path: Path, data: bytes, **kwargs: object) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("esp_cli.mail.outgoing.create_file_atomically", disk_full)
    result = run("report", "locate", "--screenshots", str(folder / "shots"),
                 "--eml", str(folder / "x.eml"), "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 6, result.output
    assert "cannot be written" in result.stderr
    assert tracker.read_bytes() == before
    assert searched(folder)[0] == "No"
    assert not (folder / "esp-backups").exists()


def test_a_send_that_fails_leaves_the_tracker_unchanged(folder: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = folder / "esp.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n',
        encoding="utf-8",
    )
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--send",
                 "-c", str(config))  # fmt: skip
    assert result.exit_code == 1
    assert "cannot connect" in result.stderr
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before
    assert list(folder.glob("Cannot Locate TBT*.eml"))  # the message is kept


def test_a_screenshot_name_with_a_line_break_is_attached(folder: Path) -> None:
    (folder / "shots" / "Amira Hassan\ncourse name.png").write_bytes(b"\x89PNG x")
    eml = folder / "locate.eml"
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--eml", str(eml),
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    names = [part.get_filename() for part in msg.iter_attachments()]
    assert "Amira Hassan course name.png" in names
    assert searched(folder)[1] == "Yes"


def test_the_email_is_saved_before_the_tracker_is_written(folder: Path) -> None:
    eml = folder / "locate.eml"
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--eml", str(eml),
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.index("Saved the e-mail") < result.stderr.index("Wrote 2 cell(s)")


def test_screenshot_names_match_as_every_other_name_does(folder: Path) -> None:
    """A macOS file name (NFD), a curly apostrophe, an accent: matched by the one name
    matcher, as the tracker, the Master and the self-reports are."""
    factories.tracker(
        folder / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Zoë O'Connor", "Citrix TBT Access": CL},
            {"Class": "AET-1", "Agent Name": "José Núñez", "Citrix TBT Access": CL},
        ],
        headers=HEADERS,
    )
    shots = folder / "shots"
    for old in shots.iterdir():
        old.unlink()
    for name in ("O\u2019Connor Zoe\u0308 course number.png", "Jose\u0301 Nu\u0301n\u0303ez.png"):
        (shots / name).write_bytes(b"\x89PNG " + name.encode())
    eml = folder / "locate.eml"
    result = run("report", "locate", "--screenshots", str(shots), "--eml", str(eml),
                 "-c", str(folder / "esp.toml"), "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    got = {
        c["agent"]: [Path(p).name for p in c["screenshots"]]
        for c in json.loads(result.stdout)["cases"]
    }
    assert got == {
        "Zoë O'Connor": ["O\u2019Connor Zoe\u0308 course number.png"],
        "José Núñez": ["Jose\u0301 Nu\u0301n\u0303ez.png"],
    }


def test_the_searched_column_esp_adds_is_said(folder: Path) -> None:
    """A tracker with no Searched by Course Number column: esp adds it and says so."""
    factories.tracker(
        folder / "ESP Tracker.xlsx",
        [{"Class": "AET-1", "Agent Name": "Brooks, Ethan", "Citrix TBT Access": CL}],
    )
    eml = folder / "locate.eml"
    result = run("report", "locate", "--screenshots", str(folder / "shots"), "--eml", str(eml),
                 "-c", str(folder / "esp.toml"))  # fmt: skip
    assert result.exit_code == 0, result.output
    col = openpyxl.utils.get_column_letter(len(factories.TRACKER_HEADERS) + 1)
    assert f"Added column ESP Tracker!{col} 'Searched by Course Number'." in result.stderr


def test_as_of_judges_searched_by_course_number_on_that_day(folder: Path) -> None:
    """The day of the search typed in Searched by Course Number: not searched yet on a day
    replayed before it (the cell kept, nothing said of a day after today), searched from it
    on; the e-mail is dated the day."""
    wb = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")
    ws = wb.active
    assert ws is not None and ws.cell(3, 2).value == "Brooks, Ethan"
    ws.cell(3, SEARCHED_COL).value = datetime(2026, 11, 20)
    wb.save(folder / "ESP Tracker.xlsx")
    config = str(folder / "esp.toml")
    shots = str(folder / "shots")

    def searched_before(day: str) -> dict[str, bool]:
        result = run("report", "locate", "--as-of", day, "--screenshots", shots, "--dry-run",
                     "-c", config, "-f", "json")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "after today" not in result.stderr, result.stderr
        # Ethan Brooks's search is recorded: no Yes goes over its day, whichever day.
        assert "(Ethan Brooks, Searched by Course Number)" not in result.stderr, result.stderr
        return {c["agent"]: c["searched_before"] for c in json.loads(result.stdout)["cases"]}

    assert searched_before("2026-11-19")["Ethan Brooks"] is False
    assert searched_before("2026-11-20")["Ethan Brooks"] is True
    assert searched_before("2026-11-24")["Ethan Brooks"] is True
    eml = folder / "locate.eml"
    result = run("report", "locate", "--as-of", "2026-11-19", "--screenshots", shots,
                 "--eml", str(eml), "-c", config)  # fmt: skip
    assert result.exit_code == 0, result.output
    msg = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert msg["Subject"] == "Cannot Locate TBT — Thu 11/19/2026"
    assert searched(folder) == [datetime(2026, 11, 20), "Yes", None, None, None]


def test_as_of_replays_the_cases_of_that_day(tmp_path: Path) -> None:
    """On a day replayed, an agent complete after it is still a case, and a course noted
    after it is not yet the course searched."""
    headers = (*HEADERS, *factories.headers("call_cert_date", "tbt_complete_date"))
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ethan Brooks", "Citrix TBT Access": CL,
             "TBT Notes": "Dana W - 11/18/2026 - Cannot find TBT 'Appeals'.\n"
                          "Dana W - 11/23/2026 - Cannot find TBT 'Grievances'.",
             "Call Cert Complete?": "Yes", "All TBTs Complete?": "Yes",
             headers[-2]: datetime(2026, 11, 17), headers[-1]: datetime(2026, 11, 23)},
        ],
        headers=headers,
    )  # fmt: skip
    (tmp_path / "esp.toml").write_text('[tracker]\npath = "ESP Tracker.xlsx"\n', "utf-8")
    config = str(tmp_path / "esp.toml")

    def cases(*args: str) -> list[Any]:
        result = run("report", "locate", "-n", "-c", config, "-f", "json", *args)
        assert result.exit_code == 0, result.output
        return [(c["agent"], c["course"]) for c in json.loads(result.stdout)["cases"]]

    assert cases() == []
    assert cases("--as-of", "2026-11-20") == [("Ethan Brooks", "Appeals")]
    assert cases("--as-of", "2026-11-23") == []


def test_json_says_the_day_of_its_cases(folder: Path, today: date) -> None:
    """A script reading the cases of a day replayed, or of today, is told which day."""
    config = str(folder / "esp.toml")

    def day(*args: str) -> str:
        result = run("report", "locate", "-n", "-c", config, "-f", "json", *args)
        assert result.exit_code == 0, result.output
        return str(json.loads(result.stdout)["as_of"])

    assert day("--as-of", "2026-11-19") == "2026-11-19"
    assert day() == today.isoformat()


def test_as_of_writes_no_yes_for_an_agent_no_longer_a_case_today(tmp_path: Path) -> None:
    """On a day replayed, an agent who was a case then but is none today (complete since,
    or her Citrix TBT Access changed since) is listed for that day with her screenshots, but
    Searched by Course Number is not set for her, and one line says so; a case still open
    today gets her Yes."""
    headers = (*HEADERS, *factories.headers("call_cert_date", "tbt_complete_date"))
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ethan Brooks", "Citrix TBT Access": CL,
             "Call Cert Complete?": "Yes", "All TBTs Complete?": "Yes",
             headers[-2]: datetime(2026, 11, 17), headers[-1]: datetime(2026, 11, 23)},
            {"Class": "AET-1", "Agent Name": "Amira Hassan", "Citrix TBT Access": CL},
            {"Class": "AET-2", "Agent Name": "Tamara Wells", "Citrix TBT Access": CL},
        ],
        headers=headers,
    )  # fmt: skip
    (tmp_path / "esp.toml").write_text('[tracker]\npath = "ESP Tracker.xlsx"\n', "utf-8")
    config = str(tmp_path / "esp.toml")
    shots = tmp_path / "shots"
    shots.mkdir()
    for name in ("Ethan Brooks.png", "Amira Hassan.png", "Tamara Wells.png"):
        (shots / name).write_bytes(b"\x89PNG " + name.encode())
    moved = run("access", "set", "Tamara Wells", "Password Reset", "--date", "2026-11-22",
                "--by", "Dana W", "-c", config)  # fmt: skip
    assert moved.exit_code == 0, moved.output
    result = run("report", "locate", "--as-of", "2026-11-20", "--screenshots", str(shots),
                 "-c", config, "-f", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    cases = {c["agent"]: len(c["screenshots"]) for c in json.loads(result.stdout)["cases"]}
    assert cases == {"Ethan Brooks": 1, "Amira Hassan": 1, "Tamara Wells": 1}
    ws = openpyxl.load_workbook(tmp_path / "ESP Tracker.xlsx").active
    assert ws is not None
    assert [ws.cell(r, SEARCHED_COL).value for r in range(3, 6)] == [None, "Yes", None]
    for agent in ("Ethan Brooks", "Tamara Wells"):
        (line,) = [x for x in result.stderr.splitlines() if f"({agent}, Searched" in x]
        assert "not set: a Cannot Locate TBT case on 11/20/2026, no longer one today" in line
    assert "(Amira Hassan, Searched by Course Number): — → Yes" in result.stderr, result.stderr
    assert result.stderr.count("no longer one today") == 2, result.stderr


def test_as_of_a_day_to_come_is_refused(folder: Path) -> None:
    result = run("report", "locate", "--as-of", "2999-01-04", "-c", str(folder / "esp.toml"))
    assert result.exit_code == 2, result.output
    assert "--as-of" in result.stderr and "still to come" in result.stderr, result.stderr
    assert searched(folder) == ["No", None, None, None, None]
