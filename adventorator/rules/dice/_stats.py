"""``distribution()``: exact odds of an expression's total, within a work budget.

Independent parts combine by exact convolution (integer counts over a common
denominator, Fractions only at the end). Dice terms go through
``_stats_pool``; sets with keep/drop by rank enumerate their members' joint
outcomes. Anything too large for ``Limits.max_stats_work`` raises
``DiceStatsError`` instead of running long.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from ._advantage import Advantage, with_advantage
from ._ast import Chain, Dice, Expression, Literal, Node, Number, NumberSet, Op, Paren, format_node
from ._distribution import Distribution
from ._evaluate import BINARY, truncate
from ._limits import DEFAULT_LIMITS, Limits
from ._parser import parse
from ._select import Selection, select
from ._stats_base import Budget, Dist, combine, point, transform
from ._stats_pool import dice_dist

__all__ = ["distribution"]


def distribution(
    expression: str | Expression,
    *,
    advantage: Advantage = Advantage.NONE,
    limits: Limits = DEFAULT_LIMITS,
) -> Distribution:
    """Exact odds of the final total of ``expression``.

    Raises ``DiceStatsError`` for explosions, ``rr`` that can reroll without
    end, expressions whose rolls could go over the dice limit, and anything
    over ``limits.max_stats_work``; ``DiceValueError`` if a division by zero
    is possible.
    """
    tree = parse(expression, limits=limits) if isinstance(expression, str) else expression
    tree = with_advantage(tree, advantage)
    budget = Budget(limits.max_stats_work, limits.max_rolls, tree.source)
    dist = _node(tree.root, budget)
    counts: dict[int, int] = {}
    for value, count in dist.counts.items():
        total = truncate(value, tree.source)
        counts[total] = counts.get(total, 0) + count
    from fractions import Fraction

    divisor = math.gcd(dist.denom, *counts.values())
    denom = dist.denom // divisor
    return Distribution({total: Fraction(c // divisor, denom) for total, c in counts.items() if c})


def _node(node: Node, budget: Budget) -> Dist:
    if isinstance(node, Literal):
        return point(node.value)
    if isinstance(node, Dice):
        return dice_dist(node, node.ops, budget)
    if isinstance(node, NumberSet):
        return _set(node.items, node.ops, budget)
    if isinstance(node, Paren):
        return _view(node, budget) if node.ops else _node(node.inner, budget)
    if isinstance(node, Chain):
        return _chain(node, budget)
    operand = _node(node.operand, budget)
    if node.op == "-":
        return transform(operand, lambda v: -v)
    return operand


def _chain(node: Chain, budget: Budget) -> Dist:
    result = _node(node.first, budget)
    what = f"'{format_node(node)}'"
    for op, operand, pos in node.rest:
        result = combine(result, _node(operand, budget), BINARY[op], budget, what, pos)
    return result


def _view(node: Paren, budget: Budget) -> Dist:
    """k/p on ``(x)`` act on the set inside, through nested parentheses."""
    ops = node.ops
    inner = node.inner
    while isinstance(inner, Paren):
        ops = inner.ops + ops
        inner = inner.inner
    if isinstance(inner, Dice):
        return dice_dist(inner, inner.ops + ops, budget)
    if isinstance(inner, NumberSet):
        return _set(inner.items, inner.ops + ops, budget)
    return _set((inner,), ops, budget)


def _add(a: Number, b: Number) -> Number:
    return a + b


def _set(items: tuple[Node, ...], ops: tuple[Op, ...], budget: Budget) -> Dist:
    members = [_node(item, budget) for item in items]
    what = "a set"
    selections = [(op.name == "k", Selection(op.selectors)) for op in ops]
    if all(not selection.by_rank for _, selection in selections):
        members = [transform(member, _survivor(selections)) for member in members]
        result = point(0)
        for member in members:
            result = combine(result, member, _add, budget, what)
        return result
    size = math.prod(len(member.counts) for member in members)
    budget.spend(size * (5 + len(members) + len(ops)), what)
    counts: dict[Number, int] = {}
    everyone = list(range(len(members)))
    for combo in itertools.product(*(member.counts.items() for member in members)):
        values = [value for value, _ in combo]
        alive = everyone
        for keep, selection in selections:
            chosen = select(values, alive, selection)
            alive = [i for i in alive if (i in chosen) == keep]
        kept = set(alive)
        total: Number = sum([v if i in kept else 0 for i, v in enumerate(values)])
        counts[total] = counts.get(total, 0) + math.prod(count for _, count in combo)
    return Dist(counts, math.prod(member.denom for member in members))


def _survivor(selections: list[tuple[bool, Selection]]) -> Callable[[Number], Number]:
    """For selectors by value only: what a member contributes once every op has run."""

    def contribution(value: Number) -> Number:
        for keep, selection in selections:
            if selection.matches(value) != keep:
                return 0
        return value

    return contribution
