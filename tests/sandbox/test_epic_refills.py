"""The Epic orgs' refill surface: seeded prescriptions, fills, contacts, ReceiveCommunication3."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from frontdesk.sandbox import create_sandbox
from frontdesk.sandbox._people import is_minor
from tests.sandbox.epic_util import (
    CLIENT_ID,
    LAKE,
    RIVER,
    EpicClinic,
    assertion,
    featured_id,
    jwks,
    key,
    matches,
    outcome_codes,
    token_url,
)
from tests.sandbox.util import ANCHOR, Json, validate

REFILL = "api/epic/2023/Common/Utility/RECEIVECOMMUNICATION3/ReceiveCommunication3"
TYPES = ("MedicationRequest", "MedicationDispense", "Medication", "RelatedPerson")


def sofia_id(epic: EpicClinic) -> str:
    return str(
        next(
            p["id"]
            for p in epic.sandbox.store.all(RIVER, "Patient")
            if p["name"][0]["given"] == ["Sofía"] and p["birthDate"] == "2017-06-08"
        )
    )


def order_of(epic: EpicClinic, patient: str, text: str, org: str = RIVER) -> Json:
    """The patient's MedicationRequest whose display starts with `text`."""
    return next(
        r
        for r in epic.sandbox.store.all(org, "MedicationRequest")
        if r["subject"]["reference"] == f"Patient/{patient}"
        and r["medicationReference"]["display"].startswith(text)
    )


def fills(epic: EpicClinic, order: Json, org: str = RIVER) -> list[Json]:
    return [
        d
        for d in epic.sandbox.store.all(org, "MedicationDispense")
        if d["authorizingPrescription"][0]["reference"] == f"MedicationRequest/{order['id']}"
    ]


def refill_body(patient: str, order: str, **extra: Any) -> Json:
    return {
        "RecipientID": "RXREFILL",
        "RecipientIDType": "External",
        "LookupType": "Patient",
        "LookupID": {"ID": patient, "Type": "FHIR"},
        "ContactType": "Incoming",
        "CommunicationType": "Phone",
        "CallID": "call-1:rx-1",
        "Topic": "Medication Refill",
        "OrderIDs": [{"ID": order, "Type": "FHIR"}],
        "Comments": "Refill request: lisinopril 10 mg tablet.",
        "CallerPhoneNumber": "+15615550123",
        **extra,
    }


# -- the seed ----------------------------------------------------------------------------------


def test_maria_has_refillable_and_exhausted_prescriptions(epic_reader: EpicClinic) -> None:
    """Maria: lisinopril (2 refills left) and atorvastatin (3), sertraline (none), one stopped."""
    maria = featured_id(epic_reader.sandbox, "Maria", "García-López")
    orders = [
        r
        for r in epic_reader.sandbox.store.all(RIVER, "MedicationRequest")
        if r["subject"]["reference"] == f"Patient/{maria}"
    ]
    by_status = sorted((r["status"], r["medicationReference"]["display"]) for r in orders)
    assert by_status == [
        ("active", "atorvastatin (LIPITOR) 20 MG tablet"),
        ("active", "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet"),
        ("active", "sertraline (ZOLOFT) 50 MG tablet"),
        ("completed", "amoxicillin (AMOXIL) 500 MG capsule"),
        ("stopped", "hydroCHLOROthiazide 12.5 MG capsule"),
    ]
    for text, repeats, filled in (("lisinopril", 3, 2), ("atorvastatin", 3, 1),
                                  ("sertraline", 2, 3)):  # fmt: skip
        order = order_of(epic_reader, maria, text)
        assert order["dispenseRequest"]["numberOfRepeatsAllowed"] == repeats
        assert len(fills(epic_reader, order)) == filled
        assert order["dispenseRequest"]["performer"]["display"] == "Walgreens #3217"
    last = max(d["whenHandedOver"] for d in fills(epic_reader, order_of(epic_reader, maria, "lis")))
    assert dt.datetime.fromisoformat(last).date() < ANCHOR


