"""How conditions and exhaustion change checks, saves and attack rolls (SRD 5.1 Conditions).

Two questions, each answered with a ``RollEffect``: counts of advantage and
disadvantage sources (which cancel as the SRD says: any of each is a straight
roll, which ``CheckInput`` and ``attack_roll`` already do given the counts),
whether the roll fails automatically, whether a hit is a critical hit, and a
``ConditionReason`` for every condition that changed something.

- ``roll_modifiers``: a creature's own check, save or attack roll.
- ``attack_modifiers``: an attack, from the attacker's and the target's conditions.

Each rule in the tables below is one SRD sentence, cited by its condition.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from adventorator.rules._check import CheckInput, resolve_advantage
from adventorator.rules._types import CheckKind
from adventorator.rules.conditions import (
    Condition,
    ConditionReason,
    effective_conditions,
    exhaustion_effects,
)
from adventorator.rules.dice import Advantage
from adventorator.rules.srd import Ability

__all__ = [
    "RollEffect",
    "RollKind",
    "attack_modifiers",
    "charmer_social_check",
    "check_with_conditions",
    "roll_modifiers",
]

C = Condition


class RollKind(enum.StrEnum):
    """The three d20 tests the SRD's conditions talk about."""

    CHECK = "check"
    SAVE = "save"
    ATTACK = "attack"

    @classmethod
    def of(cls, kind: RollKind | CheckKind) -> RollKind:
        """A skill or raw ability check is an ability check; a save is a save."""
        if isinstance(kind, RollKind):
            return kind
        return cls.SAVE if kind is CheckKind.SAVE else cls.CHECK


class _Effect(enum.Enum):
    ADVANTAGE = "advantage"
    DISADVANTAGE = "disadvantage"
    AUTO_FAIL = "auto_fail"


@dataclass(frozen=True)
class _Rule:
    """One SRD sentence: ``condition`` gives ``effect`` on rolls of ``kind``."""

    condition: Condition
    kind: RollKind
    effect: _Effect
    text: str
    abilities: frozenset[Ability] | None = None  # None: any ability
    needs: str | None = None  # a situation flag: "sight", "hearing" or "fear"


_STR_DEX = frozenset({Ability.STR, Ability.DEX})
_DIS, _ADV, _FAIL = _Effect.DISADVANTAGE, _Effect.ADVANTAGE, _Effect.AUTO_FAIL
_CHECK, _SAVE, _ATTACK = RollKind.CHECK, RollKind.SAVE, RollKind.ATTACK

# The creature's own rolls.
_OWN_RULES: tuple[_Rule, ...] = (
    _Rule(C.BLINDED, _CHECK, _FAIL, "automatically fails checks that require sight", needs="sight"),
    _Rule(C.BLINDED, _ATTACK, _DIS, "disadvantage on attack rolls"),
    _Rule(
        C.DEAFENED,
        _CHECK,
        _FAIL,
        "automatically fails checks that require hearing",
        needs="hearing",
    ),
    _Rule(
        C.FRIGHTENED, _CHECK, _DIS, "disadvantage on ability checks (source in sight)", needs="fear"
    ),
    _Rule(
        C.FRIGHTENED, _ATTACK, _DIS, "disadvantage on attack rolls (source in sight)", needs="fear"
    ),
    _Rule(C.INVISIBLE, _ATTACK, _ADV, "advantage on attack rolls"),
    _Rule(C.PARALYZED, _SAVE, _FAIL, "automatically fails Strength and Dexterity saves", _STR_DEX),
    _Rule(C.PETRIFIED, _SAVE, _FAIL, "automatically fails Strength and Dexterity saves", _STR_DEX),
    _Rule(C.POISONED, _ATTACK, _DIS, "disadvantage on attack rolls"),
    _Rule(C.POISONED, _CHECK, _DIS, "disadvantage on ability checks"),
    _Rule(C.PRONE, _ATTACK, _DIS, "disadvantage on attack rolls"),
    _Rule(C.RESTRAINED, _ATTACK, _DIS, "disadvantage on attack rolls"),
    _Rule(C.RESTRAINED, _SAVE, _DIS, "disadvantage on Dexterity saves", frozenset({Ability.DEX})),
    _Rule(C.STUNNED, _SAVE, _FAIL, "automatically fails Strength and Dexterity saves", _STR_DEX),
    _Rule(
        C.UNCONSCIOUS, _SAVE, _FAIL, "automatically fails Strength and Dexterity saves", _STR_DEX
    ),
)

