"""esp config user [NAME], esp config where, esp config templates DIR: who signs, which
esp.toml is in use, and the team's own document templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from esp_cli.cli.base import command_group
from esp_cli.cli.options import ConfigOpt, TrackerOpt, config_for
from esp_cli.config import (
    TRACKER_ENV,
    find_config,
    set_user_name,
    unquoted_name,
    user_config_path,
)
from esp_cli.errors import ConfigError, NoSignerError
from esp_cli.render import say

config_app = command_group(
    "config",
    "Your own settings: the name that signs your notes, which esp.toml is used, and the "
    "team's document templates.",
)


@config_app.command("user")
def config_user_command(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Your name as notes should show it; saved in your own esp.toml.",
            show_default=False,
        ),
    ] = None,
    tracker: TrackerOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Without NAME: who signs your notes and changes, and where that name comes from. With
    NAME: save it once in your own esp.toml (not the team's), so --by is not needed."""
    if name is not None:
        path = set_user_name(name)
        # As the file holds it: quotes pasted round the name are no part of it.
        saved = json.dumps(unquoted_name(name), ensure_ascii=False)
        say(f"Saved [people] user = {saved} in {path}.")
    cfg = config_for(config, tracker)
    try:
        signer = cfg.who_signs(None)
    except NoSignerError:
        say(f'No name set: run esp config user "Your Name" (it writes {user_config_path()}).')
        raise typer.Exit(1) from None
    typer.echo(signer.name)
    say(f"Signed: {signer.name} (from {signer.source})")


@config_app.command("where")
def config_where_command(tracker: TrackerOpt = None, config: ConfigOpt = None) -> None:
    """Which esp.toml esp uses here (--config, else ./esp.toml, else the one beside the
    tracker, else your own) and which tracker it names."""
    cfg = config_for(config, tracker)
    typer.echo(f"config: {cfg.source or 'none (defaults)'}")
    typer.echo(f"your own config: {user_config_path()}")
    try:
        typer.echo(f"tracker: {cfg.tracker_path(tracker)}")
    except ConfigError:
        typer.echo(f"tracker: none (pass --tracker, set {TRACKER_ENV} or [tracker] path)")


@config_app.command("templates")
def config_templates_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="The folder for the team's own document templates.", show_default=False
        ),
    ],
) -> None:
    """Copy the built-in Word templates of the ladder's documents (coaching.docx,
    written-cap.docx, final-cap.docx, term-review.docx) into FOLDER, to edit in Word;
    esp document uses them once esp.toml says [documents] templates = 'FOLDER'. A file
    already in FOLDER is kept as it is."""
    from esp_cli.core.documents import PLACEHOLDERS
    from esp_cli.services.document import save_templates

    saved = save_templates(folder)
    for path in saved:
        typer.echo(str(path))
    kept = 4 - len(saved)
    say(
        f"Copied {len(saved)} template(s) into {folder}"
        + (f" ({kept} already there, kept)" if kept else "")
        + f". Placeholders: {', '.join(PLACEHOLDERS)}."
    )
    toml = find_config()
    say(f"To use them, add to {toml or 'esp.toml'}:\n{templates_setting(folder, toml)}")


def templates_setting(folder: Path, toml: Path | None) -> str:
    """The lines of esp.toml that name `folder`: relative to that esp.toml's folder when it
    can be (esp.toml is shared, and each teammate's synced folder has its own path), with
    forward slashes, quoted as TOML (a folder named Jordan's tpl is a valid string)."""
    import os

    import tomlkit

    base = (toml.parent if toml is not None else Path.cwd()).resolve()
    try:
        shown = Path(os.path.relpath(folder.resolve(), base)).as_posix()
    except ValueError:  # another drive (Windows): only the whole path names it
        shown = folder.resolve().as_posix()
    return tomlkit.dumps({"documents": {"templates": shown}}).strip()
