"""Field types of a character sheet: bounded numbers, SRD names and small nested models.

Every validator here raises ``PydanticCustomError`` with a message written for
people ("must be 1 to 30, got 31", with an en dash), which ``_sheet_io`` prefixes with the field
path. Names are normalised with the rules' own look-ups (``srd.parse_ability``,
``srd.parse_skill``), so the sheet and the rules accept exactly the same names.
"""

from __future__ import annotations

import contextlib
import enum
import json
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from adventorator.rules import srd
from adventorator.rules.srd import Ability, RulesError, Skill

__all__ = [
    "AbilityName",
    "Condition",
    "DeathSaves",
    "HitPoints",
    "Item",
    "Senses",
    "SkillName",
    "Speed",
    "canonical_keys",
    "describe_value",
    "normalise_name",
    "required_entry",
    "whole_number",
]

# Ability names as the sheet lists them in errors and in the JSON Schema.
VALID_ABILITIES = ", ".join(a.value for a in Ability)
VALID_SKILLS = ", ".join(sorted(s.value for s in Skill))


def normalise_name(name: str) -> str:
    """snake_case a name typed by a person: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_\-]+", "_", name).strip("_").lower()


def describe_value(value: Any) -> str:
    """A short JSON rendering of a user's value for an error message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _error(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context)


def whole_number(low: int, high: int, *, nullable: bool = False) -> BeforeValidator:
    """A validator for a whole number from ``low`` to ``high`` (``null`` too if ``nullable``).

    ``true``/``false`` and ``16.0``/``"16"`` are refused: a sheet is written by hand
    and a quoted number is more often a mistake than a convenience.
    """
    span = f"{low}\u2013{high}"  # an en dash, which reads as a range rather than a minus

    def check(value: Any) -> Any:
        if value is None and nullable:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise _error(
                "whole_number",
                "must be a whole number ({span}), got {got}",
                span=span,
                got=describe_value(value),
            )
        if not low <= value <= high:
            raise _error("out_of_range", "must be {span}, got {got}", span=span, got=value)
        return value

    return BeforeValidator(check)


def _name_parser(
    parse: Callable[[str], enum.StrEnum], what: str, valid: str
) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, enum.StrEnum):
            return value
        if not isinstance(value, str):
            raise _error(
                f"{what}_type", f"{what} names must be text, got {{got}}", got=describe_value(value)
            )
        try:
            return parse(value)
        except RulesError:
            raise _error(
                f"unknown_{what}",
                f"unknown {what} {{name}} (valid: {{valid}})",
                name=repr(value),
                valid=valid,
            ) from None

    return check


AbilityName = Annotated[
    Ability,
    BeforeValidator(_name_parser(srd.parse_ability, "ability", f"{VALID_ABILITIES} or full names")),
]
SkillName = Annotated[Skill, BeforeValidator(_name_parser(srd.parse_skill, "skill", VALID_SKILLS))]


