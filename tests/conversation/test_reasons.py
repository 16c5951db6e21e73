"""Reason for visit → the practice's visit type, through its own decision tree, over HTTP.

Lakeshore (Epic) and Palm Coast Orthopedics (ModMed) configure trees in the demo deployment.
"""

from __future__ import annotations

from typing import Any

import httpx

from frontdesk.reasons import triage_wording
from frontdesk.testing import ScriptedCaller

LAKESHORE = "+1 847 555 0100"
PALM = "+1 386 555 0100"
MARIA = ("Maria Garcia Lopez", "March 3rd 1985")


async def identified(client: httpx.AsyncClient, to: str, request: str) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=to)
    await caller.dial()
    await caller.say(request)
    await caller.say(MARIA[0])
    await caller.say(MARIA[1])
    return caller


def never_triages(record: dict[str, Any]) -> None:
    """Nothing the agent said asks about symptoms, severity or how long."""
    for turn in record["transcript"]:
        if turn["speaker"] == "agent":
            assert triage_wording(turn["text"]) is None, turn["text"]


async def appointments(client: httpx.AsyncClient, space: str, patient: str) -> list[Any]:
    response = await client.get(f"/sandbox/fhir/{space}/Appointment", params={"patient": patient})
    return [e["resource"] for e in response.json().get("entry", [])]


async def test_a_mole_becomes_a_skin_check_with_a_dermatologist(
    client: httpx.AsyncClient,
) -> None:
    """Asked the reason, the caller's words pick the tree's skin check: booked as one."""
    caller = await identified(client, LAKESHORE, "I'd like to book an appointment")
    assert caller.expecting == "reason", caller.heard
    await caller.say("I have a mole on my back I want looked at")
    assert "Okay, I'll book a skin check." in caller.heard, caller.heard
    for line in ("whoever is first available", "as soon as possible", "the first one"):
        await caller.say(line)
    if caller.expecting == "confirm" and "still current" in caller.heard:
        await caller.say("yes")
    assert caller.expecting == "confirm", caller.heard
    await caller.say("yes")
    assert "You're all set" in caller.heard, caller.heard
    record = await caller.record()
    assert record["state"]["reason"]["value"]["entry_id"] == "skin_check"
    assert record["state"]["visit_type"]["value"]["code"] == "2001"
    booked = await appointments(client, "lakeshore", record["state"]["patient"]["value"]["id"])
    booked_id = record["state"]["appointment"]["value"]["id"]
    [skin_check] = [a for a in booked if a["id"] == booked_id]
    codes = {c["code"] for s in skin_check.get("serviceType", []) for c in s.get("coding", [])}
    assert "2001" in codes
    who = " ".join(p["actor"].get("display", "") for p in skin_check["participant"])
    assert "Osei" in who or "Schmidt" in who  # the tree's specialty: a dermatologist
    never_triages(record)


async def test_the_reason_said_with_the_request_is_not_asked_again(
    client: httpx.AsyncClient,
) -> None:
    """ "I need to book a hearing test": straight to the provider, the visit read back."""
    caller = await identified(client, LAKESHORE, "I need to book a hearing test")
    assert "Okay, I'll book" in caller.heard, caller.heard
    assert caller.expecting == "provider", caller.heard
    record = await caller.record()
    assert record["state"]["visit_type"]["value"]["code"] == "2301"


async def test_the_tree_asks_only_its_own_administrative_question(
    client: httpx.AsyncClient,
) -> None:
    """A broken wrist: "new injury or follow-up?" (administrative), then fracture care."""
    caller = await identified(client, LAKESHORE, "book an appointment")
    await caller.say("I think I broke my wrist")
    assert caller.expecting == "reason.question", caller.heard
    question = caller.heard
    await caller.say("it's a new one")
    assert caller.expecting == "provider", caller.heard
    record = await caller.record()
    assert record["state"]["reason"]["value"]["entry_id"] == "fracture"
    assert record["state"]["reason"]["value"]["answers"], question
    never_triages(record)


async def test_an_unknown_reason_goes_to_the_front_desk_where_the_tree_says_so(
    client: httpx.AsyncClient,
) -> None:
    """Lakeshore's tree hands off what it cannot place; nothing is booked."""
    caller = await identified(client, LAKESHORE, "book an appointment")
    await caller.say("something about my paperwork")
    assert caller.expecting == "reason", caller.heard
    await caller.say("I'd rather not say")
    assert caller.last["handoff"]["reason"] == "not_understood", caller.heard
    record = await caller.record()
    assert record["state"]["appointment"] is None


async def test_an_unknown_reason_takes_the_practice_default_where_the_tree_says_so(
    client: httpx.AsyncClient,
) -> None:
    """Palm Coast's tree books its default (Follow-up) for a reason it cannot place."""
    caller = await identified(client, PALM, "book an appointment")
    await caller.say("something about my paperwork")
    await caller.say("I'd rather not say")
    assert caller.expecting == "provider", caller.heard
    record = await caller.record()
    assert record["state"]["reason"]["value"]["entry_id"] == "default"
    assert record["state"]["visit_type"]["value"]["code"] == "1957"
