"""Every command over the real endpoint: what Discord gets back, and what is stored."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.discord.harness import ALICE, BOB, CHANNEL, command, fetch, option
from tests.discord.helpers import EPHEMERAL, content, create_sheet, eventually, for_token
from tests.discord.support import Webhook


async def test_roll_answers_at_once_in_discord_markdown(webhook: Webhook) -> None:
    response = await webhook.discord.send(command("roll", {"expr": "4d6kh3"}))
    body = response.json()
    assert body["type"] == 4
    assert body["data"]["allowed_mentions"] == {"parse": []}
    assert "flags" not in body["data"]
    # Totals in code, dropped dice struck through.
    assert re.fullmatch(r"4d6kh3 \(.*~~.*~~.*\) = `\d+`", content(body)), content(body)
    advantage = await webhook.discord.send(command("roll", {"expr": "1d20+5", "advantage": True}))
    assert content(advantage.json()).startswith("2d20kh1")


async def test_errors_and_bad_options_are_ephemeral(webhook: Webhook) -> None:
    notation = (await webhook.discord.send(command("roll", {"expr": "4d6kx3"}))).json()
    assert notation["type"] == 4
    assert notation["data"]["flags"] == EPHEMERAL
    assert content(notation).startswith("error: Unexpected 'x' at column 5")
    assert "```\n4d6kx3\n    ^" in content(notation)  # the caret line, in code

    cases = [
        command("roll", {"expr": "1d4", "times": 3}),  # a CLI-only option
        command("check", {"skill": "stealth", "dc": "hard"}),
        command("check", {"skill": "stealth", "dc": 99}),
        command("nope"),
        command("sheet", sub="frobnicate"),
    ]
    for payload in cases:
        body = (await webhook.discord.send(payload)).json()
        assert body["type"] == 4
        assert body["data"]["flags"] == EPHEMERAL, body
        assert content(body).startswith("error: "), body
    without_sheet = (await webhook.discord.send(command("check", {"skill": "stealth"}))).json()
    assert without_sheet["data"]["flags"] == EPHEMERAL
    assert "`/sheet create json:<sheet>`" in content(without_sheet)  # Discord syntax


async def test_sheets_characters_checks_and_transcript(webhook: Webhook) -> None:
    send = webhook.discord.send
    await create_sheet(webhook)
    await create_sheet(webhook, "fighter")
    listed = content((await send(command("sheet", sub="list"))).json())
    assert "Wren Thistlefoot: level 5 Rogue (yours)" in listed
    assert "Brannoc Ashvale" in listed
    shown = content((await send(command("sheet", {"name": "Wren Thistlefoot"}, sub="show"))).json())
    assert shown.startswith("Wren Thistlefoot: level 5 Rogue")
    patch = json.dumps({"hp": {"current": 20}})
    updated = await send(
        command("sheet", {"name": "wren thistlefoot", "json": patch}, sub="update")
    )
    assert content(updated.json()) == "Updated Wren Thistlefoot."
    switched = await send(command("character", {"name": "Brannoc Ashvale"}, sub="switch"))
    assert content(switched.json()) == "You are now playing Brannoc Ashvale."
    current = await send(command("character", sub="current"))
    assert content(current.json()).startswith("Brannoc Ashvale: level")

    check = await send(
        command(
            "check",
            {"skill": "stealth", "dc": 15, "character": "Wren Thistlefoot", "odds": True},
        )
    )
    text = content(check.json())
    assert "Stealth" in text
    assert "Chance to meet DC 15:" in text
    assert "`" in text  # the total in code: the Discord rendering
    save = await send(command("check", {"save": "dex", "advantage": True}))
    assert "saving throw" in content(save.json()).lower()

    # Too long for a message: the whole document as a file (tests/discord/test_long_output.py).
    assert (await send(command("sheet", sub="schema"))).json() == {"type": 5}

    empty = (await send(command("transcript", {"limit": 5}, sub="show"))).json()
    assert content(empty) == "Nothing has happened in this scene yet."

    # Only the owner may delete; anyone else is told, privately.
    refused = await send(
        command("sheet", {"name": "Wren Thistlefoot", "yes": True}, sub="delete", user=BOB)
    )
    assert refused.json()["data"]["flags"] == EPHEMERAL
    deleted = await send(command("sheet", {"name": "Wren Thistlefoot", "yes": True}, sub="delete"))
    assert content(deleted.json()) == "Deleted Wren Thistlefoot."


async def test_do_and_act_are_deferred_then_delivered(webhook: Webhook) -> None:
    await create_sheet(webhook)
    do = command("do", {"message": "I sneak past the sleeping guard"})
    response = await webhook.discord.send(do)
    assert response.json() == {"type": 5}
    (edit,) = webhook.api.wait_for(1, where=for_token(do))
    assert edit.method == "PATCH"
    assert edit.path.endswith("/messages/@original")
    assert edit.body["allowed_mentions"] == {"parse": []}
    assert "(offline narrator)" in edit.body["content"]

    act = command("act", {"message": "roll 2d6+1"})
    assert (await webhook.discord.send(act)).json() == {"type": 5}
    (edit,) = webhook.api.wait_for(1, where=for_token(act))
    assert re.fullmatch(r"2d6 \(.*\) \+ 1 = `\d+`", edit.body["content"]), edit.body

    shown = await webhook.discord.send(command("transcript", sub="show"))
    assert "Wren Thistlefoot: I sneak past the sleeping guard" in content(shown.json())


async def test_deferred_errors_are_sent_ephemeral(webhook: Webhook) -> None:
    """A public deferral cannot become ephemeral: it is deleted and a private follow-up sent."""
    do = command("do", {"message": "I climb the wall"})
    assert (await webhook.discord.send(do)).json() == {"type": 5}
    delete, post = webhook.api.wait_for(2, where=for_token(do))
    assert (delete.method, post.method) == ("DELETE", "POST")
    assert delete.path.endswith("/messages/@original")
    assert post.body["flags"] == EPHEMERAL
    assert post.body["content"].startswith("error: you have no character")
    assert "`/sheet create json:<sheet>`" in post.body["content"]


async def test_direct_messages_use_a_personal_campaign(webhook: Webhook) -> None:
    dm: dict[str, Any] = {"guild": None, "channel": "740000000000000009"}
    roll = await webhook.discord.send(command("roll", {"expr": "1d20"}, **dm))
    assert roll.json()["type"] == 4
    await create_sheet(webhook, "bard", **dm)
    listed = await webhook.discord.send(command("sheet", sub="list", **dm))
    assert "Ysolde Vane" in content(listed.json())
    in_guild = await webhook.discord.send(command("sheet", sub="list"))
    assert "Ysolde Vane" not in content(in_guild.json())

    rows = await fetch(
        webhook.database_url,
        "SELECT c.key, p.identity, p.display_name FROM characters ch "
        "JOIN campaigns c ON c.id = ch.campaign_id JOIN players p ON p.id = ch.owner_id",
    )
    assert rows == [(f"discord:dm:{ALICE}", f"discord:{ALICE}", "User 01")]
    scenes = await fetch(webhook.database_url, "SELECT key FROM scenes ORDER BY key")
    assert ("discord:channel:740000000000000009",) in scenes


async def test_guild_channel_is_the_scene(webhook: Webhook) -> None:
    await create_sheet(webhook)
    other_channel = "720000000000000002"
    for channel in (CHANNEL, other_channel):
        do = command("do", {"message": f"I listen in {channel}"}, channel=channel)
        await webhook.discord.send(do)
        webhook.api.wait_for(1, where=for_token(do))
    here = await webhook.discord.send(command("transcript", sub="show", channel=other_channel))
    assert f"I listen in {other_channel}" in content(here.json())
    assert f"I listen in {CHANNEL}" not in content(here.json())

    async def two_scenes() -> bool:
        rows = await fetch(webhook.database_url, "SELECT key FROM scenes")
        return {key for (key,) in rows} >= {
            f"discord:channel:{CHANNEL}",
            f"discord:channel:{other_channel}",
        }

    await eventually(two_scenes)


def test_option_helper_types() -> None:
    assert option("dc", 15)["type"] == 4
    assert option("odds", True)["type"] == 5
    assert option("skill", "stealth")["type"] == 3
