"""CharacterSheet: derived numbers against the SRD, parsing, error messages, merge patch."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from adventorator.errors import InputError
from adventorator.rules import (
    Ability,
    CheckInput,
    CheckKind,
    CheckResult,
    Dnd5eRuleset,
    Proficiency,
    RulesError,
    Skill,
)
from adventorator.sheet import (
    MAX_SHEET_BYTES,
    CharacterSheet,
    Condition,
    DerivedValues,
    Feature,
    SheetError,
    apply_merge_patch,
    merge_patch,
    parse_patch_json,
    parse_sheet_data,
    parse_sheet_json,
)
from tests.scripted import script

RULES = Dnd5eRuleset()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DASH = "\u2013"  # the en dash that error messages put in ranges
SCORES = {"str": 10, "dex": 10, "con": 10, "int": 10, "wis": 10, "cha": 10}


def rolled(check: CheckInput, *faces: int) -> CheckResult:
    """Roll ``check`` on scripted faces and insist every face was used."""
    rng = script(*faces)
    result = RULES.perform_check(check, rng=rng)
    assert rng.faces == [], f"unused scripted faces: {rng.faces}"
    return result


def numbers(character: CharacterSheet) -> DerivedValues:
    """The sheet's derived numbers under D&D 5e."""
    return DerivedValues(character, RULES)


def sheet(**fields: Any) -> CharacterSheet:
    """A valid level 1 sheet with average scores, overridden by ``fields``."""
    data: dict[str, Any] = {"name": "Test", "class": "Fighter", "level": 1, "abilities": SCORES}
    data.update(fields)
    return parse_sheet_data(data)


def problems(data: Any) -> list[str]:
    with pytest.raises(SheetError) as caught:
        parse_sheet_data(data)
    return caught.value.problems


def base(**fields: Any) -> dict[str, Any]:
    return {"name": "Test", "class": "Fighter", "level": 1, "abilities": SCORES} | fields


