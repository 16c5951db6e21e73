"""Calls in Redis, so that any of several workers can take any turn of any call.

Keys, under the store's prefix:

```
call:<id>          hash: `json` (the Call), `v` (version, bumped by each save), `n` (creation order)
call:<id>:lock     the per-turn lock: a random token, with a short expiry kept alive while held
calls              sorted set of ids by start time (for `list`)
calls:expiry       sorted set of ids by when their key expires (to trim `calls`)
calls:seq          creation counter (orders calls started at the same instant)
```

Every key expires (`ttl` after the call's last save). Two guards keep turns from interleaving:
the lock (SET NX PX, a bounded wait, release by compare-and-delete), and a version check on save,
so a turn whose lock expired under it (a stalled worker) can never overwrite a newer turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
import secrets
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar, cast

import structlog
from redis import RedisError
from redis.asyncio import Redis

from frontdesk.conversation.call import Call
from frontdesk.store._errors import CallBusy, CallNotFound, StaleCall

log = structlog.get_logger(__name__)

#: KEYS call, index, expiry, seq · ARGV json, ttl_ms, started_score, id → 1 | 0 (exists)
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[1], 'json', ARGV[1], 'v', 0, 'n', n)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], expires, ARGV[4])
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return 1
"""

#: KEYS call, lock, index, expiry, seq · ARGV token, version, json, ttl_ms, id
#: → the new version | -1 (another turn holds the lock) | -2 (gone) | -3 (version moved)
_SAVE = """
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[1] then return -1 end
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -2 end
if v ~= ARGV[2] then return -3 end
local next = tonumber(v) + 1
redis.call('HSET', KEYS[1], 'json', ARGV[3], 'v', next)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[4])
redis.call('ZADD', KEYS[4], expires, ARGV[5])
for i = 3, 5 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return next
"""

#: KEYS index, expiry → how many expired ids were dropped
_TRIM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for i = 1, #gone, 1000 do
  local batch = {unpack(gone, i, math.min(i + 999, #gone))}
  redis.call('ZREM', KEYS[1], unpack(batch))
  redis.call('ZREM', KEYS[2], unpack(batch))
end
return #gone
"""

#: KEYS lock · ARGV token → 1 if it was ours and is now gone
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

#: KEYS lock · ARGV token, ttl_ms → 1 if it is still ours and was extended
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


_T = TypeVar("_T")


def _async(result: Awaitable[_T] | _T) -> Awaitable[_T]:
    """redis-py types each command for its sync and async clients at once; ours is async."""
    return cast("Awaitable[_T]", result)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _ms(delta: dt.timedelta) -> int:
    return max(1, int(delta.total_seconds() * 1000))


class RedisCallStore:
    """Calls in Redis, shared by every worker that points at the same Redis and prefix.

    `session` takes the call's lock (waiting at most `lock_wait`, else `CallBusy`), loads the
    call, yields it, and saves it when the block exits normally; an exception leaves the stored
    call as it was. The lock lives `lock_ttl` and is extended while the turn runs, so a worker
    that dies frees its calls within `lock_ttl`. A save is refused with `StaleCall` if the call
    changed since it was loaded (a stalled worker's lock expired and another turn went ahead).

    Works with `decode_responses` on or off. Not for Redis Cluster: a call's keys and the index
    are updated together by one script.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        ttl: dt.timedelta = dt.timedelta(hours=2),
        prefix: str = "frontdesk:",
        lock_ttl: dt.timedelta = dt.timedelta(seconds=15),
        lock_wait: dt.timedelta = dt.timedelta(seconds=10),
    ) -> None:
        self._redis = redis
        self._ttl_ms = _ms(ttl)
        self._prefix = prefix
        self._lock_ttl_ms = _ms(lock_ttl)
        self._lock_wait = lock_wait.total_seconds()
        self._create = redis.register_script(_CREATE)
        self._save = redis.register_script(_SAVE)
        self._trim = redis.register_script(_TRIM)
        self._release = redis.register_script(_RELEASE)
        self._extend = redis.register_script(_EXTEND)

    def _key(self, call_id: str) -> str:
        return f"{self._prefix}call:{call_id}"

    @property
    def _index(self) -> list[str]:
        p = self._prefix
        return [f"{p}calls", f"{p}calls:expiry", f"{p}calls:seq"]

    async def create(self, call: Call) -> None:
        """Store a new call; raises `ValueError` if a call with its id is already stored."""
        created = await self._create(
            keys=[self._key(call.id), *self._index],
            args=[call.model_dump_json(), self._ttl_ms, call.started_at.timestamp(), call.id],
        )
        if not created:
            raise ValueError(f"a call {call.id} is already stored")

    async def get(self, call_id: str) -> Call:
        """A snapshot of the call (changes to it are not saved); raises `CallNotFound`."""
        raw = await _async(self._redis.hget(self._key(call_id), "json"))
        if raw is None:
            raise CallNotFound(call_id)
        return Call.model_validate_json(raw)

    @contextlib.asynccontextmanager
    async def session(self, call_id: str) -> AsyncIterator[Call]:
        """The call, locked for one turn; saved when the block exits without an exception.

        Raises `CallNotFound`, `CallBusy` (on entry) and `StaleCall` (on exit, nothing saved).
        """
        key = self._key(call_id)
        lock = f"{key}:lock"
        token = secrets.token_hex(16)
        await self._acquire(call_id, lock, token)
        keeper = asyncio.create_task(self._keep(lock, token))
        try:
            raw: list[Any] = await _async(self._redis.hmget(key, ["json", "v"]))
            if raw[0] is None or raw[1] is None:
                raise CallNotFound(call_id)
            call = Call.model_validate_json(raw[0])
            yield call
            result = await self._save(
                keys=[key, lock, *self._index],
                args=[token, _text(raw[1]), call.model_dump_json(), self._ttl_ms, call_id],
            )
            if result == -2:
                raise CallNotFound(call_id)
            if result < 0:
                raise StaleCall(call_id)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            await self._release(keys=[lock], args=[token])

    async def list(self) -> list[Call]:
        """Every stored call, newest first.

        Calls started at the same instant keep the order they were created in, as
        `MemoryCallStore` lists them.
        """
        index, expiry, _ = self._index
        await self._trim(keys=[index, expiry])
        ids: list[bytes | str] = await self._redis.zrevrange(index, 0, -1)
        if not ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for call_id in ids:
                pipe.hmget(self._key(_text(call_id)), ["json", "n"])
            rows: list[list[Any]] = await pipe.execute()
        found = [(Call.model_validate_json(j), int(n)) for j, n in rows if j is not None]
        found.sort(key=lambda pair: pair[1])
        return sorted((c for c, _ in found), key=lambda c: c.started_at, reverse=True)

    async def _acquire(self, call_id: str, lock: str, token: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lock_wait
        pause = 0.005
        while not await self._redis.set(lock, token, nx=True, px=self._lock_ttl_ms):
            if loop.time() >= deadline:
                raise CallBusy(call_id)
            await asyncio.sleep(
                min(pause, max(0.0, deadline - loop.time())) * random.uniform(0.5, 1)
            )
            pause = min(pause * 2, 0.1)

    async def _keep(self, lock: str, token: str) -> None:
        """Extend the lock while the turn runs; stop once it is no longer ours."""
        every = self._lock_ttl_ms / 3000
        while True:
            await asyncio.sleep(every)
            try:
                if not await self._extend(keys=[lock], args=[token, self._lock_ttl_ms]):
                    log.warning("call_lock_lost", lock=lock)
                    return
            except RedisError:
                log.warning("call_lock_extend_failed", lock=lock, exc_info=True)
