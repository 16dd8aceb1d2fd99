"""stdout carries one thing, the command's data: a dry run of a command that makes e-mails
(esp report eod, esp report locate, esp advise) never adds the message to a report or a
list already printed there, whatever the format, so `--format json | jq` always works."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from esp_cli.cli import app
from esp_cli.services.demo import AS_OF, copy_sample

MAIL_HEADERS = ("Subject:", "MIME-Version:", "Content-Type:", "Message-ID:")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, shared by every test here: a dry run writes nothing."""
    path = tmp_path_factory.mktemp("sample")
    copy_sample(path)
    return path


def run(folder: Path, *args: str) -> Any:
    """A command in the sample's folder, with its esp.toml; mail options name files there."""
    argv = [a.replace("{dir}", str(folder)) for a in args]
    result = CliRunner().invoke(app, [*argv, "--config", str(folder / "esp.toml")])
    assert result.exit_code == 0, result.output
    return result


def assert_data(stdout: str, fmt: str) -> None:
    """stdout is one document of `fmt`, with no e-mail in it."""
    if fmt == "json":
        json.loads(stdout)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(stdout)))
        assert rows and {len(r) for r in rows} == {len(rows[0])}, stdout
    lines = stdout.splitlines()
    assert not [ln for ln in lines if ln.startswith(MAIL_HEADERS)], stdout


MAILS = {
    "send": ("--send",),
    "eml": ("--eml", "{dir}/r.eml"),
    "msg": ("--msg", "{dir}/r.msg"),
    "all": ("--eml", "{dir}/r.eml", "--msg", "{dir}/r.msg", "--send"),
}
EOD_FORMATS = ("table", "md", "html", "text", "json", "csv")


@pytest.mark.parametrize("mail", MAILS)
@pytest.mark.parametrize("fmt", EOD_FORMATS)
def test_eod_prints_the_report_alone_when_a_format_is_given(
    folder: Path, fmt: str, mail: str
) -> None:
    """The report is what --format asked for: the same as without the e-mail."""
    alone = run(folder, "report", "eod", "--date", AS_OF, "-f", fmt)
    dry = run(folder, "report", "eod", "--date", AS_OF, "-f", fmt, *MAILS[mail], "--dry-run")
    assert_data(dry.stdout, fmt)
    assert dry.stdout == alone.stdout
    assert "Dry run: would" in dry.stderr
    assert not (folder / "r.eml").exists() and not (folder / "r.msg").exists()


@pytest.mark.parametrize("fmt", EOD_FORMATS)
def test_eod_out_on_a_dry_run_prints_the_report_alone(folder: Path, fmt: str) -> None:
    """--out on a dry run prints the report instead of writing it: the message stays out."""
    out = folder / f"report.{fmt}"
    dry = run(folder, "report", "eod", "--date", AS_OF, "-f", fmt, "-o", str(out), "--send",
              "--dry-run")  # fmt: skip
    assert_data(dry.stdout, fmt)
    assert not out.exists()


@pytest.mark.parametrize("mail", MAILS)
def test_eod_with_only_an_email_shows_the_message_on_a_dry_run(folder: Path, mail: str) -> None:
    """With nothing else to print, a dry run shows the message it would save or send."""
    dry = run(folder, "report", "eod", "--date", AS_OF, *MAILS[mail], "--dry-run")
    assert dry.stdout.startswith("Subject: TBT Completion Report")
    assert "MIME-Version: 1.0" in dry.stdout


@pytest.mark.parametrize("mail", MAILS)
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_locate_keeps_stdout_data(folder: Path, fmt: str, mail: str) -> None:
    dry = run(folder, "report", "locate", "-f", fmt, *MAILS[mail], "--dry-run")
    assert_data(dry.stdout, fmt)
    assert "Dry run: would" in dry.stderr


ADVISE_MAILS = {
    "send": ("--send",),
    "eml": ("--out", "{dir}/drafts"),
    "msg": ("--out", "{dir}/drafts", "--msg"),
}


@pytest.mark.parametrize("mail", ADVISE_MAILS)
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_advise_keeps_stdout_data(folder: Path, fmt: str, mail: str) -> None:
    dry = run(folder, "advise", "--due", "--as-of", AS_OF, "-f", fmt, *ADVISE_MAILS[mail],
              "--dry-run")  # fmt: skip
    assert_data(dry.stdout, fmt)
    assert "Dry run:" in dry.stderr
    assert not (folder / "drafts").exists()
