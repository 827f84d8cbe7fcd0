"""What ``sheet show`` adds below the numbers: the state that matters at the table.

Conditions and exhaustion, concentration, senses, other speeds, defences,
features, attacks (to-hit and damage as the ruleset derives them), inventory,
spells and notes: one labelled line each, only when there is something to say,
long lists and notes shortened (``--json`` has everything). Values are user
text: the terminal panel wraps them in ``rich.text.Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adventorator.rules import Ruleset
    from adventorator.sheet import Attack, CharacterSheet

__all__ = ["LIST_SHOWN", "NOTES_SHOWN", "table_state"]

LIST_SHOWN = 12  # entries of one list shown before "… N more"
NOTES_SHOWN = 160  # characters of the notes shown


def _listed(entries: list[str]) -> str:
    shown = ", ".join(entries[:LIST_SHOWN])
    hidden = len(entries) - LIST_SHOWN
    return f"{shown}, … {hidden} more" if hidden > 0 else shown


def _feet(values: dict[str, int | None], *, skip: str = "") -> str:
    return ", ".join(f"{name} {feet} ft" for name, feet in values.items() if feet and name != skip)


def _conditions(sheet: CharacterSheet) -> str:
    named = [c.value for c in sheet.conditions if c.value != "exhaustion"]
    if sheet.exhaustion:
        named.append(f"exhaustion {sheet.exhaustion}")
    return ", ".join(named)


def _defences(sheet: CharacterSheet) -> str:
    groups: list[tuple[str, Sequence[object]]] = [
        ("resists", sheet.resistances),
        ("immune to", sheet.immunities),
        ("vulnerable to", sheet.vulnerabilities),
        ("cannot be", sheet.condition_immunities),
    ]
    return "; ".join(
        f"{word} {', '.join(str(item) for item in items)}" for word, items in groups if items
    )


def _attack(sheet: CharacterSheet, attack: Attack, ruleset: Ruleset) -> str:
    """``Shortsword +7, 1d6+4 piercing + 3d6 (Sneak Attack, once per turn)``."""
    from adventorator.sheet import Feature, attack_profile

    profile = attack_profile(
        attack,
        scores=dict(sheet.abilities),
        level=sheet.level,
        features=sheet.features,
        halfling_lucky=Feature.HALFLING_LUCKY in sheet.flags,
        ruleset=ruleset,
    )
    damage = profile.damage + (f" {profile.damage_type}" if profile.damage_type else "")
    for extra in profile.extras:
        kind = extra.damage_type if extra.damage_type != profile.damage_type else None
        once = ", once per turn" if extra.once_per_turn else ""
        damage += f" + {extra.damage}{f' {kind}' if kind else ''} ({extra.label}{once})"
    ranged = " (ranged)" if profile.ranged else ""
    return f"{profile.name}{ranged} {profile.attack_bonus:+d}, {damage}"


def _items(sheet: CharacterSheet) -> str:
    names = [
        f"{item.name}{f' x{item.quantity}' if item.quantity > 1 else ''}"
        for item in sheet.inventory
    ]
    return _listed(names)


def _notes(notes: str) -> str:
    flat = " ".join(notes.split())
    return flat if len(flat) <= NOTES_SHOWN else flat[: NOTES_SHOWN - 1].rstrip() + "…"


def table_state(sheet: CharacterSheet, ruleset: Ruleset) -> list[tuple[str, str]]:
    """``(label, value)`` pairs, in table order, for every non-empty part."""
    speeds = sheet.speed.model_dump()
    rows = [
        ("Conditions", _conditions(sheet)),
        ("Concentrating on", sheet.concentration or ""),
        ("Senses", _feet(sheet.senses.model_dump())),
        ("Other speeds", _feet(speeds, skip="walk")),
        ("Defences", _defences(sheet)),
        ("Features", _listed(list(sheet.features))),
        ("Attacks", "; ".join(_attack(sheet, a, ruleset) for a in sheet.attacks[:LIST_SHOWN])),
        ("Inventory", _items(sheet)),
        ("Spells", _listed(list(sheet.spells))),
        ("Notes", _notes(sheet.notes)),
    ]
    return [(label, value) for label, value in rows if value]
