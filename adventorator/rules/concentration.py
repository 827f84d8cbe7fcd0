"""Concentration on a spell (SRD 5.1, Spellcasting: Concentration).

The rules, as the SRD gives them:
- casting another spell that requires concentration ends the one held;
- "Whenever you take damage while you are concentrating on a spell, you must
  make a Constitution saving throw to maintain your concentration. The DC
  equals 10 or half the damage you take, whichever number is higher." Each
  source of damage is a separate save;
- "You lose concentration on a spell if you are incapacitated or if you die."

"The damage you take" is read here as the damage after resistance, immunity and
vulnerability: damage an immunity stops entirely is no damage, so no save.
Damage that temporary hit points absorb is still damage taken, so it calls for
a save. Nothing here rolls: the caller rolls the save and passes its total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from adventorator.rules.conditions import (
    Condition,
    effective_conditions,
    incapacitated,
    parse_condition,
)
from adventorator.rules.srd import RulesError

__all__ = [
    "CONCENTRATION_DC_FLOOR",
    "ConcentrationSave",
    "concentration_dc",
    "lost_by_state",
    "spell_name",
]

CONCENTRATION_DC_FLOOR = 10
SPELL_NAME_MAX = 100


def concentration_dc(damage_taken: int) -> int | None:
    """The save's DC: 10 or half the damage taken (rounded down), whichever is higher.

    None when no damage was taken (0 after an immunity): there is nothing to save against.
    """
    if damage_taken < 0:
        raise RulesError(f"damage taken cannot be negative, got {damage_taken}")
    if damage_taken == 0:
        return None
    return max(CONCENTRATION_DC_FLOOR, damage_taken // 2)


def lost_by_state(conditions: Iterable[str | Condition], *, dead: bool = False) -> str | None:
    """Why concentration ends with no save (``dead``, ``unconscious: incapacitated``); else None."""
    if dead:
        return "dead"
    named = [parse_condition(c) for c in conditions]
    if Condition.INCAPACITATED not in effective_conditions(named):
        return None
    # The condition that incapacitates, named: stunned, unconscious at 0 HP ...
    cause = next(
        (c for c in named if incapacitated([c]) and c is not Condition.INCAPACITATED), None
    )
    return "incapacitated" if cause is None else f"{cause.value}: incapacitated"


def spell_name(text: str) -> str:
    """The spell as typed, trimmed; RulesError if empty or too long for the sheet."""
    name = " ".join(text.split())
    if not name:
        raise RulesError("name the spell you concentrate on, e.g. Bless")
    if len(name) > SPELL_NAME_MAX:
        raise RulesError(f"a spell name has at most {SPELL_NAME_MAX} characters")
    return name


@dataclass(frozen=True)
class ConcentrationSave:
    """A Constitution save to keep concentrating, or concentration lost without one."""

    spell: str
    dc: int | None
    total: int | None
    kept: bool
    reason: str | None = None  # why it ended without a save (dead, incapacitated)

    @classmethod
    def rolled(cls, spell: str, dc: int, total: int, success: bool) -> ConcentrationSave:
        return cls(spell, dc, total, success)

    @classmethod
    def ended(cls, spell: str, reason: str) -> ConcentrationSave:
        return cls(spell, None, None, False, reason)

    def line(self) -> str:
        """``Concentration (Bless): CON save 14 vs DC 10: kept``."""
        word = "kept" if self.kept else "lost"
        if self.total is None:
            return f"Concentration ({self.spell}): {word} ({self.reason})"
        return f"Concentration ({self.spell}): CON save {self.total} vs DC {self.dc}: {word}"

    def to_json(self) -> dict[str, Any]:
        return {
            "spell": self.spell,
            "dc": self.dc,
            "total": self.total,
            "kept": self.kept,
            "reason": self.reason,
        }
