"""The SRD 5.1 monsters (334), from the package's ``data/srd_monsters.json.gz``.

The data file is built by ``scripts/build_srd_monsters.py`` from the 5e-bits
``5e-database`` compilation of the SRD 5.1 (licence and attribution in
``data/LICENSE-5e-database.md`` and the README). It is read on first use and
cached, so importing this module costs nothing and ``adv roll`` never loads it.

- ``find_monster(name)``: by index ("adult-red-dragon") or name, any case,
  exact else a unique prefix; ``RulesError`` names the candidates otherwise.
- ``search_monsters(text)``: names for autocomplete (prefix matches first).
- ``monster_names()``; ``roll_hit_points(monster, rng)`` rolls the hit dice.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from adventorator.rules.damage import DamageType
from adventorator.rules.srd import Ability, RulesError, Skill

__all__ = [
    "Action",
    "ArmorClass",
    "DamagePart",
    "Monster",
    "MultiattackStep",
    "SaveDC",
    "Trait",
    "all_monsters",
    "find_monster",
    "monster_names",
    "roll_hit_points",
    "search_monsters",
]

DATA_FILE = "srd_monsters.json.gz"
_MAX_CANDIDATES = 10


@dataclass(frozen=True)
class DamagePart:
    """One damage term of an action: dice (with the modifier, "1d6+2") and type.

    ``alternatives`` are the other choices the data offers (two-handed, the
    djinni's lightning or thunder); ``note`` says which choice this is.
    """

    dice: str
    type: DamageType
    note: str | None = None
    alternatives: tuple[DamagePart, ...] = ()


@dataclass(frozen=True)
class SaveDC:
    ability: Ability
    value: int
    success: str  # "half" or "none": what a successful save leaves


@dataclass(frozen=True)
class MultiattackStep:
    action: str
    count: int | str  # a number, or text such as "Number of Heads"
    type: str  # melee, ranged, ability, magic, ...


@dataclass(frozen=True)
class Action:
    """An action as the stat block lists it; an attack has ``attack_bonus`` and damage."""

    name: str
    desc: str
    attack_bonus: int | None = None
    kind: str | None = None  # "melee", "ranged" or "melee or ranged"
    reach: int | None = None
    range: tuple[int, ...] | None = None  # normal (and long) range in feet
    damage: tuple[DamagePart, ...] = ()
    dc: SaveDC | None = None
    usage: str | None = None  # "Recharge 5-6", "3/Day"
    multiattack: tuple[MultiattackStep, ...] | None = None  # set on a Multiattack

    @property
    def is_attack(self) -> bool:
        return self.attack_bonus is not None and bool(self.damage)


@dataclass(frozen=True)
class Trait:
    """A special ability, reaction or legendary action: a name and its text."""

    name: str
    desc: str
    usage: str | None = None


@dataclass(frozen=True)
class ArmorClass:
    value: int
    kind: str  # natural, armor, dex, spell, condition
    note: str | None = None  # the armour worn, the spell or the condition


@dataclass(frozen=True, eq=False)
class Monster:
    """One SRD monster's stat block, with our ability, skill and damage type names."""

    index: str
    name: str
    size: str
    type: str
    subtype: str | None
    alignment: str
    armor_class: tuple[ArmorClass, ...]
    hit_points: int
    hit_dice: str
    hit_points_roll: str  # e.g. "2d6" or "4d10+12": what roll_hit_points rolls
    speed: dict[str, int | bool]  # walk, fly, swim, climb, burrow in feet; hover: True
    abilities: dict[Ability, int]
    proficiency_bonus: int
    challenge_rating: float
    xp: int
    saves: dict[Ability, int]  # listed save bonuses
    skills: dict[Skill, int]  # listed skill bonuses
    senses: dict[str, int]  # ranges in feet, and passive_perception
    sense_notes: tuple[str, ...]
    languages: str
    vulnerabilities: tuple[DamageType, ...]
    resistances: tuple[DamageType, ...]
    immunities: tuple[DamageType, ...]
    defence_notes: tuple[str, ...]  # qualifiers: "from nonmagical weapons", ...
    condition_immunities: tuple[str, ...]  # our condition names (exhaustion included)
    special_abilities: tuple[Trait, ...]
    actions: tuple[Action, ...]
    reactions: tuple[Trait, ...]
    legendary_actions: tuple[Trait, ...]

    @property
    def ac(self) -> int:
        return self.armor_class[0].value

    @property
    def attacks(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.is_attack)

    @property
    def multiattack(self) -> Action | None:
        return next((a for a in self.actions if a.multiattack is not None), None)

    @property
    def challenge(self) -> str:
        """The challenge rating as written: "1/4", "5"."""
        fractions = {0.125: "1/8", 0.25: "1/4", 0.5: "1/2"}
        return fractions.get(self.challenge_rating, f"{self.challenge_rating:g}")


def _part(data: dict[str, Any]) -> DamagePart:
    return DamagePart(
        dice=data["dice"],
        type=DamageType(data["type"]),
        note=data.get("note"),
        alternatives=tuple(_part(x) for x in data.get("or", [])),
    )


def _action(data: dict[str, Any]) -> Action:
    dc = data.get("dc")
    steps = data.get("multiattack")
    return Action(
        name=data["name"],
        desc=data["desc"],
        attack_bonus=data.get("attack_bonus"),
        kind=data.get("kind"),
        reach=data.get("reach"),
        range=tuple(data["range"]) if "range" in data else None,
        damage=tuple(_part(x) for x in data.get("damage", [])),
        dc=None if dc is None else SaveDC(Ability(dc["ability"]), dc["value"], dc["success"]),
        usage=data.get("usage"),
        multiattack=None
        if steps is None
        else tuple(MultiattackStep(s["action"], s["count"], s["type"]) for s in steps),
    )


def _traits(items: list[dict[str, Any]]) -> tuple[Trait, ...]:
    return tuple(Trait(x["name"], x["desc"], x.get("usage")) for x in items)


def _monster(data: dict[str, Any]) -> Monster:
    return Monster(
        index=data["index"],
        name=data["name"],
        size=data["size"],
        type=data["type"],
        subtype=data.get("subtype"),
        alignment=data["alignment"],
        armor_class=tuple(ArmorClass(a["value"], a["kind"], a.get("note")) for a in data["ac"]),
        hit_points=data["hp"],
        hit_dice=data["hit_dice"],
        hit_points_roll=data["hp_roll"],
        speed=dict(data["speed"]),
        abilities={a: data["abilities"][a.value] for a in Ability},
        proficiency_bonus=data["pb"],
        challenge_rating=float(data["cr"]),
        xp=data["xp"],
        saves={a: data["saves"][a.value] for a in Ability if a.value in data["saves"]},
        skills={Skill(k): v for k, v in data["skills"].items()},
        senses=dict(data["senses"]),
        sense_notes=tuple(data["sense_notes"]),
        languages=data["languages"],
        vulnerabilities=tuple(DamageType(t) for t in data["vulnerabilities"]),
        resistances=tuple(DamageType(t) for t in data["resistances"]),
        immunities=tuple(DamageType(t) for t in data["immunities"]),
        defence_notes=tuple(data["defence_notes"]),
        condition_immunities=tuple(data["condition_immunities"]),
        special_abilities=_traits(data["special_abilities"]),
        actions=tuple(_action(a) for a in data["actions"]),
        reactions=_traits(data["reactions"]),
        legendary_actions=_traits(data["legendary_actions"]),
    )


def _key(text: str) -> str:
    # "Adult Red Dragon", "adult-red-dragon" and "adult red  dragon" are one key.
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


@functools.cache
def all_monsters() -> tuple[Monster, ...]:
    """Every SRD monster, ordered by name (read from the package on the first call)."""
    import gzip  # here, not at import: adv roll imports rules but never reads monsters
    import json

    raw = (resources.files("adventorator.rules") / "data" / DATA_FILE).read_bytes()
    document = json.loads(gzip.decompress(raw))
    monsters = (_monster(m) for m in document["monsters"])
    return tuple(sorted(monsters, key=lambda m: m.name.casefold()))


@functools.cache
def _keys() -> tuple[tuple[Monster, frozenset[str]], ...]:
    return tuple((m, frozenset({_key(m.index), _key(m.name)})) for m in all_monsters())


def monster_names() -> list[str]:
    """All monster names, alphabetically."""
    return [m.name for m in all_monsters()]


def search_monsters(text: str, limit: int = 25) -> list[Monster]:
    """Monsters whose index or name starts with ``text``, then those containing it."""
    wanted = _key(text)
    if not wanted:
        return list(all_monsters()[:limit])
    prefix = [m for m, keys in _keys() if any(k.startswith(wanted) for k in keys)]
    inside = [m for m, keys in _keys() if m not in prefix and any(wanted in k for k in keys)]
    return (prefix + inside)[:limit]


def _listing(monsters: list[Monster]) -> str:
    # "; " because some names hold a comma ("Werewolf, Human Form").
    names = "; ".join(m.name for m in monsters[:_MAX_CANDIDATES])
    more = len(monsters) - _MAX_CANDIDATES
    return names + (f" and {more} more" if more > 0 else "")


def find_monster(name: str) -> Monster:
    """The monster with this index or name (any case), else the one it uniquely starts.

    ``RulesError`` for an unknown or ambiguous name, listing up to ten candidates.
    """
    wanted = _key(name)
    if not wanted:
        raise RulesError("name a monster, e.g. goblin")
    exact = [m for m, keys in _keys() if wanted in keys]
    if exact:
        return exact[0]
    prefix = [m for m, keys in _keys() if any(k.startswith(wanted) for k in keys)]
    if len(prefix) == 1:
        return prefix[0]
    if prefix:
        raise RulesError(f"{name!r} matches {len(prefix)} monsters: {_listing(prefix)}")
    similar = search_monsters(name, limit=_MAX_CANDIDATES)
    hint = f"; similar: {_listing(similar)}" if similar else " (adv monster list shows them all)"
    raise RulesError(f"no SRD monster {name!r}{hint}")


def roll_hit_points(monster: Monster, rng: random.Random) -> int:
    """The monster's hit dice rolled with ``rng`` (at least 1 hit point)."""
    from adventorator.rules import dice

    return max(1, dice.roll(monster.hit_points_roll, rng=rng).total)
