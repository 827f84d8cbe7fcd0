"""Renderers: plain text, Discord markdown (d20 style) and rich terminal text.

One walk over the evaluated tree feeds a "sink" per output style.

- plain:    ``2d20kh1 (19, ~3~) + 5 = 24``
- markdown: ``2d20kh1 (19, ~~3~~) + 5 = `24` ``.

One notation for both: dropped dice and members are struck through (only the
outermost; plain text marks them ``~3~``, which survives copy and paste), a
rerolled value shows as ``~~1~~ -> 4`` (plain: ``~1~ -> 4``), a value set by
``mi``/``ma`` as ``3 -> 10``, a die that exploded as ``6!``, and annotations
follow their term: ``3d6 (...) [fire]``. Markdown bolds 1s and maximum faces;
plain and rich text flag a natural 20 or 1 on a leading d20 after the total:
``1d20 (20) + 5 = 25 (natural 20)``.

Every render fits in a ``Room``: at most ``REPLY_DICE_SHOWN`` dice faces and
``REPLY_TEXT_CHARS`` characters per reply, however many dice were rolled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from adventorator.limits import REPLY_DICE_SHOWN, REPLY_TEXT_CHARS

from ._ast import dice_label, format_number, format_ops
from ._result import CritType, RollResult
from ._tree import (
    ChainResult,
    DiceResult,
    LiteralResult,
    ParenResult,
    Result,
    SetResult,
    UnaryResult,
)

if TYPE_CHECKING:
    from rich.text import Text

__all__ = [
    "Room",
    "natural_flag",
    "render_markdown",
    "render_rich",
    "render_signed_terms",
    "render_terms",
    "render_text",
]


class Room:
    """What one reply may still show: dice faces and characters of text.

    One room is shared by every roll rendered into the same reply, per output
    style; each render takes from it. Past ``dice``, a dice term shows
    ``… N more dice`` instead of its faces (``hidden`` counts them); past
    ``chars``, the rest of the line becomes ``…`` (``cut``) but its total is
    always shown. Nothing beyond the room is ever built.
    """

    __slots__ = ("chars", "cut", "dice", "hidden")

    def __init__(self, *, dice: int = REPLY_DICE_SHOWN, chars: int = REPLY_TEXT_CHARS) -> None:
        self.dice = dice
        self.chars = chars
        self.hidden = 0
        self.cut = False


class _Sink(Protocol):
    room: Room
    full: bool

    def text(self, text: str) -> None: ...
    def open_dropped(self) -> None: ...
    def close_dropped(self) -> None: ...
    def face(self, text: str, *, one: bool, top: bool, struck: bool) -> None: ...
    def annotation(self, text: str) -> None: ...
    def total(self, total: int) -> None: ...


class _Plain:
    strike = "~"  # plain text's strikethrough: ASCII, so it survives copy and paste

    def __init__(self, room: Room) -> None:
        self.parts: list[str] = []
        self.room = room
        self.full = False
        self.depth = 0
        self.striking = False

    def fits(self, text: str) -> bool:
        """Take room for ``text``; once something does not fit, nothing more does."""
        if self.full:
            return False
        if len(text) > self.room.chars:
            self.full = self.room.cut = True
            self.parts.append("…")
            return False
        self.room.chars -= len(text)
        return True

    def text(self, text: str) -> None:
        if self.fits(text):
            self.parts.append(text)

    def open_dropped(self) -> None:
        self.depth += 1
        if self.depth == 1 and self.fits(self.strike):
            self.parts.append(self.strike)
            self.striking = True

    def close_dropped(self) -> None:
        if self.depth == 1 and self.striking and self.fits(self.strike):
            self.parts.append(self.strike)
            self.striking = False
        self.depth -= 1

    def face(self, text: str, *, one: bool, top: bool, struck: bool) -> None:
        if struck and not self.depth:
            text = f"{self.strike}{text}{self.strike}"
        self.text(text)

    annotation = text

    def close_strike(self) -> None:
        if self.striking:  # a cut line must not leave its strikethrough open
            self.parts.append(self.strike)
            self.striking = False

    def total(self, total: int) -> None:
        # Always shown: the caller bounds expression length x rolls up front.
        self.close_strike()
        shown = f" = {total}"
        self.room.chars -= len(shown)
        self.parts.append(shown)


class _Markdown(_Plain):
    strike = "~~"

    def face(self, text: str, *, one: bool, top: bool, struck: bool) -> None:
        if struck and not self.depth:
            text = f"~~{text}~~"
        if one or top:
            text = f"**{text}**"
        self.text(text)

    def total(self, total: int) -> None:
        self.close_strike()
        shown = f" = `{total}`"
        self.room.chars -= len(shown)
        self.parts.append(shown)


class _Rich:
    def __init__(self, text: Text, room: Room) -> None:
        self.out = text
        self.depth = 0
        self.room = room
        self.full = False

    def _style(self, style: str = "") -> str:
        return f"{style} dim strike".strip() if self.depth else style

    def _put(self, text: str, style: str) -> None:
        if self.full:
            return
        if len(text) > self.room.chars:
            self.full = self.room.cut = True
            self.out.append("…")
            return
        self.room.chars -= len(text)
        self.out.append(text, style=style)

    def text(self, text: str) -> None:
        self._put(text, self._style())

    def open_dropped(self) -> None:
        self.depth += 1

    def close_dropped(self) -> None:
        self.depth -= 1

    def face(self, text: str, *, one: bool, top: bool, struck: bool) -> None:
        style = "bold red" if one else "bold green" if top else ""
        if struck:
            style = f"{style} dim strike".strip()
        self._put(text, self._style(style))

    def annotation(self, text: str) -> None:
        self._put(text, self._style("italic cyan"))

    def total(self, total: int) -> None:
        self.room.chars -= len(str(total)) + 3
        self.out.append(" = ")
        self.out.append(str(total), style="bold")


def _more_dice(count: int) -> str:
    return f"… {count:,} more {'die' if count == 1 else 'dice'}"


def _faces(node: DiceResult, sink: _Sink) -> None:
    room = sink.room
    if room.dice <= 0:
        room.hidden += len(node.values)
        sink.text(_more_dice(len(node.values)))
        return
    sides = node.sides
    if node.draws is None:
        slots: list[list[int]] = [[slot] for slot in range(len(node.values))]
        raw = node.values
    else:
        slots = [[] for _ in node.values]
        for draw, slot in enumerate(node.draw_slot):
            slots[slot].append(draw)
        raw = node.draws
    for slot, draws in enumerate(slots):
        if slot:
            sink.text(", ")
        if sink.full:
            return
        if room.dice <= 0:
            hidden = len(slots) - slot
            room.hidden += hidden
            sink.text(_more_dice(hidden))
            return
        room.dice -= 1
        dropped = not node.die_kept[slot]
        if dropped:
            sink.open_dropped()
        for position, draw in enumerate(draws):
            if position:
                sink.text(" -> ")
            history = [raw[draw]]
            exploded = False
            if node.draws is not None:
                history.extend(node.forced.get(draw, ()))
                exploded = draw in node.exploded
            text = " -> ".join(str(value) for value in history) + ("!" if exploded else "")
            final = history[-1]
            sink.face(text, one=final == 1, top=final == sides, struck=position < len(draws) - 1)
        if dropped:
            sink.close_dropped()


def _walk(node: Result, sink: _Sink) -> None:
    if sink.full:
        return
    dropped = not node.kept
    if dropped:
        sink.open_dropped()
    annotations: tuple[str, ...] = ()
    if isinstance(node, LiteralResult):
        sink.text(format_number(node.syntax.value))
        annotations = node.syntax.annotations
    elif isinstance(node, DiceResult):
        sink.text(f"{dice_label(node.syntax)} (")
        _faces(node, sink)
        sink.text(")")
        annotations = node.syntax.annotations
    elif isinstance(node, SetResult):
        sink.text("(")
        for index, item in enumerate(node.items):
            if index:
                sink.text(", ")
            _walk(item, sink)
        sink.text(f"{',' if len(node.items) == 1 else ''}){format_ops(node.syntax.ops)}")
        annotations = node.syntax.annotations
    elif isinstance(node, ParenResult):
        sink.text("(")
        _walk(node.inner, sink)
        sink.text(f"){format_ops(node.syntax.ops)}")
        annotations = node.syntax.annotations
    elif isinstance(node, ChainResult):
        _walk(node.items[0], sink)
        for (op, _, _), item in zip(node.syntax.rest, node.items[1:], strict=True):
            sink.text(f" {op} ")
            _walk(item, sink)
    else:
        sink.text(node.syntax.op)
        _walk(node.operand, sink)
    if annotations:
        sink.text(" ")
        sink.annotation("".join(annotations))
    if dropped:
        sink.close_dropped()


def natural_flag(result: RollResult) -> str:
    """``" (natural 20)"`` or ``" (natural 1)"`` when the leading d20 shows one, else ``""``."""
    crit = result.crit
    if crit is CritType.CRIT:
        return " (natural 20)"
    return " (natural 1)" if crit is CritType.FUMBLE else ""


def render_text(result: RollResult, *, room: Room | None = None) -> str:
    """Plain text: ``1d20 (20) + 5 = 25 (natural 20)``, within ``room`` (default: one reply's)."""
    sink = _Plain(room or Room())
    _walk(result.tree, sink)
    sink.total(result.total)
    flag = natural_flag(result)  # part of the total: always shown, and it takes room
    sink.room.chars -= len(flag)
    return "".join(sink.parts) + flag


def render_terms(result: RollResult, *, markdown: bool = False, room: Room | None = None) -> str:
    """The expression and its dice without the total: ``2d20kh1 (19, ~3~)``.

    For lines that add their own terms and total (checks, attacks, damage), so
    every rendering of dice uses this one notation.
    """
    sink = (_Markdown if markdown else _Plain)(room or Room())
    _walk(result.tree, sink)
    sink.close_strike()
    return "".join(sink.parts)


def render_signed_terms(
    result: RollResult, *, markdown: bool = False, room: Room | None = None
) -> tuple[str, str]:
    """``("-", "1d4 (3)")`` for ``-1d4``, ``("+", "1d4 (3)")`` for ``1d4``: a term to add."""
    tree = result.tree
    if isinstance(tree, UnaryResult) and tree.syntax.op == "-" and tree.kept:
        sink = (_Markdown if markdown else _Plain)(room or Room())
        _walk(tree.operand, sink)
        sink.close_strike()
        return "-", "".join(sink.parts)
    return "+", render_terms(result, markdown=markdown, room=room)


def render_markdown(result: RollResult, *, room: Room | None = None) -> str:
    """Discord markdown in d20's style: ``1d20 (**20**) + 5 = `25` ``, within ``room``."""
    sink = _Markdown(room or Room())
    _walk(result.tree, sink)
    sink.total(result.total)
    return "".join(sink.parts)


def render_rich(result: RollResult, *, room: Room | None = None) -> Text:
    """A ``rich.text.Text`` with colours: 1s red, maximum faces green, dropped dim."""
    from rich.text import Text

    text = Text()
    sink = _Rich(text, room or Room())
    _walk(result.tree, sink)
    sink.total(result.total)
    text.append(natural_flag(result))
    return text
