"""LLMClient against the fake OpenAI server: real HTTP on loopback, on both paths.

``make_client`` is parametrized over the transports (the openai SDK fast path
and litellm), so every behaviour here, each failure kind above all, is
checked on both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from adventorator.config import load_settings
from adventorator.errors import LLMError
from adventorator.limits import LLM_REPLY_TOKENS
from adventorator.llm import CallRecord, LLMClient, LLMStats, count_tokens, response_format_for
from adventorator.play.proposals import Narration, NarratorProposal, PlannerOutput
from tests.fakes.openai_server import FakeLLMServer, free_port
from tests.llm.helpers import MODEL, TEST_KEY

MakeClient = Callable[..., LLMClient]
MESSAGES = [
    {"role": "system", "content": "You are the narrator."},
    {"role": "user", "content": "<player_action>I sneak past</player_action>"},
]
PROPOSAL = {"action": "skill_check", "skill": "stealth", "dc": 15, "reason": "sneaking"}


async def test_structured_happy_path(fake_llm: FakeLLMServer, make_client: MakeClient) -> None:
    fake_llm.reply_json(PROPOSAL)
    client = make_client()

    proposal = await client.complete_structured(MESSAGES, NarratorProposal, name="narrator")

    assert proposal == NarratorProposal(**PROPOSAL)
    assert len(fake_llm.requests) == 1
    request = fake_llm.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "fake-model"
    assert request.body["messages"] == MESSAGES
    assert request.body["temperature"] == 0.2
    assert request.body["max_tokens"] == LLM_REPLY_TOKENS
    assert sorted(request.body) == [
        "max_tokens",
        "messages",
        "model",
        "response_format",
        "temperature",
    ]
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"


async def test_request_carries_the_json_schema(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_json({"command": "roll", "args": {"expression": "1d20"}, "confidence": 0.9})

    plan = await make_client().complete_structured(MESSAGES, PlannerOutput, name="planner")

    assert plan.name == "roll"
    response_format = fake_llm.requests[0].body["response_format"]
    assert response_format == {
        "type": "json_schema",
        "json_schema": {
            "name": "planner",
            "schema": PlannerOutput.model_json_schema(),
            "strict": False,
        },
    }


def test_each_response_format_is_a_fresh_copy_of_the_cached_schema() -> None:
    first = response_format_for(PlannerOutput, name="planner")
    first["json_schema"]["schema"]["properties"].clear()  # as a library adjusting it might

    second = response_format_for(PlannerOutput, name="again")

    assert second["json_schema"]["schema"] == PlannerOutput.model_json_schema()
    assert second["json_schema"]["name"] == "again"


async def test_fenced_json_is_accepted(fake_llm: FakeLLMServer, make_client: MakeClient) -> None:
    fake_llm.reply_text('```json\n{"narration": "You slip by."}\n```')

    narration = await make_client().complete_structured(MESSAGES, Narration, name="narration")

    assert narration.narration == "You slip by."
    assert len(fake_llm.requests) == 1


async def test_garbage_is_retried_once_with_the_validation_error(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_text("Sure! The guard is asleep.").reply_json(PROPOSAL)

    proposal = await make_client().complete_structured(MESSAGES, NarratorProposal, name="n")

    assert proposal.skill == "stealth"
    assert len(fake_llm.requests) == 2
    repair = fake_llm.requests[1].messages
    assert repair[: len(MESSAGES)] == MESSAGES
    assert repair[-2] == {"role": "assistant", "content": "Sure! The guard is asleep."}
    assert repair[-1]["role"] == "user"
    assert "not valid" in repair[-1]["content"]
    assert "Invalid JSON" in repair[-1]["content"]
    assert "response_format" in fake_llm.requests[1].body


async def test_garbage_twice_is_an_llm_error(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_text("not json").reply_text("still not json").reply_json(PROPOSAL)

    with pytest.raises(LLMError, match=r"^the model returned invalid output: Invalid JSON"):
        await make_client().complete_structured(MESSAGES, NarratorProposal, name="n")

    assert len(fake_llm.requests) == 2
    assert fake_llm.pending == 1


async def test_wrong_shape_json_names_the_missing_field(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_json({"verdict": "yes"}).reply_json({"dc": "high"})
    stats = LLMStats()

    with pytest.raises(LLMError, match="invalid output: action: Field required") as caught:
        await make_client(stats=stats).complete_structured(MESSAGES, NarratorProposal, name="n")

    assert "dc:" in str(caught.value)
    assert "action: Field required" in fake_llm.requests[1].messages[-1]["content"]
    assert stats.failures["invalid_output"] == 2
    assert stats.successes == 2  # both HTTP requests worked


async def test_timeout_is_an_llm_error_within_bounds(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_delay(2.0).reply_delay(2.0)
    client = make_client(timeout=0.5, max_retries=1)

    with pytest.raises(LLMError, match=r"^the model timed out after") as caught:
        await client.complete_text(MESSAGES)

    assert "(2 attempts)" in str(caught.value)
    assert len(fake_llm.requests) == 2
    assert client.stats.failures["timeout"] == 2


async def test_timeout_without_retries(fake_llm: FakeLLMServer, make_client: MakeClient) -> None:
    fake_llm.reply_delay(2.0)

    with pytest.raises(LLMError, match=r"^the model timed out after 0\.5 s$"):
        await make_client(timeout=0.5, max_retries=0).complete_text(MESSAGES)

    assert len(fake_llm.requests) == 1


async def test_a_timeout_then_a_reply_succeeds(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_delay(2.0).reply_json({"narration": "Second time lucky."})
    client = make_client(timeout=0.5, max_retries=1)

    narration = await client.complete_structured(MESSAGES, Narration, name="narration")

    assert narration.narration == "Second time lucky."
    assert client.stats.retries == 1


async def test_429_is_retried_after_retry_after(
    fake_llm: FakeLLMServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adventorator.llm")
    fake_llm.reply_status(429, retry_after=1).reply_json({"narration": "Patience pays."})
    client = make_client(max_retries=1)

    narration = await client.complete_structured(MESSAGES, Narration, name="narration")

    assert narration.narration == "Patience pays."
    assert len(fake_llm.requests) == 2
    assert "retrying in 1.00 s" in caplog.text  # the wait Retry-After asked for
    assert client.stats.failures["rate_limited"] == 1
    assert client.stats.retries == 1


async def test_a_retry_after_date_in_the_past_means_retry_now(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    fake_llm.reply_json({"narration": "Right away."})

    narration = await make_client(max_retries=1).complete_structured(
        MESSAGES, Narration, name="narration"
    )

    assert narration.narration == "Right away."
    assert len(fake_llm.requests) == 2


async def test_429_without_retries_is_an_llm_error(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(429, retry_after=1)

    with pytest.raises(LLMError, match=r"rate limited \(429\)"):
        await make_client(max_retries=0).complete_text(MESSAGES)

    assert len(fake_llm.requests) == 1


async def test_a_long_retry_after_is_not_waited_for(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(429, retry_after=60)

    client = make_client(max_retries=3)
    with pytest.raises(LLMError, match=r"^rate limited \(429\), retry after 60 s$"):
        await client.complete_text(MESSAGES)

    assert len(fake_llm.requests) == 1
    assert client.stats.retries == 0  # gave up at once instead of waiting


async def test_500_is_retried_then_reported(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(500).reply_status(500)

    with pytest.raises(LLMError, match=r"^HTTP 500 from the model server \(2 attempts\)$"):
        await make_client(max_retries=1).complete_text(MESSAGES)

    assert len(fake_llm.requests) == 2


async def test_500_then_success(fake_llm: FakeLLMServer, make_client: MakeClient) -> None:
    fake_llm.reply_status(503).reply_json({"narration": "Back online."})

    text = await make_client(max_retries=1).complete_text(MESSAGES)

    assert text == '{"narration": "Back online."}'


async def test_401_is_not_retried(fake_llm: FakeLLMServer, make_client: MakeClient) -> None:
    fake_llm.reply_status(401)

    with pytest.raises(LLMError, match=r"^HTTP 401 from the model server \(check the API key\)$"):
        await make_client(max_retries=2).complete_text(MESSAGES)

    assert len(fake_llm.requests) == 1


async def test_404_names_the_model_and_base_and_is_not_retried(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_status(404)
    client = make_client(max_retries=2)

    with pytest.raises(LLMError, match=r"^HTTP 404 from the model server \(check the model name"):
        await client.complete_text(MESSAGES)

    assert len(fake_llm.requests) == 1
    assert client.stats.failures["http_error"] == 1


async def test_400_is_not_retried(fake_llm: FakeLLMServer, make_client: MakeClient) -> None:
    fake_llm.reply_status(400, message="response_format is not supported")
    client = make_client(max_retries=2)

    with pytest.raises(LLMError, match=r"^HTTP 400 from the model server$"):
        await client.complete_structured(MESSAGES, Narration, name="narration")

    assert len(fake_llm.requests) == 1
    assert client.stats.retries == 0


async def test_refused_connection_fails_fast(make_client: MakeClient) -> None:
    client = make_client(api_base=f"http://127.0.0.1:{free_port()}/v1", timeout=5)

    with pytest.raises(LLMError, match=r"^connection refused \(2 attempts\)$"):
        await client.complete_text(MESSAGES)

    assert client.stats.failures["connection"] == 2
    assert client.stats.retries == 1


async def test_closed_connection_is_an_llm_error(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_close().reply_close()

    with pytest.raises(LLMError, match="closed the connection"):
        await make_client(max_retries=1).complete_text(MESSAGES)


async def test_complete_text_returns_the_content(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    fake_llm.reply_text("You slip past the guard.")

    assert await make_client().complete_text(MESSAGES) == "You slip past the guard."
    assert "response_format" not in fake_llm.requests[0].body


async def test_empty_text_is_an_llm_error(fake_llm: FakeLLMServer, make_client: MakeClient) -> None:
    fake_llm.reply_text("   ")

    with pytest.raises(LLMError, match="empty"):
        await make_client().complete_text(MESSAGES)


async def test_stats_and_hook_see_every_attempt(
    fake_llm: FakeLLMServer, make_client: MakeClient
) -> None:
    records: list[CallRecord] = []
    stats = LLMStats()
    client = make_client(stats=stats, on_call=records.append, max_retries=1)
    fake_llm.reply_status(500).reply_json(PROPOSAL)

    await client.complete_structured(MESSAGES, NarratorProposal, name="narrator")

    assert [(r.name, r.attempt, r.outcome, r.status_code) for r in records] == [
        ("narrator", 1, "http_error", 500),
        ("narrator", 2, "ok", None),
    ]
    assert all(r.latency_s > 0 and r.model == MODEL for r in records)
    snapshot = stats.snapshot()
    assert snapshot["requests"] == 2
    assert snapshot["successes"] == 1
    assert snapshot["failures"] == {"http_error": 1}
    assert snapshot["latency_buckets"]["+Inf"] == 2


async def test_logs_name_the_outcome_but_never_the_key(
    fake_llm: FakeLLMServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_llm.reply_status(401)
    caplog.set_level(logging.DEBUG)
    client = make_client(max_retries=0)

    with pytest.raises(LLMError) as caught:
        await client.complete_text(MESSAGES)

    ours = [r for r in caplog.records if r.name == "adventorator.llm"]
    assert any("outcome=http_error status=401" in r.getMessage() for r in ours)
    assert TEST_KEY not in caplog.text
    assert TEST_KEY not in str(caught.value)
    assert TEST_KEY not in repr(client)


def test_from_settings_is_none_without_a_model(isolated_env: Path) -> None:
    assert LLMClient.from_settings(load_settings()) is None


def test_from_settings_copies_the_llm_settings(isolated_env: Path) -> None:
    settings = load_settings(
        llm_model="openai/fake-model",
        llm_api_base="http://127.0.0.1:9/v1",
        llm_api_key=TEST_KEY,
        llm_timeout=7,
        llm_max_retries=2,
        llm_temperature=0.1,
        llm_max_prompt_tokens=2048,
    )

    client = LLMClient.from_settings(settings)

    assert client is not None
    assert (client.model, client.api_base, client.timeout, client.max_retries) == (
        "openai/fake-model",
        "http://127.0.0.1:9/v1",
        7,
        2,
    )
    assert (client.temperature, client.max_prompt_tokens) == (0.1, 2048)
    assert client.request_budget == 7 * 3 + 2 * 2
    assert client.transport == "openai"  # openai/<model> with an API base: the fast path


@pytest.mark.parametrize(
    ("overrides", "transport"),
    [
        ({}, "openai"),
        ({"llm_fast_path": False}, "litellm"),
        ({"llm_api_base": ""}, "litellm"),  # OpenAI itself: litellm
        ({"llm_model": "ollama/llama3.1"}, "litellm"),
        ({"llm_model": "gpt-4o-mini"}, "litellm"),
    ],
)
def test_the_fast_path_is_openai_models_with_an_api_base(
    isolated_env: Path, overrides: dict[str, object], transport: str
) -> None:
    options: dict[str, object] = {
        "llm_model": "openai/local-model",
        "llm_api_base": "http://127.0.0.1:9/v1",
    }
    options.update(overrides)

    client = LLMClient.from_settings(load_settings(**options))

    assert client is not None
    assert client.transport == transport


def test_the_fast_path_setting_reads_the_environment(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVENTORATOR_LLM_FAST_PATH", "false")

    assert load_settings().llm_fast_path is False


async def test_missing_api_key_is_named_not_called_a_500(
    fake_llm: FakeLLMServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    with pytest.raises(LLMError, match=r"^no API key for the model"):
        await make_client(api_key=None, max_retries=1).complete_text(MESSAGES)

    assert fake_llm.requests == []


async def test_litellm_registers_a_model_it_does_not_know(fake_llm: FakeLLMServer) -> None:
    count_tokens([{"role": "user", "content": "-"}], model="ollama/llama3")  # loads litellm
    import litellm

    model = "openai/registered-by-the-first-call"
    with pytest.raises(Exception, match=r"not mapped|isn't mapped|not found"):
        litellm.get_model_info(model)
    client = LLMClient(
        model=model, api_base=fake_llm.base_url, api_key=TEST_KEY, fast_path=False, stats=LLMStats()
    )

    await client.complete_text(MESSAGES)

    assert litellm.get_model_info(model)["input_cost_per_token"] == 0.0
    assert len(fake_llm.requests) == 1
