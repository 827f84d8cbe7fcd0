"""Undo of an ``init`` event: the encounter put back as the event's ``before``.

The same guard as a sheet's undo (``PlayStateService.undo``): only while
the encounter still equals the event's ``after``, and the sheet events the
change wrote with it (conditions added or expired) only while each sheet
still holds that event's ``after``. The encounter's version is claimed
first and the undo event carries ``undoes_id`` (unique), so of two undos
at once one wins and the other changes nothing. ``begin`` undone ends the
empty encounter; ``add`` undone takes the combatants out (a monster sheet
it made is deleted unless it changed since); ``remove`` undone puts the
combatant back while its sheet exists; ``end`` is not undone (its monsters'
sheets are gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import ConflictError
from adventorator.services._encounter_reads import load_row
from adventorator.services._encounter_state import EncounterView, snapshot
from adventorator.services.character_records import CharacterRecord
from adventorator.sheet import with_play_state
from adventorator.storage import repos
from adventorator.storage.models import Event

UNDO_KIND = "undo"
EXTRA_KEYS = ("events", "ended")  # recorded with the snapshot, not part of it


@dataclass(frozen=True)
class EncounterUndo:
    """An undone encounter change: the event, what it said, and the encounter before/after."""

    event_id: int
    summary: str
    lines: tuple[str, ...]
    before: dict[str, Any]
    after: dict[str, Any] | None
    transcript_id: int | None


async def undo_init(
    session: AsyncSession, event: Event, actor_id: int, scene_id: int | None
) -> EncounterUndo:
    """Revert ``event`` (an ``init`` event) in the caller's transaction, or refuse."""
    recorded = dict(event.after or {})
    if recorded.get("ended"):
        raise ConflictError(
            "an ended encounter is not reopened (its monsters' sheets are deleted): begin a new one"
        )
    if "combatants" not in recorded:
        raise ConflictError("that encounter change predates undo of encounters: nothing undone")
    row = await repos.get_encounter(session, int(recorded["encounter_id"]))
    if row is None or row.active_scene_id is None:
        raise ConflictError("that encounter has ended: its changes are not undone")
    view = await load_row(session, row)
    if snapshot(view) != {k: v for k, v in recorded.items() if k not in EXTRA_KEYS}:
        raise ConflictError(
            "the encounter changed since: undo the later change first (see history)"
        )
    claimed = await repos.update_encounter(
        session,
        view.id,
        version=view.version,
        round=view.round,
        turn=view.turn,
        effects=list(view.effects),
    )
    if claimed is None:
        raise ConflictError("the encounter changed meanwhile; try again")
    linked = recorded.get("events", [])
    lines = [await _undo_sheet(session, int(i), actor_id, scene_id) for i in linked]
    if event.before is None:  # init begin: the encounter (still empty) goes away
        await repos.update_encounter(
            session, view.id, version=claimed.version, round=0, turn=0, effects=[], end=True
        )
        after = None
    else:
        moved = await _roster_back(session, view, event, lines)
        effects = _effects_back(event.before, moved)
        written = await repos.update_encounter(
            session,
            view.id,
            version=claimed.version,
            round=int(event.before["round"]),
            turn=int(event.before["turn"]),
            effects=effects,
        )
        assert written is not None  # the claim holds the row
        after = snapshot(await load_row(session, written))
    return await _record(session, event, view, after, actor_id, scene_id, tuple(lines))


