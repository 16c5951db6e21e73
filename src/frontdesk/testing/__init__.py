"""Public test helpers: a scripted caller for the HTTP API (more doubles come with later seams)."""

from frontdesk.testing._caller import CallFailed, ScriptedCaller

__all__ = ["CallFailed", "ScriptedCaller"]
