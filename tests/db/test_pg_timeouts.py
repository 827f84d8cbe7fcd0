"""Postgres statement and lock timeouts: on the server, through PgBouncer, as errors.

A lock is held by a second real connection (asyncpg, in an open
transaction); the command that meets it must fail with one clear line
instead of hanging.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adventorator.config import load_settings
from adventorator.errors import DatabaseBusyError, DatabaseError
from adventorator.storage.database import Database, create_database
from tests.processes import ADV
from tests.scale.pgbouncer import pgbouncer_binary, running_pgbouncer
from tests.support import migrate_database

if TYPE_CHECKING:
    from tests.support import PostgresServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
needs_pgbouncer = pytest.mark.skipif(
    pgbouncer_binary() is None and not os.environ.get("CI"),
    reason="pgbouncer is not installed (Debian package pgbouncer)",
)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def migrated_pg(isolated_env: Path, postgres_server: PostgresServer) -> str:
    url = postgres_server.create()
    await migrate_database(url)
    return url


async def _adv(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the real ``adv``; (exit code, stderr)."""
    process = await asyncio.create_subprocess_exec(
        str(ADV), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


@pytest.fixture
async def characters_locked(migrated_pg: str) -> AsyncIterator[str]:
    """The URL of a migrated database with a character, whose characters table
    another session holds locked."""
    env = {**os.environ, "DATABASE_URL": migrated_pg}
    code, stderr = await _adv("sheet", "create", "--file", str(EXAMPLES / "rogue.json"), env=env)
    assert code == 0, stderr
    holder = await asyncpg.connect(_dsn(migrated_pg))
    transaction = holder.transaction()
    await transaction.start()
    await holder.execute("LOCK TABLE characters IN ACCESS EXCLUSIVE MODE")
    try:
        yield migrated_pg
    finally:
        await transaction.rollback()
        await holder.close()


async def _show(database: Database, *names: str) -> list[str]:
    async with database.session_scope() as session:
        return [str((await session.execute(text(f"SHOW {name}"))).scalar_one()) for name in names]


def _busy_lock_line(url: str, seconds: str) -> str:
    u = make_url(url)
    return (
        f"error: database is busy: another session held a lock longer than "
        f"ADVENTORATOR_DB_LOCK_TIMEOUT ({seconds} s) on PostgreSQL at "
        f"{u.host}:{u.port or 5432}/{u.database} as {u.username}; try again"
    )


# Direct connections: startup parameters ----------------------------------------------


@pytest.mark.parametrize(
    ("statement", "lock", "shown"),
    [(10.0, 5.0, ["10s", "5s"]), (0.25, 0.5, ["250ms", "500ms"]), (0.0, 0.0, ["0", "0"])],
)
async def test_the_timeouts_reach_the_server(
    migrated_pg: str, statement: float, lock: float, shown: list[str]
) -> None:
    settings = load_settings(
        database_url=migrated_pg, db_statement_timeout=statement, db_lock_timeout=lock
    )
    database = create_database(settings)
    try:
        assert await _show(database, "statement_timeout", "lock_timeout") == shown
    finally:
        await database.dispose()


async def test_a_held_lock_fails_the_cli_with_one_busy_line(characters_locked: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": characters_locked,
        "ADVENTORATOR_DB_LOCK_TIMEOUT": "0.5",
    }
    code, stderr = await _adv("sheet", "list", env=env)
    assert code == 2, stderr
    assert stderr.strip().splitlines() == [_busy_lock_line(characters_locked, "0.5")]


async def test_a_long_statement_is_database_busy(migrated_pg: str) -> None:
    settings = load_settings(database_url=migrated_pg, db_statement_timeout=0.2)
    database = create_database(settings)
    try:
        with pytest.raises(DatabaseBusyError) as raised:
            async with database.session_scope() as session:
                await session.execute(text("SELECT pg_sleep(60)"))
    finally:
        await database.dispose()
    assert str(raised.value).startswith(
        "database is busy: a statement ran longer than ADVENTORATOR_DB_STATEMENT_TIMEOUT (0.2 s)"
    )


# Behind PgBouncer in transaction mode: per transaction, never leaking ---------------


@pytest.fixture
def through_pgbouncer(migrated_pg: str) -> Iterator[str]:
    """``migrated_pg`` through a PgBouncer with one server connection for every client."""
    with running_pgbouncer(migrated_pg, server_pool_size=1) as port:
        yield make_url(migrated_pg).set(port=port).render_as_string(hide_password=False)


@needs_pgbouncer
async def test_behind_pgbouncer_the_timeouts_hold_per_transaction(through_pgbouncer: str) -> None:
    settings = load_settings(
        database_url=through_pgbouncer,
        db_pgbouncer=True,
        db_statement_timeout=7,
        db_lock_timeout=3,
    )
    database = create_database(settings)
    try:
        assert await _show(database, "statement_timeout", "lock_timeout") == ["7s", "3s"]
        # Another client, now on the very same server connection, sees none of it.
        other = await asyncpg.connect(_dsn(through_pgbouncer), statement_cache_size=0)
        try:
            assert await other.fetchval("SHOW lock_timeout") == "0"
            assert await other.fetchval("SHOW statement_timeout") == "0"
        finally:
            await other.close()
    finally:
        await database.dispose()


@needs_pgbouncer
async def test_behind_pgbouncer_a_held_lock_is_database_busy(
    characters_locked: str, postgres_server: PostgresServer
) -> None:
    with running_pgbouncer(characters_locked) as port:
        url = make_url(characters_locked).set(port=port).render_as_string(hide_password=False)
        settings = load_settings(database_url=url, db_pgbouncer=True, db_lock_timeout=0.5)
        database = create_database(settings)
        try:
            with pytest.raises(DatabaseBusyError) as raised:
                async with database.session_scope() as session:
                    await session.execute(text("SELECT count(*) FROM characters"))
        finally:
            await database.dispose()
    assert f"error: {raised.value}" == _busy_lock_line(url, "0.5")


@needs_pgbouncer
async def test_a_stock_pgbouncer_without_the_setting_is_one_clear_error(
    migrated_pg: str,
) -> None:
    with running_pgbouncer(migrated_pg, ignore_startup_parameters=()) as port:
        url = make_url(migrated_pg).set(port=port).render_as_string(hide_password=False)
        database = create_database(load_settings(database_url=url))
        try:
            with pytest.raises(DatabaseError) as raised:
                async with database.session_scope() as session:
                    await session.execute(text("SELECT 1"))
        finally:
            await database.dispose()
    message = str(raised.value)
    assert "unsupported startup parameter" in message
    assert message.endswith("(behind PgBouncer, set ADVENTORATOR_DB_PGBOUNCER=true)")
