"""The planner holds each option's clients and limits, exactly as the typed command does.

Cases are derived from the registry: every planner option that some client
lacks, and every option with a min or max.
"""

from __future__ import annotations

from typing import Any

import pytest

from adventorator.commands import COMMANDS, Choice, Syntax, option_meta
from adventorator.commands.planning import catalogue_text, execute, planner_commands, run_choice
from adventorator.identity import Client
from tests.fakes.openai_server import FakeLLMServer
from tests.play.support import MakeTable, Table, data, llm_settings


def _catalogue_line(client: Client, command: str) -> str:
    """The planner catalogue's line for ``command`` on ``client``."""
    text = catalogue_text(COMMANDS, Syntax(client, COMMANDS))
    return text.split(f"- {command}:")[1].split("\n")[0]


# The least each command with a restricted option needs to run.
BASE_ARGS: dict[str, dict[str, Any]] = {
    "roll": {"expr": "1d20"},
    "check": {"skill": "stealth"},
    "attack": {"weapon": "longsword"},
    "transcript show": {},
    "history": {},
    "hp": {"name": "Wren"},
    "condition add": {"name": "Wren", "condition": "exhaustion"},
    "condition remove": {"name": "Wren", "condition": "exhaustion"},
    "init add": {"name": "Wren"},
}
CLIENTS: tuple[Client, ...] = ("cli", "discord")


def _value_for(annotation: Any) -> Any:
    return True if "bool" in str(annotation) else 2


def client_cases() -> list[Any]:
    """(client, command, option, value) for every planner option a client does not offer."""
    cases = []
    for name, spec in planner_commands(COMMANDS).items():
        for item in spec.fields():
            meta = option_meta(item)
            for client in CLIENTS:
                offered = meta.cli if client == "cli" else meta.discord
                if meta.planner and not offered:
                    value = _value_for(item.type)
                    cases.append(
                        pytest.param(
                            client, name, item.name, value, id=f"{client}-{name}-{item.name}"
                        )
                    )
    return cases


def range_cases() -> list[Any]:
    """(client, command, option, value) just outside every min/max, on each client offering it."""
    cases = []
    for name, spec in planner_commands(COMMANDS).items():
        for item in spec.fields():
            meta = option_meta(item)
            for client in CLIENTS:
                if not meta.planner or not (meta.cli if client == "cli" else meta.discord):
                    continue
                for bound, value in (("min", meta.min), ("max", meta.max)):
                    if value is not None:
                        outside = value - 1 if bound == "min" else value + 1
                        ident = f"{client}-{name}-{item.name}-{bound}"
                        cases.append(pytest.param(client, name, item.name, outside, id=ident))
    return cases


def test_every_restricted_command_has_base_arguments() -> None:
    named = {case.values[1] for case in client_cases() + range_cases()}
    assert named <= set(BASE_ARGS)
    assert {"roll", "check", "transcript show"} <= named


@pytest.mark.parametrize(("client", "command", "name", "value"), client_cases())
async def test_an_option_the_client_lacks_is_refused(
    offline_table: Table, client: Client, command: str, name: str, value: Any
) -> None:
    args = {**BASE_ARGS[command], name: value}

    outcome = await execute(offline_table.invocation(client=client), command, args)

    assert (outcome.status, outcome.result) == ("needs_arguments", None)
    assert f"has no option {name!r} on Discord" in outcome.message
    assert (
        f"{name}:"
        not in catalogue_text(COMMANDS, Syntax(client, COMMANDS))
        .split(f"- {command}:")[1]
        .split("\n")[0]
    )


@pytest.mark.parametrize(("client", "command", "name", "value"), range_cases())
async def test_a_value_outside_the_options_limits_is_refused(
    offline_table: Table, client: Client, command: str, name: str, value: int
) -> None:
    args = {**BASE_ARGS[command], name: value}

    outcome = await execute(offline_table.invocation(client=client), command, args)

    assert (outcome.status, outcome.result) == ("needs_arguments", None)
    assert f"{name}: must be at" in outcome.message
    assert await offline_table.rows() == []


