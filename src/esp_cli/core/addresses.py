"""E-mail addresses as the team types them: one, or several in one string.

Outlook separates recipients with `;`, most other clients with `,`; a display name may hold
either inside quotes (`"Reyes, Jordan" <jordan@example.com>`). Every piece is checked on its
own, strictly: what the standard library's parseaddr forgives (a second address after `;`, a
line break that would start a new header) is refused here, so a header esp writes never
holds an empty recipient or a smuggled one.
"""

from __future__ import annotations

import re
from email.errors import MessageError
from email.headerregistry import Address
from email.utils import parseaddr

# local@domain.tld: no spaces, no second @, a dot in the domain.
_ADDR_SPEC = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+")
# C0 and C1 control characters, DEL and the line and paragraph separators: none belongs in
# a header (a line break would start a new one; the others show as nothing a person can
# read).
HEADER_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# RFC 5321's longest address (a path of 256 characters, its angle brackets included): no
# server takes a longer one, and no fold can shorten the header line that holds it.
MAX_ADDRESS = 254


# `Hughes, Torrey <t@example.com>`: a name, its commas unquoted as Outlook's To box shows it,
# then the address in angle brackets.
_NAME_THEN_ADDRESS = re.compile(r"^(?P<name>[^<>\"@]*?)\s*<(?P<addr>[^<>]+)>$")
# `Hughes, Torrey [mailto:t@example.com]`: the same, as older Outlook quotes a recipient;
# `Hughes, Torrey [t@example.com]` (Lotus Notes, some web mail) and `Hughes, Torrey
# (t@example.com)`, as other mail programs write one.
# (`[SMTP:t@example.com]`, `(mailto:t@example.com)`, `[SIP:…]`: the address after its
# scheme.)
_NAME_THEN_BRACKETED = re.compile(
    r"^[^<>\"@\[\]()]*?\s*(\[([a-z][\w+.-]*:)?[^\[\]\s:]+@[^\[\]\s]+\]"
    r"|\(([a-z][\w+.-]*:)?[^()\s:]+@[^()\s]+\))$",
    re.I,
)
# A name alone of one word (`Dunn`), the last name of `Dunn, Xavier`; and what may follow
# it as the first name: one word, maybe with an initial (`Xavier`, `Xavier J.`), never a
# name of its own (`Kayla Brooks` after `Support` is another person).
_ONE_NAME_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
_FIRST_NAME = re.compile(r"^[^\W\d_][\w'’-]*(\s+[^\W\d_]\.?)?$")


def split_addresses(text: str, at: str = ",;", *, last_first: bool = False) -> list[str]:
    """The recipients in `text`, split at `,` and `;` (those of `at`) outside quotes, angle
    brackets and parentheses (a comment: `t@example.com (Hughes, Torrey)`); blank pieces (a
    trailing `;`) left out. A comma in a name before its `<address>` (`Hughes, Torrey
    <t@example.com>`, as Outlook's To box shows it), its `[mailto:address]` (as older Outlook
    quotes it), its `[address]` or its `(address)` (as other mail programs write it) is part
    of the name. `last_first`: a name alone of one word and a first name alone after it
    (maybe with an initial) are one name, last name first (`Dunn, Xavier` in `Stone
    <r@example.com>, Dunn, Xavier`; `Support, Kayla Brooks` stays two)."""
    pieces, separators, unclosed = _pieces(text, at, comments=True)
    if unclosed:  # a parenthesis never closed opens no comment
        pieces, separators, _ = _pieces(text, at, comments=False)
    merged: list[str] = []
    joined = False  # whether merged[-1] is a name joined to what followed it
    for i, piece in enumerate(pieces):
        previous = merged[-1].strip() if merged else ""
        named = bool(previous) and separators[i - 1] == "," and "@" not in previous and not joined
        this = piece.strip()
        joins = named and bool(
            _NAME_THEN_ADDRESS.match(this)
            or _NAME_THEN_BRACKETED.match(this)
            or last_first
            and _FIRST_NAME.match(this)
            and _ONE_NAME_WORD.match(previous)
        )
        if joins:
            merged[-1] = f"{previous}, {this}"
        else:
            merged.append(piece)
        joined = joins
    return [p.strip() for p in merged if p.strip()]


