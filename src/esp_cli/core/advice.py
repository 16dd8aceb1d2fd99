"""The team's advice to agents: the situations that call for it and the messages (pure).

Half of the TBT SME Team Expectations is what the SMEs tell agents. Each situation is an
AdviceKind; its message is a template (the team's wording, built in below, or a file of
theirs) with placeholders such as `{first_name}` filled from the tracker and esp.toml.

- A template names only the placeholders of PLACEHOLDERS; any other is refused when the
  template is read (TemplateError, naming the file and the key).
- A placeholder with no value refuses the message (MissingPlaceholderError, naming the key):
  a message is never sent with a hole in it.
- The HTML part is made from the filled text (paragraphs, numbered steps, links), so the
  two parts always say the same thing.

Nothing here reads a file or knows about the command line.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from html import escape

from esp_cli.core.model import CANNOT_LOCATE, EQUIPMENT, access_key, is_issue
from esp_cli.core.notes import NoteKind, lines_of, parse_line
from esp_cli.core.rules import ActionKind, AgentFacts, Evaluation, completion_unknown
from esp_cli.core.rules import as_of as rules_as_of
from esp_cli.errors import ConfigError, EspError, UsageError


class AdviceKind(StrEnum):
    """The situations, by their stable names (JSON, the KIND argument, template files)."""

    SPOC = "spoc"
    CANNOT_LOCATE = "cannot-locate"
    EQUIPMENT = "equipment"
    SELF_REPORT = "self-report"
    BREAKOUT = "breakout"

    @property
    def label(self) -> str:
        """What the Notes line says after 'Advised: ' (and what --due looks for)."""
        return _LABELS[self]

    @property
    def heading(self) -> str:
        """The label as a heading or a file name starts: 'Daily self-report'."""
        return self.label[0].upper() + self.label[1:]

    @property
    def template_file(self) -> str:
        return f"{self.value}.txt"


_LABELS = {
    AdviceKind.SPOC: "SPOC steps",
    AdviceKind.CANNOT_LOCATE: "Cannot Locate TBT screenshots",
    AdviceKind.EQUIPMENT: "Equipment Issue steps",
    AdviceKind.SELF_REPORT: "daily self-report",
    AdviceKind.BREAKOUT: "breakout room",
}

# Spellings people type for each kind, beyond its name and its label.
_KIND_ALIASES = {
    AdviceKind.SPOC: ("spoc steps", "call spoc", "incident", "incident number"),
    AdviceKind.CANNOT_LOCATE: (
        "cannot locate tbt",
        "cant locate",
        "can't locate",
        "locate",
        "screenshots",
        "not found",
    ),
    AdviceKind.EQUIPMENT: ("equipment issue", "equipment steps", "pdf steps"),
    AdviceKind.SELF_REPORT: (
        "selfreport",
        "self reports",
        "daily",
        "daily report",
        "progress",
        "progress report",
    ),
    AdviceKind.BREAKOUT: ("breakout room", "break out", "break out room", "retake", "help"),
}
_KIND_KEYS: dict[str, AdviceKind] = {}
for _kind in AdviceKind:
    for _spelling in (_kind.value, _kind.label, *_KIND_ALIASES[_kind]):
        _KIND_KEYS[access_key(_spelling)] = _kind
        _KIND_KEYS[access_key(_spelling).replace(" ", "")] = _kind


def parse_kind(text: str) -> AdviceKind:
    """'SPOC', 'cannot_locate', 'Cannot Locate TBT', 'self report' -> the kind; anything
    else is a usage error listing the kinds."""
    key = access_key(text)
    found = _KIND_KEYS.get(key) or _KIND_KEYS.get(key.replace(" ", ""))
    if found is None:
        raise UsageError(
            f"{text!r} is not a kind of advice.",
            fix=f"give one of: {', '.join(k.value for k in AdviceKind)}.",
        )
    return found


# -- the situations ---------------------------------------------------------------------------

DUE_KINDS = (
    AdviceKind.SPOC,
    AdviceKind.CANNOT_LOCATE,
    AdviceKind.EQUIPMENT,
    AdviceKind.SELF_REPORT,
)


def situations(facts: AgentFacts, ev: Evaluation, as_of: date) -> list[AdviceKind]:
    """The advice an agent's row calls for on `as_of` (`esp advise --due`), from the rules:

    - spoc: the rules' "advise the agent to call SPOC" is due (a SPOC issue, 10 business
      days since the N Number request, no Incident Number yet);
    - cannot-locate / equipment: Citrix TBT Access says so and All TBTs Complete? is not yes;
    - self-report: the agent's class is starting: `as_of` is from the ESP Start Date to the
      first business day of the clock (a Saturday start counts until Monday);
    - breakout: never by itself (the SMEs invite agents when they need it).

    A complete agent, or one who may be complete (a "Complete?" cell that cannot be read,
    the other yes), gets nothing; an All TBTs Complete? that cannot be read is not yes."""
    if ev.complete or completion_unknown(rules_as_of(facts, as_of)[0]):
        return []
    out: list[AdviceKind] = []
    if any(a.action is ActionKind.ADVISE_SPOC for a in ev.actions):
        out.append(AdviceKind.SPOC)
    if facts.tbts_complete is not True:
        if is_issue(facts.citrix_access, CANNOT_LOCATE):
            out.append(AdviceKind.CANNOT_LOCATE)
        if is_issue(facts.citrix_access, EQUIPMENT):
            out.append(AdviceKind.EQUIPMENT)
    start = facts.esp_start
    if start is not None and ev.clock_start is not None and start <= as_of <= ev.clock_start:
        out.append(AdviceKind.SELF_REPORT)
    return out


# -- the placeholders ------------------------------------------------------------------------

PLACEHOLDERS: dict[str, str] = {
    "first_name": "the agent's first name",
    "agent_name": "the agent's name, first name first",
    "file_name": "the TBT proof's file name: 'First Last TBT.pdf' with the agent's name",
    "spoc_phone": "SPOC's phone number ([spoc] phone)",
    "learning_hub_link": "the external Learning Hub link ([advice] learning_hub_link)",
    "coordinator_name": "the Cert Coordinator ([people] coordinator, else [people] user)",
    "coordinator_email": "the Cert Coordinator's address ([people] coordinator_email, "
    "else [people] user_email)",
    "course": "the course the agent cannot locate (quoted in TBT Notes), else 'one of your TBTs'",
    "due_date": "the last day of the agent's 2-business-day target (needs ESP Start Date)",
    "breakout": "the SMEs' breakout room, a link or a time ([advice] breakout or --breakout)",
    "signer": "who sends the message (--by, else [people] user)",
}
COURSE_UNKNOWN = "one of your TBTs"


class TemplateError(ConfigError):
    """A template file esp cannot use: no Subject line, an unknown placeholder, a stray brace."""


class MissingPlaceholderError(EspError):
    """A message needs a value esp does not have: the message is refused, not sent with a
    hole in it."""

    def __init__(self, key: str, kind: AdviceKind, agent: str, fix: str) -> None:
        self.key = key
        self.kind = kind
        self.agent = agent
        super().__init__(
            f"The {kind.value} message for {agent} needs {{{key}}} ({PLACEHOLDERS[key]}), "
            "which has no value; the message was not made.",
            fix=fix,
        )

    @property
    def reason(self) -> str:
        """Why, for a line that names the agent and the kind already."""
        return f"the message needs {{{self.key}}} ({PLACEHOLDERS[self.key]}), which has no value"


# What fixes each missing value.
MISSING_FIX: dict[str, str] = {
    "first_name": "fill in the agent's name in the Agent Name column.",
    "agent_name": "fill in the agent's name in the Agent Name column.",
    "file_name": "fill in the agent's name in the Agent Name column.",
    "spoc_phone": 'set [spoc] phone = "(888) 905-9500" in esp.toml.',
    "learning_hub_link": 'set [advice] learning_hub_link = "http://..." in esp.toml.',
    "coordinator_name": 'set [people] coordinator = "Name" (or [people] user) in esp.toml.',
    "coordinator_email": 'set [people] coordinator_email = "name@example.com" '
    "(or [people] user_email) in esp.toml.",
    "course": "note the course in TBT Notes, e.g. Cannot find TBT 'Appeals & Grievances'.",
    "due_date": "fill in the agent's ESP Start Date.",
    "breakout": 'pass --breakout "2pm ET" (or a link), or set [advice] breakout in esp.toml.',
    "signer": 'pass --by "Your Name", or set [people] user in esp.toml.',
}


@dataclass(frozen=True)
class Template:
    kind: AdviceKind
    subject: str
    body: str
    source: str  # 'built-in' or the file it was read from

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(_fields(self.subject, self.source) | _fields(self.body, self.source))


def _fields(text: str, source: str) -> set[str]:
    """The placeholders a text names; a stray brace or an unknown or decorated placeholder
    ('{first_name!r}', '{agent.x}') is a TemplateError naming `source`."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(
            f"{source}: {exc} (a placeholder is written {{first_name}}).",
            fix="write a literal brace twice: {{ or }}.",
        ) from exc
    out: set[str] = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise TemplateError(
                f"{source}: unknown placeholder {shown}.",
                fix=f"use only {', '.join('{' + k + '}' for k in PLACEHOLDERS)}.",
            )
        out.add(name)
    return out


