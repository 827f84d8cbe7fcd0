"""The SRD 5.1 conditions and exhaustion: names, implied conditions and their non-roll effects.

The SRD's appendix "Conditions" has 14 named conditions plus exhaustion, which
has levels 1-6 (15 in all). How they change checks, saves and attacks lives in
``condition_effects``; this module holds the names and the effects that are
not rolls: speed, the hit point maximum, damage defences, being incapacitated.

This work includes material taken from the System Reference Document 5.1
("SRD 5.1") by Wizards of the Coast LLC, available at
https://dnd.wizards.com/resources/systems-reference-document and licensed
under the Creative Commons Attribution 4.0 International License
(https://creativecommons.org/licenses/by/4.0/legalcode).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from adventorator.rules.damage import DamageType, Defences
from adventorator.rules.srd import RulesError

__all__ = [
    "ALSO_GAINED",
    "EXHAUSTION",
    "EXHAUSTION_MAX",
    "SRD_CONDITION_NAMES",
    "Condition",
    "ConditionReason",
    "ExhaustionEffects",
    "condition_defences",
    "effective_conditions",
    "exhaustion_effects",
    "hit_point_maximum",
    "incapacitated",
    "parse_condition",
    "parse_condition_name",
    "speed",
    "validate_exhaustion",
]

EXHAUSTION: Literal["exhaustion"] = "exhaustion"
EXHAUSTION_MAX = 6


class Condition(enum.StrEnum):
    """The 14 named SRD conditions (exhaustion, which has levels, is separate)."""

    BLINDED = "blinded"
    CHARMED = "charmed"
    DEAFENED = "deafened"
    FRIGHTENED = "frightened"
    GRAPPLED = "grappled"
    INCAPACITATED = "incapacitated"
    INVISIBLE = "invisible"
    PARALYZED = "paralyzed"
    PETRIFIED = "petrified"
    POISONED = "poisoned"
    PRONE = "prone"
    RESTRAINED = "restrained"
    STUNNED = "stunned"
    UNCONSCIOUS = "unconscious"

    @property
    def rule(self) -> str:
        """The SRD citation: ``"SRD Conditions, Poisoned"``."""
        return f"SRD Conditions, {self.value.capitalize()}"


# The 15 the SRD lists: the 14 above and exhaustion.
SRD_CONDITION_NAMES: tuple[str, ...] = (*(c.value for c in Condition), EXHAUSTION)

# "Paralyzed/Petrified/Stunned/Unconscious: the creature is incapacitated (see the condition)."
_INCAPACITATING = frozenset(
    {Condition.PARALYZED, Condition.PETRIFIED, Condition.STUNNED, Condition.UNCONSCIOUS}
)

# Conditions gained together: SRD Unconscious, "the creature drops whatever it's
# holding and falls prone". Prone is a separate condition that stays when the
# creature wakes, so the caller records both (when HP drop to 0, too).
ALSO_GAINED: Mapping[Condition, frozenset[Condition]] = MappingProxyType(
    {Condition.UNCONSCIOUS: frozenset({Condition.PRONE})}
)

# British and American spellings, and the adjective-less forms people type.
_ALIASES: Mapping[str, str] = MappingProxyType(
    {"paralysed": "paralyzed", "exhausted": EXHAUSTION, "invisibility": "invisible"}
)


@dataclass(frozen=True)
class ConditionReason:
    """Why a roll or number changed: the condition, the effect and the SRD rule."""

    condition: str
    effect: str
    rule: str

    @property
    def text(self) -> str:
        """``"poisoned: disadvantage on attack rolls (SRD Conditions, Poisoned)"``."""
        return f"{self.condition}: {self.effect} ({self.rule})"


def parse_condition_name(name: str) -> Condition | Literal["exhaustion"]:
    """A condition or ``"exhaustion"`` from ``name`` in any case; ``RulesError`` else."""
    if not isinstance(name, str):
        raise RulesError(f"condition must be a name, got {name!r}")
    key = re.sub(r"\s+", " ", name).strip().lower()
    key = _ALIASES.get(key, key)
    if key == EXHAUSTION:
        return EXHAUSTION
    try:
        return Condition(key)
    except ValueError:
        valid = ", ".join(SRD_CONDITION_NAMES)
        raise RulesError(f"unknown condition {name!r}; valid conditions: {valid}") from None


def parse_condition(name: str | Condition) -> Condition:
    """One of the 14 named conditions; exhaustion is refused, since it needs a level."""
    if isinstance(name, Condition):
        return name
    found = parse_condition_name(name)
    if found == EXHAUSTION:
        raise RulesError(f"exhaustion has levels 1-{EXHAUSTION_MAX}: give it as a level")
    assert isinstance(found, Condition)
    return found


def validate_exhaustion(level: int) -> int:
    """``level`` if it is 0 (none) to 6, else ``RulesError``."""
    if isinstance(level, bool) or not isinstance(level, int):
        raise RulesError(f"exhaustion level must be a whole number, got {level!r}")
    if not 0 <= level <= EXHAUSTION_MAX:
        raise RulesError(f"exhaustion level must be 0-{EXHAUSTION_MAX}, got {level}")
    return level


def effective_conditions(conditions: Iterable[str | Condition]) -> frozenset[Condition]:
    """The conditions that apply, with the ones the SRD says others include.

    Paralyzed, petrified, stunned and unconscious each include incapacitated. A
    petrified creature is immune to poison, and a poison already in its system
    is suspended, so poisoned has no effect while it is petrified.
    """
    if isinstance(conditions, str):
        conditions = (conditions,)
    found = frozenset(parse_condition(c) for c in conditions)
    if found & _INCAPACITATING:
        found |= {Condition.INCAPACITATED}
    if Condition.PETRIFIED in found:
        found -= {Condition.POISONED}
    return found


def incapacitated(conditions: Iterable[str | Condition]) -> bool:
    """SRD Incapacitated: "can't take actions or reactions" (directly or by inclusion)."""
    return Condition.INCAPACITATED in effective_conditions(conditions)


@dataclass(frozen=True)
class ExhaustionEffects:
    """What an exhaustion level does: its own effect and every lower level's."""

    level: int
    check_disadvantage: bool  # level 1
    speed_halved: bool  # level 2
    attack_and_save_disadvantage: bool  # level 3
    hit_point_maximum_halved: bool  # level 4
    speed_zero: bool  # level 5
    dead: bool  # level 6

    @property
    def label(self) -> str:
        """``"exhaustion 3"``."""
        return f"{EXHAUSTION} {self.level}"


