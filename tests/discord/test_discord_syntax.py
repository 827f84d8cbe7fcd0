"""Messages on Discord never show CLI syntax: every hint is worded by the client's Syntax.

The cases come from the registry: every Discord command (the slow ones, which
defer, are covered by their own tests), with no options, with each option
alone, and with all of them at once (``save`` with ``skill``, ``odds`` without
``dc``...), each option set to a value that is wrong for it.
"""

from __future__ import annotations

import re
from typing import Any

from adventorator.commands import COMMANDS, Syntax, find_command
from adventorator.discord_webhook import application_commands
from tests.discord.harness import command, option
from tests.discord.helpers import content, create_sheet
from tests.discord.support import Webhook

SUB_COMMAND, STRING, INTEGER, BOOLEAN, NUMBER = 1, 3, 4, 5, 10
CLI_OPTION = re.compile(r"(?<![\w-])--[a-z]")


def _value(kind: int) -> Any:
    if kind == BOOLEAN:
        return True
    if kind in (INTEGER, NUMBER):
        return 1
    return "nope"


def _leaves() -> list[tuple[str, str | None, list[dict[str, Any]]]]:
    """(command, subcommand, options) of every registered Discord command that answers at once."""
    leaves = []
    for registered in application_commands():
        items = registered.get("options", [])
        subs = [o for o in items if o["type"] == SUB_COMMAND] or [None]
        for sub in subs:
            name = registered["name"] + (f" {sub['name']}" if sub else "")
            spec = find_command(name)
            if spec is not None and not spec.slow:
                leaves.append(
                    (
                        registered["name"],
                        sub and sub["name"],
                        (sub or registered).get("options", []),
                    )
                )
    return leaves


def _cases(options: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """No options, each alone, and all at once; attachments (a file) left out."""
    scalar = [o for o in options if o["type"] in (STRING, INTEGER, BOOLEAN, NUMBER)]
    alone = [[option(o["name"], _value(o["type"]))] for o in scalar]
    return [[], *alone, [option(o["name"], _value(o["type"])) for o in scalar]]


async def test_no_discord_message_shows_cli_option_syntax(webhook: Webhook) -> None:
    await create_sheet(webhook)
    found: set[tuple[str, str]] = set()
    sent = 0
    for name, sub, options in _leaves():
        for case in _cases(options):
            answer = (await webhook.discord.send(command(name, case, sub=sub))).json()
            sent += 1
            shown = content(answer) if "data" in answer else ""
            if CLI_OPTION.search(shown):
                found.add((f"{name} {sub}" if sub else name, shown.split("\n")[0]))
    assert sent > 50  # the registry really was walked
    assert found == set()


def test_syntax_names_options_in_each_client() -> None:
    cli, discord = (Syntax(client, COMMANDS) for client in ("cli", "discord"))
    assert (cli.name("save", command="check"), discord.name("save", command="check")) == (
        "--save",
        "save:",
    )
    assert cli.name("advantage", command="roll") == "--adv"  # the registry's own flag


def test_registered_descriptions_name_options_as_discord_does() -> None:
    """Option help mentioning another option (``--target``) reads ``target`` on Discord."""
    described: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            described.append(item.get("description", ""))
            walk(item.get("options", []))

    walk(application_commands())
    assert "The target's armor class (without target: nothing is applied)." in described
    assert [d for d in described if CLI_OPTION.search(d)] == []


async def test_hints_the_registry_walk_cannot_reach_are_worded_for_discord(
    webhook: Webhook,
) -> None:
    await create_sheet(webhook)  # the rogue: Sneak Attack is a once-per-turn extra
    send = webhook.discord.send
    level = await send(command("condition", {"condition": "poisoned", "level": 2}, sub="add"))
    assert content(level.json()) == "error: level: is for exhaustion only"
    for _ in range(10):  # only a natural 1 misses AC 1, and a miss rolls no damage
        attack = await send(command("attack", {"weapon": "shortsword", "ac": 1}))
        shown = content(attack.json())
        if "Damage" in shown:
            break
    assert "Sneak Attack not added (once per turn: add extra:True)" in shown
    assert not CLI_OPTION.search(shown)
