"""Rewrites of the syntax tree: advantage, disadvantage, doubled crit dice."""

from __future__ import annotations

import dataclasses
import enum

from ._ast import Chain, Dice, Expression, Node, NumberSet, Op, Paren, Selector, Unary, format_node
from ._limits import DEFAULT_LIMITS, Limits
from ._parser import parse

__all__ = ["Advantage", "applies_advantage", "double_dice", "with_advantage"]


class Advantage(enum.Enum):
    NONE = "none"
    ADVANTAGE = "advantage"
    DISADVANTAGE = "disadvantage"


def _leftmost_path(root: Node) -> list[Node]:
    """Nodes from the root down to the leftmost leaf, as d20 walks them."""
    path = [root]
    node = root
    while True:
        if isinstance(node, Chain):
            node = node.first
        elif isinstance(node, Unary):
            node = node.operand
        elif isinstance(node, Paren):
            node = node.inner
        elif isinstance(node, NumberSet) and node.items:
            node = node.items[0]
        else:
            return path
        path.append(node)


def _replace_left(parent: Node, child: Node) -> Node:
    if isinstance(parent, Chain):
        return dataclasses.replace(parent, first=child)
    if isinstance(parent, Unary):
        return dataclasses.replace(parent, operand=child)
    if isinstance(parent, Paren):
        return dataclasses.replace(parent, inner=child)
    assert isinstance(parent, NumberSet)
    return dataclasses.replace(parent, items=(child, *parent.items[1:]))


# Operators that choose among the dice: the advantage keep runs before them.
_CHOOSERS = frozenset({"k", "p"})


def _is_one_d20(node: Node) -> bool:
    return isinstance(node, Dice) and node.count == 1 and node.sides == 20 and not node.percent


def applies_advantage(expression: Expression) -> bool:
    """Whether ``with_advantage`` changes ``expression``: it starts with ``1d20``."""
    return _is_one_d20(_leftmost_path(expression.root)[-1])


def with_advantage(expression: Expression, advantage: Advantage) -> Expression:
    """Rewrite a leading ``1d20`` as ``2d20kh1`` (or ``2d20kl1``); anything else is unchanged.

    Like d20, only a leftmost ``1d20`` qualifies (``d20``, ``1d20ro1``,
    ``(1d20)``, ``-1d20`` do; ``2d20``, ``1d%`` and ``5 + 1d20`` do not);
    ``applies_advantage`` says which. Unlike d20, the new ``kh1`` runs after
    the term's own rerolls, explosions and ``mi``/``ma`` and before its own
    keeps and drops: ``1d20ro1`` becomes ``2d20ro1kh1``, as checks roll
    Halfling Lucky (each die rerolled before the better one is chosen).
    """
    if advantage is Advantage.NONE:
        return expression
    cached = expression._variants.get(advantage)
    if cached is not None:
        return cached
    path = _leftmost_path(expression.root)
    leaf = path[-1]
    if not _is_one_d20(leaf):
        expression._variants[advantage] = expression
        return expression
    assert isinstance(leaf, Dice)
    kind = "h" if advantage is Advantage.ADVANTAGE else "l"
    keep = Op("k", (Selector(kind, 1),), leaf.pos)
    cut = next((i for i, op in enumerate(leaf.ops) if op.name in _CHOOSERS), len(leaf.ops))
    new: Node = dataclasses.replace(leaf, count=2, ops=(*leaf.ops[:cut], keep, *leaf.ops[cut:]))
    for parent in reversed(path[:-1]):
        new = _replace_left(parent, new)
    result = Expression(new, expression.source, format_node(new), expression.dice_count + 1)
    expression._variants[advantage] = result
    return result


def _all_dice(root: Node) -> list[Dice]:
    found: list[Dice] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Dice):
            found.append(node)
        elif isinstance(node, Chain):
            stack.append(node.first)
            stack.extend(operand for _, operand, _ in node.rest)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Paren):
            stack.append(node.inner)
        elif isinstance(node, NumberSet):
            stack.extend(node.items)
    return found


def double_dice(expression: str, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """Crit damage: every dice term ``NdS`` becomes ``(2N)dS``; the rest of the text is kept.

    ``"2d6+3"`` gives ``"4d6+3"``, ``"d8 [slashing]"`` gives ``"2d8 [slashing]"``.
    Raises ``DiceError`` if the input is invalid or the doubled dice go over
    ``limits`` (``600d6`` gives 1,200 dice).
    """
    parsed = parse(expression, limits=limits)
    pieces: list[str] = []
    cursor = 0
    for dice in sorted(_all_dice(parsed.root), key=lambda d: d.pos):
        pieces.append(expression[cursor : dice.pos])
        pieces.append(str(2 * dice.count))
        cursor = dice.count_end
    pieces.append(expression[cursor:])
    doubled = "".join(pieces)
    parse(doubled, limits=limits)
    return doubled
