"""New-patient intake on Epic: the EMPI check before any create, a provisional chart, insurance
validated before it is written, and an open-scheduling booking in the same call."""

from __future__ import annotations

from typing import Any

import httpx

from frontdesk.testing import ScriptedCaller

RIVERSIDE = "+1 312 555 0100"


async def search(client: httpx.AsyncClient, kind: str, **params: str) -> list[dict[str, Any]]:
    response = await client.get(f"/sandbox/fhir/riverside/{kind}", params=params)
    return [e["resource"] for e in response.json().get("entry", [])]


async def until_new(
    client: httpx.AsyncClient, name: str, birth: str, ani: str, phone: str | None = None
) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=RIVERSIDE, ani=ani)
    await caller.dial()
    await caller.say("I'd like to make an appointment, I'm a new patient")
    if caller.expecting == "patient.birth_date":  # caller ID found charts on this number
        await caller.say(birth)
    await caller.say(name)
    await caller.say(birth)
    assert caller.expecting == "patient.spelling", caller.heard
    await caller.say(" ".join(name.split()[-1].upper()))
    await caller.say(birth)
    assert caller.expecting == "patient.new", caller.heard
    await caller.say("yes")
    assert caller.expecting == "patient.sex", caller.heard
    await caller.say("female" if name.startswith("Nora") else "male")
    if phone is None:
        await caller.say("yes")  # the number I'm calling from is the best one
    else:
        await caller.say("no")
        assert caller.expecting == "patient.phone", caller.heard
        await caller.say(phone)
    assert caller.expecting == "patient.postal_code", caller.heard
    await caller.say("6 0 3 0 1")
    assert "That's Oak Park, IL?" in caller.heard, caller.heard
    await caller.say("yes")
    assert caller.expecting == "patient.email", caller.heard
    await caller.say("nora dot n at example dot com" if name.startswith("Nora") else "no thanks")
    return caller


async def test_a_new_caller_registers_and_books(client: httpx.AsyncClient) -> None:
    """No match → provisional Patient; active plan → provisional Coverage; `$book` → Appointment."""
    caller = await until_new(client, "Nora Newcombe", "June 5th 1992", "+1 202 555 0199")
    assert "Your record is set up" in caller.heard, caller.heard
    for line in ("anyone", "next week", "the first one", "aetna", "ACT 445 566", "mine", "yes"):
        await caller.say(line)
    assert "You're all set" in caller.heard, caller.heard
    record = await caller.record()
    patient_id = record["state"]["patient"]["value"]["id"]
    [chart] = await search(client, "Patient", _id=patient_id)
    assert chart["meta"]["tag"][0]["code"] == "provisional"
    assert chart["name"][0]["family"] == "Newcombe"
    assert chart["address"][0]["city"] == "Oak Park"
    assert {"system": "email", "value": "nora.n@example.com"} in chart["telecom"]
    [coverage] = await search(client, "Coverage", patient=patient_id)
    assert coverage["subscriberId"] == "ACT445566"
    assert coverage["meta"]["tag"][0]["code"] == "provisional"
    [appointment] = await search(client, "Appointment", patient=patient_id)
    assert appointment["status"] == "booked"
    codes = {c["code"] for s in appointment.get("serviceType", []) for c in s.get("coding", [])}
    assert "1010" in codes  # the practice's new-patient visit type
    operations = [r["operation"] for r in record["ehr_requests"]]
    assert operations.index("epic.patient_lookup") < operations.index("epic.patient.create")
    assert operations.index("pverify.eligibility_summary") < operations.index(
        "epic.coverage.create"
    )
    assert "epic.appointment.book" in operations
    assert any("provisional chart" in task for task in record["staff_tasks"])


async def test_an_ambiguous_match_goes_to_data_stewardship(client: httpx.AsyncClient) -> None:
    """Wei Zhang's name and phone with another birth date: handoff, nothing created or merged."""
    before = len(await search(client, "Patient", family="Zhang", _count="1000"))
    caller = await until_new(client, "Wei Zhang", "January 9th 1963", "+1 954 555 0118")
    assert caller.last["handoff"]["reason"] == "data_stewardship", caller.heard
    assert "avoid creating a duplicate" in caller.heard
    assert len(await search(client, "Patient", family="Zhang", _count="1000")) == before
    record = await caller.record()
    assert "epic.patient.create" not in {r["operation"] for r in record["ehr_requests"]}
    assert record["handoff"]["summary"]


async def test_a_definite_match_uses_the_existing_chart(client: httpx.AsyncClient) -> None:
    """ "Jim Smith" is James Smith by the EMPI: his chart is used, no duplicate is made."""
    before = len(await search(client, "Patient", family="Smith", _count="1000"))
    caller = await until_new(
        client, "Jim Smith", "February 14th 1970", "+1 202 555 0177", phone="305 555 0131"
    )
    assert "we already have your chart" in caller.heard, caller.heard
    record = await caller.record()
    assert record["state"]["patient"]["value"]["given"][0] == "James"
    assert "EMPI definite" in record["state"]["patient"]["evidence"]
    assert len(await search(client, "Patient", family="Smith", _count="1000")) == before
    assert "epic.patient.create" not in {r["operation"] for r in record["ehr_requests"]}
