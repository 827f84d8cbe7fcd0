"""The encounter service's reads and its one write path (``apply`` a ``Plan``).

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

from adventorator.errors import NotFoundError, PermissionDeniedError
from adventorator.services._encounter_state import (
    CombatantView,
    EncounterView,
    Expired,
    assign_tiebreaks,
    order_key,
    snapshot,
)
from adventorator.services.character_records import CharacterRecord
from adventorator.sheet import CharacterSheet
from adventorator.storage import repos
from adventorator.storage.models import Combatant, Encounter

if TYPE_CHECKING:
    from adventorator.services.encounters import EncounterChange, InitiativeRoll

INIT_KIND = "init"
CANDIDATES_SHOWN = 10
SheetApply = Callable[[CharacterSheet], tuple[CharacterSheet, str]]


class LostRace(Exception):
    """Another write claimed the encounter (or a sheet) first: plan again."""


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


# --- reads -------------------------------------------------------------------------------


async def load(session: AsyncSession, scene_id: int) -> EncounterView | None:
    row = await repos.active_encounter(session, scene_id)
    return None if row is None else await load_row(session, row)


async def require_active(session: AsyncSession, scene_id: int) -> EncounterView:
    view = await load(session, scene_id)
    if view is None:
        raise NotFoundError("no encounter is running in this scene: begin one with init begin")
    return view


async def load_row(session: AsyncSession, row: Encounter) -> EncounterView:
    combatants = tuple(
        _view(combatant, owner, monster)
        for combatant, owner, monster in await repos.combatant_rows(session, row.id)
    )
    return _row_view(row, combatants)


def _row_view(row: Encounter, combatants: tuple[CombatantView, ...]) -> EncounterView:
    return EncounterView(
        id=row.id,
        campaign_id=row.campaign_id,
        scene_id=row.scene_id,
        round=row.round,
        turn=row.turn,
        combatants=combatants,
        effects=tuple(row.effects or ()),
        version=row.version,
    )


def _view(row: Combatant, owner: int, monster: str | None) -> CombatantView:
    return CombatantView(
        id=row.id,
        name=row.name,
        character_id=row.character_id,
        owner_id=owner,
        monster=monster,
        initiative=row.initiative,
        modifier=row.modifier,
        dexterity=row.dexterity,
        tiebreak=row.tiebreak,
        created_here=row.monster,
    )


async def find_character(session: AsyncSession, campaign_id: int, name: str) -> CharacterRecord:
    rows = await repos.characters_by_prefix(session, campaign_id, name, limit=CANDIDATES_SHOWN)
    if len(rows) == 1:
        return CharacterRecord.from_row(rows[0])
    if rows:
        names = ", ".join(row.name for row in rows)
        raise NotFoundError(f"{name!r} matches several characters ({names}): type more of the name")
    raise NotFoundError(f"no character named {name!r} in this campaign")


async def character_of(session: AsyncSession, combatant: CombatantView) -> CharacterRecord:
    row = await repos.get_character(session, combatant.character_id)
    if row is None:
        raise LostRace()
    return CharacterRecord.from_row(row)


def find_combatant(view: EncounterView, name: str) -> CombatantView:
    """A combatant by exact name or unique prefix, any case."""
    typed = name.strip().casefold()
    exact = [c for c in view.combatants if c.name.casefold() == typed]
    found = exact or [c for c in view.combatants if c.name.casefold().startswith(typed)]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(c.name for c in found)
        raise NotFoundError(f"{name!r} matches several combatants ({names}): type more of the name")
    listed = ", ".join(c.name for c in view.combatants) or "none yet"
    raise NotFoundError(f"no combatant named {name!r} (combatants: {listed})")


async def is_gm(session: AsyncSession, campaign_id: int, actor_id: int) -> bool:
    return await repos.campaign_gm(session, campaign_id) == actor_id


async def require_turn_owner(session: AsyncSession, view: EncounterView, actor_id: int) -> None:
    """Only the acting combatant's owner or the game master moves the turn on."""
    if await is_gm(session, view.campaign_id, actor_id):
        return
    current = view.current
    if current is None:
        if any(c.owner_id == actor_id for c in view.combatants):
            return  # a player in the fight may start round 1
        raise PermissionDeniedError("only the game master or a player in the fight may start it")
    if current.owner_id != actor_id:
        raise PermissionDeniedError(
            f"it is {current.name}'s turn: only its player or the game master may move the turn"
        )


