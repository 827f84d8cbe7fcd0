"""/monster over the webhook: names autocompleted from the SRD data, the stat block in code."""

from __future__ import annotations

from typing import Any

from tests.discord.harness import command, option
from tests.discord.helpers import content, create_sheet
from tests.discord.support import Webhook


def _names(body: dict[str, Any]) -> list[str]:
    assert body["type"] == 8
    return [choice["value"] for choice in body["data"]["choices"]]


async def test_monster_names_are_suggested_prefix_first(webhook: Webhook) -> None:
    send = webhook.discord.send
    typed = [option("name", "gob", focused=True)]
    assert _names((await send(command("monster", typed, sub="show", kind=4))).json()) == [
        "Goblin",
        "Hobgoblin",
    ]
    dragons = _names(
        (
            await send(
                command("monster", [option("name", "dragon", focused=True)], sub="show", kind=4)
            )
        ).json()
    )
    assert len(dragons) == 25  # Discord's most; there are more dragons
    assert dragons[0] == "Dragon Turtle"
    empty = _names(
        (
            await send(command("monster", [option("name", "", focused=True)], sub="show", kind=4))
        ).json()
    )
    assert empty[:2] == ["Aboleth", "Acolyte"]
    nothing = [option("name", "zzyzx", focused=True)]
    assert _names((await send(command("monster", nothing, sub="show", kind=4))).json()) == []


async def test_monster_names_are_not_character_names(webhook: Webhook) -> None:
    await create_sheet(webhook, "rogue")  # Wren Thistlefoot
    typed = [option("name", "wr", focused=True)]
    body = (await webhook.discord.send(command("monster", typed, sub="show", kind=4))).json()
    assert _names(body) == ["Wraith"]


async def test_monster_show_answers_with_the_stat_block(webhook: Webhook) -> None:
    body = (await webhook.discord.send(command("monster", {"name": "Goblin"}, sub="show"))).json()
    assert body["type"] == 4
    text = content(body)
    assert text.startswith("```\nGoblin: Small humanoid (goblinoid), neutral evil\n")
    assert "- Scimitar: melee, +4 to hit, reach 5 ft., 1d6+2 slashing" in text
    dragon = (
        await webhook.discord.send(command("monster", {"name": "ancient red dragon"}, sub="show"))
    ).json()
    assert len(content(dragon)) <= 2000
    assert "Bite: melee, +17 to hit" in content(dragon)
