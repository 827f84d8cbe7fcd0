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
3. else the player's most recently updated character there
   (never a monster's sheet that ``init add`` made for the game master).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from adventorator.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from adventorator.limits import (
    NAME_AUTOCOMPLETE_RESULTS,
    SHEETS_PER_CAMPAIGN,
    SHEETS_PER_PLAYER,
)
from adventorator.services._read_cache import ReadCache
from adventorator.services._retry import WRITE_ATTEMPTS, back_off, busy
from adventorator.services.character_records import (
    CharacterRecord,
    CharacterSummary,
    summary_from_row,
)
from adventorator.sheet import CharacterSheet
from adventorator.storage import repos
from adventorator.storage.database import Database
from adventorator.storage.models import Character
from adventorator.text import name_key

__all__ = [
    "CANDIDATES_SHOWN",
    "CharacterRecord",
    "CharacterService",
    "CharacterSummary",
    "find_named",
]

CANDIDATES_SHOWN = 10  # names listed when a typed name is unknown or ambiguous


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
        self._reads: ReadCache[int] = ReadCache(cache_size, ttl, timer=timer)
        self._cached = self._reads.get

    # Reads ----------------------------------------------------------------

    async def get_active_character_for_user(
        self, user_id: int | None, campaign_id: int | None
    ) -> CharacterRecord | None:
        """The player's active character in the campaign (see the module doc).

        None ids (a player or campaign with no row yet) have no character.
        """
        if user_id is None or campaign_id is None:
            return None
        return await self._cached((campaign_id, "active", user_id), self._load_active)

    async def active_character_id(self, user_id: int | None, campaign_id: int | None) -> int | None:
        """The id of the player's active character, without loading its sheet (for lists)."""
        if user_id is None or campaign_id is None:
            return None
        async with self._database.session_scope() as session:
            selected = await repos.get_active_character_id(
                session, campaign_id=campaign_id, player_id=user_id
            )
            if selected is not None:
                return selected
            row = await repos.default_character(session, campaign_id, user_id)
            return None if row is None else row.id

    async def get_by_name(self, campaign_id: int | None, name: str) -> CharacterRecord:
        """The character ``name`` names: exactly, else by unique prefix (any case).

        Anyone may view it. NotFoundError lists the candidates when the name is
        unknown or ambiguous (see ``find_named``).
        """
        if campaign_id is None:
            raise NotFoundError(f"no character named {name!r} in this campaign")
        key = (campaign_id, "name", name_key(name))
        found: CharacterRecord | str = await self._cached(
            key, lambda _: self._load_by_name(key, name)
        )
        if isinstance(found, str):
            raise NotFoundError(found)
        return found

    async def get_by_id(self, campaign_id: int, character_id: int) -> CharacterRecord:
        """A character of the campaign by id."""
        record: CharacterRecord | None = await self._cached(
            (campaign_id, "id", character_id), self._load_by_id
        )
        if record is None:
            raise NotFoundError(f"no character with id {character_id} in this campaign")
        return record

    async def own_character(
        self, *, campaign_id: int | None, actor_id: int | None, name: str, action: str = "act as"
    ) -> CharacterRecord:
        """The actor's own character ``name``, to ``action``; PermissionDeniedError if not."""
        record = await self.get_by_name(campaign_id, name)
        if record.owner_id != actor_id:
            raise PermissionDeniedError(_not_yours(record.name, action))
        return record

    async def summaries(self, campaign_id: int | None) -> list[CharacterSummary]:
        """The campaign's characters, most recently updated first (bounded by the limits)."""
        if campaign_id is None:
            return []
        async with self._database.session_scope() as session:
            rows = await repos.character_summaries(session, campaign_id)
        return [summary_from_row(row) for row in rows]

    async def names(
        self, campaign_id: int | None, typed: str, *, limit: int = NAME_AUTOCOMPLETE_RESULTS
    ) -> list[str]:
        """Names for autocomplete: those starting with ``typed``, then those containing it.

        One bounded query of names only, cached like every read.
        """
        if campaign_id is None:
            return []
        key = (campaign_id, "names", name_key(typed), limit)
        return await self._cached(key, self._load_names)

    async def _load_names(self, key: tuple[int, str, str, int]) -> list[str]:
        campaign_id, _, typed, limit = key
        async with self._database.session_scope() as session:
            return await repos.character_names(session, campaign_id, typed=typed, limit=limit)

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
                row = await repos.default_character(session, campaign_id, player_id)
            return None if row is None else CharacterRecord.from_row(row)

    async def _load_by_id(self, key: tuple[int, str, int]) -> CharacterRecord | None:
        campaign_id, _, character_id = key
        async with self._database.session_scope() as session:
            row = await repos.get_character(session, character_id)
            if row is None or row.campaign_id != campaign_id:
                return None
            return CharacterRecord.from_row(row)

    async def _load_by_name(self, key: tuple[int, str, str], name: str) -> CharacterRecord | str:
        """The record, or why there is none: a miss is cached like a hit (until a write)."""
        campaign_id = key[0]  # ``name`` as typed: the error quotes it
        async with self._database.session_scope() as session:
            try:
                return CharacterRecord.from_row(await find_named(session, campaign_id, name))
            except NotFoundError as error:
                return error.message

    # Writes ---------------------------------------------------------------
    #
    # Each write is atomic against every other instance: inserts are one
    # INSERT ... ON CONFLICT statement, and a read-modify-write names the
    # version it read, so when another write got in between it reloads and
    # applies its change again (up to WRITE_ATTEMPTS times) instead of
    # overwriting that write.

    async def create(
        self, *, campaign_id: int, owner_id: int, sheet: CharacterSheet, replace: bool = False
    ) -> CharacterRecord:
        """Store a new sheet; with ``replace``, overwrite the owner's sheet of that name."""
        document = sheet.to_data()
        for attempt in range(WRITE_ATTEMPTS):
            async with self._database.session_scope() as session:
                row = await repos.find_character(session, campaign_id, sheet.name)
                if row is None:
                    await _check_room(session, campaign_id, owner_id)
                    row = await repos.insert_character(
                        session,
                        campaign_id=campaign_id,
                        owner_id=owner_id,
                        name=sheet.name,
                        sheet=document,
                    )
                elif not replace:
                    raise ConflictError(
                        f"a character named {sheet.name!r} already exists in this campaign"
                    )
                else:
                    _require_owner(row, owner_id, "replace")
                    row = await repos.update_character(
                        session, row.id, version=row.version, name=sheet.name, sheet=document
                    )
                if row is not None:
                    record = CharacterRecord.from_row(row)
                    await _announce(session, record)
                    break
            await back_off(attempt)  # lost a race (insert or update): look again
        else:
            raise busy(sheet.name)
        self.invalidate(campaign_id)
        return record

    async def update(
        self,
        *,
        campaign_id: int,
        actor_id: int,
        name: str,
        change: Callable[[dict[str, Any]], CharacterSheet],
    ) -> CharacterRecord:
        """Apply ``change`` to the stored document of the actor's sheet ``name`` and store it.

        ``change`` gets the stored JSON (so a patch can repair a sheet that no
        longer validates) and may be called again if another write lands first.
        """
        for attempt in range(WRITE_ATTEMPTS):
            async with self._database.session_scope() as session:
                row = await find_named(session, campaign_id, name)
                _require_owner(row, actor_id, "update")
                sheet = change(dict(row.sheet))
                updated = await repos.update_character(
                    session, row.id, version=row.version, name=sheet.name, sheet=sheet.to_data()
                )
                if updated is not None:
                    record = CharacterRecord.from_row(updated)
                    await _announce(session, record)
                    break
            await back_off(attempt)
        else:
            raise busy(name)
        self.invalidate(campaign_id)
        return record

    async def delete(self, *, campaign_id: int, actor_id: int, name: str) -> CharacterRecord:
        async with self._database.session_scope() as session:
            row = await find_named(session, campaign_id, name)
            _require_owner(row, actor_id, "delete")
            record = CharacterRecord.from_row(row)
            if not await repos.delete_character(session, row.id):
                raise NotFoundError(f"no character named {name!r} in this campaign")
            await _announce(session, record)
        self.invalidate(campaign_id)
        return record

    async def switch(self, *, campaign_id: int, actor_id: int, name: str) -> CharacterRecord:
        """Make the actor's own character ``name`` their active one (persisted)."""
        try:
            async with self._database.session_scope() as session:
                row = await find_named(session, campaign_id, name)
                _require_owner(row, actor_id, "switch to")
                await repos.set_active_character(
                    session, campaign_id=campaign_id, player_id=actor_id, character_id=row.id
                )
                record = CharacterRecord.from_row(row)
                await _announce(session, record)
        except IntegrityError:  # deleted by its owner between the find and the upsert
            raise NotFoundError(f"no character named {name!r} in this campaign") from None
        self.invalidate(campaign_id)
        return record

    # Cache ----------------------------------------------------------------

    def invalidate(self, campaign_id: int) -> None:
        """Forget every cached read of one campaign."""
        self._reads.invalidate(campaign_id)

    def clear(self) -> None:
        """Forget everything (e.g. when invalidations may have been missed)."""
        self._reads.clear()


