"""Sending e-mail: every address split and checked, and what a failed send says it knows.

The servers are on loopback: aiosmtpd for a well-behaved one, and a tiny scripted socket
server for the ones that misbehave (never greet, stop answering, drop the line mid-message,
take the whole message and never confirm it). No test waits on a clock: a server that
"never answers" waits on an event the test sets when it is done, and esp's deadline is set
to a fraction of a second in esp.toml; the assertions are on what esp says, never on time.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import json
import socket
import struct
import threading
import tomllib
from collections.abc import Callable, Iterator
from datetime import date
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.config import Config
from esp_cli.core.model import Letter
from esp_cli.errors import ConfigError, ExitCode
from esp_cli.mail import outgoing as mail
from esp_cli.services.smes import sme_addresses
from tests import factories
from tests.support.mailnames import same_names
from tests.test_report import Recorder, start_server

FROM = "Jordan Reyes <jordan.reyes@vendorcx.com>"
SAVED = "TBT Completion Report 2026-11-24.eml"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [{"Class": "AET-1", "Agent Name": "Ana Ruiz", "ESP Start Date": date(2026, 11, 16)}],
    )
    return tmp_path


def config(
    folder: Path,
    port: int = 25,
    *,
    to: list[str] | None = None,
    cc: list[str] | None = None,
    sender: str = FROM,
    timeout: float | None = None,
    extra: str = "",
) -> Path:
    path = folder / "esp.toml"
    deadline = f"timeout = {timeout}\n" if timeout is not None else ""
    path.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n\n'
        f"[report]\nto = {json.dumps(to or ['lead@example.com'])}\n"
        f"cc = {json.dumps(cc or [])}\nfrom = {json.dumps(sender)}\n\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n{deadline}\n{extra}',
        encoding="utf-8",
    )
    return path


def send_eod(cfg: Path) -> Any:
    return run("report", "eod", "--date", "2026-11-24", "--send", "-c", str(cfg))


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    return msg


# -- addresses: Outlook's `;`, and nothing a header could be broken with ---------------------------


def test_outlooks_semicolon_gives_two_recipients_and_no_empty_one(folder: Path) -> None:
    handler = Recorder()
    controller = start_server(handler)
    try:
        cfg = config(
            folder,
            int(controller.port),
            to=["lead-one@example.com; Lead Two <lead-two@example.com>;"],
            cc=['"Reyes, Jordan" <jr@example.com>, cert@example.com'],
        )
        result = send_eod(cfg)
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    (_, rcpt, content), *_ = handler.envelopes
    assert rcpt == [
        "lead-one@example.com",
        "lead-two@example.com",
        "jr@example.com",
        "cert@example.com",
    ]
    msg = parse(content)
    assert [a.addr_spec for a in msg["To"].addresses] == rcpt[:2]
    assert [(a.display_name, a.addr_spec) for a in msg["Cc"].addresses] == [
        ("Reyes, Jordan", "jr@example.com"),
        ("", "cert@example.com"),
    ]


def test_the_split_recipients_are_in_the_saved_draft_too(folder: Path) -> None:
    cfg = config(folder, to=["a@example.com;b@example.com"])
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    assert [a.addr_spec for a in parse(eml.read_bytes())["To"].addresses] == [
        "a@example.com",
        "b@example.com",
    ]


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("to", ["lead@example.com; not an address"], "[report] to: 'not an address'"),
        ("to", ["lead@example.com; lead"], "[report] to: 'lead'"),
        ("cc", ["cert@example"], "[report] cc: 'cert@example'"),
        ("to", ["a@example.com\r\nBcc: spy@example.com"], "[report] to"),
        ("sender", "a@example.com; b@example.com", "[report] from"),
        ("sender", "Jordan <jordan@example.com>\nBcc: spy@example.com", "[report] from"),
    ],
)
def test_every_address_is_checked_before_anything_is_made(
    folder: Path, field: str, value: Any, named: str
) -> None:
    cfg = config(folder, **{field: value})
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert named in result.stderr
    assert not eml.exists()


def test_learning_contacts_are_split_and_checked(folder: Path) -> None:
    cfg = config(folder, extra='[people]\nlearning_contacts = ["a@example.com; b@example.com"]\n')
    env = mail.envelope(_load(cfg), _load(cfg).learning_contacts, (), "[people] learning_contacts")
    assert env.to == ("a@example.com", "b@example.com")
    bad = config(folder, extra='[people]\nlearning_contacts = ["a@example.com; b"]\n')
    with pytest.raises(ConfigError, match=r"\[people\] learning_contacts: 'b'"):
        mail.envelope(_load(bad), _load(bad).learning_contacts, (), "[people] learning_contacts")


def _load(path: Path) -> Config:
    from esp_cli.config import load_config

    return load_config(path)


# -- what a failed send says it knows ---------------------------------------------------------


class Scripted:
    """A one-connection SMTP server on loopback that plays `script` with the connection.
    A script that must never answer waits on `released`, set when the test is done."""

    def __init__(self, script: Callable[[Scripted, socket.socket, BinaryIO], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.released = threading.Event()
        self.got_dot = threading.Event()
        self.script = script
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        try:
            self.script(self, conn, conn.makefile("rb"))
        except OSError:
            pass  # esp hung up first: what the test looks at is what esp said
        finally:
            conn.close()

    def stop(self) -> None:
        self.released.set()
        self.listener.close()
        self.thread.join(timeout=30)


def _converse(conn: socket.socket, rfile: BinaryIO, until: str) -> None:
    """Play a plain SMTP server up to the command `until` (not answered)."""
    conn.sendall(b"220 test ESMTP\r\n")
    while True:
        line = rfile.readline()
        if not line:
            return
        verb = line.split(b" ", 1)[0].strip().upper().decode()
        if verb == until:
            return
        if verb == "EHLO":
            conn.sendall(b"250-test\r\n250 8BITMIME\r\n")
        elif verb in ("MAIL", "RCPT"):
            conn.sendall(b"250 OK\r\n")
        elif verb == "DATA":
            conn.sendall(b"354 go ahead\r\n")
            return


def _read_message(server: Scripted, rfile: BinaryIO) -> None:
    while rfile.readline() not in (b".\r\n", b""):
        pass
    server.got_dot.set()


def never_greets(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    server.released.wait()


def hangs_after_mail(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    _converse(conn, rfile, "MAIL")
    server.released.wait()


def drops_mid_data(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    _converse(conn, rfile, "")  # up to DATA's 354
    # Hang up at once, unread data and all (a reset): the message cannot all have gone.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def silent_after_dot(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    _converse(conn, rfile, "")
    _read_message(server, rfile)
    server.released.wait()


def drops_after_dot(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    _converse(conn, rfile, "")
    _read_message(server, rfile)


def odd_goodbye(server: Scripted, conn: socket.socket, rfile: BinaryIO) -> None:
    _converse(conn, rfile, "")
    _read_message(server, rfile)
    conn.sendall(b"250 queued as 1234\r\n")
    rfile.readline()  # QUIT
    conn.sendall(b"500 what?\r\n")


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def start(script: Callable[[Scripted, socket.socket, BinaryIO], None]) -> Scripted:
        servers.append(Scripted(script))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_a_server_that_never_greets_is_not_a_failure_to_connect(
    folder: Path, scripted: Callable[..., Scripted]
) -> None:
    server = scripted(never_greets)
    result = send_eod(config(folder, server.port, timeout=0.3))
    assert result.exit_code == 1
    assert "cannot connect" not in result.stderr
    assert (
        f"was not sent: 127.0.0.1:{server.port} accepted the connection but did not greet esp "
        "as a mail server (no answer within 0.3 seconds)"
    ) in result.stderr
    assert "[smtp] timeout (now 0.3)" in result.stderr
    assert (folder / SAVED).is_file()


def test_a_slow_server_is_given_up_on_at_the_deadline(
    folder: Path, scripted: Callable[..., Scripted]
) -> None:
    server = scripted(hangs_after_mail)
    result = send_eod(config(folder, server.port, timeout=0.3))
    assert result.exit_code == 1
    assert (
        f"was not sent: 127.0.0.1:{server.port} stopped answering before it (no answer within "
        "0.3 seconds); the server does not have the message"
    ) in result.stderr
    assert "check [smtp] host" not in result.stderr
    assert (folder / SAVED).is_file()


def test_a_drop_mid_message_is_not_sent_and_says_so(
    folder: Path, scripted: Callable[..., Scripted]
) -> None:
    server = scripted(drops_mid_data)
    msg = _big_message()
    env = mail.Envelope(FROM, ("lead@example.com",), ())
    srv = mail.Server("127.0.0.1", server.port, False, None)
    with pytest.raises(mail.SendError) as caught:
        mail.send(msg, env, srv, folder / "saved.eml")
    text = str(caught.value)
    assert "The report was not sent" in text
    assert "dropped the connection while the message was being handed over" in text
    assert "the server does not have the message" in text
    assert "cannot connect" not in text and "check [smtp] host" not in text
    assert (folder / "saved.eml").is_file()


def _big_message() -> EmailMessage:
    """Larger than every socket buffer between esp and the server, so it cannot all have
    been handed over when the server hangs up."""
    msg = mail.build_message(
        mail.Envelope(FROM, ("lead@example.com",), ()),
        Letter("big", "text", "<p>html</p>", "big"),
        __import__("datetime").datetime(2026, 11, 24, 9),
    )
    msg.add_attachment(b"\0" * (24 * 1024 * 1024), maintype="application", subtype="octet-stream")
    return msg


@pytest.mark.parametrize(
    ("script", "reason"),
    [(silent_after_dot, "no answer within 0.3 seconds"), (drops_after_dot, "closed")],
)
def test_a_whole_message_never_confirmed_may_have_been_sent(
    folder: Path,
    scripted: Callable[..., Scripted],
    script: Callable[..., None],
    reason: str,
) -> None:
    server = scripted(script)
    result = send_eod(config(folder, server.port, timeout=0.3))
    assert server.got_dot.is_set()  # the server has the whole message
    assert result.exit_code == 1
    assert "was not sent" not in result.stderr and "cannot connect" not in result.stderr
    assert (
        f"The report may have been sent: 127.0.0.1:{server.port} received the whole message "
        "but did not confirm it ("
    ) in result.stderr
    assert reason in result.stderr
    assert "sending it again may deliver it twice" in result.stderr
    assert f"A copy is saved as {folder / SAVED}" in result.stderr
    assert (folder / SAVED).is_file()


def test_an_odd_answer_to_goodbye_after_the_message_was_accepted_is_still_sent(
    folder: Path, scripted: Callable[..., Scripted]
) -> None:
    server = scripted(odd_goodbye)
    result = send_eod(config(folder, server.port, timeout=5))
    assert result.exit_code == 0, result.output
    assert "Sent TBT Completion Report" in result.stderr
    assert not (folder / SAVED).exists()


def test_nothing_listening_is_still_a_failure_to_connect(folder: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    result = send_eod(config(folder, port))
    assert result.exit_code == 1
    assert f"The report was not sent: cannot connect to 127.0.0.1:{port}" in result.stderr
    assert "check [smtp] host and port" in result.stderr


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """No new file can be saved (a full disk, a folder that refuses new files)."""

    def refuse(*args: Any, **kwargs: Any) -> bool:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mail, "create_file_atomically", refuse)


def test_a_report_not_sent_whose_copy_cannot_be_saved_says_it_was_not_sent(
    folder: Path, full_disk: None
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    result = send_eod(config(folder, port))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"esp: The report was not sent: cannot connect to 127.0.0.1:{port}")
    assert (
        f"Its copy could not be saved either: {folder / SAVED}: cannot be written (No space "
        "left on device)."
    ) in line
    assert f"Fix: make room on the disk or allow writing in {folder}, then run it again" in line
    assert "check [smtp] host and port" in line
    assert not (folder / SAVED).exists()


def test_a_report_that_may_have_been_sent_and_cannot_be_saved_says_so(
    folder: Path, scripted: Callable[..., Scripted], full_disk: None
) -> None:
    server = scripted(drops_after_dot)
    result = send_eod(config(folder, server.port, timeout=5))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "The report may have been sent: " in line and "was not sent" not in line
    assert "Its copy could not be saved either: " in line and "(No space left on device)" in line
    assert "ask a recipient whether it arrived before sending it: sending it again" in line


def test_a_refused_recipients_copy_that_cannot_be_saved_is_a_warning(
    folder: Path, full_disk: None
) -> None:
    handler = Recorder(refuse="cert@example.com")
    controller = start_server(handler)
    try:
        result = send_eod(config(folder, controller.port, cc=["cert@example.com"]))
    finally:
        controller.stop()
    assert result.exit_code == ExitCode.FINDINGS, result.output
    assert "Sent TBT Completion Report" in result.stderr
    (warning,) = [li for li in result.stderr.splitlines() if li.startswith("warning:")]
    assert "the server refused cert@example.com (550 5.1.1 no such user here)" in warning
    assert (
        f"a copy addressed to them only could not be saved: {folder / SAVED}: cannot be written"
    ) in warning
    assert "send it to them by hand" in warning


def test_smtp_timeout_must_be_a_positive_number(folder: Path) -> None:
    cfg = folder / "esp.toml"
    cfg.write_text("[smtp]\ntimeout = 0\n", encoding="utf-8")
    result = run("config", "where", "-c", str(cfg))
    assert result.exit_code == ExitCode.USAGE
    assert "[smtp] timeout must be a number of seconds, more than 0 (got 0)" in result.stderr


# -- esp advise: the agent's Email cell and the SMEs' addresses ----------------------------------


def advise_folder(tmp_path: Path, email_cell: str, smes: str) -> Path:
    from tests import test_advise as ta

    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [ta.agent("Ana Lopez", **{**ta.SPOC, "Email": email_cell})],
        headers=ta.HEADERS,
    )
    (tmp_path / "esp.toml").write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n\n'
        f'[people]\nuser = "{ta.SIGNER}"\nuser_email = "priya@vendorcx.com"\n'
        f'sme_emails = {{ "{ta.SIGNER}" = {json.dumps(smes)} }}\n',
        encoding="utf-8",
    )
    return tmp_path


def advise_draft(folder: Path) -> Any:
    return run("advise", "Ana Lopez", "spoc", "--out", str(folder / "d"), "-c",
               str(folder / "esp.toml"))  # fmt: skip


def test_an_agents_two_addresses_and_an_smes_two_are_each_a_recipient(tmp_path: Path) -> None:
    folder = advise_folder(
        tmp_path, "ana@example.com; Ana L <ana.lopez@home.example>", "priya@x.com;p2@x.com"
    )
    result = advise_draft(folder)
    assert result.exit_code == 0, result.output
    (draft,) = (folder / "d").iterdir()
    msg = parse(draft.read_bytes())
    assert [a.addr_spec for a in msg["To"].addresses] == [
        "ana@example.com",
        "ana.lopez@home.example",
    ]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["priya@x.com", "p2@x.com"]


def test_an_email_cell_with_a_smuggled_header_is_no_address(tmp_path: Path) -> None:
    folder = advise_folder(tmp_path, "ana@example.com\nBcc: spy@example.com", "priya@x.com")
    result = advise_draft(folder)
    assert result.exit_code == 1
    assert "is not an e-mail address" in result.stderr
    assert not list((folder / "d").iterdir())


def test_a_bad_sme_address_is_named(tmp_path: Path) -> None:
    folder = advise_folder(tmp_path, "ana@example.com", "priya@x.com; priya")
    result = advise_draft(folder)
    assert result.exit_code == ExitCode.USAGE
    assert (
        "[people] sme_emails (Priya Natarajan): 'priya' is not an e-mail address" in result.stderr
    )
    # The fix shows the setting as it is written: one SME's address, not a list.
    fix = result.stderr.split("Fix:")[-1]
    assert "give Priya Natarajan's address, e.g. " in fix
    assert 'sme_emails = { "Priya Natarajan" = "name@example.com" }' in fix
    assert "[" not in fix.replace("[people]", "")


def _sme_fix_example(name: str) -> str:
    """The setting's line the fix of a refused SME address shows."""
    with pytest.raises(ConfigError) as refused:
        sme_addresses(Config(sme_emails={name: "not an address"}))
    return refused.value.fix.split(", e.g. ", 1)[1].removesuffix(".")


