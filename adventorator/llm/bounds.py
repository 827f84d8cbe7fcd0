"""Cutting model text to a stored and shown length (stdlib only).

What the model returns is bounded twice: ``max_tokens`` and a character cap
on the reply (``LLMClient``), then each field is cut to what is stored and
shown (``adventorator.limits``) by ``shorten``.
"""

from __future__ import annotations

__all__ = ["ELLIPSIS", "shorten"]

ELLIPSIS = "…"
_WORD_SLACK = 0.2  # give up on a word boundary that would drop more than this share


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits ``limit`` characters, else cut at a word boundary plus ``…``.

    The result never exceeds ``limit``. A text with no space in its last fifth
    (a long URL, a run of one letter) is cut mid-word rather than emptied.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    space = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    if space >= len(head) * (1 - _WORD_SLACK):
        head = head[:space]
    return head.rstrip() + ELLIPSIS
