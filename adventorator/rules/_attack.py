"""Attack rolls and damage rolls (D&D 5e).

Unlike checks, natural results matter here: a natural 20 always hits and is a
critical hit, a natural 1 always misses. A critical doubles the damage dice,
never the flat modifiers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adventorator.rules._check import d20_expression, resolve_advantage
from adventorator.rules._render import attack_markdown, attack_text
from adventorator.rules._results import D20Test
from adventorator.rules._types import BonusDice, BonusDiceRoll, Modifier
from adventorator.rules.dice import (
    RollResult,
    double_dice,
    render_markdown,
    render_text,
    result_to_json,
    roll,
)
from adventorator.rules.srd import RulesError

__all__ = ["AttackResult", "DamageResult", "attack_roll", "damage_roll"]

# Sane bounds that still catch typos (an AC of 150, a +200 attack bonus).
_AC_MIN, _AC_MAX = 1, 40
_BONUS_LIMIT = 100


@dataclass(frozen=True, kw_only=True)
class AttackResult(D20Test):
    """How an attack roll's total and outcome were reached.

    ``total`` is ``natural + modifier``; ``hit`` is None when no AC was given,
    but ``critical`` (natural 20) and ``fumble`` (natural 1) are always known.
    """

    target_ac: int | None

    @property
    def critical(self) -> bool:
        """A natural 20: always a hit, and a critical hit."""
        return self.natural == 20

    @property
    def fumble(self) -> bool:
        """A natural 1: always a miss."""
        return self.natural == 1

    @property
    def hit(self) -> bool | None:
        """Natural 20 hits, natural 1 misses, else total >= AC; None without an AC."""
        if self.critical:
            return True
        if self.fumble:
            return False
        return None if self.target_ac is None else self.total >= self.target_ac

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict; ``total == natural + modifier``."""
        return {
            **self.d20_json(kept=self.natural),
            "target_ac": self.target_ac,
            "hit": self.hit,
            "critical": self.critical,
            "fumble": self.fumble,
        }

    def text(self) -> str:
        """One plain line: ``Attack: 1d20 (20) + 5 [attack bonus] = 25 vs AC 15: critical hit``."""
        return attack_text(self)

    def markdown(self) -> str:
        """One Markdown line for Discord."""
        return attack_markdown(self)


@dataclass(frozen=True, kw_only=True)
class DamageResult:
    """A damage roll; on a critical, ``rolled_expression`` has the dice doubled."""

    expression: str
    rolled_expression: str
    critical: bool
    roll: RollResult

    @property
    def total(self) -> int:
        """The roll's total."""
        return self.roll.total

    def to_json(self) -> dict[str, Any]:
        """``{expression, rolled_expression, critical, total, roll}``."""
        return {
            "expression": self.expression,
            "rolled_expression": self.rolled_expression,
            "critical": self.critical,
            "total": self.total,
            "roll": result_to_json(self.roll),
        }

    def text(self) -> str:
        """One plain line, e.g. ``Damage (critical): 4d6+3 (...) = 17``."""
        return f"Damage{' (critical)' if self.critical else ''}: {render_text(self.roll)}"

    def markdown(self) -> str:
        """One Markdown line for Discord."""
        label = "**Damage (critical)**" if self.critical else "**Damage**"
        return f"{label}: {render_markdown(self.roll)}"


def attack_roll(
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
    """Roll an attack: d20 + ``attack_bonus`` (+ ``bonuses`` and ``bonus_dice``) vs AC.

    ``advantage``/``disadvantage`` count sources and cancel like a check's.
    The d20 is rolled first, then each bonus dice expression in order.
    """
    if (
        isinstance(attack_bonus, bool)
        or not isinstance(attack_bonus, int)
        or not (-_BONUS_LIMIT <= attack_bonus <= _BONUS_LIMIT)
    ):
        raise RulesError(
            f"attack bonus must be a whole number within ±{_BONUS_LIMIT}, got {attack_bonus!r}"
        )
    if target_ac is not None and (
        isinstance(target_ac, bool)
        or not isinstance(target_ac, int)
        or not _AC_MIN <= target_ac <= _AC_MAX
    ):
        raise RulesError(f"armor class must be {_AC_MIN}-{_AC_MAX}, got {target_ac!r}")
    if advantage < 0 or disadvantage < 0:
        raise RulesError("advantage and disadvantage count sources: 0 or more")
    state = resolve_advantage(advantage, disadvantage)
    d20_roll = roll(d20_expression(state, halfling_lucky=halfling_lucky), rng=rng)
    bonus_rolls = tuple(
        BonusDiceRoll(b, roll(b.expression, rng=rng))
        for b in (x if isinstance(x, BonusDice) else BonusDice(x) for x in bonus_dice)
    )
    modifiers = (Modifier("attack bonus", attack_bonus), *bonuses)
    natural = d20_roll.total  # the expression is d20s alone: its total is the kept face
    total = natural + sum(m.value for m in modifiers) + sum(r.result.total for r in bonus_rolls)
    return AttackResult(
        d20_roll=d20_roll,
        natural=natural,
        modifiers=modifiers,
        bonus_rolls=bonus_rolls,
        total=total,
        target_ac=target_ac,
        advantage=state,
    )


def damage_roll(expression: str, *, rng: random.Random, critical: bool = False) -> DamageResult:
    """Roll damage; a critical rolls the dice twice (``double_dice``), modifiers once."""
    rolled = double_dice(expression) if critical else expression
    return DamageResult(
        expression=expression,
        rolled_expression=rolled,
        critical=critical,
        roll=roll(rolled, rng=rng),
    )
