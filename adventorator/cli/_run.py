"""Running a command from the CLI: build the Invocation, run, render, exit.

Errors are converted in one place, ``report`` (and ``fail``, which exits):
an AdventoratorError prints one line on stderr (plus context lines, such as
a caret under a notation error) and exits with its code; ``--debug`` adds the
traceback. Click's usage errors are turned into the same one line by
``_parse.AdvGroup``. Output goes through the doors of ``_output``.
"""

from __future__ import annotations

import random
import sys
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import typer

from adventorator.cli._output import echo, print_json, render, show
from adventorator.commands import CommandSpec, Invocation, Reply
from adventorator.context import AppContext
from adventorator.errors import AdventoratorError
from adventorator.text import clean_line

__all__ = [
    "GlobalOptions",
    "echo",
    "fail",
    "global_options",
    "print_json",
    "render",
    "report",
    "run_async",
    "run_report",
    "run_spec",
]

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
    else:
        reply = run_async(ctx, lambda app: _run_choosing(app, spec, options, rng, as_json))
    render(reply, as_json=as_json)
    if reply.exit_code:
        raise typer.Exit(reply.exit_code)


async def _run_choosing(
    app: AppContext, spec: CommandSpec, options: Any, rng: random.Random, as_json: bool
) -> Reply:
    """Run the handler; on a terminal, let the player pick among the choices it offers."""
    invocation = Invocation(app=app, rng=rng)
    reply = await spec.handler(invocation, options)
    if reply.choices and not as_json and sys.stdin.isatty() and sys.stdout.isatty():
        from adventorator.commands.planning import run_choice

        reply = await run_choice(invocation, reply.choices[ask_choice(reply)])
    return reply


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
    echo(reply.text)
    while True:
        picked: int = typer.prompt(f"Choose 1-{len(reply.choices)}", type=int)
        if 1 <= picked <= len(reply.choices):
            return picked - 1
        echo(f"Please answer a number from 1 to {len(reply.choices)}.")


def run_report(
    ctx: typer.Context,
    work: Callable[[AppContext], Awaitable[T]],
    describe: Callable[[T], str],
    *,
    as_json: bool,
) -> T:
    """Run an admin command's one library call and print its result (JSON or text)."""
    result = run_async(ctx, work)
    show(result, describe, as_json=as_json)
    return result


def report(error: AdventoratorError, *, debug: bool) -> int:
    """Print a user-facing error as one ``error:`` line (plus its context) and return its code."""
    if debug:
        echo("".join(traceback.format_exception(error)).rstrip("\n"), err=True)
    echo(f"error: {clean_line(error.message)}", err=True)
    for line in error.context_lines():
        echo(f"  {clean_line(line)}", err=True)
    return error.exit_code


def fail(error: AdventoratorError, *, debug: bool) -> NoReturn:
    """Report a user-facing error and exit with its code."""
    raise typer.Exit(report(error, debug=debug))
