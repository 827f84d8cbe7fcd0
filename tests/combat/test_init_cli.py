"""``adv init ...`` through the in-process CLI runner on both backends; state read back."""

from __future__ import annotations

import json
from typing import Any

from tests.characters.support import Cli, assert_one_line_error, sheet_data


def create(cli: Cli, name: str, user: str = "alice", dex: int = 10) -> None:
    abilities = {"str": 10, "dex": dex, "con": 10, "int": 10, "wis": 10, "cha": 10}
    document = sheet_data(name, abilities=abilities, hp={"max": 20, "current": 20})
    result = cli("sheet", "create", "--json", json.dumps(document), user=user)
    assert result.exit_code == 0, result.output


def ok(cli: Cli, *args: str, user: str = "alice") -> Any:
    return cli.json(*args, user=user)


def test_a_short_fight_round_trip(cli: Cli) -> None:
    create(cli, "Wren", dex=18)
    create(cli, "Brom", user="bob")
    assert ok(cli, "init", "list") == {"encounter": None}
    ok(cli, "init", "begin")
    ok(cli, "init", "add", "wren", "--init", "17")
    ok(cli, "init", "add", "brom", "--init", "12", user="bob")
    added = ok(cli, "init", "add", "goblin", "-n", "2", "--seed", "7")
    names = [c["name"] for c in added["encounter"]["combatants"]]
    assert {"Goblin 1", "Goblin 2"} <= set(names)
    listed = ok(cli, "init", "list")["encounter"]
    assert listed["round"] == 0
    assert listed["current"] is None
    started = ok(cli, "init", "next")["encounter"]
    assert started["round"] == 1
    assert started["current"] == names[0]
    # Goblins are sheets: hp and conditions work on them by name.
    assert {row["name"] for row in cli.rows()} >= {"Goblin 1", "Goblin 2"}
    result = cli("damage", "goblin 1", "7")
    assert result.exit_code == 0, result.output
    text = cli("init", "list").stdout
    assert f"> {started['combatants'][0]['initiative']:>3}  {names[0]}" in text
    ended = ok(cli, "init", "end")
    assert ended["summary"] == "The encounter ends after 1 round: Goblin 1 fell"
    assert {row["name"] for row in cli.rows()} == {"Wren", "Brom"}
    assert ok(cli, "init", "list") == {"encounter": None}


def test_init_errors_are_one_line(cli: Cli) -> None:
    assert_one_line_error(cli("init", "next"), "no encounter is running")
    ok(cli, "init", "begin")
    assert_one_line_error(cli("init", "begin"), "already running")
    assert_one_line_error(cli("init", "add", "nobody-at-all"), "no character or SRD monster")
    assert_one_line_error(cli("init", "add", "goblin", "--hp", "max"), "--hp must be avg or roll")
    create(cli, "Wren")
    ok(cli, "init", "add", "wren", "--init", "10")
    ok(cli, "init", "next")
    create(cli, "Brom", user="bob")
    assert_one_line_error(cli("init", "next", user="bob"), "Wren's turn")
    assert_one_line_error(cli("init", "next", "--current", "goblin"), "moved on", "Wren")


def test_a_second_goblin_add_numbers_on(cli: Cli) -> None:
    ok(cli, "init", "begin")
    ok(cli, "init", "add", "goblin", "--seed", "1")
    ok(cli, "init", "add", "goblin", "-n", "2", "--hp", "roll", "--seed", "2")
    names = sorted(c["name"] for c in ok(cli, "init", "list")["encounter"]["combatants"])
    assert names == ["Goblin 1", "Goblin 2", "Goblin 3"]
    ok(cli, "init", "remove", "goblin 2")
    assert sorted(row["name"] for row in cli.rows()) == ["Goblin 1", "Goblin 3"]
