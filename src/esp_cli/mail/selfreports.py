"""Agents' self-reports: e-mails to the coordinator and rows of the progress-report sheet.

Pure parsing (bytes and plain values in, reports out). An e-mail's text is its plain part
(or its HTML with the tags removed), without the quoted or forwarded earlier messages, the
signature, the greeting and the sign-off, folded onto one line so it fits the
`Date - Name - Note` format of the tracker's Notes. Messages no agent wrote — automatic
replies, meeting requests, delivery reports, read receipts — are not reports: they raise
NotAReport, so they are listed as skipped instead of counting as the agent's report.
"""

from __future__ import annotations

import base64
import codecs
import email
import email.policy
import quopri
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo
from email.errors import HeaderParseError, MissingHeaderBodySeparatorDefect
from email.header import decode_header
from email.message import EmailMessage, Message
from email.policy import Compat32, EmailPolicy
from email.utils import parseaddr, parsedate_to_datetime
from html import unescape
from itertools import chain
from typing import Any

from esp_cli.core.addresses import split_addresses
from esp_cli.core.columns import (
    FORMS_HEADERS,
    INDEX_HEADERS,
    alias_table,
    forms_columns,
    is_forms_export,
    normalise_header,
    spellings,
)
from esp_cli.core.csvfile import CsvTable
from esp_cli.core.names import display_name, name_tokens, name_words
from esp_cli.core.refs import col_letter
from esp_cli.core.reports import (
    EMPTY_FILE,
    Inside,
    KnownAgents,
    RowProblem,
    SelfReport,
    attached_warning,
)
from esp_cli.core.rules import fmt
from esp_cli.core.textdates import MONTH_FIRST, DateOrder, read_day
from esp_cli.core.values import Unreadable, text_of, typed_text
from esp_cli.mail.codepages import is_iso2022_jp, read

MAX_NOTE_CHARS = 1000  # one self-report should not fill a cell meant for weeks of notes


class UnreadableMail(ValueError):
    """An e-mail file that holds no usable self-report. `kind` is one of UNREADABLE_KINDS
    (for scripts); the message says what is wrong in words."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class NotAReport(UnreadableMail):
    """A message no agent wrote as a report (`kind` one of SKIPPED_KINDS): skipped, with the
    reason, so the agent does not count as having reported."""


UNREADABLE_KINDS = ("corrupt", "encrypted or signed", "no sender", "no date", "not an e-mail")
SKIPPED_KINDS = (
    "automatic reply",
    "meeting request",
    "delivery report",
    "read receipt",
    "recalled message",
)
# S/MIME and PGP: an encrypted message's text is sealed. A clear-signed one (multipart/signed)
# is read: its first part is the message.
ENCRYPTED_TYPES = ("multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime")
# A file with none of these headers is not an e-mail (a note, a picture, a renamed workbook).
MAIL_HEADERS = ("from", "date", "subject", "to", "message-id", "received", "mime-version")


def local_day(when: datetime, tz: tzinfo | None) -> date:
    """The team's calendar day of a moment: an aware time converted to `tz` (None: the
    machine's zone); a time with no zone keeps its own date."""
    return local_time(when, tz).date()


def local_time(when: datetime, tz: tzinfo | None) -> datetime:
    """A moment on the team's clock, with no zone: an aware time converted to `tz` (None:
    the machine's zone); a time with no zone as it is."""
    if when.tzinfo is None:
        return when
    return when.astimezone(tz).replace(tzinfo=None)


# ------------------------------------------------------------------ messages no one wrote

# The subjects Outlook, Exchange, Gmail and other mail systems give the messages they make,
# in the languages a US team's agents' mail is set to most often: each a prefix followed by
# a colon, or the whole subject ("Out of Office"). An agent's "Out of office tomorrow,
# module 3 done" or "Read the HIPAA module" is a report.
_MADE_SUBJECTS = (
    (
        "automatic reply",
        r"automatic reply|auto[- ]?reply|auto[- ]?response|autoreply|"
        r"out of (the )?office( auto[- ]?reply| reply)?|respuesta autom[aá]tica|"
        r"fuera de la oficina|r[ée]ponse automatique|absent\(e\)? du bureau|"
        r"automatische antwort|abwesenheitsnotiz|resposta autom[aá]tica|risposta automatica|"
        r"automatisch antwoord|afwezig|automatiskt svar|automatisk svar|autosvar|"
        r"odpowied[zź] automatyczna",
    ),
    (
        "read receipt",
        r"read|not read|gelesen|ungelesen|le[ií]do|no le[ií]do|lu|non lu|lido|n[ãa]o lido|"
        r"letto|non letto|gelezen|niet gelezen|läst|przeczytane",
    ),
    ("recalled message", r"recall|message recall"),
    (
        "delivery report",
        r"undeliverable|undelivered mail returned to sender|undelivered mail|"
        r"delivery status notification( \((failure|delay)\))?|delivery has failed|"
        r"mail delivery failed|returned mail|failure notice|delivery failure|"
        r"non remis|unzustellbar|no se puede entregar|n[ãa]o é poss[ií]vel entregar|"
        r"onbestelbaar|non recapitabile|delivered|relayed|zugestellt|entregado",
    ),
    (
        "meeting request",
        r"accepted|declined|tentative|tentatively accepted|new time proposed|canceled|"
        r"cancelled|invitation|updated invitation|aceptado|rechazado|provisional|"
        r"angenommen|abgelehnt|mit vorbehalt angenommen|accepté|refusé|provisoire|"
        r"aceito|recusado|accettato|rifiutato|geaccepteerd|geweigerd",
    ),
)
# Only these stand alone as a whole subject ("Out of Office", "Undeliverable").
_WHOLE_SUBJECT_KINDS = ("automatic reply", "delivery report")
_MADE_SUBJECT = [
    (
        kind,
        re.compile(
            rf"^\s*(({words})\s*:" + (rf"|({words})\s*$)" if kind in _WHOLE_SUBJECT_KINDS else ")"),
            re.IGNORECASE,
        ),
    )
    for kind, words in _MADE_SUBJECTS
]
_CALENDAR_WORDS = {
    "REQUEST": "a meeting invitation",
    "REPLY": "a response to a meeting invitation",
    "CANCEL": "a meeting cancellation",
    "COUNTER": "a new time proposed for a meeting",
}
_METHOD_LINE = re.compile(r"^METHOD:(\w+)", re.MULTILINE)


def automatic(header: Callable[[str], str | None], subject: str) -> NotAReport | None:
    """Why a message's headers (`header(name)` -> its value or None) show that no person
    wrote it, or None: RFC 3834's Auto-Submitted (anything but `no`), the de-facto
    X-Autoreply, X-Autorespond and `Precedence: auto_reply`, a delivery or read report, or a
    subject only a mail system writes (an automatic reply's, a read receipt's, a recall's,
    a delivery report's, a meeting response's). An e-mail attached to the one read is told
    so too: an automatic process's (a Learning Hub notice's, a bounce's) is no report."""
    kind = (header("Content-Type") or "").split(";")[0].strip().casefold()
    report_type = re.search(r"report-type=\"?([\w-]+)", header("Content-Type") or "", re.I)
    if kind in ("multipart/report", "message/delivery-status"):
        if report_type and report_type.group(1).casefold() == "disposition-notification":
            return NotAReport("read receipt", "read receipt: not a report the agent wrote")
        return NotAReport(
            "delivery report", f"delivery report ({kind}): a message that could not be delivered"
        )
    auto = (header("Auto-Submitted") or "").strip()
    if auto and auto.split(";")[0].strip().casefold() != "no":
        return NotAReport("automatic reply", f"automatic reply (Auto-Submitted: {auto})")
    for name in ("X-Autoreply", "X-Autorespond"):
        if (value := header(name)) is not None:
            return NotAReport("automatic reply", f"automatic reply ({name}: {value.strip()})")
    if (header("Precedence") or "").strip().casefold() == "auto_reply":
        return NotAReport("automatic reply", "automatic reply (Precedence: auto_reply)")
    for kind, pattern in _MADE_SUBJECT:
        if found := pattern.match(subject):
            return NotAReport(kind, f"{kind}: the subject begins {found.group(0).strip()!r}")
    return None


def _meeting(msg: EmailMessage) -> NotAReport | None:
    """A meeting invitation, response or cancellation: a text/calendar part that is not an
    attachment (an .ics attached to an ordinary report does not count)."""
    for part in msg.walk():
        if part.get_content_type() != "text/calendar" or part.is_attachment():
            continue
        method = str(part.get_param("method") or "").upper()
        if not method:
            payload = part.get_payload(decode=True)
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
            found = _METHOD_LINE.search(text)
            method = found.group(1).upper() if found else ""
        what = _CALENDAR_WORDS.get(method, "a calendar item")
        shown = f"text/calendar, METHOD:{method}" if method else "text/calendar"
        return NotAReport("meeting request", f"meeting request: {what} ({shown})")
    return None


# ---------------------------------------------------------------------- an e-mail's text

# A greeting at the start of the report: the word, the people greeted (a name or two,
# "team", "all") and its comma; only that is dropped, never words that follow on its line.
_GREETING = re.compile(
    r"^(hi|hello|hey|hiya|dear|greetings|good (morning|afternoon|evening|day)|morning|"
    r"hola|buen[oa]s (d[ií]as|tardes|noches)|bonjour|hallo|guten (morgen|tag|abend)|"
    r"ol[áa]|bom dia|boa tarde|ciao|buongiorno|goedemorgen)\b"
    r"(?P<to>( +(?P<name>[^\W\d_][\w.'’-]*)){0,3}?)"
    r"(\s*[,!]+\s*|\s+[-–—]\s+|\s*$)",
    re.I,
)
# The people a greeting names besides their names.
_GREETED = {"team", "all", "everyone", "everybody", "there", "folks", "guys", "and", "&", "equipo",
            "todos", "à", "tous", "zusammen", "alle", "pessoal", "tutti"}  # fmt: skip
# A sign-off: thanks or regards, alone on its line or followed by the sender's name.
_SIGNOFF = re.compile(
    r"^(?P<word>thanks( again| so much| a lot)?|thank you( so much)?|many thanks|thx|ty|"
    r"regards|best( regards| wishes)?|kind regards|warm(est)? regards|all the best|cheers|"
    r"sincerely|respectfully|take care|saludos|un saludo|gracias|atentamente|cordialmente|"
    r"merci|cordialement|bien à vous|viele grüße|beste grüße|liebe grüße|"
    r"mit freundlichen grüßen|danke|obrigad[oa]|atenciosamente|abraços|grazie|"
    r"cordiali saluti|saluti|met vriendelijke groet(en)?|groeten)\b"
    r"(?P<rest>[\s,.!-]*(?P<name>.*?))[\s,.!]*$",
    re.I,
)
_NAME_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
# Lines only a signature holds: a phone number, an address, a link, `Title | Company`.
_SIGNATURE_LINE = re.compile(
    r"(\(?\+?\d[\d\s().-]{6,}\d|[\w.+-]+@[\w-]+\.[\w.-]+|https?://|www\.|\|)", re.I
)
_POSTSCRIPT = re.compile(r"^p\.?\s?s\.?\s*[:\-]?\s", re.I)
# The header block mail programs write above a quoted or forwarded message, in the languages
# Outlook, Gmail and the phones are set to: its From words, its Sent (date) words, its other
# header words (To, Cc, Subject), and the separator line Outlook's plain text draws above it
# (`-----Original Message-----`, `-----Mensaje original-----`…). One table, read both to
# cut the quote from the agent's words and to tell whose message it quotes.
_QUOTE_LANGUAGES: dict[str, tuple[str, str, str, str]] = {
    # language: (from, sent, other headers, separator words), each `|`-separated
    "en": ("from", "sent|date", "to|cc|subject", "original message|forwarded message"),
    "es": ("de", "enviado|enviado el|fecha", "para|cc|asunto",
           "mensaje original|mensaje reenviado"),
    "pt": ("de", "enviada|enviada em|enviado|data", "para|cc|assunto",
           "mensagem original|mensagem encaminhada"),
    "fr": ("de", "envoyé|date", "à|cc|objet", "message d'origine|message transféré"),
    "de": ("von", "gesendet|datum", "an|cc|betreff",
           "ursprüngliche nachricht|weitergeleitete nachricht"),
    "it": ("da", "inviato|data", "a|cc|oggetto", "messaggio originale|messaggio inoltrato"),
    "nl": ("van", "verzonden|datum", "aan|cc|onderwerp",
           "oorspronkelijk bericht|doorgestuurd bericht"),
    "sv": ("från", "skickat|datum", "till|kopia|ämne",
           "originalmeddelande|vidarebefordrat meddelande"),
    "da": ("fra", "sendt|dato", "til|cc|emne", "oprindelig meddelelse|videresendt meddelelse"),
    "no": ("fra", "sendt|dato", "til|kopi|emne", "opprinnelig melding|videresendt melding"),
    "pl": ("od", "wysłano|data", "do|dw|temat", "wiadomość oryginalna|oryginalna wiadomość"),
    "cs": ("od", "odesláno|datum", "komu|kopie|předmět", "původní zpráva|přeposlaná zpráva"),
    "ro": ("de la", "trimis|data", "către|cc|subiect", "mesaj original|mesaj redirecționat"),
    "tr": ("kimden", "gönderildi|gönderilme|tarih", "kime|bilgi|konu",
           "özgün ileti|orijinal mesaj|iletilen ileti"),
    "ru": ("от", "отправлено|дата", "кому|копия|тема",
           "исходное сообщение|пересылаемое сообщение"),
    "uk": ("від", "надіслано|дата", "кому|копія|тема", "вихідне повідомлення"),
    "vi": ("từ", "đã gửi|ngày gửi|ngày", "đến|cc|chủ đề",
           "thư gốc|tin nhắn gốc|thư đã chuyển tiếp"),
    "id": ("dari", "dikirim|tanggal", "kepada|cc|subjek", "pesan asli|pesan yang diteruskan"),
    "tl": ("mula kay", "ipinadala", "para kay|paksa", "orihinal na mensahe"),
    "ja": ("差出人", "送信日時|日付", "宛先|件名|cc", "元のメッセージ|転送メッセージ"),
    "zh": ("发件人|寄件者|發件人", "发送时间|日期|寄件日期|傳送時間", "收件人|主题|主旨|抄送",
           "原始邮件|原始郵件|转发的邮件"),
    "ko": ("보낸 사람", "보낸 날짜|날짜", "받는 사람|제목|참조", "원본 메시지|전달된 메시지"),
}  # fmt: skip


