"""The real PostgreSQL and Redis on this machine, for the scale-out tests.

`postgres_url()` and `redis_url()` return a URL when the service answers. When it does not,
the test is skipped with the reason, unless `FRONTDESK_REQUIRE_SERVICES=1` (set by `make test`,
so CI), in which case it fails: a CI run never passes by skipping them.
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES = os.environ.get(
    "FRONTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("FRONTDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _unavailable(what: str, where: str) -> None:
    reason = (
        f"{what} is not reachable at {where}; start it (see README, Scale-out) to run this test"
    )
    if os.environ.get("FRONTDESK_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (FRONTDESK_REQUIRE_SERVICES=1: CI must not skip it)")
    pytest.skip(reason)


def postgres_url() -> str:
    """An admin (trust auth) URL of the machine's PostgreSQL: `postgresql://…/postgres`."""
    if not _answers("127.0.0.1", 5432):
        _unavailable("PostgreSQL", "127.0.0.1:5432")
    return POSTGRES


def redis_url() -> str:
    """The machine's Redis: `redis://127.0.0.1:6379/0`."""
    if not _answers("127.0.0.1", 6379):
        _unavailable("Redis", "127.0.0.1:6379")
    return REDIS
