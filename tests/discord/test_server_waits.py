"""Waits a server asks for are validated and bounded: NaN, negative, inf, huge, a string.

A fake sleep is passed in (to the app and to ``register_commands``): it
records each wait and returns at once, and it refuses what uvloop's would
(NaN, infinity, a negative delay) by raising, as the real loop of ``adv
serve`` does. Tests assert on the waits asked for, the attempts the fake
Discord saw, and the transcript status of a turn that was never delivered.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from adventorator.discord_webhook import (
    DEFAULT_RETRY_AFTER_S,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER_S,
    application_commands,
    register_commands,
)
from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import APPLICATION_ID, command, fetch
from tests.discord.helpers import FakeSleep, create_sheet, eventually, for_token
from tests.discord.support import StartWebhook

HUGE = 10**400  # JSON can say it; float() cannot hold it


# (JSON retry_after, Retry-After header or None for the same, the wait expected)
CASES: list[tuple[Any, str | None, float]] = [
    (float("nan"), None, DEFAULT_RETRY_AFTER_S),
    (-5, None, DEFAULT_RETRY_AFTER_S),
    (float("inf"), None, DEFAULT_RETRY_AFTER_S),
    (1e9, None, MAX_RETRY_AFTER_S),
    (HUGE, None, MAX_RETRY_AFTER_S),
    ("soon", None, DEFAULT_RETRY_AFTER_S),
    (True, "2.5", 2.5),  # a JSON boolean is not seconds; the header is
    (None, "1e3", DEFAULT_RETRY_AFTER_S),  # float() takes it; a header of seconds is digits
    (None, "Wed, 21 Oct 2015 07:28:00 GMT", DEFAULT_RETRY_AFTER_S),  # a date: Discord never
    (0.25, "7", 0.25),  # a valid JSON value wins over the header
]


async def test_a_followup_that_is_rate_limited_with_nan_is_retried_then_marked(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    sleep = FakeSleep()
    webhook = await start_webhook(fresh_database_url, app={"sleep": sleep})
    await create_sheet(webhook)
    for _ in range(MAX_ATTEMPTS):
        webhook.api.reply_rate_limited(float("nan"))
    do = command("do", {"message": "I shout for help"})
    assert (await webhook.discord.send(do)).json() == {"type": 5}

    async def marked() -> list[tuple[str, str]]:
        rows = await fetch(webhook.database_url, "SELECT role, status FROM transcript_entries")
        return rows if rows and all(status == "delivery_failed" for _, status in rows) else []

    rows = await eventually(marked)
    assert {role for role, _ in rows} >= {"player", "narrator"}
    assert len(webhook.api.matching(for_token(do))) == MAX_ATTEMPTS
    assert sleep.waits == [DEFAULT_RETRY_AFTER_S] * (MAX_ATTEMPTS - 1)
    metrics = (await webhook.discord.get("/metrics")).text
    assert 'adventorator_discord_followups_total{outcome="failed"} 1.0' in metrics


async def test_every_server_supplied_wait_is_validated_and_clamped(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    sleep = FakeSleep()
    webhook = await start_webhook(fresh_database_url, app={"sleep": sleep})
    await create_sheet(webhook)
    for retry_after, header, expected in CASES:
        webhook.api.reply_rate_limited(retry_after, header=header)
        do = command("do", {"message": "I search the desk"})
        await webhook.discord.send(do)
        limited, delivered = webhook.api.wait_for(2, where=for_token(do))
        assert (limited.method, delivered.method) == ("PATCH", "PATCH")
        assert sleep.waits[-1] == expected, (retry_after, header, sleep.waits)
    assert len(sleep.waits) == len(CASES)
    rows = await fetch(webhook.database_url, "SELECT DISTINCT status FROM transcript_entries")
    assert rows == [("ok",)]


@pytest.mark.parametrize(("retry_after", "header", "expected"), CASES)
async def test_registration_waits_are_validated_and_clamped(
    fake_discord: FakeDiscord, retry_after: Any, header: str | None, expected: float
) -> None:
    sleep = FakeSleep()
    fake_discord.reply_rate_limited(retry_after, header=header)
    async with httpx.AsyncClient(base_url=fake_discord.base_url) as client:
        registered = await register_commands(
            client,
            application_id=APPLICATION_ID,
            token="bot-token",
            commands=application_commands(),
            sleep=sleep,
        )
    assert len(registered) == len(application_commands())
    assert len(fake_discord.requests) == 2
    assert sleep.waits == [expected]
