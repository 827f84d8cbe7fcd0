"""Concentration in play: the save when damage lands, and what ends it without one.

The pure rules are ``rules.concentration``; these helpers work on sheets inside a
``PlayStateService.change`` apply function, so a lost concentration is part of
the same recorded, undoable event as the damage or condition that ended it.
``conditions.py`` calls ``after_conditions`` and ``refuse_immune`` when a
condition is added.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from adventorator.errors import InputError
from adventorator.rules import CheckKind, CheckResult
from adventorator.rules.concentration import ConcentrationSave, concentration_dc, lost_by_state
from adventorator.rules.condition_immunity import immune_to, immunity_message
from adventorator.rules.srd import Ability
from adventorator.sheet import CharacterSheet, with_play_state

if TYPE_CHECKING:
    from adventorator.rules import Ruleset

__all__ = [
    "SaveRoller",
    "after_conditions",
    "after_damage",
    "ended_line",
    "lost_reason",
    "refuse_immune",
    "with_concentration",
]


class SaveRoller:
    """Rolls Constitution saves for one invocation's apply function.

    The apply function may run again on a lost race: the same save (same
    check, same DC) is then not rolled again, so a retry records what was shown.
    """

    def __init__(self, ruleset: Ruleset, rng: random.Random) -> None:
        self._ruleset = ruleset
        self._rng = rng
        self._rolled: dict[str, tuple[int, bool]] = {}

    def save(self, sheet: CharacterSheet, dc: int) -> tuple[int, bool]:
        """The total and success of ``sheet``'s CON save against ``dc`` (conditions applied)."""
        check = sheet.check_input(self._ruleset, CheckKind.SAVE, ability=Ability.CON, dc=dc)
        check, effect = sheet.conditioned(check)
        key = repr(check)
        if key not in self._rolled:
            result: CheckResult = self._ruleset.perform_check(check, rng=self._rng)
            self._rolled[key] = (result.total, bool(result.success) and not effect.auto_fail)
        return self._rolled[key]


def with_concentration(sheet: CharacterSheet, spell: str | None) -> CharacterSheet:
    """The sheet concentrating on ``spell`` (None: on nothing), validated again."""
    return with_play_state(sheet, {**sheet.play_state(), "concentration": spell})


def lost_reason(sheet: CharacterSheet) -> str | None:
    """Why ``sheet`` cannot concentrate (``stunned: incapacitated``, ``dead``), or None."""
    named = [c.value for c in sheet.conditions if c.value != "exhaustion"]
    dead = sheet.hp is not None and sheet.hit_points().dead
    return lost_by_state(named, dead=dead)


def after_damage(
    roller: SaveRoller, sheet: CharacterSheet, taken: int
) -> tuple[CharacterSheet, ConcentrationSave | None]:
    """``sheet`` (HP already applied) after ``taken`` damage: the save, or the end of it.

    Dropping to 0 HP (unconscious) or dying ends it without a save; no damage
    taken (an immunity) calls for no save.
    """
    spell = sheet.concentration
    if spell is None:
        return sheet, None
    reason = lost_reason(sheet)
    if reason is not None:
        return with_concentration(sheet, None), ConcentrationSave.ended(spell, reason)
    dc = concentration_dc(taken)
    if dc is None:
        return sheet, None
    total, success = roller.save(sheet, dc)
    save = ConcentrationSave.rolled(spell, dc, total, success)
    return (sheet if success else with_concentration(sheet, None)), save


def after_conditions(sheet: CharacterSheet) -> tuple[CharacterSheet, str | None]:
    """An incapacitated (or dead) sheet stops concentrating; the line that says so, if it did."""
    spell = sheet.concentration
    reason = None if spell is None else lost_reason(sheet)
    if spell is None or reason is None:
        return sheet, None
    return with_concentration(sheet, None), ConcentrationSave.ended(spell, reason).line()


def ended_line(save: ConcentrationSave | None) -> str:
    """The summary's tail when concentration ended: ``; concentration on Bless ended``."""
    if save is None or save.kept:
        return ""
    return f"; concentration on {save.spell} ended"


def refuse_immune(sheet: CharacterSheet, gained: list[str]) -> None:
    """InputError naming the immunity if ``sheet`` is immune to any condition in ``gained``."""
    barred = immune_to(gained, [c.value for c in sheet.condition_immunities])
    if barred:
        raise InputError(immunity_message(sheet.name, barred))
