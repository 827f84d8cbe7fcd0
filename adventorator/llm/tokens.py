"""Counting prompt tokens: tiktoken for OpenAI-family names, litellm's ``token_counter`` otherwise.

``openai/<model>`` (every fast-path model) and the OpenAI names tiktoken knows
are counted by ``_tiktoken`` with litellm's own arithmetic, so litellm is not
imported for them. Other providers' names go through litellm (imported lazily),
which works offline: Anthropic, Gemini and Ollama names use bundled encodings,
and with ``LITELLM_OFFLINE_MODE`` (set by ``load_litellm``) other names fall
back to tiktoken instead of downloading a tokenizer. Counts for non-OpenAI
models are therefore estimates, good enough for a prompt budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adventorator.llm._litellm import load_litellm
from adventorator.llm._tiktoken import (
    count_with_tiktoken,
    tiktoken_encoding_name,
    upper_bound_with_tiktoken,
)

__all__ = ["DEFAULT_COUNTING_MODEL", "count_tokens", "token_upper_bound"]

DEFAULT_COUNTING_MODEL = "gpt-4o-mini"
"""The tokenizer used when no model is configured."""


def count_tokens(messages: Sequence[Mapping[str, str]], *, model: str | None) -> int:
    """Tokens the chat ``messages`` take in ``model``'s prompt (message overhead included).

    The first call loads an encoding (and, for non-OpenAI names, imports
    litellm: about 3 s); see ``LLMClient.preload``.
    """
    name = model or DEFAULT_COUNTING_MODEL
    encoding = tiktoken_encoding_name(name)
    if encoding is not None:
        return count_with_tiktoken(messages, encoding_name=encoding)
    litellm = load_litellm()
    counted = litellm.token_counter(model=name, messages=[dict(m) for m in messages])
    return int(counted)


def token_upper_bound(messages: Sequence[Mapping[str, str]], *, model: str | None) -> int | None:
    """A cheap bound ``count_tokens`` never exceeds (no encoding loaded), or ``None``.

    Known only where tiktoken counts (its byte-level encodings: at most one
    token per UTF-8 byte); ``None`` for names litellm counts.
    """
    if tiktoken_encoding_name(model or DEFAULT_COUNTING_MODEL) is None:
        return None
    return upper_bound_with_tiktoken(messages)
