"""Pydantic domain types: the character sheet, its parsing and its derived numbers.

A sheet document (what ``adv sheet create --file`` reads) looks like::

    {
      "name": "Wren Thistlefoot", "class": "Rogue", "subclass": "Thief",
      "species": "Halfling", "background": "Criminal", "level": 5,
      "abilities": {"str": 8, "dex": 18, "con": 14, "int": 12, "wis": 12, "cha": 13},
      "saves": ["dex", "int"],
      "skills": {"stealth": "expertise", "perception": "proficient", "acrobatics": true},
      "features": ["Sneak Attack (3d6)", "Halfling Lucky", "Uncanny Dodge"],
      "ac": 15, "hp": {"max": 38, "current": 38, "temp": 0},
      "speed": {"walk": 25}, "senses": {"darkvision": 60},
      "conditions": [], "inventory": ["Thieves' tools", {"name": "Dagger", "quantity": 2}],
      "spells": [], "notes": ""
    }

Only ``name``, ``class``, ``level`` and ``abilities`` are required. Ability,
skill and condition names may be written in any case with spaces, hyphens or
underscores ("DEX", "Dexterity", "Sleight of Hand"); ``race`` is accepted for
``species``; ``proficiency_bonus`` may be given but must match the level.
``features`` is a list of text in which ``jack_of_all_trades``,
``reliable_talent``, ``halfling_lucky`` and ``remarkable_athlete`` (any
spelling, e.g. "Jack of All Trades") switch on the rules engine's handling.

Derived numbers are never stored. The caller's ruleset computes them:
``DerivedValues(sheet, ruleset)`` answers ``pb``, ``modifier``, ``skill_bonus``,
``save_bonus``, ``ability_check_bonus``, ``passive`` and ``initiative``, and
its ``to_json()`` returns::

    {
      "proficiency_bonus": 3,
      "abilities": {"dex": {"score": 18, "modifier": 4}, ...},
      "saves": {"dex": {"bonus": 7, "proficient": true}, ...},
      "skills": {"stealth": {"ability": "dex", "bonus": 10, "proficiency": "expertise"}, ...},
      "passive": {"perception": 14, "investigation": 11, "insight": 11},
      "initiative": 4
    }

where a skill's ``proficiency`` is "none", "half" (Jack of All Trades or
Remarkable Athlete), "proficient" or "expertise".

Rolls start from ``sheet.check_input(ruleset, kind, ...)``, the rules
engine's ``CheckInput`` with the sheet's real numbers.

Play state (what a fight changes, recorded by ``services.play_state``):
``hp`` may also hold ``death_saves`` ({"successes": 0-2, "failures": 0-3}),
``stable`` and ``dead`` (only at 0 HP; left out while at their defaults);
``exhaustion`` is a level 0-6 beside the named ``conditions``; and
``resistances``, ``immunities`` and ``vulnerabilities`` list SRD damage types
in any case. ``sheet.hit_points()`` / ``with_hit_points(state)`` convert to
and from ``rules.hp.HitPointState``, ``with_conditions(names, exhaustion)``
sets conditions, ``defences()`` gives ``rules.damage.Defences`` (with those
conditions add, e.g. petrified), and ``play_state()`` is what an event records.

Importing: ``import_sheet(text, "auto" | "ddb" | "foundry")`` reads a D&D
Beyond character document or a Foundry VTT dnd5e actor into a validated
sheet and an ``ImportReport`` (``mapped``, ``not_mapped``); ``reimported(stored,
fresh)`` keeps a stored sheet's play state over a fresh import, and
``sheet_changes(before, after)`` lists the difference. The shipped examples
are ``example_names()`` and ``example_text(name)``.

Monsters: ``monster_sheet(monster, name=..., hit_points=...)`` makes a sheet for
an SRD monster (``rules.monsters``) whose derived to-hit and damage are the
stat block's, with what a sheet cannot say in ``notes``.

Errors: ``SheetError`` (an ``InputError``) for every bad document, with a
one-line ``message`` and the individual ``problems``; ``RulesError`` from
``CharacterSheet.check_input`` for an impossible roll.
"""

from __future__ import annotations

from adventorator.sheet._attacks import (
    Attack,
    AttackExtra,
    AttackProfile,
    ExtraDamage,
    attack_profile,
    find_attack,
)
from adventorator.sheet._derived import DerivedValues
from adventorator.sheet._examples import example_names, example_text
from adventorator.sheet._features import Feature
from adventorator.sheet._fields import Condition, DeathSaves, HitPoints, Item, Senses, Speed
from adventorator.sheet._import_common import (
    MAX_IMPORT_BYTES,
    ImportedSheet,
    ImportReport,
    import_sheet,
)
from adventorator.sheet._import_merge import changes as sheet_changes
from adventorator.sheet._import_merge import reimported
from adventorator.sheet._io import (
    MAX_SHEET_BYTES,
    SheetError,
    apply_merge_patch,
    merge_patch,
    parse_patch_json,
    parse_sheet_data,
    parse_sheet_json,
)
from adventorator.sheet._model import CharacterSheet
from adventorator.sheet._monster import monster_sheet
from adventorator.sheet._play_state import rules_conditions, with_play_state

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_SHEET_BYTES",
    "Attack",
    "AttackExtra",
    "AttackProfile",
    "CharacterSheet",
    "Condition",
    "DeathSaves",
    "DerivedValues",
    "ExtraDamage",
    "Feature",
    "HitPoints",
    "ImportReport",
    "ImportedSheet",
    "Item",
    "Senses",
    "SheetError",
    "Speed",
    "apply_merge_patch",
    "attack_profile",
    "example_names",
    "example_text",
    "find_attack",
    "import_sheet",
    "merge_patch",
    "monster_sheet",
    "parse_patch_json",
    "parse_sheet_data",
    "parse_sheet_json",
    "reimported",
    "rules_conditions",
    "sheet_changes",
    "with_play_state",
]
