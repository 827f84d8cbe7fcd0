"""The play-state commands through the real ``adv`` CLI on both backends.

SRD cases are table-driven through the commands (SRD 5.1 "Damage and
Healing", "Damage Resistance and Vulnerability", "Death Saving Throws"); the
resulting state is read back through the library. Concurrent damage runs in
real ``adv`` processes.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.characters.support import Cli, assert_one_line_error, sheet_data
from tests.processes import ADV


def create(cli: Cli, name: str = "Wren", user: str = "alice", **changes: Any) -> None:
    changes.setdefault("hp", {"max": 30, "current": 30})
    result = cli("sheet", "create", "--json", json.dumps(sheet_data(name, **changes)), user=user)
    assert result.exit_code == 0, result.output


def hp_of(cli: Cli, name: str = "Wren") -> dict[str, Any]:
    [row] = [row for row in cli.rows() if row["name"] == name]
    return dict(row["sheet"]["hp"])


@pytest.mark.parametrize(
    ("sheet", "commands", "hp"),
    [
        # SRD Damage: temporary HP absorb first.
        ({}, [["hp", "wren", "--temp", "5"], ["damage", "wren", "8"]], (27, 0)),
        # SRD Temporary HP: they do not stack; the higher is kept.
        ({}, [["hp", "wren", "--temp", "5"], ["hp", "wren", "--temp", "3"]], (30, 5)),
        # SRD Healing: never above the maximum.
        ({}, [["damage", "wren", "4"], ["heal", "wren", "10"]], (30, 0)),
        # SRD Resistance halves (rounded down), vulnerability doubles.
        ({"resistances": ["Fire"]}, [["damage", "wren", "11", "--type", "fire"]], (25, 0)),
        ({"vulnerabilities": ["cold"]}, [["damage", "wren", "6", "--type", "COLD"]], (18, 0)),
        ({"immunities": ["poison"]}, [["damage", "wren", "9", "--type", "poison"]], (30, 0)),
        # SRD Instant Death: the remainder after 0 HP is at least the maximum.
        ({}, [["damage", "wren", "60"]], (0, 0)),
    ],
)
def test_srd_hit_point_rules(
    cli: Cli, sheet: dict[str, Any], commands: list[list[str]], hp: tuple[int, int]
) -> None:
    create(cli, **sheet)
    for command in commands:
        result = cli(*command)
        assert result.exit_code == 0, result.output
    stored = hp_of(cli)
    assert (stored["current"], stored.get("temp", 0)) == hp


def test_instant_death_and_dropping_to_zero(cli: Cli) -> None:
    create(cli)
    assert cli.json("damage", "wren", "60")["after"]["dead"] is True
    create(cli, "Vex")
    out = cli.json("damage", "vex", "35")
    assert (out["after"]["current"], out["after"]["dead"], out["after"]["dying"]) == (
        0,
        False,
        True,
    )
    assert out["conditions"] == ["prone", "unconscious"]  # SRD Unconscious: falls prone


@pytest.mark.parametrize(
    ("immunities", "conditions"),
    [
        (["prone"], ["unconscious"]),  # an ooze that cannot be knocked prone stays upright
        (["Prone", "poisoned"], ["unconscious"]),
        (["poisoned"], ["prone", "unconscious"]),
        (["prone", "unconscious"], []),
    ],
)
def test_dropping_to_zero_gives_no_condition_the_creature_is_immune_to(
    cli: Cli, immunities: list[str], conditions: list[str]
) -> None:
    create(cli, condition_immunities=immunities)

    out = cli.json("damage", "wren", "35")

    assert (out["after"]["current"], out["conditions"]) == (0, conditions)
    [stored] = [row["sheet"] for row in cli.rows() if row["name"] == "Wren"]
    assert stored.get("conditions", []) == conditions


@pytest.mark.parametrize(
    ("seed_face", "successes", "failures", "current"),
    [
        # Death Saving Throws: 10+ succeeds, below fails, a 1 is two failures, a 20 is 1 HP.
        (15, 1, 0, 0),
        (5, 0, 1, 0),
        (1, 0, 2, 0),
        (20, 0, 0, 1),
    ],
)
def test_death_saves(cli: Cli, seed_face: int, successes: int, failures: int, current: int) -> None:
    seed = _seed_for_d20(seed_face)
    create(cli)
    cli("damage", "wren", "30")
    out = cli.json("save", "death", "--character", "wr", "--seed", str(seed))
    assert out["d20"] == seed_face
    after = out["after"]
    assert (after["successes"], after["failures"], after["current"]) == (
        successes,
        failures,
        current,
    )
    if current:
        assert "unconscious" not in out["conditions"]  # a natural 20 wakes the character


def _seed_for_d20(face: int) -> int:
    """A seed whose first d20 through the dice engine shows ``face``."""
    import random

    from adventorator.rules import dice

    for seed in range(10_000):
        if dice.roll("1d20", rng=random.Random(seed)).total == face:
            return seed
    raise AssertionError(face)


def test_damage_at_zero_and_stabilize(cli: Cli) -> None:
    create(cli)
    cli("damage", "wren", "30")
    assert cli.json("damage", "wren", "2", "--crit")["after"]["failures"] == 2
    assert cli.json("stabilize", "wren")["after"]["stable"] is True
    assert cli.json("heal", "wren", "1d4", "--seed", "2")["after"]["current"] >= 1


def test_conditions_and_exhaustion(cli: Cli) -> None:
    create(cli)
    assert cli.json("condition", "add", "wren", "Poisoned")["conditions"] == ["poisoned"]
    assert cli.json("condition", "add", "wren", "exhaustion")["exhaustion"] == 1
    assert cli.json("condition", "add", "wren", "exhaustion", "--level", "4")["exhaustion"] == 4
    # SRD Exhaustion 4: the hit point maximum is halved.
    assert cli.json("hp", "wren")["hp"]["maximum"] == 15
    listed = cli("condition", "list", "wren")
    assert listed.stdout.strip() == "Wren: poisoned, exhaustion 4"
    assert cli.json("condition", "remove", "wren", "poisoned")["conditions"] == []
    assert cli.json("condition", "remove", "wren", "exhaustion")["exhaustion"] == 0
    assert cli.json("condition", "add", "wren", "exhaustion", "--level", "6")["after"]["hp"]["dead"]


def test_history_undo_and_the_game_master(cli: Cli) -> None:
    create(cli)  # alice is the first player: the game master
    create(cli, "Brom", user="bob")
    assert cli("damage", "brom", "3", user="bob").exit_code == 0
    assert cli("damage", "brom", "5").exit_code == 0  # the GM acts for anyone
    assert_one_line_error(cli("damage", "wren", "5", user="bob"), "belongs to another player")
    assert_one_line_error(cli("undo", user="bob"), "Brom changed since: undo the later change")
    assert cli.json("undo")["after"]["hp"]["current"] == 27  # the GM's own, the latest
    undone = cli.json("undo", user="bob")
    assert undone["after"]["hp"]["current"] == 30
    events = cli.json("history", "--limit", "5")["events"]
    assert [e["kind"] for e in events] == ["undo", "undo", "damage", "damage"]
    assert events[3]["undone_by"] == events[0]["id"]
    assert_one_line_error(cli("campaign", "gm", "alice", user="bob"), "only the game master")
    assert cli("campaign", "gm", "bob").stdout.strip() == "bob is now the game master."
    assert cli("damage", "wren", "4", user="bob").exit_code == 0  # now bob acts for anyone
    assert cli("undo", user="bob").exit_code == 0
    assert hp_of(cli, "Wren")["current"] == 30


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["damage", "wren", "0"], "damage must be at least 1, got 0"),
        (["heal", "wren", "-3"], "healing must be at least 1, got -3"),
        (["damage", "wren", "3", "--type", "plasma"], "unknown damage type 'plasma'"),
        (["damage", "zed", "3"], "no character named 'zed' in this campaign (characters: Wren)"),
        (["damage", "wren", "1001d6"], "too many dice"),
        (["hp", "wren", "--set", "5", "--temp", "2"], "one of --set, --temp and --max"),
        (["condition", "add", "wren", "sleepy"], "unknown condition 'sleepy'"),
        (["stabilize", "wren"], "only a creature at 0 hit points can be stabilised"),
        (["undo"], "nothing to undo"),
    ],
)
def test_bad_input_is_one_clear_line(cli: Cli, args: list[str], fragment: str) -> None:
    create(cli)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert fragment.lower() in result.stderr.lower(), result.stderr


def _adv(url: str, home: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ADVENTORATOR_") and key != "DATABASE_URL"
    }
    env.update(DATABASE_URL=url, XDG_DATA_HOME=str(home), XDG_CONFIG_HOME=str(home))
    return subprocess.Popen(
        [str(ADV), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_concurrent_damage_processes_all_count(cli: Cli, tmp_path: Path) -> None:
    # Brom is bob's; alice is the game master: both players hit him at once.
    create(cli, "Wren")
    create(cli, "Brom", user="bob", hp={"max": 100, "current": 100})
    users = ["alice", "bob"] * 3
    processes = [
        _adv(cli.url, tmp_path, "--user", user, "damage", "brom", str(number + 1))
        for number, user in enumerate(users)
    ]
    outcomes = [(process.wait(timeout=120), *process.communicate()) for process in processes]

    assert [code for code, _, _ in outcomes] == [0] * len(users), outcomes
    assert hp_of(cli, "Brom")["current"] == 100 - sum(range(1, len(users) + 1))
    assert len(cli.json("history", "--limit", "50")["events"]) == len(users)
