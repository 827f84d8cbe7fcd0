"""The rules engine's public API: ``from adventorator.rules import Dnd5eRuleset, CheckInput``.

- ``Ruleset``: the protocol every game system implements; ``Dnd5eRuleset``
  implements D&D 5e (SRD). Checks: ``perform_check``, ``success_chance``,
  ``modifier_breakdown``, ``check_modifier``, ``passive_score``; combat and
  groups: ``contested_check``, ``group_check``, ``roll_initiative``,
  ``attack_roll``, ``damage_roll``; tables: ``ability_modifier``,
  ``proficiency_bonus``; dice: ``roll_dice``.
- Inputs: ``CheckInput``, ``CheckKind``, ``Proficiency``, ``Modifier``,
  ``BonusDice``; names: ``Ability``, ``Skill``.
- Results: ``CheckResult``, ``ContestResult``, ``GroupCheckResult``,
  ``AttackResult``, ``DamageResult``, ``BonusDiceRoll``.
- Errors: ``RulesError`` (an ``InputError``).

Subpackages: ``adventorator.rules.dice`` (the dice engine) and
``adventorator.rules.srd`` (SRD tables and name parsing).

The names load on first use: ``adv roll`` imports ``adventorator.rules.dice``,
and so this package, and must not pay for the check and attack modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adventorator.rules.engine import (
        Ability,
        AttackResult,
        BonusDice,
        BonusDiceRoll,
        CheckInput,
        CheckKind,
        CheckResult,
        ContestResult,
        DamageResult,
        Dnd5eRuleset,
        GroupCheckResult,
        Modifier,
        Proficiency,
        RulesError,
        Ruleset,
        Skill,
    )

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


def __getattr__(name: str) -> Any:
    # Submodules (dice, srd, engine) are found by the import system before this runs.
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("adventorator.rules.engine"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
