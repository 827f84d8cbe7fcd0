"""``adv serve`` as a real process, and ``adv discord register`` against the fake API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nacl.signing import SigningKey

from adventorator.discord_webhook import application_commands
from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import APPLICATION_ID, Discord, command
from tests.fakes.openai_server import free_port

ADV = Path(sys.executable).parent / "adv"
BOT_TOKEN = "bot-token-for-tests"


@pytest.fixture
def env(isolated_env: Path, signing_key: SigningKey, fake_discord: FakeDiscord) -> dict[str, str]:
    """The process environment for ``adv`` with an isolated SQLite file and the fake API."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ADVENTORATOR_", "DISCORD_")) and key != "DATABASE_URL"
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{isolated_env / 'serve.db'}",
        DISCORD_PUBLIC_KEY=signing_key.verify_key.encode().hex(),
        DISCORD_APPLICATION_ID=APPLICATION_ID,
        DISCORD_API_BASE=fake_discord.base_url,
        XDG_DATA_HOME=str(isolated_env / "xdg-data"),
        XDG_CONFIG_HOME=str(isolated_env / "xdg-config"),
    )
    return environment


def adv(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ADV), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def served(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    assert adv("db", "upgrade", env=env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [str(ADV), "serve", "--port", str(port), "--log-level", "info"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"adv serve did not come up: {process.communicate()[1]}")
            time.sleep(0.1)
        yield process, base_url
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


async def test_adv_serve_answers_and_stops_gracefully(
    served: tuple[subprocess.Popen[str], str], signing_key: SigningKey
) -> None:
    process, base_url = served
    discord = Discord(base_url, signing_key)
    assert (await discord.send({"id": "1", "type": 1, "token": "t"})).json() == {"type": 1}
    roll = await discord.send(command("roll", {"expr": "3d6"}))
    assert roll.json()["type"] == 4
    unsigned = await discord.send(
        command("roll", {"expr": "3d6"}), headers={"X-Signature-Ed25519": "00"}
    )
    assert unsigned.status_code == 401
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=20)
    # uvicorn shuts down (lifespan included), then re-raises the signal as its exit status.
    assert process.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete." in err
    assert "token-" not in err  # interaction tokens are never logged


def test_adv_serve_needs_the_public_key_and_application_id(env: dict[str, str]) -> None:
    del env["DISCORD_PUBLIC_KEY"], env["DISCORD_APPLICATION_ID"]
    done = adv("serve", env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: DISCORD_PUBLIC_KEY and DISCORD_APPLICATION_ID are not set: "
        "the public key and the application id are needed to serve"
    ]
    env["DISCORD_APPLICATION_ID"] = APPLICATION_ID
    env["DISCORD_PUBLIC_KEY"] = "not-a-key"
    done = adv("serve", env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: DISCORD_PUBLIC_KEY must be 64 hex characters (the Ed25519 public key)"
    ]


def test_register_dry_run_needs_no_token(env: dict[str, str]) -> None:
    done = adv("discord", "register", "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == application_commands()


def test_register_without_a_token_fails_clearly(env: dict[str, str]) -> None:
    done = adv("discord", "register", env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: DISCORD_BOT_TOKEN is not set: the bot token and the application id are "
        "needed to register (or use --dry-run)"
    ]


def test_register_puts_the_commands_once_and_waits_out_a_429(
    env: dict[str, str], fake_discord: FakeDiscord
) -> None:
    env["DISCORD_BOT_TOKEN"] = BOT_TOKEN
    fake_discord.reply_rate_limited(0.3)
    done = adv("discord", "register", "--guild", "123456", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Registered 7 commands in guild 123456: /roll, /check, /sheet")
    limited, accepted = fake_discord.requests
    for request in (limited, accepted):
        assert request.method == "PUT"
        assert request.path == f"/api/v10/applications/{APPLICATION_ID}/guilds/123456/commands"
        assert request.headers["authorization"] == f"Bot {BOT_TOKEN}"
        assert request.headers["user-agent"].startswith("DiscordBot (")
        assert request.body == application_commands()
    assert accepted.received_at - limited.received_at >= 0.3
    assert BOT_TOKEN not in done.stdout + done.stderr

    done = adv("discord", "register", env=env)
    assert done.returncode == 0, done.stderr
    assert fake_discord.requests[-1].path == f"/api/v10/applications/{APPLICATION_ID}/commands"

    fake_discord.reply_status(401, {"message": "401: Unauthorized", "code": 0})
    done = adv("discord", "register", env=env)
    assert done.returncode == 2
    assert "401" in done.stderr
    assert BOT_TOKEN not in done.stderr
