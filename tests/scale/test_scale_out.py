"""Scale-out on the real Redis and PostgreSQL: two worker processes, one shared sandbox EHR.

Any worker takes any turn of any call (each caller's turns alternate between the workers), so
call state, locks and tokens must live in Redis, and the audit trail in PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from frontdesk.audit import PostgresAuditSink
from frontdesk.testing import Cluster
from frontdesk.testing._load import CALLERS, book_soonest

BOCA = "+15615550100"
FIRM = "bocaderm"

pytestmark = pytest.mark.timeout(600)


async def appointments(sandbox: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    response = await sandbox.get(f"/sandbox/fhir/{FIRM}/Appointment")
    response.raise_for_status()
    return {e["resource"]["id"]: e["resource"] for e in response.json().get("entry", [])}


def _practitioner(appointment: dict[str, Any]) -> str:
    for participant in appointment.get("participant", []):
        reference = participant.get("actor", {}).get("reference", "")
        if reference.startswith("Practitioner/"):
            return str(reference)
    return ""


def _live(appointment: dict[str, Any]) -> bool:
    return appointment.get("status") not in ("cancelled", "noshow", "entered-in-error")


def double_bookings(created: list[dict[str, Any]], everything: list[dict[str, Any]]) -> int:
    """Slots holding more than one live appointment, where one of them was made in the test.

    (Also: two made in the test for one provider at one start, whatever their slots.)
    """
    per_slot = Counter(s["reference"] for a in everything if _live(a) for s in a.get("slot", []))
    ours = {s["reference"] for a in created if _live(a) for s in a.get("slot", [])}
    same_time = Counter((_practitioner(a), a["start"]) for a in created if _live(a))
    return sum(per_slot[slot] - 1 for slot in ours) + sum(n - 1 for n in same_time.values())


async def race(running: Cluster, callers: int) -> tuple[list[Any], list[dict[str, Any]]]:
    async with (
        httpx.AsyncClient(base_url=running.sandbox_url) as sandbox,
        httpx.AsyncClient(base_url=running.urls[0], timeout=30) as first,
        httpx.AsyncClient(base_url=running.urls[1], timeout=30) as second,
    ):
        before = await appointments(sandbox)
        results = await asyncio.gather(
            *(
                book_soonest([first, second], to=BOCA, patient=CALLERS[i % len(CALLERS)], start=i)
                for i in range(callers)
            )
        )
        after = await appointments(sandbox)
    created = [a for key, a in after.items() if key not in before]
    return list(results), created


async def test_fifty_callers_racing_for_the_first_openings_never_double_book(
    running: Cluster,
) -> None:
    """Two workers, 50 simultaneous callers all wanting the soonest slot, two rounds."""
    for _ in range(2):
        results, created = await race(running, 50)
        booked = [r for r in results if r.booked]
        assert all(len(r.workers) == 2 for r in results)  # every call used both workers
        assert booked, [r.heard[-3:] for r in results[:3]]
        live = [a for a in created if _live(a)]
        assert len(live) == len(booked)  # each "you're all set" is exactly one appointment
        async with httpx.AsyncClient(base_url=running.sandbox_url) as sandbox:
            everything = list((await appointments(sandbox)).values())
        assert double_bookings(live, everything) == 0
        # A caller who lost every race so far is still being offered times, never left hanging.
        stuck = [r for r in results if not r.ended and not r.heard[-1].endswith("?")]
        assert not stuck, [r.heard[-2:] for r in stuck]


async def test_lost_booking_answers_never_duplicate(running: Cluster) -> None:
    """The EHR commits the booking but the answer is lost: one appointment, a bounded retry."""
    async with httpx.AsyncClient(base_url=running.sandbox_url) as sandbox:
        rule = {"route": f"*/firm/{FIRM}/*/Appointment", "methods": ["POST"],
                "error_status": 504, "error_rate": 1.0, "phase": "after"}  # fmt: skip
        (await sandbox.put("/sandbox/faults", json={"rules": [rule]})).raise_for_status()
        results, created = await race(running, 6)
        (await sandbox.delete("/sandbox/faults")).raise_for_status()
    per_call = Counter(_practitioner(a) + a["start"] for a in created)
    assert all(n == 1 for n in per_call.values())
    booked = [r for r in results if r.booked]
    live = [a for a in created if _live(a)]
    assert len(live) == len(booked)


async def test_a_worker_lost_between_turns_and_the_call_goes_on(running: Cluster) -> None:
    """Half a call on worker A; A dies (SIGKILL); worker B finishes the booking."""
    patient = CALLERS[0]
    a, b = running.workers
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
        httpx.AsyncClient(base_url=b.url, timeout=30) as on_b,
    ):
        started = (await on_a.post("/v1/calls", json={"to": BOCA})).json()
        call = started["call_id"]
        for text in ("book an appointment", f"{patient.given} {patient.family}"):
            reply = await on_a.post(f"/v1/calls/{call}/turns", json={"text": text})
            assert reply.status_code == 200
        a.kill()
        dob = patient.birth_date
        said = ""
        for text in (f"{dob:%B} {dob.day} {dob.year}", "anyone", "as soon as possible",
                     "the first one", "yes"):  # fmt: skip
            reply = await on_b.post(f"/v1/calls/{call}/turns", json={"text": text})
            assert reply.status_code == 200, reply.text
            said = " ".join(reply.json()["say"])
        assert "You're all set" in said
        record = (await on_b.get(f"/v1/calls/{call}")).json()
        callers_words = [t["text"] for t in record["transcript"] if t["speaker"] == "caller"]
        assert callers_words[:2] == ["book an appointment", f"{patient.given} {patient.family}"]


async def test_the_audit_trail_of_both_workers_is_one_intact_chain(
    running: Cluster, database: str
) -> None:
    await race(running, 10)
    for worker in running.workers:
        worker.stop()  # graceful: queued audit rows are flushed on the way out
    async with PostgresAuditSink(database) as trail:
        report = await trail.verify()
        rows = await trail.rows()
    assert report.ok, report.problems
    assert {r.event.action.value for r in rows} >= {"call_started", "call_ended", "ehr_write"}
