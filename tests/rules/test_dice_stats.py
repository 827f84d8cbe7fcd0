"""Exact odds: known values, refusals, and the bar chart."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings

from adventorator.rules.dice import (
    Advantage,
    DiceError,
    DiceStatsError,
    DiceValueError,
    Distribution,
    Limits,
    distribution,
    render_distribution,
    roll,
)

from .strategies import expressions


def test_single_die() -> None:
    dist = distribution("1d20")
    assert dist.pmf == {face: Fraction(1, 20) for face in range(1, 21)}
    assert (dist.min, dist.max, dist.mean) == (1, 20, 10.5)
    assert dist.stdev == pytest.approx(5.766, abs=1e-3)
    assert dist.p_at_least(15) == Fraction(6, 20)
    assert dist.p_at_least(0) == 1
    assert dist.p_at_least(21) == 0


@pytest.mark.parametrize(
    ("expression", "mean"),
    [
        ("2d20kh1", Fraction(553, 40)),
        ("2d20kl1", Fraction(287, 40)),
        ("4d6kh3", Fraction(15869, 1296)),
        ("4d6pl1", Fraction(15869, 1296)),
        ("(4d6)kh3", Fraction(15869, 1296)),
        ("8d6", Fraction(28)),
        ("1d20 + 5", Fraction(31, 2)),
        ("1d6ro1", Fraction(1, 6) * Fraction(7, 2) + Fraction(20, 6)),
        ("1d6mi3", Fraction(4)),
        ("1d6ma3", Fraction(15, 6)),
        ("(1, 2, 3, 4, 5)kh1kl1", Fraction(6)),
        ("(1, 2, 3, 4, 5)ph1pl1", Fraction(9)),
        ("1d20 >= 15", Fraction(3, 10)),
        ("-1d4", Fraction(-5, 2)),
        ("1d4ra4", Fraction(5, 2) + Fraction(1, 4) * Fraction(5, 2)),
        ("0d6", Fraction(0)),
        ("1d6 / 2", Fraction(0 + 1 + 1 + 2 + 2 + 3, 6)),
        ("1d6e7", Fraction(7, 2)),
        ("1d6rr7", Fraction(7, 2)),
    ],
)
def test_known_means(expression: str, mean: Fraction) -> None:
    dist = distribution(expression)
    exact = sum(total * p for total, p in dist.pmf.items())
    assert exact == mean
    assert sum(dist.pmf.values()) == 1


def test_advantage_odds() -> None:
    plain = distribution("1d20 + 5")
    adv = distribution("1d20 + 5", advantage=Advantage.ADVANTAGE)
    dis = distribution("1d20 + 5", advantage=Advantage.DISADVANTAGE)
    assert adv.p_at_least(25) == 1 - Fraction(19, 20) ** 2
    assert dis.p_at_least(25) == Fraction(1, 400)
    assert dis.mean < plain.mean < adv.mean


def test_keep_by_value_and_rank_together() -> None:
    # keep the highest die and every 1: check against brute force
    dist = distribution("3d4kh1k1")
    brute: dict[int, int] = {}
    for a in range(1, 5):
        for b in range(1, 5):
            for c in range(1, 5):
                dice = [a, b, c]
                top = dice.index(max(dice))
                total = sum(v for i, v in enumerate(dice) if i == top or v == 1)
                brute[total] = brute.get(total, 0) + 1
    assert dist.pmf == {t: Fraction(n, 64) for t, n in sorted(brute.items())}


def test_reroll_rank_by_enumeration() -> None:
    dist = distribution("2d4rol1")
    brute: dict[int, int] = {}
    for a in range(1, 5):
        for b in range(1, 5):
            for new in range(1, 5):
                total = max(a, b) + new
                brute[total] = brute.get(total, 0) + 1
    assert dist.pmf == {t: Fraction(n, 64) for t, n in sorted(brute.items())}


def test_sets_with_rank_keep() -> None:
    dist = distribution("(1d20 + 5, 1d20 + 3)kh1")
    assert (dist.min, dist.max) == (6, 25)
    assert dist.p_at_least(25) == Fraction(1, 20)


@pytest.mark.parametrize(
    "expression",
    ["1d6e6", "10d10e10", "1d20rr1", "2d6rrh1", "1d6eh1", "1000d6", "1d10000 * 1d10000"],
)
def test_refused(expression: str) -> None:
    with pytest.raises(DiceStatsError):
        distribution(expression)


def test_budget_is_a_limit() -> None:
    distribution("20d6")
    with pytest.raises(DiceStatsError):
        distribution("20d6", limits=Limits(max_stats_work=10))


def test_division_by_zero_possible() -> None:
    with pytest.raises(DiceValueError):
        distribution("1 / (1d2 - 1)")


def test_render_distribution() -> None:
    chart = render_distribution(distribution("2d6"), width=12)
    lines = chart.splitlines()
    assert lines[0].split() == ["total", "%", "P(>=N)"]
    assert len(lines) == 1 + 11 + 1
    seven = next(line for line in lines if line.lstrip().startswith("7 "))
    assert "█" * 12 in seven
    assert "16.67%" in seven
    assert "58.33%" in seven
    assert lines[-1] == "mean 7.00, stdev 2.42, range 2..12"


def test_distribution_value() -> None:
    dist = Distribution({3: Fraction(1, 2), 1: Fraction(1, 2)})
    assert list(dist.pmf) == [1, 3]
    assert dist.p_at_most(1) == Fraction(1, 2)
    with pytest.raises(TypeError):
        dist.pmf[2] = Fraction(0)  # type: ignore[index]


# -- distribution() against the roll engine itself, by exhaustive search --------------
class _NeedMore(Exception):
    def __init__(self, sides: int) -> None:
        self.sides = sides


class _PrefixRandom(random.Random):
    """Plays a fixed prefix of faces, then asks the search for one more die."""

    def __init__(self, faces: tuple[int, ...]) -> None:
        super().__init__(0)
        self.faces = list(faces)

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if not self.faces:
            raise _NeedMore(start)
        return self.faces.pop(0) - 1


def engine_distribution(expression: str, max_paths: int = 4000) -> dict[int, Fraction] | None:
    """Every possible roll of ``expression`` with its probability, or None if too many."""
    pmf: dict[int, Fraction] = {}
    stack: list[tuple[tuple[int, ...], Fraction]] = [((), Fraction(1))]
    paths = 0
    while stack:
        faces, weight = stack.pop()
        paths += 1
        if paths > max_paths:
            return None
        try:
            total = roll(expression, rng=_PrefixRandom(faces)).total
        except _NeedMore as more:
            for face in range(1, more.sides + 1):
                stack.append(((*faces, face), weight / more.sides))
            continue
        pmf[total] = pmf.get(total, Fraction(0)) + weight
    return pmf


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expression=expressions(max_leaves=3, max_count=3, sides_from=(1, 2, 3, 4, 6)))
def test_distribution_matches_every_possible_roll(expression: str) -> None:
    try:
        dist = distribution(expression)
    except (DiceStatsError, DiceValueError):
        assume(False)
        return
    try:
        exact = engine_distribution(expression)
    except DiceError:
        assume(False)
        return
    assume(exact is not None)
    assert dist.pmf == dict(sorted(exact.items())), expression  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "expression",
    [
        "4d4kh3", "3d4kh1kl1", "3d4kh2pl1", "3d3kh1k1", "2d4rol1", "3d3ro<2kh2", "2d4ra4kh1",
        "2d3mi2ro2", "2d4ro1ma3", "(2d4)kh1", "((1d4, 1d4)kh1, 2)kl1", "(1d4, 1d4, 3)p>2",
        "1d6rr7", "2d3e4", "(1d4 - 2)p<0", "1d4 // 1d2", "1d3 * 1d3 > 3",
    ],
)  # fmt: skip
def test_distribution_matches_engine_examples(expression: str) -> None:
    assert distribution(expression).pmf == dict(sorted(engine_distribution(expression).items()))  # type: ignore[union-attr]
