"""Simulated callers for the scale-out tests and the load benchmark.

`book_soonest` plays a caller who wants the first opening with anyone: it answers whatever the
agent asks (name, birth date, provider, time, which slot, confirm), spreads its turns over the
workers it is given as a load balancer would, and reports how the call ended.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence

import httpx

from frontdesk.sandbox import FEATURED_PATIENTS, FeaturedPatient

#: Featured patients with a unique name and birth date (the two James Smiths are left out).
CALLERS: tuple[FeaturedPatient, ...] = tuple(p for p in FEATURED_PATIENTS if p.given != "James")

#: Most turns a booking call may take before the caller gives up.
MAX_TURNS = 24


@dataclasses.dataclass(slots=True)
class CallResult:
    """How one simulated call went."""

    call_id: str
    booked: bool
    ended: bool
    handoff: str | None
    turns: int
    workers: set[str]
    heard: list[str]


def _answer(expecting: str | None, patient: FeaturedPatient) -> str:
    match expecting:
        case "intent":
            return "I'd like to book an appointment"
        case "patient.name":
            return f"{patient.given} {patient.family}"
        case "patient.birth_date":
            return f"{patient.birth_date:%B} {patient.birth_date.day} {patient.birth_date.year}"
        case "provider":
            return "anyone"
        case "time_preference":
            return "as soon as possible"
        case "slot_choice" | "location":
            return "the first one"
        case _:
            return "yes"


async def book_soonest(
    clients: Sequence[httpx.AsyncClient],
    *,
    to: str,
    patient: FeaturedPatient,
    start: int = 0,
) -> CallResult:
    """One caller books the soonest opening; turn `i` goes to `clients[(start + i) % n]`."""
    rotation = itertools.cycle(range(len(clients)))
    for _ in range(start % len(clients)):
        next(rotation)
    client = clients[next(rotation)]
    response = await client.post("/v1/calls", json={"to": to, "channel": "text"})
    response.raise_for_status()
    body = response.json()
    call_id: str = body["call_id"]
    result = CallResult(call_id, False, body["ended"], None, 0, {str(client.base_url)}, [])
    while not body["ended"] and result.turns < MAX_TURNS:
        said = " ".join(body["say"])
        result.heard.append(said)
        if "You're all set" in said:
            result.booked = True
            text = "no, that's all"
        else:
            text = _answer(body.get("expecting"), patient)
        client = clients[next(rotation)]
        result.workers.add(str(client.base_url))
        response = await client.post(f"/v1/calls/{call_id}/turns", json={"text": text})
        response.raise_for_status()
        body = response.json()
        result.turns += 1
    said = " ".join(body["say"])
    result.heard.append(said)
    result.booked = result.booked or "You're all set" in said
    result.ended = body["ended"]
    if body.get("handoff"):
        result.handoff = body["handoff"]["reason"]
    return result
