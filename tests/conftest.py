"""Shared fixtures: a fresh sandbox clinic and a runtime on it, with a fixed clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import stamina

from frontdesk.api import create_asgi
from frontdesk.audit import SqliteAuditSink
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox, create_sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment

#: Saturday 21 November 2026, 10:00 in Boca Raton: the demo's "now" in tests.
NOW = dt.datetime(2026, 11, 21, 15, 0, tzinfo=dt.UTC)
#: The sandbox's schedules start on the Monday after.
ANCHOR = dt.date(2026, 11, 23)
BOCA = "+15615550100"
PALM = "+13865550100"


@pytest.fixture(autouse=True)
def _no_retry_waits() -> Iterator[None]:
    """Retries happen, but without sleeping through their backoff."""
    stamina.set_testing(True, attempts=3)
    yield
    stamina.set_testing(False)


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh demo clinic."""
    return create_sandbox(anchor=ANCHOR)


@pytest.fixture
async def runtime(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Runtime]:
    """The demo deployment on the sandbox, auditing into a real SQLite file."""
    audit = SqliteAuditSink(f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}")
    await audit.open()
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment(),
        sandbox=sandbox,
        audit=audit,
        clock=lambda: NOW,
    )
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the API (and the sandbox beside it), in-process."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_asgi(runtime)), base_url="http://frontdesk"
    ) as http:
        yield http
