"""Autocomplete of character names, from the campaign's characters."""

from __future__ import annotations

from typing import Any

from tests.discord.harness import command, option
from tests.discord.helpers import create_sheet
from tests.discord.support import Webhook


def _names(body: dict[str, Any]) -> list[str]:
    assert body["type"] == 8
    return [choice["value"] for choice in body["data"]["choices"]]


async def test_character_names_are_suggested_by_prefix(webhook: Webhook) -> None:
    for sheet in ("rogue", "fighter", "bard"):
        await create_sheet(webhook, sheet)
    send = webhook.discord.send

    typed = [option("name", "wr", focused=True)]
    body = (await send(command("sheet", typed, sub="show", kind=4))).json()
    assert _names(body) == ["Wren Thistlefoot"]
    assert body["data"]["choices"][0]["name"] == "Wren Thistlefoot"

    everyone = [option("skill", "stealth"), option("character", "", focused=True)]
    names = _names((await send(command("check", everyone, kind=4))).json())
    assert sorted(names) == ["Brannoc Ashvale", "Wren Thistlefoot", "Ysolde Vane"]

    inside = [option("name", "vane", focused=True)]  # not a prefix: still offered
    assert _names((await send(command("character", inside, sub="switch", kind=4))).json()) == [
        "Ysolde Vane"
    ]
    not_names = [option("skill", "ste", focused=True)]
    assert _names((await send(command("check", not_names, kind=4))).json()) == []
    other_guild = command("sheet", typed, sub="show", kind=4, guild="710000000000000099")
    assert _names((await send(other_guild)).json()) == []
