"""The map in ARCHITECTURE.md, made from the source: each layer (a package, or one of the
modules at the top) in one line with what it may import, and every module with the
first sentence of its docstring. tests/test_architecture.py fails when the map in the file
is not this one (a module added, moved or described differently).

    python scripts/architecture_map.py            # print the map
    python scripts/architecture_map.py --update   # rewrite it in ARCHITECTURE.md
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "esp_cli"
DOC = ROOT / "ARCHITECTURE.md"
BEGIN = "<!-- map: made by scripts/architecture_map.py; run it with --update -->"
END = "<!-- map: end -->"

# The layers, top to bottom, and what each may import besides itself (tests/test_layers.py
# checks the source against this). A layer is a folder under src/esp_cli/, or a module at
# its top.
LAYERS: dict[str, tuple[str, ...]] = {
    "cli": ("services", "render", "results", "core", "config", "config_file", "errors", "system"),
    "render": ("results", "core", "errors", "system"),
    "services": ("workbook", "mail", "results", "core", "config", "errors", "system"),
    "results": ("core", "errors"),
    "workbook": ("core", "config", "errors", "system"),
    "mail": ("core", "config", "errors", "system"),
    "config": ("core", "config_file", "errors", "system"),
    "config_file": ("errors", "system"),
    "core": ("errors",),
    "system": (),
    "errors": (),
}


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def summary(text: str) -> str:
    """The docstring's first sentence, on one line (its head, before a colon, when long)."""
    first = " ".join(text.split("\n\n")[0].split())
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".")
    for cut in (" — ", " (", ": "):
        if len(sentence) > 110 and cut in sentence[20:]:
            sentence = sentence[: sentence.index(cut, 20)]
    return sentence


def layer_path(name: str) -> Path:
    folder = SRC / name
    return folder / "__init__.py" if folder.is_dir() else SRC / f"{name}.py"


def layer_lines() -> list[str]:
    """One line a layer: where it is, what it is, what it may import."""
    rows = ["| layer | what it is | may import |", "| --- | --- | --- |"]
    for name, below in LAYERS.items():
        shown = f"`{name}/`" if (SRC / name).is_dir() else f"`{name}.py`"
        rows.append(
            f"| {shown} | {summary(docstring(layer_path(name)))} | {', '.join(below) or '—'} |"
        )
    return rows


def module_lines() -> list[str]:
    """Every module, by layer: its path under src/esp_cli/ and its first sentence."""
    out: list[str] = []
    for name in LAYERS:
        folder = SRC / name
        if not folder.is_dir():
            continue
        out += ["", f"**{name}/**", ""]
        for path in sorted(folder.rglob("*.py")):
            if path.name == "__init__.py" and path.parent == folder:
                continue
            rel = path.relative_to(SRC).as_posix()
            if path.name == "__init__.py":
                rel = path.parent.relative_to(SRC).as_posix() + "/"  # a package inside
            out.append(f"- `{rel}` — {summary(docstring(path))}")
    return out


def render() -> str:
    lines = [BEGIN, "", *layer_lines(), *module_lines(), "", END]
    return "\n".join(lines) + "\n"


def current() -> str:
    """The map as ARCHITECTURE.md has it now (from BEGIN to END)."""
    text = DOC.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        return ""
    return text[start : end + len(END)] + "\n"


def update() -> bool:
    """Rewrite the map in ARCHITECTURE.md; True when it changed."""
    text = DOC.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    new = render()
    if start < 0 or end < 0:
        raise SystemExit(f"{DOC}: no map markers ({BEGIN!r} … {END!r}) to put the map between.")
    changed = text[start : end + len(END)] + "\n" != new
    DOC.write_text(text[:start] + new.rstrip("\n") + text[end + len(END) :], encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--update", action="store_true", help="rewrite the map in ARCHITECTURE.md")
    args = parser.parse_args(argv)
    if args.update:
        print("ARCHITECTURE.md: map updated." if update() else "ARCHITECTURE.md: map up to date.")
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
