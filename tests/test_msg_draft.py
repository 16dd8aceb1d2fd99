"""--msg: the e-mail as an Outlook draft, read back with olefile, a reader independent of
the library that wrote it: recipients, subject, both bodies, attachments, unsent flag."""

from __future__ import annotations

import email
import json
import struct
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import olefile
import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from tests import factories

MSGFLAG_UNSENT = 0x8
MSGFLAG_HASATTACH = 0x10
TO = ["Lead One <lead-one@example.com>", "lead-two@example.com"]
CC = ["cert-team@example.com"]
SHOT = "Ethan Brooks — numéro de cours.png"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


class Msg:
    """The parts of a .msg that Outlook shows, read straight from the compound file."""

    def __init__(self, path: Path) -> None:
        self.ole = olefile.OleFileIO(str(path))

    def stream(self, *names: str) -> bytes:
        return bytes(self.ole.openstream("/".join(names)).read())

    def text(self, pid: str, storage: str | None = None) -> str:
        names = [storage] if storage else []
        return self.stream(*names, f"__substg1.0_{pid}001F").decode("utf-16-le").rstrip("\x00")

    def fixed(self, tag: int, storage: str | None = None) -> int:
        """A 4-byte property from a property stream (32-byte header at the top, 8 below)."""
        data = (
            self.stream(storage, "__properties_version1.0")
            if storage
            else self.stream("__properties_version1.0")
        )
        start = 8 if storage else 32
        for off in range(start, len(data) - 15, 16):
            if struct.unpack_from("<I", data, off)[0] == tag:
                return int(struct.unpack_from("<i", data, off + 8)[0])
        raise KeyError(hex(tag))

    def storages(self, prefix: str) -> list[str]:
        return sorted({e[0] for e in self.ole.listdir(streams=True) if e[0].startswith(prefix)})

    def recipients(self) -> list[tuple[int, str]]:
        """(type: 1 To, 2 Cc; SMTP address) for each recipient row."""
        return [
            (self.fixed(0x0C150003, s), self.text("39FE", s))
            for s in self.storages("__recip_version1.0_#")
        ]

    def attachments(self) -> list[tuple[str, bytes]]:
        return [
            (self.text("3707", s), self.stream(s, "__substg1.0_37010102"))
            for s in self.storages("__attach_version1.0_#")
        ]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    headers = (*factories.TRACKER_HEADERS, *factories.headers("searched_course"))
    factories.tracker(
        tmp_path / "ESP Tracker.xlsx",
        [
            {"Class": "AET-1", "Agent Name": "Ethan Brooks", "Citrix TBT Access":
             "Cannot Locate TBT", "TBT Notes": "Dana W - 11/20/2026 - Cannot find 'Appeals'."},
            {"Class": "AET-1", "Agent Name": "Ana Ruiz", "Call Cert Complete?": "Yes",
             "All TBTs Complete?": "Yes"},
        ],
        headers=headers,
    )  # fmt: skip
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / SHOT).write_bytes(b"\x89PNG number")
    (shots / "ethan brooks name.png").write_bytes(b"\x89PNG name")
    (tmp_path / "esp.toml").write_text(
        '[tracker]\npath = "ESP Tracker.xlsx"\n'
        f"[people]\nlearning_contacts = {json.dumps(TO)}\n"
        f"[report]\nto = {json.dumps(TO)}\ncc = {json.dumps(CC)}\n"
        'from = "Jordan Reyes <jordan@vendorcx.com>"\n',
        encoding="utf-8",
    )
    return tmp_path


