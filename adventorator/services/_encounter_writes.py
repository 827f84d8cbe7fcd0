"""The encounter service's one write path: ``apply`` a ``Plan``, and ``record`` it.

``apply`` claims the encounter's version first, so nothing is written from
a stale read; every later write in the transaction (combatants, sheets,
events, transcript) is then safe. A lost claim or a lost sheet write raises
``LostRace`` and the transaction rolls back whole.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import InputError
from adventorator.services._encounter_reads import LostRace, combatant_view, row_view
from adventorator.services._encounter_state import (
    CombatantView,
    EncounterView,
    Expired,
    assign_tiebreaks,
    order_key,
    pass_turn,
    snapshot,
)
from adventorator.services.character_records import CharacterRecord
from adventorator.sheet import CharacterSheet
from adventorator.storage import repos

if TYPE_CHECKING:
    from adventorator.services.encounters import EncounterChange, InitiativeRoll

__all__ = ["LostRace", "Plan", "apply", "record", "turn_plan"]

INIT_KIND = "init"
CONDITION_KIND = "condition"  # as condition add/remove record theirs: undoable alike
ENDED = "encounter"  # an Expired boundary: init end ends every effect left
SheetApply = Callable[[CharacterSheet], tuple[CharacterSheet, str]]


@dataclass(frozen=True)
class Plan:
    """What one change does; ``apply`` writes it."""

    summary: str
    lines: tuple[str, ...] = ()  # shown with the summary and put in the transcript
    adds: tuple[tuple[CharacterRecord, InitiativeRoll, bool], ...] = ()
    rolls: tuple[tuple[int, InitiativeRoll], ...] = ()
    removes: tuple[CombatantView, ...] = ()
    round: int | None = None
    turn: int | None = None
    effects: tuple[dict[str, Any], ...] | None = None
    expired: tuple[Expired, ...] = ()
    sheet_changes: tuple[tuple[int, SheetApply], ...] = ()
    end: bool = False


# --- the write ---------------------------------------------------------------------------


async def apply(
    session: AsyncSession,
    view: EncounterView,
    plan: Plan,
    actor_id: int,
    rng: random.Random,
) -> EncounterChange:
    """Claim the encounter, write ``plan`` and record it: one transaction."""
    claimed = await repos.update_encounter(
        session,
        view.id,
        version=view.version,
        round=view.round,
        turn=view.turn,
        effects=list(view.effects),
    )
    if claimed is None:
        raise LostRace()
    combatants, ties = await _roster(session, view, plan, rng)
    lines = [*plan.lines, *ties]
    linked: list[int] = []  # the sheet events of this change: undo reverts them with it
    for character_id, change in plan.sheet_changes:
        line, event_id = await _change_sheet(session, view, character_id, change, actor_id)
        lines.insert(0, line)
        linked.append(event_id)
    round_, turn = _position(view, plan, combatants)
    removed = {c.id for c in plan.removes}
    effects = [
        e
        for e in (view.effects if plan.effects is None else plan.effects)
        if e["combatant_id"] not in removed
    ]
    expired_now = list(plan.expired)
    if plan.end:  # durations are in rounds: the fight's end is when a table expects them gone
        expired_now += [Expired(effect, ENDED) for effect in effects]
        effects = []
    for expired in expired_now:
        line, expiry_id = await _expire(session, view, expired, actor_id)
        lines.append(line)
        if expiry_id is not None:
            linked.append(expiry_id)
    if _backward(view, plan):
        lines.extend(await _not_rewound(session, view))
    written = await repos.update_encounter(
        session,
        view.id,
        version=claimed.version,
        round=round_,
        turn=turn,
        effects=effects,
        end=plan.end,
    )
    assert written is not None  # the claim holds the row
    # Built from what was written: the session's Combatant objects predate the updates.
    after = row_view(written, tuple(combatants))
    return await record(
        session, view, after, plan.summary, actor_id, tuple(lines), linked, ended=plan.end
    )


def _backward(view: EncounterView, plan: Plan) -> bool:
    if plan.round is None or plan.turn is None:
        return False
    return (plan.round, plan.turn) < (view.round, view.turn)


async def _not_rewound(session: AsyncSession, view: EncounterView) -> list[str]:
    """init prev moves the turn only: say so when the turn it reverts ended effects.

    Rewinding durations by hand would guess; ``undo`` of that ``init next``
    restores exactly what it changed, conditions included.
    """
    last = await repos.latest_event(session, view.scene_id, kind=INIT_KIND)
    if last is None or not (last.after or {}).get("events"):
        return []
    running = {e["id"] for e in view.effects}
    ended = [e for e in (last.before or {}).get("effects", []) if e["id"] not in running]
    if not ended:
        return []
    names = ", ".join(f"{e['name']}'s {e['condition']}" for e in ended)
    return [f"not restored by prev: {names} (ended at that turn; undo restores it)"]


async def _roster(
    session: AsyncSession, view: EncounterView, plan: Plan, rng: random.Random
) -> tuple[list[CombatantView], list[str]]:
    """The combatants after the plan, in turn order, written back; the roll-off lines."""
    removed = {c.id for c in plan.removes}
    rolls = dict(plan.rolls)
    combatants = []
    for combatant in view.combatants:
        if combatant.id in removed:
            continue
        rolled = rolls.get(combatant.id)
        if rolled is not None:
            combatant = replace(
                combatant,
                initiative=rolled.total,
                modifier=rolled.modifier,
                dexterity=rolled.dexterity,
            )
        combatants.append(combatant)
    for gone in plan.removes:
        await repos.delete_combatant(session, gone.id)
        if gone.created_here:
            await repos.delete_character(session, gone.character_id)
            await repos.notify_character_change(
                session, campaign_id=view.campaign_id, character_id=gone.character_id
            )
    for record, rolled, created in plan.adds:
        row = await repos.insert_combatant(
            session,
            encounter_id=view.id,
            character_id=record.id,
            name=record.name,
            initiative=rolled.total,
            modifier=rolled.modifier,
            dexterity=rolled.dexterity,
            monster=created,
            roll=rolled.detail,
        )
        if row is None:
            raise LostRace()
        combatants.append(combatant_view(row, record.owner_id, record.sheet.monster))
    with_ties, lines = assign_tiebreaks(combatants, rng)
    ordered = sorted(with_ties, key=order_key)
    before = {c.id: c for c in view.combatants}
    for position, combatant in enumerate(ordered):
        old = before.get(combatant.id)
        if old is None or old != combatant or view.combatants.index(old) != position:
            await repos.update_combatant(
                session,
                combatant.id,
                order=position,
                tiebreak=combatant.tiebreak,
                initiative=combatant.initiative,
                modifier=combatant.modifier,
                dexterity=combatant.dexterity,
            )
    return ordered, lines


def _position(
    view: EncounterView, plan: Plan, combatants: Sequence[CombatantView]
) -> tuple[int, int]:
    """Round and turn after the plan: a turn move, else the same combatant keeps the turn."""
    if plan.round is not None and plan.turn is not None:
        return plan.round, plan.turn
    current = view.current
    if current is None or not combatants:
        return view.round, 0
    ids = [c.id for c in combatants]
    if current.id in ids:
        return view.round, ids.index(current.id)
    # The current combatant left: the turn passes to whoever came after it.
    position = view.combatants.index(current)
    for follower in view.combatants[position + 1 :]:
        if follower.id in ids:
            return view.round, ids.index(follower.id)
    return view.round + 1, 0


async def _change_sheet(
    session: AsyncSession,
    view: EncounterView,
    character_id: int,
    change: SheetApply,
    actor_id: int,
) -> tuple[str, int]:
    """Write one sheet change (versioned) and its event and transcript line; line and id."""
    row = await repos.get_character(session, character_id)
    if row is None:
        raise LostRace()
    before = CharacterRecord.from_row(row)
    sheet, summary = change(before.sheet)
    written = await repos.update_character(
        session, row.id, version=row.version, name=sheet.name, sheet=sheet.to_data(), touch=False
    )
    if written is None:
        raise LostRace()
    after = CharacterRecord.from_row(written)
    event_id = await repos.insert_event(
        session,
        campaign_id=view.campaign_id,
        scene_id=view.scene_id,
        actor_id=actor_id,
        character_id=character_id,
        kind=CONDITION_KIND,
        summary=summary,
        before=before.sheet.play_state(),
        after=after.sheet.play_state(),
    )
    await repos.add_transcript_entries(
        session,
        [{"role": "mechanics", "content": summary, "meta": {"event_id": event_id}}],
        campaign_id=view.campaign_id,
        scene_id=view.scene_id,
        player_id=actor_id,
        character_id=character_id,
    )
    await repos.notify_character_change(
        session, campaign_id=view.campaign_id, character_id=character_id
    )
    return summary, event_id


async def _expire(
    session: AsyncSession, view: EncounterView, expired: Expired, actor_id: int
) -> tuple[str, int | None]:
    """End an effect: its condition leaves the sheet (one event), unless it left already."""
    effect = expired.effect
    condition = str(effect["condition"])
    if expired.boundary == ENDED:
        why = "the encounter ended"
    else:
        why = (
            f"its effect ended at the {'end' if expired.boundary == 'end' else 'start'} of its turn"
        )
    row = await repos.get_character(session, int(effect["character_id"]))
    if row is None or condition not in row.sheet.get("conditions", []):
        return f"{effect['name']}'s {condition} effect ended (it was no longer {condition})", None

    def lift(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        names = [c.value for c in sheet.conditions if c.value != condition]
        line = f"{sheet.name} is no longer {condition} ({why})"
        return sheet.with_conditions(names, sheet.exhaustion), line

    return await _change_sheet(session, view, row.id, lift, actor_id)


async def record(
    session: AsyncSession,
    before: EncounterView | None,
    after: EncounterView,
    summary: str,
    actor_id: int,
    lines: tuple[str, ...],
    linked: Sequence[int] = (),
    *,
    ended: bool = False,
) -> EncounterChange:
    """The ``init`` event and its transcript line, in the change's transaction.

    Its ``after`` is the snapshot, plus ``events`` when it wrote sheet events
    (undone with it) and ``ended`` for ``init end``.
    """
    from adventorator.services.encounters import EncounterChange

    recorded = snapshot(after)
    if linked:
        recorded["events"] = list(linked)
    if ended:
        recorded["ended"] = True
    event_id = await repos.insert_event(
        session,
        campaign_id=after.campaign_id,
        scene_id=after.scene_id,
        actor_id=actor_id,
        character_id=None,
        kind=INIT_KIND,
        summary=summary,
        before=None if before is None else snapshot(before),
        after=recorded,
    )
    content = "\n".join((summary, *lines))
    transcript_ids = await repos.add_transcript_entries(
        session,
        [{"role": "mechanics", "content": content, "meta": {"event_id": event_id}}],
        campaign_id=after.campaign_id,
        scene_id=after.scene_id,
        player_id=actor_id,
    )
    return EncounterChange(before, after, event_id, summary, lines, tuple(transcript_ids))


def turn_plan(view: EncounterView, forward: bool) -> Plan:
    """The round and turn after one step, and the effects that pass the boundary."""
    if not view.combatants:
        raise InputError("the encounter has no combatants yet: add some first")
    unrolled = [c.name for c in view.combatants if c.initiative is None]
    if unrolled:
        raise InputError(f"{', '.join(unrolled)} has no initiative yet: roll it first")
    count = len(view.combatants)
    current = view.current
    if forward:
        if not view.started:
            round_, turn = 1, 0
        else:
            turn = (view.turn + 1) % count
            round_ = view.round + (1 if turn == 0 else 0)
        starting = view.combatants[turn]
        effects, expired = pass_turn(
            view.effects, None if current is None else current.id, starting.id
        )
        summary = f"Round {round_}: {starting.name}'s turn"
        return Plan(
            round=round_, turn=turn, effects=tuple(effects), expired=tuple(expired), summary=summary
        )
    if not view.started or (view.round == 1 and view.turn == 0):
        raise InputError("this is the first turn: there is no turn before it")
    turn = (view.turn - 1) % count
    round_ = view.round - (1 if view.turn == 0 else 0)
    back = view.combatants[turn]
    return Plan(round=round_, turn=turn, summary=f"Back to round {round_}: {back.name}'s turn")
