"""The sheet's ``attacks``: validation with field paths, finesse, and the numbers rolled."""

from __future__ import annotations

from typing import Any

import pytest

from adventorator.errors import NotFoundError
from adventorator.rules import Dnd5eRuleset
from adventorator.rules.srd import Ability
from adventorator.sheet import Attack, SheetError, attack_profile, find_attack, parse_sheet_data
from tests.characters.support import example_sheet, sheet_data

RULES = Dnd5eRuleset()


def problems(attacks: list[Any]) -> list[str]:
    with pytest.raises(SheetError) as caught:
        parse_sheet_data(sheet_data("Vex", attacks=attacks))
    return list(caught.value.problems)


@pytest.mark.parametrize(
    ("attack", "fragment"),
    [
        ({"name": "Axe", "damage": "1d"}, "attacks[0].damage: not valid dice notation '1d'"),
        ({"name": "Axe", "damage": 8}, "attacks[0].damage: must be dice notation as text"),
        ({"name": "Axe", "damage": "1d8", "damage_type": "sharp"}, "unknown damage type"),
        ({"name": "Axe", "damage": "1d8", "ability": "luck"}, 'must be "finesse" or an ability'),
        ({"name": "Axe", "damage": "1d8", "bonus": 21}, "bonus: must be -20\u201320, got 21"),
        ({"name": "Axe"}, "attacks[0]: missing required field 'damage'"),
        (
            {"name": "Axe", "damage": "1d8", "extra": [{"label": "x", "damage": "2d"}]},
            "attacks[0].extra[0].damage: not valid dice notation",
        ),
        ({"name": "Axe", "damage": "1d8", "reach": 10}, "reach"),
    ],
)
def test_bad_attacks_are_reported_with_their_path(attack: dict[str, Any], fragment: str) -> None:
    found = problems([attack])
    assert any(fragment in p for p in found), found


# SRD Weapon Properties, Finesse: the better of STR and DEX; ranged weapons use DEX.
ABILITIES = [
    ({"ability": "finesse"}, {"str": 16, "dex": 12}, Ability.STR),
    ({"ability": "finesse"}, {"str": 12, "dex": 16}, Ability.DEX),
    ({"ability": "finesse"}, {"str": 14, "dex": 14}, Ability.STR),
    ({}, {"str": 8, "dex": 18}, Ability.STR),
    ({"ranged": True}, {"str": 18, "dex": 8}, Ability.DEX),
    ({"ability": "Charisma"}, {"str": 10, "dex": 10}, Ability.CHA),
]


@pytest.mark.parametrize(("fields", "scores", "ability"), ABILITIES)
def test_the_ability_an_attack_uses(
    fields: dict[str, Any], scores: dict[str, int], ability: Ability
) -> None:
    all_scores = {"con": 10, "int": 10, "wis": 10, "cha": 14, **scores}
    character = parse_sheet_data(
        sheet_data(
            "Vex", abilities=all_scores, attacks=[{"name": "Blade", "damage": "1d6", **fields}]
        )
    )
    profile = attack_profile(
        character.attacks[0],
        scores=dict(character.abilities),
        level=1,
        features=(),
        halfling_lucky=False,
        ruleset=RULES,
    )
    assert profile.ability is ability
    modifier = (all_scores[ability.value] - 10) // 2
    assert profile.attack_bonus == modifier + 2
    assert profile.damage == (f"1d6{modifier:+d}" if modifier else "1d6")


@pytest.mark.parametrize(
    ("features", "crit_on"),
    [((), 20), (("Improved Critical (19-20)",), 19), (("Superior Critical",), 18)],
)
def test_the_critical_range_comes_from_the_features(
    features: tuple[str, ...], crit_on: int
) -> None:
    attack = Attack(name="Club", damage="1d4")
    scores = dict(example_sheet("fighter").abilities)
    profile = attack_profile(
        attack, scores=scores, level=3, features=features, halfling_lucky=False, ruleset=RULES
    )
    assert profile.crit_on == crit_on


def test_the_examples_carry_their_attacks() -> None:
    assert [a.name for a in example_sheet("fighter").attacks] == ["Longsword", "Light crossbow"]
    rogue = example_sheet("rogue").attacks[0]
    assert (rogue.name, rogue.ability, rogue.damage, rogue.damage_type) == (
        "Shortsword",
        "finesse",
        "1d6",
        "piercing",
    )
    assert [(x.label, x.damage, x.once_per_turn) for x in rogue.extra] == [
        ("Sneak Attack", "3d6", True)
    ]
    assert [a.name for a in example_sheet("bard").attacks] == ["Rapier"]


def test_find_attack_by_unique_prefix() -> None:
    attacks = example_sheet("rogue").attacks
    assert find_attack(attacks, "SHORTS").name == "Shortsword"
    assert find_attack(attacks, "shortbow").name == "Shortbow"
    with pytest.raises(NotFoundError, match="several attacks: Shortsword, Shortbow"):
        find_attack(attacks, "short")
    with pytest.raises(NotFoundError, match="no attack 'axe'"):
        find_attack(attacks, "axe")
    with pytest.raises(NotFoundError, match="lists no attacks"):
        find_attack([], "axe")
