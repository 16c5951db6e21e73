"""Rate limits per practice and per caller, and request size limits, on the public API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio

from frontdesk.api import MAX_BODY_BYTES, create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.limits import MemoryRateLimiter, RedisRateLimiter, build_limiter
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import LimitsConfig, RateLimit, demo_deployment
from frontdesk.voice import compute_twilio_signature
from frontdesk.voice._routes import MAX_FORM_BYTES
from tests.conftest import BOCA, NOW, PALM
from tests.services import redis_url

ANI = "+15615550777"


class Steps:
    """A clock tests move by hand."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


# The limiters themselves.


async def test_memory_limiter_counts_a_window_then_starts_over() -> None:
    """Three allowed in a minute, the fourth refused until the window ends."""
    clock = Steps(1_000.0)  # 1000 s: 40 s into the window that started at 960 s
    limiter = MemoryRateLimiter(clock=clock)
    verdicts = [await limiter.hit("k", limit=3, window_s=60) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.count for v in verdicts] == [1, 2, 3, 4]
    assert verdicts[-1].retry_after_s == pytest.approx(20.0)
    assert verdicts[-1].retry_after == 20
    clock.now = 1_020.0  # the next window
    assert (await limiter.hit("k", limit=3, window_s=60)).allowed


async def test_memory_limiter_keys_are_independent() -> None:
    """One key over its limit leaves the others alone."""
    limiter = MemoryRateLimiter(clock=Steps())
    assert (await limiter.hit("a", limit=1, window_s=60)).allowed
    assert not (await limiter.hit("a", limit=1, window_s=60)).allowed
    assert (await limiter.hit("b", limit=1, window_s=60)).allowed


async def test_memory_limiter_forgets_finished_windows() -> None:
    """Keys from windows long gone are swept once there are many of them."""
    clock = Steps()
    limiter = MemoryRateLimiter(clock=clock)
    for i in range(10_001):
        await limiter.hit(f"k{i}", limit=5, window_s=1)
    clock.now += 10
    await limiter.hit("fresh", limit=5, window_s=1)
    for i in range(10_000):
        await limiter.hit(f"again{i}", limit=5, window_s=1)
    assert len(limiter._counts) <= 10_001


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    """`Retry-After` rounds up and never says 0."""
    from frontdesk.limits import Verdict

    assert Verdict(False, 2, 0.01).retry_after == 1
    assert Verdict(False, 2, 3.2).retry_after == 4


@pytest.fixture
async def redis_client() -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(redis_url())
    yield client
    await client.aclose()


async def test_redis_limiter_is_shared_by_workers(redis_client: redis.asyncio.Redis) -> None:
    """Two workers on one Redis share a count; each window's key expires on its own."""
    prefix = f"test-{uuid.uuid4().hex}:"
    clock = Steps(1_000.0)
    one = RedisRateLimiter(redis.asyncio.Redis.from_url(redis_url()), prefix=prefix, clock=clock)
    two = RedisRateLimiter(redis.asyncio.Redis.from_url(redis_url()), prefix=prefix, clock=clock)
    try:
        assert (await one.hit("k", limit=2, window_s=60)).allowed
        assert (await two.hit("k", limit=2, window_s=60)).allowed
        refused = await one.hit("k", limit=2, window_s=60)
        assert not refused.allowed
        assert refused.count == 3
        assert refused.retry_after == 20
        keys = [k async for k in redis_client.scan_iter(match=f"{prefix}*")]
        assert len(keys) == 1
        assert 0 < await redis_client.pttl(keys[0]) <= 120_000
        clock.now = 1_020.0
        assert (await two.hit("k", limit=2, window_s=60)).allowed
    finally:
        await one.aclose()
        await two.aclose()
        async for key in redis_client.scan_iter(match=f"{prefix}*"):
            await redis_client.delete(key)


async def test_redis_limiter_lets_calls_through_when_redis_is_down() -> None:
    """No Redis: the request goes ahead (an outage of the limiter must not turn callers away)."""
    limiter = RedisRateLimiter.from_url("redis://127.0.0.1:1/0")
    try:
        verdict = await limiter.hit("k", limit=1, window_s=60)
        assert verdict.allowed
    finally:
        await limiter.aclose()


