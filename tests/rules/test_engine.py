"""Dnd5eRuleset: SRD tables, validation, and worked check examples with scripted dice."""

from __future__ import annotations

import json

import pytest

from adventorator.errors import InputError
from adventorator.rules import (
    Ability,
    BonusDice,
    CheckInput,
    CheckKind,
    CheckResult,
    Dnd5eRuleset,
    Modifier,
    Proficiency,
    RulesError,
    Ruleset,
    Skill,
    srd,
)
from adventorator.rules.dice import Advantage
from tests.scripted import ScriptedRandom, script

RULES = Dnd5eRuleset()


def scripted(*faces: int) -> ScriptedRandom:
    return script(*faces)


def roll(check: CheckInput, *faces: int) -> CheckResult:
    """Roll ``check`` on scripted faces and insist every face was used."""
    rng = scripted(*faces)
    result = RULES.perform_check(check, rng=rng)
    assert rng.faces == [], f"unused scripted faces: {rng.faces}"
    return result


def skill(name: Skill, score: int, **options: object) -> CheckInput:
    return CheckInput(kind=CheckKind.SKILL, skill=name, score=score, **options)  # type: ignore[arg-type]


def terms(result: CheckResult) -> list[tuple[str, int]]:
    return [(m.source, m.value) for m in result.breakdown]


# --- SRD tables ----------------------------------------------------------------------------

# The SRD's ability score table, written out rather than computed.
MODIFIER_TABLE = {
    1: -5, 2: -4, 3: -4, 4: -3, 5: -3, 6: -2, 7: -2, 8: -1, 9: -1, 10: 0,
    11: 0, 12: 1, 13: 1, 14: 2, 15: 2, 16: 3, 17: 3, 18: 4, 19: 4, 20: 5,
    21: 5, 22: 6, 23: 6, 24: 7, 25: 7, 26: 8, 27: 8, 28: 9, 29: 9, 30: 10,
}  # fmt: skip

PROFICIENCY_TABLE = {
    1: 2, 2: 2, 3: 2, 4: 2, 5: 3, 6: 3, 7: 3, 8: 3, 9: 4, 10: 4,
    11: 4, 12: 4, 13: 5, 14: 5, 15: 5, 16: 5, 17: 6, 18: 6, 19: 6, 20: 6,
}  # fmt: skip


@pytest.mark.parametrize(("score", "modifier"), sorted(MODIFIER_TABLE.items()))
def test_ability_modifier_table(score: int, modifier: int) -> None:
    assert RULES.ability_modifier(score) == modifier


@pytest.mark.parametrize(("level", "bonus"), sorted(PROFICIENCY_TABLE.items()))
def test_proficiency_bonus_table(level: int, bonus: int) -> None:
    assert RULES.proficiency_bonus(level) == bonus
    assert srd.PROFICIENCY_BY_LEVEL[level] == bonus


@pytest.mark.parametrize("score", [0, 31, -3, 100])
def test_ability_score_out_of_range(score: int) -> None:
    with pytest.raises(RulesError, match="ability score must be 1-30"):
        RULES.ability_modifier(score)


@pytest.mark.parametrize("level", [0, 21, -1])
def test_level_out_of_range(level: int) -> None:
    with pytest.raises(RulesError, match="level must be 1-20"):
        RULES.proficiency_bonus(level)


def test_rules_error_is_an_input_error() -> None:
    assert issubclass(RulesError, InputError)
    with pytest.raises(InputError):
        RULES.ability_modifier(0)


def test_ruleset_is_a_protocol_that_dnd5e_implements() -> None:
    ruleset: Ruleset = RULES  # mypy checks the structure; nothing is checked at run time
    assert ruleset.name == "dnd5e"
    with pytest.raises(TypeError):
        Ruleset()  # type: ignore[misc]


def test_eighteen_skills_and_their_abilities() -> None:
    by_ability = {
        Ability.STR: {"athletics"},
        Ability.DEX: {"acrobatics", "sleight_of_hand", "stealth"},
        Ability.CON: set(),
        Ability.INT: {"arcana", "history", "investigation", "nature", "religion"},
        Ability.WIS: {"animal_handling", "insight", "medicine", "perception", "survival"},
        Ability.CHA: {"deception", "intimidation", "performance", "persuasion"},
    }
    assert len(Skill) == 18
    for ability, names in by_ability.items():
        assert {s.value for s in Skill if s.ability is ability} == names