def example(name: str) -> CharacterSheet:
    return parse_sheet_json((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


# --- derived numbers: SRD worked examples --------------------------------------------------


def test_passive_perception_srd_example() -> None:
    # SRD: a level 1 character with WIS 15 and proficiency in Perception has passive 14.
    character = sheet(abilities=SCORES | {"wis": 15}, skills={"perception": "proficient"})
    assert numbers(character).passive(Skill.PERCEPTION) == 14
    assert numbers(character).to_json()["passive"]["perception"] == 14
    assert numbers(character).passive(Skill.PERCEPTION, advantage=1) == 19
    assert numbers(character).passive(Skill.PERCEPTION, disadvantage=1) == 9


@pytest.mark.parametrize(
    ("score", "modifier"), [(1, -5), (3, -4), (8, -1), (9, -1), (10, 0), (11, 0), (15, 2), (30, 10)]
)
def test_ability_modifiers_follow_the_srd_table(score: int, modifier: int) -> None:
    values = numbers(sheet(abilities=SCORES | {"cha": score}))
    assert values.modifier("cha") == modifier
    assert values.to_json()["abilities"]["cha"] == {"score": score, "modifier": modifier}


def test_proficiency_bonus_is_derived_from_level() -> None:
    table = {1: 2, 4: 2, 5: 3, 8: 3, 9: 4, 12: 4, 13: 5, 16: 5, 17: 6, 20: 6}
    for level, bonus in table.items():
        character = sheet(level=level)
        assert character.proficiency_bonus is None  # derived, never stored
        assert numbers(character).pb == bonus
        assert numbers(character).to_json()["proficiency_bonus"] == bonus


def test_skill_and_save_bonuses_with_proficiency_and_expertise() -> None:
    character = sheet(
        level=5,  # +3
        abilities=SCORES | {"dex": 16, "int": 8},
        skills={"stealth": "expertise", "acrobatics": True, "arcana": "proficient"},
        saves=["dex", "int"],
    )
    assert numbers(character).skill_bonus("stealth") == 3 + 2 * 3
    assert numbers(character).skill_bonus("acrobatics") == 3 + 3
    assert numbers(character).skill_bonus("arcana") == -1 + 3
    assert numbers(character).skill_bonus("sleight of hand") == 3
    assert numbers(character).save_bonus("dex") == 6
    assert numbers(character).save_bonus("int") == 2
    assert numbers(character).save_bonus("str") == 0
    assert numbers(character).initiative == 3
    derived = numbers(character).to_json()
    assert derived["skills"]["stealth"] == {
        "ability": "dex",
        "bonus": 9,
        "proficiency": "expertise",
    }
    assert derived["saves"]["dex"] == {"bonus": 6, "proficient": True}


def test_jack_of_all_trades_adds_half_proficiency_rounded_down_to_checks_only() -> None:
    bard = sheet(
        level=5,  # +3, so half is +1
        abilities=SCORES | {"dex": 14, "cha": 16},
        skills={"persuasion": "proficient"},
        saves=["cha"],
        features=["Jack of All Trades"],
    )
    assert Feature.JACK_OF_ALL_TRADES in bard.flags
    assert numbers(bard).skill_bonus("acrobatics") == 2 + 1
    assert numbers(bard).skill_bonus("persuasion") == 3 + 3  # the full bonus, not both
    assert numbers(bard).ability_check_bonus("str") == 0 + 1
    assert numbers(bard).initiative == 2 + 1  # initiative is a Dexterity check
    assert numbers(bard).save_bonus("dex") == 2  # never on saves
    assert numbers(bard).save_bonus("cha") == 3 + 3
    assert numbers(bard).to_json()["skills"]["acrobatics"]["proficiency"] == "half"
    assert numbers(bard).to_json()["skills"]["persuasion"]["proficiency"] == "proficient"


def test_remarkable_athlete_rounds_up_and_only_helps_physical_checks() -> None:
    champion = sheet(
        level=7,  # +3, so half rounded up is +2
        abilities=SCORES | {"str": 16, "dex": 14},
        skills={"athletics": "proficient"},
        features=["remarkable-athlete"],
    )
    assert numbers(champion).skill_bonus("acrobatics") == 2 + 2
    assert numbers(champion).skill_bonus("athletics") == 3 + 3
    assert numbers(champion).skill_bonus("history") == 0
    assert numbers(champion).ability_check_bonus("con") == 0 + 2
    assert numbers(champion).save_bonus("str") == 3
    assert numbers(champion).initiative == 2 + 2


def test_reliable_talent_through_check_input_and_the_rules_engine() -> None:
    rogue = sheet(
        level=11,  # +4
        abilities=SCORES | {"dex": 16},
        skills={"stealth": "proficient"},
        features=["Reliable Talent"],
    )
    check = rogue.check_input(RULES, CheckKind.SKILL, skill="stealth", dc=15)
    assert check.reliable_talent
    assert check.proficiency is Proficiency.PROFICIENT
    result = rolled(check, 3)
    assert (result.natural, result.d20, result.total) == (3, 10, 10 + 3 + 4)
    assert result.success is True

    # Without proficiency, Reliable Talent does not apply: the 3 stays a 3.
    unproficient = rogue.check_input(RULES, CheckKind.SKILL, skill="acrobatics", dc=15)
    result = rolled(unproficient, 3)
    assert (result.d20, result.total, result.success) == (3, 3 + 3, False)


def test_halfling_lucky_rerolls_a_natural_one() -> None:
    halfling = sheet(features=["Halfling Luck"])
    check = halfling.check_input(RULES, "ability", ability="wis")
    assert check.halfling_lucky
    result = rolled(check, 1, 17)
    assert result.natural == 17


def test_check_input_uses_the_sheets_real_stats() -> None:
    character = sheet(
        level=9,
        abilities=SCORES | {"str": 18, "cha": 12},
        skills={"intimidation": "expertise"},
        saves=["Strength"],
    )
    check = character.check_input(
        RULES, "skill", skill="Intimidation", ability="STR", advantage=1, bonus_dice=["1d4"]
    )
    assert check.resolved_ability is Ability.STR  # Strength (Intimidation)
    assert check.ability_score == 18
    assert check.proficiency is Proficiency.EXPERTISE
    assert check.resolved_proficiency_bonus == 4
    assert check.advantage == 1
    assert check.bonus_dice == ("1d4",)
    assert RULES.check_modifier(check) == 4 + 8

    save = character.check_input(RULES, CheckKind.SAVE, ability="strength")
    assert save.proficiency is Proficiency.PROFICIENT
    assert RULES.check_modifier(save) == 4 + 4


def test_check_input_refuses_impossible_rolls() -> None:
    character = sheet()
    with pytest.raises(RulesError, match="check kind must be one of"):
        character.check_input(RULES, "attack", ability="str")
    with pytest.raises(RulesError, match="has no skill"):
        character.check_input(RULES, CheckKind.SAVE, ability="dex", skill="stealth")
    with pytest.raises(RulesError, match="unknown skill 'stelth'"):
        character.check_input(RULES, CheckKind.SKILL, skill="stelth")
    with pytest.raises(RulesError, match="DC must be 1-40"):
        character.check_input(RULES, CheckKind.SKILL, skill="stealth", dc=99)


def test_derived_is_complete_and_json_ready() -> None:
    derived = numbers(example("rogue")).to_json()
    assert json.loads(json.dumps(derived)) == derived
    assert set(derived) == {
        "proficiency_bonus",
        "abilities",
        "saves",
        "skills",
        "passive",
        "initiative",
    }
    assert list(derived["abilities"]) == ["str", "dex", "con", "int", "wis", "cha"]
    assert sorted(derived["skills"]) == sorted(skill.value for skill in Skill)
    assert set(derived["passive"]) == {"perception", "investigation", "insight"}


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["dex", "DEX", "Dex", "dexterity", "Dexterity", "DEXTERITY"])
def test_ability_keys_in_any_form(key: str) -> None:
    scores = {"str": 8, key: 17, "con": 12, "int": 10, "wis": 13, "cha": 14}
    character = sheet(abilities=scores)
    assert character.abilities[Ability.DEX] == 17
    assert list(character.to_data()["abilities"]) == ["str", "dex", "con", "int", "wis", "cha"]


@pytest.mark.parametrize(
    "key", ["Sleight of Hand", "sleight-of-hand", "SLEIGHT_OF_HAND", "sleight_of_hand"]
)
def test_skill_keys_in_any_form(key: str) -> None:
    character = sheet(skills={key: "Expertise"})
    assert character.skills == {Skill.SLEIGHT_OF_HAND: Proficiency.EXPERTISE}
    assert character.to_data()["skills"] == {"sleight_of_hand": "expertise"}


def test_saves_conditions_and_features_are_normalised() -> None:
    character = sheet(
        saves=["Wisdom", "CHA", "wis"],
        conditions=["Poisoned", "PRONE", "poisoned"],
        features=["jack of all trades", "Jack-Of-All-Trades", "Song of Rest (d6)"],
        race="Halfling",
    )
    assert character.saves == [Ability.WIS, Ability.CHA]
    assert character.conditions == [Condition.POISONED, Condition.PRONE]
    assert character.features == ["jack_of_all_trades", "Song of Rest (d6)"]
    assert character.species == "Halfling"
    data = character.to_data()
    assert (data["saves"], data["conditions"]) == (["wis", "cha"], ["poisoned", "prone"])


def test_shorthands_for_speed_inventory_and_hit_points() -> None:
    character = sheet(
        speed=25, inventory=["Rope", {"name": "Dagger", "quantity": 2}], hp={"max": 9}
    )
    data = character.to_data()
    assert data["speed"] == {"walk": 25}
    assert data["inventory"][0] == {"name": "Rope", "quantity": 1, "notes": ""}
    assert data["hp"] == {"current": 9, "max": 9, "temp": 0}


def test_proficiency_bonus_may_be_given_when_it_matches() -> None:
    assert numbers(sheet(level=9, proficiency_bonus=4)).pb == 4


# --- errors ---------------------------------------------------------------------------------


def test_proficiency_bonus_that_contradicts_the_level() -> None:
    assert problems(base(level=5, proficiency_bonus=2)) == [
        "proficiency_bonus: level 5 has a proficiency bonus of +3, got 2 "
        "(leave it out to derive it from the level)"
    ]


def test_oversized_documents_are_refused_before_parsing() -> None:
    text = '{"name": "' + "x" * (70_123 - 12) + '"}'
    assert len(text.encode("utf-8")) == 70_123
    with pytest.raises(SheetError) as caught:
        parse_sheet_json(text)
    assert caught.value.message == "sheet document is 70,123 bytes; the limit is 65,536"
    assert MAX_SHEET_BYTES == 65_536
    # The limit counts UTF-8 bytes, not characters.
    with pytest.raises(SheetError, match="bytes; the limit"):
        parse_sheet_json('"' + "é" * 33_000 + '"')


def test_invalid_json_reports_line_and_column() -> None:
    text = '{\n  "name": "Wren"\n    "class": "Rogue"\n}'
    with pytest.raises(SheetError) as caught:
        parse_sheet_json(text)
    assert caught.value.message == "invalid JSON at line 3, column 5: Expecting ',' delimiter"
    assert caught.value.context_lines() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "invalid JSON at line 1, column 1: Expecting value"),
        ('{"level": NaN}', "invalid JSON: NaN is not a JSON value"),
        ('{"level": 1, "level": 2}', "invalid JSON: key 'level' appears twice in one object"),
        ("[" * 100_000, "sheet document is 100,000 bytes; the limit is 65,536"),
        ("[" * 60_000, "invalid JSON: the document is nested too deeply"),
    ],
)
def test_other_bad_documents(text: str, message: str) -> None:
    with pytest.raises(SheetError) as caught:
        parse_sheet_json(text)
    assert caught.value.message == message


