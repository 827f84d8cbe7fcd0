"""Acknowledgements before background work, on one event loop.

Discord drops an interaction that is not answered within 3 seconds, while a
deferred command's follow-up may come up to 15 minutes later. When a burst of
interactions arrives and the process is short of CPU, the event loop runs
ready callbacks in arrival order, so the deferred turns already started (each
many milliseconds of prompt building, LLM client and database work) would
delay the cheap acknowledgements queued behind them. ``AckFirst`` counts the
interactions being answered; a deferred task waits until none are (or until
``max_hold`` seconds have passed, so steady load cannot starve it).

Only verified interactions count: a request still sending its body, or one
that will end in 401, must not hold anyone's deferred work back. ``held`` and
``held_too_long`` count the waits that found someone being answered and the
waits that ran out ``max_hold``, so tests and probes can see a stall.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

__all__ = ["AckFirst"]


class AckFirst:
    """Holds background work back while interactions are being acknowledged."""

    def __init__(self, max_hold: float = 1.0) -> None:
        self.max_hold = max_hold
        self.held = 0
        self.held_too_long = 0
        self._answering = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def answering_now(self) -> int:
        """How many interactions are being answered at this moment."""
        return self._answering

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Mark one interaction as being answered for the duration of the block."""
        self._answering += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._answering -= 1
            if self._answering == 0:
                self._idle.set()

    async def wait_for_acks(self) -> None:
        """Return once no interaction is being answered, or after ``max_hold`` seconds."""
        if self._answering:
            self.held += 1
            try:
                await asyncio.wait_for(self._idle.wait(), self.max_hold)
            except TimeoutError:
                self.held_too_long += 1
