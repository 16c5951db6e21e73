"""Whole calls against a sick EHR: the tenant's breaker opens, callers hear a fallback at once,
nothing more is sent to that EHR while it is open, other tenants carry on, and a probe after the
cool-down closes it again."""

from __future__ import annotations

import contextlib
import time

import httpx
import pytest

from frontdesk.ehr import BreakerState, CircuitOpen, Endpoint, PatientQuery
from frontdesk.eligibility import EligibilityUnavailable
from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA, PALM
from tests.eligibility.test_client import ask
from tests.resilience.conftest import Clinic

RIVERSIDE = "+1 312 555 0100"
BOCA_FHIR = "/modmed/ema-dev/firm/bocaderm/ema/fhir/*"
MARIA = ("Maria Garcia Lopez", "March third nineteen eighty five")


async def identified(clinic: Clinic, to: str, ani: str) -> ScriptedCaller:
    """A caller who asked to book and gave name and birth date (their chart was found)."""
    caller = ScriptedCaller(clinic.client, to=to, ani=ani)
    await caller.dial()
    for line in ("I'd like to book an appointment", *MARIA):
        await caller.say(line)
    assert "I've found your record" in caller.heard, caller.heard
    assert not caller.last["ended"]
    return caller


async def call_until_handoff(clinic: Clinic, to: str, ani: str) -> ScriptedCaller:
    """A caller who asks to book and identifies, unless the call is handed off first."""
    caller = ScriptedCaller(clinic.client, to=to, ani=ani)
    await caller.dial()
    for line in ("I'd like to book an appointment", *MARIA):
        await caller.say(line)
        if caller.last["ended"]:
            break
    return caller


async def open_the_breaker(clinic: Clinic) -> None:
    """Boca's FHIR routes answer 503; calls fail (three attempts each) until its breaker opens."""
    await clinic.faults({"route": BOCA_FHIR, "error_status": 503})
    for n in range(3):
        caller = await call_until_handoff(clinic, BOCA, f"+1 202 555 01{n}1")
        assert caller.last["handoff"]["reason"] == "ehr_unavailable", caller.heard
        assert "trouble reaching our scheduling system" in caller.heard
        if clinic.breakers("boca-derm").ehr.state is BreakerState.OPEN:
            return
    raise AssertionError("Boca's breaker did not open")


async def test_an_open_breaker_sends_nothing_and_the_caller_hears_a_fallback(
    clinic: Clinic,
) -> None:
    """Boca's breaker is open: a new call is handed off at once, and Boca's EHR sees nothing."""
    await open_the_breaker(clinic)
    sent = len(await clinic.requests("bocaderm"))

    caller = ScriptedCaller(clinic.client, to=BOCA, ani="+1 202 555 0102")
    await caller.dial()
    started = time.perf_counter()
    await caller.say("I need to book an appointment")
    assert time.perf_counter() - started < 1.0
    assert caller.last["ended"]
    assert caller.last["handoff"]["reason"] == "ehr_unavailable"
    assert caller.last["handoff"]["target"] == "+15615550199"
    assert "I've taken a message" in caller.heard
    assert "call you back" in caller.heard
    record = await caller.record()
    assert any("call the caller back" in task for task in record["staff_tasks"])
    assert record["ehr_requests"] == []

    # Straight at the connector, too: refused before the transport.
    boca = clinic.tenant("boca-derm")
    query = PatientQuery(family="Garcia Lopez", given="Maria")
    with pytest.raises(CircuitOpen) as refused:
        await boca.ehr.find_patients(query)
    assert refused.value.tenant == "boca-derm"
    assert refused.value.retry_in > 0
    assert len(await clinic.requests("bocaderm")) == sent  # not one more request


async def test_other_tenants_are_unaffected(clinic: Clinic) -> None:
    """Boca's breaker is open; Palm Coast (another ModMed firm) and Riverside (Epic) go on."""
    await open_the_breaker(clinic)
    palm = await identified(clinic, PALM, "+1 202 555 0103")
    assert not palm.last["ended"]
    assert clinic.breakers("palm-ortho").ehr.state is BreakerState.CLOSED
    caller = ScriptedCaller(clinic.client, to=RIVERSIDE, ani="+1 202 555 0104")
    await caller.dial()
    await caller.say("I'd like to book an appointment")
    await caller.say("Maria Garcia Lopez")
    await caller.say("March 3rd 1985")
    assert not caller.last["ended"], caller.heard
    assert clinic.breakers("riverside").ehr.state is BreakerState.CLOSED
    assert {r["space"] for r in await clinic.requests("riverside")} == {"riverside"}


async def test_a_good_probe_after_the_cool_down_closes_it(clinic: Clinic) -> None:
    """Faults cleared and 30 s passed: the next call's first request probes, and it is closed."""
    await open_the_breaker(clinic)
    breaker = clinic.breakers("boca-derm").ehr
    clinic.clock.advance(29)
    still = ScriptedCaller(clinic.client, to=BOCA, ani="+1 202 555 0105")
    await still.dial()
    await still.say("book an appointment")
    assert still.last["handoff"]["reason"] == "ehr_unavailable"

    await clinic.client.delete("/sandbox/faults")
    clinic.clock.advance(2)
    assert breaker.state is BreakerState.HALF_OPEN
    caller = await identified(clinic, BOCA, "+1 202 555 0106")
    assert caller.expecting == "provider", caller.heard
    assert clinic.breakers("boca-derm").ehr.state is BreakerState.CLOSED
    await caller.say("anyone")
    await caller.say("as soon as possible")
    assert caller.expecting == "slot_choice", caller.heard


