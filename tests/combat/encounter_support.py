"""Helpers for the encounter tests: a table with a scene, fixed initiative, monsters' sheets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy import select

from adventorator.rules.monsters import find_monster
from adventorator.rules.srd import Ability
from adventorator.services.characters import CharacterService
from adventorator.services.encounters import (
    EncounterChange,
    EncounterService,
    EncounterView,
    InitiativeRoll,
    Roller,
)
from adventorator.services.identities import IdentityService
from adventorator.sheet import CharacterSheet, monster_sheet
from adventorator.storage.database import Database
from adventorator.storage.models import Event
from tests.characters.support import Table, identity, make_sheet

HP = {"max": 20, "current": 20}


def fixed(initiatives: dict[str, int]) -> Roller:
    """Initiative by name (the sheet's Dexterity kept for ties)."""

    def roll(sheet: CharacterSheet) -> InitiativeRoll:
        return InitiativeRoll(initiatives[sheet.name], 0, sheet.abilities[Ability.DEX])

    return roll


def goblin_sheets() -> Callable[[str], CharacterSheet]:
    goblin = find_monster("goblin")
    return lambda name: monster_sheet(goblin, name=name, hit_points=goblin.hit_points)


class Ids(TypedDict):
    campaign_id: int
    scene_id: int


@dataclass
class Fight:
    """An encounter service on one table and scene, acting as alice (the GM) by default."""

    table: Table
    service: EncounterService
    scene_id: int

    @property
    def ids(self) -> Ids:
        return {"campaign_id": self.table.campaign_id, "scene_id": self.scene_id}

    async def character(self, owner: int, name: str, dex: int = 10, **changes: Any) -> None:
        abilities = {"str": 10, "dex": dex, "con": 10, "int": 10, "wis": 10, "cha": 10}
        changes.setdefault("hp", HP)
        await self.table.service.create(
            campaign_id=self.table.campaign_id,
            owner_id=owner,
            sheet=make_sheet(name, abilities=abilities, **changes),
        )

    async def begin(self) -> EncounterChange:
        return await self.service.begin(**self.ids, actor_id=self.table.alice)

    async def add(self, name: str, initiative: int, actor: int | None = None) -> EncounterChange:
        return await self.service.add_character(
            **self.ids,
            actor_id=self.table.alice if actor is None else actor,
            name=name,
            roller=fixed({name: initiative}),
        )

    async def next(self, actor: int | None = None, expected: str | None = None) -> EncounterChange:
        return await self.service.next(
            **self.ids, actor_id=self.table.alice if actor is None else actor, expected=expected
        )

    async def prev(self, actor: int | None = None) -> EncounterChange:
        return await self.service.prev(
            **self.ids, actor_id=self.table.alice if actor is None else actor
        )

    async def view(self) -> EncounterView:
        view = await self.service.active(self.table.campaign_id, self.scene_id)
        assert view is not None
        return view

    async def order(self) -> list[str]:
        return [c.name for c in (await self.view()).combatants]

    async def where(self) -> tuple[int, str | None]:
        view = await self.view()
        return view.round, None if view.current is None else view.current.name


async def make_fight(table: Table, database: Database | None = None) -> Fight:
    database = database or table.database
    scene = (await IdentityService(database).resolve(identity("alice"))).scene_id
    service = EncounterService(database, CharacterService(database, cache_size=0))
    return Fight(table, service, scene)


async def events_of(database: Database, kind: str) -> list[Event]:
    async with database.session_scope() as session:
        query = select(Event).where(Event.kind == kind).order_by(Event.id)
        return list(await session.scalars(query))
