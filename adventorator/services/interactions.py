"""Discord interactions seen by any instance: claim once, replay the stored response.

The Discord webhook claims each interaction id before running it. The claim is
one ``INSERT ... ON CONFLICT DO NOTHING``, so of several instances (or a
redelivery racing the first delivery) exactly one runs the command; the
others answer with the response stored in the same row. Every method opens its
own short transaction: no session is held while a command, the LLM or Discord
is awaited.

Every operation is a single statement (the claim reads the row only when it
lost), so they run in autocommit mode: no BEGIN and COMMIT round trips on the
hot path of every interaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from adventorator.storage import repos
from adventorator.storage.database import Database
from adventorator.storage.models import utcnow

DEFAULT_RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class StoredInteraction:
    """An interaction row, detached from any session."""

    id: str
    kind: str
    command: str | None
    user_id: str
    status: str
    response: dict[str, Any] | None
    meta: dict[str, Any] | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: RowMapping) -> StoredInteraction:
        return cls(
            id=row["id"],
            kind=row["kind"],
            command=row["command"],
            user_id=row["user_id"],
            status=row["status"],
            response=row["response"],
            meta=row["meta"],
            created_at=row["created_at"],
        )


class InteractionService:
    """Claims, outcomes and pruning of interactions."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._engine = database.engine.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """An autocommit connection: each statement commits by itself."""
        async with self._database.connection_errors(), self._engine.connect() as connection:
            yield connection

    async def claim(
        self,
        interaction_id: str,
        *,
        kind: str,
        user_id: str,
        command: str | None = None,
        response: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        finished: bool = False,
    ) -> StoredInteraction | None:
        """Claim the id: None when this call won it, else the row stored before.

        ``response`` is stored at once when it is known before running (a
        deferral), so a redelivery can be answered immediately. ``finished``
        claims an interaction whose outcome is already known (a pure command,
        run before claiming): claim and finish in one statement.
        """
        async with self._connection() as connection:
            claimed = await repos.claim_interaction(
                connection,
                interaction_id=interaction_id,
                kind=kind,
                user_id=user_id,
                command=command,
                response=response,
                meta=meta,
                status="done" if finished else "running",
            )
            if claimed:
                return None
            row = await repos.get_interaction(connection, interaction_id)
            if row is None:  # pruned between the two statements: treat as seen, no response
                return StoredInteraction(
                    interaction_id, kind, command, user_id, "done", None, None, utcnow()
                )
            return StoredInteraction.from_row(row)

    async def get(self, interaction_id: str) -> StoredInteraction | None:
        async with self._connection() as connection:
            row = await repos.get_interaction(connection, interaction_id)
            return None if row is None else StoredInteraction.from_row(row)

    async def wait_for_response(
        self, interaction_id: str, *, within: float, interval: float = 0.05
    ) -> dict[str, Any] | None:
        """The stored response, polling while another instance is still running it."""
        deadline = time.monotonic() + within
        while True:
            stored = await self.get(interaction_id)
            if stored is not None and stored.response is not None:
                return stored.response
            if time.monotonic() + interval > deadline:
                return None
            await asyncio.sleep(interval)

    async def finish(
        self,
        interaction_id: str,
        *,
        status: str = "done",
        response: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Store the outcome (``response`` and ``meta`` only when given)."""
        async with self._connection() as connection:
            await repos.finish_interaction(
                connection, interaction_id, status=status, response=response, meta=meta
            )

    async def consume(self, interaction_id: str) -> bool:
        """Mark a finished interaction's choices as used; False when already used."""
        async with self._connection() as connection:
            return await repos.consume_interaction(connection, interaction_id)

    async def prune(self, *, older_than: timedelta = DEFAULT_RETENTION) -> int:
        """Delete interactions older than ``older_than``; returns how many.

        Their buttons stop working afterwards; Discord's own tokens last 15 minutes.
        """
        async with self._connection() as connection:
            return await repos.prune_interactions(connection, before=utcnow() - older_than)
