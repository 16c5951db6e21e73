"""Audit trail and PHI-safe operational logging.

Audit events are hash-chained rows (`SqliteAuditSink`, checked by `verify_database`);
operational logs go through `configure_logging`, whose chain ends in `redact_phi` before
any renderer. `MemoryAuditSink` is the test double.
"""

from frontdesk.audit._chain import AuditRow, ChainProblem, ChainReport, verify_chain
from frontdesk.audit._events import AuditAction, AuditEvent, AuditSink, MemoryAuditSink
from frontdesk.audit._logging import configure_logging
from frontdesk.audit._redact import redact_phi
from frontdesk.audit._sqlite import SqliteAuditSink, verify_database

__all__ = [
    "AuditAction",
    "AuditEvent",
    "AuditRow",
    "AuditSink",
    "ChainProblem",
    "ChainReport",
    "MemoryAuditSink",
    "SqliteAuditSink",
    "configure_logging",
    "redact_phi",
    "verify_chain",
    "verify_database",
]
