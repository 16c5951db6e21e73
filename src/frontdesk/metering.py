"""The one place every outbound EHR/payer request passes: timed, metered, audited.

Requests carry an `Operation` (a cost-catalog name plus the resource they touch) in their
httpx extensions. `MeteredTransport` wraps the real transport of a tenant's client, so token
requests made inside `httpx.Auth` flows are metered as well as FHIR calls. What a call spent
is collected in the `CallLedger` bound to the running turn (a context variable), which is how
`GET /v1/calls/{id}` lists a call's EHR transactions.

It also feeds the Prometheus metrics served at `GET /metrics`: requests by tenant, operation
and outcome, their latency, and token refreshes by tenant.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import datetime as dt
import time
from collections.abc import Iterator, Sequence

import httpx
from prometheus_client import Counter, Histogram

from frontdesk.audit import AuditAction, AuditEvent, AuditSink
from frontdesk.costs import operation as catalogued

EXTENSION = "frontdesk.operation"

#: Seconds, from a cached sandbox read to an EHR at the end of its tether.
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)

REQUESTS = Counter(
    "frontdesk_ehr_requests_total",
    "Outbound EHR and payer requests by tenant, catalog operation and outcome"
    " (circuit_open: refused by the tenant's breaker, never sent).",
    ["tenant", "operation", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "frontdesk_ehr_request_seconds",
    "Latency of outbound EHR and payer requests by tenant and catalog operation.",
    ["tenant", "operation"],
    buckets=BUCKETS,
)
TOKEN_REFRESHES = Counter(
    "frontdesk_token_refreshes_total",
    "Token requests (EHR and payer token endpoints) by tenant, operation and outcome.",
    ["tenant", "operation", "outcome"],
)


def is_token_operation(name: str) -> bool:
    """Whether a catalogued operation fetches an access token."""
    return name.endswith((".oauth2.grant", ".token"))


def record_short_circuit(tenant: str, operation: str) -> None:
    """Count a request the tenant's circuit breaker refused (it was never sent)."""
    REQUESTS.labels(tenant, operation, "circuit_open").inc()


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """What an outbound request is for, in the cost catalog's terms."""

    name: str
    resource_type: str | None = None
    resource_id: str | None = None
    attempt: int = 1

    def __post_init__(self) -> None:
        catalogued(self.name)  # an uncatalogued operation is a programming error

    def extensions(self) -> dict[str, object]:
        """The httpx request extensions that carry this operation."""
        return {EXTENSION: self}


@dataclasses.dataclass(frozen=True, slots=True)
class Transaction:
    """One request as the call's ledger and the audit trail see it."""

    at: dt.datetime
    operation: str
    tier: str
    method: str
    resource_type: str | None
    resource_id: str | None
    status: int | None
    outcome: str
    latency_ms: float
    attempt: int


def busy_ms(transactions: Sequence[Transaction]) -> float:
    """Wall time during which at least one of `transactions` was in flight (overlaps merged)."""
    spans = sorted(
        (t.at.timestamp() * 1000 - t.latency_ms, t.at.timestamp() * 1000) for t in transactions
    )
    total = 0.0
    current: tuple[float, float] | None = None
    for start, end in spans:
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return total


@dataclasses.dataclass(slots=True)
class CallLedger:
    """The transactions one call made, in order."""

    call_id: str
    transactions: list[Transaction] = dataclasses.field(default_factory=list)


_ledger: contextvars.ContextVar[CallLedger | None] = contextvars.ContextVar(
    "frontdesk_call_ledger", default=None
)


@contextlib.contextmanager
def bind_call(ledger: CallLedger) -> Iterator[CallLedger]:
    """Attribute every request made inside the block (and its tasks) to `ledger`."""
    token = _ledger.set(ledger)
    try:
        yield ledger
    finally:
        _ledger.reset(token)


def current_ledger() -> CallLedger | None:
    """The ledger of the call being served, if any."""
    return _ledger.get()


def outcome_of(status: int) -> str:
    """The audit outcome word for an HTTP status."""
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "unauthorized"
    if status == 404:
        return "not_found"
    if status == 409:
        return "conflict"
    if status == 429 or status >= 500:
        return "unavailable"
    return "rejected"


def _created_id(response: httpx.Response) -> str | None:
    location = response.headers.get("location")
    if not location:
        return None
    parts = location.rstrip("/").split("/")
    # ".../Appointment/123" or ".../Appointment/123/_history/1"
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return parts[-1] or None


class MeteredTransport(httpx.AsyncBaseTransport):
    """Wraps a tenant's transport: times, meters and audits every request."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, tenant: str, audit: AuditSink) -> None:
        self._inner = inner
        self._tenant = tenant
        self._audit = audit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request and record what happened."""
        op = request.extensions.get(EXTENSION)
        if not isinstance(op, Operation):
            raise TypeError(
                f"outbound request without an Operation: {request.method} {request.url.path}"
            )
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except (httpx.TimeoutException, asyncio.CancelledError):
            # A cancelled request is one a caller's time budget gave up on: a timeout too.
            self._record(request, op, None, "timeout", started)
            raise
        except httpx.TransportError:
            self._record(request, op, None, "unavailable", started)
            raise
        resource_id = op.resource_id
        if request.method == "POST" and response.status_code < 300:
            resource_id = _created_id(response) or resource_id
        self._record(
            request,
            dataclasses.replace(op, resource_id=resource_id),
            response.status_code,
            outcome_of(response.status_code),
            started,
        )
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()

    def _record(
        self,
        request: httpx.Request,
        op: Operation,
        status: int | None,
        outcome: str,
        started: float,
    ) -> None:
        latency_ms = (time.perf_counter() - started) * 1000
        entry = catalogued(op.name)
        now = dt.datetime.now(dt.UTC)
        ledger = _ledger.get()
        if ledger is not None:
            ledger.transactions.append(
                Transaction(
                    at=now,
                    operation=op.name,
                    tier=entry.tier,
                    method=request.method,
                    resource_type=op.resource_type,
                    resource_id=op.resource_id,
                    status=status,
                    outcome=outcome,
                    latency_ms=round(latency_ms, 2),
                    attempt=op.attempt,
                )
            )
        REQUESTS.labels(self._tenant, op.name, outcome).inc()
        REQUEST_SECONDS.labels(self._tenant, op.name).observe(latency_ms / 1000)
        if is_token_operation(op.name):
            TOKEN_REFRESHES.labels(self._tenant, op.name, outcome).inc()
            action = AuditAction.AUTH
        elif entry.access == "write":
            action = AuditAction.EHR_WRITE
        else:
            action = AuditAction.EHR_READ
        self._audit.record(
            AuditEvent(
                at=now,
                tenant=self._tenant,
                call_id=ledger.call_id if ledger else None,
                action=action,
                operation=op.name,
                resource_type=op.resource_type,
                resource_id=op.resource_id,
                outcome=outcome,
                status=status,
                latency_ms=round(latency_ms, 2),
                attempt=op.attempt,
            )
        )
