"""``adv do`` attacks in an encounter through the in-process CLI runner, on both backends.

The player's attack on their turn, the GM's ``--as`` for a monster on its turn,
and a player's ``--as`` refused in one line (exit 2); sheets read back.
"""

from __future__ import annotations

import json
from typing import Any

from tests.characters.support import Cli, assert_one_line_error, sheet_data

LONGSWORD = {"name": "Longsword", "damage": "1d8", "damage_type": "slashing"}


def _fight(cli: Cli) -> None:
    abilities = {"str": 16, "dex": 10, "con": 10, "int": 10, "wis": 10, "cha": 10}
    wren = sheet_data("Wren", abilities=abilities, hp={"max": 20, "current": 20}, ac=12)
    wren["attacks"] = [LONGSWORD]
    assert cli("sheet", "create", "--json", json.dumps(wren)).exit_code == 0
    assert (
        cli("sheet", "create", "--json", json.dumps(sheet_data("Brom")), user="bob").exit_code == 0
    )
    for args in (
        ("init", "begin"),
        ("init", "add", "wren", "--init", "17"),
        ("init", "add", "goblin", "-n", "2", "--init", "5", "--seed", "1"),
        ("init", "next"),
        ("character", "switch", "wren"),  # init add made a goblin alice's active sheet
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output


def _hp(cli: Cli, name: str) -> int:
    [row] = [r for r in cli.rows() if r["name"] == name]
    return int(row["sheet"]["hp"]["current"])


def test_a_player_attacks_on_their_turn_and_the_gm_answers_for_a_goblin(cli: Cli) -> None:
    _fight(cli)
    before = _hp(cli, "Goblin 1")
    turn: Any = cli.json("do", "I attack goblin 1 with my longsword", "--seed", "3", "--json")
    attack = turn["attack"]
    assert (attack["attacker"], attack["weapon"], attack["target"]) == (
        "Wren",
        "Longsword",
        "Goblin 1",
    )
    assert before - _hp(cli, "Goblin 1") == min(before, attack["taken"] or 0)

    assert cli("init", "next").exit_code == 0  # a goblin's turn (the tie's roll-off decides)
    current = cli.json("init", "list")["encounter"]["current"]
    wren_before = _hp(cli, "Wren")
    lunge: Any = cli.json("do", "--as", current, "it lunges at Wren", "--seed", "2", "--json")
    assert (lunge["attack"]["attacker"], lunge["attack"]["target"]) == (current, "Wren")
    assert wren_before - _hp(cli, "Wren") == (lunge["attack"]["taken"] or 0)

    refused = cli("do", "--as", current, "it lunges at Wren", user="bob")
    assert_one_line_error(refused, f"{current!r} belongs to another player")
    assert _hp(cli, "Wren") == wren_before - (lunge["attack"]["taken"] or 0)