async def _check_room(session: Any, campaign_id: int, owner_id: int) -> None:
    """Refuse a new character past the per-player or per-campaign limit."""
    in_campaign, owned = await repos.count_campaign_and_owner(session, campaign_id, owner_id)
    if owned >= SHEETS_PER_PLAYER:
        raise InputError(
            f"you have {owned} characters in this campaign, the limit "
            f"({SHEETS_PER_PLAYER}); delete one first"
        )
    if in_campaign >= SHEETS_PER_CAMPAIGN:
        raise InputError(
            f"this campaign has {in_campaign} characters, the limit ({SHEETS_PER_CAMPAIGN})"
        )


async def _announce(session: Any, record: CharacterRecord) -> None:
    """Let other instances drop their cached reads of this campaign (on commit)."""
    await repos.notify_character_change(
        session, campaign_id=record.campaign_id, character_id=record.id
    )


async def find_named(session: Any, campaign_id: int, name: str) -> Character:
    """The one character a typed name means: its exact name (any case), else a unique prefix.

    The one look-up of every command that takes a character name (sheets,
    ``character switch``, play changes, attacks). Unknown or ambiguous: a
    NotFoundError that lists the candidates.
    """
    rows = await repos.characters_by_prefix(session, campaign_id, name, limit=CANDIDATES_SHOWN)
    if len(rows) == 1:
        return rows[0]
    if rows:
        names = ", ".join(row.name for row in rows)
        raise NotFoundError(f"{name!r} matches several characters ({names}): type more of the name")
    known = await repos.character_names(session, campaign_id, typed="", limit=CANDIDATES_SHOWN)
    listed = f" (characters: {', '.join(known)})" if known else " (it has no characters yet)"
    raise NotFoundError(f"no character named {name!r} in this campaign{listed}")


def _require_owner(row: Character, actor_id: int, action: str) -> None:
    if row.owner_id != actor_id:
        raise PermissionDeniedError(_not_yours(row.name, action))


def _not_yours(name: str, action: str) -> str:
    """The one wording of every refusal to touch another player's character."""
    return f"{name!r} belongs to another player; you may only {action} your own characters"
