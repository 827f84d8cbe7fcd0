"""`adv monster show` and `adv monster list`: stat blocks from the package's SRD data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adventorator.commands.monster import stat_block
from adventorator.rules.monsters import find_monster
from tests.processes import ADV
from tests.support import adv_app

GOBLIN = """\
Goblin: Small humanoid (goblinoid), neutral evil
AC 15 (Leather Armor, Shield)  HP 7 (2d6)  Speed 30 ft.
STR 8 (-1)  DEX 14 (+2)  CON 10 (+0)  INT 10 (+0)  WIS 8 (-1)  CHA 8 (-1)
Skills: Stealth +6
Senses: darkvision 60 ft., passive Perception 9
Languages: Common, Goblin
CR 1/4 (50 XP)  Proficiency +2
Traits:
- Nimble Escape: The goblin can take the Disengage or Hide action as a bonus action on each \
of its turns.
Actions:
- Scimitar: melee, +4 to hit, reach 5 ft., 1d6+2 slashing
- Shortbow: ranged, +4 to hit, range 80/320 ft., 1d6+2 piercing"""


@pytest.fixture
def run(isolated_env: Path) -> Any:
    runner = CliRunner()
    app = adv_app()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return invoke


def test_show_goblin_is_the_stat_block(isolated_env: Path) -> None:
    # A real process with a pipe: plain text, exactly as the README shows it.
    done = subprocess.run(
        [str(ADV), "monster", "show", "goblin"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == GOBLIN


def test_show_json_is_the_data(run: Any) -> None:
    result = run("monster", "show", "Adult Red", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["index"], data["ac"], data["hit_points"], data["challenge"]) == (
        "adult-red-dragon",
        19,
        256,
        "17",
    )
    assert data["immunities"] == ["fire"]
    bite = next(a for a in data["actions"] if a["name"] == "Bite")
    assert bite["attack_bonus"] == 14
    assert [(p["dice"], p["type"]) for p in bite["damage"]] == [
        ("2d10+8", "piercing"),
        ("2d6", "fire"),
    ]
    multiattack = next(a for a in data["actions"] if a["name"] == "Multiattack")
    assert multiattack["multiattack"][2] == {"action": "Claw", "count": 2, "type": "melee"}


def test_dragon_block_shows_defences_saves_and_multiattack(run: Any) -> None:
    result = run("monster", "show", "adult-red-dragon")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Immune: fire" in out
    assert "Saves: DEX +6, CON +13, WIS +7, CHA +11" in out
    assert "- Multiattack: The dragon can use its Frightful Presence." in out
    assert "- Bite: melee, +14 to hit, reach 10 ft., 2d10+8 piercing plus 2d6 fire" in out
    assert "Legendary Resistance (3/Day):" in out


def test_undead_block_shows_vulnerability_and_condition_immunities() -> None:
    text = stat_block(find_monster("skeleton"))
    assert "Vulnerable: bludgeoning" in text
    assert "Immune: poison" in text
    assert "Condition immunities: poisoned, exhaustion" in text


def test_compact_block_drops_descriptions() -> None:
    dragon = find_monster("adult red dragon")
    compact = stat_block(dragon, descriptions=False)
    assert len(compact) < len(stat_block(dragon))
    assert "Fire Breath (Recharge 5-6): DC 21 DEX save, 18d6 fire" in compact
    assert "Legendary actions: Detect, Tail Attack, Wing Attack (Costs 2 Actions)" in compact


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("adult", "'adult' matches 10 monsters: Adult Black Dragon; "),
        ("zzyzx", "no SRD monster 'zzyzx'"),
    ],
)
def test_unknown_or_ambiguous_names_exit_2(run: Any, name: str, message: str) -> None:
    result = run("monster", "show", name)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_list_and_search(run: Any) -> None:
    result = run("monster", "list")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 334
    result = run("monster", "list", "--search", "gob", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "monsters": [
            {"index": "goblin", "name": "Goblin", "cr": "1/4", "type": "humanoid"},
            {"index": "hobgoblin", "name": "Hobgoblin", "cr": "1/2", "type": "humanoid"},
        ]
    }
    result = run("monster", "list", "--search", "qqq")
    assert result.exit_code == 2
    assert "no SRD monster matches 'qqq'" in result.stderr


def test_show_runs_without_the_database(isolated_env: Path) -> None:
    script = (
        "import sys\n"
        "from adventorator.cli import main\n"
        "sys.argv = ['adv', 'monster', 'show', 'goblin']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'litellm', "
        "'fastapi'}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Goblin: Small humanoid")
    assert done.stderr.strip().splitlines()[-1] == "[]"
