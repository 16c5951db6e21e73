"""Helpers for the sandbox tests: an HTTP client with ModMed login, a movable clock."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
from fhir.resources.R4B import get_fhir_model_class

from frontdesk.sandbox import Sandbox

ANCHOR = dt.date(2026, 7, 6)  # a Monday
BOCA = "bocaderm"
PALM = "palmortho"
PRN = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-PRN"
FI = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-FI"
MRN = "http://www.hl7.org/fhir/v2/0203/index.html#v2-0203-MR"
ORIGIN = "http://testserver"

Json = dict[str, Any]


class FakeClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclasses.dataclass
class Clinic:
    """An httpx client bound to a sandbox app, with per-firm ModMed headers."""

    sandbox: Sandbox
    http: httpx.AsyncClient
    _headers: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    def base(self, firm: str = BOCA) -> str:
        return self.sandbox.modmed_base_path(firm)

    async def grant(self, firm: str = BOCA, **overrides: str) -> httpx.Response:
        creds = self.sandbox.credentials(firm)
        form = {"grant_type": "password", "username": creds.username, "password": creds.password}
        api_key = overrides.pop("api_key", creds.api_key)
        form.update(overrides)
        return await self.http.post(
            f"{self.base(firm)}/ws/oauth2/grant", headers={"x-api-key": api_key}, data=form
        )

    async def headers(self, firm: str = BOCA) -> dict[str, str]:
        if firm not in self._headers:
            response = await self.grant(firm)
            assert response.status_code == 200, response.text
            token = response.json()["access_token"]
            self._headers[firm] = {
                "x-api-key": self.sandbox.credentials(firm).api_key,
                "Authorization": f"Bearer {token}",
            }
        return self._headers[firm]

    async def get(
        self, path: str, params: Any = None, *, firm: str = BOCA, expect: int | None = 200
    ) -> httpx.Response:
        """GET `{base}/fhir/v2/{path}` with the firm's credentials."""
        response = await self.http.get(
            f"{self.base(firm)}/fhir/v2/{path}", params=params, headers=await self.headers(firm)
        )
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    async def post(self, path: str, body: Any, *, firm: str = BOCA) -> httpx.Response:
        return await self.http.post(
            f"{self.base(firm)}/fhir/v2/{path}", json=body, headers=await self.headers(firm)
        )

    async def put(self, path: str, body: Any, *, firm: str = BOCA) -> httpx.Response:
        return await self.http.put(
            f"{self.base(firm)}/fhir/v2/{path}", json=body, headers=await self.headers(firm)
        )

    async def inspect(self, path: str, params: Any = None, *, firm: str = BOCA) -> Json:
        """GET `/sandbox/fhir/{firm}/{path}` (no auth), asserting 200."""
        response = await self.http.get(f"/sandbox/fhir/{firm}/{path}", params=params)
        assert response.status_code == 200, response.text
        body: Json = response.json()
        return body


@contextlib.asynccontextmanager
async def open_clinic(sandbox: Sandbox) -> AsyncIterator[Clinic]:
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield Clinic(sandbox, http)


def resources(bundle: Json) -> list[Json]:
    return [entry["resource"] for entry in bundle.get("entry", [])]


def slot_params(
    code: str = "1957",
    *,
    start: str = "ge2026-07-06T00:00:00.000Z",
    end: str | None = "le2026-07-11T00:00:00.000Z",
    practitioner: str | None = None,
    location: str | None = None,
) -> list[tuple[str, str]]:
    params = [("appointment-type", code), ("date", start)]
    if end is not None:
        params.append(("date", end))
    if practitioner:
        params.append(("identifier", f"{PRN}|{practitioner}"))
    if location:
        params.append(("identifier", f"{FI}|{location}"))
    return params


def ident(resource: Json, system_suffix: str) -> str:
    return str(
        next(i["value"] for i in resource["identifier"] if i["system"].endswith(system_suffix))
    )


def booking_body(slot: Json, patient_id: str, *, minutes: Any = None) -> Json:
    """A create body like examples/modmed/appointment_create_request.json, for `slot`."""
    code = ident(slot, "appointment-type")
    start = dt.datetime.fromisoformat(slot["start"])
    end = dt.datetime.fromisoformat(slot["end"])
    return {
        "resourceType": "Appointment",
        "status": "pending",
        "appointmentType": {
            "coding": [{"system": "x/fhir/v2/ValueSet/appointment-type", "code": code}]
        },
        "start": slot["start"],
        "end": slot["end"],
        "minutesDuration": minutes if minutes is not None else str((end - start).seconds // 60),
        "participant": [
            {"actor": {"reference": f"Patient/{patient_id}", "display": "Test Sample"}},
            {"actor": {"reference": f"Location/{ident(slot, 'v2-0203-FI')}"}},
            {"actor": {"reference": f"Practitioner/{ident(slot, 'v2-0203-PRN')}"}},
        ],
    }


def validate(resource: Json) -> None:
    """Raise unless `resource` is valid FHIR R4B."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def patient_id(sandbox: Sandbox, given: str, family: str, birth_date: str, firm: str = BOCA) -> str:
    return str(
        next(
            p["id"]
            for p in sandbox.store.all(firm, "Patient")
            if p["name"][0]["given"][0] == given
            and p["name"][0]["family"] == family
            and p["birthDate"] == birth_date
        )
    )


def codes(sandbox: Sandbox, firm: str = BOCA) -> Sequence[str]:
    value_set = sandbox.store.get(firm, "ValueSet", "appointment-type")
    assert value_set is not None
    return [c["code"] for c in value_set["expansion"]["contains"]]
