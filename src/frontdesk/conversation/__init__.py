"""The conversation: typed call state, building blocks, flows, prompts and the engine."""

from __future__ import annotations

from frontdesk.conversation.state import (
    FIELDS,
    CallState,
    Source,
    Sourced,
    field_description,
    field_sources,
)

__all__ = [
    "FIELDS",
    "CallState",
    "Source",
    "Sourced",
    "field_description",
    "field_sources",
    "load_blocks",
]


def load_blocks() -> None:
    """Register every building block (idempotent)."""
    import frontdesk.conversation.blocks  # noqa: F401  # importing registers the blocks
