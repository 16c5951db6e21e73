"""Twilio request signatures: Twilio's published vectors and the ways a forgery differs."""

from __future__ import annotations

import hashlib

import pytest

from frontdesk.voice._signature import compute_signature, is_valid, is_valid_body

# Twilio's documented example (https://www.twilio.com/docs/usage/security#validating-requests).
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

# The JSON-body vector from Twilio's helper library tests (twilio-python).
BODY = b'{"property": "value", "boolean": true}'
BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
BODY_URL = f"{URL}&bodySHA256={BODY_HASH}"
BODY_SIGNATURE = "a9nBmqA0ju/hNViExpshrM61xv4="

WS_URL = "wss://frontdesk.example.org/voice/twilio?tenant=bocaderm"


def test_reproduces_twilios_documented_signature() -> None:
    """Twilio's worked example signs to the published value."""
    assert compute_signature(TOKEN, URL, PARAMS) == SIGNATURE


def test_accepts_twilios_documented_request() -> None:
    """The worked example validates."""
    assert is_valid(TOKEN, URL, PARAMS, SIGNATURE)


def test_parameter_order_does_not_matter() -> None:
    """Parameters are sorted by name before signing, however they arrived."""
    assert is_valid(TOKEN, URL, dict(reversed(PARAMS.items())), SIGNATURE)


def test_names_sort_case_sensitively() -> None:
    """Names sort by code point, as Twilio does: "B" before "a"."""
    assert compute_signature(TOKEN, URL, {"a": "1", "B": "2"}) == compute_signature(
        TOKEN, f"{URL}B2a1", None
    )


def test_repeated_names_sign_each_value_sorted() -> None:
    """A name with several values signs each, sorted, as Twilio's helpers do."""
    assert compute_signature(TOKEN, URL, {"Tag": ["b", "a"], "To": "1"}) == compute_signature(
        TOKEN, f"{URL}TagaTagbTo1", None
    )


@pytest.mark.parametrize("signature", [None, ""])
def test_missing_signature_is_invalid(signature: str | None) -> None:
    """No header, or an empty one, is never valid."""
    assert not is_valid(TOKEN, URL, PARAMS, signature)


def test_wrong_token_is_invalid() -> None:
    """A signature made with another account's token does not validate."""
    assert not is_valid("54321", URL, PARAMS, SIGNATURE)
    assert not is_valid(TOKEN, URL, PARAMS, compute_signature("54321", URL, PARAMS))


def test_empty_token_never_validates_and_cannot_sign() -> None:
    """An unset auth token fails closed: anyone could compute an empty-key HMAC."""
    assert not is_valid("", URL, PARAMS, SIGNATURE)
    with pytest.raises(ValueError, match="empty"):
        compute_signature("", URL, PARAMS)


@pytest.mark.parametrize(
    "params",
    [
        {**PARAMS, "Digits": "1235"},  # tampered value
        {**PARAMS, "Extra": "1"},  # added parameter
        {k: v for k, v in PARAMS.items() if k != "Digits"},  # dropped parameter
        {("digits" if k == "Digits" else k): v for k, v in PARAMS.items()},  # renamed
        {},
        None,
    ],
)
def test_tampered_parameters_are_invalid(params: dict[str, str] | None) -> None:
    """Any change to the POST parameters breaks the signature."""
    assert not is_valid(TOKEN, URL, params, SIGNATURE)


@pytest.mark.parametrize(
    "url",
    [
        "https://mycompany.com/otherapp.php?foo=1&bar=2",  # another path
        "https://evil.example/myapp.php?foo=1&bar=2",  # another host
        "https://mycompany.com.evil.example/myapp.php?foo=1&bar=2",
        "http://mycompany.com/myapp.php?foo=1&bar=2",  # another scheme
        "https://mycompany.com/myapp.php?foo=1&bar=3",  # another query
        "https://mycompany.com/myapp.php?bar=2&foo=1",  # the query is not re-sorted
        "https://mycompany.com/myapp.php",
        "https://MYCOMPANY.com/myapp.php?foo=1&bar=2",  # nor is the host lower-cased
    ],
)
def test_signature_replayed_to_another_url_is_invalid(url: str) -> None:
    """A valid signature does not carry over to any other URL."""
    assert not is_valid(TOKEN, url, PARAMS, SIGNATURE)


