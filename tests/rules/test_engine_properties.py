"""Dnd5eRuleset: properties that hold for any check, on seeded real randomness."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from adventorator.rules import (
    Ability,
    BonusDice,
    CheckInput,
    CheckKind,
    Dnd5eRuleset,
    Modifier,
    Proficiency,
    Skill,
    srd,
)
from adventorator.rules.dice import Advantage

RULES = Dnd5eRuleset()


@st.composite
def checks(draw: st.DrawFn, *, bonus_dice: bool = True) -> CheckInput:
    """Any valid check: every kind, proficiency level, feature and advantage count."""
    kind = draw(st.sampled_from(CheckKind))
    skill = draw(st.sampled_from(Skill)) if kind is CheckKind.SKILL else None
    ability = (
        draw(st.one_of(st.none(), st.sampled_from(Ability)))
        if skill is not None
        else draw(st.sampled_from(Ability))
    )
    levels = [p for p in Proficiency if not (kind is CheckKind.SAVE and p is Proficiency.HALF)]
    options: list[BonusDice | str] = [BonusDice("1d4", "Bless"), BonusDice("-1d4", "Bane"), "2d6"]
    dice = st.sampled_from(options)
    return CheckInput(
        kind=kind,
        skill=skill,
        ability=ability,
        score=draw(st.integers(1, 30)),
        level=draw(st.integers(1, 20)),
        proficiency=draw(st.sampled_from(levels)),
        jack_of_all_trades=draw(st.booleans()),
        remarkable_athlete=draw(st.booleans()),
        reliable_talent=draw(st.booleans()),
        halfling_lucky=draw(st.booleans()),
        advantage=draw(st.integers(0, 3)),
        disadvantage=draw(st.integers(0, 3)),
        bonus_dice=tuple(draw(st.lists(dice, max_size=2))) if bonus_dice else (),
        bonuses=tuple(draw(st.lists(st.builds(Modifier, st.just("bonus"), st.integers(-5, 5))))),
        dc=draw(st.one_of(st.none(), st.integers(1, 40))),
    )


seeds = st.integers(0, 2**32 - 1)

# No deadline: a per-example time limit is a timing assert, and those stay out of tests.
no_deadline = settings(deadline=None)


@no_deadline
@given(checks(), seeds)
def test_total_is_the_d20_plus_the_modifier(check: CheckInput, seed: int) -> None:
    result = RULES.perform_check(check, rng=random.Random(seed))
    assert result.total == result.d20 + result.modifier
    assert result.modifier == RULES.check_modifier(check) + sum(
        r.result.total for r in result.bonus_rolls
    )
    if not result.reliable_talent_applied:
        assert result.total == result.natural + result.modifier
    data = result.to_json()
    assert data["total"] == data["kept"] + data["modifier"]
    assert data["modifier"] == sum(term["value"] for term in data["breakdown"])


@no_deadline
@given(checks(), seeds)
def test_d20s_and_verdict(check: CheckInput, seed: int) -> None:
    result = RULES.perform_check(check, rng=random.Random(seed))
    assert 1 <= result.natural <= 20
    assert result.natural in [d.value for d in result.dice if d.kept and not d.rerolled]
    two_dice = result.advantage is not Advantage.NONE
    rerolls = sum(d.rerolled for d in result.dice)
    assert len(result.dice) == (2 if two_dice else 1) + rerolls
    assert rerolls == 0 or check.halfling_lucky
    if check.advantage and check.disadvantage:
        assert result.advantage is Advantage.NONE
    if check.dc is None:
        assert result.success is None
    else:
        assert result.success == (result.total >= check.dc)


@no_deadline
@given(checks(bonus_dice=False))
def test_passive_is_ten_plus_the_modifier(check: CheckInput) -> None:
    shift = {Advantage.ADVANTAGE: 5, Advantage.DISADVANTAGE: -5}.get(check.advantage_state, 0)
    assert RULES.passive_score(check) == 10 + RULES.check_modifier(check) + shift


@no_deadline
@given(checks(bonus_dice=False))
def test_proficiency_is_added_at_most_once(check: CheckInput) -> None:
    sources = [m.source for m in RULES.modifier_breakdown(check)]
    proficiency_terms = [s for s in sources if "proficiency" in s]
    assert len(proficiency_terms) <= 1
    pb = srd.proficiency_bonus(check.level or 1)
    bonus = RULES.check_modifier(check) - srd.ability_modifier(check.ability_score)
    bonus -= sum(m.value for m in check.bonuses)
    assert 0 <= bonus <= 2 * pb
    if check.kind is CheckKind.SAVE:
        assert not any("half" in s for s in sources)


@no_deadline
@given(st.integers(1, 30))
def test_ability_modifier_formula(score: int) -> None:
    assert RULES.ability_modifier(score) == (score - 10) // 2


@no_deadline
@given(st.integers(1, 20))
def test_proficiency_formula(level: int) -> None:
    assert RULES.proficiency_bonus(level) == 2 + (level - 1) // 4
