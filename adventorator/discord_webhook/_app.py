"""The FastAPI app: ``POST /interactions``, ``GET /healthz`` and ``GET /metrics``.

``create_app`` builds everything per call (no state at import). The lifespan
creates the one shared HTTP client for follow-ups, prunes old interactions
hourly, and on shutdown waits (bounded) for deferred commands to deliver.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from adventorator.app import AppContext
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._discord_api import InteractionAPI, new_client
from adventorator.discord_webhook._dispatch import Dispatcher, Handled
from adventorator.discord_webhook._health import health
from adventorator.discord_webhook._metrics import Metrics
from adventorator.discord_webhook._payload import TYPE_NAMES, BadInteraction
from adventorator.discord_webhook._verify import SignatureVerifier, parse_public_key
from adventorator.errors import AdventoratorError, DatabaseError, PoolExhaustedError

if TYPE_CHECKING:
    from adventorator.llm import LLMClient, LLMStats

log = logging.getLogger("adventorator.discord")

MAX_BODY_BYTES = 64 * 1024
SHUTDOWN_GRACE_S = 10.0
PRUNE_EVERY_S = 3600.0
DATABASE_TROUBLE = "error: the game's database is unavailable right now; try again shortly"
POOL_EXHAUSTED = (
    "error: the server is too busy right now (database connection pool exhausted); "
    "try again shortly"
)


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        media_type="application/json",
    )


class _TooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    """The raw body, refusing more than MAX_BODY_BYTES whatever Content-Length says."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _verifier(app_context: AppContext) -> SignatureVerifier | None:
    """The verifier, or None (every request 401, /healthz says why) when not configured."""
    try:
        key = app_context.settings.discord_public_key
        return SignatureVerifier(parse_public_key(key)) if key else None
    except AdventoratorError as error:
        log.error("cannot verify interactions: %s", error.message)
        return None


async def _listen_for_cache_changes(context: AppContext) -> None:
    """Keep this instance's character cache coherent with the others' (Postgres)."""
    try:
        await context.start_cache_listener()
    except AdventoratorError as error:  # the database is down: /healthz reports it
        log.warning("cache listener not started: %s", error)


def create_app(
    app_context: AppContext | None = None, *, shutdown_grace: float = SHUTDOWN_GRACE_S
) -> FastAPI:
    """The interactions app for ``app_context`` (a new one from the settings if None)."""
    context = app_context if app_context is not None else AppContext()
    verifier = _verifier(context)
    metrics = Metrics(llm_stats=lambda: _llm_stats(context))
    dispatcher = Dispatcher(context, metrics)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # httpx logs request URLs at INFO, and follow-up URLs carry the token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        settings = context.settings
        client = new_client(settings.discord_api_base)
        dispatcher.api = InteractionAPI(client, settings.discord_application_id or "")
        background = [
            asyncio.create_task(_prune_forever(dispatcher)),
            asyncio.create_task(_listen_for_cache_changes(context)),
        ]
        llm = _llm_or_none(context)
        if llm is not None:
            background.append(asyncio.create_task(llm.preload()))
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

    app = FastAPI(
        title="Adventorator Discord interactions",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.post("/interactions")
    async def interactions(request: Request) -> Response:
        started = time.perf_counter()
        with dispatcher.priority.answering():
            status, body, kind, command, outcome = await _interaction(request, verifier, dispatcher)
        metrics.count(kind, command, outcome)
        metrics.ack_seconds.labels(kind).observe(time.perf_counter() - started)
        return _json(status, body)

    @app.get("/healthz")
    async def healthz() -> Response:
        healthy, report = await health(context)
        return _json(200 if healthy else 503, report)

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        pool = None
        with contextlib.suppress(AdventoratorError):
            pool = (await context.database(check_schema=False)).pool_status()
        return Response(metrics.render(pool), media_type=CONTENT_TYPE_LATEST)

    return app


async def _interaction(
    request: Request, verifier: SignatureVerifier | None, dispatcher: Dispatcher
) -> tuple[int, dict[str, Any], str, str, str]:
    """(status, body, type, command, outcome) for one POST /interactions."""
    signature = request.headers.get("x-signature-ed25519")
    timestamp = request.headers.get("x-signature-timestamp")
    if verifier is None or not signature or not timestamp:
        return 401, {"error": "invalid request signature"}, "unknown", "-", "unauthorized"
    try:
        body = await _read_body(request)
    except _TooLarge:
        return 413, {"error": "request body too large"}, "unknown", "-", "too_large"
    if not verifier.verify(signature, timestamp, body):
        return 401, {"error": "invalid request signature"}, "unknown", "-", "unauthorized"
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), int):
            raise ValueError("not an interaction")
    except ValueError:
        return 400, {"error": "malformed interaction"}, "unknown", "-", "bad_request"
    kind = TYPE_NAMES.get(payload["type"], "unknown")
    try:
        handled = await dispatcher.handle(payload["type"], payload)
    except BadInteraction as error:
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
    """Delete old interactions now and every hour (any instance may; deletes are idempotent)."""
    while True:
        try:
            removed = await (await dispatcher.interactions()).prune()
            if removed:
                log.info("pruned %d old interactions", removed)
        except AdventoratorError as error:
            log.warning("cannot prune interactions: %s", error.message)
        await asyncio.sleep(PRUNE_EVERY_S)


def _llm_or_none(context: AppContext) -> LLMClient | None:
    try:
        return context.llm()
    except AdventoratorError:
        return None


def _llm_stats(context: AppContext) -> LLMStats:
    from adventorator.llm import default_stats

    llm = _llm_or_none(context)
    return llm.stats if llm is not None else default_stats