def test_controlled_substances_and_family(epic_reader: EpicClinic) -> None:
    """Sean and Wei have schedule IV drugs; Wei's daughter and Maria's husband are on file."""
    sandbox = epic_reader.sandbox
    sean = featured_id(sandbox, "Sean", "O'Brien")
    wei = featured_id(sandbox, "Wei", "Zhang")
    assert order_of(epic_reader, sean, "traMADol")["status"] == "active"
    assert order_of(epic_reader, wei, "ALPRAZolam")["status"] == "active"
    people = {
        (r["patient"]["reference"], r["name"][0]["text"], r["relationship"][0]["coding"][0]["code"])
        for r in sandbox.store.all(RIVER, "RelatedPerson")
    }
    maria = featured_id(sandbox, "Maria", "García-López")
    assert (f"Patient/{wei}", "Lily Zhang", "DAU") in people
    assert (f"Patient/{maria}", "Carlos García", "SPS") in people


def test_sofia_is_marias_daughter(epic_reader: EpicClinic) -> None:
    """Sofía (born 2017-06-08) has her own chart, a recent visit, two meds and both parents."""
    sandbox = epic_reader.sandbox
    sofia = sofia_id(epic_reader)
    chart = sandbox.store.get(RIVER, "Patient", sofia)
    assert chart is not None
    assert is_minor(chart)
    parents = sorted(
        (r["name"][0]["text"], r["relationship"][0]["coding"][0]["code"], r["telecom"][0]["value"])
        for r in sandbox.store.all(RIVER, "RelatedPerson")
        if r["patient"]["reference"] == f"Patient/{sofia}"
    )
    assert parents == [("Carlos García", "FTH", "561-555-0180"),
                       ("Maria García-López", "MTH", "561-555-0123")]  # fmt: skip
    visits = [
        e
        for e in sandbox.store.all(RIVER, "Encounter")
        if e["subject"]["reference"] == f"Patient/{sofia}"
    ]
    assert [v["status"] for v in visits] == ["finished"]
    drugs = {
        r["medicationReference"]["display"].split(" ")[0]
        for r in sandbox.store.all(RIVER, "MedicationRequest")
        if r["subject"]["reference"] == f"Patient/{sofia}"
    }
    assert drugs == {"albuterol", "montelukast"}
    assert sofia not in {p["id"] for p in sandbox.store.all(LAKE, "Patient")}


def test_jose_has_no_visit_within_a_year(epic_reader: EpicClinic) -> None:
    """José's prescriptions are active but his last visit is more than 12 months old."""
    sandbox = epic_reader.sandbox
    for org in (RIVER, LAKE):
        jose = featured_id(sandbox, "José", "Hernández", org)
        starts = [
            dt.datetime.fromisoformat(e["period"]["start"]).date()
            for e in sandbox.store.all(org, "Encounter")
            if e["subject"]["reference"] == f"Patient/{jose}"
        ]
        assert starts
        assert max(starts) < ANCHOR - dt.timedelta(days=365)
        active = [
            r
            for r in sandbox.store.all(org, "MedicationRequest")
            if r["subject"]["reference"] == f"Patient/{jose}" and r["status"] == "active"
        ]
        assert active
        inactive = [
            r
            for r in sandbox.store.all(org, "RelatedPerson")
            if r["patient"]["reference"] == f"Patient/{jose}" and not r["active"]
        ]
        assert [r["name"][0]["text"] for r in inactive] == ["Miguel Hernández"]
        assert inactive[0]["period"]["end"] < ANCHOR.isoformat()


def test_drawn_charts_have_parents_and_prescriptions(epic_reader: EpicClinic) -> None:
    """Most children have a parent on file; many adults take something; fills never postdate."""
    store = epic_reader.sandbox.store
    for org in (RIVER, LAKE):
        children = [p for p in store.all(org, "Patient") if is_minor(p)]
        with_parent = {
            r["patient"]["reference"]
            for r in store.all(org, "RelatedPerson")
            if r["relationship"][0]["coding"][0]["code"] in ("MTH", "FTH", "GUARD")
        }
        assert sum(f"Patient/{c['id']}" in with_parent for c in children) > 0.8 * len(children)
        assert len(store.all(org, "MedicationRequest")) > 150
        handed = [dt.datetime.fromisoformat(d["whenHandedOver"]).date()
                  for d in store.all(org, "MedicationDispense")]  # fmt: skip
        assert max(handed) < ANCHOR
        pharmacies = [
            o for o in store.all(org, "Organization") if o["type"][0].get("text") == "Pharmacy"
        ]
        assert len(pharmacies) >= 3


