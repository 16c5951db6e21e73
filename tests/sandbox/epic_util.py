"""Helpers for the Epic sandbox tests: RSA keys, signed client assertions, an org client."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import itertools
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from frontdesk.sandbox import FEATURED_PATIENTS, Sandbox
from tests.sandbox.util import ORIGIN, FakeClock, Json

RIVER = "riverside"
LAKE = "lakeshore"
CLIENT_ID = "frontdesk-backend"
VISIT_TYPE = "urn:oid:1.2.840.114350.1.13.861.1.7.3.808267.11"
EPIC_ERRORS = "urn:oid:1.2.840.114350.1.13.0.1.7.2.657369"
NUCC = "http://nucc.org/provider-taxonomy"
CONFIRMATION = (
    "http://open.epic.com/FHIR/StructureDefinition/extension/appointment-confirmation-status"
)
_jti = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Key:
    """An RSA key pair with a kid."""

    kid: str
    private: rsa.RSAPrivateKey

    def jwk(self) -> Json:
        jwk: Json = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS384", "use": "sig"}


@functools.cache
def key(kid: str) -> Key:
    """A 2048-bit RSA key, generated once per kid per test run."""
    return Key(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


def jwks(*keys: Key) -> Json:
    return {"keys": [k.jwk() for k in keys]}


def assertion(
    signer: Key,
    audience: str,
    now: dt.datetime,
    *,
    client_id: str = CLIENT_ID,
    lifetime: int = 300,
    alg: str = "RS384",
    kid: str | None = "default",
    **claims: Any,
) -> str:
    """A client assertion as a backend app signs it (`kid="default"`: the signer's kid)."""
    stamp = int(now.timestamp())
    body: Json = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": f"jti-{next(_jti)}",
        "exp": stamp + lifetime,
        "iat": stamp,
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    headers = {"typ": "JWT"}
    if kid is not None:
        headers["kid"] = signer.kid if kid == "default" else kid
    return jwt.encode(body, signer.private, algorithm=alg, headers=headers)


def token_url(org: str = RIVER) -> str:
    return f"{ORIGIN}/epic/{org}/oauth2/token"


def token_form(signed: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": signed,
    }


@dataclasses.dataclass
class EpicClinic:
    """An httpx client bound to a sandbox app, holding a token per org."""

    sandbox: Sandbox
    http: httpx.AsyncClient
    clock: FakeClock
    _tokens: dict[str, str] = dataclasses.field(default_factory=dict)

    def r4(self, org: str = RIVER) -> str:
        return f"{self.sandbox.epic_base_path(org)}/api/FHIR/R4"

    def stu3(self, org: str = RIVER) -> str:
        return f"{self.sandbox.epic_base_path(org)}/api/FHIR/STU3"

    async def request_token(self, signed: str, org: str = RIVER) -> httpx.Response:
        return await self.http.post(f"/epic/{org}/oauth2/token", data=token_form(signed))

    async def headers(self, org: str = RIVER) -> dict[str, str]:
        if org not in self._tokens:
            self.sandbox.register_client(org, CLIENT_ID, jwks(key("k1")))
            signed = assertion(key("k1"), token_url(org), self.clock())
            response = await self.request_token(signed, org)
            assert response.status_code == 200, response.text
            self._tokens[org] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[org]}"}

    async def get(
        self, path: str, params: Any = None, *, org: str = RIVER, expect: int | None = 200
    ) -> Json:
        """GET `{base}/api/FHIR/{path}` (path starts with R4/ or STU3/)."""
        response = await self.http.get(
            f"{self.sandbox.epic_base_path(org)}/api/FHIR/{path}",
            params=params,
            headers=await self.headers(org),
        )
        if expect is not None:
            assert response.status_code == expect, response.text
        body: Json = response.json()
        return body

    async def post(
        self, path: str, body: Any, *, org: str = RIVER, expect: int | None = 200
    ) -> httpx.Response:
        """POST JSON to `{base}/{path}`."""
        response = await self.http.post(
            f"{self.sandbox.epic_base_path(org)}/{path}", json=body, headers=await self.headers(org)
        )
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    async def find(self, *parameters: Json, org: str = RIVER, expect: int = 200) -> Json:
        body = {"resourceType": "Parameters", "parameter": list(parameters)}
        response = await self.post("api/FHIR/STU3/Appointment/$find", body, org=org, expect=expect)
        found: Json = response.json()
        return found

    async def book(
        self, appointment: str, patient: str, *, org: str = RIVER, expect: int | None = 200
    ) -> httpx.Response:
        body = {
            "resourceType": "Parameters",
            "parameter": [
                {"name": "patient", "valueIdentifier": {"value": patient}},
                {"name": "appointment", "valueIdentifier": {"value": appointment}},
                {"name": "appointmentNote", "valueString": "booked by the test"},
            ],
        }
        return await self.post("api/FHIR/STU3/Appointment/$book", body, org=org, expect=expect)


@contextlib.asynccontextmanager
async def open_epic(sandbox: Sandbox, clock: FakeClock) -> AsyncIterator[EpicClinic]:
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield EpicClinic(sandbox, http, clock)


def window(start: str = "2026-07-06T00:00:00Z", end: str = "2026-08-03T00:00:00Z") -> list[Json]:
    return [
        {"name": "startTime", "valueDateTime": start},
        {"name": "endTime", "valueDateTime": end},
    ]


def visit(code: str) -> Json:
    return {
        "name": "serviceType",
        "valueCodeableConcept": {"coding": [{"system": VISIT_TYPE, "code": code}]},
    }


def ref(name: str, reference: str) -> Json:
    return {"name": name, "valueReference": {"reference": reference}}


def matches(bundle: Json) -> list[Json]:
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def outcome_codes(bundle: Json) -> list[str]:
    """Epic codes of a Bundle's outcome entries (or of an OperationOutcome)."""
    outcomes = (
        [bundle]
        if bundle["resourceType"] == "OperationOutcome"
        else [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "outcome"]
    )
    return [
        c["code"]
        for o in outcomes
        for i in o["issue"]
        for c in i.get("details", {}).get("coding", [])
        if c["system"] == EPIC_ERRORS
    ]


def featured_id(sandbox: Sandbox, given: str, family: str, org: str = RIVER) -> str:
    """The FHIR id of a featured patient (the first with that name)."""
    born = next(f.birth_date for f in FEATURED_PATIENTS if (f.given, f.family) == (given, family))
    return str(
        next(
            p["id"]
            for p in sandbox.store.all(org, "Patient")
            if p["name"][0]["given"][0] == given
            and p["name"][0]["family"] == family
            and p["birthDate"] == born.isoformat()
        )
    )


def practitioner_id(sandbox: Sandbox, name: str, org: str = RIVER) -> str:
    return str(
        next(
            p["id"]
            for p in sandbox.store.all(org, "Practitioner")
            if f"{p['name'][0]['given'][0]} {p['name'][0]['family']}" == name
        )
    )


def participant(appointment: Json, type_: str) -> str:
    return str(
        next(
            p["actor"]["reference"].split("/")[1]
            for p in appointment["participant"]
            if p["actor"]["reference"].startswith(type_ + "/")
        )
    )


def slot_of(appointment: Json) -> str:
    return str(appointment["slot"][0]["reference"].split("/")[1])


def names(patients: Sequence[Json]) -> list[tuple[str, str]]:
    return [(p["name"][0]["given"][0], p["name"][0]["family"]) for p in patients]
