"""The FastAPI app: ``POST /interactions``, ``GET /healthz`` and ``GET /metrics``.

``create_app`` builds everything per call (no state at import). The lifespan
creates the one shared HTTP client for follow-ups, prunes old interactions
hourly, and on shutdown waits (bounded) for deferred commands to deliver.

Anyone can open a connection, so until a request is verified it is held to
``MAX_BODY_BYTES`` read within ``BODY_READ_TIMEOUT_S`` (then 408 and the
connection closed), and it does not count as an interaction being answered
(``AckFirst``): only verified ones hold deferred work back.
``app.state.priority`` and ``app.state.metrics`` are public for tests and probes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import ClientDisconnect

from adventorator.context import AppContext
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._discord_api import InteractionAPI, Sleep, new_client
from adventorator.discord_webhook._dispatch import Dispatcher, Handled
from adventorator.discord_webhook._health import HealthCheck, discord_settings
from adventorator.discord_webhook._metrics import Metrics
from adventorator.discord_webhook._payload import TYPE_NAMES, BadInteraction, parse_payload
from adventorator.discord_webhook._verify import SignatureVerifier, parse_public_key
from adventorator.errors import AdventoratorError, DatabaseError, PoolExhaustedError

if TYPE_CHECKING:
    from adventorator.llm import LLMClient, LLMStats
    from adventorator.services.health import DiscordCheck

log = logging.getLogger("adventorator.discord")

MAX_BODY_BYTES = 64 * 1024
BODY_READ_TIMEOUT_S = 3.0
"""Seconds to read a body in; Discord gives up on an answer after 3 s anyway."""
SHUTDOWN_GRACE_S = 10.0
PRUNE_EVERY_S = 3600.0
DATABASE_TROUBLE = "error: the game's database is unavailable right now; try again shortly"
POOL_EXHAUSTED = (
    "error: the server is too busy right now (database connection pool exhausted); "
    "try again shortly"
)


_LENGTH = re.compile(r"[0-9]{1,12}")
_UNAUTHORIZED = {"error": "invalid request signature"}

# (status, body, type, command, outcome) of one POST /interactions
Outcome = tuple[int, dict[str, Any], str, str, str]


def _json(status: int, body: dict[str, Any], *, close: bool = False) -> Response:
    # "Connection: close" makes uvicorn drop a connection whose body was left unread.
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        media_type="application/json",
        headers={"Connection": "close"} if close else None,
    )


class _Refused(Exception):
    """A body that is not read to the end: too large, too slow, or abandoned."""

    def __init__(self, status: int, error: str, outcome: str) -> None:
        super().__init__(error)
        self.outcome: Outcome = (status, {"error": error}, "unknown", "-", outcome)


async def _read_body(request: Request, within: float) -> bytes:
    """The raw body: at most MAX_BODY_BYTES (whatever Content-Length says), in ``within`` s."""
    declared = request.headers.get("content-length")
    too_large = _Refused(413, "request body too large", "too_large")
    if declared is not None and (not _LENGTH.fullmatch(declared) or int(declared) > MAX_BODY_BYTES):
        raise too_large
    chunks, size = [], 0
    try:
        async with asyncio.timeout(within):  # the whole body, so dribbling cannot reset it
            async for chunk in request.stream():
                size += len(chunk)
                # Past the limit the rest is read and dropped: closing on unread
                # data would reset the connection before the client sees the 413.
                if size <= MAX_BODY_BYTES:
                    chunks.append(chunk)
    except TimeoutError:
        raise _Refused(408, "request body not received in time", "timeout") from None
    except ClientDisconnect:
        raise _Refused(400, "request body incomplete", "disconnected") from None
    if size > MAX_BODY_BYTES:
        raise too_large
    return b"".join(chunks)


def _verifier(context: AppContext, discord: DiscordCheck) -> SignatureVerifier | None:
    """The verifier, or None when the keys are missing or malformed (every request 503)."""
    if not discord.serving:
        return None
    return SignatureVerifier(parse_public_key(context.settings.discord_public_key or ""))


async def _listen_for_cache_changes(context: AppContext) -> None:
    """Keep this instance's character cache coherent with the others' (Postgres)."""
    try:
        await context.start_cache_listener()
    except AdventoratorError as error:  # the database is down: /healthz reports it
        log.warning("cache listener not started: %s", error)


def create_app(
    app_context: AppContext | None = None,
    *,
    shutdown_grace: float = SHUTDOWN_GRACE_S,
    body_timeout: float = BODY_READ_TIMEOUT_S,
    sleep: Sleep = asyncio.sleep,
) -> FastAPI:
    """The interactions app for ``app_context`` (a new one from the settings if None).

    ``sleep`` is how follow-ups wait before a retry (a test passes one that returns at once).
    """
    context = app_context if app_context is not None else AppContext()
    discord = discord_settings(context)
    verifier = _verifier(context, discord)
    metrics = Metrics(llm_stats=lambda: _llm_stats(context))
    dispatcher = Dispatcher(context, metrics)
    health = HealthCheck(context, discord)

    app = FastAPI(
        title="Adventorator Discord interactions",
        lifespan=_lifespan(context, dispatcher, verifier, discord, sleep, shutdown_grace),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    app.state.priority = dispatcher.priority
    app.state.metrics = metrics

    app.post("/interactions")(_interactions(verifier, discord, metrics, dispatcher, body_timeout))

    @app.get("/healthz")
    async def healthz() -> Response:
        healthy, report = await health()
        return _json(200 if healthy else 503, report)

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        pool = None
        with contextlib.suppress(AdventoratorError):
            pool = (await context.database(check_schema=False)).pool_status()
        return Response(metrics.render(pool), media_type=CONTENT_TYPE_LATEST)

    return app


def _lifespan(
    context: AppContext,
    dispatcher: Dispatcher,
    verifier: SignatureVerifier | None,
    discord: DiscordCheck,
    sleep: Sleep,
    shutdown_grace: float,
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """Start-up and shut-down: the Discord client, background tasks, a drain on exit."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # httpx logs request URLs at INFO, and follow-up URLs carry the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        if verifier is None:  # one line at start-up; /healthz and the 503s repeat it
            log.warning("%s; serving /healthz and /metrics only", discord.disabled_reason())
        settings = context.settings
        client = new_client(settings.discord_api_base)
        dispatcher.api = InteractionAPI(client, settings.discord_application_id or "", sleep=sleep)
        background = [
            asyncio.create_task(_prune_forever(dispatcher)),
            asyncio.create_task(_listen_for_cache_changes(context)),
        ]
        llm = _llm_or_none(context)
        if llm is not None:
            background.append(asyncio.create_task(_preload_then_freeze(llm)))
        _freeze_the_heap()
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await dispatcher.drain(shutdown_grace)
            await client.aclose()
            dispatcher.api = None
            await context.aclose()
            dispatcher.forget_database()

    return lifespan