def _words(i: int, *, first: bool = False) -> str:
    """The words of column `i` of _QUOTE_LANGUAGES (`first`: each language's first), as a
    regular expression's alternatives."""
    found = {
        w for row in _QUOTE_LANGUAGES.values() for w in row[i].split("|")[: 1 if first else None]
    }
    return "|".join(sorted(map(re.escape, found), key=len, reverse=True))


# A label's colon: ASCII, full width (Japanese, Chinese), after a space in French.
_COLON = r"[ \u00a0]?[:：]"
# Where the quoted or forwarded earlier message starts: Outlook's separator in its languages,
# Thunderbird's and Gmail's, Apple Mail's forward line. Never the agent's words, in a reply too.
_QUOTE_START = re.compile(
    rf"^(-{{2,}}\s*({_words(3)})\s*-{{2,}}|begin forwarded message:)\s*$",
    re.I,
)
# The line Outlook draws above a quoted message's header block: the quote starts there only
# when a header block follows it (an agent may underline a heading so too).
_RULE = re.compile(r"^_{5,}$")
# The header block's From line ("From: …", "De: …", "Von: …", "Từ: …", "От: …"). A line that
# only starts like one ("From: the Learning Hub I get error 403") is the agent's own unless a
# second header follows.
_FROM_HEADER = re.compile(rf"^({_words(0)}){_COLON}\s*\S", re.I)
# The header that says when the quoted message was sent: every mail program writes its time.
_DATE_HEADER = re.compile(rf"^({_words(1)}){_COLON}", re.I)
# Each language's From line and the headers that may follow it there: a header block is in
# one language (Spanish `De:` then `Para:`, never Italian's `A:` or Polish `Do:`).
_LANGUAGE_HEADERS = tuple(
    (
        re.compile(rf"^({row[0]}){_COLON}", re.I),
        re.compile(rf"^({row[1]}|{row[2]}){_COLON}", re.I),
    )
    for row in _QUOTE_LANGUAGES.values()
)
# The words a time may carry ("9:00 AM", "17h", "9.00 Uhr"): no one's name.
_TIME_WORDS = re.compile(r"\b(a\.?m|p\.?m|h|hrs?|uhr|horas?|ore)\b\.?", re.I)


def _one_language(first: str, following: Sequence[str]) -> bool:
    """Whether a From line and a header among the lines following it are one language's."""
    return any(
        head.match(first) and any(other.match(x) for x in following)
        for head, other in _LANGUAGE_HEADERS
    )


def _names_a_person(value: str) -> bool:
    """Whether a From line's value names someone (an address, a name), not a time or a
    number (an agent's hours typed `De: 9:00`)."""
    return "@" in value or bool(re.search(r"[^\W\d_]", _TIME_WORDS.sub(" ", value)))


# Any header line, in any language ("Đã gửi: …", "Отправлено: …", "送信日時：…"): a label
# of one to three words, then its colon.
_HEADER_LINE = re.compile(r"^[^\W\d_][^\W\d]*(?:[ \u00a0'’-][^\W\d_][^\W\d]*){0,2}[ \u00a0]?[:：]")
# A time of day ("5:00 PM", "17:00", "17.00"): in a quoted message's Sent line, and in an
# attribution; never in a date alone ("24.11.2026").
_TIME = re.compile(r"(?<![\d.:/])\d{1,2}([:.])[0-5]\d(\1[0-5]\d)?(?![\d.:/])")
# Who a header block's From line names: an address, or a name ("Reyes, Jordan") with no
# sentence in it.
_FROM_VALUE = re.compile(r"[@<]|^[^.;!?]{1,60}$")
# A person's name as a From line gives it: "Jordan Reyes", "Reyes, Jordan".
_PERSON = re.compile(r"^[^\W\d_][\w.'’-]*,?(\s+[^\W\d_][\w.'’-]*){0,3}$")
_HEADER_LOOKAHEAD = 4
_BLOCK_LINES = 8
# The attribution above a quoted reply, on one line or wrapped over two or three
# ("On Tue, Nov 24, 2026 at 5:00 PM Jordan Reyes <\njordan@x.com> wrote:"); every mail
# program puts the time or the address in it, which "On 11/23 the SPOC tech wrote:" in an
# agent's own text lacks.
_ATTRIBUTION = re.compile(
    r"^(?=.*\d)(on\s.{5,300}\swrote|le\s.{5,300}\sa [ée]crit|el\s.{5,300}\sescribi[oó]|"
    r"am\s.{5,300}\sschrieb\s.{0,200}|em\s.{5,300}\sescreveu|il\s.{5,300}\sha scritto|"
    r"op\s.{5,300}\sschreef\s.{0,200}|den\s.{5,300}\sskrev\s.{0,200})\s?:$",
    re.I,
)
_ATTRIBUTION_LINES = 3
# A phone's or an app's signature line, the end of what the agent typed: the whole line is
# one ("Sent from my iPhone", "Sent from my Verizon, Samsung Galaxy smartphone", "Get Outlook
# for iOS"), every word of it a device's, an app's or a carrier's. "Sent from my phone,
# laptop is dead" or "Sent from my work device" is hers.
_MOBILE_SIGNATURE = re.compile(
    r"^(sent\s+(from|via|with)|get(?=\s+outlook\b))\s+(?P<words>[\w ,.&'-]{1,80}?)[\s.!]*$",
    re.I,
)
# What an app writes after its signature on the same line: its link (Outlook mobile's
# plain text: "Get Outlook for iOS<https://aka.ms/…>"), its excuse (K-9: "Please excuse my
# brevity.").
_SIGNATURE_TAIL = re.compile(
    r"(\s*[<(\[]\s*https?://[^>)\]\s]*\s*[>)\]]"
    r"|[\s.]+please\s+excuse\s+(my\s+brevity|any\s+typos|typos|the\s+brevity)[.!]?)\s*$",
    re.I,
)
_DEVICE_WORDS = frozenset(
    "iphone ipad android samsung galaxy mobile blackberry outlook smartphone phone tablet "
    "device yahoo mail windows ios app proton gmail aol".split()
)
_DEVICE_OTHER_WORDS = frozenset(
    "my the a an for on by with verizon at&t att t-mobile tmobile sprint cricket boost metro "
    "pcs wireless network lte 4g 5g htc lg motorola moto pixel google huawei xiaomi oneplus "
    "nokia sony xperia note ultra plus pro max mini fold flip edge k-9 k9 secure email "
    "e-mail".split()
)


def _mobile_signature(line: str) -> bool:
    """Whether a line is a phone's or an app's signature, the whole line (_MOBILE_SIGNATURE)."""
    while (tail := _SIGNATURE_TAIL.search(line)) is not None and tail.start() > 0:
        line = line[: tail.start()]
    found = _MOBILE_SIGNATURE.match(line)
    if found is None:
        return False
    words = [w.strip(".'-") for w in re.split(r"[\s,]+", found.group("words").casefold())]
    words = [w for w in words if w]
    known = _DEVICE_WORDS | _DEVICE_OTHER_WORDS
    every = all(w in known or re.fullmatch(r"[a-z]?\d+[a-z]?\d*", w) for w in words)
    return every and any(w in _DEVICE_WORDS for w in words)


# HTML bodies mark the quoted message: Gmail, Apple Mail, Thunderbird, Outlook on the web,
# Outlook for Windows (the quote's block), Yahoo.
_HTML_QUOTE = re.compile(
    r"<(div|blockquote)\b[^>]*(class=[\"']?(gmail_quote|moz-cite-prefix|yahoo_quoted)|"
    r"type=[\"']?cite|id=[\"']?(appendonsend|divRplyFwdMsg))",
    re.I,
)
# The prefixes mail programs put before a reply's subject, in the languages Outlook, Gmail
# and the others are set to: English, German (AW), the Nordic languages (SV, VS), Dutch
# (Antw), Polish (Odp), Portuguese (RES), Italian (R, RIF), Turkish (YNT), Greek, Hebrew,
# Arabic, Chinese (回复, 答复, 回覆). A forward's (FW, WG, TR, RV, ENC, I, VB, VL, PD, İLT,
# Doorst, 转发…) come before a forwarded subject.
_REPLY_WORDS = r"re|aw|sv|vs|antw|antwort|odp|res|r|rif|ynt|απ|σχετ|השב|רד|رد|回复|答复|回覆|答覆"
_FORWARD_WORDS = (
    r"fw|fwd|wg|tr|rv|enc|i|vb|vl|pd|i̇lt|ilt|doorst|πρθ|הועבר|إعادة توجيه|转发|轉寄|转寄"
)
_PREFIX = re.compile(
    rf"^\s*(?:(?P<reply>{_REPLY_WORDS})|{_FORWARD_WORDS})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.I,
)


def _body(msg: EmailMessage, *, whole: bool = False) -> str:
    """The message's text: its plain part, else its HTML (with the quoted message the
    client marked when `whole`); a part whose header is damaged gives way to its
    alternative, and with none the message is unreadable."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    if (damaged := _damaged_header(part)) is not None:
        alternative = "html" if part.get_content_subtype() == "plain" else "plain"
        other = msg.get_body(preferencelist=(alternative,))
        if other is None or other is part or _damaged_header(other) is not None:
            raise _corrupt(damaged)
        part = other
    payload = part.get_payload(decode=True)
    text = decode_text(payload, part.get_content_charset()) if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        return html_to_text(text, whole=whole)
    return text


def message_body(msg: EmailMessage, *, whole: bool = False) -> str:
    """The text of a parsed MIME message (see _body)."""
    return _body(msg, whole=whole)


def mime_body(data: bytes, *, whole: bool = False) -> str:
    """The text of a MIME message given as bytes (a signed .msg keeps its message so)."""
    return _body(_parse(data), whole=whole)


# A header line holding only encoded words, not indented: how some mailers (Gmail through
# Exchange Online) continue a long Subject. The standard says a continuation is indented.
_ENCODED_WORDS_LINE = re.compile(rb"^(=\?[^?\s]+\?[bq]\?[^?\s]*\?=[ \t]*)+\r?\n?$", re.I)
# A header line's start: the name, then its colon (RFC 5322: printable ASCII but the colon).
_HEADER_START = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:|^[ \t]")
# Headers every mail program writes: after a line that is none, they show the header is
# damaged, not that the message's text has begun.
_KNOWN_HEADER = re.compile(
    r"^(from|to|cc|date|subject|sender|reply-to|message-id|received|return-path|mime-version|"
    r"content-[\w-]+|x-[\w-]+)\s*:",
    re.I,
)


def unfolded(data: bytes) -> bytes:
    """The message (or its header alone) with each unindented line of encoded words in its
    header indented, as the continuation of the line above it that it is."""
    end = min((i for i in (data.find(b"\r\n\r\n"), data.find(b"\n\n")) if i >= 0), default=-1)
    header = data if end < 0 else data[:end]
    if b"\n=?" not in header:
        return data
    lines = header.splitlines(keepends=True)
    for n in range(1, len(lines)):
        if _ENCODED_WORDS_LINE.match(lines[n]) and _HEADER_START.match(lines[n - 1]):
            lines[n] = b" " + lines[n]
    return b"".join(lines) + (b"" if end < 0 else data[end:])


# How deep parts may nest: a forward of a forward of a reply is a few levels each; past this
# no mail program wrote the message (and reading it would exhaust the stack).
MAX_NESTING = 100
_TOO_DEEP = (
    f"its parts nest more than {MAX_NESTING} levels deep, as no mail program writes; ask the "
    "agent to send it again"
)


# The character set an RFC 2231 parameter names (`filename*=iso-2022-jp'ja'…`,
# `filename*0*=…`).
_PARAMETER_CHARSET = re.compile(r"(\*(?:0\*)?\s*=\s*\"?)[^'\";\s]*'")


class _ReadPolicy(EmailPolicy):
    """The email package's own policy, but a header whose parameter is in a character set
    its codec cannot read (an RFC 2231 file name in Outlook's ISO-2022-JP, with ①, or in
    `idna`, a Python codec of host names: the package raises) is parsed with that
    parameter's character set unknown, as the package parses one it does not know: the
    header's type and other parameters stay, and file_name reads the name in the Windows
    code page."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        try:
            return super().header_fetch_parse(name, value)
        except UnicodeError:
            unknown = _PARAMETER_CHARSET.sub(r"\1x-unknown'", value)
            return super().header_fetch_parse(name, unknown)


READ_POLICY = _ReadPolicy()


def _parse(data: bytes) -> EmailMessage:
    """The message parsed; UnreadableMail when its parts nest past MAX_NESTING."""
    try:
        msg = email.message_from_bytes(unfolded(data), policy=READ_POLICY)
    except RecursionError:
        raise UnreadableMail("corrupt", _TOO_DEEP) from None
    assert isinstance(msg, EmailMessage)
    parts: list[tuple[Message, int]] = [(msg, 0)]
    while parts:
        part, depth = parts.pop()
        if depth > MAX_NESTING:
            raise UnreadableMail("corrupt", _TOO_DEEP)
        if part.is_multipart():
            parts += [(p, depth + 1) for p in part.get_payload() if isinstance(p, Message)]
    return msg


def read_message(data: bytes) -> EmailMessage:
    """A MIME message (.eml) as bytes, parsed; UnreadableMail when it is no e-mail (a
    binary file, no e-mail headers) or its header is damaged past reading: a line that is
    no header among them, with header lines after it, which would otherwise be read as the
    message's text."""
    if not data:
        raise UnreadableMail("not an e-mail", EMPTY_FILE)
    if b"\x00" in data[:4096] or data.startswith(b"PK\x03\x04"):
        raise UnreadableMail("not an e-mail", "a binary file: a picture, a workbook or such")
    msg = _parse(data)
    if not {k.lower() for k in msg.keys()} & set(MAIL_HEADERS):  # as written: none parsed
        raise UnreadableMail("not an e-mail", "no e-mail headers (From, Date, Subject)")
    if (damaged := _damaged_header(msg)) is not None:
        raise _corrupt(damaged)
    return msg


def _damaged_header(part: Message) -> str | None:
    """The line that is no header among a message's (or a part's) header lines, with
    header lines after it that would be read as its text; None when its header is sound."""
    if not any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in part.defects):
        return None
    payload = part.get_payload()
    text = payload if isinstance(payload, str) else ""
    head = text.replace("\r\n", "\n").split("\n\n", 1)[0].split("\n")
    if not any(_KNOWN_HEADER.match(line) for line in head[1:]):
        return None
    shown = head[0].strip()
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _corrupt(line: str) -> UnreadableMail:
    return UnreadableMail(
        "corrupt",
        f"a damaged header: the line {line!r} among its headers is none, so where the text "
        "starts cannot be told; ask the agent to send it again",
    )


