"""D&D Beyond character JSON -> sheet: fixtures shaped like the character service's documents.

The fixtures are built here from the format's public structure (``stats``,
``modifiers.<source>[]``, ``classes[].classFeatures[].definition``, ...),
with the noise real documents carry (ids, descriptions, nulls) around them.
"""

from __future__ import annotations

import json
from typing import Any

from adventorator.rules import Dnd5eRuleset
from adventorator.sheet import DerivedValues, import_sheet

ABILITY_NAMES = ("strength", "dexterity", "constitution", "intelligence", "wisdom", "charisma")
_next_id = iter(range(1000, 10**6))


def _id() -> int:
    return next(_next_id)


def stats(*values: int | None) -> list[dict[str, Any]]:
    return [{"id": i, "name": None, "value": v} for i, v in enumerate(values, start=1)]


def modifier(kind: str, subtype: str, value: int | None = None) -> dict[str, Any]:
    return {
        "fixedValue": value,
        "id": f"{_id()}",
        "entityId": None,
        "entityTypeId": None,
        "type": kind,
        "subType": subtype,
        "dice": None,
        "restriction": "",
        "statId": None,
        "requiresAttunement": False,
        "duration": None,
        "friendlyTypeName": kind.title(),
        "friendlySubtypeName": subtype.replace("-", " ").title(),
        "isGranted": True,
        "bonusTypes": [],
        "value": value,
        "availableToMulticlass": True,
        "modifierTypeId": 1,
        "modifierSubTypeId": _id(),
        "componentId": _id(),
        "componentTypeId": 12168134,
    }


def feature(name: str, level: int) -> dict[str, Any]:
    return {
        "definition": {
            "id": _id(),
            "name": name,
            "description": f"<p>{name}.</p>",
            "requiredLevel": level,
            "displayOrder": level,
        },
        "levelScale": None,
    }


