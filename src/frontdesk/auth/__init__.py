"""Token sources as `httpx.Auth` flows, and the token cache they share."""

from frontdesk.auth._password import ModMedPasswordAuth
from frontdesk.auth._tokens import (
    AccessToken,
    Clock,
    MemoryTokenCache,
    TokenCache,
    parse_token_response,
    utc_now,
)

__all__ = [
    "AccessToken",
    "Clock",
    "MemoryTokenCache",
    "ModMedPasswordAuth",
    "TokenCache",
    "parse_token_response",
    "utc_now",
]
