"""The retry policy: two retries at most, 1.5 s of retrying per turn, Retry-After, full jitter."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import time
from collections.abc import Callable

import httpx
import pytest
import stamina

from frontdesk.audit import MemoryAuditSink
from frontdesk.ehr import (
    BreakerTransport,
    CircuitOpen,
    Conflict,
    EhrError,
    InvalidRequest,
    TenantBreakers,
    TurnBudget,
    Unavailable,
    bind_turn,
)
from frontdesk.ehr._retry import RetryPolicy, parse_retry_after, write_once
from frontdesk.ehr.fhir import FhirClient
from frontdesk.metering import MeteredTransport, Operation
from tests.resilience.conftest import FakeClock

OP = Operation("modmed.patient.search")
BUNDLE = {"resourceType": "Bundle", "type": "searchset", "entry": []}
Handler = Callable[[httpx.Request], httpx.Response]


class Server:
    """A FHIR endpoint answering from a script (the last answer repeats); counts requests."""

    def __init__(self, *answers: httpx.Response | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return answer(request) if callable(answer) else answer

    @property
    def attempts(self) -> list[int]:
        return [r.extensions["frontdesk.operation"].attempt for r in self.requests]


def fhir(server: Server) -> FhirClient:
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(server), base_url="https://ehr.example/fhir/"
    )
    return FhirClient(http)


def busy(status: int = 503, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(status, headers=headers)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def turn(clock: FakeClock) -> TurnBudget:
    """A caller turn whose waits advance the fake clock instead of sleeping."""
    return TurnBudget(clock=clock, sleep=clock.sleep)


def test_retry_after_in_seconds_and_as_an_http_date() -> None:
    """Delta-seconds and HTTP dates both read as seconds from `now`; junk is ignored."""
    now = dt.datetime(2026, 11, 21, 15, 0, tzinfo=dt.UTC)
    later = email.utils.format_datetime(now + dt.timedelta(seconds=10), usegmt=True)
    earlier = email.utils.format_datetime(now - dt.timedelta(seconds=10), usegmt=True)
    assert parse_retry_after("3", now=now) == 3.0
    assert parse_retry_after(later, now=now) == 10.0
    assert parse_retry_after(earlier, now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None, now=now) is None


def test_backoff_is_full_jitter_under_a_doubling_cap() -> None:
    """Retry n waits uniformly in [0, min(wait_max, wait_initial * 2**(n-1))]."""
    policy = RetryPolicy(wait_initial=0.05, wait_max=0.4)
    for retry, cap in ((1, 0.05), (2, 0.1), (3, 0.2), (4, 0.4), (6, 0.4)):
        waits = [policy.backoff(retry) for _ in range(200)]
        assert all(0.0 <= w <= cap for w in waits)
        assert max(waits) > cap / 2  # spread over the whole range, not a fixed step
        assert min(waits) < cap / 2


async def test_503_is_retried_at_most_twice(turn: TurnBudget, clock: FakeClock) -> None:
    """A 503 every time: three attempts (two retries, backing off with jitter), then Unavailable."""
    server = Server(busy(503))
    with bind_turn(turn), pytest.raises(Unavailable):
        await fhir(server).search("Patient", [], OP)
    assert server.attempts == [1, 2, 3]
    assert len(clock.sleeps) == 2
    assert all(0 <= s <= 0.1 for s in clock.sleeps)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
async def test_other_4xx_are_never_retried(turn: TurnBudget, status: int) -> None:
    """A 4xx other than 408/409/412/429 is the same on every try: one attempt."""
    server = Server(httpx.Response(status))
    with bind_turn(turn), pytest.raises(EhrError) as caught:
        await fhir(server).search("Patient", [], OP)
    assert not isinstance(caught.value, Unavailable)
    assert server.attempts == [1]
    assert turn.retries == 0


async def test_408_is_retried(turn: TurnBudget) -> None:
    """A 408 (the server gave up waiting) is worth another try."""
    server = Server(httpx.Response(408), httpx.Response(200, json=BUNDLE))
    with bind_turn(turn):
        assert await fhir(server).search("Patient", [], OP) == []
    assert server.attempts == [1, 2]


async def test_429_retry_after_within_the_budget_is_honoured(
    turn: TurnBudget, clock: FakeClock
) -> None:
    """429 with Retry-After: 1 (the budget is 1.5 s): wait exactly 1 s, then the answer."""
    server = Server(busy(429, "1"), httpx.Response(200, json=BUNDLE))
    with bind_turn(turn):
        assert await fhir(server).search("Patient", [], OP) == []
    assert server.attempts == [1, 2]
    assert clock.sleeps == [1.0]


async def test_retry_after_as_an_http_date_is_honoured(turn: TurnBudget, clock: FakeClock) -> None:
    """Retry-After as an HTTP date, measured from the response's own Date header."""
    sent = dt.datetime(2026, 11, 21, 15, 0, tzinfo=dt.UTC)
    headers = {
        "Date": email.utils.format_datetime(sent, usegmt=True),
        "Retry-After": email.utils.format_datetime(sent + dt.timedelta(seconds=1), usegmt=True),
    }
    server = Server(httpx.Response(503, headers=headers), httpx.Response(200, json=BUNDLE))
    with bind_turn(turn):
        assert await fhir(server).search("Patient", [], OP) == []
    assert clock.sleeps == [1.0]


