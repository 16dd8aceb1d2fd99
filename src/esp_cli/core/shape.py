"""How a record reads as JSON, declared on the record itself (pure).

Every result esp prints as JSON or CSV is a dataclass; its JSON object is its fields, in
order (then its exported values), by name — render's `plain` walks them, so no command
writes its JSON by hand. Where
the contract scripts rely on spells a key otherwise, or leaves a field out, or takes a
derived value, the record says so here:

    cls: str = field(metadata=as_json(key="class"))     # the key "class" (a keyword)
    agent: AgentRef = field(metadata=as_json(flat=True))  # its keys go into this object
    email: str = field(metadata=as_json(hidden=True))     # not in the JSON

    @property
    @exported(key="status", after="row")      # a derived value, placed after "row"
    def status(self) -> str: ...

Values become JSON the one way `render.plain` says: ISO dates, enums by value, paths as
text, lists and tuples as arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

SHAPE = "esp.shape"  # the key of a field's metadata, and the attribute of an exported getter

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Shape:
    """How one field (or exported property) appears in its record's JSON object."""

    key: str | None = None  # the JSON key; None: the attribute's name
    hidden: bool = False  # left out
    flat: bool = False  # a record whose keys go into this object instead of under `key`
    omit_none: bool = False  # left out when None
    none_if_empty: bool = False  # "" (or an empty list) is written as null
    # Keys left out of the value (of each item, for a list); "changes.agent": the key
    # "agent" of each item of the value's "changes".
    drop: tuple[str, ...] = ()
    after: str | None = None  # placed after this key ("": first; None: in its turn)


PLAIN = Shape()


def as_json(
    *,
    key: str | None = None,
    hidden: bool = False,
    flat: bool = False,
    omit_none: bool = False,
    none_if_empty: bool = False,
    drop: tuple[str, ...] = (),
    after: str | None = None,
) -> dict[str, Shape]:
    """A field's JSON shape, as its metadata: `field(metadata=as_json(key="class"))`."""
    return {SHAPE: Shape(key, hidden, flat, omit_none, none_if_empty, drop, after)}


def exported(
    *,
    key: str | None = None,
    after: str | None = None,
    flat: bool = False,
    omit_none: bool = False,
    none_if_empty: bool = False,
    drop: tuple[str, ...] = (),
) -> Callable[[F], F]:
    """Mark a property's getter as part of the record's JSON (under `key`, after the key
    `after`); put @property above it."""

    def mark(getter: F) -> F:
        shape = Shape(key, False, flat, omit_none, none_if_empty, drop, after)
        setattr(getter, SHAPE, shape)
        return getter

    return mark
