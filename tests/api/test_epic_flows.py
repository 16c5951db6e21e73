"""Every established-patient flow on an Epic org, checked on the EHR side (inspection surface)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from frontdesk.testing import ScriptedCaller

RIVERSIDE = "+1 312 555 0100"
MARIA_PHONE = "+1 561 555 0123"


async def appointment(client: httpx.AsyncClient, appointment_id: str) -> dict[str, Any]:
    response = await client.get(f"/sandbox/fhir/riverside/Appointment/{appointment_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def call(client: httpx.AsyncClient, *lines: str, ani: str | None = None) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=RIVERSIDE, ani=ani)
    await caller.dial()
    for line in lines:
        assert not caller.last["ended"], caller.heard
        await caller.say(line)
    return caller


async def test_epic_book(client: httpx.AsyncClient) -> None:
    """Name + birth date, the provider seen last, $find, ScheduleAppointment: booked in Epic."""
    caller = await call(
        client, "I'd like to book an appointment", "Maria Garcia Lopez", "March 3rd 1985"
    )
    assert caller.expecting == "confirm"
    assert "again?" in caller.heard  # "Is this with Dr. … again?" from recent encounters
    await caller.say("yes")
    await caller.say("next week")
    await caller.say("the second one")
    assert "still current?" in caller.heard, caller.heard  # the insurance on file
    await caller.say("yes")
    assert "The payer shows your" in caller.heard
    await caller.say("yes")
    assert "You're all set" in caller.heard, caller.heard
    record = await caller.record()
    booked = await appointment(client, record["state"]["appointment"]["value"]["id"])
    assert booked["status"] == "booked"
    assert record["state"]["coverages"]["source"] == "ehr"  # read alongside recent providers
    tiers = {t["operation"]: (t["tier"], t["count"]) for t in record["transactions"]}
    assert tiers["epic.appointment.find"] == ("Private", 1)
    assert tiers["epic.schedule_appointment"] == ("Private", 1)
    assert tiers["epic.patient.search"] == ("Standard", 1)


async def test_epic_reschedule_moves_the_visit(client: httpx.AsyncClient) -> None:
    """The featured Tuesday visit moves: old cancelled, new booked, in one step."""
    caller = await call(
        client, "I need to reschedule my appointment", "March 3rd 1985", ani=MARIA_PHONE
    )
    assert "Is that the one?" in caller.heard, caller.heard
    record = await caller.record()
    old_id = record["state"]["upcoming"]["value"][0]["id"]
    await caller.say("yes")
    await caller.say("as soon as possible")
    await caller.say("the first one")
    await caller.say("yes")
    assert "has moved to" in caller.heard, caller.heard
    record = await caller.record()
    new_id = record["state"]["appointment"]["value"]["id"]
    assert new_id != old_id
    assert (await appointment(client, old_id))["status"] == "cancelled"
    assert (await appointment(client, new_id))["status"] == "booked"


async def test_epic_cancel_with_a_reason(client: httpx.AsyncClient) -> None:
    """Cancel: the appointment is cancelled in Epic with the caller's reason."""
    caller = await call(
        client,
        "cancel my appointment",
        "March 3rd 1985",
        "yes",
        "I have to travel",
        ani=MARIA_PHONE,
    )
    assert "is cancelled" in caller.heard, caller.heard
    record = await caller.record()
    stored = await appointment(client, record["state"]["cancelled"]["value"]["id"])
    assert stored["status"] == "cancelled"
    assert "travel" in stored["cancelationReason"]["text"]


async def test_epic_confirm(client: httpx.AsyncClient) -> None:
    """Confirm: Epic records the confirmation on the appointment."""
    caller = await call(
        client, "I'm calling to confirm my appointment", "March 3rd 1985", "yes", ani=MARIA_PHONE
    )
    assert "You're confirmed" in caller.heard, caller.heard
    record = await caller.record()
    stored = await appointment(client, record["state"]["confirmed"]["value"]["id"])
    assert any(x.get("valueCode") == "confirmed" for x in stored.get("extension", []))


async def test_two_requests_identify_once(client: httpx.AsyncClient) -> None:
    """ "Move my Tuesday appointment and also book my annual check-up": one identification."""
    caller = await call(
        client,
        "move my Tuesday appointment and also book my annual check-up",
        "Maria Garcia Lopez",
        "March 3rd 1985",
    )
    assert "Tuesday" in caller.heard, caller.heard
    assert "Is that the one?" in caller.heard
    for line in ("yes", "as soon as possible", "the first one", "yes"):
        await caller.say(line)
    assert "has moved to" in caller.heard, caller.heard
    for line in ("yes", "next week", "the first one", "yes", "yes"):
        await caller.say(line)
    assert "annual physical" in caller.heard, caller.heard
    assert "You're all set" in caller.heard
    await caller.say("no that's all")
    assert caller.last["ended"]
    record = await caller.record()
    searches = [r for r in record["ehr_requests"] if r["operation"].startswith("epic.patient.")]
    assert len(searches) == 1
    assert record["state"]["visit_type"]["source"] == "caller"
    booked = await appointment(client, record["state"]["appointment"]["value"]["id"])
    codes = {c["code"] for s in booked.get("serviceType", []) for c in s.get("coding", [])}
    assert "1004" in codes  # Annual Physical


async def test_twins_on_one_phone_give_their_name(client: httpx.AsyncClient) -> None:
    """Caller ID finds both twins (one home phone, one birth date); the name tells them apart."""
    caller = await call(client, "book an appointment", "May 21st 2001", ani="+1 561 555 0170")
    assert caller.expecting == "patient.name", caller.heard
    assert "Emma" not in caller.heard
    assert "Olivia" not in caller.heard
    await caller.say("Olivia Johnson")
    assert "Thank you, Olivia" in caller.heard, caller.heard
    record = await caller.record()
    assert record["state"]["patient"]["value"]["given"][0] == "Olivia"
    assert dt.date.fromisoformat(record["state"]["patient"]["value"]["birth_date"]) == dt.date(
        2001, 5, 21
    )


async def test_the_specialty_switches_the_variant(client: httpx.AsyncClient) -> None:
    """Cardiology resolves the Heart Center variant: its persona speaks, its visit type is used."""
    caller = await call(
        client, "book an appointment", "Wei Zhang", "January 9th 1962", "no", "cardiology"
    )
    assert "Riverside Heart Center" in caller.heard, caller.heard
    record = await caller.record()
    assert record["state"]["variant"]["value"] == "Cardiology"
    assert record["state"]["variant"]["source"] == "attribute"
    assert record["state"]["visit_type"]["evidence"] == "variant:Cardiology"
