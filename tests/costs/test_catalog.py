"""The catalog's request/response contracts: present, well-formed, and true to the wire.

The contract tests run the real connectors (Epic, ModMed and pVerify on the embedded sandbox;
the generic connector on a small in-memory FHIR server) behind a transport that notes every
request with the operation it is tagged with, then hold each request against its catalog line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

import frontdesk
from frontdesk.audit import MemoryAuditSink
from frontdesk.auth import MemoryTokenCache, SmartBackendAuth, generate_key
from frontdesk.costs import ApiOperation, catalog
from frontdesk.costs._catalog import parse_catalog
from frontdesk.ehr import (
    BookingRequest,
    Coverage,
    NewPatient,
    Patient,
    PatientQuery,
    RefillRequest,
    SlotQuery,
    VisitType,
)
from frontdesk.ehr.generic import GenericFhirConnector
from frontdesk.eligibility import EligibilityQuery
from frontdesk.golive import run_golive
from frontdesk.metering import EXTENSION, Operation
from frontdesk.runtime import Runtime
from frontdesk.sandbox import Sandbox
from frontdesk.settings import Settings
from frontdesk.tenancy import demo_deployment
from tests.conftest import NOW

JSON = dict[str, Any]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Query parameters a server adds to its own `next` links (never sent by our code first).
PAGING = frozenset({"page", "_offset"})
SRC = Path(frontdesk.__file__).parent
#: Where outbound requests are built and tagged with their operation.
CONNECTORS = ("ehr", "eligibility", "auth")
_QUERY = re.compile(r"[?&]([\w.:-]+)=([^&\s,;)]*)")
_WORD = re.compile(r"[\w$-]+")


# -- reading a contract line -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Contract:
    """A catalog `request` line, taken apart."""

    method: str
    target: str  # the path under the platform's base, or `{placeholder}` for a found URL
    params: Mapping[str, frozenset[str]]  # query parameter -> its fixed values (none: per call)
    body: str  # the text in parentheses after the path: body and headers

    @classmethod
    def of(cls, op: ApiOperation) -> Contract:
        method, _, rest = op.request.partition(" ")
        target = re.split(r"[?\s]", rest, maxsplit=1)[0]
        params: dict[str, set[str]] = {}
        for name, value in _QUERY.findall(rest):
            fixed = params.setdefault(name, set())
            if value and "{" not in value:
                fixed.add(value)
        return cls(
            method=method,
            target=target,
            params={k: frozenset(v) for k, v in params.items()},
            body=rest.partition(" (")[2],
        )

    def matches(self, path: str) -> bool:
        """Whether a URL path is this contract's path under some base (`{x}` is one segment)."""
        if self.target.startswith("{"):
            return True  # a URL learned at run time (the SMART token endpoint)
        parts = re.split(r"\{[^}]*\}", self.target)
        return re.fullmatch(".*" + "[^/]+".join(map(re.escape, parts)), path) is not None


@dataclasses.dataclass(frozen=True, slots=True)
class Sent:
    """One request a connector sent, with the operation it was tagged with."""

    operation: str
    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    form: bool
    body: Any


def sent_of(request: httpx.Request) -> Sent | None:
    op = request.extensions.get(EXTENSION)
    if not isinstance(op, Operation):
        return None
    form = "form-urlencoded" in request.headers.get("content-type", "")
    body: Any = None
    if form:
        body = dict(urllib.parse.parse_qsl(request.content.decode()))
    elif request.content:
        body = json.loads(request.content)
    return Sent(
        op.name,
        request.method,
        request.url.path,
        tuple(request.url.params.multi_items()),
        form,
        body,
    )


def problems(sent: Sent) -> Iterator[str]:
    """How a request differs from what the catalog says its operation sends."""
    op = catalog()[sent.operation]
    contract = Contract.of(op)
    where = f"{sent.operation} sent {sent.method} {sent.path}"
    if sent.method != contract.method:
        yield f"{where}; the catalog says {contract.method}"
    if not contract.matches(sent.path):
        yield f"{where}; the catalog says {contract.target}"
    for name, value in sent.params:
        if name in PAGING:
            continue
        if name not in contract.params:
            yield f"{where} with ?{name}=, which the catalog does not list"
        elif contract.params[name] and value not in contract.params[name]:
            yield f"{where} with {name}={value}; the catalog says {sorted(contract.params[name])}"
    words = set(_WORD.findall(op.request))
    match sent.body:
        case {"resourceType": "Parameters", "parameter": list(parameters)}:
            for name in (str(p.get("name")) for p in parameters):
                if name not in words:
                    yield f"{where} with the parameter {name!r}, which the catalog does not list"
        case {"resourceType": str(kind)}:
            if kind not in words:
                yield f"{where} with a {kind}; the catalog does not name it"
        case dict() if sent.form:
            for key in sent.body:
                if key not in words:
                    yield f"{where} with the form field {key!r}, which the catalog does not list"
        case dict():  # a vendor's private JSON: every field the catalog names is sent
            for name in _WORD.findall(contract.body.partition(";")[0]):
                if name not in sent.body:
                    yield f"{where} without {name!r}, which the catalog says it sends"


