"""CPU cost of one structured LLM call through litellm, against a plain HTTP POST.

    .venv/bin/python bench/llm_call.py [--calls 300]

The fake OpenAI server runs in a child process (replying at once), so only
the client's CPU is counted, with ``time.process_time()`` over ``--calls``
sequential calls after a warm-up:

* ``LLMClient.complete_structured``: our client through litellm, with the
  JSON Schema ``response_format``, parsing and validation;
* the baseline: the same request body POSTed with httpx and the reply
  validated with pydantic, in the same run.

Prints milliseconds of CPU per call and the ratio. No target: this explains
where ``bench/concurrency.py``'s CPU goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MESSAGES = [
    {"role": "system", "content": "You are the narrator of a D&D 5e game."},
    {"role": "user", "content": "<player_action>I sneak past the guard</player_action>"},
]
PROPOSAL = {"action": "skill_check", "skill": "stealth", "dc": 12, "reason": "Sneaking."}
CHILD = """
import sys, json
sys.path.insert(0, sys.argv[1])
from tests.fakes.openai_server import FakeLLMServer, ContentReply
fake = FakeLLMServer(default=ContentReply(sys.argv[2])).start()
print(fake.base_url, flush=True)
sys.stdin.read()
"""


async def cpu_per_call(calls: int, call: Callable[[], Awaitable[None]]) -> float:
    """Milliseconds of this process's CPU per awaited ``call()``, after 20 warm-up calls."""
    for _ in range(20):
        await call()
    started = time.process_time()
    for _ in range(calls):
        await call()
    return 1000 * (time.process_time() - started) / calls


async def measure(base_url: str, calls: int) -> tuple[float, float]:
    import httpx

    from adventorator.llm import LLMClient
    from adventorator.llm._structured import response_format_for
    from adventorator.play.proposals import NarratorProposal

    client = LLMClient(model="openai/fake-model", api_base=base_url, api_key="bench-key")
    await client.preload()

    async def through_litellm() -> None:
        await client.complete_structured(MESSAGES, NarratorProposal, name="narrator_proposal")

    body = {
        "model": "fake-model",
        "messages": MESSAGES,
        "temperature": 0.7,
        "response_format": response_format_for(NarratorProposal, name="narrator_proposal"),
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:

        async def plain_post() -> None:
            reply = await http.post("/chat/completions", json=body)
            content = reply.json()["choices"][0]["message"]["content"]
            NarratorProposal.model_validate_json(content)

        litellm_ms = await cpu_per_call(calls, through_litellm)
        plain_ms = await cpu_per_call(calls, plain_post)
    return litellm_ms, plain_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), json.dumps(PROPOSAL)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        base_url = child.stdout.readline().strip()
        litellm_ms, plain_ms = asyncio.run(measure(base_url, args.calls))
    finally:
        child.communicate(timeout=10)
    print(f"{args.calls} sequential structured calls, fake OpenAI server in another process")
    print(f"LLMClient through litellm: {litellm_ms:6.2f} ms CPU per call")
    print(f"plain httpx POST + pydantic: {plain_ms:6.2f} ms CPU per call")
    print(f"ratio: {litellm_ms / plain_ms:.1f}x")


if __name__ == "__main__":
    main()
