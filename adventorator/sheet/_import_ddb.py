"""D&D Beyond character JSON -> a sheet document (``adv sheet import --format ddb``).

The character service returns ``{"success": ..., "data": {...}}``; the
``data`` object alone is accepted too. What is read:

- ``stats`` / ``bonusStats`` / ``overrideStats`` (ids 1-6 are STR..CHA), plus
  every ``bonus`` modifier on ``<ability>-score`` in ``modifiers.race``,
  ``class``, ``background``, ``item`` and ``feat``, unless an override is set;
- ``proficiency`` / ``expertise`` modifiers on skills and ``<ability>-saving-throws``;
- ``classes[]``: ``level``, ``isStartingClass``, ``definition.name``,
  ``subclassDefinition.name`` and the ``classFeatures`` reached at that level;
- ``baseHitPoints``, ``bonusHitPoints``, ``overrideHitPoints``,
  ``removedHitPoints``, ``temporaryHitPoints``; ``race.weightSpeeds.normal``;
- ``race.racialTraits``, ``feats``, ``inventory`` (weapons become attacks),
  ``conditions`` and ``classSpells``.

Anything else is left out, and the report says what.
"""

from __future__ import annotations

import re
from typing import Any

from adventorator.rules.srd import RulesError, parse_skill
from adventorator.sheet._import_common import (
    ImportReport,
    items,
    known_feature,
    number,
    obj,
    reported_features,
    sneak_attack_dice,
    text,
)

__all__ = ["ddb_sheet"]

_STAT_IDS = {1: "str", 2: "dex", 3: "con", 4: "int", 5: "wis", 6: "cha"}
_FULL = {a: n for a, n in zip(_STAT_IDS.values(), ("strength", "dexterity", "constitution",
         "intelligence", "wisdom", "charisma"), strict=True)}  # fmt: skip
_SOURCES = ("race", "class", "background", "item", "feat")
# D&D Beyond's condition ids are the SRD conditions in alphabetical order.
_CONDITIONS = ("blinded", "charmed", "deafened", "exhaustion", "frightened", "grappled",
               "incapacitated", "invisible", "paralyzed", "petrified", "poisoned", "prone",
               "restrained", "stunned", "unconscious")  # fmt: skip
# Entries every class or species has, which are not features anyone plays.
_BOILERPLATE = {"hit points", "proficiencies", "equipment", "ability score improvement",
                "ability score increase", "age", "alignment", "size", "speed", "languages",
                "subclass feature", "creature type"}  # fmt: skip


def ddb_sheet(document: Any, report: ImportReport) -> dict[str, Any]:
    """Map a D&D Beyond character document to a sheet document, filling ``report``."""
    root = obj(document)
    data = obj(root["data"]) if isinstance(root.get("data"), dict) else root
    modifiers = [m for source in _SOURCES for m in items(obj(data.get("modifiers")).get(source))]
    sheet: dict[str, Any] = {"name": text(data.get("name"))}
    species = _species(data, sheet, report)
    level, classes = _classes(data, sheet, report)
    abilities = _abilities(data, modifiers, report)
    sheet["abilities"] = abilities
    _proficiencies(modifiers, sheet, report)
    _hit_points(data, modifiers, abilities, level, sheet, report)
    _speed(data, sheet, report)
    features = _features(data, classes, species, report)
    sheet["features"] = features
    _equipment(data, modifiers, features, sheet, report)
    _play_state(data, sheet, report)
    sheet["spells"] = _spells(data)
    if sheet["spells"]:
        report.done(f"spells: {len(sheet['spells'])}")
    report.skip("AC: D&D Beyond does not store it; set it with sheet update (ac)")
    return {key: value for key, value in sheet.items() if value not in (None, [], {})}


def _species(data: dict[str, Any], sheet: dict[str, Any], report: ImportReport) -> str | None:
    race = obj(data.get("race"))
    species = text(race.get("fullName"), 50) or text(race.get("baseRaceName"), 50)
    sheet["species"] = species
    background = obj(obj(data.get("background")).get("definition"))
    sheet["background"] = text(background.get("name"), 50)
    if race.get("isHomebrew"):
        report.skip(f"homebrew species {species}: its traits are kept as text only")
    if obj(data.get("background")).get("hasCustomBackground"):
        report.skip("a custom background: only its name is kept")
    return species


