"""The Redis call store, on the machine's real Redis: several workers, one call, no lost turns."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import secrets
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from redis.asyncio import Redis

from frontdesk.api import create_asgi
from frontdesk.conversation.call import Call, Turn
from frontdesk.conversation.engine import Engine
from frontdesk.conversation.state import CallState
from frontdesk.runtime import Runtime
from frontdesk.store import (
    CallBusy,
    CallNotFound,
    MemoryCallStore,
    RedisCallStore,
    StaleCall,
)
from tests.api.test_booking import MARIA, book
from tests.conftest import NOW
from tests.services import redis_url

Connect = Callable[[], Redis]


@dataclasses.dataclass
class Keys:
    """A fresh key prefix on the real Redis, and a way to open connections to it."""

    prefix: str
    connect: Connect

    def store(self, **options: dt.timedelta) -> RedisCallStore:
        """A store on its own connection, as a separate worker would have."""
        return RedisCallStore(self.connect(), prefix=self.prefix, **options)


@pytest.fixture
async def keys() -> AsyncIterator[Keys]:
    url = redis_url()
    opened: list[Redis] = []

    def connect() -> Redis:
        opened.append(Redis.from_url(url))
        return opened[-1]

    prefix = f"frontdesk-test:{secrets.token_hex(8)}:"
    yield Keys(prefix, connect)
    admin = Redis.from_url(url)
    async for key in admin.scan_iter(match=prefix + "*"):
        await admin.delete(key)
    await admin.aclose()
    for redis in opened:
        await redis.aclose()


def new_call(call_id: str | None = None, *, started_at: dt.datetime = NOW) -> Call:
    call_id = call_id or "call_" + secrets.token_hex(6)
    state = CallState(call_id=call_id, tenant="boca-derm")
    return Call(id=call_id, tenant="boca-derm", channel="text", started_at=started_at, state=state)


def worker(runtime: Runtime, store: RedisCallStore) -> httpx.AsyncClient:
    """An HTTP client on one more API process: the same tenants, its own engine and store."""
    engine = Engine(runtime.tenants, store, runtime.audit, clock=lambda: NOW)
    app = create_asgi(dataclasses.replace(runtime, engine=engine, store=store))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://frontdesk")


async def test_a_booked_call_round_trips(
    client: httpx.AsyncClient, runtime: Runtime, keys: Keys
) -> None:
    """A whole booked call, made over HTTP, comes back from Redis equal to what went in."""
    caller = await book(client, *MARIA, provider="whoever is first available", when="next Tuesday")
    await caller.say("the first one")
    await caller.say("yes please")
    await caller.say("no, that's all, thanks")
    assert caller.call_id is not None
    call = await runtime.store.get(caller.call_id)
    assert call.outcome == "booked"
    assert call.transactions
    assert call.state.appointment is not None

    store = keys.store()
    await store.create(call)
    assert await store.get(call.id) == call
    async with store.session(call.id) as held:
        assert held == call
    assert await keys.store().get(call.id) == call


async def test_two_workers_take_turns_of_one_call(runtime: Runtime, keys: Keys) -> None:
    """Each turn of a booking goes to the other worker; both see the same booked call."""
    one, two = keys.store(), keys.store()
    async with worker(runtime, one) as first, worker(runtime, two) as second:
        caller = await book(
            first, *MARIA, provider="whoever is first available", when="next Tuesday"
        )
        for http, text in [
            (second, "the first one"),
            (first, "yes please"),
            (second, "no, that's all"),
        ]:
            caller.client = http
            await caller.say(text)
        assert caller.last["ended"] is True
        assert caller.call_id is not None
        seen = [(await http.get(f"/v1/calls/{caller.call_id}")).json() for http in (first, second)]
        assert seen[0] == seen[1]
        assert seen[0]["outcome"] == "booked"
        listed = [(await http.get("/v1/calls")).json()["calls"] for http in (first, second)]
        assert listed == [[caller.call_id], [caller.call_id]]
    assert await one.get(caller.call_id) == await two.get(caller.call_id)


async def test_every_key_expires_and_a_save_renews_it(keys: Keys) -> None:
    """Each key the store writes has a TTL; a turn's save sets it back to the full TTL."""
    store = keys.store(ttl=dt.timedelta(minutes=5))
    call = new_call()
    await store.create(call)
    redis = keys.connect()
    written = [key async for key in redis.scan_iter(match=keys.prefix + "*")]
    assert len(written) == 4  # the call, the index by start, the index by expiry, the counter
    for key in written:
        assert 0 < await redis.pttl(key) <= 5 * 60_000
    for key in written:
        await redis.pexpire(key, 2_000)
    async with store.session(call.id) as held:
        assert await redis.exists(f"{keys.prefix}call:{call.id}:lock")
        held.staff_tasks.append("call back")
    assert not await redis.exists(f"{keys.prefix}call:{call.id}:lock")
    for key in written:
        assert 4 * 60_000 < await redis.pttl(key) <= 5 * 60_000
    assert (await store.get(call.id)).staff_tasks == ["call back"]


