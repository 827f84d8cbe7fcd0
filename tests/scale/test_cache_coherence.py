"""Cross-instance cache coherence: NOTIFY on write, LISTEN in every server instance.

Two AppContexts on one Postgres database stand for two instances: each has
its own CharacterService cache, and B listens. The TTL is ten minutes, so only
the notification can make B see A's write.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from adventorator.commands import Invocation, sheet
from adventorator.context import AppContext
from adventorator.identity import Identity
from adventorator.sheet import parse_sheet_data
from adventorator.storage import migrate
from tests.support import PostgresServer

ROGUE = (
    '{"name": "Vex", "class": "Rogue", "level": 3, '
    '"abilities": {"str": 8, "dex": 16, "con": 12, "int": 10, "wis": 12, "cha": 10}}'
)
LONG_TTL = {"character_cache_ttl": 600.0}
GIVE_UP_S = 30.0  # a guard so a broken listener fails the test; not a latency claim


def _identity() -> Identity:
    return Identity(client="cli", campaign_key="table", player_key="cli:ann", display_name="ann")


@pytest.fixture
async def url(postgres_server: PostgresServer) -> str:
    url = postgres_server.create()
    app = AppContext({"database_url": url})
    await migrate.upgrade(await app.database(check_schema=False))
    await app.aclose()
    return url


@pytest.fixture
async def instances(url: str) -> AsyncIterator[tuple[AppContext, AppContext]]:
    a = AppContext({"database_url": url, **LONG_TTL})
    b = AppContext({"database_url": url, **LONG_TTL})
    yield a, b
    await a.aclose()
    await b.aclose()


async def _level_seen_by(app: AppContext) -> int:
    ids = await app.resolve(_identity())
    record = await (await app.characters()).get_by_name(ids.campaign_id, "Vex")
    return record.sheet.level


async def _set_level(app: AppContext, level: int) -> None:
    ids = await app.resolve(_identity())
    service = await app.characters()
    await service.update(
        campaign_id=ids.campaign_id,
        actor_id=ids.player_id,
        name="Vex",
        change=lambda stored: parse_sheet_data({**stored, "level": level}),
    )


async def _wait_for_level(app: AppContext, level: int, *, within: float) -> bool:
    deadline = asyncio.get_running_loop().time() + within
    while asyncio.get_running_loop().time() < deadline:
        if await _level_seen_by(app) == level:
            return True
        await asyncio.sleep(0.02)
    return await _level_seen_by(app) == level


async def test_a_write_on_one_instance_reaches_the_others_cache(
    instances: tuple[AppContext, AppContext],
) -> None:
    a, b = instances
    invocation = Invocation(app=a, rng=random.Random(1), identity=_identity())
    await sheet.create(invocation, sheet.SheetCreateOptions(json=ROGUE))
    listener = await b.start_cache_listener()
    assert listener is not None
    await asyncio.wait_for(listener.connected.wait(), 5)
    assert await _level_seen_by(b) == 3  # now cached in B for ten minutes

    await _set_level(a, 4)

    assert await _wait_for_level(b, 4, within=GIVE_UP_S)


async def test_without_the_listener_the_other_cache_stays_stale(
    instances: tuple[AppContext, AppContext],
) -> None:
    """The control: the TTL alone would keep B stale, so the test above is meaningful."""
    a, b = instances
    invocation = Invocation(app=a, rng=random.Random(1), identity=_identity())
    await sheet.create(invocation, sheet.SheetCreateOptions(json=ROGUE))
    assert await _level_seen_by(b) == 3

    await _set_level(a, 4)

    # Nothing tells B: its ten-minute cache still answers, right after the write.
    assert await _level_seen_by(b) == 3


async def test_a_dropped_listener_reconnects_and_clears_the_cache(
    instances: tuple[AppContext, AppContext], url: str
) -> None:
    a, b = instances
    invocation = Invocation(app=a, rng=random.Random(1), identity=_identity())
    await sheet.create(invocation, sheet.SheetCreateOptions(json=ROGUE))
    listener = await b.start_cache_listener()
    assert listener is not None
    await asyncio.wait_for(listener.connected.wait(), 5)
    assert await _level_seen_by(b) == 3

    # Kill B's LISTEN connection from the server side, then write while it is away.
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        killed = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
        )
    finally:
        await connection.close()
    assert killed == 1
    await _set_level(a, 5)

    assert await _wait_for_level(b, 5, within=GIVE_UP_S)
    assert listener.reconnects >= 1


async def test_sqlite_has_no_listener(tmp_path: object) -> None:
    app = AppContext({"database_url": f"sqlite+aiosqlite:///{tmp_path}/one.db"})
    try:
        await migrate.upgrade(await app.database(check_schema=False))
        assert await app.start_cache_listener() is None
    finally:
        await app.aclose()
