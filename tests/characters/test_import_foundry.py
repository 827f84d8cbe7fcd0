"""Foundry VTT dnd5e actor export -> sheet: fixtures shaped like "Export Data" of an actor.

Built from the dnd5e system's public data model: ``system.abilities.<abbr>``,
``system.skills.<abbr>.value`` (0 / 0.5 / 1 / 2), ``system.attributes``, and
``items`` of type class, subclass, race, background, feat, weapon and spell;
both the older weapon ``damage.parts`` and the newer ``damage.base``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from adventorator.rules import Dnd5eRuleset
from adventorator.sheet import DerivedValues, SheetError, import_sheet

SKILLS = (
    "acr",
    "ani",
    "arc",
    "ath",
    "dec",
    "his",
    "ins",
    "itm",
    "inv",
    "med",
    "nat",
    "prc",
    "prf",
    "per",
    "rel",
    "slt",
    "ste",
    "sur",
)
RULES = Dnd5eRuleset()


def item(kind: str, name: str, **system: Any) -> dict[str, Any]:
    return {
        "_id": f"{kind[:4]}{name[:8].replace(' ', '')}".ljust(16, "x"),
        "name": name,
        "type": kind,
        "img": "icons/svg/item-bag.svg",
        "system": {"description": {"value": f"<p>{name}</p>"}, "source": {}, **system},
        "effects": [],
        "flags": {},
    }


def actor(
    name: str,
    scores: dict[str, int],
    *,
    saves: tuple[str, ...],
    skills: dict[str, float],
    hp: tuple[int, int, int],
    items: list[dict[str, Any]],
    walk: int = 30,
    statuses: tuple[str, ...] = (),
) -> dict[str, Any]:
    current, maximum, temp = hp
    return {
        "name": name,
        "type": "character",
        "img": "icons/svg/mystery-man.svg",
        "system": {
            "abilities": {
                a: {"value": v, "proficient": int(a in saves), "bonuses": {"check": "", "save": ""}}
                for a, v in scores.items()
            },
            "skills": {
                key: {"value": skills.get(key, 0), "ability": "dex", "bonuses": {}}
                for key in SKILLS
            },
            "attributes": {
                "ac": {"flat": None, "calc": "default", "formula": ""},
                "hp": {"value": current, "max": maximum, "temp": temp, "tempmax": 0},
                "movement": {"walk": walk, "fly": None, "swim": None, "climb": None, "units": "ft"},
                "exhaustion": 1,
            },
            "details": {"alignment": "", "xp": {"value": 0}},
        },
        "items": items,
        "effects": [
            {"_id": "effect0000000000", "name": s.title(), "statuses": [s]} for s in statuses
        ],
        "flags": {},
        "_stats": {"systemId": "dnd5e", "systemVersion": "3.3.1", "coreVersion": "12.331"},
    }


def foundry_bard() -> dict[str, Any]:
    """Bard 5, half-elf, Jack of All Trades (a feat item), expertise as 2, half as 0.5."""
    return actor(
        "Lark Emberly",
        {"str": 8, "dex": 14, "con": 14, "int": 10, "wis": 12, "cha": 18},
        saves=("dex", "cha"),
        skills={"prc": 2, "dec": 2, "prf": 1, "ins": 1, "ste": 0.5, "ath": 0.5},
        hp=(30, 38, 4),
        items=[
            item("class", "Bard", levels=5, identifier="bard", hitDice="d8"),
            item("subclass", "College of Lore", classIdentifier="bard"),
            item("race", "Half-Elf"),
            item("background", "Entertainer"),
            item("feat", "Jack of All Trades", type={"value": "class", "subtype": ""}),
            item("feat", "Bardic Inspiration", type={"value": "class", "subtype": ""}),
            item(
                "weapon",
                "Rapier",
                damage={"base": {"number": 1, "denomination": 8, "types": ["piercing"]}},
                properties=["fin"],
                type={"value": "martialM"},
                proficient=1,
                quantity=1,
            ),
            item("spell", "Vicious Mockery", level=0),
            item("spell", "Healing Word", level=1),
            item("equipment", "Leather Armor", quantity=1),
            item("consumable", "Potion of Healing", quantity=3),
            item("loot", "Lute", quantity=1),
            item("facility", "Stage"),
        ],
        statuses=("poisoned", "bleeding"),
    )


def foundry_rogue_fighter() -> dict[str, Any]:
    """Rogue 11 / Fighter 1, lightfoot halfling (an older export: damage.parts, dict properties)."""
    return actor(
        "Tobin Greenbottle",
        {"str": 10, "dex": 20, "con": 14, "int": 12, "wis": 12, "cha": 10},
        saves=("dex", "int"),
        skills={"ste": 2, "slt": 2, "acr": 1, "prc": 1, "inv": 1},
        hp=(80, 90, 0),
        walk=25,
        items=[
            item("class", "Fighter", levels=1, identifier="fighter"),
            item("class", "Rogue", levels=11, identifier="rogue"),
            item("subclass", "Thief", classIdentifier="rogue"),
            item("race", "Lightfoot Halfling"),
            item("feat", "Lucky", type={"value": "race"}),
            item("feat", "Reliable Talent", type={"value": "class"}),
            item("feat", "Sneak Attack", type={"value": "class"}),
            item("feat", "Homebrew Shadow Step", type={"value": "custom"}),
            item(
                "weapon",
                "Shortsword",
                damage={"parts": [["1d6 + @mod", "piercing"]]},
                properties={"fin": True, "lgt": True},
                actionType="mwak",
                proficient=True,
            ),
            item(
                "weapon",
                "Light Crossbow",
                damage={"parts": [["1d8 + @mod", "piercing"]]},
                properties={"amm": True},
                actionType="rwak",
                magicalBonus=1,
            ),
            item("weapon", "Net", damage={"parts": []}, actionType="rwak"),
        ],
    )


def test_foundry_bard_skills_multipliers_and_jack_of_all_trades() -> None:
    imported = import_sheet(json.dumps(foundry_bard()))
    sheet, report = imported.sheet, imported.report
    assert imported.format == "foundry"
    data = sheet.to_data()
    assert (data["name"], data["class"], data["subclass"], data["level"]) == (
        "Lark Emberly",
        "Bard",
        "College of Lore",
        5,
    )
    assert (data["species"], data["background"]) == ("Half-Elf", "Entertainer")
    assert data["saves"] == ["dex", "cha"]
    assert data["skills"] == {
        "deception": "expertise",
        "insight": "proficient",
        "perception": "expertise",
        "performance": "proficient",
    }
    assert data["hp"] == {"max": 38, "current": 30, "temp": 4}
    assert data["exhaustion"] == 1
    assert data["conditions"] == ["poisoned"]
    assert data["features"][0] == "jack_of_all_trades"
    assert data["spells"] == ["Vicious Mockery", "Healing Word"]
    (rapier,) = data["attacks"]
    assert (rapier["ability"], rapier["damage"], rapier["damage_type"]) == (
        "finesse",
        "1d8",
        "piercing",
    )
    derived = DerivedValues(sheet, RULES).to_json()
    assert derived["skills"]["perception"]["bonus"] == 1 + 2 * 3
    assert derived["skills"]["stealth"]["proficiency"] == "half"  # 0.5, from Jack of All Trades
    assert derived["skills"]["stealth"]["bonus"] == 2 + 1
    assert "half proficiency on athletics, stealth" in " ".join(report.not_mapped)
    assert "items of type 'facility': ignored" in report.not_mapped
    assert "status effect 'bleeding': not an SRD condition" in report.not_mapped
    assert any(line.startswith("AC:") for line in report.not_mapped)


def test_foundry_multiclass_halfling_rogue_with_older_weapon_data() -> None:
    imported = import_sheet(json.dumps(foundry_rogue_fighter()), "foundry")
    data = imported.sheet.to_data()
    assert (data["class"], data["subclass"], data["level"]) == ("Rogue", "Thief", 12)
    assert data["notes"] == "Multiclass: Rogue 11 / Fighter 1."
    assert data["features"][:3] == ["halfling_lucky", "reliable_talent", "Sneak Attack (6d6)"]
    assert "Homebrew Shadow Step" in data["features"]
    attacks = {a["name"]: a for a in data["attacks"]}
    assert set(attacks) == {"Shortsword", "Light Crossbow"}
    assert attacks["Shortsword"]["ability"] == "finesse"
    assert attacks["Light Crossbow"]["ranged"] is True
    assert attacks["Light Crossbow"]["bonus"] == 1
    sneak = {"label": "Sneak Attack", "damage": "6d6", "once_per_turn": True}
    assert attacks["Shortsword"]["extra"] == [sneak]
    assert "weapon Net: no damage dice, not made an attack" in imported.report.not_mapped
    assert DerivedValues(imported.sheet, RULES).to_json()["skills"]["stealth"]["bonus"] == 5 + 8


@pytest.mark.parametrize("kind", ["npc", "vehicle"])
def test_a_foundry_actor_that_is_not_a_character_is_refused(kind: str) -> None:
    document = {**foundry_bard(), "type": kind}
    with pytest.raises(Exception, match=f"of type '{kind}': only characters import"):
        import_sheet(json.dumps(document))


def test_a_foundry_character_without_classes_fails_like_sheet_create() -> None:
    document = foundry_bard()
    document["items"] = []
    with pytest.raises(SheetError) as caught:
        import_sheet(json.dumps(document))
    assert caught.value.message == "invalid character sheet: 2 problems"
    assert caught.value.problems == [
        "missing required field 'class'",
        "missing required field 'level'",
    ]
