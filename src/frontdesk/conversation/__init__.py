"""The conversation: typed call state, building blocks, flows, prompts and the engine."""

from __future__ import annotations


def load_blocks() -> None:
    """Register every building block (idempotent)."""
    import frontdesk.conversation.blocks  # noqa: F401  # importing registers the blocks
