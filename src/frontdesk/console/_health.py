"""Each tenant's EHR endpoint and token, as the console's tenants page shows them.

`token_status` only reads the token cache; `check` makes the requests the go-live check makes
for auth (discovery and a token request), timed, so staff can see an endpoint or a credential
go bad without placing a call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from typing import Any

import httpx

from frontdesk.auth import TokenAuth, utc_now
from frontdesk.ehr import EhrError
from frontdesk.golive import check_auth
from frontdesk.tenancy import TenantConfig, TenantServices

#: A check that takes longer than this counts as down.
CHECK_TIMEOUT = 5.0


@dataclasses.dataclass(frozen=True, slots=True)
class Health:
    """The outcome of one check of a tenant's endpoint and credentials."""

    ok: bool
    detail: str
    latency_ms: float
    checked_at: dt.datetime


async def token_status(tenant: TenantServices, *, now: dt.datetime | None = None) -> str:
    """The token the tenant holds now, in words (no request is made)."""
    auth = tenant.http.auth
    if not isinstance(auth, TokenAuth):
        return "no token needed"
    token = await auth.cached()
    if token is None:
        return "none held yet (fetched on the first request)"
    now = now or utc_now()
    left = token.expires_at - now
    if left.total_seconds() <= 0:
        return "expired; refreshed on the next request"
    minutes = int(left.total_seconds() // 60)
    state = "stale, refreshed on the next request" if token.is_stale(now) else "valid"
    return f"{state}: expires in {minutes} min"


async def check(tenant: TenantServices) -> Health:
    """Reach the tenant's endpoint and get a token, within `CHECK_TIMEOUT` seconds."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            detail = await check_auth(tenant)
        ok = True
    except TimeoutError:
        ok, detail = False, f"no answer within {CHECK_TIMEOUT:.0f} s"
    except httpx.HTTPStatusError as exc:
        ok, detail = False, f"HTTP {exc.response.status_code} from {exc.request.url.path}"
    except (httpx.HTTPError, EhrError, ValueError) as exc:
        ok, detail = False, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    latency = round((time.perf_counter() - started) * 1000, 1)
    return Health(ok=ok, detail=detail, latency_ms=latency, checked_at=utc_now())


def public_config(config: TenantConfig) -> dict[str, Any]:
    """A tenant's configuration as JSON, secrets masked."""
    return config.model_dump(mode="json", exclude_none=True)