# The sheet's fields in declaration order; the play-state and attack fields sit
# before inventory, spells and notes.
VALID_FIELDS = (
    "name, monster, class, subclass, species, background, level, proficiency_bonus, abilities, "
    "saves, skills, features, ac, hp, speed, senses, conditions, exhaustion, concentration, "
    "resistances, immunities, vulnerabilities, condition_immunities, inventory, spells, attacks, "
    "notes"
)


def test_every_schema_problem_is_reported_with_its_path() -> None:
    data = base(
        level=21,
        abilities={"str": 10, "dex": 31, "con": 10, "int": 10, "wis": 10, "cha": 10},
        skills={"stelth": "proficient"},
        colour="red",
    )
    with pytest.raises(SheetError) as caught:
        parse_sheet_data(data)
    error = caught.value
    assert isinstance(error, InputError)
    assert error.exit_code == 2
    valid_skills = ", ".join(sorted(skill.value for skill in Skill))
    assert error.problems == [
        f"level: must be 1{DASH}20, got 21",
        f"abilities.dex: must be 1{DASH}30, got 31",
        f"skills: unknown skill 'stelth' (valid: {valid_skills})",
        f"unknown field 'colour' (valid: {VALID_FIELDS})",
    ]
    assert error.message == "invalid character sheet: 4 problems"
    assert "\n" not in error.message
    assert error.context_lines() == error.problems