# "Attack rolls against the creature have advantage": the target's conditions.
_ADVANTAGE_AGAINST = (
    C.BLINDED,
    C.PARALYZED,
    C.PETRIFIED,
    C.RESTRAINED,
    C.STUNNED,
    C.UNCONSCIOUS,
)
# "Any attack that hits the creature is a critical hit if the attacker is within 5 feet."
_CRITICAL_WITHIN_5_FT = (C.PARALYZED, C.UNCONSCIOUS)
_EXHAUSTION_RULE = "SRD Conditions, Exhaustion"


@dataclass(frozen=True)
class RollEffect:
    """What conditions do to one d20 test.

    ``advantage`` and ``disadvantage`` count sources; ``auto_fail`` means the
    roll fails whatever the dice say; ``auto_crit`` means a hit is a critical
    hit. ``reasons`` has one entry per effect, in table order.
    """

    advantage: int = 0
    disadvantage: int = 0
    auto_fail: bool = False
    auto_crit: bool = False
    reasons: tuple[ConditionReason, ...] = ()

    @property
    def advantage_state(self) -> Advantage:
        """The advantage that applies once the sources cancel (any of each: a straight roll)."""
        return resolve_advantage(self.advantage, self.disadvantage)

    @property
    def reason_texts(self) -> tuple[str, ...]:
        """Each reason as one line of text."""
        return tuple(r.text for r in self.reasons)

    def annotate(self, data: dict[str, Any]) -> dict[str, Any]:
        """A check's JSON with which conditions changed it, and an automatic failure applied."""
        conditions = [
            {"condition": r.condition, "effect": r.effect, "rule": r.rule} for r in self.reasons
        ]
        annotated = {**data, "conditions": conditions, "auto_fail": self.auto_fail}
        if self.auto_fail:
            annotated["success"] = False
        return annotated

    def __add__(self, other: RollEffect) -> RollEffect:
        return RollEffect(
            advantage=self.advantage + other.advantage,
            disadvantage=self.disadvantage + other.disadvantage,
            auto_fail=self.auto_fail or other.auto_fail,
            auto_crit=self.auto_crit or other.auto_crit,
            reasons=self.reasons + other.reasons,
        )


def _effect(effect: _Effect, reason: ConditionReason) -> RollEffect:
    return RollEffect(
        advantage=int(effect is _ADV),
        disadvantage=int(effect is _DIS),
        auto_fail=effect is _FAIL,
        reasons=(reason,),
    )


def _exhaustion(kind: RollKind, level: int) -> RollEffect:
    """Exhaustion 1: disadvantage on checks; 3: on attack rolls and saves (cumulative)."""
    effects = exhaustion_effects(level)
    if kind is _CHECK and effects.check_disadvantage:
        text = "disadvantage on ability checks"
    elif kind is not _CHECK and effects.attack_and_save_disadvantage:
        text = "disadvantage on attack rolls and saving throws"
    else:
        return RollEffect()
    return _effect(_DIS, ConditionReason(effects.label, text, _EXHAUSTION_RULE))


def roll_modifiers(
    kind: RollKind | CheckKind,
    ability: Ability | None,
    conditions: Iterable[str | Condition],
    exhaustion: int = 0,
    *,
    fear_source_in_sight: bool = True,
    requires_sight: bool = False,
    requires_hearing: bool = False,
) -> RollEffect:
    """How the roller's own conditions change its check, save or attack roll.

    ``ability`` matters for saves (paralyzed fails Strength and Dexterity
    saves only). Frightened applies only while the source of fear is in sight,
    and blinded or deafened fail only checks that need sight or hearing: the
    caller says which with the flags.
    """
    roll_kind = RollKind.of(kind)
    present = effective_conditions(conditions)
    flags = {"sight": requires_sight, "hearing": requires_hearing, "fear": fear_source_in_sight}
    total = RollEffect()
    for rule in _OWN_RULES:
        if rule.condition not in present or rule.kind is not roll_kind:
            continue
        if rule.abilities is not None and ability not in rule.abilities:
            continue
        if rule.needs is not None and not flags[rule.needs]:
            continue
        total += _effect(
            rule.effect, ConditionReason(rule.condition.value, rule.text, rule.condition.rule)
        )
    return total + _exhaustion(roll_kind, exhaustion)


