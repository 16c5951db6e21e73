"""Who may open the console: admin accounts (scrypt hashes) or a token, and the signed session.

Signing in sets an HttpOnly, SameSite=Strict cookie holding a short-lived JWT (HS256) signed
with the deployment's console secret (`FRONTDESK_CONSOLE_SECRET`; a random one per process when
unset, so sessions end with the process). Scripts may send the token as `Authorization: Bearer`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping

import jwt

from frontdesk.tenancy import ConsoleConfig

#: How long a console session lasts before signing in again.
SESSION_LIFETIME = dt.timedelta(hours=8)
COOKIE = "frontdesk_console"
_ISSUER = "frontdesk-console"
#: scrypt cost: 16 MiB and ~50 ms a guess on these machines.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """An scrypt hash of `password` in the form the deployment file takes."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    encode = base64.urlsafe_b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Whether `password` matches an scrypt hash from `hash_password` (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclasses.dataclass(frozen=True, slots=True)
class ConsoleAccess:
    """The deployment's console credentials and the key its sessions are signed with.

    Attributes:
        admins: Username → scrypt hash.
        tokens: Tokens that open the console (configured, from the environment, or generated).
        secret: The session-signing key.
        generated_token: The one-time token made at start when nothing was configured.
    """

    admins: Mapping[str, str]
    tokens: tuple[str, ...]
    secret: bytes
    generated_token: str | None = None

    @classmethod
    def from_config(
        cls, config: ConsoleConfig, *, token: str | None = None, secret: str | None = None
    ) -> ConsoleAccess:
        """From the deployment's `console:` section and the environment's token and secret."""
        admins = {a.username: a.password_hash.get_secret_value() for a in config.admins}
        tokens = [t for t in (token, _secret(config)) if t]
        generated = None
        if not admins and not tokens:
            generated = secrets.token_urlsafe(24)
            tokens.append(generated)
        # HS256 wants a 256-bit key: hash whatever the deployment set to one.
        key = hashlib.sha256(secret.encode()).digest() if secret else secrets.token_bytes(32)
        return cls(admins, tuple(tokens), key, generated)

    def sign_in(self, *, username: str = "", password: str = "", token: str = "") -> str | None:
        """Who signed in (a username, or "token"), or None for wrong credentials."""
        if token:
            matched = False
            for known in self.tokens:
                matched |= hmac.compare_digest(token.encode(), known.encode())
            return "token" if matched else None
        stored = self.admins.get(username)
        if stored is None:
            check_password(password, hash_password("", salt=b"\0" * 16))  # same cost either way
            return None
        return username if check_password(password, stored) else None

    def session(self, subject: str, *, now: dt.datetime) -> str:
        """A signed session value for the cookie."""
        claims = {"sub": subject, "iss": _ISSUER, "iat": now, "exp": now + SESSION_LIFETIME}
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def subject(self, session: str) -> str | None:
        """Who a session value belongs to; None when it is forged, expired or garbage."""
        try:
            claims = jwt.decode(
                session,
                self.secret,
                algorithms=["HS256"],
                issuer=_ISSUER,
                options={"require": ["sub", "exp", "iss"]},
            )
        except jwt.PyJWTError:
            return None
        subject = claims.get("sub")
        return subject if isinstance(subject, str) else None


def _secret(config: ConsoleConfig) -> str | None:
    return config.token.get_secret_value() if config.token is not None else None
