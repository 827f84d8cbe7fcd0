"""The Discord front end: an HTTP interactions endpoint over the command registry.

Public API:

* ``create_app(app_context=None)`` — the FastAPI app (``POST /interactions``,
  ``GET /healthz``, ``GET /metrics``); ``adv serve`` runs it with uvicorn.
* ``application_commands()`` — the registry as Discord command JSON (for a bulk PUT).
* ``register_commands(...)`` — that bulk PUT, global or for one guild, and
  ``new_client``, ``MAX_ATTEMPTS``, ``DEFAULT_RETRY_AFTER_S``,
  ``MAX_RETRY_AFTER_S`` (the Discord API client and its retry bounds).
* ``OptionCoercer``, ``describe``, ``parse_command`` — registry <-> Discord options.
* ``AckFirst`` — acknowledgements ahead of deferred work.
* ``SignatureVerifier``, ``parse_public_key`` — the Ed25519 check of every request
  (PyNaCl, loaded on first use).

FastAPI is imported only when ``create_app`` is first used, so building the
command JSON (``adv discord register --dry-run``) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from adventorator.discord_webhook._commands import (
    OptionCoercer,
    application_commands,
    describe,
    parse_command,
)
from adventorator.discord_webhook._priority import AckFirst

if TYPE_CHECKING:
    from adventorator.discord_webhook._app import create_app
    from adventorator.discord_webhook._discord_api import (
        DEFAULT_RETRY_AFTER_S,
        MAX_ATTEMPTS,
        MAX_RETRY_AFTER_S,
        new_client,
        register_commands,
    )
    from adventorator.discord_webhook._verify import SignatureVerifier, parse_public_key

__all__ = [
    "DEFAULT_RETRY_AFTER_S",
    "MAX_ATTEMPTS",
    "MAX_RETRY_AFTER_S",
    "AckFirst",
    "OptionCoercer",
    "SignatureVerifier",
    "application_commands",
    "create_app",
    "describe",
    "new_client",
    "parse_command",
    "parse_public_key",
    "register_commands",
]

# Loaded on first use: FastAPI and httpx stay out of building the command JSON.
_LAZY = {
    "create_app": "_app",
    "DEFAULT_RETRY_AFTER_S": "_discord_api",
    "MAX_ATTEMPTS": "_discord_api",
    "MAX_RETRY_AFTER_S": "_discord_api",
    "new_client": "_discord_api",
    "register_commands": "_discord_api",
    "SignatureVerifier": "_verify",
    "parse_public_key": "_verify",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