# Labels mail programs read as the Windows code page that extends them (the WHATWG Encoding
# Standard's reading): a "Latin-1" message written on Windows holds its curly apostrophes
# (0x92) and dashes (0x96), a "Shift_JIS" one its circled numbers (①), a "GB2312" one the
# GBK characters and the euro sign (0x80, read by mail.codepages), a "Big5" one the euro
# sign, an "ISO-2022-JP" one Outlook's circled numbers and half-width katakana (read by
# mail.codepages). Python's codecs of those labels are strict.
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "cp950",
}
# Labels mail programs write that Python does not know: the WHATWG Encoding Standard's, and
# Windows' own names for its code pages (MLang's for Outlook's ISO-2022-JP).
_LABELS = {
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    **dict.fromkeys(
        ("x-gbk", "csgb2312", "gb_2312", "gb_2312-80", "x-euc-cn", "windows-936", "x-cp936"),
        "gb18030",
    ),
    **dict.fromkeys(
        (
            "cp50220",
            "cp50221",
            "cp50222",
            "x-cp50220",
            "x-cp50221",
            "x-cp50222",
            "_iso-2022-jp$esc",
            "_iso-2022-jp$sio",
            "_iso-2022-jp",
        ),
        "iso2022_jp_ext",
    ),
    "x-euc-jp": "euc_jp",
    "windows-874": "cp874",
    "x-user-defined": "cp1252",
    "unicode-1-1-utf-8": "utf-8",
}
# Python's codecs that are no character set: a label naming one is unknown (`charset=base64`
# is no text in base64, and `idna` reads host names, not text).
_NOT_CHARSETS = frozenset(
    ("idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "charmap")
)
# A text whose label is missing, unknown or does not fit is UTF-8 when UTF-8 reads most of
# it, else Windows-1252 (what Windows PCs write). Latin-1 is never the answer: it reads the
# bytes 0x80-0x9F as control characters, which no cell can show.
_WESTERN = "cp1252"
_UTF16 = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


def _codec(charset: str | None) -> str | None:
    """The codec a label is read with (its Windows superset); None when the label is
    missing or unknown."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    try:
        found = codecs.lookup(_LABELS.get(label, label))
    except LookupError:
        return None
    if not found._is_text_encoding or found.name in _NOT_CHARSETS:
        return None
    return _SUPERSETS.get(found.name, found.name)


def _utf16(data: bytes) -> str | None:
    """UTF-16 told by its bytes: a byte-order mark, or a NUL at every other byte (the
    high byte of Latin text); None when the bytes are not UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and len(data) % 2 == 0:
        return "utf-16"
    pairs = len(data) // 2
    if pairs < 2 or len(data) % 2:
        return None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd * 2 > pairs and even * 8 < pairs:
        return "utf-16-le"
    if even * 2 > pairs and odd * 8 < pairs:
        return "utf-16-be"
    return None


@dataclass(frozen=True)
class _Reading:
    text: str  # each byte the codec cannot read as U+FFFD
    bad: int  # the bytes (or byte runs) it cannot read; a U+FFFD the text holds is none
    good: int  # the characters beyond ASCII it did read

    @classmethod
    def of(cls, data: bytes, codec: str) -> _Reading:
        text, bad = read(data, codec)
        beyond_ascii = len(text) - len(text.encode("ascii", "ignore"))  # in one call
        return cls(text, bad, beyond_ascii - bad)


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes in the character set a message labels them with (read as the Windows code page
    that extends it: Shift_JIS as cp932, GB2312 as GBK, Latin-1 as Windows-1252). A body
    that fits its label but for a few bytes keeps it, each of those bytes read as U+FFFD;
    one the label does not fit for most of its text, or with no label or an unknown one, is
    read as whichever of UTF-8 and Windows-1252 fits it best. A byte-order mark decides, and
    is no part of the text. Never an error, and never a control character U+0080-U+009F
    that the label did not put there."""
    codec = _codec(charset)
    if codec not in _UTF16 and (wide := _utf16(data)) is not None:
        codec = wide
    elif data.startswith(codecs.BOM_UTF8):
        codec = "utf-8"
    elif not (codec or "").startswith("iso2022") and _iso2022_jp_text(data):
        codec = "iso2022_jp_ext"  # the bytes say so, whatever the label
    if codec is not None and codec != _WESTERN:
        declared = _Reading.of(data, codec)
        # Seven-bit ISO-2022-JP keeps its label: UTF-8 would "read" its escapes as text.
        if declared.bad <= declared.good or (is_iso2022_jp(codec) and data.isascii()):
            return declared.text.removeprefix("\ufeff")
    else:
        declared = None
    # No label, a Western one, or one the bytes do not fit: UTF-8 when it reads more than
    # it cannot (text from a PC's code page is almost never valid UTF-8 by chance).
    utf8 = _Reading.of(data, "utf-8")
    if utf8.bad == 0 or utf8.bad < utf8.good:
        return utf8.text.removeprefix("\ufeff")
    readings = [r for r in (declared, utf8, _Reading.of(data, _WESTERN)) if r is not None]
    return min(readings, key=lambda r: r.bad).text.removeprefix("\ufeff")


# An ISO-2022 escape sequence that designates a character set (ESC $ B, ESC ( J, ESC $ ( D,
# ESC . A...).
_ISO2022_DESIGNATION = re.compile(rb"\x1b[$(&.][\x20-\x2f]*[\x30-\x7e]")


def _iso2022_jp_text(data: bytes) -> bool:
    """Whether `data` is ISO-2022-JP by its bytes: seven bits, with an escape sequence
    designating a character set."""
    return b"\x1b" in data and data.isascii() and _ISO2022_DESIGNATION.search(data) is not None


def decode_words(text: str) -> str:
    """A header's RFC 2047 encoded words decoded (with decode_text's character sets);
    adjacent words are decoded together, since some mailers split a character's UTF-8
    bytes across two of them."""
    if "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except (HeaderParseError, ValueError):
        return text
    return "".join(p if isinstance(p, str) else decode_text(p, cs) for p, cs in parts)


def html_to_text(html: str, *, whole: bool = False) -> str:
    """An HTML body's own words, one line per paragraph: no scripts and styles, and nothing
    from the quoted message the mail client marked on (kept when `whole`)."""
    quoted = None if whole else _HTML_QUOTE.search(html)
    if quoted is not None:
        html = html[: quoted.start()]
    # A line break in HTML's source is a space (Word and Outlook wrap their source lines);
    # only <pre> keeps its lines.
    parts = re.split(r"(?is)(<pre\b.*?</pre>)", html)
    html = "".join(p if p[:4].lower() == "<pre" else re.sub(r"\s+", " ", p) for p in parts)
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</h\d>|<hr\b[^>]*>", "\n", text)
    return unescape(re.sub(r"<[^>]+>", " ", text))


# How sure esp is that a header block starts a quoted message.
SURE, LIKELY = "sure", "likely"


def _quoted_header(
    lines: Sequence[str], i: int, *, ruled: bool = False, own: bool = False, sender: str = ""
) -> str:
    """Whether lines[i] starts the header block of a quoted message: SURE when the block
    gives an address, or the time it was sent (every mail program writes one) and is not
    the sender's own memo; in any language under Outlook's rule (`ruled`). LIKELY when only
    its words say so: a From line naming another person, below the agent's `own` words,
    then a To, Subject or Cc line and no date without a time. '' when it is the agent's own
    (a memo's or a template's "From: home / Date: 11/24", a block that starts above)."""
    first = lines[i].strip()
    if not _HEADER_LINE.match(first):
        return ""
    block = [first]
    for line in lines[i + 1 : i + 1 + 2 * _BLOCK_LINES]:
        if not line.strip():
            continue
        if not _HEADER_LINE.match(line.strip()) or len(block) == _BLOCK_LINES:
            break
        block.append(line.strip())
    if len(block) < 2:
        return ""
    value = first.split(":", 1)[-1].split("：", 1)[-1].strip()
    timed = any(_TIME.search(x) for x in block)
    if not _names_a_person(value):
        return ""  # her hours typed `De: 9:00` / `A: 17:30`
    if ruled and ("@" in value or timed):
        return SURE
    found = _FROM_HEADER.match(first)
    if not found or not _FROM_VALUE.search(value):
        return ""
    if not _one_language(first, block[1 : 1 + _HEADER_LOOKAHEAD]):
        return ""
    above = lines[i - 1].strip() if i > 0 else ""
    if not ruled and above and _HEADER_LINE.match(above):
        return ""  # the block starts above: a memo's To line, the agent's own
    himself = bool(sender) and name_tokens(value) == name_tokens(sender)
    if "@" in value or (timed and not himself):
        return SURE
    person = _PERSON.match(value) and value[:1].isupper()
    dated = any(_DATE_HEADER.match(x) for x in block)
    return LIKELY if own and person and not dated and not himself else ""


def _signature_below(lines: Sequence[str], i: int, sender: list[str]) -> bool:
    """Whether a bare `--` line at lines[i] (without RFC 3676's trailing space) is a
    signature's: nothing follows it, or the sender's name, or only a signature's lines (a
    title with a `|`, a phone, an address); else it divides the agent's own lines."""
    after = (x for j in range(i + 1, len(lines)) if (x := lines[j].strip()))
    following = next(after, None)
    if following is None or _signed_name(following, sender) == "sender":
        return True
    return all(_SIGNATURE_LINE.search(x) for x in chain((following,), after))


def _attribution_lines(lines: Sequence[str], i: int) -> int:
    """How many lines (up to three) the "On … wrote:" attribution starting at lines[i]
    takes; 0 when there is none."""
    joined = ""
    for n, line in enumerate(lines[i : i + _ATTRIBUTION_LINES], start=1):
        joined = f"{joined} {line.strip()}".strip()
        if _ATTRIBUTION.match(joined) and ("@" in joined or _TIME.search(joined)):
            return n
    return 0


def _without_greeting(line: str) -> str:
    """The first line without the greeting it starts with ("Hi Jordan, 7 of 8 done" ->
    "7 of 8 done"): '' when it holds nothing else; unchanged when what follows the greeting
    word might be the report ("Hi Jordan I finished")."""
    found = _GREETING.match(line)
    if found is None:
        return line
    greeted = found.group("to").split()
    rest = line[found.end() :]
    if not rest.strip():
        return ""
    if all(w.casefold() in _GREETED or w[:1].isupper() for w in greeted):
        return rest
    return line


def _signed_name(text: str, sender: list[str]) -> str:
    """'sender' when `text` is the sender's name (or their first name, a short form of it,
    their initials), 'name' when it only looks like a name (one to three capitalised
    words), else ''."""
    words = text.split()
    if not 1 <= len(words) <= 4 or not all(_NAME_WORD.match(w) for w in words):
        return ""
    folded = name_words(text)
    if sender and folded:
        if all(any(s.startswith(w) and len(w) >= 2 for s in sender) for w in folded):
            return "sender"
        if "".join(folded) == "".join(s[0] for s in sender):
            return "sender"
    if len(words) <= 3 and all(w[:1].isupper() for w in words):
        return "name"
    return ""


def _signature_at(kept: Sequence[str], i: int, sender: list[str]) -> bool:
    """Whether a sign-off at kept[i] starts the signature: nothing but the signer's name
    and a signature's lines (a title, a phone, an address) follow, or the sender's own name
    does. 'Thanks!' above 'Citrix still down' is the report."""
    found = _SIGNOFF.match(kept[i])
    if found is None:
        return False
    after = (kept[j] for j in range(i + 1, len(kept)) if kept[j])
    named = found.group("name")
    if named:
        who = _signed_name(named, sender)
        if not who:
            return False
    elif (following := next(after, None)) is not None:
        who = _signed_name(following, sender)
        if not who:
            return False
    else:
        return True  # a sign-off on the last line
    return who == "sender" or all(_SIGNATURE_LINE.search(x) for x in after)


def _without_signature(kept: list[str], sender: list[str]) -> list[str]:
    """The lines above the sign-off that starts the signature (all of them when there is
    none); a P.S. written under the signature is kept."""
    for i in range(len(kept)):
        if _signature_at(kept, i, sender):
            after = range(i + 1, len(kept))
            postscript = next((j for j in after if _POSTSCRIPT.match(kept[j])), len(kept))
            return kept[:i] + kept[postscript:]
    return kept


@dataclass(frozen=True)
class OwnText:
    """What the agent wrote, on one line, and what a person should know of what was left
    out ('' when nothing doubtful was)."""

    text: str
    left_out: str = ""
    # The lines taken for the sender's signature alone, when nothing else was typed.
    set_aside: str = ""


def clean_body(text: str, sender_name: str = "") -> str:
    """The message itself: no quotes, forwards, signature, greeting or sign-off; one line."""
    return own_text(text, sender_name).text


def own_text(text: str, sender_name: str = "", sender_email: str = "") -> OwnText:
    """The message itself (clean_body), and a word on text left out as a quoted message
    that only its header's words marked as one."""
    lines = text.replace("\r\n", "\n").split("\n")
    sender = name_words(sender_name)
    kept: list[str] = []
    words = 0  # the lines of kept with words
    first = ""  # the first of them
    left_out = ""
    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        if raw.rstrip() == "--" and raw != "-- " and not _signature_below(lines, i, sender):
            i += 1
            continue  # a divider of the agent's own: no words
        if raw.rstrip() == "--" or _QUOTE_START.match(line) or _mobile_signature(line):
            break  # signature or the start of the quoted original
        own = words > 1 or bool(words and _without_greeting(first))
        if line and (found := _quoted_header(lines, i, own=own, sender=sender_name)):
            if found == LIKELY:
                left_out = f"from {_shortened(line)!r} down"
            break
        if _RULE.match(line):
            after = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
            if after is not None and _quoted_header(lines, after, ruled=True) == SURE:
                break  # Outlook's line above the quoted message's header block
            i += 1
            continue  # a rule of the agent's own: no words
        if attribution := _attribution_lines(lines, i):
            i += attribution
            following = next((x for j in range(i, len(lines)) if (x := lines[j].strip())), "")
            if following.startswith(">"):
                continue  # a quote marked with '>': the agent may write below it
            break  # the rest is the quoted message, unmarked
        if not line.startswith(">"):  # a quote the agent answers between
            kept.append(line)
            first = first or line
            words += bool(line)
        i += 1
    del kept[: next((n for n, x in enumerate(kept) if x), len(kept))]
    if kept:
        kept[0] = _without_greeting(kept[0])
    kept = _without_signature(kept, sender)
    while kept and not kept[-1]:
        kept.pop()
    # Outlook's signature alone (the sender's name, a title, a phone), under no sign-off:
    # nothing typed, the lines set aside said.
    set_aside = ""
    if kept and sender and _signature_only(kept, sender, sender_email):
        set_aside = " / ".join(x for x in kept if x)
        kept = []
    # A cover line ("FYI", "See attached.") over her signature: the cover line, the
    # signature set aside.
    rest = [x for x in kept[1:] if x]
    if rest and _POINTER.match(kept[0]) and sender and _signature_only(rest, sender, sender_email):
        set_aside = " / ".join(rest)
        kept = kept[:1]
    # Her whole name alone on the first line, above her words (a heading): the note names
    # her already.
    while kept and not kept[0]:
        del kept[0]
    if len(kept) > 1 and sender and sorted(name_words(kept[0])) == sorted(sender):
        del kept[0]
    # A name alone on the last line ("Devon"), under no sign-off.
    while kept and sender and name_words(kept[-1]) in (sender[:1], sender):
        kept.pop()
        while kept and not kept[-1]:
            kept.pop()
    folded = " ".join(" ".join(kept).split())
    if len(folded) > MAX_NOTE_CHARS:
        folded = folded[: MAX_NOTE_CHARS - 1].rstrip() + "…"
    if left_out:
        left_out = (
            f"the text {left_out} was left out as a quoted message (its header words say so); "
            "if it is the agent's, add it with esp note add"
        )
    return OwnText(folded, left_out, set_aside)


