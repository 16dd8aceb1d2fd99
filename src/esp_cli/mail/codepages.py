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


# Mail character sets (Internet code pages) that no 8-bit string is kept in, as the Windows
# code page Outlook keeps a message's 8-bit strings in for them: a Japanese message sent
# as ISO-2022-JP has its file names in Shift_JIS, a Chinese one sent as HZ in GBK.
_ANSI_OF_INTERNET = {
    20932: 932,  # EUC-JP
    50220: 932,  # ISO-2022-JP, as Outlook labels it
    50221: 932,
    50222: 932,
    51932: 932,
    20936: 936,  # GB2312
    50227: 936,  # ISO-2022-CN
    51936: 936,  # EUC-CN
    52936: 936,  # HZ
    50225: 949,  # ISO-2022-KR
    51949: 949,  # EUC-KR
    51950: 950,  # EUC-TW
}
# Code pages of 16 or 32-bit units, or 7-bit UTF-7: never those of an 8-bit string.
_NOT_8_BIT = frozenset((1200, 1201, 12000, 12001, 65000))


def ansi_codec_of(codepage: int) -> str | None:
    """Python's name for the code page a message labelled `codepage` keeps its 8-bit
    (PT_STRING8) strings in: the Windows code page of a mail character set, None for a
    code page no 8-bit string is in (UTF-16, UTF-7) or one Python does not know."""
    if codepage in _NOT_8_BIT:
        return None
    return codec_of(_ANSI_OF_INTERNET.get(codepage, codepage))


# Python's ISO-2022-JP codecs, whose labels are read as Outlook writes ISO-2022-JP (Windows'
# cp50220-cp50222 read more than any of them) and, where that cannot read a message, by the
# label's own codec (`read`).
_ISO2022_JP = frozenset(
    ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_3",
     "iso2022_jp_2004")
)  # fmt: skip
# What a byte a codec cannot read is while it is counted (a lone surrogate, which no codec
# reads from mail: a U+FFFD the text itself holds is no byte the codec failed), then U+FFFD.
_BAD = "\udfff"
_MARKED = "esp-marked"
_EURO = "esp-cp936-euro"


