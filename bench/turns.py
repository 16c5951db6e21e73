"""Benchmark: the agent's own time per turn, and how well it overlaps EHR round trips.

1. 200 scripted booking calls against the embedded sandbox at 0 added EHR latency; the agent's
   own time per turn (turn time minus the wall time an EHR request was in flight) as
   p50/p95/p99. Calls run one after another so the figure is the cost of a turn, not of
   queueing behind other calls.
2. The same calls with 100 ms added to every sandbox request: per call, wall time (the sum of
   its turns) ÷ the EHR round trips that had to be sequential (requests launched together
   count once: e.g. the directory's three reads, or two 5-day slot windows). 1.00 would mean
   the agent adds nothing beyond the unavoidable waits. Also: how long a client that made
   the same requests one at a time would have waited.

Run: `.venv/bin/python bench/turns.py [--calls 200] [--latency-calls 20]`
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from frontdesk.api import create_asgi
from frontdesk.audit import SqliteAuditSink, configure_logging
from frontdesk.runtime import Runtime
from frontdesk.sandbox import FEATURED_PATIENTS, FaultRule, create_sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment
from frontdesk.testing import ScriptedCaller

NUMBERS = ("+15615550100", "+13865550100")
PROVIDERS = ("whoever is first available", "no preference", "anyone")
WHEN = ("as soon as possible", "next week", "next tuesday afternoon", "mornings", "after 2 pm")
PICKS = ("the first one", "the second one", "the last one")
#: Requests whose start times lie this close together were launched together.
LAUNCH_WINDOW_MS = 5.0


def script(i: int) -> list[str]:
    """The i-th caller's words."""
    patient = FEATURED_PATIENTS[i % len(FEATURED_PATIENTS)]
    birth = patient.birth_date
    return [
        "I'd like to book an appointment",
        f"{patient.given} {patient.family}",
        f"{birth:%B} {birth.day} {birth.year}",
        PROVIDERS[i % len(PROVIDERS)],
        WHEN[i % len(WHEN)],
        PICKS[i % len(PICKS)],
        "yes",
        "no thanks",
    ]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def sequential_ms(requests: list[dict[str, Any]]) -> tuple[int, float]:
    """The round trips that had to be sequential: requests launched together count once,
    as long as the slowest of them. Returns (how many, their summed duration)."""
    spans = sorted(
        (dt.datetime.fromisoformat(r["at"]).timestamp() * 1000 - r["latency_ms"], r["latency_ms"])
        for r in requests
    )
    groups: list[float] = []
    last = None
    for start, latency in spans:
        if last is None or start - last > LAUNCH_WINDOW_MS:
            groups.append(latency)
        else:
            groups[-1] = max(groups[-1], latency)
        last = start
    return len(groups), sum(groups)


async def run_calls(calls: int, latency_ms: float, folder: Path) -> list[dict[str, Any]]:
    """Run `calls` scripted calls; return each call's record."""
    faults = [FaultRule(route="/modmed/*", latency_ms=latency_ms)] if latency_ms else []
    sandbox = create_sandbox(faults=faults)
    audit = SqliteAuditSink(f"sqlite+aiosqlite:///{folder / f'audit-{latency_ms}.sqlite3'}")
    await audit.open()
    runtime = await Runtime.start(
        Settings(sandbox=False), deployment=demo_deployment(), sandbox=sandbox, audit=audit
    )
    Runtime.settle()  # as `frontdesk serve` does after boot
    records = []
    try:
        transport = httpx.ASGITransport(app=create_asgi(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for i in range(calls):
                caller = ScriptedCaller(client, to=NUMBERS[i % 2])
                await caller.dial()
                for words in script(i):
                    if caller.last["ended"]:
                        break
                    await caller.say(words)
                records.append(await caller.record())
    finally:
        await runtime.aclose()
    return records


def spread(values: list[float]) -> str:
    """p50/p95/p99 of `values`."""
    return "  ".join(f"p{q} {percentile(values, q):.2f}" for q in (50, 95, 99))


def report_own_time(records: list[dict[str, Any]]) -> None:
    own = [t["own_ms"] for r in records for t in r["timings"]]
    total = [t["total_ms"] for r in records for t in r["timings"]]
    booked = sum(r["outcome"] == "booked" for r in records)
    print(f"calls: {len(records)} ({booked} booked), turns: {len(own)}")
    print(f"own time per turn (ms): {spread(own)}  max {max(own):.2f}")
    print(f"whole turn incl. in-process sandbox (ms): {spread(total)}")
    per_call = [len(r["ehr_requests"]) for r in records if r["outcome"] == "booked"]
    print(
        f"EHR requests per booked call: mean {statistics.mean(per_call):.2f}, max {max(per_call)}"
    )


def report_overlap(records: list[dict[str, Any]], latency_ms: float) -> None:
    ratios, naive, trips = [], [], []
    for record in records:
        wall = sum(t["total_ms"] for t in record["timings"])
        count, floor = sequential_ms(record["ehr_requests"])
        trips.append(count)
        ratios.append(wall / floor)
        naive.append(sum(r["latency_ms"] for r in record["ehr_requests"]) / wall)
    requests = statistics.mean(len(r["ehr_requests"]) for r in records)
    print(
        f"sequential round trips per call: mean {statistics.mean(trips):.2f}; "
        f"EHR requests per call: mean {requests:.2f}"
    )
    print(
        f"with {latency_ms:.0f} ms per EHR request: call wall time ÷ sequential round trips = "
        f"mean {statistics.mean(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})"
    )
    print(
        "a client making the same requests one at a time would wait "
        f"{statistics.mean(naive):.2f}× as long as this call's wall time"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--latency-calls", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    configure_logging(level="WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        records = await run_calls(args.calls, 0.0, Path(tmp))
        print(f"== {args.calls} calls, 0 ms added latency ({time.perf_counter() - started:.1f} s)")
        report_own_time(records)
        started = time.perf_counter()
        slow = await run_calls(args.latency_calls, args.latency_ms, Path(tmp))
        took = time.perf_counter() - started
        print(
            f"== {args.latency_calls} calls, {args.latency_ms:.0f} ms added latency ({took:.1f} s)"
        )
        report_overlap(slow, args.latency_ms)


if __name__ == "__main__":
    asyncio.run(main())
