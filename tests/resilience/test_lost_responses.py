"""A write commits but its answer is lost (fault rules with `phase="after"`): never a double
booking, cancellation or coverage, and the caller hears what actually happened.

Epic and ModMed run on the embedded sandbox over HTTP, whole calls; the generic FHIR connector
runs against an independent FHIR server (Medplum's), with the same fault rules applied at the
transport seam.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA

RIVERSIDE = "+1 312 555 0100"
MARIA_PHONE = "+1 561 555 0123"  # Maria's chart phone at Riverside: her Tuesday visit is found
LOST = {"error_status": 503, "phase": "after"}


async def lose(client: httpx.AsyncClient, route: str, method: str) -> None:
    """Every `method` answer on `route` is lost from now on (the handler still commits)."""
    rule = {"route": route, "methods": [method], **LOST}
    assert (await client.put("/sandbox/faults", json=[rule])).status_code < 300


async def call(client: httpx.AsyncClient, to: str, ani: str, *lines: str) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=to, ani=ani)
    await caller.dial()
    for line in lines:
        assert not caller.last["ended"], caller.heard
        await caller.say(line)
    return caller


async def search(client: httpx.AsyncClient, space: str, path: str) -> list[dict[str, Any]]:
    response = await client.get(f"/sandbox/fhir/{space}/{path}")
    assert response.status_code == 200, response.text
    return [e["resource"] for e in response.json().get("entry", [])]


def sent(record: dict[str, Any], operation: str) -> list[dict[str, Any]]:
    return [r for r in record["ehr_requests"] if r["operation"] == operation]


def live_at(appointments: list[dict[str, Any]], start: str) -> list[dict[str, Any]]:
    when = dt.datetime.fromisoformat(start)
    return [
        a
        for a in appointments
        if a.get("start")
        and dt.datetime.fromisoformat(a["start"]) == when
        and a.get("status") not in ("cancelled", "entered-in-error")
    ]


# -- ModMed ----------------------------------------------------------------------------------


async def test_modmed_lost_booking_answer_books_once(client: httpx.AsyncClient) -> None:
    """The Appointment create commits, its answer is lost: read back, booked once, caller told."""
    caller = await call(
        client,
        BOCA,
        "+1 202 555 0301",
        "I'd like to book an appointment",
        "Maria Garcia Lopez",
        "March third nineteen eighty five",
        "whoever is first available",
        "next Tuesday afternoon",
        "the first one",
    )
    assert caller.expecting == "confirm", caller.heard
    await lose(client, "*/firm/bocaderm/ema/fhir/v2/Appointment", "POST")
    await caller.say("yes please")
    assert "You're all set" in caller.heard, caller.heard
    record = await caller.record()
    creates = sent(record, "modmed.appointment.create")
    assert [(c["attempt"], c["status"]) for c in creates] == [(1, 503)]  # never resent
    patient = record["state"]["patient"]["value"]["id"]
    slot = record["state"]["chosen_slot"]["value"]
    stored = live_at(
        await search(client, "bocaderm", f"Appointment?patient={patient}"), slot["start"]
    )
    assert [a["id"] for a in stored] == [record["state"]["appointment"]["value"]["id"]]


async def test_modmed_lost_cancel_answer_is_read_back(client: httpx.AsyncClient) -> None:
    """The cancelling PUT commits, its answer is lost: the read-back shows it cancelled."""
    caller = await call(
        client,
        BOCA,
        "+1 202 555 0303",
        "cancel my appointment please",
        "Maria Garcia Lopez",
        "March third nineteen eighty five",
    )
    if caller.expecting == "appointment_choice":  # she has more than one visit coming
        await caller.say("the first one")
    if caller.expecting == "confirm":  # "Is that the one?"
        await caller.say("yes")
    assert caller.expecting == "reason", caller.heard
    await lose(client, "*/firm/bocaderm/ema/fhir/v2/Appointment/*", "PUT")
    await caller.say("I'm feeling better")
    assert "is cancelled" in caller.heard, caller.heard
    record = await caller.record()
    cancelled = record["state"]["cancelled"]["value"]["id"]
    updates = sent(record, "modmed.appointment.update")
    assert [(u["attempt"], u["status"]) for u in updates] == [(1, 503)]
    [stored] = await search(client, "bocaderm", f"Appointment?_id={cancelled}")
    assert stored["status"] == "cancelled"


# -- Epic ------------------------------------------------------------------------------------


async def test_epic_lost_schedule_answer_books_once(client: httpx.AsyncClient) -> None:
    """ScheduleAppointment commits, its answer is lost: read back, one appointment, caller told."""
    caller = await call(
        client,
        RIVERSIDE,
        "+1 202 555 0311",
        "I'd like to book an appointment",
        "Maria Garcia Lopez",
        "March 3rd 1985",
        "yes",
        "next week",
        "the second one",
        "yes",
    )
    assert "The payer shows your" in caller.heard, caller.heard
    await lose(client, "*ScheduleAppointment*", "POST")
    await caller.say("yes")
    assert "You're all set" in caller.heard, caller.heard
    record = await caller.record()
    schedules = sent(record, "epic.schedule_appointment")
    assert [(s["attempt"], s["status"]) for s in schedules] == [(1, 503)]
    patient = record["state"]["patient"]["value"]["id"]
    slot = record["state"]["chosen_slot"]["value"]
    stored = live_at(
        await search(client, "riverside", f"Appointment?patient={patient}"), slot["start"]
    )
    assert [a["id"] for a in stored] == [record["state"]["appointment"]["value"]["id"]]


async def test_epic_lost_cancel_answer_is_read_back(client: httpx.AsyncClient) -> None:
    """CancelAppointment commits, its answer is lost: the read-back shows it cancelled."""
    caller = await call(
        client,
        RIVERSIDE,
        MARIA_PHONE,
        "cancel my appointment",
        "March 3rd 1985",
        "yes",
    )
    assert caller.expecting == "reason", caller.heard
    await lose(client, "*CancelAppointment*", "POST")
    await caller.say("I have to travel")
    assert "is cancelled" in caller.heard, caller.heard
    record = await caller.record()
    cancels = sent(record, "epic.cancel_appointment")
    assert [(c["attempt"], c["status"]) for c in cancels] == [(1, 503)]
    cancelled = record["state"]["cancelled"]["value"]["id"]
    response = await client.get(f"/sandbox/fhir/riverside/Appointment/{cancelled}")
    assert response.json()["status"] == "cancelled"


async def test_epic_lost_coverage_answer_writes_one_coverage(client: httpx.AsyncClient) -> None:
    """Coverage.Create commits, its answer is lost: read back, one Coverage, booking goes on."""
    caller = await call(
        client,
        RIVERSIDE,
        "+1 202 555 0312",
        "book an appointment",
        "Maria Garcia Lopez",
        "March 3rd 1985",
        "yes",
        "next week",
        "the first one",
        "no, I have new insurance",
        "it's Aetna",
        "A C T one two three four five six",
    )
    assert caller.expecting == "insurance.policyholder", caller.heard
    await lose(client, "*/api/FHIR/R4/Coverage", "POST")
    await caller.say("yes, it's in my name")
    assert "The payer shows your" in caller.heard, caller.heard
    record = await caller.record()
    creates = sent(record, "epic.coverage.create")
    assert [(c["attempt"], c["status"]) for c in creates] == [(1, 503)]
    patient = record["state"]["patient"]["value"]["id"]
    written = [
        c
        for c in await search(client, "riverside", f"Coverage?patient={patient}")
        if c.get("subscriberId") == "ACT123456"
    ]
    assert len(written) == 1
    assert record["state"]["coverages"]["value"][0]["id"] == written[0]["id"]
    await client.delete("/sandbox/faults")
    await caller.say("yes")
    assert "You're all set" in caller.heard, caller.heard
