"""esp report eod: the end-of-day TBT Completion report, on screen, in a file, as an e-mail."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    ClassOpt,
    ConfigOpt,
    DayOpt,
    DryRunOpt,
    SmeOpt,
    TrackerOpt,
    as_of_and_now,
    config_and_tracker,
)
from esp_cli.config import Config
from esp_cli.errors import EspError, ExitCode, UsageError
from esp_cli.render import eod as r
from esp_cli.render import say
from esp_cli.render.locate import LocateFormat
from esp_cli.render.locate import render as render_locate

ReportFormat = r.ReportFormat


if TYPE_CHECKING:
    from email.message import EmailMessage

    from esp_cli.mail import Envelope, Server
    from esp_cli.results.eod import EodReport
    from esp_cli.results.locate import LocateCase

report_app = command_group(
    "report", "Reports for leadership: the end-of-day TBT Completion report."
)


EmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--eml",
        help="Save the e-mail (text and HTML, From/To/Cc from esp.toml) as FILE (.eml), "
        "ready to open in Outlook on the web, new Outlook or any other client.",
        show_default=False,
    ),
]
MsgOpt = Annotated[
    Path | None,
    typer.Option(
        "--msg",
        help="Save the e-mail as an Outlook draft FILE (.msg): classic Outlook for Windows "
        "opens it ready to edit and send.",
        show_default=False,
    ),
]


@dataclass(frozen=True)
class Drafts:
    """Where to save the e-mail: as .eml, as an Outlook .msg draft, or both."""

    eml: Path | None = None
    msg: Path | None = None

    def __bool__(self) -> bool:
        return self.eml is not None or self.msg is not None


ReportFormatOpt = Annotated[
    ReportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output: table (default), md, html, text, json or csv. With --eml or --send "
        "alone, nothing is printed unless --format or --out is given.",
        show_default=False,
    ),
]


@report_app.command("eod")
def eod_command(
    day: DayOpt = None,
    fmt: ReportFormatOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the report to FILE instead of stdout.", show_default=False
        ),
    ] = None,
    eml: EmlOpt = None,
    msg: MsgOpt = None,
    send: Annotated[
        bool,
        typer.Option(
            "--send",
            help="Send the e-mail through esp.toml [smtp]; the password comes from the "
            "ESP_SMTP_PASSWORD environment variable only.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", "-n", help="With --send: print the message instead of sending it."
        ),
    ] = False,
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    tracker: TrackerOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The TBT Completion report for a day: per class and in total, access issues,
    escalation steps due, who did not self-report, and the outstanding agents. With --class
    or --sme, the report for those agents only (its title says so)."""
    if dry_run and not send:
        raise UsageError("--dry-run goes with --send.", fix="add --send, or drop --dry-run.")
    from esp_cli import mail
    from esp_cli.services.eod import eod_report

    cfg, tracker_file = config_and_tracker(config, tracker)
    when, now = as_of_and_now(day, "--date")
    drafts = Drafts(eml, msg)
    envelope = server = None
    if drafts or send:
        # The e-mail's settings fail before anything is written (--out, a draft).
        envelope = mail.envelope(cfg)
        server = mail.server(cfg) if send else None
    report = eod_report(tracker_file, cfg, when, now, cls=cls, sme=sme)
    for finding in report.findings:
        say(f"warning: {finding}")
    for problem in report.problems:
        # For the team, not the client: the report itself only counts these agents.
        say(
            f"warning: {problem.name} ({problem.sheet}!row {problem.row}) could not be "
            f"evaluated: {problem.reason}. The report only counts the agent as being "
            "checked; correct the tracker (esp doctor lists the cells it cannot read)."
        )
    if fmt is not None or out is not None or envelope is None:
        _show(report, cfg, fmt or ReportFormat.table, out)
    if envelope is not None and not _mail(report, cfg, envelope, server, drafts, dry_run=dry_run):
        raise typer.Exit(int(ExitCode.FINDINGS))  # sent, but not to everyone


