"""``monster_sheet``: every SRD monster is a valid sheet whose attacks derive the stat block's."""

from __future__ import annotations

import re

import pytest

from adventorator.rules import Dnd5eRuleset, Proficiency
from adventorator.rules.monsters import Monster, all_monsters, find_monster
from adventorator.rules.srd import Ability, Skill
from adventorator.sheet import (
    CharacterSheet,
    DerivedValues,
    Feature,
    attack_profile,
    monster_sheet,
    parse_sheet_data,
)

RULESET = Dnd5eRuleset()

# A sheet adds the attack's ability modifier to its damage dice. Where no ability's
# modifier is the listed damage modifier, the difference is written into the dice
# ("1d4-3" + STR +3): the same dice and total, not the same text.
NO_MATCHING_MODIFIER = {
    ("barbed-devil", "Hurl Flame"),
    ("bat", "Bite"),
    ("camel", "Bite"),
    ("drider", "Bite"),
    ("efreeti", "Hurl Flame"),
    ("gelatinous-cube", "Pseudopod"),
    ("hawk", "Talons"),
    ("horned-devil", "Hurl Flame"),
    ("owl", "Talons"),
    ("quipper", "Bite"),
    ("raven", "Beak"),
    ("swarm-of-quippers", "Bites"),
    ("swarm-of-ravens", "Beaks"),
    ("weasel", "Bite"),
    # The SRD lists +5 damage with STR 18 (+4) for both of its attacks.
    ("saber-toothed-tiger", "Bite"),
    ("saber-toothed-tiger", "Claw"),
}


def _terms(expression: str) -> tuple[list[str], int]:
    """The dice and the flat total of "2d6+4-1": (["2d6"], 3)."""
    dice = sorted(re.findall(r"\d+d\d+", expression))
    flat = sum(int(n) for n in re.findall(r"[+-]?\d+(?!d|\d)", re.sub(r"\d+d\d+", "", expression)))
    return dice, flat


def _sheet(monster: Monster) -> CharacterSheet:
    return monster_sheet(monster, name=monster.name[:100], hit_points=monster.hit_points)


def test_terms_helper() -> None:
    assert _terms("2d6+4-1") == (["2d6"], 3)
    assert _terms("1") == ([], 1)
    assert _terms("-2+3") == ([], 1)
    assert _terms("1d4-3+3") == (["1d4"], 0)


@pytest.mark.parametrize("monster", all_monsters(), ids=lambda m: m.index)
def test_every_monster_sheet_is_valid_and_attacks_as_listed(monster: Monster) -> None:
    sheet = _sheet(monster)
    assert parse_sheet_data(sheet.to_data()) == sheet  # valid as a stored document too
    assert sheet.monster == monster.index
    assert DerivedValues(sheet, RULESET).pb == min(monster.proficiency_bonus, 6)
    assert sheet.ac == monster.ac
    assert [a.name for a in sheet.attacks] == [a.name for a in monster.attacks]
    for listed, attack in zip(monster.attacks, sheet.attacks, strict=True):
        profile = attack_profile(
            attack,
            scores=dict(sheet.abilities),
            level=sheet.level,
            features=sheet.features,
            halfling_lucky=Feature.HALFLING_LUCKY in sheet.flags,
            ruleset=RULESET,
        )
        first, *extra = listed.damage
        assert profile.attack_bonus == listed.attack_bonus
        assert profile.damage_type == first.type.value
        assert _terms(profile.damage) == _terms(first.dice)
        if (monster.index, listed.name) not in NO_MATCHING_MODIFIER:
            assert profile.damage == first.dice
        assert [(x.damage, x.damage_type, x.once_per_turn) for x in profile.extras] == [
            (p.dice, p.type.value, False) for p in extra
        ]


def test_the_exceptions_are_still_exceptions() -> None:
    # If the data or the mapping changes so that one matches exactly, drop it from the list.
    for index, name in NO_MATCHING_MODIFIER:
        monster = find_monster(index)
        sheet = _sheet(monster)
        listed = next(a for a in monster.attacks if a.name == name)
        attack = next(a for a in sheet.attacks if a.name == name)
        profile = attack_profile(
            attack,
            scores=dict(sheet.abilities),
            level=sheet.level,
            features=(),
            halfling_lucky=False,
            ruleset=RULESET,
        )
        assert profile.damage != listed.damage[0].dice, (index, name)


