"""The rules engine: the ``Ruleset`` protocol and ``Dnd5eRuleset``, its D&D 5e implementation.

Pure: values in, values out, randomness only from an injected ``random.Random``.
The engine decides every number; nothing here does I/O or imports the
database, the web stack or the LLM. Import the public names from
``adventorator.rules``.

Each operation's signature is written twice: once in ``Ruleset`` (the
contract) and once where it is implemented. ``Dnd5eRuleset`` binds the pure
functions of ``_check`` and ``_attack`` as static methods rather than wrapping
them, and implements here only what composes them (passive scores, contests,
group checks, initiative), through ``self`` so that a subclass overriding
``perform_check`` changes those too.

Errors: every bad input raises ``RulesError`` (an ``InputError``), or the dice
engine's ``DiceError`` (also an ``InputError``) for bad notation.

Random draws happen in a fixed order so scripted tests can follow them: for a
check or an attack, the d20 (both dice with advantage, then any Halfling Lucky
reroll, as the dice engine draws them), then each bonus dice expression in
order; a contest rolls ``a`` then ``b``; a group check rolls its members in order.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol

from adventorator.rules import _attack, _check, srd
from adventorator.rules._attack import AttackResult, DamageResult
from adventorator.rules._check import CheckInput
from adventorator.rules._results import CheckResult, ContestResult, GroupCheckResult
from adventorator.rules._types import BonusDice, BonusDiceRoll, CheckKind, Modifier, Proficiency
from adventorator.rules.dice import Advantage, RollResult, roll
from adventorator.rules.srd import Ability, RulesError, Skill

if TYPE_CHECKING:
    from fractions import Fraction  # only annotated: `adv roll` never imports fractions

__all__ = [
    "Ability",
    "AttackResult",
    "BonusDice",
    "BonusDiceRoll",
    "CheckInput",
    "CheckKind",
    "CheckResult",
    "ContestResult",
    "DamageResult",
    "Dnd5eRuleset",
    "GroupCheckResult",
    "Modifier",
    "Proficiency",
    "RulesError",
    "Ruleset",
    "Skill",
]


class Ruleset(Protocol):
    """What the rest of Adventorator may ask of a game system's rules.

    A structural type: any object with these methods is a ruleset. Subclass
    ``Dnd5eRuleset`` to change part of D&D 5e (a house proficiency table, say).
    """

    @property
    def name(self) -> str:
        """A short identifier, e.g. ``"dnd5e"``."""
        ...

    def roll_dice(
        self, expression: str, *, rng: random.Random, advantage: Advantage = Advantage.NONE
    ) -> RollResult:
        """Roll dice notation with the shared dice engine."""
        ...

    def ability_modifier(self, score: int) -> int:
        """The modifier of an ability score."""
        ...

    def proficiency_bonus(self, level: int) -> int:
        """The proficiency bonus at a character level."""
        ...

    def perform_check(self, check: CheckInput, *, rng: random.Random) -> CheckResult:
        """Roll an ability check, skill check or saving throw."""
        ...

    def success_chance(self, check: CheckInput) -> Fraction:
        """The exact probability that a check meets its DC."""
        ...

    def modifier_breakdown(self, check: CheckInput) -> tuple[Modifier, ...]:
        """The flat terms of a check by source, without rolling."""
        ...

    def check_modifier(self, check: CheckInput) -> int:
        """The sum of ``modifier_breakdown``: a sheet's derived bonus."""
        ...

    def passive_score(self, check: CheckInput) -> int:
        """The passive score of a check (no roll)."""
        ...

    def contested_check(self, a: CheckInput, b: CheckInput, *, rng: random.Random) -> ContestResult:
        """Roll two checks against each other."""
        ...

    def group_check(
        self, checks: Sequence[CheckInput], *, rng: random.Random, dc: int | None = None
    ) -> GroupCheckResult:
        """Roll a check for each member of a group."""
        ...

    def roll_initiative(
        self,
        dex_score: int,
        *,
        rng: random.Random,
        bonuses: Sequence[Modifier] = (),
        bonus_dice: Sequence[BonusDice | str] = (),
        advantage: int = 0,
        disadvantage: int = 0,
        level: int | None = None,
        proficiency_bonus: int | None = None,
        jack_of_all_trades: bool = False,
        remarkable_athlete: bool = False,
        halfling_lucky: bool = False,
    ) -> CheckResult:
        """Roll initiative from a Dexterity score and the features that touch it."""
        ...

    def attack_roll(
        self,
        attack_bonus: int,
        *,
        rng: random.Random,
        target_ac: int | None = None,
        advantage: int = 0,
        disadvantage: int = 0,
        halfling_lucky: bool = False,
        bonuses: Sequence[Modifier] = (),
        bonus_dice: Sequence[BonusDice | str] = (),
    ) -> AttackResult:
        """Roll an attack against an armor class."""
        ...

    def damage_roll(
        self, expression: str, *, rng: random.Random, critical: bool = False
    ) -> DamageResult:
        """Roll damage, doubling the dice on a critical hit."""
        ...


