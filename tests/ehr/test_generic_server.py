"""The generic FHIR connector against an independent FHIR R4 server (Medplum's, over real HTTP).

The practice is loaded through the server's own REST API; the connector then finds, books and
reads back through a real socket. Faults are injected at the transport seam only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from frontdesk.audit import MemoryAuditSink
from frontdesk.ehr import (
    AppointmentStatus,
    BookingRequest,
    Conflict,
    Patient,
    PatientQuery,
    SlotQuery,
    VisitType,
)
from frontdesk.ehr.generic import BOOKING_KEY_SYSTEM, GenericFhirConnector
from frontdesk.metering import MeteredTransport
from tests.ehr._generic_server import running_server, skip_reason

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")

VISIT_SYSTEM = "https://clinic.example/fhir/visit-type"
NEW = VisitType("NP", "New patient visit", 30)
FOLLOW_UP = VisitType("FU", "Follow-up visit", 15)
JSON = dict[str, Any]
Forward = Callable[[httpx.Request], Awaitable[httpx.Response]]
Hook = Callable[[httpx.Request, Forward], Awaitable[httpx.Response]]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Medplum's FHIR server on a free loopback port, for this module."""
    with running_server() as base:
        yield base


@dataclasses.dataclass
class Practice:
    """What was loaded into the server, by id."""

    base: str
    patel: str
    reyes: str
    clinic: str
    patient: str
    day: dt.datetime  # midnight UTC of the first bookable day
    slots: dict[str, str]  # label → Slot id
    schedules: dict[str, str]  # "patel" | "reyes" → Schedule id

    async def get(self, path: str, **params: str) -> JSON:
        """Read straight from the server, past the connector."""
        async with httpx.AsyncClient(base_url=self.base + "/") as rest:
            response = await rest.get(path, params=params)
        response.raise_for_status()
        body: JSON = response.json()
        return body

    async def post(self, resource: JSON) -> JSON:
        """Create straight on the server, past the connector."""
        async with httpx.AsyncClient(base_url=self.base + "/") as rest:
            response = await rest.post(str(resource["resourceType"]), json=resource)
        response.raise_for_status()
        body: JSON = response.json()
        return body

    async def search(self, resource_type: str, **params: str) -> list[JSON]:
        """Resources of a search, straight from the server."""
        bundle = await self.get(resource_type, **params)
        return [e["resource"] for e in bundle.get("entry", [])]


def _coding(visit: VisitType) -> JSON:
    return {"coding": [{"system": VISIT_SYSTEM, "code": visit.code, "display": visit.display}]}


