"""A clinic whose breakers run on a clock the test holds, and the helpers its tests share."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from frontdesk.api import create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.conversation.engine import Engine
from frontdesk.ehr import BreakerPolicy, TenantBreakers
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import TenantServices, build_registry, demo_deployment
from tests.conftest import NOW


class FakeClock:
    """Monotonic seconds that move only when told to, or when something sleeps on them.

    Sleeps that start together end together (each yields once first), so overlapping waits
    advance the clock once, as they would in real time.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        target = self.now + seconds
        self.sleeps.append(seconds)
        await asyncio.sleep(0)
        self.now = max(self.now, target)


@dataclasses.dataclass
class Clinic:
    """The demo deployment on the sandbox, over HTTP, with the breakers' clock in hand."""

    client: httpx.AsyncClient
    runtime: Runtime
    sandbox: Sandbox
    clock: FakeClock

    def tenant(self, tenant_id: str) -> TenantServices:
        tenant = self.runtime.tenants.get(tenant_id)
        assert tenant is not None
        return tenant

    def breakers(self, tenant_id: str) -> TenantBreakers:
        breakers = self.tenant(tenant_id).breakers
        assert breakers is not None
        return breakers

    async def faults(self, *rules: dict[str, Any]) -> None:
        """Replace the sandbox's fault rules (through its inspection surface)."""
        response = await self.client.put("/sandbox/faults", json=list(rules))
        assert response.status_code < 300, response.text

    async def requests(self, space: str) -> list[dict[str, Any]]:
        """The sandbox's request log for one firm or org (`GET /sandbox/requests`)."""
        response = await self.client.get("/sandbox/requests", params={"space": space})
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()["requests"]
        return rows


@pytest.fixture
async def clinic(sandbox: Sandbox) -> AsyncIterator[Clinic]:
    """The demo clinic whose tenants' breakers run on a `FakeClock` (30 s cool-down)."""
    clock = FakeClock()
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment(),
        sandbox=sandbox,
        audit=MemoryAuditSink(),
        clock=lambda: NOW,
    )
    await runtime.tenants.aclose()
    tenants = build_registry(
        runtime.deployment,
        audit=runtime.audit,
        tokens=runtime.tokens,
        sandbox=sandbox,
        breaker=BreakerPolicy(failures=5, cooldown_s=30.0),
        breaker_clock=clock,
    )
    engine = Engine(tenants, runtime.store, runtime.audit, clock=lambda: NOW)
    runtime = dataclasses.replace(runtime, tenants=tenants, engine=engine)
    transport = httpx.ASGITransport(app=create_asgi(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://frontdesk") as client:
        yield Clinic(client, runtime, sandbox, clock)
    await runtime.aclose()
