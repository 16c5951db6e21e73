"""A caller books an appointment over the HTTP API; the EHR side is checked in the sandbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from fhir.resources.R4B.appointment import Appointment as FhirAppointment

from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA

MARIA = ("Maria Garcia Lopez", "March third nineteen eighty five")


async def book(
    client: httpx.AsyncClient,
    name: str,
    birth: str,
    *,
    provider: str,
    when: str,
    ani: str = "+1 202 555 0147",  # no chart has this number
) -> ScriptedCaller:
    """Run the whole booking script and return the caller (call not yet ended)."""
    caller = ScriptedCaller(client, to=BOCA, ani=ani)
    await caller.dial()
    assert caller.expecting == "intent"
    await caller.say("Hi, I'd like to book an appointment")
    assert caller.expecting == "patient.name", caller.heard
    await caller.say(name)
    assert caller.expecting == "patient.birth_date", caller.heard
    await caller.say(birth)
    assert caller.expecting == "provider", caller.heard
    await caller.say(provider)
    assert caller.expecting == "time_preference", caller.heard
    await caller.say(when)
    assert caller.expecting == "slot_choice", caller.heard
    return caller


async def sandbox_search(client: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    response = await client.get(f"/sandbox/fhir/bocaderm/{path}")
    assert response.status_code == 200, response.text
    return [e["resource"] for e in response.json().get("entry", [])]


async def test_booking_lands_in_the_sandbox(client: httpx.AsyncClient) -> None:
    """Name, birth date, provider, time, pick, confirm: the Appointment exists, the slot is busy."""
    caller = await book(
        client, *MARIA, provider="whoever is first available", when="next Tuesday afternoon"
    )
    assert "Tuesday, November 24th" in caller.heard
    await caller.say("the first one")
    assert caller.expecting == "confirm"
    await caller.say("yes please")
    assert "You're all set" in caller.heard
    assert caller.expecting == "intent"
    await caller.say("no, that's all, thanks")
    assert caller.last["ended"] is True
    assert caller.last["handoff"] is None

    record = await caller.record()
    assert record["outcome"] == "booked"
    state = record["state"]
    assert state["patient"]["source"] == "ehr"
    assert state["patient"]["step"] == "identify_patient"
    assert state["stated_name"]["source"] == "caller"
    assert state["visit_type"]["source"] == "attribute"
    assert state["ani"]["source"] == "ani"
    slot = state["chosen_slot"]["value"]
    appointment_id = state["appointment"]["value"]["id"]
    patient_id = state["patient"]["value"]["id"]

    [stored] = await sandbox_search(client, f"Appointment?_id={appointment_id}")
    FhirAppointment.model_validate(stored)  # what the connector wrote is valid FHIR R4
    refs = {
        p["actor"]["reference"].split("/")[-2]: p["actor"]["reference"].split("/")[-1]
        for p in stored["participant"]
    }
    assert refs["Patient"] == patient_id
    assert refs["Practitioner"] == slot["practitioner_id"]
    assert dt.datetime.fromisoformat(stored["start"]) == dt.datetime.fromisoformat(slot["start"])
    local = dt.datetime.fromisoformat(stored["start"]).astimezone(
        dt.timezone(dt.timedelta(hours=-5))
    )
    assert local.date() == dt.date(2026, 11, 24)
    assert local.hour >= 12
    [busy] = await sandbox_search(client, f"Slot?_id={slot['id']}")
    assert busy["status"] == "busy"

    operations = {t["operation"]: t["count"] for t in record["transactions"]}
    assert operations["modmed.appointment.create"] == 1
    assert operations["modmed.oauth2.grant"] == 1
    assert [t["speaker"] for t in record["transcript"]][:2] == ["agent", "agent"]


async def test_unknown_number_is_a_404(client: httpx.AsyncClient) -> None:
    """A dialed number no practice owns gets a clear JSON error."""
    response = await client.post("/v1/calls", json={"to": "+12025550000", "from": None})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_number"


async def test_malformed_bodies_are_4xx_json(client: httpx.AsyncClient) -> None:
    """Bad input gets a JSON error, never a stack trace."""
    for body in ({}, {"to": 5}, {"to": "+15615550100", "channel": "pigeon"}, [1, 2]):
        response = await client.post("/v1/calls", json=body)
        assert response.status_code == 422, body
        assert set(response.json()["error"]) == {"code", "message"}
    response = await client.post(
        "/v1/calls", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    response = await client.post("/v1/calls/nope/turns", json={"text": "hi"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_call"
    started = (await client.post("/v1/calls", json={"to": BOCA})).json()
    response = await client.post(f"/v1/calls/{started['call_id']}/turns", json={"dtmf": "12a"})
    assert response.status_code == 422
    response = await client.post(f"/v1/calls/{started['call_id']}/turns", json={})
    assert response.status_code == 422
    assert (await client.get("/v1/calls/nope")).status_code == 404


async def test_tenants_and_health(client: httpx.AsyncClient) -> None:
    """Tenants list their numbers, EHR kind and sandbox firm or org, and no secrets."""
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    tenants = (await client.get("/v1/tenants")).json()["tenants"]
    assert {t["sandbox"]: t["ehr"] for t in tenants} == {
        "bocaderm": "modmed",
        "palmortho": "modmed",
        "riverside": "epic",
        "lakeshore": "epic",
    }
    text = str(tenants).lower()
    assert "password" not in text
    assert "api_key" not in text


async def test_named_provider_and_asap(client: httpx.AsyncClient) -> None:
    """A caller who names a provider is offered only that provider's times."""
    providers = await sandbox_search(client, "Practitioner")
    families = [p["name"][0]["family"] for p in providers]
    family = next(f for f in families if families.count(f) == 1)
    caller = await book(client, *MARIA, provider=f"Doctor {family}", when="as soon as possible")
    record = await caller.record()
    offered = record["state"]["offered_slots"]["value"]
    assert offered
    assert {s["practitioner_id"] for s in offered} <= {
        p["id"] for p in providers if p["name"][0]["family"] == family
    }


async def test_keypad_answers(client: httpx.AsyncClient) -> None:
    """Birth date as 8 keyed digits, the second option as 2, yes as 1: booked."""
    caller = ScriptedCaller(client, to=BOCA)
    await caller.dial()
    await caller.say("book an appointment")
    await caller.say("wei zhang")
    await caller.say(dtmf="01091962")
    assert caller.expecting == "provider"
    assert "Thank you, Wei" in caller.heard
    await caller.say("anyone")
    await caller.say("as soon as possible")
    offered = (await caller.record())["state"]["offered_slots"]["value"]
    await caller.say(dtmf="2")
    assert caller.expecting == "confirm"
    chosen = (await caller.record())["state"]["chosen_slot"]["value"]
    assert chosen["id"] == offered[1]["id"]
    await caller.say(dtmf="1")
    assert "You're all set" in caller.heard
