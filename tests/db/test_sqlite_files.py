"""SQLite files on disk: a shared data directory, a missing one, damaged and foreign files.

Every case uses real files and the real CLI (Typer's runner, in process, or
real processes for the races); state is checked afterwards on the files.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
from typer.testing import CliRunner

from adventorator.config import load_settings
from adventorator.errors import DatabaseError, ForeignDatabaseError
from adventorator.storage import migrate
from adventorator.storage.database import create_database
from tests.support import adv_app, migrate_database

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILDREN = 6
ROUNDS = 2000  # engine builds per child: enough for the children to overlap
COMMANDS = (
    ["sheet", "list"],
    ["db", "upgrade"],
    ["db", "check"],
    ["check", "--skill", "stealth", "--dc", "15"],
)


@pytest.fixture
def cli(isolated_env: Path) -> Any:

    return adv_app()


def _invoke(app: Any, args: list[str], env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, args, env=env)


def _one_error_line(result: Any) -> str:
    """The one stderr line of a failed command (exit 2, no traceback)."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return str(lines[0])


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
    return [row[0] for row in rows]


# A data directory shared by concurrent processes -----------------------------------


def _read(stream: IO[str] | None) -> str:
    assert stream is not None
    return stream.read()


def test_processes_sharing_a_data_dir_get_no_spurious_error(
    isolated_env: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "shared-data"  # does not exist yet: every child may create it
    env = {**os.environ, "ADVENTORATOR_DATA_DIR": str(data_dir)}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.db._data_dir_child", str(ROUNDS)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(CHILDREN)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for child in children:  # every child is waiting: release them together
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.close()
        for child in children:
            child.wait(timeout=300)  # output is a line or two: no pipe can fill up
        results = [(_read(child.stdout), _read(child.stderr)) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    for child, (stdout, stderr) in zip(children, results, strict=True):
        assert child.returncode == 0, stdout + stderr
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".")) == []
    assert (data_dir / "adventorator.db").is_file()


# An explicit URL whose directory does not exist ---------------------------------


