"""The Typer app and what every command module registers on it."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
import typer.core
from typer.core import TyperGroup

from esp_cli import __version__
from esp_cli.errors import EspError

# Typer's parse errors: recent Typer carries its own copy of click (typer.core._click),
# earlier releases use click itself (typer.core.click). Asked of Typer, not imported.
_CLICK: Any = getattr(typer.core, "_click", None) or getattr(typer.core, "click")  # noqa: B009
ParseError: Any = _CLICK.exceptions.UsageError


def choice_type(values: Sequence[str]) -> Any:
    """Typer's own choice type for `values` (it lists them in --help and refuses any other
    with a usage error); click's Choice where Typer still uses click itself."""
    try:
        from typer._types import TyperChoice
    except ImportError:
        return _CLICK.Choice(list(values))
    return TyperChoice(list(values))


class EspGroup(TyperGroup):
    """Turns esp's own errors into one line on stderr and their documented exit code."""

    argv: Sequence[str] = ()

    def main(self, args: Sequence[str] | None = None, *more: Any, **options: Any) -> Any:
        # Kept for the hint on an unquoted name (see quote_hint).
        self.argv = list(sys.argv[1:] if args is None else args)
        return super().main(colour_first(self.argv), *more, **options)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        typed = tuple(args)
        rest = super().parse_args(ctx, args)  # --help and --version exit here
        if ctx.parent is None and not ctx.resilient_parsing:
            # The command as typed, for the operation log (until the command ends; shell
            # completion parses without running anything, so it records nothing).
            from esp_cli.core import oplog

            ctx.meta["esp_command_line"] = oplog.command_line.set(typed)
        return rest

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EspError as exc:
            sys.stderr.write(f"esp: {exc}\n")
            raise typer.Exit(int(exc.exit_code)) from None
        except ParseError as exc:
            hint = quote_hint(exc, self.argv)
            if hint:
                exc.message += f"\nHint: {hint}"
            raise
        except KeyboardInterrupt:
            sys.stderr.write("esp: interrupted; nothing more was written.\n")
            raise typer.Exit(130) from None
        finally:
            token = ctx.meta.pop("esp_command_line", None) if ctx.parent is None else None
            if token is not None:
                from esp_cli.core import oplog

                oplog.command_line.reset(token)


def colour_first(argv: Sequence[str]) -> list[str]:
    """`esp escalations --today --color never` as `esp --color never escalations --today`:
    --color is esp's own option, taken wherever it is typed (before a `--`)."""
    words = list(argv)
    end = words.index("--") if "--" in words else len(words)
    for i, word in enumerate(words[:end]):
        if word.startswith("--color=") and i > 0:
            return [word, *words[:i], *words[i + 1 :]]
        if word == "--color" and i > 0 and i + 1 < end:
            return [word, words[i + 1], *words[:i], *words[i + 2 :]]
    return words


_EXTRA = re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$")


def quote_hint(exc: ParseError, argv: Sequence[str]) -> str | None:
    """For `esp note add Devon Price Called, no answer`: the name (and the text) were not
    quoted, so their words took the places of the arguments after them. Returns a hint
    that works: 'quote the name and the text: "Devon Price" "Called, no answer"' (or only
    the name, or only the text, when only that needs it), else None. Where the name ends
    is asked of the tracker the command line would use (the longest run of words that is
    an agent's name); without one, a name ends before a word no name has (a comma, a
    digit). `argv` is the command line as given (after `esp`)."""
    ctx = exc.ctx
    if _EXTRA.match(exc.message) is None or ctx is None:
        return None
    params = [p for p in ctx.command.params if p.param_type_name == "argument"]
    names = [p.name for p in params]
    if "agent" not in names:
        return None
    after_agent = len(names) - names.index("agent") - 1
    words = _positionals(argv, ctx.command.params)[len(ctx.command_path.split()) - 1 :]
    if after_agent == 0:
        return f'quote the name: "{" ".join(words)}"' if len(words) > 1 else None
    from esp_cli.cli.complete import known_names, name_at_start
    from esp_cli.core.names import names_meant

    known = known_names(argv)
    ends = name_at_start(words, known) or _name_end(words, after_agent)
    name, rest = words[:ends], words[ends:]
    if len(rest) <= after_agent:
        return f"quote the name: {_quoted(name)}" if len(name) > 1 else None
    if after_agent > 1:
        return None  # which of several arguments took the extra words cannot be told
    last = str(names[-1])
    # The name as typed may name several agents ("Brooks"): then the hint names each, so
    # the command it gives is one that works.
    named = names_meant(known, " ".join(name)) if known else []
    if len(named) > 1:
        choices = " or ".join(f"{_quoted([n])} {_quoted(rest)}" for n in named)
        return f"quote the {last} and name one agent: {choices}"
    if len(name) == 1:
        return f"quote the {last}: {_quoted(rest)}"
    return f"quote the name and the {last}: {_quoted(name)} {_quoted(rest)}"


# A word a person's name does not have: it ends the name ("Devon Price Called, no").
_NOT_A_NAME = re.compile(r"[0-9,;:!?()/@]")


def _name_end(words: Sequence[str], after: int) -> int:
    for i, word in enumerate(words):
        if _NOT_A_NAME.search(word):
            return max(i, 1)
    return max(len(words) - after, 1)


def _quoted(words: Sequence[str]) -> str:
    from esp_cli.system import shell_quote

    return shell_quote(" ".join(words))


def _positionals(argv: Sequence[str], params: Sequence[Any]) -> list[str]:
    """The command line's words that are not options nor option values."""
    takes_value = {
        opt
        for p in params
        if p.param_type_name == "option" and not p.is_flag and not p.count
        for opt in p.opts
    }
    out: list[str] = []
    skip = False
    for i, word in enumerate(argv):
        if skip:
            skip = False
        elif word == "--":
            return out + list(argv[i + 1 :])
        elif word.startswith("-") and len(word) > 1:
            skip = word in takes_value
        else:
            out.append(word)
    return out


app = typer.Typer(
    cls=EspGroup,
    name="esp",
    help="The ESP certification team's daily work on the ESP Tracker workbook.",
    no_args_is_help=True,
    # --install-completion / --show-completion: Tab completes commands, options and the
    # agents' names (cli.complete).
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Stderr(logging.Handler):
    """The core's warnings ("esp" logger), as lines on stderr like the commands' own: each
    line once a command (a tracker read twice by one command warns once)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.said: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        line = f"{record.levelname.lower()}: {record.getMessage()}\n"
        if line not in self.said:
            self.said.add(line)
            sys.stderr.write(line)


def _core_warnings_to_stderr() -> None:
    """Route the core's warnings to stderr, as a new command starts (nothing said yet)."""
    log = logging.getLogger("esp")
    for handler in log.handlers:
        if isinstance(handler, _Stderr):
            handler.said.clear()
            return
    log.addHandler(_Stderr(logging.WARNING))
    log.propagate = False


def command_group(name: str, help: str) -> typer.Typer:
    """A group of subcommands (`esp note add`, `esp sme list`...) registered on the app."""
    group = typer.Typer(name=name, help=help, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


def _version(value: bool) -> None:
    if value:
        typer.echo(f"esp {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    colour: str = typer.Option(
        "auto",
        "--color",
        click_type=choice_type(["auto", "always", "never"]),
        help="Colour on a terminal: auto (not when piped, nor with NO_COLOR set), always or "
        "never. Taken anywhere on the command line.",
    ),
) -> None:
    """The ESP certification team's daily work on the ESP Tracker workbook."""
    from esp_cli.render import style

    style.set_mode(colour)
    _core_warnings_to_stderr()
