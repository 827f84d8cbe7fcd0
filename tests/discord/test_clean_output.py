"""No terminal or bidi control reaches Discord: responses, follow-ups, buttons, choices."""

from __future__ import annotations

import re

from adventorator.commands import Choice, Reply
from adventorator.discord_webhook import _render as render
from tests.discord.harness import command
from tests.discord.helpers import content, create_sheet, for_token
from tests.discord.support import Webhook

HOSTILE = "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[2J\u202eevil\x9b31m\x7f"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


async def test_an_echoed_expression_loses_its_controls(webhook: Webhook) -> None:
    response = await webhook.discord.send(command("roll", {"expr": f"1d20{HOSTILE}"}))
    assert response.status_code == 200
    text = content(response.json())
    assert text.startswith("error: "), text
    assert not UNSAFE.search(text), repr(text)


async def test_a_followup_loses_its_controls(webhook: Webhook) -> None:
    await create_sheet(webhook)
    do = command("do", {"message": f"I whisper {HOSTILE} to the guard"})
    await webhook.discord.send(do)
    (edit,) = webhook.api.wait_for(1, where=for_token(do))
    assert edit.body["content"]
    assert not UNSAFE.search(edit.body["content"]), repr(edit.body["content"])


def test_every_rendered_string_is_clean() -> None:
    choices = (Choice(label=f"Open {HOSTILE}", command="roll", args={"expr": "1d4"}),)
    reply = Reply(text=f"plain {HOSTILE}", markdown=f"**md** {HOSTILE}", choices=choices)
    data = render.message(reply, interaction_id="800000000000000001")
    assert not UNSAFE.search(data["content"])
    (button,) = data["components"][0]["components"]
    assert not UNSAFE.search(button["label"])
    assert button["label"].startswith("1. Open ")
    assert not UNSAFE.search(render.notice(HOSTILE)["content"])
    assert not UNSAFE.search(render.update(data)["data"]["content"])
    result = render.autocomplete([f"Vex {HOSTILE}", "Wren"])
    names = [choice["name"] for choice in result["data"]["choices"]]
    assert names[1] == "Wren"
    assert not UNSAFE.search(names[0])
    assert render.truncate("a\tb\nc") == "a\tb\nc"  # tabs and line breaks stay
