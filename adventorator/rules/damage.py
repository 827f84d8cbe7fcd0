"""Damage types, and resistance, immunity and vulnerability (SRD 5.1).

SRD 5.1 "Combat: Damage Types" lists the 13 types; "Damage Resistance and
Vulnerability" gives the arithmetic, applied here in its order:
- immunity: the damage is 0;
- resistance halves the damage (rounded down, the SRD's rule for any division);
- vulnerability doubles it;
- resistance and vulnerability are applied after all other modifiers, and
  both apply when a creature has both (halve, then double);
- several instances of resistance or vulnerability to one type count once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from adventorator.rules.srd import RulesError

__all__ = [
    "DamageAdjustment",
    "DamageType",
    "Defences",
    "adjust_damage",
    "adjust_damage_parts",
    "parse_damage_type",
]

_RULE = "SRD Damage Resistance and Vulnerability"


class DamageType(enum.StrEnum):
    """The SRD's 13 damage types; the value is the lower-case name."""

    ACID = "acid"
    BLUDGEONING = "bludgeoning"
    COLD = "cold"
    FIRE = "fire"
    FORCE = "force"
    LIGHTNING = "lightning"
    NECROTIC = "necrotic"
    PIERCING = "piercing"
    POISON = "poison"
    PSYCHIC = "psychic"
    RADIANT = "radiant"
    SLASHING = "slashing"
    THUNDER = "thunder"


def parse_damage_type(name: str | DamageType) -> DamageType:
    """The damage type named by ``name`` in any case ("Fire", " FIRE "); ``RulesError`` else."""
    if isinstance(name, DamageType):
        return name
    if not isinstance(name, str):
        raise RulesError(f"damage type must be a name, got {name!r}")
    try:
        return DamageType(name.strip().lower())
    except ValueError:
        valid = ", ".join(t.value for t in DamageType)
        raise RulesError(f"unknown damage type {name!r}; valid types: {valid}") from None


def _types(names: Iterable[str | DamageType]) -> frozenset[DamageType]:
    if isinstance(names, str):  # "fire" would otherwise be read letter by letter
        names = (names,)
    return frozenset(parse_damage_type(n) for n in names)


@dataclass(frozen=True)
class Defences:
    """A creature's damage resistances, immunities and vulnerabilities, as sets."""

    resistances: frozenset[DamageType] = frozenset()
    immunities: frozenset[DamageType] = frozenset()
    vulnerabilities: frozenset[DamageType] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        resistances: Iterable[str | DamageType] = (),
        immunities: Iterable[str | DamageType] = (),
        vulnerabilities: Iterable[str | DamageType] = (),
    ) -> Defences:
        """Parse names (any case); duplicates collapse, as the SRD counts them once."""
        return cls(_types(resistances), _types(immunities), _types(vulnerabilities))

    def union(self, other: Defences) -> Defences:
        """Both sets of defences (a condition's added to a sheet's, say)."""
        return Defences(
            self.resistances | other.resistances,
            self.immunities | other.immunities,
            self.vulnerabilities | other.vulnerabilities,
        )


@dataclass(frozen=True)
class DamageAdjustment:
    """``original`` damage of ``damage_type`` became ``amount``; ``reasons`` say why."""

    original: int
    amount: int
    damage_type: DamageType | None
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        """The reasons joined in one line, or "" when nothing changed the damage."""
        return "; ".join(self.reasons)


def adjust_damage(
    amount: int,
    damage_type: str | DamageType | None,
    *,
    resistances: Iterable[str | DamageType] = (),
    immunities: Iterable[str | DamageType] = (),
    vulnerabilities: Iterable[str | DamageType] = (),
) -> DamageAdjustment:
    """``amount`` damage of ``damage_type`` after immunity, resistance and vulnerability.

    Untyped damage (``None``) is never adjusted.
    """
    defences = Defences.of(
        resistances=resistances, immunities=immunities, vulnerabilities=vulnerabilities
    )
    return _adjust(amount, damage_type, defences)


def _adjust(
    amount: int, damage_type: str | DamageType | None, defences: Defences
) -> DamageAdjustment:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise RulesError(f"damage must be a whole number, 0 or more, got {amount!r}")
    if damage_type is None:
        return DamageAdjustment(amount, amount, None, ())
    kind = parse_damage_type(damage_type)
    if kind in defences.immunities:
        return DamageAdjustment(amount, 0, kind, (f"immune to {kind}: {amount} → 0 ({_RULE})",))
    reasons: list[str] = []
    result = amount
    if kind in defences.resistances:
        halved = result // 2
        reasons.append(f"resistant to {kind}: halved {result} → {halved} ({_RULE})")
        result = halved
    if kind in defences.vulnerabilities:
        doubled = result * 2
        reasons.append(f"vulnerable to {kind}: doubled {result} → {doubled} ({_RULE})")
        result = doubled
    return DamageAdjustment(amount, result, kind, tuple(reasons))


def adjust_damage_parts(
    parts: Sequence[tuple[int, str | DamageType | None]], defences: Defences
) -> tuple[int, tuple[DamageAdjustment, ...]]:
    """Adjust each ``(amount, type)`` part of one hit on its own, and total them.

    A longsword's slashing and a flame tongue's fire are halved or doubled
    separately, each by its own type.
    """
    adjusted = tuple(_adjust(amount, kind, defences) for amount, kind in parts)
    return sum(a.amount for a in adjusted), adjusted
