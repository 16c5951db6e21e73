"""SMART Backend Services (Epic's backend OAuth): client_credentials with a signed JWT."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from frontdesk.auth._base import TokenAuth
from frontdesk.auth._keys import key_id
from frontdesk.auth._tokens import Clock, TokenCache, utc_now
from frontdesk.ehr import InvalidResponse
from frontdesk.metering import Operation

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Epic refuses assertions whose `exp` is more than five minutes ahead; stay well inside.
ASSERTION_LIFETIME = dt.timedelta(minutes=4)


def client_assertion(
    *,
    client_id: str,
    token_url: str,
    key: rsa.RSAPrivateKey,
    now: dt.datetime,
    kid: str | None = None,
    jti: str | None = None,
) -> str:
    """The signed JWT that authenticates the client (RS384; iss = sub = client id)."""
    issued = int(now.timestamp())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "jti": jti or uuid.uuid4().hex,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(ASSERTION_LIFETIME.total_seconds()),
    }
    headers = {"typ": "JWT", "kid": kid or key_id(key.public_key())}
    return jwt.encode(claims, key, algorithm="RS384", headers=headers)


class SmartBackendAuth(TokenAuth):
    """A backend app's token: a fresh signed assertion per token request, cached token.

    The token URL is configured, or discovered once from the FHIR base's
    `.well-known/smart-configuration`.
    """

    def __init__(
        self,
        *,
        client_id: str,
        key: rsa.RSAPrivateKey,
        fhir_base: str,
        token_url: str | None,
        cache: TokenCache,
        cache_key: str,
        platform: str,
        kid: str | None = None,
        scope: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(cache=cache, cache_key=cache_key, clock=clock)
        self._client_id = client_id
        self._key = key
        self._kid = kid
        self._fhir_base = fhir_base.rstrip("/")
        self._token_url = token_url
        self._scope = scope
        self._platform = platform

    @property
    def token_url(self) -> str | None:
        """The token endpoint (None until discovered)."""
        return self._token_url

    def discovery_request(self) -> httpx.Request | None:
        """SMART discovery, once, when no token URL was configured."""
        if self._token_url is not None:
            return None
        return httpx.Request(
            "GET",
            f"{self._fhir_base}/.well-known/smart-configuration",
            headers={"Accept": "application/json"},
            extensions=Operation(f"{self._platform}.smart_configuration").extensions(),
        )

    def discovered(self, response: httpx.Response) -> None:
        """Take the token endpoint from the SMART configuration."""
        try:
            endpoint = response.json()["token_endpoint"]
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidResponse("smart-configuration without a token_endpoint") from exc
        if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
            raise InvalidResponse("smart-configuration token_endpoint is not a URL")
        self._token_url = endpoint

    def token_request(self) -> httpx.Request:
        """client_credentials with a fresh assertion (a new `jti` every time)."""
        assert self._token_url is not None  # discovered first
        data = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(
                client_id=self._client_id,
                token_url=self._token_url,
                key=self._key,
                now=self._clock(),
                kid=self._kid,
            ),
        }
        if self._scope:
            data["scope"] = self._scope
        return httpx.Request(
            "POST",
            self._token_url,
            data=data,
            headers={"Accept": "application/json"},
            extensions=Operation(f"{self._platform}.oauth2.token").extensions(),
        )
