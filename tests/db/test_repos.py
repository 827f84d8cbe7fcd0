"""repos.py against real SQLite and real PostgreSQL (each test rolled back)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import ConflictError
from adventorator.storage import repos
from adventorator.storage.models import (
    TRANSCRIPT_ROLES,
    ActiveCharacter,
    Campaign,
    Character,
    Player,
    Scene,
    TranscriptEntry,
)
from adventorator.text import name_key

SHEET: dict[str, Any] = {"class": "rogue", "level": 3}


def _key(prefix: str) -> str:
    """A unique key: the suite's database is shared with other test modules."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class World:
    campaign: Campaign
    player: Player
    scene: Scene


@pytest.fixture
async def world(session: AsyncSession) -> World:
    campaign = await repos.get_or_create_campaign(session, _key("test-campaign"))
    player = await repos.get_or_create_player(session, _key("cli:alice"), display_name="Alice")
    scene = await repos.get_or_create_scene(session, campaign.id, "default")
    return World(campaign, player, scene)


async def _insert(session: AsyncSession, world: World, name: str, **kw: Any) -> Character | None:
    return await repos.insert_character(
        session,
        campaign_id=kw.get("campaign_id", world.campaign.id),
        owner_id=kw.get("owner_id", world.player.id),
        name=name,
        sheet=kw.get("sheet", SHEET),
    )


async def _add(session: AsyncSession, world: World, name: str, **kw: Any) -> Character:
    character = await _insert(session, world, name, **kw)
    assert character is not None
    return character


async def _count(session: AsyncSession, model: type[Any], *where: Any) -> int:
    query = select(func.count()).select_from(model)
    if where:
        query = query.where(*where)
    return int((await session.execute(query)).scalar_one())


# Get-or-create --------------------------------------------------------------


async def test_get_or_create_campaign_is_idempotent(session: AsyncSession) -> None:
    first = await repos.get_or_create_campaign(session, "guild-1", name="The Guild")
    again = await repos.get_or_create_campaign(session, "guild-1", name="Renamed")
    assert again.id == first.id
    assert again.name == "The Guild"  # the first creation wins; no update
    assert await _count(session, Campaign, Campaign.key == "guild-1") == 1
    unnamed = await repos.get_or_create_campaign(session, "guild-2")
    assert unnamed.name == "guild-2"
    assert unnamed.id != first.id


async def test_get_or_create_player_is_idempotent(session: AsyncSession) -> None:
    first = await repos.get_or_create_player(session, "discord:1234", display_name="Bob")
    again = await repos.get_or_create_player(session, "discord:1234")
    assert again.id == first.id
    assert again.display_name == "Bob"
    assert await _count(session, Player, Player.identity == "discord:1234") == 1
    assert (await repos.get_or_create_player(session, "cli:carol")).display_name == "cli:carol"


async def test_get_or_create_scene_is_idempotent_per_campaign(session: AsyncSession) -> None:
    one = await repos.get_or_create_campaign(session, "c-one")
    two = await repos.get_or_create_campaign(session, "c-two")
    scene = await repos.get_or_create_scene(session, one.id, "tavern")
    assert (await repos.get_or_create_scene(session, one.id, "tavern")).id == scene.id
    other = await repos.get_or_create_scene(session, two.id, "tavern")
    assert other.id != scene.id
    assert other.campaign_id == two.id
    assert await _count(session, Scene, Scene.key == "tavern") == 2


async def test_find_campaign(session: AsyncSession) -> None:
    assert await repos.find_campaign(session, "nowhere") is None
    created = await repos.get_or_create_campaign(session, "somewhere")
    found = await repos.find_campaign(session, "somewhere")
    assert found is not None
    assert found.id == created.id


# Characters ----------------------------------------------------------------


