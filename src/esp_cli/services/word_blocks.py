"""Where a Word template's Jinja blocks open and close in its XML, checked for every branch.

An `{% if %}` or `{% for %}` leaves out or repeats the XML between its tags. When the tags
stand in different places of Word's structure — `{%p if %}` in a paragraph of the body,
its `{%p endif %}` in a table cell — an agent the condition is false for gets XML cut in
the middle of a table: docxtpl's parser then "repairs" the body by dropping what does not
fit (the section's properties: its header, footer and page setup), and a header is no
longer XML at all. Whichever agent the trial fill takes, the other branch is not tried; so
each part's blocks are checked here, from the template alone: every branch of a block must
end where the block starts (an `{% if %}` with an `{% else %}`: every branch where the
first ends), so any agent's document is whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The blocks whose content is left out, repeated or moved: it must be whole XML.
_BALANCED = frozenset({"for", "macro", "call", "filter", "set"})
# The blocks whose content is output once, as it stands.
_THROUGH = frozenset({"with", "autoescape", "block", "trans"})
# Where a tag stands, as the team knows the document (the innermost of these).
_PLACES = {
    "w:tc": "a table cell",
    "w:tr": "a table row",
    "w:tbl": "a table",
    "w:txbxContent": "a text box",
    "w:sdtContent": "a content control",
    "w:hyperlink": "a link",
    "w:ins": "a tracked change",
    "w:del": "a tracked change",
    "w:p": "a paragraph",
    "w:footnote": "a footnote",
    "w:endnote": "an endnote",
    "w:comment": "a comment",
}


_BROKEN = ": an agent the block does not hold for would get a broken document"


class BlockError(Exception):
    """A block whose branches end in different places of the XML."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Where:
    """The XML elements open at a point of the template, and a tag begun and not ended."""

    open: tuple[str, ...]
    partial: str = ""

    def same(self, other: _Where) -> bool:
        return self.open == other.open and bool(self.partial) == bool(other.partial)

    def said(self) -> str:
        """'in a table cell', 'between paragraphs', as the team knows the document."""
        for name in reversed(self.open):
            if name in _PLACES:
                return f"in {_PLACES[name]}"
        return "between paragraphs" if len(self.open) <= 1 else "inside Word's markup"

    def fed(self, text: str) -> _Where:
        """Where the template stands after the XML `text`."""
        stack = list(self.open)
        buf, pos, partial = self.partial + text, 0, ""
        while (lt := buf.find("<", pos)) >= 0:
            if buf.startswith("<!--", lt):
                close = "-->"
            elif buf.startswith("<![CDATA[", lt):
                close = "]]>"
            elif buf.startswith("<?", lt):
                close = "?>"
            else:
                close = ">"
            end = buf.find(close, lt + 1)
            if end < 0:
                partial = buf[lt:]
                break
            tag, pos = buf[lt : end + len(close)], end + len(close)
            if tag[1] in "!?":
                continue
            name = tag[1:].lstrip("/").split(None, 1)[0].rstrip("/>")
            if tag.startswith("</"):
                if not stack or stack[-1] != name:
                    raise BlockError(f"<{name}> closed where it is not open")
                stack.pop()
            elif not tag.endswith("/>"):
                stack.append(name)
        return _Where(tuple(stack), partial)


@dataclass
class _Block:
    kind: str
    tag: str
    start: _Where
    ends: list[tuple[_Where, str]]  # where each branch ended, and the tag ending it
    has_else: bool = False


def check_blocks(env: Any, xml: str) -> None:
    """BlockError when a block of `xml` (a part's XML as Jinja reads it) has a branch that
    does not end where it must; the message names the tags and where each stands."""
    if "{%" not in xml:
        return
    where = _Where(())
    blocks: list[_Block] = []
    tokens = iter(env.lex(xml))
    last = "its start"
    for _line, kind, value in tokens:
        if kind == "data":
            try:
                where = where.fed(value)
            except BlockError as exc:
                raise BlockError(
                    f"its markup after {last} no longer closes as it opens once the tags are "
                    f"read ({exc.message}; a {{%- or -%}} takes out the markup between the tag "
                    "and the text beside it): every document would be broken"
                ) from exc
            continue
        if kind != "block_begin":
            continue
        words: list[tuple[str, str]] = []
        text = value
        for _line, kind, value in tokens:
            text += value
            if kind == "block_end":
                break
            if kind != "whitespace":
                words.append((kind, value))
        tag = last = " ".join(text.split())
        name = words[0][1] if words else ""
        if name == "set" and ("operator", "=") in words:
            continue  # {% set x = ... %}: no content
        if name in _BALANCED or name in _THROUGH or name == "if":
            blocks.append(_Block(name, tag, where, []))
        elif name in ("elif", "else") and blocks:
            block = blocks[-1]
            block.ends.append((where, tag))
            block.has_else = block.has_else or name == "else"
            where = block.start
        elif name.startswith("end") and blocks:
            block = blocks.pop()
            block.ends.append((where, tag))
            where = _ended(block)


def _ended(block: _Block) -> _Where:
    """Where the template stands after `block`, once every branch is checked to end there."""
    start = block.start
    if block.kind in _THROUGH:
        return block.ends[-1][0]
    if block.kind == "if" and block.has_else:
        first = block.ends[0][0]
        wanted, since = first, block.tag
    else:
        wanted, since = start, block.tag  # a branch not taken, or a loop run again
    for end, tag in block.ends:
        if end.same(wanted):
            continue
        if wanted is start:
            raise BlockError(
                f"{since} opens {wanted.said()} and {tag} closes {end.said()}{_BROKEN}"
            )
        raise BlockError(
            f"{since}'s branches end in different places (the one before {tag} "
            f"{end.said()}){_BROKEN}"
        )
    return wanted