def test_ability_names() -> None:
    assert [a.short for a in Ability] == ["STR", "DEX", "CON", "INT", "WIS", "CHA"]
    assert Ability.CON.long == "Constitution"
    assert Skill.SLEIGHT_OF_HAND.long == "Sleight of Hand"
    assert Skill.ANIMAL_HANDLING.long == "Animal Handling"


@pytest.mark.parametrize(
    "name", ["sleight of hand", "sleight-of-hand", "Sleight_Of_Hand", " SLEIGHT  of hand "]
)
def test_skill_names_normalise(name: str) -> None:
    assert srd.parse_skill(name) is Skill.SLEIGHT_OF_HAND
    assert srd.parse_check_name(name) is Skill.SLEIGHT_OF_HAND


@pytest.mark.parametrize("name", ["STR", "str", "Strength", "STRENGTH", "strength"])
def test_ability_names_normalise(name: str) -> None:
    assert srd.parse_ability(name) is Ability.STR
    assert srd.parse_check_name(name) is Ability.STR


def test_unknown_skill_lists_the_valid_ones() -> None:
    with pytest.raises(RulesError, match="unknown skill 'sneaking'") as info:
        srd.parse_skill("sneaking")
    assert "Sleight of Hand" in str(info.value)
    assert "Stealth" in str(info.value)
    with pytest.raises(RulesError, match="valid abilities: STR"):
        srd.parse_ability("luck")
    with pytest.raises(RulesError, match=r"valid skills: .*valid abilities"):
        srd.parse_check_name("luck")


@pytest.mark.parametrize(
    ("word", "dc"),
    [("very easy", 5), ("Easy", 10), ("medium", 15), ("HARD", 20), ("very-hard", 25),
     ("nearly_impossible", 30), ("12", 12)],
)  # fmt: skip
def test_dc_words(word: str, dc: int) -> None:
    assert srd.dc_from_word(word) == dc