class Dnd5eRuleset(Ruleset):
    """D&D 5e (SRD 5.1/5.2) checks, saves, attacks and damage. Stateless."""

    name: ClassVar[str] = "dnd5e"

    # The pure functions are the implementation; see each for its D&D 5e details.
    roll_dice = staticmethod(roll)
    ability_modifier = staticmethod(srd.ability_modifier)
    proficiency_bonus = staticmethod(srd.proficiency_bonus)
    perform_check = staticmethod(_check.perform_check)
    success_chance = staticmethod(_check.success_chance)
    modifier_breakdown = staticmethod(_check.modifier_breakdown)
    attack_roll = staticmethod(_attack.attack_roll)
    damage_roll = staticmethod(_attack.damage_roll)

    def check_modifier(self, check: CheckInput) -> int:
        """The bonus a sheet shows for this check: the sum of ``modifier_breakdown``."""
        return sum(m.value for m in self.modifier_breakdown(check))

    def passive_score(self, check: CheckInput) -> int:
        """10 + every modifier, +5 with advantage, -5 with disadvantage.

        A passive score cannot include rolled bonus dice, so those raise ``RulesError``.
        """
        if check.bonus_dice:
            raise RulesError("a passive score has no roll, so it cannot include bonus dice")
        adjustment = {Advantage.ADVANTAGE: 5, Advantage.DISADVANTAGE: -5}
        return 10 + self.check_modifier(check) + adjustment.get(check.advantage_state, 0)

    def contested_check(self, a: CheckInput, b: CheckInput, *, rng: random.Random) -> ContestResult:
        """Roll ``a`` then ``b``; the higher total wins and a tie changes nothing."""
        if a.dc is not None or b.dc is not None:
            raise RulesError("a contest compares the two totals; leave dc unset on both checks")
        return ContestResult(self.perform_check(a, rng=rng), self.perform_check(b, rng=rng))

    def group_check(
        self, checks: Sequence[CheckInput], *, rng: random.Random, dc: int | None = None
    ) -> GroupCheckResult:
        """Roll every member's check; the group succeeds if at least half succeed.

        ``dc``, when given, replaces each member's DC; otherwise each needs its own.
        """
        if not checks:
            raise RulesError("a group check needs at least one member")
        if dc is not None:
            checks = [dataclasses.replace(check, dc=dc) for check in checks]
        if any(check.dc is None for check in checks):
            raise RulesError("every member of a group check needs a DC (or pass dc=)")
        return GroupCheckResult(tuple(self.perform_check(check, rng=rng) for check in checks))

    def roll_initiative(
        self,
        dex_score: int,
        *,
        rng: random.Random,
        bonuses: Sequence[Modifier] = (),
        bonus_dice: Sequence[BonusDice | str] = (),
        advantage: int = 0,
        disadvantage: int = 0,
        level: int | None = None,
        proficiency_bonus: int | None = None,
        jack_of_all_trades: bool = False,
        remarkable_athlete: bool = False,
        halfling_lucky: bool = False,
    ) -> CheckResult:
        """Initiative is a Dexterity check, so Jack of All Trades and Remarkable Athlete apply.

        Give ``level`` or ``proficiency_bonus`` when either feature is set.
        """
        check = CheckInput(
            kind=CheckKind.ABILITY,
            ability=Ability.DEX,
            score=dex_score,
            level=level,
            proficiency_bonus=proficiency_bonus,
            jack_of_all_trades=jack_of_all_trades,
            remarkable_athlete=remarkable_athlete,
            halfling_lucky=halfling_lucky,
            advantage=advantage,
            disadvantage=disadvantage,
            bonus_dice=tuple(bonus_dice),
            bonuses=tuple(bonuses),
            label="Initiative",
        )
        return self.perform_check(check, rng=rng)
