"""Epic new-patient intake: EMPI PatientLookup, provisional Patient and Coverage create."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.sandbox.epic_util import (
    RIVER,
    EpicClinic,
    featured_id,
    matches,
    outcome_codes,
    participant,
    ref,
    visit,
    window,
)
from tests.sandbox.util import validate

LOOKUP = "api/epic/2012/EMPI/External/PatientLookup/Patient/Lookup"
PROVISIONAL = {
    "system": "urn:oid:1.2.840.114350.1.13.0.1.7.2.698084",
    "code": "provisional",
    "display": "Provisional — verify at check-in",
}
MRN = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14"

NEW_PERSON: dict[str, Any] = {
    "FirstName": "Priya",
    "LastName": "Ramanathan",
    "DateOfBirth": "1991-08-19",
    "Gender": "female",
    "Phone": "312-555-0199",
    "Email": "priya.r@example.com",
    "Address": {"Street": "12 Elm St", "City": "Chicago", "State": "IL", "Zip": "60614"},
}


def _new_patient(**overrides: Any) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "name": [{"use": "official", "family": "Ramanathan", "given": ["Priya"]}],
        "birthDate": "1991-08-19",
        "gender": "female",
        "telecom": [
            {"system": "phone", "value": "312-555-0199", "use": "mobile"},
            {"system": "email", "value": "priya.r@example.com"},
        ],
        "address": [
            {
                "use": "home",
                "line": ["12 Elm St"],
                "city": "Chicago",
                "state": "IL",
                "postalCode": "60614",
            }
        ],
    }
    patient.update(overrides)
    return {k: v for k, v in patient.items() if v is not None}


def _coverage(patient_id: str, **overrides: Any) -> dict[str, Any]:
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "status": "active",
        "beneficiary": {"reference": f"Patient/{patient_id}"},
        "subscriber": {"reference": f"Patient/{patient_id}"},
        "subscriberId": "W123456789",
        "relationship": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                    "code": "self",
                }
            ]
        },
        "payor": [{"display": "Aetna"}],
        "class": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "group",
                        }
                    ]
                },
                "value": "012345",
            }
        ],
    }
    coverage.update(overrides)
    return {k: v for k, v in coverage.items() if v is not None}


async def _lookup(epic: EpicClinic, body: Any, expect: int = 200) -> dict[str, Any]:
    response = await epic.post(LOOKUP, body, expect=expect)
    found: dict[str, Any] = response.json()
    return found


def _demographics(epic: EpicClinic, patient_id: str) -> dict[str, Any]:
    """A PatientLookup body with a stored chart's exact demographics."""
    chart = epic.sandbox.store.get(RIVER, "Patient", patient_id)
    assert chart is not None
    address = chart["address"][0]
    return {
        "FirstName": chart["name"][0]["given"][0],
        "LastName": chart["name"][0]["family"],
        "DateOfBirth": chart["birthDate"],
        "Gender": chart["gender"],
        "Phone": next(t["value"] for t in chart["telecom"] if t.get("use") == "mobile"),
        "Email": next(t["value"] for t in chart["telecom"] if t["system"] == "email"),
        "Address": {
            "Street": address["line"][0],
            "City": address["city"],
            "State": address["state"],
            "Zip": address["postalCode"],
        },
    }


async def _load_duplicate(epic: EpicClinic, patient_id: str, phone: str) -> str:
    """Load a copy of a chart (same name and birth date, another phone) through inspection."""
    chart = epic.sandbox.store.get(RIVER, "Patient", patient_id)
    assert chart is not None
    duplicate = copy.deepcopy(chart)
    for key in ("id", "meta", "identifier"):
        duplicate.pop(key, None)
    duplicate["telecom"] = [{"system": "phone", "value": phone, "use": "mobile"}]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": duplicate, "request": {"method": "POST", "url": "Patient"}}],
    }
    response = await epic.http.post(f"/sandbox/fhir/{RIVER}", json=bundle)
    assert response.status_code == 200, response.text
    location: str = response.json()["entry"][0]["response"]["location"]
    return location.split("/")[1]


