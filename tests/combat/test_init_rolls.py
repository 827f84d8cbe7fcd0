"""Initiative from the sheet through ``adv init add`` (both backends): a Dexterity check.

SRD: Jack of All Trades adds half proficiency (rounded down) and Remarkable
Athlete half (rounded up) to Dexterity checks, so to initiative; Feral
Instinct gives advantage on initiative rolls. Conditions apply as to any check.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.characters.support import Cli, sheet_data


def add(cli: Cli, name: str, dex: int, level: int, **changes: Any) -> dict[str, Any]:
    abilities = {"str": 10, "dex": dex, "con": 10, "int": 10, "wis": 10, "cha": 10}
    document = sheet_data(name, abilities=abilities, level=level, **changes)
    result = cli("sheet", "create", "--json", json.dumps(document))
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = cli.json("init", "add", name, "--seed", "4")
    return data


@pytest.mark.parametrize(
    ("features", "level", "modifier", "term"),
    [
        ([], 5, 2, None),
        (["Jack of All Trades"], 5, 3, "Jack of All Trades"),  # PB 3: +1
        (["Remarkable Athlete"], 5, 4, "Remarkable Athlete"),  # PB 3: +2
        (["Jack of All Trades"], 9, 4, "Jack of All Trades"),  # PB 4: +2
    ],
)
def test_initiative_modifier_has_the_features(
    cli: Cli, features: list[str], level: int, modifier: int, term: str | None
) -> None:
    cli.json("init", "begin")
    data = add(cli, "Hero", dex=14, level=level, features=features)
    [hero] = data["encounter"]["combatants"]
    assert hero["modifier"] == modifier
    [line] = data["lines"]
    assert line.startswith("Hero: 1d20 (")
    assert line.endswith(f"= {hero['initiative']}")
    assert (term is not None and term in line) or (term is None and "half" not in line)


def test_feral_instinct_rolls_initiative_with_advantage(cli: Cli) -> None:
    cli.json("init", "begin")
    data = add(cli, "Rager", dex=12, level=7, features=["Feral Instinct"])
    [line] = data["lines"]
    assert line.startswith("Rager: 2d20kh1 (")


def test_a_condition_applies_to_initiative(cli: Cli) -> None:
    cli.json("init", "begin")
    data = add(cli, "Sick", dex=12, level=1, conditions=["poisoned"])
    [line] = data["lines"]
    assert line.startswith("Sick: 2d20kl1 (")  # SRD Poisoned: disadvantage on ability checks


def test_init_sets_a_fixed_initiative_and_roll_fills_the_rest(cli: Cli) -> None:
    cli.json("init", "begin")
    document = sheet_data("Fixed")
    assert cli("sheet", "create", "--json", json.dumps(document)).exit_code == 0
    fixed = cli.json("init", "add", "fixed", "--init", "17")
    assert fixed["lines"] == []
    assert fixed["encounter"]["combatants"][0]["initiative"] == 17
    result = cli("init", "roll")
    assert result.exit_code == 2
    assert "every combatant has an initiative already" in result.stderr