class Recorder(httpx.AsyncBaseTransport):
    """Notes every tagged request on its way to `inner`.

    The first answer of each operation in `lose` is dropped after the server acted on it (a
    timeout), so the connector's "did it land?" read-backs run too.
    """

    def __init__(
        self, inner: httpx.AsyncBaseTransport, seen: list[Sent], *, lose: set[str] | None = None
    ) -> None:
        self.inner = inner
        self.seen = seen
        self.lose = lose if lose is not None else set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = sent_of(request)
        if sent is not None:
            self.seen.append(sent)
        response = await self.inner.handle_async_request(request)
        if sent is not None and sent.operation in self.lose:
            self.lose.discard(sent.operation)
            await response.aread()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# -- every line --------------------------------------------------------------------------------


@pytest.mark.parametrize("op", catalog().values(), ids=lambda op: op.name)
def test_every_operation_states_its_contract(op: ApiOperation) -> None:
    """A short single-line request and response; the request is a method and a path."""
    for line in (op.request, op.response):
        assert line.strip() == line
        assert line
        assert "\n" not in line
        assert len(line) <= 140, line
    contract = Contract.of(op)
    assert contract.method in METHODS, op.request
    assert contract.target.startswith(("/", "{")), op.request
    if op.access == "write":
        assert contract.method != "GET", "a write that GETs"


def test_each_platform_speaks_under_its_own_base() -> None:
    """Epic under its org root, ModMed under the firm's `/ema`, pVerify under its API root."""
    bases = {
        "epic.": ("/api/FHIR/R4/", "/api/FHIR/STU3/", "/api/epic/", "/oauth2/token"),
        "modmed.": ("/ema/fhir/v2/", "/ema/ws/oauth2/grant"),
        "pverify.": ("/Token", "/API/"),
    }
    for name, op in catalog().items():
        for prefix, allowed in bases.items():
            if name.startswith(prefix):
                assert Contract.of(op).target.startswith(allowed), op.request


def _source(*parts: str) -> str:
    return "\n".join(p.read_text("utf-8") for part in parts for p in (SRC / part).rglob("*.py"))


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("epic.appointment.find", "ehr/epic/_connector.py"),
        ("epic.appointment.book", "ehr/epic/_connector.py"),
        ("epic.schedule_appointment", "ehr/epic/_connector.py"),
        ("epic.cancel_appointment", "ehr/epic/_connector.py"),
        ("epic.confirmation_response", "ehr/epic/_connector.py"),
        ("epic.patient_lookup", "ehr/epic/_connector.py"),
        ("epic.receive_communication", "ehr/epic/_refills.py"),
        ("modmed.valueset.appointment_type", "ehr/modmed/_connector.py"),
        ("pverify.eligibility_summary", "eligibility/_client.py"),
    ],
)
def test_vendor_paths_are_the_ones_the_connector_builds(name: str, module: str) -> None:
    """The path the catalog names for a vendor service is spelled so in its connector."""
    target = Contract.of(catalog()[name]).target
    path = target.removeprefix("/").removeprefix("ema/fhir/v2/")
    assert path in (SRC / module).read_text("utf-8")


def test_an_operation_no_code_sends_says_so() -> None:
    """Operations no connector tags are marked "not sent"; the others are not."""
    source = _source(*CONNECTORS)
    for name, op in catalog().items():
        platform, _, rest = name.partition(".")
        tagged = f'"{name}"' in source or (
            f'f"{{self._platform}}.{rest}"' in source
            and f'platform="{platform}"' in (SRC / "tenancy" / "_registry.py").read_text("utf-8")
        )
        assert tagged != ("not sent" in op.request), name


# -- the loader --------------------------------------------------------------------------------

