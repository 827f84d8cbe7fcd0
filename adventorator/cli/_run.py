"""Running a command from the CLI: build the Invocation, run, render, exit.

Errors are converted in one place, ``fail``: an AdventoratorError prints one
line on stderr (plus a caret line for notation errors) and exits with its
code; ``--debug`` adds the traceback.

Every byte the CLI prints passes one of three doors, which neutralise user
text (names, player text, narration, error messages that quote input):
``echo`` (plain text, stdout or stderr: ``text.clean``), ``print_json``
(escapes what ``json.dumps`` leaves raw) and ``render``'s rich path (every
text segment cleaned and stripped of hyperlinks, after layout). Click's own
usage errors are cleaned by ``SafeGroup``.
"""

from __future__ import annotations

import json
import random
import re
import sys
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer
from typer._click import ClickException, Context  # typer vendors click; these are its own
from typer.core import TyperGroup

from adventorator.commands._types import CommandSpec, Invocation, Reply
from adventorator.context import AppContext
from adventorator.errors import AdventoratorError
from adventorator.text import BIDI_CONTROLS, clean, clean_line

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.segment import Segment

T = TypeVar("T")
# What json.dumps(ensure_ascii=False) leaves raw that a terminal still obeys:
# DEL, the C1 controls (0x9b is CSI), line separators and the bidi controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


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
            from adventorator.play.planner import run_choice

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
    echo(reply.text)
    while True:
        picked: int = typer.prompt(f"Choose 1-{len(reply.choices)}", type=int)
        if 1 <= picked <= len(reply.choices):
            return picked - 1
        echo(f"Please answer a number from 1 to {len(reply.choices)}.")


def render(reply: Reply, *, as_json: bool) -> None:
    """Print a Reply: JSON, rich on a terminal, plain text into a pipe."""
    if as_json:
        print_json(reply.data if reply.data is not None else {"text": reply.text})
    elif reply.rich is not None and sys.stdout.isatty():
        print_rich(reply.rich, fallback=reply.text)
    else:
        echo(reply.text)


def echo(text: str, *, err: bool = False) -> None:
    """Print plain text with terminal and bidi controls removed (newlines kept)."""
    print(clean(text), file=sys.stderr if err else sys.stdout)


def print_json(data: Any) -> None:
    """Print ``data`` as JSON; controls json.dumps keeps raw become ``\\uXXXX`` escapes."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    # Those characters only occur inside JSON strings, so escaping keeps the same data.
    print(_JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


def print_rich(build: Callable[[], object], *, fallback: str) -> None:
    """Render a handler's rich renderable to the terminal, its text neutralised.

    Rendered off-screen first, so a markup error (user text a builder failed
    to escape) prints the plain text instead of half a panel and a traceback.
    """
    from rich.console import Console
    from rich.errors import MarkupError

    console = Console()
    try:
        with console.capture() as capture:
            console.print(_Neutralised(build()))
    except MarkupError:
        echo(fallback)
        return
    sys.stdout.write(capture.get())
    sys.stdout.flush()


class _Neutralised:
    """A renderable whose text segments lose terminal controls and hyperlinks; styles stay."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        for segment in console.render(self.inner, options):  # type: ignore[arg-type]
            if segment.control:  # cursor moves and screen clears: never from a handler
                continue
            style = segment.style
            if style is not None and style.link:  # [link=...] smuggled past a builder
                style = style.update_link(None)
            yield Segment(clean(segment.text), style)


def fail(error: AdventoratorError, *, debug: bool) -> NoReturn:
    """Report a user-facing error and exit with its code."""
    if debug:
        echo("".join(traceback.format_exception(error)).rstrip("\n"), err=True)
    echo(f"error: {clean_line(error.message)}", err=True)
    for line in error.context_lines():
        echo(f"  {clean_line(line)}", err=True)
    raise typer.Exit(error.exit_code)


class SafeGroup(TyperGroup):
    """The root command group: click's usage errors quote what was typed, so clean them."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except ClickException as error:
            _clean_click_error(error)
            raise

    def invoke(self, ctx: Context) -> Any:
        # Subcommands parse their arguments inside the root group's invoke.
        try:
            return super().invoke(ctx)
        except ClickException as error:
            _clean_click_error(error)
            raise


def _clean_click_error(error: ClickException) -> None:
    error.message = clean_line(error.message)
