"""EncounterService on both backends: order and ties, rounds, next/prev, remove, permissions."""

from __future__ import annotations

import random

import pytest

from adventorator.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from adventorator.services.encounters import InitiativeRoll
from tests.characters.support import Table
from tests.combat.encounter_support import Fight, events_of, fixed, make_fight


@pytest.fixture
async def fight(table: Table) -> Fight:
    return await make_fight(table)


async def test_no_active_encounter_until_begun(fight: Fight) -> None:
    assert await fight.service.active(fight.table.campaign_id, fight.scene_id) is None
    assert await fight.service.active(None, None) is None
    await fight.begin()
    view = await fight.view()
    assert (view.round, view.combatants, view.current) == (0, (), None)


async def test_higher_initiative_first_then_higher_dexterity(fight: Fight) -> None:
    await fight.character(fight.table.alice, "Slow", dex=8)
    await fight.character(fight.table.alice, "Quick", dex=16)
    await fight.character(fight.table.alice, "Top", dex=10)
    await fight.begin()
    await fight.add("Slow", 12)
    await fight.add("Top", 19)
    await fight.add("Quick", 12)
    assert await fight.order() == ["Top", "Quick", "Slow"]
    view = await fight.view()
    assert all(c.tiebreak is None for c in view.combatants)  # Dexterity settled the tie


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
async def test_full_tie_is_a_recorded_roll_off(fight: Fight, seed: int) -> None:
    table = fight.table
    await fight.character(table.alice, "Ann", dex=14)
    await fight.character(table.alice, "Bea", dex=14)
    await fight.begin()
    await fight.add("Ann", 15)
    change = await fight.service.add_character(
        **fight.ids,
        actor_id=table.alice,
        name="Bea",
        roller=fixed({"Bea": 15}),
        rng=random.Random(seed),
    )
    faces = {c.name: c.tiebreak for c in change.after.combatants}
    assert faces["Ann"] is not None
    assert faces["Bea"] is not None
    assert faces["Ann"] != faces["Bea"]
    expected = sorted(faces, key=lambda name: -(faces[name] or 0))
    assert await fight.order() == expected
    # The roll-off is in the change's lines and in the recorded event's transcript line.
    assert any("roll-off" in line for line in change.lines)
    [*_, event] = await events_of(table.database, "init")
    assert event.after is not None
    assert event.after["order"][0][0] == expected[0]


async def test_rounds_are_counted_and_next_wraps(fight: Fight) -> None:
    for name, _initiative in (("A", 20), ("B", 10)):
        await fight.character(fight.table.alice, name)
    await fight.begin()
    await fight.add("A", 20)
    await fight.add("B", 10)
    assert await fight.where() == (0, None)
    seen = []
    for _ in range(5):
        await fight.next()
        seen.append(await fight.where())
    assert seen == [(1, "A"), (1, "B"), (2, "A"), (2, "B"), (3, "A")]


async def test_prev_goes_back_across_a_round_and_not_before_the_first_turn(fight: Fight) -> None:
    for name in ("A", "B", "C"):
        await fight.character(fight.table.alice, name)
    await fight.begin()
    for name, initiative in (("A", 3), ("B", 2), ("C", 1)):
        await fight.add(name, initiative)
    with pytest.raises(InputError, match="first turn"):
        await fight.prev()
    for _ in range(4):
        await fight.next()
    assert await fight.where() == (2, "A")
    await fight.prev()
    assert await fight.where() == (1, "C")
    await fight.prev()
    await fight.prev()
    assert await fight.where() == (1, "A")
    with pytest.raises(InputError, match="first turn"):
        await fight.prev()


async def test_removing_the_current_combatant_passes_the_turn_on(fight: Fight) -> None:
    for name in ("A", "B", "C"):
        await fight.character(fight.table.alice, name)
    await fight.begin()
    for name, initiative in (("A", 3), ("B", 2), ("C", 1)):
        await fight.add(name, initiative)
    await fight.next()
    await fight.next()
    assert await fight.where() == (1, "B")
    await fight.service.remove(**fight.ids, actor_id=fight.table.alice, name="b")
    assert await fight.where() == (1, "C")
    assert await fight.order() == ["A", "C"]
    # The last one in the order leaving: the next round starts at the top.
    await fight.service.remove(**fight.ids, actor_id=fight.table.alice, name="C")
    assert await fight.where() == (2, "A")


