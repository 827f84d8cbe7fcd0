"""The input and the arithmetic of D&D 5e ability checks and saving throws.

Everything here is pure. ``CheckInput`` validates itself when built, so a bad
input fails before any die is rolled; ``modifier_breakdown`` computes the flat
part of a check without rolling; ``perform_check`` rolls it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from adventorator.rules import srd
from adventorator.rules._results import CheckResult
from adventorator.rules._types import BonusDice, BonusDiceRoll, CheckKind, Modifier, Proficiency
from adventorator.rules.dice import Advantage, roll, sum_distribution
from adventorator.rules.srd import Ability, RulesError, Skill

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = [
    "CheckInput",
    "d20_expression",
    "modifier_breakdown",
    "perform_check",
    "resolve_advantage",
]

# Remarkable Athlete only helps checks made with these abilities.
_PHYSICAL = frozenset({Ability.STR, Ability.DEX, Ability.CON})
# Monsters run from +2 (CR 0) to +9 (CR 30); characters from +2 to +6.
_PB_MIN, _PB_MAX = 2, 9


@dataclass(frozen=True, kw_only=True)
class CheckInput:
    """Everything needed to roll one ability check, skill check or saving throw.

    ``ability`` defaults to the skill's ability for skill checks and may be set
    to pair a skill with another ability (Strength (Intimidation)). Give the
    ability ``score``, or all ``scores`` to pick from. Give ``level`` or
    ``proficiency_bonus`` whenever any proficiency applies (if both, they must
    agree). The feature flags describe the character; the engine decides where
    each applies (Jack of All Trades never touches a save, for instance).
    ``advantage`` and ``disadvantage`` count sources (``True`` counts as one):
    any of each cancel. ``bonus_dice`` entries may be plain expressions.
    Invalid combinations raise ``RulesError`` here, before anything is rolled.
    """

    kind: CheckKind
    ability: Ability | None = None
    skill: Skill | None = None
    score: int | None = None
    scores: Mapping[Ability, int] | None = field(default=None, hash=False)
    level: int | None = None
    proficiency_bonus: int | None = None
    proficiency: Proficiency = Proficiency.NONE
    jack_of_all_trades: bool = False
    remarkable_athlete: bool = False
    reliable_talent: bool = False
    halfling_lucky: bool = False
    advantage: int = 0
    disadvantage: int = 0
    bonus_dice: tuple[BonusDice | str, ...] = ()
    bonuses: tuple[Modifier, ...] = ()
    dc: int | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        # Frozen, so normalise sequences with object.__setattr__: callers may pass lists.
        object.__setattr__(self, "bonus_dice", tuple(self.bonus_dice))
        object.__setattr__(self, "bonuses", tuple(self.bonuses))
        if (
            self.scores is not None
        ):  # a read-only copy: later edits to the caller's dict can't leak in
            object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))
        _validate_shape(self)
        _validate_numbers(self)

    @property
    def resolved_ability(self) -> Ability:
        """The ability actually used: the explicit one, else the skill's default."""
        if self.ability is not None:
            return self.ability
        assert self.skill is not None  # guaranteed by validation
        return self.skill.ability

    @property
    def ability_score(self) -> int:
        """The score of ``resolved_ability``."""
        if self.score is not None:
            return self.score
        assert self.scores is not None  # guaranteed by validation
        return self.scores[self.resolved_ability]

    @property
    def resolved_proficiency_bonus(self) -> int | None:
        """The proficiency bonus from ``proficiency_bonus`` or ``level``, if either was given."""
        if self.proficiency_bonus is not None:
            return self.proficiency_bonus
        return None if self.level is None else srd.proficiency_bonus(self.level)

    @property
    def advantage_state(self) -> Advantage:
        """The advantage that applies once sources cancel."""
        return resolve_advantage(self.advantage, self.disadvantage)

    @property
    def includes_proficiency(self) -> bool:
        """True when the full (or doubled) proficiency bonus is part of the roll."""
        return self.proficiency in (Proficiency.PROFICIENT, Proficiency.EXPERTISE)

    @property
    def reliable_talent_applies(self) -> bool:
        """Reliable Talent: an ability check (not a save) that includes the bonus."""
        return (
            self.reliable_talent and self.kind is not CheckKind.SAVE and self.includes_proficiency
        )

    @property
    def title(self) -> str:
        """Human name: "Dexterity (Stealth) check", "Wisdom saving throw", or ``label``."""
        if self.label:
            return self.label
        ability = self.resolved_ability.long
        if self.kind is CheckKind.SAVE:
            return f"{ability} saving throw"
        if self.skill is not None:
            return f"{ability} ({self.skill.long}) check"
        return f"{ability} check"


