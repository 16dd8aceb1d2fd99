"""What an agent wrote, and only that: a greeting on the report's own line, a sign-off and an
Outlook signature without `-- `, quoted messages from Outlook set to other languages,
messages no agent wrote (receipts, recalls, replies in other languages), senders as
Exchange and old mailers write them, signed messages, and dates in UTC."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aspose.email_foss.msg import MapiMessage

from esp_cli.mail.inbox import read_mail
from esp_cli.mail.msgfile import parse_msg
from esp_cli.mail.selfreports import NotAReport, UnreadableMail, clean_body
from tests import factories
from tests.test_msgfile import make_msg
from tests.test_self_reports import AGENTS, eml, import_json, notes, run

EASTERN = ZoneInfo("America/New_York")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    factories.tracker(tmp_path / "ESP Tracker.xlsx", AGENTS)
    path = tmp_path / "esp.toml"
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n[calendar]\ntimezone = "America/New_York"\n',
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------- a greeting on the line


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Hi Jordan, 7 of 8 TBTs done", "7 of 8 TBTs done"),
        ("Good morning, Call Cert passed", "Call Cert passed"),
        ("Hello, Citrix still down\nWill call SPOC", "Citrix still down Will call SPOC"),
        ("Dear Jordan, module 4 done today\n\nSent from my iPhone", "module 4 done today"),
        ("Hey team! Module 2 done.", "Module 2 done."),
        ("Good afternoon Jordan Reyes,\nModule 2 done.", "Module 2 done."),
        ("Hi Jordan,\n\nDid 3 TBTs.", "Did 3 TBTs."),
        ("Hi,\nDid 3 TBTs.", "Did 3 TBTs."),
        # Nothing a person could have meant as the report is taken for a greeting.
        ("Hi Jordan I finished modules, 3 left", "Hi Jordan I finished modules, 3 left"),
        ("Hello world module is done", "Hello world module is done"),
        ("Highlights: 3 TBTs done", "Highlights: 3 TBTs done"),
        # A sign-off above the report is not a signature: what follows is no name.
        ("Thanks!\nCitrix still down", "Thanks! Citrix still down"),
        ("Thank you\nCall Cert booked for Friday", "Thank you Call Cert booked for Friday"),
        # Her whole name alone above her words is a heading: the note names her already.
        ("Celeste Moreau\nStill blocked, new ticket INC-55", "Still blocked, new ticket INC-55"),
        ("Hi Jordan,\n\nMoreau, Celeste\n\nModule 2 done.", "Module 2 done."),
        ("Celeste Moreau finished module 2", "Celeste Moreau finished module 2"),
    ],
)
def test_a_greeting_takes_no_report_words(body: str, text: str) -> None:
    assert clean_body(body, "Celeste Moreau") == text


def test_a_one_line_report_after_a_greeting_is_the_note_not_the_subject(
    tmp_path: Path, config: Path
) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(eml("Hi Jordan, 7 of 8 TBTs done"))
    data = import_json(config, path)
    assert [i["note"] for i in data["imported"]] == ["11/24/2026 - Devon Price - 7 of 8 TBTs done"]


def test_a_msg_with_a_greeting_on_the_line_keeps_the_report(tmp_path: Path) -> None:
    path = make_msg(tmp_path / "a.msg", "Good morning, Call Cert passed")
    assert parse_msg(path.read_bytes(), "a.msg", EASTERN).text == "Call Cert passed"


# ---------------------------------------------------------------------- sign-offs


@pytest.mark.parametrize(
    ("body", "sender", "text"),
    [
        (
            "Hi Jordan,\n\n2 more TBTs done.\n\nThank you,\nRebecca Stone\n"
            "Customer Care Agent | AET-1109\nVendorCX | (614) 555-0145\n"
            "rebecca.stone@vendorcx.com\n",
            "Rebecca Stone",
            "2 more TBTs done.",
        ),
        ("Module 3 done.\nKind regards, Noah Fischer", "Noah Fischer", "Module 3 done."),
        ("Module 3 done.\nKind regards, Noah", "Noah Fischer", "Module 3 done."),
        ("Module 3 done.\nThanks,\nDev", "Devon Price", "Module 3 done."),
        ("Module 3 done.\n\nBest regards,\nXavier", "Xavier Dunn", "Module 3 done."),
        ("Module 3 done.\nThanks, Rebecca", "", "Module 3 done."),
        # A signature of a sender whose display name says nothing: the name, then its lines.
        (
            "Done.\nRegards,\nSam Lee\nTrainee | AET-1\n(555) 555-0100",
            "",
            "Done.",
        ),
        # A long disclaimer under the sender's own name is the signature too.
        (
            "Done.\nThank you,\nRebecca Stone\nCONFIDENTIALITY NOTICE: This e-mail and any "
            "attachments are for the sole use of the intended recipient.",
            "Rebecca Stone",
            "Done.",
        ),
        # A P.S. under the signature is the agent's own words.
        (
            "Done.\nThanks,\nRebecca\n\nPS: module 5 done too",
            "Rebecca Stone",
            "Done. PS: module 5 done too",
        ),
        ("Modul 5 fertig.\nViele Grüße\nAmira", "Amira Hassan", "Modul 5 fertig."),
        ("Terminé 2 TBTs.\nSaludos,\nMarcus", "Marcus Lee", "Terminé 2 TBTs."),
        # Report words under a sign-off are kept.
        ("Thanks for the reset, module 2 done", "Sam Lee", "Thanks for the reset, module 2 done"),
        (
            "Module 2 done.\nThanks,\nstill waiting on the Citrix token",
            "Sam Lee",
            "Module 2 done. Thanks, still waiting on the Citrix token",
        ),
    ],
)
def test_a_sign_off_and_the_signature_under_it_are_cut(body: str, sender: str, text: str) -> None:
    assert clean_body(body, sender) == text


# ---------------------------------------------------- quoted messages in other languages

QUOTED_BLOCKS = [
    "De: Jordan Reyes <jordan.reyes@vendorcx.com>\nEnviado: lunes, 23 de noviembre de 2026 "
    "17:01\nPara: ESP Team <esp@vendorcx.com>\nAsunto: ESP daily progress\n\nTeam, please send.",
    "Von: Jordan Reyes <jordan.reyes@vendorcx.com>\nGesendet: Montag, 23. November 2026 17:01\n"
    "An: ESP Team\nBetreff: ESP daily progress\n\nTeam, please send.",
    "De : Jordan Reyes <jordan.reyes@vendorcx.com>\nEnvoyé : lundi 23 novembre 2026 17:01\n"
    "À : ESP Team\nObjet : ESP daily progress\n\nTeam, please send.",
    "De\u00a0: Jordan Reyes\nEnvoyé\u00a0: lundi 23 novembre 2026 17:01\nObjet\u00a0: ESP\n\nSend.",
    "De: Jordan Reyes <jordan.reyes@vendorcx.com>\nEnviada em: segunda-feira, 23 de novembro "
    "de 2026 17:01\nPara: ESP Team\nAssunto: ESP daily progress\n\nTeam, please send.",
    "Da: Jordan Reyes <jordan.reyes@vendorcx.com>\nInviato: lunedì 23 novembre 2026 17:01\n"
    "A: ESP Team\nOggetto: ESP daily progress\n\nTeam, please send.",
    "Van: Jordan Reyes <jordan.reyes@vendorcx.com>\nVerzonden: maandag 23 november 2026 17:01\n"
    "Aan: ESP Team\nOnderwerp: ESP daily progress\n\nTeam, please send.",
    "El lun, 23 nov 2026 a las 17:01, Jordan Reyes (<jordan.reyes@vendorcx.com>) escribió:\n"
    "> Team, please send.",
    "Le lun. 23 nov. 2026 à 17:01, Jordan Reyes <jordan.reyes@vendorcx.com> a écrit :\n"
    "Team, please send.",
    "Am Mo., 23. Nov. 2026 um 17:01 Uhr schrieb Jordan Reyes <jordan.reyes@vendorcx.com>:\n"
    "Team, please send.",
    "Em seg., 23 de nov. de 2026 às 17:01, Jordan Reyes <jordan.reyes@vendorcx.com> escreveu:\n"
    "Team, please send.",
    "Il giorno lun 23 nov 2026 alle ore 17:01 Jordan Reyes <jordan.reyes@vendorcx.com> ha "
    "scritto:\nTeam, please send.",
    "Op ma 23 nov. 2026 om 17:01 schreef Jordan Reyes <jordan.reyes@vendorcx.com>:\n"
    "Team, please send.",
]


@pytest.mark.parametrize("quoted", QUOTED_BLOCKS)
def test_a_quoted_message_in_another_language_is_cut(quoted: str) -> None:
    assert clean_body(f"Terminé 2 TBTs hoy.\n\n{quoted}\n", "Marcus Lee") == "Terminé 2 TBTs hoy."


def test_the_words_of_a_header_in_the_agents_own_text_are_kept() -> None:
    body = "De: mi parte, todo listo.\nPara: mañana el módulo 5.\nVon: heute an alles gut."
    assert clean_body(body) == " ".join(body.split())


@pytest.mark.parametrize(
    ("body", "text"),
    [
        # "From:" starting the agent's own sentence, no header after it.
        (
            "Hi Jordan,\nFrom: the Learning Hub I get error 403 on the Privacy module, so 5 of 8 "
            "done.\nSPOC ticket INC0012345.\nThanks,\nMarcus",
            "From: the Learning Hub I get error 403 on the Privacy module, so 5 of 8 done. SPOC "
            "ticket INC0012345.",
        ),
        ("From: home today\nModule 4 done.", "From: home today Module 4 done."),
        # A line of underscores between the agent's own lines, no quoted message under it.
        (
            "Modules done today:\n- HIPAA\n- Privacy\n_______________\nStill blocked on 3 modules: "
            "Citrix apps missing, SPOC ticket INC0099.",
            "Modules done today: - HIPAA - Privacy Still blocked on 3 modules: Citrix apps "
            "missing, SPOC ticket INC0099.",
        ),
        # Outlook's own separator and header block: the quoted message is cut.
        (
            "Module 6 done.\n\n________________________________\nFrom: Jordan Reyes "
            "<jordan.reyes@x.com>\nSent: Tuesday, November 24, 2026 5:00 PM\nTo: ESP Team\n"
            "Subject: ESP progress\n\nPlease send me your progress.",
            "Module 6 done.",
        ),
        (
            "Module 6 done.\nFrom: Jordan Reyes\nTo: ESP Team\nSubject: ESP\n\nPlease report.",
            "Module 6 done.",
        ),
        (
            "Module 6 done.\n\nFrom: Reyes, Jordan\nSent: Tuesday, November 24, 2026 5:00 PM\n"
            "Subject: ESP\n\nPlease report.",
            "Module 6 done.",
        ),
    ],
)
def test_a_from_line_or_a_rule_cuts_only_above_a_quoted_header(body: str, text: str) -> None:
    assert clean_body(body, "Marcus Lee") == text


RULE = "_" * 32
FOREIGN_QUOTES = {
    "vi": "Từ: Jordan Reyes <jordan.reyes@vendorcx.com>\nĐã gửi: 24 tháng 11 2026 17:00\n"
    "Đến: Team AET-1109\nChủ đề: ESP",
    "ru": "От: Jordan Reyes <jordan.reyes@vendorcx.com>\nОтправлено: 24 ноября 2026 г. 17:00\n"
    "Кому: Team\nТема: ESP",
    "ja": "差出人: Jordan Reyes <jordan.reyes@vendorcx.com>\n送信日時: 2026年11月24日 17:00\n"
    "宛先: Team\n件名: ESP",
    "zh": "发件人: Jordan Reyes\n发送时间: 2026年11月24日 17:00\n收件人: Team\n主题: ESP",
    "zh-wide": "发件人：Jordan Reyes\n发送时间：2026年11月24日 17:00\n主题：ESP",
    "tr": "Kimden: Jordan Reyes <jordan.reyes@vendorcx.com>\nGönderildi: 24 Kasım 2026 17:00\n"
    "Kime: Team\nKonu: ESP",
    "fi": "Lähettäjä: Jordan Reyes\nLähetetty: tiistai 24. marraskuuta 2026 17.00\n"
    "Vastaanottaja: Team\nAihe: ESP",
}


@pytest.mark.parametrize("block", FOREIGN_QUOTES.values(), ids=FOREIGN_QUOTES.keys())
def test_outlooks_rule_ends_the_text_above_a_header_block_in_any_language(block: str) -> None:
    body = f"Xong 5/8.\n\n{RULE}\n{block}\n\nPlease send your ESP progress before you log off."
    assert clean_body(body, "Nina Petrova") == "Xong 5/8."


@pytest.mark.parametrize(
    ("body", "text"),
    [
        # A memo: the agent's own To/From/Date lines above the report.
        (
            "To: Jordan Reyes\nFrom: Marcus Lee\nDate: 11/24/2026\nRe: ESP progress\n\n"
            "Completed: HIPAA, Privacy, FWA (5 of 8).\nBlocked: Citrix error 403, SPOC INC0012345.",
            "To: Jordan Reyes From: Marcus Lee Date: 11/24/2026 Re: ESP progress Completed: HIPAA, "
            "Privacy, FWA (5 of 8). Blocked: Citrix error 403, SPOC INC0012345.",
        ),
        (
            "From: Marcus Lee\nTo: Jordan Reyes\nDate: 11/24/2026\n\nCompleted: 5 of 8.",
            "From: Marcus Lee To: Jordan Reyes Date: 11/24/2026 Completed: 5 of 8.",
        ),
        # The coordinator's template, filled in.
        (
            "From: home (VPN)\nDate: 11/24\nModules: 5 of 8\nBlocked: Privacy module, SPOC "
            "INC0099\nThanks,\nMarcus",
            "From: home (VPN) Date: 11/24 Modules: 5 of 8 Blocked: Privacy module, SPOC INC0099",
        ),
        (
            "Hi Jordan,\nFrom: home (VPN)\nDate: 11/24\nModules: 5 of 8\nThanks,\nMarcus",
            "From: home (VPN) Date: 11/24 Modules: 5 of 8",
        ),
        # A memo with the time it was written, From the sender.
        (
            "From: Marcus Lee\nTo: Jordan Reyes\nDate: 11/24/2026 5:00 PM\n\nCompleted: 5 of 8.",
            "From: Marcus Lee To: Jordan Reyes Date: 11/24/2026 5:00 PM Completed: 5 of 8.",
        ),
        ("From: me\nTo: you\nI finished 5 of 8 modules today.",
         "From: me To: you I finished 5 of 8 modules today."),
        (
            "Update\nFrom: Marcus Lee\nTo: Jordan Reyes\nDone: HIPAA, Privacy, FWA\nLeft: 3",
            "Update From: Marcus Lee To: Jordan Reyes Done: HIPAA, Privacy, FWA Left: 3",
        ),
        # A rule above the agent's own "Word: value" lines.
        (
            f"ESP status\n{RULE}\nCompleted: HIPAA\nBlocked: Privacy, SPOC INC0099",
            "ESP status Completed: HIPAA Blocked: Privacy, SPOC INC0099",
        ),
        (
            "Done 5.\n__________\nFrom: the Learning Hub\nDate: 11/24 I saw the 403 again\n"
            "SPOC INC0012",
            "Done 5. From: the Learning Hub Date: 11/24 I saw the 403 again SPOC INC0012",
        ),
        # "wrote:" in the agent's own sentence: no time, no address.
        ("On 11/23 the SPOC tech wrote:\nreinstall Citrix, which I did. Now 6 of 8.",
         "On 11/23 the SPOC tech wrote: reinstall Citrix, which I did. Now 6 of 8."),
        # A bare "--" between the agent's own lines is a divider, not a signature.
        (
            "Modules done:\n--\nHIPAA\nPrivacy\n--\nStill blocked on 3: Citrix apps missing, "
            "SPOC ticket INC0077.",
            "Modules done: HIPAA Privacy Still blocked on 3: Citrix apps missing, SPOC ticket "
            "INC0077.",
        ),
        # ...and the signature under it when the sender's name or a signature's lines follow.
        ("Module 3 done.\n--\nMarcus Lee\nCustomer Care Agent", "Module 3 done."),
        ("Module 3 done.\n--\nVendorCX | AET-1109\n(614) 555-0145", "Module 3 done."),
        ("Module 3 done.\n--", "Module 3 done."),
        ("Module 3 done.\n-- \nAnything at all", "Module 3 done."),
    ],
)  # fmt: skip
def test_the_agents_own_header_like_lines_are_kept(body: str, text: str) -> None:
    assert clean_body(body, "Marcus Lee") == text


def test_a_quote_told_only_by_its_header_words_is_left_out_and_said(
    tmp_path: Path, config: Path
) -> None:
    """A header block with no address, no time and no rule above it is most likely a quoted
    message: left out, and said, with the line it starts at."""
    body = "Module 6 done.\nFrom: Jordan Reyes\nTo: ESP Team\nSubject: ESP\n\nPlease report."
    report = read_mail(eml(body), "a.eml")
    assert report.text == "Module 6 done."
    assert "'From: Jordan Reyes'" in report.warning and "left out" in report.warning
    # A quote an address or a time marks is left out without a word.
    sure = body.replace("From: Jordan Reyes", "From: Jordan Reyes <jordan.reyes@x.com>")
    assert read_mail(eml(sure), "a.eml").warning == ""


def test_a_reply_with_no_words_of_its_own_is_not_given_the_coordinators_subject(
    tmp_path: Path, config: Path
) -> None:
    quoted = (
        "________________________________\nFrom: Jordan Reyes <jordan.reyes@x.com>\n"
        "Sent: Tuesday, November 24, 2026 5:00 PM\nSubject: Please send your ESP progress\n\n"
        "Please send your ESP progress before you log off."
    )
    reply = eml(quoted, subject="RE: Please send your ESP progress before you log off")
    assert read_mail(reply, "a.eml").text == ""
    path = tmp_path / "reply.eml"
    path.write_bytes(reply)
    data = import_json(config, path)
    assert [i["note"] for i in data["imported"]] == [
        "11/24/2026 - Devon Price - Self-report (no details given)"
    ]
    # An agent's own subject still stands in for an empty text.
    assert read_mail(eml("", subject="All 8 TBTs done"), "b.eml").text == "All 8 TBTs done"


@pytest.mark.parametrize(
    "subject",
    [
        "RES: Please send your ESP progress",  # Outlook in Portuguese (Brazil)
        "R: Please send your ESP progress",  # Italian
        "RIF: Please send your ESP progress",
        "YNT: Please send your ESP progress",  # Turkish
        "VS: Please send your ESP progress",  # Finnish
        "回复: Please send your ESP progress",  # Chinese
        "答复：Please send your ESP progress",
        "Fwd: RE: Please send your ESP progress",  # a reply forwarded
        "FW: AW: Please send your ESP progress",
        "Re[2]: Please send your ESP progress",
    ],
)
def test_a_reply_in_any_language_is_not_given_the_coordinators_subject(subject: str) -> None:
    quoted = (
        "________________________________\nDe: Jordan Reyes <jordan.reyes@x.com>\n"
        "Enviado: terça-feira, 24 de novembro de 2026 17:00\nAssunto: ESP\n\nTeam, please send."
    )
    assert read_mail(eml(quoted, subject=subject), "a.eml").text == ""


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("FW: All 8 TBTs done", "All 8 TBTs done"),
        ("ENC: All 8 TBTs done", "All 8 TBTs done"),  # a forward, in Portuguese
        ("Re: 7 of 8", ""),
        ("Results: 7 of 8 done", "Results: 7 of 8 done"),
        ("Rest: module 8 tomorrow", "Rest: module 8 tomorrow"),
    ],
)
def test_an_agents_own_subject_stands_in_for_an_empty_text(subject: str, text: str) -> None:
    assert read_mail(eml("", subject=subject), "a.eml").text == text


def test_a_spanish_msg_reply_keeps_only_the_agents_words(tmp_path: Path) -> None:
    body = (
        "Terminé 2 TBTs hoy.\r\n\r\nDe: Jordan Reyes <jordan.reyes@vendorcx.com>\r\nEnviado: "
        "lunes, 23 de noviembre de 2026 17:01\r\nPara: ESP Team\r\nAsunto: ESP\r\n\r\nSend."
    )
    path = make_msg(tmp_path / "a.msg", body)
    assert parse_msg(path.read_bytes(), "a.msg", EASTERN).text == "Terminé 2 TBTs hoy."


# ------------------------------------------------------------ messages no agent wrote


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("Automatisch antwoord: ESP progress", "automatic reply"),
        ("Automatiskt svar: ESP progress", "automatic reply"),
        ("Odpowiedź automatyczna: ESP progress", "automatic reply"),
        ("Out of Office", "automatic reply"),
        ("out of office reply", "automatic reply"),
        ("Read: ESP daily progress", "read receipt"),
        ("Not read: ESP daily progress", "read receipt"),
        ("Gelesen: ESP daily progress", "read receipt"),
        ("Leído: ESP daily progress", "read receipt"),
        ("Recall: ESP progress", "recalled message"),
        ("Undeliverable: ESP progress", "delivery report"),
        ("Undelivered Mail Returned to Sender", "delivery report"),
        ("Delivery Status Notification (Failure)", "delivery report"),
        ("Mail delivery failed: returning message to sender", "delivery report"),
        ("Accepted: Call Cert", "meeting request"),
        ("Declined: Coaching", "meeting request"),
        ("Tentative: Coaching", "meeting request"),
        ("New Time Proposed: Coaching", "meeting request"),
    ],
)
def test_a_message_no_agent_wrote_is_skipped_by_its_subject(subject: str, kind: str) -> None:
    with pytest.raises(NotAReport) as caught:
        read_mail(eml("I am out of the office until Monday.", subject=subject), "a.eml")
    assert caught.value.kind == kind


@pytest.mark.parametrize(
    "subject",
    ["Out of office tomorrow, module 3 done", "Read the HIPAA module", "Accepted the N Number"],
)
def test_an_agents_subject_that_starts_like_one_is_a_report(subject: str) -> None:
    assert read_mail(eml("Module 3 done.", subject=subject), "a.eml").text == "Module 3 done."


def test_an_outlook_recall_msg_is_skipped(tmp_path: Path) -> None:
    path = make_msg(tmp_path / "a.msg", "Devon Price would like to recall the message.",
                    message_class="IPM.Outlook.Recall")  # fmt: skip
    with pytest.raises(NotAReport) as caught:
        parse_msg(path.read_bytes(), "a.msg", EASTERN)
    assert caught.value.kind == "recalled message"


def test_a_recall_and_a_read_receipt_in_a_folder_are_listed_as_skipped(
    tmp_path: Path, config: Path
) -> None:
    folder = tmp_path / "mails"
    folder.mkdir()
    (folder / "recall.eml").write_bytes(eml("recall", subject="Recall: ESP progress"))
    (folder / "read.eml").write_bytes(eml("Your message was read.", subject="Read: ESP"))
    data = import_json(config, folder)
    assert {f["status"] for f in data["files"]} == {"skipped"}
    assert data["added"] == 0


# ---------------------------------------------------------------------------- senders


def test_an_unquoted_last_first_sender_is_one_name_and_one_address() -> None:
    report = read_mail(eml("Done.", sender="Brooks, Kayla <kayla.brooks@x.com>"), "a.eml")
    assert (report.name, report.email) == ("Brooks, Kayla", "kayla.brooks@x.com")


def test_latin_1_labelled_text_is_read_as_windows_1252() -> None:
    mail = (
        eml(
            "Module 2 done \x96 Citrix\x92s fine.",
            sender="=?iso-8859-1?Q?Brian_O=92Connor?= <bocon77@gmail.com>",
            content_type='text/plain; charset="iso-8859-1"',
        )
        .replace("\x96".encode(), b"\x96")
        .replace("\x92".encode(), b"\x92")
    )
    report = read_mail(mail, "a.eml")
    assert report.name == "Brian O’Connor"
    assert report.text == "Module 2 done – Citrix’s fine."


@pytest.mark.parametrize(
    ("sender", "agent"),
    [
        ("=?iso-8859-1?Q?Brian_O=92Connor?= <bocon77@gmail.com>", "Brian O'Connor"),
        ('"Price, Devon (VendorCX)" <dp@outlook.com>', "Devon Price"),
        ("Sam Lee [VendorCX] <sl@outlook.com>", "Sam Lee"),
        ("Price, Devon <dp@outlook.com>", "Devon Price"),
    ],
)
def test_such_senders_find_their_agent_by_name(
    tmp_path: Path, config: Path, sender: str, agent: str
) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(eml("Module 2 done.", sender=sender))
    data = import_json(config, path)
    assert [(i["agent"], i["matched_by"]) for i in data["imported"]] == [(agent, "name")]


# -------------------------------------------------------------------------- the day


@pytest.mark.parametrize(
    ("date", "day"),
    [
        ("Wed, 25 Nov 2026 03:30:00 -0000", "11/24/2026"),  # RFC 5322: UTC, zone unknown
        ("Wed, 25 Nov 2026 03:30:00 +0000", "11/24/2026"),
        ("Wed, 25 Nov 2026 03:30:00 GMT", "11/24/2026"),
    ],
)
def test_a_utc_date_header_is_the_teams_day(date: str, day: str) -> None:
    mail = eml("Done.").replace(b"Tue, 24 Nov 2026 17:30:00 -0500", date.encode())
    assert f"{read_mail(mail, 'a.eml', EASTERN).day:%m/%d/%Y}" == day


# -------------------------------------------------------------------- signed messages

SIGNED = (
    "--s1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nModule 7 done; Call Cert booked."
    "\r\n--s1\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--s1--"
)


def test_a_signed_message_is_read() -> None:
    mail = eml(
        SIGNED,
        content_type='multipart/signed; protocol="application/pkcs7-signature"; '
        'micalg=sha-256; boundary="s1"',
    )
    assert read_mail(mail, "a.eml").text == "Module 7 done; Call Cert booked."


@pytest.mark.parametrize(
    "content_type",
    [
        'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
        'application/x-pkcs7-mime; name="smime.p7m"',
        'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="e1"',
    ],
)
def test_an_encrypted_message_is_refused_as_encrypted(content_type: str) -> None:
    with pytest.raises(UnreadableMail) as caught:
        read_mail(eml("MIAGCSqGSIb3DQEHA6CAMIACAQAx", content_type=content_type), "a.eml")
    assert caught.value.kind == "encrypted or signed"
    assert "encrypted" in str(caught.value)
    assert "signing" not in str(caught.value)


def test_a_signed_msg_with_its_text_is_read(tmp_path: Path) -> None:
    path = make_msg(tmp_path / "a.msg", message_class="IPM.Note.SMIME.MultipartSigned")
    assert parse_msg(path.read_bytes(), "a.msg", EASTERN).text == "Did 2 TBTs today."


def test_a_signed_msg_whose_text_is_in_its_mime_attachment_is_read(tmp_path: Path) -> None:
    path = make_msg(tmp_path / "a.msg", body=None, message_class="IPM.Note.SMIME.MultipartSigned")
    msg = MapiMessage.from_file(path)
    mime = (
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        f'boundary="s1"\r\n\r\n{SIGNED}\r\n'
    ).encode()
    msg.add_attachment("smime.p7m", mime, mime_type="multipart/signed")
    msg.save(path)
    assert parse_msg(path.read_bytes(), "a.msg", EASTERN).text == "Module 7 done; Call Cert booked."


# ------------------------------------------------------------------------ the messages


def test_a_binary_file_named_eml_is_not_an_e_mail_said_once(tmp_path: Path, config: Path) -> None:
    path = tmp_path / "report.eml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    res = run("progress", "import", str(path), "--config", str(config))
    assert res.exit_code == 3
    assert res.stderr.count("not an e-mail") == 1, res.stderr
    assert notes(config.parent / "ESP Tracker.xlsx")["Devon Price"] == ""


@pytest.mark.parametrize(
    ("body", "text"),
    [
        # A pasted log: line after line, none a quoted message's.
        ("Citrix was slow again today, module 3 stuck.\n" * 20_000, "Citrix was slow again"),
        # Sign-offs and dividers on every line: each is looked past once, not to the end.
        ("Thanks,\n" * 20_000, "Thanks, Thanks,"),
        ("--\nDid the TBT\n" * 10_000, "Did the TBT Did the TBT"),
        ("\n" * 20_000 + "Did it\n" * 20_000, "Did it Did it"),
    ],
)
def test_a_long_body_is_read_once_through(body: str, text: str) -> None:
    """Tens of thousands of lines take seconds, not minutes: the note's start is the same."""
    note = clean_body(body, "Marcus Lee")
    assert note.startswith(text) and note.endswith("…")
