"""Loading litellm (lazily, offline-safe and quiet) and calling it: the only place that imports it.

``import litellm`` costs about 3 s and 200 MiB and, left to its defaults, fetches a
model cost map and tokenizers from the internet. ``load_litellm`` sets
``LITELLM_LOCAL_MODEL_COST_MAP=true`` and ``LITELLM_OFFLINE_MODE=true`` (with
``setdefault``, so an operator's own value wins) before the first import, then
silences litellm's "Give Feedback" banner. The offline mode only stops litellm's
own downloads (cost map, tokenizers, beta-header lists); calls to the configured
model are unaffected, and token counts fall back to tiktoken for models whose
Hugging Face tokenizer is not bundled.

``LitellmTransport`` is the adapter for every provider. A model litellm does not
know (``openai/<local>``) is registered at zero cost first: otherwise every call
repeats several failing, uncached pricing lookups whose result is never read.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from types import ModuleType
from typing import Any

from adventorator.errors import LLMError
from adventorator.llm._transport import ChatRequest, reply_content

__all__ = [
    "LitellmTransport",
    "is_loaded",
    "load_litellm",
    "load_litellm_async",
    "register_if_unknown",
]

logger = logging.getLogger("adventorator.llm")
_OFFLINE_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "true", "LITELLM_OFFLINE_MODE": "true"}
_FREE = {
    "mode": "chat",
    "input_cost_per_token": 0.0,
    "output_cost_per_token": 0.0,
    "cache_creation_input_token_cost": 0.0,  # else register_model warns about them
    "cache_read_input_token_cost": 0.0,
}


def is_loaded() -> bool:
    """True once litellm has been imported in this process."""
    return "litellm" in sys.modules


def load_litellm() -> ModuleType:
    """Import litellm (once) with the offline settings; ``LLMError`` if it is not installed."""
    for name, value in _OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
    try:
        import litellm
    except ImportError as error:
        raise LLMError("the LLM narrator needs litellm: pip install 'adventorator[llm]'") from error
    litellm.suppress_debug_info = True
    return litellm


async def load_litellm_async() -> ModuleType:
    """``load_litellm`` without blocking the event loop on the first, slow import."""
    if is_loaded():
        return load_litellm()
    return await asyncio.to_thread(load_litellm)


def register_if_unknown(litellm: ModuleType, model: str) -> bool:
    """Register ``model`` at zero cost when litellm has no entry for it; True if it did."""
    try:
        litellm.get_model_info(model)
        return False
    except Exception:  # litellm raises its own "not mapped" errors, not one class
        pass
    provider = model.split("/", 1)[0] if "/" in model else "openai"
    litellm.register_model({model: {**_FREE, "litellm_provider": provider}})
    return True


class LitellmTransport:
    """Every attempt is one ``litellm.acompletion`` with litellm's own retries off."""

    name = "litellm"

    def __init__(self, *, model: str, api_base: str | None, api_key: str | None) -> None:
        self._model = model
        self._api_base = api_base
        self._api_key = api_key
        self._litellm: ModuleType | None = None

    def _loaded(self) -> ModuleType:
        if self._litellm is None:
            litellm = load_litellm()
            register_if_unknown(litellm, self._model)
            self._litellm = litellm
        return self._litellm

    async def load(self) -> None:
        """Import litellm and register the model, in a worker thread the first time."""
        if self._litellm is None:
            await asyncio.to_thread(self._loaded)

    async def warm(self) -> None:
        """Also run one mocked call in a worker thread: litellm's first call builds its
        response types and imports dozens of modules (about 80 ms of CPU) on the loop."""
        await self.load()
        await asyncio.to_thread(self._mock_call)

    async def aclose(self) -> None:
        """Nothing to close: litellm keeps its own clients for the process."""

    def _mock_call(self) -> None:
        try:  # no request is sent: mock_response answers inside litellm
            self._loaded().completion(
                model=self._model,
                messages=[{"role": "user", "content": "-"}],
                api_base=self._api_base,
                api_key="warm-up",
                mock_response="{}",
                max_tokens=1,
            )
        except Exception:  # warming is best effort: the real first call reports real errors
            logger.debug("litellm warm-up call failed", exc_info=True)

    async def complete(self, request: ChatRequest, *, request_timeout: float) -> str | None:
        litellm = self._loaded()
        extra: dict[str, Any] = {}
        if request.response_format is not None:
            extra["response_format"] = request.response_format
        response = await litellm.acompletion(
            model=self._model,
            messages=request.messages,
            api_base=self._api_base,
            api_key=self._api_key,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            timeout=request_timeout,
            num_retries=0,
            max_retries=0,
            drop_params=True,
            **extra,
        )
        return reply_content(response)
