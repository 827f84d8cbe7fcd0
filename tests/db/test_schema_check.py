"""The one-query schema check (storage.schema): the same verdicts as Alembic's, without it.

At head it answers from ``alembic_version`` alone; every other state goes to
``migrate.ensure_schema``, so its refusals must read exactly as Alembic's path.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adventorator.config import load_settings
from adventorator.errors import DatabaseError, ForeignDatabaseError, SchemaMismatchError
from adventorator.storage import migrate, schema
from adventorator.storage.database import Database, create_database
from adventorator.storage.migrations import HEAD_REVISION

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rogue.json"
# Runs the real CLI in this process, then reports whether Alembic and the
# Postgres dialect were imported.
CLI_THEN_REPORT = (
    "import sys\n"
    "from adventorator.cli import main\n"
    "sys.argv = ['adv', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as done:\n"
    "    assert not done.code, done.code\n"
    "print('alembic loaded:', 'alembic' in sys.modules)\n"
    "print('postgres dialect loaded:', 'sqlalchemy.dialects.postgresql' in sys.modules)\n"
)


@pytest.fixture
async def fresh_db(fresh_database_url: str, isolated_env: Path) -> AsyncIterator[Database]:
    database = create_database(load_settings(database_url=fresh_database_url))
    yield database
    await database.dispose()


async def _execute(database: Database, *statements: str) -> None:
    async with database.engine.begin() as connection:
        for statement in statements:
            await connection.exec_driver_sql(statement)


async def _same_refusal(database: Database, *, auto_upgrade: bool) -> DatabaseError:
    """The error of the fast check, asserted identical to Alembic's path."""
    with pytest.raises(DatabaseError) as fast:
        await schema.ensure_schema(database, auto_upgrade=auto_upgrade)
    with pytest.raises(DatabaseError) as slow:
        await migrate.ensure_schema(database, auto_upgrade=auto_upgrade)
    assert type(fast.value) is type(slow.value)
    assert str(fast.value) == str(slow.value)
    return fast.value


def test_head_revision_is_alembics_head() -> None:
    # Adding a migration without updating HEAD_REVISION fails here.
    assert migrate.head_revisions() == (HEAD_REVISION,)


async def test_at_head_in_one_query(fresh_db: Database) -> None:
    await migrate.upgrade(fresh_db)
    assert await schema.is_at_head(fresh_db)
    await schema.ensure_schema(fresh_db, auto_upgrade=False)


async def test_an_empty_database_is_refused_or_upgraded(fresh_db: Database) -> None:
    assert not await schema.is_at_head(fresh_db)  # no alembic_version table at all
    refused = await _same_refusal(fresh_db, auto_upgrade=False)
    assert isinstance(refused, SchemaMismatchError)
    assert "has no schema yet: run `adv db upgrade`" in str(refused)

    await schema.ensure_schema(fresh_db, auto_upgrade=True)
    assert await schema.is_at_head(fresh_db)
    assert await migrate.current_revisions(fresh_db) == (HEAD_REVISION,)


async def test_a_schema_behind_is_refused_or_upgraded(fresh_db: Database) -> None:
    await migrate.upgrade(fresh_db)
    await migrate.downgrade(fresh_db, "-1")
    assert not await schema.is_at_head(fresh_db)
    refused = await _same_refusal(fresh_db, auto_upgrade=False)
    assert "is behind the code: run `adv db upgrade`" in str(refused)

    await schema.ensure_schema(fresh_db, auto_upgrade=True)
    assert await migrate.current_revisions(fresh_db) == (HEAD_REVISION,)


async def test_a_schema_ahead_is_refused_even_with_auto_upgrade(fresh_db: Database) -> None:
    await migrate.upgrade(fresh_db)
    await _execute(fresh_db, "UPDATE alembic_version SET version_num = 'fffffffffff0'")
    for auto_upgrade in (False, True):
        refused = await _same_refusal(fresh_db, auto_upgrade=auto_upgrade)
        assert isinstance(refused, SchemaMismatchError)
        assert "newer than this version of Adventorator knows" in str(refused)
    assert await migrate.current_revisions(fresh_db) == ("fffffffffff0",)


@pytest.mark.parametrize("empty_history", [False, True])
async def test_a_foreign_database_is_refused(fresh_db: Database, empty_history: bool) -> None:
    await _execute(fresh_db, "CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    if empty_history:
        await _execute(fresh_db, "CREATE TABLE alembic_version (version_num VARCHAR(32))")
    for auto_upgrade in (True, False):
        refused = await _same_refusal(fresh_db, auto_upgrade=auto_upgrade)
        assert isinstance(refused, ForeignDatabaseError)
    assert await migrate.current_revisions(fresh_db) == ()


async def test_a_damaged_file_is_refused(tmp_path: Path, isolated_env: Path) -> None:
    path = tmp_path / "damaged.db"
    path.write_bytes(b"this is not a SQLite database" * 200)
    database = create_database(load_settings(database_url=f"sqlite:///{path}"))
    try:
        refused = await _same_refusal(database, auto_upgrade=True)
        assert "is damaged or not a database" in str(refused)
    finally:
        await database.dispose()


def _cli_report(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CLI_THEN_REPORT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-2:]


def _cli(*args: str) -> str:
    """Whether a real ``adv`` run imported Alembic."""
    return _cli_report(*args)[0]


def test_the_embedded_default_imports_alembic_only_to_migrate(isolated_env: Path) -> None:
    assert _cli("sheet", "list") == "alembic loaded: True"  # first use: created and migrated
    assert _cli("sheet", "create", "--file", str(EXAMPLE)) == "alembic loaded: False"
    assert _cli("check", "--skill", "stealth", "--dc", "15") == "alembic loaded: False"


def test_a_database_at_head_is_used_without_alembic(
    migrated_url: str, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    assert _cli("sheet", "list") == "alembic loaded: False"
    assert _cli("transcript", "show") == "alembic loaded: False"


def test_sqlite_commands_do_not_import_the_postgres_dialect(isolated_env: Path) -> None:
    _cli_report("sheet", "create", "--file", str(EXAMPLE))  # creates and migrates
    for args in (["sheet", "show"], ["check", "--skill", "stealth", "--dc", "15"]):
        assert _cli_report(*args) == ["alembic loaded: False", "postgres dialect loaded: False"]
