"""ModMed password grant: one token for many requests, refreshed before expiry and after a 401."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from frontdesk.audit import MemoryAuditSink
from frontdesk.auth import AccessToken, MemoryTokenCache, ModMedPasswordAuth
from frontdesk.ehr import AuthError, PatientQuery
from frontdesk.ehr.modmed import ModMedConnector
from frontdesk.metering import MeteredTransport
from frontdesk.sandbox import Sandbox
from frontdesk.tenancy import EMBEDDED_SANDBOX, TenantRegistry, build_registry, demo_deployment

QUERY = PatientQuery(family="Nguyen", birth_date=dt.date(1990, 7, 14))


@pytest.fixture
async def tenants(sandbox: Sandbox) -> AsyncIterator[TenantRegistry]:
    registry = build_registry(
        demo_deployment(), audit=MemoryAuditSink(), tokens=MemoryTokenCache(), sandbox=sandbox
    )
    yield registry
    await registry.aclose()


def grants(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.route.endswith("grant"))


async def test_hundred_concurrent_requests_fetch_one_token(
    tenants: TenantRegistry, sandbox: Sandbox
) -> None:
    """100 concurrent searches on a cold tenant make exactly one token request."""
    boca = tenants.get("boca-derm")
    assert boca is not None
    results = await asyncio.gather(*(boca.ehr.find_patients(QUERY) for _ in range(100)))
    assert all(len(r) == 1 for r in results)
    assert grants(sandbox) == 1
    searches = [r for r in sandbox.requests if r.route == "modmed.patient.search"]
    assert len(searches) == 100
    assert all(r.status == 200 for r in searches)


async def test_revoked_token_is_refreshed_once_and_replayed(
    tenants: TenantRegistry, sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    """After a revocation: one 401, one new token, the request replayed and answered."""
    boca = tenants.get("boca-derm")
    assert boca is not None
    await boca.ehr.find_patients(QUERY)
    response = await client.post("/sandbox/tokens/revoke", json={"space": "bocaderm"})
    assert response.status_code < 300
    sandbox.requests.clear()
    assert len(await boca.ehr.find_patients(QUERY)) == 1
    assert [(r.route, r.status) for r in sandbox.requests if r.space == "bocaderm"] == [
        ("modmed.patient.search", 401),
        ("modmed.grant", 200),
        ("modmed.patient.search", 200),
    ]


def _auth(
    sandbox: Sandbox, clock: list[dt.datetime], password: str | None = None
) -> ModMedPasswordAuth:
    creds = sandbox.credentials("bocaderm")
    base = EMBEDDED_SANDBOX + sandbox.modmed_base_path("bocaderm")
    return ModMedPasswordAuth(
        token_url=f"{base}/ws/oauth2/grant",
        api_key=SecretStr(creds.api_key),
        username=creds.username,
        password=SecretStr(password or creds.password),
        cache=MemoryTokenCache(),
        cache_key="boca",
        clock=lambda: clock[0],
    )


def _connector(sandbox: Sandbox, auth: ModMedPasswordAuth) -> ModMedConnector:
    base = EMBEDDED_SANDBOX + sandbox.modmed_base_path("bocaderm")
    http = httpx.AsyncClient(
        base_url=f"{base}/fhir/v2/",
        auth=auth,
        transport=MeteredTransport(
            httpx.ASGITransport(app=sandbox.app), tenant="boca-derm", audit=MemoryAuditSink()
        ),
    )
    return ModMedConnector(http)


async def test_token_is_refreshed_before_it_expires(sandbox: Sandbox) -> None:
    """Within a minute of expiry the next request fetches a fresh token first."""
    clock = [dt.datetime.now(dt.UTC)]
    connector = _connector(sandbox, _auth(sandbox, clock))
    await connector.find_patients(QUERY)
    await connector.find_patients(QUERY)
    assert grants(sandbox) == 1
    clock[0] += dt.timedelta(seconds=3600 - 30)  # the sandbox's tokens live an hour
    await connector.find_patients(QUERY)
    assert grants(sandbox) == 2


async def test_wrong_password_is_an_auth_error_and_secrets_stay_hidden(sandbox: Sandbox) -> None:
    """A refused grant raises AuthError; the password never appears in reprs or errors."""
    auth = _auth(sandbox, [dt.datetime.now(dt.UTC)], password="hunter2-wrong")
    connector = _connector(sandbox, auth)
    with pytest.raises(AuthError) as info:
        await connector.find_patients(QUERY)
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in repr(vars(auth))
    token = AccessToken("secret-token-value", dt.datetime.now(dt.UTC))
    assert "secret-token-value" not in repr(token)
