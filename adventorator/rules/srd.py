"""D&D 5e SRD tables: abilities, skills, proficiency by level, DC words.

Pure data plus small validating look-ups; stdlib only so that anything (the
CLI's `adv roll`, character sheets, the planner) can import it cheaply.

Names typed by people are normalised before look-up: case is ignored and
spaces, hyphens and underscores are interchangeable, so ``"sleight of hand"``,
``"Sleight-Of-Hand"`` and ``"SLEIGHT_OF_HAND"`` all name the same skill, and
``"str"``, ``"STR"`` and ``"strength"`` the same ability.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType

from adventorator.errors import InputError

__all__ = [
    "ABILITY_SCORE_MAX",
    "ABILITY_SCORE_MIN",
    "DC_BY_DIFFICULTY",
    "DC_MAX",
    "DC_MIN",
    "LEVEL_MAX",
    "LEVEL_MIN",
    "PROFICIENCY_BY_LEVEL",
    "SKILL_ABILITY",
    "Ability",
    "RulesError",
    "Skill",
    "ability_modifier",
    "dc_from_word",
    "parse_ability",
    "parse_check_name",
    "parse_skill",
    "proficiency_bonus",
    "validate_dc",
]

ABILITY_SCORE_MIN = 1
ABILITY_SCORE_MAX = 30
LEVEL_MIN = 1
LEVEL_MAX = 20
# The SRD's DCs run 5-30; 1-40 leaves room for house rules while still
# catching typos such as a DC of 150.
DC_MIN = 1
DC_MAX = 40


class RulesError(InputError):
    """A rules input is out of range or names something that does not exist."""


class Ability(enum.StrEnum):
    """The six abilities; the value is the lower-case short name."""

    STR = "str"
    DEX = "dex"
    CON = "con"
    INT = "int"
    WIS = "wis"
    CHA = "cha"

    @property
    def short(self) -> str:
        """Upper-case abbreviation, e.g. ``"DEX"``."""
        return self.value.upper()

    @property
    def long(self) -> str:
        """Full name, e.g. ``"Dexterity"``."""
        return _ABILITY_LONG[self]


_ABILITY_LONG: Mapping[Ability, str] = MappingProxyType(
    {
        Ability.STR: "Strength",
        Ability.DEX: "Dexterity",
        Ability.CON: "Constitution",
        Ability.INT: "Intelligence",
        Ability.WIS: "Wisdom",
        Ability.CHA: "Charisma",
    }
)


class Skill(enum.StrEnum):
    """The 18 SRD skills; the value is the snake_case name."""

    ATHLETICS = "athletics"
    ACROBATICS = "acrobatics"
    SLEIGHT_OF_HAND = "sleight_of_hand"
    STEALTH = "stealth"
    ARCANA = "arcana"
    HISTORY = "history"
    INVESTIGATION = "investigation"
    NATURE = "nature"
    RELIGION = "religion"
    ANIMAL_HANDLING = "animal_handling"
    INSIGHT = "insight"
    MEDICINE = "medicine"
    PERCEPTION = "perception"
    SURVIVAL = "survival"
    DECEPTION = "deception"
    INTIMIDATION = "intimidation"
    PERFORMANCE = "performance"
    PERSUASION = "persuasion"

    @property
    def long(self) -> str:
        """Display name, e.g. ``"Sleight of Hand"``."""
        return " ".join(
            word if word == "of" else word.capitalize() for word in self.value.split("_")
        )

    @property
    def ability(self) -> Ability:
        """The ability the skill uses by default (a GM may pair it with another)."""
        return SKILL_ABILITY[self]


SKILL_ABILITY: Mapping[Skill, Ability] = MappingProxyType(
    {
        Skill.ATHLETICS: Ability.STR,
        Skill.ACROBATICS: Ability.DEX,
        Skill.SLEIGHT_OF_HAND: Ability.DEX,
        Skill.STEALTH: Ability.DEX,
        Skill.ARCANA: Ability.INT,
        Skill.HISTORY: Ability.INT,
        Skill.INVESTIGATION: Ability.INT,
        Skill.NATURE: Ability.INT,
        Skill.RELIGION: Ability.INT,
        Skill.ANIMAL_HANDLING: Ability.WIS,
        Skill.INSIGHT: Ability.WIS,
        Skill.MEDICINE: Ability.WIS,
        Skill.PERCEPTION: Ability.WIS,
        Skill.SURVIVAL: Ability.WIS,
        Skill.DECEPTION: Ability.CHA,
        Skill.INTIMIDATION: Ability.CHA,
        Skill.PERFORMANCE: Ability.CHA,
        Skill.PERSUASION: Ability.CHA,
    }
)

# Written out rather than computed so the table can be read against the SRD.
PROFICIENCY_BY_LEVEL: Mapping[int, int] = MappingProxyType(
    {
        **dict.fromkeys(range(1, 5), 2),
        **dict.fromkeys(range(5, 9), 3),
        **dict.fromkeys(range(9, 13), 4),
        **dict.fromkeys(range(13, 17), 5),
        **dict.fromkeys(range(17, 21), 6),
    }
)

DC_BY_DIFFICULTY: Mapping[str, int] = MappingProxyType(
    {
        "very easy": 5,
        "easy": 10,
        "medium": 15,
        "hard": 20,
        "very hard": 25,
        "nearly impossible": 30,
    }
)


def _normalise(name: str) -> str:
    """Lower-case, and fold runs of spaces, hyphens and underscores to one space."""
    return re.sub(r"[\s_\-]+", " ", name).strip().lower()


_ABILITY_NAMES: Mapping[str, Ability] = MappingProxyType(
    {
        **{ability.value: ability for ability in Ability},
        **{ability.long.lower(): ability for ability in Ability},
    }
)
_SKILL_NAMES: Mapping[str, Skill] = MappingProxyType(
    {_normalise(skill.value): skill for skill in Skill}
)


def _valid_abilities() -> str:
    return ", ".join(f"{a.short} ({a.long})" for a in Ability)


def _valid_skills() -> str:
    return ", ".join(skill.long for skill in Skill)


def parse_ability(name: str) -> Ability:
    """Return the ability named by ``name`` ("dex", "DEX", "Dexterity", ...).

    Raises ``RulesError`` listing the valid names when nothing matches.
    """
    ability = _ABILITY_NAMES.get(_normalise(name))
    if ability is None:
        raise RulesError(f"unknown ability {name!r}; valid abilities: {_valid_abilities()}")
    return ability


def parse_skill(name: str) -> Skill:
    """Return the skill named by ``name`` ("sleight of hand", "Sleight_Of_Hand", ...).

    Raises ``RulesError`` listing the 18 skills when nothing matches.
    """
    skill = _SKILL_NAMES.get(_normalise(name))
    if skill is None:
        raise RulesError(f"unknown skill {name!r}; valid skills: {_valid_skills()}")
    return skill


def parse_check_name(name: str) -> Ability | Skill:
    """Return the skill or ability named by ``name``: what ``adv check NAME`` accepts.

    Raises ``RulesError`` listing every valid skill and ability name.
    """
    key = _normalise(name)
    found: Ability | Skill | None = _SKILL_NAMES.get(key) or _ABILITY_NAMES.get(key)
    if found is None:
        raise RulesError(
            f"unknown skill or ability {name!r}; valid skills: {_valid_skills()}; "
            f"valid abilities: {_valid_abilities()}"
        )
    return found


def ability_modifier(score: int) -> int:
    """floor((score - 10) / 2) for a score from 1 to 30; ``RulesError`` outside that."""
    if isinstance(score, bool) or not isinstance(score, int):
        raise RulesError(f"ability score must be a whole number, got {score!r}")
    if not ABILITY_SCORE_MIN <= score <= ABILITY_SCORE_MAX:
        raise RulesError(
            f"ability score must be {ABILITY_SCORE_MIN}-{ABILITY_SCORE_MAX}, got {score}"
        )
    return (score - 10) // 2  # floor division rounds toward -inf, as the SRD's "round down"


def proficiency_bonus(level: int) -> int:
    """The proficiency bonus of a character of ``level`` (1-20); ``RulesError`` outside that."""
    if isinstance(level, bool) or not isinstance(level, int):
        raise RulesError(f"character level must be a whole number, got {level!r}")
    if not LEVEL_MIN <= level <= LEVEL_MAX:
        raise RulesError(f"character level must be {LEVEL_MIN}-{LEVEL_MAX}, got {level}")
    return PROFICIENCY_BY_LEVEL[level]


def validate_dc(dc: int) -> int:
    """Return ``dc`` if it is a whole number from 1 to 40, else raise ``RulesError``."""
    if isinstance(dc, bool) or not isinstance(dc, int):
        raise RulesError(f"DC must be a whole number, got {dc!r}")
    if not DC_MIN <= dc <= DC_MAX:
        raise RulesError(f"DC must be {DC_MIN}-{DC_MAX}, got {dc}")
    return dc


def dc_from_word(word: str) -> int:
    """The DC for a difficulty word ("very easy" 5 ... "nearly impossible" 30) or a number.

    Accepts the same spellings as the other look-ups ("Very-Hard", "nearly_impossible")
    and plain digits ("15"), which are range-checked like any DC.
    """
    key = _normalise(word)
    if key.isdigit():
        return validate_dc(int(key))
    dc = DC_BY_DIFFICULTY.get(key)
    if dc is None:
        valid = ", ".join(f"{name} ({value})" for name, value in DC_BY_DIFFICULTY.items())
        raise RulesError(f"unknown difficulty {word!r}; use a number or one of: {valid}")
    return dc
