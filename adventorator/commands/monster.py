"""``monster show`` and ``monster list``: the SRD 5.1 monsters shipped in the package.

Pure commands: they read the package's monster data (``rules.monsters``, loaded
on first use) and nothing else. ``autocomplete(typed)`` gives Discord the names
for the monster option as the user types.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands._types import CommandSpec, Invocation, Reply, option

if TYPE_CHECKING:
    from adventorator.rules.monsters import Action, Monster, Trait

__all__ = ["SPECS", "autocomplete", "stat_block"]

AUTOCOMPLETE_CHOICES = 25  # Discord's most


@dataclass(frozen=True)
class ShowOptions:
    name: str = option(
        "The monster: its name or index, or a unique start (adult red).",
        positional=True,
        autocomplete=True,
    )


@dataclass(frozen=True)
class ListOptions:
    search: str | None = option(
        "Only monsters whose name starts with or contains this.", default=None
    )


def autocomplete(typed: str) -> list[str]:
    """Monster names for what the user typed: those starting with it first."""
    from adventorator.rules.monsters import search_monsters

    return [m.name for m in search_monsters(typed, limit=AUTOCOMPLETE_CHOICES)]


def _signed(value: int) -> str:
    return f"{value:+d}"


def _speed(monster: Monster) -> str:
    parts = [f"{monster.speed['walk']} ft." if "walk" in monster.speed else "0 ft."]
    for kind in ("burrow", "climb", "fly", "swim"):
        if kind in monster.speed:
            hover = " (hover)" if kind == "fly" and monster.speed.get("hover") else ""
            parts.append(f"{kind} {monster.speed[kind]} ft.{hover}")
    return ", ".join(parts)


def _abilities(monster: Monster) -> str:
    from adventorator.rules.srd import ability_modifier

    return "  ".join(
        f"{a.value.upper()} {score} ({_signed(ability_modifier(score))})"
        for a, score in monster.abilities.items()
    )


def _defences(monster: Monster) -> list[str]:
    lines = []
    for label, types in (
        ("Vulnerable", monster.vulnerabilities),
        ("Resistant", monster.resistances),
        ("Immune", monster.immunities),
    ):
        if types:
            lines.append(f"{label}: {', '.join(t.value for t in types)}")
    if monster.defence_notes:
        lines.append("  (" + "; ".join(monster.defence_notes) + ")")
    if monster.condition_immunities:
        lines.append("Condition immunities: " + ", ".join(monster.condition_immunities))
    return lines


def _senses(monster: Monster) -> str:
    ranges = [f"{k} {v} ft." for k, v in monster.senses.items() if k != "passive_perception"]
    ranges.append(f"passive Perception {monster.senses['passive_perception']}")
    return ", ".join(ranges)


def action_line(action: Action) -> str:
    """ "Scimitar: melee, +4 to hit, reach 5 ft., 1d6+2 slashing" (or the save it calls for)."""
    head = action.name + (f" ({action.usage})" if action.usage else "")
    terms: list[str] = []
    if action.attack_bonus is not None:
        terms.extend(x for x in (action.kind, f"{_signed(action.attack_bonus)} to hit") if x)
    if action.reach is not None and action.kind != "ranged":
        terms.append(f"reach {action.reach} ft.")
    if action.range is not None:
        terms.append("range " + "/".join(str(r) for r in action.range) + " ft.")
    if action.dc is not None:
        half = ", half on a success" if action.dc.success == "half" else ""
        terms.append(f"DC {action.dc.value} {action.dc.ability.value.upper()} save{half}")
    if action.damage:
        damage = " plus ".join(f"{p.dice} {p.type.value}" for p in action.damage)
        choices = [f"{p.dice} {p.type.value}" for d in action.damage for p in d.alternatives]
        terms.append(damage + (f" (or {', '.join(choices)})" if choices else ""))
    if not terms:
        return f"{head}: {action.desc}"
    return f"{head}: {', '.join(terms)}"


def _header(monster: Monster) -> list[str]:
    subtype = f" ({monster.subtype})" if monster.subtype else ""
    armour = monster.armor_class[0]
    ac_note = f" ({armour.note})" if armour.note else ""
    return [
        f"{monster.name}: {monster.size} {monster.type}{subtype}, {monster.alignment}",
        f"AC {monster.ac}{ac_note}  HP {monster.hit_points} ({monster.hit_points_roll})  "
        f"Speed {_speed(monster)}",
        _abilities(monster),
    ]


def _details(monster: Monster) -> list[str]:
    lines = []
    if monster.saves:
        saves = ", ".join(f"{a.value.upper()} {_signed(v)}" for a, v in monster.saves.items())
        lines.append(f"Saves: {saves}")
    if monster.skills:
        skills = ", ".join(f"{s.long} {_signed(v)}" for s, v in monster.skills.items())
        lines.append(f"Skills: {skills}")
    lines.extend(_defences(monster))
    lines.append(f"Senses: {_senses(monster)}")
    lines.append(f"Languages: {monster.languages or '—'}")
    lines.append(
        f"CR {monster.challenge} ({monster.xp:,} XP)  "
        f"Proficiency {_signed(monster.proficiency_bonus)}"
    )
    return lines


def _trait_name(trait: Trait) -> str:
    return trait.name + (f" ({trait.usage})" if trait.usage else "")


def stat_block(monster: Monster, *, descriptions: bool = True) -> str:
    """The stat block as plain text; without ``descriptions``, traits and actions by name only."""
    lines = _header(monster) + _details(monster)
    if monster.special_abilities:
        if descriptions:
            lines.append("Traits:")
            lines.extend(f"- {_trait_name(t)}: {t.desc}" for t in monster.special_abilities)
        else:
            lines.append("Traits: " + ", ".join(t.name for t in monster.special_abilities))
    lines.append("Actions:")
    for action in monster.actions:
        if action.multiattack is not None:
            lines.append(f"- Multiattack: {action.desc}")
        elif descriptions and not action.is_attack:
            usage = f" ({action.usage})" if action.usage else ""
            lines.append(f"- {action.name}{usage}: {action.desc}")
        elif action.is_attack or action.dc is not None:
            lines.append(f"- {action_line(action)}")
        else:
            lines.append(f"- {action.name}")
    for label, traits in (
        ("Reactions", monster.reactions),
        ("Legendary actions", monster.legendary_actions),
    ):
        if traits and descriptions:
            lines.append(f"{label}:")
            lines.extend(f"- {_trait_name(t)}: {t.desc}" for t in traits)
        elif traits:
            lines.append(f"{label}: " + ", ".join(t.name for t in traits))
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {_jsonable(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def monster_data(monster: Monster) -> dict[str, Any]:
    """The monster as JSON: every field of ``rules.monsters.Monster``, enums as names."""
    data: dict[str, Any] = _jsonable(dataclasses.asdict(monster))
    data["ac"] = monster.ac
    data["challenge"] = monster.challenge
    return data


def _fitted(monster: Monster, limit: int) -> str:
    for text in (stat_block(monster), stat_block(monster, descriptions=False)):
        if len(text) <= limit:
            return text
    return text[: max(0, limit - 1)] + "…"


def _rich(text: str, title: str) -> object:
    from rich.panel import Panel
    from rich.text import Text

    return Panel(Text(text), title=Text(title), expand=False)


async def show(invocation: Invocation, options: ShowOptions) -> Reply:
    """The stat block of one SRD monster."""
    from adventorator.rules.monsters import find_monster

    monster = find_monster(options.name)
    text = stat_block(monster)
    return Reply(
        text=text,
        markdown=f"```\n{text}\n```",
        rich=lambda: _rich(text, monster.name),
        data=monster_data(monster),
        fit=lambda limit: "```\n" + _fitted(monster, max(0, limit - 8)) + "\n```",
    )


async def list_monsters(invocation: Invocation, options: ListOptions) -> Reply:
    """SRD monsters by name, with CR and type; ``--search`` narrows them."""
    from adventorator.errors import NotFoundError
    from adventorator.rules.monsters import all_monsters, search_monsters

    found = list(all_monsters()) if not options.search else search_monsters(options.search, 400)
    if not found:
        raise NotFoundError(f"no SRD monster matches {options.search!r}")
    lines = [f"{m.name} (CR {m.challenge}, {m.size} {m.type})" for m in found]
    text = "\n".join(lines)
    return Reply(
        text=text,
        data={
            "monsters": [
                {"index": m.index, "name": m.name, "cr": m.challenge, "type": m.type} for m in found
            ]
        },
        fit=lambda limit: _fitted_list(lines, limit),
    )


def _fitted_list(lines: list[str], limit: int) -> str:
    shown: list[str] = []
    for number, line in enumerate(lines):
        more = f"… and {len(lines) - number} more (narrow it with search)"
        if sum(len(s) + 1 for s in shown) + len(line) + len(more) + 2 > limit:
            return "\n".join([*shown, more])
        shown.append(line)
    return "\n".join(shown)


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        path=("monster", "show"),
        help="Show an SRD monster's stat block: `adv monster show goblin`.",
        options=ShowOptions,
        handler=show,
        pure=True,
        purpose="look up a monster",
        planner_requires=("name",),
    ),
    CommandSpec(
        path=("monster", "list"),
        help="List the SRD monsters, or those matching a search: "
        "`adv monster list --search dragon`.",
        options=ListOptions,
        handler=list_monsters,
        pure=True,
    ),
)