def parse_template(kind: AdviceKind, text: str, source: str) -> Template:
    """A template file: 'Subject: ...' on the first line, then the body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    head, rest = lines[0], lines[1:]
    name, sep, subject = head.partition(":")
    if not sep or name.strip().casefold() != "subject" or not subject.strip():
        raise TemplateError(
            f"{source}: the first line must be the subject, e.g. 'Subject: Call SPOC today'.",
            fix=f"start {source} with a 'Subject: ...' line, then the message.",
        )
    body = "\n".join(rest).strip("\n")
    if not body.strip():
        raise TemplateError(f"{source}: the message after the Subject line is empty.")
    template = Template(kind, " ".join(subject.split()), body.rstrip() + "\n", source)
    template.keys  # noqa: B018 (checks the placeholders now, before any message is made)
    return template


def fill(template: Template, values: Mapping[str, str | None], agent: str) -> tuple[str, str]:
    """(subject, text) with every placeholder filled; the first placeholder with no value
    raises MissingPlaceholderError naming it."""
    for key in sorted(template.keys, key=list(PLACEHOLDERS).index):
        value = values.get(key)
        if value is None or not value.strip():
            raise MissingPlaceholderError(key, template.kind, agent, MISSING_FIX[key])
    mapping = {k: values[k] for k in template.keys}
    return template.subject.format_map(mapping), template.body.format_map(mapping)


# -- the team's wording (the seed's TBT SME Team Expectations) --------------------------------

_SIGNATURE = """
Thank you,
{signer}
TBT SME team
"""

BUILT_IN: dict[AdviceKind, str] = {
    AdviceKind.SPOC: """Subject: Action needed: call SPOC about your Citrix access