# -- PatientLookup -----------------------------------------------------------------------------


async def test_lookup_definite_for_exact_demographics(epic: EpicClinic) -> None:
    """A featured patient's exact demographics are a Definite match on her chart alone."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    found = await _lookup(epic, _demographics(epic, maria))
    assert found["Disposition"] == "Definite"
    assert [c["PatientID"] for c in found["Candidates"]] == [maria]
    assert found["Candidates"][0]["Score"] == 1.0
    assert set(found["Candidates"][0]) == {"PatientID", "Score"}


async def test_lookup_ambiguous_for_twins_sharing_a_home_phone(epic: EpicClinic) -> None:
    """The twins' home phone makes the sister (last name + birth date + phone) a candidate too."""
    emma = featured_id(epic.sandbox, "Emma", "Johnson")
    olivia = featured_id(epic.sandbox, "Olivia", "Johnson")
    body = {"FirstName": "Emma", "LastName": "Johnson", "DateOfBirth": "2001-05-21",
            "Gender": "female", "Phone": "561-555-0170"}  # fmt: skip
    found = await _lookup(epic, body)
    assert found["Disposition"] == "Ambiguous"
    ids = [c["PatientID"] for c in found["Candidates"]]
    assert ids[:2] == [emma, olivia]
    assert found["Candidates"][1]["Score"] >= 0.55


