"""The real ``adv`` console script as a separate process: the one helper every test uses.

Most tests drive the CLI in process through Typer's runner; these helpers are
for the few that need a real process (start-up, concurrency between
processes, signals, a terminal).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ADV = Path(sys.executable).parent / "adv"
TIMEOUT_S = 120.0  # a hang fails the test instead of the run


def adv_env(
    base: Mapping[str, str] | None = None,
    *,
    home: Path | None = None,
    **variables: str,
) -> dict[str, str]:
    """An environment for ``adv``: ``base`` (default: this process's), without our own
    settings unless given in ``variables``; ``home`` isolates the XDG data and config dirs."""
    env = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if base is not None or not (key.startswith("ADVENTORATOR_") or key == "DATABASE_URL")
    }
    if home is not None:
        env.update(XDG_DATA_HOME=str(home / "xdg-data"), XDG_CONFIG_HOME=str(home / "xdg-config"))
    env.update(variables)
    return env


def run_adv(
    *args: str,
    env: Mapping[str, str],
    stdin: str | None = None,
    cwd: Path | None = None,
    timeout: float = TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """Run ``adv ARGS`` to the end and capture its output (never raises on exit codes)."""
    return subprocess.run(
        [str(ADV), *args],
        env=dict(env),
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_adv(*args: str, env: Mapping[str, str]) -> subprocess.Popen[str]:
    """Start ``adv ARGS`` without waiting (for processes that must run at the same time)."""
    return subprocess.Popen(
        [str(ADV), *args],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    """Wait for every process; (exit code, stdout, stderr) of each, in order."""
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=TIMEOUT_S)
        outcomes.append((process.returncode, out, err))
    return outcomes
