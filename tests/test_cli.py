"""The command line as a whole: help everywhere, python -m, the demo."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esp_cli import __version__
from esp_cli.cli import app
from tests.support.processes import DEADLINE_SECONDS, python_prints

COMMANDS = sorted(
    [c.name for c in app.registered_commands if c.name]
    + [str(g.name) for g in app.registered_groups]
)
# Commands of a group (`esp note add`) as the words a person types.
SUBCOMMANDS = sorted(
    f"{g.name} {c.name}"
    for g in app.registered_groups
    for c in g.typer_instance.registered_commands
)


@pytest.mark.parametrize("command", COMMANDS + SUBCOMMANDS)
def test_every_command_has_help(command: str) -> None:
    res = CliRunner().invoke(app, [*command.split(), "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage" in res.stdout and len(res.stdout) > 100


def test_the_command_groups_are_there() -> None:
    assert {
        "note add",
        "progress import",
        "progress missing",
        "access set",
        "tbt proofs",
        "sme assign",
        "sme list",
    } <= set(SUBCOMMANDS)


def test_python_dash_m_runs() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "esp_cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=DEADLINE_SECONDS,
    )
    assert res.returncode == 0, res.stderr
    for command in COMMANDS:
        assert command in res.stdout


def test_version() -> None:
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"esp {__version__}"


def test_unknown_option_is_a_usage_error() -> None:
    res = CliRunner().invoke(app, ["sync-nnumbers", "--no-such-option"])
    assert res.exit_code == 2


def test_demo_shows_a_line_per_step_by_default(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["demo", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "── Step 1: Preview the N Number request dates" in out
    assert "$ esp sync-nnumbers --dry-run\n→ Dry run: 10 cell(s) would change;" in out
    assert "$ esp escalations --today --as-of 2026-11-24\n→ As of Tue 11/24/2026:" in out
    assert "→ 16 of 39 incomplete agent(s) reported for Tue 11/24/2026; 23 did not." in out
    # Tables and warnings are left for --verbose; paths are shown inside the demo folder.
    assert "┏" not in out and "warning:" not in res.stderr
    assert str(tmp_path) + "/esp-backups/ESP" not in out.split("Done.")[0]
    assert out.count("\n→ ") == out.count("── Step ")
    assert "esp demo --verbose" in out
    assert "(exit code" not in out


def test_demo_runs_the_day_on_the_sample(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["demo", str(tmp_path), "--verbose"])
    assert res.exit_code == 0, res.output
    assert "$ esp sync-nnumbers --dry-run" in res.stdout
    assert "Would change 10 cell(s)" in res.stdout
    assert "$ esp progress import --date 2026-11-24" in res.stdout
    assert "$ esp progress missing --date 2026-11-24" in res.stdout
    assert '$ esp access set "Marcus Lee" "password reset"' in res.stdout
    assert '$ esp note add "Tyrone Jackson"' in res.stdout
    assert "$ esp tbt proofs tbt-proofs" in res.stdout
    assert "Recorded 1 proof(s)" in res.stdout and "Recorded 0 proof(s)" in res.stdout
    assert "rename it to 'Malik Robinson TBT.pdf'" in res.stdout
    assert '$ esp sme assign AET-1116 --sme "Keisha Grant" --sme "Marcus Bell"' in res.stdout
    assert "$ esp sme list" in res.stdout
    assert "$ esp report eod --date 2026-11-24" in res.stdout
    assert "Outstanding agents:" in res.stdout
    assert (tmp_path / "TBT-Completion-Report-2026-11-24.eml").is_file()
    assert "(exit code" not in res.stdout
    assert (tmp_path / "TBT Tracking Sheet.xlsx").is_file()
    assert (tmp_path / "ESP Tracker.xlsx").is_file()
    assert list((tmp_path / "esp-backups").iterdir())


def test_demo_as_of_is_the_samples_today() -> None:
    from scripts.sample_builder import sample

    from esp_cli.services import demo

    assert demo.AS_OF == sample.REFERENCE_DATE.isoformat()
    assert (demo.PROOFS_DIR, demo.TRACKER_FILE, demo.CONFIG_FILE) == (
        sample.PROOFS_DIR,
        sample.TRACKER_FILE,
        sample.CONFIG_FILE,
    )


def test_demo_replaces_what_an_earlier_demo_left(tmp_path: Path) -> None:
    """The sample's files and folders are copied afresh over an earlier demo's (the tracker
    it changed, a self-report it copied); a proof's received day is the sample's today."""
    from scripts.sample_builder.sample import PROOFS_DIR, REFERENCE_DATE, SAMPLE_DATA

    from esp_cli.services.demo import MARKER, demo_folder

    demo_folder(tmp_path)
    (tmp_path / "ESP Tracker.xlsx").write_bytes(b"a tracker the demo's commands changed")
    (tmp_path / "self-reports" / "marcus-lee-2026-11-24.eml").write_bytes(b"From: edited\r\n")
    demo_folder(tmp_path)
    shipped = sorted(p.relative_to(SAMPLE_DATA) for p in SAMPLE_DATA.rglob("*") if p.is_file())
    copied = sorted(
        p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file() and p.name != MARKER
    )
    assert copied == shipped
    for name in shipped:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DATA / name).read_bytes(), name
    for proof in (tmp_path / PROOFS_DIR).iterdir():
        received = datetime.fromtimestamp(proof.stat().st_mtime)
        assert (received.date(), received.hour) == (REFERENCE_DATE, 17), proof.name


def test_every_command_says_what_it_does_in_the_listing() -> None:
    listing = CliRunner().invoke(app, ["--help"]).stdout
    for command in COMMANDS:
        line = next(ln for ln in listing.splitlines() if ln.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 20, line


LOADED = """
import sys
from datetime import datetime
sys.argv = ["esp", *sys.argv[1:]]
from esp_cli.cli import main
try:
    main()
