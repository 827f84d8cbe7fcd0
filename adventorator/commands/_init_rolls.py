"""Initiative rolls for ``init add`` and ``init roll``, and the replies of the init commands.

Initiative is a Dexterity check (SRD "Initiative"), so the sheet's check
input carries Jack of All Trades, Remarkable Athlete and Halfling Lucky, and
its conditions apply as to any check. Feral Instinct (SRD barbarian, level 7)
gives advantage on it.
"""

from __future__ import annotations

from typing import Any

from adventorator.commands._types import Invocation, Reply
from adventorator.rules.srd import Ability
from adventorator.services.encounters import (
    CombatantView,
    EncounterChange,
    EncounterView,
    InitiativeRoll,
    Roller,
)
from adventorator.sheet import CharacterSheet, DerivedValues

__all__ = ["change_reply", "encounter_lines", "roller"]

ADVANTAGE_FEATURES = ("feralinstinct",)


def roller(invocation: Invocation, fixed: int | None = None) -> Roller:
    """Roll each sheet's initiative with the invocation's ruleset and rng (or take ``fixed``)."""
    ruleset = invocation.ruleset

    def roll(sheet: CharacterSheet) -> InitiativeRoll:
        dexterity = sheet.abilities[Ability.DEX]
        bonus = DerivedValues(sheet, ruleset).initiative
        if fixed is not None:
            return InitiativeRoll(fixed, bonus, dexterity)
        advantage = 1 if _has_advantage(sheet) else 0
        check = sheet.check_input(ruleset, "ability", ability=Ability.DEX, advantage=advantage)
        check, _effect = sheet.conditioned(check)
        result = ruleset.perform_check(check, rng=invocation.rng)
        text = result.text().partition(": ")[2]
        return InitiativeRoll(result.total, bonus, dexterity, text, result.to_json())

    return roll


def _has_advantage(sheet: CharacterSheet) -> bool:
    names = {"".join(ch for ch in feature.casefold() if ch.isalnum()) for feature in sheet.features}
    return any(any(name.startswith(wanted) for name in names) for wanted in ADVANTAGE_FEATURES)


def encounter_lines(view: EncounterView) -> list[str]:
    """The turn order, the current combatant marked with ``>``, ties and effects shown."""
    status = f"Round {view.round}" if view.started else "Not started (init next begins round 1)"
    lines = [status]
    current = view.current
    for combatant in view.combatants:
        mark = ">" if current is not None and combatant.id == current.id else " "
        lines.append(f"{mark} {_initiative(combatant):>3}  {combatant.name}{_tie(view, combatant)}")
    if not view.combatants:
        lines.append("  (no combatants yet: init add NAME)")
    for effect in view.effects:
        lines.append(
            f"  effect: {effect['name']} {effect['condition']}, ends at the {effect['until']} "
            f"of its turn (its turns left: {effect['remaining']})"
        )
    return lines


def _initiative(combatant: CombatantView) -> str:
    return "?" if combatant.initiative is None else str(combatant.initiative)


def _tie(view: EncounterView, combatant: CombatantView) -> str:
    tied = [
        c
        for c in view.combatants
        if c.id != combatant.id and c.initiative == combatant.initiative is not None
    ]
    if not tied:
        return ""
    shown = f"Dex {combatant.dexterity}"
    if any(c.dexterity == combatant.dexterity for c in tied) and combatant.tiebreak is not None:
        shown += f", roll-off {combatant.tiebreak}"
    return f" (tie: {shown})"


def change_reply(change: EncounterChange, *, show_order: bool = True) -> Reply:
    """The summary, the lines it produced and (usually) the turn order."""
    text = [change.summary, *change.lines]
    if show_order:
        text += encounter_lines(change.after)
    data: dict[str, Any] = {
        "summary": change.summary,
        "lines": list(change.lines),
        "event_id": change.event_id,
        "encounter": change.after.to_json(),
    }
    return Reply(text="\n".join(text), data=data, transcript_ids=change.transcript_ids)
