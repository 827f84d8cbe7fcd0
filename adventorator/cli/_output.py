"""The CLI's output doors: every byte ``adv`` prints passes one of them.

Each neutralises user text (names, player text, narration, error messages
that quote input): ``echo`` (plain text, stdout or stderr: ``text.clean``),
``print_json`` (escapes what ``json.dumps`` leaves raw) and ``print_rich``
(every text segment cleaned and stripped of hyperlinks, after layout).
``render`` picks a door for a Reply, ``show`` for an admin command's data.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from adventorator.commands import Reply
from adventorator.text import BIDI_CONTROLS, clean

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.segment import Segment

T = TypeVar("T")
# What json.dumps(ensure_ascii=False) leaves raw that a terminal still obeys:
# DEL, the C1 controls (0x9b is CSI), line separators and the bidi controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


def render(reply: Reply, *, as_json: bool) -> None:
    """Print a Reply: JSON, rich on a terminal, plain text into a pipe."""
    if as_json:
        print_json(reply.data if reply.data is not None else {"text": reply.text})
    elif reply.rich is not None and sys.stdout.isatty():
        print_rich(reply.rich, fallback=reply.text)
    else:
        echo(reply.text)


def show(data: T, describe: Callable[[T], str], *, as_json: bool) -> None:
    """Print an admin command's result: ``data`` as JSON, or ``describe(data)`` as text."""
    if as_json:
        print_json(data)
    else:
        echo(describe(data))


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
