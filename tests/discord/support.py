"""Helpers shared by these tests (plain code; the fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import Discord, WebhookServer


@dataclass
class Webhook:
    """A running webhook with everything a test needs around it."""

    server: WebhookServer
    discord: Discord
    api: FakeDiscord
    database_url: str


StartWebhook = Callable[..., Awaitable[Webhook]]
