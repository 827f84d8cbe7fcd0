"""Dice engine benchmark: our engine against d20 1.1.2, measured in the same run.

    .venv/bin/python bench/dice.py [--quick]

1. Rolls per second with the parse cache warm, on the spec's expressions,
   for both engines; the target is at least 2x d20.
2. Time of every case of the hostile corpus (``bench/hostile_corpus.py``),
   parse cache cleared; target: no roll case over 50 ms, no distribution
   case over about 1 s.

Prints figures only; exits non-zero if anything raises unexpectedly.
"""

from __future__ import annotations

import random
import sys
import time
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import d20

from adventorator.rules.dice import DiceError, _parser, distribution, roll
from bench.hostile_corpus import HOSTILE_CASES, HostileCase

EXPRESSIONS = ("2d20kh1", "4d6kh3", "1d20+5", "8d6", "10d10e10")
TARGET_RATIO = 2.0
ROLL_TARGET_MS = 50.0
STATS_TARGET_MS = 1000.0


def rolls_per_second(fn: Callable[[], object], seconds: float) -> float:
    """Best of five timed batches, each about ``seconds / 5`` long."""
    fn()
    number = 1000
    while timeit.timeit(fn, number=number) < seconds / 25:
        number *= 2
    best = min(timeit.repeat(fn, number=number, repeat=5))
    return number / best


def _ours(expression: str, rng: random.Random) -> int:
    return roll(expression, rng=rng).total


def _theirs(expression: str) -> int:
    return int(d20.roll(expression).total)


def speed_table(seconds: float) -> bool:
    rng = random.Random(2024)
    print(f"Rolls per second, parse cache warm (best of 5); target ours/d20 >= {TARGET_RATIO}x")
    print(f"{'expression':<12} {'ours':>12} {'d20':>12} {'ratio':>7}  target")
    all_met = True
    for expression in EXPRESSIONS:
        ours = rolls_per_second(partial(_ours, expression, rng), seconds)
        theirs = rolls_per_second(partial(_theirs, expression), seconds)
        ratio = ours / theirs
        met = ratio >= TARGET_RATIO
        all_met &= met
        verdict = "met" if met else "MISSED"
        print(f"{expression:<12} {ours:>12,.0f} {theirs:>12,.0f} {ratio:>6.2f}x  {verdict}")
    return all_met


def run_case(case: HostileCase) -> DiceError | None:
    try:
        if case.mode == "roll":
            roll(case.expression, rng=random.Random(7))
        else:
            distribution(case.expression)
    except DiceError as exc:
        return exc
    return None


def time_case(case: HostileCase, repeats: int) -> tuple[float, DiceError | None]:
    best = float("inf")
    outcome: DiceError | None = None
    for _ in range(repeats):
        _parser.parse_default.cache_clear()
        start = time.perf_counter()
        outcome = run_case(case)
        best = min(best, time.perf_counter() - start)
    return best * 1000, outcome


def hostile_table(repeats: int) -> bool:
    print(f"\nHostile corpus: {len(HOSTILE_CASES)} cases, parse cache cleared, best of {repeats}")
    timings: list[tuple[float, HostileCase]] = []
    wrong = 0
    for case in HOSTILE_CASES:
        elapsed, outcome = time_case(case, repeats)
        timings.append((elapsed, case))
        if type(outcome) is not case.expected and not (outcome is None and case.expected is None):
            wrong += 1
            got = type(outcome).__name__ if outcome else "success"
            print(f"  UNEXPECTED {case.name}: got {got}")
    ok = True
    for mode, target in (("roll", ROLL_TARGET_MS), ("stats", STATS_TARGET_MS)):
        cases = sorted((t for t in timings if t[1].mode == mode), key=lambda t: -t[0])
        worst_ms, worst = cases[0]
        met = worst_ms <= target
        ok &= met
        label = "roll()" if mode == "roll" else "distribution()"
        print(
            f"{label:<15} worst {worst_ms:8.2f} ms ({worst.name}); target {target:.0f} ms: "
            f"{'met' if met else 'MISSED'}"
        )
        for elapsed, case in cases[:5]:
            print(f"    {elapsed:8.2f} ms  {case.name}")
    return ok and not wrong


def main() -> int:
    quick = "--quick" in sys.argv
    print(f"Python {sys.version.split()[0]}, d20 {getattr(d20, '__version__', '1.1.2')}\n")
    try:
        speed_met = speed_table(seconds=0.5 if quick else 2.0)
        hostile_ok = hostile_table(repeats=1 if quick else 3)
    except Exception:  # report and fail: the figures above are incomplete
        import traceback

        traceback.print_exc()
        return 1
    print(
        f"\nSpeed target {'met' if speed_met else 'MISSED'}; hostile corpus "
        f"{'within targets' if hostile_ok else 'NOT within targets'}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
