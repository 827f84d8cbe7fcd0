"""Mapping client identities onto campaign, player and scene rows.

A warm cache makes the mapping free after first use: identities never change
their ids, so entries only need to be bounded, not expired.
"""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import LRUCache

from adventorator.identity import Identity
from adventorator.storage import repos
from adventorator.storage.database import Database


@dataclass(frozen=True)
class ResolvedIdentity:
    """Database ids for an Identity."""

    campaign_id: int
    player_id: int
    scene_id: int


@dataclass(frozen=True)
class KnownIdentity:
    """The ids of an Identity's rows that exist already: what a read needs.

    A campaign, player or scene never used has no row, and a read has nothing
    to find there (no characters, no transcript).
    """

    campaign_id: int | None
    player_id: int | None
    scene_id: int | None


class IdentityService:
    """Get-or-create (for writes) or look up (for reads) the rows behind an Identity.

    Both are cached per process once every row exists.
    """

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
            if campaign.gm_player_id is None:
                # The campaign's first player is its game master until they hand it on.
                await repos.claim_default_gm(session, campaign.id, player.id)
            resolved = ResolvedIdentity(campaign.id, player.id, scene.id)
        self._cache[identity] = resolved
        return resolved

    async def lookup(self, identity: Identity) -> KnownIdentity:
        """The ids that exist for ``identity``, in one read; creates nothing."""
        cached = self._cache.get(identity)
        if cached is not None:
            return KnownIdentity(cached.campaign_id, cached.player_id, cached.scene_id)
        async with self._database.session_scope() as session:
            campaign_id, player_id, scene_id = await repos.find_identity_ids(
                session,
                campaign_key=identity.campaign_key,
                player_key=identity.player_key,
                scene_key=identity.scene_key,
            )
        if campaign_id is not None and player_id is not None and scene_id is not None:
            self._cache[identity] = ResolvedIdentity(campaign_id, player_id, scene_id)
        return KnownIdentity(campaign_id, player_id, scene_id)

    def forget(self) -> None:
        """Drop every entry (e.g. after the database was reset)."""
        self._cache.clear()
