"""Transcript lines: a turn's lines in one statement, recent lines, delivery status.

Reads that a reader sees (``transcript show``, ``export``) come with who spoke
and in which scene (``SpokenLine``): the character's name, else the player's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.storage.models import (
    Character,
    Player,
    Scene,
    TranscriptEntry,
)


class SpokenLine(NamedTuple):
    """An entry with its scene's key and its speaker (character, else player) names."""

    entry: TranscriptEntry
    scene_key: str
    character_name: str | None
    player_name: str | None


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


def _spoken() -> Select[TranscriptEntry, str, str, str]:
    return (
        select(TranscriptEntry, Scene.key, Character.name, Player.display_name)
        .join(Scene, TranscriptEntry.scene_id == Scene.id)
        .outerjoin(Character, TranscriptEntry.character_id == Character.id)
        .outerjoin(Player, TranscriptEntry.player_id == Player.id)
    )


async def recent_spoken_lines(
    session: AsyncSession, scene_id: int, *, limit: int = 20
) -> list[SpokenLine]:
    """The last ``limit`` lines of a scene with their speakers, oldest first."""
    query = (
        _spoken()
        .where(TranscriptEntry.scene_id == scene_id)
        .order_by(TranscriptEntry.id.desc())
        .limit(limit)
    )
    rows = [SpokenLine(row[0], row[1], row[2], row[3]) for row in await session.execute(query)]
    rows.reverse()
    return rows


async def campaign_spoken_lines(session: AsyncSession, campaign_id: int) -> list[SpokenLine]:
    """Every line of a campaign with its speaker, by scene (oldest scene first), then in order."""
    query = (
        _spoken()
        .where(TranscriptEntry.campaign_id == campaign_id)
        .order_by(TranscriptEntry.scene_id, TranscriptEntry.id)
    )
    return [SpokenLine(row[0], row[1], row[2], row[3]) for row in await session.execute(query)]
