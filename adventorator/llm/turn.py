"""One turn's model calls share one deadline and one retry allowance, and stop at a failure.

A turn is one ``do`` or one ``act`` (with the command the plan runs, which may
itself be a ``do``). Its model calls together may take at most
``LLMClient.turn_budget`` seconds, counted from the turn's first request:
``llm_timeout * (llm_max_retries + 1) + 2 * llm_max_retries`` (what one call
with all its retries and backoffs could take on its own). They make at most
``llm_max_retries`` retries between them. Once one call has failed, every
later call in the turn raises the same ``LLMError`` at once, without a
request, so the rest of the turn goes to the offline narrator or planner.

The turn in progress lives in a context variable: ``act`` opens it, and the
``do`` its plan runs joins it. Every asyncio task copies the context, so
concurrent turns never share one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from adventorator.errors import LLMError

__all__ = ["ModelTurn", "model_turn"]


@dataclass
class ModelTurn:
    """What is left of one turn's model budget (set by the client at its first request)."""

    deadline: float | None = None  # event loop time
    retries_left: int | None = None
    failure: LLMError | None = None  # the first failure; later calls repeat it

    def begin(self, *, now: float, budget: float, retries: int) -> None:
        """Start the clock at the turn's first request; later calls keep it."""
        if self.deadline is None:
            self.deadline = now + budget
            self.retries_left = retries

    def take_retry(self) -> bool:
        """Use one of the turn's retries; False when none is left."""
        if not self.retries_left:
            return False
        self.retries_left -= 1
        return True

    def fail(self, error: LLMError) -> LLMError:
        """Remember the turn's first failure; returns ``error`` for ``raise``."""
        if self.failure is None:
            self.failure = error
        return error


_CURRENT: ContextVar[ModelTurn | None] = ContextVar("adventorator_model_turn", default=None)


@contextmanager
def model_turn() -> Iterator[ModelTurn]:
    """The turn in progress in this context, or a new one for the ``with`` block."""
    current = _CURRENT.get()
    if current is not None:
        yield current
        return
    turn = ModelTurn()
    token = _CURRENT.set(turn)
    try:
        yield turn
    finally:
        _CURRENT.reset(token)
