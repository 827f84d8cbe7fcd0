"""Every SRD 5.1 condition's effect on checks, saves and attacks, with exhaustion levels 1-6."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adventorator.rules.condition_effects import (
    RollEffect,
    RollKind,
    attack_modifiers,
    charmer_social_check,
    check_with_conditions,
    roll_modifiers,
)
from adventorator.rules.conditions import (
    ALSO_GAINED,
    EXHAUSTION,
    SRD_CONDITION_NAMES,
    Condition,
    condition_defences,
    effective_conditions,
    exhaustion_effects,
    hit_point_maximum,
    incapacitated,
    parse_condition,
    parse_condition_name,
    speed,
)
from adventorator.rules.damage import DamageType, adjust_damage
from adventorator.rules.dice import Advantage
from adventorator.rules.engine import CheckInput, CheckKind, Dnd5eRuleset
from adventorator.rules.srd import Ability, RulesError, Skill
from tests.scripted import script

# The SRD 5.1 appendix's names (5e-SRD-Conditions.json), copied here, not read at run time.
SRD_NAMES = [
    *("blinded", "charmed", "deafened", "frightened", "grappled", "incapacitated"),
    *("invisible", "paralyzed", "petrified", "poisoned", "prone", "restrained"),
    *("stunned", "unconscious", "exhaustion"),
]


def test_the_fifteen_srd_conditions() -> None:
    assert sorted(SRD_CONDITION_NAMES) == sorted(SRD_NAMES)
    assert len(Condition) == 14  # exhaustion, with its levels, is the fifteenth


def outcome(effect: RollEffect) -> str:
    """One word for an effect: fail, adv, dis, straight (both) or "" (nothing)."""
    if effect.auto_fail:
        return "fail"
    return {
        (0, 0): "",
        (1, 0): "adv",
        (0, 1): "dis",
        (1, 1): "straight",
    }[(min(effect.advantage, 1), min(effect.disadvantage, 1))]


# condition: check, STR save, DEX save, CON save, own attack, against within 5 ft, beyond 5 ft,
# and whether a hit from within 5 ft is a critical. One row per SRD condition entry.
MATRIX: dict[Condition, tuple[str, str, str, str, str, str, str, bool]] = {
    # SRD Blinded: attacks against it have advantage, its attacks disadvantage.
    Condition.BLINDED: ("", "", "", "", "dis", "adv", "adv", False),
    # SRD Charmed and Deafened: nothing on the creature's own numbers (see below).
    Condition.CHARMED: ("", "", "", "", "", "", "", False),
    Condition.DEAFENED: ("", "", "", "", "", "", "", False),
    # SRD Frightened: disadvantage on checks and attacks while the source is in sight.
    Condition.FRIGHTENED: ("dis", "", "", "", "dis", "", "", False),
    # SRD Grappled and Incapacitated: speed and actions, not rolls.
    Condition.GRAPPLED: ("", "", "", "", "", "", "", False),
    Condition.INCAPACITATED: ("", "", "", "", "", "", "", False),
    # SRD Invisible: its attacks have advantage, attacks against it disadvantage.
    Condition.INVISIBLE: ("", "", "", "", "adv", "dis", "dis", False),
    # SRD Paralyzed: fails STR/DEX saves; attacks against have advantage; crit within 5 ft.
    Condition.PARALYZED: ("", "fail", "fail", "", "", "adv", "adv", True),
    # SRD Petrified: fails STR/DEX saves; attacks against have advantage.
    Condition.PETRIFIED: ("", "fail", "fail", "", "", "adv", "adv", False),
    # SRD Poisoned: disadvantage on attack rolls and ability checks.
    Condition.POISONED: ("dis", "", "", "", "dis", "", "", False),
    # SRD Prone: its attacks disadvantage; against it advantage within 5 ft, else disadvantage.
    Condition.PRONE: ("", "", "", "", "dis", "adv", "dis", False),
    # SRD Restrained: disadvantage on DEX saves and its attacks; attacks against advantage.
    Condition.RESTRAINED: ("", "", "dis", "", "dis", "adv", "adv", False),
    # SRD Stunned: fails STR/DEX saves; attacks against have advantage.
    Condition.STUNNED: ("", "fail", "fail", "", "", "adv", "adv", False),
    # SRD Unconscious: fails STR/DEX saves; attacks against advantage; crit within 5 ft.
    Condition.UNCONSCIOUS: ("", "fail", "fail", "", "", "adv", "adv", True),
}


def test_the_matrix_covers_every_condition() -> None:
    assert set(MATRIX) == set(Condition)


@pytest.mark.parametrize("condition", list(MATRIX), ids=str)
def test_condition_effect_on_rolls(condition: Condition) -> None:
    check, str_save, dex_save, con_save, attack, near, far, crit = MATRIX[condition]
    on = [condition]
    assert outcome(roll_modifiers(RollKind.CHECK, Ability.WIS, on)) == check
    assert outcome(roll_modifiers(RollKind.SAVE, Ability.STR, on)) == str_save
    assert outcome(roll_modifiers(RollKind.SAVE, Ability.DEX, on)) == dex_save
    assert outcome(roll_modifiers(RollKind.SAVE, Ability.CON, on)) == con_save
    assert outcome(roll_modifiers(RollKind.ATTACK, None, on)) == attack
    assert outcome(attack_modifiers(on, [], within_5_ft=True)) == attack
    assert outcome(attack_modifiers([], on, within_5_ft=True)) == near
    assert outcome(attack_modifiers([], on, within_5_ft=False)) == far
    assert attack_modifiers([], on, within_5_ft=True).auto_crit is crit
    assert attack_modifiers([], on, within_5_ft=False).auto_crit is False


@pytest.mark.parametrize(
    ("level", "check", "save", "attack"),
    [
        (0, "", "", ""),
        (1, "dis", "", ""),  # SRD Exhaustion 1: disadvantage on ability checks
        (2, "dis", "", ""),  # 2: speed halved (cumulative with 1)
        (3, "dis", "dis", "dis"),  # 3: disadvantage on attack rolls and saving throws
        (4, "dis", "dis", "dis"),
        (5, "dis", "dis", "dis"),
        (6, "dis", "dis", "dis"),
    ],
)
def test_exhaustion_on_rolls(level: int, check: str, save: str, attack: str) -> None:
    assert outcome(roll_modifiers(RollKind.CHECK, Ability.STR, [], level)) == check
    assert outcome(roll_modifiers(RollKind.SAVE, Ability.WIS, [], level)) == save
    assert outcome(attack_modifiers([], [], within_5_ft=True, attacker_exhaustion=level)) == attack


@pytest.mark.parametrize(
    ("level", "flags"),
    [
        (0, ()),
        (1, ("check_disadvantage",)),
        (2, ("check_disadvantage", "speed_halved")),
        (3, ("check_disadvantage", "speed_halved", "attack_and_save_disadvantage")),
        (4, ("check_disadvantage", "speed_halved", "attack_and_save_disadvantage",
             "hit_point_maximum_halved")),
        (5, ("check_disadvantage", "speed_halved", "attack_and_save_disadvantage",
             "hit_point_maximum_halved", "speed_zero")),
        (6, ("check_disadvantage", "speed_halved", "attack_and_save_disadvantage",
             "hit_point_maximum_halved", "speed_zero", "dead")),
    ],
)  # fmt: skip
def test_exhaustion_levels_are_cumulative(level: int, flags: tuple[str, ...]) -> None:
    # SRD Exhaustion: "suffers the effect of its current level ... as well as all lower levels".
    effects = exhaustion_effects(level)
    names = ("check_disadvantage", "speed_halved", "attack_and_save_disadvantage",
             "hit_point_maximum_halved", "speed_zero", "dead")  # fmt: skip
    assert tuple(n for n in names if getattr(effects, n)) == flags


@pytest.mark.parametrize("level", [-1, 7, True, 2.0])
def test_exhaustion_level_range(level: int) -> None:
    with pytest.raises(RulesError, match="exhaustion level"):
        exhaustion_effects(level)


# --- the reasons shown with each roll ------------------------------------------------------


def test_reasons_name_the_condition_and_the_rule() -> None:
    effect = attack_modifiers(["poisoned"], ["prone"], within_5_ft=False, attacker_exhaustion=3)
    assert effect.reason_texts == (
        "poisoned: disadvantage on attack rolls (SRD Conditions, Poisoned)",
        "exhaustion 3: disadvantage on attack rolls and saving throws (SRD Conditions, Exhaustion)",
        "target prone: disadvantage from beyond 5 ft (SRD Conditions, Prone)",
    )
    assert (effect.advantage, effect.disadvantage) == (0, 3)
    assert effect.advantage_state is Advantage.DISADVANTAGE


def test_auto_crit_reason() -> None:
    effect = attack_modifiers([], ["unconscious"], within_5_ft=True)
    assert effect.reason_texts == (
        "target unconscious: advantage on attacks against it (SRD Conditions, Unconscious)",
        "target unconscious: a hit from within 5 ft is a critical hit"
        " (SRD Conditions, Unconscious)",
    )


@pytest.mark.parametrize(
    ("attacker", "target", "near", "state"),
    [
        # SRD Advantage and Disadvantage: any of each cancel, whatever the numbers.
        (["poisoned"], ["restrained"], True, Advantage.NONE),
        (["poisoned", "prone", "blinded"], ["stunned"], True, Advantage.NONE),
        (["invisible"], ["invisible"], True, Advantage.NONE),
        (["invisible"], ["prone"], False, Advantage.NONE),
        (["invisible"], ["prone"], True, Advantage.ADVANTAGE),
        (["blinded"], ["blinded"], True, Advantage.NONE),
        ([], ["paralyzed", "prone"], False, Advantage.NONE),
        ([], ["paralyzed", "prone"], True, Advantage.ADVANTAGE),
    ],
)
def test_advantage_and_disadvantage_cancel(
    attacker: list[str], target: list[str], near: bool, state: Advantage
) -> None:
    assert attack_modifiers(attacker, target, within_5_ft=near).advantage_state is state


def test_frightened_only_while_the_source_is_in_sight() -> None:
    assert outcome(roll_modifiers(RollKind.CHECK, Ability.CHA, ["frightened"])) == "dis"
    away = roll_modifiers(RollKind.CHECK, Ability.CHA, ["frightened"], fear_source_in_sight=False)
    assert outcome(away) == ""
    assert outcome(attack_modifiers(["frightened"], [], within_5_ft=True,
                                    fear_source_in_sight=False)) == ""  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "sight", "hearing", "expected"),
    [
        ("blinded", True, False, "fail"),  # SRD Blinded: fails checks that require sight
        ("blinded", False, True, ""),
        ("deafened", False, True, "fail"),  # SRD Deafened: fails checks that require hearing
        ("deafened", True, False, ""),
    ],
)
def test_senses(condition: str, sight: bool, hearing: bool, expected: str) -> None:
    effect = roll_modifiers(
        CheckKind.SKILL, Ability.WIS, [condition], requires_sight=sight, requires_hearing=hearing
    )
    assert outcome(effect) == expected


def test_charmer_has_advantage_on_social_checks() -> None:
    # SRD Charmed: "The charmer has advantage on any ability check to interact socially".
    assert outcome(charmer_social_check(["charmed"])) == "adv"
    assert outcome(charmer_social_check(["poisoned"])) == ""


def test_petrified_suspends_poison() -> None:
    # SRD Petrified: immune to poison; a poison already in its system is suspended.
    assert effective_conditions(["petrified", "poisoned"]) == {
        Condition.PETRIFIED,
        Condition.INCAPACITATED,
    }
    assert outcome(roll_modifiers(RollKind.CHECK, Ability.INT, ["petrified", "poisoned"])) == ""


# --- applied to a real check --------------------------------------------------------------------


def test_check_with_conditions_rolls_the_worse_die() -> None:
    check = CheckInput(kind=CheckKind.SKILL, skill=Skill.STEALTH, score=14, dc=12)
    poisoned, effect = check_with_conditions(check, ["poisoned"])
    assert (poisoned.advantage, poisoned.disadvantage) == (0, 1)
    result = Dnd5eRuleset().perform_check(poisoned, rng=script(17, 4))
    assert (result.natural, result.total, result.success) == (4, 6, False)
    assert effect.reason_texts == (
        "poisoned: disadvantage on ability checks (SRD Conditions, Poisoned)",
    )


def test_check_with_conditions_keeps_the_callers_sources_and_reports_auto_fail() -> None:
    save = CheckInput(kind=CheckKind.SAVE, ability=Ability.DEX, score=16, advantage=1)
    same, effect = check_with_conditions(save, ["stunned"])
    assert same is save
    assert effect.auto_fail  # the caller reports a failed save
    restrained, _ = check_with_conditions(save, ["restrained"], 3)
    assert (restrained.advantage, restrained.disadvantage) == (1, 2)
    assert restrained.advantage_state is Advantage.NONE


# --- speed, hit point maximum, defences, incapacitated -----------------------------------------


@pytest.mark.parametrize(
    ("conditions", "exhaustion", "expected"),
    [
        ((), 0, 30),
        (("prone",), 0, 30),  # SRD Prone: crawling costs movement; speed itself is unchanged
        (("grappled",), 0, 0),  # SRD Grappled: speed becomes 0
        (("restrained",), 0, 0),  # SRD Restrained: speed becomes 0
        (("paralyzed",), 0, 0),  # can't move
        (("stunned",), 0, 0),
        (("unconscious",), 0, 0),
        (("petrified",), 0, 0),
        ((), 1, 30),
        ((), 2, 15),  # SRD Exhaustion 2: speed halved
        ((), 4, 15),
        ((), 5, 0),  # SRD Exhaustion 5: speed reduced to 0
    ],
)
def test_speed(conditions: tuple[str, ...], exhaustion: int, expected: int) -> None:
    assert speed(30, conditions, exhaustion)[0] == expected


def test_speed_halves_rounding_down_with_reason() -> None:
    feet, reasons = speed(25, [], 2)
    assert feet == 12
    assert [r.text for r in reasons] == ["exhaustion 2: speed halved (SRD Conditions, Exhaustion)"]


@pytest.mark.parametrize(
    ("maximum", "level", "expected"),
    [(45, 3, 45), (45, 4, 22), (45, 6, 22), (1, 4, 1)],  # SRD Exhaustion 4: maximum halved
)
def test_hit_point_maximum(maximum: int, level: int, expected: int) -> None:
    assert hit_point_maximum(maximum, level)[0] == expected


def test_petrified_resists_all_damage_and_is_immune_to_poison() -> None:
    defences, reasons = condition_defences(["petrified"])
    assert defences.resistances == frozenset(DamageType)
    kwargs = {"resistances": defences.resistances, "immunities": defences.immunities}
    assert adjust_damage(9, "slashing", **kwargs).amount == 4
    assert adjust_damage(9, "poison", **kwargs).amount == 0
    assert reasons[0] == "petrified: resistance to all damage (SRD Conditions, Petrified)"
    assert condition_defences(["prone"])[0].resistances == frozenset()


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (("incapacitated",), True),
        (("paralyzed",), True),  # each "is incapacitated (see the condition)"
        (("petrified",), True),
        (("stunned",), True),
        (("unconscious",), True),
        (("prone", "grappled", "poisoned"), False),
    ],
)
def test_incapacitated(conditions: tuple[str, ...], expected: bool) -> None:
    assert incapacitated(conditions) is expected


def test_falling_unconscious_also_means_prone() -> None:
    # SRD Unconscious: "drops whatever it's holding and falls prone".
    assert ALSO_GAINED[Condition.UNCONSCIOUS] == {Condition.PRONE}


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Poisoned", Condition.POISONED),
        ("  PRONE ", Condition.PRONE),
        ("paralysed", Condition.PARALYZED),
        ("Exhaustion", EXHAUSTION),
        ("exhausted", EXHAUSTION),
    ],
)
def test_parse_condition_name(name: str, expected: object) -> None:
    assert parse_condition_name(name) == expected


def test_parse_condition_refuses_unknown_and_levelless_exhaustion() -> None:
    with pytest.raises(RulesError, match="valid conditions: blinded, charmed"):
        parse_condition("sleepy")
    with pytest.raises(RulesError, match="levels 1-6"):
        parse_condition("exhaustion")


# --- properties -------------------------------------------------------------------------------


condition_sets = st.frozensets(st.sampled_from(list(Condition)))


@given(condition_sets, condition_sets, st.booleans(), st.integers(0, 6))
def test_every_change_has_a_reason(
    attacker: frozenset[Condition], target: frozenset[Condition], near: bool, level: int
) -> None:
    effect = attack_modifiers(attacker, target, within_5_ft=near, attacker_exhaustion=level)
    crits = sum("critical hit" in text for text in effect.reason_texts)
    assert effect.advantage + effect.disadvantage + crits == len(effect.reasons)
    assert effect.auto_crit is (crits > 0)
    assert all("(SRD Conditions, " in text for text in effect.reason_texts)


@given(condition_sets, st.sampled_from(list(Ability)), st.integers(0, 6))
def test_only_strength_and_dexterity_saves_fail_automatically(
    conditions: frozenset[Condition], ability: Ability, level: int
) -> None:
    effect = roll_modifiers(RollKind.SAVE, ability, conditions, level)
    if ability not in (Ability.STR, Ability.DEX):
        assert not effect.auto_fail
