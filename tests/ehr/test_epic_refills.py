"""The Epic connector's refill API against the embedded sandbox (in-process ASGI transport)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from frontdesk.costs import operation
from frontdesk.ehr import (
    Capability,
    EhrClient,
    InvalidRequest,
    Medication,
    Patient,
    Pharmacy,
    RefillRequest,
    RelatedPerson,
    Unsupported,
    controlled_matches,
    controlled_schedule,
)
from frontdesk.ehr.epic import EpicConnector
from frontdesk.ehr.epic._refills import (
    last_visit_from_encounters,
    refills_remaining,
    related_person_from_fhir,
    spoken_name,
)
from frontdesk.ehr.generic import GenericFhirConnector
from frontdesk.ehr.modmed import ModMedConnector
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.tenancy import TenantServices
from tests.conftest import ANCHOR
from tests.sandbox.epic_util import featured_id

RIVER = "riverside"
LAKE = "lakeshore"
TODAY = ANCHOR - dt.timedelta(days=2)
REFILL_PATH = "RECEIVECOMMUNICATION3/ReceiveCommunication3"
Json = dict[str, Any]


def visit_day(days_ago: int) -> dt.date:
    """The seed's day for a visit `days_ago` before the anchor (weekends move to Friday)."""
    day = ANCHOR - dt.timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@dataclasses.dataclass
class Org:
    """One Epic org of the demo deployment, reached the way a tenant reaches it."""

    sandbox: Sandbox
    services: TenantServices
    name: str

    @property
    def ehr(self) -> EhrClient:
        return self.services.ehr

    def patient(self, given: str, family: str) -> Patient:
        born = next(
            p["birthDate"]
            for p in self.sandbox.store.all(self.name, "Patient")
            if p["name"][0]["given"][0] == given and p["name"][0]["family"] == family
        )
        id_ = featured_id(self.sandbox, given, family, self.name)
        return Patient(id_, family, (given,), dt.date.fromisoformat(born))

    def sofia(self) -> Patient:
        """Maria's daughter, who has a chart of her own."""
        born = dt.date(2017, 6, 8)
        id_ = next(
            p["id"]
            for p in self.sandbox.store.all(self.name, "Patient")
            if p["name"][0]["family"] == "García-López" and p["birthDate"] == born.isoformat()
        )
        return Patient(id_, "García-López", ("Sofía",), born)

    def connector(self, transport: httpx.AsyncBaseTransport) -> EpicConnector:
        """A connector over `transport` (wrapping the sandbox), with the tenant's auth."""
        base = str(self.services.http.base_url)
        http = httpx.AsyncClient(
            base_url=base,
            auth=self.services.http.auth,
            transport=transport,
            headers={"Accept": "application/fhir+json"},
        )
        return EpicConnector(
            http,
            root=base.removesuffix("/").removesuffix("/api/FHIR/R4"),
            visit_types=(),
            clock=lambda: dt.datetime.combine(TODAY, dt.time(15), dt.UTC),
        )

    def communications(self) -> list[Json]:
        return self.sandbox.store.all(self.name, "Communication")


def _org(runtime: Runtime, sandbox: Sandbox, name: str) -> Org:
    services = next(t for t in runtime.tenants if t.sandbox_space == name)
    return Org(sandbox, services, name)


@pytest.fixture
def river(runtime: Runtime, sandbox: Sandbox) -> Org:
    return _org(runtime, sandbox, RIVER)


@pytest.fixture
def lake(runtime: Runtime, sandbox: Sandbox) -> Org:
    return _org(runtime, sandbox, LAKE)


class Recording(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox, noting them; `hold` keeps matching requests open a while.

    `lose` (a path fragment) drops the answer of the first such request after it was served;
    `refuse` fails the first such request before it reaches the sandbox.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        hold: Callable[[httpx.Request], bool] = lambda r: False,
        lose: str | None = None,
        refuse: str | None = None,
    ) -> None:
        self._inner = httpx.ASGITransport(app=sandbox.app)
        self.hold = hold
        self.lose = lose
        self.refuse = refuse
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.most_held = 0
        self._held = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.refuse and self.refuse in request.url.path:
            self.refuse = None
            raise httpx.ConnectError("refused", request=request)
        held = self.hold(request)
        if held:
            self._held += 1
            self.most_held = max(self.most_held, self._held)
            await asyncio.sleep(0.05)
        try:
            response = await self._inner.handle_async_request(request)
        finally:
            if held:
                self._held -= 1
        if self.lose and self.lose in request.url.path:
            self.lose = None
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response

    def paths(self, fragment: str) -> list[str]:
        return [r.url.path for r in self.requests if fragment in r.url.path]


