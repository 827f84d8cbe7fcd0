"""`adv db ...` and `adv config ...`: through Typer's runner and as real processes.

State is checked through the library afterwards (current revision, tables).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from adventorator import __version__
from adventorator.config import load_settings
from adventorator.storage import migrate
from adventorator.storage.database import create_database
from adventorator.storage.models import Base
from tests.processes import run_adv
from tests.support import adv_app

if TYPE_CHECKING:
    from tests.support import PostgresServer

MODEL_TABLES = set(Base.metadata.tables)
HEAVY_MODULES = (
    "sqlalchemy",
    "alembic",
    "asyncpg",
    "aiosqlite",
    "litellm",
    "fastapi",
    "pydantic_settings",
)
UNREACHABLE_URL = "postgresql://root:hunter2@127.0.0.1:1/test"


# Helpers ----------------------------------------------------------------------------


@pytest.fixture
def cli_env(isolated_env: Path) -> dict[str, str]:
    """The environment for a subprocess: isolated XDG dirs, no Adventorator variables."""
    return dict(os.environ)


def adv(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real ``adv`` console script."""
    return run_adv(*args, env=env, cwd=cwd, timeout=timeout)


def _with_url(env: dict[str, str], url: str) -> dict[str, str]:
    return {**env, "DATABASE_URL": url}


