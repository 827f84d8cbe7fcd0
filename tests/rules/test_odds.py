"""Exact success chances (`adv check --odds`) against worked values."""

from __future__ import annotations

from fractions import Fraction

import pytest

from adventorator.rules.engine import CheckInput, CheckKind, Dnd5eRuleset, Proficiency, RulesError
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