# The lines of an Outlook signature under the sender's name, besides a phone, an address or
# a link: her title (in these words), her company, her pronouns, her extension.
_TITLE_WORDS = frozenset(
    "agent representative rep specialist associate advisor advocate consultant analyst "
    "coordinator supervisor manager lead trainee customer care service services support "
    "client contact center centre call team member senior junior sr jr tier level i ii iii "
    "officer executive escalations billing technical tech sales account experience csr "
    "bilingual assistant operations help desk helpdesk retention resolution".split()
)
# A contact that is the whole line (or `|` part), its label before it ("Office: (614) …",
# "E: amira@…"): "Emailed spoc@x.com about Citrix" is a sentence.
_CONTACT = re.compile(
    r"^((tel|phone|office|mobile|cell|direct|fax|work|main|e-?mail|web|website|[motpewdcf])"
    r"\.?\s*[:.]?\s*)?"
    r"(\+?\d{0,3}[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}|[\w.+-]+@[\w-]+\.[\w.-]+|"
    r"(https?://|www\.)\S+)(\s*(ext|x)\.?\s*\d+)?$",
    re.I,
)
_PRONOUNS = re.compile(r"^(pronouns?\s*:|\(?(she|he|they)\s*/\s*(her|him|them)\b)", re.I)
_EXTENSION = re.compile(r"\b(ext|x)\.?\s*\d+\b", re.I)
# A company: a name in CamelCase ("VendorCX"), or one with its Inc., LLC…; a word in
# capitals alone ("DONE", "OOO") is a company only when it is her address's.
_COMPANY = re.compile(r"^([A-Z][a-z]+[A-Z][\w&]*|.+\b(?i:inc|llc|ltd|corp|gmbh|co)\.?)$")


def _signature_part(part: str, domain: str) -> bool:
    """Whether a signature line (or one of its `|` parts) is a title, a company, pronouns,
    an extension, a phone, an address or a link — no words of a report."""
    if not part or _CONTACT.match(part) or _PRONOUNS.match(part):
        return True
    plain = _EXTENSION.sub(" ", part)
    words = re.findall(r"[^\W\d_]+", plain.casefold())
    if not words and plain != part:
        return True  # "Ext. 4471"
    titled = [w for w in words if w != domain]
    if titled and all(w in _TITLE_WORDS for w in titled):
        return True  # "Customer Care Agent VendorCX"
    letters = "".join(words)
    return bool(letters and domain and letters == domain) or bool(_COMPANY.match(plain.strip()))


def _signature_only(kept: Sequence[str], sender: list[str], address: str) -> bool:
    """Whether the lines are the sender's Outlook signature alone: her name first (`Name |
    Title` too), then only a signature's lines, each of its `|` parts one."""
    domain = re.sub(r"[^\w]", "", address.rpartition("@")[2].split(".")[0].casefold())
    name, *tail = (x.strip() for x in kept[0].split("|"))
    rest = [x for x in kept[1:] if x]
    if not _her_name(name, sender) or not (rest or tail):
        return False
    parts = tail + [p.strip() for x in rest for p in x.split("|")]
    return all(_signature_part(p, domain) for p in parts)


def _her_name(text: str, sender: list[str]) -> bool:
    """Whether a line is the sender's whole name, a middle initial in it or not ("Amira K.
    Hassan")."""
    words = name_words(text)
    full = [w for w in words if len(w) > 1] if len(words) > len(sender) else words
    return bool(sender) and sorted(full) == sorted(sender)


def _shortened(line: str, most: int = 60) -> str:
    return line if len(line) <= most else line[: most - 1] + "…"


def subject_text(subject: str) -> str:
    """A subject without its forward prefixes (`FW:`, `Fwd:`, `ENC:`), for a message with no
    text of its own; '' when a reply prefix is among them (`RE:`, `AW:`, `RES:`, `回复:`,
    `Fwd: RE:`): a reply's subject is the message it answers, the coordinator's words, not
    the agent's."""
    rest = _untagged(subject)
    while found := _PREFIX.match(rest):
        if found.group("reply"):
            return ""
        rest = rest[found.end() :]
    return " ".join(rest.split())


# `Brooks, Kayla <kayla.brooks@x.com>`: a name with a comma, unquoted, then one address.
_NAME_AND_ADDRESS = re.compile(r"^(?P<name>[^\"<>@]*?)\s*<(?P<addr>[^<>\s@]+@[^<>\s@]+)>$")
# Outlook's `Reyes, Jordan [mailto:jordan.reyes@x.com]`.
_MAILTO = re.compile(r"^(?P<name>.*?)\s*\[mailto:(?P<addr>[^\]\s]+@[^\]\s]+)\]$", re.I)
# Other mail programs' `Jordan Reyes [jordan.reyes@x.com]` (Lotus Notes, some web mail) and
# `Jordan Reyes (jordan.reyes@x.com)`, which the email package reads as the address
# `Jordan` (an address before a name in parentheses, `jordan.reyes@x.com (Jordan Reyes)`,
# it reads right): the address after its scheme, if written (`[SMTP:j@x.com]`,
# `(mailto:j@x.com)`, `[SIP:j@x.com]`), without a period after it (`[j@x.com.]`).
_NAME_AND_BRACKETED = re.compile(
    r"^(?P<name>[^<>@\[\]()]*?)\s*\[(?:[a-z][\w+.-]*:)?"
    r"(?P<addr>[^\[\]()<>\s@:]+@[^\[\]()<>\s@]+?)\.?\]$",
    re.I,
)
_NAME_AND_PARENTHESIZED = re.compile(
    r"^(?P<name>[^<>@\[\]()]*?)\s*\((?:[a-z][\w+.-]*:)?"
    r"(?P<addr>[^\[\]()<>\s@:]+@[^\[\]()<>\s@]+?)\.?\)$",
    re.I,
)


def _name_then_address(value: str) -> tuple[str, str] | None:
    """A name and the address written after it, as mail programs write them in a header
    or show them in a quoted one — `Name <address>` (a comma in the name unquoted: `Holt,
    Zachary <z@x.com>`), `Name [mailto:address]`, `Name [address]`, `Name (address)` —,
    the name as written; None when the value is none of those."""
    for form in (_NAME_AND_ADDRESS, _MAILTO, _NAME_AND_BRACKETED, _NAME_AND_PARENTHESIZED):
        if (found := form.match(value)) is not None:
            return found.group("name"), found.group("addr")
    return None


# Outlook's one-off recipient, an address typed in its To box: shown in quotes
# (`'xavier.dunn@x.com'`), written so before the address too (`'a@x.com' <a@x.com>`).
_ONE_OFF = re.compile(
    r"^(?P<q>['\"])(?P<typed>[^'\"<>\s@]+@[^'\"<>\s@]+)(?P=q)"
    r"(\s*<(?P<addr>[^<>\s@]+@[^<>\s@]+)>)?$"
)


def _one_off(value: str) -> tuple[str, str] | None:
    """An address in quotes, alone or before the same in angle brackets, as (no display
    name, the address); None when the value is no such thing."""
    found = _ONE_OFF.match(value.strip())
    return ("", found.group("addr") or found.group("typed")) if found else None


def _raw_header(msg: Message, name: str) -> str | None:
    """A header as written, unfolded; text in it not in encoded words, against the standard,
    as some mailers write it, read as _eight_bit reads it."""
    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == name), None)
    if raw is None:
        return None
    return " ".join(_eight_bit(raw, _charset_of(msg)).split())


def _eight_bit(raw: str, charset: str | None = None) -> str:
    """Header text not in encoded words, as written: raw ISO-2022-JP (seven bits and escape
    sequences, as Japanese mailers write Subject and From) read in the message's `charset`,
    or in Outlook's ISO-2022-JP when that is another (decode_text); 8-bit bytes (kept by the
    parser as surrogates) read as UTF-8 when they are, else in `charset` (decode_text:
    Windows-1252 when it does not fit)."""
    if raw.isascii() and "\x1b" not in raw:
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    if data.isascii():
        return decode_text(data, charset)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(data, charset)


def _charset_of(msg: Message) -> str | None:
    """The character set a message's text is labelled in: its own, else its first text
    part's (None when none says)."""
    for part in msg.walk():
        if (charset := part.get_content_charset()) is not None:
            return str(charset)
    return None


def subject_of(msg: Message) -> str:
    """The Subject, its encoded words read in their Windows code pages ('' when none)."""
    return decode_words(_raw_header(msg, "subject") or "").strip()


class _AsWritten(Compat32):
    """compat32 (a parameter as written, its character set apart), its 8-bit bytes kept as
    the parser holds them, for file_name to read: compat32 makes each U+FFFD."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        return value


_AS_WRITTEN = _AsWritten()


def file_name(part: Message) -> str:
    """A part's file name (Content-Disposition's filename, else Content-Type's name) with
    its spaces tidied, '' when it has none. Its character set (RFC 2231) or encoded words
    (RFC 2047) are read as decode_text reads them: the email package reads them with
    Python's strict codecs (ISO-2022-JP's ①, GBK's euro sign, Latin-1's dash lost)."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        raw = next((str(v) for k, v in part.raw_items() if k.lower() == header), None)
        if raw is None:
            continue
        params = Message(policy=_AS_WRITTEN)
        params[header] = "".join(raw.splitlines())
        value = params.get_param(param, header=header)
        if isinstance(value, tuple):
            charset, _, text = value
            name = decode_text(text.encode("latin-1", "surrogateescape"), charset or None)
        elif value:
            name = decode_words(_eight_bit(value, _charset_of(part)))
        else:
            continue
        return " ".join(name.split())
    return ""


def sender_of(msg: EmailMessage, header: str = "from") -> tuple[str, str]:
    """The From header's (display name, address), or another address header's. The header
    is split into name and address before its encoded words are decoded: decoded first, an
    encoded `Price, Devon` would read as two addresses. A name with a comma that its mailer
    did not quote (`Brooks, Kayla <kayla@x.com>`) is still one name; a name alone, or with
    an Exchange directory name for address (`IMCEAEX-…`), has no address."""
    raw = _raw_header(msg, header)
    return ("", "") if raw is None else _mailbox(raw)


def _mailbox(raw: str) -> tuple[str, str]:
    """One (display name, address) as an address header writes it (sender_of)."""
    if (one_off := _one_off(raw)) is not None:
        return one_off
    if (found := _name_then_address(raw)) is not None:
        name, addr = found
    elif "@" not in raw:  # a display name alone (`Brooks, Kayla`): no address
        name, addr = raw.strip().strip('"<>').strip(), ""
    else:
        name, addr = parseaddr(raw)
    if addr.casefold().startswith(_EXCHANGE_ADDRESS):
        addr = ""  # an Exchange directory name, no SMTP address: the name says who
    return decode_words(name).strip().strip('"').strip(), addr.strip()


def address_header(msg: Message, *names: str) -> tuple[tuple[str, str], ...]:
    """The people a message's address headers name (`names`: "to", "cc"; each header as
    often as it is written), each (display name, address): read from the header as written,
    never through the email package's own parser (which raises on a group it cannot read,
    `Undisclosed recipients:; <a@x.com>`): split as _people_in splits a list (a group with
    no members names no one: a blind copy), each person read as sender_of reads From."""
    charset = _charset_of(msg)
    found: list[tuple[str, str]] = []
    for key, value in msg.raw_items():
        if key.lower() in names:
            found += _people_in(" ".join(_eight_bit(str(value), charset).split()), _mailbox)
    return tuple(found)


# A group's name before its members (`Undisclosed recipients:`, `AET-1 Agents:`).
# Its brackets and parentheses hold no colon (`AET-1 Agents (Nov):`, `Team [AET-1]:`): the
# colon of `Jordan Reyes (mailto:j@x.com)` or `Reyes, Jordan [SMTP:j@x.com]` ends no group.
_GROUP_NAME = re.compile(r'^(?:[^"<>@:;,\[\]()]|\[[^\[\]:@]*\]|\([^():@]*\))*:')
# An address, found by a plain scan in a header nothing else can read.
_ANY_ADDRESS = re.compile(r"[^\s<>\"(),;:\[\]@]+@[^\s<>\"(),;:\[\]@]+")