except SystemExit:
    pass
print(sorted(m for m in sys.modules if m.startswith("esp_cli.")), file=sys.stderr)
"""


def _loaded_modules(*argv: str, typed: str = "", cwd: Path | None = None) -> set[str]:
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *argv],
        capture_output=True,
        text=True,
        input=typed,
        cwd=cwd,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=DEADLINE_SECONDS,
    )
    return set(ast.literal_eval(done.stderr.strip().splitlines()[-1]))


def test_a_command_loads_only_its_own_module() -> None:
    loaded = _loaded_modules("note", "add", "--help")
    assert "esp_cli.cli.note" in loaded
    assert not loaded & {"esp_cli.cli.progress", "esp_cli.cli.report", "esp_cli.cli.sync"}


def test_help_and_unknown_commands_load_every_command() -> None:
    every = {f"esp_cli.cli.{m}" for m in ("sync", "note", "report", "demo", "tbt")}
    assert every <= _loaded_modules("--help")
    assert every <= _loaded_modules("no-such-command")


def test_help_loads_no_service_nor_workbook_nor_mail() -> None:
    """`esp --help` registers every command without doing any command's work: a command's
    service, its workbook and mail code load when it runs (`make bench` times --help)."""
    loaded = _loaded_modules("--help")
    heavy = {m for m in loaded if m.startswith(("esp_cli.services", "esp_cli.workbook"))}
    heavy |= {m for m in loaded if m.startswith("esp_cli.mail")}
    assert heavy == set()


@pytest.mark.skipif(sys.platform == "win32", reason="Windows names the machine through sockets")
def test_the_machine_name_every_write_records_loads_no_socket_module() -> None:
    """The machine's name in the operation log (and the lock's note) is the one
    socket.gethostname() gives, read without loading the socket module, whose enums take
    milliseconds to build at every write (`make bench`)."""
    code = (
        "import sys\n"
        "from esp_cli.system import computer_name\n"
        "name = computer_name()\n"
        "loaded = 'socket' in sys.modules\n"
        "import socket\n"
        "print(name == socket.gethostname(), loaded)\n"
    )
    assert python_prints(code) == "True False\n"


def test_the_machine_name_on_windows_asks_no_windows_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Windows the machine's name is socket.gethostname()'s: platform.node() would ask
    for the Windows version first (a WMI query of seconds, or none at all, for a user
    without the right), while the write holds esp's lock."""
    import platform
    import socket

    from esp_cli import system

    def version_asked(*args: object) -> object:
        raise AssertionError("the Windows version was asked for")

    for name in ("node", "uname", "win32_ver", "version"):
        monkeypatch.setattr(platform, name, version_asked)
    monkeypatch.setattr(system, "WINDOWS", True)
    monkeypatch.setattr(socket, "gethostname", lambda: "DESKTOP-7Q2K")
    assert system.computer_name() == "DESKTOP-7Q2K"

    def refused() -> str:
        raise OSError("no name")

    monkeypatch.setattr(socket, "gethostname", refused)
    assert system.computer_name() == "unknown"


MAIL_AND_DOCUMENTS = {
    "esp_cli.mail.outgoing",
    "esp_cli.mail.inbox",
    "esp_cli.mail.selfreports",
    "esp_cli.mail.attachments",
    "esp_cli.services.proofs",
    "esp_cli.services.word",
    "esp_cli.services.advise",
    "esp_cli.services.record",
    "esp_cli.core.documents",
}


