"""One attack, rolled: the d20 with conditions, the outcome, and the damage parts (no I/O).

The attack roll takes the attacker's and the target's conditions
(``attack_modifiers``), the critical range from the attacker's features and
Halfling Lucky; ``resolve_attack`` judges it (a natural 1 misses, a face in
the critical range hits and is a critical hit). On a hit, or when no AC is
known, each damage part is rolled (dice doubled on a critical hit, SRD
"Critical Hits") and kept apart, since defences apply per damage type.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from adventorator.rules import AttackResult, BonusDice, DamageResult, Ruleset
from adventorator.rules.combat_odds import AttackOutcome, resolve_attack
from adventorator.rules.condition_effects import RollEffect, attack_modifiers
from adventorator.rules.damage import DamageAdjustment, Defences, adjust_damage_parts
from adventorator.rules.dice import render_markdown, render_text, result_to_json
from adventorator.sheet import AttackProfile, ExtraDamage

__all__ = ["AttackRoll", "DamagePart", "roll_attack"]


@dataclass(frozen=True)
class DamagePart:
    """One rolled part of a hit's damage: the weapon's, or an extra such as Sneak Attack."""

    label: str
    result: DamageResult
    damage_type: str | None

    @property
    def amount(self) -> int:
        return max(0, self.result.total)  # a penalty never makes damage heal

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "type": self.damage_type,
            "expression": self.result.expression,
            "rolled_expression": self.result.rolled_expression,
            "amount": self.amount,
            "roll": result_to_json(self.result.roll),
        }

    def line(self, *, markdown: bool) -> str:
        rendered = (render_markdown if markdown else render_text)(self.result.roll)
        kind = f" {self.damage_type}" if self.damage_type else ""
        return f"{self.label}: {rendered}{kind}"


@dataclass(frozen=True)
class AttackRoll:
    """A rolled attack: ``roll`` has no AC (the outcome is ``resolve_attack``'s)."""

    profile: AttackProfile
    roll: AttackResult
    ac: int | None
    effect: RollEffect
    outcome: AttackOutcome
    parts: tuple[DamagePart, ...]
    left_out: tuple[ExtraDamage, ...]  # once-per-turn extras not asked for

    @property
    def rolled_damage(self) -> int:
        return sum(part.amount for part in self.parts)

    def adjusted(self, defences: Defences) -> tuple[int, tuple[DamageAdjustment, ...]]:
        """The damage taken by a target with ``defences``, each part by its own type."""
        return adjust_damage_parts([(p.amount, p.damage_type) for p in self.parts], defences)

    def outcome_word(self) -> str:
        if self.outcome.fumble:
            return "natural 1: miss"
        if self.outcome.critical:
            return "critical hit"
        if self.outcome.hit is None:
            return ""
        return "hit" if self.outcome.hit else "miss"

    def to_json(self) -> dict[str, Any]:
        data = self.roll.to_json()
        for key in ("target_ac", "hit", "critical", "fumble"):  # judged below, with the range
            data.pop(key, None)
        return {
            **data,
            "attack_terms": [
                {"source": m.source, "value": m.value} for m in self.profile.modifiers
            ],
            "ac": self.ac,
            "crit_on": self.profile.crit_on,
            "hit": self.outcome.hit,
            "critical": self.outcome.critical,
            "fumble": self.outcome.fumble,
            "outcome_reasons": list(self.outcome.reasons),
            "conditions": [
                {"condition": r.condition, "effect": r.effect, "rule": r.rule}
                for r in self.effect.reasons
            ],
        }


def _bonus_dice(bonus: str | None) -> tuple[BonusDice, ...]:
    return (BonusDice(bonus, "bonus"),) if bonus else ()


def roll_attack(
    ruleset: Ruleset,
    rng: random.Random,
    profile: AttackProfile,
    *,
    attacker_conditions: Iterable[str],
    attacker_exhaustion: int,
    target_conditions: Iterable[str],
    ac: int | None,
    advantage: bool,
    disadvantage: bool,
    bonus: str | None,
    extra: bool,
) -> AttackRoll:
    """Roll ``profile``'s attack, then its damage unless it surely missed."""
    effect = attack_modifiers(
        attacker_conditions,
        target_conditions,
        within_5_ft=not profile.ranged,
        attacker_exhaustion=attacker_exhaustion,
    )
    roll = ruleset.attack_roll(
        profile.attack_bonus,
        rng=rng,
        advantage=effect.advantage + int(advantage),
        disadvantage=effect.disadvantage + int(disadvantage),
        halfling_lucky=profile.halfling_lucky,
        bonus_dice=_bonus_dice(bonus),
    )
    outcome = resolve_attack(
        roll.natural, roll.total, ac, crit_on=profile.crit_on, auto_crit=effect.auto_crit
    )
    wanted = [x for x in profile.extras if extra or not x.once_per_turn]
    left_out = tuple(x for x in profile.extras if x not in wanted)
    parts: tuple[DamagePart, ...] = ()
    if outcome.hit is not False:
        parts = _roll_damage(ruleset, rng, profile, wanted, critical=outcome.critical)
    return AttackRoll(profile, roll, ac, effect, outcome, parts, left_out)


def _roll_damage(
    ruleset: Ruleset,
    rng: random.Random,
    profile: AttackProfile,
    extras: Sequence[ExtraDamage],
    *,
    critical: bool,
) -> tuple[DamagePart, ...]:
    weapon = DamagePart(
        profile.name,
        ruleset.damage_roll(profile.damage, rng=rng, critical=critical),
        profile.damage_type,
    )
    rest = tuple(
        DamagePart(
            x.label, ruleset.damage_roll(x.damage, rng=rng, critical=critical), x.damage_type
        )
        for x in extras
    )
    return (weapon, *rest)
