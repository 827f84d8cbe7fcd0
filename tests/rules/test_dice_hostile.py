"""The hostile-input corpus (shared with ``bench/dice.py``).

Each case must raise exactly its ``DiceError`` subclass (or succeed), carry a
position where one is meaningful, and do bounded work: no more dice drawn than
the limit allows. Time is measured by the benchmark, not here.
"""

from __future__ import annotations

import pytest

from adventorator.rules.dice import DEFAULT_LIMITS, DiceError, distribution, roll
from bench.hostile_corpus import HOSTILE_CASES, HostileCase

from .conftest import CountingRandom


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