def moved_on(view: EncounterView) -> str:
    current = view.current
    if current is None:
        return "the turn moved on meanwhile: the encounter has not started; see init list"
    return (
        f"the turn moved on meanwhile: it is {current.name}'s turn (round {view.round}); "
        "nothing changed"
    )


async def fallen(session: AsyncSession, view: EncounterView) -> list[str]:
    """The combatants at 0 hit points (dying, stable or dead)."""
    sheets = await repos.character_sheets(session, [c.character_id for c in view.combatants])
    down = []
    for combatant in view.combatants:
        hp = sheets.get(combatant.character_id, {}).get("hp")
        if isinstance(hp, dict) and hp.get("current") == 0:
            down.append(combatant.name)
    return down


def end_summary(view: EncounterView, fallen: Sequence[str]) -> str:
    rounds = f"{view.round} round{'s' if view.round != 1 else ''}"
    who = f"{_joined(fallen)} fell" if fallen else "no one fell"
    return f"The encounter ends after {rounds}: {who}"


def effect_line(effect: dict[str, Any]) -> str:
    rounds = int(effect["rounds"])
    turns = "its next turn" if rounds == 1 else f"its turn {rounds} turns from now"
    return f"{effect['name']} is {effect['condition']} until the {effect['until']} of {turns}"


def numbered(base: str, count: int, taken: set[str]) -> list[str]:
    """``count`` names "Base 1", "Base 2", ... skipping those in ``taken`` (name keys)."""
    names: list[str] = []
    number = 0
    while len(names) < count:
        number += 1
        name = f"{base} {number}"
        if name.casefold() not in taken:
            names.append(name)
    return names


async def create_sheet(
    session: AsyncSession, campaign_id: int, owner_id: int, sheet: CharacterSheet
) -> CharacterRecord:
    row = await repos.insert_character(
        session, campaign_id=campaign_id, owner_id=owner_id, name=sheet.name, sheet=sheet.to_data()
    )
    if row is None:  # another add took the name meanwhile
        raise LostRace()
    await repos.notify_character_change(session, campaign_id=campaign_id, character_id=row.id)
    return CharacterRecord.from_row(row)


def _joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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
    round_, turn = _position(view, plan, combatants)
    removed = {c.id for c in plan.removes}
    effects = [
        e
        for e in (view.effects if plan.effects is None else plan.effects)
        if e["combatant_id"] not in removed
    ]
    for character_id, change in plan.sheet_changes:
        await _change_sheet(session, view, character_id, change, actor_id, "condition")
    for expired in plan.expired:
        lines.append(await _expire(session, view, expired, actor_id))
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
    after = _row_view(written, tuple(combatants))
    return await record(session, view, after, plan.summary, actor_id, tuple(lines))


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
        combatants.append(_view(row, record.owner_id, record.sheet.monster))
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
    kind: str,
) -> str:
    """Write one sheet change (versioned) and its event and transcript line; the line."""
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
        kind=kind,
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
    return summary


async def _expire(
    session: AsyncSession, view: EncounterView, expired: Expired, actor_id: int
) -> str:
    effect = expired.effect
    condition = str(effect["condition"])
    when = "end" if expired.boundary == "end" else "start"

    def lift(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        names = [c.value for c in sheet.conditions if c.value != condition]
        line = f"{sheet.name} is no longer {condition} (its effect ended at the {when} of its turn)"
        return sheet.with_conditions(names, sheet.exhaustion), line

    return await _change_sheet(
        session, view, int(effect["character_id"]), lift, actor_id, "condition"
    )


async def record(
    session: AsyncSession,
    before: EncounterView | None,
    after: EncounterView,
    summary: str,
    actor_id: int,
    lines: tuple[str, ...],
) -> EncounterChange:
    """The ``init`` event and its transcript line, in the change's transaction."""
    from adventorator.services.encounters import EncounterChange

    event_id = await repos.insert_event(
        session,
        campaign_id=after.campaign_id,
        scene_id=after.scene_id,
        actor_id=actor_id,
        character_id=None,
        kind=INIT_KIND,
        summary=summary,
        before=None if before is None else snapshot(before),
        after=snapshot(after),
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
