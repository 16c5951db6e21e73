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


async def inquiries(client: httpx.AsyncClient) -> list[str]:
    """What the payer was asked with, in order (the sandbox notes the NPI of each inquiry)."""
    response = await client.get(
        "/sandbox/requests", params={"route": "pverify.eligibility_summary"}
    )
    return [r["detail"] or "" for r in response.json()["requests"]]


GROUP_NPI = "1245319599"  # riverside's, in the demo deployment


async def test_a_new_caller_registers_and_books(client: httpx.AsyncClient) -> None:
    """No match → provisional Patient; the plan up front, validated under the group NPI, then
    written; an office chosen; `$book`; the visit's benefits asked under the rendering NPI."""
    caller = await until_new(client, "Nora Newcombe", "June 5th 1992", "+1 202 555 0199")
    assert "Your record is set up" in caller.heard, caller.heard
    assert caller.expecting == "insurance.payer", caller.heard
    for line in ("aetna", "ACT 445 566", "mine"):
        await caller.say(line)
    assert "The payer shows your" in caller.heard, caller.heard
    assert "as active." in caller.heard
    assert "copay" not in caller.heard  # the benefits belong to the visit, once it is chosen
    assert caller.expecting == "provider", caller.heard
    await caller.say("anyone")
    assert caller.expecting == "location", caller.heard
    assert "Oak Park" in caller.heard, caller.heard
    assert "Berwyn" in caller.heard
    await caller.say("the Oak Park office")
    assert "Okay, at Riverside Family Medicine North" in caller.heard, caller.heard
    await caller.say("next week")
    await caller.say("the first one")
    assert "for this visit" in caller.heard, caller.heard
    assert "copay" in caller.heard
    assert caller.expecting == "confirm", caller.heard
    await caller.say("yes")
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
    [north] = await search(client, "Location", name="Riverside Family Medicine North")
    where = [p["actor"]["reference"] for p in appointment["participant"]]
    assert f"Location/{north['id']}" in where
    operations = [r["operation"] for r in record["ehr_requests"]]
    assert operations.index("epic.patient_lookup") < operations.index("epic.patient.create")
    assert operations.index("pverify.eligibility_summary") < operations.index(
        "epic.coverage.create"
    )
    assert operations.index("epic.coverage.create") < operations.index("epic.appointment.find")
    assert "epic.appointment.book" in operations
    assert any("provisional chart" in task for task in record["staff_tasks"])
    first, second = await inquiries(client)
    assert f"provider NPI {GROUP_NPI}" in first  # before any provider was chosen
    assert "provider NPI" in second
    assert GROUP_NPI not in second  # the rendering provider's


async def new_with_plan(
    client: httpx.AsyncClient, name: str, payer: str, member_id: str
) -> ScriptedCaller:
    caller = await until_new(client, name, "June 5th 1992", "+1 202 555 0166")
    assert caller.expecting == "insurance.payer", caller.heard
    for line in (payer, member_id, "it's mine"):
        await caller.say(line)
    return caller


async def practitioner_id(client: httpx.AsyncClient, family: str) -> str:
    [found] = await search(client, "Practitioner", family=family)
    return str(found["id"])


async def test_a_provider_outside_the_plans_network_is_not_offered(
    client: httpx.AsyncClient,
) -> None:
    """Humana: Dr. Vásquez is not in its network; the caller hears so and is offered who is."""
    caller = await new_with_plan(client, "Nora Newcombe", "humana", "ACT 300 400")
    assert caller.expecting == "provider", caller.heard
    await caller.say("Dr. Vasquez please")
    assert "isn't in network with your Humana plan" in caller.heard, caller.heard
    assert "Dr. Anna Nowak" in caller.heard, caller.heard
    await caller.say("Dr. Nowak then")
    assert "Okay, with Dr. Anna Nowak" in caller.heard, caller.heard
    assert caller.expecting == "time_preference", caller.heard  # she sees patients at one office


