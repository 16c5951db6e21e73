"""The safety net, through the whole engine: an emergency said at any point ends the flow with
911 (or 988), a warm transfer to clinical staff, an audit record, and no further EHR write."""

from __future__ import annotations

import httpx

from frontdesk.audit import AuditAction, SqliteAuditSink
from frontdesk.runtime import Runtime
from frontdesk.safety import red_flag_set
from frontdesk.testing import ScriptedCaller
from tests.safety.tables import emergencies

RIVERSIDE = "+1 312 555 0100"
CLINICAL = "+13125550198"  # riverside's escalation.clinical
WRITES = ("create", "book", "schedule", "cancel", "confirm", "receive_communication")


async def test_the_emergency_table_through_the_engine(client: httpx.AsyncClient) -> None:
    """Every utterance of the table, as the caller's first words: ≥ 99 % reach the clinical
    transfer, each with its category, and not one EHR request is made."""
    table = [(category, said) for category, lines in emergencies().items() for said in lines]
    assert len(table) >= 150
    missed = []
    for category, said in table:
        caller = ScriptedCaller(client, to=RIVERSIDE)
        await caller.dial()
        await caller.say(said)
        handoff = caller.last["handoff"]
        if handoff is None or handoff["reason"] != "emergency":
            missed.append(said)
            continue
        assert handoff["target"] == CLINICAL
        assert caller.last["ended"]
        record = await caller.record()
        # Said in several categories' words ("le está dando un ataque al corazón"), the
        # transfer is the same; the table's category is among those raised.
        raised = {f.category for f in red_flag_set().detect_all(said)}
        assert category in raised, said
        assert record["state"]["red_flag"]["value"] in raised, said
        assert record["ehr_requests"] == [], said
    recall = 1 - len(missed) / len(table)
    assert recall >= 0.99, missed


async def test_an_emergency_mid_booking_stops_it_before_any_write(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """At the very last question ("Shall I book it?"): no booking, a transfer, an audit row."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    for line in ("book an appointment", "Maria Garcia Lopez", "March 3rd 1985", "yes"):
        await caller.say(line)
    for line in ("next week", "the first one"):
        await caller.say(line)
    if caller.expecting == "confirm" and "still current" in caller.heard:
        await caller.say("yes")
    assert caller.expecting == "confirm", caller.heard
    await caller.say("wait, my husband's face is drooping and he can't lift his arm")
    assert caller.last["handoff"]["reason"] == "emergency"
    assert "call 9 1 1" in caller.heard
    assert "clinical staff" in caller.heard
    record = await caller.record()
    assert record["state"]["appointment"] is None
    assert record["state"]["red_flag"]["value"] == "stroke_signs"
    operations = [r["operation"] for r in record["ehr_requests"]]
    assert not [op for op in operations if any(w in op for w in WRITES)], operations
    assert isinstance(runtime.audit, SqliteAuditSink)
    rows = await runtime.audit.rows(call_id=record["id"])
    [escalation] = [r.event for r in rows if r.event.action is AuditAction.SAFETY_ESCALATION]
    assert escalation.detail["category"] == "stroke_signs"
    assert escalation.detail["line"] == "911"
    assert "drooping" not in str(dict(escalation.detail))  # identifiers, not the caller's words


async def test_self_harm_is_told_988(client: httpx.AsyncClient) -> None:
    """Suicidal words: the 988 Lifeline (and 911 for immediate danger), then clinical staff."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    await caller.say("honestly I don't want to live anymore")
    assert caller.last["handoff"]["reason"] == "emergency"
    assert "9 8 8" in caller.heard
    assert caller.last["handoff"]["target"] == CLINICAL


async def test_a_spanish_emergency_is_caught(client: httpx.AsyncClient) -> None:
    """ "Mi esposo no puede respirar" reaches the same transfer."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    await caller.say("mi esposo no puede respirar")
    assert caller.last["handoff"]["reason"] == "emergency"


async def test_routine_words_carry_on(client: httpx.AsyncClient) -> None:
    """A routine reason is not an emergency: the call goes on."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    await caller.say("I need to book a follow-up for my rash")
    assert caller.last["handoff"] is None
    assert caller.expecting == "patient.name"
