"""A Foundry VTT dnd5e actor export -> a sheet document (``adv sheet import --format foundry``).

An actor exported from Foundry ("Export Data") is ``{"name", "type":
"character", "system": {...}, "items": [...]}``. What is read:

- ``system.abilities.<abbr>.value`` and ``.proficient`` (a saving throw);
- ``system.skills.<abbr>.value``: the proficiency multiplier 0, 0.5, 1 or 2;
- ``system.attributes.hp`` (``value``, ``max``, ``temp``), ``.movement``,
  ``.ac.flat`` (when the AC is flat), ``.exhaustion``;
- items of type ``class`` (``system.levels``; several are a multiclass),
  ``subclass``, ``race``, ``background``, ``feat``, ``weapon`` (attacks, both
  the older ``damage.parts`` and the newer ``damage.base``), ``spell`` and
  the rest of the inventory.
"""

from __future__ import annotations

import re
from typing import Any

from adventorator.errors import InputError
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

__all__ = ["foundry_sheet"]

_ABILITIES = ("str", "dex", "con", "int", "wis", "cha")
_SKILLS = {
    "acr": "acrobatics", "ani": "animal_handling", "arc": "arcana", "ath": "athletics",
    "dec": "deception", "his": "history", "ins": "insight", "itm": "intimidation",
    "inv": "investigation", "med": "medicine", "nat": "nature", "prc": "perception",
    "prf": "performance", "per": "persuasion", "rel": "religion", "slt": "sleight_of_hand",
    "ste": "stealth", "sur": "survival",
}  # fmt: skip
_INVENTORY = {"equipment", "consumable", "tool", "loot", "backpack", "container", "weapon"}
_CONDITIONS = {"blinded", "charmed", "deafened", "frightened", "grappled", "incapacitated",
               "invisible", "paralyzed", "petrified", "poisoned", "prone", "restrained",
               "stunned", "unconscious"}  # fmt: skip
_DICE = re.compile(r"^\s*(\d*d\d+)")


def foundry_sheet(document: Any, report: ImportReport) -> dict[str, Any]:
    """Map a Foundry dnd5e actor document to a sheet document, filling ``report``."""
    actor = obj(document)
    if actor.get("type") != "character":
        raise InputError(
            f"a Foundry actor of type {text(actor.get('type'), 20)!r}: only characters import"
        )
    system = obj(actor.get("system"))
    owned = items(actor.get("items"))
    sheet: dict[str, Any] = {"name": text(actor.get("name"))}
    _abilities(system, sheet, report)
    _skills(system, sheet, report)
    classes = _classes(owned, system, sheet, report)
    _attributes(system, sheet, report)
    species = _origin(owned, system, sheet)
    sheet["features"] = _features(owned, classes, species, report)
    _equipment(owned, sheet, report)
    _conditions(actor, sheet, report)
    for ignored in sorted({str(i.get("type")) for i in owned} - _KNOWN_TYPES):
        report.skip(f"items of type {text(ignored, 20)!r}: ignored")
    return {key: value for key, value in sheet.items() if value not in (None, [], {})}


_KNOWN_TYPES = _INVENTORY | {"class", "subclass", "race", "background", "feat", "spell"}


def _abilities(system: dict[str, Any], sheet: dict[str, Any], report: ImportReport) -> None:
    scores: dict[str, int | None] = {}
    saves = []
    for ability in _ABILITIES:
        entry = obj(obj(system.get("abilities")).get(ability))
        scores[ability] = number(entry.get("value"))
        if scores[ability] is None:
            report.skip(f"{ability.upper()}: no score in the document")
        if (number(entry.get("proficient")) or 0) >= 1:
            saves.append(ability)
    sheet["abilities"], sheet["saves"] = scores, saves
    shown = "  ".join(f"{a.upper()} {s}" for a, s in scores.items() if s is not None)
    report.done(f"abilities {shown}")
    report.done(f"saves {' '.join(s.upper() for s in saves) or 'none'}")


def _skills(system: dict[str, Any], sheet: dict[str, Any], report: ImportReport) -> None:
    skills: dict[str, str] = {}
    halves = []
    for key, entry in obj(system.get("skills")).items():
        skill = _SKILLS.get(key)
        raw = obj(entry).get("value")
        value = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else 0
        if skill is None:
            if value:
                report.skip(f"skill {text(key, 20)!r}: not an SRD skill")
        elif value >= 2:
            skills[skill] = "expertise"
        elif value >= 1:
            skills[skill] = "proficient"
        elif value > 0:
            halves.append(skill)
    sheet["skills"] = skills
    experts = [s for s, p in skills.items() if p == "expertise"]
    report.done(
        f"skills {len(skills)}" + (f" (expertise: {', '.join(experts)})" if experts else "")
    )
    if halves:
        report.skip(
            f"half proficiency on {', '.join(halves)}: a sheet has it only from "
            "Jack of All Trades or Remarkable Athlete"
        )