async def test_anyone_means_anyone_in_network(client: httpx.AsyncClient) -> None:
    """ "Anyone" with a Humana plan: no slot offered with a provider outside its network."""
    caller = await new_with_plan(client, "Nora Newcombe", "humana", "ACT 300 401")
    await caller.say("whoever is first available")
    await caller.say("either one")
    await caller.say("as soon as possible")
    assert caller.expecting == "slot_choice", caller.heard
    record = await caller.record()
    outside = {await practitioner_id(client, "Vásquez"), await practitioner_id(client, "Brooks")}
    request = record["state"]["provider_request"]["value"]
    assert request["practitioner_ids"]
    assert not outside & set(request["practitioner_ids"])
    offered = {s["practitioner_id"] for s in record["state"]["offered_slots"]["value"]}
    assert offered
    assert not offered & outside


async def test_an_office_named_with_the_provider_is_not_asked_again(
    client: httpx.AsyncClient,
) -> None:
    """ "A cardiologist at the Heart Center": the office is taken from those words."""
    caller = await new_with_plan(client, "Nora Newcombe", "aetna", "ACT 300 402")
    await caller.say("I need a cardiologist at the Heart Center")
    assert caller.expecting == "time_preference", caller.heard
    await caller.say("as soon as possible")
    record = await caller.record()
    [heart] = await search(client, "Location", name="Riverside Heart Center")
    assert record["state"]["provider_request"]["value"]["location_id"] == heart["id"]
    offered = record["state"]["offered_slots"]["value"]
    assert offered
    assert {s["location_id"] for s in offered} == {heart["id"]}


async def test_an_inactive_plan_up_front_goes_to_billing(client: httpx.AsyncClient) -> None:
    """INA…: billing handoff before any provider search; no Coverage written."""
    caller = await new_with_plan(client, "Nora Newcombe", "blue cross", "INA 300 403")
    assert caller.last["handoff"]["reason"] == "coverage_inactive", caller.heard
    assert caller.last["handoff"]["target"] == "+13125550197"
    record = await caller.record()
    patient_id = record["state"]["patient"]["value"]["id"]
    assert await search(client, "Coverage", patient=patient_id) == []
    operations = {r["operation"] for r in record["ehr_requests"]}
    assert "epic.coverage.create" not in operations
    assert "epic.appointment.find" not in operations


async def test_a_payer_down_up_front_still_books_and_asks_once(
    client: httpx.AsyncClient,
) -> None:
    """DOWN…: the caller books anyway, nothing is written, staff get a task, no second ask."""
    caller = await new_with_plan(client, "Nora Newcombe", "united", "DOWN 300 404")
    assert "couldn't get an answer" in caller.heard, caller.heard
    for line in ("Dr. Okafor", "as soon as possible", "the first one"):
        await caller.say(line)
    assert caller.expecting == "confirm", caller.heard
    await caller.say("yes")
    assert "You're all set" in caller.heard, caller.heard
    record = await caller.record()
    patient_id = record["state"]["patient"]["value"]["id"]
    assert await search(client, "Coverage", patient=patient_id) == []
    assert any("verify coverage" in task for task in record["staff_tasks"])
    assert len(await inquiries(client)) == 1


async def test_a_caller_without_insurance_books_as_self_pay(client: httpx.AsyncClient) -> None:
    """ "I don't have insurance": noted for staff, no payer asked, the booking goes on."""
    caller = await until_new(client, "Nora Newcombe", "June 5th 1992", "+1 202 555 0166")
    await caller.say("I don't have any insurance")
    assert "you don't have insurance" in caller.heard, caller.heard
    for line in ("Dr. Okafor", "as soon as possible", "the first one", "yes"):
        await caller.say(line)
    assert "You're all set" in caller.heard, caller.heard
    record = await caller.record()
    assert any("self-pay" in task for task in record["staff_tasks"])
    assert await inquiries(client) == []


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
