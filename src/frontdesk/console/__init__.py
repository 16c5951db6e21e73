"""The web console at `/console`: flow map, API catalog, cost estimator, calls, audit, tenants.

Server-rendered (Jinja2) with a little plain JavaScript; everything behind a sign-in.
"""

from frontdesk.console._access import ConsoleAccess, check_password, hash_password

__all__ = ["ConsoleAccess", "check_password", "hash_password"]
