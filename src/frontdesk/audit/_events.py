"""The audit record, the sink and reader seams, and the in-memory sink tests use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from frontdesk.audit._chain import AuditRow, ChainReport


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


class AuditReader(Protocol):
    """Where audit events are read back from (`SqliteAuditSink`, `MemoryAuditSink`)."""

    async def rows(
        self, *, tenant: str | None = None, call_id: str | None = None, limit: int | None = None
    ) -> list[AuditRow]:
        """The stored rows in seq order, optionally filtered; ``limit`` keeps the first ones."""
        ...

    async def verify(self) -> ChainReport:
        """Check the whole chain: every hash recomputed, every link followed."""
        ...


class AuditTrail(AuditSink, AuditReader, Protocol):
    """A trail that is written and read back: what a running deployment holds."""


class MemoryAuditSink:
    """An `AuditSink` and `AuditReader` that keeps events in a list, for tests.

    Attributes:
        events: Every event written, in order.
        closed: Whether `close` was called.
    """

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.closed = False
        # hashes[i] is the chain hash of events[i], computed when `rows` first saw it: an
        # event changed in place afterwards no longer matches, as a tampered table row would.
        self._hashes: list[str] = []

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

    async def rows(
        self, *, tenant: str | None = None, call_id: str | None = None, limit: int | None = None
    ) -> list[AuditRow]:
        """`events` as hash-chained rows (seq from 1), like `SqliteAuditSink.rows`.

        Filtered rows keep their seq and hashes in the whole chain; ``limit`` keeps the first
        ones. Works on a closed sink too (a test reads the trail after the runtime closed it).
        """
        # Late: the chain module builds on AuditEvent, defined here.
        from frontdesk.audit._chain import GENESIS_HASH, AuditRow, chain_hash

        if len(self._hashes) > len(self.events):
            self._hashes.clear()  # events were removed: the list is a new chain
        prev_hash = self._hashes[-1] if self._hashes else GENESIS_HASH
        for seq in range(len(self._hashes) + 1, len(self.events) + 1):
            prev_hash = chain_hash(prev_hash, seq, self.events[seq - 1])
            self._hashes.append(prev_hash)
        rows: list[AuditRow] = []
        for index, event in enumerate(self.events):
            if limit is not None and len(rows) >= limit:
                break
            if tenant is not None and event.tenant != tenant:
                continue
            if call_id is not None and event.call_id != call_id:
                continue
            prev_hash = self._hashes[index - 1] if index else GENESIS_HASH
            rows.append(AuditRow(index + 1, event, prev_hash, self._hashes[index]))
        return rows

    async def verify(self) -> ChainReport:
        """Verify the chain `rows` gives (an event changed in place shows as edited)."""
        from frontdesk.audit._chain import verify_chain

        return verify_chain(await self.rows())

    async def close(self) -> None:
        """Mark the sink closed."""
        self.closed = True
