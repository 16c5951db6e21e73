"""Audit trail and PHI-safe operational logging.

Audit events are hash-chained rows (`SqliteAuditSink` by default, `PostgresAuditSink` for
several workers; checked by `verify_database`); operational logs go through
`configure_logging`, whose chain ends in `redact_phi` before any renderer.
`MemoryAuditSink` is the test double. The sinks read their rows back (`AuditReader`),
which is what the measured transaction figures are computed from.
"""

from frontdesk.audit._chain import AuditRow, ChainProblem, ChainReport, verify_chain
from frontdesk.audit._events import (
    AuditAction,
    AuditEvent,
    AuditReader,
    AuditSink,
    AuditTrail,
    MemoryAuditSink,
)
from frontdesk.audit._logging import configure_logging
from frontdesk.audit._postgres import PostgresAuditSink
from frontdesk.audit._redact import redact_phi
from frontdesk.audit._sqlite import SqliteAuditSink, verify_database

__all__ = [
    "AuditAction",
    "AuditEvent",
    "AuditReader",
    "AuditRow",
    "AuditSink",
    "AuditTrail",
    "ChainProblem",
    "ChainReport",
    "MemoryAuditSink",
    "PostgresAuditSink",
    "SqliteAuditSink",
    "configure_logging",
    "redact_phi",
    "verify_chain",
    "verify_database",
]
