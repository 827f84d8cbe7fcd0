"""``adv serve`` (the Discord interactions endpoint) and ``adv discord register``.

The web stack (FastAPI, uvicorn, httpx) is imported inside the commands, so
``adv --help`` and ``adv roll`` never load it.
"""

from __future__ import annotations

from typing import Any

import typer

from adventorator.cli._run import print_json, run_async
from adventorator.context import AppContext
from adventorator.errors import ConfigError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")  # uvicorn's names

discord_app = typer.Typer(
    help="Manage the Discord application's slash commands.", no_args_is_help=True
)


def add_to(app: typer.Typer) -> None:
    """Register ``serve`` and the ``discord`` group on the root app."""
    app.command("serve")(serve)
    app.add_typer(discord_app, name="discord")


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64, help="Worker processes (each has its own pool)."
    ),
    log_level: str = typer.Option(
        "info", "--log-level", help="Log level: critical, error, warning, info, debug, trace."
    ),
) -> None:
    """Serve the Discord interactions endpoint: POST /interactions, GET /healthz, GET /metrics.

    POST /interactions needs DISCORD_PUBLIC_KEY and DISCORD_APPLICATION_ID;
    without them it answers 503 while /healthz and /metrics work (a malformed
    value stops the server at once). Put it behind an HTTPS reverse proxy and
    set https://HOST/interactions as the application's Interactions Endpoint URL.
    """

    async def check(app: AppContext) -> None:
        from adventorator.services.health import check_discord

        # Missing keys only disable the endpoint (the app logs it); a typo is fatal.
        error = check_discord(app.settings).error
        if error is not None:
            raise ConfigError(error)

    if log_level.lower() not in LOG_LEVELS:
        raise typer.BadParameter(
            f"{log_level!r} is not one of {', '.join(LOG_LEVELS)}", param_hint="'--log-level'"
        )
    run_async(ctx, check)
    import uvicorn

    uvicorn.run(
        "adventorator.discord_webhook:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level.lower(),
        log_config=log_config(log_level),
        proxy_headers=True,
        server_header=False,
    )


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, with our ``adventorator.*`` loggers on its handler at ``level``.

    Without it they have no handler: warnings reach stderr bare, through Python's
    last-resort handler, and info lines (model calls, prunes) are dropped.
    """
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    ours = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    config["loggers"]["adventorator"] = ours
    return config


@discord_app.command("register")
def register(
    ctx: typer.Context,
    guild: str | None = typer.Option(
        None, "--guild", help="Register in this guild only (updates at once; for development)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the command JSON instead of sending it (no token needed)."
    ),
) -> None:
    """Register the slash commands, built from the command registry, in one bulk PUT.

    Global by default; --guild ID for one server. Needs DISCORD_BOT_TOKEN and
    DISCORD_APPLICATION_ID.
    """
    from adventorator.discord_webhook import application_commands

    commands = application_commands()
    if dry_run:
        print_json(commands)
        return
    if guild is not None and not guild.isdigit():
        raise typer.BadParameter("must be a numeric guild id", param_hint="--guild")

    async def work(app: AppContext) -> list[dict[str, Any]]:
        from adventorator.discord_webhook import new_client, register_commands
        from adventorator.services.health import APPLICATION_ID, BOT_TOKEN, check_discord, not_set

        settings = app.settings
        discord = check_discord(settings)
        missing = discord.missing(BOT_TOKEN, APPLICATION_ID)
        if missing:
            raise ConfigError(
                f"{not_set(missing)}: the bot token and the application id are needed to "
                "register (or use --dry-run)"
            )
        if APPLICATION_ID in discord.problems:
            raise ConfigError(discord.problems[APPLICATION_ID])
        application_id = str(discord.application_id)
        async with new_client(settings.discord_api_base) as client:
            return await register_commands(
                client,
                application_id=application_id,
                token=str(settings.discord_bot_token).strip(),
                commands=commands,
                guild_id=guild,
            )

    registered = run_async(ctx, work)
    names = [str(c.get("name")) for c in registered if isinstance(c, dict)] or [
        c["name"] for c in commands
    ]
    where = f"in guild {guild}" if guild else "globally"
    print(f"Registered {len(names)} commands {where}: " + ", ".join(f"/{n}" for n in names))
