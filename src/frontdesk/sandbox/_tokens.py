"""Access tokens: issue HS256 JWTs per space, check them, revoke them.

Vendor-neutral: a token names the space it was issued for (`firm` claim), and the sandbox
remembers every token id it issued per space, so revoking a space is forgetting its ids.
Expiry is judged with the sandbox's clock, so tests can move time instead of sleeping.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from typing import Literal

import jwt

from frontdesk.sandbox._store import Clock

TokenProblem = Literal["missing", "invalid", "expired", "revoked"]


@dataclasses.dataclass(frozen=True, slots=True)
class IssuedToken:
    """What a token endpoint hands out."""

    space: str
    access_token: str
    refresh_token: str
    expires_in: int


@dataclasses.dataclass(frozen=True, slots=True)
class TokenCheck:
    """The verdict on a presented bearer token.

    Attributes:
        space: The space the token authorises (None unless the token is good).
        problem: Why it is not good, or None.
    """

    space: str | None
    problem: TokenProblem | None

    @property
    def message(self) -> str:
        """What a 401 says about it."""
        return {
            None: "token is valid",
            "missing": "missing bearer token",
            "invalid": "bearer token is not one this server issued",
            "expired": "bearer token has expired",
            "revoked": "bearer token has been revoked",
        }[self.problem]


class TokenIssuer:
    """Issues and checks the bearer tokens of every space of one sandbox."""

    def __init__(self, *, ttl: int, clock: Clock) -> None:
        self.ttl = ttl
        self._clock = clock
        self._secret = secrets.token_bytes(32)
        self._live: dict[str, set[str]] = {}
        self._refresh: dict[str, tuple[str, str]] = {}  # refresh token -> (space, subject)

    def issue(self, space: str, subject: str) -> IssuedToken:
        """A new access token (and refresh token) for `subject` in `space`."""
        now = int(self._clock().timestamp())
        jti = str(uuid.uuid4())
        claims = {"sub": subject, "firm": space, "iat": now, "exp": now + self.ttl, "jti": jti}
        self._live.setdefault(space, set()).add(jti)
        refresh = secrets.token_urlsafe(32)
        self._refresh[refresh] = (space, subject)
        return IssuedToken(space, jwt.encode(claims, self._secret, "HS256"), refresh, self.ttl)

    def refresh(self, space: str, refresh_token: str) -> IssuedToken | None:
        """A new access token for a refresh token of this space (None if unknown)."""
        found = self._refresh.get(refresh_token)
        if found is None or found[0] != space:
            return None
        return self.issue(space, found[1])

    def check(self, authorization: str | None) -> TokenCheck:
        """Judge an `Authorization` header value."""
        if not authorization:
            return TokenCheck(None, "missing")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return TokenCheck(None, "missing")
        try:
            claims = jwt.decode(
                token.strip(), self._secret, algorithms=["HS256"], options={"verify_exp": False}
            )
        except jwt.InvalidTokenError:
            return TokenCheck(None, "invalid")
        space, jti, exp = claims.get("firm"), claims.get("jti"), claims.get("exp")
        if not isinstance(space, str) or not isinstance(exp, int):
            return TokenCheck(None, "invalid")
        if jti not in self._live.get(space, set()):
            return TokenCheck(None, "revoked")
        if self._clock().timestamp() >= exp:
            return TokenCheck(None, "expired")
        return TokenCheck(space, None)

    def revoke(self, space: str) -> int:
        """Invalidate every access token issued so far for `space`; returns how many."""
        revoked = len(self._live.get(space, ()))
        self._live[space] = set()
        return revoked
