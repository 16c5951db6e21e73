"""Prescription refills (Epic), end to end over the HTTP API against the sandbox.

Identify the patient; check who is calling (the patient, or a representative on the chart);
the 12-month visit lookback; the active prescriptions by name; a controlled substance to the
clinical team; the pharmacy; the request filed once in the refill pool, and read back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import httpx
import pytest
import yaml

from frontdesk.api import create_asgi
from frontdesk.audit import MemoryAuditSink
from frontdesk.runtime import Runtime
from frontdesk.sandbox import FaultRule, Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import parse_deployment
from frontdesk.testing import ScriptedCaller
from tests.conftest import NOW

RIVERSIDE = "+1 312 555 0100"
BOCA = "+1 561 555 0100"
CLINICAL = "+13125550198"
FRONT_DESK = "+13125550199"
MARIA = ("Maria Garcia Lopez", "March 3rd 1985")
SOFIA = ("Sofia Garcia Lopez", "June 8th 2017")
SEAN = ("Sean O'Brien", "November 30th 1978")
JOSE = ("Jose Hernandez", "December 25th 1955")
#: Every prescription on the featured charts: none may be said before verification.
DRUGS = (
    "lisinopril", "atorvastatin", "sertraline", "albuterol", "montelukast", "tramadol",
    "cyclobenzaprine", "metformin", "amlodipine",
)  # fmt: skip
SUBMIT = "*ReceiveCommunication3"


async def identified(
    client: httpx.AsyncClient,
    who: tuple[str, str],
    *,
    asking: str = "I need a refill",
    expecting: str = "caller.role",
) -> ScriptedCaller:
    """A caller on Riverside's line, the patient identified, at "Am I speaking with …?"."""
    caller = ScriptedCaller(client, to=RIVERSIDE)
    await caller.dial()
    await caller.say(asking)
    name, born = who
    await caller.say(name)
    await caller.say(born)
    assert caller.expecting == expecting, caller.heard
    if expecting == "caller.role":
        assert "Am I speaking with" in caller.heard, caller.heard
    return caller


async def communications(client: httpx.AsyncClient, caller: ScriptedCaller) -> list[dict[str, Any]]:
    """The Communications on the patient's chart (the refill pool's in-basket)."""
    record = await caller.record()
    patient = record["state"]["patient"]["value"]["id"]
    response = await client.get(
        "/sandbox/fhir/riverside/Communication", params={"patient": patient}
    )
    return [e["resource"] for e in response.json().get("entry", [])]


def said_before(caller: ScriptedCaller, index: int) -> str:
    """Everything the agent said in the first `index` replies."""
    return " ".join(" ".join(r["say"]) for r in caller.replies[:index]).lower()


async def test_a_patient_refills_her_lisinopril(client: httpx.AsyncClient) -> None:
    """Maria, for herself: listed by name, the pharmacy confirmed, filed once, read back."""
    caller = await identified(client, MARIA)
    assert not any(drug in said_before(caller, len(caller.replies)) for drug in DRUGS)
    await caller.say("yes, it's me")
    assert caller.expecting == "medication_choice", caller.heard
    assert "lisinopril 10 mg tablet" in caller.heard
    assert "atorvastatin 20 mg tablet" in caller.heard
    assert "hydrochlorothiazide" not in caller.heard  # stopped
    assert "amoxicillin" not in caller.heard  # a finished course
    await caller.say("the lisinopril")
    assert caller.expecting == "pharmacy", caller.heard
    assert "Walgreens, 1101 Lake St" in caller.heard
    await caller.say("yes")
    said = caller.heard
    assert "I've sent the refill request for lisinopril 10 mg tablet to the care team" in said
    assert "Walgreens, 1101 Lake St will be notified" in said
    assert "two business days" in said
    assert "prescriber" not in said  # two refills left
    assert caller.expecting == "intent"

    filed = await communications(client, caller)
    assert len(filed) == 1
    about = {a["reference"] for a in filed[0]["about"]}
    record = await caller.record()
    refills = record["state"]["refills"]
    assert refills["source"] == "ehr"
    [refill] = refills["value"]
    assert f"MedicationRequest/{refill['medication']['id']}" in about
    assert any(ref.startswith("Organization/") for ref in about)
    assert filed[0]["sender"]["reference"].startswith("Patient/")
    assert refill["receipt"]["id"] == filed[0]["id"]
    assert record["state"]["caller_relationship"]["value"] == "self"
    operations = {t["operation"] for t in record["transactions"]}
    assert "epic.receive_communication" in operations
    assert "epic.relatedperson.search" not in operations  # the patient herself
    assert "epic.encounter.search" in operations
    await caller.say("no, that's all")
    assert caller.last["ended"]


