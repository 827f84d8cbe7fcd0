"""Exact success chances (`adv check --odds`) against worked values."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adventorator.rules import CheckInput, CheckKind, Dnd5eRuleset, Proficiency, RulesError
from adventorator.rules._check import d20_expression  # noqa: TID251 (not exported by rules yet)
from adventorator.rules.dice import DiceStatsError, distribution
from adventorator.rules.srd import Ability, Skill

RULES = Dnd5eRuleset()


def _check(**kwargs: object) -> CheckInput:
    base: dict[str, object] = {"kind": CheckKind.ABILITY, "ability": Ability.DEX, "score": 10}
    base.update(kwargs)
    return CheckInput(**base)  # type: ignore[arg-type]


def test_plain_check_counts_faces() -> None:
    # +3 (DEX 16) against DC 15 needs 12 or more: 9 faces of 20.
    assert RULES.success_chance(_check(score=16, dc=15)) == Fraction(9, 20)


def test_advantage_is_one_minus_both_failing() -> None:
    assert RULES.success_chance(_check(dc=11, advantage=1)) == 1 - Fraction(10, 20) ** 2


def test_disadvantage_needs_both() -> None:
    assert RULES.success_chance(_check(dc=11, disadvantage=1)) == Fraction(10, 20) ** 2


def test_advantage_and_disadvantage_cancel() -> None:
    assert RULES.success_chance(_check(dc=11, advantage=2, disadvantage=1)) == Fraction(1, 2)


def test_halfling_lucky_rerolls_a_one_once() -> None:
    chance = RULES.success_chance(_check(dc=2, halfling_lucky=True))
    assert chance == Fraction(19, 20) + Fraction(1, 20) * Fraction(19, 20)


def test_reliable_talent_floors_the_die_at_ten_on_proficient_checks() -> None:
    check = _check(
        kind=CheckKind.SKILL,
        skill=Skill.STEALTH,
        ability=None,
        score=10,
        level=11,
        proficiency=Proficiency.PROFICIENT,
        reliable_talent=True,
        dc=14,
    )
    # PB 4: a floored 10 + 4 = 14 always meets DC 14.
    assert RULES.success_chance(check) == 1


def test_reliable_talent_does_not_apply_without_proficiency() -> None:
    assert RULES.success_chance(_check(reliable_talent=True, level=11, dc=14)) == Fraction(7, 20)


def test_bonus_dice_are_convolved() -> None:
    # d20 + d4 >= 21: for each d4 face k, P(d20 >= 21 - k) = k/20.
    chance = RULES.success_chance(_check(dc=21, bonus_dice=("1d4",)))
    assert chance == Fraction(1 + 2 + 3 + 4, 20 * 4)


def test_impossible_and_certain_checks() -> None:
    assert RULES.success_chance(_check(dc=40)) == 0
    assert RULES.success_chance(_check(score=30, dc=11)) == 1


def test_no_dc_is_an_error() -> None:
    with pytest.raises(RulesError):
        RULES.success_chance(_check())


# -- the work budget covers the whole check -------------------------------------------
@pytest.mark.parametrize(
    "bonus", ["1d10000 * 1d74", "1d10000 + 1d100", "1d6 * 1000000000000000000", "100d100"]
)
def test_a_huge_bonus_is_refused_not_computed(bonus: str) -> None:
    with pytest.raises(DiceStatsError) as raised:
        RULES.success_chance(_check(dc=15, bonus_dice=(bonus,)))
    assert "\n" not in str(raised.value)


def test_many_bonuses_share_one_budget() -> None:
    """Each bonus alone is allowed; together their sum is over the budget."""
    RULES.success_chance(_check(dc=15, bonus_dice=("1d10000",)))
    with pytest.raises(DiceStatsError):
        RULES.success_chance(_check(dc=15, bonus_dice=("1d10000", "1d10000")))


def _by_convolution(check: CheckInput) -> Fraction:
    """The chance the slow way: every d20 face, floor and bonus total enumerated."""
    assert check.dc is not None
    d20 = distribution(d20_expression(check.advantage_state, halfling_lucky=check.halfling_lucky))
    floor = 10 if check.reliable_talent_applies else 1
    modifier = sum(term.value for term in RULES.modifier_breakdown(check))
    merged: dict[int, Fraction] = {}
    for face, p in d20.pmf.items():
        total = max(face, floor) + modifier
        merged[total] = merged.get(total, Fraction(0)) + p
    for bonus in check.bonus_dice:
        assert isinstance(bonus, str)
        step: dict[int, Fraction] = {}
        for x, px in merged.items():
            for y, py in distribution(bonus).pmf.items():
                step[x + y] = step.get(x + y, Fraction(0)) + px * py
        merged = step
    return sum((p for total, p in merged.items() if total >= check.dc), Fraction(0))


@settings(max_examples=120, deadline=None)
@given(
    advantage=st.integers(0, 1),
    disadvantage=st.integers(0, 1),
    lucky=st.booleans(),
    reliable=st.booleans(),
    bonuses=st.lists(st.sampled_from(["1d4", "1d6 - 1", "2d4kh1", "1d2 / 2", "-1d4"]), max_size=2),
    dc=st.integers(1, 30),
)
def test_chance_matches_the_convolution(
    advantage: int, disadvantage: int, lucky: bool, reliable: bool, bonuses: list[str], dc: int
) -> None:
    check = _check(
        kind=CheckKind.SKILL,
        skill=Skill.STEALTH,
        ability=None,
        score=12,
        level=5,
        proficiency=Proficiency.PROFICIENT,
        reliable_talent=reliable,
        halfling_lucky=lucky,
        advantage=advantage,
        disadvantage=disadvantage,
        bonus_dice=tuple(bonuses),
        dc=dc,
    )
    assert RULES.success_chance(check) == _by_convolution(check)
