"""A digitally signed workbook is read as any other but never written: any change would break
its signature (the signer's word that the file is as they signed it), so every writing
command refuses it, in one line with the fix, before a change is planned or kept waiting."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.errors import ExitCode
from esp_cli.services.demo import copy_sample
from esp_cli.workbook.waiting import Store
from tests.support.windows import excel_owner_file

TRACKER = "ESP Tracker.xlsx"
DAY = "2026-11-24"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature"
ORIGIN_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{PKG_REL}/signature" Target="sig1.xml"/></Relationships>'
)
SIGNATURE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="idPackageSignature"><SignedInfo>'
    '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    '<Reference URI="#idPackageObject"><DigestMethod Algorithm="http://www.w3.org/2001/04/'
    'xmlenc#sha256"/><DigestValue>AAAA</DigestValue></Reference></SignedInfo>'
    '<SignatureValue>AAAA</SignatureValue><Object Id="idPackageObject"><Manifest>'
    '<Reference URI="/xl/worksheets/sheet1.xml?ContentType=application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"><DigestMethod Algorithm="http://www.w3.org/'
    '2001/04/xmlenc#sha256"/><DigestValue>AAAA</DigestValue></Reference></Manifest></Object>'
    "</Signature>"
)


def signed(folder: Path, *, signatures: bool = True) -> Path:
    """The sample, signed as Excel signs a workbook (File > Info > Protect Workbook > Add a
    Digital Signature); without `signatures`, as it is left once the signature is removed
    (the origin part, and no signature)."""
    copy_sample(folder)
    path = folder / TRACKER
    with zipfile.ZipFile(path) as src:
        parts = {info.filename: src.read(info) for info in src.infolist()}
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdSig" Type="{PKG_REL}/origin" '
        'Target="_xmlsignatures/origin.sigs"/></Relationships>'.encode(),
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="sigs" ContentType="application/vnd.openxmlformats-package.'
        b'digital-signature-origin"/><Override PartName="/_xmlsignatures/sig1.xml" '
        b'ContentType="application/vnd.openxmlformats-package.digital-signature-xmlsignature'
        b'+xml"/></Types>',
    )
    parts["_xmlsignatures/origin.sigs"] = b""
    if signatures:
        parts["_xmlsignatures/_rels/origin.sigs.rels"] = ORIGIN_RELS.encode()
        parts["_xmlsignatures/sig1.xml"] = SIGNATURE.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def run(folder: Path, *argv: str) -> object:
    return CliRunner().invoke(app, [*argv, "--config", str(folder / "esp.toml")])


WRITES = [
    ["note", "add", "Tyrone Jackson", "Called", "--date", DAY],
    ["note", "add", "Tyrone Jackson", "Called", "--date", DAY, "--dry-run"],
    ["record-step", "Marcus Lee", "coaching", "--date", DAY],
    ["escalations", "--write", "--write-past", "--as-of", DAY],
    ["sync-nnumbers", "--dry-run"],
]


@pytest.mark.parametrize(
    "argv", WRITES, ids=["note", "note-dry-run", "record-step", "escalations", "sync-dry-run"]
)
def test_a_signed_workbook_is_never_written(tmp_path: Path, argv: list[str]) -> None:
    path = signed(tmp_path)
    before = path.read_bytes()
    res = run(tmp_path, *argv)
    assert res.exit_code == ExitCode.FAILED, res.output
    assert res.stdout == "" and res.stderr.count("\n") == 1
    assert f"{path} is digitally signed" in res.stderr and "nothing was written" in res.stderr
    assert "Fix: remove the signature in Excel" in res.stderr
    assert path.read_bytes() == before
    assert not (tmp_path / "esp-backups").exists()


def test_a_signed_workbook_open_in_excel_keeps_no_change_waiting(tmp_path: Path) -> None:
    """A change that could never be written is not kept beside the tracker to wait."""
    path = signed(tmp_path)
    (tmp_path / f"~${TRACKER}").write_bytes(excel_owner_file("Keisha Grant"))
    res = run(tmp_path, *WRITES[0])
    assert res.exit_code == ExitCode.FAILED, res.output
    assert "is digitally signed" in res.stderr
    assert Store(path).unwritten().ops == []


def test_a_signed_workbook_is_read(tmp_path: Path) -> None:
    signed(tmp_path / "signed")
    copy_sample(tmp_path / "plain")
    for argv in (["escalations", "--today", "--as-of", DAY], ["report", "eod", "--date", DAY]):
        res = run(tmp_path / "signed", *argv, "--format", "json")
        plain = run(tmp_path / "plain", *argv, "--format", "json")
        assert res.exit_code == plain.exit_code == 0, res.output
        assert res.stdout.replace("signed", "plain") == plain.stdout


def test_a_workbook_whose_signature_was_removed_is_written(tmp_path: Path) -> None:
    path = signed(tmp_path, signatures=False)
    res = run(tmp_path, *WRITES[0])
    assert res.exit_code == 0, res.output
    assert path.read_bytes() != b""


def test_doctor_names_a_signed_workbook_with_the_fix(tmp_path: Path) -> None:
    """The check the writes make, said before any write is tried: a finding of its own."""
    path = signed(tmp_path)
    res = run(tmp_path, "doctor", "--format", "json")
    assert res.exit_code == ExitCode.FINDINGS, res.output
    (found,) = [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "ESP013"]
    assert found["name"] == "signed-workbook" and found["cell"] == path.name
    assert "digitally signed" in found["message"] and "esp writes nothing" in found["message"]
    assert found["fix"].startswith("remove the signature in Excel")
    table = run(tmp_path, "doctor")
    assert "ESP013" in table.stdout and "digitally signed" in table.stdout


def test_doctor_says_nothing_of_a_signature_removed(tmp_path: Path) -> None:
    signed(tmp_path, signatures=False)
    res = run(tmp_path, "doctor", "--format", "json")
    assert "ESP013" not in {f["rule"] for f in json.loads(res.stdout)["findings"]}
