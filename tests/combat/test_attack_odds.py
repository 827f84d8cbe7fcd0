"""``attack --odds``: exact chances checked against brute-force enumeration of every die."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from fractions import Fraction
from typing import Any

import pytest

from adventorator.commands import sheet
from adventorator.context import AppContext
from tests.characters.support import example_text
from tests.combat.test_attack import BRANNOC, WREN, Table


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


def d20_faces(*, lucky: bool) -> dict[int, Fraction]:
    """Every way the d20 can land; Halfling Lucky rerolls a 1 once."""
    faces: dict[int, Fraction] = {}
    for first in range(1, 21):
        if lucky and first == 1:
            for second in range(1, 21):
                faces[second] = faces.get(second, Fraction(0)) + Fraction(1, 400)
        else:
            faces[first] = faces.get(first, Fraction(0)) + Fraction(1, 20)
    return faces


def damage_outcomes(dice: int, sides: int, flat: int, adjust: Any) -> list[int]:
    return [adjust(sum(r) + flat) for r in itertools.product(range(1, sides + 1), repeat=dice)]


def brute_force(
    *, bonus: int, ac: int, crit_on: int, lucky: bool, sides: int, flat: int, hp: int, adjust: Any
) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """P(hit), P(critical), the mean damage and P(damage >= hp), by enumeration."""
    normal = damage_outcomes(1, sides, flat, adjust)
    crit = damage_outcomes(2, sides, flat, adjust)
    hit = critical = mean = drop = Fraction(0)
    for face, p in d20_faces(lucky=lucky).items():
        if face == 1:
            continue
        if face >= crit_on:
            outcomes = crit
            critical += p
        elif face + bonus >= ac:
            outcomes = normal
        else:
            continue
        hit += p
        mean += p * Fraction(sum(outcomes), len(outcomes))
        drop += p * Fraction(sum(1 for o in outcomes if o >= hp), len(outcomes))
    return hit, critical, mean, drop


def halved(amount: int) -> int:
    return amount // 2


def unchanged(amount: int) -> int:
    return amount


# (attacker, weapon, target, target patch, bonus, AC, crit_on, lucky, die, flat, HP, adjust)
CASES = [
    ("brannoc", "long", WREN, {"hp": {"current": 10}}, 7, 15, 19, False, 8, 4, 10, unchanged),
    (
        "brannoc",
        "long",
        WREN,
        {"hp": {"current": 6}, "resistances": ["slashing"]},
        7,
        15,
        19,
        False,
        8,
        4,
        6,
        halved,
    ),
    ("wren", "shorts", BRANNOC, {"hp": {"current": 9}}, 7, 19, 20, True, 6, 4, 9, unchanged),
]


@pytest.mark.parametrize(
    (
        "who",
        "weapon",
        "target",
        "patch",
        "bonus",
        "ac",
        "crit_on",
        "lucky",
        "die",
        "flat",
        "hp",
        "adjust",
    ),
    CASES,
)
async def test_exact_odds_equal_brute_force(
    table: Table,
    who: str,
    weapon: str,
    target: str,
    patch: dict[str, Any],
    bonus: int,
    ac: int,
    crit_on: int,
    lucky: bool,
    die: int,
    flat: int,
    hp: int,
    adjust: Any,
) -> None:
    await table.patch(target, **patch)
    data = await table.data([2], weapon, character=who, target=target, odds=True)
    hit, critical, mean, drop = brute_force(
        bonus=bonus, ac=ac, crit_on=crit_on, lucky=lucky, sides=die, flat=flat, hp=hp, adjust=adjust
    )
    exact = data["odds"]["exact"]
    assert Fraction(exact["hit"]) == hit
    assert Fraction(exact["critical"]) == critical
    assert Fraction(exact["drop"]) == drop
    assert data["odds"]["mean_damage"] == pytest.approx(float(mean))


async def test_odds_without_a_target_have_no_drop_chance(table: Table) -> None:
    data = await table.data([2], "long", character="brannoc", ac=15, odds=True)
    assert Fraction(data["odds"]["exact"]["hit"]) == Fraction(13, 20)
    assert data["odds"]["drop"] is None