Hi {first_name},

It has been 10 business days since your N Number was requested, and your Citrix access \
issue is still open. Please do the following today:

1. Call SPOC: {spoc_phone}
2. Obtain an Incident Number.
3. Give the Incident Number to the TBT SME team (reply to this e-mail) so we can update \
the ESP Tracker.
4. Leave a working phone number through which you can be immediately reached.
5. Be prepared to answer your phone when SPOC calls back.
"""
    + _SIGNATURE,
    AdviceKind.CANNOT_LOCATE: """Subject: Cannot locate your TBT: screenshots of your search

Hi {first_name},

You can log in to Citrix but cannot locate {course}. Please send us proof of your search:

1. Search for the TBT by its course number and capture a screenshot showing the search.
2. Search for the TBT by its course name and capture a screenshot showing the search.
3. Send both screenshots to the TBT SME team (reply to this e-mail).

We will help you with this as needed and pass your search on to the Learning Hub team.
"""
    + _SIGNATURE,
    AdviceKind.EQUIPMENT: """Subject: How to complete your TBTs with an equipment issue

Hi {first_name},

Because of your equipment issue, please complete your TBTs on your personal device as \
follows (this can only be done if you have access to Citrix):

1. DO NOT LOGIN TO CITRIX.
2. Go to the external link for Learning Hub: {learning_hub_link}
3. Login using your Citrix credentials.
4. Scroll to the bottom left and click VIEW ALL.
5. Scroll to the bottom and click LOAD MORE.
6. Scroll to the top and click on the little printer on the right.
7. Click the word PRINT.
8. Change the printer to SAVE TO PDF and hit SAVE.
9. Name the file: {file_name}
10. Save it to DOCUMENTS.
11. Go to your e-mail and attach the file.
12. E-mail the attachment to the Cert Coordinator, {coordinator_name} ({coordinator_email}).
"""
    + _SIGNATURE,
    AdviceKind.SELF_REPORT: """Subject: Your daily progress report, every evening before you log off

