"""Dice notation engine: d20-compatible notation, injected randomness, exact odds.

    import random
    from adventorator.rules import dice

    result = dice.roll("2d20kh1 + 5", rng=random.Random(7))
    dice.render_markdown(result)        # '2d20kh1 (19, ~~3~~) + 5 = `24`', say
    dice.distribution("4d6kh3").mean    # 12.2445...

Notation follows d20 1.1.2 (see the shared compatibility spec, ``dice-notation.md``)
with three deliberate differences: ``d%`` is 1-100, ``D`` works as ``d``, and
whitespace may separate any two tokens (``4d6 kh3``). Annotations may not
contain control, bidi or other format characters (terminal and Discord safety).

Randomness: every die is ``rng.randrange(sides) + 1`` on the ``random.Random``
passed as ``rng`` - one call per die, in roll order. Stages: ``_parser``
(iterative) -> ``_ast`` (frozen) -> ``_evaluate`` (compiled closures, cached
per expression) -> ``_tree`` (evaluated) -> ``_render`` / ``_result``;
``_stats`` computes exact odds. Errors are drawn in ``_errors``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._advantage import Advantage, applies_advantage, double_dice, with_advantage
from ._ast import Expression
from ._distribution import Bucket, Distribution, buckets, render_distribution
from ._errors import DiceError, DiceLimitError, DiceStatsError, DiceSyntaxError, DiceValueError
from ._limits import DEFAULT_LIMITS, Limits
from ._parser import parse
from ._render import (
    Room,
    natural_flag,
    render_markdown,
    render_rich,
    render_signed_terms,
    render_terms,
    render_text,
)
from ._result import CritType, DieRecord, RollResult, result_to_json
from ._roll import roll

__all__ = [
    "DEFAULT_LIMITS",
    "Advantage",
    "Bucket",
    "CritType",
    "DiceError",
    "DiceLimitError",
    "DiceStatsError",
    "DiceSyntaxError",
    "DiceValueError",
    "DieRecord",
    "Distribution",
    "Expression",
    "Limits",
    "RollResult",
    "Room",
    "applies_advantage",
    "buckets",
    "distribution",
    "double_dice",
    "natural_flag",
    "parse",
    "render_distribution",
    "render_markdown",
    "render_rich",
    "render_signed_terms",
    "render_terms",
    "render_text",
    "result_to_json",
    "roll",
    "sum_distribution",
    "with_advantage",
]


def distribution(
    expression: str | Expression,
    *,
    advantage: Advantage = Advantage.NONE,
    limits: Limits = DEFAULT_LIMITS,
) -> Distribution:
    """Exact odds of the total of ``expression`` (see ``Distribution``).

    Raises ``DiceStatsError`` when exact odds are not available (explosions,
    ``rr`` that can reroll without end, too large for ``limits.max_stats_work``,
    ``max_stats_outcomes`` or ``max_stats_total``).
    """
    from ._stats import distribution as compute  # keeps fractions and icepool off the roll path

    return compute(expression, advantage=advantage, limits=limits)


def sum_distribution(
    expressions: Sequence[str | Expression],
    *,
    offset: int = 0,
    advantage: Advantage = Advantage.NONE,
    limits: Limits = DEFAULT_LIMITS,
) -> Distribution:
    """Exact odds of ``offset`` plus the totals of independent rolls of ``expressions``.

    One work budget covers every part and their sum; ``advantage`` applies to
    the first expression. Raises as ``distribution`` does.
    """
    from ._stats import sum_distribution as compute

    return compute(expressions, offset=offset, advantage=advantage, limits=limits)