def _interactions(
    verifier: SignatureVerifier | None,
    discord: DiscordCheck,
    metrics: Metrics,
    dispatcher: Dispatcher,
    body_timeout: float,
) -> Callable[[Request], Awaitable[Response]]:
    """The POST /interactions endpoint: verify, answer, count."""

    async def interactions(request: Request) -> Response:
        if verifier is None:  # not configured: say so instead of refusing every signature
            metrics.count("unknown", "-", "disabled")
            return _json(503, {"error": discord.disabled_reason()}, close=True)
        started = time.perf_counter()
        try:
            with metrics.bodies_reading.track_inprogress():
                body = await _verified_body(request, verifier, body_timeout)
        except _Refused as refused:
            status, error, kind, command, outcome = refused.outcome
            metrics.count(kind, command, outcome)
            return _json(status, error, close=status != 401)
        with dispatcher.priority.answering():  # verified: it now goes before deferred work
            status, answer, kind, command, outcome = await _interaction(body, dispatcher)
        metrics.count(kind, command, outcome)
        metrics.ack_seconds.labels(kind).observe(time.perf_counter() - started)
        return _json(status, answer)

    return interactions


async def _verified_body(
    request: Request, verifier: SignatureVerifier, read_within: float
) -> bytes:
    """The body of a request signed by Discord; _Refused (401, 408, 413...) otherwise."""
    signature = request.headers.get("x-signature-ed25519")
    timestamp = request.headers.get("x-signature-timestamp")
    unauthorized = _Refused(401, _UNAUTHORIZED["error"], "unauthorized")
    if not signature or not timestamp:
        raise unauthorized
    body = await _read_body(request, read_within)
    if not verifier.verify(signature, timestamp, body):
        raise unauthorized
    return body


async def _interaction(body: bytes, dispatcher: Dispatcher) -> Outcome:
    """(status, body, type, command, outcome) for one verified POST /interactions."""
    kind = "unknown"
    try:
        payload = parse_payload(body)
        kind = TYPE_NAMES[payload["type"]]
        handled = await dispatcher.handle(payload["type"], payload)
    except BadInteraction as error:
        log.info("refused a malformed %s interaction: %s", kind, error)  # one line, no echo
        return 400, {"error": str(error)}, kind, "-", "bad_request"
    except DatabaseError as error:
        log.error("interaction %s: %s", payload.get("id"), error.message)
        trouble = DATABASE_TROUBLE
        if isinstance(error, PoolExhaustedError):
            dispatcher.metrics.pool_exhausted.inc()
            trouble = POOL_EXHAUSTED
        handled = Handled(render.respond(render.notice(trouble)), outcome="error")
    except AdventoratorError as error:
        handled = Handled(render.respond(render.error_message(error)), outcome="error")
    return 200, handled.response, kind, handled.command, handled.outcome


async def _prune_forever(dispatcher: Dispatcher) -> None:
    """Delete old interactions now and every hour (any instance may; deletes are idempotent).

    Each run is counted (``adventorator_discord_prunes_total``) once it is over,
    which also tells a test that the startup prune's statements are done.
    """
    while True:
        outcome = "ok"
        try:
            removed = await (await dispatcher.interactions()).prune()
            if removed:
                log.info("pruned %d old interactions", removed)
        except AdventoratorError as error:
            outcome = "failed"
            log.warning("cannot prune interactions: %s", error.message)
        dispatcher.metrics.prunes.labels(outcome).inc()
        await asyncio.sleep(PRUNE_EVERY_S)


def _freeze_the_heap() -> None:
    """Leave what start-up built (modules, the registry, SRD data: ~100,000 objects) out of
    every later garbage collection.

    A full collection otherwise walks all of it every few thousand requests and holds the
    event loop about 60 ms, which every interaction in flight waits out: that was the p99 of
    ``bench/webhook.py`` (the longest request 62 ms in the app, 5.7 ms with collection off).
    """
    gc.freeze()


async def _preload_then_freeze(llm: LLMClient) -> None:
    await llm.preload()
    _freeze_the_heap()  # the model client's imports too


def _llm_or_none(context: AppContext) -> LLMClient | None:
    try:
        return context.llm()
    except AdventoratorError:
        return None


def _llm_stats(context: AppContext) -> LLMStats:
    from adventorator.llm import default_stats

    llm = _llm_or_none(context)
    return llm.stats if llm is not None else default_stats