async def test_a_failed_probe_keeps_it_open(clinic: Clinic) -> None:
    """Still sick after the cool-down: one probe is sent, it fails, the breaker opens again."""
    await open_the_breaker(clinic)
    before = len(await clinic.requests("bocaderm"))
    clinic.clock.advance(31)
    caller = await call_until_handoff(clinic, BOCA, "+1 202 555 0107")
    assert caller.last["handoff"]["reason"] == "ehr_unavailable"
    assert clinic.breakers("boca-derm").ehr.state is BreakerState.OPEN
    assert len(await clinic.requests("bocaderm")) == before + 1  # the probe, and nothing else


async def test_a_failing_token_endpoint_does_not_open_the_ehr_breaker(clinic: Clinic) -> None:
    """Palm Coast's token server answers 503: its token breaker opens, its EHR one stays shut."""
    await clinic.faults({"route": "*/firm/palmortho/ema/ws/oauth2/grant", "error_status": 503})
    for n in range(2):
        caller = await call_until_handoff(clinic, PALM, f"+1 202 555 011{n}")
        assert caller.last["handoff"]["reason"] == "ehr_unavailable", caller.heard
    breakers = clinic.breakers("palm-ortho")
    assert breakers[Endpoint.TOKEN].state is BreakerState.OPEN
    assert breakers.ehr.state is BreakerState.CLOSED
    grants = [r for r in await clinic.requests("palmortho") if r["route"] == "modmed.grant"]
    assert len(grants) == 5  # then refused without being sent
    assert clinic.breakers("boca-derm")[Endpoint.TOKEN].state is BreakerState.CLOSED


async def test_a_failing_payer_does_not_open_the_ehr_breaker(clinic: Clinic) -> None:
    """pVerify answering 500s opens Riverside's payer breaker; its EHR breaker is untouched."""
    riverside = clinic.tenant("riverside")
    assert riverside.eligibility is not None
    for _ in range(2):
        with contextlib.suppress(EligibilityUnavailable):
            await riverside.eligibility.eligibility(ask("ERR1"))
    breakers = clinic.breakers("riverside")
    assert breakers[Endpoint.PAYER].state is BreakerState.OPEN
    assert breakers.ehr.state is BreakerState.CLOSED
    summaries = len(clinic.sandbox.requests)
    with pytest.raises(EligibilityUnavailable) as refused:
        await riverside.eligibility.eligibility(ask("ACT1"))
    assert isinstance(refused.value.__cause__, CircuitOpen)
    assert len(clinic.sandbox.requests) == summaries
    caller = ScriptedCaller(clinic.client, to=RIVERSIDE, ani="+1 202 555 0120")
    await caller.dial()
    await caller.say("I'd like to book an appointment")
    await caller.say("Maria Garcia Lopez")
    await caller.say("March 3rd 1985")
    assert not caller.last["ended"], caller.heard


async def test_breaker_and_request_metrics_are_served(clinic: Clinic) -> None:
    """`GET /metrics` shows the breaker's state, requests by outcome, latency, tokens, turns."""
    await open_the_breaker(clinic)
    caller = ScriptedCaller(clinic.client, to=BOCA, ani="+1 202 555 0121")
    await caller.dial()
    await caller.say("book an appointment")
    body = (await clinic.client.get("/metrics")).text
    assert 'frontdesk_ehr_breaker_state{endpoint="ehr",tenant="boca-derm"} 2.0' in body
    assert 'frontdesk_ehr_breaker_state{endpoint="ehr",tenant="palm-ortho"} 0.0' in body
    assert "frontdesk_ehr_breaker_transitions_total{" in body
    assert 'outcome="circuit_open"' in body
    assert 'frontdesk_ehr_requests_total{operation="modmed.patient.search"' in body
    assert "frontdesk_ehr_request_seconds_bucket{" in body
    assert 'frontdesk_token_refreshes_total{operation="modmed.oauth2.grant"' in body
    assert 'frontdesk_turns_total{outcome="handoff",tenant="boca-derm"}' in body
    assert 'frontdesk_turn_seconds_count{tenant="boca-derm"}' in body


async def test_metrics_endpoint_answers_in_prometheus_format(client: httpx.AsyncClient) -> None:
    """The demo runtime's `/metrics` is Prometheus text, turns and EHR requests included."""
    caller = ScriptedCaller(client, to=BOCA, ani="+1 202 555 0122")
    await caller.dial()
    await caller.say("book an appointment")
    await caller.say(MARIA[0])
    await caller.say(MARIA[1])
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE frontdesk_ehr_requests_total counter" in response.text
    assert "# TYPE frontdesk_turn_seconds histogram" in response.text
