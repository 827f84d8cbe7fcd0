"""What an interaction costs the database, counted with a SQLAlchemy statement listener.

The listener sees every engine of the process, so each test first waits for
the server's startup prune (a DELETE) to be over, rather than racing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.discord.harness import command, fetch
from tests.discord.helpers import content, create_sheet, startup_prune_done
from tests.discord.support import Webhook

IDENTITY_TABLES = ("campaigns", "players", "scenes")


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement any engine in this process sends while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def test_a_warm_roll_answers_without_touching_the_database(webhook: Webhook) -> None:
    await startup_prune_done(webhook)
    await webhook.discord.send(command("roll", {"expr": "1d20"}))  # warm: engine, schema check
    payload = command("roll", {"expr": "2d20kh1"})
    with statements() as seen:
        response = await webhook.discord.send(payload)
        again = await webhook.discord.send(payload)  # a repeat runs again, harmlessly
        listed = await webhook.discord.send(command("monster", {"search": "gob"}, sub="list"))
    assert seen == []  # not a claim, not a pre-ping: pure commands change nothing
    assert response.json()["type"] == again.json()["type"] == listed.json()["type"] == 4
    assert content(response.json()).startswith("2d20kh1 (")
    assert content(again.json()).startswith("2d20kh1 (")
    rows = await fetch(
        webhook.database_url, "SELECT COUNT(*) FROM interactions WHERE id = :id", id=payload["id"]
    )
    assert rows == [(0,)]


async def test_identity_lookups_are_cached(webhook: Webhook) -> None:
    await startup_prune_done(webhook)
    await create_sheet(webhook)
    await webhook.discord.send(command("sheet", sub="list"))
    with statements() as seen:
        await webhook.discord.send(command("check", {"skill": "stealth", "dc": 10}))
        await webhook.discord.send(command("character", sub="current"))
    touched = [s for s in seen if any(f" {table} " in f"{s} " for table in IDENTITY_TABLES)]
    assert touched == []  # no get-or-create round trip for guild, channel or user
    other_channel = command("check", {"skill": "stealth"}, channel="720000000000000077")
    with statements() as seen:
        await webhook.discord.send(other_channel)
    # A new channel is not cached: its scene is looked up (or created) in the database.
    assert any(" scenes" in s for s in seen), seen