# -- capabilities ------------------------------------------------------------------------------


def test_only_epic_offers_refills() -> None:
    """Epic lists REFILLS; ModMed and generic FHIR do not."""
    assert Capability.REFILLS in EpicConnector.capabilities
    assert Capability.REFILLS not in ModMedConnector.capabilities
    assert Capability.REFILLS not in GenericFhirConnector.capabilities


async def test_modmed_and_generic_answer_unsupported() -> None:
    """Every refill method of the other connectors raises Unsupported, without a request."""

    def no_calls(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected request {request.url}")

    async with httpx.AsyncClient(
        base_url="https://ehr.example/fhir/", transport=httpx.MockTransport(no_calls)
    ) as http:
        patient = Patient("p1", "Doe", ("Jane",), dt.date(1980, 1, 2))
        medication = Medication("m1", "lisinopril 10 mg tablet")
        request = RefillRequest(patient, medication, None)
        clients: list[EhrClient] = [ModMedConnector(http), GenericFhirConnector(http)]
        for client in clients:
            with pytest.raises(Unsupported):
                await client.related_persons("p1")
            with pytest.raises(Unsupported):
                await client.medications("p1")
            with pytest.raises(Unsupported):
                await client.last_visit("p1", dt.date(2026, 1, 1))
            with pytest.raises(Unsupported):
                await client.request_refill(request)


def test_refill_operations_are_catalogued() -> None:
    """Reads are Standard and included; filing the request is a per-use private write."""
    for name in (
        "epic.medicationrequest.search",
        "epic.medicationdispense.search",
        "epic.medication.read",
        "epic.organization.read",
        "epic.relatedperson.search",
        "epic.encounter.search",
        "epic.communication.search",
    ):
        entry = operation(name)
        assert (entry.tier, entry.pricing, entry.access) == ("Standard", "Included", "read")
    filed = operation("epic.receive_communication")
    assert (filed.tier, filed.pricing, filed.access) == ("Private", "Per-Use", "write")


# -- reads -------------------------------------------------------------------------------------


async def test_medications_with_refills_remaining(river: Org) -> None:
    """Maria's active prescriptions, by name, with refills left, last fill and pharmacy."""
    maria = river.patient("Maria", "García-López")
    meds = await river.ehr.medications(maria.id)
    assert [(m.name, m.refills_allowed, m.refills_remaining) for m in meds] == [
        ("atorvastatin 20 mg tablet", 3, 3),
        ("lisinopril 10 mg tablet", 3, 2),
        ("sertraline 50 mg tablet", 2, 0),
    ]
    lisinopril = meds[1]
    assert lisinopril.rxnorm == "314076"
    assert not lisinopril.controlled
    assert lisinopril.schedule is None
    assert lisinopril.instructions == "Take 1 tablet (10 mg total) by mouth daily."
    assert lisinopril.prescriber_name == "Anna Nowak, MD"
    assert lisinopril.last_filled == visit_day(5)
    assert lisinopril.expires is not None
    assert lisinopril.expires > ANCHOR
    assert lisinopril.pharmacy == Pharmacy(
        lisinopril.pharmacy.id if lisinopril.pharmacy else None,
        "Walgreens #3217",
        "708-555-0291",
        "1101 Lake St, Oak Park, IL 60301",
    )
    assert lisinopril.pharmacy is not None
    assert lisinopril.pharmacy.display == "Walgreens #3217, 1101 Lake St"


async def test_controlled_substances_are_flagged(river: Org, lake: Org) -> None:
    """Tramadol and alprazolam carry schedule IV; their companions are not controlled."""
    sean = await river.ehr.medications(river.patient("Sean", "O'Brien").id)
    assert [(m.name, m.controlled, m.schedule) for m in sean] == [
        ("cyclobenzaprine 10 mg tablet", False, None),
        ("tramadol 50 mg tablet", True, "IV"),
    ]
    wei = await river.ehr.medications(river.patient("Wei", "Zhang").id)
    assert {m.name: m.schedule for m in wei} == {
        "alprazolam 0.25 mg tablet": "IV",
        "clopidogrel 75 mg tablet": None,
        "metoprolol succinate 50 mg extended-release tablet": None,
    }
    anh = await lake.ehr.medications(lake.patient("Anh", "Nguyen").id)
    assert {m.name: m.controlled for m in anh} == {
        "meloxicam 15 mg tablet": False,
        "tramadol 50 mg tablet": True,
    }


async def test_no_active_prescriptions(river: Org) -> None:
    """Chloé's only prescription is a finished course: nothing to refill, two searches made."""
    transport = Recording(river.sandbox)
    ehr = river.connector(transport)
    assert await ehr.medications(river.patient("Chloé", "Dubois-Martin").id) == []
    assert transport.paths("/Medication") == [
        "/epic/riverside/api/FHIR/R4/MedicationRequest",
        "/epic/riverside/api/FHIR/R4/MedicationDispense",
    ]


async def test_prescriptions_and_fills_are_read_at_once(river: Org) -> None:
    """The MedicationRequest and MedicationDispense searches are in flight together."""

    def search(request: httpx.Request) -> bool:
        return request.url.path.endswith(("/MedicationRequest", "/MedicationDispense"))

    transport = Recording(river.sandbox, hold=search)
    ehr = river.connector(transport)
    meds = await ehr.medications(river.patient("Maria", "García-López").id)
    assert len(meds) == 3
    assert transport.most_held == 2
    drugs = transport.paths("/Medication/")
    stores = transport.paths("/Organization/")
    assert (len(drugs), len(stores)) == (3, 1)


async def test_related_persons(river: Org) -> None:
    """Sofía's parents; José's wife, and his son whose authorization ended (inactive, last)."""
    sofia = river.sofia().id
    parents = await river.ehr.related_persons(sofia)
    assert sorted((p.display, p.relationship, p.relationship_text, p.active) for p in parents) == [
        ("Carlos García", "FTH", "father", True),
        ("Maria García-López", "MTH", "mother", True),
    ]
    mother = next(p for p in parents if p.relationship == "MTH")
    assert mother.patient_id == sofia
    assert mother.phones == ("561-555-0123",)
    assert mother.first_name == "Maria"
    jose = river.patient("José", "Hernández")
    family = await river.ehr.related_persons(jose.id)
    assert [(p.display, p.relationship, p.active) for p in family] == [
        ("Rosa Hernández", "SPS", True),
        ("Miguel Hernández", "SON", False),
    ]
    assert family[1].until == ANCHOR - dt.timedelta(days=400)


async def test_last_visit_lookback(river: Org) -> None:
    """Maria was seen 95 days ago; José not within the year (480 days ago)."""
    year_ago = ANCHOR - dt.timedelta(days=365)
    maria = river.patient("Maria", "García-López")
    assert await river.ehr.last_visit(maria.id, year_ago) == visit_day(95)
    jose = river.patient("José", "Hernández")
    assert await river.ehr.last_visit(jose.id, year_ago) is None
    assert await river.ehr.last_visit(jose.id, ANCHOR - dt.timedelta(days=600)) == visit_day(480)


# -- the request -------------------------------------------------------------------------------


async def test_request_refill_files_one_communication(river: Org) -> None:
    """The request lands in the refill pool about the order and pharmacy; a replay reuses it."""
    maria = river.patient("Maria", "García-López")
    lisinopril = next(m for m in await river.ehr.medications(maria.id) if "lisinopril" in m.name)
    request = RefillRequest(
        maria,
        lisinopril,
        lisinopril.pharmacy,
        note="Out in three days.",
        callback_phone="+15615550123",
        idempotency_key="call-42:lisinopril",
    )
    receipt = await river.ehr.request_refill(request)
    assert receipt.status == "completed"
    assert receipt.sent is not None
    [filed] = river.communications()
    assert filed["id"] == receipt.id
    assert filed["subject"]["reference"] == f"Patient/{maria.id}"
    assert filed["recipient"][0]["identifier"]["value"] == "RXREFILL"
    assert lisinopril.pharmacy is not None
    assert [a["reference"] for a in filed["about"]] == [
        f"MedicationRequest/{lisinopril.id}",
        f"Organization/{lisinopril.pharmacy.id}",
    ]
    text = filed["payload"][0]["contentString"]
    assert "lisinopril 10 mg tablet" in text
    assert "Walgreens #3217" in text
    assert "Requested by the patient." in text
    assert "Out in three days." in text
    assert await river.ehr.request_refill(request) == receipt
    assert len(river.communications()) == 1


async def test_a_representative_requests_for_a_child(river: Org) -> None:
    """Maria asks for Sofía's inhaler: she is the sender and named in the note."""
    sofia = river.sofia()
    mother = next(p for p in await river.ehr.related_persons(sofia.id) if p.relationship == "MTH")
    inhaler = next(m for m in await river.ehr.medications(sofia.id) if "albuterol" in m.name)
    assert inhaler.refills_remaining == 1
    receipt = await river.ehr.request_refill(
        RefillRequest(sofia, inhaler, inhaler.pharmacy, requested_by=mother, idempotency_key="k1")
    )
    [filed] = river.communications()
    assert filed["id"] == receipt.id
    assert filed["sender"]["reference"] == f"RelatedPerson/{mother.id}"
    assert "Requested by Maria García-López (mother" in filed["payload"][0]["contentString"]


async def test_a_lost_answer_is_looked_up_not_filed_twice(river: Org) -> None:
    """The request landed but its answer was lost: found by its key, never sent again."""
    transport = Recording(river.sandbox, lose=REFILL_PATH)
    ehr = river.connector(transport)
    maria = river.patient("Maria", "García-López")
    atorvastatin = next(m for m in await ehr.medications(maria.id) if "atorvastatin" in m.name)
    receipt = await ehr.request_refill(
        RefillRequest(maria, atorvastatin, atorvastatin.pharmacy, idempotency_key="call-7:rx")
    )
    [filed] = river.communications()
    assert receipt.id == filed["id"]
    assert len(transport.paths(REFILL_PATH)) == 1
    assert len(transport.paths("/Communication")) == 1


async def test_a_request_that_never_arrived_is_sent_again(river: Org) -> None:
    """Nothing landed (connection refused): looked up, then sent once more with the same key."""
    transport = Recording(river.sandbox, refuse=REFILL_PATH)
    ehr = river.connector(transport)
    maria = river.patient("Maria", "García-López")
    atorvastatin = next(m for m in await ehr.medications(maria.id) if "atorvastatin" in m.name)
    receipt = await ehr.request_refill(RefillRequest(maria, atorvastatin, None))
    [filed] = river.communications()
    assert receipt.id == filed["id"]
    assert len(transport.paths(REFILL_PATH)) == 2
    assert "use the pharmacy on file" in filed["payload"][0]["contentString"]


async def test_refused_requests_send_nothing(river: Org) -> None:
    """A controlled substance, or an inactive representative, is refused before any request."""
    transport = Recording(river.sandbox)
    ehr = river.connector(transport)
    sean = river.patient("Sean", "O'Brien")
    tramadol = next(m for m in await ehr.medications(sean.id) if m.controlled)
    with pytest.raises(InvalidRequest, match="controlled substance"):
        await ehr.request_refill(RefillRequest(sean, tramadol, tramadol.pharmacy))
    jose = river.patient("José", "Hernández")
    son = next(p for p in await ehr.related_persons(jose.id) if not p.active)
    metformin = next(m for m in await ehr.medications(jose.id) if "metformin" in m.name)
    with pytest.raises(InvalidRequest, match="not authorized"):
        await ehr.request_refill(RefillRequest(jose, metformin, None, requested_by=son))
    assert transport.paths(REFILL_PATH) == []
    assert river.communications() == []


# -- pure functions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "schedule"),
    [
        ("oxyCODONE-acetaminophen (PERCOCET) 5-325 MG per tablet", "II"),
        ("Adderall XR 20 MG capsule", "II"),
        ("dextroamphetamine-amphetamine 10 MG tablet", "II"),
        ("lisdexamfetamine (VYVANSE) 30 MG capsule", "II"),
        ("methylphenidate ER (CONCERTA) 36 MG tablet", "II"),
        ("fentaNYL 25 mcg/hr patch", "II"),
        ("HYDROcodone-acetaminophen (NORCO) 5-325 MG tablet", "II"),
        ("acetaminophen-codeine (TYLENOL #3) 300-30 MG tablet", "II"),
        ("buprenorphine-naloxone (SUBOXONE) 8-2 MG film", "III"),
        ("testosterone cypionate 200 MG/ML injection", "III"),
        ("ALPRAZolam (XANAX) 0.25 MG tablet", "IV"),
        ("LORazepam (ATIVAN) 1 MG tablet", "IV"),
        ("clonazePAM (KLONOPIN) 0.5 MG tablet", "IV"),
        ("diazePAM (VALIUM) 5 MG tablet", "IV"),
        ("zolpidem (AMBIEN) 10 MG tablet", "IV"),
        ("traMADol (ULTRAM) 50 MG tablet", "IV"),
        ("carisoprodol (SOMA) 350 MG tablet", "IV"),
        ("modafinil (PROVIGIL) 200 MG tablet", "IV"),
        ("PHENobarbital 32.4 MG tablet", "IV"),
        ("pregabalin (LYRICA) 75 MG capsule", "V"),
        ("gabapentin (NEURONTIN) 300 MG capsule", "V"),
        ("lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet", None),
        ("apomorphine 30 MG/3ML injection", None),
        ("somatropin 5 MG injection", None),
        ("cyclobenzaprine (FLEXERIL) 10 MG tablet", None),
    ],
)
def test_controlled_table(text: str, schedule: str | None) -> None:
    """Names (generic, brand, tall-man) map to the strictest schedule they match."""
    assert controlled_schedule([text]) == schedule


