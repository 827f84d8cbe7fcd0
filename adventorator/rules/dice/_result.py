"""What a roll returns: the total, crit, every die, and the evaluated tree."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._ast import Expression
from ._tree import ChainResult, DiceResult, ParenResult, Result, SetResult, UnaryResult

if TYPE_CHECKING:
    from ._render import Room

__all__ = ["CritType", "DieRecord", "RollResult", "result_to_json"]


class CritType(enum.Enum):
    NONE = "none"
    CRIT = "crit"
    FUMBLE = "fumble"


@dataclass(frozen=True, slots=True)
class DieRecord:
    """One die drawn from the generator.

    ``kept``: the value counts toward the total (not dropped by k/p at any
    level, not replaced by a reroll). ``rerolled``: a reroll replaced this
    value. ``exploded``: this die triggered an explosion (``e`` or ``ra``).
    ``value`` is after ``mi``/``ma``.
    """

    sides: int
    value: int
    kept: bool
    rerolled: bool = False
    exploded: bool = False


class RollResult:
    """The outcome of ``roll()``.

    ``expression`` is the normalised expression actually rolled (after the
    advantage rewrite), ``total`` the truncated total, ``tree`` the evaluated
    tree that renderers walk, ``syntax`` the parsed ``Expression``.
    """

    __slots__ = ("_crit", "_dice", "expression", "syntax", "total", "tree")

    def __init__(self, syntax: Expression, tree: Result, total: int) -> None:
        self.syntax = syntax
        self.expression = syntax.text
        self.tree = tree
        self.total = total
        self._crit: CritType | None = None
        self._dice: tuple[DieRecord, ...] | None = None

    @property
    def crit(self) -> CritType:
        """CRIT/FUMBLE when the leftmost term is Xd20 with one kept die showing 20/1."""
        if self._crit is None:
            self._crit = _crit(self.tree)
        return self._crit

    @property
    def dice(self) -> tuple[DieRecord, ...]:
        """Every die rolled, dropped and rerolled ones included, in roll order."""
        if self._dice is None:
            self._dice = _records(self.tree)
        return self._dice

    def __int__(self) -> int:
        return self.total

    def __str__(self) -> str:
        from ._render import render_text

        return render_text(self)

    def __repr__(self) -> str:
        return f"<RollResult {self.expression!r} total={self.total}>"


def _crit(tree: Result) -> CritType:
    node = tree
    while True:
        if isinstance(node, ChainResult):
            node = node.items[0]
        elif isinstance(node, UnaryResult):
            node = node.operand
        elif isinstance(node, ParenResult):
            node = node.inner
        elif isinstance(node, SetResult) and node.items:
            node = node.items[0]
        else:
            break
    if not isinstance(node, DiceResult) or node.sides != 20 or node.syntax.percent:
        return CritType.NONE
    if node.kept_count() != 1:
        return CritType.NONE
    if node.total == 20:
        return CritType.CRIT
    if node.total == 1:
        return CritType.FUMBLE
    return CritType.NONE


def _records(tree: Result) -> tuple[DieRecord, ...]:
    records: list[DieRecord] = []
    stack: list[tuple[Result, bool]] = [(tree, True)]
    while stack:
        node, alive = stack.pop()
        alive = alive and node.kept
        if isinstance(node, DiceResult):
            _dice_records(node, alive, records)
        elif isinstance(node, (SetResult, ChainResult)):
            stack.extend((item, alive) for item in reversed(node.items))
        elif isinstance(node, ParenResult):
            stack.append((node.inner, alive))
        elif isinstance(node, UnaryResult):
            stack.append((node.operand, alive))
    return tuple(records)


def _dice_records(node: DiceResult, alive: bool, out: list[DieRecord]) -> None:
    sides = node.sides
    if node.draws is None:
        out.extend(
            DieRecord(sides, v, alive and k)
            for v, k in zip(node.values, node.die_kept, strict=True)
        )
        return
    for draw, raw in enumerate(node.draws):
        slot = node.draw_slot[draw]
        current = node.slot_draw[slot] == draw
        forced = node.forced.get(draw)
        out.append(
            DieRecord(
                sides,
                forced[-1] if forced else raw,
                alive and current and node.die_kept[slot],
                rerolled=not current,
                exploded=draw in node.exploded,
            )
        )


def result_to_json(
    result: RollResult,
    *,
    room: Room | None = None,
    text: str | None = None,
    markdown: str | None = None,
) -> dict[str, Any]:
    """A JSON-ready summary: expression, total, text, markdown, crit and the dice.

    ``dice`` lists the dice in roll order while ``room`` has dice left (default:
    one reply's ``REPLY_DICE_SHOWN``); ``dice_omitted`` counts the rest.
    ``text`` and ``markdown``, when already rendered, are used as they are.
    """
    from ._render import Room, render_markdown, render_text

    room = room or Room()
    records = result.dice
    shown = records[: max(room.dice, 0)]
    room.dice -= len(shown)
    return {
        "expression": result.expression,
        "total": result.total,
        "text": render_text(result) if text is None else text,
        "markdown": render_markdown(result) if markdown is None else markdown,
        "crit": result.crit.value,
        "dice": [
            {
                "sides": die.sides,
                "value": die.value,
                "kept": die.kept,
                "rerolled": die.rerolled,
                "exploded": die.exploded,
            }
            for die in shown
        ],
        "dice_omitted": len(records) - len(shown),
    }
