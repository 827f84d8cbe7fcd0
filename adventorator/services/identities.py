"""Mapping client identities onto campaign, player and scene rows.

A warm cache makes the mapping free after first use: identities never change
their ids, so entries only need to be bounded, not expired.

The CLI's scene is the campaign's newest scene outside Discord (``default``
until ``adv scene new`` starts another): it lives in the database, so every
player of the campaign, on any machine, follows the table into the new scene.
A Discord scene is its channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cachetools import LRUCache

from adventorator.errors import InputError
from adventorator.identity import Identity
from adventorator.storage import repos
from adventorator.storage.database import Database
from adventorator.storage.repos.identities import (
    DISCORD_SCENE_PREFIX,
    add_scene,
    campaign_scenes,
    newest_scene_key,
)

DEFAULT_SCENE = "default"
SCENE_NAME_MAX = 80


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
            key = identity.scene_key
            if _follows_the_table(identity):
                key = await newest_scene_key(session, campaign.id) or DEFAULT_SCENE
            scene = await repos.get_or_create_scene(session, campaign.id, key)
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
                scene_key=None if _follows_the_table(identity) else identity.scene_key,
            )
        if campaign_id is not None and player_id is not None and scene_id is not None:
            self._cache[identity] = ResolvedIdentity(campaign_id, player_id, scene_id)
        return KnownIdentity(campaign_id, player_id, scene_id)

    def forget(self) -> None:
        """Drop every entry (e.g. after the database was reset)."""
        self._cache.clear()


def _follows_the_table(identity: Identity) -> bool:
    """A CLI identity with no scene of its own plays in the campaign's newest scene."""
    return identity.client == "cli" and identity.scene_key == DEFAULT_SCENE


@dataclass(frozen=True)
class SceneInfo:
    """A scene of a campaign, as ``adv scene list`` shows it."""

    name: str
    created_at: datetime
    lines: int
    current: bool

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "lines": self.lines,
            "current": self.current,
        }


async def start_scene(database: Database, identity: Identity, name: str) -> str:
    """Start a new scene called ``name``; it becomes the campaign's CLI scene.

    Raises InputError when the name is taken or is no usable name.
    """
    if not 1 <= len(name) <= SCENE_NAME_MAX:
        raise InputError(f"a scene name is 1-{SCENE_NAME_MAX} characters, got {len(name)}")
    if name.startswith(DISCORD_SCENE_PREFIX):
        raise InputError(f"a scene name cannot start with {DISCORD_SCENE_PREFIX!r}")
    async with database.session_scope() as session:
        campaign = await repos.get_or_create_campaign(session, identity.campaign_key)
        if await add_scene(session, campaign.id, name) is None:
            raise InputError(f"this campaign has a scene called {name!r} already")
    return name


async def list_scenes(database: Database, identity: Identity) -> list[SceneInfo]:
    """The campaign's scenes outside Discord, oldest first, the current one marked."""
    async with database.session_scope() as session:
        campaign = await repos.find_campaign(session, identity.campaign_key)
        rows = [] if campaign is None else await campaign_scenes(session, campaign.id)
    current = rows[-1][0] if rows else None
    return [SceneInfo(key, created, lines, key == current) for key, created, lines in rows]


def next_scene_name(taken: list[str]) -> str:
    """``scene 2``, ``scene 3``, ...: the first free one after the scenes there are."""
    number = len(taken) + 1
    while f"scene {number}" in taken:
        number += 1
    return f"scene {number}"