def test_explicit_url_in_a_missing_directory_creates_nothing(cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "missing-dir"
    url = f"sqlite:///{missing / 'x.db'}"
    for args in (["sheet", "list"], ["db", "upgrade"]):
        line = _one_error_line(_invoke(cli, args, env={"DATABASE_URL": url}))
        assert line == (
            f"error: cannot use SQLite database {missing / 'x.db'}: the directory {missing} "
            "does not exist; create it or point DATABASE_URL at an existing directory"
        )
    assert not missing.exists()


def test_create_database_creates_no_directory_for_an_explicit_url(
    isolated_env: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing-dir" / "deeper"
    with pytest.raises(DatabaseError, match="does not exist"):
        create_database(load_settings(database_url=f"sqlite:///{missing / 'x.db'}"))
    assert not (tmp_path / "missing-dir").exists()


# Damaged files ------------------------------------------------------------------


def _random_bytes(good: bytes) -> bytes:
    return random.Random(0).randbytes(8192)


def _short_header(good: bytes) -> bytes:
    return good[:50]


def _truncated(good: bytes) -> bytes:
    return good[: len(good) // 2]


def _garbage_after_page_one(good: bytes) -> bytes:
    return good[:4096] + random.Random(1).randbytes(len(good) - 4096)


def _garbage_schema_page(good: bytes) -> bytes:
    return good[:100] + random.Random(2).randbytes(4096 - 100) + good[4096:]


DAMAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "random-bytes": (_random_bytes, "file is not a database"),
    "short-header": (_short_header, "database disk image is malformed"),
    "truncated": (_truncated, "database disk image is malformed"),
    "malformed-pages": (_garbage_after_page_one, "database disk image is malformed"),
    "malformed-schema": (_garbage_schema_page, "database disk image is malformed"),
}


@pytest.fixture(scope="module")
def good_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a database migrated to head (WAL checkpointed on close)."""
    path = tmp_path_factory.mktemp("good") / "good.db"
    asyncio.run(migrate_database(f"sqlite:///{path}"))
    data = path.read_bytes()
    assert len(data) > 3 * 4096
    return data


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_file_is_one_clear_line_on_every_command(
    cli: Any, tmp_path: Path, good_file: bytes, damage: str
) -> None:
    spoil, cause = DAMAGE[damage]
    path = tmp_path / "damaged.db"
    content = spoil(good_file)
    path.write_bytes(content)
    for args in COMMANDS:
        line = _one_error_line(_invoke(cli, args, env={"DATABASE_URL": f"sqlite:///{path}"}))
        assert line == (
            f"error: SQLite database {path} is damaged or not a database ({cause}); "
            "restore it from a backup or move it aside"
        )
    assert path.read_bytes() == content  # no command wrote to it


def test_a_damaged_file_at_the_default_path(cli: Any, isolated_env: Path) -> None:
    default = load_settings().sqlite_default_path
    default.parent.mkdir(parents=True)
    default.write_bytes(random.Random(3).randbytes(8192))
    line = _one_error_line(_invoke(cli, ["sheet", "list"]))
    assert f"SQLite database {default} is damaged or not a database" in line


# Foreign files: tables, but no migration history -----------------------------------


def _foreign_file(path: Path, *, empty_history: bool = False) -> list[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.execute("INSERT INTO notes (body) VALUES ('keep me')")
        if empty_history:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
    return _tables(path)


def _foreign_line(path: Path) -> str:
    return (
        f"error: SQLite database {path} has tables ('notes') but no Adventorator migration "
        "history, so it is not an Adventorator database; refusing to migrate it: "
        "point DATABASE_URL or ADVENTORATOR_DATA_DIR elsewhere, or move the file aside"
    )


@pytest.mark.parametrize("empty_history", [False, True])
def test_a_foreign_file_at_the_default_path_is_refused_untouched(
    cli: Any, empty_history: bool
) -> None:
    default = load_settings().sqlite_default_path
    before = _foreign_file(default, empty_history=empty_history)
    assert _one_error_line(_invoke(cli, ["sheet", "list"])) == _foreign_line(default)
    assert _tables(default) == before
    with sqlite3.connect(default) as connection:
        assert connection.execute("SELECT body FROM notes").fetchall() == [("keep me",)]


def test_a_foreign_file_given_explicitly_is_refused_by_every_command(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "other-app.db"
    before = _foreign_file(path)
    for args in (["db", "upgrade"], ["sheet", "list"], ["db", "check"]):
        line = _one_error_line(_invoke(cli, args, env={"DATABASE_URL": f"sqlite:///{path}"}))
        assert line == _foreign_line(path)
    assert _tables(path) == before


async def test_ensure_schema_refuses_a_foreign_database(
    fresh_database_url: str, isolated_env: Path
) -> None:
    database = create_database(load_settings(database_url=fresh_database_url))
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
        for auto_upgrade in (True, False):
            with pytest.raises(ForeignDatabaseError, match="'notes'"):
                await migrate.ensure_schema(database, auto_upgrade=auto_upgrade)
        assert await migrate.current_revisions(database) == ()
    finally:
        await database.dispose()


# A failed migration leaves the database as it was -----------------------------------


async def test_a_migration_failing_late_leaves_nothing_behind(
    fresh_database_url: str, isolated_env: Path
) -> None:
    # A view named like the initial migration's last index: every table is
    # built before CREATE INDEX collides with it.
    database = create_database(load_settings(database_url=fresh_database_url))
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(
                "CREATE VIEW ix_transcript_entries_scene_recent AS SELECT 1 AS one"
            )
        with pytest.raises(DatabaseError, match="failed and was rolled back") as raised:
            await migrate.upgrade(database)
        assert "ix_transcript_entries_scene_recent" in str(raised.value)

        def names(sync: Any) -> set[str]:
            from sqlalchemy import inspect

            return set(inspect(sync).get_table_names())

        async with database.engine.connect() as connection:
            assert await connection.run_sync(names) == set()
        assert await migrate.current_revisions(database) == ()
    finally:
        await database.dispose()
