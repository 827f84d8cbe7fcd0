"""Monsters' hit points and AC are hidden from players on Discord, where the table shares a channel.

A public reply about a monster (an attack on it, damage or healing, its HP,
its sheet) says only what players could see: "bloodied" below half its hit
points, "down" at 0 (``_tracker.hidden_state``). The game master asking for a
monster's HP or sheet gets the numbers privately (ephemeral) instead; the
tracker's Numbers button shows them all. The CLI (the GM's own terminal) is
not affected: this is the webhook's rendering only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._tracker import hidden_state, is_game_master
from adventorator.text import escape_markdown

if TYPE_CHECKING:
    from adventorator.commands import Reply
    from adventorator.context import AppContext
    from adventorator.discord_webhook._handled import Ran
    from adventorator.discord_webhook._payload import InteractionContext
    from adventorator.sheet import CharacterSheet

HIDING = frozenset({"attack", "damage", "heal", "hp", "sheet show"})
PRIVATE_FOR_GM = frozenset({"hp", "sheet show"})  # asked to see the numbers: shown privately


def subject(command: str, data: Mapping[str, Any]) -> str | None:
    """The character whose numbers the reply shows, by name (None: no one's)."""
    if command == "attack":
        return data.get("target") if data.get("target_after") is not None else None
    if command == "sheet show":
        return data.get("name")
    return data.get("character")


async def hidden(app: AppContext, ctx: InteractionContext, command: str, ran: Ran) -> Ran:
    """``ran`` with a monster's numbers left out (or private, for the GM asking)."""
    from adventorator.discord_webhook._handled import Ran

    reply = ran.reply
    name = subject(command, reply.data or {}) if reply is not None else None
    if reply is None or not isinstance(name, str):
        return ran
    ids = await app.lookup(ctx.identity)
    record = await (await app.characters()).get_by_name(ids.campaign_id, name)
    sheet = record.sheet
    if sheet.monster is None or sheet.hp is None:
        return ran
    if command in PRIVATE_FOR_GM and await is_game_master(app, ctx.identity):
        return Ran({**ran.data, "flags": render.EPHEMERAL}, ran.outcome, reply, ran.files)
    text = _rewritten(command, reply, sheet, str(ran.data.get("content", "")))
    return Ran({**ran.data, "content": render.truncate(text)}, ran.outcome, reply)


def _word(sheet: CharacterSheet) -> str:
    assert sheet.hp is not None
    return hidden_state(sheet.hp.current, sheet.hp.max) or "not bloodied"


def _rewritten(command: str, reply: Reply, sheet: CharacterSheet, shown: str) -> str:
    """The content with the monster's HP (and AC) replaced by what players may know."""
    data = reply.data or {}
    name = escape_markdown(sheet.name)
    state = f"{name}: {_word(sheet)}"
    if command == "sheet show":
        kind = escape_markdown(str(sheet.monster))
        conditions = ", ".join(c.value for c in sheet.conditions)
        lines = [f"**{name}** (SRD monster: {kind}): {_word(sheet)}"]
        if conditions:
            lines.append(f"Conditions: {conditions}")
        lines.append("Its hit points, AC and statistics are for the game master.")
        return "\n".join(lines)
    if command == "hp":
        return state
    lines = shown.splitlines()
    if command == "attack":
        ac = (data.get("attack") or {}).get("ac")
        if lines and ac is not None:
            lines[0] = lines[0].replace(f" vs AC {ac}", "", 1)
        summary = escape_markdown(str(data.get("summary") or ""))
        return "\n".join(state if line == summary else line for line in lines)
    return "\n".join([state, *lines[1:]])  # damage, heal: the HP line is the first