def _people_in(text: str, person: Callable[[str], tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The people a list of them names — an address header's (address_header), a quoted
    header block's To or Cc line, a .msg's display To (display_people) —, each read by
    `person`: split at `;` outside quotes and angle brackets (Outlook's `Dunn, Xavier;
    Stone, Rebecca`), then a part holding an address at its commas too (split_addresses:
    `a@x.com, b@x.com`, a comma in a name before its `<address>`, `[address]` or
    `(address)` kept, and in a comment, `a@x.com (Dunn, Xavier)`; a name alone of one word
    and the name alone after it one name, `Stone <r@x.com>, Dunn, Xavier`); a part with no
    address keeps its commas (`Dunn, Xavier`). A group's name (`Undisclosed recipients:`,
    `ESP Team:`) is no one. A list none of that can read is scanned for its addresses."""
    try:
        parts = split_addresses(text, at=";")
        pieces = [
            p
            for part in parts
            for p in (split_addresses(part, last_first=True) if "@" in part else [part])
        ]
        people = [person(_GROUP_NAME.sub("", p, count=1).strip()) for p in pieces]
    except (HeaderParseError, ValueError, IndexError, AttributeError, TypeError):
        return tuple(("", a) for a in _ANY_ADDRESS.findall(text))
    return tuple((n, a) for n, a in people if n or a)


# An Exchange user's directory name written as an address (`IMCEAEX-_O=…@….outlook.com`).
_EXCHANGE_ADDRESS = "imceaex-"


def same_sender(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether two (display name, address) pairs are one person: the same address, else
    (one has none) the same name; False when nothing can be compared."""
    if a[1] and b[1]:
        return a[1].casefold() == b[1].casefold()
    return bool(a[0] and b[0]) and name_tokens(a[0]) == name_tokens(b[0])


def on_behalf(msg: EmailMessage, mailbox: tuple[str, str]) -> tuple[str, str]:
    """Who sent the message on behalf of `mailbox` (its From): the Sender header when it
    names another person (a delegate, a shared mailbox's member); ('', '') when not."""
    sender = sender_of(msg, "sender")
    if not any(sender) or same_sender(sender, mailbox):
        return "", ""
    return sender


def sent_time(msg: EmailMessage) -> datetime | None:
    """When the message was sent, from its Date header (None when it has no readable one)."""
    when_raw = msg.get("Date")
    if not when_raw:
        return None
    try:
        when = parsedate_to_datetime(str(when_raw))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None and re.search(r"-0000\s*(\(.*\))?$", str(when_raw).strip()):
        when = when.replace(tzinfo=UTC)  # RFC 5322: a UTC time whose sender's zone is unknown
    return when


# Reads an e-mail file attached as a saved file (.msg or .eml, told by its content).
ReadFile = Callable[[bytes, str, "tzinfo | None"], SelfReport]


def parse_email(
    data: bytes,
    source: str,
    tz: tzinfo | None = None,
    *,
    read_file: ReadFile | None = None,
    agents: KnownAgents | None = None,
) -> SelfReport:
    """Raises UnreadableMail (a ValueError) when the message has no usable date or sender,
    NotAReport when no person wrote it. A forward with nothing typed in it is read as
    forwarded_report says: the e-mails attached to it as messages, and as saved files when
    `read_file` reads them. `agents`: the tracker's, to tell whose a quoted message is
    (whose_quote); None reads without them."""
    return _report_of(read_message(data), source, tz, read_file, agents=agents)


def _report_of(
    msg: EmailMessage,
    source: str,
    tz: tzinfo | None,
    read_file: ReadFile | None,
    forwarded: datetime | None = None,
    *,
    agents: KnownAgents | None = None,
) -> SelfReport:
    """The report of a message (parse_email), or of one attached to it: one with no date
    is of the day the forward carrying it was sent (`forwarded`), said."""
    subject = subject_of(msg)

    def header(name: str) -> str | None:
        value = msg.get(name)
        return None if value is None else str(value)

    skipped = automatic(header, subject) or _meeting(msg)
    if skipped is not None:
        raise skipped
    sealed = msg.get_content_type()
    if sealed in ENCRYPTED_TYPES:
        signed = str(msg.get_param("smime-type", "")).casefold() == "signed-data"
        raise UnreadableMail(
            "encrypted or signed",
            f"signed in a form only Outlook reads ({sealed}; smime-type=signed-data); ask the "
            "agent to send the report unsigned, or with a clear signature"
            if signed
            else f"encrypted ({sealed}); ask the agent to send the report without encrypting it",
        )
    name, addr = sender_of(msg)
    if not addr and not name:
        raise UnreadableMail("no sender", "no From address")
    when = sent_time(msg)
    undated = ""
    if when is None and forwarded is not None:
        when = forwarded
        undated = undated_warning(subject)
    if when is None:
        raise UnreadableMail("no date", "no readable Date header")
    body = _body(msg)
    own = own_text(body, name, addr)
    by_name, by_addr = on_behalf(msg, (name, addr))
    files = [] if own.text else _attached_names(msg, emails=False)
    report = SelfReport(
        local_day(when, tz),
        name.strip(),
        addr.lower(),
        own.text or subject_text(subject),
        source,
        sender_name=by_name,
        sender_email=by_addr.lower(),
        warning="; ".join(w for w in (undated, warnings(own, _attached_names(msg))) if w),
        sent=local_time(when, tz),
        to=addressed_to(msg),
    )
    attached, unread = _attached_reports(msg, source, tz, read_file, when, agents=agents)
    return forwarded_report(
        report,
        typed=bool(own.text),
        untyped=subject_text(subject),
        attached=attached,
        body=_body(msg, whole=True),
        unread=unread,
        forward=is_forward(subject),
        set_aside=own.set_aside,
        reply=is_reply(subject),
        recipients=recipients_of(msg),
        agents=agents,
        besides="; ".join(w for w in (undated, warnings(own, files)) if w),
    )


def recipients_of(msg: EmailMessage) -> list[tuple[str, str]]:
    """Who a message was sent to (To; not Cc, where a colleague may be copied on her
    forward of that colleague's report): (display name, address) each (address_header)."""
    return list(address_header(msg, "to"))


def addressed_to(msg: EmailMessage) -> tuple[tuple[str, str], ...]:
    """Everyone a message was sent to, To and Cc: (display name, address) each
    (address_header)."""
    return address_header(msg, "to", "cc")


def is_forward(subject: str) -> bool:
    """Whether a subject says its message is a forward (`FW:`, `Fwd:`, `WG:`…), after the
    tags a mail gateway puts before it (`[EXTERNAL] Fwd:`)."""
    found = _PREFIX.match(_untagged(subject))
    return found is not None and not found.group("reply")


def is_reply(subject: str) -> bool:
    """Whether a subject says its message is a reply (`RE:`, `AW:`…), its tags apart."""
    found = _PREFIX.match(_untagged(subject))
    return found is not None and bool(found.group("reply"))


# A mail gateway's tag before a subject: `[EXTERNAL]`, `[EXT]`, `(External)`, `[Caution]`;
# an agent's own `[URGENT]` is her subject's.
_TAG = re.compile(
    r"^\s*[\[(](external( e-?mail| sender| message)?|ext|extern|externe|externo|caution)"
    r"[\])]\s*:?\s*",
    re.I,
)


def _untagged(subject: str) -> str:
    while found := _TAG.match(subject):
        subject = subject[found.end() :]
    return subject


def encoded_message(part: Message) -> bytes | None:
    """The bytes of an attached message its mailer encoded in base64 or quoted-printable
    (against the standard, which the parser then reads as a message of no headers); None
    for one attached as it is."""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return None
    inner = part.get_payload(0) if part.is_multipart() else None
    text = inner.get_payload() if isinstance(inner, Message) else None
    if not isinstance(text, str):
        return None
    raw = text.encode("ascii", "replace")
    return base64.b64decode(raw) if encoding == "base64" else quopri.decodestring(raw)


def undated_warning(subject: str) -> str:
    """What is said of an attached e-mail with no date, dated by the forward carrying it."""
    return (
        f"the attached e-mail {subject!r} has no date: dated the day it was forwarded; check "
        "the day of the report"
    )


def _attached_reports(
    part: Message,
    source: str,
    tz: tzinfo | None,
    read_file: ReadFile | None,
    forwarded: datetime | None = None,
    *,
    agents: KnownAgents | None = None,
) -> tuple[list[SelfReport], list[str]]:
    """The reports of the e-mails attached to a message — forwarded as attachments
    (message/rfc822, also one its mailer encoded in base64), or attached as saved .eml or
    .msg files (read by `read_file`) —, and those esp cannot read as one, each said ("'ESP
    progress': no From address"). One with no date is of the day the message carrying it
    was sent (`forwarded`)."""
    out: list[SelfReport] = []
    unread: list[str] = []
    for sub in part.get_payload() if part.is_multipart() else []:
        if not isinstance(sub, Message):
            continue
        inner: Message | None = None
        try:
            if sub.get_content_type() == "message/rfc822":
                encoded = encoded_message(sub)
                if encoded is not None:
                    inner = read_message(encoded)
                elif sub.is_multipart() and isinstance(got := sub.get_payload(0), Message):
                    inner = got
                if isinstance(inner, EmailMessage):
                    out.append(_report_of(inner, source, tz, read_file, forwarded, agents=agents))
            elif sub.is_multipart():
                found, missed = _attached_reports(
                    sub, source, tz, read_file, forwarded, agents=agents
                )
                out += found
                unread += missed
            elif read_file is not None and (
                file_name(sub).lower().endswith(MAIL_FILES) or sub.get_content_type() in MAIL_KINDS
            ):
                data = sub.get_payload(decode=True)
                if isinstance(data, bytes):
                    out.append(read_file(data, source, tz))
        except UnreadableMail as exc:
            named = (subject_of(inner) if inner is not None else "") or file_name(sub)
            unread.append(f"{named!r}: {exc}" if named else str(exc))
    return out, unread


# An e-mail attached as a saved file: by its name, else its type.
MAIL_FILES = (".eml", ".msg")
MAIL_KINDS = ("message/rfc822", "application/vnd.ms-outlook")


def forwarded_report(
    report: SelfReport,
    *,
    typed: bool,
    attached: Sequence[SelfReport],
    untyped: str = "",
    body: str = "",
    unread: Sequence[str] = (),
    forward: bool = False,
    set_aside: str = "",
    reply: bool = False,
    recipients: Sequence[tuple[str, str]] = (),
    agents: KnownAgents | None = None,
    besides: str = "",
) -> SelfReport:
    """The report of an e-mail that forwards another: an agent's forward of her own report
    with nothing typed in it is that report (its words, its day), read from the e-mail
    attached (several such are refused: each is to be imported on its own); forwarded
    inline (her own address in the quoted header block, nothing above it), it is refused
    with the reason: esp does not read a quoted message as a report. Another person's
    report it carries as an attached e-mail is said in `carries`; with nothing typed in it
    the forward is refused so, whoever forwarded it (an SME, or an agent forwarding a
    colleague's report): it is no report of the forwarder's. Hers is told by her address,
    else by her name (forwarded from a personal address); a forward with nothing typed of
    another forward with nothing typed (her SME's forward of her report) is read through to
    the reports inside. With nothing typed and no report attached that esp can read
    (`unread`: those it cannot, each said), it is refused, saying so — never a note of the
    subject alone on the forward's day. `forward`: its subject says it is one (`FW:`).
    A cover line that only points at what it forwards ("FYI", "see attached") is nothing
    typed. Only a forward line above the first quoted message makes it a forward (one inside
    the reminder she answers is the reminder's). Inline with nothing typed (her signature may
    stand above the quote), a colleague's quoted report is refused, saying whose and when
    it was sent; a notice sent to her, or the e-mail of one she writes to (`recipients`), is
    hers (_quoted_report; whose a quoted message is, whose_quote says, by the tracker's
    `agents` when given). An attached e-mail is told as a quoted one is (whose_quote, by its
    own sender and the people it was sent to, `SelfReport.to`): a notice sent to her,
    attached with nothing typed, is her report of the day, its note the forward's `untyped`
    text (its subject's), said; with her words typed, they are the report. Her attached
    report imported, what else the forward carries is said (a colleague's report, an e-mail
    esp cannot read), and so are the lines taken for her signature (`set_aside`); her words
    typed above her attached report are the report, the attached one said. An attached
    e-mail read as her report (her own, or a notice sent to her), what is said of the forward
    itself stays said (`besides`: its warning with the files attached beside the e-mails
    named, not the e-mails: a PDF esp does not read), as for a notice forwarded inline."""
    mine = (report.name, report.email)
    first = quoted_message(body)
    forward = forward or bool(_FORWARD_LINE.search(first.above if first else body))
    attached = [inner for r in attached for inner in (r.carried or (r,))]
    if typed and (attached or forward) and _courtesy(report.text):
        typed = False  # "FYI", "see attached": it points at what it forwards
    whose = [_whose_attached(r, mine, recipients, agents, typed=typed) for r in attached]
    own = [r for r, w in zip(attached, whose, strict=True) if w == HERS]
    notices = [r for r, w in zip(attached, whose, strict=True) if w == NOTICE]
    others = [r for r, w in zip(attached, whose, strict=True) if w not in (HERS, NOTICE)]
    addressed = [
        _sent_to(r.to, mine, agents) if w == ELSEWHERE else ""
        for r, w in zip(attached, whose, strict=True)
        if w not in (HERS, NOTICE)
    ]
    carries = _carries(others, addressed)
    if not typed and len(own) == 1:
        found = replace(own[0], source=report.source)
        said = [besides, found.warning]
        if found.day > report.day:  # no e-mail is forwarded before it was sent
            said.append(
                f"the attached report is dated {fmt(found.day)}, after the forward carrying it "
                f"({fmt(report.day)}): a wrong clock on the agent's computer? Dated the "
                "forward's day"
            )
            found = replace(found, day=report.day, sent=report.sent)
        if set_aside and f"{set_aside!r}" not in besides:  # said once
            said.append(
                f"the lines {set_aside!r} above it were taken for her signature: if they are "
                "her report, add it with esp note add"
            )
        said.append(carries)
        if unread:
            said.append(
                f"it also carries an attached e-mail esp cannot read ({', '.join(unread)}): "
                "open it, and import it or add the report with esp note add"
            )
        return replace(found, warning="; ".join(w for w in said if w))
    who = display_name(report.name) if report.name else report.email
    if not typed and not own and not others and notices:
        found = replace(report, text=untyped or report.text, warning=besides)
        return _attached_notice(found, notices, unread)
    if not typed and own:
        days = ", ".join(fmt(r.day) for r in own)
        return replace(
            report,
            refused=f"forwards {len(own)} of {who}'s own e-mails ({days}) with nothing typed in "
            "it: save each attached e-mail on its own and import them",
        )
    quoted = None if attached else first
    if quoted is not None:
        read = _quoted_report(
            report,
            quoted,
            typed=typed,
            untyped=untyped,
            forward=forward,
            reply=reply,
            recipients=recipients,
            agents=agents,
        )
        if isinstance(read, SelfReport):
            return read
        typed = read
    if not typed and not own and not others and unread:
        which = ", ".join(unread)
        return replace(
            report,
            refused=f"a forward with nothing typed in it whose attached e-mail esp cannot "
            f"read ({which}): open it, and import it or add the report with esp note add",
        )
    if not typed and not own and others:
        # Nothing of the forwarder's own: no report of hers, whoever she is.
        return replace(
            report,
            carries=carries,
            carried=tuple(others),
            refused=f"a forward by {who} with nothing typed in it, of another person's "
            f"report: {carries}",
        )
    if typed and own:  # her words are the report; the one she attached is said
        days = ", ".join(fmt(r.day) for r in own)
        mention = (
            f"it also carries {who}'s own report of {days}, in an attached e-mail: if that is "
            "the report, save that e-mail on its own and import it"
        )
        carries = "; ".join(w for w in (mention, carries) if w)
    if set_aside and f"{set_aside!r}" not in report.warning:  # said once: set aside
        report = _warned(
            report,
            f"the lines {set_aside!r} were taken for her signature: if they are her report, "
            "add it with esp note add",
        )
    return replace(report, carries=carries) if carries else report


def _whose_attached(
    attached: SelfReport,
    mine: tuple[str, str],
    recipients: Sequence[tuple[str, str]],
    agents: KnownAgents | None,
    *,
    typed: bool,
) -> str:
    """Whose an e-mail attached to hers is (whose_quote), as the same e-mail quoted inline
    would be: by its sender and the people it was sent to (its To and Cc)."""
    quoted = Quoted((attached.name, attached.email), "", "", separated=True, to=attached.to)
    return whose_quote(quoted, mine, recipients, agents, forward=True, nothing_above=not typed)


def _attached_notice(
    report: SelfReport, notices: Sequence[SelfReport], unread: Sequence[str]
) -> SelfReport:
    """Her forward of notices sent to her (whose_quote's NOTICE) as attached e-mails, with
    nothing of her own typed: her report of the day, said as the same notice forwarded
    inline is, after what the report already says (a file attached beside them); an
    attached e-mail esp cannot read said too."""
    shown = " and ".join(
        f"one {display_name(r.name) if r.name else r.email}"
        f"{f' ({r.email})' if r.name and r.email else ''} sent on {fmt(r.day)}"
        for r in notices
    )
    mails, those = ("e-mails", "those e-mails") if len(notices) > 1 else ("e-mail", "that e-mail")
    said = [
        report.warning,
        f"nothing of her own is typed in it, only the {mails} it forwards attached, {shown}: "
        f"read as her report of the day; if more of hers is in {those}, add it with esp note "
        "add",
    ]
    if unread:
        said.append(
            f"it also carries an attached e-mail esp cannot read ({', '.join(unread)}): "
            "open it, and import it or add the report with esp note add"
        )
    return replace(report, warning="; ".join(w for w in said if w))


# Words typed above a forwarded e-mail that say nothing of her own, one after another
# ("FYI", "See below. Thanks!"), their case, spaces, punctuation and emoji apart.
_COURTESY = tuple(
    tuple(words.split())
    for words in ("fyi", "f y i", "fya", "fyr", "zur info", "see below", "please see below",
                  "thanks", "thank you", "thx", "sent from my iphone")
)  # fmt: skip


def _courtesy(text: str) -> bool:
    """Whether the words typed above a forwarded e-mail say nothing of her own, read the
    same whether it is quoted or attached: only courtesy words (_COURTESY, one after
    another: `FYI 👍`, `See below. Thanks!`), or only a pointer at what it forwards
    (_POINTER: `Please find attached`)."""
    words = re.findall(r"[^\W_]+", text.casefold())
    if _POINTER.match(text) or _POINTER.match(" ".join(words)):
        return True
    ends = {0}  # where a run of courtesy words read so far ends
    for at in range(len(words)):
        if at in ends:
            ends |= {at + len(c) for c in _COURTESY if tuple(words[at : at + len(c)]) == c}
    return len(words) in ends


# A forward's own line in its body: Gmail's, Apple Mail's, Samsung's.
_FORWARD_LINE = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|mensaje reenviado|weitergeleitete nachricht|"
    r"message transféré|mensagem encaminhada|messaggio inoltrato)\s*-{2,}|"
    r"begin forwarded message:)\s*$",
    re.I | re.M,
)


def _quoted_report(
    report: SelfReport,
    quoted: Quoted,
    *,
    typed: bool,
    untyped: str = "",
    forward: bool,
    reply: bool,
    recipients: Sequence[tuple[str, str]] = (),
    agents: KnownAgents | None = None,
) -> SelfReport | bool:
    """What a message quoting another says, by whose the quoted message is (whose_quote).
    Nothing typed above the quote: a forward is refused (her own forwarded e-mail; another
    person's message, named with when it was sent), a reply is hers with nothing typed, the
    message it quotes named, but a reply quoting another agent's report is refused too.
    Words typed above: whether they are (`typed`), with a warning naming whose message a
    forward quotes, or that her answers may be inside the message a reply that points below
    quotes. The e-mail of one she writes to (`recipients`: the coordinator's reminder) makes
    it her reply, whatever its subject; a notice sent to her, forwarded or answered, is her
    report of the day, never another person's: forwarded under a courtesy word alone
    ("FYI", _COURTESY), its note is the text of nothing typed (`untyped`: the subject's)."""
    mine = (report.name, report.email)
    who = display_name(report.name) if report.name else report.email
    sender, sent = quoted.sender, quoted.sent
    above = own_text(quoted.above, report.name, report.email).text
    answering = reply and not forward  # "See below" in a reply points at her answers
    nothing_above = not typed or not above or (not answering and _courtesy(above))
    on = f" (sent {sent})" if sent else ""
    whose = whose_quote(
        quoted, mine, recipients, agents, forward=forward, nothing_above=nothing_above
    )
    if whose == HERS:
        # A forward's quoted header at its top, with its time, is read as her text when it
        # names her (her own memo's block): it is the quote, nothing typed above it.
        shown = forward or quoted.separated  # a forward's, not her memo's block at the top
        if nothing_above and (not typed or shown and (_TIME.search(sent) or above)):
            return replace(
                report,
                refused=f"a forward of {who}'s own earlier e-mail{on} with nothing typed above "
                "it: esp does not read a forwarded message as a report; import the original "
                "e-mail, or add the report with esp note add",
            )
        return typed
    name = display_name(sender[0]) if sender[0] else sender[1]
    at = f" ({sender[1]})" if sender[0] and sender[1] else ""
    when = f" sent {sent}" if sent else ""
    sure = "@" in "".join(sender) or bool(_TIME.search(sent))
    if whose == NEAR and agents is not None:  # no notice: perhaps that agent's, a person says
        when += f", perhaps an agent's (closest: {', '.join(agents.near(sender[0] or sender[1]))})"
    if whose == ELSEWHERE:  # a notice sent to another: none of hers, whose it is said
        when += f", {_sent_to(quoted.to, mine, agents)}"
    if whose == ANSWERED:
        # The e-mail of the one she writes to (the coordinator's reminder): her reply.
        if typed and _ANSWERS_BELOW.search(report.text):
            return _answers_inside(report, name, when)
        if not typed and not report.warning:
            return _warned(
                report,
                f"nothing is typed above the e-mail it answers, the one {name}{when or ' wrote'}:"
                f" if {who} answered inside it, add the report with esp note add",
            )
        return typed
    if whose == NOTICE:
        # A notice sent to her (the Learning Hub's, a ticket's): her progress, forwarded.
        courtesy = not answering and _courtesy(report.text)  # "FYI" is no note
        if (nothing_above or courtesy) and (not typed or above or sure):
            verb, more = (
                ("answers", "if she answered inside it, add the report with esp note add")
                if answering
                else ("forwards", "if more of hers is in that e-mail, add it with esp note add")
            )
            if courtesy and untyped:
                report = replace(report, text=untyped)
            return _warned(
                report,
                f"nothing of her own is typed above the e-mail it {verb}, one {name}{at}{when}: "
                f"read as her report of the day; {more}",
            )
        return typed
    if nothing_above and (not typed or above or sure):
        if answering and whose in (COLLEAGUES, NEAR):  # another agent's report: none of hers
            return replace(
                report,
                refused=f"a reply by {who} with nothing typed above the e-mail it quotes, a "
                f"report {name}{at}{when}: that report is {name}'s, not {who}'s; import that "
                f"person's own e-mail, and if {who} answered inside it, add the report with esp "
                "note add",
            )
        if answering:  # her reply, with no details
            return _warned(
                report,
                f"nothing is typed above the e-mail it quotes, one {name}{at}{when}: if that "
                f"is {name}'s report, import that person's own e-mail; if {who} answered "
                "inside it, add the report with esp note add",
            )
        return replace(
            report,
            refused=f"a forward by {who} with nothing typed in it, of another person's "
            f"report: it quotes a report {name}{at}{when}; esp does not read a forwarded "
            "message as a report: import that person's own e-mail, or add the report with esp "
            "note add",
        )
    if not sure or not (forward or quoted.separated or answering):
        return typed  # a memo's block of her own words, or a quote she writes above
    if answering:
        if _ANSWERS_BELOW.search(report.text):  # "See below", never "Attached."
            return _answers_inside(report, name, when)
        return True
    return _warned(
        report,
        f"it also quotes an e-mail {name}{at}{when}: if that is {name}'s report, import "
        "that person's own e-mail, or add the report with esp note add",
    )


# Whose a quoted message is (whose_quote).
HERS, COLLEAGUES, ANSWERED, NOTICE, NEAR, ANOTHERS, ELSEWHERE = (
    "hers",
    "another agent's",
    "the one she answers",
    "a notice sent to her",
    "perhaps an agent's",
    "another person's",
    "a notice sent to another",
)


def whose_quote(
    quoted: Quoted,
    mine: tuple[str, str],
    recipients: Sequence[tuple[str, str]],
    agents: KnownAgents | None = None,
    *,
    forward: bool = False,
    nothing_above: bool = True,
) -> str:
    """Whose the message a body quotes is, from its sender and the one who quotes it (`mine`:
    display name, address): HERS (her address, her name, or one agent of the tracker with
    her); ANSWERED, the e-mail of one she writes to (`recipients`: the coordinator's
    reminder, whatever agent's name the coordinator shares) when she answers it, not when
    she forwards it (`forward`: her colleague's report forwarded to the coordinator and that
    colleague stays the colleague's); COLLEAGUES, another agent of the tracker's (`agents`:
    by address or name), whatever address she sent it from and whoever the message quoting
    it is addressed to; NOTICE, one sent to her by no agent: a no-reply mailbox's, an
    address's outside the domains of hers (the tracker's for her, when her e-mail keeps
    none) and of those she writes to, or — the tracker's
    agents known — a mailbox's no person has (_a_mailbox: `SPOC Team`) when its header block
    names no other agent of the tracker; ELSEWHERE, any of those whose To and Cc
    (`quoted.to`) name another agent of the tracker and not her (_to_another_agent):
    another agent's notice, never hers — one naming no agent (a class list, a person no
    agent is, a blind copy) is told by its sender alone, as ever — and a personal mailbox's
    (gmail.com…, not hers) whose To and Cc name anyone and not her: a person's e-mail to
    others, no notice; NEAR, with nothing
    of hers typed above it (`nothing_above`), a personal mailbox's (gmail.com…: no
    client's nor company's) whose name is near an agent's other than hers (agents.near: a
    colleague's personal address, the tracker spelling her otherwise): no notice to credit
    her with; else ANOTHERS (a person at her company: a coordinator, an SME, a colleague no
    agent is). An attached e-mail is told so too, by its own sender, To and Cc."""
    sender = quoted.sender
    answered = any(_same_sender_or_name(sender, r) for r in recipients)
    if _hers(sender, mine, agents):
        return HERS
    if answered and not forward:
        return ANSWERED
    if agents is not None and agents.is_agent(sender):
        return COLLEAGUES
    if answered:
        return ANSWERED
    # Her own address unknown (an Exchange sender with no SMTP address): the tracker's.
    known = [mine[1]] if "@" in mine[1] or agents is None else agents.addresses_of(mine)
    if _notice(sender, sorted(known), recipients):
        if (
            nothing_above
            and agents is not None
            and _personal_mailbox(sender[1])
            and not _her_name_too(sender[0], mine[0])
            and agents.near(sender[0] or sender[1])
        ):
            return NEAR
        if _personal_mailbox(sender[1]):
            # A person's own mailbox is no notice service: what it sent to others than her
            # is theirs; her own personal address's e-mail is hers, to whomever.
            if quoted.to and not _to_her(quoted.to, mine, agents):
                if not _her_name_too(sender[0], mine[0]):
                    return ELSEWHERE
            return NOTICE
        if _to_another_agent(quoted.to, mine, agents):
            return ELSEWHERE
        return NOTICE
    if agents is not None and _a_mailbox(sender):
        return ELSEWHERE if _to_another_agent(quoted.to, mine, agents) else NOTICE
    return ANOTHERS


def _to_another_agent(
    to: Sequence[tuple[str, str]], mine: tuple[str, str], agents: KnownAgents | None
) -> bool:
    """Whether an e-mail's To and Cc name another agent of the tracker (by address or
    display name) and not her: another agent's notice, never hers. One naming no agent (a
    class list, an address of hers the tracker does not know, a person no agent is, a blind
    copy) is not: told by its sender, as a notice sent to her."""
    if agents is None or _to_her(to, mine, agents):
        return False
    return any(agents.is_agent(p) and not _hers(p, mine, agents) for p in to)


def _to_her(
    to: Sequence[tuple[str, str]], mine: tuple[str, str], agents: KnownAgents | None
) -> bool:
    """Whether the people an e-mail was sent to (To and Cc) include her: her address, one
    the tracker gives her, or her name as their display name (`Dunn, Xavier J.` too, when
    no other agent of the tracker is so named)."""
    return any(
        _hers(p, mine, agents)
        or not (agents is not None and agents.is_agent(p))
        and bool(p[0] and mine[0])
        and _her_name_too(p[0], mine[0])
        for p in to
    )


def _sent_to(
    to: Sequence[tuple[str, str]], mine: tuple[str, str], agents: KnownAgents | None
) -> str:
    """Whom an e-mail sent to another than her (whose_quote's ELSEWHERE) was sent to, said:
    the agents of the tracker its To and Cc name, else the first people they name."""
    theirs = [p for p in to if agents is not None and agents.is_agent(p)]
    named = theirs or list(to)
    shown = ", ".join(
        f"{display_name(n)} ({a})" if n and a else display_name(n) or a for n, a in named[:3]
    )
    more = f" and {len(named) - 3} more" if len(named) > 3 else ""
    kind = (
        ""
        if not theirs
        else ", another agent of the tracker"
        if len(theirs) == 1
        else ", other agents of the tracker"
    )
    who = display_name(mine[0]) if mine[0] else mine[1]
    return f"addressed to {shown}{more}{kind}, not to {who}"


# The domains of personal mailboxes (a colleague's own address, not her company's nor the
# client's): only a sender there may be a colleague the tracker spells otherwise.
_PERSONAL_DOMAINS = re.compile(
    r"@(gmail|googlemail|yahoo|ymail|rocketmail|hotmail|outlook|live|msn|icloud|me|mac|aol|"
    r"proton|protonmail|pm|gmx|mail|zoho|yandex|comcast|att|verizon|sbcglobal|bellsouth|cox|"
    r"charter|earthlink)(\.[a-z]{2,3}){1,2}$",
    re.I,
)


def _personal_mailbox(address: str) -> bool:
    """Whether an address is at a personal mailbox's domain (gmail.com, yahoo.co.uk…)."""
    return _PERSONAL_DOMAINS.search(address.strip()) is not None


def _her_name_too(name: str, hers: str) -> bool:
    """Whether a display name has her first and last names ('Xavier J. Dunn' for Xavier
    Dunn): her own personal address, never a colleague's near match."""
    mine = set(name_words(hers))
    return len(mine) >= 2 and mine <= set(name_words(name))


def _hers(person: tuple[str, str], mine: tuple[str, str], agents: KnownAgents | None) -> bool:
    """Whether a (display name, address) is she who writes (`mine`): her address, her name,
    or — the tracker's agents known — one agent with her (her personal address, under
    another display name)."""
    return _same_sender_or_name(person, mine) or (
        agents is not None and agents.same_agent(person, mine)
    )


# The words of a mailbox no person has, in its display name or its address: "SPOC Team",
# "Learning Hub", "IT Service Desk", "spoc.team@".
_MAILBOX_WORDS = frozenset(
    "team teams hub desk helpdesk servicedesk support service services notification "
    "notifications alert alerts spoc learning training academy admin administrator mailbox "
    "inbox office info center centre operations ops workforce wfm scheduling payroll hr "
    "ticket tickets portal system systems reports reporting queue onboarding recruiting "
    "benefits department dept group".split()
)

# Words a mailbox's name may hold beside its mailbox words ("The ESP Team", "Office of HR"):
# joining words and the short names of teams (never any word in capitals: a directory
# shows people's names so, MARIA LOPEZ).
_MAILBOX_JOINERS = frozenset(
    "the of and for to a spoc esp it hr lms wfm tbt qa cs noc itsm l d".split()
)


def _a_mailbox(sender: tuple[str, str]) -> bool:
    """Whether a quoted sender is a mailbox no person has: a no-reply one, or one whose
    display name (else its address before the @) is made of a mailbox's words only, with
    the short names of teams ("SPOC Team", "Learning Hub", "IT Service Desk", "spoc.team@").
    A name with any other word is a person's, whatever department it names or however it is
    written ("Maria Lopez", "Reyes, Jordan", "Maria Lopez - Training", "AMY LI - IT
    SUPPORT", "kmbrook@"): never a notice on a guess."""
    name, address = sender
    local = address.casefold().rpartition("@")[0]
    if _NO_REPLY.match(local):
        return True
    typed = re.findall(r"[^\W\d_]+", name) if name else re.split(r"[^a-z]+", local)
    words = {w.casefold() for w in typed if w}
    return bool(words & _MAILBOX_WORDS) and words <= _MAILBOX_WORDS | _MAILBOX_JOINERS


# A short reply that says her answers are in the quoted message: "Answers below in red.",
# "See my answers inline".
_ANSWERS_BELOW = re.compile(r"^(?=(\S+\s+){0,7}\S+$).*\b(below|inline|in (red|blue|bold))\b", re.I)


def _answers_inside(report: SelfReport, whose: str, when: str) -> SelfReport:
    """A reply whose only words point into the e-mail it answers ("See below"), said."""
    return _warned(
        report,
        f"her words {report.text!r} point into the e-mail she answers, the one "
        f"{whose}{when or ' wrote'}: her answers may be typed inside it; open it, and add them "
        "with esp note add",
    )


# The mailbox of a notice, no person's: "noreply@", "do-not-reply@", "notifications@".
_NO_REPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|notify|alerts?|automated|"
    r"mailer[-_.]?daemon|postmaster)([-_.+]|$)",
    re.I,
)


def _notice(
    sender: tuple[str, str], mine: Sequence[str], recipients: Sequence[tuple[str, str]]
) -> bool:
    """Whether a quoted e-mail is a notice, not a person's report: sent from a no-reply
    mailbox, or from an address outside the domains of the agent (`mine`: her addresses)
    and of those she writes to. A name with no address (an Exchange user) is a person of
    her own company; so may be any sender when her own address is unknown (an Exchange
    sender with no SMTP address, whom the tracker gives none)."""
    local, _, domain = sender[1].casefold().rpartition("@")
    if not local:
        return False
    if _NO_REPLY.match(local):
        return True
    if not any("@" in a for a in mine):
        return False
    ours = {a.casefold().rpartition("@")[2] for a in (*mine, *(r[1] for r in recipients))}
    return domain not in ours - {""}


def _warned(report: SelfReport, words: str) -> SelfReport:
    return replace(report, warning="; ".join(w for w in (report.warning, words) if w))


def _carries(others: Sequence[SelfReport], addressed: Sequence[str] = ()) -> str:
    """What is said of the reports of other people a forward carries ('' when none), with
    whom each was sent to when not to her (`addressed`: _sent_to's, '' for the others)."""
    if not others:
        return ""
    carried = " and ".join(
        f"{r.name or r.email}{f' ({r.email})' if r.name and r.email else ''} sent on {fmt(r.day)}"
        f"{f', {to}' if to else ''}"
        for r, to in zip(others, [*addressed, *[""] * len(others)], strict=False)
    )
    if len(others) > 1:
        return (
            f"it carries reports {carried}, in attached e-mails: save each attached e-mail on "
            "its own and import them"
        )
    return (
        f"it carries a report {carried}, in an attached e-mail: save that e-mail on its "
        "own and import it"
    )


# A cover line that only points at the report it forwards, nothing of its own, the whole
# line: "FYI", "See below", "fyi - see attached", "Please find attached", "PFA", "Kindly
# see below", "See attachment", "Attached.", "As requested", "Sending again", "Resending my
# update from Monday.", "Please see my update below", "Please see attached my ESP update".
_POINTER = re.compile(
    r"^(fyi|f\.y\.i\.?)?[\s,.:;!-]*("
    r"((please|kindly)\s+)?(see|find)\s+((my|the)\s+)?((esp\s+)?(update|report|e-?mail|progress)"
    r"\s+)?(below|attached|attachment|enclosed)(\s+(my|the)\s+(esp\s+)?(update|report|progress))?"
    r"(\s+again)?"
    r"|pfa|attached|as requested"
    r"|(re-?sending|sending|forwarding)(\s+(my|the)\s+(esp\s+)?(update|report|e-?mail|progress))?"
    r"(\s+(from|of)\s+[\w/]+)?(\s+again)?"
    r")?[\s.!]*$",
    re.I,
)


def _same_sender_or_name(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """same_sender, or two addresses with the same display name: one person writing from
    her work address and from a personal one."""
    return same_sender(a, b) or bool(a[0] and b[0]) and name_tokens(a[0]) == name_tokens(b[0])


# The marks of a quote: iPhone Mail quotes a forwarded message's header block so.
_QUOTE_MARKS = re.compile(r"^(\s*>)+\s?")


@dataclass(frozen=True)
class Quoted:
    """The message a body quotes first: its sender (display name, address), the time its
    header block says it was sent ('' when none), the text above the block, and whether a
    separator line (`-----Original Message-----`) or Outlook's rule stands above it."""

    sender: tuple[str, str]
    sent: str
    above: str
    separated: bool = False
    # Who its header block says it was sent to (its To and Cc lines), each (display name,
    # address).
    to: tuple[tuple[str, str], ...] = ()


def quoted_message(body: str) -> Quoted | None:
    """The message quoted first in a body, wherever its header block stands (under a
    separator, Outlook's rule, a signature of any length, quoted with `>`), in any language
    of _QUOTE_LANGUAGES: a From line then a Sent, To or Subject line; at the top, or under a
    separator or the rule, the From line alone. Deeper in the body a block naming no
    address and no time is the agent's own memo. None when the body quotes no message."""
    raw = body.replace("\r\n", "\n").split("\n")
    lines = [_QUOTE_MARKS.sub("", x).strip() for x in raw]
    before = ""  # the line above, not blank
    for at, line in enumerate(lines):
        if not line:
            continue
        separated = bool(_QUOTE_START.match(before) or _RULE.match(before))
        top = not before
        before = line
        if not _FROM_HEADER.match(line):
            continue
        block = [x for x in lines[at + 1 : at + _BLOCK_LINES] if x]
        headed = _one_language(line, block[:_HEADER_LOOKAHEAD])
        value = _header_value(line)
        if not _names_a_person(value):
            continue
        sent = next((_header_value(x) for x in block if _DATE_HEADER.match(x)), "")
        if not (headed or separated):
            continue
        if not (separated or top or "@" in value or _TIME.search(sent)):
            continue
        heads = _header_lines(raw, at + 1)
        to = [_header_value(x) for x in heads if _TO_HEADER.match(x) or _CC_HEADER.match(x)]
        people = tuple(p for x in to for p in display_people(x))
        return Quoted(_quoted_person(value), sent, "\n".join(raw[:at]), separated, people)
    return None


# The most lines a long To or Cc wraps onto in a quoted header block.
_WRAPPED_LINES = 30


def _header_lines(raw: Sequence[str], start: int) -> list[str]:
    """The header lines of a quoted header block, from raw[start] (below its From line) to
    the first line no header is (blank lines between headers skipped, as some mailers write
    them), each whole: the lines a long To or Cc wraps onto (a plain-text forward's) are
    joined to it. A line below a To or Cc continues it when it is indented, when the To or Cc
    so far ends with `;` or `,`, when a header line follows it directly, or when it holds an
    address and the blank line above the body follows it; else it is the body's (no blank
    line under the block)."""
    heads: list[str] = []
    pending: list[str] = []  # lines under a To or Cc, not yet known to continue it
    left, wrapped = _BLOCK_LINES - 1, 0
    for line in raw[start:]:
        unquoted = _QUOTE_MARKS.sub("", line)
        text = unquoted.strip()
        if _HEADER_LINE.match(text):
            if pending:
                heads[-1] = " ".join([heads[-1], *pending])
                pending = []
            if left == 0:
                break
            heads.append(text)
            left -= 1
            continue
        if not text:
            if pending and all("@" in x for x in pending):
                # The To or Cc last in the block (Gmail's, Apple Mail's), wrapped: lines
                # holding addresses above the blank line before the body continue it.
                heads[-1] = " ".join([heads[-1], *pending])
            if pending or left == 0:
                break
            left -= 1
            continue
        wraps = bool(heads) and (_TO_HEADER.match(heads[-1]) or _CC_HEADER.match(heads[-1]))
        if not wraps or wrapped == _WRAPPED_LINES:
            break
        wrapped += 1
        if not pending and (unquoted[:1].isspace() or heads[-1].rstrip().endswith((";", ","))):
            heads[-1] = f"{heads[-1]} {text}"
        else:
            pending.append(text)
    return heads


# A header block's To line, in the languages of _QUOTE_LANGUAGES (each one's first other
# header: To, Para, An, Кому, 宛先…).
_TO_HEADER = re.compile(rf"^({_words(2, first=True)}){_COLON}", re.I)
# Its Cc line, in those languages (Cc, Kopia, DW, Копия, 抄送, 참조…).
_CC_HEADER = re.compile(rf"^(cc|kopia|kopi|kopie|dw|bilgi|копия|копія|抄送|참조){_COLON}", re.I)


def display_people(value: str) -> tuple[tuple[str, str], ...]:
    """The people a To or Cc list names as Outlook shows it (a quoted header block's To
    line, a .msg's display To and Cc), each as _quoted_person reads it (_people_in)."""
    return _people_in(value, _quoted_person)


def _header_value(line: str) -> str:
    return re.split(r"[:：]", line, maxsplit=1)[-1].strip()


def _quoted_person(value: str) -> tuple[str, str]:
    """A quoted header's From value as (display name, address), as Outlook and other mail
    programs write it: a name then its address (_name_then_address: `Holt, Zachary
    <z@x.com>`, `Name [mailto:address]`, `Name [address]`, `Name (address)`), an address
    alone or before its name in parentheses, or a name alone (an Exchange user's: no
    address)."""
    value = " ".join(value.split())
    if (one_off := _one_off(value)) is not None:
        return one_off
    if (found := _name_then_address(value)) is not None:
        return found[0].strip().strip('"').strip(), found[1]
    if "@" in value:
        name, addr = parseaddr(value)
        return name, addr
    return value.strip('"').strip(), ""


def warnings(own: OwnText, attached: Sequence[str]) -> str:
    """What a person should know of a message's report: text left out as a quote, and the
    files attached to a message with no text of its own ('' when nothing)."""
    said = [own.left_out, "" if own.text else attached_warning(attached, own.set_aside)]
    return "; ".join(w for w in said if w)


# A signature's file is no one's report.
SIGNATURE_FILES = (".p7s", ".p7m", ".sig", ".asc")
_SIGNATURE_TYPES = ("application/pkcs7-signature", "application/x-pkcs7-signature",
                    "application/pgp-signature")  # fmt: skip


def _attached_names(msg: EmailMessage, *, emails: bool = True) -> list[str]:
    """The names of the files attached to a message (not a signature); with `emails`, the
    pictures its HTML shows (a screenshot pasted in it, attached or inline: the report may be
    in it), those inside the e-mails attached to it and the e-mails attached as saved files
    too, else its own files alone, not the pictures of its HTML (a logo), beside the e-mails
    it carries."""
    parts = list(msg.walk() if emails else _own_parts(msg))
    html = [p.get_payload(decode=True) for p in parts if p.get_content_type() == "text/html"]
    shown = " ".join(b.decode("latin-1").casefold() for b in html if isinstance(b, bytes))
    names = []
    for part in parts:
        if part.is_multipart():
            continue
        cid = str(part.get("Content-ID", "")).strip().strip("<>").casefold()
        picture = bool(cid) and f"cid:{cid}" in shown  # a picture of its text
        attached = part.is_attachment()
        if not ((attached or picture) if emails else (attached and not picture)):
            continue
        name = file_name(part)
        signature = part.get_content_type() in _SIGNATURE_TYPES
        if not signature and not name.lower().endswith(SIGNATURE_FILES):
            names += [name] if emails or not _an_email(part) else []
    return names


def _own_parts(part: EmailMessage) -> Iterator[EmailMessage]:
    """A message's parts, not those of the messages attached to it (message/rfc822)."""
    yield part
    if part.get_content_type() != "message/rfc822" and part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, EmailMessage):
                yield from _own_parts(sub)


def _an_email(part: Message) -> bool:
    """Whether an attached file is an e-mail (a saved .eml or .msg, by its name or type)."""
    kind = part.get_content_type()
    return kind in MAIL_KINDS or file_name(part).lower().endswith(MAIL_FILES)


# ------------------------------------------------------------------------- report sheets

# The report's date column, best first: Microsoft Forms' Completion time before its Start
# time, Google Forms' Timestamp, and the headers people give a sheet of their own.
WHEN_HEADERS = (
    "completion time",
    "timestamp",
    "submitted on",
    "submitted at",
    "submitted",
    "date submitted",
    "submission date",
    "submission time",
    "date time",
    "report date",
    "date",
    "created",
    "created at",
    "start time",
)
_UPDATE_HEADERS = (
    "update",
    "progress",
    "status",
    "notes",
    "note",
    "comments",
    "today s update",
    "progress update",
    "what did you complete today",
)
CLASS_HEADERS = ("class", "wave", "class id", "class name", "class #")
# An Agent ID asked for by the form ("Employee ID"), as the tracker spells it.
ID_HEADERS = spellings("agent_id", alias_table())
EMAIL_HEADERS = ("email", "e mail", "email address", "e mail address")
HEADER_SCAN_ROWS = 20  # a title or notes may sit above the header row
# Names a report's own form asks for, after the tracker's spellings of Agent Name.
REPORT_NAME_HEADERS = ("your name", "full name", "agent full name", "employee")
# The headers an earlier esp took for a report's bookkeeping whatever column they headed.
_ONCE_LEFT_OUT = frozenset({*EMAIL_HEADERS, *CLASS_HEADERS, *WHEN_HEADERS, *FORMS_HEADERS})
_FORMS_FIX = (
    "in Microsoft Forms, set the form to 'Only people in my organization can respond' with "
    "'Record name' on (or add an 'Agent Name' question), then export the responses again."
)
_DATE_FIX = (
    "give the date column a header esp knows (Timestamp, Date, Submitted On, Completion time)."
)
_NAME_FIX = (
    "add an Agent Name (or Email) column, or map your name header in esp.toml [columns] agent_name."
)


@dataclass(frozen=True)
class Layout:
    """Where a report sheet's header row and columns are (indexes from 0)."""

    header_row: int
    labels: list[str]
    when: int
    name: int | None
    email: int | None
    update: int | None
    cls: int | None
    extra: list[int] = field(default_factory=list)  # other columns: `Header: value` details
    forms: bool = False  # a Microsoft Forms export
    ident: int | None = None  # an Agent ID column
    once_left_out: frozenset[int] = frozenset()  # extras an earlier esp did not write
    respondent: tuple[int, ...] = ()  # a Forms export's own Name and Email: who filled it in

    def when_values(self, rows: Sequence[Sequence[object]]) -> list[object]:
        return [r[self.when] for r in rows[self.header_row + 1 :] if self.when < len(r)]


def _first(norms: list[str], wanted: Sequence[str]) -> int | None:
    """The column of the first of `wanted` (best first) the header has."""
    for header in wanted:
        if header in norms:
            return norms.index(header)
    return None


def find_layout(
    rows: Sequence[Sequence[object]], source: str, name_headers: Sequence[str]
) -> Layout | RowProblem:
    """The report's header row (in its first rows): a date column and a name or e-mail
    column. Without one — or when the only e-mail column holds no address, as an anonymous
    Microsoft Forms export's 'anonymous' — a problem naming what is missing and the fix."""
    names = (*name_headers, *REPORT_NAME_HEADERS)
    closest: tuple[int, Sequence[object], list[str]] | None = None  # the row most like one
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        norms = [normalise_header(v) for v in row]
        when, who, mail = (
            _first(norms, WHEN_HEADERS),
            _first(norms, names),
            _first(norms, EMAIL_HEADERS),
        )
        if when is not None and who is not None:
            return _layout(i, row, norms, when, who, mail)
        if when is not None and mail is not None:
            if any("@" in text_of(r[mail]) for r in rows[i + 1 :] if mail < len(r)):
                return _layout(i, row, norms, when, who, mail)
            return _nobody(source, norms)
        known = sum(x is not None for x in (when, who, mail, _first(norms, _UPDATE_HEADERS)))
        if known and (closest is None or known > closest[0]):
            closest = (known, row, norms)
    if closest is None:
        return RowProblem(
            source,
            "no header row with a date or timestamp and the agent's name (e.g. 'Timestamp', "
            f"'Agent Name', 'Update') in its first {HEADER_SCAN_ROWS} rows",
            "give the ESP Agent Progress Report, or a sheet with those columns.",
        )
    _, row, norms = closest
    if _first(norms, WHEN_HEADERS) is None:
        shown = [text_of(v) for v in row if text_of(v)]
        listed = ", ".join(map(repr, shown[:8])) + (", …" if len(shown) > 8 else "")
        return RowProblem(source, f"no date column (its headers: {listed})", _DATE_FIX)
    return _nobody(source, norms)


def _nobody(source: str, norms: Sequence[str]) -> RowProblem:
    """A sheet with dates but nothing that says who reported."""
    if is_forms_export(norms):
        return RowProblem(
            source,
            "a Microsoft Forms export that records neither the responder's name nor their "
            "e-mail address",
            _FORMS_FIX,
        )
    return RowProblem(source, "no agent name column, and no e-mail address", _NAME_FIX)


def _layout(
    at: int, row: Sequence[object], norms: list[str], when: int, who: int | None, mail: int | None
) -> Layout:
    forms = is_forms_export(norms)
    update = _first(norms, _UPDATE_HEADERS)
    cls = _first(norms, CLASS_HEADERS)
    ident = _first(norms, ID_HEADERS)
    used = {when, who, mail, update, cls, ident}
    # The columns read as who, when and what are the report's bookkeeping, and so are the
    # columns Forms adds to every response; any other column is an answer, in the note
    # (a second date column — the day a report is for — or a question headed `Email?`).
    own = forms_columns(norms)
    respondent = tuple(i for i, n in own.items() if n in ("name", "email"))
    extra = [i for i, n in enumerate(norms) if n and i not in used and i not in own]
    # Of those, the ones an earlier esp left out as bookkeeping: a line it wrote without
    # them is the same report.
    once = frozenset(i for i in extra if norms[i] in _ONCE_LEFT_OUT)
    labels = [text_of(v) for v in row]
    return Layout(at, labels, when, who, mail, update, cls, extra, forms, ident, once, respondent)


def read_rows(
    rows: Sequence[Sequence[object]],
    layout: Layout,
    source: str,
    *,
    order: DateOrder = MONTH_FIRST,
    tz: tzinfo | None = None,
    csv: CsvTable | None = None,
    hidden: frozenset[int] = frozenset(),
    formulas: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[list[SelfReport], list[RowProblem]]:
    """The report rows under the header: each with its day (in the file's date `order`, a
    zoned timestamp in the team's zone `tz`), the agent's name and e-mail, the update, and
    the other columns as `(Header: value; …)` — words typed under no header as `(column E:
    …)`. Under no header (or `#`), a whole number or an error value (a row number, a
    formula's result) and a column `hidden` are no agent's words: left out, and named in one
    problem; so is a workbook's cell among `formulas` (row, column from 0). A row with no
    readable date is a problem; an empty row is passed over. A row
    that names no one, or that its CSV (`csv`) cannot give as written (a comma not in
    quotes), is a report refused with the reason, so it is counted as not imported."""
    reports: list[SelfReport] = []
    problems: list[RowProblem] = []
    used = {layout.when, layout.name, layout.email, layout.update, layout.cls, layout.ident}
    anonymous = 0
    passed_over: set[int] = set()  # columns under no header whose values were left out
    for r, row in enumerate(rows[layout.header_row + 1 :], start=layout.header_row + 2):

        def cell(i: int | None, row: Sequence[object] = row) -> str:
            return text_of(row[i]) if i is not None and i < len(row) else ""

        name = cell(layout.name)
        given = cell(layout.email)
        address = given.lower() if "@" in given else ""  # Forms writes 'anonymous'
        update = cell(layout.update)
        agent_id = " ".join(cell(layout.ident).split())
        details: list[tuple[int, str, str]] = []  # (column, label, value) of the others
        for i in range(len(row)):
            if i in used or not _told(layout, i) or not cell(i):
                continue
            no_one_typed = i in hidden or (r - 1, i) in formulas or not typed_text(row[i])
            if _numbering(layout, i) and no_one_typed:
                passed_over.add(i)
                continue
            details.append((i, _label(layout, i), cell(i)))
        misread = csv.misread(r - 1, layout.header_row) if csv is not None else None
        # Reports a quote closed too late read into this row: each counted as not imported,
        # after this row's.
        at = len(reports)
        swallowed, undated = (
            _swallowed(csv, r - 1, layout, source, order, tz) if csv is not None else ([], [])
        )
        if csv is not None and swallowed:
            misread = misread or csv.swallowed(r - 1, swallowed[0][0])
            inside = f"read inside row {csv.line(r - 1)} of the file (see its reason)"
            reports += [replace(report, refused=inside) for _, report in swallowed]
        if not (name or address or update or details or misread):
            continue
        where = f"{source}!row {csv.line(r - 1) if csv is not None else r}"
        try:
            day = read_day(row[layout.when] if layout.when < len(row) else None, order, tz)
        except Unreadable as exc:
            problems.append(RowProblem(where, misread or f"{exc}"))
            continue
        if day is None:
            problems.append(RowProblem(where, misread or "no date"))
            continue
        refused = misread or ""
        if not name and not address and not agent_id and not refused:
            refused = f"no name, and the e-mail is {given!r}" if given else "no agent name"
            anonymous += bool(given)
        text = update
        if details:
            labelled = "; ".join(f"{label}: {value}" for _, label, value in details)
            text = (text + " (" if text else "(") + labelled + ")"
        reports.insert(
            at,
            SelfReport(
                day,
                display_name(name),
                address or ("" if name else given),
                " ".join(text.split()),
                where,
                cell(layout.cls),
                refused=refused,
                update=" ".join(update.split()),
                others=tuple(" ".join(value.split()) for _, _, value in details),
                agent_id=agent_id,
                labelled=tuple(
                    i < len(layout.labels) and bool(layout.labels[i].strip()) for i, _, _ in details
                ),  # fmt: skip
                inside=tuple(undated),
                once_left_out=tuple(i in layout.once_left_out for i, _, _ in details),
                respondent=tuple(
                    r for r in map(cell, layout.respondent) if r and r.lower() != "anonymous"
                ),
            ),
        )
    if passed_over:
        problems.append(RowProblem(source, _passed_over(layout, sorted(passed_over), hidden)))
    if anonymous and layout.forms:
        problems.append(
            RowProblem(
                source,
                f"{anonymous} response(s) of an anonymous Microsoft Forms export (no name, the "
                f"e-mail 'anonymous'): not imported. Fix: {_FORMS_FIX}",
            )
        )
    return reports, problems


def _swallowed(
    csv: CsvTable,
    index: int,
    layout: Layout,
    source: str,
    order: DateOrder,
    tz: tzinfo | None,
) -> tuple[list[tuple[int, SelfReport]], list[Inside]]:
    """The reports inside the row at `index` of a CSV: its later lines (a field over several
    lines) that read as a report row of their own — the header's fields, a date under the
    date header, a name or e-mail under theirs. A line break typed in an answer gives no
    such line; a quote closed too late by a `"` typed as text (`my monitor is 24"`) does.
    Second, the lines that would be such rows but for their date (day first in a file
    read month first, empty, unreadable): reports when their name or e-mail finds an agent
    of the tracker, which only the import can tell."""
    found: list[tuple[int, SelfReport]] = []
    undated: list[Inside] = []
    for line, fields in csv.inner(index):
        # A date and who: a row, its empty last fields left out or not (a hand-typed file).

        def cell(i: int | None, fields: list[str] = fields) -> str:
            return " ".join(fields[i].split()) if i is not None and i < len(fields) else ""

        name, given = cell(layout.name), cell(layout.email)
        address = given.lower() if "@" in given else ""
        if not any(ch.isalpha() for ch in name):
            name = ""  # without a letter (`,`, a date) it names nobody
        if not (name or address):
            continue
        try:
            day = read_day(cell(layout.when), order, tz)
        except Unreadable:
            day = None
        where = f"{source}!row {line}"
        if day is None:
            inside = f"read inside row {csv.line(index)} of the file (see its reason)"
            undated.append(Inside(where, name, address, inside, csv.swallowed(index, line)))
            continue
        report = SelfReport(
            day, display_name(name), address, cell(layout.update), where, cell(layout.cls)
        )
        found.append((line, report))
    return found, undated


def _told(layout: Layout, i: int) -> bool:
    """Whether column `i`'s values go in the note: a column of the layout's extras, or one
    with no header (a value typed past the last header, or under a blank one)."""
    return i in layout.extra or not (i < len(layout.labels) and layout.labels[i].strip())


def _numbering(layout: Layout, i: int) -> bool:
    """Whether column `i` has no header, or one of a column numbering the rows (`#`): what
    it holds may be no agent's words (a row number, a helper formula's result)."""
    label = layout.labels[i] if i < len(layout.labels) else ""
    return not label.strip() or normalise_header(label) in INDEX_HEADERS


def _passed_over(layout: Layout, columns: Sequence[int], hidden: frozenset[int]) -> str:
    """The warning naming the columns under no header (or `#`) whose values were left out."""
    shown = ", ".join(
        f"{col_letter(i + 1)} "
        + (f"({layout.labels[i]!r})" if i < len(layout.labels) and layout.labels[i].strip()
           else "(no header, hidden)" if i in hidden else "(no header)")
        for i in columns
    )  # fmt: skip
    return (
        f"column{'s' if len(columns) > 1 else ''} {shown}: left out of the notes: whole "
        "numbers (row numbers), error values (#N/A), a formula's result and hidden columns "
        "under no header are no agent's words (to keep a value, give its column a header of "
        "its own)"
    )


def _label(layout: Layout, i: int) -> str:
    """How a note names column `i`: its header, else its letter."""
    if i < len(layout.labels) and layout.labels[i].strip():
        return layout.labels[i]
    return f"column {col_letter(i + 1)}"


def reports_from_rows(
    rows: list[list[object]],
    source: str,
    name_headers: tuple[str, ...],
    *,
    tz: tzinfo | None = None,
) -> tuple[list[SelfReport], list[RowProblem]]:
    """Self-reports from one sheet or CSV (find_layout, then read_rows with the date order
    its own dates decide). A sheet without the header row gives one problem, for the whole
    sheet (its `source` is the sheet's)."""
    from esp_cli.core.textdates import date_order

    layout = find_layout(rows, source, name_headers)
    if isinstance(layout, RowProblem):
        return [], [layout]
    return read_rows(rows, layout, source, order=date_order(layout.when_values(rows)), tz=tz)
