"""The root Typer app: global options, registry commands and admin groups."""

from __future__ import annotations

import typer

from adventorator import __version__
from adventorator.cli import _admin, _serve, _sheet_new
from adventorator.cli._doctor import doctor
from adventorator.cli._generate import add_command
from adventorator.cli._output import echo
from adventorator.cli._parse import CONTEXT_SETTINGS, AdvGroup
from adventorator.cli._run import global_options
from adventorator.commands import COMMANDS, GROUP_HELP

APP_HELP = """Adventorator: a game-master toolkit for D&D 5e tables.

Roll dice, keep character sheets, make checks with real stats, and let a
narrator describe the outcome. Run `adv COMMAND --help` for details."""


def _show_version(value: bool) -> None:
    if value:
        echo(f"adv {__version__}")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    campaign: str | None = typer.Option(
        None, "--campaign", help="Campaign to act in [env ADVENTORATOR_CAMPAIGN; default: default]"
    ),
    user: str | None = typer.Option(
        None, "--user", help="Player to act as [env ADVENTORATOR_USER; default: your login name]"
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version."
    ),
) -> None:
    options = global_options(ctx)
    options.campaign, options.user, options.debug = campaign, user, debug


def build_app() -> typer.Typer:
    """Build the Typer app from the command registry."""
    app = typer.Typer(
        cls=AdvGroup,
        help=APP_HELP,
        no_args_is_help=True,
        context_settings=CONTEXT_SETTINGS,
        # Typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell).
        add_completion=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    groups: dict[str, typer.Typer] = {}
    for spec in COMMANDS:
        parent = app
        for part in spec.path[:-1]:
            if part not in groups:
                groups[part] = typer.Typer(help=GROUP_HELP[part], no_args_is_help=True)
                app.add_typer(groups[part], name=part)
            parent = groups[part]
        add_command(parent, spec)
    _sheet_new.add_to(groups["sheet"])  # CLI-only: it asks on a terminal
    app.add_typer(_admin.db_app, name="db")
    app.add_typer(_admin.config_app, name="config")
    app.command("doctor")(doctor)
    _serve.add_to(app)
    return app