@pytest.fixture
def practice(server: str) -> Practice:
    """A fresh practice (providers, clinic, Schedules, Slots, patients) loaded over REST."""
    root = server.removesuffix("/fhir/R4")
    with httpx.Client(base_url=server + "/") as rest:
        rest.post(f"{root}/admin/reset").raise_for_status()

        def create(resource: JSON) -> str:
            response = rest.post(resource["resourceType"], json=resource)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        patel = create(
            {
                "resourceType": "Practitioner",
                "active": True,
                "name": [{"family": "Patel", "given": ["Anika"], "prefix": ["Dr."]}],
                "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
                "qualification": [{"code": {"text": "Dermatology"}}],
            }
        )
        reyes = create(
            {"resourceType": "Practitioner", "name": [{"family": "Reyes", "given": ["Omar"]}]}
        )
        create(
            {
                "resourceType": "Practitioner",
                "active": False,
                "name": [{"family": "Gone", "given": ["Retired"]}],
            }
        )
        clinic = create(
            {
                "resourceType": "Location",
                "name": "Boca Raton Clinic",
                "address": {"city": "Boca Raton", "state": "FL", "postalCode": "33431"},
            }
        )
        schedules = {
            who: create(
                {
                    "resourceType": "Schedule",
                    "active": True,
                    "actor": [
                        {"reference": f"Practitioner/{pid}"},
                        {"reference": f"Location/{clinic}"},
                    ],
                }
            )
            for who, pid in (("patel", patel), ("reyes", reyes))
        }
        day = dt.datetime.combine(
            dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1), dt.time(), dt.UTC
        )
        slots: dict[str, str] = {}

        def slot(
            label: str, who: str, at: dt.timedelta, visit: VisitType | None, status: str
        ) -> None:
            start = day + at
            minutes = visit.minutes if visit and visit.minutes else 20
            body: JSON = {
                "resourceType": "Slot",
                "schedule": {"reference": f"Schedule/{schedules[who]}"},
                "status": status,
                "start": start.isoformat().replace("+00:00", "Z"),
                "end": (start + dt.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
            }
            if visit:
                body["serviceType"] = [_coding(visit)]
            slots[label] = create(body)

        hour = dt.timedelta(hours=1)
        for d in range(3):
            base = dt.timedelta(days=d) + 14 * hour
            slot(f"patel-{d}-14:00", "patel", base, NEW, "free")
            slot(f"patel-{d}-14:30", "patel", base + hour / 2, NEW, "free")
            slot(f"patel-{d}-15:30", "patel", base + 1.5 * hour, FOLLOW_UP, "free")
        slot("reyes-0-14:00", "reyes", 14 * hour, NEW, "free")
        slot("reyes-0-14:30", "reyes", 14.5 * hour, NEW, "busy")
        slot("reyes-0-16:00", "reyes", 16 * hour, None, "free")  # untyped: any visit

        patient = create(
            {
                "resourceType": "Patient",
                "name": [{"use": "official", "family": "Doe", "given": ["Jane", "Q"]}],
                "birthDate": "1980-01-02",
                "gender": "female",
                "telecom": [{"system": "phone", "value": "5615550123"}],
                "identifier": [
                    {
                        "type": {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                    "code": "MR",
                                }
                            ]
                        },
                        "system": "urn:oid:2.16.840.1.113883.3.0",
                        "value": "MRN-001",
                    }
                ],
            }
        )
        create(
            {
                "resourceType": "Patient",
                "name": [{"family": "Doe", "given": ["Janet"]}],
                "birthDate": "1975-05-05",
            }
        )
    return Practice(server, patel, reyes, clinic, patient, day, slots, schedules)


class Tap(httpx.AsyncBaseTransport):
    """The real HTTP transport, with an optional hook around each request (fault injection)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.hook: Hook | None = None
        self.requests: list[httpx.Request] = []

    async def forward(self, request: httpx.Request) -> httpx.Response:
        """Send the request to the server as it is."""
        response = await self._inner.handle_async_request(request)
        await response.aread()
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.hook is None:
            return await self.forward(request)
        return await self.hook(request, self.forward)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def sent(self, method: str, resource_type: str) -> list[httpx.Request]:
        """The requests of this method to this resource type."""
        return [
            r
            for r in self.requests
            if r.method == method
            and r.url.path.split("/fhir/R4/")[1].split("/")[0] == resource_type
        ]


@dataclasses.dataclass
class Harness:
    """A connector wired like production (metered transport) over the tapped real transport."""

    connector: GenericFhirConnector
    tap: Tap
    audit: MemoryAuditSink
    http: httpx.AsyncClient


@pytest.fixture
async def harness(practice: Practice) -> AsyncIterator[Harness]:
    """A connector on the practice, with visit types learned from its Slots."""
    tap = Tap()
    audit = MemoryAuditSink()
    async with httpx.AsyncClient(
        base_url=practice.base + "/",
        transport=MeteredTransport(tap, tenant="generic-test", audit=audit),
        headers={"Accept": "application/fhir+json"},
        timeout=httpx.Timeout(5.0),
    ) as http:
        yield Harness(GenericFhirConnector(http), tap, audit, http)


def jane(practice: Practice) -> Patient:
    return Patient(
        id=practice.patient, family="Doe", given=("Jane",), birth_date=dt.date(1980, 1, 2)
    )


def new_patient_query(practice: Practice, *practitioners: str) -> SlotQuery:
    return SlotQuery(
        visit_type=NEW,
        start=practice.day,
        end=practice.day + dt.timedelta(days=3),
        practitioner_ids=practitioners,
    )


async def first_patel_slot(harness: Harness, practice: Practice) -> BookingRequest:
    slots = await harness.connector.find_slots(new_patient_query(practice, practice.patel))
    return BookingRequest(patient=jane(practice), slot=slots[0], idempotency_key="call-1:slot")


@pytest.mark.parametrize(
    "query",
    [
        PatientQuery(family="Doe", given="Jane", birth_date=dt.date(1980, 1, 2)),
        PatientQuery(phone="+1 (561) 555-0123"),
        PatientQuery(identifier="urn:oid:2.16.840.1.113883.3.0|MRN-001"),
    ],
)
async def test_find_patient(harness: Harness, practice: Practice, query: PatientQuery) -> None:
    """Name and birth date, phone, or identifier each find exactly Jane's chart."""
    [found] = await harness.connector.find_patients(query)

    assert found == Patient(
        id=practice.patient,
        family="Doe",
        given=("Jane", "Q"),
        birth_date=dt.date(1980, 1, 2),
        gender="female",
        phone="5615550123",
        phones=("5615550123",),
        mrn="MRN-001",
    )


