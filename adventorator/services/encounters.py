"""EncounterService: initiative and turns, one active encounter per scene, every change recorded.

A write reads the scene's active encounter and its combatants, computes the
change, then claims the encounter with the versioned update (``repos.
update_encounter``) before writing anything else, and records one ``init``
event (before/after: ``snapshot``) with a ``mechanics`` transcript line in
the same transaction. A claim that lost the race retries from a fresh read,
except ``next`` and ``prev``: a press that read turn T advances from T or not
at all, so two presses at once advance once and the later one is told whose
turn it is now (ConflictError). Effects that expire at the turn boundary are
removed from the sheets in that transaction, one ``condition`` event each;
``init end`` ends every effect left the same way. ``adv undo`` reverts an
``init`` event (``_encounter_undo``).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import ConflictError, InputError, PermissionDeniedError
from adventorator.services import _encounter_reads as reads
from adventorator.services import _encounter_writes as writes
from adventorator.services._encounter_reads import LostRace
from adventorator.services._encounter_state import CombatantView, EncounterView
from adventorator.services._encounter_writes import Plan
from adventorator.services._retry import WRITE_ATTEMPTS, back_off
from adventorator.services.characters import CharacterService
from adventorator.sheet import CharacterSheet
from adventorator.storage import repos
from adventorator.storage.database import Database

__all__ = [
    "CombatantView",
    "EncounterChange",
    "EncounterService",
    "EncounterView",
    "InitiativeRoll",
    "Roller",
]

MONSTERS_MAX = 20


@dataclass(frozen=True)
class InitiativeRoll:
    """A combatant's initiative: the total (None: not rolled yet) and what it came from."""

    total: int | None
    modifier: int
    dexterity: int
    text: str = ""
    detail: dict[str, Any] | None = None


Roller = Callable[[CharacterSheet], InitiativeRoll]


@dataclass(frozen=True)
class EncounterChange:
    """One recorded change: the encounter before and after, the event, the lines shown."""

    before: EncounterView | None
    after: EncounterView
    event_id: int
    summary: str
    lines: tuple[str, ...] = ()
    transcript_ids: tuple[int, ...] = ()