async def _undo_sheet(
    session: AsyncSession, event_id: int, actor_id: int, scene_id: int | None
) -> str:
    """Put back one sheet event written with the encounter change; its line."""
    event = await repos.get_event(session, event_id)
    row = (
        None
        if event is None or event.character_id is None
        else (await repos.get_character(session, event.character_id))
    )
    if event is None or row is None:
        return "a sheet that change touched is gone: it is not restored"
    before = CharacterRecord.from_row(row)
    if before.sheet.play_state() != event.after or event.before is None:
        raise ConflictError(f"{row.name} changed since: undo the later change first (see history)")
    restored = with_play_state(before.sheet, event.before)
    written = await repos.update_character(
        session, row.id, version=row.version, name=row.name, sheet=restored.to_data(), touch=False
    )
    if written is None:
        raise ConflictError(f"{row.name} changed meanwhile; try again")
    summary = f"undo: {event.summary}"
    await repos.insert_event(
        session,
        campaign_id=row.campaign_id,
        scene_id=scene_id,
        actor_id=actor_id,
        character_id=row.id,
        kind=UNDO_KIND,
        summary=summary,
        before=before.sheet.play_state(),
        after=restored.play_state(),
        undoes_id=event.id,
    )
    await repos.notify_character_change(session, campaign_id=row.campaign_id, character_id=row.id)
    return summary


async def _roster_back(
    session: AsyncSession, view: EncounterView, event: Event, lines: list[str]
) -> dict[int, int]:
    """Combatants as in ``event.before``: added ones out, removed ones back, order restored.

    Returns the new ids of combatants put back, by their old ones.
    """
    assert event.before is not None
    wanted = event.before["combatants"]
    wanted_ids = {int(c["id"]) for c in wanted}
    moved: dict[int, int] = {}
    for combatant in view.combatants:
        if combatant.id in wanted_ids:
            continue
        await repos.delete_combatant(session, combatant.id)
        if not combatant.created_here:
            continue
        if await repos.live_events_since(session, combatant.character_id, event.id):
            lines.append(f"{combatant.name}'s sheet is kept: it changed since it joined")
            continue
        await repos.delete_character(session, combatant.character_id)
        await repos.notify_character_change(
            session, campaign_id=view.campaign_id, character_id=combatant.character_id
        )
    present = {c.id for c in view.combatants}
    for position, combatant in enumerate(wanted):
        columns = {
            "order": position,
            "initiative": combatant["initiative"],
            "modifier": combatant["modifier"],
            "dexterity": combatant["dexterity"],
            "tiebreak": combatant["tiebreak"],
        }
        if int(combatant["id"]) in present:
            await repos.update_combatant(session, int(combatant["id"]), **columns)
            continue
        if await repos.get_character(session, int(combatant["character_id"])) is None:
            raise ConflictError(
                f"{combatant['name']}'s sheet was deleted when it left: add it again with init add"
            )
        row = await repos.insert_combatant(
            session,
            encounter_id=view.id,
            character_id=int(combatant["character_id"]),
            name=combatant["name"],
            monster=bool(combatant["created_here"]),
            **columns,
        )
        if row is None:
            raise ConflictError(f"{combatant['name']} is in the encounter already")
        moved[int(combatant["id"])] = row.id
    return moved


def _effects_back(before: dict[str, Any], moved: dict[int, int]) -> list[dict[str, Any]]:
    """The effects as they were; a combatant put back has a new id, its effects follow it."""
    return [
        {**e, "combatant_id": moved.get(int(e["combatant_id"]), e["combatant_id"])}
        for e in before["effects"]
    ]


async def _record(
    session: AsyncSession,
    event: Event,
    view: EncounterView,
    after: dict[str, Any] | None,
    actor_id: int,
    scene_id: int | None,
    lines: tuple[str, ...],
) -> EncounterUndo:
    summary = f"undo: {event.summary}"
    event_id = await repos.insert_event(
        session,
        campaign_id=view.campaign_id,
        scene_id=scene_id,
        actor_id=actor_id,
        character_id=None,
        kind=UNDO_KIND,
        summary=summary,
        before=snapshot(view),
        after=after,
        undoes_id=event.id,
    )
    transcript_id = None
    if scene_id is not None:
        [transcript_id] = await repos.add_transcript_entries(
            session,
            [
                {
                    "role": "mechanics",
                    "content": "\n".join((summary, *lines)),
                    "meta": {"event_id": event_id},
                }
            ],
            campaign_id=view.campaign_id,
            scene_id=scene_id,
            player_id=actor_id,
        )
    return EncounterUndo(event_id, summary, lines, snapshot(view), after, transcript_id)