def _pieces(text: str, at: str, *, comments: bool) -> tuple[list[str], list[str], bool]:
    """`text` split at the characters of `at` outside quotes, angle brackets and (when
    `comments`) parentheses: the pieces, the separator after each but the last, and whether
    a parenthesis was left open."""
    pieces: list[str] = []
    separators: list[str] = []
    current: list[str] = []
    quoted = False
    angle = False
    escaped = False
    depth = 0  # how deep in a comment's parentheses
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif ch == '"' and not angle and not depth:
            quoted = not quoted
        elif ch == "<" and not quoted and not depth:
            angle = True
        elif ch == ">" and not quoted and not depth:
            angle = False
        elif ch == "(" and comments and not quoted and not angle:
            depth += 1
        elif ch == ")" and comments and not quoted and not angle and depth:
            depth -= 1
        elif ch in at and not quoted and not angle and not depth:
            pieces.append("".join(current))
            separators.append(ch)
            current = []
            continue
        current.append(ch)
    pieces.append("".join(current))
    return pieces, separators, depth > 0


def name_and_address(text: str) -> tuple[str, str]:
    """parseaddr, but a name with unquoted commas before `<address>` stays the name."""
    found = _NAME_THEN_ADDRESS.match(text)
    if found is not None and "," in found.group("name"):
        return found.group("name").strip(), found.group("addr").strip()
    return parseaddr(text)


def address_spec(text: str) -> str | None:
    """The bare address (`name@example.com`) of one recipient — `name@example.com`,
    `Name <name@example.com>`, `mailto:name@example.com` — or None when it is not exactly
    one well-formed address."""
    text = text.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:].strip()
    if not text or HEADER_CONTROL.search(text) or len(split_addresses(text)) != 1:
        return None
    addr = name_and_address(text)[1]
    if not _ADDR_SPEC.fullmatch(addr) or len(addr) > MAX_ADDRESS:
        return None
    # parseaddr drops what it does not understand: the address must be what was written,
    # alone, in angle brackets after a name, or before a comment ('ana@x.com (home)').
    if text == addr or text.endswith(f"<{addr}>"):
        return addr
    if re.fullmatch(rf"{re.escape(addr)}\s*\([^()]*\)", text):
        return addr
    return None


def not_an_address(text: str) -> str:
    """Why `text` is not one address (address_spec gave None), in words that follow it:
    "is not an e-mail address", or what is wrong with one that is."""
    addr = name_and_address(text.strip().removeprefix("mailto:"))[1]
    if _ADDR_SPEC.fullmatch(addr) and len(addr) > MAX_ADDRESS:
        return f"is longer than the {MAX_ADDRESS} characters a mail server takes"
    return "is not an e-mail address"


def unsendable(addr: str) -> str | None:
    """Why esp cannot put the address (a well-formed one) in a message it writes, in words
    that follow it; None when it can. One beyond ASCII (`ana@bücher.de`) needs a domain in
    the form a mail program shows it (`xn--bcher-kva.de`): esp does not convert it, as the
    forms differ between the standards' editions (`straße.de`)."""
    if addr.isascii():
        return None
    if not addr.rpartition("@")[0].isascii():
        return "has letters beyond ASCII before the @, which esp cannot send to"
    return (
        "has a domain beyond ASCII: write it in its ASCII (xn--…) form, as your mail program "
        "shows it"
    )


def recipient(text: str) -> str | None:
    """One recipient as a header shows it (`Name <name@example.com>` or the bare address),
    or None when `text` is not exactly one well-formed address."""
    addr = address_spec(text)
    if addr is None:
        return None
    name = name_and_address(text.strip().removeprefix("mailto:"))[0]
    return named(name, addr)


def named(name: str, addr: str) -> str:
    """`Name <address>` (the bare address when there is no name), the name quoted as RFC
    5322 says by the email package (`"Reyes, Jordan" <…>`) and kept as itself beyond ASCII:
    encoded where a header is written, never shown encoded in a sign-off or a dry run."""
    if not name:
        return addr
    try:
        return str(Address(display_name=name, addr_spec=addr))
    except (ValueError, MessageError):
        # An address the email package will not take apart (`ethan..brooks@…`, which
        # servers take): the name quoted as it would quote it.
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{quoted if _SPECIALS.search(name) else name} <{addr}>"


_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


def bad_addresses(texts: tuple[str, ...] | list[str]) -> list[str]:
    """The entries of `texts` that are not one well-formed address each."""
    return [t for t in texts if address_spec(t) is None]
