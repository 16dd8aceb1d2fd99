"""An RTF body's text, each character read in the code page of its own font (pure: bytes
in, text out).

Outlook keeps a message written in RTF (and, for some, one written in HTML) as compressed
RTF. Its 8-bit characters are `\\'xx` escapes, or left raw by some writers, in the code page
of the font they are set in: the font table gives each font a character set
(`\\fcharset238`, Central European: Windows-1250) or a code page (`\\cpg1250`); a font with
neither, or with the default or the Symbol character set, is in the document's
(`\\ansicpg1252`, Windows-1252 when it names none). A character beyond the code pages is
`\\uN` (negative above 32767; two of them, a UTF-16 pair, beyond the Basic Multilingual
Plane), followed by a fallback of `\\ucN` characters a reader skips.

In a double-byte code page (Shift_JIS, GBK, Korean, Big5) a character is two bytes, and the
second is written as RTF writes any byte: escaped (`\\'83\\'41`), as plain text when it is
printable ASCII (`\\'83A`, ア in Shift_JIS), or as an escaped symbol when it is one RTF
must escape (`\\'81\\\\`, `\\'83\\{`). As Word reads it, an escaped first byte takes the
next byte however it is written; a line break between them is nothing (RTF's line breaks
never are). A group's end, a control word or the end of the document is no byte: a first
byte they come after is a character missing its second byte, U+FFFD, and what follows is
read on its own, in its own group's code page (Word reads each group's text in its own
font, and a font's pair never spans two); so is one whose next byte cannot be its second
(a space), that byte read as itself. A first byte left raw takes the next byte whatever it
is (RTF-J, which writes both bytes raw, its second a bare `\\`, `{` or `}` too).

Each run of such characters becomes the characters it stands for, in its font's code page as
Windows reads it (selfreports.decode_text); striprtf then strips what is left (destinations,
fields, tables) to text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Any

from esp_cli.mail.codepages import ansi_codec_of, codec_of
from esp_cli.mail.selfreports import decode_text

_TOKEN = re.compile(
    rb"\\(?P<word>[a-zA-Z]{1,32})(?P<arg>-?\d{1,10})? ?"
    rb"|\\'(?P<hex>[0-9a-fA-F]{2})"
    rb"|\\(?P<symbol>[^a-zA-Z'])"
    rb"|(?P<brace>[{}])"
    rb"|(?P<high>[\x80-\xff])"
    rb"|(?P<text>[^\\{}\x80-\xff]+)"
)
# A font's character set (\fcharsetN) as the Windows code page it stands for (the RTF
# specification's table). The default (1), Symbol (2) and any other are the document's.
_CHARSETS = {
    0: 1252,
    77: 10000,
    85: 10006,
    86: 10081,
    88: 10029,
    89: 10007,
    128: 932,
    129: 949,
    130: 1361,
    134: 936,
    136: 950,
    161: 1253,
    162: 1254,
    163: 1258,
    177: 1255,
    178: 1256,
    186: 1257,
    204: 1251,
    222: 874,
    238: 1250,
    254: 437,
    255: 850,
}
# The document's character set when it names no \ansicpg.
_DOCUMENT = {"ansi": 1252, "mac": 10000, "pc": 437, "pca": 850}
_WESTERN = "cp1252"
# Characters a skipped fallback counts: an escaped byte, a raw one, a character of text, and
# the three escaped symbols.
_LITERAL_SYMBOLS = frozenset("\\{}")


@dataclass(frozen=True)
class _Group:
    font: str | None = None  # None: the default font (\deff)
    skip: int = 1  # \ucN: the fallback characters after each \uN


class _Reader:
    """One pass over the RTF: what it writes is RTF with every character in a code page or
    as \\uN written as itself (in striprtf's hands, its group's text)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.document = _WESTERN
        self.default_font: str | None = None
        self.charsets: dict[str, str] = {}  # a font's codec, by its \fcharset
        self.codepages: dict[str, str] = {}  # ... by its \cpg, which wins
        self.defining: str | None = None  # the font table's entry being read
        self.run = bytearray()
        self.run_codec = _WESTERN
        self.fallback = 0  # the fallback characters still to skip
        # The last byte skipped leads a double-byte character: the next is its second byte,
        # counted by \ucN as a byte of the fallback (RTF counts a fallback in bytes).
        self.half = False
        # The fallback's count ended after that first byte (a writer counting characters,
        # \uc1): the next byte is its second, skipped too — a character is never split.
        self.trail = False
        # A first byte of text whose second is still to come, and its code page.
        self.lead: tuple[int, str] | None = None
        self.high_surrogate: int | None = None
        self.open_word = False  # the last thing written is a control word with no space

    def codec(self, group: _Group) -> str:
        font = group.font if group.font is not None else self.default_font
        if font is None:
            return self.document
        return self.codepages.get(font) or self.charsets.get(font) or self.document

    def _lone_half(self) -> None:
        """Half of a UTF-16 pair that no other half followed: U+FFFD."""
        if self.high_surrogate is not None:
            self.high_surrogate = None
            self.out.append("\ufffd")

    def write(self, text: str) -> None:
        """Characters of the text, escaped for striprtf; after a control word written
        without its delimiting space, a space first (a digit would read as its argument)."""
        self._lone_half()
        if self.open_word and text:
            self.out.append(" ")
        self.open_word = False
        self.out.append(text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}"))

    def control(self, rtf: str) -> None:
        """RTF that is no character (a control word or symbol, a brace), as written."""
        self.flush()
        self._lone_half()
        self.out.append(rtf)
        self.open_word = rtf[-1:].isalnum()

    def flush(self) -> None:
        """The characters read so far written; a first byte no second byte followed (what
        comes next is no byte) is U+FFFD."""
        if self.run:
            self.write(decode_text(bytes(self.run), self.run_codec))
            self.run.clear()
        if self.lead is not None:
            self.lead = None
            self.write("\ufffd")

    @property
    def awaits_byte(self) -> bool:
        """Whether the next byte is the second of a character begun: one to read (an
        escaped first byte's) or one to skip (the fallback's last character's)."""
        return self.trail or self.lead is not None

    def skipped(self, text: str) -> str:
        """The text after the fallback characters still to skip (a line break is none)."""
        at = 0
        if text.strip("\r\n"):  # a character of text is one byte: a second, or its own
            self.half = False
        while self.fallback and at < len(text):
            end = min(at + self.fallback, len(text))
            self.fallback -= end - at - text.count("\r", at, end) - text.count("\n", at, end)
            at = end
        return text[at:]

    def stop_skipping(self) -> None:
        """The fallback ends: what follows is text again."""
        self.fallback = 0
        self.trail = self.half = False

    def byte(self, value: int, codec: str) -> bool:
        """A byte of text in `codec`, or one of the fallback to skip: a double-byte
        character counts two (as \\ucN counts them), and one the count would cut after its
        first byte is skipped whole (a writer's \\uc1 before a Shift_JIS character). Whether
        a byte leads a character is known from where the text or the fallback starts: a
        second byte (most could lead one too) is never taken for a first. True when the byte
        leads a character whose second byte is the next."""
        if self.trail:
            self.trail = False
            return False
        if self.fallback:
            self.fallback -= 1
            self.half = not self.half and _lead_byte(value, codec)
            leads = self.half
            if not self.fallback:
                self.trail, self.half = self.half, False
            return leads
        if self.lead is not None:
            (first, codec), self.lead = self.lead, None
            if _pair(first, value, codec):
                self._append(codec, first, value)
                return False
            self.flush()  # no second byte of it: the first is U+FFFD, this byte its own
            self.write("\ufffd")
        if _lead_byte(value, codec):
            self.lead = (value, codec)
            return True
        self._append(codec, value)
        return False

    def _append(self, codec: str, *values: int) -> None:
        if codec != self.run_codec:
            self.flush()
            self.run_codec = codec
        self.run.extend(values)

    def unicode(self, number: int) -> None:
        """A \\uN character: half of a UTF-16 pair waits for its other half."""
        self.flush()
        number += 0x10000 if number < 0 else 0
        if 0xD800 <= number <= 0xDBFF:
            self._lone_half()
            self.high_surrogate = number
        elif 0xDC00 <= number <= 0xDFFF and self.high_surrogate is not None:
            high, self.high_surrogate = self.high_surrogate, None
            self.write(chr(0x10000 + ((high - 0xD800) << 10) + (number - 0xDC00)))
        else:
            lone = 0xD800 <= number <= 0xDFFF or not 0 <= number <= 0xFFFF
            self.write("\ufffd" if lone else chr(number))

    def word(self, token: str, word: str, arg: str | None, group: _Group, fonts: bool) -> _Group:
        """A control word's effect on the reading (`fonts`: in the font table); the group as
        it is after it."""
        number = int(arg) if arg is not None else None
        if word == "u" and number is not None:
            self.unicode(number)
            self.fallback = group.skip  # a new fallback, counted from its first byte
            self.trail = self.half = False
            return group
        self.stop_skipping()
        if word == "uc" and number is not None:
            return replace(group, skip=max(number, 0))
        if word in ("u", "uc"):  # with no number: no character, nothing to skip
            return group
        self.control(token)
        if word == "f" and arg is not None:
            self.defining = arg if fonts else self.defining
            return replace(group, font=arg)
        if word == "plain":
            return replace(group, font=None)
        if word == "deff" and arg is not None:
            self.default_font = arg
        elif word in _DOCUMENT and self.document == _WESTERN:
            self.document = codec_of(_DOCUMENT[word]) or _WESTERN
        elif word == "ansicpg" and number is not None:
            self.document = ansi_codec_of(number) or self.document
        elif word == "fcharset" and number in _CHARSETS and self.defining is not None:
            self.charsets[self.defining] = codec_of(_CHARSETS[number]) or _WESTERN
        elif word == "cpg" and number is not None and self.defining is not None:
            if (codec := ansi_codec_of(number)) is not None:
                self.codepages[self.defining] = codec
        return group


