"""Dnd5eRuleset: passive scores, contests, group checks, initiative, attacks and damage."""

from __future__ import annotations

import json
import random

import pytest

from adventorator.rules import (
    Ability,
    BonusDice,
    CheckInput,
    CheckKind,
    Dnd5eRuleset,
    Modifier,
    Proficiency,
    RulesError,
    Skill,
)
from adventorator.rules.dice import Advantage
from tests.scripted import script

RULES = Dnd5eRuleset()


def perception(**options: object) -> CheckInput:
    return CheckInput(kind=CheckKind.SKILL, skill=Skill.PERCEPTION, **options)  # type: ignore[arg-type]


# --- passive scores -----------------------------------------------------------------------


def test_passive_perception_srd_example() -> None:
    check = perception(score=15, level=1, proficiency=Proficiency.PROFICIENT)
    assert RULES.passive_score(check) == 14


def test_passive_score_with_advantage_and_disadvantage() -> None:
    base = {"score": 15, "level": 1, "proficiency": Proficiency.PROFICIENT}
    assert RULES.passive_score(perception(**base, advantage=1)) == 19
    assert RULES.passive_score(perception(**base, disadvantage=2)) == 9
    assert RULES.passive_score(perception(**base, advantage=2, disadvantage=1)) == 14


def test_passive_score_counts_every_flat_modifier() -> None:
    check = perception(score=12, level=5, proficiency=Proficiency.EXPERTISE,
                       bonuses=(Modifier("Observant", 5),))  # fmt: skip
    assert RULES.passive_score(check) == 10 + 1 + 6 + 5


def test_passive_score_refuses_bonus_dice() -> None:
    with pytest.raises(RulesError, match="bonus dice"):
        RULES.passive_score(perception(score=10, bonus_dice=("1d4",)))


# --- contests and group checks --------------------------------------------------------------


def athletics(score: int) -> CheckInput:
    return CheckInput(kind=CheckKind.SKILL, skill=Skill.ATHLETICS, score=score)


def test_contest_tie_changes_nothing() -> None:
    rng = script(12, 10)
    contest = RULES.contested_check(athletics(14), athletics(18), rng=rng)  # 12+2 vs 10+4
    assert (contest.a.total, contest.b.total) == (14, 14)
    assert contest.winner is None
    assert contest.margin == 0
    assert "tie" in contest.text()


def test_contest_higher_total_wins() -> None:
    contest = RULES.contested_check(athletics(14), athletics(18), rng=script(5, 6))
    assert contest.winner == "b"
    assert contest.margin == 3
    contest = RULES.contested_check(athletics(14), athletics(18), rng=script(20, 1))
    assert contest.winner == "a"
    assert contest.to_json()["winner"] == "a"


def test_contest_refuses_a_dc() -> None:
    with_dc = CheckInput(kind=CheckKind.SKILL, skill=Skill.ATHLETICS, score=10, dc=10)
    with pytest.raises(RulesError, match="leave dc unset"):
        RULES.contested_check(with_dc, athletics(10), rng=random.Random(1))


def stealth(dc: int | None = 10) -> CheckInput:
    return CheckInput(kind=CheckKind.SKILL, skill=Skill.STEALTH, score=10, dc=dc)


def test_group_check_exactly_half_succeeds() -> None:
    group = RULES.group_check([stealth()] * 4, rng=script(10, 9, 15, 2))
    assert [r.success for r in group.results] == [True, False, True, False]
    assert (group.successes, group.success) == (2, True)
    assert group.to_json()["members"] == 4


def test_group_of_two_with_one_success_succeeds() -> None:
    group = RULES.group_check([stealth(), stealth()], rng=script(1, 20))
    assert (group.successes, group.success) == (1, True)


def test_group_check_under_half_fails() -> None:
    group = RULES.group_check([stealth()] * 4, rng=script(10, 9, 3, 2))
    assert (group.successes, group.success) == (1, False)
    assert "1 of 4" in group.text()


def test_group_check_dc_override_and_errors() -> None:
    group = RULES.group_check([stealth(None)] * 3, rng=script(15, 14, 20), dc=15)
    assert [r.dc for r in group.results] == [15, 15, 15]
    assert group.successes == 2
    with pytest.raises(RulesError, match="needs a DC"):
        RULES.group_check([stealth(None)], rng=random.Random(1))
    with pytest.raises(RulesError, match="at least one member"):
        RULES.group_check([], rng=random.Random(1))


