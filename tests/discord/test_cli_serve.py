"""``adv serve`` as a real process, and ``adv discord register`` against the fake API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from nacl.signing import SigningKey

from adventorator.discord_webhook import application_commands
from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import APPLICATION_ID, Discord, command
from tests.fakes.openai_server import free_port
from tests.processes import ADV, run_adv

BOT_TOKEN = "bot-token-for-tests"
DISABLED = (
    "the interactions endpoint is disabled until DISCORD_PUBLIC_KEY and "
    "DISCORD_APPLICATION_ID are set"
)


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
    return run_adv(*args, env=env, timeout=60)


@dataclass
class Served:
    """One ``adv serve`` process; a thread collects its log (stderr) line by line."""

    process: subprocess.Popen[str]
    base_url: str
    log: list[str]
    reader: threading.Thread

    def stop(self, *, timeout: float = 20) -> str:
        """SIGTERM, wait for the exit, and return the whole log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)
        self.reader.join(timeout=timeout)
        return "".join(self.log)


def start_serve(env: dict[str, str]) -> Served:
    """Start ``adv serve`` and return once uvicorn says it is listening (or fail)."""
    port = free_port()
    process = subprocess.Popen(
        [str(ADV), "serve", "--port", str(port), "--log-level", "info"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    listening = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if "Uvicorn running on" in line:  # logged once the socket is bound
                listening.set()
        listening.set()  # the process ended: stop waiting

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    served = Served(process, f"http://127.0.0.1:{port}", log, reader)
    if not listening.wait(30) or process.poll() is not None:
        process.kill()
        pytest.fail(f"adv serve did not come up: {served.stop()}")
    return served


@pytest.fixture
def serving(env: dict[str, str]) -> Iterator[Callable[[dict[str, str]], Served]]:
    """Start ``adv serve`` (migrated first) with an environment; killed at the end."""
    assert adv("db", "upgrade", env=env).returncode == 0
    started: list[Served] = []

    def start(environment: dict[str, str]) -> Served:
        started.append(start_serve(environment))
        return started[-1]

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.stop()


async def test_adv_serve_answers_and_stops_gracefully(
    serving: Callable[[dict[str, str]], Served], env: dict[str, str], signing_key: SigningKey
) -> None:
    served = serving(env)
    discord = Discord(served.base_url, signing_key)
    assert (await discord.send({"id": "1", "type": 1, "token": "t"})).json() == {"type": 1}
    roll = await discord.send(command("roll", {"expr": "3d6"}))
    assert roll.json()["type"] == 4
    unsigned = await discord.send(
        command("roll", {"expr": "3d6"}), headers={"X-Signature-Ed25519": "00"}
    )
    assert unsigned.status_code == 401
    err = served.stop()
    # uvicorn shuts down (lifespan included), then re-raises the signal as its exit status.
    assert served.process.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete." in err
    assert "token-" not in err  # interaction tokens are never logged
    assert "disabled" not in err


async def test_adv_serve_without_discord_serves_health_and_metrics(
    serving: Callable[[dict[str, str]], Served], env: dict[str, str], signing_key: SigningKey
) -> None:
    """A container without the Discord keys stays up: /healthz 200, /interactions 503."""
    del env["DISCORD_PUBLIC_KEY"], env["DISCORD_APPLICATION_ID"]
    served = serving(env)
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as client:
        health = await client.get("/healthz")
        metrics = await client.get("/metrics")
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "checks": {
            "config": {"ok": True, "interactions": "disabled", "detail": DISABLED},
            "database": {"ok": True},
            "migrations": {"ok": True, "state": "current"},
        },
    }
    assert metrics.status_code == 200
    assert "# TYPE adventorator_discord_interactions_total counter" in metrics.text
    refused = await Discord(served.base_url, signing_key).send(command("roll", {"expr": "1d4"}))
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/json"
    assert refused.json() == {"error": DISABLED}
    log = served.stop()
    assert served.process.returncode in (0, -signal.SIGTERM)
    said = [line for line in log.splitlines() if "interactions endpoint" in line]
    # Our loggers write as uvicorn's do: "WARNING:  ...", not bare lines.
    assert said == [f"WARNING:  {DISABLED}; serving /healthz and /metrics only"], log


def test_adv_serve_refuses_malformed_discord_settings(env: dict[str, str]) -> None:
    """A typo is not "not configured": it stops the server at once."""
    env["DISCORD_PUBLIC_KEY"] = "not-a-key"
    done = adv("serve", env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: DISCORD_PUBLIC_KEY must be 64 hex characters (the Ed25519 public key)"
    ]
    env["DISCORD_PUBLIC_KEY"] = "ab" * 32
    env["DISCORD_APPLICATION_ID"] = "my-app"
    done = adv("serve", env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: DISCORD_APPLICATION_ID must be a number (the application id)"
    ]


@pytest.mark.parametrize("level", ["loud", "warn", ""])
def test_adv_serve_refuses_an_unknown_log_level(env: dict[str, str], level: str) -> None:
    done = adv("serve", "--log-level", level, env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: invalid value for '--log-level': {level!r} is not one of critical, error, "
        "warning, info, debug, trace; see 'adv serve --help'"
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
    names = ", ".join(f"/{command['name']}" for command in application_commands())
    registered = f"Registered {len(application_commands())} commands in guild 123456: {names}"
    assert done.stdout.strip() == registered
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
