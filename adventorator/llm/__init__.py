"""The LLM layer: the only part of Adventorator that imports litellm, and only lazily.

Importing this package is cheap: litellm (about 3 s to import) is loaded on the
first model call or token count, in a worker thread for calls
(``LLMClient.preload`` does it ahead of time).

Public API:

* ``LLMClient`` — ``from_settings(settings)`` (``None`` means offline),
  ``complete_structured(messages, Model, name=...)``, ``complete_text(messages)``;
  every failure is one ``adventorator.errors.LLMError`` with a short cause.
* ``LLMStats``, ``CallRecord``, ``default_stats`` — counters and latency per attempt.
* ``ModelTurn``, ``model_turn()`` — one turn's shared deadline and retries, and
  its first failure (``llm.turn``); ``shorten(text, limit)`` cuts model text.
* ``count_tokens(messages, model=...)`` — prompt tokens, offline.
* ``response_format_for(Model)`` — the JSON schema a structured call sends.
* Prompts: ``summarize_sheet_for_prompt``, ``build_narrator_messages``,
  ``build_narration_messages``, ``build_planner_messages``.
"""

from __future__ import annotations

from adventorator.llm._structured import response_format_for
from adventorator.llm.bounds import shorten
from adventorator.llm.client import RETRY_AFTER_CAP, LLMClient
from adventorator.llm.prompts import (
    MAX_PLAYER_TEXT_CHARS,
    build_narration_messages,
    build_narrator_messages,
    build_planner_messages,
    summarize_sheet_for_prompt,
)
from adventorator.llm.stats import CallRecord, LLMStats, default_stats
from adventorator.llm.tokens import DEFAULT_COUNTING_MODEL, count_tokens
from adventorator.llm.turn import ModelTurn, model_turn

__all__ = [
    "DEFAULT_COUNTING_MODEL",
    "MAX_PLAYER_TEXT_CHARS",
    "RETRY_AFTER_CAP",
    "CallRecord",
    "LLMClient",
    "LLMStats",
    "ModelTurn",
    "build_narration_messages",
    "build_narrator_messages",
    "build_planner_messages",
    "count_tokens",
    "default_stats",
    "model_turn",
    "response_format_for",
    "shorten",
    "summarize_sheet_for_prompt",
]
