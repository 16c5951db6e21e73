"""The flow every OAuth token source shares: cache, single-flight refresh, one replay on 401."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import httpx

from frontdesk.auth._tokens import AccessToken, Clock, TokenCache, parse_token_response, utc_now


class TokenAuth(httpx.Auth):
    """An `httpx.Auth` that adds a cached bearer token; subclasses say how to get one.

    The token is cached under `cache_key` and refreshed shortly before expiry. Concurrent
    requests share one refresh (single-flight): an asyncio lock within the process, and the
    cache's `refreshing` lock across the processes that share it. A 401 means the token was
    revoked early: it is discarded, refreshed once and the request replayed once. Token
    requests are yielded, so they travel through the same client and transport (and are
    metered and audited).
    """

    def __init__(self, *, cache: TokenCache, cache_key: str, clock: Clock = utc_now) -> None:
        self._cache = cache
        self._cache_key = cache_key
        self._clock = clock
        self._lock = asyncio.Lock()

    def token_request(self) -> httpx.Request:
        """The request that fetches a token."""
        raise NotImplementedError

    def prepare(self, request: httpx.Request) -> None:
        """Add what every request carries besides the token (e.g. an API key)."""

    def discovery_request(self) -> httpx.Request | None:
        """A request to make once before the first token request (e.g. SMART discovery)."""
        return None

    def discovered(self, response: httpx.Response) -> None:
        """Take what discovery found."""

    async def cached(self) -> AccessToken | None:
        """The token held now, if any (no request is made)."""
        return await self._cache.get(self._cache_key)

    async def remember(self, response: httpx.Response) -> AccessToken:
        """Keep the token a token request made outside a request's flow (the go-live check)."""
        token = parse_token_response(response, now=self._clock())
        async with self._lock:
            await self._cache.set(self._cache_key, token)
        return token

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Authenticate `request`, fetching or refreshing the token as needed."""
        self.prepare(request)
        key = self._cache_key
        async with self._lock:
            token = await self._cache.get(key)
            if token is None or token.is_stale(self._clock()):
                # httpx closes this flow however the request ends, so the lock is let go.
                async with self._cache.refreshing(key):
                    # Another worker may have stored a fresh token while we waited.
                    token = await self._cache.get(key)
                    if token is None or token.is_stale(self._clock()):
                        discovery = self.discovery_request()
                        if discovery is not None:
                            found = yield discovery
                            await found.aread()
                            self.discovered(found)
                        response = yield self.token_request()
                        await response.aread()
                        token = parse_token_response(response, now=self._clock())
                        await self._cache.set(key, token)
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            current = self._usable(await self._cache.get(key), refused=token)
            if current is None:
                async with self._cache.refreshing(key):
                    current = self._usable(await self._cache.get(key), refused=token)
                    if current is None:
                        # Nobody refreshed while we waited: this token is dead, get a new one.
                        await self._cache.discard(key, token)
                        refresh = yield self.token_request()
                        await refresh.aread()
                        current = parse_token_response(refresh, now=self._clock())
                        await self._cache.set(key, current)
        request.headers["Authorization"] = f"Bearer {current.value}"
        yield request

    def _usable(self, token: AccessToken | None, *, refused: AccessToken) -> AccessToken | None:
        """`token`, unless it is the one the server just refused or is about to expire."""
        if token is None or token == refused or token.is_stale(self._clock()):
            return None
        return token
