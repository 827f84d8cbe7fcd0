"""Token counting works offline, and importing the package stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

from adventorator.llm import count_tokens
from tests.fakes.openai_server import FakeLLMServer
from tests.llm.helpers import MODEL


@pytest.mark.parametrize("model", [None, "gpt-4o-mini", MODEL, "ollama/llama3"])
def test_count_tokens_offline(model: str | None) -> None:
    short = count_tokens([{"role": "user", "content": "I sneak past the guard."}], model=model)
    longer = count_tokens(
        [
            {"role": "system", "content": "You are the narrator."},
            {"role": "user", "content": "I sneak past the guard. " * 20},
        ],
        model=model,
    )

    assert 5 < short < 20
    assert longer > short + 80


def test_import_does_not_load_litellm() -> None:
    code = (
        "import sys, adventorator.llm; "
        "print(sorted(m for m in ('litellm', 'openai', 'tiktoken', 'adventorator.config') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"


# A name no client registers: litellm counts a registered unknown model with
# o200k_base, an unregistered one with cl100k_base (ours always counts the latter).
@pytest.mark.parametrize(
    "model", ["gpt-4o-mini", "openai/local-never-registered", "openai/gpt-4o-mini", "gpt-3.5-turbo"]
)
def test_tiktoken_counts_as_litellm_does(model: str) -> None:
    count_tokens([{"role": "user", "content": "-"}], model="ollama/llama3")  # loads litellm
    import litellm

    messages = [
        {"role": "system", "content": "You are the narrator. " * 120},  # over one 1,024 chunk
        {"role": "user", "content": "I sneak past, héllo 🎲 <|endoftext|> " * 9},
        {"role": "assistant", "content": "", "name": "narrator"},
    ]

    assert count_tokens(messages, model=model) == litellm.token_counter(
        model=model, messages=messages
    )


FAST_TURN = """
import asyncio, json, sys
from adventorator.llm import LLMClient, LLMStats, build_narrator_messages, model_turn
from adventorator.play.proposals import NarratorProposal

async def turn() -> None:
    client = LLMClient(model=sys.argv[2], api_base=sys.argv[1], api_key="k", stats=LLMStats())
    await client.preload()
    messages = build_narrator_messages(
        player_text="I sneak past", sheet_summary="Wren, rogue 5",
        transcript=[("player", "I look around")] * 30, max_prompt_tokens=256, model=sys.argv[2],
    )
    with model_turn() as current:
        await client.complete_structured(messages, NarratorProposal, name="n", turn=current)
    print(json.dumps([client.transport, client.stats.successes]))

asyncio.run(turn())
print(sorted(m for m in ("litellm", "openai", "tiktoken") if m in sys.modules))
"""


def test_a_fast_path_turn_imports_neither_litellm_nor_openai(fake_llm: FakeLLMServer) -> None:
    fake_llm.reply_json({"action": "none", "reason": "Nothing to roll."})

    result = subprocess.run(
        [sys.executable, "-c", FAST_TURN, fake_llm.base_url, MODEL],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert result.stdout.splitlines() == ['["openai", 1]', "['tiktoken']"]
    assert len(fake_llm.requests) == 1
