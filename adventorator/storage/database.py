"""Engines, sessions and pool status, one ``Database`` per process and URL.

Postgres gets the pool settings of DESIGN.md, a connect timeout (an
unreachable server fails in seconds with a message naming it) and a
statement and lock timeout per connection. SQLite gets a 30 s busy timeout,
WAL and foreign keys instead, and no pool sizing.

Timeouts behind PgBouncer: in transaction mode PgBouncer refuses startup
parameters it does not track, and ``ignore_startup_parameters`` only drops
them, so they never reach Postgres. With ``db_pgbouncer`` the timeouts are
therefore set per transaction (``set_config(..., is_local => true)``), which
ends with the transaction and cannot leak to the next client of the server
connection. PgBouncer needs no setting for it.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import QueuePool

from adventorator.config import Settings
from adventorator.errors import (
    DamagedDatabaseError,
    DatabaseBusyError,
    DatabaseError,
    PoolExhaustedError,
)

SQLITE_BUSY_TIMEOUT_S = 30
# SQLSTATE classes of a server refusing the connection itself: connection
# exception, bad role or password, unknown database, too many connections,
# server shutting down or starting up.
_CONNECT_SQLSTATES = ("08", "28", "3D", "53", "57P")
_QUERY_CANCELED = "57014"  # statement_timeout, or a cancel request
_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout


@dataclass(frozen=True)
class Timeouts:
    """Postgres statement and lock timeouts in seconds (0: none set by us)."""

    statement: float = 0.0
    lock: float = 0.0

    def as_milliseconds(self) -> dict[str, str]:
        """The non-zero ones as Postgres settings: name -> whole milliseconds."""
        values = {"statement_timeout": self.statement, "lock_timeout": self.lock}
        return {name: str(max(1, round(s * 1000))) for name, s in values.items() if s > 0}


@dataclass(frozen=True)
class PoolStatus:
    """A snapshot of the connection pool, for metrics and ``adv doctor``."""

    size: int
    checked_out: int
    overflow: int
    checked_in: int


class Database:
    """An async engine, its session factory and error translation for one URL."""

    def __init__(self, engine: AsyncEngine, *, timeouts: Timeouts | None = None) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        self.timeouts = timeouts or Timeouts()

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
    async def migration_transaction(self) -> AsyncIterator[AsyncConnection]:
        """One transaction that commits or rolls back whole, DDL included.

        pysqlite runs DDL outside any transaction, so a failed SQLite migration
        would leave a half-built schema. Here its implicit transactions are off
        for the connection and it runs BEGIN IMMEDIATE: the write lock is taken
        first (waiting out other writers), so two first runs migrate one at a
        time. Postgres DDL is transactional as it is.
        """
        async with self.connection_errors(), self.engine.connect() as connection:
            if not self.is_sqlite:
                async with connection.begin():
                    yield connection
                return
            previous = await connection.run_sync(_sqlite_take_over_transactions)
            try:
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
                yield connection
                await connection.commit()
            except BaseException:
                await connection.rollback()
                raise
            finally:
                await connection.run_sync(_sqlite_restore_isolation, previous)

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
        except exc.DBAPIError as error:
            translated = self.translate_error(error)
            if translated is None:
                raise
            raise translated from error
        except OSError as error:
            raise DatabaseError(f"cannot use {self.describe()}: {_short_cause(error)}") from error

    def translate_error(self, error: exc.DBAPIError) -> DatabaseError | None:
        """The one-line error for a driver error, or None for a bug to re-raise."""
        sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
        if sqlstate in (_QUERY_CANCELED, _LOCK_NOT_AVAILABLE):
            return self._busy(sqlstate, _short_cause(error))
        if isinstance(error.orig, sqlite3.Error):
            translated = _sqlite_error(self, error.orig)
            if translated is not None:
                return translated
        if isinstance(error, exc.InterfaceError | exc.OperationalError):
            return self._cannot_use(error)
        if error.connection_invalidated:
            return DatabaseError(f"lost the connection to {self.describe()}")
        if sqlstate.startswith(_CONNECT_SQLSTATES):
            return self._cannot_use(error)
        return None

    def _cannot_use(self, error: exc.DBAPIError) -> DatabaseError:
        cause = _short_cause(error)
        if "unsupported startup parameter" in cause:  # PgBouncer refusing our timeouts
            cause += " (behind PgBouncer, set ADVENTORATOR_DB_PGBOUNCER=true)"
        return DatabaseError(f"cannot use {self.describe()}: {cause}")

    def _busy(self, sqlstate: str, cause: str) -> DatabaseBusyError:
        if sqlstate == _LOCK_NOT_AVAILABLE:
            waited = (
                f"another session held a lock longer than ADVENTORATOR_DB_LOCK_TIMEOUT "
                f"({self.timeouts.lock:g} s)"
            )
        elif "statement timeout" in cause:
            waited = (
                f"a statement ran longer than ADVENTORATOR_DB_STATEMENT_TIMEOUT "
                f"({self.timeouts.statement:g} s)"
            )
        else:
            waited = f"the statement was canceled ({cause})"
        return DatabaseBusyError(f"database is busy: {waited} on {self.describe()}; try again")

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
    """Build the engine for the configured URL (no connection is opened yet).

    Only the embedded default creates its data directory; an explicit SQLite
    URL whose directory is missing fails on first use, creating nothing.
    """
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        if settings.is_embedded_default:
            _create_data_dir(settings.resolved_data_dir)
        database = Database(_sqlite_engine(url))
        _check_sqlite_directory(database)
        return database
    timeouts = Timeouts(statement=settings.db_statement_timeout, lock=settings.db_lock_timeout)
    return Database(_postgres_engine(url, settings, timeouts), timeouts=timeouts)


def _postgres_engine(url: URL, settings: Settings, timeouts: Timeouts) -> AsyncEngine:
    connect_args: dict[str, Any] = {"timeout": settings.db_connect_timeout}
    if settings.db_pgbouncer:
        connect_args.update(pgbouncer_connect_args())
    else:
        # Startup parameters: set once per server connection, no extra round trip.
        connect_args["server_settings"] = timeouts.as_milliseconds()
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=settings.db_pool_pre_ping,
        connect_args=connect_args,
    )
    local = timeouts.as_milliseconds()
    if settings.db_pgbouncer and local:
        statement = "SELECT " + ", ".join(
            f"set_config('{name}', '{ms}', true)" for name, ms in local.items()
        )
        event.listen(engine.sync_engine, "begin", partial(_set_local_timeouts, statement))
    return engine


def _set_local_timeouts(statement: str, connection: Connection) -> None:
    """Behind PgBouncer: the timeouts for this transaction only (see the module doc)."""
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # no transaction to scope them to; a session-level SET would leak
    connection.exec_driver_sql(statement)


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


def _sqlite_take_over_transactions(connection: Connection) -> str | None:
    """Stop pysqlite's implicit BEGIN/COMMIT; returns its setting to restore."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    previous: str | None = driver.isolation_level
    driver.isolation_level = None
    return previous


