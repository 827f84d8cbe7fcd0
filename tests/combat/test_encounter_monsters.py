"""Monsters in an encounter are numbered sheets, deleted when they leave (both backends)."""

from __future__ import annotations

import pytest

from adventorator.rules.hp import apply_damage
from adventorator.services.play_state import PlayStateService
from adventorator.sheet import CharacterSheet
from tests.characters.support import Table, character_rows
from tests.combat.encounter_support import Fight, events_of, fixed, goblin_sheets, make_fight


@pytest.fixture
async def fight(table: Table) -> Fight:
    fight = await make_fight(table)
    await fight.begin()
    return fight


async def goblins(fight: Fight, count: int, actor: int | None = None) -> list[str]:
    change = await fight.service.add_monsters(
        **fight.ids,
        actor_id=fight.table.alice if actor is None else actor,
        base_name="Goblin",
        count=count,
        make_sheet=goblin_sheets(),
        roller=lambda sheet: fixed({sheet.name: 10})(sheet),
    )
    before = set() if change.before is None else {c.name for c in change.before.combatants}
    return sorted(c.name for c in change.after.combatants if c.name not in before)


async def test_monsters_are_numbered_sheets_owned_by_the_actor(fight: Fight) -> None:
    assert await goblins(fight, 2, actor=fight.table.bob) == ["Goblin 1", "Goblin 2"]
    rows = {row["name"]: row for row in await character_rows(fight.table.database)}
    assert rows["Goblin 1"]["owner_id"] == fight.table.bob
    assert rows["Goblin 1"]["sheet"]["monster"] == "goblin"
    assert rows["Goblin 1"]["sheet"]["hp"]["max"] == 7  # the SRD goblin's average
    view = await fight.view()
    assert {c.monster for c in view.combatants} == {"goblin"}


async def test_numbering_skips_names_in_use(fight: Fight) -> None:
    await fight.character(fight.table.alice, "Goblin 1")  # a character so named already
    assert await goblins(fight, 2) == ["Goblin 2", "Goblin 3"]
    assert await goblins(fight, 1) == ["Goblin 4"]


async def test_remove_deletes_the_monster_sheet_and_events_keep_their_summaries(
    fight: Fight,
) -> None:
    await goblins(fight, 2)
    play = PlayStateService(fight.table.database, fight.table.service)

    def hit(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        return sheet.with_hit_points(apply_damage(sheet.hit_points(), 3).after), "Goblin 2 takes 3"

    await play.change(
        campaign_id=fight.table.campaign_id,
        scene_id=fight.scene_id,
        actor_id=fight.table.alice,
        name="goblin 2",
        kind="damage",
        apply=hit,
    )
    await fight.service.remove(**fight.ids, actor_id=fight.table.alice, name="goblin 2")

    names = [row["name"] for row in await character_rows(fight.table.database)]
    assert names == ["Goblin 1"]
    [damage] = await events_of(fight.table.database, "damage")
    assert (damage.summary, damage.character_id) == ("Goblin 2 takes 3", None)


async def test_end_deletes_only_the_monsters_it_made(fight: Fight) -> None:
    await fight.character(fight.table.alice, "Hero")
    await fight.character(fight.table.alice, "Old Ogre", monster="ogre")  # made elsewhere
    await fight.add("Hero", 12)
    await fight.add("Old Ogre", 8)
    await goblins(fight, 2)
    change = await fight.service.end(**fight.ids, actor_id=fight.table.alice)
    assert change.summary == "The encounter ends after 0 rounds: no one fell"
    names = sorted(row["name"] for row in await character_rows(fight.table.database))
    assert names == ["Hero", "Old Ogre"]


async def test_end_names_who_fell(fight: Fight) -> None:
    await fight.character(fight.table.alice, "Hero", hp={"max": 10, "current": 0})
    await fight.add("Hero", 12)
    await goblins(fight, 1)
    await fight.next()
    change = await fight.service.end(**fight.ids, actor_id=fight.table.alice)
    assert change.summary == "The encounter ends after 1 round: Hero fell"


async def test_added_monsters_never_become_the_game_masters_character(fight: Fight) -> None:
    # The GM's default character is their most recent sheet: monsters made later must not be it.
    await fight.character(fight.table.alice, "Ysolde")
    await goblins(fight, 2)
    service = fight.table.service
    active = await service.get_active_character_for_user(fight.table.alice, fight.table.campaign_id)
    assert active is not None
    assert active.name == "Ysolde"
    assert await service.active_character_id(fight.table.alice, fight.table.campaign_id) == (
        active.id
    )


async def test_a_game_master_with_only_monsters_plays_no_one(fight: Fight) -> None:
    await goblins(fight, 1, actor=fight.table.bob)
    service = fight.table.service
    assert (
        await service.get_active_character_for_user(fight.table.bob, fight.table.campaign_id)
        is None
    )
    assert await service.active_character_id(fight.table.bob, fight.table.campaign_id) is None