@pytest.mark.parametrize("word", ["trivial", "0", "41"])
def test_bad_dc_words(word: str) -> None:
    with pytest.raises(RulesError):
        srd.dc_from_word(word)


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": CheckKind.SAVE, "ability": Ability.DEX, "skill": Skill.STEALTH, "score": 10},
         "saving throw has no skill"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.DEX, "skill": Skill.STEALTH, "score": 10},
         "use kind 'skill'"),
        ({"kind": CheckKind.SKILL, "score": 10}, "needs a skill"),
        ({"kind": CheckKind.SAVE, "score": 10}, "needs an ability"),
        ({"kind": CheckKind.SKILL, "skill": "stealth", "score": 10}, "srd.parse_skill"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "score": 0}, "1-30"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "score": 31}, "1-30"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR}, "exactly one of score"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "score": 10, "level": 21},
         "level must be 1-20"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "score": 10, "dc": 0}, "DC must"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "score": 10, "dc": 41}, "DC must"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "score": 10, "advantage": -1},
         "count of sources"),
        ({"kind": CheckKind.SKILL, "skill": Skill.STEALTH, "score": 10,
          "proficiency": Proficiency.PROFICIENT}, "give level or proficiency_bonus"),
        ({"kind": CheckKind.SAVE, "ability": Ability.WIS, "score": 10, "level": 3,
          "proficiency": Proficiency.HALF}, "never applies to saving throws"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "score": 10, "level": 5,
          "proficiency_bonus": 2}, "does not match level 5"),
        ({"kind": CheckKind.ABILITY, "ability": Ability.STR, "scores": {Ability.DEX: 12}},
         "no Strength score"),
    ],
)  # fmt: skip
def test_bad_check_inputs(options: dict[str, object], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        CheckInput(**options)  # type: ignore[arg-type]


def test_dc_bounds_are_inclusive() -> None:
    for dc in (1, 40):
        check = CheckInput(kind=CheckKind.ABILITY, ability=Ability.STR, score=10, dc=dc)
        assert check.dc == dc


# --- checks ---------------------------------------------------------------------------------


def test_plain_skill_check() -> None:
    result = roll(skill(Skill.STEALTH, 16, dc=15), 12)
    assert terms(result) == [("DEX modifier", 3)]
    assert (result.natural, result.d20, result.total, result.success) == (12, 12, 15, True)
    assert result.advantage is Advantage.NONE
    assert result.check.title == "Dexterity (Stealth) check"


def test_expertise_doubles_the_bonus_once() -> None:
    check = skill(Skill.STEALTH, 16, level=5, proficiency=Proficiency.EXPERTISE)
    result = roll(check, 10)
    assert terms(result) == [("DEX modifier", 3), ("proficiency (expertise)", 6)]
    assert result.total == 19


def test_proficient_skill_and_save() -> None:
    check = skill(Skill.ARCANA, 14, level=9, proficiency=Proficiency.PROFICIENT)
    assert terms(roll(check, 5)) == [("INT modifier", 2), ("proficiency", 4)]
    save = CheckInput(
        kind=CheckKind.SAVE, ability=Ability.WIS, score=8, level=1,
        proficiency=Proficiency.PROFICIENT, dc=13,
    )  # fmt: skip
    result = roll(save, 12)
    assert terms(result) == [("WIS modifier", -1), ("proficiency", 2)]
    assert (result.total, result.success) == (13, True)
    assert result.check.title == "Wisdom saving throw"


def test_skill_with_another_ability() -> None:
    scores = {Ability.STR: 18, Ability.CHA: 8}
    check = CheckInput(kind=CheckKind.SKILL, skill=Skill.INTIMIDATION, ability=Ability.STR,
                       scores=scores)  # fmt: skip
    result = roll(check, 10)
    assert terms(result) == [("STR modifier", 4)]
    assert result.check.title == "Strength (Intimidation) check"
    default = CheckInput(kind=CheckKind.SKILL, skill=Skill.INTIMIDATION, scores=scores)
    assert terms(roll(default, 10)) == [("CHA modifier", -1)]


def test_jack_of_all_trades_on_unproficient_check() -> None:
    check = skill(Skill.ARCANA, 10, level=5, jack_of_all_trades=True)  # PB 3 -> +1
    assert terms(roll(check, 10)) == [
        ("INT modifier", 0), ("Jack of All Trades (half proficiency)", 1),
    ]  # fmt: skip
    raw = CheckInput(kind=CheckKind.ABILITY, ability=Ability.CHA, score=10, level=20,
                     jack_of_all_trades=True)  # fmt: skip
    assert RULES.check_modifier(raw) == 3


def test_jack_of_all_trades_not_on_saves_or_proficient_checks() -> None:
    save = CheckInput(kind=CheckKind.SAVE, ability=Ability.CON, score=10, level=5,
                      jack_of_all_trades=True)  # fmt: skip
    assert terms(roll(save, 10)) == [("CON modifier", 0)]
    proficient = skill(Skill.ARCANA, 10, level=5, jack_of_all_trades=True,
                       proficiency=Proficiency.PROFICIENT)  # fmt: skip
    assert terms(roll(proficient, 10)) == [("INT modifier", 0), ("proficiency", 3)]


def test_remarkable_athlete_rounds_up_on_physical_checks_only() -> None:
    athletics = skill(Skill.ATHLETICS, 10, level=7, remarkable_athlete=True)  # PB 3 -> +2
    assert terms(roll(athletics, 10)) == [
        ("STR modifier", 0), ("Remarkable Athlete (half proficiency, rounded up)", 2),
    ]  # fmt: skip
    arcana = skill(Skill.ARCANA, 10, level=7, remarkable_athlete=True)
    assert terms(roll(arcana, 10)) == [("INT modifier", 0)]
    save = CheckInput(kind=CheckKind.SAVE, ability=Ability.STR, score=10, level=7,
                      remarkable_athlete=True)  # fmt: skip
    assert RULES.check_modifier(save) == 0
    proficient = skill(Skill.ATHLETICS, 10, level=7, remarkable_athlete=True,
                       proficiency=Proficiency.PROFICIENT)  # fmt: skip
    assert RULES.check_modifier(proficient) == 3


def test_half_proficiency_is_applied_once() -> None:
    # Both features on a Strength check: the larger half (rounded up) applies, once.
    both = skill(Skill.ATHLETICS, 10, level=7, remarkable_athlete=True, jack_of_all_trades=True,
                 proficiency=Proficiency.HALF)  # fmt: skip
    assert RULES.modifier_breakdown(both) == (
        Modifier("STR modifier", 0),
        Modifier("Remarkable Athlete (half proficiency, rounded up)", 2),
    )
    explicit = skill(Skill.HISTORY, 10, level=7, proficiency=Proficiency.HALF)
    assert RULES.modifier_breakdown(explicit)[1] == Modifier("half proficiency", 1)


def test_reliable_talent_on_proficient_checks_only() -> None:
    proficient = skill(Skill.STEALTH, 10, level=11, reliable_talent=True,
                       proficiency=Proficiency.PROFICIENT)  # fmt: skip
    result = roll(proficient, 7)
    assert (result.natural, result.d20, result.total) == (7, 10, 14)
    assert result.reliable_talent_applied
    assert roll(proficient, 12).d20 == 12
    unproficient = skill(Skill.ARCANA, 10, level=11, reliable_talent=True)
    assert (roll(unproficient, 7).d20, roll(unproficient, 7).total) == (7, 7)
    save = CheckInput(kind=CheckKind.SAVE, ability=Ability.DEX, score=10, level=11,
                      reliable_talent=True, proficiency=Proficiency.PROFICIENT)  # fmt: skip
    assert roll(save, 7).d20 == 7


def test_halfling_lucky_rerolls_a_one_once() -> None:
    check = skill(Skill.STEALTH, 10, halfling_lucky=True)
    result = roll(check, 1, 15)
    assert result.natural == 15
    assert [(d.value, d.rerolled) for d in result.dice] == [(1, True), (15, False)]
    assert roll(check, 1, 1).natural == 1  # only once
    assert len(roll(check, 2).dice) == 1  # nothing to reroll


def test_halfling_lucky_with_advantage_rerolls_only_the_one() -> None:
    check = skill(Skill.STEALTH, 10, halfling_lucky=True, advantage=1)
    result = roll(check, 1, 12, 8)  # both dice, then the reroll of the 1
    assert result.d20_roll.expression.replace(" ", "") == "2d20ro1kh1"
    assert result.natural == 12
    assert sorted((d.value, d.rerolled) for d in result.dice) == [
        (1, True), (8, False), (12, False),
    ]  # fmt: skip
    disadvantage = skill(Skill.STEALTH, 10, halfling_lucky=True, disadvantage=True)
    assert roll(disadvantage, 1, 12, 8).natural == 8
    unlucky = skill(Skill.STEALTH, 10, disadvantage=True)
    assert roll(unlucky, 1, 12).natural == 1


def test_halfling_lucky_rerolls_both_dice_only_when_both_show_one() -> None:
    check = skill(Skill.STEALTH, 10, halfling_lucky=True, advantage=1)
    result = roll(check, 1, 1, 6, 9)  # ro1 rerolls each die showing 1, once (as d20 does)
    assert result.natural == 9
    assert [(d.value, d.rerolled) for d in result.dice] == [(1, True), (1, True), (6, False),
                                                            (9, False)]  # fmt: skip


def test_halfling_lucky_applies_to_saves_and_reliable_talent_after_it() -> None:
    save = CheckInput(kind=CheckKind.SAVE, ability=Ability.WIS, score=10, halfling_lucky=True)
    assert roll(save, 1, 13).natural == 13
    check = skill(Skill.STEALTH, 10, level=11, proficiency=Proficiency.PROFICIENT,
                  halfling_lucky=True, reliable_talent=True)  # fmt: skip
    result = roll(check, 1, 4)  # the 1 is rerolled to 4, which then counts as 10
    assert (result.natural, result.d20, result.total) == (4, 10, 14)
    assert result.text() == (
        "Dexterity (Stealth) check: 1d20ro1 (~1~ -> 4) -> 10 [Reliable Talent]"
        " + 0 [DEX modifier] + 4 [proficiency] = 14"
    )
    assert result.markdown().startswith(
        "**Dexterity (Stealth) check**: 1d20ro1 (**~~1~~** -> 4) -> 10 [Reliable Talent]"
    )


def test_advantage_keeps_the_higher_and_disadvantage_the_lower() -> None:
    result = roll(skill(Skill.STEALTH, 10, advantage=True), 4, 17)
    assert result.advantage is Advantage.ADVANTAGE
    assert result.natural == 17
    assert [(d.value, d.kept) for d in result.dice] == [(4, False), (17, True)]
    assert roll(skill(Skill.STEALTH, 10, disadvantage=1), 4, 17).natural == 4


def test_several_advantage_sources_add_no_third_die() -> None:
    result = roll(skill(Skill.STEALTH, 10, advantage=3), 4, 17)
    assert len(result.dice) == 2


@pytest.mark.parametrize(("adv", "dis"), [(2, 1), (1, 2), (True, True), (5, 1)])
def test_advantage_and_disadvantage_cancel(adv: int, dis: int) -> None:
    result = roll(skill(Skill.STEALTH, 10, advantage=adv, disadvantage=dis), 9)
    assert result.advantage is Advantage.NONE
    assert [d.value for d in result.dice] == [9]


def test_natural_20_does_not_auto_succeed_a_check() -> None:
    result = roll(skill(Skill.ARCANA, 8, dc=25), 20)
    assert (result.natural, result.total, result.success) == (20, 19, False)


def test_natural_1_does_not_auto_fail_a_check() -> None:
    check = skill(Skill.STEALTH, 20, level=17, proficiency=Proficiency.EXPERTISE, dc=15)
    result = roll(check, 1)
    assert (result.total, result.success) == (18, True)


def test_meeting_the_dc_succeeds_and_no_dc_means_no_verdict() -> None:
    assert roll(skill(Skill.STEALTH, 10, dc=14), 14).success is True
    assert roll(skill(Skill.STEALTH, 10, dc=14), 13).success is False
    assert roll(skill(Skill.STEALTH, 10), 13).success is None


def test_bonus_dice_and_flat_bonuses_are_labelled() -> None:
    check = skill(
        Skill.STEALTH, 16, level=1, proficiency=Proficiency.PROFICIENT,
        bonus_dice=(BonusDice("1d4", "Bless"), BonusDice("-1d4", "Bane"), "1d6"),
        bonuses=(Modifier("Pass without Trace", 10),),
    )  # fmt: skip
    result = roll(check, 11, 3, 2, 5)  # d20 first, then each bonus expression in order
    assert terms(result) == [
        ("DEX modifier", 3), ("proficiency", 2), ("Pass without Trace", 10),
        ("Bless 1d4", 3), ("Bane -1d4", -2), ("1d6", 5),
    ]  # fmt: skip
    assert result.modifier == 21
    assert result.total == 32
    assert RULES.check_modifier(check) == 15  # the rolled bonus dice are not part of it


def test_to_json_shape() -> None:
    check = skill(
        Skill.STEALTH, 16, level=11, proficiency=Proficiency.EXPERTISE, reliable_talent=True,
        advantage=1, bonus_dice=(BonusDice("1d4", "Bless"),), dc=20,
    )  # fmt: skip
    data = roll(check, 3, 5, 2).to_json()
    json.dumps(data)
    assert data["d20"] == [3, 5]
    assert (data["natural"], data["kept"], data["reliable_talent"]) == (5, 10, True)
    assert data["breakdown"] == [
        {"source": "DEX modifier", "value": 3},
        {"source": "proficiency (expertise)", "value": 8},
        {"source": "Bless 1d4", "value": 2},
    ]
    assert data["modifier"] == 13
    assert data["total"] == data["kept"] + data["modifier"] == 23
    assert (data["dc"], data["success"], data["advantage"]) == (20, True, "advantage")
    assert (data["kind"], data["ability"], data["skill"]) == ("skill", "dex", "stealth")
    assert data["bonus_dice"][0]["total"] == 2


def test_text_and_markdown_are_one_line() -> None:
    check = skill(Skill.STEALTH, 16, advantage=True, bonus_dice=("-1d4",), dc=15)
    result = roll(check, 20, 4, 2)
    text = result.text()
    assert text == (
        "Dexterity (Stealth) check: 2d20kh1 (20, ~4~) + 3 [DEX modifier] - 1d4 (2) = 21"
        " (natural 20) vs DC 15: success"
    )
    markdown = result.markdown()
    assert "\n" not in markdown
    assert markdown.startswith("**Dexterity (Stealth) check**: 2d20kh1 (**20**, ~~4~~)")
    assert markdown.endswith("= `21` vs DC 15: **success**")


def test_modifier_breakdown_needs_no_roll() -> None:
    check = skill(Skill.PERCEPTION, 15, level=1, proficiency=Proficiency.PROFICIENT)
    assert RULES.check_modifier(check) == 4
    assert [m.source for m in RULES.modifier_breakdown(check)] == [
        "WIS modifier", "proficiency",
    ]  # fmt: skip


def test_proficiency_from_avrae_multiplier() -> None:
    assert Proficiency.from_multiplier(0.5) is Proficiency.HALF
    assert Proficiency.from_multiplier(2) is Proficiency.EXPERTISE
    with pytest.raises(RulesError):
        Proficiency.from_multiplier(3)
