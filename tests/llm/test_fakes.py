"""The shared fakes themselves: the fake OpenAI server and the network guard."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest

from adventorator.errors import LLMError
from adventorator.llm import LLMClient, LLMStats
from tests.fakes.network_guard import NetworkGuard, NonLoopbackConnectionError
from tests.fakes.openai_server import ContentReply, FakeLLMServer, StatusReply
from tests.llm.helpers import MODEL


def post(server: FakeLLMServer, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    request = urllib.request.Request(
        server.base_url + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer anything"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), ""
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers.get("Retry-After", "")


def test_fake_server_script_and_recording(fake_llm: FakeLLMServer) -> None:
    fake_llm.reply_json({"a": 1}).reply_status(429, retry_after=3).reply_text("raw")
    fake_llm.set_default(StatusReply(503))

    results = [
        post(fake_llm, {"messages": [{"role": "user", "content": f"m{i}"}]}) for i in range(4)
    ]

    status, body, _ = results[0]
    assert status == 200
    assert json.loads(body["choices"][0]["message"]["content"]) == {"a": 1}
    assert results[1][0] == 429
    assert results[1][2] == "3"
    assert results[2][1]["choices"][0]["message"]["content"] == "raw"
    assert results[3][0] == 503
    assert [r.messages[0]["content"] for r in fake_llm.requests] == ["m0", "m1", "m2", "m3"]
    assert "m2" in fake_llm.requests[2].prompt_text
    assert fake_llm.requests[0].headers["authorization"] == "Bearer anything"


def test_routes_answer_by_schema_name_before_the_queue(fake_llm: FakeLLMServer) -> None:
    fake_llm.route("narration", ContentReply('{"narration": "routed"}'))
    fake_llm.reply_text("queued")

    def asking_for(name: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"messages": [{"role": "user", "content": "x"}]}
        if name is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": name}}
        return body

    def content(body: dict[str, Any]) -> str:
        return str(post(fake_llm, body)[1]["choices"][0]["message"]["content"])

    assert content(asking_for("narration")) == '{"narration": "routed"}'
    assert content(asking_for("narration")) == '{"narration": "routed"}'  # never used up
    assert content(asking_for("planner_output")) == "queued"  # no route: the queue
    assert content(asking_for(None)) == json.dumps({"narration": "Default reply."})
    assert [r.schema_name for r in fake_llm.requests] == [
        "narration",
        "narration",
        "planner_output",
        None,
    ]


def test_guard_blocks_non_loopback(network_guard: NetworkGuard) -> None:
    with pytest.raises(NonLoopbackConnectionError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)
    with pytest.raises(NonLoopbackConnectionError):
        socket.create_connection(("example.com", 443), timeout=0.5)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NonLoopbackConnectionError):
            sock.connect(("203.0.113.7", 443))
        with pytest.raises(NonLoopbackConnectionError):
            sock.connect_ex(("198.51.100.9", 443))
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(NonLoopbackConnectionError),
    ):
        sock.connect(("8.8.8.8", 53))  # UDP too (a DNS server)

    assert len(network_guard.acknowledge()) == 5


async def test_guard_blocks_asyncio_connections(network_guard: NetworkGuard) -> None:
    with pytest.raises(NonLoopbackConnectionError):
        await asyncio.open_connection("192.0.2.1", 80)

    assert network_guard.acknowledge() == ["('192.0.2.1', 80)"]


async def test_guard_catches_litellm_leaving_loopback(network_guard: NetworkGuard) -> None:
    client = LLMClient(
        model=MODEL,
        api_base="http://192.0.2.1:8080/v1",
        api_key="k",
        timeout=2,
        max_retries=0,
        stats=LLMStats(),
    )

    with pytest.raises(LLMError):
        await client.complete_text([{"role": "user", "content": "hello"}])

    assert network_guard.acknowledge() == ["('192.0.2.1', 8080)"]


def test_guard_allows_loopback_and_unix(fake_llm: FakeLLMServer) -> None:
    guard = NetworkGuard()
    for address in [
        ("127.0.0.1", 80),
        ("127.8.9.10", 80),
        ("::1", 80, 0, 0),
        ("::ffff:127.0.0.1", 80, 0, 0),
        ("localhost", 80),
        "/tmp/some.sock",
        b"\0abstract",
    ]:
        assert guard.is_allowed(address), address
    for address in [("10.0.0.1", 80), ("8.8.8.8", 53), ("2001:db8::1", 80, 0, 0), ("a.b", 1)]:
        assert not guard.is_allowed(address), address
    with socket.create_connection(("127.0.0.1", fake_llm.port), timeout=2):
        pass


def test_guard_allow_list() -> None:
    assert NetworkGuard(allowed_hosts=["10.1.2.3"]).is_allowed(("10.1.2.3", 5432))