async def test_lookup_ambiguous_for_two_charts_with_one_name_and_birth_date(
    epic: EpicClinic,
) -> None:
    """A duplicate chart (same name + birth date) makes a name + DOB + new phone Ambiguous."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    body = {"FirstName": "Maria", "LastName": "Garcia-Lopez", "DateOfBirth": "1985-03-03",
            "Gender": "female", "Phone": "(312) 555-0142"}  # fmt: skip
    alone = await _lookup(epic, body)
    assert alone["Disposition"] == "Ambiguous"  # one chart, but its phone contradicts
    assert [c["PatientID"] for c in alone["Candidates"]] == [maria]
    duplicate = await _load_duplicate(epic, maria, "312-555-0142")
    found = await _lookup(epic, body)
    assert found["Disposition"] == "Ambiguous"
    assert {c["PatientID"] for c in found["Candidates"]} == {maria, duplicate}
    exact = await _lookup(epic, _demographics(epic, maria))
    assert exact["Disposition"] == "Ambiguous"  # the duplicate still scores 0.85


async def test_lookup_none_for_a_new_person(epic: EpicClinic) -> None:
    """Someone the org has never seen is None with no candidates."""
    assert await _lookup(epic, NEW_PERSON) == {"Disposition": "None", "Candidates": []}


async def test_lookup_refuses_incomplete_requests(epic: EpicClinic) -> None:
    """Missing FirstName, LastName or DateOfBirth (or a bad date) is 400 INVALID-REQUEST."""
    for missing in ("FirstName", "LastName", "DateOfBirth"):
        body = {k: v for k, v in NEW_PERSON.items() if k != missing}
        found = await _lookup(epic, body, expect=400)
        assert found["ErrorCode"] == "INVALID-REQUEST"
        assert missing in found["Message"]
    bad_date = await _lookup(epic, {**NEW_PERSON, "DateOfBirth": "08/19/1991"}, expect=400)
    assert bad_date["ErrorCode"] == "INVALID-REQUEST"
    assert (await _lookup(epic, [], expect=400))["ErrorCode"] == "INVALID-REQUEST"


async def test_intake_routes_need_a_token(epic: EpicClinic) -> None:
    """Lookup, Patient create and Coverage create all refuse a request without a token."""
    base = epic.sandbox.epic_base_path(RIVER)
    lookup = await epic.http.post(f"{base}/{LOOKUP}", json=NEW_PERSON)
    assert lookup.status_code == 401
    assert "Message" in lookup.json()
    for path, body in (("Patient", _new_patient()), ("Coverage", _coverage("x"))):
        response = await epic.http.post(f"{base}/api/FHIR/R4/{path}", json=body)
        assert response.status_code == 401
        assert response.json()["resourceType"] == "OperationOutcome"
    names = [(r.route, r.status) for r in epic.sandbox.requests]
    assert ("epic.patient_lookup", 401) in names
    assert ("epic.patient.create", 401) in names
    assert ("epic.coverage.create", 401) in names


# -- Patient create ----------------------------------------------------------------------------


async def _create(epic: EpicClinic, body: Any, expect: int = 201) -> httpx.Response:
    return await epic.post("api/FHIR/R4/Patient", body, expect=expect)


async def test_create_provisional_patient(epic: EpicClinic) -> None:
    """A created Patient is tagged provisional, has an MRN, and is read/searched/matched."""
    response = await _create(epic, _new_patient())
    created = response.json()
    id_ = created["id"]
    assert response.headers["location"].endswith(f"/epic/{RIVER}/api/FHIR/R4/Patient/{id_}")
    validate(created)
    assert created["meta"]["tag"] == [PROVISIONAL]
    mrn = next(i for i in created["identifier"] if i["system"] == MRN)
    assert mrn["type"]["text"] == "EPI"
    assert mrn["value"].isdigit()
    seeded = {
        i["value"]
        for p in epic.sandbox.store.all(RIVER, "Patient")
        if p["id"] != id_
        for i in p["identifier"]
        if i["system"] == MRN
    }
    assert mrn["value"] not in seeded
    assert await epic.get(f"R4/Patient/{id_}") == created
    search = await epic.get(
        "R4/Patient", {"given": "Priya", "family": "Ramanathan", "birthdate": "1991-08-19"}
    )
    assert [p["id"] for p in matches(search)] == [id_]
    by_mrn = await epic.get("R4/Patient", {"identifier": f"MRN|{mrn['value']}"})
    assert [p["id"] for p in matches(by_mrn)] == [id_]
    match = await epic.post(
        "api/FHIR/R4/Patient/$match",
        {
            "resourceType": "Parameters",
            "parameter": [{"name": "resource", "resource": _new_patient()}],
        },
    )
    assert matches(match.json())[0]["id"] == id_
    inspected = await epic.http.get(f"/sandbox/fhir/{RIVER}/Patient/{id_}")
    assert inspected.json()["meta"]["tag"] == [PROVISIONAL]
    found = await _lookup(epic, NEW_PERSON)
    assert found["Disposition"] == "Definite"
    assert [c["PatientID"] for c in found["Candidates"]] == [id_]
    second = await _create(epic, _new_patient(name=[{"family": "Okafor", "given": ["Ada"]}]))
    assert second.json()["id"] != id_


async def test_create_patient_validation(epic: EpicClinic) -> None:
    """Name (family + given), birthDate and gender are required; bad values are refused."""
    cases = [
        (_new_patient(name=None), "59108", "Patient.name"),
        (_new_patient(name=[{"family": "Ramanathan"}]), "59108", "Patient.name"),
        (_new_patient(name=[{"given": ["Priya"]}]), "59108", "Patient.name"),
        (_new_patient(birthDate=None), "59108", "Patient.birthDate"),
        (_new_patient(gender=None), "59108", "Patient.gender"),
        (_new_patient(birthDate="19/08/1991"), "59111", "Patient.birthDate"),
        (_new_patient(birthDate="2999-01-01"), "59111", "Patient.birthDate"),
        (_new_patient(gender="F"), "59111", "Patient.gender"),
        ({"resourceType": "Coverage"}, "59105", None),
    ]
    before = epic.sandbox.store.all(RIVER, "Patient")
    for body, code, expression in cases:
        outcome = (await _create(epic, body, expect=400)).json()
        validate(outcome)
        assert outcome_codes(outcome) == [code]
        assert outcome["issue"][0]["severity"] == "fatal"
        if expression:
            assert outcome["issue"][0]["expression"] == [expression]
    assert epic.sandbox.store.all(RIVER, "Patient") == before


# -- Coverage create ---------------------------------------------------------------------------


async def test_create_coverage(epic: EpicClinic) -> None:
    """A created Coverage is provisional, valid R4, and found by `Coverage?patient=`."""
    patient = (await _create(epic, _new_patient())).json()
    response = await epic.post("api/FHIR/R4/Coverage", _coverage(patient["id"]), expect=201)
    coverage = response.json()
    validate(coverage)
    assert response.headers["location"].endswith(f"/api/FHIR/R4/Coverage/{coverage['id']}")
    assert coverage["meta"]["tag"] == [PROVISIONAL]
    assert coverage["beneficiary"] == {
        "reference": f"Patient/{patient['id']}",
        "display": "Priya Ramanathan",
    }
    assert coverage["identifier"][0]["value"] == "W123456789"
    found = await epic.get("R4/Coverage", {"patient": patient["id"]})
    assert [c["id"] for c in matches(found)] == [coverage["id"]]
    assert await epic.get(f"R4/Coverage/{coverage['id']}") == coverage


async def test_create_coverage_validation(epic: EpicClinic) -> None:
    """Missing beneficiary, payor or subscriberId is 400; an unknown patient is 404 59144."""
    maria = featured_id(epic.sandbox, "Maria", "García-López")
    for body, code in (
        (_coverage(maria, beneficiary=None), "59108"),
        (_coverage(maria, payor=None), "59108"),
        (_coverage(maria, payor=[{"reference": "Organization/x"}]), "59108"),
        (_coverage(maria, subscriberId=None), "59108"),
        (_coverage(maria, subscriberId=""), "59108"),
        (_coverage(maria, status="happy"), "59111"),
        (_coverage(maria, beneficiary={"reference": "Practitioner/x"}), "59111"),
    ):
        outcome = (await epic.post("api/FHIR/R4/Coverage", body, expect=400)).json()
        validate(outcome)
        assert outcome_codes(outcome) == [code]
    for body in (
        _coverage("eNobody3"),
        _coverage(maria, subscriber={"reference": "Patient/eNobody3"}),
        _coverage(maria, payor=[{"reference": "Organization/eNobody3", "display": "Aetna"}]),
    ):
        outcome = (await epic.post("api/FHIR/R4/Coverage", body, expect=404)).json()
        assert outcome_codes(outcome) == ["59144"]
        assert outcome["issue"][0]["code"] == "not-found"


# -- the whole new-patient path ----------------------------------------------------------------


async def test_new_patient_path(epic: EpicClinic) -> None:
    """Lookup None → create → coverage → $find → $book: the provisional patient is booked."""
    assert (await _lookup(epic, NEW_PERSON))["Disposition"] == "None"
    patient = (await _create(epic, _new_patient())).json()
    await epic.post("api/FHIR/R4/Coverage", _coverage(patient["id"]), expect=201)
    proposals = matches(
        await epic.find(*window(), visit("1001"), ref("patient", f"Patient/{patient['id']}"))
    )
    assert proposals
    booked = matches((await epic.book(proposals[0]["id"], patient["id"])).json())[0]
    assert booked["status"] == "booked"
    assert participant(booked, "Patient") == patient["id"]
    listed = await epic.get("R4/Appointment", {"patient": patient["id"]})
    assert [a["id"] for a in matches(listed)] == [booked["id"]]
    routes = [r.route for r in epic.sandbox.requests if r.status < 300]
    assert routes[-5:] == [
        "epic.patient.create",
        "epic.coverage.create",
        "epic.appointment.find",
        "epic.appointment.book",
        "epic.appointment.search",
    ]
