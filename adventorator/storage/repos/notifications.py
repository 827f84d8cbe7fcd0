"""Cross-instance cache invalidation: NOTIFY on commit (Postgres)."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

# Cross-instance cache invalidation ------------------------------------------

CHARACTER_CHANNEL = "adventorator_characters"


async def notify_character_change(
    session: AsyncSession, *, campaign_id: int, character_id: int
) -> None:
    """Tell other instances (LISTEN on CHARACTER_CHANNEL) that a character changed.

    Postgres delivers the notification when the transaction commits, and not
    at all if it rolls back. A no-op on SQLite, which serves one process.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    payload = json.dumps({"campaign_id": campaign_id, "character_id": character_id})
    await session.execute(select(func.pg_notify(CHARACTER_CHANNEL, payload)))