def test_the_seed_is_deterministic() -> None:
    """The same anchor gives byte-identical prescriptions, fills and contacts."""
    one, two = create_sandbox((), anchor=ANCHOR), create_sandbox((), anchor=ANCHOR)
    for type_ in (*TYPES, "Organization", "Patient"):
        assert one.store.all(RIVER, type_) == two.store.all(RIVER, type_)


# -- search and read ---------------------------------------------------------------------------


async def test_medication_request_search(epic: EpicClinic) -> None:
    """By patient and status, Epic's 4111 without a patient, 4101 when nothing matches."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    active = await epic.get("R4/MedicationRequest", {"patient": maria, "status": "active"})
    assert len(matches(active)) == 3
    stopped = await epic.get("R4/MedicationRequest", {"patient": maria, "status": "stopped"})
    assert [r["medicationReference"]["display"] for r in matches(stopped)] == [
        "hydroCHLOROthiazide 12.5 MG capsule"
    ]
    community = await epic.get(
        "R4/MedicationRequest", {"subject": f"Patient/{maria}", "category": "community"}
    )
    assert len(matches(community)) == 5
    missing = await epic.get("R4/MedicationRequest", {"status": "active"}, expect=400)
    assert outcome_codes(missing) == ["4111"]
    nobody = await epic.get("R4/MedicationRequest", {"patient": "eNobody3"})
    assert outcome_codes(nobody) == ["4101"]
    assert nobody["total"] == 0
    unknown = await epic.get("R4/MedicationRequest", {"patient": maria, "color": "x"}, expect=400)
    assert outcome_codes(unknown) == ["4100"]


async def test_dispense_related_person_medication_and_pharmacy_reads(epic: EpicClinic) -> None:
    """Fills by patient or prescription, contacts by patient, the drug and pharmacy by id."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    order = order_of(epic, maria, "sertraline")
    by_patient = await epic.get("R4/MedicationDispense", {"patient": maria})
    by_order = await epic.get(
        "R4/MedicationDispense", {"patient": maria, "prescription": order["id"]}
    )
    assert len(matches(by_order)) == 3 < len(matches(by_patient))
    assert [d["type"]["coding"][0]["code"] for d in matches(by_order)] == ["FF", "RF", "RF"]
    people = await epic.get("R4/RelatedPerson", {"patient": maria})
    assert [p["name"][0]["text"] for p in matches(people)] == ["Carlos García"]
    drug_id = order["medicationReference"]["reference"].split("/")[1]
    drug = await epic.get(f"R4/Medication/{drug_id}")
    assert drug["ingredient"][0]["itemCodeableConcept"]["coding"][0]["code"] == "36437"
    store = order["dispenseRequest"]["performer"]["reference"]
    pharmacy = await epic.get(f"R4/{store}")
    assert pharmacy["name"] == "Walgreens #3217"
    assert pharmacy["telecom"][0]["value"] == "708-555-0291"
    assert (await epic.get("R4/RelatedPerson", None, expect=400))["resourceType"] == (
        "OperationOutcome"
    )


async def test_metadata_and_scope_name_the_refill_apis(epic: EpicClinic) -> None:
    """The CapabilityStatement serves the new types; the token grants their APIs."""
    statement = (await epic.http.get(f"{epic.r4()}/metadata")).json()
    served = {r["type"]: [i["code"] for i in r["interaction"]]
              for r in statement["rest"][0]["resource"]}  # fmt: skip
    for type_ in ("MedicationRequest", "MedicationDispense", "RelatedPerson", "Communication"):
        assert served[type_] == ["read", "search-type"]
    assert served["Medication"] == ["read"]
    epic.sandbox.register_client(RIVER, CLIENT_ID, jwks(key("k1")))
    token = await epic.request_token(assertion(key("k1"), token_url(), epic.clock()))
    granted = token.json()["scope"].split()
    wanted = {
        "MedicationRequest.Search",
        "MedicationDispense.Search",
        "RelatedPerson.Search",
        "Communication.Search",
        "Medication.Read",
        "ReceiveCommunication3",
    }
    assert wanted <= set(granted)


