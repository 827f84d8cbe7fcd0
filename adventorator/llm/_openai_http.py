"""The fast path: OpenAI-compatible endpoints with one plain aiohttp POST per attempt.

For ``openai/<model>`` with an API base (vLLM, llama.cpp, Ollama's ``/v1``, LM
Studio, gateways), litellm's per-call work (pricing lookups, logging tasks,
request preparation in a thread pool) costs several times the HTTP request
itself, and importing the official ``openai`` SDK costs more CPU than the rest
of ``adv do`` (its package imports every API's types). So the request is what
the SDK's ``post("/chat/completions", cast_to=object)`` sends: the same JSON
body, a bearer key (``OPENAI_API_KEY`` when none is configured, as the SDK reads
it), redirects followed, a proxy from the environment (read once), the reply's JSON.

It is sent with aiohttp (which litellm depends on), not httpx: under a burst of
turns httpcore's pool compares every queued request with every connection on
each request and response (a third of ``adv serve``'s CPU at 300 concurrent
``/do``), where aiohttp's connector queues waiters in O(1). At most
``max_connections`` requests are open at once (``ADVENTORATOR_LLM_MAX_CONNECTIONS``).

Its failures are raised as the SDK raises them, for ``_failures.classify``:
an HTTP error status as ``StatusError`` (status code, response headers for
``Retry-After``), a transport failure as ``ConnectionFailed`` over aiohttp's own
error (refused, closed, DNS), timeouts as they are, no key as
``ClientConfigError`` before any request. One ``aiohttp.ClientSession`` per
transport and event loop keeps its connections alive between calls; ``aclose``
closes it (``AppContext.aclose``).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from adventorator.errors import LLMError
from adventorator.limits import LLM_MAX_CONNECTIONS, LLM_REPLY_BYTES
from adventorator.llm._failures import ClientConfigError, ConnectionFailed, StatusError
from adventorator.llm._transport import ChatRequest, reply_content

if TYPE_CHECKING:
    import aiohttp

__all__ = ["OpenAIHTTPTransport", "ReplyTooLarge", "is_fast_path_model"]

PREFIX = "openai/"
_NO_KEY = (
    "The api_key client option must be set either by passing api_key to the client "
    "or by setting the OPENAI_API_KEY environment variable"
)


def is_fast_path_model(model: str, api_base: str | None) -> bool:
    """True for ``openai/<model>`` with an API base: served by the fast path."""
    return model.startswith(PREFIX) and len(model) > len(PREFIX) and bool(api_base)


class OpenAIHTTPTransport:
    """Every attempt is one POST to ``<api base>/chat/completions``."""

    name = "openai"

    def __init__(
        self,
        *,
        model: str,
        api_base: str,
        api_key: str | None,
        max_connections: int = LLM_MAX_CONNECTIONS,
    ) -> None:
        self._model = model.removeprefix(PREFIX)
        self._url = api_base.rstrip("/") + "/chat/completions"
        self._api_key = api_key
        self._max_connections = max_connections
        self._proxy = _env_proxy(self._url)
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def _http(self) -> aiohttp.ClientSession:
        """This event loop's session (a session cannot move between loops)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            aiohttp = _import_aiohttp()
            connector = aiohttp.TCPConnector(limit=self._max_connections)
            # Not trust_env: that reads ~/.netrc and the proxy variables on every request.
            self._session = aiohttp.ClientSession(connector=connector, proxy=self._proxy)
            self._session_loop = loop
        return self._session

    def _headers(self) -> dict[str, str]:
        key = self._api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ClientConfigError(_NO_KEY)
        return {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    async def load(self) -> None:
        """Import aiohttp in a worker thread the first time."""
        if "aiohttp" not in sys.modules:
            await asyncio.to_thread(_import_aiohttp)

    async def warm(self) -> None:
        """Import aiohttp and build the session (its TLS context comes with the import)."""
        await self.load()
        self._http()

    async def aclose(self) -> None:
        """Close the session and its connections; a later call opens a new one."""
        session, self._session = self._session, None
        if session is not None and not session.closed and self._session_loop is _running_loop():
            await session.close()

    async def complete(self, request: ChatRequest, *, request_timeout: float) -> str | None:
        headers = self._headers()
        aiohttp = _import_aiohttp()
        try:
            async with self._http().post(
                self._url,
                json=request.body(self._model),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=request_timeout),
            ) as response:
                payload = await _bounded_body(response)
        except TimeoutError:
            raise  # classified as a timeout by its name (aiohttp's own subclass it)
        except aiohttp.ClientError as error:
            raise ConnectionFailed("connection error") from error
        if response.status >= 400:
            raise StatusError(response.status, response)
        return reply_content(_json_or_none(response.headers.get("content-type"), payload))


async def _bounded_body(response: aiohttp.ClientResponse) -> bytes:
    """The body, read no further than ``LLM_REPLY_BYTES``: a runaway server costs no memory."""
    if (response.content_length or 0) > LLM_REPLY_BYTES:
        raise _too_large()
    body = bytearray()
    async for chunk in response.content.iter_chunked(65_536):
        body += chunk
        if len(body) > LLM_REPLY_BYTES:
            raise _too_large()
    return bytes(body)


class ReplyTooLarge(LLMError):
    """A reply body over ``LLM_REPLY_BYTES``: invalid output, not worth a retry or a repair."""


def _too_large() -> ReplyTooLarge:
    return ReplyTooLarge(
        f"the model returned invalid output: the reply was over {LLM_REPLY_BYTES:,} bytes"
    )


def _json_or_none(content_type: str | None, payload: bytes) -> Any:
    """The JSON reply; a reply of another type has no content (the SDK returns its text)."""
    if "json" not in (content_type or "application/json"):
        return None
    return json.loads(payload)


def _env_proxy(url: str) -> str | None:
    """The proxy ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` name for ``url``, unless ``NO_PROXY``
    exempts its host: what httpx and the openai SDK read from the environment."""
    import urllib.parse
    import urllib.request  # here: aiohttp's own imports cover it, a bare import of us does not

    parts = urllib.parse.urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.netloc):
        return None
    return proxy


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _import_aiohttp() -> ModuleType:
    try:
        import aiohttp
    except ImportError as error:
        message = "the LLM fast path needs aiohttp: pip install 'adventorator[llm]'"
        raise LLMError(message) from error
    return aiohttp
