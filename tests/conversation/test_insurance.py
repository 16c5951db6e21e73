"""Insurance in the booking: confirm or update the plan, the payer's answer read back as the
payer's, a new plan written only when the payer says active, never blocked by a sick payer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from frontdesk.testing import ScriptedCaller

RIVERSIDE = "+1 312 555 0100"
TO_SLOT = (
    "book an appointment",
    "Maria Garcia Lopez",
    "March 3rd 1985",
    "yes",
    "next week",
    "the first one",
)


async def to_insurance(client: httpx.AsyncClient) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    for line in TO_SLOT:
        await caller.say(line)
    assert "still current?" in caller.heard, caller.heard
    return caller


async def coverages(client: httpx.AsyncClient, patient_id: str) -> list[dict[str, Any]]:
    response = await client.get("/sandbox/fhir/riverside/Coverage", params={"patient": patient_id})
    return [e["resource"] for e in response.json().get("entry", [])]


async def new_plan(client: httpx.AsyncClient, payer: str, member_id: str) -> ScriptedCaller:
    caller = await to_insurance(client)
    await caller.say("no, I have new insurance")
    assert caller.expecting == "insurance.payer", caller.heard
    await caller.say(payer)
    assert caller.expecting == "insurance.member_id", caller.heard
    await caller.say(member_id)
    assert "I have member ID" in caller.heard, caller.heard
    assert caller.expecting == "insurance.policyholder"
    await caller.say("yes, it's in my name")
    return caller


async def test_a_new_active_plan_is_written_then_booked(client: httpx.AsyncClient) -> None:
    """ACT… member ID: the payer says active, a provisional Coverage is written, booking goes on."""
    caller = await new_plan(client, "it's Aetna", "A C T one two three four five six")
    assert "The payer shows your" in caller.heard, caller.heard
    assert caller.expecting == "confirm"
    record = await caller.record()
    patient = record["state"]["patient"]["value"]["id"]
    written = [c for c in await coverages(client, patient) if c.get("subscriberId") == "ACT123456"]
    assert len(written) == 1
    assert written[0]["meta"]["tag"][0]["code"] == "provisional"
    assert record["state"]["eligibility"]["source"] == "payer"
    await caller.say("yes")
    assert "You're all set" in caller.heard


async def test_an_inactive_plan_goes_to_billing_and_writes_nothing(
    client: httpx.AsyncClient,
) -> None:
    """INA… member ID: the payer says inactive → billing handoff, no Coverage written."""
    caller = await new_plan(client, "blue cross", "INA 987654")
    handoff = caller.last["handoff"]
    assert handoff["reason"] == "coverage_inactive"
    assert handoff["target"] == "+13125550197"  # the practice's billing line
    assert "The payer shows this plan as inactive" in caller.heard
    record = await caller.record()
    patient = record["state"]["patient"]["value"]["id"]
    assert not [c for c in await coverages(client, patient) if c.get("subscriberId") == "INA987654"]
    assert record["state"]["appointment"] is None


async def test_a_sick_payer_never_blocks_the_booking(client: httpx.AsyncClient) -> None:
    """ERR… (500s): the caller hears staff will confirm, books anyway, and staff get a task."""
    caller = await new_plan(client, "united", "E R R one two three four")
    assert "Our staff will confirm your coverage" in caller.heard, caller.heard
    await caller.say("yes")
    assert "You're all set" in caller.heard
    record = await caller.record()
    assert any("verify coverage" in task for task in record["staff_tasks"])


@pytest.mark.parametrize(
    ("member_id", "expected"),
    [
        ("ACT 123 456", "copay"),
        ("DED 123 456", "deductible"),
        ("PAU 123 456", "prior authorization"),
        ("NF 123 456", "couldn't confirm"),
        ("DOWN 123 456", "couldn't get an answer"),
        ("PEND 123 456", "couldn't get an answer"),
    ],
)
async def test_every_answer_is_the_payers_not_ours(
    client: httpx.AsyncClient, member_id: str, expected: str
) -> None:
    """Each eligibility outcome is read back as the payer's answer; never a decision of ours."""
    caller = await new_plan(client, "aetna", member_id)
    said = caller.heard
    assert expected in said, said
    for sentence in said.split(". "):
        if any(word in sentence.lower() for word in ("active", "copay", "deductible", "covered")):
            assert "payer" in sentence.lower(), sentence
    assert "you are covered" not in said.lower()
    assert "you're covered" not in said.lower()


async def test_a_spouses_plan_is_checked_as_a_dependent(client: httpx.AsyncClient) -> None:
    """Not the policyholder: relationship, the policyholder's name and birth date, then checked."""
    caller = await to_insurance(client)
    for line in ("no, it changed", "aetna", "ACT 778 899"):
        await caller.say(line)
    await caller.say("it's my husband's plan")
    assert caller.expecting == "insurance.subscriber_name", caller.heard
    await caller.say("Carlos Lopez")
    assert caller.expecting == "insurance.subscriber_birth_date", caller.heard
    await caller.say("April 2nd 1983")
    assert "The payer shows your" in caller.heard, caller.heard
    record = await caller.record()
    plan = record["state"]["insurance"]["value"]
    assert plan["relationship"] == "spouse"
    assert plan["subscriber_family"] == "Lopez"
    patient = record["state"]["patient"]["value"]["id"]
    [written] = [
        c for c in await coverages(client, patient) if c.get("subscriberId") == "ACT778899"
    ]
    assert written["relationship"]["coding"][0]["code"] == "spouse"