def _validate_shape(check: CheckInput) -> None:
    """Kind, ability, skill, proficiency and bonus types fit together."""
    if not isinstance(check.kind, CheckKind):
        raise RulesError(f"check kind must be one of {[k.value for k in CheckKind]}")
    if check.ability is not None and not isinstance(check.ability, Ability):
        raise RulesError(f"ability must be an Ability (see srd.parse_ability): {check.ability!r}")
    if check.skill is not None and not isinstance(check.skill, Skill):
        raise RulesError(f"skill must be a Skill (see srd.parse_skill): {check.skill!r}")
    if check.kind is CheckKind.SKILL and check.skill is None:
        raise RulesError("a skill check needs a skill")
    if check.kind is not CheckKind.SKILL and check.skill is not None:
        what = "a saving throw" if check.kind is CheckKind.SAVE else "a raw ability check"
        raise RulesError(f"{what} has no skill; use kind 'skill' for a {check.skill.long} check")
    if check.kind is not CheckKind.SKILL and check.ability is None:
        raise RulesError(f"a {check.kind.value} roll needs an ability")
    if not isinstance(check.proficiency, Proficiency):
        raise RulesError(f"proficiency must be one of {[p.value for p in Proficiency]}")
    if check.kind is CheckKind.SAVE and check.proficiency is Proficiency.HALF:
        raise RulesError(
            "half proficiency (Jack of All Trades, Remarkable Athlete) never applies "
            "to saving throws"
        )
    if not all(isinstance(b, BonusDice | str) for b in check.bonus_dice):
        raise RulesError("bonus_dice entries must be dice expressions or BonusDice")
    if not all(isinstance(b, Modifier) for b in check.bonuses):
        raise RulesError("bonuses entries must be Modifier(source, value)")


def _validate_numbers(check: CheckInput) -> None:
    """Scores, level, proficiency bonus, advantage counts and DC are in range."""
    if (check.score is None) == (check.scores is None):
        raise RulesError("give exactly one of score (the ability's score) or scores (all six)")
    if check.score is not None:
        srd.ability_modifier(check.score)
    else:
        assert check.scores is not None
        for score in check.scores.values():
            srd.ability_modifier(score)
        if check.resolved_ability not in check.scores:
            raise RulesError(f"scores has no {check.resolved_ability.long} score")
    pb = check.proficiency_bonus
    if pb is not None and (
        isinstance(pb, bool) or not isinstance(pb, int) or not _PB_MIN <= pb <= _PB_MAX
    ):
        raise RulesError(f"proficiency bonus must be {_PB_MIN}-{_PB_MAX}, got {pb!r}")
    if check.level is not None:
        from_level = srd.proficiency_bonus(check.level)
        if pb is not None and pb != from_level:
            raise RulesError(
                f"proficiency bonus {pb} does not match level {check.level} "
                f"(+{from_level}); give one or the other"
            )
    for name, count in (("advantage", check.advantage), ("disadvantage", check.disadvantage)):
        if not isinstance(count, int) or count < 0:
            raise RulesError(f"{name} must be a count of sources (0 or more), got {count!r}")
    if check.dc is not None:
        srd.validate_dc(check.dc)
    _proficiency_term(check)  # fails now, not at roll time, when the bonus is missing


def resolve_advantage(advantage: int, disadvantage: int) -> Advantage:
    """Advantage and disadvantage never stack, and any of each cancel to a plain roll."""
    if advantage and disadvantage:
        return Advantage.NONE
    if advantage:
        return Advantage.ADVANTAGE
    return Advantage.DISADVANTAGE if disadvantage else Advantage.NONE


def d20_expression(advantage: Advantage, *, halfling_lucky: bool, floor: int | None = None) -> str:
    """The d20 in notation: ``1d20``, ``2d20kh1``, Halfling Lucky ``2d20ro1kh1``.

    ``ro1`` comes before the keep so only the die showing 1 is rerolled, once,
    and the keep then chooses between the surviving dice (as Avrae does).
    ``floor`` (Reliable Talent's 10) raises each die to it before the keep,
    which is the same as raising the kept die: a floor commutes with max and min.
    """
    ops = ("ro1" if halfling_lucky else "") + (f"mi{floor}" if floor is not None else "")
    if advantage is Advantage.ADVANTAGE:
        return f"2d20{ops}kh1"
    if advantage is Advantage.DISADVANTAGE:
        return f"2d20{ops}kl1"
    return f"1d20{ops}"


