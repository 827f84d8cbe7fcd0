"""Fixtures: the webhook under uvicorn, a fake Discord API, a key pair per run.

``pytest_plugins`` may only be declared in the root conftest, so the shared
fixtures are imported here by name (the autouse ``network_guard`` applies to
every test in this directory).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from adventorator.context import AppContext
from tests.discord.fake_discord import FakeDiscord, fake_discord
from tests.discord.harness import APPLICATION_ID, Discord, WebhookServer
from tests.discord.support import StartWebhook, Webhook
from tests.fakes.network_guard import network_guard
from tests.fakes.openai_server import fake_llm
from tests.support import migrate_database

__all__ = ["fake_discord", "fake_llm", "network_guard"]


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    """Discord's side of a key pair made for this run."""
    return SigningKey.generate()


@pytest.fixture
async def start_webhook(
    isolated_env: Path, signing_key: SigningKey, fake_discord: FakeDiscord
) -> AsyncIterator[StartWebhook]:
    """Start a webhook on ``url`` (migrated first unless ``migrated=False``)."""
    running: list[WebhookServer] = []

    async def start(
        url: str,
        *,
        migrated: bool = True,
        shutdown_grace: float = 10.0,
        app: dict[str, Any] | None = None,
        **settings: Any,
    ) -> Webhook:
        """``app`` holds create_app's keywords (body_timeout, sleep); the rest are settings."""
        if migrated:
            await migrate_database(url)
        overrides = {
            "database_url": url,
            "discord_public_key": signing_key.verify_key.encode().hex(),
            "discord_application_id": APPLICATION_ID,
            "discord_api_base": fake_discord.base_url,
            **settings,
        }
        server = WebhookServer(
            AppContext(overrides), shutdown_grace=shutdown_grace, **(app or {})
        ).start()
        running.append(server)
        return Webhook(server, Discord(server.base_url, signing_key), fake_discord, url)

    yield start
    for server in running:
        server.stop()


@pytest.fixture
async def webhook(start_webhook: StartWebhook, fresh_database_url: str) -> Webhook:
    """A webhook on a fresh, migrated database of each backend."""
    return await start_webhook(fresh_database_url)
