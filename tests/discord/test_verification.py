"""Verification comes first: nothing unsigned, stale or oversized is parsed or stored."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
from nacl.signing import SigningKey

from tests.discord.harness import command, row_counts
from tests.discord.helpers import create_sheet
from tests.discord.support import Webhook


async def test_ping_gets_pong(webhook: Webhook) -> None:
    response = await webhook.discord.send({"id": "1", "type": 1, "token": "t", "version": 1})
    assert response.status_code == 200
    assert response.json() == {"type": 1}


async def test_failed_verification_is_401_and_writes_nothing(webhook: Webhook) -> None:
    await create_sheet(webhook)  # a character, so a verified /do would write to the transcript
    before = await row_counts(webhook.database_url)
    payload = command("do", {"message": "I open the door"})
    body = json.dumps(payload).encode()
    good = webhook.discord.headers(body)
    other_key = SigningKey.generate()
    cases = {
        "no signature": {"X-Signature-Timestamp": good["X-Signature-Timestamp"]},
        "no timestamp": {"X-Signature-Ed25519": good["X-Signature-Ed25519"]},
        "no headers": {},
        "wrong key": {
            **good,
            "X-Signature-Ed25519": other_key.sign(
                good["X-Signature-Timestamp"].encode() + body
            ).signature.hex(),
        },
        "not hex": {**good, "X-Signature-Ed25519": "zz" * 64},
        "short signature": {**good, "X-Signature-Ed25519": "ab" * 10},
        "timestamp not a number": {**good, "X-Signature-Timestamp": "yesterday"},
    }
    for name, headers in cases.items():
        response = await _post(webhook, body, headers)
        assert response.status_code == 401, name
    tampered = body.replace(b"I open the door", b"I open the vault")
    assert (await _post(webhook, tampered, good)).status_code == 401
    for skew in (-302, 302, -3600):  # a replayed (or far future) but well-signed request
        response = await webhook.discord.send(payload, timestamp=int(time.time()) + skew)
        assert response.status_code == 401, skew
    assert await row_counts(webhook.database_url) == before
    assert webhook.api.requests == []
    # Within the window is accepted.
    within = int(time.time()) - 200
    response = await webhook.discord.send(command("roll", {"expr": "1d4"}), timestamp=within)
    assert response.status_code == 200


async def test_oversized_and_malformed_bodies(webhook: Webhook) -> None:
    before = await row_counts(webhook.database_url)
    big = json.dumps({**command("roll", {"expr": "1d4"}), "pad": "x" * 70_000}).encode()
    response = await webhook.discord.send(big)
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the read size decides
        for _ in range(70):
            yield b"x" * 1024

    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{webhook.server.base_url}/interactions",
            content=chunks(),
            headers=webhook.discord.headers(b"x" * 70 * 1024),
        )
    assert response.status_code == 413
    assert await _declared_length(webhook, 999_999_999) == 413  # refused before reading

    for raw in (b"{not json", b"[1, 2]", b'{"type": "2"}', b"\xff\xfe"):
        response = await webhook.discord.send(raw)
        assert response.status_code == 400, raw
    incomplete = command("roll", {"expr": "1d4"})
    del incomplete["member"]
    response = await webhook.discord.send(incomplete)
    assert response.status_code == 400
    assert await row_counts(webhook.database_url) == before


async def _post(webhook: Webhook, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"{webhook.server.base_url}/interactions", content=body, headers=headers
        )


async def _declared_length(webhook: Webhook, length: int) -> int:
    """The status for a request that declares ``length`` bytes and sends a few."""
    reader, writer = await asyncio.open_connection("127.0.0.1", webhook.server.port)
    headers = webhook.discord.headers(b"{}")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(
        f"POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
        f"Content-Length: {length}\r\n\r\n{{}}".encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return int(status_line.split()[1])