def test_the_fix_for_an_sme_address_is_toml_whatever_the_name() -> None:
    """A name with quotes or a backslash: the line the fix shows reads back as TOML, the
    name as it is."""
    name = 'Ana "AJ" Lopez\\'
    example = _sme_fix_example(name)
    assert tomllib.loads(example)["sme_emails"] == {name: "name@example.com"}


# -- the address rules themselves (pure) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("ana@x.com", "ana@x.com"),
        ("Ana Lopez <ana@x.com>", "ana@x.com"),
        ('"Lopez, Ana" <ana@x.com>', "ana@x.com"),
        ("<ana@x.com>", "ana@x.com"),
        ("mailto:ana@x.com", "ana@x.com"),
        ("ana@x.com (home)", "ana@x.com"),
        ("ana@x.com; ben@x.com", None),  # two: split them first
        ("ana@x.com junk", None),
        ("ana@x", None),
        ("a@b@x.com", None),
        ("Ana Lopez", None),
        ("ana@x.com\nBcc: spy@x.com", None),
        ("", None),
    ],
)
def test_address_spec(text: str, spec: str | None) -> None:
    from esp_cli.core.addresses import address_spec

    assert address_spec(text) == spec


def test_split_addresses_keeps_quoted_and_bracketed_separators() -> None:
    from esp_cli.core.addresses import split_addresses

    assert split_addresses('a@x.com; "Reyes; J" <j@x.com>, <k@x.com>;;') == [
        "a@x.com",
        '"Reyes; J" <j@x.com>',
        "<k@x.com>",
    ]


