"""A pool of one connection, held by the test: commands fail cleanly and are counted.

``ADVENTORATOR_DB_POOL_SIZE=1``, ``..._MAX_OVERFLOW=0``, ``..._POOL_TIMEOUT=1``:
while the test holds the only connection (checked out of the app's own
engine), a command answers with an ephemeral message naming pool exhaustion
(after the pool timeout), and ``adventorator_db_pool_exhausted_total`` counts it.
Once the connection is back, the same command works again.
"""

from __future__ import annotations

from nacl.signing import SigningKey

from adventorator.context import AppContext
from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import APPLICATION_ID, Discord, command
from tests.discord.helpers import EPHEMERAL
from tests.scale.inloop import InLoopServer
from tests.support import PostgresServer, migrate_database

POOL_TIMEOUT_S = 1.0


def _exhausted_total(metrics: str) -> float:
    (line,) = [
        line
        for line in metrics.splitlines()
        if line.startswith("adventorator_db_pool_exhausted_total ")
    ]
    return float(line.split()[1])


async def test_a_command_fails_cleanly_and_is_counted_when_the_pool_is_exhausted(
    postgres_server: PostgresServer, signing_key: SigningKey, fake_discord: FakeDiscord
) -> None:
    url = postgres_server.create()
    await migrate_database(url)
    context = AppContext(
        {
            "database_url": url,
            "db_pool_size": 1,
            "db_max_overflow": 0,
            "db_pool_timeout": POOL_TIMEOUT_S,
            "discord_public_key": signing_key.verify_key.encode().hex(),
            "discord_application_id": APPLICATION_ID,
            "discord_api_base": fake_discord.base_url,
        }
    )
    async with InLoopServer(context) as server:
        discord = Discord(server.base_url, signing_key)
        listing = await discord.send(command("sheet", sub="list"))
        assert listing.status_code == 200
        assert "flags" not in listing.json()["data"], listing.text
        database = await context.database()
        assert _exhausted_total((await discord.get("/metrics")).text) == 0

        async with database.engine.connect() as held:
            assert database.pool_status().checked_out == 1
            response = await discord.send(command("sheet", sub="list"))
            assert held.closed is False

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["flags"] & EPHEMERAL
        assert "pool exhausted" in data["content"], data
        assert "Traceback" not in data["content"]
        assert _exhausted_total((await discord.get("/metrics")).text) == 1

        again = await discord.send(command("sheet", sub="list"))
        assert again.status_code == 200
        assert "flags" not in again.json()["data"], again.text
