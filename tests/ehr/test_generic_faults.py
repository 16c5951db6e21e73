"""The generic connector on answers the independent server never gives: 5xx, garbage, refusals.

Everything else is tested against a real FHIR server in `test_generic_server.py`; these fakes
sit at the httpx transport seam only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from frontdesk.ehr import (
    Appointment,
    AppointmentStatus,
    BookingRequest,
    Capability,
    Conflict,
    EhrClient,
    InvalidRequest,
    InvalidResponse,
    Patient,
    PatientQuery,
    Slot,
    SlotQuery,
    Unavailable,
    Unsupported,
    VisitType,
)
from frontdesk.ehr.generic import GenericFhirConnector

JSON = dict[str, Any]
Route = Callable[[httpx.Request], httpx.Response]
NEW = VisitType("NP", "New patient visit", 30)
START = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)
SLOT: JSON = {
    "resourceType": "Slot",
    "id": "s1",
    "meta": {"versionId": "1"},
    "schedule": {"reference": "Schedule/sch1"},
    "status": "free",
    "start": "2026-11-23T14:00:00Z",
    "end": "2026-11-23T14:30:00Z",
}
SCHEDULE: JSON = {
    "resourceType": "Schedule",
    "id": "sch1",
    "actor": [{"reference": "Practitioner/p1"}, {"reference": "Location/l1"}],
}
PATIENT = Patient(id="pat1", family="Doe", given=("Jane",), birth_date=dt.date(1980, 1, 2))
REQUEST = BookingRequest(
    patient=PATIENT,
    slot=Slot("s1", START, START + dt.timedelta(minutes=30), "p1", "l1", NEW),
    idempotency_key="call-1:s1",
)


def bundle(*resources: JSON) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in resources],
        },
    )


class FakeFhir:
    """A small FHIR server: a practice with one free Slot; any route can be overridden."""

    def __init__(self, **routes: Route) -> None:
        self.routes = routes  # "GET Slot" → handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/fhir/")
        key = f"{request.method} {path.split('/')[0]}"
        if key in self.routes:
            return self.routes[key](request)
        match request.method, path:
            case "GET", "Practitioner" | "Location":
                return bundle()
            case "GET", "Schedule":
                return bundle(SCHEDULE)
            case "GET", "Slot":
                return bundle(SLOT)
            case "GET", "Slot/s1":
                return httpx.Response(200, json=SLOT)
            case "GET", "Appointment":
                return bundle()
            case "POST", "Appointment":
                return httpx.Response(201, json={**json.loads(request.content), "id": "a1"})
            case "PUT", _:
                return httpx.Response(200, json=json.loads(request.content))
        return httpx.Response(404, json={"resourceType": "OperationOutcome", "issue": []})

    def sent(self, method: str, resource_type: str) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if r.method == method
            and r.url.path.removeprefix("/fhir/").split("/")[0] == resource_type
        ]


def connector(fake: FakeFhir) -> GenericFhirConnector:
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(fake), base_url="https://ehr.example/fhir/"
    )
    return GenericFhirConnector(http, visit_types=[NEW])


def query() -> SlotQuery:
    return SlotQuery(visit_type=NEW, start=START, end=START + dt.timedelta(days=1))


async def test_connector_is_an_ehr_client() -> None:
    """The generic connector satisfies the EhrClient protocol (checked by mypy)."""
    async with httpx.AsyncClient() as http:
        client: EhrClient = GenericFhirConnector(http)
    assert Capability.BOOK in client.capabilities


async def test_fake_practice_books() -> None:
    """The fake's happy path books, so each test below changes exactly one answer."""
    appointment = await connector(FakeFhir()).book(REQUEST)
    assert (appointment.id, appointment.practitioner_id) == ("a1", "p1")


async def test_slot_search_503s_are_retried_then_unavailable() -> None:
    """A Slot search answering 503 every time is retried within budget, then Unavailable."""
    fake = FakeFhir(**{"GET Slot": lambda r: httpx.Response(503, headers={"Retry-After": "0"})})

    with pytest.raises(Unavailable):
        await connector(fake).find_slots(query())

    assert len(fake.sent("GET", "Slot")) == 3


