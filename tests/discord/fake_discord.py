"""A fake Discord API on loopback: records follow-ups and registrations, answers from a script.

``FakeDiscord`` is a stdlib ``ThreadingHTTPServer`` on ``127.0.0.1`` (a free
port). ``base_url`` is what ``DISCORD_API_BASE`` points at. Every request is
recorded (method, path, headers, JSON body). Replies come from a queue the test
fills (``reply_status``, ``reply_rate_limited``); when it is empty, PATCH and
POST answer 200 with a message, DELETE answers 204 and PUT echoes the body.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float = field(compare=False)


@dataclass(frozen=True)
class Scripted:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeDiscord:
    """The fake API server; ``start()`` / ``stop()`` or use it as a context manager."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._queue: deque[Scripted] = deque()
        self._changed = threading.Condition()
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-discord",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/api/v10"

    def start(self) -> FakeDiscord:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # Script -----------------------------------------------------------------

    def reply_status(self, status: int, body: Any = None) -> FakeDiscord:
        self._queue.append(Scripted(status, body if body is not None else {"message": "fake"}))
        return self

    def reply_rate_limited(self, retry_after: Any, *, header: str | None = None) -> FakeDiscord:
        """A 429 whose JSON ``retry_after`` is any JSON value (NaN, a string, 10**400...).

        The ``Retry-After`` header says ``header``, or the same value when None.
        """
        body = {"message": "Rate limited.", "retry_after": retry_after, "global": False}
        sent = str(retry_after) if header is None else header
        self._queue.append(Scripted(429, body, {"Retry-After": sent}))
        return self

    # Inspection -------------------------------------------------------------

    def wait_for(
        self,
        count: int,
        *,
        timeout: float = 15.0,
        where: Callable[[Recorded], bool] = lambda request: True,
    ) -> list[Recorded]:
        """Block until ``count`` matching requests arrived; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [request for request in self.requests if where(request)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"fake Discord got {len(found)} of {count} requests: {found}")
                self._changed.wait(left)

    def matching(self, where: Callable[[Recorded], bool]) -> list[Recorded]:
        with self._changed:
            return [request for request in self.requests if where(request)]

    # Used by the handler ------------------------------------------------------

    def _record(self, request: Recorded) -> Scripted:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()
            if self._queue:
                return self._queue.popleft()
        if request.method == "DELETE":
            return Scripted(204)
        if request.method == "PUT":
            commands = request.body if isinstance(request.body, list) else []
            return Scripted(200, [{"id": str(n), **c} for n, c in enumerate(commands, 1)])
        content = request.body.get("content") if isinstance(request.body, dict) else None
        return Scripted(200, {"id": "900", "content": content})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver listens with a backlog of 5: a burst of connects would overflow
    # it and wait a second for a SYN retry, timing the fake instead of the client.
    request_queue_size = 1024

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeDiscord
    ) -> None:
        self.fake = fake
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"_unparseable": raw.decode("utf-8", "replace")}
        request = Recorded(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            body,
            time.monotonic(),
        )
        reply = self.server.fake._record(request)
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        with contextlib.suppress(OSError):
            self.send_response(reply.status)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if data:
                self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    """A started fake Discord API, stopped after the test."""
    server = FakeDiscord().start()
    try:
        yield server
    finally:
        server.stop()
