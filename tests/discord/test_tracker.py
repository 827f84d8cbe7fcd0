"""The initiative tracker over real HTTP: the order, its buttons, who may press, hidden stats.

The game master is the campaign's first player (GM_USER); Alice plays Wren
(initiative 20), Bob plays Brannoc (15), and the GM adds two goblins (10).
A member with Manage Server (permissions bit 0x20) or the configured GM role
is a game master too; anyone else pressing is refused privately and the
message stays as it was.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from tests.discord.harness import ALICE, BOB, command, component, fetch
from tests.discord.helpers import EPHEMERAL, content, create_sheet, startup_prune_done
from tests.discord.support import StartWebhook, Webhook
from tests.discord.test_db_costs import statements

GM_USER = "730000000000000009"
CAROL = "730000000000000003"
MANAGE_GUILD = str(1 << 5)


async def _send(webhook: Webhook, payload: dict[str, Any]) -> dict[str, Any]:
    response = await webhook.discord.send(payload)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _init(
    webhook: Webhook, sub: str, options: Any = (), user: str = GM_USER
) -> dict[str, Any]:
    return await _send(webhook, command("init", options, sub=sub, user=user))


async def _fight(webhook: Webhook) -> dict[str, Any]:
    """The encounter started: round 1, Wren's turn; returns the tracker of init next."""
    assert content(await _init(webhook, "list")).startswith("No encounter")
    await _init(webhook, "begin")  # the campaign's first write: its player is the GM
    await create_sheet(webhook, "rogue", user=ALICE)
    await create_sheet(webhook, "fighter", user=BOB)
    await _init(webhook, "add", {"name": "wren", "init": 20}, user=ALICE)
    await _init(webhook, "add", {"name": "brannoc", "init": 15}, user=BOB)
    await _init(webhook, "add", {"name": "goblin", "count": 2, "init": 10})
    return await _init(webhook, "next")


def _custom_ids(body: dict[str, Any]) -> dict[str, str]:
    """Button label -> custom_id."""
    rows = body["data"]["components"]
    return {b["label"]: b["custom_id"] for row in rows for b in row["components"]}


def _press(custom_id: str, user: str, **member: Any) -> dict[str, Any]:
    payload = component(custom_id, user=user)
    payload["member"].update(member)
    return payload


async def _turn(webhook: Webhook) -> tuple[int, int]:
    [(round_, turn)] = await fetch(
        webhook.database_url, "SELECT round, turn FROM encounters WHERE active_scene_id IS NOT NULL"
    )
    return int(round_), int(turn)


async def test_the_tracker_marks_the_current_turn_and_offers_buttons(webhook: Webhook) -> None:
    body = await _fight(webhook)
    text = content(body)
    assert "flags" not in body["data"]  # public: the table's message
    assert "**Round 1**: Wren Thistlefoot's turn" in text
    assert "▶ **` 20` Wren Thistlefoot (38/38 HP)**" in text
    assert "` 15` Brannoc Ashvale (76/76 HP)" in text
    assert "Goblin 1" in text
    assert "Goblin 2" in text
    ids = _custom_ids(body)
    assert list(ids) == ["Next turn", "Attack", "End", "Numbers (GM)"]
    assert ids["Next turn"].endswith(":1:0")  # drawn at round 1, turn 0
    listed = await _init(webhook, "list", user=BOB)
    assert _custom_ids(listed) == ids


async def test_next_by_the_acting_player_edits_the_tracker_in_place(webhook: Webhook) -> None:
    ids = _custom_ids(await _fight(webhook))
    body = await _send(webhook, _press(ids["Next turn"], ALICE))
    assert body["type"] == 7  # UPDATE_MESSAGE
    assert "flags" not in body["data"]
    assert content(body).startswith("**Round 1**: Brannoc Ashvale's turn\n")  # said once
    assert "▶ **` 15` Brannoc Ashvale" in content(body)
    assert _custom_ids(body)["Next turn"].endswith(":1:1")
    assert await _turn(webhook) == (1, 1)


async def test_another_player_is_refused_and_nothing_moves(webhook: Webhook) -> None:
    ids = _custom_ids(await _fight(webhook))
    for user in (BOB, CAROL):  # Bob's character is not acting; Carol plays nobody
        body = await _send(webhook, _press(ids["Next turn"], user))
        assert body["type"] == 4, body
        assert body["data"]["flags"] == EPHEMERAL
        assert "Wren Thistlefoot's turn" in content(body)
        assert "components" not in body["data"]
        assert await _turn(webhook) == (1, 0)
    end = await _send(webhook, _press(ids["End"], BOB))
    assert end["data"]["flags"] == EPHEMERAL
    assert "game master" in content(end)


async def test_a_manage_server_member_may_press(webhook: Webhook) -> None:
    ids = _custom_ids(await _fight(webhook))
    refused = await _send(webhook, _press(ids["Next turn"], CAROL, permissions="0"))
    assert refused["type"] == 4
    assert await _turn(webhook) == (1, 0)
    body = await _send(webhook, _press(ids["Next turn"], CAROL, permissions=MANAGE_GUILD))
    assert body["type"] == 7, body
    assert await _turn(webhook) == (1, 1)
    ended = await _send(webhook, _press(ids["End"], CAROL, permissions=MANAGE_GUILD))
    assert ended["type"] == 7
    assert ended["data"]["components"] == []
    assert content(ended).startswith("The encounter ends after 1 round")


