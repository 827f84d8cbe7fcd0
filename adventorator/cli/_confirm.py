"""Asking before a destructive command, about the very thing it would destroy.

A command with ``CommandSpec.confirm`` refuses to act without its confirm
option, raising an error that carries ``question`` (naming what it checked it
would act on) and ``confirmed`` (the options to act with). On a terminal the
CLI runs it once unconfirmed, asks that question, and runs it again with
``confirmed``: so an unknown or another player's sheet fails before any
question, and the question names the sheet a typed prefix resolved to.
"""

from __future__ import annotations

import random
from typing import Any

import typer

from adventorator.cli._run import fail, global_options
from adventorator.commands import CommandSpec, Invocation
from adventorator.context import AppContext
from adventorator.errors import AdventoratorError


def confirmed(ctx: typer.Context, spec: CommandSpec, params: dict[str, Any]) -> dict[str, Any]:
    """The options to run ``spec`` with once the user said yes (typer.Abort if they did not)."""
    options = global_options(ctx)
    app = AppContext(options.overrides())

    async def probe() -> None:
        try:
            await spec.handler(Invocation(app=app, rng=random.Random()), spec.options(**params))
        finally:
            await app.aclose()

    import asyncio

    try:
        asyncio.run(probe())
    except AdventoratorError as error:
        question = getattr(error, "question", None)
        if not isinstance(question, str):
            fail(error, debug=options.debug)  # e.g. no such sheet: nothing to ask about
        if not typer.confirm(question, default=False):
            raise typer.Abort() from None
        return {**params, **getattr(error, "confirmed", {})}
    raise RuntimeError(f"{spec.name} ran without its confirm option")
