"""A slow model: the deferral still goes out at once, the narration follows.

"Slow" is made deterministic with a gate: the model's first answer is held
until the test itself opens the gate, so the deferral provably arrived while
the model had not answered, whatever the machine's speed.
"""

from __future__ import annotations

import json

import httpx

from tests.discord.harness import command
from tests.discord.helpers import create_sheet, for_token
from tests.discord.support import StartWebhook
from tests.fakes.openai_server import ContentReply, FakeLLMServer, GateReply

PROPOSAL = {
    "action": "skill_check",
    "skill": "stealth",
    "dc": 12,
    "reason": "Sneaking past a sleeping guard calls for stealth.",
}


async def test_slow_llm_is_acked_before_the_model_answers(
    start_webhook: StartWebhook, fresh_database_url: str, fake_llm: FakeLLMServer
) -> None:
    webhook = await start_webhook(
        fresh_database_url,
        llm_model="openai/fake",
        llm_api_base=fake_llm.base_url,
        llm_api_key="test-key",
    )
    await create_sheet(webhook)
    requests_before = _llm_requests((await webhook.discord.get("/metrics")).text)
    # The same gate twice: the webhook's proposal request waits at it until the
    # test's own request arrives; both then get the proposal.
    gate = GateReply(2, then=ContentReply(json.dumps(PROPOSAL)))
    fake_llm.reply(gate).reply(gate)
    fake_llm.reply_json({"narration": "You slip past, quiet as a cat."})
    do = command("do", {"message": "I sneak past the sleeping guard"})

    response = await webhook.discord.send(do)
    assert response.json() == {"type": 5}
    assert webhook.api.matching(for_token(do)) == []  # the model has not answered yet

    async with httpx.AsyncClient(timeout=60) as client:  # open the gate
        opened = await client.post(
            f"{fake_llm.base_url}/chat/completions",
            json={"model": "fake", "messages": [{"role": "user", "content": "open"}]},
        )
    assert opened.status_code == 200
    (edit,) = webhook.api.wait_for(1, where=for_token(do), timeout=60)
    assert "You slip past, quiet as a cat." in edit.body["content"]
    assert "offline" not in edit.body["content"]
    assert "Stealth" in edit.body["content"]
    assert len(fake_llm.requests) == 3  # the proposal, the test's opener, the narration

    metrics = (await webhook.discord.get("/metrics")).text
    # The LLM layer's totals are process-wide: count what this test added.
    assert _llm_requests(metrics) - requests_before == 2
    assert 'adventorator_discord_deferred_seconds_count{command="do"} 1.0' in metrics


def _llm_requests(metrics: str) -> float:
    (line,) = [
        line for line in metrics.splitlines() if line.startswith("adventorator_llm_requests_total ")
    ]
    return float(line.split()[1])
