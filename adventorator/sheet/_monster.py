"""``monster_sheet``: a ``CharacterSheet`` for an SRD monster, for an encounter.

A sheet derives its numbers (proficiency bonus from the level, attack bonus from
an ability modifier, damage as dice + modifier); a stat block lists them. So the
sheet is chosen to reproduce the listed numbers: the level whose proficiency
bonus is the monster's (PB 7 to 9 is above the table: level 17 and a note), for
each attack the ability whose modifier is the listed damage modifier (STR or DEX
first) with the attack ``bonus`` carrying any difference to the listed to-hit, and
save and skill proficiencies (expertise at twice the bonus) where the listed
bonuses allow. What a sheet cannot say is written in ``notes``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from adventorator.rules.srd import Ability, RulesError, ability_modifier
from adventorator.sheet._model import CharacterSheet

if TYPE_CHECKING:
    from adventorator.rules.monsters import Action, DamagePart, Monster

__all__ = ["monster_sheet", "split_damage"]

# The character level whose SRD proficiency bonus is the monster's.
_LEVEL_FOR_PB = {2: 1, 3: 5, 4: 9, 5: 13, 6: 17}
_TOP_PB = 6
# Try the attack abilities first, so a cat's claw is not a Charisma attack if it can help it.
_ABILITY_ORDER = (Ability.STR, Ability.DEX, Ability.CON, Ability.WIS, Ability.INT, Ability.CHA)
_DICE = re.compile(r"^(?:(\d+d\d+)([+-]\d+)?|(-?\d+))$")


def split_damage(text: str) -> tuple[str | None, int]:
    """ "2d6+4" -> ("2d6", 4); "1d8" -> ("1d8", 0); "1" -> (None, 1)."""
    match = _DICE.match(text.replace(" ", ""))
    if match is None:
        raise RulesError(f"unexpected damage notation {text!r}")
    if match.group(3) is not None:
        return None, int(match.group(3))
    return match.group(1), int(match.group(2) or 0)


def _with_flat(dice: str | None, flat: int) -> str:
    if dice is None:
        return str(flat)
    if flat == 0:
        return dice
    return f"{dice}{'+' if flat > 0 else '-'}{abs(flat)}"


def _attack_ability(
    action: Action, monster: Monster, pb: int, flat: int
) -> tuple[Ability, int, int]:
    """(ability, attack bonus field, damage flat left in the dice) for ``action``."""
    assert action.attack_bonus is not None
    mods = {a: ability_modifier(monster.abilities[a]) for a in _ABILITY_ORDER}
    to_hit = action.attack_bonus
    fits = (
        [a for a in _ABILITY_ORDER if mods[a] == flat and mods[a] + pb == to_hit]
        or [a for a in _ABILITY_ORDER if mods[a] == flat]
        or [a for a in _ABILITY_ORDER if mods[a] + pb == to_hit]
        # no modifier fits: the nearest one, its difference written into the dice
        or sorted(_ABILITY_ORDER, key=lambda a: abs(mods[a] - flat))
    )
    chosen = fits[0]
    return chosen, to_hit - mods[chosen] - pb, flat - mods[chosen]


def _part_text(part: DamagePart) -> str:
    return f"{part.dice} {part.type.value}" + (f" ({part.note})" if part.note else "")


def _attack(action: Action, monster: Monster, pb: int, notes: list[str]) -> dict[str, Any]:
    first, *extra = action.damage
    dice, flat = split_damage(first.dice)
    # Flat damage ("1 piercing") stays the listed number only with a +0 ability.
    ability, bonus, rest = _attack_ability(action, monster, pb, flat if dice else 0)
    rest += 0 if dice else flat
    attack: dict[str, Any] = {
        "name": action.name[:50],
        "ability": ability.value,
        "ranged": action.kind == "ranged",
        "damage": _with_flat(dice, rest),
        "damage_type": first.type.value,
    }
    if bonus:
        attack["bonus"] = bonus
    if extra:
        attack["extra"] = [
            {
                "label": f"{part.type.value.capitalize()} damage",
                "damage": part.dice,
                "type": part.type.value,
            }
            for part in extra
        ]
    if first.alternatives:
        others = "; ".join(_part_text(p) for p in first.alternatives)
        notes.append(f"{action.name}: {_part_text(first)}; or {others}.")
    return attack


def _proficiencies(monster: Monster, pb: int, notes: list[str]) -> tuple[list[str], dict[str, str]]:
    saves: list[str] = []
    for ability, listed in monster.saves.items():
        mod = ability_modifier(monster.abilities[ability])
        if listed > mod:
            saves.append(ability.value)
        if listed != mod + pb:
            notes.append(
                f"{ability.value.upper()} save is +{listed} in the SRD (sheet: {mod + pb:+d})."
            )
    skills: dict[str, str] = {}
    for skill, listed in monster.skills.items():
        mod = ability_modifier(monster.abilities[skill.ability])
        level = "expertise" if listed - mod >= 2 * pb else "proficient"
        skills[skill.value] = level
        derived = mod + pb * (2 if level == "expertise" else 1)
        if listed != derived:
            notes.append(f"{skill.long} is +{listed} in the SRD (sheet: {derived:+d}).")
    return saves, skills


def _notes(monster: Monster, extra: list[str]) -> str:
    lines = [
        f"SRD monster: {monster.name}, {monster.size} {monster.type}, {monster.alignment}; "
        f"CR {monster.challenge} ({monster.xp:,} XP)."
    ]
    if monster.multiattack is not None:
        lines.append(f"Multiattack: {monster.multiattack.desc}")
    if monster.proficiency_bonus > _TOP_PB:
        lines.append(
            f"Proficiency bonus +{monster.proficiency_bonus} in the SRD, above the level table: "
            f"the sheet is level 17 (+{_TOP_PB}); attack bonuses carry the difference."
        )
    if monster.defence_notes:
        lines.append(
            "Defences: " + "; ".join(monster.defence_notes) + " (the sheet applies "
            '"nonmagical" ones to every attack).'
        )
    if monster.speed.get("hover"):
        lines.append("It can hover.")
    lines.extend(extra)
    return "\n".join(lines)[:10_000]


def monster_sheet(monster: Monster, *, name: str, hit_points: int) -> CharacterSheet:
    """A validated sheet for ``monster`` called ``name`` (e.g. "goblin 2") with ``hit_points``."""
    pb = min(monster.proficiency_bonus, _TOP_PB)
    notes: list[str] = []
    saves, skills = _proficiencies(monster, pb, notes)
    attacks = [_attack(a, monster, pb, notes) for a in monster.attacks]
    speed = {k: v for k, v in monster.speed.items() if k != "hover" and isinstance(v, int)}
    speed.setdefault("walk", 0)
    document: dict[str, Any] = {
        "name": name,
        "monster": monster.index,
        "class": "Monster",
        "species": monster.name[:50],
        "level": _LEVEL_FOR_PB[pb],
        "abilities": {a.value: s for a, s in monster.abilities.items()},
        "saves": saves,
        "skills": skills,
        "ac": monster.ac,
        "hp": {"max": hit_points, "current": hit_points},
        "speed": speed,
        "senses": {k: v for k, v in monster.senses.items() if k != "passive_perception"},
        "resistances": [t.value for t in monster.resistances],
        "immunities": [t.value for t in monster.immunities],
        "vulnerabilities": [t.value for t in monster.vulnerabilities],
        "condition_immunities": list(monster.condition_immunities),
        "attacks": attacks,
        "notes": _notes(monster, notes),
    }
    return CharacterSheet.model_validate(document)
