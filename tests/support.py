"""Helpers shared by these tests (plain code; the fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
import functools
import os
import queue
import threading
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import asyncpg
import typer
from sqlalchemy.engine import make_url

from adventorator.cli import build_app
from adventorator.config import load_settings, normalise_database_url
from adventorator.storage import migrate
from adventorator.storage.database import Database, create_database

BACKENDS = ("sqlite", "postgres")


T = TypeVar("T")


# Test databases are named with their creation time, so a run can drop what
# an earlier, interrupted run left behind without touching a concurrent run's.
_PREFIXES = ("adv_test", "adv_tmpl")


_STALE_AFTER_S = 6 * 3600


_DROP_CONNECTIONS = 4


class PostgresServer:
    """A reachable server on which the suite may create and drop databases.

    ``migrated()`` clones a database migrated once per run (CREATE DATABASE
    ... TEMPLATE), instead of running the migrations for every test.
    """

    def __init__(self, admin_url: str) -> None:
        url = make_url(normalise_database_url(admin_url))
        self.admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.base_url = url
        self.created: list[str] = []
        self._template: str | None = None
        self._released: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._dropper = threading.Thread(target=self._drop_released, daemon=True)
        self._dropper.start()

    def url_for(self, name: str) -> str:
        return self.base_url.set(database=name).render_as_string(hide_password=False)

    def create(self, prefix: str = "adv_test", *, template: str | None = None) -> str:
        """Create an empty database (or a copy of ``template``) and return its URL."""
        name = f"{prefix}_{int(time.time())}_{uuid.uuid4().hex[:8]}"
        clone = f' TEMPLATE "{template}"' if template else ""
        _admin_sql(self.admin_dsn, f'CREATE DATABASE "{name}"{clone}')
        self.created.append(name)
        return self.url_for(name)

    def migrated(self) -> str:
        """A new database at head: a copy of the run's template, migrated on first use."""
        if self._template is None:
            url = self.create("adv_tmpl")
            run_private(migrate_database(url))
            self._template = self.created[-1]
        return self.create(template=self._template)

    def release(self, url: str) -> None:
        """A test is done with this database: drop it in the background, while tests run.

        Each drop waits for a checkpoint (I/O), so dropping hundreds at the end of a
        run took most of a minute; spread over the run they cost next to nothing.
        """
        self._released.put(make_url(url).database or "")

    def _drop_released(self) -> None:
        async def run() -> None:
            connection = await asyncpg.connect(self.admin_dsn, timeout=5)
            try:
                while (name := await asyncio.to_thread(self._released.get)) is not None:
                    await connection.execute(_drop(name))
                    self.created.remove(name)
            finally:
                await connection.close()

        asyncio.run(run())

    def drop_all(self) -> None:
        """Drop this run's databases, several at a time (each drop waits for a checkpoint)."""
        self._released.put(None)
        self._dropper.join()
        names = [name for name in self.created if name != self._template]
        if self._template is not None:
            names.append(self._template)  # last: the clones must be gone first
        _admin_sql_parallel(self.admin_dsn, [_drop(name) for name in names])

    def drop_stale(self) -> None:
        """Drop test databases an interrupted run left behind hours ago."""
        rows = _admin_fetch(self.admin_dsn, "SELECT datname FROM pg_database")
        stale = [name for name in rows if _is_stale(name)]
        _admin_sql_parallel(self.admin_dsn, [_drop(name) for name in stale], ignore_errors=True)


def _drop(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


def _is_stale(name: str) -> bool:
    parts = name.split("_")
    if len(parts) != 4 or "_".join(parts[:2]) not in _PREFIXES or not parts[2].isdigit():
        return False
    return time.time() - int(parts[2]) > _STALE_AFTER_S


@functools.cache
def adv_app() -> typer.Typer:
    """The CLI app, built once per run: tests share it (it keeps no state between invokes),
    so its click command is built once too (tests/conftest.py), not ~35 ms per test."""
    return build_app()


def run_private(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a private loop in a thread: callable under any running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _admin_sql(dsn: str, *statements: str) -> None:
    """Run admin statements on a private event loop: fixtures of any scope
    (sync or async, under any running loop) can call this."""

    async def run() -> None:
        connection = await asyncpg.connect(dsn, timeout=5)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    run_private(run())


def _admin_fetch(dsn: str, query: str) -> list[str]:
    async def run() -> list[str]:
        connection = await asyncpg.connect(dsn, timeout=5)
        try:
            return [str(row[0]) for row in await connection.fetch(query)]
        finally:
            await connection.close()

    return run_private(run())


def _admin_sql_parallel(dsn: str, statements: list[str], *, ignore_errors: bool = False) -> None:
    """Run independent statements over a few connections at once."""

    async def worker(queue: list[str]) -> None:
        connection = await asyncpg.connect(dsn, timeout=5)
        try:
            while queue:
                statement = queue.pop(0)
                try:
                    await connection.execute(statement)
                except asyncpg.PostgresError:
                    if not ignore_errors:
                        raise
        finally:
            await connection.close()

    async def run() -> None:
        queue = list(statements)
        # The template goes last: wait for every clone's drop before dropping it.
        last = queue.pop() if queue and not ignore_errors else None
        await asyncio.gather(*(worker(queue) for _ in range(min(_DROP_CONNECTIONS, len(queue)))))
        if last is not None:
            await worker([last])

    if statements:
        run_private(run())


def postgres_unavailable_reason() -> str | None:
    url = os.environ.get("ADVENTORATOR_TEST_DATABASE_URL")
    if not url:
        return "ADVENTORATOR_TEST_DATABASE_URL is not set"
    dsn = make_url(normalise_database_url(url)).set(drivername="postgresql")
    try:
        _admin_sql(dsn.render_as_string(hide_password=False), "SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"PostgreSQL at {url} is unreachable: {error}"
    return None


async def migrated_database(url: str) -> Database:
    database = create_database(load_settings(database_url=url))
    await migrate.upgrade(database)
    return database


async def migrate_database(url: str) -> None:
    """Upgrade the database at ``url`` to head with the real migrations."""
    database = await migrated_database(url)
    await database.dispose()