def _classes(
    owned: list[dict[str, Any]], system: dict[str, Any], sheet: dict[str, Any], report: ImportReport
) -> dict[str, int]:
    """Each class name and level, the primary first; sets class, level and subclass."""
    found: list[tuple[str, int, str | None]] = []
    for item in owned:
        name, level = text(item.get("name"), 50), number(obj(item.get("system")).get("levels"))
        if item.get("type") == "class" and name and level and level > 0:
            found.append((name, level, text(item.get("_id"), 40)))
    original = text(obj(system.get("details")).get("originalClass"), 40)
    found.sort(key=lambda c: (c[2] != original, -c[1]) if original else -c[1])
    if not found:
        report.skip("classes: no class items in the document")
        return {}
    total = sum(level for _, level, _ in found)
    primary = found[0][0]
    sheet["class"], sheet["level"] = primary, min(total, 20)
    subclasses = [i for i in owned if i.get("type") == "subclass"]
    identifier = primary.lower().replace(" ", "-")
    for item in subclasses:
        if obj(item.get("system")).get("classIdentifier") in (identifier, None):
            sheet["subclass"] = text(item.get("name"), 50)
    if len(found) > 1:
        split = " / ".join(f"{name} {level}" for name, level, _ in found)
        report.done(f"multiclass {split}: class {primary} at level {total} (their sum)")
        report.skip(f"multiclass: the sheet holds one class ({primary}); the split is in notes")
        sheet["notes"] = f"Multiclass: {split}."
    else:
        subclass = f" ({sheet['subclass']})" if sheet.get("subclass") else ""
        report.done(f"class {primary} {total}{subclass}")
    return {name: level for name, level, _ in found}


def _attributes(system: dict[str, Any], sheet: dict[str, Any], report: ImportReport) -> None:
    attributes = obj(system.get("attributes"))
    hp = obj(attributes.get("hp"))
    maximum = number(hp.get("max"))
    if maximum is not None and maximum > 0:
        maximum = min(maximum, 999)
        current = max(0, min(number(hp.get("value")) or 0, maximum))
        temp = max(0, min(number(hp.get("temp")) or 0, 999))
        sheet["hp"] = {"max": maximum, "current": current, "temp": temp}
        report.done(f"HP {current}/{maximum}" + (f", temp {temp}" if temp else ""))
    else:
        report.skip("HP: no maximum in the export (Foundry may compute it); set hp.max")
    movement = obj(attributes.get("movement"))
    speed = {k: number(movement.get(k)) for k in ("walk", "fly", "swim", "climb")}
    speed = {k: v for k, v in speed.items() if v and 0 < v <= 1000}
    if "walk" in speed:
        sheet["speed"] = speed
        report.done("speed " + ", ".join(f"{kind} {feet} ft" for kind, feet in speed.items()))
    ac = obj(attributes.get("ac"))
    flat = number(ac.get("flat"))
    if ac.get("calc") in ("flat", "natural") and flat and 1 <= flat <= 40:
        sheet["ac"] = flat
        report.done(f"AC {flat}")
    else:
        report.skip("AC: Foundry computes it from armour; set it with sheet update (ac)")
    exhaustion = number(attributes.get("exhaustion"))
    if exhaustion and 0 < exhaustion <= 6:
        sheet["exhaustion"] = exhaustion
        report.done(f"exhaustion {exhaustion}")


def _conditions(actor: dict[str, Any], sheet: dict[str, Any], report: ImportReport) -> None:
    """Conditions from the active effects' ``statuses`` (dnd5e 3.x and later)."""
    found: list[str] = []
    for effect in items(actor.get("effects")):
        statuses = effect.get("statuses")
        for status in statuses if isinstance(statuses, list) else []:
            if not isinstance(status, str):
                continue
            if status in _CONDITIONS and status not in found:
                found.append(status)
            elif status != "exhaustion":
                report.skip(f"status effect {text(status, 30)!r}: not an SRD condition")
    sheet["conditions"] = found
    if found:
        report.done(f"conditions: {', '.join(found)}")


