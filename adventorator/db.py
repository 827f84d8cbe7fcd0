"""Engines, sessions and pool status, one ``Database`` per process and URL.

Postgres gets the pool settings of DESIGN.md and a connect timeout, so an
unreachable server fails in seconds with a message naming it. SQLite gets a
30 s busy timeout, WAL and foreign keys instead, and no pool sizing.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import QueuePool

from adventorator.config import Settings
from adventorator.errors import DatabaseError, PoolExhaustedError

SQLITE_BUSY_TIMEOUT_S = 30
# SQLSTATE classes of a server refusing the connection itself: connection
# exception, bad role or password, unknown database, too many connections,
# server shutting down or starting up.
_CONNECT_SQLSTATES = ("08", "28", "3D", "53", "57P")


@dataclass(frozen=True)
class PoolStatus:
    """A snapshot of the connection pool, for metrics and ``adv doctor``."""

    size: int
    checked_out: int
    overflow: int
    checked_in: int


class Database:
    """An async engine, its session factory and error translation for one URL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        """Where this database is, password masked: for error messages."""
        if self.is_sqlite:
            return f"SQLite database {self.url.database}"
        url = self.url
        return (
            f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}"
            f"/{url.database} as {url.username}"
        )

    @asynccontextmanager
    async def session_scope(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.connection_errors(), self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def connection_errors(self) -> AsyncIterator[None]:
        """Turn driver-level connection failures into one-line DatabaseErrors."""
        try:
            yield
        except exc.TimeoutError as error:
            raise PoolExhaustedError(
                f"no free database connection within the pool timeout ({self.describe()}): "
                "the pool is exhausted"
            ) from error
        except (OSError, exc.InterfaceError, exc.OperationalError) as error:
            raise DatabaseError(f"cannot use {self.describe()}: {_short_cause(error)}") from error
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                raise DatabaseError(f"lost the connection to {self.describe()}") from error
            sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
            if sqlstate.startswith(_CONNECT_SQLSTATES):
                raise DatabaseError(
                    f"cannot use {self.describe()}: {_short_cause(error)}"
                ) from error
            raise

    def pool_status(self) -> PoolStatus:
        """Size, checked-out, overflow and checked-in connections of the pool."""
        pool = self.engine.sync_engine.pool
        if isinstance(pool, QueuePool):
            return PoolStatus(
                size=pool.size(),
                checked_out=pool.checkedout(),
                overflow=max(pool.overflow(), 0),
                checked_in=pool.checkedin(),
            )
        return PoolStatus(size=0, checked_out=0, overflow=0, checked_in=0)

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_database(settings: Settings) -> Database:
    """Build the engine for the configured URL (no connection is opened yet)."""
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        return Database(_sqlite_engine(url))
    return Database(_postgres_engine(url, settings))


def _postgres_engine(url: URL, settings: Settings) -> AsyncEngine:
    connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout}
    if settings.db_pgbouncer:
        connect_args.update(pgbouncer_connect_args())
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=settings.db_pool_pre_ping,
        connect_args=connect_args,
    )


def pgbouncer_connect_args() -> dict[str, Any]:
    """asyncpg settings for PgBouncer in transaction mode (SQLAlchemy's recipe).

    Consecutive transactions may land on different server connections, so no
    prepared statement may outlive its transaction: asyncpg's and SQLAlchemy's
    statement caches are off, and every statement gets a unique name so two
    clients never collide on one server connection.
    """
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__",
    }


def _sqlite_engine(url: URL) -> AsyncEngine:
    if url.database and url.database != ":memory:":
        ensure_parent_dir(Path(url.database))
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    finally:
        cursor.close()


def ensure_parent_dir(path: Path) -> None:
    """Create the SQLite file's directory, or explain why it cannot be written."""
    directory = path.expanduser().parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".adventorator-write-test"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise DatabaseError(
            f"the data directory {directory} is not writable ({error.strerror or error}); "
            "set ADVENTORATOR_DATA_DIR or DATABASE_URL to a writable place"
        ) from error


def _short_cause(error: BaseException) -> str:
    """The driver's own message, first line only, without SQLAlchemy's boilerplate."""
    cause: BaseException = getattr(error, "orig", None) or error
    if isinstance(cause, TimeoutError) or isinstance(cause.__cause__, TimeoutError):
        return "timed out connecting (ADVENTORATOR_DB_CONNECT_TIMEOUT)"
    if isinstance(cause, sqlite3.Error | OSError) or cause.__cause__ is None:
        text = str(cause)
    else:
        text = str(cause.__cause__ or cause)
    first = text.strip().splitlines()[0] if text.strip() else type(cause).__name__
    return first[:200]
