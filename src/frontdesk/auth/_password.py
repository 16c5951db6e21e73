"""ModMed's OAuth 2.0 password grant as an `httpx.Auth`."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from frontdesk.auth._base import TokenAuth
from frontdesk.auth._tokens import Clock, TokenCache, utc_now
from frontdesk.metering import Operation


class ModMedPasswordAuth(TokenAuth):
    """Password grant per firm; adds `x-api-key` and the bearer token to every request."""

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
        super().__init__(cache=cache, cache_key=cache_key, clock=clock)
        self._token_url = token_url
        self._api_key = api_key
        self._username = username
        self._password = password

    def prepare(self, request: httpx.Request) -> None:
        """ModMed wants the API key on every call, token requests included."""
        request.headers["x-api-key"] = self._api_key.get_secret_value()

    def token_request(self) -> httpx.Request:
        """The password-grant request."""
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
