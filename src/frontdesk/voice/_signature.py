"""Twilio request validation: the `X-Twilio-Signature` header.

The signature is base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value,
sorted by name)). For a GET or a WebSocket upgrade the URL carries the query string and
there are no parameters. JSON bodies are signed through a `bodySHA256` query parameter.

Pass the URL as Twilio requested it (the public `https://` or `wss://` address), not as a
proxy rewrote it: a different scheme, host, path or query is a different signature.

https://www.twilio.com/docs/usage/security#validating-requests
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

#: Form parameters: one value per name, or several for a repeated name.
Params = Mapping[str, str | Sequence[str]]

_DEFAULT_PORTS = {"https": 443, "wss": 443, "http": 80, "ws": 80}


def compute_signature(auth_token: str, url: str, params: Params | None = None) -> str:
    """The signature Twilio sends for a request to `url` with these POST parameters.

    Raises:
        ValueError: `auth_token` is empty (anyone could compute that signature).
    """
    if not auth_token:
        raise ValueError("the Twilio auth token is empty")
    signed = url
    params = params or {}
    for name in sorted(params):
        value = params[name]
        # Twilio's helpers sort (and de-duplicate) the values of a repeated name.
        for item in [value] if isinstance(value, str) else sorted(set(value)):
            signed += name + item
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid(auth_token: str, url: str, params: Params | None, signature: str | None) -> bool:
    """Whether `signature` is Twilio's for this URL and these POST parameters.

    Twilio is not consistent about ports when it signs, so, like Twilio's own helpers,
    this tries the URL without its port and with one (the scheme's default, `:443` for
    https/wss or `:80` for http/ws, when it has none). Scheme, host, path and query must
    match exactly.

    Returns:
        False for a missing or empty signature, or an empty auth token.
    """
    if not signature or not auth_token:
        return False
    expected = signature.encode(errors="replace")  # compare_digest refuses non-ASCII str
    return any(
        hmac.compare_digest(compute_signature(auth_token, candidate, params).encode(), expected)
        for candidate in _with_and_without_port(url)
    )


def is_valid_body(auth_token: str, url: str, body: bytes, signature: str | None) -> bool:
    """Whether a request with a JSON (non-form) body is signed and its body untouched.

    Twilio signs the URL alone and puts the body's hex SHA-256 in its `bodySHA256` query
    parameter; a URL without one is not valid here, since its body would be unchecked.
    """
    hashes = parse_qs(urlsplit(url).query).get("bodySHA256", [])
    if len(hashes) != 1:
        return False
    body_ok = hmac.compare_digest(hashlib.sha256(body).hexdigest().encode(), hashes[0].encode())
    return is_valid(auth_token, url, None, signature) and body_ok


def _with_and_without_port(url: str) -> list[str]:
    """`url` without its port, and with its port or else the scheme's default one."""
    parts = urlsplit(url)
    default = _DEFAULT_PORTS.get(parts.scheme)
    start = url.find("//")
    if default is None or start < 0 or not url[start + 2 :].startswith(parts.netloc):
        return [url]
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        return [url]
    # Edit the URL as text so that everything but the port stays byte for byte the same.
    head, tail = url[: start + 2], url[start + 2 + len(parts.netloc) :]
    if port is None:
        if parts.netloc.endswith(":"):  # "host:" with an empty port
            return [url]
        return [url, f"{head}{parts.netloc}:{default}{tail}"]
    return [f"{head}{parts.netloc.rpartition(':')[0]}{tail}", url]
