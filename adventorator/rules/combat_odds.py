"""Critical ranges, attack outcomes, and the exact odds of hitting and of dropping a target.

- Critical range: a natural 20 is a critical hit (SRD "Rolling 1 or 20");
  the Champion's Improved Critical (Fighter 3) scores one on 19-20 and
  Superior Critical (Fighter 15) on 18-20. A critical hit always hits.
- ``resolve_attack`` judges a rolled attack with a critical range and the
  automatic critical of a paralyzed or unconscious target (``RollEffect.auto_crit``).
- ``hit_odds`` and ``attack_odds`` are exact (``Fraction``), from the dice
  engine's distributions, so they pay the engine's work budget: too large an
  expression raises ``DiceStatsError`` instead of running long.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from adventorator.rules._check import d20_expression
from adventorator.rules.damage import DamageType, Defences, adjust_damage
from adventorator.rules.dice import Advantage, Distribution, distribution, double_dice
from adventorator.rules.dice import sum_distribution as _sum_distribution
from adventorator.rules.srd import RulesError

__all__ = [
    "DEFAULT_CRIT_ON",
    "IMPROVED_CRITICAL",
    "SUPERIOR_CRITICAL",
    "AttackOdds",
    "AttackOutcome",
    "HitOdds",
    "attack_odds",
    "crit_on_from_features",
    "damage_distribution",
    "defence_adjuster",
    "hit_odds",
    "is_critical",
    "resolve_attack",
    "validate_crit_on",
]

DEFAULT_CRIT_ON = 20
IMPROVED_CRITICAL = 19  # SRD Fighter, Champion 3: "a critical hit on a roll of 19 or 20"
SUPERIOR_CRITICAL = 18  # SRD Fighter, Champion 15: "a critical hit on a roll of 18-20"
_FEATURES = (("superior critical", SUPERIOR_CRITICAL), ("improved critical", IMPROVED_CRITICAL))


def validate_crit_on(crit_on: int) -> int:
    """``crit_on`` if it is 2-20: a natural 1 always misses, so it is never a critical."""
    if isinstance(crit_on, bool) or not isinstance(crit_on, int) or not 2 <= crit_on <= 20:
        raise RulesError(f"a critical range starts at 2-20, got {crit_on!r}")
    return crit_on


def crit_on_from_features(features: Iterable[str]) -> int:
    """The lowest natural roll that is a critical hit, from a sheet's feature names.

    "Improved Critical (19-20)" gives 19, "Superior Critical" 18 (it replaces
    Improved Critical, so the lower wins); any case, any suffix; else 20.
    """
    crit_on = DEFAULT_CRIT_ON
    for feature in features:
        name = re.sub(r"[\s_\-]+", " ", feature).strip().lower()
        for prefix, threshold in _FEATURES:
            if name.startswith(prefix):
                crit_on = min(crit_on, threshold)
    return crit_on


def is_critical(natural: int, crit_on: int = DEFAULT_CRIT_ON) -> bool:
    """Whether the d20's face scores a critical hit with this range."""
    return natural >= validate_crit_on(crit_on)


@dataclass(frozen=True)
class AttackOutcome:
    """A judged attack: ``hit`` (None without an AC), ``critical`` and ``fumble``."""

    hit: bool | None
    critical: bool
    fumble: bool
    reasons: tuple[str, ...] = ()


def resolve_attack(
    natural: int,
    total: int,
    target_ac: int | None,
    *,
    crit_on: int = DEFAULT_CRIT_ON,
    auto_crit: bool = False,
) -> AttackOutcome:
    """Hit and critical for an attack roll (``AttackResult.natural`` and ``.total``).

    A natural 1 misses; a face in the critical range hits and is a critical
    hit; otherwise the total must reach the AC. ``auto_crit`` turns any hit
    into a critical hit (paralyzed or unconscious target, attacker within 5 ft).
    """
    validate_crit_on(crit_on)
    if natural == 1:
        return AttackOutcome(hit=False, critical=False, fumble=True)
    if natural >= crit_on:
        why = () if natural == 20 else (f"critical hit on {crit_on}-20",)
        return AttackOutcome(hit=True, critical=True, fumble=False, reasons=why)
    hit = None if target_ac is None else total >= target_ac
    if hit and auto_crit:
        why = ("target paralyzed or unconscious within 5 ft: the hit is a critical hit",)
        return AttackOutcome(hit=True, critical=True, fumble=False, reasons=why)
    return AttackOutcome(hit=hit, critical=False, fumble=False)


