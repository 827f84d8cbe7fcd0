"""Campaigns, players and scenes: get-or-create for writes, look-up for reads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.storage.models import (
    Campaign,
    Player,
    Scene,
)
from adventorator.storage.repos._common import insert_ignore


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
