"""Concurrent encounter writes on both backends: tasks on several engines of one database.

Several engines are several app instances. Two players pressing "next turn"
at once advance it once; begins race to one encounter per scene; adds race
without losing a combatant or a monster's number.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adventorator.errors import ConflictError
from adventorator.services.characters import CharacterService
from adventorator.services.encounters import EncounterService
from adventorator.storage.database import Database
from tests.characters.support import Table, open_database
from tests.combat.encounter_support import Fight, events_of, fixed, goblin_sheets, make_fight

INSTANCES = 3
PRESSES = 6


@pytest.fixture
async def fleet(table: Table, migrated_url: str) -> AsyncIterator[list[Fight]]:
    databases = [open_database(migrated_url) for _ in range(INSTANCES)]
    fights = [await make_fight(table, database) for database in databases]
    yield fights
    for database in databases:
        await database.dispose()


async def _outcomes(presses: list[Any]) -> tuple[int, list[BaseException]]:
    results = await asyncio.gather(*presses, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    return len(results) - len(errors), errors


async def _three(fight: Fight) -> None:
    for name in ("A", "B", "C"):
        await fight.character(fight.table.alice, name)
    await fight.begin()
    for name, initiative in (("A", 3), ("B", 2), ("C", 1)):
        await fight.add(name, initiative)


async def test_presses_naming_the_turn_advance_it_exactly_once(fleet: list[Fight]) -> None:
    await _three(fleet[0])
    await fleet[0].next()  # round 1, A
    presses = [fleet[i % INSTANCES].next(expected="A") for i in range(PRESSES)]
    advanced, errors = await _outcomes(presses)

    assert advanced == 1
    assert len(errors) == PRESSES - 1
    assert all(isinstance(e, ConflictError) and "B's turn" in str(e) for e in errors)
    assert await fleet[0].where() == (1, "B")
    turns = [e for e in await events_of(fleet[0].table.database, "init") if "turn" in e.summary]
    assert [e.summary for e in turns] == ["Round 1: A's turn", "Round 1: B's turn"]


async def test_a_press_that_lost_the_race_never_advances_twice(fleet: list[Fight]) -> None:
    await _three(fleet[0])
    await fleet[0].next()
    presses = [fleet[i % INSTANCES].next() for i in range(PRESSES)]
    advanced, errors = await _outcomes(presses)

    # Each success moved the turn one step from the turn it read; the others changed nothing.
    assert advanced >= 1
    assert all(isinstance(e, ConflictError) and "moved on" in str(e) for e in errors)
    steps = [e for e in await events_of(fleet[0].table.database, "init") if "turn" in e.summary]
    assert len(steps) == 1 + advanced
    order = ["A", "B", "C"]
    position = advanced % 3
    assert await fleet[0].where() == (1 + advanced // 3, order[position])
    # Every recorded step moved from the state the one before it left.
    for earlier, later in itertools.pairwise(steps):
        assert earlier.after == later.before


async def test_concurrent_begins_start_one_encounter(fleet: list[Fight]) -> None:
    started, errors = await _outcomes([fleet[i % INSTANCES].begin() for i in range(PRESSES)])

    assert started == 1
    assert all(isinstance(e, ConflictError) and "already running" in str(e) for e in errors)
    assert len(await events_of(fleet[0].table.database, "init")) == 1


async def test_concurrent_adds_all_land_with_distinct_numbers(fleet: list[Fight]) -> None:
    table = fleet[0].table
    for name in ("A", "B", "C"):
        await fleet[0].character(table.alice, name)
    await fleet[0].begin()

    def add_goblins(number: int) -> Any:
        fight = fleet[number % INSTANCES]
        return fight.service.add_monsters(
            **fight.ids,
            actor_id=table.alice,
            base_name="Goblin",
            count=2,
            make_sheet=goblin_sheets(),
            roller=lambda sheet: fixed({sheet.name: 10})(sheet),
        )

    adds = [fleet[i].add(name, 5 + i) for i, name in enumerate(("A", "B", "C"))]
    added, errors = await _outcomes([*adds, *(add_goblins(n) for n in range(3))])

    assert errors == []
    assert added == 6
    names = sorted(await fleet[0].order())
    assert names == sorted(["A", "B", "C", *(f"Goblin {n}" for n in range(1, 7))])


async def test_effects_and_turns_race_without_losing_either(
    fleet: list[Fight], table: Table
) -> None:
    await _three(fleet[0])
    await fleet[0].next()

    def effect(number: int) -> Any:
        fight = fleet[number % INSTANCES]
        return fight.service.add_effect(
            **fight.ids,
            actor_id=table.alice,
            name="C",
            effect={"condition": "poisoned", "rounds": 1, "until": "end"},
            apply=lambda sheet: (sheet.with_conditions(["poisoned"], 0), "C is poisoned"),
        )

    done, errors = await _outcomes([effect(1), fleet[2].next(expected="A")])
    assert errors == []
    assert done == 2
    view = await fleet[0].view()
    assert len(view.effects) == 1
    assert view.current is not None
    assert view.current.name == "B"


async def test_services_on_separate_engines_share_one_encounter(
    table: Table, migrated_url: str
) -> None:
    other: Database = open_database(migrated_url)
    try:
        first = await make_fight(table)
        second = EncounterService(other, CharacterService(other, cache_size=0))
        await first.begin()
        seen = await second.active(table.campaign_id, first.scene_id)
        assert seen is not None
        assert seen.id == (await first.view()).id
    finally:
        await other.dispose()
