"""The evaluated tree: one result node per syntax node, built by each roll.

Every node has ``syntax`` (its ``_ast`` node), ``total`` (0 once dropped) and
``kept``. Nodes are mutable only while the roll that builds them runs;
renderers and ``RollResult`` treat them as read-only.

A ``DiceResult`` keeps its dice in parallel lists indexed by *slot* (a die on
the table; explosions add slots). Only terms with rerolls, explosions or
``mi``/``ma`` carry the draw history (``draws`` and friends); the common case
stays two small lists.
"""

from __future__ import annotations

from ._ast import Chain, Dice, Literal, Number, NumberSet, Paren, Unary

__all__ = [
    "ChainResult",
    "DiceResult",
    "LiteralResult",
    "ParenResult",
    "Result",
    "SetResult",
    "UnaryResult",
]


class LiteralResult:
    __slots__ = ("kept", "syntax", "total")

    def __init__(self, syntax: Literal) -> None:
        self.syntax = syntax
        self.total: Number = syntax.value
        self.kept = True


class DiceResult:
    """A rolled dice term.

    ``values[s]``/``die_kept[s]``: current value and kept flag of slot ``s``.
    With history (``draws is not None``): ``draws[d]`` is the raw value of the
    d-th draw of this term, ``draw_slot[d]`` its slot, ``slot_draw[s]`` the
    slot's current draw, ``forced[d]`` the values ``mi``/``ma`` set on it and
    ``exploded`` the draws that triggered an explosion.
    """

    __slots__ = (
        "die_kept",
        "draw_slot",
        "draws",
        "exploded",
        "forced",
        "kept",
        "sides",
        "slot_draw",
        "syntax",
        "total",
        "values",
    )

    # Set by start_history(); only read when ``draws is not None``.
    draw_slot: list[int]
    slot_draw: list[int]
    forced: dict[int, list[int]]
    exploded: set[int]

    def __init__(self, syntax: Dice, values: list[int], total: int) -> None:
        self.syntax = syntax
        self.sides = syntax.sides
        self.values = values
        self.die_kept = [True] * len(values)
        self.total: Number = total
        self.kept = True
        self.draws: list[int] | None = None

    def start_history(self) -> None:
        """Switch to tracking every draw (before a reroll, explosion or mi/ma)."""
        if self.draws is None:
            count = len(self.values)
            self.draws = list(self.values)
            self.draw_slot = list(range(count))
            self.slot_draw = list(range(count))
            self.forced = {}
            self.exploded = set()

    def recount(self) -> None:
        if self.kept:
            self.total = sum([v for v, k in zip(self.values, self.die_kept, strict=True) if k])
        else:
            self.total = 0

    def kept_count(self) -> int:
        return sum(self.die_kept)


class SetResult:
    __slots__ = ("items", "kept", "syntax", "total")

    def __init__(self, syntax: NumberSet, items: list[Result]) -> None:
        self.syntax = syntax
        self.items = items
        self.total: Number = sum([item.total for item in items])
        self.kept = True


class ParenResult:
    __slots__ = ("inner", "kept", "syntax", "total")

    def __init__(self, syntax: Paren, inner: Result) -> None:
        self.syntax = syntax
        self.inner = inner
        self.total: Number = inner.total
        self.kept = True


class UnaryResult:
    __slots__ = ("kept", "operand", "syntax", "total")

    def __init__(self, syntax: Unary, operand: Result, total: Number) -> None:
        self.syntax = syntax
        self.operand = operand
        self.total = total
        self.kept = True


class ChainResult:
    """``items[0]`` is the first operand, ``items[i]`` the operand of ``syntax.rest[i-1]``."""

    __slots__ = ("items", "kept", "syntax", "total")

    def __init__(self, syntax: Chain, items: list[Result], total: Number) -> None:
        self.syntax = syntax
        self.items = items
        self.total = total
        self.kept = True


Result = LiteralResult | DiceResult | SetResult | ParenResult | UnaryResult | ChainResult