def _classes(
    data: dict[str, Any], sheet: dict[str, Any], report: ImportReport
) -> tuple[int, list[tuple[str, int, dict[str, Any]]]]:
    """The total level and each (class name, level, class entry), the primary first."""
    found = []
    for entry in items(data.get("classes")):
        name = text(obj(entry.get("definition")).get("name"), 50)
        level = number(entry.get("level"))
        if name and level and level > 0:
            found.append((name, level, entry))
            if obj(entry.get("definition")).get("isHomebrew"):
                report.skip(f"homebrew class {name}: its features are kept as text only")
    found.sort(key=lambda c: not c[2].get("isStartingClass"))  # stable: the first stays first
    if not found:
        report.skip("classes: none found in the document")
        return 0, []
    total = sum(level for _, level, _ in found)
    if total > 20:
        report.skip(f"level {total} is past 20: stored as 20")
    primary, _, entry = found[0]
    sheet["class"], sheet["level"] = primary, min(total, 20)
    sheet["subclass"] = text(obj(entry.get("subclassDefinition")).get("name"), 50)
    if len(found) > 1:
        split = " / ".join(f"{name} {level}" for name, level, _ in found)
        report.done(f"multiclass {split}: class {primary} at level {total} (their sum)")
        report.skip(f"multiclass: the sheet holds one class ({primary}); the split is in notes")
        sheet["notes"] = f"Multiclass: {split}."
    else:
        subclass = f" ({sheet['subclass']})" if sheet["subclass"] else ""
        report.done(f"class {primary} {total}{subclass}")
    return total, found


def _score_modifiers(modifiers: list[dict[str, Any]], ability: str) -> tuple[int, int | None]:
    """The sum of ``bonus`` modifiers on an ability's score, and the highest ``set``."""
    subtype = f"{_FULL[ability]}-score"
    bonus, floor = 0, None
    for modifier in modifiers:
        if modifier.get("subType") != subtype:
            continue
        value = number(modifier.get("value"))
        value = number(modifier.get("fixedValue")) if value is None else value
        if value is None:
            continue
        if modifier.get("type") == "bonus":
            bonus += value
        elif modifier.get("type") == "set":
            floor = value if floor is None else max(floor, value)
    return bonus, floor


def _abilities(
    data: dict[str, Any], modifiers: list[dict[str, Any]], report: ImportReport
) -> dict[str, int | None]:
    def by_id(key: str) -> dict[str, int]:
        values = {}
        for stat in items(data.get(key)):
            ability, value = _STAT_IDS.get(number(stat.get("id")) or 0), number(stat.get("value"))
            if ability and value is not None:
                values[ability] = value
        return values

    base, bonus, override = by_id("stats"), by_id("bonusStats"), by_id("overrideStats")
    scores: dict[str, int | None] = {}
    for ability in _STAT_IDS.values():
        if ability in override:
            scores[ability] = override[ability]
            continue
        if ability not in base:
            scores[ability] = None
            report.skip(f"{ability.upper()}: no score in the document")
            continue
        from_modifiers, floor = _score_modifiers(modifiers, ability)
        score = base[ability] + bonus.get(ability, 0) + from_modifiers
        scores[ability] = max(score, floor) if floor is not None else score
    shown = "  ".join(f"{a.upper()} {s}" for a, s in scores.items() if s is not None)
    report.done(f"abilities {shown}")
    return scores


def _proficiencies(
    modifiers: list[dict[str, Any]], sheet: dict[str, Any], report: ImportReport
) -> None:
    skills: dict[str, str] = {}
    saves: list[str] = []
    for modifier in modifiers:
        kind, subtype = modifier.get("type"), modifier.get("subType")
        if kind not in ("proficiency", "expertise") or not isinstance(subtype, str):
            continue
        save = next((a for a, n in _FULL.items() if subtype == f"{n}-saving-throws"), None)
        if save:
            saves += [save] if save not in saves and kind == "proficiency" else []
            continue
        try:
            skill = parse_skill(subtype).value
        except RulesError:
            continue  # armour, weapons, tools and languages: not skills
        if kind == "expertise" or skills.get(skill) != "expertise":
            skills[skill] = "expertise" if kind == "expertise" else "proficient"
    sheet["saves"], sheet["skills"] = saves, skills
    experts = [s for s, p in skills.items() if p == "expertise"]
    report.done(f"saves {' '.join(s.upper() for s in saves) or 'none'}")
    report.done(
        f"skills {len(skills)}" + (f" (expertise: {', '.join(experts)})" if experts else "")
    )


