"""What an agent reported, as data (pure): a SelfReport read from an e-mail or a row of the
progress-report sheet, and a RowProblem for a row or sheet that gave none (mail/selfreports
reads them; esp progress import folds them into Notes)."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from esp_cli.core.addresses import address_spec, split_addresses
from esp_cli.core.names import AFFILIATION, name_tokens
from esp_cli.core.notes import folded
from esp_cli.core.shape import as_json
from esp_cli.core.values import email_key

# What a file of no bytes is: not a damaged report, but one not there yet.
EMPTY_FILE = (
    "an empty file (0 bytes): a copy that did not finish, or a OneDrive file not downloaded yet"
)


def _no_one_near(name: str) -> Sequence[str]:
    return ()


@dataclass(frozen=True)
class KnownAgents:
    """The tracker's agents as the e-mail reader tells them apart: each one's addresses (the
    Email column, when the tracker has one: one address, several parted by `;` or `,`, or
    `Name <address>`) and name ('Brook, Kayla', 'Kayla Brook' and 'Kayla Brook (VendorCX)'
    alike), each agent by a number of its own; `near`, the agents a name not theirs most
    likely means (the import's own matcher: 'closest: …'). Built by the import from the
    tracker's rows; the reader asks it whose a quoted message is."""

    addresses: Mapping[str, frozenset[int]] = field(default_factory=dict)
    names: Mapping[tuple[str, ...], frozenset[int]] = field(default_factory=dict)
    near: Callable[[str], Sequence[str]] = _no_one_near
    # Each agent's addresses, by its number.
    own: Mapping[int, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, agents: Iterable[tuple[str, str]], near: Callable[[str], Sequence[str]] = _no_one_near
    ) -> KnownAgents:
        """From each agent's (name, e-mail) as the tracker spells them ('' when none)."""
        addresses: dict[str, set[int]] = defaultdict(set)
        names: dict[tuple[str, ...], set[int]] = defaultdict(set)
        own: dict[int, frozenset[str]] = {}
        for n, (name, email) in enumerate(agents):
            keys = frozenset(k for k in map(_address_key, split_addresses(email)) if k)
            for key in keys:
                addresses[key].add(n)
            if keys:
                own[n] = keys
            if tokens := name_tokens(name):
                names[tokens].add(n)
        return cls(
            {k: frozenset(v) for k, v in addresses.items()},
            {k: frozenset(v) for k, v in names.items()},
            near,
            own,
        )

    def agents_of(self, person: tuple[str, str]) -> frozenset[int]:
        """The agents a (display name, address) is: by the address, and by the name (a
        company after it apart) — but not an agent whose work address is at the domain of
        the address given and is another: a namesake (the SME Maria Lopez, at the agents'
        own company, is not the agent Maria Lopez). None for a person no agent is."""
        name, address = person
        key = _address_key(address)
        found = self.addresses.get(key, frozenset()) if key else frozenset()
        tokens = name_tokens(name)
        if tokens not in self.names:
            tokens = name_tokens(AFFILIATION.sub("", name))
        named = self.names.get(tokens, frozenset()) if tokens else frozenset()
        if "@" in key:
            domain = key.rpartition("@")[2]
            named = frozenset(n for n in named if domain not in _domains(self.own.get(n, ())))
        return found | named

    def addresses_of(self, person: tuple[str, str]) -> frozenset[str]:
        """The addresses the tracker gives the one agent a (display name, address) is; none
        when it is no agent, or several."""
        found = self.agents_of(person)
        return self.own.get(next(iter(found)), frozenset()) if len(found) == 1 else frozenset()

    def is_agent(self, person: tuple[str, str]) -> bool:
        return bool(self.agents_of(person))

    def same_agent(self, a: tuple[str, str], b: tuple[str, str]) -> bool:
        """Whether two (display name, address) are one agent of the tracker (her work address
        and her personal one with another display name)."""
        return bool(self.agents_of(a) & self.agents_of(b))


def _domains(addresses: Iterable[str]) -> set[str]:
    return {a.rpartition("@")[2] for a in addresses}


def _address_key(text: str) -> str:
    """An address as compared: `Name <address>` and `mailto:` apart, case and spaces
    ignored; what is no address (`#N/A`) as written."""
    return email_key(address_spec(text) or text)


@dataclass(frozen=True)
class Inside:
    """A later line of a CSV report row that reads as a report row but for its date (day
    first, empty or unreadable): a report a quote closed too late swallowed when its name
    or e-mail finds an agent of the tracker (esp progress import asks), else words of the
    row's own answer."""

    source: str  # "File!row 9": the line of the file
    name: str  # under the name header, as typed
    email: str  # under the e-mail header, when an address
    refused: str  # why the line is not imported: read inside the row holding it
    why: str  # why the row holding it is not taken as written, when it is a report


@dataclass(frozen=True)
class SelfReport:
    day: date = field(metadata=as_json(key="date"))
    name: str  # the agent's name as given (display name, or the sheet's Agent Name)
    email: str  # sender address ('' for sheet rows)
    text: str
    source: str  # file name, or "File!row 7"
    # The class the sheet row gives ('' for e-mails, or no Class column).
    cls: str = field(default="", metadata=as_json(key="class"))
    # Who sent an e-mail on behalf of `name` (Outlook's "X on behalf of Y": a delegate, a
    # shared mailbox's member), when another person; '' when `name` sent it.
    sender_name: str = field(default="", metadata=as_json(hidden=True))
    sender_email: str = field(default="", metadata=as_json(hidden=True))
    # What a person should know about the report (its text may be in a file attached,
    # which esp does not read); '' when nothing.
    warning: str = field(default="", metadata=as_json(hidden=True))
    # When an e-mail was sent, on the team's clock (no zone); None for sheet rows. The
    # reports of one day are written in this order.
    sent: datetime | None = field(default=None, metadata=as_json(hidden=True))
    # Why the report, though read, is not to be imported ('' when it may be): a sheet row
    # that names no one, a CSV row that cannot be taken as written.
    refused: str = field(default="", metadata=as_json(hidden=True))
    # A sheet row's update alone, and its other columns' values without their headers, in
    # order (None and () for an e-mail): the report's own words, however its columns were
    # labelled when it was imported.
    update: str | None = field(default=None, metadata=as_json(hidden=True))
    others: tuple[str, ...] = field(default=(), metadata=as_json(hidden=True))
    # The Agent ID a sheet row gives ('' when none): it finds the agent when
    # the name is blank, and must not be another agent's than the name's.
    agent_id: str = field(default="", metadata=as_json(hidden=True))
    # Whether each of `others` is under a header of its own (False: under none).
    labelled: tuple[bool, ...] = field(default=(), metadata=as_json(hidden=True))
    # A CSV row's later lines that may be reports a quote closed too late swallowed.
    inside: tuple[Inside, ...] = field(default=(), metadata=as_json(hidden=True))
    # Whether each of `others` is under a header an earlier esp left out of the note (a
    # second date column, a Forms question headed `Email?`).
    once_left_out: tuple[bool, ...] = field(default=(), metadata=as_json(hidden=True))
    # Who filled in a Microsoft Forms response (its own Name and Email, as given; () when
    # anonymous or not a Forms export): a self-report is the agent's own.
    respondent: tuple[str, ...] = field(default=(), metadata=as_json(hidden=True))
    # Another person's report an e-mail carries as an e-mail attached to it (an SME's forward
    # of an agent's report): whose, of which day, and what to do ('' when none).
    carries: str = field(default="", metadata=as_json(hidden=True))
    # ... those reports, when the e-mail is a forward of them with nothing typed in it.
    carried: tuple[SelfReport, ...] = field(default=(), metadata=as_json(hidden=True))
    # Who an e-mail was sent to (its To and Cc), each (display name, address): an attached
    # e-mail's tell whether it is a notice sent to the agent forwarding it; () for rows.
    to: tuple[tuple[str, str], ...] = field(default=(), metadata=as_json(hidden=True))


def written_otherwise(text: str, report: SelfReport, *, by_earlier_esp: bool) -> bool:
    """Whether the text of a Notes line (of the report's day and agent) is the sheet row
    `report` with its other columns written otherwise: the same update and the same other
    values, whatever their headers (a blank header since given a name: `(column D: x)` and
    `(Blockers: x)`), or — when an earlier esp import of the report's file wrote the line
    (`by_earlier_esp`) — without the values under no header or under a header it took for
    bookkeeping (a second date column), which that esp left out. The same words e-mailed or
    typed by hand hold none of those answers: the report is not in Notes.
    Other values — a second report of the day with the same update and a blocker — are
    another report."""
    if report.update is None:
        return False
    have, update = folded(text), folded(report.update)
    if not update:
        rest = have[1:-1] if have.startswith("(") and have.endswith(")") else None
    elif have == update:
        rest = ""
    elif have.startswith(f"{update} (") and have.endswith(")"):
        rest = have[len(update) + 2 : -1]
    else:
        rest = None
    if rest is None:
        return False
    values = [folded(v) for v in report.others]
    bare = [
        i
        for i, labelled in enumerate(report.labelled)
        if not labelled or (i < len(report.once_left_out) and report.once_left_out[i])
    ]
    # Each way an earlier esp may have written it: with or without each value under no header.
    for n in range(min(len(bare), MAX_LEFT_OUT) + 1 if by_earlier_esp else 1):
        for left_out in itertools.combinations(bare, n):
            kept = [v for i, v in enumerate(values) if i not in left_out]
            if _labelled_as(rest, kept):
                return True
    return False


MAX_LEFT_OUT = 4  # columns under no header in one report that an earlier esp left out


def _labelled_as(text: str, values: Sequence[str]) -> bool:
    """Whether `text` is `values` in order, each after a label (`Blockers: x; column E: y`)."""
    if not values:
        return text == ""
    pattern = "; ".join(r".+?: " + re.escape(v) for v in values)
    return re.fullmatch(pattern, text, re.DOTALL) is not None


def day_off_warning(day: date, why: str, before: date, what: str, command: str) -> str:
    """The warning of a list of who did not self-report (esp report eod, esp progress
    missing) for a day that is not a business day (`why`): nobody self-reports on it; the
    command for `what` of `before`, the business day before it."""
    return (
        f"warning: {day:%a %m/%d/%Y} is not a business day ({why}): nobody self-reports on "
        f"it, so every agent not complete is listed as not reported. For {before:%A}'s "
        f"{what}: {command} --date {before.isoformat()}"
    )


def attached_warning(names: Sequence[str], set_aside: str = "") -> str:
    """The warning for a message with no text of its own and these files attached ('' when
    none is); the lines taken for the sender's signature (`set_aside`) said in it."""
    shown = [n or "a file with no name" for n in names]
    if not shown:
        return ""
    signed = f" but the lines {set_aside!r}, taken for her signature" if set_aside else ""
    return (
        f"no text of its own{signed}, and {', '.join(shown)} attached: esp reads only a "
        "message's text; if the report is in the attachment, add it with esp note add"
    )


@dataclass(frozen=True)
class RowProblem:
    source: str  # "File!row 7" for a row; the source itself when the whole sheet is unusable
    message: str = field(metadata=as_json(key="problem"))
    # For a whole sheet: what makes it readable.
    fix: str = field(default="", metadata=as_json(hidden=True))
