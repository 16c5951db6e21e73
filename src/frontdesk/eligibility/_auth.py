"""pVerify's client-credentials token as an `httpx.Auth`."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from frontdesk.auth import Clock, TokenAuth, TokenCache, utc_now
from frontdesk.metering import Operation


class PVerifyAuth(TokenAuth):
    """Client-credentials token; adds `Client-API-Id` and the bearer token to every call.

    pVerify tokens last an hour (`expires_in` 3599); `TokenAuth` caches and shares them.
    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        cache: TokenCache,
        cache_key: str,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(cache=cache, cache_key=cache_key, clock=clock)
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret

    def prepare(self, request: httpx.Request) -> None:
        """Add the client id, which pVerify wants on every call (the header is case-sensitive)."""
        request.headers["Client-API-Id"] = self._client_id

    def token_request(self) -> httpx.Request:
        """The client-credentials request (form-encoded, as pVerify documents it)."""
        return httpx.Request(
            "POST",
            self._token_url,
            data={
                "Client_Id": self._client_id,
                "Client_Secret": self._client_secret.get_secret_value(),
                "grant_type": "client_credentials",
            },
            headers={"Accept": "application/json"},
            extensions=Operation("pverify.token").extensions(),
        )
