"""Counting OpenAI-family prompts with tiktoken directly, as litellm's ``token_counter`` does.

For ``openai/<model>`` names and the OpenAI model names tiktoken knows,
litellm counts with tiktoken anyway. Doing the same arithmetic here (3 tokens
per message, 1 per name, 3 to prime the reply, text encoded in 1,024-character
chunks) gives the same counts without importing litellm, so the fast path
never loads it.

tiktoken downloads its encodings on first use. litellm bundles them (that is
how it counts offline): ``TIKTOKEN_CACHE_DIR`` is pointed at that folder,
found without importing litellm, unless the operator set one.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from adventorator.errors import LLMError

if TYPE_CHECKING:
    from tiktoken import Encoding

__all__ = ["count_with_tiktoken", "tiktoken_encoding_name", "upper_bound_with_tiktoken"]

_PREFIX = "openai/"
_PER_MESSAGE = 3
_PER_NAME = 1
_REPLY_PRIMER = 3
# tiktoken's merge loop is quadratic in one piece's length: chunks keep it linear
# (litellm's chunk size, so the counts agree).
_CHUNK = 1024
_FALLBACK = "cl100k_base"  # litellm's encoding for names it does not know


@functools.cache
def tiktoken_encoding_name(model: str) -> str | None:
    """tiktoken's encoding for ``model``, or ``None`` when litellm counts it another way."""
    name = model.removeprefix(_PREFIX)
    try:
        from tiktoken.model import encoding_name_for_model
    except ImportError:
        return None
    try:
        return encoding_name_for_model(name)
    except KeyError:
        # Any openai/<name> (a local server's model) counts as litellm counts it.
        return _FALLBACK if model.startswith(_PREFIX) else None


def count_with_tiktoken(messages: Sequence[Mapping[str, str]], *, encoding_name: str) -> int:
    """Prompt tokens of chat ``messages`` (message overhead and reply primer included)."""
    encoding = _encoding(encoding_name)
    total = _REPLY_PRIMER
    for message in messages:
        total += _PER_MESSAGE
        for key, value in message.items():
            if isinstance(value, str):
                total += _count_text(encoding, value)
                if key == "name":
                    total += _PER_NAME
    return total


def upper_bound_with_tiktoken(messages: Sequence[Mapping[str, str]]) -> int:
    """A bound ``count_with_tiktoken`` never exceeds, computed without loading an encoding.

    tiktoken's encodings are byte-level BPE: every token covers at least one
    byte of UTF-8, so a text takes at most as many tokens as it has bytes.
    The per-message arithmetic is the same as the exact count's.
    """
    total = _REPLY_PRIMER
    for message in messages:
        total += _PER_MESSAGE
        for key, value in message.items():
            if isinstance(value, str):
                total += len(value.encode("utf-8"))
                if key == "name":
                    total += _PER_NAME
    return total


def _count_text(encoding: Encoding, text: str) -> int:
    return sum(
        len(encoding.encode_ordinary(text[start : start + _CHUNK]))
        for start in range(0, len(text), _CHUNK)
    )


@functools.cache
def _encoding(name: str) -> Encoding:
    """The encoding, loaded once (about 0.1-0.3 s: ``LLMClient.preload`` does it off the loop)."""
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        bundled = _bundled_encodings()
        if bundled is not None:
            os.environ["TIKTOKEN_CACHE_DIR"] = str(bundled)
    try:
        import tiktoken
    except ImportError as error:
        raise LLMError("token counting needs tiktoken: pip install 'adventorator[llm]'") from error
    return tiktoken.get_encoding(name)


def _bundled_encodings() -> Path | None:
    """litellm's folder of tiktoken encodings, located without importing litellm."""
    try:
        spec = importlib.util.find_spec("litellm")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return folder if folder.is_dir() else None
