"""A fake OpenAI-compatible chat completions server on loopback, for real-HTTP tests.

``FakeLLMServer`` is a stdlib ``ThreadingHTTPServer`` on ``127.0.0.1`` (a free
port) that answers ``POST /v1/chat/completions`` (auth is ignored), records
every request, and replies from a script the test sets::

    fake.reply_json({"narration": "You slip past."})  # content: that JSON, as a string
    fake.reply_text("not json at all")  # content: the raw text
    fake.reply_status(429, retry_after=1)  # an HTTP error, optional Retry-After
    fake.reply_delay(2.0, then=...)  # wait, then `then` (or the default reply)
    fake.reply_close()  # close the connection without a response
    fake.reply(GateReply(20, then=...))  # hold requests until 20 wait at once
    fake.route("narration", reply)  # every request whose response_format is named so

``peak_in_flight`` is the most requests the server was answering at once,
an event count rather than a clock, for concurrency assertions.

Routed replies come first and are never used up, so concurrent calls of
different kinds get the right reply in any order. Otherwise replies are
consumed in order; when the queue is empty the ``default`` reply is used (a
``{"narration": "..."}`` JSON reply unless the test sets another).

As a plugin (``pytest_plugins = ["tests.fakes.openai_server"]``) it provides
the function-scoped fixture ``fake_llm``. Point litellm at it with
``model="openai/fake-model"``, ``api_base=fake_llm.base_url``, ``api_key="test-key"``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = [
    "CloseReply",
    "ContentReply",
    "DelayReply",
    "FakeLLMServer",
    "GateReply",
    "RecordedRequest",
    "Reply",
    "StatusReply",
    "fake_llm",
    "free_port",
]

COMPLETIONS_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class ContentReply:
    """A 200 chat completion whose assistant message content is ``content``."""

    content: str


@dataclass(frozen=True)
class StatusReply:
    """An HTTP error with an OpenAI-style error body and optional Retry-After."""

    status: int
    retry_after: float | str | None = None
    message: str = "fake server error"


@dataclass(frozen=True)
class CloseReply:
    """Close the connection without sending a response."""


@dataclass(frozen=True)
class DelayReply:
    """Wait ``seconds``, then send ``then`` (the server's default reply when ``None``).

    A delay is one reply: it never takes a later reply from the queue, so a
    request the client abandoned cannot eat the script of the next one.
    """

    seconds: float
    then: Reply | None = None


@dataclass(frozen=True)
class GateReply:
    """Hold each request until ``count`` requests wait at this gate at once, then send ``then``.

    Routed, it is shared: once opened it stays open. A request still waiting
    after ``limit`` seconds gets a 504 instead, so a gate that can never open
    fails the test rather than hanging it.
    """

    count: int
    then: Reply | None = None
    limit: float = 30.0


Reply = ContentReply | StatusReply | CloseReply | DelayReply | GateReply


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float = field(compare=False)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of the request body."""
        return list(self.body.get("messages", []))

    @property
    def prompt_text(self) -> str:
        """Every message's content joined by newlines: for ``in`` assertions."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)

    @property
    def schema_name(self) -> str | None:
        """The name of the JSON Schema in ``response_format``, if the request has one."""
        response_format = self.body.get("response_format")
        if not isinstance(response_format, dict):
            return None
        schema = response_format.get("json_schema")
        return str(schema["name"]) if isinstance(schema, dict) and "name" in schema else None


class FakeLLMServer:
    """The server and its script; start with ``start()``, stop with ``stop()``."""

    def __init__(
        self,
        *,
        default: Reply | None = None,
        model: str = "fake-model",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.default: Reply = default or ContentReply(json.dumps({"narration": "Default reply."}))
        self.model = model
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Reply] = deque()
        self._routes: dict[str, Reply] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._gate = threading.Condition(self._lock)
        self._gate_waiting: dict[int, int] = {}  # id(GateReply) -> requests held there
        self._gate_open: set[int] = set()
        self._in_flight = 0
        self.peak_in_flight = 0
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._scheme = "http"
        if tls is not None:  # HTTPS: each accepted connection does its handshake first
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns quickly
            name="fake-llm-server",
            daemon=True,
        )

    # --- script --------------------------------------------------------------------------------

    def reply(self, reply: Reply) -> FakeLLMServer:
        """Queue any reply; returns self so calls chain."""
        with self._lock:
            self._queue.append(reply)
        return self

    def reply_json(self, obj: Any) -> FakeLLMServer:
        """Queue a reply whose content is ``json.dumps(obj)``."""
        return self.reply(ContentReply(json.dumps(obj)))

    def reply_text(self, text: str) -> FakeLLMServer:
        """Queue a reply whose content is ``text`` as is (e.g. garbage)."""
        return self.reply(ContentReply(text))

    def reply_status(
        self, status: int, retry_after: float | str | None = None, message: str = "fake error"
    ) -> FakeLLMServer:
        """Queue an HTTP error reply (429, 500, ...), with a Retry-After header if given."""
        return self.reply(StatusReply(status, retry_after, message))

    def reply_delay(self, seconds: float, then: Reply | None = None) -> FakeLLMServer:
        """Queue a delay; afterwards ``then`` is sent, or else the default reply."""
        return self.reply(DelayReply(seconds, then))

    def reply_close(self) -> FakeLLMServer:
        """Queue a connection close without any response."""
        return self.reply(CloseReply())

    def route(self, schema_name: str, reply: Reply) -> FakeLLMServer:
        """Answer every request whose ``response_format`` schema is named ``schema_name``."""
        with self._lock:
            self._routes[schema_name] = reply
        return self

    def set_default(self, reply: Reply) -> FakeLLMServer:
        """The reply used when the queue is empty."""
        self.default = reply
        return self

    @property
    def pending(self) -> int:
        """How many queued replies are not consumed yet."""
        with self._lock:
            return len(self._queue)

    # --- lifecycle -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, ``http://127.0.0.1:PORT/v1`` (``https`` when serving TLS)."""
        return f"{self._scheme}://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any delayed reply and close open keep-alive connections."""
        self._stopping.set()
        with self._gate:  # release requests held at a gate
            self._gate.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            _shutdown(connection)
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- used by the handler -------------------------------------------------------------------

    def _reply_to(self, request: RecordedRequest) -> Reply:
        with self._lock:
            routed = self._routes.get(request.schema_name or "")
            if routed is not None:
                return routed
            return self._queue.popleft() if self._queue else self.default

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self, *, leaving: bool = False) -> None:
        with self._lock:
            self._in_flight += -1 if leaving else 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def _pass_gate(self, gate: GateReply) -> bool:
        """Wait until ``gate.count`` requests are held here; False when ``gate.limit`` ran out."""
        key = id(gate)
        with self._gate:
            self._gate_waiting[key] = self._gate_waiting.get(key, 0) + 1
            if self._gate_waiting[key] >= gate.count:
                self._gate_open.add(key)
                self._gate.notify_all()
            opened = self._gate.wait_for(
                lambda: key in self._gate_open or self._stopping.is_set(), timeout=gate.limit
            )
            self._gate_waiting[key] -= 1
            return opened and key in self._gate_open

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _completion(self, content: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }


