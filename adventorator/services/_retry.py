"""Retrying a versioned write that lost a race to another instance or process."""

from __future__ import annotations

import asyncio

from adventorator.errors import ConflictError

WRITE_ATTEMPTS = 40  # enough for every writer of a burst to land; then a clear conflict


async def back_off(attempt: int) -> None:
    """A growing pause after a lost race, so retries do not collide in lockstep."""
    await asyncio.sleep(min(0.002 * (attempt + 1), 0.05))


def busy(name: str) -> ConflictError:
    """The error once every attempt lost its race."""
    return ConflictError(f"{name!r} changed too often while this change was being saved; try again")
