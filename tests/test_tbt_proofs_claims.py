"""esp tbt proofs: whose transcript a copy is when the same PDF comes in an agent's own
e-mail and in a colleague's (a name close to hers, her e-mail forwarded), and namesakes
in two classes told apart by the address they wrote from."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aspose.email_foss.msg import MapiMessage
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import factories
from tests.test_tbt_proofs_mail import AGENT_SENT, message, pdf, save

HEADERS = factories.headers(
    "class", "agent_name", "agent_id", "email", "tbts_complete", "tbt_complete_date"
)
KAYLA = ["AET-1", "Kayla Brooke", "E301", "kayla.brooke@vendorcx.com", "No", None]
REBECCA = ["AET-1", "Rebecca Stone", "E302", "rebecca.stone@vendorcx.com", "No", None]
DEVON = ["AET-2", "Devon Price", "E303", "devon.price@vendorcx.com", "No", None]
KAYLA_OWN = "Kayla Brooke <kayla.brooke@vendorcx.com>"
REBECCA_OWN = "Rebecca Stone <rebecca.stone@vendorcx.com>"
# Tue 11/24, 10:00 am in New York: the colleague's e-mail, the day after Kayla's.
COLLEAGUE_SENT = "Tue, 24 Nov 2026 15:00:00 +0000"


def tracker_of(tmp_path: Path, *agents: list[Any]) -> Path:
    rows = [dict(zip(HEADERS, a, strict=True)) for a in agents]
    return factories.tracker(tmp_path / "ESP Tracker.xlsx", rows, headers=HEADERS)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "esp.toml"
    path.write_text('[calendar]\ntimezone = "America/New_York"\n', encoding="utf-8")
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "proofs"
    folder.mkdir()
    return folder


def dry_run(tracker: Path, config: Path, inbox: Path) -> Any:
    res = CliRunner().invoke(app, [
        "tbt", "proofs", str(inbox), "--tracker", str(tracker), "--config", str(config),
        "--by", "Jordan Reyes", "-f", "json", "--dry-run",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def reasons(data: dict[str, Any]) -> dict[str | None, str]:
    """The refused copies' reasons, by the e-mail each came in."""
    return {r.get("from_email"): r["reason"] for r in data["rejected"]}


def forward(sender: str, of: str, *files: tuple[str, bytes], suffix: str = ".eml") -> Any:
    """`sender`'s Outlook Forward of an e-mail from `of` (the forwarded message in its
    text, under Outlook's separator), the PDF attached again."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Jordan Reyes <jordan.reyes@vendorcx.com>"
    msg["Subject"] = "FW: My TBT transcript"
    msg["Date"] = COLLEAGUE_SENT
    msg.set_content(
        "Jordan, passing this on.\n\n"
        "-----Original Message-----\n"
        f"From: {of}\n"
        "Sent: Monday, November 23, 2026 10:00 AM\n"
        "To: Jordan Reyes <jordan.reyes@vendorcx.com>\n"
        "Subject: My TBT transcript\n\n"
        "Hi Jordan, my transcript is attached.\n"
    )
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    if suffix == ".msg":
        return MapiMessage.from_email_message(msg).to_bytes()
    return msg


def save_any(inbox: Path, name: str, msg: Any) -> None:
    if isinstance(msg, bytes):
        (inbox / name).write_bytes(msg)
    else:
        save(inbox, name, msg)


# ------------------------------------------- a colleague's copy pointing to the same agent


@pytest.mark.parametrize(
    "copy",
    [
        "Kayla Brook TBT.pdf",  # a letter short of her surname
        "Kayla Brooek TBT.pdf",  # two letters swapped
    ],
)
def test_her_own_proof_is_hers_when_a_colleagues_copy_is_named_close_to_her(
    tmp_path: Path, config: Path, inbox: Path, copy: str
) -> None:
    """Kayla sent `Kayla Brooke TBT.pdf` from her own address; Rebecca's e-mail carries the
    same bytes named close to Kayla's name: the copy points to Kayla, so it is hers —
    recorded from her own e-mail, Rebecca's copy refused as the same file."""
    tracker = tracker_of(tmp_path, KAYLA, REBECCA, DEVON)
    same = pdf("Kayla Brooke")
    save(inbox, "A kayla.eml", message(KAYLA_OWN, ("Kayla Brooke TBT.pdf", same),
                                       date=AGENT_SENT))  # fmt: skip
    save(inbox, "B rebecca.eml", message(REBECCA_OWN, (copy, same), date=COLLEAGUE_SENT))
    data = dry_run(tracker, config, inbox)
    assert [(p["agent"], p["from_email"], p["received"]) for p in data["recorded"]] == [
        ("Kayla Brooke", "A kayla.eml", "2026-11-23")
    ], data
    assert reasons(data) == {
        "B rebecca.eml": "the same file as Kayla Brooke TBT.pdf (in A kayla.eml)"
    }, data