@pytest.mark.parametrize(
    ("argv", "typed"),
    [
        (["report", "eod", "-f", "json"], ""),
        (["round", "--sme", "Priya Natarajan", "--by", "Priya Natarajan", "--yes"], "q\n"),
    ],
    ids=["report eod", "round"],
)
def test_a_command_loads_no_mail_nor_document_code_it_does_not_run(
    tmp_path: Path, argv: list[str], typed: str
) -> None:
    """The evening report without an e-mail, and a round (which records steps without a
    document), load neither the mail code (SMTP, TLS, the e-mail package, reading
    self-reports) nor the checks of Word and PDF files: every command pays for what it
    loads (`make bench`)."""
    from scripts.sample_builder.sample import build_sample

    tracker = build_sample(tmp_path).tracker
    loaded = _loaded_modules(*argv, "-t", str(tracker), typed=typed, cwd=tmp_path)
    assert argv[0] in {m.rsplit(".", 1)[-1] for m in loaded}  # the command ran
    assert {"esp_cli.workbook.tracker", "esp_cli.workbook.xlsx.reader"} <= loaded
    assert loaded & MAIL_AND_DOCUMENTS == set()


def test_the_computed_columns_of_waiting_changes_load_no_round_code() -> None:
    """`esp pending`, and a write that finds changes waiting, work out the computed columns
    of a round's answers without loading esp round, access or the SMEs' code; the columns
    those answers write are round's own."""
    code = (
        "import sys\n"
        "import esp_cli.services.computed as computed\n"
        "loaded = sorted(m for m in ('esp_cli.services.round', 'esp_cli.services.access',\n"
        "    'esp_cli.services.smes') if m in sys.modules)\n"
        "from esp_cli.core.rules import LADDER\n"
        "from esp_cli.services import access, round\n"
        "written = {access.ACCESS, access.SPOC_CALLED, access.INCIDENT, access.CALLBACK,\n"
        "    'call_cert_complete', 'tbts_complete', *(step.column for step in LADDER)}\n"
        "print(loaded, computed.REEVALUATE_KEYS == written, round.REEVALUATE_KEYS is\n"
        "    computed.REEVALUATE_KEYS)\n"
    )
    assert python_prints(code) == "[] True True\n"


def test_help_loads_no_command_renderer() -> None:
    """A command's renderer (render/eod.py, render/locate.py ...) loads when the command
    runs, as its service does: `esp --help` needs only the formats' names."""
    loaded = _loaded_modules("--help")
    shared = {"esp_cli.render", "esp_cli.render.style", "esp_cli.render.busy"}
    assert {m for m in loaded if m.startswith("esp_cli.render")} == shared


