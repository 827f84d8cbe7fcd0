"""CharacterService's cache, observed as the SQL statements the engine really sends.

Within the TTL a character is read from the database once; a write through
the service forgets its campaign's entries at once; the TTL is driven by an
injected fake clock; concurrent misses for one key share one query.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event

from adventorator.commands import Invocation, Reply, character, check, sheet
from adventorator.context import AppContext
from adventorator.errors import NotFoundError
from adventorator.rules.engine import Dnd5eRuleset
from adventorator.services.characters import CharacterRecord, CharacterService
from adventorator.storage.database import Database
from tests.characters.support import (
    ROGUE,
    FakeClock,
    StatementLog,
    Table,
    example_text,
    identity,
    make_sheet,
    make_table,
    proficiency_bonus,
)

# A bound on how long a test may wait for gathered reads, so a hang fails
# instead of stalling the suite. Nothing is asserted about time.
NO_HANG_S = 60


def data(reply: Reply) -> dict[str, Any]:
    assert reply.data is not None
    return dict(reply.data)


def expertise_term(reply: Reply) -> int:
    terms = {term["source"]: term["value"] for term in data(reply)["breakdown"]}
    return int(terms["proficiency (expertise)"])


# Through the handlers and one AppContext ------------------------------------------------


async def test_repeated_checks_read_the_sheet_once_until_a_write(migrated_url: str) -> None:
    app = AppContext({"database_url": migrated_url})
    try:
        database = await app.database()
        alice = Invocation(
            app=app, rng=random.Random(3), ruleset=Dnd5eRuleset(), identity=identity("alice")
        )
        await sheet.create(alice, sheet.SheetCreateOptions(json=example_text("rogue")))
        stealth = check.CheckOptions(skill="stealth", dc=15)
        named = check.CheckOptions(skill="stealth", dc=15, character="wren thistlefoot")

        with StatementLog(database) as log:
            replies = [await check.check(alice, stealth) for _ in range(5)]
        assert log.selects_from("characters") == 1
        assert log.selects_from("active_characters") == 1
        assert {expertise_term(reply) for reply in replies} == {2 * proficiency_bonus(5)}

        with StatementLog(database) as log:
            for _ in range(5):
                await check.check(alice, named)
        assert log.selects_from("characters") == 1  # a by-name read has its own entry

        with StatementLog(database) as log:
            for _ in range(5):
                await check.check(alice, stealth)
                await check.check(alice, named)
        assert log.statements == []  # both entries are warm: no SQL at all

        await sheet.update(alice, sheet.SheetUpdateOptions(name=ROGUE, json='{"level": 9}'))
        with StatementLog(database) as log:
            after_update = [await check.check(alice, stealth) for _ in range(3)]
            await check.check(alice, named)
        assert log.selects_from("characters") == 2  # once per key, not once per check
        assert {expertise_term(reply) for reply in after_update} == {2 * proficiency_bonus(9)}

        await character.switch(alice, character.SwitchOptions(name=ROGUE))
        with StatementLog(database) as log:
            for _ in range(3):
                await check.check(alice, stealth)
        assert log.selects_from("characters") == 1
        assert log.selects_from("active_characters") == 1
    finally:
        await app.aclose()


# TTL, with an injected clock -------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def timed(char_db: Database, clock: FakeClock) -> Table:
    """A table whose service has a 30-second TTL on the fake clock."""
    return await make_table(char_db, CharacterService(char_db, ttl=30, timer=clock))


async def test_entries_expire_after_the_ttl(timed: Table, clock: FakeClock) -> None:
    await timed.create(timed.alice, "Kept")
    service, campaign = timed.service, timed.campaign_id

    with StatementLog(timed.database) as log:
        for _ in range(3):
            assert (await service.get_by_name(campaign, "kept")).name == "Kept"
            active = await service.get_active_character_for_user(timed.alice, campaign)
            assert active is not None
        clock.advance(29.5)
        await service.get_by_name(campaign, "Kept")
        await service.get_active_character_for_user(timed.alice, campaign)
    assert log.selects_from("characters") == 2  # one per key, all within the TTL

    clock.advance(1)  # 30.5 s after the loads
    with StatementLog(timed.database) as log:
        for _ in range(3):
            await service.get_by_name(campaign, "Kept")
            await service.get_active_character_for_user(timed.alice, campaign)
    assert log.selects_from("characters") == 2  # reloaded once each, then cached again


async def test_a_write_by_another_process_shows_after_the_ttl(
    timed: Table, clock: FakeClock
) -> None:
    await timed.create(timed.alice, "Shared", level=1)
    assert (await timed.service.get_by_name(timed.campaign_id, "Shared")).sheet.level == 1

    elsewhere = await make_table(timed.database, CharacterService(timed.database))
    await elsewhere.set_level(elsewhere.alice, "Shared", 4)

    # This process was not told: it trusts its entry for the TTL, then reloads.
    assert (await timed.service.get_by_name(timed.campaign_id, "Shared")).sheet.level == 1
    clock.advance(31)
    assert (await timed.service.get_by_name(timed.campaign_id, "Shared")).sheet.level == 4


# Invalidation by every write -------------------------------------------------------------

Write = Callable[[Table], Awaitable[Any]]


async def _create(t: Table) -> Any:
    return await t.create(t.alice, "Newcomer")


async def _replace(t: Table) -> Any:
    return await t.service.create(
        campaign_id=t.campaign_id, owner_id=t.alice, sheet=make_sheet("Kept", level=2), replace=True
    )


async def _update(t: Table) -> Any:
    return await t.set_level(t.alice, "Kept", 3)


async def _switch(t: Table) -> Any:
    return await t.service.switch(campaign_id=t.campaign_id, actor_id=t.alice, name="Spare")


async def _delete(t: Table) -> Any:
    return await t.service.delete(campaign_id=t.campaign_id, actor_id=t.alice, name="Spare")


@pytest.mark.parametrize(
    "write",
    [_create, _replace, _update, _switch, _delete],
    ids=["create", "replace", "update", "switch", "delete"],
)
async def test_every_write_invalidates_only_its_campaign(timed: Table, write: Write) -> None:
    other = await make_table(timed.database, timed.service, campaign="other table")
    await timed.create(timed.alice, "Spare")
    await timed.create(timed.alice, "Kept")
    await other.create(other.alice, "Far Away")
    service = timed.service

    async def read_all() -> None:
        await service.get_by_name(timed.campaign_id, "Kept")
        await service.get_active_character_for_user(timed.alice, timed.campaign_id)
        await service.get_by_name(other.campaign_id, "Far Away")

    await read_all()
    with StatementLog(timed.database) as log:
        await read_all()
    assert log.statements == []

    await write(timed)
    with StatementLog(timed.database) as log:
        await read_all()
        await read_all()
    assert log.selects_from("characters") == 2  # this campaign's two keys, reloaded once
    kept = await service.get_by_name(timed.campaign_id, "Kept")
    stored = await CharacterService(timed.database).get_by_name(timed.campaign_id, "Kept")
    assert kept == stored  # what the cache now holds is what the database holds


async def test_a_miss_is_cached_and_a_create_replaces_it(timed: Table) -> None:
    service = timed.service
    missing = pytest.raises(NotFoundError, match="no character named 'Ghost'")
    with StatementLog(timed.database) as first, missing:
        await service.get_by_name(timed.campaign_id, "Ghost")
    with StatementLog(timed.database) as again:
        for _ in range(3):
            with pytest.raises(NotFoundError, match="no character named 'Ghost'"):
                await service.get_by_name(timed.campaign_id, "Ghost")
    assert first.selects_from("characters") >= 1  # exact, prefixes, candidates
    assert again.selects_from("characters") == 0

    await timed.create(timed.bob, "Ghost")
    assert (await service.get_by_name(timed.campaign_id, "ghost")).name == "Ghost"


# Single flight -------------------------------------------------------------------------


async def test_concurrent_misses_for_one_key_do_one_query(table: Table) -> None:
    await table.create(table.alice, "Popular")
    service = table.service
    with StatementLog(table.database) as log:
        records = await asyncio.wait_for(
            asyncio.gather(*(service.get_by_name(table.campaign_id, "popular") for _ in range(20))),
            NO_HANG_S,
        )
    assert log.selects_from("characters") == 1
    assert len(records) == 20
    assert all(record is records[0] for record in records)
    assert records[0].name == "Popular"


async def test_concurrent_active_misses_do_one_query(table: Table) -> None:
    await table.create(table.alice, "Mine")
    service = table.service
    with StatementLog(table.database) as log:
        records = await asyncio.wait_for(
            asyncio.gather(
                *(
                    service.get_active_character_for_user(table.alice, table.campaign_id)
                    for _ in range(20)
                )
            ),
            NO_HANG_S,
        )
    assert log.selects_from("active_characters") == 1
    assert log.selects_from("characters") == 1
    assert {record.name for record in records if record is not None} == {"Mine"}
    assert None not in records


async def test_concurrent_misses_for_an_unknown_name_all_fail_after_one_query(
    table: Table,
) -> None:
    service = table.service
    with StatementLog(table.database) as one, pytest.raises(NotFoundError):
        await service.get_by_name(table.campaign_id, "Nobody else")
    with StatementLog(table.database) as log:
        results = await asyncio.wait_for(
            asyncio.gather(
                *(service.get_by_name(table.campaign_id, "Nobody") for _ in range(20)),
                return_exceptions=True,
            ),
            NO_HANG_S,
        )
    # One look-up's queries (exact, prefixes, candidates), not twenty.
    assert log.selects_from("characters") == one.selects_from("characters")
    assert all(isinstance(result, NotFoundError) for result in results)


async def test_a_read_that_raced_a_write_is_not_cached(table: Table) -> None:
    await table.create(table.alice, "Racer")
    service = table.service
    engine = table.database.engine.sync_engine
    writes: list[str] = []

    def write_lands_meanwhile(*args: Any) -> None:
        # Fired while the read's SELECT is in flight: as if a write finished then.
        if not writes and "FROM characters" in str(args[2]):
            writes.append(str(args[2]))
            service.invalidate(table.campaign_id)

    event.listen(engine, "before_cursor_execute", write_lands_meanwhile)
    try:
        assert (await service.get_by_name(table.campaign_id, "Racer")).name == "Racer"
    finally:
        event.remove(engine, "before_cursor_execute", write_lands_meanwhile)
    assert len(writes) == 1

    with StatementLog(table.database) as log:
        await service.get_by_name(table.campaign_id, "Racer")
        await service.get_by_name(table.campaign_id, "Racer")
    assert log.selects_from("characters") == 1  # loaded again, and only then cached


async def test_cancelling_the_loading_caller_leaves_the_waiting_ones_served(
    table: Table,
) -> None:
    await table.create(table.alice, "Patient")
    service = table.service
    leader = asyncio.create_task(service.get_by_name(table.campaign_id, "Patient"))
    await asyncio.sleep(0)  # the leader registers its load and awaits the database
    follower = asyncio.create_task(service.get_by_name(table.campaign_id, "Patient"))
    await asyncio.sleep(0)  # the follower waits on the leader's load
    leader.cancel()

    record: CharacterRecord = await asyncio.wait_for(follower, NO_HANG_S)
    assert record.name == "Patient"
    with pytest.raises(asyncio.CancelledError):
        await leader


# A cache of size 0 ---------------------------------------------------------------------


async def test_a_cache_of_size_zero_reads_every_time(char_db: Database) -> None:
    t = await make_table(char_db, CharacterService(char_db, cache_size=0))
    await t.create(t.alice, "Uncached")
    with StatementLog(char_db) as log:
        for _ in range(3):
            assert (await t.service.get_by_name(t.campaign_id, "Uncached")).name == "Uncached"
        together = await asyncio.wait_for(
            asyncio.gather(*(t.service.get_by_name(t.campaign_id, "Uncached") for _ in range(5))),
            NO_HANG_S,
        )
    assert log.selects_from("characters") == 3 + 1  # concurrent misses still share one
    assert {record.name for record in together} == {"Uncached"}


async def test_cache_size_setting_zero_works_through_the_app(migrated_url: str) -> None:
    app = AppContext({"database_url": migrated_url, "character_cache_size": 0})
    try:
        database = await app.database()
        alice = Invocation(
            app=app, rng=random.Random(1), ruleset=Dnd5eRuleset(), identity=identity("alice")
        )
        await sheet.create(alice, sheet.SheetCreateOptions(json=example_text("rogue")))
        with StatementLog(database) as log:
            for _ in range(2):
                reply = await check.check(alice, check.CheckOptions(skill="stealth"))
                assert expertise_term(reply) == 2 * proficiency_bonus(5)
        assert log.selects_from("characters") == 2
    finally:
        await app.aclose()


async def test_a_read_that_raced_a_clear_is_not_cached(table: Table) -> None:
    await table.create(table.alice, "Racer")
    service = CharacterService(table.database)  # has never invalidated anything
    engine = table.database.engine.sync_engine
    cleared: list[str] = []

    def clear_meanwhile(*args: Any) -> None:
        if not cleared and "FROM characters" in str(args[2]):
            cleared.append(str(args[2]))
            service.clear()

    event.listen(engine, "before_cursor_execute", clear_meanwhile)
    try:
        assert (await service.get_by_name(table.campaign_id, "Racer")).name == "Racer"
    finally:
        event.remove(engine, "before_cursor_execute", clear_meanwhile)
    assert len(cleared) == 1

    with StatementLog(table.database) as log:
        await service.get_by_name(table.campaign_id, "Racer")
        await service.get_by_name(table.campaign_id, "Racer")
    assert log.selects_from("characters") == 1  # loaded again, and only then cached