def test_her_own_email_from_a_personal_address_makes_a_close_copy_hers(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """Kayla's own e-mail from a personal address under her name is hers as her work
    address's is: Rebecca's `Kayla Brook TBT.pdf` of the same bytes is a copy of it."""
    tracker = tracker_of(tmp_path, KAYLA, REBECCA, DEVON)
    same = pdf("Kayla Brooke")
    personal = message("Kayla Brooke <kbrooke88@gmail.com>", ("Kayla Brooke TBT.pdf", same))
    save(inbox, "A kayla.eml", personal)
    save(inbox, "B rebecca.eml", message(REBECCA_OWN, ("Kayla Brook TBT.pdf", same),
                                         date=COLLEAGUE_SENT))  # fmt: skip
    data = dry_run(tracker, config, inbox)
    assert [(p["agent"], p["from_email"]) for p in data["recorded"]] == [
        ("Kayla Brooke", "A kayla.eml")
    ], data
    assert list(reasons(data)) == ["B rebecca.eml"], data


@pytest.mark.parametrize("suffix", [".eml", ".msg"])
def test_her_own_proof_is_hers_beside_a_colleagues_forward_naming_her_close(
    tmp_path: Path, config: Path, inbox: Path, suffix: str
) -> None:
    """Rebecca forwards Kayla's e-mail with the file named close to Kayla's whole name
    (`Kayla Brook TBT.pdf` for Kayla Brooke): the copy points to Kayla, so it is hers."""
    tracker = tracker_of(tmp_path, KAYLA, REBECCA, DEVON)
    same = pdf("Kayla Brooke")
    save(inbox, "A kayla.eml", message(KAYLA_OWN, ("Kayla Brooke TBT.pdf", same),
                                       date=AGENT_SENT))  # fmt: skip
    save_any(inbox, f"FW rebecca{suffix}", forward(REBECCA_OWN, KAYLA_OWN,
                                                   ("Kayla Brook TBT.pdf", same),
                                                   suffix=suffix))  # fmt: skip
    data = dry_run(tracker, config, inbox)
    assert [(p["agent"], p["from_email"]) for p in data["recorded"]] == [
        ("Kayla Brooke", "A kayla.eml")
    ], data
    assert reasons(data) == {
        f"FW rebecca{suffix}": "the same file as Kayla Brooke TBT.pdf (in A kayla.eml)"
    }, data


@pytest.mark.parametrize("suffix", [".eml", ".msg"])
@pytest.mark.parametrize("name", ["transcript.pdf", "Transcript.PDF"])
def test_a_colleagues_forward_of_an_agents_email_with_the_sites_file_name_is_disputed(
    tmp_path: Path, config: Path, inbox: Path, suffix: str, name: str
) -> None:
    """Kayla sent Rebecca's transcript as the training site named it (`transcript.pdf`);
    Rebecca forwards Kayla's e-mail with her own transcript, which the site named alike.
    An Outlook Forward keeps an attachment's name, but so does the site: nothing says whose
    it is, so both are refused, each naming the other, and nothing is recorded."""
    tracker = tracker_of(tmp_path, KAYLA, REBECCA, DEVON)
    same = pdf("Rebecca Stone")
    save(inbox, "A kayla.eml", message(KAYLA_OWN, ("transcript.pdf", same), date=AGENT_SENT))
    save_any(inbox, f"FW rebecca{suffix}", forward(REBECCA_OWN, KAYLA_OWN, (name, same),
                                                   suffix=suffix))  # fmt: skip
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [] and data["changes"] == [], data
    said = reasons(data)
    assert "whose transcript" in said["A kayla.eml"], said
    assert "whose transcript" in said[f"FW rebecca{suffix}"], said


@pytest.mark.parametrize("suffix", [".eml", ".msg"])
@pytest.mark.parametrize("copy", ["transcript.pdf", "Rebecca Stone TBT.pdf"])
def test_a_colleagues_own_file_attached_to_her_forward_of_an_agents_email_is_disputed(
    tmp_path: Path, config: Path, inbox: Path, suffix: str, copy: str
) -> None:
    """Kayla sent `Kayla Brooke TBT.pdf`, which is Rebecca's transcript she copied; Rebecca
    forwards Kayla's e-mail with her own transcript attached under another name ("Kayla
    sent you MY transcript. Mine is attached"). Nothing says the attachment was Kayla's:
    both are refused, each naming the other, and nothing is recorded."""
    tracker = tracker_of(tmp_path, KAYLA, REBECCA, DEVON)
    same = pdf("Rebecca Stone")
    save(inbox, "A kayla.eml", message(KAYLA_OWN, ("Kayla Brooke TBT.pdf", same),
                                       date=AGENT_SENT))  # fmt: skip
    save_any(inbox, f"FW rebecca{suffix}", forward(REBECCA_OWN, KAYLA_OWN, (copy, same),
                                                   suffix=suffix))  # fmt: skip
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [] and data["changes"] == [], data
    said = reasons(data)
    assert said["A kayla.eml"].startswith(
        f"the same file as Rebecca Stone's ({copy} in FW rebecca{suffix}): whose transcript"
    ), said
    assert said[f"FW rebecca{suffix}"].startswith(
        "the same file as Kayla Brooke's (Kayla Brooke TBT.pdf in A kayla.eml): whose"
    ), said


@pytest.mark.parametrize(
    ("colleague", "copy", "why"),
    [
        (REBECCA, "Rebecca Stone TBT.pdf", "named for the colleague"),
        (REBECCA, "transcript.pdf", "no name, no forward"),
        (REBECCA, "Rebecca TBT.pdf", "the colleague's first name"),
        (REBECCA, "Kayla TBT.pdf", "a first name alone points to no one"),
        (REBECCA, "kayla.pdf", "a first name alone points to no one"),
        # Kayla Brooks is as close to 'Kayla Brook' as Kayla Brooke is: it may be hers.
        (["AET-2", "Kayla Brooks", "E304", "kayla.brooks@vendorcx.com", "No", None],
         "Kayla Brook TBT.pdf", "close to the colleague too"),
        (["AET-2", "Kayla Moss", "E305", "kayla.moss@vendorcx.com", "No", None],
         "kayla.pdf", "a first name two agents have"),
    ],
)  # fmt: skip
def test_a_colleagues_copy_that_could_be_her_own_still_leaves_both_refused(
    tmp_path: Path, config: Path, inbox: Path, colleague: list[Any], copy: str, why: str
) -> None:
    """The same bytes in Kayla's own e-mail and in a colleague's, the colleague's copy named
    for herself, for no one, or for a name that fits her as well as Kayla: it could be the
    colleague's own transcript that Kayla copied, so neither is recorded."""
    tracker = tracker_of(tmp_path, KAYLA, colleague, DEVON)
    same = pdf("Kayla Brooke")
    save(inbox, "A kayla.eml", message(KAYLA_OWN, ("Kayla Brooke TBT.pdf", same),
                                       date=AGENT_SENT))  # fmt: skip
    sender = f"{colleague[1]} <{colleague[3]}>"
    save(inbox, "B colleague.eml", message(sender, (copy, same), date=COLLEAGUE_SENT))
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [], (why, data)
    said = reasons(data)
    assert said["A kayla.eml"].startswith(
        f"the same file as {colleague[1]}'s ({copy} in B colleague.eml): whose transcript is it?"
    ), (why, said)


@pytest.mark.parametrize("word", ["My", "my"])
def test_an_ordinary_word_in_a_colleagues_file_name_points_to_no_agent(
    tmp_path: Path, config: Path, inbox: Path, word: str
) -> None:
    """Agent My Nguyen sent `My Nguyen TBT.pdf`; Rebecca's own e-mail holds the same bytes
    as `My TBT.pdf`, a most ordinary name: 'My' is not My Nguyen, so both are refused."""
    my = ["AET-1", "My Nguyen", "E306", "my.nguyen@vendorcx.com", "No", None]
    tracker = tracker_of(tmp_path, my, REBECCA, DEVON)
    same = pdf("Rebecca Stone")
    save(inbox, "A my.eml", message("My Nguyen <my.nguyen@vendorcx.com>",
                                    ("My Nguyen TBT.pdf", same), date=AGENT_SENT))  # fmt: skip
    save(inbox, "B rebecca.eml", message(REBECCA_OWN, (f"{word} TBT.pdf", same),
                                         date=COLLEAGUE_SENT))  # fmt: skip
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [] and data["changes"] == [], data
    assert "whose transcript is it?" in reasons(data)["A my.eml"], data
    assert "whose transcript is it?" in reasons(data)["B rebecca.eml"], data


@pytest.mark.parametrize("quoted", [REBECCA_OWN, "Pat Sme <pat.sme@vendorcx.com>"])
def test_a_colleagues_forward_of_another_persons_email_leaves_both_refused(
    tmp_path: Path, config: Path, inbox: Path, quoted: str
) -> None:
    """Rebecca's forward of her own earlier e-mail (or of her SME's): the forwarded message
    is not Kayla's, so the file may be Rebecca's own — neither is recorded."""
    tracker = tracker_of(tmp_path, KAYLA, REBECCA, DEVON)
    same = pdf("Kayla Brooke")
    save(inbox, "A kayla.eml", message(KAYLA_OWN, ("Kayla Brooke TBT.pdf", same),
                                       date=AGENT_SENT))  # fmt: skip
    save(inbox, "FW rebecca.eml", forward(REBECCA_OWN, quoted, ("transcript.pdf", same)))
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [], data
    assert "whose transcript is it?" in reasons(data)["A kayla.eml"], data


def test_a_close_name_in_a_colleagues_email_with_no_copy_of_her_own_is_not_taken(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """Only the same bytes in Kayla's own e-mail make a close name hers: Rebecca's
    `Kayla Brook TBT.pdf` alone is refused for its name, as before."""
    tracker = tracker_of(tmp_path, KAYLA, REBECCA, DEVON)
    save(inbox, "B rebecca.eml", message(REBECCA_OWN, ("Kayla Brook TBT.pdf", pdf("K")),
                                         date=COLLEAGUE_SENT))  # fmt: skip
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [], data
    assert "matches no agent" in reasons(data)["B rebecca.eml"], data


# ------------------------------------------------------------- namesakes in two classes

KAYLA_1 = ["AET-1", "Kayla Brooks", "E401", "kayla.brooks@vendorcx.com", "No", None]
KAYLA_2 = ["AET-2", "Kayla Brooks", "E402", "kbrooks2@vendorcx.com", "No", None]


def namesakes(tmp_path: Path) -> Path:
    return tracker_of(tmp_path, KAYLA_1, DEVON, KAYLA_2)


@pytest.mark.parametrize("suffix", [".eml", ".msg"])
@pytest.mark.parametrize(("sender", "row"), [(KAYLA_1, 3), (KAYLA_2, 5)])
def test_a_namesakes_own_address_says_which_of_them_sent_her_proof(
    tmp_path: Path, config: Path, inbox: Path, sender: list[Any], row: int, suffix: str
) -> None:
    """Two agents named Kayla Brooks, in two classes: her e-mail from the address the
    tracker has for one of them is that one's proof."""
    tracker = namesakes(tmp_path)
    msg = message(f"Kayla Brooks <{sender[3]}>", ("Kayla Brooks TBT.pdf", pdf(sender[2])))
    save(inbox, f"mine{suffix}", msg)
    data = dry_run(tracker, config, inbox)
    assert [(p["agent"], p["class"], p["row"]) for p in data["recorded"]] == [
        ("Kayla Brooks", sender[0], row)
    ], data
    assert "sender_mismatch" not in data["recorded"][0]
    assert [c["cell"][1:] for c in data["changes"]] == [str(row)] * 2, data


@pytest.mark.parametrize(
    "sender",
    [
        "Kayla Brooks <kayla.b@gmail.com>",  # an address the tracker does not have
        "Devon Price <devon.price@vendorcx.com>",  # another agent's
        "Pat Sme <pat.sme@vendorcx.com>",  # her SME's
        None,  # a file saved in the folder
    ],
)
def test_a_namesakes_proof_from_no_address_of_hers_is_still_not_guessed(
    tmp_path: Path, config: Path, inbox: Path, sender: str | None
) -> None:
    tracker = namesakes(tmp_path)
    if sender is None:
        (inbox / "Kayla Brooks TBT.pdf").write_bytes(pdf("Kayla"))
    else:
        save(inbox, "mine.eml", message(sender, ("Kayla Brooks TBT.pdf", pdf("Kayla"))))
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [], data
    (refused,) = data["rejected"]
    assert refused["reason"].startswith("2 agents are named 'Kayla Brooks'"), refused


def _recorded(tracker: Path, *rows: list[Any]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "TBT Tracking"
    ws.append(["Agent", "Class", "File", "Received", "Recorded By", "SHA-256"])
    for row in rows:
        ws.append(row)
    wb.save(tracker.parent / "TBT Tracking Sheet.xlsx")


def test_a_file_recorded_for_one_namesake_is_not_the_others(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """The file is recorded for Kayla Brooks of AET-1; the same bytes come from the other
    Kayla Brooks's own address: not already hers — refused as the AET-1 Kayla's."""
    tracker = namesakes(tmp_path)
    same = pdf("Kayla one")
    _recorded(tracker, ["Kayla Brooks", "AET-1", "Kayla Brooks TBT.pdf", date(2026, 11, 20),
                        "Jo", hashlib.sha256(same).hexdigest()])  # fmt: skip
    save(inbox, "two.eml", message(f"Kayla Brooks <{KAYLA_2[3]}>", ("Kayla Brooks TBT.pdf", same)))
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [] and data["already_recorded"] == [], data
    (refused,) = data["rejected"]
    assert refused["reason"].startswith(
        "the same file was recorded for Kayla Brooks of class AET-1 on 11/20/2026: not Kayla "
        "Brooks's own proof"
    ), refused
    assert data["changes"] == []


def test_a_copy_of_a_disputed_recorded_file_that_names_no_agent_is_nobodys(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """The file is recorded for 'Kayla Brooks' with no Class (either namesake's), both send
    it, and Devon sends it too as `transcript.pdf` from his own address: his copy is refused
    as Kayla Brooks's file, naming no agent of its own (it is not Devon's proof)."""
    tracker = namesakes(tmp_path)
    same = pdf("Kayla one")
    _recorded(tracker, ["Kayla Brooks", "", "Kayla Brooks TBT.pdf", date(2026, 11, 20),
                        "Jo", hashlib.sha256(same).hexdigest()])  # fmt: skip
    save(inbox, "one.eml", message(f"Kayla Brooks <{KAYLA_1[3]}>", ("Kayla Brooks TBT.pdf", same)))
    save(inbox, "two.eml", message(f"Kayla Brooks <{KAYLA_2[3]}>", ("Kayla Brooks TBT.pdf", same)))
    save(inbox, "dev.eml", message(f"Devon Price <{DEVON[3]}>", ("transcript.pdf", same)))
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [], data
    (devon,) = [r for r in data["rejected"] if r["from_email"] == "dev.eml"]
    assert devon["reason"].startswith(
        "the same file was recorded for Kayla Brooks on 11/20/2026: not Devon Price's own proof"
    ), devon
    assert devon["fix"] == "ask Devon Price for it", devon
    assert not {"agent", "class", "sheet", "row"} & set(devon), devon


def test_a_hand_row_of_one_namesakes_class_is_not_the_others_proof(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """A row typed by hand for Kayla Brooks of AET-1 names `Kayla Brooks TBT.pdf`: the
    other Kayla Brooks's own file of that name is not already recorded."""
    tracker = namesakes(tmp_path)
    _recorded(tracker, ["Kayla Brooks", "AET-1", "Kayla Brooks TBT.pdf", date(2026, 11, 20),
                        "Jo", None])  # fmt: skip
    save(inbox, "two.eml", message(f"Kayla Brooks <{KAYLA_2[3]}>",
                                   ("Kayla Brooks TBT.pdf", pdf("Kayla two"))))  # fmt: skip
    data = dry_run(tracker, config, inbox)
    assert [(p["class"], p["row"]) for p in data["recorded"]] == [("AET-2", 5)], data
    assert data["already_recorded"] == [], data
    save(inbox, "one.eml", message(f"Kayla Brooks <{KAYLA_1[3]}>",
                                   ("Kayla Brooks TBT.pdf", pdf("Kayla two"))))  # fmt: skip
    (inbox / "two.eml").unlink()
    data = dry_run(tracker, config, inbox)
    assert [(p["class"], p["row"]) for p in data["already_recorded"]] == [("AET-1", 3)], data


def run(tracker: Path, config: Path, inbox: Path, *args: str) -> Any:
    res = CliRunner().invoke(app, [
        "tbt", "proofs", str(inbox), "--tracker", str(tracker), "--config", str(config),
        "--by", "Jordan Reyes", "-f", "json", *args,
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("kept", ["saved", "moved"])
def test_a_namesakes_proof_esp_saved_is_already_recorded_on_the_next_run(
    tmp_path: Path, config: Path, inbox: Path, kept: str
) -> None:
    """The AET-2 Kayla Brooks's e-mail is recorded, and esp saves its PDF into the folder.
    On the next run the saved `Kayla Brooks TBT.pdf` (no e-mail beside it, or its e-mail
    still there) is the file recorded for her by its SHA-256: already recorded, never
    refused as a namesake's to record by hand."""
    tracker = namesakes(tmp_path)
    save(inbox, "two.eml", message(f"Kayla Brooks <{KAYLA_2[3]}>",
                                   ("Kayla Brooks TBT.pdf", pdf("Kayla two"))))  # fmt: skip
    first = run(tracker, config, inbox)
    assert [(p["class"], p["row"]) for p in first["recorded"]] == [("AET-2", 5)], first
    assert (inbox / "Kayla Brooks TBT.pdf").exists()
    if kept == "moved":
        (inbox / "two.eml").unlink()
    data = dry_run(tracker, config, inbox)
    assert data["rejected"] == [], data
    assert data["recorded"] == [], data
    assert {(p["class"], p["row"]) for p in data["already_recorded"]} == {("AET-2", 5)}, data


@pytest.mark.parametrize("kept", ["saved", "moved"])
def test_a_namesakes_copy_of_the_file_esp_saved_for_the_other_is_refused_naming_her_mail(
    tmp_path: Path, config: Path, inbox: Path, kept: str
) -> None:
    """The AET-1 Kayla Brooks's e-mail is recorded, and esp saves its PDF into the folder.
    Then the AET-2 Kayla Brooks sends the same file from her own address: not hers. Her
    e-mail is named, refused as her namesake's file (recorded for Kayla Brooks of class
    AET-1), so the team asks her for her own; she stays No, and the AET-1 Kayla's own
    e-mail is no copy to refuse."""
    tracker = namesakes(tmp_path)
    same = pdf("Kayla one")
    save(inbox, "one.eml", message(f"Kayla Brooks <{KAYLA_1[3]}>", ("Kayla Brooks TBT.pdf", same)))
    first = run(tracker, config, inbox)
    assert [(p["class"], p["row"]) for p in first["recorded"]] == [("AET-1", 3)], first
    assert (inbox / "Kayla Brooks TBT.pdf").read_bytes() == same
    if kept == "moved":
        (inbox / "one.eml").unlink()
    save(inbox, "two.eml", message(f"Kayla Brooks <{KAYLA_2[3]}>", ("Kayla Brooks TBT.pdf", same)))
    data = dry_run(tracker, config, inbox)
    assert data["recorded"] == [], data
    assert [(p["class"], p["row"]) for p in data["already_recorded"]] == [("AET-1", 3)], data
    (refused,) = data["rejected"]
    assert refused["from_email"] == "two.eml", refused
    assert refused["reason"].startswith(
        "the same file was recorded for Kayla Brooks of class AET-1"
    ), refused
    assert refused["fix"] == "ask Kayla Brooks of class AET-2 for it", refused
    # Whose proof is held back: the AET-2 Kayla Brooks's, her e-mail's.
    assert (refused["agent"], refused["class"], refused["row"]) == ("Kayla Brooks", "AET-2", 5)
    assert all(c["cell"][1:] != "5" for c in data["changes"]), data


def test_a_namesakes_email_is_recorded_beside_her_file_saved_before_it_was(
    tmp_path: Path, config: Path, inbox: Path
) -> None:
    """The AET-2 Kayla Brooks's e-mail, from her own address, with its PDF already saved in
    the folder (by hand from Outlook, or a run stopped before it recorded): the folder's
    file alone cannot say which Kayla it is, her e-mail does — it is recorded for her, and
    the file in the folder is no other proof to refuse."""
    tracker = namesakes(tmp_path)
    data = pdf("Kayla two")
    save(inbox, "two.eml", message(f"Kayla Brooks <{KAYLA_2[3]}>", ("Kayla Brooks TBT.pdf", data)))
    (inbox / "Kayla Brooks TBT.pdf").write_bytes(data)
    found = dry_run(tracker, config, inbox)
    assert [(p["class"], p["row"], p.get("from_email")) for p in found["recorded"]] == [
        ("AET-2", 5, "two.eml")
    ], found
    assert found["rejected"] == [], found
    first = run(tracker, config, inbox)
    assert [(p["class"], p["row"]) for p in first["recorded"]] == [("AET-2", 5)], first
    again = dry_run(tracker, config, inbox)
    assert again["recorded"] == [] and again["rejected"] == [], again
