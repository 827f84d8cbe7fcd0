"""Exact distributions as integer counts over a common denominator, and a work budget."""

from __future__ import annotations

from collections.abc import Callable

from ._ast import Number
from ._errors import DiceStatsError, DiceValueError, shorten
from ._limits import Limits

__all__ = ["Budget", "Dist", "combine", "point", "power_sum", "transform"]


class Budget:
    """Work left for one ``distribution()`` call, counted, never timed.

    A unit is one outcome pair combined (the convolution's inner step) or one
    outcome handled; heavier steps cost more (a pool state enumerated costs 5).
    On the machine the costs were calibrated on a unit took 0.05 to 0.3
    microseconds, so the default 1,500,000 units stop a call within about half
    a second. ``spent`` is the deterministic counter tests assert on.

    ``bounded`` holds every distribution to ``max_stats_outcomes`` distinct
    values within ``±max_stats_total``: the counter bounds time, this bounds
    memory and keeps every value a finite float.
    """

    __slots__ = ("draws_left", "left", "max_outcomes", "max_value", "source", "total")

    def __init__(self, limits: Limits, source: str) -> None:
        self.total = limits.max_stats_work
        self.left = limits.max_stats_work
        self.draws_left = limits.max_rolls
        self.max_outcomes = limits.max_stats_outcomes
        self.max_value = limits.max_stats_total
        self.source = source

    @property
    def spent(self) -> int:
        """Work units used so far."""
        return self.total - self.left

    def spend(self, units: int, what: str) -> None:
        self.left -= units
        if self.left < 0:
            raise DiceStatsError(
                f"Exact odds of {what} are too large to compute "
                f"(more than {self.total:,} work units)",
                expression=self.source,
            )

    def too_many_outcomes(self, what: str) -> DiceStatsError:
        return DiceStatsError(
            f"Exact odds of {what} are too large to compute "
            f"(more than {self.max_outcomes:,} possible values)",
            expression=self.source,
        )

    def bounded(self, dist: Dist, what: str) -> Dist:
        """``dist``, once its size and its values are checked."""
        if len(dist.counts) > self.max_outcomes:
            raise self.too_many_outcomes(what)
        self.spend(len(dist.counts), what)
        low, high = min(dist.counts), max(dist.counts)
        limit = self.max_value
        # `not (a <= b)` also catches NaN.
        for value in (low, high):
            if not -limit <= value <= limit:
                raise DiceStatsError(
                    f"Exact odds are not available: {what} can reach {shorten(value)}, "
                    f"beyond ±{limit:,}",
                    expression=self.source,
                )
        return dist

    def draws(self, count: int) -> None:
        """Reserve the most dice a term can draw; over the roll limit, some rolls would fail."""
        self.draws_left -= count
        if self.draws_left < 0:
            raise DiceStatsError(
                "Exact odds are not available: some rolls of this expression would go "
                "over the dice limit",
                expression=self.source,
            )

    def fail(self, message: str, position: int | None = None) -> DiceStatsError:
        return DiceStatsError(message, expression=self.source, position=position)


class Dist:
    """``counts[v] / denom`` is the probability of value ``v``."""

    __slots__ = ("counts", "denom")

    def __init__(self, counts: dict[Number, int], denom: int) -> None:
        self.counts = counts
        self.denom = denom


def point(value: Number) -> Dist:
    return Dist({value: 1}, 1)


def transform(dist: Dist, fn: Callable[[Number], Number], budget: Budget, what: str) -> Dist:
    """Distribution of ``fn(a)``: never more values than ``dist``, but they may grow."""
    budget.spend(len(dist.counts), what)
    counts: dict[Number, int] = {}
    for value, count in dist.counts.items():
        key = fn(value)
        counts[key] = counts.get(key, 0) + count
    return budget.bounded(Dist(counts, dist.denom), what)


def combine(
    left: Dist,
    right: Dist,
    fn: Callable[[Number, Number], Number],
    budget: Budget,
    what: str,
    position: int | None = None,
) -> Dist:
    """Distribution of ``fn(a, b)`` for independent a and b."""
    budget.spend(2 * len(left.counts) * len(right.counts), what)
    counts: dict[Number, int] = {}
    most = budget.max_outcomes
    try:
        for a, ca in left.counts.items():
            for b, cb in right.counts.items():
                key = fn(a, b)
                counts[key] = counts.get(key, 0) + ca * cb
            # Row by row, so a product of dice never builds a huge dict first.
            if len(counts) > most:
                raise budget.too_many_outcomes(what)
    except ZeroDivisionError:
        raise DiceValueError(
            "Division by zero is possible in this expression",
            expression=budget.source,
            position=position,
        ) from None
    except (OverflowError, ValueError):
        raise DiceValueError(
            "A number in this expression is too large", expression=budget.source, position=position
        ) from None
    return budget.bounded(Dist(counts, left.denom * right.denom), what)


def power_sum(dist: Dist, times: int, budget: Budget, what: str) -> Dist:
    """The sum of ``times`` independent copies of an integer-valued ``dist``.

    Packs the counts into one big integer per polynomial (Kronecker
    substitution) so that CPython's big-int multiplication does the
    convolution.
    """
    if times == 0:
        return point(0)
    if times == 1:
        return budget.bounded(dist, what)
    values = dist.counts
    if any(type(v) is not int for v in values):
        result = dist
        for _ in range(times - 1):
            result = combine(result, dist, lambda a, b: a + b, budget, what)
        return result
    low = int(min(values))
    span = int(max(values)) - low
    width = span * times + 1
    if len(values) == span + 1 and width > budget.max_outcomes:
        raise budget.too_many_outcomes(what)  # contiguous values: every slot is an outcome
    # No count can exceed (sum of counts) ** times.
    slot_bits = times * sum(values.values()).bit_length() + 1
    slot_bytes = (slot_bits + 7) // 8
    bits = width * slot_bytes * 8
    # Calibrated like the other costs: a unit is about half a microsecond.
    budget.spend(int(bits**1.5 / 12_000) + width, what)
    base = 0
    for value, count in values.items():
        base |= count << (8 * slot_bytes * (int(value) - low))
    packed = (base**times).to_bytes(width * slot_bytes, "little")
    counts: dict[Number, int] = {}
    most = budget.max_outcomes
    for index in range(width):
        count = int.from_bytes(packed[index * slot_bytes : (index + 1) * slot_bytes], "little")
        if count:
            counts[low * times + index] = count
            if len(counts) > most:
                raise budget.too_many_outcomes(what)
    return budget.bounded(Dist(counts, dist.denom**times), what)
