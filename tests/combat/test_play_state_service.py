"""PlayStateService on both backends: one event per change, permissions, prefixes, undo.

The concurrent writers are real: tasks on several engines of one database, as
several app instances would be.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from adventorator.errors import ConflictError, NotFoundError, PermissionDeniedError
from adventorator.rules.hp import apply_damage, apply_healing
from adventorator.services.characters import CharacterService
from adventorator.services.identities import IdentityService
from adventorator.services.play_state import Apply, PlayChange, PlayStateService
from adventorator.sheet import CharacterSheet
from adventorator.storage.models import TranscriptEntry
from tests.characters.support import Table, identity, make_table, open_database

HP = {"max": 30, "current": 30}


def damage(amount: int) -> Apply:
    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        change = apply_damage(sheet.hit_points(), amount)
        return sheet.with_hit_points(change.after), f"{sheet.name} takes {amount}"

    return apply


def heal(amount: int) -> Apply:
    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        change = apply_healing(sheet.hit_points(), amount)
        return sheet.with_hit_points(change.after), f"{sheet.name} heals {amount}"

    return apply


@pytest.fixture
def play(table: Table) -> PlayStateService:
    return PlayStateService(table.database, table.service)


async def change(
    play: PlayStateService, table: Table, actor: int, name: str, apply: Apply
) -> PlayChange:
    return await play.change(
        campaign_id=table.campaign_id,
        scene_id=None,
        actor_id=actor,
        name=name,
        kind="damage",
        apply=apply,
    )


async def undo(play: PlayStateService, table: Table, actor: int) -> PlayChange:
    undone = await play.undo(campaign_id=table.campaign_id, scene_id=None, actor_id=actor)
    assert isinstance(undone, PlayChange)  # these tests undo sheet changes, not encounters
    return undone


async def test_a_change_is_one_event_with_before_and_after(
    table: Table, play: PlayStateService
) -> None:
    await table.create(table.alice, "Wren", hp=HP)
    scene = (await IdentityService(table.database).resolve(identity("alice"))).scene_id
    done = await play.change(
        campaign_id=table.campaign_id,
        scene_id=scene,
        actor_id=table.alice,
        name="wr",  # a unique prefix, any case
        kind="damage",
        apply=damage(11),
    )

    assert done.record_after.sheet.hit_points().current == 19
    [event] = await play.history(table.campaign_id, limit=10)
    assert (event.id, event.kind, event.summary) == (done.event_id, "damage", "Wren takes 11")
    assert event.before is not None
    assert event.after is not None
    assert (event.before["hp"]["current"], event.after["hp"]["current"]) == (30, 19)
    assert (event.actor_name, event.character_name) == ("alice", "Wren")
    async with table.database.session_scope() as session:
        lines = list(await session.scalars(select(TranscriptEntry)))
    assert [(line.role, line.content, line.id) for line in lines] == [
        ("mechanics", "Wren takes 11", done.transcript_id)
    ]
    # The cache saw the write: a cached read gives the new hit points.
    record = await table.service.get_by_name(table.campaign_id, "Wren")
    assert record.sheet.hit_points().current == 19


async def test_owner_or_game_master_only(table: Table, play: PlayStateService) -> None:
    # alice was resolved first, so she is the game master.
    await table.create(table.alice, "Wren", hp=HP)
    await table.create(table.bob, "Brom", hp=HP)

    with pytest.raises(PermissionDeniedError, match="belongs to another player"):
        await change(play, table, table.bob, "Wren", damage(5))
    await change(play, table, table.alice, "Brom", damage(5))  # the GM acts for anyone
    assert (await play.find(table.campaign_id, "brom")).sheet.hit_points().current == 25
    assert await play.gm(table.campaign_id) == (table.alice, "alice")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Wx", "no character named 'Wx' in this campaign (characters: Wren, Wulf)"),
        ("w", "'w' matches several characters (Wren, Wulf): type more of the name"),
    ],
)
async def test_unknown_or_ambiguous_names_list_the_candidates(
    table: Table, play: PlayStateService, typed: str, message: str
) -> None:
    await table.create(table.alice, "Wren", hp=HP)
    await table.create(table.alice, "Wulf", hp=HP)
    with pytest.raises(NotFoundError) as caught:
        await change(play, table, table.alice, typed, damage(1))
    assert str(caught.value) == message


async def test_undo_round_trip(table: Table, play: PlayStateService) -> None:
    await table.create(table.alice, "Wren", hp=HP)
    await change(play, table, table.alice, "Wren", damage(8))
    await change(play, table, table.alice, "Wren", heal(3))

    undone = await undo(play, table, table.alice)
    assert undone.record_after.sheet.hit_points().current == 22
    assert undone.summary == "undo: Wren heals 3"
    undone = await undo(play, table, table.alice)
    assert undone.record_after.sheet.hit_points().current == 30
    with pytest.raises(NotFoundError, match="nothing to undo"):
        await undo(play, table, table.alice)

    history = await play.history(table.campaign_id, limit=10)
    assert [event.kind for event in history] == ["undo", "undo", "damage", "damage"]
    assert history[0].undoes_id == history[3].id
    assert history[3].undone_by == history[0].id


async def test_undo_refuses_when_the_character_changed_since(
    table: Table, play: PlayStateService
) -> None:
    await table.create(table.bob, "Brom", hp=HP)
    await change(play, table, table.bob, "Brom", damage(4))
    await change(play, table, table.alice, "Brom", damage(6))  # the GM, after bob

    with pytest.raises(ConflictError, match="Brom changed since: undo the later change first"):
        await undo(play, table, table.bob)
    await undo(play, table, table.alice)  # the GM undoes the latest: hers
    await undo(play, table, table.bob)  # now bob's applies
    assert (await play.find(table.campaign_id, "Brom")).sheet.hit_points().current == 30


async def test_only_the_game_master_hands_the_role_on(table: Table, play: PlayStateService) -> None:
    async def hand_on(actor: int, key: str) -> str:
        return await play.set_gm(
            campaign_id=table.campaign_id, scene_id=None, actor_id=actor, player_key=key
        )

    with pytest.raises(PermissionDeniedError, match="only the game master"):
        await hand_on(table.bob, "cli:bob")
    with pytest.raises(NotFoundError, match="no player 'carol' yet"):
        await hand_on(table.alice, "cli:carol")
    assert await hand_on(table.alice, "cli:bob") == "bob"
    assert await play.gm(table.campaign_id) == (table.bob, "bob")
    await table.create(table.alice, "Wren", hp=HP)
    await change(play, table, table.bob, "Wren", damage(1))  # bob now acts for anyone


async def test_concurrent_damage_on_several_engines_all_counts(
    table: Table, migrated_url: str
) -> None:
    await table.create(table.alice, "Wren", hp={"max": 100, "current": 100})
    databases = [open_database(migrated_url) for _ in range(3)]
    try:
        services = [PlayStateService(db, CharacterService(db, cache_size=0)) for db in databases]
        hits = [
            change(services[number % 3], table, table.alice, "Wren", damage(number + 1))
            for number in range(12)
        ]
        await asyncio.gather(*hits)
    finally:
        for database in databases:
            await database.dispose()

    play = PlayStateService(table.database, table.service)
    assert (await play.find(table.campaign_id, "Wren")).sheet.hit_points().current == 100 - 78
    events = await play.history(table.campaign_id, limit=50)
    assert sorted(int(e.summary.rsplit(" ", 1)[1]) for e in events) == list(range(1, 13))


async def test_a_second_campaign_is_separate(table: Table, play: PlayStateService) -> None:
    other = await make_table(table.database, table.service, campaign="other")
    await other.create(other.bob, "Wren", hp=HP)  # bob is the first player there
    await table.create(table.alice, "Wren", hp=HP)
    await change(play, other, other.bob, "Wren", damage(2))
    assert await play.history(table.campaign_id, limit=5) == []
    assert (await play.find(table.campaign_id, "Wren")).sheet.hit_points().current == 30
