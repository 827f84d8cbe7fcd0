"""The ``attacks`` of a sheet: weapons and other attacks, and how a ruleset rolls them.

An attack names the ability it uses (``"finesse"``: the better of STR and DEX,
SRD "Weapon Properties: Finesse"; default STR for melee, DEX when ``ranged``),
whether the character is proficient, a flat attack bonus, its damage dice and
type, and extra damage such as Sneak Attack (``once_per_turn``). Dice are
parsed by the dice engine when the sheet is validated, so a typo is a sheet
error with its field path, not a failed roll at the table.

``attack_profile`` turns one attack into the numbers a ruleset rolls: the
attack roll's labelled terms, the damage expression (dice + the ability
modifier, SRD "Damage Rolls"), the extras, the critical range read from the
features (Improved or Superior Critical) and Halfling Lucky.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from adventorator.errors import NotFoundError
from adventorator.rules import Modifier
from adventorator.rules.combat_odds import crit_on_from_features
from adventorator.rules.damage import DamageType, parse_damage_type
from adventorator.rules.dice import DiceError, parse
from adventorator.rules.srd import Ability, RulesError, parse_ability
from adventorator.sheet._fields import describe_value, whole_number

if TYPE_CHECKING:
    from adventorator.rules import Ruleset

__all__ = [
    "FINESSE",
    "Attack",
    "AttackExtra",
    "AttackProfile",
    "ExtraDamage",
    "attack_profile",
    "find_attack",
]

FINESSE = "finesse"
_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
_DAMAGE_TYPES = [t.value for t in DamageType]


def _dice(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "dice_type", "must be dice notation as text, got {got}", {"got": describe_value(value)}
        )
    try:
        parse(value.strip())
    except DiceError as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise PydanticCustomError(
            "dice", "not valid dice notation {got}: {why}", {"got": repr(value), "why": first}
        ) from None
    return value.strip()


def _damage_type(value: Any) -> Any:
    try:
        return parse_damage_type(value).value
    except RulesError:
        raise PydanticCustomError(
            "damage_type",
            "unknown damage type {got} (valid: {valid})",
            {"got": describe_value(value), "valid": ", ".join(_DAMAGE_TYPES)},
        ) from None


def _attack_ability(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() == FINESSE:
        return FINESSE
    try:
        return parse_ability(value).value
    except (RulesError, AttributeError, TypeError):
        raise PydanticCustomError(
            "attack_ability",
            'must be "finesse" or an ability (str, dex, con, int, wis, cha), got {got}',
            {"got": describe_value(value)},
        ) from None


DiceText = Annotated[
    str,
    BeforeValidator(_dice),
    WithJsonSchema({"type": "string", "description": "Dice notation, e.g. 1d8 or 3d6."}),
]
DamageTypeName = Annotated[
    str,
    BeforeValidator(_damage_type),
    WithJsonSchema({"enum": _DAMAGE_TYPES, "description": "An SRD damage type (any case)."}),
]
AttackAbility = Annotated[
    str,
    BeforeValidator(_attack_ability),
    WithJsonSchema({"enum": [a.value for a in Ability] + [FINESSE]}),
]


class AttackExtra(BaseModel):
    """Extra damage an attack may add, e.g. Sneak Attack's 3d6 (once per turn)."""

    model_config = _STRICT

    label: str = Field(min_length=1, max_length=50, description="What it is: Sneak Attack.")
    damage: DiceText = Field(description="Dice, e.g. 3d6; doubled on a critical hit.")
    type: DamageTypeName | None = Field(
        default=None, description="Damage type; the attack's own type when left out."
    )
    once_per_turn: bool = Field(
        default=False, description="Usable once per turn (Sneak Attack): added only when asked."
    )


