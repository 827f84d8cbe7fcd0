"""No coroutine holds a database connection while it waits on the LLM.

Twenty players act at once through one AppContext (one process) whose pool
has a single connection, while every model reply takes 0.5 s. If a turn kept
its connection across a model call, the turns would queue behind each other
(20 turns x 2 calls x 0.5 s = 20 s) and at most one model call would ever be
in flight. The issue's bound for the whole burst is under 10 s.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adventorator import migrate
from adventorator.app import AppContext
from adventorator.config import load_settings
from adventorator.db import Database, create_database
from tests.conftest import PostgresServer
from tests.fakes.openai_server import ContentReply, DelayReply, FakeLLMServer
from tests.play.conftest import (
    MakeTable,
    Table,
    data,
    fighter_json,
    llm_settings,
    proposal,
)

PLAYERS = 20
REPLY_SECONDS = 0.5
BURST_BOUND = 10.0  # the stated bound for the whole burst


@pytest.fixture
def slow_llm() -> Iterator[FakeLLMServer]:
    """Every proposal and every narration takes REPLY_SECONDS."""
    with FakeLLMServer() as server:
        server.route(
            "narrator_proposal", DelayReply(REPLY_SECONDS, ContentReply(json.dumps(proposal())))
        )
        server.route(
            "narration", DelayReply(REPLY_SECONDS, ContentReply('{"narration": "You slip by."}'))
        )
        yield server


class PoolWatcher:
    """Samples the pool's checked-out connections in the background."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.samples: list[int] = []
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.samples.append(self._database.pool_status().checked_out)
            await asyncio.sleep(0.002)

    def __enter__(self) -> PoolWatcher:
        self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def peak_in_flight(started: list[float], seconds: float) -> int:
    """The most model calls in flight at once, each taking ``seconds`` from its start."""
    return max(sum(1 for other in started if s <= other < s + seconds) for s in started)


async def burst(table: Table) -> tuple[list[dict[str, Any]], float]:
    """Every player does one turn at once; (their turns, seconds for the burst)."""
    started = time.monotonic()
    replies = await asyncio.gather(
        *(table.do("I sneak past the sleeping guard", user=f"p{n:02d}") for n in range(PLAYERS))
    )
    return [data(reply) for reply in replies], time.monotonic() - started


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

    with PoolWatcher(database) as watcher:
        turns, seconds = await burst(table)

    assert seconds < BURST_BOUND, f"the burst took {seconds:.1f} s"
    assert_every_turn_whole(turns, await table.rows())
    assert max(watcher.samples) == 1  # the one connection was used ...
    assert all(checked_out <= 1 for checked_out in watcher.samples)  # ... and never more
    assert database.pool_status().overflow == 0
    starts = [request.received_at for request in slow_llm.requests]
    assert len(starts) == 2 * PLAYERS
    # Many model calls waited at the same time, so none of them held the one connection.
    assert peak_in_flight(starts, REPLY_SECONDS * 0.8) >= PLAYERS // 2


async def test_concurrent_turns_on_each_backend(
    make_table: MakeTable, slow_llm: FakeLLMServer
) -> None:
    table = await make_table(**llm_settings(slow_llm))
    await prepare(table)

    turns, seconds = await burst(table)

    assert seconds < BURST_BOUND, f"the burst took {seconds:.1f} s"
    assert_every_turn_whole(turns, await table.rows())
