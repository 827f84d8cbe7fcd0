"""``attack`` through its handler on real databases, with scripted dice.

The example sheets: Brannoc (Champion fighter 8, STR 18: longsword +7, 1d8+4
slashing, light crossbow +5, "Improved Critical (19-20)") and Wren (rogue 5,
halfling, DEX 18: shortsword +7, 1d6+4 piercing + Sneak Attack 3d6 once per
turn; AC 15, 38 HP). Alice owns both, so she may change either.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from adventorator.commands import Invocation, Reply, attack, planning, sheet
from adventorator.context import AppContext
from adventorator.errors import InputError, NotFoundError
from adventorator.play.offline_planner import offline_plan
from tests.characters.support import example_text, identity
from tests.scripted import script

BRANNOC, WREN = "Brannoc Ashvale", "Wren Thistlefoot"
Attack = Callable[..., Awaitable[dict[str, Any]]]


class Table:
    """Alice's campaign with the fighter and the rogue, and a way to attack."""

    def __init__(self, app: AppContext) -> None:
        self.app = app

    def invocation(self, rng: random.Random | None = None) -> Invocation:
        return Invocation(app=self.app, rng=rng or random.Random(1), identity=identity("alice"))

    async def patch(self, name: str, **changes: Any) -> None:
        options = sheet.SheetUpdateOptions(name=name, json=json.dumps(changes))
        await sheet.update(self.invocation(), options)

    async def attack(self, faces: list[int], weapon: str, **options: Any) -> Reply:
        rolled = attack.AttackOptions(weapon=weapon, **options)
        return await attack.attack(self.invocation(script(*faces)), rolled)

    async def data(self, faces: list[int], weapon: str, **options: Any) -> dict[str, Any]:
        reply = await self.attack(faces, weapon, **options)
        assert reply.data is not None
        return dict(reply.data)

    async def hp(self, name: str) -> int:
        shown = await sheet.show(self.invocation(), sheet.SheetNameOptions(name=name))
        assert shown.data is not None
        return int(shown.data["hp"]["current"])


@pytest.fixture
async def table(migrated_url: str) -> AsyncIterator[Table]:
    app = AppContext({"database_url": migrated_url})
    try:
        t = Table(app)
        for name in ("fighter", "rogue"):
            await sheet.create(t.invocation(), sheet.SheetCreateOptions(json=example_text(name)))
        yield t
    finally:
        await app.aclose()


# SRD "Rolling 1 or 20" and Champion's Improved Critical: (attacker, faces, AC, hit, critical).
CRIT_RANGES = [
    ("brannoc", [19], 30, True, True),  # Improved Critical: 19 crits whatever the AC
    ("brannoc", [18], 25, True, False),  # 18 + 7 = 25 meets AC 25
    ("brannoc", [18], 26, False, False),
    ("brannoc", [1], 2, False, False),  # a natural 1 misses
    ("wren", [19], 26, True, False),  # no Improved Critical: 19 is a plain hit
    ("wren", [19], 27, False, False),
    ("wren", [20], 40, True, True),
    ("wren", [1, 12], 19, True, False),  # Halfling Lucky rerolls the 1: 12 + 7 = 19
]


@pytest.mark.parametrize(("who", "faces", "ac", "hit", "critical"), CRIT_RANGES)
async def test_crit_ranges_and_natural_ones(
    table: Table, who: str, faces: list[int], ac: int, hit: bool, critical: bool
) -> None:
    weapon = "long" if who == "brannoc" else "shorts"
    data = await table.data([*faces, 4, 4, 4, 4], weapon, character=who, ac=ac)
    assert (data["hit"], data["critical"]) == (hit, critical)
    assert data["attack"]["crit_on"] == (19 if who == "brannoc" else 20)
    if not hit:
        assert data["damage"] is None
    else:
        dice = 2 if critical else 1  # SRD Critical Hits: the damage dice twice
        assert data["damage"]["parts"][0]["amount"] == 4 * dice + 4
    assert data["target_before"] is None  # --ac alone applies nothing


async def test_extra_damage_is_added_when_asked_and_doubled_on_a_critical(table: Table) -> None:
    plain = await table.data([15, 3], "shortsword", character="wren", ac=15)
    assert [p["label"] for p in plain["damage"]["parts"]] == ["Shortsword"]
    assert plain["damage"]["left_out"] == ["Sneak Attack"]
    crit = await table.data(
        [20, 1, 2, 3, 4, 5, 6, 1, 2], "shortsword", character="wren", extra=True
    )
    parts = crit["damage"]["parts"]
    assert [(p["label"], p["rolled_expression"]) for p in parts] == [
        ("Shortsword", "2d6+4"),
        ("Sneak Attack", "6d6"),
    ]
    assert crit["damage"]["total"] == (1 + 2 + 4) + (3 + 4 + 5 + 6 + 1 + 2)


# SRD Conditions: (who has it, condition, weapon, advantage state, auto critical).
CONDITIONS_ON_ATTACKS = [
    ("attacker", {"conditions": ["poisoned"]}, "long", "disadvantage", False),
    ("attacker", {"conditions": ["restrained"]}, "long", "disadvantage", False),
    ("attacker", {"conditions": ["invisible"]}, "long", "advantage", False),
    ("attacker", {"exhaustion": 3}, "long", "disadvantage", False),
    ("attacker", {"exhaustion": 2}, "long", "none", False),
    ("target", {"conditions": ["prone"]}, "long", "advantage", False),  # within 5 ft
    ("target", {"conditions": ["prone"]}, "light", "disadvantage", False),  # ranged
    ("target", {"conditions": ["restrained"]}, "long", "advantage", False),
    ("target", {"conditions": ["invisible"]}, "long", "disadvantage", False),
    ("target", {"conditions": ["paralyzed"]}, "long", "advantage", True),
    ("target", {"conditions": ["paralyzed"]}, "light", "advantage", False),  # not within 5 ft
    ("target", {"conditions": ["unconscious"]}, "long", "advantage", True),
    ("both", {"conditions": ["poisoned"]}, "long", "none", False),  # any of each cancels
]