async def test_retry_after_beyond_the_budget_is_not_retried(
    turn: TurnBudget, clock: FakeClock
) -> None:
    """429 with Retry-After: 5 does not fit 1.5 s: no retry at all, the caller hears at once."""
    server = Server(busy(429, "5"))
    with bind_turn(turn), pytest.raises(Unavailable) as caught:
        await fhir(server).search("Patient", [], OP)
    assert caught.value.status == 429
    assert server.attempts == [1]
    assert clock.sleeps == []


async def test_a_retry_after_that_fits_once_is_honoured_once(
    turn: TurnBudget, clock: FakeClock
) -> None:
    """Retry-After: 1 every time: one wait of 1 s fits the 1.5 s budget, a second does not."""
    server = Server(busy(429, "1"))
    with bind_turn(turn), pytest.raises(Unavailable):
        await fhir(server).search("Patient", [], OP)
    assert server.attempts == [1, 2]
    assert clock.sleeps == [1.0]
    assert turn.spent == pytest.approx(1.0)


async def test_the_budget_is_shared_by_every_request_of_the_turn(
    turn: TurnBudget, clock: FakeClock
) -> None:
    """One turn, three requests: the first spends 1 s of the 1.5 s; the others cannot wait 1 s."""
    server = Server(busy(503, "1"))
    client = fhir(server)
    with bind_turn(turn):
        for _ in range(3):
            with pytest.raises(Unavailable):
                await client.search("Patient", [], OP)
    assert server.attempts == [1, 2, 1, 1]
    assert clock.sleeps == [1.0]
    # A new turn starts with a full budget.
    with bind_turn(TurnBudget(clock=clock, sleep=clock.sleep)), pytest.raises(Unavailable):
        await client.search("Patient", [], OP)
    assert server.attempts[-2:] == [1, 2]


async def test_overlapping_retries_count_once(turn: TurnBudget, clock: FakeClock) -> None:
    """Two concurrent requests each wait 1 s: the turn has spent 1 s, not 2."""
    failed_once: set[str] = set()

    def answer(request: httpx.Request) -> httpx.Response:
        n = request.url.params["n"]
        if n in failed_once:
            return httpx.Response(200, json=BUNDLE)
        failed_once.add(n)
        return busy(503, "1")

    server = Server(answer)
    client = fhir(server)
    with bind_turn(turn):
        found = await asyncio.gather(
            client.search("Patient", [("n", "1")], OP), client.search("Patient", [("n", "2")], OP)
        )
    assert list(found) == [[], []]
    assert sorted(server.attempts) == [1, 1, 2, 2]
    assert turn.spent == pytest.approx(1.0)


async def test_outside_a_turn_each_request_has_its_own_budget() -> None:
    """No turn bound (a script, the go-live check): every request gets the full 1.5 s."""
    server = Server(busy(503, "1"))
    client = fhir(server)
    for _ in range(2):
        with pytest.raises(Unavailable):
            await client.search("Patient", [], OP)
    assert server.attempts == [1, 2, 1, 2]


async def test_waits_are_virtual_under_stamina_testing_but_still_charged() -> None:
    """The suite's stamina testing mode skips the sleep, yet the 1 s is charged to the budget."""
    assert stamina.is_testing()
    server = Server(busy(429, "1"), httpx.Response(200, json=BUNDLE))
    turn = TurnBudget()
    started = time.perf_counter()
    with bind_turn(turn):
        assert await fhir(server).search("Patient", [], OP) == []
    assert time.perf_counter() - started < 0.5
    assert turn.spent >= 1.0


async def test_retries_are_off_when_stamina_is_inactive(turn: TurnBudget) -> None:
    """`stamina.set_active(False)` turns our retries off too."""
    server = Server(busy(503))
    stamina.set_active(False)
    try:
        with bind_turn(turn), pytest.raises(Unavailable):
            await fhir(server).search("Patient", [], OP)
    finally:
        stamina.set_active(True)
    assert server.attempts == [1]