def _show(report: EodReport, cfg: Config, fmt: ReportFormat, out: Path | None) -> None:
    if out is not None:
        from esp_cli.mail import write_atomic

        write_atomic(out, r.as_text(report, cfg.access_values, fmt).encode("utf-8"))
        say(f"Wrote the {fmt.value} report to {out}.")
    elif fmt is ReportFormat.table:
        r.print_report(report, cfg.access_values)
    else:
        sys.stdout.write(r.as_text(report, cfg.access_values, fmt))


def _mail(
    report: EodReport,
    cfg: Config,
    env: Envelope,
    srv: Server | None,
    drafts: Drafts,
    *,
    dry_run: bool,
) -> bool:
    from datetime import datetime

    from esp_cli import mail

    words = {"greeting": cfg.greeting, "signoff": mail.signoff(cfg, env)}
    msg = mail.build_message(
        env,
        r.subject(report.day, report.scope),
        r.render_text(report, cfg.access_values, **words),
        r.render_html(report, cfg.access_values, **words),
        datetime.now(),
    )
    stem = f"{r.SUBJECT_PREFIX} {report.day:%Y-%m-%d}"
    return _deliver(msg, env, srv, drafts, report.tracker, stem, dry_run)


def _deliver(
    msg: EmailMessage,
    env: Envelope,
    srv: Server | None,
    drafts: Drafts,
    tracker: Path,
    stem: str,
    dry_run: bool,
) -> bool:
    """Save the message as the drafts asked for; with a server, send it (or with `dry_run`
    print it); a failed send saves it beside the tracker as `stem`.eml. False when the
    server refused some recipients (and took it for the others): they are named, and a copy
    addressed to them only is saved beside the tracker."""
    from esp_cli import mail

    if drafts.eml is not None:
        mail.write_atomic(drafts.eml, mail.draft_bytes(msg))
        say(f"Saved the e-mail as {drafts.eml} (open it in Outlook to review and send).")
    if drafts.msg is not None:
        mail.write_atomic(drafts.msg, mail.draft_msg_bytes(msg))
        say(f"Saved the e-mail as the Outlook draft {drafts.msg} (open it, review, Send).")
    if srv is None:
        return True
    recipients = ", ".join(env.recipients)
    if dry_run:
        sys.stdout.write(msg.as_string(policy=msg.policy.clone(linesep="\n")))
        say(f"Dry run: would send to {recipients} via {srv.host}:{srv.port}; nothing was sent.")
        return True
    refused = mail.send(msg, env, srv, mail.fallback_path(tracker, stem))
    got = ", ".join(a for a in env.recipients if a not in refused)
    say(f"Sent {msg['Subject']} to {got} via {srv.host}:{srv.port}.")
    if not refused:
        return True
    copy = mail.save_for_refused(msg, refused, mail.fallback_path(tracker, stem))
    say(
        f"warning: the server refused {mail.refused_words(refused)}: they did not get it. A copy "
        f"addressed to them only is saved as {copy}; check the address, then open the copy in "
        "Outlook and send it (the others have it already)."
    )
    return False


