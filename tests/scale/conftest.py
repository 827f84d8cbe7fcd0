"""Fixtures shared by the scale tests: the Discord harness's key pair and fake API."""

from __future__ import annotations

from tests.discord.conftest import signing_key, start_webhook
from tests.discord.fake_discord import fake_discord

__all__ = ["fake_discord", "signing_key", "start_webhook"]
