"""A sheet's ``CheckInput``: its scores, proficiencies and features, for a ruleset to roll."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from adventorator.rules import BonusDice, CheckInput, CheckKind, Proficiency, RulesError, srd
from adventorator.rules.srd import Ability, Skill
from adventorator.sheet._features import Feature

if TYPE_CHECKING:
    from adventorator.rules import Ruleset
    from adventorator.sheet._model import CharacterSheet

__all__ = ["sheet_check_input"]


def sheet_check_input(
    sheet: CharacterSheet,
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
    """``CharacterSheet.check_input``: see there."""
    kind = _check_kind(kind)
    parsed_ability = None if ability is None else srd.parse_ability(ability)
    parsed_skill = None if skill is None else srd.parse_skill(skill)
    proficiency = Proficiency.NONE
    if kind is CheckKind.SKILL and parsed_skill is not None:
        proficiency = sheet.skills.get(parsed_skill, Proficiency.NONE)
    elif kind is CheckKind.SAVE and parsed_ability in sheet.saves:
        proficiency = Proficiency.PROFICIENT
    flags = sheet.flags
    return CheckInput(
        kind=kind,
        ability=parsed_ability,
        skill=parsed_skill,
        scores=dict(sheet.abilities),
        proficiency_bonus=ruleset.proficiency_bonus(sheet.level),
        proficiency=proficiency,
        jack_of_all_trades=Feature.JACK_OF_ALL_TRADES in flags,
        remarkable_athlete=Feature.REMARKABLE_ATHLETE in flags,
        reliable_talent=Feature.RELIABLE_TALENT in flags,
        halfling_lucky=Feature.HALFLING_LUCKY in flags,
        advantage=advantage,
        disadvantage=disadvantage,
        bonus_dice=tuple(bonus_dice),
        dc=dc,
    )


def _check_kind(kind: CheckKind | str) -> CheckKind:
    try:
        return CheckKind(kind)
    except ValueError:
        valid = ", ".join(k.value for k in CheckKind)
        raise RulesError(f"check kind must be one of {valid}, got {kind!r}") from None