# -- ReceiveCommunication3 ---------------------------------------------------------------------


async def test_receive_communication_files_a_refill_request(epic: EpicClinic) -> None:
    """The request becomes a Communication about the order and pharmacy, to the refill pool."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    order = order_of(epic, maria, "lisinopril")
    store = order["dispenseRequest"]["performer"]["reference"].split("/")[1]
    body = refill_body(maria, order["id"], PharmacyID={"ID": store, "Type": "FHIR"})
    answer = (await epic.post(REFILL, body)).json()
    assert answer["EpicCallID"] == "call-1:rx-1"
    assert answer["Status"] == "completed"
    stored = epic.sandbox.store.get(RIVER, "Communication", answer["CommunicationID"])
    assert stored is not None
    assert stored["subject"]["reference"] == f"Patient/{maria}"
    assert [a["reference"] for a in stored["about"]] == [
        f"MedicationRequest/{order['id']}",
        f"Organization/{store}",
    ]
    assert stored["recipient"][0]["display"] == "Riverside Health Rx Refill Pool"
    assert stored["category"][0]["coding"][0]["code"] == "refill"
    assert stored["sender"]["reference"] == f"Patient/{maria}"
    assert "lisinopril" in stored["payload"][0]["contentString"]
    read = await epic.get(f"R4/Communication/{answer['CommunicationID']}")
    assert read["id"] == answer["CommunicationID"]
    found = await epic.get("R4/Communication", {"patient": maria, "identifier": "call-1:rx-1"})
    assert [c["id"] for c in matches(found)] == [answer["CommunicationID"]]
    inspected = (
        await epic.http.get(f"/sandbox/fhir/{RIVER}/Communication", params={"patient": maria})
    ).json()
    assert inspected["total"] == 1
    validate(read)
    validate(found)


async def test_a_replayed_call_id_files_nothing_new(epic: EpicClinic) -> None:
    """The same CallID for the same patient answers the first request; for another, 400."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    order = order_of(epic, maria, "lisinopril")
    first = (await epic.post(REFILL, refill_body(maria, order["id"]))).json()
    again = (await epic.post(REFILL, refill_body(maria, order["id"]))).json()
    assert again == first
    assert epic.sandbox.store.spaces[RIVER].count("Communication") == 1
    wei = featured_id(epic.sandbox, "Wei", "Zhang")
    other = order_of(epic, wei, "metoprolol")
    refused = await epic.post(REFILL, refill_body(wei, other["id"]), expect=400)
    assert refused.json()["ErrorCode"] == "DUPLICATE-CALL-ID"


