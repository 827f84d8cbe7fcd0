"""A member who is a game master by Discord (Manage Server) acts for the monsters, as the GM does.

The campaign's game master (the first player) adds a goblin; Carol is not that
player, so only her Manage Server permission can make her a game master. Without
it she may neither damage the goblin, nor attack as it, nor undo its damage.
"""

from __future__ import annotations

import json
from typing import Any

from tests.discord.harness import ALICE, command, fetch
from tests.discord.helpers import create_sheet
from tests.discord.support import Webhook

GM_USER = "730000000000000009"
CAROL = "730000000000000003"
MANAGE_GUILD = str(1 << 5)


async def _send(webhook: Webhook, payload: dict[str, Any], permissions: str = "0") -> str:
    if "member" in payload:
        payload["member"]["permissions"] = permissions
    response = await webhook.discord.send(payload)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return str(body["data"]["content"])


async def _goblin_hp(webhook: Webhook) -> int:
    [(sheet,)] = await fetch(
        webhook.database_url, "SELECT sheet FROM characters WHERE name = 'Goblin 1'"
    )
    return int((json.loads(sheet) if isinstance(sheet, str) else sheet)["hp"]["current"])


async def _fight(webhook: Webhook) -> int:
    await _send(webhook, command("init", sub="begin", user=GM_USER))
    await create_sheet(webhook, "rogue", user=ALICE)
    await _send(webhook, command("init", {"name": "goblin", "init": 10}, sub="add", user=GM_USER))
    return await _goblin_hp(webhook)


async def test_a_manage_server_member_damages_and_undoes_for_a_monster(webhook: Webhook) -> None:
    full = await _fight(webhook)
    damage = {"name": "goblin 1", "amount": "2"}
    refused = await _send(webhook, command("damage", damage, user=CAROL))
    assert "belongs to another player" in refused
    assert await _goblin_hp(webhook) == full
    await _send(webhook, command("damage", damage, user=CAROL), permissions=MANAGE_GUILD)
    assert await _goblin_hp(webhook) == full - 2
    await _send(webhook, command("undo", user=CAROL), permissions=MANAGE_GUILD)
    assert await _goblin_hp(webhook) == full


async def test_a_manage_server_member_attacks_as_a_monster(webhook: Webhook) -> None:
    await _fight(webhook)
    attack = {"weapon": "scimitar", "character": "goblin 1", "target": "wren"}
    refused = await _send(webhook, command("attack", attack, user=CAROL))
    assert "belongs to another player" in refused
    shown = await _send(webhook, command("attack", attack, user=CAROL), permissions=MANAGE_GUILD)
    assert shown.startswith("**Goblin 1 attacks Wren Thistlefoot with Scimitar**"), shown


async def test_a_manage_server_member_adds_a_players_character_and_a_timed_condition(
    webhook: Webhook,
) -> None:
    await _fight(webhook)
    wren = {"name": "wren", "init": 15}
    refused = await _send(webhook, command("init", wren, sub="add", user=CAROL))
    assert "the game master may add it" in refused
    await _send(webhook, command("init", wren, sub="add", user=CAROL), permissions=MANAGE_GUILD)
    timed = {"name": "wren", "condition": "restrained", "rounds": 1}
    refused = await _send(webhook, command("condition", timed, sub="add", user=CAROL))
    assert "belongs to another player" in refused
    await _send(
        webhook, command("condition", timed, sub="add", user=CAROL), permissions=MANAGE_GUILD
    )
    [(sheet,)] = await fetch(
        webhook.database_url, "SELECT sheet FROM characters WHERE name = 'Wren Thistlefoot'"
    )
    stored = json.loads(sheet) if isinstance(sheet, str) else sheet
    assert stored["conditions"] == ["restrained"]
