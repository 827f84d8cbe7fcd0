"""Small helpers shared by the Discord tests."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.discord.fake_discord import Recorded
from tests.discord.harness import command
from tests.discord.support import Webhook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EPHEMERAL = 64
T = TypeVar("T")


def sheet_json(name: str = "rogue") -> str:
    return (EXAMPLES / f"{name}.json").read_text(encoding="utf-8")


async def create_sheet(webhook: Webhook, name: str = "rogue", **where: Any) -> dict[str, Any]:
    response = await webhook.discord.send(
        command("sheet", {"json": sheet_json(name)}, sub="create", **where)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["data"]["content"].startswith("Saved "), body
    return body


async def eventually(
    check: Callable[[], Awaitable[T]], *, within: float = 15.0, interval: float = 0.05
) -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {within} s (last value {value!r})")
        await asyncio.sleep(interval)


class FakeSleep:
    """A sleep to pass in: records every wait and returns at once.

    As strict as uvloop's (the loop of ``adv serve``): NaN, infinity or a
    negative delay raise ValueError, as the real loop would.
    """

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"invalid delay {seconds!r}")


async def startup_prune_done(webhook: Webhook) -> None:
    """Wait until the lifespan's first prune of old interactions ran (its statements are done)."""

    async def pruned() -> bool:
        metrics = (await webhook.discord.get("/metrics")).text
        return 'adventorator_discord_prunes_total{outcome="ok"} 1.0' in metrics

    await eventually(pruned)


def for_token(interaction: dict[str, Any]) -> Callable[[Recorded], bool]:
    """Matches the fake Discord requests made with this interaction's token."""
    token = interaction["token"]
    return lambda request: f"/{token}" in request.path


def content(body: dict[str, Any]) -> str:
    return str(body["data"]["content"])
