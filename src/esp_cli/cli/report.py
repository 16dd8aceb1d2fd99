"""esp report eod / kpi / locate: the end-of-day TBT Completion report (on screen, in a file, as
an e-mail), the leadership KPIs of a period, and the Cannot Locate TBT cases."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import (
    DATE,
    DAY_FORMS,
    AsOfOpt,
    ClassOpt,
    ConfigOpt,
    DayOpt,
    DryRunOpt,
    NoWaitOpt,
    SendOpt,
    SmeOpt,
    TrackerOpt,
    VerboseOpt,
    as_of_and_now,
    config_and_tracker,
    exit_if_waiting,
    format_option,
    parse_day,
    waiting_allowed,
)
from esp_cli.errors import ExitCode, UsageError
from esp_cli.render import Format

report_app = command_group(
    "report",
    "Reports for leadership: the end-of-day TBT Completion report, the KPIs and their trend; "
    "and the Cannot Locate TBT cases for the learning contacts.",
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


# The formats of a report: table for people, md/html/text for pasting and mail, json/csv
# for scripts (render.eod writes each); the Cannot Locate cases: table and json.
REPORT_FORMATS = (Format.table, Format.md, Format.html, Format.text, Format.json, Format.csv)
LOCATE_FORMATS = (Format.table, Format.json)
KPI_FORMATS = (Format.table, Format.json, Format.csv)

ReportFormatOpt = Annotated[Format | None, format_option(*REPORT_FORMATS, show_default=False)]


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
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """The TBT Completion report for a day: per class and in total, access issues,
    escalation steps due, who did not self-report, and the outstanding agents. With --class
    or --sme, the report for those agents only (its title says so). With --eml, --msg or
    --send alone, nothing is printed unless --format or --out is given."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render import check_out
    from esp_cli.render import eod as r
    from esp_cli.render import kpi as kr
    from esp_cli.render.busy import working
    from esp_cli.render.mail import say_mailed
    from esp_cli.services.eod import eod_report
    from esp_cli.services.mailing import deliver, prepare

    when, now = as_of_and_now(day, cfg, "--date")
    if out is not None:
        check_out(out)  # refused before any work, with --dry-run too
    # The e-mail's settings fail before anything is written (--out, a draft).
    mailing = prepare(cfg, eml=eml, msg=msg, send=send, dry_run=dry_run)
    if mailing is not None:
        from esp_cli.render.chart import load_pillow

        load_pillow()  # while the tracker's parse still runs on its own thread
    with working(f"Counting {tracker_file.name}"):
        report = eod_report(
            tracker_file, cfg, when, now, cls=cls, sme=sme, kpis=mailing is not None
        )
    r.say_problems(report, verbose)
    shown = False
    if fmt is not None or out is not None or mailing is None:
        shown = r.show(report, cfg.access_values, fmt or Format.table, out, dry_run=dry_run)
    if mailing is not None:
        top = None
        if report.kpi is not None:
            kr.say_findings(report.kpi, verbose, no_clock=False)
            top = kr.mail_section(report.kpi, when)
        compose = partial(r.letter, report, cfg.access_values, top=top)
        mailed = deliver(mailing, cfg, compose, report.tracker)
        say_mailed(mailed, data_on_stdout=shown)
        if mailed.refused:
            raise typer.Exit(int(ExitCode.FINDINGS))  # sent, but not to everyone


@report_app.command("kpi")
def kpi_command(
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar=DATE,
            help=f"The period's first day ({DAY_FORMS}); default: the 10 business days up to --to.",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar=DATE,
            help=f"The period's last day ({DAY_FORMS}); default today.",
            show_default=False,
        ),
    ] = None,
    cls: ClassOpt = None,
    sme: SmeOpt = None,
    fmt: Annotated[Format | None, format_option(*KPI_FORMATS, show_default=False)] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option(
            "--xlsx",
            help="Save the KPIs, the trend with an Excel line chart of it and what each "
            "figure means as a new workbook FILE (.xlsx).",
            show_default=False,
        ),
    ] = None,
    verbose: VerboseOpt = False,
    tracker: TrackerOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Leadership KPIs for a period (default: the 10 business days up to today), per class
    and for all: completion rate, open and behind target, on-time rate and business days
    to complete (median, 90th percentile), ladder steps due by step, SPOC cases open, and
    the trend each business day. With --xlsx alone, nothing is printed unless --format is
    given."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render import kpi as kr
    from esp_cli.render.busy import working
    from esp_cli.services.inputs import check_new_workbook
    from esp_cli.services.kpi import kpi_report

    # A period may end ahead (the rest of the month): --to is the nearest month/day, --from
    # one that has happened.
    last = parse_day(end, cfg, "--to", future=True)
    first = parse_day(start, cfg, "--from") if start is not None else None
    if first is not None and first > last:
        raise UsageError(
            f"--from {first:%Y-%m-%d} is after --to {last:%Y-%m-%d}.",
            fix="give --from on or before --to (or leave --from out for the 10 business days "
            "up to --to).",
        )
    if xlsx is not None:
        check_new_workbook(xlsx, "--xlsx", tracker_file, cfg.master)
    with working(f"Counting {tracker_file.name}"):
        report = kpi_report(tracker_file, cfg, last, first, cls=cls, sme=sme)
    kr.say_findings(report, verbose)
    if fmt is not None or xlsx is None:
        kr.show(report, fmt or Format.table)
    if xlsx is not None:
        kr.write_xlsx(report, xlsx)


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
    no_wait: NoWaitOpt = False,
    fmt: Annotated[Format, format_option(*LOCATE_FORMATS)] = Format.table,
    as_of: AsOfOpt = None,
    tracker: TrackerOpt = None,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """The Cannot Locate TBT cases compiled for the learning contacts ([people]
    learning_contacts): agent, class, course searched and screenshots; Searched by Course
    Number set to Yes for each agent whose screenshots were found.

    With --as-of, the cases of that day: a search whose day is typed in Searched by Course
    Number after it is not made yet, and the e-mail is dated that day."""
    cfg, tracker_file = config_and_tracker(config, tracker)
    # The command's code loads while the tracker is read (config_and_tracker).
    from esp_cli.render import locate as lr
    from esp_cli.services.locate import locate_cases
    from esp_cli.services.mailing import prepare

    day, _ = as_of_and_now(as_of, cfg)
    # The e-mail's settings are checked before Searched by Course Number is written: a
    # missing recipient must not leave the tracker changed and no e-mail made.
    mailing = prepare(
        cfg, eml=eml, msg=msg, send=send, dry_run=dry_run,
        to=cfg.learning_contacts, to_key="[people] learning_contacts",
    )  # fmt: skip
    # Should the tracker not be written once the e-mail is sent: how to set Searched by
    # Course Number without e-mailing the learning contacts again.
    again = "esp report locate" + "".join(
        f" {option} {_arg(path)}"
        for option, path in (("--screenshots", screenshots), ("--tracker", tracker),
                             ("--config", config))
        if path is not None
    )  # fmt: skip
    with waiting_allowed(no_wait):
        result = locate_cases(
            tracker_file, cfg, screenshots, dry_run=dry_run, mailing=mailing, compose=lr.letter,
            again=again, as_of=day,
        )  # fmt: skip
    lr.render(result, fmt, mail_asked=mailing is not None, verbose=verbose)
    exit_if_waiting(result.write)
    if result.mail is not None and result.mail.refused:
        raise typer.Exit(int(ExitCode.FINDINGS))  # sent, but not to everyone


def _arg(path: Path) -> str:
    return f'"{path}"' if " " in str(path) else str(path)
