"""Follow-ups: retried on 429 and 5xx, marked when they fail, awaited at shutdown.

The waits between retries are asserted as asked of an injected sleep, not
measured on the clock.
"""

from __future__ import annotations

import logging

import pytest

from tests.discord.harness import command, fetch
from tests.discord.helpers import FakeSleep, create_sheet, eventually, for_token
from tests.discord.support import StartWebhook, Webhook


async def test_followup_waits_out_a_429(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    sleep = FakeSleep()
    webhook = await start_webhook(fresh_database_url, app={"sleep": sleep})
    await create_sheet(webhook)
    webhook.api.reply_rate_limited(0.4)
    do = command("do", {"message": "I search the desk"})
    await webhook.discord.send(do)
    limited, delivered = webhook.api.wait_for(2, where=for_token(do))
    assert limited.method == delivered.method == "PATCH"
    assert sleep.waits == [0.4]
    assert delivered.body == limited.body
    assert delivered.headers["user-agent"].startswith(
        "DiscordBot (https://github.com/adventorator, "
    )


async def test_followup_retries_server_errors(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    sleep = FakeSleep()
    webhook = await start_webhook(fresh_database_url, app={"sleep": sleep})
    await create_sheet(webhook)
    webhook.api.reply_status(500).reply_status(503)
    do = command("do", {"message": "I search the desk"})
    await webhook.discord.send(do)
    webhook.api.wait_for(3, where=for_token(do))
    assert sleep.waits == [0.5, 1.0]  # exponential backoff


async def test_failed_delivery_is_logged_and_marked(
    webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await create_sheet(webhook)
    webhook.api.reply_status(404, {"message": "Unknown Webhook", "code": 10015})
    do = command("do", {"message": "I shout for help"})
    await webhook.discord.send(do)
    webhook.api.wait_for(1, where=for_token(do))

    async def all_marked() -> list[tuple[str, str]]:
        rows = await fetch(webhook.database_url, "SELECT role, status FROM transcript_entries")
        return rows if rows and all(status == "delivery_failed" for _, status in rows) else []

    rows = await eventually(all_marked)  # every line of the undelivered turn
    assert {role for role, _ in rows} >= {"player", "narrator"}
    assert "Unknown Webhook" in caplog.text
    assert "not delivered" in caplog.text
    assert do["token"] not in caplog.text  # the token is in the URL: never logged


async def test_shutdown_waits_for_pending_followups(
    webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adventorator")
    await create_sheet(webhook)
    webhook.api.reply_rate_limited(1.0)  # a real wait, under way when the server stops
    do = command("do", {"message": "I wait"})
    await webhook.discord.send(do)
    webhook.api.wait_for(1, where=for_token(do))
    webhook.server.stop()
    requests = webhook.api.matching(for_token(do))
    assert len(requests) == 2  # the retry went out before the server stopped
    assert "cancelled" not in caplog.text  # drained within the grace, nothing cut off
    registry = webhook.server.app.state.metrics.registry
    assert (
        registry.get_sample_value("adventorator_discord_followups_total", {"outcome": "delivered"})
        == 1
    )
