"""Benchmark: EHR calls per completed call, by flow and tier, against the minimum possible.

Runs each established-patient flow end to end through the HTTP API on the embedded sandbox
(Epic org `riverside`, ModMed firm `bocaderm`) and counts, from each call's own record, the EHR
requests by tier. Token, discovery and directory requests are amortized across calls (cached
per token lifetime / per practice) and shown apart. Also: per-use (Private) Epic calls per
completed booking when the caller negotiates ("anything later?") before choosing.

Run: `.venv/bin/python bench/transactions.py [--calls 10]`
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx

from frontdesk.api import create_asgi
from frontdesk.audit import MemoryAuditSink, configure_logging
from frontdesk.runtime import Runtime
from frontdesk.sandbox import create_sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment
from frontdesk.testing import ScriptedCaller

EPIC, MODMED = "+1 312 555 0100", "+1 561 555 0100"
#: Cached or once-per-token requests: not part of one conversation's cost.
AMORTIZED = (
    ".oauth2.", ".smart_configuration", ".practitioner.search", ".practitionerrole.search",
    ".location.search", ".valueset.", "pverify.token",
)  # fmt: skip
MARIA = ("Maria Garcia Lopez", "March 3rd 1985")

# flow -> (dialed number, caller ANI, words, minimum (Standard, Private) calls for the flow)
FLOWS: dict[str, tuple[str, str | None, tuple[str, ...], tuple[int, int]]] = {
    "epic book": (
        EPIC, None,
        ("book an appointment", *MARIA, "yes", "next week", "the first one", "yes", "yes", "no"),
        (3, 2),  # search, encounters, coverage | $find, ScheduleAppointment (+1 eligibility)
    ),
    "epic book, 2 rounds of 'later'": (
        EPIC, None,
        ("book an appointment", *MARIA, "yes", "next week", "something later",
         "anything later?", "the first one", "yes", "yes", "no"),
        (3, 2),
    ),
    "epic reschedule": (
        EPIC, "+1 561 555 0123",
        ("I need to reschedule my appointment", "March 3rd 1985", "yes", "as soon as possible",
         "the first one", "yes", "no"),
        (2, 2),  # caller-ID match, appointment search | $find, ScheduleAppointment
    ),
    "epic cancel": (
        EPIC, "+1 561 555 0123",
        ("cancel my appointment", "March 3rd 1985", "yes", "I'm traveling", "no"),
        (2, 1),  # caller-ID match, appointment search | CancelAppointment
    ),
    "epic confirm": (
        EPIC, "+1 561 555 0123",
        ("confirm my appointment", "March 3rd 1985", "yes", "no"),
        (2, 1),  # caller-ID match, appointment search | ConfirmationResponse
    ),
    "modmed book": (
        MODMED, None,
        ("book an appointment", *MARIA, "anyone", "as soon as possible", "the first one", "yes",
         "no"),
        (3, 0),  # patient search (+ sounds-alike fallback), slot search, create
    ),
}  # fmt: skip


async def run(flow: str, folder: Path) -> dict[str, Any]:
    """One call of `flow` on a fresh sandbox; its record."""
    number, ani, words, _ = FLOWS[flow]
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment(),
        sandbox=create_sandbox(),
        audit=MemoryAuditSink(),
    )
    try:
        transport = httpx.ASGITransport(app=create_asgi(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            caller = ScriptedCaller(client, to=number, ani=ani)
            await caller.dial()
            for line in words:
                if caller.last["ended"]:
                    break
                await caller.say(line)
            return await caller.record()
    finally:
        await runtime.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5, help="calls per flow")
    args = parser.parse_args()
    configure_logging(level="WARNING")
    print(
        f"{'flow':34} {'done':>5} {'Standard':>9} {'Private':>8} {'Clearing':>9} "
        f"{'minimum':>9} {'amortized':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for flow, (_, _, _, minimum) in FLOWS.items():
            per_tier: dict[str, list[int]] = collections.defaultdict(list)
            amortized: list[int] = []
            completed = 0
            for _ in range(args.calls):
                record = await run(flow, Path(tmp))
                if record["handoff"] is not None:
                    continue
                completed += 1
                counts: collections.Counter[str] = collections.Counter()
                spread = 0
                for request in record["ehr_requests"]:
                    if any(part in request["operation"] for part in AMORTIZED):
                        spread += 1
                    else:
                        counts[request["tier"]] += 1
                for tier in ("Standard", "Private", "Clearinghouse"):
                    per_tier[tier].append(counts[tier])
                amortized.append(spread)
            if not completed:
                print(f"{flow:34} {0:>5} (no call completed)")
                continue
            standard = statistics.mean(per_tier["Standard"])
            private = statistics.mean(per_tier["Private"])
            clearing = statistics.mean(per_tier["Clearinghouse"])
            print(
                f"{flow:34} {completed:>5} {standard:>9.2f} {private:>8.2f} {clearing:>9.2f} "
                f"{f'{minimum[0]} + {minimum[1]}':>9} {statistics.mean(amortized):>10.2f}"
            )


if __name__ == "__main__":
    asyncio.run(main())
