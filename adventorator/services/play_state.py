"""PlayStateService: every change to play state is one recorded event, and can be undone.

A change (damage, healing, a condition, a death save) finds the character by
a unique case-insensitive prefix, checks that the actor owns it or is the
campaign's game master, applies a pure function to its sheet, and in ONE
transaction writes the sheet with the versioned update, inserts the event
(before and after: ``CharacterSheet.play_state()``), adds a ``mechanics``
transcript line and sends the cache NOTIFY. A write that lost a race reloads
and applies the function again, so two players damaging one character at
once both count. ``undo`` restores an event's ``before`` only while the
character still holds its ``after``, and records that as a new event.

The game master is ``campaigns.gm_player_id``: the first player resolved in
the campaign (``IdentityService.resolve``), handed on with ``set_gm``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import ConflictError, NotFoundError, PermissionDeniedError
from adventorator.services._encounter_undo import EncounterUndo, undo_init
from adventorator.services._retry import WRITE_ATTEMPTS, back_off, busy
from adventorator.services.character_records import CharacterRecord
from adventorator.services.characters import CharacterService, find_named
from adventorator.sheet import CharacterSheet, with_play_state
from adventorator.storage import repos
from adventorator.storage.database import Database
from adventorator.storage.models import Character, Event

__all__ = [
    "GM_KIND",
    "UNDO_KIND",
    "Apply",
    "EncounterUndo",
    "EventRecord",
    "PlayChange",
    "PlayStateService",
]

Apply = Callable[[CharacterSheet], tuple[CharacterSheet, str]]
UNDO_KIND = "undo"
GM_KIND = "gm"
INIT_KIND = "init"  # encounter changes: undone by _encounter_undo


@dataclass(frozen=True)
class PlayChange:
    """One recorded change: the character before and after, the event and its line."""

    record_before: CharacterRecord
    record_after: CharacterRecord
    event_id: int
    summary: str
    transcript_id: int | None = None


@dataclass(frozen=True)
class EventRecord:
    """A recorded event as ``history`` shows it, detached from any session."""

    id: int
    kind: str
    summary: str
    actor_id: int | None
    actor_name: str | None
    character_id: int | None
    character_name: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undoes_id: int | None
    undone_by: int | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "summary": self.summary,
            "actor": self.actor_name,
            "character": self.character_name,
            "before": self.before,
            "after": self.after,
            "undoes": self.undoes_id,
            "undone_by": self.undone_by,
            "created_at": self.created_at.isoformat(),
        }


class PlayStateService:
    """Recorded, permission-checked, concurrent-safe changes to characters' play state."""

    def __init__(self, database: Database, characters: CharacterService) -> None:
        self._database = database
        self._characters = characters

    async def find(self, campaign_id: int | None, name: str) -> CharacterRecord:
        """A character by exact name or unique case-insensitive prefix (anyone may look)."""
        return await self._characters.get_by_name(campaign_id, name)

    async def change(
        self,
        *,
        campaign_id: int,
        scene_id: int | None,
        actor_id: int,
        name: str,
        kind: str,
        apply: Apply,
        any_owner: bool = False,
        as_gm: bool = False,
    ) -> PlayChange:
        """Apply ``apply`` to the character ``name`` (a prefix) and record it as one event.

        ``apply`` is pure and may run more than once (a lost race re-applies it
        to the newer sheet); it returns the new sheet and a one-line summary.
        The actor must own the character or be the game master, unless
        ``any_owner``: an attack's damage lands on whoever it hits (the caller
        checked the actor may act as the attacker, with ``require_may_act``).
        ``as_gm``: the client vouches the actor is a game master (Discord's
        Manage Server permission or a configured role).
        """
        for attempt in range(WRITE_ATTEMPTS):
            async with self._database.session_scope() as session:
                row = await find_named(session, campaign_id, name)
                if not any_owner:
                    await _require_may_change(session, row, actor_id, as_gm=as_gm)
                before = CharacterRecord.from_row(row)
                sheet, summary = apply(before.sheet)
                written = await _write(session, row, sheet)
                if written is not None:
                    change = await _record(
                        session, before, written, summary, kind, actor_id, scene_id
                    )
                    break
            await back_off(attempt)
        else:
            raise busy(name)
        self._characters.invalidate(campaign_id)
        return change

    async def require_may_act(
        self, record: CharacterRecord, actor_id: int | None, *, as_gm: bool = False
    ) -> None:
        """PermissionDeniedError unless the actor owns ``record`` or is a game master."""
        async with self._database.session_scope() as session:
            row = await repos.get_character(session, record.id)
            if row is None:
                raise NotFoundError(f"no character named {record.name!r} in this campaign")
            await _require_may_change(session, row, actor_id, as_gm=as_gm)

    async def undo(
        self, *, campaign_id: int, scene_id: int | None, actor_id: int, as_gm: bool = False
    ) -> PlayChange | EncounterUndo:
        """Revert the actor's last change not undone yet (the game master: anyone's).

        An encounter change (``init``) puts the encounter back (``_encounter_undo``).
        ConflictError when the character or encounter changed since: the later
        change must be undone first.
        """
        for attempt in range(WRITE_ATTEMPTS):
            try:
                async with self._database.session_scope() as session:
                    event = await _undoable(session, campaign_id, actor_id, as_gm=as_gm)
                    if event.kind == INIT_KIND:
                        undone = await undo_init(session, event, actor_id, scene_id)
                        self._characters.invalidate(campaign_id)
                        return undone
                    change = await _undo_sheet(session, event, actor_id, scene_id)
                    if change is not None:
                        break
            except IntegrityError:  # another undo of the same event won
                raise ConflictError("that change was undone already; see history") from None
            await back_off(attempt)
        else:
            raise ConflictError("the character changed too often while undoing; try again")
        self._characters.invalidate(campaign_id)
        return change

    async def history(self, campaign_id: int | None, *, limit: int) -> list[EventRecord]:
        """The campaign's events, newest first."""
        if campaign_id is None:
            return []
        async with self._database.session_scope() as session:
            rows = await repos.recent_events(session, campaign_id, limit=limit)
        return [_event_record(row) for row in rows]

    async def gm(self, campaign_id: int | None) -> tuple[int, str] | None:
        """The game master's player id and display name, if the campaign has one."""
        if campaign_id is None:
            return None
        async with self._database.session_scope() as session:
            gm = await repos.campaign_gm(session, campaign_id)
            player = None if gm is None else await repos.get_player(session, gm)
            return None if player is None else (player.id, player.display_name)

    async def set_gm(
        self, *, campaign_id: int, scene_id: int | None, actor_id: int, player_key: str
    ) -> str:
        """Hand the game master role to the player ``player_key`` ("cli:bob"); their name.

        Only the current game master may (anyone, while the campaign has none).
        """
        async with self._database.session_scope() as session:
            gm = await repos.campaign_gm(session, campaign_id)
            if gm is not None and gm != actor_id:
                raise PermissionDeniedError("only the game master may hand the role on")
            player = await repos.find_player(session, player_key)
            if player is None:
                who = player_key.partition(":")[2] or player_key
                raise NotFoundError(f"no player {who!r} yet: they must use adv once first")
            if gm is None:
                await repos.claim_default_gm(session, campaign_id, player.id)
            elif not await repos.hand_gm_on(
                session, campaign_id, from_player=actor_id, to_player=player.id
            ):
                raise ConflictError("the game master changed meanwhile; try again")
            await repos.insert_event(
                session,
                campaign_id=campaign_id,
                scene_id=scene_id,
                actor_id=actor_id,
                character_id=None,
                kind=GM_KIND,
                summary=f"{player.display_name} is now the game master",
                before={"gm": gm},
                after={"gm": player.id},
            )
            return player.display_name


