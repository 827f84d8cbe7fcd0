"""A fake Discord API on loopback: records follow-ups and registrations, answers from a script.

``FakeDiscord`` is a stdlib ``ThreadingHTTPServer`` on ``127.0.0.1`` (a free
port). ``base_url`` is what ``DISCORD_API_BASE`` points at. Every request is
recorded (method, path, headers, JSON body). A ``multipart/form-data`` body
(Discord's "Uploading Files") is recorded as its ``payload_json`` with its
``files[n]`` parts in ``files``; a file part Discord would refuse (a name
other than ``files[n]``, or no matching ``attachments`` entry) answers 400.
Replies come from a queue the test fills (``reply_status``,
``reply_rate_limited``); when it is empty, PATCH and POST answer 200 with a
message, DELETE answers 204 (404 once the original is gone, as do edits of it)
and PUT echoes the body.

``messages(interaction, response)`` replays what one interaction's token did,
by Discord's documented rules, to the messages a user would see (see there).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import re
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
    files: tuple[Uploaded, ...] = ()


@dataclass(frozen=True)
class Uploaded:
    """One ``files[n]`` part of a multipart request."""

    field: str
    filename: str
    data: bytes


@dataclass
class Message:
    """A message as the user sees it, after every request on the token."""

    content: str
    ephemeral: bool
    files: tuple[str, ...] = ()
    loading: bool = False
    ignored_flags: list[str] = field(default_factory=list)  # flags Discord did not apply


@dataclass(frozen=True)
class Scripted:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeDiscord:
    """The fake API server; ``start()`` / ``stop()`` or use it as a context manager."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._statuses: dict[int, int] = {}  # id(request) -> the status it was answered
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

    def messages(self, interaction: dict[str, Any], response: dict[str, Any]) -> list[Message]:
        """The messages ``interaction`` left, by Discord's documented rules.

        ``response`` is what the webhook answered. The original message is
        created by it, public or ephemeral by its flags (a deferral's too), and
        its ephemeral state never changes: an edit's EPHEMERAL flag is ignored
        (noted in ``ignored_flags``). A follow-up POSTed while a
        DEFERRED_CHANNEL_MESSAGE is still loading edits it instead (its flag
        ignored, as documented); any other follow-up is a new message with its
        own flags. DELETE removes the original. A component's response (6, 7)
        edits the public message that held the button. A refused request
        (not 2xx) changes nothing.
        """
        token = interaction["token"]
        kind, data = response["type"], response.get("data") or {}
        private = bool(int(data.get("flags", 0)) & EPHEMERAL_FLAG)
        original: Message | None = Message(
            str(data.get("content", "")), private, loading=kind in (5, 6)
        )
        shown: list[Message] = []
        for request in self.matching(lambda r: f"/{token}" in r.path):
            if not 200 <= self._statuses.get(id(request), 0) < 300:
                continue  # refused: it changed nothing
            body = request.body if isinstance(request.body, dict) else {}
            flags = bool(int(body.get("flags", 0) or 0) & EPHEMERAL_FLAG)
            names = tuple(f.filename for f in request.files)
            edits = request.path.endswith("/messages/@original") and request.method == "PATCH"
            posts_into_deferral = (
                request.method == "POST" and original is not None and original.loading and kind == 5
            )
            if request.method == "DELETE":
                original = None
            elif (edits or posts_into_deferral) and original is not None:
                if flags != original.ephemeral and "flags" in body:
                    original.ignored_flags.append(f"{request.method} flags={body['flags']}")
                original.content = str(body.get("content", original.content))
                original.files, original.loading = names or original.files, False
            elif request.method == "POST":
                shown.append(Message(str(body.get("content", "")), flags, names))
        return ([original] if original is not None else []) + shown

    # Used by the handler ------------------------------------------------------

    def _record(self, request: Recorded) -> Scripted:
        """Record ``request`` with the status it is answered (both seen at once by waiters)."""
        with self._changed:
            reply = self._queue.popleft() if self._queue else self._default(request)
            self._statuses[id(request)] = reply.status
            self.requests.append(request)
            self._changed.notify_all()
        return reply

    def _default(self, request: Recorded) -> Scripted:
        gone = any(
            r.method == "DELETE"
            and r.path == request.path
            and 200 <= self._statuses.get(id(r), 0) < 300
            for r in self.requests
        )
        if isinstance(request.body, dict) and "_refused" in request.body:
            return Scripted(400, {"message": request.body["_refused"], "code": 50035})
        if gone and request.path.endswith("@original") and request.method in ("PATCH", "DELETE"):
            return Scripted(404, {"message": "Unknown Message", "code": 10008})
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
        kind = self.headers.get("Content-Type", "")
        files: tuple[Uploaded, ...] = ()
        if kind.startswith("multipart/form-data"):
            body, files = _multipart(kind, raw)
        else:
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
            files,
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


EPHEMERAL_FLAG = 1 << 6
_FILE_FIELD = re.compile(r"files\[([0-9]+)\]")


def _multipart(content_type: str, raw: bytes) -> tuple[Any, tuple[Uploaded, ...]]:
    """``payload_json`` (parsed) and the file parts, checked as Discord checks them."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    body: Any = None
    files: list[Uploaded] = []
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "payload_json":
            body = json.loads(data)
        else:
            files.append(Uploaded(str(name), str(part.get_filename() or ""), data))
    body = body if isinstance(body, dict) else {}
    listed = {str(a.get("id")) for a in body.get("attachments", []) if isinstance(a, dict)}
    for file in files:
        matched = _FILE_FIELD.fullmatch(file.field)
        if matched is None or matched[1] not in listed or not file.filename:
            return {**body, "_refused": f"bad file part {file.field!r}"}, tuple(files)
    return body, tuple(files)


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    """A started fake Discord API, stopped after the test."""
    server = FakeDiscord().start()
    try:
        yield server
    finally:
        server.stop()