async def test_directory_is_fetched_once(harness: Harness, practice: Practice) -> None:
    """The directory lists active providers, the clinic and the Slots' visit types, once."""
    directory = await harness.connector.directory()
    again = await harness.connector.directory()

    assert again is directory
    assert {p.id for p in directory.practitioners} == {practice.patel, practice.reyes}
    patel = directory.practitioner(practice.patel)
    assert patel is not None
    assert (patel.display, patel.npi, patel.specialty) == (
        "Dr. Anika Patel",
        "1234567893",
        "Dermatology",
    )
    [clinic] = directory.locations
    assert (clinic.id, clinic.name, clinic.city) == (
        practice.clinic,
        "Boca Raton Clinic",
        "Boca Raton",
    )
    assert {v.code: (v.display, v.minutes) for v in directory.visit_types} == {
        "NP": ("New patient visit", 30),
        "FU": ("Follow-up visit", 15),
    }
    assert sorted(r.url.path.rsplit("/", 1)[1] for r in harness.tap.requests) == [
        "Location",
        "Practitioner",
        "Schedule",
        "Slot",
    ]


async def test_configured_visit_types_skip_the_slot_read(practice: Practice) -> None:
    """Visit types from configuration are used as given, and no Slot is read to learn them."""
    tap = Tap()
    async with httpx.AsyncClient(base_url=practice.base + "/", transport=tap) as http:
        directory = await GenericFhirConnector(http, visit_types=[FOLLOW_UP]).directory()

    assert directory.visit_types == (FOLLOW_UP,)
    assert not tap.sent("GET", "Slot")


async def test_find_slots_of_one_provider(harness: Harness, practice: Practice) -> None:
    """Free new-patient Slots of Dr. Patel, earliest first, placed by their Schedule."""
    slots = await harness.connector.find_slots(new_patient_query(practice, practice.patel))

    assert [s.id for s in slots] == [
        practice.slots[f"patel-{d}-{t}"] for d in range(3) for t in ("14:00", "14:30")
    ]
    assert {(s.practitioner_id, s.location_id, s.visit_type) for s in slots} == {
        (practice.patel, practice.clinic, NEW)
    }
    assert slots[0].start == practice.day + dt.timedelta(hours=14)
    assert slots[0].end - slots[0].start == dt.timedelta(minutes=30)
    search = harness.tap.sent("GET", "Slot")[-1]
    assert search.url.params.get("schedule") == f"Schedule/{practice.schedules['patel']}"
    assert search.url.params.get("status") == "free"
    assert search.url.params.get_list("start")[0].startswith("ge")


async def test_find_slots_skips_busy_and_other_types(harness: Harness, practice: Practice) -> None:
    """A busy Slot and follow-up Slots are not offered for a new patient; an untyped one is."""
    slots = await harness.connector.find_slots(
        dataclasses.replace(
            new_patient_query(practice, practice.reyes), end=practice.day + dt.timedelta(days=1)
        )
    )

    assert [s.id for s in slots] == [
        practice.slots["reyes-0-14:00"],
        practice.slots["reyes-0-16:00"],
    ]


