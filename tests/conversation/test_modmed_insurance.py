"""A ModMed practice with eligibility on: the plan on ModMed's Coverage is confirmed and checked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from frontdesk.api import create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import PayerConfig, PVerifyConfig, demo_deployment
from frontdesk.testing import ScriptedCaller
from tests.conftest import BOCA, NOW

PAYERS: list[dict[str, object]] = [
    {"code": "00001", "name": "Aetna Health Plans", "aliases": ["aetna"]},
    {"code": "00590", "name": "Blue Cross Blue Shield of Florida", "aliases": ["blue cross"]},
    {"code": "00192", "name": "UnitedHealthcare", "aliases": ["united"]},
    {"code": "62308", "name": "Cigna"},
    {"code": "61101", "name": "Humana"},
    {"code": "00007", "name": "Medicare"},
]


@pytest.fixture
async def boca_with_eligibility(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    demo = demo_deployment()
    boca = demo.tenants[0].model_copy(
        update={
            "eligibility": PVerifyConfig(sandbox=True),
            "payers": [PayerConfig.model_validate(payer) for payer in PAYERS],
        }
    )
    deployment = demo.model_copy(update={"tenants": [boca, *demo.tenants[1:]]})
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=deployment,
        sandbox=sandbox,
        audit=MemoryAuditSink(),
        clock=lambda: NOW,
    )
    transport = httpx.ASGITransport(app=create_asgi(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://frontdesk") as client:
        yield client
    await runtime.aclose()


async def test_the_modmed_plan_on_file_is_confirmed_and_checked(
    boca_with_eligibility: httpx.AsyncClient,
) -> None:
    """ModMed's Coverage names the plan; the caller confirms; the payer's answer is read back."""
    caller = ScriptedCaller(boca_with_eligibility, to=BOCA)
    await caller.dial()
    for line in (
        "book an appointment",
        "Maria Garcia Lopez",
        "March 3rd 1985",
        "anyone",
        "next week",
        "the first one",
    ):
        await caller.say(line)
    assert "still current?" in caller.heard, caller.heard
    await caller.say("yes")
    if caller.expecting == "insurance.member_id":  # a plan on file without a member ID
        await caller.say("ACT 123 456")
        await caller.say("mine")
    assert "The payer shows your" in caller.heard, caller.heard
    record = await caller.record()
    operations = {t["operation"] for t in record["transactions"]}
    assert {"modmed.coverage.search", "pverify.eligibility_summary"} <= operations
    assert record["state"]["coverages"]["value"], "the chart's coverage was read"
    await caller.say("yes")
    assert "You're all set" in caller.heard
