"""Per-tenant circuit breakers: a sick EHR is left alone, and callers hear so at once.

Each tenant has one breaker per endpoint it calls (`TenantBreakers`), chosen from the
request's cost-catalog operation:

* ``ehr``: FHIR reads and writes and the vendor's private services;
* ``token``: the EHR's token endpoint and SMART discovery. A token server that fails does not
  open ``ehr``: requests with a cached token still go through, and only a needed refresh is
  refused while ``token`` is open;
* ``payer``: pVerify (its token and its summaries), which only ever costs the call an
  eligibility answer; it never stops a booking.

A breaker is *closed* until the endpoint fails `BreakerPolicy.failures` times in a row, or
fails at `failure_rate` or more of at least `min_calls` requests in the last `window_s`
seconds. A failure is a timeout, a transport error or a 5xx; any other answer (4xx included:
the server is alive) is a success, and a 429 or a cancelled request is neither. Then it is
*open* for `cooldown_s`: `BreakerTransport` raises `CircuitOpen` before the transport, so no
request is sent at all and the engine's fallback is heard within the turn. After the
cool-down it is *half-open*: one probe goes through (others are still refused); its success
closes the breaker, its failure opens it for another cool-down.

The clock is injectable (`clock`, monotonic seconds), so tests step through a cool-down
without waiting for it.
"""

from __future__ import annotations

import collections
import dataclasses
import enum
import time
from collections.abc import Callable

import httpx
import structlog
from prometheus_client import Counter, Gauge

from frontdesk.ehr._errors import CircuitOpen
from frontdesk.metering import EXTENSION, Operation, record_short_circuit

log = structlog.get_logger(__name__)

Clock = Callable[[], float]


class BreakerState(enum.StrEnum):
    """Where a breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Endpoint(enum.StrEnum):
    """What a tenant calls, each behind a breaker of its own."""

    EHR = "ehr"
    TOKEN = "token"
    PAYER = "payer"


#: The gauge's value per state.
STATE_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}

BREAKER_STATE = Gauge(
    "frontdesk_ehr_breaker_state",
    "Circuit breaker state per tenant and endpoint: 0 closed, 1 half-open, 2 open.",
    ["tenant", "endpoint"],
)
BREAKER_TRANSITIONS = Counter(
    "frontdesk_ehr_breaker_transitions_total",
    "Circuit breaker state changes per tenant and endpoint, by the state entered.",
    ["tenant", "endpoint", "state"],
)


def endpoint_of(operation: str) -> Endpoint:
    """The endpoint a catalogued operation calls."""
    if operation.startswith("pverify."):
        return Endpoint.PAYER
    if operation.endswith((".oauth2.token", ".oauth2.grant", ".smart_configuration")):
        return Endpoint.TOKEN
    return Endpoint.EHR


@dataclasses.dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """When a breaker opens and how long it stays open.

    Attributes:
        failures: Consecutive failures that open it.
        failure_rate: Share of failures in the window that opens it…
        min_calls: …once the window holds at least this many requests.
        window_s: The window, in seconds.
        cooldown_s: Seconds it stays open before letting one probe through.
    """

    failures: int = 5
    failure_rate: float = 0.5
    min_calls: int = 20
    window_s: float = 30.0
    cooldown_s: float = 30.0


class CircuitBreaker:
    """One endpoint's breaker: closed → open → half-open (one probe) → closed or open."""

    def __init__(
        self,
        tenant: str,
        endpoint: Endpoint,
        *,
        policy: BreakerPolicy | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.tenant = tenant
        self.endpoint = endpoint
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._recent: collections.deque[tuple[float, bool]] = collections.deque()
        self._opened_at = 0.0
        self._probing = False
        self._publish()

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker whose cool-down is over reads half-open)."""
        if self._state is BreakerState.OPEN and self._cooled_down():
            return BreakerState.HALF_OPEN
        return self._state

    def retry_in(self) -> float:
        """Seconds until the breaker lets a probe through (0 unless open)."""
        if self._state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.policy.cooldown_s - self._clock())

    def admit(self) -> bool:
        """Let a request through, or raise `CircuitOpen`; True when it is the probe."""
        if self._state is BreakerState.OPEN:
            if not self._cooled_down():
                raise CircuitOpen(self.tenant, self.endpoint.value, retry_in=self.retry_in())
            self._enter(BreakerState.HALF_OPEN)
        if self._state is BreakerState.HALF_OPEN:
            if self._probing:
                raise CircuitOpen(self.tenant, self.endpoint.value, retry_in=0.0)
            self._probing = True
            return True
        return False

    def succeeded(self, probe: bool) -> None:
        """The request got an answer from a live server."""
        if probe:
            self._probing = False
        self._consecutive = 0
        self._note(ok=True)
        if self._state is BreakerState.HALF_OPEN and probe:
            self._enter(BreakerState.CLOSED)

    def failed(self, probe: bool) -> None:
        """The request timed out, could not connect, or got a 5xx."""
        if probe:
            self._probing = False
        if self._state is BreakerState.HALF_OPEN:
            if probe:
                self._open()
            return
        if self._state is BreakerState.OPEN:
            return  # a request admitted before it opened
        self._consecutive += 1
        self._note(ok=False)
        if self._consecutive >= self.policy.failures or self._rate_exceeded():
            self._open()

    def released(self, probe: bool) -> None:
        """The request says nothing about the server's health (429, cancelled)."""
        if probe:
            self._probing = False

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self.policy.cooldown_s

    def _note(self, *, ok: bool) -> None:
        now = self._clock()
        self._recent.append((now, ok))
        while self._recent and self._recent[0][0] < now - self.policy.window_s:
            self._recent.popleft()

    def _rate_exceeded(self) -> bool:
        if len(self._recent) < self.policy.min_calls:
            return False
        failed = sum(1 for _, ok in self._recent if not ok)
        return failed / len(self._recent) >= self.policy.failure_rate

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._enter(BreakerState.OPEN)

    def _enter(self, state: BreakerState) -> None:
        if state is self._state:
            return
        self._state = state
        if state is BreakerState.CLOSED:
            self._consecutive = 0
            self._recent.clear()
        log.warning(
            "circuit_breaker",
            tenant=self.tenant,
            endpoint=self.endpoint.value,
            state=state.value,
        )
        BREAKER_TRANSITIONS.labels(self.tenant, self.endpoint.value, state.value).inc()
        self._publish()

    def _publish(self) -> None:
        BREAKER_STATE.labels(self.tenant, self.endpoint.value).set(STATE_VALUE[self._state])


