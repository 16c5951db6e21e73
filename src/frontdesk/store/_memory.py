"""Where calls live between turns, and the per-call lock that keeps turns from interleaving."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol

from frontdesk.conversation.call import Call
from frontdesk.store._errors import CallNotFound


class CallStore(Protocol):
    """Stores calls; `session` holds the call exclusively for one turn and saves it after.

    A store shared by several workers may raise `CallBusy` (the call stayed locked too long)
    or `StaleCall` (the turn lost the call to another one and was not saved) from `session`.
    """

    async def create(self, call: Call) -> None:
        """Store a new call."""
        ...

    async def get(self, call_id: str) -> Call:
        """A snapshot of the call; raises `CallNotFound`."""
        ...

    def session(self, call_id: str) -> contextlib.AbstractAsyncContextManager[Call]:
        """Exclusive access to the call for one turn; saved when the block exits normally.

        Raises `CallNotFound`. Whether changes made before an exception left the block are kept
        is up to the store: the memory store hands out the stored object itself, the Redis
        store saves nothing then.
        """
        ...

    async def list(self) -> list[Call]:
        """Every stored call, newest first."""
        ...


class MemoryCallStore:
    """Calls in this process's memory (the single-process default)."""

    def __init__(self) -> None:
        self._calls: dict[str, Call] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def create(self, call: Call) -> None:
        """Store a new call."""
        self._calls[call.id] = call
        self._locks[call.id] = asyncio.Lock()

    async def get(self, call_id: str) -> Call:
        """The call (read it; turns change it only through `session`); raises `CallNotFound`."""
        try:
            return self._calls[call_id]
        except KeyError:
            raise CallNotFound(call_id) from None

    @contextlib.asynccontextmanager
    async def session(self, call_id: str) -> AsyncIterator[Call]:
        """Exclusive access to the call for one turn (in memory, the stored object itself)."""
        lock = self._locks.get(call_id)
        if lock is None:
            raise CallNotFound(call_id)
        async with lock:
            yield self._calls[call_id]

    async def list(self) -> list[Call]:
        """Every stored call, newest first."""
        return sorted(self._calls.values(), key=lambda c: c.started_at, reverse=True)