def _hit_points(
    data: dict[str, Any],
    modifiers: list[dict[str, Any]],
    abilities: dict[str, int | None],
    level: int,
    sheet: dict[str, Any],
    report: ImportReport,
) -> None:
    override = number(data.get("overrideHitPoints"))
    base = number(data.get("baseHitPoints"))
    if override is not None and override > 0:
        maximum = override
    elif base is not None and abilities.get("con") is not None:
        con = ((abilities["con"] or 10) - 10) // 2
        per_level = sum(
            number(m.get("value")) or 0
            for m in modifiers
            if m.get("type") == "bonus" and m.get("subType") == "hit-points-per-level"
        )
        maximum = base + (number(data.get("bonusHitPoints")) or 0) + (con + per_level) * level
    else:
        report.skip("HP: no baseHitPoints in the document")
        return
    maximum = max(1, min(maximum, 999))
    removed = max(0, number(data.get("removedHitPoints")) or 0)
    temp = max(0, min(number(data.get("temporaryHitPoints")) or 0, 999))
    sheet["hp"] = {"max": maximum, "current": max(0, maximum - removed), "temp": temp}
    report.done(f"HP {sheet['hp']['current']}/{maximum}" + (f", temp {temp}" * bool(temp)))


def _speed(data: dict[str, Any], sheet: dict[str, Any], report: ImportReport) -> None:
    normal = obj(obj(obj(data.get("race")).get("weightSpeeds")).get("normal"))
    speeds = {kind: number(normal.get(kind)) for kind in ("walk", "fly", "swim", "climb")}
    speed = {kind: feet for kind, feet in speeds.items() if feet and 0 < feet <= 1000}
    if "walk" in speed:
        sheet["speed"] = speed
        report.done("speed " + ", ".join(f"{kind} {feet} ft" for kind, feet in speed.items()))
    else:
        report.skip("speed: not in the document (30 ft assumed)")


def _feature_names(
    data: dict[str, Any], classes: list[tuple[str, int, dict[str, Any]]]
) -> list[tuple[str, str]]:
    """(origin, name) of each class feature reached, racial trait and feat."""
    names: list[tuple[str, str]] = []
    for class_name, level, entry in classes:
        subclass = obj(entry.get("subclassDefinition"))
        for feature in items(entry.get("classFeatures")) + items(subclass.get("classFeatures")):
            definition = obj(feature.get("definition")) or feature
            required = number(definition.get("requiredLevel")) or 1
            name = text(definition.get("name"), 200)
            if name and required <= level:
                names.append((class_name, name))
    for trait in items(obj(data.get("race")).get("racialTraits")):
        name = text(obj(trait.get("definition")).get("name"), 200)
        names += [("species", name)] if name else []
    for feat in items(data.get("feats")):
        name = text(obj(feat.get("definition")).get("name"), 200)
        names += [("feat", name)] if name else []
    return names


