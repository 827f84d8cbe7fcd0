"""The hostile-input corpus (shared with ``bench/dice.py``).

Each case must raise exactly its ``DiceError`` subclass (or succeed), carry a
position where one is meaningful, and do bounded work: no more dice drawn than
the limit allows. Time is measured by the benchmark, not here.
"""

from __future__ import annotations

import pytest

from adventorator.rules.dice import (
    DEFAULT_LIMITS,
    DiceError,
    DiceLimitError,
    Limits,
    distribution,
    roll,
)
from bench.hostile_corpus import HOSTILE_CASES, HostileCase

from .strategies import CountingRandom


def test_corpus_is_big_enough() -> None:
    failing = [case for case in HOSTILE_CASES if case.expected is not None]
    assert len(failing) >= 40
    assert len({case.name for case in HOSTILE_CASES}) == len(HOSTILE_CASES)


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=[case.name for case in HOSTILE_CASES])
def test_hostile_input(case: HostileCase) -> None:
    rng = CountingRandom(20240601)
    raised: DiceError | None = None
    try:
        if case.mode == "roll":
            roll(case.expression, rng=rng)
        else:
            distribution(case.expression)
    except DiceError as exc:
        raised = exc
    if case.expected is None:
        assert raised is None, str(raised)
    else:
        assert type(raised) is case.expected, str(raised)
        assert raised is not None
        if case.positioned:
            assert raised.position is not None
            assert 0 <= raised.position <= len(case.expression)
        assert len(str(raised)) < 200  # never echoes a megabyte back
        assert "\n" not in str(raised)
    assert rng.calls <= DEFAULT_LIMITS.max_rolls


@pytest.mark.parametrize(
    "expression",
    ["20d6e6", "20d6e>1", "5d6rr<6", "10d6ro<7", "10d20ra>0", "1d20eh1", "1d2e2"],
)
def test_tight_roll_limit_bounds_the_work(expression: str) -> None:
    limits = Limits(max_rolls=25)
    for seed in range(30):
        rng = CountingRandom(seed)
        try:
            result = roll(expression, rng=rng, limits=limits)
        except DiceLimitError:
            assert rng.calls <= 25
        else:
            assert len(result.dice) == rng.calls <= 25
