"""The circuit breaker's states, and the transport that keeps requests from a sick endpoint."""

from __future__ import annotations

import asyncio

import httpx
import prometheus_client
import pytest

from frontdesk.audit import MemoryAuditSink
from frontdesk.ehr import (
    BreakerPolicy,
    BreakerState,
    BreakerTransport,
    CircuitBreaker,
    CircuitOpen,
    Endpoint,
    TenantBreakers,
)
from frontdesk.ehr._breaker import endpoint_of
from frontdesk.metering import MeteredTransport, Operation
from tests.resilience.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def breaker(clock: FakeClock, policy: BreakerPolicy | None = None) -> CircuitBreaker:
    return CircuitBreaker("t1", Endpoint.EHR, policy=policy, clock=clock)


def state(b: CircuitBreaker) -> BreakerState:
    """The breaker's state, read afresh (mypy would carry an earlier assert's narrowing)."""
    return b.state


def test_five_failures_in_a_row_open_it(clock: FakeClock) -> None:
    """Four failures leave it closed; the fifth opens it and requests are refused at once."""
    b = breaker(clock)
    for _ in range(4):
        assert b.admit() is False
        b.failed(probe=False)
    assert state(b) is BreakerState.CLOSED
    b.admit()
    b.failed(probe=False)
    assert state(b) is BreakerState.OPEN
    with pytest.raises(CircuitOpen) as refused:
        b.admit()
    assert refused.value.endpoint == "ehr"
    assert refused.value.retry_in == pytest.approx(30.0)


def test_a_success_resets_the_run(clock: FakeClock) -> None:
    """Failures broken by an answer (any answer: a 404 is the server alive) do not open it."""
    b = breaker(clock)
    for _ in range(3):
        for _ in range(4):
            b.failed(probe=False)
        b.succeeded(probe=False)
    assert state(b) is BreakerState.CLOSED


def test_a_high_failure_rate_opens_it(clock: FakeClock) -> None:
    """Never five in a row, but half of 20 requests in the window failing: open."""
    b = breaker(clock, BreakerPolicy(min_calls=20, failure_rate=0.5, window_s=30.0))
    for i in range(20):
        clock.advance(0.5)
        if i % 2:
            b.failed(probe=False)
        else:
            b.succeeded(probe=False)
    assert state(b) is BreakerState.OPEN


def test_old_failures_leave_the_window(clock: FakeClock) -> None:
    """The same failures spread over minutes never reach the rate."""
    b = breaker(clock, BreakerPolicy(min_calls=20, failure_rate=0.5, window_s=30.0))
    for i in range(40):
        clock.advance(5)
        if i % 2:
            b.failed(probe=False)
        else:
            b.succeeded(probe=False)
    assert state(b) is BreakerState.CLOSED


def test_after_the_cool_down_one_probe_goes_through(clock: FakeClock) -> None:
    """Half-open admits one probe; others are refused while it is out; its success closes it."""
    b = breaker(clock)
    for _ in range(5):
        b.failed(probe=False)
    clock.advance(29.9)
    with pytest.raises(CircuitOpen):
        b.admit()
    clock.advance(0.2)
    assert state(b) is BreakerState.HALF_OPEN
    assert b.admit() is True
    with pytest.raises(CircuitOpen):
        b.admit()
    b.succeeded(probe=True)
    assert state(b) is BreakerState.CLOSED
    assert b.admit() is False


def test_a_failed_probe_opens_it_for_another_cool_down(clock: FakeClock) -> None:
    """The probe fails: open again, for a full cool-down from now."""
    b = breaker(clock)
    for _ in range(5):
        b.failed(probe=False)
    clock.advance(31)
    assert b.admit() is True
    b.failed(probe=True)
    assert state(b) is BreakerState.OPEN
    clock.advance(29)
    with pytest.raises(CircuitOpen):
        b.admit()
    clock.advance(2)
    assert b.admit() is True


def test_a_probe_that_says_nothing_frees_the_slot(clock: FakeClock) -> None:
    """A throttled (429) or cancelled probe neither closes nor reopens it: the next one probes."""
    b = breaker(clock)
    for _ in range(5):
        b.failed(probe=False)
    clock.advance(31)
    assert b.admit() is True
    b.released(probe=True)
    assert state(b) is BreakerState.HALF_OPEN
    assert b.admit() is True


def test_operations_are_grouped_by_endpoint() -> None:
    """Token endpoints and the payer have breakers of their own; the rest is the EHR's."""
    assert endpoint_of("epic.oauth2.token") is Endpoint.TOKEN
    assert endpoint_of("modmed.oauth2.grant") is Endpoint.TOKEN
    assert endpoint_of("fhir.smart_configuration") is Endpoint.TOKEN
    assert endpoint_of("pverify.token") is Endpoint.PAYER
    assert endpoint_of("pverify.eligibility_summary") is Endpoint.PAYER
    assert endpoint_of("epic.schedule_appointment") is Endpoint.EHR
    assert endpoint_of("modmed.slot.search") is Endpoint.EHR


