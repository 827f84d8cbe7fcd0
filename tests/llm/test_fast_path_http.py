"""The fast path's HTTP client: proxies, TLS trust, the connection cap, the body bound, closing.

Real requests to the fake OpenAI server on loopback; the server stands in for a
proxy too (a proxied request arrives with the absolute URL in its request line).
"""

from __future__ import annotations

import asyncio
import os
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from adventorator.config import load_settings
from adventorator.errors import ConfigError, LLMError
from adventorator.limits import LLM_REPLY_BYTES
from adventorator.llm import LLMClient, LLMStats
from tests.fakes.openai_server import ContentReply, FakeLLMServer, GateReply, free_port
from tests.llm.helpers import MODEL, TEST_KEY

MESSAGES = [{"role": "user", "content": "hello"}]
_PROXY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
PROXY_VARIABLES = [*_PROXY_NAMES, *(name.lower() for name in _PROXY_NAMES)]

MakeFastClient = Callable[..., LLMClient]


@pytest.fixture
async def fast_client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[MakeFastClient]:
    """``fast_client(api_base, **options)``: a fast-path client, closed after the test; no
    proxy set."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    made: list[LLMClient] = []

    def make(api_base: str, **options: Any) -> LLMClient:
        settings: dict[str, Any] = {"model": MODEL, "api_key": TEST_KEY, "max_retries": 1}
        client = LLMClient(api_base=api_base, stats=LLMStats(), **{**settings, **options})
        assert client.transport == "openai"
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def test_a_proxy_from_the_environment_carries_the_request(
    fast_client: MakeFastClient, fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_llm.reply_text("hi")
    monkeypatch.setenv("HTTP_PROXY", fake_llm.base_url.removesuffix("/v1"))
    client = fast_client("http://model.invalid:9/v1")

    # The fake answers an absolute request line with its 404: the proxy got the request.
    with pytest.raises(LLMError, match="HTTP 404"):
        await client.complete_text(MESSAGES)

    assert [r.path for r in fake_llm.requests] == ["http://model.invalid:9/v1/chat/completions"]


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*"])
async def test_no_proxy_sends_the_request_directly(
    fast_client: MakeFastClient,
    fake_llm: FakeLLMServer,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    fake_llm.reply_text("hi")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.setenv("NO_PROXY", no_proxy)

    assert await fast_client(fake_llm.base_url).complete_text(MESSAGES) == "hi"


async def test_an_unreachable_proxy_is_a_connection_failure(
    fast_client: MakeFastClient, fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")

    with pytest.raises(LLMError, match="connection refused"):
        await fast_client(fake_llm.base_url).complete_text(MESSAGES)

    assert fake_llm.requests == []


async def test_a_closed_client_opens_a_new_session_for_the_next_call(
    fast_client: MakeFastClient, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_text("one")
    fake_llm.reply_text("two")
    client = fast_client(fake_llm.base_url)

    assert await client.complete_text(MESSAGES) == "one"
    await client.aclose()
    await client.aclose()  # twice is harmless
    assert await client.complete_text(MESSAGES) == "two"

    assert len(fake_llm.requests) == 2


@pytest.mark.parametrize("cap", [1, 3])
async def test_at_most_max_connections_requests_are_open_at_once(
    fast_client: MakeFastClient, fake_llm: FakeLLMServer, cap: int
) -> None:
    # Each request is held until `cap` wait at once: the first `cap` pass together, no sleep.
    fake_llm.set_default(GateReply(cap, then=ContentReply("hi")))
    client = fast_client(fake_llm.base_url, max_connections=cap)

    replies = await asyncio.gather(*(client.complete_text(MESSAGES) for _ in range(8)))

    assert replies == ["hi"] * 8
    assert fake_llm.peak_in_flight == cap  # the rest waited for a connection


def test_the_cap_is_a_setting(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVENTORATOR_LLM_MAX_CONNECTIONS", "7")

    assert load_settings().llm_max_connections == 7
    monkeypatch.setenv("ADVENTORATOR_LLM_MAX_CONNECTIONS", "0")
    with pytest.raises(ConfigError, match="LLM_MAX_CONNECTIONS"):
        load_settings()


@pytest.mark.parametrize("size", [LLM_REPLY_BYTES, 5 * LLM_REPLY_BYTES])
async def test_a_reply_body_over_the_bound_is_not_read_on(
    fast_client: MakeFastClient, fake_llm: FakeLLMServer, size: int
) -> None:
    fake_llm.reply_text("x" * size)  # the JSON envelope takes the body over the bound

    with pytest.raises(LLMError, match=r"invalid output: the reply was over 1,048,576 bytes"):
        await fast_client(fake_llm.base_url).complete_text(MESSAGES)

    assert len(fake_llm.requests) == 1  # refused, not retried


async def test_a_reply_just_under_the_body_bound_meets_the_character_bound(
    fast_client: MakeFastClient, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_text("x" * (LLM_REPLY_BYTES - 1_000))

    with pytest.raises(LLMError, match=r"the reply was 1,047,576 characters"):
        await fast_client(fake_llm.base_url).complete_text(MESSAGES)


@pytest.fixture
def tls_llm(tmp_path: Path) -> Iterator[tuple[FakeLLMServer, Path]]:
    """The fake served over HTTPS with a certificate from a throwaway CA; the CA's PEM file."""
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    with FakeLLMServer(tls=context) as server:
        yield server, bundle


async def test_an_untrusted_certificate_is_named_as_the_cause(
    fast_client: MakeFastClient, tls_llm: tuple[FakeLLMServer, Path]
) -> None:
    server, _ = tls_llm
    assert server.base_url.startswith("https://")

    with pytest.raises(LLMError, match=r"TLS certificate is not trusted \(SSL_CERT_FILE"):
        await fast_client(server.base_url).complete_text(MESSAGES)

    assert server.requests == []


@pytest.mark.slow
def test_ssl_cert_file_trusts_the_server(tls_llm: tuple[FakeLLMServer, Path]) -> None:
    """In a new process: the TLS context is built when aiohttp is first imported."""
    server, bundle = tls_llm
    server.reply_text("over TLS")
    script = (
        "import asyncio, sys\n"
        "from adventorator.llm import LLMClient\n"
        "async def main():\n"
        "    client = LLMClient(model='openai/m', api_base=sys.argv[1], api_key='k')\n"
        "    print(await client.complete_text([{'role': 'user', 'content': 'hi'}]))\n"
        "    await client.aclose()\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "SSL_CERT_FILE": str(bundle)}
    done = subprocess.run(
        [sys.executable, "-c", script, server.base_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (done.returncode, done.stdout.strip()) == (0, "over TLS"), done.stderr
