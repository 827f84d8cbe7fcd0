"""db.py: connection error translation, pools, SQLite PRAGMAs and session scopes."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import QueuePool

from adventorator.config import load_settings
from adventorator.errors import DatabaseError
from adventorator.storage import migrate, repos
from adventorator.storage.database import Database, PoolStatus, create_database
from adventorator.storage.models import Campaign

if TYPE_CHECKING:
    from tests.support import PostgresServer

CLOSED_PORT_URL = "postgresql://root@127.0.0.1:1/test"


async def _select_one(database: Database) -> None:
    async with database.session_scope() as session:
        await session.execute(text("SELECT 1"))


# Unreachable PostgreSQL -------------------------------------------------------------


async def test_unreachable_postgres_is_a_database_error(isolated_env: Path) -> None:
    database = create_database(load_settings(database_url=CLOSED_PORT_URL))
    try:
        with pytest.raises(DatabaseError) as raised:
            await _select_one(database)
    finally:
        await database.dispose()
    message = str(raised.value)
    assert "127.0.0.1:1/test" in message
    assert "PostgreSQL" in message
    assert "\n" not in message


async def test_unreachable_postgres_hides_the_password(isolated_env: Path) -> None:
    database = create_database(
        load_settings(database_url="postgresql://root:hunter2@127.0.0.1:1/test")
    )
    try:
        with pytest.raises(DatabaseError) as raised:
            await migrate.current_revisions(database)
    finally:
        await database.dispose()
    message = str(raised.value)
    assert "hunter2" not in message
    assert "127.0.0.1:1/test as root" in message
    assert "hunter2" not in database.describe()


async def test_unknown_database_is_a_database_error(
    isolated_env: Path, postgres_server: PostgresServer
) -> None:
    url = postgres_server.url_for("adv_test_no_such_database")
    database = create_database(load_settings(database_url=url))
    try:
        with pytest.raises(DatabaseError, match="adv_test_no_such_database") as raised:
            await _select_one(database)
    finally:
        await database.dispose()
    assert "does not exist" in str(raised.value)


async def test_unknown_role_is_a_database_error(
    isolated_env: Path, postgres_server: PostgresServer
) -> None:
    url = make_url(postgres_server.url_for("postgres")).set(
        username="adv_no_such_role", password="hunter2"
    )
    database = create_database(
        load_settings(database_url=url.render_as_string(hide_password=False))
    )
    try:
        with pytest.raises(DatabaseError, match="adv_no_such_role") as raised:
            await migrate.current_revisions(database)
    finally:
        await database.dispose()
    assert "hunter2" not in str(raised.value)


# A data directory that cannot be written ------------------------------------------


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """An existing, empty directory that even root cannot write to."""
    directory = tmp_path / "read-only"
    directory.mkdir()
    mounted = False
    if os.geteuid() == 0:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(directory)],
            capture_output=True,
            check=False,
        )
        mounted = done.returncode == 0
    else:
        directory.chmod(0o555)
    try:
        try:
            (directory / "probe").touch()
        except OSError:
            yield directory
        else:
            pytest.skip("cannot make a read-only directory here (root without mount)")
    finally:
        if mounted:
            subprocess.run(["umount", str(directory)], check=True)
        else:
            directory.chmod(0o755)


@pytest.mark.parametrize("subdir", ["", "nested/deeper"])
def test_read_only_data_dir_is_a_database_error(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, read_only_dir: Path, subdir: str
) -> None:
    data_dir = read_only_dir / subdir if subdir else read_only_dir
    monkeypatch.setenv("ADVENTORATOR_DATA_DIR", str(data_dir))
    settings = load_settings()
    with pytest.raises(DatabaseError) as raised:
        create_database(settings)
    message = str(raised.value)
    assert str(data_dir) in message
    assert "ADVENTORATOR_DATA_DIR" in message
    assert "not writable" in message
    assert list(read_only_dir.iterdir()) == []


def test_read_only_sqlite_url_dir_is_a_database_error(
    isolated_env: Path, read_only_dir: Path
) -> None:
    settings = load_settings(database_url=f"sqlite:///{read_only_dir / 'game.db'}")
    with pytest.raises(DatabaseError) as raised:
        create_database(settings)
    assert str(raised.value).startswith(f"the data directory {read_only_dir} is not writable (")
    assert list(read_only_dir.iterdir()) == []


# Pools ------------------------------------------------------------------------------


@pytest.fixture
async def postgres_db(
    isolated_env: Path, postgres_server: PostgresServer
) -> AsyncIterator[Database]:
    database = create_database(load_settings(database_url=postgres_server.create()))
    yield database
    await database.dispose()


async def test_pool_status_reflects_a_checked_out_connection(postgres_db: Database) -> None:
    assert postgres_db.pool_status() == PoolStatus(size=5, checked_out=0, overflow=0, checked_in=0)
    async with postgres_db.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        held = postgres_db.pool_status()
    assert held.size == 5
    assert held.checked_out == 1
    assert held.overflow == 0
    released = postgres_db.pool_status()
    assert released.checked_out == 0
    assert released.checked_in == 1


async def test_pool_settings_reach_the_engine(
    isolated_env: Path, postgres_server: PostgresServer
) -> None:
    settings = load_settings(
        database_url=postgres_server.create(),
        db_pool_size=3,
        db_max_overflow=2,
        db_pool_timeout=7.5,
    )
    database = create_database(settings)
    try:
        pool = database.engine.sync_engine.pool
        assert isinstance(pool, QueuePool)
        assert pool.size() == 3
        assert pool.timeout() == 7.5
        assert database.pool_status().size == 3
    finally:
        await database.dispose()


async def test_an_exhausted_pool_is_a_database_error(
    isolated_env: Path, postgres_server: PostgresServer
) -> None:
    settings = load_settings(
        database_url=postgres_server.create(),
        db_pool_size=1,
        db_max_overflow=1,
        db_pool_timeout=0.2,
    )
    database = create_database(settings)
    try:
        async with database.engine.connect() as first, database.engine.connect() as second:
            await first.execute(text("SELECT 1"))
            await second.execute(text("SELECT 1"))
            status = database.pool_status()
            assert (status.size, status.checked_out, status.overflow) == (1, 2, 1)
            with pytest.raises(DatabaseError, match="pool is exhausted"):
                await _select_one(database)
    finally:
        await database.dispose()


# SQLite PRAGMAs ------------------------------------------------------------------


async def test_sqlite_pragmas_are_on(isolated_env: Path) -> None:
    path = isolated_env / "pragmas.db"
    database = create_database(load_settings(database_url=f"sqlite:///{path}"))
    try:
        async with database.session_scope() as session:
            journal = (await session.execute(text("PRAGMA journal_mode"))).scalar_one()
            foreign_keys = (await session.execute(text("PRAGMA foreign_keys"))).scalar_one()
            busy = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
        assert (journal, foreign_keys, busy) == ("wal", 1, 30_000)
        assert database.is_sqlite
        assert database.describe() == f"SQLite database {path}"
    finally:
        await database.dispose()
    assert path.is_file()


async def test_sqlite_default_creates_its_data_dir(isolated_env: Path) -> None:
    settings = load_settings()
    database = create_database(settings)
    try:
        assert settings.resolved_data_dir.is_dir()
        await _select_one(database)
    finally:
        await database.dispose()
    assert settings.sqlite_default_path.is_file()
    assert [p.name for p in settings.resolved_data_dir.iterdir() if p.name.startswith(".")] == []


# session_scope ---------------------------------------------------------------------


@pytest.fixture
async def migrated_db(migrated_url: str) -> AsyncIterator[Database]:
    database = create_database(load_settings(database_url=migrated_url))
    yield database
    await database.dispose()


async def _campaign_keys(database: Database) -> set[str]:
    async with database.session_scope() as session:
        return set(await session.scalars(select(Campaign.key)))


async def test_session_scope_commits_on_success(migrated_db: Database) -> None:
    async with migrated_db.session_scope() as session:
        await repos.get_or_create_campaign(session, "kept")
    assert await _campaign_keys(migrated_db) == {"kept"}


async def test_session_scope_rolls_back_on_exception(migrated_db: Database) -> None:
    class Boom(Exception):
        pass

    async def write_then_fail() -> None:
        async with migrated_db.session_scope() as session:
            await repos.get_or_create_campaign(session, "dropped")
            await session.flush()
            raise Boom

    with pytest.raises(Boom):
        await write_then_fail()
    assert await _campaign_keys(migrated_db) == set()


async def test_session_scope_lets_integrity_errors_through(migrated_db: Database) -> None:
    # Not a connection problem: no DatabaseError, and nothing half-written.
    async def write_a_duplicate() -> None:
        async with migrated_db.session_scope() as session:
            await repos.get_or_create_campaign(session, "half")
            session.add(Campaign(key="half", name="duplicate"))

    with pytest.raises(IntegrityError):
        await write_a_duplicate()
    assert await _campaign_keys(migrated_db) == set()