@pytest.mark.parametrize("where", ["loading", "parsing"])
def test_ctrl_c_while_esp_starts_is_one_line_and_no_traceback(
    where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C in the first moments (Typer and the command still loading, or the command
    line being read) stops esp with one line and exit code 130, as it does later."""
    import esp_cli.cli as cli

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    if where == "loading":
        monkeypatch.setattr(cli, "load_commands", interrupted)
    else:
        monkeypatch.setattr(cli, "load_commands", lambda names=None: interrupted)
    monkeypatch.setattr(sys, "argv", ["esp", "escalations", "--today"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 130
    err = capsys.readouterr().err
    assert err == "esp: interrupted; nothing more was written.\n"


def test_the_tracker_a_command_line_names_is_read_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before Typer and the command load, reading starts on the tracker the command will
    use (--tracker, -t, ESP_TRACKER, esp.toml's), only for a command that reads it first,
    and never for --help."""
    from esp_cli.cli import read_early
    from esp_cli.workbook.xlsx import early as inputs

    tracker = tmp_path / "ESP Tracker.xlsx"
    tracker.write_bytes(b"read ahead only: never opened here")
    (tmp_path / "esp.toml").write_text('[tracker]\npath = "ESP Tracker.xlsx"\n', encoding="utf-8")
    monkeypatch.delenv("ESP_TRACKER", raising=False)

    def started(*argv: str) -> Path | None:
        inputs._EARLY.clear()
        read_early(list(argv))
        early = inputs._EARLY
        assert len(early) <= 1
        return next(iter(early), None)

    assert started("note", "add", "Ana", "text", "--tracker", str(tracker)) == tracker
    assert started("report", "eod", f"--tracker={tracker}") == tracker
    assert started("escalations", "-t", str(tracker), "--today") == tracker
    assert started("undo", "-t", str(tracker)) == tracker
    assert started("report", "eod", "-c", str(tmp_path / "esp.toml")) == tracker
    monkeypatch.setenv("ESP_TRACKER", str(tracker))
    assert started("report", "kpi") == tracker
    monkeypatch.delenv("ESP_TRACKER")
    for argv in (
        ("note", "add", "--help", "-t", str(tracker)),
        ("pending", "drop", "abc", "-t", str(tracker)),
        ("config", "where", "-t", str(tracker)),
        ("history", "-t", str(tracker)),
        ("note", "add", "Ana", "text", "-t", str(tmp_path / "missing.xlsx")),
        ("note", "add", "Ana", "text", "-c", str(tmp_path / "missing.toml")),
    ):
        assert started(*argv) is None, argv
    inputs._EARLY.clear()


def test_the_master_a_sync_names_is_read_ahead_beside_the_tracker(tmp_path: Path) -> None:
    """esp sync-nnumbers reads the Master beside the tracker: its --from starts reading too
    (only for that command)."""
    from esp_cli.cli import read_early
    from esp_cli.workbook.xlsx import early as inputs

    tracker, master = tmp_path / "ESP Tracker.xlsx", tmp_path / "Master.xlsx"
    for path in (tracker, master):
        path.write_bytes(b"read ahead only: never opened here")
    try:
        for option in ("--from", "-m"):
            inputs._EARLY.clear()
            read_early(["sync-nnumbers", "-t", str(tracker), option, str(master)])
            assert set(inputs._EARLY) == {tracker, master}
        inputs._EARLY.clear()
        read_early(["escalations", "-t", str(tracker), "--from", str(master)])
        assert set(inputs._EARLY) == {tracker}
    finally:
        inputs._EARLY.clear()


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'[tracker]\npath = "ESP Tracker.xlsx"\n', "here"),
        (b"\xef\xbb\xbf[tracker]\npath = 'sub/ESP Tracker.xlsx'\n", "here"),
        ('[tracker]\npath = "~/ESP Tracker.xlsx"\n'.encode("utf-16"), "here"),
        (b'[people]\nuser = "Jo"\n[tracker] # the team\'s\n  path = "x.xlsx"\n', "here"),
        (b'tracker = { path = "inline.xlsx" }\n', "here"),
        (b'[tracker]\nmaster = "Master.xlsx"\n', "here"),
        (b'[people]\nuser = "Jo"\n', "here"),
        (b'[tracker]\npath = "own.xlsx"\n', "own"),
    ],
)
def test_the_early_read_finds_the_tracker_the_settings_name(
    data: bytes, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tracker read ahead is the one the command resolves from esp.toml: the same file
    found (the working folder's, else the person's own), read in any encoding Windows
    editors save, its path resolved the same way (~, relative to the file)."""
    from esp_cli.config import load_config
    from esp_cli.config_file import configured_tracker

    monkeypatch.delenv("ESP_TRACKER", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    own = tmp_path / "own"
    own.mkdir()
    monkeypatch.setenv("ESP_CONFIG_DIR", str(own))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work if where == "here" else own).joinpath("esp.toml").write_bytes(data)
    expected = load_config().tracker
    assert configured_tracker(None) == expected
    found = work / "esp.toml" if where == "here" else own / "esp.toml"
    assert configured_tracker(found) == load_config(found).tracker


def _python_in(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Python run with `argv` in `folder`, ESP_TRACKER unset (the early read's own way)."""
    env = {k: v for k, v in os.environ.items() if k != "ESP_TRACKER"}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_the_early_read_never_opens_a_config_that_is_no_file(tmp_path: Path) -> None:
    """--config naming a named pipe (or a device) is refused as no such config file, at
    once: the early read does not open it (it would wait for a writer for ever)."""
    pipe = tmp_path / "esp.toml"
    os.mkfifo(pipe)
    done = _python_in(tmp_path, "-m", "esp_cli", "doctor", "--config", str(pipe))
    assert done.returncode == 2, done.stderr
    assert "no such config file" in done.stderr


def test_the_early_read_loads_only_the_file_half_of_the_settings(tmp_path: Path) -> None:
    """Reading esp.toml's [tracker] path for the head start loads neither esp's settings
    nor Typer: the parse starts before they load, not after."""
    (tmp_path / "esp.toml").write_text('[tracker]\npath = "t.xlsx"\n', encoding="utf-8")
    (tmp_path / "t.xlsx").write_bytes(b"PK")
    code = (
        "import sys\n"
        "from esp_cli.cli import read_early\n"
        "from esp_cli.workbook.xlsx import early\n"
        "read_early(['report', 'eod'])\n"
        "assert [p.name for p in early._EARLY] == ['t.xlsx']\n"
        "print(sorted(m for m in ('esp_cli.config', 'typer') if m in sys.modules))\n"
    )
    done = _python_in(tmp_path, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