def test_controlled_by_code_and_strictest_first() -> None:
    """An ingredient code alone flags; several matches sort strictest first."""
    assert controlled_schedule(["Medication 123"], ["7804"]) == "II"
    assert controlled_schedule([], ["29046"]) is None
    names = [row.name for row in controlled_matches(["tramadol", "oxycodone", "gabapentin"])]
    assert names == ["oxycodone", "tramadol", "gabapentin"]


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet", "lisinopril 10 mg tablet"),
        ("lisinopril 10 MG Oral Tablet", "lisinopril 10 mg tablet"),
        ("metFORMIN (GLUCOPHAGE) 500 MG tablet", "metformin 500 mg tablet"),
        ("albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "albuterol 0.09 mg/puff inhaler"),
        (
            "24 HR metoprolol succinate 50 MG Extended Release Oral Tablet",
            "metoprolol succinate 50 mg extended-release tablet",
        ),
        ("Adderall XR 20 MG capsule", "adderall XR 20 mg capsule"),
    ],
)
def test_spoken_name(text: str, spoken: str) -> None:
    """Brands in parentheses, units and tall-man lettering become what a person says."""
    assert spoken_name(text) == spoken


@pytest.mark.parametrize(
    ("allowed", "fills", "left"),
    [(3, 0, 3), (3, 1, 3), (3, 2, 2), (3, 4, 0), (3, 9, 0), (0, 1, 0), (None, 2, None)],
)
def test_refills_remaining(allowed: int | None, fills: int, left: int | None) -> None:
    """The first fill is the original; later fills use refills; never below zero."""
    assert refills_remaining(allowed, fills) == left


