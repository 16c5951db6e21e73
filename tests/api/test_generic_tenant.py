"""A caller books, by voice-like text over the HTTP API, in an independent FHIR R4 server."""

from __future__ import annotations

import httpx

from frontdesk.api import create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.runtime import Runtime
from frontdesk.settings import Settings
from frontdesk.tenancy import parse_deployment
from frontdesk.testing import ScriptedCaller
from tests.ehr.test_generic_server import NEW, Practice, practice, server  # noqa: F401  # fixtures

NUMBER = "+1 202 555 0100"


async def test_a_fhir_tenant_books_in_the_independent_server(practice: Practice) -> None:  # noqa: F811  # the fixture
    """Same conversation, `kind: fhir` tenant: the Appointment lands in Medplum's server."""
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
    runtime = await Runtime.start(
        Settings(sandbox=False), deployment=deployment, audit=MemoryAuditSink()
    )
    try:
        transport = httpx.ASGITransport(app=create_asgi(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://frontdesk") as client:
            caller = ScriptedCaller(client, to=NUMBER)
            await caller.dial()
            for words in (
                "book an appointment",
                "Jane Doe",
                "January 2nd 1980",
                "Doctor Patel",
                "as soon as possible",
            ):
                await caller.say(words)
            assert caller.expecting == "slot_choice", caller.heard
            assert "Dr. Anika Patel" in caller.heard
            await caller.say("the first one")
            await caller.say("yes")
            assert "You're all set" in caller.heard, caller.heard
            record = await caller.record()
    finally:
        await runtime.aclose()
    booked = record["state"]["appointment"]["value"]
    async with httpx.AsyncClient(base_url=practice.base + "/") as fhir:
        stored = (await fhir.get(f"Appointment/{booked['id']}")).json()
        slot_id = record["state"]["chosen_slot"]["value"]["id"]
        slot = (await fhir.get(f"Slot/{slot_id}")).json()
    assert stored["status"] == "booked"
    assert {"reference": f"Slot/{slot_id}"} in stored["slot"]
    assert {p["actor"]["reference"] for p in stored["participant"]} >= {
        f"Patient/{practice.patient}",
        f"Practitioner/{practice.patel}",
    }
    assert slot["status"] == "busy"
    operations = {t["operation"] for t in record["transactions"]}
    assert "fhir.appointment.create" in operations