async def _require_may_change(
    session: AsyncSession, row: Character, actor_id: int | None, *, as_gm: bool = False
) -> None:
    if row.owner_id == actor_id or as_gm:
        return
    if await repos.campaign_gm(session, row.campaign_id) == actor_id:
        return
    raise PermissionDeniedError(
        f"{row.name!r} belongs to another player; you may only change your own characters "
        "(the game master may change anyone's)"
    )


async def _undoable(
    session: AsyncSession, campaign_id: int, actor_id: int, *, as_gm: bool = False
) -> Event:
    """The event undo would revert: the newest of the actor's (a game master: anyone's)."""
    is_gm = as_gm or await repos.campaign_gm(session, campaign_id) == actor_id
    event = await repos.last_undoable_event(
        session, campaign_id, actor_id=None if is_gm else actor_id
    )
    if event is None:
        whose = "in this campaign" if is_gm else "of yours"
        raise NotFoundError(f"nothing to undo: no change {whose} is left to undo")
    return event


async def _undo_sheet(
    session: AsyncSession, event: Event, actor_id: int, scene_id: int | None
) -> PlayChange | None:
    """Put a sheet event's ``before`` back while the sheet holds its ``after``; None: lost race."""
    row = (
        None
        if event.character_id is None
        else await repos.get_character(session, event.character_id)
    )
    if row is None:
        raise NotFoundError("the character of the last change was deleted: nothing to undo")
    before = CharacterRecord.from_row(row)
    if before.sheet.play_state() != event.after:
        raise ConflictError(f"{row.name} changed since: undo the later change first (see history)")
    written = await _write(session, row, _restore(before.sheet, event.before))
    if written is None:
        return None
    return await _record(
        session,
        before,
        written,
        f"undo: {event.summary}",
        UNDO_KIND,
        actor_id,
        scene_id,
        undoes_id=event.id,
    )