async def test_a_representative_files_for_a_child(epic: EpicClinic) -> None:
    """Maria, on Sofía's chart as her mother, is the sender of Sofía's request."""
    sofia = sofia_id(epic)
    order = order_of(epic, sofia, "albuterol")
    mother = next(
        r
        for r in epic.sandbox.store.all(RIVER, "RelatedPerson")
        if r["patient"]["reference"] == f"Patient/{sofia}"
        and r["relationship"][0]["coding"][0]["code"] == "MTH"
    )
    body = refill_body(sofia, order["id"], CallerRelatedPersonID={"ID": mother["id"]})
    answer = (await epic.post(REFILL, body)).json()
    stored = epic.sandbox.store.get(RIVER, "Communication", answer["CommunicationID"])
    assert stored is not None
    assert stored["sender"] == {
        "reference": f"RelatedPerson/{mother['id']}",
        "display": "Maria García-López",
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"RecipientID": "NOBODY"}, "INVALID-RECIPIENT"),
        ({"RecipientID": None}, "INVALID-REQUEST"),
        ({"CallID": ""}, "INVALID-REQUEST"),
        ({"LookupID": {"ID": "eNobody3", "Type": "FHIR"}}, "INVALID-ID"),
        ({"LookupID": {"ID": "203713", "Type": "MRN"}}, "INVALID-ID-TYPE"),
        ({"OrderIDs": [{"ID": "eNoOrder3", "Type": "FHIR"}]}, "INVALID-ID"),
        ({"PharmacyID": {"ID": "eNoStore3", "Type": "FHIR"}}, "INVALID-ID"),
        ("stopped", "INVALID-ORDER"),
        ("someone else's", "INVALID-ORDER"),
        ("inactive son", "INVALID-RELATED-PERSON"),
    ],
)
async def test_receive_communication_refusals(
    epic: EpicClinic, change: Json | str, code: str
) -> None:
    """Refused with 400 and Epic's ErrorCode; nothing is filed."""
    sandbox = epic.sandbox
    jose = featured_id(sandbox, "José", "Hernández")
    body = refill_body(jose, order_of(epic, jose, "metFORMIN")["id"])
    if change == "stopped":
        maria = featured_id(sandbox, "Maria", "García-López")
        body = refill_body(maria, order_of(epic, maria, "hydroCHLOROthiazide")["id"])
    elif change == "someone else's":
        maria = featured_id(sandbox, "Maria", "García-López")
        body["OrderIDs"] = [{"ID": order_of(epic, maria, "lisinopril")["id"], "Type": "FHIR"}]
    elif change == "inactive son":
        son = next(
            r
            for r in sandbox.store.all(RIVER, "RelatedPerson")
            if r["patient"]["reference"] == f"Patient/{jose}" and not r["active"]
        )
        body["CallerRelatedPersonID"] = {"ID": son["id"], "Type": "FHIR"}
    else:
        assert isinstance(change, dict)
        body = {k: v for k, v in {**body, **change}.items() if v is not None}
    response = await epic.post(REFILL, body, expect=400)
    assert response.json()["ErrorCode"] == code
    assert sandbox.store.spaces[RIVER].count("Communication") == 0


async def test_receive_communication_needs_a_token(epic: EpicClinic) -> None:
    """Without a bearer token the private service answers 401, as the others do."""
    response = await epic.http.post(f"/epic/{RIVER}/{REFILL}", json={})
    assert response.status_code == 401
    assert response.json() == {"Message": "Authorization has been denied for this request."}


# -- validity ----------------------------------------------------------------------------------


@pytest.mark.parametrize("org", [RIVER, LAKE])
@pytest.mark.parametrize("type_", TYPES)
async def test_every_seeded_refill_resource_validates(
    epic_reader: EpicClinic, org: str, type_: str
) -> None:
    """Every seeded prescription, fill, drug and contact is valid R4B."""
    response = await epic_reader.http.get(f"/sandbox/fhir/{org}/{type_}")
    bundle = response.json()
    assert bundle["total"] == epic_reader.sandbox.store.spaces[org].count(type_) > 0
    validate(bundle)


async def test_refill_searches_validate(epic_reader: EpicClinic) -> None:
    """Search Bundles of every refill type (and the pharmacies) are valid R4B."""
    maria = featured_id(epic_reader.sandbox, "Maria", "García-López", LAKE)
    for type_ in ("MedicationRequest", "MedicationDispense", "RelatedPerson", "Communication"):
        validate(await epic_reader.get(f"R4/{type_}", {"patient": maria}, org=LAKE))
    organizations = await epic_reader.http.get(f"/sandbox/fhir/{LAKE}/Organization")
    validate(organizations.json())


async def test_inspection_searches_refill_types(epic_reader: EpicClinic) -> None:
    """The inspection surface searches the new types by patient and status."""
    maria = featured_id(epic_reader.sandbox, "Maria", "García-López")
    http: httpx.AsyncClient = epic_reader.http
    for type_, params, count in [
        ("MedicationRequest", {"patient": maria, "status": "active"}, 3),
        ("MedicationDispense", {"patient": maria, "status": "completed"}, 9),
        ("RelatedPerson", {"patient": maria, "active": "true"}, 1),
    ]:
        bundle = (await http.get(f"/sandbox/fhir/{RIVER}/{type_}", params=params)).json()
        assert bundle["total"] == count, (type_, bundle)
