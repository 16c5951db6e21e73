"""Fault injection: latency, error rates, 429 Retry-After, hangs, lost responses."""

from __future__ import annotations

import asyncio
import time

import pytest

from frontdesk.sandbox import DEMO_FIRMS, FaultRule, FaultTable, create_sandbox
from tests.sandbox.util import (
    ANCHOR,
    BOCA,
    Clinic,
    booking_body,
    open_clinic,
    resources,
    slot_params,
)


async def put_faults(clinic: Clinic, *rules: dict[str, object]) -> None:
    response = await clinic.http.put("/sandbox/faults", json={"rules": list(rules)})
    assert response.status_code == 200, response.text


async def test_latency(clinic: Clinic) -> None:
    """`latency_ms` delays every matching request, and only those."""
    await clinic.headers()
    await put_faults(clinic, {"route": "*/fhir/v2/Practitioner", "latency_ms": 2000})
    started = time.perf_counter()
    await clinic.get("Practitioner")
    assert time.perf_counter() - started >= 2.0
    started = time.perf_counter()
    await clinic.get("Location")
    assert time.perf_counter() - started < 2.0  # not delayed (a loaded machine is still < 2 s)


async def test_error_rate_is_deterministic(clinic: Clinic) -> None:
    """A 503 rate fires on about that share of requests, in the same order every run."""
    await clinic.headers()

    async def run() -> list[int]:
        await put_faults(
            clinic, {"route": "*/fhir/v2/Location", "error_status": 503, "error_rate": 0.5}
        )
        return [(await clinic.get("Location", expect=None)).status_code for _ in range(40)]

    first = await run()
    assert set(first) == {200, 503}
    assert 10 <= first.count(503) <= 30
    assert await run() == first
    errors = [r for r in clinic.sandbox.requests if r.status == 503]
    assert errors
    assert all(r.route == "modmed.location.search" for r in errors)


async def test_throttling_sets_retry_after(clinic: Clinic) -> None:
    """A 429 rule answers an OperationOutcome with a Retry-After header."""
    await clinic.headers()
    await put_faults(clinic, {"route": "*/fhir/v2/Slot", "error_status": 429, "retry_after": 7})
    response = await clinic.get("Slot", slot_params(), expect=429)
    assert response.headers["retry-after"] == "7"
    assert response.json()["issue"][0]["code"] == "throttled"


async def test_methods_filter(clinic: Clinic) -> None:
    """A rule limited to POST leaves GETs alone."""
    await clinic.headers()
    await put_faults(
        clinic, {"route": "*/fhir/v2/Appointment", "methods": ["post"], "error_status": 500}
    )
    await clinic.get("Appointment")
    slot = resources((await clinic.get("Slot", slot_params())).json())[0]
    response = await clinic.post("Appointment", booking_body(slot, "410001"))
    assert response.status_code == 500


async def test_phase_after_commits_then_loses_the_response(clinic: Clinic) -> None:
    """With phase "after" the booking is stored and the slot busy, but the client gets 503."""
    slot = resources((await clinic.get("Slot", slot_params())).json())[0]
    patient = clinic.sandbox.store.all(BOCA, "Patient")[5]["id"]
    await put_faults(
        clinic,
        {
            "route": "*/fhir/v2/Appointment",
            "methods": ["POST"],
            "error_status": 503,
            "phase": "after",
        },
    )
    response = await clinic.post("Appointment", booking_body(slot, patient))
    assert response.status_code == 503
    assert clinic.sandbox.store.get(BOCA, "Slot", slot["id"])["status"] == "busy"  # type: ignore[index]
    landed = await clinic.get("Appointment", {"patient": patient, "date": slot["start"]})
    assert len(resources(landed.json())) == 1
    retry = await clinic.post("Appointment", booking_body(slot, patient))
    assert retry.status_code == 503  # the retry is refused (409) but its answer is lost too
    await clinic.http.delete("/sandbox/faults")
    assert (await clinic.post("Appointment", booking_body(slot, patient))).status_code == 409


async def test_timeout_hangs(clinic: Clinic) -> None:
    """A `timeout_s` rule hangs the request past a client's patience."""
    await clinic.headers()
    await put_faults(clinic, {"route": "*/fhir/v2/Location", "timeout_s": 5})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(clinic.get("Location"), timeout=0.1)
    await put_faults(
        clinic, {"route": "*/fhir/v2/Location", "timeout_s": 0.05, "error_status": 504}
    )
    started = time.perf_counter()
    await clinic.get("Location", expect=504)
    assert time.perf_counter() - started >= 0.05


async def test_fault_endpoints(clinic: Clinic) -> None:
    """Faults are read, replaced and cleared over HTTP; bad rules are 400; /sandbox is exempt."""
    await put_faults(clinic, {"route": "*", "error_status": 500})
    rules = (await clinic.http.get("/sandbox/faults")).json()["rules"]
    assert rules == [FaultRule(route="*", error_status=500).to_json()]
    assert (await clinic.http.get("/sandbox/spaces")).status_code == 200  # never faulted
    assert (await clinic.grant()).status_code == 500
    for bad in (
        {"rules": [{"route": "*", "error_rate": 2}]},
        {"rules": [{"colour": "red"}]},
        {"x": 1},
    ):
        assert (await clinic.http.put("/sandbox/faults", json=bad)).status_code == 400
    assert (await clinic.http.delete("/sandbox/faults")).status_code == 204
    assert clinic.sandbox.faults.rules == ()
    assert (await clinic.grant()).status_code == 200


async def test_faults_at_creation() -> None:
    """Rules given to `create_sandbox` (objects or JSON) are in force from the first request."""
    sandbox = create_sandbox(
        DEMO_FIRMS[:1],
        anchor=ANCHOR,
        faults=[{"route": "*/ws/oauth2/grant", "error_status": 503}, FaultRule(route="/x")],
    )
    assert isinstance(sandbox.faults, FaultTable)
    assert len(sandbox.faults.rules) == 2
    async with open_clinic(sandbox) as clinic:
        assert (await clinic.grant()).status_code == 503
