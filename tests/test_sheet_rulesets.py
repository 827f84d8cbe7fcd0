"""A sheet's derived numbers come from the ruleset the caller passes, not a built-in one.

``HouseProficiency`` is a real ``Dnd5eRuleset`` with one table changed (a flat
+4 proficiency bonus at every level), so each number that involves the
proficiency bonus must move with it while the rest stay D&D 5e.
"""

from __future__ import annotations

from typing import Any

from adventorator.rules import CheckKind, Dnd5eRuleset, Proficiency, Ruleset, Skill
from adventorator.sheet import CharacterSheet, DerivedValues, parse_sheet_data
from tests.scripted import script

SCORES = {"str": 10, "dex": 16, "con": 10, "int": 10, "wis": 14, "cha": 10}


class HouseProficiency(Dnd5eRuleset):
    """D&D 5e with a house rule: +4 proficiency from level 1."""

    name = "house"

    def proficiency_bonus(self, level: int) -> int:
        return 4


def level_one(**fields: Any) -> CharacterSheet:
    data = {"name": "Pip", "class": "Rogue", "level": 1, "abilities": SCORES} | fields
    return parse_sheet_data(data)


ROGUE = level_one(skills={"stealth": "expertise", "perception": "proficient"}, saves=["dex", "int"])
BARD = level_one(**{"class": "Bard", "features": ["Jack of All Trades"]})


def test_the_proficiency_bonus_and_everything_built_on_it_follow_the_ruleset() -> None:
    srd, house = DerivedValues(ROGUE, Dnd5eRuleset()), DerivedValues(ROGUE, HouseProficiency())
    assert (srd.pb, house.pb) == (2, 4)
    assert (srd.skill_bonus("stealth"), house.skill_bonus("stealth")) == (3 + 4, 3 + 8)
    assert (srd.save_bonus("dex"), house.save_bonus("dex")) == (3 + 2, 3 + 4)
    assert (srd.passive(Skill.PERCEPTION), house.passive(Skill.PERCEPTION)) == (14, 16)
    # What does not involve the bonus stays D&D 5e.
    assert srd.modifier("dex") == house.modifier("dex") == 3
    assert srd.skill_bonus("acrobatics") == house.skill_bonus("acrobatics") == 3
    assert srd.save_bonus("wis") == house.save_bonus("wis") == 2


def test_half_proficiency_features_and_initiative_follow_the_ruleset() -> None:
    srd, house = DerivedValues(BARD, Dnd5eRuleset()), DerivedValues(BARD, HouseProficiency())
    assert (srd.initiative, house.initiative) == (3 + 1, 3 + 2)  # Jack of All Trades: pb // 2
    assert (srd.skill_bonus("arcana"), house.skill_bonus("arcana")) == (0 + 1, 0 + 2)
    assert house.shown_proficiency("arcana") is Proficiency.HALF


def test_to_json_is_the_rulesets() -> None:
    srd = DerivedValues(ROGUE, Dnd5eRuleset()).to_json()
    house = DerivedValues(ROGUE, HouseProficiency()).to_json()
    assert (srd["proficiency_bonus"], house["proficiency_bonus"]) == (2, 4)
    assert house["skills"]["stealth"] == {"ability": "dex", "bonus": 11, "proficiency": "expertise"}
    assert house["saves"]["dex"] == {"bonus": 7, "proficient": True}
    assert house["passive"]["perception"] == 16
    assert house["abilities"] == srd["abilities"]


def test_a_stated_bonus_does_not_override_the_ruleset() -> None:
    stated = level_one(proficiency_bonus=2, skills={"stealth": "proficient"})
    assert DerivedValues(stated, HouseProficiency()).skill_bonus("stealth") == 3 + 4


def test_check_input_and_the_roll_use_the_rulesets_bonus() -> None:
    ruleset: Ruleset = HouseProficiency()
    check = ROGUE.check_input(ruleset, CheckKind.SKILL, skill="stealth", dc=15)
    assert check.proficiency_bonus == 4
    result = ruleset.perform_check(check, rng=script(4))
    assert [(m.source, m.value) for m in result.breakdown] == [
        ("DEX modifier", 3),
        ("proficiency (expertise)", 8),
    ]
    assert (result.total, result.success) == (4 + 11, True)
