"""The Discord front end: an HTTP interactions endpoint over the command registry.

Public API:

* ``create_app(app_context=None)`` — the FastAPI app (``POST /interactions``,
  ``GET /healthz``, ``GET /metrics``); ``adv serve`` runs it with uvicorn.
* ``application_commands()`` — the registry as Discord command JSON (for a bulk PUT).
* ``register_commands(...)`` — that bulk PUT, global or for one guild.

FastAPI is imported only when ``create_app`` is first used, so building the
command JSON (``adv discord register --dry-run``) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adventorator.discord_webhook._commands import application_commands

if TYPE_CHECKING:
    from adventorator.discord_webhook._app import create_app
    from adventorator.discord_webhook._discord_api import register_commands

__all__ = ["application_commands", "create_app", "register_commands"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from adventorator.discord_webhook._app import create_app

        return create_app
    if name == "register_commands":
        from adventorator.discord_webhook._discord_api import register_commands

        return register_commands
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