def test_name_key_folds_case_and_whitespace() -> None:
    assert name_key("  Sir   Robin\t") == "sir robin"
    assert name_key("STRASSE") == name_key("straße")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Zo\u00eb", "Zoe\u0308"),  # NFC and NFD
        ("Wren", "\uff37\uff52\uff45\uff4e"),  # fullwidth letters
        ("ﬁnn", "Finn"),  # a ligature
        ("Æther", "æTHER"),
    ],
)
def test_name_key_folds_look_alikes(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


async def test_add_and_find_character(session: AsyncSession, world: World) -> None:
    character = await _add(session, world, "Sir Robin")
    assert character.id is not None
    assert character.name == "Sir Robin"
    assert character.name_key == "sir robin"
    found = await repos.find_character(session, world.campaign.id, "  SIR   robin ")
    assert found is not None
    assert found.id == character.id
    assert (await repos.get_character(session, character.id)) is character
    assert await repos.find_character(session, world.campaign.id, "Lancelot") is None
    assert await repos.get_character(session, character.id + 10_000) is None


@pytest.mark.parametrize("duplicate", ["sir robin", "SIR ROBIN", " Sir  Robin ", "Sir\tRobin"])
async def test_add_character_duplicate_name_is_a_conflict(
    session: AsyncSession, world: World, duplicate: str
) -> None:
    original = await _add(session, world, "Sir Robin")
    # One INSERT ... ON CONFLICT DO NOTHING: nothing inserted, nothing raised.
    assert await _insert(session, world, duplicate, sheet={"other": True}) is None
    assert await repos.count_characters(session, world.campaign.id) == 1
    found = await repos.find_character(session, world.campaign.id, "sir robin")
    assert found is not None
    assert found.id == original.id
    assert found.sheet == SHEET


async def test_same_name_in_another_campaign_is_allowed(
    session: AsyncSession, world: World
) -> None:
    other = await repos.get_or_create_campaign(session, "other-campaign")
    first = await _add(session, world, "Robin")
    second = await _add(session, world, "ROBIN", campaign_id=other.id)
    assert first.id != second.id


async def test_list_and_count_characters(session: AsyncSession, world: World) -> None:
    bob = await repos.get_or_create_player(session, "cli:bob")
    assert await repos.list_characters(session, world.campaign.id) == []
    assert await repos.count_characters(session, world.campaign.id) == 0

    a = await _add(session, world, "Aria")
    b = await _add(session, world, "Brom", owner_id=bob.id)
    c = await _add(session, world, "Cade")

    listed = await repos.list_characters(session, world.campaign.id)
    assert [ch.id for ch in listed] == [c.id, b.id, a.id]  # newest updated first
    assert await repos.count_characters(session, world.campaign.id) == 3

    mine = await repos.list_characters(session, world.campaign.id, owner_id=world.player.id)
    assert [ch.id for ch in mine] == [c.id, a.id]
    assert await repos.count_characters(session, world.campaign.id, owner_id=bob.id) == 1

    await repos.update_character(session, a.id, version=a.version, name="Aria", sheet={"level": 4})
    listed = await repos.list_characters(session, world.campaign.id)
    assert [ch.id for ch in listed] == [a.id, c.id, b.id]


async def test_update_character(session: AsyncSession, world: World) -> None:
    character = await _add(session, world, "Aria")
    before = character.updated_at
    updated = await repos.update_character(
        session,
        character.id,
        version=character.version,
        name="Aria the Bold",
        sheet={"level": 5, "feats": ["Alert"]},
    )
    assert updated is character
    assert updated.updated_at > before
    assert updated.version == 2
    assert await repos.find_character(session, world.campaign.id, "aria") is None
    found = await repos.find_character(session, world.campaign.id, "ARIA THE BOLD")
    assert found is not None
    assert found.id == character.id
    stored = await session.execute(
        select(Character.name, Character.name_key, Character.sheet).where(
            Character.id == character.id
        )
    )
    assert tuple(stored.one()) == (
        "Aria the Bold",
        "aria the bold",
        {"level": 5, "feats": ["Alert"]},
    )


async def test_update_of_a_stale_version_writes_nothing(
    session: AsyncSession, world: World
) -> None:
    character = await _add(session, world, "Aria", sheet={"level": 1})
    seen = character.version
    first = await repos.update_character(
        session, character.id, version=seen, name="Aria", sheet={"level": 2}
    )
    assert first is not None
    # A second writer that read the same version before the first one wrote:
    second = await repos.update_character(
        session, character.id, version=seen, name="Aria", sheet={"level": 9}
    )
    assert second is None
    found = await repos.find_character(session, world.campaign.id, "aria")
    assert found is not None
    assert found.sheet == {"level": 2}


async def test_update_character_may_change_the_case_of_its_own_name(
    session: AsyncSession, world: World
) -> None:
    character = await _add(session, world, "aria")
    await repos.update_character(
        session, character.id, version=character.version, name="ARIA", sheet=SHEET
    )
    assert character.name == "ARIA"


async def test_update_character_rename_conflict(session: AsyncSession, world: World) -> None:
    await _add(session, world, "Aria")
    brom = await _add(session, world, "Brom", sheet={"level": 1})
    with pytest.raises(ConflictError, match="already exists"):
        await repos.update_character(
            session, brom.id, version=brom.version, name=" aria ", sheet={"level": 9}
        )
    # The session is still usable and Brom is unchanged, in memory and stored.
    assert brom.name == "Brom"
    assert brom.sheet == {"level": 1}
    assert await repos.count_characters(session, world.campaign.id) == 2
    found = await repos.find_character(session, world.campaign.id, "brom")
    assert found is not None
    assert found.sheet == {"level": 1}


async def test_delete_character(session: AsyncSession, world: World) -> None:
    character = await _add(session, world, "Aria")
    assert await repos.delete_character(session, character.id) is True
    assert await repos.delete_character(session, character.id) is False
    assert await repos.find_character(session, world.campaign.id, "Aria") is None
    assert await repos.count_characters(session, world.campaign.id) == 0


# Foreign keys and ON DELETE ---------------------------------------------------


async def test_foreign_keys_are_enforced(session: AsyncSession, world: World) -> None:
    if session.get_bind().dialect.name == "sqlite":
        # Off by default in SQLite: db.py turns them on for every connection.
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await repos.add_transcript_entries(
                session,
                [{"role": "player", "content": "x"}],
                campaign_id=world.campaign.id,
                scene_id=999_999,
            )


async def test_deleting_a_character_clears_selection_and_nulls_transcript(
    session: AsyncSession, world: World
) -> None:
    aria = await _add(session, world, "Aria")
    brom = await _add(session, world, "Brom")
    ids = {"campaign_id": world.campaign.id, "player_id": world.player.id}
    await repos.set_active_character(session, **ids, character_id=aria.id)
    [entry_id] = await repos.add_transcript_entries(
        session,
        [{"role": "player", "content": "I pick the lock"}],
        campaign_id=world.campaign.id,
        scene_id=world.scene.id,
        player_id=world.player.id,
        character_id=aria.id,
    )

    assert await repos.delete_character(session, aria.id) is True

    assert await repos.get_active_character_id(session, **ids) is None
    assert await _count(session, ActiveCharacter, ActiveCharacter.player_id == world.player.id) == 0
    stored = await session.execute(
        select(TranscriptEntry.character_id, TranscriptEntry.player_id).where(
            TranscriptEntry.id == entry_id
        )
    )
    assert tuple(stored.one()) == (None, world.player.id)  # kept, unlinked
    assert await repos.get_character(session, brom.id) is not None


async def test_deleting_a_campaign_cascades(session: AsyncSession, world: World) -> None:
    aria = await _add(session, world, "Aria")
    ids = {"campaign_id": world.campaign.id, "player_id": world.player.id}
    await repos.set_active_character(session, **ids, character_id=aria.id)
    await repos.add_transcript_entries(
        session,
        [{"role": "narrator", "content": "The door creaks."}],
        campaign_id=world.campaign.id,
        scene_id=world.scene.id,
    )
    cid = world.campaign.id

    await session.execute(delete(Campaign).where(Campaign.id == cid))

    assert await _count(session, Character, Character.campaign_id == cid) == 0
    assert await _count(session, Scene, Scene.campaign_id == cid) == 0
    assert await _count(session, TranscriptEntry, TranscriptEntry.campaign_id == cid) == 0
    assert await _count(session, ActiveCharacter, ActiveCharacter.campaign_id == cid) == 0
    assert await _count(session, Player, Player.id == world.player.id) == 1  # players stay


# Active character -------------------------------------------------------------


async def test_set_and_get_active_character_upserts(session: AsyncSession, world: World) -> None:
    ids = {"campaign_id": world.campaign.id, "player_id": world.player.id}
    assert await repos.get_active_character_id(session, **ids) is None
    aria = await _add(session, world, "Aria")
    brom = await _add(session, world, "Brom")
    await repos.set_active_character(session, **ids, character_id=aria.id)
    assert await repos.get_active_character_id(session, **ids) == aria.id
    await repos.set_active_character(session, **ids, character_id=brom.id)
    assert await repos.get_active_character_id(session, **ids) == brom.id
    assert await _count(session, ActiveCharacter, ActiveCharacter.player_id == world.player.id) == 1
    other = await repos.get_or_create_campaign(session, "other")
    assert (
        await repos.get_active_character_id(
            session, campaign_id=other.id, player_id=world.player.id
        )
        is None
    )


# Transcripts -------------------------------------------------------------------


async def test_transcript_recent_order_limit_and_scene(session: AsyncSession, world: World) -> None:
    other_scene = await repos.get_or_create_scene(session, world.campaign.id, "dungeon")
    for i in range(5):
        for scene in (world.scene, other_scene):
            await repos.add_transcript_entries(
                session,
                [{"role": "player", "content": f"{scene.key} {i}"}],
                campaign_id=world.campaign.id,
                scene_id=scene.id,
            )
    recent = await repos.recent_transcript(session, world.scene.id)
    assert [e.content for e in recent] == [f"default {i}" for i in range(5)]  # oldest first
    last_two = await repos.recent_transcript(session, world.scene.id, limit=2)
    assert [e.content for e in last_two] == ["default 3", "default 4"]
    assert [e.content for e in await repos.recent_transcript(session, other_scene.id, limit=1)] == [
        "dungeon 4"
    ]
    empty_scene = await repos.get_or_create_scene(session, world.campaign.id, "empty")
    assert await repos.recent_transcript(session, empty_scene.id) == []


async def test_transcript_entry_fields_and_status(session: AsyncSession, world: World) -> None:
    meta = {"roll": {"total": 17, "dice": [14]}, "dc": 15}
    [entry_id] = await repos.add_transcript_entries(
        session,
        [{"role": "mechanics", "content": "Stealth 17 vs DC 15: success", "meta": meta}],
        campaign_id=world.campaign.id,
        scene_id=world.scene.id,
        player_id=world.player.id,
    )
    status = select(TranscriptEntry.status).where(TranscriptEntry.id == entry_id)
    assert (await session.scalars(status)).one() == "ok"
    await repos.set_transcript_status(session, [entry_id], "delivery_failed")
    stored = await session.execute(
        select(TranscriptEntry.status, TranscriptEntry.meta, TranscriptEntry.role).where(
            TranscriptEntry.id == entry_id
        )
    )
    assert tuple(stored.one()) == (
        "delivery_failed",
        {"roll": {"total": 17, "dice": [14]}, "dc": 15},
        "mechanics",
    )
    # An unknown entry is ignored rather than created.
    await repos.set_transcript_status(session, [entry_id + 10_000], "error")
    in_campaign = TranscriptEntry.campaign_id == world.campaign.id
    assert await _count(session, TranscriptEntry, in_campaign) == 1


async def test_transcript_lines_insert_together_with_ids_in_order(
    session: AsyncSession, world: World
) -> None:
    lines = [{"role": role, "content": f"line {n}"} for n, role in enumerate(TRANSCRIPT_ROLES)]
    ids = await repos.add_transcript_entries(
        session, lines, campaign_id=world.campaign.id, scene_id=world.scene.id
    )
    assert len(ids) == len(lines)
    assert ids == sorted(ids)
    rows = await session.execute(
        select(TranscriptEntry.id, TranscriptEntry.role, TranscriptEntry.content).where(
            TranscriptEntry.id.in_(ids)
        )
    )
    by_id = {row.id: (row.role, row.content) for row in rows}
    assert [by_id[i] for i in ids] == [(line["role"], line["content"]) for line in lines]
    assert (
        await repos.add_transcript_entries(
            session, [], campaign_id=world.campaign.id, scene_id=world.scene.id
        )
        == []
    )


async def test_check_constraint_rejects_a_bad_role(session: AsyncSession, world: World) -> None:
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await repos.add_transcript_entries(
                session,
                [{"role": "wizard", "content": "x"}],
                campaign_id=world.campaign.id,
                scene_id=world.scene.id,
            )
    in_campaign = TranscriptEntry.campaign_id == world.campaign.id
    assert await _count(session, TranscriptEntry, in_campaign) == 0


async def test_check_constraint_rejects_a_bad_status(session: AsyncSession, world: World) -> None:
    [entry_id] = await repos.add_transcript_entries(
        session,
        [{"role": "system", "content": "x"}],
        campaign_id=world.campaign.id,
        scene_id=world.scene.id,
    )
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await repos.set_transcript_status(session, [entry_id], "lost")
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await repos.add_transcript_entries(
                session,
                [{"role": "system", "content": "y", "status": "maybe"}],
                campaign_id=world.campaign.id,
                scene_id=world.scene.id,
            )
    stored = await session.execute(
        select(TranscriptEntry.status).where(TranscriptEntry.id == entry_id)
    )
    assert stored.scalar_one() == "ok"


# Types ------------------------------------------------------------------------


def _is_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


async def test_timestamps_come_back_timezone_aware_utc(session: AsyncSession, world: World) -> None:
    character = await _add(session, world, "Aria")
    rows = await session.execute(
        select(Character.created_at, Character.updated_at).where(Character.id == character.id)
    )
    created_at, updated_at = rows.one()
    assert _is_utc(created_at)
    assert _is_utc(updated_at)
    assert abs(datetime.now(UTC) - created_at) < timedelta(hours=1)
    campaign_created = await session.execute(
        select(Campaign.created_at).where(Campaign.id == world.campaign.id)
    )
    assert _is_utc(campaign_created.scalar_one())


async def test_server_default_timestamp_is_aware(session: AsyncSession, world: World) -> None:
    # A row written without the Python-side default gets the database's now().
    identity = _key("raw")
    await session.execute(
        text("INSERT INTO players (identity, display_name) VALUES (:identity, 'raw')"),
        {"identity": identity},
    )
    stored = await session.execute(select(Player.created_at).where(Player.identity == identity))
    value = stored.scalar_one()
    assert _is_utc(value)
    assert abs(datetime.now(UTC) - value) < timedelta(hours=1)


async def test_a_non_utc_timestamp_keeps_its_instant(session: AsyncSession) -> None:
    local = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    key = _key("tz")
    session.add(Campaign(key=key, name="tz", created_at=local))
    await session.flush()
    stored = await session.execute(select(Campaign.created_at).where(Campaign.key == key))
    value = stored.scalar_one()
    assert _is_utc(value)
    assert value == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


async def test_a_naive_timestamp_is_refused(session: AsyncSession) -> None:
    session.add(Campaign(key=_key("naive"), name="n", created_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        await session.flush()


async def test_sheet_json_round_trips_nested_data(session: AsyncSession, world: World) -> None:
    sheet: dict[str, Any] = {
        "name": "Ærwen",
        "abilities": {"str": 8, "dex": 18, "con": 12},
        "skills": {"stealth": {"proficient": True, "expertise": True}},
        "inventory": [{"item": "dagger", "qty": 2}, {"item": "rope (50 ft)", "qty": 1}],
        "hp": {"max": 21, "current": 17.5, "temp": None},
        "notes": "quoted \"text\" and 'apostrophes' \u2014 and emoji \U0001f3b2",
        "empty": {},
        "list_of_lists": [[1, 2], [], [3]],
    }
    character = await _add(session, world, "Ærwen", sheet=sheet)
    stored = await session.execute(select(Character.sheet).where(Character.id == character.id))
    assert stored.scalar_one() == sheet
    reloaded = await session.scalars(
        select(Character)
        .where(Character.id == character.id)
        .execution_options(populate_existing=True)
    )
    assert reloaded.one().sheet == sheet
