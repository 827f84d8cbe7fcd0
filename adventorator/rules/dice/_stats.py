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
from collections.abc import Callable, Sequence

from ._advantage import Advantage, with_advantage
from ._ast import (
    Chain,
    Dice,
    Expression,
    Literal,
    Node,
    Number,
    NumberSet,
    Op,
    Paren,
    format_node,
)
from ._distribution import Distribution
from ._errors import shorten
from ._evaluate import BINARY, truncate
from ._limits import DEFAULT_LIMITS, Limits
from ._parser import parse
from ._select import Selection, select
from ._stats_base import Budget, Dist, combine, point, transform
from ._stats_pool import dice_dist

__all__ = ["distribution", "sum_distribution"]


def distribution(
    expression: str | Expression,
    *,
    advantage: Advantage = Advantage.NONE,
    limits: Limits = DEFAULT_LIMITS,
) -> Distribution:
    """Exact odds of the final total of ``expression``.

    Raises ``DiceStatsError`` for explosions, ``rr`` that can reroll without
    end, expressions whose rolls could go over the dice limit, and anything
    over ``limits.max_stats_work``, ``max_stats_outcomes`` or
    ``max_stats_total``; ``DiceValueError`` if a division by zero is possible.
    """
    return sum_distribution((expression,), advantage=advantage, limits=limits)


def sum_distribution(
    expressions: Sequence[str | Expression],
    *,
    offset: int = 0,
    advantage: Advantage = Advantage.NONE,
    limits: Limits = DEFAULT_LIMITS,
) -> Distribution:
    """Exact odds of ``offset`` plus the totals of independent rolls of ``expressions``.

    Each total is truncated on its own, as when each is rolled on its own.
    Everything, the final distribution included, is paid from one budget of
    ``limits.max_stats_work``; ``advantage`` applies to the first expression.
    """
    if not expressions:
        raise ValueError("sum_distribution needs at least one expression")
    trees = [parse(e, limits=limits) if isinstance(e, str) else e for e in expressions]
    trees[0] = with_advantage(trees[0], advantage)
    budget = Budget(limits, trees[0].source)
    result: Dist | None = None
    for tree in trees:
        budget.source, budget.draws_left = tree.source, limits.max_rolls
        part = _totals(tree, budget)
        result = part if result is None else combine(result, part, _add, budget, "the sum")
    assert result is not None
    if offset:
        result = transform(result, lambda v: v + offset, budget, "the sum")
    return _finish(result, budget)


def _totals(tree: Expression, budget: Budget) -> Dist:
    """The distribution of the truncated total of ``tree``."""
    dist = _node(tree.root, budget)
    counts: dict[Number, int] = {}
    for value, count in dist.counts.items():
        total = truncate(value, tree.source)
        counts[total] = counts.get(total, 0) + count
    return Dist(counts, dist.denom)


# What one final outcome costs: its tail sum, its chart and JSON rows, its moments.
_FINAL_COST = 4


def _finish(dist: Dist, budget: Budget) -> Distribution:
    budget.spend(_FINAL_COST * len(dist.counts), "the result")
    counts = {int(total): count for total, count in dist.counts.items() if count}
    divisor = math.gcd(dist.denom, *counts.values())
    reduced = {total: count // divisor for total, count in counts.items()}
    return Distribution.from_counts(reduced, dist.denom // divisor, work=budget.spent)


def _node(node: Node, budget: Budget) -> Dist:
    if isinstance(node, Literal):
        return budget.bounded(point(node.value), "a number")
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
        return transform(operand, lambda v: -v, budget, f"'{shorten(format_node(node), 40)}'")
    return operand


def _chain(node: Chain, budget: Budget) -> Dist:
    result = _node(node.first, budget)
    what = f"'{shorten(format_node(node), 40)}'"
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
        members = [transform(member, _survivor(selections), budget, what) for member in members]
        result = point(0)
        for member in members:
            result = combine(result, member, _add, budget, what)
        return result
    size = math.prod(len(member.counts) for member in members)
    budget.spend(size * (5 + len(members) + len(ops)), what)
    counts: dict[Number, int] = {}
    most = budget.max_outcomes
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
        if len(counts) > most:
            raise budget.too_many_outcomes(what)
    return budget.bounded(Dist(counts, math.prod(member.denom for member in members)), what)


def _survivor(selections: list[tuple[bool, Selection]]) -> Callable[[Number], Number]:
    """For selectors by value only: what a member contributes once every op has run."""

    def contribution(value: Number) -> Number:
        for keep, selection in selections:
            if selection.matches(value) != keep:
                return 0
        return value

    return contribution
