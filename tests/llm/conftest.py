"""Fixtures for the LLM layer: the fake OpenAI server, the network guard, clients.

``pytest_plugins`` may only be declared in the root conftest, so the shared
fixtures are imported here by name (the autouse ``network_guard`` applies to
every test in this directory).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from adventorator.llm import LLMClient, LLMStats
from tests.fakes.network_guard import network_guard
from tests.fakes.openai_server import FakeLLMServer, fake_llm
from tests.llm.helpers import MODEL, TEST_KEY
from tests.llm.support import TRANSPORTS

__all__ = ["fake_llm", "network_guard"]


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """Each client test runs on both paths: the fast path and litellm."""
    return str(request.param)


@pytest.fixture
async def make_client(
    fake_llm: FakeLLMServer, transport: str
) -> AsyncIterator[Callable[..., LLMClient]]:
    """A client for the fake server on ``transport``, with its own stats; overrides allowed.

    The clients are closed after the test, as ``AppContext.aclose`` closes its own.
    """
    made: list[LLMClient] = []

    def make(**overrides: Any) -> LLMClient:
        options: dict[str, Any] = {
            "model": MODEL,
            "api_base": fake_llm.base_url,
            "api_key": TEST_KEY,
            "temperature": 0.2,
            "timeout": 5.0,
            "max_retries": 1,
            "fast_path": transport == "openai",
            "stats": LLMStats(),
        }
        options.update(overrides)
        client = LLMClient(**options)
        assert client.transport == transport
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()
