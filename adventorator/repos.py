"""Data access: the only module that builds queries.

Functions take an ``AsyncSession`` inside a ``Database.session_scope()`` and
never commit; the caller's scope decides. Get-or-create uses the backend's
``INSERT ... ON CONFLICT DO NOTHING`` so concurrent first uses from several
instances cannot collide.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from adventorator.errors import ConflictError
from adventorator.models import (
    ActiveCharacter,
    Base,
    Campaign,
    Character,
    Interaction,
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
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        dialect_insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    )
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


async def add_transcript_entries(
    session: AsyncSession,
    lines: Sequence[Mapping[str, Any]],
    *,
    campaign_id: int,
    scene_id: int,
    player_id: int | None = None,
    character_id: int | None = None,
) -> list[int]:
    """Insert lines (``role``, ``content``, optional ``meta`` and ``status``); their ids in order.

    One INSERT ... RETURNING for all of them on PostgreSQL (SQLite may run it
    row by row), instead of an ORM flush per line. Atomic only inside the
    caller's transaction.
    """
    if not lines:
        return []
    common = {
        "campaign_id": campaign_id,
        "scene_id": scene_id,
        "player_id": player_id,
        "character_id": character_id,
    }
    rows = [
        {
            **common,
            "role": line["role"],
            "content": line["content"],
            "meta": line.get("meta"),
            "status": line.get("status", "ok"),
        }
        for line in lines
    ]
    statement = insert(TranscriptEntry).returning(TranscriptEntry.id, sort_by_parameter_order=True)
    return list((await session.scalars(statement, rows)).all())


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


async def set_transcript_status(
    session: AsyncSession, entry_ids: Sequence[int], status: str
) -> None:
    """Set the status of several entries in one statement; unknown ids are ignored."""
    if entry_ids:
        statement = (
            update(TranscriptEntry)
            .where(TranscriptEntry.id.in_(list(entry_ids)))
            .values(status=status)
            .execution_options(synchronize_session="fetch")
        )
        await session.execute(statement)


# Interactions (Discord idempotency) ----------------------------------------
#
# These run on every Discord interaction, so they take a Core ``AsyncConnection``
# (in autocommit mode, from ``InteractionService``) rather than an ORM session,
# and reuse prebuilt statements: the ORM session layer cost more than the
# statements themselves.

_INTERACTIONS = Base.metadata.tables[Interaction.__tablename__]
_CLAIM_STATEMENTS: dict[str, Any] = {}
_FINISH_STATEMENTS: dict[tuple[str, ...], Any] = {}
_GET_INTERACTION = select(_INTERACTIONS).where(_INTERACTIONS.c.id == bindparam("interaction_id"))
_CONSUME_INTERACTION = (
    update(_INTERACTIONS)
    .where(_INTERACTIONS.c.id == bindparam("interaction_id"), _INTERACTIONS.c.status == "done")
    .values(status="chosen")
)


def _claim_statement(dialect: str) -> Any:
    statement = _CLAIM_STATEMENTS.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = _CLAIM_STATEMENTS[dialect] = (
            insert(_INTERACTIONS)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(_INTERACTIONS.c.id)
        )
    return statement


async def claim_interaction(
    connection: AsyncConnection,
    *,
    interaction_id: str,
    kind: str,
    user_id: str,
    command: str | None = None,
    response: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    status: str = "running",
) -> bool:
    """Insert the interaction unless any instance already did; True when this call claimed it.

    One statement (``INSERT ... ON CONFLICT DO NOTHING RETURNING id``): of two
    instances racing on one id, exactly one gets True.
    """
    values = {
        "id": interaction_id,
        "kind": kind,
        "user_id": user_id,
        "command": command,
        "response": response,
        "meta": meta,
        "status": status,
        "created_at": utcnow(),
    }
    result = await connection.execute(_claim_statement(connection.dialect.name), values)
    return result.first() is not None


async def get_interaction(connection: AsyncConnection, interaction_id: str) -> RowMapping | None:
    """The interaction's row (columns by name), or None."""
    result = await connection.execute(_GET_INTERACTION, {"interaction_id": interaction_id})
    return result.mappings().first()


async def finish_interaction(
    connection: AsyncConnection,
    interaction_id: str,
    *,
    status: str = "done",
    response: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> None:
    """Record the outcome; ``response`` and ``meta`` are only written when given."""
    values: dict[str, Any] = {"status": status}
    if response is not None:
        values["response"] = response
    if meta is not None:
        values["meta"] = meta
    columns = tuple(values)
    statement = _FINISH_STATEMENTS.get(columns)
    if statement is None:
        statement = _FINISH_STATEMENTS[columns] = (
            update(_INTERACTIONS)
            .where(_INTERACTIONS.c.id == bindparam("interaction_id"))
            .values({column: bindparam(f"new_{column}") for column in columns})
        )
    params = {f"new_{column}": value for column, value in values.items()}
    await connection.execute(statement, {"interaction_id": interaction_id, **params})


async def consume_interaction(connection: AsyncConnection, interaction_id: str) -> bool:
    """Move a ``done`` interaction to ``chosen``; False when it was not ``done`` (used already)."""
    result = await connection.execute(_CONSUME_INTERACTION, {"interaction_id": interaction_id})
    return bool(result.rowcount)


async def prune_interactions(connection: AsyncConnection, *, before: datetime) -> int:
    """Delete interactions created before ``before``; returns how many."""
    result = await connection.execute(
        delete(_INTERACTIONS).where(_INTERACTIONS.c.created_at < before)
    )
    return int(result.rowcount or 0)


# Cross-instance cache invalidation ------------------------------------------

CHARACTER_CHANNEL = "adventorator_characters"


async def notify_character_change(
    session: AsyncSession, *, campaign_id: int, character_id: int
) -> None:
    """Tell other instances (LISTEN on CHARACTER_CHANNEL) that a character changed.

    Postgres delivers the notification when the transaction commits, and not
    at all if it rolls back. A no-op on SQLite, which serves one process.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    payload = json.dumps({"campaign_id": campaign_id, "character_id": character_id})
    await session.execute(select(func.pg_notify(CHARACTER_CHANNEL, payload)))
