"""Checks rolled from stored sheets use the sheet's real numbers (through the CLI).

Expected values are worked out here from the example files with the SRD
formulas (modifier = (score - 10) // 2, proficiency bonus = 2 + (level - 1) // 4).
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

import pytest

from adventorator.commands import Invocation, check, sheet
from adventorator.context import AppContext
from adventorator.rules import Dnd5eRuleset
from tests.characters.support import (
    BARD,
    ROGUE,
    Cli,
    example_path,
    example_text,
    identity,
    modifier,
    proficiency_bonus,
)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example_path(name).read_text(encoding="utf-8"))
    return data


def breakdown(result: Mapping[str, Any]) -> list[tuple[str, int]]:
    return [(term["source"], term["value"]) for term in result["breakdown"]]


def assert_total_adds_up(result: dict[str, Any]) -> None:
    assert result["modifier"] == sum(value for _, value in breakdown(result))
    assert result["total"] == result["kept"] + result["modifier"]
    if result["dc"] is not None:
        assert result["success"] is (result["total"] >= result["dc"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rogue_stealth_uses_dex_and_expertise(cli: Cli, seed: int) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    rogue = example("rogue")
    dex, pb = modifier(rogue["abilities"]["dex"]), proficiency_bonus(rogue["level"])

    result = cli.json("check", "--skill", "stealth", "--dc", "15", "--seed", str(seed))

    assert (result["kind"], result["ability"], result["skill"]) == ("skill", "dex", "stealth")
    assert breakdown(result) == [("DEX modifier", dex), ("proficiency (expertise)", 2 * pb)]
    assert result["modifier"] == dex + 2 * pb == 10
    assert result["dc"] == 15
    assert_total_adds_up(result)
    assert result["expression"] == "1d20ro1"  # Halfling Lucky rerolls a natural 1

    shown = cli.json("sheet", "show", ROGUE)
    assert shown["derived"]["skills"]["stealth"] == {
        "ability": "dex",
        "bonus": dex + 2 * pb,
        "proficiency": "expertise",
    }


def test_same_seed_same_roll(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    argv = ("check", "--skill", "stealth", "--dc", "15", "--seed", "42")
    assert cli.json(*argv) == cli.json(*argv)


def test_bard_jack_of_all_trades_on_unproficient_skills_but_not_saves(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("bard"))).exit_code == 0
    bard = example("bard")
    scores, pb = bard["abilities"], proficiency_bonus(bard["level"])
    jack = ("Jack of All Trades (half proficiency)", pb // 2)
    assert jack[1] == 1  # level 6: +3 proficiency, half of it rounded down

    athletics = cli.json("check", "--skill", "athletics", "--seed", "5")
    assert breakdown(athletics) == [("STR modifier", modifier(scores["str"])), jack]
    assert_total_adds_up(athletics)

    persuasion = cli.json("check", "--skill", "persuasion", "--seed", "5")  # expertise: no JoAT
    assert breakdown(persuasion) == [
        ("CHA modifier", modifier(scores["cha"])),
        ("proficiency (expertise)", 2 * pb),
    ]

    strength_save = cli.json("check", "--save", "str", "--seed", "5")
    assert strength_save["kind"] == "save"
    assert breakdown(strength_save) == [("STR modifier", modifier(scores["str"]))]
    assert_total_adds_up(strength_save)

    charisma_save = cli.json("check", "--save", "cha", "--dc", "12", "--seed", "5")
    assert breakdown(charisma_save) == [
        ("CHA modifier", modifier(scores["cha"])),
        ("proficiency", pb),
    ]
    assert_total_adds_up(charisma_save)

    derived = cli.json("sheet", "show", BARD)["derived"]
    assert derived["skills"]["athletics"] == {
        "ability": "str",
        "bonus": modifier(scores["str"]) + pb // 2,
        "proficiency": "half",
    }
    assert derived["saves"]["str"] == {"bonus": modifier(scores["str"]), "proficient": False}
    assert derived["initiative"] == modifier(scores["dex"]) + pb // 2  # a DEX check: JoAT


def test_level_change_rederives_the_numbers(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("bard"))).exit_code == 0
    updated = cli("sheet", "update", BARD, "--json", '{"level": 9}')
    assert updated.exit_code == 0, updated.output

    athletics = cli.json("check", "--skill", "athletics", "--character", "ysolde vane")
    assert ("Jack of All Trades (half proficiency)", proficiency_bonus(9) // 2) in breakdown(
        athletics
    )
    assert proficiency_bonus(9) // 2 == 2


def test_a_minimal_sheet_shows_without_ac_or_hp(cli: Cli) -> None:
    minimal = json.dumps(
        {
            "name": "Bare",
            "class": "Wizard",
            "level": 1,
            "abilities": {"str": 8, "dex": 14, "con": 12, "int": 16, "wis": 10, "cha": 10},
        }
    )
    assert cli("sheet", "create", "--json", minimal).exit_code == 0
    shown = cli("sheet", "show", "Bare")
    assert shown.exit_code == 0, shown.output
    title, vitals, *_ = shown.stdout.splitlines()
    assert title == "Bare: level 1 Wizard"
    assert vitals == "AC \u2014  HP \u2014  Speed 30 ft  Initiative +2  Proficiency +2"
    stored = cli.json("sheet", "show", "Bare")
    assert "hp" not in stored
    assert "ac" not in stored


# Through the handlers, with the invocation's ruleset -------------------------------------


class HouseProficiency(Dnd5eRuleset):
    """D&D 5e with a house rule: +4 proficiency at every level."""

    name = "house"

    def proficiency_bonus(self, level: int) -> int:
        return 4


async def test_the_invocations_ruleset_derives_what_sheets_and_checks_show(
    migrated_url: str,
) -> None:
    app = AppContext({"database_url": migrated_url})
    house = Invocation(
        app=app, rng=random.Random(3), ruleset=HouseProficiency(), identity=identity("alice")
    )
    rogue = example("rogue")
    dex = modifier(rogue["abilities"]["dex"])
    try:
        created = await sheet.create(house, sheet.SheetCreateOptions(json=example_text("rogue")))
        assert created.data is not None
        assert created.data["derived"]["proficiency_bonus"] == 4

        shown = await sheet.show(house, sheet.SheetNameOptions(name=ROGUE))
        assert shown.data is not None
        assert shown.data["derived"]["skills"]["stealth"]["bonus"] == dex + 2 * 4
        assert "Proficiency +4" in shown.text

        rolled = await check.check(house, check.CheckOptions(skill="stealth"))
        assert rolled.data is not None
        assert breakdown(rolled.data) == [("DEX modifier", dex), ("proficiency (expertise)", 8)]

        manual = check.CheckOptions(ability="str", score=12, level=5, proficient=True)
        rolled = await check.check(house, manual)
        assert rolled.data is not None
        assert breakdown(rolled.data) == [("STR modifier", 1), ("proficiency", 4)]
    finally:
        await app.aclose()
