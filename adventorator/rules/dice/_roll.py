"""``roll()``: parse (cached), rewrite for advantage, run the compiled program."""

from __future__ import annotations

import random

from ._advantage import Advantage, with_advantage
from ._ast import Expression
from ._dice_ops import Context
from ._errors import DiceLimitError
from ._evaluate import compile_expression, truncate
from ._limits import DEFAULT_LIMITS, Limits
from ._parser import check_length, parse, parse_default
from ._result import RollResult

__all__ = ["roll"]


def roll(
    expression: str | Expression,
    *,
    rng: random.Random,
    advantage: Advantage = Advantage.NONE,
    limits: Limits = DEFAULT_LIMITS,
) -> RollResult:
    """Roll dice notation with the injected generator.

    Each die is ``rng.randrange(sides) + 1`` (``d%``: ``randrange(100) + 1``),
    one call per die in roll order. Raises ``DiceError`` subclasses only.
    """
    if type(expression) is str:
        if limits is DEFAULT_LIMITS:
            tree = parse_default(check_length(expression, limits))
        else:
            tree = parse(expression, limits=limits)
    elif isinstance(expression, Expression):
        tree = expression
    else:
        raise TypeError(f"roll() takes a str or an Expression, not {type(expression).__name__}")
    if advantage is not Advantage.NONE:
        tree = with_advantage(tree, advantage)
    program = tree._program
    if program is None:
        program = compile_expression(tree)
        object.__setattr__(tree, "_program", program)
    remaining = limits.max_rolls - tree.dice_count
    if remaining < 0:
        raise DiceLimitError(
            f"Too many dice: {tree.dice_count}, at most {limits.max_rolls} may be rolled at once",
            expression=tree.source,
            position=None,
        )
    result = program(Context(rng.randrange, remaining, tree.source))
    return RollResult(tree, result, truncate(result.total, tree.source))