def _shutdown(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver listens with a backlog of 5: a burst of connects would overflow
    # it and wait a second for a SYN retry, timing the fake instead of the client.
    request_queue_size = 1024

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], fake: FakeLLMServer
    ) -> None:
        self.fake = fake
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real server
    disable_nagle_algorithm = True  # else headers and body wait ~40 ms for a delayed ACK
    timeout = 30  # an idle keep-alive connection's thread ends eventually
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.fake._track(self.connection, open_=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log."""

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_unparseable": raw.decode("utf-8", "replace")}
        request = RecordedRequest(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            received_at=time.monotonic(),
        )
        fake._record(request)
        if self.path.rstrip("/") != COMPLETIONS_PATH:
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "fake"}})
            return
        fake._enter()
        try:
            self._send_reply(fake._reply_to(request))
        finally:
            fake._enter(leaving=True)

    def _send_reply(self, reply: Reply) -> None:
        fake = self.server.fake
        if isinstance(reply, DelayReply):
            if fake._stopping.wait(reply.seconds):
                self.close_connection = True
                return
            self._send_reply(reply.then if reply.then is not None else fake.default)
        elif isinstance(reply, GateReply):
            if not fake._pass_gate(reply):
                self._send_reply(StatusReply(504, message="the gate never opened"))
                return
            self._send_reply(reply.then if reply.then is not None else fake.default)
        elif isinstance(reply, ContentReply):
            self._send_json(200, fake._completion(reply.content))
        elif isinstance(reply, StatusReply):
            headers = {}
            if reply.retry_after is not None:
                headers["Retry-After"] = str(reply.retry_after)
            error = {"message": reply.message, "type": "fake_error", "code": str(reply.status)}
            self._send_json(reply.status, {"error": error}, headers)
        else:  # CloseReply
            self.close_connection = True
            _shutdown(self.connection)

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout) before the reply
            self.close_connection = True


def free_port() -> int:
    """A loopback port with nothing listening on it (for connection-refused tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    """A started fake OpenAI-compatible server, stopped after the test."""
    with FakeLLMServer() as server:
        yield server