def _features(
    data: dict[str, Any],
    classes: list[tuple[str, int, dict[str, Any]]],
    species: str | None,
    report: ImportReport,
) -> list[str]:
    rules: list[str] = []
    kept: list[str] = []
    for origin, name in _feature_names(data, classes):
        if name.lower() in _BOILERPLATE or name.lower().startswith("core "):
            continue
        if origin == "Rogue" and name.lower() == "sneak attack":
            level = next(level for c, level, _ in classes if c == "Rogue")
            name = f"Sneak Attack ({sneak_attack_dice(level)})"
            rules.append(name)
            continue
        known = known_feature(name, species=species if origin == "species" else None)
        if known:
            rules.append(known)
        elif name not in kept:
            kept.append(name)
    return reported_features(rules, kept, report)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _weapon(
    definition: dict[str, Any], proficiencies: set[str], sneak: str | None
) -> dict[str, Any] | None:
    """A sheet attack for a weapon definition, or None when it has no damage dice."""
    name = text(definition.get("name"), 50)
    dice = text(obj(definition.get("damage")).get("diceString"), 30)
    if not name or not dice or not re.fullmatch(r"\d*d\d+( ?[+-] ?\d+)?", dice):
        return None
    properties = {_slug(text(p.get("name")) or "") for p in items(definition.get("properties"))}
    attack: dict[str, Any] = {"name": name, "damage": dice.replace(" ", "")}
    damage_type = text(definition.get("damageType"), 20)
    if damage_type:
        attack["damage_type"] = damage_type.lower()
    ranged = number(definition.get("attackType")) == 2
    if ranged:
        attack["ranged"] = True
    if "finesse" in properties:
        attack["ability"] = "finesse"
    category_id = number(definition.get("categoryId")) or 0
    category = {1: "simple-weapons", 2: "martial-weapons"}.get(category_id)
    slugs = {_slug(name), _slug(name) + "s", category}
    if category and not slugs & proficiencies:
        attack["proficient"] = False
    if sneak and (ranged or "finesse" in properties):
        attack["extra"] = [{"label": "Sneak Attack", "damage": sneak, "once_per_turn": True}]
    return attack


def _equipment(
    data: dict[str, Any],
    modifiers: list[dict[str, Any]],
    features: list[str],
    sheet: dict[str, Any],
    report: ImportReport,
) -> None:
    proficiencies = {str(m.get("subType")) for m in modifiers if m.get("type") == "proficiency"}
    sneak = next((f[14:-1] for f in features if f.startswith("Sneak Attack (")), None)
    attacks: dict[str, dict[str, Any]] = {}
    inventory: list[dict[str, Any]] = []
    for entry in items(data.get("inventory")):
        definition = obj(entry.get("definition"))
        name = text(definition.get("name"), 100)
        if not name:
            report.skip("an inventory entry without a name")
            continue
        quantity = number(entry.get("quantity"))
        item: dict[str, Any] = {"name": name}
        if quantity and 1 < quantity <= 1_000_000:
            item["quantity"] = quantity
        inventory.append(item)
        if definition.get("isHomebrew"):
            report.skip(f"homebrew item {name}: kept in the inventory, its effects are not")
        if definition.get("filterType") == "Weapon" or "damage" in definition:
            attack = _weapon(definition, proficiencies, sneak)
            if attack is None:
                report.skip(f"weapon {name}: no damage dice, not made an attack")
            elif attack["name"].lower() not in attacks and len(attacks) < 50:
                attacks[attack["name"].lower()] = attack
    sheet["inventory"], sheet["attacks"] = inventory[:500], list(attacks.values())
    names = ", ".join(attack["name"] for attack in attacks.values()) or "none"
    report.done(f"inventory {len(inventory)} items; attacks: {names}")
    if any(a.get("proficient") is False for a in attacks.values()):
        report.skip("some weapons without proficiency: check each attack's proficient flag")


def _play_state(data: dict[str, Any], sheet: dict[str, Any], report: ImportReport) -> None:
    conditions = []
    for condition in items(data.get("conditions")):
        index = (number(condition.get("id")) or 0) - 1
        if not 0 <= index < len(_CONDITIONS):
            report.skip(f"condition id {condition.get('id')!r}: unknown")
        elif _CONDITIONS[index] == "exhaustion":
            sheet["exhaustion"] = max(0, min(number(condition.get("level")) or 1, 6))
        else:
            conditions.append(_CONDITIONS[index])
    sheet["conditions"] = conditions
    if conditions or sheet.get("exhaustion"):
        exhaustion = f"exhaustion {sheet['exhaustion']}" if sheet.get("exhaustion") else ""
        report.done("conditions: " + ", ".join([*conditions, exhaustion]).strip(", "))


def _spells(data: dict[str, Any]) -> list[str]:
    names: list[str] = []
    lists = [entry.get("spells") for entry in items(data.get("classSpells"))]
    lists += list(obj(data.get("spells")).values())
    for spells in lists:
        for spell in items(spells):
            name = text(obj(spell.get("definition")).get("name"), 100)
            if name and name not in names:
                names.append(name)
    return names[:300]
