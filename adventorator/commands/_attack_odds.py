"""The exact odds of one attack: to hit, to crit, the mean damage and to drop the target.

The hit and critical chances are ``combat_odds.hit_odds``'s. The damage is
the exact distribution of the sum of the attack's parts, each adjusted for
the target's defences by its own type (as ``adjust_damage_parts`` applies
them), with the dice doubled on a critical hit. Every part's distribution
pays the dice engine's work budget (``DiceStatsError`` beyond it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from adventorator.rules.combat_odds import damage_distribution, defence_adjuster, hit_odds
from adventorator.rules.damage import Defences
from adventorator.rules.dice import Advantage, DiceStatsError, Distribution

__all__ = ["AttackChances", "DamageSpec", "attack_chances", "hit_damage"]

# Summing the parts' distributions is ours, not the engine's: its own bound.
CONVOLUTION_WORK = 250_000


@dataclass(frozen=True)
class DamageSpec:
    """One damage part to be rolled: its expression and type."""

    expression: str
    damage_type: str | None


@dataclass(frozen=True)
class AttackChances:
    """Exact chances: ``hit`` includes ``critical``; ``drop`` is None without target HP."""

    hit: Fraction
    critical: Fraction
    mean_damage: float
    drop: Fraction | None

    def to_json(self) -> dict[str, Any]:
        return {
            "hit": float(self.hit),
            "critical": float(self.critical),
            "mean_damage": self.mean_damage,
            "drop": None if self.drop is None else float(self.drop),
            "exact": {
                "hit": str(self.hit),
                "critical": str(self.critical),
                "drop": None if self.drop is None else str(self.drop),
            },
        }


def _convolve(a: Distribution, b: Distribution) -> Distribution:
    if len(a.pmf) * len(b.pmf) > CONVOLUTION_WORK:
        raise DiceStatsError("the damage is too large for exact odds: try fewer or smaller dice")
    pmf: dict[int, Fraction] = {}
    for x, p in a.pmf.items():
        for y, q in b.pmf.items():
            pmf[x + y] = pmf.get(x + y, Fraction(0)) + p * q
    return Distribution(pmf)


def hit_damage(parts: Sequence[DamageSpec], defences: Defences, *, critical: bool) -> Distribution:
    """The exact distribution of the damage one hit deals, defences applied per part."""
    total = Distribution({0: Fraction(1)})
    for part in parts:
        adjust = defence_adjuster(part.damage_type, defences)
        total = _convolve(
            total, damage_distribution(part.expression, critical=critical, adjust=adjust)
        )
    return total


def attack_chances(
    attack_bonus: int,
    ac: int,
    parts: Sequence[DamageSpec],
    *,
    advantage: Advantage,
    crit_on: int,
    auto_crit: bool,
    halfling_lucky: bool,
    bonus: str | None,
    defences: Defences,
    target_hp: int | None,
) -> AttackChances:
    """Exact odds of one attack against ``ac``; ``target_hp`` is current + temporary HP."""
    odds = hit_odds(
        attack_bonus,
        ac,
        advantage=advantage,
        crit_on=crit_on,
        auto_crit=auto_crit,
        halfling_lucky=halfling_lucky,
        bonus_dice=(bonus,) if bonus else (),
    )
    normal = hit_damage(parts, defences, critical=False)
    crit = hit_damage(parts, defences, critical=True)
    mean = float(odds.normal_hit) * normal.mean + float(odds.critical) * crit.mean
    drop = None
    if target_hp is not None:
        drop = odds.normal_hit * normal.p_at_least(target_hp) + odds.critical * crit.p_at_least(
            target_hp
        )
    return AttackChances(odds.hit, odds.critical, mean, drop)
