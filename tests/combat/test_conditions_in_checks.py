"""``check``: a sheet's conditions and exhaustion change its checks and saves (SRD Conditions)."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adventorator.commands import Invocation, Reply, check, sheet
from adventorator.context import AppContext
from tests.characters.support import example_text, identity
from tests.scripted import script

WREN = "Wren Thistlefoot"


class Rogue:
    def __init__(self, app: AppContext) -> None:
        self.app = app

    def invocation(self, rng: random.Random | None = None) -> Invocation:
        return Invocation(app=self.app, rng=rng or random.Random(1), identity=identity("alice"))

    async def patch(self, **changes: Any) -> None:
        options = sheet.SheetUpdateOptions(name=WREN, json=json.dumps(changes))
        await sheet.update(self.invocation(), options)

    async def check(self, faces: list[int], **options: Any) -> Reply:
        return await check.check(self.invocation(script(*faces)), check.CheckOptions(**options))


@pytest.fixture
async def rogue(migrated_url: str) -> AsyncIterator[Rogue]:
    app = AppContext({"database_url": migrated_url})
    try:
        r = Rogue(app)
        await sheet.create(r.invocation(), sheet.SheetCreateOptions(json=example_text("rogue")))
        yield r
    finally:
        await app.aclose()


# (the sheet's play state, the roll, advantage state, automatic failure, the reason's condition)
EFFECTS = [
    ({"conditions": ["poisoned"]}, {"skill": "stealth"}, "disadvantage", False, "poisoned"),
    ({"conditions": ["poisoned"]}, {"ability": "str"}, "disadvantage", False, "poisoned"),
    ({"conditions": ["poisoned"]}, {"save": "con"}, "none", False, None),
    ({"exhaustion": 1}, {"skill": "athletics"}, "disadvantage", False, "exhaustion 1"),
    ({"exhaustion": 1}, {"save": "dex"}, "none", False, None),
    ({"exhaustion": 3}, {"save": "wis"}, "disadvantage", False, "exhaustion 3"),
    ({"conditions": ["frightened"]}, {"skill": "stealth"}, "disadvantage", False, "frightened"),
    ({"conditions": ["restrained"]}, {"save": "dex"}, "disadvantage", False, "restrained"),
    ({"conditions": ["restrained"]}, {"save": "str"}, "none", False, None),
    ({"conditions": ["paralyzed"]}, {"save": "str"}, "none", True, "paralyzed"),
    ({"conditions": ["paralyzed"]}, {"save": "dex"}, "none", True, "paralyzed"),
    ({"conditions": ["paralyzed"]}, {"save": "con"}, "none", False, None),
    ({"conditions": ["stunned"]}, {"save": "dex"}, "none", True, "stunned"),
    ({"conditions": ["unconscious"]}, {"save": "str"}, "none", True, "unconscious"),
    ({"conditions": ["petrified"]}, {"save": "dex"}, "none", True, "petrified"),
    (
        {"conditions": ["poisoned"], "exhaustion": 1},
        {"skill": "stealth"},
        "disadvantage",
        False,
        "poisoned",
    ),
    ({"conditions": ["prone"]}, {"skill": "stealth"}, "none", False, None),
]


@pytest.mark.parametrize(("state", "roll", "advantage", "auto_fail", "because"), EFFECTS)
async def test_conditions_change_checks_and_saves(
    rogue: Rogue,
    state: dict[str, Any],
    roll: dict[str, Any],
    advantage: str,
    auto_fail: bool,
    because: str | None,
) -> None:
    await rogue.patch(**state)
    reply = await rogue.check([20, 20], dc=5, **roll)
    assert reply.data is not None
    data = reply.data
    assert data["advantage"] == advantage
    assert data["auto_fail"] is auto_fail
    assert data["success"] is (not auto_fail)  # a natural 20 vs DC 5 passes unless it can't
    conditions = [c["condition"] for c in data["conditions"]]
    if because is None:
        assert conditions == []
    else:
        assert conditions[0] == because
        assert f"- {data['conditions'][0]['condition']}: " in reply.text
    if auto_fail:
        assert reply.text.splitlines()[0].endswith(": automatic failure")
        assert reply.markdown is not None
        assert reply.markdown.splitlines()[0].endswith(": **automatic failure**")


async def test_an_automatic_failure_has_no_chance(rogue: Rogue) -> None:
    await rogue.patch(conditions=["stunned"])
    reply = await rogue.check([12], save="dex", dc=10, odds=True)
    assert reply.data is not None
    assert reply.data["odds"] == 0.0
    assert "Chance to meet DC 10: 0.0%" in reply.text


async def test_manual_mode_has_no_conditions(rogue: Rogue) -> None:
    await rogue.patch(conditions=["poisoned"])
    reply = await rogue.check([12], ability="dex", score=16, dc=10)
    assert reply.data is not None
    assert reply.data["advantage"] == "none"
    assert "conditions" not in reply.data