def test_a_related_person_whose_period_ended_is_inactive() -> None:
    """`active: true` with a period that ended before today still reads inactive."""
    resource = {
        "resourceType": "RelatedPerson",
        "id": "rp1",
        "active": True,
        "patient": {"reference": "Patient/p1"},
        "relationship": [{"coding": [{"code": "GUARD", "display": "guardian"}]}],
        "name": [{"family": "Doe", "given": ["Sam"]}],
        "period": {"end": "2026-01-31"},
    }
    ended = related_person_from_fhir(resource, dt.date(2026, 2, 1))
    assert (ended.active, ended.relationship, ended.relationship_text) == (
        False,
        "GUARD",
        "guardian",
    )
    assert related_person_from_fhir(resource, dt.date(2026, 1, 31)).active
    assert isinstance(ended, RelatedPerson)


def test_only_finished_office_visits_count() -> None:
    """Planned, cancelled, inpatient and too-old encounters are not a visit."""

    def encounter(status: str, kind: str, start: str) -> Json:
        return {"status": status, "class": {"code": kind}, "period": {"start": start}}

    since = dt.date(2026, 1, 1)
    found = [
        encounter("finished", "IMP", "2026-06-01T15:00:00Z"),
        encounter("planned", "AMB", "2026-07-01T15:00:00Z"),
        encounter("cancelled", "AMB", "2026-05-01T15:00:00Z"),
        encounter("finished", "AMB", "2025-12-01T15:00:00Z"),
        encounter("finished", "VR", "2026-03-02T15:00:00Z"),
    ]
    assert last_visit_from_encounters(found, since) == dt.date(2026, 3, 2)
    assert last_visit_from_encounters(found[:4], since) is None
