"""ModMed Appointment create, read, search and update: atomic, pending, cancellable."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.sandbox.util import (
    BOCA,
    ORIGIN,
    Clinic,
    booking_body,
    patient_id,
    resources,
    slot_params,
)


async def free_slot(
    clinic: Clinic, code: str = "1957", practitioner: str = "310101"
) -> dict[str, Any]:
    bundle = (await clinic.get("Slot", slot_params(code, practitioner=practitioner))).json()
    return resources(bundle)[0]


def maria(clinic: Clinic) -> str:
    return patient_id(clinic.sandbox, "Maria", "García-López", "1985-03-03")


def slot_status(clinic: Clinic, slot_id: str) -> str:
    slot = clinic.sandbox.store.get(BOCA, "Slot", slot_id)
    assert slot is not None
    return str(slot["status"])


async def test_create_books_the_slot(clinic: Clinic) -> None:
    """A create answers 201, a pending Appointment and a Location header; the slot turns busy."""
    slot = await free_slot(clinic)
    response = await clinic.post("Appointment", booking_body(slot, maria(clinic)))
    assert response.status_code == 201, response.text
    body = response.json()
    base = f"{ORIGIN}{clinic.base()}/fhir/v2"
    assert response.headers["location"] == f"{base}/Appointment/{body['id']}"
    assert body["id"].isdigit()
    assert body["status"] == "pending"
    assert body["meta"]["lastUpdated"]
    assert body["created"]
    assert body["minutesDuration"] == 15
    assert body["slot"] == [{"reference": f"{base}/Slot/{slot['id']}"}]
    actors = sorted(p["actor"]["reference"] for p in body["participant"])
    assert actors == sorted(
        [f"{base}/Patient/{maria(clinic)}", f"{base}/Practitioner/310101", f"{base}/Location/801"]
    )
    assert all(p["actor"]["display"] == p["actor"]["reference"] for p in body["participant"])
    assert body["appointmentType"]["coding"][0] == {
        "system": f"{base}/ValueSet/appointment-type",
        "code": "1957",
        "display": "Follow-up",
    }
    assert slot_status(clinic, slot["id"]) == "busy"
    stored = clinic.sandbox.store.get(BOCA, "Appointment", body["id"])
    assert stored is not None
    assert stored["participant"][1]["actor"]["display"] == "Maria García-López"
    read = (await clinic.get(f"Appointment/{body['id']}")).json()
    assert read == body
    again = resources((await clinic.get("Slot", slot_params(practitioner="310101"))).json())
    assert slot["id"] not in {s["id"] for s in again}


@pytest.mark.parametrize("minutes", [15, "15"])
async def test_minutes_duration_int_or_string(clinic: Clinic, minutes: Any) -> None:
    """`minutesDuration` is accepted as a number or a numeric string and stored as a number."""
    slot = await free_slot(clinic)
    response = await clinic.post("Appointment", booking_body(slot, maria(clinic), minutes=minutes))
    assert response.status_code == 201
    assert response.json()["minutesDuration"] == 15


async def test_concurrent_bookings_of_one_slot(clinic: Clinic) -> None:
    """Twenty concurrent creates for one slot: exactly one 201, nineteen 409, one Appointment."""
    slot = await free_slot(clinic)
    patients = clinic.sandbox.store.all(BOCA, "Patient")[:20]
    before = clinic.sandbox.store.spaces[BOCA].count("Appointment")
    responses = await asyncio.gather(
        *(clinic.post("Appointment", booking_body(slot, p["id"])) for p in patients)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19
    conflicts = [r.json() for r in responses if r.status_code == 409]
    assert all(c["issue"][0]["code"] == "conflict" for c in conflicts)
    assert clinic.sandbox.store.spaces[BOCA].count("Appointment") == before + 1
    booked = [
        a
        for a in clinic.sandbox.store.all(BOCA, "Appointment")
        if a["slot"][0]["reference"] == f"Slot/{slot['id']}"
    ]
    assert len(booked) == 1


async def test_cancel_frees_the_slot(clinic: Clinic) -> None:
    """Cancelling frees the slot for a new booking; un-cancelling after that is a 409."""
    slot = await free_slot(clinic)
    created = (await clinic.post("Appointment", booking_body(slot, maria(clinic)))).json()
    booked = await clinic.put(f"Appointment/{created['id']}", {**created, "status": "booked"})
    assert booked.status_code == 200
    assert booked.json()["status"] == "booked"
    assert slot_status(clinic, slot["id"]) == "busy"
    cancelled = await clinic.put(f"Appointment/{created['id']}", {**created, "status": "cancelled"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert slot_status(clinic, slot["id"]) == "free"
    found = resources((await clinic.get("Slot", slot_params(practitioner="310101"))).json())
    assert slot["id"] in {s["id"] for s in found}
    other = clinic.sandbox.store.all(BOCA, "Patient")[0]["id"]
    rebooked = await clinic.post("Appointment", booking_body(slot, other))
    assert rebooked.status_code == 201
    revived = await clinic.put(f"Appointment/{created['id']}", {**created, "status": "booked"})
    assert revived.status_code == 409


async def test_update_refuses_rescheduling_and_bad_bodies(clinic: Clinic) -> None:
    """PUT cannot move an appointment; wrong ids, statuses and unknown ids are refused."""
    slot = await free_slot(clinic)
    created = (await clinic.post("Appointment", booking_body(slot, maria(clinic)))).json()
    path = f"Appointment/{created['id']}"
    moved = {**created, "start": "2026-07-07T13:00:00.000+00:00"}
    assert (await clinic.put(path, moved)).status_code == 422
    assert (await clinic.put(path, {**created, "id": "1"})).status_code == 400
    assert (await clinic.put(path, {**created, "status": "maybe"})).status_code == 400
    assert (await clinic.put("Appointment/1", created)).status_code == 404
    assert (await clinic.put(path, {"resourceType": "Patient"})).status_code == 400


async def test_booking_validation(clinic: Clinic) -> None:
    """Bad bodies are 400 or 422 with an OperationOutcome; nothing is booked."""
    slot = await free_slot(clinic)
    good = booking_body(slot, maria(clinic))
    cases: list[tuple[Any, int]] = [
        ({"resourceType": "Patient"}, 400),
        ({**good, "participant": good["participant"][1:]}, 400),  # no patient
        (
            {
                **good,
                "participant": [{"actor": {"reference": "Patient/1"}}, *good["participant"][1:]],
            },
            422,
        ),
        ({**good, "appointmentType": {"coding": [{"code": "9999"}]}}, 422),
        ({**good, "appointmentType": {}}, 400),
        ({**good, "start": "soon"}, 400),
        ({**good, "end": good["start"]}, 400),
        ({**good, "minutesDuration": "fifteen"}, 400),
        ({**good, "minutesDuration": 30}, 422),
        ({**good, "start": "2026-07-06T03:00:00.000+00:00"}, 422),  # no slot at that time
        ({**good, "appointmentType": "1957", "participant": "everyone"}, 400),
        ({**good, "participant": [{"actor": {"reference": "Patient/"}}]}, 400),
        ({**good, "participant": [{"actor": "Patient/1"}, None]}, 400),
        ([good], 400),
    ]
    for body, status in cases:
        response = await clinic.post("Appointment", body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["resourceType"] == "OperationOutcome"
    response = await clinic.http.post(
        f"{clinic.base()}/fhir/v2/Appointment", content=b"{", headers=await clinic.headers()
    )
    assert response.status_code == 400
    assert slot_status(clinic, slot["id"]) == "free"


async def test_appointment_search(clinic: Clinic) -> None:
    """Appointments by patient, practitioner, status, date and type; participants are URLs."""
    slot = await free_slot(clinic, "1152", "310103")
    created = (await clinic.post("Appointment", booking_body(slot, maria(clinic)))).json()
    mine = resources((await clinic.get("Appointment", {"patient": maria(clinic)})).json())
    assert created["id"] in {a["id"] for a in mine}
    query = {
        "patient": f"Patient/{maria(clinic)}",
        "practitioner": "310103",
        "status": "pending",
        "appointment-type": "1152",
        "date": slot["start"][:10],
    }
    found = resources((await clinic.get("Appointment", query)).json())
    assert [a["id"] for a in found] == [created["id"]]
    later = {"practitioner": "310103", "date": "ge2026-07-20", "_count": "50"}
    assert all(
        a["start"] >= "2026-07-20"
        for a in resources((await clinic.get("Appointment", later)).json())
    )
    reference = next(iter(resources((await clinic.get("Appointment", {"_count": "1"})).json())))
    assert all(p["actor"]["reference"].startswith(ORIGIN) for p in reference["participant"])