@functools.cache
def _lead_byte(value: int, codec: str) -> bool:
    """Whether a byte starts a double-byte character in `codec` (0x80 and 0xFF never do in
    Windows' code pages)."""
    if value in (0x80, 0xFF):
        return False
    try:
        bytes((value,)).decode(codec)
    except UnicodeDecodeError as exc:
        return "incomplete" in exc.reason
    return False


@functools.cache
def _pair(first: int, second: int, codec: str) -> bool:
    """Whether two bytes are one double-byte character in `codec`."""
    try:
        return len(bytes((first, second)).decode(codec)) == 1
    except UnicodeDecodeError:
        return False


def rtf_text(rtf: bytes) -> str:
    """The text of an RTF document, each character read in its font's code page."""
    from striprtf.striprtf import rtf_to_text

    reader = _Reader()
    # The font table first, wherever it is: some writers put it after the text it sets.
    if (table := rtf.find(b"\\fonttbl")) > 0 and (start := rtf.rfind(b"{", 0, table)) >= 0:
        fonts = _Reader()
        _read(rtf, fonts, start, table_only=True)
        reader.charsets, reader.codepages = fonts.charsets, fonts.codepages
    _read(rtf, reader)
    reader.flush()
    to_text: Any = rtf_to_text  # untyped
    return str(to_text("".join(reader.out), errors="ignore"))