def _sqlite_restore_isolation(connection: Connection, previous: str | None) -> None:
    driver = connection.connection.dbapi_connection
    if driver is not None:
        driver.isolation_level = previous


def _create_data_dir(directory: Path) -> None:
    """Create the embedded default's data directory, or explain why not.

    No probe file: whether the directory can be written is found out by
    SQLite itself on first use (see ``_sqlite_error``), race-free.
    """
    try:
        directory.expanduser().mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _not_writable(directory, error.strerror or str(error)) from error


def _not_writable(directory: Path, reason: str) -> DatabaseError:
    return DatabaseError(
        f"the data directory {directory} is not writable ({reason}); "
        "set ADVENTORATOR_DATA_DIR or DATABASE_URL to a writable place"
    )


def _sqlite_file(database: Database) -> Path | None:
    """The database file's path, or None for memory and ``file:`` URI databases."""
    name = database.url.database
    if not name or name == ":memory:" or name.startswith("file:") or database.url.query:
        return None
    return Path(name).expanduser()


def _check_sqlite_directory(database: Database) -> None:
    """Fail now, creating nothing, when the file's directory is missing or read-only.

    A check, not a probe file, so concurrent processes cannot trip over each
    other; SQLite's own open errors say the same (``_sqlite_error``). Checking
    first also spares a failed open in aiosqlite, whose worker thread may then
    call back into a closed event loop and print a traceback.
    """
    path = _sqlite_file(database)
    if path is None:
        return
    readonly = path.parent.is_dir() and os.statvfs(path.parent).f_flag & os.ST_RDONLY
    reason = "read-only file system" if readonly else "permission denied"
    problem = _directory_problem(database, path.parent, reason)
    if problem is not None:
        raise problem


def _directory_problem(database: Database, directory: Path, reason: str) -> DatabaseError | None:
    if not directory.is_dir():
        return DatabaseError(
            f"cannot use {database.describe()}: the directory {directory} does not exist; "
            "create it or point DATABASE_URL at an existing directory"
        )
    if not os.access(directory, os.W_OK | os.X_OK):
        return _not_writable(directory, reason)
    return None


def _sqlite_error(database: Database, error: sqlite3.Error) -> DatabaseError | None:
    """A clear message for a SQLite file that is missing, unwritable, locked or damaged."""
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF  # primary result code
    where = database.describe()
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return DamagedDatabaseError(
            f"{where} is damaged or not a database ({error}); "
            "restore it from a backup or move it aside"
        )
    if code == sqlite3.SQLITE_BUSY:
        return DatabaseBusyError(
            f"database is busy: another process kept {where} locked for "
            f"{SQLITE_BUSY_TIMEOUT_S} s; try again"
        )
    path = _sqlite_file(database)
    if path is None or code not in (
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_PERM,
    ):
        return None
    problem = _directory_problem(database, path.parent, str(error))
    return problem or DatabaseError(f"cannot use {where}: {error} (check the file's permissions)")


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