async def test_build_limiter_picks_redis_when_configured() -> None:
    """A Redis URL means workers share counts; none means this process counts alone."""
    assert isinstance(build_limiter(None), MemoryRateLimiter)
    shared = build_limiter("redis://127.0.0.1:6379/0", prefix="x:")
    assert isinstance(shared, RedisRateLimiter)
    await shared.aclose()


# The API.

TIGHT = LimitsConfig(
    calls_per_caller=RateLimit(requests=2),
    calls_per_tenant=RateLimit(requests=3),
    turns_per_caller=RateLimit(requests=3),
    turns_per_tenant=RateLimit(requests=100),
)


async def _client(
    sandbox: Sandbox, tmp_path: Path, limits: LimitsConfig
) -> tuple[Runtime, httpx.AsyncClient]:
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment().model_copy(update={"limits": limits}),
        sandbox=sandbox,
        audit=MemoryAuditSink(),
        clock=lambda: NOW,
    )
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_asgi(runtime)), base_url="http://frontdesk"
    )
    return runtime, client


@pytest.fixture
async def tight(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The demo on the sandbox, with limits small enough to reach in a test."""
    runtime, client = await _client(sandbox, tmp_path, TIGHT)
    async with client:
        yield client
    await runtime.aclose()


async def _dial(client: httpx.AsyncClient, to: str, ani: str | None) -> httpx.Response:
    return await client.post("/v1/calls", json={"to": to, "from": ani, "channel": "text"})


async def test_a_caller_starting_too_many_calls_is_told_when_to_retry(
    tight: httpx.AsyncClient,
) -> None:
    """The third call in a minute from one number is refused with 429 and Retry-After."""
    assert (await _dial(tight, BOCA, ANI)).status_code == 201
    assert (await _dial(tight, BOCA, "(561) 555-0777")).status_code == 201  # same number
    refused = await _dial(tight, PALM, "+1 561 555 0777")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "new calls from this number" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Someone else still gets through.
    assert (await _dial(tight, PALM, "+15615550778")).status_code == 201


async def test_a_practice_taking_too_many_new_calls_refuses_more(
    tight: httpx.AsyncClient,
) -> None:
    """Past the practice's limit new calls to it are refused; other practices still answer."""
    for i in range(3):
        assert (await _dial(tight, BOCA, f"+1561555080{i}")).status_code == 201
    refused = await _dial(tight, BOCA, "+15615550809")
    assert refused.status_code == 429
    assert "new calls to this practice" in refused.json()["error"]["message"]
    assert (await _dial(tight, PALM, "+15615550809")).status_code == 201


async def test_calls_without_a_number_count_only_against_the_practice(
    tight: httpx.AsyncClient,
) -> None:
    """No ANI: no per-caller count, the practice's limit still applies."""
    statuses = [(await _dial(tight, BOCA, None)).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


async def test_too_many_turns_from_one_caller_are_refused(tight: httpx.AsyncClient) -> None:
    """Turns count per caller; the call itself is left as it was."""
    started = (await _dial(tight, BOCA, ANI)).json()
    turns = f"/v1/calls/{started['call_id']}/turns"
    statuses = [(await tight.post(turns, json={"text": "hello"})).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await tight.post(turns, json={"text": "hello"})
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "turns from this caller" in refused.json()["error"]["message"]
    record = (await tight.get(f"/v1/calls/{started['call_id']}")).json()
    assert sum(t["speaker"] == "caller" for t in record["transcript"]) == 3


async def test_a_call_without_a_number_is_its_own_caller(tight: httpx.AsyncClient) -> None:
    """Two anonymous calls do not share a turn allowance."""
    first = (await _dial(tight, BOCA, None)).json()["call_id"]
    second = (await _dial(tight, BOCA, None)).json()["call_id"]
    for _ in range(3):
        assert (await tight.post(f"/v1/calls/{first}/turns", json={"text": "hi"})).is_success
    assert (await tight.post(f"/v1/calls/{second}/turns", json={"text": "hi"})).is_success
    late = await tight.post(f"/v1/calls/{first}/turns", json={"text": "hi"})
    assert late.status_code == 429


async def test_a_turn_for_an_unknown_call_is_404_not_counted(tight: httpx.AsyncClient) -> None:
    """Unknown call ids are 404 before anything is counted."""
    for _ in range(5):
        response = await tight.post("/v1/calls/call_nope/turns", json={"text": "hi"})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "unknown_call"


async def test_limits_can_be_switched_off(sandbox: Sandbox, tmp_path: Path) -> None:
    """`limits: {enabled: false}`: nothing is counted."""
    runtime, client = await _client(sandbox, tmp_path, TIGHT.model_copy(update={"enabled": False}))
    async with client:
        statuses = {(await _dial(client, BOCA, ANI)).status_code for _ in range(5)}
    await runtime.aclose()
    assert statuses == {201}


# The phone webhook.


def _webhook(sandbox: Sandbox, form: dict[str, str]) -> dict[str, object]:
    url = "http://frontdesk/voice/twilio"
    token = sandbox.twilio.credentials.auth_token
    return {
        "url": "/voice/twilio",
        "data": form,
        "headers": {"X-Twilio-Signature": compute_twilio_signature(token, url, form)},
    }


def _ring(to: str, ani: str, sid: str) -> dict[str, str]:
    return {"To": to, "From": ani, "CallSid": sid, "AccountSid": "AC" + "0" * 32}


async def test_the_phone_webhook_counts_new_calls_too(
    tight: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Signed webhook requests share the new-call limits with the API; 429 past them."""
    assert (await _dial(tight, BOCA, ANI)).status_code == 201  # one call on the API
    first = await tight.post(**_webhook(sandbox, _ring(BOCA, ANI, "CA1")))  # type: ignore[arg-type]
    assert first.status_code == 200
    assert "<Connect>" in first.text
    refused = await tight.post(**_webhook(sandbox, _ring(BOCA, ANI, "CA2")))  # type: ignore[arg-type]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1


async def test_unsigned_webhook_requests_spend_nobody_s_allowance(
    tight: httpx.AsyncClient,
) -> None:
    """Forged requests are refused (403) without counting against the caller they name."""
    for sid in ("CA1", "CA2", "CA3"):
        forged = await tight.post("/voice/twilio", data=_ring(BOCA, ANI, sid))
        assert forged.status_code == 403
    assert (await _dial(tight, BOCA, ANI)).status_code == 201


# Request sizes.


async def test_an_oversized_body_is_413_before_it_is_read(client: httpx.AsyncClient) -> None:
    """A declared length over the cap is refused with the API's JSON error."""
    big_text = "a" * (MAX_BODY_BYTES + 10)
    response = await client.post("/v1/calls", json={"to": BOCA, "from": big_text})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


async def test_a_streamed_body_is_cut_off_at_the_cap(client: httpx.AsyncClient) -> None:
    """Chunked, no Content-Length: counted as it comes, refused once past the cap."""
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"text": "'
        for _ in range(100):
            sent += 4096
            yield b"a" * 4096
        yield b'"}'

    response = await client.post("/v1/calls/call_x/turns", content=chunks())
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


async def test_a_bad_content_length_is_refused(client: httpx.AsyncClient) -> None:
    """A Content-Length that is not a number is not trusted."""
    response = await client.post(
        "/v1/calls", content=b"{}", headers={"Content-Length": "nope", "Content-Type": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


async def test_the_phone_webhook_has_a_smaller_cap(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Twilio's form is a few hundred bytes: 16 KiB and more is refused."""
    form = _ring(BOCA, ANI, "CA1") | {"Padding": "x" * MAX_FORM_BYTES}
    response = await client.post(**_webhook(sandbox, form))  # type: ignore[arg-type]
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


async def test_ordinary_bodies_pass(client: httpx.AsyncClient) -> None:
    """A normal request is untouched by the size limit."""
    response = await client.post("/v1/calls", json={"to": BOCA, "from": ANI})
    assert response.status_code == 201
