"""A token cache in Redis: every worker shares a tenant's token, and only one of them fetches it.

Keys, under the cache's prefix: `<key>` holds the token (JSON, expiring with the token) and
`<key>:refreshing` the lock a worker holds while it fetches one. Tokens are bearer secrets:
the Redis they live in must be as private as the deployment's other secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import secrets
from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis

from frontdesk.auth._tokens import AccessToken, Clock, utc_now

log = structlog.get_logger(__name__)

#: KEYS key · ARGV value → 1 if `key` held exactly `value` and is now gone (compare-and-delete)
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _dump(token: AccessToken) -> str:
    return json.dumps({"value": token.value, "expires_at": token.expires_at.isoformat()})


def _load(raw: bytes | str) -> AccessToken:
    data = json.loads(raw)
    return AccessToken(str(data["value"]), dt.datetime.fromisoformat(data["expires_at"]))


class RedisTokenCache:
    """Tokens in Redis, shared by every worker that points at the same Redis and prefix.

    A token's key expires with the token (by `clock`; a token already expired is not stored).
    `refreshing` is a lock across workers (SET NX PX, released by compare-and-delete): it
    lives at most `lock_ttl`, so a worker that dies mid-fetch holds the others up no longer
    than that; a worker that waited `lock_wait` in vain fetches anyway (a second token request
    beats a stuck call). Works with `decode_responses` on or off.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "frontdesk:token:",
        lock_ttl: dt.timedelta = dt.timedelta(seconds=30),
        lock_wait: dt.timedelta = dt.timedelta(seconds=30),
        clock: Clock = utc_now,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lock_ttl_ms = max(1, int(lock_ttl.total_seconds() * 1000))
        self._lock_wait = lock_wait.total_seconds()
        self._clock = clock
        self._delete_if = redis.register_script(_DELETE_IF)

    async def get(self, key: str) -> AccessToken | None:
        """The cached token for `key`, if any."""
        raw = await self._redis.get(self._prefix + key)
        return None if raw is None else _load(raw)

    async def set(self, key: str, token: AccessToken) -> None:
        """Remember `token` under `key` until it expires."""
        ttl_ms = int((token.expires_at - self._clock()).total_seconds() * 1000)
        if ttl_ms > 0:
            await self._redis.set(self._prefix + key, _dump(token), px=ttl_ms)

    async def discard(self, key: str, token: AccessToken) -> None:
        """Forget `token`, unless it was already replaced by a newer one."""
        await self._delete_if(keys=[self._prefix + key], args=[_dump(token)])

    @contextlib.asynccontextmanager
    async def refreshing(self, key: str) -> AsyncIterator[None]:
        """Held by the one worker fetching the token for `key`; the others wait here."""
        lock = f"{self._prefix}{key}:refreshing"
        owner = secrets.token_hex(16)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lock_wait
        pause = 0.01
        while not await self._redis.set(lock, owner, nx=True, px=self._lock_ttl_ms):
            if loop.time() >= deadline:
                log.warning("token_refresh_lock_wait_expired", key=key)
                break
            await asyncio.sleep(
                min(pause, max(0.0, deadline - loop.time())) * random.uniform(0.5, 1)
            )
            pause = min(pause * 2, 0.1)
        try:
            yield
        finally:
            await self._delete_if(keys=[lock], args=[owner])
