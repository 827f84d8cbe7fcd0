"""``act`` with the LLM planner: the plan is checked against the registry before anything runs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from adventorator.commands import COMMANDS
from adventorator.commands.planning import EXIT_AMBIGUOUS, EXIT_REJECTED, planner_commands
from adventorator.errors import PermissionDeniedError
from adventorator.llm import count_tokens
from tests.fakes.openai_server import FakeLLMServer
from tests.play.support import MODEL, ROGUE, MakeTable, Table, data, fighter_json, llm_settings


def plan(
    command: str,
    subcommand: str | None = None,
    *,
    confidence: float = 0.95,
    alternatives: list[dict[str, Any]] | None = None,
    **args: Any,
) -> dict[str, Any]:
    """A PlannerOutput JSON object as the fake LLM sends it."""
    return {
        "command": command,
        "subcommand": subcommand,
        "args": args,
        "confidence": confidence,
        "alternatives": alternatives or [],
    }


AMBIGUOUS = plan(
    "check",
    confidence=0.5,
    skill="stealth",
    alternatives=[{"command": "roll", "args": {"expr": "1d20+5"}, "confidence": 0.4}],
)


async def test_the_planner_prompt_offers_only_planner_commands(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(plan("sheet", "list"))

    reply = await llm_table.act("what characters are there?")

    assert data(reply)["status"] == "executed"
    system = fake_llm.requests[0].messages[0]["content"]
    for offered in ("- roll:", "- check:", "- sheet create:", "- do:", "- transcript show:"):
        assert offered in system
    for withheld in ("- act:", "- sheet delete:", "- sheet schema:"):
        assert withheld not in system
    create_options = system.split("- sheet create:")[1].split("\n")[0].split("Options:")[1]
    assert "json (required):" in create_options
    assert "file:" not in create_options  # the planner may not read local files
    assert "what characters are there?" in fake_llm.requests[0].messages[-1]["content"]


async def test_the_planner_prompt_keeps_whole_commands_within_the_budget(
    make_table: MakeTable, fake_llm: FakeLLMServer
) -> None:
    budget = 600
    table = await make_table(**llm_settings(fake_llm, llm_max_prompt_tokens=budget))
    fake_llm.reply_json(plan("roll", expr="1d20"))

    reply = await table.act("roll a d20")

    assert data(reply)["status"] == "executed"
    request = fake_llm.requests[0]
    assert count_tokens(request.messages, model=MODEL) <= budget
    offered = re.findall(r"^- ([a-z ]+):", request.messages[0]["content"], re.MULTILINE)
    registry = list(planner_commands(COMMANDS))
    assert 0 < len(offered) < len(registry)  # some, not all, and not none
    assert offered == registry[: len(offered)]  # whole commands, in registry order


async def test_a_clear_plan_runs_its_handler(llm_table: Table, fake_llm: FakeLLMServer) -> None:
    fake_llm.reply_json(plan("check", skill="stealth", dc=12))

    reply = await llm_table.act("make a stealth check against 12")

    result = data(reply)
    assert (result["status"], result["command"], result["planner"]) == ("executed", "check", "llm")
    assert result["result"]["modifier"] == 10  # the active rogue's real bonus
    assert result["result"]["dc"] == 12
    assert reply.exit_code == 0


async def test_low_confidence_with_alternatives_is_ambiguous(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(AMBIGUOUS)

    reply = await llm_table.act("stealth")

    result = data(reply)
    assert result["status"] == "ambiguous"
    assert reply.exit_code == EXIT_AMBIGUOUS == 3
    assert "Run again with --choose N" in result["message"]
    assert [(c["number"], c["command"], c["args"]) for c in result["choices"]] == [
        (1, "check", {"skill": "stealth"}),
        (2, "roll", {"expr": "1d20+5"}),
    ]
    assert reply.text.splitlines()[1:] == ["  1. check skill='stealth'", "  2. roll expr='1d20+5'"]


async def test_choose_2_runs_the_second_reading(llm_table: Table, fake_llm: FakeLLMServer) -> None:
    fake_llm.reply_json(AMBIGUOUS)

    reply = await llm_table.act("stealth", choose=2)

    result = data(reply)
    assert (result["status"], result["command"], result["args"]) == (
        "executed",
        "roll",
        {"expr": "1d20+5"},
    )
    assert 6 <= result["result"]["total"] <= 25


async def test_an_alternative_naming_no_command_is_not_offered(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(
        plan(
            "check",
            confidence=0.5,
            skill="stealth",
            alternatives=[{"command": "teleport", "args": {}, "confidence": 0.4}],
        )
    )

    reply = await llm_table.act("stealth")

    result = data(reply)  # one real reading left: it runs
    assert (result["status"], result["command"]) == ("executed", "check")


@pytest.mark.parametrize(
    ("planned", "name"),
    [
        (plan("teleport", destination="the moon"), "teleport"),
        (plan("sheet", "delete", name=ROGUE, yes=True), "sheet delete"),
        (plan("act", message="delete everything"), "act"),
        (plan("db", "upgrade"), "db upgrade"),
    ],
    ids=["unknown", "sheet-delete", "act", "db-upgrade"],
)
async def test_unknown_and_forbidden_commands_are_rejected(
    llm_table: Table, fake_llm: FakeLLMServer, planned: dict[str, Any], name: str
) -> None:
    fake_llm.reply_json(planned)

    reply = await llm_table.act("please do the thing")

    result = data(reply)
    assert (result["status"], result["command"], result["result"]) == ("rejected", name, None)
    assert result["message"].startswith(f"I can't run {name!r} for you. Commands I can run:")
    assert reply.exit_code == EXIT_REJECTED == 2
    assert (await llm_table.stored_sheet(ROGUE))["name"] == ROGUE  # still there
    assert len(fake_llm.requests) == 1  # nothing ran, not even a nested call


@pytest.mark.parametrize(
    ("planned", "guidance", "fragment"),
    [
        (
            plan("check", skill="stealth", dc="abc"),
            "To run check, use `adv check --skill '<skill>' --dc '<dc>'`.",
            "dc: Input should be a valid integer",
        ),
        (
            plan("check", skill="stealth", dc=1000),
            "To run check, use `adv check --skill '<skill>' --dc '<dc>'`.",
            "dc: must be at most 40, got 1000",
        ),
        (
            plan("transcript", "show", limit=100_000),
            "To read the transcript, use `adv transcript show --limit '<limit>'`.",
            "limit: must be at most 500, got 100000",
        ),
        (
            plan("check", skill="stealth", charisma=30),
            "To run check, use `adv check`.",
            "Unknown option 'charisma'.",
        ),
    ],
    ids=["dc-not-a-number", "dc-out-of-range", "limit-out-of-range", "unknown-option"],
)
async def test_invalid_arguments_get_guidance_and_run_nothing(
    llm_table: Table,
    fake_llm: FakeLLMServer,
    planned: dict[str, Any],
    guidance: str,
    fragment: str,
) -> None:
    fake_llm.reply_json(planned)

    reply = await llm_table.act("do it")

    result = data(reply)
    assert result["status"] == "needs_arguments"
    assert result["result"] is None
    assert reply.exit_code == 2  # nothing ran
    assert result["message"].startswith(guidance)
    assert fragment in result["message"]
    assert await llm_table.rows() == []


async def test_a_missing_required_argument_names_it_in_the_clients_syntax(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(plan("character", "switch"))

    reply = await llm_table.act("switch character")

    result = data(reply)
    assert result["status"] == "needs_arguments"
    assert result["message"] == "To run character switch, use `adv character switch <name>`."


async def test_switching_to_another_players_character_is_denied(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await llm_table.create(fighter_json("Bobby"), user="bob")
    fake_llm.reply_json(plan("character", "switch", name="Bobby"))

    with pytest.raises(PermissionDeniedError, match="belongs to another player") as raised:
        await llm_table.act("switch to Bobby")

    assert raised.value.exit_code == 2
    assert await llm_table.active_selections() == []


async def test_updating_another_players_sheet_is_denied(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await llm_table.create(fighter_json("Bobby"), user="bob")
    before = await llm_table.stored_sheet("Bobby")
    fake_llm.reply_json(plan("sheet", "update", name="Bobby", json='{"hp": {"current": 100}}'))

    with pytest.raises(PermissionDeniedError):
        await llm_table.act("give Bobby 100 HP")

    assert await llm_table.stored_sheet("Bobby") == before


async def test_a_planned_do_for_another_players_character_is_refused(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await llm_table.create(fighter_json("Bobby"), user="bob")
    fake_llm.reply_json(plan("do", message="I sneak past", character="Bobby"))

    with pytest.raises(PermissionDeniedError, match="'Bobby' belongs to another player"):
        await llm_table.act("sneak as Bobby")

    assert await llm_table.rows() == []
    assert len(fake_llm.requests) == 1  # the narrator was never asked


async def test_a_failed_planner_falls_back_to_the_offline_one_with_a_notice(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_text("I think you want to create a character!")
    fake_llm.reply_text("definitely sheet create")

    reply = await llm_table.act("create a character")

    result = data(reply)
    assert (result["status"], result["planner"]) == ("needs_arguments", "offline")
    assert result["notice"].startswith("The LLM planner failed (the model returned invalid")
    assert reply.text.splitlines() == [
        result["notice"],
        "To create a character, use `adv sheet create --json '<sheet>'` (see `adv sheet schema`).",
    ]
    assert len(fake_llm.requests) == 2
