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

import os
import shutil
import weakref
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
import typer.testing
from hypothesis import settings
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.storage.database import Database
from tests.support import (
    BACKENDS,
    PostgresServer,
    migrate_database,
    migrated_database,
    postgres_unavailable_reason,
    run_private,
)

# A fake OpenAI-compatible server on loopback (`fake_llm`), and a guard that
# fails any test opening a connection off this machine.
pytest_plugins = ["tests.fakes.openai_server", "tests.fakes.network_guard"]

# typer.testing.CliRunner builds the click command from the Typer app on every invoke
# (~20 ms for ours: a third of an in-process CLI call). Build it once per app object.
_click_commands: weakref.WeakKeyDictionary[typer.Typer, Any] = weakref.WeakKeyDictionary()


def _click_command(app: typer.Typer) -> Any:
    command = _click_commands.get(app)
    if command is None:
        command = _click_commands[app] = typer.main.get_command(app)
    return command


typer.testing._get_command = _click_command  # type: ignore[attr-defined,assignment]

# CI replays the same examples every run, so its verdict is the code's, not the draw's;
# a developer's run keeps exploring (and keeps what it finds in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    reason = postgres_unavailable_reason()
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


@pytest.fixture(scope="session", params=BACKENDS)
async def database(request: pytest.FixtureRequest, session_tmp: Path) -> AsyncIterator[Database]:
    """A database of each backend, migrated to head once per session."""
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create()
    else:
        url = f"sqlite+aiosqlite:///{session_tmp / 'suite.db'}"
    db = await migrated_database(url)
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
def fresh_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """An empty database of each backend, for tests that commit (CLI, migrations)."""
    if backend == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create()
        yield url
        server.release(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture(scope="session")
def sqlite_template(session_tmp: Path) -> Path:
    """A SQLite file migrated to head once per run, copied by ``migrated_url``."""
    path = session_tmp / "template.db"
    run_private(migrate_database(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
async def migrated_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, isolated_env: Path
) -> AsyncIterator[str]:
    """A database of each backend at head: a copy of one migrated by the real migrations."""
    if backend == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.migrated()
        yield url
        server.release(url)
        return
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "migrated.db"
    shutil.copyfile(template, path)  # closed cleanly: no WAL file beside it
    yield f"sqlite+aiosqlite:///{path}"


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
# a private Postgres, a wheel build, the container linters) or wait out a model's
# timeouts: `make test-fast` leaves them out, with the Postgres tests; `make test`
# runs everything.
SLOW_MODULES = frozenset(
    {
        "tests/characters/test_cli_roundtrip.py",
        "tests/characters/test_sheet_new.py",
        "tests/cli/test_cli_admin.py",
        "tests/cli/test_wheel.py",
        "tests/db/test_pg_timeouts.py",
        "tests/db/test_schema_check.py",
        "tests/db/test_sqlite_files.py",
        "tests/delivery/test_validate_containers.py",
        "tests/discord/test_cli_serve.py",
        "tests/play/test_cli.py",
        "tests/play/test_do_failures.py",
        "tests/play/test_turn_deadline.py",
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
