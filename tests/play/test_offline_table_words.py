"""``do`` and ``act`` at the table with a table's words: named checks, refused state changes,
carried advantage/DC/repetition, automatic failures, and the margin told to the model.

The offline cases run with no model; the model cases go through the fake
OpenAI-compatible server, and assert on the requests it really received.
"""

from __future__ import annotations

import random

import pytest

from adventorator.commands import conditions
from adventorator.commands.planning import EXIT_NEEDS_ARGUMENTS
from tests.fakes.openai_server import FakeLLMServer
from tests.play.support import ROGUE, Table, data, proposal, rogue_json


async def _paralyze(table: Table) -> None:
    options = conditions.ConditionOptions(name=ROGUE, condition="paralyzed")
    await conditions.add(table.invocation(), options)


@pytest.mark.parametrize(
    ("text", "skill", "dc"),
    [
        ("I make a stealth check", "stealth", 15),
        ("roll perception", "perception", 15),
        ("a DC 10 stealth check", "stealth", 10),
        ("a hard sleight of hand check", "sleight_of_hand", 20),
    ],
)
async def test_do_rolls_the_named_check_with_the_sheets_numbers(
    offline_table: Table, text: str, skill: str, dc: int
) -> None:
    turn = data(await offline_table.do(text))

    check = turn["check"]
    assert (check["skill"], check["dc"], turn["rejected"]) == (skill, dc, False)
    if skill == "stealth":
        assert check["modifier"] == 10  # DEX +4 and expertise +6: the proficiency is kept


@pytest.mark.parametrize(
    ("client", "hint"), [("cli", "`adv damage 10`"), ("discord", "`/damage amount:10`")]
)
async def test_do_i_take_10_damage_is_refused_and_changes_nothing(
    offline_table: Table, client: str, hint: str
) -> None:
    from adventorator.commands import play, sheet

    invocation = offline_table.invocation(client=client)  # type: ignore[arg-type]
    if client == "discord":  # another campaign: the player's own rogue there
        await sheet.create(invocation, sheet.SheetCreateOptions(json=rogue_json()))
    reply = await play.do(invocation, play.DoOptions(message="I take 10 damage"))

    turn = data(reply)
    assert (turn["rejected"], turn["check"]) == (True, None)
    assert hint in turn["reason"]
    rows = await offline_table.rows()  # the player's line and the refusal: no HP event
    assert [(r.role, r.status) for r in rows[-2:]] == [("player", "ok"), ("system", "error")]
    assert not any("HP" in r.content for r in rows)


async def test_act_carries_advantage_dc_and_repetition(offline_table: Table) -> None:
    rolled = data(await offline_table.act("roll a d20 with advantage"))
    saved = data(await offline_table.act("make a dex save dc 15"))
    sixfold = data(await offline_table.act("roll 4d6kh3 six times"))
    hidden = data(await offline_table.act("stealth check with disadvantage"))

    assert (rolled["status"], rolled["result"]["expression"]) == ("executed", "2d20kh1")
    assert (saved["result"]["kind"], saved["result"]["ability"], saved["result"]["dc"]) == (
        "save",
        "dex",
        15,
    )
    assert sixfold["result"]["times"] == 6
    assert (hidden["result"]["skill"], hidden["result"]["advantage"]) == (
        "stealth",
        "disadvantage",
    )
    assert all(r["ignored"] == [] for r in (rolled, saved, sixfold, hidden))


async def test_act_says_what_it_cannot_carry(offline_table: Table) -> None:
    reply = await offline_table.act("roll a d20 dc 15")

    assert data(reply)["ignored"] == ['"dc 15" (roll has no dc)']
    assert reply.text.splitlines()[-1] == 'ignored: "dc 15" (roll has no dc)'


async def test_act_that_needs_arguments_exits_non_zero(offline_table: Table) -> None:
    reply = await offline_table.act("create a character")

    assert data(reply)["status"] == "needs_arguments"
    assert reply.exit_code == EXIT_NEEDS_ARGUMENTS == 2


async def test_a_paralyzed_save_fails_automatically_and_is_told_so(offline_table: Table) -> None:
    await _paralyze(offline_table)

    # Seed 5 rolls a natural 20: the die would have succeeded.
    reply = await offline_table.do("make a dex save", rng=random.Random(5))

    turn = data(reply)
    assert turn["check"]["natural"] == 20
    assert (turn["check"]["auto_fail"], turn["check"]["success"]) == (True, False)
    assert "automatically" in turn["narration"]
    assert "succe" not in turn["narration"]
    mechanics = (await offline_table.rows())[-2]  # the turn's: player, mechanics, narrator
    assert mechanics.content.endswith(": automatic failure")
    assert ": success" not in mechanics.content  # the die's verdict is not told


# With the model (the fake OpenAI-compatible server) -------------------------------------------


async def test_the_model_is_told_an_automatic_failure_not_the_die(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await _paralyze(llm_table)
    fake_llm.reply_json(proposal(None, action="saving_throw", ability="dex"))
    fake_llm.reply_json({"narration": "Your limbs will not answer."})

    turn = data(await llm_table.do("I dive aside", rng=random.Random(5)))

    assert (turn["check"]["natural"], turn["check"]["success"]) == (20, False)
    told = fake_llm.requests[1].prompt_text
    assert "CHECK (rolled by the engine): Dexterity saving throw: automatic failure" in told
    assert "DEGREE: AUTOMATIC FAILURE" in told
    assert "OUTCOME: FAILURE" in told
    assert "1d20" not in told
    assert "20" not in told.split("CHECK")[1].split("WHY")[0]


@pytest.mark.parametrize(("seed", "degree"), [(5, "CRITICAL SUCCESS"), (3, "NARROW SUCCESS")])
async def test_the_model_is_told_the_margin_and_the_critical(
    llm_table: Table, fake_llm: FakeLLMServer, seed: int, degree: str
) -> None:
    fake_llm.reply_json(proposal("stealth", dc=15))
    fake_llm.reply_json({"narration": "You slip by."})

    turn = data(await llm_table.do("I sneak past", rng=random.Random(seed)))

    margin = turn["check"]["total"] - 15
    told = fake_llm.requests[1].prompt_text
    assert f"DEGREE: {degree} (" in told
    assert f"total beat DC 15 by {margin})" in told


async def test_a_model_ability_check_naming_a_skill_keeps_the_skill(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(proposal("stealth", action="ability_check", ability="dex"))
    fake_llm.reply_json({"narration": "You slip by."})

    turn = data(await llm_table.do("a Dexterity (Stealth) check"))

    check = turn["check"]
    assert (check["kind"], check["skill"], check["modifier"]) == ("skill", "stealth", 10)


async def test_a_model_plan_repeating_its_subcommand_is_normalised(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(
        {"command": "sheet create", "subcommand": "create", "args": {}, "confidence": 0.9}
    )

    reply = await llm_table.act("make me a character")

    result = data(reply)
    assert (result["status"], result["command"], result["planner"]) == (
        "needs_arguments",
        "sheet create",
        "llm",
    )
    assert "sheet create create" not in reply.text


async def test_act_damage_and_healing_run_the_real_commands(offline_table: Table) -> None:
    hurt = data(await offline_table.act("I take 10 damage"))
    healed = data(await offline_table.act("I heal 5"))

    assert (hurt["status"], hurt["command"]) == ("executed", "damage")
    assert (healed["status"], healed["command"], healed["args"]) == (
        "executed",
        "heal",
        {"amount": "5"},
    )
    assert (await offline_table.stored_sheet(ROGUE))["hp"]["current"] == 38 - 10 + 5