VALID_ABILITIES = "valid: str, dex, con, int, wis, cha or full names"
VALID_CONDITIONS = (
    "valid: blinded, charmed, deafened, exhaustion, frightened, grappled, incapacitated, "
    "invisible, paralyzed, petrified, poisoned, prone, restrained, stunned, unconscious"
)
PROBLEM_CASES: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name: must not be empty"),
    ({"name": "x" * 101}, "name: must be at most 100 characters, got 101"),
    ({"level": "3"}, f'level: must be a whole number (1{DASH}20), got "3"'),
    ({"level": True}, f"level: must be a whole number (1{DASH}20), got true"),
    (
        {"abilities": SCORES | {"Luck": 3}},
        f"abilities: unknown ability 'Luck' ({VALID_ABILITIES})",
    ),
    (
        {"abilities": {k: v for k, v in SCORES.items() if k != "dex"}},
        "abilities.dex: missing (all six ability scores are required)",
    ),
    (
        {"abilities": SCORES | {"DEX": 3}},
        "abilities: ability dex is given twice (as 'dex' and 'DEX')",
    ),
    (
        {"skills": {"arcana": "expert"}},
        'skills.arcana: must be "proficient", "expertise" or true, got "expert"',
    ),
    (
        {"skills": {"history": False}},
        'skills.history: must be "proficient", "expertise" or true, got false '
        "(leave out a skill you are not proficient in)",
    ),
    (
        {"skills": {"Stealth": True, "stealth": True}},
        "skills: skill stealth is given twice (as 'Stealth' and 'stealth')",
    ),
    ({"saves": ["luck"]}, f"saves[0]: unknown ability 'luck' ({VALID_ABILITIES})"),
    (
        {"features": ["Reliable Talant"]},
        "features: 'Reliable Talant' looks like a misspelling of reliable_talent "
        "(spell it exactly for the rules to apply it)",
    ),
    ({"hp": {"max": 10, "current": 12}}, "hp: current must be at most max (10), got 12"),
    ({"hp": {"max": 10, "tmp": 2}}, "hp: unknown field 'tmp' (did you mean 'temp'?)"),
    ({"hp": {"current": 3}}, "hp: missing required field 'max'"),
    (
        {"inventory": [{"name": "Rope", "qty": 2}]},
        "inventory[0]: unknown field 'qty' (valid: name, quantity, notes)",
    ),
    ({"conditions": ["sleepy"]}, f"conditions[0]: unknown condition 'sleepy' ({VALID_CONDITIONS})"),
    ({"speed": "fast"}, 'speed: must be a JSON object, got "fast"'),
    ({"senses": {"darkvision": -5}}, f"senses.darkvision: must be 0{DASH}1000, got -5"),
    (
        {"race": "Elf", "species": "Elf"},
        "race: give race or species, not both (they are the same field)",
    ),
    ({"subclas": "Thief"}, "unknown field 'subclas' (did you mean 'subclass'?)"),
]


