"""Fixtures for the characters feature.

The service commits, so every test here gets its own empty database of each
backend (``fresh_database_url``), migrated by the real migrations. Helpers:
a campaign with two players (``table``), a fake clock for the cache's TTL, a
log of the SQL statements an engine sends, and the ``adv`` CLI run in process
through Typer's runner (``cli``) with the resulting rows read back through the
library.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adventorator.services.characters import CharacterService
from adventorator.storage.database import Database
from tests.characters.support import Cli, Table, make_table, open_database
from tests.support import adv_app

# Databases ---------------------------------------------------------------------------


@pytest.fixture
async def char_db(migrated_url: str) -> AsyncIterator[Database]:
    database = open_database(migrated_url)
    yield database
    await database.dispose()


@pytest.fixture
async def table(char_db: Database) -> Table:
    return await make_table(char_db, CharacterService(char_db))


# The CLI, in process -----------------------------------------------------------------


@pytest.fixture
def cli(migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    return Cli(migrated_url, adv_app())