class Attack(BaseModel):
    """A weapon or other attack on the sheet."""

    model_config = _STRICT

    name: str = Field(min_length=1, max_length=50, description="e.g. Longsword.")
    ability: AttackAbility | None = Field(
        default=None,
        description=(
            'Ability for the attack and damage: an ability or "finesse" (the better of STR '
            "and DEX); STR when left out, DEX for a ranged attack."
        ),
    )
    ranged: bool = Field(default=False, description="A ranged attack (not within 5 ft).")
    proficient: bool = Field(default=True, description="Add the proficiency bonus to hit.")
    bonus: Annotated[int, Field(ge=-20, le=20), whole_number(-20, 20)] = Field(
        default=0, description="A flat attack bonus, e.g. 1 for a +1 weapon."
    )
    damage: DiceText = Field(description="Damage dice, e.g. 1d8; the ability modifier is added.")
    damage_type: DamageTypeName | None = Field(default=None, description="e.g. slashing.")
    extra: list[AttackExtra] = Field(
        default_factory=list, max_length=10, description="Extra damage, e.g. Sneak Attack."
    )


def attack_ability(attack: Attack, scores: dict[Ability, int]) -> Ability:
    """The ability the attack uses: finesse picks the higher of STR and DEX."""
    if attack.ability == FINESSE:
        return Ability.DEX if scores[Ability.DEX] > scores[Ability.STR] else Ability.STR
    if attack.ability is not None:
        return Ability(attack.ability)
    return Ability.DEX if attack.ranged else Ability.STR


@dataclass(frozen=True)
class ExtraDamage:
    """One extra damage part of an attack, its type resolved."""

    label: str
    damage: str
    damage_type: str | None
    once_per_turn: bool


@dataclass(frozen=True)
class AttackProfile:
    """What a ruleset rolls for one attack by one character."""

    name: str
    ability: Ability
    modifiers: tuple[Modifier, ...]  # the attack roll's flat terms, by source
    damage: str  # dice + ability modifier, e.g. "1d8+4"
    damage_type: str | None
    extras: tuple[ExtraDamage, ...]
    crit_on: int
    halfling_lucky: bool
    ranged: bool

    @property
    def attack_bonus(self) -> int:
        return sum(m.value for m in self.modifiers)


def _with_modifier(dice: str, modifier: int) -> str:
    if modifier == 0:
        return dice
    return f"{dice}{'+' if modifier > 0 else '-'}{abs(modifier)}"


def attack_profile(
    attack: Attack,
    *,
    scores: dict[Ability, int],
    level: int,
    features: Iterable[str],
    halfling_lucky: bool,
    ruleset: Ruleset,
) -> AttackProfile:
    """The numbers of ``attack`` for a character under ``ruleset``."""
    ability = attack_ability(attack, scores)
    modifier = ruleset.ability_modifier(scores[ability])
    terms = [Modifier(f"{ability.value.upper()} modifier", modifier)]
    if attack.proficient:
        terms.append(Modifier("proficiency", ruleset.proficiency_bonus(level)))
    if attack.bonus:
        terms.append(Modifier("weapon bonus", attack.bonus))
    extras = tuple(
        ExtraDamage(x.label, x.damage, x.type or attack.damage_type, x.once_per_turn)
        for x in attack.extra
    )
    return AttackProfile(
        name=attack.name,
        ability=ability,
        modifiers=tuple(terms),
        damage=_with_modifier(attack.damage, modifier),
        damage_type=attack.damage_type,
        extras=extras,
        crit_on=crit_on_from_features(features),
        halfling_lucky=halfling_lucky,
        ranged=attack.ranged,
    )


def find_attack(attacks: Sequence[Attack], name: str, *, owner: str = "the sheet") -> Attack:
    """The attack called ``name``, or the one it uniquely starts (any case).

    NotFoundError lists the candidates when none or several match.
    """
    wanted = " ".join(name.split()).casefold()
    exact = [a for a in attacks if a.name.casefold() == wanted]
    if exact:
        return exact[0]
    matches = [a for a in attacks if a.name.casefold().startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(a.name for a in (matches or attacks))
    if not attacks:
        raise NotFoundError(f'{owner} lists no attacks: add them under "attacks"')
    if matches:
        raise NotFoundError(f"{name!r} matches several attacks: {names}")
    raise NotFoundError(f"{owner} has no attack {name!r}; attacks: {names}")
