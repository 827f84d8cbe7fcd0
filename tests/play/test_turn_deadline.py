"""One deadline per turn: after a model failure the rest of the turn is offline, at once.

Counted by the fake server's requests, never by a clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from adventorator.llm import default_stats
from tests.fakes.openai_server import ContentReply, FakeLLMServer, free_port
from tests.play.support import MakeTable, Table, data, llm_settings, proposal, rogue_json

SNEAK = "I sneak past the sleeping guard"
HANG = 30.0  # seconds: far past the turn's deadline
Script = Callable[[FakeLLMServer], object]

FAILURES: list[Any] = [
    pytest.param(lambda f: f.reply_status(500).reply_status(500), {}, 2, id="500"),
    pytest.param(
        lambda f: f.reply_delay(HANG).reply_delay(HANG), {"llm_timeout": 1.0}, 2, id="hang"
    ),
    pytest.param(lambda f: f.reply_close().reply_close(), {}, 2, id="closed"),
]


async def llm_rogue(make_table: MakeTable, fake: FakeLLMServer, **settings: Any) -> Table:
    table = await make_table(**llm_settings(fake, **settings))
    await table.create(rogue_json())
    return table


@pytest.mark.parametrize(("script", "settings", "planner_requests"), FAILURES)
async def test_a_failed_planner_sends_the_planned_do_offline_without_a_call(
    make_table: MakeTable,
    fake_llm: FakeLLMServer,
    script: Script,
    settings: dict[str, Any],
    planner_requests: int,
) -> None:
    table = await llm_rogue(make_table, fake_llm, **settings)
    script(fake_llm)

    reply = await table.act(SNEAK)  # the offline planner reads it as `do`

    result = data(reply)
    assert (result["status"], result["command"], result["planner"]) == ("executed", "do", "offline")
    assert result["notice"].startswith("The LLM planner failed (")
    turn = result["result"]
    assert turn["narrator"] == "offline"
    assert turn["notice"].startswith("The model already failed in this turn (")
    assert [r.schema_name for r in fake_llm.requests] == ["planner_output"] * planner_requests
    rows = await table.rows()
    assert [r.role for r in rows] == ["player", "mechanics", "narrator"]
    assert rows[-1].meta is not None
    assert rows[-1].meta["narrator"] == "offline"
    assert rows[-1].meta["llm_failure"] in result["notice"]


async def test_a_refused_connection_costs_the_turn_one_call(make_table: MakeTable) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"
    table = await make_table(
        llm_model="openai/fake-model", llm_api_base=closed, llm_api_key="test-key"
    )
    await table.create(rogue_json())
    before = default_stats.snapshot()["requests"]

    reply = await table.act(SNEAK)

    turn = data(reply)["result"]
    assert (turn["narrator"], turn["check"]["skill"]) == ("offline", "stealth")
    assert "connection refused" in turn["notice"]
    assert default_stats.snapshot()["requests"] - before == 2  # the planner's try and retry


async def test_the_turns_one_retry_is_not_given_again_to_the_narration(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_status(503).reply_json(proposal())  # the proposal uses the turn's retry
    fake_llm.reply_status(503).reply_json({"narration": "A second chance."})

    reply = await llm_table.do(SNEAK)

    turn = data(reply)
    assert turn["reason"] == proposal()["reason"]  # the model's proposal was used
    assert turn["narrator"] == "offline"
    assert "HTTP 503" in turn["notice"]
    assert len(fake_llm.requests) == 3
    assert fake_llm.pending == 1  # the narration was never retried
    rows = await llm_table.rows()
    assert rows[-1].meta == {"narrator": "offline", "llm_failure": "HTTP 503 from the model server"}


async def test_a_failed_proposal_leaves_the_narration_offline_without_a_call(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_status(500).reply_status(500).reply_json({"narration": "never asked"})

    reply = await llm_table.do(SNEAK)

    assert data(reply)["narrator"] == "offline"
    assert [r.schema_name for r in fake_llm.requests] == ["narrator_proposal"] * 2
    assert fake_llm.pending == 1


async def test_the_narration_gets_what_is_left_of_the_turn_not_a_new_budget(
    make_table: MakeTable, fake_llm: FakeLLMServer
) -> None:
    # A 2 s turn (timeout 2, no retries): a proposal that takes 1.2 s leaves the
    # narration less than 1 s, so its 1.2 s reply misses the turn's deadline.
    # Alone, each reply is well within the 2 s timeout.
    table = await llm_rogue(make_table, fake_llm, llm_timeout=2.0, llm_max_retries=0)
    fake_llm.reply_delay(1.2, then=ContentReply(json.dumps(proposal())))
    fake_llm.reply_delay(1.2)

    reply = await table.do(SNEAK)

    turn = data(reply)
    assert turn["narrator"] == "offline"
    assert "timed out" in turn["notice"]
    assert len(fake_llm.requests) <= 2
