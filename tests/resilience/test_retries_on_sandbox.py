"""Retries against the sandbox's fault injection: Retry-After within and beyond the budget, a 400
never retried, a 503 retried at most twice, one budget for all the requests of a turn."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from frontdesk.audit import MemoryAuditSink
from frontdesk.auth import MemoryTokenCache
from frontdesk.ehr import (
    EhrClient,
    InvalidRequest,
    PatientQuery,
    TurnBudget,
    Unavailable,
    bind_turn,
)
from frontdesk.sandbox import FaultRule, Sandbox
from frontdesk.tenancy import TenantRegistry, build_registry, demo_deployment
from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA
from tests.resilience.conftest import FakeClock

PATIENTS = "*/firm/bocaderm/ema/fhir/v2/Patient"
MARIA = PatientQuery(family="García-López", given="Maria", birth_date=dt.date(1985, 3, 3))


@pytest.fixture
async def registry(sandbox: Sandbox) -> AsyncIterator[TenantRegistry]:
    built = build_registry(
        demo_deployment(), audit=MemoryAuditSink(), tokens=MemoryTokenCache(), sandbox=sandbox
    )
    yield built
    await built.aclose()


@pytest.fixture
def boca(registry: TenantRegistry) -> EhrClient:
    tenant = registry.get("boca-derm")
    assert tenant is not None
    return tenant.ehr


def searches(sandbox: Sandbox) -> list[int]:
    """The statuses of Boca's patient searches, in order (as the sandbox logged them)."""
    return [
        r.status
        for r in sandbox.requests
        if r.space == "bocaderm" and r.route == "modmed.patient.search"
    ]


async def test_429_retry_after_is_honoured_within_the_budget(
    sandbox: Sandbox, boca: EhrClient
) -> None:
    """429 with Retry-After: 1: the client waits exactly 1 s and the retry gets the answer."""
    clock = FakeClock()

    async def wait_then_heal(seconds: float) -> None:
        await clock.sleep(seconds)
        sandbox.faults.clear()  # the EHR caught its breath while we waited

    sandbox.faults.set([FaultRule(route=PATIENTS, error_status=429, retry_after=1)])
    with bind_turn(TurnBudget(clock=clock, sleep=wait_then_heal)):
        found = await boca.find_patients(MARIA)
    assert [p.given[0] for p in found] == ["Maria"]
    assert clock.sleeps == [1.0]
    assert searches(sandbox) == [429, 200]


async def test_429_retry_after_beyond_the_budget_is_not_retried(
    sandbox: Sandbox, boca: EhrClient
) -> None:
    """Retry-After: 5 cannot fit a 1.5 s budget: one attempt, and the caller is told at once."""
    clock = FakeClock()
    sandbox.faults.set([FaultRule(route=PATIENTS, error_status=429, retry_after=5)])
    with bind_turn(TurnBudget(clock=clock, sleep=clock.sleep)), pytest.raises(Unavailable):
        await boca.find_patients(MARIA)
    assert clock.sleeps == []
    assert searches(sandbox) == [429]


async def test_400_is_never_retried(sandbox: Sandbox, boca: EhrClient) -> None:
    """A 400 will be a 400 again: one attempt, InvalidRequest."""
    sandbox.faults.set([FaultRule(route=PATIENTS, error_status=400)])
    with bind_turn(TurnBudget()), pytest.raises(InvalidRequest):
        await boca.find_patients(MARIA)
    assert searches(sandbox) == [400]


async def test_503_is_retried_at_most_twice(sandbox: Sandbox, boca: EhrClient) -> None:
    """503 every time: three attempts (two retries), then Unavailable."""
    sandbox.faults.set([FaultRule(route=PATIENTS, error_status=503)])
    with bind_turn(TurnBudget()), pytest.raises(Unavailable):
        await boca.find_patients(MARIA)
    assert searches(sandbox) == [503, 503, 503]


async def test_one_budget_caps_every_request_of_the_turn(sandbox: Sandbox, boca: EhrClient) -> None:
    """503 + Retry-After: 1 on three searches in one turn: 2 attempts, then 1, then 1."""
    clock = FakeClock()
    sandbox.faults.set([FaultRule(route=PATIENTS, error_status=503, retry_after=1)])
    turn = TurnBudget(clock=clock, sleep=clock.sleep)
    with bind_turn(turn):
        for _ in range(3):
            with pytest.raises(Unavailable):
                await boca.find_patients(MARIA)
    assert searches(sandbox) == [503] * 4
    assert clock.sleeps == [1.0]
    assert turn.spent <= turn.seconds


async def caller_search_statuses(client: httpx.AsyncClient, ani: str) -> ScriptedCaller:
    caller = ScriptedCaller(client, to=BOCA, ani=ani)
    await caller.dial()
    for line in ("I'd like to book an appointment", "Maria Garcia Lopez", "March 3rd 1985"):
        await caller.say(line)
        if caller.last["ended"]:
            break
    return caller


@pytest.mark.parametrize(("retry_after", "attempts"), [(1, 2), (5, 1)])
async def test_a_throttled_ehr_in_a_whole_call(
    client: httpx.AsyncClient, retry_after: int, attempts: int
) -> None:
    """Over HTTP: Retry-After: 1 is waited for once in the turn; Retry-After: 5 not at all."""
    rule = {"route": PATIENTS, "error_status": 429, "retry_after": retry_after}
    assert (await client.put("/sandbox/faults", json=[rule])).status_code < 300
    caller = await caller_search_statuses(client, f"+1 202 555 02{retry_after}0")
    assert caller.last["handoff"]["reason"] == "ehr_unavailable"
    record = await caller.record()
    tried = [r for r in record["ehr_requests"] if r["operation"] == "modmed.patient.search"]
    assert [r["attempt"] for r in tried] == list(range(1, attempts + 1))
    assert {r["status"] for r in tried} == {429}
