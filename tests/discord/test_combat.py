"""Combat through the webhook, over real HTTP: HP lines, attacks, errors and name autocomplete.

Interactions are signed by the harness; deferred replies reach the fake
Discord API as follow-ups. The sheets are the shipped examples, and the state
is read back from the database.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from adventorator.commands import COMMANDS, option_meta
from tests.discord.harness import command, fetch, option
from tests.discord.helpers import EPHEMERAL, content, create_sheet, for_token
from tests.discord.support import Webhook

COMBAT = ("damage", "heal", "hp", "stabilize", "condition", "attack", "save")


async def _hp(webhook: Webhook, name: str) -> dict[str, Any]:
    [(sheet,)] = await fetch(
        webhook.database_url, "SELECT sheet FROM characters WHERE name = :n", n=name
    )
    data = json.loads(sheet) if isinstance(sheet, str) else sheet
    return dict(data["hp"])


async def _send(webhook: Webhook, *args: Any, **kwargs: Any) -> dict[str, Any]:
    response = await webhook.discord.send(command(*args, **kwargs))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_damage_heal_and_hp_show_the_compact_line(webhook: Webhook) -> None:
    await create_sheet(webhook)
    damaged = await _send(webhook, "damage", {"name": "wren", "amount": "11", "type": "piercing"})
    assert content(damaged) == "Wren Thistlefoot: 38 → 27 HP (11 piercing)"
    assert "flags" not in damaged["data"]  # public
    healed = await _send(webhook, "heal", {"amount": "5"})  # the active character
    assert content(healed) == "Wren Thistlefoot: 27 → 32 HP (healed 5)"
    assert content(await _send(webhook, "hp")) == "Wren Thistlefoot: 32/38 HP"
    assert (await _hp(webhook, "Wren Thistlefoot"))["current"] == 32
    undone = await _send(webhook, "undo")
    assert content(undone) == "undo: Wren Thistlefoot: 27 → 32 HP (healed 5)"
    added = await _send(webhook, "condition", {"condition": "poisoned"}, sub="add")
    assert content(added) == "Wren Thistlefoot is now poisoned"
    assert (await _hp(webhook, "Wren Thistlefoot"))["current"] == 27


async def test_attack_uses_discord_markdown_and_applies_a_hit(webhook: Webhook) -> None:
    await create_sheet(webhook, "fighter")
    await create_sheet(webhook)  # alice plays Wren
    plain = content(await _send(webhook, "attack", {"weapon": "shortsword", "ac": 5}))
    first = plain.splitlines()[0]
    pattern = (
        r"\*\*Wren Thistlefoot attacks with Shortsword\*\*: 1d20ro1 \(.+\) \+ 7 \[attack bonus\]"
        r" = `\d+` vs AC 5: \*\*(hit|miss|critical hit)\*\*"
    )
    assert re.fullmatch(pattern, first), plain
    body = await _send(webhook, "attack", {"weapon": "shorts", "target": "bran"})
    text = content(body)
    assert text.startswith("**Wren Thistlefoot attacks Brannoc Ashvale with Shortsword**: ")
    after = (await _hp(webhook, "Brannoc Ashvale"))["current"]
    if "**miss**" in text.splitlines()[0]:
        assert after == 76
    else:
        assert f"Brannoc Ashvale: 76 → {after} HP (" in text
        assert after < 76


@pytest.mark.parametrize(
    ("name", "options", "sub", "message"),
    [
        ("damage", {"name": "nobody", "amount": "5"}, None, "error: no character"),
        ("heal", {}, None, "error: heal needs an amount: `/heal amount:<amount>`"),
        ("damage", {"amount": "5", "type": "plasma"}, None, "error: "),
        ("condition", {"condition": "sleepy"}, "add", "error: "),
        ("attack", {"weapon": "greataxe", "ac": 10}, None, "error: "),
    ],
)
async def test_errors_are_ephemeral(
    webhook: Webhook, name: str, options: dict[str, Any], sub: str | None, message: str
) -> None:
    await create_sheet(webhook)
    body = await _send(webhook, name, options, sub=sub)
    assert body["data"]["flags"] == EPHEMERAL, body
    assert content(body).startswith(message), body
    assert (await _hp(webhook, "Wren Thistlefoot"))["current"] == 38


def _name_options() -> list[Any]:
    """(command, subcommand, option) for every autocompleted option of the combat commands."""
    cases = []
    for spec in COMMANDS:
        if spec.path[0] not in COMBAT:
            continue
        for item in spec.fields():
            meta = option_meta(item)
            if meta.autocomplete and meta.discord:
                sub = spec.path[1] if len(spec.path) > 1 else None
                cases.append(
                    pytest.param(spec.path[0], sub, item.name, id=f"{spec.name}-{item.name}")
                )
    return cases


@pytest.mark.parametrize(("name", "sub", "field"), _name_options())
async def test_name_options_autocomplete_character_names(
    webhook: Webhook, name: str, sub: str | None, field: str
) -> None:
    for sheet in ("rogue", "fighter"):
        await create_sheet(webhook, sheet)
    typed = [option(field, "wr", focused=True)]
    body = await _send(webhook, name, typed, sub=sub, kind=4)
    assert body["type"] == 8
    assert [choice["value"] for choice in body["data"]["choices"]] == ["Wren Thistlefoot"]


def test_every_combat_name_option_autocompletes() -> None:
    cases = {case.id for case in _name_options()}
    assert {"damage-name", "heal-name", "hp-name", "stabilize-name", "attack-target"} <= cases
    assert {"condition add-name", "condition list-name", "save death-character"} <= cases


async def test_do_refuses_a_state_change_privately_in_discord_syntax(webhook: Webhook) -> None:
    await create_sheet(webhook)
    do = command("do", {"message": "I heal myself"})
    assert (await webhook.discord.send(do)).json() == {"type": 5}
    _delete, post = webhook.api.wait_for(2, where=for_token(do))
    assert post.body["flags"] == EPHEMERAL
    assert post.body["content"].startswith("The narrator's proposal was rejected: ")
    assert "`/damage` / `/heal`" in post.body["content"]
