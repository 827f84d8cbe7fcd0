"""Fitting optional prompt lines into a token budget.

Used by the prompt builders: the required messages are counted once, each
optional line's cost is estimated on its own, lines are taken in priority
order until the next one does not fit, and the assembled prompt is counted
again (token counts are not exactly additive) and trimmed until it fits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from adventorator.llm.tokens import count_tokens, token_upper_bound

__all__ = ["fit_lines"]

Messages = list[dict[str, str]]


def fit_lines(
    candidates: Sequence[str],
    *,
    assemble: Callable[[list[str]], Messages],
    budget: int,
    model: str | None,
) -> tuple[list[str], Messages]:
    """The longest prefix of ``candidates`` (in priority order) whose prompt fits ``budget``.

    ``assemble(kept)`` builds the whole prompt from the kept lines (in priority
    order; it may reorder them). With no lines kept the prompt is returned even
    when it is over budget: what ``assemble([])`` builds always stays.
    Returns the kept lines and the prompt.
    """
    if candidates and _all_fit_by_bound(candidates, assemble=assemble, budget=budget, model=model):
        return list(candidates), assemble(list(candidates))
    messages = assemble([])
    if not candidates:
        return [], messages
    used = count_tokens(messages, model=model)
    kept: list[str] = []
    # The first kept line also adds whatever frame assemble() puts around the lines.
    frame = count_tokens(assemble([""]), model=model) - used
    used += frame
    for line in candidates:
        cost = _line_cost(line, model)
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    messages = assemble(kept)
    while kept and count_tokens(messages, model=model) > budget:
        kept.pop()  # the lowest-priority line goes first
        messages = assemble(kept)
    return kept, messages


def _all_fit_by_bound(
    candidates: Sequence[str],
    *,
    assemble: Callable[[list[str]], Messages],
    budget: int,
    model: str | None,
) -> bool:
    """True when upper bounds alone show the exact count below would keep every line.

    The exact pass keeps all lines when its running sum (the framed prompt's
    count plus each line's cost, which is the tokens of ``line + "\\n"``) and the
    whole prompt's count stay within ``budget``; bounding each of them is enough,
    and a small prompt far below its budget then never loads an encoding.
    """
    whole = token_upper_bound(assemble(list(candidates)), model=model)
    framed = token_upper_bound(assemble([""]), model=model)
    if whole is None or framed is None:
        return False
    lines = sum(len(line.encode("utf-8")) + 1 for line in candidates)
    return framed + lines <= budget and whole <= budget


@functools.lru_cache(maxsize=4096)
def _line_cost(line: str, model: str | None) -> int:
    """Tokens one line adds to a prompt. Cached: every turn re-reads the scene's recent lines."""
    alone = count_tokens([{"role": "user", "content": line + "\n"}], model=model)
    return alone - count_tokens([{"role": "user", "content": ""}], model=model)