def _half_proficiency(check: CheckInput, pb: int) -> Modifier | None:
    """The best half-proficiency term for a check without the full bonus, if any.

    Candidates are compared rather than added: the bonus is halved at most once.
    """
    if check.kind is CheckKind.SAVE:
        return None
    candidates: list[Modifier] = []
    if check.remarkable_athlete and check.resolved_ability in _PHYSICAL:
        candidates.append(
            Modifier("Remarkable Athlete (half proficiency, rounded up)", math.ceil(pb / 2))
        )
    if check.jack_of_all_trades:
        candidates.append(Modifier("Jack of All Trades (half proficiency)", pb // 2))
    if check.proficiency is Proficiency.HALF:
        candidates.append(Modifier("half proficiency", pb // 2))
    # max() keeps the first of equal values, so the named feature labels the term.
    return max(candidates, key=lambda m: m.value) if candidates else None


def _needs_proficiency_bonus(check: CheckInput) -> bool:
    if check.proficiency is not Proficiency.NONE:
        return True
    if check.kind is CheckKind.SAVE:
        return False
    physical = check.resolved_ability in _PHYSICAL
    return check.jack_of_all_trades or (check.remarkable_athlete and physical)


def _proficiency_term(check: CheckInput) -> Modifier | None:
    """The one proficiency term of a check, or None (it is added at most once)."""
    if not _needs_proficiency_bonus(check):
        return None
    pb = check.resolved_proficiency_bonus
    if pb is None:
        raise RulesError("this roll uses the proficiency bonus: give level or proficiency_bonus")
    if check.proficiency is Proficiency.EXPERTISE:
        return Modifier("proficiency (expertise)", 2 * pb)
    if check.proficiency is Proficiency.PROFICIENT:
        return Modifier("proficiency", pb)
    return _half_proficiency(check, pb)


def modifier_breakdown(check: CheckInput) -> tuple[Modifier, ...]:
    """The flat terms of a check by source, without rolling anything.

    Ability modifier first, then the proficiency term (if any), then the flat
    ``bonuses`` in order. Bonus dice are rolled, so they are not included.
    """
    ability = check.resolved_ability
    terms = [Modifier(f"{ability.short} modifier", srd.ability_modifier(check.ability_score))]
    proficiency = _proficiency_term(check)
    if proficiency is not None:
        terms.append(proficiency)
    terms.extend(check.bonuses)
    return tuple(terms)


def perform_check(check: CheckInput, *, rng: random.Random) -> CheckResult:
    """Roll ``check``: the d20 first, then each bonus dice expression in order."""
    advantage = check.advantage_state
    d20_roll = roll(d20_expression(advantage, halfling_lucky=check.halfling_lucky), rng=rng)
    natural = d20_roll.total  # the expression is d20s alone, so its total is the kept face
    counted = natural
    if check.reliable_talent_applies:
        counted = max(natural, 10)
    bonus_rolls = tuple(
        BonusDiceRoll(bonus, roll(bonus.expression, rng=rng))
        for bonus in (b if isinstance(b, BonusDice) else BonusDice(b) for b in check.bonus_dice)
    )
    modifiers = modifier_breakdown(check)
    total = counted + sum(m.value for m in modifiers) + sum(r.result.total for r in bonus_rolls)
    return CheckResult(
        check=check,
        d20_roll=d20_roll,
        natural=natural,
        d20=counted,
        modifiers=modifiers,
        bonus_rolls=bonus_rolls,
        total=total,
        success=None if check.dc is None else total >= check.dc,
        advantage=advantage,
    )


def success_chance(check: CheckInput) -> Fraction:
    """The exact probability that ``check`` meets its DC, with every feature applied.

    The d20, the modifiers and every bonus dice expression form one sum whose
    odds are computed within the dice engine's work budget: too large a bonus
    raises ``DiceStatsError`` instead of running long.
    """
    if check.dc is None:
        raise RulesError("the chance of success needs a DC")
    d20 = d20_expression(
        check.advantage_state,
        halfling_lucky=check.halfling_lucky,
        floor=10 if check.reliable_talent_applies else None,
    )
    bonuses = [b.expression if isinstance(b, BonusDice) else b for b in check.bonus_dice]
    modifier = sum(term.value for term in modifier_breakdown(check))
    return sum_distribution([d20, *bonuses], offset=modifier).p_at_least(check.dc)
