"""The fast path: OpenAI-compatible endpoints through the official ``openai`` SDK.

For ``openai/<model>`` with an API base (vLLM, llama.cpp, Ollama's ``/v1``, LM
Studio, gateways), litellm's per-call work (pricing lookups, logging tasks,
request preparation in a thread pool) costs several times the HTTP request
itself. The SDK is already installed as a litellm dependency; its low-level
``post(..., cast_to=object)`` sends the same JSON body and returns the JSON
reply without building response models (``bench/llm_call.py`` measures it
against ``chat.completions.create``, litellm and a plain httpx POST).

Its errors are the ones litellm wraps (``APIStatusError`` with the response
and its headers, ``APITimeoutError``, ``APIConnectionError`` over the
transport's error), so ``_failures.classify`` treats both paths alike.
One ``AsyncOpenAI`` per transport (so per ``LLMClient``) keeps its
connections alive between calls; ``openai`` is imported on first use only.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING

from adventorator.errors import LLMError
from adventorator.llm._transport import ChatRequest, reply_content

if TYPE_CHECKING:
    from openai import AsyncOpenAI

__all__ = ["OpenAITransport", "is_fast_path_model"]

PREFIX = "openai/"
_FIRST_CALL_MODULES = (
    "openai._legacy_response",
    "openai._response",
    "h11",
    "anyio._backends._asyncio",
)


def is_fast_path_model(model: str, api_base: str | None) -> bool:
    """True for ``openai/<model>`` with an API base: what the SDK serves as well as litellm."""
    return model.startswith(PREFIX) and len(model) > len(PREFIX) and bool(api_base)


class OpenAITransport:
    """Every attempt is one ``AsyncOpenAI.post`` with the SDK's own retries off."""

    name = "openai"

    def __init__(self, *, model: str, api_base: str, api_key: str | None) -> None:
        self._model = model.removeprefix(PREFIX)
        self._api_base = api_base
        self._api_key = api_key
        self._client: AsyncOpenAI | None = None
        self._lock = threading.Lock()  # warm() builds it in a worker thread

    def _sdk(self) -> AsyncOpenAI:
        """The shared client; raises the SDK's ``OpenAIError`` when no API key is known."""
        with self._lock:
            if self._client is None:
                # max_retries=0: retries and their deadline are LLMClient's, per turn.
                self._client = _import_openai().AsyncOpenAI(
                    api_key=self._api_key, base_url=self._api_base, max_retries=0
                )
            return self._client

    async def load(self) -> None:
        """Import the SDK (about 0.3 s) in a worker thread the first time."""
        if self._client is None and "openai" not in sys.modules:
            await asyncio.to_thread(_import_openai)

    async def warm(self) -> None:
        """Build the client (TLS context included) and import what a first request does."""
        await self.load()
        try:
            await asyncio.to_thread(self._sdk)
        except Exception:  # no API key: the first call reports it, as litellm's path does
            return
        await asyncio.to_thread(_import_first_call_modules)

    async def complete(self, request: ChatRequest, *, request_timeout: float) -> str | None:
        reply = await self._sdk().post(
            "/chat/completions",
            cast_to=object,
            body=request.body(self._model),
            options={"timeout": request_timeout, "max_retries": 0},
        )
        return reply_content(reply)


def _import_openai() -> ModuleType:
    try:
        import openai
    except ImportError as error:
        raise LLMError(
            "the LLM narrator needs the openai SDK: pip install 'adventorator[llm]'"
        ) from error
    return openai


def _import_first_call_modules() -> None:
    """Modules the SDK and its HTTP stack import lazily during the first request."""
    for name in _FIRST_CALL_MODULES:
        with contextlib.suppress(ImportError):  # another HTTP stack: nothing to warm there
            importlib.import_module(name)