def test_the_catalogue_offers_each_client_its_own_options_with_their_limits() -> None:
    cli_roll = _catalogue_line("cli", "roll")
    discord_roll = _catalogue_line("discord", "roll")
    assert "times (1 to 100):" in cli_roll
    assert "stats:" in cli_roll
    assert "times" not in discord_roll
    assert "stats" not in discord_roll


@pytest.mark.parametrize("args", [{"stats": True}, {"times": 3}], ids=["stats", "times"])
async def test_on_discord_a_model_plan_setting_a_cli_only_roll_option_is_refused(
    llm_table: Table, fake_llm: FakeLLMServer, args: dict[str, Any]
) -> None:
    fake_llm.reply_json({"command": "roll", "args": {"expr": "8d6", **args}, "confidence": 0.9})

    reply = await llm_table.act("the odds of 8d6", client="discord")

    result = data(reply)
    assert (result["status"], result["result"]) == ("needs_arguments", None)
    assert f"/roll has no option {next(iter(args))!r} on Discord" in result["message"]
    system = fake_llm.requests[0].messages[0]["content"]
    assert "stats:" not in system.split("- roll:")[1].split("\n")[0]


async def test_on_discord_an_offline_plan_setting_stats_is_refused(offline_table: Table) -> None:
    result = data(await offline_table.act("what are the odds of 8d6", client="discord"))

    assert (result["status"], result["planner"], result["result"]) == (
        "needs_arguments",
        "offline",
        None,
    )
    assert "/roll has no option 'stats' on Discord" in result["message"]


@pytest.mark.parametrize("text", ["roll 4d6kh3 6 times", "roll 4d6kh3 six times"])
async def test_on_discord_an_offline_plans_times_is_ignored_and_said(
    offline_table: Table, text: str
) -> None:
    reply = await offline_table.act(text, client="discord")

    result = data(reply)
    assert (result["status"], result["args"]) == ("executed", {"expr": "4d6kh3"})
    assert result["result"]["expression"] == "4d6kh3"
    assert result["ignored"] == ["times 6: /roll has no times on Discord"]
    assert reply.text.endswith("\nignored: times 6: /roll has no times on Discord")
    assert reply.markdown is not None
    assert reply.markdown.endswith("on Discord")


async def test_on_the_cli_the_same_offline_plans_run(offline_table: Table) -> None:
    stats = data(await offline_table.act("what are the odds of 8d6"))
    times = data(await offline_table.act("roll 4d6kh3 6 times"))

    assert (stats["status"], stats["result"]["min"], stats["result"]["max"]) == ("executed", 8, 48)
    assert (times["status"], times["result"]["times"]) == ("executed", 6)


@pytest.mark.parametrize("source", ["llm", "offline"])
async def test_on_the_cli_times_1000_is_refused_like_the_typed_command(
    make_table: MakeTable, fake_llm: FakeLLMServer, source: str
) -> None:
    table = await make_table(**(llm_settings(fake_llm) if source == "llm" else {}))
    fake_llm.reply_json(
        {"command": "roll", "args": {"expr": "2d6", "times": 1000}, "confidence": 0.9}
    )

    result = data(await table.act("roll 2d6 1000 times"))

    assert (result["status"], result["planner"], result["result"]) == (
        "needs_arguments",
        source,
        None,
    )
    assert "times: must be at most 100, got 1000" in result["message"]


async def test_a_choice_picked_on_discord_is_held_to_discords_options(offline_table: Table) -> None:
    choice = Choice(label="roll", command="roll", args={"expr": "8d6", "stats": True})

    reply = await run_choice(offline_table.invocation(client="discord"), choice)

    assert data(reply)["status"] == "needs_arguments"
    assert "/roll has no option 'stats' on Discord" in reply.text