@dataclass(frozen=True)
class HitOdds:
    """Exact chances of one attack: ``hit`` includes ``critical``."""

    hit: Fraction
    critical: Fraction

    @property
    def normal_hit(self) -> Fraction:
        """A hit that is not a critical hit."""
        return self.hit - self.critical

    @property
    def miss(self) -> Fraction:
        return 1 - self.hit


def hit_odds(
    attack_bonus: int,
    target_ac: int,
    *,
    advantage: Advantage = Advantage.NONE,
    crit_on: int = DEFAULT_CRIT_ON,
    auto_crit: bool = False,
    halfling_lucky: bool = False,
    bonus_dice: Sequence[str] = (),
) -> HitOdds:
    """Exact chances to hit and to score a critical hit against ``target_ac``.

    ``bonus_dice`` (Bless "1d4", Bane "-1d4") are added to the total but never
    change the d20's face, which alone decides natural 1s and criticals.
    """
    validate_crit_on(crit_on)
    faces = distribution(d20_expression(advantage, halfling_lucky=halfling_lucky)).pmf
    extra = _sum_distribution(list(bonus_dice)) if bonus_dice else None
    hit = critical = Fraction(0)
    for face, p in faces.items():
        if face == 1:
            continue
        if face >= crit_on:
            hit += p
            critical += p
            continue
        need = target_ac - attack_bonus - face
        p_hit = p * (extra.p_at_least(need) if extra is not None else Fraction(need <= 0))
        hit += p_hit
        if auto_crit:
            critical += p_hit
    return HitOdds(hit=hit, critical=critical)


def defence_adjuster(
    damage_type: str | DamageType | None, defences: Defences
) -> Callable[[int], int]:
    """The function from rolled to taken damage for one type against ``defences``."""

    def adjust(amount: int) -> int:
        return adjust_damage(
            amount,
            damage_type,
            resistances=defences.resistances,
            immunities=defences.immunities,
            vulnerabilities=defences.vulnerabilities,
        ).amount

    return adjust


def damage_distribution(
    expression: str,
    *,
    critical: bool = False,
    adjust: Callable[[int], int] | None = None,
) -> Distribution:
    """Exact odds of the damage one hit deals: dice doubled on a critical, never below 0.

    ``adjust`` maps a rolled amount to the amount taken (``defence_adjuster``).
    """
    rolled = distribution(double_dice(expression) if critical else expression)
    taken: dict[int, Fraction] = {}
    for total, p in rolled.pmf.items():
        amount = max(0, total)  # a penalty can't make damage heal
        if adjust is not None:
            amount = adjust(amount)
        taken[amount] = taken.get(amount, Fraction(0)) + p
    return Distribution(taken)


@dataclass(frozen=True)
class AttackOdds:
    """One attack's exact odds: to hit, to crit, the mean damage and to drop the target."""

    hit: HitOdds
    mean_damage: float
    drop: Fraction | None


def attack_odds(
    attack_bonus: int,
    target_ac: int,
    damage: str,
    *,
    target_hp: int | None = None,
    advantage: Advantage = Advantage.NONE,
    crit_on: int = DEFAULT_CRIT_ON,
    auto_crit: bool = False,
    halfling_lucky: bool = False,
    bonus_dice: Sequence[str] = (),
    adjust: Callable[[int], int] | None = None,
) -> AttackOdds:
    """Odds of one attack dealing ``damage``: mean damage per attack, and P(drop).

    ``drop`` is P(damage taken >= ``target_hp``), the target's current plus
    temporary hit points, over hits and critical hits; None without ``target_hp``.
    """
    if target_hp is not None and (
        isinstance(target_hp, bool) or not isinstance(target_hp, int) or target_hp < 1
    ):
        raise RulesError(f"target hit points must be a whole number, 1 or more, got {target_hp!r}")
    odds = hit_odds(
        attack_bonus,
        target_ac,
        advantage=advantage,
        crit_on=crit_on,
        auto_crit=auto_crit,
        halfling_lucky=halfling_lucky,
        bonus_dice=bonus_dice,
    )
    normal = damage_distribution(damage, adjust=adjust)
    crit = damage_distribution(damage, critical=True, adjust=adjust)
    mean = float(odds.normal_hit) * normal.mean + float(odds.critical) * crit.mean
    drop = None
    if target_hp is not None:
        drop = odds.normal_hit * normal.p_at_least(target_hp) + odds.critical * crit.p_at_least(
            target_hp
        )
    return AttackOdds(hit=odds, mean_damage=mean, drop=drop)
