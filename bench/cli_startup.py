"""Whole-process cost of the CLI: start-up against d20, database commands against a roll.

Two comparisons, each measured side by side in one run, every command a fresh
process, the commands alternating so machine noise hits them alike:

- start-up: `adv roll 2d20kh1` against the d20 one-liner, wall time
  (target: adv <= d20);
- database commands: the everyday commands on the embedded SQLite default,
  process CPU (user + sys from ``os.wait4``) against `adv roll 1d20`
  (target <= 2.5x, stretch 1.5x). They run in a scratch data directory with
  one character, offline (no model), with no config file or ``.env``. Beside
  them, importing SQLAlchemy's asyncio extension (the storage layer is built on
  it), alone and with the CLI: the floor of any command that touches storage.

Bytecode is cached (in a scratch ``PYTHONPYCACHEPREFIX``, even when
``PYTHONDONTWRITEBYTECODE`` is set), as in any installed copy: compiling our
sources on every run would add about 30 ms to each process.

    .venv/bin/python bench/cli_startup.py [--runs 30] [--only startup|db]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADV = str(Path(sys.executable).parent / "adv")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rogue.json"
STARTUP = {
    "adv roll 2d20kh1": [ADV, "roll", "2d20kh1"],
    "python -c 'import d20; print(d20.roll(...))'": [
        sys.executable,
        "-c",
        "import d20; print(d20.roll('2d20kh1'))",
    ],
    "adv --help": [ADV, "--help"],
    "python -c pass": [sys.executable, "-c", "pass"],
}
BASELINE = "adv roll 1d20"
DATABASE = {
    BASELINE: [ADV, "roll", "1d20"],
    "adv sheet show": [ADV, "sheet", "show"],
    "adv sheet list": [ADV, "sheet", "list"],
    "adv check --skill stealth --dc 15": [ADV, "check", "--skill", "stealth", "--dc", "15"],
    'adv do "..." (offline)': [ADV, "do", "I sneak past the sleeping guard"],
    "adv transcript show": [ADV, "transcript", "show"],
}
FLOORS = {  # not commands: what any command on the storage layer imports before it starts
    "python -c 'import sqlalchemy.ext.asyncio'": [
        sys.executable,
        "-c",
        "import sqlalchemy.ext.asyncio",
    ],
    "python -c 'import adventorator.cli._app, sqlalchemy.ext.asyncio'": [
        sys.executable,
        "-c",
        "import adventorator.cli._app, sqlalchemy.ext.asyncio",
    ],
}
TARGET, STRETCH = 2.5, 1.5


def run_once(argv: list[str], env: dict[str, str] | None, cwd: str | None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + sys) of one process, checked for success."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {error.decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(
    commands: dict[str, list[str]], runs: int, env: dict[str, str] | None, cwd: str | None
) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) in milliseconds per command, over ``runs`` alternating rounds."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the file cache (and the .pyc files) once
        run_once(argv, env, cwd)
    for _ in range(runs):
        for name, argv in commands.items():
            wall, cpu = run_once(argv, env, cwd)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {
        name: (statistics.median(walls[name]) * 1000, statistics.median(cpus[name]) * 1000)
        for name in commands
    }


def bytecode_env(home: Path) -> dict[str, str]:
    """This environment, with bytecode cached under ``home`` (written by the warm-up)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


def startup(runs: int, home: Path) -> None:
    medians = measure(STARTUP, runs, bytecode_env(home), None)
    print(f"Whole-process time, median of {runs} alternating runs")
    for name, (wall, _) in medians.items():
        print(f"  {wall:7.1f} ms  {name}")
    ours, theirs = medians["adv roll 2d20kh1"][0], list(medians.values())[1][0]
    verdict = "met" if ours <= theirs else "NOT met"
    print(f"adv roll / d20 one-liner = {ours / theirs:.2f} (target <= 1.00: {verdict})")


def scratch_env(home: Path) -> dict[str, str]:
    """The environment without any Adventorator, database or Discord setting."""
    prefixes = ("ADVENTORATOR_", "DATABASE_URL", "DISCORD_")
    env = {key: value for key, value in bytecode_env(home).items() if not key.startswith(prefixes)}
    env.update(
        ADVENTORATOR_DATA_DIR=str(home / "data"),
        ADVENTORATOR_USER="bench",
        XDG_CONFIG_HOME=str(home / "config"),  # no config.toml
    )
    return env


def database_commands(runs: int, home: Path) -> None:
    env = scratch_env(home)
    # The first command creates and migrates the embedded database.
    run_once([ADV, "sheet", "create", "--file", str(EXAMPLE)], env, str(home))
    medians = measure({**DATABASE, **FLOORS}, runs, env, str(home))
    base = medians[BASELINE][1]
    print(f"\nEmbedded SQLite, process CPU (user+sys), median of {runs} alternating runs")
    print(f"  {'CPU':>9}  {'wall':>9}  {'ratio':>6}  command")
    worst = 0.0
    for name, (wall, cpu) in medians.items():
        ratio = cpu / base
        if name in DATABASE:
            worst = max(worst, ratio)
        else:
            name += " (imports only)"
        print(f"  {cpu:6.1f} ms  {wall:6.1f} ms  {ratio:5.2f}x  {name}")
    verdict = "met" if worst <= TARGET else "NOT met"
    stretch = "met" if worst <= STRETCH else "not met"
    print(
        f"worst database command / {BASELINE} = {worst:.2f}x "
        f"(target <= {TARGET}x: {verdict}; stretch <= {STRETCH}x: {stretch})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=("startup", "db"))
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="adv-bench-"))
    try:
        if args.only != "db":
            startup(args.runs, home)
        if args.only != "startup":
            database_commands(args.runs, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
