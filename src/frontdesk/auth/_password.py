"""ModMed's OAuth 2.0 password grant as an `httpx.Auth`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import httpx
from pydantic import SecretStr

from frontdesk.auth._tokens import AccessToken, Clock, TokenCache, parse_token_response, utc_now
from frontdesk.metering import Operation


class ModMedPasswordAuth(httpx.Auth):
    """Password grant per firm; adds `x-api-key` and the bearer token to every request.

    The token is cached under `cache_key` and refreshed shortly before expiry. Concurrent
    requests share one refresh (single-flight). A 401 means the token was revoked early: it is
    discarded, refreshed once and the request replayed once.
    """

    def __init__(
        self,
        *,
        token_url: str,
        api_key: SecretStr,
        username: str,
        password: SecretStr,
        cache: TokenCache,
        cache_key: str,
        clock: Clock = utc_now,
    ) -> None:
        self._token_url = token_url
        self._api_key = api_key
        self._username = username
        self._password = password
        self._cache = cache
        self._cache_key = cache_key
        self._clock = clock
        self._lock = asyncio.Lock()

    def token_request(self) -> httpx.Request:
        """The password-grant request (a pure function of the configuration)."""
        return httpx.Request(
            "POST",
            self._token_url,
            data={
                "grant_type": "password",
                "username": self._username,
                "password": self._password.get_secret_value(),
            },
            headers={"x-api-key": self._api_key.get_secret_value(), "Accept": "application/json"},
            extensions=Operation("modmed.oauth2.grant").extensions(),
        )

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Authenticate `request`, fetching or refreshing the token as needed."""
        request.headers["x-api-key"] = self._api_key.get_secret_value()
        token: AccessToken | None = None
        async with self._lock:
            token = await self._cache.get(self._cache_key)
            if token is None or token.is_stale(self._clock()):
                response = yield self.token_request()
                await response.aread()
                token = parse_token_response(response, now=self._clock())
                await self._cache.set(self._cache_key, token)
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            current = await self._cache.get(self._cache_key)
            if current is None or current == token:
                # Nobody refreshed while we waited: this token is dead, get a new one.
                await self._cache.discard(self._cache_key, token)
                refresh = yield self.token_request()
                await refresh.aread()
                current = parse_token_response(refresh, now=self._clock())
                await self._cache.set(self._cache_key, current)
        request.headers["Authorization"] = f"Bearer {current.value}"
        yield request
