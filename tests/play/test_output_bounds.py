"""What the model returns is bounded: the reply read, and every field stored and shown."""

from __future__ import annotations

import json

from adventorator.limits import (
    LLM_REPLY_TOKENS,
    PLAN_LABEL_CHARS,
    PROPOSAL_NAME_CHARS,
    PROPOSAL_REASON_CHARS,
    TRANSCRIPT_LINE_CHARS,
)
from tests.fakes.openai_server import FakeLLMServer
from tests.play.support import Table, data, proposal

SNEAK = "I sneak past the sleeping guard"
FIVE_MB = 5_000_000


async def test_a_5_mb_narration_is_refused_and_the_offline_narrator_answers(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(proposal())
    fake_llm.reply_json({"narration": "You slip by. " * (FIVE_MB // 13)})

    reply = await llm_table.do(SNEAK)

    turn = data(reply)
    assert turn["narrator"] == "offline"
    assert "the reply was over 1,048,576 bytes" in turn["notice"]  # read no further
    assert len(fake_llm.requests) == 2  # no repair request for the runaway reply
    assert all(r.body["max_tokens"] == LLM_REPLY_TOKENS for r in fake_llm.requests)
    assert len(reply.text) < 2_000
    assert max(len(r.content) for r in await llm_table.rows()) <= TRANSCRIPT_LINE_CHARS


async def test_a_long_narration_is_cut_at_a_word_to_the_transcript_line(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(proposal())
    fake_llm.reply_json({"narration": "shadow " * 1_500})  # 10,500 characters

    reply = await llm_table.do(SNEAK)

    turn = data(reply)
    narration = turn["narration"]
    assert turn["narrator"] == "llm"
    assert len(narration) <= TRANSCRIPT_LINE_CHARS
    assert narration.endswith("shadow…")
    stored = (await llm_table.rows())[-1].content
    assert stored == narration
    assert reply.text.splitlines()[-1] == narration  # shown as stored


async def test_a_long_reason_is_cut_where_it_is_stored_and_shown(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json({**proposal(), "reason": "because " * 1_000})
    fake_llm.reply_json({"narration": "You slip by."})

    reply = await llm_table.do(SNEAK)

    reason = data(reply)["reason"]
    assert len(reason) <= PROPOSAL_REASON_CHARS
    assert reason.endswith("…")
    mechanics = (await llm_table.rows())[1]
    assert mechanics.meta is not None
    assert mechanics.meta["reason"] == reason


async def test_a_huge_skill_name_and_extra_keys_are_refused_with_short_echoes(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    # Within the reply cap, so it reaches validation: 2,000-character names and values.
    extras = {f"key{n}" + "k" * 200: "v" * 500 for n in range(10)}
    fake_llm.reply_json({**proposal(skill="lock" * 500), **extras})

    reply = await llm_table.do(SNEAK)

    turn = data(reply)
    assert turn["rejected"] is True
    assert len(turn["reason"]) < 500
    system = (await llm_table.rows())[-1]
    assert system.meta is not None
    assert len(json.dumps(system.meta)) < 2_000
    assert all(len(key) <= PROPOSAL_NAME_CHARS for key in system.meta["proposal"])


async def test_a_5_mb_plan_is_refused_and_the_offline_planner_answers(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json({"command": "roll", "args": {"expr": "1d20" + " " * FIVE_MB}})

    reply = await llm_table.act("roll 1d20")

    result = data(reply)
    assert (result["status"], result["planner"]) == ("executed", "offline")
    assert "the reply was over 1,048,576 bytes" in result["notice"]
    assert len(fake_llm.requests) == 1


async def test_a_planned_command_name_and_choice_labels_are_cut(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json({"command": "x" * 5_000, "args": {}, "confidence": 0.9})

    rejected = data(await llm_table.act("do the thing"))

    assert rejected["status"] == "rejected"
    assert len(rejected["message"].split(". Commands")[0]) < 100
    long = "a" * 3_000
    fake_llm.reply_json(
        {
            "command": "check",
            "args": {"skill": long},
            "confidence": 0.4,
            "alternatives": [{"command": "roll", "args": {"expr": long}, "confidence": 0.3}],
        }
    )

    ambiguous = data(await llm_table.act("stealth"))

    assert ambiguous["status"] == "ambiguous"
    assert all(len(choice["label"]) <= PLAN_LABEL_CHARS for choice in ambiguous["choices"])