def _restore(sheet: CharacterSheet, state: dict[str, Any] | None) -> CharacterSheet:
    if state is None:
        raise ConflictError("that change recorded no state to restore")
    return with_play_state(sheet, state)


async def _write(session: AsyncSession, row: Character, sheet: CharacterSheet) -> Character | None:
    return await repos.update_character(
        session, row.id, version=row.version, name=sheet.name, sheet=sheet.to_data(), touch=False
    )


async def _record(
    session: AsyncSession,
    before: CharacterRecord,
    written: Character,
    summary: str,
    kind: str,
    actor_id: int,
    scene_id: int | None,
    *,
    undoes_id: int | None = None,
) -> PlayChange:
    """The event, its transcript line and the cache NOTIFY, in the change's transaction."""
    after = CharacterRecord.from_row(written)
    event_id = await repos.insert_event(
        session,
        campaign_id=after.campaign_id,
        scene_id=scene_id,
        actor_id=actor_id,
        character_id=after.id,
        kind=kind,
        summary=summary,
        before=before.sheet.play_state(),
        after=after.sheet.play_state(),
        undoes_id=undoes_id,
    )
    transcript_id = None
    if scene_id is not None:
        [transcript_id] = await repos.add_transcript_entries(
            session,
            [{"role": "mechanics", "content": summary, "meta": {"event_id": event_id}}],
            campaign_id=after.campaign_id,
            scene_id=scene_id,
            player_id=actor_id,
            character_id=after.id,
        )
    await repos.notify_character_change(
        session, campaign_id=after.campaign_id, character_id=after.id
    )
    return PlayChange(before, after, event_id, summary, transcript_id)


def _event_record(row: Any) -> EventRecord:
    event: Event = row[0]
    return EventRecord(
        id=event.id,
        kind=event.kind,
        summary=event.summary,
        actor_id=event.actor_id,
        actor_name=row.actor_name,
        character_id=event.character_id,
        character_name=row.character_name,
        before=event.before,
        after=event.after,
        undoes_id=event.undoes_id,
        undone_by=row.undone_by,
        created_at=event.created_at,
    )