class _Missing:
    """Stands in for a required mapping entry, so its absence is reported with the rest."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def required_entry(what: str) -> BeforeValidator:
    """A validator for mapping values that reports the ``canonical_keys`` placeholder."""

    def check(value: Any) -> Any:
        if isinstance(value, _Missing):
            raise _error("missing_entry", "missing ({what} are required)", what=what)
        return value

    return BeforeValidator(check)


def canonical_keys(
    parse: Callable[[str], enum.StrEnum], what: str, *, required: Iterable[str] = ()
) -> BeforeValidator:
    """Rename the keys of a mapping to canonical names before validation.

    Keys that name nothing are left alone for the key validator to report (each
    separately); two spellings of one name are an error, as one would silently
    overwrite the other. Each absent ``required`` key gets a placeholder that
    ``required_entry`` reports, so a missing entry is listed with every other
    problem rather than only once the rest are fixed.
    """

    def rename(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        renamed: dict[Any, Any] = {}
        spelled: dict[Any, str] = {}
        for key, item in value.items():
            canonical: Any = key
            if isinstance(key, str):
                with contextlib.suppress(RulesError):  # unknown keys are reported per key
                    canonical = parse(key).value
            if canonical in renamed:
                raise _error(
                    "duplicate_key",
                    "{what} {name} is given twice (as {first} and {second})",
                    what=what,
                    name=canonical,
                    first=repr(spelled[canonical]),
                    second=repr(key),
                )
            renamed[canonical], spelled[canonical] = item, key
        return renamed | {key: _MISSING for key in required if key not in renamed}

    return BeforeValidator(rename)


class Condition(enum.StrEnum):
    """The SRD conditions."""

    BLINDED = "blinded"
    CHARMED = "charmed"
    DEAFENED = "deafened"
    EXHAUSTION = "exhaustion"
    FRIGHTENED = "frightened"
    GRAPPLED = "grappled"
    INCAPACITATED = "incapacitated"
    INVISIBLE = "invisible"
    PARALYZED = "paralyzed"
    PETRIFIED = "petrified"
    POISONED = "poisoned"
    PRONE = "prone"
    RESTRAINED = "restrained"
    STUNNED = "stunned"
    UNCONSCIOUS = "unconscious"


def _parse_condition(name: str) -> Condition:
    try:
        return Condition(normalise_name(name))
    except ValueError:
        raise RulesError(f"unknown condition {name!r}") from None


ConditionName = Annotated[
    Condition,
    BeforeValidator(
        _name_parser(_parse_condition, "condition", ", ".join(c.value for c in Condition))
    ),
]

_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
_FEET = Interval(ge=0, le=1000)


def _current_defaults_to_max(value: Any) -> Any:
    if isinstance(value, dict) and "current" not in value:
        top = value.get("max")
        valid = isinstance(top, int) and not isinstance(top, bool)
        return {**value, "current": top if valid else 0}
    return value


class DeathSaves(BaseModel):
    """Death saving throws at 0 HP: three successes stabilise, three failures kill."""

    model_config = _STRICT

    successes: Annotated[int, Field(ge=0, le=2), whole_number(0, 2)] = 0
    failures: Annotated[int, Field(ge=0, le=3), whole_number(0, 3)] = 0


class HitPoints(BaseModel):
    """Hit points: max (1 to 999), current (0 to max; max when left out) and temp (0 to 999)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"required": ["max"]},  # current defaults to max
    )

    current: Annotated[
        int,
        Field(ge=0, le=999, description="Current hit points, 0 to max; max when omitted."),
        whole_number(0, 999),
    ]
    max: Annotated[int, Field(ge=1, le=999, description="Hit point maximum."), whole_number(1, 999)]
    temp: Annotated[
        int, Field(ge=0, le=999, description="Temporary hit points."), whole_number(0, 999)
    ] = 0
    # Play state at 0 HP (rules.hp): left out of the stored JSON while at their defaults.
    death_saves: DeathSaves = Field(
        default_factory=lambda: DeathSaves(),
        exclude_if=lambda saves: saves.successes == 0 and saves.failures == 0,
        description="Death saving throws made at 0 HP: successes 0-2, failures 0-3.",
    )
    stable: bool = Field(
        default=False, exclude_if=lambda flag: not flag, description="At 0 HP and stable."
    )
    dead: bool = Field(default=False, exclude_if=lambda flag: not flag, description="Dead.")

    @model_validator(mode="before")
    @classmethod
    def _default_current(cls, value: Any) -> Any:
        return _current_defaults_to_max(value)

    @model_validator(mode="after")
    def _current_within_max(self) -> HitPoints:
        if self.current > self.max:
            raise _error(
                "hp_over_max",
                "current must be at most max ({max}), got {got}",
                max=self.max,
                got=self.current,
            )
        at_zero = self.current == 0
        saves = self.death_saves
        if not at_zero and (self.stable or self.dead or saves.successes or saves.failures):
            raise _error(
                "hp_not_at_zero", "death saves, stable and dead need current 0 HP", got=None
            )
        if self.stable and self.dead:
            raise _error("hp_stable_dead", "a character cannot be both stable and dead", got=None)
        if saves.failures == 3 and not self.dead:
            raise _error("hp_three_failures", "three death save failures means dead", got=None)
        return self


def _walk_speed_shorthand(value: Any) -> Any:
    return {"walk": value} if isinstance(value, int) and not isinstance(value, bool) else value


class Speed(BaseModel):
    """Speeds in feet; a bare number is shorthand for {"walk": number}."""

    model_config = _STRICT

    walk: Annotated[int, _FEET, whole_number(0, 1000)] = Field(
        default=30, description="Walking speed in feet."
    )
    fly: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Flying speed in feet."
    )
    swim: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Swimming speed in feet."
    )
    climb: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Climbing speed in feet."
    )
    burrow: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Burrowing speed in feet."
    )


SpeedField = Annotated[
    Speed,
    BeforeValidator(_walk_speed_shorthand, json_schema_input_type=Annotated[int, _FEET] | Speed),
]


class Senses(BaseModel):
    """Special senses and their ranges in feet, e.g. {"darkvision": 60}."""

    model_config = _STRICT

    darkvision: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Range in feet."
    )
    blindsight: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Range in feet."
    )
    tremorsense: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Range in feet."
    )
    truesight: Annotated[int | None, _FEET, whole_number(0, 1000, nullable=True)] = Field(
        default=None, description="Range in feet."
    )


def _item_shorthand(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class Item(BaseModel):
    """One inventory line; a bare string is shorthand for {"name": "..."}."""

    model_config = _STRICT

    name: str = Field(min_length=1, max_length=100, description="What it is.")
    quantity: Annotated[
        int, Field(ge=1, le=100_000, description="How many."), whole_number(1, 100_000)
    ] = 1
    notes: str = Field(default="", max_length=500, description="Anything else about it.")


ItemField = Annotated[Item, BeforeValidator(_item_shorthand, json_schema_input_type=str | Item)]
