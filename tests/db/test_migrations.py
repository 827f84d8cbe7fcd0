"""Alembic migrations on real, empty SQLite and PostgreSQL databases."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from adventorator.config import load_settings
from adventorator.errors import InputError, SchemaMismatchError
from adventorator.storage import migrate
from adventorator.storage.database import Database, create_database
from adventorator.storage.migrate import SchemaState
from adventorator.storage.models import Base

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL_TABLES = set(Base.metadata.tables)
UNKNOWN_REVISION = "fffffffffff0"


@pytest.fixture
async def fresh_db(fresh_database_url: str, isolated_env: Path) -> AsyncIterator[Database]:
    database = create_database(load_settings(database_url=fresh_database_url))
    yield database
    await database.dispose()


async def _tables(database: Database) -> set[str]:
    def names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with database.engine.connect() as connection:
        return await connection.run_sync(names)


async def _execute(database: Database, *statements: str) -> None:
    async with database.engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))


def test_the_models_have_tables() -> None:
    assert {"campaigns", "players", "scenes", "characters", "transcript_entries"} <= MODEL_TABLES


async def test_upgrade_from_empty_creates_every_table(fresh_db: Database) -> None:
    assert await _tables(fresh_db) == set()
    assert await migrate.schema_state(fresh_db) is SchemaState.EMPTY
    assert await migrate.current_revisions(fresh_db) == ()

    await migrate.upgrade(fresh_db)

    assert await _tables(fresh_db) == MODEL_TABLES | {"alembic_version"}
    assert await migrate.current_revisions(fresh_db) == migrate.head_revisions()
    assert await migrate.schema_state(fresh_db) is SchemaState.CURRENT


async def test_check_is_clean_right_after_upgrade(fresh_db: Database) -> None:
    await migrate.upgrade(fresh_db)
    await migrate.check(fresh_db)  # raises SchemaMismatchError on any difference
    assert await migrate.schema_state(fresh_db) is SchemaState.CURRENT


async def test_upgrade_twice_is_a_no_op(fresh_db: Database) -> None:
    await migrate.upgrade(fresh_db)
    await migrate.upgrade(fresh_db)
    assert await migrate.current_revisions(fresh_db) == migrate.head_revisions()


async def test_downgrade_to_base_then_upgrade_again(fresh_db: Database) -> None:
    await migrate.upgrade(fresh_db)
    await migrate.downgrade(fresh_db, "base")

    assert await _tables(fresh_db) & MODEL_TABLES == set()
    assert await migrate.current_revisions(fresh_db) == ()
    assert await migrate.schema_state(fresh_db) is SchemaState.EMPTY

    await migrate.upgrade(fresh_db)
    assert await _tables(fresh_db) >= MODEL_TABLES
    assert await migrate.schema_state(fresh_db) is SchemaState.CURRENT
    await migrate.check(fresh_db)


async def test_unknown_target_revision_is_an_input_error(fresh_db: Database) -> None:
    with pytest.raises(InputError, match="migration failed"):
        await migrate.upgrade(fresh_db, "no-such-revision")
    assert await _tables(fresh_db) & MODEL_TABLES == set()


async def test_history_marks_applied_revisions(fresh_db: Database) -> None:
    history = await migrate.history(fresh_db)
    assert [rev.revision for rev in history if rev.is_head] == list(migrate.head_revisions())
    assert not any(rev.is_applied for rev in history)
    assert history[-1].down_revision is None
    assert all(rev.message for rev in history)

    await migrate.upgrade(fresh_db)
    assert all(rev.is_applied for rev in await migrate.history(fresh_db))


# Schema states and the guard ----------------------------------------------------


async def test_schema_ahead_of_the_code(fresh_db: Database) -> None:
    await migrate.upgrade(fresh_db)
    await _execute(fresh_db, f"UPDATE alembic_version SET version_num = '{UNKNOWN_REVISION}'")

    assert await migrate.current_revisions(fresh_db) == (UNKNOWN_REVISION,)
    assert await migrate.schema_state(fresh_db) is SchemaState.AHEAD
    for auto_upgrade in (False, True):
        with pytest.raises(SchemaMismatchError, match="newer") as raised:
            await migrate.ensure_schema(fresh_db, auto_upgrade=auto_upgrade)
        assert "upgrade Adventorator" in str(raised.value)
    # History still lists the known revisions (none of them known to be applied).
    history = await migrate.history(fresh_db)
    assert {rev.revision for rev in history} >= set(migrate.head_revisions())
    assert not any(rev.is_applied for rev in history)
    # Nothing was changed by the refusals.
    assert await migrate.current_revisions(fresh_db) == (UNKNOWN_REVISION,)


async def test_ensure_schema_refuses_an_empty_schema(fresh_db: Database) -> None:
    # With a single revision BEHIND cannot be built; EMPTY takes the same path.
    with pytest.raises(SchemaMismatchError, match="run `adv db upgrade`") as raised:
        await migrate.ensure_schema(fresh_db, auto_upgrade=False)
    assert "has no schema yet" in str(raised.value)
    assert fresh_db.describe() in str(raised.value)
    assert await _tables(fresh_db) & MODEL_TABLES == set()
    assert await migrate.schema_state(fresh_db) is SchemaState.EMPTY


async def test_ensure_schema_upgrades_when_allowed(fresh_db: Database) -> None:
    await migrate.ensure_schema(fresh_db, auto_upgrade=True)
    assert await migrate.schema_state(fresh_db) is SchemaState.CURRENT
    assert await _tables(fresh_db) >= MODEL_TABLES
    # At head, the guard passes without auto_upgrade.
    await migrate.ensure_schema(fresh_db, auto_upgrade=False)
    assert await migrate.current_revisions(fresh_db) == migrate.head_revisions()


# migrate.check against real drift --------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("ALTER TABLE transcript_entries DROP COLUMN meta", "meta"),
        ("DROP TABLE active_characters", "active_characters"),
        ("CREATE TABLE stray_table (id INTEGER PRIMARY KEY)", "stray_table"),
        ("DROP INDEX ix_transcript_entries_scene_recent", "ix_transcript_entries_scene_recent"),
    ],
)
async def test_check_detects_drift(fresh_db: Database, statement: str, named: str) -> None:
    await migrate.upgrade(fresh_db)
    await _execute(fresh_db, statement)
    with pytest.raises(SchemaMismatchError, match="differ") as raised:
        await migrate.check(fresh_db)
    assert named in str(raised.value)
    # The revision is still head: only check() sees the drift.
    assert await migrate.schema_state(fresh_db) is SchemaState.CURRENT


# The plain `alembic` command from the repository root ------------------------------


async def _run(*command: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run a real subprocess from the repository root (without blocking the loop)."""
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_alembic_upgrade_head_from_the_repository_root(
    fresh_db: Database, fresh_database_url: str
) -> None:
    env = dict(os.environ)  # isolated_env: XDG dirs in tmp, ADVENTORATOR_* cleared
    env["DATABASE_URL"] = fresh_database_url
    bin_dir = Path(sys.executable).parent

    code, _, stderr = await _run(str(bin_dir / "alembic"), "upgrade", "head", env=env)
    assert code == 0, stderr
    assert await _tables(fresh_db) == MODEL_TABLES | {"alembic_version"}
    assert await migrate.current_revisions(fresh_db) == migrate.head_revisions()

    code, stdout, stderr = await _run(str(bin_dir / "adv"), "db", "check", env=env)
    assert code == 0, stderr
    assert "schema matches the models" in stdout
