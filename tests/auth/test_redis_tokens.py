"""The Redis token cache, on the machine's real Redis: several workers fetch one token."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import secrets
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from frontdesk.audit import MemoryAuditSink
from frontdesk.auth import AccessToken, ModMedPasswordAuth, RedisTokenCache
from frontdesk.ehr.modmed import ModMedConnector
from frontdesk.metering import MeteredTransport
from frontdesk.sandbox import Sandbox
from frontdesk.tenancy import EMBEDDED_SANDBOX
from tests.auth.test_password_grant import QUERY, grants
from tests.services import redis_url


@dataclasses.dataclass
class Caches:
    """Token caches under a fresh key prefix, each on its own connection (as separate workers)."""

    prefix: str
    connect: Callable[[], Redis]

    def __call__(self, *, lock_wait: dt.timedelta = dt.timedelta(seconds=30)) -> RedisTokenCache:
        return RedisTokenCache(self.connect(), prefix=self.prefix, lock_wait=lock_wait)


@pytest.fixture
async def caches() -> AsyncIterator[Caches]:
    url = redis_url()
    opened: list[Redis] = []

    def connect() -> Redis:
        opened.append(Redis.from_url(url))
        return opened[-1]

    prefix = f"frontdesk-test:{secrets.token_hex(8)}:"
    yield Caches(prefix, connect)
    admin = Redis.from_url(url)
    async for key in admin.scan_iter(match=prefix + "*"):
        await admin.delete(key)
    await admin.aclose()
    for redis in opened:
        await redis.aclose()


def worker(sandbox: Sandbox, cache: RedisTokenCache) -> ModMedConnector:
    """One worker's ModMed connector: its own auth and client, the shared token cache."""
    creds = sandbox.credentials("bocaderm")
    base = EMBEDDED_SANDBOX + sandbox.modmed_base_path("bocaderm")
    auth = ModMedPasswordAuth(
        token_url=f"{base}/ws/oauth2/grant",
        api_key=SecretStr(creds.api_key),
        username=creds.username,
        password=SecretStr(creds.password),
        cache=cache,
        cache_key="boca",
    )
    http = httpx.AsyncClient(
        base_url=f"{base}/fhir/v2/",
        auth=auth,
        transport=MeteredTransport(
            httpx.ASGITransport(app=sandbox.app), tenant="boca-derm", audit=MemoryAuditSink()
        ),
    )
    return ModMedConnector(http)


async def test_two_workers_fetch_one_token(sandbox: Sandbox, caches: Caches) -> None:
    """100 concurrent searches through each of two workers on a cold cache: one token request."""
    workers = [worker(sandbox, caches()), worker(sandbox, caches())]
    results = await asyncio.gather(*(w.find_patients(QUERY) for _ in range(100) for w in workers))
    assert len(results) == 200
    assert all(len(r) == 1 for r in results)
    assert grants(sandbox) == 1
    searches = [r for r in sandbox.requests if r.route == "modmed.patient.search"]
    assert len(searches) == 200
    assert all(r.status == 200 for r in searches)


async def test_a_revoked_token_is_refreshed_once_for_all_workers(
    sandbox: Sandbox, caches: Caches
) -> None:
    """After a revocation, 50 requests through each of two workers: one new token, all answered."""
    workers = [worker(sandbox, caches()), worker(sandbox, caches())]
    for w in workers:
        await w.find_patients(QUERY)
    assert grants(sandbox) == 1
    sandbox.tokens.revoke("bocaderm")
    sandbox.requests.clear()
    results = await asyncio.gather(*(w.find_patients(QUERY) for _ in range(50) for w in workers))
    assert all(len(r) == 1 for r in results)
    assert grants(sandbox) == 1
    searches = [r.status for r in sandbox.requests if r.route == "modmed.patient.search"]
    assert searches.count(200) == 100
    assert set(searches) <= {200, 401}


async def test_tokens_expire_with_their_lifetime(caches: Caches) -> None:
    """The key lives as long as the token; a token already expired is not kept."""
    cache = caches()
    now = dt.datetime.now(dt.UTC)
    token = AccessToken("abc", now + dt.timedelta(minutes=2))
    await cache.set("boca", token)
    assert await cache.get("boca") == token
    assert await caches().get("boca") == token  # another worker sees it
    assert 110_000 < await caches.connect().pttl(caches.prefix + "boca") <= 120_000
    await cache.set("palm", AccessToken("old", now - dt.timedelta(seconds=1)))
    assert await cache.get("palm") is None


async def test_discard_forgets_only_the_token_given(caches: Caches) -> None:
    """A worker discarding a dead token does not throw away the fresh one another stored."""
    one, two = caches(), caches()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    dead, fresh = AccessToken("dead", expires), AccessToken("fresh", expires)
    await one.set("boca", fresh)
    await two.discard("boca", dead)
    await two.discard("boca", AccessToken("fresh", expires + dt.timedelta(seconds=1)))
    assert await one.get("boca") == fresh
    await two.discard("boca", fresh)
    assert await one.get("boca") is None


async def test_refreshing_is_one_worker_at_a_time(caches: Caches) -> None:
    """While one worker holds `refreshing`, another waits; past `lock_wait` it goes ahead."""
    one, two = caches(), caches()
    order: list[str] = []

    async def second() -> None:
        async with two.refreshing("boca"):
            order.append("two")

    async with one.refreshing("boca"):
        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.1)
        order.append("one")
    await waiting
    assert order == ["one", "two"]

    impatient = caches(lock_wait=dt.timedelta(milliseconds=50))
    async with one.refreshing("boca"), asyncio.timeout(1), impatient.refreshing("boca"):
        pass