ENTRY = """
operations:
  demo.patient.search:
    platform: Demo
    tier: Standard
    pricing: Included
    calls: "1×"
    description: Find a chart
"""


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        ('    request: "GET /Patient?family="\n', "response"),
        ('    response: "Bundle of Patient: id"\n', "request"),
        ('    request: "  "\n    response: "Bundle of Patient: id"\n', "request"),
    ],
)
def test_an_entry_without_its_contract_is_refused_by_name(extra: str, missing: str) -> None:
    """A missing or blank request/response line fails the load, naming the operation."""
    with pytest.raises(ValueError, match=rf"'demo\.patient\.search'.*'{missing}'"):
        parse_catalog(ENTRY + extra)


def test_a_complete_entry_loads_its_contract() -> None:
    """Both lines land on the record, and access still follows the name."""
    text = ENTRY + '    request: "GET /Patient?family="\n    response: "Bundle of Patient: id"\n'
    (op,) = parse_catalog(text).values()
    assert (op.request, op.response, op.access) == (
        "GET /Patient?family=",
        "Bundle of Patient: id",
        "read",
    )


# -- against the wire --------------------------------------------------------------------------

#: Epic, ModMed and pVerify operations the sandbox run below does not reach, and why.
NOT_EXERCISED = {
    "modmed.patient.read",  # catalogued, not sent by any code
}
QUERY = EligibilityQuery(
    payer_code="00001",
    member_id="ACT1001",
    subscriber_first="Ana",
    subscriber_last="Lopez",
    subscriber_birth_date=dt.date(1981, 4, 12),
    provider_npi="1234567893",
    provider_last="Okafor",
    date_of_service=dt.date(2026, 11, 23),
)


async def test_sandbox_requests_keep_their_contracts(sandbox: Sandbox) -> None:
    """Every request Epic, ModMed and pVerify are sent is the one their catalog line states."""
    seen: list[Sent] = []
    lose = {"epic.schedule_appointment", "epic.receive_communication", "modmed.appointment.create"}
    runtime = await Runtime.start(
        Settings(sandbox=False),
        deployment=demo_deployment(),
        sandbox=sandbox,
        audit=MemoryAuditSink(),
        clock=lambda: NOW,
        transport=lambda _: Recorder(httpx.ASGITransport(app=sandbox.app), seen, lose=lose),
    )
    try:
        for tenant in ("riverside", "boca-derm"):
            await run_golive(runtime, tenant, now=NOW)
        river = runtime.tenants.get("riverside")
        assert river is not None
        assert river.eligibility is not None
        ehr = river.ehr
        maria = PatientQuery(family="García-López", given="Maria", birth_date=dt.date(1985, 3, 3))
        (chart,) = await ehr.find_patients(maria)
        await ehr.read_patient(chart.id)
        medications = await ehr.medications(chart.id)
        await ehr.related_persons(chart.id)
        await ehr.last_visit(chart.id, dt.date(2025, 11, 1))
        await ehr.request_refill(RefillRequest(chart, medications[0], None, idempotency_key="k"))
        person = NewPatient("Nora", "Quill", dt.date(1990, 2, 3), "female", phone="5615550123")
        await ehr.lookup_patient(person)
        new = await ehr.create_patient(person)
        await ehr.create_coverage(new, Coverage("", "Aetna", "W123456789"))
        directory = await ehr.directory()
        window = SlotQuery(directory.visit_types[0], NOW, NOW + dt.timedelta(days=14))
        slots = await ehr.find_slots(window)
        await ehr.book(BookingRequest(new, slots[0], new_patient=True))
        await river.eligibility.eligibility(QUERY)
    finally:
        await runtime.aclose()

    assert [p for s in seen for p in problems(s)] == []
    reached = {s.operation for s in seen}
    platforms = tuple(f"{p}." for p in ("epic", "modmed", "pverify"))
    assert {n for n in catalog() if n.startswith(platforms)} - reached == NOT_EXERCISED
    # The read-backs after a lost answer ran, with the date window their contracts name.
    searches = [s for s in seen if s.operation.endswith(".appointment.search")]
    assert {s.operation for s in searches if "date" in dict(s.params)} == {
        "epic.appointment.search",
        "modmed.appointment.search",
    }


# -- the generic connector on a FHIR server in a dict ------------------------------------------

VISIT = {"coding": [{"code": "NP", "display": "New patient visit"}]}


