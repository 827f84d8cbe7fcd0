"""One turn's calls share a deadline and retries and stop at a failure; replies are bounded."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from adventorator.errors import LLMError
from adventorator.limits import LLM_REPLY_CHARS, LLM_REPLY_TOKENS
from adventorator.llm import LLMClient, ModelTurn, model_turn, shorten
from adventorator.play.proposals import Narration, NarratorProposal
from tests.fakes.openai_server import FakeLLMServer

MakeClient = Callable[..., LLMClient]
MESSAGES = [{"role": "user", "content": "<player_action>I sneak past</player_action>"}]
PROPOSAL = {"action": "skill_check", "skill": "stealth", "dc": 15, "reason": "sneaking"}


async def test_after_a_failure_the_turns_next_call_sends_nothing(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(500).reply_json({"narration": "never asked"})
    client, turn = make_client(max_retries=0), ModelTurn()

    with pytest.raises(LLMError, match=r"^HTTP 500") as first:
        await client.complete_structured(MESSAGES, NarratorProposal, name="p", turn=turn)
    with pytest.raises(LLMError) as second:
        await client.complete_structured(MESSAGES, Narration, name="narration", turn=turn)

    assert str(second.value) == str(first.value)
    assert len(fake_llm.requests) == 1
    assert fake_llm.pending == 1


async def test_the_turns_retries_are_shared_by_its_calls(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(503).reply_json(PROPOSAL).reply_status(503).reply_json({"narration": "x"})
    client, turn = make_client(max_retries=1), ModelTurn()

    await client.complete_structured(MESSAGES, NarratorProposal, name="p", turn=turn)
    with pytest.raises(LLMError, match=r"^HTTP 503 from the model server$"):
        await client.complete_structured(MESSAGES, Narration, name="narration", turn=turn)

    assert len(fake_llm.requests) == 3  # the turn's one retry went to the first call
    assert client.stats.retries == 1
    assert turn.failure is not None


async def test_calls_without_a_turn_are_independent(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(500).reply_json({"narration": "fine"})
    client = make_client(max_retries=0)

    with pytest.raises(LLMError):
        await client.complete_text(MESSAGES)
    assert (await client.complete_structured(MESSAGES, Narration, name="n")).narration == "fine"
    assert len(fake_llm.requests) == 2


async def test_a_turn_is_shared_by_nested_scopes_and_not_by_sibling_ones() -> None:
    with model_turn() as outer, model_turn() as inner:
        assert inner is outer
    with model_turn() as later:
        assert later is not outer


async def test_every_request_asks_for_bounded_output(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_json(PROPOSAL).reply_text("plain")
    client = make_client()

    await client.complete_structured(MESSAGES, NarratorProposal, name="p")
    await client.complete_text(MESSAGES)

    assert [r.body["max_tokens"] for r in fake_llm.requests] == [LLM_REPLY_TOKENS] * 2


@pytest.mark.parametrize("size", [LLM_REPLY_CHARS + 1, 5_000_000], ids=["just-over", "5MB"])
async def test_an_oversize_reply_is_refused_before_parsing_and_not_repaired(
    fake_llm: FakeLLMServer, make_client: MakeClient, size: int
) -> None:
    narration = "word " * (size // 5)
    fake_llm.reply_text(json.dumps({"narration": narration})[:size].ljust(size, " "))
    client = make_client()

    with pytest.raises(LLMError, match=r"^the model returned invalid output: the reply was "):
        await client.complete_structured(MESSAGES, Narration, name="narration")

    assert len(fake_llm.requests) == 1  # no repair request for a runaway model
    assert client.stats.failures["invalid_output"] == 1


async def test_a_reply_at_the_limit_is_accepted(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    content = json.dumps({"narration": "x"})
    fake_llm.reply_text(content.ljust(LLM_REPLY_CHARS))

    narration = await make_client().complete_structured(MESSAGES, Narration, name="narration")

    assert narration.narration == "x"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("the quick brown fox jumps", 12, "the quick…"),
        ("a" * 50, 10, "a" * 9 + "…"),  # no word boundary near the end: cut mid-word
        ("word\nsecond line here", 14, "word\nsecond…"),
    ],
    ids=["fits", "at-limit", "word-boundary", "no-space", "newline"],
)
def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis(
    text: str, limit: int, expected: str
) -> None:
    result = shorten(text, limit)
    assert result == expected
    assert len(result) <= limit
