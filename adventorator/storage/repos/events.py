"""Play-state events, the campaign's game master, and characters found by name prefix."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from adventorator.storage.models import Campaign, Character, Event, Player
from adventorator.text import name_key


async def insert_event(
    session: AsyncSession,
    *,
    campaign_id: int,
    scene_id: int | None,
    actor_id: int | None,
    character_id: int | None,
    kind: str,
    summary: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    undoes_id: int | None = None,
) -> int:
    """Insert one event in the caller's transaction; its id.

    An IntegrityError on ``undoes_id`` means that change was undone already.
    """
    statement = (
        insert(Event)
        .values(
            campaign_id=campaign_id,
            scene_id=scene_id,
            actor_id=actor_id,
            character_id=character_id,
            kind=kind,
            summary=summary,
            before=before,
            after=after,
            undoes_id=undoes_id,
        )
        .returning(Event.id)
    )
    return int((await session.execute(statement)).scalar_one())


async def recent_events(session: AsyncSession, campaign_id: int, *, limit: int) -> list[Row[Any]]:
    """The campaign's newest events with the actor's and character's names, and who undid each."""
    undo = aliased(Event)
    undone_by = select(undo.id).where(undo.undoes_id == Event.id).scalar_subquery()
    query = (
        select(
            Event,
            Player.display_name.label("actor_name"),
            Character.name.label("character_name"),
            undone_by.label("undone_by"),
        )
        .outerjoin(Player, Player.id == Event.actor_id)
        .outerjoin(Character, Character.id == Event.character_id)
        .where(Event.campaign_id == campaign_id)
        .order_by(Event.id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def last_undoable_event(
    session: AsyncSession,
    campaign_id: int,
    *,
    actor_id: int | None,
) -> Event | None:
    """The newest change not yet undone (and not an undo): ``actor_id``'s, or anyone's if None."""
    undo = aliased(Event)
    query = (
        select(Event)
        .where(
            Event.campaign_id == campaign_id,
            Event.undoes_id.is_(None),
            ~select(undo.id).where(undo.undoes_id == Event.id).exists(),
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    if actor_id is not None:
        query = query.where(Event.actor_id == actor_id)
    return (await session.scalars(query)).one_or_none()


async def campaign_gm(session: AsyncSession, campaign_id: int) -> int | None:
    query = select(Campaign.gm_player_id).where(Campaign.id == campaign_id)
    return (await session.scalars(query)).one_or_none()


async def claim_default_gm(session: AsyncSession, campaign_id: int, player_id: int) -> None:
    """Make ``player_id`` the game master unless the campaign has one (first player wins)."""
    await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.gm_player_id.is_(None))
        .values(gm_player_id=player_id)
    )


async def hand_gm_on(
    session: AsyncSession, campaign_id: int, *, from_player: int, to_player: int
) -> bool:
    """Hand the game master role on, only if ``from_player`` still holds it; whether it did."""
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.gm_player_id == from_player)
        .values(gm_player_id=to_player)
    )
    return bool(getattr(result, "rowcount", 0))


async def find_player(session: AsyncSession, identity: str) -> Player | None:
    return (await session.scalars(select(Player).where(Player.identity == identity))).one_or_none()


async def get_player(session: AsyncSession, player_id: int) -> Player | None:
    return await session.get(Player, player_id)


async def characters_by_prefix(
    session: AsyncSession, campaign_id: int, typed: str, *, limit: int
) -> list[Character]:
    """The character named exactly ``typed`` (any case), else up to ``limit`` starting with it."""
    key = name_key(typed)
    exact = select(Character).where(Character.campaign_id == campaign_id, Character.name_key == key)
    found = (await session.scalars(exact)).one_or_none()
    if found is not None:
        return [found]
    pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        select(Character)
        .where(
            Character.campaign_id == campaign_id,
            Character.name_key.like(f"{pattern}%", escape="\\"),
        )
        .order_by(Character.name_key)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def count_events(session: AsyncSession, campaign_id: int) -> int:
    query = select(func.count()).select_from(Event).where(Event.campaign_id == campaign_id)
    return int((await session.execute(query)).scalar_one())


async def latest_event(session: AsyncSession, scene_id: int, *, kind: str) -> Event | None:
    """The scene's newest event of ``kind`` that is not undone."""
    undo = aliased(Event)
    query = (
        select(Event)
        .where(
            Event.scene_id == scene_id,
            Event.kind == kind,
            ~select(undo.id).where(undo.undoes_id == Event.id).exists(),
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    return (await session.scalars(query)).one_or_none()


async def get_event(session: AsyncSession, event_id: int) -> Event | None:
    return await session.get(Event, event_id)


async def live_events_since(session: AsyncSession, character_id: int, event_id: int) -> int:
    """How many changes to the character after ``event_id`` stand (neither undone nor undos)."""
    undo = aliased(Event)
    query = (
        select(func.count())
        .select_from(Event)
        .where(
            Event.character_id == character_id,
            Event.id > event_id,
            Event.undoes_id.is_(None),
            ~select(undo.id).where(undo.undoes_id == Event.id).exists(),
        )
    )
    return int((await session.execute(query)).scalar_one())
