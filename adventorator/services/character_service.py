"""CharacterService: sheets through one door, with a TTL cache.

Reads are cached per process (``cachetools.TTLCache``, size and TTL from the
settings). Every write through the service invalidates its campaign's entries
at once, and concurrent misses for one key share a single query. On Postgres
each write also sends a NOTIFY (``repos.CHARACTER_CHANNEL``) in its
transaction, so other instances listening (``services.cache_events``) drop
their entries too. Cached
values are immutable records, never ORM objects bound to a session.

Active character resolution, in order:
1. the explicit selection made by ``character switch`` (persisted);
2. else the player's only character in the campaign;
3. else the player's most recently updated character there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from cachetools import TTLCache

from adventorator import repos
from adventorator.db import Database
from adventorator.errors import NotFoundError, PermissionDeniedError
from adventorator.models import Character
from adventorator.schemas import CharacterSheet, parse_sheet_data

T = TypeVar("T")
_MISSING = object()


@dataclass(frozen=True)
class CharacterRecord:
    """A stored character: ids, owner and its validated sheet."""

    id: int
    campaign_id: int
    owner_id: int
    name: str
    sheet: CharacterSheet
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Character) -> CharacterRecord:
        return cls(
            id=row.id,
            campaign_id=row.campaign_id,
            owner_id=row.owner_id,
            name=row.name,
            sheet=parse_sheet_data(row.sheet),
            updated_at=row.updated_at,
        )


class CharacterService:
    """Load, save, delete and resolve characters; cached reads, checked writes."""

    def __init__(
        self,
        database: Database,
        *,
        cache_size: int = 1024,
        ttl: float = 60.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._cache: TTLCache[tuple[Any, ...], Any] = TTLCache(cache_size, ttl, timer=timer)
        self._inflight: dict[tuple[Any, ...], asyncio.Future[Any]] = {}
        # Bumped by every invalidation, so a load that raced a write is not cached.
        self._generation: dict[int, int] = {}

    # Reads ----------------------------------------------------------------

    async def get_active_character_for_user(
        self, user_id: int, campaign_id: int
    ) -> CharacterRecord | None:
        """The player's active character in the campaign (see the module doc)."""
        return await self._cached((campaign_id, "active", user_id), self._load_active)

    async def get_by_name(self, campaign_id: int, name: str) -> CharacterRecord:
        """A character of the campaign by name (case-insensitive); anyone may view it."""
        record: CharacterRecord | None = await self._cached(
            (campaign_id, "name", repos.name_key(name)), self._load_by_name
        )
        if record is None:
            raise NotFoundError(f"no character named {name!r} in this campaign")
        return record

    async def get_by_id(self, campaign_id: int, character_id: int) -> CharacterRecord:
        """A character of the campaign by id."""
        record: CharacterRecord | None = await self._cached(
            (campaign_id, "id", character_id), self._load_by_id
        )
        if record is None:
            raise NotFoundError(f"no character with id {character_id} in this campaign")
        return record

    async def list(self, campaign_id: int) -> list[CharacterRecord]:
        async with self._database.session_scope() as session:
            rows = await repos.list_characters(session, campaign_id)
            return [CharacterRecord.from_row(row) for row in rows]

    async def _load_active(self, key: tuple[int, str, int]) -> CharacterRecord | None:
        campaign_id, _, player_id = key
        async with self._database.session_scope() as session:
            selected = await repos.get_active_character_id(
                session, campaign_id=campaign_id, player_id=player_id
            )
            if selected is not None:
                row = await repos.get_character(session, selected)
            else:
                # Branches 2 and 3: the only one is also the most recent one.
                own = await repos.list_characters(session, campaign_id, owner_id=player_id)
                row = own[0] if own else None
            return None if row is None else CharacterRecord.from_row(row)

    async def _load_by_id(self, key: tuple[int, str, int]) -> CharacterRecord | None:
        campaign_id, _, character_id = key
        async with self._database.session_scope() as session:
            row = await repos.get_character(session, character_id)
            if row is None or row.campaign_id != campaign_id:
                return None
            return CharacterRecord.from_row(row)

    async def _load_by_name(self, key: tuple[int, str, str]) -> CharacterRecord | None:
        campaign_id, _, name = key
        async with self._database.session_scope() as session:
            row = await repos.find_character(session, campaign_id, name)
            return None if row is None else CharacterRecord.from_row(row)

    # Writes ---------------------------------------------------------------

    async def create(
        self, *, campaign_id: int, owner_id: int, sheet: CharacterSheet, replace: bool = False
    ) -> CharacterRecord:
        """Store a new sheet; with ``replace``, overwrite the owner's sheet of that name."""
        document = sheet.to_data()
        async with self._database.session_scope() as session:
            existing = await repos.find_character(session, campaign_id, sheet.name)
            if existing is not None and replace:
                _require_owner(existing, owner_id, "replace")
                row = await repos.update_character(
                    session, existing, name=sheet.name, sheet=document
                )
            else:
                row = await repos.add_character(
                    session,
                    campaign_id=campaign_id,
                    owner_id=owner_id,
                    name=sheet.name,
                    sheet=document,
                )
            record = CharacterRecord.from_row(row)
            await _announce(session, record)
        self.invalidate(campaign_id)
        return record

    async def update(
        self,
        *,
        campaign_id: int,
        actor_id: int,
        name: str,
        change: Callable[[CharacterSheet], CharacterSheet],
    ) -> CharacterRecord:
        """Apply ``change`` to the actor's own sheet called ``name`` and store it."""
        async with self._database.session_scope() as session:
            row = await _find(session, campaign_id, name)
            _require_owner(row, actor_id, "update")
            sheet = change(parse_sheet_data(row.sheet))
            row = await repos.update_character(session, row, name=sheet.name, sheet=sheet.to_data())
            record = CharacterRecord.from_row(row)
            await _announce(session, record)
        self.invalidate(campaign_id)
        return record

    async def delete(self, *, campaign_id: int, actor_id: int, name: str) -> CharacterRecord:
        async with self._database.session_scope() as session:
            row = await _find(session, campaign_id, name)
            _require_owner(row, actor_id, "delete")
            record = CharacterRecord.from_row(row)
            await repos.delete_character(session, row.id)
            await _announce(session, record)
        self.invalidate(campaign_id)
        return record

    async def switch(self, *, campaign_id: int, actor_id: int, name: str) -> CharacterRecord:
        """Make the actor's own character ``name`` their active one (persisted)."""
        async with self._database.session_scope() as session:
            row = await _find(session, campaign_id, name)
            _require_owner(row, actor_id, "switch to")
            await repos.set_active_character(
                session, campaign_id=campaign_id, player_id=actor_id, character_id=row.id
            )
            record = CharacterRecord.from_row(row)
            await _announce(session, record)
        self.invalidate(campaign_id)
        return record

    # Cache ----------------------------------------------------------------

    def invalidate(self, campaign_id: int) -> None:
        """Forget every cached read of one campaign."""
        self._generation[campaign_id] = self._generation.get(campaign_id, 0) + 1
        for key in [key for key in self._cache if key[0] == campaign_id]:
            self._cache.pop(key, None)

    def clear(self) -> None:
        """Forget everything (e.g. when invalidations may have been missed)."""
        # Loads in flight for a campaign never invalidated have no generation yet.
        for campaign_id in {*self._generation, *(key[0] for key in self._inflight)}:
            self._generation[campaign_id] = self._generation.get(campaign_id, 0) + 1
        self._cache.clear()

    async def _cached(self, key: Any, load: Callable[[Any], Awaitable[T]]) -> T:
        value = self._cache.get(key, _MISSING)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        pending = self._inflight.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not pending.cancelled() or (task is not None and task.cancelling()):
                    raise  # this caller was cancelled itself
                # Only the caller that was loading for us was cancelled: load it ourselves.
                return await self._cached(key, load)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        generation = self._generation.get(key[0], 0)
        try:
            value = await load(key)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so a lone loader does not warn
            raise
        finally:
            self._inflight.pop(key, None)
        # A cache of size 0 (ADVENTORATOR_CHARACTER_CACHE_SIZE=0) caches nothing.
        if self._generation.get(key[0], 0) == generation and self._cache.maxsize > 0:
            self._cache[key] = value
        future.set_result(value)
        return value


async def _announce(session: Any, record: CharacterRecord) -> None:
    """Let other instances drop their cached reads of this campaign (on commit)."""
    await repos.notify_character_change(
        session, campaign_id=record.campaign_id, character_id=record.id
    )


async def _find(session: Any, campaign_id: int, name: str) -> Character:
    row = await repos.find_character(session, campaign_id, name)
    if row is None:
        raise NotFoundError(f"no character named {name!r} in this campaign")
    return row


def _require_owner(row: Character, actor_id: int, action: str) -> None:
    if row.owner_id != actor_id:
        raise PermissionDeniedError(
            f"{row.name!r} belongs to another player; you may only {action} your own characters"
        )
