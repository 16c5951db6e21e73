"""Tenant isolation, tenant by tenant: a practice's call reaches only that practice's EHR.

For each demo tenant A, a booking call to A's number is checked against the sandbox's request
log (every request it made went to A's firm or org, with A's token), against its own record
(every EHR resource its state and transactions name exists in A's space), and against the
audit trail (every event of the call is A's). Then, with one call per tenant, every pair
(A, B): B's call never shows in A's console listing or in A's audit trail.

The public API has no tenant authentication (a call is keyed by its unguessable id), so
"A's call cannot be continued by B" is not a property it can have; what it must guarantee is
that nothing a call does or shows crosses into another practice's EHR space.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
import pytest

from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.tenancy import demo_deployment
from frontdesk.testing import ScriptedCaller

#: Tenant id -> (dialed number, sandbox firm or org); every demo tenant is on the sandbox.
TENANTS: dict[str, tuple[str, str]] = {
    t.id: (t.dialed_numbers[0], str(getattr(t.ehr, "sandbox", None)))
    for t in demo_deployment().tenants
}
ANSWERS = {
    "intent": "I'd like to book a follow-up appointment",
    "patient.name": "Maria Garcia Lopez",
    "patient.birth_date": "March third nineteen eighty five",
    "provider": "anyone",
    "time_preference": "as soon as possible",
    "slot_choice": "the first one",
    "location": "the first one",
    "reason": "follow-up visit",
    "reason.question": "yes",
    "confirm": "yes",
    "insurance.policyholder": "it's mine",
}
#: Where a resource reference in a call's state can point: the tenant's EHR resources.
EHR_TYPES = ("Patient", "Practitioner", "Location", "Appointment", "Slot", "Coverage")
#: Record fields that hold the id of a resource of a known type.
_KEYED = {
    "patient_id": "Patient",
    "practitioner_id": "Practitioner",
    "practitioner_ids": "Practitioner",
    "location_id": "Location",
}


async def _book(client: httpx.AsyncClient, number: str, ani: str) -> ScriptedCaller:
    """A caller who answers whatever is asked, until booked, ended, or 24 turns."""
    caller = ScriptedCaller(client, to=number, ani=ani)
    await caller.dial()
    for _ in range(24):
        if caller.last["ended"] or "You're all set" in caller.heard:
            break
        await caller.say(ANSWERS.get(caller.expecting or "", "yes"))
    return caller


def _references(value: Any) -> set[tuple[str, str]]:
    """Every `Type/id` (or {"resourceType", "id"}) an EHR resource is named by, at any depth."""
    found: set[tuple[str, str]] = set()
    if isinstance(value, dict):
        kind, ident = value.get("resourceType"), value.get("id")
        if kind in EHR_TYPES and isinstance(ident, str):
            found.add((kind, ident))
        for key, item in value.items():
            named = _KEYED.get(key)
            for one in item if isinstance(item, list) else [item]:
                if named and isinstance(one, str) and one:
                    found.add((named, one))
            found |= _references(item)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, str):
        found |= set(_REFERENCE.findall(value))  # "Patient/123", "Patient/123 (name and …)"
    return found


_REFERENCE = re.compile(rf"\b({'|'.join(EHR_TYPES)})/([A-Za-z0-9.-]{{1,64}})\b")


async def _exists(client: httpx.AsyncClient, space: str, kind: str, ident: str) -> bool:
    response = await client.get(f"/sandbox/fhir/{space}/{kind}/{ident}")
    return response.status_code == 200


@pytest.mark.parametrize("tenant", sorted(TENANTS))
async def test_a_call_touches_only_its_own_practice(
    tenant: str, client: httpx.AsyncClient, sandbox: Sandbox, runtime: Runtime
) -> None:
    """Requests, tokens, state, transactions and audit events of A's call are all A's."""
    number, space = TENANTS[tenant]
    await client.delete("/sandbox/requests")
    caller = await _book(client, number, ani="+12025550147")
    record = await caller.record()
    assert record["tenant"] == tenant

    log = (await client.get("/sandbox/requests")).json()["requests"]
    ehr = [r for r in log if not r["path"].startswith("/sandbox/")]
    assert ehr, "the call reached the EHR"
    spaces = {r["space"] for r in ehr if r["space"] is not None}
    assert spaces == {space}, f"{tenant}'s call reached {spaces}"
    tokens = {r["token_space"] for r in ehr if r["token_space"] is not None}
    assert tokens <= {space, "@pverify"}, f"{tenant}'s call carried tokens of {tokens}"
    others = {s for _, s in TENANTS.values()} - {space}
    assert not [r["path"] for r in ehr if any(f"/{o}/" in r["path"] for o in others)]

    named = _references(record["state"]) | _references(
        [r["resource"] for r in record["ehr_requests"]]
    )
    assert ("Patient", record["state"]["patient"]["value"]["id"]) in named
    assert record["state"]["appointment"] is not None, "the call booked"
    assert {kind for kind, _ in named} >= {"Patient", "Practitioner", "Appointment"}
    for kind, ident in sorted(named):
        assert await _exists(client, space, kind, ident), f"{kind}/{ident} is not {space}'s"

    await runtime.audit.flush()
    rows = await runtime.audit.rows(call_id=caller.call_id)
    assert rows
    assert {row.event.tenant for row in rows} == {tenant}
    elsewhere = [r for t in TENANTS if t != tenant for r in await runtime.audit.rows(tenant=t)]
    assert caller.call_id not in {row.event.call_id for row in elsewhere}


async def test_every_pair_of_tenants_stays_apart(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """One call per tenant; for each pair (A, B), B's call is not listed or audited as A's."""
    calls: dict[str, dict[str, Any]] = {}
    for index, (tenant, (number, _)) in enumerate(sorted(TENANTS.items())):
        caller = await _book(client, number, ani=f"+1202555016{index}")
        calls[tenant] = await caller.record()

    token = runtime.console.generated_token
    assert token is not None
    listed: dict[str, str] = {}
    for tenant in TENANTS:
        page = await client.get(
            "/console/calls",
            params={"tenant": tenant},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert page.status_code == 200
        listed[tenant] = page.text

    everything = (await client.get("/v1/calls")).json()["calls"]
    assert {c["id"] for c in calls.values()} <= set(everything)
    await runtime.audit.flush()
    audited = {
        tenant: {row.event.call_id for row in await runtime.audit.rows(tenant=tenant)}
        for tenant in TENANTS
    }
    for a, b in itertools.permutations(sorted(TENANTS), 2):
        assert calls[a]["id"] in listed[a]
        assert calls[b]["id"] not in listed[a], f"{b}'s call listed under {a}"
        assert calls[a]["id"] in audited[a]
        assert calls[b]["id"] not in audited[a], f"{b}'s call audited under {a}"
        assert calls[b]["tenant"] == b
