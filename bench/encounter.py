"""Combat CPU in an encounter of 20 combatants, against `adv check` on the same database.

Issue 17's target: in an encounter of 20 combatants (3 example characters and
17 goblins), `adv init next` and an attack with its damage applied each stay
within 2x the process CPU (user + sys, from ``os.wait4``) of
`adv check --skill stealth --dc 15`, measured side by side in one run. Every
command is a fresh process, the three alternate so machine noise hits them
alike, and the figures are medians.

- `init next --current NAME` is always a valid press: the bench follows the
  turn order, so the turn always moves (a stale press would exit 2 and stop
  the bench).
- The attack is `attack scimitar --as "Goblin 3" --target Brannoc` with a
  seed found at set-up that hits, so every run applies damage; Brannoc has
  999 HP and is healed back outside the measurement before they run out.

It runs on a scratch embedded SQLite database (offline, no config file), and
with ``--postgres URL`` also on a scratch PostgreSQL database created next to
URL's (dropped afterwards). Prints the figures; a missed target is reported,
not raised.

    .venv/bin/python bench/encounter.py [--runs 15] [--postgres URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import scratch_database  # noqa: E402
from bench.cli_startup import ADV, run_once, scratch_env  # noqa: E402

TARGET = 2.0
GOBLINS = 17
EXAMPLES = ("rogue", "fighter", "bard")
TARGET_NAME, ATTACKER = "Brannoc Ashvale", "Goblin 3"
MAX_HP, HEAL_BELOW = 999, 100
BASELINE = "adv check --skill stealth --dc 15"
NEXT = "adv init next --current NAME"
ATTACK = f'adv attack scimitar --as "{ATTACKER}" --target brannoc (a hit)'


def adv(env: dict[str, str], home: Path, *args: str) -> str:
    """Run one set-up command (not measured); its standard output, or exit with its error."""
    done = subprocess.run([ADV, *args], env=env, cwd=home, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"adv {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


@dataclass
class Encounter:
    """What the bench knows of the fight, so every measured command is a valid one."""

    env: dict[str, str]
    home: Path
    order: list[str]
    current: int
    seed: int
    damage: int
    hp: int = MAX_HP

    def next_argv(self) -> list[str]:
        name = self.order[self.current]
        self.current = (self.current + 1) % len(self.order)
        return [ADV, "init", "next", "--current", name]

    def attack_argv(self) -> list[str]:
        if self.hp - self.damage < HEAL_BELOW:  # heal outside the measurement
            adv(self.env, self.home, "hp", "brannoc", "--set", str(MAX_HP))
            self.hp = MAX_HP
        self.hp -= self.damage
        return [ADV, *attack_args(self.seed)]


def attack_args(seed: int) -> list[str]:
    return ["attack", "scimitar", "--as", ATTACKER, "--target", "brannoc", "--seed", str(seed)]


def set_up(env: dict[str, str], home: Path) -> Encounter:
    """Three characters and 17 goblins in a started encounter; Brannoc at 999 HP."""
    for example in EXAMPLES:
        adv(env, home, "sheet", "create", "--example", example)
    adv(env, home, "init", "begin")
    adv(env, home, "init", "add", "goblin", "-n", str(GOBLINS), "--seed", "1")
    for name in ("wren", "brannoc", "ysolde"):
        adv(env, home, "init", "add", name, "--seed", "2")
    adv(env, home, "character", "switch", "brannoc")  # the baseline checks a character
    adv(env, home, "hp", "brannoc", "--max", str(MAX_HP))
    adv(env, home, "hp", "brannoc", "--set", str(MAX_HP))
    view = json.loads(adv(env, home, "init", "next", "--json"))["encounter"]
    order = [combatant["name"] for combatant in view["combatants"]]
    if len(order) != GOBLINS + len(EXAMPLES) or order[view["turn"]] != view["current"]:
        raise SystemExit(f"unexpected encounter: {view['current']!r} of {order}")
    seed, damage = hitting_seed(env, home)
    adv(env, home, "hp", "brannoc", "--set", str(MAX_HP))
    return Encounter(env, home, order, view["turn"], seed, damage)


def hitting_seed(env: dict[str, str], home: Path) -> tuple[int, int]:
    """The first seed whose goblin attack hits Brannoc, and the damage it deals."""
    for seed in range(1, 200):
        result = json.loads(adv(env, home, *attack_args(seed), "--json"))
        if result["hit"] and result["taken"] > 0:
            return seed, int(result["taken"])
    raise SystemExit("no seed in 1..199 hits Brannoc")


def measure(fight: Encounter, runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) in ms per command over ``runs`` alternating rounds, after a warm-up."""
    commands: dict[str, Callable[[], list[str]]] = {
        BASELINE: lambda: [ADV, "check", "--skill", "stealth", "--dc", "15"],
        NEXT: fight.next_argv,
        ATTACK: fight.attack_argv,
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for make in commands.values():  # warm the file cache and the .pyc files
        run_once(make(), fight.env, str(fight.home))
    for _ in range(runs):
        for name, make in commands.items():
            wall, cpu = run_once(make(), fight.env, str(fight.home))
            walls[name].append(wall * 1000)
            cpus[name].append(cpu * 1000)
    return {
        name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in commands
    }


def backend_result(medians: dict[str, tuple[float, float]]) -> dict[str, Any]:
    base = medians[BASELINE][1]
    commands = {
        name: {"cpu_ms": round(cpu, 1), "wall_ms": round(wall, 1), "ratio": round(cpu / base, 2)}
        for name, (wall, cpu) in medians.items()
    }
    worst = max(entry["ratio"] for entry in commands.values())
    return {"commands": commands, "worst_ratio": worst, "met": worst <= TARGET}


def run_backend(home: Path, runs: int, database_url: str | None) -> dict[str, Any]:
    env = scratch_env(home)
    home.mkdir(parents=True, exist_ok=True)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
        adv(env, home, "db", "upgrade")
    return backend_result(measure(set_up(env, home), runs))


def print_backend(label: str, runs: int, result: dict[str, Any]) -> None:
    combatants = GOBLINS + len(EXAMPLES)
    print(f"{label}, encounter of {combatants} combatants, process CPU (user+sys),")
    print(f"median of {runs} alternating runs")
    print(f"  {'CPU':>9}  {'wall':>9}  {'ratio':>6}  command")
    for name, entry in result["commands"].items():
        cpu, wall, ratio = entry["cpu_ms"], entry["wall_ms"], entry["ratio"]
        print(f"  {cpu:6.1f} ms  {wall:6.1f} ms  {ratio:5.2f}x  {name}")
    verdict = "met" if result["met"] else "NOT met"
    print(f"worst / {BASELINE} = {result['worst_ratio']:.2f}x (target <= {TARGET}x: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", metavar="URL", help="also measure on a scratch database")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    home = Path(tempfile.mkdtemp(prefix="adv-bench-encounter-"))
    results: dict[str, Any] = {}
    try:
        results["sqlite"] = run_backend(home / "sqlite", args.runs, None)
        if args.postgres:
            with scratch_database(args.postgres) as url:
                results["postgres"] = run_backend(home / "postgres", args.runs, url)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        document = {"runs": args.runs, "combatants": GOBLINS + len(EXAMPLES), "target": TARGET}
        print(json.dumps({**document, "backends": results}, indent=2))
        return
    labels = {"sqlite": "Embedded SQLite", "postgres": "PostgreSQL"}
    for index, (backend, result) in enumerate(results.items()):
        if index:
            print()
        print_backend(labels[backend], args.runs, result)


if __name__ == "__main__":
    main()
