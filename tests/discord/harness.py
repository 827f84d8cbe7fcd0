"""The suite acts as Discord: a real uvicorn server, signed requests, real databases.

``WebhookServer`` runs ``create_app`` under ``uvicorn.Server`` in a background
thread on a loopback socket. ``Discord`` signs requests with a key pair made
for the run and posts them over real HTTP. The payload builders make
interactions shaped as Discord sends them (API v10).
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import uvicorn
from nacl.signing import SigningKey
from sqlalchemy import text

from adventorator.config import load_settings
from adventorator.context import AppContext
from adventorator.discord_webhook import create_app
from adventorator.storage.database import create_database
from adventorator.storage.models import Base

APPLICATION_ID = "700000000000000001"
GUILD = "710000000000000001"
CHANNEL = "720000000000000001"
ALICE = "730000000000000001"
BOB = "730000000000000002"
TABLES = (*Base.metadata.tables, "alembic_version")

_ids = itertools.count(800_000_000_000_000_000)


def next_id() -> str:
    return str(next(_ids))


class WebhookServer:
    """``create_app(context)`` served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, context: AppContext, *, shutdown_grace: float = 10.0, **app: Any) -> None:
        self.context = context
        self.app = create_app(context, shutdown_grace=shutdown_grace, **app)
        config = uvicorn.Config(
            self.app, lifespan="on", log_level="warning", access_log=False, loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebhookServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the webhook server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> float:
        """Ask uvicorn to exit and wait for it (lifespan shutdown included); seconds taken."""
        started = time.monotonic()
        self.server.should_exit = True
        self._thread.join(timeout=60)
        self._socket.close()
        return time.monotonic() - started


class Discord:
    """Signs and sends interactions the way Discord does."""

    def __init__(self, base_url: str, key: SigningKey) -> None:
        self.base_url = base_url
        self.key = key

    def headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.key.sign(stamp.encode() + body).signature.hex()
        return {
            "X-Signature-Ed25519": signature,
            "X-Signature-Timestamp": stamp,
            "Content-Type": "application/json",
        }

    async def send(
        self,
        payload: Mapping[str, Any] | bytes,
        *,
        timestamp: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        sent = {**self.headers(body, timestamp=timestamp), **(headers or {})}
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.post(f"{self.base_url}/interactions", content=body, headers=sent)

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=30) as client:
            return await client.get(f"{self.base_url}{path}")


# Payloads -------------------------------------------------------------------


def _where(
    user: str, guild: str | None, channel: str, interaction_id: str | None
) -> dict[str, Any]:
    identifier = interaction_id or next_id()
    base: dict[str, Any] = {
        "id": identifier,
        "application_id": APPLICATION_ID,
        "token": f"token-{identifier}-secret",
        "channel_id": channel,
        "version": 1,
    }
    person = {"id": user, "username": f"user{user[-2:]}", "global_name": f"User {user[-2:]}"}
    if guild is None:
        base["user"] = person
    else:
        base["guild_id"] = guild
        base["member"] = {"user": person, "nick": None, "roles": []}
    return base


def option(name: str, value: Any, *, focused: bool = False) -> dict[str, Any]:
    kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
    item: dict[str, Any] = {"name": name, "type": kind, "value": value}
    if focused:
        item["focused"] = True
    return item


def command(
    name: str,
    options: Sequence[Mapping[str, Any]] | Mapping[str, Any] = (),
    *,
    sub: str | None = None,
    user: str = ALICE,
    guild: str | None = GUILD,
    channel: str = CHANNEL,
    interaction_id: str | None = None,
    kind: int = 2,
) -> dict[str, Any]:
    """An APPLICATION_COMMAND (or, with kind=4, an autocomplete) interaction."""
    if isinstance(options, Mapping):
        options = [option(key, value) for key, value in options.items()]
    data: dict[str, Any] = {"id": "1", "name": name, "type": 1}
    if sub is not None:
        data["options"] = [{"name": sub, "type": 1, "options": list(options)}]
    elif options:
        data["options"] = list(options)
    return {**_where(user, guild, channel, interaction_id), "type": kind, "data": data}


def component(
    custom_id: str,
    *,
    user: str = ALICE,
    guild: str | None = GUILD,
    channel: str = CHANNEL,
    interaction_id: str | None = None,
) -> dict[str, Any]:
    """A MESSAGE_COMPONENT interaction: a button click."""
    payload = _where(user, guild, channel, interaction_id)
    payload.update(
        type=3,
        data={"custom_id": custom_id, "component_type": 2},
        message={"id": "901", "content": "", "components": []},
    )
    return payload


# Database -------------------------------------------------------------------


async def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the schema (and alembic_version)."""
    database = create_database(load_settings(database_url=url))
    try:
        async with database.engine.connect() as connection:
            counts = {}
            for table in TABLES:
                result = await connection.execute(text(f'SELECT COUNT(*) FROM "{table}"'))
                counts[table] = int(result.scalar_one())
            return counts
    finally:
        await database.dispose()


async def fetch(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    database = create_database(load_settings(database_url=url))
    try:
        async with database.engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params)]
    finally:
        await database.dispose()
