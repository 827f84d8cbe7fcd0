"""No coroutine holds a database connection while it waits on the LLM.

Twenty players act at once through one AppContext (one process) whose pool
has a single connection. The fake model holds every proposal until all twenty
are waiting on it at once (a gate, not a clock). If a turn kept its
connection across a model call, at most one proposal could ever be waiting,
the gate would never open, and every turn would fall back to the offline
narrator; so twenty LLM-narrated turns prove that none held the connection.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adventorator.config import load_settings
from adventorator.context import AppContext
from adventorator.storage import migrate
from adventorator.storage.database import Database, create_database
from tests.fakes.openai_server import ContentReply, FakeLLMServer, GateReply
from tests.play.support import MakeTable, Table, data, fighter_json, llm_settings, proposal
from tests.support import PostgresServer

PLAYERS = 20


@pytest.fixture
def slow_llm() -> Iterator[FakeLLMServer]:
    """Proposals wait at a gate until every player's is in flight; narrations are immediate."""
    with FakeLLMServer() as server:
        server.route("narrator_proposal", GateReply(PLAYERS, ContentReply(json.dumps(proposal()))))
        server.route("narration", ContentReply('{"narration": "You slip by."}'))
        yield server


class CheckoutCounter:
    """Counts the pool's connection checkouts, and the most checked out at once (pool events)."""

    def __init__(self, database: Database) -> None:
        from sqlalchemy import event

        self._pool = database.engine.sync_engine.pool
        self._event = event
        self.checkouts = 0
        self.peak = 0
        self._out = 0

    def _checkout(self, *_: object) -> None:
        self.checkouts += 1
        self._out += 1
        self.peak = max(self.peak, self._out)

    def _checkin(self, *_: object) -> None:
        self._out -= 1

    def __enter__(self) -> CheckoutCounter:
        self._event.listen(self._pool, "checkout", self._checkout)
        self._event.listen(self._pool, "checkin", self._checkin)
        return self

    def __exit__(self, *exc: object) -> None:
        self._event.remove(self._pool, "checkout", self._checkout)
        self._event.remove(self._pool, "checkin", self._checkin)


async def burst(table: Table) -> list[dict[str, Any]]:
    """Every player does one turn at once; their turns."""
    replies = await asyncio.gather(
        *(table.do("I sneak past the sleeping guard", user=f"p{n:02d}") for n in range(PLAYERS))
    )
    return [data(reply) for reply in replies]


async def prepare(table: Table) -> None:
    """A character per player, and litellm imported (a one-off ~3 s) before the burst."""
    for n in range(PLAYERS):
        await table.create(fighter_json(f"Hero {n:02d}"), user=f"p{n:02d}")
    llm = table.app.llm()
    assert llm is not None
    await llm.preload()


def assert_every_turn_whole(turns: list[dict[str, Any]], rows: list[Any]) -> None:
    for turn in turns:
        assert (turn["rejected"], turn["narrator"], turn["notice"]) == (False, "llm", None)
        assert turn["narration"] == "You slip by."
        assert turn["check"]["modifier"] == 0  # a level 1 fighter with DEX 10, no proficiency
    by_id = {row.id: row for row in rows}
    for turn in turns:
        roles = [by_id[i].role for i in turn["transcript_ids"]]
        assert roles == ["player", "mechanics", "narrator"]
        assert len({by_id[i].player_id for i in turn["transcript_ids"]}) == 1
    assert len(rows) == 3 * PLAYERS


@pytest.fixture
async def one_connection_table(
    postgres_server: PostgresServer, isolated_env: Path, slow_llm: FakeLLMServer
) -> AsyncIterator[Table]:
    """A Postgres table whose process has a pool of exactly one connection."""
    url = postgres_server.create()
    database = create_database(load_settings(database_url=url))
    try:
        await migrate.upgrade(database)
    finally:
        await database.dispose()
    settings = {"database_url": url, "db_pool_size": 1, "db_max_overflow": 0}
    app = AppContext({**settings, **llm_settings(slow_llm)})
    yield Table(app, url)
    await app.aclose()


async def test_concurrent_turns_never_hold_the_only_connection_across_the_llm(
    one_connection_table: Table, slow_llm: FakeLLMServer
) -> None:
    table = one_connection_table
    await prepare(table)
    database = await table.app.database()
    assert database.pool_status().size == 1

    with CheckoutCounter(database) as pool:
        turns = await burst(table)

    assert_every_turn_whole(turns, await table.rows())  # the gate opened: all 20 waited at once
    assert pool.checkouts >= PLAYERS  # the one connection served every turn ...
    assert pool.peak == 1  # ... one at a time
    assert database.pool_status().overflow == 0
    assert len(slow_llm.requests) == 2 * PLAYERS
    assert slow_llm.peak_in_flight >= PLAYERS


async def test_concurrent_turns_on_each_backend(
    make_table: MakeTable, slow_llm: FakeLLMServer
) -> None:
    table = await make_table(**llm_settings(slow_llm))
    await prepare(table)

    turns = await burst(table)

    assert_every_turn_whole(turns, await table.rows())
    assert slow_llm.peak_in_flight >= PLAYERS
