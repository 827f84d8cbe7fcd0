"""NAME defaults to your active character: `adv heal 10`, `adv condition add poisoned`.

Through the real ``adv`` CLI on both backends; the state is read back through
the library. A first word that is a number or dice starts the amount, so
``adv heal wren 10`` and ``adv heal 1d8 + 3`` both keep working.
"""

from __future__ import annotations

from tests.characters.support import Cli, assert_one_line_error
from tests.combat.test_hp_commands import create, hp_of


def test_damage_heal_and_hp_default_to_the_active_character(cli: Cli) -> None:
    create(cli, "Brom")
    create(cli)  # saved last: alice's active character is Wren
    assert cli("damage", "7").stdout.strip() == "Wren: 30 → 23 HP (7)"
    out = cli.json("heal", "1d4", "+", "1", "--seed", "3")
    assert (out["character"], out["roll"]["expression"]) == ("Wren", "1d4 + 1")
    assert out["after"]["current"] == 23 + out["amount"]
    assert cli("heal", "brom", "2").exit_code == 0  # a name still comes first
    assert cli("damage", "brom", "5", "--type", "fire").stdout.startswith("Brom: 30 → 25 HP")
    assert cli("hp").stdout.strip() == f"Wren: {23 + out['amount']}/30 HP"
    assert hp_of(cli, "Brom")["current"] == 25


def test_stabilize_and_conditions_default_to_the_active_character(cli: Cli) -> None:
    create(cli)
    cli("damage", "30")
    assert cli.json("stabilize")["after"]["stable"] is True
    assert cli("condition", "add", "poisoned").stdout.strip() == "Wren is now poisoned"
    assert cli("condition", "list").stdout.strip() == "Wren: prone, unconscious, poisoned"
    assert cli.json("condition", "remove", "poisoned")["conditions"] == ["prone", "unconscious"]
    assert cli.json("condition", "add", "exhaustion", "--level", "2")["exhaustion"] == 2


def test_a_missing_amount_or_character_says_what_to_type(cli: Cli) -> None:
    create(cli)
    assert_one_line_error(
        cli("heal", "wren"), "heal needs an amount", "`adv heal <amount>`", "`adv heal <name>"
    )
    assert_one_line_error(cli("damage"), "damage needs an amount")
    assert_one_line_error(cli("condition", "add"), "name the condition")
    assert_one_line_error(cli("heal", "3", user="bob"), "you have no character", "sheet create")
