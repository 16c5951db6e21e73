"""Epic authentication: discovery, SMART Backend Services tokens, bearer checks, rotation."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from frontdesk.sandbox import DEMO_ORGS, create_sandbox
from tests.sandbox.epic_util import (
    CLIENT_ID,
    LAKE,
    RIVER,
    EpicClinic,
    assertion,
    jwks,
    key,
    token_url,
)
from tests.sandbox.util import ORIGIN, validate

DEMOGRAPHICS = {"family": "Nguyen", "given": "Anh", "birthdate": "1990-07-14"}


async def _token(epic: EpicClinic, signed: str, org: str = RIVER) -> tuple[int, Any]:
    response = await epic.request_token(signed, org)
    return response.status_code, response.json()


async def _search(epic: EpicClinic, token: str, org: str = RIVER) -> int:
    response = await epic.http.get(
        f"/epic/{org}/api/FHIR/R4/Patient",
        params=DEMOGRAPHICS,
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


async def test_discovery(epic: EpicClinic) -> None:
    """smart-configuration names the token URL as called; metadata is a valid R4 statement."""
    response = await epic.http.get("/epic/riverside/api/FHIR/R4/.well-known/smart-configuration")
    assert response.status_code == 200
    config = response.json()
    assert config["token_endpoint"] == f"{ORIGIN}/epic/riverside/oauth2/token"
    assert config["grant_types_supported"] == ["client_credentials"]
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert config["token_endpoint_auth_signing_alg_values_supported"] == ["RS384"]
    assert config["scopes_supported"] == ["system/*.rs"]
    metadata = (await epic.http.get("/epic/riverside/api/FHIR/R4/metadata")).json()
    validate(metadata)
    security = metadata["rest"][0]["security"]["extension"][0]["extension"]
    assert security == [{"url": "token", "valueUri": config["token_endpoint"]}]
    missing = await epic.http.get("/epic/nosuch/api/FHIR/R4/metadata")
    assert missing.status_code == 404


async def test_good_assertion_buys_a_token(epic: EpicClinic) -> None:
    """A well-formed RS384 assertion from a registered client gets Epic's token shape."""
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1")))
    status, body = await _token(epic, assertion(key("k1"), token_url(), epic.clock()))
    assert status == 200, body
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"].startswith("Patient.Read Patient.Search")
    assert "Appointment.Read" in body["scope"].split()
    assert await _search(epic, body["access_token"]) == 200


@pytest.mark.parametrize("alg", ["RS256", "RS512"])
async def test_other_rsa_algorithms_are_accepted(epic: EpicClinic, alg: str) -> None:
    """RS256 and RS512 are accepted besides RS384."""
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1")))
    signed = assertion(key("k1"), token_url(), epic.clock(), alg=alg)
    assert (await _token(epic, signed))[0] == 200


async def test_without_kid_every_key_is_tried(epic: EpicClinic) -> None:
    """An assertion without `kid` is checked against each registered key."""
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1"), key("k2")))
    signed = assertion(key("k2"), token_url(), epic.clock(), kid=None)
    assert (await _token(epic, signed))[0] == 200


def _refusals() -> list[Any]:
    def case(name: str, **options: Any) -> Any:
        return pytest.param(options, id=name)

    return [
        case("wrong key", signer="k2"),
        case("unknown kid", kid="nope"),
        case("wrong aud", aud=f"{ORIGIN}/epic/lakeshore/oauth2/token"),
        case("aud without scheme and host", aud="/epic/riverside/oauth2/token"),
        case("exp more than 5 minutes ahead", lifetime=301, iat=None),
        case("expired", lifetime=-1, iat=None),
        case("iat 6 minutes before exp", lifetime=200, iat_offset=-160),
        case("iat in the future", iat_offset=30),
        case("nbf in the future", nbf_offset=10),
        case("unknown client", client_id="someone-else"),
        case("iss is not sub", sub="another"),
        case("no jti", jti=None),
        case("jti too long", jti="j" * 152),
        case("HS256", alg="HS256"),
    ]


@pytest.mark.parametrize("options", _refusals())
async def test_bad_assertions_are_refused(epic: EpicClinic, options: dict[str, Any]) -> None:
    """Every broken rule answers 400 invalid_client with a null description; the log says why."""
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1")))
    now = epic.clock()
    signer = key(options.pop("signer", "k1"))
    stamp = int(now.timestamp())
    for claim in ("iat", "nbf"):
        if f"{claim}_offset" in options:
            options[claim] = stamp + options.pop(f"{claim}_offset")
    audience = options.pop("aud", token_url())
    if options.get("alg") == "HS256":
        signed = jwt.encode(
            {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": audience, "jti": "x", "exp": stamp + 60},
            "secret-secret-secret-secret-secret",
            algorithm="HS256",
        )
    else:
        signed = assertion(signer, audience, now, **options)
    epic.sandbox.requests.clear()
    status, body = await _token(epic, signed)
    assert (status, body) == (400, {"error": "invalid_client", "error_description": None})
    record = epic.sandbox.requests[-1]
    assert record.route == "epic.token"
    assert record.detail is not None
    assert record.detail.startswith("invalid_client: ")


async def test_a_replayed_jti_is_refused(epic: EpicClinic) -> None:
    """The same assertion (same jti) works once only."""
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1")))
    signed = assertion(key("k1"), token_url(), epic.clock())
    assert (await _token(epic, signed))[0] == 200
    assert (await _token(epic, signed))[0] == 400
    assert "jti" in str(epic.sandbox.requests[-1].detail)


async def test_the_form_must_be_a_client_credentials_assertion(epic: EpicClinic) -> None:
    """A wrong grant type or assertion type, or no assertion, is invalid_client too."""
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1")))
    signed = assertion(key("k1"), token_url(), epic.clock())
    for form in (
        {"grant_type": "password", "client_assertion": signed},
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "jwt",
            "client_assertion": signed,
        },
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        },
    ):
        response = await epic.http.post("/epic/riverside/oauth2/token", data=form)
        assert response.status_code == 400
        assert response.json() == {"error": "invalid_client", "error_description": None}