async def test_concurrent_turns_on_two_workers_lose_nothing(keys: Keys) -> None:
    """20 turns of one call at once, split over two workers: they run one at a time, all kept."""
    one, two = keys.store(), keys.store()
    call = new_call()
    await one.create(call)
    inside: list[int] = []
    overlaps = 0

    async def turn(i: int) -> None:
        nonlocal overlaps
        async with (one if i % 2 else two).session(call.id) as held:
            inside.append(i)
            overlaps += len(inside) > 1
            await asyncio.sleep(0.002 * (i % 3))
            held.transcript.append(Turn(at=NOW, speaker="caller", text=f"turn {i}"))
            inside.remove(i)

    await asyncio.gather(*(turn(i) for i in range(20)))
    assert overlaps == 0
    texts = [t.text for t in (await two.get(call.id)).transcript]
    assert sorted(texts) == sorted(f"turn {i}" for i in range(20))


async def test_a_turn_that_lost_its_lock_is_not_saved(keys: Keys) -> None:
    """A stalled worker whose lock expired cannot overwrite the turn that went ahead."""
    stalled, other = keys.store(), keys.store()
    call = new_call()
    await stalled.create(call)
    redis = keys.connect()
    lock = f"{keys.prefix}call:{call.id}:lock"

    stale = stalled.session(call.id)
    late = await stale.__aenter__()
    await redis.delete(lock)  # as if it had expired while this worker stalled
    async with other.session(call.id) as ahead:
        ahead.staff_tasks.append("newer turn")
    late.staff_tasks.append("stale turn")
    with pytest.raises(StaleCall):
        await stale.__aexit__(None, None, None)
    assert (await other.get(call.id)).staff_tasks == ["newer turn"]

    # The same, while the turn that went ahead still holds the lock when the stalled one saves.
    stale = stalled.session(call.id)
    late = await stale.__aenter__()
    await redis.delete(lock)
    async with other.session(call.id) as ahead:
        late.staff_tasks.append("stale turn")
        with pytest.raises(StaleCall):
            await stale.__aexit__(None, None, None)
        assert await redis.exists(lock)  # the stalled worker let go of nothing but its own
        ahead.staff_tasks.append("newest turn")
    assert (await stalled.get(call.id)).staff_tasks == ["newer turn", "newest turn"]
    assert not await redis.exists(lock)


async def test_a_call_locked_too_long_is_busy(keys: Keys) -> None:
    """Waiting for another turn's lock is bounded: past `lock_wait` the store says busy."""
    holder, impatient = keys.store(), keys.store(lock_wait=dt.timedelta(milliseconds=100))
    call = new_call()
    await holder.create(call)
    async with holder.session(call.id):
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(CallBusy):
            async with impatient.session(call.id):
                pass
        assert loop.time() - started < 1


async def test_the_lock_outlives_a_long_turn(keys: Keys) -> None:
    """A turn longer than the lock's TTL keeps its lock (it is extended while held)."""
    store = keys.store(lock_ttl=dt.timedelta(milliseconds=150))
    other = keys.store(lock_wait=dt.timedelta(milliseconds=50))
    call = new_call()
    await store.create(call)
    async with store.session(call.id) as held:
        await asyncio.sleep(0.5)
        with pytest.raises(CallBusy):
            async with other.session(call.id):
                pass
        held.staff_tasks.append("slow turn")
    assert (await other.get(call.id)).staff_tasks == ["slow turn"]


async def test_a_failed_turn_saves_nothing_and_frees_the_call(keys: Keys) -> None:
    """An exception inside the session leaves the stored call as it was, and unlocked."""
    store = keys.store()
    call = new_call()
    await store.create(call)

    async def broken_turn() -> None:
        async with store.session(call.id) as held:
            held.staff_tasks.append("half a turn")
            raise RuntimeError("the turn broke")

    with pytest.raises(RuntimeError):
        await broken_turn()
    assert (await store.get(call.id)).staff_tasks == []
    async with asyncio.timeout(1), store.session(call.id):
        pass


async def test_unknown_and_duplicate_calls(keys: Keys) -> None:
    """Unknown ids raise `CallNotFound` (and leave no lock behind); ids cannot be reused."""
    store = keys.store()
    with pytest.raises(CallNotFound):
        await store.get("call_nope")
    with pytest.raises(CallNotFound):
        async with store.session("call_nope"):
            pass
    assert not await keys.connect().exists(f"{keys.prefix}call:call_nope:lock")
    call = new_call()
    await store.create(call)
    with pytest.raises(ValueError, match="already stored"):
        await store.create(call)


async def test_list_orders_like_memory_and_drops_expired_calls(keys: Keys) -> None:
    """Newest first, ties in creation order (as `MemoryCallStore`); expired calls are trimmed."""
    brief = keys.store(ttl=dt.timedelta(milliseconds=100))
    await brief.create(new_call("call_brief"))
    store, memory = keys.store(), MemoryCallStore()
    hour = dt.timedelta(hours=1)
    for call_id, started in [("call_a", NOW), ("call_b", NOW), ("call_c", NOW + hour)]:
        call = new_call(call_id, started_at=started)
        await store.create(call)
        await memory.create(call)
    await asyncio.sleep(0.2)
    listed = [c.id for c in await store.list()]
    assert listed == [c.id for c in await memory.list()] == ["call_c", "call_a", "call_b"]
    assert await keys.connect().zcard(f"{keys.prefix}calls") == 3
