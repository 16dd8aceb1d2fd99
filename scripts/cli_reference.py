"""Write docs/reference.md, the command reference, from esp's own Typer app.

Every command's synopsis, arguments, options (names, value, default, help) and help text are
taken from the command definitions themselves (`typer.main.get_command`), never typed by
hand, so the reference says what `esp COMMAND --help` says; the tracker's columns with the
spellings esp knows, the action names and the Escalation Stage values come from the code
that reads and writes them. `python scripts/cli_reference.py`
writes the file; `--check` (and tests/test_cli_reference.py) fails, printing the difference,
when the file is not what the app gives.

The output depends on nothing but the code: no terminal width, no colours, commands in
alphabetical order (the order Typer lists them in is the order their modules happened to
be imported), options in the order the command declares them.
"""

from __future__ import annotations

import argparse
import difflib
import enum
import inspect
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference.md"
COMMAND = "python scripts/cli_reference.py"
WIDTH = 96  # synopsis and help text are wrapped here, whatever the terminal

# The guide that explains each command with examples (paths relative to docs/). A command
# without one fails tests/test_cli_reference.py: every command has a guide.
GUIDES: dict[str, tuple[str, str]] = {
    "access set": ("commands/access.md", "Citrix TBT Access and SPOC"),
    "advise": ("commands/advise.md", "Advice to agents"),
    "apply": ("commands/waiting.md", "When the tracker is busy"),
    "config templates": ("commands/document.md", "The ladder's documents"),
    "config user": ("configuration.md", "Configuration"),
    "config where": ("configuration.md", "Configuration"),
    "demo": ("commands/demo.md", "The demo and the sample"),
    "doctor": ("commands/doctor.md", "Checking the tracker"),
    "document": ("commands/document.md", "The ladder's documents"),
    "escalations": ("commands/escalations.md", "Escalations"),
    "explain": ("commands/escalations.md", "Escalations"),
    "history": ("commands/history.md", "History and undo"),
    "note add": ("commands/notes.md", "Notes"),
    "note import": ("commands/notes.md", "Notes"),
    "pending": ("commands/waiting.md", "When the tracker is busy"),
    "pending drop": ("commands/waiting.md", "When the tracker is busy"),
    "progress import": ("commands/progress.md", "Self-reports"),
    "progress missing": ("commands/progress.md", "Self-reports"),
    "record-step": ("commands/escalations.md", "Escalations"),
    "report eod": ("commands/reports.md", "Reports and e-mail"),
    "report kpi": ("commands/kpi.md", "Leadership KPIs"),
    "report locate": ("commands/reports.md", "Reports and e-mail"),
    "round": ("commands/round.md", "The daily round"),
    "sme assign": ("commands/sme.md", "TBT SMEs"),
    "sme list": ("commands/sme.md", "TBT SMEs"),
    "sync-nnumbers": ("commands/sync.md", "N Numbers from the Master"),
    "tbt proofs": ("commands/tbt-proofs.md", "TBT completion proofs"),
    "undo": ("commands/history.md", "History and undo"),
}


@dataclass
class Leaf:
    path: str  # "note add": the words after `esp`
    command: Any  # the Click command


def esp_command() -> Any:
    """The Click command behind `esp`, with every command registered."""
    import typer

    from esp_cli.cli import app

    return typer.main.get_command(app)


def leaves(group: Any, prefix: str = "") -> Iterator[Leaf]:
    """Every command that runs (not the groups, but a group that runs on its own: esp
    pending lists, esp pending drop drops), alphabetically by its full name."""
    for name in sorted(getattr(group, "commands", {})):
        sub = group.commands[name]
        if getattr(sub, "hidden", False):
            continue
        path = f"{prefix} {name}".strip()
        if getattr(sub, "commands", None) is not None:
            if getattr(sub, "invoke_without_command", False):
                yield Leaf(path, sub)
            yield from leaves(sub, path)
        else:
            yield Leaf(path, sub)


def help_text(command: Any) -> str:
    """The command's help as Click shows it: the docstring, dedented, up to a form feed."""
    text = inspect.cleandoc(command.help or "").split("\f")[0]
    return text.replace("\b\n", "").strip()