async def test_a_configured_role_makes_a_game_master(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    webhook = await start_webhook(fresh_database_url, discord_gm_role="990000000000000001, 42")
    ids = _custom_ids(await _fight(webhook))
    other_role = await _send(webhook, _press(ids["Next turn"], CAROL, roles=["5"]))
    assert other_role["type"] == 4
    assert await _turn(webhook) == (1, 0)
    body = await _send(webhook, _press(ids["Next turn"], CAROL, roles=["990000000000000001"]))
    assert body["type"] == 7, body
    assert await _turn(webhook) == (1, 1)


async def test_two_presses_at_once_advance_once(webhook: Webhook) -> None:
    ids = _custom_ids(await _fight(webhook))
    presses = [_press(ids["Next turn"], user) for user in (ALICE, GM_USER, ALICE, GM_USER)]
    bodies = await asyncio.gather(*(_send(webhook, payload) for payload in presses))
    kinds = sorted(body["type"] for body in bodies)
    assert kinds == [4, 4, 4, 7], bodies
    assert await _turn(webhook) == (1, 1)
    for body in bodies:
        if body["type"] == 4:
            assert body["data"]["flags"] == EPHEMERAL
            assert "moved on" in content(body), body
    [(count,)] = await fetch(
        webhook.database_url, "SELECT COUNT(*) FROM events WHERE kind = 'init'"
    )
    stale = await _send(webhook, _press(ids["Next turn"], ALICE))  # the old tracker's button
    assert stale["type"] == 4
    assert "moved on" in content(stale)
    assert await fetch(webhook.database_url, "SELECT COUNT(*) FROM events WHERE kind = 'init'") == [
        (count,)
    ]


async def test_a_long_order_is_summarised_around_the_current_turn(webhook: Webhook) -> None:
    await _fight(webhook)
    for _ in range(2):
        await _init(webhook, "add", {"name": "skeleton", "count": 12, "init": 5})
    body = await _init(webhook, "list")
    text = content(body)
    assert len(text) <= 2000
    assert "▶ **` 20` Wren Thistlefoot" in text
    assert "… 13 more" in text  # 28 combatants, 15 shown
    shown = [line for line in text.splitlines() if line.startswith(("▶", "\u3000"))]
    assert len(shown) == 15
    assert sum("Skeleton" in line for line in shown) == 11  # the rest are counted
    assert "Next turn" in _custom_ids(body)


async def test_a_warm_tracker_reads_the_sheets_from_the_cache(webhook: Webhook) -> None:
    """28 combatants' states cost no statement once the character cache is warm."""
    await startup_prune_done(webhook)
    await _fight(webhook)
    for _ in range(2):
        await _init(webhook, "add", {"name": "skeleton", "count": 12, "init": 5})
    await _init(webhook, "list")
    with statements() as seen:
        body = await _init(webhook, "list")
    assert "Skeleton" in content(body)
    # Claim, the encounter, its combatants, the stored answer: no sheet reads.
    assert len(seen) == 4, seen
    assert not any("FROM characters" in statement for statement in seen), seen


async def test_monster_numbers_are_hidden_from_players_and_shown_to_the_gm(
    webhook: Webhook,
) -> None:
    ids = _custom_ids(await _fight(webhook))
    [(sheet,)] = await fetch(
        webhook.database_url, "SELECT sheet FROM characters WHERE name = 'Goblin 1'"
    )
    hp = (json.loads(sheet) if isinstance(sheet, str) else sheet)["hp"]
    for name, amount in (("goblin 1", hp["max"] - 2), ("goblin 2", 50)):
        damage = {"name": name, "amount": str(amount)}
        dealt = await _send(webhook, command("damage", damage, user=GM_USER))
        assert "flags" not in dealt["data"], dealt
    text = content(await _init(webhook, "list", user=ALICE))
    assert "Goblin 1 (bloodied)" in text
    assert "Goblin 2 (down)" in text
    assert f"2/{hp['max']}" not in text
    assert "AC" not in text
    refused = await _send(webhook, _press(ids["Numbers (GM)"], ALICE))
    assert refused["data"]["flags"] == EPHEMERAL
    assert "game master" in content(refused)
    numbers = await _send(webhook, _press(ids["Numbers (GM)"], GM_USER))
    assert numbers["data"]["flags"] == EPHEMERAL
    assert f"Goblin 1: 2/{hp['max']} HP, AC 15" in content(numbers)
    assert "Wren Thistlefoot: 38/38 HP" in content(numbers)


async def test_attack_tells_the_acting_player_the_command(webhook: Webhook) -> None:
    ids = _custom_ids(await _fight(webhook))
    body = await _send(webhook, _press(ids["Attack"], ALICE))
    assert body["data"]["flags"] == EPHEMERAL
    text = content(body)
    assert "It is **Wren Thistlefoot**'s turn" in text
    # The other side first (the goblins' order is their initiative roll-off).
    assert re.search(r'`/attack weapon:Shortsword target:"Goblin [12]"`', text), text
    assert re.search(r"Targets: Goblin [12], Goblin [12], Brannoc Ashvale$", text), text
    assert "Goblin 2" in text
    refused = await _send(webhook, _press(ids["Attack"], BOB))
    assert refused["data"]["flags"] == EPHEMERAL
    assert "only its player" in content(refused)


async def test_a_manage_server_member_may_remove_a_monster_with_init_remove(
    webhook: Webhook,
) -> None:
    await _fight(webhook)
    refused = await _init(webhook, "remove", {"name": "goblin 1"}, user=CAROL)
    assert refused["data"]["flags"] == EPHEMERAL
    assert "game master may remove it" in content(refused)
    payload = command("init", {"name": "goblin 1"}, sub="remove", user=CAROL)
    payload["member"]["permissions"] = MANAGE_GUILD
    removed = await _send(webhook, payload)
    assert content(removed).startswith("Goblin 1 leaves the encounter\n"), removed
    assert "Goblin 1" not in content(removed).partition("\n")[2]
    assert "Next turn" in _custom_ids(removed)
