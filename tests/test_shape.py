"""One way a result becomes JSON: its dataclass fields, as core.shape declares them, walked
by render.plain — and no renderer building an object of its own."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from esp_cli.core.shape import as_json, exported
from esp_cli.render import plain, write_csv

SRC = Path(__file__).resolve().parents[1] / "src" / "esp_cli"


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Who:
    name: str = field(metadata=as_json(key="agent"))
    cls: str = field(metadata=as_json(key="class"))
    secret: str = field(metadata=as_json(hidden=True))


@dataclass(frozen=True)
class Item:
    who: Who = field(metadata=as_json(flat=True))
    when: date
    colour: Colour
    where: Path
    note: str = field(default="", metadata=as_json(none_if_empty=True))
    extra: str | None = field(default=None, metadata=as_json(omit_none=True))
    first: str = field(default="top", metadata=as_json(after=""))

    @property
    @exported(after="agent")
    def initials(self) -> str:
        return "".join(w[0] for w in self.who.name.split())

    @property
    def not_exported(self) -> str:
        return "never in the JSON"


@dataclass(frozen=True)
class Box:
    items: list[Item] = field(metadata=as_json(drop=("colour",)))
    stamp: datetime
    tags: tuple[str, ...] = ()


ITEM = Item(Who("Ana Ruiz", "AET-1", "x"), date(2026, 11, 24), Colour.RED, Path("a/b.png"))


def test_a_record_is_its_fields_renamed_hidden_flattened_and_placed() -> None:
    assert list(plain(ITEM).items()) == [
        ("first", "top"),
        ("agent", "Ana Ruiz"),
        ("initials", "AR"),
        ("class", "AET-1"),
        ("when", "2026-11-24"),
        ("colour", "red"),
        ("where", str(Path("a/b.png"))),
        ("note", None),
    ]


def test_omitted_only_when_none_and_dropped_from_each_item() -> None:
    item = Item(ITEM.who, ITEM.when, ITEM.colour, ITEM.where, note="n", extra="e")
    got = plain(Box([item], datetime(2026, 11, 24, 9, 30), ("a", "b")))
    assert got["items"][0]["extra"] == "e" and got["items"][0]["note"] == "n"
    assert "colour" not in got["items"][0]
    assert got["stamp"] == "2026-11-24T09:30" and got["tags"] == ["a", "b"]


def test_csv_rows_are_the_same_objects(capsys: pytest.CaptureFixture[str]) -> None:
    write_csv([ITEM], ["agent", "class", "initials", "when"])
    assert capsys.readouterr().out == "agent,class,initials,when\nAna Ruiz,AET-1,AR,2026-11-24\n"


def _render_modules() -> list[Path]:
    return sorted((SRC / "render").glob("*.py"))


def test_no_renderer_writes_a_json_object_by_hand() -> None:
    """Every write_json is given a result (or a list of them): the object comes from the
    result's type. A function building a dict per record (`*_dict`, `as_dict`) is how
    thirty hand-copied shapes came about."""
    found = []
    for path in _render_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_dict"):
                found.append(f"{path.name}: def {node.name}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "write_json"
                and any(isinstance(a, (ast.Dict, ast.DictComp, ast.ListComp)) for a in node.args)
            ):
                found.append(f"{path.name}:{node.lineno} write_json of a literal")
    assert found == []
