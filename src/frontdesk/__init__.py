"""frontdesk: a self-hostable front-desk agent for medical practices."""

from frontdesk._version import __version__

__all__ = ["__version__"]