# -- Outlook's To box pasted as it is ------------------------------------------------------------


def test_outlooks_to_box_with_last_first_names_is_two_recipients(folder: Path) -> None:
    cfg = config(folder, to=["Hughes, Torrey <torrey.hughes@example.com>; Li, Amanda "
                             "<amanda.li@example.com>"])  # fmt: skip
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    assert [(a.display_name, a.addr_spec) for a in parse(eml.read_bytes())["To"].addresses] == [
        ("Hughes, Torrey", "torrey.hughes@example.com"),
        ("Li, Amanda", "amanda.li@example.com"),
    ]


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Hughes, Torrey <t@x.com>; Li, Amanda <a@x.com>",
         ["Hughes, Torrey <t@x.com>", "Li, Amanda <a@x.com>"]),
        ("Hughes, Torrey <t@x.com>, Li, Amanda <a@x.com>",
         ["Hughes, Torrey <t@x.com>", "Li, Amanda <a@x.com>"]),
        ("Hughes, Torrey (VendorCX) <t@x.com>", ["Hughes, Torrey (VendorCX) <t@x.com>"]),
        ("a@x.com, b@x.com", ["a@x.com", "b@x.com"]),
        ("Hughes, Torrey", ["Hughes", "Torrey"]),  # no address: each piece is named
    ],
)  # fmt: skip
def test_a_comma_in_a_name_before_its_address_is_part_of_the_name(
    text: str, pieces: list[str]
) -> None:
    from esp_cli.core.addresses import recipient, split_addresses

    assert split_addresses(text) == pieces
    if "<" in text:
        assert recipient(pieces[0]) == '"Hughes, Torrey" <t@x.com>' or "(" in pieces[0]


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        # A comma or `;` in a comment (RFC 5322's parentheses) separates no one.
        ("t@x.com (Hughes, Torrey), a@x.com (Li; Amanda)",
         ["t@x.com (Hughes, Torrey)", "a@x.com (Li; Amanda)"]),
        # Other mail programs' name then address, its comma kept as before `<address>`.
        ("Hughes, Torrey [t@x.com], Li, Amanda (a@x.com)",
         ["Hughes, Torrey [t@x.com]", "Li, Amanda (a@x.com)"]),
        # A parenthesis never closed opens no comment.
        ("Hughes (VendorCX, t@x.com, a@x.com", ["Hughes (VendorCX", "t@x.com", "a@x.com"]),
    ],
)  # fmt: skip
def test_a_comma_in_a_comment_or_before_a_bracketed_address_separates_no_one(
    text: str, pieces: list[str]
) -> None:
    from esp_cli.core.addresses import address_spec, split_addresses

    assert split_addresses(text) == pieces
    assert address_spec("t@x.com (Hughes, Torrey)") == "t@x.com"


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Stone <r@x.com>, Dunn, Xavier", ["Stone <r@x.com>", "Dunn, Xavier"]),
        ("Dunn, Xavier, Stone <r@x.com>", ["Dunn, Xavier", "Stone <r@x.com>"]),
        ("r@x.com, Dunn, Xavier J., ESP Agents, Brook, Kayla",
         ["r@x.com", "Dunn, Xavier J.", "ESP Agents", "Brook, Kayla"]),
        ("Van Dyke, Dick <d@x.com>", ["Van Dyke, Dick <d@x.com>"]),
        # A name of its own after a one-word one is another person (a list's or a team's
        # name, then an agent).
        ("spoc@client.com, Support, Kayla Brooks",
         ["spoc@client.com", "Support", "Kayla Brooks"]),
        ("a@x.com, Ana, Ben Stone", ["a@x.com", "Ana", "Ben Stone"]),
        # An address after its scheme, as Exchange writes it.
        ("Reyes, Jordan [SMTP:j@x.com], Li, Amanda (mailto:a@x.com)",
         ["Reyes, Jordan [SMTP:j@x.com]", "Li, Amanda (mailto:a@x.com)"]),
    ],
)  # fmt: skip
def test_a_name_alone_last_name_first_is_one_piece_when_asked(text: str, pieces: list[str]) -> None:
    from esp_cli.core.addresses import split_addresses

    assert split_addresses(text, last_first=True) == pieces
    assert split_addresses("Hughes, Torrey") == ["Hughes", "Torrey"]  # unasked: as ever


