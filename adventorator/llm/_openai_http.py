"""The fast path: OpenAI-compatible endpoints with one plain httpx POST per attempt.

For ``openai/<model>`` with an API base (vLLM, llama.cpp, Ollama's ``/v1``, LM
Studio, gateways), litellm's per-call work (pricing lookups, logging tasks,
request preparation in a thread pool) costs several times the HTTP request
itself, and importing the official ``openai`` SDK costs more CPU than the rest
of ``adv do`` (its package imports every API's types). So the request is what
the SDK's ``post("/chat/completions", cast_to=object)`` sends, over httpx (a
core dependency): the same JSON body, a bearer key (``OPENAI_API_KEY`` when
none is configured, as the SDK reads it), redirects followed, the reply's JSON.

Its failures are raised as the SDK raises them, for ``_failures.classify``:
an HTTP error status as ``StatusError`` (status code, response headers for
``Retry-After``), a transport failure as ``ConnectionFailed`` over httpx's own
error (refused, closed, DNS), httpx's timeouts as they are, no key as
``ClientConfigError`` before any request. One ``httpx.AsyncClient`` per
transport (so per ``LLMClient``) keeps its connections alive between calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

from adventorator.errors import LLMError
from adventorator.llm._failures import ClientConfigError, ConnectionFailed, StatusError
from adventorator.llm._transport import ChatRequest, reply_content

if TYPE_CHECKING:
    import httpx

__all__ = ["OpenAIHTTPTransport", "is_fast_path_model"]

PREFIX = "openai/"
_FIRST_CALL_MODULES = ("h11", "httpcore._async.http11", "anyio._backends._asyncio")
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

    def __init__(self, *, model: str, api_base: str, api_key: str | None) -> None:
        self._model = model.removeprefix(PREFIX)
        self._url = api_base.rstrip("/") + "/chat/completions"
        self._api_key = api_key
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()  # warm() builds it in a worker thread

    def _http(self) -> httpx.AsyncClient:
        """The shared client (its TLS context is built here, once)."""
        with self._lock:
            if self._client is None:
                self._client = _import_httpx().AsyncClient(follow_redirects=True)
            return self._client

    def _headers(self) -> dict[str, str]:
        key = self._api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ClientConfigError(_NO_KEY)
        return {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    async def load(self) -> None:
        """Import httpx in a worker thread the first time."""
        if self._client is None and "httpx" not in sys.modules:
            await asyncio.to_thread(_import_httpx)

    async def warm(self) -> None:
        """Build the client and import what a first request imports lazily."""
        await self.load()
        await asyncio.to_thread(self._http)
        await asyncio.to_thread(_import_first_call_modules)

    async def complete(self, request: ChatRequest, *, request_timeout: float) -> str | None:
        headers = self._headers()
        httpx = _import_httpx()
        try:
            response = await self._http().post(
                self._url,
                json=request.body(self._model),
                headers=headers,
                timeout=request_timeout,
            )
        except httpx.TimeoutException:
            raise  # classified as a timeout by its name
        except httpx.TransportError as error:
            raise ConnectionFailed("connection error") from error
        if response.is_error:
            raise StatusError(response.status_code, response)
        return reply_content(_json_or_none(response))


def _json_or_none(response: httpx.Response) -> Any:
    """The JSON reply; a reply of another type has no content (the SDK returns its text)."""
    if "json" not in response.headers.get("content-type", "application/json"):
        return None
    return response.json()


def _import_httpx() -> ModuleType:
    try:
        import httpx
    except ImportError as error:
        raise LLMError("the LLM fast path needs httpx: pip install httpx") from error
    return httpx


def _import_first_call_modules() -> None:
    """Modules httpx's stack imports lazily during the first request."""
    for name in _FIRST_CALL_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
