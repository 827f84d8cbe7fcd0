"""Shared fixtures: real SQLite and real PostgreSQL, isolated per test.

PostgreSQL comes from ``ADVENTORATOR_TEST_DATABASE_URL`` (an admin URL, e.g.
``postgresql://root@127.0.0.1:5432/test``). The suite creates a throw-away
database per run and per CLI test, and drops them at the end. Without a
reachable server the Postgres tests skip with the reason, unless
``ADVENTORATOR_REQUIRE_POSTGRES=1`` (set by CI) makes them fail instead.

Database tests run each test inside an outer transaction that is rolled back,
on a schema built once per session by the real migrations.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.config import load_settings, normalise_database_url
from adventorator.storage import migrate
from adventorator.storage.database import Database, create_database

# A fake OpenAI-compatible server on loopback (`fake_llm`), and a guard that
# fails any test opening a connection off this machine.
pytest_plugins = ["tests.fakes.openai_server", "tests.fakes.network_guard"]

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
            _run_private(migrate_database(url))
            self._template = self.created[-1]
        return self.create(template=self._template)

    def drop_all(self) -> None:
        """Drop this run's databases, several at a time (each drop waits for a checkpoint)."""
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


def _run_private(coroutine: Coroutine[Any, Any, T]) -> T:
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

    _run_private(run())


def _admin_fetch(dsn: str, query: str) -> list[str]:
    async def run() -> list[str]:
        connection = await asyncpg.connect(dsn, timeout=5)
        try:
            return [str(row[0]) for row in await connection.fetch(query)]
        finally:
            await connection.close()

    return _run_private(run())


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
        _run_private(run())


def _postgres_unavailable_reason() -> str | None:
    url = os.environ.get("ADVENTORATOR_TEST_DATABASE_URL")
    if not url:
        return "ADVENTORATOR_TEST_DATABASE_URL is not set"
    dsn = make_url(normalise_database_url(url)).set(drivername="postgresql")
    try:
        _admin_sql(dsn.render_as_string(hide_password=False), "SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"PostgreSQL at {url} is unreachable: {error}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    reason = _postgres_unavailable_reason()
    if reason is not None:
        if os.environ.get("ADVENTORATOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"Postgres is required (ADVENTORATOR_REQUIRE_POSTGRES=1): {reason}")
        pytest.skip(reason)
    server = PostgresServer(os.environ["ADVENTORATOR_TEST_DATABASE_URL"])
    server.drop_stale()
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("adventorator")


async def _migrated(url: str) -> Database:
    database = create_database(load_settings(database_url=url))
    await migrate.upgrade(database)
    return database


async def migrate_database(url: str) -> None:
    """Upgrade the database at ``url`` to head with the real migrations."""
    database = await _migrated(url)
    await database.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
async def database(request: pytest.FixtureRequest, session_tmp: Path) -> AsyncIterator[Database]:
    """A database of each backend, migrated to head once per session."""
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create()
    else:
        url = f"sqlite+aiosqlite:///{session_tmp / 'suite.db'}"
    db = await _migrated(url)
    yield db
    await db.dispose()


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test (savepoints inside)."""
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        async with AsyncSession(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        ) as session:
            yield session
        await transaction.rollback()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: "sqlite" or "postgres"."""
    return str(request.param)


@pytest.fixture
def fresh_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend, for tests that commit (CLI, migrations)."""
    if backend == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.create()
    return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture(scope="session")
def sqlite_template(session_tmp: Path) -> Path:
    """A SQLite file migrated to head once per run, copied by ``migrated_url``."""
    path = session_tmp / "template.db"
    _run_private(migrate_database(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
async def migrated_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, isolated_env: Path
) -> str:
    """A database of each backend at head: a copy of one migrated by the real migrations."""
    if backend == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.migrated()
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "migrated.db"
    shutil.copyfile(template, path)  # closed cleanly: no WAL file beside it
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user directory at tmp_path and clear Adventorator variables."""
    for name in list(os.environ):
        if name.startswith("ADVENTORATOR_") and name not in (
            "ADVENTORATOR_TEST_DATABASE_URL",
            "ADVENTORATOR_REQUIRE_POSTGRES",
        ):
            monkeypatch.delenv(name)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


# Modules whose tests start real processes or servers (adv, adv serve, PgBouncer,
# a private Postgres, a wheel build, the container linters): `make test-fast`
# leaves them out, with the Postgres tests; `make test` runs everything.
SLOW_MODULES = frozenset(
    {
        "tests/characters/test_cli_roundtrip.py",
        "tests/cli/test_cli_admin.py",
        "tests/cli/test_wheel.py",
        "tests/db/test_pg_timeouts.py",
        "tests/db/test_schema_check.py",
        "tests/db/test_sqlite_files.py",
        "tests/delivery/test_validate_containers.py",
        "tests/discord/test_cli_serve.py",
        "tests/play/test_cli.py",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs against PostgreSQL (so CI can count them), and the slow ones."""
    root = Path(__file__).resolve().parent.parent
    for item in items:
        callspec = getattr(item, "callspec", None)
        parametrised = callspec is not None and "postgres" in callspec.params.values()
        uses_server = "postgres_server" in getattr(item, "fixturenames", ())
        if parametrised or uses_server:
            item.add_marker(pytest.mark.postgres)
        module = item.path.relative_to(root).as_posix()
        if module in SLOW_MODULES or module.startswith("tests/scale/"):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many Postgres tests really ran: a skip must not pass for a run."""
    counts = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        reports = terminalreporter.stats.get(outcome, [])
        counts[outcome] = sum(
            1
            for report in reports
            if getattr(report, "when", "call") in ("call", "setup")
            and "postgres" in getattr(report, "keywords", {})
            and (outcome != "passed" or report.when == "call")
        )
    summary = ", ".join(
        f"{counts[key]} {label}"
        for key, label in (
            ("passed", "passed"),
            ("failed", "failed"),
            ("error", "errors"),
            ("skipped", "skipped"),
        )
    )
    terminalreporter.write_line(f"postgres tests: {summary}")
