"""Rate limits: how many requests a key (a practice, a caller's number) may make per window.

`RateLimiter` is the seam; `MemoryRateLimiter` serves one process and `RedisRateLimiter`
shares its counts between several workers. Both count in fixed windows: the window a request
falls in is `floor(now / window)`, and a key may make `limit` requests in it. `build_limiter`
picks one from the process settings.

A limiter that cannot reach its store lets requests through (and logs it): an outage of the
limiter must not turn away patients.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Final, Protocol

import redis.asyncio
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

Clock = Callable[[], float]

#: The memory limiter drops finished windows once it holds this many keys.
_SWEEP_AT: Final = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a request may go ahead, and if not, when to come back.

    Attributes:
        allowed: The request is within the limit.
        count: Requests the key has made in the current window, this one included.
        retry_after_s: Seconds until the current window ends (when a refused key may retry).
    """

    allowed: bool
    count: int
    retry_after_s: float

    @property
    def retry_after(self) -> int:
        """`retry_after_s` as the whole seconds of a `Retry-After` header (at least 1)."""
        return max(1, math.ceil(self.retry_after_s))


class RateLimiter(Protocol):
    """Counts requests per key in fixed windows."""

    async def hit(self, key: str, *, limit: int, window_s: float) -> Verdict:
        """Count one request for `key`; allowed while the window holds at most `limit`."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def _window(now: float, window_s: float) -> tuple[int, float]:
    """The index of the window `now` falls in, and the seconds left in it."""
    index = math.floor(now / window_s)
    return index, (index + 1) * window_s - now


class MemoryRateLimiter:
    """Counts in this process (one worker, tests, the demo).

    Args:
        clock: Seconds, monotonically increasing (`time.monotonic` unless a test steps it).
    """

    def __init__(self, *, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, float], tuple[int, int]] = {}

    async def hit(self, key: str, *, limit: int, window_s: float) -> Verdict:
        """Count one request for `key`; allowed while the window holds at most `limit`."""
        now = self._clock()
        index, left = _window(now, window_s)
        slot = (key, window_s)
        seen_index, count = self._counts.get(slot, (index, 0))
        count = count + 1 if seen_index == index else 1
        self._counts[slot] = (index, count)
        if len(self._counts) > _SWEEP_AT:
            self._sweep(now)
        return Verdict(count <= limit, count, left)

    def _sweep(self, now: float) -> None:
        """Forget keys whose window is over (they would start again from zero anyway)."""
        self._counts = {
            slot: (index, count)
            for slot, (index, count) in self._counts.items()
            if index >= math.floor(now / slot[1])
        }

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisRateLimiter:
    """Counts in Redis, shared by every worker: `INCR` and `PEXPIRE` on the window's key.

    The key names the window (`{prefix}{key}:{window_ms}:{index}`), so a count never needs
    resetting: it expires a window after its own ends. Workers' clocks pick the window, so
    they should agree to within a small part of it (NTP does).

    Args:
        client: A `redis.asyncio.Redis` (the limiter closes it in `aclose`).
        prefix: Put before every key, so deployments and test runs can share a Redis.
        clock: Wall-clock seconds.
    """

    def __init__(
        self, client: redis.asyncio.Redis, *, prefix: str = "frontdesk:", clock: Clock = time.time
    ) -> None:
        self._redis = client
        self._prefix = f"{prefix}ratelimit:"
        self._clock = clock

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "frontdesk:") -> RedisRateLimiter:
        """A limiter on the Redis at `url` (`redis://host:6379/0`)."""
        client = redis.asyncio.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return cls(client, prefix=prefix)

    async def hit(self, key: str, *, limit: int, window_s: float) -> Verdict:
        """Count one request for `key`; allowed while the window holds at most `limit`.

        When Redis cannot be reached the request is allowed (and the failure logged).
        """
        index, left = _window(self._clock(), window_s)
        window_ms = max(1, round(window_s * 1000))
        name = f"{self._prefix}{key}:{window_ms}:{index}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.pexpire(name, 2 * window_ms)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("rate_limiter_unavailable", error=type(exc).__name__)
            return Verdict(True, 0, left)
        return Verdict(int(count) <= limit, int(count), left)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


def build_limiter(redis_url: str | None, *, prefix: str = "frontdesk:") -> RateLimiter:
    """The limiter for a process: Redis when `redis_url` is set (several workers), else memory."""
    if redis_url:
        return RedisRateLimiter.from_url(redis_url, prefix=prefix)
    return MemoryRateLimiter()