@pytest.mark.parametrize(("fields", "problem"), PROBLEM_CASES)
def test_each_schema_problem(fields: dict[str, Any], problem: str) -> None:
    assert problems(base(**fields)) == [problem]


def test_missing_fields_and_a_non_object() -> None:
    assert problems({"name": "Wren"}) == [
        "missing required field 'class'",
        "missing required field 'level'",
        "missing required field 'abilities'",
    ]
    assert problems([1, 2]) == ["the sheet must be a JSON object, got [1, 2]"]


def test_the_sheet_is_immutable() -> None:
    character = sheet()
    with pytest.raises(ValueError, match="frozen"):
        character.level = 2  # type: ignore[misc]


# --- JSON Merge Patch -----------------------------------------------------------------------

# RFC 7396, Appendix A: (original, patch, result).
RFC7396_CASES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("original", "patch", "result"), RFC7396_CASES)
def test_merge_patch_rfc7396_appendix(original: Any, patch: Any, result: Any) -> None:
    before = copy.deepcopy(original)
    assert merge_patch(original, patch) == result
    assert original == before  # the target is not modified


def test_apply_merge_patch_for_sheet_update() -> None:
    stored = example("rogue").to_data()
    patch: dict[str, Any] = {
        "level": 6,
        "subclass": None,
        "abilities": {"DEX": 20},
        "hp": {"current": 12},
    }
    patch |= {"skills": {"Sleight of Hand": None, "Perception": "expertise"}, "race": "Halfling"}
    updated = parse_sheet_data(apply_merge_patch(stored, patch))
    assert (updated.level, updated.subclass, updated.species) == (6, None, "Halfling")
    assert updated.abilities[Ability.DEX] == 20
    assert updated.hp is not None
    assert (updated.hp.current, updated.hp.max) == (12, 38)
    assert Skill.SLEIGHT_OF_HAND not in updated.skills
    assert updated.skills[Skill.PERCEPTION] is Proficiency.EXPERTISE
    assert stored == example("rogue").to_data()  # the stored document is untouched


