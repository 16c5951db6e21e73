"""Call-state stores: in-memory by default, Redis for several workers, behind one protocol."""

from frontdesk.store._errors import CallBusy, CallConflict, CallNotFound, StaleCall
from frontdesk.store._memory import CallStore, MemoryCallStore
from frontdesk.store._redis import RedisCallStore

__all__ = [
    "CallBusy",
    "CallConflict",
    "CallNotFound",
    "CallStore",
    "MemoryCallStore",
    "RedisCallStore",
    "StaleCall",
]