async def test_a_transient_503_is_survived() -> None:
    """One 503 on the Slot search, then the answer: the slots come back."""
    answers = iter([httpx.Response(503), bundle(SLOT)])
    fake = FakeFhir(**{"GET Slot": lambda r: next(answers)})

    [slot] = await connector(fake).find_slots(query())

    assert (slot.id, slot.practitioner_id, slot.location_id) == ("s1", "p1", "l1")


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>Service Unavailable</html>"),
        httpx.Response(200, content=b'{"resourceType": "Bundle", "entry": [tru'),
        httpx.Response(200, json=[1, 2, 3]),
    ],
)
async def test_garbage_is_invalid_response(response: httpx.Response) -> None:
    """HTML, truncated JSON or non-FHIR JSON from a Patient search is an InvalidResponse."""
    fake = FakeFhir(**{"GET Patient": lambda r: response})

    with pytest.raises(InvalidResponse):
        await connector(fake).find_patients(PatientQuery(family="Doe"))


async def test_a_slot_without_schedule_is_invalid_response() -> None:
    """A Slot missing its required Schedule cannot be placed: InvalidResponse, not a guess."""
    broken = {k: v for k, v in SLOT.items() if k != "schedule"}
    fake = FakeFhir(**{"GET Slot": lambda r: bundle(broken)})

    with pytest.raises(InvalidResponse, match="Schedule"):
        await connector(fake).find_slots(query())


async def test_a_slot_of_an_unknown_schedule_is_not_offered() -> None:
    """A Slot whose Schedule the server cannot find is skipped, and that is asked only once."""
    ghost = {**SLOT, "id": "s2", "schedule": {"reference": "Schedule/ghost"}}
    fake = FakeFhir(**{"GET Slot": lambda r: bundle(SLOT, ghost)})
    generic = connector(fake)

    first = await generic.find_slots(query())
    again = await generic.find_slots(query())

    assert [s.id for s in first] == [s.id for s in again] == ["s1"]
    lookups = [r for r in fake.sent("GET", "Schedule") if "_id" in r.url.params]
    assert [r.url.params["_id"] for r in lookups] == ["ghost"]


async def test_a_server_guarding_its_slots_answers_409() -> None:
    """A server that refuses the create itself (409) makes book raise Conflict."""
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "conflict", "diagnostics": "slot is taken"}],
    }
    fake = FakeFhir(**{"POST Appointment": lambda r: httpx.Response(409, json=outcome)})

    with pytest.raises(Conflict, match="slot is taken"):
        await connector(fake).book(REQUEST)


async def test_create_failing_every_time_is_unavailable() -> None:
    """A conditional create failing on every try is Unavailable after two retries; no fourth."""
    fake = FakeFhir(**{"POST Appointment": lambda r: httpx.Response(503)})

    with pytest.raises(Unavailable):
        await connector(fake).book(REQUEST)

    creates = fake.sent("POST", "Appointment")
    assert [c.extensions["frontdesk.operation"].attempt for c in creates] == [1, 2, 3]
    assert all("If-None-Exist" in c.headers for c in creates)


async def test_a_server_forbidding_slot_writes_keeps_the_booking() -> None:
    """A 403 on the Slot PUT leaves the Appointment booked and logs why the Slot stayed free."""
    fake = FakeFhir(**{"PUT Slot": lambda r: httpx.Response(403)})

    with capture_logs() as logs:
        appointment = await connector(fake).book(REQUEST)

    assert appointment.id == "a1"
    assert {"event": "slot_not_marked_busy", "slot": "s1", "error": "AuthError"} in [
        {k: v for k, v in e.items() if k != "log_level"} for e in logs
    ]


async def test_a_reused_key_for_another_slot_is_rejected() -> None:
    """A conditional create that finds our key on another Slot's booking is InvalidRequest."""

    def elsewhere(request: httpx.Request) -> httpx.Response:
        body = {**json.loads(request.content), "id": "a0", "slot": [{"reference": "Slot/s9"}]}
        return httpx.Response(200, json=body)

    fake = FakeFhir(**{"POST Appointment": elsewhere})

    with pytest.raises(InvalidRequest, match="another slot"):
        await connector(fake).book(REQUEST)

    assert not fake.sent("PUT", "Slot")


