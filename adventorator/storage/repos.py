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
from adventorator.storage.models import (
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
from adventorator.text import name_key


def _dialect_insert(session: AsyncSession) -> Any:
    """The backend's INSERT, which has ``on_conflict_do_nothing`` / ``_do_update``."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def _insert_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], conflict: Sequence[str]
) -> None:
    statement = (
        _dialect_insert(session)(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
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


async def find_identity_ids(
    session: AsyncSession, *, campaign_key: str, player_key: str, scene_key: str
) -> tuple[int | None, int | None, int | None]:
    """The campaign, player and scene ids that exist, in one SELECT; nothing is created.

    For reads: a command that only looks needs no rows, so it never waits
    for a writer in another process to take a lock it does not need.
    """
    campaign = select(Campaign.id).where(Campaign.key == campaign_key).scalar_subquery()
    player = select(Player.id).where(Player.identity == player_key).scalar_subquery()
    scene = (
        select(Scene.id)
        .join(Campaign, Scene.campaign_id == Campaign.id)
        .where(Campaign.key == campaign_key, Scene.key == scene_key)
        .scalar_subquery()
    )
    row = (await session.execute(select(campaign, player, scene))).one()
    return row[0], row[1], row[2]


# Characters ---------------------------------------------------------------


async def insert_character(
    session: AsyncSession, *, campaign_id: int, owner_id: int, name: str, sheet: dict[str, Any]
) -> Character | None:
    """Insert a character in one statement; None when the name is taken in the campaign.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: of several instances
    creating one name at once, exactly one inserts and the others see None.
    """
    values = {
        "campaign_id": campaign_id,
        "owner_id": owner_id,
        "name": name,
        "name_key": name_key(name),
        "sheet": sheet,
    }
    statement = (
        _dialect_insert(session)(Character)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["campaign_id", "name_key"])
        .returning(Character)
    )
    return (await session.scalars(statement)).one_or_none()


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


async def count_campaign_and_owner(
    session: AsyncSession, campaign_id: int, owner_id: int
) -> tuple[int, int]:
    """How many characters the campaign has, and how many of them ``owner_id`` owns."""
    query = select(func.count(), func.count().filter(Character.owner_id == owner_id)).where(
        Character.campaign_id == campaign_id
    )
    campaign, owned = (await session.execute(query)).one()
    return int(campaign), int(owned)


async def character_summaries(session: AsyncSession, campaign_id: int) -> list[RowMapping]:
    """Id, name, owner, class and level of a campaign's characters, newest first.

    Class and level are read out of the stored JSON as text, so listing never
    validates (or even loads) whole sheets, and one damaged row shows as
    such instead of breaking the list.
    """
    query = (
        select(
            Character.id,
            Character.name,
            Character.owner_id,
            Character.sheet["class"].as_string().label("class_name"),
            Character.sheet["level"].as_string().label("level"),
        )
        .where(Character.campaign_id == campaign_id)
        .order_by(Character.updated_at.desc(), Character.id.desc())
    )
    return list((await session.execute(query)).mappings())


async def character_names(
    session: AsyncSession, campaign_id: int, *, typed: str, limit: int
) -> list[str]:
    """Up to ``limit`` names whose key starts with ``typed``, then those containing it."""
    key = name_key(typed)
    pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    starts = Character.name_key.like(f"{pattern}%", escape="\\")
    query = select(Character.name).where(Character.campaign_id == campaign_id)
    names = list(
        await session.scalars(query.where(starts).order_by(Character.name_key).limit(limit))
    )
    if key and len(names) < limit:
        inside = query.where(Character.name_key.like(f"%{pattern}%", escape="\\"), ~starts)
        names += await session.scalars(
            inside.order_by(Character.name_key).limit(limit - len(names))
        )
    return names


def _characters_query(campaign_id: int, owner_id: int | None) -> Select[Character]:
    query = select(Character).where(Character.campaign_id == campaign_id)
    if owner_id is not None:
        query = query.where(Character.owner_id == owner_id)
    return query


async def update_character(
    session: AsyncSession,
    character_id: int,
    *,
    version: int,
    name: str,
    sheet: dict[str, Any],
) -> Character | None:
    """Write a new sheet (and name) if the row is still at ``version``, the one that was read.

    Returns the updated row, or None when another write got there first (the
    caller reloads and applies its change again); ConflictError when the new
    name is taken. The savepoint keeps the session usable after a conflict.
    """
    statement = (
        update(Character)
        .where(Character.id == character_id, Character.version == version)
        .values(
            name=name,
            name_key=name_key(name),
            sheet=sheet,
            version=Character.version + 1,
            updated_at=utcnow(),
        )
        .returning(Character)
        .execution_options(populate_existing=True)
    )
    try:
        async with session.begin_nested():
            return (await session.scalars(statement)).one_or_none()
    except IntegrityError as error:
        raise ConflictError(
            f"a character named {name!r} already exists in this campaign"
        ) from error


async def delete_character(session: AsyncSession, character_id: int) -> bool:
    result = await session.execute(delete(Character).where(Character.id == character_id))
    return bool(getattr(result, "rowcount", 0))


async def set_active_character(
    session: AsyncSession, *, campaign_id: int, player_id: int, character_id: int
) -> None:
    """Record a player's explicit choice of character in a campaign (one upsert)."""
    statement = (
        _dialect_insert(session)(ActiveCharacter)
        .values(campaign_id=campaign_id, player_id=player_id, character_id=character_id)
        .on_conflict_do_update(
            index_elements=["campaign_id", "player_id"],
            set_={"character_id": character_id, "selected_at": utcnow()},
        )
    )
    await session.execute(statement)


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
