"""Fixtures for the console: a deployment with an admin account, served on a real port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from frontdesk.api import create_asgi
from frontdesk.audit import SqliteAuditSink
from frontdesk.console import hash_password
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import ConsoleAdmin, ConsoleConfig, demo_deployment
from tests._serve import serving
from tests.conftest import NOW

ADMIN, PASSWORD = "frontdesk-admin", "correct horse battery staple"
TOKEN = "console-token-for-the-tests-0123456789"


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
async def runtime(sandbox: Sandbox, tmp_path: Path, password_hash: str) -> AsyncIterator[Runtime]:
    """The demo deployment with a console admin and token, auditing into a real SQLite file."""
    audit = SqliteAuditSink(f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}")
    await audit.open()
    console = ConsoleConfig(
        admins=[ConsoleAdmin(username=ADMIN, password_hash=SecretStr(password_hash))],
        token=SecretStr(TOKEN),
    )
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment().model_copy(update={"console": console}),
        sandbox=sandbox,
        audit=audit,
        clock=lambda: NOW,
    )
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the API, the console and the sandbox, in-process."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_asgi(runtime)), base_url="http://frontdesk"
    ) as http:
        yield http


async def sign_in(client: httpx.AsyncClient) -> None:
    """Sign `client` in as the admin (the session cookie stays on the client)."""
    response = await client.post("/console/login", data={"username": ADMIN, "password": PASSWORD})
    assert response.status_code == 303, response.text


@pytest.fixture
async def server(runtime: Runtime) -> AsyncIterator[str]:
    """The agent, console and sandbox on a real port."""
    async with serving(runtime) as url:
        yield url
