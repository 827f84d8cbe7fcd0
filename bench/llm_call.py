"""Client CPU of one structured LLM call: the fast path and litellm against a plain POST.

    .venv/bin/python bench/llm_call.py [--calls 200] [--rounds 7]

The fake OpenAI server runs in a child process (replying at once), so only
the client's CPU is counted, with ``time.process_time()`` over ``--calls``
sequential calls. In each of ``--rounds`` rounds every contender runs once,
in a rotated order, after one warm-up round; the median per call is printed:

* the floor: the request body POSTed with httpx and the reply validated with
  pydantic; and the same POST with aiohttp, the fast path's client;
* ``LLMClient`` on the fast path (``llm/_openai_http.py``: one aiohttp POST with the
  SDK's failure classes), and on litellm (``fast_path=False``), both with retries,
  bounds, metrics and validation;
* the openai SDK alone, ``post(..., cast_to=object)`` and ``chat.completions.create``,
  each with validation: what the fast path was once built on, kept for comparison.

Target (issue 19): the fast path within 2x the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 2.0
FAST = "LLMClient, fast path (aiohttp transport)"
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
Call = Callable[[], Awaitable[None]]


async def cpu_per_call(calls: int, call: Call) -> float:
    """Milliseconds of this process's CPU per awaited ``call()``."""
    started = time.process_time()
    for _ in range(calls):
        await call()
    return 1000 * (time.process_time() - started) / calls


async def contenders(base_url: str) -> tuple[dict[str, Call], Callable[[], Awaitable[None]]]:
    """The calls to compare, by name, the floor first; and what closes their clients."""
    import aiohttp
    import httpx
    import openai

    from adventorator.llm import LLMClient, LLMStats
    from adventorator.play.proposals import NarratorProposal

    schema = NarratorProposal.model_json_schema()
    body: dict[str, Any] = {
        "model": "fake-model",
        "messages": MESSAGES,
        "temperature": 0.7,
        "max_tokens": 2048,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "narrator_proposal", "schema": schema, "strict": False},
        },
    }
    http = httpx.AsyncClient(base_url=base_url, timeout=10)
    session = aiohttp.ClientSession()
    sdk = openai.AsyncOpenAI(base_url=base_url, api_key="bench-key", max_retries=0)
    clients = {
        fast: LLMClient(
            model="openai/fake-model",
            api_base=base_url,
            api_key="bench-key",
            fast_path=fast,
            stats=LLMStats(),
        )
        for fast in (True, False)
    }
    for client in clients.values():
        await client.preload()

    async def floor() -> None:
        reply = await http.post("/chat/completions", json=body)
        NarratorProposal.model_validate_json(reply.json()["choices"][0]["message"]["content"])

    async def aiohttp_floor() -> None:
        async with session.post(f"{base_url}/chat/completions", json=body) as reply:
            content = json.loads(await reply.read())["choices"][0]["message"]["content"]
        NarratorProposal.model_validate_json(content)

    def through(client: LLMClient) -> Call:
        async def call() -> None:
            await client.complete_structured(MESSAGES, NarratorProposal, name="narrator_proposal")

        return call

    async def sdk_post() -> None:
        reply: Any = await sdk.post("/chat/completions", cast_to=object, body=body)
        NarratorProposal.model_validate_json(reply["choices"][0]["message"]["content"])

    async def sdk_create() -> None:
        reply = await sdk.chat.completions.create(**body)
        NarratorProposal.model_validate_json(reply.choices[0].message.content or "")

    async def close() -> None:
        await http.aclose()
        await session.close()
        for client in clients.values():
            await client.aclose()

    return {
        "plain httpx POST + pydantic (floor)": floor,
        "plain aiohttp POST + pydantic": aiohttp_floor,
        FAST: through(clients[True]),
        "LLMClient, litellm": through(clients[False]),
        "openai SDK post(cast_to=object) alone": sdk_post,
        "openai SDK chat.completions.create alone": sdk_create,
    }, close


async def measure(base_url: str, calls: int, rounds: int) -> dict[str, float]:
    """Median milliseconds of CPU per call, by contender, over alternating rounds."""
    calls_by_name, close = await contenders(base_url)
    names = list(calls_by_name)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # warm-up round
        await cpu_per_call(max(20, calls // 10), calls_by_name[name])
    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            samples[name].append(await cpu_per_call(calls, calls_by_name[name]))
    await close()
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    logging.getLogger("adventorator.llm").setLevel(logging.WARNING)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), json.dumps(PROPOSAL)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        base_url = child.stdout.readline().strip()
        medians = asyncio.run(measure(base_url, args.calls, args.rounds))
    finally:
        child.communicate(timeout=10)
    print(
        f"{args.calls} sequential structured calls x {args.rounds} alternating rounds "
        "(medians), fake OpenAI server in another process; client CPU per call"
    )
    floor = next(iter(medians.values()))
    for name, value in medians.items():
        print(f"  {value:6.2f} ms  {value / floor:5.2f}x  {name}")
    fast = medians[FAST] / floor
    verdict = "met" if fast <= TARGET else "NOT met"
    print(f"fast path / floor = {fast:.2f}x (target <= {TARGET:g}x: {verdict})")


if __name__ == "__main__":
    main()