async def test_find_slots_for_anyone_in_a_short_window(
    harness: Harness, practice: Practice
) -> None:
    """Without a provider, every Schedule is searched; the window's end is exclusive."""
    query = SlotQuery(
        visit_type=FOLLOW_UP,
        start=practice.day + dt.timedelta(hours=15),
        end=practice.day + dt.timedelta(hours=15, minutes=30),
    )
    assert await harness.connector.find_slots(query) == []

    query = dataclasses.replace(query, end=query.end + dt.timedelta(hours=1))
    assert [s.id for s in await harness.connector.find_slots(query)] == [
        practice.slots["patel-0-15:30"],
        practice.slots["reyes-0-16:00"],
    ]


async def test_book_and_read_back(harness: Harness, practice: Practice) -> None:
    """A booking is an Appointment the server holds: booked, on the Slot, for the patient."""
    request = await first_patel_slot(harness, practice)

    appointment = await harness.connector.book(dataclasses.replace(request, reason="rash"))

    stored = await practice.get(f"Appointment/{appointment.id}")
    assert stored["status"] == "booked"
    assert stored["slot"] == [{"reference": f"Slot/{request.slot.id}"}]
    assert {p["actor"]["reference"] for p in stored["participant"]} == {
        f"Patient/{practice.patient}",
        f"Practitioner/{practice.patel}",
        f"Location/{practice.clinic}",
    }
    assert stored["identifier"] == [{"system": BOOKING_KEY_SYSTEM, "value": "call-1:slot"}]
    assert stored["serviceType"] == [_coding(NEW)]
    assert stored["reasonCode"] == [{"text": "rash"}]
    assert (await practice.get(f"Slot/{request.slot.id}"))["status"] == "busy"
    assert (appointment.status, appointment.start, appointment.visit_type) == (
        AppointmentStatus.BOOKED,
        request.slot.start,
        NEW,
    )
    assert (appointment.patient_id, appointment.practitioner_id, appointment.location_id) == (
        practice.patient,
        practice.patel,
        practice.clinic,
    )
    assert await harness.connector.appointments(practice.patient) == [appointment]
    later = await harness.connector.find_slots(new_patient_query(practice, practice.patel))
    assert request.slot.id not in {s.id for s in later}


async def test_every_request_is_metered(harness: Harness, practice: Practice) -> None:
    """Each request of a booking carries a catalogued operation; the create is an EHR write."""
    request = await first_patel_slot(harness, practice)
    await harness.connector.book(request)

    operations = [e.operation for e in harness.audit.events]
    assert operations.count("fhir.appointment.create") == 1
    assert {"fhir.slot.read", "fhir.appointment.search", "fhir.slot.update"} <= set(operations)
    create = next(e for e in harness.audit.events if e.operation == "fhir.appointment.create")
    assert (create.action.name, create.status, create.resource_type) == (
        "EHR_WRITE",
        201,
        "Appointment",
    )


async def test_booking_a_taken_slot_is_a_conflict(harness: Harness, practice: Practice) -> None:
    """A second booking of the same Slot, under another key, raises Conflict and writes nothing."""
    request = await first_patel_slot(harness, practice)
    await harness.connector.book(request)
    posts = len(harness.tap.sent("POST", "Appointment"))

    with pytest.raises(Conflict):
        await harness.connector.book(dataclasses.replace(request, idempotency_key="call-2:slot"))

    assert len(harness.tap.sent("POST", "Appointment")) == posts
    assert len(await practice.search("Appointment", slot=f"Slot/{request.slot.id}")) == 1


async def test_a_busy_slot_is_a_conflict(harness: Harness, practice: Practice) -> None:
    """A Slot the EHR marked busy (no Appointment on it) cannot be booked."""
    slots = await harness.connector.find_slots(new_patient_query(practice, practice.reyes))
    busy = dataclasses.replace(slots[0], id=practice.slots["reyes-0-14:30"])

    with pytest.raises(Conflict, match="busy"):
        await harness.connector.book(BookingRequest(patient=jane(practice), slot=busy))


