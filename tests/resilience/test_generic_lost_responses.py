"""Lost answers on a generic FHIR tenant (an independent server: Medplum's): the sandbox's own
fault rules, applied at the transport seam, lose every booking and cancelling answer; one
Appointment is made and one cancelled, and the caller hears so."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from frontdesk.api import create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.ehr import BookingRequest, Patient, SlotQuery
from frontdesk.runtime import Runtime
from frontdesk.sandbox import FaultRule, FaultTable
from frontdesk.settings import Settings
from frontdesk.tenancy import TenantConfig, parse_deployment
from frontdesk.testing import ScriptedCaller
from tests.ehr._generic_server import skip_reason
from tests.ehr.test_generic_server import NEW, Practice, practice, server  # noqa: F401  # fixtures

pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")

NUMBER = "+1 202 555 0100"


class FaultyTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport behind the sandbox's `FaultTable`: `phase="after"` sends the
    request (the server commits) and answers the rule's error instead of the response."""

    def __init__(self, faults: FaultTable) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.faults = faults
        self.requests: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        plan = self.faults.plan(request.method, request.url.path)
        if plan.error is not None and plan.phase == "before":
            status = plan.error.error_status or 500
        else:
            response = await self._inner.handle_async_request(request)
            await response.aread()
            if plan.error is None:
                self.requests.append((request.method, request.url.path, response.status_code))
                return response
            await response.aclose()
            status = plan.error.error_status or 500
        self.requests.append((request.method, request.url.path, status))
        return httpx.Response(status, json={"resourceType": "OperationOutcome", "issue": []})

    async def aclose(self) -> None:
        await self._inner.aclose()

    def sent(self, method: str, suffix: str) -> list[int]:
        return [s for m, p, s in self.requests if m == method and p.endswith(suffix)]


@pytest.fixture
async def tenant(practice: Practice) -> AsyncIterator[tuple[Runtime, FaultyTransport]]:  # noqa: F811  # the fixture
    """A `kind: fhir` tenant on the independent server, through a faulty transport."""
    faulty = FaultyTransport(FaultTable())
    deployment = parse_deployment(
        {
            "tenants": [
                {
                    "id": "any-fhir",
                    "name": "Standards Clinic",
                    "timezone": "UTC",
                    "dialed_numbers": [NUMBER],
                    "ehr": {"kind": "fhir", "base_url": practice.base},
                    "visit_type": NEW.code,
                    "visit_types": [
                        {"code": NEW.code, "display": NEW.display, "minutes": NEW.minutes}
                    ],
                    "escalation": {"front_desk": "+1 202 555 0199"},
                }
            ]
        }
    )

    def transport(config: TenantConfig) -> httpx.AsyncBaseTransport:
        return faulty

    runtime = await Runtime.start(
        Settings(sandbox=False), deployment=deployment, audit=MemoryAuditSink(), transport=transport
    )
    yield runtime, faulty
    await runtime.aclose()


async def test_a_lost_booking_answer_books_once_in_a_whole_call(
    tenant: tuple[Runtime, FaultyTransport],
    practice: Practice,  # noqa: F811  # the fixture
) -> None:
    """Every create answer is lost: resent with If-None-Exist, then read back; one booking."""
    runtime, faulty = tenant
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_asgi(runtime)), base_url="http://frontdesk"
    ) as client:
        caller = ScriptedCaller(client, to=NUMBER)
        await caller.dial()
        for words in (
            "book an appointment",
            "Jane Doe",
            "January 2nd 1980",
            "Doctor Patel",
            "as soon as possible",
            "the first one",
        ):
            await caller.say(words)
        assert caller.expecting == "confirm", caller.heard
        faulty.faults.set(
            [FaultRule(route="*/Appointment", methods=("POST",), error_status=503, phase="after")]
        )
        await caller.say("yes")
        assert "You're all set" in caller.heard, caller.heard
        record = await caller.record()
    slot_id = record["state"]["chosen_slot"]["value"]["id"]
    on_slot = await practice.search("Appointment", slot=f"Slot/{slot_id}")
    assert [a["id"] for a in on_slot] == [record["state"]["appointment"]["value"]["id"]]
    assert on_slot[0]["status"] == "booked"
    creates = [r for r in record["ehr_requests"] if r["operation"] == "fhir.appointment.create"]
    # Resent as it is (conditional), at most twice; the last failure is read back.
    assert [r["attempt"] for r in creates] in ([1, 2], [1, 2, 3])
    assert {r["status"] for r in creates} == {503}


async def test_a_lost_cancel_answer_is_read_back(
    tenant: tuple[Runtime, FaultyTransport],
    practice: Practice,  # noqa: F811  # the fixture
) -> None:
    """The cancelling PUT commits, its answer is lost: read back, cancelled once, slot freed."""
    runtime, faulty = tenant
    services = runtime.tenants.get("any-fhir")
    assert services is not None
    ehr = services.ehr
    patient = Patient(
        id=practice.patient, family="Doe", given=("Jane",), birth_date=dt.date(1980, 1, 2)
    )
    slots = await ehr.find_slots(SlotQuery(NEW, practice.day, practice.day + dt.timedelta(days=3)))
    booked = await ehr.book(BookingRequest(patient=patient, slot=slots[0], idempotency_key="k-1"))
    faulty.faults.set(
        [FaultRule(route="*/Appointment/*", methods=("PUT",), error_status=503, phase="after")]
    )
    await ehr.cancel(booked, patient, "feeling better")
    stored = await practice.get(f"Appointment/{booked.id}")
    assert stored["status"] == "cancelled"
    assert faulty.sent("PUT", f"/Appointment/{booked.id}") == [503]  # read back, never resent
