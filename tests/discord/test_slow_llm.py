"""A slow model: the deferral still goes out at once, the narration follows."""

from __future__ import annotations

import json
import time

from tests.discord.conftest import StartWebhook
from tests.discord.harness import command
from tests.discord.helpers import create_sheet, for_token
from tests.fakes.openai_server import ContentReply, FakeLLMServer

PROPOSAL = {
    "action": "skill_check",
    "skill": "stealth",
    "dc": 12,
    "reason": "Sneaking past a sleeping guard calls for stealth.",
}


async def test_slow_llm_is_acked_within_the_budget(
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
    fake_llm.reply_delay(4.0, then=ContentReply(json.dumps(PROPOSAL)))
    fake_llm.reply_json({"narration": "You slip past, quiet as a cat."})
    do = command("do", {"message": "I sneak past the sleeping guard"})

    started = time.monotonic()
    response = await webhook.discord.send(do)
    acked_in = time.monotonic() - started
    assert response.json() == {"type": 5}
    assert acked_in < 3.0, f"the deferral took {acked_in:.2f} s"

    (edit,) = webhook.api.wait_for(1, where=for_token(do), timeout=60)
    assert edit.received_at - started >= 4.0
    assert "You slip past, quiet as a cat." in edit.body["content"]
    assert "offline" not in edit.body["content"]
    assert "Stealth" in edit.body["content"]
    assert len(fake_llm.requests) == 2  # the proposal, then the narration

    metrics = (await webhook.discord.get("/metrics")).text
    # The LLM layer's totals are process-wide: count what this test added.
    assert _llm_requests(metrics) - requests_before == 2
    assert 'adventorator_discord_deferred_seconds_count{command="do"} 1.0' in metrics


def _llm_requests(metrics: str) -> float:
    (line,) = [
        line for line in metrics.splitlines() if line.startswith("adventorator_llm_requests_total ")
    ]
    return float(line.split()[1])
