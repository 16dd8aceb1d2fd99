"""The SMTP password is read from ESP_SMTP_PASSWORD at login and goes nowhere else: not an
option of any command, not in esp.toml, not in what esp prints, and not in any file it
writes (the .eml drafts, reports, backups) — whether the send works or fails."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode

from .test_report import PASSWORD, Recorder, _refused_port, small, start_server, write_config

__all__ = ["small"]  # the fixture, shared with test_report

WRONG = "Wr0ng-but-Secret-9731"  # a password the server refuses: it must not leak either
LOGIN_FAILED = "535 5.7.8 Authentication credentials invalid"


def _forms(secret: str) -> list[bytes]:
    """The password as typed and as an SMTP AUTH exchange encodes it."""
    raw = secret.encode()
    return [
        raw,
        base64.b64encode(raw),
        base64.b64encode(b"\0jordan\0" + raw),
        base64.b64encode(b"jordan\0jordan\0" + raw),
    ]


def _assert_nowhere(secret: str, texts: list[str], folder: Path) -> None:
    for text in texts:
        for form in _forms(secret):
            assert form.decode() not in text
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for form in _forms(secret):
            assert form not in data, path


def _authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
    # A careless server that repeats what it was sent in its refusal.
    echo = data.password.decode() if isinstance(data, LoginPassword) else ""
    return AuthResult(success=ok, handled=False, message=None if ok else f"{LOGIN_FAILED} {echo}")


@pytest.fixture
def auth_server() -> Iterator[tuple[Controller, Recorder]]:
    handler = Recorder(refuse="cert-team@example.com")
    controller = start_server(handler, authenticator=_authenticate, auth_require_tls=False)
    try:
        yield controller, handler
    finally:
        controller.stop()


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_the_password_is_in_no_output_and_no_file(
    small: Path, auth_server: tuple[Controller, Recorder], monkeypatch: pytest.MonkeyPatch
) -> None:
    controller, handler = auth_server
    config = write_config(small, int(controller.port), username="jordan")
    day = ["--date", "2026-11-24", "-c", str(config)]
    texts: list[str] = []

    def esp(*args: str) -> Any:
        res = run(*args)
        texts.extend([res.stdout, res.stderr])
        return res

    # Logged in and sent (one recipient refused: the message is saved as an .eml too).
    monkeypatch.setenv("ESP_SMTP_PASSWORD", PASSWORD)
    res = esp("report", "eod", "--send", "--eml", str(small / "copy.eml"), *day)
    assert res.exit_code == ExitCode.FINDINGS, res.output
    assert "the server refused cert-team@example.com" in res.stderr
    assert len(handler.envelopes) == 1
    for form in _forms(PASSWORD):
        assert form not in handler.envelopes[0][2]  # nor in the message that was sent
    res = esp("report", "eod", "--send", "--dry-run", *day)
    assert res.exit_code == 0, res.output
    res = esp("report", "eod", "-f", "html", "-o", str(small / "eod.html"), *day)
    assert res.exit_code == 0, res.output
    res = esp("note", "add", "Ana Ruiz", "Called", "--by", "Jo", "-c", str(config))
    assert res.exit_code == 0, res.output  # a write: a backup in esp-backups
    _assert_nowhere(PASSWORD, texts, small)

    # The login refused, by a server that echoes the password: saved, and not repeated.
    monkeypatch.setenv("ESP_SMTP_PASSWORD", WRONG)
    res = esp("report", "eod", "--send", *day)
    assert res.exit_code == ExitCode.FAILED, res.output
    assert f"rejected the login for 'jordan' ({LOGIN_FAILED} (hidden))" in res.stderr
    # One line says it (a warning about the tracker's own cells may come before it).
    said = [ln for ln in res.stderr.splitlines() if not ln.startswith("warning: ")]
    assert len(said) == 1, res.stderr
    # The server cannot be reached: saved again.
    port = _refused_port()
    write_config(small, port, username="jordan")
    res = esp("report", "eod", "--send", *day)
    assert res.exit_code == ExitCode.FAILED and f"cannot connect to 127.0.0.1:{port}" in res.stderr
    assert len(list(small.glob("TBT Completion Report 2026-11-24*.eml"))) == 3
    _assert_nowhere(WRONG, texts, small)
    _assert_nowhere(PASSWORD, texts, small)


def test_a_password_in_esp_toml_is_refused_without_repeating_it(small: Path) -> None:
    config = write_config(small, _refused_port(), username="jordan")
    config.write_text(
        config.read_text(encoding="utf-8") + f'password = "{PASSWORD}"\n', encoding="utf-8"
    )
    res = run("report", "eod", "--send", "--date", "2026-11-24", "-c", str(config))
    assert res.exit_code == ExitCode.USAGE, res.output
    assert "[smtp] password must not be stored in esp.toml" in res.stderr
    assert PASSWORD not in res.output
    assert not list(small.glob("*.eml"))


def _all_commands(group: Any, prefix: str = "esp") -> Iterator[tuple[str, Any]]:
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group of subcommands
            yield from _all_commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_no_command_takes_a_password_as_an_argument() -> None:
    commands = dict(_all_commands(typer.main.get_command(app)))
    assert {"esp report eod", "esp report locate", "esp note add"} <= set(commands)
    for name, command in commands.items():
        for param in command.params:
            words = " ".join([param.name or "", *getattr(param, "opts", [])]).lower()
            assert not any(w in words for w in ("pass", "secret", "token")), (name, param.name)
    res = run("report", "eod", "--help")
    assert res.exit_code == 0
    assert "--password" not in res.stdout and "--pass" not in res.stdout
