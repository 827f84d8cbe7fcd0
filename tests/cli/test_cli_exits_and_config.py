"""Exit codes and settings the way a user sees them, through the real ``adv`` (issue 15).

- a reader that goes away early (``adv ... | head -1``) is a normal end: exit 0, nothing on stderr;
- ``adv db downgrade`` asks on a terminal, takes ``--yes``, refuses elsewhere in one line;
- ``adv config show`` writes values as a user writes them; unknown config-file keys warn.
"""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from tests.processes import ADV, adv_env, run_adv

pytestmark = pytest.mark.slow  # real processes

REPEATS = 10  # it used to exit 1 about half the time: ten runs miss that 1 time in 1,024


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return adv_env(home=tmp_path)


def _closed_early(
    args: tuple[str, ...], env: dict[str, str], *, read_line: bool
) -> tuple[int, str]:
    """Run ``adv ARGS`` with a stdout pipe whose reader closes early: (exit code, stderr)."""
    process = subprocess.Popen(
        [str(ADV), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    if read_line:  # like `| head -1`
        process.stdout.readline()
    process.stdout.close()  # before the command writes (or finishes writing)
    stderr = process.stderr.read().decode()
    return process.wait(timeout=120), stderr


@pytest.mark.parametrize(
    "args",
    [("roll", "1d6", "--times", "100"), ("sheet", "schema")],
    ids=["roll", "sheet-schema"],
)
def test_a_reader_closing_early_is_exit_0_and_quiet(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    outcomes = {_closed_early(args, env, read_line=i % 2 == 0) for i in range(REPEATS)}
    assert outcomes == {(0, "")}


# adv db downgrade -------------------------------------------------------------------


def _revision(env: dict[str, str]) -> str:
    done = run_adv("db", "current", env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _downgrade_on_terminal(env: dict[str, str], answer: str) -> tuple[int, str]:
    """``adv db downgrade base`` on a pseudo-terminal, answering its question: (code, screen)."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [str(ADV), "db", "downgrade", "base"],
        stdin=child,
        stdout=child,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(child)
    screen = b""
    while b"[y/N]" not in screen:
        chunk = os.read(main, 4096)
        assert chunk, screen
        screen += chunk
    os.write(main, answer.encode() + b"\n")
    while True:
        try:
            chunk = os.read(main, 65_536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(main)
    return process.wait(timeout=120), screen.decode()


def test_downgrade_refuses_without_yes_off_a_terminal(env: dict[str, str]) -> None:
    assert run_adv("db", "upgrade", env=env).returncode == 0
    before = _revision(env)
    done = run_adv("db", "downgrade", "base", env=env, stdin="y\n")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: downgrading SQLite database ")
    assert lines[0].endswith("to 'base' drops tables and the data in them: add --yes to confirm")
    assert done.stdout == ""
    assert _revision(env) == before

    forced = run_adv("db", "downgrade", "base", "--yes", env=env)
    assert forced.returncode == 0, forced.stderr
    assert "downgraded" in forced.stdout
    assert forced.stdout.rstrip().endswith("-> empty")
    assert "[empty]" in _revision(env)


def test_downgrade_asks_on_a_terminal(env: dict[str, str]) -> None:
    assert run_adv("db", "upgrade", env=env).returncode == 0
    before = _revision(env)

    code, screen = _downgrade_on_terminal(env, "n")
    assert code == 1
    assert "Really downgrade? Downgrading SQLite database" in screen
    assert _revision(env) == before

    code, screen = _downgrade_on_terminal(env, "y")
    assert code == 0, screen
    assert "-> empty" in screen
    assert "[empty]" in _revision(env)


# adv config show ----------------------------------------------------------------------


def test_config_show_writes_values_as_a_user_would(env: dict[str, str]) -> None:
    done = run_adv("config", "show", env=env)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert rows["ADVENTORATOR_DB_POOL_TIMEOUT"].split()[1:] == ["30", "s", "(default)"]
    assert rows["ADVENTORATOR_DB_POOL_PRE_PING"].split()[1:] == ["true", "(default)"]
    assert rows["ADVENTORATOR_LLM_MODEL"].split()[1:] == ["(not", "set)", "(default)"]
    assert rows["ADVENTORATOR_DATA_DIR"].count("(default)") == 1
    for bad in ("None", "True", "False", "30.0"):
        assert bad not in done.stdout.split(), bad


def test_unknown_config_keys_warn_on_every_command_that_loads_settings(
    env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "adv.toml"
    config.write_text('campaign = "heist"\ndb_pool_sise = 8\n', encoding="utf-8")
    env = {**env, "ADVENTORATOR_CONFIG_FILE": str(config)}
    warning = (
        f"warning: {config}: unknown key 'db_pool_sise' (did you mean 'db_pool_size'?); ignored"
    )
    for args in (("config", "show"), ("sheet", "list"), ("db", "current")):
        done = run_adv(*args, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines() == [warning], args
    assert run_adv("roll", "1d6", env=env).stderr == ""  # roll loads no settings
