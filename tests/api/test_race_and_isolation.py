"""Concurrency and tenancy: one slot books once; one practice's call never touches another's."""

from __future__ import annotations

import asyncio

import httpx

from frontdesk.sandbox import Sandbox
from frontdesk.testing import ScriptedCaller
from tests.api.test_booking import MARIA, book
from tests.conftest import BOCA, PALM


async def test_twenty_callers_race_for_one_slot(client: httpx.AsyncClient) -> None:
    """20 callers confirm the same slot at once: one Appointment, 19 offered other times."""
    callers = await asyncio.gather(
        *(
            # Twenty phones: one number may start only a few calls a minute (rate limits).
            book(
                client,
                *MARIA,
                provider="no preference",
                when="next Tuesday afternoon",
                ani=f"+1 202 555 01{i:02d}",
            )
            for i in range(20)
        )
    )
    firsts = set()
    for caller in callers:
        record = await caller.record()
        firsts.add(record["state"]["offered_slots"]["value"][0]["id"])
        await caller.say("the first one")
        assert caller.expecting == "confirm"
    assert len(firsts) == 1, "every caller was offered the same first slot"
    [slot_id] = firsts

    replies = await asyncio.gather(*(c.say("yes") for c in callers))
    booked = [r for r in replies if any("You're all set" in s for s in r["say"])]
    retried = [r for r in replies if any("just taken" in s for s in r["say"])]
    assert len(booked) == 1
    assert len(retried) == 19
    assert all(r["expecting"] == "slot_choice" for r in retried)

    response = await client.get("/sandbox/fhir/bocaderm/Appointment", params={"status": "pending"})
    on_slot = [
        e["resource"]
        for e in response.json().get("entry", [])
        if {"reference": f"Slot/{slot_id}"} in e["resource"].get("slot", [])
    ]
    assert len(on_slot) == 1
    # The losers' new offers never include the taken slot.
    for caller in callers:
        record = await caller.record()
        if record["state"]["appointment"] is None:
            assert slot_id not in {s["id"] for s in record["state"]["offered_slots"]["value"]}


async def test_tenants_never_cross(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    """Same-named patient in two firms: each call reaches only its own firm, with its own token."""
    patients = {}
    for number, firm in ((BOCA, "bocaderm"), (PALM, "palmortho")):
        sandbox.requests.clear()
        caller = ScriptedCaller(client, to=number)
        await caller.dial()
        await caller.say("book a follow-up appointment")  # palmortho's tree: a follow-up
        await caller.say(MARIA[0])
        await caller.say(MARIA[1])
        await caller.say("anyone")
        await caller.say("as soon as possible")
        await caller.say("the second one")
        await caller.say("yes")
        assert "You're all set" in caller.heard
        seen = [r for r in sandbox.requests if not r.path.startswith("/sandbox/")]
        assert seen, "the call reached the sandbox"
        assert {r.space for r in seen} == {firm}
        assert all(r.token_space == firm for r in seen if not r.route.endswith("grant"))
        record = await caller.record()
        patients[firm] = record["state"]["patient"]["value"]
        assert record["state"]["appointment"] is not None

    # Both firms have a Maria García-López born 1985-03-03, and each call found its own.
    assert patients["bocaderm"]["family"] == patients["palmortho"]["family"]
    for firm, patient in patients.items():
        found = await client.get(f"/sandbox/fhir/{firm}/Patient/{patient['id']}")
        assert found.status_code == 200
        assert found.json()["birthDate"] == "1985-03-03"
