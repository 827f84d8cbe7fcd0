"""``DerivedValues``: a sheet's numbers as one ruleset computes them.

A sheet stores only what a player decides; every number shown or rolled from
it (proficiency bonus, modifiers, skill and save bonuses, passive scores,
initiative) is computed here by the ruleset the caller holds, usually
``invocation.ruleset``. Passing another ruleset changes every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.rules import Proficiency, srd
from adventorator.rules.srd import Ability, Skill

if TYPE_CHECKING:
    from adventorator.rules import Ruleset
    from adventorator.sheet._model import CharacterSheet

__all__ = ["DerivedValues"]

_PASSIVE_SKILLS = (Skill.PERCEPTION, Skill.INVESTIGATION, Skill.INSIGHT)


@dataclass(frozen=True)
class DerivedValues:
    """The derived numbers of ``sheet`` under ``ruleset``: ``DerivedValues(sheet, ruleset)``.

    Cheap to build and stateless; each number is computed when asked for.
    """

    sheet: CharacterSheet
    ruleset: Ruleset

    @property
    def pb(self) -> int:
        """The proficiency bonus at the sheet's level, from the ruleset's table."""
        return self.ruleset.proficiency_bonus(self.sheet.level)

    def modifier(self, ability: Ability | str) -> int:
        """The ability modifier of ``ability`` (any accepted spelling)."""
        return self.ruleset.ability_modifier(self.sheet.abilities[srd.parse_ability(ability)])

    def skill_bonus(self, skill: Skill | str) -> int:
        """The total bonus of a skill check with its usual ability."""
        check = self.sheet.check_input(self.ruleset, "skill", skill=skill)
        return self.ruleset.check_modifier(check)

    def save_bonus(self, ability: Ability | str) -> int:
        """The total bonus of a saving throw."""
        check = self.sheet.check_input(self.ruleset, "save", ability=ability)
        return self.ruleset.check_modifier(check)

    def ability_check_bonus(self, ability: Ability | str) -> int:
        """The bonus of a raw ability check (Jack of All Trades and the like apply)."""
        check = self.sheet.check_input(self.ruleset, "ability", ability=ability)
        return self.ruleset.check_modifier(check)

    def passive(self, skill: Skill | str, *, advantage: int = 0, disadvantage: int = 0) -> int:
        """The passive score of a skill: 10 + bonus, ±5 for advantage or disadvantage."""
        check = self.sheet.check_input(
            self.ruleset, "skill", skill=skill, advantage=advantage, disadvantage=disadvantage
        )
        return self.ruleset.passive_score(check)

    @property
    def initiative(self) -> int:
        """The initiative bonus: a Dexterity check, so Jack of All Trades and the like apply."""
        return self.ability_check_bonus(Ability.DEX)

    def shown_proficiency(self, skill: Skill | str) -> Proficiency:
        """The sheet's proficiency in ``skill``, or ``HALF`` when a feature adds half of it."""
        recorded = self.sheet.skill_proficiency(skill)
        if recorded is not Proficiency.NONE:
            return recorded
        check = self.sheet.check_input(self.ruleset, "skill", skill=skill)
        # A sheet adds no flat bonuses: a term past the ability modifier is half proficiency.
        extra = len(self.ruleset.modifier_breakdown(check)) > 1
        return Proficiency.HALF if extra else Proficiency.NONE

    def to_json(self) -> dict[str, Any]:
        """Every derived number, JSON-ready (the shape is in ``adventorator.sheet``'s docstring)."""
        sheet = self.sheet
        return {
            "proficiency_bonus": self.pb,
            "abilities": {
                a.value: {"score": sheet.abilities[a], "modifier": self.modifier(a)}
                for a in Ability
            },
            "saves": {
                a.value: {"bonus": self.save_bonus(a), "proficient": a in sheet.saves}
                for a in Ability
            },
            "skills": {
                skill.value: {
                    "ability": skill.ability.value,
                    "bonus": self.skill_bonus(skill),
                    "proficiency": self.shown_proficiency(skill).value,
                }
                for skill in sorted(Skill, key=lambda s: s.value)
            },
            "passive": {skill.value: self.passive(skill) for skill in _PASSIVE_SKILLS},
            "initiative": self.initiative,
        }
