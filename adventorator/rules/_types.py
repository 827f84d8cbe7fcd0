"""Small value types shared by checks, attacks and their results."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from adventorator.rules.dice import RollResult, result_to_json
from adventorator.rules.srd import RulesError

__all__ = ["BonusDice", "BonusDiceRoll", "CheckKind", "Modifier", "Proficiency"]


class CheckKind(enum.StrEnum):
    """What is rolled: a raw ability check, a skill check or a saving throw."""

    ABILITY = "ability"
    SKILL = "skill"
    SAVE = "save"


class Proficiency(enum.StrEnum):
    """How much of the proficiency bonus applies (Avrae's multiplier 0, 0.5, 1, 2)."""

    NONE = "none"
    HALF = "half"  # Jack of All Trades / Remarkable Athlete, stated explicitly
    PROFICIENT = "proficient"
    EXPERTISE = "expertise"

    @classmethod
    def from_multiplier(cls, multiplier: float) -> Proficiency:
        """Map Avrae's multiplier (0, 0.5, 1 or 2) to a proficiency level."""
        levels: dict[float, Proficiency] = {
            0: cls.NONE,
            0.5: cls.HALF,
            1: cls.PROFICIENT,
            2: cls.EXPERTISE,
        }
        if multiplier not in levels:
            raise RulesError(f"proficiency multiplier must be 0, 0.5, 1 or 2, got {multiplier!r}")
        return levels[multiplier]


@dataclass(frozen=True)
class Modifier:
    """One flat term of a roll, with where it came from: ``Modifier("Guidance", 2)``."""

    source: str
    value: int


@dataclass(frozen=True)
class BonusDice:
    """Dice added to a d20 test, e.g. Bless ``BonusDice("1d4", "Bless")`` or Bane ``"-1d4"``."""

    expression: str
    source: str = ""

    @property
    def label(self) -> str:
        """Breakdown label: ``"Bless 1d4"``, or just the expression without a source."""
        return f"{self.source} {self.expression}".strip()


@dataclass(frozen=True)
class BonusDiceRoll:
    """A rolled ``BonusDice`` and the dice engine's full result."""

    bonus: BonusDice
    result: RollResult

    def to_json(self) -> dict[str, Any]:
        """``{source, expression, total, roll}`` where ``roll`` is the dice engine's JSON."""
        return {
            "source": self.bonus.source,
            "expression": self.bonus.expression,
            "total": self.result.total,
            "roll": result_to_json(self.result),
        }