async def test_a_retried_attempt_is_cut_off_when_the_budget_runs_out(clock: FakeClock) -> None:
    """The second attempt hangs: it is cancelled as the budget ends; the first failure stands."""

    class Hang(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.calls = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.calls += 1
            if self.calls == 1:
                return httpx.Response(503)
            await asyncio.sleep(30)
            raise AssertionError("not cut off")  # pragma: no cover

    hang = Hang()
    http = httpx.AsyncClient(transport=hang, base_url="https://ehr.example/fhir/")
    turn = TurnBudget(seconds=0.3, sleep=clock.sleep)  # real time for the attempt itself
    started = time.perf_counter()
    with bind_turn(turn), pytest.raises(Unavailable) as caught:
        await FhirClient(http).search("Patient", [], OP)
    assert caught.value.status == 503
    assert time.perf_counter() - started < 2
    assert hang.calls == 2


async def test_an_open_breaker_is_never_retried(turn: TurnBudget) -> None:
    """CircuitOpen means nothing was sent: retrying would only be refused again."""
    server = Server(httpx.Response(200, json=BUNDLE))
    breakers = TenantBreakers("t1")
    for _ in range(5):
        breakers.ehr.failed(probe=False)
    transport = BreakerTransport(
        MeteredTransport(httpx.MockTransport(server), tenant="t1", audit=MemoryAuditSink()),
        breakers=breakers,
    )
    http = httpx.AsyncClient(transport=transport, base_url="https://ehr.example/fhir/")
    with bind_turn(turn), pytest.raises(CircuitOpen):
        await FhirClient(http).search("Patient", [], OP)
    assert server.requests == []
    assert turn.retries == 0


async def test_write_once_reads_back_a_lost_write(turn: TurnBudget) -> None:
    """The answer was lost but the write landed: the read-back finds it; nothing is resent."""
    sent: list[int] = []

    async def send(attempt: int) -> str:
        sent.append(attempt)
        raise Unavailable("lost", status=503)

    async def landed() -> str | None:
        return "appointment-1"

    with bind_turn(turn):
        assert await write_once(send, landed=landed) == "appointment-1"
    assert sent == [1]


async def test_write_once_resends_only_what_did_not_land(turn: TurnBudget) -> None:
    """Refused before it was written: nothing there, so it is sent again (once is enough)."""
    sent: list[int] = []
    looked = 0

    async def send(attempt: int) -> str:
        sent.append(attempt)
        if attempt == 1:
            raise Unavailable("refused", status=503)
        return "appointment-1"

    async def landed() -> str | None:
        nonlocal looked
        looked += 1
        return None

    with bind_turn(turn):
        assert await write_once(send, landed=landed) == "appointment-1"
    assert sent == [1, 2]
    assert looked == 1


async def test_write_once_checks_a_refused_resend(turn: TurnBudget) -> None:
    """The resend says "slot taken" because our lost first attempt took it: that is ours."""
    written = False

    async def send(attempt: int) -> str:
        nonlocal written
        if attempt == 1:
            raise Unavailable("timed out", status=None)
        written = True  # the first one landed after all, late
        raise Conflict("slot taken", status=409)

    async def landed() -> str | None:
        return "appointment-1" if written else None

    with bind_turn(turn):
        assert await write_once(send, landed=landed) == "appointment-1"


async def test_write_once_never_reads_back_a_plain_refusal(turn: TurnBudget) -> None:
    """A 400 on the first attempt wrote nothing: it is raised as it is, no read-back."""

    async def send(attempt: int) -> str:
        raise InvalidRequest("bad", status=400)

    async def landed() -> str | None:
        raise AssertionError("no read-back for a refusal")

    with bind_turn(turn), pytest.raises(InvalidRequest):
        await write_once(send, landed=landed)


async def test_write_once_gives_up_within_the_budget(turn: TurnBudget, clock: FakeClock) -> None:
    """Failing every time: at most three sends, each failure read back, then Unavailable."""
    sent: list[int] = []
    looked = 0

    async def send(attempt: int) -> str:
        sent.append(attempt)
        raise Unavailable("down", status=503)

    async def landed() -> str | None:
        nonlocal looked
        looked += 1
        return None

    with bind_turn(turn), pytest.raises(Unavailable):
        await write_once(send, landed=landed)
    assert sent == [1, 2, 3]
    assert looked == 3
    assert turn.spent <= turn.seconds


async def test_an_idempotent_write_is_resent_first_and_read_back_last(turn: TurnBudget) -> None:
    """A conditional create is resent without looking; only when every answer is lost, it looks."""
    sent: list[int] = []
    looked = 0

    async def send(attempt: int) -> str:
        sent.append(attempt)
        raise Unavailable("answer lost", status=503)

    async def landed() -> str | None:
        nonlocal looked
        looked += 1
        return "appointment-1"

    with bind_turn(turn):
        assert await write_once(send, landed=landed, idempotent=True) == "appointment-1"
    assert sent == [1, 2, 3]
    assert looked == 1
