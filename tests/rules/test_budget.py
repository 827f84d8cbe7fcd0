"""Exact odds stay inside the work budget: time (counted), outcomes, magnitude, output.

No clocks here: the budget counts work units deterministically, and each
distribution reports what it spent (``Distribution.work``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adventorator.limits import REPLY_CHART_ROWS
from adventorator.rules.dice import (
    DEFAULT_LIMITS,
    DiceError,
    DiceStatsError,
    Distribution,
    Limits,
    buckets,
    distribution,
    render_distribution,
    sum_distribution,
)

from .strategies import expressions

_BIG = "1" + "0" * 18  # 10^18, past max_stats_total
_NEAR_FLOAT_MAX = "9" * 308  # about 1e308

# Each would once run for seconds, build a huge dict, or crash on a float overflow.
ATTACKS = [
    "1d10000 * 1d74",  # 298,825 products: too many outcomes
    "1d10000 * 1d2 * 1d2 * 1d2",
    "-1d10000 * 1d70",  # negative ranges
    "1d10000 / 1d70",  # division
    "1d10000 // 1d3 * 1d70",
    "(1d10000 * 1d10, 1d5)kh1",  # nested sets
    "((1d10000 * 1d10))",
    "5d10000",  # large dice counts
    "1000d6",
    "100d100",
    "30d100kh5",  # keep/drop on big pools
    "40d20kh20",
    "(1d20, 1d20, 1d20, 1d20)kh2",
    "1d10000 + 1d10000",
    f"1d6 * {_BIG}",  # huge constants
    f"1d6 - {_BIG}",
    f"-1d2 * {_BIG}",
    f"1d2 * {_NEAR_FLOAT_MAX}",  # 1e308-sized totals
    f"1d2 * {_NEAR_FLOAT_MAX} / {_NEAR_FLOAT_MAX}",
    "1d6 / 0.0000000000000000000000000000001",
    "1d6 * 99999999999.5 * 99999999999.5",
]


@pytest.mark.parametrize("expression", ATTACKS)
def test_attacks_are_refused_with_one_line(expression: str) -> None:
    with pytest.raises(DiceStatsError) as raised:
        distribution(expression)
    message = str(raised.value)
    assert "\n" not in message
    assert len(message) < 200
    assert message.startswith("Exact odds")


def test_the_refusal_says_why() -> None:
    with pytest.raises(DiceStatsError, match=r"more than 20,000 possible values"):
        distribution("1d10000 * 1d50")
    with pytest.raises(DiceStatsError, match=r"more than 1,500,000 work units"):
        distribution("1d10000 + 1d10000")
    with pytest.raises(DiceStatsError, match=r"beyond ±1,000,000,000,000,000"):
        distribution(f"1d2 * {_NEAR_FLOAT_MAX}")


@pytest.mark.parametrize(
    "expression",
    ["1d20", "4d6kh3", "8d6", "2d20kh1 + 5", "1d10000", "2d10000", "1d10000 * 1d2", "200d20"],
)
def test_allowed_distributions_report_their_work_within_budget(expression: str) -> None:
    dist = distribution(expression)
    assert 0 < dist.work <= DEFAULT_LIMITS.max_stats_work
    assert dist.outcomes <= DEFAULT_LIMITS.max_stats_outcomes


def test_work_is_counted_deterministically_and_exactly() -> None:
    """The result itself is paid for: a budget one unit short refuses it."""
    spent = distribution("1d10000 * 1d2").work
    assert distribution("1d10000 * 1d2").work == spent
    assert distribution("1d10000 * 1d2", limits=Limits(max_stats_work=spent)).work == spent
    with pytest.raises(DiceStatsError):
        distribution("1d10000 * 1d2", limits=Limits(max_stats_work=spent - 1))


def test_the_final_distribution_costs_work_per_outcome() -> None:
    """1d10000 is cheap to build but has 10,000 outcomes: those are paid for too."""
    assert distribution("1d10000").work >= 10_000 * 4


def test_outcome_and_magnitude_limits_are_limits() -> None:
    assert distribution("1d100").outcomes == 100
    with pytest.raises(DiceStatsError, match="more than 99 possible values"):
        distribution("1d100", limits=Limits(max_stats_outcomes=99))
    with pytest.raises(DiceStatsError, match="beyond ±99"):
        distribution("1d100", limits=Limits(max_stats_total=99))
    with pytest.raises(DiceStatsError, match="beyond ±99"):
        distribution("-1d100", limits=Limits(max_stats_total=99))


def test_products_stop_before_building_every_value() -> None:
    """Outcomes are checked row by row: the refusal comes early, not after 300,000 keys."""
    limits = Limits(max_stats_outcomes=500)
    with pytest.raises(DiceStatsError, match="more than 500 possible values"):
        distribution("1d10000 * 1d74", limits=limits)


def test_reroll_once_by_value_costs_values_plus_faces() -> None:
    """``1d10000ro<10000`` once looped 10,000 x 10,000 times."""
    dist = distribution("1d10000ro<10000")
    assert dist.work < 200_000
    assert dist.p_at_least(10_000) == Fraction(1, 10_000) + Fraction(9_999, 10_000**2)


def test_extremes_within_the_bound_stay_finite() -> None:
    top = DEFAULT_LIMITS.max_stats_total
    dist = distribution(f"1d2 * {top // 2}")
    assert (dist.min, dist.max) == (top // 2, top)
    assert math.isfinite(dist.mean)
    assert math.isfinite(dist.stdev)
    negative = distribution(f"-1d2 * {top // 2}")
    assert negative.mean == -dist.mean
    assert negative.stdev == dist.stdev


def test_stdev_is_exact_for_huge_denominators() -> None:
    dist = distribution("150d20")  # denominator 20^150
    assert dist.mean == pytest.approx(150 * 10.5)
    assert dist.stdev == pytest.approx(math.sqrt(150 * (20**2 - 1) / 12))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    expression=expressions(max_leaves=5, max_count=8),
    work=st.integers(50, 20_000),
    outcomes=st.integers(1, 60),
    total=st.integers(1, 200),
)
def test_every_result_is_inside_every_limit(
    expression: str, work: int, outcomes: int, total: int
) -> None:
    limits = Limits(max_stats_work=work, max_stats_outcomes=outcomes, max_stats_total=total)
    try:
        dist = distribution(expression, limits=limits)
    except DiceError as error:
        message = str(error)
    else:
        message = ""
    if message:
        assert "\n" not in message
        return
    assert dist.work <= work
    assert dist.outcomes <= outcomes
    assert -total <= dist.min <= dist.max <= total
    assert math.isfinite(dist.mean)
    assert math.isfinite(dist.stdev)
    assert len(render_distribution(dist, rows=5).splitlines()) <= 5 + 2


# -- the chart and the buckets ------------------------------------------------------
def test_chart_rows_are_bounded_by_grouping_totals() -> None:
    dist = distribution("1d10000 * 1d2")
    assert dist.outcomes == 15_000
    lines = render_distribution(dist).splitlines()
    assert len(lines) <= REPLY_CHART_ROWS + 2
    assert lines[1].split()[0] == "1..334"
    assert lines[-1].endswith("(15,000 totals, grouped in ranges)")


def test_buckets_keep_the_probability_and_the_tail() -> None:
    dist = distribution("3d6")
    rows = buckets(dist, 4)
    assert [row.label for row in rows] == ["3..6", "7..10", "11..14", "15..18"]
    assert sum(row.p for row in rows) == pytest.approx(1)
    assert rows[0].at_least == 1
    assert rows[2].at_least == pytest.approx(float(dist.p_at_least(11)))
    assert [row.label for row in buckets(dist, 16)] == [str(t) for t in range(3, 19)]


def test_buckets_of_sparse_totals() -> None:
    dist = distribution("1d3 * 1000")
    assert [row.label for row in buckets(dist, 2)] == ["1000..2000", "2001..3000"]
    assert [row.p for row in buckets(dist, 2)] == pytest.approx([2 / 3, 1 / 3])


def test_distribution_by_hand_keeps_its_api() -> None:
    dist = Distribution({2: Fraction(1, 4), 1: Fraction(1, 4), 7: Fraction(1, 2)})
    assert list(dist.pmf) == [1, 2, 7]
    assert dist.p_at_least(2) == Fraction(3, 4)
    assert dist.mean == pytest.approx(4.25)
    assert dist.work == 0


# -- sums of several rolls, as checks use ---------------------------------------------
def test_sum_distribution_is_the_convolution() -> None:
    summed = sum_distribution(["1d20", "1d4"], offset=3)
    assert summed.pmf == distribution("1d20 + 1d4 + 3").pmf


def test_sum_distribution_shares_one_budget() -> None:
    alone = distribution("1d10000 * 1d2").work
    with pytest.raises(DiceStatsError):
        sum_distribution(
            ["1d10000 * 1d2", "1d10000 * 1d2"], limits=Limits(max_stats_work=2 * alone)
        )


def test_sum_distribution_truncates_each_part() -> None:
    # 1d2/2 alone truncates to 0 (0.5) or 1: summing first would give other odds.
    summed = sum_distribution(["1d2 / 2", "1d2 / 2"])
    assert summed.pmf == {0: Fraction(1, 4), 1: Fraction(1, 2), 2: Fraction(1, 4)}
