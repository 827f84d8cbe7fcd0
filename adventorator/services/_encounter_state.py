"""What the encounter service computes without the database: views, turn order, effects.

Turn order (SRD "Initiative"): higher initiative first; a tie goes to the
higher Dexterity score, then to a d20 roll-off, recorded on the combatant.
Effects with a duration count the affected combatant's turns: ``until`` "end"
ends when that combatant's turn ends ``rounds`` turns later ("until the end
of its next turn": an effect applied during its own turn does not count that
turn), "start" when its turn starts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "CombatantView",
    "EncounterView",
    "Expired",
    "assign_tiebreaks",
    "order_key",
    "pass_turn",
    "snapshot",
]

TIEBREAK_ATTEMPTS = 20


@dataclass(frozen=True)
class CombatantView:
    """One combatant, detached from any session. ``monster`` is its SRD index, if a monster."""

    id: int
    name: str
    character_id: int
    owner_id: int
    monster: str | None
    initiative: int | None
    modifier: int
    dexterity: int = 10
    tiebreak: int | None = None
    created_here: bool = False  # made by init add MONSTER: its sheet leaves with it

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "character_id": self.character_id,
            "monster": self.monster,
            "initiative": self.initiative,
            "modifier": self.modifier,
            "dexterity": self.dexterity,
            "tiebreak": self.tiebreak,
        }


@dataclass(frozen=True)
class EncounterView:
    """An encounter: ``round`` 0 until the first ``next``; ``combatants`` in turn order."""

    id: int
    campaign_id: int
    scene_id: int
    round: int
    turn: int
    combatants: tuple[CombatantView, ...]
    effects: tuple[dict[str, Any], ...] = field(default=())
    version: int = 1

    @property
    def started(self) -> bool:
        return self.round > 0

    @property
    def current(self) -> CombatantView | None:
        """Whose turn it is (None before the first turn, or with nobody in the fight)."""
        if not self.started or not self.combatants:
            return None
        return self.combatants[min(self.turn, len(self.combatants) - 1)]

    def find(self, combatant_id: int) -> CombatantView | None:
        return next((c for c in self.combatants if c.id == combatant_id), None)

    def to_json(self) -> dict[str, Any]:
        current = self.current
        return {
            "id": self.id,
            "round": self.round,
            "turn": self.turn,
            "current": None if current is None else current.name,
            "combatants": [c.to_json() for c in self.combatants],
            "effects": [dict(effect) for effect in self.effects],
        }


def snapshot(view: EncounterView) -> dict[str, Any]:
    """What an event records of an encounter (before and after)."""
    current = view.current
    return {
        "encounter_id": view.id,
        "round": view.round,
        "turn": view.turn,
        "current": None if current is None else current.name,
        "order": [[c.name, c.initiative] for c in view.combatants],
        "effects": [dict(effect) for effect in view.effects],
        # Enough of each combatant for undo to put the roster back as it was.
        "combatants": [{**c.to_json(), "created_here": c.created_here} for c in view.combatants],
    }


def order_key(combatant: CombatantView) -> tuple[int, int, int, int]:
    """Sort key: initiative, then Dexterity, then the roll-off, highest first (unrolled last)."""
    initiative = -1000 if combatant.initiative is None else combatant.initiative
    return (-initiative, -combatant.dexterity, -(combatant.tiebreak or 0), combatant.id)


def assign_tiebreaks(
    combatants: Sequence[CombatantView], rng: random.Random
) -> tuple[list[CombatantView], list[str]]:
    """Roll a d20 roll-off for everyone tied on initiative and Dexterity who has none.

    A roll-off that ties an earlier one is rolled again. Returns the combatants
    and a line per roll-off rolled.
    """
    groups: dict[tuple[int, int], list[CombatantView]] = {}
    for combatant in combatants:
        if combatant.initiative is not None:
            key = (combatant.initiative, combatant.dexterity)
            groups.setdefault(key, []).append(combatant)
    rolled: dict[int, int] = {}
    lines = []
    for (initiative, dexterity), group in groups.items():
        if len(group) < 2:
            continue
        taken = {c.tiebreak for c in group if c.tiebreak is not None}
        for combatant in group:
            if combatant.tiebreak is not None:
                continue
            face = rng.randint(1, 20)
            for _ in range(TIEBREAK_ATTEMPTS):
                if face not in taken:
                    break
                face = rng.randint(1, 20)
            taken.add(face)
            rolled[combatant.id] = face
        if any(c.id in rolled for c in group):
            shown = ", ".join(f"{c.name} {rolled.get(c.id, c.tiebreak)}" for c in group)
            lines.append(
                f"tie at initiative {initiative} and Dexterity {dexterity}: roll-off {shown}"
            )
    updated = [replace(c, tiebreak=rolled.get(c.id, c.tiebreak)) for c in combatants]
    return updated, lines


@dataclass(frozen=True)
class Expired:
    """An effect whose duration ran out at a turn boundary."""

    effect: dict[str, Any]
    boundary: str  # "end" or "start"


def pass_turn(
    effects: Sequence[dict[str, Any]], ending: int | None, starting: int | None
) -> tuple[list[dict[str, Any]], list[Expired]]:
    """The effects after ``ending``'s turn ends and ``starting``'s begins (combatant ids).

    Each effect counts the boundaries of its own combatant; at 0 it expires.
    """
    kept: list[dict[str, Any]] = []
    expired: list[Expired] = []
    for effect in effects:
        owner, until = effect["combatant_id"], effect["until"]
        counts = (until == "end" and owner == ending) or (until == "start" and owner == starting)
        if not counts:
            kept.append(effect)
            continue
        if effect.get("skip"):  # applied during its own turn: that turn's end does not count
            kept.append({**effect, "skip": False})
            continue
        remaining = int(effect["remaining"]) - 1
        if remaining <= 0:
            expired.append(Expired(effect, until))
        else:
            kept.append({**effect, "remaining": remaining})
    return kept, expired