class EncounterService:
    """Encounters in scenes: begin, add, roll, next, prev, remove, end."""

    def __init__(self, database: Database, characters: CharacterService) -> None:
        self._database = database
        self._characters = characters

    async def active(self, campaign_id: int | None, scene_id: int | None) -> EncounterView | None:
        """The scene's running encounter, or None."""
        if campaign_id is None or scene_id is None:
            return None
        async with self._database.session_scope() as session:
            return await reads.load(session, scene_id)

    async def begin(self, *, campaign_id: int, scene_id: int, actor_id: int) -> EncounterChange:
        """Start an encounter in the scene (ConflictError if one is running)."""
        async with self._database.session_scope() as session:
            row = await repos.insert_encounter(session, campaign_id=campaign_id, scene_id=scene_id)
            if row is None:
                raise ConflictError(
                    "an encounter is already running in this scene: add to it, or end it first"
                )
            view = await reads.load_row(session, row)
            summary = "An encounter begins: add combatants, then next for round 1"
            return await writes.record(session, None, view, summary, actor_id, ())

    async def add_character(
        self,
        *,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        name: str,
        roller: Roller,
        rng: random.Random | None = None,
        as_gm: bool = False,
    ) -> EncounterChange:
        """Add a character (a unique prefix) with the initiative ``roller`` gives it."""

        async def plan(session: AsyncSession, view: EncounterView) -> Plan:
            record = await reads.find_character(session, campaign_id, name)
            mine = as_gm or record.owner_id == actor_id
            if not mine and not await reads.is_gm(session, campaign_id, actor_id):
                raise PermissionDeniedError(
                    f"{record.name!r} belongs to another player; the game master may add it"
                )
            if any(c.character_id == record.id for c in view.combatants):
                raise ConflictError(f"{record.name} is in the encounter already")
            rolled = roller(record.sheet)
            return Plan(
                adds=((record, rolled, False),),
                summary=_joined([(record.name, rolled)], "joins", "join"),
                lines=_roll_lines([(record.name, rolled)]),
            )

        return await self._write(campaign_id, scene_id, actor_id, plan, rng=rng)

    async def add_monsters(
        self,
        *,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        base_name: str,
        count: int,
        make_sheet: Callable[[str], CharacterSheet],
        roller: Roller,
        rng: random.Random | None = None,
    ) -> EncounterChange:
        """Create ``count`` numbered sheets ("Goblin 1", ...) owned by the actor and add them."""
        if not 1 <= count <= MONSTERS_MAX:
            raise InputError(f"-n must be 1-{MONSTERS_MAX}, got {count}")

        async def plan(session: AsyncSession, view: EncounterView) -> Plan:
            taken = await repos.character_keys_like(session, campaign_id, f"{base_name} ")
            names = reads.numbered(base_name, count, taken)
            adds = []
            for name in names:
                record = await reads.create_sheet(session, campaign_id, actor_id, make_sheet(name))
                adds.append((record, roller(record.sheet), True))
            named = [(record.name, rolled) for record, rolled, _ in adds]
            return Plan(
                adds=tuple(adds),
                summary=_joined(named, "joins", "join"),
                lines=_roll_lines(named),
            )

        return await self._write(
            campaign_id, scene_id, actor_id, plan, rng=rng, sheets_changed=True
        )

    async def roll(
        self,
        *,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        roller: Roller,
        rng: random.Random | None = None,
    ) -> EncounterChange:
        """Roll initiative for every combatant without one."""

        async def plan(session: AsyncSession, view: EncounterView) -> Plan:
            missing = [c for c in view.combatants if c.initiative is None]
            if not missing:
                raise InputError("every combatant has an initiative already")
            rolls = []
            for combatant in missing:
                record = await reads.character_of(session, combatant)
                rolls.append((combatant.id, roller(record.sheet), combatant.name))
            named = [(name, rolled) for _, rolled, name in rolls]
            return Plan(
                rolls=tuple((cid, rolled) for cid, rolled, _ in rolls),
                summary=_joined(named, "rolls", "roll"),
                lines=_roll_lines(named),
            )

        return await self._write(campaign_id, scene_id, actor_id, plan, rng=rng)

    async def next(
        self,
        *,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        expected: str | None = None,
        as_gm: bool = False,
    ) -> EncounterChange:
        """End the current turn and start the next one (round 0: start round 1).

        ``expected`` names the combatant whose turn the caller means to end: a
        press made on a stale tracker then changes nothing (ConflictError).
        ``as_gm``: the client vouches the actor is a game master (Discord roles).
        """
        return await self._turn(campaign_id, scene_id, actor_id, expected, as_gm, forward=True)

    async def prev(
        self,
        *,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        expected: str | None = None,
        as_gm: bool = False,
    ) -> EncounterChange:
        """Go back one turn; effects that ended stay ended (undo of the next restores them)."""
        return await self._turn(campaign_id, scene_id, actor_id, expected, as_gm, forward=False)

    async def remove(
        self, *, campaign_id: int, scene_id: int, actor_id: int, name: str, as_gm: bool = False
    ) -> EncounterChange:
        """Take a combatant out; a monster made by init add has its sheet deleted."""

        async def plan(session: AsyncSession, view: EncounterView) -> Plan:
            combatant = reads.find_combatant(view, name)
            mine = as_gm or combatant.owner_id == actor_id
            if not mine and not await reads.is_gm(session, campaign_id, actor_id):
                raise PermissionDeniedError(
                    f"{combatant.name!r} belongs to another player; the game master may remove it"
                )
            return Plan(removes=(combatant,), summary=f"{combatant.name} leaves the encounter")

        return await self._write(campaign_id, scene_id, actor_id, plan, sheets_changed=True)

    async def end(
        self, *, campaign_id: int, scene_id: int, actor_id: int, as_gm: bool = False
    ) -> EncounterChange:
        """End the encounter (the game master, or anyone while it has no game master).

        Effects still pending end with it, their conditions lifted as condition events.
        """

        async def plan(session: AsyncSession, view: EncounterView) -> Plan:
            gm = await repos.campaign_gm(session, campaign_id)
            if gm is not None and gm != actor_id and not as_gm:
                raise PermissionDeniedError("only the game master may end the encounter")
            fallen = await reads.fallen(session, view)
            summary = reads.end_summary(view, fallen)
            created = tuple(c for c in view.combatants if c.created_here)
            return Plan(removes=created, summary=summary, end=True)

        return await self._write(campaign_id, scene_id, actor_id, plan, sheets_changed=True)

    async def add_effect(
        self,
        *,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        name: str,
        effect: dict[str, Any],
        apply: Callable[[CharacterSheet], tuple[CharacterSheet, str]],
        as_gm: bool = False,
    ) -> EncounterChange:
        """Change a combatant's sheet with ``apply`` and record ``effect`` with a duration.

        ``effect`` holds ``condition``, ``rounds`` and ``until`` ("end" or
        "start"). The sheet's event and the encounter's are in one transaction.
        """

        async def plan(session: AsyncSession, view: EncounterView) -> Plan:
            record = await reads.find_character(session, campaign_id, name)
            combatant = next((c for c in view.combatants if c.character_id == record.id), None)
            if combatant is None:
                raise InputError(f"{record.name} is not in the encounter: --rounds needs it there")
            mine = as_gm or record.owner_id == actor_id
            if not mine and not await reads.is_gm(session, campaign_id, actor_id):
                raise PermissionDeniedError(
                    f"{record.name!r} belongs to another player; you may only change your own "
                    "characters (the game master may change anyone's)"
                )
            current = view.current
            own_turn = current is not None and current.id == combatant.id
            stored = {
                **effect,
                "id": 1 + max((int(e["id"]) for e in view.effects), default=0),
                "combatant_id": combatant.id,
                "character_id": record.id,
                "name": combatant.name,
                "remaining": int(effect["rounds"]),
                "skip": own_turn and effect["until"] == "end",
            }
            return Plan(
                effects=(*view.effects, stored),
                sheet_changes=((record.id, apply),),
                summary=reads.effect_line(stored),
            )

        return await self._write(campaign_id, scene_id, actor_id, plan, sheets_changed=True)

    # --- the write loop ------------------------------------------------------------------

    async def _write(
        self,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        plan: Callable[[AsyncSession, EncounterView], Awaitable[Plan]],
        *,
        rng: random.Random | None = None,
        sheets_changed: bool = False,
    ) -> EncounterChange:
        """Read, plan, claim, apply; a lost claim plans again from a fresh read.

        ``sheets_changed``: the plan changes or creates sheets, so the campaign's cached
        characters are dropped once it is saved.
        """
        for attempt in range(WRITE_ATTEMPTS):
            try:
                async with self._database.session_scope() as session:
                    view = await reads.require_active(session, scene_id)
                    planned = await plan(session, view)
                    change = await writes.apply(session, view, planned, actor_id, rng or _RNG)
            except LostRace:
                await back_off(attempt)
                continue
            if sheets_changed:
                self._characters.invalidate(campaign_id)
            return change
        raise ConflictError("the encounter changed too often while saving this; try again")

    async def _turn(
        self,
        campaign_id: int,
        scene_id: int,
        actor_id: int,
        expected: str | None,
        as_gm: bool,
        *,
        forward: bool,
    ) -> EncounterChange:
        seen: tuple[int, int | None] | None = None

        async def plan(session: AsyncSession, view: EncounterView) -> Plan:
            nonlocal seen
            current = view.current
            state = (view.round, None if current is None else current.id)
            if seen is None:
                seen = state
            elif state != seen:  # another press advanced it: this one must not advance again
                raise ConflictError(reads.moved_on(view))
            if expected is not None and (current is None or not _names(current, expected)):
                raise ConflictError(reads.moved_on(view))
            if not as_gm:
                await reads.require_turn_owner(session, view, actor_id)
            return writes.turn_plan(view, forward)

        change = await self._write(campaign_id, scene_id, actor_id, plan)
        if change.lines:
            self._characters.invalidate(campaign_id)
        return change


_RNG = random.SystemRandom()


def _names(combatant: CombatantView, typed: str) -> bool:
    return combatant.name.casefold().startswith(typed.strip().casefold())


def _joined(named: list[tuple[str, InitiativeRoll]], one: str, several: str) -> str:
    """ "Goblin 1 (12) and Goblin 2 (7) join": the event's one-line summary."""
    shown = [f"{name} ({'?' if rolled.total is None else rolled.total})" for name, rolled in named]
    if len(shown) == 1:
        name, rolled = named[0]
        if rolled.total is None:
            return f"{name} {one} (initiative not rolled yet)"
        return f"{name} {one} with initiative {rolled.total}"
    listed = ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"{listed} {several} initiative" if several == "roll" else f"{listed} {several}"


def _roll_lines(named: list[tuple[str, InitiativeRoll]]) -> tuple[str, ...]:
    return tuple(f"{name}: {rolled.text}" for name, rolled in named if rolled.text)
