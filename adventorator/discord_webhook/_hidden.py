"""Monsters' hit points and AC are hidden from players on Discord, where the table shares a channel.

A public reply about a monster (an attack on it, damage or healing, its HP,
its sheet) says only what players could see: "bloodied" below half its hit
points, "down" at 0 (``_tracker.hidden_state``), and an attack's odds are left
out (the chance to hit would give its AC away). The game master asking for a
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
    from adventorator.context import AppContext
    from adventorator.discord_webhook._handled import Ran
    from adventorator.discord_webhook._payload import InteractionContext
    from adventorator.sheet import CharacterSheet

HIDING = frozenset({"attack", "damage", "heal", "hp", "sheet show"})
# Replies wrapping another command's: a plan's (``result``), as choices do, and the
# attack a narrated ``do`` resolved (``attack``).
PLANNED = frozenset({"act", "do"})
PRIVATE_FOR_GM = frozenset({"hp", "sheet show"})  # asked to see the numbers: shown privately
ODDS_PREFIX = "Odds: "  # the attack reply's odds line (commands/_attack_render.py)
ODDS_HIDDEN = "Odds: not shown against a monster (its AC and hit points are hidden)"


def unwrap(command: str, data: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """The command a reply is about and its data: a plan's executed command, else itself."""
    resolved = data.get("attack")
    if command == "do" and isinstance(resolved, Mapping):
        return "attack", resolved
    inner, planned = data.get("result"), data.get("command")
    if isinstance(inner, Mapping) and isinstance(planned, str) and "planner" in data:
        return planned, inner
    return command, data


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
    if reply is None:
        return ran
    command, data = unwrap(command, reply.data or {})
    name = subject(command, data) if command in HIDING else None
    if not isinstance(name, str):
        return ran
    ids = await app.lookup(ctx.identity)
    record = await (await app.characters()).get_by_name(ids.campaign_id, name)
    sheet = record.sheet
    if sheet.monster is None or sheet.hp is None:
        return ran
    if command in PRIVATE_FOR_GM and await is_game_master(app, ctx.identity):
        return Ran({**ran.data, "flags": render.EPHEMERAL}, ran.outcome, reply, ran.files)
    text = _rewritten(command, data, sheet, str(ran.data.get("content", "")))
    return Ran({**ran.data, "content": render.truncate(text)}, ran.outcome, reply)


def _word(sheet: CharacterSheet) -> str:
    assert sheet.hp is not None
    return hidden_state(sheet.hp.current, sheet.hp.max) or "not bloodied"


def _rewritten(command: str, data: Mapping[str, Any], sheet: CharacterSheet, shown: str) -> str:
    """The content with the monster's HP (and AC) replaced by what players may know."""
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
    lines = shown.splitlines()
    if command == "hp":  # its one line, after a plan's notice if any
        return "\n".join(state if line.startswith(f"{name}: ") else line for line in lines)
    if command == "attack":
        ac = (data.get("attack") or {}).get("ac")
        if ac is not None:
            lines = [line.replace(f" vs AC {ac}", "", 1) for line in lines]
        # The chance to hit gives the AC away, and the chance to drop it its hit points.
        lines = [ODDS_HIDDEN if line.startswith(ODDS_PREFIX) else line for line in lines]
    # The HP line, as the reply showed it (plain text or our markdown: escaped either way).
    summary = escape_markdown(str(data.get("summary") or ""))
    return "\n".join(state if line == summary else line for line in lines)