@pytest.mark.parametrize(
    ("who", "patch", "weapon", "advantage", "auto_crit"), CONDITIONS_ON_ATTACKS
)
async def test_conditions_change_the_attack_roll(
    table: Table, who: str, patch: dict[str, Any], weapon: str, advantage: str, auto_crit: bool
) -> None:
    if who in ("attacker", "both"):
        await table.patch(BRANNOC, **patch)
    if who == "target":
        await table.patch(WREN, **patch)
    if who == "both":  # prone within 5 ft gives advantage: with the poison's, a straight roll
        await table.patch(WREN, conditions=["prone"])
    data = await table.data([8, 8, 3, 3, 3, 3], weapon, character="brannoc", target="wren")
    assert data["attack"]["advantage"] == advantage
    if advantage != "none" or who == "both":
        assert data["attack"]["conditions"], "every change shows its condition"
    assert all(c["rule"].startswith("SRD Conditions") for c in data["attack"]["conditions"])
    assert data["critical"] is (auto_crit and data["hit"] is True)


# SRD Damage Resistance and Vulnerability: the longsword's 5 + 4 = 9 slashing.
DEFENCES = [
    ({}, 9),
    ({"resistances": ["slashing"]}, 4),
    ({"vulnerabilities": ["Slashing"]}, 18),
    ({"immunities": ["slashing"]}, 0),
    ({"resistances": ["slashing"], "vulnerabilities": ["slashing"]}, 8),  # halve, then double
    ({"resistances": ["fire"]}, 9),
]


@pytest.mark.parametrize(("defences", "taken"), DEFENCES)
async def test_defences_and_the_damage_applied_as_one_event(
    table: Table, defences: dict[str, Any], taken: int
) -> None:
    if defences:
        await table.patch(WREN, **defences)
    data = await table.data([15, 5], "long", character="brannoc", target="wr")
    assert data["hit"] is True
    assert data["damage"]["total"] == 9
    assert data["taken"] == taken
    assert data["target_before"]["hp"]["current"] == 38
    assert data["target_after"]["hp"]["current"] == 38 - taken
    assert await table.hp(WREN) == 38 - taken
    assert data["event_id"] is not None
    assert "Wren Thistlefoot: 38 → " in data["summary"]


async def test_a_miss_changes_nothing_and_records_nothing(table: Table) -> None:
    data = await table.data([2], "long", character="brannoc", target="wren")
    assert data["hit"] is False
    assert data["event_id"] is None
    assert data["target_before"] == data["target_after"]
    assert await table.hp(WREN) == 38


async def test_a_drop_to_zero_makes_the_target_unconscious(table: Table) -> None:
    await table.patch(WREN, hp={"current": 5})
    data = await table.data([15, 8], "long", character="brannoc", target="wren")
    assert data["target_after"]["hp"]["current"] == 0
    assert "unconscious" in data["target_after"]["conditions"]


async def test_names_errors_and_guidance(table: Table) -> None:
    with pytest.raises(NotFoundError, match="several attacks: Shortsword, Shortbow"):
        await table.attack([10], "short", character="wren", ac=10)
    with pytest.raises(NotFoundError, match="no attack 'axe'; attacks: Longsword, Light crossbow"):
        await table.attack([10], "axe", character="brannoc", ac=10)
    with pytest.raises(NotFoundError, match=r"goblin.*--ac"):
        await table.attack([10], "long", character="brannoc", target="goblin")
    with pytest.raises(InputError, match="--odds needs"):
        await table.attack([10], "long", character="brannoc", odds=True)
    await table.patch(BRANNOC, conditions=["stunned"])
    with pytest.raises(InputError, match="cannot attack: stunned"):
        await table.attack([10], "long", character="brannoc", ac=10)


async def test_the_reply_names_the_condition_and_the_hp_line(table: Table) -> None:
    await table.patch(WREN, conditions=["restrained"])
    reply = await table.attack([3, 17, 5], "long", character="brannoc", target="wren")
    assert reply.text.splitlines()[0].startswith(f"{BRANNOC} attacks {WREN} with Longsword:")
    assert "- target restrained: advantage on attacks against it" in reply.text
    assert f"{WREN}: 38 → 29 HP (9 slashing)" in reply.text
    assert reply.markdown is not None
    assert f"**{BRANNOC} attacks {WREN} with Longsword**" in reply.markdown
    assert not reply.ephemeral


@pytest.mark.parametrize(
    ("text", "weapon", "target"),
    [
        ("attack the goblin with my shortsword", "shortsword", "goblin"),
        ("I attack Brannoc with my light crossbow", "light crossbow", "Brannoc"),
        ("shoot at the orc with a shortbow!", "shortbow!", "orc"),
    ],
)
def test_the_offline_planner_reads_an_attack(text: str, weapon: str, target: str) -> None:
    plan = offline_plan(text)
    assert plan.name == "attack"
    assert plan.args["weapon"].strip("!") == weapon.strip("!")
    assert plan.args["target"] == target


async def test_acting_out_an_attack_on_a_creature_without_a_sheet_guides(table: Table) -> None:
    plan = offline_plan("attack the goblin with my shortsword")
    with pytest.raises(NotFoundError, match=r"no character named 'goblin'.*give its armor class"):
        await planning.execute(table.invocation(script(10)), plan.name, plan.args)