class TenantBreakers:
    """One tenant's breakers, one per `Endpoint`, created on first use."""

    def __init__(
        self, tenant: str, *, policy: BreakerPolicy | None = None, clock: Clock = time.monotonic
    ) -> None:
        self.tenant = tenant
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._breakers: dict[Endpoint, CircuitBreaker] = {}

    def __getitem__(self, endpoint: Endpoint) -> CircuitBreaker:
        breaker = self._breakers.get(endpoint)
        if breaker is None:
            breaker = CircuitBreaker(self.tenant, endpoint, policy=self.policy, clock=self._clock)
            self._breakers[endpoint] = breaker
        return breaker

    def for_operation(self, operation: str) -> CircuitBreaker:
        """The breaker guarding a catalogued operation."""
        return self[endpoint_of(operation)]

    @property
    def ehr(self) -> CircuitBreaker:
        """The breaker of the EHR's own endpoint."""
        return self[Endpoint.EHR]


class BreakerTransport(httpx.AsyncBaseTransport):
    """Wraps a tenant's (metered) transport: refuses requests while their breaker is open.

    It sits outermost, so a refused request is never sent, metered or audited (it is counted
    in the request metrics as ``circuit_open``).
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, *, breakers: TenantBreakers) -> None:
        self._inner = inner
        self._breakers = breakers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request through its endpoint's breaker, and tell the breaker how it went."""
        op = request.extensions.get(EXTENSION)
        name = op.name if isinstance(op, Operation) else "unknown"
        breaker = self._breakers.for_operation(name)
        try:
            probe = breaker.admit()
        except CircuitOpen:
            record_short_circuit(self._breakers.tenant, name)
            raise
        try:
            response = await self._inner.handle_async_request(request)
        except (httpx.TimeoutException, httpx.TransportError):
            breaker.failed(probe)
            raise
        except BaseException:
            breaker.released(probe)
            raise
        if response.status_code >= 500:
            breaker.failed(probe)
        elif response.status_code == 429:
            breaker.released(probe)
        else:
            breaker.succeeded(probe)
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()
