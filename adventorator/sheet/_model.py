"""``CharacterSheet``: what a player writes down. Every derived number comes from the rules.

The sheet stores only what a player decides (scores, proficiencies, features,
equipment) and builds the ``CheckInput`` for a roll. Modifiers, skill and save
bonuses, passive scores and initiative are computed by the ruleset the caller
holds (``DerivedValues(sheet, ruleset)``), from those same ``CheckInput``s, so
the sheet and the rules engine cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from adventorator.rules import BonusDice, CheckInput, CheckKind, Proficiency, srd
from adventorator.rules.damage import DamageType, Defences
from adventorator.rules.hp import HitPointState
from adventorator.rules.srd import Ability, Skill
from adventorator.sheet import _play_state
from adventorator.sheet._attacks import Attack
from adventorator.sheet._check_input import sheet_check_input
from adventorator.sheet._features import FEATURES_DESCRIPTION, Feature, FeatureList, feature_flags
from adventorator.sheet._fields import (
    AbilityName,
    Condition,
    ConditionName,
    HitPoints,
    ItemField,
    Senses,
    SkillName,
    Speed,
    SpeedField,
    canonical_keys,
    describe_value,
    required_entry,
    whole_number,
)
from adventorator.sheet._play_state import DamageTypeName
from adventorator.text import name_problem

if TYPE_CHECKING:
    from adventorator.rules import Ruleset
    from adventorator.rules.condition_effects import RollEffect

__all__ = ["CharacterSheet"]


def _in_ability_order(scores: dict[Ability, int]) -> dict[Ability, int]:
    return {ability: scores[ability] for ability in Ability}


_ABILITIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "All six ability scores, 1 to 30. Keys may also be written upper-case or as full "
        "names (DEX, Dexterity); they are stored as str, dex, con, int, wis, cha."
    ),
    "properties": {
        a.value: {"type": "integer", "minimum": 1, "maximum": 30, "description": a.long}
        for a in Ability
    },
    "required": [a.value for a in Ability],
    "additionalProperties": False,
}

Abilities = Annotated[
    dict[
        AbilityName,
        Annotated[
            int,
            Field(ge=1, le=30),
            whole_number(1, 30),
            required_entry("all six ability scores"),
        ],
    ],
    canonical_keys(srd.parse_ability, "ability", required=[a.value for a in Ability]),
    AfterValidator(_in_ability_order),
    WithJsonSchema(_ABILITIES_SCHEMA),
]


def _skill_level(value: Any) -> Any:
    if value is True:
        return Proficiency.PROFICIENT
    if isinstance(value, str) and value.strip().lower() in ("proficient", "expertise"):
        return Proficiency(value.strip().lower())
    raise PydanticCustomError(
        "skill_level",
        'must be "proficient", "expertise" or true, got {got}{hint}',
        {
            "got": describe_value(value),
            "hint": " (leave out a skill you are not proficient in)" if value is False else "",
        },
    )


def _in_skill_order(skills: dict[Skill, Proficiency]) -> dict[Skill, Proficiency]:
    return {skill: skills[skill] for skill in sorted(skills, key=lambda s: s.value)}


_SKILLS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        'Skill proficiencies: "proficient" (or true) or "expertise" (double proficiency). '
        "Leave out skills you are not proficient in. Keys may use spaces, hyphens or any "
        'case ("Sleight of Hand"); they are stored in snake_case.'
    ),
    "propertyNames": {"enum": sorted(s.value for s in Skill)},
    "additionalProperties": {"enum": ["proficient", "expertise", True]},
}

Skills = Annotated[
    dict[SkillName, Annotated[Proficiency, BeforeValidator(_skill_level)]],
    canonical_keys(srd.parse_skill, "skill"),
    AfterValidator(_in_skill_order),
    WithJsonSchema(_SKILLS_SCHEMA),
]


def _valid_name(name: str) -> str:
    problem = name_problem(name)
    if problem is not None:
        raise PydanticCustomError("character_name", "{problem}", {"problem": problem})
    return name


def _unique_abilities(saves: list[Ability]) -> list[Ability]:
    return [ability for ability in Ability if ability in saves]


def _unique(items: list[Condition]) -> list[Condition]:
    return list(dict.fromkeys(items))


def _unique_types(items: list[DamageType]) -> list[DamageType]:
    return list(dict.fromkeys(items))


def _empty(items: list[Any]) -> bool:
    return not items


DamageTypes = Annotated[list[DamageTypeName], Field(max_length=13), AfterValidator(_unique_types)]


def _optional_text(high: int, description: str) -> Any:
    return Field(default=None, min_length=1, max_length=high, description=description)


class CharacterSheet(BaseModel):
    """A D&D 5e (SRD) character sheet.

    Only what the player decides is stored. Ability modifiers, skill and save
    bonuses, passive scores and initiative are derived by a ruleset (see
    ``DerivedValues``), never stored. Names of abilities, skills and conditions are
    accepted in any case with spaces, hyphens or underscores, and stored in
    their canonical form. Unknown fields are errors.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        title="CharacterSheet",
    )

    name: Annotated[str, AfterValidator(_valid_name)] = Field(
        min_length=1, max_length=100, description="The character's name."
    )
    monster: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=r"^[a-z0-9-]+$",
        description=(
            "The SRD monster this sheet was made from (its index, e.g. goblin): set by "
            "init add, marks a monster in an encounter rather than a player's character."
        ),
    )
    class_name: str = Field(
        alias="class", min_length=1, max_length=50, description="Class, e.g. Rogue."
    )
    subclass: str | None = _optional_text(50, "Subclass, e.g. Thief or Champion.")
    species: str | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        validation_alias=AliasChoices("species", "race"),
        serialization_alias="species",
        description='Species, e.g. Halfling; the SRD 5.1 key "race" is accepted too.',
    )
    background: str | None = _optional_text(50, "Background, e.g. Criminal.")
    level: Annotated[int, Field(ge=1, le=20), whole_number(1, 20)] = Field(
        description="Character level, 1 to 20."
    )
    proficiency_bonus: Annotated[
        int | None, Field(ge=2, le=6), whole_number(2, 6, nullable=True)
    ] = Field(
        default=None,
        description="Optional; derived from the level when left out, and must match it if given.",
    )
    abilities: Abilities
    saves: Annotated[list[AbilityName], Field(max_length=6), AfterValidator(_unique_abilities)] = (
        Field(
            default_factory=list,
            description=(
                'Saving throws the character is proficient in, e.g. ["dex", "int"]; '
                "full names and any case are accepted."
            ),
        )
    )
    skills: Skills = Field(default_factory=dict)
    features: FeatureList = Field(default_factory=list, description=FEATURES_DESCRIPTION)
    ac: Annotated[int | None, Field(ge=1, le=40), whole_number(1, 40, nullable=True)] = Field(
        default=None, title="AC", description="Armor class, 1 to 40."
    )
    hp: HitPoints | None = Field(default=None, description="Hit points.")
    speed: SpeedField = Field(default_factory=Speed, description="Speeds in feet.")
    senses: Senses = Field(default_factory=Senses, description="Special senses, ranges in feet.")
    conditions: Annotated[list[ConditionName], Field(max_length=15), AfterValidator(_unique)] = (
        Field(
            default_factory=list,
            description=(
                'SRD conditions affecting the character now, e.g. ["poisoned"]; exhaustion '
                "has its own level (the exhaustion field)."
            ),
        )
    )
    exhaustion: Annotated[int, Field(ge=0, le=6), whole_number(0, 6)] = Field(
        default=0,
        exclude_if=lambda level: level == 0,
        description="Exhaustion level, 0 (none) to 6 (SRD Conditions, Exhaustion).",
    )
    concentration: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description=(
            "The spell or effect the character is concentrating on, e.g. Bless; damage "
            "calls for a Constitution save to keep it (SRD Spellcasting, Concentration)."
        ),
    )
    resistances: DamageTypes = Field(
        default_factory=list,
        exclude_if=_empty,
        description='Damage types it resists (half damage), e.g. ["fire"]; any case.',
    )
    immunities: DamageTypes = Field(
        default_factory=list,
        exclude_if=_empty,
        description="Damage types it is immune to (no damage).",
    )
    vulnerabilities: DamageTypes = Field(
        default_factory=list,
        exclude_if=_empty,
        description="Damage types it is vulnerable to (double damage).",
    )
    condition_immunities: Annotated[
        list[ConditionName], Field(max_length=15), AfterValidator(_unique)
    ] = Field(
        default_factory=list,
        exclude_if=_empty,
        description='Conditions it cannot suffer, e.g. ["poisoned"] (monsters from the SRD).',
    )
    inventory: list[ItemField] = Field(
        default_factory=list,
        max_length=500,
        description='Equipment: {"name", "quantity", "notes"} objects, or just names.',
    )
    spells: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=300, description="Spells known or prepared, by name."
    )
    attacks: list[Attack] = Field(
        default_factory=list, max_length=50, description="Weapons and other attacks."
    )
    notes: str = Field(default="", max_length=10_000, description="Free-form notes.")

    @field_validator("proficiency_bonus", mode="after")
    @classmethod
    def _bonus_matches_level(cls, bonus: int | None, info: ValidationInfo) -> int | None:
        # A stated bonus is checked against the SRD table a sheet document is written for;
        # what is rolled always comes from the caller's ruleset (the same under D&D 5e).
        level = info.data.get("level")  # absent when the level itself was invalid
        if bonus is not None and level is not None:
            expected = srd.proficiency_bonus(level)
            if bonus != expected:
                raise PydanticCustomError(
                    "proficiency_mismatch",
                    "level {level} has a proficiency bonus of +{expected}, got {got} "
                    "(leave it out to derive it from the level)",
                    {"level": level, "expected": expected, "got": bonus},
                )
        return bonus

    # --- what the rules read from a sheet; the derived numbers are in DerivedValues ----------

    @property
    def flags(self) -> frozenset[Feature]:
        """The rules features this character has (Jack of All Trades, ...)."""
        return feature_flags(self.features)

    def skill_proficiency(self, skill: Skill | str) -> Proficiency:
        """``PROFICIENT``, ``EXPERTISE`` or ``NONE`` as written on the sheet."""
        return self.skills.get(srd.parse_skill(skill), Proficiency.NONE)

    def check_input(
        self,
        ruleset: Ruleset,
        kind: CheckKind | str,
        *,
        ability: Ability | str | None = None,
        skill: Skill | str | None = None,
        dc: int | None = None,
        advantage: int = 0,
        disadvantage: int = 0,
        bonus_dice: Sequence[BonusDice | str] = (),
    ) -> CheckInput:
        """The ``CheckInput`` for a roll by this character under ``ruleset``.

        Uses the sheet's real scores, proficiencies and features, and the
        ruleset's proficiency bonus for the sheet's level; the engine decides
        where each feature applies. ``ability`` pairs a skill with another
        ability (Strength (Intimidation)). Raises ``RulesError`` for a bad
        combination, e.g. a save with a skill.
        """
        return sheet_check_input(
            self,
            ruleset,
            kind,
            ability=ability,
            skill=skill,
            dc=dc,
            advantage=advantage,
            disadvantage=disadvantage,
            bonus_dice=bonus_dice,
        )

    # --- play state: hit points, conditions and defences, as the rules take them -----------

    def hit_points(self) -> HitPointState:
        """Hit points and death saves for ``rules.hp`` (RulesError if the sheet has none)."""
        return _play_state.hit_points(self)

    def with_hit_points(self, state: HitPointState) -> CharacterSheet:
        """This sheet holding ``state`` (validated again)."""
        return _play_state.with_hit_points(self, state)

    def with_conditions(self, conditions: Sequence[str], exhaustion: int) -> CharacterSheet:
        """This sheet with exactly these named conditions and exhaustion level."""
        return _play_state.with_conditions(self, conditions, exhaustion)

    def conditioned(self, check: CheckInput) -> tuple[CheckInput, RollEffect]:
        """``check`` with this sheet's conditions and exhaustion applied (SRD Conditions)."""
        from adventorator.rules.condition_effects import check_with_conditions

        named = [c.value for c in self.conditions if c.value != "exhaustion"]
        return check_with_conditions(check, named, self.exhaustion)

    def defences(self) -> Defences:
        """Resistances, immunities and vulnerabilities, with those its conditions give."""
        return _play_state.defences(self)[0]

    def play_state(self) -> dict[str, Any]:
        """What an event records of this sheet: hp, conditions and exhaustion."""
        return _play_state.play_state(self)

    def to_data(self) -> dict[str, Any]:
        """The canonical JSON form (aliases, short keys, nulls left out): what is stored."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
