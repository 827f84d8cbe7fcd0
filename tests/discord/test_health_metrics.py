"""``/healthz`` reports each check; ``/metrics`` exposes the families, per app."""

from __future__ import annotations

import logging
import sys

import pytest

from adventorator.context import AppContext
from adventorator.discord_webhook import create_app
from tests.discord.harness import command
from tests.discord.support import StartWebhook, Webhook


async def test_healthz_ok(webhook: Webhook) -> None:
    response = await webhook.discord.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "config": {"ok": True, "interactions": "enabled"},
            "database": {"ok": True},
            "migrations": {"ok": True, "state": "current"},
        },
    }


async def test_healthz_fails_on_an_unmigrated_database(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    webhook = await start_webhook(fresh_database_url, migrated=False)
    response = await webhook.discord.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "fail"
    assert report["checks"]["database"] == {"ok": True}
    assert report["checks"]["migrations"]["ok"] is False
    assert "adv db upgrade" in report["checks"]["migrations"]["error"]


async def test_healthz_is_ok_without_discord_keys(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    """Not configured is healthy (a CLI-only or not-yet-set-up server); interactions get 503."""
    webhook = await start_webhook(fresh_database_url, discord_public_key="")
    response = await webhook.discord.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["config"] == {
        "ok": True,
        "interactions": "disabled",
        "detail": "the interactions endpoint is disabled until DISCORD_PUBLIC_KEY is set",
    }
    refused = await webhook.discord.send(command("roll", {"expr": "1d4"}))
    assert refused.status_code == 503
    assert refused.json() == {
        "error": "the interactions endpoint is disabled until DISCORD_PUBLIC_KEY is set"
    }
    metrics = (await webhook.discord.get("/metrics")).text
    counted = (
        'adventorator_discord_interactions_total{command="-",outcome="disabled",type="unknown"}'
    )
    assert f"{counted} 1.0" in metrics


async def test_healthz_fails_on_a_malformed_public_key(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    webhook = await start_webhook(fresh_database_url, discord_public_key="zz" * 32)
    response = await webhook.discord.get("/healthz")
    assert response.status_code == 503
    error = "DISCORD_PUBLIC_KEY must be 64 hex characters (the Ed25519 public key)"
    assert response.json()["checks"]["config"] == {"ok": False, "error": error}
    refused = await webhook.discord.send(command("roll", {"expr": "1d4"}))
    assert refused.status_code == 503
    assert refused.json() == {"error": f"the interactions endpoint is disabled: {error}"}


async def test_healthz_fails_when_the_database_is_unreachable(
    start_webhook: StartWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    """Unauthenticated: it says "database unavailable"; the log names where, once."""
    caplog.set_level(logging.INFO, logger="adventorator")
    url = "postgresql://nobody@127.0.0.1:1/nodatabase"
    webhook = await start_webhook(url, migrated=False, db_connect_timeout=1)
    for _ in range(2):
        response = await webhook.discord.get("/healthz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"] == {"ok": False, "error": "database unavailable"}
        assert checks["migrations"] == {"ok": False, "error": "database unavailable"}
        assert checks["config"] == {"ok": True, "interactions": "enabled"}
        for secret in ("127.0.0.1", ":1", "nobody", "nodatabase", "postgresql"):
            assert secret not in response.text, secret
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("healthz:")]
    assert len(logged) == 1, logged  # once per outage, not once per poll
    assert "127.0.0.1:1" in logged[0]


async def test_metrics_families(webhook: Webhook) -> None:
    await webhook.discord.send({"id": "1", "type": 1, "token": "t"})
    await webhook.discord.send(command("roll", {"expr": "1d6"}))
    await webhook.discord.send(command("roll", {"expr": "1d0"}))
    unsigned = {"X-Signature-Ed25519": ""}
    await webhook.discord.send(command("roll", {"expr": "1d6"}), headers=unsigned)
    response = await webhook.discord.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    counted = "adventorator_discord_interactions_total"
    for labels in (
        'command="-",outcome="ok",type="ping"',
        'command="roll",outcome="ok",type="command"',
        'command="roll",outcome="error",type="command"',
        'command="-",outcome="unauthorized",type="unknown"',
    ):
        assert f"{counted}{{{labels}}} 1.0" in text, labels
    assert 'adventorator_discord_ack_seconds_count{type="command"} 2.0' in text
    for family, kind in (
        ("adventorator_discord_interactions_total", "counter"),
        ("adventorator_discord_ack_seconds", "histogram"),
        ("adventorator_discord_deferred_seconds", "histogram"),
        ("adventorator_discord_followups_total", "counter"),
        ("adventorator_llm_requests_total", "counter"),
        ("adventorator_llm_failures_total", "counter"),
        ("adventorator_llm_latency_seconds", "histogram"),
        ("adventorator_db_pool_size", "gauge"),
        ("adventorator_db_pool_checked_out", "gauge"),
        ("adventorator_db_pool_overflow", "gauge"),
        ("adventorator_db_pool_exhausted_total", "counter"),
    ):
        assert f"# TYPE {family} {kind}\n" in text, family
    assert "\nadventorator_db_pool_size " in text
    if sys.platform == "linux":  # the process collector reads /proc
        assert "# TYPE process_cpu_seconds_total counter\n" in text
        assert "\nprocess_resident_memory_bytes " in text


def test_each_app_has_its_own_registry() -> None:
    """Two apps in one process: no duplicate-metric clash with a global registry."""
    first = create_app(AppContext({"discord_public_key": None}))
    second = create_app(AppContext({"discord_public_key": None}))
    assert first is not second
