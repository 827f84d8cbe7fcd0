"""Property-based tests over expressions generated from the grammar."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from adventorator.rules.dice import (
    DiceError,
    DiceLimitError,
    DiceStatsError,
    DiceValueError,
    RollResult,
    distribution,
    natural_flag,
    parse,
    render_markdown,
    render_text,
    result_to_json,
    roll,
)

from .strategies import CountingRandom, dice_terms, expressions

_SEEDS = st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=8)
_SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SLOW
@given(expression=expressions(max_leaves=4), seeds=_SEEDS)
def test_totals_lie_in_the_exact_distribution(expression: str, seeds: list[int]) -> None:
    try:
        dist = distribution(expression)
    except DiceStatsError:
        assume(False)
        return
    except DiceValueError:  # a division by zero is possible
        return
    assert sum(dist.pmf.values()) == 1
    assert all(p > 0 for p in dist.pmf.values())
    assert dist.min <= dist.mean <= dist.max
    for seed in seeds:
        try:
            total = roll(expression, rng=random.Random(seed)).total
        except DiceError:
            continue  # e.g. the dice limit, which distribution() cannot see coming
        assert total in dist.pmf, (expression, seed, total)
        assert dist.min <= total <= dist.max


def _attempt(expression: str, seed: int) -> RollResult | str:
    try:
        return roll(expression, rng=random.Random(seed))
    except DiceError as exc:
        return f"{type(exc).__name__}: {exc}"


@settings(max_examples=300, deadline=None)
@given(expression=expressions(), seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_result(expression: str, seed: int) -> None:
    first = _attempt(expression, seed)
    second = _attempt(expression, seed)
    if isinstance(first, str):
        assert first == second
        return
    assert isinstance(second, RollResult)
    assert (first.total, first.dice, first.crit) == (second.total, second.dice, second.crit)
    assert render_markdown(first) == render_markdown(second)
    assert render_text(first) == render_text(second)
    # The total ends the line, before a natural 20 or 1 flag on a leading d20.
    assert render_text(first).removesuffix(natural_flag(first)).endswith(f" = {first.total}")
    assert result_to_json(first)["total"] == first.total


@settings(max_examples=300, deadline=None)
@given(expression=expressions(), seed=st.integers(0, 2**32 - 1))
def test_normalised_text_means_the_same(expression: str, seed: int) -> None:
    try:
        first = roll(expression, rng=random.Random(seed))
    except DiceError:
        return
    again = roll(first.expression, rng=random.Random(seed))
    assert again.expression == first.expression
    assert again.total == first.total
    assert again.dice == first.dice


@st.composite
def _pools(draw: st.DrawFn) -> tuple[int, int, str, int]:
    count = draw(st.integers(0, 30))
    sides = draw(st.integers(1, 30))
    op = draw(st.sampled_from(("kh", "kl", "ph", "pl")))
    n = draw(st.integers(0, 35))
    return count, sides, op, n


@settings(max_examples=300, deadline=None)
@given(pool=_pools(), seed=st.integers(0, 2**32 - 1))
def test_keep_and_drop_semantics(pool: tuple[int, int, str, int], seed: int) -> None:
    count, sides, op, n = pool
    result = roll(f"{count}d{sides}{op}{n}", rng=random.Random(seed))
    values = [die.value for die in result.dice]
    kept = sorted((die.value for die in result.dice if die.kept), reverse=True)
    dropped = [die.value for die in result.dice if not die.kept]
    assert len(values) == count
    assert all(1 <= v <= sides for v in values)
    keep_count = min(n, count) if op[0] == "k" else max(count - n, 0)
    assert len(kept) == keep_count
    assert result.total == sum(kept)
    ranked = sorted(values, reverse=True)
    highest = op in ("kh", "pl")
    expected = ranked[:keep_count] if highest else sorted(values)[:keep_count]
    assert kept == sorted(expected, reverse=True)
    if kept and dropped:
        if highest:
            assert min(kept) >= max(dropped)
        else:
            assert max(kept) <= min(dropped)


@settings(max_examples=300, deadline=None)
@given(
    count=st.integers(1, 20),
    sides=st.integers(2, 20),
    target=st.integers(1, 20),
    seed=st.integers(0, 2**32 - 1),
)
def test_reroll_and_explode_semantics(count: int, sides: int, target: int, seed: int) -> None:
    rerolled = roll(f"{count}d{sides}rr{target}", rng=random.Random(seed))
    final = [die for die in rerolled.dice if not die.rerolled]
    assert len(final) == count
    assert all(die.value != target for die in final)
    assert all(die.value == target for die in rerolled.dice if die.rerolled)
    once = roll(f"{count}d{sides}ro{target}", rng=random.Random(seed))
    assert len(once.dice) == count + sum(die.rerolled for die in once.dice)
    exploded = roll(f"{count}d{sides}e{target}", rng=random.Random(seed))
    assert sum(die.exploded for die in exploded.dice) == len(exploded.dice) - count
    assert all(die.exploded == (die.value == target) for die in exploded.dice)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_parses_or_raises_a_dice_error(text: str) -> None:
    position: int | None = None
    try:
        parse(text)
    except DiceError as exc:
        position = exc.position
    assert position is None or 0 <= position <= len(text)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="0123456789dD%.+-*/<>=!()[], khlpreima\t\n", max_size=40))
def test_dice_like_text_rolls_or_raises_a_dice_error(text: str) -> None:
    position: int | None = None
    try:
        result = roll(text, rng=random.Random(0))
    except DiceError as exc:
        position = exc.position
    else:
        assert isinstance(result.total, int)
        render_markdown(result)
    assert position is None or 0 <= position <= len(text)


@settings(max_examples=400, deadline=None)
@given(term=dice_terms(max_count=20), seed=st.integers(0, 2**32 - 1))
def test_dice_term_total_is_its_kept_dice(term: str, seed: int) -> None:
    """Static bounds hold even where exact odds are refused (explosions, rr)."""
    rng = CountingRandom(seed)
    try:
        result = roll(term, rng=rng)
    except DiceLimitError:
        assert rng.calls <= 1000
        return
    kept = [die.value for die in result.dice if die.kept]
    assert result.total == sum(kept)
    assert len(result.dice) == rng.calls <= 1000
    sides = result.dice[0].sides if result.dice else 1
    assert all(0 <= die.value <= sides + 1 for die in result.dice)  # mi/ma may go to sides + 1
    assert 0 <= result.total <= len(kept) * (sides + 1)
