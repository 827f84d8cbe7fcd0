"""Monsters' HP and AC stay hidden from players on Discord; the game master sees them privately.

Over real HTTP: the GM (the campaign's first player) adds a goblin; Alice
plays Wren. Public replies about the goblin (attacks on it, damage, /hp,
/sheet show) say only "bloodied", "down" or "not bloodied"; the GM asking
for its HP or sheet gets the numbers in an ephemeral message.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.discord.harness import ALICE, command, fetch
from tests.discord.helpers import EPHEMERAL, content, create_sheet, for_token
from tests.discord.support import Webhook

GM_USER = "730000000000000009"


async def _send(webhook: Webhook, *args: Any, **kwargs: Any) -> dict[str, Any]:
    response = await webhook.discord.send(command(*args, **kwargs))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _goblin(webhook: Webhook) -> dict[str, Any]:
    await _send(webhook, "init", sub="begin", user=GM_USER)  # the GM: the first write
    await create_sheet(webhook, "rogue", user=ALICE)
    await _send(webhook, "init", {"name": "goblin", "init": 10}, sub="add", user=GM_USER)
    [(sheet,)] = await fetch(
        webhook.database_url, "SELECT sheet FROM characters WHERE name = 'Goblin 1'"
    )
    hp: dict[str, Any] = (json.loads(sheet) if isinstance(sheet, str) else sheet)["hp"]
    return hp


async def test_damage_and_hp_of_a_monster_say_only_its_state(webhook: Webhook) -> None:
    hp = await _goblin(webhook)
    dealt = await _send(webhook, "damage", {"name": "goblin 1", "amount": "1"}, user=GM_USER)
    assert "flags" not in dealt["data"]  # public, as damage is
    assert content(dealt) == "Goblin 1: not bloodied"
    dealt = await _send(
        webhook, "damage", {"name": "goblin 1", "amount": str(hp["max"] - 2)}, user=GM_USER
    )
    assert content(dealt) == "Goblin 1: bloodied"
    shown = await _send(webhook, "hp", {"name": "goblin 1"}, user=ALICE)
    assert content(shown) == "Goblin 1: bloodied"
    private = await _send(webhook, "hp", {"name": "goblin 1"}, user=GM_USER)
    assert private["data"]["flags"] == EPHEMERAL
    assert content(private) == f"Goblin 1: 1/{hp['max']} HP"
    wren = await _send(webhook, "damage", {"name": "wren", "amount": "3"}, user=GM_USER)
    assert content(wren) == "Wren Thistlefoot: 38 → 35 HP (3)"  # characters keep numbers


async def test_sheet_show_of_a_monster(webhook: Webhook) -> None:
    await _goblin(webhook)
    shown = await _send(webhook, "sheet", {"name": "goblin 1"}, sub="show", user=ALICE)
    assert "flags" not in shown["data"]
    assert content(shown) == (
        "**Goblin 1** (SRD monster: goblin): not bloodied\n"
        "Its hit points, AC and statistics are for the game master."
    )
    private = await _send(webhook, "sheet", {"name": "goblin 1"}, sub="show", user=GM_USER)
    assert private["data"]["flags"] == EPHEMERAL
    assert "AC 15" in content(private)


async def test_an_attack_on_a_monster_hides_its_ac_and_hp(webhook: Webhook) -> None:
    hp = await _goblin(webhook)
    for _ in range(10):  # until a hit lands (the goblin is not dropped by one shortsword)
        body = await _send(
            webhook, "attack", {"weapon": "shortsword", "target": "goblin 1"}, user=ALICE
        )
        text = content(body)
        assert "AC" not in text, text
        assert "→" not in text, text
        first = text.splitlines()[0]
        assert re.fullmatch(r"\*\*Wren Thistlefoot attacks Goblin 1 with Shortsword\*\*: .+", first)
        if "**miss**" not in first:
            break
    [(sheet,)] = await fetch(
        webhook.database_url, "SELECT sheet FROM characters WHERE name = 'Goblin 1'"
    )
    after = (json.loads(sheet) if isinstance(sheet, str) else sheet)["hp"]["current"]
    assert after < hp["max"], text  # a hit was applied
    word = "down" if after == 0 else "bloodied" if after * 2 < hp["max"] else "not bloodied"
    assert f"Goblin 1: {word}" in text.splitlines()


async def test_a_planned_damage_to_a_monster_says_only_its_state(webhook: Webhook) -> None:
    """/act plans the damage (offline planner); its deferred answer hides the numbers too."""
    hp = await _goblin(webhook)
    act = command("act", {"message": f"deal {hp['max'] - 2} damage to goblin"}, user=GM_USER)
    assert (await webhook.discord.send(act)).json() == {"type": 5}
    (edit,) = webhook.api.wait_for(1, where=for_token(act))
    assert edit.method == "PATCH", edit
    shown = edit.body["content"]
    assert "Goblin 1: bloodied" in shown.splitlines(), shown
    assert "→" not in shown


async def test_a_narrated_attack_on_a_monster_hides_its_ac_and_hp(webhook: Webhook) -> None:
    """/do resolves an attack through the engine (offline narrator); its reply hides the numbers."""
    hp = await _goblin(webhook)
    await _send(webhook, "init", {"name": "wren", "init": 20}, sub="add", user=GM_USER)
    await _send(webhook, "init", sub="next", user=GM_USER)  # round 1: Wren first
    for attempt in range(10):  # until a hit lands (one shortsword does not drop the goblin)
        if attempt:  # back to Wren's turn: past the goblin's
            await _send(webhook, "init", sub="next", user=GM_USER)
            await _send(webhook, "init", sub="next", user=GM_USER)
        do = command("do", {"message": "I stab goblin 1 with my shortsword"}, user=ALICE)
        assert (await webhook.discord.send(do)).json() == {"type": 5}
        (edit,) = webhook.api.wait_for(1, where=for_token(do))
        text = edit.body["content"]
        assert "AC" not in text, text
        assert "→" not in text, text
        [(sheet,)] = await fetch(
            webhook.database_url, "SELECT sheet FROM characters WHERE name = 'Goblin 1'"
        )
        after = (json.loads(sheet) if isinstance(sheet, str) else sheet)["hp"]["current"]
        if after < hp["max"]:
            break
    assert after < hp["max"], text  # a hit was applied, and shown only as a state
    word = "down" if after == 0 else "bloodied" if after * 2 < hp["max"] else "not bloodied"
    assert f"Goblin 1: {word}" in text.splitlines(), text


@pytest.mark.parametrize(
    "options", [{}, {"advantage": True}, {"bonus": "1d4"}], ids=["plain", "adv", "bless"]
)
async def test_an_attacks_odds_against_a_monster_are_left_out(
    webhook: Webhook, options: dict[str, Any]
) -> None:
    await _goblin(webhook)
    body = await _send(
        webhook,
        "attack",
        {"weapon": "shortsword", "target": "goblin 1", "odds": True, **options},
        user=ALICE,
    )

    text = content(body)
    assert "%" not in text, text
    assert text.splitlines()[-1] == (
        "Odds: not shown against a monster (its AC and hit points are hidden)"
    )


async def test_odds_against_a_typed_ac_or_a_character_are_shown(webhook: Webhook) -> None:
    await _goblin(webhook)
    typed = await _send(
        webhook, "attack", {"weapon": "shortsword", "ac": 15, "odds": True}, user=ALICE
    )
    assert re.search(r"^Odds: hit \d+\.\d%", content(typed), re.MULTILINE), content(typed)
    await create_sheet(webhook, "fighter", user=GM_USER)
    at_character = await _send(
        webhook,
        "attack",
        {"weapon": "shortsword", "target": "brannoc", "odds": True},
        user=ALICE,
    )
    assert re.search(r"^Odds: hit \d+\.\d%", content(at_character), re.MULTILINE)
