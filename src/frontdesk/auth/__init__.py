"""Token sources as `httpx.Auth` flows, signing keys, and the token cache they share."""

from frontdesk.auth._base import TokenAuth
from frontdesk.auth._keys import (
    generate_key,
    jwks,
    key_id,
    load_private_key,
    private_pem,
    public_jwk,
)
from frontdesk.auth._password import ModMedPasswordAuth
from frontdesk.auth._redis import RedisTokenCache
from frontdesk.auth._smart import ASSERTION_TYPE, SmartBackendAuth, client_assertion
from frontdesk.auth._tokens import (
    AccessToken,
    Clock,
    MemoryTokenCache,
    TokenCache,
    parse_token_response,
    utc_now,
)

__all__ = [
    "ASSERTION_TYPE",
    "AccessToken",
    "Clock",
    "MemoryTokenCache",
    "ModMedPasswordAuth",
    "RedisTokenCache",
    "SmartBackendAuth",
    "TokenAuth",
    "TokenCache",
    "client_assertion",
    "generate_key",
    "jwks",
    "key_id",
    "load_private_key",
    "parse_token_response",
    "private_pem",
    "public_jwk",
    "utc_now",
]