def exhaustion_effects(level: int) -> ExhaustionEffects:
    """SRD Exhaustion: "a creature suffers the effect of its current level ... and all lower"."""
    validate_exhaustion(level)
    return ExhaustionEffects(
        level=level,
        check_disadvantage=level >= 1,
        speed_halved=level >= 2,
        attack_and_save_disadvantage=level >= 3,
        hit_point_maximum_halved=level >= 4,
        speed_zero=level >= 5,
        dead=level >= 6,
    )


_EXHAUSTION_RULE = "SRD Conditions, Exhaustion"


def hit_point_maximum(maximum: int, exhaustion: int) -> tuple[int, tuple[ConditionReason, ...]]:
    """The hit point maximum under exhaustion: halved from level 4, rounded down.

    Never below 1, so a 1 HP creature keeps a maximum; level 6 is death anyway.
    """
    effects = exhaustion_effects(exhaustion)
    if isinstance(maximum, bool) or not isinstance(maximum, int) or maximum < 1:
        raise RulesError(f"hit point maximum must be a whole number, 1 or more, got {maximum!r}")
    if not effects.hit_point_maximum_halved:
        return maximum, ()
    halved = max(1, maximum // 2)
    why = ConditionReason(effects.label, "hit point maximum halved", _EXHAUSTION_RULE)
    return halved, (why,)


# Each of these stops a creature moving, in the SRD's words.
_NO_MOVEMENT: Mapping[Condition, str] = MappingProxyType(
    {
        Condition.GRAPPLED: "speed becomes 0",
        Condition.RESTRAINED: "speed becomes 0",
        Condition.PARALYZED: "can't move",
        Condition.PETRIFIED: "can't move",
        Condition.STUNNED: "can't move",
        Condition.UNCONSCIOUS: "can't move",
    }
)


def speed(
    base: int, conditions: Iterable[str | Condition], exhaustion: int = 0
) -> tuple[int, tuple[ConditionReason, ...]]:
    """Walking speed in feet after conditions and exhaustion, with the reasons.

    Grappled and restrained make speed 0 (no bonus to speed helps); paralyzed,
    petrified, stunned and unconscious creatures can't move; exhaustion 2
    halves speed (rounded down) and exhaustion 5 makes it 0. Prone creatures
    only crawl, which costs extra movement but is not a change of speed.
    """
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise RulesError(f"speed must be a whole number of feet, 0 or more, got {base!r}")
    effects = exhaustion_effects(exhaustion)
    present = effective_conditions(conditions)
    stopped = [
        ConditionReason(c.value, effect, c.rule)
        for c, effect in _NO_MOVEMENT.items()
        if c in present
    ]
    if effects.speed_zero:
        stopped.append(ConditionReason(effects.label, "speed reduced to 0", _EXHAUSTION_RULE))
    if stopped:
        return 0, tuple(stopped)
    if effects.speed_halved:
        return base // 2, (ConditionReason(effects.label, "speed halved", _EXHAUSTION_RULE),)
    return base, ()


def condition_defences(conditions: Iterable[str | Condition]) -> tuple[Defences, tuple[str, ...]]:
    """Damage defences conditions give: petrified resists all damage and is immune to poison."""
    if Condition.PETRIFIED not in effective_conditions(conditions):
        return Defences(), ()
    reasons = (
        ConditionReason("petrified", "resistance to all damage", Condition.PETRIFIED.rule).text,
        ConditionReason("petrified", "immune to poison", Condition.PETRIFIED.rule).text,
    )
    defences = Defences(
        resistances=frozenset(DamageType), immunities=frozenset({DamageType.POISON})
    )
    return defences, reasons
