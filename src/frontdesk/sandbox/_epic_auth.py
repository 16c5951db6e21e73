"""SMART Backend Services, Epic flavour: registered public keys and client-assertion checks.

A backend app registers its public keys (a JWKS of RSA keys) per org and client id;
registering again replaces them, which is how keys rotate (list old + new, then new only).
`ClientRegistry.verify` judges one `client_assertion` exactly as Epic documents it:

* header `alg` RS384 (RS256 and RS512 also accepted); the key is picked by `kid` among the
  client's keys, or each key is tried when there is no `kid`;
* `iss == sub ==` a client id registered for this org; `aud` is the token URL as called;
* `exp` in the future and at most 5 minutes ahead; `iat` and `nbf`, when present, not in the
  future and at most 5 minutes before `exp`;
* `jti` present, at most 151 characters, never used before by that client.

Time is the sandbox's clock, so tests move time instead of sleeping.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import jwt

from frontdesk.sandbox._store import Clock

ALGORITHMS = ("RS384", "RS256", "RS512")
MAX_LIFETIME = 300
MAX_JTI = 151
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class AssertionRefused(Exception):
    """A token request Epic would answer with `invalid_client`; the message says why."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Key:
    kid: str | None
    key: Any  # an RSA public key object of `cryptography`


@dataclasses.dataclass(slots=True)
class _Client:
    keys: tuple[_Key, ...]
    seen: dict[str, float] = dataclasses.field(default_factory=dict)  # jti -> exp


def parse_jwks(jwks: Mapping[str, Any]) -> tuple[_Key, ...]:
    """The RSA public keys of a JWKS.

    Raises:
        ValueError: Not a JWKS, no keys, a key that is not an RSA public key.
    """
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list) or not keys:
        raise ValueError('a JWKS is {"keys": [...]} with at least one key')
    parsed = []
    for jwk in keys:
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "RSA" or "d" in jwk:
            raise ValueError("every key must be an RSA public key (kty RSA, no private part)")
        try:
            key = jwt.PyJWK(dict(jwk), algorithm=str(jwk.get("alg", "RS384"))).key
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
            raise ValueError(f"unusable key: {exc}") from None
        kid = jwk.get("kid")
        parsed.append(_Key(kid if isinstance(kid, str) else None, key))
    return tuple(parsed)


class ClientRegistry:
    """Backend apps of every org: their keys and the `jti`s they have spent."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._clients: dict[tuple[str, str], _Client] = {}

    def register(self, org: str, client_id: str, jwks: Mapping[str, Any]) -> None:
        """Register (or re-register, to rotate) a client's public keys for an org.

        Raises:
            ValueError: An empty client id or an unusable JWKS.
        """
        if not client_id or len(client_id) > 200:
            raise ValueError("client_id must be 1 to 200 characters")
        keys = parse_jwks(jwks)
        existing = self._clients.get((org, client_id))
        seen = existing.seen if existing else {}
        self._clients[(org, client_id)] = _Client(keys, seen)

    def clients(self, org: str) -> list[str]:
        """The client ids registered for an org."""
        return [client for (space, client) in self._clients if space == org]

    def verify(self, org: str, assertion: str, audience: str) -> str:
        """Judge a client assertion for an org's token endpoint; returns the client id.

        Raises:
            AssertionRefused: Any check failed (the message names it).
        """
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.InvalidTokenError as exc:
            raise AssertionRefused(f"malformed JWT: {exc}") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AssertionRefused(f"alg {alg!r} is not one of {', '.join(ALGORITHMS)}")
        iss, sub = unverified.get("iss"), unverified.get("sub")
        if not isinstance(iss, str) or iss != sub:
            raise AssertionRefused("iss and sub must both be the client id")
        client = self._clients.get((org, iss))
        if client is None:
            raise AssertionRefused(f"client {iss!r} is not registered for {org}")
        claims = self._signed_claims(assertion, str(alg), header.get("kid"), client)
        self._check_claims(claims, audience)
        jti = claims["jti"]
        if jti in client.seen:
            raise AssertionRefused("jti has been used before")
        client.seen[jti] = float(claims["exp"])
        return iss

    def _signed_claims(self, assertion: str, alg: str, kid: Any, client: _Client) -> dict[str, Any]:
        keys = [k for k in client.keys if k.kid == kid] if kid is not None else client.keys
        if not keys:
            raise AssertionRefused(f"no registered key has kid {kid!r}")
        options = {"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                   "verify_aud": False, "verify_iss": False}  # fmt: skip
        for key in keys:
            try:
                claims: dict[str, Any] = jwt.decode(
                    assertion,
                    key.key,
                    algorithms=[alg],
                    options=options,  # type: ignore[arg-type]
                )
            except jwt.InvalidSignatureError:
                continue
            except jwt.InvalidTokenError as exc:
                raise AssertionRefused(f"invalid JWT: {exc}") from None
            return claims
        raise AssertionRefused("signature does not verify with any registered key")

    def _check_claims(self, claims: Mapping[str, Any], audience: str) -> None:
        now = self._clock().timestamp()
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if audience.rstrip("/") not in [str(a).rstrip("/") for a in audiences if a]:
            raise AssertionRefused(f"aud {aud!r} is not the token endpoint {audience}")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise AssertionRefused("exp is required")
        if exp <= now:
            raise AssertionRefused("the assertion has expired")
        if exp - now > MAX_LIFETIME:
            raise AssertionRefused("exp is more than 5 minutes in the future")
        for name in ("iat", "nbf"):
            value = claims.get(name)
            if value is None:
                continue
            if not isinstance(value, int | float) or value > now:
                raise AssertionRefused(f"{name} is in the future")
            if exp - value > MAX_LIFETIME:
                raise AssertionRefused(f"exp is more than 5 minutes after {name}")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or len(jti) > MAX_JTI:
            raise AssertionRefused(f"jti is required and at most {MAX_JTI} characters")
        self._forget_expired(now)

    def _forget_expired(self, now: float) -> None:
        # A spent jti whose assertion has expired cannot be replayed anyway (exp is checked
        # first), so it need not be remembered.
        for client in self._clients.values():
            for jti in [j for j, exp in client.seen.items() if exp <= now]:
                del client.seen[jti]