@pytest.mark.parametrize(
    ("signed_url", "requested_url"),
    [
        (URL, "https://mycompany.com:443/myapp.php?foo=1&bar=2"),
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", URL),
        ("http://mycompany.com/hook", "http://mycompany.com:80/hook"),
        ("http://mycompany.com:80/hook", "http://mycompany.com/hook"),
        ("wss://mycompany.com/stream", "wss://mycompany.com:443/stream"),
        ("ws://mycompany.com:80/stream", "ws://mycompany.com/stream"),
        # Twilio may drop even a non-default port when it signs; its helpers accept that.
        ("https://mycompany.com/hook", "https://mycompany.com:8443/hook"),
    ],
)
def test_port_differences_twilio_makes_are_tolerated(signed_url: str, requested_url: str) -> None:
    """Twilio signs with or without the port; either validates, as with Twilio's helpers."""
    assert is_valid(TOKEN, requested_url, PARAMS, compute_signature(TOKEN, signed_url, PARAMS))


@pytest.mark.parametrize(
    ("signed_url", "requested_url"),
    [
        ("https://mycompany.com:8443/hook", "https://mycompany.com/hook"),
        ("https://mycompany.com:8443/hook", "https://mycompany.com:9443/hook"),
        ("https://mycompany.com:8443/hook", "https://mycompany.com:443/hook"),
        ("https://mycompany.com:80/hook", "https://mycompany.com:443/hook"),
        ("https://mycompany.com/hook", "http://mycompany.com:443/hook"),
    ],
)
def test_other_port_differences_are_not(signed_url: str, requested_url: str) -> None:
    """A signature over one explicit port does not validate on another port or scheme."""
    assert not is_valid(TOKEN, requested_url, PARAMS, compute_signature(TOKEN, signed_url, PARAMS))


@pytest.mark.parametrize(
    "url", ["https://mycompany.com:/hook", "https://mycompany.com:99999/hook", "not a url"]
)
def test_odd_urls_are_tried_as_given(url: str) -> None:
    """A URL with an empty or impossible port is still checked, just without port variants."""
    assert is_valid(TOKEN, url, None, compute_signature(TOKEN, url, None))
    assert not is_valid(TOKEN, url, None, SIGNATURE)


def test_websocket_upgrade_signs_the_url_with_its_query() -> None:
    """A Media Streams upgrade is a GET: the URL with its query, and no parameters."""
    signature = compute_signature(TOKEN, WS_URL, None)
    assert signature == compute_signature(TOKEN, WS_URL, {})
    assert is_valid(TOKEN, WS_URL, None, signature)
    assert is_valid(TOKEN, WS_URL.replace(".org/", ".org:443/"), None, signature)
    assert not is_valid(TOKEN, WS_URL.replace("bocaderm", "palmortho"), None, signature)
    assert not is_valid(TOKEN, WS_URL.split("?")[0], None, signature)


@pytest.mark.parametrize(
    "signature", ["0/KCTR6DLpKmkAf8muzZqo1nDgQ", "Ø/KCTR6DLpKmkAf8muzZqo1nDgQ=", "x"]
)
def test_malformed_signature_is_invalid_not_an_error(signature: str) -> None:
    """A truncated or non-ASCII header is just invalid."""
    assert not is_valid(TOKEN, URL, PARAMS, signature)


def test_json_body_vector_from_twilios_helper() -> None:
    """Twilio's JSON-body example: the body hashes to bodySHA256 and the URL signs as published."""
    assert hashlib.sha256(BODY).hexdigest() == BODY_HASH
    assert compute_signature(TOKEN, BODY_URL) == BODY_SIGNATURE
    assert is_valid_body(TOKEN, BODY_URL, BODY, BODY_SIGNATURE)


def test_json_body_tampered_is_invalid() -> None:
    """A changed body no longer matches the signed hash."""
    assert not is_valid_body(TOKEN, BODY_URL, BODY.replace(b"value", b"other"), BODY_SIGNATURE)


def test_json_body_with_a_swapped_hash_is_invalid() -> None:
    """Swapping in the hash of a forged body breaks the URL's signature."""
    forged = b"{}"
    url = f"{URL}&bodySHA256={hashlib.sha256(forged).hexdigest()}"
    assert not is_valid_body(TOKEN, url, forged, BODY_SIGNATURE)


@pytest.mark.parametrize(
    "url",
    [URL, f"{BODY_URL}&bodySHA256={BODY_HASH}"],  # no hash to check; two hashes
)
def test_json_body_needs_exactly_one_hash(url: str) -> None:
    """Without one bodySHA256 the body would go unchecked, so the request is invalid."""
    assert not is_valid_body(TOKEN, url, BODY, compute_signature(TOKEN, url))


@pytest.mark.parametrize("signature", [None, ""])
def test_json_body_missing_signature_is_invalid(signature: str | None) -> None:
    """A matching body hash alone proves nothing."""
    assert not is_valid_body(TOKEN, BODY_URL, BODY, signature)
