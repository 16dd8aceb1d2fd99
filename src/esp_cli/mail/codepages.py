"""Windows code pages: their numbers as Python names them, and the few Windows reads more of
than Python's codec of the same name (pure: bytes in, text out).

Mail written on Windows is in what Windows reads, and two of its code pages hold
characters Python's codecs of their labels do not:

- GBK (cp936, whatever the message calls it: GB2312, GBK, GB18030) has the euro sign at
  0x80, a byte GB18030 leaves undefined.
- Outlook's ISO-2022-JP (cp50220, cp50221, cp50222) is Shift_JIS (cp932) spelled in seven
  bits: NEC's row 13 (①, Ⅰ, ㈱) and IBM's kanji are in its JIS X 0208 set, and half-width
  katakana follow ESC ( I, or sit between SO and SI. Python's ISO-2022-JP codecs know JIS X
  0208 alone.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

# Windows code page numbers Python spells otherwise than `cpNNNN` (Outlook keeps an HTML
# body in its Internet code page: ISO-2022-JP for Japanese, KOI8-R for Russian...). Latin-1
# and ASCII are read as Windows-1252, as mail programs do: a "Latin-1" message written on
# Windows holds its curly quotes (0x92) and dashes.
_CODEPAGES = {
    1200: "utf-16-le",
    1201: "utf-16-be",
    10000: "mac_roman",
    10006: "mac_greek",
    10007: "mac_cyrillic",
    10029: "mac_latin2",
    10079: "mac_iceland",
    10081: "mac_turkish",
    12000: "utf-32-le",
    12001: "utf-32-be",
    20127: "cp1252",
    20866: "koi8_r",
    20932: "euc_jp",
    21866: "koi8_u",
    28591: "cp1252",
    28592: "iso8859_2",
    28593: "iso8859_3",
    28594: "iso8859_4",
    28595: "iso8859_5",
    28596: "iso8859_6",
    28597: "iso8859_7",
    28598: "iso8859_8",
    28599: "cp1254",
    28603: "iso8859_13",
    28605: "iso8859_15",
    38598: "iso8859_8",
    50220: "iso2022_jp_ext",
    50221: "iso2022_jp_ext",
    50222: "iso2022_jp_ext",
    50225: "iso2022_kr",
    51932: "euc_jp",
    51936: "gb18030",
    51949: "cp949",
    52936: "hz",
    54936: "gb18030",
    65000: "utf-7",
    65001: "utf-8",
}


def codec_of(codepage: int) -> str | None:
    """Python's name for a Windows code page number (None: one it does not know)."""
    try:
        return codecs.lookup(_CODEPAGES.get(codepage, f"cp{codepage}")).name
    except LookupError:
        return None


# The name `decoded` reads Outlook's ISO-2022-JP by (no Python codec has it).
ISO2022_JP = "cp50221"
_EURO = "esp-cp936-euro"


def _euro(exc: UnicodeError) -> tuple[str, int]:
    """GB18030's decoding errors as Windows' GBK reads them: 0x80 alone is the euro sign;
    any other byte it cannot read is U+FFFD."""
    assert isinstance(exc, UnicodeDecodeError)
    if exc.object[exc.start] == 0x80:
        return "€", exc.start + 1
    return "\ufffd", exc.end


codecs.register_error(_EURO, _euro)
_ERRORS = {"gb18030": _EURO}


def decoded(data: bytes, codec: str) -> str:
    """`data` read with `codec` (a Python codec name, or ISO2022_JP) as Windows reads it:
    each byte it cannot read is U+FFFD."""
    if codec == ISO2022_JP:
        return iso2022_jp_text(data)
    return data.decode(codec, _ERRORS.get(codec, "replace"))


# -- ISO-2022-JP ------------------------------------------------------------------------------


def _shift_jis(pair: bytes) -> bytes:
    """A JIS X 0208 character's two 7-bit bytes as Shift_JIS's."""
    row, cell = pair[0], pair[1]
    lead = (row + 1) // 2 + (0x70 if row <= 0x5E else 0xB0)
    if row % 2:
        return bytes((lead, cell + (0x1F if cell <= 0x5F else 0x20)))
    return bytes((lead, cell + 0x7E))


