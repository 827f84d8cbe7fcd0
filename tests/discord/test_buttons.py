"""Disambiguation: choices become buttons, and only the asker's click runs one."""

from __future__ import annotations

from typing import Any

from tests.discord.fake_discord import Recorded
from tests.discord.harness import ALICE, BOB, command, component, fetch
from tests.discord.helpers import EPHEMERAL, content, create_sheet, for_token
from tests.discord.support import Webhook


async def _ask(webhook: Webhook, message: str) -> tuple[dict[str, Any], Recorded]:
    """Send /act with ``message`` and return it and the follow-up that holds the buttons."""
    act = command("act", {"message": message})
    assert (await webhook.discord.send(act)).json() == {"type": 5}
    requests = webhook.api.wait_for(2, where=for_token(act))
    assert [r.method for r in requests] == ["DELETE", "POST"]  # ambiguity is ephemeral
    return act, requests[1]


def _custom_ids(followup: Recorded) -> list[str]:
    (row,) = followup.body["components"]
    assert row["type"] == 1
    assert all(button["type"] == 2 for button in row["components"])
    return [button["custom_id"] for button in row["components"]]


async def test_choices_become_buttons_for_the_asker_only(webhook: Webhook) -> None:
    await create_sheet(webhook)
    act, followup = await _ask(webhook, "my sheet")  # the offline planner offers three readings
    assert followup.body["flags"] == EPHEMERAL
    assert followup.body["content"].startswith("I'm not sure what you meant. Pick one:")
    ids = _custom_ids(followup)
    assert ids == [f"choice:{act['id']}:{n}" for n in (1, 2, 3)]
    labels = [b["label"] for b in followup.body["components"][0]["components"]]
    assert labels[1] == "2. sheet list"

    refused = (await webhook.discord.send(component(ids[1], user=BOB))).json()
    assert refused["type"] == 4
    assert refused["data"]["flags"] == EPHEMERAL
    assert refused["data"]["allowed_mentions"] == {"parse": []}
    assert f"<@{ALICE}>" in content(refused)

    click = component(ids[1], user=ALICE)
    chosen = (await webhook.discord.send(click)).json()
    assert chosen["type"] == 7
    assert chosen["data"]["components"] == []
    assert "flags" not in chosen["data"]
    assert "Wren Thistlefoot: level 5 Rogue (yours)" in content(chosen)
    # A redelivered click gets the same answer; a second click is told it is done.
    assert (await webhook.discord.send(click)).json() == chosen
    again = (await webhook.discord.send(component(ids[0], user=ALICE))).json()
    assert again["type"] == 4
    assert again["data"]["flags"] == EPHEMERAL
    assert content(again) == "That choice was already made."

    stored = await fetch(
        webhook.database_url,
        "SELECT user_id, status FROM interactions WHERE id = :id",
        id=act["id"],
    )
    assert stored == [(ALICE, "chosen")]


async def test_a_slow_choice_is_deferred_and_edits_the_message(webhook: Webhook) -> None:
    await create_sheet(webhook)
    _act, followup = await _ask(webhook, "stealth")  # a check, or an action to narrate
    labels = [b["label"] for b in followup.body["components"][0]["components"]]
    assert labels[0].startswith("1. check")
    assert labels[1].startswith("2. do")
    click = component(_custom_ids(followup)[1])
    assert (await webhook.discord.send(click)).json() == {"type": 6}
    (edit,) = webhook.api.wait_for(1, where=for_token(click))
    assert edit.method == "PATCH"
    assert edit.path.endswith("/messages/@original")
    assert edit.body["components"] == []
    assert "(offline narrator)" in edit.body["content"]


async def test_unknown_and_expired_buttons(webhook: Webhook) -> None:
    unknown = (await webhook.discord.send(component("something-else"))).json()
    assert unknown["data"]["flags"] == EPHEMERAL
    expired = (await webhook.discord.send(component("choice:123456:1"))).json()
    assert expired["data"]["flags"] == EPHEMERAL
    assert content(expired) == "This choice has expired."
