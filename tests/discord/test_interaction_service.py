"""The interactions table through its service: claim once, replay, consume, prune."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adventorator.config import load_settings
from adventorator.services.interactions import InteractionService
from adventorator.storage.database import create_database
from tests.support import migrate_database


async def test_claim_finish_consume_prune(fresh_database_url: str) -> None:
    await migrate_database(fresh_database_url)
    database = create_database(load_settings(database_url=fresh_database_url))
    try:
        service = InteractionService(database)
        assert await service.claim("1", kind="command", user_id="7", command="roll") is None
        seen = await service.claim("1", kind="command", user_id="7", command="roll")
        assert seen is not None
        assert (seen.status, seen.response) == ("running", None)

        racing = await asyncio.gather(
            *(service.claim("2", kind="component", user_id="7") for _ in range(5))
        )
        assert sum(result is None for result in racing) == 1  # exactly one claim wins

        await service.finish("1", response={"type": 4}, meta={"choices": []})
        assert await service.wait_for_response("1", within=0.1) == {"type": 4}
        assert await service.wait_for_response("2", within=0.1) is None
        assert await service.consume("1") is True
        assert await service.consume("1") is False
        stored = await service.get("1")
        assert stored is not None
        assert stored.status == "chosen"

        assert await service.prune(older_than=timedelta(hours=1)) == 0
        assert await service.prune(older_than=timedelta(seconds=-1)) == 2
        assert await service.get("1") is None
    finally:
        await database.dispose()
