"""Mapping client identities onto campaign, player and scene rows.

A warm cache makes the mapping free after first use: identities never change
their ids, so entries only need to be bounded, not expired.
"""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import LRUCache

from adventorator import repos
from adventorator.db import Database
from adventorator.identity import Identity


@dataclass(frozen=True)
class ResolvedIdentity:
    """Database ids for an Identity."""

    campaign_id: int
    player_id: int
    scene_id: int


class IdentityService:
    """Get-or-create the rows behind an Identity, cached per process."""

    def __init__(self, database: Database, *, cache_size: int = 4096) -> None:
        self._database = database
        self._cache: LRUCache[Identity, ResolvedIdentity] = LRUCache(maxsize=cache_size)

    async def resolve(self, identity: Identity) -> ResolvedIdentity:
        cached = self._cache.get(identity)
        if cached is not None:
            return cached
        async with self._database.session_scope() as session:
            campaign = await repos.get_or_create_campaign(session, identity.campaign_key)
            player = await repos.get_or_create_player(
                session, identity.player_key, display_name=identity.display_name
            )
            scene = await repos.get_or_create_scene(session, campaign.id, identity.scene_key)
            resolved = ResolvedIdentity(campaign.id, player.id, scene.id)
        self._cache[identity] = resolved
        return resolved

    def forget(self) -> None:
        """Drop every entry (e.g. after the database was reset)."""
        self._cache.clear()