async def test_clients_are_per_org(epic_both: EpicClinic) -> None:
    """A client registered with one org cannot get a token from another."""
    epic_both.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1")))
    signed = assertion(key("k1"), token_url(LAKE), epic_both.clock())
    assert (await _token(epic_both, signed, LAKE))[0] == 400


async def test_tokens_are_per_org(epic_both: EpicClinic) -> None:
    """Another org's token, a missing or a made-up one is 401 on FHIR and private routes."""
    river = (await epic_both.headers(RIVER))["Authorization"].split()[1]
    lake = (await epic_both.headers(LAKE))["Authorization"].split()[1]
    assert await _search(epic_both, river) == 200
    assert await _search(epic_both, lake) == 401
    assert await _search(epic_both, "made-up") == 401
    response = await epic_both.http.get("/epic/riverside/api/FHIR/R4/Practitioner")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.headers["www-authenticate"].startswith("Bearer")
    private = await epic_both.http.post(
        "/epic/riverside/api/epic/2014/PatientAccess/External/CancelAppointment/Scheduling/Cancel",
        json={},
        headers={"Authorization": f"Bearer {lake}"},
    )
    assert private.status_code == 401
    epic_both.sandbox.requests.clear()
    await _search(epic_both, lake)
    record = epic_both.sandbox.requests[-1]
    assert (record.space, record.token_space, record.status) == (RIVER, LAKE, 401)


async def test_key_rotation(epic: EpicClinic) -> None:
    """With old + new keys both sign; once only the new is registered, the old is refused."""
    old, new = key("k1"), key("k2")
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(old))
    assert (await _token(epic, assertion(old, token_url(), epic.clock())))[0] == 200
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(old, new))
    assert (await _token(epic, assertion(old, token_url(), epic.clock())))[0] == 200
    assert (await _token(epic, assertion(new, token_url(), epic.clock())))[0] == 200
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(new))
    assert (await _token(epic, assertion(old, token_url(), epic.clock())))[0] == 400
    assert (await _token(epic, assertion(new, token_url(), epic.clock())))[0] == 200


async def test_registration_over_http(epic: EpicClinic) -> None:
    """`PUT /sandbox/epic/{org}/clients/{id}` registers a JWKS; bad ones are refused."""
    path = "/sandbox/epic/riverside/clients/remote-app"
    assert (await epic.http.put(path, json=jwks(key("k1")))).status_code == 204
    signed = assertion(key("k1"), token_url(), epic.clock(), client_id="remote-app")
    assert (await _token(epic, signed))[0] == 200
    private = {"keys": [{**key("k1").jwk(), "d": "secret"}]}
    bad_sets: list[dict[str, Any]] = [{"keys": []}, {"keys": [{"kty": "EC"}]}, private]
    for bad in bad_sets:
        assert (await epic.http.put(path, json=bad)).status_code == 400
    assert (await epic.http.put("/sandbox/epic/nosuch/clients/x", json=jwks())).status_code == 404


def test_register_client_checks_its_arguments() -> None:
    """Registering with an unknown org or a JWKS without RSA public keys raises."""
    sandbox = create_sandbox((), orgs=DEMO_ORGS[:1])
    with pytest.raises(KeyError):
        sandbox.register_client("bocaderm", CLIENT_ID, jwks(key("k1")))
    with pytest.raises(ValueError, match="JWKS"):
        sandbox.register_client(RIVER, CLIENT_ID, {"keys": "none"})


async def test_tokens_expire_and_can_be_revoked(epic_both: EpicClinic) -> None:
    """A token dies at its expiry or when the org's tokens are revoked; the other org's live on."""
    river, lake = await epic_both.headers(RIVER), await epic_both.headers(LAKE)
    response = await epic_both.http.post("/sandbox/tokens/revoke", json={"space": RIVER})
    assert response.json() == {"space": RIVER, "revoked": 1}
    assert await _search(epic_both, river["Authorization"].split()[1]) == 401
    assert await _search(epic_both, lake["Authorization"].split()[1], LAKE) == 200
    epic_both.clock.advance(3600)
    assert await _search(epic_both, lake["Authorization"].split()[1], LAKE) == 401
