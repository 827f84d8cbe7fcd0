"""Running a command from the CLI: build the Invocation, run, render, exit.

Errors are converted in one place, ``fail``: an AdventoratorError prints one
line on stderr (plus a caret line for notation errors) and exits with its
code; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import json
import random
import sys
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import typer

from adventorator.app import AppContext
from adventorator.commands._types import CommandSpec, Invocation, Reply
from adventorator.errors import AdventoratorError

T = TypeVar("T")


@dataclass
class GlobalOptions:
    """What the root callback parsed; kept on ``ctx.obj``."""

    debug: bool = False
    campaign: str | None = None
    user: str | None = None

    def overrides(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "user": self.user}


def global_options(ctx: typer.Context) -> GlobalOptions:
    root = ctx.find_root()
    if not isinstance(root.obj, GlobalOptions):
        root.obj = GlobalOptions()
    return root.obj


def run_async(
    ctx: typer.Context, work: Callable[[AppContext], Awaitable[T]], **overrides: Any
) -> T:
    """Run ``work`` with a fresh AppContext, converting errors, closing the database."""
    options = global_options(ctx)
    app = AppContext({**options.overrides(), **overrides})

    async def run() -> T:
        try:
            return await work(app)
        finally:
            await app.aclose()

    import asyncio  # here, not at the top: pure commands never need a loop

    try:
        return asyncio.run(run())
    except AdventoratorError as error:
        fail(error, debug=options.debug)


def run_spec(
    ctx: typer.Context, spec: CommandSpec, options: Any, *, as_json: bool, seed: int | None
) -> None:
    """Run a registry command and print its Reply."""
    rng = random.Random(seed)
    if spec.pure:
        reply = run_pure(ctx, spec.handler(Invocation(app=AppContext(), rng=rng), options))
        render(reply, as_json=as_json)
        return

    async def work(app: AppContext) -> Reply:
        invocation = Invocation(app=app, rng=rng)
        reply = await spec.handler(invocation, options)
        if reply.choices and not as_json and sys.stdin.isatty() and sys.stdout.isatty():
            from adventorator.planner import run_choice

            reply = await run_choice(invocation, reply.choices[ask_choice(reply)])
        return reply

    reply = run_async(ctx, work)
    render(reply, as_json=as_json)
    if reply.exit_code:
        raise typer.Exit(reply.exit_code)


def run_pure(ctx: typer.Context, coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a pure command's handler without an event loop.

    A pure handler never awaits, so one ``send`` finishes it; skipping asyncio
    keeps `adv roll` start-up below the d20 one-liner (bench/cli_startup.py).
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    except AdventoratorError as error:
        fail(error, debug=global_options(ctx).debug)
    coroutine.close()
    raise RuntimeError("a command marked pure awaited something")


def ask_choice(reply: Reply) -> int:
    """Show numbered choices on a terminal and return the index picked."""
    print(reply.text)
    while True:
        picked: int = typer.prompt(f"Choose 1-{len(reply.choices)}", type=int)
        if 1 <= picked <= len(reply.choices):
            return picked - 1
        print(f"Please answer a number from 1 to {len(reply.choices)}.")


def render(reply: Reply, *, as_json: bool) -> None:
    """Print a Reply: JSON, rich on a terminal, plain text into a pipe."""
    if as_json:
        print_json(reply.data if reply.data is not None else {"text": reply.text})
    elif reply.rich is not None and sys.stdout.isatty():
        from rich.console import Console

        Console().print(reply.rich())
    else:
        print(reply.text)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def fail(error: AdventoratorError, *, debug: bool) -> NoReturn:
    """Report a user-facing error and exit with its code."""
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    print(f"error: {error.message}", file=sys.stderr)
    for line in error.context_lines():
        print(f"  {line}", file=sys.stderr)
    raise typer.Exit(error.exit_code)
