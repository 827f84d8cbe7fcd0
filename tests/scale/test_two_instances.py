"""Two real ``adv serve`` processes on one Postgres database stay coherent.

Each instance caches character reads for ten minutes
(``ADVENTORATOR_CHARACTER_CACHE_TTL=600``), so only the NOTIFY/LISTEN path can
make instance B see a change written through instance A. The control test
points B's listener at a closed port and shows B would stay stale.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from nacl.signing import SigningKey
from sqlalchemy.engine import make_url

from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import APPLICATION_ID, Discord, command
from tests.discord.helpers import sheet_json
from tests.fakes.openai_server import free_port
from tests.scale.serve import AdvServe, serve_env
from tests.support import PostgresServer, migrate_database

GIVE_UP_S = 30.0  # a guard so a broken listener fails the test; not a latency claim
NAME = "Wren Thistlefoot"  # examples/rogue.json


@pytest.fixture
async def database_url(postgres_server: PostgresServer) -> str:
    url = postgres_server.create()
    await migrate_database(url)
    return url


@pytest.fixture
def instance_env(
    database_url: str, signing_key: SigningKey, fake_discord: FakeDiscord
) -> dict[str, str]:
    return serve_env(
        {
            "DATABASE_URL": database_url,
            "ADVENTORATOR_CHARACTER_CACHE_TTL": "600",
            "DISCORD_PUBLIC_KEY": signing_key.verify_key.encode().hex(),
            "DISCORD_APPLICATION_ID": APPLICATION_ID,
            "DISCORD_API_BASE": fake_discord.base_url,
        }
    )


def _start(env: dict[str, str]) -> AdvServe:
    return AdvServe(env)


@pytest.fixture
def instances(instance_env: dict[str, str]) -> Iterator[list[AdvServe]]:
    started: list[AdvServe] = []
    yield started
    for server in started:
        server.stop()


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _listeners(url: str) -> int:
    """Backends of this database that are LISTENing (their last query was LISTEN)."""
    connection = await asyncpg.connect(_admin_dsn(url), timeout=5)
    try:
        count = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query ILIKE 'LISTEN %'"
        )
        return int(count)
    finally:
        await connection.close()


async def _wait_for_listeners(url: str, count: int, *, within: float = 15.0) -> int:
    deadline = time.monotonic() + within
    found = await _listeners(url)
    while found < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await _listeners(url)
    return found


async def _content(discord: Discord, payload: dict[str, Any]) -> str:
    response = await discord.send(payload)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["content"])


async def _show(discord: Discord) -> str:
    return await _content(discord, command("sheet", {"name": NAME}, sub="show"))


async def _level_seen_within(discord: Discord, level: int, within: float) -> float | None:
    """Seconds until ``/sheet show`` on ``discord`` shows ``level``; None if it never did."""
    started = time.monotonic()
    while True:
        if f"level {level}" in (await _show(discord)).casefold():
            return time.monotonic() - started
        if time.monotonic() - started > within:
            return None
        await asyncio.sleep(0.02)


async def _create_show_update(a: Discord, b: Discord) -> None:
    """Create via A, cache the sheet in B, then update it via A to level 6."""
    created = await _content(a, command("sheet", {"json": sheet_json()}, sub="create"))
    assert created.startswith("Saved "), created
    shown = await _show(b)
    assert NAME in shown
    assert "level 5" in shown.casefold(), shown
    updated = await _content(
        a, command("sheet", {"name": NAME, "json": '{"level": 6}'}, sub="update")
    )
    assert updated == f"Updated {NAME}.", updated


async def test_a_write_through_one_instance_shows_on_the_other_within_a_second(
    instances: list[AdvServe],
    instance_env: dict[str, str],
    database_url: str,
    signing_key: SigningKey,
) -> None:
    instances.extend([_start(instance_env), _start(instance_env)])
    a, b = (server.wait_healthy() for server in instances)
    # Each instance's lifespan starts one LISTEN connection outside its pool.
    assert await _wait_for_listeners(database_url, 2) == 2
    discord_a = Discord(a.base_url, signing_key)
    discord_b = Discord(b.base_url, signing_key)

    await _create_show_update(discord_a, discord_b)

    took = await _level_seen_within(discord_b, 6, within=GIVE_UP_S)
    assert took is not None, f"B still shows the old sheet after {GIVE_UP_S} s"


async def test_control_without_its_listener_the_other_instance_stays_stale(
    instances: list[AdvServe],
    instance_env: dict[str, str],
    database_url: str,
    signing_key: SigningKey,
) -> None:
    """B's listener points at a closed port: its ten-minute cache keeps the old sheet."""
    closed = make_url(database_url).set(host="127.0.0.1", port=free_port())
    b_env = {**instance_env, "ADVENTORATOR_DB_LISTEN_URL": closed.render_as_string(False)}
    instances.extend([_start(instance_env), _start(b_env)])
    a, b = (server.wait_healthy() for server in instances)
    assert await _wait_for_listeners(database_url, 1) == 1
    discord_a = Discord(a.base_url, signing_key)
    discord_b = Discord(b.base_url, signing_key)

    await _create_show_update(discord_a, discord_b)

    assert "level 6" in (await _show(discord_a)).casefold()  # A itself sees its write
    assert "level 5" in (await _show(discord_b)).casefold()  # B, told nothing, does not
