"""The audit record, the sink seam, and the in-memory sink tests use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import types
from collections.abc import Mapping
from typing import Protocol


class AuditAction(enum.StrEnum):
    """What kind of thing happened."""

    EHR_READ = "ehr_read"
    EHR_WRITE = "ehr_write"
    AUTH = "auth"
    DISCLOSURE = "disclosure"
    HANDOFF = "handoff"
    SAFETY_ESCALATION = "safety_escalation"
    CALL_STARTED = "call_started"
    CALL_ENDED = "call_ended"


@dataclasses.dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audited action. It holds identifiers and outcomes, never free-text PHI.

    Attributes:
        at: When it happened; timezone-aware, normalized to UTC.
        tenant: The practice.
        call_id: The call it happened on, if any.
        action: What kind of thing happened.
        operation: The cost-catalog operation name, e.g. ``"modmed.slot.search"``.
        resource_type: The FHIR resource type touched, e.g. ``"Slot"``.
        resource_id: The identifier of the resource touched; never free text.
        outcome: ``"ok"``, ``"not_found"``, ``"conflict"``, ``"rejected"``,
            ``"unauthorized"``, ``"unavailable"``, ``"timeout"`` or ``"error"``.
        status: The HTTP status, when there was one.
        latency_ms: How long the operation took.
        attempt: Which attempt this was (1 for the first).
        actor: Who acted: ``"agent"`` unless staff did.
        detail: Non-PHI extras, string to string; stored as a read-only copy.
    """

    at: dt.datetime
    tenant: str
    call_id: str | None
    action: AuditAction
    operation: str
    resource_type: str | None
    resource_id: str | None
    outcome: str
    status: int | None = None
    latency_ms: float | None = None
    attempt: int = 1
    actor: str = "agent"
    detail: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError("AuditEvent.at must be timezone-aware")
        detail = dict(self.detail)
        for key, value in detail.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError("AuditEvent.detail maps str to str")
        latency = self.latency_ms
        if latency is not None and not math.isfinite(latency):
            raise ValueError("AuditEvent.latency_ms must be finite")
        # Normalize what the hash chain serializes, so an event reads back equal to what was
        # written: UTC instants, float latencies, enum actions, and a copy nobody else can mutate.
        object.__setattr__(self, "at", self.at.astimezone(dt.UTC))
        object.__setattr__(self, "action", AuditAction(self.action))
        object.__setattr__(self, "latency_ms", None if latency is None else float(latency))
        object.__setattr__(self, "detail", types.MappingProxyType(detail))


class AuditSink(Protocol):
    """Where audit events go.

    ``write`` is durable when it returns. ``record`` queues an event without waiting, so a
    hot path (every EHR request) does not stall on the database; ``flush`` makes everything
    recorded so far durable, and the engine calls it before the caller hears the outcome.
    """

    async def write(self, event: AuditEvent) -> None:
        """Record one event and wait until it is durable."""
        ...

    def record(self, event: AuditEvent) -> None:
        """Queue one event; it is durable after the next `flush`."""
        ...

    async def flush(self) -> None:
        """Wait until every recorded event is durable."""
        ...

    async def close(self) -> None:
        """Release resources; further writes fail."""
        ...


class MemoryAuditSink:
    """An `AuditSink` that keeps events in a list, for tests.

    Attributes:
        events: Every event written, in order.
        closed: Whether `close` was called.
    """

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.closed = False

    async def write(self, event: AuditEvent) -> None:
        """Append the event to `events`.

        Raises:
            RuntimeError: The sink was closed.
        """
        self.record(event)

    def record(self, event: AuditEvent) -> None:
        """Append the event to `events` (memory has nothing to wait for).

        Raises:
            RuntimeError: The sink was closed.
        """
        if self.closed:
            raise RuntimeError("write() on a closed MemoryAuditSink")
        self.events.append(event)

    async def flush(self) -> None:
        """Nothing to do: events are in `events` as soon as they are recorded."""

    async def close(self) -> None:
        """Mark the sink closed."""
        self.closed = True
