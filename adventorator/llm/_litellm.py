"""Loading litellm: lazily, offline-safe and quiet. The only place that imports it.

``import litellm`` costs about 3 s and 200 MiB and, left to its defaults, fetches a
model cost map and tokenizers from the internet. ``load_litellm`` sets
``LITELLM_LOCAL_MODEL_COST_MAP=true`` and ``LITELLM_OFFLINE_MODE=true`` (with
``setdefault``, so an operator's own value wins) before the first import, then
silences litellm's "Give Feedback" banner. The offline mode only stops litellm's
own downloads (cost map, tokenizers, beta-header lists); calls to the configured
model are unaffected, and token counts fall back to tiktoken for models whose
Hugging Face tokenizer is not bundled.
"""

from __future__ import annotations

import asyncio
import os
import sys
from types import ModuleType

from adventorator.errors import LLMError

__all__ = ["is_loaded", "load_litellm", "load_litellm_async"]

_OFFLINE_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "true", "LITELLM_OFFLINE_MODE": "true"}


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
