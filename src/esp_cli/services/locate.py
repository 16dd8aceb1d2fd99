"""esp report locate: the Cannot Locate TBT cases compiled for the learning contacts.

A case is an outstanding agent whose Citrix TBT Access is Cannot Locate TBT. For each: the
agent, the class, the course searched (the newest quoted course name in TBT Notes, e.g.
`Cannot find TBT 'Appeals & Grievances'`), and the screenshots of the searches, matched to
the agent by file name (every word of the agent's name in the file's name, in any order:
`Ethan Brooks course number.png`, `brooks_ethan-name.jpg`). Searched by Course Number is set
to the column's Yes for each agent whose screenshots were found (the search is documented);
an agent without a screenshot is listed, not changed. A file that names no case, or several,
is listed too, never attached to a guess.

A day replayed (`--as-of` before today) shows that day's cases: the completions dated after
it not yet made, Citrix TBT Access and Searched by Course Number as they were then
(services.replay), a day of the search typed after it not searched yet, the notes dated
after it unwritten; the e-mail is dated that day. The Yes is written as the cell reads
today: the screenshots found are a search documented now. It is written only for a case
still open today: an agent complete since, or whose Citrix TBT Access changed since, is
listed for that day, her cell left alone and said.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.columns import searched_on
from esp_cli.core.model import CANNOT_LOCATE, Letter, MailReport, is_issue
from esp_cli.core.names import name_tokens, name_words
from esp_cli.core.notes import NoteKind, lines_of, parse_line
from esp_cli.core.refs import address
from esp_cli.core.rules import done_by
from esp_cli.errors import EspError, ExitCode, InputFileError, UsageError
from esp_cli.results.locate import LocateCase, LocateResult, UnmatchedFile
from esp_cli.services.agents import count_agents_once, without_agents_twice
from esp_cli.services.facts import COMPLETION_NEED, need_rule_columns
from esp_cli.services.mailing import Mailing, deliver
from esp_cli.services.replay import rows_as_of
from esp_cli.system import is_system_file
from esp_cli.workbook.session import write_session
from esp_cli.workbook.tracker import Row, Sheet, answer_kept, answer_over, searched_ahead

log = logging.getLogger("esp")

TBT = NoteKind.TBT
ACCESS_KEY = "citrix_access"
SEARCHED = "searched_course"
READ_KEYS = (
    "call_cert_complete", "call_cert_date", "tbts_complete", "tbt_complete_date", ACCESS_KEY,
    SEARCHED, TBT.column_key,
)  # fmt: skip
SCREENSHOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".pdf")
# The renderer's words for the cases' e-mail: (cases, day, greeting, sign-off) -> Letter.
ComposeCases = Callable[[list[LocateCase], date, str | None, str | None], Letter]
_QUOTED = re.compile(r"['\"‘“]([^'\"’”]{3,}?)['\"’”](?=\W|$)")


def course_searched(tbt_notes: object, by: date | None = None) -> str | None:
    """The newest quoted course name in the TBT Notes lines (newest last), or None; with
    `by`, of the lines not dated after it (a day replayed knows no later note)."""
    if not isinstance(tbt_notes, str):
        return None
    found = None
    for text in lines_of(tbt_notes):
        line = parse_line(TBT, text)
        if line is not None and by is not None and line.day > by:
            continue
        for match in _QUOTED.finditer(line.text if line else text):
            found = match.group(1).strip()
    return found


def screenshot_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputFileError(
            f"{folder}: no such folder.", fix="give --screenshots the folder of screenshots."
        )
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SCREENSHOT_SUFFIXES and not is_system_file(p)
    )


def _file_words(path: Path) -> set[str]:
    return set(name_words(path.stem))


def match_screenshots(
    files: list[Path], cases: list[tuple[Row, str]], held: Sequence[Row] = ()
) -> tuple[dict[int, list[Path]], list[tuple[Path, str]]]:
    """Files by case index, and the files matching no case or several (with why); a file
    matching no case but an agent of `held` (left out: on two sheets) says so."""
    by_case: dict[int, list[Path]] = {}
    unmatched: list[tuple[Path, str]] = []
    for file in files:
        words = _file_words(file)
        hits = [
            i
            for i, (row, _) in enumerate(cases)
            if (tokens := name_tokens(row.name)) and set(tokens) <= words
        ]
        if len(hits) == 1:
            by_case.setdefault(hits[0], []).append(file)
        elif hits:
            names = ", ".join(cases[i][0].label() for i in hits)
            unmatched.append((file, f"names several agents: {names}"))
        elif whose := [r for r in held if (t := name_tokens(r.name)) and set(t) <= words]:
            unmatched.append((file, f"names {whose[0].label()}, left out: on two sheets"))
        else:
            unmatched.append((file, "names no Cannot Locate TBT agent"))
    return by_case, unmatched


def _sent_but_not_written(
    exc: EspError, mailed: MailReport, agents: list[str], again: str
) -> EspError:
    """The e-mail went, then the tracker could not be written (open in Excel, changed since
    it was read): say so (`agents`: those whose Searched by Course Number was to be set), and
    how to record it without e-mailing the learning contacts a second time."""
    who = f" for {', '.join(agents)}" if agents else ""
    when = "once the workbook is closed" if exc.exit_code is ExitCode.BUSY else "once that is fixed"
    return type(exc)(
        f"The e-mail was sent to {', '.join(mailed.sent_to)}, but Searched by Course Number "
        f"was not set{who}: {exc.message}",
        fix=f"do not run the command again with --send (the e-mail would go twice); {when}, "
        f"run {again} (without --send), which only sets Searched by Course Number.",
    )


def _open_today(row: Row, today: date) -> bool:
    """Whether an agent's row, as it is today, is an open Cannot Locate TBT case."""
    complete = done_by(row.get("call_cert_complete"), row.get("call_cert_date"), today) and (
        done_by(row.get("tbts_complete"), row.get("tbt_complete_date"), today)
    )
    return not complete and is_issue(row.get(ACCESS_KEY), CANNOT_LOCATE)


