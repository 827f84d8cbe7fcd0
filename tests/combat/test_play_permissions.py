"""Who may change whom in a fight, and play that leaves the active character alone.

Through the CLI in process on both backends. Alice creates the first sheet in
the campaign, so she is its game master; Bob is a player.
"""

from __future__ import annotations

import json

from tests.characters.support import ROGUE, Cli, assert_one_line_error, example_path

FIGHTER = "Brannoc Ashvale"
BARD = "Ysolde Vane"


def _setup(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    fighter = cli("sheet", "create", "--file", str(example_path("fighter")), user="bob")
    assert fighter.exit_code == 0, fighter.output
    # An AC nothing but a natural 1 misses, so a seed that does not roll 1 hits.
    assert cli("sheet", "update", ROGUE, "--json", '{"ac": 1}').exit_code == 0


def _hit(cli: Cli, *args: str, user: str) -> dict[str, object]:
    """The first seeded attack that hits (a natural 1 misses whatever the AC)."""
    for seed in range(10):
        result = cli("attack", *args, "--seed", str(seed), "--json", user=user)
        assert result.exit_code == 0, result.output
        data: dict[str, object] = json.loads(result.stdout)
        if data["hit"]:
            return data
    raise AssertionError("ten seeds in a row rolled a natural 1")


def test_an_attack_lands_on_another_players_character(cli: Cli) -> None:
    _setup(cli)
    before = cli.json("sheet", "show", ROGUE)["hp"]["current"]
    attack = _hit(cli, "longsword", "--target", "wren", user="bob")
    after = cli.json("sheet", "show", ROGUE)["hp"]["current"]
    assert after == max(0, before - int(str(attack["taken"])))
    assert int(str(attack["taken"])) > 0
    [event] = cli.json("history", "--limit", "1")["events"]
    assert event["kind"] == "attack"


def test_a_player_may_not_attack_as_another_players_character(cli: Cli) -> None:
    _setup(cli)
    result = cli("attack", "shortsword", "--character", "wren", "--target", "brannoc", user="bob")
    assert_one_line_error(result, f"{ROGUE!r} belongs to another player")


def test_the_game_master_may_attack_as_anyone(cli: Cli) -> None:
    _setup(cli)
    result = cli("attack", "longsword", "--character", "brannoc", "--ac", "10", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["attacker"] == FIGHTER


def test_a_player_may_not_damage_another_players_character_directly(cli: Cli) -> None:
    _setup(cli)
    result = cli("damage", "wren", "5", user="bob")
    assert_one_line_error(result, f"{ROGUE!r} belongs to another player")


def test_damage_and_conditions_do_not_change_the_active_character(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    assert cli("sheet", "create", "--file", str(example_path("bard"))).exit_code == 0
    assert cli.json("character", "current")["active"] == BARD  # the most recent sheet

    assert cli("damage", "wren", "3").exit_code == 0
    assert cli("condition", "add", "wren", "poisoned").exit_code == 0
    assert cli("heal", "wren", "1").exit_code == 0

    assert cli.json("character", "current")["active"] == BARD