# -- the sender's name: [people] user as the From line and the sign-off show it -------------


@pytest.mark.parametrize(
    ("user", "name", "header"),
    [
        # Quotes typed round the name in esp.toml are no part of it.
        ('"\\"Jordan Reyes\\""', "Jordan Reyes", b"From: Jordan Reyes <jr@vendorcx.com>"),
        ("'“Jordan Reyes”'", "Jordan Reyes", b"From: Jordan Reyes <jr@vendorcx.com>"),
        # A comma, or quotes inside the name, quoted as RFC 5322 says.
        ('"Reyes, Jordan"', "Reyes, Jordan", b'From: "Reyes, Jordan" <jr@vendorcx.com>'),
        ('"\\"Reyes, Jordan\\""', "Reyes, Jordan", b'From: "Reyes, Jordan" <jr@vendorcx.com>'),
        ("'Dana \"DW\" Whitfield'", 'Dana "DW" Whitfield',
         b'From: "Dana \\"DW\\" Whitfield" <jr@vendorcx.com>'),
        # Beyond ASCII: an encoded word in the header, the name itself in the sign-off.
        ('"Pérez, Ana"', "Pérez, Ana", b"From: =?utf-8?"),
    ],
)  # fmt: skip
def test_the_senders_name_is_people_user_without_its_quotes(
    folder: Path, user: str, name: str, header: bytes
) -> None:
    cfg = folder / "esp.toml"
    cfg.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n\n'
        f'[people]\nuser = {user}\nuser_email = "jr@vendorcx.com"\n\n'
        '[report]\nto = ["lead@example.com"]\n',
        encoding="utf-8",
    )
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    data = eml.read_bytes()
    assert next(line for line in data.split(b"\r\n") if line.startswith(b"From:")) == header or (
        header.endswith(b"?") and header in data
    )
    msg = parse(data)
    (sender,) = msg["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (name, "jr@vendorcx.com")
    text = msg.get_body(("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n").rstrip().endswith(f"Thank you,\n{name}")


def test_a_name_beyond_ascii_in_report_from_signs_the_message_as_written(folder: Path) -> None:
    cfg = config(folder, sender="Pérez, Ana <ana@vendorcx.com>")
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    msg = parse(eml.read_bytes())
    assert [(a.display_name, a.addr_spec) for a in msg["From"].addresses] == [
        ("Pérez, Ana", "ana@vendorcx.com")
    ]
    text = msg.get_body(("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n").rstrip().endswith("Thank you,\nPérez, Ana")


def _sender_config(folder: Path, user: str, extra: str = "") -> Path:
    cfg = folder / "esp.toml"
    cfg.write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n\n'
        f'[people]\nuser = {json.dumps(user)}\nuser_email = "jr@vendorcx.com"\n\n'
        f'[report]\nto = ["lead@example.com"]\n{extra}',
        encoding="utf-8",
    )
    return cfg


@pytest.mark.parametrize(
    ("user", "said"),
    [
        ("Jordan\tReyes", "U+0009 (tab)"),
        ("Jordan Reyes\r\nBcc: all@example.com", "U+000D (carriage return), U+000A (line feed)"),
        ("Jordan\x1b[31mReyes", "U+001B (escape)"),
        ("Jordan\x85Reyes", "U+0085 (next line)"),
    ],
)
def test_a_people_user_with_a_control_character_is_refused_before_any_mail(
    folder: Path, user: str, said: str
) -> None:
    cfg = _sender_config(folder, user)
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == ExitCode.USAGE, result.output
    (line,) = result.stderr.splitlines()
    assert "[people] user holds " + said in line and 'user = "Jordan Reyes"' in line
    assert not eml.exists()


def test_a_name_with_a_control_character_never_reaches_a_header() -> None:
    from esp_cli.mail.outgoing import checked_sender, set_addresses

    with pytest.raises(ConfigError, match=r"\[people\] user holds U\+001B"):
        checked_sender(Config(user="Jordan\x1bReyes", user_email="jr@vendorcx.com"))
    with pytest.raises(ValueError, match="control character"):
        set_addresses(EmailMessage(), "From", ("Jordan\x1bReyes <jr@vendorcx.com>",))


@pytest.mark.parametrize("sender", ["Jordan\x9b31mReyes <jr@x.com>", "Jordan\x7f <jr@x.com>"])
def test_report_from_with_a_c1_control_character_is_no_address(folder: Path, sender: str) -> None:
    cfg = config(folder, sender=sender)
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(folder / "a.eml"),
                 "-c", str(cfg))  # fmt: skip
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "[report] from" in result.stderr and not (folder / "a.eml").exists()


LONG = "Reyes, Jordan Alexander " + "Montgomery-" * 6 + "Smythe, Certification Coordinator"


@pytest.mark.parametrize(
    "name",
    [
        # Looks like an encoded word: mail readers would decode it unless it is encoded.
        "=?utf-8?q?Team_Lead?= Jordan",
        "Jordan =?iso-8859-1?q?Reyes?=",
        # Longer than a header line, with commas (the quotes must survive the fold).
        LONG,
        'Dana "DW" Whitfield, ' + "Senior " * 12 + "Coordinator \\ Quality",
        "Pérez, Ana María de los Ángeles " + "Fernández-" * 8 + "Ortega, Coordinación",
        # One word longer than a line; beyond ASCII in a run of several words.
        "X" * 120 + ", Jr.",
        "Nguyễn Thị Minh Khai Trần Văn Phương Lê Hoàng Đức Phạm Quốc Bảo, QA",
        "山田 太郎",
    ],
)  # fmt: skip
def test_any_senders_name_reads_back_as_typed_in_the_from_line_and_the_signoff(
    folder: Path, name: str
) -> None:
    cfg = _sender_config(folder, name)
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    data = eml.read_bytes()
    msg = parse(data)
    (sender,) = msg["From"].addresses
    raw = email.message_from_bytes(data)["From"].replace("\r\n", "")
    want = [(name, "jr@vendorcx.com")]
    assert same_names([(sender.display_name, sender.addr_spec)], want, raw)
    assert same_names(email.utils.getaddresses([str(msg["From"])]), want, raw)
    # A reader that takes the header as written (compat32) and decodes its encoded words.
    (shown, addr), = email.utils.getaddresses([raw])  # fmt: skip
    words = email.header.decode_header(shown)
    decoded = "".join(w.decode(c or "ascii") if isinstance(w, bytes) else w for w, c in words)
    assert (decoded, addr) == (name, "jr@vendorcx.com")
    text = msg.get_body(("plain",))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n").rstrip().endswith(f"Thank you,\n{name}")
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    # Folded where the name has spaces: only a line of one word is longer than 78.
    assert all(len(line) <= 78 or len(line.removeprefix(b"From:").split()) == 1 for line in head)


def test_long_recipient_names_read_back_as_each_one_address(folder: Path) -> None:
    to = [f'"{LONG}" <lead@example.com>', "Hughes, Torrey <t@example.com>"]
    cc = ["Łukasz Żółkiewski-Brzęczyszczykiewicz, Quality <qa@example.com>"]
    cfg = config(folder, to=to, cc=cc)
    eml = folder / "eod.eml"
    result = run("report", "eod", "--date", "2026-11-24", "--eml", str(eml), "-c", str(cfg))
    assert result.exit_code == 0, result.output
    data = eml.read_bytes()
    msg, raw = parse(data), email.message_from_bytes(data)
    want = [(LONG, "lead@example.com"), ("Hughes, Torrey", "t@example.com")]
    got = [(a.display_name, a.addr_spec) for a in msg["To"].addresses]
    assert same_names(got, want, raw["To"])
    # Read as the RFC reads encoded words in a row (Python's compat32 reader, Outlook).
    decoded = [
        (str(email.header.make_header(email.header.decode_header(n))), a)
        for n, a in email.utils.getaddresses([raw["To"]])
    ]
    assert decoded == want
    assert [(a.display_name, a.addr_spec) for a in msg["Cc"].addresses] == [
        ("Łukasz Żółkiewski-Brzęczyszczykiewicz, Quality", "qa@example.com")
    ]


def test_a_dry_run_shows_the_senders_name_as_typed(folder: Path) -> None:
    cfg = _sender_config(folder, "Pérez, Ana", '\n[smtp]\nhost = "127.0.0.1"\nport = 25\n')
    result = run("report", "eod", "--date", "2026-11-24", "--send", "--dry-run", "-c", str(cfg))
    assert result.exit_code == 0, result.output
    assert 'From: "Pérez, Ana" <jr@vendorcx.com>' in result.stdout.splitlines()
    assert "=?utf-8?" not in result.stdout
    assert "Thank you,\nPérez, Ana" in result.stdout.replace("\r\n", "\n")


def test_a_dry_run_shows_every_header_as_people_read_it() -> None:
    from datetime import datetime

    env = mail.Envelope('"Pérez, Ana" <ana@x.com>', ('"Żółć, Bo" <bo@x.com>',), ("Zoë <z@x.com>",))
    letter = Letter(subject="Informe de progreso – ① día", text="Listo.\n" + "é" * 100,
                    html="<p>Listo.</p>", stem="informe")  # fmt: skip
    msg = mail.build_message(env, letter, datetime(2026, 11, 24, 17))
    mail.attach_data(msg, "Pérez TBT ①.pdf", b"%PDF-1.4\n", "application/pdf")
    shown = mail.shown(msg)
    lines = shown.splitlines()
    for line in (
        'From: "Pérez, Ana" <ana@x.com>',
        'To: "Żółć, Bo" <bo@x.com>',
        "Cc: Zoë <z@x.com>",
        "Subject: Informe de progreso – ① día",
        "é" * 100,
    ):
        assert line in lines
    assert 'filename="Pérez TBT ①.pdf"' in shown
    assert "=?utf-8?" not in shown and "=C3" not in shown