@report_app.command("locate")
def locate_command(
    screenshots: Annotated[
        Path | None,
        typer.Option(
            "--screenshots",
            help="Folder of the search screenshots; each is attached to the agent its file "
            "name names (e.g. 'Ethan Brooks course number.png').",
            show_default=False,
        ),
    ] = None,
    eml: EmlOpt = None,
    msg: MsgOpt = None,
    send: Annotated[
        bool,
        typer.Option("--send", help="Send it through esp.toml [smtp] (ESP_SMTP_PASSWORD)."),
    ] = False,
    dry_run: DryRunOpt = False,
    fmt: Annotated[
        LocateFormat, typer.Option("--format", "-f", help="Output: table or json.")
    ] = LocateFormat.table,
    tracker: TrackerOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The Cannot Locate TBT cases compiled for the learning contacts ([people]
    learning_contacts): agent, class, course searched and screenshots; Searched by Course
    Number set to Yes for each agent whose screenshots were found."""
    from esp_cli import mail
    from esp_cli.services.locate import locate_cases

    cfg, tracker_file = config_and_tracker(config, tracker)
    envelope = server = None
    if eml is not None or msg is not None or send:
        # The e-mail's settings are checked before Searched by Course Number is written: a
        # missing recipient must not leave the tracker changed and no e-mail made.
        envelope = mail.envelope(cfg, cfg.learning_contacts, (), "[people] learning_contacts")
        server = mail.server(cfg) if send else None
    made = None
    mailed: dict[str, Any] = {}  # what went out before the tracker was written
    if envelope is not None:
        drafts = Drafts(eml, msg)

        def made(cases: list[LocateCase]) -> None:
            # Before Searched by Course Number is written: when the e-mail cannot be saved
            # or sent, the tracker is left unchanged.
            assert envelope is not None
            mailed["complete"] = _mail_locate(
                cases, tracker_file, cfg, envelope, server, drafts, dry_run=dry_run
            )
            if server is not None and not dry_run and cases:
                mailed["to"] = ", ".join(envelope.recipients)
                mailed["agents"] = [
                    c.agent for c in cases if c.screenshots and not c.searched_before
                ]

    try:
        result = locate_cases(tracker_file, cfg, screenshots, dry_run=dry_run, before_write=made)
    except EspError as exc:
        if "to" not in mailed:
            raise
        raise _sent_but_not_written(exc, mailed, screenshots, tracker, config) from exc
    render_locate(result, fmt)
    if mailed.get("complete") is False:
        raise typer.Exit(int(ExitCode.FINDINGS))  # sent, but not to everyone


def _sent_but_not_written(
    exc: EspError,
    mailed: dict[str, Any],
    screenshots: Path | None,
    tracker: Path | None,
    config: Path | None,
) -> EspError:
    """The e-mail went, then the tracker could not be written (open in Excel, changed since
    it was read): say so, and how to record Searched by Course Number without e-mailing
    the learning contacts a second time."""

    def arg(path: Path) -> str:
        return f'"{path}"' if " " in str(path) else str(path)

    command = "esp report locate" + "".join(
        f" {option} {arg(path)}"
        for option, path in (("--screenshots", screenshots), ("--tracker", tracker),
                             ("--config", config))
        if path is not None
    )  # fmt: skip
    agents = mailed.get("agents") or []
    who = f" for {', '.join(agents)}" if agents else ""
    when = "once the workbook is closed" if exc.exit_code is ExitCode.BUSY else "once that is fixed"
    error = type(exc)(
        f"The e-mail was sent to {mailed['to']}, but Searched by Course Number was not "
        f"set{who}: {exc.message}",
        fix=f"do not run the command again with --send (the e-mail would go twice); {when}, "
        f"run {command} (without --send), which only sets Searched by Course Number.",
    )
    return error


def _mail_locate(
    cases: list[LocateCase],
    tracker: Path,
    cfg: Config,
    env: Envelope,
    srv: Server | None,
    drafts: Drafts,
    *,
    dry_run: bool,
) -> bool:
    from datetime import date, datetime

    from esp_cli import mail
    from esp_cli.render import locate as lr

    if not cases:
        say("No open Cannot Locate TBT cases: no e-mail made.")
        return True
    today = date.today()
    words = {"greeting": cfg.greeting, "signoff": mail.signoff(cfg, env)}
    msg = mail.build_message(
        env,
        lr.subject(today),
        lr.render_text(cases, today, **words),
        lr.render_html(cases, today, **words),
        datetime.now(),
    )
    mail.attach(msg, [p for c in cases for p in c.screenshots])
    stem = f"{lr.SUBJECT_PREFIX} {today:%Y-%m-%d}"
    return _deliver(msg, env, srv, drafts, tracker, stem, dry_run)
