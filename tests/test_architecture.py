"""ARCHITECTURE.md is the source's map: every module on it, described by its own docstring,
every layer in its diagram — so the map and the code cannot disagree."""

from __future__ import annotations

import re

from scripts import architecture_map as amap


def test_the_map_is_the_source() -> None:
    """A module added, moved or described differently changes the map: rewrite it with
    `python scripts/architecture_map.py --update`."""
    assert amap.current() == amap.render()


def test_every_module_says_what_it_is() -> None:
    silent = [
        str(p.relative_to(amap.SRC))
        for p in sorted(amap.SRC.rglob("*.py"))
        if p.name != "__main__.py" and not amap.summary(amap.docstring(p))
    ]
    assert silent == []


def test_the_diagram_names_every_layer_and_only_those() -> None:
    text = amap.DOC.read_text(encoding="utf-8")
    diagram = text.split("```", 2)[1]
    named = re.findall(r"^(\w+)(?:/|\.py)\s", diagram, flags=re.M)
    assert named == list(amap.LAYERS)


def test_every_folder_and_top_module_is_a_layer() -> None:
    found = {p.name for p in amap.SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    # the entry points (`esp`, `python -m esp_cli`) start the cli layer: above every layer
    found |= {p.stem for p in amap.SRC.glob("*.py")} - {"__init__", "__main__", "launch"}
    assert found == set(amap.LAYERS)
