"""Data access: the only module that builds queries.

Functions take an ``AsyncSession`` inside a ``Database.session_scope()`` and
never commit; the caller's scope decides. Get-or-create uses the backend's
``INSERT ... ON CONFLICT DO NOTHING`` so concurrent first uses from several
instances cannot collide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import ConflictError
from adventorator.models import (
    ActiveCharacter,
    Base,
    Campaign,
    Character,
    Player,
    Scene,
    TranscriptEntry,
    utcnow,
)


def name_key(name: str) -> str:
    """The case-insensitive form of a character name, for uniqueness and lookup."""
    return " ".join(name.split()).casefold()


async def _insert_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], conflict: Sequence[str]
) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    await session.execute(statement)


async def get_or_create_campaign(
    session: AsyncSession, key: str, *, name: str | None = None
) -> Campaign:
    await _insert_ignore(session, Campaign, {"key": key, "name": name or key}, ["key"])
    return (await session.scalars(select(Campaign).where(Campaign.key == key))).one()


async def get_or_create_player(
    session: AsyncSession, identity: str, *, display_name: str | None = None
) -> Player:
    values = {"identity": identity, "display_name": display_name or identity}
    await _insert_ignore(session, Player, values, ["identity"])
    return (await session.scalars(select(Player).where(Player.identity == identity))).one()


async def get_or_create_scene(session: AsyncSession, campaign_id: int, key: str) -> Scene:
    await _insert_ignore(
        session, Scene, {"campaign_id": campaign_id, "key": key}, ["campaign_id", "key"]
    )
    query = select(Scene).where(Scene.campaign_id == campaign_id, Scene.key == key)
    return (await session.scalars(query)).one()


async def find_campaign(session: AsyncSession, key: str) -> Campaign | None:
    return (await session.scalars(select(Campaign).where(Campaign.key == key))).one_or_none()


# Characters ---------------------------------------------------------------


async def add_character(
    session: AsyncSession, *, campaign_id: int, owner_id: int, name: str, sheet: dict[str, Any]
) -> Character:
    """Insert a character; ConflictError when the name is taken in the campaign."""
    character = Character(
        campaign_id=campaign_id, owner_id=owner_id, name=name, name_key=name_key(name), sheet=sheet
    )
    try:
        async with session.begin_nested():
            session.add(character)
            await session.flush()
    except IntegrityError as error:
        raise ConflictError(
            f"a character named {name!r} already exists in this campaign"
        ) from error
    return character


async def get_character(session: AsyncSession, character_id: int) -> Character | None:
    return await session.get(Character, character_id)


async def find_character(session: AsyncSession, campaign_id: int, name: str) -> Character | None:
    query = select(Character).where(
        Character.campaign_id == campaign_id, Character.name_key == name_key(name)
    )
    return (await session.scalars(query)).one_or_none()


async def list_characters(
    session: AsyncSession, campaign_id: int, *, owner_id: int | None = None
) -> list[Character]:
    """A campaign's characters (optionally one player's), most recently updated first."""
    query = _characters_query(campaign_id, owner_id).order_by(
        Character.updated_at.desc(), Character.id.desc()
    )
    return list(await session.scalars(query))


async def count_characters(
    session: AsyncSession, campaign_id: int, *, owner_id: int | None = None
) -> int:
    query = select(func.count()).select_from(_characters_query(campaign_id, owner_id).subquery())
    return int((await session.execute(query)).scalar_one())


def _characters_query(campaign_id: int, owner_id: int | None) -> Select[Character]:
    query = select(Character).where(Character.campaign_id == campaign_id)
    if owner_id is not None:
        query = query.where(Character.owner_id == owner_id)
    return query


async def update_character(
    session: AsyncSession, character: Character, *, name: str, sheet: dict[str, Any]
) -> Character:
    """Replace a character's sheet (and name); ConflictError on a taken name.

    The changes are made inside the savepoint (``begin_nested`` flushes pending
    changes first), so a conflict rolls back only them and leaves the session
    and ``character`` usable, with its stored values.
    """
    try:
        async with session.begin_nested():
            character.name = name
            character.name_key = name_key(name)
            character.sheet = sheet
            character.updated_at = utcnow()
            await session.flush()
    except IntegrityError as error:
        await session.refresh(character)
        raise ConflictError(
            f"a character named {name!r} already exists in this campaign"
        ) from error
    return character


async def delete_character(session: AsyncSession, character_id: int) -> bool:
    result = await session.execute(delete(Character).where(Character.id == character_id))
    return bool(getattr(result, "rowcount", 0))


async def set_active_character(
    session: AsyncSession, *, campaign_id: int, player_id: int, character_id: int
) -> None:
    """Record a player's explicit choice of character in a campaign (upsert)."""
    selection = await session.get(ActiveCharacter, (campaign_id, player_id))
    if selection is None:
        session.add(
            ActiveCharacter(campaign_id=campaign_id, player_id=player_id, character_id=character_id)
        )
    else:
        selection.character_id = character_id
        selection.selected_at = utcnow()
    await session.flush()


async def get_active_character_id(
    session: AsyncSession, *, campaign_id: int, player_id: int
) -> int | None:
    query = select(ActiveCharacter.character_id).where(
        ActiveCharacter.campaign_id == campaign_id, ActiveCharacter.player_id == player_id
    )
    return (await session.scalars(query)).one_or_none()


# Transcripts --------------------------------------------------------------


async def add_transcript_entry(
    session: AsyncSession,
    *,
    campaign_id: int,
    scene_id: int,
    role: str,
    content: str,
    player_id: int | None = None,
    character_id: int | None = None,
    meta: dict[str, Any] | None = None,
    status: str = "ok",
) -> TranscriptEntry:
    entry = TranscriptEntry(
        campaign_id=campaign_id,
        scene_id=scene_id,
        player_id=player_id,
        character_id=character_id,
        role=role,
        content=content,
        meta=meta,
        status=status,
    )
    session.add(entry)
    await session.flush()
    return entry


async def recent_transcript(
    session: AsyncSession, scene_id: int, *, limit: int = 20
) -> list[TranscriptEntry]:
    """The last ``limit`` entries of a scene, oldest first."""
    query = (
        select(TranscriptEntry)
        .where(TranscriptEntry.scene_id == scene_id)
        .order_by(TranscriptEntry.id.desc())
        .limit(limit)
    )
    entries = list(await session.scalars(query))
    entries.reverse()
    return entries


async def set_transcript_status(session: AsyncSession, entry_id: int, status: str) -> None:
    entry = await session.get(TranscriptEntry, entry_id)
    if entry is not None:
        entry.status = status
        await session.flush()
