"""The ``Distribution`` value, its grouping into ranges, and its terminal bar chart."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from adventorator.limits import REPLY_CHART_ROWS

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = ["Bucket", "Distribution", "buckets", "render_distribution"]


class Distribution:
    """Exact odds of the final (truncated) total of an expression.

    ``pmf`` maps each possible total to its probability, in increasing order
    of total; the probabilities are Fractions that sum to exactly 1. Inside,
    it is integer counts over one denominator, so the tail sums, the mean and
    the deviation cost integer arithmetic only. ``work`` is the number of work
    units ``distribution()`` spent on it (0 when built by hand).
    """

    __slots__ = ("_counts", "_denom", "_moments", "_pmf", "_tail", "_totals", "work")

    def __init__(self, pmf: Mapping[int, Fraction]) -> None:
        from fractions import Fraction  # lazily: the roll path never needs it

        if not pmf:
            raise ValueError("a distribution needs at least one outcome")
        exact = {total: Fraction(p) for total, p in pmf.items()}
        denom = math.lcm(*(p.denominator for p in exact.values()))
        self._setup({t: p.numerator * (denom // p.denominator) for t, p in exact.items()}, denom)
        self.work = 0

    @classmethod
    def from_counts(cls, counts: Mapping[int, int], denom: int, *, work: int = 0) -> Distribution:
        """The distribution with P(total) = ``counts[total] / denom``."""
        if not counts:
            raise ValueError("a distribution needs at least one outcome")
        self = cls.__new__(cls)
        self._setup(counts, denom)
        self.work = work
        return self

    def _setup(self, counts: Mapping[int, int], denom: int) -> None:
        self._totals = sorted(counts)
        self._counts = [counts[total] for total in self._totals]
        self._denom = denom
        tail = [0] * (len(self._counts) + 1)
        for index in range(len(self._counts) - 1, -1, -1):
            tail[index] = tail[index + 1] + self._counts[index]
        self._tail = tail
        self._pmf: Mapping[int, Fraction] | None = None
        self._moments: tuple[int, int] | None = None

    @property
    def pmf(self) -> Mapping[int, Fraction]:
        if self._pmf is None:
            from fractions import Fraction

            denom = self._denom
            ordered = {
                t: Fraction(c, denom) for t, c in zip(self._totals, self._counts, strict=True)
            }
            self._pmf = MappingProxyType(ordered)
        return self._pmf

    @property
    def outcomes(self) -> int:
        """How many distinct totals are possible."""
        return len(self._totals)

    @property
    def min(self) -> int:
        return self._totals[0]

    @property
    def max(self) -> int:
        return self._totals[-1]

    def _sums(self) -> tuple[int, int]:
        """(sum of total x count, sum of total^2 x count): exact integers."""
        if self._moments is None:
            pairs = list(zip(self._totals, self._counts, strict=True))
            self._moments = (sum(t * c for t, c in pairs), sum(t * t * c for t, c in pairs))
        return self._moments

    @property
    def mean(self) -> float:
        # int / int is correctly rounded however large the denominator.
        return self._sums()[0] / self._denom

    @property
    def stdev(self) -> float:
        first, second = self._sums()
        weight = self._tail[0]
        variance = (second * weight - first * first) / (weight * weight)
        return math.sqrt(max(variance, 0.0))

    def p_at_least(self, n: int) -> Fraction:
        """P(total >= n), exactly."""
        from fractions import Fraction

        return Fraction(self._tail[bisect_left(self._totals, n)], self._denom)

    def p_at_most(self, n: int) -> Fraction:
        """P(total <= n), exactly."""
        return 1 - self.p_at_least(n + 1)

    def _tail_float(self, n: int) -> float:
        return self._tail[bisect_left(self._totals, n)] / self._denom

    def __repr__(self) -> str:
        return f"<Distribution {self.min}..{self.max} mean={self.mean:.3f}>"


@dataclass(frozen=True, slots=True)
class Bucket:
    """Totals ``low..high`` together: their probability and P(total >= low)."""

    low: int
    high: int
    p: float
    at_least: float

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}..{self.high}"


def buckets(dist: Distribution, rows: int) -> list[Bucket]:
    """At most ``rows`` rows: one per total, or equal ranges of totals when there are more.

    Costs one step per outcome plus one per row, whatever the range of totals.
    """
    if rows < 1:
        raise ValueError("rows must be at least 1")
    totals, counts, denom = dist._totals, dist._counts, dist._denom
    if len(totals) <= rows:
        return [
            Bucket(t, t, c / denom, dist._tail[i] / denom)
            for i, (t, c) in enumerate(zip(totals, counts, strict=True))
        ]
    width = -(-(dist.max - dist.min + 1) // rows)
    sums = [0] * rows
    for total, count in zip(totals, counts, strict=True):
        sums[(total - dist.min) // width] += count
    used = (dist.max - dist.min) // width + 1
    result = []
    for index in range(used):
        low = dist.min + index * width
        high = min(low + width - 1, dist.max)
        result.append(Bucket(low, high, sums[index] / denom, dist._tail_float(low)))
    return result


_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(fraction: float, width: int) -> str:
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


def render_distribution(
    dist: Distribution, *, width: int = 40, rows: int = REPLY_CHART_ROWS
) -> str:
    """A terminal bar chart: one line per total (or range of totals) with P and P(>= total).

    At most ``rows`` lines of bars: with more totals than that, equal ranges of
    totals share a line, and the last line says so.
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    shown = buckets(dist, rows)
    label = max(len("total"), *(len(bucket.label) for bucket in shown))
    tallest = max(bucket.p for bucket in shown) or 1.0
    lines = [f"{'total':>{label}}  {'':{width}}  {'%':>7}  {'P(>=N)':>7}"]
    for bucket in shown:
        bar = _bar(bucket.p / tallest, width)
        lines.append(
            f"{bucket.label:>{label}}  {bar}  {bucket.p * 100:6.2f}%  {bucket.at_least * 100:6.2f}%"
        )
    summary = f"mean {dist.mean:.2f}, stdev {dist.stdev:.2f}, range {dist.min}..{dist.max}"
    if len(shown) < dist.outcomes:
        summary += f" ({dist.outcomes:,} totals, grouped in ranges)"
    lines.append(summary)
    return "\n".join(lines)