async def test_a_mother_refills_her_daughters_inhaler(client: httpx.AsyncClient) -> None:
    """Maria calls for Sofía: Sofía identified, Maria checked on Sofía's chart as her mother."""
    caller = await identified(
        client, SOFIA, asking="I need to refill my daughter's inhaler", expecting="caller.name"
    )
    # "my daughter's": calling for her, as a parent; only the name is asked.
    assert "Since you're calling for Sofía" in caller.heard, caller.heard
    assert not any(drug in said_before(caller, len(caller.replies)) for drug in DRUGS)
    await caller.say("Maria Garcia Lopez")
    assert "Thank you, Maria. I can help you with Sofía's prescription." in caller.heard
    # "my daughter's inhaler": the request already said which one.
    assert "Okay, a refill of albuterol" in caller.heard, caller.heard
    assert caller.expecting == "pharmacy"
    await caller.say("yes please")
    assert "I've sent the refill request for albuterol" in caller.heard, caller.heard

    record = await caller.record()
    representative = record["state"]["representative"]
    assert representative["source"] == "ehr"
    assert representative["value"]["relationship"] == "MTH"
    [filed] = await communications(client, caller)
    assert filed["sender"]["reference"] == f"RelatedPerson/{representative['value']['id']}"
    assert "Requested by Maria García-López (mother" in filed["payload"][0]["contentString"]


async def test_a_representative_picks_from_the_list(client: httpx.AsyncClient) -> None:
    """Name and relationship in one answer; the choice by position."""
    caller = await identified(client, SOFIA)
    await caller.say("this is Maria Garcia Lopez, her mom")
    assert "Thank you, Maria." in caller.heard, caller.heard
    assert caller.expecting == "medication_choice", caller.heard
    assert "albuterol" in caller.heard
    assert "montelukast" in caller.heard
    await caller.say("the second one")
    assert "montelukast" in caller.heard
    await caller.say("yes")
    assert "I've sent the refill request for montelukast" in caller.heard
    assert len(await communications(client, caller)) == 1


async def test_someone_not_on_the_chart_gets_the_front_desk(client: httpx.AsyncClient) -> None:
    """Not among Sofía's authorized people: two tries, a handoff, nothing disclosed or filed."""
    caller = await identified(client, SOFIA)
    await caller.say("I'm her aunt")
    await caller.say("Carol Smith")
    assert caller.expecting == "caller.name", caller.heard  # one more try
    await caller.say("Carol Smith, I'm her aunt")
    handoff = caller.last["handoff"]
    assert handoff["reason"] == "representative_not_verified"
    assert handoff["target"] == FRONT_DESK
    assert "not able to verify you" in caller.heard
    assert not any(drug in said_before(caller, len(caller.replies)) for drug in DRUGS)
    assert await communications(client, caller) == []
    record = await caller.record()
    assert any("Carol Smith" in task for task in record["staff_tasks"])


async def test_a_wrong_relationship_is_not_accepted(client: httpx.AsyncClient) -> None:
    """Carlos is on Sofía's chart as her father: saying he is her uncle does not pass."""
    caller = await identified(client, SOFIA)
    await caller.say("Carlos Garcia, I'm her uncle")
    await caller.say("Carlos Garcia, her uncle")
    assert caller.last["handoff"]["reason"] == "representative_not_verified"