async def test_adding_mid_round_keeps_whose_turn_it_is(fight: Fight) -> None:
    for name in ("A", "B", "Early"):
        await fight.character(fight.table.alice, name)
    await fight.begin()
    await fight.add("A", 10)
    await fight.add("B", 5)
    await fight.next()
    await fight.next()
    await fight.add("Early", 20)  # sorts before the current combatant
    assert await fight.order() == ["Early", "A", "B"]
    assert await fight.where() == (1, "B")


async def test_only_the_acting_player_or_the_gm_moves_the_turn(fight: Fight) -> None:
    table = fight.table
    await fight.character(table.alice, "Gm Npc")
    await fight.character(table.bob, "Bobs Hero")
    await fight.begin()
    await fight.add("Gm Npc", 20)
    await fight.add("Bobs Hero", 10, actor=table.bob)
    await fight.next()  # the GM starts round 1: Gm Npc's turn
    with pytest.raises(PermissionDeniedError, match="Gm Npc's turn"):
        await fight.next(actor=table.bob)
    with pytest.raises(PermissionDeniedError):
        await fight.prev(actor=table.bob)
    await fight.next()  # the GM may
    assert await fight.where() == (1, "Bobs Hero")
    await fight.next(actor=table.bob)  # bob ends his own turn
    assert await fight.where() == (2, "Gm Npc")
    with pytest.raises(PermissionDeniedError, match="game master"):
        await fight.service.end(**fight.ids, actor_id=table.bob)


async def test_a_player_adds_only_their_own_characters(fight: Fight) -> None:
    await fight.character(fight.table.alice, "Alices")
    await fight.begin()
    with pytest.raises(PermissionDeniedError):
        await fight.add("Alices", 10, actor=fight.table.bob)
    await fight.add("Alices", 10)
    with pytest.raises(ConflictError, match="already"):
        await fight.add("Alices", 12)


async def test_next_needs_combatants_with_initiative(fight: Fight) -> None:
    await fight.begin()
    with pytest.raises(InputError, match="no combatants"):
        await fight.next()
    await fight.character(fight.table.alice, "Unrolled")
    await fight.service.add_character(
        **fight.ids,
        actor_id=fight.table.alice,
        name="Unrolled",
        roller=lambda sheet: InitiativeRoll(None, 0, 10),
    )
    with pytest.raises(InputError, match="no initiative"):
        await fight.next()
    await fight.service.roll(**fight.ids, actor_id=fight.table.alice, roller=fixed({"Unrolled": 9}))
    await fight.next()
    assert await fight.where() == (1, "Unrolled")


async def test_every_change_is_one_init_event_and_a_transcript_line(fight: Fight) -> None:
    await fight.character(fight.table.alice, "A")
    await fight.begin()
    await fight.add("A", 10)
    change = await fight.next()
    events = await events_of(fight.table.database, "init")
    assert [e.summary for e in events] == [
        "An encounter begins: add combatants, then next for round 1",
        "A joins with initiative 10",
        "Round 1: A's turn",
    ]
    assert events[-1].before is not None
    assert events[-1].before["round"] == 0
    assert events[-1].after is not None
    assert events[-1].after["current"] == "A"
    assert change.event_id == events[-1].id
    assert len(change.transcript_ids) == 1


async def test_one_active_encounter_per_scene_and_a_new_one_after_end(fight: Fight) -> None:
    await fight.begin()
    with pytest.raises(ConflictError, match="already running"):
        await fight.begin()
    await fight.service.end(**fight.ids, actor_id=fight.table.alice)
    assert await fight.service.active(fight.table.campaign_id, fight.scene_id) is None
    with pytest.raises(NotFoundError, match="no encounter"):
        await fight.next()
    await fight.begin()
    assert (await fight.view()).round == 0