def _against(target: frozenset[Condition], *, within_5_ft: bool) -> RollEffect:
    """The target's conditions: advantage or disadvantage on attacks against it, and crits."""
    total = RollEffect()
    for condition in _ADVANTAGE_AGAINST:
        if condition in target:
            why = ConditionReason(
                f"target {condition}", "advantage on attacks against it", condition.rule
            )
            total += _effect(_ADV, why)
    if C.INVISIBLE in target:
        why = ConditionReason(
            "target invisible", "disadvantage on attacks against it", C.INVISIBLE.rule
        )
        total += _effect(_DIS, why)
    if C.PRONE in target:
        # SRD Prone: advantage if the attacker is within 5 feet, otherwise disadvantage.
        effect, text = (
            (_ADV, "advantage from within 5 ft")
            if within_5_ft
            else (_DIS, "disadvantage from beyond 5 ft")
        )
        total += _effect(effect, ConditionReason("target prone", text, C.PRONE.rule))
    for condition in _CRITICAL_WITHIN_5_FT:
        if condition in target and within_5_ft:
            why = ConditionReason(
                f"target {condition}", "a hit from within 5 ft is a critical hit", condition.rule
            )
            total += RollEffect(auto_crit=True, reasons=(why,))
    return total


def attack_modifiers(
    attacker_conditions: Iterable[str | Condition],
    target_conditions: Iterable[str | Condition],
    *,
    within_5_ft: bool,
    attacker_exhaustion: int = 0,
    fear_source_in_sight: bool = True,
) -> RollEffect:
    """Everything conditions do to one attack roll, the attacker's first, then the target's.

    ``within_5_ft`` is whether the attacker is within 5 feet of the target
    (prone, and the automatic critical against paralyzed or unconscious).
    """
    own = roll_modifiers(
        RollKind.ATTACK,
        None,
        attacker_conditions,
        attacker_exhaustion,
        fear_source_in_sight=fear_source_in_sight,
    )
    return own + _against(effective_conditions(target_conditions), within_5_ft=within_5_ft)


def charmer_social_check(target_conditions: Iterable[str | Condition]) -> RollEffect:
    """SRD Charmed: the charmer has advantage on checks to interact socially with the creature."""
    if C.CHARMED not in effective_conditions(target_conditions):
        return RollEffect()
    why = ConditionReason(
        "target charmed", "the charmer has advantage on social checks", C.CHARMED.rule
    )
    return _effect(_ADV, why)


def check_with_conditions(
    check: CheckInput,
    conditions: Iterable[str | Condition],
    exhaustion: int = 0,
    *,
    fear_source_in_sight: bool = True,
    requires_sight: bool = False,
    requires_hearing: bool = False,
) -> tuple[CheckInput, RollEffect]:
    """``check`` with its conditions' advantage and disadvantage added, and the effect.

    ``CheckInput`` cannot express an automatic failure: when ``effect.auto_fail``
    is set the caller reports the check as failed whatever it rolls.
    """
    effect = roll_modifiers(
        check.kind,
        check.resolved_ability,
        conditions,
        exhaustion,
        fear_source_in_sight=fear_source_in_sight,
        requires_sight=requires_sight,
        requires_hearing=requires_hearing,
    )
    if not (effect.advantage or effect.disadvantage):
        return check, effect
    updated = replace(
        check,
        advantage=check.advantage + effect.advantage,
        disadvantage=check.disadvantage + effect.disadvantage,
    )
    return updated, effect