async def test_an_ended_authorization_is_not_accepted(client: httpx.AsyncClient) -> None:
    """José's son Miguel is on his chart, but his authorization ended: front desk at once."""
    caller = await identified(client, JOSE)
    await caller.say("no, this is his son, Miguel Hernandez")
    assert caller.last["handoff"]["reason"] == "representative_not_verified", caller.heard
    record = await caller.record()
    assert any("authorization has ended" in task for task in record["staff_tasks"])
    assert "visit" not in caller.heard.lower()


async def test_a_controlled_substance_goes_to_the_clinical_team(
    client: httpx.AsyncClient,
) -> None:
    """Sean's tramadol (schedule IV): warm transfer to clinical, nothing filed."""
    caller = await identified(client, SEAN)
    await caller.say("speaking")
    assert "tramadol" in caller.heard
    await caller.say("the tramadol")
    handoff = caller.last["handoff"]
    assert handoff["reason"] == "controlled_substance"
    assert handoff["target"] == CLINICAL
    assert "handled by our clinical team" in caller.heard
    assert await communications(client, caller) == []


async def test_a_controlled_substance_chosen_with_another(client: httpx.AsyncClient) -> None:
    """Both of Sean's: the muscle relaxant is filed, then the tramadol goes to clinical."""
    caller = await identified(client, SEAN)
    await caller.say("yes")
    await caller.say("both of them")
    assert "once I've sent the request for cyclobenzaprine" in caller.heard, caller.heard
    assert caller.expecting == "pharmacy"
    await caller.say("yes")
    assert "I've sent the refill request for cyclobenzaprine" in caller.heard
    assert caller.last["handoff"]["reason"] == "controlled_substance"
    assert caller.last["handoff"]["target"] == CLINICAL
    [filed] = await communications(client, caller)
    assert "cyclobenzaprine" in filed["payload"][0]["contentString"]


async def test_no_visit_in_a_year_offers_one(client: httpx.AsyncClient) -> None:
    """José was not seen in the last 12 months: no list, a visit offered; yes books one."""
    caller = await identified(client, JOSE)
    await caller.say("yes")
    assert "12 months" in caller.heard, caller.heard
    assert caller.expecting == "confirm"
    assert not any(drug in caller.heard for drug in DRUGS)
    await caller.say("yes")
    assert "let's book a visit" in caller.heard, caller.heard
    assert caller.expecting in ("provider", "confirm", "reason", "time_preference"), caller.heard
    record = await caller.record()
    assert record["state"]["intents"]["value"] == ["refill", "book"]
    assert await communications(client, caller) == []


async def test_no_visit_and_no_booking_leaves_a_task(client: httpx.AsyncClient) -> None:
    """Declining the visit: the care team is told, the call goes on."""
    caller = await identified(client, JOSE)
    await caller.say("it's me")
    await caller.say("no thanks")
    assert "let the care team know" in caller.heard
    assert caller.expecting == "intent"
    record = await caller.record()
    assert any("no visit in the last 12 months" in task for task in record["staff_tasks"])


async def test_no_refills_left_still_goes_to_the_care_team(client: httpx.AsyncClient) -> None:
    """Maria's sertraline has none left: filed, and the prescriber's approval is mentioned."""
    caller = await identified(client, MARIA)
    await caller.say("yes")
    await caller.say("sertraline")
    await caller.say("yes")
    said = caller.heard
    assert "I've sent the refill request for sertraline" in said
    assert "needs the prescriber's approval for a new prescription" in said
    assert len(await communications(client, caller)) == 1


async def test_several_refills_to_a_pharmacy_the_caller_names(
    client: httpx.AsyncClient,
) -> None:
    """Two prescriptions, another pharmacy in the caller's words: two requests, no directory."""
    caller = await identified(client, MARIA)
    await caller.say("yes")
    await caller.say("the lisinopril and the atorvastatin")
    await caller.say("no, the CVS on Roosevelt Road")
    said = caller.heard
    assert "I'll note CVS on Roosevelt Road" in said
    assert "atorvastatin 20 mg tablet and lisinopril 10 mg tablet" in said  # as listed
    assert "CVS on Roosevelt Road will be notified" in said
    filed = await communications(client, caller)
    assert len(filed) == 2
    for communication in filed:
        assert "Pharmacy: CVS on Roosevelt Road." in communication["payload"][0]["contentString"]
        assert not any(a["reference"].startswith("Organization/") for a in communication["about"])


