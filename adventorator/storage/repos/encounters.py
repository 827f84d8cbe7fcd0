"""Encounters and combatants: one active encounter per scene, versioned updates.

Every write to an encounter (its turn, round, effects or roster) first bumps
its version with ``UPDATE ... WHERE version = :seen RETURNING`` in the
caller's transaction: of two writers that read one version, the second sees
no row (on Postgres it waits for the first to commit, then finds the version
moved), so it never applies a change computed from a stale read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.storage.models import Character, Combatant, Encounter, utcnow
from adventorator.storage.repos._common import dialect_insert
from adventorator.text import name_key


async def insert_encounter(
    session: AsyncSession, *, campaign_id: int, scene_id: int
) -> Encounter | None:
    """Start an encounter in ``scene_id``; None when one is active there already."""
    statement = (
        dialect_insert(session)(Encounter)
        .values(
            campaign_id=campaign_id,
            scene_id=scene_id,
            active_scene_id=scene_id,
            round=0,
            turn=0,
            version=1,
            effects=[],
        )
        .on_conflict_do_nothing(index_elements=["active_scene_id"])
        .returning(Encounter)
    )
    return (await session.scalars(statement)).one_or_none()


async def active_encounter(session: AsyncSession, scene_id: int) -> Encounter | None:
    query = select(Encounter).where(Encounter.active_scene_id == scene_id)
    return (await session.scalars(query)).one_or_none()


async def active_encounter_of_character(
    session: AsyncSession, character_id: int
) -> Encounter | None:
    """The running encounter the character fights in, if any."""
    query = (
        select(Encounter)
        .join(Combatant, Combatant.encounter_id == Encounter.id)
        .where(Combatant.character_id == character_id, Encounter.active_scene_id.is_not(None))
        .limit(1)
    )
    return (await session.scalars(query)).one_or_none()


async def combatant_rows(
    session: AsyncSession, encounter_id: int
) -> list[tuple[Combatant, int, str | None]]:
    """The combatants by their stored order, each with its sheet's owner and SRD monster index."""
    query = (
        select(Combatant, Character.owner_id, Character.sheet["monster"].as_string())
        .join(Character, Character.id == Combatant.character_id)
        .where(Combatant.encounter_id == encounter_id)
        .order_by(Combatant.order, Combatant.id)
        # Fresh values: a write in this transaction may have updated them with Core.
        .execution_options(populate_existing=True)
    )
    return [(row, owner, monster) for row, owner, monster in (await session.execute(query)).all()]


async def character_sheets(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stored sheet documents of these characters, by id (no validation)."""
    query = select(Character.id, Character.sheet).where(Character.id.in_(ids))
    return {row.id: row.sheet for row in (await session.execute(query)).all()}


async def update_encounter(
    session: AsyncSession,
    encounter_id: int,
    *,
    version: int,
    round: int,
    turn: int,
    effects: list[dict[str, Any]],
    end: bool = False,
) -> Encounter | None:
    """Write the encounter if it is still at ``version``; None when another write won.

    ``end`` ends it: the scene is free for a new encounter.
    """
    values: dict[str, Any] = {
        "round": round,
        "turn": turn,
        "effects": effects,
        "version": Encounter.version + 1,
        "updated_at": utcnow(),
    }
    if end:
        values.update(active_scene_id=None, ended_at=utcnow())
    statement = (
        update(Encounter)
        .where(
            Encounter.id == encounter_id,
            Encounter.version == version,
            Encounter.active_scene_id.is_not(None),
        )
        .values(**values)
        .returning(Encounter)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def insert_combatant(
    session: AsyncSession, *, encounter_id: int, character_id: int, **values: Any
) -> Combatant | None:
    """Add a combatant; None when that character is in the encounter already."""
    statement = (
        dialect_insert(session)(Combatant)
        .values(encounter_id=encounter_id, character_id=character_id, **values)
        .on_conflict_do_nothing(index_elements=["encounter_id", "character_id"])
        .returning(Combatant)
    )
    return (await session.scalars(statement)).one_or_none()


async def update_combatant(session: AsyncSession, combatant_id: int, **values: Any) -> None:
    """Set a combatant's columns (the caller bumped the encounter's version first)."""
    await session.execute(update(Combatant).where(Combatant.id == combatant_id).values(**values))


async def delete_combatant(session: AsyncSession, combatant_id: int) -> None:
    await session.execute(delete(Combatant).where(Combatant.id == combatant_id))


async def character_keys_like(session: AsyncSession, campaign_id: int, prefix: str) -> set[str]:
    """The name keys in the campaign that start with ``prefix`` (to number new monsters)."""
    key = name_key(prefix)
    pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(Character.name_key).where(
        Character.campaign_id == campaign_id, Character.name_key.like(f"{pattern}%", escape="\\")
    )
    return set(await session.scalars(query))


async def get_encounter(session: AsyncSession, encounter_id: int) -> Encounter | None:
    """An encounter by id, running or ended, read fresh (undo compares it with an event)."""
    query = select(Encounter).where(Encounter.id == encounter_id)
    return (await session.scalars(query.execution_options(populate_existing=True))).one_or_none()
