"""Cross-instance cache coherence: LISTEN for character changes on Postgres.

Every character write sends ``NOTIFY adventorator_characters, '{"campaign_id":
C, "character_id": X}'`` inside its transaction. Each server instance keeps
one dedicated asyncpg connection, outside the pool, listening on that
channel, and invalidates the campaign's cached reads when a message arrives.

If the connection drops, the listener reconnects with backoff and clears the
whole cache once it is back, since notifications sent meanwhile are lost.
PgBouncer in transaction mode cannot relay LISTEN, so the listener connects to
``ADVENTORATOR_DB_LISTEN_URL`` when it is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from adventorator.storage.repos import CHARACTER_CHANNEL

log = logging.getLogger("adventorator.cache_events")

HEALTH_CHECK_INTERVAL_S = 10.0
BACKOFF_INITIAL_S = 0.5
BACKOFF_MAX_S = 15.0


class CharacterChangeListener:
    """Keeps a LISTEN connection alive and forwards changes to callbacks."""

    def __init__(
        self,
        dsn: str,
        *,
        on_change: Callable[[int], None],
        on_reconnect: Callable[[], None],
        connect_timeout: float = 5.0,
    ) -> None:
        self._dsn = dsn
        self._on_change = on_change
        self._on_reconnect = on_reconnect
        self._connect_timeout = connect_timeout
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.reconnects = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="character-change-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.connected.clear()

    async def _run(self) -> None:
        delay = BACKOFF_INITIAL_S
        first = True
        while True:
            try:
                await self._listen_once(first=first)
                delay = BACKOFF_INITIAL_S
            except (OSError, asyncpg.PostgresError, TimeoutError) as error:
                log.warning("listener connection failed: %s; retrying in %.1f s", error, delay)
            self.connected.clear()
            first = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX_S)

    async def _listen_once(self, *, first: bool) -> None:
        connection = await asyncpg.connect(self._dsn, timeout=self._connect_timeout)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHARACTER_CHANNEL, self._deliver)
            if not first:
                # Anything sent while we were away is lost: start from nothing.
                self.reconnects += 1
                self._on_reconnect()
                log.info("listener reconnected; cleared the character cache")
            self.connected.set()
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), HEALTH_CHECK_INTERVAL_S)
                if not lost.is_set():  # a silent network drop shows only on use
                    await connection.execute("SELECT 1", timeout=self._connect_timeout)
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)

    def _deliver(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            campaign_id = int(json.loads(payload)["campaign_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed %s payload: %.100r", CHARACTER_CHANNEL, payload)
            return
        self._on_change(campaign_id)
