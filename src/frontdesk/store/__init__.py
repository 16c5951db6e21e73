"""Call-state stores: in-memory by default (Redis plugs in behind the same protocol)."""

from frontdesk.store._memory import CallNotFound, CallStore, MemoryCallStore

__all__ = ["CallNotFound", "CallStore", "MemoryCallStore"]
