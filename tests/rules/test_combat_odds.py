"""Critical ranges, attack outcomes and exact odds, checked against brute-force enumeration."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adventorator.rules.combat_odds import (
    IMPROVED_CRITICAL,
    SUPERIOR_CRITICAL,
    attack_odds,
    crit_on_from_features,
    damage_distribution,
    defence_adjuster,
    hit_odds,
    is_critical,
    resolve_attack,
    validate_crit_on,
)
from adventorator.rules.damage import Defences
from adventorator.rules.dice import Advantage
from adventorator.rules.engine import Dnd5eRuleset, RulesError
from tests.scripted import script

ADV, DIS, NONE = Advantage.ADVANTAGE, Advantage.DISADVANTAGE, Advantage.NONE

# --- critical ranges --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ((), 20),
        (("Second Wind", "Action Surge"), 20),
        (("Improved Critical (19-20)",), 19),  # the fighter example's spelling
        (("improved critical",), IMPROVED_CRITICAL),
        (("Superior Critical (18-20)",), SUPERIOR_CRITICAL),
        (("Improved Critical", "Superior-Critical"), 18),  # the lower range wins
    ],
)
def test_crit_on_from_features(features: tuple[str, ...], expected: int) -> None:
    assert crit_on_from_features(features) == expected


@pytest.mark.parametrize(
    ("natural", "crit_on", "expected"),
    [(20, 20, True), (19, 20, False), (19, 19, True), (18, 19, False), (18, 18, True)],
)
def test_is_critical(natural: int, crit_on: int, expected: bool) -> None:
    assert is_critical(natural, crit_on) is expected


@pytest.mark.parametrize("crit_on", [1, 21, 0, True])
def test_crit_range_bounds(crit_on: int) -> None:
    with pytest.raises(RulesError, match="critical range"):
        validate_crit_on(crit_on)


# --- judging a rolled attack ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("natural", "total", "ac", "crit_on", "auto_crit", "hit", "critical"),
    [
        pytest.param(1, 31, 10, 20, False, False, False, id="SRD natural 1 always misses"),
        pytest.param(20, 21, 40, 20, False, True, True, id="SRD natural 20 always hits, critical"),
        pytest.param(19, 20, 40, 19, False, True, True, id="Improved Critical: 19 hits, critical"),
        pytest.param(18, 19, 40, 18, False, True, True, id="Superior Critical: 18 critical"),
        pytest.param(19, 24, 15, 20, False, True, False, id="19 without the feature: plain hit"),
        pytest.param(12, 17, 17, 20, False, True, False, id="meets the AC: hit"),
        pytest.param(12, 16, 17, 20, False, False, False, id="below the AC: miss"),
        pytest.param(12, 17, 17, 20, True, True, True,
                     id="SRD Paralyzed/Unconscious: a hit within 5 ft is critical"),
        pytest.param(12, 16, 17, 20, True, False, False, id="auto crit needs a hit"),
        pytest.param(12, 16, None, 20, False, None, False, id="no AC: hit unknown"),
    ],
)  # fmt: skip
def test_resolve_attack(
    natural: int,
    total: int,
    ac: int | None,
    crit_on: int,
    auto_crit: bool,
    hit: bool | None,
    critical: bool,
) -> None:
    outcome = resolve_attack(natural, total, ac, crit_on=crit_on, auto_crit=auto_crit)
    assert (outcome.hit, outcome.critical, outcome.fumble) == (hit, critical, natural == 1)


def test_resolve_a_rolled_attack_with_improved_critical() -> None:
    attack = Dnd5eRuleset().attack_roll(5, rng=script(19), target_ac=30)
    assert attack.hit is False  # the engine alone knows only natural 20
    outcome = resolve_attack(attack.natural, attack.total, 30, crit_on=19)
    assert (outcome.hit, outcome.critical, outcome.reasons) == (
        True,
        True,
        ("critical hit on 19-20",),
    )


# --- exact odds against enumeration -----------------------------------------------------------


def _die(sides: int, *, lucky: bool) -> Iterator[tuple[int, Fraction]]:
    """Each face of one die and its probability; Halfling Lucky rerolls a 1 once."""
    for face in range(1, sides + 1):
        if lucky and face == 1:
            for again in range(1, sides + 1):
                yield again, Fraction(1, sides * sides)
        else:
            yield face, Fraction(1, sides)


def _d20(advantage: Advantage, *, lucky: bool) -> Iterator[tuple[int, Fraction]]:
    if advantage is NONE:
        yield from _die(20, lucky=lucky)
        return
    pick = max if advantage is ADV else min
    for (a, pa), (b, pb) in itertools.product(_die(20, lucky=lucky), repeat=2):
        yield pick(a, b), pa * pb


def _brute_hit(
    bonus: int, ac: int, advantage: Advantage, crit_on: int, lucky: bool, bless: bool
) -> tuple[Fraction, Fraction]:
    hit = crit = Fraction(0)
    extras = [(b, Fraction(1, 4)) for b in range(1, 5)] if bless else [(0, Fraction(1))]
    for (face, pf), (extra, pe) in itertools.product(_d20(advantage, lucky=lucky), extras):
        p = pf * pe
        if face == 1:
            continue
        if face >= crit_on:
            hit, crit = hit + p, crit + p
        elif face + bonus + extra >= ac:
            hit += p
    return hit, crit


@pytest.mark.parametrize("advantage", [NONE, ADV, DIS], ids=lambda a: a.name)
@pytest.mark.parametrize("crit_on", [20, 19, 18])
@pytest.mark.parametrize("lucky", [False, True], ids=["plain", "halfling"])
@pytest.mark.parametrize("bless", [False, True], ids=["", "bless"])
def test_hit_odds_match_enumeration(
    advantage: Advantage, crit_on: int, lucky: bool, bless: bool
) -> None:
    for bonus, ac in [(5, 15), (-1, 8), (11, 30), (3, 3), (7, 26)]:
        odds = hit_odds(
            bonus,
            ac,
            advantage=advantage,
            crit_on=crit_on,
            halfling_lucky=lucky,
            bonus_dice=("1d4",) if bless else (),
        )
        assert (odds.hit, odds.critical) == _brute_hit(bonus, ac, advantage, crit_on, lucky, bless)


@pytest.mark.parametrize(
    ("bonus", "ac", "advantage", "crit_on", "hit", "crit"),
    [
        (5, 15, NONE, 20, Fraction(11, 20), Fraction(1, 20)),  # faces 10-20
        (5, 15, ADV, 20, 1 - Fraction(9, 20) ** 2, 1 - Fraction(19, 20) ** 2),
        (5, 15, DIS, 20, Fraction(11, 20) ** 2, Fraction(1, 400)),
        (5, 15, ADV, 19, 1 - Fraction(9, 20) ** 2, 1 - Fraction(18, 20) ** 2),
        (0, 40, NONE, 18, Fraction(3, 20), Fraction(3, 20)),  # only the crit range hits
        (30, 5, NONE, 20, Fraction(19, 20), Fraction(1, 20)),  # only a natural 1 misses
    ],
)
def test_hit_odds_worked_examples(
    bonus: int, ac: int, advantage: Advantage, crit_on: int, hit: Fraction, crit: Fraction
) -> None:
    odds = hit_odds(bonus, ac, advantage=advantage, crit_on=crit_on)
    assert (odds.hit, odds.critical) == (hit, crit)
    assert odds.miss == 1 - hit


def test_auto_crit_makes_every_hit_critical() -> None:
    odds = hit_odds(5, 15, auto_crit=True)
    assert odds.critical == odds.hit == Fraction(11, 20)


def _dice_totals(count: int, sides: int, flat: int) -> Iterator[int]:
    for faces in itertools.product(range(1, sides + 1), repeat=count):
        yield sum(faces) + flat


def _brute_tail(totals: list[int], at_least: int, adjust: Callable[[int], int]) -> Fraction:
    return Fraction(sum(adjust(max(0, t)) >= at_least for t in totals), len(totals))


@pytest.mark.parametrize("resisted", [False, True], ids=["", "resisted"])
def test_damage_distribution_matches_enumeration(resisted: bool) -> None:
    adjust = defence_adjuster("slashing", Defences.of(resistances=["slashing"] if resisted else []))
    taken: Callable[[int], int] = adjust if resisted else (lambda n: n)
    normal = list(_dice_totals(2, 6, 3))
    crit = list(_dice_totals(4, 6, 3))  # SRD critical hit: the dice twice, the modifier once
    plain = damage_distribution("2d6+3", adjust=adjust if resisted else None)
    doubled = damage_distribution("2d6+3", critical=True, adjust=adjust if resisted else None)
    for hp in range(0, 30):
        assert plain.p_at_least(hp) == _brute_tail(normal, hp, taken)
        assert doubled.p_at_least(hp) == _brute_tail(crit, hp, taken)


def test_damage_never_goes_below_zero() -> None:
    dist = damage_distribution("1d4-3")
    assert dist.min == 0
    assert dist.pmf[0] == Fraction(3, 4)


@pytest.mark.parametrize("advantage", [NONE, ADV, DIS], ids=lambda a: a.name)
@pytest.mark.parametrize("crit_on", [20, 19])
def test_drop_odds_match_enumeration(advantage: Advantage, crit_on: int) -> None:
    # A +4 attack with 1d8+2 against AC 13, every d20 and every damage die enumerated.
    for hp in (1, 5, 9, 10, 11, 18, 19):
        drop = mean = Fraction(0)
        for face, pf in _d20(advantage, lucky=False):
            if face == 1 or (face < crit_on and face + 4 < 13):
                continue
            totals = list(_dice_totals(2 if face >= crit_on else 1, 8, 2))
            drop += pf * Fraction(sum(t >= hp for t in totals), len(totals))
            mean += pf * Fraction(sum(totals), len(totals))
        odds = attack_odds(4, 13, "1d8+2", target_hp=hp, advantage=advantage, crit_on=crit_on)
        assert odds.drop == drop
        assert odds.mean_damage == pytest.approx(float(mean))


def test_attack_odds_without_hp_and_bad_hp() -> None:
    assert attack_odds(4, 13, "1d8+2").drop is None
    with pytest.raises(RulesError, match="target hit points"):
        attack_odds(4, 13, "1d8+2", target_hp=0)


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=60)
@given(
    st.integers(-5, 15),
    st.integers(1, 35),
    st.sampled_from([20, 19, 18]),
    st.booleans(),
)
def test_hit_odds_are_ordered(bonus: int, ac: int, crit_on: int, lucky: bool) -> None:
    def odds(advantage: Advantage, armor: int = ac) -> Fraction:
        return hit_odds(
            bonus, armor, advantage=advantage, crit_on=crit_on, halfling_lucky=lucky
        ).hit

    assert 0 <= odds(DIS) <= odds(NONE) <= odds(ADV) <= 1
    assert odds(NONE, ac + 1) <= odds(NONE)  # a higher AC never helps the attacker
    assert hit_odds(bonus, ac, crit_on=crit_on).critical <= odds(NONE)