def _assert_one_line_error(stderr: str, *fragments: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def _db_state(url: str) -> tuple[tuple[str, ...], set[str]]:
    """(current revisions, tables) read through the library on a private loop."""

    def names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async def read() -> tuple[tuple[str, ...], set[str]]:
        database = create_database(load_settings(database_url=url))
        try:
            revisions = await migrate.current_revisions(database)
            async with database.engine.connect() as connection:
                tables = await connection.run_sync(names)
            return revisions, tables
        finally:
            await database.dispose()

    return asyncio.run(read())


def _db_execute(url: str, statement: str) -> None:
    async def run() -> None:
        database = create_database(load_settings(database_url=url))
        try:
            async with database.engine.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await database.dispose()

    asyncio.run(run())


HEAD = migrate.head_revisions()


# Help, version and import weight ----------------------------------------------------


def test_help_and_version(cli_env: dict[str, str]) -> None:
    shown = adv("--help", env=cli_env)
    assert shown.returncode == 0, shown.stderr
    assert "Usage:" in shown.stdout
    assert "db" in shown.stdout
    assert "config" in shown.stdout

    version = adv("--version", env=cli_env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"adv {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["db", "--help"],
        ["config", "--help"],
        ["db", "upgrade", "--help"],
        ["roll", "2d20kh1"],
        ["roll", "4d6kh3", "--times", "3", "--json"],
        ["check", "--skill", "stealth", "--score", "16", "--proficient", "--dc", "15"],
    ],
)
def test_help_does_not_import_heavy_modules(cli_env: dict[str, str], argv: list[str]) -> None:
    script = (
        "import json, sys\n"
        "from adventorator.cli import main\n"
        f"sys.argv = ['adv', *{argv!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY_MODULES!r}))\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None)
    assert report["heavy"] == []


# adv db, as real processes on both backends --------------------------------------------


def test_db_upgrade_then_check(cli_env: dict[str, str], fresh_database_url: str) -> None:
    env = _with_url(cli_env, fresh_database_url)

    upgraded = adv("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded empty -> {', '.join(HEAD)}" in upgraded.stdout
    revisions, tables = _db_state(fresh_database_url)
    assert revisions == HEAD
    assert tables >= MODEL_TABLES

    checked = adv("db", "check", env=env)
    assert checked.returncode == 0, checked.stderr
    assert "schema matches the models" in checked.stdout

    again = adv("db", "upgrade", "--json", env=env)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["from"] == report["to"] == list(HEAD)


def test_db_current_json(cli_env: dict[str, str], fresh_database_url: str) -> None:
    env = _with_url(cli_env, fresh_database_url)
    before = adv("db", "current", "--json", env=env)
    assert before.returncode == 0, before.stderr
    report = json.loads(before.stdout)
    assert report["current"] == []
    assert report["head"] == list(HEAD)
    assert report["state"] == "empty"
    assert report["database"]

    assert adv("db", "upgrade", env=env).returncode == 0
    after = json.loads(adv("db", "current", "--json", env=env).stdout)
    assert after["current"] == list(HEAD)
    assert after["state"] == "current"

    plain = adv("db", "current", env=env)
    assert plain.returncode == 0, plain.stderr
    assert f"{HEAD[0]} [current]" in plain.stdout


def test_db_history_json(cli_env: dict[str, str], fresh_database_url: str) -> None:
    env = _with_url(cli_env, fresh_database_url)
    shown = adv("db", "history", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    revisions = json.loads(shown.stdout)
    assert {rev["revision"] for rev in revisions if rev["head"]} == set(HEAD)
    assert all(
        set(rev) == {"revision", "down_revision", "message", "head", "applied"} for rev in revisions
    )
    assert not any(rev["applied"] for rev in revisions)
    assert revisions[-1]["down_revision"] is None

    assert adv("db", "upgrade", env=env).returncode == 0
    applied = json.loads(adv("db", "history", "--json", env=env).stdout)
    assert all(rev["applied"] for rev in applied)
    plain = adv("db", "history", env=env)
    assert "(head)" in plain.stdout
    assert "[applied]" in plain.stdout


def test_db_downgrade_base(cli_env: dict[str, str], fresh_database_url: str) -> None:
    env = _with_url(cli_env, fresh_database_url)
    assert adv("db", "upgrade", env=env).returncode == 0

    down = adv("db", "downgrade", "base", "--yes", "--json", env=env)
    assert down.returncode == 0, down.stderr
    assert json.loads(down.stdout)["to"] == []

    current = adv("db", "current", env=env)
    assert current.returncode == 0, current.stderr
    assert "(empty: no schema) [empty]" in current.stdout
    revisions, tables = _db_state(fresh_database_url)
    assert revisions == ()
    assert tables & MODEL_TABLES == set()


def test_db_downgrade_needs_a_revision(cli_env: dict[str, str]) -> None:
    done = adv("db", "downgrade", env=cli_env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_db_upgrade_to_an_unknown_revision(
    cli_env: dict[str, str], fresh_database_url: str
) -> None:
    done = adv("db", "upgrade", "nosuchrev", env=_with_url(cli_env, fresh_database_url))
    assert done.returncode == 2
    _assert_one_line_error(done.stderr, "migration failed")


def test_db_check_on_an_empty_postgres(
    cli_env: dict[str, str], postgres_server: PostgresServer
) -> None:
    url = postgres_server.create()
    done = adv("db", "check", env=_with_url(cli_env, url))
    assert done.returncode == 2
    _assert_one_line_error(done.stderr, "run `adv db upgrade`", "has no schema yet")
    assert done.stdout == ""
    assert _db_state(url)[0] == ()  # check changes nothing


def test_db_check_detects_drift(cli_env: dict[str, str], fresh_database_url: str) -> None:
    env = _with_url(cli_env, fresh_database_url)
    assert adv("db", "upgrade", env=env).returncode == 0
    _db_execute(fresh_database_url, "ALTER TABLE transcript_entries DROP COLUMN meta")
    done = adv("db", "check", env=env)
    assert done.returncode == 2
    _assert_one_line_error(done.stderr, "differ", "meta")


def test_db_commands_on_a_newer_schema(cli_env: dict[str, str], fresh_database_url: str) -> None:
    env = _with_url(cli_env, fresh_database_url)
    assert adv("db", "upgrade", env=env).returncode == 0
    _db_execute(fresh_database_url, "UPDATE alembic_version SET version_num = 'fffffffffff0'")

    current = adv("db", "current", "--json", env=env)
    assert current.returncode == 0, current.stderr
    assert json.loads(current.stdout)["state"] == "ahead"
    history = adv("db", "history", "--json", env=env)
    assert history.returncode == 0, history.stderr
    assert not any(rev["applied"] for rev in json.loads(history.stdout))
    check = adv("db", "check", env=env)
    assert check.returncode == 2
    _assert_one_line_error(check.stderr, "newer than this version", "upgrade Adventorator")
    assert "adv db upgrade" not in check.stderr


# Configuration and connection errors ---------------------------------------------------


@pytest.mark.parametrize("command", [["db", "current"], ["db", "upgrade"], ["config", "show"]])
def test_malformed_database_url(cli_env: dict[str, str], command: list[str]) -> None:
    env = _with_url(cli_env, "mysql://root:hunter2@db/adv")
    done = adv(*command, env=env)
    assert done.returncode == 2
    _assert_one_line_error(done.stderr, "DATABASE_URL", "postgresql://", "sqlite:///")
    assert "hunter2" not in done.stderr

    debug = adv("--debug", *command, env=env)
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert "ConfigError" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("error: DATABASE_URL")


def test_invalid_pool_setting(cli_env: dict[str, str]) -> None:
    done = adv("db", "current", env={**cli_env, "ADVENTORATOR_DB_POOL_SIZE": "lots"})
    assert done.returncode == 2
    _assert_one_line_error(done.stderr, "ADVENTORATOR_DB_POOL_SIZE")


def test_unreachable_postgres_fails_fast(cli_env: dict[str, str]) -> None:
    started = time.monotonic()
    done = adv("db", "current", env=_with_url(cli_env, UNREACHABLE_URL), timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 2
    _assert_one_line_error(done.stderr, "PostgreSQL at 127.0.0.1:1/test")
    assert "hunter2" not in done.stderr
    assert elapsed < 15


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_connect_timeout_bounds_a_silent_server(
    cli_env: dict[str, str], silent_server: int
) -> None:
    env = _with_url(cli_env, f"postgresql://root@127.0.0.1:{silent_server}/test")
    env["ADVENTORATOR_DB_CONNECT_TIMEOUT"] = "1"
    started = time.monotonic()
    done = adv("db", "current", env=env, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 2
    _assert_one_line_error(done.stderr, f"127.0.0.1:{silent_server}/test")
    assert elapsed < 15


def test_config_show_json(cli_env: dict[str, str]) -> None:
    env = _with_url(cli_env, "postgresql://bob:s3cret@db.example:5432/adv")
    done = adv("--campaign", "heist", "config", "show", "--json", env=env)
    assert done.returncode == 0, done.stderr
    rows: dict[str, Any] = json.loads(done.stdout)
    assert "s3cret" not in done.stdout
    assert rows["database_url"]["value"] == "postgresql://bob:***@db.example:5432/adv"
    assert rows["database_url"]["source"] == "environment"
    assert rows["database_url"]["env"] == "DATABASE_URL"
    assert rows["campaign"] == {
        "name": "campaign",
        "env": "ADVENTORATOR_CAMPAIGN",
        "value": "heist",
        "source": "command line",
    }
    assert rows["db_pool_size"]["value"] == 5
    assert rows["db_pool_size"]["source"] == "default"

    plain = adv("config", "show", env=env)
    assert plain.returncode == 0, plain.stderr
    assert "s3cret" not in plain.stdout
    assert "postgresql://bob:***@db.example:5432/adv  (environment)" in plain.stdout


def test_config_path(cli_env: dict[str, str], isolated_env: Path) -> None:
    done = adv("config", "path", "--json", env=cli_env)
    assert done.returncode == 0, done.stderr
    data_dir = isolated_env / "xdg-data" / "adventorator"
    assert json.loads(done.stdout) == {
        "config_file": str(isolated_env / "xdg-config" / "adventorator" / "config.toml"),
        "data_dir": str(data_dir),
        "database": str(data_dir / "adventorator.db"),
    }
    assert not data_dir.exists()  # showing paths creates nothing

    with_url = adv("config", "path", env=_with_url(cli_env, "postgresql://u@h/db"))
    assert with_url.returncode == 0, with_url.stderr
    assert "database: (DATABASE_URL is set)" in with_url.stdout


def test_embedded_default_database(cli_env: dict[str, str], isolated_env: Path) -> None:
    db_file = isolated_env / "xdg-data" / "adventorator" / "adventorator.db"
    url = f"sqlite:///{db_file}"

    # `adv db` commands never auto-upgrade: a fresh default reports empty.
    current = adv("db", "current", "--json", env=cli_env)
    assert current.returncode == 0, current.stderr
    report = json.loads(current.stdout)
    assert report["state"] == "empty"
    assert report["database"] == f"SQLite database {db_file}"
    assert _db_state(url)[0] == ()

    upgraded = adv("db", "upgrade", env=cli_env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert db_file.is_file()
    revisions, tables = _db_state(url)
    assert revisions == HEAD
    assert tables >= MODEL_TABLES
    assert adv("db", "check", env=cli_env).returncode == 0


# The same commands in process, through Typer's runner -----------------------------------


@pytest.fixture
def runner_app(isolated_env: Path) -> Any:
    return adv_app()


def test_runner_db_upgrade_current_check(
    runner_app: Any, fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    runner = CliRunner()

    empty = runner.invoke(runner_app, ["db", "current", "--json"])
    assert empty.exit_code == 0, empty.output
    assert json.loads(empty.stdout)["state"] == "empty"

    upgraded = runner.invoke(runner_app, ["db", "upgrade", "--json"])
    assert upgraded.exit_code == 0, upgraded.output
    assert json.loads(upgraded.stdout) == {
        "database": json.loads(empty.stdout)["database"],
        "from": [],
        "to": list(HEAD),
    }
    assert _db_state(fresh_database_url)[0] == HEAD

    checked = runner.invoke(runner_app, ["db", "check", "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["ok"] is True

    down = runner.invoke(runner_app, ["db", "downgrade", "base", "--yes"])
    assert down.exit_code == 0, down.output
    assert "downgraded" in down.stdout
    assert _db_state(fresh_database_url)[0] == ()


def test_runner_errors_exit_2_with_one_line(
    runner_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("DATABASE_URL", "garbage")
    bad = runner.invoke(runner_app, ["db", "current"])
    assert bad.exit_code == 2
    assert bad.stdout == ""
    _assert_one_line_error(bad.stderr, "DATABASE_URL")

    debug = runner.invoke(runner_app, ["--debug", "db", "current"])
    assert debug.exit_code == 2
    assert "Traceback" in debug.stderr

    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_URL)
    unreachable = runner.invoke(runner_app, ["db", "check"])
    assert unreachable.exit_code == 2
    _assert_one_line_error(unreachable.stderr, "127.0.0.1:1/test")


def test_runner_config_show_masks_and_reports_sources(
    runner_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://admin:topsecret@pg:5433/game")
    monkeypatch.setenv("ADVENTORATOR_USER", "zoe")
    result = CliRunner().invoke(runner_app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    assert "topsecret" not in result.output
    rows = json.loads(result.stdout)
    assert rows["database_url"]["value"] == "postgres://admin:***@pg:5433/game"
    assert rows["user"]["value"] == "zoe"
    assert rows["user"]["source"] == "environment"
    assert rows["campaign"]["source"] == "default"


# Malformed URLs and credentials outside the password slot (issue 12) -------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://root:hunter2@127.0.0.1:99999/test",
        "postgresql://root:hunter2@127.0.0.1:abc/test",
        "postgresql://root:hunter2@[::1/test",
        "postgresql://root:hunter2@127.0.0.1/test?foo=bar",
        "postgresql://root:hunter2@/test",
    ],
)
def test_malformed_url_parts_are_one_error_line(cli_env: dict[str, str], url: str) -> None:
    done = adv("sheet", "list", env=_with_url(cli_env, url))
    assert done.returncode == 2, done.stdout + done.stderr
    _assert_one_line_error(done.stderr, "DATABASE_URL")
    assert "hunter2" not in done.stderr
    assert done.stdout == ""


def test_config_show_and_doctor_mask_every_credential(cli_env: dict[str, str]) -> None:
    env = {
        **_with_url(cli_env, "postgresql://:pw-one@127.0.0.1:1/test?password=pw-two"),
        "ADVENTORATOR_DB_LISTEN_URL": "postgresql://u@127.0.0.1:1/test?sslpassword=pw-three",
        "ADVENTORATOR_LLM_MODEL": "openai/fake-model",
        "ADVENTORATOR_LLM_API_KEY": "pw-four",
        "ADVENTORATOR_LLM_API_BASE": "http://pw-five@127.0.0.1:1/v1?api_key=pw-six",
    }
    for args in (
        ("config", "show"),
        ("config", "show", "--json"),
        ("doctor",),
        ("doctor", "--json"),
    ):
        done = adv(*args, env=env)
        assert "pw-" not in done.stdout + done.stderr, args
        assert "Traceback" not in done.stderr
    shown = json.loads(adv("config", "show", "--json", env=env).stdout)
    assert shown["database_url"]["value"] == "postgresql://:***@127.0.0.1:1/test?password=***"
    assert shown["llm_api_base"]["value"] == "http://***@127.0.0.1:1/v1?api_key=***"
