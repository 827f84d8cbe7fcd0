"""Slow or abandoned bodies: cut off after the read timeout, and never ahead of real work.

A raw socket sends the headers of a signed-looking request, then dribbles or
stalls the body. It gets a 408 and a closed connection once the body timeout
passes; while it is open it is not an interaction "being answered", so a
deferred ``/do`` is not held back by it (``AckFirst`` counts every wait).
"""

from __future__ import annotations

import asyncio
import json
import re

from tests.discord.harness import command
from tests.discord.helpers import create_sheet, eventually, for_token
from tests.discord.support import StartWebhook, Webhook

BODY = json.dumps(command("roll", {"expr": "1d4"})).encode()


async def _open_stalled(webhook: Webhook) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection that has sent the headers and the first 10 bytes of BODY."""
    reader, writer = await asyncio.open_connection("127.0.0.1", webhook.server.port)
    headers = webhook.discord.headers(BODY)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(
        f"POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
        f"Content-Length: {len(BODY)}\r\n\r\n".encode()
        + BODY[:10]
    )
    await writer.drain()
    return reader, writer


async def _reading(webhook: Webhook) -> float:
    """The server's adventorator_discord_bodies_reading gauge."""
    metrics = (await webhook.discord.get("/metrics")).text
    found = re.search(r"^adventorator_discord_bodies_reading (\S+)$", metrics, re.MULTILINE)
    assert found is not None, "no bodies_reading gauge"
    return float(found[1])


async def test_a_stalled_body_gets_408_and_the_connection_closed(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    webhook = await start_webhook(fresh_database_url, app={"body_timeout": 0.3})
    reader, writer = await _open_stalled(webhook)
    for byte in BODY[10:20]:  # dribbling does not extend the deadline
        writer.write(bytes([byte]))
        await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 30)  # read() returns at EOF: closed
    writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"408", answer
    assert b"connection: close" in rest.lower()
    assert json.loads(rest.split(b"\r\n\r\n", 1)[1]) == {
        "error": "request body not received in time"
    }
    metrics = (await webhook.discord.get("/metrics")).text
    counted = 'command="-",outcome="timeout",type="unknown"} 1.0'
    assert f"adventorator_discord_interactions_total{{{counted}" in metrics
    assert await _reading(webhook) == 0


async def test_an_abandoned_body_is_answered_without_a_traceback(webhook: Webhook) -> None:
    _reader, writer = await _open_stalled(webhook)
    await eventually(lambda: _reading(webhook))
    writer.close()
    await writer.wait_closed()

    async def counted() -> bool:
        metrics = (await webhook.discord.get("/metrics")).text
        return 'outcome="disconnected",type="unknown"} 1.0' in metrics

    await eventually(counted)
    assert await _reading(webhook) == 0


async def test_a_stalled_body_does_not_hold_back_a_deferred_command(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    # The stall outlasts the test, so it is open for the whole of the /do.
    webhook = await start_webhook(fresh_database_url, app={"body_timeout": 600.0})
    await create_sheet(webhook)
    priority = webhook.server.app.state.priority
    _reader, writer = await _open_stalled(webhook)
    try:
        await eventually(lambda: _reading(webhook))  # the server is reading the stalled body
        assert priority.answering_now == 0  # unverified: not an interaction being answered
        do = command("do", {"message": "I pick the lock"})
        assert (await webhook.discord.send(do)).json() == {"type": 5}
        await asyncio.to_thread(webhook.api.wait_for, 1, where=for_token(do))
        assert priority.held_too_long == 0  # no deferred wait ran out its max_hold
        assert await _reading(webhook) == 1  # the stall was open all along
    finally:
        writer.close()