async def test_replaying_a_key_returns_the_same_appointment(
    harness: Harness, practice: Practice
) -> None:
    """Booking again with the same idempotency key returns the first Appointment, not a second."""
    request = await first_patel_slot(harness, practice)

    first = await harness.connector.book(request)
    again = await harness.connector.book(request)

    assert again == first
    assert (
        len(await practice.search("Appointment", identifier=f"{BOOKING_KEY_SYSTEM}|call-1:slot"))
        == 1
    )


async def test_a_lost_create_answer_is_retried_without_a_second_booking(
    harness: Harness, practice: Practice
) -> None:
    """The first create lands but its answer is lost; the conditional retry finds it."""
    request = await first_patel_slot(harness, practice)

    async def lose_first_create(request: httpx.Request, forward: Forward) -> httpx.Response:
        response = await forward(request)
        if request.method == "POST" and len(harness.tap.sent("POST", "Appointment")) == 1:
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    harness.tap.hook = lose_first_create
    appointment = await harness.connector.book(request)

    creates = harness.tap.sent("POST", "Appointment")
    assert len(creates) == 2
    assert {c.headers["If-None-Exist"] for c in creates} == {
        "identifier=urn%3Afrontdesk%3Abooking-key%7Ccall-1%3Aslot"
    }
    [stored] = await practice.search("Appointment", slot=f"Slot/{request.slot.id}")
    assert stored["id"] == appointment.id


async def test_a_server_ignoring_if_none_exist_still_books_once(
    harness: Harness, practice: Practice
) -> None:
    """If the server ignores If-None-Exist, the retry's twin is cancelled and the first kept."""
    request = await first_patel_slot(harness, practice)

    async def ignore_conditional_create(request: httpx.Request, forward: Forward) -> httpx.Response:
        if request.method == "POST":
            del request.headers["If-None-Exist"]
            response = await forward(request)
            if len(harness.tap.sent("POST", "Appointment")) == 1:
                raise httpx.ReadTimeout("answer lost", request=request)
            return response
        return await forward(request)

    harness.tap.hook = ignore_conditional_create
    appointment = await harness.connector.book(request)

    stored = await practice.search("Appointment", slot=f"Slot/{request.slot.id}")
    assert sorted(a["status"] for a in stored) == ["booked", "cancelled"]
    assert next(a for a in stored if a["status"] == "booked")["id"] == appointment.id


async def test_losing_a_race_cancels_our_booking(harness: Harness, practice: Practice) -> None:
    """Someone books the Slot between our check and our create: ours is cancelled, Conflict."""
    request = await first_patel_slot(harness, practice)
    rival: list[str] = []

    async def rival_books_first(request: httpx.Request, forward: Forward) -> httpx.Response:
        if request.method == "POST" and not rival:
            body = json.loads(request.content)
            body["identifier"] = [{"system": "urn:other-agent", "value": "x"}]
            rival.append((await practice.post(body))["id"])
        return await forward(request)

    harness.tap.hook = rival_books_first
    with pytest.raises(Conflict, match="someone else"):
        await harness.connector.book(request)

    stored = {a["id"]: a["status"] for a in await practice.search("Appointment")}
    assert stored.pop(rival[0]) == "booked"
    assert list(stored.values()) == ["cancelled"]
    assert (await practice.get(f"Slot/{request.slot.id}"))["status"] == "busy"


async def test_concurrent_bookings_never_double_book(harness: Harness, practice: Practice) -> None:
    """Two callers book each Slot at once: never both; the one told "booked" holds it."""
    slots = await harness.connector.find_slots(new_patient_query(practice, practice.patel))
    patient = jane(practice)
    winners = 0
    for slot in slots:
        results = await asyncio.gather(
            harness.connector.book(BookingRequest(patient, slot, idempotency_key=f"a:{slot.id}")),
            GenericFhirConnector(harness.http).book(
                BookingRequest(patient, slot, idempotency_key=f"b:{slot.id}")
            ),
            return_exceptions=True,
        )

        booked = [r.id for r in results if not isinstance(r, BaseException)]
        assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException)), (
            results
        )
        holding = [
            a["id"]
            for a in await practice.search("Appointment", slot=f"Slot/{slot.id}")
            if a["status"] == "booked"
        ]
        assert holding == booked  # at most one (a same-millisecond tie makes both yield)
        winners += len(booked)
    assert winners >= len(slots) - 1


