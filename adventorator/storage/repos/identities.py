"""Campaigns, players and scenes: get-or-create for writes, look-up for reads.

A scene key ``None`` means the campaign's newest scene outside Discord (whose
scenes are channels, ``discord:channel:<id>``): the CLI's current scene.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.storage.models import (
    Campaign,
    Player,
    Scene,
    TranscriptEntry,
)
from adventorator.storage.repos._common import dialect_insert, insert_ignore


async def get_or_create_campaign(
    session: AsyncSession, key: str, *, name: str | None = None
) -> Campaign:
    await insert_ignore(session, Campaign, {"key": key, "name": name or key}, ["key"])
    return (await session.scalars(select(Campaign).where(Campaign.key == key))).one()


async def get_or_create_player(
    session: AsyncSession, identity: str, *, display_name: str | None = None
) -> Player:
    values = {"identity": identity, "display_name": display_name or identity}
    await insert_ignore(session, Player, values, ["identity"])
    return (await session.scalars(select(Player).where(Player.identity == identity))).one()


async def get_or_create_scene(session: AsyncSession, campaign_id: int, key: str) -> Scene:
    await insert_ignore(
        session, Scene, {"campaign_id": campaign_id, "key": key}, ["campaign_id", "key"]
    )
    query = select(Scene).where(Scene.campaign_id == campaign_id, Scene.key == key)
    return (await session.scalars(query)).one()


async def find_campaign(session: AsyncSession, key: str) -> Campaign | None:
    return (await session.scalars(select(Campaign).where(Campaign.key == key))).one_or_none()


DISCORD_SCENE_PREFIX = "discord:"


def _newest_scene_id(campaign: ScalarSelect[int] | int) -> ScalarSelect[int]:
    return (
        select(Scene.id)
        .where(Scene.campaign_id == campaign, ~Scene.key.startswith(DISCORD_SCENE_PREFIX))
        .order_by(Scene.id.desc())
        .limit(1)
        .scalar_subquery()
    )


async def newest_scene_key(session: AsyncSession, campaign_id: int) -> str | None:
    """The key of the campaign's newest scene outside Discord, if it has one."""
    query = select(Scene.key).where(Scene.id == _newest_scene_id(campaign_id))
    return (await session.scalars(query)).one_or_none()


async def add_scene(session: AsyncSession, campaign_id: int, key: str) -> Scene | None:
    """A new scene, or None when the campaign has one with that key already."""
    statement = (
        dialect_insert(session)(Scene)
        .values(campaign_id=campaign_id, key=key)
        .on_conflict_do_nothing(index_elements=["campaign_id", "key"])
    )
    result: Any = await session.execute(statement)
    if not result.rowcount:  # a concurrent `scene new` with this name won
        return None
    query = select(Scene).where(Scene.campaign_id == campaign_id, Scene.key == key)
    return (await session.scalars(query)).one()


async def campaign_scenes(
    session: AsyncSession, campaign_id: int
) -> list[tuple[str, datetime, int]]:
    """(key, created_at, transcript lines) of every scene outside Discord, oldest first."""
    lines = (
        select(func.count(TranscriptEntry.id))
        .where(TranscriptEntry.scene_id == Scene.id)
        .correlate(Scene)
        .scalar_subquery()
    )
    query = (
        select(Scene.key, Scene.created_at, lines)
        .where(Scene.campaign_id == campaign_id, ~Scene.key.startswith(DISCORD_SCENE_PREFIX))
        .order_by(Scene.id)
    )
    return [(row[0], row[1], row[2]) for row in await session.execute(query)]


async def find_identity_ids(
    session: AsyncSession, *, campaign_key: str, player_key: str, scene_key: str | None
) -> tuple[int | None, int | None, int | None]:
    """The campaign, player and scene ids that exist, in one SELECT; nothing is created.

    For reads: a command that only looks needs no rows, so it never waits
    for a writer in another process to take a lock it does not need.
    """
    campaign = select(Campaign.id).where(Campaign.key == campaign_key).scalar_subquery()
    player = select(Player.id).where(Player.identity == player_key).scalar_subquery()
    if scene_key is None:
        scene = _newest_scene_id(campaign)
    else:
        scene = (
            select(Scene.id)
            .join(Campaign, Scene.campaign_id == Campaign.id)
            .where(Campaign.key == campaign_key, Scene.key == scene_key)
            .scalar_subquery()
        )
    row = (await session.execute(select(campaign, player, scene))).one()
    return row[0], row[1], row[2]
