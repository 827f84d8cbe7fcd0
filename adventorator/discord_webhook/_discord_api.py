"""Calls to Discord's HTTP API: follow-ups of deferred interactions, and registration.

Follow-ups use the interaction token, which lasts 15 minutes: a 429 is retried
after its ``retry_after``, a 5xx or a network error after an exponential
backoff, as long as the token is still valid. The token is part of the URL, so
only the route template is ever logged, never the URL.

A wait the server asks for is data, not an order: a ``retry_after`` (JSON)
or ``Retry-After`` (header) that is not a finite number of seconds from 0 up
is ignored for the next source (then DEFAULT_RETRY_AFTER_S), and any wait is
clamped to MAX_RETRY_AFTER_S, so NaN, a string or 10**9 can neither crash a
follow-up nor hang ``adv discord register``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from adventorator import __version__
from adventorator.errors import AdventoratorError
from adventorator.text import clean_line

if TYPE_CHECKING:
    from adventorator.discord_webhook._render import File

log = logging.getLogger("adventorator.discord")

USER_AGENT = f"DiscordBot (https://github.com/adventorator, {__version__})"
TOKEN_LIFETIME_S = 15 * 60.0
TOKEN_MARGIN_S = 10.0
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
MAX_ATTEMPTS = 8
MAX_REGISTER_ATTEMPTS = 5
DEFAULT_RETRY_AFTER_S = 1.0
MAX_RETRY_AFTER_S = 30.0
"""The longest wait any 429 gets; Discord's own are seconds (a token lasts 15 minutes)."""
PRIVATE_UNDELIVERED = (
    "The answer is private and could not be delivered privately; please try again."
)
_SECONDS = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")  # a Retry-After header, ASCII only

Sleep = Callable[[float], Awaitable[None]]


class DiscordAPIError(AdventoratorError):
    """Discord refused a request (the message names the status and Discord's reason)."""


def new_client(base_url: str, *, timeout: float = 10.0) -> httpx.AsyncClient:
    """The one HTTP client of a server process (created in the app lifespan)."""
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )


def retry_after(response: httpx.Response) -> float:
    """Seconds to wait after a 429: a valid JSON ``retry_after``, else a valid header, else 1 s.

    Always finite, and between 0 and MAX_RETRY_AFTER_S.
    """
    for wait in (_json_retry_after(response), _header_retry_after(response)):
        if wait is not None:
            return min(wait, MAX_RETRY_AFTER_S)
    return DEFAULT_RETRY_AFTER_S


def _json_retry_after(response: httpx.Response) -> float | None:
    try:
        body = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested beyond the parser
        return None
    value = body.get("retry_after") if isinstance(body, Mapping) else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        wait = float(value)
    except OverflowError:  # an int of hundreds of digits
        return float(MAX_RETRY_AFTER_S)
    return wait if math.isfinite(wait) and wait >= 0 else None


def _header_retry_after(response: httpx.Response) -> float | None:
    header = response.headers.get("Retry-After", "").strip()
    return float(header) if _SECONDS.fullmatch(header) else None


def backoff(attempt: int) -> float:
    return float(min(BACKOFF_FIRST_S * 2 ** (attempt - 1), BACKOFF_MAX_S))


