"""Access tokens and the cache that shares them between a tenant's requests."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import httpx
import jwt

from frontdesk.ehr._errors import AuthError, InvalidResponse

Clock = Callable[[], dt.datetime]

#: Used when a token response states no lifetime and the token is not a readable JWT
#: (ModMed's legacy password grant documents no `expires_in`; its newer tokens last 900 s).
DEFAULT_TTL = dt.timedelta(seconds=900)


def utc_now() -> dt.datetime:
    """The current time, tz-aware UTC."""
    return dt.datetime.now(dt.UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and when it stops working."""

    value: str
    expires_at: dt.datetime

    def __repr__(self) -> str:
        return f"AccessToken(value='***', expires_at={self.expires_at.isoformat()})"

    def is_stale(self, now: dt.datetime) -> bool:
        """True once the token is within a minute of expiry: refresh before it runs out."""
        return now >= self.expires_at - dt.timedelta(seconds=60)


class TokenCache(Protocol):
    """Where tokens live between requests: in this process, or in Redis for several workers."""

    async def get(self, key: str) -> AccessToken | None:
        """The cached token for `key`, if any."""
        ...

    async def set(self, key: str, token: AccessToken) -> None:
        """Remember `token` under `key`."""
        ...

    async def discard(self, key: str, token: AccessToken) -> None:
        """Forget `token`, unless it was already replaced by a newer one."""
        ...

    def refreshing(self, key: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Held while one worker fetches the token for `key`, so the others wait for it.

        `TokenAuth` already single-flights within a process; a cache shared by several
        processes makes that hold across them. Whoever gets in next reads the cache again.
        """
        ...


class MemoryTokenCache:
    """A per-process token cache."""

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}

    async def get(self, key: str) -> AccessToken | None:
        """The cached token for `key`, if any."""
        return self._tokens.get(key)

    async def set(self, key: str, token: AccessToken) -> None:
        """Remember `token` under `key`."""
        self._tokens[key] = token

    async def discard(self, key: str, token: AccessToken) -> None:
        """Forget `token`, unless it was already replaced by a newer one."""
        if self._tokens.get(key) == token:
            del self._tokens[key]

    @contextlib.asynccontextmanager
    async def refreshing(self, key: str) -> AsyncIterator[None]:
        """Nothing to hold: one process, and `TokenAuth` single-flights within it."""
        yield


def parse_token_response(response: httpx.Response, *, now: dt.datetime) -> AccessToken:
    """Read an OAuth2 token response; raise `AuthError` when the server refused us."""
    if response.status_code != 200:
        raise AuthError(
            f"token endpoint answered {response.status_code}", status=response.status_code
        )
    try:
        body = response.json()
        value = str(body["access_token"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidResponse("token endpoint answered without an access_token") from exc
    expires_in = body.get("expires_in")
    if isinstance(expires_in, int | float | str) and str(expires_in).isdigit():
        return AccessToken(value, now + dt.timedelta(seconds=int(expires_in)))
    return AccessToken(value, _jwt_expiry(value) or now + DEFAULT_TTL)


def _jwt_expiry(value: str) -> dt.datetime | None:
    """The `exp` of a JWT access token, read without verifying it (it is not ours to verify)."""
    try:
        claims = jwt.decode(value, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return dt.datetime.fromtimestamp(exp, dt.UTC) if isinstance(exp, int | float) else None
