"""AppContext: lazy settings, and the schema guard every game command passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from adventorator.context import AppContext
from adventorator.errors import SchemaMismatchError
from adventorator.storage import migrate
from adventorator.storage.migrate import SchemaState


async def test_embedded_default_is_created_and_upgraded_on_first_use(isolated_env: Path) -> None:
    app = AppContext()
    try:
        database = await app.database()
        assert app.settings.is_embedded_default
        assert await migrate.schema_state(database) is SchemaState.CURRENT
        assert app.settings.sqlite_default_path.is_file()
        assert app.settings.sqlite_default_path.is_relative_to(isolated_env / "xdg-data")
    finally:
        await app.aclose()


async def test_a_configured_database_is_never_upgraded_implicitly(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, fresh_database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    app = AppContext()
    try:
        with pytest.raises(SchemaMismatchError, match="run `adv db upgrade`"):
            await app.database()
        unchecked = await app.database(check_schema=False)
        assert await migrate.schema_state(unchecked) is SchemaState.EMPTY
        await migrate.upgrade(unchecked)
        assert await app.database() is unchecked
    finally:
        await app.aclose()


def test_overrides_reach_the_settings(isolated_env: Path) -> None:
    app = AppContext({"campaign": "heist", "user": None})
    assert app.settings.campaign == "heist"
    assert app.overrides == {"campaign": "heist", "user": None}