def _slot(id_: str, schedule: str) -> JSON:
    return {
        "resourceType": "Slot",
        "id": id_,
        "schedule": {"reference": f"Schedule/{schedule}"},
        "status": "free",
        "serviceType": [VISIT],
        "start": "2026-11-23T14:00:00Z",
        "end": "2026-11-23T14:30:00Z",
    }


class TinyFhir:
    """A practice in a dict: one provider, two Schedules (the second only found by `_id`)."""

    def __init__(self) -> None:
        resources: list[JSON] = [
            {"resourceType": "Patient", "id": "pat1", "name": [{"family": "Doe"}]},
            {"resourceType": "Practitioner", "id": "p1", "name": [{"family": "Okafor"}]},
            {"resourceType": "Location", "id": "l1", "name": "Main"},
            {"resourceType": "Schedule", "id": "sch1", "actor": [{"reference": "Practitioner/p1"}]},
            {"resourceType": "Schedule", "id": "sch2", "actor": [{"reference": "Location/l1"}]},
            _slot("s1", "sch1"),
            _slot("s2", "sch2"),
        ]
        self.store = {(r["resourceType"], r["id"]): r for r in resources}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        path = request.url.path.removeprefix("/fhir/")
        if path == ".well-known/smart-configuration":
            return httpx.Response(200, json={"token_endpoint": "https://auth.example/token"})
        kind, _, id_ = path.partition("/")
        if request.method in ("POST", "PUT"):
            resource = json.loads(request.content)
            id_ = id_ or f"a{len(self.store)}"
            version = int(self.store.get((kind, id_), {}).get("meta", {}).get("versionId", 0))
            meta = {"versionId": str(version + 1), "lastUpdated": "2026-11-21T15:00:00Z"}
            self.store[kind, id_] = {**resource, "id": id_, "meta": meta}
            return httpx.Response(
                201 if request.method == "POST" else 200, json=self.store[kind, id_]
            )
        if id_:
            return httpx.Response(200, json=self.store[kind, id_])
        params = request.url.params
        found = [r for (k, _), r in self.store.items() if k == kind]
        if kind == "Schedule":
            ids = params["_id"].split(",") if "_id" in params else ["sch1"]
            found = [r for r in found if r["id"] in ids]
        if "schedule" in params:
            found = [r for r in found if r["schedule"]["reference"] in params["schedule"]]
        if "slot" in params:
            found = [r for r in found if {"reference": params["slot"]} in r.get("slot", [])]
        entries = [{"resource": r} for r in found]
        return httpx.Response(200, json={"resourceType": "Bundle", "entry": entries})


async def test_generic_requests_keep_their_contracts() -> None:
    """Every request the generic connector sends is the one its catalog line states."""
    seen: list[Sent] = []
    auth = SmartBackendAuth(
        client_id="frontdesk",
        key=generate_key(),
        fhir_base="https://ehr.example/fhir",
        token_url=None,
        cache=MemoryTokenCache(),
        cache_key="fhir:test",
        platform="fhir",
    )
    async with httpx.AsyncClient(
        base_url="https://ehr.example/fhir/",
        auth=auth,
        transport=Recorder(httpx.MockTransport(TinyFhir()), seen),
    ) as http:
        ehr = GenericFhirConnector(http, clock=lambda: NOW)
        jane = PatientQuery(family="Doe", given="Jane", birth_date=dt.date(1980, 1, 2))
        (chart,) = await ehr.find_patients(dataclasses.replace(jane, phone="+1 561 555 0100"))
        visit = VisitType("NP", "New patient visit", 30)
        week = SlotQuery(visit, NOW, NOW + dt.timedelta(days=7))
        anywhere = await ehr.find_slots(week)  # learns Schedule/sch2 from its Slot
        (slot,) = await ehr.find_slots(dataclasses.replace(week, practitioner_ids=("p1",)))
        assert {s.id for s in anywhere} == {"s1", "s2"}
        patient = Patient(chart.id, "Doe", ("Jane",), dt.date(1980, 1, 2))
        booked = await ehr.book(BookingRequest(patient, slot, idempotency_key="call-1:s1"))
        await ehr.appointments(chart.id)
        await ehr.recent_practitioners(chart.id)
        await ehr.cancel(booked, patient, "contract check")

    assert [p for s in seen for p in problems(s)] == []
    assert {s.operation for s in seen} == {n for n in catalog() if n.startswith("fhir.")}
