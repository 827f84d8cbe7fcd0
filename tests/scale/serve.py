"""``adv serve`` as a real subprocess on loopback, for the multi-instance tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.fakes.openai_server import free_port
from tests.processes import ADV


def serve_env(base: dict[str, str], **extra: str) -> dict[str, str]:
    """This process's environment without Adventorator/Discord settings, plus ``base``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ADVENTORATOR_", "DISCORD_")) and key != "DATABASE_URL"
    }
    environment.update(base)
    environment.update(extra)
    return environment


class AdvServe:
    """One ``adv serve`` process on a free loopback port; ``stop()`` ends it."""

    def __init__(self, env: dict[str, str], *, workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [str(ADV), "serve", "--port", str(self.port), "--workers", str(workers)]
        self.process = subprocess.Popen(
            [*command, "--log-level", "warning"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output = ""

    def wait_healthy(self, within: float = 30.0) -> AdvServe:
        """Block until GET /healthz answers 200; fail the test if the process dies."""
        deadline = time.monotonic() + within
        while True:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"adv serve did not become healthy: {self.output}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.output, _ = self.process.communicate(timeout=20)
                return
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.output = self.process.communicate()[0] or ""