def _closed_since(sheet: Sheet, row: Row, day: date) -> str:
    """What is said of a case of a day replayed that is none today (complete since, or her
    Citrix TBT Access changed): listed for that day, Searched by Course Number not set."""
    col = sheet.columns.get(SEARCHED)
    cell = f"{address(sheet.name, row.row, col)} " if col is not None else ""
    header = sheet.headers[col] if col is not None else "Searched by Course Number"
    return (
        f"{cell}({row.label()}, {header}) not set: a Cannot Locate TBT case on "
        f"{day:%m/%d/%Y}, no longer one today (complete, or Citrix TBT Access changed "
        "since); the screenshots are listed for that day only."
    )


def locate_cases(
    tracker_path: Path,
    config: Config,
    screenshots: Path | None,
    *,
    write: bool = True,
    dry_run: bool = False,
    mailing: Mailing | None = None,
    compose: ComposeCases | None = None,
    again: str = "esp report locate",
    as_of: date | None = None,
) -> LocateResult:
    """The open Cannot Locate TBT cases (on `as_of`, default today: a day replayed, see the
    module's words; a day still to come is refused); with `write` (not `dry_run`),
    Searched by Course Number set to Yes for each agent whose screenshots were found and
    whose cell reads not searched today.

    With `mailing`, the cases go to the learning contacts as an e-mail (`compose`'s words,
    the screenshots attached) once they are known and before the tracker is written: an
    e-mail that cannot be saved or sent leaves the tracker unchanged, as its error says. An
    e-mail sent when the tracker then cannot be written is said, with `again` (the command
    that sets Searched by Course Number without sending it twice) in the fix."""
    today = config.today()
    day = today if as_of is None else as_of
    if day > today:
        raise UsageError(
            f"--as-of {day:%m/%d/%Y} is a day still to come (today is {today:%m/%d/%Y}): its "
            "Cannot Locate TBT cases are not known yet.",
            fix="leave out --as-of for today's cases, or give a day up to today.",
        )
    files = screenshot_files(screenshots) if screenshots is not None else []
    mailed: MailReport | None = None
    cases: list[LocateCase] = []
    to_set: list[str] = []  # the agents whose Searched by Course Number is set
    held: list[Row] = []  # cases left out: the agent is on two sheets
    try:
        with write_session(tracker_path, config, keys=READ_KEYS, dry_run=dry_run, write=write) as s:
            need_rule_columns(s.table, config, COMPLETION_NEED)
            rows = list(s.table.rows())
            # A day replayed: Citrix TBT Access and Searched by Course Number as they were
            # at its end (services.replay); the rows as they are now are the ones written.
            then = rows_as_of(s.table, config, day, rows, today=today)
            found: list[tuple[Row, str]] = []
            at: dict[tuple[str, int], Row] = {}  # the row as it is now, by where it is
            for now_row, row in zip(rows, then, strict=True):
                if done_by(row.get("call_cert_complete"), row.get("call_cert_date"), day) and (
                    done_by(row.get("tbts_complete"), row.get("tbt_complete_date"), day)
                ):
                    continue
                if is_issue(row.get(ACCESS_KEY), CANNOT_LOCATE):
                    found.append((row, CANNOT_LOCATE))
                    at[(row.sheet, row.row)] = now_row
            if mailing is not None or files:
                # An agent on two sheets (a copy of the tab) would be a case twice in the
                # e-mail and matched to no screenshot, or a case from a stale row when her
                # other row is closed: left out, said; the others go on.
                kept = {
                    (row.sheet, row.row)
                    for row in without_agents_twice(
                        [row for row, _ in found],
                        s.table.path.name,
                        "esp report locate e-mails and sets neither",
                        among=then,
                    )
                }
                held = [row for row, _ in found if (row.sheet, row.row) not in kept]
                found = [(row, why) for row, why in found if (row.sheet, row.row) in kept]
            else:
                # Only shown: an agent on two sheets is one case, listed once, said.
                once = count_agents_once(
                    (row for row, _ in found), s.table.path.name, "esp report locate", among=then
                )
                kept = {(row.sheet, row.row) for row in once}
                found = [(row, why) for row, why in found if (row.sheet, row.row) in kept]
            by_case, unmatched = match_screenshots(files, found, held)
            said: set[tuple[str, int, int]] = set()  # the cells kept, said once
            for i, (row, _) in enumerate(found):
                # The day of the search typed in place of Yes: searched from that day on.
                searched = searched_on(row.get(SEARCHED), day) is True
                now_row = at[(row.sheet, row.row)]
                ahead = searched_ahead(s.table.sheet(row.sheet), now_row, today)
                if ahead is not None:  # a day still to come: kept, said, not searched yet
                    log.warning("%s", ahead)
                attached = tuple(by_case.get(i, []))
                # Written as the cell reads today: a search recorded since the day replayed
                # (its day typed in place of Yes) is kept.
                searched_now = searched_on(now_row.get(SEARCHED), today) is True
                closed = day < today and not _open_today(now_row, today)
                if attached and closed:
                    # A case then, none today: listed for that day, her cell left alone.
                    log.warning("%s", _closed_since(s.table.sheet(row.sheet), now_row, day))
                elif attached and not searched_now and ahead is None:
                    if answer_over(now_row, SEARCHED) is None:
                        yes = s.table.yes_no(now_row, SEARCHED, True)
                        s.plan.set(now_row, SEARCHED, yes)
                        to_set.append(now_row.label())
                    else:
                        # The team's own word there (a note): kept, said, the
                        # other agents' set all the same.
                        sheet = s.table.sheet(row.sheet)
                        log.warning("%s", answer_kept(sheet, now_row, SEARCHED))
                        said.add((row.sheet, row.row, sheet.columns[SEARCHED]))
                cases.append(
                    LocateCase(
                        agent=row.label(),
                        cls=" ".join(row.cls.split()),
                        sheet=row.sheet,
                        row=row.row,
                        course=course_searched(row.raw.get(TBT.column_key), day),
                        searched_before=searched,
                        screenshots=attached,
                    )
                )
            if mailing is not None and compose is not None and cases:
                mailed = deliver(
                    mailing,
                    config,
                    lambda greeting, signoff: compose(cases, day, greeting, signoff),
                    tracker_path,
                    [shot for case in cases for shot in case.screenshots],
                )
    except EspError as exc:
        if mailed is None or not mailed.sent:
            raise
        raise _sent_but_not_written(exc, mailed, to_set, again) from exc
    return LocateResult(
        as_of=day,
        cases=cases,
        unmatched_files=[UnmatchedFile(file, why) for file, why in unmatched],
        findings=[f for f in s.table.findings if (f.sheet, f.row, f.col) not in said],
        write=s.report,
        screenshots_dir=screenshots,
        mail=mailed,
        left_out=len({(row.cls, *row.identity()) for row in held}),
    )
