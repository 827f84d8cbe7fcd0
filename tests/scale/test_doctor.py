"""`adv doctor` against real databases and a fake LLM on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.fakes.openai_server import FakeLLMServer, free_port
from tests.support import PostgresServer, adv_app


def _doctor(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> Any:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(adv_app(), ["doctor", "--json", *args])
    report = json.loads(result.stdout)
    return result.exit_code, {c["check"]: c for c in report["checks"]}


def test_embedded_default_is_healthy(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, checks = _doctor(monkeypatch, {})
    assert code == 0
    assert checks["database connection"]["status"] == "ok"
    assert checks["migrations"]["status"] == "ok"  # the embedded default upgrades itself
    assert checks["pool sizing"]["status"] == "skip"
    assert checks["llm"]["detail"].startswith("offline")
    # A CLI-only install: nothing to warn about.
    assert checks["discord"]["status"] == "skip"
    assert checks["discord"]["detail"].startswith("not configured (")


def test_postgres_fleet_sizing_warns_past_85_percent(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, postgres_server: PostgresServer
) -> None:
    url = postgres_server.create()
    code, checks = _doctor(monkeypatch, {"DATABASE_URL": url}, "--instances", "1")
    assert checks["pool sizing"]["status"] == "ok"
    assert "1 instance(s) x (5 + 10) = 15" in checks["pool sizing"]["detail"]
    assert checks["migrations"]["status"] == "fail"  # an empty database
    assert code == 2

    code, checks = _doctor(monkeypatch, {"DATABASE_URL": url}, "--instances", "1000")
    assert checks["pool sizing"]["status"] == "warn"
    assert "above 85%" in checks["pool sizing"]["detail"]


def test_unreachable_database_fails_and_skips_what_needs_it(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://root@127.0.0.1:{free_port()}/test"
    code, checks = _doctor(monkeypatch, {"DATABASE_URL": url})
    assert code == 2
    assert checks["database connection"]["status"] == "fail"
    assert checks["migrations"]["status"] == "skip"


def test_llm_reachability(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLMServer
) -> None:
    fake_llm.reply_text("ok")
    env = {
        "ADVENTORATOR_LLM_MODEL": "openai/fake-model",
        "ADVENTORATOR_LLM_API_BASE": fake_llm.base_url,
        "ADVENTORATOR_LLM_API_KEY": "test-key",
    }
    code, checks = _doctor(monkeypatch, env)
    assert checks["llm"]["status"] == "ok"
    assert len(fake_llm.requests) == 1

    env["ADVENTORATOR_LLM_API_BASE"] = f"http://127.0.0.1:{free_port()}/v1"
    env["ADVENTORATOR_LLM_TIMEOUT"] = "2"
    code, checks = _doctor(monkeypatch, env)
    assert code == 2
    assert checks["llm"]["status"] == "fail"


def test_malformed_discord_settings_fail(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"DISCORD_PUBLIC_KEY": "not-hex", "DISCORD_APPLICATION_ID": "abc"}
    code, checks = _doctor(monkeypatch, env)
    assert code == 2
    assert checks["discord"]["status"] == "fail"
    assert "64 hex" in checks["discord"]["detail"]
    assert "must be a number" in checks["discord"]["detail"]


@pytest.mark.parametrize(
    ("env", "status", "detail"),
    [
        ({"DISCORD_APPLICATION_ID": "42"}, "warn", "disabled until DISCORD_PUBLIC_KEY is set"),
        (
            {"DISCORD_APPLICATION_ID": "42", "DISCORD_PUBLIC_KEY": "ab" * 32},
            "ok",
            "DISCORD_BOT_TOKEN is not set (only `adv discord register` needs it)",
        ),
        (
            {
                "DISCORD_APPLICATION_ID": "42",
                "DISCORD_PUBLIC_KEY": "ab" * 32,
                "DISCORD_BOT_TOKEN": "t",
            },
            "ok",
            "application 42; key and token present",
        ),
    ],
)
def test_discord_settings(
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    status: str,
    detail: str,
) -> None:
    """Half a server configuration warns; a server without the bot token is fine."""
    code, checks = _doctor(monkeypatch, env)
    assert code == 0
    assert checks["discord"]["status"] == status
    assert detail in checks["discord"]["detail"]
