"""Counting prompt tokens with litellm's ``token_counter`` (imported lazily).

Counting works offline: OpenAI, Anthropic, Gemini and Ollama model names use
bundled tiktoken encodings, and with ``LITELLM_OFFLINE_MODE`` (set by
``load_litellm``) other names fall back to tiktoken instead of downloading a
tokenizer. Counts for non-OpenAI models are therefore estimates, good enough
for a prompt budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adventorator.llm._litellm import load_litellm

__all__ = ["DEFAULT_COUNTING_MODEL", "count_tokens"]

DEFAULT_COUNTING_MODEL = "gpt-4o-mini"
"""The tokenizer used when no model is configured."""


def count_tokens(messages: Sequence[Mapping[str, str]], *, model: str | None) -> int:
    """Tokens the chat ``messages`` take in ``model``'s prompt (message overhead included).

    The first call imports litellm (about 3 s); see ``LLMClient.preload``.
    """
    litellm = load_litellm()
    counted = litellm.token_counter(
        model=model or DEFAULT_COUNTING_MODEL,
        messages=[dict(message) for message in messages],
    )
    return int(counted)