def _reason(response: httpx.Response) -> str:
    """Discord's error code and message, without anything from the request."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return f"HTTP {response.status_code}"
    if isinstance(body, Mapping) and "message" in body:
        code = f" (code {str(body['code'])[:20]})" if "code" in body else ""
        return clean_line(f"HTTP {response.status_code}: {str(body['message'])[:200]}{code}")
    return f"HTTP {response.status_code}"


class InteractionAPI:
    """Follow-ups for one application, over the shared client."""

    def __init__(
        self, client: httpx.AsyncClient, application_id: str, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._client = client
        self._application_id = application_id
        self._sleep = sleep

    async def deliver(
        self,
        token: str,
        data: dict[str, Any],
        *,
        received_at: float,
        files: Sequence[File] = (),
        private_deferral: bool = False,
    ) -> bool:
        """Replace the deferred "thinking…" with ``data``; False when it could not be delivered.

        A message's ephemeral state is fixed when it is created: the deferral's
        flags decide it, and an edit (or a follow-up posted while the deferral
        is still loading, which Discord turns into an edit) cannot change it.
        So an ephemeral result of a public deferral deletes the deferral first
        and is then posted as a new ephemeral follow-up; if the deletion fails
        the result is not posted (it would show publicly), and the deferral
        says why instead. ``private_deferral``: the deferral was ephemeral
        already, so the result simply edits it.
        """
        deadline = received_at + TOKEN_LIFETIME_S - TOKEN_MARGIN_S
        if data.get("flags") and not private_deferral:
            if not await self._send("DELETE", "/messages/@original", None, token, deadline):
                note = {"content": PRIVATE_UNDELIVERED, "allowed_mentions": {"parse": []}}
                await self._send("PATCH", "/messages/@original", note, token, deadline)
                return False
            return await self._send("POST", "", data, token, deadline, files)
        return await self._send("PATCH", "/messages/@original", data, token, deadline, files)

    async def follow_up(self, token: str, data: dict[str, Any], *, received_at: float) -> bool:
        """A new follow-up message (its flags hold: it is created, not edited).

        Only after a component's DEFERRED_UPDATE_MESSAGE or a finished
        response: right after a DEFERRED_CHANNEL_MESSAGE Discord would turn it
        into an edit of the deferral.
        """
        deadline = received_at + TOKEN_LIFETIME_S - TOKEN_MARGIN_S
        return await self._send("POST", "", data, token, deadline)

    async def edit_original(
        self,
        token: str,
        data: dict[str, Any],
        *,
        received_at: float,
        files: Sequence[File] = (),
    ) -> bool:
        """Edit the message that held a component (after a DEFERRED_UPDATE_MESSAGE)."""
        deadline = received_at + TOKEN_LIFETIME_S - TOKEN_MARGIN_S
        return await self._send("PATCH", "/messages/@original", data, token, deadline, files)

    async def _send(
        self,
        method: str,
        suffix: str,
        body: dict[str, Any] | None,
        token: str,
        deadline: float,
        files: Sequence[File] = (),
    ) -> bool:
        """One request, retried; logs name the route, never the URL (it holds the token).

        With ``files`` the body is multipart: ``payload_json`` and one
        ``files[n]`` part per file, as Discord's "Uploading Files" describes.
        """
        path = f"/webhooks/{self._application_id}/{token}{suffix}"
        route = f"{method} /webhooks/<application>/<token>{suffix}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._request(method, path, body, files)
            except httpx.HTTPError as error:
                wait, why = backoff(attempt), f"{type(error).__name__}"
            else:
                if response.is_success:
                    return True
                why = _reason(response)
                if response.status_code == 429:
                    wait = retry_after(response)
                elif response.status_code >= 500:
                    wait = backoff(attempt)
                else:
                    log.warning("%s failed: %s", route, why)
                    return False
            if attempt >= MAX_ATTEMPTS or time.monotonic() + wait > deadline:
                log.warning("%s failed after %d attempts: %s", route, attempt, why)
                return False
            log.info("%s: %s; retry in %.2f s", route, why, wait)
            await self._sleep(wait)

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None, files: Sequence[File]
    ) -> httpx.Response:
        if not files:
            return await self._client.request(method, path, json=body)
        parts = [
            (f"files[{n}]", (file.name, file.data, file.content_type))
            for n, file in enumerate(files)
        ]
        payload = json.dumps(body or {}, separators=(",", ":"), ensure_ascii=False)
        return await self._client.request(method, path, data={"payload_json": payload}, files=parts)


async def register_commands(
    client: httpx.AsyncClient,
    *,
    application_id: str,
    token: str,
    commands: list[dict[str, Any]],
    guild_id: str | None = None,
    sleep: Sleep = asyncio.sleep,
) -> list[dict[str, Any]]:
    """Replace the application's commands (global, or one guild's) in one bulk PUT.

    A 429 waits ``retry_after`` and tries again; any other refusal is a
    DiscordAPIError naming the status and Discord's message.
    """
    path = f"/applications/{application_id}"
    path += f"/guilds/{guild_id}/commands" if guild_id else "/commands"
    headers = {"Authorization": f"Bot {token}"}
    for attempt in range(1, MAX_REGISTER_ATTEMPTS + 1):
        try:
            response = await client.put(path, json=commands, headers=headers)
        except httpx.HTTPError as error:
            raise DiscordAPIError(f"cannot reach Discord: {type(error).__name__}") from None
        if response.status_code == 429 and attempt < MAX_REGISTER_ATTEMPTS:
            wait = retry_after(response)
            log.info("registration rate limited; retry in %.2f s", wait)
            await sleep(wait)
            continue
        if not response.is_success:
            hint = " (check DISCORD_BOT_TOKEN)" if response.status_code in (401, 403) else ""
            raise DiscordAPIError(f"Discord refused the commands: {_reason(response)}{hint}")
        registered = response.json()
        return registered if isinstance(registered, list) else []
    raise DiscordAPIError("Discord kept rate limiting the registration")  # pragma: no cover