async def test_a_slot_changed_under_us_is_reread(harness: Harness, practice: Practice) -> None:
    """The Slot's version moves between our read and our PUT: If-Match fails, we re-read, retry."""
    request = await first_patel_slot(harness, practice)

    async def touch_slot_before_put(request: httpx.Request, forward: Forward) -> httpx.Response:
        if request.method == "PUT" and len(harness.tap.sent("PUT", "Slot")) == 1:
            async with httpx.AsyncClient(base_url=practice.base + "/") as other:
                slot = (await other.get(request.url.path.split("/fhir/R4/")[1])).json()
                slot["comment"] = "front desk note"
                (await other.put(f"Slot/{slot['id']}", json=slot)).raise_for_status()
        return await forward(request)

    harness.tap.hook = touch_slot_before_put
    await harness.connector.book(request)

    puts = harness.tap.sent("PUT", "Slot")
    assert len(puts) == 2
    assert all(p.headers["If-Match"].startswith('W/"') for p in puts)
    stored = await practice.get(f"Slot/{request.slot.id}")
    assert (stored["status"], stored["comment"]) == ("busy", "front desk note")


async def test_cancel_frees_the_slot(harness: Harness, practice: Practice) -> None:
    """Cancelling sets the Appointment cancelled and offers the Slot again."""
    request = await first_patel_slot(harness, practice)
    appointment = await harness.connector.book(request)

    await harness.connector.cancel(appointment, request.patient, "feeling better")

    stored = await practice.get(f"Appointment/{appointment.id}")
    assert (stored["status"], stored["cancelationReason"]) == (
        "cancelled",
        {"text": "feeling better"},
    )
    assert (await practice.get(f"Slot/{request.slot.id}"))["status"] == "free"
    again = await harness.connector.find_slots(new_patient_query(practice, practice.patel))
    assert request.slot.id in {s.id for s in again}


async def test_reschedule_books_then_cancels(harness: Harness, practice: Practice) -> None:
    """Rescheduling books the new Slot and cancels the old visit."""
    slots = await harness.connector.find_slots(new_patient_query(practice, practice.patel))
    old = await harness.connector.book(BookingRequest(patient=jane(practice), slot=slots[0]))

    new = await harness.connector.reschedule(
        old, BookingRequest(patient=jane(practice), slot=slots[1])
    )

    statuses = {a.id: a.status for a in await harness.connector.appointments(practice.patient)}
    assert statuses == {old.id: AppointmentStatus.CANCELLED, new.id: AppointmentStatus.BOOKED}


async def test_recent_practitioners(harness: Harness, practice: Practice) -> None:
    """Providers of last year's visits come back most recent first; cancelled ones do not."""
    now = dt.datetime.now(dt.UTC)
    for days_ago, who, status in (
        (200, practice.patel, "fulfilled"),
        (30, practice.reyes, "fulfilled"),
        (10, practice.patel, "cancelled"),
        (400, practice.reyes, "fulfilled"),
    ):
        start = now - dt.timedelta(days=days_ago)
        await practice.post(
            {
                "resourceType": "Appointment",
                "status": status,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(minutes=30)).isoformat(),
                "participant": [
                    {"actor": {"reference": f"Patient/{practice.patient}"}, "status": "accepted"},
                    {"actor": {"reference": f"Practitioner/{who}"}, "status": "accepted"},
                ],
            }
        )

    assert await harness.connector.recent_practitioners(practice.patient) == [
        practice.reyes,
        practice.patel,
    ]


def test_the_server_validates_what_it_is_sent(practice: Practice) -> None:
    """The server is no pushover: an Appointment without participant status is a 400."""
    response = httpx.post(
        f"{practice.base}/Appointment",
        json={"resourceType": "Appointment", "status": "booked", "participant": [{}]},
    )
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
