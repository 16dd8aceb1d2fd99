"""What esp says when a mail server takes a message for some recipients only, offers no
login, refuses the connection in its greeting or trickles its greeting, and when the
tracker cannot be written after the e-mail went. No test waits on a clock: the tarpit's
clock is esp's own, advanced by each read."""

from __future__ import annotations

import json
import shlex
import socket
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import openpyxl
import pytest
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.mail import outgoing as mail
from tests import test_advise as ta
from tests.test_locate import SEARCHED_COL
from tests.test_locate import folder as locate_folder  # noqa: F401 (a fixture)
from tests.test_report import Recorder, start_server
from tests.test_smtp import Scripted, config, send_eod
from tests.test_smtp import folder as smtp_folder  # noqa: F401 (a fixture)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def start(script: Callable[[Scripted, socket.socket, BinaryIO], None]) -> Scripted:
        servers.append(Scripted(script))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


# -------------------------------------------------------- esp advise, partly refused


class RefuseOne(Recorder):
    """Takes every message but refuses RCPT to one address."""

    async def handle_RCPT(  # noqa: N802
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, _: list[str]
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _advise(folder: Path, refuse: str) -> tuple[Any, RefuseOne]:
    handler = RefuseOne(refuse=refuse)
    controller = start_server(handler)
    try:
        config = ta.write_config(folder, port=int(controller.port))
        result = run("advise", "Ana Lopez", "spoc", "--send", "-c", str(config), "-f", "json")
    finally:
        controller.stop()
    return result, handler


def test_advice_the_agent_got_is_noted_and_the_refused_cc_is_named(
    tmp_path: Path, today: date
) -> None:
    folder = ta.folder.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    result, handler = _advise(folder, "priya@vendorcx.com")
    assert result.exit_code == 0, result.output
    (message,) = json.loads(result.stdout)["messages"]
    assert message["sent"] is True
    assert "priya@vendorcx.com (550 5.1.1 user unknown)" in message["not_delivered"]
    assert "priya@vendorcx.com (550 5.1.1 user unknown)" in result.stderr
    assert ta.notes_by_name(folder / "ESP Tracker.xlsx")["Ana Lopez"] == (
        f"{today:%m/%d/%Y} - {ta.SIGNER} - Advised: SPOC steps"
    )
    (copy,) = folder.glob("*.eml")  # for the refused one only
    assert "To: priya@vendorcx.com" in copy.read_text(encoding="utf-8")
    assert handler.envelopes[0][1] == ["ana@example.com"]


def test_advice_the_agent_did_not_get_is_not_noted(tmp_path: Path) -> None:
    folder = ta.folder.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    result, handler = _advise(folder, "ana@example.com")
    data = json.loads(result.stdout)
    assert data["messages"] == []
    (refused,) = data["refused"]
    assert "ana@example.com (550 5.1.1 user unknown)" in refused["reason"]
    assert "sent only to priya@vendorcx.com" in refused["reason"]
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before  # not noted: tried again next


# ------------------------------------------------------------------ the server's word


def no_auth(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    conn.sendall(b"220 test ESMTP\r\n")
    while line := rfile.readline():
        if line.upper().startswith(b"EHLO"):
            conn.sendall(b"250-test\r\n250 8BITMIME\r\n")  # no AUTH
        elif line.upper().startswith(b"QUIT"):
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"503 5.5.1 no\r\n")


def blocked(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    conn.sendall(b"554 5.7.1 Client host [127.0.0.1] blocked using Spamhaus\r\n")


def tarpit(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    for _ in range(20_000):  # then it hangs up: before the fix, what esp reported
        conn.sendall(b"220-please wait\r\n")


def test_a_server_that_offers_no_login_names_the_settings(
    smtp_folder: Path,  # noqa: F811
    scripted: Callable[..., Scripted],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESP_SMTP_PASSWORD", "secret")
    server = scripted(no_auth)
    result = send_eod(config(smtp_folder, server.port, extra='username = "jordan@x.com"\n'))
    assert result.exit_code == 1
    assert "dropped the connection" not in result.stderr and "try again later" not in result.stderr
    assert "offers no login (SMTP AUTH) for [smtp] username 'jordan@x.com'" in result.stderr
    assert "starttls = true and port = 587" in result.stderr
    assert "remove [smtp] username" in result.stderr


def test_a_refusing_greeting_is_quoted(
    smtp_folder: Path,  # noqa: F811
    scripted: Callable[..., Scripted],
) -> None:
    server = scripted(blocked)
    result = send_eod(config(smtp_folder, server.port))
    assert result.exit_code == 1
    assert (
        f"127.0.0.1:{server.port} refused the connection (554 5.7.1 Client host [127.0.0.1] "
        "blocked using Spamhaus)"
    ) in result.stderr
    assert "dropped the connection" not in result.stderr and "try again later" not in result.stderr


def test_a_greeting_trickled_line_by_line_is_given_up_at_the_deadline(
    smtp_folder: Path,  # noqa: F811
    scripted: Callable[..., Scripted],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticks = iter(range(0, 10**9))
    monkeypatch.setattr(mail._Client, "clock", staticmethod(lambda: float(next(ticks))))
    server = scripted(tarpit)
    result = send_eod(config(smtp_folder, server.port, timeout=5))
    assert result.exit_code == 1
    assert (
        f"127.0.0.1:{server.port} accepted the connection but did not greet esp as a mail "
        "server (no answer within 5 seconds)"
    ) in result.stderr


# ------------------------------------------- esp report locate: sent, then not written


class LockOnData(Recorder):
    """Takes the message, and while it does, a colleague opens the tracker in Excel."""

    def __init__(self, lock: Path) -> None:
        super().__init__()
        self.lock = lock

    async def handle_DATA(  # noqa: N802
        self, server: SMTPServer, session: Session, envelope: Envelope
    ) -> str:
        self.lock.write_bytes(b"\x0cKeisha Grant" + b" " * 40)
        return await super().handle_DATA(server, session, envelope)


def test_locate_sent_then_the_tracker_open_keeps_the_change_waiting(
    locate_folder: Path,  # noqa: F811
) -> None:
    """The e-mail went; then Excel had the tracker: the Searched by Course Number cells wait
    beside it and are written once it is free, and nothing is sent again."""
    folder = locate_folder
    handler = LockOnData(folder / "~$ESP Tracker.xlsx")
    controller = start_server(handler)
    config = folder / "esp.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nstarttls = false\n',
        encoding="utf-8",
    )
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    shots = folder / "shots"
    try:
        result = run("report", "locate", "--screenshots", str(shots), "--send", "-c", str(config))
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1
    assert result.exit_code == ExitCode.WAITING, result.output
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before
    err = " ".join(result.stderr.split())
    assert "open in Excel by Keisha Grant" in err and "wait beside it" in err
    (folder / "~$ESP Tracker.xlsx").unlink()
    again = run("apply", "--config", str(config))
    assert again.exit_code == 0, again.output
    ws = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")["ESP Tracker"]
    assert [ws.cell(r, SEARCHED_COL).value for r in (3, 4)] == ["Yes", "Yes"]
    assert len(handler.envelopes) == 1


def test_locate_sent_then_the_tracker_open_says_how_to_record_without_sending_again(
    locate_folder: Path,  # noqa: F811
) -> None:
    """With --no-wait the write is refused: the message says how to record the change
    without sending the e-mail again."""
    folder = locate_folder
    handler = LockOnData(folder / "~$ESP Tracker.xlsx")
    controller = start_server(handler)
    config = folder / "esp.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nstarttls = false\n',
        encoding="utf-8",
    )
    before = (folder / "ESP Tracker.xlsx").read_bytes()
    shots = folder / "shots"
    try:
        result = run(
            "report", "locate", "--screenshots", str(shots), "--send", "-c", str(config),
            "--no-wait",
        )  # fmt: skip
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1  # the e-mail went, once
    assert result.exit_code == ExitCode.BUSY
    assert (folder / "ESP Tracker.xlsx").read_bytes() == before
    err = " ".join(result.stderr.split())
    assert "The e-mail was sent to torrey@example.com, amanda@example.com" in err
    assert "Searched by Course Number was not set for Ethan Brooks, Amira Hassan" in err
    assert "open in Excel by Keisha Grant" in err
    assert "do not run the command again with --send" in err
    assert f"run esp report locate --screenshots {shots} --config {config} (without --send)" in err
    assert "and run the command again" not in err
    # The command it gives records the change and sends nothing.
    (folder / "~$ESP Tracker.xlsx").unlink()
    again = run("report", "locate", "--screenshots", str(shots), "--config", str(config))
    assert again.exit_code == 0, again.output
    ws = openpyxl.load_workbook(folder / "ESP Tracker.xlsx")["ESP Tracker"]
    assert [ws.cell(r, SEARCHED_COL).value for r in (3, 4)] == ["Yes", "Yes"]
    assert len(handler.envelopes) == 1


def test_advice_sent_then_the_tracker_open_keeps_its_note_waiting(tmp_path: Path) -> None:
    folder = ta.folder.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    handler = LockOnData(folder / "~$ESP Tracker.xlsx")
    controller = start_server(handler)
    try:
        config = ta.write_config(folder, port=int(controller.port))
        result = run("advise", "Ana Lopez", "spoc", "--send", "-c", str(config))
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1
    assert result.exit_code == ExitCode.WAITING, result.output
    (folder / "~$ESP Tracker.xlsx").unlink()
    assert run("apply", "-c", str(config)).exit_code == 0
    assert ta.notes_by_name(folder / "ESP Tracker.xlsx")["Ana Lopez"].endswith(
        f"{ta.SIGNER} - Advised: SPOC steps"
    )
    assert len(handler.envelopes) == 1


def test_advice_drafted_then_the_tracker_open_says_how_to_note_it_without_drafting_again(
    tmp_path: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-wait: the drafts are saved, then Excel has the tracker: the message names the
    drafts and gives the notes to add, so a second run does not draft them again."""
    folder = ta.folder.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    write_new = mail.write_new

    def and_excel_opens_it(path: Path, data: bytes) -> Path:
        (folder / "~$ESP Tracker.xlsx").write_bytes(b"\x0cKeisha Grant" + b" " * 40)
        return write_new(path, data)

    monkeypatch.setattr(mail, "write_new", and_excel_opens_it)
    config = ta.write_config(folder)
    out = folder / "drafts"
    result = run("advise", "Ana Lopez", "spoc", "--out", str(out), "-c", str(config), "--no-wait")
    assert result.exit_code == ExitCode.BUSY, result.output
    assert len(list(out.iterdir())) == 1
    err = " ".join(result.stderr.split())
    assert "Saved 1 draft(s) — Ana Lopez (spoc) — but their Advised lines were not written" in err
    assert "do not run advise --out again for them (they would be drafted twice)" in err
    command = f'esp note add "E-ANALOPEZ" "Advised: SPOC steps" --by "{ta.SIGNER}"'
    assert command in err


def test_advice_sent_then_the_tracker_open_says_how_to_note_it_without_sending_again(
    tmp_path: Path, today: date
) -> None:
    folder = ta.folder.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    handler = LockOnData(folder / "~$ESP Tracker.xlsx")
    controller = start_server(handler)
    try:
        config = ta.write_config(folder, port=int(controller.port))
        result = run("advise", "Ana Lopez", "spoc", "--send", "-c", str(config), "--no-wait")
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1
    assert result.exit_code == ExitCode.BUSY
    err = " ".join(result.stderr.split())
    assert "Sent 1 message(s) — Ana Lopez (spoc) — but their Advised lines were not written" in err
    assert "do not run advise --send again for them" in err
    # The agent by the Agent ID: a name may come to be shared by the time it is run.
    command = f'esp note add "E-ANALOPEZ" "Advised: SPOC steps" --by "{ta.SIGNER}"'
    assert command in err
    # The command it gives is the note a later --due finds: nothing is sent again.
    (folder / "~$ESP Tracker.xlsx").unlink()
    added = run(*shlex.split(command)[1:], "-c", str(config))
    assert added.exit_code == 0, added.output
    assert ta.notes_by_name(folder / "ESP Tracker.xlsx")["Ana Lopez"] == (
        f"{today:%m/%d/%Y} - {ta.SIGNER} - Advised: SPOC steps"
    )


class SortOnData(Recorder):
    """Takes the message, and while it does, a colleague sorts the tracker by ESP Start Date
    in Excel and saves it."""

    def __init__(self, tracker: Path) -> None:
        super().__init__()
        self.tracker = tracker

    async def handle_DATA(  # noqa: N802
        self, server: SMTPServer, session: Session, envelope: Envelope
    ) -> str:
        wb = openpyxl.load_workbook(self.tracker)
        ws = wb.active
        assert ws is not None
        start = ta.HEADERS.index("ESP Start Date")
        rows = sorted(([c.value for c in r] for r in ws.iter_rows(min_row=3)),
                      key=lambda r: (r[start], r[1]))  # fmt: skip
        for i, values in enumerate(rows, 3):
            for j, v in enumerate(values, 1):
                ws.cell(i, j).value = v
        wb.save(self.tracker)
        return await super().handle_DATA(server, session, envelope)


def test_advice_sent_then_the_tracker_sorted_names_the_agents_row_as_it_is_now(
    tmp_path: Path,
) -> None:
    """Two Ana Lopez, nothing but the row and the ESP Start Date to tell them apart: the
    message to row 3's went, then the tracker was sorted and saved. The note add esp gives
    names her row as it is now, never the row the other Ana Lopez is on now."""
    from tests.factories import tracker as make_tracker

    same = {"Agent ID": None, "Email": "ana@example.com", **ta.SPOC}
    people = [ta.agent("Ana Lopez", **same), ta.agent("Bo Chen"),
              ta.agent("Ana Lopez", **{**same, "ESP Start Date": date(2026, 11, 19)})]  # fmt: skip
    book = make_tracker(tmp_path / "ESP Tracker.xlsx", people, headers=ta.HEADERS)
    handler = SortOnData(book)
    controller = start_server(handler)
    try:
        config = ta.write_config(tmp_path, port=int(controller.port))
        result = run("advise", "Ana Lopez (row 3)", "spoc", "--send", "-c", str(config),
                     "--no-wait")  # fmt: skip
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1
    assert result.exit_code == ExitCode.BUSY, result.output
    (line,) = [x.strip() for x in result.stderr.splitlines() if x.strip().startswith("esp note")]
    command = shlex.split(line)
    assert command[3] == "Ana Lopez (row 4)", command  # she is on row 4 since the sort
    added = run(*command[1:], "-c", str(config))
    assert added.exit_code == 0, added.output
    ws = openpyxl.load_workbook(book).active
    assert ws is not None
    notes = ta.HEADERS.index("Notes") + 1
    assert [bool(ws.cell(r, notes).value) for r in (3, 4, 5)] == [False, True, False]
