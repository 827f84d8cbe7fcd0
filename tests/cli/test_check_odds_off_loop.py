"""`check --odds` computes its exact odds in a worker thread, under a deadline.

The dice work budget is what bounds the computation; running it off the event
loop keeps the webhook serving meanwhile. No clocks are asserted on: the
worker's thread is recorded by a Ruleset passed in, and the deadline is shown
with work that cannot finish until the test lets it.
"""

from __future__ import annotations

import asyncio
import random
import threading
from fractions import Fraction
from pathlib import Path

import pytest

from adventorator.commands import Invocation, off_loop
from adventorator.commands.check import CheckOptions, check
from adventorator.context import AppContext
from adventorator.rules.dice import DiceStatsError
from adventorator.rules.engine import CheckInput, Dnd5eRuleset


class RecordingRuleset(Dnd5eRuleset):
    """The real D&D 5e rules, noting which thread computed each chance."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[int] = []

    def success_chance(self, check: CheckInput) -> Fraction:
        self.threads.append(threading.get_ident())
        return super().success_chance(check)


def _invocation(ruleset: Dnd5eRuleset) -> Invocation:
    return Invocation(app=AppContext(), rng=random.Random(1), ruleset=ruleset)


def test_check_odds_run_off_the_event_loop_thread(isolated_env: Path) -> None:
    ruleset = RecordingRuleset()
    options = CheckOptions(ability="dex", score=16, dc=15, odds=True, bonus="1d4")

    async def main() -> tuple[int, float]:
        reply = await check(_invocation(ruleset), options)
        assert reply.data is not None
        return threading.get_ident(), reply.data["odds"]

    loop_thread, odds = asyncio.run(main())
    assert odds == pytest.approx(float(Fraction(10 + 11 + 12 + 13, 80)))
    assert len(ruleset.threads) == 1
    assert ruleset.threads[0] != loop_thread


def test_check_odds_past_the_budget_raise_from_the_worker(isolated_env: Path) -> None:
    options = CheckOptions(ability="dex", score=16, dc=15, odds=True, bonus="1d10000*1d74")
    with pytest.raises(DiceStatsError, match="too large to compute"):
        asyncio.run(check(_invocation(RecordingRuleset()), options))


def test_off_loop_returns_the_work_result_from_another_thread() -> None:
    async def main() -> tuple[int, int]:
        return threading.get_ident(), await off_loop(threading.get_ident, what="Work")

    loop_thread, worker_thread = asyncio.run(main())
    assert worker_thread != loop_thread


def test_off_loop_gives_up_at_the_deadline_with_one_line() -> None:
    release = threading.Event()

    def blocked() -> bool:
        return release.wait(60)

    async def main() -> None:
        try:
            await off_loop(blocked, what="Exact odds", deadline=0.01)
        finally:
            release.set()  # before asyncio.run joins the worker thread

    with pytest.raises(DiceStatsError) as raised:
        asyncio.run(main())
    assert str(raised.value) == "Exact odds took longer than 0.01 s: try a smaller bonus"
