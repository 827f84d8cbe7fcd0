"""Fixtures for ``do``, ``act`` and transcripts: a table of players on a fresh database.

Every test gets its own empty database of each backend (``fresh_database_url``),
migrated by the real migrations, and builds ``AppContext``s on it through
``make_table``. The LLM is the fake OpenAI-compatible server on loopback
(``fake_llm``, from the root conftest), reached over real HTTP by litellm.
Turns are read back from the database, bypassing every cache.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adventorator.context import AppContext
from tests.fakes.openai_server import FakeLLMServer
from tests.play.support import MakeTable, Table, llm_settings, rogue_json

# The table --------------------------------------------------------------------------------


@pytest.fixture
async def make_table(migrated_url: str) -> AsyncIterator[MakeTable]:
    """``await make_table(**settings)``: a Table whose AppContext has these settings."""
    apps: list[AppContext] = []

    async def make(**settings: Any) -> Table:
        app = AppContext({"database_url": migrated_url, **settings})
        apps.append(app)
        return Table(app, migrated_url)

    yield make
    for app in apps:
        await app.aclose()


@pytest.fixture
async def offline_table(make_table: MakeTable) -> Table:
    """No LLM configured; alice plays the example rogue."""
    table = await make_table()
    await table.create(rogue_json())
    return table


@pytest.fixture
async def llm_table(make_table: MakeTable, fake_llm: FakeLLMServer) -> Table:
    """The fake LLM configured; alice plays the example rogue."""
    table = await make_table(**llm_settings(fake_llm))
    await table.create(rogue_json())
    return table


# What a turn leaves behind ----------------------------------------------------------------