def test_the_eod_draft_has_every_part_of_the_eml(folder: Path) -> None:
    eml, msg = folder / "eod.eml", folder / "eod.msg"
    res = run("report", "eod", "-c", str(folder / "esp.toml"), "--date", "2026-11-24",
              "--eml", str(eml), "--msg", str(msg))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert f"Outlook draft {msg}" in res.stderr
    mime = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert isinstance(mime, EmailMessage)
    draft = Msg(msg)
    assert draft.text("001A") == "IPM.Note"
    assert draft.text("0037") == mime["Subject"] == "TBT Completion Report — Tue 11/24/2026"
    assert draft.fixed(0x0E070003) & MSGFLAG_UNSENT
    assert not draft.fixed(0x0E070003) & MSGFLAG_HASATTACH
    assert draft.recipients() == [
        (1, "lead-one@example.com"),
        (1, "lead-two@example.com"),
        (2, "cert-team@example.com"),
    ]
    plain = mime.get_body(("plain",))
    html = mime.get_body(("html",))
    assert plain is not None and html is not None
    assert draft.text("1000").replace("\r\n", "\n") == plain.get_content().replace("\r\n", "\n")
    assert "Ethan Brooks" in draft.text("1000")
    assert draft.stream("__substg1.0_10130102").decode("utf-8").rstrip("\x00").replace(
        "\r\n", "\n"
    ) == html.get_content().replace("\r\n", "\n")
    # A draft has not been sent or received.
    streams = draft.stream("__properties_version1.0")
    tags = {struct.unpack_from("<I", streams, o)[0] for o in range(32, len(streams) - 15, 16)}
    assert 0x00390040 not in tags and 0x0E060040 not in tags


def test_the_eod_draft_shows_the_kpi_chart_inline(folder: Path) -> None:
    """The trend's picture is an attachment Outlook shows in the body, not in the list:
    its Content-ID (as the HTML's cid: names it), hidden, referenced by the HTML."""
    eml, msg = folder / "eod.eml", folder / "eod.msg"
    res = run("report", "eod", "-c", str(folder / "esp.toml"), "--date", "2026-11-24",
              "--eml", str(eml), "--msg", str(msg))  # fmt: skip
    assert res.exit_code == 0, res.output
    mime = email.message_from_bytes(eml.read_bytes(), policy=default_policy)
    (picture,) = [p for p in mime.walk() if p.get_content_type() == "image/png"]
    cid = str(picture["Content-ID"]).strip("<>")
    draft = Msg(msg)
    (storage,) = draft.storages("__attach_version1.0_#")
    assert draft.text("3712", storage) == cid
    assert draft.text("370E", storage) == "image/png"
    assert draft.text("3707", storage) == "kpi-trend.png"
    assert draft.stream(storage, "__substg1.0_37010102") == picture.get_content()
    assert draft.fixed(0x7FFE000B, storage) == 1  # PidTagAttachmentHidden
    assert draft.fixed(0x37140003, storage) == 0x4  # ATT_MHTML_REF: the HTML shows it
    assert draft.fixed(0x370B0003, storage) == -1  # no place in an RTF body
    html = draft.stream("__substg1.0_10130102").decode("utf-8")
    assert f'src="cid:{cid}"' in html
    assert not draft.fixed(0x0E070003) & MSGFLAG_HASATTACH  # no paper clip: nothing to open


def test_the_locate_draft_carries_the_screenshots(folder: Path) -> None:
    msg = folder / "locate.msg"
    res = run("report", "locate", "-c", str(folder / "esp.toml"),
              "--screenshots", str(folder / "shots"), "--msg", str(msg))  # fmt: skip
    assert res.exit_code == 0, res.output
    draft = Msg(msg)
    assert draft.fixed(0x0E070003) & (MSGFLAG_UNSENT | MSGFLAG_HASATTACH) == (
        MSGFLAG_UNSENT | MSGFLAG_HASATTACH
    )
    assert draft.text("0037").startswith("Cannot Locate TBT — ")
    assert [addr for _, addr in draft.recipients()] == ["lead-one@example.com",
                                                         "lead-two@example.com"]  # fmt: skip
    assert sorted(draft.attachments()) == [
        ("Ethan Brooks — numéro de cours.png", b"\x89PNG number"),
        ("ethan brooks name.png", b"\x89PNG name"),
    ]
    assert "Ethan Brooks (AET-1): Appeals" in draft.text("1000")
    assert not list(folder.glob(".*.tmp"))  # written atomically: no temporary file left


def test_an_unwritable_draft_is_a_clear_error(folder: Path) -> None:
    target = folder / "no such folder" / "eod.msg"
    res = run("report", "eod", "-c", str(folder / "esp.toml"), "--date", "2026-11-24",
              "--msg", str(target))  # fmt: skip
    assert res.exit_code == 2  # refused before any work, as with --dry-run
    assert f"the folder {target.parent} does not exist" in res.stderr
    assert "Traceback" not in res.output