def klass(
    name: str,
    level: int,
    features: list[tuple[str, int]],
    *,
    starting: bool = True,
    subclass: str | None = None,
    subclass_features: list[tuple[str, int]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    return {
        "id": _id(),
        "entityTypeId": 1446578651,
        "level": level,
        "isStartingClass": starting,
        "hitDiceUsed": 0,
        "definition": {
            "id": _id(),
            "name": name,
            "description": f"<p>{name}</p>",
            "hitDice": 8,
            "isHomebrew": False,
            "sourceIds": [1],
        },
        "subclassDefinition": None
        if subclass is None
        else {
            "id": _id(),
            "name": subclass,
            "classFeatures": [feature(n, lv) for n, lv in subclass_features],
        },
        "classFeatures": [feature(n, lv) for n, lv in features],
    }


def weapon(
    name: str,
    dice: str,
    damage_type: str,
    *,
    category: int,
    properties: tuple[str, ...] = (),
    ranged: bool = False,
    quantity: int = 1,
) -> dict[str, Any]:
    return {
        "id": _id(),
        "entityTypeId": 1439493548,
        "definition": {
            "id": _id(),
            "name": name,
            "filterType": "Weapon",
            "type": name,
            "categoryId": category,
            "attackType": 2 if ranged else 1,
            "damage": {"diceCount": int(dice.split("d")[0]), "diceValue": 6, "diceString": dice},
            "damageType": damage_type,
            "properties": [
                {"id": _id(), "name": p, "description": "", "notes": None} for p in properties
            ],
            "isHomebrew": False,
            "grantedModifiers": [],
        },
        "equipped": True,
        "quantity": quantity,
    }


def gear(name: str, quantity: int = 1, *, homebrew: bool = False) -> dict[str, Any]:
    return {
        "id": _id(),
        "definition": {
            "id": _id(),
            "name": name,
            "filterType": "Other Gear",
            "isHomebrew": homebrew,
        },
        "equipped": False,
        "quantity": quantity,
    }


def character(
    name: str,
    *,
    base: tuple[int, ...],
    classes: list[dict[str, Any]],
    race: str,
    traits: list[str],
    walk: int,
    modifiers: dict[str, list[dict[str, Any]]],
    hp: tuple[int, int, int],
    inventory: list[dict[str, Any]] = (),  # type: ignore[assignment]
    override: tuple[int | None, ...] = (None,) * 6,
    feats: list[str] = (),  # type: ignore[assignment]
    conditions: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """A ``{"success", "data"}`` document as the character service returns it."""
    base_hp, removed, temp = hp
    data: dict[str, Any] = {
        "id": _id(),
        "readonlyUrl": "https://www.dndbeyond.com/characters/0",
        "name": name,
        "inspiration": False,
        "baseHitPoints": base_hp,
        "bonusHitPoints": None,
        "overrideHitPoints": None,
        "removedHitPoints": removed,
        "temporaryHitPoints": temp,
        "currentXp": 0,
        "stats": stats(*base),
        "bonusStats": stats(*(None,) * 6),
        "overrideStats": stats(*override),
        "background": {
            "hasCustomBackground": False,
            "definition": {"id": _id(), "name": "Criminal"},
        },
        "race": {
            "isSubRace": " " in race,
            "baseRaceName": race.split()[-1],
            "fullName": race,
            "isHomebrew": False,
            "weightSpeeds": {
                "normal": {"walk": walk, "fly": 0, "burrow": 0, "swim": 0, "climb": 0}
            },
            "racialTraits": [
                {"definition": {"id": _id(), "name": t, "displayOrder": 1}} for t in traits
            ],
        },
        "classes": classes,
        "feats": [{"componentTypeId": 1, "definition": {"id": _id(), "name": f}} for f in feats],
        "modifiers": {
            source: modifiers.get(source, [])
            for source in ("race", "class", "background", "item", "feat", "condition")
        },
        "inventory": list(inventory),
        "conditions": list(conditions),
        "classSpells": [],
        "spells": {"race": [], "class": [], "item": [], "feat": []},
        "characterValues": [],
        "customItems": [],
        "campaign": None,
    }
    return {"id": 0, "success": True, "message": "Character successfully received.", "data": data}


def halfling_rogue() -> dict[str, Any]:
    """Rogue 11 (Thief), Lightfoot Halfling: Reliable Talent, Halfling Lucky, Sneak Attack 6d6."""
    return character(
        "Pip Underbough",
        base=(8, 15, 14, 12, 10, 13),
        classes=[
            klass(
                "Rogue",
                11,
                [
                    ("Hit Points", 1),
                    ("Proficiencies", 1),
                    ("Expertise", 1),
                    ("Sneak Attack", 1),
                    ("Thieves' Cant", 1),
                    ("Cunning Action", 2),
                    ("Uncanny Dodge", 5),
                    ("Evasion", 7),
                    ("Reliable Talent", 11),
                    ("Blindsense", 14),
                    ("Slippery Mind", 15),
                ],
                subclass="Thief",
                subclass_features=[
                    ("Fast Hands", 3),
                    ("Supreme Sneak", 9),
                    ("Thief's Reflexes", 17),
                ],
            )
        ],
        race="Lightfoot Halfling",
        traits=[
            "Ability Score Increase",
            "Lucky",
            "Brave",
            "Halfling Nimbleness",
            "Naturally Stealthy",
        ],
        walk=25,
        modifiers={
            "race": [
                modifier("bonus", "dexterity-score", 2),
                modifier("bonus", "charisma-score", 1),
            ],
            "class": [
                modifier("proficiency", "dexterity-saving-throws"),
                modifier("proficiency", "intelligence-saving-throws"),
                modifier("proficiency", "stealth"),
                modifier("expertise", "stealth"),
                modifier("proficiency", "sleight-of-hand"),
                modifier("expertise", "sleight-of-hand"),
                modifier("proficiency", "perception"),
                modifier("proficiency", "acrobatics"),
                modifier("proficiency", "simple-weapons"),
                modifier("proficiency", "shortswords"),
                modifier("proficiency", "thieves-tools"),
                modifier("bonus", "dexterity-score", 2),  # an Ability Score Improvement
            ],
            "item": [modifier("set", "constitution-score", 19)],  # Amulet of Health
        },
        hp=(60, 10, 5),
        inventory=[
            weapon("Shortsword", "1d6", "Piercing", category=2, properties=("Finesse", "Light")),
            weapon(
                "Shortbow", "1d6", "Piercing", category=1, ranged=True, properties=("Ammunition",)
            ),
            weapon("Greataxe", "1d12", "Slashing", category=2, properties=("Heavy", "Two-Handed")),
            weapon(
                "Dagger",
                "1d4",
                "Piercing",
                category=1,
                properties=("Finesse", "Thrown"),
                quantity=2,
            ),
            gear("Amulet of Health"),
            gear("Thieves' Tools"),
            gear("Potion of Healing", 2),
        ],
        conditions=[{"id": 12, "level": None}, {"id": 4, "level": 2}],
    )


def lore_bard() -> dict[str, Any]:
    """Bard 6 (College of Lore), Half-Elf: Jack of All Trades, expertise, a CHA override."""
    return character(
        "Ysolde Vane",
        base=(8, 14, 13, 12, 10, 15),
        classes=[
            klass(
                "Bard",
                6,
                [
                    ("Spellcasting", 1),
                    ("Bardic Inspiration", 1),
                    ("Jack of All Trades", 2),
                    ("Song of Rest", 2),
                    ("Expertise", 3),
                    ("Font of Inspiration", 5),
                    ("Countercharm", 6),
                    ("Magical Secrets", 10),
                ],
                subclass="College of Lore",
                subclass_features=[("Cutting Words", 3), ("Additional Magic Secrets", 6)],
            )
        ],
        race="Half-Elf",
        traits=["Darkvision", "Fey Ancestry", "Skill Versatility"],
        walk=30,
        modifiers={
            "race": [
                modifier("bonus", "charisma-score", 2),
                modifier("bonus", "constitution-score", 1),
            ],
            "class": [
                modifier("proficiency", "dexterity-saving-throws"),
                modifier("proficiency", "charisma-saving-throws"),
                modifier("proficiency", "performance"),
                modifier("proficiency", "persuasion"),
                modifier("expertise", "persuasion"),
                modifier("proficiency", "deception"),
                modifier("expertise", "deception"),
                modifier("half-proficiency", "ability-checks"),
            ],
            "background": [modifier("proficiency", "insight"), modifier("proficiency", "religion")],
            "feat": [modifier("bonus", "charisma-score", 1)],
        },
        override=(None, None, None, None, None, 20),
        hp=(38, 0, 0),
        inventory=[
            weapon("Rapier", "1d8", "Piercing", category=2, properties=("Finesse",)),
            gear("Lute of Echoes", homebrew=True),
        ],
        feats=["Actor"],
    )


def fighter_rogue() -> dict[str, Any]:
    """Fighter 5 (Champion) / Rogue 3, human, the Lucky feat: level 8, Fighter first."""
    rogue = klass("Rogue", 3, [("Sneak Attack", 1), ("Cunning Action", 2)], starting=False)
    fighter = klass(
        "Fighter",
        5,
        [("Fighting Style", 1), ("Second Wind", 1), ("Action Surge", 2), ("Extra Attack", 5)],
        subclass="Champion",
        subclass_features=[("Improved Critical", 3), ("Remarkable Athlete", 7)],
    )
    return character(
        "Brannoc Ashvale",
        base=(16, 14, 14, 10, 12, 8),
        classes=[rogue, fighter],  # the starting class is not listed first
        race="Human",
        traits=["Ability Score Increase", "Languages"],
        walk=30,
        modifiers={
            "race": [modifier("bonus", f"{name}-score", 1) for name in ABILITY_NAMES],
            "class": [
                modifier("proficiency", "strength-saving-throws"),
                modifier("proficiency", "constitution-saving-throws"),
                modifier("proficiency", "athletics"),
                modifier("proficiency", "stealth"),
                modifier("proficiency", "simple-weapons"),
                modifier("proficiency", "martial-weapons"),
            ],
        },
        hp=(58, 0, 0),
        inventory=[weapon("Longsword", "1d8", "Slashing", category=2, properties=("Versatile",))],
        feats=["Lucky"],
    )


RULES = Dnd5eRuleset()


def test_halfling_rogue_maps_abilities_hp_skills_and_reliable_talent() -> None:
    imported = import_sheet(json.dumps(halfling_rogue()))
    sheet = imported.sheet
    assert imported.format == "ddb"
    assert (sheet.name, sheet.class_name, sheet.subclass, sheet.level) == (
        "Pip Underbough",
        "Rogue",
        "Thief",
        11,
    )
    assert sheet.species == "Lightfoot Halfling"
    data = sheet.to_data()
    # base + racial +2 + the ASI +2; CHA 13 + 1; CON set to 19 by the amulet
    assert data["abilities"] == {"str": 8, "dex": 19, "con": 19, "int": 12, "wis": 10, "cha": 14}
    assert data["saves"] == ["dex", "int"]
    assert data["skills"] == {
        "stealth": "expertise",
        "sleight_of_hand": "expertise",
        "perception": "proficient",
        "acrobatics": "proficient",
    }
    assert data["hp"] == {"max": 60 + 4 * 11, "current": 60 + 4 * 11 - 10, "temp": 5}
    assert data["speed"] == {"walk": 25}
    assert data["conditions"] == ["prone"]
    assert data["exhaustion"] == 2
    features = data["features"]
    assert features[:3] == ["Sneak Attack (6d6)", "reliable_talent", "halfling_lucky"]
    assert "Evasion" in features
    assert "Fast Hands" in features
    assert "Supreme Sneak" in features
    assert "Blindsense" not in features
    assert "Thief's Reflexes" not in features
    assert "Hit Points" not in features
    assert "Ability Score Increase" not in features
    derived = DerivedValues(sheet, RULES).to_json()
    assert derived["proficiency_bonus"] == 4
    assert derived["skills"]["stealth"]["bonus"] == 4 + 2 * 4


def test_halfling_rogue_attacks_and_report() -> None:
    imported = import_sheet(json.dumps(halfling_rogue()))
    attacks = {a["name"]: a for a in imported.sheet.to_data()["attacks"]}
    sneak = [{"label": "Sneak Attack", "damage": "6d6", "once_per_turn": True}]
    assert attacks["Shortsword"] == {
        "name": "Shortsword",
        "ability": "finesse",
        "ranged": False,
        "proficient": True,
        "bonus": 0,
        "damage": "1d6",
        "damage_type": "piercing",
        "extra": sneak,
    }
    assert attacks["Shortbow"]["ranged"] is True
    assert attacks["Shortbow"]["extra"] == sneak
    assert attacks["Greataxe"]["proficient"] is False  # martial, and no greataxe proficiency
    assert attacks["Greataxe"]["extra"] == []
    assert attacks["Dagger"]["proficient"] is True  # simple weapons
    inventory = imported.sheet.to_data()["inventory"]
    assert {"name": "Potion of Healing", "quantity": 2, "notes": ""} in inventory
    report = imported.report
    assert report.source == "D&D Beyond"
    assert "abilities STR 8  DEX 19  CON 19  INT 12  WIS 10  CHA 14" in report.mapped
    assert "HP 94/104, temp 5" in report.mapped
    assert (
        "features the rules apply: Sneak Attack (6d6), Reliable Talent, Halfling Lucky"
        in report.mapped
    )
    assert any(line.startswith("AC:") for line in report.not_mapped)
    kept = next(line for line in report.not_mapped if line.startswith("features kept"))
    assert "Evasion" in kept
    assert "Brave" in kept
    assert "some weapons without proficiency" in " ".join(report.not_mapped)


def test_bard_jack_of_all_trades_expertise_and_override() -> None:
    imported = import_sheet(json.dumps(lore_bard()))
    sheet = imported.sheet
    data = sheet.to_data()
    assert data["abilities"]["cha"] == 20  # the override wins over 15 + 2 + 1
    assert data["abilities"]["con"] == 14
    assert data["skills"] == {
        "performance": "proficient",
        "persuasion": "expertise",
        "deception": "expertise",
        "insight": "proficient",
        "religion": "proficient",
    }
    assert data["saves"] == ["dex", "cha"]
    assert "jack_of_all_trades" in data["features"]
    assert "Cutting Words" in data["features"]
    assert "Magical Secrets" not in data["features"]
    derived = DerivedValues(sheet, RULES).to_json()
    assert derived["skills"]["persuasion"]["bonus"] == 5 + 2 * 3
    assert derived["skills"]["stealth"]["proficiency"] == "half"
    assert derived["skills"]["stealth"]["bonus"] == 2 + 1  # DEX +2, half of +3
    assert data["hp"] == {"max": 38 + 2 * 6, "current": 50, "temp": 0}
    assert any("homebrew item Lute of Echoes" in line for line in imported.report.not_mapped)
    assert "skills 5 (expertise: persuasion, deception)" in imported.report.mapped


def test_multiclass_level_is_the_sum_and_features_follow_each_class_level() -> None:
    imported = import_sheet(json.dumps(fighter_rogue()["data"]))  # the data object alone
    sheet = imported.sheet
    assert (sheet.class_name, sheet.subclass, sheet.level) == ("Fighter", "Champion", 8)
    data = sheet.to_data()
    assert data["abilities"] == {"str": 17, "dex": 15, "con": 15, "int": 11, "wis": 13, "cha": 9}
    assert data["hp"]["max"] == 58 + 2 * 8
    features = data["features"]
    assert "Sneak Attack (2d6)" in features  # rogue level 3
    assert "Improved Critical (19-20)" in features
    assert "remarkable_athlete" not in features  # fighter level 7, this fighter is 5
    assert "halfling_lucky" not in features
    assert "Lucky" in features
    assert data["notes"] == "Multiclass: Fighter 5 / Rogue 3."
    assert (
        "multiclass Fighter 5 / Rogue 3: class Fighter at level 8 (their sum)"
        in imported.report.mapped
    )
    assert DerivedValues(sheet, RULES).to_json()["proficiency_bonus"] == 3
    ((longsword),) = data["attacks"]
    assert (longsword["name"], longsword["damage"], longsword["damage_type"]) == (
        "Longsword",
        "1d8",
        "slashing",
    )
    assert (longsword["proficient"], longsword["extra"]) == (True, [])  # not finesse
