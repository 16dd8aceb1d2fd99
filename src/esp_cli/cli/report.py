"""esp report eod: the end-of-day TBT Completion report, on screen, in a file, as an e-mail."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    ClassOpt,
    ConfigOpt,
    DayOpt,
    DryRunOpt,
    SendOpt,
    SmeOpt,
    TrackerOpt,
    as_of_and_now,
    config_and_tracker,
    format_option,
)
from esp_cli.config import Config
from esp_cli.render import Format, say
from esp_cli.render import eod as r
from esp_cli.render.locate import LOCATE_FORMATS
from esp_cli.render.locate import render as render_locate

if TYPE_CHECKING:
    from email.message import EmailMessage

    from esp_cli.mail.outgoing import Envelope, Server
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


ReportFormatOpt = Annotated[Format | None, format_option(*r.REPORT_FORMATS, show_default=False)]


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
    send: SendOpt = False,
    dry_run: DryRunOpt = False,
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    tracker: TrackerOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The TBT Completion report for a day: per class and in total, access issues,
    escalation steps due, who did not self-report, and the outstanding agents. With --class
    or --sme, the report for those agents only (its title says so). With --eml, --msg or
    --send alone, nothing is printed unless --format or --out is given."""
    from esp_cli.mail import outgoing as mail
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
        _show(report, cfg, fmt or Format.table, out, dry_run=dry_run)
    if envelope is not None:
        _mail(report, cfg, envelope, server, drafts, dry_run=dry_run)


def _show(report: EodReport, cfg: Config, fmt: Format, out: Path | None, *, dry_run: bool) -> None:
    if out is not None and dry_run:
        sys.stdout.write(r.as_text(report, cfg.access_values, fmt))
        say(f"Dry run: would write the {fmt.value} report to {out}; nothing was written.")
    elif out is not None:
        from esp_cli.mail.outgoing import write_atomic

        write_atomic(out, r.as_text(report, cfg.access_values, fmt).encode("utf-8"))
        say(f"Wrote the {fmt.value} report to {out}.")
    elif fmt is Format.table:
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
) -> None:
    from datetime import datetime

    from esp_cli.mail import outgoing as mail

    words = {"greeting": cfg.greeting, "signoff": mail.signoff(cfg, env)}
    msg = mail.build_message(
        env,
        r.subject(report.day, report.scope),
        r.render_text(report, cfg.access_values, **words),
        r.render_html(report, cfg.access_values, **words),
        datetime.now(),
    )
    stem = f"{r.SUBJECT_PREFIX} {report.day:%Y-%m-%d}"
    _deliver(msg, env, srv, drafts, report.tracker, stem, dry_run, show=True)


def _deliver(
    msg: EmailMessage,
    env: Envelope,
    srv: Server | None,
    drafts: Drafts,
    tracker: Path,
    stem: str,
    dry_run: bool,
    *,
    show: bool,
) -> None:
    """Save the message as the drafts asked for; with a server, send it; a failed send
    saves it beside the tracker as `stem`.eml. With `dry_run`, say what would be done (and
    with `show`, print the message): nothing is saved or sent."""
    from esp_cli.mail import outgoing as mail

    if dry_run:
        if show:
            sys.stdout.write(msg.as_string(policy=msg.policy.clone(linesep="\n")))
        if drafts.eml is not None:
            say(f"Dry run: would save the e-mail as {drafts.eml}; nothing was saved.")
        if drafts.msg is not None:
            say(f"Dry run: would save the e-mail as the Outlook draft {drafts.msg}; nothing was "
                "saved.")  # fmt: skip
        if srv is not None:
            say(
                f"Dry run: would send to {', '.join(env.recipients)} via {srv.host}:{srv.port}; "
                "nothing was sent."
            )
        return
    if drafts.eml is not None:
        mail.write_atomic(drafts.eml, mail.draft_bytes(msg))
        say(f"Saved the e-mail as {drafts.eml} (open it in Outlook to review and send).")
    if drafts.msg is not None:
        mail.write_atomic(drafts.msg, mail.draft_msg_bytes(msg))
        say(f"Saved the e-mail as the Outlook draft {drafts.msg} (open it, review, Send).")
    if srv is None:
        return
    recipients = ", ".join(env.recipients)
    mail.send(msg, env, srv, mail.fallback_path(tracker, stem))
    say(f"Sent {msg['Subject']} to {recipients} via {srv.host}:{srv.port}.")


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
    send: SendOpt = False,
    dry_run: DryRunOpt = False,
    fmt: Annotated[Format, format_option(*LOCATE_FORMATS)] = Format.table,
    tracker: TrackerOpt = None,
    config: ConfigOpt = None,
) -> None:
    """The Cannot Locate TBT cases compiled for the learning contacts ([people]
    learning_contacts): agent, class, course searched and screenshots; Searched by Course
    Number set to Yes for each agent whose screenshots were found."""
    from esp_cli.mail import outgoing as mail
    from esp_cli.services.locate import locate_cases

    cfg, tracker_file = config_and_tracker(config, tracker)
    envelope = server = None
    if eml is not None or msg is not None or send:
        # The e-mail's settings are checked before Searched by Course Number is written: a
        # missing recipient must not leave the tracker changed and no e-mail made.
        envelope = mail.envelope(cfg, cfg.learning_contacts, (), "[people] learning_contacts")
        server = mail.server(cfg) if send else None
    made = None
    if envelope is not None:
        drafts = Drafts(eml, msg)

        def made(cases: list[LocateCase]) -> None:
            # Before Searched by Course Number is written: when the e-mail cannot be saved
            # or sent, the tracker is left unchanged.
            assert envelope is not None
            _mail_locate(cases, tracker_file, cfg, envelope, server, drafts, dry_run=dry_run)

    result = locate_cases(tracker_file, cfg, screenshots, dry_run=dry_run, before_write=made)
    render_locate(result, fmt)


def _mail_locate(
    cases: list[LocateCase],
    tracker: Path,
    cfg: Config,
    env: Envelope,
    srv: Server | None,
    drafts: Drafts,
    *,
    dry_run: bool,
) -> None:
    from datetime import date, datetime

    from esp_cli.mail import outgoing as mail
    from esp_cli.render import locate as lr

    if not cases:
        say("No open Cannot Locate TBT cases: no e-mail made.")
        return
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
    _deliver(msg, env, srv, drafts, tracker, stem, dry_run, show=False)
