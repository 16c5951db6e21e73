"""ModMed authentication: the password grant, and the key + token every call needs."""

from __future__ import annotations

import jwt
import pytest

from frontdesk.sandbox import DEMO_FIRMS, create_sandbox
from tests.sandbox.util import BOCA, PALM, Clinic, FakeClock


async def test_password_grant(clinic: Clinic) -> None:
    """The grant answers ModMed's token shape with an HS256 JWT naming the firm."""
    response = await clinic.grant()
    assert response.status_code == 200
    body = response.json()
    assert body["scope"] == BOCA
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"]
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["firm"] == BOCA
    assert set(claims) == {"sub", "firm", "iat", "exp", "jti"}
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize(
    "overrides",
    [{"api_key": "wrong"}, {"password": "wrong"}, {"username": "someone"}],
)
async def test_bad_credentials_are_refused(clinic: Clinic, overrides: dict[str, str]) -> None:
    """A wrong key, username or password gets 401 invalid_grant."""
    response = await clinic.grant(**overrides)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_grant"
    assert response.json()["error_description"]


async def test_credentials_are_per_firm(clinic: Clinic) -> None:
    """One firm's login does not open another firm; each firm has its own credentials."""
    other = clinic.sandbox.credentials(PALM)
    assert other != clinic.sandbox.credentials(BOCA)
    response = await clinic.grant(BOCA, api_key=other.api_key)
    assert response.status_code == 401


async def test_unsupported_grant_and_unknown_firm(clinic: Clinic) -> None:
    """An unknown grant type is 400; an unknown firm is 404 with an OperationOutcome."""
    response = await clinic.grant(grant_type="client_credentials")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    response = await clinic.http.post("/modmed/ema-dev/firm/nosuch/ema/ws/oauth2/grant")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


async def test_refresh_token_grant(clinic: Clinic) -> None:
    """A refresh token buys a new access token for its own firm only."""
    refresh = (await clinic.grant()).json()["refresh_token"]
    response = await clinic.grant(grant_type="refresh_token", refresh_token=refresh)
    assert response.status_code == 200
    assert (
        await clinic.grant(PALM, grant_type="refresh_token", refresh_token=refresh)
    ).status_code == 401


async def _patient_search(clinic: Clinic, headers: dict[str, str], firm: str = BOCA) -> int:
    path = f"/modmed/ema-dev/firm/{firm}/ema/fhir/v2/Patient"
    response = await clinic.http.get(path, headers=headers)
    if response.status_code != 200:
        assert response.json()["resourceType"] == "OperationOutcome"
    return response.status_code


async def test_every_call_needs_key_and_token(clinic: Clinic) -> None:
    """Missing or wrong x-api-key or token, or another firm's token, is 401."""
    good = await clinic.headers(BOCA)
    other = await clinic.headers(PALM)
    assert await _patient_search(clinic, good) == 200
    assert await _patient_search(clinic, {}) == 401
    assert await _patient_search(clinic, {"x-api-key": good["x-api-key"]}) == 401
    assert await _patient_search(clinic, {"Authorization": good["Authorization"]}) == 401
    assert await _patient_search(clinic, {**good, "x-api-key": "wrong"}) == 401
    assert await _patient_search(clinic, {**good, "Authorization": "Bearer nonsense"}) == 401
    assert await _patient_search(clinic, {**good, "Authorization": other["Authorization"]}) == 401
    assert await _patient_search(clinic, {**good, "x-api-key": other["x-api-key"]}) == 401
    assert await _patient_search(clinic, good, "nosuch") == 404


async def test_expired_token_is_refused(clinic: Clinic, clock: FakeClock) -> None:
    """A token is good until its expiry, then 401 with code `expired`."""
    headers = await clinic.headers()
    clock.advance(3599)
    assert await _patient_search(clinic, headers) == 200
    clock.advance(1)
    response = await clinic.http.get(f"{clinic.base()}/fhir/v2/Patient", headers=headers)
    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "expired"


async def test_revoked_tokens_are_refused(clinic: Clinic) -> None:
    """`POST /sandbox/tokens/revoke` invalidates a firm's tokens; a new grant works again."""
    boca, palm = await clinic.headers(BOCA), await clinic.headers(PALM)
    response = await clinic.http.post("/sandbox/tokens/revoke", json={"space": BOCA})
    assert response.json() == {"space": BOCA, "revoked": 1}
    assert await _patient_search(clinic, boca) == 401
    assert await _patient_search(clinic, palm, PALM) == 200
    fresh = (await clinic.grant()).json()["access_token"]
    assert await _patient_search(clinic, {**boca, "Authorization": f"Bearer {fresh}"}) == 200
    assert (
        await clinic.http.post("/sandbox/tokens/revoke", json={"space": "x"})
    ).status_code == 404
    assert (await clinic.http.post("/sandbox/tokens/revoke", json={})).status_code == 400


async def test_request_log_records_credentials(clinic: Clinic) -> None:
    """The log says which firm's token and whether the key authorised each request."""
    good = await clinic.headers(BOCA)
    other = await clinic.headers(PALM)
    clinic.sandbox.requests.clear()
    await _patient_search(clinic, good)
    await _patient_search(clinic, {**good, "Authorization": other["Authorization"]})
    await _patient_search(clinic, {})
    first, second, third = clinic.sandbox.requests
    assert (first.route, first.space, first.status) == ("modmed.patient.search", BOCA, 200)
    assert (first.token_space, first.api_key_ok) == (BOCA, True)
    assert (second.token_space, second.api_key_ok, second.status) == (PALM, True, 401)
    assert (third.token_space, third.api_key_ok, third.status) == (None, False, 401)


def test_custom_token_ttl() -> None:
    """`token_ttl` sets the lifetime of issued tokens."""
    sandbox = create_sandbox(DEMO_FIRMS[:1], token_ttl=60)
    assert sandbox.tokens.issue(BOCA, "me").expires_in == 60