def test_goblin_sheet() -> None:
    sheet = monster_sheet(find_monster("goblin"), name="goblin 2", hit_points=9)
    assert (sheet.name, sheet.monster, sheet.level, sheet.species) == (
        "goblin 2",
        "goblin",
        1,
        "Goblin",
    )
    assert sheet.hp is not None
    assert (sheet.hp.max, sheet.hp.current) == (9, 9)
    assert sheet.skills == {Skill.STEALTH: Proficiency.EXPERTISE}  # +6 = DEX 2 + 2 x PB 2
    assert DerivedValues(sheet, RULESET).skill_bonus("stealth") == 6
    assert sheet.senses.darkvision == 60
    scimitar, shortbow = sheet.attacks
    assert (scimitar.ability, scimitar.damage, scimitar.damage_type, scimitar.ranged) == (
        "dex",
        "1d6",
        "slashing",
        False,
    )
    assert (shortbow.ability, shortbow.ranged, shortbow.damage_type) == ("dex", True, "piercing")


def test_dragon_sheet_has_its_defences_and_multiattack() -> None:
    sheet = _sheet(find_monster("adult-red-dragon"))
    assert [t.value for t in sheet.immunities] == ["fire"]
    assert sheet.level == 17  # CR 17: PB +6
    assert set(sheet.saves) == {Ability.DEX, Ability.CON, Ability.WIS, Ability.CHA}
    derived = DerivedValues(sheet, RULESET)
    assert [derived.save_bonus(a) for a in ("dex", "con", "wis", "cha")] == [6, 13, 7, 11]
    assert "Multiattack: The dragon can use its Frightful Presence." in sheet.notes
    bite = next(a for a in sheet.attacks if a.name == "Bite")
    assert [(x.damage, x.type) for x in bite.extra] == [("2d6", "fire")]
    assert sheet.speed.fly == 80


def test_undead_sheet_has_condition_immunities_and_vulnerabilities() -> None:
    sheet = _sheet(find_monster("skeleton"))
    assert {c.value for c in sheet.condition_immunities} == {"exhaustion", "poisoned"}
    assert [t.value for t in sheet.vulnerabilities] == ["bludgeoning"]
    assert [t.value for t in sheet.immunities] == ["poison"]


def test_proficiency_above_the_table_is_noted() -> None:
    tarrasque = find_monster("tarrasque")
    assert tarrasque.proficiency_bonus == 9
    sheet = _sheet(tarrasque)
    assert sheet.level == 17
    assert "Proficiency bonus +9 in the SRD" in sheet.notes
    bite = next(a for a in sheet.attacks if a.name == "Bite")
    assert bite.bonus == 3  # the +9 - +6 the sheet's table gives


def test_nonmagical_qualifiers_are_in_the_notes() -> None:
    sheet = _sheet(find_monster("werewolf-human"))
    assert {"bludgeoning", "piercing", "slashing"} <= {t.value for t in sheet.immunities}
    assert "nonmagical weapons that aren't silvered" in sheet.notes


def test_alternative_damage_is_in_the_notes() -> None:
    sheet = _sheet(find_monster("veteran"))
    assert "Longsword: 1d8+3 slashing (One handed); or 1d10+3 slashing (Two handed)." in sheet.notes


def test_saves_and_skills_the_sheet_cannot_match_are_noted() -> None:
    mismatched = 0
    for monster in all_monsters():
        sheet = _sheet(monster)
        derived = DerivedValues(sheet, RULESET)
        for ability, listed in monster.saves.items():
            if derived.save_bonus(ability) != listed:
                mismatched += 1
                assert f"{ability.value.upper()} save is +{listed} in the SRD" in sheet.notes
        for skill, listed in monster.skills.items():
            if derived.skill_bonus(skill) != listed:
                mismatched += 1
                assert f"{skill.long} is +{listed} in the SRD" in sheet.notes
    assert mismatched <= 81  # of 714 listed; 76 are PB 7-9 monsters (the sheet stops at +6)