async def test_a_lost_answer_is_not_filed_twice(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """The request is stored but its answer lost: it is found by its key, filed once."""
    caller = await identified(client, MARIA)
    await caller.say("yes")
    await caller.say("lisinopril")
    sandbox.faults.add(FaultRule(route=SUBMIT, error_status=503, phase="after"))
    await caller.say("yes")
    sandbox.faults.clear()
    assert "I've sent the refill request for lisinopril" in caller.heard, caller.heard
    assert len(await communications(client, caller)) == 1


async def test_a_retried_turn_does_not_file_twice(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Stored, answer lost and the look-up failing too: the caller agrees to try again, and
    the retry (same key) finds the first request instead of filing a second one."""
    caller = await identified(client, MARIA)
    await caller.say("yes")
    await caller.say("lisinopril")
    sandbox.faults.add(FaultRule(route=SUBMIT, error_status=503, phase="after"))
    sandbox.faults.add(FaultRule(route="*/api/FHIR/R4/Communication", error_status=503))
    await caller.say("yes")
    assert "may not have gone through" in caller.heard, caller.heard
    assert caller.expecting == "confirm"
    assert len(await communications(client, caller)) == 1  # it did land
    sandbox.faults.clear()
    await caller.say("yes, try again")
    assert "I've sent the refill request for lisinopril" in caller.heard, caller.heard
    assert len(await communications(client, caller)) == 1
    record = await caller.record()
    assert len(record["state"]["refills"]["value"]) == 1


async def test_a_modmed_practice_cannot_refill_yet(client: httpx.AsyncClient) -> None:
    """ModMed has no refill capability here: the caller is told, and goes to the front desk."""
    caller = ScriptedCaller(client, to=BOCA)
    await caller.dial()
    for line in ("I need a prescription refill", *MARIA):
        await caller.say(line)
    assert caller.last["handoff"]["reason"] == "unsupported_request", caller.heard
    assert "not able to do that over the phone yet" in caller.heard


@pytest.fixture
async def spanish(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """The demo deployment with Riverside answering in Spanish first."""
    demo = resources.files("frontdesk.tenancy").joinpath("demo.yaml")
    data = yaml.safe_load(demo.read_text("utf-8"))
    for tenant in data["tenants"]:
        if tenant["id"] == "riverside":
            tenant["languages"] = ["es", "en"]
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=parse_deployment(data),
        sandbox=sandbox,
        audit=MemoryAuditSink(),
        clock=lambda: NOW,
    )
    transport = httpx.ASGITransport(app=create_asgi(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://frontdesk") as http:
        yield http
    await runtime.aclose()


async def test_a_refill_in_spanish(spanish: httpx.AsyncClient) -> None:
    """The same refill, held in Spanish: usted, and the prescription read back in Spanish."""
    caller = ScriptedCaller(spanish, to=RIVERSIDE)
    await caller.dial()
    await caller.say("necesito resurtir mi receta")
    await caller.say("María García López")
    await caller.say(dtmf="03031985")
    assert caller.expecting == "caller.role", caller.heard
    assert "¿Hablo con Maria?" in caller.heard
    await caller.say("sí, soy yo")
    assert "Las recetas activas que veo son" in caller.heard, caller.heard
    assert "lisinopril 10 mg tableta" in caller.heard
    await caller.say("el lisinopril")
    assert "¿Y la receta va a Walgreens, 1101 Lake St, como antes?" in caller.heard
    await caller.say("sí")
    assert "Ya envié la solicitud de resurtido de lisinopril 10 mg tableta" in caller.heard
    assert "dos días hábiles" in caller.heard
    record = await caller.record()
    patient = record["state"]["patient"]["value"]["id"]
    response = await spanish.get(
        "/sandbox/fhir/riverside/Communication", params={"patient": patient}
    )
    assert len(response.json().get("entry", [])) == 1