Hi {first_name},

Welcome to ESP certification. Your Call Certs and TBTs are to be complete by {due_date}.

It is mandatory to report your progress every day, before logging off each evening, in \
the ESP Agent Progress Report.

If you do not have access to the ESP Agent Progress Report, e-mail your progress to the \
Cert Coordinator, {coordinator_name} ({coordinator_email}), before logging off.
"""
    + _SIGNATURE,
    AdviceKind.BREAKOUT: """Subject: TBT help: join the TBT SME breakout room

Hi {first_name},

The TBT SME team has a breakout room to help you retake a failed TBT, or with anything \
else TBT related (for example sending your TBTs as a PDF named {file_name}).

Join us: {breakout}
"""
    + _SIGNATURE,
}


def built_in(kind: AdviceKind) -> Template:
    return parse_template(kind, BUILT_IN[kind], "built-in")


# -- the values --------------------------------------------------------------------------------


# A word of a name: from its first letter or digit to its last ('O'Brien', 'Mary-Jo').
_NAME_WORD = re.compile(r"\w(?:.*\w)?")


# Titles typed before a name, not a first name ('Dr. Rebecca Stone' is Rebecca), folded:
# English ones and the Spanish ones of a US call center ('Dra.', 'Sr.', 'Sra.', 'Srta.').
TITLES = frozenset(
    {"dr", "dra", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "rev", "sr", "sra", "srta"}
)


# What ends a name after the surname: a generation ('Smith Jr.', 'Smith V') or a degree or
# other post-nominal ('Smith PhD', 'Smith, M.D.', 'Jones RN'); and the words a surname
# begins with ('Van Dyke', 'De La Cruz', 'Dela Cruz', 'Dos Santos', 'Al Hassan', 'Mac
# Donald', 'Ibn Sina'), folded, their dots left out.
_SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "v", "vi"}
    | {"phd", "md", "do", "rn", "lpn", "np", "bsn", "msn", "dds", "dmd", "dvm", "pharmd"}
    | {"esq", "jd", "cpa", "cfa", "mba", "pmp", "cna", "lcsw", "edd", "psyd"}
)
_PARTICLES = frozenset(
    {"van", "von", "de", "del", "della", "der", "den", "des", "di", "da", "du", "la", "le"}
    | {"st", "ste", "ter", "ten", "dela", "delos", "dos", "das", "do", "al", "el", "mac"}
    | {"bin", "ben", "ibn", "abu", "bint", "ap", "af", "zu", "lo"}
)


# The particles that are no first name: after a title they begin a surname however typed
# ('Ms. Van Dyke', 'Ms. Dela Cruz'). The others are first names too ('Al', 'Ben', 'Do',
# 'Mac', 'Lo', 'Des', 'Le'): a surname when typed in lower case ('Mr. al Hassan'); before
# one more word alone, either ('Mr. Al Hassan', 'Mr. Al Green'): the name greeted whole;
# before more words, the first name ('Mr. Al James Green' is Al).
_SURNAME_PARTICLES = frozenset(
    {"van", "von", "de", "del", "della", "der", "den", "di", "da", "du", "dela", "delos"}
    | {"dos", "das", "st", "ste", "ter", "ibn", "bin", "bint", "abu", "ap", "af", "zu"}
    | {"el"}  # 'Ms. El Amrani', 'Mr. El Sayed': a surname far more often than a first name
)
# The generations and post-nominals that are also surnames or an initial ('Ms. Ana Do',
# 'Ms. Mai Vi', 'Ms. Ana V'): never left out, dots aside ('D.O.') and in capitals ('DO',
# 'VI': the degree, the generation), when one word would be left: the name is greeted
# whole.
_ALSO_NAMES = frozenset({"do", "v", "vi"})
# The generations in Roman numerals: typed in capitals ('IV', 'IV.'); 'Iv.' or 'Iv' after a
# first name that begins a surname too ('Mr. Ben Iv.', 'Mr. Al Ii') is no generation (see
# first_name).
_GENERATIONS = frozenset({"ii", "iii", "iv", "v", "vi"})


def _particle(word: str) -> bool:
    """Whether a word after a title begins a surname (_SURNAME_PARTICLES, or any particle
    typed in lower case)."""
    folded = _folded(word)
    return folded in _SURNAME_PARTICLES or (folded in _PARTICLES and word[:1].islower())


def _either(word: str, rest: list[str], last: str) -> bool:
    """Whether a word after a title that is a first name as well as a particle ('Al', 'Mac',
    'Ben', 'Do'), before one more word alone (`last`, as typed), may as well begin a
    two-word surname ('Mr. Al Hassan', 'Mr. Mac Tran'): no telling, so the name is greeted
    whole, right either way. Before an initial ('Mr. Ben C.', or a surname cut short, a few
    letters with no vowel and a period that are no particle: 'Mr. Ben Ch.') it is the first
    name."""
    return (
        len(rest) == 2
        and _folded(word) in _PARTICLES
        and (len(_folded(rest[1])) > 1 or _caseless(rest[1]))
        and not (_cut_short(last) and _folded(last) not in _WHOLE_PARTICLES)
    )


# Surnames of letters with no vowel, no word cut short with a stray period after them.
_VOWELLESS_SURNAMES = frozenset({"ng"})


def _cut_short(typed: str) -> bool:
    """Whether a last word as typed is a surname cut short ('Ch.', 'Chr.', 'St.'): a few
    letters with no vowel and a period. A short surname with a stray period after it
    ('Lee.', 'Kim.', 'Wu.', 'Ng.') is a whole word: no telling, so it is none."""
    stem = _folded(typed)
    return (
        _abbreviated(typed)
        and not _caseless(stem)
        and not any(c in "aeiouy" for c in _base_letters(stem))
        and stem not in _VOWELLESS_SURNAMES
    )


# The letters with no decomposition into a base letter and marks, folded by hand.
_NO_DECOMPOSITION = str.maketrans(
    {"đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "ı": "i", "ð": "d", "þ": "th"}
)


def _base_letters(folded: str) -> str:
    """A folded word's letters without their accents ('lê' is 'le', 'đỗ' is 'do'), so that
    an accented vowel is a vowel."""
    bare = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return bare.translate(_NO_DECOMPOSITION)


def _caseless(word: str) -> bool:
    """Whether a word is written in a script with no capitals (Chinese, Japanese, Korean,
    Arabic...): a whole word, never an initial or a word cut short ('Mr. 王.')."""
    return not any(c.isupper() or c.islower() for c in word)


# The most letters a word cut short keeps ('Ch.', 'Chr.'): a longer word with a period
# after it ('Hassan.', 'Tran.') is a whole word and a stray period.
_CUT_SHORT_LETTERS = 3
# The particles that are whole words (a name's, a surname's: 'Le Van.', 'Ben Mac.'): with a
# period after them as the last word, a stray period, no word cut short. 'St.' and 'Ste.'
# are cut short themselves.
_WHOLE_PARTICLES = _PARTICLES - {"st", "ste"}


def _abbreviated(typed: str) -> bool:
    """Whether a word as typed is cut short, an initial: a few letters and a period ('C.',
    'Ch.', 'Chr.', 'Do.'), no other dot in it (a degree spelled 'D.O.' is none)."""
    word = typed.rstrip(",;:)")
    stem = word[:-1]
    return word.endswith(".") and stem.isalpha() and len(stem) <= _CUT_SHORT_LETTERS


def _folded(word: str) -> str:
    return word.casefold().replace(".", "")


def _shown(word: str, typed: str, last: bool) -> str:
    """A word of a surname greeted (`word`, as _NAME_WORD found it in `typed`) with the
    period typed after it kept where it is part of the name: a particle's before the rest
    of the surname ('St. James'); the last word's when it is an initial or a word cut short
    ('Mr. C.', 'Mr. Ch.', 'Mr. St.'). After a whole word it is a stray period, left out
    ('Mrs. Le Van.', 'Mrs. Smith.')."""
    if not typed[typed.find(word) + len(word) :].startswith("."):
        return word
    if not last:
        return word + "." if _folded(word) in _PARTICLES else word
    initial = len(word) == 1 and not _caseless(word)  # 'Mr. C.', not 'Mr. 王.'
    if initial or _cut_short(typed) or _folded(word) in _PARTICLES - _WHOLE_PARTICLES:
        return word + "."
    return word


def first_name(name: str) -> str | None:
    """The first word of the name (first name first, as the tracker's are read) with a
    letter or digit in it, without the punctuation around it ('Bad: Name?' is 'Bad'), a
    title before it left out ('Dr. Rebecca Stone' and 'Dr.Rebecca Stone' are 'Rebecca':
    TITLES); a title before a surname alone stays with it ('Mrs. Smith'); an initialism
    keeps its last dot ('J.R.'). None when the name has no such word."""
    parts = name.split()
    if parts:  # a title typed against the name ('Dr.Rebecca'): a word of its own
        head, dot, rest = parts[0].partition(".")
        if dot and head.casefold() in TITLES and _NAME_WORD.search(rest):
            parts[:1] = [head + dot, rest]
    words = [(word, found) for word in parts if (found := _NAME_WORD.search(word))]
    titles = 0
    while len(words) - titles > 1 and words[titles][1][0].casefold() in TITLES:
        titles += 1
    if not words:
        return None
    word, found = words[titles]
    if titles:
        # After a title, a surname alone: 'Mrs. Smith', 'Mrs. Smith Jr.', 'Ms. van Dyke',
        # 'Dr. De La Cruz' (a surname particle first: no first name there): greeted so.
        # A particle's dot is kept as typed ('St. James'), an initial's as well (_shown).
        surname = [f[0] for _, f in words[titles:]]
        typed = [w for w, _ in words[titles:]]

        def greeted() -> str:
            shown = [
                _shown(word, typed[i], i == len(surname) - 1) for i, word in enumerate(surname)
            ]
            return f"{words[titles - 1][0]} {' '.join(shown)}"

        # A letter with a dot after it is an initial ('Ms. Ana V.'), no generation; so is a
        # surname or initial cut short ('Ms. Ana Do.', 'Ms. Mai Vi.'), no degree.
        while len(surname) > 1 and _folded(surname[-1]) in _SUFFIXES:
            last = typed[len(surname) - 1]
            if len(surname[-1]) == 1 and last.endswith("."):
                break
            if _folded(surname[-1]) in _ALSO_NAMES and _abbreviated(last) and not last.isupper():
                break
            if (
                len(surname) == 2
                and _folded(surname[0]) in _PARTICLES
                and _folded(surname[-1]) in _GENERATIONS
                and not last.isupper()
                and (len(surname[-1]) > 1 or _abbreviated(last))
            ):
                # 'Mr. Ben Iv.', 'Mr. Ben Iv', 'Mr. Al Ii': not 'Mr. Ben' the fourth, with
                # or without the period (_either: greeted whole). A letter alone ('Mr. Ben
                # v') is a surname or an initial as well, as below.
                break
            degree = len(last) > 1 and last.isupper()  # 'Dr. Smith DO', 'Mr. Smith VI'
            if (
                len(surname) == 2
                and _folded(surname[-1]) in _ALSO_NAMES
                and "." not in last
                and not degree
            ):
                # A surname or an initial as well ('Ms. Ana Do', 'Ms. Ana V', 'Mr. Smith
                # V'): no telling a first name from a surname left alone, greeted whole.
                return greeted()
            surname.pop()
        last = typed[len(surname) - 1]
        if len(surname) == 1 or _particle(found[0]) or _either(found[0], surname, last):
            return greeted()
    if "." in found[0] and word[found.end() : found.end() + 1] == ".":
        return found[0] + "."
    return found[0]


def course_text(course: str | None) -> str:
    return f"the TBT '{course}'" if course else COURSE_UNKNOWN


def fmt_due(day: date | None) -> str | None:
    return f"{day:%A} {day:%m/%d/%Y}" if day is not None else None


# -- HTML from the filled text -----------------------------------------------------------------

FONT = "font-family:Segoe UI,Calibri,Arial,sans-serif;font-size:15px;line-height:1.5;color:#222222"
_STEP = re.compile(r"^(\d{1,2})[.)]\s+(.*)$")
_BULLET = re.compile(r"^[-*•]\s+(.*)$")
_URL = re.compile(r"(https?://[^\s<>()]+[^\s<>().,;:!?'\"])")
_MAIL = re.compile(r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _inline(text: str) -> str:
    """Escaped text with its links and e-mail addresses clickable."""
    out: list[str] = []
    pos = 0
    for m in re.finditer(f"{_URL.pattern}|{_MAIL.pattern}", text):
        out.append(escape(text[pos : m.start()]))
        found = m.group(0)
        href = found if m.group(1) else f"mailto:{found}"
        out.append(f'<a href="{escape(href)}" style="{FONT};color:#0b57d0">{escape(found)}</a>')
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def to_html(subject: str, text: str) -> str:
    """The message as simple HTML: paragraphs, numbered steps as a list, links; a font on
    every element (Outlook ignores inherited styles) and a width that fits a phone."""
    blocks: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        steps = [_STEP.match(ln) for ln in lines]
        bullets = [_BULLET.match(ln) for ln in lines]
        if all(steps):
            start = int(steps[0].group(1)) if steps[0] else 1
            items = "".join(
                f'<li style="{FONT};margin:0 0 6px 0">{_inline(m.group(2))}</li>'
                for m in steps
                if m
            )
            blocks.append(
                f'<ol start="{start}" style="{FONT};margin:0 0 14px 0;padding-left:24px">'
                f"{items}</ol>"
            )
        elif all(bullets):
            items = "".join(
                f'<li style="{FONT};margin:0 0 6px 0">{_inline(m.group(1))}</li>'
                for m in bullets
                if m
            )
            blocks.append(f'<ul style="{FONT};margin:0 0 14px 0;padding-left:24px">{items}</ul>')
        else:
            inner = "<br>".join(_inline(ln) for ln in lines)
            blocks.append(f'<p style="{FONT};margin:0 0 14px 0">{inner}</p>')
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(subject)}</title></head>"
        f'<body style="{FONT};margin:0;padding:12px">'
        f'<div style="{FONT};max-width:600px">{"".join(blocks)}</div>'
        "</body></html>\n"
    )


# -- the Notes record --------------------------------------------------------------------------

ADVISED = "Advised:"


def advised_text(kind: AdviceKind) -> str:
    """The note recorded once the message is saved or sent: 'Advised: SPOC steps'."""
    return f"{ADVISED} {kind.label}"


def advised_on(notes: object, kind: AdviceKind) -> date | None:
    """The day of the latest 'Advised: <label>' line in a Notes cell, or None."""
    if not isinstance(notes, str):
        return None
    wanted = " ".join(advised_text(kind).split()).casefold()
    found: date | None = None
    for text in lines_of(notes):
        line = parse_line(NoteKind.NOTES, text)
        if line is None:
            continue
        if " ".join(line.text.split()).casefold().startswith(wanted) and (
            found is None or line.day > found
        ):
            found = line.day
    return found
