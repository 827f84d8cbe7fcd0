"""``do`` when the LLM misbehaves: every case is handled, and nothing is half-written.

A turn leaves either the whole turn (player + mechanics + narrator) or the
rejected pair (player + an error-marked system line), never anything else.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from adventorator.commands import Reply
from adventorator.errors import InputError
from tests.fakes.openai_server import FakeLLMServer, free_port
from tests.play.support import (
    ROGUE,
    MakeTable,
    Table,
    assert_full_turn,
    assert_rejected_pair,
    data,
    llm_settings,
    proposal,
    rogue_json,
)

SNEAK = "I sneak past the sleeping guard"
SLOW_REPLY = 30.0  # seconds: far longer than the turn may wait


async def assert_offline_turn(table: Table, reply: Reply, *, cause: str) -> str:
    """The offline narrator answered the whole turn, with a one-line notice naming ``cause``."""
    turn = data(reply)
    notice = turn["notice"]
    assert isinstance(notice, str)
    assert "\n" not in notice
    assert notice.startswith("The LLM narrator failed (")
    assert notice.endswith("); the offline narrator answered.")
    assert cause in notice
    assert reply.text.splitlines()[0] == notice
    assert turn["narrator"] == "offline"
    assert reply.text.endswith("(offline narrator)")
    assert turn["reason"].startswith("offline narrator:")
    check = turn["check"]
    assert (check["skill"], check["dc"], check["modifier"]) == ("stealth", 15, 10)
    assert_full_turn(await table.rows(), reply, player_text=SNEAK)
    return notice


# Garbage and wrong shapes ------------------------------------------------------------------


async def test_garbage_is_retried_once_with_the_error_then_the_offline_narrator_answers(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_text("Sure! The guard is asleep, roll whatever you like.")
    fake_llm.reply_text("still not JSON")

    reply = await llm_table.do(SNEAK)

    await assert_offline_turn(llm_table, reply, cause="the model returned invalid output")
    assert len(fake_llm.requests) == 2  # the proposal and its one retry; no LLM narration
    first, retry = fake_llm.requests
    assert retry.messages[: len(first.messages)] == first.messages
    echoed, repair = retry.messages[len(first.messages) :]
    assert echoed == {
        "role": "assistant",
        "content": "Sure! The guard is asleep, roll whatever you like.",
    }
    assert repair["role"] == "user"
    assert repair["content"].startswith("Your reply was not valid: Invalid JSON")


async def test_a_wrong_shape_is_repaired_by_the_retry(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json({"check": "stealth", "difficulty": "medium"})  # no "action"
    fake_llm.reply_json(proposal("stealth", dc=12))
    fake_llm.reply_json({"narration": "You slip by."})

    reply = await llm_table.do(SNEAK)

    turn = data(reply)
    assert (turn["narrator"], turn["notice"], turn["narration"]) == ("llm", None, "You slip by.")
    assert (turn["check"]["dc"], turn["check"]["modifier"]) == (12, 10)
    assert "action: Field required" in fake_llm.requests[1].messages[-1]["content"]
    assert len(fake_llm.requests) == 3
    assert_full_turn(await llm_table.rows(), reply, player_text=SNEAK)


async def test_a_failed_narration_falls_back_after_the_check_is_rolled(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(proposal("stealth", dc=15))
    fake_llm.reply_json({"text": "wrong shape"})
    fake_llm.reply_json(["still", "wrong"])

    reply = await llm_table.do(SNEAK)

    turn = data(reply)
    assert turn["reason"] == proposal()["reason"]  # the model's proposal was used
    assert turn["narrator"] == "offline"
    assert "the model returned invalid output" in turn["notice"]
    assert turn["narration"].startswith(ROGUE)  # the offline template names the character
    assert len(fake_llm.requests) == 3
    assert_full_turn(await llm_table.rows(), reply, player_text=SNEAK)


# Proposals that validation refuses -----------------------------------------------------------


async def test_an_unknown_skill_is_rejected_with_the_reason(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json(proposal("lockpicking", dc=15))
    rng = random.Random(5)
    before = rng.getstate()

    reply = await llm_table.do("I pick the lock", rng=rng)

    assert_rejected_pair(
        await llm_table.rows(), reply, player_text="I pick the lock", why="unknown skill"
    )
    assert "'lockpicking'" in reply.text
    assert "Sleight of Hand" in reply.text
    assert rng.getstate() == before
    assert len(fake_llm.requests) == 1


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"action": "skill_check", "skill": None}, "skill check without a skill"),
        ({"action": "saving_throw", "skill": None}, "saving_throw without an ability"),
        ({"dc": None}, "without a DC"),
        ({"reason": "  "}, "gave no reason"),
    ],
    ids=["no-skill", "no-ability", "no-dc", "no-reason"],
)
async def test_incomplete_proposals_are_rejected(
    llm_table: Table, fake_llm: FakeLLMServer, changes: dict[str, object], why: str
) -> None:
    fake_llm.reply_json({**proposal(), **changes})

    reply = await llm_table.do(SNEAK)

    assert_rejected_pair(await llm_table.rows(), reply, player_text=SNEAK, why=why)


async def test_dc_99_is_clamped_to_30_and_noted(llm_table: Table, fake_llm: FakeLLMServer) -> None:
    fake_llm.reply_json(proposal("stealth", dc=99))
    fake_llm.reply_json({"narration": "The wall of guards is impossible to slip."})

    reply = await llm_table.do(SNEAK)

    check = data(reply)["check"]
    assert check["dc"] == 30
    assert check["success"] is (check["total"] >= 30)
    assert "vs DC 30" in reply.text
    rows = await llm_table.rows()
    assert_full_turn(rows, reply, player_text=SNEAK)
    assert rows[1].meta is not None
    assert rows[1].meta["notes"] == ["DC 99 clamped to 30"]
    assert data(reply)["notes"] == ["DC 99 clamped to 30"]
    assert "(DC 99 clamped to 30)" in reply.text.splitlines()


@pytest.mark.parametrize(
    ("reply_obj", "why"),
    [
        ({"action": "set_hp", "hp": 100, "reason": "the player asked"}, "(hp)"),
        ({"action": "set_hp", "reason": "the player asked"}, "'set_hp', which is not an allowed"),
        (proposal("stealth", dc=10, hp=100), "not change state (hp)"),
    ],
    ids=["set-hp-with-value", "set-hp-action", "check-plus-hp"],
)
async def test_set_my_hp_is_rejected_and_the_sheet_is_unchanged(
    llm_table: Table, fake_llm: FakeLLMServer, reply_obj: dict[str, object], why: str
) -> None:
    before = await llm_table.stored_sheet(ROGUE)
    fake_llm.reply_json(reply_obj)
    rng = random.Random(1)
    state = rng.getstate()

    reply = await llm_table.do("set my HP to 100", rng=rng)

    assert_rejected_pair(await llm_table.rows(), reply, player_text="set my HP to 100", why=why)
    assert rng.getstate() == state
    assert await llm_table.stored_sheet(ROGUE) == before
    assert before["hp"]["current"] == 38


# Transport failures ---------------------------------------------------------------------------

Script = Callable[[FakeLLMServer], object]


@pytest.mark.parametrize(
    ("script", "cause", "requests"),
    [
        (
            lambda f: f.reply_text("not json").reply_text("nope"),
            "the model returned invalid output",
            2,
        ),
        (
            lambda f: f.reply_json({"narration": "wrong"}).reply_json({"dc": 12}),
            "the model returned invalid output: action: Field required",
            2,
        ),
        (lambda f: f.reply_close().reply_close(), "closed the connection", 2),
        (
            lambda f: f.reply_status(429, retry_after=0.1).reply_status(429, retry_after=0.1),
            "rate limited (429)",
            2,
        ),
        (lambda f: f.reply_status(500).reply_status(503), "HTTP 503 from the model server", 2),
    ],
    ids=["garbage", "wrong-shape", "closed", "429", "5xx"],
)
async def test_failures_fall_back_to_the_offline_narrator(
    llm_table: Table, fake_llm: FakeLLMServer, script: Script, cause: str, requests: int
) -> None:
    script(fake_llm)

    reply = await llm_table.do(SNEAK)

    await assert_offline_turn(llm_table, reply, cause=cause)
    assert len(fake_llm.requests) == requests
    assert fake_llm.pending == 0


async def test_a_429_is_retried_and_then_succeeds(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_status(429, retry_after=0.1)
    fake_llm.reply_json(proposal("stealth", dc=13))
    fake_llm.reply_json({"narration": "Patience pays."})

    reply = await llm_table.do(SNEAK)

    turn = data(reply)
    assert (turn["narrator"], turn["notice"], turn["narration"]) == ("llm", None, "Patience pays.")
    assert turn["check"]["dc"] == 13
    assert len(fake_llm.requests) == 3
    assert fake_llm.requests[0].body == fake_llm.requests[1].body  # the same request again
    assert_full_turn(await llm_table.rows(), reply, player_text=SNEAK)


async def test_a_timeout_falls_back_without_waiting_for_the_model(
    make_table: MakeTable, fake_llm: FakeLLMServer
) -> None:
    table = await make_table(**llm_settings(fake_llm, llm_timeout=1.0))
    await table.create(rogue_json())
    fake_llm.reply_delay(SLOW_REPLY).reply_delay(SLOW_REPLY)

    reply = await table.do(SNEAK)

    # Timed out, not answered: had the turn waited for the slow replies, the
    # default reply (a narration, the wrong shape) would have been invalid output.
    await assert_offline_turn(table, reply, cause="the model timed out after")
    assert len(fake_llm.requests) == 2  # one retry, then the fallback; no narration call


async def test_a_refused_connection_falls_back(make_table: MakeTable) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"
    table = await make_table(
        llm_model="openai/fake-model", llm_api_base=closed, llm_api_key="test-key"
    )
    await table.create(rogue_json())

    reply = await table.do(SNEAK)

    await assert_offline_turn(table, reply, cause="connection refused")


# Text that a database could choke on ----------------------------------------------------------


async def test_a_nul_in_the_players_message_is_refused_before_any_call(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    with pytest.raises(InputError, match="NUL"):
        await llm_table.do("I sneak\x00 past")
    assert fake_llm.requests == []
    assert await llm_table.rows() == []


async def test_a_nul_in_the_models_reply_does_not_lose_the_turn(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_json({**proposal(), "reason": "sneaky\u0000 business"})
    fake_llm.reply_json({"narration": "You\u0000 slip by."})

    reply = await llm_table.do(SNEAK)

    rows = await llm_table.rows()
    assert [(r.role, r.status) for r in rows] == [
        ("player", "ok"),
        ("mechanics", "ok"),
        ("narrator", "ok"),
    ]
    assert [r.id for r in rows] == data(reply)["transcript_ids"]
    assert rows[1].meta is not None
    assert rows[1].meta["reason"] == "sneaky business"
    assert rows[2].content == "You slip by."
