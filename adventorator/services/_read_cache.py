"""A TTL cache of reads, grouped for invalidation, with one load per key in flight.

Keys are tuples whose first item is the group (a campaign id): a write
invalidates its group at once. Concurrent misses for one key share a single
load, and a load that raced an invalidation of its group is not cached (each
invalidation bumps the group's generation).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from cachetools import TTLCache

T = TypeVar("T")
G = TypeVar("G", bound=Hashable)
_MISSING = object()


class ReadCache(Generic[G]):
    """Cached reads keyed by ``(group, ...)`` tuples."""

    def __init__(
        self, size: int, ttl: float, *, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._cache: TTLCache[tuple[Any, ...], Any] = TTLCache(size, ttl, timer=timer)
        self._inflight: dict[tuple[Any, ...], asyncio.Future[Any]] = {}
        self._generation: dict[G, int] = {}

    def invalidate(self, group: G) -> None:
        """Forget every cached read of one group."""
        self._generation[group] = self._generation.get(group, 0) + 1
        for key in [key for key in self._cache if key[0] == group]:
            self._cache.pop(key, None)

    def clear(self) -> None:
        """Forget everything (e.g. when invalidations may have been missed)."""
        # Loads in flight for a group never invalidated have no generation yet.
        for group in {*self._generation, *(key[0] for key in self._inflight)}:
            self._generation[group] = self._generation.get(group, 0) + 1
        self._cache.clear()

    async def get(self, key: tuple[Any, ...], load: Callable[[Any], Awaitable[T]]) -> T:
        """The cached value of ``key``, else ``await load(key)`` (shared by concurrent misses)."""
        value = self._cache.get(key, _MISSING)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        pending = self._inflight.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not pending.cancelled() or (task is not None and task.cancelling()):
                    raise  # this caller was cancelled itself
                # Only the caller that was loading for us was cancelled: load it ourselves.
                return await self.get(key, load)
        return await self._load(key, load)

    async def _load(self, key: tuple[Any, ...], load: Callable[[Any], Awaitable[T]]) -> T:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        generation = self._generation.get(key[0], 0)
        try:
            value = await load(key)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so a lone loader does not warn
            raise
        finally:
            self._inflight.pop(key, None)
        # A cache of size 0 (ADVENTORATOR_CHARACTER_CACHE_SIZE=0) caches nothing.
        if self._generation.get(key[0], 0) == generation and self._cache.maxsize > 0:
            self._cache[key] = value
        future.set_result(value)
        return value
