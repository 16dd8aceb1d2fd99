"""The Typer app and what every command module registers on it."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from esp_cli import __version__
from esp_cli.errors import EspError


class EspGroup(TyperGroup):
    """Turns esp's own errors into one line on stderr and their documented exit code."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        typed = tuple(args)
        rest = super().parse_args(ctx, args)  # --help and --version exit here
        if ctx.parent is None:
            # The command as typed, for the operation log (until the command ends).
            from esp_cli import history

            ctx.meta["esp_command_line"] = history.command_line.set(typed)
        return rest

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EspError as exc:
            sys.stderr.write(f"esp: {exc}\n")
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            sys.stderr.write("esp: interrupted; nothing more was written.\n")
            raise typer.Exit(130) from None
        finally:
            token = ctx.meta.pop("esp_command_line", None) if ctx.parent is None else None
            if token is not None:
                from esp_cli import history

                history.command_line.reset(token)


app = typer.Typer(
    cls=EspGroup,
    name="esp",
    help="The ESP certification team's daily work on the ESP Tracker workbook.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
) -> None:
    """The ESP certification team's daily work on the ESP Tracker workbook."""
