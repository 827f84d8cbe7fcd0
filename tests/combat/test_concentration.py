"""Concentration through the real ``adv`` CLI on both backends (SRD 5.1 Concentration).

The saves are made certain by the sheet, not by a seed: CON 30 (+10) always
beats DC 10, and nothing beats DC 30 with CON 10.
"""

from __future__ import annotations

import json
from typing import Any

from tests.characters.support import Cli, assert_one_line_error, sheet_data

STRONG = {"str": 10, "dex": 10, "con": 30, "int": 10, "wis": 10, "cha": 10}


def create(cli: Cli, name: str = "Wren", user: str = "alice", **changes: Any) -> None:
    changes.setdefault("hp", {"max": 100, "current": 100})
    result = cli("sheet", "create", "--json", json.dumps(sheet_data(name, **changes)), user=user)
    assert result.exit_code == 0, result.output


def concentrating(cli: Cli, name: str = "Wren") -> str | None:
    spell: str | None = cli.json("concentration", "show", name)["concentration"]
    return spell


def test_start_show_end_and_a_new_spell_replaces_the_old(cli: Cli) -> None:
    create(cli)
    assert cli("concentration", "show").stdout.strip() == "Wren: not concentrating"
    out = cli("concentration", "start", "bless")
    assert out.exit_code == 0, out.output
    assert out.stdout.strip() == "Wren is concentrating on bless"
    out = cli("concentration", "start", "hold", "person", "--character", "wren")
    assert out.stdout.strip() == (
        "Wren is concentrating on hold person (concentration on bless ends: one spell at a time)"
    )
    assert concentrating(cli) == "hold person"
    data = cli.json("concentration", "end")
    assert (data["before"], data["concentration"]) == ("hold person", None)
    assert concentrating(cli) is None
    [event] = cli.json("history", "--limit", "1")["events"]
    assert event["kind"] == "concentration"
    assert event["before"]["concentration"] == "hold person"
    assert "concentration" not in event["after"]


def test_damage_calls_for_a_save_that_keeps_it(cli: Cli) -> None:
    create(cli, abilities=STRONG)
    cli("concentration", "start", "Bless")
    out = cli("damage", "wren", "7")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == "Wren: 100 → 93 HP (7)"
    assert lines[1].startswith("Concentration (Bless): CON save ")
    assert lines[1].endswith(" vs DC 10: kept")
    data = cli.json("damage", "wren", "23")
    assert data["concentration"]["dc"] == 11  # half of 23, rounded down
    assert data["concentration"]["total"] >= 11
    assert data["concentration"]["kept"] is True
    assert concentrating(cli) == "Bless"


def test_a_failed_save_ends_it_in_the_same_event_and_undo_restores_it(cli: Cli) -> None:
    create(cli)
    cli("concentration", "start", "Bless")
    data = cli.json("damage", "wren", "60")  # DC 30: a CON of 10 cannot make it
    assert data["concentration"]["dc"] == 30
    assert data["concentration"]["kept"] is False
    assert data["summary"] == "Wren: 100 → 40 HP (60); concentration on Bless ended"
    assert concentrating(cli) is None
    [event] = cli.json("history", "--limit", "1")["events"]
    assert event["kind"] == "damage"
    assert event["before"]["concentration"] == "Bless"
    assert "concentration" not in event["after"]
    assert event["after"]["hp"]["current"] == 40
    assert cli("undo").exit_code == 0
    assert concentrating(cli) == "Bless"
    assert cli.json("hp", "wren")["hp"]["current"] == 100


def test_damage_an_immunity_stops_is_no_save(cli: Cli) -> None:
    create(cli, immunities=["fire"])
    cli("concentration", "start", "Bless")
    data = cli.json("damage", "wren", "60", "--type", "fire")
    assert (data["taken"], data["concentration"]) == (0, None)
    assert "Concentration" not in cli("damage", "wren", "1", "--type", "fire").stdout
    assert concentrating(cli) == "Bless"


def test_damage_temporary_hit_points_absorb_still_calls_for_a_save(cli: Cli) -> None:
    create(cli)
    cli("hp", "wren", "--temp", "70")
    cli("concentration", "start", "Bless")
    data = cli.json("damage", "wren", "60")
    assert data["after"]["current"] == 100  # all absorbed
    assert data["concentration"]["dc"] == 30
    assert concentrating(cli) is None


def test_dropping_to_zero_ends_it_without_a_save(cli: Cli) -> None:
    create(cli, abilities=STRONG, hp={"max": 10, "current": 10})
    cli("concentration", "start", "Bless")
    out = cli("damage", "wren", "12")
    assert out.stdout.splitlines()[1] == "Concentration (Bless): lost (unconscious: incapacitated)"
    assert concentrating(cli) is None
    create(cli, "Vex", abilities=STRONG, hp={"max": 10, "current": 10})
    cli("concentration", "start", "Bless", "--character", "vex")
    out = cli("hp", "vex", "--set", "0")
    assert out.stdout.strip().endswith("; Concentration (Bless): lost (unconscious: incapacitated)")
    assert concentrating(cli, "Vex") is None


def test_an_incapacitating_condition_ends_it_in_the_same_event(cli: Cli) -> None:
    create(cli)
    cli("concentration", "start", "Bless")
    assert cli("condition", "add", "wren", "poisoned").stdout.strip() == "Wren is now poisoned"
    assert concentrating(cli) == "Bless"
    out = cli("condition", "add", "wren", "stunned")
    assert out.stdout.strip() == (
        "Wren is now stunned; Concentration (Bless): lost (stunned: incapacitated)"
    )
    assert concentrating(cli) is None
    assert cli("undo").exit_code == 0
    assert concentrating(cli) == "Bless"
    result = cli("concentration", "start", "Bane")  # still poisoned only: fine
    assert result.exit_code == 0
    cli("condition", "add", "wren", "paralyzed")
    assert_one_line_error(
        cli("concentration", "start", "Bless"), "Wren cannot concentrate: paralyzed"
    )


def test_only_the_owner_or_the_game_master_may_start_or_end_it(cli: Cli) -> None:
    create(cli)  # alice: the first player here, so the game master
    create(cli, "Brannoc", user="bob")
    assert_one_line_error(
        cli("concentration", "start", "Bless", "--character", "wren", user="bob"),
        "'Wren' belongs to another player",
    )
    assert cli("concentration", "start", "Bless", "--character", "brannoc").exit_code == 0
    assert concentrating(cli, "Brannoc") == "Bless"


def test_spell_name_errors_are_one_line(cli: Cli) -> None:
    create(cli)
    assert_one_line_error(cli("concentration", "start", "x" * 101), "at most 100 characters")