def test_a_patch_must_be_an_object() -> None:
    with pytest.raises(SheetError, match=r"a sheet patch must be a JSON object, got \[1\]"):
        parse_patch_json("[1]")
    assert parse_patch_json('{"level": 4}') == {"level": 4}
    with pytest.raises(SheetError, match="invalid JSON at line 1, column 2"):
        parse_patch_json("{level: 4}")


def test_a_patch_that_breaks_the_sheet_is_reported() -> None:
    merged = apply_merge_patch(example("fighter").to_data(), {"abilities": {"str": None}})
    assert problems(merged) == ["abilities.str: missing (all six ability scores are required)"]


# --- examples, round trips, JSON Schema -----------------------------------------------------


def test_rogue_example_stealth_adds_double_proficiency() -> None:
    rogue = example("rogue")
    assert rogue.class_name == "Rogue"
    assert rogue.level >= 3
    assert rogue.abilities[Ability.DEX] >= 16
    assert rogue.skill_proficiency("stealth") is Proficiency.EXPERTISE
    check = rogue.check_input(RULES, CheckKind.SKILL, skill="stealth", dc=15)
    expected = numbers(rogue).modifier("dex") + 2 * numbers(rogue).pb
    assert RULES.check_modifier(check) == numbers(rogue).skill_bonus("stealth") == expected == 10
    result = rolled(check, 7)
    assert (result.total, result.success) == (7 + expected, True)


def test_fighter_and_bard_examples() -> None:
    fighter, bard = example("fighter"), example("bard")
    assert fighter.subclass == "Champion"
    assert fighter.level >= 7
    assert Feature.REMARKABLE_ATHLETE in fighter.flags
    champion, bard_values = numbers(fighter), numbers(bard)
    assert champion.skill_bonus("acrobatics") == champion.modifier("dex") + 2  # ceil(3 / 2)
    assert Feature.JACK_OF_ALL_TRADES in bard.flags
    assert bard_values.skill_bonus("stealth") == bard_values.modifier("dex") + bard_values.pb // 2


@pytest.mark.parametrize("name", ["rogue", "fighter", "bard"])
def test_json_round_trip(name: str) -> None:
    character = example(name)
    dumped = character.model_dump(by_alias=True, mode="json")
    assert parse_sheet_data(dumped) == character
    assert parse_sheet_json(json.dumps(dumped)) == character
    assert parse_sheet_data(character.to_data()) == character


def test_round_trip_of_a_sheet_written_loosely() -> None:
    loose = base(
        abilities={"Strength": 8, "DEX": 14, "con": 12, "Int": 10, "WISDOM": 15, "cha": 11},
        skills={"Animal Handling": True},
        race="Elf",
        speed=35,
        inventory=["Rope"],
        features=["Halfling-Lucky"],
    )
    character = parse_sheet_data(loose)
    assert parse_sheet_data(character.model_dump(by_alias=True, mode="json")) == character


def _schema_nodes(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schema_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_nodes(value)


def test_json_schema_is_descriptive_and_self_consistent() -> None:
    schema = CharacterSheet.model_json_schema(by_alias=True)
    assert json.loads(json.dumps(schema)) == schema
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "class", "level", "abilities"]
    for name, prop in schema["properties"].items():
        assert prop.get("description"), f"{name} has no description"
    abilities = schema["properties"]["abilities"]
    assert abilities["required"] == ["str", "dex", "con", "int", "wis", "cha"]
    assert abilities["properties"]["dex"] | {} == {
        "type": "integer",
        "minimum": 1,
        "maximum": 30,
        "description": "Dexterity",
    }
    assert schema["properties"]["level"]["minimum"] == 1
    assert schema["properties"]["level"]["maximum"] == 20
    assert "jack_of_all_trades" in schema["properties"]["features"]["description"]
    for node in _schema_nodes(schema):  # only JSON Schema keywords, and every $ref resolves
        assert not {"ge", "le", "gt", "lt"} & set(node)
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.removeprefix("#/$defs/") in schema["$defs"]