def _read(rtf: bytes, reader: _Reader, at: int = 0, *, table_only: bool = False) -> None:
    """The RTF from `at` on read into `reader`; `table_only`: up to the end of the font
    table."""
    stack: list[_Group] = []
    group = _Group()
    fonts_depth: int | None = None  # the font table's group, while it is read
    end = len(rtf)
    while at < end:
        token = _TOKEN.match(rtf, at)
        if token is None:  # a backslash before nothing RTF knows
            at += 1
            continue
        at = token.end()
        kind = "word" if token.group("word") is not None else token.lastgroup
        if kind == "word":
            word = token.group("word").decode("ascii")
            arg = token.group("arg")
            if word == "bin" and arg is not None:  # binary data, not text: skipped
                at += max(int(arg), 0)
                continue
            if word == "fonttbl":
                fonts_depth = len(stack)
            shown = arg.decode("ascii") if arg is not None else None
            written = token.group().decode("ascii")
            group = reader.word(written, word, shown, group, fonts_depth is not None)
        elif kind == "hex":
            reader.byte(int(token.group("hex"), 16), reader.codec(group))
        elif kind == "high":
            codec = reader.codec(group)
            if reader.byte(token.group("high")[0], codec):
                # A raw first byte: its second is the next byte, whatever it is.
                while at < end and rtf[at] in b"\r\n":
                    at += 1
                if at < end:
                    reader.byte(rtf[at], codec)
                    at += 1
        elif kind == "text":
            text = token.group("text").decode("latin-1")
            if reader.awaits_byte:  # a character's second byte, as text
                if not (second := text.lstrip("\r\n")):
                    continue  # a line break between a character's two bytes is nothing
                reader.byte(ord(second[0]), reader.codec(group))
                text = second[1:]
            if reader.fallback:
                text = reader.skipped(text)
            if text:
                reader.flush()
                reader.write(text)
        elif kind == "symbol":
            symbol = token.group("symbol").decode("latin-1")
            if symbol in _LITERAL_SYMBOLS and reader.awaits_byte:
                reader.byte(ord(symbol), reader.codec(group))  # a character's second byte
                continue
            if symbol in _LITERAL_SYMBOLS and reader.fallback:
                reader.fallback -= 1
                reader.half = False
                continue
            reader.stop_skipping()
            reader.control("\\" + symbol)
        else:  # a brace
            reader.stop_skipping()
            if token.group("brace") == b"{":
                stack.append(group)
            else:
                group = stack.pop() if stack else _Group()
                if fonts_depth is not None and len(stack) < fonts_depth:
                    fonts_depth = None
                    reader.defining = None
                    if table_only:
                        return
            reader.control(token.group("brace").decode("ascii"))