def _marked(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return _BAD, exc.end


def _euro(exc: UnicodeError) -> tuple[str, int]:
    """GB18030's decoding errors as Windows' GBK reads them: 0x80 alone is the euro sign;
    any other byte is one it cannot read."""
    assert isinstance(exc, UnicodeDecodeError)
    if exc.object[exc.start] == 0x80:
        return "€", exc.start + 1
    return _BAD, exc.end


codecs.register_error(_MARKED, _marked)
codecs.register_error(_EURO, _euro)
_ERRORS = {"gb18030": _EURO}


def is_iso2022_jp(codec: str) -> bool:
    """Whether `codec` is one of the ISO-2022-JP family, mail in seven bits and escapes."""
    return codec in _ISO2022_JP


def read(data: bytes, codec: str) -> tuple[str, int]:
    """`data` read with `codec` (a Python codec name) as Windows reads it, each byte (or run
    of bytes) it cannot read as U+FFFD; and how many those are. An ISO-2022-JP label is read
    as Outlook writes it, else with its own codec when that reads more of it (the sets of
    ISO-2022-JP-2 and the like that Outlook never writes)."""
    if codec in _ISO2022_JP:
        text = _iso2022_jp(data)
        if _BAD in text:
            own = data.decode(codec, _MARKED)
            text = min(text, own, key=lambda t: t.count(_BAD))
    else:
        text = data.decode(codec, _ERRORS.get(codec, _MARKED))
    bad = text.count(_BAD)
    return (text.replace(_BAD, "\ufffd") if bad else text), bad


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
    return chars.translate(_HIGH)


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
# ISO-2022-JP-2's 96-character sets (G2): each character is one byte after the single shift
# ESC N, read with its high bit set.
_G2 = {b"\x1b.A": "latin-1", b"\x1b.F": "iso8859_7"}
_SS2 = b"\x1bN"
_SO, _SI = 0x0E, 0x0F  # shift to half-width katakana and back (cp50222)


def _characters(chars: bytes, charset: _Set) -> str:
    """A run of 7-bit characters in one set, read in one call: every character converted
    to its codec's bytes together, then decoded together. Read character by character
    only when that cannot be trusted (a character the codec cannot read, which in one call
    could take its neighbour's byte with it), so each is one character or one _BAD."""
    width, convert, codec = charset
    whole = len(chars) - len(chars) % width
    converted = _RUNS.get(convert, convert)(chars[:whole])
    text = converted.decode(codec, _MARKED)
    if len(text) != whole // width or _BAD in text:
        text = "".join(_character(chars[at : at + width], charset) for at in range(0, whole, width))
    return text + _BAD * (whole < len(chars))


def _character(chars: bytes, charset: _Set) -> str:
    _, convert, codec = charset
    try:
        return convert(chars).decode(codec)
    except UnicodeDecodeError:
        return _BAD


def _shift_jis_run(chars: bytes) -> bytes:
    """JIS X 0208 characters' 7-bit byte pairs as Shift_JIS, all at once: the lead byte by
    its row, the trail byte by its cell and its row's parity (the cell with its high bit
    set for an odd row: one byte, one table)."""
    rows, cells = chars[0::2], chars[1::2]
    size = len(cells)
    odd = int.from_bytes(rows.translate(_ODD_ROW_BIT), "big")
    keyed = (int.from_bytes(cells, "big") | odd).to_bytes(size, "big")
    out = bytearray(2 * size)
    out[0::2] = rows.translate(_SHIFT_JIS_LEAD)
    out[1::2] = keyed.translate(_SHIFT_JIS_TRAIL)
    return bytes(out)


def _plane2_run(chars: bytes) -> bytes:
    """A supplementary set's characters in EUC-JP, all at once: SS3 (0x8F) before each."""
    out = bytearray(b"\x8f" * (len(chars) // 2 * 3))
    high = _high(chars)
    out[1::3], out[2::3] = high[0::2], high[1::2]
    return bytes(out)


def _table(value: Callable[[int], int]) -> bytes:
    return bytes(value(b) & 0xFF for b in range(256))


# _shift_jis's arithmetic as tables of the 7-bit bytes (0x21-0x7E; the others unused).
_SHIFT_JIS_LEAD = _table(lambda row: (row + 1) // 2 + (0x70 if row <= 0x5E else 0xB0))
_ODD_ROW_BIT = _table(lambda row: 0x80 if row % 2 else 0)
_SHIFT_JIS_TRAIL = _table(
    lambda key: key - 0x80 + (0x1F if key <= 0xDF else 0x20) if key & 0x80 else key + 0x7E
)
_HIGH = _table(lambda b: b | 0x80)
# Each character's conversion, as done for a whole run at once.
_RUNS: dict[Callable[[bytes], bytes], Callable[[bytes], bytes]] = {
    _shift_jis: _shift_jis_run,
    _plane2: _plane2_run,
}


def _iso2022_jp(data: bytes) -> str:
    """ISO-2022-JP as Windows reads what Outlook writes (cp50220-cp50222), and the sets
    ISO-2022-JP-1, -2, -3 and -2004 add. An escape sequence no set is known by, a character
    cut short and a byte with its high bit set are each _BAD, never the bytes as text.

    Read run by run: the bytes between two escape sequences (or shifts) are in one set,
    and are read in one call (_run) — or, for what nearly every mail holds (ASCII and JIS
    X 0208 alone, every character whole), all at once (_common)."""
    common = _common(data)
    return common if common is not None else _by_runs(data)


def _by_runs(data: bytes) -> str:
    """_iso2022_jp's reading, run by run."""
    out: list[str] = []
    charset, shifted = _ASCII, False
    g2: str | None = None  # ISO-2022-JP-2's G2 set
    single = False  # after ESC N: the next byte is G2's
    pieces = _SWITCHES.split(data)  # runs, with the switch between each two
    for n in range(0, len(pieces), 2):
        run = pieces[n]
        if run:
            if single or shifted or charset is not _ASCII:
                out.append(_run(run, _KATAKANA if shifted else charset, single, g2))
                single = False
            else:
                out.append(run.decode("ascii", _MARKED))  # a high-bit byte: _BAD
        if n + 1 == len(pieces):
            break
        switch = pieces[n + 1]
        if switch[0] != 0x1B:  # SO or SI
            shifted = switch[0] == _SO
            continue
        single = switch == _SS2 and g2 is not None
        if switch in _G2:
            g2 = _G2[switch]
        elif switch not in _SETS and not single:
            out.append(_BAD)
        elif (designated := _SETS.get(switch)) is not None:
            charset = designated
    return "".join(out) + _BAD * single


def _common(data: bytes) -> str | None:
    """ISO-2022-JP that holds only ASCII (or JIS X 0201 Roman, read as ASCII), JIS X 0208
    and half-width katakana after ESC ( I — what Outlook writes —, each run of them whole
    characters up to the next escape sequence, read as Shift_JIS in one call: each run
    converted to Shift_JIS, each escape sequence to nothing. None for any other (another
    set, SO and SI, a space or a character cut short inside a run, a character cp932
    cannot read): _iso2022_jp reads it run by run."""
    if not data.isascii() or _OTHER_SWITCH.search(data):
        return None
    converted = _ROMAN.sub(b"", _COMMON_RUN.sub(_common_run, data))
    if b"\x1b" in converted:
        return None
    text = converted.decode("cp932", _MARKED)
    return None if _BAD in text else text


def _common_run(run: re.Match[bytes]) -> bytes:
    """A run of JIS X 0208 or of katakana as Shift_JIS; an escape (for _common to find) for
    one it cannot take whole."""
    jis, katakana = run.groups()
    if jis is not None:
        return _shift_jis_run(jis) if len(jis) % 2 == 0 else b"\x1b"
    return katakana.translate(_HIGH) if _KANA.fullmatch(katakana) else b"\x1b"


# A run of JIS X 0208, or of half-width katakana: its escape sequence, then its bytes up to
# the next one.
_COMMON_RUN = re.compile(
    rb"\x1b\$\(?[@B]([\x21-\x7e]*)(?=\x1b|\Z)|\x1b\(I([\x21-\x7e]*)(?=\x1b|\Z)"
)
_KANA = re.compile(rb"[\x21-\x5f]*")  # ESC ( I's characters (cp932's 0xA1-0xDF)
_ROMAN = re.compile(rb"\x1b\([BJ]")
_OTHER_SWITCH = re.compile(rb"\x1b(?!\$\(?[@B]|\([BJI])|[\x0e\x0f]")


# What switches the set the bytes after it are in: an escape sequence, SO or SI.
_SWITCHES = re.compile(rb"(\x1b[\x20-\x2f]*[\x30-\x7e]?|[\x0e\x0f])")
# A set's characters, and what is the same in every set (spaces, controls) or in none.
_CHARACTERS_OR_NOT = re.compile(rb"([\x21-\x7e]+)|[^\x21-\x7e]+")
_ALL_CHARACTERS = re.compile(rb"[\x21-\x7e]+")


def _run(data: bytes, charset: _Set, single: bool, g2: str | None) -> str:
    """The bytes between two switches, all in `charset` (after ESC N, `single`, the first
    is G2's): ASCII in one call; another set's characters in one call each run between
    the spaces and controls, which are themselves in every set."""
    first = ""
    if single:
        assert g2 is not None
        byte = data[0]
        first = bytes((byte | 0x80,)).decode(g2, _MARKED) if 0x20 <= byte < 0x80 else _BAD
        data = data[1:]
    if charset is _ASCII:
        return first + data.decode("ascii", _MARKED)  # a high-bit byte: _BAD
    if _ALL_CHARACTERS.fullmatch(data):  # nearly always: no space in the run
        return first + _characters(data, charset)
    out = [first]
    for found in _CHARACTERS_OR_NOT.finditer(data):
        chars = found.group(1)
        if chars is not None:
            out.append(_characters(chars, charset))
        else:
            out.append(found.group().decode("ascii", _MARKED))
    return "".join(out)
