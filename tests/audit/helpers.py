"""Builders for audit tests, and the chain's hash computed independently of frontdesk."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from frontdesk.audit import AuditAction, AuditEvent, AuditRow

GENESIS = "0" * 64
T0 = dt.datetime(2025, 3, 4, 15, 0, tzinfo=dt.UTC)


def make_event(n: int = 0, **changes: Any) -> AuditEvent:
    """An event varied by ``n``: two tenants, five calls, reads and writes."""
    fields: dict[str, Any] = {
        "at": T0 + dt.timedelta(seconds=n, microseconds=n * 7),
        "tenant": "north" if n % 2 else "south",
        "call_id": f"CA{n % 5:04d}",
        "action": AuditAction.EHR_WRITE if n % 3 == 0 else AuditAction.EHR_READ,
        "operation": "modmed.slot.search",
        "resource_type": "Slot",
        "resource_id": f"slot-{n}",
        "outcome": "ok",
        "status": 200,
        "latency_ms": 12.5 + n,
        "attempt": 1 + n % 2,
        "detail": {"visit_type": "new-patient", "n": str(n)},
    }
    fields.update(changes)
    return AuditEvent(**fields)


def hashed_fields(seq: int, event: AuditEvent) -> dict[str, Any]:
    """The row as the chain's spec says it is hashed."""
    return {
        "seq": seq,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "tenant": event.tenant,
        "call_id": event.call_id,
        "action": str(event.action),
        "operation": event.operation,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "outcome": event.outcome,
        "status": event.status,
        "latency_ms": event.latency_ms,
        "attempt": event.attempt,
        "actor": event.actor,
        "detail": dict(event.detail),
    }


def spec_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """sha256(prev_hash + canonical JSON of the row), per the spec."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def build_chain(count: int, *, genesis: str = GENESIS) -> list[AuditRow]:
    """A valid chain of ``count`` rows, built without frontdesk's own hashing."""
    rows: list[AuditRow] = []
    prev = genesis
    for seq in range(1, count + 1):
        event = make_event(seq)
        digest = spec_hash(prev, hashed_fields(seq, event))
        rows.append(AuditRow(seq=seq, event=event, prev_hash=prev, hash=digest))
        prev = digest
    return rows


def problems(report: Any) -> list[tuple[int, str]]:
    """A report's problems as (seq, kind) pairs."""
    return [(p.seq, p.kind) for p in report.problems]