def transport_for(
    breakers: TenantBreakers, handler: httpx.MockTransport
) -> tuple[httpx.AsyncClient, MemoryAuditSink]:
    audit = MemoryAuditSink()
    inner = MeteredTransport(handler, tenant=breakers.tenant, audit=audit)
    client = httpx.AsyncClient(
        transport=BreakerTransport(inner, breakers=breakers), base_url="https://ehr.example/"
    )
    return client, audit


def metric(name: str, **labels: str) -> float:
    return prometheus_client.REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_transport_opens_on_5xx_and_then_sends_nothing(clock: FakeClock) -> None:
    """Five 503s open the EHR breaker; the sixth request never reaches the server."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503)

    breakers = TenantBreakers("t-5xx", clock=clock)
    client, audit = transport_for(breakers, httpx.MockTransport(handler))
    op = Operation("modmed.slot.search").extensions()
    before = metric(
        "frontdesk_ehr_requests_total",
        tenant="t-5xx",
        operation="modmed.slot.search",
        outcome="circuit_open",
    )
    for _ in range(5):
        assert (await client.get("Slot", extensions=op)).status_code == 503
    with pytest.raises(CircuitOpen):
        await client.get("Slot", extensions=op)
    assert len(seen) == 5
    assert len(audit.events) == 5  # the refused request was not sent, so not audited
    assert breakers.ehr.state is BreakerState.OPEN
    assert metric("frontdesk_ehr_breaker_state", tenant="t-5xx", endpoint="ehr") == 2
    after = metric(
        "frontdesk_ehr_requests_total",
        tenant="t-5xx",
        operation="modmed.slot.search",
        outcome="circuit_open",
    )
    assert after == before + 1


async def test_transport_errors_and_timeouts_count_4xx_and_429_do_not(clock: FakeClock) -> None:
    """Timeouts and connection errors are failures; 4xx are answers; 429 is neither."""
    answers: list[httpx.Response | Exception] = []

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    breakers = TenantBreakers("t-mixed", clock=clock)
    client, _ = transport_for(breakers, httpx.MockTransport(handler))
    op = Operation("modmed.slot.search").extensions()
    answers += [httpx.ReadTimeout("slow"), httpx.ConnectError("down")] * 2
    answers += [httpx.Response(429), httpx.Response(404)]
    for _ in range(4):
        with pytest.raises(httpx.TransportError):
            await client.get("Slot", extensions=op)
    await client.get("Slot", extensions=op)  # 429: no verdict
    assert breakers.ehr.state is BreakerState.CLOSED
    await client.get("Slot", extensions=op)  # 404: alive, the run is over
    answers += [httpx.ReadTimeout("slow")] * 4
    for _ in range(4):
        with pytest.raises(httpx.TransportError):
            await client.get("Slot", extensions=op)
    assert breakers.ehr.state is BreakerState.CLOSED


async def test_a_failing_token_endpoint_leaves_the_ehr_breaker_closed(clock: FakeClock) -> None:
    """Token failures open the token breaker only: requests with a token still go through."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(503)
        return httpx.Response(200, json={})

    breakers = TenantBreakers("t-token", clock=clock)
    client, _ = transport_for(breakers, httpx.MockTransport(handler))
    token = Operation("epic.oauth2.token").extensions()
    for _ in range(5):
        await client.post("oauth2/token", extensions=token)
    with pytest.raises(CircuitOpen) as refused:
        await client.post("oauth2/token", extensions=token)
    assert refused.value.endpoint == "token"
    assert breakers[Endpoint.TOKEN].state is BreakerState.OPEN
    assert breakers.ehr.state is BreakerState.CLOSED
    read = await client.get("Patient", extensions=Operation("epic.patient.search").extensions())
    assert read.status_code == 200


async def test_a_cancelled_probe_lets_the_next_request_probe(clock: FakeClock) -> None:
    """The half-open probe is cancelled (the caller's budget ran out): the next one probes."""
    hang = asyncio.Event()

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await hang.wait()
            return httpx.Response(200)

    breakers = TenantBreakers("t-cancel", clock=clock)
    for _ in range(5):
        breakers.ehr.failed(probe=False)
    clock.advance(31)
    client = httpx.AsyncClient(
        transport=BreakerTransport(Slow(), breakers=breakers), base_url="https://ehr.example/"
    )
    op = Operation("modmed.slot.search").extensions()
    probe = asyncio.create_task(client.get("Slot", extensions=op))
    await asyncio.sleep(0.01)
    with pytest.raises(CircuitOpen):  # the probe is out: others wait for its verdict
        await client.get("Slot", extensions=op)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    hang.set()
    assert (await client.get("Slot", extensions=op)).status_code == 200
    assert breakers.ehr.state is BreakerState.CLOSED
