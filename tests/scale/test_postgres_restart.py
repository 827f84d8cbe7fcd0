"""Postgres restarts under load: every request ends cleanly and the server recovers.

A stream of signed ``/roll``, ``/check``, ``/sheet list`` and ``/do`` (offline
narrator) interactions runs against one webhook while its database cluster
restarts (``pg_ctl restart -m fast``). The cluster is a private one made for
the test (``private_postgres``): restarting the machine's shared cluster would
break every other test run on it. Every request ends (the client's timeout
turns a hang into a failure) with a 200 and content or a clean failure;
afterwards commands and ``/healthz`` work again without restarting the app;
and every ``/do`` whose follow-up reported success has its transcript rows.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.discord.fake_discord import Recorded
from tests.discord.harness import command, fetch
from tests.discord.helpers import EPHEMERAL, create_sheet, for_token
from tests.discord.support import StartWebhook, Webhook
from tests.fakes.openai_server import free_port
from tests.scale.private_postgres import PrivateCluster, private_cluster, unavailable_reason
from tests.support import PostgresServer

POOL_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 2.0
SENDERS = 4
REQUESTS_EACH_SIDE = 8  # requests sent before the restart starts, and after it ends
LOAD_GUARD_S = 120.0  # a stuck load fails the test instead of hanging it


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    """A private cluster, removed afterwards; a skip (a failure under CI) without initdb."""
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"a private Postgres cluster is required under CI: {reason}")
        pytest.skip(f"cannot start a private Postgres cluster: {reason}")
    with private_cluster() as running:
        yield running


@dataclass
class Sent:
    kind: str
    payload: dict[str, Any]
    status: int = 0
    body: Any = None
    seconds: float = 0.0


@dataclass
class Load:
    sent: list[Sent] = field(default_factory=list)
    health: list[int] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    progress: asyncio.Event = field(default_factory=asyncio.Event)  # set as each request ends

    def record(self, sent: Sent) -> None:
        self.sent.append(sent)
        self.progress.set()

    async def until_sent(self, count: int) -> None:
        """Wait until ``count`` requests have ended (the guard fails a stuck load)."""
        async with asyncio.timeout(LOAD_GUARD_S):
            while len(self.sent) < count:
                self.progress.clear()
                await self.progress.wait()


def _interaction(n: int) -> tuple[str, dict[str, Any]]:
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("roll", command("roll", {"expr": "2d20kh1+3"})),
        ("check", command("check", {"skill": "stealth", "dc": 12})),
        ("list", command("sheet", sub="list")),
        ("do", command("do", {"message": f"I sneak past guard number {n}"})),
    ]
    return kinds[n % len(kinds)]


async def _send(webhook: Webhook, n: int) -> Sent:
    kind, payload = _interaction(n)
    sent = Sent(kind, payload)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        response = await webhook.discord.send(payload)
        sent.status = response.status_code
        sent.body = response.json()
    except (httpx.HTTPError, ValueError) as error:  # a dropped request or a non-JSON body
        sent.body = repr(error)
    sent.seconds = loop.time() - started  # reported, never asserted
    return sent


async def _senders(webhook: Webhook, load: Load) -> None:
    counter = iter(range(1_000_000))

    async def sender() -> None:
        while not load.stop.is_set():
            load.record(await _send(webhook, next(counter)))

    await asyncio.gather(*(sender() for _ in range(SENDERS)))


async def _health_poller(webhook: Webhook, load: Load) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        while not load.stop.is_set():
            response = await client.get(f"{webhook.server.base_url}/healthz")
            load.health.append(response.status_code)
            if response.status_code == 503:
                assert response.json()["checks"]["database"]["ok"] is False
            await asyncio.sleep(0.02)  # pacing, as a load balancer polls; it waits for nothing


async def _postmaster_started(url: str) -> Any:
    ((started,),) = await fetch(url, "SELECT pg_postmaster_start_time()")
    return started


def _clean(sent: Sent) -> bool:
    """A 200 with content (or a deferral), or a 5xx with a JSON body."""
    if sent.status == 200 and isinstance(sent.body, dict):
        if sent.body.get("type") == 5:
            return True
        return bool(sent.body.get("data", {}).get("content"))
    return sent.status >= 500 and isinstance(sent.body, dict)


async def test_the_server_rides_out_a_postgres_restart(
    start_webhook: StartWebhook, cluster: PrivateCluster
) -> None:
    url = PostgresServer(cluster.admin_url).create()
    webhook = await start_webhook(
        url, db_pool_timeout=POOL_TIMEOUT_S, db_connect_timeout=CONNECT_TIMEOUT_S
    )
    await create_sheet(webhook)
    before = await _postmaster_started(url)
    load = Load()
    try:
        running = asyncio.gather(_senders(webhook, load), _health_poller(webhook, load))
        await load.until_sent(REQUESTS_EACH_SIDE)
        await cluster.restart()  # returns once the cluster accepts connections again
        await load.until_sent(len(load.sent) + REQUESTS_EACH_SIDE)
        load.stop.set()
        await asyncio.wait_for(running, 60)
    finally:
        load.stop.set()

    assert await _postmaster_started(url) != before  # the cluster really restarted
    unclean = [s for s in load.sent if not _clean(s)]
    assert not unclean, [(s.kind, s.status, s.body) for s in unclean]
    failed = [s for s in load.sent if s.status == 200 and _ephemeral(s.body)]

    # Recovery, in the same process: /healthz and every command work again.
    async with httpx.AsyncClient(timeout=10) as client:
        health = await client.get(f"{webhook.server.base_url}/healthz")
    assert health.status_code == 200, health.text
    after = [await _send(webhook, n) for n in range(1_000_000, 1_000_004)]
    for sent in after:
        assert sent.status == 200, (sent.kind, sent.body)
        assert not _ephemeral(sent.body), (sent.kind, sent.body)

    # No acknowledged `do` lacks its transcript.
    dos = [s for s in (*load.sent, *after) if s.kind == "do" and s.body.get("type") == 5]
    acknowledged = []
    for sent in dos:
        (result,) = await asyncio.to_thread(
            webhook.api.wait_for, 1, where=_result_of(sent.payload), timeout=30
        )
        # A success edits the deferral (PATCH); a failure is an ephemeral follow-up (POST).
        if result.method == "PATCH" and not result.body.get("flags"):
            acknowledged.append(sent.payload["data"]["options"][0]["value"])
    rows = await fetch(url, "SELECT content FROM transcript_entries WHERE role = 'player'")
    recorded = {content for (content,) in rows}
    missing = [message for message in acknowledged if message not in recorded]
    assert acknowledged
    assert not missing, missing
    print(
        f"\nrestart: {len(load.sent)} requests, {len(failed)} clean failures, "
        f"max {max(s.seconds for s in load.sent):.2f} s; healthz 503 seen "
        f"{load.health.count(503)}x; {len(acknowledged)}/{len(dos)} do acknowledged"
    )


def _result_of(payload: dict[str, Any]) -> Callable[[Recorded], bool]:
    """The request that delivers a deferred result (not the DELETE of the deferral)."""
    token = for_token(payload)
    return lambda request: token(request) and request.method != "DELETE"


def _ephemeral(body: Any) -> bool:
    data = body.get("data") if isinstance(body, dict) else None
    return bool(isinstance(data, dict) and int(data.get("flags") or 0) & EPHEMERAL)


async def test_healthz_is_503_while_the_database_is_unreachable(
    start_webhook: StartWebhook, postgres_server: PostgresServer
) -> None:
    """The outage path without a restart: the database URL points at a closed port."""
    closed = make_url(postgres_server.create()).set(host="127.0.0.1", port=free_port())
    webhook = await start_webhook(
        closed.render_as_string(hide_password=False),
        migrated=False,
        db_connect_timeout=CONNECT_TIMEOUT_S,
    )
    response = await webhook.discord.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
    rolled = await webhook.discord.send(command("sheet", sub="list"))
    assert rolled.status_code == 200
    assert _ephemeral(rolled.json()), rolled.text
