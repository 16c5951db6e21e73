"""Measured transactions: real calls through the engine, counted from the audit trail."""

from __future__ import annotations

import collections
import datetime as dt
import json
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontdesk.api import create_asgi
from frontdesk.audit import AuditAction, AuditEvent, AuditReader, MemoryAuditSink, SqliteAuditSink
from frontdesk.costs import ApiOperation, Measured, Scenario, estimate, measure
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment
from tests.api.test_epic_flows import call as call_riverside
from tests.conftest import NOW
from tests.conversation.test_change_flows import call as call_boca
from tests.conversation.test_change_flows import load_zara
from tests.conversation.test_new_patient import until_new

#: Sandbox route names that differ from the catalog operation they serve.
ROUTE_OPERATION = {
    "modmed.grant": "modmed.oauth2.grant",
    "modmed.valueset.read": "modmed.valueset.appointment_type",
    "epic.token": "epic.oauth2.token",
}


@pytest.fixture
async def memory_runtime(sandbox: Sandbox) -> AsyncIterator[Runtime]:
    """The demo deployment on the sandbox, auditing into memory."""
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment(),
        sandbox=sandbox,
        audit=MemoryAuditSink(),
        clock=lambda: NOW,
    )
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def memory_client(memory_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the memory-audited API and the sandbox beside it."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_asgi(memory_runtime)), base_url="http://frontdesk"
    ) as http:
        yield http


async def trail(reader: AuditReader) -> list[AuditEvent]:
    return [row.event for row in await reader.rows()]


async def served(client: httpx.AsyncClient, space: str) -> collections.Counter[str]:
    """What the sandbox served the agent for `space` (and pVerify), by catalog operation."""
    log = (await client.get("/sandbox/requests")).json()["requests"]
    return collections.Counter(
        ROUTE_OPERATION.get(r["route"], r["route"])
        for r in log
        if r["space"] in (space, None) and not r["route"].startswith("sandbox.")
    )


def counted(measured: Measured) -> collections.Counter[str]:
    return collections.Counter(
        {o.operation.name: o.count for o in (*measured.operations, *measured.fixed)}
    )


def ended_details(events: Iterable[AuditEvent]) -> list[dict[str, str]]:
    return [dict(e.detail) for e in events if e.action is AuditAction.CALL_ENDED]


