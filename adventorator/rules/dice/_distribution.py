"""The ``Distribution`` value and its terminal bar chart."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = ["Distribution", "render_distribution"]


class Distribution:
    """Exact odds of the final (truncated) total of an expression.

    ``pmf`` maps each possible total to its probability, in increasing order
    of total; the probabilities are Fractions that sum to exactly 1.
    """

    __slots__ = ("_pmf", "_tail", "_totals")

    def __init__(self, pmf: Mapping[int, Fraction]) -> None:
        from fractions import Fraction  # lazily: the roll path never needs it

        if not pmf:
            raise ValueError("a distribution needs at least one outcome")
        ordered = {total: Fraction(p) for total, p in sorted(pmf.items())}
        self._pmf: Mapping[int, Fraction] = MappingProxyType(ordered)
        self._totals = list(ordered)
        tail: list[Fraction] = []
        running = Fraction(0)
        for total in reversed(self._totals):
            running += ordered[total]
            tail.append(running)
        tail.reverse()
        tail.append(Fraction(0))
        self._tail = tail

    @property
    def pmf(self) -> Mapping[int, Fraction]:
        return self._pmf

    @property
    def min(self) -> int:
        return self._totals[0]

    @property
    def max(self) -> int:
        return self._totals[-1]

    @property
    def mean(self) -> float:
        return float(sum(total * p for total, p in self._pmf.items()))

    @property
    def stdev(self) -> float:
        mean = sum(total * p for total, p in self._pmf.items())
        variance = sum((total - mean) ** 2 * p for total, p in self._pmf.items())
        return math.sqrt(variance)

    def p_at_least(self, n: int) -> Fraction:
        """P(total >= n), exactly."""
        return self._tail[bisect_left(self._totals, n)]

    def p_at_most(self, n: int) -> Fraction:
        """P(total <= n), exactly."""
        return 1 - self.p_at_least(n + 1)

    def __repr__(self) -> str:
        return f"<Distribution {self.min}..{self.max} mean={self.mean:.3f}>"


_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(fraction: float, width: int) -> str:
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


def render_distribution(dist: Distribution, *, width: int = 40) -> str:
    """A terminal bar chart: one line per total with its bar, percent and P(>= total)."""
    if width < 1:
        raise ValueError("width must be at least 1")
    label = max(len("total"), *(len(str(total)) for total in dist.pmf))
    tallest = max(dist.pmf.values())
    lines = [f"{'total':>{label}}  {'':{width}}  {'%':>7}  {'P(>=N)':>7}"]
    for total, p in dist.pmf.items():
        bar = _bar(float(p / tallest), width)
        at_least = float(dist.p_at_least(total)) * 100
        lines.append(f"{total:>{label}}  {bar}  {float(p) * 100:6.2f}%  {at_least:6.2f}%")
    lines.append(f"mean {dist.mean:.2f}, stdev {dist.stdev:.2f}, range {dist.min}..{dist.max}")
    return "\n".join(lines)
