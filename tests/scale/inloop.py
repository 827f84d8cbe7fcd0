"""``create_app`` under uvicorn as a task of the test's own event loop.

The harness's ``WebhookServer`` runs uvicorn in a thread with its own loop;
here the app shares the test's loop, so the test can use the app's own
``Database`` (hold its connections, read its pool) without crossing loops.
"""

from __future__ import annotations

import asyncio
import socket
from types import TracebackType

import uvicorn

from adventorator.context import AppContext
from adventorator.discord_webhook import create_app


class InLoopServer:
    """``async with InLoopServer(context) as server:`` serves on a free loopback port."""

    def __init__(self, context: AppContext) -> None:
        self.context = context
        config = uvicorn.Config(
            create_app(context), lifespan="on", log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        self._task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> InLoopServer:
        self._task = asyncio.create_task(self.server.serve(sockets=[self._socket]))
        for _ in range(2000):
            if self.server.started:
                return self
            if self._task.done():
                break
            await asyncio.sleep(0.01)
        raise RuntimeError("the webhook server did not start")

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await asyncio.wait_for(self._task, 60)
        self._socket.close()