def first_sentence(command: Any) -> str:
    text = " ".join(help_text(command).split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


# A parameter type's kind by its name: Click says "text", Typer's own copy of it "str".
_KINDS = {
    "text": "text",
    "str": "text",
    "path": "path",
    "integer": "number",
    "int": "number",
    "float": "number",
    "integer range": "range",
    "int range": "range",
    "float range": "range",
}


def _kind(param: Any) -> str:
    return _KINDS.get(getattr(param.type, "name", ""), "text")


def _is_date(param: Any) -> bool:
    """An option that takes a day: its metavar says DATE (cli/options.py DATE)."""
    from esp_cli.cli.options import DATE

    return getattr(param, "metavar", None) == DATE


def value_name(param: Any) -> str:
    """What an option takes, as a reader types it: the command's own metavar, else a
    choice's values, else DATE for a day, else the kind."""
    if getattr(param, "metavar", None):
        return str(param.metavar)
    kind = param.type
    choices = getattr(kind, "choices", None)
    if choices is not None:
        return "|".join(str(_enum_value(c)) for c in choices)
    if _is_date(param):
        return "DATE"
    return {"path": "PATH", "number": "N", "range": "N"}.get(_kind(param), "TEXT")


def value_kind(param: Any) -> str:
    """The option table's value column."""
    if getattr(param, "is_flag", False):
        return "flag"
    kind = param.type
    choices = getattr(kind, "choices", None)
    if choices is not None:
        return " \\| ".join(f"`{_enum_value(c)}`" for c in choices)
    if _kind(param) == "range":
        low, high = getattr(kind, "min", None), getattr(kind, "max", None)
        bounds = [f"≥ {low}" if low is not None else "", f"≤ {high}" if high is not None else ""]
        return "number " + " ".join(b for b in bounds if b) if any(bounds) else "number"
    if _is_date(param):
        return "[date](#dates)"
    return {"range": "number"}.get(_kind(param), _kind(param))


def default_shown(param: Any) -> str:
    """The default, where --help shows one."""
    show = getattr(param, "show_default", None)
    if isinstance(show, str):
        return show
    if show is False or getattr(param, "is_flag", False) and not param.default:
        return ""
    default = _enum_value(param.default)
    if default is None or default == () or default == []:
        return ""
    return f"`{default}`"


def option_names(param: Any) -> str:
    names = ", ".join(f"`{n}`" for n in sorted(param.opts, key=lambda n: (n.startswith("--"), n)))
    if param.secondary_opts:
        names += " / " + ", ".join(f"`{n}`" for n in param.secondary_opts)
    return names


def synopsis(leaf: Leaf) -> str:
    """`esp note add AGENT TEXT [--tbt] [--by TEXT] ...`, wrapped at WIDTH."""
    words = [f"esp {leaf.path}"]
    for p in leaf.command.params:
        if p.param_type_name == "argument":
            name = p.name.upper() + ("..." if p.nargs == -1 else "")
            words.append(name if p.required else f"[{name}]")
    for p in leaf.command.params:
        if p.param_type_name != "option" or getattr(p, "hidden", False):
            continue
        long = max(p.opts, key=len)
        if p.secondary_opts:
            word = f"[{long} | {max(p.secondary_opts, key=len)}]"
        elif p.is_flag:
            word = f"[{long}]"
        else:
            word = f"[{long} {value_name(p)}]"
        if p.multiple:
            word += "..."
        words.append(word)
    lines: list[str] = []
    line = words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line = "    " + word
        else:
            line += " " + word
    return "\n".join([*lines, line])


def cell(text: str) -> str:
    """Text for a Markdown table cell: one line, its pipes and markup characters escaped."""
    text = " ".join(text.split())
    for char in ("\\", "|", "*", "<", ">"):
        text = text.replace(char, "\\" + char)
    return text


def prose(text: str) -> list[str]:
    """Help text as Markdown paragraphs, wrapped at WIDTH."""
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        escaped = " ".join(paragraph.split())
        for char in ("\\", "*", "<", ">"):
            escaped = escaped.replace(char, "\\" + char)
        out += textwrap.wrap(escaped, WIDTH, break_long_words=False, break_on_hyphens=False)
        out.append("")
    return out


def anchor(path: str) -> str:
    """The anchor GitHub gives the heading `esp PATH` (in backticks)."""
    return "esp-" + path.replace(" ", "-")


def command_section(leaf: Leaf) -> list[str]:
    out = [f"## `esp {leaf.path}`", ""]
    out += prose(help_text(leaf.command))
    out += ["```text", synopsis(leaf), "```", ""]
    arguments = [p for p in leaf.command.params if p.param_type_name == "argument"]
    if arguments:
        out += ["| argument | | description |", "| --- | --- | --- |"]
        for p in arguments:
            name = p.name.upper() + ("..." if p.nargs == -1 else "")
            need = "required" if p.required else "optional"
            if p.nargs == -1:
                need += ", any number"
            out.append(f"| `{name}` | {need} | {cell(getattr(p, 'help', None) or '')} |")
        out.append("")
    options = [
        p
        for p in leaf.command.params
        if p.param_type_name == "option" and not getattr(p, "hidden", False)
    ]
    if options:
        out += ["| option | value | default | description |", "| --- | --- | --- | --- |"]
        for p in options:
            kind = value_kind(p) + (", repeatable" if p.multiple else "")
            text = cell(p.help or "")
            if p.required:
                text = "Required. " + text
            out.append(f"| {option_names(p)} | {kind} | {default_shown(p)} | {text} |")
        out.append("")
    guide = GUIDES.get(leaf.path)
    if guide:
        out += [f"Guide, with examples: [{guide[1]}]({guide[0]}).", ""]
    return out


_KIND_WORDS = {
    "text": "text",
    "date": "date",
    "datetime": "date and time",
    "yesno": "yes/no",
    "number": "number",
    "name": "name",
}


def groups(root: Any) -> list[tuple[str, Any]]:
    """The command groups (`esp report`, `esp note` ...), alphabetically, with their Click
    groups."""
    return [
        (name, sub)
        for name, sub in sorted(root.commands.items())
        if getattr(sub, "commands", None) is not None and not getattr(sub, "hidden", False)
    ]


def groups_section(root: Any) -> list[str]:
    """Each command group's help, and the commands in it."""
    out = [
        "## Command groups",
        "",
        "Some commands come in groups: `esp GROUP --help` lists the group's commands.",
        "",
        "| group | what it holds | commands |",
        "| --- | --- | --- |",
    ]
    for name, group in groups(root):
        commands = ", ".join(
            f"[`esp {leaf.path}`](#{anchor(leaf.path)})" for leaf in leaves(group, name)
        )
        out.append(f"| `esp {name}` | {cell(help_text(group))} | {commands} |")
    return [*out, ""]


def root_options(root: Any) -> list[Any]:
    """The options of `esp` itself, -h/--help among them, as `esp --help` lists them."""
    ctx = root.context_class(root, info_name="esp", **(root.context_settings or {}))
    return [p for p in root.get_params(ctx) if p.param_type_name == "option" and not p.hidden]


def root_section(root: Any) -> list[str]:
    """`esp` itself: its help and the options taken before a command."""
    out = ["## `esp`", "", *prose(help_text(root))]
    out += ["```text", "esp [OPTIONS] COMMAND [ARGS]...", "```", ""]
    out += ["| option | value | default | description |", "| --- | --- | --- | --- |"]
    for p in root_options(root):
        out.append(
            f"| {option_names(p)} | {value_kind(p)} | {default_shown(p)} | {cell(p.help or '')} |"
        )
    return [*out, ""]


def dates_section() -> list[str]:
    """What an option shown as DATE takes, from the examples cli/options.py gives."""
    from esp_cli.cli.options import DAY_EXAMPLES

    examples = ", ".join(f"`{e}`" for e in DAY_EXAMPLES)
    text = (
        f"An option shown as `DATE` takes a day as people type it: {examples}. A weekday is "
        "the most recent one, today included (`last monday`: the one before today); a "
        "month/day without a year is the one nearest today. Every form, with examples: "
        "[Dates you can type](basics.md#dates-you-can-type)."
    )
    return [
        "## Dates",
        "",
        *textwrap.wrap(text, WIDTH, break_long_words=False, break_on_hyphens=False),
        "",
    ]


def columns_section() -> list[str]:
    """The tracker's columns, as esp's header matching knows them."""
    from esp_cli.core.columns import COLUMNS

    out = [
        "## Tracker columns",
        "",
        "The columns esp reads and writes, with the other headers it takes for each (matched",
        "ignoring case, spacing and punctuation; a trailing `?` or a `(Y/N)` after the words",
        "asks a yes or a no, so such a header names a yes/no column only — `SPOC Called?` is",
        "not the SPOC Called Date; one shown with its `?` is taken only as a question, `?` or",
        "`(Y/N)`, since without it the header may hold a count or a date; `[columns]` in",
        "esp.toml adds your own, a question included). When two headers of a sheet name one",
        "column, one esp.toml maps is read, else the tracker's own over another table's beside",
        "it, else — for a yes/no column — one whose agents' cells (every agent row of the sheet)",
        "hold Yes and No (1 and 0 too, unless the column holds other numbers) over one whose",
        "agents' cells are mostly counts (`3`, `6 of 8`, `7/8`), dates or other text, else the",
        "more exact: the column's own header, then one of the others below, then one taken only",
        "as a question; of two alike, the first. A yes/no column whose cells are mostly counts or",
        "dates (one esp.toml maps, or the only header naming it) is not read as the flag (each",
        "agent's cannot be read) and no command writes Yes or No into it; nor over any cell of a",
        "yes/no column holding something else than Yes, No or nothing: it stops, naming the cell",
        "and the fix.",
        "The [rules](rules.md#the-tracker) say what each is for.",
        "",
        "| column | holds | other headers esp knows |",
        "| --- | --- | --- |",
    ]
    for column in COLUMNS:
        kind = _KIND_WORDS.get(column.kind.value, column.kind.value)
        spellings = (*column.aliases, *(f"{q}?" for q in column.questions))
        others = ", ".join(f"`{a}`" for a in spellings) or "—"
        out.append(f"| {cell(column.header)} | {kind} | {others} |")
    return [*out, ""]


def actions_section() -> list[str]:
    """The actions and stages, as JSON and the tracker spell them."""
    from esp_cli.core.rules import ACTION_LABELS, Stage

    out = [
        "## Actions and stages",
        "",
        "The actions `esp escalations` lists, by the name JSON and CSV give them (`action`) and",
        "the words the tables and the Next Action column use, in the order they are listed:",
        "",
        "| action | shown as |",
        "| --- | --- |",
    ]
    out += [f"| `{kind.value}` | {cell(label)} |" for kind, label in ACTION_LABELS.items()]
    stages = ", ".join(f"`{stage.value}`" for stage in Stage)
    text = f"The values `esp escalations --write` puts in Escalation Stage: {stages}."
    out += ["", *textwrap.wrap(text, WIDTH, break_on_hyphens=False), ""]
    return out


def render() -> str:
    root = esp_command()
    commands = list(leaves(root))
    out = [
        "# Command reference",
        "",
        "<!-- Generated by `python scripts/cli_reference.py` from esp's command definitions;"
        " do not edit. -->",
        "",
        "Every esp command with its arguments and options, exactly as `esp COMMAND --help` gives",
        "them: this page is generated from the commands themselves, so it cannot fall behind",
        "them. The [guides](index.md) explain each command with examples run on the",
        "sample tracker. Every command also takes `-h` / `--help`; [`esp` itself](#esp) takes",
        "`--version` and `--color` before the command.",
        "",
        "| command | what it does |",
        "| --- | --- |",
    ]
    for leaf in commands:
        link = f"[`esp {leaf.path}`](#{anchor(leaf.path)})"
        out.append(f"| {link} | {cell(first_sentence(leaf.command))} |")
    out.append("")
    out += [
        "Below: the [command groups](#command-groups), [`esp` itself](#esp), what a",
        "[date](#dates) may be, every command, the [tracker columns](#tracker-columns) esp",
        "knows and the [actions and stages](#actions-and-stages) it names.",
        "",
    ]
    out += groups_section(root)
    out += root_section(root)
    out += dates_section()
    for leaf in commands:
        out += command_section(leaf)
    out += columns_section()
    out += actions_section()
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def check() -> int:
    """0 when docs/reference.md is what the app gives, else 1 with the difference on stderr."""
    want = render()
    have = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    if have == want:
        return 0
    rel = REFERENCE.relative_to(ROOT).as_posix()
    diff = difflib.unified_diff(
        have.splitlines(), want.splitlines(), rel, f"{rel} (from the commands)", lineterm=""
    )
    print("\n".join(diff), file=sys.stderr)
    print(f"{rel} is out of date; run: {COMMAND}", file=sys.stderr)
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail, showing the difference, when out of date"
    )
    if parser.parse_args().check:
        sys.exit(check())
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(render(), encoding="utf-8", newline="\n")
    print(f"Wrote {REFERENCE.relative_to(ROOT).as_posix()}.", file=sys.stderr)


if __name__ == "__main__":
    main()
