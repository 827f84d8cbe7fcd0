"""The encounter service's reads: the active encounter as views, names, permissions, lines.

Reads never write; ``create_sheet`` (a monster's new sheet) runs inside the
write's transaction, after its claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import NotFoundError, PermissionDeniedError
from adventorator.services._encounter_state import CombatantView, EncounterView
from adventorator.services.character_records import CharacterRecord
from adventorator.sheet import CharacterSheet
from adventorator.storage import repos
from adventorator.storage.models import Combatant, Encounter

CANDIDATES_SHOWN = 10


class LostRace(Exception):
    """Another write claimed the encounter (or a sheet, or a name) first: plan again."""


async def load(session: AsyncSession, scene_id: int) -> EncounterView | None:
    row = await repos.active_encounter(session, scene_id)
    return None if row is None else await load_row(session, row)


async def require_active(session: AsyncSession, scene_id: int) -> EncounterView:
    view = await load(session, scene_id)
    if view is None:
        raise NotFoundError("no encounter is running in this scene: begin one with init begin")
    return view


async def load_row(session: AsyncSession, row: Encounter) -> EncounterView:
    combatants = tuple(
        combatant_view(combatant, owner, monster)
        for combatant, owner, monster in await repos.combatant_rows(session, row.id)
    )
    return row_view(row, combatants)


def row_view(row: Encounter, combatants: tuple[CombatantView, ...]) -> EncounterView:
    return EncounterView(
        id=row.id,
        campaign_id=row.campaign_id,
        scene_id=row.scene_id,
        round=row.round,
        turn=row.turn,
        combatants=combatants,
        effects=tuple(row.effects or ()),
        version=row.version,
    )


def combatant_view(row: Combatant, owner: int, monster: str | None) -> CombatantView:
    return CombatantView(
        id=row.id,
        name=row.name,
        character_id=row.character_id,
        owner_id=owner,
        monster=monster,
        initiative=row.initiative,
        modifier=row.modifier,
        dexterity=row.dexterity,
        tiebreak=row.tiebreak,
        created_here=row.monster,
    )


async def find_character(session: AsyncSession, campaign_id: int, name: str) -> CharacterRecord:
    rows = await repos.characters_by_prefix(session, campaign_id, name, limit=CANDIDATES_SHOWN)
    if len(rows) == 1:
        return CharacterRecord.from_row(rows[0])
    if rows:
        names = ", ".join(row.name for row in rows)
        raise NotFoundError(f"{name!r} matches several characters ({names}): type more of the name")
    raise NotFoundError(f"no character named {name!r} in this campaign")


async def character_of(session: AsyncSession, combatant: CombatantView) -> CharacterRecord:
    row = await repos.get_character(session, combatant.character_id)
    if row is None:
        raise LostRace()
    return CharacterRecord.from_row(row)


def find_combatant(view: EncounterView, name: str) -> CombatantView:
    """A combatant by exact name or unique prefix, any case."""
    typed = name.strip().casefold()
    exact = [c for c in view.combatants if c.name.casefold() == typed]
    found = exact or [c for c in view.combatants if c.name.casefold().startswith(typed)]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(c.name for c in found)
        raise NotFoundError(f"{name!r} matches several combatants ({names}): type more of the name")
    listed = ", ".join(c.name for c in view.combatants) or "none yet"
    raise NotFoundError(f"no combatant named {name!r} (combatants: {listed})")


async def is_gm(session: AsyncSession, campaign_id: int, actor_id: int) -> bool:
    return await repos.campaign_gm(session, campaign_id) == actor_id


async def require_turn_owner(session: AsyncSession, view: EncounterView, actor_id: int) -> None:
    """Only the acting combatant's owner or the game master moves the turn on."""
    if await is_gm(session, view.campaign_id, actor_id):
        return
    current = view.current
    if current is None:
        if any(c.owner_id == actor_id for c in view.combatants):
            return  # a player in the fight may start round 1
        raise PermissionDeniedError("only the game master or a player in the fight may start it")
    if current.owner_id != actor_id:
        raise PermissionDeniedError(
            f"it is {current.name}'s turn: only its player or the game master may move the turn"
        )


def moved_on(view: EncounterView) -> str:
    current = view.current
    if current is None:
        return "the turn moved on meanwhile: the encounter has not started; see init list"
    return (
        f"the turn moved on meanwhile: it is {current.name}'s turn (round {view.round}); "
        "nothing changed"
    )


async def fallen(session: AsyncSession, view: EncounterView) -> list[str]:
    """The combatants at 0 hit points (dying, stable or dead)."""
    sheets = await repos.character_sheets(session, [c.character_id for c in view.combatants])
    down = []
    for combatant in view.combatants:
        hp = sheets.get(combatant.character_id, {}).get("hp")
        if isinstance(hp, dict) and hp.get("current") == 0:
            down.append(combatant.name)
    return down


def end_summary(view: EncounterView, fallen: Sequence[str]) -> str:
    rounds = f"{view.round} round{'s' if view.round != 1 else ''}"
    who = f"{_joined(fallen)} fell" if fallen else "no one fell"
    return f"The encounter ends after {rounds}: {who}"


def effect_line(effect: dict[str, Any]) -> str:
    rounds = int(effect["rounds"])
    turns = "its next turn" if rounds == 1 else f"its turn {rounds} turns from now"
    return f"{effect['name']} is {effect['condition']} until the {effect['until']} of {turns}"


def numbered(base: str, count: int, taken: set[str]) -> list[str]:
    """``count`` names "Base 1", "Base 2", ... skipping those in ``taken`` (name keys)."""
    names: list[str] = []
    number = 0
    while len(names) < count:
        number += 1
        name = f"{base} {number}"
        if name.casefold() not in taken:
            names.append(name)
    return names


async def create_sheet(
    session: AsyncSession, campaign_id: int, owner_id: int, sheet: CharacterSheet
) -> CharacterRecord:
    row = await repos.insert_character(
        session, campaign_id=campaign_id, owner_id=owner_id, name=sheet.name, sheet=sheet.to_data()
    )
    if row is None:  # another add took the name meanwhile
        raise LostRace()
    await repos.notify_character_change(session, campaign_id=campaign_id, character_id=row.id)
    return CharacterRecord.from_row(row)


def _joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