# --- initiative ---------------------------------------------------------------------------


def test_initiative_is_a_dexterity_check() -> None:
    result = RULES.roll_initiative(14, rng=script(12))
    assert [(m.source, m.value) for m in result.breakdown] == [("DEX modifier", 2)]
    assert result.total == 14
    assert result.check.kind is CheckKind.ABILITY
    assert result.check.ability is Ability.DEX
    assert result.text().startswith("Initiative: 1d20 (12)")


def test_initiative_takes_jack_of_all_trades_bonuses_and_advantage() -> None:
    result = RULES.roll_initiative(
        14, rng=script(3, 18), level=2, jack_of_all_trades=True,
        bonuses=[Modifier("Alert", 5)], advantage=True,
    )  # fmt: skip
    assert result.advantage is Advantage.ADVANTAGE
    assert [(m.source, m.value) for m in result.breakdown] == [
        ("DEX modifier", 2), ("Jack of All Trades (half proficiency)", 1), ("Alert", 5),
    ]  # fmt: skip
    assert result.total == 26


# --- attacks and damage --------------------------------------------------------------------


def test_natural_20_always_hits_and_crits() -> None:
    attack = RULES.attack_roll(-5, target_ac=30, rng=script(20))
    assert attack.total == 15
    assert (attack.hit, attack.critical, attack.fumble) == (True, True, False)
    assert attack.text().endswith("vs AC 30: critical hit")


def test_natural_1_always_misses() -> None:
    attack = RULES.attack_roll(20, target_ac=5, rng=script(1))
    assert attack.total == 21
    assert (attack.hit, attack.critical, attack.fumble) == (False, False, True)
    assert attack.markdown() == (
        "**Attack**: 1d20 (**1**) + 20 [attack bonus] = `21` vs AC 5: **natural 1: miss**"
    )


def test_attack_meets_ac() -> None:
    assert RULES.attack_roll(5, target_ac=17, rng=script(12)).hit is True
    assert RULES.attack_roll(5, target_ac=18, rng=script(12)).hit is False
    assert RULES.attack_roll(5, rng=script(12)).hit is None


def test_attack_with_advantage_lucky_and_bless() -> None:
    attack = RULES.attack_roll(
        4, target_ac=15, rng=script(1, 6, 20, 3), advantage=1, halfling_lucky=True,
        bonus_dice=[BonusDice("1d4", "Bless")],
    )  # fmt: skip
    assert attack.natural == 20  # the 1 was rerolled into a 20
    assert attack.critical
    assert [(m.source, m.value) for m in attack.breakdown] == [
        ("attack bonus", 4), ("Bless 1d4", 3),
    ]  # fmt: skip
    data = attack.to_json()
    json.dumps(data)
    assert sorted(data["d20"]) == [1, 6, 20]
    assert (data["total"], data["hit"], data["critical"]) == (27, True, True)


def test_attack_disadvantage_cancelled() -> None:
    attack = RULES.attack_roll(0, rng=script(9), advantage=1, disadvantage=1)
    assert attack.advantage is Advantage.NONE
    assert len(attack.dice) == 1


@pytest.mark.parametrize(("bonus", "ac"), [(0, 0), (0, 41), (101, 10)])
def test_attack_bad_inputs(bonus: int, ac: int) -> None:
    with pytest.raises(RulesError):
        RULES.attack_roll(bonus, target_ac=ac, rng=random.Random(1))


def test_critical_damage_doubles_dice_not_modifiers() -> None:
    damage = RULES.damage_roll("2d6+3", critical=True, rng=script(1, 2, 3, 4))
    assert damage.rolled_expression.replace(" ", "") == "4d6+3"
    assert damage.total == 1 + 2 + 3 + 4 + 3
    assert len(damage.roll.dice) == 4
    assert damage.to_json()["critical"] is True


def test_normal_damage() -> None:
    damage = RULES.damage_roll("2d6+3", rng=script(6, 5))
    assert (damage.rolled_expression, damage.total, damage.critical) == ("2d6+3", 14, False)
    assert "\n" not in damage.text()


def test_roll_dice_passes_through() -> None:
    result = RULES.roll_dice("1d20+2", rng=script(7, 15), advantage=Advantage.ADVANTAGE)
    assert result.total == 17
