"""Effects with a duration in rounds end at the right turn boundary (both backends).

Combatants A, B, C act in that order. The SRD's "until the end of its next
turn" counts the affected combatant's own turns: an effect on C applied on
A's turn ends when C's turn ends; applied on C's own turn, it ends when C's
following turn ends. Expiry is a ``condition`` event in ``init next``'s
transaction.
"""

from __future__ import annotations

import pytest

from adventorator.errors import InputError
from adventorator.services.characters import CharacterService
from adventorator.sheet import CharacterSheet, parse_sheet_data
from tests.characters.support import Cli, Table, assert_one_line_error
from tests.combat.encounter_support import Fight, events_of, make_fight
from tests.combat.test_init_cli import create, ok


@pytest.fixture
async def fight(table: Table) -> Fight:
    fight = await make_fight(table)
    for name in ("A", "B", "C"):
        await fight.character(table.alice, name)
    await fight.begin()
    for name, initiative in (("A", 3), ("B", 2), ("C", 1)):
        await fight.add(name, initiative)
    await fight.next()  # round 1: A's turn
    return fight


def poison(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
    names = [c.value for c in sheet.conditions]
    return sheet.with_conditions(
        [*names, "poisoned"], sheet.exhaustion
    ), f"{sheet.name} is now poisoned"


async def poisoned(fight: Fight, name: str = "C") -> bool:
    fresh = CharacterService(fight.table.database, cache_size=0)
    record = await fresh.get_by_name(fight.table.campaign_id, name)
    return "poisoned" in [c.value for c in record.sheet.conditions]


async def add_effect(fight: Fight, rounds: int, until: str = "end", name: str = "C") -> None:
    await fight.service.add_effect(
        **fight.ids,
        actor_id=fight.table.alice,
        name=name,
        effect={"condition": "poisoned", "rounds": rounds, "until": until},
        apply=poison,
    )


async def walk(fight: Fight) -> list[tuple[int, str | None, bool]]:
    """Press next until the effect is gone: (round, whose turn, still poisoned) after each."""
    seen = []
    for _ in range(12):
        await fight.next()
        round_, current = await fight.where()
        seen.append((round_, current, await poisoned(fight)))
        if not seen[-1][2]:
            break
    return seen


async def test_until_the_end_of_its_next_turn(fight: Fight) -> None:
    await add_effect(fight, 1)
    assert await poisoned(fight)
    assert await walk(fight) == [(1, "B", True), (1, "C", True), (2, "A", False)]
    [expired] = [
        e for e in await events_of(fight.table.database, "condition") if "no longer" in e.summary
    ]
    assert expired.summary == "C is no longer poisoned (its effect ended at the end of its turn)"
    assert expired.before is not None
    assert "poisoned" in expired.before["conditions"]
    assert (await fight.view()).effects == ()


async def test_applied_on_its_own_turn_that_turn_does_not_count(fight: Fight) -> None:
    await fight.next()
    await fight.next()
    assert await fight.where() == (1, "C")
    await add_effect(fight, 1)
    assert await walk(fight) == [(2, "A", True), (2, "B", True), (2, "C", True), (3, "A", False)]


async def test_until_the_start_of_its_turn(fight: Fight) -> None:
    await add_effect(fight, 1, until="start")
    assert await walk(fight) == [(1, "B", True), (1, "C", False)]


async def test_two_rounds_count_two_of_its_turns(fight: Fight) -> None:
    await add_effect(fight, 2)
    steps = await walk(fight)
    assert steps[-1] == (3, "A", False)
    assert all(still for *_, still in steps[:-1])
    assert steps[-2] == (2, "C", True)


async def test_prev_does_not_count_a_boundary(fight: Fight) -> None:
    await add_effect(fight, 1)
    await fight.next()  # B
    await fight.next()  # C
    await fight.prev()  # back to B: C's turn did not end
    assert await poisoned(fight)
    assert await walk(fight) == [(1, "C", True), (2, "A", False)]


async def test_a_condition_removed_early_ends_its_effect_quietly(fight: Fight) -> None:
    await add_effect(fight, 1)
    await fight.table.service.update(
        campaign_id=fight.table.campaign_id,
        actor_id=fight.table.alice,
        name="C",
        change=lambda stored: parse_sheet_data({**stored, "conditions": []}),
    )
    await fight.next()
    await fight.next()
    change = await fight.next()
    assert change.lines == ("C's poisoned effect ended (it was no longer poisoned)",)
    assert (await fight.view()).effects == ()


async def test_a_removed_combatant_takes_its_effects_along(fight: Fight) -> None:
    await add_effect(fight, 1)
    await fight.service.remove(**fight.ids, actor_id=fight.table.alice, name="C")
    assert (await fight.view()).effects == ()


async def test_an_effect_needs_the_character_in_the_encounter(fight: Fight) -> None:
    await fight.character(fight.table.alice, "Outsider")
    with pytest.raises(InputError, match="not in the encounter"):
        await add_effect(fight, 1, name="Outsider")
    assert not await poisoned(fight, "Outsider")


def test_condition_add_rounds_through_the_cli(cli: Cli) -> None:
    create(cli, "Wren")
    create(cli, "Brom")
    assert_one_line_error(
        cli("condition", "add", "wren", "poisoned", "--rounds", "1"), "no encounter is running"
    )
    ok(cli, "init", "begin")
    ok(cli, "init", "add", "wren", "--init", "15")
    ok(cli, "init", "add", "brom", "--init", "5")
    ok(cli, "init", "next")
    added = ok(cli, "condition", "add", "brom", "poisoned", "--rounds", "1")
    assert added["effect"]["remaining"] == 1
    assert added["lines"] == ["Brom is now poisoned"]
    assert_one_line_error(
        cli("condition", "add", "brom", "poisoned", "--rounds", "1", "--until", "later"),
        "must be end or start",
    )
    ok(cli, "init", "next")  # Brom's turn starts: still poisoned
    assert ok(cli, "condition", "list", "brom")["conditions"] == ["poisoned"]
    ended = ok(cli, "init", "next")  # Brom's turn ends
    assert ended["lines"] == [
        "Brom is no longer poisoned (its effect ended at the end of its turn)"
    ]
    assert ok(cli, "condition", "list", "brom")["conditions"] == []
    # Undo reverts the init next with the expiry it made: the turn and the condition.
    undone = ok(cli, "undo")
    assert undone["summary"] == "undo: Round 2: Wren's turn"
    assert undone["lines"] == [
        "undo: Brom is no longer poisoned (its effect ended at the end of its turn)"
    ]
    assert ok(cli, "condition", "list", "brom")["conditions"] == ["poisoned"]
    listed = ok(cli, "init", "list")["encounter"]
    assert (listed["round"], listed["current"]) == (1, "Brom")
    assert [e["remaining"] for e in listed["effects"]] == [1]