def _origin(
    owned: list[dict[str, Any]], system: dict[str, Any], sheet: dict[str, Any]
) -> str | None:
    details = obj(system.get("details"))
    for kind, key in (("race", "species"), ("background", "background")):
        item = next((i for i in owned if i.get("type") == kind), None)
        name = text(item.get("name"), 50) if item else text(details.get(kind), 50)
        sheet[key] = name
    species: str | None = sheet["species"]
    return species


def _features(
    owned: list[dict[str, Any]], classes: dict[str, int], species: str | None, report: ImportReport
) -> list[str]:
    rules: list[str] = []
    kept: list[str] = []
    for item in owned:
        name = text(item.get("name"), 200)
        if item.get("type") != "feat" or not name:
            continue
        origin = text(obj(obj(item.get("system")).get("type")).get("value"), 20)
        if name.lower() == "sneak attack" and "Rogue" in classes:
            rules.append(f"Sneak Attack ({sneak_attack_dice(classes['Rogue'])})")
            continue
        trait_of = species if origin in ("race", None) else None
        known = known_feature(name, species=trait_of)
        if known:
            rules.append(known)
        elif name not in kept:
            kept.append(name)
    return reported_features(rules, kept, report)


def _damage(system: dict[str, Any]) -> tuple[str | None, str | None]:
    """(dice, damage type) from the newer ``damage.base`` or the older ``damage.parts``."""
    damage = obj(system.get("damage"))
    base = obj(damage.get("base"))
    count, faces = number(base.get("number")), number(base.get("denomination"))
    if count and faces:
        types = base.get("types")
        first = types[0] if isinstance(types, list) and types else None
        return f"{count}d{faces}", text(first, 20)
    parts = damage.get("parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        formula = parts[0][0] if isinstance(parts[0][0], str) else ""
        match = _DICE.match(formula)
        kind = text(parts[0][1], 20) if len(parts[0]) > 1 else None
        return (match.group(1) if match else None), kind
    return None, None


def _properties(system: dict[str, Any]) -> set[str]:
    properties = system.get("properties")
    if isinstance(properties, list):  # dnd5e 3.x and later
        return {p for p in properties if isinstance(p, str)}
    return {key for key, on in obj(properties).items() if on is True}  # before 3.0


def _weapon(item: dict[str, Any], sneak: str | None) -> dict[str, Any] | None:
    system = obj(item.get("system"))
    name = text(item.get("name"), 50)
    dice, damage_type = _damage(system)
    if not name or not dice:
        return None
    properties = _properties(system)
    kind = text(obj(system.get("type")).get("value"), 20) or text(system.get("weaponType"), 20)
    ranged = system.get("actionType") == "rwak" or (kind or "").endswith("R")
    attack: dict[str, Any] = {"name": name, "damage": dice}
    if damage_type:
        attack["damage_type"] = damage_type.lower()
    if ranged:
        attack["ranged"] = True
    if "fin" in properties:
        attack["ability"] = "finesse"
    if system.get("proficient") in (0, False):
        attack["proficient"] = False
    bonus = number(system.get("magicalBonus"))
    if bonus and -20 <= bonus <= 20:
        attack["bonus"] = bonus
    if sneak and (ranged or "fin" in properties):
        attack["extra"] = [{"label": "Sneak Attack", "damage": sneak, "once_per_turn": True}]
    return attack


def _equipment(owned: list[dict[str, Any]], sheet: dict[str, Any], report: ImportReport) -> None:
    sneak = next((f[14:-1] for f in sheet["features"] if f.startswith("Sneak Attack (")), None)
    inventory: list[dict[str, Any]] = []
    attacks: dict[str, dict[str, Any]] = {}
    spells: list[str] = []
    for item in owned:
        name = text(item.get("name"), 100)
        if not name:
            continue
        if item.get("type") == "spell":
            spells += [name] if name not in spells else []
            continue
        if str(item.get("type")) not in _INVENTORY:
            continue
        quantity = number(obj(item.get("system")).get("quantity"))
        inventory.append(
            {"name": name, **({"quantity": quantity} if quantity and quantity > 1 else {})}
        )
        if item.get("type") == "weapon":
            attack = _weapon(item, sneak)
            if attack is None:
                report.skip(f"weapon {name}: no damage dice, not made an attack")
            elif attack["name"].lower() not in attacks and len(attacks) < 50:
                attacks[attack["name"].lower()] = attack
    sheet["inventory"], sheet["attacks"], sheet["spells"] = (
        inventory[:500],
        list(attacks.values()),
        spells[:300],
    )
    names = ", ".join(attack["name"] for attack in attacks.values()) or "none"
    report.done(f"inventory {len(inventory)} items; attacks: {names}")
    if spells:
        report.done(f"spells: {len(spells)}")
