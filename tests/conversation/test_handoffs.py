"""The branches that end with staff: identity, ambiguity, no availability, a sick EHR."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from frontdesk.api import create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.runtime import Runtime
from frontdesk.sandbox import create_sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment
from frontdesk.testing import ScriptedCaller
from tests.api.test_booking import MARIA
from tests.conftest import BOCA, NOW


async def identify(client: httpx.AsyncClient, name: str, birth: str) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=BOCA)
    await caller.dial()
    await caller.say("I want to book an appointment")
    await caller.say(name)
    await caller.say(birth)
    return caller


async def test_unknown_caller_gets_two_tries_then_staff(client: httpx.AsyncClient) -> None:
    """No chart after the name is spelled: handoff with reason, target and a summary."""
    caller = await identify(client, "Zed Nobodyson", "January 1st 1950")
    assert caller.expecting == "patient.spelling"
    assert "spell your last name" in caller.heard
    await caller.say("N O B O D Y S O N")
    assert caller.expecting == "patient.birth_date"
    await caller.say("1/1/1950")
    reply = caller.last
    assert reply["ended"] is True
    handoff = reply["handoff"]
    assert handoff["reason"] == "identity_not_verified"
    assert handoff["target"] == "+15615550199"
    assert "Zed Nobodyson" in handoff["summary"]
    assert "1950-01-01" in handoff["summary"]
    assert "front desk" in caller.heard
    record = await caller.record()
    assert record["state"]["patient"] is None
    assert record["outcome"] == "handoff"


async def test_spelling_rescues_a_misheard_name(client: httpx.AsyncClient) -> None:
    """ASR heard "win", the caller spells N-G-U-Y-E-N: the chart is found."""
    caller = await identify(client, "Anh Win", "July fourteenth nineteen ninety")
    assert caller.expecting == "patient.spelling", caller.heard
    await caller.say("N as in Nancy, G, U, Y, E, N")
    await caller.say("07/14/1990")
    assert caller.expecting == "provider", caller.heard
    assert "Thank you, Anh" in caller.heard


async def test_twins_are_told_apart_by_given_name(client: httpx.AsyncClient) -> None:
    """Emma and Olivia Johnson share a birth date; each finds her own chart."""
    ids = set()
    for given in ("Emma", "Olivia"):
        caller = await identify(client, f"{given} Johnson", "May 21st 2001")
        assert caller.expecting == "provider", caller.heard
        record = await caller.record()
        assert record["state"]["patient"]["value"]["given"][0] == given
        ids.add(record["state"]["patient"]["value"]["id"])
    assert len(ids) == 2


async def test_two_identical_charts_are_never_guessed(client: httpx.AsyncClient) -> None:
    """Two charts with the same name and birth date: hand off, nothing read back."""
    twin = {
        "resourceType": "Patient",
        "name": [{"family": "García-López", "given": ["Maria"]}],
        "birthDate": "1985-03-03",
        "gender": "female",
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": twin, "request": {"method": "POST", "url": "Patient"}}],
    }
    loaded = await client.post("/sandbox/fhir/bocaderm", json=bundle)
    assert loaded.status_code == 200, loaded.text
    caller = await identify(client, *MARIA)
    assert caller.last["handoff"]["reason"] == "ambiguous_chart"
    assert "found your record" not in caller.heard
    appointments = await client.get("/sandbox/fhir/bocaderm/Appointment", params={"_count": "1000"})
    before = len(appointments.json().get("entry", []))
    assert before > 0  # the seed's own bookings; the call added none
    record = await caller.record()
    assert "modmed.appointment.create" not in {t["operation"] for t in record["transactions"]}


async def test_a_sick_ehr_ends_in_a_handoff_not_silence(client: httpx.AsyncClient) -> None:
    """Slot search answers 503 every time: bounded retries, then a spoken handoff."""
    caller = await identify(client, *MARIA)
    faults = [{"route": "*/fhir/v2/Slot", "error_status": 503, "error_rate": 1.0}]
    assert (await client.put("/sandbox/faults", json=faults)).status_code < 300
    await caller.say("anyone")
    await caller.say("as soon as possible")
    assert caller.last["handoff"]["reason"] == "ehr_unavailable"
    assert "trouble reaching our scheduling system" in caller.heard
    record = await caller.record()
    slot_calls = [r for r in record["ehr_requests"] if r["operation"] == "modmed.slot.search"]
    assert 1 < len(slot_calls) <= 6  # two windows, at most three attempts each
    assert {r["outcome"] for r in slot_calls} == {"unavailable"}


async def test_nothing_free_in_the_horizon(tmp_path: Path) -> None:
    """A schedule that starts after the search horizon: the caller is handed to staff."""
    sandbox = create_sandbox(anchor=dt.date(2027, 3, 1))
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment(),
        sandbox=sandbox,
        audit=MemoryAuditSink(),
        clock=lambda: NOW,
    )
    try:
        transport = httpx.ASGITransport(app=create_asgi(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            caller = await identify(client, *MARIA)
            await caller.say("anyone")
            await caller.say("next week")
            assert caller.last["handoff"]["reason"] == "no_availability"
            assert "next four weeks" in caller.heard or "next 4 weeks" in caller.heard
    finally:
        await runtime.aclose()


@pytest.fixture
async def record_of_call(client: httpx.AsyncClient) -> ScriptedCaller:
    caller = await identify(client, *MARIA)
    return caller


async def test_nothing_is_disclosed_before_verification(record_of_call: ScriptedCaller) -> None:
    """Before the chart matched, no agent line carries chart data."""
    record = await record_of_call.record()
    agent_lines = [t["text"] for t in record["transcript"] if t["speaker"] == "agent"]
    verified_at = next(i for i, line in enumerate(agent_lines) if "found your record" in line)
    for line in agent_lines[:verified_at]:
        assert "Maria" not in line
        assert "1985" not in line


async def test_an_out_of_range_pick_is_asked_again(client: httpx.AsyncClient) -> None:
    """ "The fifth one" of three is a pick that missed, not "the 5th" of the month."""
    caller = await identify(client, *MARIA)
    await caller.say("anyone")
    await caller.say("as soon as possible")
    before = (await caller.record())["state"]["offered_slots"]["value"]
    await caller.say("the fifth one")
    assert caller.expecting == "slot_choice"
    assert caller.heard.startswith("Sorry, which one would you like?")
    assert (await caller.record())["state"]["offered_slots"]["value"] == before