def _high(chars: bytes) -> bytes:
    """Seven-bit bytes as their EUC form (the high bit set)."""
    return bytes(b | 0x80 for b in chars)


def _plane2(pair: bytes) -> bytes:
    """A supplementary set's character in EUC-JP (after SS3, 0x8F)."""
    return b"\x8f" + _high(pair)


# A character set of ISO-2022-JP and its relatives: how many bytes a character takes, how
# its 7-bit bytes become those of the codec that reads it, and that codec.
_Set = tuple[int, Callable[[bytes], bytes], str]
_ASCII: _Set = (1, bytes, "ascii")
_KATAKANA: _Set = (1, _high, "cp932")
_JIS_X_0208: _Set = (2, _shift_jis, "cp932")
# The escape sequence that designates each set. JIS X 0201's Roman set is read as ASCII, as
# Windows reads it; ESC & @ only announces the 1990 JIS X 0208 that ESC $ B then designates.
_SETS: dict[bytes, _Set | None] = {
    b"\x1b(B": _ASCII,
    b"\x1b(J": _ASCII,
    b"\x1b(I": _KATAKANA,
    b"\x1b$@": _JIS_X_0208,
    b"\x1b$B": _JIS_X_0208,
    b"\x1b$(@": _JIS_X_0208,  # the long forms ISO 2022 allows too
    b"\x1b$(B": _JIS_X_0208,
    b"\x1b&@": None,
    b"\x1b$(D": (2, _plane2, "euc_jp"),  # JIS X 0212 (ISO-2022-JP-1, -2)
    b"\x1b$A": (2, _high, "gb18030"),  # GB 2312 (ISO-2022-JP-2)
    b"\x1b$(A": (2, _high, "gb18030"),
    b"\x1b$(C": (2, _high, "cp949"),  # KS X 1001 (ISO-2022-JP-2)
    b"\x1b$(O": (2, _high, "euc_jis_2004"),  # JIS X 0213 plane 1 (ISO-2022-JP-3, -2004)
    b"\x1b$(Q": (2, _high, "euc_jis_2004"),
    b"\x1b$(P": (2, _plane2, "euc_jis_2004"),  # JIS X 0213 plane 2
}
_SO, _SI = 0x0E, 0x0F  # shift to half-width katakana and back (cp50222)
_PIECES = re.compile(
    rb"(\x1b[\x20-\x2f]*[\x30-\x7e]?)|([\x0e\x0f])|([\x21-\x7e]+)|([^\x1b\x0e\x0f\x21-\x7e]+)"
)


def _characters(chars: bytes, charset: _Set) -> str:
    width, convert, codec = charset
    out = []
    for at in range(0, len(chars) - width + 1, width):
        try:
            out.append(convert(chars[at : at + width]).decode(codec))
        except UnicodeDecodeError:
            out.append("\ufffd")
    return "".join(out) + "\ufffd" * (len(chars) % width > 0)


def iso2022_jp_text(data: bytes) -> str:
    """ISO-2022-JP as Windows reads what Outlook writes (cp50220-cp50222), and the sets
    ISO-2022-JP-1, -2, -3 and -2004 add. An escape sequence no set is known by, a character
    cut short and a byte with its high bit set are each U+FFFD, never the bytes as text."""
    out: list[str] = []
    charset, shifted = _ASCII, False
    for found in _PIECES.finditer(data):
        escape, shift, chars, other = found.groups()
        if escape is not None:
            if escape not in _SETS:
                out.append("\ufffd")
            elif (designated := _SETS[escape]) is not None:
                charset = designated
        elif shift is not None:
            shifted = shift[0] == _SO
        elif chars is not None:
            out.append(_characters(chars, _KATAKANA if shifted else charset))
        else:  # spaces and controls are themselves in every set
            out.append("".join(chr(b) if b < 0x80 else "\ufffd" for b in other))
    return "".join(out)
