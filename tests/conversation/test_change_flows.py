"""Reschedule, cancel and several requests in one call, on a ModMed practice; caller ID."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA

ZARA = {
    "resourceType": "Patient",
    "name": [{"family": "Testwood", "given": ["Zara"]}],
    "birthDate": "1991-02-03",
    "gender": "female",
    "telecom": [{"system": "phone", "value": "2025550148"}],
}


async def load_zara(client: httpx.AsyncClient) -> str:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": ZARA, "request": {"method": "POST", "url": "Patient"}}],
    }
    response = await client.post("/sandbox/fhir/bocaderm", json=bundle)
    assert response.status_code == 200, response.text
    location: str = response.json()["entry"][0]["response"]["location"]
    return location.split("/")[1]


async def appointments(client: httpx.AsyncClient, patient_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/sandbox/fhir/bocaderm/Appointment", params={"patient": patient_id}
    )
    return [e["resource"] for e in response.json().get("entry", [])]


async def call(client: httpx.AsyncClient, *lines: str, ani: str | None = None) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=BOCA, ani=ani)
    await caller.dial()
    for line in lines:
        assert not caller.last["ended"], caller.heard
        await caller.say(line)
    return caller


async def test_book_then_reschedule_then_cancel(client: httpx.AsyncClient) -> None:
    """Three calls: booked; moved (old cancelled, new booked, never none or two); cancelled."""
    patient = await load_zara(client)
    await call(
        client,
        "book an appointment",
        "Zara Testwood",
        "February 3rd 1991",
        "anyone",
        "next Tuesday afternoon",
        "the first one",
        "yes",
        "no thanks",
    )
    [first] = await appointments(client, patient)
    assert first["status"] == "pending"

    moving = await call(client, "I need to reschedule my appointment", "Zara Testwood", "2/3/1991")
    assert moving.expecting == "confirm", moving.heard
    assert "Is that the one?" in moving.heard
    await moving.say("yes")
    assert moving.expecting == "time_preference", moving.heard
    await moving.say("next week")
    await moving.say("the second one")
    await moving.say("yes")
    assert "has moved to" in moving.heard, moving.heard
    await moving.say("no that's it")
    stored = {a["id"]: a for a in await appointments(client, patient)}
    assert stored[first["id"]]["status"] == "cancelled"
    live = [a for a in stored.values() if a["status"] != "cancelled"]
    assert len(live) == 1
    new = live[0]
    assert dt.datetime.fromisoformat(new["start"]) != dt.datetime.fromisoformat(first["start"])
    record = await moving.record()
    assert record["state"]["target_appointment"]["value"]["id"] == first["id"]
    old_slot = first["slot"][0]["reference"].split("/")[1]
    slot = await client.get(f"/sandbox/fhir/bocaderm/Slot/{old_slot}")
    assert slot.json()["status"] == "free"

    cancelling = await call(
        client, "cancel my appointment please", "Zara Testwood", "February third 1991"
    )
    assert "Is that the one?" in cancelling.heard
    await cancelling.say("yes")
    assert cancelling.expecting == "reason"
    await cancelling.say("I'm feeling better")
    assert "is cancelled" in cancelling.heard
    await cancelling.say("no")
    assert cancelling.last["ended"]
    assert all(a["status"] == "cancelled" for a in await appointments(client, patient))


async def test_two_requests_one_identification(client: httpx.AsyncClient) -> None:
    """ "Book an appointment and cancel one" — the patient is searched once for both."""
    patient = await load_zara(client)
    caller = await call(
        client,
        "I want to book an appointment and also cancel my old one",
        "Zara Testwood",
        "February 3rd 1991",
        "anyone",
        "as soon as possible",
        "the first one",
        "yes",
    )
    # Booked; the cancel request comes next and finds the visit just made.
    assert "Is that the one?" in caller.heard, caller.heard
    await caller.say("yes")
    await caller.say("schedule conflict")
    assert "is cancelled" in caller.heard
    record = await caller.record()
    searches = [r for r in record["ehr_requests"] if r["operation"] == "modmed.patient.search"]
    assert len(searches) <= 2  # one search (plus the sounds-alike fallback at most), once per call
    assert [a["status"] for a in await appointments(client, patient)] == ["cancelled"]


async def test_caller_id_then_birth_date_verifies(client: httpx.AsyncClient) -> None:
    """From a number on file the caller only confirms the birth date; nothing is said before."""
    await load_zara(client)
    caller = ScriptedCaller(client, to=BOCA, ani="+1 202 555 0148")
    await caller.dial()
    await caller.say("I'd like to book an appointment")
    assert caller.expecting == "patient.birth_date"
    assert "Zara" not in caller.heard
    await caller.say("February 3rd 1991")
    assert caller.expecting == "provider"
    assert "Thank you, Zara" in caller.heard
    record = await caller.record()
    assert "caller ID" in record["state"]["patient"]["evidence"]


async def test_caller_id_with_the_wrong_birth_date_falls_back_to_name(
    client: httpx.AsyncClient,
) -> None:
    """Someone else on the patient's phone: no match by birth date, so name and birth date."""
    await load_zara(client)
    caller = ScriptedCaller(client, to=BOCA, ani="+1 202 555 0148")
    await caller.dial()
    await caller.say("book an appointment")
    await caller.say("May 21st 2001")
    assert caller.expecting == "patient.name", caller.heard
    assert "Zara" not in caller.heard
    await caller.say("Emma Johnson")
    assert caller.expecting == "provider", caller.heard
    assert "Thank you, Emma" in caller.heard