async def test_what_plain_fhir_lacks_is_unsupported() -> None:
    """$match, confirmation and coverage are not offered: Unsupported, without a request."""
    fake = FakeFhir()
    generic = connector(fake)
    booked = Appointment("a1", AppointmentStatus.BOOKED, START, None, "pat1", "p1", "l1", NEW)

    assert (
        not {
            Capability.MATCH_PATIENT,
            Capability.CONFIRM,
            Capability.COVERAGE,
        }
        & generic.capabilities
    )
    with pytest.raises(Unsupported):
        await generic.match_patients(PatientQuery(family="Doe"))
    with pytest.raises(Unsupported):
        await generic.confirm(booked, PATIENT)
    with pytest.raises(Unsupported):
        await generic.coverages("pat1")
    assert not fake.requests


def appointment_json(id_: str, status: str, *, key: str, stored: str) -> JSON:
    return {
        "resourceType": "Appointment",
        "id": id_,
        "meta": {"lastUpdated": stored},
        "identifier": [{"system": "urn:frontdesk:booking-key", "value": key}],
        "status": status,
        "slot": [{"reference": "Slot/s1"}],
        "participant": [{"actor": {"reference": "Patient/pat1"}, "status": "accepted"}],
    }


async def test_a_lost_race_is_a_conflict_even_if_cleanup_fails() -> None:
    """We lost the slot and cannot cancel our Appointment: still Conflict, and it is logged."""
    rival = appointment_json("a0", "booked", key="other", stored="2026-11-22T10:00:00Z")
    searches = iter([bundle(), bundle(rival)])

    def created(request: httpx.Request) -> httpx.Response:
        body = {**json.loads(request.content), "id": "a1"}
        return httpx.Response(201, json=body | {"meta": {"lastUpdated": "2026-11-22T10:00:01Z"}})

    fake = FakeFhir(
        **{
            "GET Appointment": lambda r: next(searches),
            "POST Appointment": created,
            "PUT Appointment": lambda r: httpx.Response(503),
        }
    )

    with capture_logs() as logs, pytest.raises(Conflict, match="someone else"):
        await connector(fake).book(REQUEST)

    assert "lost_booking_not_cancelled" in [e["event"] for e in logs]
    assert len(fake.sent("PUT", "Appointment")) == 3  # a PUT is idempotent: two retries


async def test_replaying_a_key_whose_booking_was_cancelled_is_a_conflict() -> None:
    """Our key's Appointment on the Slot is cancelled: replaying it books nothing new."""
    ours = appointment_json("a1", "cancelled", key="call-1:s1", stored="2026-11-22T10:00:00Z")
    fake = FakeFhir(**{"GET Appointment": lambda r: bundle(ours)})

    with pytest.raises(Conflict, match="no longer holds"):
        await connector(fake).book(REQUEST)

    assert not fake.sent("POST", "Appointment")


async def test_cancel_stands_when_the_slot_cannot_be_freed() -> None:
    """The Appointment is cancelled even though the Slot PUT keeps failing; that is logged."""
    booked = appointment_json("a1", "booked", key="k", stored="2026-11-22T10:00:00Z")
    busy = {**SLOT, "status": "busy"}

    def read(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Appointment/a1"):
            return httpx.Response(200, json=booked)
        return bundle()

    fake = FakeFhir(
        **{
            "GET Appointment": read,
            "GET Slot": lambda r: httpx.Response(200, json=busy),
            "PUT Slot": lambda r: httpx.Response(503),
        }
    )
    generic = connector(fake)
    appointment = Appointment("a1", AppointmentStatus.BOOKED, START, None, "pat1", "p1", "l1", NEW)

    with capture_logs() as logs:
        await generic.cancel(appointment, PATIENT, "feeling better")

    [cancel] = fake.sent("PUT", "Appointment")
    assert json.loads(cancel.content)["status"] == "cancelled"
    assert len(fake.sent("PUT", "Slot")) == 3  # two retries, each after re-reading the Slot
    assert "slot_not_released" in [e["event"] for e in logs]