async def test_a_booking_and_a_cancel_are_counted_as_the_sandbox_served_them(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """One booking call and one cancel call: two conversations, and per operation exactly the
    requests the sandbox logged, from the SQLite trail."""
    await load_zara(client)
    booking = await call_boca(
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
    cancelling = await call_boca(
        client,
        "cancel my appointment please",
        "Zara Testwood",
        "February third 1991",
        "yes",
        "I'm feeling better",
        "no",
    )
    assert booking.last["ended"]
    assert cancelling.last["ended"]
    assert isinstance(runtime.audit, SqliteAuditSink)
    events = await trail(runtime.audit)

    measured = measure(events, platform="modmed", tenant="boca-derm")

    assert ended_details(events) == [
        {"intents": "book", "done": "book", "new_patient": "false"},
        {"intents": "cancel", "done": "cancel", "new_patient": "false"},
    ]
    assert measured.calls == 2
    assert {k: v for k, v in measured.conversations.items() if v} == {"book": 1, "cancel": 1}
    assert measured.completion == 1.0
    assert measured.multi_intent == 0.0
    assert counted(measured) == await served(client, "bocaderm")
    by_name = {o.operation.name: o.count for o in measured.operations}
    assert by_name["modmed.appointment.create"] == 1
    assert by_name["modmed.appointment.update"] == 1
    assert "modmed.oauth2.grant" in {o.operation.name for o in measured.fixed}
    assert measured.total == sum(by_name.values())
    assert measured.per_conversation == measured.total / 2
    # The model, given what the trail shows, knows every operation the calls made.
    predicted = estimate(measured.scenario())
    assert predicted.scenario.conversations == {
        case: float(n) for case, n in measured.conversations.items()
    }
    assert set(by_name) <= {o.operation.name for o in predicted.operations}
    json.dumps(measured.as_json())


async def test_two_intents_and_a_new_patient_on_epic(
    memory_client: httpx.AsyncClient, memory_runtime: Runtime
) -> None:
    """Reschedule-and-book in one call is multi-intent; the per-use operations match the
    sandbox's log, from a memory trail."""
    caller = await call_riverside(
        memory_client,
        "move my Tuesday appointment and also book my annual check-up",
        "Maria Garcia Lopez",
        "March 3rd 1985",
    )
    for line in ("yes", "as soon as possible", "the first one", "yes"):
        await caller.say(line)
    for line in ("yes", "next week", "the first one", "yes", "yes", "no thanks"):
        await caller.say(line)
    assert caller.last["ended"]
    assert isinstance(memory_runtime.audit, MemoryAuditSink)
    events = await trail(memory_runtime.audit)

    measured = measure(events, platform="epic", tenant="riverside", prices={"Per-Use": 0.25})

    assert ended_details(events) == [
        {"intents": "reschedule,book", "done": "reschedule,book", "new_patient": "false"}
    ]
    assert measured.calls == 1
    assert {k: v for k, v in measured.conversations.items() if v} == {"reschedule": 1, "book": 1}
    assert measured.multi_intent == 0.5
    assert counted(measured) == await served(memory_client, "riverside")
    per_use = {o.operation.name: o.count for o in measured.operations if o.per_use}
    assert per_use["epic.schedule_appointment"] == 2  # the move and the booking
    assert measured.by_pricing["Per-Use"] == sum(per_use.values())
    assert measured.cost == pytest.approx(0.25 * sum(per_use.values()))
    assert measured.scenario().multi_intent == 0.5


async def test_a_new_patient_booking_counts_as_new_patient(
    memory_client: httpx.AsyncClient, memory_runtime: Runtime
) -> None:
    """A caller with no chart registers and books: one new_patient conversation, no book."""
    caller = await until_new(memory_client, "Nora Newcombe", "June 5th 1992", "+1 202 555 0199")
    for line in ("aetna", "ACT 445 566", "mine", "anyone", "the Oak Park office", "next week"):
        await caller.say(line)
    for line in ("the first one", "yes", "no"):
        await caller.say(line)
    assert caller.last["ended"]
    assert isinstance(memory_runtime.audit, MemoryAuditSink)
    events = await trail(memory_runtime.audit)

    measured = measure(events, platform="epic")

    assert ended_details(events) == [{"intents": "book", "done": "book", "new_patient": "true"}]
    assert {k: v for k, v in measured.conversations.items() if v} == {"new_patient": 1}
    assert measured.completed["new_patient"] == 1
    assert counted(measured) == await served(memory_client, "riverside")
    assert "epic.patient.create" in {o.operation.name for o in measured.operations}


async def test_an_intent_the_ehr_cannot_serve_is_still_named(
    memory_client: httpx.AsyncClient, memory_runtime: Runtime
) -> None:
    """A refill on ModMed hands off as the intent starts; CALL_ENDED still says it was asked."""
    await load_zara(memory_client)
    caller = await call_boca(
        memory_client, "I need a refill of my prescription", "Zara Testwood", "February 3rd 1991"
    )
    assert caller.last["ended"]
    assert isinstance(memory_runtime.audit, MemoryAuditSink)
    events = await trail(memory_runtime.audit)

    assert ended_details(events) == [{"intents": "refill", "done": "", "new_patient": "false"}]
    measured = measure(events, platform="modmed")
    assert measured.conversations["refill"] == 1
    assert measured.completion == 0.0


# -- hand-built trails ---------------------------------------------------------------------------

T0 = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)


def api(name: str, tier: Any, pricing: Any, calls: str) -> ApiOperation:
    platform = name.split(".")[0]
    access: Any = "write" if name.endswith(".create") else "read"
    return ApiOperation(
        name=name,
        platform=platform,
        tier=tier,
        pricing=pricing,
        calls=calls,
        description=name,
        access=access,
    )


APIS = {
    op.name: op
    for op in (
        api("modmed.oauth2.grant", "Standard", "Included", "1× per token lifetime"),
        api("modmed.practitioner.search", "Standard", "Included", "cached per practice"),
        api("modmed.patient.search", "Standard", "Included", "1×, 1× fallback"),
        api("modmed.slot.search", "Standard", "Included", "1–3×"),
        api("modmed.appointment.create", "Standard", "Included", "1×"),
        api("epic.patient.search", "Standard", "Included", "1×"),
        api("pverify.eligibility_summary", "Clearinghouse", "Per-Use", "1×"),
    )
}


def event(
    minute: int,
    action: AuditAction,
    operation: str,
    *,
    call_id: str | None,
    tenant: str = "boca-derm",
    outcome: str = "ok",
    attempt: int = 1,
    detail: dict[str, str] | None = None,
) -> AuditEvent:
    return AuditEvent(
        at=T0 + dt.timedelta(minutes=minute),
        tenant=tenant,
        call_id=call_id,
        action=action,
        operation=operation,
        resource_type=None,
        resource_id=None,
        outcome=outcome,
        attempt=attempt,
        detail=detail or {},
    )


def read(minute: int, operation: str, call_id: str | None, **kwargs: Any) -> AuditEvent:
    return event(minute, AuditAction.EHR_READ, operation, call_id=call_id, **kwargs)


def ended(minute: int, call_id: str, tenant: str = "boca-derm", **detail: str) -> AuditEvent:
    return event(
        minute, AuditAction.CALL_ENDED, "call.end", call_id=call_id, tenant=tenant, detail=detail
    )


HAND_BUILT = [
    ended(5, "early", intents="book", done="book", new_patient="false"),  # before the window
    read(4, "modmed.slot.search", "early"),
    # A: book then cancel; the cancel never finished. Every attempt is a transaction.
    event(11, AuditAction.CALL_STARTED, "call.start", call_id="A"),
    event(11, AuditAction.AUTH, "modmed.oauth2.grant", call_id="A"),
    read(12, "modmed.patient.search", "A", outcome="unavailable"),
    read(12, "modmed.patient.search", "A", attempt=2),
    read(13, "modmed.slot.search", "A"),
    event(14, AuditAction.EHR_WRITE, "modmed.appointment.create", call_id="A"),
    read(14, "pverify.eligibility_summary", "A"),
    read(14, "epic.patient.search", "A"),  # another platform's
    event(
        15, AuditAction.HANDOFF, "call.handoff", call_id="A", detail={"reason": "caller_request"}
    ),
    ended(15, "A", intents="book,cancel", done="book", new_patient="false"),
    # B: a new patient books, then asks for a person (no use case).
    event(21, AuditAction.EHR_WRITE, "modmed.appointment.create", call_id="B", outcome="timeout"),
    ended(22, "B", intents="book,staff", done="book", new_patient="true"),
    # C is still going on: nothing of it counts.
    read(23, "modmed.slot.search", "C"),
    # D is another practice's.
    read(24, "modmed.slot.search", "D", tenant="palm-ortho"),
    ended(25, "D", tenant="palm-ortho", intents="book", done="book", new_patient="false"),
    # F ended before this code wrote what calls were for: a call, no conversations.
    ended(26, "F"),
    # Outside any call: in the window it counts, after it not.
    read(30, "modmed.practitioner.search", None),
    read(90, "modmed.practitioner.search", None),
    ended(91, "late", intents="cancel", done="cancel", new_patient="false"),
]


def test_a_hand_built_trail_gives_hand_computed_figures() -> None:
    """Calls in the window, conversations, completion, multi-intent, counts, tiers and cost."""
    measured = measure(
        reversed(HAND_BUILT),  # any order, any iterable
        platform="modmed",
        tenant="boca-derm",
        since=T0 + dt.timedelta(minutes=10),
        until=T0 + dt.timedelta(minutes=60),
        prices={"Per-Use": 0.25, "modmed.appointment.create": 0.1},
        apis=APIS,
    )

    assert measured.calls == 3  # A, B, F
    assert dict(measured.conversations) == {
        "book": 1,
        "reschedule": 0,
        "cancel": 1,
        "confirm": 0,
        "refill": 0,
        "new_patient": 1,
    }
    assert measured.completed["book"] == 1
    assert measured.completed["cancel"] == 0
    assert measured.completed["new_patient"] == 1
    assert measured.completion == pytest.approx(2 / 3)
    assert measured.multi_intent == pytest.approx(1 / 3)  # A's cancel; B's "staff" is none
    assert [(o.operation.name, o.count, o.retries) for o in measured.operations] == [
        ("modmed.patient.search", 2, 1),
        ("modmed.slot.search", 1, 0),
        ("modmed.appointment.create", 2, 0),
        ("pverify.eligibility_summary", 1, 0),
    ]
    assert [(o.operation.name, o.count) for o in measured.fixed] == [
        ("modmed.oauth2.grant", 1),
        ("modmed.practitioner.search", 1),
    ]
    assert measured.total == 6
    assert measured.fixed_total == 2
    assert measured.by_tier == {"Standard": 5, "Private": 0, "Clearinghouse": 1}
    assert measured.by_pricing == {"Included": 5, "Per-Use": 1}
    assert measured.per_conversation == 2.0
    assert measured.per_call == 2.0
    assert measured.cost == pytest.approx(0.25 + 2 * 0.1)
    assert measured.scenario() == Scenario(
        "modmed",
        {"book": 1.0, "reschedule": 0.0, "cancel": 1.0, "confirm": 0.0, "refill": 0.0,
         "new_patient": 1.0},
        completion=2 / 3,
        multi_intent=1 / 3,
        prices={"Per-Use": 0.25, "modmed.appointment.create": 0.1},
    )  # fmt: skip
    assert measured.scenario(prices={}).prices == {}
    body = measured.as_json()
    assert json.loads(json.dumps(body)) == body
    assert body["since"] == "2026-11-02T14:10:00+00:00"
    assert body["completion"] == 0.6667
    assert body["operations"][0] == {
        "operation": "modmed.patient.search",
        "tier": "Standard",
        "pricing": "Included",
        "calls": "1×, 1× fallback",
        "per_use": False,
        "count": 2,
        "retries": 1,
        "price": 0.0,
        "cost": 0.0,
        "per_conversation": 0.6667,
    }
    assert [f["operation"] for f in body["fixed"]] == [
        "modmed.oauth2.grant",
        "modmed.practitioner.search",
    ]
    assert (body["total"], body["fixed_total"], body["cost"]) == (6, 2, 0.45)


def test_two_bookings_on_a_new_patient_call() -> None:
    """The chart is made once: the first booking is new_patient, a second one is a book."""
    events = [ended(1, "X", intents="book,book", done="book", new_patient="true")]

    measured = measure(events, platform="epic", apis=APIS)

    assert measured.conversations["new_patient"] == 1
    assert measured.conversations["book"] == 1
    assert measured.completed == {**dict.fromkeys(measured.completed, 0), "new_patient": 1}


def test_an_empty_trail() -> None:
    """No calls: zeros, no shares, and a scenario with the estimator's defaults."""
    measured = measure([], platform="epic", apis=APIS)

    assert (measured.calls, measured.total, measured.fixed_total) == (0, 0, 0)
    assert measured.completion is None
    assert measured.multi_intent is None
    assert measured.per_conversation is None
    assert measured.per_call is None
    assert measured.cost is None
    assert measured.scenario() == Scenario("epic", dict.fromkeys(measured.conversations, 0.0))
    assert estimate(measured.scenario()).total == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"platform": "athena"}, "platform"),
        ({"platform": "epic", "since": dt.datetime(2026, 1, 1)}, "timezone-aware"),
        ({"platform": "epic", "prices": {"Premium": 1.0}}, "Premium"),
    ],
)
def test_bad_arguments_are_value_errors(kwargs: dict[str, Any], message: str) -> None:
    """An unknown platform, a naive bound or an unknown price name is refused."""
    with pytest.raises(ValueError, match=message):
        measure(HAND_BUILT, apis=APIS, **kwargs)


async def test_measures_straight_from_a_sqlite_trail(tmp_path: Path) -> None:
    """Rows read back from SQLite measure the same as the events written."""
    async with SqliteAuditSink(f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}") as sink:
        for e in HAND_BUILT:
            await sink.write(e)
        events = await trail(sink)

    assert measure(events, platform="modmed", apis=APIS) == measure(
        HAND_BUILT, platform="modmed", apis=APIS
    )
